"""``mapsite new`` and ``mapsite import`` give a deal that builds at once, as ``init`` does: a
random password in ``.mapsite/passwords``, a variable name a shell can export (issue 14)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import TODAY, run


@pytest.fixture
def bare_site(site_factory) -> Path:
    """A site with no deal and no password anywhere: what a rep has before the first deal."""
    return site_factory.make({})


def local_passwords(site: Path) -> dict[str, str]:
    path = site / ".mapsite/passwords"
    assert path.stat().st_mode & 0o777 == 0o600
    pairs = (line.partition("=") for line in path.read_text("utf-8").splitlines() if not line.startswith("#"))
    return {name: value for name, _, value in pairs}


def password_env_of(deal_file: Path) -> str:
    return re.search(r"password_env: (\S+?)\}", deal_file.read_text("utf-8")).group(1)


def assert_builds(site: Path) -> None:
    checked = run("check", "--site", str(site), "--today", TODAY)
    assert " 0 errors" in checked.stdout and "is not set" not in checked.stdout, checked.stdout
    built = run("build", "--site", str(site), "--today", TODAY)
    assert built.returncode == 0, built.stderr
    assert "(1 protected," in built.stdout


def test_new_writes_a_strong_password_and_the_deal_builds(bare_site):
    result = run("new", "Contoso Pharmaceuticals", "--close", "2027-06-30", "--site", str(bare_site))
    assert result.returncode == 0, result.stderr
    deal = bare_site / "content/deals/contoso-pharmaceuticals.md"
    assert password_env_of(deal) == "CONTOSO_PHARMACEUTICALS_PORTAL_PASSWORD"
    password = local_passwords(bare_site)["CONTOSO_PHARMACEUTICALS_PORTAL_PASSWORD"]
    assert len(password) >= 20
    passwords = bare_site / ".mapsite" / "passwords"
    assert (
        f"Its password is new and random, in {passwords} as CONTOSO_PHARMACEUTICALS_PORTAL_PASSWORD "
        "(never commit that folder): give it to the buyer, and set the same variable where CI builds."
    ) in " ".join(result.stdout.split())
    assert password not in result.stdout + result.stderr
    assert_builds(bare_site)


def test_a_buyer_named_with_a_leading_digit_gets_a_variable_a_shell_can_export(bare_site):
    result = run("new", "3M", "--close", "2027-06-30", "--site", str(bare_site))
    assert result.returncode == 0, result.stderr
    assert password_env_of(bare_site / "content/deals/3m.md") == "DEAL_3M_PORTAL_PASSWORD"
    assert "DEAL_3M_PORTAL_PASSWORD" in local_passwords(bare_site)
    # The name works where the rep (or CI) sets it: a real shell.
    shell = run_shell("export DEAL_3M_PORTAL_PASSWORD=x && echo ok")
    assert shell == "ok"
    assert_builds(bare_site)


def run_shell(script: str) -> str:
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, timeout=30).stdout.strip()


def test_import_writes_a_strong_password_and_the_deal_builds(bare_site, tmp_path):
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "Milestone,Owner,Due Date,Status\n"
        "Kickoff,Dana Whitfield,2027-03-01,Done\n"
        "Contract signature,Raj Patel,2027-05-28,Pending\n",
        "utf-8",
    )
    result = run("import", str(plan), "--buyer", "Initrode", "--site", str(bare_site))
    assert result.returncode == 0, result.stderr
    assert password_env_of(bare_site / "content/deals/initrode.md") == "INITRODE_PORTAL_PASSWORD"
    password = local_passwords(bare_site)["INITRODE_PORTAL_PASSWORD"]
    assert "Its password is new and random, in" in result.stdout and password not in result.stdout
    assert_builds(bare_site)


def test_a_password_already_in_the_file_is_kept(bare_site):
    passwords = bare_site / ".mapsite/passwords"
    passwords.parent.mkdir()
    passwords.write_text("GLOBEX_PORTAL_PASSWORD=saffron-glacier-pivot-38\n", "utf-8")
    passwords.chmod(0o600)
    result = run("new", "Globex", "--close", "2027-06-30", "--site", str(bare_site))
    assert result.returncode == 0, result.stderr
    assert passwords.read_text("utf-8") == "GLOBEX_PORTAL_PASSWORD=saffron-glacier-pivot-38\n"
    assert f"Its password is the one {passwords} already sets for GLOBEX_PORTAL_PASSWORD." in result.stdout
    # The test environment exports GLOBEX_PORTAL_PASSWORD, as a rep's shell may: that value wins.
    assert (
        "warning: GLOBEX_PORTAL_PASSWORD is set in this shell, and builds here use that value instead"
    ) in " ".join(result.stderr.split())
