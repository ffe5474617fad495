"""``build --keep-going``: one broken deal does not hold the others hostage, and nothing it keeps
escapes the audit. Every test runs mapsite in a real process on a site of three deals."""

from __future__ import annotations

import re
from pathlib import Path

from tests.helpers import MINIMAL_DEAL, TODAY, add_site_theme, line_of, run, tree

NAMES = ("alpha", "bravo", "charlie")


def three_deals(site_factory) -> Path:
    deals = {f"{name}.md": MINIMAL_DEAL.replace("Buyer Co", f"{name.title()} Co") for name in NAMES}
    return site_factory.make(deals)


def build(site: Path, *args: str):
    return run("build", "--site", str(site), "--today", TODAY, *args)


def portal(site: Path, slug: str) -> dict[str, str]:
    return tree(site / "output" / slug)


def break_deal(site: Path, name: str) -> int:
    """Misspell the deal's close_date; returns the line of the error."""
    deal = site / "content" / "deals" / f"{name}.md"
    text = deal.read_text("utf-8").replace("close_date:", "close_dte:")
    deal.write_text(text, "utf-8")
    return line_of(text, "close_dte:")


def test_keep_going_builds_the_valid_deals_and_keeps_the_broken_ones_last_portal(site_factory):
    site = three_deals(site_factory)
    assert build(site).returncode == 0
    before = {name: portal(site, name) for name in NAMES}
    alpha = site / "content" / "deals" / "alpha.md"
    alpha.write_text(alpha.read_text("utf-8").replace("The shared plan.", "The plan, updated."), "utf-8")
    line = break_deal(site, "bravo")
    (site / "content" / "deals" / "delta.md").write_text(
        (site / "content" / "deals" / "bravo.md").read_text("utf-8"), "utf-8"
    )
    whole = tree(site / "output")

    strict = build(site)
    assert strict.returncode == 1
    assert "the previous output was left untouched" in strict.stderr
    assert tree(site / "output") == whole

    result = build(site, "--keep-going")
    assert result.returncode == 1
    for name in ("bravo", "delta"):
        assert f"content/deals/{name}.md:{line}: error: unknown field 'close_dte'" in result.stderr
    assert "Built 2 deals into" in result.stdout
    assert "error: 2 deals with errors not rebuilt; fix them and build again:" in result.stderr
    assert f"content/deals/bravo.md: kept its last good portal, {site / 'output' / 'bravo'}/" in result.stderr
    assert "content/deals/delta.md: not published: it has no portal from an earlier build" in result.stderr
    assert portal(site, "bravo") == before["bravo"], "the kept portal is byte for byte the last good one"
    assert portal(site, "alpha") != before["alpha"], "the valid deals were rebuilt"
    assert set(portal(site, "charlie")) == set(before["charlie"])
    assert not (site / "output" / "delta").exists()

    # Not a clean build of these sources: the next build reads the deals again and stops.
    again = build(site)
    assert again.returncode == 1 and "up to date" not in again.stdout
    bravo = site / "content" / "deals" / "bravo.md"
    bravo.write_text(bravo.read_text("utf-8").replace("close_dte:", "close_date:"), "utf-8")
    (site / "content" / "deals" / "delta.md").unlink()
    fixed = build(site)
    assert fixed.returncode == 0 and "Built 3 deals" in fixed.stdout, fixed.stderr
    assert "up to date" in build(site).stdout


def test_a_kept_portal_must_be_the_one_the_audit_passed(site_factory):
    site = three_deals(site_factory)
    assert build(site).returncode == 0
    page = site / "output" / "bravo" / "index.html"
    page.write_bytes(page.read_bytes() + b"<p>Charlie Co</p>")  # changed by hand since the audit
    break_deal(site, "bravo")
    result = build(site, "--keep-going")
    assert result.returncode == 1
    assert "content/deals/bravo.md: not published: output/bravo/ changed since its last audited build" in (
        result.stderr
    )
    assert not (site / "output" / "bravo").exists()
    assert (site / "output" / "charlie" / "index.html").is_file()


def test_the_leak_audit_still_stops_a_kept_going_build(site_factory):
    site = three_deals(site_factory)
    assert build(site).returncode == 0
    whole = tree(site / "output")
    break_deal(site, "bravo")
    templates = add_site_theme(site, "leaky")
    (templates / "landing.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Our customers: Alpha Co</p>{% endblock %}', "utf-8"
    )
    result = build(site, "--keep-going")
    assert result.returncode == 1
    assert "index.html: error: leak: the contents show the buyer 'Alpha Co' of protected deal 'alpha'" in (
        result.stderr
    )
    assert tree(site / "output") == whole


def test_keep_going_with_only_is_a_usage_error(site_factory):
    site = three_deals(site_factory)
    result = build(site, "--keep-going", "--only", "alpha")
    assert result.returncode == 2
    assert "--keep-going builds every deal; leave out --only DEAL" in result.stderr
    assert "internal error" not in result.stderr


def test_kept_portals_keep_the_assets_they_link_to(site_factory):
    """With every deal broken nothing is sealed in this build, so it publishes no unlock script
    of its own: the kept portals still need the one (and the stylesheet) they were built with."""
    site = three_deals(site_factory)
    assert build(site).returncode == 0
    for name in NAMES:
        break_deal(site, name)
    result = build(site, "--keep-going")
    assert result.returncode == 1
    out = site / "output"
    for name in NAMES:
        shell = (out / name / "index.html").read_text("utf-8")
        linked = re.findall(r'(?:src|href)="\.\./(assets/[^"]+)"', shell)
        assert any(path.startswith("assets/unlock.") for path in linked), linked
        assert [path for path in linked if not (out / path).is_file()] == [], name
