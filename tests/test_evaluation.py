import numpy as np

from utils.evaluation import smooth_curve


def test_smooth_curve_follows_the_exponential_moving_average():
    result = smooth_curve([1.0, 2.0, 3.0], factor=0.5)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, [1.0, 1.5, 2.25])


def test_smooth_curve_factor_zero_returns_the_points_and_keeps_constants():
    np.testing.assert_allclose(smooth_curve([3, 1, 2], factor=0), [3, 1, 2])
    np.testing.assert_allclose(smooth_curve(np.full(50, 2.5)), np.full(50, 2.5))


def test_smooth_curve_reduces_noise():
    rng = np.random.default_rng(0)
    noisy = 5 + rng.normal(size=500)
    smoothed = smooth_curve(noisy, factor=0.9)
    assert len(smoothed) == 500
    assert smoothed[50:].std() < noisy[50:].std() / 2
