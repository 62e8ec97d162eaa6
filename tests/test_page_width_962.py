"""Decision 962: what an outside check still found in page-width figures: the correlation
figure of ``patterns check --width 3.5`` wider than the page, its year ticks and point
names run together; the sensitivity charts' titles of a row wrapped to different lines;
their marks at 0 touching the parameters' names; the Morris x label broken over four
lines."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.cli import main
from sim.plots.figure import (
    DPI,
    WIDTH_SLACK_IN,
    _saved_renderer,
    at_page_width,
    crowded,
    render,
    rendered,
    saved_width_in,
)
from sim.plots.sensitivity import sensitivity_figures
from tests.test_observed import real_votes

REPO = Path(__file__).resolve().parent.parent
PARAMETERS = [
    "parameters.trust.negativity_bias",
    "parameters.trust.memory",
    "parameters.salience.same_region",
    "parameters.diffusion.susceptibility",
]


def _renderer(fig: Figure) -> object:
    """The figure's renderer at the saved resolution, its canvas given back where the
    figure was closed (between tests)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return _saved_renderer(fig)


def _overlap(a: object, b: object) -> bool:
    return bool(a.overlaps(b))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def syria_at_35(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Figure, bytes]]:
    """``patterns check`` of Syria's file's correlation and gulf patterns at 3.5 in: each
    figure as drawn and its saved bytes, by the first word of its title."""
    import sim.plots.figure

    tmp = tmp_path_factory.mktemp("syria")
    text = (REPO / "patterns" / "syria.yaml").read_text()
    head, _, rest = text.partition("patterns:\n")
    kept = [
        block
        for block in rest.split("  - id: ")[1:]
        if block.startswith(("initial_conditions", "gulf_no_warming"))
    ]
    path = tmp / "syria.yaml"
    scenario = str(REPO / "scenarios" / "syria.yaml")
    head = head.replace("../scenarios/syria.yaml", scenario)
    path.write_text(head + "patterns:\n" + "".join(f"  - id: {b}" for b in kept))
    monkeypatch = pytest.MonkeyPatch()
    figures: list[tuple[Figure, bytes]] = []
    render = sim.plots.figure.render

    def watched(fig: Figure, fmt: str = "png") -> bytes:
        data = render(fig, fmt)
        figures.append((fig, data))
        # Kept open for the tests to measure (rendered closes it after).
        return data

    monkeypatch.setattr(sim.plots.figure, "render", watched)
    monkeypatch.setattr(plt, "close", lambda *a, **k: None)
    try:
        argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
        assert main([*argv, "--width", "3.5", "--out", str(tmp / "out")]) == 0
    finally:
        monkeypatch.undo()
    drawn = {}
    for fig, data in figures:
        title = next(ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left"))
        drawn[title.split()[0]] = (fig, data)
    return drawn


def test_the_correlation_figure_fits_a_narrow_page(
    syria_at_35: dict[str, tuple[Figure, bytes]],
) -> None:
    """It was 4.45 in wide at 3.5 (its x label ran left past the y label), its panels 0.9
    in wide; its year ticks ran together."""
    fig, data = syria_at_35["Initial"]
    assert saved_width_in(data, "png") <= 3.5 + WIDTH_SLACK_IN
    top, bottom = (ax for ax in fig.axes if ax.axison)
    renderer = _renderer(fig)
    assert bottom.get_window_extent(renderer).width / DPI > 2.0
    assert not crowded(top.get_xticklabels())
    # The x label under the panel, clear of the rotated y label beside it.
    xlabel = bottom.xaxis.label.get_window_extent(renderer)
    ylabel = bottom.yaxis.label.get_window_extent(renderer)
    assert not _overlap(xlabel, ylabel)


def test_the_correlation_figure_names_no_point_over_another(
    syria_at_35: dict[str, tuple[Figure, bytes]],
) -> None:
    """ "Bahrain" ran over "Kuwait" at 3.5 in: the names kept stand apart, and a name left
    out is said in the caption."""
    fig, _ = syria_at_35["Initial"]
    bottom = [ax for ax in fig.axes if ax.axison][1]
    renderer = _renderer(fig)
    names = [t for t in bottom.texts if t.get_text()]
    assert names
    boxes = [t.get_window_extent(renderer) for t in names]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), [t.get_text() for t in names]
    caption = " ".join(t.get_text() for t in fig.texts)
    if len(names) < 3:
        assert "Not named beside their points" in caption


def test_a_pattern_title_fits_beside_its_y_labels(
    syria_at_35: dict[str, tuple[Figure, bytes]],
) -> None:
    """'Gulf No Warming (calibration pattern)' ran past a 3.5 in page by its y labels'
    width: 3.60 in."""
    _, data = syria_at_35["Gulf"]
    assert saved_width_in(data, "png") <= 3.5 + WIDTH_SLACK_IN


def _sobol(metrics: list[str], low: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    rows = []
    for m in metrics:
        for p in PARAMETERS:
            s1 = -0.05 if low and p.endswith("memory") else rng.uniform(0.05, 0.4)
            rows.append(
                {"metric": m, "parameter": p, "S1": s1, "S1_conf": 0.1,
                 "ST": s1 + 0.1, "ST_conf": 0.2}
            )  # fmt: skip
    return pd.DataFrame(rows)


def test_the_titles_of_a_row_take_the_same_lines() -> None:
    """The right panel's title had the room from its left to the figure's right edge, the
    left one's to the next panel: the same words wrapped to 2 lines on the left and 4-5 on
    the right, an inch of white over the left panel."""
    metrics = ["final_trust.Russia.all", "final_trust.USA.all"]
    words = "Final effective number of poles (aligned states) among Arab League states"
    with at_page_width(6.5):
        (fig,) = sensitivity_figures(_sobol(metrics), "sobol", titles=dict.fromkeys(metrics, words))
        left, right = (ax for ax in fig.axes if ax.axison)
        assert left.get_position().x0 < right.get_position().x0
        lines = [ax.get_title(loc="left").count("\n") for ax in (left, right)]
        rendered(fig)
    assert lines[0] == lines[1], lines


@pytest.mark.parametrize("width", [6.5, 3.5])
def test_the_marks_at_0_stand_apart_from_the_names(width: float) -> None:
    """An x (an estimate below 0 drawn at 0) centred on the axis' edge touched the end of
    its parameter's name ("salience: same region✗")."""
    with at_page_width(width):
        fig = sensitivity_figures(_sobol(["final_trust.Russia.all"], low=True), "sobol")[0]
        render(fig)  # fitted to the page, then measured (not closed)
        renderer = _saved_renderer(fig)
        ax = next(ax for ax in fig.axes if ax.axison)
        marks = [
            line for line in ax.get_lines()
            if line.get_marker() == "x" and len(line.get_xdata())  # type: ignore[arg-type]
        ]  # fmt: skip
        assert marks
        names = [t for t in ax.get_yticklabels() if t.get_text()]
        right = max(t.get_window_extent(renderer).x1 for t in names)
        for mark in marks:
            xs = np.asarray(mark.get_xdata(), dtype=float)
            ys = np.asarray(mark.get_ydata(), dtype=float)
            centres = ax.transData.transform(np.column_stack([xs, ys]))[:, 0]
            # The x's half width, its stroke and white rim (3.2 pt wide) included, in
            # pixels; 2 pixels between it and the names.
            half = (mark.get_markersize() + mark.get_markeredgewidth() + 3.2) / 2 * fig.dpi / 72
            assert (centres - half > right + 2.0).all(), (centres - half, right)
        plt.close(fig)


def _morris(metrics: list[str]) -> pd.DataFrame:
    rows = [
        {"metric": m, "parameter": p, "mu_star": 0.01 * (i + 1), "mu_star_conf": 0.005,
         "sigma": 0.01, "mu": 0.01}
        for m in metrics
        for i, p in enumerate(PARAMETERS)
    ]  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize(("width", "most"), [(6.5, 3), (3.5, 2)])
def test_the_morris_label_takes_at_most_three_lines(width: float, most: int) -> None:
    """Its two lines each wrapped to the panel: "Elementary effect (the / metric's /
    change over the / parameter's range)" at 3.5 in; four lines at 6.5."""
    metrics = ["final_trust.Russia.all", "final_trust.USA.all"]
    with at_page_width(width):
        fig = sensitivity_figures(_morris(metrics), "morris")[0]
        labels = [ax.get_xlabel() for ax in fig.axes if ax.axison]
        rendered(fig)
    assert labels and all(label.count("\n") < most for label in labels), labels
