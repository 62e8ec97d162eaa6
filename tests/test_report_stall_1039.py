"""A drawing process that dies or locks up no longer stops the report for good
(decision 1039). The report's figures were drawn by a ``multiprocessing.Pool`` of forked
processes: a process that died lost its figure and the command waited for it for ever,
and one that locked up (a lock some thread of the command held as it forked stays held in
the child) did the same. Each process now has a pipe of its own; a figure whose process
died is drawn by the command, and after ``STALL_S`` seconds without a figure the stuck
processes are killed and the command draws what they owed. Each test fails on the code
before (the drawing does not end: the guard thread is still waiting)."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import pytest
from test_report_parallel import _entries, _sweep

from sim.plots import report as report_module
from sim.plots.report import drawn

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="figures are drawn in forked processes on Linux"
)

# Long enough for every figure of the small sweep to be drawn (each well under a second).
GUARD_S = 120


def _drawn_guarded(entries: list[Any]) -> list[Any]:
    """``drawn`` on two processes, in a thread that the test waits for at most GUARD_S."""
    box: list[Any] = []
    thread = threading.Thread(
        target=lambda: box.append(list(drawn(entries, "png", processes=2))), daemon=True
    )
    thread.start()
    thread.join(GUARD_S)
    assert not thread.is_alive(), "the drawing did not end"
    return box[0]


def _in_a_child_for(stem: str, then: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """``draw_entry`` does ``then()`` in a drawing process when it comes to ``stem``'s
    figure, and draws as ever in this process."""
    here = os.getpid()
    draw = report_module.draw_entry

    def drawing(entry: Any, fmt: str) -> Any:
        if os.getpid() != here and entry.stem == stem:
            then()
        return draw(entry, fmt)

    monkeypatch.setattr(report_module, "draw_entry", drawing)


def test_a_figure_whose_process_dies_is_drawn_by_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _sweep(tmp_path)
    here = list(drawn(_entries(folder), "png", processes=1))
    entries = _entries(folder)  # figures not drawn yet, as a report's are
    before = set(multiprocessing.active_children())
    _in_a_child_for(entries[1].stem, lambda: os._exit(1), monkeypatch)
    forked = _drawn_guarded(entries)
    assert [d[3] for d in forked] == [d[3] for d in here]  # every caption, in order
    assert [d[0] for d in forked] == [d[0] for d in here]  # every figure's bytes
    assert set(multiprocessing.active_children()) == before


def test_a_process_that_hands_back_nothing_is_killed_and_its_figures_drawn_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _sweep(tmp_path)
    here = list(drawn(_entries(folder), "png", processes=1))
    entries = _entries(folder)  # figures not drawn yet, as a report's are
    before = set(multiprocessing.active_children())
    monkeypatch.setattr(report_module, "STALL_S", 3.0, raising=False)
    stuck = entries[0].stem  # handed out among the first
    _in_a_child_for(stuck, lambda: time.sleep(3600), monkeypatch)
    forked = _drawn_guarded(entries)
    assert [d[3] for d in forked] == [d[3] for d in here]
    assert [d[0] for d in forked] == [d[0] for d in here]
    said = capsys.readouterr().err
    assert "no figure came back from the drawing processes in 3 s" in said
    assert "the rest are drawn in this process" in said
    assert set(multiprocessing.active_children()) == before  # the stuck one is gone
