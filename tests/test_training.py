"""Tests for utils.training: history_dict, best_epoch and compare_models (tiny models, a few steps)."""

from __future__ import annotations

import numpy as np
import pytest

from utils import config
from utils.training import best_epoch, compare_models, history_dict, no_progress_bars

X, Y = np.zeros((8, 6), "float32"), np.zeros((8, 1), "float32")  # a tiny data set for the API tests


def test_best_epoch():
    history = {"val_loss": [0.5, 0.3, 0.3, 0.4], "val_accuracy": [0.6, 0.7, 0.9, 0.8]}
    assert best_epoch(history) == (2, 0.3)  # ties go to the earliest epoch, counted from 1
    assert best_epoch(history, "val_accuracy", "max") == (3, 0.9)
    assert best_epoch({"val_loss": [float("nan"), 0.4, 0.2]}) == (3, 0.2)  # NaN is skipped
    with pytest.raises(KeyError, match=r"'val_mae' not recorded; the history has \['val_loss'\]"):
        best_epoch({"val_loss": [1.0]}, "val_mae")
    with pytest.raises(ValueError, match="finite"):
        best_epoch({"val_loss": [float("nan")]})
    with pytest.raises(TypeError, match="list is not a Keras History"):
        history_dict([0.5, 0.3])


@pytest.fixture(scope="module")
def build():
    """``build(units)`` returns a new compiled 6-input binary classifier with one hidden layer of ``units``."""
    config.setup()
    keras = config.import_keras()

    def build(units):
        model = keras.Sequential(
            [keras.Input(shape=(6,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1, "sigmoid")]
        )
        crossentropy = keras.metrics.BinaryCrossentropy(name="crossentropy")
        model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy", crossentropy])
        return model

    return build


def test_compare_models_table_and_histories(build, capsys):
    x = np.random.default_rng(0).random((40, 6), dtype=np.float32)
    y = (x[:, 0:1] > 0.5).astype("float32")  # (n, 1), as the crossentropy metric wants
    data = dict(validation_data=(x[24:32], y[24:32]), test_data=(x[32:], y[32:]), epochs=3, batch_size=8)
    histories, table = compare_models({"small": lambda: build(2), "big": lambda: build(8)}, x[:24], y[:24], **data)
    assert list(histories) == list(table.index) == ["small", "big"]
    assert all(len(h.history["val_loss"]) == 3 for h in histories.values())
    columns = ["parameters", "lowest val_loss", "epoch of lowest val_loss", "val_accuracy there", "test_accuracy"]
    assert list(table.columns) == [*columns, "seconds"]
    assert list(table["parameters"]) == [6 * 2 + 2 + 2 + 1, 6 * 8 + 8 + 8 + 1]
    for name, history in histories.items():
        epoch, value = best_epoch(history)
        assert table.loc[name, "epoch of lowest val_loss"] == epoch
        assert table.loc[name, "lowest val_loss"] == pytest.approx(value)
        assert 0.0 <= table.loc[name, "test_accuracy"] <= 1.0
    out = capsys.readouterr().out
    assert "small: 3 epochs" in out and "big: 3 epochs" in out


def test_compare_models_monitor_and_without_test_data(build):
    runs = {"m": lambda: build(2)}
    histories, table = compare_models(
        runs, X, Y, validation_data=(X, Y), epochs=2, batch_size=4, monitor="val_crossentropy"
    )
    assert "epoch of lowest val_crossentropy" in table.columns and "test_accuracy" not in table.columns
    assert table.loc["m", "lowest val_crossentropy"] == pytest.approx(min(histories["m"].history["val_crossentropy"]))


def test_compare_models_takes_batches_that_bring_their_labels(build):
    keras = config.import_keras()

    class Batches(keras.utils.PyDataset):  # as 02_imdb's, without the vectorizing: batches of 8 in order
        def __init__(self, x, y):
            super().__init__()
            self.x, self.y = x, y

        def __len__(self):
            return len(self.x) // 8

        def __getitem__(self, i):
            return self.x[8 * i : 8 * (i + 1)], self.y[8 * i : 8 * (i + 1)]

    x = np.random.default_rng(1).random((40, 6), dtype=np.float32)
    y = (x[:, 0:1] > 0.5).astype("float32")
    histories, table = compare_models(
        {"m": lambda: build(2)}, Batches(x[:24], y[:24]), validation_data=Batches(x[24:], y[24:]), epochs=2
    )
    history = histories["m"]
    assert len(history.history["val_loss"]) == 2 and list(table.index) == ["m"]
    # the validation loss is the trained model's on exactly those batches
    assert history.history["val_loss"][-1] == pytest.approx(history.model.evaluate(x[24:], y[24:], verbose=0)[0], 1e-5)


@pytest.mark.parametrize(
    "arguments, unknown",
    [
        (dict(monitor="val_mae"), "'val_mae' not recorded"),
        (dict(test_data=(X, Y), test_metric="auc"), "'auc' is not a compiled"),
    ],
)
def test_compare_models_unknown_metric(build, arguments, unknown):
    with pytest.raises(KeyError, match=unknown):
        compare_models({"m": lambda: build(2)}, X, Y, validation_data=(X, Y), epochs=1, batch_size=4, **arguments)


def test_no_progress_bars_silences_predict_and_restores_them_after_an_error(capsys):
    keras = config.import_keras()
    model = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(1)])
    with pytest.raises(RuntimeError), no_progress_bars():
        model.predict(X)  # the default verbose="auto" draws a progress bar
        assert capsys.readouterr().out == ""
        raise RuntimeError
    assert keras.config.is_interactive_logging_enabled()
