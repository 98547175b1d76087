"""Tests of utils.config: the mode flag, data locations and setup."""

import pytest

from utils import config


@pytest.mark.parametrize("value, expected", [("", False), ("0", False), ("1", True), ("true", True), ("off", False)])
def test_fast_flag(monkeypatch, value, expected):
    monkeypatch.setenv("DLS_FAST", value)
    assert config._flag("DLS_FAST") is expected


def test_unclear_flag_says_how_to_set_it(monkeypatch):
    monkeypatch.setenv("DLS_FAST", "maybe")
    with pytest.raises(ValueError, match="DLS_FAST=1"):
        config._flag("DLS_FAST")


def test_data_dirs_mirror_first_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("DLS_DATA_DIR", str(tmp_path / "mirror"))
    monkeypatch.setenv("DLS_CACHE_DIR", str(tmp_path / "cache"))
    assert config.data_dirs() == [tmp_path / "mirror", tmp_path / "cache"]
    assert config.mirror_dir() == tmp_path / "mirror"
    monkeypatch.delenv("DLS_DATA_DIR")
    monkeypatch.delenv("DLS_CACHE_DIR")
    assert config.data_dirs() == [config.PROJECT_ROOT / "data"] and config.mirror_dir() is None


def test_relative_mirror_counts_from_project_root(monkeypatch):
    monkeypatch.setenv("DLS_DATA_DIR", "../shared/data")
    assert config.mirror_dir() == (config.PROJECT_ROOT / "../shared/data").resolve()


def test_setup_seeds_reproducibly(capsys):
    import numpy as np

    config.setup(7)
    first = np.random.rand(3)
    config.setup(7)
    np.testing.assert_array_equal(first, np.random.rand(3))
    printed = capsys.readouterr().out
    import keras

    assert "Mode:" in printed and f"backend: {keras.backend.backend()}" in printed
