"""``deploy --keep-going``: the deals that build go live; a broken one keeps its last good portal on
the host, and a plain deploy never publishes such a partial build by accident."""

from __future__ import annotations

from pathlib import Path

from tests.deploy.helpers import add_targets, published, run_mapsite
from tests.helpers import MINIMAL_DEAL, line_of

NAMES = ("alpha", "bravo", "charlie")


def three_deal_site(site_factory, www: Path) -> Path:
    deals = {f"{name}.md": MINIMAL_DEAL.replace("Buyer Co", f"{name.title()} Co") for name in NAMES}
    site = site_factory.make(deals)
    add_targets(site, f"deploy:\n  www: {{type: folder, path: {www}}}\n")
    return site


def test_deploy_keep_going_publishes_the_valid_deals_and_exits_1(site_factory, tmp_path):
    www = tmp_path / "www"
    site = three_deal_site(site_factory, www)
    assert run_mapsite("deploy", site=site).returncode == 0
    bravo = {path: sha for path, sha in published(www).items() if path.startswith("bravo/")}
    alpha = site / "content" / "deals" / "alpha.md"
    alpha.write_text(alpha.read_text("utf-8").replace("The shared plan.", "The plan, updated."), "utf-8")
    broken = site / "content" / "deals" / "bravo.md"
    broken.write_text(broken.read_text("utf-8").replace("close_date:", "close_dte:"), "utf-8")

    strict = run_mapsite("deploy", site=site)
    assert strict.returncode == 1 and "build stopped" in strict.stderr
    assert "Deployed" not in strict.stdout

    result = run_mapsite("deploy", "--keep-going", site=site)
    assert result.returncode == 1
    line = line_of(broken.read_text("utf-8"), "close_dte:")
    assert f"content/deals/bravo.md:{line}: error: unknown field 'close_dte'" in result.stderr
    assert "content/deals/bravo.md: kept its last good portal" in result.stderr
    assert f"Deployed to {www}:" in result.stdout
    assert "error: the deals with errors (see above) were not updated; fix them and deploy again" in (
        result.stderr
    )
    assert published(www) == published(site / "output")
    assert {path: sha for path, sha in published(www).items() if path.startswith("bravo/")} == bravo
    assert {path.split("/")[0] for path in published(www)} >= {"alpha", "bravo", "charlie"}

    # The partial build in output/ is not published by a plain deploy.
    plain = run_mapsite("deploy", "--no-build", site=site)
    assert plain.returncode == 1
    assert "was built with --keep-going: deals with errors were not rebuilt; nothing was deployed" in (
        plain.stderr
    )
    assert "mapsite deploy --keep-going" in plain.stderr
