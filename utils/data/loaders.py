"""One loader per data set, each going through ``store.obtain``. The text and table loaders return exactly what
``keras.datasets.<name>.load_data()`` returns; MNIST comes as OpenML data set 554 stores it, as in the lecture."""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .. import config
from .sources import MNIST_CONTENT_SHA256, MNIST_TRAIN_SIZE
from .store import CannotMake, ChecksumError, Invalid, fetch_bytes, move_into_place, obtain, staging

MNIST_ARRAYS = {  # key -> (dtype, shape) of an mnist.npz
    "x_train": ("uint8", (60_000, 28, 28)),
    "y_train": ("uint8", (60_000,)),
    "x_test": ("uint8", (10_000, 28, 28)),
    "y_test": ("uint8", (10_000,)),
}


def mnist_from_npz(payload: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Check the bytes of an ``mnist.npz`` for what they hold (keys, dtypes, shapes, content); return (images, labels).

    Raises:
        Invalid: not an .npz archive, other arrays, or other content than MNIST's.
    """
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as archive:
            if sorted(archive.files) != sorted(MNIST_ARRAYS):
                raise Invalid(f"it holds the arrays {sorted(archive.files)}, not {sorted(MNIST_ARRAYS)}")
            arrays = {key: archive[key] for key in MNIST_ARRAYS}
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError) as error:
        raise Invalid(f"it is not a readable .npz archive ({type(error).__name__}: {error})") from None
    for key, (dtype, shape) in MNIST_ARRAYS.items():
        if arrays[key].dtype != dtype or arrays[key].shape != shape:
            raise Invalid(f"{key} is {arrays[key].dtype} of shape {arrays[key].shape}, not {dtype} of shape {shape}")
    images = np.concatenate([arrays["x_train"], arrays["x_test"]]).reshape(-1, 784)
    labels = np.concatenate([arrays["y_train"], arrays["y_test"]])
    if hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest() != MNIST_CONTENT_SHA256:
        raise Invalid(f"its content checksum differs from {MNIST_CONTENT_SHA256}")
    return images, labels


def _fetch_openml_mnist(folder: Path) -> tuple[np.ndarray, np.ndarray]:
    """Download OpenML data set 554 into ``folder``; return (X, y) uint8."""
    import openml

    openml.config.set_root_cache_directory(str(folder))
    dataset = openml.datasets.get_dataset(554, download_data=True)  # qualities and feature metadata: not fetched
    features, target, _, _ = dataset.get_data(target=dataset.default_target_attribute)
    return features.to_numpy(dtype=np.uint8), np.asarray(target).astype(np.uint8)


def _make_mnist(target: Path) -> None:
    with staging(target.name) as folder:
        try:
            images, labels = _fetch_openml_mnist(folder / "openml")
        except ImportError:
            raise
        except OSError as error:
            if error.errno is not None and not isinstance(error, (ConnectionError, TimeoutError)):
                raise  # a local fault (full disk, permissions): obtain reports it as such
            raise CannotMake(f"the download from OpenML failed ({error})") from error
        except Exception as error:  # openml raises many kinds (HTTP, server, parse) for one cause
            raise CannotMake(f"the download from OpenML failed ({type(error).__name__}: {error})") from error
        train, test = slice(None, MNIST_TRAIN_SIZE), slice(MNIST_TRAIN_SIZE, None)
        built, images = folder / target.name, images.reshape(-1, 28, 28)
        np.savez_compressed(
            built, x_train=images[train], y_train=labels[train], x_test=images[test], y_test=labels[test]
        )
        try:
            mnist_from_npz(built.read_bytes())
        except Invalid as problem:
            raise ChecksumError(
                f"MNIST as OpenML sent it (data set 554) is not the expected data: {problem}. "
                "Nothing was kept. Try again later, or use a verified copy through DLS_DATA_DIR."
            ) from None
        move_into_place(built, target)


def load_mnist() -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST as OpenML data set 554 stores it: the first 60000 rows are the training set (``MNIST_TRAIN_SIZE``), the last 10000 the test set.

    Returns:
        ``(X, y)``: X uint8 of shape (70000, 784), y uint8 of shape (70000,) with values 0-9.
    Raises:
        ChecksumError: a local copy, or what OpenML sent, is not MNIST.
        DataUnavailableError, DataAccessError: see ``store.obtain``.
    """
    return obtain(
        "mnist.npz", "MNIST (OpenML data set 554)", lambda path: mnist_from_npz(path.read_bytes()), _make_mnist
    )


def _require(num_words: int | None = None, test_split: float = 0.5) -> None:
    if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, int) or num_words < 4):
        raise ValueError(f"num_words must be None or an int of at least 4 (ids 0-3 are reserved), got {num_words!r}")
    if not 0 < test_split < 1:
        raise ValueError(f"test_split must be between 0 and 1, got {test_split!r}")


def _load_npz(key: str, *, pickled: bool = False) -> dict[str, np.ndarray]:
    # Object arrays need pickle: only bytes that have just matched the registry's checksum are unpickled.
    with np.load(io.BytesIO(fetch_bytes(key)), allow_pickle=pickled) as archive:
        return {name: archive[name] for name in archive.files}


def _shuffled(rng: np.random.RandomState, *arrays: np.ndarray) -> list[np.ndarray]:
    order = np.arange(len(arrays[0]))
    rng.shuffle(order)
    return [array[order] for array in arrays]


def _reindexed(sequences: np.ndarray, num_words: int | None, split: int, start_char=1, oov_char=2, index_from=3):
    """Return Keras's re-indexing as two object arrays of lists of ints, split at ``split``: ``start_char`` first,
    ``index_from`` added to every rank, ids >= ``num_words`` (without it, the largest id: Keras's rule) -> ``oov_char``.
    """
    lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences)) + 1
    starts = np.cumsum(lengths) - lengths
    ids = np.full(lengths.sum(), start_char, dtype=np.int64)
    is_word = np.ones(len(ids), dtype=bool)
    is_word[starts] = False
    ids[is_word] = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int64) + index_from
    ids[ids >= (num_words or ids.max())] = oov_char
    # One Python int per distinct id, shared by every list: a fresh int per word (28 bytes for ids above 256) made
    # IMDB's lists take about 120 MB more.
    shared = np.array(range(ids.max() + 1), dtype=object)[ids]
    pieces = [piece.tolist() for piece in np.split(shared, starts[1:])]
    return np.array(pieces[:split], dtype="object"), np.array(pieces[split:], dtype="object")


def load_imdb(num_words: int | None = None, seed: int = 113):
    """Load IMDB exactly as ``keras.datasets.imdb.load_data(num_words=num_words)`` does.

    Returns:
        ``(train_data, train_labels), (test_data, test_labels)``: object arrays of 25000 lists of word ids
        (1 = start, 2 = unknown word, rank + 3 otherwise) and int labels (1 = positive).
    Raises:
        ValueError: bad ``num_words``. DataError: see ``store.obtain``.
    """
    _require(num_words)
    raw = _load_npz("imdb", pickled=True)
    rng = np.random.RandomState(seed)
    x_train, y_train = _shuffled(rng, raw["x_train"], raw["y_train"])
    x_test, y_test = _shuffled(rng, raw["x_test"], raw["y_test"])
    x_train, x_test = _reindexed(np.concatenate([x_train, x_test]), num_words, len(x_train))
    return (x_train, y_train), (x_test, y_test)


def load_reuters(num_words: int | None = None, test_split: float = 0.2, seed: int = 113):
    """Load Reuters exactly as ``keras.datasets.reuters.load_data(num_words=num_words)`` does.

    Returns:
        ``(train_data, train_labels), (test_data, test_labels)``: 8982 and 2246 newswires (ids as in ``load_imdb``),
        labels 0-45.
    Raises:
        ValueError: bad ``num_words`` or ``test_split``. DataError: see ``store.obtain``.
    """
    _require(num_words, test_split)
    raw = _load_npz("reuters", pickled=True)
    x, labels = _shuffled(np.random.RandomState(seed), raw["x"], raw["y"])
    split = int(len(x) * (1 - test_split))
    x_train, x_test = _reindexed(x, num_words, split)
    return (x_train, labels[:split]), (x_test, labels[split:])


def load_word_index(dataset: str) -> dict[str, int]:
    """Return the word -> frequency rank dictionary of ``"imdb"`` or ``"reuters"``.

    Raises:
        ValueError: unknown ``dataset``. DataError: see ``store.obtain``.
    """
    if dataset not in ("imdb", "reuters"):
        raise ValueError(f"dataset must be 'imdb' or 'reuters', got {dataset!r}")
    return json.loads(fetch_bytes(f"{dataset}_word_index").decode("utf-8"))


def reuters_topic_names() -> list[str]:
    """Return the 46 Reuters topic names, index = label (0 = cocoa, 3 = earn, 4 = acq, ...)."""
    keras = config.import_keras()
    return list(keras.datasets.reuters.get_label_names())


BOSTON_FEATURE_NAMES = ("CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT")


def load_boston_housing(test_split: float = 0.2, seed: int = 113):
    """Load Boston housing exactly as ``keras.datasets.boston_housing.load_data()`` does.

    Returns:
        ``(train_data, train_targets), (test_data, test_targets)``: 404 and 102 rows of the 13 features named in
        ``BOSTON_FEATURE_NAMES``, targets in thousands of dollars.
    Raises:
        ValueError: bad ``test_split``. DataError: see ``store.obtain``.
    """
    _require(test_split=test_split)
    raw = _load_npz("boston_housing")
    x, y = _shuffled(np.random.RandomState(seed), raw["x"], raw["y"])
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
