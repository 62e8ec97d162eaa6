"""An outside check (decision 924): a correlation's target read as a measured value, a
legend that counted a member without votes, and generations kept whose lines were not
printed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sim.calibrate.problem import Statistic
from sim.calibrate.run import checks_table, observed_kinds, run_calibration
from sim.cli import main
from sim.patterns import load_patterns
from tests.test_calibrate import toy
from tests.test_observed import drawn_figures, real_votes

REPO = Path(__file__).resolve().parent.parent
VIETNAM = REPO / "scenarios" / "vietnam_usa.yaml"


def _pattern_file(tmp_path: Path) -> Path:
    """The reviewer's correlation, with a change pattern beside it."""
    path = tmp_path / "vn_allies.yaml"
    path.write_text(
        "name: vn_allies\n"
        f"scenario: {VIETNAM}\n"
        "link: {power: USA, rival: USSR, measure: split_agreement, reference: [1969, 1970],"
        " beta: 0.5}\n"
        "patterns:\n"
        "  - {id: levels, role: holdout, statistic: correlation, group: all,"
        " years: [1969, 1971], tolerance: bootstrap, source: reviewer test}\n"
        "  - {id: drift, role: calibrate, statistic: change, group: us_allies_asia,"
        " before: [1969, 1970], after: [1972, 1974], tolerance: 0.1, source: reviewer test}\n"
    )
    return path


def test_a_correlations_target_is_said_to_be_one_in_the_table_report_and_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A correlation's "observed" 1.000 is its target (decision 40), yet the table, report.md
    and patterns.csv showed it under "observed" alone, read as a measured correlation. A
    line under the printed and reported tables says it is the target; the CSV keeps its
    columns and adds ``observed_is``."""
    out = tmp_path / "out"
    argv = ["patterns", "check", str(_pattern_file(tmp_path)), "--reps", "1"]
    assert main([*argv, "--votes", str(real_votes()), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in printed.splitlines() if line.strip()}
    # The table's cells stay numbers (a script splitting its rows reads them); a line
    # under the table says what the correlation's 1 is.
    assert float(rows["levels"][1]) == 1.0 and float(rows["drift"][1]) < 0, printed
    said = (
        "levels: a correlation, whose observed 1.000 is its target (a perfect match), not a "
        "measured value"
    )
    assert said in printed.splitlines(), printed
    report = (out / "report.md").read_text()
    assert "| levels | 1.000 | " in report and said in report.splitlines()
    assert "drift: a correlation" not in printed
    table = pd.read_csv(out / "patterns.csv").set_index("id")
    assert list(table.columns) == [
        "role",
        "observed",
        "simulated",
        "tolerance",
        "discrepancy",
        "pass",
        "observed_is",
    ]
    assert table.loc["levels", "observed"] == 1.0
    assert table["observed_is"].to_dict() == {"levels": "target", "drift": "observed"}


def test_a_calibrations_checks_say_which_value_is_a_target(tmp_path: Path) -> None:
    """A calibration's checks.csv (and its report page, which shows that table) gave the
    correlation's 1 as "observed"; ``observed_is`` now says ``target``, and ``truth`` for
    every statistic of a --truth calibration, whose values are simulated ones."""

    class Problem:
        def __init__(self) -> None:
            self.files = {"vn_allies": load_patterns(_pattern_file(tmp_path))}
            self.statistics = (
                Statistic("vn_allies/levels", "holdout", 1.0, 0.4),
                Statistic("vn_allies/drift", "calibrate", -0.2, 0.1),
            )

    problem: Any = Problem()
    kinds = observed_kinds(problem, {})
    assert kinds == {"vn_allies/levels": "target", "vn_allies/drift": "observed"}
    assert set(observed_kinds(problem, {"link.beta": 1.0}).values()) == {"truth"}
    predictive = pd.DataFrame(
        {"variant": "default", "vn_allies/levels": [0.8, 0.9], "vn_allies/drift": [-0.1, -0.3]}
    )
    observed = {"vn_allies/levels": 1.0, "vn_allies/drift": -0.2}
    checks = checks_table(predictive, problem.statistics, observed, kinds)
    assert checks.columns[-1] == "observed_is"
    assert checks.set_index("pattern")["observed_is"].to_dict() == kinds
    assert checks.set_index("pattern").loc["vn_allies/levels", "observed"] == 1.0


def test_observe_legend_counts_the_members_with_votes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`observe --group us_allies_asia --years 1965-1979 --plot` put "US Allies Asia (7
    members), mean" in the legend, though South Korea votes from 1991 only: the mean is of
    6 at most (the caption said so). The legend now says it as the pattern figures do."""
    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(real_votes()), "--power", "USA", "--rival", "USSR"]
    argv += ["--scenario", str(VIETNAM), "--group", "us_allies_asia", "--years", "1965-1979"]
    assert main([*argv, "--plot", str(tmp_path / "f.png")]) == 0
    legend = figures[0].axes[0].get_legend()
    labels = [text.get_text() for text in legend.get_texts()]
    assert labels[0] == "US Allies Asia (6 of 7 members counted), mean", labels


def test_observe_legend_of_a_group_whose_members_all_vote_is_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(real_votes()), "--power", "Russia", "--rival", "USA"]
    argv += ["--scenario", str(REPO / "scenarios" / "syria.yaml"), "--group", "africa_partners"]
    assert main([*argv, "--years", "2012-2014", "--plot", str(tmp_path / "f.png")]) == 0
    labels = [text.get_text() for text in figures[0].axes[0].get_legend().get_texts()]
    assert labels[0] == "Africa Partners (6 members), mean", labels


def test_a_generation_stored_as_the_calibration_is_stopped_has_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """SIGTERM between a generation's being stored and its progress line: the command said
    "the 9 finished generations are kept" after "generation 7", and the same command went
    on at generation 9. Every generation kept now has its line, printed before the
    command's last one; a line is printed once."""
    import pyabc

    from sim.cli import Terminated, _interrupted_text
    from sim.errors import kept_of

    stored = pyabc.ABCSMC.run_generation

    def stopped_after_storing(self: Any, t: int) -> dict[str, Any]:
        result = stored(self, t)
        if t == 1:  # generation 1 is in the history; the signal comes before its line
            raise Terminated(15)
        return dict(result)

    monkeypatch.setattr(pyabc.ABCSMC, "run_generation", stopped_after_storing)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt) as stopped:
        run_calibration(toy(tmp_path, population=30, max_simulations=3000),
                        toy_problem(), out, workers=1, figures=False)  # fmt: skip
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("generation ")]
    assert [line.split(":")[0] for line in lines] == ["generation 0", "generation 1"], err
    assert lines[1].startswith("generation 1: epsilon "), lines
    assert "acceptance nan" not in lines[1] and "/3000 simulations" in lines[1], lines
    assert kept_of(stopped.value) == (2, out)
    assert json.loads((out / "manifest.json").read_text())["generations"] == 2
    assert _interrupted_text("calibrate", "terminated (SIGTERM)", kept_of(stopped.value)) == (
        f"credsim: terminated (SIGTERM); the 2 finished generations are kept in {out}: run "
        "the same command again to go on from them"
    )


def test_a_caught_up_line_matches_the_line_the_run_would_have_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The late line reads the history as the loop's does: the same epsilon, acceptance
    and simulations as an uninterrupted run's line of that generation."""
    import pyabc

    from sim.calibrate.smc import Progress

    out = tmp_path / "out"
    run_calibration(toy(tmp_path, population=30, max_simulations=600),
                    toy_problem(), out, workers=1, figures=False)  # fmt: skip
    printed = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("generation ")
    ]
    progress = Progress(0.5, 600, 0, quiet=False)
    progress.catch_up(pyabc.History(f"sqlite:///{out / 'history.db'}", _id=1))
    again = [line for line in capsys.readouterr().err.splitlines()]

    def fields(line: str) -> str:  # without the rate and ETA, which depend on the clock
        return line.split(" simulations (")[0]

    assert [fields(line) for line in again] == [fields(line) for line in printed]


def toy_problem() -> Any:
    from sim.calibrate.toy import BinomialProblem

    return BinomialProblem()
