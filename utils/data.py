"""Data sets and weights: where each comes from, how it is verified, and one loader per data set.

Every file is looked for in this order:

1. the read-only mirror ``DLS_DATA_DIR`` (e.g. ``../shared/data``),
2. the download cache ``data/``,
3. its original online source, downloaded into ``data/``: checksum-verified and written
   atomically (a temporary file renamed into place), so an interrupted or corrupted
   download never leaves a file behind.

A local copy whose checksum does not match is reported, never used.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import shutil
import socket
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
from tqdm import tqdm  # plain text bar: tqdm.auto warns in Jupyter without ipywidgets

from . import config

KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CATS_VS_DOGS_ARCHIVE_URL = (
    "https://download.microsoft.com/download/3/E/1/3E1C3F21-ECDB-4869-8368-6DEBA77B919F/kagglecatsanddogs_5340.zip"
)
DOWNLOAD_TIMEOUT_S = 60
FIXES = (
    "Fix: run `make data` once while online (it fills data/), or set DLS_DATA_DIR to a folder "
    "that holds a copy (e.g. `export DLS_DATA_DIR=../shared/data`)."
)


class DataError(RuntimeError):
    """A data set or weights file could not be provided."""


class DataUnavailableError(DataError):
    """No local copy exists and the download failed (offline, or the source is gone)."""


class ChecksumError(DataError):
    """A file's content does not match its published checksum (corrupted or tampered with)."""


@dataclass(frozen=True)
class Source:
    """One file: its name on disk, where it comes from, and the checksums that prove it.

    ``checksums`` holds ``"algorithm:hex"`` strings; a file matching any one of them is
    accepted. Each is the original publisher's (sha256 where published; Keras publishes only
    md5 for two files) or that of the mirror's copy, whose bytes may differ from the original
    while the content is the same (see ``../shared/data/README.md``).
    """

    filename: str
    url: str | None
    checksums: tuple[str, ...]
    description: str


SOURCES: dict[str, Source] = {
    "imdb": Source(
        "imdb.npz",
        KERAS_DATASETS + "imdb.npz",
        (
            "sha256:69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
            "sha256:6814c0beea01878740d178d45caaf84fa878f5f452bd5f6bb6b5e3add8655f32",
        ),
        "IMDB movie reviews (Keras's raw word-rank sequences)",
    ),
    "imdb_word_index": Source(
        "imdb_word_index.json",
        KERAS_DATASETS + "imdb_word_index.json",
        ("sha256:027313fe9a320280f3bf0fac5baf58c4a683cf39a7ed9c3d3d3912bde4284cf6",),
        "IMDB word index (word -> frequency rank)",
    ),
    "reuters": Source(
        "reuters.npz",
        KERAS_DATASETS + "reuters.npz",
        (
            "sha256:d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
            "sha256:8c1255c498914fa00e37f1820ec96e290f5a247b63a858ac7b24ca809504e13a",
        ),
        "Reuters newswires (Keras's raw word-rank sequences)",
    ),
    "reuters_word_index": Source(
        "reuters_word_index.json",
        KERAS_DATASETS + "reuters_word_index.json",
        (
            "md5:4d44cc38712099c9e383dc6e5f11a921",  # Keras publishes only an md5 for this file
            "sha256:1664c69188b70cd77ed042961f4f4d1ec8e61fee8a4fa7499a4f84ca6eede202",
        ),
        "Reuters word index (word -> frequency rank)",
    ),
    "boston_housing": Source(
        "boston_housing.npz",
        KERAS_DATASETS + "boston_housing.npz",
        (
            "sha256:f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
            "sha256:0c1bbf0b79b8c2996afa31b259ca6cff56f5a6f72501358901ae5aa8fadd6e2f",
        ),
        "Boston housing prices",
    ),
    "cats_vs_dogs_archive": Source(
        "kagglecatsanddogs_5340.zip",
        CATS_VS_DOGS_ARCHIVE_URL,
        ("sha256:b7974bd00a84a99921f36ee4403f089853777b5ae8d151c76a86e64900334af9",),
        "Kaggle Cats and Dogs archive (825 MB; the small set is cut from it)",
    ),
    "vgg16_notop": Source(
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
        "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
        ("md5:6d6bbae143d832006294945121d1f1fc",),  # Keras publishes only an md5 for its weights
        "VGG16 ImageNet weights without the classifier (59 MB)",
    ),
    "squeezenet_notop": Source(
        "weights/squeezenet_v1.1_imagenet_notop.h5",
        None,  # offered by the mirror only
        ("sha256:17154246284f555591549ac2c83e127abfbf4307dc4b0060fdaa2931d0fa38da",),
        "SqueezeNet v1.1 ImageNet weights without the classifier",
    ),
}

# MNIST comes from OpenML (data set 554), not from a file with a published checksum, so it is
# verified by the sha256 of its content: the 70000 images (uint8, row-major), then the labels.
MNIST_OPENML_ID = 554
MNIST_FILENAME = "mnist.npz"
MNIST_CONTENT_SHA256 = "c2069063c1105f2bf96266aef1ff68c6e13bdda7a54e37bf19c16f1db24efc83"
MNIST_TRAIN_SIZE = 60_000

CATS_VS_DOGS_DIRNAME = "cats_vs_dogs_small"
CATS_VS_DOGS_SPLITS = {"train": 1000, "validation": 500, "test": 500}  # images per class
CATS_VS_DOGS_MIRROR_SHA256 = "70b71a48a44a20c244d593a6fe44f96dbfddb45e0702411f0ccda59edf0b2c9e"
CATS_VS_DOGS_STORED_SIZE = (150, 150)


# --------------------------------------------------------------------------- checksums


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Return the hex digest of a file's bytes."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _matches(path: Path, checksums: Iterable[str]) -> bool:
    digests: dict[str, str] = {}
    for checksum in checksums:
        algorithm, expected = checksum.split(":", 1)
        if algorithm not in digests:
            digests[algorithm] = file_digest(path, algorithm)
        if digests[algorithm] == expected:
            return True
    return False


def tree_digest(root: Path) -> str:
    """Return the sha256 of all files under ``root`` concatenated in sorted path order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".sha256"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- fetching


def _source(key: str) -> Source:
    if key not in SOURCES:
        raise ValueError(f"Unknown data source {key!r}; known: {', '.join(sorted(SOURCES))}.")
    return SOURCES[key]


def _unavailable(what: str, looked_in: list[Path], reason: str) -> DataUnavailableError:
    places = ", ".join(str(p) for p in looked_in)
    return DataUnavailableError(f"{what} is not available: no copy in {places}, and {reason}. {FIXES}")


def download(url: str, destination: Path, checksums: Iterable[str], *, what: str = "file") -> Path:
    """Download ``url`` to ``destination`` if its content matches one of ``checksums``.

    The bytes go to a temporary file beside ``destination``, renamed into place only once
    complete and verified, so an interrupted or corrupted download leaves nothing behind.

    Returns:
        ``destination``.
    Raises:
        DataUnavailableError: the download failed (no network, HTTP error, cut off).
        ChecksumError: the downloaded bytes do not match; nothing is written.
    """
    checksums = tuple(checksums)
    destination.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
                    expected_size = int(response.headers.get("Content-Length") or 0)
                    with tqdm(total=expected_size or None, unit="B", unit_scale=True, desc=f"Downloading {what}") as bar:
                        for block in iter(lambda: response.read(1 << 20), b""):
                            out.write(block)
                            bar.update(len(block))
            except (urllib.error.URLError, http.client.HTTPException, socket.timeout, OSError) as error:
                raise DataUnavailableError(f"downloading {what} from {url} failed ({error})") from error
        received = tmp.stat().st_size
        if expected_size and received != expected_size:
            raise DataUnavailableError(
                f"downloading {what} from {url} was cut off after {received} of {expected_size} bytes "
                "(nothing was kept; try again)"
            )
        if not _matches(tmp, checksums):
            raise ChecksumError(
                f"The download of {what} from {url} does not match its published checksum "
                f"({', '.join(checksums)}); nothing was kept. The source may have changed or the "
                "transfer was corrupted: try again, or use a verified copy through DLS_DATA_DIR."
            )
        os.replace(tmp, destination)
        return destination
    finally:
        tmp.unlink(missing_ok=True)


def fetch(key: str, *, allow_download: bool = True) -> Path:
    """Return the path of a verified local copy of the source ``key`` (see ``SOURCES``).

    Looks in the mirror, then the cache, then downloads into the cache.

    Raises:
        ValueError: ``key`` is not a known source.
        ChecksumError: a local copy is corrupted (it is reported, not used or replaced).
        DataUnavailableError: no local copy, and the download failed or is not possible.
    """
    source = _source(key)
    looked_in = []
    for folder in config.data_dirs():
        path = folder / source.filename
        looked_in.append(path)
        if path.is_file():
            if not _matches(path, source.checksums):
                fix = (
                    "Delete it and run `make data` to fetch it again."
                    if folder == config.cache_dir()
                    else "Repair the mirror (DLS_DATA_DIR), or unset DLS_DATA_DIR to use data/ and downloads."
                )
                raise ChecksumError(
                    f"{path} ({source.description}) is corrupted: its checksum matches none of "
                    f"{', '.join(source.checksums)}. {fix}"
                )
            return path
    if source.url is None:
        raise _unavailable(source.description, looked_in, "it has no download source (only the mirror offers it)")
    if not allow_download:
        raise _unavailable(source.description, looked_in, "downloading was not allowed")
    try:
        return download(source.url, config.cache_dir() / source.filename, source.checksums, what=source.description)
    except DataUnavailableError as error:
        raise _unavailable(source.description, looked_in, str(error)) from error


# --------------------------------------------------------------------------- MNIST


def mnist_digest(images: np.ndarray, labels: np.ndarray) -> str:
    """Return the content sha256 of MNIST images (uint8) and labels, as ``MNIST_CONTENT_SHA256``."""
    digest = hashlib.sha256(np.ascontiguousarray(images, dtype=np.uint8).tobytes())
    digest.update(np.ascontiguousarray(labels, dtype=np.uint8).tobytes())
    return digest.hexdigest()


def _fetch_openml_mnist(cache: Path) -> tuple[np.ndarray, np.ndarray]:
    """Download OpenML data set 554 with the ``openml`` package; return (70000x784, 70000) uint8."""
    import openml

    openml.config.set_root_cache_directory(str(cache / "openml"))
    dataset = openml.datasets.get_dataset(
        MNIST_OPENML_ID, download_data=True, download_qualities=False, download_features_meta_data=False
    )
    features, target, _, _ = dataset.get_data(target=dataset.default_target_attribute)
    return features.to_numpy(dtype=np.uint8), np.asarray(target).astype(np.uint8)


def _save_npz_atomically(path: Path, **arrays: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez_compressed(out, **arrays)
        os.replace(tmp_name, path)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def load_mnist() -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST as OpenML data set 554 stores it: 70000 images of 784 pixels, and their digits.

    The first 60000 rows are the traditional training set, the last 10000 the test set
    (``MNIST_TRAIN_SIZE``). Looks in the mirror and the cache (``mnist.npz``), else downloads
    from OpenML with the ``openml`` package and caches the result.

    Returns:
        ``(X, y)``: X uint8 of shape (70000, 784), y uint8 of shape (70000,) with values 0-9.
    Raises:
        ChecksumError: a local copy, or what OpenML sent, is not the expected MNIST.
        DataUnavailableError: no local copy and OpenML cannot be reached.
    """
    looked_in = [folder / MNIST_FILENAME for folder in config.data_dirs()]
    path = next((p for p in looked_in if p.is_file()), None)
    if path is not None:
        with np.load(path, allow_pickle=False) as f:
            images = np.concatenate([f["x_train"], f["x_test"]]).reshape(-1, 784)
            labels = np.concatenate([f["y_train"], f["y_test"]])
        origin = str(path)
    else:
        try:
            images, labels = _fetch_openml_mnist(config.cache_dir())
        except ImportError:
            raise
        except Exception as error:  # openml raises many kinds (HTTP, server, parse) for one cause
            raise _unavailable("MNIST (OpenML data set 554)", looked_in, f"the download from OpenML failed: {error}") from error
        origin = f"OpenML data set {MNIST_OPENML_ID}"
    if images.shape != (70_000, 784) or mnist_digest(images, labels) != MNIST_CONTENT_SHA256:
        raise ChecksumError(
            f"MNIST from {origin} is not the expected data (shape {images.shape}, or content checksum "
            f"differs from {MNIST_CONTENT_SHA256}). Delete the local copy and run `make data` to fetch it again."
        )
    if path is None:
        split = MNIST_TRAIN_SIZE
        _save_npz_atomically(
            config.cache_dir() / MNIST_FILENAME,
            x_train=images[:split].reshape(-1, 28, 28), y_train=labels[:split],
            x_test=images[split:].reshape(-1, 28, 28), y_test=labels[split:],
        )
    return images, labels.astype(np.uint8)


# --------------------------------------------------------------------------- Keras's text and table data


def _check_num_words(num_words: int | None) -> None:
    if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, int) or num_words < 4):
        raise ValueError(f"num_words must be None or an int of at least 4 (ids 0-3 are reserved), got {num_words!r}")


def _load_pickled_npz(key: str) -> dict[str, np.ndarray]:
    # Object arrays need pickle: unpickle only a file whose checksum fetch() has just verified.
    path = fetch(key)
    with np.load(path, allow_pickle=True) as f:
        return {name: f[name] for name in f.files}


def _reindex(sequences: Iterable, num_words: int | None, start_char: int = 1, oov_char: int = 2, index_from: int = 3):
    """Apply Keras's re-indexing: prepend the start id, shift ranks, replace rare words by oov."""
    shifted = [[start_char] + [w + index_from for w in seq] for seq in sequences]
    if not num_words:
        num_words = max(max(seq) for seq in shifted)
    return [[w if w < num_words else oov_char for w in seq] for seq in shifted]


def load_imdb(num_words: int | None = None, seed: int = 113):
    """Load IMDB exactly as ``keras.datasets.imdb.load_data(num_words=num_words)`` does.

    Returns:
        ``(train_data, train_labels), (test_data, test_labels)``: object arrays of 25000
        lists of word ids (1 = start, 2 = unknown word, rank + 3 otherwise) and int labels
        (1 = positive).
    Raises:
        ValueError: bad ``num_words``. DataError: see ``fetch``.
    """
    _check_num_words(num_words)
    raw = _load_pickled_npz("imdb")
    rng = np.random.RandomState(seed)
    x_train, y_train, x_test, y_test = raw["x_train"], raw["y_train"], raw["x_test"], raw["y_test"]
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, y_train = x_train[order], y_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, y_test = x_test[order], y_test[order]
    sequences = _reindex(list(x_train) + list(x_test), num_words)
    split = len(x_train)
    labels = np.concatenate([y_train, y_test])
    return (
        (np.array(sequences[:split], dtype="object"), labels[:split]),
        (np.array(sequences[split:], dtype="object"), labels[split:]),
    )


def load_reuters(num_words: int | None = None, test_split: float = 0.2, seed: int = 113):
    """Load Reuters exactly as ``keras.datasets.reuters.load_data(num_words=num_words)`` does.

    Returns:
        ``(train_data, train_labels), (test_data, test_labels)``: 8982 and 2246 newswires
        as object arrays of word-id lists (ids as in ``load_imdb``), labels 0-45.
    Raises:
        ValueError: bad ``num_words`` or ``test_split``. DataError: see ``fetch``.
    """
    _check_num_words(num_words)
    if not 0 < test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1, got {test_split!r}")
    raw = _load_pickled_npz("reuters")
    order = np.arange(len(raw["x"]))
    np.random.RandomState(seed).shuffle(order)
    sequences = _reindex(raw["x"][order], num_words)
    labels = raw["y"][order]
    split = int(len(sequences) * (1 - test_split))
    return (
        (np.array(sequences[:split], dtype="object"), np.array(labels[:split])),
        (np.array(sequences[split:], dtype="object"), np.array(labels[split:])),
    )


def load_word_index(dataset: str) -> dict[str, int]:
    """Return the word -> frequency rank dictionary of ``"imdb"`` or ``"reuters"``.

    Raises:
        ValueError: unknown ``dataset``. DataError: see ``fetch``.
    """
    if dataset not in ("imdb", "reuters"):
        raise ValueError(f"dataset must be 'imdb' or 'reuters', got {dataset!r}")
    with open(fetch(f"{dataset}_word_index"), encoding="utf-8") as f:
        return json.load(f)


def reuters_topic_names() -> list[str]:
    """Return the 46 Reuters topic names, index = label (0 = cocoa, 3 = earn, 4 = acq, ...)."""
    keras = config.import_keras()
    return list(keras.datasets.reuters.get_label_names())


BOSTON_FEATURE_NAMES = (
    "CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT",
)


def load_boston_housing(test_split: float = 0.2, seed: int = 113):
    """Load Boston housing exactly as ``keras.datasets.boston_housing.load_data()`` does.

    Returns:
        ``(train_data, train_targets), (test_data, test_targets)``: 404 and 102 rows of the
        13 features named in ``BOSTON_FEATURE_NAMES``, targets in thousands of dollars.
    Raises:
        ValueError: bad ``test_split``. DataError: see ``fetch``.
    """
    if not 0 < test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1, got {test_split!r}")
    with np.load(fetch("boston_housing"), allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    order = np.arange(len(x))
    np.random.RandomState(seed).shuffle(order)
    x, y = x[order], y[order]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])


# --------------------------------------------------------------------------- cats vs dogs


def _build_cats_vs_dogs(archive: Path, destination: Path) -> None:
    """Cut the small set from the Kaggle archive into ``destination`` (atomically).

    Per class, readable images are taken in file-number order: the first 1000 for training,
    the next 500 for validation, the next 500 for testing; each is stored as 150x150 JPEG,
    as in the mirror. Unreadable files (the archive has some) are skipped.
    """
    from PIL import Image

    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=destination.parent, prefix=f".{destination.name}."))
    try:
        with zipfile.ZipFile(archive) as zf:
            names = set(zf.namelist())
            for folder, cls in (("Cat", "cat"), ("Dog", "dog")):
                numbers = sorted(
                    int(Path(n).stem) for n in names
                    if n.startswith(f"PetImages/{folder}/") and n.endswith(".jpg") and Path(n).stem.isdigit()
                )
                wanted = iter(CATS_VS_DOGS_SPLITS.items())
                split, remaining = next(wanted)
                for number in numbers:
                    try:
                        with Image.open(io.BytesIO(zf.read(f"PetImages/{folder}/{number}.jpg"))) as image:
                            image = image.convert("RGB").resize(CATS_VS_DOGS_STORED_SIZE, Image.BILINEAR)
                    except Exception:  # noqa: BLE001 - PIL raises several kinds for a broken file
                        continue
                    out = staging / split / f"{cls}s" / f"{cls}.{number}.jpg"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    image.save(out, quality=85)
                    remaining -= 1
                    if remaining == 0:
                        split, remaining = next(wanted, (None, 0))
                        if split is None:
                            break
                if split is not None:
                    raise DataError(f"The archive {archive} holds too few readable {cls} images for the small set.")
        (staging / ".sha256").write_text(tree_digest(staging) + "\n")
        os.replace(staging, destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def cats_vs_dogs_dir(*, allow_download: bool = True) -> Path:
    """Return the folder of the small cats-vs-dogs set, with ``{train,validation,test}/{cats,dogs}/``.

    The mirror's copy is verified against its published tree checksum; a copy built here
    from the Kaggle archive against the checksum recorded when it was built.

    Raises:
        ChecksumError: a local copy is incomplete or corrupted.
        DataUnavailableError: no local copy, and the archive cannot be downloaded.
    """
    cache = config.cache_dir() / CATS_VS_DOGS_DIRNAME
    looked_in = []
    for folder in config.data_dirs():
        path = folder / CATS_VS_DOGS_DIRNAME
        looked_in.append(path)
        if path.is_dir():
            recorded = path / ".sha256"
            expected = recorded.read_text().strip() if recorded.is_file() else CATS_VS_DOGS_MIRROR_SHA256
            if tree_digest(path) != expected:
                raise ChecksumError(
                    f"{path} is incomplete or corrupted (its tree checksum differs from {expected}). "
                    "Delete it and run `make data` to build it again."
                )
            return path
    if not allow_download:
        raise _unavailable("The cats-vs-dogs small set", looked_in, "downloading was not allowed")
    try:
        archive = fetch("cats_vs_dogs_archive")
    except DataUnavailableError as error:
        places = ", ".join(str(p) for p in looked_in)
        raise DataUnavailableError(
            f"The cats-vs-dogs small set is not available (no copy in {places}), and it cannot be cut "
            f"from its source archive: {error}"
        ) from error
    _build_cats_vs_dogs(archive, cache)
    return cache


def load_cats_vs_dogs(image_size: tuple[int, int] = (150, 150), batch_size: int = 32, seed: int = 1337):
    """Load the small cats-vs-dogs set as three ``tf.data`` datasets of (image batch, label batch).

    Images are float32 RGB in [0, 255] resized to ``image_size``; labels are 0 = cat, 1 = dog.
    Only the training set is shuffled (with ``seed``), each epoch.

    Returns:
        A dict with keys ``"train"``, ``"validation"``, ``"test"``.
    Raises:
        ValueError: bad ``image_size`` or ``batch_size``. DataError: see ``cats_vs_dogs_dir``.
    """
    if len(image_size) != 2 or min(image_size) < 1:
        raise ValueError(f"image_size must be (height, width) of positive ints, got {image_size!r}")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    keras = config.import_keras()
    root = cats_vs_dogs_dir()
    return {
        split: keras.utils.image_dataset_from_directory(
            root / split, image_size=tuple(image_size), batch_size=batch_size, label_mode="binary",
            shuffle=(split == "train"), seed=seed, verbose=False,
        )
        for split in CATS_VS_DOGS_SPLITS
    }


# --------------------------------------------------------------------------- make data


def download_all() -> list[tuple[str, str]]:
    """Make every data set and weights file the notebooks use available locally (``make data``).

    Returns:
        ``(name, where)`` pairs; ``where`` is the local path, or the error for what failed.
    """
    results: list[tuple[str, str]] = []

    def attempt(name: str, action) -> None:
        try:
            results.append((name, str(action())))
        except DataError as error:
            results.append((name, f"FAILED: {error}"))

    def mnist_path() -> Path:
        load_mnist()
        return next(p for p in (d / MNIST_FILENAME for d in config.data_dirs()) if p.is_file())

    attempt("mnist", mnist_path)
    for key in ("imdb", "imdb_word_index", "reuters", "reuters_word_index", "boston_housing"):
        attempt(key, lambda key=key: fetch(key))
    attempt("cats_vs_dogs_small", cats_vs_dogs_dir)
    # squeezenet_notop is mirror-only: the base 07_pretrained_vgg16 falls back to without VGG16's weights.
    for key in ("vgg16_notop", "squeezenet_notop"):
        attempt(key, lambda key=key: fetch(key))
    return results


def main() -> int:
    """Command line for ``make data``: fetch everything and print where each file is.

    Returns:
        0 when every data set and at least one pretrained base (VGG16, else SqueezeNet) is
        available, else 1.
    """
    results = download_all()
    width = max(len(name) for name, _ in results)
    for name, where in results:
        print(f"{name:<{width}}  {where}")
    failed = {name for name, where in results if where.startswith("FAILED")}
    bases = {"vgg16_notop", "squeezenet_notop"}
    if "vgg16_notop" in failed and "squeezenet_notop" not in failed:
        print("VGG16's weights are missing: 07_pretrained_vgg16 will use the SqueezeNet base instead.")
    missing = (failed - bases) | (bases if bases <= failed else set())
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
