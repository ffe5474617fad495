"""Issue 15: every figure the buyer and the team read is true, and said the same way everywhere.

Real builds (``--no-protect``, so the pages are readable) and real ``plan`` / ``status``
processes, as a rep and a buyer would see them:

- no date formula (``poc-scope + 3bd``) or milestone id reaches a built page; relative dates
  are said in words;
- a deal 4 days from close with overdue work the signature waits for is not "on track"
  anywhere (portal, ``plan``, ``status``, team page, ``check``);
- one overdue count: the portal's pill, the items "Next up" marks overdue, the team page and
  ``status --json`` give the same number for the same state.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import SITE_YML, run
from tests.htmltree import Element, parse

FORMULA = re.compile(r"\b[a-z0-9_-]+ ?[+-] ?\d+(bd|d|w)\b")
TEAM_SITE = SITE_YML + "team_access:\n  - {label: Sales leadership, password_env: MAPSITE_TEAM_PASSWORD}\n"

# Monday 2027-03-01, 4 days before the Friday Mar 5 close. The demo (both teams) and the legal
# review (buyer) are overdue and the signature waits for both; the redlines (seller) and the
# data sample (buyer, an action of the demo) are overdue actions: 4 overdue items, 3 the
# buyer's and 1 the seller's. Without durations, the old projection put the signature on Wed
# Mar 3 and called the deal "on track"; the pill said 4, "Next up" marked 5 and the team page
# said "buyer 3, seller 2".
NEAR_CLOSE = """\
---
title: Near Co x Northwind
buyer: {name: Near Co}
close_date: 2027-03-05
updated: 2027-02-26
access:
  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}
value_summary: Near Co signs this week.
stakeholders:
  - {id: champ, name: Dana Whitfield, side: buyer, role: champion}
  - {id: eb, name: Raj Patel, side: buyer, role: economic_buyer}
  - {id: ae, name: Sam Carter, side: seller, role: account_executive}
milestones:
  - phase: Evaluation
    id: demo
    name: Technical Demo
    owners: [champ, ae]
    due: 2027-02-15
    actions:
      - {task: Share data sample, owner: champ, due: 2027-02-24}
  - {phase: Legal, id: legal, name: Legal Review, owners: [eb], due: demo + 5bd, depends_on: [demo]}
  - {phase: Close, id: signature, name: Contract Signature, owners: [eb, ae], due: close, depends_on: [legal]}
actions:
  - {task: Send the redlines, owner: ae, due: 2027-02-19}
  - {task: Book the room, owner: champ, due: 2027-02-10, done: true}
---
Body.
"""
NEAR_TODAY = "2027-03-01"


def built(site: Path, today: str, out: Path) -> Path:
    result = run("build", "--no-protect", "--today", today, "--out", str(out), "--site", str(site))
    assert result.returncode == 0, result.stderr
    return out


def page(path: Path) -> Element:
    return parse(path.read_text("utf-8"))


def classes(element: Element) -> list[str]:
    return element.attrs.get("class", "").split()


def test_no_date_formula_or_milestone_id_on_any_built_page_of_the_example(example_site, tmp_path):
    out = built(example_site, "2027-02-22", tmp_path / "out")
    deals = example_site / "content" / "deals"
    ids = set()
    for source in deals.rglob("*.md"):
        ids |= set(re.findall(r"\bid: ([a-z0-9]+[-_][a-z0-9_-]+)", source.read_text("utf-8")))
    assert {"poc-scope", "legal-review"} <= ids, "the example's hyphenated milestone ids"
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 5
    for html in pages:
        text = page(html).text()
        assert not FORMULA.search(text), f"{html.relative_to(out)}: {FORMULA.search(text)}"
        for word in sorted(ids | {"go_live"}):
            assert not re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text), f"{html}: {word}"
    acme = page(out / "acme" / "index.html").by_id("plan")
    due = {
        item.find_all("h4")[0].text(): item.find_all("p", class_="ms-due")[0].text()
        for item in acme.find_all("li")
        if "milestone" in classes(item)
    }
    assert due["POC Environment Setup"] == "Due Thu, Feb 18, 2027 3 business days after POC Scope Agreement"
    assert due["Contract Negotiation"].endswith("8 business days before the target close")
    assert due["Kickoff Call"].endswith("3 business days after Contract Signature")
    assert due["POC Scope Agreement"] == "Due Mon, Feb 15, 2027", "an ISO date needs no words"


def test_a_deal_four_days_from_close_with_overdue_critical_work_is_not_on_track_anywhere(
    site_factory, tmp_path
):
    site = site_factory.make({"near-co.md": NEAR_CLOSE}, TEAM_SITE)
    out = built(site, NEAR_TODAY, tmp_path / "out")

    portal = page(out / "near-co" / "index.html")
    [dates] = portal.find_all("section", **{"aria-labelledby": "dates-title"})
    assert "on track" not in dates.text().lower()
    [note] = dates.find_all("p", class_="schedule-note")
    assert note.text() == (
        "! Target at risk Overdue work holds up the signature: Technical Demo, Legal Review."
    )
    [assumed] = dates.find_all("p", class_="schedule-assumption")
    assert re.sub(r" ([,.])", r"\1", assumed.text()) == (
        "The projected signature date, Mar 3, assumes 1 business day for each of the 3 open "
        "milestones without a longer duration."
    )

    plan = run("plan", "near-co", "--today", NEAR_TODAY, "--site", str(site))
    assert plan.returncode == 0, plan.stderr
    said = " ".join(plan.stdout.split())
    assert (
        "The projection assumes 1 business day for each of the 3 open milestones without a longer "
        "duration. Projected signature: Wed, Mar 3, 2027 (at risk: 2 overdue milestones it waits "
        "for; target Fri, Mar 5, 2027) Overdue work holds up the signature: Technical Demo, Legal "
        "Review."
    ) in said

    status = run("status", "--json", "--today", NEAR_TODAY, "--site", str(site))
    [row] = json.loads(status.stdout)["deals"]
    assert (row["on_track"], row["schedule"], row["business_days_late"]) == (
        False,
        "at risk: 2 overdue milestones it waits for",
        0,
    )
    table = run("status", "--today", NEAR_TODAY, "--site", str(site))
    assert "Mar 3 at risk" in table.stdout and "on track" not in table.stdout

    team = page(out / "_team" / "index.html")
    [tbody] = team.find_all("tbody")
    [team_row] = tbody.find_all("tr")
    projected = team_row.find_all("td")[7].text()
    assert "At risk: 2 overdue milestones it waits for" in projected and "on track" not in projected
    assert "1 not on track" in team.find_all("p", class_="team-lead")[0].text()

    check = run("check", "--today", NEAR_TODAY, "--site", str(site))
    assert (
        "the target close 2027-03-05 is at risk. Overdue work holds up the signature"
        in check.stdout + check.stderr
    )


def test_one_overdue_count_in_the_pill_next_up_team_page_and_status(site_factory, tmp_path):
    site = site_factory.make({"near-co.md": NEAR_CLOSE}, TEAM_SITE)
    out = built(site, NEAR_TODAY, tmp_path / "out")
    portal = page(out / "near-co" / "index.html")

    [pill] = [b for b in portal.by_id("progress").find_all("span") if "badge-overdue" in classes(b)]
    assert pill.text() == "! Overdue: 4"
    listed = [
        item.find_all("p", class_="next-title")[0].text()
        for item in portal.by_id("next-up").find_all("li")
        if "is-overdue" in classes(item)
    ]
    assert sorted(listed) == ["Legal Review", "Send the redlines", "Share data sample", "Technical Demo"]
    [demo] = [i for i in portal.by_id("next-up").find_all("li") if "Technical Demo" in i.text()]
    assert demo.find_all("p", class_="next-owners")[0].text().startswith("Dana Whitfield with Sam Carter")

    team = page(out / "_team" / "index.html")
    [tbody] = team.find_all("tbody")
    assert tbody.find_all("tr")[0].find_all("td")[5].text() == "4 (buyer 3, seller 1)"

    status = run("status", "--json", "--today", NEAR_TODAY, "--site", str(site))
    [row] = json.loads(status.stdout)["deals"]
    assert (row["overdue_total"], row["overdue"]) == (4, {"buyer": 3, "seller": 1})
    # Wide enough that the Overdue cell stays on one line whatever the terminal running the tests.
    table = run("status", "--today", NEAR_TODAY, "--site", str(site), columns=160)
    assert "buyer 3, seller 1" in " ".join(table.stdout.split())


def test_more_open_items_than_days_left_is_not_on_track_without_any_depends_on(site_factory, tmp_path):
    # No depends_on at all: the signature waits for nothing, every one-day item "fits" in
    # parallel, and the old projection said "on track" with six items on one person and five
    # business days (Mon Mar 1 - Fri Mar 5) left.
    tasks = "".join(f"  - {{task: Task {n}, owner: champ, due: 2027-02-{10 + n}}}\n" for n in range(1, 6))
    deal = NEAR_CLOSE.replace(", depends_on: [demo]", "").replace(", depends_on: [legal]", "")
    deal = deal.replace("status: done}\n", "status: done}\n").replace(
        "actions:\n  - {task: Send", f"actions:\n{tasks}  - {{task: Send"
    )
    deal = deal.replace("    due: 2027-02-15\n", "    due: 2027-03-04\n").replace(
        "due: demo + 5bd", "due: close"
    )
    deal = deal.replace(
        "{task: Share data sample, owner: champ, due: 2027-02-24}",
        "{task: Share data sample, owner: eb, due: 2027-03-04}",
    )
    site = site_factory.make({"near-co.md": deal}, TEAM_SITE)

    status = run("status", "--json", "--today", NEAR_TODAY, "--site", str(site))
    [row] = json.loads(status.stdout)["deals"]
    assert (row["on_track"], row["schedule"]) == (False, "at risk: more open items than business days left")

    out = built(site, NEAR_TODAY, tmp_path / "out")
    [dates] = page(out / "near-co" / "index.html").find_all("section", **{"aria-labelledby": "dates-title"})
    assert dates.find_all("p", class_="schedule-note")[0].text() == (
        "! Target at risk Dana Whitfield has 6 open items due by the target close, and 5 business "
        "days are left."
    )
