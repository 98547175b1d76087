"""Tests of utils.checks: right answers pass, mistakes get their hint, placeholders are not attempted, nothing crashes."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED

keras = config.import_keras()
layers = keras.layers


def dense(inputs, hidden, outputs, activation, loss, compile=True):
    hidden = [layers.Dense(h, "relu") if isinstance(h, int) else h for h in hidden]
    model = keras.Sequential([keras.Input(shape=(inputs,)), *hidden, layers.Dense(outputs, activation)])
    if compile:
        model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model


def assert_hint(verdict, *hints):
    assert verdict.status == NOT_YET and all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def decoder(offset):
    """A student's decode_review that subtracts ``offset`` (3 is right)."""
    return lambda ids, index: " ".join({r + offset: w for w, r in index.items()}.get(i, "?") for i in ids)


WORD_INDEX, REVIEWS = {"the": 1, "film": 2, "good": 3}, [[1, 4, 5, 6, 2]]
HISTORY = {"val_loss": [0.5, 0.3, 0.4], "val_accuracy": [0.8, 0.85, 0.9]}


def test_placeholders_are_not_attempted_and_recorded(capsys):
    verdict = checks.check_one_hot(None)
    assert verdict.status == NOT_ATTEMPTED and not verdict
    assert checks.RESULTS["Exercise 2 (one-hot encoding)"] == NOT_ATTEMPTED
    assert "NOT ATTEMPTED YET" in capsys.readouterr().out


@pytest.mark.parametrize("garbage", [42, "model", [1, 2], object()])
def test_garbage_never_crashes_a_check(garbage):
    assert_hint(checks.check_mae(garbage))


def test_all_checks_passed(monkeypatch):
    monkeypatch.setattr(checks, "RESULTS", {"a": PASSED, "b": NOT_YET})
    assert checks.all_checks_passed("a") and not checks.all_checks_passed()
    assert not checks.all_checks_passed("a", "b")


@pytest.mark.parametrize(
    "check, hints",
    [
        (lambda: checks.check_decode(decoder(3), REVIEWS, WORD_INDEX), []),
        (lambda: checks.check_decode(decoder(2), REVIEWS, WORD_INDEX), ["subtracted 2"]),
        (lambda: checks.check_mae(lambda t, p: np.mean(np.abs(np.ravel(t) - np.ravel(p)))), []),
        (lambda: checks.check_mae(lambda t, p: np.mean(np.abs(t - p))), ["4x4 table", "np.ravel"]),
        (lambda: checks.check_mae(lambda t, p: np.sum(np.abs(np.ravel(t) - np.ravel(p))) / 4), ["3 other examples"]),
        (lambda: checks.check_mae(lambda t, p: np.mean((t - p) ** 2)), ["squared"]),
        (lambda: checks.check_mae(lambda t, p: np.sum(np.abs(t - p))), ["sum"]),
        (lambda: checks.check_mae(lambda t, p: np.mean(t - p) * 0), ["cancelled"]),
    ],
)
def test_right_answers_pass_and_typical_mistakes_get_their_hint(check, hints):
    verdict = check()
    assert verdict.status == (NOT_YET if hints else PASSED), verdict.lines
    assert all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


@pytest.mark.parametrize(
    "validation_loss, test_loss, size, trained_on_one",
    [
        (0.110, 0.110, 10_000, False),  # MNIST, trained on the training split (measured)
        (0.289, 0.308, 10_000, False),  # IMDB, 8 epochs on the training split: the widest honest gap measured
        (0.177, 0.216, 300, False),  # a small convnet measured on 300 images: small sets differ by chance
        (0.063, 0.094, 10_000, True),  # MNIST, 5 epochs on training + validation images
        (0.232, 0.293, 10_000, True),  # IMDB, 3 epochs on training + validation reviews
        (0.094, 0.063, 10_000, True),  # the other way round: trained on the test data
    ],
)
def test_a_model_much_better_on_one_held_out_set_was_trained_on_it(validation_loss, test_loss, size, trained_on_one):
    draws = np.random.default_rng(0).exponential(1.0, (2, size))  # per-example losses are skewed: most small
    validation, test = (row * mean / row.mean() for row, mean in zip(draws, (validation_loss, test_loss)))
    try:
        checks._unseen(validation, test, hint="")
        caught = False
    except checks._WrongAnswer:
        caught = True
    assert caught == trained_on_one
