"""``mapsite deploy``: build, audit, then send only what changed, with progress and a summary a rep can read.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from mapsite.cli.app import main, site_option
from mapsite.cli.build import build_and_report
from mapsite.cli.console import print_findings, stderr, stdout

# deploy.plan's default, written here so that `mapsite deploy --help` does not import the deploy
# stage; tests/cli/test_command_table.py checks that they are equal.
DEFAULT_MAX_DELETES = 256

if TYPE_CHECKING:
    from mapsite.deploy.plan import DeployPlan
    from mapsite.deploy.target import Target
    from mapsite.write.manifest import FileEntry


@main.command(name="deploy")
@click.argument("target_name", metavar="[TARGET]", required=False)
@click.option("--dry-run", is_flag=True, help="Print exactly what would change, and change nothing.")
@click.option("--yes", is_flag=True, help="Replace files on the target that this site did not publish.")
@click.option(
    "--max-deletes",
    type=click.IntRange(0),
    default=DEFAULT_MAX_DELETES,
    show_default=True,
    help="Stop before deleting anything if the deploy would delete more files than this.",
)
@click.option("--no-build", is_flag=True, help="Publish output/ as it is, without building first.")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Build with --keep-going and publish the deals that built (a deal with errors keeps "
    "its last good portal); exits 1 after publishing if a deal had errors.",
)
@site_option
def deploy_command(
    target_name: str | None,
    dry_run: bool,
    yes: bool,
    max_deletes: int,
    no_build: bool,
    keep_going: bool,
    site_dir: Path,
) -> None:
    """Build, audit and publish output/ to a target of mapsite.yml, sending only what changed.

    Files the target serves that this build no longer has are deleted; the deploy names them
    (a whole portal by its folder) in its summary.
    """
    from mapsite.deploy.report import deleted_names, plan_counts, plan_lines, size_text, summary
    from mapsite.deploy.target import DeployContext, open_target
    from mapsite.pipeline.publish import (
        audit_before_deploy,
        check_plan,
        choose_target,
        load_deploy_site,
        public_url,
    )
    from mapsite.protect.secrets import site_secret
    from mapsite.write.manifest import local_manifest

    started = time.perf_counter()
    site, targets = load_deploy_site(site_dir)
    settings = choose_target(targets, target_name)
    print_findings(settings.warnings, stderr)
    out = site_dir / "output"
    broken = False
    if not no_build:
        broken = build_and_report(site_dir, None, None, None, no_protect=False, keep_going=keep_going)
    local = local_manifest(out, settings.headers)
    if audit_before_deploy(site_dir, out, local, partial=keep_going):
        stdout.print(f"Leak audit passed: {len(local)} files, no plaintext of a protected deal.")
    else:
        stdout.print("Leak audit: passed already; nothing changed in output/ or the sources since.")
    target = open_target(settings, DeployContext(site_dir, out, site_secret(site_dir, create=False)[0]))
    try:
        plan = target.plan(local)
        replace = yes
        if plan.deletes and plan.untracked and not yes and not dry_run and sys.stdin.isatty():
            replace = click.confirm(
                f"{target.location} holds {len(plan.deletes)} file(s) this site did not publish: "
                f"{', '.join(deleted_names(plan.deletes, local))}. Replace them?"
            )
        if dry_run:
            for line in plan_lines(plan):
                stdout.print(line, markup=False)
            stdout.print(f"Dry run for {target.location}: {plan_counts(plan, done=False)}; ", end="")
            stdout.print(f"{size_text(plan.bytes_to_send)} to send. Nothing was changed.")
            check_plan(plan, target.location, max_deletes, replace or dry_run, local)
            return
        check_plan(plan, target.location, max_deletes, replace, local)
        publish(target, plan, local, out)
    except KeyboardInterrupt:
        stderr.print(
            "deploy interrupted: the target still serves whole portals (old or new); "
            "run mapsite deploy again to finish."
        )
        sys.exit(130)
    finally:
        target.close()
    for line in summary(plan, target.location, time.perf_counter() - started, public_url(site), local):
        stdout.print(line, markup=False)
    if broken:
        stderr.print(
            "error: the deals with errors (see above) were not updated; fix them and deploy again",
            style="bold red",
        )
        sys.exit(1)


def publish(target: Target, plan: DeployPlan, local: dict[str, FileEntry], out: Path) -> None:
    steps = len(plan.transfers) + len(plan.deletes)
    if plan.is_empty:  # a git branch whose old history is dropped changes with no file sent
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=stderr, transient=True, disable=not stderr.is_terminal) as progress:
        task = progress.add_task(f"Deploying to {target.location}", total=steps)
        target.publish(plan, local, out, lambda _path, _size: progress.update(task, advance=1))
