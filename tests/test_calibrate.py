"""Calibration: known posteriors, held-out patterns, resume, truth, variants, errors, draws."""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.colors
import numpy as np
import pandas as pd
import pytest
from hangs import ends_within
from scipy import stats
from scripts import run_script

from sim.calibrate import posterior
from sim.calibrate.problem import Statistic, rms_distance
from sim.calibrate.run import run_calibration
from sim.calibrate.spec import Calibration, load_calibration
from sim.calibrate.toy import PARAMETER, BinomialProblem
from sim.cli import main
from sim.errors import InputError
from sim.integrity import require_intact
from sim.sweep.executors import NO_DASHBOARD

ROOT = Path(__file__).resolve().parent.parent


def toy_file(tmp_path: Path, **fields: object) -> Path:
    """A calibration file for the toy problem (its pattern file is a placeholder)."""
    (tmp_path / "toy.yaml").write_text("{}\n")
    data = {
        "name": "toy",
        "patterns": ["toy.yaml"],
        "parameters": {PARAMETER: {"low": 0, "high": 1}},
        "population": 100,
        "max_simulations": 3000,
        "min_epsilon": 0.5,
        "seed": 3,
        "predictive": 20,
        **fields,
    }
    path = tmp_path / "toy_cal.yaml"
    path.write_text(json.dumps(data))
    return path


def toy(tmp_path: Path, truth: tuple[str, ...] = (), **fields: object) -> Calibration:
    return load_calibration(toy_file(tmp_path, **fields), truth, check_paths=False)


def final(folder: Path, variant: str = "default") -> pd.DataFrame:
    return posterior.final_particles(pd.read_parquet(folder / "posterior.parquet"), variant)


# --------------------------------------------------------------------------- hand-computed


def test_rms_distance_by_hand() -> None:
    """Discrepancies (3 - 0)/1 = 3 and (5 - 1)/2 = 2: RMS sqrt((9 + 4) / 2) = 2.5495.

    The held-out id ``c`` is not in the tolerances and does not count, even absurd.
    """
    d = rms_distance({"a": 3, "b": 5, "c": 1e9}, {"a": 0, "b": 1, "c": 0}, {"a": 1, "b": 2})
    assert d == pytest.approx(math.sqrt(6.5))
    assert rms_distance({"a": math.nan, "b": 1}, {"a": 0, "b": 1}, {"a": 1, "b": 2}) == math.inf


def test_weighted_quantile_and_half_life_by_hand() -> None:
    """Values 1, 2, 3 with weights 0.2, 0.3, 0.5: CDF 0.2, 0.5, 1.0.

    The 0.05 quantile is 1, the median 2 (CDF reaches 0.5 at 2), the 0.95 quantile 3.
    Half-life: memory 0.5 halves in 1 month; 0.95 in ln 0.5 / ln 0.95 = 13.513 months.
    """
    q = posterior.weighted_quantile([3, 1, 2], [0.5, 0.2, 0.3], [0.05, 0.5, 0.95])
    assert list(q) == [1, 2, 3]
    assert posterior.half_life([0.5, 0.95]) == pytest.approx([1.0, 13.5134], rel=1e-4)


def test_summary_counts_half_lives_in_the_scenarios_steps_and_checks_the_truth() -> None:
    """Memory 0.5, 0.8, 0.9 with weights 0.2, 0.3, 0.5 (final generation): 90% interval
    [0.5, 0.9], median 0.8. Quarterly steps: half-lives 3 x ln 0.5 / ln m months, so
    3, 9.32 and 19.74. A truth of 0.95 lies outside [0.5, 0.9]; 0.7 inside."""
    memory = "parameters.trust.memory"
    particles = pd.DataFrame(
        {"generation": [1] * 3, "variant": ["v"] * 3, "weight": [0.2, 0.3, 0.5],
         memory: [0.5, 0.8, 0.9]}
    )  # fmt: skip
    priors = {memory: (0.5, 0.99)}
    table = posterior.summary_table(particles, priors, 3, {memory: 0.95}).set_index("parameter")
    row = table.loc[memory]
    assert (row["q05"], row["median"], row["q95"]) == (0.5, 0.8, 0.9)
    assert row["truth"] == 0.95 and not row["truth_in_90"]
    lives = table.loc[f"{memory} (half-life, months)"]
    expected = [3 * math.log(0.5) / math.log(m) for m in (0.5, 0.8, 0.9, 0.95)]
    got = [lives["q05"], lives["median"], lives["q95"], lives["truth"]]
    assert got == pytest.approx(expected)
    inside = posterior.summary_table(particles, priors, 3, {memory: 0.7}).set_index("parameter")
    assert bool(inside.loc[memory, "truth_in_90"])
    mixed = posterior.summary_table(particles, priors, None).set_index("parameter")
    assert mixed.loc[f"{memory} (half-life, steps)", "median"] == pytest.approx(
        math.log(0.5) / math.log(0.8)
    )
    assert mixed["truth"].isna().all() and mixed["truth_in_90"].isna().all()
    assert set(table["generation"]) == {1}


def test_summary_says_which_generation_a_died_out_variant_comes_from() -> None:
    """v2 kept particles in generation 0 only, v1 into generation 2: v2's rows are
    generation 0's (median of 0.93 and 0.95 at weights 0.5: 0.93), and say so."""
    memory = "parameters.trust.memory"
    particles = pd.DataFrame(
        {"generation": [0, 0, 0, 2, 2], "variant": ["v1", "v2", "v2", "v1", "v1"],
         "weight": [1.0, 0.5, 0.5, 0.5, 0.5], memory: [0.9, 0.93, 0.95, 0.97, 0.99]}
    )  # fmt: skip
    table = posterior.summary_table(particles, {memory: (0.85, 0.999)})
    rows = table[table["parameter"] == memory].set_index("variant")
    assert rows.loc["v1", "generation"] == 2 and rows.loc["v2", "generation"] == 0
    assert rows.loc["v2", "median"] == 0.93


def test_summary_keeps_a_free_parameter_of_a_variant_left_with_one_particle() -> None:
    """v2 ends with one particle (memory 0.97, affinity 0.4): its free parameters were
    left out of summary.csv, read as "fixed" because they took one value; they are free
    (v2 fixes nothing), so each gets its row, the interval being that one value. v1
    fixes affinity at 0: no row for it there, whatever its values."""
    memory, affinity = "parameters.trust.memory", "parameters.affinity.scale"
    particles = pd.DataFrame(
        {"generation": [1, 1, 1], "variant": ["v1", "v1", "v2"], "weight": [0.5, 0.5, 1.0],
         memory: [0.9, 0.95, 0.97], affinity: [0.0, 0.0, 0.4]}
    )  # fmt: skip
    priors = {memory: (0.85, 0.999), affinity: (0.0, 2.0)}
    for fixed in (None, {"v1": {affinity: 0.0}, "v2": {}}):
        given = {} if fixed is None else {"fixed": fixed}
        table = posterior.summary_table(particles, priors, **given)
        v2 = table[table["variant"] == "v2"].set_index("parameter")
        assert list(v2.index) == [memory, f"{memory} (half-life, months)", affinity]
        assert v2.loc[memory, ["q05", "median", "q95"]].tolist() == [0.97] * 3
        assert v2.loc[affinity, "median"] == 0.4
    v1 = table[table["variant"] == "v1"]
    assert affinity not in set(v1["parameter"]) and memory in set(v1["parameter"])


def test_predictive_ticks_keep_a_long_pattern_file_name_on_short_lines() -> None:
    """The predictive figure names each statistic by its file and id, the id wrapped at
    13 characters; a long file name ("p12_sino_india_single", 21 characters) stayed on one
    line and ran into its neighbours' ticks. It now breaks after an underscore, and the
    lines still read back as the file name and the id."""
    from sim.calibrate.figures import _tick

    lines = _tick("p12_sino_india_single/india_vs_africa").split("\n")
    assert max(len(line) for line in lines) <= 13
    assert "".join(lines[:2]) == "p12_sino_india_single" and lines[2:] == ["india vs", "africa"]
    assert _tick("syria/gulf_no_warming") == "syria\ngulf no\nwarming"
    # Acronyms stay upper case (an audit's "arab league after isis"; decision 587).
    assert _tick("iraq_usa/arab_league_after_isis") == "iraq_usa\narab league\nafter ISIS"


def test_a_folder_of_the_same_calibration_on_other_inputs_says_so(tmp_path: Path) -> None:
    """Rerunning a calibration after editing one of its pattern files (its identity
    changes) into the same --out said the folder "holds a different calibration or
    experiment ('joint', calibration)", naming the very calibration being run. It now says
    the inputs changed; a calibration of another name is still "a different" one."""
    from sim.calibrate.run import check_folder

    folder = tmp_path / "out"
    folder.mkdir()
    manifest = {"kind": "calibration", "name": "joint", "identity": "a" * 64}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as same:
        check_folder(folder, "b" * 64, name="joint")
    assert str(same.value) == (
        f"results folder '{folder}' holds calibration 'joint' run on other inputs (the "
        "calibration file, a pattern file, its scenario, --truth or --engine changed since); "
        "choose another --out, or remove the folder to calibrate afresh"
    )
    with pytest.raises(InputError, match=r"holds a different calibration or experiment"):
        check_folder(folder, "b" * 64, name="recovery")
    assert check_folder(folder, "a" * 64, name="joint") == manifest


def test_weighted_draws_follow_the_weights() -> None:
    """20,000 draws from weights 0.7, 0.2, 0.1, 0: each frequency within 5 binomial sds.

    sd of a frequency: sqrt(w (1 - w) / n), at most sqrt(0.25 / 20000) = 0.0035;
    a zero weight is never drawn. Same seed, same draws.
    """
    w = np.array([0.7, 0.2, 0.1, 0.0])
    n = 20_000
    counts = np.bincount(posterior.weighted_indices(w, n, seed=5), minlength=4) / n
    sd = np.sqrt(w * (1 - w) / n)
    assert np.all(np.abs(counts - w) <= 5 * sd + 1e-12)
    assert counts[3] == 0
    assert list(posterior.weighted_indices(w, 50, 5)) == list(posterior.weighted_indices(w, 50, 5))


# --------------------------------------------------------------------------- posterior designs


def _fake_calibration(folder: Path) -> None:
    """A finished calibration folder with three particles of weights 0.6, 0.3, 0.1."""
    folder.mkdir(parents=True)
    memory = "parameters.trust.memory"
    particles = pd.DataFrame(
        {
            "generation": [0, 1, 1, 1],
            "variant": ["v"] * 4,
            "particle": [0, 0, 1, 2],
            "weight": [1.0, 0.6, 0.3, 0.1],
            "distance": [1.0, 0.1, 0.2, 0.3],
            "model_probability": [1.0] * 4,
            memory: [0.5, 0.91, 0.95, 0.99],
            "link.beta": [1.0, 0.4, 0.5, 0.6],
        }
    )
    particles.to_parquet(folder / "posterior.parquet")
    manifest = {
        "kind": "calibration",
        "status": "complete",
        "variants": {"v": {"parameters.trust.negativity_bias": 1}},
        "resolved": {"parameters": {memory: {"low": 0.9, "high": 1}, "link.beta": {}}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _posterior_experiment(tmp_path: Path, design: str) -> Path:
    """An experiment on Syria named ``claims`` with ``design`` (YAML lines), beside a fake
    calibration folder ``cal``."""
    _fake_calibration(tmp_path / "cal")
    experiment = tmp_path / "exp.yaml"
    scenario = ROOT / "scenarios" / "syria.yaml"
    experiment.write_text(f"name: claims\nscenarios: {{syria: {scenario}}}\n{design}")
    return experiment


def test_posterior_design_draws_with_the_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A posterior design of 3000 samples from weights 0.6, 0.3, 0.1 (final generation only).

    The generation-0 particle (memory 0.5) is never drawn; link.beta is not a scenario
    path and is left out; the variant's fixed negativity bias is in every point.
    """
    from sim.sweep.experiment import load_experiment

    experiment = _posterior_experiment(
        tmp_path, "design: {method: posterior, calibration: cal, samples: 3000}\nseed: 11\n"
    )
    loaded = load_experiment(experiment)
    memory = [p["parameters.trust.memory"] for p in loaded.points]
    assert loaded.varied == ["parameters.trust.negativity_bias", "parameters.trust.memory"]
    assert all(p["parameters.trust.negativity_bias"] == 1 for p in loaded.points)
    shares = pd.Series(memory).value_counts(normalize=True)
    sd = math.sqrt(0.25 / 3000)
    assert set(shares.index) == {0.91, 0.95, 0.99}
    for value, weight in ((0.91, 0.6), (0.95, 0.3), (0.99, 0.1)):
        assert abs(shares[value] - weight) <= 5 * sd
    # validate counts the draws and the distinct sets, each run once (decision 586): the
    # three memory values, the bias fixed.
    capsys.readouterr()
    assert main(["validate", str(experiment)]) == 0
    assert capsys.readouterr().out == (
        f"ok: {experiment}: experiment 'claims', 1 scenario, 3,000 draws (3 distinct "
        "parameter sets), 3 runs\n"
    )


def test_a_posterior_sweep_records_its_calibration_by_identity_and_posterior_digest(
    tmp_path: Path,
) -> None:
    """A posterior sweep's manifest named its calibration by path alone: once the folder
    was replaced (calibrate run again into it), a sweep folder could not be traced to the
    calibration it drew from (an outside check, decision 1007). Its design now records
    the calibration manifest's identity and the SHA-256 of its posterior.parquet (here
    of the file's bytes); a replaced calibration's sweep records the new ones."""
    import hashlib

    experiment = _posterior_experiment(
        tmp_path, "design: {method: posterior, calibration: cal, samples: 3}\nrecord: summary\n"
    )
    cal = tmp_path / "cal"

    def sweep(identity: str, out: Path) -> tuple[dict[str, Any], str]:
        manifest = json.loads((cal / "manifest.json").read_text())
        (cal / "manifest.json").write_text(json.dumps({**manifest, "identity": identity}))
        argv = ["sweep", str(experiment), "--out", str(out), "--no-plots", "--quiet"]
        assert main(argv) == 0
        design = json.loads((out / "manifest.json").read_text())["design"]
        return design, hashlib.sha256((cal / "posterior.parquet").read_bytes()).hexdigest()

    design, sha = sweep("a" * 64, tmp_path / "first")
    assert design["method"] == "posterior" and design["points"] == 3
    expected = {"folder": "cal", "identity": "a" * 64, "variant": "v", "posterior_sha256": sha}
    assert design["calibration"] == expected
    # The folder replaced by another calibration: other particles, another identity.
    particles = pd.read_parquet(cal / "posterior.parquet")
    particles["parameters.trust.memory"] = [0.5, 0.92, 0.96, 0.98]
    particles.to_parquet(cal / "posterior.parquet")
    again, new_sha = sweep("b" * 64, tmp_path / "second")
    assert new_sha != sha
    assert again["calibration"] == {**expected, "identity": "b" * 64, "posterior_sha256": new_sha}


def test_posterior_design_refuses_a_variant_that_died_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A variant without particles in the final generation has no posterior to draw from
    (validation.md: draws from the final generation); its generation-0 particles are not it."""
    _fake_calibration(tmp_path / "cal")
    particles = pd.read_parquet(tmp_path / "cal" / "posterior.parquet")
    dead = particles.iloc[[0]].assign(variant="w", particle=1)
    pd.concat([particles, dead]).to_parquet(tmp_path / "cal" / "posterior.parquet")
    manifest = json.loads((tmp_path / "cal" / "manifest.json").read_text())
    manifest["variants"]["w"] = {}
    (tmp_path / "cal" / "manifest.json").write_text(json.dumps(manifest))
    experiment = tmp_path / "exp.yaml"
    lines = [
        "name: claims",
        f"scenarios: {{syria: {ROOT / 'scenarios' / 'syria.yaml'}}}",
        "design: {method: posterior, calibration: cal, samples: 10, variant: w}",
    ]
    experiment.write_text("\n".join(lines) + "\n")
    assert main(["validate", str(experiment)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{experiment}:3" in err
    assert "variant 'w' has no particles in the calibration's final generation (1" in err
    # The live variant of the same folder still draws.
    experiment.write_text("\n".join(lines).replace("variant: w", "variant: v") + "\n")
    assert main(["validate", str(experiment)]) == 0


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"parameters": {"parameters.trust.memroy": {"low": 0.9, "high": 1}}}, "memory"),
        ({"parameters": {"parameters.trust.memory": {"low": 0.9, "high": 0.9}}}, "is empty"),
        ({"parameters": {"parameters.trust.memory": {"low": 0.99, "high": 0.9}}}, "low above"),
        ({"patterns": ["missing.yaml"]}, "pattern file 'missing.yaml' does not exist"),
        # The path looked for is shown without the '..' that can go (the audit of 566).
        ({"patterns": ["sub/../gone/p.yaml"]}, "does not exist (looked for {tmp}/gone/p.yaml)"),
        ({"populaton": 10}, "did you mean 'population'"),
        # Generation 0 alone would overrun the budget (decision 587).
        (
            {"population": 24, "max_simulations": 10},
            "max_simulations: 10 is below the population (24): the first generation alone",
        ),
        ({"parameters": {"link.alpha": {"low": 0, "high": 1}}}, "link.beta"),
        ({"population": 1}, "must be >= 2"),
        ({"variants": {"v1": {"parameters.trust": 0}}}, "is a section"),
        # Statistics are named by file name: a file twice, or two of one name, would
        # share names, and one file's patterns would silently replace the other's.
        ({"patterns": ["p.yaml", "./p.yaml"]}, "'./p.yaml' is listed twice"),
        ({"patterns": ["p.yaml", "sub/p.yaml"]}, "'sub/p.yaml' has the same file name as"),
        ({"variants": {"v1": {"parameters.trust.memory": 0.95}}}, "only variant fixes every"),
        # validate let these through; calibrate stopped on the prior's midpoint 2.5, and
        # a folder "did not exist" (an audit; decision 620).
        (
            {"parameters": {"parameters.alignment.period": {"low": 0, "high": 5}}},
            "parameters.alignment.period: a whole-number field, and a calibration draws",
        ),
        ({"patterns": ["sub"]}, "patterns[0]: 'sub' is a folder; list the pattern files in it"),
        # The form of a prior, and a scenario listed as a pattern file, said at the
        # calibration's line (an audit; decision 626).
        (
            {"parameters": {"link.beta": [0, 2]}},
            "link.beta: a prior is a mapping {low: .., high: ..}, got a list "
            "[0, 2]; write {low: 0, high: 2}",
        ),
        (
            {"parameters": {"parameters.trust.memory": {"low": 0.85}}},
            "a prior needs both bounds, {low: .., high: ..}; 'high' is missing",
        ),
        ({"patterns": ["scenario.yaml"]}, "patterns[0]: 'scenario.yaml' is a scenario, not a"),
    ],
)
def test_bad_calibration_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: dict, expected: str
) -> None:
    (tmp_path / "p.yaml").write_text("{}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.yaml").write_text("{}\n")
    (tmp_path / "scenario.yaml").write_text((ROOT / "scenarios" / "syria.yaml").read_text())
    data = {
        "name": "bad",
        "patterns": ["p.yaml"],
        "parameters": {"parameters.trust.memory": {"low": 0.9, "high": 1}},
        **change,
    }
    path = tmp_path / "cal.yaml"
    path.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in data.items()) + "\n")
    out = tmp_path / "out"
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    expected = expected.replace("{tmp}", str(tmp_path))
    assert err.count("\n") == 1 and expected in err and f"{path}:" in err
    assert not out.exists()


def test_folder_holding_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="not empty"):
        run_calibration(toy(tmp_path), BinomialProblem(), tmp_path / "out", workers=1)


def test_a_folder_of_the_same_calibration_with_other_truth_says_so(tmp_path: Path) -> None:
    """Running calibrations/recovery.yaml without --truth into the folder of its --truth
    run said only "holds a different calibration or experiment ('recovery', calibration)"."""
    from sim.calibrate.run import check_folder

    folder = tmp_path / "out"
    folder.mkdir()
    manifest = {"kind": "calibration", "identity": "abc", "name": "recovery",
                "truth": {"p": 0.3}}  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(InputError) as refused:
        check_folder(folder, "def", {})
    assert (
        "('recovery', calibration; its data simulated at --truth p=0.3, this calibration's "
        "from the votes (no --truth))"
    ) in str(refused.value)
    with pytest.raises(InputError) as refused:
        check_folder(folder, "def", {"p": 0.3})  # the same truth: another file's values
    assert "('recovery', calibration)" in str(refused.value)
    # As run_calibration asks, with the calibration's name: the same calibration.
    with pytest.raises(InputError) as refused:
        check_folder(folder, "def", {}, name="recovery")
    assert (
        "holds calibration 'recovery' run on other inputs (its data simulated at --truth "
        "p=0.3, this calibration's from the votes (no --truth))"
    ) in str(refused.value)


# --------------------------------------------------------------------------- known answers


def test_beta_bernoulli_posterior_is_recovered(tmp_path: Path) -> None:
    """14 of 20 with a uniform prior: posterior Beta(15, 7), mean 15/22 = 0.682, sd 0.0971.

    The threshold ends below 1 count, so only exact matches are accepted and the
    ABC posterior is the exact one; what is left is Monte Carlo error. With 300
    particles (effective sample size above 150), the standard error of the mean
    is about 0.0971 / sqrt(150) = 0.008: the tolerance 0.03 is about 4 of them;
    the 5% and 95% quantiles move more (a tail has fewer particles): 0.05.
    """
    cal = toy(tmp_path, population=300, max_simulations=20_000)
    out = run_calibration(cal, BinomialProblem(), tmp_path / "out", workers=1, figures=False)
    assert out.run is not None and out.run.epsilon < 1
    last = final(tmp_path / "out")
    w = last["weight"].to_numpy()
    p = last[PARAMETER].to_numpy()
    mean = float(np.sum(w * p))
    sd = math.sqrt(float(np.sum(w * (p - mean) ** 2)))
    exact = stats.beta(15, 7)
    assert mean == pytest.approx(exact.mean(), abs=0.03)
    assert sd == pytest.approx(exact.std(), abs=0.02)
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    row = summary[summary["parameter"] == PARAMETER].iloc[0]
    assert row["q05"] == pytest.approx(exact.ppf(0.05), abs=0.05)
    assert row["q95"] == pytest.approx(exact.ppf(0.95), abs=0.05)


def test_held_out_patterns_never_enter_the_distance(tmp_path: Path) -> None:
    """A held-out statistic with absurd values (1e9 times noise) leaves the posterior identical.

    One worker and the same seed make the calibration reproducible, so if the
    distance used the held-out value any particle would differ.
    """
    plain = run_calibration(
        toy(tmp_path), BinomialProblem(), tmp_path / "a", workers=1, figures=False
    )
    absurd = run_calibration(
        toy(tmp_path), BinomialProblem(held_out=True), tmp_path / "b", workers=1, figures=False
    )
    assert plain.run is not None and absurd.run is not None
    a = pd.read_parquet(tmp_path / "a" / "posterior.parquet")
    b = pd.read_parquet(tmp_path / "b" / "posterior.parquet")
    pd.testing.assert_frame_equal(a, b)
    checks = pd.read_csv(tmp_path / "b" / "checks.csv")
    assert list(checks["role"]) == ["calibrate", "holdout"]
    assert not checks.set_index("pattern").loc["absurd", "pass"]


def test_truth_is_recovered(tmp_path: Path) -> None:
    """--truth p=0.3 replaces the observed 14/20 by a count simulated at p = 0.3.

    Whatever count that is, its Beta posterior's 90% interval holds 0.3 unless the
    draw is in a 10% tail; the seed fixes the draw (checked: the interval holds it),
    and the interval is far narrower than the prior [0, 1].
    """
    cal = toy(tmp_path, ("p=0.3",), population=100, max_simulations=3000)
    run_calibration(cal, BinomialProblem(), tmp_path / "out", workers=1, figures=False)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    observed = manifest["statistics"][0]["observed"]
    assert manifest["truth"] == {"p": 0.3} and observed != 0.7
    row = pd.read_csv(tmp_path / "out" / "summary.csv").iloc[0]
    assert row["q05"] <= 0.3 <= row["q95"] and row["narrowing"] < 0.5


@dataclass(frozen=True)
class _CompilesOnce(BinomialProblem):
    """The toy problem, whose first simulation compiles a kernel of its own (never in
    numba's cache), as the model's first run does on a cold cache."""

    compiled: list[bool] = field(default_factory=list)

    def simulate(self, values, seed, *, holdout=True):  # type: ignore[no-untyped-def]
        if not self.compiled:
            from numba import njit

            njit(lambda x: x + 11)(1)
            self.compiled.append(True)
        return super().simulate(values, seed, holdout=holdout)


def test_a_calibration_that_compiles_says_how_much_of_its_time_was_compiling(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold cache's compile (in the preflight's simulation, before any worker) was a
    silent part of "N in this session" (decision 728); a warm one says nothing."""
    import sim.sweep.progress

    # A small kernel in a process that has compiled before takes some 40 ms; any is said.
    monkeypatch.setattr(sim.sweep.progress, "COMPILING_SAID_S", 1e-9)
    problem = _CompilesOnce()
    cal = toy(tmp_path, population=30, max_simulations=300)
    run_calibration(cal, problem, tmp_path / "cold", workers=1, figures=False, quiet=True)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("calibration 'toy': "), line
    assert " in this session (" in line
    assert "s of it compiling the engine, once: later calibrations load it from numba's " in line
    run_calibration(cal, problem, tmp_path / "warm", workers=1, figures=False, quiet=True)
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("calibration 'toy': ") and "compiling" not in line, line


def test_variants_model_probabilities_favour_the_true_one(tmp_path: Path) -> None:
    """v1 fixes p = 0.2, v2 leaves it free; 14 of 20 is 14 / sqrt(20 * 0.16) = 3.9 counts...

    ...about 5 sds from v1's mean count of 4: v2 must take nearly all the
    probability, and v1's predictive draws, if it kept any particle, lie
    farther from the observed count than v2's. Whether v1 keeps one is
    chance: the first threshold is the median distance of the prior's
    draws, which v1's rarely meet (with seed 3, since decision 357, none
    does: v1 then has no particle and no predictive draw, and the table
    says so rather than show a distance).
    """
    cal = toy(tmp_path, variants={"v1": {PARAMETER: 0.2}, "v2": {}}, max_simulations=2000)
    run_calibration(cal, BinomialProblem(), tmp_path / "out", workers=1, figures=False)
    table = pd.read_csv(tmp_path / "out" / "variants.csv").set_index("variant")
    assert table.loc["v2", "model_probability"] > 0.9
    v1 = table.loc["v1"]
    if final(tmp_path / "out", "v1").empty:
        assert v1["particles"] == 0 and v1["calibrate_pass"] == "0/0"
        assert math.isnan(v1["median_distance"])
    else:
        assert table.loc["v2", "median_distance"] < v1["median_distance"]


def test_parallel_run_then_rerun_does_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two workers give the one-worker posterior, to the bit; running it again does nothing.

    pyabc's own multicore sampler reseeded its workers from the operating
    system and kept the particles that came first: two runs with the same
    seed differed (decision 357). The workers come from the fork server, not
    from this process: forking it, multi-threaded, made Python warn 14 times
    that the child may deadlock (decisions 670, 760).
    """
    cal = toy(tmp_path, population=100, max_simulations=10_000)
    alone = run_calibration(cal, BinomialProblem(), tmp_path / "one", workers=1, figures=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = run_calibration(cal, BinomialProblem(), tmp_path / "out", workers=2)
    assert not [w for w in caught if "use of fork()" in str(w.message)]
    assert first.run is not None and alone.run is not None
    assert first.run.simulations == alone.run.simulations
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "out" / "posterior.parquet"),
        pd.read_parquet(tmp_path / "one" / "posterior.parquet"),
    )
    page = (tmp_path / "out" / "report.html").read_text()
    # The sweep report's style and a heading per table, each naming its file.
    assert "<style>" in page and "Posterior of each parameter" in page
    assert all(f"<code>{name}.csv</code>" in page for name in ("summary", "variants", "checks"))
    # Each table's columns whose meaning their name does not give are said under its
    # heading (an outside check read `narrowing` as the opposite of what it is).
    plain = {"variant", "parameter", "pattern", "role", "observed", "tolerance", "pass",
             "particles", "prior_low", "prior_high", "generation"}  # fmt: skip
    for name in ("summary", "variants", "checks"):
        said = page.split(f"<code>{name}.csv</code>", 1)[1].split("<table", 1)[0]
        columns = pd.read_csv(tmp_path / "out" / f"{name}.csv").columns
        assert [c for c in columns if c not in plain and f"{c}:" not in said and
                f"{c}," not in said] == [], name  # fmt: skip
    assert "narrowing: that interval&#x27;s width over the prior&#x27;s" in page
    # What was run opens the page, as a sweep's report does (decision 590): the priors,
    # the variants, the budget and how the run ended.
    assert page.index("What was run") < page.index("Posterior of each parameter")
    assert f"<th>priors (uniform)</th><td>{PARAMETER} 0 to 1</td>" in page
    assert "<th>variants (fixed values)</th><td>default: all free</td>" in page
    assert "<th>budget</th><td>10,000 simulations, min epsilon 0.5</td>" in page
    assert f"<th>run</th><td>{first.run.generations} generations, " in page
    # The figures are in the page (it was a page of links to figures/*.png).
    images = re.findall(r'<img src="([^"]+)"', page)
    assert len(images) == len(list((tmp_path / "out" / "figures").glob("*.png"))) >= 2
    assert all(src.startswith("data:image/png;base64,") for src in images)
    again = run_calibration(cal, BinomialProblem(), tmp_path / "out", workers=2)
    assert again.run is None
    assert "already complete" in capsys.readouterr().out


def test_a_finished_calibration_run_without_figures_draws_them_when_run_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A calibration run with --no-plots could never get its figures or report.html: the
    same command again said "already complete ... nothing to do", and `plot` reads sweeps
    only (an outside check). Run again with figures, it draws them from its tables, the
    same files a run with figures from the start writes, and records them; a third run
    has nothing to do."""
    cal = toy(tmp_path)
    run_calibration(cal, BinomialProblem(), tmp_path / "drawn", workers=1, quiet=True)
    bare = tmp_path / "bare"
    run_calibration(cal, BinomialProblem(), bare, workers=1, figures=False, quiet=True)
    assert not (bare / "report.html").exists() and not (bare / "figures").exists()
    capsys.readouterr()
    again = run_calibration(cal, BinomialProblem(), bare, workers=1, quiet=True)
    assert again.run is None
    said = capsys.readouterr().out
    assert said.startswith("calibration 'toy' is already complete (")
    assert said.rstrip().endswith("; its figures and report.html are drawn now")
    figures = sorted(p.name for p in (tmp_path / "drawn" / "figures").glob("*.png"))
    assert figures and sorted(p.name for p in (bare / "figures").glob("*.png")) == figures
    for name in figures:
        assert (bare / "figures" / name).read_bytes() == (
            tmp_path / "drawn" / "figures" / name
        ).read_bytes()
    page = (bare / "report.html").read_text()
    assert page == (tmp_path / "drawn" / "report.html").read_text().replace(
        str(tmp_path / "drawn"), str(bare)
    )
    require_intact(bare)  # the figures are recorded: a damaged one would be noticed
    (bare / "figures" / figures[0]).write_bytes(b"damaged")
    with pytest.raises(InputError):
        require_intact(bare)
    (bare / "figures" / figures[0]).write_bytes(
        (tmp_path / "drawn" / "figures" / figures[0]).read_bytes()
    )
    run_calibration(cal, BinomialProblem(), bare, workers=1, quiet=True)
    assert capsys.readouterr().out.rstrip().endswith("; nothing to do")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="drawing processes: Linux")
def test_the_figures_drawn_on_two_processes_are_those_drawn_in_one(tmp_path: Path) -> None:
    """Decision 886: a calibration's figures are built and rendered in forked processes,
    as a sweep's report's; each file and the page are the bytes one process makes, each
    figure under its own name (a variant with two free parameters adds its pairs)."""
    import shutil

    from sim.calibrate.figures import FIGURES, run_facts, write_figures

    cal = toy(tmp_path)
    folder = tmp_path / "run"
    run_calibration(cal, BinomialProblem(), folder, workers=1, figures=False, quiet=True)
    particles = pd.read_parquet(folder / "posterior.parquet")
    checks = pd.read_csv(folder / "checks.csv")
    manifest = json.loads((folder / "manifest.json").read_text())
    facts = run_facts(cal, manifest, manifest.get("command") or [])
    pages = {}
    for processes in (1, 2):
        copy = tmp_path / f"on_{processes}"
        shutil.copytree(folder, copy)
        (copy / FIGURES).mkdir(exist_ok=True)
        write_figures(copy, cal, particles, checks, facts, processes=processes)
        pages[processes] = (copy / "report.html").read_text().replace(str(copy), "FOLDER")
    one = {p.name: p.read_bytes() for p in (tmp_path / "on_1" / FIGURES).glob("*.png")}
    two = {p.name: p.read_bytes() for p in (tmp_path / "on_2" / FIGURES).glob("*.png")}
    assert sorted(one) == ["marginals.png", "predictive.png"]
    assert two == one and len(set(one.values())) == 2
    assert pages[2] == pages[1]
    # Each file is its own figure, drawn here apart.
    from sim.calibrate.figures import calibration_figures
    from sim.plots.figure import rendered, set_theme

    set_theme()
    for stem, figure in calibration_figures(cal, particles, checks).items():
        assert rendered(figure) == two[f"{stem}.png"], stem


# --------------------------------------------------------------------------- resume

# Under a main guard: two workers come from a fork server, and each imports the script
# again (decision 760).
_SCRIPT = """
import sys
from pathlib import Path
from typing import Any
from sim.calibrate.run import run_calibration
from sim.calibrate.spec import load_calibration
from sim.calibrate.toy import BinomialProblem
if __name__ == "__main__":
    cal = load_calibration(sys.argv[1], check_paths=False)
    run_calibration(cal, BinomialProblem(), Path(sys.argv[2]), workers=1,
                    figures=False, quiet=True)
"""


# Busy work in each simulation, so that a kill lands mid-way (the uninterrupted run above
# needs none: the work does not change a result).
_PARALLEL_SCRIPT = _SCRIPT.replace("workers=1", "workers=2").replace(
    "BinomialProblem()", "BinomialProblem(work_s=0.005)"
)


def _generations(folder: Path) -> int:
    path = folder / "posterior.parquet"
    try:
        return int(pd.read_parquet(path)["generation"].max()) + 1 if path.is_file() else 0
    except (OSError, ValueError):
        return 0


@pytest.mark.slow
def test_resume_after_sigkill_matches_an_uninterrupted_run(tmp_path: Path) -> None:
    """Kill a 2-worker calibration after its second generation, start it again: the
    posterior of an uninterrupted run on one worker.

    Every random draw is fixed by the seed (an evaluation's proposal by its
    generation and index, decision 357; its simulation by its parameters),
    and the history holds every finished generation, so the resumed run goes
    on exactly where the uninterrupted one did, whatever the workers.
    """
    # 6 generations, 2,416 simulations (3,646 with a population of 150, for no more test).
    path = toy_file(tmp_path, population=100, max_simulations=8000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    script = tmp_path / "run.py"
    script.write_text(_SCRIPT)
    subprocess.run([sys.executable, script, path, tmp_path / "whole"], env=env, check=True)
    script = tmp_path / "run2.py"
    script.write_text(_PARALLEL_SCRIPT)
    proc = subprocess.Popen([sys.executable, script, path, tmp_path / "killed"], env=env)
    deadline = time.monotonic() + 120
    while _generations(tmp_path / "killed") < 2 and proc.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    kept = _generations(tmp_path / "killed")
    whole = pd.read_parquet(tmp_path / "whole" / "posterior.parquet")
    assert 2 <= kept < whole["generation"].max() + 1, "the kill came too late to test resume"
    subprocess.run([sys.executable, script, path, tmp_path / "killed"], env=env, check=True)
    resumed = pd.read_parquet(tmp_path / "killed" / "posterior.parquet")
    assert resumed["generation"].max() == whole["generation"].max()
    assert sorted(set(resumed["generation"])) == list(range(whole["generation"].max() + 1))
    pd.testing.assert_frame_equal(resumed, whole)


def _ready_then_sleep(ready: multiprocessing.synchronize.Event) -> None:
    ready.set()
    time.sleep(60)


# The fork is this test's own: Python's warning that this multi-threaded process forks
# is expected here, and would hide a fork of the calibration's among the warnings.
@pytest.mark.filterwarnings("ignore:This process .* use of fork:DeprecationWarning")
def test_a_forked_child_does_not_keep_the_calibrations_folder_locked(tmp_path: Path) -> None:
    """A process forked while the calibration holds its folder (pyabc's workers and the
    predictive pool were, before decision 760; a researcher's own code may fork) does
    not hold the lock after the calibration lets it go.

    A forked child shares its parent's flock: after a SIGKILL, the calibration's
    workers, dying with it a moment later, still held the folder, and the same command
    run at once was refused as "another calibration is writing" (decision 719; the
    intermittent failure of the resume test above).
    """
    from sim.calibrate.run import _locked

    folder = tmp_path / "out"
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    with _locked(folder):
        child = context.Process(target=_ready_then_sleep, args=(ready,))
        child.start()
        # Once the child runs its target, its fork hooks have run (not as it is forked).
        assert ready.wait(60)
    try:
        with _locked(folder):  # the child, still alive, holds nothing
            assert child.is_alive()
    finally:
        child.kill()
        child.join()


_MAP_SCRIPT = """
import time
from sim.calibrate.run import _map

def slow(x):
    time.sleep(60)
    return x

if __name__ == "__main__":
    list(_map(slow, list(range(8)), None, 2))
"""


def _workers_below(parent: Any) -> list[Any]:
    """The processes at work below ``parent``: its descendants without children of their
    own (a fork server's workers, not the server), but multiprocessing's resource tracker."""
    import psutil

    found = []
    for process in parent.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if not process.children() and "resource_tracker" not in " ".join(process.cmdline()):
                found.append(process)
    return found


def _kill_then_find_workers_alive(args: list[object]) -> int:
    """Start ``python ARGS``, SIGKILL it once two worker processes are at work below it
    (its children, or since decision 760 its fork server's), and return how many of its
    descendants (the workers, the server, the resource tracker) are still alive 10 s
    later (killing them then)."""
    psutil = pytest.importorskip("psutil")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, *args], env=env)
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + 120
    while len(_workers_below(parent)) < 2:
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # the workers have started and asked to die with their parent
    descendants = parent.children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _, alive = psutil.wait_procs(descendants, timeout=10)
    for process in alive:
        process.kill()
    return len(alive)


def test_a_killed_calibration_leaves_no_worker_behind(tmp_path: Path) -> None:
    """SIGKILL a 2-worker calibration mid-generation: its worker processes end with it.

    pyabc's multicore workers outlived it, blocked for good on a queue nobody
    read; the sampler's workers now ask the kernel to kill them with their
    parent (decision 359).
    """
    path = toy_file(tmp_path, population=200, max_simulations=20_000)
    script = tmp_path / "run.py"
    script.write_text(_PARALLEL_SCRIPT)
    assert _kill_then_find_workers_alive([script, path, tmp_path / "out"]) == 0


_UNGUARDED = """
from pathlib import Path
from sim.calibrate.run import run_calibration
from sim.calibrate.spec import load_calibration
from sim.calibrate.toy import BinomialProblem
cal = load_calibration({spec!r}, check_paths=False)
run_calibration(cal, BinomialProblem(), Path({out!r}), workers=2, figures=False, quiet=True)
"""


@pytest.mark.slow
def test_a_script_without_a_main_guard_is_refused_before_the_calibration_starts(
    tmp_path: Path,
) -> None:
    """A script that calls run_calibration on two workers without `if __name__ ==
    "__main__":` has each worker, from the fork server, import it again and die as it
    starts (decision 760). It is refused in one line before anything is written, as a
    sweep's is (decision 610), not with a traceback in a generation or, for the
    predictive draws, after the whole SMC stage (decision 670). The workers forked by
    the code before ran it."""
    script = tmp_path / "noguard.py"
    out = tmp_path / "out"
    script.write_text(_UNGUARDED.format(spec=str(toy_file(tmp_path)), out=str(out)))
    done = run_script(script, tmp_path)
    assert done.returncode != 0, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith(
        "sim.errors.WorkersFailed: the calibration's worker processes die as they start"
    ), done.stderr
    assert 'if __name__ == "__main__":' in last and "workers=1" in last
    assert "BrokenProcessPool" not in done.stderr and "Exception in thread" not in done.stderr
    assert not out.exists()


_GUARDED_COUNTING = """
import os
from pathlib import Path
from sim.calibrate.run import run_calibration
from sim.calibrate.spec import load_calibration
from sim.calibrate.toy import BinomialProblem
if __name__ == "__mp_main__":  # a worker, importing this script again
    with open({log!r}, "a") as log:
        log.write(f"{{os.getpid()}}\\n")
if __name__ == "__main__":
    cal = load_calibration({spec!r}, check_paths=False)
    run_calibration(cal, BinomialProblem(), Path({out!r}), workers=2, figures=False, quiet=True)
"""


@pytest.mark.slow
def test_a_script_is_imported_once_by_each_worker_of_its_calibration(tmp_path: Path) -> None:
    """Each worker process imports the user's script again (with what it imports: pyabc
    itself, for a script that does, about 2.5 s). The check that workers can start is made
    with the calibration's own two workers, so the script is imported twice, by the two
    processes that then simulate: a worker started only for the check imported it a
    third time before the calibration started (decision 770)."""
    script, log, out = tmp_path / "guarded.py", tmp_path / "imports.txt", tmp_path / "out"
    script.write_text(
        _GUARDED_COUNTING.format(log=str(log), spec=str(toy_file(tmp_path)), out=str(out))
    )
    done = run_script(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (out / "posterior.parquet").is_file()
    pids = log.read_text().split()
    assert len(pids) == len(set(pids)) == 2, pids


def test_a_killed_calibration_leaves_no_predictive_worker_behind(tmp_path: Path) -> None:
    """The posterior predictive draws' process pool dies with a killed calibration.

    A process pool's workers outlived a SIGKILL of their parent (decision 361).
    """
    script = tmp_path / "map.py"
    script.write_text(_MAP_SCRIPT)
    assert _kill_then_find_workers_alive([script]) == 0


def test_statistic_roles() -> None:
    stats_ = BinomialProblem(held_out=True).statistics
    assert [s.role for s in stats_] == ["calibrate", "holdout"]
    assert stats_[0] == Statistic("proportion", "calibrate", 0.7, 0.05)


# --------------------------------------------------------------------------- dask


def _kill_both_once(marker: str, after: int) -> None:
    """Count a simulation in a Dask worker; once both workers have simulated and
    ``after`` simulations have begun, one of them kills both at once, once.

    Claimed by one process only (the marker is created exclusively): it used to be
    checked, then written, and two workers past the mark together both died (a
    fresh-clone CI run), which took the generation's scattered payload with them.
    That is now what the tests do on purpose.
    """
    count, pids = Path(marker + ".count"), Path(marker + ".pids")
    pids.mkdir(exist_ok=True)
    (pids / str(os.getpid())).touch()
    with count.open("a") as handle:
        handle.write(".")
    workers = sorted(int(p.name) for p in pids.iterdir())
    if count.stat().st_size < after or len(workers) < 2:
        return
    try:
        claimed = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    os.write(claimed, " ".join(map(str, workers)).encode())
    os.close(claimed)
    for pid in sorted(workers, key=lambda p: p == os.getpid()):  # itself last
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@dataclass(frozen=True)
class _KillBoth:
    """The toy problem, except that once both Dask workers have simulated and 50
    simulations have begun, one of them kills both workers at once, once."""

    marker: str

    @property
    def statistics(self) -> tuple[Statistic, ...]:
        return BinomialProblem().statistics

    def identity(self) -> str:
        return BinomialProblem().identity()

    def simulate(
        self, params: dict[str, float], seed: int, *, holdout: bool = True
    ) -> dict[str, float]:
        from distributed import get_worker

        try:
            get_worker()
        except ValueError:  # not in a Dask worker (the calibration's own process)
            return BinomialProblem().simulate(params, seed, holdout=holdout)
        _kill_both_once(self.marker, 50)
        return BinomialProblem().simulate(params, seed, holdout=holdout)


@pytest.mark.slow
def test_dask_workers_that_die_or_lose_a_connection_cost_only_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a 2-worker LocalCluster both workers are killed at once mid-generation, and
    with them every copy of the generation's payload (scattered once, decision 552):
    the sampler sends it again, Dask reruns the lost simulations on the restarted
    workers with the same seeds, and the calibration ends with exactly the posterior of
    one worker in one process (decision 357). Before, the tasks came back cancelled and
    the calibration failed.

    In the same calibration (one Dask calibration for both, for the suite's time), a
    connection error while the scheduler still answers (a worker dying under a scatter,
    a fresh-clone CI run) was named a lost scheduler and ended the calibration (decision
    771). It is a worker's: the generation, and the predictive draws, are done again with
    the same seeds (decision 775)."""
    pytest.importorskip("distributed")
    import cloudpickle
    from distributed import Client
    from distributed.comm.core import CommClosedError

    scatter = Client.scatter
    seen = {"generation": 0, "predictive": 0}
    failed: list[str] = []

    def scatter_failing_once_each(self: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
        kind = "generation" if isinstance(data, bytes) else "predictive"
        seen[kind] += 1
        # The second generation's payload, and the predictive draws' data.
        if seen[kind] == {"generation": 2, "predictive": 1}[kind]:
            failed.append(kind)
            raise CommClosedError("in <TCP (closed) ConnectionPool.scatter local=... remote=...>")
        return scatter(self, data, *args, **kwargs)

    monkeypatch.setattr(Client, "scatter", scatter_failing_once_each)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = str(tmp_path / "killed")
    # 5 generations, 1,379 simulations (on one process): 2,416 took 65-95 s on Dask here.
    cal = toy(tmp_path, population=60, max_simulations=1500)
    out = run_calibration(
        cal, _KillBoth(marker), tmp_path / "out", executor="dask", workers=2, figures=False
    )
    assert len(Path(marker).read_text().split()) == 2  # both workers were killed
    assert failed == ["generation", "predictive"]  # and two scatters failed
    assert out.run is not None and out.run.epsilon < 1
    monkeypatch.undo()
    alone = run_calibration(cal, BinomialProblem(), tmp_path / "one", workers=1, figures=False)
    assert alone.run is not None and out.run.simulations == alone.run.simulations
    for name in ("posterior.parquet", "predictive.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "out" / name), pd.read_parquet(tmp_path / "one" / name)
        )


@dataclass(frozen=True)
class _Held:
    """A predictive draw's shared first item (a Simulator, holding the vote data)."""

    data: tuple[int, ...]


def _draw_killing_both_once(job: tuple[_Held, int, str]) -> int:
    """A predictive draw that, once both Dask workers have drawn and 10 draws have
    begun, kills both workers at once, once."""
    held, x, marker = job
    time.sleep(0.05)
    _kill_both_once(marker, 10)
    return sum(held.data) + 3 * x


@pytest.mark.slow
def test_predictive_draws_on_dask_survive_their_workers_dying(tmp_path: Path) -> None:
    """Both Dask workers killed at once during the posterior predictive draws lose every
    copy of the scattered Simulator: the draws send it again and finish, each with the
    result it has when nothing dies. Before, the draws failed with Dask's cancelled
    error (decision 562; the sampler's own recovery is decision 560)."""
    pytest.importorskip("distributed")
    import cloudpickle
    from dask.distributed import Client, LocalCluster

    from sim.calibrate.run import _map

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = str(tmp_path / "killed")
    held = _Held(tuple(range(1000)))
    jobs = [(held, x, marker) for x in range(40)]
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs=NO_DASHBOARD,
        ) as cluster,
        Client(cluster) as client,
    ):
        chosen = type("Chosen", (), {"client": client})()
        results = list(_map(_draw_killing_both_once, jobs, chosen, 2))
    assert len(Path(marker).read_text().split()) == 2  # both workers were killed
    assert results == [sum(range(1000)) + 3 * x for x in range(40)]


@dataclass(frozen=True)
class _Heavy(BinomialProblem):
    """The toy problem holding 16 MB of data, as a pattern problem holds the vote data."""

    data: np.ndarray = field(default_factory=lambda: np.zeros(2_000_000))


@pytest.mark.slow
def test_dask_sends_a_heavy_problem_to_its_workers_once(tmp_path: Path) -> None:
    """A pattern problem's payload (the vote data, 34 MB) went with every Dask task and
    every predictive draw: distributed warned "Sending large graph" each time and the
    calibration ran at 2 simulations a second against 50 on processes (an audit). It is
    scattered to the workers once a generation now; the posterior is unchanged."""
    pytest.importorskip("distributed")
    import warnings

    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    cal = toy(tmp_path, population=20, max_simulations=120, predictive=4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = run_calibration(
            cal, _Heavy(), tmp_path / "out", executor="dask", workers=2, figures=False
        )
    assert out.run is not None
    assert [str(w.message) for w in caught if "large graph" in str(w.message)] == []
    run_calibration(cal, _Heavy(), tmp_path / "one", workers=1, figures=False)
    for name in ("posterior.parquet", "predictive.parquet"):
        if (tmp_path / "one" / name).exists():
            pd.testing.assert_frame_equal(
                pd.read_parquet(tmp_path / "out" / name), pd.read_parquet(tmp_path / "one" / name)
            )


def test_a_heavy_problem_goes_to_each_process_worker_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process workers come from the fork server, not forked from the calibration
    with its problem in memory (decision 760): a pattern problem (the vote data, 36 MB)
    went pickled with every generation's work to every worker, and with every chunk of
    the predictive draws. Each worker is given it once, as it starts, and the work
    names it; the posterior and the draws are one worker's."""
    from sim.calibrate.samplers import Workers

    sizes: list[int] = []
    real = Workers.dumps

    def dumps(self: Workers, obj: Any) -> bytes:
        payload = real(self, obj)
        sizes.append(len(payload))
        return payload

    monkeypatch.setattr(Workers, "dumps", dumps)
    cal = toy(tmp_path, population=50, max_simulations=600, predictive=16)
    out = run_calibration(cal, _Heavy(), tmp_path / "out", workers=2, figures=False)
    assert out.run is not None and out.run.generations >= 2
    # Every generation's work (the sample before the first too) and 8 chunks of draws.
    assert len(sizes) >= out.run.generations + 1 + 8
    assert max(sizes) < 1_000_000  # the problem alone pickles to 16 MB
    run_calibration(cal, BinomialProblem(), tmp_path / "one", workers=1, figures=False)
    for name in ("posterior.parquet", "predictive.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "out" / name), pd.read_parquet(tmp_path / "one" / name)
        )


def test_ctrl_c_as_a_calibration_reads_a_message_is_taken_once_it_is_read() -> None:
    """Ctrl-C that comes while the calibration reads an evaluation off its workers' queue
    is taken once the message is read: one that came between the reads of its length and
    of its bytes left the rest in the pipe, and the clean-up, which reads the messages
    left so that no worker waits on a full pipe, read it as a length (decision 785).
    The queue is now read by a thread of its own (decision 834), which no signal
    interrupts; the calibration takes the messages from that thread, and Ctrl-C is
    still taken only once a message is taken."""
    from types import SimpleNamespace

    from sim.calibrate.samplers import Workers

    seen: list[str] = []

    class Queue:
        def get(self, timeout: float) -> str:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C as the message is taken
            seen.append("read")  # the rest of the message
            return "an evaluation"

    workers = Workers(1)
    workers.reader = SimpleNamespace(items=Queue(), error=None)  # type: ignore[assignment]
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            workers.receive()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert seen == ["read"]


def test_a_finished_calibration_guards_its_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An audit truncated posterior.parquet of a finished calibration and `credsim
    check` said "ok" (calibrations wrote no integrity record). Now the finished folder
    records its files: check finds the damage (exit 1), a rerun refuses to call it
    complete, and a posterior design refuses to draw from it."""
    from sim.sweep.experiment import load_experiment

    out = tmp_path / "out"
    run_calibration(toy(tmp_path, population=30, max_simulations=300), BinomialProblem(),
                    out, workers=1)  # fmt: skip
    capsys.readouterr()
    records = json.loads((out / "integrity.json").read_text())["files"]
    assert {"posterior.parquet", "summary.csv", "history.db", "report.html"} <= set(records)
    assert main(["check", str(out)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {out}: calibration 'toy', complete; ")
    data = (out / "posterior.parquet").read_bytes()
    (out / "posterior.parquet").write_bytes(data[: len(data) // 2])
    assert main(["check", str(out)]) == 1
    printed = capsys.readouterr().out
    assert f"{out / 'posterior.parquet'}: has " in printed and "removing the folder" in printed
    with pytest.raises(InputError, match=r"posterior\.parquet has .* bytes"):
        run_calibration(toy(tmp_path, population=30, max_simulations=300), BinomialProblem(),
                        out, workers=1)  # fmt: skip
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        f"name: e\nscenarios: {{syria: {ROOT / 'scenarios' / 'syria.yaml'}}}\n"
        f"design: {{method: posterior, calibration: {out}, samples: 5}}\n"
    )
    with pytest.raises(InputError, match=r"is damaged: posterior\.parquet"):
        load_experiment(experiment)


def test_the_marginals_say_when_a_variant_comes_from_an_earlier_generation(
    tmp_path: Path,
) -> None:
    """Variant b kept particles in generation 0 only: its histogram is generation 0's,
    and its legend entry says so (the caption said "final generation" for both)."""
    from sim.calibrate.figures import marginals_figure

    # b fixes a second parameter (two variants of one model are refused, decision 533).
    other = "parameters.trust.memory"
    priors = {PARAMETER: {"low": 0, "high": 1}, other: {"low": 0.9, "high": 1}}
    cal = toy(tmp_path, parameters=priors, variants={"a": {}, "b": {other: 0.95}})
    particles = pd.DataFrame(
        {"generation": [0, 0, 0, 2, 2], "variant": ["a", "b", "b", "a", "a"],
         "weight": [1.0, 0.5, 0.5, 0.5, 0.5], PARAMETER: [0.2, 0.3, 0.4, 0.6, 0.7],
         other: [0.95, 0.95, 0.95, 0.92, 0.93]}
    )  # fmt: skip
    fig = marginals_figure(particles, cal)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    # a's two particles are said to be few (decision 591).
    # b's label says it died out (it read "b (generation 0)" beside a tall spike, as if a
    # sharp posterior; an audit, decision 649).
    assert labels[:2] == [
        "a (2.0 effective particles: read with care)",
        "b (died out: its last particles, generation 0)",
    ]


def test_the_marginals_outline_each_variant_and_mark_a_fixed_value(tmp_path: Path) -> None:
    """Two variants' translucent fills mixed into a third colour where they overlapped, and
    a variant that fixes a parameter left its panel without a trace of it."""
    from matplotlib.patches import Polygon

    from sim.calibrate.figures import marginals_figure, variant_colours

    cal = toy(tmp_path, variants={"a": {}, "b": {PARAMETER: 0.25}})
    particles = pd.DataFrame(
        {"generation": [1, 1], "variant": ["a", "a"], "weight": [0.5, 0.5], PARAMETER: [0.6, 0.7]}
    )
    fig = marginals_figure(particles, cal)
    ax = fig.axes[0]
    colours = variant_colours(["a", "b"])
    outlines = [p for p in ax.patches if isinstance(p, Polygon) and not p.get_fill()]
    assert [matplotlib.colors.to_hex(p.get_edgecolor()) for p in outlines] == [colours["a"]]
    (fixed,) = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert list(fixed.get_xdata()) == [0.25, 0.25]
    assert matplotlib.colors.to_hex(fixed.get_color()) == colours["b"]
    assert [t.get_text() for t in ax.texts] == [" b: 0.25 "]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "a (2.0 effective particles: read with care)",
        "b: fixed",
        "prior",
    ]
    assert "A dotted line, marked by a triangle at the top, is a variant's fixed value." in (
        fig.texts[-1].get_text()
    )
    # On the prior's edge the line lies on the axes' frame, where it could not be seen
    # (an outside check, decision 1010): a triangle at the top marks it, and its name is
    # boxed over the bars.
    (mark,) = [line for line in ax.get_lines() if line.get_marker() == "v"]
    assert list(mark.get_xdata()) == [0.25] and not mark.get_clip_on()
    assert ax.texts[0].get_bbox_patch() is not None


def test_the_marginals_say_which_variant_rests_on_little(tmp_path: Path) -> None:
    """An audit's v2 of model probability 4e-05 on 2 effective particles was drawn at full
    height (each variant's histogram is its own density), a spike that hid v1: the legend
    now says so (decision 591). By hand: v1's 40 equal weights are 40 effective particles
    of probability 0.99996, said nothing of; v2's weights 0.9, 0.1 give
    1 / (0.81 + 0.01) = 1.2 effective particles."""
    from sim.calibrate.figures import marginals_figure

    other = "parameters.trust.memory"
    priors = {PARAMETER: {"low": 0, "high": 1}, other: {"low": 0.9, "high": 1}}
    cal = toy(tmp_path, parameters=priors, variants={"v1": {other: 0.95}, "v2": {}})
    v1 = pd.DataFrame(
        {"generation": 3, "variant": "v1", "weight": 1 / 40, "model_probability": 0.99996,
         PARAMETER: np.linspace(0.1, 0.9, 40), other: 0.95}
    )  # fmt: skip
    v2 = pd.DataFrame(
        {"generation": 3, "variant": "v2", "weight": [0.9, 0.1], "model_probability": 4e-05,
         PARAMETER: [0.5, 0.6], other: [0.92, 0.97]}
    )  # fmt: skip
    fig = marginals_figure(pd.concat([v1, v2], ignore_index=True), cal)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:2] == [
        "v1",
        "v2 (model probability 4e-05, 1.2 effective particles: read with care)",
    ]


def test_pyabc_says_nothing_when_its_sampler_is_made(caplog: pytest.LogCaptureFixture) -> None:
    """pyabc logged "ABC.Sampler INFO: Parallelize sampling on 2 processes." among the
    calibration's own progress lines: its logger is quieted before a sampler is made."""
    import logging

    from sim.calibrate.smc import sampler

    logging.getLogger("ABC").setLevel(logging.INFO)
    with caplog.at_level(logging.INFO), sampler("process", 2, None, 0):
        pass
    assert not [r for r in caplog.records if r.name.startswith("ABC")], caplog.records


def test_a_posterior_on_few_effective_particles_is_noted() -> None:
    """An audit's variant ended with 1.98 effective particles (weights on about two
    parameter sets) and its summary's narrowing read as strong identification; it is
    noted (decision 589). A dead variant (no particles) is said to have died out: its
    summary rows are its last particles', which read as a sharp posterior (decision 649)."""
    from sim.calibrate.run import few_particles_notes

    table = pd.DataFrame(
        {
            "variant": ["v1", "v2", "gone"],
            "model_probability": [0.97, 0.03, 0.0],
            "particles": [8, 400, 0],
            "effective_particles": [1.98, 150.0, 0.0],
        }
    )
    # With variants, the model probability rests on the same few sets (an outside check,
    # decision 826: 0.97 on 1.1 effective particles, 0.10 two generations before).
    assert few_particles_notes(table) == [
        "variant 'v1' ends with 2.0 effective particles (of 8): its medians, 90% intervals "
        "and narrowing in summary.csv, and its model probability in variants.csv (0.97), "
        "rest on about that many parameter sets, and a narrow interval says little; give a "
        "larger max_simulations (or population) for a posterior to read",
        "variant 'gone' died out: no particle in the final generation (model probability "
        "0); its rows in summary.csv and its passes in variants.csv are its last particles' "
        "(their generation is in each table), not a posterior, and their narrowing is left "
        "empty",
    ]
    # A variant that never had a particle has nothing in the tables to speak of (an
    # outside check, decision 888): no generation in variants.csv.
    never = pd.DataFrame(
        {"variant": ["v1", "never"], "model_probability": [1.0, 0.0], "particles": [400, 0],
         "effective_particles": [150.0, 0.0], "generation": pd.array([7, None], "Int64")}
    )  # fmt: skip
    assert few_particles_notes(never) == [
        "variant 'never' never had a particle (model probability 0 in every generation): it "
        "has no rows in summary.csv and no predictive draws in variants.csv; a larger "
        "population or max_simulations gives it more chances to be accepted"
    ]
    # A calibration of one variant has no model probability to speak of.
    assert few_particles_notes(table.iloc[:1]) == [
        "variant 'v1' ends with 2.0 effective particles (of 8): its medians, 90% intervals "
        "and narrowing in summary.csv rest on about that many parameter sets, and a narrow "
        "interval says little; give a larger max_simulations (or population) for a "
        "posterior to read"
    ]


def test_a_variant_that_died_out_says_whose_passes_its_row_counts() -> None:
    """An outside check's variant died out (0 particles, model probability 0) and its row
    in variants.csv still read "calibrate_pass 3/3, holdout_pass 1/1", without saying
    these were its last particles' (decision 823). The row now gives the generation the
    passes are drawn from: the final one for a living variant, the last with particles
    for a dead one, none for a variant that never had a particle."""
    from sim.calibrate.problem import Statistic
    from sim.calibrate.run import variants_table

    particles = pd.DataFrame(
        {"generation": [0, 0, 1, 1, 2], "variant": ["dead", "live", "dead", "live", "live"],
         "weight": 1.0, "model_probability": [0.5, 0.5, 0.2, 0.8, 1.0]}
    )  # fmt: skip
    stat = Statistic("f/p", "calibrate", 0.5, 0.1)
    predictive = pd.DataFrame({"variant": ["dead", "live"], "draw": [0, 0], "f/p": [0.52, 0.5]})
    checks = pd.DataFrame({"variant": ["dead", "live"], "role": "calibrate", "pass": [True, True]})
    table = variants_table(
        particles, predictive, checks, [stat], {"f/p": 0.5}, ["dead", "live", "never"]
    ).set_index("variant")
    assert table.loc["dead", "particles"] == 0 and table.loc["dead", "calibrate_pass"] == "1/1"
    assert table.loc["dead", "generation"] == 1
    assert table.loc["live", "generation"] == 2
    assert pd.isna(table.loc["never", "generation"])
    assert list(table.reset_index().columns)[-1] == "generation"
    # Whole numbers in variants.csv beside a variant that never had a particle: "2.0" was
    # written there (an outside check, decision 888).
    assert [line.rsplit(",", 1)[1] for line in table.to_csv().splitlines()[1:]] == ["1", "2", ""]


def test_a_variant_that_died_out_has_no_narrowing() -> None:
    """A dead variant's rows come from its last particles (here one, in generation 0):
    q05 = median = q95 and a narrowing of 0 read as perfectly identified (an audit,
    decision 649). Its narrowing is left empty; the living variant's is its own."""
    memory = "parameters.trust.memory"
    particles = pd.DataFrame(
        {"generation": [0, 0, 1, 1], "variant": ["dead", "live", "live", "live"],
         "weight": [1.0, 1.0, 0.5, 0.5], memory: [0.93, 0.9, 0.9, 0.95]}
    )  # fmt: skip
    table = posterior.summary_table(particles, {memory: (0.85, 0.99)}, 1).set_index("variant")
    dead, live = table.loc["dead"], table.loc["live"]
    assert dead.iloc[0]["median"] == 0.93 and math.isnan(dead.iloc[0]["narrowing"])
    assert live.iloc[0]["narrowing"] == pytest.approx((0.95 - 0.9) / (0.99 - 0.85))


def test_a_posterior_design_with_parameters_is_refused_at_the_block(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The refusal was located at ``design:`` and did not say what to do (an audit of a
    posterior experiment; decision 593): it is at the ``parameters:`` block, and says to
    remove it."""
    experiment = _posterior_experiment(
        tmp_path,
        "design:\n  method: posterior\n  calibration: cal\n  samples: 10\n  parameters:\n"
        "    parameters.trust.memory: [0.9, 0.95]\n",
    )
    assert main(["validate", str(experiment)]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {experiment}:7: design.parameters: a posterior design takes its "
        "parameters from the calibration; remove this block (a variant's fixed values come "
        "with the calibration too)\n"
    )


def _interrupted_after(calls: int) -> BinomialProblem:
    """The toy problem, with Ctrl-C in its simulation number ``calls + 1`` (in this
    process: ``workers=1``)."""

    class Interrupted(BinomialProblem):
        done = 0

        def simulate(self, params, seed, *, holdout=True):  # type: ignore[no-untyped-def]
            Interrupted.done += 1
            if Interrupted.done > calls:
                raise KeyboardInterrupt
            return super().simulate(params, seed, holdout=holdout)

    return Interrupted()


def test_check_says_an_interrupted_calibration_stopped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A calibration stopped with Ctrl-C left its manifest at "running", which `check`
    called running, as if it were still at work (an audit, decision 595). It now writes
    "incomplete" with the generations it keeps, as a sweep does, and marks the interrupt
    with them for the command's last line (decision 780). A manifest left at "running"
    by a kill, with nothing holding the folder's lock, is said stopped; while a
    calibration holds the lock, it is running."""
    import pyabc

    from sim.calibrate.run import _locked
    from sim.cli import _interrupted_text
    from sim.errors import kept_of

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt) as stopped:
        run_calibration(toy(tmp_path, population=30, max_simulations=3000),
                        _interrupted_after(300), out, workers=1, figures=False)  # fmt: skip
    capsys.readouterr()
    generations = int(pyabc.History(f"sqlite:///{out / 'history.db'}", _id=1).max_t) + 1
    assert generations >= 1  # the interrupt came in a later generation than the first
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "incomplete"
    assert manifest["generations"] == generations
    assert manifest["finished"] is not None
    assert kept_of(stopped.value) == (generations, out)
    assert _interrupted_text("calibrate", "interrupted", kept_of(stopped.value)) == (
        f"credsim: interrupted; the {generations} finished generation"
        f"{'s are' if generations > 1 else ' is'} kept in {out}: run the same command "
        f"again to go on from {'them' if generations > 1 else 'it'}"
    )
    assert main(["check", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "calibration 'toy', incomplete" in printed
    assert "the calibration is incomplete; run its command again to finish it" in printed

    # A kill leaves "running" behind.
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    assert main(["check", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "calibration 'toy', stopped (killed or interrupted before it finished)" in printed
    assert "run its command again to finish it" in printed
    with _locked(out):
        assert main(["check", str(out)]) == 0
        assert "calibration 'toy', running" in capsys.readouterr().out


def test_a_calibration_stopped_before_any_generation_finished_says_none_is_kept(
    tmp_path: Path,
) -> None:
    """Ctrl-C in the first generation: the line said the finished generations were kept
    when none had finished (decision 780). Ctrl-C before the calibration began (no mark)
    changed nothing in its folder."""
    from sim.cli import _interrupted_text
    from sim.errors import kept_of

    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt) as stopped:
        run_calibration(toy(tmp_path, population=30, max_simulations=3000),
                        _interrupted_after(5), out, workers=1, figures=False)  # fmt: skip
    assert kept_of(stopped.value) == (0, out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["status"], manifest["generations"]) == ("incomplete", 0)
    assert _interrupted_text("calibrate", "interrupted", kept_of(stopped.value)) == (
        "credsim: interrupted before any generation finished, so none is kept; run the same "
        "command again to start"
    )
    assert _interrupted_text("calibrate", "interrupted", None) == (
        "credsim: interrupted before the calibration's generations began; run the same "
        "command again"
    )


def test_a_posterior_designs_calibration_problems_read_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An audit of the posterior designs (decision 649): a variant in other case got no
    "did you mean"; a folder of the default layout (calibrate/<name>/<hash>) said only
    that it "holds no calibration results"; a damaged one read "'X' (looked in X) results
    folder is damaged"."""
    experiment = _posterior_experiment(
        tmp_path, "design: {method: posterior, calibration: cal, samples: 3, variant: V}\n"
    )
    assert main(["validate", str(experiment)]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("unknown variant 'V'; name one with 'variant:', one of v (did you mean 'v'?)")
    )
    nested = tmp_path / "results" / "calibrate"
    (tmp_path / "cal").rename(tmp_path / "kept")
    nested.mkdir(parents=True)
    (tmp_path / "kept").rename(nested / "abc123")
    experiment.write_text(
        experiment.read_text().replace("calibration: cal", "calibration: results")
    )
    assert main(["validate", str(experiment)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"credsim: error: {experiment}:3: design.calibration: calibration 'results' (looked "
        f"in {tmp_path / 'results'}): holds no calibration results; give the folder of a "
        f"finished 'credsim calibrate'; the calibrations inside it: '{nested / 'abc123'}'"
    )


def test_a_priors_own_field_is_named_by_its_path_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Six prior mistakes were named "parameters.parameters.trust.memory...", where the
    file's other messages name the path alone (an audit, decision 649)."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\npatterns: [p.yaml]\nparameters:\n  parameters.trust.memory: [0.85, 0.999]\n"
    )
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"credsim: error: {path}:4: parameters.trust.memory: a prior is a mapping {{low: .., "
        "high: ..}, got a list [0.85, 0.999]; write {low: 0.85, high: 0.999}"
    )


def test_a_truth_calibrations_predictive_figure_does_not_say_observed() -> None:
    """A --truth calibration fits statistics simulated at the truth: its predictive
    figure labelled them "observed" (an audit, decision 651)."""
    from sim.calibrate.figures import TRUTH_CAPTION, predictive_figure

    checks = pd.DataFrame(
        {"role": ["calibrate"], "pattern": ["p"], "variant": ["v"], "tolerance": [0.1],
         "q05": [0.0], "q95": [0.2], "observed": [0.1], "discrepancy": [0.0]}
    )  # fmt: skip
    fig = predictive_figure(checks, TRUTH_CAPTION, "truth")
    assert fig.axes[0].get_ylabel() == "(simulated - truth) / tolerance"
    assert "truth ± 1 tolerance (pass)" in [t.get_text() for t in fig.legends[0].get_texts()]
    plain = predictive_figure(checks)
    assert plain.axes[0].get_ylabel() == "(simulated - observed) / tolerance"


def test_the_predictive_figures_panel_titles_stay_apart_with_one_pattern_each() -> None:
    """With one calibration and one held-out pattern, the figure gave each panel 1.1
    inches and the titles read "calibration patternsheld-out patterns" (an outside check).
    Each panel is now at least as wide as its title, and the two titles stay apart as
    drawn; with many patterns the figure keeps 1.1 inches a pattern."""
    from sim.calibrate.figures import predictive_figure
    from sim.plots.figure import DPI

    def checks(per_role: int) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {"role": role, "pattern": f"{role}{i}", "variant": "v", "tolerance": 0.1,
                 "q05": 0.0, "q95": 0.2, "observed": 0.1, "discrepancy": 0.0}
                for role in ("calibrate", "holdout")
                for i in range(per_role)
            ]
        )  # fmt: skip

    fig = predictive_figure(checks(1))
    fig.set_dpi(DPI)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    left, right = (ax.title.get_window_extent(renderer) for ax in fig.axes[:2])
    assert [ax.get_title() for ax in fig.axes[:2]] == ["calibration patterns", "held-out patterns"]
    assert left.x1 + 4 < right.x0
    wide = predictive_figure(checks(5))
    assert wide.get_figwidth() == pytest.approx(1.0 + 1.1 * 10)


def test_the_predictive_figures_caption_clears_tick_labels_of_many_lines() -> None:
    """Pattern names broken over five or six lines ran into the caption under the figure
    (an outside check of a new case, decision 826): the caption now sits under the
    tallest tick label, as drawn."""
    from sim.calibrate.figures import predictive_figure
    from sim.plots.figure import DPI

    names = [
        "iraq_patterns/arab_vs_europe_occupation_to_after",
        "iraq_patterns/gulf_after_return",
    ]
    checks = pd.DataFrame(
        [
            {"role": "calibrate", "pattern": name, "variant": "v", "tolerance": 0.1,
             "q05": 0.0, "q95": 0.2, "observed": 0.1, "discrepancy": 0.0}
            for name in names
        ]
    )  # fmt: skip
    fig = predictive_figure(checks, caption="A caption.")
    fig.set_dpi(DPI)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ticks = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert max(t.get_text().count("\n") + 1 for t in ticks) >= 5
    lowest_tick = min(t.get_window_extent(renderer).y0 for t in ticks)
    caption = next(t for t in fig.texts if t.get_text() == "A caption.")
    assert caption.get_window_extent(renderer).y1 < lowest_tick


def test_a_posterior_design_from_a_truth_calibration_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A posterior design drawn from a --truth calibration (a recovery check) ran its
    claims without a word (an audit, decision 651)."""
    experiment = _posterior_experiment(
        tmp_path, "design: {method: posterior, calibration: cal, samples: 3}\n"
    )
    manifest = json.loads((tmp_path / "cal" / "manifest.json").read_text())
    manifest["truth"] = {"parameters.trust.memory": 0.95}
    (tmp_path / "cal" / "manifest.json").write_text(json.dumps(manifest))
    assert main(["validate", str(experiment)]) == 0
    assert capsys.readouterr().err.splitlines()[0] == (
        "credsim: note: calibration 'cal' was fitted to statistics simulated at --truth "
        "parameters.trust.memory=0.95 (a recovery check), not to the votes"
    )


def test_a_posterior_design_from_few_effective_particles_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A posterior sweep drawn from a thin calibration (an outside check's 1.1 effective
    particles: 40 draws of 2 parameter sets) ran its claim without a word, though the
    calibration had said so at its end (decision 826). The fake calibration's final
    weights 0.6, 0.3, 0.1 are worth 1 / (0.36 + 0.09 + 0.01) = 2.17 particles; 20 equal
    weights are worth 20, which is not noted."""
    experiment = _posterior_experiment(
        tmp_path, "design: {method: posterior, calibration: cal, samples: 3}\n"
    )
    assert main(["validate", str(experiment)]) == 0
    first, *rest = capsys.readouterr().err.strip().splitlines()
    assert first == (
        "credsim: note: variant 'v' of calibration 'cal' ends with 2.2 effective particles "
        "(of 3): its draws repeat a handful of parameter sets, and a claim under them is that "
        "handful's; a calibration with more particles or generations gives more"
    )
    # Then what `validate` of its scenario file says (decision 947), and nothing else.
    from sim.validate import file_notes

    scenario = str(ROOT / "scenarios" / "syria.yaml")  # as _posterior_experiment names it
    assert rest == [f"credsim: {note}" for note in file_notes(scenario)]
    assert len(rest) == 1 and "'barkhane_mali_exit'" in rest[0]
    table = pd.read_parquet(tmp_path / "cal" / "posterior.parquet")
    final = (
        table[table["generation"] == 1]
        .iloc[[0] * 20]
        .assign(
            particle=range(20), weight=0.05, **{"parameters.trust.memory": np.linspace(0.9, 1, 20)}
        )
    )
    pd.concat([table[table["generation"] == 0], final]).to_parquet(
        tmp_path / "cal" / "posterior.parquet"
    )
    assert main(["validate", str(experiment)]) == 0
    assert "effective particles" not in capsys.readouterr().err


def test_a_truth_at_the_priors_end_is_drawn_and_no_dead_variant_is_spoken_of(
    tmp_path: Path,
) -> None:
    """A truth at the prior's bound sat on the axes' edge, where its clipped line vanished;
    and the caption spoke of "a variant that died out" when none had (an audit of the
    figures, decision 652)."""
    from sim.calibrate.figures import marginals_figure

    cal = toy(tmp_path, truth=(f"{PARAMETER}=0",))
    particles = pd.DataFrame(
        {"generation": [1, 1], "variant": ["default"] * 2, "weight": [0.5, 0.5],
         PARAMETER: [0.6, 0.7]}
    )  # fmt: skip
    fig = marginals_figure(particles, cal)
    (truth,) = [line for line in fig.axes[0].get_lines() if line.get_label() == "truth"]
    assert list(truth.get_xdata()) == [0.0, 0.0] and not truth.get_clip_on()
    assert "died out" not in fig.texts[-1].get_text()


def test_the_threshold_is_the_median_of_the_distances_that_are_numbers() -> None:
    """With more than half of the prior's sample failed (infinite distances), pyabc's
    median epsilon was infinite and accepted every particle, the failed ones too (an
    audit, decision 750). The calibration's threshold takes the median of the finite
    distances, and is pyabc's own when every distance is finite."""
    import pandas as pd
    from pyabc.epsilon import MedianEpsilon

    from sim.calibrate.epsilon import FiniteMedianEpsilon

    def threshold(eps: Any, distances: list[float]) -> float:
        frame = pd.DataFrame({"distance": distances, "w": [1.0] * len(distances)})
        eps.initialize(0, lambda: frame, lambda: [], 5, {})
        return float(eps(0))

    failed = [0.5, 1.0, 2.0, math.inf, math.inf, math.inf, math.inf]
    assert threshold(MedianEpsilon(), failed) == math.inf  # the fault, in pyabc's own
    assert threshold(FiniteMedianEpsilon(), failed) == threshold(MedianEpsilon(), failed[:3])
    assert threshold(FiniteMedianEpsilon(), failed) <= 2.0
    finite = [0.3, 0.9, 1.4, 2.2, 5.0, 0.1]
    assert threshold(FiniteMedianEpsilon(), finite) == threshold(MedianEpsilon(), finite)


def test_the_calibration_runs_with_the_finite_threshold(tmp_path, monkeypatch) -> None:
    """A calibration hands pyabc the finite-distance threshold, not pyabc's default."""
    import pyabc

    from sim.calibrate.epsilon import FiniteMedianEpsilon

    seen: dict[str, Any] = {}

    class Stop(Exception):
        pass

    def capture(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(pyabc, "ABCSMC", capture)
    with pytest.raises(Stop):
        run_calibration(toy(tmp_path), BinomialProblem(), tmp_path / "out", workers=1)
    assert isinstance(seen["eps"], FiniteMedianEpsilon)


# ------------------------------------------------------------ process workers that die


def _count_here(marker: str) -> int:
    """Count a simulation made in a worker process; return how many were made so far."""
    with open(marker + ".count", "a") as handle:
        handle.write(".")
    return os.stat(marker + ".count").st_size


def _claim(marker: str) -> bool:
    """Whether this process is the first to claim ``marker`` (created exclusively)."""
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _die_sending(on_the_queue: bool) -> None:
    """Make this worker die half-way through its next message: on the queue it sends its
    evaluations on, or else on the pool's own pipe (a task's result). The header and half
    of the message are in the pipe, the rest never comes, as when a signal to the whole
    process group or the kernel (out of memory) kills a worker as it writes."""
    import multiprocessing.connection
    import struct

    from sim.calibrate import samplers

    assert samplers._SHARED is not None
    queue_writer = samplers._SHARED[0]._writer
    send = multiprocessing.connection.Connection._send_bytes

    def half_then_die(self: Any, buf: Any) -> None:
        if (self is queue_writer) != on_the_queue:
            send(self, buf)
            return
        data = bytes(buf)
        self._send(struct.pack("!i", len(data)) + data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGKILL)

    multiprocessing.connection.Connection._send_bytes = half_then_die  # type: ignore[method-assign]


def _die_holding(count: str) -> None:
    """Kill this worker while it holds the lock of a generation's shared count (of
    evaluations claimed, or of particles accepted), as a worker whose thread sending an
    evaluation is killed half-way (``_die_sending``) may: its main thread goes on
    evaluating, and takes those locks, until the kill comes."""
    from sim.calibrate import samplers

    assert samplers._SHARED is not None
    shared = samplers._SHARED[1 if count == "evaluations_count" else 2]
    shared.get_lock().acquire()
    os.kill(os.getpid(), signal.SIGKILL)


@dataclass(frozen=True)
class _Dying(BinomialProblem):
    """The toy problem, whose worker processes (not the calibration's own) are killed with
    SIGKILL once ``after`` simulations were made in them: once in all, or with
    ``always``, every worker that simulates after that. ``how`` the worker dies: in the
    simulation, or half-way through sending its next evaluation or its task's result."""

    marker: str = ""
    main: int = 0
    after: int = 0
    always: bool = False
    how: str = "in_the_simulation"

    def simulate(
        self, params: Mapping[str, float], seed: int, *, holdout: bool = True
    ) -> dict[str, float]:
        in_worker = os.getpid() != self.main
        if (
            in_worker
            and _count_here(self.marker) >= self.after
            and (self.always or _claim(self.marker))
        ):
            if self.how == "in_the_simulation":
                os.kill(os.getpid(), signal.SIGKILL)
            if self.how.startswith("holding_"):
                _die_holding(self.how.removeprefix("holding_"))
            _die_sending(on_the_queue=self.how == "sending_an_evaluation")
        return super().simulate(params, seed, holdout=holdout)


@pytest.fixture(scope="module")
def one_worker(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., tuple[Any, Path]]:
    """The toy calibration of ``fields`` on one worker in this process: what a parallel
    calibration of the same file must give, and its results folder. Run once a module for
    each ``fields`` (about 6 s each), not once a case."""
    done: dict[tuple[tuple[str, object], ...], tuple[Any, Path]] = {}

    def run(**fields: object) -> tuple[Any, Path]:
        key = tuple(sorted(fields.items()))
        if key not in done:
            folder = tmp_path_factory.mktemp("one-worker")
            out = run_calibration(
                toy(folder, **fields), BinomialProblem(), folder / "one", workers=1, figures=False
            )
            done[key] = (out, folder / "one")
        return done[key]

    return run


@pytest.mark.parametrize(
    "how",
    [
        "in_the_simulation",
        "sending_an_evaluation",
        "sending_its_task_result",
        "holding_the_evaluations_count",
        "holding_the_accepted_count",
    ],
)
def test_process_workers_that_die_cost_only_time(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
    one_worker: Callable[..., tuple[Any, Path]],
) -> None:
    """A worker process killed in the middle of a generation: the generation is done
    again on new workers with the same seeds, said in a note, and the calibration ends
    with exactly the posterior and predictive draws of one worker in one process, as on
    Dask. It was a BrokenProcessPool traceback (decision 763).

    A worker killed as it sends a message, with half of it in the pipe, left the
    calibration waiting for the rest for ever (decision 834): on the evaluations' queue
    the calibration itself read it, and on the pool's pipe it waited on the pool's reader
    (as a sweep did, decision 827). Both readers are now unstuck once a worker is dead and
    nothing comes.

    A worker killed while it held a count's lock (its sending thread killed as its main
    thread counted an evaluation) left the calibration waiting for that lock for ever as
    it told the generation to stop: one CI run, and one of 94 runs of the sending case
    here; the accepted count's lock was the one held (decision 1047)."""
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = str(tmp_path / "killed")
    cal = toy(tmp_path, population=100, max_simulations=3000)
    dying = _Dying(marker=marker, main=os.getpid(), after=150, how=how)
    with ends_within(180):
        out = run_calibration(cal, dying, tmp_path / "out", workers=2, figures=False, quiet=True)
    assert Path(marker).exists()  # a worker was killed
    err = capsys.readouterr().err
    assert err.count("credsim: note: a calibration worker process died in generation") == 1
    assert "results do not change" in err
    alone, one = one_worker(population=100, max_simulations=3000)
    assert out.run is not None and alone.run is not None
    assert (out.run.generations, out.run.simulations) == (
        alone.run.generations,
        alone.run.simulations,
    )
    for name in ("posterior.parquet", "predictive.parquet"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(tmp_path / "out" / name), pd.read_parquet(one / name)
        )


def _draw_dying_once(job: tuple[int, str]) -> int:
    """A predictive draw whose worker is killed once, at the fifth draw made in them."""
    x, marker = job
    if _count_here(marker) >= 5 and _claim(marker):
        os.kill(os.getpid(), signal.SIGKILL)
    return 3 * x + 1


def _draw_dying_as_it_sends_once(job: tuple[int, str]) -> int:
    """A predictive draw whose worker dies once, half-way through sending the results of
    the chunk that holds the fifth draw made in them."""
    x, marker = job
    if _count_here(marker) >= 5 and _claim(marker):
        _die_sending(on_the_queue=False)
    return 3 * x + 1


@pytest.mark.parametrize(
    "draw", [_draw_dying_once, _draw_dying_as_it_sends_once], ids=["in_a_draw", "sending"]
)
def test_predictive_draws_on_processes_survive_a_worker_dying(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], draw: Any
) -> None:
    """A worker killed during the posterior predictive draws: the draws not yet given
    back are made again on new workers, each with its own result, in order (decision
    763; it was a BrokenProcessPool traceback after the whole SMC stage). A worker killed
    as it sent a chunk's results left them waiting for ever (decision 834)."""
    import cloudpickle

    from sim.calibrate.run import _map

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = str(tmp_path / "killed")
    with ends_within(120):
        results = list(_map(draw, [(x, marker) for x in range(40)], None, 2))
    assert Path(marker).exists()
    assert results == [3 * x + 1 for x in range(40)]
    assert "died in the posterior predictive draws" in capsys.readouterr().err


def test_workers_that_keep_dying_end_the_calibration_in_one_line_and_keep_its_generations(
    tmp_path: Path,
) -> None:
    """Workers that die every time (a simulation that kills its worker, a machine out of
    memory) are started again twice, then the calibration ends with WorkersFailed's one
    line (`credsim: failed: ...`, exit 1), which says what is kept and that the same
    command goes on; run again, it ends with one worker's posterior (decision 763)."""
    import cloudpickle

    from sim.errors import WorkersFailed

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    marker = str(tmp_path / "killed")
    cal = toy(tmp_path, population=50, max_simulations=3000)
    dying = _Dying(marker=marker, main=os.getpid(), after=400, always=True)
    out = tmp_path / "out"
    with pytest.raises(WorkersFailed) as raised:
        run_calibration(cal, dying, out, workers=2, figures=False, quiet=True)
    text = str(raised.value)
    assert "\n" not in text
    match = re.match(
        r"a calibration worker process died 3 times in generation (\d+) \(killed, or out of "
        r"memory\), its work started again on new workers each time but the last; the "
        rf"(\d+) finished generations? (is|are) kept in {re.escape(str(out))}, and the same "
        r"command goes on from there$",
        text,
    )
    assert match is not None, text
    assert int(match.group(1)) == int(match.group(2)) >= 1
    manifest = json.loads((out / "manifest.json").read_text())
    assert (manifest["status"], manifest["generations"]) == ("incomplete", int(match.group(2)))
    again = run_calibration(cal, BinomialProblem(), out, workers=2, figures=False, quiet=True)
    alone = run_calibration(cal, BinomialProblem(), tmp_path / "one", workers=1, figures=False)
    assert again.run is not None and alone.run is not None
    assert again.run.ran == alone.run.generations - int(match.group(2))
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "posterior.parquet"),
        pd.read_parquet(tmp_path / "one" / "posterior.parquet"),
    )


def test_pairs_are_drawn_only_for_two_free_parameters_and_bands_share_one_scale(
    tmp_path: Path,
) -> None:
    """A variant that leaves one parameter free drew it against itself (a diagonal of
    dots; an audit of the calibration): it gets no pairs figure, its marginal is in the
    marginals figure. The predictive figure's two panels had their own y ranges, so their
    pass bands did not line up; they share one now."""
    from sim.calibrate.figures import calibration_figures

    cal = toy(
        tmp_path,
        parameters={PARAMETER: {"low": 0, "high": 1}, "link.beta": {"low": 0, "high": 2}},
        variants={"one_free": {PARAMETER: 0.2}, "two_free": {}},
    )
    rng = np.random.default_rng(0)
    particles = pd.DataFrame(
        {"generation": 3, "variant": ["one_free"] * 5 + ["two_free"] * 5,
         PARAMETER: [0.2] * 5 + list(rng.uniform(0, 1, 5)), "link.beta": rng.uniform(0, 2, 10),
         "weight": 0.2, "distance": 1.0, "model_probability": 0.5}
    )  # fmt: skip
    checks = pd.DataFrame(
        {"role": ["calibrate", "holdout"], "pattern": ["f/a", "f/b"], "variant": ["two_free"] * 2,
         "tolerance": [0.1, 0.1], "q05": [0.0, -0.5], "q95": [0.2, 0.05],
         "observed": [0.1, 0.0], "discrepancy": [0.0, -2.0]}
    )  # fmt: skip
    figures = calibration_figures(cal, particles, checks)
    assert list(figures) == ["marginals", "pairs-two_free", "predictive"]
    # How many draws make a band (decision 816): the file's `predictive`.
    texts = [t.get_text() for t in figures["predictive"].texts]
    said = f" Each band: {cal.spec.predictive} posterior draws."
    assert cal.spec.predictive >= 20 and any(t.endswith(said) for t in texts), texts
    # The particles are drawn whole at the prior's bounds, where the axes end (decision 816).
    (points,) = figures["pairs-two_free"].axes[0].collections
    assert not points.get_clip_on()
    calibration, held_out = figures["predictive"].axes[:2]
    assert calibration.get_ylim() == held_out.get_ylim()
    assert held_out.get_ylim()[0] <= -5.0  # the held-out band reaches (-0.5 - 0) / 0.1


def test_a_missing_pattern_file_given_absolute_is_not_called_relative(tmp_path: Path) -> None:
    """A pattern file given by an absolute path that does not exist was refused with
    "paths are relative to the calibration file", which it is not (an audit); a
    relative one keeps the hint."""
    missing = tmp_path / "nowhere" / "syria.yaml"
    for item, hint in ((str(missing), False), ("nowhere/syria.yaml", True)):
        memory = {"parameters.trust.memory": {"low": 0.5, "high": 0.99}}
        path = toy_file(tmp_path, patterns=[item], parameters=memory)
        with pytest.raises(InputError) as caught:
            load_calibration(path)
        assert f"pattern file '{item}' does not exist" in caught.value.message
        assert ("relative to the calibration file" in caught.value.message) is hint


def test_a_calibration_pattern_that_never_moves_is_said_with_the_floor_it_sets() -> None:
    """A calibration pattern that misses by 1.755 tolerances in every posterior draw (the
    Syria file's initial conditions, an audit) keeps the RMS distance over its three
    patterns at sqrt(1.755^2 / 3) = 1.013 or more: a min_epsilon of 0.5 is never
    reached, and nothing said why. A pattern that moves, or passes, is not named."""
    from sim.calibrate.run import stuck_notes

    checks = pd.DataFrame(
        {"variant": "v", "role": ["calibrate"] * 3 + ["holdout"],
         "pattern": ["f/moves", "f/stuck", "f/passes_still", "f/held"],
         "tolerance": [0.1, 0.2, 0.1, 0.1],
         "q05": [0.0, 0.6490, 0.500, 0.0], "q95": [0.5, 0.6499, 0.5001, 0.0001],
         "discrepancy": [-3.0, -1.755, 0.5, -4.0], "pass": [False, False, True, False]}
    )  # fmt: skip
    notes = stuck_notes(checks, min_epsilon=0.5, final_epsilon=1.2)
    assert len(notes) == 1
    assert notes[0].startswith(
        "1 calibration pattern hardly moves under the posterior (a 90% predictive band "
        "under 0.05 tolerances wide) and misses its observed value: 'f/stuck' (-1.75 "
        "tolerances); no parameter set the posterior holds brings it nearer; with it alone "
        "the distance stays at least 1.01, above min_epsilon 0.5, so the calibration ends "
        "on its budget."
    ), notes[0]
    # A floor under min_epsilon, or a run that reached it, sets no limit to say.
    assert "min_epsilon" not in stuck_notes(checks, min_epsilon=1.5, final_epsilon=1.6)[0]
    assert stuck_notes(checks[checks["pattern"] != "f/stuck"], 0.5, 1.2) == []


def test_the_time_left_with_a_floor_of_zero_is_the_budget_s() -> None:
    """``min_epsilon: 0`` is allowed (an exact match), and a geometric decline of epsilon
    never reaches it: the progress line's estimate divided by it and the calibration
    ended with a ZeroDivisionError after its second generation. Now the budget alone
    bounds the time left."""
    from sim.calibrate.smc import Generation, Progress

    progress = Progress(0.0, budget=1000, done=0, quiet=True)
    progress.start -= 10.0  # 10 s in, 400 simulations done: 40 a second
    progress.epsilons = [0.8]
    left = progress.eta(Generation(1, 0.4, 0.5, 200, 400))
    assert left == pytest.approx(600 / 40, rel=0.05)
    assert "ETA" in progress.line(Generation(1, 0.4, 0.5, 200, 400))
    # With a floor above zero the decline is extrapolated: 0.4 -> 0.1 is two more halvings,
    # 400 simulations at 40 a second, sooner than the budget's 15 s.
    floored = Progress(0.1, budget=1000, done=0, quiet=True)
    floored.start -= 10.0
    floored.epsilons = [0.8]
    assert floored.eta(Generation(1, 0.4, 0.5, 200, 400)) == pytest.approx(10.0, rel=0.05)


def test_the_time_left_extrapolates_epsilons_decline_over_the_last_three_generations() -> None:
    """The estimate extrapolated the last generation's decline alone, and the median
    distance falls by uneven steps: a run whose epsilon fell 10, 5, 4.5, 2.25 (floor 0.5)
    said 4, 21 and 3 generations left on three lines (an outside check, decision 922). It
    now takes the geometric mean decline of up to three generations: 4, 6 and 4."""
    from sim.calibrate.smc import Generation, Progress

    def left(epsilons: list[float], epsilon: float) -> float | None:
        # 100 simulations a second, 100 a generation: one second a generation left.
        progress = Progress(0.5, budget=10**9, done=0, quiet=True)
        progress.start -= 10.0
        progress.epsilons = epsilons
        return progress.eta(Generation(len(epsilons), epsilon, 0.5, 100, 1000))

    # 10 -> 2.25 in three generations is a factor 1.644 a generation; 2.25 -> 0.5 needs
    # log(4.5) / log(1.644) = 3.03, so four more generations (the last one's decline, 2,
    # said three).
    assert left([10.0, 5.0, 4.5], 2.25) == pytest.approx(4.0, rel=0.01)
    # (10 / 4.5) ** 0.5 = 1.49 a generation; 4.5 -> 0.5 is log(9) / log(1.49) = 5.5.
    assert left([10.0, 5.0], 4.5) == pytest.approx(6.0, rel=0.01)
    # Only the last three count: an early fall from 1,000 changes nothing.
    assert left([1000.0, 10.0, 5.0, 4.5], 2.25) == pytest.approx(4.0, rel=0.01)
    # A steady halving says what the one-generation estimate said: 2 -> 0.5 is two.
    assert left([8.0, 4.0], 2.0) == pytest.approx(2.0, rel=0.01)
    # Generation 0's infinite epsilon is not a decline; no decline at all leaves the
    # budget (here far away) as the only bound.
    assert left([math.inf], 4.0) == pytest.approx(10**9 / 100, rel=0.01)
    assert left([math.inf, 4.0], 2.0) == pytest.approx(2.0, rel=0.01)
    assert left([2.0], 2.0) == pytest.approx(10**9 / 100, rel=0.01)


def test_the_time_left_grows_a_generations_simulations_and_runs_the_last_whole() -> None:
    """A calibration said "ETA 4s" at 4,616 of its 6,000 simulations, and its last generation
    took 6,600 of them at an acceptance of 0.3% (an outside check, decision 925): the
    estimate took the budget's rest and the last generation's size. A generation's
    simulations now grow by their mean factor over up to three generations, and the budget
    is checked after each generation, which runs whole."""
    from sim.calibrate.smc import Generation, Progress

    progress = Progress(0.0, budget=6000, done=0, quiet=True)
    progress.start -= 10.0  # 1,000 simulations in 10 s: 100 a second
    progress.epsilons = [4.0, 2.0]
    progress.simulations = [100, 200]
    # 100 -> 200 -> 400: twice as many a generation. With 5,000 left the next generations
    # take 800, 1,600 and 3,200: 2,400 leave 2,600 to spend, so the third runs (whole)
    # past the budget, 5,600 in all: 56 s (the budget's rest alone said 50).
    left = progress.eta(Generation(2, 1.5, 0.05, 400, 1000))
    assert left == pytest.approx(56.0, rel=0.01)
    # Epsilon's floor can come first: 1.5 -> 1.0 at a decline of (4 / 1.5) ** 0.5 = 1.63 a
    # generation is one more generation, of 800 simulations.
    progress.min_epsilon = 1.0
    assert progress.eta(Generation(2, 1.5, 0.05, 400, 1000)) == pytest.approx(8.0, rel=0.01)


def test_predictive_ticks_break_no_name_inside_a_word() -> None:
    """The Horn calibration's ticks read "horn_ / patterns" (an outside check; decision
    836): the file name of 13 characters was wrapped with a space after each underscore,
    counted in the width, so it broke though it fits a line. Lines break only after an
    underscore of the file or between the id's words; a word longer than a line stands
    whole and the ticks' font shrinks to keep it a line's width."""
    import matplotlib.pyplot as plt

    from sim.calibrate.figures import predictive_figure

    names = ["horn_patterns/ethiopia_turn", "horn_patterns/counterinsurgency_success"]
    checks = pd.DataFrame(
        [
            {"role": "calibrate", "pattern": name, "variant": "v", "tolerance": 0.1,
             "q05": 0.0, "q95": 0.2, "observed": 0.1, "discrepancy": 0.0}
            for name in names
        ]
    )  # fmt: skip
    fig = predictive_figure(checks)
    ticks = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert [t.get_text() for t in ticks] == [
        "horn_patterns\nethiopia turn",
        "horn_patterns\ncounterinsurgency\nsuccess",
    ]
    # 7 points for lines of 13 characters; "counterinsurgency" is 17.
    assert ticks[0].get_fontsize() == pytest.approx(7 * 13 / 17)
    plt.close(fig)


def test_a_damaged_history_of_an_unfinished_calibration_is_said_as_it_starts_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unfinished calibration whose history.db was cut short started again from its
    first generation without a word, its finished generations gone (an outside check;
    decision 998). It says so; its results are a whole calibration's, as before."""
    cal = toy(tmp_path, population=40, max_simulations=400)
    out = tmp_path / "out"
    run_calibration(cal, BinomialProblem(), out, workers=1, figures=False, quiet=True)
    manifest = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**manifest, "status": "incomplete"}))
    with (out / "history.db").open("r+b") as history:
        history.truncate(2_000)
    capsys.readouterr()
    again = run_calibration(cal, BinomialProblem(), out, workers=1, figures=False, quiet=True)
    err = capsys.readouterr().err
    assert (
        f"credsim: note: {out / 'history.db'} cannot be read (damaged or cut short): the "
        "calibration starts again from its first generation"
    ) in err
    assert again.run is not None and again.run.ran == again.run.generations
