"""Threads that follow the CPUs this process may use. A container may show every core of its host yet allow one
(a CPU quota): frameworks that start a thread per visible core then fight over that one CPU, and training slows
down many times over. ``import utils`` calls :func:`limit_threads` before any framework loads."""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
# Read when each library loads: OpenMP (PyTorch, oneDNN), OpenBLAS, MKL, TensorFlow's two thread pools.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)


def _quota_cpus() -> float | None:
    """The CPUs this process's cgroup quota allows (the smallest along its path, cgroup v1 or v2), or None if none.

    Reads the process's own cgroup and its ancestors, not only the root as joblib's ``cpu_count`` does: a nested
    cgroup (a systemd slice, ``make run-limited``) sets its quota below the root."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    quotas = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2: "0::/path", quota in cpu.max as "max 100000" or "50000 100000"
            folder, name = CGROUP_ROOT, "cpu.max"
        elif "cpu" in controllers.split(","):  # cgroup v1: quota and period in two files, -1 for none
            folder, name = CGROUP_ROOT / "cpu", "cpu.cfs_quota_us"
        else:
            continue
        parts = Path(path.lstrip("/")).parts
        for depth in range(len(parts) + 1):
            here = folder.joinpath(*parts[:depth])
            try:
                if name == "cpu.max":
                    quota, period = (here / name).read_text().split()
                else:
                    quota, period = (here / name).read_text(), (here / "cpu.cfs_period_us").read_text()
            except (OSError, ValueError):
                continue
            if quota.strip() not in ("max", "-1"):
                quotas.append(int(quota) / int(period))
    return min(quotas) if quotas else None


def usable_cpus() -> int:
    """Return how many CPUs this process may keep busy: those it may run on (its affinity), fewer where a cgroup
    quota allows less (rounded up, at least 1)."""
    allowed = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = _quota_cpus()
    return max(1, min(allowed, math.ceil(quota))) if quota else allowed


def limit_threads() -> int:
    """Size every thread pool to :func:`usable_cpus`; return that number. A value the user has set is kept; one
    inherited from a parent that imported ``utils`` (``make run``'s, outside the container's limits) is not.

    TensorFlow, PyTorch and OpenMP read their variables when they load, hence before Keras is imported; BLAS
    libraries already loaded (NumPy's) are limited now, by threadpoolctl."""
    cpus, ours = usable_cpus(), os.environ.get("DLS_THREADS")
    for variable in THREAD_VARIABLES:
        if os.environ.get(variable) in (None, ours):
            os.environ[variable] = str(cpus)
    os.environ["DLS_THREADS"] = str(cpus)
    one_thread, flags = "--xla_cpu_multi_thread_eigen=false", os.environ.get("XLA_FLAGS", "").split()
    if cpus == 1 and one_thread not in flags:  # JAX: XLA's CPU thread pool knows no count, only one thread or all
        os.environ["XLA_FLAGS"] = " ".join([*flags, one_thread])
    elif cpus > 1 and ours == "1" and one_thread in flags:
        os.environ["XLA_FLAGS"] = " ".join(flag for flag in flags if flag != one_thread)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=int(os.environ["OMP_NUM_THREADS"]))
    return cpus
