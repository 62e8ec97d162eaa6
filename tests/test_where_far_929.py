"""A sampled design's point nearest the scenario's values says when it lies far from them
(decision 929)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.analysis.paired import reference_values
from sim.cli import main
from sim.plots.figure import where_shown
from sim.results import Results, open_results

ROOT = Path(__file__).resolve().parents[1]
BIAS, MEMORY = "parameters.trust.negativity_bias", "parameters.trust.memory"


def _sweep(tmp_path: Path, parameters: str, samples: int) -> Results:
    design = tmp_path / "design.yaml"
    design.write_text(
        f"name: far\nscenarios: {{base: {ROOT / 'scenarios' / 'tour.yaml'}}}\n"
        f"design:\n  method: lhs\n  samples: {samples}\n  parameters:\n{parameters}"
        "replicates: 1\nseed: 5\nrecord: summary\n"
    )
    out = tmp_path / "out"
    argv = ["sweep", str(design), "--executor", "serial", "--out", str(out), "--no-plots",
            "--quiet"]  # fmt: skip
    assert main(argv) == 0
    return open_results(out)


def test_a_point_far_from_the_scenarios_values_says_so(tmp_path: Path) -> None:
    """ "The design point nearest the scenario's values trust: memory 0.98, negativity bias
    2" of a posterior's point at 0.8505 and 3.963 read as if it were they (an outside
    check): a design that drew no point near them now says so, and how far the point is."""
    results = _sweep(
        tmp_path,
        f"    {BIAS}: {{low: 3.0, high: 4.0}}\n    {MEMORY}: {{low: 0.9, high: 0.995}}\n",
        8,
    )
    chosen = reference_values(results, "base")
    said = where_shown(results, chosen, {})
    # The tour's bias is 2, below every value drawn (3 to 4): the gap in the range drawn.
    bias = results.ok_runs[BIAS].to_numpy(np.float64)
    share = (chosen[BIAS] - 2.0) / np.ptp(bias)  # type: ignore[operator]
    assert share > 1.0
    assert said.endswith(
        "; the lhs design drew the point's values; no point drawn lies near them: this one "
        f"is {100 * share:.0f}% of the range drawn away in trust: negativity bias)"
    ), said


def test_a_point_near_the_scenarios_values_says_nothing_more(tmp_path: Path) -> None:
    results = _sweep(tmp_path, f"    {BIAS}: {{low: 1.0, high: 4.0}}\n", 20)
    chosen = reference_values(results, "base")
    # 20 points over 1-4 lie at most 0.15 apart: one is within 2.5% of the range of 2.
    assert abs(chosen[BIAS] - 2.0) < 0.1 * np.ptp(results.ok_runs[BIAS])  # type: ignore[operator]
    said = where_shown(results, chosen, {})
    assert said.endswith("; the lhs design drew the point's values)"), said
