"""The machine a benchmark ran on, written next to its figures so they can be compared fairly."""

from __future__ import annotations

import os
import platform


def machine() -> dict[str, object]:
    return {
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }
