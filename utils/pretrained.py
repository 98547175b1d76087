"""Pretrained convolutional bases for the cats-vs-dogs notebook: VGG16 as in the lecture, or, when its weights
cannot be had, SqueezeNet v1.1 (also trained on ImageNet; the offline mirror holds its weights). A base with random
weights is never offered as pretrained. Both expect Caffe-style inputs (``preprocess_input``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import config
from .data import ChecksumError, DataAccessError, DataError, DataUnavailableError, fetch

BASES = ("vgg16", "squeezenet")  # also their weights' keys in utils.data's registry
IMAGENET_BGR_MEANS = (103.939, 116.779, 123.68)

# What fine-tuning unfreezes: the base's last, most ImageNet-specific block. VGG16: block 5, as in the lecture (48% of
# the base). SqueezeNet: fire9 (27%); unfreezing more of so small a base with 2000 images risks its general features.
FINE_TUNE_LAYERS: dict[str, tuple[str, ...]] = {
    "vgg16": ("block5_conv1", "block5_conv2", "block5_conv3"),
    "squeezenet": ("fire9_squeeze1x1", "fire9_expand1x1", "fire9_expand3x3"),
}

# (squeeze filters, expand filters per branch) of fire2 .. fire9; a max-pool follows fire3 and fire5.
FIRE_MODULES = [(16, 64), (16, 64), (32, 128), (32, 128), (48, 192), (48, 192), (64, 256), (64, 256)]


def _known_base(name: str) -> str:
    if name not in BASES:
        raise ValueError(f"base must be one of {', '.join(repr(b) for b in BASES)}, got {name!r}")
    return name


def preprocess_input(images):
    """Turn RGB images in [0, 255] into the Caffe-style inputs VGG16 and SqueezeNet were trained on (BGR, minus the
    ImageNet channel means), as ``keras.applications.vgg16.preprocess_input`` but never in place.

    Returns:
        float32 images of the same shape (a NumPy array for a NumPy argument, else a tensor).
    Raises:
        ValueError: the last axis is not 3 (RGB).
    """
    if images.shape[-1] != 3:
        raise ValueError(f"expected RGB images with 3 channels on the last axis, got shape {tuple(images.shape)}")
    if isinstance(images, np.ndarray):
        return np.asarray(images, dtype=np.float32)[..., ::-1] - np.asarray(IMAGENET_BGR_MEANS, dtype=np.float32)
    ops = config.import_keras().ops
    return ops.flip(ops.cast(images, "float32"), axis=-1) - ops.convert_to_tensor(IMAGENET_BGR_MEANS, "float32")


def squeezenet_v11(image_size: Sequence[int] = (150, 150), weights: str | Path | None = None):
    """Build the SqueezeNet v1.1 convolutional base (no classifier), with ImageNet weights if given: 722,496
    parameters; a 150x150 image gives an 8x8x512 feature map.

    Args:
        image_size: (height, width) of the inputs, preprocessed with ``preprocess_input``.
        weights: the weights file (``utils.fetch("squeezenet")``; a group per layer holding a 4-d kernel and a bias
            named ``..._b``), or None: random weights.

    Returns:
        A functional ``keras.Model`` named ``squeezenet_v1.1``.
    Raises:
        ValueError: ``image_size`` too small for the three poolings, or a weights file that does not fit.
    """
    height, width = image_size
    if min(height, width) < 31:  # conv1 and the three max-pools (3x3, stride 2, valid) need 31 pixels
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
    for module, (squeeze, expand) in enumerate(FIRE_MODULES, start=2):
        x = fire(x, module, squeeze, expand)
        if module in (3, 5):
            x = layers.MaxPooling2D(3, strides=2, name=f"pool{module}")(x)
    model = keras.Model(inputs, x, name="squeezenet_v1.1")
    if weights is None:
        return model
    import h5py

    with h5py.File(weights, "r") as file:
        for layer in (layer for layer in model.layers if layer.weights):
            group = layer.name.replace("_", "/", 1) if layer.name.startswith("fire") else layer.name
            if group not in file:
                raise ValueError(f"{weights} has no layer group {group!r}: not a SqueezeNet v1.1 weights file")
            names: list[str] = []
            file[group].visit(names.append)
            datasets = {key: file[group][key][()] for key in names if isinstance(file[group][key], h5py.Dataset)}
            kernels = [value for value in datasets.values() if value.ndim == 4]
            biases = [value for key, value in datasets.items() if value.ndim == 1 and key.endswith("_b")]
            if len(datasets) != 2 or len(kernels) != 1 or len(biases) != 1:
                found = f"should hold one 4-d kernel and one bias ending in '_b', found {list(datasets)}"
                raise ValueError(f"{weights}: layer group {group!r} {found}")
            layer.set_weights([kernels[0].astype(np.float32), biases[0].astype(np.float32)])  # checks the shapes
    return model


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

    ``"auto"``: VGG16 when its ImageNet weights can be had, else SqueezeNet v1.1, saying why.
    ``"vgg16"`` or ``"squeezenet"``: that base, or an error if its weights cannot be had.

    Returns:
        A ``BaseChoice``.
    Raises:
        ValueError: ``requested`` is not "auto", "vgg16" or "squeezenet".
        DataError: the weights of the requested base (for "auto": of both) cannot be had.
    """
    if requested != "auto":
        name, path = requested, fetch(_known_base(requested))
        reason = f"{requested} was asked for; ImageNet weights: {config.display_path(path)}"
    else:
        try:
            name, path = "vgg16", fetch("vgg16")
            reason = f"VGG16's ImageNet weights are available ({config.display_path(path)})."
        except DataError as error:
            try:
                name, path = "squeezenet", fetch("squeezenet")
            except DataError as fallback:
                raise DataError(f"No pretrained base can be had. VGG16: {error} SqueezeNet: {fallback}") from fallback
            why = f"VGG16's ImageNet weights cannot be had here: {_WHY.get(type(error), error)}."
            reason = f"{why} So this run uses SqueezeNet v1.1, also trained on ImageNet ({config.display_path(path)})."
    if verbose:
        print(f"Base: {name}. {reason}")
    return BaseChoice(name, path, reason)


def fine_tune_layers(name: str) -> tuple[str, ...]:
    """Return the names of the layers fine-tuning unfreezes in base ``name`` (its top block); ValueError for an
    unknown base."""
    return FINE_TUNE_LAYERS[_known_base(name)]


def balanced_batches(dataset, batches: int | None):
    """Return a class-balanced subset of an unshuffled, class-sorted split (as ``image_dataset_from_directory`` yields
    it: all cats, then all dogs): its first ``batches`` batches (cats) and its last ``batches`` batches (dogs); ``batches=None``: ``dataset`` itself.

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
