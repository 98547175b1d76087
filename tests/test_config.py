"""Tests of utils.config: the mode flag, data locations and setup."""

import numpy as np
import pytest

from utils import config


@pytest.mark.parametrize(
    "value, fast", [("", False), ("0", False), ("1", True), (" 1 ", True), ("true", None), ("on", None)]
)
def test_fast_mode_and_anything_else_says_how_to_set_it(monkeypatch, value, fast):
    monkeypatch.setenv("DLS_FAST", value)
    if fast is None:
        with pytest.raises(ValueError, match="DLS_FAST=1"):
            config._fast_mode()
    else:
        assert config._fast_mode() is fast


def test_data_dirs_mirror_first_then_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("DLS_DATA_DIR", str(tmp_path / "mirror"))
    monkeypatch.setenv("DLS_CACHE_DIR", str(tmp_path / "cache"))
    assert config.data_dirs() == [tmp_path / "mirror", tmp_path / "cache"]
    monkeypatch.chdir(tmp_path)  # relative paths count from the project root, not the working folder
    monkeypatch.setenv("DLS_DATA_DIR", "../shared/data")
    monkeypatch.setenv("DLS_CACHE_DIR", "build/some-cache")
    assert config.mirror_dir() == (config.PROJECT_ROOT / "../shared/data").resolve()
    assert config.cache_dir() == config.PROJECT_ROOT / "build/some-cache"
    monkeypatch.delenv("DLS_DATA_DIR")
    monkeypatch.delenv("DLS_CACHE_DIR")
    assert config.data_dirs() == [config.PROJECT_ROOT / "data"] and config.mirror_dir() is None


def test_helpers_installed_without_the_project_cache_in_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DLS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path / "site-packages")  # no pyproject.toml there
    assert config.cache_dir() == tmp_path / "user-cache" / "dls"


def test_setup_seeds_reproducibly(capsys):
    config.setup(7)
    first = np.random.rand(3)
    config.setup(7)
    np.testing.assert_array_equal(first, np.random.rand(3))
    printed = capsys.readouterr().out
    assert f"run; backend {config.import_keras().backend.backend()}; seed 7" in printed and "/" not in printed
