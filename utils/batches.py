"""Batches of multi-hot reviews, vectorized when Keras asks for them (notebook 2's ``MultiHotBatches``).

It subclasses Keras's ``PyDataset``, so this module imports Keras: ``utils`` loads it on first use of
``utils.MultiHotBatches``, after ``utils.setup()`` has chosen the backend.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .config import import_keras

keras = import_keras()


class MultiHotBatches(keras.utils.PyDataset):
    """Batches of ``(multi-hot reviews, labels)``: a ``uint8`` matrix of ``batch_size`` rows and ``num_words``
    columns, and the matching rows of ``labels``, vectorized from ``sequences`` when Keras asks for the batch
    (the same rows as ``utils.multi_hot``). With ``shuffle``, the reviews are shuffled (by a generator seeded
    with ``seed``) before the first epoch and after every epoch; without, they keep their order, as ``predict``
    needs.

    Raises:
        ValueError: not one label per review, or a word id outside ``[0, num_words)``.
    """

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
        # All word ids in one array, review after review: a batch's ids are then gathered without a Python loop
        # over its reviews (notebook 2's loop takes about six times as long per batch).
        self.lengths = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        ids = np.fromiter((i for sequence in sequences for i in sequence), dtype=np.int64, count=self.lengths.sum())
        if ids.size and (ids.min() < 0 or ids.max() >= num_words):
            raise ValueError(
                f"word ids from {ids.min()} to {ids.max()} do not fit {num_words} columns: "
                f"load the reviews with num_words={num_words}"
            )
        # kept in the smallest type that holds them (uint16 for 10,000 words): 2 bytes per word of the reviews
        self.ids = ids.astype(np.min_scalar_type(max(num_words - 1, 0)))
        self.labels, self.batch_size, self.shuffle, self.num_words = labels, batch_size, shuffle, num_words
        self.order = np.arange(len(labels))
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self) -> int:
        return int(np.ceil(len(self.labels) / self.batch_size))

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[i * self.batch_size : (i + 1) * self.batch_size]
        lengths, starts = self.lengths[rows], self.starts[rows]
        ends = np.cumsum(lengths)
        # positions in self.ids of each review's ids, review after review
        positions = np.arange(ends[-1] if len(ends) else 0) + np.repeat(starts - (ends - lengths), lengths)
        batch = np.zeros((len(rows), self.num_words), dtype=np.uint8)
        batch[np.repeat(np.arange(len(rows)), lengths), self.ids[positions]] = 1
        return batch, self.labels[rows]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.rng.shuffle(self.order)
