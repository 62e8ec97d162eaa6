"""A calibration's cold-cache compile said once, and its start time taken before it
(decision 982).

On a cold numba cache, ``credsim calibrate`` (2 workers) printed "compiling numba's
kernels" twice: its fork server compiles the engine as it imports its preload, while
the command's own preflight compiles it too. The manifest's ``started`` was taken
after that compile, more than a minute after the command began.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

import sim.compiling
import sim.forkserver
from sim.calibrate.run import run_calibration
from sim.calibrate.toy import BinomialProblem
from tests.test_calibration_review_918 import _toy


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("said_by_parent", [None, "1"])
def test_a_process_whose_parent_says_the_compile_says_nothing(monkeypatch, said_by_parent):
    stream = _Terminal()
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.setattr(sim.compiling, "_announced", False)
    if said_by_parent is None:
        monkeypatch.delenv(sim.forkserver.SAID_BY_PARENT, raising=False)
    else:
        monkeypatch.setenv(sim.forkserver.SAID_BY_PARENT, said_by_parent)
    sim.compiling.announce()
    said = sim.compiling.ANNOUNCEMENT + "\n"
    assert stream.getvalue() == ("" if said_by_parent else said)


def _environment_at_start(monkeypatch, start) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    """What the fork server would be started with: ``SAID_BY_PARENT`` as
    ``forkserver.ensure_running`` is called (the server takes this process's environment
    then), and after."""
    from multiprocessing import forkserver

    seen: dict[str, str | None] = {}

    def ensure_running() -> None:
        seen["at start"] = os.environ.get(sim.forkserver.SAID_BY_PARENT)

    monkeypatch.setattr(forkserver, "ensure_running", ensure_running)
    monkeypatch.delenv(sim.forkserver.SAID_BY_PARENT, raising=False)
    start()
    seen["after"] = os.environ.get(sim.forkserver.SAID_BY_PARENT)
    return seen


def test_a_calibration_s_fork_server_leaves_the_compile_to_the_command(monkeypatch):
    from argparse import Namespace

    from sim.calibrate.smc import worker_context

    args = Namespace(workers=2, executor=None, address=None)
    for start in (lambda: sim.forkserver.start_for_calibration(args), worker_context):
        seen = _environment_at_start(monkeypatch, start)
        assert seen == {"at start": "1", "after": None}


def test_a_sweep_s_fork_server_says_its_compile(monkeypatch):
    """A sweep runs nothing in its own process: its server's compile is the only one."""
    from argparse import Namespace

    args = Namespace(workers=2, executor=None, address=None)
    seen = _environment_at_start(monkeypatch, lambda: sim.forkserver.start_for_sweep(args))
    assert seen == {"at start": None, "after": None}


def test_a_calibration_s_start_is_taken_before_its_preflight(tmp_path: Path, monkeypatch):
    """The preflight (the first simulation, where a cold cache compiles) happens after the
    start is taken: a clock that ticks once a call puts the start before it."""
    import sim.calibrate.run as run
    from sim import provenance

    cal = _toy(tmp_path)
    ticks: list[str] = []

    def now() -> str:
        ticks.append(f"2026-01-01T00:00:{len(ticks):02d}+00:00")
        return ticks[-1]

    preflight = run.preflight
    at_preflight: list[int] = []

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        at_preflight.append(len(ticks))
        return preflight(*args, **kwargs)

    monkeypatch.setattr(provenance, "now", now)
    monkeypatch.setattr(run, "preflight", counted)
    out = tmp_path / "out"
    run_calibration(cal, BinomialProblem(), out, workers=1, quiet=True, figures=False)
    import json

    started = json.loads((out / "manifest.json").read_text())["started"]
    assert at_preflight and started in ticks[: at_preflight[0]]
