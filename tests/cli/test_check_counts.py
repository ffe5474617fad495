"""``mapsite check`` counts every deal it read, also those with errors (issue 14): a rep with
three deals, one broken, must not read "Checked 2 deals" and wonder where the third went."""

from __future__ import annotations

from tests.helpers import MINIMAL_DEAL, SITE_YML, TODAY, line_of, run


def test_checked_counts_the_deals_with_errors_too(site_factory):
    broken = MINIMAL_DEAL.replace("owners: [champ, ae]", "owners: [nobody, ae]")
    site = site_factory.make(
        {
            "buyer-co.md": MINIMAL_DEAL,
            "second/index.md": MINIMAL_DEAL.replace("Buyer Co", "Second Co"),
            "broken.md": broken,
        }
    )
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.returncode == 1
    assert f"content/deals/broken.md:{line_of(broken, 'nobody')}: error:" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Checked 3 deals: 1 error, ")


def test_a_broken_site_file_checks_no_deal_and_says_so(site_factory):
    site = site_factory.make(site_yml=SITE_YML + "title: [unclosed\n")
    result = run("check", "--site", str(site), "--today", TODAY)
    assert result.returncode == 1
    assert "mapsite.yml:" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("Checked 0 deals: 1 error")
