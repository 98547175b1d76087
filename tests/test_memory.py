import ctypes

import pytest
from IPython.core.interactiveshell import InteractiveShell

from utils import memory


class RecordingLibc:
    def __init__(self, calls):
        self.calls = calls

    def malloc_trim(self, pad):
        self.calls.append(pad)
        return 1


@pytest.fixture
def shell():
    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()


def test_the_kernel_trims_after_every_cell_with_one_hook(shell, monkeypatch):
    calls = []
    monkeypatch.setattr(ctypes, "CDLL", lambda name: RecordingLibc(calls))
    assert memory.trim_memory_after_each_cell() and memory.trim_memory_after_each_cell()  # setup() run twice
    shell.run_cell("x = [0] * 1000")
    shell.run_cell("del x")
    assert calls == [0, 0]


def test_no_trimming_without_glibc_or_outside_ipython(shell, monkeypatch):
    monkeypatch.setattr(ctypes, "CDLL", lambda name: object())  # a C library without malloc_trim (macOS)
    assert not memory.trim_memory_after_each_cell()
    assert not shell.events.callbacks["post_run_cell"]
    InteractiveShell.clear_instance()
    monkeypatch.undo()
    assert not memory.trim_memory_after_each_cell()
