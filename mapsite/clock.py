"""Which day is "today" for a build.

Overdue marks, days to close and "due this week" all depend on the day, so a build can only be
reproduced when that day is pinned: ``--today`` wins, then ``SOURCE_DATE_EPOCH``, then the clock.
"""

from __future__ import annotations

import datetime as dt
import os

from mapsite.errors import MapsiteError


def resolve_today(option: dt.date | None = None) -> dt.date:
    if option is not None:
        return option
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
