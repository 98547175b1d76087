"""The lab of notebook 03 (Reuters): each check passes a right answer and fails the typical wrong ones, from the
student's own model and data; the models here are tiny, with hand-set weights, so that their accuracy is known."""

import numpy as np
import pytest

from utils import checks, config
from utils.checks import NOT_ATTEMPTED, NOT_YET, PASSED

keras = config.import_keras()

INPUTS, TOPICS, ROWS = 50, 46, 100
rng = np.random.default_rng(0)
TOPIC_OF_ROW = rng.integers(0, TOPICS, ROWS)
X_VAL = np.eye(INPUTS, dtype="float32")[TOPIC_OF_ROW]  # row i has a 1 at its topic's position


def labels_with_accuracy(share: float) -> np.ndarray:
    """Integer labels that a model predicting TOPIC_OF_ROW gets right on ``share`` of the rows."""
    labels = TOPIC_OF_ROW.copy()
    wrong = int(round((1 - share) * ROWS))
    labels[:wrong] = (labels[:wrong] + 1) % TOPICS
    return labels


def one_hot(labels) -> np.ndarray:
    return np.eye(TOPICS, dtype="float32")[labels]


def copier(hidden, loss="categorical_crossentropy", epochs=2, labels=None):
    """A model whose hidden layers pass the input's first units on and whose output predicts the input's topic;
    trained ``epochs`` epochs with a learning rate of 0 (so that Keras records the training, the weights stay)."""
    layers = [keras.layers.Dense(units, activation="relu") for units in hidden]
    model = keras.Sequential([keras.Input(shape=(INPUTS,)), *layers, keras.layers.Dense(TOPICS, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss=loss, metrics=["accuracy"])
    for layer in model.layers:
        rows, columns = layer.kernel.shape
        scale = 10.0 if layer is model.layers[-1] else 1.0
        layer.set_weights([np.eye(rows, columns, dtype="float32") * scale, np.zeros(columns, "float32")])
    if epochs:
        targets = TOPIC_OF_ROW if loss.startswith("sparse") else one_hot(TOPIC_OF_ROW)
        model.fit(X_VAL, targets if labels is None else labels, epochs=epochs, batch_size=ROWS, verbose=0)
    return model


def fit_again(model, epochs=2):
    """A second fit of a trained copier: Keras's ``model.history`` then shows only these epochs."""
    targets = TOPIC_OF_ROW if model.loss.startswith("sparse") else one_hot(TOPIC_OF_ROW)
    model.fit(X_VAL, targets, epochs=epochs, batch_size=ROWS, verbose=0)
    return model


def assert_verdict(verdict, *hints):
    """PASSED without hints; NOT_YET with every hint in its feedback otherwise."""
    assert verdict.status == (NOT_YET if hints else PASSED), verdict.lines
    assert all(hint in " ".join(verdict.lines) for hint in hints), verdict.lines


def small_reuters(model, labels=None, test_share=0.85, **limits):
    """Check ``model`` on validation labels it gets 85% right (or ``labels``) and test labels it gets ``test_share``
    right (the same rows: a copier scores on its labels only)."""
    limits = {"max_params": 10_000, "max_epochs": 3, "min_val_accuracy": 0.8} | limits
    y_val = one_hot(labels_with_accuracy(0.85) if labels is None else labels)
    y_test = one_hot(labels_with_accuracy(test_share))
    return checks.check_small_reuters(model, X_VAL, y_val, X_VAL, y_test, **limits)


@pytest.mark.parametrize(
    "model, limits, hints",
    [
        (lambda: copier([48]), {}, []),
        (lambda: copier([48, 46]), {}, []),
        (lambda: copier([64, 4]), {}, ["information bottleneck", "at least 46 units"]),
        (lambda: copier([32]), {}, ["only 32 units"]),
        (lambda: copier([]), {}, ["no hidden layer"]),
        (lambda: copier([48]), {"max_params": 1_000}, ["budget"]),
        (lambda: copier([48], epochs=0), {}, ["not been trained"]),
        (lambda: copier([48], epochs=4), {}, ["ran 4 epochs, not at most 3"]),
        (lambda: fit_again(copier([48])), {}, ["fit ran twice"]),
        (lambda: copier([48], "mse"), {}, ["loss"]),
    ],
)
def test_small_reuters(model, limits, hints):
    assert_verdict(small_reuters(model(), **limits), *hints)


def test_small_reuters_grades_the_model_on_the_validation_data():
    model = copier([48])
    low = small_reuters(model, labels_with_accuracy(0.6), test_share=0.6)
    assert_verdict(low, "validation accuracy is 0.6000, below 0.8")
    seen = small_reuters(model, TOPIC_OF_ROW, test_share=1.0)  # 1.0 on both: it saw them
    assert_verdict(seen, "not seen", "partial_x_train only")


def test_small_reuters_fails_a_model_far_better_on_the_validation_than_on_the_test_data():
    assert_verdict(small_reuters(copier([48]), test_share=0.6), "trained on them", "partial_x_train only")


def sparse_labels(model, labels=TOPIC_OF_ROW, val_share=0.85, epochs=2):
    y_val = one_hot(labels_with_accuracy(val_share))
    targets = one_hot(TOPIC_OF_ROW)  # the one-hot labels of the training newswires
    return checks.check_sparse_labels(model, labels, targets, X_VAL, y_val, epochs=epochs, min_val_accuracy=0.8)


SPARSE = "sparse_categorical_crossentropy"


@pytest.mark.parametrize(
    "model, arguments, hints",
    [
        (lambda: copier([64, 64], SPARSE), {}, []),
        (lambda: copier([64, 64], SPARSE), {"labels": one_hot(TOPIC_OF_ROW)}, ["integer topic numbers"]),
        (lambda: copier([64, 64], SPARSE), {"labels": TOPIC_OF_ROW[:-10]}, ["90 labels", "VALIDATION_SIZE"]),
        (lambda: copier([64, 64], SPARSE), {"labels": np.roll(TOPIC_OF_ROW, 10)}, ["not those of partial_x_train"]),
        (lambda: copier([64, 64]), {}, ["loss"]),  # categorical_crossentropy
        (lambda: copier([48], SPARSE), {}, ["[48] units, not [64, 64]"]),
        (lambda: copier([64, 64], SPARSE, epochs=0), {}, ["not been trained"]),
        (lambda: copier([64, 64], SPARSE, epochs=3), {}, ["ran 3 epochs, not 2"]),
        (lambda: fit_again(copier([64, 64], SPARSE)), {}, ["fit ran twice"]),
        (lambda: copier([64, 64], SPARSE), {"val_share": 0.5}, ["below 0.8"]),
        (lambda: copier([64, 64], SPARSE), {"val_share": 1.0}, ["partial_x_train only"]),
    ],
)
def test_sparse_labels(model, arguments, hints):
    assert_verdict(sparse_labels(model(), **arguments), *hints)


def top_k_accuracy(probabilities, labels, k):
    top = np.argsort(probabilities, axis=1)[:, -k:]
    return np.mean(np.any(top == labels[:, None], axis=1))


def keras_top_k(probabilities, labels, k):  # another right answer, with Keras's own metric
    hits = keras.metrics.sparse_top_k_categorical_accuracy(labels, probabilities, k=k)
    return float(keras.ops.convert_to_numpy(keras.ops.mean(hits)))


@pytest.mark.parametrize(
    "answer, hints",
    [
        (top_k_accuracy, []),
        (keras_top_k, []),
        (lambda p, y, k: np.mean(np.any(np.argsort(p, axis=1)[:, :k] == y[:, None], axis=1)), ["LEAST probable"]),
        (lambda p, y, k: top_k_accuracy(p, y, max(k - 1, 1)), ["k-1 topics"]),
        (lambda p, y, k: np.mean(p.argmax(axis=1) == y), ["only at the most probable"]),
        (lambda p, y, k: np.sum(np.any(np.argsort(p, axis=1)[:, -k:] == y[:, None], axis=1)), ["share"]),
        (lambda p, y, k: np.any(np.argsort(p, axis=1)[:, -k:] == y[:, None], axis=1), ["200 numbers, not one"]),
        (lambda p, y, k: 0.5, ["not"]),
        (lambda p, y: 0.5, ["TypeError"]),  # reported, not raised
    ],
)
def test_top_k_accuracy(answer, hints):
    assert_verdict(checks.check_top_k_accuracy(answer), *hints)


def test_placeholders_are_not_attempted():
    assert (
        checks.check_small_reuters(
            None,
            X_VAL,
            one_hot(TOPIC_OF_ROW),
            X_VAL,
            one_hot(TOPIC_OF_ROW),
            max_params=1,
            max_epochs=1,
            min_val_accuracy=0.5,
        ).status
        == NOT_ATTEMPTED
    )
    for labels, model in [(None, copier([64, 64], SPARSE, epochs=0)), (TOPIC_OF_ROW, None)]:
        verdict = checks.check_sparse_labels(
            model, labels, one_hot(TOPIC_OF_ROW), X_VAL, one_hot(TOPIC_OF_ROW), epochs=2, min_val_accuracy=0.5
        )
        assert verdict.status == NOT_ATTEMPTED
    assert checks.check_top_k_accuracy(None).status == NOT_ATTEMPTED
