"""sim.findings.posterior: what the section "Claims under the posterior" says it reads.

Small checks on the claims' descriptions and on the patterns the calibration
fails, without a calibration or a sweep.
"""

from __future__ import annotations

import calendar
from pathlib import Path

import pytest
import yaml

from sim.findings import posterior

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("claim", posterior.CLAIMS, ids=lambda c: c.experiment)
def test_a_final_value_is_described_at_the_runs_last_month(claim: posterior.PosteriorClaim) -> None:
    # A key difference read from final_trust is the value at the scenario's last month
    # (the calendar's end), whatever the grid experiment of the same claim averages:
    # the description must name that month (claim 2 said "mid-1960s" while it read
    # December 1972).
    experiment_file = REPO / "experiments" / f"{claim.experiment}.yaml"
    experiment = yaml.safe_load(experiment_file.read_text())
    metric = experiment["question"]["metric"]
    if not metric.startswith("final_trust."):
        pytest.skip("not a final value")
    scenario_file = experiment_file.parent / experiment["scenarios"]["historical"]
    end = yaml.safe_load(scenario_file.read_text())["calendar"]["end"]
    year, month = end.split("-")
    assert f"{calendar.month_name[int(month)]} {year}" in claim.difference
    assert "mid-1960s:" not in claim.difference
