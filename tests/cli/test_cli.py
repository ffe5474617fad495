"""The commands as a rep runs them: files written, messages printed, exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mapsite.cli.main import main
from mapsite.protect import envelope
from mapsite.protect.seal import published_path
from mapsite.protect.secrets import site_secret
from tests.helpers import MINIMAL_DEAL, TODAY, line_of, run, tree

SLUGS = ("acme", "bluebird-bakery", "globex")


def test_build_writes_every_portal_and_the_neutral_site_pages(example_site):
    result = run("build", "--site", str(example_site), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert "Built 3 deals into" in result.stdout and "(3 protected," in result.stdout
    out = example_site / "output"
    for slug in SLUGS:
        assert (out / slug / "index.html").is_file()
    # The security page is published in an opaque folder: its address names no topic.
    assert not (out / "acme" / "security").exists()
    secret = site_secret(example_site, create=False)[0]
    assert (out / published_path(envelope.path_key(secret, "acme"), "acme/security/index.html")).is_file()
    # Files are published as opaque, padded blobs: neither name nor size says what they are.
    assert not (out / "acme" / "files").exists()
    blobs = sorted((out / "acme" / "_files").iterdir())
    # 3 deal files (logo, PDF, diagram) and one bundle: the plan's calendar and each person's (10).
    assert len(blobs) == 4 and all(re.fullmatch(r"[0-9a-f]{32}\.bin", b.name) for b in blobs)
    assert all((b.stat().st_size - 28) & (b.stat().st_size - 29) == 0 for b in blobs)
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /\n"
    assert (out / "404.html").is_file()
    landing = (out / "index.html").read_text("utf-8")
    for name in ("Acme", "Bluebird", "Globex", "acme/", "globex/"):
        assert name not in landing
    assert "Northwind deal rooms" in landing


def test_check_prints_findings_and_exits_1_on_errors(site_factory):
    broken = MINIMAL_DEAL.replace("owners: [champ, ae]", "owners: [nobody, ae]")
    root = site_factory.make({"buyer-co.md": broken})
    result = run("check", "--site", str(root), "--today", TODAY)
    assert result.returncode == 1
    assert (
        f"content/deals/buyer-co.md:{line_of(broken, 'nobody')}: error: 'nobody' in owners of milestone 'Technical Demo' is not a "
        "stakeholder id (hint: known ids: ae, champ, eb)"
    ) in result.stdout
    assert result.stdout.strip().endswith("Checked 1 deal: 1 error, 0 warnings.")
    assert "Traceback" not in result.stdout + result.stderr


def test_check_reports_a_cadence_attendee_who_is_no_stakeholder_at_its_line(site_factory):
    # Before, 'chmap' passed check and the buyer read "With Dana Whitfield, chmap" on the portal.
    deal = MINIMAL_DEAL.replace(
        "milestones:\n",
        "cadence:\n"
        "  - name: Weekly MAP review\n"
        "    when: Tuesdays 10:00 PT\n"
        "    attendees:\n"
        "      - champ\n"
        "      - chmap\n"
        "      - Finance team\n"
        "  - {name: Executive update, when: monthly, attendees: [cfo]}\n"
        "milestones:\n",
    )
    root = site_factory.make({"first-deal.md": deal})
    result = run("check", "--site", str(root), "--today", TODAY)
    assert result.returncode == 1
    guest = "A guest who is not a stakeholder is written as a name, e.g. 'Finance team'"
    assert result.stdout.splitlines()[:2] == [
        f"content/deals/first-deal.md:{line_of(deal, '- chmap')}: error: attendee 'chmap' of cadence "
        f"'Weekly MAP review' is not a stakeholder id (hint: did you mean 'champ'? {guest})",
        f"content/deals/first-deal.md:{line_of(deal, '[cfo]')}: error: attendee 'cfo' of cadence "
        f"'Executive update' is not a stakeholder id (hint: the stakeholder ids are ae, champ, eb. {guest})",
    ]
    assert result.stdout.strip().endswith("Checked 1 deal: 2 errors, 0 warnings.")
    assert "Traceback" not in result.stdout + result.stderr


def test_check_exits_0_with_only_warnings(site_factory):
    # first-deal.md, not buyer-co.md: that URL would name the buyer, a warning of its own.
    root = site_factory.make(
        {"first-deal.md": MINIMAL_DEAL.replace("updated: 2027-02-20", "updated: 2027-01-02")}
    )
    result = run("check", "--site", str(root), "--today", TODAY)
    assert result.returncode == 0
    assert "warning: the plan was last updated 2027-01-02, 51 days ago" in result.stdout
    assert "Checked 1 deal: 0 errors, 1 warning." in result.stdout


def test_failed_build_leaves_previous_output_untouched(site_factory):
    root = site_factory.make()
    assert run("build", "--site", str(root), "--today", TODAY).returncode == 0
    before = tree(root / "output")
    deal = root / "content/deals/buyer-co.md"
    deal.write_text(MINIMAL_DEAL.replace("close_date: 2027-04-30", "close_date: someday"), "utf-8")
    result = run("build", "--site", str(root), "--today", TODAY)
    assert result.returncode == 1
    assert (
        "content/deals/buyer-co.md:4: error: 'close_date' in the deal: 'someday' is not a date"
        in result.stderr
    )
    assert "error: build stopped: 1 error; the previous output was left untouched" in result.stderr
    assert tree(root / "output") == before
    assert sorted(p.name for p in root.iterdir()) == [".mapsite", "content", "mapsite.yml", "output"]


def test_write_failure_midway_keeps_the_old_site(site_factory, monkeypatch):
    from mapsite.pipeline.build import build
    from mapsite.write import output

    root = site_factory.make()
    build(root, today=dt.date(2027, 2, 22))
    before = tree(root / "output")
    original = output._target
    calls = {"n": 0}

    def failing_target(folder, path):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError(28, "No space left on device")
        return original(folder, path)

    monkeypatch.setattr(output, "_target", failing_target)
    with pytest.raises(OSError):
        build(root, today=dt.date(2027, 2, 23))
    assert tree(root / "output") == before
    assert sorted(p.name for p in root.iterdir()) == [".mapsite", "content", "mapsite.yml", "output"]


def test_builds_are_byte_identical(example_site, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    assert run("build", "--site", str(example_site), "--today", TODAY, "--out", str(first)).returncode == 0
    assert run("build", "--site", str(example_site), "--today", TODAY, "--out", str(second)).returncode == 0
    assert tree(first) == tree(second)


def test_source_date_epoch_pins_today(example_site, tmp_path):
    # The example pins its day in mapsite.yml (today:), which wins over SOURCE_DATE_EPOCH: drop it.
    site_yml = example_site / "mapsite.yml"
    site_yml.write_text(re.sub(r"(?m)^today:.*\n", "", site_yml.read_text("utf-8")), "utf-8")
    epoch = str(int(dt.datetime(2027, 2, 22, 12, tzinfo=dt.UTC).timestamp()))
    pinned = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapsite",
            "build",
            "--site",
            str(example_site),
            "--out",
            str(tmp_path / "a"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": epoch},
    )
    assert pinned.returncode == 0, pinned.stderr
    assert (
        run("build", "--site", str(example_site), "--today", TODAY, "--out", str(tmp_path / "b")).returncode
        == 0
    )
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_only_rebuilds_one_deal(example_site):
    assert run("build", "--site", str(example_site), "--today", TODAY).returncode == 0
    out = example_site / "output"
    globex_before = tree(out / "globex")
    globex_mtime = (out / "globex" / "index.html").stat().st_mtime_ns
    bluebird_before = (out / "bluebird-bakery" / "index.html").read_bytes()
    deal = example_site / "content/deals/bluebird-bakery.md"
    deal.write_text(deal.read_text("utf-8").replace("Bluebird Bakery", "Bluebird Bakehouse"), "utf-8")
    result = run("build", "--site", str(example_site), "--today", TODAY, "--only", "bluebird-bakery")
    assert result.returncode == 0, result.stderr
    assert "Built 1 deal" in result.stdout
    assert (out / "bluebird-bakery" / "index.html").read_bytes() != bluebird_before
    assert tree(out / "globex") == globex_before
    assert (out / "globex" / "index.html").stat().st_mtime_ns == globex_mtime
    assert not [p for p in out.iterdir() if p.name.startswith((".staging", ".old"))]
    assert run("audit", "--site", str(example_site)).returncode == 0
    preview = run(
        "build", "--site", str(example_site), "--today", TODAY, "--only", "bluebird-bakery", "--no-protect"
    )
    assert preview.returncode == 0, preview.stderr
    assert "Bluebird Bakehouse" in (out / "bluebird-bakery" / "index.html").read_text("utf-8")
    # One readable deal makes the whole output unprotected, even after a protected --only.
    assert run("build", "--site", str(example_site), "--today", TODAY, "--only", "globex").returncode == 0
    assert json.loads((out / ".mapsite-build.json").read_text("utf-8"))["protected"] is False


def test_only_unknown_slug(example_site):
    result = run("build", "--site", str(example_site), "--only", "nope")
    assert result.returncode == 1
    assert "error: no deal with slug 'nope'" in result.stderr


@pytest.mark.parametrize("out", [".", "content"])
def test_build_refuses_to_replace_the_site(example_site, out):
    result = run("build", "--site", str(example_site), "--out", str(example_site / out))
    assert result.returncode == 1
    assert (example_site / "mapsite.yml").is_file()
    assert (example_site / "content/deals/acme/index.md").is_file()


def test_build_refuses_a_folder_it_did_not_make(example_site, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work", "utf-8")
    result = run("build", "--site", str(example_site), "--out", str(precious))
    assert result.returncode == 1
    assert "exists and was not made by mapsite build" in result.stderr
    assert (precious / "thesis.txt").read_text("utf-8") == "years of work"


def test_no_site_file_gives_a_hint(tmp_path):
    result = run("build", "--site", str(tmp_path))
    assert result.returncode == 1
    assert f"mapsite.yml: error: no mapsite.yml in {tmp_path}" in result.stderr
    assert "mapsite init DIR" in result.stderr


@pytest.mark.parametrize(
    "content, message",
    [
        (os.urandom(4096).replace(b"\n", b"x"), "the file is not UTF-8 text"),
        (
            b"---\nk: " + b"v" * 10_000_000 + b"\n---\n",
            "the file is 10.0 MB; a deal file may be at most 5 MB",
        ),
        (b"---\nk: " + b"v" * 2_000_000 + b"\n---\n", "mapsite reads at most 1 MB of frontmatter"),
        (b"---\nk: " + b"[" * 200_000 + b"\n---\n", "YAML nested more than 40 levels deep"),
        (
            b"---\n"
            + b"\n".join(
                f"a{i}: &a{i} [".encode() + b", ".join([f"*a{i - 1}".encode()] * 10) + b"]"
                if i
                else b"a0: &a0 [x]"
                for i in range(12)
            )
            + b"\n---\n",
            "expands to more than 200,000 values",
        ),
        (b"\x00\x01\x02binary", "the file"),
    ],
    ids=["junk", "10MB", "2MB-frontmatter", "deep", "alias-bomb", "nul"],
)
def test_hostile_input_gives_a_message_not_a_traceback(site_factory, content, message):
    root = site_factory.make({})
    (root / "content/deals/evil.md").write_bytes(content)
    result = run("check", "--site", str(root))
    assert result.returncode == 1
    assert message in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_init_then_build(tmp_path):
    runner = CliRunner()
    site = tmp_path / "new-site"
    result = runner.invoke(main, ["init", str(site)])
    assert result.exit_code == 0, result.output
    assert (site / ".gitignore").read_text() == "output/\n.mapsite/\npdf/\n"
    # The file is named after the buyer, the portal's URL folder is random (issue 12, finding 4).
    sample = (site / "content/deals/example-corp.md").read_text("utf-8")
    slug = re.search(r"^slug: ([a-z2-7]{12})$", sample, re.M).group(1)
    assert f"Its portal is published at {slug}/" in result.output
    passwords = (site / ".mapsite/passwords").read_text("utf-8")
    assert re.search(r"^EXAMPLE_CORP_PORTAL_PASSWORD=\S{12,}$", passwords, re.M)
    assert (site / ".mapsite/passwords").stat().st_mode & 0o777 == 0o600
    built = runner.invoke(main, ["build", "--site", str(site)])
    assert built.exit_code == 0, built.output
    assert "(1 protected," in built.output
    assert sorted(p.name for p in (site / "output").iterdir() if p.is_dir()) == sorted(["assets", slug])
    assert "Example Corp" not in (site / f"output/{slug}/index.html").read_text("utf-8")
    preview = runner.invoke(main, ["build", "--site", str(site), "--no-protect"])
    assert preview.exit_code == 0, preview.output
    assert "Example Corp" in (site / f"output/{slug}/index.html").read_text("utf-8")
    again = runner.invoke(main, ["init", str(site)])
    assert again.exit_code == 1
    assert "already exists" in again.output


@pytest.mark.parametrize("blueprint", ["enterprise", "smb", "partner"])
def test_new_deal_from_blueprint_fits_the_close_date(site_factory, blueprint):
    from mapsite.pipeline.load import load_deals
    from mapsite.read.site import load_site

    root = site_factory.make({})
    runner = CliRunner()
    result = runner.invoke(
        main,
        [
            "new",
            'O\'Brien & "Sons"',
            "--blueprint",
            blueprint,
            "--close",
            "2027-09-30",
            "--site",
            str(root),
        ],
    )
    assert result.exit_code == 0, result.output
    path = root / "content/deals/o-brien-sons.md"
    assert f"created {path}" in result.output
    site, _ = load_site(root)
    loaded = load_deals(site, dt.date(2027, 6, 1))
    assert [f for f in loaded.findings if f.is_error] == []
    [deal] = loaded.deals
    assert deal.buyer.name == 'O\'Brien & "Sons"'
    assert deal.close_date == dt.date(2027, 9, 30)
    signature = max((m for m in deal.milestones if m.due <= deal.close_date), key=lambda m: m.due)
    assert signature.due == deal.close_date
    assert all(m.due_text != m.due.isoformat() for m in deal.milestones), "blueprint dates must be relative"
    duplicate = runner.invoke(main, ["new", "O'Brien Sons", "--close", "2027-09-30", "--site", str(root)])
    assert duplicate.exit_code == 1
    assert "a deal named 'o-brien-sons' already exists" in duplicate.output


# Issue 12, finding 4: URLs don't name buyers, and naming a deal by its file costs the rep nothing.


def new_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    assert CliRunner().invoke(main, ["init", str(site)]).exit_code == 0
    return site


def slug_in(deal_file: Path) -> str:
    return re.search(r"^slug: ([a-z2-7]{12})$", deal_file.read_text("utf-8"), re.M).group(1)


def test_new_deal_gets_a_random_url_folder_and_a_readable_file(tmp_path, monkeypatch):
    site = new_site(tmp_path)
    monkeypatch.setenv("CONTOSO_PHARMACEUTICALS_PORTAL_PASSWORD", "a-long-enough-password-1")
    monkeypatch.setenv("INITECH_PORTAL_PASSWORD", "a-long-enough-password-2")
    result = run("new", "Contoso Pharmaceuticals", "--close", "2027-06-30", "--site", str(site))
    assert result.returncode == 0, result.stderr
    slug = slug_in(site / "content/deals/contoso-pharmaceuticals.md")
    assert (
        f"Its portal is published at /{slug}/: a random folder, so that the URL names no buyer. Name "
        "the deal contoso-pharmaceuticals in other commands (mapsite share contoso-pharmaceuticals ...)."
    ) in result.stdout
    assert run("new", "Initech", "--close", "2027-06-30", "--site", str(site)).returncode == 0
    assert slug_in(site / "content/deals/initech.md") != slug
    checked = run("check", "--site", str(site), "--today", TODAY)
    assert checked.returncode == 0 and "address" not in checked.stdout
    built = run("build", "--site", str(site), "--today", TODAY)
    assert built.returncode == 0, built.stderr
    published = [p.relative_to(site / "output").as_posix() for p in (site / "output").rglob("*")]
    assert f"{slug}/index.html" in published
    assert not [path for path in published if "contoso" in path or "initech" in path or "example" in path]


@pytest.mark.parametrize("buyer", ["Globex", "Stripe"])
def test_a_one_word_buyer_builds_with_its_name_as_the_slug_and_check_warns(tmp_path, monkeypatch, buyer):
    site = new_site(tmp_path)
    name = buyer.lower()
    monkeypatch.setenv(f"{buyer.upper()}_PORTAL_PASSWORD", "a-long-enough-password-3")
    result = run("new", buyer, "--close", "2027-06-30", "--slug", name, "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert f"Its portal is published at /{name}/ (the slug you chose)." in result.stdout
    assert f"warning: the address shows '{name}' of the buyer's name" in result.stderr
    checked = run("check", "--site", str(site), "--today", TODAY)
    assert checked.returncode == 0
    assert (
        f"content/deals/{name}.md:{line_of((site / f'content/deals/{name}.md').read_text('utf-8'), 'title:')}: "
        f"warning: the portal's address {name}/ shows '{name}' of the "
        f"buyer's name: anyone who tries it learns that {buyer} is a customer, even without the password"
    ) in checked.stdout
    built = run("build", "--site", str(site), "--today", TODAY)
    assert built.returncode == 0, built.stderr
    assert "leak" not in built.stderr
    assert {"assets", name} < {p.name for p in (site / "output").iterdir()}


def test_every_command_takes_a_deal_by_file_folder_or_slug(tmp_path, monkeypatch):
    site = new_site(tmp_path)
    monkeypatch.setenv("CONTOSO_PHARMACEUTICALS_PORTAL_PASSWORD", "a-long-enough-password-1")
    assert run("new", "Contoso Pharmaceuticals", "--close", "2027-06-30", "--site", str(site)).returncode == 0
    slug = slug_in(site / "content/deals/contoso-pharmaceuticals.md")
    folder = site / "content/deals/contoso"
    folder.mkdir()
    (site / "content/deals/contoso-pharmaceuticals.md").rename(folder / "index.md")
    names = ["contoso", "contoso/", "content/deals/contoso/index.md", slug]
    for name in names:
        planned = run("plan", name, "--site", str(site), "--today", TODAY)
        assert planned.returncode == 0, (name, planned.stderr)
        assert "Contoso Pharmaceuticals x Your Company: Mutual Action Plan: schedule" in planned.stdout
    exported = run("export", "contoso", "--format", "json", "--site", str(site))
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["slug"] == slug
    built = run("build", "--site", str(site), "--today", TODAY, "--only", "contoso")
    assert built.returncode == 0, built.stderr
    assert (site / "output" / slug / "index.html").is_file()
    shared = run("share", "contoso/", "--label", "Dana", "--site", str(site))
    assert shared.returncode == 0, shared.stderr
    assert re.search(rf"^/{slug}/#share=\S+$", shared.stdout, re.M)
    listed = run("share", "--list", "--site", str(site))
    assert f"{slug}: Dana" in listed.stdout
    revoked = run("share", "contoso", "--revoke", "Dana", "--site", str(site))
    assert revoked.returncode == 0 and f"Revoked the share link 'Dana' of {slug}." in revoked.stdout
    for command in (["plan"], ["export", "--format", "csv"], ["share", "--label", "X"], ["build", "--only"]):
        unknown = run(*command, "contosso", "--site", str(site))
        assert unknown.returncode == 1
        assert (
            "error: no deal with slug 'contosso', nor a deal file or folder of that name "
            "(hint: did you mean 'contoso'?)"
        ) in unknown.stderr


def test_help_loads_no_stage_it_does_not_need():
    """Every run lists every command; listing them must not import the build, the preview server or
    the deploy targets (start-up is most of a quick command)."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['mapsite', '--help']\n"
        "try:\n"
        "    runpy.run_module('mapsite', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "Commands:" in result.stdout
    loaded = set(result.stderr.split())
    for heavy in (
        "mapsite.pipeline.build",
        "mapsite.preview.session",
        "tornado",
        "boto3",
        "paramiko",
        "jinja2",
    ):
        assert heavy not in loaded, heavy
