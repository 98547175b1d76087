"""Tests for utils.plots."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from utils import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- plot_filters (06_convnets) ---


def test_plot_filters_one_panel_per_filter():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 10)).astype("float32")
    fig = plots.plot_filters(kernel, ncols=4)
    visible = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 12  # 3 rows of 4, the last two blank
    assert len(visible) == 10
    image = visible[0].images[0]
    assert image.get_array().shape == (3, 3)
    low, high = image.get_clim()
    assert low == pytest.approx(-high)  # symmetric around zero


def test_plot_filters_channel_choice_and_mean():
    kernel = np.zeros((3, 3, 2, 2), dtype="float32")
    kernel[:, :, 1, 0] = 1.0
    fig = plots.plot_filters(kernel, input_channel=1)
    assert np.all(fig.axes[0].images[0].get_array() == 1.0)
    fig = plots.plot_filters(kernel, input_channel=None)
    assert np.all(fig.axes[0].images[0].get_array() == 0.5)
    fig = plots.plot_filters(kernel[:, :, 0, :])  # (h, w, out) is accepted
    assert len([ax for ax in fig.axes if ax.images]) == 2


# --- plot_feature_maps (06_convnets) ---


def test_plot_feature_maps_grid_and_batch_of_one():
    maps = np.random.default_rng(0).random((1, 5, 6, 9)).astype("float32")
    fig = plots.plot_feature_maps(maps, ncols=4, title="conv")
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 9
    assert panels[0].images[0].get_array().shape == (5, 6)
    assert fig._suptitle.get_text() == "conv"


def test_plot_feature_maps_max_maps_and_dead_channels():
    maps = np.ones((4, 4, 6), dtype="float32")
    maps[:, :, 0] = 0.0
    fig = plots.plot_feature_maps(maps, max_maps=3)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 3
    assert "(0)" in panels[0].get_title()


def test_plot_feature_maps_signed_channels_are_symmetric():
    maps = np.zeros((3, 3, 2), dtype="float32")
    maps[0, 0, 0], maps[1, 1, 0] = -1.0, 4.0
    maps[0, 0, 1], maps[1, 1, 1] = 1.0, 2.0
    fig = plots.plot_feature_maps(maps, cmap="bwr")
    panels = [ax for ax in fig.axes if ax.images]
    assert panels[0].images[0].get_clim() == (-4.0, 4.0)
    assert panels[1].images[0].get_clim() == (0.0, 2.0)


# --- plot_side_by_side (06_convnets) ---


def test_plot_side_by_side_panels_titles_and_annotations():
    small = np.arange(16, dtype="float32").reshape(4, 4)
    pooled = np.array([[5, 7], [13, 15]], dtype="float32")
    fig = plots.plot_side_by_side({"input": small, "pooled": pooled[..., None]}, annotate=True)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2
    assert panels[0].get_title() == "input\n4x4"
    assert panels[1].get_title() == "pooled\n2x2"
    assert sorted(t.get_text() for t in panels[1].texts) == ["13", "15", "5", "7"]


def test_plot_side_by_side_symmetric_scale_and_cmaps():
    signed = np.array([[-1.0, 3.0], [0.0, 2.0]])
    fig = plots.plot_side_by_side({"a": np.ones((2, 2)), "b": signed}, cmap=["gray_r", "bwr"])
    panels = [ax for ax in fig.axes if ax.images]
    assert panels[0].images[0].get_cmap().name == "gray_r"
    assert panels[1].images[0].get_clim() == (-3.0, 3.0)
    assert panels[1].images[0].get_cmap().name == "bwr"
