"""A run that overflows, for the tests of how a failed run is reported.

A valid scenario can no longer overflow: its sizes and magnitudes are at most
``sim.scenario.schema.MAX_VALUE`` (decision 500). The tests of the failure
path (one line and exit 1, a failed row in a sweep, a message in the
explorer, the engines stopping alike) set an event's magnitude to 1e308 past
validation, in the loader a command calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sim.scenario import Scenario

HUGE = 1e308


def overflowing(scenario: Scenario, only_at: float | None = None) -> Scenario:
    """A copy with every event magnitude (or each equal to ``only_at``) set to 1e308."""
    copy = scenario.model_copy(deep=True)
    for event in copy.events:
        magnitude = getattr(event, "magnitude", None)
        if magnitude is not None and (only_at is None or magnitude == only_at):
            object.__setattr__(event, "magnitude", HUGE)  # past the schema's bound
    return copy


def overflow_on_load(
    monkeypatch: pytest.MonkeyPatch, module: Any, only_at: float | None = None
) -> None:
    """Make ``module.load_scenario`` give :func:`overflowing` scenarios."""
    real: Callable[..., Scenario] = module.load_scenario
    monkeypatch.setattr(
        module, "load_scenario", lambda *a, **k: overflowing(real(*a, **k), only_at)
    )
