"""The deploy section of mapsite.yml: every mistake reported by `mapsite check` with its line."""

from __future__ import annotations

import pytest

from tests.deploy.helpers import add_targets, run_mapsite
from tests.helpers import line_of

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
        # A misspelt required field is one error at its line, not "missing" plus "unknown".
        "error: unknown field 'pth' in deploy target 'www', and the required field 'path' is missing "
        "(hint: did you mean 'path'?)",
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


SECRET = "tok3n"
# A password or token written into the place a target logs in to, as reps paste them from a host's docs.
SECRET_LOCATIONS = [
    (
        "  www: {type: git, remote: 'https://rep:tok3n@github.com/you/deals.git'}\n",
        "remote:",
        "remote of deploy target 'www' has a password or token written into it "
        "(https://***@github.com/you/deals.git)",
        "write remote: https://rep@github.com/you/deals.git and let git's credential helper",
    ),
    (
        "  www: {type: git, remote: 'https://ghp_tok3nTOK3Ntok3n@github.com/you/deals.git'}\n",
        "remote:",
        "remote of deploy target 'www' has a password or token written into it "
        "(https://***@github.com/you/deals.git)",
        "write remote: https://github.com/you/deals.git and let git's credential helper",
    ),
    (
        "  www: {type: git, remote: 'ssh://git:tok3n@git.example.com/deals.git'}\n",
        "remote:",
        "remote of deploy target 'www' has a password or token written into it (ssh://***@git.example.com/deals.git)",
        "write remote: ssh://git@git.example.com/deals.git",
    ),
    (
        "  www: {type: s3, bucket: deals, endpoint_url: 'https://AKIAEXAMPLE:tok3n@minio.example.com'}\n",
        "endpoint_url",
        "endpoint_url of deploy target 'www' has a password or token written into it (https://***@minio.example.com)",
        "write endpoint_url: https://minio.example.com and put the keys in AWS_ACCESS_KEY_ID",
    ),
    (
        "  www: {type: rsync, destination: 'deploy:tok3n@www.example.com:/var/www/deals'}\n",
        "destination:",
        "destination of deploy target 'www' has a password or token written into it "
        "(***@www.example.com:/var/www/deals)",
        "write destination: deploy@www.example.com:/var/www/deals and log in with an SSH key",
    ),
    (
        "  www: {type: sftp, destination: 'sftp://deploy:tok3n@files.example.com/htdocs'}\n",
        "destination:",
        "destination of deploy target 'www' has a password or token written into it "
        "(sftp://***@files.example.com/htdocs)",
        "write destination: user@host:/path and log in with an SSH key",
    ),
]


@pytest.mark.parametrize(("target", "line_text", "message", "hint"), SECRET_LOCATIONS)
def test_a_secret_in_a_location_stops_check_and_deploy_without_being_shown(
    example_site, target, line_text, message, hint
):
    add_targets(example_site, "deploy:\n" + target)
    line = line_of((example_site / "mapsite.yml").read_text("utf-8"), line_text)
    for command, stream in (("check", "stdout"), ("deploy", "stderr")):
        result = run_mapsite(command, site=example_site)
        shown = result.stdout + result.stderr
        assert result.returncode == 1, shown
        assert f"mapsite.yml:{line}: error: {message}" in getattr(result, stream)
        assert hint in shown
        assert SECRET not in shown and "AKIAEXAMPLE" not in shown and "Traceback" not in shown
    # deploy stopped before building, let alone connecting.
    assert not (example_site / "output").exists()


def test_only_history_keep_is_warned(example_site):
    add_targets(example_site, "deploy:\n  plain: {type: git, remote: /srv/pages.git}\n")
    result = run_mapsite("check", site=example_site)
    assert "history" not in result.stdout + result.stderr

    add_targets(example_site, "  kept: {type: git, remote: /srv/pages.git, history: keep}\n")
    result = run_mapsite("check", site=example_site)
    line = line_of((example_site / "mapsite.yml").read_text("utf-8"), "history: keep")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f"mapsite.yml:{line}: warning: history: keep in deploy target 'kept' keeps every earlier build "
        "in the branch" in result.stdout
    )
    assert "(hint: use history: single, the default; docs/deploy.md says how to purge" in result.stdout
