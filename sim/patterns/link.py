"""The link from simulated states to predicted votes (validation.md, "Link").

For state ``o``, power ``p`` and rival ``q`` the propensity gap at a step is
``g = U[o, p] - U[o, q]``, ``U`` the alignment utility without inertia and
draw (:meth:`sim.model.CredibilityModel.propensity`). Its yearly value is
the mean over the year's steps (1..T; step 0 shares the first month with
step 1) and over replicates; a year before the calendar takes the gap of the
initial state (step 0), which stands for the situation the calendar opens
on (decisions.md). Predicted agreement is ``alpha_o + beta * g[o, y]``,
``alpha_o`` set so that predicted equals observed on average over the
reference years where both exist.

A *run function* turns a scenario and a seed into the gaps of every state
at steps 0..T; :func:`propensity_gaps` runs either engine (``engine=``,
the Mesa model by default), and any other can be passed in its place
(same signature).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from sim.kernels import BoolArray, FloatArray, IntArray
from sim.patterns.statistics import nanmean
from sim.scenario.schema import Scenario

RunFn = Callable[[Scenario, np.random.SeedSequence, int, int], FloatArray]


def propensity_gaps(
    scenario: Scenario,
    seed: np.random.SeedSequence,
    power: int,
    rival: int,
    *,
    engine: str = "mesa",
) -> FloatArray:
    """Run ``scenario`` and return ``U[o, power] - U[o, rival]`` at steps 0..T.

    Args:
        scenario: a validated scenario.
        seed: the replicate's seed.
        power: index of the power (file order).
        rival: index of the rival.
        engine: ``mesa`` (:class:`sim.model.CredibilityModel`) or ``fast``
            (:class:`sim.fast.FastModel`); both give the same propensities.

    Returns:
        (T + 1, S) gaps, states in file order.
    """
    from sim.runner import model_class

    model = model_class(engine)(scenario, rng=seed, record="summary")
    if engine == "fast":
        # The same numbers in a few compiled calls (FastModel.propensity_gaps).
        return model.propensity_gaps(power, rival)  # type: ignore[union-attr]
    return step_by_step_gaps(model, power, rival)


def step_by_step_gaps(model: Any, power: int, rival: int) -> FloatArray:
    """The gaps of a fresh ``model`` (either engine), a ``step()`` and a ``propensity()``
    at a time: (T + 1, S)."""
    utility = model.propensity()
    gaps = np.empty((model.n_steps + 1, utility.shape[0]))
    gaps[0] = utility[:, power] - utility[:, rival]
    for k in range(1, model.n_steps + 1):
        model.step()
        utility = model.propensity()
        gaps[k] = utility[:, power] - utility[:, rival]
    return gaps


def step_years(scenario: Scenario) -> IntArray:
    """The year of each step 1..T, (T,)."""
    return np.array([int(label[:4]) for label in scenario.calendar.labels()[1:]], dtype=np.int64)


def yearly_gaps(gaps: FloatArray, steps_year: IntArray, years: IntArray) -> FloatArray:
    """Yearly means of gaps (T + 1, S) as (S, Y) for ``years``.

    A year inside the calendar is the mean over its steps; a year before it
    takes step 0; a year after it is NaN.
    """
    out = np.full((gaps.shape[1], years.size), np.nan)
    first = steps_year[0]
    for column, year in enumerate(years):
        if year < first:
            out[:, column] = gaps[0]
        else:
            inside = steps_year == year
            if inside.any():
                out[:, column] = gaps[1:][inside].mean(axis=0)
    return out


def offsets(
    observed: FloatArray, gaps: FloatArray, beta: float, reference: BoolArray
) -> FloatArray:
    """``alpha_o`` (S,): mean over the reference years of ``observed - beta * g``.

    Args:
        observed: (S, Y) observed values, NaN where a state did not vote.
        gaps: (S, Y) yearly propensity gaps.
        beta: the link's slope.
        reference: (Y,) boolean mask of the reference years.

    Returns:
        NaN for a state with no reference year where both exist.
    """
    residual = observed[:, reference] - beta * gaps[:, reference]
    return nanmean(residual, axis=1)


def predicted(observed: FloatArray, gaps: FloatArray, beta: float, alpha: FloatArray) -> FloatArray:
    """``alpha_o + beta * g[o, y]`` (S, Y), NaN where the state has no observed value.

    Masking the years a state did not vote keeps the predicted group mean
    over the same states as the observed one.
    """
    values = alpha[:, None] + beta * gaps
    values[~np.isfinite(observed)] = np.nan
    return values
