"""The checks of 01_mnist's lab: a right answer passes, a typical wrong answer fails with its hint."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED

keras = config.import_keras()
layers = keras.layers


def dense(inputs, hidden, outputs=10, activation="softmax", loss="categorical_crossentropy", compile=True):
    model = keras.Sequential(
        [keras.Input(shape=(inputs,)), *[layers.Dense(h, "relu") for h in hidden], layers.Dense(outputs, activation)]
    )
    if compile:
        model.compile(optimizer="rmsprop", loss=loss, metrics=["accuracy"])
    return model


def assert_hint(verdict, *hints):
    assert verdict.status == NOT_YET and all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def right_cross_entropy(y_true, y_pred):
    return -np.mean(np.sum(y_true * np.log(np.clip(y_pred, 1e-7, 1 - 1e-7)), axis=1))


def unclipped(y_true, y_pred):
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) = -inf, and 0 * -inf = nan
        return -np.mean(np.sum(y_true * np.log(y_pred), axis=1))


def clipped(y_true, y_pred, low=1e-7):
    return np.clip(y_pred, low, 1 - low)


@pytest.fixture(scope="module")
def predictions():
    """A tiny untrained network on 20 random images, for check_cross_entropy's last test."""
    keras.utils.set_random_seed(0)
    return dense(784, [4]), np.random.default_rng(1).random((20, 784), "float32"), np.eye(10)[np.arange(20) % 10]


@pytest.mark.parametrize(
    "cross_entropy, hints",
    [
        (right_cross_entropy, []),
        (lambda t, p: -np.mean(np.log(clipped(t, p)[t == 1])), []),  # picks the true class: also right
        (unclipped, ["clip"]),  # log(0) on the zero probability
        (lambda t, p: -np.mean(np.sum(t * np.log(clipped(t, p, 1e-15)), axis=1)), ["1e-7"]),
        (lambda t, p: np.mean(np.sum(t * np.log(clipped(t, p)), axis=1)), ["minus sign"]),
        (lambda t, p: -np.sum(t * np.log(clipped(t, p))), ["sum over the 6 images"]),
        (lambda t, p: -np.mean(t * np.log(clipped(t, p))), ["averaged over the classes"]),
        (lambda t, p: -np.mean(np.sum(t * np.log10(clipped(t, p)), axis=1)), ["base-10"]),
        (lambda t, p: -np.mean(np.sum(t * np.log(p) + (1 - t) * np.log(1 - p), axis=1)), ["binary"]),
        (lambda t, p: right_cross_entropy(t, p) if len(t) == 6 else 0.5, ["network's predictions"]),
    ],
)
def test_cross_entropy(predictions, cross_entropy, hints):
    verdict = checks.check_cross_entropy(cross_entropy, *predictions)
    assert verdict.status == (NOT_YET if hints else PASSED), verdict.lines
    assert all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


@pytest.mark.parametrize(
    "one_hot, hints",
    [
        (lambda labels, n: np.eye(n)[labels], []),
        (lambda labels, n: np.eye(n)[(labels + 1) % n], ["one position off"]),
        (lambda labels, n: np.eye(n + 1)[labels], ["shape"]),
        (lambda labels, n: np.ones((len(labels), n)), ["exactly one 1"]),
        (lambda labels, n: np.eye(10)[labels], ["num_classes=4"]),  # ten classes, whatever num_classes says
    ],
)
def test_one_hot(one_hot, hints):
    verdict = checks.check_one_hot(one_hot)
    assert verdict.status == (NOT_YET if hints else PASSED), verdict.lines
    assert all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def test_placeholders_are_not_attempted():
    assert checks.check_cross_entropy(None, None, None, None).status == NOT_ATTEMPTED
    assert checks.check_small_network(None, (), (), (), max_params=1, max_epochs=1, min_accuracy=0).status == (
        NOT_ATTEMPTED
    )


# Three splits of noise images with random labels: a network can only memorise the split it is trained on, so its
# loss is low there and high on the two others.
RNG = np.random.default_rng(0)
TRAIN, VALIDATION, TEST = [(RNG.random((n, 784), "float32"), np.eye(10)[RNG.integers(0, 10, n)]) for n in (96, 64, 64)]
TRAIN_AND_VALIDATION = tuple(np.concatenate([a, b]) for a, b in zip(TRAIN, VALIDATION))


def trained(data=TRAIN, epochs=20, fits=1, hidden=(16,)):
    keras.utils.set_random_seed(0)
    model = dense(784, hidden)
    for _ in range(fits):
        model.fit(*data, epochs=epochs, batch_size=8, verbose=0)
    return model


def small_network(model, max_params=20_000, max_epochs=20, min_accuracy=0.0):
    return checks.check_small_network(
        model, TRAIN, VALIDATION, TEST, max_params=max_params, max_epochs=max_epochs, min_accuracy=min_accuracy
    )


@pytest.fixture(scope="module")
def memorised():
    return trained()


def test_small_network_trained_on_the_training_split_passes(memorised):
    verdict = small_network(memorised)
    assert verdict.status == PASSED, verdict.lines
    assert "20 epoch(s)" in " ".join(verdict.lines)


def test_small_network_is_judged_on_validation_accuracy(memorised):
    # Random labels: about 10% of the validation images right, whatever the test set says.
    assert_hint(small_network(memorised, min_accuracy=0.5), "validation accuracy", "compare a few architectures")


@pytest.mark.parametrize(
    "model, hint",
    [
        (lambda: trained(VALIDATION), "on the validation data"),
        (lambda: trained(TEST), "on the test data"),
        (lambda: trained(TRAIN_AND_VALIDATION), "on the validation data"),
        (lambda: trained(TRAIN, epochs=21), "21 epochs"),
        (lambda: trained(TRAIN, epochs=10, fits=3), "fit ran twice"),
        (lambda: dense(784, [16]), "not been trained"),
        (lambda: trained(hidden=(32,)), "budget"),
        (lambda: dense(784, [4], activation="relu"), "softmax"),
        (lambda: dense(784, [4], loss="mse"), "loss"),
        (lambda: dense(784, [4], compile=False), "not compiled"),
        (lambda: dense(784, [4], outputs=9), "outputs 9"),
        (lambda: dense(28, [4]), "28 inputs, not 784"),
    ],
)
def test_small_network_wrong_answers_fail(model, hint):
    assert_hint(small_network(model()), hint)
