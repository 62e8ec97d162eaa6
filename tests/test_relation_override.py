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
        # Beside a dotted actor, the misspelt one is named (decision 899).
        ("relations.U.A.E.Syrai=0.3", "unknown actor 'Syrai'"),
        ("relations.Syria.Syria=0.3", "an actor's stance towards itself is always 1"),
        # Only Qatar's stance towards Syria is given: Syria's towards Qatar is not.
        (
            "relations.Syria.Qatar=0.3",
            "the scenario gives no relation from 'Syria' to 'Qatar' (it has one from 'Qatar' "
            "to 'Syria', directed)",
        ),
        ("relations.Jordan.Qatar=0.3", "the scenario gives no relation from 'Jordan' to 'Qatar';"),
        # The value's refusal names the path given, not the merged list's entry
        # ("relations[0][2]: must be <= 1, got 1.5", a place never written; decision 906).
        (
            "relations.Jordan.Syria=1.5",
            "relations.Jordan.Syria: the stance from 'Jordan' to 'Syria' is a number from -1 "
            "(enemy) to 1 (ally), got 1.5",
        ),
        ("relations.Qatar.Syria=-2", "from -1 (enemy) to 1 (ally), got -2"),
        ("relations.Qatar.Syria=ally", "from -1 (enemy) to 1 (ally), got 'ally'"),
        ("relations.Qatar.Syria=true", "from -1 (enemy) to 1 (ally), got true"),
        ("relations.Qatar.Syria=.nan", "from -1 (enemy) to 1 (ally), got nan"),
        # An empty value or null was told at the merged list's index (decision 910).
        ("relations.Qatar.Syria=", "got nothing (an empty value or null)"),
        ("relations.Qatar.Syria=null", "got nothing (an empty value or null)"),
    ],
)
def test_a_relation_that_cannot_be_set_is_one_line(tmp_path, capsys, setting, said):
    base = _file(tmp_path, "base", RELATIONS)
    line = _one_line_error(capsys, str(base), "--set", setting)
    assert line.startswith(f"credsim: error: override {setting}: "), line
    assert said in line, line
    assert "relations[" not in line, line


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


# --------------------------------------------------------------------------- decision 895


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("relations.Jordan.Syria=0.1", "relations.Syria.Jordan=0.2"),
        ("relations.U.A.E..Syria=0.1", "relations.U.A.E.Syria=0.2"),
        ("states.U.A.E..ideology=0.1", "states.U.A.E.ideology=0.2"),
    ],
)
def test_two_paths_of_one_value_are_refused_with_two_values(tmp_path, capsys, first, second):
    """The later won without a word (an outside check, decision 895); with the same value
    the two say one thing and are taken."""
    base = _file(tmp_path, "base", RELATIONS)
    line = _one_line_error(capsys, str(base), "--set", first, "--set", second)
    assert line.startswith(f"credsim: error: override {second}: sets what {first} sets ("), line
    assert line.endswith("with another value: two paths name one value here; give it once")
    same = second.rpartition("=")[0] + "=" + first.rpartition("=")[2]
    assert main(["validate", str(base), "--set", first, "--set", same]) == 0
    capsys.readouterr()


def test_a_sweep_varying_one_value_by_two_paths_is_refused_before_it_runs(tmp_path, capsys):
    """The sweep ran 2 of its 4 points and recorded values it never ran (an outside check,
    decision 895): refused now, with nothing written; so is a fixed value of the varied
    one under its other path."""
    base = _file(tmp_path, "base", RELATIONS)
    out = tmp_path / "out"
    sweep = ["sweep", str(base), "--out", str(out), "--executor", "serial"]
    vary = ["--vary", "relations.Jordan.Syria=-0.5,0.5"]
    assert main([*sweep, *vary, "--vary", "relations.Syria.Jordan=-0.9,0.9"]) == 2
    err = capsys.readouterr().err
    assert err.strip().endswith(
        "'relations.Syria.Jordan' and 'relations.Jordan.Syria' name one value of scenario "
        "'rel' (relations[0][2]); vary it once"
    ), err
    assert main([*sweep, *vary, "--set", "relations.Syria.Jordan=0.9"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "credsim: error: 'relations.Syria.Jordan' (--set) and 'relations.Jordan.Syria' "
        "(--vary) name one value of scenario 'rel' (relations[0][2]): the fixed value would "
        "be ignored; drop one of them"
    ), err
    assert not out.exists()


def test_two_priors_or_a_truth_of_one_value_are_refused(tmp_path, capsys):
    """A calibration with priors on both orders ran and gave a posterior that drove
    nothing; a --truth in the other order was never compared (decision 895)."""
    root = Path(__file__).resolve().parent.parent
    calibration = tmp_path / "cal.yaml"
    text = (
        f"name: c\npatterns: [{root / 'patterns' / 'syria.yaml'}]\nparameters:\n"
        "  relations.Saudi Arabia.Syria: {low: -1, high: 0}\n{second}"
        "population: 20\nmax_simulations: 40\nseed: 7\n"
    )
    calibration.write_text(
        text.replace("{second}", "  relations.Syria.Saudi Arabia: {low: -1, high: 0}\n")
    )
    line = _one_line_error(capsys, str(calibration))
    assert line.endswith(
        "'relations.Syria.Saudi Arabia' and 'relations.Saudi Arabia.Syria' name one value of "
        f"the scenario of pattern file {root / 'patterns' / 'syria.yaml'} (relations[0].value); "
        "give it one prior"
    ), line
    calibration.write_text(text.replace("{second}", ""))
    out = tmp_path / "out"
    code = main(
        [
            "calibrate",
            str(calibration),
            "--out",
            str(out),
            "--truth",
            "relations.Syria.Saudi Arabia=-0.9",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().endswith(
        "credsim: error: --truth: 'relations.Syria.Saudi Arabia' names the value of the prior "
        "'relations.Saudi Arabia.Syria' (relations[0].value); give it as the prior does, "
        "--truth relations.Saudi Arabia.Syria=..."
    ), err
    assert not out.exists()


def test_a_name_with_a_space_left_unquoted_is_told_to_quote_it(tmp_path, capsys):
    """``--set relations.Saudi Arabia.Syria=0.3`` was told to write
    ``relations.Saudi=Arabia.Syria=0.3`` (decision 895)."""
    base = _file(tmp_path, "base", RELATIONS)
    argv = ["validate", str(base), "--set", "relations.Central", "African", "Republic.Syria=0.3"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert (
        "a name with a space is quoted with its path: --set 'relations.Central African "
        "Republic.Syria=0.3'" in err
    ), err


def test_a_path_read_two_ways_takes_the_longest_first_name_that_names_a_relation(tmp_path):
    """Names with dots can split a path two ways; as other paths, the longest first name
    is read first, and a reading that names a relation the file gives is taken (it took the
    shortest and refused the pair; an outside check, decision 895)."""
    text = BASE.replace(
        "  U.A.E.: {region: gulf, ideology: -0.3}\n",
        "  St. Kitts: {region: gulf, ideology: -0.3}\n  St. Kitts.Nevis: {region: gulf}\n"
        "  Nevis.Anguilla: {region: gulf}\n  Anguilla: {region: gulf}\n",
    )
    path = tmp_path / "amb.yaml"
    path.write_text(text.replace("{relations}", "  - [St. Kitts.Nevis, Anguilla, 0.2]"))
    scenario = load_scenario(path, ["relations.St. Kitts.Nevis.Anguilla=0.9"])
    assert [tuple(r) for r in scenario.relations] == [("St. Kitts.Nevis", "Anguilla", 0.9)]


def test_a_pair_set_by_events_alone_is_told_where(tmp_path, capsys):
    """A pair the top-level list does not give may be set by a relation event or a regime
    change: the refusal names their paths (decision 895)."""
    events = (
        '  - {id: iran_syria, date: "2015-01", kind: relation, actor: Qatar, target: Jordan,\n'
        '     value: 0.9, source: "x"}\n'
    )
    base = _file(tmp_path, "base", RELATIONS)
    base.write_text(base.read_text() + events)
    line = _one_line_error(capsys, str(base), "--set", "relations.Jordan.Qatar=0.3")
    assert line.endswith("; the events set it from their dates: events.iran_syria.value"), line


def test_a_variant_or_two_truths_of_one_value_are_refused(tmp_path, capsys):
    """A variant fixing a prior's value by the other path had every simulation refused
    (the variant "never had a particle"); two --truth paths of one value were refused
    without naming the second (a review, decision 898)."""
    root = Path(__file__).resolve().parent.parent
    patterns = root / "patterns" / "syria.yaml"
    calibration = tmp_path / "cal.yaml"
    calibration.write_text(
        f"name: c\npatterns: [{patterns}]\nparameters:\n"
        "  relations.Saudi Arabia.Syria: {low: -1, high: 0}\n"
        "  parameters.trust.memory: {low: 0.9, high: 0.99}\n"
        "variants:\n  a: {relations.Syria.Saudi Arabia: -0.5}\n  b: {}\n"
        "population: 20\nmax_simulations: 40\nseed: 7\n"
    )
    line = _one_line_error(capsys, str(calibration))
    assert line.endswith(
        "variants.a.relations.Syria.Saudi Arabia: 'relations.Syria.Saudi Arabia' names the "
        "value of the prior 'relations.Saudi Arabia.Syria' (relations[0].value); give it as "
        "the prior does, so that the variant fixes that prior"
    ), line
    calibration.write_text(
        calibration.read_text().replace("Syria.Saudi Arabia: -0.5", "Saudi Arabia.Syria: -0.5")
    )
    assert main(["validate", str(calibration)]) == 0
    capsys.readouterr()
    truths = ["--truth", "relations.Jordan.Syria=0.1", "relations.Syria.Jordan=0.2"]
    out = tmp_path / "out"
    assert main(["calibrate", str(calibration), "--out", str(out), *truths]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (
        "credsim: error: --truth: 'relations.Syria.Jordan' and 'relations.Jordan.Syria' name "
        "one value (relations[5].value); give it once"
    ), err
    assert not out.exists()


def test_the_answer_reads_the_relation_the_override_sets(tmp_path):
    """The figures' and answer's value of a relation path read the shortest first name,
    the override the longest (decision 895): "the scenario sets none" where the file gave
    one. Both read it one way now; and a second name's final dot may double as the
    separator, as for the first (`relations.Syria.U.S`)."""
    from sim.analysis.paired import scenario_value
    from sim.scenario import scenario_tree

    text = BASE.replace(
        "  U.A.E.: {region: gulf, ideology: -0.3}\n",
        "  St. Kitts: {region: gulf, ideology: -0.3}\n  St. Kitts.Nevis: {region: gulf}\n"
        "  Nevis.Anguilla: {region: gulf}\n  Anguilla: {region: gulf}\n  U.S.: {region: gulf}\n",
    )
    path = tmp_path / "amb.yaml"
    relations = "  - [St. Kitts.Nevis, Anguilla, 0.2]\n  - [Syria, U.S., -0.3]"
    path.write_text(text.replace("{relations}", relations))
    tree = scenario_tree(load_scenario(path))
    assert scenario_value(tree, "relations.St. Kitts.Nevis.Anguilla") == 0.2
    assert scenario_value(tree, "relations.Syria.U.S") == -0.3
    assert scenario_value(tree, "relations.Syria.U.S.") == -0.3
    changed = load_scenario(path, ["relations.Syria.U.S=0.4"])
    assert scenario_value(scenario_tree(changed), "relations.Syria.U.S.") == 0.4


def test_a_place_does_not_depend_on_the_paths_before_it(tmp_path):
    """``override_places`` set each path on one tree, so a path after its whole list
    (``relations``, then ``relations.Jordan.Syria``) found no place and escaped the check
    (a review, decision 898)."""
    from sim.scenario.loader import override_places

    scenario = load_scenario(_file(tmp_path, "base", RELATIONS))
    places = override_places(
        scenario, ["relations", "relations.Jordan.Syria", "relations.Syria.Jordan"]
    )
    assert places == {
        "relations": "relations",
        "relations.Jordan.Syria": "relations[0][2]",
        "relations.Syria.Jordan": "relations[0][2]",
    }


@pytest.mark.parametrize(
    ("words", "hint"),
    [
        (
            ["relations.Saudi", "Arabia.Syria", "0.3"],
            "a name with a space is quoted with its path: --set 'relations.Saudi Arabia.Syria=0.3'",
        ),
        (
            ["parameters.trust.memory", "0.5", "a=1"],
            "--set takes PATH=VALUE as one word, without spaces: --set parameters.trust.memory=0.5",
        ),
    ],
)
def test_the_quoting_hint_is_given_where_it_helps(tmp_path, capsys, words, hint):
    """A name with a space and no '=' got the hint to join the words with '='; a path, a
    value and another PATH=VALUE got the quoting hint (a review, decision 898)."""
    base = _file(tmp_path, "base", RELATIONS)
    assert main(["validate", str(base), "--set", *words]) == 2
    assert hint in capsys.readouterr().err
