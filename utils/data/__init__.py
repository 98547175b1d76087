"""Data sets and weights: where each comes from (``sources``), the one verified lookup every loader goes through
(``store``), and the loaders. Every fault ends in a ``DataError`` that says what, where, and the fix."""

from .cats_vs_dogs import load_cats_vs_dogs
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
