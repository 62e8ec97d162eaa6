"""``credsim calibrate`` on real pattern files: the pattern API of sim.patterns and the UN votes.

A small real pattern set: two calibration patterns of patterns/syria.yaml
(``gulf_no_warming``, a difference in differences, and
``syria_stays_with_russia``, a change) and its held-out pattern
(``arab_league_no_warming``), on the Syria scenario, with a tiny ABC
population and budget.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from scripts import run_script
from small_cases import un_members_scenario

import sim.patterns
from sim.calibrate.patterns import PatternProblem
from sim.calibrate.run import run_calibration
from sim.calibrate.spec import load_calibration
from sim.cli import main
from sim.errors import InputError
from sim.observed.votes import load_votes

ROOT = Path(__file__).resolve().parent.parent
REAL_VOTES = ROOT.parent / "shared" / "data" / "unvotes"
KEPT = ("gulf_no_warming", "arab_league_no_warming", "syria_stays_with_russia")


def votes_folder() -> Path:
    """The shared data beside the repo (as CI has it); skip when it is absent."""
    if not REAL_VOTES.is_dir():
        pytest.skip("the UN vote data is not beside the repo (../shared/data/unvotes)")
    return REAL_VOTES


def small_set(tmp_path: Path, parameters: dict[str, Any], **extra: Any) -> Path:
    """patterns/syria.yaml cut to the patterns of KEPT, and a calibration file on it."""
    data = yaml.safe_load((ROOT / "patterns" / "syria.yaml").read_text())
    data["scenario"] = str(ROOT / "scenarios" / "syria.yaml")
    data["patterns"] = [p for p in data["patterns"] if p["id"] in KEPT]
    (tmp_path / "small.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    defaults = {"population": 40, "max_simulations": 400, "min_epsilon": 0.3, "seed": 1}
    return calibration_file(
        tmp_path, "small", "small.yaml", parameters, **{**defaults, "predictive": 5, **extra}
    )


def calibration_file(
    tmp_path: Path, name: str, patterns: str, parameters: dict[str, Any], **fields: Any
) -> Path:
    """``tmp_path/cal.yaml``: a calibration ``name`` on the pattern file ``patterns``."""
    calibration = {"name": name, "patterns": [patterns], "parameters": parameters, **fields}
    path = tmp_path / "cal.yaml"
    path.write_text(json.dumps(calibration))
    return path


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        # A prior is named by its path alone (it read "parameters.link.beta").
        ({"parameters": {"link.beta": {"low": -1, "high": 2}}}, "link.beta"),
        (
            {
                # A second prior: a variant that fixes every parameter is refused first.
                "parameters": {
                    "link.beta": {"low": 0, "high": 2},
                    "parameters.trust.memory": {"low": 0.85, "high": 0.999},
                },
                "variants": {"steep": {"link.beta": -0.5}},
            },
            "variants.steep.link.beta",
        ),
    ],
)
def test_a_negative_link_slope_is_refused(
    tmp_path: Path, extra: dict[str, Any], where: str
) -> None:
    """validation.md: beta >= 0. A prior or variant reaching below ran, and the link
    was read the wrong way round in those draws."""
    path = small_set(tmp_path, **extra)
    with pytest.raises(InputError, match=rf"\.yaml:\d+: {re.escape(where)}: must be >= 0, got -"):
        PatternProblem(load_calibration(path), load_votes(votes_folder()))


def test_statistic_ids_roles_and_observed_values_come_from_the_pattern_file(
    tmp_path: Path,
) -> None:
    """Ids are ``<file stem>/<pattern id>``; roles and observed values are the pattern API's."""
    votes = load_votes(votes_folder())
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    problem = PatternProblem(load_calibration(path), votes)
    pf = sim.patterns.load_patterns(tmp_path / "small.yaml")
    table = sim.patterns.observed_statistics(pf, votes)
    assert [s.id for s in problem.statistics] == [f"small/{i}" for i in KEPT]
    assert [s.role for s in problem.statistics] == ["calibrate", "holdout", "calibrate"]
    for s in problem.statistics:
        pattern = s.id.split("/")[1]
        assert s.observed == table.loc[pattern, "observed"]
        assert s.tolerance == table.loc[pattern, "tolerance"]


def test_calibrate_never_simulates_held_out_patterns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spy on ``simulate_statistics`` sees which patterns each call evaluates.

    One worker keeps every simulation in this process. The ABC loop's calls
    (as many as the history's simulations) must all be of the calibration
    patterns alone, and so is the preflight's second simulation (the path the
    loop takes); only the preflight's first simulation and the 5 posterior
    predictive draws evaluate the held-out pattern. ``link.beta`` reaches the
    API as ``beta`` and never as an override; memory is an override.
    """
    calls: list[tuple[tuple[str, ...], dict[str, Any], float | None]] = []
    real = sim.patterns.simulate_statistics

    def spy(pf: Any, overrides: Any, **kwargs: Any) -> dict[str, float]:
        calls.append((tuple(p.id for p in pf.patterns), dict(overrides), kwargs["beta"]))
        return real(pf, overrides, **kwargs)

    monkeypatch.setattr(sim.patterns, "simulate_statistics", spy)
    path = small_set(
        tmp_path,
        {
            "parameters.trust.memory": {"low": 0.9, "high": 0.99},
            "link.beta": {"low": 0, "high": 2},
        },
        max_simulations=120,
    )
    calibration = load_calibration(path)
    problem = PatternProblem(calibration, load_votes(votes_folder()))
    outcome = run_calibration(calibration, problem, tmp_path / "out", workers=1, figures=False)
    assert outcome.run is not None
    with_holdout = [c for c in calls if "arab_league_no_warming" in c[0]]
    without = [c for c in calls if "arab_league_no_warming" not in c[0]]
    assert len(with_holdout) == 1 + 5
    assert len(without) == outcome.run.simulations + 1
    assert all(ids == ("gulf_no_warming", "syria_stays_with_russia") for ids, _, _ in without)
    for _, overrides, beta in calls:
        assert set(overrides) == {"parameters.trust.memory"}
        assert beta is not None and 0 <= beta <= 2
    checks = pd.read_csv(tmp_path / "out" / "checks.csv").set_index("pattern")
    assert checks.loc["small/arab_league_no_warming", "role"] == "holdout"


def test_a_file_of_held_out_patterns_beside_a_calibration_file_is_only_checked(
    tmp_path: Path,
) -> None:
    """A pattern file whose patterns are all held out, listed beside one with calibration
    patterns (allowed: sim.calibrate.holdout), is left out of the fit and checked after it.

    It was kept in the fit with no pattern, and every simulation of the loop
    failed on it (no pattern to prepare) and was rejected silently: each
    generation's epsilon was inf and the posterior only the proposals' spread.
    """
    path = small_set(
        tmp_path, {"parameters.trust.memory": {"low": 0.9, "high": 0.99}}, max_simulations=120
    )
    held = yaml.safe_load((tmp_path / "small.yaml").read_text())
    held["patterns"] = [p for p in held["patterns"] if p["role"] == "holdout"]
    assert [p["id"] for p in held["patterns"]] == ["arab_league_no_warming"]
    (tmp_path / "held.yaml").write_text(yaml.safe_dump(held, sort_keys=False))
    spec = json.loads(path.read_text())
    spec["patterns"] = ["small.yaml", "held.yaml"]
    path.write_text(json.dumps(spec))
    calibration = load_calibration(path)
    problem = PatternProblem(calibration, load_votes(votes_folder()))
    outcome = run_calibration(calibration, problem, tmp_path / "out", workers=1, figures=False)
    assert outcome.run is not None and outcome.run.epsilon < float("inf")
    checks = pd.read_csv(tmp_path / "out" / "checks.csv").set_index("pattern")
    assert checks.loc["held/arab_league_no_warming", "role"] == "holdout"
    assert checks["q05"].notna().all()


@pytest.mark.slow
def test_truth_is_recovered_on_a_small_real_pattern_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--truth link.beta=1.2: the observed statistics are replaced by simulations at 1.2.

    The two difference statistics are linear in beta (the predicted change is
    beta times the simulated change of the gap), so the distance pins beta
    down: the 90% interval holds 1.2 and is far narrower than the prior (0-2).
    """
    out = tmp_path / "out"
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    argv = ["calibrate", str(path), "--out", str(out), "--workers", "1", "--no-plots"]
    argv += ["--votes", str(votes_folder()), "--truth", "link.beta=1.2"]
    assert main(argv) == 0
    row = pd.read_csv(out / "summary.csv").set_index("parameter").loc["link.beta"]
    assert row["q05"] <= 1.2 <= row["q95"]
    assert row["narrowing"] < 0.5
    checks = pd.read_csv(out / "checks.csv").set_index("pattern")
    assert checks.loc["small/gulf_no_warming", "observed"] != pytest.approx(-0.011, abs=1e-3)
    assert "calibration 'small'" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("truth", "notes"),
    [
        (["link.beta=1.2"], []),
        # Outside the prior of 0 to 2: out of the posterior's reach (decision 587).
        (
            ["link.beta=5"],
            [
                "--truth sets link.beta=5 (prior 0 to 2) outside the prior: the posterior "
                "cannot reach it, so its truth_in_90 is False by construction; give a value "
                "inside the prior to check recovery"
            ],
        ),
        (
            ["parameters.trust.negativity_bias=2"],
            [
                "--truth sets parameters.trust.negativity_bias, which this calibration does not "
                "fit: the data are simulated with it, and no posterior interval is checked "
                "against it",
                "--truth gives no value for link.beta: the data are simulated at the pattern "
                "file's beta, and the summary's truth and truth_in_90 are empty for it; give "
                "--truth PATH=VALUE to check it",
            ],
        ),
    ],
)
def test_a_truth_that_leaves_a_parameter_unchecked_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], truth: list[str], notes: list[str]
) -> None:
    """--truth on a parameter the calibration does not fit ran without a word, and its
    summary's truth columns were empty on every row, which read as a recovery (an audit
    of the calibration). The notes come before the votes are read (here: none)."""
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    argv = ["calibrate", str(path), "--out", str(tmp_path / "out"), "--truth", *truth]
    assert main([*argv, "--votes", str(tmp_path / "no-votes")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:-1] == [f"credsim: note: {note}" for note in notes]
    assert err[-1].startswith("credsim: error: ") and "no-votes" in err[-1]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("truth", "error"),
    [
        # Said as an override's error is, "--truth PATH=VALUE: PATH: ..." (decision 914).
        (
            "parameters.trust.memory=1.5",
            "--truth parameters.trust.memory=1.5: parameters.trust.memory: must be <= 1, got 1.5",
        ),
        (
            "link.beta=-1",
            "--truth link.beta=-1: link.beta: must be >= 0, got -1 (the link's slope)",
        ),
        (
            "relations.Jordan.Syria=2",
            "--truth relations.Jordan.Syria=2: relations.Jordan.Syria: the stance from 'Jordan' "
            "to 'Syria' is a number from -1 (enemy) to 1 (ally), got 2",
        ),
    ],
)
def test_a_truth_the_scenarios_refuse_is_refused_before_any_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], truth: str, error: str
) -> None:
    """--truth parameters.trust.memory=1.5 was refused by the data's simulation, after two
    notes on how the data would be simulated with it (an outside check, decision 888). It
    is refused first, alone, before the votes are read, and nothing is written."""
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    argv = ["calibrate", str(path), "--out", str(tmp_path / "out"), "--truth", truth]
    assert main([*argv, "--votes", str(tmp_path / "no-votes")]) == 2
    assert capsys.readouterr().err == f"credsim: error: {error}\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_credsim_calibrate_from_a_script_without_a_main_guard_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    """`credsim calibrate` run from a script (``sim.cli.main``) without `if __name__ ==
    "__main__":` on two workers: each worker, from the fork server, imports the script
    again and dies as it starts. The command says so in one line, exit 1, before anything
    is written (decision 760); the workers forked by the code before ran it."""

    from sim.calibrate.smc import WORKERS_DIE_AT_START

    out = tmp_path / "out"
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    argv = ["calibrate", str(path), "--out", str(out), "--workers", "2", "--no-plots"]
    argv += ["--quiet", "--votes", str(votes_folder())]
    script = tmp_path / "noguard.py"
    script.write_text(f"from sim.cli import main\nraise SystemExit(main({argv!r}))\n")
    done = run_script(script, tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[-1] == f"credsim: failed: {WORKERS_DIE_AT_START}"
    assert not out.exists()


def test_an_event_path_the_scenario_lacks_is_located_in_the_calibration_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``events.nonexistent.magnitude`` passes the schema walk (events are named by the
    user) but not the pattern file's scenario: exit 2, one line, the file and line."""
    path = small_set(
        tmp_path,
        {"link.beta": {"low": 0, "high": 2}},
        variants={"v": {"events.nonexistent.magnitude": 1}},
    )
    argv = ["calibrate", str(path), "--out", str(tmp_path / "out")]
    assert main([*argv, "--votes", str(votes_folder())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}:" in err and "nonexistent" in err
    assert not (tmp_path / "out").exists()


def test_calibrate_notes_window_years_the_vote_data_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pattern window reaching past the vote data (one roll call in 2020, none after) is
    noted when the calibration is loaded, naming the pattern file, as patterns check does."""
    import sim.calibrate.run

    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    small = tmp_path / "small.yaml"
    small.write_text(small.read_text().replace("- 2019", "- 2020", 1))
    assert small.read_text().count("- 2020") == 1
    monkeypatch.setattr(sim.calibrate.run, "run_calibration", lambda *args, **kwargs: None)
    assert main(["calibrate", str(path), "--votes", str(votes_folder())]) == 0
    err = capsys.readouterr().err
    # One note of few roll calls; the file's other notes (its windows before the calendar)
    # are said too since decision 734.
    few = [ln for ln in err.splitlines() if "have few roll calls" in ln]
    # At the pattern file's line of the pattern it names (decision 920).
    placed = f"credsim: note: {tmp_path / 'small.yaml'}:"
    assert len(few) == 1 and few[0].startswith(placed), few
    assert ": pattern '" in few[0]
    assert "have few roll calls in 2020 (1 roll call)" in few[0]


def test_a_variant_fixing_a_value_outside_its_prior_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A variant that fixes link.beta=3 on a prior of 0 to 2 ran without a word, by
    `calibrate` and by `validate` alike: the other variant cannot reach 3, so model
    selection compares ranges as well as mechanisms (or the 3 was a typo). A value at
    the prior's end (0) is inside it, and is not noted."""
    priors = {
        "link.beta": {"low": 0, "high": 2},
        "parameters.trust.memory": {"low": 0.9, "high": 0.99},
    }
    variants = {"wide": {"link.beta": 3}, "edge": {"link.beta": 0}, "free": {}}
    path = small_set(tmp_path, priors, variants=variants)
    note = (
        "variant 'wide' fixes link.beta=3 (prior 0 to 2) outside the prior: the other "
        "variants cannot reach that value, so model selection compares different ranges "
        "as well as mechanisms"
    )
    argv = ["calibrate", str(path), "--out", str(tmp_path / "out")]
    assert main([*argv, "--votes", str(tmp_path / "no-votes")]) == 2
    assert capsys.readouterr().err.splitlines()[:-1] == [f"credsim: note: {note}"]
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert f"credsim: note: {path}: {note}" in err
    assert sum("outside the prior" in line for line in err) == 1
    assert not (tmp_path / "out").exists()


def test_a_variant_value_no_scenario_takes_is_one_error_without_the_prior_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A variant fixing memory 2 (a memory is at most 1, model.md section 4) is outside
    its prior of 0.9 to 0.99 too: `calibrate` and `validate` said the note of a value
    outside the prior, then refused the value (an outside check, decision 1006). A bad
    file gives its one line alone; nothing is written."""
    priors = {"parameters.trust.memory": {"low": 0.9, "high": 0.99}}
    variants = {"bad": {"parameters.trust.memory": 2}, "free": {}}
    path = small_set(tmp_path, priors, variants=variants)
    out = tmp_path / "out"
    # No votes: the value is refused before they are read.
    for argv in (["calibrate", str(path), "--out", str(out)], ["validate", str(path)]):
        assert main([*argv, "--votes", str(tmp_path / "no-votes")]) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1, err
        assert err[0].startswith(f"credsim: error: {path}:")
        assert "variants.bad.parameters.trust.memory: must be <= 1, got 2" in err[0]
    assert not out.exists()


def test_a_variant_fixing_a_path_no_prior_covers_is_noted_and_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A variant fixing parameters.affinity.scale, which no prior calibrates, ran without a
    word, and the report called its sibling "all free" though it runs the scenario's 1.0
    there; posterior.parquet has no column to tell the two apart (an outside check,
    decision 842). `calibrate` and `validate` note it, and the report's first table gives
    the sibling's value as the scenarios'."""
    from sim.calibrate.figures import run_facts
    from sim.calibrate.spec import load_calibration

    priors = {"link.beta": {"low": 0, "high": 2}}
    variants = {"off": {"parameters.affinity.scale": 0}, "free": {}}
    path = small_set(tmp_path, priors, variants=variants)
    note = (
        "variant 'off' fixes parameters.affinity.scale=0, which no prior of the calibration "
        "covers: the variants that do not fix it run the scenarios' own value, and "
        "posterior.parquet has no column of it (the report's first table says each "
        "variant's value)"
    )
    import sim.calibrate.run

    monkeypatch.setattr(sim.calibrate.run, "run_calibration", lambda *args, **kwargs: None)
    assert main(["calibrate", str(path), "--votes", str(votes_folder())]) == 0
    assert f"credsim: note: {note}" in capsys.readouterr().err.splitlines()
    assert main(["validate", str(path)]) == 0
    assert f"credsim: note: {path}: {note}" in capsys.readouterr().err.splitlines()
    extra = {"generations": 1, "simulations": 40, "final_epsilon": 1.0, "stopped": "budget"}
    facts = dict(run_facts(load_calibration(path, check_paths=False), extra, []))
    assert facts["variants (fixed values)"] == (
        "off: parameters.affinity.scale = 0; "
        "free: parameters.affinity.scale at the scenarios' value"
    )


def test_calibrate_gives_every_note_validate_gives_its_pattern_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`calibrate` said only the windows the vote data lacks (decision 734): a window that
    begins before the scenario's calendar, a state without a reference vote, a loose
    correlation or a did whose sides share states, all said by `validate --votes` and
    `patterns check`, went unsaid by the command that fits the patterns."""
    import sim.calibrate.run

    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    votes = str(votes_folder())
    assert main(["validate", str(tmp_path / "small.yaml"), "--votes", votes]) == 0
    # A note said of several patterns at once names them "patterns 'a' and 'b', each".
    said = [ln for ln in capsys.readouterr().err.splitlines() if re.search("patterns? '", ln)]
    assert any("before the scenario's calendar" in ln for ln in said), said
    monkeypatch.setattr(sim.calibrate.run, "run_calibration", lambda *args, **kwargs: None)
    assert main(["calibrate", str(path), "--votes", votes]) == 0
    err = capsys.readouterr().err.splitlines()
    # Each at the pattern file's line, as validate says it (decision 920).
    assert [ln for ln in err if re.search("patterns? '", ln)] == said
    assert all(ln.startswith(f"credsim: note: {tmp_path / 'small.yaml'}:") for ln in said), said


# A scenario whose African states start alike: their propensity gaps before the calendar
# are one value, whatever the parameters.
_ALIKE = un_members_scenario("alike", ["Mali", "Niger", "Nigeria", "Senegal"])


def test_a_calibration_statistic_that_is_never_a_number_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A correlation over states whose propensity gaps do not differ in its years has no
    value (Pearson's r of a constant) at any parameter set: every simulation's distance was
    infinite, pyabc's epsilon became inf, every particle was accepted (acceptance 100% in
    every generation) and the calibration ended with exit 0 and the prior as its
    posterior (an audit, decision 744). The preflight's simulation now finds it and refuses the
    calibration in one line, before anything is written; so does a --truth at which a
    calibration statistic has no value."""
    (tmp_path / "alike.yaml").write_text(_ALIKE)
    (tmp_path / "p.yaml").write_text(
        "name: alike_patterns\nscenario: alike.yaml\n"
        "link: {power: Russia, rival: USA, measure: split_agreement, reference: [2014, 2014], "
        "beta: 0.5}\npatterns:\n"
        "  - id: levant\n    role: calibrate\n    statistic: change\n    group: levant\n"
        "    before: [2014, 2014]\n    after: [2016, 2016]\n    tolerance: 0.05\n"
        "    source: a note\n"
        "  - id: levels\n    role: calibrate\n    statistic: correlation\n    group: africa\n"
        "    years: [2012, 2013]\n    tolerance: 0.5\n    source: a note\n"
    )
    priors = {
        "parameters.trust.memory": {"low": 0.9, "high": 0.99},
        "link.beta": {"low": 0, "high": 2},
    }
    path = calibration_file(
        tmp_path, "alike", "p.yaml", priors, population=10, max_simulations=40, seed=1,
        predictive=2,
    )  # fmt: skip
    out = tmp_path / "out"
    argv = ["calibrate", str(path), "--out", str(out), "--votes", str(votes_folder())]
    assert main(argv) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if "note:" not in ln]
    assert err == [
        "credsim: error: calibration pattern p/levels has no simulated value at the priors' "
        "midpoints (parameters.trust.memory=0.945, link.beta=1): its discrepancy, hence the "
        "distance, is not a number, and a calibration whose simulations mostly have none "
        "accepts them all (epsilon inf) and returns the prior; a correlation has none when "
        "the propensity gaps of its group's states are all equal over its years"
    ]
    assert not out.exists()
    assert main([*argv, "--truth", "parameters.trust.memory=0.95", "link.beta=1"]) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if "note:" not in ln]
    assert err == [
        "credsim: error: --truth: calibration pattern p/levels has no value simulated at "
        "the truth; its discrepancy, hence every distance, would not be a number"
    ]
    assert not out.exists()


def test_a_pattern_files_words_do_not_change_its_calibration_and_a_change_is_named(
    tmp_path: Path,
) -> None:
    """A comment or a reworded source note changed the calibration's identity (the file's
    bytes were hashed), and a resumed calibration was refused as run "on other inputs",
    its generations lost to an edit no statistic reads (an outside check, decision 918).
    The identity is now of what the file says; a change that matters (a tolerance) is
    refused naming the file."""
    votes = load_votes(votes_folder())
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    patterns = tmp_path / "small.yaml"

    def identity() -> str:
        calibration = load_calibration(path)
        return calibration.identity(PatternProblem(calibration, votes).identity())

    first = identity()
    text = patterns.read_text()
    data = yaml.safe_load(text)

    def written(**change: Any) -> str:
        pattern = {**data["patterns"][0], **change.pop("pattern", {})}
        return yaml.safe_dump({**data, **change, "patterns": [pattern, *data["patterns"][1:]]})

    patterns.write_text(written(pattern={"source": "Reworded."}) + "# a comment\n")
    assert identity() == first
    # The scenario's path written another way: the scenario is compared by content.
    patterns.write_text(
        written(scenario=str(ROOT / "scenarios" / ".." / "scenarios" / "syria.yaml"))
    )
    assert identity() == first
    changed = written(pattern={"tolerance": 0.07})
    patterns.write_text(changed)
    assert identity() != first
    # Run, then changed: the refusal names the file.
    patterns.write_text(text)
    out = tmp_path / "out"
    calibration = load_calibration(path)
    run_calibration(
        calibration, PatternProblem(calibration, votes), out, workers=1, quiet=True, figures=False
    )
    patterns.write_text(changed)
    calibration = load_calibration(path)
    with pytest.raises(InputError) as info:
        run_calibration(calibration, PatternProblem(calibration, votes), out, workers=1, quiet=True)
    assert f"run on other inputs ({patterns} (the patterns or their scenario) changed since)" in (
        str(info.value)
    ), info.value


def test_a_calibration_is_not_resumed_on_other_votes(tmp_path: Path) -> None:
    """The identity holds the pattern files, their scenarios and the engine, not the vote
    data: a calibration stopped after two generations and run again with other votes
    (`--votes` elsewhere, Saudi Arabia's votes changed) went on from the generations
    fitted to the old ones, under a manifest listing the new observed values (an outside
    check; decision 997). It is refused before any simulation, naming a statistic that
    differs, and the folder is left as it was; the same votes go on."""
    import shutil

    from sim.calibrate.run import KIND, refuse_other_observations

    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    calibration = load_calibration(path)
    problem = PatternProblem(calibration, load_votes(votes_folder()))
    statistics = [
        {"id": s.id, "role": s.role, "observed": s.observed, "tolerance": s.tolerance}
        for s in problem.statistics
    ]
    out = tmp_path / "out"
    out.mkdir()
    manifest = {
        "kind": KIND,
        "name": calibration.name,
        "identity": calibration.identity(problem.identity()),
        "statistics": statistics,
        "status": "incomplete",
        "started": "2026-12-07T00:00:00",
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = (out / "manifest.json").read_bytes()
    # The same votes: nothing to refuse.
    observed = {s.id: s.observed for s in problem.statistics}
    refuse_other_observations(out, manifest, problem, observed)
    other = tmp_path / "votes"
    shutil.copytree(votes_folder(), other)
    votes = pd.read_parquet(other / "un_votes.parquet")
    votes.loc[votes["country_code"] == "SA", "vote"] = "no"
    votes.to_parquet(other / "un_votes.parquet")
    elsewhere = PatternProblem(calibration, load_votes(other))
    assert elsewhere.identity() == problem.identity()  # what let it through
    with pytest.raises(InputError) as info:
        run_calibration(calibration, elsewhere, out, workers=1, quiet=True, figures=False)
    said = str(info.value)
    assert f"results folder '{out}' holds calibration 'small' fitted to other observed " in said
    assert "'small/gulf_no_warming' was " in said
    assert "the vote data is not the one its generations were fitted to" in said
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]
    assert (out / "manifest.json").read_bytes() == before
    # Under --truth the data is simulated: what changed is the code that simulates it.
    with pytest.raises(InputError) as info:
        refuse_other_observations(
            out, manifest, elsewhere, {s.id: s.observed for s in elsewhere.statistics},
            simulated=True,
        )  # fmt: skip
    assert "the data simulated at --truth is not the one its generations were fitted" in str(
        info.value
    )


def test_a_calibration_resumed_on_other_code_says_so_and_records_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A calibration stopped and run again after an edit of the model's code went on from
    generations the other model fitted, under a manifest naming this call's code alone,
    and nothing said so (decision 1002). It is said, with the number of generations, and
    the manifest keeps the earlier code under 'git_earlier'; the same code says nothing."""
    from sim import provenance

    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    calibration = load_calibration(path)
    problem = PatternProblem(calibration, load_votes(votes_folder()))
    out = tmp_path / "out"
    run_calibration(calibration, problem, out, workers=1, quiet=True, figures=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["code_sha256"] == provenance.code_digest()
    generations = int(manifest["generations"])
    # As a stopped run at other code would have left it.
    git = manifest["git"]
    stopped = {**manifest, "status": "incomplete", "code_sha256": "3" * 64}
    (out / "manifest.json").write_text(json.dumps(stopped))
    capsys.readouterr()
    run_calibration(calibration, problem, out, workers=1, quiet=True, figures=False)
    err = capsys.readouterr().err
    code = (
        f"commit {git['commit'][:12]} with other uncommitted changes"
        if git.get("commit")
        else "a copy outside git"
    )
    assert (
        f"credsim: warning: {out} holds {generations} finished generation"
        f"{'s' if generations != 1 else ''} made by other code ({code}); this call's is "
    ) in err
    after = json.loads((out / "manifest.json").read_text())
    assert after["status"] == "complete"
    assert after["git_earlier"] == [
        {**git, "code_sha256": "3" * 64, "credsim": manifest.get("credsim")}
    ]
    # Stopped at this code, with no earlier code kept: nothing is said.
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "incomplete"}))
    capsys.readouterr()
    run_calibration(calibration, problem, out, workers=1, quiet=True, figures=False)
    assert "made by other code" not in capsys.readouterr().err
