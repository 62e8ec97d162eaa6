"""Golden baselines: each shipped scenario's summary at a fixed seed.

Two sets. ``tests/golden/*.json`` are the model v1 baselines, run on the v1
copies of the shipped scenarios kept in ``tests/data/v1/``: with model v2's
defaults every v1 metric must come out as it did (model.md section 8), and
the only new metrics are v2's affinity outputs. ``tests/golden/v2/*.json``
are the shipped scenarios as they are now. A change to the model or to a
scenario that moves any summary metric fails here; if the move is intended,
rewrite the baselines with ``python tests/update_golden.py`` and let the diff
be reviewed.
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
GOLDEN_V2 = GOLDEN / "v2"
V1_SCENARIOS = Path(__file__).resolve().parent / "data" / "v1"
SEED = 20241208
# Summary entries that model v2 added; a v1 baseline predates them.
V2_METRICS = ("final_affinity.", "affinity_change.")


def shipped() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml"))


def v1_copies() -> list[Path]:
    return sorted(V1_SCENARIOS.glob("*.yaml"))


def golden_summary(path: Path) -> dict[str, float | None]:
    return flatten_summary(run_scenario(load_scenario(path), SEED, "summary").summary)


def assert_matches(baseline_file: Path, path: Path, *, v1: bool) -> None:
    """``path``'s summary has the baseline's metrics (v1: plus v2's only) with its values."""
    assert baseline_file.exists(), f"no baseline for {path.name}: run tests/update_golden.py"
    baseline = json.loads(baseline_file.read_text())
    got = golden_summary(path)
    keys = sorted(k for k in got if not (v1 and k.startswith(V2_METRICS)))
    assert keys == sorted(baseline), "the set of summary metrics changed"
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


@pytest.mark.parametrize("path", v1_copies(), ids=lambda p: p.stem)
def test_v1_summary_matches_baseline(path: Path) -> None:
    assert_matches(GOLDEN / f"{path.stem}.json", path, v1=True)


@pytest.mark.parametrize("path", shipped(), ids=lambda p: p.stem)
def test_summary_matches_baseline(path: Path) -> None:
    assert_matches(GOLDEN_V2 / f"{path.stem}.json", path, v1=False)
