"""The page a rep sees in the browser while a file is broken: what, where, and the lines.

Drawn without the theme (the theme itself may be what is broken), and carrying the preview
client so the portal comes back by itself once the file is fixed.
"""

from __future__ import annotations

from pathlib import Path

from markupsafe import escape

from mapsite.errors import Finding

CONTEXT_LINES = 3
STYLE = """
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;
background:#fff7f7;color:#1f2937}
main{max-width:960px;margin:0 auto;padding:32px 20px}h1{font-size:1.5rem;color:#991b1b;margin:0 0 8px}
.finding{background:#fff;border:1px solid #fecaca;border-radius:10px;padding:16px 20px;margin:16px 0}
.where{font-family:ui-monospace,monospace;font-weight:600}.hint{color:#4b5563}
pre{background:#111827;color:#e5e7eb;border-radius:8px;padding:12px 0;overflow-x:auto;font-size:14px}
pre span{display:block;padding:0 16px;white-space:pre}.error-line{background:#7f1d1d;color:#fff}
.error-line::before{content:"\\25B6 ";}
"""


def error_page(findings: list[Finding], site_dir: Path, client_script: str) -> bytes:
    errors = [f for f in findings if f.is_error]
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Build error</title><style>{STYLE}</style></head><body><main>",
        f"<h1>mapsite cannot build this page: {len(errors)} error{'s' * (len(errors) != 1)}</h1>",
        "<p>Fix the file and save it: this page comes back by itself.</p>",
    ]
    for finding in errors:
        parts.append(f'<section class="finding"><p class="where">{escape(finding.where)}</p>')
        parts.append(f'<p class="message">{escape(finding.message)}</p>')
        if finding.hint:
            parts.append(f'<p class="hint">Hint: {escape(finding.hint)}</p>')
        parts.append(_excerpt(site_dir / finding.path, finding.line))
        parts.append("</section>")
    parts.append(f'<script src="{client_script}"></script></main></body></html>')
    return "".join(parts).encode("utf-8")


def _excerpt(path: Path, line: int | None) -> str:
    if not line:
        return ""
    try:
        lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    start, end = max(line - CONTEXT_LINES, 1), min(line + CONTEXT_LINES, len(lines))
    rows = []
    for number in range(start, end + 1):
        css = ' class="error-line"' if number == line else ""
        rows.append(f"<span{css}>{number:>4}  {escape(lines[number - 1])}</span>")
    return "<pre>" + "".join(rows) + "</pre>"
