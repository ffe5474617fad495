"""The steps of ``mapsite deploy`` that decide whether and what to publish.

The command line calls them in order (pick the target, audit the build, plan, check the plan,
publish) so it can show each result as it comes; every refusal is a MapsiteError that names the
cause and the way out, raised before the target has been changed.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlsplit

from mapsite.deploy.plan import DeployPlan
from mapsite.deploy.report import deleted_names
from mapsite.deploy.settings import TargetSettings, deploy_targets
from mapsite.errors import MapsiteError, has_errors, sort_findings
from mapsite.pipeline.check import audit_output
from mapsite.read.site import Site, load_site
from mapsite.write.manifest import FileEntry
from mapsite.write.output import read_marker
from mapsite.write.receipt import file_digests, has_receipt

EXAMPLE = "add to mapsite.yml:  deploy: {site: {type: folder, path: /var/www/deals}}  (see README, Deploying)"


def load_deploy_site(site_dir: Path) -> tuple[Site, dict[str, TargetSettings]]:
    """The site and its deploy targets; any problem in ``mapsite.yml`` stops the deploy."""
    site, findings = load_site(site_dir)
    targets, target_findings = deploy_targets(site)
    findings = [*findings, *target_findings]
    if has_errors(findings):
        raise MapsiteError("fix mapsite.yml first", sort_findings(f for f in findings if f.is_error))
    return site, targets


def choose_target(targets: dict[str, TargetSettings], name: str | None) -> TargetSettings:
    """The named target, or the only one there is."""
    names = sorted(targets)
    if not names:
        raise MapsiteError("mapsite.yml names no deploy target", hint=EXAMPLE)
    if name is None:
        if len(names) > 1:
            raise MapsiteError(
                f"mapsite.yml names {len(names)} deploy targets; say which one",
                hint=f"mapsite deploy {names[0]}  (targets: {', '.join(names)})",
            )
        return targets[names[0]]
    if name not in targets:
        raise MapsiteError(
            f"there is no deploy target '{name}' in mapsite.yml", hint=f"targets: {', '.join(names)}"
        )
    return targets[name]


def audit_before_deploy(
    site_dir: Path, out: Path, local: dict[str, FileEntry], partial: bool = False
) -> bool:
    """Refuse an unprotected or leaking build; returns whether a full audit had to run.

    A build (or audit) that passed leaves a receipt; an output and sources still matching it
    byte for byte need no second audit. A ``build --keep-going`` that left deals out or kept
    their old portals leaves a partial receipt: only a deploy with ``partial`` (``--keep-going``)
    trusts it; a plain one audits against the site, and the site's errors stop it.
    """
    marker = read_marker(out)
    trusted = has_receipt(site_dir, out, local.values(), partial=partial)
    if marker is not None and marker.get("protected") and trusted:
        return False
    if marker is not None and marker.get("complete") is False and not partial:
        raise MapsiteError(
            f"{out} was built with --keep-going: deals with errors were not rebuilt; nothing was deployed",
            hint="fix the errors (mapsite check), or publish it as it is with mapsite deploy --keep-going",
        )
    findings, _files, _deals = audit_output(site_dir, out, file_digests(local.values()))
    if findings:
        raise MapsiteError(
            f"the leak audit found plaintext of protected deals in {out}; nothing was deployed",
            findings,
            hint="rebuild with mapsite build, and run mapsite audit to see the leaks",
        )
    return True


def check_plan(
    plan: DeployPlan, location: str, max_deletes: int, replace_untracked: bool, local: Collection[str] = ()
) -> None:
    """Stop before the first change when the plan would delete more than the user allows.

    ``local`` (the build's paths) lets the message name a portal that would go whole.
    """
    names = ", ".join(deleted_names(plan.deletes, local))
    if plan.deletes and plan.untracked and not replace_untracked:
        raise MapsiteError(
            f"{location} holds {len(plan.deletes)} file(s) that this site did not publish there "
            f"({names}); deploying would delete them. Nothing was changed",
            hint="check that the target is right, then pass --yes to replace its contents",
        )
    if len(plan.deletes) > max_deletes:
        raise MapsiteError(
            f"this deploy would delete {len(plan.deletes)} files from {location}, more than "
            f"--max-deletes {max_deletes}; nothing was changed. It would delete: {names}",
            hint=f"check the plan with --dry-run; if it is right, pass --max-deletes {len(plan.deletes)}",
        )


def public_url(site: Site) -> str | None:
    """Where readers find the site, when base_url says so."""
    return site.base_url if urlsplit(site.base_url).scheme in ("http", "https") else None
