"""A results folder's resolved scenario is a file that runs again to the same results
(decision 1005).

An outside check: the resolved copy of a generated scenario in a run's manifest was
refused when run (its ``generate`` block drew a second population beside the first;
without it, a pair the draw gave in both orders was "given twice"), and so was that of a
scenario whose child file adds a tie to its parent's or replaces its relation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from sim.cli import main
from sim.runner import run_scenario
from sim.scenario import load_scenario
from sim.sweep.experiment import load_experiment, scenario_trees

GENERATED = """\
name: chk_gen
calendar: {start: "2020-01", end: "2020-12", step: month}
generate: {states: 8, powers: 2, regions: 2, blocs: 2, ties_per_state: 1, events: 6, seed: 7}
parameters: {alignment: {temperature: 0}}
"""

PARENT = """\
name: parent
calendar: {start: "2020-01", end: "2020-06", step: month}
powers: {P: {capability: 1, region: R, ideology: 0.5}}
states: {A: {region: Q, ideology: -0.5}, B: {region: R, ideology: 0.2}}
defaults: {trust: {P: 0.5}}
network: {same_region: 0, ties: [[A, B, 1.0]]}
relations: [[A, B, 0.5]]
events:
  - {id: hit, date: "2020-02", kind: client_harmed, actor: P, target: B, magnitude: 2}
parameters: {alignment: {temperature: 0}}
"""

CHILD = """\
extends: parent.yaml
name: child
network: {ties: [[B, A, 2.0]]}
relations: [[B, A, -0.5]]
"""


def _copy_of(manifest_tree: dict[str, object], path: Path) -> Path:
    """The manifest's resolved scenario written as a scenario file, in its own order."""
    path.write_text(yaml.safe_dump(manifest_tree, sort_keys=False))
    return path


def _outputs(folder: Path) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    return (
        (folder / "summary.json").read_text(),
        pd.read_parquet(folder / "series.parquet"),
        pd.read_parquet(folder / "actors.parquet"),
    )


def _runs_again_the_same(scenario: Path, tmp_path: Path) -> dict[str, object]:
    """Run ``scenario``, then the copy of its manifest's resolved scenario: the same
    scenario and seed, so the same outputs to the bit. Returns the copy's tree."""
    first, second = tmp_path / "first", tmp_path / "second"
    assert main(["run", str(scenario), "--record", "actors", "--out", str(first)]) == 0
    tree = json.loads((first / "manifest.json").read_text())["scenario"]
    copy = _copy_of(tree, tmp_path / "copy.yaml")
    assert main(["run", str(copy), "--record", "actors", "--out", str(second)]) == 0
    summary, series, actors = _outputs(first)
    summary_again, series_again, actors_again = _outputs(second)
    assert summary_again == summary
    pd.testing.assert_frame_equal(series_again, series, check_exact=True)
    pd.testing.assert_frame_equal(actors_again, actors, check_exact=True)
    return dict(tree)


def test_a_generated_scenarios_resolved_copy_runs_again_to_the_same_results(
    tmp_path: Path,
) -> None:
    """The outside check's file: its draw gives the pair S2, S6 in both orders (1.397 and
    1.725), which the run adds (3.122); the copy gives the pair once with that sum, and
    no ``generate`` block to draw again."""
    scenario = tmp_path / "g.yaml"
    scenario.write_text(GENERATED)
    tree = _runs_again_the_same(scenario, tmp_path)
    assert "generate" not in tree
    ties = tree["network"]["ties"]  # type: ignore[index]
    pairs = [frozenset(tie[:2]) for tie in ties]
    assert len(pairs) == len(set(pairs)) == 7  # 8 drawn, one pair twice
    assert [tie[2] for tie in ties if set(tie[:2]) == {"S2", "S6"}] == [1.397 + 1.725]


def test_a_childs_tie_and_relation_on_its_parents_pair_run_again_to_the_same_results(
    tmp_path: Path,
) -> None:
    """The child's tie adds to its parent's (1 + 2 = 3) and its relation replaces the
    parent's (model.md 8.1): the copy gives the tie once, weight 3, and the child's
    relation alone."""
    (tmp_path / "parent.yaml").write_text(PARENT)
    child = tmp_path / "child.yaml"
    child.write_text(CHILD)
    tree = _runs_again_the_same(child, tmp_path)
    assert tree["network"]["ties"] == [["A", "B", 3.0]]  # type: ignore[index]
    assert tree["relations"] == [["B", "A", -0.5]]


def test_a_sweeps_generated_scenario_tree_loads_and_runs_as_its_scenario(tmp_path: Path) -> None:
    """A sweep's manifest keeps its base scenarios' trees the same way: the generated
    one's copy loads and runs to the base scenario's series."""
    (tmp_path / "g.yaml").write_text(GENERATED)
    experiment_file = tmp_path / "e.yaml"
    experiment_file.write_text(
        "name: e\nscenarios: {gen: g.yaml}\n"
        "design: {method: grid, parameters: {parameters.trust.memory: [0.9]}}\n"
        "replicates: 1\nseed: 3\nrecord: series\n"
    )
    experiment = load_experiment(experiment_file)
    copy = _copy_of(scenario_trees(experiment)["gen"], tmp_path / "copy.yaml")
    base = run_scenario(experiment.scenarios["gen"], 3, record="series")
    again = run_scenario(load_scenario(copy), 3, record="series")
    assert again.summary == base.summary
    pd.testing.assert_frame_equal(again.series, base.series, check_exact=True)
