"""The meeting "This week" names (issue 15): the first with a set day and time, by its rhythm."""

from __future__ import annotations

import datetime as dt

from mapsite.pipeline.load import load_deals
from mapsite.read.site import load_site
from mapsite.render.pages import next_meeting
from mapsite.schedule.portal import portal_view
from tests.helpers import MINIMAL_DEAL


def _meeting(site_factory, cadence: str):
    deal = MINIMAL_DEAL.replace("---\nThe shared plan.", f"{cadence}---\nThe shared plan.")
    site, _ = load_site(site_factory.make({"buyer-co.md": deal}))
    [loaded] = load_deals(site, dt.date(2027, 2, 22)).deals
    return next_meeting(portal_view(loaded, dt.date(2027, 2, 22)))


def test_the_first_meeting_with_a_set_time_is_named(site_factory):
    meeting = _meeting(
        site_factory,
        "cadence:\n"
        "  - {name: Blocker escalation, when: within 24 hours of identification}\n"
        '  - {name: Weekly MAP review, when: "Tuesdays 10:00 PT"}\n',
    )
    assert meeting is not None and (meeting.name, meeting.when) == ("Weekly MAP review", "Tuesdays 10:00 PT")


def test_without_a_set_time_the_first_listed_and_without_meetings_none(site_factory):
    meeting = _meeting(site_factory, "cadence:\n  - {name: Executive checkpoint, when: monthly}\n")
    assert meeting is not None and meeting.name == "Executive checkpoint"
    assert _meeting(site_factory, "") is None
