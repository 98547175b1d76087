"""Training helpers the notebooks share: read a history's best epoch, train model variants the same way, and keep
Keras's progress bars out of scikit-learn's calls."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

import numpy as np


def history_dict(history) -> dict[str, list[float]]:
    """Return ``{metric: per-epoch values}`` of a Keras ``History`` or of such a mapping; TypeError for others."""
    recorded = getattr(history, "history", history)
    if not isinstance(recorded, Mapping):
        raise TypeError(f"{type(history).__name__} is not a Keras History nor a dict of per-epoch values")
    return {name: list(values) for name, values in recorded.items()}


def best_epoch(history, monitor: str = "val_loss", mode: str = "min") -> tuple[int, float]:
    """Return ``(epoch, value)``: the epoch (counted from 1) where ``monitor`` is best, and its value.

    Args:
        history: a Keras ``History`` or its ``.history`` dict of per-epoch lists.
        monitor: the recorded quantity, e.g. ``"val_loss"`` or ``"val_accuracy"``.
        mode: ``"min"`` (losses) or ``"max"`` (accuracies). Ties go to the earliest epoch.

    Raises:
        ValueError: ``monitor`` has no finite value recorded.
        KeyError: ``monitor`` was not recorded.
    """
    recorded = history_dict(history)
    if monitor not in recorded:
        raise KeyError(f"{monitor!r} not recorded; the history has {sorted(recorded)}")
    values = np.asarray(recorded[monitor], dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        raise ValueError(f"{monitor!r} has no finite value to pick from: {list(values)}")
    masked = np.where(finite, values, np.inf if mode == "min" else -np.inf)
    index = int(np.argmin(masked) if mode == "min" else np.argmax(masked))
    return index + 1, float(values[index])


def compare_models(
    builders: Mapping[str, Callable[[], object]],
    x_train,
    y_train=None,
    *,
    validation_data: Sequence,
    epochs: int,
    batch_size: int = 512,
    test_data: Sequence | None = None,
    test_metric: str = "accuracy",
    monitor: str = "val_loss",
):
    """Train a fresh model from each builder (a function returning a *compiled* model) on the same data, the same
    way, evaluate it on ``test_data`` if given, and print a line per model.

    Args:
        builders: ``{name: builder}``, in the order to train and tabulate them.
        x_train, y_train, validation_data, epochs, batch_size: as ``model.fit`` takes them: arrays, or a
            ``keras.utils.PyDataset`` as ``x_train`` and ``validation_data`` (it brings its labels and batch size).
        test_data: ``(x_test, y_test)`` to evaluate each trained model on, or None.
        test_metric: the compiled metric reported from the test evaluation.
        monitor: the validation quantity whose lowest value is tabulated: ``"val_loss"``, or a compiled cross-entropy
            such as ``"val_crossentropy"`` to leave out the regularization penalties Keras adds to the loss.

    Returns:
        ``(histories, table)``: ``{name: History}``, and a pandas DataFrame indexed by name with the columns
        ``parameters``, ``lowest <monitor>``, ``epoch of lowest <monitor>``, ``val_<test_metric> there`` (when
        recorded), ``test_<test_metric>`` (after the last epoch; with ``test_data``) and ``seconds`` (training time).
    Raises:
        KeyError: ``test_metric`` is not among the model's compiled metrics, or ``monitor`` was not recorded.
    """
    import pandas as pd

    if isinstance(validation_data, (list, tuple)):
        validation_data = tuple(validation_data)  # fit takes a tuple, not a list
    fit = dict(epochs=epochs, validation_data=validation_data, verbose=0)
    if y_train is not None:  # arrays; a PyDataset brings its own batches
        fit["batch_size"] = batch_size
    histories, rows = {}, {}
    for name, builder in builders.items():
        model = builder()
        start = time.perf_counter()
        history = model.fit(x_train, y_train, **fit)
        seconds = time.perf_counter() - start
        epoch, lowest = best_epoch(history, monitor, "min")
        row = {"parameters": model.count_params(), f"lowest {monitor}": lowest, f"epoch of lowest {monitor}": epoch}
        val_metric = history.history.get(f"val_{test_metric}")
        if val_metric is not None:
            row[f"val_{test_metric} there"] = float(val_metric[epoch - 1])
        if test_data is not None:
            scores = model.evaluate(test_data[0], test_data[1], batch_size=batch_size, verbose=0, return_dict=True)
            if test_metric not in scores:
                raise KeyError(f"{test_metric!r} is not a compiled metric of {name!r}; it has {sorted(scores)}")
            row[f"test_{test_metric}"] = float(scores[test_metric])
        row["seconds"] = round(seconds, 1)
        histories[name], rows[name] = history, row
        test_part = f", test {test_metric} {row[f'test_{test_metric}']:.4f}" if test_data is not None else ""
        print(f"{name}: {epochs} epochs in {seconds:.0f} s; lowest {monitor} {lowest:.4f} at epoch {epoch}{test_part}")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    return histories, table


@contextlib.contextmanager
def no_progress_bars() -> Iterator[None]:
    """Silence Keras's progress bars inside the ``with`` block, and restore them after it, even on an error.
    For scikit-learn's Keras wrappers, whose ``predict`` has no ``verbose`` switch."""
    from .config import import_keras

    keras = import_keras()
    keras.config.disable_interactive_logging()
    try:
        yield
    finally:
        keras.config.enable_interactive_logging()
