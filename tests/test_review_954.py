"""Decision 954: a sensitivity chart draws the shares of a metric's variance at full length
however little the metric moves over the design (it is left out only when it moves by at
most 0.1% of its range): a panel whose metric moves by less than 5% of its range now says
how little in its title, and the caption says what that means. Fails on the code before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.cli import main
from sim.runner import RunOutput
from sim.scenario import Scenario
from sim.sweep import load_experiment, run_sweep
from tests.test_analyze import BIAS, MEMORY, SUSCEPTIBILITY, _experiment


def _little_and_much(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """Patron's final trust moves with the bias over much of its range; Rival's by 0.0005
    a unit of bias (0.15% of its 0-1 range over the bias's 1 to 4): above the flat rule,
    so drawn, and far below 5%."""
    bias = scenario.parameters.trust.negativity_bias
    noise = float(np.random.default_rng(seed).normal())
    summary = {
        "final_trust": {
            "Patron": {"all": 0.1 * bias + 0.01 * noise},
            "Rival": {"all": 0.5 + 5e-4 * bias},
        }
    }
    return RunOutput(summary=summary, series=None, actors=None)


def test_a_metric_that_moves_little_over_the_design_says_so_in_its_panel(
    tmp_path: Path,
) -> None:
    from sim.plots.gallery import sensitivity_entries, sensitivity_metrics
    from sim.results import open_results

    exp = _experiment(tmp_path, "sobol", 16)
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_little_and_much, quiet=True)
    assert main(["analyze", str(folder), "--method", "sobol"]) == 0
    # How far Rival's mean per design point moves, recomputed from the runs.
    runs = pd.read_parquet(folder / "runs.parquet")
    means = runs.groupby([BIAS, MEMORY, SUSCEPTIBILITY])["final_trust.Rival.all"].mean()
    spread = float(means.max() - means.min())
    assert 0.001 < spread < 0.05
    results = open_results(folder)
    (entry,) = sensitivity_entries(results, "sobol", sensitivity_metrics(results))
    titles = [" ".join(ax.get_title(loc="left").split()) for ax in entry.figure.axes]
    rival = [t for t in titles if "Rival" in t]
    patron = [t for t in titles if "Patron" in t]
    assert rival == [f"Final trust in Rival among all states (moves by {spread:.2%} of its "
                     "range over the design)"]  # fmt: skip
    assert patron == ["Final trust in Patron among all states"]  # it moves by 30%
    assert "A panel titled 'moves by ... over the design' (1 here)" in entry.caption
