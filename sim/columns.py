"""Light helpers for the columns of result tables, without the model's compiled kernels.

The commands that only read results (``plot``, ``compare``, ``analyze``) take
these from here: :mod:`sim.metrics`, which re-exports them, imports numba for
the recorder's reductions (0.15-0.25 s), which those commands never call
(decision 883).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

# The alignment option of a state aligned with no power.
NONE = "none"


def distinct(values: Iterable[Any]) -> list[Any]:
    """The values once each, in the order they first appear, as ``list(dict.fromkeys(values))``.

    A pandas column or array is taken by ``pd.unique`` rather than iterated in
    Python: a sweep's series holds millions of rows, and iterating its Arrow-backed
    text columns one value at a time cost the report about a second (decision 874).
    """
    if isinstance(values, (pd.Series, pd.Index, np.ndarray, pd.api.extensions.ExtensionArray)):
        return list(pd.unique(values).tolist())
    return list(dict.fromkeys(values))


def flatten_summary(summary: dict[str, Any], prefix: str = "") -> dict[str, float | None]:
    """Nested summary -> ``{"final_trust.Russia.all": 0.41, ...}``."""
    flat: dict[str, float | None] = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_summary(value, f"{name}."))
        else:
            flat[name] = value
    return flat
