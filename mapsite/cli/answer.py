"""``mapsite answer``: the rep's answer to an entry of a deal's discussion, from the terminal.

The rebuilt portal shows the answer under the reader's question; the entry is named by the
number ``mapsite inbox`` and the portal show (its place in ``discussion:``). Only ``answer``,
``answered`` and the deal's ``updated`` change in the file. Stages are imported inside.
"""

from __future__ import annotations

from pathlib import Path

import click

from mapsite.cli.app import main, read_site, site_option
from mapsite.cli.lookup import one_deal
from mapsite.clock import resolve_today


@main.command(name="answer")
@click.argument("deal_name", metavar="DEAL")
@click.argument("number", metavar="N", type=int)
@click.argument("text", metavar="TEXT")
@site_option
def answer_command(deal_name: str, number: int, text: str, site_dir: Path) -> None:
    """Answer entry N of a deal's discussion (a reader's question or comment).

    Writes answer: TEXT and answered: today into that entry, and the deal's updated: date; an
    earlier answer is replaced. N is the number mapsite inbox and the portal show.

    Example: mapsite answer acme 1 "Yes: Okta and Azure AD are both in the pilot."
    """
    from mapsite.edit.editor import set_field
    from mapsite.edit.update import Edit, guard_edit, save, stamp_updated
    from mapsite.errors import MapsiteError

    site = read_site(site_dir)
    today = resolve_today(None, site.today)
    deal = one_deal(site, deal_name, today)
    entry = next((e for e in deal.discussion if e.number == number), None)
    if entry is None:
        count = len(deal.discussion)
        raise MapsiteError(
            f"deal '{deal.slug}' has no discussion entry {number}"
            + (f" (it has {count}: 1 to {count})" if count else " (its discussion is empty)"),
            hint="mapsite inbox prints each entry's number; so does the portal",
        )
    answer = " ".join(text.split())
    if not answer:
        raise MapsiteError("the answer is empty", hint='write it in quotes: mapsite answer DEAL N "..."')
    old = deal.source.read_bytes().decode("utf-8")
    at = ("discussion", number - 1)
    edited = guard_edit(lambda: set_field(old, at, "answer", answer, ("text",)))
    edited = stamp_updated(guard_edit(lambda: set_field(edited, at, "answered", today, ("answer",))), today)
    saved = save(site, deal, Edit(edited, ""), old)
    replaced = " (the earlier answer is replaced)" if entry.answer else ""
    click.echo(f"Answered entry {number} of {deal.slug} ({entry.who}: {entry.text[:50]}){replaced}.")
    click.echo(saved.wrote)
