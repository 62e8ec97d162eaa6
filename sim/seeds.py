"""The one way in for randomness: seeds become ``numpy.random.Generator`` here only.

Nothing in credsim touches the global ``np.random`` state.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from sim.errors import InputError, number_text

SeedLike = int | np.random.SeedSequence | np.random.Generator | None

# runs.parquet stores the seed as int64 (SeedSequence itself takes any size).
MAX_SEED = 2**63 - 1


def check_seed(seed: Any, option: str = "--seed") -> None:
    """Refuse a command-line seed that a results folder cannot store (a file's own seed is
    checked by its schema, located there).

    Raises:
        InputError: ``seed`` is not a whole number from 0 to :data:`MAX_SEED`.
    """
    if seed is None:
        return
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        # From Python a seed of "42" met "'<=' not supported", and 1.5 ran as 1 (an
        # outside check of the Python API, decision 959).
        plain = isinstance(seed, numbers.Real) and not isinstance(seed, bool)
        shown = number_text(seed) if plain else repr(seed)
        raise InputError(
            f"must be a whole number from 0 to {MAX_SEED}, got {shown} (a {type(seed).__name__})",
            path=option,
        )
    whole = int(seed)
    if not 0 <= whole <= MAX_SEED:
        raise InputError(
            f"must be a whole number from 0 to {MAX_SEED}, got {number_text(whole)}", path=option
        )


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
