"""What a calibration fits: the :class:`Problem` protocol and the ABC distance.

A problem knows its statistics (each pattern's id, role, observed value and
tolerance) and simulates all of them for a parameter set and a seed. The
calibration never looks inside: pattern files (:mod:`sim.calibrate.patterns`)
and the toy problem (:mod:`sim.calibrate.toy`) are both problems.

The distance (validation.md) is the root mean square of the calibration
patterns' discrepancies ``(simulated - observed) / tolerance``; held-out
patterns never enter it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

ROLES = ("calibrate", "holdout")


@dataclass(frozen=True)
class Statistic:
    """One pattern statistic of a problem.

    Attributes:
        id: the pattern's id (unique across the problem's pattern files).
        role: ``calibrate`` (used by the distance) or ``holdout`` (checked only).
        observed: the observed value.
        tolerance: the scale of the discrepancy (> 0).
    """

    id: str
    role: str
    observed: float
    tolerance: float


class Problem(Protocol):
    """A calibration problem: statistics, and a simulator for them."""

    @property
    def statistics(self) -> tuple[Statistic, ...]:
        """Every pattern statistic, calibration and held-out ones."""
        ...

    def identity(self) -> str:
        """A digest of the problem's content (data, scenarios), for the results folder."""
        ...

    def simulate(
        self, params: Mapping[str, float], seed: int, *, holdout: bool = True
    ) -> dict[str, float]:
        """The statistics by id, simulated at ``params`` (paths not given keep their values).

        With ``holdout`` False (inside the ABC loop) only the calibration
        statistics: a held-out pattern is then never evaluated.
        """
        ...


def calibration_ids(statistics: tuple[Statistic, ...]) -> tuple[str, ...]:
    """The ids the distance uses (role ``calibrate``)."""
    return tuple(s.id for s in statistics if s.role == "calibrate")


def discrepancy(simulated: float, statistic: Statistic) -> float:
    """``(simulated - observed) / tolerance`` (validation.md)."""
    return (simulated - statistic.observed) / statistic.tolerance


def rms_distance(
    simulated: Mapping[str, float],
    observed: Mapping[str, float],
    tolerances: Mapping[str, float],
) -> float:
    """Root mean square of the discrepancies over the ids of ``tolerances``.

    Args:
        simulated: simulated statistics by id (more ids than needed are ignored).
        observed: observed statistics by id.
        tolerances: the calibration patterns' tolerances by id; only these ids count.

    Returns:
        The distance; infinite when a statistic is missing or not finite (a
        failed simulation is rejected, never accepted).
    """
    total = 0.0
    for key, tolerance in tolerances.items():
        value = simulated.get(key, math.nan)
        d = (float(value) - float(observed[key])) / tolerance
        if not math.isfinite(d):
            return math.inf
        total += d * d
    return math.sqrt(total / len(tolerances))


class Distance:
    """The ABC distance as a picklable callable ``(x, x_0) -> float`` (pyabc's convention)."""

    def __init__(self, statistics: tuple[Statistic, ...]) -> None:
        self.tolerances = {s.id: s.tolerance for s in statistics if s.role == "calibrate"}

    def __call__(self, x: Mapping[str, float], x_0: Mapping[str, float]) -> float:
        return rms_distance(x, x_0, self.tolerances)


def simulation_seed(seed: int, params: Mapping[str, float], stream: str = "abc") -> int:
    """The seed of one simulation: a digest of the calibration seed, a stream and the values.

    A simulation's result then depends only on its parameters, the calibration
    seed and its stream (``abc`` inside the calibration, ``truth``, ``predictive-K``
    for posterior predictive draws, so a draw is never the very simulation that
    got its particle accepted), whichever worker runs it and in whatever order.
    """
    text = repr((int(seed), stream, sorted((k, float(v)) for k, v in params.items())))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
