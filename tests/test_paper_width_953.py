"""Decision 953: ``--width INCHES`` for the figures of ``compare``, ``observe --plot`` and
``patterns check``, which decision 951 gave to ``plot`` and ``analyze`` only; and a
figure that cannot fit the width said by those commands, as ``plot`` says it. Each test
fails on the code before the decision (the option did not exist)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from sim.cli import main
from tests.test_calibrate_patterns import small_set, votes_folder
from tests.test_paper_width import PAGE, PIXEL_IN, _close_figures  # noqa: F401 (autouse)

ROOT = Path(__file__).resolve().parents[1]
TOUR = ROOT / "scenarios" / "tour.yaml"


def _width(path: Path) -> float:
    """A saved PNG's width in inches: its pixels at its recorded resolution."""
    with Image.open(path) as image:
        return image.width / float(image.info["dpi"][0])


def _two_runs(tmp_path: Path) -> tuple[Path, Path]:
    """Runs of the tour and of the tour without its withdrawal, with their series: a
    comparison with a panel over time (13 in wide by default)."""
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text(f"extends: {TOUR}\nname: quiet\nremove_events: [withdrawal]\n")
    runs = tmp_path / "tour", tmp_path / "quiet"
    for scenario, out in zip((TOUR, quiet), runs, strict=True):
        assert main(["run", str(scenario), "--out", str(out)]) == 0
    return runs


def test_compare_draws_its_figure_to_the_page_width(tmp_path: Path) -> None:
    first, second = _two_runs(tmp_path)
    argv = ["compare", str(first), str(second), "--metric", "final_trust.Patron.all"]
    assert main([*argv, "--out", str(tmp_path / "wide")]) == 0
    (wide,) = (tmp_path / "wide").glob("*.png")
    assert _width(wide) > PAGE + 1.0  # the test can fail: the default is wider
    assert main([*argv, "--out", str(tmp_path / "page"), "--width", str(PAGE)]) == 0
    (page,) = (tmp_path / "page").glob("*.png")
    assert _width(page) <= PAGE + PIXEL_IN


def test_compare_names_a_figure_that_cannot_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """At 3 in the panels cannot keep 0.9 in beside their samples' names, each a word
    longer than half the page: the figure is saved as narrow as it goes, and said. (Of
    the tour's runs named "tour" and "quiet" the figure fits 3 in since decision 1035: its
    legend, not its panels, had run past the page.)"""
    first, second = _two_runs(tmp_path)
    long = tmp_path / "thetourofthepatronanditsclient", tmp_path / "thetourwithoutitswithdrawal"
    for given, renamed in zip((first, second), long, strict=True):
        given.rename(renamed)
    first, second = long
    capsys.readouterr()
    argv = ["compare", str(first), str(second), "--metric", "final_trust.Patron.all"]
    assert main([*argv, "--out", str(tmp_path / "narrow"), "--width", "3"]) == 0
    (saved,) = (tmp_path / "narrow").glob("*.png")
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "wider than --width 3" in ln]
    (note,) = notes
    assert note.startswith(
        "credsim: note: the figure 'Final trust in Patron among all states' is "
        f"{_width(saved):.2f} in wide, wider than --width 3: its panels at their narrowest "
        "beside their labels need more room than that"
    )
    # Taller than a page at 3 in too (decision 960): said in the same note.
    assert note.endswith("need more room than that") and note.count("in tall") <= 1


def test_observe_draws_its_figure_to_the_page_width(tmp_path: Path) -> None:
    argv = ["observe", "--votes", str(votes_folder()), "--power", "Russia", "--rival", "USA"]
    argv += ["--scenario", str(ROOT / "scenarios" / "syria.yaml"), "--group", "arab_league"]
    argv += ["--years", "2005-2019"]
    assert main([*argv, "--plot", str(tmp_path / "wide.png")]) == 0
    assert _width(tmp_path / "wide.png") > PAGE + 0.5
    assert main([*argv, "--plot", str(tmp_path / "page.png"), "--width", str(PAGE)]) == 0
    assert _width(tmp_path / "page.png") <= PAGE + PIXEL_IN


def test_patterns_check_draws_its_figures_to_the_page_width(tmp_path: Path) -> None:
    small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    argv = ["patterns", "check", str(tmp_path / "small.yaml"), "--reps", "1", "--engine", "fast"]
    argv += ["--votes", str(votes_folder())]
    assert main([*argv, "--out", str(tmp_path / "wide")]) == 0
    wide = sorted((tmp_path / "wide" / "figures").glob("*.png"))
    assert wide and max(_width(p) for p in wide) > PAGE + 0.5
    assert main([*argv, "--out", str(tmp_path / "page"), "--width", str(PAGE)]) == 0
    page = sorted((tmp_path / "page" / "figures").glob("*.png"))
    assert [p.name for p in page] == [p.name for p in wide]
    assert all(_width(p) <= PAGE + PIXEL_IN for p in page), {p.name: _width(p) for p in page}
