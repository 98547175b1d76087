"""Tests of utils.plots: training curves, image grids, and the convnet figures of 06_convnets."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from utils import plots

HISTORY = {
    "loss": [0.9, 0.5, 0.4],
    "val_loss": [1.0, 0.7, 0.8],
    "accuracy": [0.6, 0.8, 0.9],
    "val_accuracy": [0.5, 0.7, 0.7],
}


class FakeHistory:
    history = HISTORY


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def panels(fig):
    return [ax for ax in fig.axes if ax.images]


# --- plot_history and plot_images ---


def test_one_history_gives_training_and_validation_curves():
    loss_axes, accuracy_axes = plots.plot_history(FakeHistory(), metrics=("loss", "accuracy")).axes
    assert [line.get_label() for line in loss_axes.lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss_axes.lines[1].get_ydata(), HISTORY["val_loss"])
    with pytest.raises(KeyError, match="mae"):
        plots.plot_history(HISTORY, metrics=("mae",))


def test_several_runs_share_axes_one_colour_each():
    runs = {"small": HISTORY, "big": FakeHistory()}
    (ax,) = plots.plot_history(runs, metrics=("loss",), validation_only=True, skip_first=1).axes
    assert [line.get_label() for line in ax.lines] == ["small: validation", "big: validation"]
    assert ax.lines[0].get_color() != ax.lines[1].get_color()
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 3])


def test_image_grid_marks_wrong_predictions():
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    fig = plots.plot_images(images, labels=[1, 2, 3], predictions=[1, 5, 3], ncols=3)
    assert [ax.get_title() for ax in fig.axes] == ["true 1\npred 1", "true 2\npred 5", "true 3\npred 3"]
    assert fig.axes[1].title.get_color() == "red"


def test_image_grid_with_class_names_and_colour_images():
    fig = plots.plot_images(np.full((2, 8, 8, 3), 200.0), labels=[0, 1], class_names=["cat", "dog"])
    assert [ax.get_title() for ax in fig.axes] == ["true cat", "true dog"]


# --- plot_filters, plot_feature_maps, plot_side_by_side (06_convnets) ---


def test_plot_filters_one_panel_per_filter():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 10)).astype("float32")
    fig = plots.plot_filters(kernel, ncols=4)
    assert len(fig.axes) == 12 and len(panels(fig)) == 10  # 3 rows of 4, the last two blank
    image = panels(fig)[0].images[0]
    assert image.get_array().shape == (3, 3)
    low, high = image.get_clim()
    assert low == pytest.approx(-high)  # symmetric around zero


def test_plot_filters_channel_choice_and_mean():
    kernel = np.zeros((3, 3, 2, 2), dtype="float32")
    kernel[:, :, 1, 0] = 1.0
    assert np.all(plots.plot_filters(kernel, input_channel=1).axes[0].images[0].get_array() == 1.0)
    assert np.all(plots.plot_filters(kernel, input_channel=None).axes[0].images[0].get_array() == 0.5)
    assert len(panels(plots.plot_filters(kernel[:, :, 0, :]))) == 2  # (h, w, out) is accepted


def test_plot_feature_maps_grid_and_batch_of_one():
    fig = plots.plot_feature_maps(np.random.default_rng(0).random((1, 5, 6, 9)), ncols=4, title="conv")
    assert len(panels(fig)) == 9
    assert panels(fig)[0].images[0].get_array().shape == (5, 6)
    assert fig._suptitle.get_text() == "conv"


def test_plot_feature_maps_max_maps_and_dead_channels():
    maps = np.ones((4, 4, 6), dtype="float32")
    maps[:, :, 0] = 0.0
    fig = plots.plot_feature_maps(maps, max_maps=3)
    assert len(panels(fig)) == 3
    assert "(0)" in panels(fig)[0].get_title()


def test_plot_feature_maps_signed_channels_are_symmetric():
    maps = np.zeros((3, 3, 2), dtype="float32")
    maps[0, 0, 0], maps[1, 1, 0] = -1.0, 4.0
    maps[0, 0, 1], maps[1, 1, 1] = 1.0, 2.0
    first, second = panels(plots.plot_feature_maps(maps, cmap="bwr"))
    assert first.images[0].get_clim() == (-4.0, 4.0)
    assert second.images[0].get_clim() == (0.0, 2.0)


def test_plot_side_by_side_panels_titles_and_annotations():
    small = np.arange(16, dtype="float32").reshape(4, 4)
    pooled = np.array([[5, 7], [13, 15]], dtype="float32")
    first, second = panels(plots.plot_side_by_side({"input": small, "pooled": pooled[..., None]}, annotate=True))
    assert first.get_title() == "input\n4x4" and second.get_title() == "pooled\n2x2"
    assert sorted(t.get_text() for t in second.texts) == ["13", "15", "5", "7"]


def test_plot_side_by_side_symmetric_scale_and_cmaps():
    signed = np.array([[-1.0, 3.0], [0.0, 2.0]])
    first, second = panels(plots.plot_side_by_side({"a": np.ones((2, 2)), "b": signed}, cmap=["gray_r", "bwr"]))
    assert first.images[0].get_cmap().name == "gray_r"
    assert second.images[0].get_clim() == (-3.0, 3.0) and second.images[0].get_cmap().name == "bwr"
