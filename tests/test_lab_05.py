"""Tests of the 05_regularization lab's checks: a correct answer passes, typical wrong answers fail with their hint,
placeholders are not attempted. Tiny models on a synthetic task: the label is the first input."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET

keras = config.import_keras()
layers, regularizers = keras.layers, keras.regularizers

RNG = np.random.default_rng(0)
X = RNG.integers(0, 2, size=(400, 20)).astype("float32")
Y = X[:, :1].copy()
X_TRAIN, Y_TRAIN, X_VAL, Y_VAL = X[:300], Y[:300], X[300:], Y[300:]
X_TEST = RNG.integers(0, 2, size=(100, 20)).astype("float32")
Y_TEST = X_TEST[:, :1].copy()


def assert_hint(verdict, *hints):
    assert verdict.status == NOT_YET and all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def network(rate=None, penalty=None, units=16, penalized=3):
    """The notebook's 16-16 network on 20 inputs: Dropout(rate) after each hidden layer, ``penalty()`` on the
    first ``penalized`` Dense layers."""

    def dense(n, activation, i):
        return layers.Dense(
            n, activation=activation, kernel_regularizer=penalty() if penalty and i < penalized else None
        )

    stack = [dense(units, "relu", 0)] + ([layers.Dropout(rate)] if rate else [])
    stack += [dense(16, "relu", 1)] + ([layers.Dropout(rate)] if rate else []) + [dense(1, "sigmoid", 2)]
    model = keras.Sequential([keras.Input(shape=(20,)), *stack])
    model.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="binary_crossentropy")
    return model


def trained(model, epochs=15, labels=Y_TRAIN, stop=False, data=None, fits=1):
    """``model`` fit ``fits`` times on X_TRAIN with ``labels`` (or on ``data``), validated on (X_VAL, Y_VAL)."""
    callbacks = [keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)] if stop else []
    for _ in range(fits):
        model.fit(
            *(data or (X_TRAIN, labels)),
            epochs=epochs,
            batch_size=32,
            validation_data=(X_VAL, Y_VAL),
            callbacks=callbacks,
            verbose=0,
        )
    return model


@pytest.fixture(autouse=True)
def seeded():
    keras.utils.set_random_seed(0)


def test_placeholders_are_not_attempted():
    verdict = checks.check_dropout_model(None, X_VAL, Y_VAL, X_TEST, Y_TEST, max_epochs=20, max_val_loss=0.3)
    assert verdict.status == NOT_ATTEMPTED
    args = (X_TRAIN, Y_TRAIN, X_VAL, Y_VAL, X_TEST, Y_TEST)
    verdict = checks.check_l1_model(None, *args, epochs=15, max_train_loss=0.2, min_val_accuracy=0.9)
    assert verdict.status == NOT_ATTEMPTED
    assert checks.check_l2_penalty(None, network()).status == NOT_ATTEMPTED


def test_dropout_model():
    def check(model):
        return checks.check_dropout_model(model, X_VAL, Y_VAL, X_TEST, Y_TEST, max_epochs=15, max_val_loss=0.3)

    assert check(trained(network(rate=0.3), stop=True))
    assert_hint(check(network(rate=0.3)), "not been trained")  # compiled, never fit
    assert_hint(check(trained(network(rate=0.5), epochs=1)), "0.5 is the notebook's")
    assert_hint(check(trained(network(), epochs=1)), "0 Dropout layer")
    assert_hint(check(trained(network(rate=0.3, units=32), epochs=1)), "[32, 16, 1]")
    assert_hint(check(trained(network(rate=0.3), epochs=16)), "ran 16 epochs, not at most 15")
    assert_hint(check(trained(network(rate=0.3), epochs=5, fits=2)), "fit ran twice")
    # trained, but its weights do not predict the validation labels (here: learnt from shuffled labels)
    shuffled = RNG.permutation(Y_TRAIN)
    assert_hint(check(trained(network(rate=0.3), labels=shuffled)), "restore_best_weights")


def test_dropout_model_trained_on_held_out_reviews_fails():
    # Random labels: the model can only memorise the reviews it is trained on, so its loss is low there alone.
    random_val, random_test = RNG.integers(0, 2, (100, 1)), RNG.integers(0, 2, (100, 1))
    model = network(rate=0.2, units=16)
    model.fit(X_VAL, random_val, epochs=15, batch_size=8, validation_data=(X_VAL, random_val), verbose=0)
    verdict = checks.check_dropout_model(model, X_VAL, random_val, X_TEST, random_test, max_epochs=15, max_val_loss=9)
    assert_hint(verdict, "trained on them")


def test_l1_model():
    def check(model, epochs=15):
        return checks.check_l1_model(
            model,
            X_TRAIN,
            Y_TRAIN,
            X_VAL,
            Y_VAL,
            X_TEST,
            Y_TEST,
            epochs=epochs,
            max_train_loss=0.2,
            min_val_accuracy=0.9,
        )

    small = lambda: regularizers.l1(0.0001)  # noqa: E731
    assert check(trained(network(penalty=small)))
    assert_hint(check(trained(network(penalty=lambda: regularizers.l1(0.001)), epochs=1), epochs=1), "ten times")
    assert_hint(check(trained(network(penalty=small, penalized=1), epochs=1), epochs=1), "every Dense layer")
    assert_hint(check(trained(network(penalty=lambda: regularizers.l2(0.0001)), epochs=1), epochs=1), "l1(factor)")
    both = lambda: regularizers.l1_l2(l1=0.0001, l2=0.01)  # noqa: E731
    assert_hint(check(trained(network(penalty=both), epochs=1), epochs=1), "not l1_l2")
    assert_hint(check(trained(network(penalty=small), epochs=3)), "not 15")
    assert_hint(check(trained(network(penalty=small), labels=RNG.permutation(Y_TRAIN))), "above 0.2")


def test_l1_model_trained_on_held_out_reviews_fails():
    random_val, random_test = RNG.integers(0, 2, (100, 1)), RNG.integers(0, 2, (100, 1))
    model = trained(network(penalty=lambda: regularizers.l1(0.0001)), data=(X_VAL, random_val))
    verdict = checks.check_l1_model(
        model,
        X_VAL,
        random_val,
        X_VAL,
        random_val,
        X_TEST,
        random_test,
        epochs=15,
        max_train_loss=9,
        min_val_accuracy=0,
    )
    assert_hint(verdict, "trained on them")


def test_l2_penalty():
    l2_model = network(penalty=lambda: regularizers.l2(0.001))

    def by_hand(model, factor):
        dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
        return factor * sum(float(np.sum(layer.get_weights()[0] ** 2)) for layer in dense)

    def kernels_and(part, model, factor):
        dense = [layer for layer in model.layers if isinstance(layer, layers.Dense)]
        return factor * sum(float(np.sum(part(layer))) for layer in dense)

    assert checks.check_l2_penalty(by_hand, l2_model)
    keras_losses = lambda model, factor: float(sum(keras.ops.convert_to_numpy(x) for x in model.losses))  # noqa: E731
    assert_hint(checks.check_l2_penalty(keras_losses, l2_model), "not from model.losses")
    assert_hint(checks.check_l2_penalty(lambda model, factor: by_hand(model, 1.0), l2_model), "left out the factor")
    absolute = lambda layer: np.abs(layer.get_weights()[0])  # noqa: E731
    assert_hint(checks.check_l2_penalty(lambda m, f: kernels_and(absolute, m, f), l2_model), "L1 penalty")
    biases = lambda layer: sum(np.sum(w**2) for w in layer.get_weights())  # noqa: E731
    assert_hint(checks.check_l2_penalty(lambda m, f: kernels_and(biases, m, f), l2_model), "included the biases")
    assert_hint(checks.check_l2_penalty(0.05, l2_model), "not a function")
    assert_hint(checks.check_l2_penalty(by_hand, network()), "pass the L2 model")
    assert_hint(checks.check_l2_penalty(lambda model, factor: by_hand(model, 0.001), l2_model), "times factor")
