"""mapsite recap --send over TLS, in a real process against a real aiosmtpd server on 127.0.0.1
whose self-signed certificate is made here: with STARTTLS (the server refuses mail before it)
and with implicit TLS (port 465 style). A certificate trusted through email: ca_file carries the
messages; one that is not trusted stops the run in one line naming ca_file, nothing sent, no
traceback, nothing recorded."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.helpers import run
from tests.recap.helpers import Inbox, free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (CN and SAN) and its key, as PEM files."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "mail.pem", folder / "mail.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def start_server(certificate: tuple[Path, Path], security: str) -> tuple[Controller, Inbox]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    inbox = Inbox()
    if security == "starttls":
        options = {"tls_context": context, "require_starttls": True}
    else:
        options = {"ssl_context": context}
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), ready_timeout=10, **options)
    controller.start()
    return controller, inbox


@pytest.fixture(params=["starttls", "ssl"])
def server(request, certificate) -> Iterator[tuple[str, int, Inbox]]:
    controller, inbox = start_server(certificate, request.param)
    yield request.param, controller.port, inbox
    controller.stop()


@pytest.fixture
def site(example_site, monkeypatch) -> Path:
    """The example site with emails for Dana and Raj, outside git (the recap says so)."""
    monkeypatch.setenv("ACME_PORTAL_PASSWORD", "Portal-Secret-7731")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    deal = example_site / "content/deals/acme/index.md"
    text = deal.read_text("utf-8")
    text = text.replace("role: champion}", "role: champion, email: dana@acme.example}")
    text = text.replace("role: economic_buyer}", "role: economic_buyer, email: raj@acme.example}")
    deal.write_text(text, "utf-8")
    return example_site


def configure(site: Path, security: str, port: int, ca_file: Path | None) -> None:
    trust = f", ca_file: {ca_file}" if ca_file else ""
    line = f"email: {{host: 127.0.0.1, port: {port}, security: {security}, from: sam@northwind.example{trust}}}\n"
    with (site / "mapsite.yml").open("a", encoding="utf-8") as file:
        file.write(line)


def send(site: Path) -> subprocess.CompletedProcess:
    return run("recap", "acme", "--send", "--today", "2027-02-22", "--site", str(site))


def test_a_trusted_certificate_carries_the_recaps(site, server, certificate):
    security, port, inbox = server
    cert_file, _key = certificate
    (site / "certs").mkdir()
    (site / "certs/mail-ca.pem").write_bytes(cert_file.read_bytes())
    configure(site, security, port, Path("certs/mail-ca.pem"))  # relative to mapsite.yml

    result = send(site)

    assert result.returncode == 0, result.stderr
    assert "Sent 3 messages." in result.stdout
    assert sorted(rcpt[0] for rcpt, _message in inbox.received) == [
        "dana@acme.example",
        "raj@acme.example",
        "sam.carter@northwind.example",
    ]
    assert "last_recap: 2027-02-22" in (site / "content/deals/acme/index.md").read_text("utf-8")


def test_an_untrusted_certificate_stops_the_run_in_one_line(site, server):
    security, port, inbox = server
    configure(site, security, port, None)

    result = send(site)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert "the server's certificate is not trusted: self-signed certificate" in line
    assert "set email.ca_file" in line
    assert inbox.received == []
    assert "last_recap" not in (site / "content/deals/acme/index.md").read_text("utf-8")


def test_the_system_trust_can_come_from_ssl_cert_file(site, server, certificate, monkeypatch):
    security, port, inbox = server
    configure(site, security, port, None)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))

    result = send(site)

    assert result.returncode == 0, result.stderr
    assert len(inbox.received) == 3


def test_a_missing_ca_file_is_named_with_its_line(site, server):
    security, port, inbox = server
    configure(site, security, port, Path("certs/nowhere.pem"))

    result = send(site)

    assert result.returncode == 1
    assert (
        "mapsite.yml:" in result.stderr
        and "email: ca_file 'certs/nowhere.pem' is not a file" in result.stderr
    )
    assert "Traceback" not in result.stderr and inbox.received == []
