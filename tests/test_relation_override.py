"""One relation set by ``--set relations.FROM.TO=VALUE`` and swept by a design (decision 891).

A relation's override must give what a file with that value written in the entry gives:
the file is the independent statement of what the override means, so each test loads
both and compares them, or runs both and compares the runs.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.runner import run_scenario
from sim.scenario import load_scenario

BASE = """\
name: rel
calendar: {start: "2014-01", end: "2016-12", step: month}
powers:
  Russia: {capability: 0.6, ideology: 0.3, region: eurasia}
  USA: {capability: 1.0, ideology: -0.5, region: americas}
states:
  Syria: {region: levant, ideology: 0.4, aligned: Russia}
  Jordan: {region: levant, ideology: -0.1, aligned: USA}
  Qatar: {region: gulf, ideology: -0.2, aligned: USA}
  U.A.E.: {region: gulf, ideology: -0.3}
parameters:
  stance: {enemy_reliability: 0.2}
  alignment: {weights: {affinity: 1.0}}
relations:
{relations}
events:
  - {id: intervention, date: "2015-09", kind: intervene, actor: Russia, target: Syria,
     magnitude: 3.0, source: "Air campaign begins, 30 Sep 2015"}
  - {id: aid, date: "2016-03", kind: support, actor: USA, target: Jordan, magnitude: 1.0,
     source: "aid"}
"""

RELATIONS = """\
  - [Jordan, Syria, -0.6]
  - {from: Qatar, to: Syria, value: -0.9, directed: true}
  - [U.A.E., Syria, -0.4]
"""


def _file(tmp_path: Path, name: str, relations: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(BASE.replace("{relations}", relations.rstrip("\n")))
    return path


def _stances(path: Path, overrides: list[str] | None = None) -> list[tuple[str, str, float, bool]]:
    scenario = load_scenario(path, overrides)
    return sorted(
        (rel[0], rel[1], float(rel[2]), False)
        if isinstance(rel, tuple)
        else (rel.source_actor, rel.to, float(rel.value), rel.directed)
        for rel in scenario.relations
    )


JORDAN = "  - [Jordan, Syria, -0.6]\n"
QATAR = "  - {from: Qatar, to: Syria, value: -0.9, directed: true}\n"
UAE = "  - [U.A.E., Syria, -0.4]\n"


@pytest.mark.parametrize(
    ("setting", "line", "written"),
    [
        # A list entry is one relation of both directions: either order names it.
        ("relations.Jordan.Syria=0.3", JORDAN, "  - [Jordan, Syria, 0.3]\n"),
        ("relations.Syria.Jordan=0.3", JORDAN, "  - [Jordan, Syria, 0.3]\n"),
        # A directed mapping is named from its 'from'.
        (
            "relations.Qatar.Syria=-0.1",
            QATAR,
            "  - {from: Qatar, to: Syria, value: -0.1, directed: true}\n",
        ),
        # A name with dots, its last dot doubling as the separator or not.
        ("relations.U.A.E..Syria=0.5", UAE, "  - [U.A.E., Syria, 0.5]\n"),
        ("relations.U.A.E.Syria=0.5", UAE, "  - [U.A.E., Syria, 0.5]\n"),
        ("relations.Syria.U.A.E.=0.5", UAE, "  - [U.A.E., Syria, 0.5]\n"),
    ],
)
def test_a_relation_set_on_the_command_line_is_the_file_with_that_value(
    tmp_path, setting, line, written
):
    """The override changes the one entry, and only its value: the scenario equals the
    file with the value written there (the other relations as they were)."""
    base = _file(tmp_path, "base", RELATIONS)
    expected = _file(tmp_path, "expected", RELATIONS.replace(line, written))
    assert _stances(base, [setting]) == _stances(expected)
    assert _stances(base, [setting]) != _stances(base)


@pytest.mark.parametrize("engine", ["mesa", "fast"])
def test_a_run_with_a_relation_set_is_the_run_of_the_file_with_it(tmp_path, engine):
    """The run, not only the scenario: the same numbers as the file written with the
    value, and other numbers than the file as it is (the relation matters to the run)."""
    base = _file(tmp_path, "base", RELATIONS)
    expected = _file(
        tmp_path, "expected", RELATIONS.replace("[Jordan, Syria, -0.6]", "[Jordan, Syria, 0.8]")
    )
    overridden = run_scenario(
        load_scenario(base, ["relations.Syria.Jordan=0.8"]), 3, "summary", engine
    )
    written = run_scenario(load_scenario(expected), 3, "summary", engine)
    as_is = run_scenario(load_scenario(base), 3, "summary", engine)
    assert overridden.summary == written.summary
    assert overridden.summary != as_is.summary


def test_the_later_of_two_entries_is_the_one_set(tmp_path):
    """A child's relation follows its parent's in the merged list and wins (model.md 8.1,
    later items override earlier): the override changes the child's, so the stance the
    run takes is the override's value, and the parent's entry stays as written."""
    parent = _file(tmp_path, "parent", RELATIONS)
    child = tmp_path / "child.yaml"
    expected = tmp_path / "expected.yaml"
    for path, value in ((child, 0.1), (expected, 0.7)):
        path.write_text(
            f"extends: {parent.name}\nname: child\nrelations:\n  - [Syria, Jordan, {value}]\n"
        )
    assert _stances(child, ["relations.Jordan.Syria=0.7"]) == _stances(expected)


def _one_line_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code = main(["validate", *argv])
    out, err = capsys.readouterr()
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("relations.Syria=0.3", "does not name two actors (powers or states)"),
        ("relations.Jordan.Syria.Qatar=0.3", "does not name two actors (powers or states)"),
        ("relations.Jorden.Syria=0.3", "unknown actor 'Jorden'"),
        ("relations.Syria.Syria=0.3", "an actor's stance towards itself is always 1"),
        # Only Qatar's stance towards Syria is given: Syria's towards Qatar is not.
        (
            "relations.Syria.Qatar=0.3",
            "the scenario gives no relation from 'Syria' to 'Qatar' (it has one from 'Qatar' "
            "to 'Syria', directed)",
        ),
        ("relations.Jordan.Qatar=0.3", "the scenario gives no relation from 'Jordan' to 'Qatar';"),
        ("relations.Jordan.Syria=1.5", "relations[0][2]: must be <= 1, got 1.5"),
        ("relations.Qatar.Syria=-2", "relations[1].value: must be >= -1, got -2"),
    ],
)
def test_a_relation_that_cannot_be_set_is_one_line(tmp_path, capsys, setting, said):
    base = _file(tmp_path, "base", RELATIONS)
    line = _one_line_error(capsys, str(base), "--set", setting)
    assert line.startswith(f"credsim: error: override {setting}: "), line
    assert said in line, line


def test_a_design_sweeps_a_relation_and_reads_the_files_value(tmp_path, capsys):
    """A grid over one relation runs each value as ``--set`` would, and the answer takes
    the file's value as the scenario's own (it read "the scenario sets none")."""
    base = _file(tmp_path, "base", RELATIONS)
    (tmp_path / "abstained.yaml").write_text(
        f"extends: {base.name}\nname: abstained\nremove_events: [intervention]\n"
    )
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        textwrap.dedent(
            f"""\
            name: rel_sweep
            scenarios: {{base: {base.name}, abstained: abstained.yaml}}
            design:
              method: grid
              parameters:
                relations.Jordan.Syria: [-0.6, 0.8]
            replicates: 1
            seed: 5
            record: summary
            question:
              text: How much does Russia lose among the states?
              difference: [base, abstained]
              metric: final_trust.Russia.all
            """
        )
    )
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--executor", "serial"]) == 0
    said = capsys.readouterr().out
    assert "at relation Jordan to Syria -0.6 (the scenario's value)" in said, said

    runs = pd.read_parquet(out / "runs.parquet")
    assert sorted(runs["relations.Jordan.Syria"]) == [-0.6, -0.6, 0.8, 0.8]
    high = runs[(runs["relations.Jordan.Syria"] == 0.8) & (runs["scenario"] == "base")].iloc[0]
    seed = np.random.SeedSequence(int(high["seed"]), spawn_key=(int(high["replicate"]),))
    scenario = load_scenario(base, ["relations.Jordan.Syria=0.8"])
    alone = run_scenario(scenario, seed, "summary", "fast")
    flat = dict(zip(alone.flat.names, alone.flat.values, strict=True))
    assert high["final_trust.Russia.all"] == flat["final_trust.Russia.all"]
