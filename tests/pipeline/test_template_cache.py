"""The theme's compiled templates, kept in .mapsite/templates/ between runs (render/template_cache.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import marshal
import pickle
from pathlib import Path

import jinja2
from jinja2.bccache import bc_magic

from mapsite.pipeline.build import build
from mapsite.protect.envelope import PREFIX, hmac_sha256
from mapsite.protect.secrets import site_secret
from mapsite.render.theme import default_theme_dir
from tests.helpers import TODAY, add_site_theme, run, tree

DAY = dt.date.fromisoformat(TODAY)


def compiled_during(monkeypatch, action) -> list[str]:
    """The templates Jinja compiled from source while ``action`` ran."""
    names: list[str] = []
    compile_ = jinja2.Environment.compile

    def counted(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return compile_(self, source, name, filename, raw, defer_init)

    with monkeypatch.context() as patch:
        patch.setattr(jinja2.Environment, "compile", counted)
        action()
    return names


def test_a_second_build_loads_the_templates_it_compiled_and_writes_the_same_bytes(
    example_site, tmp_path, monkeypatch
):
    first = compiled_during(monkeypatch, lambda: build(example_site, tmp_path / "first", today=DAY))
    assert {"deal.html", "login.html", "404.html"} <= set(first)
    kept = sorted((example_site / ".mapsite" / "templates").iterdir())
    assert len(kept) == len(set(first))
    second = compiled_during(monkeypatch, lambda: build(example_site, tmp_path / "second", today=DAY))
    assert second == []
    assert tree(tmp_path / "first") == tree(tmp_path / "second")


def planted(template: Path, marker: Path) -> bytes:
    """A cache file for ``template`` as an attacker would write it: the right checksum of its
    source, and code that, once loaded, creates ``marker``."""
    checksum = hashlib.sha1(template.read_bytes()).hexdigest()
    code = compile(f"open({str(marker)!r}, 'w').close()", str(template), "exec")
    return bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(code)


def cache_file(site: Path, name: str) -> Path:
    """Where the build keeps the compiled template ``name`` of the default theme."""
    filename = str(default_theme_dir() / "templates" / name)
    key = jinja2.BytecodeCache().get_cache_key(name, filename)
    return site / ".mapsite" / "templates" / f"{key}.cache"


def test_a_cache_file_planted_without_the_site_key_is_never_run(example_site, tmp_path):
    assert run("build", "--site", str(example_site), "--today", TODAY).returncode == 0
    target = cache_file(example_site, "404.html")
    assert target.is_file()
    marker = tmp_path / "ran"
    body = planted(default_theme_dir() / "templates" / "404.html", marker)
    forged = hmac.digest(b"a key that is not the site's" * 2, body, hashlib.sha256)
    target.write_bytes(forged + body)

    again = run("build", "--site", str(example_site), "--today", TODAY, "--force")
    assert again.returncode == 0, again.stderr
    assert not marker.exists()
    assert "Page not found" in (example_site / "output" / "404.html").read_text("utf-8")
    assert target.read_bytes()[32:].startswith(bc_magic) and target.read_bytes()[32:] != body

    # The same file sealed with the site's own key is loaded and run: the check above is what
    # stood between the planted code and the build.
    secret, _ = site_secret(example_site, create=False)
    key = hmac_sha256(secret, f"{PREFIX}template-cache")
    sealed = hmac.digest(key, target.name.removesuffix(".cache").encode() + b"\0" + body, hashlib.sha256)
    target.write_bytes(sealed + body)
    run("build", "--site", str(example_site), "--today", TODAY, "--force")
    assert marker.exists()


def test_an_edited_site_template_is_compiled_again(example_site):
    templates = add_site_theme(example_site, "ours")
    (templates / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}Gone fishing{% endblock %}'
    )
    assert run("build", "--site", str(example_site), "--today", TODAY).returncode == 0
    assert "Gone fishing" in (example_site / "output" / "404.html").read_text("utf-8")
    (templates / "404.html").write_text('{% extends "base.html" %}{% block content %}Back soon{% endblock %}')
    assert run("build", "--site", str(example_site), "--today", TODAY).returncode == 0
    page = (example_site / "output" / "404.html").read_text("utf-8")
    assert "Back soon" in page and "Gone fishing" not in page


def test_a_cache_folder_that_cannot_be_written_leaves_the_build_as_it_was(example_site, tmp_path):
    (example_site / ".mapsite").mkdir(exist_ok=True)
    (example_site / ".mapsite" / "templates").write_text("not a folder")
    built = run("build", "--site", str(example_site), "--today", TODAY, "--out", str(tmp_path / "out"))
    assert built.returncode == 0, built.stderr
    assert "templates" not in built.stdout + built.stderr
    assert (tmp_path / "out" / "acme" / "index.html").is_file()


def test_a_command_that_only_reads_keeps_no_templates(example_site):
    assert run("build", "--site", str(example_site), "--today", TODAY).returncode == 0
    (example_site / ".mapsite" / "templates").rename(example_site / "kept-before")
    for command in (["check", "--today", TODAY], ["status", "--today", TODAY], ["share", "--list"]):
        assert run(*command, "--site", str(example_site)).returncode == 0
    assert not (example_site / ".mapsite" / "templates").exists()
