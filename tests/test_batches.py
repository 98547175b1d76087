"""Tests for utils.MultiHotBatches: the batches Keras asks for, in order or shuffled, and what fit makes of them."""

import numpy as np
import pytest

import utils
from utils import config

SEQUENCES = [[1, 4, 4], [2], [3, 9], [0, 5, 6, 7], [8]]
LABELS = np.arange(5, dtype="float32").reshape(-1, 1)


def test_batches_hold_the_multi_hot_reviews_and_their_labels_in_order():
    batches = utils.MultiHotBatches(SEQUENCES, LABELS, batch_size=2, num_words=10)
    assert len(batches) == 3  # 2 + 2 + 1 reviews
    x, y = batches[1]
    assert x.dtype == np.uint8 and np.array_equal(x, utils.multi_hot(SEQUENCES[2:4], 10, dtype=np.uint8))
    assert np.array_equal(y, LABELS[2:4])
    assert np.array_equal(np.concatenate([batches[i][1] for i in range(3)]), LABELS)  # no shuffle: the labels' order


def test_shuffled_batches_keep_reviews_with_their_labels_and_change_order_each_epoch():
    batches = utils.MultiHotBatches(SEQUENCES, LABELS, batch_size=5, shuffle=True, seed=3, num_words=10)
    orders = []
    for _ in range(4):
        x, y = batches[0]
        for row, label in zip(x, y[:, 0]):  # each row is still the review of its label
            assert np.array_equal(row, utils.multi_hot([SEQUENCES[int(label)]], 10, dtype=np.uint8)[0])
        orders.append(tuple(y[:, 0]))
        batches.on_epoch_end()
    assert sorted(orders[0]) == list(LABELS[:, 0]) and len(set(orders)) > 1
    again = utils.MultiHotBatches(SEQUENCES, LABELS, batch_size=5, shuffle=True, seed=3, num_words=10)
    assert tuple(again[0][1][:, 0]) == orders[0]  # seeded: the same order on every run


def test_mismatched_labels_and_too_large_ids_are_refused():
    with pytest.raises(ValueError, match="5 reviews but 4 labels"):
        utils.MultiHotBatches(SEQUENCES, LABELS[:4])
    with pytest.raises(ValueError, match="num_words=8"):
        utils.MultiHotBatches(SEQUENCES, LABELS, batch_size=5, num_words=8)[0]


def test_fit_and_evaluate_on_batches_match_the_matrix():
    config.setup()
    keras = config.import_keras()
    x = utils.multi_hot(SEQUENCES, 10, dtype=np.uint8)
    y = (LABELS > 2).astype("float32")
    model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    batches = utils.MultiHotBatches(SEQUENCES, y, batch_size=2, num_words=10)
    assert model.evaluate(batches, verbose=0) == pytest.approx(model.evaluate(x, y, verbose=0), rel=1e-6)
    predicted = model.predict(batches, verbose=0)
    assert np.allclose(predicted, model.predict(x, verbose=0))


def test_a_check_refuses_shuffled_batches():
    from utils import checks

    config.setup()
    keras = config.import_keras()
    model = keras.Sequential([keras.Input(shape=(10,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    y = (LABELS > 2).astype("float32")
    shuffled = utils.MultiHotBatches(SEQUENCES, y, batch_size=2, shuffle=True, num_words=10)
    in_order = utils.MultiHotBatches(SEQUENCES, y, batch_size=2, num_words=10)
    with pytest.raises(checks._WrongAnswer, match="shuffled batches"):
        checks._scores(model, shuffled, y)
    assert len(checks._scores(model, in_order, y)[0]) == len(SEQUENCES)


def test_every_batch_equals_multi_hot_of_its_reviews_also_with_empty_reviews():
    rng = np.random.default_rng(5)
    sequences = [list(rng.integers(0, 50, rng.integers(0, 12))) for _ in range(103)] + [[]]
    labels = np.arange(len(sequences))
    batches = utils.MultiHotBatches(sequences, labels, batch_size=16, shuffle=True, seed=1, num_words=50)
    for i in range(len(batches)):
        x, rows = batches[i]
        assert np.array_equal(x, utils.multi_hot([sequences[r] for r in rows], 50, dtype=np.uint8))
