"""Fixtures shared by the test modules.

``tests/`` is on ``sys.path`` (pytest's rootdir-relative import of conftest),
so the helper modules ``strategies``, ``reference`` and ``results_factory``
import by their plain names.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator

import hangs
import pytest
from strategies import IMPLEMENTATIONS


def pytest_configure(config: pytest.Config) -> None:
    """Keep a copy of stderr as the run has it, before any test's capture, for a test
    that hangs to write its threads' stacks on (``hangs.ends_within``).

    And take Ctrl-C as a terminal gives it, where the suite was started with it ignored
    (``nohup``, or ``&`` in a script, as a shell starts a job in the background): the
    tests of Ctrl-C send SIGINT to a sweep or a calibration, in this process or in one it
    starts, and a process started with SIGINT ignored keeps it ignored, as credsim
    rightly does too (``sim.fileio.interrupts_held``). One such test failed so, its
    sweep finishing as if no Ctrl-C had come (decision 1048)."""
    hangs.STDERR = os.dup(2)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def _no_votes_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts without $CREDSIM_VOTES, as CI runs it.

    A researcher who set it in the shell (as the README suggests) saw tests of
    ``validate``'s exact output fail: with the variable set, it checks the pattern
    windows against the votes and prints one more line. A test that wants it sets it;
    ``tests/test_observed.py`` keeps the shell's value, read when it is imported.
    """
    monkeypatch.delenv("CREDSIM_VOTES", raising=False)


@pytest.fixture(autouse=True)
def _figures_closed_after_each_test() -> Iterator[None]:
    """Close the figures a test left open: pyplot keeps them, and past 20 in one worker
    process it warns on every new one ("More than 20 figures have been opened"), which a
    run of a few figure tests on one xdist worker met. Only when pyplot is loaded."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture(params=IMPLEMENTATIONS)
def implementation(request: pytest.FixtureRequest) -> str:
    """Each model implementation in turn (see ``strategies.new_model``)."""
    return str(request.param)
