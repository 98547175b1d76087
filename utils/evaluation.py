"""Helpers for evaluating models on small data: smoothing noisy per-epoch curves."""

from __future__ import annotations

from typing import Sequence

import numpy as np


def smooth_curve(points: Sequence[float], factor: float = 0.9) -> np.ndarray:
    """Return the exponential moving average of ``points``, to read a noisy curve's trend.

    Each smoothed value is ``factor * previous_smoothed + (1 - factor) * point``; the first
    smoothed value is the first point. A larger ``factor`` smooths more (and lags more).

    Returns:
        A float64 array of the same length as ``points``.
    """
    values = np.asarray(points, dtype=np.float64)
    smoothed = np.empty_like(values)
    smoothed[0] = values[0]
    for i in range(1, len(values)):
        smoothed[i] = factor * smoothed[i - 1] + (1 - factor) * values[i]
    return smoothed
