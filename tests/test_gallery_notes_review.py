"""Notes an outside check found missing from the figures' captions (decision 989): a grid
sweep's band promised with one run per value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import results_factory as factory

from sim.plots.gallery import figures_for
from sim.results import open_results

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
