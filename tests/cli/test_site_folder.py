"""Commands find the site from any folder inside it, like git; ``--site`` still wins (issue 14)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import TODAY


def mapsite_in(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in a real process started in ``folder``, as a rep's terminal would be."""
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args], cwd=folder, capture_output=True, text=True, timeout=120
    )


def test_a_command_run_inside_the_site_finds_mapsite_yml_above(site_factory):
    site = site_factory.make()
    deals = site / "content" / "deals"
    checked = mapsite_in(deals, "check", "--today", TODAY)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Checked 1 deal: 0 errors" in checked.stdout

    # What a command writes lands in the site, and the path it prints is right from here.
    made = mapsite_in(deals, "new", "Contoso", "--close", "2027-06-30")
    assert made.returncode == 0, made.stderr
    assert "created ../../content/deals/contoso.md" in made.stdout
    assert (deals / "contoso.md").is_file() and not (deals / "content").exists()

    built = mapsite_in(deals, "build", "--today", TODAY)
    assert built.returncode == 0, built.stderr
    assert (site / "output" / "buyer-co" / "index.html").is_file()
    assert not (deals / "output").exists()


def test_site_wins_over_the_folder_the_command_runs_in(site_factory, tmp_path):
    site = site_factory.make()
    other = tmp_path / "other"
    other.mkdir()
    (other / "mapsite.yml").write_text("title: [broken\n", "utf-8")
    checked = mapsite_in(other, "check", "--site", str(site), "--today", TODAY)
    assert checked.returncode == 0, checked.stdout
    assert "Checked 1 deal: 0 errors" in checked.stdout


def test_outside_any_site_the_error_says_where_it_looked(tmp_path):
    folder = tmp_path / "notes" / "2027"
    folder.mkdir(parents=True)
    result = mapsite_in(folder, "status")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: no mapsite.yml in {folder.resolve()} or any folder above it (hint: run mapsite inside your "
        "site's folder, pass --site DIR, or make one with: mapsite init DIR)"
    ]
