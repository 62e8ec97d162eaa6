"""The fast engine (sim.fast) gives the Mesa model's results (issue 13).

Lockstep agreement at every step is tested on random scenarios here and,
through ``IMPLEMENTATIONS`` in tests/strategies.py, by every closed-form,
event-kind and determinism test. This file adds: every shipped scenario and
every record level end to end (same names, shapes and alignments, numbers
within 1e-12), the random generator the Mesa model hands its alignment
draws, the per-process cache of compiled scenarios, and the engine choice
on the command line, in experiment files and across executors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import kitchen_sink, new_model, scenario_dicts, validated

from sim.cli import main
from sim.fast import FastModel, core
from sim.fast import engine as fast_engine
from sim.fast.engine import model_rng
from sim.metrics import flatten_summary
from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.scenario.synthetic import expand_generated, synthetic_tree
from sim.sweep import load_experiment, run_sweep

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
GRID = Path(__file__).parent / "data" / "sweep" / "grid.yaml"
TOLERANCE = 1e-12


def assert_lockstep(tree: dict[str, Any], seed: int) -> None:
    """Both engines stepped together: same alignments; own, trust, affinity and the
    propensity within 1e-12, every step."""
    scenario = validated(tree)
    mesa_model = new_model("fast", scenario, seed)
    fast = new_model("compiled", scenario, seed)
    valid = np.ones_like(mesa_model.own, dtype=bool)
    for p in range(len(mesa_model.power_names)):
        valid[p, p] = False
    for k in range(scenario.calendar.n_steps + 1):
        if k:
            mesa_model.step()
            fast.step()
        where = f"step {k}"
        np.testing.assert_array_equal(fast.aligned, mesa_model.aligned, err_msg=where)
        np.testing.assert_allclose(
            fast.propensity(), mesa_model.propensity(), atol=TOLERANCE, rtol=0, err_msg=where
        )
        for name in ("own", "trust", "affinity"):
            np.testing.assert_allclose(
                getattr(fast, name)[valid],
                getattr(mesa_model, name)[valid],
                atol=TOLERANCE,
                rtol=0,
                err_msg=f"{name} at {where}",
            )
        np.testing.assert_allclose(fast.capability, mesa_model.capability, atol=TOLERANCE, rtol=0)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=scenario_dicts(), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_random_scenarios(tree: dict[str, Any], seed: int) -> None:
    assert_lockstep(tree, seed)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=scenario_dicts(v2=True), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_random_v2_scenarios(tree: dict[str, Any], seed: int) -> None:
    """Stances, relation events, enemy reliability, the stance salience floor, affinity
    with its priors and weights, re-anchoring and the equilibrium start, drawn at random."""
    assert_lockstep(tree, seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_engines_agree_on_every_event_kind(seed: int) -> None:
    assert_lockstep(kitchen_sink(), seed)


@pytest.mark.parametrize("temperature", [0.0, 0.1])
def test_engines_agree_on_a_population_of_several_alignment_chunks(temperature: float) -> None:
    """The alignment takes states in chunks of ``core.ALIGN_CHUNK`` (decision 284); here
    three whole chunks and a partial one, beyond every random and shipped scenario."""
    tree = expand_generated(synthetic_tree(3 * core.ALIGN_CHUNK + 37, 4, 12, seed=3))
    tree["parameters"]["alignment"]["temperature"] = temperature
    assert_lockstep(tree, 7)


def assert_same_outputs(scenario: Any, seed: Any, record: str) -> None:
    """Summary, series and actors of both engines: same names, shapes, labels; values to 1e-12."""
    ref = run_scenario(scenario, seed, record, engine="mesa")  # type: ignore[arg-type]
    got = run_scenario(scenario, seed, record, engine="fast")  # type: ignore[arg-type]
    flat_ref, flat_got = flatten_summary(ref.summary), flatten_summary(got.summary)
    assert list(flat_got) == list(flat_ref)
    for key, value in flat_ref.items():
        if value is None:
            assert flat_got[key] is None, key
        else:
            assert flat_got[key] == pytest.approx(value, abs=TOLERANCE, rel=0), key
    for name in ("series", "actors"):
        a, b = getattr(ref, name), getattr(got, name)
        assert (a is None) == (b is None), name
        if a is None:
            continue
        assert list(b.columns) == list(a.columns)
        assert list(b.dtypes) == list(a.dtypes)
        assert b.shape == a.shape
        numeric = [c for c in a.columns if c in ("value", "trust", "own", "affinity")]
        pd.testing.assert_frame_equal(b.drop(columns=numeric), a.drop(columns=numeric))
        for column in numeric:
            np.testing.assert_allclose(b[column], a[column], atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_engines_agree_on_every_shipped_scenario(path: Path) -> None:
    """At ``actors`` the fast engine hands snapshots to the Recorder; at ``summary`` its
    loop takes the group means itself: both must give the Mesa model's numbers."""
    scenario = load_scenario(str(path))
    for seed in (0, np.random.SeedSequence(5, spawn_key=(3,))):
        assert_same_outputs(scenario, seed, "actors")
        assert_same_outputs(scenario, seed, "summary")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=scenario_dicts(v2=True), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_on_random_summaries(tree: dict[str, Any], seed: int) -> None:
    """Summaries whose means the compiled loop takes, with the support kept between steps,
    against the Mesa model's, on random v2 scenarios."""
    assert_same_outputs(validated(tree), seed, "summary")


def test_a_summary_does_not_depend_on_how_the_steps_are_taken() -> None:
    """Step by step (every compiled call one step long) or all at once, the same bits."""
    scenario = validated(kitchen_sink())
    whole = FastModel(scenario, rng=7, record="summary").run().summary()
    stepped = FastModel(scenario, rng=7, record="summary")
    while stepped.running:
        stepped.step()
    assert stepped.summary() == whole


def test_the_draws_of_one_compiled_call_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """At temperature > 0 a compiled call's uniforms are drawn before it: at most
    ``UNIFORM_BYTES`` of them, whatever the calendar's length, and the bits are the same."""
    scenario = validated(kitchen_sink())  # 12 steps, 5 states, temperature 0.3
    whole = FastModel(scenario, rng=5, record="summary").run().summary()
    monkeypatch.setattr(fast_engine, "UNIFORM_BYTES", 8 * 5 * 3)  # three steps' draws
    calls: list[int] = []
    run_steps = core.run_steps

    def counted(*args: Any) -> int:
        calls.append(args[1] - args[0])
        return int(run_steps(*args))

    monkeypatch.setattr(core, "run_steps", counted)
    chunked = FastModel(scenario, rng=5, record="summary").run()
    assert calls == [3, 3, 3, 3]
    assert chunked.summary() == whole


def test_a_step_of_the_compiled_loop_allocates_no_arrays() -> None:
    """The compiled loop's scratch is allocated once per call (decision 281): a run of
    the kitchen sink makes as many numba allocations over 120 steps as over 12."""
    from numba.core.runtime import _nrt_python, rtsys

    def allocations(end: str) -> int:
        tree = kitchen_sink()
        tree["calendar"]["end"] = end
        scenario = validated(tree)
        FastModel(scenario, rng=1, record="summary").run()  # compiled, and prepared
        before = rtsys.get_allocation_stats().alloc
        FastModel(scenario, rng=1, record="summary").run()
        return int(rtsys.get_allocation_stats().alloc - before)

    enabled = _nrt_python.memsys_stats_enabled()
    _nrt_python.memsys_enable_stats()  # what NUMBA_NRT_STATS=1 does at start
    try:
        short, long = allocations("2000-12"), allocations("2009-12")
    finally:
        if not enabled:
            _nrt_python.memsys_disable_stats()
    assert short > 0  # the counter counts (each call allocates its scratch)
    assert long == short


@pytest.mark.parametrize("record", ["summary", "series"])
def test_every_record_level_has_the_same_outputs(record: str) -> None:
    assert_same_outputs(validated(kitchen_sink()), 4, record)


def test_model_rng_is_the_mesa_models() -> None:
    """mesa.Model seeds ``random`` from one draw of a non-int rng; the draws after it agree."""
    for seed in (7, np.random.SeedSequence(7, spawn_key=(2,))):
        model = mesa.Model(rng=seed)
        np.testing.assert_array_equal(model_rng(seed).random(5), model.rng.random(5))


def test_a_kept_compiled_scenario_is_not_changed_by_its_runs() -> None:
    """Runs of one Scenario object share its compiled arrays: the second run equals the first.

    The kitchen sink changes capabilities, ideology, alignments and priors
    (regime change) during the run; a run that leaked them into the kept
    initial world would start the next run elsewhere.
    """
    scenario = validated(kitchen_sink())
    first = FastModel(scenario, rng=3, record="actors").run().actors()
    second = FastModel(scenario, rng=3, record="actors").run().actors()
    pd.testing.assert_frame_equal(first, second)


def test_run_cli_records_the_engine(tmp_path: Path) -> None:
    for engine in ("mesa", "fast"):
        out = tmp_path / engine
        tour = str(ROOT / "scenarios" / "tour.yaml")
        code = main(["run", tour, "--out", str(out), "--engine", engine, "--no-plots"])
        assert code == 0
        assert json.loads((out / "manifest.json").read_text())["engine"] == engine
    a = pd.read_parquet(tmp_path / "mesa" / "series.parquet")
    b = pd.read_parquet(tmp_path / "fast" / "series.parquet")
    np.testing.assert_allclose(b["value"], a["value"], atol=TOLERANCE, rtol=0)


def test_unknown_engine_in_an_experiment_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    text = GRID.read_text().replace("scenarios:", "engine: turbo\nscenarios:", 1)
    for name in ("tiny.yaml", "tiny_abstained.yaml"):
        text = text.replace(f" {name}", f" {GRID.parent / name}")
    bad.write_text(text)
    assert main(["sweep", str(bad), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.yaml:3: engine:" in err and "'mesa' or 'fast'" in err
    assert not (tmp_path / "out").exists()


def _metrics(folder: Path) -> pd.DataFrame:
    table = pd.read_parquet(folder / "runs.parquet").drop(columns="elapsed_s")
    return table.sort_values("run_id").reset_index(drop=True)


@pytest.mark.slow
def test_sweeps_agree_across_engines_and_executors(tmp_path: Path) -> None:
    """The same experiment on the fast engine, serially and on 2 processes, gives the same
    bits; on the Mesa engine, the same alignments and numbers within 1e-12."""
    serial = run_sweep(load_experiment(GRID, engine="fast"), tmp_path / "serial", quiet=True)
    pool = run_sweep(
        load_experiment(GRID, engine="fast"),
        tmp_path / "pool",
        executor="process",
        workers=2,
        quiet=True,
    )
    reference = run_sweep(load_experiment(GRID, engine="mesa"), tmp_path / "mesa", quiet=True)
    fast = _metrics(serial.folder)
    pd.testing.assert_frame_equal(_metrics(pool.folder), fast)
    mesa_table = _metrics(reference.folder)
    assert list(fast.columns) == list(mesa_table.columns)
    numbers = fast.select_dtypes("number").columns
    pd.testing.assert_frame_equal(fast.drop(columns=numbers), mesa_table.drop(columns=numbers))
    np.testing.assert_allclose(
        fast[numbers].to_numpy(float), mesa_table[numbers].to_numpy(float), atol=TOLERANCE, rtol=0
    )
    manifests = [json.loads((o.folder / "manifest.json").read_text()) for o in (pool, reference)]
    assert [m["engine"] for m in manifests] == ["fast", "mesa"]


def test_every_registered_kind_has_its_compiled_code() -> None:
    """The compiled loop handles the kinds of the ``targeted`` handler alike (codes below
    N_TARGETED) and tells them apart by the registry's commitment and target direction:
    intervene opens (+1), withdraw and expelled close (-1), base_loss has no party (0)."""
    from sim.fast import core
    from sim.fast.compiler import KIND_CODES, KIND_COMMITMENT, KIND_DIRECTION
    from sim.scenario.kinds import KINDS

    assert set(KIND_CODES) == set(KINDS)
    assert sorted(KIND_CODES.values()) == list(range(core.N_KINDS))
    for name, spec in KINDS.items():
        assert (KIND_CODES[name] < core.N_TARGETED) == (spec.handler == "targeted"), name
    code = KIND_CODES
    assert KIND_COMMITMENT[code["intervene"]] == core.OPENS
    assert KIND_COMMITMENT[code["withdraw"]] == KIND_COMMITMENT[code["expelled"]] == core.CLOSES
    assert KIND_COMMITMENT[code["refuse_aid"]] == 0
    assert [KIND_DIRECTION[code[k]] for k in ("intervene", "expelled", "base_loss")] == [1, -1, 0]


def test_engines_agree_at_the_largest_values_a_scenario_may_give() -> None:
    """At the schema's bound (sim.scenario.schema.MAX_VALUE) every sum stays finite and
    the engines agree; at 1e308 a tie weight overflowed on the fast engine only."""
    overrides = [
        "network.same_region=1e6",
        "network.baseline=1e6",
        "parameters.affinity.scale=1e6",
        "parameters.alignment.weights.trust=1e6",
        "parameters.alignment.weights.inertia=1e6",
        "parameters.alignment.temperature=1e-300",
        "parameters.alignment.nonaligned_utility=-1e6",
        "parameters.trust.prior_strength=1e6",
        "events.russia_intervention.magnitude=1e6",
    ]
    scenario = load_scenario(ROOT / "scenarios" / "syria.yaml", overrides)
    assert_same_outputs(scenario, 5, "actors")
