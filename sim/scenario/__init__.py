"""Scenario files: schema, loading (YAML, extends, overrides, errors) and synthesis."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sim.scenario.calendar import Calendar
from sim.scenario.schema import Scenario


def scenario_tree(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain JSON-able data (aliases such as ``with`` restored)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)


def scenario_hash(scenario: Scenario, *extra: Any) -> str:
    """A stable hex digest of the resolved scenario (plus any ``extra`` JSON-able values)."""
    payload = json.dumps([scenario_tree(scenario), *extra], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def load_scenario(source: Any, overrides: Any = None) -> Scenario:
    """Load and validate a scenario; see :func:`sim.scenario.loader.load_scenario`."""
    from sim.scenario.loader import load_scenario as _load

    return _load(source, overrides)


__all__ = ["Calendar", "Scenario", "load_scenario", "scenario_hash", "scenario_tree"]
