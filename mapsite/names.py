"""Names mapsite makes from text: slugs, opaque slugs, password variable names.

Reading, validation, import and scaffolding all name things the same way; one module below the
stages keeps those names identical wherever they are made.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

# 12 characters of base32's alphabet: 60 random bits, lower-case, valid in any URL and slug.
OPAQUE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
OPAQUE_LENGTH = 12
SLUG_COMMENT = "# slug: the portal's URL folder, random so that the address names no buyer"


def slugify(text: str) -> str:
    """Lower-case a-z/0-9 words joined by single dashes: 'Acme Corp.' -> 'acme-corp'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def opaque_slug() -> str:
    """A random URL folder that says nothing about the deal and cannot be guessed."""
    return "".join(secrets.choice(OPAQUE_ALPHABET) for _ in range(OPAQUE_LENGTH))


def password_env_name(slug: str) -> str:
    return f"{slug.replace('-', '_').upper()}_PORTAL_PASSWORD"
