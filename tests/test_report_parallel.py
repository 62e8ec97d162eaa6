"""The report's figures drawn by forked processes are the ones this process draws.

Decision 874: ``write_report`` draws its figures on one process a core
(:func:`sim.plots.report.drawn`). Each figure must come back as the same file
bytes and the same caption, in the report's order, and a figure that fails must
fail the drawing as it does on one process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest
import results_factory as factory

from sim.errors import InputError
from sim.plots import report as report_module
from sim.plots import write_report
from sim.plots.gallery import Entry, figures_for
from sim.plots.report import dispatch_order, drawing_processes, drawn
from sim.results import open_results

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="figures are drawn in forked processes on Linux"
)

QUESTION = {"difference": ["base", "counter"], "metric": "final_trust.USA.all"}
GRID = {
    "parameters.trust.negativity_bias": [1.0, 2.0, 3.0],
    "parameters.trust.memory": [0.95, 0.98],
}


def _sweep(tmp_path: Path) -> Path:
    return factory.write_sweep(tmp_path / "sweep", grid=GRID, replicates=2, question=QUESTION)


def _entries(folder: Path) -> list[Entry]:
    results = open_results(folder)
    from sim.plots.headline import headline_of

    return list(figures_for(results, headline=headline_of(results)))


def test_figures_drawn_in_processes_are_the_bytes_and_captions_drawn_here(tmp_path):
    folder = _sweep(tmp_path)
    here = list(drawn(_entries(folder), "png", processes=1))
    forked = list(drawn(_entries(folder), "png", processes=2))
    # A sweep with a question and two varied parameters: the headline, trajectories,
    # alignment, the figures across each parameter and the heatmap.
    assert len(here) >= 6
    assert [d[3] for d in forked] == [d[3] for d in here]  # captions, in order
    for (data, shown, fmt, _), (data_f, shown_f, fmt_f, _) in zip(here, forked, strict=True):
        assert data.startswith(b"\x89PNG") and fmt == fmt_f == "png"
        assert data_f == data and shown_f == shown
    # Every figure differs from the others, so a figure put in another's place is seen.
    assert len({d[0] for d in here}) == len(here)


def test_a_pdf_report_embeds_the_png_each_process_drew(tmp_path):
    folder = _sweep(tmp_path)
    here = list(drawn(_entries(folder), "pdf", processes=1))
    forked = list(drawn(_entries(folder), "pdf", processes=2))
    for (data, shown, fmt, caption), (data_f, shown_f, fmt_f, caption_f) in zip(
        here, forked, strict=True
    ):
        assert data.startswith(b"%PDF") and data_f.startswith(b"%PDF")
        assert fmt == fmt_f == "png" and shown_f == shown and caption_f == caption


def test_the_report_page_and_files_are_the_same_on_one_process_or_more(tmp_path, monkeypatch):
    folder = _sweep(tmp_path)
    assert drawing_processes(8) == min(8, len(report_module.os.sched_getaffinity(0)))
    monkeypatch.setattr(report_module, "drawing_processes", lambda n: 2)
    write_report(folder)
    forked = {p.name: p.read_bytes() for p in sorted((folder / "plots").iterdir())}
    page = (folder / "report.html").read_text()
    monkeypatch.setattr(report_module, "drawing_processes", lambda n: 1)
    write_report(folder)
    here = {p.name: p.read_bytes() for p in sorted((folder / "plots").iterdir())}
    assert forked == here and len(here) >= 7  # the figures and captions.md
    assert (folder / "report.html").read_text() == page


def _fails() -> matplotlib.figure.Figure:
    raise InputError("this figure cannot be drawn")


def test_a_figure_that_fails_in_a_process_fails_the_drawing_as_here(tmp_path):
    entries = _entries(_sweep(tmp_path))
    entries.insert(2, Entry("broken", _fails, "A figure that fails."))
    for processes in (1, 2):
        before = set(multiprocessing.active_children())
        done = []
        with (
            pytest.raises(InputError, match="this figure cannot be drawn"),
            contextlib.closing(drawn(list(entries), "png", processes=processes)) as figures,
        ):
            for figure in figures:
                done.append(figure)
        assert len(done) == 2  # the figures before it, in order
        # The drawing processes are gone with the drawing.
        assert set(multiprocessing.active_children()) == before


def test_a_drawing_stopped_by_the_command_ends_its_processes(tmp_path):
    """Ctrl-C in the command (or a failed write) as the second figure comes back."""
    entries = _entries(_sweep(tmp_path))
    before = set(multiprocessing.active_children())
    with contextlib.closing(drawn(entries, "png", processes=2)) as figures:
        next(figures)
        assert len(set(multiprocessing.active_children()) - before) == 2
    assert set(multiprocessing.active_children()) == before


def test_one_figure_or_another_system_is_drawn_here(monkeypatch):
    assert drawing_processes(1) == 1
    monkeypatch.setattr(report_module.sys, "platform", "darwin")
    assert drawing_processes(8) == 1


def test_the_slow_figures_are_handed_out_first_and_come_back_in_the_reports_order(tmp_path):
    entries = _entries(_sweep(tmp_path))
    stems = [e.stem for e in entries]
    order = [stems[i] for i in dispatch_order(entries)]
    slow = [s for s in stems if s.startswith(("trust_trajectories", "alignment", "heatmap"))]
    assert len(slow) == 3 and order[:3] == slow and sorted(order) == sorted(stems)
    assert [s for s in order if s not in slow] == [s for s in stems if s not in slow]
    # A slow figure that fails is drawn early, and still fails the drawing only after
    # the figures the report shows before it.
    entries.insert(3, Entry("heatmap_broken", _fails, "A slow figure that fails."))
    done = []
    with (
        pytest.raises(InputError, match="this figure cannot be drawn"),
        contextlib.closing(drawn(entries, "png", processes=2)) as figures,
    ):
        for figure in figures:
            done.append(figure)
    assert [d[3] for d in done] == [d[3] for d in drawn(entries[:3], "png", processes=1)]


def test_forked_drawing_draws_nothing_here_and_brings_back_the_boxed_words(tmp_path, monkeypatch):
    """Reading the words drawn as boxes off each planned figure in this process drew every
    figure a second time here, one after the other, and left them open ("More than 20
    figures have been opened" in a test of three plots; decision 991). The drawing
    processes send their words back with their figures."""
    import matplotlib.pyplot as plt

    from sim.plots import glyphs

    entries = _entries(_sweep(tmp_path))
    plt.close("all")
    glyphs.MISSING_WORDS.clear()
    draw = report_module.draw_entry

    def drawing_a_boxed_word(entry: Entry, fmt: str):  # type: ignore[no-untyped-def]
        glyphs.MISSING_WORDS.setdefault(f"中{entry.stem}")
        return draw(entry, fmt)

    monkeypatch.setattr(report_module, "draw_entry", drawing_a_boxed_word)
    list(drawn(entries, "png", processes=2))
    assert plt.get_fignums() == []  # nothing drawn, or left open, in this process
    assert "figure" not in vars(entries[0])  # the cached figure was never made here
    assert list(glyphs.MISSING_WORDS) and set(glyphs.MISSING_WORDS) == {
        f"中{e.stem}" for e in entries
    }
    glyphs.MISSING_WORDS.clear()
