"""Figures the notebooks share: training curves and image grids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .training import history_dict


def _grid(n: int, ncols: int, size: float, title_height: float = 0.2):
    """Return a figure with ``n`` axes in rows of ``ncols`` (axis lines off), and those ``n`` axes."""
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, (size + title_height) * nrows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    return fig, list(axes.flat[:n])


def _finish(fig, title: str | None = None):
    """Put ``title`` over the figure, lay it out, and return it."""
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _color_limits(array: np.ndarray) -> tuple[float, float]:
    """Return imshow's (vmin, vmax): symmetric around zero when values are negative, a range of 1 when constant."""
    low, high = float(array.min()), float(array.max())
    if high == low:
        return low, low + 1.0
    if low < 0:
        return -max(-low, high), max(-low, high)
    return low, high


def plot_history(
    histories,
    metrics: Sequence[str] = ("loss", "accuracy"),
    title: str | None = None,
    skip_first: int = 0,
    validation_only: bool = False,
):
    """Plot training (dashed) and validation (solid) curves per epoch, one panel per metric.

    Args:
        histories: one ``History`` (or its ``.history`` dict), or a mapping ``{label: History}``
            to compare several runs on the same axes, one colour per run.
        metrics: the metric names to plot, e.g. ``("loss", "accuracy")`` or ``("loss", "mae")``.
        title: a title over the figure.
        skip_first: leave out the first epochs (their large values squash the rest).
        validation_only: plot only the validation curves (clearer when comparing many runs).

    Returns:
        The matplotlib ``Figure``.
    Raises:
        KeyError: a metric is not in a history.
    """
    first = next(iter(histories.values())) if isinstance(histories, Mapping) else None
    if hasattr(histories, "history") or not (hasattr(first, "history") or isinstance(first, Mapping)):
        runs = {"": history_dict(histories)}
    else:
        runs = {label: history_dict(h) for label, h in histories.items()}

    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 3.8), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (label, data) in enumerate(runs.items()):
            if metric not in data:
                raise KeyError(f"metric {metric!r} not recorded; the history has {sorted(data)}")
            color = f"C{i}"
            epochs = np.arange(1, len(data[metric]) + 1)[skip_first:]
            prefix = f"{label}: " if label else ""
            if not validation_only:
                ax.plot(epochs, data[metric][skip_first:], "--", color=color, label=f"{prefix}training")
            if f"val_{metric}" in data:
                ax.plot(epochs, data[f"val_{metric}"][skip_first:], "-", color=color, label=f"{prefix}validation")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _finish(fig, title)


def plot_images(
    images,
    labels: Sequence | None = None,
    predictions: Sequence | None = None,
    class_names: Sequence[str] | None = None,
    ncols: int = 8,
    cmap: str | None = None,
    size: float = 1.6,
):
    """Show images in a grid, titled with the true label and, if given, the prediction.

    Wrong predictions are titled in red. Grayscale images may be (n, h, w) or (n, h, w, 1);
    colour images (n, h, w, 3) with values in [0, 255] or [0, 1].

    Returns:
        The matplotlib ``Figure``.
    """
    images = np.asarray(images)
    n = len(images)
    fig, axes = _grid(n, ncols, size, title_height=0.3)

    def name_of(value):
        value = int(np.asarray(value).squeeze())
        return class_names[value] if class_names is not None else str(value)

    for i, ax in enumerate(axes):
        image = images[i]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.ndim == 3 and image.max() > 1:
            image = image.astype("uint8")
        ax.imshow(image, cmap=cmap or ("gray_r" if image.ndim == 2 else None))
        parts = []
        if labels is not None:
            parts.append(f"true {name_of(labels[i])}")
        if predictions is not None:
            parts.append(f"pred {name_of(predictions[i])}")
        wrong = labels is not None and predictions is not None and name_of(labels[i]) != name_of(predictions[i])
        ax.set_title("\n".join(parts), fontsize=8, color="red" if wrong else "black")
    return _finish(fig)


# --- Convolutional networks (06_convnets): filters, feature maps, small arrays side by side ---


def plot_filters(kernel, ncols: int = 8, input_channel: int | None = 0, size: float = 1.0, title: str | None = None):
    """Show the filters of a 2-D convolution layer as small images, one per output channel.

    Each filter is scaled on its own (blue below zero, red above, white at zero, symmetric
    around 0), so its pattern of positive and negative weights is visible whatever its size.

    Args:
        kernel: the layer's kernel, shape ``(height, width, in_channels, out_channels)`` as
            ``conv.get_weights()[0]`` or ``conv.kernel`` gives it, or ``(height, width, out_channels)``.
        ncols: filters per row.
        input_channel: which input channel of each filter to show; None averages over them.
        size: inches per filter.
        title: a title over the figure.

    Returns:
        The matplotlib ``Figure``.
    """
    kernel = np.asarray(kernel, dtype="float32")
    if kernel.ndim == 3:
        kernel = kernel[:, :, None, :]
    filters = kernel.mean(axis=2) if input_channel is None else kernel[:, :, input_channel, :]
    n = filters.shape[-1]
    fig, axes = _grid(n, ncols, size)
    for i, ax in enumerate(axes):
        f = filters[:, :, i]
        limit = float(np.abs(f).max()) or 1.0
        ax.imshow(f, cmap="bwr", vmin=-limit, vmax=limit)
        ax.set_title(str(i), fontsize=7)
    return _finish(fig, title)


def plot_feature_maps(
    maps,
    ncols: int = 8,
    max_maps: int | None = None,
    size: float = 1.1,
    title: str | None = None,
    cmap: str = "viridis",
):
    """Show the channels of one feature map (a layer's output for one image) as a grid of images.

    Each channel is scaled on its own, so a weak but structured channel is still visible (a channel
    with negative values symmetrically around zero, so that zero has the colour map's middle colour);
    channels that are constant (e.g. a ReLU that never fired) are shown blank and marked "(0)".

    Args:
        maps: array of shape ``(height, width, channels)``, or ``(1, height, width, channels)``
            as a model's output for a batch of one image.
        ncols: channels per row.
        max_maps: show only the first ``max_maps`` channels (None: all).
        size: inches per channel.
        title: a title over the figure, e.g. the layer name and output shape.
        cmap: the matplotlib colour map.

    Returns:
        The matplotlib ``Figure``.
    """
    maps = np.asarray(maps, dtype="float32")
    if maps.ndim == 4:  # a batch of one image
        maps = maps[0]
    maps = maps[:, :, :max_maps]
    n = maps.shape[-1]
    fig, axes = _grid(n, ncols, size)
    for i, ax in enumerate(axes):
        channel = maps[:, :, i]
        low, high = _color_limits(channel)
        ax.imshow(channel, cmap=cmap, vmin=low, vmax=high)
        ax.set_title(f"{i}" + (" (0)" if channel.min() == channel.max() else ""), fontsize=7)
    return _finish(fig, title)


def plot_side_by_side(
    arrays: Mapping[str, object],
    annotate: bool = False,
    cmap: str | Sequence[str] = "gray_r",
    size: float = 2.6,
    fmt: str = "{:.0f}",
):
    """Show several 2-D arrays next to each other, each titled, e.g. an image and its filtered version.

    An array with negative values gets a colour scale symmetric around zero, so that zero
    has the middle colour (white with a diverging map such as ``"bwr"``).

    Args:
        arrays: ``{title: 2-D array}``, shown left to right in this order.
        annotate: write each cell's value into it (for small arrays, such as a pooling example).
        cmap: the matplotlib colour map, or one per array.
        size: inches per panel.
        fmt: format of the annotations.

    Returns:
        The matplotlib ``Figure``.
    """
    cmaps = [cmap] * len(arrays) if isinstance(cmap, str) else list(cmap)
    panels = {}
    for name, array in arrays.items():
        array = np.asarray(array, dtype="float32")
        panels[name] = array[..., 0] if array.ndim == 3 and array.shape[-1] == 1 else array
    fig, axes = plt.subplots(1, len(panels), figsize=(size * len(panels), size + 0.4), squeeze=False)
    for ax, map_name, (name, array) in zip(axes[0], cmaps, panels.items()):
        low, high = _color_limits(array)
        image = ax.imshow(array, cmap=map_name, vmin=low, vmax=high)
        ax.set_title(f"{name}\n{array.shape[0]}x{array.shape[1]}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        if annotate:
            # White text on dark cells, black on light ones, whatever the colour map.
            for (r, c), value in np.ndenumerate(array):
                red, green, blue, _ = image.cmap(image.norm(value))
                dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
                ax.text(
                    c, r, fmt.format(value), ha="center", va="center", fontsize=8, color="white" if dark else "black"
                )
        else:
            fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return _finish(fig)
