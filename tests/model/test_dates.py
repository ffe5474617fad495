"""Business-day counting is arithmetic, and must agree with walking the calendar day by day.

The walk below is the definition (the one mapsite used before it counted by weeks); random
calendars with overlapping blackouts, holidays inside blackouts and on weekends, and spans in
both directions must give the same answers.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from mapsite.model.dates import Calendar

D = dt.date
DAY = dt.timedelta(days=1)


def walk_is_business_day(calendar: Calendar, day: dt.date) -> bool:
    if day.weekday() >= 5 or day in calendar.holidays:
        return False
    return not any(start <= day <= end for start, end in calendar.blackouts)


def walk_add(calendar: Calendar, start: dt.date, amount: int) -> dt.date:
    day = start
    if amount == 0:
        while not walk_is_business_day(calendar, day):
            day -= DAY
        return day
    remaining = abs(amount)
    while remaining:
        day += DAY if amount > 0 else -DAY
        remaining -= walk_is_business_day(calendar, day)
    return day


def walk_between(calendar: Calendar, start: dt.date, end: dt.date) -> int:
    low, high = sorted((start, end))
    count = sum(walk_is_business_day(calendar, low + DAY * n) for n in range(1, (high - low).days + 1))
    return count if end >= start else -count


def random_calendar(rng: random.Random) -> Calendar:
    base = D(2027, 1, 1)
    holidays = frozenset(base + DAY * rng.randrange(-30, 400) for _ in range(rng.randrange(0, 25)))
    blackouts = []
    for _ in range(rng.randrange(0, 6)):
        first = base + DAY * rng.randrange(-30, 400)
        blackouts.append((first, first + DAY * rng.randrange(0, 20)))
    return Calendar(holidays=holidays, blackouts=tuple(sorted(blackouts)))


@pytest.mark.parametrize("seed", range(40))
def test_counting_and_stepping_agree_with_walking_the_days(seed):
    rng = random.Random(seed)
    calendar = random_calendar(rng)
    for _ in range(60):
        start = D(2026, 11, 1) + DAY * rng.randrange(0, 500)
        end = D(2026, 11, 1) + DAY * rng.randrange(0, 500)
        assert calendar.business_days_between(start, end) == walk_between(calendar, start, end)
        amount = rng.randrange(-70, 71)
        assert calendar.add_business_days(start, amount) == walk_add(calendar, start, amount)


def test_overlapping_and_touching_blackouts_count_once():
    calendar = Calendar(
        holidays=frozenset({D(2027, 5, 26), D(2027, 5, 29), D(2027, 6, 7)}),  # in a blackout, Saturday, alone
        blackouts=(
            (D(2027, 5, 24), D(2027, 5, 27)),
            (D(2027, 5, 26), D(2027, 5, 28)),
            (D(2027, 5, 29), D(2027, 6, 1)),
        ),
    )
    # Weekdays May 21 .. Jun 8 after Fri May 21: 12; off: May 24-28, May 31, Jun 1, Jun 7.
    assert calendar.business_days_between(D(2027, 5, 21), D(2027, 6, 8)) == 4
    assert calendar.business_days_between(D(2027, 6, 8), D(2027, 5, 21)) == -4
    assert calendar.add_business_days(D(2027, 5, 21), 1) == D(2027, 6, 2)
    assert calendar.add_business_days(D(2027, 6, 2), -1) == D(2027, 5, 21)
    assert calendar.add_business_days(D(2027, 5, 30), 0) == D(2027, 5, 21)


def test_long_spans_are_counted_by_weeks():
    calendar = Calendar()
    assert calendar.business_days_between(D(2027, 1, 1), D(2037, 1, 1)) == walk_between(
        calendar, D(2027, 1, 1), D(2037, 1, 1)
    )
    assert calendar.add_business_days(D(2027, 1, 4), 2999) == walk_add(calendar, D(2027, 1, 4), 2999)


def test_stepping_past_the_last_or_first_date_overflows_like_date_arithmetic():
    with pytest.raises(OverflowError):
        Calendar().add_business_days(D(9999, 12, 30), 5)
    with pytest.raises(OverflowError):
        Calendar().add_business_days(D(1, 1, 3), -5)
