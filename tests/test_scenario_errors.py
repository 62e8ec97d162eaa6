"""Every class of bad input gives one line on stderr, exit code 2, file:line, path, did-you-mean.

Each test runs ``credsim validate`` through :func:`sim.cli.main` on a copy of
tests/data/scenarios/mini.yaml with one thing broken. The line numbers refer
to mini.yaml: 2 calendar, 4 Russia, 5 USA, 7 Syria, 8 Jordan, 10 the event,
11 windows, 12 outputs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

DATA = Path(__file__).parent / "data" / "scenarios"
MINI_TEXT = (DATA / "mini.yaml").read_text()
EVENT = (
    '  - {id: intervention, date: "2015-09", kind: intervene, actor: Russia, target: Syria, '
    'magnitude: 3.0, source: "Air campaign begins, 30 Sep 2015"}\n'
)


def _variant(tmp_path: Path, old: str, new: str, name: str = "bad.yaml") -> Path:
    """mini.yaml with ``old`` (which must occur exactly once) replaced by ``new``."""
    assert MINI_TEXT.count(old) == 1, old
    path = tmp_path / name
    path.write_text(MINI_TEXT.replace(old, new))
    return path


def _error(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """Run ``credsim validate``; check the one-line error contract; return the line."""
    code = main(["validate", *map(str, argv)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("credsim: error: ")
    return lines[0].removeprefix("credsim: error: ")


def _at(message: str, path: Path, line: int, field: str) -> None:
    assert message.startswith(f"{path}:{line}: {field}: "), message


def test_valid_file_passes(capsys):
    assert main(["validate", str(DATA / "mini.yaml")]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"ok: {DATA / 'mini.yaml'}: scenario 'mini', 2 powers, 2 states, 1 event, "
        "36 monthly steps\n"
    )
    assert err == ""


# --------------------------------------------------------------------------- YAML level


def test_yaml_syntax_error(tmp_path, capsys):
    path = _variant(tmp_path, "  USA: {capability: 1.0,", "  USA: {capability: 1.0,,")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:5: YAML syntax error: ")


def test_yaml_syntax_error_unclosed_bracket_names_where_it_opened(tmp_path, capsys):
    path = _variant(tmp_path, "step: month}", "step: month")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:3: YAML syntax error: ")
    assert "on line 2" in message


def test_duplicate_key(tmp_path, capsys):
    path = _variant(tmp_path, "  Jordan:", "  Syria:")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:8: duplicate key 'Syria' (first on line 7)")


def test_file_that_is_a_list(tmp_path, capsys):
    path = tmp_path / "list.yaml"
    path.write_text("- name: mini\n- calendar: {}\n")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:")
    assert "a scenario must be a mapping of fields" in message
    assert "got a list" in message


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here\n")
    assert (
        _error(capsys, path) == f"{path}: the file is empty; a scenario needs at least "
        "name, calendar and powers"
    )


def test_file_that_does_not_exist(tmp_path, capsys):
    path = tmp_path / "nowhere.yaml"
    assert _error(capsys, path) == f"{path}: file does not exist"


# --------------------------------------------------------------------------- schema


def test_unknown_field_with_did_you_mean(tmp_path, capsys):
    path = _variant(tmp_path, "windows:", "parameters:\n  trust:\n    negativty_bias: 3\nwindows:")
    message = _error(capsys, path)
    _at(message, path, 13, "parameters.trust.negativty_bias")
    assert "unknown field 'negativty_bias'" in message
    assert "negativity_bias, memory, prior_strength" in message
    assert message.endswith("(did you mean 'negativity_bias'?)")


def test_unknown_event_field_shows_alias_names(tmp_path, capsys):
    path = _variant(tmp_path, "magnitude: 3.0,", "magnitude: 3.0, wth: USA,")
    message = _error(capsys, path)
    _at(message, path, 10, "events.intervention.wth")
    assert "unknown field 'wth'" in message


def test_wrong_type(tmp_path, capsys):
    path = _variant(tmp_path, "capability: 1.0", "capability: big")
    message = _error(capsys, path)
    _at(message, path, 5, "powers.USA.capability")
    assert message.endswith("expected a number, got 'big'")


def test_value_out_of_bounds(tmp_path, capsys):
    path = _variant(tmp_path, "magnitude: 3.0", "magnitude: -1")
    message = _error(capsys, path)
    _at(message, path, 10, "events.intervention.magnitude")
    assert message.endswith("must be >= 0, got -1")


def test_missing_required_field(tmp_path, capsys):
    path = _variant(tmp_path, "capability: 0.6, ", "")
    message = _error(capsys, path)
    _at(message, path, 4, "powers.Russia.capability")
    assert "required field is missing" in message


def test_name_pattern(tmp_path, capsys):
    path = _variant(tmp_path, "name: mini", "name: Mini Tour")
    message = _error(capsys, path)
    _at(message, path, 1, "name")
    assert "must match [a-z0-9_-]+" in message
    assert message.endswith("(did you mean 'mini_tour'?)")


def test_unknown_event_kind(tmp_path, capsys):
    path = _variant(tmp_path, "kind: intervene", "kind: intervention")
    message = _error(capsys, path)
    _at(message, path, 10, "events.intervention.kind")
    assert "unknown event kind 'intervention'; kinds are: intervene, support, withdraw" in message
    assert "capability_change" in message
    assert message.endswith("(did you mean 'intervene'?)")


def test_event_without_kind(tmp_path, capsys):
    path = _variant(tmp_path, "kind: intervene, ", "")
    message = _error(capsys, path)
    _at(message, path, 10, "events.intervention")
    assert "an event needs a 'kind'; kinds are: intervene" in message


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize(
    ("old", "new", "field", "suggestion"),
    [
        ("actor: Russia", "actor: Rusia", "events.intervention.actor", "Russia"),
        ("target: Syria", "target: Syra", "events.intervention.target", "Syria"),
    ],
)
def test_unknown_actor_in_event(tmp_path, capsys, old, new, field, suggestion):
    path = _variant(tmp_path, old, new)
    message = _error(capsys, path)
    _at(message, path, 10, field)
    assert message.endswith(f"(did you mean '{suggestion}'?)")


def test_unknown_power_in_trust_entry(tmp_path, capsys):
    path = _variant(tmp_path, "USA: 0.1}", "UAS: 0.1}")
    message = _error(capsys, path)
    _at(message, path, 7, "states.Syria.trust.UAS")
    assert "unknown power 'UAS'; powers are: Russia, USA (did you mean 'USA'?)" in message


def test_unknown_actor_in_tie(tmp_path, capsys):
    path = _variant(tmp_path, "windows:", "network:\n  ties:\n    - [Syria, Jordn, 2]\nwindows:")
    message = _error(capsys, path)
    _at(message, path, 13, "network.ties[0]")
    assert message.endswith("(did you mean 'Jordan'?)")


def test_malformed_tie_says_what_a_tie_is(tmp_path, capsys):
    path = _variant(tmp_path, "windows:", "network:\n  ties:\n    - [Syria]\nwindows:")
    message = _error(capsys, path)
    _at(message, path, 13, "network.ties[0][1]")
    assert "a tie is [from, to], [from, to, weight]" in message


def test_unknown_member_of_group(tmp_path, capsys):
    path = _variant(tmp_path, "{bloc: arab_league}", "{members: [Jordan, Syra]}")
    message = _error(capsys, path)
    _at(message, path, 12, "outputs.groups.arab_league.members")
    assert message.endswith("(did you mean 'Syria'?)")


def test_unknown_bloc_of_group(tmp_path, capsys):
    path = _variant(tmp_path, "{bloc: arab_league}", "{bloc: arab_leage}")
    message = _error(capsys, path)
    _at(message, path, 12, "outputs.groups.arab_league.bloc")
    assert message.endswith("(did you mean 'arab_league'?)")


def test_duplicate_event_id(tmp_path, capsys):
    path = _variant(tmp_path, EVENT, EVENT + EVENT.replace("2015-09", "2015-11"))
    message = _error(capsys, path)
    _at(message, path, 11, "events[1].id")
    assert "duplicate event id 'intervention'" in message


def test_bad_date(tmp_path, capsys):
    path = _variant(tmp_path, 'date: "2015-09"', 'date: "2015-13"')
    message = _error(capsys, path)
    _at(message, path, 10, "events.intervention.date")
    assert "YYYY-MM (month 01 to 12)" in message


def test_date_not_of_the_form_yyyy_mm(tmp_path, capsys):
    path = _variant(tmp_path, 'date: "2015-09"', "date: 2015-9")
    message = _error(capsys, path)
    _at(message, path, 10, "events.intervention.date")
    assert "expected a date YYYY-MM" in message


def test_date_outside_calendar(tmp_path, capsys):
    path = _variant(tmp_path, 'date: "2015-09"', 'date: "2017-03"')
    message = _error(capsys, path)
    _at(message, path, 10, "events.intervention.date")
    assert "date 2017-03 is outside the calendar 2014-01 to 2016-12" in message


def test_calendar_ends_before_it_starts(tmp_path, capsys):
    path = _variant(tmp_path, 'end: "2016-12"', 'end: "2013-12"')
    message = _error(capsys, path)
    _at(message, path, 2, "calendar")
    assert "calendar ends (2013-12) before it starts (2014-01)" in message


def test_window_ends_before_it_starts(tmp_path, capsys):
    path = _variant(tmp_path, '["2016-01", "2016-06"]', '["2016-06", "2016-01"]')
    message = _error(capsys, path)
    _at(message, path, 11, "windows.late")
    assert "window ends (2016-01) before it starts (2016-06)" in message


# --------------------------------------------------------------------------- extends


def test_missing_extends_file_names_the_chain(capsys):
    path = DATA / "missing_parent.yaml"
    message = _error(capsys, path)
    _at(message, path, 2, "extends")
    assert "file 'no_such_parent.yaml' does not exist" in message
    assert f"chain: {path} -> {DATA / 'no_such_parent.yaml'}" in message


def test_cyclic_extends(capsys):
    a, b = DATA / "cycle_a.yaml", DATA / "cycle_b.yaml"
    message = _error(capsys, a)
    _at(message, b, 1, "extends")
    assert message.endswith(f"the files extend each other in a cycle: {a} -> {b} -> {a}")


def test_remove_events_naming_an_unknown_id(tmp_path, capsys):
    path = tmp_path / "remove.yaml"
    path.write_text(f"extends: {DATA / 'base.yaml'}\nremove_events:\n  - withdrawl\n")
    message = _error(capsys, path)
    _at(message, path, 3, "remove_events[0]")
    assert "unknown event id 'withdrawl'" in message
    assert message.endswith("(did you mean 'withdrawal'?)")


def test_error_in_parent_names_the_parent_file(capsys):
    message = _error(capsys, DATA / "child_of_bad.yaml")
    _at(message, DATA / "parent_bad.yaml", 13, "events.strike.magnitude")


# --------------------------------------------------------------------------- overrides


def test_bad_override_path(capsys):
    message = _error(capsys, DATA / "mini.yaml", "--set", "powers.Rusia.capability=1")
    assert message.startswith("override powers.Rusia.capability=1: powers.Rusia: ")
    assert "unknown power 'Rusia'; powers are: Russia, USA (did you mean 'Russia'?)" in message


def test_bad_override_event_id(capsys):
    message = _error(capsys, DATA / "mini.yaml", "--set", "events.intervension.magnitude=2")
    assert message.startswith("override events.intervension.magnitude=2: ")
    assert message.endswith("(did you mean 'intervention'?)")


def test_bad_override_value(capsys):
    message = _error(capsys, DATA / "mini.yaml", "--set", "parameters.trust.memory=abc")
    assert message == (
        "override parameters.trust.memory=abc: parameters.trust.memory: "
        "expected a number, got 'abc'"
    )


def test_override_of_an_unknown_field(capsys):
    message = _error(capsys, DATA / "mini.yaml", "--set", "parameters.salinece.target=1")
    assert message.startswith("override parameters.salinece.target=1: parameters.salinece: ")
    assert message.endswith("(did you mean 'salience'?)")


def test_override_without_equals_sign(capsys):
    message = _error(capsys, DATA / "mini.yaml", "--set", "parameters.trust.memory")
    assert "must look like PATH=VALUE" in message
