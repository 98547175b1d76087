"""Tests of utils.checks: right answers pass, typical wrong answers get their specific feedback,
placeholders say "not attempted yet", and nothing a student hands in makes a check crash."""

from __future__ import annotations

import numpy as np
import pytest

from utils import checks
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED


@pytest.fixture(scope="module")
def keras():
    import utils

    utils.setup()
    import keras

    return keras


def dense(keras, inputs, hidden, outputs, activation, loss, compile=True):
    model = keras.Sequential(
        [keras.Input(shape=(inputs,))]
        + [keras.layers.Dense(h, activation="relu") for h in hidden]
        + [keras.layers.Dense(outputs, activation=activation)]
    )
    if compile:
        model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model


def feedback(verdict) -> str:
    return " ".join(verdict.lines)


def decoder(offset):
    """A student's decode_review that subtracts ``offset`` (3 is right)."""
    return lambda seq, index: " ".join(
        {r + offset: w for w, r in index.items()}.get(i, "?") if i >= 3 else "?" for i in seq
    )


WORD_INDEX, REVIEWS = {"the": 1, "film": 2, "good": 3}, [[1, 4, 5, 6, 2]]
HISTORY = {"val_loss": [0.5, 0.3, 0.4], "val_accuracy": [0.8, 0.85, 0.9]}
LABELS = np.array([0, 0, 0, 1])
CONFIGURATIONS = [(28, 3, 1, 0), (28, 3, 2, 1), (13, 2, 2, 0)]


# --------------------------------------------------------------------------- the mechanism


def test_placeholders_are_not_attempted_and_recorded(capsys):
    verdict = checks.check_prepare(None)
    assert verdict.status == NOT_ATTEMPTED and not verdict
    assert checks.RESULTS["Exercise 1 (prepare the images)"] == NOT_ATTEMPTED
    assert "NOT ATTEMPTED YET" in capsys.readouterr().out
    assert checks.check_budget_model(object(), None, max_params=1000, min_val_accuracy=0.5).status == NOT_ATTEMPTED


def test_a_crashing_answer_is_reported_not_raised():
    def broken(images):
        raise ZeroDivisionError("oops")

    verdict = checks.check_prepare(broken)
    assert verdict.status == NOT_YET and "ZeroDivisionError" in feedback(verdict)


@pytest.mark.parametrize("garbage", [42, "model", [1, 2], object()])
def test_garbage_never_crashes_a_check(keras, garbage):
    for check in (
        lambda: checks.check_budget_model(garbage, {"val_accuracy": [0.9]}, max_params=10, min_val_accuracy=0.5),
        lambda: checks.check_small_convnet(garbage, np.zeros((2, 4)), np.eye(2, 10), max_params=10, min_accuracy=0.1),
        lambda: checks.check_output_sizes(garbage, [(28, 3, 1, 0)]),
        lambda: checks.check_random_baseline(garbage, [0, 1]),
        lambda: checks.check_augmentation(garbage, degrees=20, zoom=0.1),
    ):
        assert check().status == NOT_YET


def test_all_checks_passed():
    checks.RESULTS.clear()
    checks._give_feedback("a", PASSED, [])
    checks._give_feedback("b", NOT_YET, [])
    assert checks.all_checks_passed("a") and not checks.all_checks_passed()
    assert not checks.all_checks_passed("a", "b")


# --------------------------------------------------------------------------- answers that need no model


@pytest.mark.parametrize(
    "check",
    [
        lambda: checks.check_prepare(lambda im: (im.reshape(-1, 784) / 255).astype("float32")),
        lambda: checks.check_one_hot(lambda labels, n: np.eye(n)[labels]),
        lambda: checks.check_decode(decoder(3), REVIEWS, WORD_INDEX),
        lambda: checks.check_best_epoch(2, HISTORY),
        lambda: checks.check_random_baseline(0.75**2 + 0.25**2, LABELS),
        lambda: checks.check_mae(lambda t, p: np.mean(np.abs(t - p))),
        lambda: checks.check_output_sizes([26, 14, 6], CONFIGURATIONS),
        lambda: checks.check_feature_map_shape((5, 5, 512), image_side=180),
    ],
)
def test_right_answers_pass(check):
    verdict = check()
    assert verdict.status == PASSED, verdict.lines


@pytest.mark.parametrize(
    "check, hints",
    [
        (lambda: checks.check_prepare(lambda im: im.reshape(-1, 784).astype("float32")), ["divide by 255"]),
        (lambda: checks.check_prepare(lambda im: (im / 255).astype("float32")), ["flatten"]),
        (lambda: checks.check_prepare(lambda im: im.reshape(-1, 784) / 255), ["float32"]),
        (lambda: checks.check_one_hot(lambda labels, n: np.eye(n)[(labels + 1) % n]), ["one position off"]),
        (lambda: checks.check_one_hot(lambda labels, n: np.eye(n + 1)[labels]), ["shape"]),
        (lambda: checks.check_decode(decoder(2), REVIEWS, WORD_INDEX), ["subtracted 2"]),
        (lambda: checks.check_best_epoch(1, HISTORY), ["argmin counts from 0"]),
        (lambda: checks.check_best_epoch(3, HISTORY), ["highest validation accuracy"]),
        (lambda: checks.check_random_baseline(1.0, LABELS), ["square each share"]),
        (lambda: checks.check_random_baseline(0.5, LABELS), ["uniform guessing"]),
        (lambda: checks.check_mae(lambda t, p: np.mean((t - p) ** 2)), ["squared"]),
        (lambda: checks.check_mae(lambda t, p: np.sum(np.abs(t - p))), ["sum"]),
        (lambda: checks.check_mae(lambda t, p: np.mean(t - p) * 0), ["cancelled"]),
        (lambda: checks.check_output_sizes([26, 13, 6], CONFIGURATIONS), ["Configuration 2", "rounds down"]),
        (lambda: checks.check_feature_map_shape((6, 6, 512), image_side=180), ["rounding down"]),
        (lambda: checks.check_feature_map_shape((5, 5, 256), image_side=180), ["512 channels"]),
    ],
)
def test_typical_mistakes_get_their_hint(check, hints):
    verdict = check()
    assert verdict.status == NOT_YET and all(hint in feedback(verdict) for hint in hints), verdict.lines


# --------------------------------------------------------------------------- models and histories


def test_small_network(keras):
    x, y = np.zeros((4, 8), "float32"), np.eye(10)[[0, 0, 0, 0]]
    model = dense(keras, 8, [4], 10, "softmax", "categorical_crossentropy")
    model.layers[-1].bias.assign(np.eye(10)[0] * 10)  # always predicts 0: accuracy 1 on these labels
    assert checks.check_small_network(model, x, y, max_params=1000, min_accuracy=0.9)
    cases = [
        (dense(keras, 8, [64], 10, "softmax", "categorical_crossentropy"), dict(max_params=100), "budget"),
        (dense(keras, 8, [4], 10, "relu", "categorical_crossentropy"), {}, "softmax"),
        (dense(keras, 8, [4], 10, "softmax", "mse"), {}, "loss"),
        (dense(keras, 8, [4], 10, "softmax", "categorical_crossentropy", compile=False), {}, "not compiled"),
        (dense(keras, 8, [4], 9, "softmax", "categorical_crossentropy"), {}, "outputs 9"),
    ]
    for model, budget, hint in cases:
        verdict = checks.check_small_network(model, x, y, **{"max_params": 1000, **budget}, min_accuracy=0.0)
        assert verdict.status == NOT_YET and hint in feedback(verdict), (hint, verdict.lines)


def test_budget_model(keras):
    good = dense(keras, 100, [4], 1, "sigmoid", "binary_crossentropy")

    def check(history, max_params=1000, min_val_accuracy=0.5):
        return checks.check_budget_model(good, history, max_params=max_params, min_val_accuracy=min_val_accuracy)

    assert check({"val_accuracy": [0.7, 0.9]}, min_val_accuracy=0.88)
    assert "below 0.95" in feedback(check({"val_accuracy": [0.9]}, min_val_accuracy=0.95))
    assert "validation_data" in feedback(check({"accuracy": [0.9]}))
    assert "budget" in feedback(check({"val_accuracy": [0.9]}, max_params=100))


def test_small_reuters(keras):
    good = dense(keras, 100, [48], 46, "softmax", "categorical_crossentropy")
    narrow = dense(keras, 100, [64, 4], 46, "softmax", "categorical_crossentropy")
    history = {"val_accuracy": [0.8]}
    assert checks.check_small_reuters(good, history, max_params=10_000, min_val_accuracy=0.78)
    verdict = checks.check_small_reuters(narrow, history, max_params=10_000, min_val_accuracy=0.5)
    assert "bottleneck" in feedback(verdict)
    assert "budget" in feedback(checks.check_small_reuters(good, history, max_params=100, min_val_accuracy=0.5))


def test_sparse_labels(keras):
    sparse = dense(keras, 10, [46], 46, "softmax", "sparse_categorical_crossentropy")
    assert checks.check_sparse_labels(sparse, np.array([3, 4]))
    assert "integer topic numbers" in feedback(checks.check_sparse_labels(sparse, np.eye(46)[[3, 4]]))
    one_hot_loss = dense(keras, 10, [46], 46, "softmax", "categorical_crossentropy")
    assert "loss" in feedback(checks.check_sparse_labels(one_hot_loss, np.array([3, 4])))


def test_normalized_model(keras):
    x = np.random.default_rng(0).normal(5, 2, (50, 3)).astype("float32")

    def build(x_fit):
        normalizer = keras.layers.Normalization()
        normalizer.adapt(x_fit)
        model = keras.Sequential(
            [keras.Input(shape=(3,)), normalizer, keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)]
        )
        model.compile(optimizer="rmsprop", loss="mse")
        return model

    def unadapted(x_fit):
        model = keras.Sequential(
            [keras.Input(shape=(3,)), keras.layers.Normalization(mean=0.0, variance=1.0), keras.layers.Dense(1)]
        )
        model.compile(optimizer="rmsprop", loss="mse")
        return model

    def plain(x_fit):
        return dense(keras, 3, [4], 1, None, "mse")

    assert checks.check_normalized_model(build, x, 2.4, max_mae=2.6)
    assert "above 2.6" in feedback(checks.check_normalized_model(build, x, 3.1, max_mae=2.6))
    assert "adapt" in feedback(checks.check_normalized_model(unadapted, x, 2.4, max_mae=2.6))
    assert "no Normalization layer" in feedback(checks.check_normalized_model(plain, x, 2.4, max_mae=2.6))


def test_without_b(keras):
    model = dense(keras, 12, [8], 1, None, "mse")
    assert checks.check_without_b(np.zeros((5, 12)), model, 2.9, max_mae=3.3)
    assert "np.delete" in feedback(checks.check_without_b(np.zeros((5, 13)), model, 2.9, max_mae=3.3))


def test_dropout_and_l1_models(keras):
    layers, regularizers = keras.layers, keras.regularizers

    def model_with(*stack):
        model = keras.Sequential([keras.Input(shape=(20,)), *stack, layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
        return model

    def dropout(*stack):
        return checks.check_dropout_model(model_with(*stack), {"val_crossentropy": [0.4, 0.28, 0.3]}, max_val_loss=0.29)

    def l1(*stack):
        return checks.check_l1_model(model_with(*stack), {"val_crossentropy": [0.4, 0.28, 0.3]}, max_val_loss=0.29)

    assert dropout(layers.Dense(16, activation="relu"), layers.Dropout(0.3))
    assert "0.5 is the notebook's" in feedback(dropout(layers.Dense(16), layers.Dropout(0.5)))
    assert "no Dropout" in feedback(dropout(layers.Dense(16)))
    assert l1(layers.Dense(16, kernel_regularizer=regularizers.l1(0.0001)))
    assert "ten times smaller" in feedback(l1(layers.Dense(16, kernel_regularizer=regularizers.l1(0.001))))
    assert "no L1" in feedback(l1(layers.Dense(16)))


def test_l2_penalty(keras):
    model = dense(keras, 5, [3], 1, "sigmoid", "binary_crossentropy")
    kernels = [layer.get_weights()[0] for layer in model.layers]
    penalty = 0.001 * sum(float(np.sum(k**2)) for k in kernels)
    assert checks.check_l2_penalty(penalty, model)
    assert "left out the factor" in feedback(checks.check_l2_penalty(penalty / 0.001, model))
    l1_penalty = 0.001 * sum(float(np.sum(np.abs(k))) for k in kernels)
    assert "L1 penalty" in feedback(checks.check_l2_penalty(l1_penalty, model))


def test_small_convnet_and_receptive_field(keras):
    layers = keras.layers
    convnet = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(4, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(10, activation="softmax"),
        ]
    )
    convnet.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    convnet.layers[-1].bias.assign(np.eye(10)[2] * 10)
    convnet.layers[-1].kernel.assign(np.zeros((4, 10)))
    x, y = np.zeros((3, 8, 8, 1), "float32"), np.eye(10)[[2, 2, 2]]
    assert checks.check_small_convnet(convnet, x, y, max_params=1000, min_accuracy=0.99)
    assert "budget" in feedback(checks.check_small_convnet(convnet, x, y, max_params=10, min_accuracy=0.5))
    flat = dense(keras, 64, [4], 10, "softmax", "categorical_crossentropy")
    verdict = checks.check_small_convnet(flat, x.reshape(3, 64), y, max_params=1000, min_accuracy=0.1)
    assert "no Conv2D" in feedback(verdict)
    assert checks.check_receptive_field(8, convnet)  # 3, then +1 (pool), then +2*2
    assert "jump" in feedback(checks.check_receptive_field(5, convnet))


def test_unfreeze_more(keras):
    layers = keras.layers
    base = keras.Sequential(
        [keras.Input(shape=(4,)), layers.Dense(3, name="b1"), layers.Dense(3, name="b2"), layers.Dense(3, name="b3")]
    )
    model = keras.Sequential([keras.Input(shape=(4,)), base, layers.Dense(1, activation="sigmoid")])
    for layer in base.layers:
        layer.trainable = layer.name in ("b2", "b3")
    model.compile(optimizer=keras.optimizers.RMSprop(1e-5), loss="binary_crossentropy")
    assert checks.check_unfreeze_more(model, base, ["b2", "b3"], 12.0)
    assert "trainable layers" in feedback(checks.check_unfreeze_more(model, base, ["b1", "b2", "b3"], 12.0))
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3), loss="binary_crossentropy")
    assert "small learning rate" in feedback(checks.check_unfreeze_more(model, base, ["b2", "b3"], 12.0))


def test_augmentation(keras):
    layers = keras.layers

    def check(rotation, flip):
        augmentation = keras.Sequential(
            [layers.RandomRotation(rotation), layers.RandomZoom(0.1), layers.RandomFlip(flip)]
        )
        return checks.check_augmentation(augmentation, degrees=20, zoom=0.1)

    assert check(20 / 360, "horizontal")
    assert "fraction of a full turn" in feedback(check(0.2, "horizontal"))
    assert "left-right" in feedback(check(20 / 360, "vertical"))
