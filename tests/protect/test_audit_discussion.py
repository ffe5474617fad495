"""The leak audit guards what readers said from the portal (issue 16): the discussion's texts,
the rep's answers, the reasons of declined proposals and who wrote them are as private as the
plan, so a protected build that showed one of them in a public place must stop, naming it.

And precisely: an agreement reads "We agree to this plan." in every deal, and the update
address is the seller's own, so a public deal showing those is no leak.
"""

from __future__ import annotations

import pytest

from tests.helpers import TODAY, run

PROTECTED = """\
---
title: Initrode x Northwind
buyer: {name: Initrode Holdings}
close_date: 2027-04-30
updated: 2027-02-20
access:
  - {label: Buying team, password_env: TEST_PORTAL_PASSWORD}
value_summary: One queue for the claims desk.
updates_to: deals@northwind.example
stakeholders:
  - {id: champ, name: Dana Whitfield, title: VP Claims, side: buyer, role: champion}
  - {id: ae, name: Sam Carter, title: Account Executive, side: seller, role: account_executive}
milestones:
  - {phase: Evaluation, id: review, name: Security review complete, owners: [champ, ae], due: 2027-03-01}
  - {phase: Close, id: signature, name: Signature, owners: [champ, ae], due: close, depends_on: [review]}
discussion:
  - {who: Dana Whitfield, side: buyer, when: 2027-02-18, kind: question, text: Can the orchid greenhouse team join the pilot?, answer: Yes; we budgeted twelve extra seats for them., answered: 2027-02-19}
  - {who: Morgan Lightfoot, side: buyer, when: 2027-02-19, kind: agreement, text: We agree to this plan.}
  - {who: Dana Whitfield, side: buyer, when: 2027-02-19, item: review, kind: proposal, text: New date 2027-03-12 for Security review complete, declined: The auditors arrive the week after that}
---
The plan.
"""

PUBLIC = """\
---
title: Publicorp x Northwind
buyer: {name: Publicorp}
close_date: 2027-04-30
updated: 2027-02-20
public: true
value_summary: Publicorp gets its onboarding plan in the open.
updates_to: deals@northwind.example
stakeholders:
  - {id: champ, name: Lee Ochoa, title: VP Sales, side: buyer, role: champion}
  - {id: ae, name: Sam Carter, title: Account Executive, side: seller, role: account_executive}
milestones:
  - {phase: Close, id: contract, name: Contract signed, owners: [champ, ae], due: close}
discussion:
  - {who: Lee Ochoa, side: buyer, when: 2027-02-19, kind: agreement, text: We agree to this plan.}
---
The public plan. We agree to this plan. Questions: deals@northwind.example
"""


@pytest.fixture
def site(site_factory):
    return site_factory.make({"initrode/index.md": PROTECTED, "publicorp/index.md": PUBLIC})


def leaks(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": error: leak:" in line]


def test_the_discussion_sealed_and_an_agreement_shown_in_public_are_no_leak(site):
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert leaks(result.stderr) == []
    public_page = (site / "output/publicorp/index.html").read_text("utf-8")
    assert "We agree to this plan." in public_page and "deals@northwind.example" in public_page
    assert "Lee Ochoa agreed to this plan" in public_page
    audited = run("audit", "--site", str(site))
    assert audited.returncode == 0, audited.stdout


@pytest.mark.parametrize(
    ("pasted", "kind", "needle"),
    [
        ("Can the orchid greenhouse team join the pilot?", "discussion entry", None),
        ("Yes; we budgeted twelve extra seats for them.", "answer", None),
        ("The auditors arrive the week after that", "decline reason", None),
        ("Ask Morgan Lightfoot.", "discussion author", "Morgan Lightfoot"),
    ],
)
def test_a_discussion_text_in_a_public_page_stops_the_build(site, pasted, kind, needle):
    page = site / "content/deals/publicorp/index.md"
    page.write_text(page.read_text("utf-8") + f"\n{pasted}\n", "utf-8")
    result = run("build", "--site", str(site), "--today", TODAY)
    assert result.returncode == 1, result.stderr
    text = needle or pasted
    shown = text if len(text) <= 32 else text[:32] + "..."
    assert leaks(result.stderr) == [
        f"publicorp/index.html: error: leak: the contents show the {kind} '{shown}' of protected deal 'initrode' "
        "(hint: do not publish this output; unless a file of yours causes it, report a mapsite bug)"
    ]
    assert not (site / "output").exists()
