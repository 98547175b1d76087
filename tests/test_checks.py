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


# --------------------------------------------------------------------------- the mechanism


def test_placeholders_are_not_attempted_and_recorded(capsys):
    verdict = checks.check_prepare(None)
    assert verdict.status == NOT_ATTEMPTED and not verdict
    assert checks.RESULTS["Exercise 1 (prepare the images)"] == NOT_ATTEMPTED
    assert "NOT ATTEMPTED YET" in capsys.readouterr().out


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


def test_all_passed():
    checks.RESULTS.clear()
    checks._report("a", PASSED, [])
    checks._report("b", NOT_YET, [])
    assert checks.all_passed("a") and not checks.all_passed() and not checks.all_passed("a", "b")


# --------------------------------------------------------------------------- 01_mnist


def test_prepare():
    assert checks.check_prepare(lambda im: (im.reshape(-1, 784) / 255).astype("float32"))
    for wrong, hint in [
        (lambda im: im.reshape(-1, 784).astype("float32"), "divide by 255"),
        (lambda im: (im / 255).astype("float32"), "flatten"),
        (lambda im: im.reshape(-1, 784) / 255, "float32"),
    ]:
        verdict = checks.check_prepare(wrong)
        assert verdict.status == NOT_YET and hint in feedback(verdict)


def test_one_hot():
    assert checks.check_one_hot(lambda labels, n: np.eye(n)[labels])
    verdict = checks.check_one_hot(lambda labels, n: np.eye(n)[(labels + 1) % n])
    assert verdict.status == NOT_YET and "one position off" in feedback(verdict)
    verdict = checks.check_one_hot(lambda labels, n: np.eye(n + 1)[labels])
    assert "shape" in feedback(verdict)


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


# --------------------------------------------------------------------------- 02_imdb


def test_budget_model(keras):
    good = dense(keras, 100, [4], 1, "sigmoid", "binary_crossentropy")
    assert checks.check_budget_model(good, {"val_accuracy": [0.7, 0.9]}, max_params=1000, min_val_accuracy=0.88)
    assert "below 0.95" in feedback(
        checks.check_budget_model(good, {"val_accuracy": [0.9]}, max_params=1000, min_val_accuracy=0.95)
    )
    assert "validation_data" in feedback(
        checks.check_budget_model(good, {"accuracy": [0.9]}, max_params=1000, min_val_accuracy=0.5)
    )
    assert "budget" in feedback(
        checks.check_budget_model(good, {"val_accuracy": [0.9]}, max_params=100, min_val_accuracy=0.5)
    )
    assert checks.check_budget_model(good, None, max_params=1000, min_val_accuracy=0.5).status == NOT_ATTEMPTED


def test_decode():
    word_index = {"the": 1, "film": 2, "good": 3}
    sequences = [[1, 4, 5, 6, 2]]
    right = lambda seq, index: " ".join(
        {r + 3: w for w, r in index.items()}.get(i, "?") if i >= 3 else "?" for i in seq
    )
    assert checks.check_decode(right, sequences, word_index)
    off_by_one = lambda seq, index: " ".join(
        {r + 2: w for w, r in index.items()}.get(i, "?") if i >= 3 else "?" for i in seq
    )
    assert "subtracted 2" in feedback(checks.check_decode(off_by_one, sequences, word_index))


def test_best_epoch():
    history = {"val_loss": [0.5, 0.3, 0.4], "val_accuracy": [0.8, 0.85, 0.9]}
    assert checks.check_best_epoch(2, history)
    assert "argmin counts from 0" in feedback(checks.check_best_epoch(1, history))
    assert "highest validation accuracy" in feedback(checks.check_best_epoch(3, history))


# --------------------------------------------------------------------------- 03_reuters


def test_small_reuters(keras):
    good = dense(keras, 100, [48], 46, "softmax", "categorical_crossentropy")
    assert checks.check_small_reuters(good, {"val_accuracy": [0.8]}, max_params=10_000, min_val_accuracy=0.78)
    narrow = dense(keras, 100, [64, 4], 46, "softmax", "categorical_crossentropy")
    assert "bottleneck" in feedback(
        checks.check_small_reuters(narrow, {"val_accuracy": [0.8]}, max_params=10_000, min_val_accuracy=0.5)
    )
    assert "budget" in feedback(
        checks.check_small_reuters(good, {"val_accuracy": [0.8]}, max_params=100, min_val_accuracy=0.5)
    )


def test_sparse_labels(keras):
    sparse = dense(keras, 10, [46], 46, "softmax", "sparse_categorical_crossentropy")
    assert checks.check_sparse_labels(sparse, np.array([3, 4]))
    assert "integer topic numbers" in feedback(checks.check_sparse_labels(sparse, np.eye(46)[[3, 4]]))
    one_hot_loss = dense(keras, 10, [46], 46, "softmax", "categorical_crossentropy")
    assert "loss" in feedback(checks.check_sparse_labels(one_hot_loss, np.array([3, 4])))


def test_random_baseline():
    labels = np.array([0, 0, 0, 1])
    assert checks.check_random_baseline(0.75**2 + 0.25**2, labels)
    assert "square each share" in feedback(checks.check_random_baseline(1.0, labels))
    assert "uniform guessing" in feedback(checks.check_random_baseline(0.5, labels))


# --------------------------------------------------------------------------- 04_boston_housing


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

    assert checks.check_normalized_model(build, x, 2.4, max_mae=2.6)
    assert "above 2.6" in feedback(checks.check_normalized_model(build, x, 3.1, max_mae=2.6))

    def unadapted(x_fit):
        model = keras.Sequential(
            [keras.Input(shape=(3,)), keras.layers.Normalization(mean=0.0, variance=1.0), keras.layers.Dense(1)]
        )
        model.compile(optimizer="rmsprop", loss="mse")
        return model

    assert "adapt" in feedback(checks.check_normalized_model(unadapted, x, 2.4, max_mae=2.6))

    def plain(x_fit):
        return dense(keras, 3, [4], 1, None, "mse")

    assert "no Normalization layer" in feedback(checks.check_normalized_model(plain, x, 2.4, max_mae=2.6))


def test_mae():
    assert checks.check_mae(lambda t, p: np.mean(np.abs(t - p)))
    assert "squared" in feedback(checks.check_mae(lambda t, p: np.mean((t - p) ** 2)))
    assert "sum" in feedback(checks.check_mae(lambda t, p: np.sum(np.abs(t - p))))
    assert "cancelled" in feedback(checks.check_mae(lambda t, p: np.mean(t - p) * 0))


def test_without_b(keras):
    model = dense(keras, 12, [8], 1, None, "mse")
    assert checks.check_without_b(np.zeros((5, 12)), model, 2.9, max_mae=3.3)
    assert "np.delete" in feedback(checks.check_without_b(np.zeros((5, 13)), model, 2.9, max_mae=3.3))


# --------------------------------------------------------------------------- 05_regularization


def test_dropout_and_l1_models(keras):
    layers, regularizers = keras.layers, keras.regularizers

    def model_with(*stack):
        model = keras.Sequential([keras.Input(shape=(20,)), *stack, layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
        return model

    history = {"val_crossentropy": [0.4, 0.28, 0.3]}
    assert checks.check_dropout_model(
        model_with(layers.Dense(16, activation="relu"), layers.Dropout(0.3)), history, max_val_loss=0.29
    )
    assert "0.5 is the notebook's" in feedback(
        checks.check_dropout_model(model_with(layers.Dense(16), layers.Dropout(0.5)), history, max_val_loss=0.29)
    )
    assert "no Dropout" in feedback(
        checks.check_dropout_model(model_with(layers.Dense(16)), history, max_val_loss=0.29)
    )
    small = model_with(layers.Dense(16, kernel_regularizer=regularizers.l1(0.0001)))
    assert checks.check_l1_model(small, history, max_val_loss=0.29)
    same = model_with(layers.Dense(16, kernel_regularizer=regularizers.l1(0.001)))
    assert "ten times smaller" in feedback(checks.check_l1_model(same, history, max_val_loss=0.29))
    assert "no L1" in feedback(checks.check_l1_model(model_with(layers.Dense(16)), history, max_val_loss=0.29))


def test_l2_penalty(keras):
    model = dense(keras, 5, [3], 1, "sigmoid", "binary_crossentropy")
    kernels = [layer.get_weights()[0] for layer in model.layers]
    penalty = 0.001 * sum(float(np.sum(k**2)) for k in kernels)
    assert checks.check_l2_penalty(penalty, model)
    assert "left out the factor" in feedback(checks.check_l2_penalty(penalty / 0.001, model))
    assert "L1 penalty" in feedback(
        checks.check_l2_penalty(0.001 * sum(float(np.sum(np.abs(k))) for k in kernels), model)
    )


# --------------------------------------------------------------------------- 06_convnets


def test_output_sizes():
    configurations = [(28, 3, 1, 0), (28, 3, 2, 1), (13, 2, 2, 0)]
    assert checks.check_output_sizes([26, 14, 6], configurations)
    verdict = checks.check_output_sizes([26, 13, 6], configurations)
    assert "Configuration 2" in feedback(verdict) and "rounds down" in feedback(verdict)


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
    assert "no Conv2D" in feedback(
        checks.check_small_convnet(flat, x.reshape(3, 64), y, max_params=1000, min_accuracy=0.1)
    )
    assert checks.check_receptive_field(8, convnet)  # 3, then +1 (pool), then +2*2
    assert "jump" in feedback(checks.check_receptive_field(5, convnet))


# --------------------------------------------------------------------------- 07_pretrained_vgg16


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
    good = keras.Sequential([layers.RandomRotation(20 / 360), layers.RandomZoom(0.1), layers.RandomFlip("horizontal")])
    assert checks.check_augmentation(good, degrees=20, zoom=0.1)
    degrees = keras.Sequential([layers.RandomRotation(0.2), layers.RandomZoom(0.1), layers.RandomFlip("horizontal")])
    assert "fraction of a full turn" in feedback(checks.check_augmentation(degrees, degrees=20, zoom=0.1))
    vertical = keras.Sequential(
        [layers.RandomRotation(20 / 360), layers.RandomZoom(0.1), layers.RandomFlip("vertical")]
    )
    assert "left-right" in feedback(checks.check_augmentation(vertical, degrees=20, zoom=0.1))


def test_feature_map_shape():
    assert checks.check_feature_map_shape((5, 5, 512), image_side=180)
    assert "rounding down" in feedback(checks.check_feature_map_shape((6, 6, 512), image_side=180))
    assert "512 channels" in feedback(checks.check_feature_map_shape((5, 5, 256), image_side=180))
