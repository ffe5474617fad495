"""The ``mapsite`` command: parse options, call one function, print the result.

Errors a rep can fix are printed as ``file:line: error: message (hint: ...)`` and exit 1;
anything unexpected is reported in one line (set MAPSITE_DEBUG=1 for the traceback), never as
a wall of Python.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path, PurePosixPath
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table
from rich.text import Text

from mapsite import __version__
from mapsite.cli.status_table import status_table
from mapsite.clock import resolve_today
from mapsite.deploy.plan import DEFAULT_MAX_DELETES, DeployPlan
from mapsite.deploy.report import plan_counts, plan_lines, size_text, summary
from mapsite.deploy.target import DeployContext, Target, open_target
from mapsite.errors import Finding, MapsiteError, has_errors
from mapsite.exchange.pdf import write_pdf
from mapsite.model.dates import DurationSyntaxError, parse_slip
from mapsite.model.deal import Deal
from mapsite.names import password_env_name, slugify
from mapsite.pipeline.build import audit_output, build, check, render_all
from mapsite.pipeline.load import deal_sources, load_deals
from mapsite.pipeline.publish import (
    audit_before_deploy,
    check_plan,
    choose_target,
    load_deploy_site,
    public_url,
)
from mapsite.preview.session import serve
from mapsite.protect.secrets import add_share, load_shares, revoke_share, share_link, site_secret
from mapsite.read.site import load_site
from mapsite.render.blueprints import BLUEPRINTS
from mapsite.render.formatting import long_date, short_date
from mapsite.scaffold.site import init_site, new_deal
from mapsite.schedule.feasibility import Feasibility, feasibility
from mapsite.schedule.lint import names_buyer
from mapsite.schedule.status import SORTS, status_json, status_rows
from mapsite.write.manifest import FileEntry, local_manifest

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_findings(findings: Iterable[Finding], console: Console = stdout) -> None:
    for finding in findings:
        style = "bold red" if finding.is_error else "yellow"
        where = f"{finding.path}:{finding.line}" if finding.line else finding.path
        line = Text(f"{where}: ")
        line.append(finding.severity, style=style)
        line.append(f": {finding.message}")
        if finding.hint:
            line.append(f" (hint: {finding.hint})", style="dim")
        console.print(line)


def _summary(findings: Iterable[Finding]) -> str:
    findings = list(findings)
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn MapsiteError and unexpected exceptions into a message and exit code 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MapsiteError as exc:
            print_findings(exc.findings, stderr)
            message = Text("error: ", style="bold red")
            message.append(exc.message)
            if exc.hint:
                message.append(f" (hint: {exc.hint})", style="dim")
            stderr.print(message)
            sys.exit(1)
        except KeyboardInterrupt:
            stderr.print("interrupted")
            sys.exit(130)
        except click.exceptions.Exit:
            raise
        except Exception as exc:
            if os.environ.get("MAPSITE_DEBUG"):
                raise
            stderr.print(
                Text(f"internal error: {type(exc).__name__}: {exc}", style="bold red"),
                Text("(this is a bug in mapsite; run again with MAPSITE_DEBUG=1 for details)"),
                sep="\n",
            )
            sys.exit(1)

    return wrapper


def site_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--site",
        "site_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default="current folder",
        help="The site's folder (where mapsite.yml is).",
    )(command)


def today_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--today",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Build as of this day (YYYY-MM-DD); default: SOURCE_DATE_EPOCH, else the system date.",
    )(command)


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mapsite")
def main() -> None:
    """Turn Mutual Action Plans written in Markdown into branded deal portals."""


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
@friendly_errors
def build_command(
    site_dir: Path,
    today: dt.datetime | None,
    out: Path | None,
    only: str | None,
    no_protect: bool,
    force: bool,
) -> None:
    """Build every deal portal into output/, encrypted unless the deal is public.

    A build whose inputs (deal files, theme, passwords, share links, the day) are all as they
    were for the current output says so and stops.
    """
    if only:
        only = _deal_slug(site_dir, only, resolve_today(_day(today)))
    _build_and_report(site_dir, today, out, only, no_protect, force)


def _build_and_report(
    site_dir: Path,
    today: dt.datetime | None,
    out: Path | None,
    only: str | None,
    no_protect: bool,
    force: bool = False,
) -> None:
    result = build(site_dir, out=out, today=_day(today), only=only, protect=not no_protect, force=force)
    print_findings(result.findings, stderr)
    deals = result.deals
    if result.up_to_date:
        stdout.print(
            f"{result.out} is up to date: nothing changed since it was built ({deals} "
            f"deal{'s' * (deals != 1)}, {result.protected} protected, as of {result.today:%Y-%m-%d}; "
            f"checked in {result.seconds:.2f} s). --force rebuilds anyway."
        )
        return
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


@main.command(name="check")
@site_option
@today_option
@friendly_errors
def check_command(site_dir: Path, today: dt.datetime | None) -> None:
    """Validate mapsite.yml and every deal; exit 1 if there are errors."""
    result = check(site_dir, _day(today))
    print_findings(result.findings)
    deals = len(result.deals)
    stdout.print(f"Checked {deals} deal{'s' * (deals != 1)}: {_summary(result.findings)}.")
    if any(f.is_error for f in result.findings):
        sys.exit(1)


@main.command(name="init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@friendly_errors
def init_command(folder: Path) -> None:
    """Create a new site in FOLDER with a sample deal."""
    written, slug = init_site(folder, resolve_today())
    for path in written:
        stdout.print(f"created {path}")
    stdout.print(
        f"The sample deal's password is in {folder / '.mapsite' / 'passwords'} (never commit that folder)."
    )
    stdout.print(f"Its portal is published at {slug}/ (random, so that URLs never name a buyer).")
    stdout.print(f"Next: cd {folder} && mapsite build")


@main.command(name="new")
@click.argument("buyer")
@click.option(
    "--blueprint",
    type=click.Choice(BLUEPRINTS),
    default="enterprise",
    show_default=True,
    help="The plan to start from.",
)
@click.option(
    "--close",
    "close",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="Target signature date (YYYY-MM-DD).",
)
@click.option(
    "--slug",
    help="URL folder of the portal, and the file's name (default: a random folder; the file is "
    "named after the buyer).",
)
@site_option
@friendly_errors
def new_command(buyer: str, blueprint: str, close: dt.datetime, slug: str | None, site_dir: Path) -> None:
    """Start a deal for BUYER from a blueprint planned backwards from --close."""
    site, findings = load_site(site_dir)
    errors = [f for f in findings if f.is_error]
    if errors:
        raise MapsiteError("fix mapsite.yml first", errors)
    today = resolve_today()
    created = new_deal(site_dir, buyer, blueprint, close.date(), site.seller.name, today, slug)
    path = created.path
    stdout.print(f"created {path}")
    _say_address(site.base_url, created.slug, path.stem, chosen=slug is not None, buyer=buyer)
    if close.date() < today:
        stderr.print(Text("warning: the close date is in the past", style="yellow"))
    stdout.print(
        f"Set its password before building: export {password_env_name(path.stem)}=... "
        "(or add that line to .mapsite/passwords)"
    )
    stdout.print("Next: fill in the names marked (name), then run: mapsite check")


@main.command(name="audit")
@site_option
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), help="The built folder (default: output/)."
)
@friendly_errors
def audit_command(site_dir: Path, out: Path | None) -> None:
    """Scan a built output for any plaintext of a protected deal; exit 1 on a leak."""
    target = out or site_dir / "output"
    findings, files, deals = audit_output(site_dir, target)
    print_findings(findings)
    if findings:
        stdout.print(
            f"Audit FAILED: {len(findings)} leak{'s' * (len(findings) != 1)} in {target}. Do not publish it."
        )
        sys.exit(1)
    stdout.print(f"Audited {files} files in {target}: no plaintext of {deals} protected deals found.")


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
@site_option
@friendly_errors
def deploy_command(
    target_name: str | None, dry_run: bool, yes: bool, max_deletes: int, no_build: bool, site_dir: Path
) -> None:
    """Build, audit and publish output/ to a target of mapsite.yml, sending only what changed."""
    started = time.perf_counter()
    site, targets = load_deploy_site(site_dir)
    settings = choose_target(targets, target_name)
    print_findings(settings.warnings, stderr)
    out = site_dir / "output"
    if not no_build:
        _build_and_report(site_dir, None, None, None, no_protect=False)
    local = local_manifest(out, settings.headers)
    if audit_before_deploy(site_dir, out, local):
        stdout.print(f"Leak audit passed: {len(local)} files, no plaintext of a protected deal.")
    else:
        stdout.print("Leak audit: passed already; nothing changed in output/ or the sources since.")
    target = open_target(settings, DeployContext(site_dir, out, site_secret(site_dir, create=False)[0]))
    try:
        plan = target.plan(local)
        replace = yes
        if plan.deletes and plan.untracked and not yes and not dry_run and sys.stdin.isatty():
            replace = click.confirm(
                f"{target.location} holds {len(plan.deletes)} file(s) this site did not publish. "
                "Replace them?"
            )
        if dry_run:
            for line in plan_lines(plan):
                stdout.print(line, markup=False)
            stdout.print(f"Dry run for {target.location}: {plan_counts(plan, done=False)}; ", end="")
            stdout.print(f"{size_text(plan.bytes_to_send)} to send. Nothing was changed.")
            check_plan(plan, target.location, max_deletes, replace or dry_run)
            return
        check_plan(plan, target.location, max_deletes, replace)
        _publish(target, plan, local, out)
    except KeyboardInterrupt:
        stderr.print(
            "deploy interrupted: the target still serves whole portals (old or new); "
            "run mapsite deploy again to finish."
        )
        sys.exit(130)
    finally:
        target.close()
    for line in summary(plan, target.location, time.perf_counter() - started, public_url(site)):
        stdout.print(line, markup=False)


def _publish(target: Target, plan: DeployPlan, local: dict[str, FileEntry], out: Path) -> None:
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


@main.command(name="plan")
@click.argument("slug", metavar="DEAL")
@today_option
@click.option(
    "--what-if",
    "what_ifs",
    multiple=True,
    metavar='"ID +Nbd"',
    help='Add business days to a milestone, e.g. "security-review +5bd"; repeat for several.',
)
@site_option
@friendly_errors
def plan_command(slug: str, today: dt.datetime | None, what_ifs: tuple[str, ...], site_dir: Path) -> None:
    """Print a deal's schedule from today: earliest finishes, slack and the critical path."""
    day = resolve_today(_day(today))
    deal = _one_deal(site_dir, slug, day)
    slips = [_slip(deal, text) for text in what_ifs]
    result = feasibility(deal, deal.calendar, day)
    stdout.print(_schedule_table(deal, result))
    stdout.print(
        f"Projected signature: {long_date(result.projected_close)} "
        f"({'on track: target' if result.on_track else result.target_phrase} {long_date(deal.close_date)})"
    )
    for milestone_id, days in slips:
        slipped = feasibility(deal, deal.calendar, day, {milestone_id: days})
        stdout.print(f"If {milestone_id} {_slip_words(days)}, {_lands(slipped)}")
    if len(slips) > 1:
        together: dict[str, int] = {}
        for milestone_id, days in slips:
            together[milestone_id] = together.get(milestone_id, 0) + days
        stdout.print(f"If all of these happen, {_lands(feasibility(deal, deal.calendar, day, together))}")


def _one_deal(site_dir: Path, name: str, today: dt.date) -> Deal:
    """The deal the rep names by its slug or by its file or folder in content/deals.

    New deals have random slugs, so every command that takes a deal also takes ``contoso``,
    ``contoso.md`` or ``content/deals/contoso/``; a file or folder of that name comes first.
    Nothing matching is a one-line error with the nearest names.
    """
    site, findings = load_site(site_dir)
    if has_errors(findings):
        raise MapsiteError("fix mapsite.yml first", [f for f in findings if f.is_error])
    key = _deal_key(name)
    # The file or folder named ``key``, else the deals whose file says ``slug: key``.
    loaded = load_deals(site, today, only=key) if key else None
    if loaded and loaded.deals:
        return loaded.deals[0]
    problems = [f for f in loaded.findings if f.is_error and f.path != "content/deals"] if loaded else []
    if problems:
        raise MapsiteError(f"deal '{name}' has errors; fix them first", problems)
    every = load_deals(site, today)  # a slug no file spells out (slug: random)
    deal = next((d for d in every.deals if d.slug == key), None)
    if deal is not None:
        return deal
    names = sorted({file for _, _, file in deal_sources(site)[0]} | {d.slug for d in every.deals})
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.6)
    hint = (
        f"did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else "name a deal by its slug or its file in content/deals; list them with: mapsite status"
    )
    raise MapsiteError(f"no deal with slug '{name}', nor a deal file or folder of that name", hint=hint)


def _deal_slug(site_dir: Path, name: str, today: dt.date) -> str:
    """The slug of the deal named ``name`` (see ``_one_deal``): what URLs and --only use."""
    return _one_deal(site_dir, name, today).slug


def _deal_key(name: str) -> str:
    """``content/deals/contoso.md``, ``contoso/index.md`` or ``contoso/`` -> ``contoso``."""
    path = PurePosixPath(name.strip().replace("\\", "/"))
    if path.name == "index.md":
        path = path.parent
    return path.name.removesuffix(".md")


def _slip(deal: Deal, text: str) -> tuple[str, int]:
    """A --what-if as (open milestone id, business days); the milestone may be named by id or name."""
    try:
        target, days = parse_slip(text)
    except DurationSyntaxError as exc:
        raise MapsiteError(f"--what-if '{text}': {exc}") from None
    milestone = deal.milestone(target) or next(
        (m for m in deal.milestones if m.name.casefold() == target.casefold()), None
    )
    if milestone is None:
        ids = [m.id for m in deal.milestones]
        close = difflib.get_close_matches(slugify(target), ids, n=1, cutoff=0.6)
        raise MapsiteError(
            f"--what-if '{text}': deal '{deal.slug}' has no milestone '{target}'",
            hint=f"did you mean '{close[0]}'?" if close else f"milestone ids: {', '.join(ids)}",
        )
    if milestone.is_closed:
        raise MapsiteError(f"--what-if '{text}': '{milestone.id}' is {milestone.status}, so it cannot slip")
    if milestone.duration + days < 1:
        raise MapsiteError(
            f"--what-if '{text}': '{milestone.id}' takes {milestone.duration} business day(s); "
            "it cannot take less than 1"
        )
    return milestone.id, days


def _schedule_table(deal: Deal, result: Feasibility) -> Table:
    people = {s.id: s.name for s in deal.stakeholders}
    table = Table(
        title=Text(f"{deal.title}: schedule as of {long_date(result.today)}"),
        title_justify="left",
        caption="Slack: business days from the earliest finish to the due date (negative: late). "
        "◆ on the critical path to signature.",
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("Phase")
    table.add_column("Milestone", ratio=3)
    table.add_column("Owners", ratio=2)
    table.add_column("Due", no_wrap=True)
    table.add_column("Earliest finish", min_width=8)
    table.add_column("Slack", justify="right", no_wrap=True)
    table.add_column("Critical", justify="center", no_wrap=True)
    for phase in deal.phases:
        members = [m for m in deal.milestones if m.phase == phase]
        for index, milestone in enumerate(members):
            row = result.milestones[milestone.id]
            if row.earliest_start is None:
                finish = Text(milestone.status, style="dim")
                slack = Text("")
            else:
                finish = Text(short_date(row.earliest_finish))
                slack = Text(f"{row.slack_due:+d}" if row.slack_due else "0", style="red" if row.late else "")
            # Text, not str: a "[" in a name is the rep's text, not rich markup.
            table.add_row(
                Text(phase if index == 0 else ""),
                Text(milestone.name),
                Text(", ".join(people.get(o, o) for o in milestone.owners)),
                short_date(milestone.due),
                finish,
                slack,
                "◆" if row.critical else "",
                end_section=index == len(members) - 1,
            )
    return table


def _slip_words(days: int) -> str:
    amount = f"{abs(days)} business day{'s' * (abs(days) != 1)}"
    return f"slips {amount}" if days > 0 else f"takes {amount} less"


def _lands(result: Feasibility) -> str:
    return f"signature lands on {short_date(result.projected_close)} ({result.target_phrase})"


@main.command(name="pdf")
@click.argument("slug", metavar="DEAL")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PDF to write (default: DEAL.pdf in the current folder).",
)
@today_option
@site_option
@friendly_errors
def pdf_command(slug: str, out: Path | None, today: dt.datetime | None, site_dir: Path) -> None:
    """Print a deal's plan to PDF with headless Chromium, as the portal prints."""
    day = resolve_today(_day(today))
    deal = _one_deal(site_dir, slug, day)
    target = out or Path(f"{_deal_key(slug)}.pdf")
    result = write_pdf(site_dir, deal.slug, target, day)
    print_findings(result.findings, stderr)
    stdout.print(f"Wrote {target}: the plan of {deal.title}, as of {day:%Y-%m-%d}.", markup=False)


@main.command(name="export")
@click.argument("slug", metavar="DEAL")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("csv", "json", "ics", "md")),
    required=True,
    help="csv for spreadsheets, json for scripts and CRMs, ics for calendars, md for documents.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: the terminal).",
)
@site_option
@friendly_errors
def export_command(slug: str, fmt: str, out: Path | None, site_dir: Path) -> None:
    """Write the plan of DEAL with resolved dates; passwords are never exported."""
    from mapsite.exchange.write import export_text, load_deal

    today = resolve_today()
    deal = load_deal(site_dir, _deal_slug(site_dir, slug, today), today)
    if fmt == "ics":
        from mapsite.render.calendars import plan_calendar

        data = plan_calendar(deal)
    else:
        # A byte-order mark lets Excel open a saved CSV as UTF-8; a pipe gets plain UTF-8.
        data = export_text(deal, fmt).encode("utf-8-sig" if out and fmt == "csv" else "utf-8")
    if out is None:
        click.echo(data, nl=False)
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise MapsiteError(f"cannot write {out}: {exc.strerror or exc}") from None
    stdout.print(f"Wrote the plan of {slug} ({len(deal.milestones)} milestones) to {out}.", markup=False)


@main.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--slug", help="URL folder of the new deal (default: from --buyer, else the file name).")
@click.option("--buyer", help="The buying company's name (default: from the slug).")
@click.option(
    "--close",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Target signature date (default: the due date of the plan's close or signature step).",
)
@site_option
@friendly_errors
def import_command(
    file: Path, slug: str | None, buyer: str | None, close: dt.datetime | None, site_dir: Path
) -> None:
    """Turn a spreadsheet MAP (.csv or .xlsx) into a new deal file that passes check."""
    from mapsite.exchange.importer import import_plan

    result = import_plan(
        site_dir,
        file,
        resolve_today(),
        report=lambda line: stderr.print(Text(line, style="yellow")),
        slug=slug,
        buyer=buyer,
        close=_day(close),
    )
    plan, table = result.plan, result.table
    skipped = plan.data_rows - len(plan.milestones)

    def say(line: str) -> None:
        stdout.print(line, markup=False)  # names from cells may hold [brackets]

    say(
        f"Read {plan.data_rows} rows of {table.name} ({table.described}): {len(plan.milestones)} "
        f"milestone{'s' * (len(plan.milestones) != 1)}, {skipped} row{'s' * (skipped != 1)} skipped."
    )
    say(f"created {result.path} with {len(plan.people)} stakeholders")
    # A buyer named after the slug is a guess for the rep to replace: no warning against it.
    base_url = load_site(site_dir)[0].base_url
    _say_address(base_url, result.slug, result.path.stem, slug is not None, buyer or "")
    say(f"Close date {result.close_date:%Y-%m-%d}: {result.close_reason}.")
    if not buyer:
        source = "slug" if slug else "file name"
        say(f"The buyer is called '{result.buyer}' after the {source}: edit buyer: and title: in the deal.")
    say(
        f"Set its password before building: export {password_env_name(result.path.stem)}=... "
        "(or add that line to .mapsite/passwords)"
    )
    say("Next: replace the [bracketed] placeholders, starting with value_summary, then run: mapsite check")


def _say_address(base_url: str, slug: str, name: str, chosen: bool, buyer: str) -> None:
    """Where a new deal's portal is published, and how to name the deal in other commands."""
    if chosen:
        stdout.print(f"Its portal is published at {base_url}{slug}/ (the slug you chose).", markup=False)
        if word := names_buyer(slug, buyer):
            stderr.print(
                Text(
                    f"warning: the address shows '{word}' of the buyer's name; drop --slug for a random one",
                    style="yellow",
                )
            )
        return
    stdout.print(
        f"Its portal is published at {base_url}{slug}/: a random folder, so that the URL names no buyer. "
        f"Name the deal {name} in other commands (mapsite share {name} ...).",
        markup=False,
    )


@main.command(name="status")
@site_option
@today_option
@click.option("--json", "as_json", is_flag=True, help="Print the stable JSON format (docs/status.md).")
@click.option("--stage", help="Only deals in this stage (active, won, lost, on_hold).")
@click.option(
    "--sort", type=click.Choice(SORTS), default="close", show_default=True, help="Order of the rows."
)
@friendly_errors
def status_command(
    site_dir: Path, today: dt.datetime | None, as_json: bool, stage: str | None, sort: str
) -> None:
    """One row per deal: progress, overdue items per side, projected close against target."""
    day = resolve_today(_day(today))
    site, findings = load_site(site_dir)
    if has_errors(findings):
        raise MapsiteError("fix mapsite.yml first", [f for f in findings if f.is_error])
    loaded = load_deals(site, day)
    errors = [f for f in loaded.findings if f.is_error]
    if errors:
        raise MapsiteError("some deals have errors; run mapsite check", errors)
    rows = status_rows(loaded.deals, day, stage, sort)
    if as_json:
        click.echo(json.dumps(status_json(rows, day), indent=2, ensure_ascii=False))
        return
    # Piped output is not cut to 80 columns: scripts and logs get one line per deal.
    console = stdout if stdout.is_terminal else Console(highlight=False, width=180)
    console.print(status_table(rows, day))


@main.command(name="share")
@click.argument("slug", metavar="[DEAL]", required=False)
@click.option("--label", help='Who the link is for, e.g. "Dana (VP Marketing)".')
@click.option(
    "--expires",
    metavar="DATE|never",
    help="Last day the link works (default: protection.share_days after today, 90 unless set).",
)
@click.option("--revoke", metavar="LABEL", help="Revoke the share link with this label (of SLUG, if given).")
@click.option("--list", "list_shares", is_flag=True, help="List share links (never their secrets).")
@site_option
@friendly_errors
def share_command(
    slug: str | None,
    label: str | None,
    expires: str | None,
    revoke: str | None,
    list_shares: bool,
    site_dir: Path,
) -> None:
    """Make, list or revoke share links that open a deal without a password."""
    today = resolve_today()
    if list_shares:
        for share in load_shares(site_dir):
            state = (
                "revoked " + share.revoked
                if share.revoked
                else ("active" if share.active(today) else "expired")
            )
            until = f", until {share.expires}" if share.expires else ""
            stdout.print(f"{share.deal}: {share.label} (created {share.created}{until}): {state}")
        return
    if revoke:
        # A deal deleted since keeps its links to revoke: its slug is taken as it is.
        if slug and not any(share.deal == slug for share in load_shares(site_dir)):
            slug = _deal_slug(site_dir, slug, today)
        for share in revoke_share(site_dir, revoke, today, slug):
            stdout.print(f"Revoked the share link '{share.label}' of {share.deal}.")
        stdout.print("Rebuild and deploy: the old link then fails, and the deal is re-keyed.")
        return
    if not slug or not label:
        raise click.UsageError("give a DEAL and --label, or --revoke LABEL, or --list")
    slug = _deal_slug(site_dir, slug, today)
    site, findings = load_site(site_dir)
    result = render_all(site_dir, today, only=slug) if not any(f.is_error for f in findings) else None
    deal = next((d for d in result.deals if d.slug == slug), None) if result else None
    if deal is None:
        raise MapsiteError(f"no deal with slug '{slug}' that builds", result.findings if result else findings)
    if deal.public:
        raise MapsiteError(f"deal '{slug}' is public: it needs no share link")
    share = add_share(site_dir, slug, label, today, _share_expiry(expires, site.share_days, today))
    stdout.print(f"Share link for {label} ({deal.title}):")
    stdout.print(share_link(site.base_url, slug, share))
    stdout.print(f"It works until {share.expires}." if share.expires else "It never expires.")
    stdout.print(
        f'It works once the site is rebuilt and deployed. Revoke it with: mapsite share --revoke "{label}"'
    )


def _share_expiry(option: str | None, share_days: int | None, today: dt.date) -> dt.date | None:
    """The last day a new share link works: --expires, else the site's default shelf life."""
    if option is None:
        return today + dt.timedelta(days=share_days) if share_days else None
    if option.strip().lower() == "never":
        return None
    try:
        day = dt.date.fromisoformat(option.strip())
    except ValueError:
        raise click.BadParameter(
            f"'{option}' is not a date like 2027-05-31, nor 'never'", param_hint="--expires"
        ) from None
    if day < today:
        raise click.BadParameter(f"{day} is already past", param_hint="--expires")
    return day


@main.command(name="serve")
@site_option
@today_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but loopback lets others on the network reach the preview.",
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port."
)
@click.option(
    "--protect", is_flag=True, help="Serve the protected build, with the login page, to test access."
)
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in your browser.")
@friendly_errors
def serve_command(
    site_dir: Path, today: dt.datetime | None, host: str, port: int, protect: bool, open_browser: bool
) -> None:
    """Preview the site while you edit: rebuilds on save and reloads the browser."""
    serve(
        site_dir,
        host,
        port,
        protect,
        open_browser,
        _day(today),
        report=lambda line: stdout.print(line, markup=False),
        report_findings=print_findings,
    )
