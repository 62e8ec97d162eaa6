"""sim.findings on tiny sweeps of every experiment.

Each experiment file is run with a small design (two points where it
matters, the scenarios' own parameter values among them) and two
replicates, then the findings script writes its document twice. The
checks: it runs, the numbers it prints equal the ones computed here
directly from ``runs.parquet``, and the second run is byte-identical.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from sim import findings
from sim.findings.numbers import grid_range
from sim.sweep import load_experiment, run_sweep

REPO = Path(__file__).resolve().parent.parent
NB = "parameters.trust.negativity_bias"
MEMORY = "parameters.trust.memory"
SUSCEPTIBILITY = "parameters.diffusion.susceptibility"
SAME_BLOC = "parameters.salience.same_bloc"
SAME_REGION = "parameters.salience.same_region"
# Small grids that hold the scenarios' own values (bias 2, memory 0.98, ...), so the
# baseline the script picks is known here without its nearest-point rule.
TINY: dict[str, dict[str, Any]] = {
    "syria_withdrawal": {NB: [2.0, 3.0], MEMORY: [0.95, 0.98]},
    "claim1_boundary": {NB: [1.0, 2.0], MEMORY: [0.95, 0.98]},
    "claim1_observers": {SAME_BLOC: [0.4, 0.8], SAME_REGION: [0.6], SUSCEPTIBILITY: [0.3]},
    "claim2_sino_soviet": {NB: [1.0, 2.0], MEMORY: [0.98], SAME_BLOC: [0.4], SUSCEPTIBILITY: [0.3]},
    "claim3_statement": {
        "parameters.event_kinds.rhetoric.weight": [0.2, 0.8],
        NB: [2.0],
        "parameters.salience.global": [0.1],
    },
    "claim4_recognition": {
        "parameters.event_kinds.recognize.first_mover_decay": [0.5, 1.0],
        NB: [2.0],
        MEMORY: [0.98],
    },
    "claim5_steadiness": {NB: [2.0, 3.0], MEMORY: [0.98], SUSCEPTIBILITY: [0.3]},
}


def _tiny_experiment(name: str, where: Path) -> Path:
    tree = yaml.safe_load((REPO / "experiments" / f"{name}.yaml").read_text())
    tree["scenarios"] = {
        key: str((REPO / "experiments" / path).resolve()) for key, path in tree["scenarios"].items()
    }
    if name == "claim1_sobol":
        tree["design"]["samples"] = 2
    else:
        tree["design"]["parameters"] = TINY[name]
        tree["replicates"] = 2
    path = where / f"{name}.yaml"
    path.write_text(yaml.safe_dump(tree))
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Tiny sweeps of every experiment, and the findings written twice from them."""
    root = tmp_path_factory.mktemp("findings")
    folders = {}
    for name in findings.EXPERIMENTS:
        experiment = load_experiment(str(_tiny_experiment(name, root)))
        outcome = run_sweep(experiment, root / "results" / name, quiet=True)
        assert outcome.failed == 0
        folders[name] = outcome.folder
    argv = [f"--results={name}={folder}" for name, folder in folders.items()]
    outputs = []
    # Only the tiny sweeps: folders a user's own sweeps left under results/ must not be read.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sim.findings.document.default_results", lambda name: None)
        for attempt in ("first", "second"):
            out = root / attempt
            findings.main(
                [*argv, "--out", str(out / "findings.md"), "--figures", str(out / "figures")]
            )
            outputs.append(out)
    return {
        "folders": folders,
        "outputs": outputs,
        "text": (outputs[0] / "findings.md").read_text(),
    }


def _runs(folder: Path) -> pd.DataFrame:
    runs = pd.read_parquet(folder / "runs.parquet")
    return runs[runs["status"] == "ok"]


def _row(text: str, *cells: str) -> list[str]:
    """The cells of the Markdown table row that starts with ``cells``."""
    start = "| " + " | ".join(cells) + " |"
    rows = [line for line in text.splitlines() if line.startswith(start)]
    assert len(rows) == 1, f"expected one row starting {start!r}, found {rows}"
    return [c.strip() for c in rows[0].strip("|").split("|")]


def test_every_claim_is_written_with_its_figure(tiny: dict[str, Any]) -> None:
    text = tiny["text"]
    for n in range(1, 6):
        assert f"## Claim {n}:" in text
    # the cross-case section (last) reads experiments this fixture does not run
    assert "Not computed" not in text.split("## The lesson beyond Syria")[0]
    figures = sorted(p.name for p in (tiny["outputs"][0] / "figures").iterdir())
    assert figures == [
        "claim1_boundary.png",
        "claim1_sobol.png",
        "claim1_trajectories.png",
        "claim2_sino_soviet.png",
        "claim3_statement.png",
        "claim4_recognition.png",
        "claim5_steadiness.png",
    ]
    for name in figures:
        assert f"](figures/{name})" in text


def test_a_second_run_is_byte_identical(tiny: dict[str, Any]) -> None:
    first, second = tiny["outputs"]
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for f in files:
        assert (first / f).read_bytes() == (second / f).read_bytes(), f


def test_flagship_difference_equals_runs_table(tiny: dict[str, Any]) -> None:
    """Dec 2026 from the series (script) equals final_trust from runs.parquet (here)."""
    runs = _runs(tiny["folders"]["syria_withdrawal"])
    base = runs[np.isclose(runs[NB], 2.0) & np.isclose(runs[MEMORY], 0.98)]
    by = base.set_index(["scenario", "replicate"])["final_trust.Russia.arab_league"]
    for other, column in (("abstained", 2), ("sustained", 3)):
        diff = (by["historical"] - by[other]).mean()
        cells = _row(tiny["text"], "arab league", "Dec 2026")
        assert cells[column].startswith(f"{diff:+.3f} ["), (other, cells)


def test_boundary_count_equals_runs_table(tiny: dict[str, Any]) -> None:
    runs = _runs(tiny["folders"]["claim1_boundary"])
    table = runs.pivot_table(
        index=[NB, MEMORY, "replicate"], columns="scenario", values="final_trust.Russia.arab_league"
    )
    by_cell = (table["historical"] - table["abstained"]).groupby(level=[0, 1])
    cells = by_cell.mean()
    expected = f"{int((cells < 0).sum())} of {len(cells)} cells"
    # The cells below zero whose replicates' 95% t interval reaches zero (scipy's t, not
    # the code's; decision 983): "10 of 64" read as ten clear cells.
    upper = by_cell.apply(lambda d: stats.t.interval(0.95, len(d) - 1, d.mean(), stats.sem(d))[1])
    unclear = int(((cells < 0) & (upper >= 0)).sum())
    thin = (
        f" (in {unclear} of them the replicates' 95% t interval includes zero)" if unclear else ""
    )
    assert f"than abstaining in {expected}{thin}." in tiny["text"]


def test_boundary_replicate_sd_is_the_cells_difference(tiny: dict[str, Any]) -> None:
    # A cell is historical minus abstained; the sustained scenario of the same sweep is
    # in no cell, so its replicates' spread must not be the one quoted.
    runs = _runs(tiny["folders"]["claim1_boundary"])
    table = runs.pivot_table(
        index=[NB, MEMORY, "replicate"], columns="scenario", values="final_trust.Russia.arab_league"
    )
    diff = (table["historical"] - table["abstained"]).groupby(level=[0, 1])
    sd = diff.std().max()
    assert f"across replicates of any cell is {sd:.1e}," in tiny["text"]
    mixed = int(((diff.min() < 0) & (diff.max() > 0)).sum())
    if mixed == 0:
        assert "every cell's replicates agree in sign" in tiny["text"]
    else:
        assert f"the replicates of {mixed} cells differ in sign" in tiny["text"]


def test_sobol_summary_equals_runs_table(tiny: dict[str, Any]) -> None:
    runs = _runs(tiny["folders"]["claim1_sobol"])
    table = runs.pivot_table(
        index="point", columns="scenario", values="final_trust.Russia.arab_league"
    )
    diff = table["historical"] - table["abstained"]
    expected = (
        f"difference has mean {diff.mean():+.3f} and is negative at "
        f"{int((diff < 0).sum())} of {len(diff)} points"
    )
    assert expected in " ".join(tiny["text"].split())
    # The indices' point estimates do not depend on SALib's resampling seed.
    from SALib.analyze import sobol

    design = json.loads((tiny["folders"]["claim1_sobol"] / "manifest.json").read_text())["design"]
    problem = {
        "num_vars": len(design["parameters"]),
        "names": list(design["parameters"]),
        "bounds": [[v["low"], v["high"]] for v in design["parameters"].values()],
    }
    found = sobol.analyze(problem, diff.to_numpy(), calc_second_order=False, seed=1)
    memory = list(design["parameters"]).index(MEMORY)
    cells = _row(tiny["text"], "memory (monthly)")
    assert cells[1].startswith(f"{found['S1'][memory]:.3f} ±")
    assert cells[2].startswith(f"{found['ST'][memory]:.3f} ±")


def test_steadiness_numbers_equal_runs_table(tiny: dict[str, Any]) -> None:
    runs = _runs(tiny["folders"]["claim5_steadiness"])
    base = runs[(runs["scenario"] == "china_bystander") & np.isclose(runs[NB], 2.0)]
    cells = _row(tiny["text"], "china_bystander", "arab league")
    assert cells[2] == f"{base['sd_trust.China.arab_league'].mean():.4f}"
    assert cells[3] == f"{base['sd_trust.Russia.arab_league'].mean():.4f}"
    sel = runs[runs["scenario"] == "china_bystander"]
    ratio = sel["sd_trust.Russia.arab_league"] / sel["sd_trust.China.arab_league"]
    assert cells[4].startswith(f"{ratio.mean():.1f} [")


def test_grid_range_is_over_the_points_not_the_replicates() -> None:
    # The document's head: "the spread over the parameters is the 'grid range'". Two
    # points, two replicates each: point means 1.5 and 3.5, while the single runs span
    # 1 to 4 (replicate noise on top of the parameters' spread).
    frame = pd.DataFrame({"point": [0, 0, 1, 1], "value": [1.0, 2.0, 3.0, 4.0]})
    assert grid_range(frame, "value", ".1f") == "1.5 to 3.5"


def _poles_in_december_1972(folder: Path) -> pd.DataFrame:
    """The ``series/`` rows of the effective poles among all states in December 1972."""
    series = pd.concat(pd.read_parquet(f) for f in (folder / "series").glob("*.parquet"))
    return series[
        (series["metric"] == "effective_poles")
        & (series["group"] == "all")
        & (series["date"] == "1972-12")
    ]


def test_ranges_of_claims_2_3_5_are_over_point_means(tiny: dict[str, Any]) -> None:
    runs = _runs(tiny["folders"]["claim5_steadiness"])
    sel = runs[runs["scenario"] == "historical"]
    ratio = (sel["sd_trust.Russia.all"] / sel["sd_trust.China.all"]).groupby(sel["point"]).mean()
    cells = _row(tiny["text"], "historical", "all")
    assert cells[5] == f"{ratio.min():.1f} to {ratio.max():.1f}"
    runs = _runs(tiny["folders"]["claim3_statement"])
    table = runs.pivot_table(
        index=["point", "replicate"],
        columns="scenario",
        values="trust_change.withdrawal.Russia.arab_league",
    )
    share = (table["historical"] - table["no_statement"]) / table["no_statement"].abs()
    base = runs[np.isclose(runs["parameters.event_kinds.rhetoric.weight"], 0.2)]
    loss = base[base["scenario"] == "no_statement"]["trust_change.withdrawal.Russia.arab_league"]
    cells = _row(tiny["text"], "arab league", f"{loss.mean():+.3f}")
    assert cells[4] == f"{100 * share.groupby(level=0).mean().max():.2f}%"
    poles = _poles_in_december_1972(tiny["folders"]["claim2_sino_soviet"])
    runs = _runs(tiny["folders"]["claim2_sino_soviet"])
    hist = poles.merge(runs[runs["scenario"] == "historical"][["run_id", "point"]], on="run_id")
    last = hist[hist["step"] == hist.groupby("run_id")["step"].transform("max")]
    by_point = last.groupby("point")["value"].mean()
    cells = _row(tiny["text"], "1972-12")
    assert cells[4] == f"{by_point.min():.2f} to {by_point.max():.2f}"


def test_statement_effect_equals_runs_table(tiny: dict[str, Any]) -> None:
    runs = _runs(tiny["folders"]["claim3_statement"])
    base = runs[np.isclose(runs["parameters.event_kinds.rhetoric.weight"], 0.2)]
    by = base.set_index(["scenario", "replicate"])["trust_change.withdrawal.Russia.arab_league"]
    cells = _row(tiny["text"], "arab league", f"{by['no_statement'].mean():+.3f}")
    assert cells[2].startswith(f"{(by['historical'] - by['no_statement']).mean():+.4f} [")


def test_interval_is_a_reproducible_bootstrap() -> None:
    values = np.array([0.1, 0.4, 0.2, 0.3, 0.5, 0.0])
    a, b = findings.interval(values), findings.interval(values)
    assert a == b
    assert a.mean == pytest.approx(0.25)
    assert a.low < 0.25 < a.high
    # A bootstrap interval of a mean lies within the data's range and is narrower than it.
    assert a.low > 0.0 and a.high < 0.5
    assert findings.interval(np.full(4, 0.3)) == findings.Interval(0.3, 0.3, 0.3, 4)


def _cells(text: str, prefix: str) -> list[str]:
    """The cells of the one table row whose text starts with ``prefix``."""
    rows = [line for line in text.splitlines() if line.startswith(prefix)]
    assert len(rows) == 1, f"expected one row starting {prefix!r}, found {rows}"
    return [c.strip() for c in rows[0].strip("|").split("|")]


def test_start_at_rest_section(tiny: dict[str, Any]) -> None:
    """v1's start begins at the written value and moves; at rest nothing moves before an event.

    Syria's written trust in Russia is read here from the scenario file
    (0.75 when written), independently of the model. Started from it
    (``prior``) the first month moves; at rest (``equilibrium``) step 0 and
    step 1 are equal, because the first event is in August 2014. Later the
    two starts agree: the section's text says so.
    """
    text = tiny["text"]
    assert "## What the start at rest changes" in text
    tree = yaml.safe_load((REPO / "scenarios" / "syria.yaml").read_text())
    written = tree["states"]["Syria"]["trust"]["Russia"]["mean"]
    cells = _cells(text, "| `syria.yaml` | syria in Russia |")
    prior = [float(v) for v in cells[2].split(" / ")]
    rest = [float(v) for v in cells[3].split(" / ")]
    assert prior[0] == pytest.approx(written, abs=5e-4)
    assert prior[1] != prior[0]
    assert rest[0] == rest[1]
    assert rest[2] == prior[2]
    for case in ("syria.yaml", "sino_soviet.yaml"):
        moves = _cells(text, f"| `{case}` | largest first-month move, any group |")
        assert float(moves[2]) > 0.0
        assert moves[3] == "0.000"


def test_mechanism_table_v1_column_equals_a_direct_v1_run(tiny: dict[str, Any]) -> None:
    """The v1 column of claim 1 is historical minus abstained on the v1 copies, seed 0.

    Computed here with the Mesa model directly (replicate 0 of seed 0, the
    runner's convention for an int seed), and cross-checked against the
    start-at-rest section, whose shipped-v2 run of the same two scenarios
    must give the table's v2 number.
    """
    from sim.model import CredibilityModel
    from sim.scenario import load_scenario
    from sim.seeds import seed_sequence

    values = []
    for name in ("syria.yaml", "syria_abstained.yaml"):
        sc = load_scenario(str(REPO / "tests" / "data" / "v1" / name))
        model = CredibilityModel(sc, rng=seed_sequence(0, 0)).run()
        values.append(model.summary()["final_trust"]["Russia"]["arab_league"])
    row = "| claim 1: Arab League, Russia, Dec 2026, historical - abstained |"
    cells = _cells(tiny["text"], row)
    assert cells[1] == f"{values[0] - values[1]:+.3f}"
    rest = tiny["text"].split("historical minus abstained, one run each): ")[1]
    at_rest = float(rest.split(" at rest")[0].split(", ")[1])
    assert cells[2] == f"{at_rest:+.3f}"


def test_worse_memories_lists_every_negative_cell() -> None:
    """Half-lives by hand: ln 0.5 / ln 0.95 = 13.5, / ln 0.9 = 6.6, / ln 0.98 = 34.3 months."""
    from sim.findings.numbers import worse_memories

    memories = np.array([0.9, 0.95, 0.98])
    assert worse_memories(memories, np.array([0.01, -0.02, 0.03])) == "0.95 (half-life 14 months)"
    assert (
        worse_memories(memories, np.array([-0.01, 0.02, -0.03]))
        == "0.9, 0.98 (half-life 7 to 34 months)"
    )
    assert worse_memories(memories, np.array([0.0, 0.1, 0.2])) == "none (better at every memory)"


def test_claim1_trajectory_titles_name_the_groups_as_the_scenario_does() -> None:
    """The panels said "Russia's trust among arab league" (the group's id); they use the
    scenario's phrase, as every other figure does."""
    from sim.findings.figures import figure_claim1_trajectories

    rows = [
        {"group": g, "power": "Russia", "scenario": s, "step": step,
         "date": f"2015-{step + 1:02d}", "replicate": 0, NB: 2.0, MEMORY: 0.98,
         "value": 0.5 + 0.01 * step}
        for g in ("arab_league", "africa")
        for s in ("historical", "sustained", "abstained")
        for step in range(3)
    ]  # fmt: skip
    phrases = {"arab_league": "among Arab League states", "africa": "among states in Africa"}
    fig = figure_claim1_trajectories(
        pd.DataFrame(rows), [NB, MEMORY], {NB: 2.0, MEMORY: 0.98}, ["arab_league", "africa"],
        phrases=phrases,
    )  # fmt: skip
    titles = [ax.get_title() for ax in fig.axes[:2]]
    assert titles == [
        "Russia's trust among Arab League states",
        "Russia's trust among states in Africa",
    ]


def test_the_boundary_maps_the_difference_as_the_headline_does() -> None:
    """claim1_boundary drew a positive difference blue and the report's headline red, for
    the same historical minus abstained (a figure audit; decision 495)."""
    import pandas as pd

    from sim.findings.figures import figure_heatmaps
    from sim.plots.headline import CMAP

    table = pd.DataFrame([[-0.2, 0.1], [0.3, 0.4]], index=[0.95, 0.98], columns=[1.0, 2.0])
    fig = figure_heatmaps({"all": table}, NB, MEMORY, "t", {})
    image = fig.axes[0].get_images()[0]
    assert image.get_cmap().name == CMAP
    red, _, blue, _ = image.get_cmap()(image.norm(0.4))
    assert red > blue


def test_claim2_poles_at_baseline_show_their_replicates(tiny: dict[str, Any]) -> None:
    """The pole table's baseline cells are the two replicates' mean with their range, and
    the paired differences at baseline are quoted beside one scenario's replicate spread
    (an outside reader took 2.54 against 2.37 for a difference without noise)."""
    poles = _poles_in_december_1972(tiny["folders"]["claim2_sino_soviet"])
    poles = poles[poles["step"] == poles.groupby("run_id")["step"].transform("max")]
    runs = _runs(tiny["folders"]["claim2_sino_soviet"])
    base = runs[np.isclose(runs[NB], 2.0)][["run_id", "scenario", "replicate"]]
    at_base = poles.merge(base, on="run_id").set_index(["scenario", "replicate"])["value"]
    cells = _row(tiny["text"], "1972-12")
    for column, scenario in enumerate(("historical", "neutral_1962", "coexistence_neutral"), 1):
        values = at_base[scenario]
        expected = f"{values.mean():.2f}"
        if values.nunique() > 1:
            expected += f" ({values.min():.2f} to {values.max():.2f})"
        assert cells[column] == expected
    diffs = (at_base["historical"] - at_base["neutral_1962"]).sort_index()
    spread = at_base.groupby(level="scenario").agg(lambda v: v.max() - v.min())
    assert (
        "at the scenario's values, December 1972, "
        + " and ".join(f"{d:+.2f}" for d in diffs)
        + " in the 2 paired replicates, against differences of "
        f"{spread.min():.2f} to {spread.max():.2f} between one scenario's replicates there"
    ) in tiny["text"]
