"""Shared helpers for the Building Deep Learning Systems notebooks.

A notebook starts with ``import utils`` and ``utils.setup()``, before importing Keras:
``setup()`` loads TensorFlow without its start-up messages, seeds everything and prints
the mode. Importing ``utils`` alone is light (no TensorFlow).
"""

from .config import FAST, MODE, setup  # noqa: E402
from .data import (  # noqa: E402
    BOSTON_FEATURE_NAMES,
    MNIST_TRAIN_SIZE,
    ChecksumError,
    DataError,
    DataUnavailableError,
    cats_vs_dogs_dir,
    fetch,
    load_boston_housing,
    load_cats_vs_dogs,
    load_imdb,
    load_mnist,
    load_reuters,
    load_word_index,
    reuters_topic_names,
)
from .plots import plot_history, plot_images  # noqa: E402
from .results import report  # noqa: E402
from .text import decode, multi_hot  # noqa: E402

__all__ = [
    "FAST", "MODE", "setup",
    "BOSTON_FEATURE_NAMES", "MNIST_TRAIN_SIZE", "ChecksumError", "DataError", "DataUnavailableError",
    "cats_vs_dogs_dir", "fetch", "load_boston_housing", "load_cats_vs_dogs", "load_imdb", "load_mnist",
    "load_reuters", "load_word_index", "reuters_topic_names",
    "plot_history", "plot_images", "report", "decode", "multi_hot",
]
from .pretrained import (  # noqa: E402
    BaseChoice, balanced_batches, choose_base, fine_tune_layers, load_base, preprocess_input, squeezenet_v11,
)
__all__ += ["BaseChoice", "balanced_batches", "choose_base", "fine_tune_layers", "load_base", "preprocess_input", "squeezenet_v11"]
from .training import best_epoch, compare_models  # noqa: E402
__all__ += ["best_epoch", "compare_models"]
from .plots import plot_feature_maps, plot_filters, plot_side_by_side  # noqa: E402
__all__ += ["plot_feature_maps", "plot_filters", "plot_side_by_side"]
