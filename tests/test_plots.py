"""Tests of utils.plots: training curves, image grids, and the convnet figures of 06_convnets."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from utils import plots

HISTORY = {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.8], "accuracy": [0.6, 0.8, 0.9]}
FAKE_HISTORY = SimpleNamespace(history=HISTORY)  # what plot_history reads of a Keras History


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def images_of(fig):
    return [ax.images[0] for ax in fig.axes if ax.images]


def test_one_history_gives_training_and_validation_curves():
    loss_axes, accuracy_axes = plots.plot_history(FAKE_HISTORY, metrics=("loss", "accuracy")).axes
    assert [line.get_label() for line in loss_axes.lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss_axes.lines[1].get_ydata(), HISTORY["val_loss"])
    with pytest.raises(KeyError, match="mae"):
        plots.plot_history(HISTORY, metrics=("mae",))


def test_several_runs_share_axes_one_colour_each():
    fig = plots.plot_history({"small": HISTORY, "big": FAKE_HISTORY}, ("loss",), validation_only=True, skip_first=1)
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["small: validation", "big: validation"]
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 3])


def test_image_grids_title_labels_and_mark_wrong_predictions():
    fig = plots.plot_images(np.zeros((3, 28, 28), dtype=np.uint8), labels=[1, 2, 3], predictions=[1, 5, 3], ncols=3)
    assert [ax.get_title() for ax in fig.axes] == ["true 1\npred 1", "true 2\npred 5", "true 3\npred 3"]
    assert fig.axes[1].title.get_color() == "red"
    fig = plots.plot_images(np.full((2, 8, 8, 3), 200.0), labels=[0, 1], class_names=["cat", "dog"])
    assert [ax.get_title() for ax in fig.axes] == ["true cat", "true dog"]


def test_plot_filters():
    fig = plots.plot_filters(np.random.default_rng(0).normal(size=(3, 3, 1, 10)), ncols=4)
    assert len(fig.axes) == 12 and len(images_of(fig)) == 10  # 3 rows of 4, the last two blank
    assert images_of(fig)[0].get_array().shape == (3, 3)
    low, high = images_of(fig)[0].get_clim()
    assert low == pytest.approx(-high)  # symmetric around zero
    kernel = np.zeros((3, 3, 2, 2), dtype="float32")
    kernel[:, :, 1, 0] = 1.0
    assert np.all(images_of(plots.plot_filters(kernel, input_channel=1))[0].get_array() == 1.0)
    assert np.all(images_of(plots.plot_filters(kernel, input_channel=None))[0].get_array() == 0.5)
    assert len(images_of(plots.plot_filters(kernel[:, :, 0, :]))) == 2  # (h, w, out) is accepted


def test_plot_feature_maps():
    fig = plots.plot_feature_maps(np.random.default_rng(0).random((1, 5, 6, 9)), ncols=4, title="conv")
    assert len(images_of(fig)) == 9 and images_of(fig)[0].get_array().shape == (5, 6)
    assert fig._suptitle.get_text() == "conv"
    maps = np.ones((4, 4, 6), dtype="float32")
    maps[:, :, 0] = 0.0
    fig = plots.plot_feature_maps(maps, max_maps=3)
    assert len(images_of(fig)) == 3 and "(0)" in fig.axes[0].get_title()  # a dead channel
    maps = np.zeros((3, 3, 2), dtype="float32")  # signed channels get a scale symmetric around zero
    maps[0, 0, 0], maps[1, 1, 0] = -1.0, 4.0
    maps[0, 0, 1], maps[1, 1, 1] = 1.0, 2.0
    first, second = images_of(plots.plot_feature_maps(maps, cmap="bwr"))
    assert first.get_clim() == (-4.0, 4.0) and second.get_clim() == (0.0, 2.0)


def test_plot_side_by_side():
    small, pooled = np.arange(16, dtype="float32").reshape(4, 4), np.array([[5, 7], [13, 15]], dtype="float32")
    first, second = plots.plot_side_by_side({"in": small, "pooled": pooled[..., None]}, annotate=True).axes
    assert first.get_title() == "in\n4x4" and second.get_title() == "pooled\n2x2"
    assert sorted(t.get_text() for t in second.texts) == ["13", "15", "5", "7"]
    signed = np.array([[-1.0, 3.0], [0.0, 2.0]])
    first, second = images_of(plots.plot_side_by_side({"a": np.ones((2, 2)), "b": signed}, cmap=["gray_r", "bwr"]))
    assert first.get_cmap().name == "gray_r"
    assert second.get_clim() == (-3.0, 3.0) and second.get_cmap().name == "bwr"
