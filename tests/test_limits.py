"""A student's container around a run (course.limits, ``make run-limited``) and threads that follow it
(utils.threads). The cgroup tests need root and writable cgroups, as ``make run-limited`` does: skipped elsewhere."""

import subprocess
import sys
import textwrap

import pytest

from course import limits, run
from utils import threads

# What a notebook's kernel gets, started by a process that imported utils outside the limits (as make run's is).
CHILD_CPUS = "import os, utils; print(utils.config.USABLE_CPUS, os.environ['OMP_NUM_THREADS'])"


def can_make_cgroups() -> bool:
    try:
        with limits.limited("probe", 2**30):
            return True
    except limits.LimitsError:
        return False


needs_cgroups = pytest.mark.skipif(not can_make_cgroups(), reason="cannot make cgroups here (root needed)")


def in_limits(code: str, memory: int, cpus: float | None = None) -> tuple[subprocess.CompletedProcess, limits.Cgroup]:
    with limits.limited("test", memory, cpus) as group:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, preexec_fn=group.enter)
        return done, group


@pytest.mark.parametrize("text, size", [("2G", 2 * 2**30), ("1.5g", 3 * 2**29), ("2048M", 2**31), ("512 MiB", 2**29)])
def test_memory_sizes(text, size):
    assert limits.parse_memory(text) == size


@pytest.mark.parametrize("text", ["2", "two G", "2T", "-1G", ""])
def test_a_bad_memory_size_says_how_to_write_one(text):
    with pytest.raises(ValueError, match="write it like 2G"):
        limits.parse_memory(text)


@needs_cgroups
def test_the_limit_kills_what_outgrows_it_and_measures_the_peak():
    grow = "block = bytearray(400 * 2**20); block[::4096] = b'x' * len(block[::4096])"  # touch every page
    done, _ = in_limits(grow, memory=300 * 2**20)
    assert done.returncode == -9
    with limits.limited("test", 2**30) as group:
        subprocess.run([sys.executable, "-c", grow], check=True, preexec_fn=group.enter)
        assert 400 <= group.peak_memory_mb() <= 1024 and group.out_of_memory_kills() == 0


@needs_cgroups
def test_resident_memory_leaves_out_the_page_cache_of_files_written(tmp_path):
    write_then_hold = textwrap.dedent(f"""
        import time
        with open({str(tmp_path / "big")!r}, "wb") as file:
            for _ in range(300):
                file.write(b"x" * 2**20)  # 300 MB of page cache, charged to the cgroup
        block = b"y" * 200 * 2**20  # 200 MB resident
        time.sleep(0.5)
    """)
    with limits.limited("test", 2**30) as group, group.resident_peak(every=0.05) as resident:
        subprocess.run([sys.executable, "-c", write_then_hold], check=True, preexec_fn=group.enter)
        assert 200 <= resident[0] < 300, resident  # the block, not the file's page cache
        assert group.peak_memory_mb() >= 300 + 200  # the peak counts both


@needs_cgroups
def test_threads_follow_the_cpu_quota_not_the_visible_cores():
    done, _ = in_limits(CHILD_CPUS, memory=2**30, cpus=1)
    assert done.stdout.split() == ["1", "1"], done.stderr
    done, _ = in_limits(CHILD_CPUS, memory=2**30)  # no quota: every CPU it may run on
    assert done.stdout.split() == [str(len(threads.os.sched_getaffinity(0)))] * 2, done.stderr


def test_threads_follow_the_cpu_affinity():
    done = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", CHILD_CPUS], capture_output=True, text=True)
    assert done.stdout.split() == ["1", "1"], done.stderr


def test_every_framework_gets_the_count_and_a_users_setting_stays():
    code = textwrap.dedent("""
        import os
        import utils
        from threadpoolctl import threadpool_info
        print(utils.config.USABLE_CPUS, os.environ["TF_NUM_INTRAOP_THREADS"], os.environ["OMP_NUM_THREADS"],
              {pool["num_threads"] for pool in threadpool_info()}, os.environ.get("XLA_FLAGS"))
    """)
    done = subprocess.run(["taskset", "-c", "0", sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split(maxsplit=4) == ["1", "1", "1", "{1}", "--xla_cpu_multi_thread_eigen=false\n"], done.stderr
    env = dict(threads.os.environ, OMP_NUM_THREADS="3")  # the user's own setting
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.split()[2] == "3", done.stderr


def test_a_v2_quota_is_read_along_the_process_path(fs):
    fs.create_file("/proc/self/cgroup", contents="0::/user.slice/student\n")
    fs.create_file("/sys/fs/cgroup/cpu.max", contents="max 100000\n")
    fs.create_file("/sys/fs/cgroup/user.slice/cpu.max", contents="200000 100000\n")
    fs.create_file("/sys/fs/cgroup/user.slice/student/cpu.max", contents="150000 100000\n")
    assert threads._quota_cpus() == 1.5


def test_without_cgroups_a_run_with_limits_says_what_it_needs(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(limits, "CGROUP_ROOT", tmp_path / "missing")
    monkeypatch.setattr(limits, "_unified", lambda: False)
    assert run.main(["--memory", "2G", "01_mnist"]) == 1
    assert "needs root" in capsys.readouterr().err


@needs_cgroups
def test_make_run_limited_runs_a_notebook_inside_the_limits_and_names_them(tmp_path):
    import nbformat

    def notebook(name, source):
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]), path)
        return path

    touch = "block = bytearray({} * 2**20); block[::4096] = b'x' * len(block[::4096])"
    fits = run.run_notebook(notebook("00_fits", touch.format(100)), memory=2**30, cpus=1)
    assert fits.status == "ok" and fits.limits == "1 GB, 1 CPU" and 100 <= fits.peak_memory_mb <= 1024
    too_big = run.run_notebook(notebook("00_too_big", touch.format(600)), memory=500 * 2**20)
    assert too_big.status == "FAILED" and too_big.error.startswith("out of memory: the 500 MB limit was reached")


@needs_cgroups
def test_any_command_runs_inside_the_limits_and_an_out_of_memory_kill_fails_it(capfd):
    # what make nbval LIMITED=1 does: its processes (the notebooks' kernels too) see one CPU and the memory limit
    assert limits.main(["--memory", "1G", "--cpus", "1", "--", sys.executable, "-c", CHILD_CPUS]) == 0
    out, err = capfd.readouterr()
    assert out.split() == ["1", "1"] and "inside 1 GB, 1 CPU: peak memory" in err
    grow = "block = bytearray(400 * 2**20); block[::4096] = b'x' * len(block[::4096])"
    assert limits.main(["--memory", "300M", "--", sys.executable, "-c", grow]) != 0
    assert "out of memory: the kernel killed 1 process(es) at the 300 MB limit" in capfd.readouterr().err
