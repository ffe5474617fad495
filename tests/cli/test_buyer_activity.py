"""Issue 16, who engaged: ``mapsite status`` says when the buyer's side last did something.

The records are made by the real commands, as on a rep's machine: ``mapsite views`` over an
access log, ``mapsite share`` for a link, ``mapsite inbox --apply --yes`` for a reader's update.
Only the buyer's and the partner's ways in count (globex's Initech partner team is a partner
entry): the example's Northwind deal team password is ``side: seller``, and the rep's own share
link is ``--side seller``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mapsite.pipeline.load import load_deals
from mapsite.protect.armour import armour
from mapsite.protect.secrets import load_shares, site_secret
from mapsite.protect.update_keys import update_keyring
from mapsite.protect.updates import seal_code
from mapsite.protect.views import view_name, views_key
from mapsite.read.site import load_site
from tests.helpers import TODAY

DEAL = "content/deals/acme/index.md"


def mapsite(site: Path, *args: str, columns: int = 80, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args, "--site", str(site)],
        capture_output=True, text=True, input=stdin, timeout=300,
        env={**os.environ, "COLUMNS": str(columns)},
    )  # fmt: skip


@pytest.fixture
def site(example_site: Path) -> Path:
    yml = example_site / "mapsite.yml"
    yml.write_text(yml.read_text("utf-8") + "\nanalytics: access_log\n", "utf-8")
    assert "password_env: NORTHWIND_TEAM_PASSWORD\n    side: seller" in (example_site / DEAL).read_text(
        "utf-8"
    )
    site_secret(example_site)  # the rep's machine has built before
    for label, side in (("Dana's link", "buyer"), ("Sam's own check", "seller")):
        made = mapsite(example_site, "share", "acme", "--label", label, "--side", side)
        assert made.returncode == 0, made.stderr
    return example_site


def view_log(site: Path, opens: list[tuple[str, str]], deal: str = "acme") -> str:
    """nginx's combined format, one line per (time, credential as protect/views.py names it)."""
    key = views_key(site_secret(site)[0])
    lines = []
    for time, credential in opens:
        name = view_name(key, deal, credential, f"{deal}/index.html")
        lines.append(
            f'203.0.113.9 - - [{time}] "GET /{deal}/_v/{name}.gif HTTP/2.0" 200 43 "-" "Mozilla/5.0"\n'
        )
    return "".join(lines)


def link(site: Path, label: str) -> str:
    [share] = [s for s in load_shares(site) if s.label == label]
    return f"link:{share.id}"


def update_from(site: Path, label: str, sent: str, seq: int = 1) -> str:
    """The armour of a reader's update, sealed with the sender key of access entry ``label``."""
    today = dt.date.fromisoformat(TODAY)
    [deal] = [d for d in load_deals(load_site(site)[0], today).deals if d.slug == "acme"]
    ring = update_keyring(deal, site, site_secret(site)[0], today)
    [sender] = [s for s in ring.senders if s.label == label]
    payload = {
        "v": 1, "deal": "acme", "sender": sender.id, "device": "a1b2c3d4", "seq": seq, "time": sent,
        "generation": TODAY, "changes": [{"id": f"{seq}.1", "op": "comment", "item": None, "text": "Is SSO in?"}],
    }  # fmt: skip
    return armour(seal_code(payload, "acme", ring.kid, ring.update_keys[ring.kid], sender.key), "acme")


def status_json(site: Path) -> dict[str, dict]:
    result = mapsite(site, "status", "--json", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    return {deal["slug"]: deal for deal in json.loads(result.stdout)["deals"]}


def test_views_count_only_the_buyer_and_partner_side(site, tmp_path):
    log = tmp_path / "access.log"
    log.write_text(
        view_log(
            site,
            [
                ("18/Feb/2027:09:00:00 +0000", "entry:Acme buying team"),
                ("19/Feb/2027:16:30:00 +0000", link(site, "Dana's link")),
                ("21/Feb/2027:08:00:00 +0000", "entry:Northwind deal team"),  # the seller's own
                ("21/Feb/2027:09:00:00 +0000", link(site, "Sam's own check")),  # the seller's own
            ],
        )
        + view_log(site, [("01/Feb/2027:12:00:00 +0000", "entry:Initech partner team")], "globex"),
        "utf-8",
    )
    read = mapsite(site, "views", str(log))
    assert read.returncode == 0, read.stderr

    deals = status_json(site)
    assert deals["acme"]["last_buyer_activity"] == {"date": "2027-02-19", "kind": "viewed"}
    assert deals["acme"]["days_since_buyer_activity"] == 3
    assert deals["globex"]["last_buyer_activity"] == {"date": "2027-02-01", "kind": "viewed"}
    assert deals["bluebird-bakery"]["last_buyer_activity"] is None
    assert deals["bluebird-bakery"]["days_since_buyer_activity"] is None

    wide = mapsite(site, "status", "--today", TODAY, columns=260)
    assert wide.returncode == 0, wide.stderr
    lines = wide.stdout.splitlines()
    assert "activity" in " ".join(lines[:3]) and "Last" in " ".join(lines[:3])
    [acme] = [line for line in lines if line.startswith("acme")]
    assert "3 days ago · viewed" in acme
    [globex] = [line for line in lines if line.startswith("globex")]
    assert "Feb 1 · viewed" in globex, "more than a week ago: the date"
    [bluebird] = [line for line in lines if line.startswith("bluebird-bakery")]
    assert " — " in bluebird


def test_an_applied_update_is_buyer_activity_and_the_sellers_is_not(site, tmp_path):
    log = tmp_path / "access.log"
    log.write_text(view_log(site, [("18/Feb/2027:09:00:00 +0000", "entry:Acme buying team")]), "utf-8")
    assert mapsite(site, "views", str(log)).returncode == 0

    buyer = update_from(site, "Acme buying team", "2027-02-20T09:15:00Z")
    applied = mapsite(site, "inbox", "--apply", "--yes", stdin=buyer)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    ledger = json.loads((site / ".mapsite" / "inbox.json").read_text("utf-8"))
    assert [entry["side"] for entry in ledger["codes"].values()] == ["buyer"]

    # The rep's own colleague sends one later: it is applied, and is not the buyer's activity.
    seller = update_from(site, "Northwind deal team", "2027-02-21T10:00:00Z")
    assert mapsite(site, "inbox", "--apply", "--yes", stdin=seller).returncode == 0

    deals = status_json(site)
    assert deals["acme"]["last_buyer_activity"] == {"date": "2027-02-20", "kind": "update"}
    assert deals["acme"]["days_since_buyer_activity"] == 2

    wide = mapsite(site, "status", "--today", TODAY, columns=260)
    [acme] = [line for line in wide.stdout.splitlines() if line.startswith("acme")]
    assert "2 days ago · update" in acme

    # At 80 columns the layout rules hold: whole columns dropped, nothing cut, no line too long.
    narrow = mapsite(site, "status", "--today", TODAY, columns=80)
    assert narrow.returncode == 0, narrow.stderr
    assert "…" not in narrow.stdout
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80, narrow.stdout
    # 105 columns (95 before issue 17's Plan column, which always stays): room for the activity
    # but not for the stage, which goes first.
    middle = mapsite(site, "status", "--today", TODAY, columns=105)
    header = " ".join(middle.stdout.splitlines()[1:3])
    assert "Last" in header and "Stage" not in header, "activity outlasts the stage when space is short"
    assert max(len(line) for line in middle.stdout.splitlines()) <= 105, middle.stdout


def test_an_update_sent_on_a_clock_ahead_counts_on_the_day_it_was_processed(site):
    """The reader's clock is theirs: a code 'sent' in the future counts from the day it was applied."""
    ahead = update_from(site, "Acme buying team", "2027-03-30T09:00:00Z")
    assert mapsite(site, "inbox", "--apply", "--yes", stdin=ahead).returncode == 0
    assert status_json(site)["acme"]["last_buyer_activity"] == {"date": TODAY, "kind": "update"}
    table = mapsite(site, "status", "--today", TODAY, columns=260)
    [acme] = [line for line in table.stdout.splitlines() if line.startswith("acme")]
    assert "today · update" in acme


def test_a_damaged_ledger_is_named_and_status_still_answers(site, tmp_path):
    log = tmp_path / "access.log"
    log.write_text(view_log(site, [("10/Feb/2027:09:00:00 +0000", "entry:Acme buying team")]), "utf-8")
    assert mapsite(site, "views", str(log)).returncode == 0
    (site / ".mapsite" / "inbox.json").write_text('{"version": 1, "codes": [', "utf-8")
    result = mapsite(site, "status", "--json", "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert ".mapsite/inbox.json: warning: the inbox's ledger is damaged" in result.stderr
    assert "Traceback" not in result.stderr
    acme = next(deal for deal in json.loads(result.stdout)["deals"] if deal["slug"] == "acme")
    assert acme["last_buyer_activity"] == {"date": "2027-02-10", "kind": "viewed"}
    table = mapsite(site, "status", "--today", TODAY, columns=260)
    [line] = [line for line in table.stdout.splitlines() if line.startswith("acme")]
    assert "Feb 10 · viewed" in line, "more than a week ago: the date"


def test_new_activity_rebuilds_the_team_dashboard(site, tmp_path):
    """The build counts the activity among its inputs: a new view is not 'up to date'."""
    first = mapsite(site, "build", "--no-protect", "--today", TODAY)
    assert first.returncode == 0, first.stderr
    again = mapsite(site, "build", "--no-protect", "--today", TODAY)
    assert "is up to date" in again.stdout + again.stderr
    team = site / "output" / "_team" / "index.html"
    assert "Last buyer activity" not in team.read_text("utf-8"), "no record yet: no column"

    log = tmp_path / "access.log"
    log.write_text(view_log(site, [("20/Feb/2027:09:00:00 +0000", "entry:Acme buying team")]), "utf-8")
    assert mapsite(site, "views", str(log)).returncode == 0
    rebuilt = mapsite(site, "build", "--no-protect", "--today", TODAY)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "is up to date" not in rebuilt.stdout + rebuilt.stderr
    html = team.read_text("utf-8")
    assert "Last buyer activity" in html and "2 days ago · viewed" in html
