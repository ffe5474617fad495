"""``check`` warns when a plan has more milestones than anyone reviews in a call (over 30)."""

from __future__ import annotations

from tests.helpers import MINIMAL_DEAL, SITE_YML, line_of, run


def deal_with(count: int) -> str:
    """MINIMAL_DEAL with ``count`` milestones: ``count - 1`` steps before the signature."""
    steps = "".join(
        f"  - {{phase: Evaluation, id: step-{n}, name: Step {n}, owners: [champ, ae], due: 2027-03-01}}\n"
        for n in range(1, count - 1)
    )
    return MINIMAL_DEAL.replace("  - {phase: Close,", steps + "  - {phase: Close,")


def check_output(site_factory, deal: str) -> str:
    site = site_factory.make({"first-deal.md": deal}, SITE_YML)
    result = run("check", "--site", str(site), "--today", "2027-02-22")
    assert "Traceback" not in result.stderr
    return result.stdout + result.stderr


def test_a_plan_of_31_milestones_gets_a_warning_on_its_milestones_line(site_factory):
    deal = deal_with(31)
    out = check_output(site_factory, deal)
    line = line_of(deal, "milestones:")
    assert (
        f"content/deals/first-deal.md:{line}: warning: the plan has 31 milestones: past 30 a plan is too long"
        in " ".join(out.split())
    )
    assert "keep 6 to 20 milestones" in " ".join(out.split())


def test_thirty_milestones_are_still_fine(site_factory):
    out = check_output(site_factory, deal_with(30))
    assert "milestones: past 30" not in " ".join(out.split())
