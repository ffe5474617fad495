"""The benchmark's memory sampler counts every process a command starts, as it starts them."""

from __future__ import annotations

import sys

from bench.measure import run_measured

# A parent that starts a child after a while; the child starts a grandchild that holds 150 MB.
FAMILY = """
import os, time
time.sleep(0.3)
if os.fork() == 0:
    if os.fork() == 0:
        held = bytearray(150_000_000)
        time.sleep(0.6)
        os._exit(0)
    os.wait()
    os._exit(0)
os.wait()
print("done")
"""


def test_a_grandchild_started_late_is_counted_in_the_peak():
    run = run_measured([sys.executable, "-c", FAMILY])
    assert run.stdout == "done\n"
    # Three interpreters of ~10 MB each, and the grandchild's 150 MB.
    assert 150 < run.peak_rss_mb < 250, run.peak_rss_mb


def test_a_command_alone_is_its_own_memory():
    command = "import time; held = bytearray(60_000_000); time.sleep(0.3); print('done')"
    run = run_measured([sys.executable, "-c", command])
    assert run.stdout == "done\n"
    assert 60 < run.peak_rss_mb < 100, run.peak_rss_mb
