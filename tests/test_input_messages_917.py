"""Index forms and repairs in the messages of experiment, calibration and pattern files
(the review rev13, sections 8-10; decision 917): a list item is named ``[i]`` as the user
counts it in the file, a varied parameter's key (itself a dotted path) reads as one key,
a refused grid value is said at its own item and line, and a list of scenario files, two
years written as text, a misspelt file name and a decimal comma in ``--vary`` are each
answered with what to write. Every refusal is one line and exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main

REPO = Path(__file__).resolve().parent.parent
SYRIA = REPO / "scenarios" / "syria.yaml"
PATTERNS = REPO / "patterns" / "syria.yaml"
TINY = Path(__file__).parent / "data" / "sweep" / "tiny.yaml"


def _refused(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """The one line of a refusal, without ``credsim: error: ``."""
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err.removeprefix("credsim: error: ").strip()


# --------------------------------------------------------------------------- calibration


def _calibration(tmp_path: Path, patterns: list[str]) -> Path:
    path = tmp_path / "cal.yaml"
    path.write_text(
        "name: cal\n"
        f"patterns: {json.dumps(patterns)}\n"
        "parameters:\n"
        "  parameters.trust.memory: {low: 0.85, high: 0.999}\n"
        "population: 50\n"
        "max_simulations: 200\n"
    )
    return path


def test_a_misspelt_pattern_file_is_named_by_its_index_once_with_the_close_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`patterns: [.../syria.yaml, .../sino_soviet.yml]` said `patterns.1` and the
    absolute path twice ("... does not exist (looked for <the same path>)")."""
    (tmp_path / "syria.yaml").write_text("{}\n")
    (tmp_path / "sino_soviet.yaml").write_text("{}\n")
    given = str(tmp_path / "sino_soviet.yml")
    path = _calibration(tmp_path, [str(tmp_path / "syria.yaml"), given])
    assert _refused(capsys, "validate", path) == (
        f"{path}:2: patterns[1]: pattern file '{given}' does not exist "
        "(did you mean 'sino_soviet.yaml'?)"
    )


def test_a_misspelt_relative_pattern_file_shows_where_it_looked_and_the_close_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "patterns").mkdir()
    (tmp_path / "patterns" / "sino_soviet.yaml").write_text("{}\n")
    path = _calibration(tmp_path, ["patterns/sino_soviet.yml"])
    assert _refused(capsys, "validate", path) == (
        f"{path}:2: patterns[0]: pattern file 'patterns/sino_soviet.yml' does not exist "
        f"(looked for {tmp_path}/patterns/sino_soviet.yml; did you mean 'sino_soviet.yaml'?); "
        "paths are relative to the calibration file"
    )


def test_a_pattern_file_listed_twice_names_both_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "syria.yaml").write_text("{}\n")
    given = str(tmp_path / "syria.yaml")
    path = _calibration(tmp_path, [given, given])
    assert _refused(capsys, "validate", path) == (
        f"{path}:2: patterns[1]: pattern file '{given}' is listed twice (also patterns[0]); "
        "list each file once"
    )


# --------------------------------------------------------------------------- experiments


def _experiment(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(f"name: e\nscenarios:\n  historical: {SYRIA}\n{body}")
    return path


def test_a_question_names_its_scenario_by_index_in_brackets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"name: e\nscenarios:\n  historical: {SYRIA}\n  sustained: {SYRIA}\n"
        "design:\n  method: grid\n  parameters:\n    parameters.trust.memory: [0.9, 0.95]\n"
        "question:\n  text: does it?\n  difference: [historical, sustaned]\n"
        "  metric: final_trust.Russia.arab_league\n"
    )
    assert _refused(capsys, "validate", path) == (
        f"{path}:11: question.difference[1]: 'sustaned' is not a scenario of this experiment; "
        "allowed: historical, sustained (did you mean 'sustained'?)"
    )


def test_a_refused_grid_value_in_a_flow_list_names_the_key_and_its_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said `design.parameters.parameters.trust.memory`, which reads like a bug."""
    path = _experiment(
        tmp_path,
        "design:\n  method: grid\n  parameters:\n    parameters.trust.memory: [0.9, 1.1]\n",
    )
    assert _refused(capsys, "validate", path) == (
        f"{path}:7: design.parameters['parameters.trust.memory'][1]: must be <= 1, got 1.1 "
        "(scenario 'historical', parameters.trust.memory=1.1)"
    )


def test_a_refused_grid_value_in_a_block_list_is_said_at_its_own_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`- 1.3` on line 10 of a block list was said at the key's line, 7, with no index."""
    path = _experiment(
        tmp_path,
        "design:\n  method: grid\n  parameters:\n    parameters.trust.memory:\n"
        "      - 0.9\n      - 0.95\n      - 1.3\n",
    )
    out = tmp_path / "out"
    expected = (
        f"{path}:10: design.parameters['parameters.trust.memory'][2]: must be <= 1, got 1.3 "
        "(scenario 'historical', parameters.trust.memory=1.3)"
    )
    assert _refused(capsys, "validate", path) == expected
    assert _refused(capsys, "sweep", path, "--out", out, "--no-plots") == expected
    assert not out.exists()


def test_a_misspelt_varied_path_is_said_at_the_key_without_an_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every value of the list is refused for the path's sake: the key is the mistake."""
    path = _experiment(
        tmp_path,
        "design:\n  method: grid\n  parameters:\n    parameters.trust.memroy: [0.9, 0.95]\n",
    )
    assert _refused(capsys, "validate", path).startswith(
        f"{path}:7: design.parameters['parameters.trust.memroy']: unknown field 'memroy'; "
    )


def test_a_sampled_range_names_the_key_as_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _experiment(
        tmp_path,
        "design:\n  method: lhs\n  samples: 4\n  parameters:\n"
        "    parameters.trust.memory: {low: 0.9}\n",
    )
    assert _refused(capsys, "validate", path) == (
        f"{path}:8: design.parameters['parameters.trust.memory']: a lhs parameter takes "
        "{low: .., high: ..}; 'high' is missing in {'low': 0.9}"
    )


def test_scenarios_written_as_a_list_are_answered_with_the_named_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"name: e\nscenarios:\n  - {SYRIA}\n  - {REPO / 'scenarios' / 'syria_sustained.yaml'}\n"
        "design:\n  method: grid\n  parameters:\n    parameters.trust.memory: [0.9, 0.95]\n"
    )
    out = tmp_path / "out"
    expected = (
        f"{path}:2: scenarios: expected a mapping of names to scenario files, got a list; "
        f"give each scenario a name, which becomes its label: syria: {SYRIA}"
    )
    assert _refused(capsys, "validate", path) == expected
    assert _refused(capsys, "sweep", path, "--out", out, "--no-plots") == expected
    assert not out.exists()


def test_a_misspelt_scenario_file_is_offered_the_close_name_of_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "syria_sustained.yaml").write_text(SYRIA.read_text())
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"name: e\nscenarios:\n  historical: {SYRIA}\n"
        "  sustained: syria_sustaned.yaml\n"
        "design:\n  method: grid\n  parameters:\n    parameters.trust.memory: [0.9, 0.95]\n"
    )
    assert _refused(capsys, "validate", path) == (
        f"{path}:4: scenarios.sustained: scenario file 'syria_sustaned.yaml' (looked for "
        f"{tmp_path}/syria_sustaned.yaml) does not exist (did you mean 'syria_sustained.yaml'?)"
    )


def test_a_decimal_comma_in_vary_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--vary PATH=0,95` is the grid 0 and 95; it said only "must be > 0, got 0"."""
    out = tmp_path / "out"
    message = _refused(
        capsys, "sweep", TINY, "--vary", "parameters.trust.memory=0,95", "--out", out
    )
    assert message.startswith("--vary: parameters.trust.memory: must be > 0, got 0")
    assert message.endswith("; '0,95' is the two values 0 and 95: a decimal comma? write 0.95")
    assert not out.exists()


# --------------------------------------------------------------------------- pattern files


def test_years_written_as_text_are_answered_with_the_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`before: 2012-2014` said only "expected a list, got '2012-2014'"."""
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: pt\nscenario: {SYRIA}\n"
        "link: {power: Russia, rival: USA, measure: split_agreement, reference: [2012, 2014], "
        "beta: 0.5}\n"
        "groups:\n  gulf_monarchies: {members: [Saudi Arabia, UAE, Qatar, Kuwait, Oman, Bahrain]}\n"
        "patterns:\n  - id: gulf\n    role: calibrate\n    source: a note\n"
        "    statistic: change\n    group: gulf_monarchies\n"
        "    before: 2012-2014\n    after: [2016, 2019]\n"
    )
    assert _refused(capsys, "validate", path) == (
        f"{path}:12: patterns[0].before: expected a list of two years, got '2012-2014'; "
        "write [2012, 2014]"
    )


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("link.beta=-1", "override link.beta=-1: link.beta: must be >= 0, got -1"),
        (
            "link.beta=0,5",
            "override link.beta=0,5: link.beta: must be a number, got '0,5'; a decimal comma? "
            "write 0.5",
        ),
        (
            "patterns.gulf.tolerance=-1",
            "override 'patterns.gulf.tolerance': --set sets the scenario's values and "
            "link.beta, not the pattern file's own patterns; edit the pattern file",
        ),
    ],
)
def test_a_pattern_files_overrides_are_said_as_every_overrides(
    capsys: pytest.CaptureFixture[str], override: str, expected: str
) -> None:
    assert _refused(capsys, "validate", PATTERNS, "--set", override) == expected
