"""Brand colours that stay readable: text colour chosen by WCAG contrast, never assumed.

A buyer's accent can be anything from navy to pale yellow. Text placed on it, and the accent used
as text on the page background, are adjusted here until they meet WCAG AA (4.5:1).
"""

from __future__ import annotations

import colorsys
import functools
from dataclasses import dataclass

AA = 4.5
DARK_TEXT = "#111827"
LIGHT_TEXT = "#FFFFFF"
LIGHT_PAGE = "#FFFFFF"
DARK_PAGE = "#111418"


def _channels(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def relative_luminance(color: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(background: str) -> str:
    """Dark or light text, whichever contrasts more with ``background``."""
    dark, light = contrast_ratio(background, DARK_TEXT), contrast_ratio(background, LIGHT_TEXT)
    return DARK_TEXT if dark >= light else LIGHT_TEXT


def readable_against(color: str, background: str, minimum: float = AA) -> str:
    """``color`` made just dark (or light) enough to reach ``minimum`` on ``background``.

    Only the lightness moves, hue and saturation stay: mixing a yellow with black greys it into
    khaki, while a darker yellow of the same saturation is a warm amber that still reads as the brand.
    """
    if contrast_ratio(color, background) >= minimum:
        return color.upper()
    darker = relative_luminance(background) > 0.18
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in _channels(color)))
    for step in range(1, 101):
        shade = lightness * (1 - step / 100) if darker else lightness + (1 - lightness) * step / 100
        red, green, blue = colorsys.hls_to_rgb(hue, shade, saturation)
        candidate = f"#{round(red * 255):02X}{round(green * 255):02X}{round(blue * 255):02X}"
        if contrast_ratio(candidate, background) >= minimum:
            return candidate
    return DARK_TEXT if darker else LIGHT_TEXT


@dataclass(frozen=True)
class Palette:
    """The CSS custom properties a portal is branded with."""

    accent: str
    on_accent: str
    accent_ink: str
    accent_ink_dark: str


@functools.cache
def palette(accent: str | None, fallback: str = "#2F5BEA") -> Palette:
    """The portal's colours for a brand's accent. Every page of a deal and every login page asks
    for one; searching for a readable ink takes ~170 contrast ratios, so each accent is worked
    out once per process."""
    base = (accent or fallback).upper()
    return Palette(
        accent=base,
        on_accent=text_on(base),
        accent_ink=readable_against(base, LIGHT_PAGE),
        accent_ink_dark=readable_against(base, DARK_PAGE),
    )
