"""What an outside check of two new cases (Angola 1975-1991, Suez 1956) found in the
figures and the report of a sweep over both (decision 996)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.plots.figure import coinciding
from sim.plots.report import ABSENT, cells_text, summary_table
from sim.results import open_results
from tests import results_factory as factory


def test_lines_with_no_value_coincide_with_nothing() -> None:
    """Cuba's final trust in 'suez', a scenario without Cuba, is NaN at every value: the
    caption said it and France's in 'angola' "coincide". A line with no value is not
    drawn; lines that are drawn and agree still coincide, and a line missing a value
    where another is also missing it still counts (decision 599's rule)."""
    nan = float("nan")
    lines = {
        "cuba_suez": np.array([nan, nan]),
        "france_angola": np.array([nan, nan]),
        "usa": np.array([0.5, 0.6]),
        "usa_again": np.array([0.5, 0.6]),
        "ussr": np.array([0.2, nan]),
        "ussr_again": np.array([0.2, nan]),
    }
    assert coinciding(lines) == [["usa", "usa_again"], ["ussr", "ussr_again"]]


def test_a_summary_cell_of_a_metric_a_scenario_lacks_is_a_dash(tmp_path: Path) -> None:
    """The report of a sweep over two cases printed 696 cells "nan [nan, nan]", metrics of
    powers and groups the column's scenario does not have. They are a dash, and the
    table's heading says what a dash is; a metric with values keeps its interval."""
    results = open_results(factory.write_sweep(tmp_path / "sweep"))
    runs = results.ok_runs.copy()
    metric = next(m for m in results.metrics if "Russia" in m)
    runs.loc[runs["scenario"] == "counter", metric] = float("nan")
    table = summary_table(results, runs).set_index("metric")
    counter = next(c for c in table.columns if c.startswith("counter"))
    base = next(c for c in table.columns if c.startswith("base"))
    assert table.loc[metric, counter] == ABSENT
    assert table.loc[metric, base].count("[") == 1 and "nan" not in table.loc[metric, base]
    said = cells_text(results, table.reset_index())
    assert said.endswith(
        f"; {ABSENT} where the scenario has no value of it (a power or group it does not have)"
    )
    assert ABSENT not in cells_text(results, summary_table(results))
