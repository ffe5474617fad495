"""mapsite recap in a real process against a real SMTP server on 127.0.0.1 (aiosmtpd), over a
deal committed to a real git repository: one message per recipient with that person's content,
nothing of another deal and no password; --out writes the same messages; a refused login and a
closed port end in one line saying why; the recorded recap date moves the next --since;
--dry-run sends, writes and records nothing and lists what it would; --all takes every active
deal that is not archived."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.helpers import TODAY, run
from tests.recap.helpers import Inbox, free_port

PASSWORD = "Portal-Secret-7731"
SMTP_PASSWORD = "smtp-Secret-4410"


def smtp_server(accept_password: str | None):
    inbox = Inbox()

    def authenticator(_server, _session, _envelope, _mechanism, auth_data):
        ok = auth_data.password.decode() == accept_password
        return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself

    options = (
        {
            "authenticator": authenticator,
            "auth_require_tls": False,
        }
        if accept_password
        else {}
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ready_timeout=10, **options)
    controller.start()
    return controller, inbox


@pytest.fixture
def server():
    controller, inbox = smtp_server(SMTP_PASSWORD)
    yield controller.port, inbox
    controller.stop()


def git(site: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=site, check=True, capture_output=True, timeout=30)


def commit(site: Path, day: str, monkeypatch) -> None:
    monkeypatch.setenv("GIT_AUTHOR_DATE", f"{day}T12:00:00+00:00")
    monkeypatch.setenv("GIT_COMMITTER_DATE", f"{day}T12:00:00+00:00")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", f"plan of {day}")


@pytest.fixture
def site(example_site, monkeypatch) -> Path:
    """The example site with emails for Dana and Raj, committed on Feb 10; the security review
    then moved and committed on Feb 17."""
    for name in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{name}_NAME", "Sam Carter")
        monkeypatch.setenv(f"GIT_{name}_EMAIL", "sam@northwind.example")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("ACME_PORTAL_PASSWORD", PASSWORD)
    deal = example_site / "content/deals/acme/index.md"
    text = deal.read_text("utf-8")
    text = text.replace("role: champion}", "role: champion, email: dana@acme.example}")
    text = text.replace("role: economic_buyer}", "role: economic_buyer, email: raj@acme.example}")
    deal.write_text(text, "utf-8")
    git(example_site, "init", "-q")
    commit(example_site, "2027-02-10", monkeypatch)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1802779200")  # 2027-02-16
    moved = run("move", "acme", "security-submit", "+3bd", "--site", str(example_site))
    assert moved.returncode == 0, moved.stderr
    commit(example_site, "2027-02-17", monkeypatch)
    return example_site


def configure(site: Path, port: int, user: str | None = "sam@northwind.example") -> None:
    login = f", user: {user}" if user else ""
    settings = (
        f"email: {{host: 127.0.0.1, port: {port}, security: none, from: sam@northwind.example{login}}}\n"
    )
    with (site / "mapsite.yml").open("a", encoding="utf-8") as file:
        file.write(settings)


def recap(site: Path, *args: str) -> subprocess.CompletedProcess:
    return run("recap", "acme", *args, "--today", "2027-02-22", "--site", str(site))


def text_of(message: email.message.EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def test_send_delivers_one_message_per_person_with_their_own_content(site, server, monkeypatch):
    port, inbox = server
    configure(site, port)
    monkeypatch.setenv("MAPSITE_SMTP_PASSWORD", SMTP_PASSWORD)

    result = recap(site, "--send", "--since", "2027-02-11")

    assert result.returncode == 0, result.stderr
    assert "Sent 3 messages." in result.stdout
    by_person = {rcpt[0]: message for rcpt, message in inbox.received}
    assert sorted(by_person) == ["dana@acme.example", "raj@acme.example", "sam.carter@northwind.example"]
    assert all(len(rcpt) == 1 for rcpt, _message in inbox.received)
    dana = by_person["dana@acme.example"]
    assert dana["From"] == "Northwind Software <sam@northwind.example>"
    assert {part.get_content_type() for part in dana.walk()} >= {"text/plain", "text/html"}
    body = text_of(dana)
    assert "Hello Dana Whitfield," in body
    mine = body.split("DUE NEXT FOR YOU")[1].split("DUE NEXT FOR THE OTHERS")[0]
    assert "Schedule executive presentation" in mine
    assert "Submit security questionnaire" not in mine
    assert "Security Review Submitted: Thu Apr 1, 2027 -> Tue Apr 6, 2027" in body.split("WHAT CHANGED")[1]
    assert "Open the plan: https://deals.northwind.example/acme/" in body
    # The plan status is the one `mapsite status` gives, with its reason.
    status = json.loads(run("status", "--json", "--today", TODAY, "--site", str(site)).stdout)
    [acme] = [deal for deal in status["deals"] if deal["slug"] == "acme"]
    said = acme["plan_status"].replace("_", " ").capitalize()
    assert f"Plan status: {said} ({acme['plan_status_reason']})." in " ".join(body.split())
    raj = text_of(by_person["raj@acme.example"])
    assert "Schedule executive presentation" not in raj.split("DUE NEXT FOR YOU")[1].split("DUE NEXT FOR")[0]
    html = dana.get_body(("html",)).get_content()
    assert "#5b2a86" in html.lower() and "Northwind Software" in html
    for _rcpt, message in inbox.received:
        raw = message.as_string()
        assert PASSWORD not in raw and SMTP_PASSWORD not in raw
        assert "Globex" not in raw and "Bluebird" not in raw
    assert SMTP_PASSWORD not in result.stdout + result.stderr
    assert "last_recap: 2027-02-22" in (site / "content/deals/acme/index.md").read_text("utf-8")


def test_the_recorded_recap_date_is_where_the_next_recap_starts(site, server, monkeypatch):
    port, _inbox = server
    configure(site, port)
    monkeypatch.setenv("MAPSITE_SMTP_PASSWORD", SMTP_PASSWORD)
    assert "recap from 2027-02-15 (a week ago)" in recap(site, "--send").stdout

    again = run("recap", "acme", "--send", "--today", "2027-03-01", "--site", str(site))

    assert again.returncode == 0, again.stderr
    assert "recap from 2027-02-22 (last recap) to 2027-03-01" in again.stdout


def test_out_writes_the_same_messages_as_eml(site, server, monkeypatch, tmp_path):
    port, inbox = server
    configure(site, port)
    monkeypatch.setenv("MAPSITE_SMTP_PASSWORD", SMTP_PASSWORD)
    assert recap(site, "--send", "--since", "2027-02-11").returncode == 0
    out = tmp_path / "recaps"

    written = recap(site, "--out", str(out), "--since", "2027-02-11")

    assert written.returncode == 0, written.stderr
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.eml"))
    assert files == ["acme/ae.eml", "acme/cfo.eml", "acme/vp-marketing.eml"]
    sent = {rcpt[0]: text_of(message) for rcpt, message in inbox.received}
    dana = email.message_from_bytes((out / "acme/vp-marketing.eml").read_bytes(), policy=email.policy.default)
    assert dana["To"] == "Dana Whitfield <dana@acme.example>"
    assert text_of(dana) == sent["dana@acme.example"]


def test_a_refused_login_ends_in_one_line_and_records_nothing(site, server, monkeypatch):
    port, inbox = server
    configure(site, port)
    monkeypatch.setenv("MAPSITE_SMTP_PASSWORD", "wrong-password")

    result = recap(site, "--send")

    assert result.returncode == 1
    assert f"127.0.0.1:{port} refused the login of 'sam@northwind.example': 535" in result.stderr
    assert "Traceback" not in result.stderr and "wrong-password" not in result.stderr
    assert inbox.received == []
    assert "last_recap" not in (site / "content/deals/acme/index.md").read_text("utf-8")


def test_a_closed_port_ends_in_one_line(site):
    port = free_port()
    configure(site, port, user=None)

    result = recap(site, "--send")

    assert result.returncode == 1
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_dry_run_sends_nothing_and_says_what_it_would_send(site, server, monkeypatch, tmp_path):
    port, inbox = server
    configure(site, port)
    monkeypatch.setenv("MAPSITE_SMTP_PASSWORD", SMTP_PASSWORD)
    deal = site / "content/deals/acme/index.md"
    before = deal.read_bytes()

    result = recap(site, "--send", "--dry-run")
    written = recap(site, "--out", str(tmp_path / "recaps"), "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "  would send to Dana Whitfield <dana@acme.example>" in result.stdout
    assert "  would send to Raj Patel <raj@acme.example>" in result.stdout
    assert f"Would send 3 messages through 127.0.0.1:{port}." in result.stdout
    assert inbox.received == [] and deal.read_bytes() == before
    assert written.returncode == 0, written.stderr
    assert f"would write {tmp_path / 'recaps/acme/vp-marketing.eml'}" in written.stdout
    assert "Would write 3 messages." in written.stdout and not (tmp_path / "recaps").exists()
    assert SMTP_PASSWORD not in result.stdout + result.stderr


def test_all_takes_every_active_deal_that_is_not_archived(site, server, monkeypatch):
    port, inbox = server
    configure(site, port)
    monkeypatch.setenv("MAPSITE_SMTP_PASSWORD", SMTP_PASSWORD)
    bluebird = site / "content/deals/bluebird-bakery.md"
    text = bluebird.read_text("utf-8").replace(
        "role: economic_buyer}", "role: economic_buyer, email: grace@bluebird.example}"
    )
    bluebird.write_text(text, "utf-8")
    globex = site / "content/deals/globex/index.md"
    text = globex.read_text("utf-8").replace(
        "role: economic_buyer}", "role: economic_buyer, email: helen@globex.example}"
    )
    globex.write_text(text.replace("stage: active\n", "stage: active\narchived: closed\n", 1), "utf-8")

    result = run("recap", "--all", "--send", "--today", "2027-02-22", "--site", str(site))

    assert result.returncode == 0, result.stderr
    assert sorted(rcpt[0] for rcpt, _message in inbox.received) == [
        "dana@acme.example",
        "grace@bluebird.example",
        "raj@acme.example",
        "sam.carter@northwind.example",
    ]
    assert "globex" not in result.stdout and "last_recap" not in globex.read_text("utf-8")
    assert "last_recap: 2027-02-22" in bluebird.read_text("utf-8")
    bluebird.write_text(bluebird.read_text("utf-8").replace("stage: active", "stage: won"), "utf-8")

    again = run("recap", "--all", "--send", "--dry-run", "--today", "2027-02-22", "--site", str(site))

    assert again.returncode == 0, again.stderr
    assert "grace@bluebird.example" not in again.stdout and "Would send 3 messages" in again.stdout


def test_help_shows_each_example_on_its_own_line_at_80_columns():
    shown = run("recap", "--help", columns=80)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert "  mapsite recap acme --out recaps/   write acme's messages to review them" in lines
    assert "  mapsite recap --all --send         send every active deal's recaps" in lines
    assert max(len(line) for line in lines) <= 80
