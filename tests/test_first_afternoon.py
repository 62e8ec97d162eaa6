"""A researcher's first afternoon with a case of their own (decision 702): the messages
that said what was wrong but not the repair, or named the wrong field.

Each mistake was made while writing a new historical scenario, its counterfactual, a
sweep and a pattern file from the user documentation alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

SCENARIOS = Path(__file__).parent / "data" / "scenarios"
MINI_TEXT = (SCENARIOS / "mini.yaml").read_text()
EVENT = '{id: intervention, date: "2015-09", kind: intervene,'


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    """mini.yaml with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert MINI_TEXT.count(old) == 1, old
    path = tmp_path / "bad.yaml"
    path.write_text(MINI_TEXT.replace(old, new))
    return path


def _error(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """Run the command; check that it refuses in one line; return the line."""
    code = main([*map(str, argv)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0].removeprefix("credsim: error: ")


# --------------------------------------------------------------------------- scenario


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ('date: "2015-09"', "date: 2015", "events.intervention.date"),
        ('start: "2014-01"', "start: 2014", "calendar.start"),
    ],
)
def test_a_year_alone_for_a_date_says_how_to_write_one(tmp_path, capsys, old, new, path):
    message = _error(capsys, "validate", _variant(tmp_path, old, new))
    assert f"{path}: expected a string, got " in message
    assert message.endswith('; write dates as "YYYY-MM", in quotes')


def test_a_stance_in_a_relation_event_is_its_value_not_step(tmp_path, capsys):
    event = '{id: break, date: "2015-10", kind: relation, actor: Syria, target: Jordan, '
    new = f"{event}stance: -0.5}}\n  - {EVENT}"
    message = _error(capsys, "validate", _variant(tmp_path, EVENT, new))
    assert "events.break.stance: unknown field 'stance'" in message
    assert message.endswith("; a relation event's stance is its 'value', in [-1, 1]")
    assert "did you mean" not in message


def test_relations_on_a_state_say_where_stances_are_written(tmp_path, capsys):
    old = "aligned: USA}"
    message = _error(
        capsys, "validate", _variant(tmp_path, old, "aligned: USA, relations: {Syria: -0.5}}")
    )
    assert "states.Jordan.relations: unknown field 'relations'" in message
    assert "top-level 'relations' list" in message
    assert "did you mean" not in message


def test_relations_without_a_source_are_noted(tmp_path, capsys):
    path = tmp_path / "sourced.yaml"
    path.write_text(
        MINI_TEXT
        + "relations:\n  - [Syria, Jordan, -0.3]\n"
        + '  - {from: Syria, to: Russia, value: 0.8, source: "1980 treaty"}\n'
        + "  - {from: Jordan, to: USA, value: 0.7}\n"
    )
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert (
        f"credsim: note: {path}: 2 relations without a source note: Syria-Jordan, Jordan-USA; "
        "a relation carries one when written {from: A, to: B, value: v, source: ...}\n"
    ) in err


# --------------------------------------------------------------------------- command line


@pytest.mark.parametrize(
    "written", [["parameters.trust.memory", "0.9"], ["parameters.trust.memory=", "0.9"]]
)
def test_set_with_a_space_before_the_value_gives_the_one_word_form(capsys, written):
    message = _error(capsys, "validate", SCENARIOS / "mini.yaml", "--set", *written)
    assert message.startswith("unrecognized arguments: 0.9; ")
    assert (
        "--set takes PATH=VALUE as one word, without spaces: --set parameters.trust.memory=0.9"
        in (message)
    )


def test_an_unknown_option_gets_no_such_hint(capsys):
    message = _error(capsys, "validate", SCENARIOS / "mini.yaml", "--bogus", "3")
    assert message == "unrecognized arguments: --bogus 3 (see 'credsim --help')"


def test_sweep_help_says_the_defaults_of_record_reps_and_seed(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default the experiment file's record, else summary)" in text
    assert "(default the experiment file's replicates, else 1)" in text
    assert "(default the experiment file's seed, else 0)" in text


def test_run_help_says_the_default_record(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "per-actor trust (default series)" in " ".join(capsys.readouterr().out.split())
