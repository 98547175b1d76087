"""Shared helpers for the Building Deep Learning Systems notebooks: the names a notebook uses as ``utils.<name>``.
A notebook starts with ``import utils`` (no TensorFlow yet) and ``utils.setup()``, before importing Keras."""

from .checks import (
    all_checks_passed,
    check_augmentation,
    check_budget_model,
    check_cross_entropy,
    check_decode,
    check_dropout_model,
    check_encode,
    check_feature_map_shape,
    check_l1_model,
    check_l2_penalty,
    check_mae,
    check_normalized_model,
    check_one_hot,
    check_output_sizes,
    check_receptive_field,
    check_small_convnet,
    check_small_network,
    check_small_reuters,
    check_sparse_labels,
    check_top_k_accuracy,
    check_unfreeze_more,
    check_without_b,
)
from .config import FAST, MODE, setup
from .data import (
    BOSTON_FEATURE_NAMES,
    MNIST_TRAIN_SIZE,
    fetch,
    load_boston_housing,
    load_cats_vs_dogs,
    load_imdb,
    load_mnist,
    load_reuters,
    load_word_index,
    reuters_topic_names,
)
from .measure import peak_memory_mb
from .plots import plot_feature_maps, plot_filters, plot_history, plot_images, plot_side_by_side
from .pretrained import balanced_batches, choose_base, fine_tune_layers, preprocess_input, squeezenet_v11
from .report import report
from .speed import has_accelerator, steps_per_execution
from .text import decode, multi_hot
from .training import best_epoch, compare_models, no_progress_bars


def __getattr__(name: str):
    """``utils.MultiHotBatches``: imported on first use, since it subclasses a Keras class (after ``setup()``)."""
    if name == "MultiHotBatches":
        from .batches import MultiHotBatches

        return MultiHotBatches
    raise AttributeError(f"module 'utils' has no attribute {name!r}")
