"""Every check of ``mapsite check``: the exact message a rep sees, on the exact line."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from mapsite.pipeline.check import check
from tests.helpers import MINIMAL_DEAL, SITE_YML, line_of

TODAY = dt.date(2027, 2, 22)
# Not buyer-co.md: a protected deal whose URL folder names its buyer gets a warning of its own.
DEAL_PATH = "content/deals/first-deal.md"


def findings(site_factory, deal: str = MINIMAL_DEAL, site_yml: str = SITE_YML, name: str = "first-deal.md"):
    root = site_factory.make({name: deal}, site_yml)
    return [f.format() for f in check(root, TODAY).findings]


def replace(old: str, new: str, text: str = MINIMAL_DEAL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def test_minimal_deal_is_clean(site_factory):
    assert findings(site_factory) == []


def test_yaml_syntax_error_reports_yamls_line(site_factory):
    deal = replace("value_summary: Buyer Co cuts", "value_summary: Risk: Buyer Co cuts")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'value_summary')}: error: YAML syntax error: mapping values "
        "are not allowed in this context (hint: a value containing ': ' must be quoted, e.g. notes: "
        '"Risk: legal review")'
    ]


def test_tab_indentation_gets_a_hint(site_factory):
    deal = replace("  - {id: eb,", "\t- {id: eb,")
    [message] = findings(site_factory, deal)
    assert message.startswith(f"{DEAL_PATH}:{line_of(deal, 'id: eb')}: error: YAML syntax error")
    assert "(hint: YAML indents with spaces, not tabs)" in message


def test_missing_required_field(site_factory):
    deal = replace("value_summary: Buyer Co cuts onboarding time in half.\n", "")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:2: error: the deal is missing the required field 'value_summary'"
    ]


def test_unknown_field_warns_with_did_you_mean(site_factory):
    deal = replace("updated: 2027-02-20", "updated: 2027-02-20\nclose_dat: 2027-05-01")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'close_dat:')}: warning: unknown field 'close_dat' in the deal "
        "(hint: did you mean 'close_date'?)"
    ]


def test_wrong_enum_value_suggests_the_nearest(site_factory):
    deal = replace("due: 2027-03-01}", "due: 2027-03-01, status: in-progress}")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'in-progress')}: error: 'status' in milestone 'Technical Demo' is "
        "'in-progress'; expected one of: done, in_progress, pending, blocked, at_risk, skipped "
        "(hint: did you mean 'in_progress'?)"
    ]


def test_wrong_type(site_factory):
    deal = replace('buyer: {name: Buyer Co, accent: "#0A66C2"}', "buyer: Buyer Co")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'buyer: Buyer Co')}: error: 'buyer' in the deal must be a mapping of fields"
    ]


def test_bad_date(site_factory):
    deal = replace("close_date: 2027-04-30", "close_date: 2027-02-30")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'close_date')}: error: 'close_date' in the deal: '2027-02-30' is not "
        "a real date (day is out of range for month)"
    ]


def test_relative_date_with_unknown_anchor(site_factory):
    deal = replace("due: 2027-03-01}", "due: kickof + 2bd}")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'kickof')}: error: the date 'kickof + 2bd' refers to 'kickof', which "
        "is neither close, go_live nor a milestone id"
    ]


def test_unknown_anchor_suggests_a_milestone(site_factory):
    deal = replace("due: close, depends_on", "due: dem + 2bd, depends_on")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'dem + 2bd')}: error: the date 'dem + 2bd' refers to 'dem', which is "
        "neither close, go_live nor a milestone id; did you mean 'demo'?"
    ]


def test_relative_dates_in_a_cycle(site_factory):
    deal = replace("due: 2027-03-01}", "due: signature - 2bd}")
    deal = replace("due: close, depends_on: [demo]", "due: demo + 3bd", deal)
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'id: demo')}: error: relative dates form a cycle: "
        "demo -> signature -> demo (hint: give one of these an ISO date or anchor it on close)"
    ]


def test_milestone_due_before_its_dependency(site_factory):
    deal = replace("due: close, depends_on: [demo]", "due: 2027-02-26, depends_on: [demo]")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'id: signature')}: error: 'Contract Signature' is due 2027-02-26, "
        "before 'Technical Demo' (2027-03-01) that it depends on (hint: move its due date after the "
        "milestones it depends on)"
    ]


def test_dependency_cycle(site_factory):
    deal = replace("due: 2027-03-01}", "due: 2027-03-01, depends_on: [signature]}")
    assert (
        f"{DEAL_PATH}:{line_of(deal, 'id: demo')}: error: milestones depend on each other in a cycle: "
        "demo -> signature -> demo (hint: remove one of these depends_on entries)"
    ) in findings(site_factory, deal)


def test_owner_that_is_no_stakeholder(site_factory):
    deal = replace("owners: [champ, ae]", "owners: [champion, ae]")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'owners: [champion')}: error: 'champion' in owners of milestone "
        "'Technical Demo' is not a stakeholder id (hint: did you mean 'champ'?)"
    ]


def test_duplicate_stakeholder_id(site_factory):
    deal = replace("  - {id: ae,", "  - {id: eb, name: Other, side: seller}\n  - {id: ae,")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'name: Other')}: error: duplicate stakeholder id 'eb' (first used on "
        f"line {line_of(deal, 'name: Raj')})"
    ]


def test_duplicate_milestone_id(site_factory):
    deal = replace("id: signature,", "id: demo,")
    deal = replace("depends_on: [demo]}", "}", deal)
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'Contract Signature')}: error: duplicate milestone id 'demo' (first "
        f"used on line {line_of(deal, 'Technical Demo')}) (hint: give one of them an explicit, different id)"
    ]


def test_milestone_without_buyer_owner_is_a_warning(site_factory):
    deal = replace("owners: [champ, ae]", "owners: [ae]")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'owners: [ae]')}: warning: milestone 'Technical Demo' has no owner on "
        "the buyer side (hint: a mutual plan names who on the buyer's team drives each step)"
    ]


def test_pre_close_milestone_after_close_is_a_warning(site_factory):
    deal = replace("due: 2027-03-01}", "due: 2027-05-03}")
    deal = replace("due: close, depends_on: [demo]", "due: close", deal)
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'id: demo')}: warning: 'Technical Demo' is due 2027-05-03, after the "
        "close date 2027-04-30 (hint: the signature cannot happen before it; move it earlier or move "
        "close_date)"
    ]


def test_overdue_milestone_not_done(site_factory):
    deal = replace("due: 2027-03-01}", "due: 2027-02-15}")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'id: demo')}: warning: milestone 'Technical Demo' was due 2027-02-15 "
        "and is not marked done (hint: set status: done (with completed:), or move the date and tell "
        "the buyer)",
        # Issue 15: the signature waits for the demo, so the close is not "on track".
        f"{DEAL_PATH}:{line_of(deal, 'id: signature')}: warning: the target close 2027-04-30 is at risk. "
        "Overdue work holds up the signature: Technical Demo. The projection assumes 1 business day "
        "for each of the 2 open milestones without a longer duration. (hint: finish or re-plan the "
        "overdue work, give milestones their real duration, or move close_date and tell the buyer)",
    ]


def test_done_milestone_in_the_past_is_fine(site_factory):
    deal = replace("due: 2027-03-01}", "due: 2027-02-15, status: done}")
    assert findings(site_factory, deal) == []


def test_stale_plan(site_factory):
    deal = replace("updated: 2027-02-20", "updated: 2027-02-01")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'updated:')}: warning: the plan was last updated 2027-02-01, 21 days "
        "ago (hint: review it with the buyer and set updated: to the review date)"
    ]


def test_literal_password_warns(site_factory):
    deal = replace("password_env: TEST_PORTAL_PASSWORD", "password: hunter2")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'hunter2')}: warning: a literal password is written in the file "
        "(access entry 'Buying team') (hint: use password_env: NAME and set the password in that "
        "environment variable)",
        # Issue 12, finding 10: and it is a weak one (tests/protect/test_password_strength.py).
        f"{DEAL_PATH}:{line_of(deal, 'hunter2')}: warning: the password of access entry 'Buying team' "
        "is weak: it is shorter than 12 characters and it is one of the 10,000 most common passwords "
        "(hint: move the password out of the file (password_env: NAME) and set it to 12 or more "
        "characters, e.g. four unrelated words, that name no company)",
    ]


def test_missing_roles_are_listed_for_the_sellers_team(site_factory):
    deal = replace("role: economic_buyer", "role: finance")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'stakeholders:')}: warning: no buyer-side stakeholder has role "
        "economic_buyer: the plan lacks an economic buyer (who signs off the budget) (hint: shown only "
        "to your team; add the person once you know them)"
    ]


def test_slug_that_would_escape_output(site_factory):
    deal = replace("title: Buyer Co x Northwind", "title: Buyer Co x Northwind\nslug: ../../etc")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'slug:')}: error: 'slug' in the deal is '../../etc'; use only a-z, "
        "0-9 and single dashes (hint: e.g. 'etc')"
    ]


@pytest.mark.parametrize("path", ["../../mapsite.yml", "/etc/passwd"])
def test_resource_path_that_would_escape_the_deal(site_factory, path):
    deal = replace("value_summary:", f"resources:\n  - {{title: Secrets, file: '{path}'}}\nvalue_summary:")
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'Secrets')}: error: resource 'Secrets' file '{path}' points outside "
        "the deal folder (hint: put the file in the deal's folder and use a relative path such as "
        "files/roi.pdf)"
    ]


def test_logo_path_that_would_escape_the_site(site_factory):
    deal = replace(
        'buyer: {name: Buyer Co, accent: "#0A66C2"}',
        "buyer: {name: Buyer Co, logo: ../../../etc/hostname}",
    )
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'logo:')}: error: the logo path '../../../etc/hostname' of buyer points "
        "outside its folder (hint: keep logos next to the deal (or the site) and use a relative path)"
    ]


def test_symlink_out_of_a_deal_folder_is_refused(site_factory, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", "utf-8")
    root = site_factory.make({"first-deal/index.md": MINIMAL_DEAL})
    (root / "content/deals/first-deal/leak.txt").symlink_to(secret)
    assert [f.format() for f in check(root, TODAY).findings] == [
        "content/deals/first-deal/leak.txt: error: this link points outside the deal folder (hint: "
        "replace the symlink with the file itself)"
    ]


def test_all_findings_of_all_files_in_one_run(site_factory):
    broken_one = replace("owners: [champ, ae]", "owners: [nobody, ae]")
    broken_two = replace("close_date: 2027-04-30", "close_date: soon")
    root = site_factory.make({"one.md": broken_one, "two.md": broken_two})
    messages = [f.format() for f in check(root, TODAY).findings]
    assert any(m.startswith("content/deals/one.md:") and "'nobody'" in m for m in messages)
    assert any(m.startswith("content/deals/two.md:") and "'soon' is not a date" in m for m in messages)


def test_site_file_problems(site_factory):
    site_yml = SITE_YML + "colour: blue\ncalendar2: {}\n"
    messages = findings(site_factory, site_yml=site_yml)
    assert (
        "mapsite.yml:7: warning: unknown field 'colour' in mapsite.yml (hint: known fields: title, "
        "seller, base_url, calendar, team_access, deploy, theme, protection, today, sales_roles, analytics, email, reminders)"
        in messages
    )
    assert (
        "mapsite.yml:8: warning: unknown field 'calendar2' in mapsite.yml (hint: did you mean "
        "'calendar'?)" in messages
    )


def test_missing_frontmatter(site_factory):
    assert findings(site_factory, "# Just a heading\n") == [
        f"{DEAL_PATH}:1: error: the file does not start with YAML frontmatter (hint: begin the file "
        "with a line '---', the fields, then another line '---')"
    ]


def test_markdown_link_to_missing_file_warns_with_its_line(site_factory):
    deal = MINIMAL_DEAL + "\nSee ![diagram](files/missing.png) for details.\n"
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'missing.png')}: warning: 'files/missing.png' does not exist in the "
        "deal folder"
    ]


def test_stakeholder_without_side(site_factory):
    deal = replace(
        "  - {id: eb, name: Raj Patel, title: CFO, side: buyer, role: economic_buyer}",
        "  - {id: eb, name: Raj Patel}",
    )
    messages = findings(site_factory, deal)
    assert (
        f"{DEAL_PATH}:{line_of(deal, 'id: eb')}: error: stakeholder 'eb' is missing the required field 'side'"
        in messages
    )


def test_risk_with_unknown_owner_and_missing_impact(site_factory):
    deal = replace(
        "value_summary:", "risks:\n  - {risk: Budget freeze, probability: high, owner: bob}\nvalue_summary:"
    )
    assert findings(site_factory, deal) == [
        f"{DEAL_PATH}:{line_of(deal, 'Budget freeze')}: error: owner 'bob' of risk 'Budget freeze' is not a "
        "stakeholder id (hint: known ids: ae, champ, eb)",
        f"{DEAL_PATH}:{line_of(deal, 'Budget freeze')}: error: risk 'Budget freeze' is missing the required field 'impact'",
    ]


# Issue 12, finding 4: a protected portal's address must not tell who the buyer is.
@pytest.mark.parametrize(
    ("name", "slug_line", "buyer", "word"),
    [
        ("buyer-co.md", None, "Buyer Co", "buyer-co"),
        ("first-deal.md", "slug: contoso-renewal", "Contoso Pharmaceuticals", "contoso"),
        ("first-deal.md", "slug: q3-globexdeal", "Globex", "globex"),
        ("first-deal.md", "slug: ibm-q3", "IBM", "ibm"),
    ],
)
def test_a_slug_that_names_the_buyer_is_a_warning_with_an_opaque_suggestion(
    site_factory, name, slug_line, buyer, word
):
    deal = replace("buyer: {name: Buyer Co,", f"buyer: {{name: {buyer},")
    if slug_line:
        deal = replace("title: Buyer Co x Northwind\n", f"title: Buyer Co x Northwind\n{slug_line}\n", deal)
    slug = slug_line.removeprefix("slug: ") if slug_line else name.removesuffix(".md")
    [message] = findings(site_factory, deal, name=name)
    line = line_of(deal, "slug:") if slug_line else line_of(deal, "title:")
    assert message.startswith(
        f"content/deals/{name}:{line}: warning: the portal's address {slug}/ shows '{word}' of the buyer's "
        f"name: anyone who tries it learns that {buyer} is a customer, even without the password (hint: "
        "use an opaque slug: "
    )
    suggestion = re.search(r"`slug: ([a-z2-7]{12})`", message)
    assert suggestion, message
    replaced = deal.replace(slug_line, "") if slug_line else deal
    fixed = replace(
        "title: Buyer Co x Northwind\n", f"title: Buyer Co x Northwind\nslug: {suggestion[1]}\n", replaced
    )
    assert findings(site_factory, fixed, name=name) == []


def test_only_protected_addresses_with_a_distinctive_word_of_the_buyer_warn(site_factory):
    def deal(buyer: str, public: bool = False) -> str:
        text = replace("buyer: {name: Buyer Co,", f"buyer: {{name: {buyer},")
        access = "access:\n  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}\n"
        return replace(access, "public: true\n", text) if public else text

    root = site_factory.make(
        {
            "group-renewal.md": deal("Acme Group"),  # "group" is in every other company's name
            "q3-renewal.md": deal("Buyer Co"),
            "initech.md": deal("Initech", public=True),  # a public portal shows its buyer anyway
            "initrode-q3.md": deal("Initrode"),
        }
    )
    warned = [f.path for f in check(root, TODAY).findings if "the portal's address" in f.message]
    assert warned == ["content/deals/initrode-q3.md"]


def test_a_links_only_deal_whose_slug_names_the_buyer_is_warned_about_its_link(site_factory):
    """A deal opened only by share links (access: links) has no password to speak of."""
    start, end = MINIMAL_DEAL.index("access:"), MINIMAL_DEAL.index("value_summary:")
    deal = MINIMAL_DEAL[:start] + "access: links\n" + MINIMAL_DEAL[end:]
    messages = findings(site_factory, deal, name="buyer-co.md")
    [slug] = [m for m in messages if "portal's address" in m]
    assert "learns that Buyer Co is a customer, even without the link (hint: " in slug
