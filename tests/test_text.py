"""Tests of utils.text: decoding and multi-hot encoding."""

import numpy as np
import pytest

from utils.text import decode, multi_hot


def test_decode_shifts_ranks_and_marks_reserved_ids():
    word_index = {"the": 1, "movie": 2, "great": 3}
    assert decode([1, 4, 5, 2, 6], word_index) == "? the movie ? great"
    with pytest.raises(ValueError, match="rank 7"):
        decode([10], word_index)


def test_multi_hot_marks_presence_once_in_float32():
    encoded = multi_hot([[1, 3, 3], [], [0, 4]], dimension=5)
    assert encoded.dtype == np.float32
    np.testing.assert_array_equal(encoded, [[0, 1, 0, 1, 0], [0, 0, 0, 0, 0], [1, 0, 0, 0, 1]])
    with pytest.raises(ValueError, match="num_words=5"):
        multi_hot([[1, 5]], dimension=5)
    with pytest.raises(ValueError, match="dimension"):
        multi_hot([[1]], dimension=0)
