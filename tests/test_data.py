"""Tests of utils.data and ``make data``: the loaders on the mirror, and every fault the data layer must answer.

The network is a local server (``serve``), operating-system faults are made in a fake file system (``fake_fs``), and
the real mirror is used where real data matters, copied when a test alters it.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import io
import itertools
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import zipfile
from functools import partial
from pathlib import Path
from unittest.mock import Mock

import numpy as np
import pytest
from conftest import MIRROR, needs_mirror
from PIL import Image

from course import data as make_data
from utils import config, data
from utils.data import ChecksumError, DataAccessError, DataUnavailableError, cats_vs_dogs, loaders, store
from utils.data.sources import SOURCES, Source
from utils.text import decode


def sha256(payload: bytes) -> str:
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/gone.bin"


def fake_source(monkeypatch, url: str | None, payload: bytes, key: str = "boston_housing") -> None:
    """Register ``fake.bin`` as the source ``key``, proven by the checksum of ``payload``."""
    checksum = sha256(payload)
    monkeypatch.setitem(
        SOURCES, key, Source("fake.bin", url, checksum if url else None, None if url else checksum, "a fake data set")
    )


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_mnist_from_mirror(mirror):
    X, y = data.load_mnist()
    assert X.shape == (70000, 784) and X.dtype == np.uint8 and y.shape == (70000,) and y.dtype == np.uint8
    assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4] and data.MNIST_TRAIN_SIZE == 60000


def test_reuters_topic_and_boston_feature_names(mirror):  # the arrays: test_loaders_equal_keras_own
    topics = data.reuters_topic_names()
    assert topics[3] == "earn" and len(topics) == 46 and len(data.BOSTON_FEATURE_NAMES) == 13
    assert json.loads((mirror / "reuters_labels.json").read_text()) == topics


@pytest.mark.parametrize(
    "name, kwargs",
    [("imdb", {"num_words": 10000}), ("reuters", {"num_words": 10000}), ("imdb", {}), ("boston_housing", {})],
)
def test_loaders_equal_keras_own(mirror, monkeypatch, imdb_mirror, name, kwargs):
    keras_module = importlib.import_module(f"keras.src.datasets.{name}")
    # Hand Keras the mirror's file: its own hash check knows only the original bytes (same content).
    monkeypatch.setattr(keras_module, "get_file", lambda *args, **kw: str(mirror / f"{name}.npz"))
    (kx, ky), (kx_test, ky_test) = keras_module.load_data(**kwargs)
    loaded_once = name == "imdb" and kwargs == {"num_words": 10000}
    (x, y), (x_test, y_test) = imdb_mirror if loaded_once else getattr(data, f"load_{name}")(**kwargs)
    for ours, theirs in ((x, kx), (y, ky), (x_test, kx_test), (y_test, ky_test)):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        if ours.dtype == object:
            assert all(type(a) is list and a == b for a, b in zip(ours, theirs))
        else:
            np.testing.assert_array_equal(ours, theirs)


def test_word_index_and_decode(mirror, imdb_mirror):
    word_index = data.load_word_index("imdb")
    assert len(word_index) == 88584 and word_index["the"] == 1 and len(data.load_word_index("reuters")) == 30979
    assert decode(imdb_mirror[0][0][0][:6], word_index) == "? this film was just brilliant"


def test_cats_vs_dogs_from_mirror(mirror):
    root = cats_vs_dogs.cats_vs_dogs_dir()
    assert root == mirror / "cats_vs_dogs_small"
    for split, per_class in cats_vs_dogs.SPLITS.items():
        assert [len(list((root / split / cls).glob("*.jpg"))) for cls in ("cats", "dogs")] == [per_class] * 2


@pytest.mark.parametrize(
    "load, match",
    [
        (partial(load, num_words=n), "num_words")
        for load, n in itertools.product((data.load_imdb, data.load_reuters), (0, 3, -5, "10000", 2.5, True))
    ]
    + [
        (partial(data.load_reuters, test_split=1.5), "test_split"),
        (partial(data.load_boston_housing, test_split=0), "test_split"),
        (partial(data.load_word_index, "wikipedia"), "imdb"),
        (partial(data.fetch, "cifar"), "known"),
        (partial(data.load_cats_vs_dogs, batch_size=0), "batch_size"),
        (partial(data.load_cats_vs_dogs, image_size=(150,)), "image_size"),
    ],
)
def test_bad_arguments(load, match):
    with pytest.raises(ValueError, match=match):
        load()


def test_download_verifies_caches_and_shares(cache, serve, monkeypatch):
    payload = b"fake weights " * 1000
    fake_source(monkeypatch, serve("/fake.bin", payload), payload)
    old_umask = os.umask(0o077)  # a private umask must not make the cache private
    try:
        path = data.fetch("boston_housing")
    finally:
        os.umask(old_umask)
    assert path == cache / "fake.bin" and path.read_bytes() == payload
    assert stat.S_IMODE(path.stat().st_mode) == 0o644 and stat.S_IMODE(cache.stat().st_mode) == 0o755
    fake_source(monkeypatch, closed_port_url(), payload)  # a second call must use the cache, not the network
    assert data.fetch("boston_housing") == path and entries(cache) == ["fake.bin"]


def test_mirror_is_preferred_to_cache(own_mirror, cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"same content")
    cache.mkdir()
    for folder in (own_mirror, cache):
        (folder / "fake.bin").write_bytes(b"same content")
    assert data.fetch("boston_housing") == own_mirror / "fake.bin"


def test_a_broken_link_in_the_mirror_is_reported_not_skipped(own_mirror, cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"content")
    (own_mirror / "fake.bin").symlink_to(own_mirror / "gone.bin")
    with pytest.raises(
        DataAccessError, match=r"fake.bin: No such file or directory\. Fix: ask whoever keeps the mirror"
    ):
        data.fetch("boston_housing")


def test_mirror_only_source_without_copy(cache):
    with pytest.raises(DataUnavailableError, match="only the mirror"):
        data.fetch("squeezenet")


def test_a_failed_connection_is_retried(cache, serve, httpserver, monkeypatch):
    fake_source(monkeypatch, serve("/fake.bin", b"second time lucky", "fail_once"), b"second time lucky")
    assert data.fetch("boston_housing").read_bytes() == b"second time lucky"
    assert [response.status_code for _, response in httpserver.log] == [503, 200]


class _Evil:
    """Unpickling this creates a folder: proof that code from a data file ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def _evil_npz(marker: Path) -> bytes:
    payload = np.empty(1, dtype=object)
    payload[0] = _Evil(marker)
    return _npz(x_train=payload, y_train=np.zeros(1), x_test=payload, y_test=np.zeros(1))


@pytest.mark.parametrize("place", ["mirror", "cache"])
def test_a_malicious_pickle_is_refused_and_never_executed(own_mirror, cache, tmp_path, place):
    folder = own_mirror if place == "mirror" else cache
    folder.mkdir(exist_ok=True)
    (folder / "imdb.npz").write_bytes(_evil_npz(tmp_path / "pwned"))
    with pytest.raises(ChecksumError, match="imdb.npz"):
        data.load_imdb()
    assert not (tmp_path / "pwned").exists()
    with np.load(folder / "imdb.npz", allow_pickle=True) as f:  # the control: unchecked, the file runs its code
        f["x_train"]
    assert (tmp_path / "pwned").exists()


@needs_mirror
def test_a_file_swapped_after_its_check_is_not_loaded(own_mirror, monkeypatch, tmp_path):
    shutil.copy(MIRROR / "imdb.npz", own_mirror / "imdb.npz")
    real_read_verified = store.read_verified

    def read_verified_then_swap(path, checksums):
        payload = real_read_verified(path, checksums)
        path.write_bytes(_evil_npz(tmp_path / "pwned"))  # the swap, right after the check
        return payload

    monkeypatch.setattr(store, "read_verified", read_verified_then_swap)
    (x_train, _), _ = data.load_imdb(num_words=100)
    assert len(x_train) == 25000 and not (tmp_path / "pwned").exists()


@needs_mirror
@pytest.mark.parametrize(
    "name, load",
    [
        ("imdb.npz", partial(data.load_imdb, num_words=100)),
        ("imdb_word_index.json", partial(data.load_word_index, "imdb")),
    ],
)
def test_a_tampered_mirror_file_says_repair_the_mirror(own_mirror, name, load):
    (own_mirror / name).write_bytes((MIRROR / name).read_bytes()[:-10] + b"0123456789")
    with pytest.raises(ChecksumError, match=rf"{name}.*repair the mirror.*unset DLS_DATA_DIR") as error:
        load()
    assert "make data" not in str(error.value)


def test_a_damaged_cache_file_says_delete_and_fetch_again(cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"good bytes")
    cache.mkdir()
    (cache / "fake.bin").write_bytes(b"bad bytes")
    with pytest.raises(ChecksumError, match=r"fake.bin.*delete it and run `make data`"):
        data.fetch("boston_housing")
    assert (cache / "fake.bin").read_bytes() == b"bad bytes"  # reported, not silently replaced


@pytest.fixture
def mirror_tree(own_mirror) -> Path:
    """A writable copy of the mirror's cats-vs-dogs set in a mirror of its own."""
    if not (MIRROR / "cats_vs_dogs_small").is_dir():
        pytest.skip("offline data mirror not available")
    return Path(shutil.copytree(MIRROR / "cats_vs_dogs_small", own_mirror / "cats_vs_dogs_small"))


def _swap_contents(cat: Path, dog: Path) -> None:
    cat_bytes, dog_bytes = cat.read_bytes(), dog.read_bytes()
    cat.write_bytes(dog_bytes)
    dog.write_bytes(cat_bytes)


def _own_manifest(tree: Path) -> None:
    files = {path: {"size": size, "sha256": sha} for path, (size, sha) in cats_vs_dogs.scan(tree).items()}
    (tree / "manifest.json").write_text(json.dumps({"files": files}))


def _own_checksum(cat: Path, tree: Path) -> None:
    cat.write_bytes(cat.read_bytes()[::-1])
    (tree / ".sha256").write_text("whatever the tampered tree hashes to\n")


@pytest.mark.parametrize(
    "damage, message",  # damage(tree, its first cat, its first dog)
    [
        (lambda tree, cat, dog: cat.rename(tree / "train/dogs" / cat.name), "does not belong there"),  # flipped label
        (lambda tree, cat, dog: cat.rename(tree / "train/dogs/dog.99999.jpg"), "holds 999 images"),  # ... renamed too
        (lambda tree, cat, dog: _swap_contents(cat, dog), "differ from the published set"),
        (lambda tree, cat, dog: cat.write_bytes(b""), "is empty"),
        (lambda tree, cat, dog: (tree / "train/horses").mkdir(), "unexpected folder"),
        (lambda tree, cat, dog: _own_checksum(cat, tree), "unexpected file"),  # tampered, with a matching .sha256
        (lambda tree, cat, dog: _own_manifest(tree), "trusted only in the cache"),
        (lambda tree, cat, dog: cat.unlink(), "holds 999 images"),
        (lambda tree, cat, dog: cat.write_bytes(cat.read_bytes()[:-3] + b"\0\0\0"), "differ from the published set"),
    ],
)
def test_a_damaged_mirror_tree_is_refused(mirror_tree, damage, message):
    assert cats_vs_dogs.cats_vs_dogs_dir() == mirror_tree  # the copy, undamaged, is accepted
    damage(mirror_tree, *(sorted((mirror_tree / "train" / cls).iterdir())[0] for cls in ("cats", "dogs")))
    with pytest.raises(ChecksumError, match=rf"{message}.*repair the mirror"):
        cats_vs_dogs.cats_vs_dogs_dir()


def _jpeg(color) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pet_archive() -> bytes:
    """A small Kaggle-like archive: six readable images per class, one broken, and some junk."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for folder, color in (("Cat", "orange"), ("Dog", "brown")):
            for image_id in range(6):
                zf.writestr(f"PetImages/{folder}/{image_id}.jpg", _jpeg(color))
            zf.writestr(f"PetImages/{folder}/10.jpg", b"not a jpeg")  # the archive has broken files
        zf.writestr("PetImages/Cat/Thumbs.db", b"junk")
    return archive.getvalue()


def test_cats_vs_dogs_built_from_archive(cache, serve, monkeypatch, pet_archive):
    monkeypatch.setattr(cats_vs_dogs, "SPLITS", {"train": 2, "validation": 1, "test": 1})
    fake_source(monkeypatch, serve("/cats.zip", pet_archive), pet_archive, key="cats_vs_dogs_archive")
    root = cats_vs_dogs.cats_vs_dogs_dir()
    assert root == cache / "cats_vs_dogs_small" and entries(cache) == ["cats_vs_dogs_small", "fake.bin"]
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*.jpg"))
    splits = (("train", 0), ("train", 1), ("validation", 2), ("test", 3))
    assert names == sorted(f"{split}/{cls}s/{cls}.{n}.jpg" for split, n in splits for cls in ("cat", "dog"))
    with Image.open(root / "train/cats/cat.0.jpg") as image:
        assert image.size == (150, 150)
    manifest = json.loads((root / "manifest.json").read_text())["files"]
    assert sorted(manifest) == names
    for path in [root, *root.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644)
    assert cats_vs_dogs.cats_vs_dogs_dir() == root  # checked against its manifest from now on
    (root / "train/cats/cat.0.jpg").write_bytes(_jpeg("black"))
    with pytest.raises(
        ChecksumError,
        match=r"differ from the manifest recorded when it was built \(changed: train/cats/cat.0.jpg\).*delete it and run",
    ):
        cats_vs_dogs.cats_vs_dogs_dir()


def test_cats_vs_dogs_without_archive_says_both(cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"archive", key="cats_vs_dogs_archive")
    with pytest.raises(DataUnavailableError, match="(?s)^The cats-vs-dogs small set.*archive it is cut") as error:
        cats_vs_dogs.cats_vs_dogs_dir()
    assert str(error.value).count("Fix:") == 1


_BUILD_SCRIPT = """
import sys, time
from utils.data import cats_vs_dogs
from utils.data.sources import SOURCES, Source
SOURCES["cats_vs_dogs_archive"] = Source("fake.bin", None, None, sys.argv[1], "a fake archive")
cats_vs_dogs.SPLITS = {"train": 2, "validation": 1, "test": 1}
real_cut = cats_vs_dogs._cut
def slow_cut(*args):
    real_cut(*args)
    time.sleep(1.5)  # both processes are building at the same time
cats_vs_dogs._cut = slow_cut
print(cats_vs_dogs.cats_vs_dogs_dir())
"""


def test_two_processes_building_at_once_both_end_with_the_verified_set(own_mirror, cache, pet_archive):
    """From an archive in the mirror into a cache that does not exist yet."""
    (own_mirror / "fake.bin").write_bytes(pet_archive)
    env = dict(os.environ, DLS_DATA_DIR=str(own_mirror), DLS_CACHE_DIR=str(cache))
    command = [sys.executable, "-c", _BUILD_SCRIPT, sha256(pet_archive)]
    pipe = subprocess.PIPE
    builders = [subprocess.Popen(command, env=env, stdout=pipe, stderr=pipe, text=True) for _ in range(2)]
    for builder in builders:
        out, err = builder.communicate(timeout=120)
        assert builder.returncode == 0 and out.strip() == str(cache / "cats_vs_dogs_small"), err
    assert entries(cache) == ["cats_vs_dogs_small"]
    assert len(list((cache / "cats_vs_dogs_small").rglob("*.jpg"))) == 8


@pytest.fixture(scope="module")
def mnist_arrays() -> dict[str, np.ndarray]:
    if not (MIRROR / "mnist.npz").is_file():
        pytest.skip("offline data mirror not available")
    with np.load(MIRROR / "mnist.npz") as f:
        return {k: f[k] for k in f.files}


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # uncompressed: quick to write
    return buffer.getvalue()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: {**a, "x_train": a["x_train"].astype(np.int16) + 256}, "x_train is int16"),
        (lambda a: {**a, "x_train": a["x_train"].astype(np.float32) + 0.5}, "x_train is float32"),
        (lambda a: {k: v for k, v in a.items() if k != "y_test"}, "holds the arrays"),
        (lambda a: {**a, "notes": np.zeros(1)}, "holds the arrays"),
        (lambda a: {**a, "x_train": a["x_train"][1:]}, r"shape \(59999, 28, 28\)"),
        (lambda a: {**a, "x_test": np.concatenate([a["x_test"][:1] ^ 1, a["x_test"][1:]])}, "content checksum"),
        (lambda a: {**a, "y_train": a["y_train"].astype(np.int64)}, "y_train is int64"),
    ],
)
def test_a_wrong_mnist_is_refused(mnist_arrays, change, message):
    with pytest.raises(store.Invalid, match=message):
        loaders.mnist_from_npz(_npz(**change(mnist_arrays)))


@pytest.mark.parametrize("payload", [b"<html>404 not found</html>", _npz(x=np.zeros(9))[:200]])  # not a zip; truncated
def test_a_wrong_mnist_file_is_refused_naming_it(own_mirror, payload):
    (own_mirror / "mnist.npz").write_bytes(payload)
    with pytest.raises(ChecksumError, match=r"mnist.npz.*not a readable .npz.*repair the mirror"):
        data.load_mnist()


def test_mnist_online_path_verifies_and_caches(cache, monkeypatch, mnist_arrays):
    images, labels = loaders.mnist_from_npz(_npz(**mnist_arrays))

    def from_openml(folder):
        folder.mkdir(parents=True)
        (folder / "a-downloaded-file.arff").write_text("openml's own cache")
        return images, labels

    monkeypatch.setattr(loaders, "_fetch_openml_mnist", from_openml)
    np.testing.assert_array_equal(data.load_mnist()[0], images)
    assert stat.S_IMODE((cache / "mnist.npz").stat().st_mode) == 0o644
    assert entries(cache) == ["mnist.npz"]  # openml's files went with the staging folder
    monkeypatch.setattr(loaders, "_fetch_openml_mnist", None)  # from the cache now, not from OpenML
    np.testing.assert_array_equal(data.load_mnist()[0], images)


def test_mnist_online_wrong_content_is_rejected(cache, monkeypatch):
    fake = (np.zeros((70000, 784), np.uint8), np.zeros(70000, np.uint8))
    monkeypatch.setattr(loaders, "_fetch_openml_mnist", lambda folder: fake)
    with pytest.raises(ChecksumError, match="as OpenML sent it"):
        data.load_mnist()
    assert entries(cache) == []


def test_mnist_offline_error(cache, monkeypatch):
    monkeypatch.setattr(loaders, "_fetch_openml_mnist", Mock(side_effect=ConnectionError("Name or service not known")))
    with pytest.raises(DataUnavailableError, match="OpenML") as error:
        data.load_mnist()
    assert "make data" in str(error.value) and config.display_path(cache / "mnist.npz") in str(error.value)


@pytest.fixture
def fake_places(fake_fs, monkeypatch) -> None:
    """A mirror ``/mirror`` and a cache ``/cache`` (not created yet) in the fake file system."""
    monkeypatch.setenv("DLS_DATA_DIR", "/mirror")
    monkeypatch.setenv("DLS_CACHE_DIR", "/cache")
    fake_fs.create_dir("/mirror")


@pytest.mark.parametrize(
    "copy, unreadable, message",
    [
        ("/mirror/fake.bin", "/mirror/fake.bin", r"Permission denied on \S*/mirror/fake.bin .*unset DLS_DATA_DIR"),
        ("/mirror/fake.bin", "/mirror", r"Permission denied on \S*/mirror\b.*unset DLS_DATA_DIR"),  # not skipped
        ("/cache/fake.bin", "/cache/fake.bin", r"Permission denied on \S*/cache/fake.bin .*DLS_CACHE_DIR"),
    ],
)
def test_an_unreadable_file_or_folder(fake_fs, fake_places, monkeypatch, copy, unreadable, message):
    fake_source(monkeypatch, closed_port_url(), b"content")
    fake_fs.create_file(copy, contents=b"content")
    os.chmod(unreadable, 0)
    with pytest.raises(DataAccessError, match=message):
        data.fetch("boston_housing")


@pytest.mark.parametrize(
    "fault, message",  # what stops the download from being stored in /cache
    [
        (lambda fs: fs.create_dir("/cache", perm_bits=0o555), r"Permission denied on \S*/cache.*DLS_CACHE_DIR"),
        (lambda fs: fs.create_file("/cache", contents="not a folder"), "is a file where a folder is needed"),
        (lambda fs: fs.set_disk_usage(100_000), "disk is full"),
    ],
)
def test_a_cache_that_cannot_store_a_download(fake_fs, fake_places, serve, monkeypatch, fault, message):
    fake_source(monkeypatch, serve("/fake.bin", b"x" * 300_000), b"x" * 300_000)
    fault(fake_fs)
    with pytest.raises(DataAccessError, match=message) as error:
        data.fetch("boston_housing")
    assert "make data" not in str(error.value) and "online" not in str(error.value)
    assert entries(Path("/cache")) == []


def test_mnist_on_a_full_disk_is_not_called_unavailable(fake_fs, fake_places, monkeypatch, mnist_arrays):
    monkeypatch.setattr(loaders, "_fetch_openml_mnist", lambda folder: loaders.mnist_from_npz(_npz(**mnist_arrays)))
    fake_fs.set_disk_usage(1_000_000)
    with pytest.raises(DataAccessError, match="disk is full"):
        data.load_mnist()
    assert entries(Path("/cache")) == []


@pytest.mark.parametrize(
    "code, message",
    [
        (errno.ENOSPC, "The disk is full: MNIST could not be written to {where}. Nothing half-written"),
        (errno.EACCES, "Permission denied on {where} while providing MNIST. Fix: make it readable"),
        (errno.EROFS, "{where} is on a read-only file system, so MNIST cannot be stored there. Fix: set DLS_CACHE_DIR"),
        (errno.ENOTDIR, "{where} is a file where a folder is needed (for MNIST). Fix: move that file away"),
        (errno.EISDIR, "{where} is a folder where a file is needed (for MNIST). Fix: move that folder away"),
        (errno.EIO, "MNIST could not be read or written at {where}: Input/output error. Fix: make it readable"),
    ],
)
def test_each_os_error_says_what_where_and_the_fix(code, message):
    with pytest.raises(DataAccessError) as error, store.os_errors(store.CACHE, "MNIST"):
        raise OSError(code, os.strerror(code), "/c/x")
    assert str(error.value).startswith(message.format(where=config.display_path("/c/x")))


@pytest.mark.parametrize(
    "name, message", [("usb-stick", "usb-stick, which does not exist"), ("copy.zip", "not a folder")]
)
def test_a_data_dir_that_is_not_a_folder_is_called_out(cache, monkeypatch, tmp_path, name, message):
    (tmp_path / "copy.zip").write_bytes(b"zip")
    monkeypatch.setenv("DLS_DATA_DIR", str(tmp_path / name))
    with pytest.raises(DataUnavailableError, match=f"DLS_DATA_DIR is set to .*{message}"):
        data.load_boston_housing()


_DOWNLOAD_SCRIPT = """
import sys
from utils.data import fetch
from utils.data.sources import SOURCES, Source
SOURCES["boston_housing"] = Source("fake.bin", sys.argv[1], sys.argv[2], None, "a fake data set")
fetch("boston_housing")
"""


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_a_killed_download_leaves_nothing_for_long(cache, serve, monkeypatch, signal_name):
    payload = os.urandom(200_000)
    url = serve("/fake.bin", payload, "trickle")
    command = [sys.executable, "-c", _DOWNLOAD_SCRIPT, url, sha256(payload)]
    child = subprocess.Popen(command, env=dict(os.environ, DLS_CACHE_DIR=str(cache)), stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(cache.glob(".*.partial/tmp*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # some bytes arrive
    child.send_signal(getattr(signal, signal_name))
    child.wait(timeout=30)
    assert entries(cache)[0].endswith(".partial")  # what the killed process left
    serve("/fake.bin", payload, "ok")
    fake_source(monkeypatch, url, payload)
    assert data.fetch("boston_housing").read_bytes() == payload  # the next lookup cleans up
    assert entries(cache) == ["fake.bin"]


def test_sweeping_removes_only_staging_folders_of_dead_processes(cache):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    here, dead_pid = socket.gethostname(), dead.stdout.strip()
    folders = [f".f.{here}-{dead_pid}.partial", f".f.{here}-{os.getpid()}.partial", ".f.other-host-1.partial"]
    for name in folders:
        (cache / name).mkdir(parents=True)
    assert store.sweep_dead_staging(cache) == [cache / folders[0]]
    assert entries(cache) == sorted(folders[1:])


@pytest.mark.parametrize(
    "mode, error_type, message",
    [
        ("bad_length", DataUnavailableError, "malformed Content-Length"),
        ("html", ChecksumError, "HTML page"),
        ("truncate", DataUnavailableError, "cut off after"),
        ("missing", DataUnavailableError, "404"),
    ],
)
def test_a_hostile_server_gets_a_clear_error_and_nothing_is_kept(cache, serve, monkeypatch, mode, error_type, message):
    payload = b"the real file " * 1000
    fake_source(monkeypatch, serve("/fake.bin", payload, mode), payload)
    with pytest.raises(error_type, match=message):
        data.fetch("boston_housing")
    assert entries(cache) == []


def test_offline_without_copy_says_what_and_how_to_fix(own_mirror, cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"x")
    with pytest.raises(DataUnavailableError) as error:
        data.fetch("boston_housing")
    message = str(error.value)
    assert "a fake data set" in message and "make data" in message and "DLS_DATA_DIR" in message
    assert all(config.display_path(folder / "fake.bin") in message for folder in (own_mirror, cache))


@pytest.mark.parametrize("limit", ["SLOW_GRACE_S", "DOWNLOAD_DEADLINE_S"])
def test_a_trickling_server_is_given_up_on_in_bounded_time(cache, serve, monkeypatch, capsys, limit):
    monkeypatch.setattr(store, limit, 0.5)
    payload = os.urandom(100_000)
    fake_source(monkeypatch, serve("/fake.bin", payload, "trickle"), payload)
    start = time.monotonic()
    with pytest.raises(DataUnavailableError, match="too slow"):
        data.fetch("boston_housing")
    assert time.monotonic() - start < 10 and entries(cache) == []
    bar = capsys.readouterr().err.rsplit("Downloading a fake data set", 1)[-1]
    assert bar.split("|")[2].split("/")[0].strip() not in ("", "0")  # e.g. "100" or "1.2k": the progress moved


@needs_mirror
def test_make_data_reports_every_item_when_one_is_broken(own_mirror, monkeypatch, capsys):
    for entry in MIRROR.iterdir():
        (own_mirror / entry.name).symlink_to(entry)
    (own_mirror / "imdb.npz").unlink()
    (own_mirror / "imdb.npz").write_bytes(b"broken")
    vgg = SOURCES["vgg16"]
    monkeypatch.setitem(SOURCES, "vgg16", Source(vgg.filename, closed_port_url(), vgg.published, None, vgg.description))
    assert make_data.main() == 1
    out = capsys.readouterr().out
    table = [line.split()[:2] for line in out.split("item ", 1)[1].splitlines()]
    expected = {"mnist": "ok", "imdb": "DAMAGED", "reuters": "ok", "boston_housing": "ok"}
    expected |= {"cats_vs_dogs_small": "ok", "vgg16": "MISSING", "squeezenet": "ok"}
    assert all([item, state] in table for item, state in expected.items()), out
    assert "SqueezeNet base instead" in out


@pytest.mark.parametrize(
    "failing, status",
    [
        (set(), 0),
        ({"vgg16"}, 0),  # SqueezeNet stands in for VGG16
        ({"squeezenet"}, 0),  # no mirror, but VGG16 was downloaded
        ({"vgg16", "squeezenet"}, 1),  # no pretrained base at all
        ({"imdb"}, 1),
        ({"cats_vs_dogs_small"}, 1),
    ],
)
def test_make_data_exit_status(failing, status):
    assert make_data.exit_status(failing) == status
