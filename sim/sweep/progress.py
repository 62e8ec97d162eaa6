"""Progress of a sweep on the terminal, and the one-line summary at its end.

On a terminal (stderr a tty, not ``--quiet``) one line is redrawn at most a
few times a second: done/total, failures, runs per second, time left. The
closing summary is printed always: it says what was done and where.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

_REDRAW_S = 0.25


def _duration(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """Counts finished runs and shows them.

    Args:
        total: runs planned (all of them, including those done earlier).
        already: runs committed by an earlier, interrupted sweep.
        failed_before: how many of those failed.
        stream: where to draw (default stderr).
        live: redraw a progress line; default: when ``stream`` is a terminal.
    """

    def __init__(
        self,
        total: int,
        already: int = 0,
        failed_before: int = 0,
        *,
        stream: TextIO | None = None,
        live: bool | None = None,
    ) -> None:
        self.total = total
        self.already = already
        self.done = 0
        self.failed = failed_before
        self.stream = stream or sys.stderr
        # A terminal that says it cannot move the cursor (TERM=dumb: an editor's shell,
        # a CI log) got the redraw's escape codes (an audit, decision 659).
        redraws = self.stream.isatty() and os.environ.get("TERM") != "dumb"
        self.live = redraws if live is None else live
        self.start = time.perf_counter()
        self._drawn = 0.0

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @property
    def rate(self) -> float:
        """Runs per second in this session."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

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
        self.stream.write("\r\x1b[2K" + self.line())
        self.stream.flush()

    def clear(self) -> None:
        """Take the progress line off the terminal."""
        if self.live:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def close(self, message: str, out: TextIO | None = None) -> None:
        """Clear the progress line and print the closing summary ``message`` (to stdout)."""
        self.clear()
        print(message, file=out or sys.stdout, flush=True)

    def counted(self) -> str:
        """``N runs in ELAPSED (R runs/s)``: what this session ran."""
        runs = "run" if self.done == 1 else "runs"
        return f"{self.done} {runs} in {_duration(self.elapsed)} ({self.rate:.1f} runs/s)"

    def summary(self, name: str, where: str) -> str:
        """The closing line: runs, failures, elapsed, runs/s, where the results are."""
        earlier = f", {self.already} done earlier" if self.already else ""
        return (
            f"sweep '{name}': {self.counted()}{earlier}; {self.failed} of {self.total} failed; "
            f"results in {where}"
        )
