"""What an outside check of the README's commands found said better (decision 934): the
answer's sign in words, compare's terminal giving the t interval first with few runs, a
stale $CREDSIM_VOTES named as such, and "did" spelled out in a pattern's caption."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from tests.test_headline import _headline

TINY = Path(__file__).parent / "data" / "sweep" / "tiny.yaml"


@pytest.mark.parametrize(
    ("mean", "lo", "hi", "said"),
    [
        (
            0.05,
            0.048,
            0.051,
            "So final trust in USA among all states is higher under a than under b",
        ),
        (
            -0.05,
            -0.06,
            -0.04,
            "So final trust in USA among all states is lower under a than under b",
        ),
        (
            0.01,
            -0.02,
            0.04,
            "The interval includes zero: no clear difference between a and b here.",
        ),
    ],
)
def test_the_answer_says_its_sign_in_words(mean: float, lo: float, hi: float, said: str) -> None:
    """The flagship's question asks yes or no, and its answer was a signed number to read
    (+0.0496 [95% t interval +0.0480 to +0.0511]): the sentence now says which scenario
    is higher, or that the interval includes zero. Without an interval (one pair) it says
    nothing of it."""
    cells = pd.DataFrame({"x": [1], "y": [1], "mean": [mean], "lo": [lo], "hi": [hi], "n": [5]})
    sentence = _headline(cells, at_reference=(mean, lo, hi, 5)).sentence()
    assert said in sentence
    lone = _headline(cells, at_reference=(mean, float("nan"), float("nan"), 1)).sentence()
    assert "higher under" not in lone and "lower under" not in lone and "includes zero" not in lone


def test_compare_gives_the_t_interval_first_on_the_terminal_with_few_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README: "with fewer than 10 runs a side ... the figure and the terminal then
    give the t interval first". The terminal's header said "with its bootstrap 95%
    interval" and its table put ci_low, ci_high first; the CSV keeps its order."""
    out = tmp_path / "sweep"
    # Alignment draws (temperature above 0) make the pairs' differences differ.
    argv = [
        "sweep",
        str(TINY),
        "--vary",
        "parameters.alignment.temperature=0.5,1.0",
        "--reps",
        "3",
        "--out",
        str(out),
        "--executor",
        "serial",
        "--quiet",
        "--no-plots",
    ]
    assert main(argv) == 0
    capsys.readouterr()
    metric = "final_trust.Patron.all"
    argv = ["compare", str(out), "--metric", metric, "--by", "parameters.alignment.temperature"]
    assert main([*argv, "--out", str(tmp_path / "c")]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == (
        f"{metric}: difference b - a with its Student t 95% interval (t_low, t_high) and its "
        "bootstrap 95% interval (ci_low, ci_high)"
    )
    header = next(line for line in printed.splitlines() if line.startswith("| metric"))
    assert header.index("| t_low |") < header.index("| ci_low |")
    (csv,) = (tmp_path / "c").glob("*.csv")
    columns = list(pd.read_csv(csv).columns)
    assert columns.index("ci_low") < columns.index("t_low")


def test_a_stale_credsim_votes_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder from $CREDSIM_VOTES that does not exist was said as the folder alone,
    which the user had not typed; --votes is said as before."""
    monkeypatch.setenv("CREDSIM_VOTES", str(tmp_path / "nowhere"))
    argv = ["observe", "--power", "Russia", "--states", "Egypt"]
    assert main(argv) == 2
    assert (
        f"vote data folder '{tmp_path / 'nowhere'}' does not exist (from CREDSIM_VOTES; give "
        "--votes DIR or set CREDSIM_VOTES to the folder holding the unvotes tables)"
        in capsys.readouterr().err
    )
    assert main([*argv, "--votes", str(tmp_path / "elsewhere")]) == 2
    err = capsys.readouterr().err
    assert f"'{tmp_path / 'elsewhere'}' does not exist; the UN votes" in err


def test_a_did_patterns_caption_spells_out_its_statistic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pattern figure's caption began "syria: did, observed ...", "did" read as a
    verb by a researcher new to the abbreviation."""
    import numpy as np

    from tests.test_observed import _caption, drawn_figures, real_votes
    from tests.test_patterns import _fake_gaps, _pattern_file

    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    figures = drawn_figures(monkeypatch)
    path = _pattern_file(tmp_path)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    assert ": difference in differences (did), observed " in _caption(figures[0])


def test_compare_of_two_runs_says_what_sets_them_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 935: the README's compare of a tour run and one with negativity bias 3
    named both "run of tour"; the caption now gives each run's --set values (and seeds
    where they differ), and says nothing more where the runs differ in neither."""
    import sim.analysis.comparison
    from tests.test_observed import _caption, drawn_figures

    # compare renders through its own name for render, bound when it was imported (by an
    # earlier test, in a whole run): watched there.
    figures = drawn_figures(monkeypatch, sim.analysis.comparison)
    tour = Path(__file__).resolve().parent.parent / "scenarios" / "tour.yaml"
    runs = {
        "plain": [],
        "bias3": ["--set", "parameters.trust.negativity_bias=3"],
        "seed2": ["--seed", "2"],
    }
    for name, more in runs.items():
        argv = ["run", str(tour), "--out", str(tmp_path / name), "--no-plots", *more]
        assert main(argv) == 0
    metric = ["--metric", "final_trust.Patron.client"]
    both = [str(tmp_path / "plain"), str(tmp_path / "bias3")]
    assert main(["compare", *both, *metric, "--out", str(tmp_path / "c1")]) == 0
    assert (
        "Folders: plain (run of tour; no --set), bias3 (run of tour; "
        "parameters.trust.negativity_bias=3)." in _caption(figures[-1])
    )
    seeds = [str(tmp_path / "plain"), str(tmp_path / "seed2")]
    assert main(["compare", *seeds, *metric, "--out", str(tmp_path / "c2")]) == 0
    assert "Folders: plain (run of tour; seed 0), seed2 (run of tour; seed 2)." in _caption(
        figures[-1]
    )


@pytest.mark.parametrize(
    ("given", "hint"),
    [
        ("syira.yaml", " (did you mean '{dir}/syria.yaml'?)"),
        ("tuor.yaml", " (did you mean '{dir}/tour.yaml'?)"),
        ("nothing_like.yaml", ""),
    ],
)
def test_a_misspelt_file_gets_a_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, hint: str
) -> None:
    """Decision 936: a misspelt file name was told only "file does not exist", where a
    misspelt field, group or metric gets a did-you-mean; a YAML file beside it with a
    close name is now offered, and none is offered when no name is close."""
    scenarios = Path(__file__).resolve().parent.parent / "scenarios"
    for name in ("syria.yaml", "tour.yaml"):
        (tmp_path / name).write_text((scenarios / name).read_text())
    path = tmp_path / given
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"credsim: error: {path}: file does not exist{hint.format(dir=tmp_path)}\n"
