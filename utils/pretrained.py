"""Pretrained convolutional bases for the cats-vs-dogs notebook: VGG16, or SqueezeNet v1.1 offline.

The lecture reuses VGG16's ImageNet-trained convolutional base. Its weights (59 MB) come
through ``utils.fetch("vgg16")``: the mirror, the ``data/`` cache, or Keras's own
download address (checksum-verified). When they cannot be had (offline, no copy), the
notebook falls back to SqueezeNet v1.1, also trained on ImageNet, whose weights the offline
mirror holds (``weights/squeezenet_v1.1_imagenet_notop.h5``). A base with random weights
is never offered as pretrained.

Both bases expect Caffe-style inputs: RGB images in [0, 255] turned into BGR, minus the
ImageNet channel means, not scaled (``preprocess_input``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import config
from .data import ChecksumError, DataAccessError, DataError, DataUnavailableError, fetch

BASES = ("vgg16", "squeezenet")  # also their weights' keys in utils.data's registry
IMAGENET_BGR_MEANS = (103.939, 116.779, 123.68)

# What fine-tuning unfreezes, per base: the last block of the base, whose features are the
# most specific to ImageNet's classes (and so the most worth re-adapting to cats vs dogs).
# VGG16: block 5 (its three convolutions; the pooling layer has no weights), as in the lecture.
# SqueezeNet: fire9, its last fire module (197,184 parameters, 27% of the base; VGG16's
# block 5 is 48% of its base). fire9 is the last layer before the classifier in the full
# SqueezeNet, like block 5 in VGG16; unfreezing more of a base this small with 2000 training
# images risks destroying the general features the earlier modules hold.
FINE_TUNE_LAYERS: dict[str, tuple[str, ...]] = {
    "vgg16": ("block5_conv1", "block5_conv2", "block5_conv3"),
    "squeezenet": ("fire9_squeeze1x1", "fire9_expand1x1", "fire9_expand3x3"),
}

# (squeeze filters, expand filters per branch) of fire2 .. fire9, and the max-pool after fire3, fire5.
_FIRE_MODULES = {
    2: (16, 64),
    3: (16, 64),
    4: (32, 128),
    5: (32, 128),
    6: (48, 192),
    7: (48, 192),
    8: (64, 256),
    9: (64, 256),
}
_POOL_AFTER = {3: "pool3", 5: "pool5"}


def _known_base(name: str) -> str:
    if not isinstance(name, str) or name not in BASES:
        raise ValueError(f"base must be one of {', '.join(repr(b) for b in BASES)}, got {name!r}")
    return name


# --------------------------------------------------------------------------- preprocessing


def preprocess_input(images):
    """Turn RGB images in [0, 255] into the Caffe-style inputs VGG16 and SqueezeNet were trained on.

    RGB -> BGR, then minus the ImageNet channel means (103.939, 116.779, 123.68), no scaling:
    the same as ``keras.applications.vgg16.preprocess_input``, but never modifying a NumPy
    argument in place. Works on NumPy arrays, tensors, and symbolic inputs inside a model.

    Returns:
        float32 images of the same shape (a NumPy array for a NumPy argument, else a tensor).
    Raises:
        ValueError: the last axis is not 3 (RGB).
    """
    if images.shape[-1] != 3:
        raise ValueError(f"expected RGB images with 3 channels on the last axis, got shape {tuple(images.shape)}")
    if isinstance(images, np.ndarray):
        return np.asarray(images, dtype=np.float32)[..., ::-1] - np.asarray(IMAGENET_BGR_MEANS, dtype=np.float32)
    keras = config.import_keras()
    ops = keras.ops
    return ops.flip(ops.cast(images, "float32"), axis=-1) - ops.convert_to_tensor(IMAGENET_BGR_MEANS, "float32")


# --------------------------------------------------------------------------- SqueezeNet v1.1


def squeezenet_v11(image_size: Sequence[int] = (150, 150), weights: str | Path | None = None):
    """Build the SqueezeNet v1.1 convolutional base (no classifier), with ImageNet weights if given.

    Architecture: conv1 3x3/2, 64 filters, ReLU; max-pool 3x3/2;
    fire2, fire3; max-pool; fire4, fire5; max-pool; fire6 .. fire9. A fire module squeezes
    with a 1x1 convolution, then expands with a 1x1 and a 3x3 ('same') convolution side by
    side, concatenated (1x1 first); all ReLU. Valid padding elsewhere. 722,496 parameters;
    a 150x150 image gives an 8x8x512 feature map.

    Args:
        image_size: (height, width) of the RGB inputs, which must be preprocessed with
            ``preprocess_input``.
        weights: path of the weights file (``utils.fetch("squeezenet")``), or None for
            random weights (only for tests and comparisons, never as "pretrained").

    Returns:
        A functional ``keras.Model`` named ``squeezenet_v1.1``.
    Raises:
        ValueError: ``image_size`` too small for the three poolings, or a weights file that does
            not fit the architecture.
    """
    height, width = image_size
    size = min(height, width)
    for _ in range(4):  # conv1 and three max-pools: each 3x3, stride 2, valid
        size = (size - 3) // 2 + 1
    if size < 1:
        raise ValueError(f"image_size {image_size!r} is too small for SqueezeNet (at least 31x31 is needed)")
    keras = config.import_keras()
    layers = keras.layers

    def fire(x, module: int, squeeze: int, expand: int):
        prefix = f"fire{module}"
        x = layers.Conv2D(squeeze, 1, activation="relu", name=f"{prefix}_squeeze1x1")(x)
        left = layers.Conv2D(expand, 1, activation="relu", name=f"{prefix}_expand1x1")(x)
        right = layers.Conv2D(expand, 3, padding="same", activation="relu", name=f"{prefix}_expand3x3")(x)
        return layers.Concatenate(name=f"{prefix}_concat")([left, right])

    inputs = keras.Input(shape=(height, width, 3), name="image")
    x = layers.Conv2D(64, 3, strides=2, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for module, (squeeze, expand) in _FIRE_MODULES.items():
        x = fire(x, module, squeeze, expand)
        if module in _POOL_AFTER:
            x = layers.MaxPooling2D(3, strides=2, name=_POOL_AFTER[module])(x)
    model = keras.Model(inputs, x, name="squeezenet_v1.1")
    if weights is not None:
        load_squeezenet_weights(model, weights)
    return model


def load_squeezenet_weights(model, path: str | Path) -> None:
    """Load the SqueezeNet v1.1 weights file at ``path`` into a model built by ``squeezenet_v11`` (in place).

    The file holds one group per layer (``conv1``, ``fire2/squeeze1x1``, ...) with, somewhere
    below it, exactly two datasets: a 4-d kernel (height, width, in, out) and a 1-d bias whose
    name ends in ``_b``.

    Raises:
        ValueError: the file lacks a layer group, a group does not hold one kernel and one bias,
            or their shapes differ from the layer's.
    """
    import h5py

    with h5py.File(path, "r") as file:
        for layer in (layer for layer in model.layers if layer.weights):
            group = layer.name.replace("_", "/", 1) if layer.name.startswith("fire") else layer.name
            if group not in file:
                raise ValueError(f"{path} has no layer group {group!r}: not a SqueezeNet v1.1 weights file")
            names: list[str] = []
            file[group].visit(names.append)
            datasets = [(key, file[group][key][()]) for key in names if isinstance(file[group][key], h5py.Dataset)]
            kernels = [value for key, value in datasets if value.ndim == 4]
            biases = [value for key, value in datasets if value.ndim == 1 and key.endswith("_b")]
            if len(datasets) != 2 or len(kernels) != 1 or len(biases) != 1:
                raise ValueError(
                    f"{path}: layer group {group!r} should hold one 4-d kernel and one bias ending in '_b', "
                    f"found {[key for key, _ in datasets]}"
                )
            expected = [tuple(w.shape) for w in layer.weights]
            if [kernels[0].shape, biases[0].shape] != expected:
                raise ValueError(
                    f"{layer.name}: the file has shapes {[kernels[0].shape, biases[0].shape]}, the layer {expected}"
                )
            layer.set_weights([kernels[0].astype(np.float32), biases[0].astype(np.float32)])


# --------------------------------------------------------------------------- choosing a base


@dataclass(frozen=True)
class BaseChoice:
    """The pretrained base a run uses: its name, its verified weights file, and why it was chosen."""

    name: str
    weights: Path
    reason: str


# Why a weights file cannot be had, in one sentence without paths or raw library messages.
_WHY = {
    DataUnavailableError: "there is no copy in the mirror or the cache, and downloading them failed",
    ChecksumError: "the copy found is damaged or not the published file (run `make data` for the details)",
    DataAccessError: "their file cannot be read (run `make data` for the details)",
}


def choose_base(requested: str = "auto", *, verbose: bool = True) -> BaseChoice:
    """Decide which pretrained base to use, and say why (printed unless ``verbose=False``).

    ``"auto"``: VGG16 when its ImageNet weights can be had (mirror, cache, or download),
    otherwise SqueezeNet v1.1 with ImageNet weights from the mirror, with a message naming the
    reason. ``"vgg16"`` or ``"squeezenet"``: that base, or an error if its weights cannot be had.

    Returns:
        A ``BaseChoice``.
    Raises:
        ValueError: ``requested`` is not "auto", "vgg16" or "squeezenet".
        DataError: the requested base's weights (or, for "auto", both bases' weights) cannot
            be had; never falls back to random weights.
    """
    if requested != "auto":
        _known_base(requested)
        path = fetch(requested)
        choice = BaseChoice(
            requested, path, f"{requested} was asked for; ImageNet weights: {config.display_path(path)}"
        )
    else:
        try:
            path = fetch("vgg16")
            choice = BaseChoice("vgg16", path, f"VGG16's ImageNet weights are available ({config.display_path(path)}).")
        except DataError as error:
            try:
                path = fetch("squeezenet")
            except DataError as fallback_error:
                raise DataError(
                    f"No pretrained base can be had. VGG16: {error} SqueezeNet: {fallback_error}"
                ) from fallback_error
            choice = BaseChoice(
                "squeezenet",
                path,
                f"VGG16's ImageNet weights cannot be had here: {_WHY.get(type(error), error)}. So this run uses SqueezeNet v1.1, "
                f"also trained on ImageNet ({config.display_path(path)}).",
            )
    if verbose:
        print(f"Base: {choice.name}. {choice.reason}")
    return choice


def fine_tune_layers(name: str) -> tuple[str, ...]:
    """Return the names of the layers fine-tuning unfreezes in base ``name`` (its top block).

    Raises:
        ValueError: unknown base.
    """
    return FINE_TUNE_LAYERS[_known_base(name)]


def balanced_batches(dataset, batches: int | None):
    """Return a class-balanced subset of an unshuffled, class-sorted split: its first and last batches.

    ``image_dataset_from_directory`` without shuffling yields all cats, then all dogs, so the
    first batches alone would hold one class only. ``batches=None`` returns ``dataset`` unchanged.

    Returns:
        A ``tf.data.Dataset`` of ``2 * batches`` batches (or ``dataset``).
    Raises:
        ValueError: the dataset has fewer than ``2 * batches`` batches.
    """
    if batches is None:
        return dataset
    total = int(dataset.cardinality())
    if total < 2 * batches:
        raise ValueError(f"the dataset has {total} batches, fewer than the {2 * batches} asked for")
    return dataset.take(batches).concatenate(dataset.skip(total - batches))
