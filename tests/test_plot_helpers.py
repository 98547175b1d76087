"""Tests of the shared figures in utils.plots: training curves and image grids."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils.plots import plot_history, plot_images  # noqa: E402

HISTORY = {
    "loss": [0.9, 0.5, 0.4],
    "val_loss": [1.0, 0.7, 0.8],
    "accuracy": [0.6, 0.8, 0.9],
    "val_accuracy": [0.5, 0.7, 0.7],
}


class FakeHistory:
    history = HISTORY


def test_one_history_gives_training_and_validation_curves():
    fig = plot_history(FakeHistory(), metrics=("loss", "accuracy"))
    loss_axes, accuracy_axes = fig.axes
    assert [line.get_label() for line in loss_axes.lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss_axes.lines[1].get_ydata(), HISTORY["val_loss"])


def test_several_runs_share_axes_one_colour_each():
    fig = plot_history({"small": HISTORY, "big": FakeHistory()}, metrics=("loss",), validation_only=True, skip_first=1)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["small: validation", "big: validation"]
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 3])


def test_history_errors():
    with pytest.raises(KeyError, match="mae"):
        plot_history(HISTORY, metrics=("mae",))


def test_image_grid_marks_wrong_predictions():
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    fig = plot_images(images, labels=[1, 2, 3], predictions=[1, 5, 3], ncols=3)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["true 1\npred 1", "true 2\npred 5", "true 3\npred 3"]
    assert fig.axes[1].title.get_color() == "red"


def test_image_grid_with_class_names_and_colour_images():
    images = np.full((2, 8, 8, 3), 200.0)
    fig = plot_images(images, labels=[0, 1], class_names=["cat", "dog"])
    assert [ax.get_title() for ax in fig.axes] == ["true cat", "true dog"]
