"""Stylesheets and scripts as they are published: without comments and layout whitespace.

Every portal's reader downloads the stylesheet and the scripts before the plan is readable
(the benchmark's "portal shell", with a 40 KB gzipped budget). Written to be read, with comments
that say why, they had grown to 56.6 KB gzipped; published minified they are ~38 KB, measured on
the default theme. rcssmin and rjsmin (one maintainer, used by django-compressor and webassets
for over a decade) only remove what the languages ignore: comments, and whitespace that
separates nothing. They rename and rewrite nothing, so the published script reads as its source
does, and the source stays what a reviewer reads.

rjsmin's documented limit is a template literal nested inside another's ``${...}``: it takes
the inner one for code and drops spaces from its text (measured: " instead of" lost its space).
mapsite's own scripts are written without them (a test holds them to it), and a script of a
site's own theme is published as written: its author may not know the limit.
"""

from __future__ import annotations

import re

import rcssmin
import rjsmin

# A backtick after "${" and before the "}" that closes it: a template nested in a template.
NESTED_TEMPLATE = re.compile(r"\$\{[^}`]*`")


def minified(name: str, content: bytes, own: bool) -> bytes:
    """``content`` of the static file ``name`` as published; ``own``: one of mapsite's own."""
    if name.endswith(".css"):
        return rcssmin.cssmin(content.decode("utf-8")).encode("utf-8")
    if name.endswith(".js") and own:
        script = content.decode("utf-8")
        if not NESTED_TEMPLATE.search(script):
            return rjsmin.jsmin(script).encode("utf-8")
    return content
