"""The deploy section of mapsite.yml: every mistake reported by `mapsite check` with its line."""

from __future__ import annotations

import pytest

from tests.conftest import line_of
from tests.deploy.conftest import add_targets, run_mapsite

CASES = [
    (
        "  www: {type: ftp, path: /srv}\n",
        "type: ftp",
        "error: 'type' in deploy target 'www' is 'ftp'; expected one of: git, s3, rsync, sftp, folder",
    ),
    (
        "  www: {type: rsync, destination: www.example.com/var/www}\n",
        "destination:",
        "error: destination 'www.example.com/var/www' of deploy target 'www' is not user@host:/path",
    ),
    (
        "  www: {type: sftp, destination: 'deploy@host:/srv', port: 70000}\n",
        "port: 70000",
        "error: port '70000' of deploy target 'www' must be a number from 1 to 65535",
    ),
    (
        "  www: {type: git, cname: 'https://deals.example.com/'}\n",
        "cname:",
        "error: cname 'https://deals.example.com/' in deploy target 'www' is not a domain name",
    ),
    (
        "  www: {type: git, branch: 'gh..pages'}\n",
        "branch:",
        "error: 'gh..pages' is not a valid branch name in deploy target 'www'",
    ),
    (
        "  www: {type: s3, region: eu-west-1}\n",
        "www:",
        "error: deploy target 'www' is missing the required field 'bucket'",
    ),
    (
        "  www: {type: s3, bucket: deals, endpoint_url: 'r2.example.com'}\n",
        "endpoint_url",
        "error: endpoint_url 'r2.example.com' of deploy target 'www' is not an http(s) URL",
    ),
    (
        "  www: {type: s3, bucket: deals, headers: [{match: '*.html'}]}\n",
        "headers:",
        "error: a headers entry of deploy target 'www' sets no header",
    ),
    (
        "  www: {type: rsync, destination: 'me@host:/srv', password: hunter22}\n",
        "password: hunter22",
        "error: 'password' in deploy target 'www' looks like a credential",
    ),
    (
        "  www: {type: folder, path: content/www}\n",
        "content/www",
        "error: the folder 'content/www' of deploy target 'www' lies inside the site's sources",
    ),
    (
        "  www: {type: folder, pth: /srv/www}\n",
        "www:",
        "error: deploy target 'www' is missing the required field 'path'",
    ),
]


@pytest.mark.parametrize(("target", "line_text", "message"), CASES)
def test_check_names_the_line_of_each_deploy_mistake(example_site, target, line_text, message):
    add_targets(example_site, "deploy:\n" + target)
    result = run_mapsite("check", site=example_site)
    line = line_of((example_site / "mapsite.yml").read_text("utf-8"), line_text)
    assert result.returncode == 1
    assert f"mapsite.yml:{line}: {message}" in result.stdout
    assert "hunter22" not in result.stdout + result.stderr


def test_a_misspelt_option_gets_a_suggestion(example_site, tmp_path):
    add_targets(example_site, f"deploy:\n  www:\n    type: folder\n    path: {tmp_path}/www\n    pahts: x\n")
    result = run_mapsite("check", site=example_site)
    line = line_of((example_site / "mapsite.yml").read_text("utf-8"), "pahts")
    assert (
        f"mapsite.yml:{line}: warning: unknown field 'pahts' in deploy target 'www' (hint: did you mean 'path'?)"
        in (result.stdout)
    )
