"""The numerical health check of a running model: every state array finite, every step.

A run whose state becomes non-finite (an overflow, 0/0) would otherwise go
on and write NaN summaries with exit 0. :func:`check_finite` is called once
per step by the model (and by any other engine that steps the same arrays)
and stops the run with :class:`NonFiniteState` naming the step, the actor,
the power and the quantity. It costs one ``np.isfinite`` per array.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt


class NonFiniteState(ArithmeticError):
    """A model quantity became infinite or NaN; the run cannot go on."""


def check_finite(
    step: int,
    date: str,
    quantities: Mapping[str, npt.NDArray[np.float64]],
    actors: Sequence[str],
    powers: Sequence[str],
) -> None:
    """Raise if any quantity holds a non-finite value.

    Args:
        step: the step just computed.
        date: its date (``YYYY-MM``).
        quantities: name -> array, shaped (N actors, P powers) or (P,) for per-power values.
        actors: the actor names (rows).
        powers: the power names (columns, or entries of a 1-D array).

    Raises:
        NonFiniteState: naming the first non-finite cell found.
    """
    for name, values in quantities.items():
        finite = np.isfinite(values)
        if finite.all():
            continue
        cells = [tuple(int(i) for i in c) for c in np.argwhere(~finite)]
        # A (N, P) cell is an actor's view of a power; a (P,) entry is the power's own. The
        # first actors are the powers, whose cells about themselves are computed alongside
        # but are no power's trust (model.md: never in themselves): a cell about another
        # power is named first ("own assessment of Hegemon about Hegemon" was said when
        # every cell was NaN, as though a power's view of itself had failed).
        cell = next((c for c in cells if len(c) < 2 or actors[c[0]] != powers[c[1]]), cells[0])
        who = (
            powers[cell[0]]
            if len(cell) < 2
            else f"{actors[cell[0]]} about itself"
            if actors[cell[0]] == powers[cell[1]]
            else f"{actors[cell[0]]} about {powers[cell[1]]}"
        )
        raise NonFiniteState(
            f"step {step} ({date}): {name} of {who} is {values[cell]} (not a finite number); "
            "the run stops"
        )
