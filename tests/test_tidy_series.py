"""The tidy series' text columns made by Arrow from their few labels (decision 871).

``sim.metrics.tidy_series`` used to hand pandas object arrays of Python strings,
which pandas 3 turns into its Arrow-backed ``str`` columns one string at a time;
it now takes each column's rows from its labels in Arrow. The table must be the
one pandas makes of the object arrays: same values, same dtypes, same pickle.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.fast import FastModel
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def as_pandas_makes_it(table: pd.DataFrame) -> pd.DataFrame:
    """The same table with each text column given to pandas as Python strings."""
    text = [name for name, column in table.items() if column.dtype.kind not in "if"]
    return table.assign(**{name: np.array(table[name].tolist(), dtype=object) for name in text})


@pytest.mark.parametrize("name", ["syria", "sino_soviet", "tour"])
def test_the_tidy_series_is_the_table_pandas_makes_of_its_strings(name: str) -> None:
    model = FastModel(
        load_scenario(str(ROOT / "scenarios" / f"{name}.yaml")), rng=3, record="series"
    )
    model.run()
    table = model.series()
    expected = as_pandas_makes_it(table)
    assert [str(t) for t in table.dtypes] == ["int64", "str", "str", "str", "str", "float64"]
    pd.testing.assert_frame_equal(table, expected, check_exact=True)
    assert pickle.loads(pickle.dumps(table)).equals(expected)


@pytest.mark.parametrize("name", ["syria", "egypt_ussr"])
def test_each_rows_labels_name_the_statistic_its_value_is(name: str) -> None:
    model = FastModel(
        load_scenario(str(ROOT / "scenarios" / f"{name}.yaml")), rng=1, record="series"
    )
    model.run()
    stats, table = model.statistics(), model.series()
    group = table["group"].map({g: i for i, g in enumerate(model.group_names)}).to_numpy()
    options = {p: i for i, p in enumerate([*model.power_names, "none"])}
    option = table["power"].map(lambda p: options.get(p, -1)).to_numpy()
    step = table["step"].to_numpy()
    assert (table["date"].to_numpy(dtype=object) == np.array(model.dates, dtype=object)[step]).all()
    for metric, values in (
        ("trust_mean", stats.trust_mean),
        ("own_mean", stats.own_mean),
        ("affinity_p90", stats.affinity_p90),
        ("share_aligned", stats.share),
    ):
        rows = (table["metric"] == metric).to_numpy()
        assert rows.any(), metric
        expected = values[group[rows], step[rows], option[rows]]
        np.testing.assert_array_equal(table["value"].to_numpy()[rows], expected, err_msg=metric)
    rows = (table["metric"] == "effective_poles").to_numpy()
    np.testing.assert_array_equal(
        table["value"].to_numpy()[rows], stats.effective_poles[group[rows], step[rows]]
    )
