"""Notes an outside check found missing from the figures' captions and the page (decision
989): a grid sweep's band promised with one run per value, and the question's difference
chart of ``credsim analyze`` left out without a word when the difference is flat."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import results_factory as factory

from sim.cli import main
from sim.plots.gallery import figures_for
from sim.results import open_results
from sim.runner import RunOutput
from sim.scenario import Scenario
from sim.sweep import load_experiment, run_sweep

BIAS = "parameters.trust.negativity_bias"
TINY = Path(__file__).parent / "data" / "sweep" / "tiny.yaml"
OLD_BANDS = (
    "Lines: mean of the replicates at each value run (markers); bands: 2.5-97.5 "
    "percentiles of the replicates."
)


def _sweep_texts(folder: Path) -> list[str]:
    """The captions (up to where the results are) of the figures against a parameter."""
    entries = [e for e in figures_for(open_results(folder)) if e.stem.startswith("sweep_")]
    assert entries
    return [e.text for e in entries]


def test_a_grid_of_one_replicate_promises_no_band(tmp_path: Path) -> None:
    folder = factory.write_sweep(tmp_path / "s", replicates=1)
    for text in _sweep_texts(folder):
        assert "no band: one run per value" in text
        assert "bands: 2.5-97.5" not in text and "mean of the replicates" not in text


def test_a_grid_where_some_values_have_one_run_says_which(tmp_path: Path) -> None:
    folder = factory.write_sweep(tmp_path / "s", replicates=2)
    runs = pd.read_parquet(folder / "runs.parquet")
    # base's second replicate at the first value (1.0) is gone: one run there, for base only.
    runs[runs["run_id"] != "base-0-1"].to_parquet(folder / "runs.parquet", index=False)
    for text in _sweep_texts(folder):
        assert (
            "bands: 2.5-97.5 percentiles of the replicates, none at a value of one run "
            "(1 for base)." in text
        )


def test_a_grid_of_replicates_keeps_its_caption(tmp_path: Path) -> None:
    folder = factory.write_sweep(tmp_path / "s", replicates=3)
    assert all(OLD_BANDS in text for text in _sweep_texts(folder))


def _same_but_shifted(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """Both scenarios the same function of the parameters, historical 0.1 higher: their
    difference is 0.1 at every point, but for rounding (as in test_analyze)."""
    y = 0.2 * scenario.parameters.trust.negativity_bias + (0.1 if scenario.name == "tiny" else 0)
    return RunOutput(summary={"final_trust": {"Patron": {"all": y}}}, series=None, actors=None)


def test_a_flat_question_difference_is_said_by_analyze_and_on_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = tmp_path / "question.yaml"
    exp.write_text(
        "name: question_morris\nreplicates: 1\nseed: 7\n"
        f"scenarios: {{historical: {TINY}, abstained: {TINY.with_name('tiny_abstained.yaml')}}}\n"
        "question:\n  difference: [historical, abstained]\n  metric: final_trust.Patron.all\n"
        "design:\n  method: morris\n  samples: 3\n  levels: 4\n  parameters:\n"
        f"    {BIAS}: {{low: 1, high: 4}}\n"
        "    parameters.trust.memory: {low: 0.9, high: 1.0}\n"
    )
    folder = tmp_path / "out"
    run_sweep(load_experiment(exp), folder, run_fn=_same_but_shifted, quiet=True)
    capsys.readouterr()
    assert main(["analyze", str(folder), "--method", "morris"]) == 0
    assert not (folder / "analysis" / "sensitivity_morris_difference.png").exists()
    said = re.compile(
        r"no chart sensitivity_morris_difference\.png of the morris indices of the "
        r"question's paired difference, final_trust\.Patron\.all of historical minus "
        r"abstained .*: its means per design point run from \+0\.1\d* to \+0\.1\d*, so it "
        r"moves by less than 0\.0001% of the metric's range across the design, below the "
        r"threshold of a chart"
    )
    err = " ".join(capsys.readouterr().err.split())
    assert said.search(err), err
    assert main(["plot", str(folder), "--out", str(tmp_path / "page")]) == 0
    assert said.search(" ".join(capsys.readouterr().err.split()))
    page = (tmp_path / "page" / "report.html").read_text().replace("&#x27;", "'")
    assert "<strong>Not drawn:</strong> no chart sensitivity_morris_difference.png" in page
    assert said.search(" ".join(page.split()))
