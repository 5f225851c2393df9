"""Stopping child processes: every phase, locust and the reference LV run in their own process
group, so one signal reaches everything they started (browsers, workers)."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_procesgroep(proces: subprocess.Popen | None, wacht_s: float = 10) -> None:
    """SIGTERM the process group, SIGKILL it if it has not gone within ``wacht_s`` seconds."""
    if proces is None or proces.poll() is not None:
        return
    try:
        os.killpg(proces.pid, signal.SIGTERM)
        proces.wait(timeout=wacht_s)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proces.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proces.wait()
