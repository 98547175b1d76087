"""Batches of multi-hot reviews, vectorized when Keras asks for them (notebook 2's ``MultiHotBatches``).

It subclasses Keras's ``PyDataset``, so this module imports Keras: ``utils`` loads it on first use of
``utils.MultiHotBatches``, after ``utils.setup()`` has chosen the backend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .config import import_keras
from .text import multi_hot

keras = import_keras()


class MultiHotBatches(keras.utils.PyDataset):
    """Batches of ``(multi-hot reviews, labels)``: a ``uint8`` matrix of ``batch_size`` rows and ``num_words``
    columns, and the matching rows of ``labels``, vectorized from ``sequences`` when Keras asks for the batch.
    With ``shuffle``, the reviews are shuffled (by a generator seeded with ``seed``) after every epoch; without,
    they keep their order, as ``evaluate`` and ``predict`` need. ``__getitem__`` raises ValueError for a word id
    outside ``[0, num_words)`` (``utils.multi_hot``)."""

    def __init__(
        self,
        sequences: Sequence[Sequence[int]],
        labels: np.ndarray,
        batch_size: int = 512,
        shuffle: bool = False,
        seed: int = 0,
        num_words: int = 10_000,
    ) -> None:
        super().__init__()
        if len(sequences) != len(labels):
            raise ValueError(f"{len(sequences)} reviews but {len(labels)} labels: pass one label per review")
        self.sequences, self.labels, self.batch_size = sequences, labels, batch_size
        self.shuffle, self.num_words = shuffle, num_words
        self.order = np.arange(len(labels))
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self) -> int:
        return int(np.ceil(len(self.labels) / self.batch_size))

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[i * self.batch_size : (i + 1) * self.batch_size]
        reviews = [self.sequences[row] for row in rows]
        return multi_hot(reviews, self.num_words, dtype=np.uint8), self.labels[rows]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.rng.shuffle(self.order)
