"""Decision 1026: ``sweep`` and ``calibrate`` take ``--width INCHES`` and ``--dpi N``, as
``plot`` does (decisions 951, 1024): the figures they draw at the end are drawn at them,
the report page keeps embedding its figures at 150, and either given draws a finished
folder's figures again (nothing is run again). Bad values are the one line ``plot``
says, before anything is written; with ``--no-plots`` they are refused."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

from sim.calibrate.run import run_calibration
from sim.calibrate.toy import BinomialProblem
from sim.cli import main
from sim.integrity import require_intact
from tests.test_calibrate import toy
from tests.test_calibrate_patterns import small_set, votes_folder

REPO = Path(__file__).resolve().parent.parent
TOUR = str(REPO / "scenarios" / "tour.yaml")
SWEEP = ["sweep", TOUR, "--vary", "parameters.trust.negativity_bias=1,2", "--workers", "1"]


def _pixels(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _images(page: Path) -> list[str]:
    return re.findall(r'src="data:image/png;base64,([^"]+)"', page.read_text())


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.png"))}


def _twice_the_pixels(low: dict[str, bytes], high: dict[str, bytes], folder: Path) -> None:
    """The same figures in inches (within what matplotlib's text measures differ by between
    resolutions: hinted at 150, the toy's legend and caption are 0.16 in wider in a 3.9-in
    figure, the same words on the same lines), at about twice the pixels each way."""
    assert low and sorted(high) == sorted(low)
    for name in low:
        w, h = struct.unpack(">II", low[name][16:24])
        w2, h2 = _pixels(folder / name)
        assert abs(w2 / 300 - w / 150) <= 0.2 and abs(h2 / 300 - h / 150) <= 0.2, name
        assert w2 > 1.8 * w and h2 > 1.8 * h, name


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    home = tmp_path_factory.mktemp("sweeps")
    out = {"default": home / "default", "300": home / "300"}
    assert main([*SWEEP, "--out", str(out["default"]), "--quiet"]) == 0
    assert main([*SWEEP, "--out", str(out["300"]), "--quiet", "--dpi", "300"]) == 0
    return out


def test_a_sweep_saves_its_figures_at_dpi_and_its_page_embeds_them_at_150(
    swept: dict[str, Path],
) -> None:
    low = _files(swept["default"] / "plots")
    _twice_the_pixels(low, _files(swept["300"] / "plots"), swept["300"] / "plots")
    page = _images(swept["default"] / "report.html")
    assert page and _images(swept["300"] / "report.html") == page


def test_a_finished_sweep_is_drawn_again_at_a_width_or_dpi_given_and_only_then(
    swept: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    folder = tmp_path / "again"
    shutil.copytree(swept["default"], folder)
    before = _files(folder / "plots")
    capsys.readouterr()
    # Without either, a finished sweep is left as it is (as before).
    assert main([*SWEEP, "--out", str(folder), "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "writing figures" not in said and "; nothing to do" in said
    assert _files(folder / "plots") == before
    # With --width, its figures are drawn again to the page (nothing run again).
    assert main([*SWEEP, "--out", str(folder), "--quiet", "--width", "4"]) == 0
    said = capsys.readouterr().out
    assert "is already complete" in said and "writing figures" in said
    # Said as what happens, not "nothing to do" before the drawing (decision 1029).
    assert "; its figures and report.html are drawn again" in said
    assert "nothing to do" not in said
    narrower = _files(folder / "plots")
    assert sorted(narrower) == sorted(before)
    for name, data in narrower.items():
        w, _ = struct.unpack(">II", data[16:24])
        assert w / 150 <= 4 + 1 / 150 < struct.unpack(">II", before[name][16:24])[0] / 150
    # With --dpi, at that resolution; the page still at 150.
    assert main([*SWEEP, "--out", str(folder), "--quiet", "--dpi", "300"]) == 0
    _twice_the_pixels(before, _files(folder / "plots"), folder / "plots")
    assert _images(folder / "report.html") == _images(swept["default"] / "report.html")


def test_a_calibration_saves_its_figures_at_dpi_and_its_page_embeds_them_at_150(
    tmp_path: Path,
) -> None:
    cal = toy(tmp_path, population=50, max_simulations=300)
    for name, dpi in (("default", None), ("300", 300.0)):
        run_calibration(cal, BinomialProblem(), tmp_path / name, workers=1, quiet=True, dpi=dpi)
    low = _files(tmp_path / "default" / "figures")
    _twice_the_pixels(low, _files(tmp_path / "300" / "figures"), tmp_path / "300" / "figures")
    page = _images(tmp_path / "default" / "report.html")
    assert len(page) == len(low) and _images(tmp_path / "300" / "report.html") == page
    require_intact(tmp_path / "300")  # the files at 300 are the ones recorded


def test_plot_of_a_calibration_says_which_command_draws_its_figures_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cal"
    cal = toy(tmp_path, population=50, max_simulations=300)
    run_calibration(cal, BinomialProblem(), folder, workers=1, quiet=True, figures=False)
    assert main(["plot", str(folder), "--dpi", "300"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"'{folder}' holds a calibration, not a run or a sweep" in err[0]
    assert (
        "; the 'credsim calibrate' command that wrote it, given --width or --dpi, draws " in err[0]
    )


@pytest.mark.slow
def test_calibrate_draws_a_finished_calibrations_figures_again_at_width_and_dpi(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    out = tmp_path / "out"
    argv = ["calibrate", str(path), "--out", str(out), "--workers", "1", "--quiet"]
    argv += ["--votes", str(votes_folder())]
    assert main(argv) == 0
    before = _files(out / "figures")
    page = _images(out / "report.html")
    capsys.readouterr()
    assert main([*argv, "--width", "3.5", "--dpi", "300"]) == 0
    said = capsys.readouterr()
    assert said.out.rstrip().endswith("; its figures and report.html are drawn again")
    after = _files(out / "figures")
    assert sorted(after) == sorted(before) and len(after) >= 2
    for name, data in after.items():
        w, h = struct.unpack(">II", data[16:24])
        assert h > 1.5 * struct.unpack(">II", before[name][16:24])[1], name  # at 300
        # Fitted to 3.5 in, or named as wider (read back at its own resolution).
        assert w / 300 <= 3.5 + 1 / 150 or (
            f"credsim: note: figures/{name} is {w / 300:.2f} in wide, wider than --width 3.5"
            in said.err
        ), name
    assert len(_images(out / "report.html")) == len(page)
    require_intact(out)  # the figures drawn again are recorded
    assert main(["check", str(out)]) == 0
    # Without them, a finished calibration is left as it is.
    capsys.readouterr()
    assert main(argv) == 0
    assert capsys.readouterr().out.rstrip().endswith("; nothing to do")
    assert _files(out / "figures") == after


@pytest.mark.parametrize("command", ["sweep", "calibrate"])
@pytest.mark.parametrize(
    "option, value, said",
    [
        ("--dpi", "20", "argument --dpi: 20 is outside 72 to 1200 dots per inch"),
        ("--dpi", "x", "argument --dpi: 'x' is not a number; give dots per inch, e.g. 300"),
        ("--width", "2", "argument --width: '2' is not a page's width"),
    ],
)
def test_a_bad_width_or_dpi_is_plots_one_line_before_anything(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    option: str,
    value: str,
    said: str,
) -> None:
    out = tmp_path / "out"
    given = TOUR if command == "sweep" else str(REPO / "calibrations" / "recovery.yaml")
    assert main([command, given, "--out", str(out), option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0] and f"'credsim {command} --help'" in err[0]
    assert not out.exists()
    # plot says the same of it.
    assert main(["plot", str(tmp_path), option, value]) == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("command", ["sweep", "calibrate"])
@pytest.mark.parametrize("option, value", [("--dpi", "300"), ("--width", "6.5")])
def test_width_or_dpi_with_no_plots_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, option: str, value: str
) -> None:
    out = tmp_path / "out"
    given = TOUR if command == "sweep" else str(REPO / "calibrations" / "recovery.yaml")
    assert main([command, given, "--out", str(out), "--no-plots", option, value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"credsim: error: argument {option}: sets how the figures are drawn, and --no-plots "
        f"draws none; drop one of them (see 'credsim {command} --help')"
    ]
    assert not out.exists()
