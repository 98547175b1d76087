"""Tests of utils.text: decoding and multi-hot encoding."""

import numpy as np
import pytest

from utils.text import decode, multi_hot

WORD_INDEX = {"the": 1, "movie": 2, "great": 3}


def test_decode_shifts_ranks_and_marks_reserved_ids():
    assert decode([1, 4, 5, 2, 6], WORD_INDEX) == "? the movie ? great"


def test_decode_unknown_id():
    with pytest.raises(ValueError, match="rank 7"):
        decode([10], WORD_INDEX)


def test_multi_hot_marks_presence_once_in_float32():
    encoded = multi_hot([[1, 3, 3], [], [0, 4]], dimension=5)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, [[0, 1, 0, 1, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 1]])


def test_multi_hot_rejects_ids_out_of_range():
    with pytest.raises(ValueError, match="num_words=5"):
        multi_hot([[1, 5]], dimension=5)
    with pytest.raises(ValueError, match="dimension"):
        multi_hot([[1]], dimension=0)
