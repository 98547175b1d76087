"""Tests for utils.training: history_dict, best_epoch and compare_models (tiny models, a few steps)."""

from __future__ import annotations

import numpy as np
import pytest

from utils.training import best_epoch, compare_models, history_dict


def test_best_epoch():
    history = {"val_loss": [0.5, 0.3, 0.3, 0.4], "val_accuracy": [0.6, 0.7, 0.9, 0.8]}
    assert best_epoch(history) == (2, 0.3)  # ties go to the earliest epoch, counted from 1
    assert best_epoch(history, "val_accuracy", "max") == (3, 0.9)
    assert best_epoch({"val_loss": [float("nan"), 0.4, 0.2]}) == (3, 0.2)  # NaN is skipped


def test_best_epoch_and_history_dict_bad_arguments():
    with pytest.raises(KeyError, match="val_mae"):
        best_epoch({"val_loss": [1.0]}, "val_mae")
    with pytest.raises(ValueError, match="finite"):
        best_epoch({"val_loss": [float("nan")]})
    with pytest.raises(TypeError, match="list is not a Keras History"):
        history_dict([0.5, 0.3])


@pytest.fixture(scope="module")
def keras():
    import utils

    utils.setup()
    import keras

    return keras


@pytest.fixture(scope="module")
def build(keras):
    """``build(units)`` returns a builder of a compiled 6-input binary classifier with one hidden layer."""

    def builder_of(units):
        def builder():
            model = keras.Sequential(
                [
                    keras.Input(shape=(6,)),
                    keras.layers.Dense(units, activation="relu"),
                    keras.layers.Dense(1, activation="sigmoid"),
                ]
            )
            crossentropy = keras.metrics.BinaryCrossentropy(name="crossentropy")
            model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy", crossentropy])
            return model

        return builder

    return builder_of


def test_compare_models_table_and_histories(build, capsys):
    rng = np.random.default_rng(0)
    x = rng.random((40, 6), dtype=np.float32)
    y = (x[:, 0:1] > 0.5).astype("float32")  # (n, 1), as the crossentropy metric wants
    histories, table = compare_models(
        {"small": build(2), "big": build(8)},
        x[:24],
        y[:24],
        validation_data=(x[24:32], y[24:32]),
        test_data=(x[32:], y[32:]),
        epochs=3,
        batch_size=8,
    )
    assert list(histories) == list(table.index) == ["small", "big"]
    assert all(len(h.history["val_loss"]) == 3 for h in histories.values())
    assert list(table.columns) == [
        "parameters",
        "lowest val_loss",
        "epoch of lowest val_loss",
        "val_accuracy there",
        "test_accuracy",
        "seconds",
    ]
    assert table.loc["small", "parameters"] == 6 * 2 + 2 + 2 + 1
    assert table.loc["big", "parameters"] == 6 * 8 + 8 + 8 + 1
    for name, history in histories.items():
        epoch, value = best_epoch(history)
        assert table.loc[name, "epoch of lowest val_loss"] == epoch
        assert table.loc[name, "lowest val_loss"] == pytest.approx(value)
        assert 0.0 <= table.loc[name, "test_accuracy"] <= 1.0
    out = capsys.readouterr().out
    assert "small: 3 epochs" in out and "big: 3 epochs" in out


def test_compare_models_monitor_and_without_test_data(build):
    x, y = np.zeros((8, 6), dtype="float32"), np.zeros((8, 1), dtype="float32")
    histories, table = compare_models(
        {"m": build(2)}, x, y, validation_data=(x, y), epochs=2, batch_size=4, monitor="val_crossentropy"
    )
    assert "lowest val_crossentropy" in table.columns and "epoch of lowest val_crossentropy" in table.columns
    assert table.loc["m", "lowest val_crossentropy"] == pytest.approx(min(histories["m"].history["val_crossentropy"]))
    assert "test_accuracy" not in table.columns


@pytest.mark.parametrize(
    "arguments, unknown",
    [
        (dict(monitor="val_mae"), "val_mae"),
        (dict(test_data=(np.zeros((8, 6)), np.zeros((8, 1))), test_metric="auc"), "auc"),
    ],
)
def test_compare_models_unknown_metric(build, arguments, unknown):
    x, y = np.zeros((8, 6), dtype="float32"), np.zeros((8, 1), dtype="float32")
    with pytest.raises(KeyError, match=unknown):
        compare_models({"m": build(2)}, x, y, validation_data=(x, y), epochs=1, batch_size=4, **arguments)
