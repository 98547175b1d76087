"""Tests of the 02_imdb lab's checks: a right answer passes, a typical wrong answer fails with its hint."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED

keras = config.import_keras()
layers = keras.layers

# A tiny sentiment task: the label is the first of 20 binary inputs, easy to learn in a few epochs.
RNG = np.random.default_rng(0)
X = RNG.integers(0, 2, (300, 20)).astype("float32")
Y = X[:, 0].copy()
X_TRAIN, Y_TRAIN, X_VAL, Y_VAL = X[100:], Y[100:], X[:100], Y[:100]
X_TEST = RNG.integers(0, 2, (100, 20)).astype("float32")
Y_TEST = X_TEST[:, 0].copy()
HELD_OUT = (X_VAL, Y_VAL, X_TEST, Y_TEST)
BUDGET = dict(max_params=1000, max_epochs=10, min_val_accuracy=0.9)
# Random labels: a model can only memorise the reviews it is trained on; its loss is low on those alone.
RANDOM_VAL, RANDOM_TEST = RNG.integers(0, 2, 100).astype("float32"), RNG.integers(0, 2, 100).astype("float32")


def sentiment_model(units=4):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(units, "relu"), layers.Dense(1, "sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def trained(units=4, epochs=8, validation=(X_VAL, Y_VAL), data=(X_TRAIN, Y_TRAIN), fits=1, **fit):
    model = sentiment_model(units)
    for _ in range(fits):
        model.fit(*data, epochs=epochs, batch_size=32, validation_data=validation, verbose=0, **fit)
    return model


def assert_hint(verdict, *hints):
    assert verdict.status == NOT_YET and all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def test_placeholders_are_not_attempted():
    assert checks.check_budget_model(None, *HELD_OUT, **BUDGET).status == NOT_ATTEMPTED
    assert checks.check_decode(None, [[1, 4]], {"the": 1}).status == NOT_ATTEMPTED
    assert checks.check_encode(None, {"the": 1}, num_words=10).status == NOT_ATTEMPTED


def test_budget_model_passes_when_trained_and_validated_within_the_limits():
    stopping = keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    verdict = checks.check_budget_model(trained(callbacks=[stopping]), *HELD_OUT, **BUDGET)
    assert verdict.status == PASSED, verdict.lines


def test_budget_model_may_use_the_mse_loss_the_lecture_suggests():
    model = sentiment_model()
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["accuracy"])
    model.fit(X_TRAIN, Y_TRAIN, epochs=8, batch_size=32, validation_data=(X_VAL, Y_VAL), verbose=0)
    verdict = checks.check_budget_model(model, *HELD_OUT, **BUDGET)
    assert verdict.status == PASSED, verdict.lines
    model.compile(optimizer="adam", loss="hinge")
    assert_hint(checks.check_budget_model(model, *HELD_OUT, **BUDGET), "'binary_crossentropy' or 'mse'")


def test_budget_model_trained_on_the_validation_reviews_fails():
    memorised = (X_VAL, RANDOM_VAL)
    model = trained(units=32, epochs=10, data=memorised, validation=memorised)
    limits = {**BUDGET, "min_val_accuracy": 0.5}
    assert_hint(checks.check_budget_model(model, X_VAL, RANDOM_VAL, X_TEST, RANDOM_TEST, **limits), "trained on them")
    honest = trained(units=32, epochs=10, data=(X_TRAIN, RNG.integers(0, 2, 200)), validation=(X_VAL, RANDOM_VAL))
    verdict = checks.check_budget_model(honest, X_VAL, RANDOM_VAL, X_TEST, RANDOM_TEST, **limits)
    assert "trained on them" not in " ".join(verdict.lines), verdict.lines


@pytest.mark.parametrize(
    "model, limits, hint",
    [
        (lambda: sentiment_model(), {}, "not been trained"),
        (lambda: trained(epochs=12), {}, "ran 12 epochs, not at most 10"),
        (lambda: trained(epochs=6, fits=2), {}, "fit ran twice"),
        (lambda: trained(validation=None), {}, "no 'val_accuracy'"),
        (lambda: trained(validation=(X_VAL, 1 - Y_VAL)), {}, "no epoch of its training recorded"),  # other data
        (lambda: trained(units=64), {}, "budget"),
        (lambda: trained(epochs=1), {"min_val_accuracy": 0.999}, "below 0.999"),
        (lambda: 42, {}, "not a Keras model"),
    ],
)
def test_budget_model_wrong_answers_fail(model, limits, hint):
    assert_hint(checks.check_budget_model(model(), *HELD_OUT, **{**BUDGET, **limits}), hint)


def decode_review(indices, word_index, offset=3):
    word_of_rank = {rank: word for word, rank in word_index.items()}
    return " ".join(word_of_rank.get(i - offset, "?") if i >= 3 else "?" for i in indices)


def test_decode():
    word_index, reviews = {"the": 1, "film": 2, "good": 3}, [[1, 4, 5, 6, 2]]
    assert checks.check_decode(decode_review, reviews, word_index)
    assert_hint(checks.check_decode(lambda r, w: decode_review(r, w, 2), reviews, word_index), "subtracted 2")


WORD_INDEX = {"the": 1, "and": 2, "a": 3, "film": 4, "good": 5, "bad": 6, "great": 7}  # num_words 10: "great" is cut


def encode_review(text, word_index, num_words=10, offset=3, start=True):
    ids = [
        word_index[w] + offset if w in word_index and word_index[w] + offset < num_words else 2 for w in text.split()
    ]
    return [1] * start + ids


@pytest.mark.parametrize(
    "answer, hint",
    [
        (encode_review, None),
        (lambda text, w: np.array(encode_review(text, w)), None),  # any sequence of ints will do
        (lambda text, w: encode_review(text, w, start=False), "start marker"),
        (lambda text, w: encode_review(text, w, num_words=10**6), "are kept"),
        (lambda text, w: encode_review(text, w, offset=0), "you added 0"),
        (lambda text, w: [1] + [w.get(x, -1) + 3 for x in text.split() if x in w], "instead of"),  # drops unknown
        (lambda text, w: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_encode(answer, hint):
    verdict = checks.check_encode(answer, WORD_INDEX, num_words=10)
    if hint is None:
        assert verdict.status == PASSED, verdict.lines
    else:
        assert_hint(verdict, hint)
