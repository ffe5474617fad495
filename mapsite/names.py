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
    """``acme-corp`` -> ``ACME_CORP_PORTAL_PASSWORD``: always a name a shell can export, so a
    name starting with a digit gets a prefix (``3m`` -> ``DEAL_3M_PORTAL_PASSWORD``)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", slug).strip("_").upper()
    if not stem[:1].isalpha():
        stem = f"DEAL_{stem}".rstrip("_")
    return f"{stem}_PORTAL_PASSWORD"
