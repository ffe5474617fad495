"""``mapsite check`` names every placeholder a blueprint or an import left in a deal, at its line,
and nothing that only looks like one (links, lists, comments). Real processes throughout."""

from __future__ import annotations

from tests.helpers import MINIMAL_DEAL, TODAY, line_of, run


def check(site):
    return run("check", "--site", str(site), "--today", TODAY)


def test_a_new_deal_from_a_blueprint_warns_on_each_placeholder_line(site_factory):
    site = site_factory.make({})
    made = run("new", "Acme Corp", "--close", "2027-06-30", "--blueprint", "smb", "--site", str(site))
    assert made.returncode == 0, made.stderr
    text = (site / "content" / "deals" / "acme-corp.md").read_text("utf-8")
    result = check(site)
    assert result.returncode == 0, result.stdout
    out = result.stdout
    summary = line_of(text, "[Replace with 2 sentences")
    assert (
        f'content/deals/acme-corp.md:{summary}: warning: placeholders still in the plan: "[Replace with 2 '
        'sentences in the buyer\'…", "[hours or cost]" (hint: write the real text (or delete it): the '
        "buyer sees the portal as it is written)"
    ) in out
    champion = line_of(text, '"Champion (name)"')
    assert f'content/deals/acme-corp.md:{champion}: warning: placeholder still in the plan: "(name)"' in out
    metric = line_of(text, "[Time or cost saved")
    assert (
        f'acme-corp.md:{metric}: warning: placeholders still in the plan: "[Time or cost saved, e.g.' in out
    )
    body = line_of(text, "[Replace: what Acme Corp wants")
    assert f'acme-corp.md:{body}: warning: placeholder still in the plan: "[Replace: what Acme Corp' in out
    # Every "(name)" of the blueprint, one warning per line; the YAML comment about them is no text.
    names = [line for line in text.splitlines() if "(name)" in line and not line.startswith("#")]
    assert len(names) == 4
    assert out.count('placeholder still in the plan: "(name)"') == len(names)


def test_links_lists_and_comments_are_not_placeholders(site_factory):
    deal = (
        MINIMAL_DEAL.replace(
            "The shared plan.",
            "<!-- [Replace: the rep's note] -->\nSee [the proposal](https://example.com/p) and [our terms][t].\n\n"
            "[t]: https://example.com/terms\n\n- [x] Demo booked\n\n```\n[not text for the buyer]\n```\n"
            "Owner: Dana (name) for now.\n",
        )
        .replace("title: VP Marketing", 'title: "VP ..."')
        .replace("stakeholders:", "stakeholders:  # [who signs]")
    )
    site = site_factory.make({"buyer-co.md": deal})
    result = check(site)
    assert result.returncode == 0
    warnings = [line for line in result.stdout.splitlines() if "placeholder" in line]
    assert warnings == [
        f"content/deals/buyer-co.md:{line_of(deal, 'VP ...')}: warning: placeholder still in the plan: "
        '"VP ..." (hint: write the real text (or delete it): the buyer sees the portal as it is written)',
        f"content/deals/buyer-co.md:{line_of(deal, 'Dana (name)')}: warning: placeholder still in the plan: "
        '"(name)" (hint: write the real text (or delete it): the buyer sees the portal as it is written)',
    ]
