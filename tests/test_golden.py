"""Golden baselines: each shipped scenario's summary at a fixed seed.

A change to the model or to a scenario that moves any summary metric fails
here; if the move is intended, rewrite the baselines with
``python tests/update_golden.py`` and let the diff be reviewed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.metrics import flatten_summary
from sim.runner import run_scenario
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
SEED = 20241208


def shipped() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml"))


def golden_summary(path: Path) -> dict[str, float | None]:
    return flatten_summary(run_scenario(load_scenario(path), SEED, "summary").summary)


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_summary_matches_baseline(path: Path) -> None:
    baseline_file = GOLDEN / f"{path.stem}.json"
    assert baseline_file.exists(), f"no baseline for {path.name}: run tests/update_golden.py"
    baseline = json.loads(baseline_file.read_text())
    got = golden_summary(path)
    assert sorted(got) == sorted(baseline), "the set of summary metrics changed"
    moved = {
        key: (baseline[key], got[key])
        for key in baseline
        if not (
            (baseline[key] is None and got[key] is None)
            or (
                baseline[key] is not None
                and got[key] is not None
                and math.isclose(got[key], baseline[key], rel_tol=1e-9, abs_tol=1e-12)
            )
        )
    }
    assert not moved, f"{len(moved)} metrics moved, e.g. {list(moved.items())[:3]}"
