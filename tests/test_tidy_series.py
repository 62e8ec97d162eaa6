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


@pytest.mark.parametrize("record", ["series", "actors"])
def test_a_tidy_part_reads_back_as_written_its_numbers_plain_without_statistics(
    tmp_path: Path, record: str
) -> None:
    """Decision 877: a sweep's series and actors parts (and a run's tables) are written
    with their labels dictionary-encoded, their floats plain and no statistics, which
    halves Parquet's time on them. They must read back as the same frame as before."""
    import pyarrow.parquet as pq

    from sim.fileio import write_parquet

    model = FastModel(load_scenario(str(ROOT / "scenarios" / "syria.yaml")), rng=3, record=record)
    model.run()
    table = model.series() if record == "series" else model.actors()
    table = table.assign(run_id="9c5545384712c960")
    write_parquet(table, tmp_path / "tidy.parquet", tidy=True)
    write_parquet(table, tmp_path / "plain.parquet")
    for name in ("tidy", "plain"):
        back = pd.read_parquet(tmp_path / f"{name}.parquet")
        pd.testing.assert_frame_equal(back, table, check_exact=True)
    meta = pq.ParquetFile(tmp_path / "tidy.parquet").metadata
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            column = meta.row_group(g).column(c)
            is_float = table[column.path_in_schema].dtype.kind == "f"
            assert not column.is_stats_set
            assert ("RLE_DICTIONARY" in column.encodings) is not is_float, column.path_in_schema
    # The default writer keeps statistics and tries a dictionary of the floats too.
    assert pq.ParquetFile(tmp_path / "plain.parquet").metadata.row_group(0).column(0).is_stats_set


FILTERS = [
    [("metric", "in", ["trust_mean"])],
    [("metric", "in", ["share_aligned", "no such metric"]), ("group", "in", ["all"])],
    [("run_id", "in", ["b"]), ("power", "in", ["USA", "Russia"])],
    [("run_id", "in", [""])],  # read_series's filter when no run is asked for
]


@pytest.mark.parametrize("tidy", [True, False], ids=["tidy", "plain"])
def test_a_filtered_read_is_pandas_own_frame_its_labels_matched_once_each(
    tmp_path: Path, tidy: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 882: ``read_table`` with ``in`` filters on text columns reads the labels
    as dictionaries and matches each label once. The frame must be the one
    ``pd.read_parquet`` gives with the same filters, on a tidy part and on a part
    written before decision 877 (plain text); other filters still go to pandas."""
    from sim import results
    from sim.fileio import write_parquet

    model = FastModel(load_scenario(str(ROOT / "scenarios" / "syria.yaml")), rng=3, record="series")
    model.run()
    one = model.series()
    table = pd.concat([one.assign(run_id="a"), one.assign(run_id="b")], ignore_index=True)
    path = tmp_path / "part-000000.parquet"
    write_parquet(table, path, tidy=tidy)
    expected = {i: pd.read_parquet(path, filters=f) for i, f in enumerate(FILTERS)}
    assert len(expected[0]) and len(expected[1]) and len(expected[2]) and not len(expected[3])

    def no_pandas(*args: object, **kwargs: object) -> None:
        raise AssertionError("read by pandas")

    with monkeypatch.context() as patched:
        patched.setattr(results.pd, "read_parquet", no_pandas)
        for i, filters in enumerate(FILTERS):
            got = results.read_table(path, "hint", filters=filters)
            pd.testing.assert_frame_equal(got, expected[i], check_exact=True)
        # An empty list keeps no row (Arrow's own filter cannot type one).
        empty = results.read_table(path, "hint", filters=[("metric", "in", [])])
        pd.testing.assert_frame_equal(empty, expected[3], check_exact=True)
    # A filter on a number, or on a column not read, is pandas' own.
    for filters, columns in (
        ([("step", "in", [0, 3])], None),
        ([("metric", "in", ["trust_mean"])], ["step", "value"]),
        ([("metric", "==", "trust_mean")], None),
    ):
        got = results.read_table(path, "hint", filters=filters, columns=columns)
        want = pd.read_parquet(path, filters=filters, columns=columns)
        assert len(want)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
