"""``mapsite.yml`` -> Site: the settings every deal of a site shares.

The site file brands all portals (the default seller), holds the working calendar used by
business-day arithmetic, and names deploy targets. Like deal files it is read with line numbers
and every problem is reported at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mapsite.errors import Finding
from mapsite.layout import SITE_FILE
from mapsite.model.dates import Calendar
from mapsite.model.deal import SIDES, AccessEntry, Brand
from mapsite.paths import inside
from mapsite.read.fields import FieldReader
from mapsite.read.yaml import YamlMap, YamlProblem, empty_map, parse_yaml

SITE_KEYS = (
    "title",
    "seller",
    "base_url",
    "calendar",
    "team_access",
    "deploy",
    "theme",
    "protection",
    "today",
    "sales_roles",
    "analytics",
    "email",
    "reminders",
)
DEFAULT_REMEMBER_DAYS = 30
# A share link's secret stays in the reader's browser history (and anywhere the link was pasted):
# a default expiry gives a stolen history a shelf life. None means links never expire.
DEFAULT_SHARE_DAYS = 90
# A reminder two business days before a due date leaves time to act on it; a day is too late
# for anything that needs someone else.
DEFAULT_REMINDER_DAYS = 2
MAX_REMINDER_DAYS = 20
BRAND_KEYS = ("name", "logo", "accent")


@dataclass(frozen=True)
class Site:
    dir: Path  # the site folder, holding mapsite.yml
    title: str
    seller: Brand
    base_url: str = "/"
    calendar: Calendar = field(default_factory=Calendar)
    team_access: tuple[AccessEntry, ...] = ()
    # The deploy section as written: only a deploy (and check) reads it, with deploy's rules.
    deploy: YamlMap | None = None
    theme: str | None = None
    remember_days: int = DEFAULT_REMEMBER_DAYS
    share_days: int | None = DEFAULT_SHARE_DAYS
    # The day every command runs as, for a site whose deals are set on a date (the bundled
    # example); --today still wins. None: SOURCE_DATE_EPOCH, else the system date (see clock.py).
    today: dt.date | None = None
    # Buyer pages say "Budget owner", not "Economic buyer", unless the seller opts in.
    sales_roles: bool = False
    # "access_log": an unlocked portal requests one opaque file per credential and page, so the
    # host's access log says who opened what (docs/views.md). Off unless the seller opts in.
    analytics: str | None = None
    # How mapsite recap --send reaches the SMTP server; read in full by recap/settings.py.
    email: YamlMap | None = None
    # Business days before each due date that a person's calendar file reminds them (a VALARM);
    # None: ``reminders: off``, no alarms.
    reminder_days: int | None = DEFAULT_REMINDER_DAYS

    @property
    def deals_dir(self) -> Path:
        return self.dir / "content" / "deals"

    @property
    def theme_dir(self) -> Path | None:
        return self.dir / "themes" / self.theme if self.theme else None


def load_site(site_dir: Path) -> tuple[Site, list[Finding]]:
    """Read ``site_dir/mapsite.yml``; a site with problems still loads with defaults for them."""
    path = site_dir / SITE_FILE
    reader = FieldReader(SITE_FILE)
    fallback = Site(dir=site_dir, title="Deal rooms", seller=Brand(name="Our team"))
    if not path.is_file():
        reader.error(
            None,
            f"no {SITE_FILE} in {site_dir}",
            "run mapsite in your site's folder, pass --site DIR, or create one with 'mapsite init DIR'",
        )
        return fallback, reader.findings
    try:
        text = path.read_bytes().decode("utf-8-sig")
        data = parse_yaml(text)
    except UnicodeDecodeError:
        reader.error(1, f"{SITE_FILE} is not UTF-8 text", "save it as UTF-8")
        return fallback, reader.findings
    except YamlProblem as problem:
        reader.error(problem.line, problem.message, problem.hint)
        return fallback, reader.findings
    if data is None:
        data = empty_map()
    if not isinstance(data, YamlMap):
        reader.error(1, f"{SITE_FILE} must be a mapping of settings (name: value)")
        return fallback, reader.findings

    reader.unknown_keys(data, SITE_KEYS, SITE_FILE)
    title = reader.text(data, "title", SITE_FILE) or fallback.title
    seller_map = reader.mapping(data, "seller", SITE_FILE)
    seller = read_brand(reader, seller_map, "seller", site_dir, site_dir) if seller_map else None
    if seller is None:
        reader.warning(
            data.line,
            f"{SITE_FILE} names no seller; portals will say '{fallback.seller.name}'",
            'add seller: {name: Your Company, accent: "#5B2A86"}',
        )
    base_url = reader.text(data, "base_url", SITE_FILE) or "/"
    if not base_url.endswith("/"):
        base_url += "/"
    theme = reader.text(data, "theme", SITE_FILE)
    if theme == "default":
        theme = None
    if theme and not (site_dir / "themes" / theme).is_dir():
        reader.error(
            data.line_of("theme"),
            f"theme '{theme}' not found: there is no folder themes/{theme}/",
            "create themes/NAME/templates or themes/NAME/static, or remove 'theme'",
        )
        theme = None
    site = Site(
        dir=site_dir,
        title=title,
        seller=seller or fallback.seller,
        base_url=base_url,
        calendar=_read_calendar(reader, data),
        team_access=read_access(reader, data, "team_access", SITE_FILE),
        deploy=reader.mapping(data, "deploy", SITE_FILE),
        theme=theme,
        remember_days=_read_remember_days(reader, data),
        share_days=_read_share_days(reader, data),
        today=reader.iso_date(data, "today", SITE_FILE),
        sales_roles=reader.flag(data, "sales_roles", SITE_FILE),
        analytics=_read_analytics(reader, data),
        email=reader.mapping(data, "email", SITE_FILE),
        reminder_days=_read_reminder_days(reader, data),
    )
    return site, reader.findings


def _read_analytics(reader: FieldReader, data: YamlMap) -> str | None:
    value = data.get("analytics")
    if value is False:  # YAML reads a bare off as false
        return None
    chosen = reader.choice(data, "analytics", SITE_FILE, ("access_log", "off"), "off")
    return None if chosen == "off" else chosen


def _read_reminder_days(reader: FieldReader, data: YamlMap) -> int | None:
    """``reminders: {days_before: N}`` (business days, 0 is the due day itself) or ``reminders: off``."""
    if data.get("reminders") in (False, "off"):  # YAML reads a bare off as false
        return None
    reminders = reader.mapping(data, "reminders", SITE_FILE)
    if reminders is None:
        return DEFAULT_REMINDER_DAYS
    reader.unknown_keys(reminders, ("days_before",), "reminders")
    days = reminders.get("days_before", DEFAULT_REMINDER_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_REMINDER_DAYS:
        reader.error(
            reminders.line_of("days_before") if "days_before" in reminders else reminders.line,
            f"'days_before' in reminders is '{days}'; write a whole number of business days from 0 "
            f"to {MAX_REMINDER_DAYS}",
            "calendars remind each person that many business days before their due dates; "
            "reminders: off turns them off",
        )
        return DEFAULT_REMINDER_DAYS
    return days


def _read_remember_days(reader: FieldReader, data: YamlMap) -> int:
    protection = reader.mapping(data, "protection", SITE_FILE)
    if protection is None:
        return DEFAULT_REMEMBER_DAYS
    reader.unknown_keys(protection, ("remember_days", "share_days"), "protection")
    days = protection.get("remember_days", DEFAULT_REMEMBER_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 365:
        reader.error(
            protection.line_of("remember_days"),
            f"'remember_days' in protection is '{days}'; write a whole number of days from 0 to 365",
            "0 turns 'Remember me' off",
        )
        return DEFAULT_REMEMBER_DAYS
    return days


def _read_share_days(reader: FieldReader, data: YamlMap) -> int | None:
    protection = data.get("protection")
    if not isinstance(protection, YamlMap) or "share_days" not in protection:
        return DEFAULT_SHARE_DAYS
    days = protection["share_days"]
    if days == "never":
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
        reader.error(
            protection.line_of("share_days"),
            f"'share_days' in protection is '{days}'; write a whole number of days from 1 to 3650, or never",
            "new share links expire that many days after they are made; --expires overrides it",
        )
        return DEFAULT_SHARE_DAYS
    return days


def read_brand(reader: FieldReader, data: YamlMap, where: str, base: Path, site_dir: Path) -> Brand | None:
    """A ``{name, logo, accent}`` block; the logo must be a file inside ``base``."""
    reader.unknown_keys(data, BRAND_KEYS, where)
    name = reader.text(data, "name", where, required=True)
    if name is None:
        return None
    logo = None
    logo_text = reader.text(data, "logo", where)
    if logo_text:
        candidate = base / logo_text
        if not inside(candidate, base) or not inside(candidate, site_dir):
            reader.error(
                data.line_of("logo"),
                f"the logo path '{logo_text}' of {where} points outside its folder",
                "keep logos next to the deal (or the site) and use a relative path",
            )
        elif not candidate.is_file():
            reader.error(data.line_of("logo"), f"logo file '{logo_text}' of {where} does not exist")
        else:
            logo = candidate
    return Brand(name=name, logo=logo, accent=reader.color(data, "accent", where))


def read_access(reader: FieldReader, data: YamlMap, key: str, where: str) -> tuple[AccessEntry, ...]:
    entries = []
    for item, line in reader.items(data, key, where):
        if not isinstance(item, YamlMap):
            reader.error(line, f"each entry of '{key}' must be {{label, password_env}}")
            continue
        entry_where = f"{key} entry"
        reader.unknown_keys(item, ("label", "password", "password_env", "side"), entry_where)
        label = reader.text(item, "label", entry_where, required=True)
        password = reader.text(item, "password", entry_where)
        password_env = reader.text(item, "password_env", entry_where)
        side = reader.choice(item, "side", entry_where, SIDES, "buyer") or "buyer"
        if password is not None:
            reader.warning(
                item.line_of("password"),
                f"a literal password is written in the file ({entry_where} '{label}')",
                "use password_env: NAME and set the password in that environment variable",
            )
        if password is None and password_env is None:
            reader.error(line, f"{entry_where} '{label}' needs 'password_env' (or 'password')")
            continue
        if label:
            entries.append(
                AccessEntry(
                    label=label,
                    password=password,
                    password_env=password_env,
                    line=line + reader.line_offset,
                    side=side,
                )
            )
    return tuple(entries)


def _read_calendar(reader: FieldReader, data: YamlMap) -> Calendar:
    calendar = reader.mapping(data, "calendar", SITE_FILE)
    if calendar is None:
        return Calendar()
    reader.unknown_keys(calendar, ("holidays", "blackouts"), "calendar")
    holidays: set[dt.date] = set()
    for item, line in reader.items(calendar, "holidays", "calendar"):
        day = _date_item(reader, item, line, "a holiday")
        if day:
            holidays.add(day)
    blackouts = []
    for item, line in reader.items(calendar, "blackouts", "calendar"):
        if not isinstance(item, list) or len(item) != 2:
            reader.error(line, "each blackout is a range [first-day, last-day]")
            continue
        start = _date_item(reader, item[0], line, "a blackout start")
        end = _date_item(reader, item[1], line, "a blackout end")
        if start and end:
            if end < start:
                reader.error(line, f"blackout ends ({end}) before it starts ({start})")
                continue
            blackouts.append((start, end))
    return Calendar(holidays=frozenset(holidays), blackouts=tuple(sorted(blackouts)))


def _date_item(reader: FieldReader, value: Any, line: int, what: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    reader.error(line, f"{what} must be a date written YYYY-MM-DD, not '{value}'")
    return None
