"""``mapsite inbox``: read readers' update codes from mail and, with ``--apply``, write what the
rep accepts into the deal files.

Without ``--apply`` it only prints, so a rep can look at what came in before anything moves.
Each update is printed against the plan as it is now, with its conflicts; refused codes say why.
Stages are imported inside the command (see cli/main.py).
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mapsite.cli.app import main, read_site, site_option
from mapsite.clock import resolve_today

if TYPE_CHECKING:
    from mapsite.inbox.review import Reviewed
    from mapsite.inbox.session import Decision, Update
    from mapsite.protect.armour import Found, Text


@main.command(name="inbox")
@click.argument("paths", nargs=-1, metavar="[PATH]...", type=click.Path(path_type=Path))
@click.option("--apply", "apply", is_flag=True, help="Ask about each change and write those accepted.")
@click.option("--yes", is_flag=True, help="With --apply: accept every change that can apply.")
@click.option("--deal", "deal_name", metavar="DEAL", default=None, help="Only the updates of this deal.")
@site_option
def inbox_command(
    paths: tuple[Path, ...], apply: bool, yes: bool, deal_name: str | None, site_dir: Path
) -> None:
    """Read update codes sent from the portals and show them against the plan.

    PATH is a saved mail (.eml), an mbox file, a Maildir folder or a downloaded update file;
    without PATH, pasted text is read from stdin. Every code is found, also quoted, re-wrapped,
    in HTML mail or split into parts (give all the parts' mails). Each is checked with the
    site's secrets; codes already processed are dropped. Each change shows its conflicts
    (already done, date moved since, item removed); codes from a revoked or removed access are
    refused. With --apply, each change is accepted, declined (with a reason the reader sees) or
    skipped (offered again next time); --yes accepts all. Exits 1 when no code was found,
    or one was refused, damaged or incomplete.

    Example: mapsite inbox ~/Mail/updates.mbox --apply
    """
    from mapsite.inbox.ledger import load_ledger
    from mapsite.inbox.mail import read_inputs
    from mapsite.inbox.session import open_codes, settle
    from mapsite.pipeline.load import load_deals
    from mapsite.protect.armour import parse_texts
    from mapsite.protect.secrets import site_secret
    from mapsite.protect.update_keys import update_keyring

    if yes and not apply:
        raise click.UsageError("--yes goes with --apply (mapsite inbox PATH --apply --yes)")
    stdin = None if paths else _stdin()
    site = read_site(site_dir)
    today = resolve_today(None, site.today)
    texts = read_inputs(list(paths), stdin)
    found = parse_texts(texts)
    problems = [one.problem for one in found if one.problem] or _none_found(found, texts)
    deals = {d.slug: d for d in load_deals(site, today).deals if not d.public}
    if deal_name:
        from mapsite.cli.lookup import one_deal

        wanted = one_deal(site, deal_name, today).slug
        found = [one for one in found if one.deal == wanted]
    secret, _new = site_secret(site.dir, create=False)
    ledger = load_ledger(site.dir)
    opened = open_codes(
        found, deals, lambda deal: update_keyring(deal, site.dir, secret, today), ledger, today
    )
    for problem in problems:
        _say(f"Not read: {problem}")
    for refused in opened.refused:
        _say(f"Refused: {refused.where}: {refused.message}")
        if refused.hint:
            _say(f"  {refused.hint}", indent="  ")
    for note in opened.dropped:
        _say(f"Dropped: {note}")
    for number, update in enumerate(opened.updates, start=1):
        click.echo()
        _show(update, number, len(opened.updates))
        if apply:
            for line in settle(site, update, _decider(yes), ledger, today):
                _say(f"  {line}", indent="    ")
    if opened.updates and not apply:
        click.echo()
        _say("Nothing was written; run again with --apply to answer each change.")
    if problems or opened.refused:
        raise SystemExit(1)


def _none_found(found: list[Found], texts: list[Text]) -> list[str]:
    """The problem to say when the inputs held no code at all."""
    if found:
        return []
    where = ", ".join(text.where for text in texts[:3]) + (" ..." if len(texts) > 3 else "")
    return [f"no update code in {where or 'the input'}"]


def _stdin() -> str:
    if sys.stdin.isatty():
        click.echo("Paste the mail or the update, then press Ctrl-D:", err=True)
    return sys.stdin.read()


def _show(update: Update, number: int, total: int) -> None:
    sender = update.opened.sender
    _say(f"Update {number} of {total}: {update.deal.title} ({update.deal.slug})")
    signed = f', signed "{update.sender.who}"' if update.sender.who != sender.label else ""
    _say(f"  from {sender.described} ({sender.side} side){signed}", indent="    ")
    _say(f"  sent {update.sent}, update {update.seq} of device {update.device}", indent="    ")
    _say(f"  in {update.where}", indent="    ")  # on its own line: a path cannot be wrapped
    for note in update.notes:
        _say(f"  Note: {note}", indent="    ")
    from mapsite.inbox.review import review

    for change in update.changes:
        reviewed = review(change, update.deal, sender.side)
        mark = "" if reviewed.possible else " (nothing to apply)"
        _say(f"  {change.id} {reviewed.says}{mark}", indent="      ")
        for conflict in reviewed.conflicts:
            _say(f"      ! {conflict}", indent="        ")


def _decider(yes: bool) -> Callable[[Reviewed], Decision]:
    def decide(reviewed: Reviewed) -> Decision:
        if yes:
            return ("accept", "")
        choice = click.prompt(
            f"  {reviewed.change.id}: accept, decline or skip?",
            type=click.Choice(["a", "d", "s"]),
            default="s",
            show_choices=True,
        )
        if choice == "d":
            reason = click.prompt("  Why (the reader sees this)", default="", show_default=False)
            return ("decline", reason)
        return ("accept" if choice == "a" else "skip", "")

    return decide


def _say(line: str, indent: str = "  ") -> None:
    width = min(shutil.get_terminal_size((80, 24)).columns, 100)
    click.echo(
        textwrap.fill(
            line, width=width, subsequent_indent=indent, break_on_hyphens=False, break_long_words=False
        )
    )
