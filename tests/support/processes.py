"""Processes a test started and what they started in turn, found after the parent died (Linux /proc)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path


def in_session(sid: int) -> list[int]:
    """Live processes (not zombies) of session `sid`. A child started with `start_new_session=True`
    leads a session whose id is its pid; whatever it starts joins that session and stays in it after
    the child is killed and they are handed to init."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        state, _ppid, _pgrp, session = stat[stat.rindex(")") + 2 :].split()[:4]
        if int(session) == sid and state != "Z":
            found.append(int(entry.name))
    return found


def survivors(sid: int, wait_s: float) -> list[int]:
    """The processes of session `sid` still alive after waiting up to `wait_s` seconds for them to
    end; they are then killed (they are the test's own), and their pids returned."""
    deadline = time.monotonic() + wait_s
    while (left := in_session(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left
