"""Tests of 04_boston_housing's lab checks: each grades the student's trained fold models on their validation folds.
A right answer passes; a typical wrong one fails with its hint; the placeholder is not attempted."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED

keras = config.import_keras()

K, EPOCHS = 4, 2
RNG = np.random.default_rng(0)
X = RNG.normal([5, 300, 0.5, 20, 1, 2, 60, 4, 9, 400, 18, 350, 12], 2, (40, 13)).astype("float32")
Y = RNG.uniform(10, 40, 40).astype("float32")


def build_normalized(x_fit, adapt=True):
    normalizer = keras.layers.Normalization()
    if adapt:
        normalizer.adapt(x_fit)
    model = keras.Sequential(
        [keras.Input(shape=(x_fit.shape[1],)), normalizer, keras.layers.Dense(4), keras.layers.Dense(1)]
    )
    model.compile(optimizer="rmsprop", loss="mse", metrics=["mae"])
    return model


def fold_model(x, fold, *, adapt_on_all=False, epochs=EPOCHS, normalize=True, batch_size=16, fits=1):
    """Fold ``fold``'s model of the lab's solution on (x, Y): adapted on the fold's training part, trained ``epochs``
    (in each of ``fits`` calls of fit)."""
    size = len(x) // K
    rest = np.concatenate([x[: fold * size], x[(fold + 1) * size :]])
    y_rest = np.concatenate([Y[: fold * size], Y[(fold + 1) * size :]])
    if normalize:
        model = build_normalized(x if adapt_on_all else rest)
    else:
        model = keras.Sequential([keras.Input(shape=(x.shape[1],)), keras.layers.Dense(4), keras.layers.Dense(1)])
        model.compile(optimizer="rmsprop", loss="mse")
    for _ in range(fits if epochs else 0):
        model.fit(rest, y_rest, epochs=epochs, batch_size=batch_size, verbose=0)
    return model


def first_wrong(right_models, x, **mistake):
    """The right models, but fold 1's made with ``mistake`` (the check stops at the first wrong model)."""
    return [fold_model(x, 0, **mistake), *right_models[1:]]


@pytest.fixture(scope="module")
def right():
    without = np.delete(X, 11, axis=1)
    return {"with_b": [fold_model(X, f) for f in range(K)], "without_b": [fold_model(without, f) for f in range(K)]}


def normalized(models, max_mae=1000.0):
    return checks.check_normalized_model(models, X, Y, k=K, epochs=EPOCHS, batch_size=16, max_mae=max_mae)


def without_b(models, max_mae=1000.0):
    return checks.check_without_b(models, X, Y, k=K, epochs=EPOCHS, batch_size=16, max_mae=max_mae)


def assert_fails(verdict, *hints):
    assert verdict.status == NOT_YET and all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def test_placeholders_are_not_attempted():
    assert normalized(None).status == NOT_ATTEMPTED
    assert without_b(None).status == NOT_ATTEMPTED


def test_right_answers_pass_with_the_mae_computed_by_the_check(right):
    verdict = normalized(right["with_b"])
    assert verdict.status == PASSED, verdict.lines
    size = len(X) // K
    fold_1 = keras.ops.convert_to_numpy(right["with_b"][0].predict(X[:size], verbose=0))[:, 0]
    assert f"{np.mean(np.abs(fold_1 - Y[:size])):.2f}," in verdict.lines[1]  # fold 1's model on fold 1
    assert without_b(right["without_b"]).status == PASSED


def test_the_mae_bar_is_enforced(right):
    assert_fails(normalized(right["with_b"], max_mae=0.5), "above 0.5")
    assert_fails(without_b(right["without_b"], max_mae=0.5), "above 0.5")


def test_normalization_fitted_on_all_training_houses_fails(right):
    assert_fails(normalized(first_wrong(right["with_b"], X, adapt_on_all=True)), "adapted on all 40", "validation fold")


def test_models_out_of_fold_order_fail(right):
    assert_fails(normalized(right["with_b"][::-1]), "fold 1", "training part")


def test_untrained_unadapted_or_unnormalized_models_fail(right):
    assert_fails(normalized(first_wrong(right["with_b"], X, epochs=0)), "not been trained", "fold 1")
    assert_fails(normalized(first_wrong(right["with_b"], X, epochs=EPOCHS + 1)), f"ran {EPOCHS + 1} epochs, not 2")
    assert_fails(normalized(first_wrong(right["with_b"], X, fits=2)), "fit ran twice")
    assert_fails(normalized(first_wrong(right["with_b"], X, batch_size=8)), "4 batches per epoch, not 2")
    assert_fails(normalized([build_normalized(X, adapt=False)] * K), "never adapted")
    assert_fails(normalized(first_wrong(right["with_b"], X, normalize=False)), "does not start with Normalization")
    assert_fails(normalized(right["with_b"][:3]), "3 models")


def test_the_wrong_column_or_all_columns_fail(right):
    wrong_column = first_wrong(right["without_b"], np.delete(X, 10, axis=1), epochs=0)
    assert_fails(without_b(wrong_column), "without column 10", "np.delete")
    assert_fails(without_b(right["with_b"]), "all 13 features", "np.delete(data, 11")
