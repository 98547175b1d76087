"""Data sets and weights: where each comes from (``sources``), the one verified lookup every loader goes through
(``store``: the mirror ``DLS_DATA_DIR``, the cache ``data/``, then the source), and the loaders (``loaders``,
``cats_vs_dogs``). Every fault ends in a ``DataError`` that says what, where, and the fix.
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
