"""Data sets and weights: where each comes from, how it is verified, and one loader per data set.

Every file is looked for in the read-only mirror ``DLS_DATA_DIR`` first, then in the download
cache ``data/``, and is otherwise fetched from its original source into the cache (``store.obtain``,
the one lookup every loader uses). Nothing is loaded unless it has been verified, and every
fault ends in one ``DataError`` that says what, where, and the fix.

- ``sources``: the registry of files, their origins and checksums;
- ``store``: the lookup, verification, downloads (pooch), and the errors;
- ``loaders``: MNIST, IMDB, Reuters, Boston housing;
- ``cats_vs_dogs``: the small image set, its tree verification and its builder.
"""

from .cats_vs_dogs import cats_vs_dogs_dir, load_cats_vs_dogs
from .loaders import (
    BOSTON_FEATURE_NAMES,
    load_boston_housing,
    load_imdb,
    load_mnist,
    load_reuters,
    load_word_index,
    reuters_topic_names,
)
from .sources import MNIST_TRAIN_SIZE
from .store import ChecksumError, DataAccessError, DataError, DataUnavailableError, fetch

__all__ = [
    "BOSTON_FEATURE_NAMES",
    "MNIST_TRAIN_SIZE",
    "ChecksumError",
    "DataAccessError",
    "DataError",
    "DataUnavailableError",
    "cats_vs_dogs_dir",
    "fetch",
    "load_boston_housing",
    "load_cats_vs_dogs",
    "load_imdb",
    "load_mnist",
    "load_reuters",
    "load_word_index",
    "reuters_topic_names",
]
