"""The leak audit is precise as well as strict (issue 12, finding 4).

A public deal built next to a protected one shares template text ("moves the signature"), the
seller's own team, file names (logo.svg) and standard file headers (``<svg xmlns=...``,
``%PDF-1.7``) with it: none of that is a leak, and the build must go through. What is a leak
(a buyer-side stakeholder's name or email, a sentence of the protected deal, its file's bytes)
still stops the build, naming the public file that shows it and nothing else.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mapsite.protect.audit import scannable
from tests.helpers import TODAY

PROTECTED = """\
---
title: Initrode x Northwind
buyer: {name: Initrode Holdings, logo: logo.svg}
close_date: 2027-04-30
updated: 2027-02-20
access:
  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}
value_summary: Initrode moves its claims desk to one queue before the audit season starts.
stakeholders:
  - {id: champ, name: Dana Whitfield, title: VP Claims, side: buyer, role: champion, email: dana@initrode.example}
  - {id: eb, name: Raj Patel, title: CFO, side: buyer, role: economic_buyer}
  - {id: ae, name: Sam Carter, title: Account Executive, side: seller, role: account_executive, email: sam@northwind.example}
milestones:
  - {phase: Evaluation, id: review, name: Security review complete, owners: [champ, ae], due: 2027-03-01}
  - {phase: Close, id: signature, name: Signature, owners: [eb, ae], due: close, depends_on: [review]}
resources:
  - {title: Pricing sheet, file: files/pricing.pdf}
---
The orchid greenhouse migration is the reason this plan exists at all.
"""

PUBLIC = """\
---
title: Publicorp x Northwind
buyer: {name: Publicorp, logo: logo.svg}
close_date: 2027-04-30
updated: 2027-02-20
public: true
value_summary: Publicorp gets its onboarding plan in the open.
stakeholders:
  - {id: champ, name: Lee Ochoa, title: VP Sales, side: buyer, role: champion}
  - {id: eb, name: Kim Novak, title: CFO, side: buyer, role: economic_buyer}
  - {id: ae, name: Sam Carter, title: Account Executive, side: seller, role: account_executive, email: sam@northwind.example}
milestones:
  - {phase: Evaluation, id: review, name: Security review complete, owners: [champ, ae], due: 2027-03-01}
  - {phase: Close, id: contract, name: Contract signed, owners: [eb, ae], due: close, depends_on: [review]}
resources:
  - {title: Overview, file: files/overview.pdf}
---
The public plan.
"""

# Two unrelated drawings from the same kind of tool: the same long prologue, different shapes.
SVG_PROLOGUE = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'version="1.1" width="120" height="40" viewBox="0 0 120 40">\n'
)


def svg(shapes: str) -> bytes:
    return (SVG_PROLOGUE + textwrap.dedent(shapes) + "</svg>\n").encode()


PROTECTED_SVG = svg("""\
    <path d="M3.2 11.7 L17.9 4.1 L29.3 18.6 L12.8 33.4 Z" fill="#1f6f43"/>
    <circle cx="61.5" cy="20.25" r="13.75" fill="#e3b341" stroke="#7a5c00" stroke-width="1.5"/>
    <path d="M88 7 C95 2 104 9 101 17 S 90 31 84 24 Z" fill="#12355b"/>
""")
PUBLIC_SVG = svg("""\
    <rect x="4" y="6" width="28" height="28" rx="5" fill="#b3261e"/>
    <polygon points="44,34 58,6 72,34" fill="#3c4043" opacity="0.8"/>
    <ellipse cx="96" cy="20" rx="18" ry="9" fill="#0b57d0"/>
""")


def pdf(text: str) -> bytes:
    """A small PDF of one page saying ``text``: standard header, objects and trailer."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>\nendobj\n"
        b"4 0 obj\n<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream\n"
        b"endobj\ntrailer\n<< /Size 5 /Root 1 0 R >>\n%%EOF\n"
    )


PRICING_PDF = pdf("Initrode pricing: 412,000 USD a year for 1,300 claims handlers, 3-year term")
OVERVIEW_PDF = pdf("Publicorp onboarding overview, week by week, for the whole sales team")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mapsite", *args], capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def side_by_side(site_factory) -> Path:
    """A site with one protected and one public deal, each with a logo and a PDF."""
    root = site_factory.make({"initrode/index.md": PROTECTED, "publicorp/index.md": PUBLIC})
    deals = root / "content/deals"
    for deal, logo, name, data in (
        ("initrode", PROTECTED_SVG, "pricing.pdf", PRICING_PDF),
        ("publicorp", PUBLIC_SVG, "overview.pdf", OVERVIEW_PDF),
    ):
        (deals / deal / "logo.svg").write_bytes(logo)
        (deals / deal / "files").mkdir()
        (deals / deal / "files" / name).write_bytes(data)
    return root


def leaks(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": error: leak:" in line]


def test_ordinary_overlaps_with_a_public_deal_are_not_leaks(side_by_side):
    # What the two deals share is no secret: the first 32 bytes of both SVGs and of both PDFs,
    # the file name logo.svg, a step from the same playbook, the seller's account executive.
    assert PROTECTED_SVG[:32] == PUBLIC_SVG[:32] and PRICING_PDF[:32] == OVERVIEW_PDF[:32]
    result = run("build", "--site", str(side_by_side), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert leaks(result) == []
    public_page = (side_by_side / "output/publicorp/index.html").read_text("utf-8").lower()
    # The protected deal's one-word milestone "Signature" is the template's word too.
    assert "signature" in public_page and "sam carter" in public_page
    audited = run("audit", "--site", str(side_by_side))
    assert audited.returncode == 0, audited.stdout
    assert "no plaintext of 1 protected deals found" in audited.stdout


@pytest.mark.parametrize(
    ("pasted", "what"),
    [
        ("Ask Dana Whitfield about the rollout.", "the stakeholder 'Dana Whitfield'"),
        ("Write to dana@initrode.example for a demo.", "the email 'dana@initrode.example'"),
        (
            "The orchid greenhouse migration is the reason this plan exists at all.",
            "the narrative 'The orchid greenhouse migration ...'",
        ),
    ],
)
def test_protected_text_pasted_into_the_public_deal_stops_the_build(side_by_side, pasted, what):
    page = side_by_side / "content/deals/publicorp/index.md"
    page.write_text(page.read_text("utf-8") + f"\n{pasted}\n", "utf-8")
    result = run("build", "--site", str(side_by_side), "--today", TODAY)
    assert result.returncode == 1
    assert leaks(result) == [
        f"publicorp/index.html: error: leak: the contents show {what} of protected deal 'initrode' "
        "(hint: do not publish this output; unless a file of yours causes it, report a mapsite bug)"
    ]
    assert "nothing was written" in result.stderr
    assert not (side_by_side / "output").exists()


def test_a_protected_file_copied_into_the_public_deal_stops_the_build(side_by_side):
    (side_by_side / "content/deals/publicorp/files/copy.pdf").write_bytes(PRICING_PDF)
    result = run("build", "--site", str(side_by_side), "--today", TODAY)
    assert result.returncode == 1
    assert leaks(result) == [
        "publicorp/files/copy.pdf: error: leak: the contents show the bytes of 'files/pricing.pdf' of "
        "protected deal 'initrode' (hint: do not publish this output; unless a file of yours causes "
        "it, report a mapsite bug)"
    ]


def test_only_an_envelope_fields_base64_value_is_left_unread():
    """What the audit skips as ciphertext: a ``ct``/``iv``/``salt`` value that is all base64url.

    Checked against the rule written as a regular expression, over every arrangement of the
    pieces where a hand-written scan goes wrong: a value that is not base64 (a sentence stays
    read), no closing quote, a field name inside a value, fields back to back."""
    rule = re.compile(rb'"(ct|iv|salt)":"[A-Za-z0-9_-]*"')
    pieces = [b'"ct":"', b'"iv":"', b'"salt":"', b'"', b"Ab9", b"-_", b" leak ", b"ct", b":", b"\xc3\xa9"]
    arrangements = 0
    for size in range(1, 6):
        for combination in itertools.product(pieces, repeat=size):
            content = b"".join(combination)
            assert scannable("acme/index.html", content) == rule.sub(b'"\\1":""', content), content
            arrangements += 1
    assert arrangements > 100_000
    assert (
        scannable("acme/index.html", b'{"ct":"QUJD","note":"Dana Whitfield"}')
        == b'{"ct":"","note":"Dana Whitfield"}'
    )
    assert scannable("acme/index.html", b'{"ct":"Dana Whitfield"}') == b'{"ct":"Dana Whitfield"}'
