"""``mapsite build``, ``check`` and ``audit``: the commands that read every deal and say what they found.

Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.text import Text

from mapsite.cli.app import as_date, main, read_site, site_option, today_option
from mapsite.cli.console import count_summary, print_findings, stderr, stdout
from mapsite.cli.lookup import deal_slug
from mapsite.clock import resolve_today

if TYPE_CHECKING:
    from mapsite.pipeline.build import BuildReport


@main.command(name="build")
@site_option
@today_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: output/ in the site).",
)
@click.option(
    "--only",
    metavar="DEAL",
    help="Rebuild only this deal (its slug, or its file or folder name); other deals stay as they are.",
)
@click.option(
    "--no-protect",
    is_flag=True,
    help="Write readable pages for a local preview only; deploy refuses such an output.",
)
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed since the last build.")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Build every deal that has no errors; a deal with errors keeps its last good portal "
    "(or is left out). Prints the errors and exits 1.",
)
def build_command(
    site_dir: Path,
    today: dt.datetime | None,
    out: Path | None,
    only: str | None,
    no_protect: bool,
    force: bool,
    keep_going: bool,
) -> None:
    """Build every deal portal into output/, encrypted unless the deal is public.

    A build whose inputs (deal files, theme, passwords, share links, the day) are all as they
    were for the current output says so and stops. Any error stops the build and leaves the
    current output as it was (the option below builds the other deals anyway).
    """
    if only and keep_going:
        raise click.UsageError("--keep-going builds every deal; leave out --only DEAL")
    if only:
        only = deal_slug(read_site(site_dir), only, resolve_today(as_date(today)))
    if build_and_report(site_dir, today, out, only, no_protect, force, keep_going):
        sys.exit(1)


def build_and_report(
    site_dir: Path,
    today: dt.datetime | None,
    out: Path | None,
    only: str | None,
    no_protect: bool,
    force: bool = False,
    keep_going: bool = False,
) -> bool:
    """Build and print what happened; True when the build kept going past a deal's errors."""
    from mapsite.pipeline.build import build

    result = build(
        site_dir,
        out=out,
        today=as_date(today),
        only=only,
        protect=not no_protect,
        force=force,
        keep_going=keep_going,
    )
    print_findings(result.findings, stderr)
    deals = result.deals
    if result.up_to_date:
        stdout.print(
            f"{result.out} is up to date: nothing changed since it was built ({deals} "
            f"deal{'s' * (deals != 1)}, {result.protected} protected, as of {result.today:%Y-%m-%d}; "
            f"checked in {result.seconds:.2f} s). --force rebuilds anyway."
        )
        return False
    stdout.print(
        f"Built {deals} deal{'s' * (deals != 1)} into {result.out} ({result.protected} protected, "
        f"{result.files_written} files written, {result.seconds:.2f} s, as of {result.today:%Y-%m-%d})."
    )
    if result.created_secret:
        stdout.print(
            f"Created the site secret in {site_dir / '.mapsite' / 'secret'}: keep it, and set "
            "MAPSITE_SECRET to its contents in CI, so logins and share links survive rebuilds."
        )
    if no_protect:
        stderr.print(
            Text(
                f"warning: --no-protect: the pages in {result.out} are readable by anyone who gets them. "
                "Use this output for a local preview only; deploy refuses it.",
                style="yellow",
            )
        )
    return _report_broken(result)


def _report_broken(result: BuildReport) -> bool:
    """Say what became of each deal a kept-going build could not build."""
    if not result.partial:
        return False
    broken = len(result.kept) + len(result.left_out)
    stderr.print(
        Text(
            f"error: {broken} deal{'s' * (broken != 1)} with errors not rebuilt; fix "
            f"{'them' if broken != 1 else 'it'} and build again:",
            style="bold red",
        )
    )
    for kept in result.kept:
        stderr.print(f"  {kept.display}: kept its last good portal, {result.out / kept.slug}/", markup=False)
    for left in result.left_out:
        stderr.print(f"  {left.display}: not published: {left.reason}", markup=False)
    return True


@main.command(name="check")
@site_option
@today_option
def check_command(site_dir: Path, today: dt.datetime | None) -> None:
    """Validate mapsite.yml and every deal; exit 1 if there are errors."""
    from mapsite.errors import has_errors
    from mapsite.pipeline.check import check
    from mapsite.pipeline.find import find_deals
    from mapsite.read.site import load_site

    result = check(site_dir, as_date(today))
    print_findings(result.findings)
    # Every deal file read counts, with errors or not; none is read when mapsite.yml is broken.
    site, site_findings = load_site(site_dir)
    deals = 0 if has_errors(site_findings) else len(find_deals(site)[0])
    stdout.print(f"Checked {deals} deal{'s' * (deals != 1)}: {count_summary(result.findings)}.")
    if any(f.is_error for f in result.findings):
        sys.exit(1)


@main.command(name="audit")
@site_option
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="The built folder (default: output/)."
)
def audit_command(site_dir: Path, out: Path | None) -> None:
    """Scan a built output for any plaintext of a protected deal; exit 1 on a leak."""
    from mapsite.pipeline.check import audit_output

    target = out or site_dir / "output"
    findings, files, deals = audit_output(site_dir, target)
    print_findings(findings)
    if findings:
        stdout.print(
            f"Audit FAILED: {len(findings)} leak{'s' * (len(findings) != 1)} in {target}. Do not publish it."
        )
        sys.exit(1)
    stdout.print(f"Audited {files} files in {target}: no plaintext of {deals} protected deals found.")
