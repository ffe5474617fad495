"""Which day is "today" for a build.

Overdue marks, days to close and "due this week" all depend on the day, so a build can only be
reproduced when that day is pinned: ``--today`` wins, then the site's own ``today:`` in
``mapsite.yml``, then ``SOURCE_DATE_EPOCH``, then the clock.

A site pins its day when its deals are a story set on a date, like the bundled example: built on
any other day, its "done" items would lie in the future or every item would be overdue. The pin
beats ``SOURCE_DATE_EPOCH`` because it is a choice written in the site itself, while the variable
is a machine-wide default for reproducible builds.
"""

from __future__ import annotations

import datetime as dt
import os

from mapsite.errors import MapsiteError


def resolve_today(option: dt.date | None = None, pinned: dt.date | None = None) -> dt.date:
    """The day a command runs as: ``option`` (``--today``), else ``pinned`` (the site's ``today:``)."""
    if option is not None:
        return option
    if pinned is not None:
        return pinned
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise MapsiteError(
                f"SOURCE_DATE_EPOCH is '{epoch}', not a number of seconds since 1970",
                hint="unset it or set it to e.g. $(git log -1 --format=%ct)",
            ) from None
    return dt.date.today()
