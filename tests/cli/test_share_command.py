"""``mapsite share`` as a rep runs it: links belong to one deal, are shown again on demand, and a
link without the site's address is called out (issue 14)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.helpers import TODAY, run


def envelope_kid(page: Path) -> str:
    match = re.search(
        r'<script type="application/json" id="mapsite-envelope">(.*?)</script>', page.read_text()
    )
    assert match, page
    return json.loads(match.group(1))["kid"]


def share(site: Path, *args: str):
    return run("share", *args, "--site", str(site))


def test_revoking_a_label_takes_the_deal_and_touches_no_other_deal(example_site, tmp_path):
    run("build", "--site", str(example_site), "--today", TODAY, "--out", str(tmp_path / "before"))
    for deal in ("acme", "globex"):
        made = share(example_site, deal, "--label", "CFO")
        assert made.returncode == 0, made.stderr
        assert f'Revoke it with: mapsite share {deal} --revoke "CFO"' in made.stdout

    # Two deals hold a "CFO" link: without the deal, nothing is revoked and the rep is told which.
    ambiguous = share(example_site, "--revoke", "CFO")
    assert ambiguous.returncode == 2
    assert (
        'Error: name the deal: mapsite share DEAL --revoke "CFO" (deals with an active link '
        "labelled 'CFO': acme, globex)"
    ) in ambiguous.stderr
    assert "revoked" not in share(example_site, "--list").stdout

    revoked = share(example_site, "globex", "--revoke", "CFO")
    assert revoked.returncode == 0, revoked.stderr
    assert "Revoked the share link 'CFO' of globex." in revoked.stdout
    listed = share(example_site, "--list").stdout
    assert re.search(r"^acme: CFO \(created .*\): active$", listed, re.M)
    assert re.search(r"^globex: CFO \(created .*\): revoked ", listed, re.M)

    # Only the deal named is re-keyed: acme's remembered logins and its CFO link keep working.
    built = run("build", "--site", str(example_site), "--today", TODAY, "--out", str(tmp_path / "after"))
    assert built.returncode == 0, built.stderr
    for deal, rekeyed in (("acme", False), ("globex", True)):
        kids = {envelope_kid(tmp_path / folder / deal / "index.html") for folder in ("before", "after")}
        assert (len(kids) == 2) is rekeyed, deal


def test_show_prints_an_existing_link_again_and_refuses_a_revoked_one(example_site):
    made = share(example_site, "acme", "--label", "Dana (VP Marketing)")
    assert made.returncode == 0, made.stderr
    link = re.search(r"^https://deals\.northwind\.example/acme/#share=\S+$", made.stdout, re.M).group(0)

    shown = share(example_site, "acme", "--show", "Dana (VP Marketing)")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[1] == link
    assert "warning" not in shown.stderr  # mapsite.yml of the example sets base_url

    assert share(example_site, "acme", "--revoke", "Dana (VP Marketing)").returncode == 0
    gone = share(example_site, "acme", "--show", "Dana (VP Marketing)")
    assert gone.returncode == 1
    assert re.search(
        r"error: the share link 'Dana \(VP Marketing\)' of deal 'acme' was revoked on \S+ \(hint: make a "
        r'new one with: mapsite share acme --label "Dana \(VP Marketing\)"\)',
        gone.stderr,
    )
    unknown = share(example_site, "globex", "--show", "Dana (VP Marketing)")
    assert unknown.returncode == 1
    assert "error: deal 'globex' has no share link labelled 'Dana (VP Marketing)'" in unknown.stderr


def test_a_link_without_base_url_is_a_bare_path_and_share_says_so(site_factory):
    site = site_factory.make()  # its mapsite.yml sets no base_url
    made = share(site, "buyer-co", "--label", "Dana")
    assert made.returncode == 0, made.stderr
    assert re.search(r"^/buyer-co/#share=\S+$", made.stdout, re.M)
    assert (
        "warning: mapsite.yml sets no base_url, so this link is only a path: put your site's address in "
        "front of it, or set base_url (e.g. https://deals.example.com/) in mapsite.yml"
    ) in " ".join(made.stderr.split())
    assert "warning: mapsite.yml sets no base_url" in share(site, "buyer-co", "--show", "Dana").stderr


def test_a_share_without_its_label_is_a_usage_error_not_a_bug(site_factory):
    site = site_factory.make()
    for args in (["buyer-co"], ["buyer-co", "--label", "Dana", "--revoke", "Dana"], ["--list", "buyer-co"]):
        result = share(site, *args)
        assert result.returncode == 2, args
        assert re.match(r"Usage: .*mapsite share \[OPTIONS\] \[DEAL\]\n", result.stderr), args
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert (
        "Error: give a DEAL and --label, --show or --revoke LABEL, or --list"
        in share(site, "buyer-co").stderr
    )
