"""Progress of a sweep on the terminal, and the one-line summary at its end; and
of one long run's steps (:class:`StepProgress`, ``credsim run``).

On a terminal (stderr a tty, not ``--quiet``) one line is redrawn at most a
few times a second: done/total, failures, runs per second, time left. The
closing summary is printed always: it says what was done and where, and on a
cold numba cache how much of the time was compiling (decision 723).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from sim.compiling import compiled_text

_REDRAW_S = 0.25
# Less compiling than this is not said (a warm cache compiles nothing at all: 0).
COMPILING_SAID_S = 0.05


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _short(seconds: float) -> str:
    """Seconds as :func:`_duration` gives them, with a decimal under 10 s ("0.8s")."""
    return f"{seconds:.1f}s" if seconds < 9.95 else _duration(seconds)


# Back to the line's start and erase it: every redraw and clear of a progress line.
ERASE = "\r\x1b[2K"


def redraws(stream: TextIO) -> bool:
    """Whether a progress line can be redrawn on ``stream``: a terminal that says it can
    move the cursor (TERM=dumb, an editor's shell or a CI log, got the redraw's escape
    codes: an audit, decision 659)."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"


class StepProgress:
    """One run's steps on a terminal, for a run long enough to want it (decision 813).

    Nothing is drawn in the first ``quiet_s`` seconds, so that the usual run of a
    second or less prints its closing line alone; then the line says the steps done of
    all, steps per second and the time left, and :meth:`status` what follows the steps
    (writing the results, drawing the figures), until :meth:`clear`.
    """

    def __init__(
        self, stream: TextIO | None = None, *, live: bool | None = None, quiet_s: float = 1.0
    ) -> None:
        self.stream = stream or sys.stderr
        self.live = redraws(self.stream) if live is None else live
        self.start = time.perf_counter()
        self.quiet_s = quiet_s
        self._drawn = 0.0
        self._shown = False
        self._first: tuple[float, int] | None = None

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` steps are done (:data:`sim.model.StepCallback`)."""
        now = time.perf_counter()
        if self._first is None:
            # The rate counts from the first step done: the set-up before it is no step's.
            self._first = (now, done)
        if not self.live or now - self.start < self.quiet_s or now - self._drawn < _REDRAW_S:
            return
        self._drawn = now
        since, before = self._first
        rate = (done - before) / (now - since) if now > since else 0.0
        eta = _duration((total - done) / rate) if rate > 0 else "?"
        pct = 100.0 * done / total if total else 100.0
        self._draw(f"step {done} of {total} ({pct:.0f}%), {rate:.1f} steps/s, ETA {eta}")

    def status(self, text: str) -> None:
        """What the command does now (``writing the results``), once the line is shown."""
        if self.live and (self._shown or time.perf_counter() - self.start >= self.quiet_s):
            self._draw(text)

    def _draw(self, text: str) -> None:
        self.stream.write(ERASE + text)
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        """Take the line off the terminal (before the closing line)."""
        if self._shown:
            self.stream.write(ERASE)
            self.stream.flush()
            self._shown = False


class Progress:
    """Counts finished runs and shows them.

    Args:
        total: runs planned (all of them, including those done earlier).
        already: runs committed by an earlier, interrupted sweep.
        failed_before: how many of those failed.
        stream: where to draw (default stderr).
        live: redraw a progress line; default: when ``stream`` is a terminal.
        compiling: the seconds of numba compiling the runs waited for, before the
            first one could start and while they went on
            (:meth:`sim.sweep.executors.Executor.compiling`); none by default.
        compiled: what was compiled, as the closing line says it, and that it was once.
    """

    def __init__(
        self,
        total: int,
        already: int = 0,
        failed_before: int = 0,
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
        compiling: Callable[[], tuple[float, float]] | None = None,
        compiled: str = compiled_text("fast", "sweeps"),
    ) -> None:
        self.total = total
        self.already = already
        self.done = 0
        self.failed = failed_before
        self.stream = stream or sys.stderr
        self.live = redraws(self.stream) if live is None else live
        self.start = time.perf_counter()
        self._drawn = 0.0
        self._compiling = compiling or (lambda: (0.0, 0.0))
        self.compiled = compiled

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @property
    def rate(self) -> float:
        """Runs per second in this session, without the time the runs waited for compiling."""
        running = self.elapsed - self._compiling()[1]
        return self.done / running if running > 0 else 0.0

    def update(self, failed: bool) -> None:
        """One more run finished."""
        self.done += 1
        self.failed += int(failed)
        now = time.perf_counter()
        if self.live and now - self._drawn >= _REDRAW_S:
            self._drawn = now
            self._draw()

    def line(self) -> str:
        """The progress line: done/total, failures, rate, time left."""
        finished = self.already + self.done
        left = self.total - finished
        eta = _duration(left / self.rate) if self.rate > 0 else "?"
        pct = 100.0 * finished / self.total if self.total else 100.0
        return (
            f"{finished}/{self.total} runs ({pct:.0f}%), {self.failed} failed, "
            f"{self.rate:.1f} runs/s, ETA {eta}"
        )

    def _draw(self) -> None:
        self.stream.write(ERASE + self.line())
        self.stream.flush()

    def clear(self) -> None:
        """Take the progress line off the terminal."""
        if self.live:
            self.stream.write(ERASE)
            self.stream.flush()

    def close(self, message: str, out: TextIO | None = None) -> None:
        """Clear the progress line and print the closing summary ``message`` (to stdout)."""
        self.clear()
        print(message, file=out or sys.stdout, flush=True)

    def counted(self) -> str:
        """``N runs in ELAPSED (R runs/s)``: what this session ran.

        On a cold numba cache the runs waited for the engine to compile, a minute:
        before the first run (the process executor's fork server compiles it, outside
        :attr:`elapsed`) or within the first ones (serial, Dask). ELAPSED is then the
        whole, the compile said as a part of it, and R the runs per second without it.
        """
        runs = "run" if self.done == 1 else "runs"
        before, during = self._compiling()
        if before + during < COMPILING_SAID_S:
            return f"{self.done} {runs} in {_duration(self.elapsed)} ({self.rate:.1f} runs/s)"
        return (
            f"{self.done} {runs} in {_duration(self.elapsed + before)} ({_short(before + during)} "
            f"of it compiling {self.compiled}; {self.rate:.1f} runs/s without it)"
        )

    def summary(self, name: str, where: str) -> str:
        """The closing line: runs, failures, elapsed, runs/s, where the results are."""
        earlier = f", {self.already} done earlier" if self.already else ""
        return (
            f"sweep '{name}': {self.counted()}{earlier}; {self.failed} of {self.total} failed; "
            f"results in {where}"
        )
