"""Posterior predictive checks of a pattern file (``patterns check --posterior``).

``predictive_table`` by hand: draws 0.0, 0.1, ..., 1.0 (eleven values) of a
pattern observed at 0.5 with tolerance 0.1 have median 0.5, 5% quantile
0.05 and 95% quantile 0.95 (numpy's linear rule: positions 0.5 and 9.5 of
0..10), and pass (|x - 0.5| <= 0.1) at 0.4, 0.5, 0.6: 3 of 11. A pattern
observed at 1.2 lies beyond 0.95 + 0.1, so it is not covered; at 1.04 it is.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.errors import InputError
from sim.patterns.predictive import posterior_draws, predictive_table

ROOT = Path(__file__).resolve().parent.parent


def test_predictive_table_by_hand() -> None:
    observed = pd.DataFrame(
        {"role": ["holdout"] * 3, "observed": [0.5, 1.2, 1.04], "tolerance": [0.1] * 3},
        index=pd.Index(["a", "b", "c"], name="id"),
    )
    grid = np.round(np.linspace(0.0, 1.0, 11), 10)
    draws = pd.DataFrame({"a": grid, "b": grid, "c": grid})
    table = predictive_table(observed, draws)
    row = table.loc["a"]
    assert row["median"] == pytest.approx(0.5)
    assert row["low"] == pytest.approx(0.05)
    assert row["high"] == pytest.approx(0.95)
    assert row["share_pass"] == pytest.approx(3 / 11)
    assert bool(row["covered"])
    assert not bool(table.loc["b", "covered"])
    assert bool(table.loc["c", "covered"])


def test_a_folder_without_a_calibration_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from test_observed import real_votes

    out = tmp_path / "out"
    argv = ["patterns", "check", str(ROOT / "patterns" / "egypt_ussr.yaml")]
    argv += ["--posterior", str(tmp_path), "--votes", str(real_votes()), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds no calibration results" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("given", "what"),
    [
        ("missing", "does not exist"),
        ("file", "is a file, not a calibration's results folder"),
        (
            "run",
            "holds the results of a run, not of a calibration (a folder written by "
            "'credsim calibrate')",
        ),
    ],
)
def test_a_posterior_folder_of_another_kind_says_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, what: str
) -> None:
    """A results folder of a run (or sweep) was "no finished calibration (status
    'complete')"; a missing folder or a file "holds no calibration results"."""
    from test_observed import real_votes

    folder = tmp_path / given
    if given == "file":
        folder.write_text("name: x\n")
    elif given == "run":
        tiny = ROOT / "tests" / "data" / "sweep" / "tiny.yaml"
        assert main(["run", str(tiny), "--out", str(folder), "--no-plots"]) == 0
        capsys.readouterr()
    out = tmp_path / "out"
    argv = ["patterns", "check", str(ROOT / "patterns" / "egypt_ussr.yaml")]
    argv += ["--posterior", str(folder), "--votes", str(real_votes()), "--out", str(out)]
    assert main(argv) == 2
    assert capsys.readouterr().err == f"credsim: error: --posterior {folder}: {what}\n"
    assert not out.exists()


def test_the_posterior_check_draws_its_figure_from_its_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--posterior`` writes ``predictive.png``; the figure is given each pattern's
    band and its median's discrepancy ``(median - observed) / tolerance`` (validation.md),
    all held out here (egypt_ussr.yaml has no calibration pattern)."""
    from test_calibrate import _fake_calibration
    from test_observed import real_votes

    import sim.calibrate.figures as figures

    seen: list[pd.DataFrame] = []
    original = figures.predictive_figure

    def spy(checks: pd.DataFrame, *caption: str) -> object:
        seen.append(checks.copy())
        return original(checks, *caption)

    monkeypatch.setattr(figures, "predictive_figure", spy)
    _fake_calibration(tmp_path / "cal")
    out = tmp_path / "out"
    argv = ["patterns", "check", str(ROOT / "patterns" / "egypt_ussr.yaml"), "--samples", "3"]
    argv += ["--posterior", str(tmp_path / "cal"), "--votes", str(real_votes()), "--out", str(out)]
    assert main(argv) == 0
    assert (out / "predictive.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out / "predictive.csv").set_index("id")
    (checks,) = seen
    assert list(checks["pattern"]) == [f"egypt_ussr/{pid}" for pid in table.index]
    assert set(checks["role"]) == {"holdout"} and set(checks["variant"]) == {"v"}
    expected = (table["median"] - table["observed"]) / table["tolerance"]
    assert np.allclose(checks["discrepancy"].to_numpy(), expected.to_numpy(), rtol=0, atol=1e-12)
    assert np.allclose(checks["q05"].to_numpy(), table["low"].to_numpy())
    assert np.allclose(checks["q95"].to_numpy(), table["high"].to_numpy())
    # Each draw's row names the values drawn (decision 482), then its statistics.
    draws = pd.read_csv(out / "draws.csv")
    memory = "parameters.trust.memory"
    fixed = "parameters.trust.negativity_bias"  # the variant's, before the drawn ones
    assert list(draws.columns[:4]) == ["draw", fixed, memory, "link.beta"]
    assert list(draws.columns[4:]) == list(table.index)
    assert set(draws[memory]) <= {0.91, 0.95, 0.99}  # generation 1's particles, never 0.5
    assert set(draws[fixed]) == {1}


def test_a_calibration_of_several_variants_says_to_pass_variant(tmp_path: Path) -> None:
    """Without --variant a calibration of two variants said "(got None)"; it now says
    what to pass, and an unknown name gets the variants and a close match."""
    from test_calibrate import _fake_calibration

    folder = tmp_path / "cal"
    _fake_calibration(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["variants"]["w"] = {}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as missing:
        posterior_draws(folder, None, 3, 0)
    assert str(missing.value) == (
        f"--variant: the calibration in {folder} has several variants; "
        "pass --variant NAME, one of v, w"
    )
    with pytest.raises(InputError) as unknown:
        posterior_draws(folder, "ww", 3, 0)
    assert str(unknown.value) == (
        "--variant: unknown variant 'ww'; pass --variant NAME, one of v, w (did you mean 'w'?)"
    )
    assert posterior_draws(folder, "v", 3, 0)[0] == "v"


@pytest.mark.parametrize("strict", [False, True])
def test_the_posterior_check_runs_the_engine_asked_and_is_strict_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strict: bool
) -> None:
    """``--posterior`` ran the Mesa model whatever ``--engine`` said, and exited 0 under
    ``--strict``. Every state's gap is held constant here, so every change and did is
    simulated near 0: India's 1962 did (observed -0.123, tolerance 0.033: 0.763 to 0.541
    against 0.802 to 0.703, the numbers of its source note) then lies over 3 tolerances
    from every draw and is not covered."""
    from test_calibrate import _fake_calibration
    from test_observed import real_votes

    import sim.patterns.link as links

    engines: list[str] = []

    def flat(scenario, seed, power, rival, *, engine="mesa"):  # type: ignore[no-untyped-def]
        engines.append(engine)
        # Constant in time (so no change), different across states (so r is defined).
        steps, states = scenario.calendar.n_steps + 1, len(scenario.states)
        return np.tile(np.arange(states, dtype=float), (steps, 1))

    monkeypatch.setattr(links, "propensity_gaps", flat)
    _fake_calibration(tmp_path / "cal")
    out = tmp_path / "out"
    argv = ["patterns", "check", str(ROOT / "patterns" / "sino_soviet.yaml"), "--samples", "2"]
    argv += ["--reps", "1", "--engine", "fast", "--posterior", str(tmp_path / "cal")]
    argv += ["--votes", str(real_votes()), "--out", str(out)]
    assert main([*argv, "--strict"] if strict else argv) == (1 if strict else 0)
    assert engines and set(engines) == {"fast"}
    table = pd.read_csv(out / "predictive.csv").set_index("id")
    # Not exactly 0: a group's mean moves when a state skips a year (each state keeps
    # its own offset), but far less than the 0.123 observed.
    assert abs(table.loc["india_1962", "median"]) < 0.033
    assert not bool(table.loc["india_1962", "covered"])


def test_the_posterior_check_prints_the_held_out_patterns_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """validation.md: held-out patterns are shown apart. The posterior check printed one
    table with a role column; patterns/sino_soviet.yaml holds out india_recovery and
    albania_after_split, which now come under their own heading, after the others."""
    from test_calibrate import _fake_calibration
    from test_observed import real_votes

    import sim.patterns.link as links

    def flat(scenario, seed, power, rival, *, engine="mesa"):  # type: ignore[no-untyped-def]
        steps, states = scenario.calendar.n_steps + 1, len(scenario.states)
        return np.tile(np.arange(states, dtype=float), (steps, 1))

    monkeypatch.setattr(links, "propensity_gaps", flat)
    import sim.calibrate.figures as figures

    captions: list[str] = []
    monkeypatch.setattr(figures, "add_caption", lambda fig, text: captions.append(text))
    _fake_calibration(tmp_path / "cal")
    argv = ["patterns", "check", str(ROOT / "patterns" / "sino_soviet.yaml"), "--samples", "1"]
    argv += ["--reps", "1", "--posterior", str(tmp_path / "cal")]
    assert main([*argv, "--votes", str(real_votes()), "--out", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.splitlines()
    # What "covered" is, said where it is counted and under the figure (decision 588: an
    # audit found a pattern covered whose median lay two tolerances off, under a caption
    # that spoke of the median alone).
    assert "patterns covered (the observed value within the 90% predictive interval " in lines[-1]
    assert "tolerance); 1 run in " in lines[-1]  # the runs counted (decision 600)
    assert captions and "is covered (predictive.csv) when its 90% band reaches" in captions[0]
    # A band of one draw is said as such (decision 816).
    assert captions[0].endswith(
        " Each band: 1 posterior draw; with fewer than 20 draws its ends lie about at the "
        "extreme ones."
    )
    apart = lines.index("held-out patterns")
    ids = [line.split()[0] for line in lines if line.split()]
    held = {"india_recovery", "albania_after_split"}
    assert "calibration patterns" in lines[:apart]
    assert held <= set(ids[ids.index("held-out") :])
    assert "india_1962" in ids[: ids.index("held-out")] and not held & set(
        ids[: ids.index("held-out")]
    )


def test_a_posterior_of_another_case_names_the_path_the_scenario_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A calibration on Syria alone may fit an event of Syria's (russia_intervention,
    scenarios/syria.yaml); carried to the Sino-Soviet pattern file, whose scenario has
    no such event, the check said only "override events.russia_intervention.magnitude=...:
    unknown event id", without the calibration or the scenario."""
    from test_observed import real_votes

    folder = tmp_path / "cal"
    folder.mkdir()
    path = "events.russia_intervention.magnitude"
    pd.DataFrame(
        {"generation": [0, 0], "variant": ["v", "v"], "particle": [0, 1], "weight": [0.5, 0.5],
         "distance": [1.0, 1.0], "model_probability": [1.0, 1.0], path: [2.0, 3.0]}
    ).to_parquet(folder / "posterior.parquet")  # fmt: skip
    manifest = {
        "kind": "calibration",
        "status": "complete",
        "variants": {"v": {}},
        "resolved": {"parameters": {path: {"low": 1, "high": 4}}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    out = tmp_path / "out"
    argv = ["patterns", "check", str(ROOT / "patterns" / "sino_soviet.yaml"), "--samples", "1"]
    argv += ["--posterior", str(folder), "--votes", str(real_votes()), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        f"credsim: error: --posterior {folder}: its parameter sets do not fit scenario "
        "'sino_soviet' of pattern file 'sino_soviet': override "
        "events.russia_intervention.magnitude="
    )
    assert "unknown event id 'russia_intervention'" in err
    assert not out.exists()


def test_a_pattern_file_the_calibration_was_not_fitted_to_is_noted(tmp_path: Path) -> None:
    """``patterns check --posterior`` on a pattern file the calibration never used ran
    without a word, its table headed "calibration patterns" (an audit, decision 788)."""
    from sim.patterns import load_patterns
    from sim.patterns.predictive import unfitted_note

    syria = load_patterns(ROOT / "patterns" / "syria.yaml")
    sino = load_patterns(ROOT / "patterns" / "sino_soviet.yaml")
    cal = tmp_path / "cal"
    cal.mkdir()

    def manifest(files: list[str] | None, cwd: Path = ROOT) -> None:
        text = {"kind": "calibration", "cwd": str(cwd), "pattern_files": files}
        (cal / "manifest.json").write_text(json.dumps(text))

    manifest(["patterns/syria.yaml"])
    assert unfitted_note(syria, cal) is None
    note = unfitted_note(sino, cal)
    assert note is not None
    assert note.startswith("pattern file 'sino_soviet.yaml' is not one the calibration in ")
    assert "fitted to (syria.yaml)" in note and "out of sample" in note
    # A copy elsewhere with the same bytes is the same file; a file since gone, by name.
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    (copy / "syria.yaml").write_bytes((ROOT / "patterns" / "syria.yaml").read_bytes())
    manifest(["syria.yaml"], copy)
    assert unfitted_note(syria, cal) is None
    manifest(["gone/sino_soviet.yaml"], tmp_path)
    assert unfitted_note(sino, cal) is None
    manifest(None)
    assert unfitted_note(sino, cal) is None


def test_the_draws_of_a_band_are_counted_with_their_replicates() -> None:
    from sim.calibrate.figures import draws_note

    assert draws_note(50, 3) == " Each band: 50 posterior draws, each simulated 3 times."
    assert draws_note(19).endswith(
        "; with fewer than 20 draws its ends lie about at the extreme ones."
    )
    assert "fewer" not in draws_note(20)
