"""Tests of utils.data: the loaders on the mirror, and every fault the data layer must answer.

The network is a local HTTP server (``http_server``); operating-system faults are injected
(``os_fault``); the real mirror is used where real data matters, copied when a test alters it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import socket
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import MIRROR, needs_mirror

from utils import config, data
from utils.data import ChecksumError, DataAccessError, DataUnavailableError, Source, cats_vs_dogs, loaders, store


def sha256(payload: bytes) -> str:
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.bin"


def fake_source(
    monkeypatch, url: str | None, payload: bytes, key: str = "boston_housing", filename: str = "fake.bin"
) -> Source:
    """Register a fake file as the source ``key``: its published checksum is that of ``payload``."""
    source = Source(
        filename, url, sha256(payload) if url else None, None if url else sha256(payload), "a fake data set"
    )
    monkeypatch.setitem(data.SOURCES, key, source)
    return source


def leftovers(folder: Path) -> list[str]:
    """Hidden entries (staging folders, temporary files) in a folder."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) if folder.is_dir() else []


# --------------------------------------------------------------------------- loaders on the mirror


@needs_mirror
def test_mnist_from_mirror(mirror):
    X, y = data.load_mnist()
    assert X.shape == (70000, 784) and X.dtype == np.uint8
    assert y.shape == (70000,) and y.dtype == np.uint8
    assert y[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert data.MNIST_TRAIN_SIZE == 60000


@needs_mirror
def test_imdb_from_mirror(mirror):
    (x_train, y_train), (x_test, y_test) = data.load_imdb(num_words=10000)
    assert len(x_train) == len(x_test) == 25000
    assert x_train[0][:10] == [1, 14, 22, 16, 43, 530, 973, 1622, 1385, 65]
    assert y_train[0] == 1
    assert max(max(seq) for seq in x_train) == 9999
    assert set(np.unique(y_test)) == {0, 1}


@needs_mirror
def test_reuters_and_boston_from_mirror(mirror):
    (x_train, y_train), (x_test, y_test) = data.load_reuters(num_words=10000)
    assert (len(x_train), len(x_test)) == (8982, 2246)
    assert y_train[0] == 3 and data.reuters_topic_names()[3] == "earn"
    assert len(data.reuters_topic_names()) == 46 == len(np.unique(np.concatenate([y_train, y_test])))
    (b_train, t_train), (b_test, t_test) = data.load_boston_housing()
    assert b_train.shape == (404, 13) and b_test.shape == (102, 13)
    assert t_train[:3].tolist() == [15.2, 42.3, 50.0] and t_test[0] == 7.2
    assert len(data.BOSTON_FEATURE_NAMES) == 13


@needs_mirror
def test_topic_names_match_mirror_file(mirror):
    assert json.loads((mirror / "reuters_labels.json").read_text()) == data.reuters_topic_names()


@needs_mirror
@pytest.mark.parametrize(
    "name, kwargs",
    [("imdb", {"num_words": 10000}), ("reuters", {"num_words": 10000}), ("imdb", {}), ("boston_housing", {})],
)
def test_loaders_equal_keras_own(mirror, monkeypatch, name, kwargs):
    """Our loaders return exactly what keras.datasets.*.load_data returns for the same raw file."""
    import importlib

    keras_module = importlib.import_module(f"keras.src.datasets.{name}")
    # Hand Keras the mirror's file: its own hash check knows only the original bytes (same content).
    monkeypatch.setattr(keras_module, "get_file", lambda *args, **kw: str(mirror / f"{name}.npz"))
    (kx, ky), (kx_test, ky_test) = keras_module.load_data(**kwargs)
    (x, y), (x_test, y_test) = getattr(data, f"load_{name}")(**kwargs)
    for ours, theirs in ((x, kx), (y, ky), (x_test, kx_test), (y_test, ky_test)):
        assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
        if ours.dtype == object:
            assert all(a == b for a, b in zip(ours, theirs))
        else:
            np.testing.assert_array_equal(ours, theirs)


@needs_mirror
def test_word_index_and_decode(mirror):
    from utils.text import decode

    word_index = data.load_word_index("imdb")
    assert len(word_index) == 88584 and word_index["the"] == 1
    (x_train, _), _ = data.load_imdb(num_words=10000)
    assert decode(x_train[0][:6], word_index) == "? this film was just brilliant"
    assert len(data.load_word_index("reuters")) == 30979


@needs_mirror
def test_cats_vs_dogs_from_mirror(mirror):
    root = data.cats_vs_dogs_dir()
    assert root == mirror / "cats_vs_dogs_small"
    for split, per_class in data.CATS_VS_DOGS_SPLITS.items():
        for cls in ("cats", "dogs"):
            assert len(list((root / split / cls).glob("*.jpg"))) == per_class


# --------------------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("num_words", [0, 3, -5, "10000", 2.5, True])
def test_bad_num_words(num_words):
    with pytest.raises(ValueError, match="num_words"):
        data.load_imdb(num_words=num_words)
    with pytest.raises(ValueError, match="num_words"):
        data.load_reuters(num_words=num_words)


def test_bad_arguments():
    with pytest.raises(ValueError, match="test_split"):
        data.load_reuters(test_split=1.5)
    with pytest.raises(ValueError, match="test_split"):
        data.load_boston_housing(test_split=0)
    with pytest.raises(ValueError, match="imdb"):
        data.load_word_index("wikipedia")
    with pytest.raises(ValueError, match="known"):
        data.fetch("cifar")
    with pytest.raises(ValueError, match="batch_size"):
        data.load_cats_vs_dogs(batch_size=0)
    with pytest.raises(ValueError, match="image_size"):
        data.load_cats_vs_dogs(image_size=(150,))


# --------------------------------------------------------------------------- fetch: download, verify, cache


def test_download_verifies_caches_and_shares(cache, http_server, monkeypatch):
    payload = b"fake weights " * 1000
    fake_source(monkeypatch, http_server.serve("/fake.bin", payload), payload)
    old_umask = os.umask(0o077)  # a private umask must not make the cache private
    try:
        path = data.fetch("boston_housing")
    finally:
        os.umask(old_umask)
    assert path == cache / "fake.bin" and path.read_bytes() == payload
    assert stat.S_IMODE(path.stat().st_mode) == 0o644 and stat.S_IMODE(cache.stat().st_mode) == 0o755
    del http_server.files["/fake.bin"]  # a second call must use the cache, not the network
    assert data.fetch("boston_housing") == path
    assert sorted(p.name for p in cache.iterdir()) == ["fake.bin"]


def test_md5_checksums_are_understood(cache, http_server, monkeypatch):
    payload = b"weights published with an md5 only"
    url = http_server.serve("/w.h5", payload)
    monkeypatch.setitem(
        data.SOURCES, "vgg16_notop", Source("w.h5", url, "md5:" + hashlib.md5(payload).hexdigest(), None, "weights")
    )
    assert data.fetch("vgg16_notop").read_bytes() == payload


def test_mirror_is_preferred_to_cache(cache, monkeypatch, tmp_path):
    payload = b"same content"
    fake_source(monkeypatch, closed_port_url(), payload)
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "fake.bin").write_bytes(payload)
    cache.mkdir(parents=True)
    (cache / "fake.bin").write_bytes(payload)
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    assert data.fetch("boston_housing") == fake_mirror / "fake.bin"


def test_mirror_only_source_without_copy(cache):
    with pytest.raises(DataUnavailableError, match="only the mirror"):
        data.fetch("squeezenet_notop")


def test_a_failed_connection_is_retried(cache, http_server, monkeypatch):
    payload = b"second time lucky"
    fake_source(monkeypatch, http_server.serve("/fake.bin", payload, "fail_once"), payload)
    assert data.fetch("boston_housing").read_bytes() == payload
    assert http_server.hits["/fake.bin"] == 2


# --------------------------------------------------------------------------- 1. verify the bytes you load


class _Evil:
    """Unpickling this creates a folder: proof that code from a data file ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


def _evil_npz(marker: Path) -> bytes:
    payload = np.empty(1, dtype=object)
    payload[0] = _Evil(marker)
    buffer = io.BytesIO()
    np.savez(buffer, x_train=payload, y_train=np.zeros(1), x_test=payload, y_test=np.zeros(1))
    return buffer.getvalue()


def test_the_evil_pickle_would_run_code(tmp_path):
    """The control for the tests below: loading the evil file without a check runs its code."""
    marker = tmp_path / "pwned"
    with np.load(io.BytesIO(_evil_npz(marker)), allow_pickle=True) as f:
        f["x_train"]
    assert marker.exists()


@pytest.mark.parametrize("place", ["mirror", "cache"])
def test_a_malicious_pickle_is_refused_and_never_executed(cache, monkeypatch, tmp_path, place):
    marker = tmp_path / "pwned"
    folder = tmp_path / "mirror" if place == "mirror" else cache
    folder.mkdir(parents=True)
    (folder / "imdb.npz").write_bytes(_evil_npz(marker))
    if place == "mirror":
        monkeypatch.setenv("DLS_DATA_DIR", str(folder))
    with pytest.raises(ChecksumError, match="imdb.npz"):
        data.load_imdb()
    assert not marker.exists()


@needs_mirror
def test_a_file_swapped_after_its_check_is_not_loaded(cache, monkeypatch, tmp_path):
    """A writer who swaps the file between the checksum and the load gets nothing executed."""
    marker = tmp_path / "pwned"
    shared = tmp_path / "shared-drive"
    shared.mkdir()
    shutil.copy(MIRROR / "imdb.npz", shared / "imdb.npz")
    monkeypatch.setenv("DLS_DATA_DIR", str(shared))
    real_matches = store.matches

    def matches_then_swap(chunks, checksums):
        result = real_matches(chunks, checksums)
        (shared / "imdb.npz").write_bytes(_evil_npz(marker))  # the swap, right after the check
        return result

    monkeypatch.setattr(store, "matches", matches_then_swap)
    (x_train, y_train), _ = data.load_imdb(num_words=100)
    assert len(x_train) == 25000 and not marker.exists()


@needs_mirror
@pytest.mark.parametrize(
    "name, loader",
    [
        ("imdb.npz", lambda: data.load_imdb(num_words=100)),
        ("imdb_word_index.json", lambda: data.load_word_index("imdb")),
    ],
)
def test_a_tampered_mirror_file_says_repair_the_mirror(cache, monkeypatch, tmp_path, name, loader):
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / name).write_bytes((MIRROR / name).read_bytes()[:-10] + b"0123456789")
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    with pytest.raises(ChecksumError) as error:
        loader()
    message = str(error.value)
    assert name in message and "repair the mirror" in message and "unset DLS_DATA_DIR" in message
    assert "make data" not in message


def test_a_damaged_cache_file_says_delete_and_fetch_again(cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"good bytes")
    cache.mkdir(parents=True)
    (cache / "fake.bin").write_bytes(b"bad bytes")
    with pytest.raises(ChecksumError) as error:
        data.fetch("boston_housing")
    assert "delete it and run `make data`" in str(error.value)
    assert (cache / "fake.bin").read_bytes() == b"bad bytes"  # reported, not silently replaced


# --------------------------------------------------------------------------- 2. the cats-vs-dogs tree


@pytest.fixture
def mirror_tree(cache, monkeypatch, tmp_path) -> Path:
    """A writable copy of the mirror's cats-vs-dogs set in a mirror of its own."""
    if not (MIRROR / "cats_vs_dogs_small").is_dir():
        pytest.skip("offline data mirror not available")
    fake_mirror = tmp_path / "mirror"
    shutil.copytree(MIRROR / "cats_vs_dogs_small", fake_mirror / "cats_vs_dogs_small")
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    return fake_mirror / "cats_vs_dogs_small"


def _first(root: Path, split="train", cls="cats") -> Path:
    return sorted((root / split / cls).iterdir())[0]


def test_the_copied_mirror_tree_is_accepted(mirror_tree):
    assert data.cats_vs_dogs_dir() == mirror_tree


@pytest.mark.parametrize(
    "damage, message",
    [
        ("flip", "does not belong there"),  # an image moved from cats/ to dogs/: a flipped label
        ("flip_renamed", "holds 999 images"),  # the same, renamed to look like a dog
        ("swap_contents", "differ from the published set"),
        ("empty_jpg", "is empty"),
        ("extra_class", "unexpected folder"),
        ("own_checksum", "unexpected file"),  # a tampered tree with its own matching .sha256 file
        ("own_manifest", "trusted only in the cache"),
        ("missing", "holds 999 images"),
        ("changed_bytes", "differ from the published set"),
    ],
)
def test_a_damaged_mirror_tree_is_refused(mirror_tree, damage, message):
    image = _first(mirror_tree)
    if damage == "flip":
        image.rename(mirror_tree / "train/dogs" / image.name)
    elif damage == "flip_renamed":
        image.rename(mirror_tree / "train/dogs/dog.99999.jpg")
    elif damage == "swap_contents":
        other = _first(mirror_tree, cls="dogs")
        a, b = image.read_bytes(), other.read_bytes()
        image.write_bytes(b)
        other.write_bytes(a)
    elif damage == "empty_jpg":
        image.write_bytes(b"")
    elif damage == "extra_class":
        (mirror_tree / "train" / "horses").mkdir()
    elif damage == "own_checksum":
        image.write_bytes(image.read_bytes()[::-1])
        (mirror_tree / ".sha256").write_text("whatever the tampered tree hashes to\n")
    elif damage == "own_manifest":
        listing = cats_vs_dogs.scan(mirror_tree)
        (mirror_tree / "manifest.json").write_text(
            json.dumps({"files": {k: {"size": s, "sha256": h} for k, (s, h) in listing.items()}})
        )
    elif damage == "missing":
        image.unlink()
    elif damage == "changed_bytes":
        payload = bytearray(image.read_bytes())
        payload[-3] ^= 0xFF
        image.write_bytes(bytes(payload))
    with pytest.raises(ChecksumError, match=message) as error:
        data.cats_vs_dogs_dir()
    assert "repair the mirror" in str(error.value)


def _jpeg(color) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def _fake_pet_archive() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for folder, color in (("Cat", "orange"), ("Dog", "brown")):
            for number in range(6):
                zf.writestr(f"PetImages/{folder}/{number}.jpg", _jpeg(color))
            zf.writestr(f"PetImages/{folder}/10.jpg", b"not a jpeg")  # the archive has broken files
        zf.writestr("PetImages/Cat/Thumbs.db", b"junk")
    return archive.getvalue()


@pytest.fixture
def small_splits(monkeypatch):
    monkeypatch.setattr(cats_vs_dogs, "CATS_VS_DOGS_SPLITS", {"train": 2, "validation": 1, "test": 1})


def test_cats_vs_dogs_built_from_archive(cache, http_server, monkeypatch, small_splits):
    payload = _fake_pet_archive()
    fake_source(monkeypatch, http_server.serve("/cats.zip", payload), payload, key="cats_vs_dogs_archive")
    root = data.cats_vs_dogs_dir()
    assert root == cache / "cats_vs_dogs_small"
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*.jpg"))
    assert names == [
        "test/cats/cat.3.jpg",
        "test/dogs/dog.3.jpg",
        "train/cats/cat.0.jpg",
        "train/cats/cat.1.jpg",
        "train/dogs/dog.0.jpg",
        "train/dogs/dog.1.jpg",
        "validation/cats/cat.2.jpg",
        "validation/dogs/dog.2.jpg",
    ]
    from PIL import Image

    with Image.open(root / "train/cats/cat.0.jpg") as image:
        assert image.size == (150, 150)
    manifest = json.loads((root / "manifest.json").read_text())["files"]
    assert sorted(manifest) == names
    assert (
        manifest["train/cats/cat.0.jpg"]["sha256"]
        == hashlib.sha256((root / "train/cats/cat.0.jpg").read_bytes()).hexdigest()
    )
    assert leftovers(cache) == []
    for path in [root, *root.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644)
    assert data.cats_vs_dogs_dir() == root  # checked against its manifest from now on
    (root / "train/cats/cat.0.jpg").write_bytes(_jpeg("black"))
    with pytest.raises(ChecksumError, match="changed: train/cats/cat.0.jpg") as error:
        data.cats_vs_dogs_dir()
    assert "delete it and run `make data`" in str(error.value)


def test_cats_vs_dogs_built_from_archive_in_mirror_into_new_cache(cache, monkeypatch, tmp_path, small_splits):
    """The archive may come from the mirror (verified) while the cache folder does not exist yet."""
    payload = _fake_pet_archive()
    fake_source(monkeypatch, closed_port_url(), payload, key="cats_vs_dogs_archive")
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "fake.bin").write_bytes(payload)
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    assert not cache.exists()
    root = data.cats_vs_dogs_dir()
    assert root == cache / "cats_vs_dogs_small" and len(list(root.rglob("*.jpg"))) == 8


def test_cats_vs_dogs_without_archive_says_both(cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"archive", key="cats_vs_dogs_archive")
    with pytest.raises(DataUnavailableError) as error:
        data.cats_vs_dogs_dir()
    message = str(error.value)
    assert message.startswith("The cats-vs-dogs small set is not available")
    assert "archive it is cut from is not available either" in message and message.count("Fix:") == 1


_BUILD_SCRIPT = """
import sys, time
from utils.data import SOURCES, Source, cats_vs_dogs
SOURCES["cats_vs_dogs_archive"] = Source("fake.bin", None, None, sys.argv[1], "a fake archive")
cats_vs_dogs.CATS_VS_DOGS_SPLITS = {"train": 2, "validation": 1, "test": 1}
real_cut = cats_vs_dogs._cut
def slow_cut(*args):
    real_cut(*args)
    time.sleep(1.5)  # both processes are building at the same time
cats_vs_dogs._cut = slow_cut
print(cats_vs_dogs.cats_vs_dogs_dir())
"""


def test_two_processes_building_at_once_both_end_with_the_verified_set(cache, tmp_path):
    import subprocess
    import sys

    payload = _fake_pet_archive()
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "fake.bin").write_bytes(payload)
    env = dict(os.environ, DLS_DATA_DIR=str(fake_mirror), DLS_CACHE_DIR=str(cache))
    builders = [
        subprocess.Popen(
            [sys.executable, "-c", _BUILD_SCRIPT, sha256(payload)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [builder.communicate(timeout=120) for builder in builders]
    for builder, (out, err) in zip(builders, outputs):
        assert builder.returncode == 0, err
        assert out.strip() == str(cache / "cats_vs_dogs_small")
    assert leftovers(cache) == []
    assert len(list((cache / "cats_vs_dogs_small").rglob("*.jpg"))) == 8


# --------------------------------------------------------------------------- 3. MNIST checked for what it is


@pytest.fixture(scope="module")
def mnist_arrays() -> dict[str, np.ndarray]:
    if not HAVE_MNIST:
        pytest.skip("offline data mirror not available")
    with np.load(MIRROR / "mnist.npz") as f:
        return {k: f[k] for k in f.files}


HAVE_MNIST = (MIRROR / "mnist.npz").is_file()


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # uncompressed: quick to write
    return buffer.getvalue()


@pytest.mark.parametrize(
    "variant, message",
    [
        ("int16_plus_256", "x_train is int16"),
        ("float_plus_half", "x_train is float32"),
        ("truncated", "not a readable .npz"),
        ("not_a_zip", "not a readable .npz"),
        ("key_missing", "holds the arrays"),
        ("extra_key", "holds the arrays"),
        ("fewer_images", r"shape \(59999, 28, 28\)"),
        ("one_pixel_changed", "content checksum"),
        ("labels_int64", "y_train is int64"),
    ],
)
def test_a_wrong_mnist_is_refused_naming_the_file(cache, monkeypatch, tmp_path, mnist_arrays, variant, message):
    arrays = dict(mnist_arrays)
    if variant == "int16_plus_256":
        arrays["x_train"] = arrays["x_train"].astype(np.int16) + 256
    elif variant == "float_plus_half":
        arrays["x_train"] = arrays["x_train"].astype(np.float32) + 0.5
    elif variant == "key_missing":
        del arrays["y_test"]
    elif variant == "extra_key":
        arrays["notes"] = np.zeros(1)
    elif variant == "fewer_images":
        arrays["x_train"] = arrays["x_train"][1:]
    elif variant == "one_pixel_changed":
        arrays["x_test"] = arrays["x_test"].copy()
        arrays["x_test"][0, 14, 14] ^= 1
    elif variant == "labels_int64":
        arrays["y_train"] = arrays["y_train"].astype(np.int64)
    payload = _npz(**arrays)
    if variant == "truncated":
        payload = payload[: len(payload) // 2]
    elif variant == "not_a_zip":
        payload = b"<html>404 not found</html>"
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "mnist.npz").write_bytes(payload)
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    with pytest.raises(ChecksumError, match=message) as error:
        data.load_mnist()
    assert "mnist.npz" in str(error.value) and "repair the mirror" in str(error.value)


@needs_mirror
def test_mnist_online_path_verifies_and_caches(cache, monkeypatch, mnist_arrays):
    images = np.concatenate([mnist_arrays["x_train"], mnist_arrays["x_test"]]).reshape(-1, 784)
    labels = np.concatenate([mnist_arrays["y_train"], mnist_arrays["y_test"]])
    calls = []

    def from_openml(folder):
        calls.append(folder)
        (folder / "a-downloaded-file.arff").parent.mkdir(parents=True)
        (folder / "a-downloaded-file.arff").write_text("openml's own cache")
        return images, labels

    monkeypatch.setattr(loaders, "_fetch_openml_mnist", from_openml)
    X, y = data.load_mnist()
    assert len(calls) == 1 and (cache / "mnist.npz").is_file()
    assert stat.S_IMODE((cache / "mnist.npz").stat().st_mode) == 0o644
    assert sorted(p.name for p in cache.iterdir()) == ["mnist.npz"]  # openml's files went with the staging
    np.testing.assert_array_equal(X, images)
    X2, _ = data.load_mnist()  # from the cache now
    assert len(calls) == 1
    np.testing.assert_array_equal(X2, images)


def test_mnist_online_wrong_content_is_rejected(cache, monkeypatch):
    fake = (np.zeros((70000, 784), np.uint8), np.zeros(70000, np.uint8))
    monkeypatch.setattr(loaders, "_fetch_openml_mnist", lambda folder: fake)
    with pytest.raises(ChecksumError, match="as OpenML sent it"):
        data.load_mnist()
    assert not (cache / "mnist.npz").exists() and leftovers(cache) == []


def test_mnist_offline_error(cache, monkeypatch):
    def offline(folder):
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr(loaders, "_fetch_openml_mnist", offline)
    with pytest.raises(DataUnavailableError, match="OpenML") as error:
        data.load_mnist()
    assert "make data" in str(error.value) and config.display_path(cache / "mnist.npz") in str(error.value)


@needs_mirror
def test_mnist_on_a_full_disk_is_not_called_unavailable(cache, monkeypatch, os_fault, mnist_arrays):
    images = np.concatenate([mnist_arrays["x_train"], mnist_arrays["x_test"]]).reshape(-1, 784)
    labels = np.concatenate([mnist_arrays["y_train"], mnist_arrays["y_test"]])
    monkeypatch.setattr(loaders, "_fetch_openml_mnist", lambda folder: (images, labels))
    os_fault(cache, "full")
    with pytest.raises(DataAccessError, match="disk is full"):
        data.load_mnist()
    assert not (cache / "mnist.npz").exists() and leftovers(cache) == []


# --------------------------------------------------------------------------- 4. OS errors become our errors


def test_an_unreadable_mirror_file(cache, monkeypatch, tmp_path, os_fault):
    fake_source(monkeypatch, closed_port_url(), b"content")
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "fake.bin").write_bytes(b"content")
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    os_fault(fake_mirror / "fake.bin", "unreadable")
    with pytest.raises(DataAccessError) as error:
        data.fetch("boston_housing")
    message = str(error.value)
    assert "Permission denied" in message and "fake.bin" in message and "mirror" in message


def test_an_unreadable_mirror_folder_is_not_skipped_in_silence(cache, monkeypatch, tmp_path, os_fault):
    fake_source(monkeypatch, closed_port_url(), b"content")
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "fake.bin").write_bytes(b"content")
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    os_fault(fake_mirror, "unreadable")
    with pytest.raises(DataAccessError, match="Permission denied.*unset DLS_DATA_DIR"):
        data.fetch("boston_housing")


def test_an_unreadable_cache_file(cache, monkeypatch, os_fault):
    fake_source(monkeypatch, closed_port_url(), b"content")
    cache.mkdir(parents=True)
    (cache / "fake.bin").write_bytes(b"content")
    os_fault(cache / "fake.bin", "unreadable")
    with pytest.raises(DataAccessError, match="Permission denied.*DLS_CACHE_DIR"):
        data.fetch("boston_housing")


def test_a_read_only_cache(cache, http_server, monkeypatch, tmp_path, os_fault):
    payload = b"content"
    fake_source(monkeypatch, http_server.serve("/fake.bin", payload), payload)
    os_fault(tmp_path, "readonly")
    with pytest.raises(DataAccessError, match="read-only file system.*DLS_CACHE_DIR"):
        data.fetch("boston_housing")


def test_a_cache_path_that_is_a_file(cache, http_server, monkeypatch):
    payload = b"content"
    fake_source(monkeypatch, http_server.serve("/fake.bin", payload), payload)
    cache.write_text("not a folder")
    with pytest.raises(DataAccessError, match="is a file where a folder is needed"):
        data.fetch("boston_housing")


def test_a_full_disk_during_a_download(cache, http_server, monkeypatch, os_fault):
    payload = b"x" * 300_000
    fake_source(monkeypatch, http_server.serve("/fake.bin", payload), payload)
    os_fault(cache, "full")
    with pytest.raises(DataAccessError) as error:
        data.fetch("boston_housing")
    message = str(error.value)
    assert "disk is full" in message and "make data" not in message and "online" not in message
    assert sorted(p.name for p in cache.iterdir()) == []


def test_a_data_dir_that_does_not_exist_is_called_out(cache, monkeypatch, tmp_path):
    monkeypatch.setenv("DLS_DATA_DIR", str(tmp_path / "usb-stick"))
    with pytest.raises(DataUnavailableError, match="DLS_DATA_DIR is set to .*usb-stick, which does not exist"):
        data.load_boston_housing()


def test_a_data_dir_that_is_a_file_is_called_out(cache, monkeypatch, tmp_path):
    (tmp_path / "copy.zip").write_bytes(b"zip")
    monkeypatch.setenv("DLS_DATA_DIR", str(tmp_path / "copy.zip"))
    with pytest.raises(DataUnavailableError, match="not a folder"):
        data.load_boston_housing()


# --------------------------------------------------------------------------- 6. no leftovers


_DOWNLOAD_SCRIPT = """
import sys
from utils.data import SOURCES, Source, fetch
SOURCES["boston_housing"] = Source("fake.bin", sys.argv[1], sys.argv[2], None, "a fake data set")
fetch("boston_housing")
"""


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_a_killed_download_leaves_nothing_for_long(cache, http_server, monkeypatch, signal_name):
    import signal
    import subprocess
    import sys
    import time

    payload = os.urandom(200_000)
    url = http_server.serve("/fake.bin", payload, "trickle")
    child = subprocess.Popen(
        [sys.executable, "-c", _DOWNLOAD_SCRIPT, url, sha256(payload)],
        env=dict(os.environ, DLS_CACHE_DIR=str(cache)),
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not any(cache.glob(".*.partial/tmp*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # some bytes arrive
    child.send_signal(getattr(signal, signal_name))
    child.wait(timeout=30)
    assert [p.name for p in cache.iterdir()][0].endswith(".partial")  # what the killed process left
    http_server.modes["/fake.bin"] = "ok"
    fake_source(monkeypatch, url, payload)
    assert data.fetch("boston_housing").read_bytes() == payload  # the next lookup cleans up
    assert sorted(p.name for p in cache.iterdir()) == ["fake.bin"]


def test_sweeping_keeps_live_staging_and_removes_old_part_files(cache):
    cache.mkdir(parents=True)
    live = cache / f".fake.bin.{socket.gethostname()}-{os.getpid()}.partial"
    elsewhere = cache / ".fake.bin.another-host-1.partial"
    legacy = cache / ".imdb.npz.x1y2.part"
    for folder in (live, elsewhere):
        folder.mkdir()
    legacy.write_bytes(b"half a download from an earlier version")
    assert store.sweep_leftovers(cache) == [legacy]
    assert live.exists() and elsewhere.exists()


# --------------------------------------------------------------------------- 7. hostile servers


@pytest.mark.parametrize(
    "mode, error_type, message",
    [
        ("bad_length", DataUnavailableError, "malformed Content-Length"),
        ("html", ChecksumError, "HTML page"),
        ("truncate", DataUnavailableError, "cut off after"),
    ],
)
def test_a_hostile_server_gets_a_clear_error_and_nothing_is_kept(
    cache, http_server, monkeypatch, mode, error_type, message
):
    payload = b"the real file " * 1000
    fake_source(monkeypatch, http_server.serve("/fake.bin", payload, mode), payload)
    with pytest.raises(error_type, match=message):
        data.fetch("boston_housing")
    assert not cache.exists() or list(cache.iterdir()) == []


def test_a_missing_file_on_the_server(cache, http_server, monkeypatch):
    fake_source(monkeypatch, http_server.url + "/nothing-here.bin", b"x")
    with pytest.raises(DataUnavailableError, match="404"):
        data.fetch("boston_housing")


def test_offline_without_copy_says_what_and_how_to_fix(cache, monkeypatch, tmp_path):
    (tmp_path / "empty-mirror").mkdir()
    monkeypatch.setenv("DLS_DATA_DIR", str(tmp_path / "empty-mirror"))
    fake_source(monkeypatch, closed_port_url(), b"x")
    with pytest.raises(DataUnavailableError) as error:
        data.fetch("boston_housing")
    message = str(error.value)
    assert "a fake data set" in message
    assert (
        config.display_path(tmp_path / "empty-mirror" / "fake.bin") in message and config.display_path(cache / "fake.bin") in message
    )
    assert "make data" in message and "DLS_DATA_DIR" in message


@pytest.mark.parametrize("limit", ["rate", "deadline"])
def test_a_trickling_server_is_given_up_on_in_bounded_time(cache, http_server, monkeypatch, capsys, limit):
    import time

    if limit == "rate":
        monkeypatch.setattr(store, "SLOW_GRACE_S", 0.5)
    else:
        monkeypatch.setattr(store, "DOWNLOAD_DEADLINE_S", 0.5)
    payload = os.urandom(100_000)
    fake_source(monkeypatch, http_server.serve("/fake.bin", payload, "trickle"), payload)
    start = time.monotonic()
    with pytest.raises(DataUnavailableError, match="too slow"):
        data.fetch("boston_housing")
    assert time.monotonic() - start < 10
    assert not cache.exists() or list(cache.iterdir()) == []
    bar = capsys.readouterr().err.rsplit("Downloading a fake data set", 1)[-1]
    received = bar.split("|")[2].split("/")[0].strip()  # e.g. "100" or "1.2k": the progress moved
    assert received not in ("", "0")


# --------------------------------------------------------------------------- 8. settings resolve one way


def test_relative_cache_dir_counts_from_the_project_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLS_CACHE_DIR", "build/some-cache")
    assert config.cache_dir() == config.PROJECT_ROOT / "build" / "some-cache"
    monkeypatch.setenv("DLS_DATA_DIR", "../shared/data")
    assert config.mirror_dir() == (config.PROJECT_ROOT / "../shared/data").resolve()


# --------------------------------------------------------------------------- 10. make data


@needs_mirror
def test_make_data_reports_every_item_when_one_is_broken(cache, monkeypatch, tmp_path, capsys):
    from utils.data import __main__ as make_data

    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    for entry in MIRROR.iterdir():
        (fake_mirror / entry.name).symlink_to(entry)
    (fake_mirror / "imdb.npz").unlink()
    (fake_mirror / "imdb.npz").write_bytes(b"broken")
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    vgg = data.SOURCES["vgg16_notop"]
    monkeypatch.setitem(
        data.SOURCES, "vgg16_notop", Source(vgg.filename, closed_port_url(), vgg.published, None, vgg.description)
    )
    assert make_data.main() == 1
    out = capsys.readouterr().out
    table = out.split("item ", 1)[1]
    for item, state in [
        ("mnist", "ok"),
        ("imdb", "DAMAGED"),
        ("reuters", "ok"),
        ("boston_housing", "ok"),
        ("cats_vs_dogs_small", "ok"),
        ("vgg16_notop", "MISSING"),
        ("squeezenet_notop", "ok"),
    ]:
        assert any(line.split()[:2] == [item, state] for line in table.splitlines() if line.strip()), (item, state)
    assert "SqueezeNet base instead" in out


@pytest.mark.parametrize(
    "failing, status",
    [
        (set(), 0),
        ({"vgg16_notop"}, 0),  # SqueezeNet stands in for VGG16
        ({"squeezenet_notop"}, 0),  # no mirror, but VGG16 was downloaded
        ({"vgg16_notop", "squeezenet_notop"}, 1),  # no pretrained base at all
        ({"imdb"}, 1),
        ({"cats_vs_dogs_small"}, 1),
    ],
)
def test_make_data_exit_status(failing, status):
    from utils.data import __main__ as make_data

    rows = [(item, "MISSING" if item in failing else "ok", "") for item, _, _ in make_data.items()]
    assert make_data.exit_status(rows) == status
