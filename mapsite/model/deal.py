"""The typed, validated deal: what every later step (plan, render, protect) may rely on.

Everything here is frozen and fully resolved: relative dates are dates, owner ids point at real
stakeholders, defaults are filled in. Validation is the only way in, so templates and the plan
never have to second-guess a value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Literal, get_args

from mapsite.model.dates import Calendar

# The values a deal file may give these fields; each tuple, in the documented order, is what
# validation accepts and what its messages list.
Side = Literal["buyer", "seller", "partner"]
SIDES: tuple[Side, ...] = get_args(Side)
CriterionSide = Literal["buyer", "seller"]  # a success criterion is the buyer's or the seller's
CRITERION_SIDES: tuple[CriterionSide, ...] = get_args(CriterionSide)
Stage = Literal["active", "won", "lost", "paused"]
# A deal that left the published site: a neutral "this plan is closed" page, or nothing at all.
Archived = Literal["closed", "removed"]
ARCHIVED: tuple[Archived, ...] = get_args(Archived)
STAGES: tuple[Stage, ...] = get_args(Stage)
MilestoneStatus = Literal["done", "in_progress", "pending", "blocked", "at_risk", "skipped"]
MILESTONE_STATUSES: tuple[MilestoneStatus, ...] = get_args(MilestoneStatus)
Role = Literal[
    "economic_buyer",
    "champion",
    "decision_maker",
    "technical_evaluator",
    "executive_sponsor",
    "influencer",
    "end_user",
    "legal",
    "procurement",
    "security",
    "finance",
    "project_manager",
    "account_executive",
    "sales_engineer",
    "customer_success",
    "other",
]
ROLES: tuple[Role, ...] = get_args(Role)
Level = Literal["low", "medium", "high"]
LEVELS: tuple[Level, ...] = get_args(Level)
RiskStatus = Literal["open", "mitigated", "closed"]
RISK_STATUSES: tuple[RiskStatus, ...] = get_args(RiskStatus)
# What an entry of the deal's discussion is: a question or comment, an agreement to the plan, or
# a change proposed from the portal (recorded when the rep declined it).
DiscussionKind = Literal["question", "comment", "agreement", "proposal"]
DISCUSSION_KINDS: tuple[DiscussionKind, ...] = get_args(DiscussionKind)


@dataclass(frozen=True)
class Brand:
    """A company on the portal: name, optional logo (path inside the site) and accent colour."""

    name: str
    logo: Path | None = None
    accent: str | None = None


@dataclass(frozen=True)
class Stakeholder:
    id: str
    name: str
    side: Side
    title: str | None = None
    role: Role | None = None
    email: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Action:
    task: str
    owner: str | None
    due: dt.date | None
    due_text: str | None = None
    done: bool = False
    milestone: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Milestone:
    id: str
    phase: str
    name: str
    owners: tuple[str, ...]
    due: dt.date
    due_text: str
    depends_on: tuple[str, ...] = ()
    status: MilestoneStatus = "pending"
    completed: dt.date | None = None
    notes: str | None = None
    actions: tuple[Action, ...] = ()
    line: int = 0
    duration: int = 1  # business days of work it takes (or still takes, once started)

    @property
    def is_closed(self) -> bool:
        """Done or skipped: nothing more is expected of anyone."""
        return self.status in ("done", "skipped")


@dataclass(frozen=True)
class Criterion:
    side: CriterionSide
    metric: str
    target: str
    current: str | None = None
    by: dt.date | None = None


@dataclass(frozen=True)
class Risk:
    risk: str
    probability: Level
    impact: Level
    mitigation: str | None = None
    owner: str | None = None
    status: RiskStatus = "open"


@dataclass(frozen=True)
class Cadence:
    name: str
    when: str
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resource:
    """A link or an attached file; ``file`` is relative to the deal and copied into its output."""

    title: str
    url: str | None = None
    file: str | None = None


@dataclass(frozen=True)
class DiscussionEntry:
    """One entry of ``discussion:``: what someone said or proposed, and the rep's answer.

    ``number`` is the entry's place in the file's list (1 for the first): ``mapsite inbox``, the
    portal and ``mapsite answer SLUG N`` all name an entry by it. ``ref`` ties an entry that came
    from an update code to its change (``<sender>:<device>:<id>``).
    """

    number: int
    who: str
    when: dt.date
    text: str
    kind: DiscussionKind = "comment"
    side: Side | None = None
    item: str | None = None
    ref: str | None = None
    answer: str | None = None
    answered: dt.date | None = None
    declined: str | None = None
    line: int = 0


@dataclass(frozen=True)
class AccessEntry:
    """One password that opens the portal; the password itself is read only when protecting."""

    label: str
    password: str | None = None
    password_env: str | None = None
    line: int = 0  # of the entry in its file, for messages about its password
    side: str = "buyer"  # whose work the portal puts first for whoever logs in with it


@dataclass(frozen=True)
class ExtraPage:
    """An additional Markdown page of a folder deal, e.g. ``security.md`` -> ``<slug>/security/``."""

    name: str
    title: str
    body: str
    source: Path


@dataclass(frozen=True)
class DealFile:
    """A file shipped with a deal (logo, attachment, image): source path and path in the portal."""

    source: Path
    relpath: str


@dataclass(frozen=True)
class CrmIds:
    """The deal's records in the seller's CRM, which the status export's rows are keyed by."""

    salesforce_id: str | None = None
    hubspot_id: str | None = None


@dataclass(frozen=True)
class Deal:
    slug: str
    title: str
    buyer: Brand
    seller: Brand
    close_date: dt.date
    value_summary: str
    stakeholders: tuple[Stakeholder, ...]
    milestones: tuple[Milestone, ...]
    source: Path
    folder: Path  # published from: the deal's own folder, or content/deals/ for a single file
    partner: Brand | None = None
    go_live: dt.date | None = None
    stage: Stage = "active"
    updated: dt.date | None = None
    archived: Archived | None = None
    access: tuple[AccessEntry, ...] = ()
    # `access: links`: opened by share links only, so no password slot and no PBKDF2; the line of
    # that field, where check and build point when no active link opens the deal.
    links_only_line: int | None = None
    public: bool = False
    amount: Decimal | None = None  # the deal's value, for the team's pipeline totals; never on the portal
    currency: str | None = None  # ISO 4217, set whenever amount is
    crm: CrmIds = field(default_factory=CrmIds)
    actions: tuple[Action, ...] = ()
    success_criteria: tuple[Criterion, ...] = ()
    risks: tuple[Risk, ...] = ()
    cadence: tuple[Cadence, ...] = ()
    resources: tuple[Resource, ...] = ()
    discussion: tuple[DiscussionEntry, ...] = ()
    # The day the last recap email went out (mapsite recap --send); the next recap starts there.
    last_recap: dt.date | None = None
    updates_to: str | None = None  # where the portal sends readers' updates (else the account executive)
    body: str = ""
    pages: tuple[ExtraPage, ...] = ()
    files: tuple[DealFile, ...] = field(default=())
    # The site's working calendar, which resolved the deal's business-day dates: later steps
    # (feasibility, check, the portal) count business days with the same holidays and blackouts.
    calendar: Calendar = field(default_factory=Calendar)

    @property
    def links_only(self) -> bool:
        """Opened by share links only (`access: links`): no password can open it."""
        return self.links_only_line is not None

    def stakeholder(self, stakeholder_id: str | None) -> Stakeholder | None:
        return next((s for s in self.stakeholders if s.id == stakeholder_id), None)

    def milestone(self, milestone_id: str | None) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    @property
    def phases(self) -> tuple[str, ...]:
        """Phases in order of first appearance, as the format promises."""
        return tuple(dict.fromkeys(m.phase for m in self.milestones))

    @property
    def all_actions(self) -> tuple[Action, ...]:
        """Milestone actions (tagged with their milestone) followed by top-level actions."""
        nested = tuple(
            Action(a.task, a.owner, a.due, a.due_text, a.done, m.id, a.line)
            for m in self.milestones
            for a in m.actions
        )
        return nested + self.actions
