"""Decision 1036: four defects an outside check of the figures at a page's width found
(decision 1032), read back from the drawn figures.

1. The headline map's zero contour ran through cell numbers between their digits
   ("-0.00259" read "-0:00259"): the rim round each digit stopped the line at the digit's
   edge only. The contour now stops short of every number's box.
2. Pattern figures wider than the page: at --dpi 300 the legend, fitted to the page at
   150 dpi, was 3% wider (India 1962 6.56 in at --width 6.5); at 3.3 in the y label ran
   left of the figure's edge, and the legend and caption, at the edge, widened the file
   by as much (3.35 in).
4. The sino_soviet correlation figure's "Pakistan" lay under another state's dot, between
   its own point and Cuba's: each name is now nearer its own point than any other.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.text import Text

from tests.test_headline_fit import BIAS, CLAIM1, MEMORY, _drawn, _headline, _labels
from tests.test_observed import real_votes
from tests.test_page_width_962 import _renderer

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


def _pixels(fig: Figure) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()  # type: ignore[attr-defined]


def _box_pixels(pixels: np.ndarray, label: Text, fig: Figure) -> np.ndarray:
    """The pixels of ``label``'s text box (rows from the top of the image)."""
    box = label.get_window_extent(fig.canvas.get_renderer())  # type: ignore[attr-defined]
    high = pixels.shape[0]
    rows = slice(max(0, int(np.floor(high - box.y1))), int(np.ceil(high - box.y0)))
    cols = slice(max(0, int(np.floor(box.x0))), int(np.ceil(box.x1)))
    return pixels[rows, cols]


def _along(vertices: np.ndarray, steps: int = 200) -> np.ndarray:
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return np.concatenate([a + t * (b - a) for a, b in itertools.pairwise(vertices)])


def _inside(box: Any, points: np.ndarray) -> np.ndarray:
    """Which of ``points`` (pixels, one a row) lie inside ``box``, its edges left out, as
    ``Bbox.contains`` counts them (one comparison of arrays, not a call a point)."""
    x, y = points[:, 0], points[:, 1]
    return (box.x0 < x) & (x < box.x1) & (box.y0 < y) & (y < box.y1)


@pytest.mark.parametrize("width", [None, 6.5])
def test_the_zero_contour_leaves_every_cell_numbers_box_untouched(width: float | None) -> None:
    """claim1_boundary's 8 x 8 map: the contour's path runs through several numbers'
    boxes, and drawing it changes no pixel inside any number's box (drawn with the
    contour and without it)."""
    fig = _drawn(_headline(CLAIM1, BIAS, MEMORY), width)
    ax = fig.axes[0]
    (contour,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    labels = [t for t in _labels(fig) if t.get_visible()]
    assert len(labels) == 64
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    line = np.concatenate([ax.transData.transform(_along(p.vertices)) for p in contour.get_paths()])
    crossed = [t for t in labels if _inside(t.get_window_extent(renderer), line).any()]
    assert len(crossed) >= 3, [t.get_text() for t in crossed]

    with_line = _pixels(fig)
    contour.set_visible(False)
    without = _pixels(fig)
    changed = [
        t.get_text()
        for t in labels
        if not np.array_equal(_box_pixels(with_line, t, fig), _box_pixels(without, t, fig))
    ]
    assert changed == []


_CHECKED: dict[float | None, dict[str, Any]] = {}


@pytest.fixture(scope="module")
def sino_soviet(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``patterns check`` of sino_soviet's India and initial-conditions patterns at a
    width (None: the default; else at 300 dpi), run once a width: each figure as drawn
    and its saved bytes, by its title's words before "(", the width and the
    correlation panel's input."""

    def checked(width: float | None) -> dict[str, Any]:
        if width not in _CHECKED:
            _CHECKED[width] = _check(width, tmp_path_factory.mktemp("sino"))
        return _CHECKED[width]

    return checked


def _check(width: float | None, tmp: Path) -> dict[str, Any]:
    import sim.plots.figure
    import sim.plots.observed
    from sim.cli import main

    text = (REPO / "patterns" / "sino_soviet.yaml").read_text()
    head, _, rest = text.partition("patterns:\n")
    kept = [b for b in rest.split("  - id: ")[1:] if b.startswith(("india_", "initial_"))]
    head = head.replace(
        "../scenarios/sino_soviet.yaml", str(REPO / "scenarios" / "sino_soviet.yaml")
    )
    path = tmp / "sino_soviet.yaml"
    path.write_text(head + "patterns:\n" + "".join(f"  - id: {b}" for b in kept))
    figures: dict[str, tuple[Figure, bytes]] = {}
    panel: dict[str, Any] = {}
    render, original = sim.plots.figure.render, sim.plots.observed.correlation_panel

    def watched(fig: Figure, fmt: str = "png", dpi: float | None = None) -> bytes:
        data = render(fig, fmt, dpi)
        title = next(ax.get_title(loc="left") for ax in fig.axes if ax.get_title(loc="left"))
        figures[" ".join(title.split("(")[0].split())] = (fig, data)
        return data

    def recorded(ax: Any, gap: Any, votes: Any, states: list[str], **kw: Any) -> list[str]:
        panel.update(ax=ax, gap=np.asarray(gap), votes=np.asarray(votes), states=states)
        return original(ax, gap, votes, states, **kw)

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(sim.plots.figure, "render", watched)
    monkeypatch.setattr(sim.plots.observed, "correlation_panel", recorded)
    monkeypatch.setattr(plt, "close", lambda *a, **k: None)
    try:
        argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
        page = ["--width", str(width), "--dpi", "300"] if width is not None else []
        assert main([*argv, *page, "--out", str(tmp / "out")]) == 0
    finally:
        monkeypatch.undo()
    return {"figures": figures, "width": width, "panel": panel}


@pytest.mark.parametrize("width", [6.5, 3.3])
def test_every_pattern_figure_fits_the_page_at_300_dpi(sino_soviet: Any, width: float) -> None:
    """Read from each saved file: its pixels at 300 dpi no wider than the page."""
    from sim.plots.figure import saved_size_in

    figures = sino_soviet(width)["figures"]
    assert set(figures) == {"India 1962", "India Recovery", "Initial Conditions"}
    wide = {name: saved_size_in(data, "png", 300.0)[0] for name, (_, data) in figures.items()}
    assert all(inches <= width for inches in wide.values()), wide


@pytest.mark.parametrize("width", [None, 6.5])
def test_each_point_name_is_nearest_its_own_point(sino_soviet: Any, width: float | None) -> None:
    """Each name of the correlation panel nearer (its box to a dot's centre) its own
    state's point than any other point, and over no other name. (At 3.3 in no place
    beside its point is clear of the others for "Pakistan", which keeps its line.)"""
    from sim.observed.names import in_text

    panel = sino_soviet(width)["panel"]
    ax = panel["ax"]
    renderer = _renderer(ax.get_figure())
    keep = np.isfinite(panel["gap"]) & np.isfinite(panel["votes"])
    states = [s for s, k in zip(panel["states"], keep, strict=True) if k]
    points = ax.transData.transform(np.column_stack([panel["gap"][keep], panel["votes"][keep]]))
    names = [t for t in ax.texts if t.get_text()]
    assert {t.get_text() for t in names} >= {"Pakistan", "Cuba"}
    boxes = [t.get_window_extent(renderer) for t in names]
    for text, box in zip(names, boxes, strict=True):
        reach = [
            np.hypot(max(box.x0 - px, 0.0, px - box.x1), max(box.y0 - py, 0.0, py - box.y1))
            for px, py in points
        ]
        own = [k for k, state in enumerate(states) if in_text(state) == text.get_text()]
        assert len(own) == 1
        others = [r for k, r in enumerate(reach) if k != own[0]]
        assert reach[own[0]] < min(others), (text.get_text(), reach[own[0]], min(others))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)


def test_a_title_breaks_at_a_space_before_an_underscore(tmp_path: Path) -> None:
    """At 6.5 in a scenario's alignment column is 1.52 in wide: "Alignment, www_www",
    wider than that as drawn, broke as "Alignment, www_" over "www" where "Alignment,"
    over "www_www" fits. A title line ends in an underscore only where a word is longer
    than the line (then no line of the title holds a space after its break)."""
    from sim.plots.figure import at_page_width, render
    from tests.test_cross_case_figures import _entries, named_sweep

    folder = named_sweep(tmp_path / "names", {"base": 0.0, "www_www": -0.1})
    with at_page_width(6.5):
        figure = _entries(folder)["alignment"].figure
        render(figure)
    titles = [ax.get_title(loc="left") for ax in figure.axes if ax.get_title(loc="left")]
    assert any("www_www" in " ".join(t.split()) for t in titles)
    for title in titles:
        for line in title.split("\n")[:-1]:
            assert not (line.endswith("_") and " " in line), title
