"""A toy problem with a known posterior: Beta-Bernoulli, for tests and benchmarks.

``successes`` of ``trials`` Bernoulli draws with success probability ``p``
(uniform prior on [0, 1]) give the posterior Beta(successes + 1, trials -
successes + 1). The statistic is the simulated proportion of successes; with
tolerance ``1 / trials`` a discrepancy is a difference in counts, so an ABC
threshold below 1 accepts only exact matches and the ABC posterior is the
exact one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass

from sim.calibrate.problem import Statistic
from sim.seeds import make_rng

PARAMETER = "p"
PATTERN = "proportion"
HELD_OUT = "absurd"


@dataclass(frozen=True)
class BinomialProblem:
    """``successes`` of ``trials``; optional held-out statistic and busy work per simulation.

    Attributes:
        trials: Bernoulli trials per simulation.
        successes: the observed count.
        held_out: add a held-out statistic whose simulated value is absurd (1e9 times a
            random draw): a calibration that used it could not recover the posterior.
        work_s: seconds of busy work per simulation (stands for a model run in benchmarks).
    """

    trials: int = 20
    successes: int = 14
    held_out: bool = False
    work_s: float = 0.0

    @property
    def statistics(self) -> tuple[Statistic, ...]:
        stats = [Statistic(PATTERN, "calibrate", self.successes / self.trials, 1 / self.trials)]
        if self.held_out:
            stats.append(Statistic(HELD_OUT, "holdout", 0.0, 0.01))
        return tuple(stats)

    def identity(self) -> str:
        text = repr((self.trials, self.successes, self.held_out))
        return hashlib.sha256(text.encode()).hexdigest()

    def simulate(
        self, params: Mapping[str, float], seed: int, *, holdout: bool = True
    ) -> dict[str, float]:
        """The simulated proportion (and, with ``holdout``, the absurd held-out value)."""
        rng = make_rng(seed)
        if self.work_s:
            end = time.perf_counter() + self.work_s
            while time.perf_counter() < end:
                pass
        out = {PATTERN: float(rng.binomial(self.trials, params[PARAMETER])) / self.trials}
        if self.held_out and holdout:
            out[HELD_OUT] = 1e9 * float(rng.standard_normal())
        return out
