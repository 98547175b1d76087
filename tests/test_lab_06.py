"""Tests of 06_convnets' lab checks: a right answer passes, a typical wrong one fails with its hint, a placeholder is
not attempted, and nothing a student hands in crashes a check."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED

keras = config.import_keras()
layers = keras.layers

RIGHT_SIDES = [148, 74, 37, 35, 17, 17]  # 150 through OUTPUT_SIZE_STACK


def assert_hint(verdict, *hints):
    assert verdict.status == NOT_YET and all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def with_side(index, side):
    sides = list(RIGHT_SIDES)
    sides[index] = side
    return sides


@pytest.mark.parametrize(
    "answers, hints",
    [
        (RIGHT_SIDES, []),
        (with_side(2, 75), ["Layer 3", "previous layer's output"]),  # layer 3 applied to the 150x150 image
        (with_side(2, 36), ["Layer 3", "padding='same'"]),
        (with_side(4, 18), ["Layer 5", "rounds down"]),
        (with_side(5, 13), ["Layer 6", "padding='same'"]),
        (with_side(5, 16), ["Layer 6", "floor"]),
        (RIGHT_SIDES[:5], ["5 answers for 6 layers"]),
        ([], ["0 answers"]),
    ],
)
def test_output_sizes(answers, hints):
    verdict = checks.check_output_sizes(answers)
    assert verdict.status == (NOT_YET if hints else PASSED), verdict.lines
    assert all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def tiny_convnet(dense_units=10):
    model = keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(dense_units, activation="softmax"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


X, Y = np.zeros((4, 8, 8, 1), "float32"), np.eye(10, dtype="float32")[[2, 2, 2, 2]]


def trained(*epochs_per_fit):
    model = tiny_convnet()
    for epochs in epochs_per_fit:
        model.fit(X, Y, epochs=epochs, batch_size=2, verbose=0)
    model.layers[-1].set_weights([np.zeros((4, 10)), np.eye(10)[2] * 10])  # always predicts 2
    return model


def small_convnet(model, y=Y, y_test=Y, max_params=1000, max_epochs=2):
    return checks.check_small_convnet(
        model, X, y, X, y_test, max_params=max_params, min_accuracy=0.9, max_epochs=max_epochs
    )


def test_small_convnet():
    assert small_convnet(trained(2))
    assert_hint(small_convnet(trained(3)), "ran 3 epochs, not at most 2")
    assert_hint(small_convnet(trained(2, 2)), "fit ran twice")  # a second fit goes on training the same model
    assert_hint(small_convnet(tiny_convnet()), "not been trained")
    # right on the validation images, wrong on the test images: it learned the former
    assert_hint(small_convnet(trained(2), y_test=np.eye(10, dtype="float32")[[3, 3, 3, 3]]), "trained on them")
    assert_hint(small_convnet(trained(2), max_params=10), "budget")
    threes = np.eye(10, dtype="float32")[[3, 3, 3, 3]]
    assert_hint(small_convnet(trained(2), y=threes, y_test=threes), "validation accuracy")
    dense = keras.Sequential([keras.Input(shape=(8, 8, 1)), layers.Flatten(), layers.Dense(10, "softmax")])
    assert_hint(small_convnet(dense), "no Conv2D")
    assert small_convnet(None).status == NOT_ATTEMPTED


def stack(*stack_layers):
    return keras.Sequential([keras.Input(shape=(28, 28, 1)), *stack_layers])


def wide(convolutions=4, kernel=3):
    """``convolutions`` padded 3x3 convolutions with a 2x2 pooling between each two."""
    stack_layers = [layers.Conv2D(4, kernel, padding="same")]
    for _ in range(convolutions - 1):
        stack_layers += [layers.MaxPooling2D(2), layers.Conv2D(4, 3, padding="same")]
    return stack(*stack_layers)


def functional(sequential):
    """The same layers as ``sequential``, as a functional model (whose layers start with an InputLayer)."""
    inputs = keras.Input(shape=(28, 28, 1))
    outputs = inputs
    for layer in sequential.layers:
        outputs = layer(outputs)
    return keras.Model(inputs, outputs)


@pytest.mark.parametrize(
    "make, field, hints",
    [
        (wide, 38, []),  # 3, 4, 8, 10, 18, 22, 38
        (lambda: functional(wide()), 38, ["not a Sequential stack", "keras.Sequential"]),
        (lambda: stack(layers.Conv2D(4, 3, dilation_rate=2), layers.Conv2D(4, 3)), 7, ["dilated", "dilation_rate=1"]),
        (
            lambda: stack(*[layers.Conv2D(4, 3, strides=2, padding="same") for _ in range(3)], layers.Conv2D(4, 3)),
            31,
            [],
        ),
        (wide, 28, ["not this stack's receptive field", "jump"]),
        (lambda: stack(layers.Conv2D(4, 3)), 3, ["sees 3x3 pixels", "less than the whole 28x28"]),
        (lambda: stack(*[layers.Conv2D(4, 3) for _ in range(3)]), 7, ["sees 7x7"]),
        (lambda: wide(convolutions=5), 78, ["5 convolutions, more than 4"]),
        (lambda: wide(kernel=5), 40, ["(5, 5)", "3x3 windows"]),
        (lambda: stack(layers.Conv2D(4, 3), layers.MaxPooling2D(4), layers.Conv2D(4, 3)), 12, ["(4, 4)"]),
        (lambda: stack(layers.Conv2D(4, 3), layers.Flatten(), layers.Dense(10)), 3, ["Dense, Flatten"]),
        (lambda: keras.Sequential([keras.Input(shape=(32, 32, 1)), layers.Conv2D(4, 3)]), 3, ["(32, 32, 1)"]),
        (lambda: "a stack", 38, ["not a Keras model"]),
    ],
)
def test_receptive_field(make, field, hints):
    verdict = checks.check_receptive_field(make(), field)
    assert verdict.status == (NOT_YET if hints else PASSED), verdict.lines
    assert all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def test_placeholders_are_not_attempted():
    assert checks.check_output_sizes(None).status == NOT_ATTEMPTED
    assert checks.check_receptive_field(wide(), None).status == NOT_ATTEMPTED
    assert checks.check_receptive_field(None, 38).status == NOT_ATTEMPTED


@pytest.mark.parametrize("garbage", [42, "model", [1, 2], object()])
def test_garbage_never_crashes_a_check(garbage):
    assert_hint(checks.check_output_sizes(garbage))
    assert_hint(checks.check_small_convnet(garbage, X, Y, X, Y, max_params=10, min_accuracy=0.1, max_epochs=1))
    assert_hint(checks.check_receptive_field(garbage, 3))
    assert_hint(checks.check_receptive_field(wide(), garbage))
