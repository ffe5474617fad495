"""Writing a file so that a reader sees the old bytes or the new ones, never half of either.

Every file mapsite keeps (secrets, caches, build records, receipts, the output, the preview) is
replaced the same way: a temporary file beside the target, then one rename. The temporary
name carries the process id, so two processes writing the same file never share one.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(target: Path, content: bytes | str, private: bool = False) -> None:
    """Replace ``target`` whole; ``private`` files are created readable by their owner only."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
