"""Measuring a run: the peak memory of a process, the one way the project computes it."""

from __future__ import annotations

import sys


def peak_memory_mb(children: bool = False) -> float | None:
    """Return the peak resident memory in MB (2**20 bytes) of this process or, with ``children``, of the largest of
    its finished child processes; None where the platform records no such peak (children on Windows)."""
    try:
        import resource
    except ImportError:  # Windows: psutil reads the peak working set of this process
        if children:
            return None
        import psutil

        return psutil.Process().memory_info().peak_wset / 2**20
    usage = resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF)
    # ru_maxrss is in kilobytes on Linux, in bytes on macOS
    return usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
