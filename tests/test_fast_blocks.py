"""The fast engine's passes split into blocks of actors on threads (decisions 270 and 271).

A population of at least ``core.PARALLEL_MIN_ACTORS`` runs its per-actor
passes as ``core.PARALLEL_BLOCKS`` blocks, on numba's threads. Here the
threshold is lowered so that small random scenarios take that path: the
engines must still agree step by step, and the bits must not depend on the
number of threads. The alignment's exponential is checked against numpy's.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

import numba
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import kitchen_sink, scenario_dicts, validated
from test_fast_engine import assert_lockstep, assert_same_outputs

from sim.fast import FastModel, core
from sim.scenario import load_scenario
from sim.scenario.synthetic import synthetic_tree


@contextmanager
def in_blocks() -> Iterator[None]:
    """Scenarios compiled inside run their passes in blocks, however few their actors."""
    saved = core.PARALLEL_MIN_ACTORS
    core.PARALLEL_MIN_ACTORS = 1
    try:
        yield
    finally:
        core.PARALLEL_MIN_ACTORS = saved


def test_small_populations_take_one_pass_and_large_ones_blocks() -> None:
    assert core.blocks_for(core.PARALLEL_MIN_ACTORS - 1) == 1
    assert core.blocks_for(core.PARALLEL_MIN_ACTORS) == core.PARALLEL_BLOCKS > 1
    with in_blocks():
        model = FastModel(validated(kitchen_sink()), rng=0, record="summary")
    assert model.compiled.ip[core.IP_BLOCKS] == core.PARALLEL_BLOCKS


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(tree=scenario_dicts(v2=True), seed=st.integers(0, 2**32 - 1))
def test_engines_agree_when_the_passes_run_in_blocks(tree: dict[str, Any], seed: int) -> None:
    with in_blocks():
        assert_lockstep(tree, seed)


@pytest.mark.parametrize("seed", [0, 1])
def test_every_event_kind_in_blocks(seed: int) -> None:
    with in_blocks():
        assert_lockstep(kitchen_sink(), seed)
        assert_same_outputs(validated(kitchen_sink()), seed, "summary")


def test_the_bits_do_not_depend_on_the_number_of_threads() -> None:
    """The blocks fix every sum's order; the threads only share them out."""
    scenario = load_scenario(synthetic_tree(3_000, 4, 24, seed=2))
    with in_blocks():
        runs = {}
        try:
            for threads in sorted({1, numba.config.NUMBA_NUM_THREADS}):
                numba.set_num_threads(threads)
                model = FastModel(scenario, rng=11, record="actors").run()
                runs[threads] = (model.actors(), model.summary())
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    (actors, summary), *others = runs.values()
    for other_actors, other_summary in others:
        assert other_actors.equals(actors)
        assert other_summary == summary


def _summary_in_this_process(scenario: Any) -> tuple[bool, dict[str, Any]]:
    with in_blocks():
        summary = FastModel(scenario, rng=5, record="summary").run().summary()
    return core.threads_usable(), summary


# Python warns that forking a process with threads may deadlock: here it is the point.
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_child_forked_after_the_threads_started_runs_its_blocks_in_turn() -> None:
    """GNU OpenMP aborts a forked child that starts threads its parent had started;
    the child runs the same blocks one after another, to the same bits."""
    scenario = load_scenario(synthetic_tree(2_000, 3, 12, seed=4))
    threaded, summary = _summary_in_this_process(scenario)
    assert threaded
    # A child that aborted would break the pool (an error here), not hang the test.
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=fork) as pool:
        in_child, child_summary = pool.submit(_summary_in_this_process, scenario).result(120)
    assert not in_child
    assert child_summary == summary


def test_exp_nonpositive_is_numpys_exp_to_one_ulp() -> None:
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [
            -rng.random(20_000) * 708.0,
            -rng.random(20_000) * 5.0,
            -rng.random(2_000) * 1e-6,
            [0.0, -0.0, -1e-300, -708.0, -np.log(2) / 2, -np.log(2)],
        ]
    )
    got = np.array([core.exp_nonpositive(v) for v in x])
    expected = np.exp(x)
    spacing = np.spacing(expected)
    assert np.all(np.abs(got - expected) <= spacing), np.max(np.abs(got - expected) / spacing)
    assert core.exp_nonpositive(0.0) == 1.0


def test_exp_nonpositive_is_zero_where_numpy_is_subnormal_or_zero() -> None:
    for x in (-708.5, -745.0, -746.0, -1e6, -np.inf):
        assert core.exp_nonpositive(x) == 0.0
        assert np.exp(x) < np.finfo(float).tiny
