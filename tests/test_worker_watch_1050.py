"""When a sweep's own Dask scheduler (``--address``) has no worker, the sweep says so
(decision 1050): :class:`sim.sweep.executors.WorkerWatch` on a made-up client and clock.
The end-to-end case, a real scheduler without workers and one started later, is
``tests/test_dask.py::test_a_sweep_on_a_scheduler_without_workers_says_so_and_goes_on_when_one_joins``.
"""

from __future__ import annotations

import io
from typing import Any

import pytest

from sim.sweep import executors
from sim.sweep.executors import WorkerWatch

ADDRESS = "tcp://10.0.0.5:8786"
NONE = (
    f"credsim: note: the Dask scheduler at {ADDRESS} has had no worker for 5 s: the sweep "
    f"waits for one (start one with `dask worker {ADDRESS}` from this checkout); Ctrl-C "
    "stops it, and the finished runs are kept\n"
)
JOINED = f"credsim: note: a worker joined the Dask scheduler at {ADDRESS}: the sweep goes on\n"


class Client:
    """What the watch reads of a distributed client: the scheduler's identity as the client
    last heard it."""

    def __init__(self) -> None:
        self._scheduler_identity: dict[str, Any] = {"n_workers": 2}


def watched() -> tuple[Client, WorkerWatch, io.StringIO, list[float]]:
    client, stream, now = Client(), io.StringIO(), [0.0]
    return client, WorkerWatch(client, ADDRESS, stream=stream, clock=lambda: now[0]), stream, now


def wait(watch: WorkerWatch, now: list[float], seconds: float) -> None:
    """The sweep's empty waits for ``seconds``: one look each 0.1 s, as dask_done calls it."""
    for _ in range(round(seconds / 0.1)):
        now[0] += 0.1
        watch()


def test_no_worker_for_five_seconds_is_said_once_and_a_join_after_it() -> None:
    client, watch, stream, now = watched()
    wait(watch, now, 10)
    assert stream.getvalue() == ""  # workers there: nothing said
    client._scheduler_identity["n_workers"] = 0
    wait(watch, now, 4)
    assert stream.getvalue() == ""  # not yet
    wait(watch, now, 3)
    assert stream.getvalue() == NONE
    wait(watch, now, 60)
    assert stream.getvalue() == NONE  # said once, however long it waits
    client._scheduler_identity["n_workers"] = 1
    wait(watch, now, 2)
    assert stream.getvalue() == NONE + JOINED
    wait(watch, now, 10)
    assert stream.getvalue() == NONE + JOINED
    # All lost again: said again.
    client._scheduler_identity["n_workers"] = 0
    wait(watch, now, 7)
    assert stream.getvalue() == NONE + JOINED + NONE


def test_a_worker_restarted_within_seconds_is_not_spoken_of() -> None:
    """A killed worker's nanny starts it again within a few seconds: no note for that."""
    client, watch, stream, now = watched()
    for _ in range(5):
        client._scheduler_identity["n_workers"] = 0
        wait(watch, now, 3.5)
        client._scheduler_identity["n_workers"] = 1
        wait(watch, now, 2)
    assert stream.getvalue() == ""


def test_runs_that_come_back_say_the_join_before_the_count_does() -> None:
    """The client refreshes its count every two seconds; a worker's first runs may come
    back sooner. Finished runs say the join too, once."""
    client, watch, stream, now = watched()
    client._scheduler_identity["n_workers"] = 0
    wait(watch, now, 7)
    watch.ran()
    watch.ran()
    assert stream.getvalue() == NONE + JOINED
    wait(watch, now, 3)  # the count still says none: a second five seconds before a note
    assert stream.getvalue() == NONE + JOINED


def test_a_count_the_client_does_not_have_says_nothing() -> None:
    client, watch, stream, now = watched()
    client._scheduler_identity = {}
    wait(watch, now, 30)
    client._scheduler_identity = {"n_workers": None}
    wait(watch, now, 30)
    assert stream.getvalue() == ""


def test_a_calibration_waits_for_a_worker_before_it_sends_a_generations_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before it scatters a generation's data, a calibration waits for a worker, saying
    so in its own words; a scatter on a scheduler without workers failed after its
    timeout, six times over a minute, as "connections to the Dask workers failed"."""
    monkeypatch.setattr(executors, "_TAKE_S", 0.0)
    monkeypatch.setattr(executors, "scheduler_listens", lambda client: True)
    looks = {"n": 0}

    class Joining:
        @property
        def _scheduler_identity(self) -> dict[str, int]:
            looks["n"] += 1
            return {"n_workers": int(looks["n"] > 200)}

    stream, now = io.StringIO(), [0.0]

    def clock() -> float:
        now[0] += 0.1
        return now[0]

    watch = WorkerWatch(
        Joining(), ADDRESS, waits="the calibration", kept="the finished generations",
        stream=stream, clock=clock,
    )  # fmt: skip
    watch.wait_for_a_worker()
    assert looks["n"] > 200
    assert stream.getvalue() == (
        NONE.replace("the sweep", "the calibration").replace("runs", "generations")
        + JOINED.replace("the sweep", "the calibration")
    )
    # A worker there, or a count not known: it does not wait.
    for identity in ({"n_workers": 3}, {}):
        client = Client()
        client._scheduler_identity = identity
        quiet = io.StringIO()
        WorkerWatch(client, ADDRESS, stream=quiet).wait_for_a_worker()
        assert quiet.getvalue() == ""


def test_a_scheduler_that_stopped_answering_is_not_waited_on_for_ever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The client's count of a scheduler that died stays what it was (none): the wait
    asks every 5 s whether the scheduler still takes connections, and returns when it
    does not, so that the scatter after it fails as a lost scheduler, in its one line."""
    monkeypatch.setattr(executors, "_TAKE_S", 0.0)
    asked: list[float] = []
    now = [0.0]

    def clock() -> float:
        now[0] += 0.1
        return now[0]

    def listens(client: Any) -> bool:
        asked.append(now[0])
        return len(asked) < 3  # it stops answering at the third question

    monkeypatch.setattr(executors, "scheduler_listens", listens)
    client = Client()
    client._scheduler_identity = {"n_workers": 0}
    stream = io.StringIO()
    WorkerWatch(client, ADDRESS, stream=stream, clock=clock).wait_for_a_worker()
    assert len(asked) == 3
    assert all(b - a >= 5 for a, b in zip([0.0, *asked], asked, strict=False))
    assert stream.getvalue() == NONE  # said while it waited
