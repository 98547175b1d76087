"""Text helpers for the word-index data sets: decoding id sequences and multi-hot vectors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

# Keras's encoding: 0 = padding, 1 = start of sequence, 2 = unknown word; a word of frequency
# rank r (1 = most frequent) has id r + 3.
INDEX_FROM = 3


def decode(sequence: Iterable[int], word_index: Mapping[str, int]) -> str:
    """Return the words of an encoded sequence, joined by spaces, ids 0-2 as ``?``; ValueError for an id that refers
    to no word of ``word_index``."""
    sequence = list(sequence)
    by_rank = {rank: word for word, rank in word_index.items()}
    for i in sequence:
        if i >= INDEX_FROM and i - INDEX_FROM not in by_rank:
            raise ValueError(f"id {i} refers to rank {i - INDEX_FROM}, which the word index does not have")
    return " ".join(by_rank[i - INDEX_FROM] if i >= INDEX_FROM else "?" for i in sequence)


def multi_hot(sequences: Sequence[Sequence[int]], dimension: int = 10_000, dtype=np.float32) -> np.ndarray:
    """Return a (len(sequences), dimension) matrix of ``dtype`` with 1 where a sequence contains an id.

    Raises:
        ValueError: ``dimension`` is not positive, or an id is outside [0, dimension).
    """
    if dimension < 1:
        raise ValueError(f"dimension must be positive, got {dimension}")
    result = np.zeros((len(sequences), dimension), dtype=dtype)
    for row, sequence in enumerate(sequences):
        ids = np.asarray(sequence, dtype=np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= dimension):
            raise ValueError(f"sequence {row} has ids outside [0, {dimension}): load it with num_words={dimension}")
        result[row, ids] = 1.0
    return result
