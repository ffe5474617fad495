"""Business-day arithmetic and resolution of relative dates, as reps write them."""

from __future__ import annotations

import datetime as dt

import pytest

from mapsite.model.dates import Calendar, DateSyntaxError, parse_date_expr
from mapsite.validate.order import Dated, dependency_cycles, resolve_dates

D = dt.date
CALENDAR = Calendar(
    holidays=frozenset({D(2027, 5, 31), D(2027, 7, 5)}),
    blackouts=((D(2027, 5, 24), D(2027, 5, 28)),),
)


def resolve(exprs: dict[str, str], calendar: Calendar = CALENDAR):
    problems: list[str] = []
    anchors = {
        name: Dated(parse_date_expr(text), index + 1) for index, (name, text) in enumerate(exprs.items())
    }
    dates = resolve_dates(
        anchors, calendar, lambda line, message, _hint: problems.append(f"{line}: {message}")
    )
    return dates, problems


def test_business_days_skip_weekends():
    friday = D(2027, 4, 30)
    assert Calendar().add_business_days(friday, 1) == D(2027, 5, 3)
    assert Calendar().add_business_days(D(2027, 5, 3), -1) == friday
    assert Calendar().add_business_days(friday, 5) == D(2027, 5, 7)


def test_close_minus_ten_business_days():
    dates, problems = resolve({"close": "2027-04-30", "negotiation": "close - 10bd"})
    assert problems == []
    assert dates["negotiation"] == D(2027, 4, 16)


def test_business_days_skip_holidays_and_blackouts():
    # Fri May 21 + 1bd: the week of May 24 is a blackout and May 31 a holiday -> Tue Jun 1.
    assert CALENDAR.add_business_days(D(2027, 5, 21), 1) == D(2027, 6, 1)
    # Backwards across the same range.
    assert CALENDAR.add_business_days(D(2027, 6, 1), -1) == D(2027, 5, 21)
    assert CALENDAR.business_days_between(D(2027, 5, 21), D(2027, 6, 1)) == 1


def test_zero_business_days_from_a_holiday_moves_to_the_previous_working_day():
    assert CALENDAR.add_business_days(D(2027, 5, 31), 0) == D(2027, 5, 21)


def test_calendar_days_and_weeks():
    dates, _ = resolve({"close": "2027-04-30", "a": "close - 5d", "b": "close + 2w", "c": "close"})
    assert dates["a"] == D(2027, 4, 25)
    assert dates["b"] == D(2027, 5, 14)
    assert dates["c"] == D(2027, 4, 30)


def test_chain_of_milestone_relative_dates():
    dates, problems = resolve(
        {
            "kickoff": "signature + 3bd",
            "signature": "close",
            "close": "2027-04-30",
            "security-submit": "2027-04-01",
            "security-review": "security-submit + 7bd",
            "legal": "security-review + 2bd",
        }
    )
    assert problems == []
    assert dates["kickoff"] == D(2027, 5, 5)
    assert dates["security-review"] == D(2027, 4, 12)
    assert dates["legal"] == D(2027, 4, 14)


def test_cycle_is_reported_once_with_its_path():
    dates, problems = resolve({"a": "b + 1d", "b": "c + 1d", "c": "a + 1d", "d": "2027-01-01"})
    assert problems == ["1: relative dates form a cycle: a -> b -> c -> a"]
    assert dates == {"d": D(2027, 1, 1)}


def test_dates_that_depend_on_a_cycle_are_skipped_silently():
    _, problems = resolve({"a": "b + 1d", "b": "a + 1d", "c": "a + 2bd"})
    assert len(problems) == 1


def test_unknown_anchor():
    _, problems = resolve({"close": "2027-04-30", "x": "clsoe - 2bd"})
    assert problems == [
        "2: the date 'clsoe - 2bd' refers to 'clsoe', which is neither close, go_live nor a "
        "milestone id; did you mean 'close'?"
    ]


def test_long_chains_do_not_recurse():
    exprs = {"m0": "2027-01-04"} | {f"m{i}": f"m{i - 1} + 1bd" for i in range(1, 3000)}
    dates, problems = resolve(exprs, Calendar())
    assert problems == []
    assert dates["m2999"] == Calendar().add_business_days(D(2027, 1, 4), 2999)


@pytest.mark.parametrize(
    "text, message",
    [
        ("2027-13-01", "'2027-13-01' is not a real date"),
        ("next week", "'next week' is not a date; write YYYY-MM-DD or ANCHOR"),
        ("close - 3 months", "'close - 3 months' is not a date"),
    ],
)
def test_date_syntax_errors(text, message):
    with pytest.raises(DateSyntaxError, match=message):
        parse_date_expr(text)


def test_dependency_cycles():
    assert dependency_cycles({"a": ("b",), "b": ("c",), "c": ("a",), "d": ()}) == [["a", "b", "c", "a"]]
    assert dependency_cycles({"a": ("b",), "b": (), "c": ("a", "b")}) == []
