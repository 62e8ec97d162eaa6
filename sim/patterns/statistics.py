"""The statistics of pattern files and their tolerances (validation.md, "Pattern files").

Pure numpy: a group's values are a (states, years) matrix with NaN where a
state has no value that year; years are a sorted (Y,) integer vector.

- ``change``: the group's yearly mean (over the states with a value that
  year) averaged over the ``after`` years, minus the same over ``before``;
- ``did``: the group's change minus the control's change;
- ``correlation``: Pearson's r across states of two per-state vectors.

Tolerance ``bootstrap`` of a change or did: the half-width of the percentile
95% interval of the statistic over :data:`BOOTSTRAP_RESAMPLES` resamples of
the group's states (and, independently, the control's), drawn with numpy
from the fixed seed :data:`BOOTSTRAP_SEED`, floored at :data:`TOLERANCE_FLOOR`.
Tolerance ``bootstrap`` of a correlation: resampling states cannot be done
from the observed values alone (the statistic needs the simulated gaps), so
it is the half-width of the 95% interval of r at n states on Fisher's z
scale, ``1.96 / sqrt(n - 3)``, against the ideal r = 1 (decisions.md).
"""

from __future__ import annotations

import warnings

import numpy as np

from sim.kernels import FloatArray, IntArray
from sim.seeds import make_rng

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20_151_130
TOLERANCE_FLOOR = 0.01
Z_95 = 1.959963984540054


def nanmean(values: FloatArray, axis: int) -> FloatArray:
    """Mean ignoring NaN; NaN (without a warning) where a slice has no value."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(np.nanmean(values, axis=axis), dtype=np.float64)


def group_mean(matrix: FloatArray) -> FloatArray:
    """The group's yearly values: mean over the states with a value, (..., S, Y) -> (..., Y)."""
    return nanmean(matrix, axis=-2)


def window_mean(series: FloatArray, years: IntArray, window: tuple[int, int]) -> FloatArray:
    """Mean of ``series`` (..., Y) over the years of ``window`` that have a value."""
    inside = (years >= window[0]) & (years <= window[1])
    return nanmean(series[..., inside], axis=-1)


def change(
    series: FloatArray, years: IntArray, before: tuple[int, int], after: tuple[int, int]
) -> FloatArray:
    """Mean over ``after`` minus mean over ``before`` of yearly values (..., Y)."""
    return window_mean(series, years, after) - window_mean(series, years, before)


# A spread below this share of a sample's largest magnitude is rounding, not spread.
NO_SPREAD = 1e-12


def pearson(x: FloatArray, y: FloatArray) -> float:
    """Pearson's r over the pairs where both are finite (NaN below three pairs or no spread).

    A sample whose values differ only by rounding has no spread: equal gaps summed in
    another order differ in their last bits, and their r was a number drawn from that
    noise (an outside check's 0.000 with every state's gap the same; decision 826).
    """
    keep = np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 3:
        return float("nan")
    dx, dy = x[keep] - x[keep].mean(), y[keep] - y[keep].mean()
    for values, d in ((x[keep], dx), (y[keep], dy)):
        if np.abs(d).max() <= NO_SPREAD * max(1.0, float(np.abs(values).max())):
            return float("nan")
    scale = np.sqrt((dx * dx).sum() * (dy * dy).sum())
    return float((dx * dy).sum() / scale) if scale > 0 else float("nan")


def _resampled_means(matrix: FloatArray, rng: np.random.Generator) -> FloatArray:
    """(B, Y) group means of B resamples (with replacement) of the rows of ``matrix``."""
    n_states = matrix.shape[0]
    picks = rng.integers(0, n_states, size=(BOOTSTRAP_RESAMPLES, n_states))
    return group_mean(matrix[picks])


def _half_width(draws: FloatArray) -> float:
    finite = draws[np.isfinite(draws)]
    if finite.size == 0:
        return TOLERANCE_FLOOR
    low, high = np.percentile(finite, [2.5, 97.5])
    return max(TOLERANCE_FLOOR, float(high - low) / 2.0)


def bootstrap_change(
    matrix: FloatArray,
    years: IntArray,
    before: tuple[int, int],
    after: tuple[int, int],
    seed: int = BOOTSTRAP_SEED,
) -> float:
    """Bootstrap tolerance of a group's change (module docstring); another ``seed`` shows
    how much the tolerance rests on the resampling's draws."""
    rng = make_rng(seed)
    return _half_width(change(_resampled_means(matrix, rng), years, before, after))


def bootstrap_did(
    group: FloatArray,
    control: FloatArray,
    years: IntArray,
    before: tuple[int, int],
    after: tuple[int, int],
    seed: int = BOOTSTRAP_SEED,
) -> float:
    """Bootstrap tolerance of a difference in differences (module docstring)."""
    rng = make_rng(seed)
    draws = change(_resampled_means(group, rng), years, before, after) - change(
        _resampled_means(control, rng), years, before, after
    )
    return _half_width(draws)


def correlation_tolerance(n_states: int) -> float:
    """Half-width of r's 95% interval at ``n_states`` on Fisher's z scale (module docstring)."""
    if n_states <= 3:
        return float("inf")
    return max(TOLERANCE_FLOOR, Z_95 / float(np.sqrt(n_states - 3)))
