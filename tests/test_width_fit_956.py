"""Decision 956: figures at ``--width`` fit with legible panels, words whole, key labels.

An outside reviewer found the alignment figure of a three-scenario sweep never fitting a
page from 3 to 5.5 inches (its panels 0.2 in wide, titles broken mid-word, date ticks
running together), key events' labels dropped at a page's width, figures named by a
fragment of a title, and figures far too tall at narrow widths.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from sim.plots.figure import DPI, MIN_AXES_IN, at_page_width, crowded, render
from sim.results import open_results
from tests import results_factory as factory

NB = "parameters.trust.negativity_bias"
MEM = "parameters.trust.memory"
PIXEL_IN = 1.0 / DPI


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


def _sweep(tmp_path: Path) -> Path:
    return factory.write_sweep(
        tmp_path / "sweep",
        scenarios={"base": 0.0, "counter": -0.1, "historical": 0.05},
        grid={NB: [1.0, 2.0], MEM: [0.9, 0.99]},
        replicates=2,
    )


def _entry(folder: Path, stem: str, width: float):  # type: ignore[no-untyped-def]
    from sim.plots.gallery import figures_for

    results = open_results(folder)
    with at_page_width(width):
        found = None
        for entry in figures_for(results):
            if entry.stem == stem and found is None:
                found = entry
            else:
                plt.close(entry.figure)
        assert found is not None
        data = render(found.figure)
    return found, int.from_bytes(data[16:20], "big") / DPI


def _shown_axes_in(figure: Figure) -> list[float]:
    width = figure.get_figwidth()
    return [ax.get_position().width * width for ax in figure.axes if ax.axison]


@pytest.mark.parametrize("width", [3.5, 4.5])
def test_the_alignment_of_three_scenarios_fits_with_legible_panels(
    tmp_path: Path, width: float
) -> None:
    entry, saved = _entry(_sweep(tmp_path), "alignment", width)
    assert saved <= width + PIXEL_IN
    assert min(_shown_axes_in(entry.figure)) >= MIN_AXES_IN


def test_titles_are_wrapped_at_spaces_only(tmp_path: Path) -> None:
    entry, _ = _entry(_sweep(tmp_path), "alignment", 3.5)
    for ax in entry.figure.axes:
        title = ax.get_title(loc="left")
        if not title:
            continue
        words = set(title.split())
        unwrapped = " ".join(title.split())
        # every word of the unwrapped title appears whole in the wrapped one
        assert all(word in words for word in unwrapped.split()), title
        assert "Alignment," in words or "Effective" in words, title


def test_wrap_to_never_breaks_a_word() -> None:
    from sim.plots.figure import wrap_to

    text = "Alignment, historical Effective poles (non-aligned as one)"
    wrapped = wrap_to(text, 0.6, 10.6)
    assert set(wrapped.split()) == set(text.split())


def test_a_narrow_date_axis_gets_fewer_ticks_not_labels_run_together() -> None:
    """ "20162020": a date axis 1.2 in wide with up to ten automatic ticks, at a page's
    width, is saved with its labels apart."""
    import pandas as pd

    from sim.plots.figure import date_axis

    fig, ax = plt.subplots(figsize=(2.0, 1.5))
    when = pd.date_range("1950-01-01", "2025-01-01", freq="YS")
    ax.plot(when, range(len(when)))
    date_axis(ax, max_ticks=10)
    ax.set_position((0.3, 0.2, 0.6, 0.7))
    with at_page_width(3.5):
        render(fig)
    labels = [t for t in ax.get_xticklabels() if t.get_text()]
    assert len(labels) >= 2
    assert not crowded(ax.get_xticklabels()), [t.get_text() for t in labels]


def test_analyze_names_a_too_wide_chart_by_its_file(tmp_path: Path) -> None:
    """analyze's notes named its charts by their wrapped titles' first lines ("the figure
    'Final'"), twice the same name: now by the file it writes."""
    from sim.plots.figure import TOO_WIDE, rendered

    fig, ax = plt.subplots(figsize=(8, 2))
    ax.set_title("Final\ntrust in Russia among all states", loc="left")
    ax.set_ylabel("a label " * 3)
    TOO_WIDE.clear()
    with at_page_width(3.0):
        from sim.plots import figure as module

        floor = module.MIN_AXES_IN
        module.MIN_AXES_IN = 7.5  # this figure cannot narrow
        try:
            rendered(fig, name="analysis/sensitivity_sobol_1.png")
        finally:
            module.MIN_AXES_IN = floor
    assert [name for name, _ in TOO_WIDE] == ["the figure analysis/sensitivity_sobol_1.png"]
    TOO_WIDE.clear()


def test_a_legend_wider_than_a_narrow_page_wraps_its_entries() -> None:
    """analyze --width 3: one column of the Sobol legend ("estimate outside [0, 1], drawn
    at the bound") made the chart 3.45 in wide; its entries now wrap at spaces."""
    from matplotlib.lines import Line2D

    from sim.plots.figure import legend_below

    with at_page_width(3.0):
        fig, _ax = plt.subplots(figsize=(2.8, 2))
        handle = Line2D([], [], label="estimate outside [0, 1], drawn at the bound, and more")
        legend = legend_below(fig, [handle], "Sobol index (95% interval)")
        width = legend.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
    assert width <= 2.8 - 0.15
    assert set(legend.get_texts()[0].get_text().split()) == set(handle.get_label().split())
