"""What a Dask worker sends back carries the digest of the code that ran it, and a sweep
or calibration on a scheduler of the user's (``--address``) refuses work of other code
(decision 1053): the parts, on made-up clients and futures. The end-to-end cases, on a
real worker of a copied package, are in ``tests/test_dask.py``
(``test_runs_of_a_worker_of_other_code_that_joined_later_are_refused`` and
``test_a_calibrations_work_from_a_worker_of_other_code_that_joined_later_is_refused``).
"""

from __future__ import annotations

import io
import re
from typing import Any

import cloudpickle
import pytest

from sim import provenance
from sim.errors import WorkersFailed
from sim.sweep import executors
from sim.sweep.executors import Coded, RunResult, WorkerWatch, uncoded

ADDRESS = "tcp://10.0.0.5:8786"
WORKER = "tcp://10.0.0.7:40111"
OTHER = "0" * 64


class Future:
    key = ("credsim-runs", 3, 4)


class Client:
    """What the watch asks of a distributed client: who holds a finished future's result."""

    def __init__(self, holders: tuple[str, ...] = (WORKER,), fails: bool = False) -> None:
        self.holders, self.fails = holders, fails
        self._scheduler_identity: dict[str, Any] = {"n_workers": 1}

    def who_has(self, future: Any) -> dict[Any, tuple[str, ...]]:
        if self.fails:
            raise OSError("the scheduler did not answer")
        return {future.key: self.holders}


def _watch(client: Client, **words: str) -> WorkerWatch:
    return WorkerWatch(client, ADDRESS, stream=io.StringIO(), **words)


def test_work_of_this_code_is_taken_and_of_other_code_refused_naming_the_worker() -> None:
    watch = _watch(Client())
    assert watch.code == provenance.code_digest()
    watch.same_code(provenance.code_digest(), Future())  # nothing raised
    with pytest.raises(WorkersFailed) as raised:
        watch.same_code(OTHER, Future())
    assert str(raised.value) == (
        f"--address {ADDRESS}: a worker that joined the Dask scheduler after the start "
        f"({WORKER}) runs other credsim code than this command, and its work is left out: "
        "stop that worker, or start it from this checkout"
    )


def test_a_worker_of_older_code_sends_no_digest_and_is_refused_too() -> None:
    """A worker whose code predates the digest sends none (None): its code is unknown,
    so not this one's."""
    with pytest.raises(WorkersFailed, match=re.escape(f"after the start ({WORKER}) runs other")):
        _watch(Client()).same_code(None, Future())


def test_a_worker_that_cannot_be_named_is_refused_without_a_name() -> None:
    """Naming the worker asks the scheduler; when that fails, the refusal stands."""
    for client in (Client(fails=True), Client(holders=())):
        watch = _watch(client)
        with pytest.raises(WorkersFailed) as raised:
            watch.same_code(OTHER, Future())
        assert str(raised.value) == (
            f"--address {ADDRESS}: a worker that joined the Dask scheduler after the start "
            "runs other credsim code than this command, and its work is left out: stop "
            "that worker, or start it from this checkout"
        )


def test_a_coded_value_is_unwrapped_and_a_bare_one_refused_only_under_a_watch() -> None:
    here = Coded.here([(0, "evaluation")])
    assert here.code == provenance.code_digest()
    watch = _watch(Client())
    assert uncoded(here, Future(), watch) == [(0, "evaluation")]
    assert uncoded(here, Future(), None) == [(0, "evaluation")]
    # A LocalCluster's workers (no watch) are this process's own: nothing to compare.
    assert uncoded([(0, "evaluation")], Future(), None) == [(0, "evaluation")]
    with pytest.raises(WorkersFailed):
        uncoded([(0, "evaluation")], Future(), watch)  # an older worker's bare value
    with pytest.raises(WorkersFailed):
        uncoded(Coded(OTHER, [(0, "evaluation")]), Future(), watch)


_INSTALLED: list[dict[str, Any]] = []


def _install(scenarios: dict[str, Any]) -> None:
    """``init_worker`` in the test below: a module's function, which the plugin's pickle
    names rather than copies."""
    _INSTALLED.append(scenarios)


def test_a_batch_carries_its_code_only_where_the_plugin_said_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process pool's worker is not told (the digest reads the package, some 20 ms a
    process); a Dask worker is, by the scenarios' plugin, whichever way it joins."""
    done = [RunResult({"run_id": i, "status": "ok"}) for i in range(3)]
    monkeypatch.setattr(executors, "run_task", lambda task, run_fn=None: done[task])
    monkeypatch.setattr(executors, "_TELL_CODE", False)
    assert [r.code for r in executors.run_batch([0, 1, 2])] == [None, None, None]  # type: ignore[list-item]

    _INSTALLED.clear()
    monkeypatch.setattr(executors, "init_worker", _install)
    # As the scheduler sends it to a worker that joins.
    plugin = cloudpickle.loads(cloudpickle.dumps(executors._scenario_plugin({})))
    plugin.setup(worker=None)
    assert _INSTALLED == [{}] and executors._TELL_CODE is True
    codes = [r.code for r in executors.run_batch([0, 1, 2])]  # type: ignore[list-item]
    assert codes == [provenance.code_digest(), None, None]  # the batch's first result
