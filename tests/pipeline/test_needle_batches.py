"""The leak audit reads the protected deals' needles in batches (pipeline/audit.needle_batches),
so a site of any size never holds them all in memory: a leak is found whichever batch its
deal is in, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest

from mapsite.errors import MapsiteError
from mapsite.pipeline import audit
from mapsite.pipeline.build import build
from tests.helpers import add_site_theme


@pytest.mark.parametrize("batch", [1, 100_000])
def test_a_leak_of_any_deal_is_found_whatever_the_batches(example_site, monkeypatch, batch):
    monkeypatch.setattr(audit, "NEEDLE_BATCH", batch)  # 1: every deal is a batch of its own
    templates = add_site_theme(example_site, "leaky")
    (templates / "landing.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Our customers: Acme Corp and Globex Logistics'
        "</p>{% endblock %}",
        "utf-8",
    )
    with pytest.raises(MapsiteError) as stopped:
        build(example_site, today=dt.date(2027, 2, 22))
    leaks = {(f.path, f.message) for f in stopped.value.findings}
    assert leaks == {
        ("index.html", "leak: the contents show the buyer 'Acme Corp' of protected deal 'acme'"),
        ("index.html", "leak: the contents show the buyer 'Globex Logistics' of protected deal 'globex'"),
    }
    assert not (example_site / "output").exists()
