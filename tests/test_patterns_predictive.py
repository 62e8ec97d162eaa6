"""Posterior predictive checks of a pattern file (``patterns check --posterior``).

``predictive_table`` by hand: draws 0.0, 0.1, ..., 1.0 (eleven values) of a
pattern observed at 0.5 with tolerance 0.1 have median 0.5, 5% quantile
0.05 and 95% quantile 0.95 (numpy's linear rule: positions 0.5 and 9.5 of
0..10), and pass (|x - 0.5| <= 0.1) at 0.4, 0.5, 0.6: 3 of 11. A pattern
observed at 1.2 lies beyond 0.95 + 0.1, so it is not covered; at 1.04 it is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.patterns.predictive import predictive_table

ROOT = Path(__file__).resolve().parent.parent


def test_predictive_table_by_hand() -> None:
    observed = pd.DataFrame(
        {"role": ["holdout"] * 3, "observed": [0.5, 1.2, 1.04], "tolerance": [0.1] * 3},
        index=pd.Index(["a", "b", "c"], name="id"),
    )
    grid = np.round(np.linspace(0.0, 1.0, 11), 10)
    draws = pd.DataFrame({"a": grid, "b": grid, "c": grid})
    table = predictive_table(observed, draws)
    row = table.loc["a"]
    assert row["median"] == pytest.approx(0.5)
    assert row["low"] == pytest.approx(0.05)
    assert row["high"] == pytest.approx(0.95)
    assert row["share_passing"] == pytest.approx(3 / 11)
    assert bool(row["covered"])
    assert not bool(table.loc["b", "covered"])
    assert bool(table.loc["c", "covered"])


def test_a_folder_without_a_calibration_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_observed import real_votes

    out = tmp_path / "out"
    argv = ["patterns", "check", str(ROOT / "patterns" / "egypt_ussr.yaml")]
    argv += ["--posterior", str(tmp_path), "--votes", str(real_votes()), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds no calibration results" in err
    assert not out.exists()
