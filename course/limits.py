"""A student's container around a notebook run (or any command: ``python -m course.limits``): a cgroup with a memory limit (no swap) and, on request, a CPU quota
(like ``docker run --memory 2g --cpus 1``: every core stays visible, one CPU's worth of time is allowed).

The cgroup also measures the run the way a container limit counts it: its peak memory covers every process in it
(the kernel, its children, their page cache). Creating one needs root, or a delegated cgroup v2 subtree, and
``/sys/fs/cgroup`` mounted read-write; cgroup v1 (memory and cpu hierarchies) and v2 are both supported.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from utils.threads import CGROUP_ROOT

PERIOD_US = 100_000  # the scheduler period a CPU quota is a share of


class LimitsError(RuntimeError):
    """The limits cannot be set up here; the message says why and what to do."""


def parse_memory(text: str) -> int:
    """Return the bytes of a size like ``2G``, ``1.5G`` or ``2048M`` (powers of 1024); ValueError otherwise."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG])i?B?\s*", text, flags=re.IGNORECASE)
    if not found:
        raise ValueError(f"{text!r} is not a memory size: write it like 2G, 1.5G or 2048M")
    return int(float(found[1]) * 1024 ** "KMG".index(found[2].upper()) * 1024)


def describe_limits(memory: int, cpus: float | None) -> str:
    """Return limits as the summary shows them, e.g. "2 GB, 1 CPU"."""
    size = f"{memory / 2**30:g} GB" if memory % 2**28 == 0 else f"{memory / 2**20:.0f} MB"
    return size + (f", {cpus:g} CPU" if cpus else "")


@dataclass
class Cgroup:
    """A cgroup made for one run: its folders (one per v1 hierarchy, or the one v2 folder)."""

    folders: list[Path]
    version: int

    @property
    def memory_folder(self) -> Path:
        return self.folders[0]

    def enter(self) -> None:
        """Move the calling process into the cgroup (``subprocess``'s ``preexec_fn``: the child, before it starts)."""
        for folder in self.folders:
            (folder / "cgroup.procs").write_text(str(os.getpid()))

    def peak_memory_mb(self) -> float:
        """The highest memory use of all processes that ran in the cgroup, in MB (2**20 bytes)."""
        name = "memory.max_usage_in_bytes" if self.version == 1 else "memory.peak"
        return int((self.memory_folder / name).read_text()) / 2**20

    def resident_mb(self) -> float:
        """The memory its processes hold now that the kernel cannot drop (anonymous memory; there is no swap), in MB.
        The peak also counts the page cache of every file read (TensorFlow's libraries alone are about 1 GB), which
        the kernel drops when the limit is near: what decides whether a run fits is this part."""
        stat = dict(line.split() for line in (self.memory_folder / "memory.stat").read_text().splitlines())
        return int(stat["total_rss" if self.version == 1 else "anon"]) / 2**20

    @contextmanager
    def resident_peak(self, every: float = 0.2) -> Iterator[list[float]]:
        """Sample :meth:`resident_mb` every ``every`` seconds inside the ``with`` block (neither cgroup version keeps
        its peak); yield a one-item list that holds the highest sample so far."""
        highest, done = [0.0], threading.Event()

        def sample() -> None:
            while True:
                highest[0] = max(highest[0], self.resident_mb())
                if done.wait(every):
                    return

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            yield highest
        finally:
            done.set()
            sampler.join()

    def out_of_memory_kills(self) -> int:
        """How many processes the kernel killed in the cgroup because it reached its memory limit."""
        events = (self.memory_folder / ("memory.oom_control" if self.version == 1 else "memory.events")).read_text()
        found = re.search(r"^oom_kill (\d+)", events, flags=re.MULTILINE)
        return int(found[1]) if found else 0


def _unified() -> bool:
    """Whether the cgroups here are v2 (one unified hierarchy) rather than v1 (one per controller)."""
    return (CGROUP_ROOT / "cgroup.controllers").exists()


NEEDS = (
    "Setting a memory or CPU limit needs root (or a delegated cgroup v2 subtree) and /sys/fs/cgroup mounted "
    "read-write; run as root, or without the limits."
)


def _write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError as error:
        raise LimitsError(f"Cannot set {path} ({error.strerror or error}). {NEEDS}") from error


@contextmanager
def limited(name: str, memory: int, cpus: float | None = None) -> Iterator[Cgroup]:
    """Yield a new cgroup ``dls-<name>-<pid>`` allowing ``memory`` bytes (no swap) and, if given, ``cpus`` CPUs'
    worth of time; remove it afterwards. Raises LimitsError where cgroups cannot be made (see the module's doc)."""
    leaf = f"dls-{name}-{os.getpid()}"
    v2 = _unified()
    if v2:
        # A v2 cgroup that holds processes cannot pass controllers down: the new one goes beside the root's children.
        _write(CGROUP_ROOT / "cgroup.subtree_control", "+memory" + (" +cpu" if cpus else ""))
        folders = [CGROUP_ROOT / leaf]
    else:
        folders = [CGROUP_ROOT / "memory" / leaf] + ([CGROUP_ROOT / "cpu" / leaf] if cpus else [])
    try:
        for folder in folders:
            try:
                folder.mkdir()
            except OSError as error:
                raise LimitsError(f"Cannot create {folder} ({error.strerror or error}). {NEEDS}") from error
        if v2:
            _write(folders[0] / "memory.max", str(memory))
            _write(folders[0] / "memory.swap.max", "0")
            if cpus:
                _write(folders[0] / "cpu.max", f"{round(cpus * PERIOD_US)} {PERIOD_US}")
        else:
            _write(folders[0] / "memory.limit_in_bytes", str(memory))
            if (folders[0] / "memory.memsw.limit_in_bytes").exists():  # memory plus swap: no swap either
                _write(folders[0] / "memory.memsw.limit_in_bytes", str(memory))
            if cpus:
                _write(folders[1] / "cpu.cfs_period_us", str(PERIOD_US))
                _write(folders[1] / "cpu.cfs_quota_us", str(round(cpus * PERIOD_US)))
        yield Cgroup(folders, version=2 if v2 else 1)
    finally:
        for folder in (folder for folder in folders if folder.exists()):
            for _ in range(50):  # the last process may still be leaving
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    """``python -m course.limits --memory 2G [--cpus 1] -- COMMAND...``: run COMMAND (and all it starts) inside a
    student's container; print its peak memory afterwards; return COMMAND's exit status (1 if it was out of memory)."""
    parser = argparse.ArgumentParser(description=main.__doc__.split(";")[0])
    parser.add_argument("--memory", type=parse_memory, required=True, help="the cgroup's size, e.g. 2G")
    parser.add_argument("--cpus", type=float, help="and this CPU quota, e.g. 1")
    parser.add_argument("command", nargs="+", help="the command, after --")
    args = parser.parse_args(argv)
    inside = describe_limits(args.memory, args.cpus)
    try:
        with limited("command", args.memory, args.cpus) as group, group.resident_peak() as resident:
            status = subprocess.run(args.command, preexec_fn=group.enter).returncode
            kills = group.out_of_memory_kills()
            peak = group.peak_memory_mb()
    except LimitsError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"inside {inside}: peak memory {peak:.0f} MB (resident {resident[0]:.0f} MB)", file=sys.stderr)
    if kills:
        print(f"out of memory: the kernel killed {kills} process(es) at the {inside} limit", file=sys.stderr)
        return status or 1
    return status


if __name__ == "__main__":
    sys.exit(main())
