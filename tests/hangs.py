"""Tests that could hang end instead, with every thread's stack where the run shows it.

A test's output is captured into a file of pytest's while it runs, and a process that
ends from a hang leaves nothing of it: the CI run that met decision 1047's hang said only
"worker 'gw0' crashed". :func:`ends_within` writes to stderr as the run had it before any
test's capture (kept by ``conftest.pytest_configure``), as pytest's own
``faulthandler_timeout`` does; under pytest-xdist that is the run's own output.
"""

from __future__ import annotations

import contextlib
import faulthandler
import sys
from collections.abc import Iterator

# A copy of the run's stderr, taken before any test's capture (conftest), if it was.
STDERR: int | None = None


@contextlib.contextmanager
def ends_within(seconds: float) -> Iterator[None]:
    """End the test's process after ``seconds``, with every thread's stack on the run's
    stderr, instead of waiting for ever.

    faulthandler has one such timer: this one replaces pytest's ``faulthandler_timeout``
    for the rest of the test (the shorter limit is this one's).
    """
    faulthandler.dump_traceback_later(
        seconds, exit=True, file=STDERR if STDERR is not None else sys.__stderr__
    )
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
