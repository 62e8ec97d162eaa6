"""The one way in for randomness: seeds become ``numpy.random.Generator`` here only.

Nothing in credsim touches the global ``np.random`` state.
"""

from __future__ import annotations

import numpy as np

SeedLike = int | np.random.SeedSequence | np.random.Generator | None
# The largest seed an input file may give: results store seeds as int64 (SeedSequence
# itself takes any size).
MAX_SEED = 2**63 - 1


def seed_sequence(seed: int, replicate: int = 0) -> np.random.SeedSequence:
    """The seed of replicate ``replicate`` of an experiment seeded with ``seed``.

    ``SeedSequence(seed, spawn_key=(replicate,))`` (experiments.md): design
    points share random numbers for the same replicate (common random numbers).
    """
    return np.random.SeedSequence(int(seed), spawn_key=(int(replicate),))


def make_rng(seed: SeedLike) -> np.random.Generator:
    """A generator from an int, a ``SeedSequence``, a generator (returned as is) or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
