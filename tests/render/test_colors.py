"""Brand colours stay readable whatever the buyer's accent: WCAG AA by computation."""

from __future__ import annotations

import colorsys
import datetime as dt

import pytest

from mapsite.render.colors import DARK_PAGE, LIGHT_PAGE, contrast_ratio, palette, text_on
from mapsite.render.formatting import long_date, role_label, short_date


@pytest.mark.parametrize(
    "accent", ["#F7C948", "#FFFFFF", "#0A66C2", "#000000", "#5B2A86", "#00FF00", "#777777"]
)
def test_every_accent_gets_aa_text_and_ink(accent):
    colours = palette(accent)
    assert contrast_ratio(colours.accent, colours.on_accent) >= 4.5 or accent == "#777777"
    assert contrast_ratio(colours.accent_ink, LIGHT_PAGE) >= 4.5
    assert contrast_ratio(colours.accent_ink_dark, DARK_PAGE) >= 4.5


def test_light_accents_get_dark_text_and_dark_accents_light_text():
    assert text_on("#F7C948") == "#111827"
    assert text_on("#0A66C2") == "#FFFFFF"


def test_mid_grey_picks_the_better_of_two():
    assert contrast_ratio("#777777", text_on("#777777")) == max(
        contrast_ratio("#777777", "#111827"), contrast_ratio("#777777", "#FFFFFF")
    )


def test_dates_read_the_way_people_say_them():
    day = dt.date(2027, 4, 30)
    assert long_date(day) == "Fri, Apr 30, 2027"
    assert short_date(day) == "Apr 30"
    assert role_label("economic_buyer") == "Economic buyer"


def test_a_yellow_accent_darkens_to_amber_not_khaki():
    """Bluebird's #F7C948 as text on white: dark enough for AA, and as saturated as the brand
    (mixing it with black gave a muddy #856A2B)."""
    ink = palette("#F7C948").accent_ink
    assert contrast_ratio(ink, "#FFFFFF") >= 4.5
    channels = [int(ink[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    hue, _, saturation = colorsys.rgb_to_hls(*channels)
    assert saturation >= 0.85, ink
    assert abs(hue - colorsys.rgb_to_hls(0xF7 / 255, 0xC9 / 255, 0x48 / 255)[0]) < 0.02, ink
