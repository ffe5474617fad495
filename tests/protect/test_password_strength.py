"""Issue 12, finding 10: weak access passwords are caught, and never printed.

``check`` warns on a password under 12 characters, a common one (also dressed up with digits,
symbols or look-alikes) and one holding the buyer's, seller's or partner's name; ``build``
refuses one under 8 characters at its access entry's line. The CLI tests run a real process
and look at everything it printed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mapsite.pipeline.load import load_deals
from mapsite.protect.strength import (
    COMMON_PASSWORDS,
    common_passwords,
    name_needles,
    party_names,
    weaknesses,
)
from mapsite.read.site import load_site
from tests.helpers import MINIMAL_DEAL, PASSWORDS, REPO, SITE_YML, TODAY, line_of, run

DEAL_PATH = "content/deals/buyer-co.md"
ACME = {"buyer": "Acme Corp", "seller": "Northwind Software"}
SHORT = "it is shorter than 12 characters"
HINT = (
    "(hint: set TEST_PORTAL_PASSWORD (in the environment or .mapsite/passwords) to 12 or more "
    "characters, e.g. four unrelated words, that name no company"
)
TEAM_SITE_YML = (
    SITE_YML + "team_access:\n  - {label: Sales leadership, password_env: MAPSITE_TEAM_PASSWORD}\n"
)


@pytest.mark.parametrize(
    ("password", "found"),
    [
        ("sunshine", [SHORT, "it is one of the 10,000 most common passwords"]),
        ("QWERTYUIOP", [SHORT, "it is one of the 10,000 most common passwords"]),
        ("123qweasdzxc", ["it is one of the 10,000 most common passwords"]),
        ("Password2027!", ["it is a common password with digits or symbols around it"]),
        ("!!Sunshine12345", ["it is a common password with digits or symbols around it"]),
        ("5unsh1ne", [SHORT, "it is a common password with look-alike characters"]),
        ("#P@ssw0rd#2027", ["it is a common password with digits or symbols around it"]),
        ("acme-buyers-2027", ["it contains the buyer's name"]),
        ("portal-ACME-corp!", ["it contains the buyer's name"]),
        ("rollout-a.c.m.e-2027", ["it contains the buyer's name"]),  # punctuation ignored
        ("north wind 2027 plan", ["it contains the seller's name"]),  # spaces ignored
        ("acme2027", [SHORT, "it contains the buyer's name"]),
        ("software-rollout-2027", []),  # a word every company name may hold is no name
        ("harbor-lantern-quartz-07", []),
        ("7f3Kq9zW", [SHORT]),
    ],
)
def test_weaknesses_say_what_a_guesser_would_exploit(password, found):
    assert weaknesses(password, ACME) == found


def test_name_parts_are_the_distinctive_words_and_the_whole_name():
    assert name_needles("Acme Corp") == {"acmecorp", "acme"}
    assert name_needles("Globex Logistics") == {"globexlogistics", "globex", "logistics"}
    assert name_needles("Northwind Software, Inc.") == {"northwindsoftwareinc", "northwind"}
    assert name_needles("IBM") == {"ibm"}


def test_the_common_password_list_is_shipped_small_with_its_source_and_license():
    text = COMMON_PASSWORDS.read_text("utf-8")
    assert len(text.encode()) <= 150_000
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert any("zxcvbn" in line for line in header) and any("MIT" in line for line in header)
    assert len(common_passwords()) == 10_000
    assert {"123456", "password", "qwerty", "letmein"} <= common_passwords()


def test_the_example_sites_demo_passwords_are_strong(example_site):
    site = load_site(example_site)[0]
    for deal in load_deals(site, dt.date(2027, 2, 22)).deals:
        for entry in deal.access:
            assert weaknesses(PASSWORDS[entry.password_env], party_names(deal)) == [], entry.label
    for entry in site.team_access:
        assert weaknesses(PASSWORDS[entry.password_env], {"seller": site.seller.name}) == []


def everything_printed(result) -> str:
    return result.stdout + result.stderr


def test_check_warns_at_the_access_entry_and_never_prints_the_password(site_factory, monkeypatch):
    site = site_factory.make()
    monkeypatch.setenv("TEST_PORTAL_PASSWORD", "BuyerCo#2027")
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    line = line_of(MINIMAL_DEAL, "Buying team")
    assert (
        f"{DEAL_PATH}:{line}: warning: the password of access entry 'Buying team' is weak: "
        f"it contains the buyer's name {HINT})"
    ) in result.stdout
    assert "BuyerCo#2027" not in everything_printed(result)


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("sunshine2027", "it is a common password with digits or symbols around it"),
        ("Northwind-26", "it contains the seller's name"),
        ("correct-8", f"{SHORT}"),
        ("letmein99", f"{SHORT} and it is a common password with digits or symbols around it"),
    ],
)
def test_check_names_every_weakness_of_a_password(site_factory, monkeypatch, password, reasons):
    site = site_factory.make()
    monkeypatch.setenv("TEST_PORTAL_PASSWORD", password)
    result = run("check", "--site", str(site), "--today", TODAY)
    assert f"is weak: {reasons} {HINT})" in result.stdout
    assert password not in everything_printed(result)


def test_check_holds_the_team_dashboard_password_to_the_same_rules(site_factory, monkeypatch):
    site = site_factory.make(site_yml=TEAM_SITE_YML)
    monkeypatch.setenv("MAPSITE_TEAM_PASSWORD", "northwind-pipeline")
    result = run("check", "--site", str(site), "--today", TODAY)
    line = line_of(TEAM_SITE_YML, "Sales leadership")
    assert (
        f"mapsite.yml:{line}: warning: the password of access entry 'Sales leadership' is weak: it "
        "contains the seller's name (hint: set MAPSITE_TEAM_PASSWORD (in the environment or "
        ".mapsite/passwords) to 12 or more characters, e.g. four unrelated words, that name no company)"
    ) in result.stdout
    assert "northwind-pipeline" not in everything_printed(result)


def test_check_is_quiet_about_strong_passwords(site_factory):
    result = run("check", "--site", str(site_factory.make(site_yml=TEAM_SITE_YML)), "--today", TODAY)
    assert result.returncode == 0 and "weak" not in everything_printed(result)


def test_build_refuses_a_password_under_8_characters_and_writes_nothing(site_factory, monkeypatch):
    site = site_factory.make()
    monkeypatch.setenv("TEST_PORTAL_PASSWORD", "Tr0ub4!")  # 7 characters
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.returncode == 1
    line = line_of(MINIMAL_DEAL, "Buying team")
    lines = result.stderr.splitlines()  # other findings (warnings) may come first
    assert lines[-2:] == [
        f"{DEAL_PATH}:{line}: error: the password of access entry 'Buying team' is shorter than 8 "
        f"characters; mapsite does not lock a portal with it {HINT}, then build again)",
        "error: build stopped: 1 error; the previous output was left untouched",
    ]
    assert "Tr0ub4!" not in everything_printed(result)
    assert not (site / "output").exists()


def test_build_refuses_a_short_password_from_the_local_passwords_file(site_factory, monkeypatch):
    site = site_factory.make()
    monkeypatch.delenv("TEST_PORTAL_PASSWORD")
    (site / ".mapsite").mkdir()
    (site / ".mapsite/passwords").write_text("TEST_PORTAL_PASSWORD=abc123\n", "utf-8")
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.returncode == 1
    assert "is shorter than 8 characters; mapsite does not lock a portal with it" in result.stderr
    assert "abc123" not in everything_printed(result)


def test_build_refuses_a_short_team_dashboard_password(site_factory, monkeypatch):
    site = site_factory.make(site_yml=TEAM_SITE_YML)
    monkeypatch.setenv("MAPSITE_TEAM_PASSWORD", "team")
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.returncode == 1
    line = line_of(TEAM_SITE_YML, "Sales leadership")
    assert result.stderr.splitlines()[-2].startswith(
        f"mapsite.yml:{line}: error: the password of access entry 'Sales leadership' is shorter than 8 "
        "characters; mapsite does not lock a portal with it (hint: set MAPSITE_TEAM_PASSWORD"
    )
    assert not (site / "output").exists()


def test_a_weak_password_of_8_characters_or_more_still_builds(site_factory, monkeypatch):
    site = site_factory.make()
    monkeypatch.setenv("TEST_PORTAL_PASSWORD", "sunshine")
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert "sunshine" not in everything_printed(result)


def test_init_writes_a_password_that_passes_every_rule(tmp_path):
    assert run("init", str(tmp_path / "site")).returncode == 0
    checked = run("check", "--site", str(tmp_path / "site"))
    assert checked.returncode == 0, checked.stderr
    assert "weak" not in everything_printed(checked)
    [line] = [
        line
        for line in (tmp_path / "site/.mapsite/passwords").read_text("utf-8").splitlines()
        if not line.startswith("#")
    ]
    password = line.split("=", 1)[1]
    assert password not in everything_printed(checked)
    assert weaknesses(password, {"buyer": "Example Corp", "seller": "Your Company"}) == []


def test_the_demo_passwords_file_matches_the_test_passwords():
    demo = dict(
        line.split("=", 1)
        for line in (REPO / "demo-passwords.env").read_text("utf-8").splitlines()
        if line and not line.startswith("#")
    )
    assert demo == {name: value for name, value in PASSWORDS.items() if name in demo}
