"""Feasibility: earliest finishes, slack, critical path and projected close, computed by hand.

Dates below are 2027. The calendar has the Memorial Day holiday (Mon May 31) and a blackout
week (May 24-28), as in the test site; March has no non-working day besides weekends.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from mapsite.model.dates import Calendar, DurationSyntaxError, parse_duration, parse_slip
from mapsite.model.deal import Brand, Deal, Milestone
from mapsite.pipeline.build import build
from mapsite.pipeline.check import check
from mapsite.schedule.feasibility import feasibility
from tests.helpers import LATE_DEAL, MINIMAL_DEAL, line_of
from tests.htmltree import parse

D = dt.date
CALENDAR = Calendar(holidays=frozenset({D(2027, 5, 31)}), blackouts=((D(2027, 5, 24), D(2027, 5, 28)),))


def milestone(id: str, due: dt.date, duration: int = 1, after: tuple[str, ...] = (), **extra) -> Milestone:
    return Milestone(
        id=id,
        phase=extra.pop("phase", "Plan"),
        name=id.title(),
        owners=("champ",),
        due=due,
        due_text=due.isoformat(),
        duration=duration,
        depends_on=after,
        **extra,
    )


def deal(close: dt.date, *milestones: Milestone) -> Deal:
    return Deal(
        slug="t",
        title="T",
        buyer=Brand("Buyer"),
        seller=Brand("Seller"),
        close_date=close,
        value_summary="",
        stakeholders=(),
        milestones=milestones,
        source=Path("t.md"),
        folder=Path("."),
    )


def finishes(result) -> dict[str, dt.date | None]:
    return {key: row.earliest_finish for key, row in result.milestones.items()}


def test_chain_and_parallel_branch_from_a_monday():
    # Mon Mar 1. a (3bd) Mar 1-3 -> b (2bd) Mar 4-5; c (6bd) Mar 1-8 in parallel;
    # sign waits for b and c: c finishes last, so sign is Tue Mar 9 and the path is c -> sign.
    plan = deal(
        D(2027, 3, 19),
        milestone("a", D(2027, 3, 3), 3),
        milestone("b", D(2027, 3, 4), 2, ("a",)),
        milestone("c", D(2027, 3, 12), 6),
        milestone("sign", D(2027, 3, 19), 1, ("b", "c")),
    )
    result = feasibility(plan, CALENDAR, D(2027, 3, 1))
    assert finishes(result) == {
        "a": D(2027, 3, 3),
        "b": D(2027, 3, 5),
        "c": D(2027, 3, 8),
        "sign": D(2027, 3, 9),
    }
    assert result.milestones["b"].earliest_start == D(2027, 3, 4)
    assert {k: r.slack_due for k, r in result.milestones.items()} == {"a": 0, "b": -1, "c": 4, "sign": 8}
    assert result.milestones["b"].late and not result.milestones["a"].late
    assert result.critical_path == ("c", "sign")
    assert [k for k, r in result.milestones.items() if r.critical] == ["c", "sign"]
    assert (result.signature, result.projected_close, result.days_late) == ("sign", D(2027, 3, 9), 0)
    assert result.on_track and result.target_phrase == "on track"


def test_a_tie_goes_to_the_first_listed_dependency():
    # a and c both finish Wed Mar 3; sign lists c first.
    plan = deal(
        D(2027, 3, 19),
        milestone("a", D(2027, 3, 5), 3),
        milestone("c", D(2027, 3, 5), 3),
        milestone("sign", D(2027, 3, 19), 1, ("c", "a")),
    )
    assert feasibility(plan, CALENDAR, D(2027, 3, 1)).critical_path == ("c", "sign")


def test_holidays_and_blackouts_stretch_the_work():
    # Thu May 20: review takes Thu 20, Fri 21, then (blackout week, holiday) Tue Jun 1.
    plan = deal(
        D(2027, 6, 4),
        milestone("review", D(2027, 6, 1), 3),
        milestone("sign", D(2027, 6, 4), 1, ("review",)),
    )
    result = feasibility(plan, CALENDAR, D(2027, 5, 20))
    assert finishes(result) == {"review": D(2027, 6, 1), "sign": D(2027, 6, 2)}
    assert result.milestones["sign"].slack_due == 2  # Thu Jun 3, Fri Jun 4
    assert result.on_track
    # Twice as long: review ends Fri Jun 4, the signature moves to Mon Jun 7.
    late = feasibility(plan, CALENDAR, D(2027, 5, 20), {"review": 3})
    assert finishes(late) == {"review": D(2027, 6, 4), "sign": D(2027, 6, 7)}
    assert (late.projected_close, late.days_late, late.target_phrase) == (
        D(2027, 6, 7),
        1,
        "1 business day after the target",
    )
    assert late.critical_path == ("review", "sign")


def test_work_starts_on_the_first_business_day_from_today():
    plan = deal(D(2027, 6, 11), milestone("sign", D(2027, 6, 11), 2))
    # Sat May 22, the blackout week and the holiday are skipped: Tue Jun 1 - Wed Jun 2.
    result = feasibility(plan, CALENDAR, D(2027, 5, 22))
    assert (result.milestones["sign"].earliest_start, result.projected_close) == (
        D(2027, 6, 1),
        D(2027, 6, 2),
    )


def test_done_dependencies_count_from_their_completion_date():
    plan = deal(
        D(2027, 3, 31),
        milestone("old", D(2027, 2, 1), status="done", completed=D(2027, 2, 1)),
        milestone("fresh", D(2027, 3, 2), status="done", completed=D(2027, 3, 2)),
        milestone("undated", D(2027, 3, 1), status="done"),
        milestone("x", D(2027, 3, 10), 2, ("old", "undated")),
        milestone("sign", D(2027, 3, 31), 1, ("fresh", "x")),
    )
    # Today Mon Mar 1: x starts today (old finished long ago) and ends Tue Mar 2; "fresh" was
    # completed Tue Mar 2 too, listed first, so it decides: sign is Wed Mar 3 and the path
    # stops at the done milestone.
    result = feasibility(plan, CALENDAR, D(2027, 3, 1))
    assert finishes(result) == {
        "old": D(2027, 2, 1),
        "fresh": D(2027, 3, 2),
        "undated": None,
        "x": D(2027, 3, 2),
        "sign": D(2027, 3, 3),
    }
    assert result.milestones["old"].slack_due is None
    assert result.critical_path == ("sign",)


def test_skipped_milestones_take_no_time_but_pass_the_wait_on():
    plan = deal(
        D(2027, 3, 31),
        milestone("a", D(2027, 3, 10), 4),
        milestone("gone", D(2027, 3, 12), 5, ("a",), status="skipped"),
        milestone("sign", D(2027, 3, 31), 1, ("gone",)),
    )
    result = feasibility(plan, CALENDAR, D(2027, 3, 1))
    # a: Mar 1-4; gone: nothing; sign: Fri Mar 5.
    assert finishes(result) == {"a": D(2027, 3, 4), "gone": None, "sign": D(2027, 3, 5)}
    assert result.critical_path == ("a", "sign")


def test_late_plan_reports_business_days_after_the_target():
    # Mon Mar 22: legal 10bd -> Fri Apr 2; sign Mon Apr 5; close Wed Mar 31 -> 3 business days late.
    plan = deal(
        D(2027, 3, 31),
        milestone("legal", D(2027, 3, 29), 10),
        milestone("sign", D(2027, 3, 31), 1, ("legal",)),
    )
    result = feasibility(plan, CALENDAR, D(2027, 3, 22))
    assert (result.projected_close, result.days_late) == (D(2027, 4, 5), 3)
    assert result.target_phrase == "3 business days after the target"
    assert result.milestones["legal"].slack_due == -4


def test_signature_rules():
    # Nothing due on close: the last milestone of the Close phase is the signature.
    close_phase = deal(
        D(2027, 3, 31),
        milestone("po", D(2027, 3, 10), 1, phase="Close"),
        milestone("sign", D(2027, 3, 12), 3, ("po",), phase="Close"),
        milestone("kickoff", D(2027, 4, 12), 20, ("sign",), phase="Implementation"),
    )
    result = feasibility(close_phase, CALENDAR, D(2027, 3, 1))
    assert (result.signature, result.projected_close, result.critical_path) == (
        "sign",
        D(2027, 3, 4),
        ("po", "sign"),
    )
    # Neither: the close waits for the open work due by close_date (not for "after").
    loose = deal(
        D(2027, 3, 31),
        milestone("a", D(2027, 3, 10), 2),
        milestone("b", D(2027, 3, 30), 3, ("a",)),
        milestone("after", D(2027, 4, 30), 30),
    )
    result = feasibility(loose, CALENDAR, D(2027, 3, 1))
    assert (result.signature, result.projected_close, result.critical_path) == (
        None,
        D(2027, 3, 5),
        ("a", "b"),
    )
    # A done signature: on track whatever the rest of the plan says.
    signed = deal(
        D(2027, 3, 31),
        milestone("sign", D(2027, 3, 31), status="done", completed=D(2027, 3, 30)),
        milestone("rollout", D(2027, 4, 2), 50, ("sign",)),
    )
    result = feasibility(signed, CALENDAR, D(2027, 4, 1))
    assert (result.projected_close, result.days_late, result.critical_path) == (D(2027, 3, 30), 0, ())


@pytest.mark.parametrize(
    ("text", "days"), [("7bd", 7), ("7", 7), (7, 7), ("2w", 10), (" 3 bd ", 3), ("500bd", 500)]
)
def test_durations(text, days):
    assert parse_duration(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "3d",
            "'3d' counts calendar days; a duration counts working time: write 3bd (business days) or weeks, e.g. 1w",
        ),
        ("0bd", "'0bd' is 0 business days; a milestone takes from 1 to 500 business days"),
        ("soon", "'soon' is not a duration; write business days, e.g. 7bd, or weeks, e.g. 2w"),
        (1.5, "'1.5' is not a duration; write business days, e.g. 7bd, or weeks, e.g. 2w"),
    ],
)
def test_bad_durations(text, message):
    with pytest.raises(DurationSyntaxError) as caught:
        parse_duration(text)
    assert str(caught.value) == message


def test_slips():
    assert parse_slip("security-review +5bd") == ("security-review", 5)
    assert parse_slip("poc-2+1w") == ("poc-2", 5)
    assert parse_slip("Legal Review - 2") == ("Legal Review", -2)
    with pytest.raises(DurationSyntaxError):
        parse_slip("poc-2")  # an id, not a shortening of "poc"


def test_duration_is_read_and_checked_with_its_line(site_factory):
    bad = MINIMAL_DEAL.replace("due: 2027-03-01}", "due: 2027-03-01, duration: 3d}")
    root = site_factory.make({"buyer-co.md": bad})
    assert [f.format() for f in check(root, D(2027, 2, 22)).findings] == [
        f"content/deals/buyer-co.md:{line_of(bad, 'duration: 3d')}: error: 'duration' of milestone "
        "'Technical Demo': '3d' counts calendar days; a duration counts working time: write 3bd "
        "(business days) or weeks, e.g. 1w"
    ]


def test_check_warns_when_the_signature_lands_after_close(site_factory):
    # Mon Mar 1: security (8w = 40bd) runs Mar 1 - Apr 23; signature Mon Apr 26: on track.
    # first-deal.md: a file named after the buyer would add the address warning (issue 12).
    root = site_factory.make({"first-deal.md": LATE_DEAL})
    assert check(root, D(2027, 3, 1)).findings == ()
    # From Mon Mar 15 it ends Fri May 7, the signature lands Mon May 10: 6 business days late.
    warnings = [f.format() for f in check(root, D(2027, 3, 15)).findings]
    assert warnings == [
        f"content/deals/first-deal.md:{line_of(LATE_DEAL, 'id: signature')}: warning: at the current pace "
        "the signature lands on 2027-05-10, 6 business days after the target (2027-04-30); critical path: "
        "security -> signature (hint: shorten or parallelise the critical path (duration, depends_on), or "
        "move close_date and tell the buyer)"
    ]
    # A deal no longer active is not nagged.
    paused = site_factory.make({"first-deal.md": LATE_DEAL.replace("updated:", "stage: paused\nupdated:")})
    assert check(paused, D(2027, 3, 15)).findings == ()


def portal(site_factory, text: str, today: dt.date):
    root = site_factory.make({"buyer-co.md": text})
    result = build(root, today=today, protect=False)
    return parse((result.out / "buyer-co" / "index.html").read_text("utf-8"))


def test_portal_says_plainly_when_the_signature_lands_after_the_target(site_factory):
    doc = portal(site_factory, LATE_DEAL, D(2027, 3, 15))
    [key_dates] = doc.find_all("section", **{"aria-labelledby": "dates-title"})
    [note] = key_dates.find_all("p", class_="schedule-note")
    # The test parser pads elements with spaces; a browser shows "May 10,".
    assert re.sub(r" ([,.])", r"\1", note.text()) == (
        "! Behind target At the current pace the signature lands on May 10, 6 business days after the target."
    )
    assert note.find_all("time")[0].attrs["datetime"] == "2027-05-10"
    marked = [
        item.find_all("h4")[0].text()
        for item in doc.by_id("plan").find_all("li")
        if any(badge.attrs.get("class") == "badge badge-critical" for badge in item.find_all("span"))
    ]
    assert marked == ["Security Review", "Contract Signature"]


def test_portal_is_silent_when_on_track(site_factory):
    doc = portal(site_factory, LATE_DEAL, D(2027, 3, 1))
    text = doc.text()
    assert "Target close" in text
    assert "At the current pace" not in text and "Behind target" not in text
    # The critical path is still marked in the plan: it is what to protect (the timeline's legend
    # and its phone list name the mark too).
    [plan] = doc.find_all("section", id="plan")
    assert plan.text().count("Critical path") == 2
