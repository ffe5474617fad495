"""Protected builds as a rep runs them: nothing of a deal readable in output/, secrets kept."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography.exceptions import InvalidTag

from mapsite.protect import envelope
from tests import envelope_reader
from tests.helpers import PASSWORDS, TODAY, add_site_theme


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args], capture_output=True, text=True, timeout=180, **kwargs
    )


def build(site: Path, *extra: str) -> subprocess.CompletedProcess:
    result = run("build", "--site", str(site), "--today", TODAY, *extra)
    assert result.returncode == 0, result.stderr
    return result


def distinctive_strings(deal_file: Path) -> set[str]:
    """What a reader must not find, collected from the raw YAML independently of mapsite's audit."""
    text = deal_file.read_text("utf-8")
    _, frontmatter, body = text.split("---", 2)
    data = yaml.safe_load(frontmatter)
    found = {data["title"], data["buyer"]["name"]}
    if "partner" in data:
        found.add(data["partner"]["name"])
    for person in data["stakeholders"]:
        found.add(person["name"])
        found.update(v for k, v in person.items() if k == "email")
    for milestone in data["milestones"]:
        found.add(milestone["name"])
        found.update(a["task"] for a in milestone.get("actions", []))
    found.update(a["task"] for a in data.get("actions", []))
    found.update(r["risk"] for r in data.get("risks", []))
    found.update(c["metric"] for c in data.get("success_criteria", []))
    sentences = re.split(r"(?<=[.!?])\s+", " ".join((data["value_summary"] + " " + body).split()))
    found.update(s.replace("**", "") for s in sentences if len(s) > 30 and "[" not in s and "|" not in s)
    return {s for s in found if len(s) >= 6}


def output_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_no_plaintext_of_any_example_deal_in_any_output_file_or_path(example_site):
    build(example_site)
    files = output_files(example_site / "output")
    deal_files = sorted((example_site / "content/deals").glob("*.md")) + sorted(
        (example_site / "content/deals").glob("*/index.md")
    )
    assert len(deal_files) == 3
    for deal_file in deal_files:
        for needle in distinctive_strings(deal_file):
            for path, content in files.items():
                assert needle.lower() not in path.lower(), (needle, path)
                assert needle.encode() not in content, (needle, path)
    for source in (example_site / "content/deals/acme").rglob("*"):
        if source.is_file() and source.suffix != ".md":
            data = source.read_bytes()
            middle = data[len(data) // 2 : len(data) // 2 + 24]
            assert all(middle not in content for content in files.values()), source
            assert all(source.name not in path for path in files), source


def test_secrets_never_reach_the_output(example_site):
    build(example_site)
    share = run("share", "acme", "--label", "Dana (VP Marketing)", "--site", str(example_site))
    assert share.returncode == 0, share.stderr
    build(example_site)
    secret = (example_site / ".mapsite/secret").read_text("utf-8").strip()
    share_secret = json.loads((example_site / ".mapsite/shares.json").read_text("utf-8"))["shares"][0][
        "secret"
    ]
    for path, content in output_files(example_site / "output").items():
        for value in [secret, share_secret, *PASSWORDS.values()]:
            assert value.encode() not in content, (value, path)


def test_audit_finds_a_planted_leak_in_contents_and_in_names(example_site):
    build(example_site)
    out = example_site / "output"
    assert run("audit", "--site", str(example_site)).returncode == 0
    (out / "notes.txt").write_text("call Dana Whitfield about pricing", "utf-8")
    (out / "acme" / "roi-model.pdf").write_bytes(b"not even the real file")
    result = run("audit", "--site", str(example_site))
    assert result.returncode == 1
    assert (
        "notes.txt: error: leak: the contents show the stakeholder 'Dana Whitfield' of protected deal 'acme'"
        in result.stdout
    )
    assert (
        "acme/roi-model.pdf: error: leak: the path shows the file name 'files/roi-model.pdf'" in result.stdout
    )
    assert "Audit FAILED: 2 leaks" in result.stdout


def test_audit_refuses_an_unprotected_output(example_site):
    build(example_site, "--no-protect")
    marker = json.loads((example_site / "output/.mapsite-build.json").read_text("utf-8"))
    assert marker["protected"] is False
    result = run("audit", "--site", str(example_site))
    assert result.returncode == 1
    assert "was built with --no-protect: every deal in it is readable" in result.stderr


def test_a_template_that_leaks_stops_the_build_before_writing(example_site):
    templates = add_site_theme(example_site, "leaky")
    (templates / "landing.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Our customers: Globex Logistics</p>{% endblock %}',
        "utf-8",
    )
    result = run("build", "--site", str(example_site), "--today", TODAY)
    assert result.returncode == 1
    assert (
        "index.html: error: leak: the contents show the buyer 'Globex Logistics' of protected deal 'globex'"
        in (result.stderr)
    )
    assert "nothing was written" in result.stderr
    assert not (example_site / "output").exists()


def test_missing_passwords_are_named_and_nothing_is_written(example_site, monkeypatch):
    monkeypatch.delenv("ACME_PORTAL_PASSWORD")
    monkeypatch.delenv("GLOBEX_PORTAL_PASSWORD")
    result = run("build", "--site", str(example_site), "--today", TODAY)
    assert result.returncode == 1
    assert (
        "error: 2 access passwords are not set: ACME_PORTAL_PASSWORD, GLOBEX_PORTAL_PASSWORD" in result.stderr
    )
    assert not (example_site / "output").exists()
    check = run("check", "--site", str(example_site), "--today", TODAY)
    assert (
        "warning: the password of access entry 'Acme buying team' comes from ACME_PORTAL_PASSWORD"
        in check.stdout
    )


def test_local_passwords_file_stands_in_for_the_environment(example_site, monkeypatch):
    monkeypatch.delenv("ACME_PORTAL_PASSWORD")
    (example_site / ".mapsite").mkdir()
    (example_site / ".mapsite/passwords").write_text("ACME_PORTAL_PASSWORD=from-the-file\n", "utf-8")
    build(example_site)


def envelope_of(page: Path) -> dict:
    match = re.search(
        r'<script type="application/json" id="mapsite-envelope">(.*?)</script>', page.read_text()
    )
    return json.loads(match.group(1))


def test_rebuilds_are_reproducible_and_stable_until_access_is_lost(example_site, tmp_path):
    build(example_site, "--out", str(tmp_path / "one"))
    build(example_site, "--out", str(tmp_path / "two"))
    assert output_files(tmp_path / "one") == output_files(tmp_path / "two")
    first = envelope_of(tmp_path / "one/acme/index.html")
    assert first["kdf"] == {"name": "PBKDF2-SHA256", "iterations": 600000, "salt": first["kdf"]["salt"]}
    assert len(first["slots"]) == 2 and all(set(s) == {"type", "iv", "ct"} for s in first["slots"])
    # The readable fields name no buyer (ciphertext is random base64: any 4 letters occur by chance).
    readable = {k: v for k, v in first.items() if k not in ("ct", "iv", "slots", "kdf")}
    assert "acme" not in json.dumps(readable).replace('"acme/', "").replace('"acme"', "").lower()
    assert all(set(slot) == {"type", "iv", "ct"} for slot in first["slots"])

    # A share link adds a slot without re-keying: remembered logins keep working.
    assert run("share", "acme", "--label", "Dana", "--site", str(example_site)).returncode == 0
    build(example_site, "--out", str(tmp_path / "three"))
    shared = envelope_of(tmp_path / "three/acme/index.html")
    assert shared["kid"] == first["kid"] and len(shared["slots"]) == 3

    # Revoking it re-keys the deal: nothing made for the old key opens the new pages.
    assert run("share", "acme", "--revoke", "Dana", "--site", str(example_site)).returncode == 0
    build(example_site, "--out", str(tmp_path / "four"))
    revoked = envelope_of(tmp_path / "four/acme/index.html")
    assert revoked["kid"] != first["kid"] and len(revoked["slots"]) == 2
    assert (
        envelope_of(tmp_path / "four/globex/index.html")["kid"]
        == envelope_of(tmp_path / "one/globex/index.html")["kid"]
    )


def test_removing_a_password_makes_its_old_key_fail(example_site, tmp_path):
    build(example_site, "--out", str(tmp_path / "before"))
    old = envelope_of(tmp_path / "before/acme/index.html")
    root = envelope.password_root(PASSWORDS["NORTHWIND_TEAM_PASSWORD"], envelope.unb64(old["kdf"]["salt"]))
    old_key, _ = envelope_reader.open_envelope(old, root)
    deal = example_site / "content/deals/acme/index.md"
    text = deal.read_text("utf-8")
    deal.write_text(
        re.sub(
            r"  - label: Northwind deal team\n    password_env: NORTHWIND_TEAM_PASSWORD\n    side: .*\n",
            "",
            text,
        )
    )
    build(example_site, "--out", str(tmp_path / "after"))
    new = envelope_of(tmp_path / "after/acme/index.html")
    assert len(new["slots"]) == 1 and new["kid"] != old["kid"]
    with pytest.raises(ValueError, match="no key slot opens"):
        envelope_reader.open_envelope(new, root)
    with pytest.raises(InvalidTag):
        envelope_reader.decrypt_page(
            old_key, "acme", new["gen"], new["path"], envelope.unb64(new["iv"]), envelope.unb64(new["ct"])
        )


def test_share_command_prints_a_fragment_link_and_lists_without_secrets(example_site):
    result = run(
        "share",
        "acme",
        "--label",
        "Dana (VP Marketing)",
        "--expires",
        "2027-03-31",
        "--site",
        str(example_site),
    )
    assert result.returncode == 0, result.stderr
    link = re.search(
        r"https://deals\.northwind\.example/acme/#share=([A-Za-z0-9_-]{22})$", result.stdout, re.M
    )
    assert link, result.stdout
    listing = run("share", "--list", "--site", str(example_site))
    assert "acme: Dana (VP Marketing) (created" in listing.stdout and "until 2027-03-31" in listing.stdout
    assert link.group(1) not in listing.stdout
    again = run("share", "acme", "--label", "Dana (VP Marketing)", "--site", str(example_site))
    assert again.returncode == 1 and "already has a share link labelled 'Dana (VP Marketing)'" in again.stderr
    unknown = run("share", "nope", "--label", "X", "--site", str(example_site))
    assert unknown.returncode == 1 and "no deal with slug 'nope'" in unknown.stderr


def test_random_slug_is_unguessable_and_stable(example_site):
    deal = example_site / "content/deals/bluebird-bakery.md"
    deal.write_text(deal.read_text("utf-8").replace("---\n", "---\nslug: random\n", 1), "utf-8")
    # A read-only check makes no secret (the random folder is decided by the first build).
    checked = run("check", "--site", str(example_site), "--today", TODAY)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "bluebird-bakery.md:2" not in checked.stdout  # no warning that the address names the buyer
    assert not (example_site / ".mapsite").exists()
    build(example_site)
    folders = {p.name for p in (example_site / "output").iterdir() if p.is_dir()}
    [random_folder] = folders - {"acme", "globex", "assets", "_team"}
    assert re.fullmatch(r"[a-z2-7]{16}", random_folder)
    build(example_site)
    assert random_folder in {p.name for p in (example_site / "output").iterdir()}


def test_a_theme_login_page_without_the_csp_stops_the_build(example_site):
    templates = add_site_theme(example_site, "bare")
    (templates / "base.html").write_text(
        "<!doctype html><html><head><title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}"
        "</head><body>{% block content %}{% endblock %}</body></html>",
        "utf-8",
    )
    result = run("build", "--site", str(example_site), "--today", TODAY)
    assert result.returncode == 1
    assert "error: the theme's login page for acme/index.html lacks the CSP meta tag" in result.stderr
    assert not (example_site / "output").exists()


def test_a_fresh_clone_with_the_same_secrets_builds_the_same_bytes(example_site, tmp_path, monkeypatch):
    """CI has no .mapsite/: MAPSITE_SECRET and MAPSITE_SHARES make its output identical."""
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q"], cwd=example_site, check=True)
    (example_site / ".gitignore").write_text("output/\n.mapsite/\n", "utf-8")
    subprocess.run(["git", "add", "."], cwd=example_site, check=True)
    subprocess.run([*git, "commit", "-qm", "site"], cwd=example_site, check=True)
    assert run("share", "acme", "--label", "Dana", "--site", str(example_site)).returncode == 0
    build(example_site)

    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(example_site), str(clone)], check=True)
    assert not (clone / ".mapsite").exists()
    monkeypatch.setenv("MAPSITE_SECRET", (example_site / ".mapsite/secret").read_text("utf-8").strip())
    monkeypatch.setenv("MAPSITE_SHARES", (example_site / ".mapsite/shares.json").read_text("utf-8"))
    build(clone)
    assert output_files(clone / "output") == output_files(example_site / "output")
    assert not (clone / ".mapsite" / "secret").exists()


def test_share_links_expire_by_default_and_the_site_sets_how_soon(example_site):
    today = dt.date.today()
    made = run("share", "acme", "--label", "Dana", "--site", str(example_site))
    assert made.returncode == 0, made.stderr
    assert f"rebuilt and deployed, until {today + dt.timedelta(days=90)}." in made.stdout
    assert 'Revoke it with: mapsite share acme --revoke "Dana"' in made.stdout
    forever = run("share", "acme", "--label", "Raj", "--expires", "never", "--site", str(example_site))
    assert "rebuilt and deployed, with no expiry date." in forever.stdout

    site_file = example_site / "mapsite.yml"
    site_file.write_text(site_file.read_text("utf-8") + "protection:\n  share_days: 14\n", "utf-8")
    short = run("share", "acme", "--label", "Kim", "--site", str(example_site))
    assert f"rebuilt and deployed, until {today + dt.timedelta(days=14)}." in short.stdout
    stored = {
        s["label"]: s["expires"]
        for s in json.loads((example_site / ".mapsite/shares.json").read_text())["shares"]
    }
    assert stored == {
        "Dana": (today + dt.timedelta(days=90)).isoformat(),
        "Raj": None,
        "Kim": (today + dt.timedelta(days=14)).isoformat(),
    }

    past = run("share", "acme", "--label", "Lee", "--expires", "2020-01-01", "--site", str(example_site))
    assert (
        past.returncode == 2
        and "Error: Invalid value for --expires: 2020-01-01 is already past" in past.stderr
    )
    assert "internal error" not in past.stderr

    site_file.write_text(site_file.read_text("utf-8").replace("share_days: 14", "share_days: soon"), "utf-8")
    bad = run("check", "--site", str(example_site))
    line = site_file.read_text("utf-8").splitlines().index("  share_days: soon") + 1
    assert f"mapsite.yml:{line}: error: 'share_days' in protection is 'soon'" in bad.stdout + bad.stderr
