"""Decision 1030: ``run`` takes ``--width`` and ``--dpi`` as ``plot``, ``sweep`` and
``calibrate`` do (decisions 1024, 1026); a run's figures were drawn at the defaults, to be
drawn again with ``plot``."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from tests.test_dpi_1024 import TOUR, _pixels


def test_a_run_draws_its_figures_at_the_width_and_dpi_it_is_given(tmp_path: Path) -> None:
    assert main(["run", str(TOUR), "--out", str(tmp_path / "default")]) == 0
    assert main(["run", str(TOUR), "--out", str(tmp_path / "paper"), "--width", "6.5",
                 "--dpi", "300"]) == 0  # fmt: skip
    # The same figures as plot draws of the default run at those settings.
    assert main(["plot", str(tmp_path / "default"), "--out", str(tmp_path / "plot"),
                 "--width", "6.5", "--dpi", "300"]) == 0  # fmt: skip
    drawn = sorted(p.name for p in (tmp_path / "paper" / "plots").glob("*.png"))
    assert drawn and drawn == sorted(p.name for p in (tmp_path / "plot").glob("*.png"))
    for name in drawn:
        assert _pixels(tmp_path / "paper" / "plots" / name) == _pixels(tmp_path / "plot" / name)
        # 6.5 in or narrower at 300 dots per inch, where the default run's is wider.
        assert _pixels(tmp_path / "paper" / "plots" / name)[0] <= 6.5 * 300 + 2
    (widest,) = [p for p in (tmp_path / "default" / "plots").glob("trust_trajectories*.png")]
    assert _pixels(widest)[0] / 150 > 6.5


@pytest.mark.parametrize("option", [["--dpi", "300"], ["--width", "6.5"]])
def test_a_run_with_no_plots_refuses_a_width_or_dpi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str]
) -> None:
    out = tmp_path / "run"
    assert main(["run", str(TOUR), "--out", str(out), "--no-plots", *option]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"credsim: error: argument {option[0]}: ") and "--no-plots" in err[-1]
    assert not out.exists()


def test_stacked_trust_and_affinity_panels_are_said_above_and_below(tmp_path: Path) -> None:
    """At a single column's 3.3 in the trust and affinity panels of a group are drawn one
    under the other, and the caption said "(left)" and "(right)" (an outside check of the
    figures, decision 1033); at 6.5 in they stand side by side, as said."""
    syria = TOUR.parent / "syria.yaml"
    said = "in each power over time ({}) and mean affinity for each power ({})"
    for width, where in (("3.3", ("above", "below")), ("6.5", ("left", "right"))):
        out = tmp_path / width
        assert main(["run", str(syria), "--out", str(out), "--width", width]) == 0
        captions = (out / "plots" / "captions.md").read_text()
        assert said.format(*where) in captions
        assert said.format(*(("left", "right") if width == "3.3" else ("above", "below"))) not in (
            captions
        )
