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
    Raises:
        TypeError: ``factor`` is not a real number.
        ValueError: ``factor`` is not in [0, 1), ``points`` is not one-dimensional, is empty,
            or holds a value that is not finite.
    """
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)):
        raise TypeError(f"factor must be a number, got {factor!r}")
    if not 0 <= factor < 1:
        raise ValueError(f"factor must be in [0, 1), got {factor}")
    values = np.asarray(points, dtype=np.float64)
    if values.ndim != 1:
        raise ValueError(f"points must be one-dimensional, got shape {values.shape}")
    if values.size == 0:
        raise ValueError("points is empty: nothing to smooth")
    if not np.all(np.isfinite(values)):
        raise ValueError("points holds a value that is not finite (nan or inf)")
    smoothed = np.empty_like(values)
    smoothed[0] = values[0]
    for i in range(1, len(values)):
        smoothed[i] = factor * smoothed[i - 1] + (1 - factor) * values[i]
    return smoothed
