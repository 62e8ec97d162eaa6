"""Dask: the same table as the serial executor, and a worker killed mid-sweep costs nothing."""

from __future__ import annotations

import functools
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import cloudpickle
import dask
import pandas as pd
import pytest

from sim.runner import RunOutput, run_scenario
from sim.scenario import Scenario
from sim.sweep import load_experiment, run_sweep
from sim.sweep.executors import NO_DASHBOARD

distributed = pytest.importorskip("distributed")

GRID = Path(__file__).parent / "data" / "sweep" / "grid.yaml"

# Workers unpickle the injected run function by value: they need not import this test module.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _kill_worker_once(scenario: Scenario, seed: Any, record: str, *, marker: str) -> RunOutput:
    """The real run, except that replicate 2 of the abstained scenario kills its worker once."""
    if scenario.name == "tiny_abstained" and seed.spawn_key == (2,) and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return run_scenario(scenario, seed, record)


def _kill_worker_always(scenario: Scenario, seed: Any, record: str) -> RunOutput:
    """The real run, except that one run kills its worker every time it is tried."""
    trust = scenario.parameters.trust
    chosen = trust.memory == 0.9 and trust.negativity_bias == 1.0
    if scenario.name == "tiny_abstained" and seed.spawn_key == (2,) and chosen:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_scenario(scenario, seed, record)


@pytest.fixture(scope="module")
def cluster() -> Any:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs=NO_DASHBOARD,  # no "Port 8787 is already in use" (decision 639)
        silence_logs=logging.CRITICAL,
    ) as local:
        yield local


@pytest.fixture(scope="module")
def serial_table(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("serial")
    run_sweep(load_experiment(GRID), folder, executor="serial", quiet=True)
    return pd.read_parquet(folder / "runs.parquet").drop(columns="elapsed_s")


def _sweep_on(address: str, folder: Path, run_fn: Any = None) -> tuple[Any, pd.DataFrame]:
    """The grid sweep on the Dask scheduler at ``address``: its outcome and runs table."""
    outcome = run_sweep(
        load_experiment(GRID),
        folder,
        executor="dask",
        address=address,
        run_fn=run_fn,
        quiet=True,
    )
    table = pd.read_parquet(outcome.folder / "runs.parquet").drop(columns="elapsed_s")
    return outcome, table


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_table(
    tmp_path: Path, serial_table: pd.DataFrame
) -> None:
    """Without --address: the executor starts (and stops) its own LocalCluster."""
    outcome = run_sweep(
        load_experiment(GRID), tmp_path / "dask", executor="dask", workers=2, quiet=True
    )
    assert outcome.exit_code == 0
    table = pd.read_parquet(outcome.folder / "runs.parquet").drop(columns="elapsed_s")
    pd.testing.assert_frame_equal(table, serial_table)


@pytest.mark.slow
def test_a_killed_worker_has_its_runs_redone(
    tmp_path: Path, cluster: Any, serial_table: pd.DataFrame
) -> None:
    marker = tmp_path / "killed"
    kill = functools.partial(_kill_worker_once, marker=str(marker))
    outcome, table = _sweep_on(cluster.scheduler_address, tmp_path / "dask", kill)
    assert marker.exists(), "no worker was killed"
    assert outcome.exit_code == 0 and (table["status"] == "ok").all()
    assert table["run_id"].is_unique
    pd.testing.assert_frame_equal(table, serial_table)


@pytest.mark.slow
def test_a_run_that_always_kills_its_worker_fails_alone(
    tmp_path: Path, serial_table: pd.DataFrame
) -> None:
    """Its batch dies; its runs are redone alone, and only the run itself ends as failed."""
    # No retries: a task whose worker dies once is lost at once (keeps the test short).
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None,
            scheduler_kwargs=NO_DASHBOARD, silence_logs=logging.CRITICAL,
        ) as local,
    ):  # fmt: skip
        outcome, table = _sweep_on(local.scheduler_address, tmp_path / "dask", _kill_worker_always)
    failed = table[table["status"] == "failed"]
    assert outcome.exit_code == 1 and len(failed) == 1
    assert "KilledWorker" in failed.iloc[0]["error"]
    assert (failed.iloc[0][["scenario", "replicate"]] == ["abstained", 2]).all()
    ok = table["status"] == "ok"
    pd.testing.assert_frame_equal(table[ok], serial_table[ok])


_OWN_CLUSTER = """
import os, signal, sys
import cloudpickle, dask
from sim.runner import run_scenario
from sim.sweep import load_experiment, run_sweep

def kill_always(scenario, seed, record):
    trust = scenario.parameters.trust
    chosen = trust.memory == 0.9 and trust.negativity_bias == 1.0
    if scenario.name == "tiny_abstained" and seed.spawn_key == (2,) and chosen:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_scenario(scenario, seed, record)

cloudpickle.register_pickle_by_value(sys.modules[__name__])
if __name__ == "__main__":
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        outcome = run_sweep(load_experiment(sys.argv[1]), sys.argv[2], executor="dask",
                            workers=2, run_fn=kill_always, quiet=True)
    print(outcome.failed)
"""


@pytest.mark.slow
def test_a_dying_worker_in_the_sweeps_own_cluster_prints_no_scheduler_log(tmp_path: Path) -> None:
    """With no --address the sweep starts its own cluster, whose scheduler logs in this process.

    A run that kills its worker made it print "Couldn't gather keys" and "marked as
    failed because 4 workers died" (eight lines) beside the sweep's own summary; the
    sweep handles both and records the run as failed. (In a process of its own: the
    log goes to the stderr that distributed found when it was imported.)
    """
    script = tmp_path / "own_cluster.py"
    script.write_text(_OWN_CLUSTER)
    done = subprocess.run(
        [sys.executable, str(script), str(GRID), str(tmp_path / "own")],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "1"
    table = pd.read_parquet(tmp_path / "own" / "runs.parquet")
    assert (table["status"] == "failed").sum() == 1
    assert "distributed." not in done.stderr, done.stderr


@pytest.mark.slow
def test_a_future_that_comes_back_twice_is_taken_once(
    tmp_path: Path, cluster: Any, serial_table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`as_completed` can hand back a future it was told of twice (the executor tells it
    again of the futures it still owes when it stops early, after a worker died); a CI
    run once stopped on the second, with a KeyError. Here every batch comes back twice."""

    class Twice(distributed.as_completed):  # type: ignore[misc]
        def next_batch(self, block: bool = True) -> list[Any]:
            batch = list(super().next_batch(block=block))
            return batch + batch

    monkeypatch.setattr(distributed, "as_completed", Twice)
    outcome, table = _sweep_on(cluster.scheduler_address, tmp_path / "dask")
    assert outcome.exit_code == 0 and table["run_id"].is_unique
    pd.testing.assert_frame_equal(table, serial_table)


def test_a_finished_future_lost_before_it_is_taken_is_taken_once(
    tmp_path: Path, cluster: Any, serial_table: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A future that is finished when its batch comes back, and whose worker then dies,
    reads "lost" afterwards; an audit's killed worker stopped a sweep on it with a
    KeyError (the executor took it as finished, then again as lost). Here every future
    handed back reads "lost" from its second status read on."""
    real = distributed.Future.status

    def flaky(self: Any) -> Any:
        status = real.fget(self)
        reads = self.__dict__.get("_reads")
        if reads is None:  # not handed back by as_completed yet
            return status
        self.__dict__["_reads"] = reads + 1
        return "lost" if reads >= 1 and status == "finished" else status

    class Handed(distributed.as_completed):  # type: ignore[misc]
        def next_batch(self, block: bool = True) -> list[Any]:
            batch = list(super().next_batch(block=block))
            for future in batch:
                future.__dict__["_reads"] = 0
            return batch

    monkeypatch.setattr(distributed.Future, "status", property(flaky))
    monkeypatch.setattr(distributed, "as_completed", Handed)
    outcome, table = _sweep_on(cluster.scheduler_address, tmp_path / "dask")
    assert outcome.exit_code == 0 and table["run_id"].is_unique
    pd.testing.assert_frame_equal(table, serial_table)
