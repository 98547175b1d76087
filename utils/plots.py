"""Figures the notebooks share: training curves, image grids, and the convnet figures of 06_convnets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import Normalize
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
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _norm(array: np.ndarray) -> Normalize:
    """Return imshow's colour scale: symmetric around zero when values are negative."""
    low, high = float(array.min()), float(array.max())
    if high == low:
        return Normalize(low, low + 1.0)
    bound = max(-low, high)
    return Normalize(-bound, bound) if low < 0 else Normalize(low, high)


def plot_history(
    histories,
    metrics: Sequence[str] = ("loss", "accuracy"),
    title: str | None = None,
    skip_first: int = 0,
    validation_only: bool = False,
):
    """Plot training (dashed) and validation (solid) curves per epoch, one panel per metric; return the figure.

    Args:
        histories: a ``History`` (or its ``.history`` dict), or ``{label: History}`` to compare runs, one colour each.
        metrics: the metric names to plot, e.g. ``("loss", "mae")``.
        skip_first: leave out the first epochs (their large values squash the rest).
        validation_only: plot only the validation curves (clearer when comparing many runs).

    Raises:
        KeyError: a metric is not in a history.
    """
    several = isinstance(histories, Mapping) and all(
        hasattr(h, "history") or isinstance(h, Mapping) for h in histories.values()
    )
    runs = {label: history_dict(h) for label, h in histories.items()} if several else {"": history_dict(histories)}

    fig, axes = plt.subplots(1, len(metrics), figsize=(5.5 * len(metrics), 3.8), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (label, data) in enumerate(runs.items()):
            if metric not in data:
                raise KeyError(f"metric {metric!r} not recorded; the history has {sorted(data)}")
            epochs = np.arange(1, len(data[metric]) + 1)[skip_first:]
            prefix = f"{label}: " if label else ""
            if not validation_only:
                ax.plot(epochs, data[metric][skip_first:], "--", color=f"C{i}", label=f"{prefix}training")
            if f"val_{metric}" in data:
                ax.plot(epochs, data[f"val_{metric}"][skip_first:], "-", color=f"C{i}", label=f"{prefix}validation")
        ax.set(xlabel="epoch", ylabel=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return _finish(fig, title)


def plot_images(
    images,
    labels: Sequence | None = None,
    predictions: Sequence | None = None,
    class_names: Sequence[str] | None = None,
    ncols: int = 8,
    size: float = 1.6,
):
    """Show images in a grid, titled with the label and, if given, the prediction (red when wrong); return the figure.

    Grayscale images may be (n, h, w) or (n, h, w, 1); colour images (n, h, w, 3) in [0, 255] or [0, 1].
    """
    images = np.asarray(images)
    fig, axes = _grid(len(images), ncols, size, title_height=0.3)

    def name_of(value):
        value = int(np.asarray(value).squeeze())
        return class_names[value] if class_names is not None else str(value)

    given = (("true", labels), ("pred", predictions))
    for i, ax in enumerate(axes):
        image = images[i]
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]
        if image.ndim == 3 and image.max() > 1:
            image = image.astype("uint8")
        ax.imshow(image, cmap="gray_r" if image.ndim == 2 else None)
        named = {word: name_of(values[i]) for word, values in given if values is not None}
        wrong = len(set(named.values())) == 2  # a label and a different prediction
        title = "\n".join(f"{word} {name}" for word, name in named.items())
        ax.set_title(title, fontsize=8, color="red" if wrong else "black")
    return _finish(fig)


def plot_filters(kernel, ncols: int = 8, input_channel: int | None = 0, size: float = 1.0, title: str | None = None):
    """Show the filters of a 2-D convolution, one image per output channel (blue below zero, red above); return
    the figure. ``kernel`` is ``(height, width, in_channels, out_channels)`` (``conv.kernel``) or ``(height, width,
    out_channels)``; ``input_channel`` picks the input channel shown (None: the mean over them)."""
    kernel = np.asarray(kernel, dtype="float32")
    if kernel.ndim == 3:
        kernel = kernel[:, :, None, :]
    filters = kernel.mean(axis=2) if input_channel is None else kernel[:, :, input_channel, :]
    fig, axes = _grid(filters.shape[-1], ncols, size)
    for i, ax in enumerate(axes):
        limit = float(np.abs(filters[:, :, i]).max()) or 1.0
        ax.imshow(filters[:, :, i], cmap="bwr", vmin=-limit, vmax=limit)
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
    """Show the channels of one feature map, ``(height, width, channels)`` or ``(1, height, width, channels)``, the
    first ``max_maps`` of them (all when None), each on its own colour scale; return the figure. A constant channel (e.g. a ReLU that
    never fired) is titled "(0)".
    """
    maps = np.asarray(maps, dtype="float32")
    if maps.ndim == 4:  # a batch of one image
        maps = maps[0]
    maps = maps[:, :, :max_maps]
    fig, axes = _grid(maps.shape[-1], ncols, size)
    for i, ax in enumerate(axes):
        channel = maps[:, :, i]
        ax.imshow(channel, cmap=cmap, norm=_norm(channel))
        ax.set_title(f"{i}" + (" (0)" if channel.min() == channel.max() else ""), fontsize=7)
    return _finish(fig, title)


def plot_side_by_side(
    arrays: Mapping[str, object],
    annotate: bool = False,
    cmap: str | Sequence[str] = "gray_r",
    size: float = 2.6,
):
    """Show ``{title: 2-D array}`` (or ``(h, w, 1)``) left to right, titled with names and shapes; return the figure.
    ``annotate`` writes each cell's value, rounded to a whole number, into small arrays, else each gets a colour bar; ``cmap`` is one
    colour map or one per array.
    """
    cmaps = [cmap] * len(arrays) if isinstance(cmap, str) else list(cmap)
    fig, axes = plt.subplots(1, len(arrays), figsize=(size * len(arrays), size + 0.4), squeeze=False)
    for ax, map_name, (name, array) in zip(axes[0], cmaps, arrays.items()):
        array = np.asarray(array, dtype="float32")
        if array.ndim == 3 and array.shape[-1] == 1:
            array = array[..., 0]
        image = ax.imshow(array, cmap=map_name, norm=_norm(array))
        ax.set_title(f"{name}\n{array.shape[0]}x{array.shape[1]}", fontsize=9)
        ax.set(xticks=[], yticks=[])
        if not annotate:
            fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
            continue
        for (r, c), value in np.ndenumerate(array):  # white text on dark cells, black on light ones
            red, green, blue, _ = image.cmap(image.norm(value))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
            ax.text(c, r, f"{value:.0f}", ha="center", va="center", fontsize=8, color="white" if dark else "black")
    return _finish(fig)
