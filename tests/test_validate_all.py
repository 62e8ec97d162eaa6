"""``credsim validate`` reports every mistake in one pass, in line order, and warns about slips.

Line numbers refer to tests/data/scenarios/mini.yaml: 4 Russia, 5 USA,
7 Syria, 8 Jordan, 10 the event (intervention, 2015-09), 11 windows.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

MINI = Path(__file__).parent / "data" / "scenarios" / "mini.yaml"


def _validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *edits: tuple[str, str]
) -> tuple[int, str, list[str]]:
    text = MINI.read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    return code, out, [line.replace(str(path), "FILE") for line in err.splitlines()]


def test_every_field_mistake_is_reported_once_in_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Edited bottom-up (event, Jordan, USA, Russia), reported top-down; nothing on stdout."""
    code, out, err = _validate(
        tmp_path,
        capsys,
        ("magnitude: 3.0", "magnitude: -3"),
        ("ideology: -0.1, aligned: USA", "ideology: -0.1, aligned: USA, blok: x"),
        ("capability: 1.0", "capability: lots"),
        ("capability: 0.6", "capability: .nan"),
    )
    assert code == 2 and out == ""
    assert [e.split(": ")[2] for e in err] == ["FILE:4", "FILE:5", "FILE:8", "FILE:10"]
    assert err[0].startswith("credsim: error: FILE:4: powers.Russia.capability: expected a finite")
    assert "powers.USA.capability: expected a number, got 'lots'" in err[1]
    assert "states.Jordan.blok: unknown field 'blok'" in err[2]
    assert "events.intervention.magnitude: must be >= 0, got -3" in err[3]


def test_a_misspelt_field_is_one_mistake_not_two(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'regoin' is unknown and 'region' then missing: the misspelling is the one mistake."""
    code, _, err = _validate(
        tmp_path,
        capsys,
        (
            "USA: {capability: 1.0, ideology: -0.5, region: americas}",
            "USA: {capability: 1.0, ideology: -0.5, regoin: americas}",
        ),
    )
    assert code == 2
    assert len(err) == 1 and "unknown field 'regoin'" in err[0]
    assert "(did you mean 'region'?)" in err[0]


def test_a_window_without_its_event_is_warned_about_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The window 'intervention' (2016) no longer holds the event 'intervention' (2015-09)."""
    code, out, err = _validate(
        tmp_path,
        capsys,
        (
            'windows: {late: ["2016-01", "2016-06"]}',
            'windows: {intervention: ["2016-01", "2016-06"]}',
        ),
    )
    assert code == 0 and out.startswith("ok: ")
    assert err == [
        "credsim: warning: FILE:11: windows.intervention: no event falls in this window "
        "(2016-01 to 2016-06); was it made for an event that has moved or gone?",
        "credsim: warning: FILE:11: windows.intervention: no event named after this window "
        "falls in it (2016-01 to 2016-06); named after it: 'intervention' (2015-09)",
    ]


def test_a_counterfactual_that_empties_an_inherited_window_gives_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """syria_sustained removes Russia's withdrawal and keeps syria.yaml's withdrawal window
    to compare with: validate warned about the parent's window, naming the unrelated
    'afghanistan_withdrawal' (decision 484). A window the child sets itself still warns
    of an event named after it (its id begins with the window's name and "_") that lies
    outside; since decision 996 an id that only ends with "_" and the name is not the
    window's: the child's own withdrawal window, holding Assad's fall, is not warned about
    'afghanistan_withdrawal' (2021-08) either."""
    from sim.cli import main

    root = Path(__file__).resolve().parent.parent
    for name in ("syria_sustained", "syria_abstained", "vietnam_usa_sustained"):
        assert main(["validate", str(root / "scenarios" / f"{name}.yaml")]) == 0
        assert "warning" not in capsys.readouterr().err
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {root / 'scenarios' / 'syria_sustained.yaml'}\n"
        "name: child\n"
        'windows: {withdrawal: ["2024-12", "2025-06"]}\n'
    )
    assert main(["validate", str(child)]) == 0
    assert "warning" not in capsys.readouterr().err
    child.write_text(child.read_text().replace("{withdrawal:", "{afghanistan:"))
    assert main(["validate", str(child)]) == 0
    err = capsys.readouterr().err
    assert f"warning: {child}:3: windows.afghanistan: no event named after this window" in err
    assert "named after it: 'afghanistan_withdrawal' (2021-08)" in err


def test_an_event_of_another_name_ending_in_a_windows_is_not_its_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Suez's window 'crisis' (1956-10 to 1957-03) holds the crisis's events; its event
    'jordan_crisis' (1957-04) is another crisis. Every command warned that "no event named
    after this window falls in it; named after it: 'jordan_crisis'" (an outside check of
    new cases). An event whose id begins with the name and "_" still counts as the
    window's."""

    def check(event_id: str) -> tuple[int, list[str]]:
        other = (
            f'  - {{id: {event_id}, date: "2016-06", kind: rhetoric, actor: USA, '
            'magnitude: 1.0, source: "a later crisis"}\n'
        )
        code, _, err = _validate(
            tmp_path,
            capsys,
            (
                'windows: {late: ["2016-01", "2016-06"]}',
                f'{other}windows: {{crisis: ["2015-09", "2015-12"]}}',
            ),
        )
        return code, err

    assert check("jordan_crisis") == (0, [])
    code, err = check("crisis_talks")
    assert code == 0
    assert err == [
        "credsim: warning: FILE:12: windows.crisis: no event named after this window falls "
        "in it (2015-09 to 2015-12); named after it: 'crisis_talks' (2016-06)"
    ]


def test_a_file_extending_a_counterfactual_inherits_its_excuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The explorer saves a scenario of syria_abstained as a file that extends it, with no
    remove_events of its own: validate warned of syria.yaml's withdrawal window, which
    syria_abstained validates without (an outside check, decision 896). The events are
    removed up its chain, so the window is excused there too."""
    from sim.cli import main

    root = Path(__file__).resolve().parent.parent
    saved = tmp_path / "saved.yaml"
    saved.write_text(
        f"extends: {root / 'scenarios' / 'syria_abstained.yaml'}\nname: saved\n"
        "parameters: {trust: {negativity_bias: 2.5}}\n"
    )
    assert main(["validate", str(saved)]) == 0
    assert "warning" not in capsys.readouterr().err


def test_a_window_holding_its_event_gives_no_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _validate(
        tmp_path,
        capsys,
        (
            'windows: {late: ["2016-01", "2016-06"]}',
            'windows: {intervention: ["2015-06", "2015-12"]}',
        ),
    )
    assert code == 0 and err == []


def test_every_field_mistake_of_an_experiment_file_in_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Four mistakes on lines 1, 3, 5 and 6 of the experiment file, one line each."""
    path = tmp_path / "exp.yaml"
    path.write_text(
        "name: X\nscenarios: {a: tiny.yaml}\nreplicate: 3\ndesign:\n  method: sobl\nseed: -1\n"
    )
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [e.split(": ")[2] for e in err] == [f"{path}:{n}" for n in (1, 3, 5, 6)]
    assert "(did you mean 'replicates'?)" in err[1] and "(did you mean 'sobol'?)" in err[2]


def test_every_cross_reference_mistake_is_reported_in_line_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three names that cross sections, each wrong: Jordan aligned with 'Chna' (line 8),
    the event's target 'Syira' (line 10), a window past the calendar (line 11); all three
    are reported, top-down, with close matches where there are any."""
    code, out, err = _validate(
        tmp_path,
        capsys,
        ('windows: {late: ["2016-01", "2016-06"]}', 'windows: {late: ["2016-01", "2017-06"]}'),
        ("target: Syria, magnitude: 3.0", "target: Syira, magnitude: 3.0"),
        ("ideology: -0.1, aligned: USA", "ideology: -0.1, aligned: Chna"),
    )
    assert code == 2 and out == ""
    assert [e.split(": ")[2] for e in err] == ["FILE:8", "FILE:10", "FILE:11"]
    assert "states.Jordan.aligned: unknown power 'Chna'" in err[0]
    assert "events.intervention.target" in err[1] and "Syira" in err[1] and "Syria" in err[1]
    assert "windows.late" in err[2] and "2017-06" in err[2]


REPO = Path(__file__).parent.parent


def test_pattern_and_calibration_files_are_checked_by_their_own_loaders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate knows pattern files (link, patterns) and calibrations (patterns, parameters)."""
    patterns = REPO / "patterns" / "syria.yaml"
    assert main(["validate", str(patterns)]) == 0
    assert capsys.readouterr().out == (
        f"ok: {patterns}: pattern file 'syria' on scenario 'syria', 4 patterns "
        "(3 calibrate, 1 holdout), 2 groups of its own\n"
    )
    joint = REPO / "calibrations" / "joint.yaml"
    assert main(["validate", str(joint)]) == 0
    assert capsys.readouterr().out == (
        f"ok: {joint}: calibration 'joint', 2 pattern files, 6 priors, 2 variants\n"
    )
    bad = tmp_path / "patterns.yaml"
    text = patterns.read_text().replace("../scenarios/", f"{REPO}/scenarios/")
    bad.write_text(text.replace("control: africa_non_arab", "control: africa_non_arb", 1))
    assert main(["validate", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert f"{bad}:20: patterns[0].control: unknown group 'africa_non_arb'" in err
    calibration = tmp_path / "calibration.yaml"
    text = joint.read_text().replace("../patterns/", f"{REPO}/patterns/")
    calibration.write_text(text.replace("negativity_bias: {low: 1,", "negativity_bias: {low: -1,"))
    assert main(["validate", str(calibration)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    # The prior's scenario path once (it read "parameters.parameters.trust..."), and which
    # end of the prior is wrong.
    assert f"{calibration}:16: parameters.trust.negativity_bias: must be >= 0, got -1" in err
    assert "(the prior's low end; in the scenario of pattern file" in err
    assert "parameters.parameters" not in err
    # A path that names nothing is wrong whatever the prior's ends: they are not named
    # (an outside check, decision 888).
    unknown = "events.nosuch_event.magnitude: {low: 0, high: 2}"
    calibration.write_text(
        text.replace("parameters.event_kinds.support.weight: {low: 0, high: 0.3}", unknown)
    )
    assert main(["validate", str(calibration)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert (
        f"{calibration}:17: events.nosuch_event.magnitude: unknown event id 'nosuch_event'" in err
    )
    assert err.endswith(f"(in the scenario of pattern file {REPO}/patterns/syria.yaml)\n"), err


def test_a_calibration_without_its_patterns_line_is_read_as_a_calibration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without ``patterns:`` a calibration was read as a scenario: seven lines of
    scenario-field errors. Its other fields (population, variants ...) tell its kind."""
    calibration = tmp_path / "calibration.yaml"
    text = (REPO / "calibrations" / "joint.yaml").read_text()
    calibration.write_text(
        text.replace("patterns: [../patterns/syria.yaml, ../patterns/sino_soviet.yaml]\n", "")
    )
    assert main(["validate", str(calibration)]) == 2
    out, err = capsys.readouterr()
    assert (
        out == "" and err == f"credsim: error: {calibration}: patterns: required field is missing\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("null\n", "the file is empty"),
        ("# a comment only\n", "the file is empty"),
        ("- name\n- calendar\n", "expected a mapping of fields, got a list"),
        ("42\n", "expected a mapping of fields, got a number"),
        ("name: x\n", "cannot tell which kind of file this is from its fields (name)"),
        (
            "name: x\nseed: 3\n",
            "cannot tell which kind of file this is from its fields (name, seed)",
        ),
    ],
)
def test_a_file_whose_kind_cannot_be_told_gets_one_line_naming_what_each_kind_needs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    """An empty file said only what a scenario needs, though it may have been meant as
    any of the four kinds."""
    path = tmp_path / "file.yaml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"credsim: error: {path}: {expected}; ")
    for needs in (
        "a scenario needs at least name, calendar, powers and states",
        "an experiment file needs name and scenarios",
        "a pattern file needs name, scenario, link and patterns",
        "a calibration file needs name, patterns and parameters",
    ):
        assert needs in err


@pytest.mark.parametrize(
    ("tree", "kind"),
    [
        ({"name": "s", "calendar": {}, "powers": {}}, "scenario"),
        ({"extends": "base.yaml", "parameters": {}}, "scenario"),
        ({"name": "s", "calender": {}, "powers": {}, "states": {}}, "scenario"),
        ({"name": "e", "scenarios": {}}, "experiment"),
        ({"name": "e", "scenarios": {}, "desing": {}}, "experiment"),
        ({"name": "p", "scenario": "s.yaml"}, "pattern"),
        ({"name": "p", "scenario": "s.yaml", "link": {}, "patterns": [], "color": 1}, "pattern"),
        ({"name": "p", "patterns": [{"id": "a"}]}, "pattern"),
        ({"name": "c", "patterns": ["a.yaml"]}, "calibration"),
        ({"name": "c", "patterns": ["a.yaml"], "parameters": {}}, "calibration"),
        ({"name": "c", "parameters": {}, "population": 10, "seed": 3}, "calibration"),
        ({"name": "x", "parameters": {}}, None),
        ({"name": "x", "replicates": 2}, None),
        ({}, None),
    ],
)
def test_a_files_kind_is_told_by_its_top_level_fields(tree: dict[str, object], kind: str) -> None:
    from sim.inputs import file_kind

    assert file_kind(tree) == kind


def test_the_kinds_fields_are_their_schemas_fields() -> None:
    """sim.inputs writes the four kinds' fields out (to import no schema); they must
    stay the schemas' own."""
    from sim.calibrate.spec import CalibrationSpec
    from sim.inputs import FIELDS
    from sim.patterns.schema import PatternFile
    from sim.scenario.schema import Scenario
    from sim.sweep.experiment import ExperimentSpec

    def fields(model: type) -> set[str]:
        return {f.alias or n for n, f in model.model_fields.items()}  # type: ignore[attr-defined]

    assert FIELDS["scenario"] == fields(Scenario) | {"extends", "remove_events"}
    assert FIELDS["experiment"] == fields(ExperimentSpec)
    assert FIELDS["pattern"] == fields(PatternFile)
    assert FIELDS["calibration"] == fields(CalibrationSpec)


def test_a_states_bloc_named_like_a_power_is_warned_of(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Jordan listing 'USA' among its blocs is in a bloc of its own, not aligned with the
    USA (blocs are labels the members list): it passed without a word (an outside check,
    decision 843). A bloc a power lists itself, as Russia lists 'brics', is not warned of
    (here Jordan's 'Russia' is a bloc of Russia's only if Russia listed it)."""
    edit = ("blocs: [arab_league], ideology: -0.1", "blocs: [arab_league, USA], ideology: -0.1")
    code, out, err = _validate(tmp_path, capsys, edit)
    assert code == 0 and out.startswith("ok: ")
    assert [line for line in err if "name of a power" in line] == [
        "credsim: warning: FILE:8: states.Jordan.blocs[1]: bloc 'USA' has the name of a "
        "power, but USA does not list it among its own blocs: it is a bloc of the states that "
        "list it, not alignment with USA (a stance towards a power is a relation; a power in "
        "a bloc lists it in its own 'blocs')"
    ]
    code, out, err = _validate(tmp_path, capsys)
    assert code == 0 and not [line for line in err if "name of a power" in line]


@pytest.mark.parametrize("source", ["", ', source: ""'])
def test_an_event_without_a_source_note_is_noted_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    """Each event carries where it is documented (ODD section 6); one without, or with an
    empty one, passed without a word (an audit of model.md, decision 643)."""
    code, out, err = _validate(
        tmp_path, capsys, (', source: "Air campaign begins, 30 Sep 2015"', source)
    )
    assert code == 0 and out.startswith("ok: ")
    notes = [line for line in err if "source note" in line]  # mini.yaml's window warning
    assert notes == [
        "credsim: note: FILE: 1 event without a source note (where the event is "
        "documented): intervention"
    ]


@pytest.mark.parametrize(
    ("written", "meant"),
    [("peace", "rapprochement"), ("Peace treaty", "rapprochement"), ("talks", "rhetoric"),
     ("coup", "regime_change"), ("pullout", "withdraw")],
)  # fmt: skip
def test_an_everyday_word_for_a_kind_is_offered_the_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written: str, meant: str
) -> None:
    """README says the powers "make peace with each other, talk"; `kind: peace` was
    refused with the fifteen kinds and no pointer to `rapprochement`, whose spelling is
    nowhere near (an outside check of new cases). The word is offered its kind and the
    kind's fields; a near spelling keeps its plain did-you-mean."""
    code, _, err = _validate(tmp_path, capsys, ("kind: intervene", f"kind: {written}"))
    assert code == 2 and len(err) == 1
    assert f"unknown event kind '{written}'; kinds are: intervene," in err[0]
    assert f"(did you mean '{meant}'? its fields: " in err[0]
    code, _, err = _validate(tmp_path, capsys, ("kind: intervene", "kind: intervne"))
    assert err[0].endswith("(did you mean 'intervene'?)")
