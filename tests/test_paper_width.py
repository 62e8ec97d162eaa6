"""``credsim plot --width INCHES``: every figure drawn to fit a page's text width.

A figure of every group was 10 to 16 inches wide with 8 pt text, so that at a journal's
6.5 inch text width its text fell to 3 to 5 pt. With ``--width`` each saved file is at
most that wide (read back from the files), its text still at least 7 pt.
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text
from PIL import Image

from sim.cli import main
from sim.results import open_results
from tests import results_factory as factory

NB = "parameters.trust.negativity_bias"
MEM = "parameters.trust.memory"
METRIC = "final_trust.Russia.all"
QUESTION = {"text": "Does it?", "difference": ["base", "counter"], "metric": METRIC}
PAGE = 6.5
# The saved file's tight bounding box is rounded out to whole pixels at 150 dpi: one
# pixel over the page is the rounding, not the layout.
PIXEL_IN = 1.0 / 150.0


@pytest.fixture(autouse=True)
def _close_figures():  # type: ignore[no-untyped-def]
    yield
    plt.close("all")


def _sweep(tmp_path: Path) -> Path:
    """Three scenarios over a 3 x 2 grid, with a question: a headline, the trajectories,
    the alignment, the sweep figures and a heatmap of three scenarios by two powers."""
    return factory.write_sweep(
        tmp_path / "sweep",
        scenarios={"base": 0.0, "counter": -0.1, "third": 0.05},
        grid={NB: [1.0, 2.0, 3.0], MEM: [0.9, 0.99]},
        replicates=2,
        question=QUESTION,
    )


def _widths(folder: Path) -> dict[str, float]:
    """Each saved PNG's width in inches: its pixels at its recorded resolution."""
    widths = {}
    for path in sorted(folder.glob("*.png")):
        with Image.open(path) as image:
            dpi = float(image.info["dpi"][0])
            widths[path.name] = image.width / dpi
    return widths


def _plot(folder: Path, out: Path, *more: str) -> int:
    return main(["plot", str(folder), "--out", str(out), *more])


@pytest.mark.slow  # some 20 s: the figures drawn twice
def test_every_figure_of_a_sweep_fits_the_page(tmp_path: Path) -> None:
    folder = _sweep(tmp_path)
    assert _plot(folder, tmp_path / "wide") == 0
    wide = _widths(tmp_path / "wide")
    assert max(wide.values()) > PAGE + 2  # the figures the page is to hold are wider
    assert _plot(folder, tmp_path / "page", "--width", str(PAGE), "--across", NB) == 0
    page = _widths(tmp_path / "page")
    kinds = {name.split(".")[0].split("_")[0] for name in page}
    assert {"headline", "trust", "alignment", "sweep", "heatmap", "trajectories"} <= kinds
    assert {name: width for name, width in page.items() if width > PAGE + PIXEL_IN} == {}
    # Filled, not shrunk to a corner: the widest figures take most of the page.
    assert page["trust_trajectories.png"] > PAGE - 0.5
    assert (tmp_path / "page" / "report.html").is_file()


def test_every_figure_of_a_run_fits_the_page_and_so_does_a_pdf(tmp_path: Path) -> None:
    folder = factory.write_run(tmp_path / "run")
    assert _plot(folder, tmp_path / "page", "--width", "5") == 0
    widths = _widths(tmp_path / "page")
    assert set(widths) == {"trust_trajectories.png", "alignment.png"}
    assert all(width <= 5 + PIXEL_IN for width in widths.values()), widths
    assert _plot(folder, tmp_path / "pdf", "--width", "5", "--format", "pdf") == 0
    for pdf in (tmp_path / "pdf").glob("*.pdf"):
        box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([0-9.]+)", pdf.read_bytes())
        assert box is not None and float(box.group(1)) / 72.0 <= 5 + PIXEL_IN, pdf.name


def _texts(figure: plt.Figure) -> list[Text]:
    return [
        t
        for t in figure.findobj(Text)
        if isinstance(t, Text) and t.get_visible() and t.get_text().strip()
    ]


def test_no_text_under_7_points_at_a_page_width(tmp_path: Path) -> None:
    from sim.plots.figure import at_page_width
    from sim.plots.gallery import Selection, figures_for

    results = open_results(_sweep(tmp_path))
    with at_page_width(PAGE):
        entries = list(figures_for(results, Selection(across=NB)))
        small = {
            (entry.stem, text.get_text()[:30], float(text.get_fontsize()))
            for entry in entries
            for text in _texts(entry.figure)
            if float(text.get_fontsize()) < 7.0
        }
    assert len(entries) >= 6
    assert small == set()


@pytest.mark.parametrize("width", ["2", "31", "abc", "nan", "-6.5"])
def test_a_width_that_is_no_page_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], width: str
) -> None:
    folder = factory.write_run(tmp_path / "run")
    out = tmp_path / "figures"
    assert _plot(folder, out, f"--width={width}") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "--width" in err[0] and "inches" in err[0] and "6.5" in err[0]
    assert not out.exists()
    assert not (folder / "plots").exists()


def test_a_figure_that_cannot_fit_is_named_with_its_width(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A figure whose panels cannot narrow enough for the page is drawn as narrow as it
    goes and said, in one line, to be wider than the page. (Three inches held no row of
    four alignment panels; since decision 956 they wrap onto more rows and fit, so here
    the alignment figure is laid out for 6 inches and its panels may not narrow under 4.)"""
    from sim.plots import alignment, figure

    monkeypatch.setattr(figure, "MIN_AXES_IN", 4.0)
    monkeypatch.setattr(alignment, "page_room", lambda: 6.0)
    folder = _sweep(tmp_path)
    assert _plot(folder, tmp_path / "narrow", "--width", "3") == 0
    err = capsys.readouterr().err.splitlines()
    widths = _widths(tmp_path / "narrow")
    over = {name for name, width in widths.items() if width > 3 + PIXEL_IN}
    assert over  # the alignment figure, at least
    for name in over:
        (line,) = [e for e in err if name in e]
        assert f"{widths[name]:.2f} in wide" in line and "--width 3" in line


def test_metrics_on_a_sweep_of_one_design_point_is_said_to_draw_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = factory.write_sweep(tmp_path / "one", grid={NB: [2.0]}, replicates=2)
    assert _plot(folder, tmp_path / "figures", "--metrics", "final_trust") == 0
    err = capsys.readouterr().err.splitlines()
    said = [line for line in err if "--metrics" in line]
    assert len(said) == 1
    assert "one design point" in said[0] and "no sweep figures" in said[0]
    assert (tmp_path / "figures" / "trust_trajectories.png").is_file()  # still drawn


def test_metrics_on_a_swept_folder_says_nothing_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = factory.write_sweep(tmp_path / "two", grid={NB: [1.0, 2.0]}, replicates=1)
    assert _plot(folder, tmp_path / "figures", "--metrics", "final_trust") == 0
    assert "--metrics" not in capsys.readouterr().err


def test_analyze_draws_its_bar_charts_to_the_page_width(tmp_path: Path) -> None:
    """``credsim analyze --width`` draws the Sobol bars (the same figures as plot's) and
    their caption within the page; without it the chart is wider than 5 inches."""
    from sim.sweep import load_experiment, run_sweep
    from tests.test_analyze import _experiment, _linear

    folder = tmp_path / "out"
    run_sweep(
        load_experiment(_experiment(tmp_path, "sobol", 16)), folder, run_fn=_linear, quiet=True
    )
    assert main(["analyze", str(folder), "--method", "sobol"]) == 0
    assert max(_widths(folder / "analysis").values()) > 5 + PIXEL_IN
    assert main(["analyze", str(folder), "--method", "sobol", "--width", "5"]) == 0
    widths = _widths(folder / "analysis")
    assert widths and all(width <= 5 + PIXEL_IN for width in widths.values()), widths
