"""What a sweep does per run around the model (issue 13, sweeps).

A sweep's worker no longer builds the nested summary and flattens it: it
gathers the flat values from the statistics in one array
(:func:`sim.metrics.flat_summary`), and the store stacks a chunk's arrays
into columns (:func:`sim.sweep.store.rows_table`). Both are checked here
against the straightforward way: ``flatten_summary(summarise(...))`` and a
table built value by value from row mappings, as the store built it before.
And the fork server's preload loads every kernel the shipped scenarios call,
so that no worker loads machine code on its first run.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenario_dicts, validated

from sim.fileio import read_arrow_table, write_arrow
from sim.metrics import FlatSummary, Statistics, flat_summary, flatten_summary, summarise
from sim.runner import RunOutput, run_scenario
from sim.scenario import load_scenario
from sim.sweep.executors import RunResult
from sim.sweep.store import KEY_COLUMNS, TAIL_COLUMNS, rows_table

ROOT = Path(__file__).resolve().parent.parent
# Syria (the sweep benchmark's), the Sino-Soviet split (groups without members: None
# values), the tour (every event kind) and Vietnam (another layout).
SCENARIOS = ["syria", "sino_soviet", "tour", "vietnam_usa"]


def _bits(values: list[float | None]) -> list[Any]:
    """Values as comparable bit patterns (None stays None, NaN is one pattern)."""
    return [None if v is None else np.float64(v).view(np.uint64).item() for v in values]


def _assert_flat_equals(flat: FlatSummary, nested: dict[str, Any]) -> None:
    expected = flatten_summary(nested)
    assert flat.names == tuple(expected)
    assert flat.values.dtype == np.float64
    got = [None if math.isnan(v) else v for v in flat.values.tolist()]
    assert _bits(got) == _bits(list(expected.values()))


@pytest.mark.parametrize("engine", ["mesa", "fast"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_flat_summary_is_the_flattened_nested_summary(name: str, engine: str) -> None:
    scenario = load_scenario(str(ROOT / "scenarios" / f"{name}.yaml"))
    for seed in (1, 2):
        output = run_scenario(scenario, seed, "summary", engine=engine)
        _assert_flat_equals(output.flat, output.summary)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    tree=st.one_of(scenario_dicts(), scenario_dicts(v2=True)),
    seed=st.integers(0, 2**32 - 1),
    engine=st.sampled_from(["mesa", "fast"]),
)
def test_flat_summary_on_random_scenarios(tree: dict[str, Any], seed: int, engine: str) -> None:
    output = run_scenario(validated(tree), seed, "summary", engine=engine)
    _assert_flat_equals(output.flat, output.summary)


def test_the_sino_soviet_summary_has_none_values() -> None:
    """The case above that checks None against NaN really has some."""
    summary = run_scenario(load_scenario(str(ROOT / "scenarios" / "sino_soviet.yaml")), 1).summary
    assert None in flatten_summary(summary).values()


def test_summary_json_is_unchanged_by_the_flat_form(tmp_path: Path) -> None:
    """``credsim run``'s summary.json: the nested summary, the flat form asked for or not."""
    scenario = load_scenario(str(ROOT / "scenarios" / "syria.yaml"))
    first = run_scenario(scenario, 4, "summary", engine="fast")
    second = run_scenario(scenario, 4, "summary", engine="fast")
    first.flat  # noqa: B018 - asked for before the nested one
    assert json.dumps(first.summary) == json.dumps(second.summary)
    assert set(second.summary) >= {"final_trust", "trust_change", "effective_poles"}


def _statistics(n_groups: int, n_powers: int, n_steps: int, seed: int) -> Statistics:
    rng = np.random.default_rng(seed)

    def cube(width: int) -> Any:
        values = rng.normal(size=(n_groups, n_steps, width))
        values[rng.random(values.shape) < 0.1] = np.nan
        return values

    return Statistics(
        trust_mean=cube(n_powers),
        own_mean=cube(n_powers),
        trust_p10=None,
        trust_p90=None,
        affinity_mean=cube(n_powers),
        affinity_p10=None,
        affinity_p90=None,
        share=cube(n_powers + 1),
        effective_poles=rng.random((n_groups, n_steps)),
        realignments=np.zeros((n_groups, n_steps)),
    )


@pytest.mark.parametrize(
    ("groups", "powers", "windows"),
    [
        (["all", "west", "east"], ["A", "B"], {"early": (1, 3), "late": (4, 9)}),
        (["all"], ["Only"], {}),
        # Names that collide: the nested mapping keeps fewer entries than the arrays hold.
        (["all", "all"], ["A", "B"], {"w": (2, 5)}),
        (["all", "x"], ["A", "none"], {"w": (1, 1)}),
    ],
)
def test_flat_summary_on_made_up_statistics(
    groups: list[str], powers: list[str], windows: dict[str, tuple[int, int]]
) -> None:
    stats = _statistics(len(groups), len(powers), 10, seed=len(groups) + len(powers))
    for _ in range(2):  # the second time the layout's names come from the cache
        _assert_flat_equals(
            flat_summary(stats, groups, powers, windows), summarise(stats, groups, powers, windows)
        )


def test_a_given_summary_gives_its_flat_form() -> None:
    output = RunOutput(summary={"a": {"x": 1.5, "y": None}, "b": 2.0})
    assert output.flat.names == ("a.x", "a.y", "b")
    assert output.flat.values[0] == 1.5 and math.isnan(output.flat.values[1])
    with pytest.raises(ValueError, match="either"):
        RunOutput()


# --------------------------------------------------------------------------- rows_table


def _reference_table(rows: list[dict[str, Any]], varied: list[str]) -> pa.Table:
    """The runs table built value by value from full row mappings (the store's old way)."""
    fixed = {*KEY_COLUMNS, *TAIL_COLUMNS, *varied}
    metrics = list(dict.fromkeys(k for row in rows for k in row if k not in fixed))
    types = {"point": pa.int64(), "replicate": pa.int64(), "seed": pa.int64()}
    types["elapsed_s"] = pa.float64()
    columns: dict[str, pa.Array] = {}
    for name in KEY_COLUMNS:
        columns[name] = pa.array([r[name] for r in rows], type=types.get(name, pa.string()))
    for name in varied:
        values = [r.get(name) for r in rows]
        columns[name] = pa.array([json.dumps(v) if isinstance(v, list) else v for v in values])
    for name in metrics:
        columns[name] = pa.array([r.get(name) for r in rows], type=pa.float64())
    for name in TAIL_COLUMNS:
        columns[name] = pa.array([r.get(name) for r in rows], type=types.get(name, pa.string()))
    return pa.table(columns)


def _result(i: int, flat: dict[str, float | None] | None, shared: dict[Any, Any]) -> RunResult:
    row = {
        "run_id": f"r{i:03d}",
        "scenario": "s" if flat is None or "g.A.all" not in flat else "t",
        "point": i % 3,
        "replicate": i // 3,
        "seed": 7,
        "bias": [1.0, 0.5 * i],
        "status": "ok" if flat is not None else "failed",
        "error": None if flat is not None else "ValueError: boom",
        "elapsed_s": 0.001 * i,
    }
    metrics = None
    if flat is not None:
        metrics = FlatSummary.of(flat)
        # Results of one batch share their names tuple, as after unpickling a batch.
        metrics = FlatSummary(shared.setdefault(metrics.names, metrics.names), metrics.values)
    return RunResult(row, metrics=metrics)


def test_rows_table_is_the_table_built_value_by_value() -> None:
    rng = np.random.default_rng(3)
    layouts = [["f.A.all", "f.B.all", "p"], ["g.A.all", "f.A.all", "q", "p"]]
    results, rows, shared = [], [], {}
    for i in range(40):
        flat: dict[str, float | None] | None = None
        if i % 7 != 3:
            names = layouts[0] if i < 12 or i % 3 else layouts[1]
            flat = {n: None if rng.random() < 0.2 else float(rng.normal()) for n in names}
        result = _result(i, flat, shared)
        results.append(result)
        rows.append({**result.row, **(flat or {})})
    got = rows_table(results, ["bias"])
    expected = _reference_table(rows, ["bias"])
    assert got.schema == expected.schema
    assert got.column_names[:6] == [*KEY_COLUMNS, "bias"]
    assert got.column_names[6:10] == ["f.A.all", "f.B.all", "p", "g.A.all"]
    for name in got.column_names:
        assert got[name].to_pylist() == expected[name].to_pylist(), name
        assert got[name].null_count == expected[name].null_count, name


@pytest.mark.parametrize("with_nan", [True, False])
def test_rows_table_of_one_layout_and_no_failed_run_is_the_table_built_value_by_value(
    tmp_path: Path, with_nan: bool
) -> None:
    """The usual chunk (decision 759): its columns are slices of one array, and read back so."""
    rng = np.random.default_rng(5)
    names = ["f.A.all", "f.B.all", "p", "q"]
    results, rows, shared = [], [], {}
    for i in range(23):
        flat = {n: None if with_nan and rng.random() < 0.2 else float(rng.normal()) for n in names}
        result = _result(i, flat, shared)
        results.append(result)
        rows.append({**result.row, **flat})
    got = rows_table(results, ["bias"])
    expected = _reference_table(rows, ["bias"])
    assert got.schema == expected.schema
    write_arrow(got, tmp_path / "part.arrow")
    back = read_arrow_table(tmp_path / "part.arrow")
    for table in (got, back):
        for name in expected.column_names:
            assert table[name].to_pylist() == expected[name].to_pylist(), name
            assert table[name].null_count == expected[name].null_count, name
    if with_nan:
        assert sum(got[n].null_count for n in names) > 0


def test_rows_table_of_failed_runs_only_and_of_nothing() -> None:
    failed = [_result(i, None, {}) for i in range(3)]
    table = rows_table(failed, ["bias"])
    assert table.column_names == [*KEY_COLUMNS, "bias", *TAIL_COLUMNS]
    assert table.column_names == _reference_table([r.row for r in failed], ["bias"]).column_names
    empty = rows_table([], ["bias"])
    assert empty.num_rows == 0 and empty.column_names == [*KEY_COLUMNS, "bias", *TAIL_COLUMNS]


# --------------------------------------------------------------------------- fork server preload

NEW_SIGNATURES = """
import glob, json, sys
import numba
import sim.fast.preload
from sim.fast import core
from sim.runner import run_scenario
from sim.scenario import load_scenario

def signatures():
    return {name: len(f.signatures) for name, f in vars(core).items()
            if isinstance(f, numba.core.registry.CPUDispatcher)}

before = signatures()
new = {}
for path in sorted(glob.glob(sys.argv[1] + "/*.yaml")):
    run_scenario(load_scenario(path), 1, "summary", engine="fast")
    after = signatures()
    new.update({path: n for n, k in after.items() if k != before[n]})
    before = after
print(json.dumps(new))
"""


@pytest.mark.slow
def test_the_preload_loads_every_kernel_a_shipped_scenario_calls() -> None:
    """A sweep's worker, forked after the preload, loads no machine code on its first run."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", NEW_SIGNATURES, str(ROOT / "scenarios")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {}
