"""Tests of utils.checks: right answers pass, mistakes get their hint, placeholders are not attempted, nothing crashes."""

import functools

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
LABELS = np.array([0, 0, 0, 1])
CONFIGURATIONS = [(28, 3, 1, 0), (28, 3, 2, 1), (13, 2, 2, 0)]


def test_placeholders_are_not_attempted_and_recorded(capsys):
    verdict = checks.check_prepare(None)
    assert verdict.status == NOT_ATTEMPTED and not verdict
    assert checks.RESULTS["Exercise 1 (prepare the images)"] == NOT_ATTEMPTED
    assert "NOT ATTEMPTED YET" in capsys.readouterr().out
    assert checks.check_budget_model(object(), None, max_params=1000, min_val_accuracy=0.5).status == NOT_ATTEMPTED


@pytest.mark.parametrize("garbage", [42, "model", [1, 2], object()])
def test_garbage_never_crashes_a_check(garbage):
    assert_hint(checks.check_budget_model(garbage, {"val_accuracy": [0.9]}, max_params=10, min_val_accuracy=0.5))
    assert_hint(checks.check_small_convnet(garbage, np.zeros((2, 4)), np.eye(2, 10), max_params=10, min_accuracy=0.1))
    assert_hint(checks.check_output_sizes(garbage, [(28, 3, 1, 0)]))
    assert_hint(checks.check_random_baseline(garbage, [0, 1]))
    assert_hint(checks.check_augmentation(garbage, degrees=20, zoom=0.1))


def test_all_checks_passed(monkeypatch):
    monkeypatch.setattr(checks, "RESULTS", {"a": PASSED, "b": NOT_YET})
    assert checks.all_checks_passed("a") and not checks.all_checks_passed()
    assert not checks.all_checks_passed("a", "b")


@pytest.mark.parametrize(
    "check, hints",
    [
        (lambda: checks.check_prepare(lambda im: (im.reshape(-1, 784) / 255).astype("float32")), []),
        (lambda: checks.check_prepare(lambda im: im.reshape(-1, 784).astype("float32")), ["divide by 255"]),
        (lambda: checks.check_prepare(lambda im: (im / 255).astype("float32")), ["flatten"]),
        (lambda: checks.check_prepare(lambda im: im.reshape(-1, 784) / 255), ["float32"]),
        (lambda: checks.check_prepare(lambda im: 1 / 0), ["ZeroDivisionError"]),  # reported, not raised
        (lambda: checks.check_one_hot(lambda labels, n: np.eye(n)[labels]), []),
        (lambda: checks.check_one_hot(lambda labels, n: np.eye(n)[(labels + 1) % n]), ["one position off"]),
        (lambda: checks.check_one_hot(lambda labels, n: np.eye(n + 1)[labels]), ["shape"]),
        (lambda: checks.check_decode(decoder(3), REVIEWS, WORD_INDEX), []),
        (lambda: checks.check_decode(decoder(2), REVIEWS, WORD_INDEX), ["subtracted 2"]),
        (lambda: checks.check_best_epoch(2, HISTORY), []),
        (lambda: checks.check_best_epoch(1, HISTORY), ["argmin counts from 0"]),
        (lambda: checks.check_best_epoch(3, HISTORY), ["highest validation accuracy"]),
        (lambda: checks.check_random_baseline(0.75**2 + 0.25**2, LABELS), []),
        (lambda: checks.check_random_baseline(1.0, LABELS), ["square each share"]),
        (lambda: checks.check_random_baseline(0.5, LABELS), ["uniform guessing"]),
        (lambda: checks.check_mae(lambda t, p: np.mean(np.abs(t - p))), []),
        (lambda: checks.check_mae(lambda t, p: np.mean((t - p) ** 2)), ["squared"]),
        (lambda: checks.check_mae(lambda t, p: np.sum(np.abs(t - p))), ["sum"]),
        (lambda: checks.check_mae(lambda t, p: np.mean(t - p) * 0), ["cancelled"]),
        (lambda: checks.check_output_sizes([26, 14, 6], CONFIGURATIONS), []),
        (lambda: checks.check_output_sizes([26, 13, 6], CONFIGURATIONS), ["Configuration 2", "rounds down"]),
        (lambda: checks.check_feature_map_shape((5, 5, 512), image_side=180), []),
        (lambda: checks.check_feature_map_shape((6, 6, 512), image_side=180), ["rounding down"]),
        (lambda: checks.check_feature_map_shape((5, 5, 256), image_side=180), ["512 channels"]),
    ],
)
def test_right_answers_pass_and_typical_mistakes_get_their_hint(check, hints):
    verdict = check()
    assert verdict.status == (NOT_YET if hints else PASSED), verdict.lines
    assert all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def test_small_network():
    x, y = np.zeros((4, 8), "float32"), np.eye(10)[[0, 0, 0, 0]]
    model = dense(8, [4], 10, "softmax", "categorical_crossentropy")
    model.layers[-1].bias.assign(np.eye(10)[0] * 10)  # always predicts 0: accuracy 1 on these labels
    assert checks.check_small_network(model, x, y, max_params=1000, min_accuracy=0.9)
    for hidden, outputs, activation, loss, compile, max_params, hint in [
        ([64], 10, "softmax", "categorical_crossentropy", True, 100, "budget"),
        ([4], 10, "relu", "categorical_crossentropy", True, 1000, "softmax"),
        ([4], 10, "softmax", "mse", True, 1000, "loss"),
        ([4], 10, "softmax", "categorical_crossentropy", False, 1000, "not compiled"),
        ([4], 9, "softmax", "categorical_crossentropy", True, 1000, "outputs 9"),
    ]:
        model = dense(8, hidden, outputs, activation, loss, compile)
        assert_hint(checks.check_small_network(model, x, y, max_params=max_params, min_accuracy=0.0), hint)


def test_budget_and_reuters_models():
    good = dense(100, [4], 1, "sigmoid", "binary_crossentropy")
    budget = functools.partial(checks.check_budget_model, good, max_params=1000, min_val_accuracy=0.5)
    assert budget({"val_accuracy": [0.7, 0.9]}, min_val_accuracy=0.88)
    assert_hint(budget({"val_accuracy": [0.9]}, min_val_accuracy=0.95), "below 0.95")
    assert_hint(budget({"accuracy": [0.9]}), "validation_data")
    assert_hint(budget({"val_accuracy": [0.9]}, max_params=100), "budget")

    wide = dense(100, [48], 46, "softmax", "categorical_crossentropy")
    narrow = dense(100, [64, 4], 46, "softmax", "categorical_crossentropy")
    assert checks.check_small_reuters(wide, {"val_accuracy": [0.8]}, max_params=10_000, min_val_accuracy=0.78)
    assert_hint(checks.check_small_reuters(narrow, HISTORY, max_params=10_000, min_val_accuracy=0.5), "bottleneck")
    assert_hint(checks.check_small_reuters(wide, HISTORY, max_params=100, min_val_accuracy=0.5), "budget")
    sparse = dense(10, [46], 46, "softmax", "sparse_categorical_crossentropy")
    assert checks.check_sparse_labels(sparse, np.array([3, 4]))
    assert_hint(checks.check_sparse_labels(sparse, np.eye(46)[[3, 4]]), "integer topic numbers")
    assert_hint(checks.check_sparse_labels(wide, np.array([3, 4])), "loss")  # categorical_crossentropy


def test_normalized_model_and_without_b():
    x = np.random.default_rng(0).normal(5, 2, (50, 3)).astype("float32")

    def build(x_fit, adapt=True):
        normalizer = layers.Normalization() if adapt else layers.Normalization(mean=0.0, variance=1.0)
        if adapt:
            normalizer.adapt(x_fit)
        return dense(3, [normalizer], 1, None, "mse")

    assert checks.check_normalized_model(build, x, 2.4, max_mae=2.6)
    assert_hint(checks.check_normalized_model(build, x, 3.1, max_mae=2.6), "above 2.6")
    assert_hint(checks.check_normalized_model(lambda x_fit: build(x_fit, adapt=False), x, 2.4, max_mae=2.6), "adapt")
    plain = dense(3, [4], 1, None, "mse")
    assert_hint(checks.check_normalized_model(lambda x_fit: plain, x, 2.4, max_mae=2.6), "no Normalization layer")

    model = dense(12, [8], 1, None, "mse")
    assert checks.check_without_b(np.zeros((5, 12)), model, 2.9, max_mae=3.3)
    assert_hint(checks.check_without_b(np.zeros((5, 13)), model, 2.9, max_mae=3.3), "np.delete")


def test_regularization_checks():
    l1 = keras.regularizers.l1

    def check(check, *stack):
        model = dense(20, stack, 1, "sigmoid", "binary_crossentropy")
        return check(model, {"val_crossentropy": [0.4, 0.28, 0.3]}, max_val_loss=0.29)

    assert check(checks.check_dropout_model, layers.Dense(16, activation="relu"), layers.Dropout(0.3))
    assert_hint(check(checks.check_dropout_model, layers.Dense(16), layers.Dropout(0.5)), "0.5 is the notebook's")
    assert_hint(check(checks.check_dropout_model, layers.Dense(16)), "no Dropout")
    assert check(checks.check_l1_model, layers.Dense(16, kernel_regularizer=l1(0.0001)))
    assert_hint(check(checks.check_l1_model, layers.Dense(16, kernel_regularizer=l1(0.001))), "ten times smaller")
    assert_hint(check(checks.check_l1_model, layers.Dense(16)), "no L1")
    model = dense(5, [3], 1, "sigmoid", "binary_crossentropy")
    kernels = [layer.get_weights()[0] for layer in model.layers]
    penalty = 0.001 * sum(float(np.sum(k**2)) for k in kernels)
    assert checks.check_l2_penalty(penalty, model)
    assert_hint(checks.check_l2_penalty(penalty / 0.001, model), "left out the factor")
    l1_penalty = 0.001 * sum(float(np.sum(np.abs(k))) for k in kernels)
    assert_hint(checks.check_l2_penalty(l1_penalty, model), "L1 penalty")


def test_small_convnet_and_receptive_field():
    stack = [layers.Conv2D(4, 3), layers.MaxPooling2D(2), layers.Conv2D(4, 3), layers.GlobalAveragePooling2D()]
    convnet = keras.Sequential([keras.Input(shape=(8, 8, 1)), *stack, layers.Dense(10, activation="softmax")])
    convnet.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    convnet.layers[-1].set_weights([np.zeros((4, 10)), np.eye(10)[2] * 10])  # always predicts 2
    x, y = np.zeros((3, 8, 8, 1), "float32"), np.eye(10)[[2, 2, 2]]
    assert checks.check_small_convnet(convnet, x, y, max_params=1000, min_accuracy=0.99)
    assert_hint(checks.check_small_convnet(convnet, x, y, max_params=10, min_accuracy=0.5), "budget")
    flat = dense(64, [4], 10, "softmax", "categorical_crossentropy")
    assert_hint(checks.check_small_convnet(flat, x.reshape(3, 64), y, max_params=1000, min_accuracy=0.1), "no Conv2D")
    assert checks.check_receptive_field(8, convnet)  # 3, then +1 (pool), then +2*2
    assert_hint(checks.check_receptive_field(5, convnet), "jump")


def test_unfreeze_more():
    base = keras.Sequential([keras.Input(shape=(4,)), *(layers.Dense(3, name=f"b{i}") for i in (1, 2, 3))])
    base.layers[0].trainable = False  # b2 and b3 stay trainable
    model = dense(4, [base], 1, "sigmoid", "binary_crossentropy")  # rmsprop's learning rate, 1e-3
    assert_hint(checks.check_unfreeze_more(model, base, ["b2", "b3"], 12.0), "small learning rate")
    model.compile(optimizer=keras.optimizers.RMSprop(1e-5), loss="binary_crossentropy")
    assert checks.check_unfreeze_more(model, base, ["b2", "b3"], 12.0)
    assert_hint(checks.check_unfreeze_more(model, base, ["b1", "b2", "b3"], 12.0), "trainable layers")


def test_augmentation():
    def check(rotation, flip):
        stack = [layers.RandomRotation(rotation), layers.RandomZoom(0.1), layers.RandomFlip(flip)]
        return checks.check_augmentation(keras.Sequential(stack), degrees=20, zoom=0.1)

    assert check(20 / 360, "horizontal")
    assert_hint(check(0.2, "horizontal"), "fraction of a full turn")
    assert_hint(check(20 / 360, "vertical"), "left-right")
