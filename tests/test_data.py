"""Tests of utils.data: the loaders against the mirror, and the fetch-verify-cache logic offline."""

from __future__ import annotations

import hashlib
import io
import json
import socket
import zipfile
from pathlib import Path

import numpy as np
import pytest

from utils import data
from utils.data import ChecksumError, DataUnavailableError, Source

from conftest import needs_mirror


def sha256(payload: bytes) -> str:
    return "sha256:" + hashlib.sha256(payload).hexdigest()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.bin"


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
@pytest.mark.parametrize("name, kwargs", [("imdb", {"num_words": 10000}), ("reuters", {"num_words": 10000}),
                                          ("imdb", {}), ("boston_housing", {})])
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


def fake_source(monkeypatch, url: str, payload: bytes, key: str = "boston_housing") -> Source:
    source = Source("fake.bin", url, (sha256(payload),), "a fake data set")
    monkeypatch.setitem(data.SOURCES, key, source)
    return source


def test_download_verifies_and_caches(cache, http_server, monkeypatch):
    payload = b"fake weights " * 1000
    http_server.files["/fake.bin"] = payload
    fake_source(monkeypatch, http_server.url + "/fake.bin", payload)
    path = data.fetch("boston_housing")
    assert path == cache / "fake.bin" and path.read_bytes() == payload
    del http_server.files["/fake.bin"]  # second call must use the cache, not the network
    assert data.fetch("boston_housing") == path
    assert sorted(p.name for p in cache.iterdir()) == ["fake.bin"]


def test_download_with_wrong_checksum_leaves_nothing(cache, http_server, monkeypatch):
    http_server.files["/fake.bin"] = b"tampered content"
    fake_source(monkeypatch, http_server.url + "/fake.bin", b"the real content")
    with pytest.raises(ChecksumError, match="does not match"):
        data.fetch("boston_housing")
    assert not cache.exists() or list(cache.iterdir()) == []


def test_interrupted_download_leaves_nothing(cache, http_server, monkeypatch):
    payload = bytes(range(256)) * 400
    http_server.files["/fake.bin"] = payload
    http_server.truncate.add("/fake.bin")
    fake_source(monkeypatch, http_server.url + "/fake.bin", payload)
    with pytest.raises(DataUnavailableError):
        data.fetch("boston_housing")
    assert not cache.exists() or list(cache.iterdir()) == []


def test_offline_without_copy_says_what_and_how_to_fix(cache, monkeypatch, tmp_path):
    monkeypatch.setenv("DLS_DATA_DIR", str(tmp_path / "empty-mirror"))
    fake_source(monkeypatch, closed_port_url(), b"x")
    with pytest.raises(DataUnavailableError) as error:
        data.fetch("boston_housing")
    message = str(error.value)
    assert "a fake data set" in message
    assert str(tmp_path / "empty-mirror" / "fake.bin") in message and str(cache / "fake.bin") in message
    assert "make data" in message and "DLS_DATA_DIR" in message


def test_corrupted_cache_file_is_reported_not_used(cache, monkeypatch):
    fake_source(monkeypatch, closed_port_url(), b"good bytes")
    cache.mkdir(parents=True)
    (cache / "fake.bin").write_bytes(b"bad bytes")
    with pytest.raises(ChecksumError, match="corrupted"):
        data.fetch("boston_housing")


def test_mirror_is_preferred_to_cache(cache, monkeypatch, tmp_path):
    payload = b"same content"
    fake_source(monkeypatch, closed_port_url(), payload)
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "fake.bin").write_bytes(payload)
    cache.mkdir(parents=True)
    (cache / "fake.bin").write_bytes(payload)
    monkeypatch.setenv("DLS_DATA_DIR", str(mirror))
    assert data.fetch("boston_housing") == mirror / "fake.bin"


def test_md5_checksums_are_understood(cache, http_server, monkeypatch):
    payload = b"weights published with an md5 only"
    http_server.files["/w.h5"] = payload
    source = Source("w.h5", http_server.url + "/w.h5", ("md5:" + hashlib.md5(payload).hexdigest(),), "weights")
    monkeypatch.setitem(data.SOURCES, "vgg16_notop", source)
    assert data.fetch("vgg16_notop").read_bytes() == payload


def test_mirror_only_source_without_copy(cache):
    with pytest.raises(DataUnavailableError, match="only the mirror"):
        data.fetch("squeezenet_notop")


@needs_mirror
def test_pickled_files_are_verified_before_loading(cache, monkeypatch, mirror, tmp_path):
    """A tampered imdb.npz (which holds pickles) is rejected by its checksum before np.load sees it."""
    fake_mirror = tmp_path / "mirror"
    fake_mirror.mkdir()
    (fake_mirror / "imdb.npz").write_bytes((mirror / "imdb.npz").read_bytes()[:-10] + b"0123456789")
    monkeypatch.setenv("DLS_DATA_DIR", str(fake_mirror))
    with pytest.raises(ChecksumError):
        data.load_imdb(num_words=100)


# --------------------------------------------------------------------------- MNIST's OpenML path


@needs_mirror
def test_mnist_online_path_verifies_and_caches(cache, monkeypatch, mirror):
    with np.load(mirror / "mnist.npz") as f:
        images = np.concatenate([f["x_train"], f["x_test"]]).reshape(-1, 784)
        labels = np.concatenate([f["y_train"], f["y_test"]])
    monkeypatch.delenv("DLS_DATA_DIR")
    calls = []
    monkeypatch.setattr(data, "_fetch_openml_mnist", lambda folder: calls.append(folder) or (images, labels))
    X, y = data.load_mnist()
    assert calls == [cache] and (cache / "mnist.npz").is_file()
    np.testing.assert_array_equal(X, images)
    X2, _ = data.load_mnist()  # from the cache now
    assert len(calls) == 1
    np.testing.assert_array_equal(X2, images)


def test_mnist_online_wrong_content_is_rejected(cache, monkeypatch):
    fake = (np.zeros((70000, 784), np.uint8), np.zeros(70000, np.uint8))
    monkeypatch.setattr(data, "_fetch_openml_mnist", lambda folder: fake)
    with pytest.raises(ChecksumError, match="not the expected"):
        data.load_mnist()
    assert not (cache / "mnist.npz").exists()


def test_mnist_offline_error(cache, monkeypatch):
    def offline(folder):
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr(data, "_fetch_openml_mnist", offline)
    with pytest.raises(DataUnavailableError, match="OpenML") as error:
        data.load_mnist()
    assert "make data" in str(error.value) and str(cache / "mnist.npz") in str(error.value)


# --------------------------------------------------------------------------- cats vs dogs from the archive


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


def test_cats_vs_dogs_built_from_archive(cache, http_server, monkeypatch):
    monkeypatch.setattr(data, "CATS_VS_DOGS_SPLITS", {"train": 2, "validation": 1, "test": 1})
    payload = _fake_pet_archive()
    http_server.files["/cats.zip"] = payload
    fake_source(monkeypatch, http_server.url + "/cats.zip", payload, key="cats_vs_dogs_archive")

    root = data.cats_vs_dogs_dir()
    assert root == cache / "cats_vs_dogs_small"
    names = sorted(str(p.relative_to(root)) for p in root.rglob("*.jpg"))
    assert names == [
        "test/cats/cat.3.jpg", "test/dogs/dog.3.jpg",
        "train/cats/cat.0.jpg", "train/cats/cat.1.jpg", "train/dogs/dog.0.jpg", "train/dogs/dog.1.jpg",
        "validation/cats/cat.2.jpg", "validation/dogs/dog.2.jpg",
    ]
    from PIL import Image

    with Image.open(root / "train/cats/cat.0.jpg") as image:
        assert image.size == (150, 150)
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]  # no staging left over
    # A damaged copy is detected.
    (root / "train/cats/cat.0.jpg").write_bytes(b"damaged")
    with pytest.raises(ChecksumError, match="corrupted"):
        data.cats_vs_dogs_dir()


def test_cats_vs_dogs_built_from_archive_in_mirror_into_new_cache(cache, monkeypatch, tmp_path):
    """The archive may come from the mirror while the cache folder does not exist yet."""
    monkeypatch.setattr(data, "CATS_VS_DOGS_SPLITS", {"train": 1, "validation": 1, "test": 1})
    payload = _fake_pet_archive()
    fake_source(monkeypatch, closed_port_url(), payload, key="cats_vs_dogs_archive")
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "fake.bin").write_bytes(payload)
    monkeypatch.setenv("DLS_DATA_DIR", str(mirror))
    assert not cache.exists()
    root = data.cats_vs_dogs_dir()
    assert root == cache / "cats_vs_dogs_small"
    assert len(list(root.rglob("*.jpg"))) == 6


# --------------------------------------------------------------------------- make data


@pytest.mark.parametrize("failing, exit_code", [
    (set(), 0),
    ({"vgg16_notop"}, 0),                       # SqueezeNet stands in for VGG16
    ({"squeezenet_notop"}, 0),                  # no mirror, but VGG16 was downloaded
    ({"vgg16_notop", "squeezenet_notop"}, 1),   # no pretrained base at all
    ({"imdb"}, 1),
])
def test_make_data_exit_code(monkeypatch, capsys, failing, exit_code):
    names = ["mnist", "imdb", "cats_vs_dogs_small", "vgg16_notop", "squeezenet_notop"]
    monkeypatch.setattr(data, "download_all", lambda: [(n, "FAILED: x" if n in failing else f"/d/{n}") for n in names])
    assert data.main() == exit_code
    assert "imdb" in capsys.readouterr().out
