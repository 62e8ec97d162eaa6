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
from sim.runner import run_scenario
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
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


def _override_error(capsys: pytest.CaptureFixture[str], setting: str) -> str:
    """The error of ``credsim validate mini.yaml --set SETTING``."""
    return _error(capsys, DATA / "mini.yaml", "--set", setting)


def test_valid_file_passes(capsys):
    assert main(["validate", str(DATA / "mini.yaml")]) == 0
    out, err = capsys.readouterr()
    assert out == (
        f"ok: {DATA / 'mini.yaml'}: scenario 'mini', 2 powers, 2 states, 1 event, "
        "36 monthly steps\n  model: v1 (every v2 mechanism at its default)\n"
    )
    # mini.yaml's window "late" (line 11) holds no event: a warning, not an error.
    assert err == (
        f"credsim: warning: {DATA / 'mini.yaml'}:11: windows.late: no event falls in this "
        "window (2016-01 to 2016-06); was it made for an event that has moved or gone?\n"
    )


# --------------------------------------------------------------------------- YAML level


def test_yaml_syntax_error(tmp_path, capsys):
    path = _variant(tmp_path, "  USA: {capability: 1.0,", "  USA: {capability: 1.0,,")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:5: YAML syntax error: ")


@pytest.mark.parametrize(
    ("text", "line", "hint"),
    [
        ("name: x\nstates:\n\tFoo: {}\n", 3,
         "; the line is indented with a tab: YAML indents with spaces only"),
        ("name: x\nevents:\n  - id: a\n    label: Doha deal: US-Taliban\n", 4,
         "; a value holding ': ' must be quoted, e.g. label: \"Doha deal: US-Taliban\""),
        ("name: x\nevents:\n  - {id: a, label: Doha deal: US-Taliban}\n", 3,
         "; a value holding ': ' must be quoted"),
        # A key one space deeper than its mapping's other keys (an outside check, decision
        # 826): PyYAML says "did not find expected key", and the hint was the quoting one.
        ("name: x\nstates:\n  Syria:  {region: levant, blocs: [arab_league],\n"
         "           ideology: 0.8}\n   Jordan: {region: levant, ideology: -0.5}\n", 5,
         "; the line is indented 3 spaces, the entries of the mapping it is in (from line 3) "
         "2 spaces: YAML reads indentation as structure"),
        ("name: x\ncalendar:\n  start: 2000-01\n   end: 2000-03\n", 4,
         "; the line is indented deeper than line 3 above it (3 spaces against 2 spaces), so "
         "YAML reads it as more of that line's value"),
        # A '[' left open lines above (an outside check, decision 846): the quoting hint
        # was given, for the nested `trust: {Rival: 0.4}` of the line the parser stopped at.
        ("name: x\npowers: [\n  Patron: {capability: 0.7, trust: {Rival: 0.4}}\n"
         "  Rival: {capability: 0.8}\n", 4,
         "; the '[' opened on line 2 is not closed before line 4: close it, or write its "
         "items as lines of '- item' or 'key: value'"),
    ],
)  # fmt: skip
def test_yaml_errors_name_the_usual_slips(tmp_path, capsys, text, line, hint):
    """A tab or an unquoted ': ' gave PyYAML's words alone ("found character that cannot
    start any token"), which do not say what to change (an audit; decision 622)."""
    path = tmp_path / "s.yaml"
    path.write_text(text)
    message = _error(capsys, path)
    assert message.startswith(f"{path}:{line}: YAML syntax error: ")
    assert hint in message


def test_a_yaml_error_elsewhere_gets_no_hint(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nevents:\n  - {id: a, label: b\n")
    message = _error(capsys, path)
    assert "must be quoted" not in message
    # A nested mapping's ': ' is no unquoted ': ' of the outer one (decision 846); a
    # second ': ' in one of its own items still is.
    from types import SimpleNamespace

    from sim.scenario.loader import _hint

    at = SimpleNamespace(line=0)
    assert _hint("  Patron: {capability: 0.7, trust: {Rival: 0.4}}", at) == ""
    assert "must be quoted" in _hint("  - {id: a, label: Doha deal: US, x: {y: 1}}", at)
    assert "indented" not in message


def test_yaml_syntax_error_unclosed_bracket_names_where_it_opened(tmp_path, capsys):
    path = _variant(tmp_path, "step: month}", "step: month")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:3: YAML syntax error: ")
    assert "on line 2" in message


def test_control_character_is_one_line_with_its_line(tmp_path, capsys):
    """PyYAML's reader error had no line, a second line ('in "<unicode string>",
    position 293') and, with the C loader, a position in bytes, not characters."""
    text = MINI_TEXT.replace("name: mini", "name: mini  # Tūrkiye, Côte d'Ivoire").replace(
        "  Jordan: {region: levant", "  Jordan: {region: lev\x07ant"
    )
    path = tmp_path / "bell.yaml"
    path.write_text(text)
    assert _error(capsys, path) == (
        f"{path}:8: YAML syntax error: unacceptable character #x0007 at column 23: "
        "control characters are not allowed; delete it (most editors do not show it)"
    )
    message = _override_error(capsys, "states.Syria.region=lev\x07ant")
    assert message == (
        "override states.Syria.region=lev\x07ant: value 'lev\x07ant' is not valid YAML "
        "(unacceptable character #x0007: control characters are not allowed); write numbers "
        "as 3 or 0.5, booleans as true/false, lists as [a, b], quote strings with ':' or '#'"
    )


def test_duplicate_key(tmp_path, capsys):
    path = _variant(tmp_path, "  Jordan:", "  Syria:")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:8: duplicate key 'Syria' (first on line 7)")


@pytest.mark.parametrize(
    ("key", "written"),
    [("[Syria, Jordan]", "a list"), ("{Syria: 1}", "a mapping")],
)
def test_key_that_is_not_a_name(tmp_path, capsys, key, written):
    # YAML allows a list or a mapping as a key; the loader's own line-keeping hashed it.
    path = _variant(tmp_path, "  Jordan:", f"  {key}:")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:8: a key is {written}; a key must be a name or a number")


@pytest.mark.parametrize("key", ["null", "~", "Null"])
def test_a_null_key_is_named_at_its_line(tmp_path, capsys, key):
    """It was "states: expected a string, got null" at the line of states:, not the key's."""
    path = _variant(tmp_path, "  Jordan:", f"  {key}:")
    assert _error(capsys, path) == (
        f"{path}:8: a key is missing: YAML reads '{key}' as no value; write a name "
        f"(in quotes if the name is '{key}')"
    )


def test_a_file_not_in_utf8_names_the_line_and_column(tmp_path, capsys):
    """A Latin-1 "é" in Syria's line: the message named the file only."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINI_TEXT.replace("  Syria:", "  Syri\u00e9:").encode("latin-1"))
    assert _error(capsys, path) == (
        f"{path}:7: not UTF-8 text: byte 0xe9 at column 7 cannot be read; save the file as UTF-8"
    )


def test_windows_line_ends_read_as_before(tmp_path, capsys):
    path = tmp_path / "crlf.yaml"
    path.write_bytes(MINI_TEXT.replace("\n", "\r\n").encode())
    assert main(["validate", str(path)]) == 0


def test_file_that_is_a_list(tmp_path, capsys):
    path = tmp_path / "list.yaml"
    path.write_text("- name: mini\n- calendar: {}\n")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:")
    # validate cannot tell a list's kind: it says what a scenario (and each other kind) needs.
    assert "expected a mapping of fields, got a list" in message
    assert "a scenario needs at least name, calendar, powers and states" in message


def test_empty_file(tmp_path, capsys):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here\n")
    # validate cannot tell an empty file's kind: it says what each kind needs.
    assert (
        _error(capsys, path) == f"{path}: the file is empty; a scenario needs at least "
        "name, calendar, powers and states; an experiment file needs name and scenarios; a "
        "pattern file needs name, scenario, link and patterns; a calibration file needs "
        "name, patterns and parameters"
    )


def test_file_that_does_not_exist(tmp_path, capsys):
    path = tmp_path / "nowhere.yaml"
    assert _error(capsys, path) == f"{path}: file does not exist"


def test_a_windows_path_that_does_not_exist_gets_a_hint(tmp_path, capsys, monkeypatch):
    """``..\\scenarios\\mini.yaml`` (typed on Windows, or copied from a Windows file) was
    said only to not exist, on the command line, in ``extends`` and in an experiment's
    ``scenarios``: each says to write "/", with the path so written. A file whose name
    holds a backslash and exists is read as before."""
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "mini.yaml").write_text(MINI_TEXT)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    hint = '(paths use "/", not "\\": ../scenarios/mini.yaml)'
    assert _error(capsys, "..\\scenarios\\mini.yaml").endswith(f"file does not exist {hint}")
    (work / "child.yaml").write_text("extends: ..\\scenarios\\mini.yaml\n")
    message = _error(capsys, "child.yaml")
    assert message.startswith("child.yaml:1: extends: file '..\\scenarios\\mini.yaml' does not")
    assert message.endswith(hint)
    (work / "exp.yaml").write_text("name: x\nscenarios: {a: ..\\scenarios\\mini.yaml}\n")
    message = _error(capsys, "exp.yaml")
    assert message.startswith("exp.yaml:2: scenarios.a: scenario file '..\\scenarios\\mini.yaml'")
    assert message.endswith(f"does not exist {hint}")
    (work / "a\\b.yaml").write_text(MINI_TEXT)
    assert main(["validate", "a\\b.yaml"]) == 0


# --------------------------------------------------------------------------- schema and references

NEGATIVTY = "parameters:\n  trust:\n    negativty_bias: 3\nwindows:"
TIE = "network:\n  ties:\n    - {}\nwindows:"
STATES = MINI_TEXT[MINI_TEXT.index("states:") : MINI_TEXT.index("events:")]

# (old text of mini.yaml, new text, line, field path, parts of the message)
BROKEN = [
    pytest.param(
        "windows:",
        NEGATIVTY,
        13,
        "parameters.trust.negativty_bias",
        (
            "unknown field 'negativty_bias'",
            "negativity_bias, memory, prior_strength",
            "(did you mean 'negativity_bias'?)",
        ),
        id="unknown-field",
    ),
    pytest.param(
        "magnitude: 3.0,",
        "magnitude: 3.0, wth: USA,",
        10,
        "events.intervention.wth",
        ("unknown field 'wth'; allowed fields are: id, date, step",),
        id="unknown-event-field",
    ),
    pytest.param(
        "capability: 1.0",
        "capability: big",
        5,
        "powers.USA.capability",
        ("expected a number, got 'big'",),
        id="wrong-type",
    ),
    pytest.param(
        "  USA: {capability: 1.0,",
        "  NO: {capability: 1.0,",
        5,
        "powers.NO",
        (
            "'NO' is read as the boolean false, not a name (YAML 1.1 reads yes, no, on, off, "
            'true and false, in any case, as booleans); quote it: "NO"',
        ),
        id="yaml-boolean-as-a-power",
    ),
    pytest.param(
        "USA: 0.1}",
        "NO: 0.1}",
        7,
        "states.Syria.trust.NO",
        ("'NO' is read as the boolean false, not a name",),
        id="yaml-boolean-as-a-trust-key",
    ),
    pytest.param(
        "aligned: USA}",
        "aligned: no}",
        8,
        "states.Jordan.aligned",
        (
            "'no' is read as the boolean false, not a string (YAML 1.1 reads yes, no, on, off, "
            'true and false, in any case, as booleans); quote it: "no"; a state aligned with '
            "no power is written none",
        ),
        id="yaml-boolean-as-aligned",
    ),
    pytest.param(
        "region: americas",
        "region: On",
        5,
        "powers.USA.region",
        ("'On' is read as the boolean true, not a string", 'quote it: "On"'),
        id="yaml-boolean-as-a-region",
    ),
    pytest.param(
        "USA: 0.1}",
        "USA: 0,1}",
        7,
        "states.Syria.trust",
        ("'1' is read as a key of its own, after 'USA: 0': a decimal comma? write 0.1",),
        id="decimal-comma-in-braces",
    ),
    pytest.param(
        "windows:",
        "parameters:\n  trust: {negativity_bias: 2,05}\nwindows:",
        12,
        "parameters.trust",
        (
            "'05' is read as a key of its own, after 'negativity_bias: 2': a decimal comma? "
            "write 2.05",
        ),
        id="decimal-comma-in-braces-of-fields",
    ),
    pytest.param(
        "windows:",
        "parameters:\n  trust:\n    negativity_bias: 2,5\nwindows:",
        13,
        "parameters.trust.negativity_bias",
        ("expected a number, got '2,5'; a decimal comma? write 2.5",),
        id="decimal-comma",
    ),
    pytest.param(
        "magnitude: 3.0",
        "magnitude: -1",
        10,
        "events.intervention.magnitude",
        ("must be >= 0, got -1",),
        id="out-of-bounds",
    ),
    pytest.param(
        "capability: 0.6, ",
        "",
        4,
        "powers.Russia.capability",
        ("required field is missing",),
        id="missing-field",
    ),
    pytest.param(
        "capability: 0.6",
        "capabilty: 0.6",
        4,
        "powers.Russia.capabilty",
        ("unknown field 'capabilty'", "(did you mean 'capability'?)"),
        id="misspelt-required-field",
    ),
    pytest.param(
        "windows:",
        TIE.format("{from: Syria, too: Jordan}"),
        13,
        "network.ties[0].too",
        ("unknown field 'too'; allowed fields are: from, to, weight, directed",),
        id="misspelt-tie-field",
    ),
    pytest.param(
        "name: mini",
        "name: Mini Tour",
        1,
        "name",
        ("must match [a-z0-9_-]+", "(did you mean 'mini_tour'?)"),
        id="name-pattern",
    ),
    pytest.param(
        "kind: intervene",
        "kind: intervention",
        10,
        "events.intervention.kind",
        (
            "unknown event kind 'intervention'; kinds are: intervene, support, withdraw",
            "capability_change",
            "(did you mean 'intervene'?)",
        ),
        id="unknown-event-kind",
    ),
    pytest.param(
        "kind: intervene",
        f"kind: {'1' * 400}",
        10,
        "events.intervention.kind",
        (f"unknown event kind '{'1' * 100}... (400 characters)'; kinds are: intervene, ",),
        id="unknown-event-kind-400-digits",  # echoed in full before decision 537
    ),
    pytest.param(
        STATES,
        "states: {}\n",
        6,
        "states",
        ("a scenario needs at least one state (the states choose among the powers)",),
        id="no-states",
    ),
    pytest.param(
        "kind: intervene, ",
        "",
        10,
        "events.intervention",
        ("an event needs a 'kind'; kinds are: intervene",),
        id="event-without-kind",
    ),
    pytest.param(
        "actor: Russia",
        "actor: Rusia",
        10,
        "events.intervention.actor",
        ("unknown power 'Rusia'", "(did you mean 'Russia'?)"),
        id="unknown-event-actor",
    ),
    pytest.param(
        "actor: Russia",
        "actor: Jordan",
        10,
        "events.intervention.actor",
        ("'Jordan' is a state; the actor of 'intervene' must be a power (Russia, USA)",),
        id="state-as-event-actor",
    ),
    pytest.param(
        "USA: 0.1}",
        "Jordan: 0.1}",
        7,
        "states.Syria.trust.Jordan",
        ("'Jordan' is a state; each trust entry must be a power (Russia, USA)",),
        id="state-in-trust",
    ),
    pytest.param(
        "aligned: USA}",
        "aligned: Syria}",
        8,
        "states.Jordan.aligned",
        ("'Syria' is a state; aligned must be a power (Russia, USA) or 'none'",),
        id="state-as-aligned",
    ),
    pytest.param(
        "kind: intervene, actor: Russia, target: Syria,",
        "kind: rapprochement, actor: Russia, with: Russia,",
        10,
        "events.intervention.with",
        ("'with' is the actor 'Russia' itself; 'rapprochement' is with another power",),
        id="rapprochement-with-itself",
    ),
    pytest.param(
        "kind: intervene, actor: Russia, target: Syria,",
        "kind: rapprochement, actor: Russia, with: Syria,",
        10,
        "events.intervention.with",
        ("'Syria' is a state; 'with' of 'rapprochement' must be a power (Russia, USA)",),
        id="state-as-rapprochement-with",
    ),
    pytest.param(
        "target: Syria",
        "target: Syra",
        10,
        "events.intervention.target",
        ("unknown actor 'Syra'", "(did you mean 'Syria'?)"),
        id="unknown-event-target",
    ),
    pytest.param(
        "USA: 0.1}",
        "UAS: 0.1}",
        7,
        "states.Syria.trust.UAS",
        ("unknown power 'UAS'; powers are: Russia, USA (did you mean 'USA'?)",),
        id="unknown-power-in-trust",
    ),
    pytest.param(
        "windows:",
        TIE.format("[Syria, Jordn, 2]"),
        13,
        "network.ties[0]",
        ("unknown actor 'Jordn'", "(did you mean 'Jordan'?)"),
        id="unknown-actor-in-tie",
    ),
    pytest.param(
        "windows:",
        TIE.format("[Syria]"),
        13,
        "network.ties[0][1]",
        ("item 2 is missing; a tie is [from, to], [from, to, weight]",),
        id="malformed-tie",
    ),
    pytest.param(
        "{bloc: arab_league}",
        "{members: [Jordan, Syra]}",
        12,
        "outputs.groups.arab_league.members",
        ("unknown actor 'Syra'", "(did you mean 'Syria'?)"),
        id="unknown-group-member",
    ),
    pytest.param(
        "{bloc: arab_league}",
        "{bloc: arab_leage}",
        12,
        "outputs.groups.arab_league.bloc",
        ("unknown bloc 'arab_leage'", "(did you mean 'arab_league'?)"),
        id="unknown-group-bloc",
    ),
    pytest.param(
        "{bloc: arab_league}",
        "{region: eurasia}",
        12,
        "outputs.groups.arab_league",
        ("holds no actor (only powers have region 'eurasia': Russia)", "at least one state"),
        id="group-of-a-region-only-a-power-holds",
    ),
    pytest.param(
        "{bloc: arab_league}",
        "{bloc: brics}",
        12,
        "outputs.groups.arab_league",
        ("holds no actor (only powers have bloc 'brics': Russia)",),
        id="group-of-a-bloc-only-a-power-holds",
    ),
    pytest.param(
        "{bloc: arab_league}",
        "{members: []}",
        12,
        "outputs.groups.arab_league",
        ("holds no actor (its members list is empty)",),
        id="group-with-no-members",
    ),
    pytest.param(
        "{bloc: arab_league}",
        "{members: [Russia, Syria], region: americas}",
        12,
        "outputs.groups.arab_league",
        ("holds no actor (only powers have region 'americas': USA)",),
        id="group-whose-selectors-leave-no-state",
    ),
    pytest.param(
        EVENT,
        EVENT + EVENT.replace("2015-09", "2015-11"),
        11,
        "events[1].id",
        ("duplicate event id 'intervention'",),
        id="duplicate-event-id",
    ),
    pytest.param(
        'date: "2015-09"',
        'date: "2015-13"',
        10,
        "events.intervention.date",
        ("'2015-13' is not a date of the form YYYY-MM (month 01 to 12)",),
        id="bad-date",
    ),
    pytest.param(
        'date: "2015-09"',
        "date: 2015-9",
        10,
        "events.intervention.date",
        ("expected a date YYYY-MM",),
        id="date-not-yyyy-mm",
    ),
    pytest.param(
        'date: "2015-09"',
        "date: 2015-09-30",
        10,
        "events.intervention.date",
        ('expected a string, got 2015-09-30; write dates as "YYYY-MM", in quotes',),
        id="unquoted-full-date",
    ),
    pytest.param(
        "windows:",
        "remove_events: [intervention]\nwindows:",
        11,
        "remove_events",
        ("remove_events needs 'extends'",),
        id="remove-events-without-extends",
    ),
    pytest.param(
        'date: "2015-09"',
        'date: "2017-03"',
        10,
        "events.intervention.date",
        ("date 2017-03 is outside the calendar 2014-01 to 2016-12",),
        id="date-outside-calendar",
    ),
    pytest.param(
        'end: "2016-12"',
        'end: "2013-12"',
        2,
        "calendar",
        ("calendar ends (2013-12) before it starts (2014-01)",),
        id="calendar-end-before-start",
    ),
    pytest.param(
        '["2016-01", "2016-06"]',
        '["2016-06", "2016-01"]',
        11,
        "windows.late",
        ("window ends (2016-01) before it starts (2016-06)",),
        id="window-end-before-start",
    ),
]


@pytest.mark.parametrize(("old", "new", "line", "field", "parts"), BROKEN)
def test_broken_scenario(tmp_path, capsys, old, new, line, field, parts):
    path = _variant(tmp_path, old, new)
    message = _error(capsys, path)
    assert message.startswith(f"{path}:{line}: {field}: "), message
    for part in parts:
        assert part in message


# --------------------------------------------------------------------------- extends


def test_missing_extends_file_names_the_chain(capsys):
    path = DATA / "missing_parent.yaml"
    message = _error(capsys, path)
    assert message.startswith(f"{path}:2: extends: "), message
    assert "file 'no_such_parent.yaml' does not exist" in message
    assert f"chain: {path} -> {DATA / 'no_such_parent.yaml'}" in message


def test_cyclic_extends(capsys):
    a, b = DATA / "cycle_a.yaml", DATA / "cycle_b.yaml"
    message = _error(capsys, a)
    assert message.startswith(f"{b}:1: extends: "), message
    assert message.endswith(f"the files extend each other in a cycle: {a} -> {b} -> {a}")


def test_remove_events_naming_an_unknown_id(tmp_path, capsys):
    path = tmp_path / "remove.yaml"
    path.write_text(f"extends: {DATA / 'base.yaml'}\nremove_events:\n  - withdrawl\n")
    message = _error(capsys, path)
    assert message.startswith(f"{path}:3: remove_events[0]: "), message
    assert "unknown event id 'withdrawl'" in message
    assert message.endswith("(did you mean 'withdrawal'?)")


def test_remove_events_listing_an_id_twice_is_refused_at_the_repeat(tmp_path, capsys):
    """The second mention removed nothing, without a word: most likely another id was
    meant (an audit)."""
    path = tmp_path / "remove.yaml"
    path.write_text(
        f"extends: {DATA / 'base.yaml'}\nremove_events:\n  - talk\n  - withdrawal\n  - talk\n"
    )
    message = _error(capsys, path)
    assert message == (
        f"{path}:5: remove_events[2]: event id 'talk' is listed twice (also "
        "remove_events[0]); list each event once"
    )


@pytest.mark.parametrize(
    "group", ["{members: [Syria, Jordan, Syria]}", "{bloc: arab_league, members: [Syria, Syria]}"]
)
def test_an_output_groups_member_listed_twice_is_refused_and_nothing_run(tmp_path, capsys, group):
    """The model counted the member once, so a copy-paste slip passed unseen (an audit)."""
    path = _variant(
        tmp_path,
        "outputs: {groups: {arab_league: {bloc: arab_league}}}",
        f"outputs: {{groups: {{levant: {group}}}}}",
    )
    message = _error(capsys, path)
    assert message.startswith(f"{path}:12: outputs.groups.levant.members["), message
    assert "'Syria' is listed twice in group 'levant' (also members[0]); list each member once" in (
        message
    )
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "listed twice" in err
    assert not out.exists()


# --------------------------------------------------- repeats in one file (decision 703)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "blocs: [arab_league], ideology: 0.4",
            "blocs: [arab_league, opec, arab_league], ideology: 0.4",
            "7: states.Syria.blocs[2]: 'arab_league' is listed twice in the blocs of 'Syria' "
            "(also blocs[0]); list each bloc once",
        ),
        (
            "region: americas}",
            "region: americas, blocs: [nato, nato]}",
            "5: powers.USA.blocs[1]: 'nato' is listed twice in the blocs of 'USA' (also "
            "blocs[0]); list each bloc once",
        ),
    ],
    ids=["state", "power"],
)
def test_a_bloc_listed_twice_is_refused_at_the_repeat(tmp_path, capsys, old, new, message):
    """The model holds an actor's blocs as a set, so the repeat did nothing: a
    copy-paste slip passed unseen (most likely another bloc was meant)."""
    path = _variant(tmp_path, old, new)
    assert _error(capsys, path) == f"{path}:{message}"


def _with(tmp_path: Path, section: str, name: str = "bad.yaml") -> Path:
    """mini.yaml with ``section`` (YAML text from line 13 on) added at its end."""
    path = tmp_path / name
    path.write_text(MINI_TEXT + section)
    return path


@pytest.mark.parametrize(
    ("ties", "pair", "earlier", "total"),
    [
        (
            "[Syria, Jordan, 2.0]\n    - [Syria, Jordan, 1.0]",
            "between 'Syria' and 'Jordan'",
            "",
            "3",
        ),
        ("[Syria, Jordan, 2.0]\n    - [Jordan, Syria]", "between 'Jordan' and 'Syria'", "", "3"),
        (
            "{from: Syria, to: Jordan, weight: 0.5, directed: true}\n"
            "    - {from: Syria, to: Jordan, directed: true}",
            "from 'Syria' to 'Jordan'",
            "",
            "1.5",
        ),
        (
            "[Syria, Jordan]\n    - {from: Jordan, to: Syria, weight: 2}",
            "between 'Jordan' and 'Syria'",
            "",
            "3",
        ),
    ],
    ids=["same", "reversed", "directed", "list-and-mapping"],
)
def test_a_tie_given_twice_in_a_file_is_refused_and_nothing_run(
    tmp_path, capsys, ties, pair, earlier, total
):
    """The weights added without a word; the refusal says what they would add up to."""
    path = _with(tmp_path, f"network:\n  ties:\n    - [Russia, Syria]\n    - {ties}\n")
    assert _error(capsys, path) == (
        f"{path}:17: network.ties[2]: the tie {pair} is given twice (also network.ties[1], "
        f"line 16), and the weights would add up to {total}; give it once, with weight "
        f"{total} if that is meant"
    )
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "given twice" in err
    assert not out.exists()


def test_a_tie_given_three_times_names_both_earlier_entries(tmp_path, capsys):
    path = _with(
        tmp_path, "network:\n  ties: [[Syria, Jordan, 1], [Jordan, Syria, 2], [Syria, Jordan, 4]]\n"
    )
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        f"credsim: error: {path}:14: network.ties[1]: the tie between 'Jordan' and 'Syria' is "
        "given twice (also network.ties[0], line 14), and the weights would add up to 3; give "
        "it once, with weight 3 if that is meant",
        f"credsim: error: {path}:14: network.ties[2]: the tie between 'Syria' and 'Jordan' is "
        "given 3 times (also network.ties[0], line 14 and network.ties[1], line 14), and the "
        "weights would add up to 7; give it once, with weight 7 if that is meant",
    ]


@pytest.mark.parametrize(
    "ties",
    [
        "[[Syria, Jordan, 2], {from: Syria, to: Jordan, weight: 1, directed: true}]",
        "[{from: Syria, to: Jordan, directed: true}, {from: Jordan, to: Syria, directed: true}]",
        "[[Syria, Jordan], [Russia, Syria], [Jordan, Russia]]",
    ],
    ids=["undirected-and-one-direction", "both-directions-apart", "other-pairs"],
)
def test_ties_that_differ_in_their_directions_are_kept(tmp_path, capsys, ties):
    """A directed tie beside an undirected one of the same pair makes the pair
    asymmetric (decision 703): not a repeat. So are two directed ties each way, and
    [A, B] and [B, A] in a directed network."""
    path = _with(tmp_path, f"network:\n  ties: {ties}\n")
    assert main(["validate", str(path)]) == 0
    path = _with(
        tmp_path, "network:\n  directed: true\n  ties: [[Syria, Jordan], [Jordan, Syria]]\n"
    )
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()


@pytest.mark.parametrize(
    ("relations", "line", "message"),
    [
        (
            "  - [Syria, Jordan, -0.5]\n  - [Jordan, Syria, -0.4]\n",
            15,
            "relations[1]: the relation between 'Jordan' and 'Syria' is given twice (also "
            "relations[0], line 14); the later replaces the earlier, which then has no effect: "
            "give it once, with the value meant",
        ),
        (
            "  - {from: Syria, to: Jordan, value: -0.5, directed: true}\n"
            "  - {from: Syria, to: Jordan, value: 0.5, directed: true}\n",
            15,
            "relations[1]: the relation from 'Syria' to 'Jordan' is given twice (also "
            "relations[0], line 14); the later replaces the earlier, which then has no effect: "
            "give it once, with the value meant",
        ),
        (
            "  - {from: Syria, to: Jordan, value: -0.5, directed: true}\n"
            "  - [Russia, USA, -0.6]\n"
            "  - [Jordan, Syria, -0.4]\n",
            16,
            "relations[2]: this relation between 'Jordan' and 'Syria' replaces in full "
            "relations[0] (line 14, from 'Syria' to 'Jordan'), which then has no effect; "
            "remove one of the two, or give this one for the other direction alone: "
            "{from: Jordan, to: Syria, value: -0.4, directed: true}",
        ),
        (
            "  - [Syria, Jordan, -0.5]\n"
            "  - {from: Syria, to: Jordan, value: -0.2, directed: true}\n"
            "  - {from: Jordan, to: Syria, value: -0.3, directed: true}\n",
            16,
            "relations[2]: relations[0] (line 14, between 'Syria' and 'Jordan') has no effect: "
            "this entry and relations[1] (line 15) replace both its directions; remove "
            "relations[0], or one of the entries that replace it",
        ),
    ],
    ids=["list-twice", "directed-twice", "covers-a-directed-one", "two-directed-cover-it"],
)
def test_a_relation_whose_earlier_entry_it_makes_dead_is_refused_naming_both_lines(
    tmp_path, capsys, relations, line, message
):
    """The later replaced the earlier without a word, whose value was then never used."""
    path = _with(tmp_path, f"relations:\n{relations}")
    assert _error(capsys, path) == f"{path}:{line}: {message}"


def test_a_directed_relation_overriding_one_direction_is_kept(tmp_path, capsys):
    """model.md section 8.1: later items override earlier ones; here the earlier keeps
    its other direction, so both entries count."""
    from sim.scenario import load_scenario

    path = _with(
        tmp_path,
        "relations:\n  - [Syria, Jordan, -0.5]\n"
        "  - {from: Jordan, to: Syria, value: 0.3, directed: true}\n",
    )
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    from sim.world import World

    world = World.from_scenario(load_scenario(path))
    syria, jordan = world.actor_names.index("Syria"), world.actor_names.index("Jordan")
    assert world.stance_column(jordan)[syria] == -0.5
    assert world.stance_column(syria)[jordan] == 0.3


def test_a_child_may_repeat_its_parents_tie_and_relation_but_not_its_own(tmp_path, capsys):
    """``extends`` concatenates the lists: a child's relation replaces the parent's and
    a child's tie adds to it, on purpose. Only one file's own repeats are refused, and
    a parent's are refused through the child."""
    from sim.scenario import load_scenario
    from sim.world import World

    parent = _with(
        tmp_path,
        "network: {ties: [[Syria, Jordan, 2.0]]}\nrelations: [[Syria, Jordan, -0.5]]\n",
        "parent.yaml",
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: parent.yaml\nname: child\nnetwork: {ties: [[Jordan, Syria, 1.0]]}\n"
        "relations:\n  - [Jordan, Syria, 0.4]\n"
    )
    assert main(["validate", str(child)]) == 0
    capsys.readouterr()
    sc = load_scenario(child)
    assert sc.network.resolved_ties() == [
        ("Syria", "Jordan", 2.0, False),
        ("Jordan", "Syria", 1.0, False),
    ]
    world = World.from_scenario(sc)
    syria, jordan = world.actor_names.index("Syria"), world.actor_names.index("Jordan")
    assert world.stance_column(syria)[jordan] == world.stance_column(jordan)[syria] == 0.4
    child.write_text(child.read_text() + "  - {from: Syria, to: Jordan, value: 0.1}\n")
    assert _error(capsys, child) == (
        # The child's own entries, as it writes them (its relations[1] at line 6 is the
        # merged list's third): decision 913.
        f"{child}:6: relations[1]: the relation between 'Syria' and 'Jordan' is given twice "
        f"(also relations[0], line 5); the later replaces the earlier, which then has no "
        "effect: give it once, with the value meant"
    )
    parent.write_text(parent.read_text().replace("-0.5]]", "-0.5], [Jordan, Syria, -0.6]]"))
    child.write_text("extends: parent.yaml\nname: child\n")
    assert _error(capsys, child) == (
        f"{parent}:14: relations[1]: the relation between 'Jordan' and 'Syria' is given twice "
        "(also relations[0], line 14); the later replaces the earlier, which then has no "
        f"effect: give it once, with the value meant (reached through extends: {child}:1)"
    )


def test_a_childs_relations_and_ties_are_said_at_the_index_its_file_writes(tmp_path, capsys):
    """``extends`` puts a child's relations and ties after its parent's, and an error in
    one named the merged list's index: "child.yaml:4: relations[1].value" for the
    child's first relation, at the child's line (decision 913). The parent (mini.yaml)
    has one relation and one tie; each path below is the entry's place in child.yaml."""
    _with(
        tmp_path,
        "network: {ties: [[Syria, Jordan, 2.0]]}\nrelations: [[Syria, Jordan, -0.5]]\n",
        "parent.yaml",
    )
    child = tmp_path / "child.yaml"
    head = "extends: parent.yaml\nname: child\n"
    child.write_text(head + "relations:\n  - {from: Jordan, to: Syria, value: 2}\n")
    assert _error(capsys, child) == f"{child}:4: relations[0].value: must be <= 1, got 2"
    child.write_text(head + "relations:\n  - [Jordan, Syria, 0.1]\n  - [Jordan, Syria, abc]\n")
    message = _error(capsys, child)
    assert message.startswith(f"{child}:5: relations[1][2]: expected a number, got 'abc'")
    child.write_text(
        head + "relations:\n  - [Jordan, Syria, 0.2]\n"
        "  - {from: Jordan, to: Syria, value: 0.3, directed: true}\n"
        "  - {from: Syria, to: Jordan, value: 0.3, directed: true}\n"
    )
    assert _error(capsys, child) == (
        f"{child}:6: relations[2]: relations[0] (line 4, between 'Jordan' and 'Syria') has "
        "no effect: this entry and relations[1] (line 5) replace both its directions; "
        "remove relations[0], or one of the entries that replace it"
    )
    ties = "network:\n  ties:\n    - [Jordan, Syria, 1.0]\n    - [Jordan, Narnia]\n"
    child.write_text(head + ties)
    message = _error(capsys, child)
    assert message.startswith(f"{child}:6: network.ties[1]: unknown actor 'Narnia'"), message
    # Through a middle file: the grandchild's own first relation.
    middle = tmp_path / "middle.yaml"
    middle.write_text("extends: parent.yaml\nname: middle\nrelations: [[Jordan, Syria, 0.1]]\n")
    grandchild = tmp_path / "grandchild.yaml"
    grandchild.write_text(
        "extends: middle.yaml\nname: grandchild\nrelations:\n  - [Syria, Jordan, 1.5]\n"
    )
    message = _error(capsys, grandchild)
    assert message == f"{grandchild}:4: relations[0][2]: must be <= 1, got 1.5", message


def test_a_list_set_by_an_override_is_checked_and_names_the_override(capsys):
    setting = "network.ties=[[Syria, Jordan, 1], [Jordan, Syria, 2]]"
    assert _override_error(capsys, setting) == (
        f"override {setting}: network.ties[1]: the tie between 'Jordan' and 'Syria' is given "
        "twice (also network.ties[0]), and the weights would add up to 3; give it once, with "
        "weight 3 if that is meant"
    )


def test_a_generated_scenarios_drawn_ties_may_repeat_and_its_own_are_located(tmp_path, capsys):
    """Drawn ties fall on any pair, a pair twice too: they are not the file's repeats.
    The file's own ties come after the drawn ones and are said at their own lines (an
    unknown actor was said at the ``ties:`` line)."""
    from sim.scenario import load_scenario

    path = tmp_path / "gen.yaml"
    head = (DATA / "generated.yaml").read_text().replace("seed: 7}", "seed: 7, ties_per_state: 5}")
    path.write_text(head + "network:\n  ties:\n    - [S01, S02, 1.0]\n    - [S03, S04]\n")
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    drawn = load_scenario(path).network.resolved_ties()[:-2]
    pairs = [frozenset((a, b)) for a, b, _w, _d in drawn]
    assert len(set(pairs)) < len(pairs)  # a pair drawn twice, accepted
    path.write_text(path.read_text() + "    - [S03, S99]\n    - [S02, S01, 2.0]\n")
    code = main(["validate", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    # The file's own ties are indexed as it writes them (lines 7 to 10 are its ties[0]
    # to [3]), not after the drawn ones (decision 913).
    assert err.splitlines() == [
        f"credsim: error: {path}:9: network.ties[2]: unknown actor 'S99'; actors are: "
        "P1, P2, P3, S01, S02, S03, S04, S05, ... (33 in all) (did you mean 'S29'?)",
        f"credsim: error: {path}:10: network.ties[3]: the tie between 'S02' and 'S01' "
        f"is given twice (also network.ties[0], line 7), and the weights would add up to "
        "3; give it once, with weight 3 if that is meant",
    ]


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (
            "    Syria: Syrian Arab Republic\n    Jordan: Syrian Arab Republic\n",
            "16: observed.names.Jordan: 'Syrian Arab Republic' is also the UN name of 'Syria' "
            "(observed.names.Syria, line 15): two actors cannot share one seat in the vote "
            "data; map 'Jordan' to its own country, or to null if it has no seat",
        ),
        (
            "    Jordan: Syria\n",
            "15: observed.names.Jordan: 'Syria' is also the name of the actor 'Syria', who "
            "votes under it: two actors cannot share one seat in the vote data; map 'Jordan' "
            "to its own country, or to null if it has no seat",
        ),
    ],
    ids=["two entries", "another actor's name"],
)
def test_two_actors_given_one_un_name_are_refused_naming_both(tmp_path, capsys, names, message):
    """`observe --scenario` and the patterns' link took the country's votes for one of the
    two and left the other out without a word: a copy-paste slip (most likely another
    country was meant)."""
    path = _with(tmp_path, "observed:\n  names:\n" + names)
    assert _error(capsys, path) == f"{path}:{message}"
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-plots"]) == 2
    assert not out.exists()


def test_actors_without_a_seat_may_share_null_and_an_actor_may_be_mapped_to_itself(
    tmp_path, capsys
):
    path = _with(tmp_path, "observed:\n  names: {Syria: null, Jordan: null, USA: USA}\n")
    assert main(["validate", str(path)]) == 0


def test_a_un_name_given_twice_by_an_override_names_the_override(tmp_path, capsys):
    path = _with(tmp_path, "observed:\n  names: {Syria: Syrian Arab Republic}\n")
    given = "observed.names.Jordan=Syrian Arab Republic"
    assert main(["validate", str(path), "--set", given]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"credsim: error: override {given}: observed.names.Jordan: "), err
    assert "is also the UN name of 'Syria' (observed.names.Syria, line 14)" in err


REPEATED = (
    "  - {id: again, date: '2015-09', kind: intervene, actor: Russia, target: Syria, "
    "magnitude: 3.0, source: 'Air campaign begins, 30 Sep 2015'}\n"
    "  - {id: r1, date: '2015-10', kind: relation, actor: Syria, target: Jordan, value: -0.5}\n"
    "  - {id: r2, date: '2015-10', kind: relation, actor: Syria, target: Jordan, value: -0.5}\n"
)


def test_an_event_repeated_in_every_field_but_its_id_is_noted_by_validate(tmp_path, capsys):
    """A copied event left unchanged was accepted without a word: a repeated relation does
    nothing, another kind's effect adds up. Most likely a slip, but a scenario may mean
    it: a note, the file still valid, and run takes it as before."""
    path = _variant(tmp_path, EVENT, EVENT + REPEATED)
    assert main(["validate", str(path)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "repeats" in line]
    assert notes == [
        f"credsim: note: {path}:11: events.again: repeats events.intervention (line 10) in "
        "every field but its id: both apply, so their effects add up; if one event was "
        "meant, remove this one, or change what was to differ",
        f"credsim: note: {path}:13: events.r2: repeats events.r1 (line 12) in every field "
        "but its id: it sets again what the earlier set, and does nothing; if one event was "
        "meant, remove this one, or change what was to differ",
    ]


def test_an_event_differing_in_one_field_or_repeating_a_parents_is_not_noted(tmp_path, capsys):
    """A counterfactual may repeat its parent's event on purpose (another file); an event
    of another value, or a drawn one, is no repeat."""
    path = _variant(
        tmp_path, EVENT, EVENT + REPEATED.replace("value: -0.5}\n", "value: -0.6}\n", 1)
    )
    path.write_text(
        path.read_text().replace("magnitude: 3.0, source: 'Air", "magnitude: 2.0, source: 'Air")
    )
    assert main(["validate", str(path)]) == 0
    assert "repeats" not in capsys.readouterr().err
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {DATA / 'base.yaml'}\nevents:\n  - {{id: twice, date: '2015-09', "
        "kind: intervene, actor: Russia, target: Syria, magnitude: 3.0}\n"
    )
    assert main(["validate", str(child)]) == 0
    assert "repeats" not in capsys.readouterr().err


def _all_trust(path: Path) -> list[float]:
    """The series of mean trust of all states in Russia, a run of seed 0."""
    series = run_scenario(load_scenario(path), seed=0, record="series").series
    assert series is not None
    rows = series[(series.group == "all") & (series.power == "Russia")]
    return rows[rows.metric == "trust_mean"].value.tolist()


def test_a_repeat_that_an_event_between_changed_is_not_said_to_do_nothing(tmp_path, capsys):
    """A relation or regime change repeated in its step does nothing unless an event
    listed between the two changed what they set: a regime change of either party of the
    relation (which resets it), an event with evidence for the regime change's target
    (which the repeat clears). The note said "does nothing; ... remove this one", and
    removing it changed the run; it now names the event between and says the repeat
    holds. An event between that changes nothing (a capability change, another pair's
    event) leaves the note as it was."""
    date = "date: '2015-11'"
    stances = "parameters: {stance: {enemy_reliability: 0.0}}\n"
    relation = _relation("r1", date, "Jordan", "Syria", -1.0)
    path = _variant(
        tmp_path,
        EVENT,
        EVENT + relation + _regime("coup", date, "Jordan") + relation.replace("r1", "r2"),
    )
    path.write_text(path.read_text() + stances)
    assert main(["validate", str(path)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "repeats" in line]
    assert notes == [
        f"credsim: note: {path}:13: events.r2: repeats events.r1 (line 11) in every field "
        "but its id: events.coup (line 12), listed between them in the step, changes what "
        "it sets, so this one sets it again and holds from then on (a step's events apply "
        "in file order); if one event was meant, remove the other, or change what was to "
        "differ",
    ]
    without = _variant(
        tmp_path, EVENT, EVENT + relation + _regime("coup", date, "Jordan"), "b.yaml"
    )
    without.write_text(without.read_text() + stances)
    assert _all_trust(path) != _all_trust(without)  # the repeat holds: it does something
    # A regime change repeated after an event with evidence (rhetoric), past one without.
    talk = f"  - {{id: talk, {date}, kind: rhetoric, actor: Russia, magnitude: 3.0}}\n"
    grow = f"  - {{id: grow, {date}, kind: capability_change, actor: USA, delta: 0.1}}\n"
    coup = _regime("c1", date, "Jordan")
    path = _variant(tmp_path, EVENT, EVENT + coup + grow + talk + coup.replace("c1", "c2"))
    assert main(["validate", str(path)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "repeats" in line]
    assert notes == [
        f"credsim: note: {path}:14: events.c2: repeats events.c1 (line 11) in every field "
        "but its id: events.talk (line 13), listed between them in the step, changes what "
        "it sets, so this one sets it again and holds from then on (a step's events apply "
        "in file order); if one event was meant, remove the other, or change what was to "
        "differ",
    ]
    without = _variant(tmp_path, EVENT, EVENT + coup + grow + talk, "b.yaml")
    assert _all_trust(path) != _all_trust(without)
    # Events between that change nothing it sets: the note as before.
    path = _variant(
        tmp_path,
        EVENT,
        EVENT + coup + grow + _relation("g", date, "USA", "Syria", 0.5) + coup.replace("c1", "c2"),
    )
    assert main(["validate", str(path)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "repeats" in line]
    assert notes == [
        f"credsim: note: {path}:14: events.c2: repeats events.c1 (line 11) in every field "
        "but its id: it sets again what the earlier set, and does nothing; if one event was "
        "meant, remove this one, or change what was to differ",
    ]


def _relation(id_: str, when: str, actor: str, target: str, value: float, *more: str) -> str:
    """A relation event's line for mini.yaml's events (``more``: further fields)."""
    extra = "".join(f", {field}" for field in more)
    return (
        f"  - {{id: {id_}, {when}, kind: relation, actor: {actor}, target: {target}, "
        f"value: {value}{extra}}}\n"
    )


def _relation_notes(capsys: pytest.CaptureFixture[str], path: Path) -> list[str]:
    assert main(["validate", str(path)]) == 0
    return [line for line in capsys.readouterr().err.splitlines() if "that stance again" in line]


def test_a_relation_set_again_in_its_step_to_another_value_is_noted_naming_it(tmp_path, capsys):
    """Two relation events of one pair on one date with different values: the later holds
    from that step on, the earlier only for the events between them (decision 721). It
    was accepted without a word; now a note at the later names the earlier and says which
    value holds, for an undirected pair in either order and a directed earlier event."""
    date = "date: '2015-10'"
    path = _variant(
        tmp_path,
        EVENT,
        EVENT
        + _relation("r1", date, "Syria", "Jordan", -0.5)
        + _relation("r2", date, "Jordan", "Syria", 0.3)
        + _relation("d1", "date: '2016-02'", "Russia", "USA", -0.2, "directed: true")
        + _relation("d2", "date: '2016-02'", "USA", "Russia", 0.4),
    )
    assert _relation_notes(capsys, path) == [
        f"credsim: note: {path}:12: events.r2: events.r1 (line 11, between 'Syria' and "
        "'Jordan', -0.5) has no effect: this event sets that stance again on the same date "
        "(2015-10) to 0.3, which holds from then on: a step's events apply in file order; "
        "if one value was meant, remove the other event",
        f"credsim: note: {path}:14: events.d2: events.d1 (line 13, from 'Russia' to 'USA', "
        "-0.2) has no effect: this event sets that stance again on the same date (2016-02) "
        "to 0.4, which holds from then on: a step's events apply in file order; if one value "
        "was meant, remove the other event",
    ]
    # The events of the step between the two are the only ones the earlier value is for.
    path = _variant(
        tmp_path,
        EVENT,
        _relation("r1", "date: '2015-09'", "Syria", "Jordan", -0.5)
        + EVENT
        + _relation("r2", "date: '2015-09'", "Syria", "Jordan", 0.3),
    )
    assert _relation_notes(capsys, path) == [
        f"credsim: note: {path}:12: events.r2: events.r1 (line 10, between 'Syria' and "
        "'Jordan', -0.5) holds only for the 1 event between (events.intervention): this "
        "event sets that stance again on the same date (2015-09) to 0.3, which holds from "
        "then on: a step's events apply in file order; if one value was meant, remove the "
        "other event",
    ]


def test_two_dates_of_one_quarter_setting_a_relation_are_noted_with_shorter_steps(tmp_path, capsys):
    """On a calendar of quarters two dates of one step may both be meant: the note says
    which holds, and that shorter steps give each its date (decision 721)."""
    path = _variant(
        tmp_path,
        EVENT,
        EVENT
        + _relation("r1", "date: '2015-10'", "Syria", "Jordan", -0.5)
        + _relation("r2", "date: '2015-11'", "Syria", "Jordan", 0.3),
    )
    path.write_text(path.read_text().replace("step: month", "step: quarter"))
    assert _relation_notes(capsys, path) == [
        f"credsim: note: {path}:12: events.r2: events.r1 (line 11, between 'Syria' and "
        "'Jordan', -0.5) has no effect: this event sets that stance again in the same step "
        "of the calendar (2015-10 to 2015-12) to 0.3, which holds from then on: a step's "
        "events apply in file order; if one value was meant, remove the other event; for "
        "each to hold from its own date, make the steps shorter (calendar.step: month)",
    ]


def test_a_relation_that_keeps_a_direction_or_a_parents_relation_is_not_noted(tmp_path, capsys):
    """Kept without a note (decision 721): a directed event after an undirected one of the
    same date (the earlier keeps the other direction: an asymmetric stance), two directed
    events each way, the same value again with another source, a regime change between
    the two (it resets the stance itself), relations in other steps, and a child's
    relation on its parent's date (a counterfactual's purpose)."""
    date = "date: '2015-10'"
    path = _variant(
        tmp_path,
        EVENT,
        EVENT
        + _relation("u", date, "Syria", "Jordan", -0.5)
        + _relation("d", date, "Syria", "Jordan", 0.3, "directed: true")
        + _relation("a", "date: '2015-11'", "Russia", "USA", -0.5, "directed: true")
        + _relation("b", "date: '2015-11'", "USA", "Russia", 0.3, "directed: true")
        + _relation("s1", "date: '2015-12'", "Russia", "Syria", 0.5)
        + _relation("s2", "date: '2015-12'", "Russia", "Syria", 0.5, "source: again")
        + _relation("g1", "date: '2016-01'", "USA", "Jordan", 0.5)
        + "  - {id: coup, date: '2016-01', kind: regime_change, target: Jordan}\n"
        + _relation("g2", "date: '2016-01'", "USA", "Jordan", 0.2)
        + _relation("m1", "date: '2016-02'", "USA", "Syria", -0.5)
        + _relation("m2", "date: '2016-03'", "USA", "Syria", -0.9),
    )
    assert _relation_notes(capsys, path) == []
    parent = _variant(
        tmp_path, EVENT, EVENT + _relation("r1", date, "Syria", "Jordan", -0.5), "parent.yaml"
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {parent}\nevents:\n" + _relation("r2", date, "Syria", "Jordan", 0.3)
    )
    assert _relation_notes(capsys, child) == []


def _regime(id_: str, when: str, target: str, relations: str = "") -> str:
    """A regime change's line for mini.yaml's events (``relations``: its mapping's text)."""
    given = f", relations: {{{relations}}}" if relations else ""
    return f"  - {{id: {id_}, {when}, kind: regime_change, target: {target}{given}}}\n"


def _stance_notes(capsys: pytest.CaptureFixture[str], path: Path) -> list[str]:
    """``validate``'s notes of a stance left nothing of in its step (decisions 721, 729)."""
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err.splitlines()
    return [n for n in err if "that stance again" in n or "every stance to and from" in n]


def test_a_relation_a_regime_change_of_its_step_resets_is_noted_at_the_regime_change(
    tmp_path, capsys
):
    """A relation event of a state followed in its step by the state's regime change,
    which resets every stance to and from it: the relation has no effect. It was
    accepted without a word (decision 721 left it; its own test's g1 and coup are such
    a pair); now a note at the regime change names the relation, says what holds from
    then on, and where the relation goes for the new regime or the old."""
    date = "date: '2016-01'"
    path = _variant(
        tmp_path,
        EVENT,
        EVENT + _relation("g1", date, "USA", "Jordan", 0.5) + _regime("coup", date, "Jordan"),
    )
    assert _stance_notes(capsys, path) == [
        f"credsim: note: {path}:12: events.coup: events.g1 (line 11, between 'USA' and "
        "'Jordan', 0.5) has no effect: this regime change resets every stance to and from "
        "'Jordan' on the same date (2016-01) back to the ideology rule "
        "(parameters.stance.from_ideology), which holds from then on: a step's events apply "
        "in file order; if events.g1 was meant for the new regime, list it after this event "
        "(or in this event's relations); if for the old regime, give it an earlier date",
    ]
    # Two dates of one quarter, the regime change's relations giving the pair a value.
    path = _variant(
        tmp_path,
        EVENT,
        EVENT
        + _relation("g1", "date: '2015-10'", "USA", "Jordan", 0.5, "directed: true")
        + _regime("coup", "date: '2015-11'", "Jordan", "USA: 0.2"),
    )
    path.write_text(path.read_text().replace("step: month", "step: quarter"))
    assert _stance_notes(capsys, path) == [
        f"credsim: note: {path}:12: events.coup: events.g1 (line 11, from 'USA' to 'Jordan', "
        "0.5) has no effect: this regime change resets every stance to and from 'Jordan' in "
        "the same step of the calendar (2015-10 to 2015-12), and its relations.USA sets that "
        "stance to 0.2, which holds from then on: a step's events apply in file order; if "
        "events.g1 was meant for the new regime, give its value in this event's "
        "relations.USA; if for the old regime, give it an earlier date; for each to hold "
        "from its own date, make the steps shorter (calendar.step: month)",
    ]


def test_a_relation_a_regime_change_resets_after_events_between_holds_only_for_them(
    tmp_path, capsys
):
    """With events of the step between the relation and the regime change, the relation
    holds for them alone; the note names them, as decision 721's does."""
    date = "date: '2015-09'"
    path = _variant(
        tmp_path,
        EVENT,
        _relation("g1", date, "Syria", "USA", -0.5)
        + EVENT
        + _regime("coup", date, "Syria", "Russia: 0.9, USA: 0.1"),
    )
    assert _stance_notes(capsys, path) == [
        f"credsim: note: {path}:12: events.coup: events.g1 (line 10, between 'Syria' and "
        "'USA', -0.5) holds only for the 1 event between (events.intervention): this regime "
        "change resets every stance to and from 'Syria' on the same date (2015-09), and its "
        "relations.USA sets that stance to 0.1, which holds from then on: a step's events "
        "apply in file order; if events.g1 was meant for the new regime, give its value in "
        "this event's relations.USA; if for the old regime, give it an earlier date",
    ]


def test_a_regime_changes_relation_set_again_in_its_step_is_noted_at_the_relation(tmp_path, capsys):
    """A regime change's own relation whose both directions relation events of its step
    listed after it set to another value holds only for the events between (none: no
    effect); it was accepted without a word. A directed event setting one direction only
    (an asymmetric stance) and the same value again are not noted."""
    date = "date: '2016-01'"
    path = _variant(
        tmp_path,
        EVENT,
        EVENT
        + _regime("coup", date, "Jordan", "USA: 0.2, Russia: -0.4, Syria: 0.5")
        + _relation("g2", date, "USA", "Jordan", 0.5)
        + _relation("d1", date, "Jordan", "Russia", 0.1, "directed: true")
        + _relation("d2", date, "Russia", "Jordan", 0.3, "directed: true")
        + _relation("s1", date, "Jordan", "Syria", 0.7, "directed: true")
        + _relation("s2", date, "Syria", "Jordan", 0.5, "directed: true"),
    )
    assert _stance_notes(capsys, path) == [
        f"credsim: note: {path}:12: events.g2: events.coup.relations.USA (line 11, between "
        "'Jordan' and 'USA', 0.2) has no effect: this event sets that stance again on the same "
        "date (2016-01) to 0.5, which holds from then on: a step's events apply in file order; "
        "if one value was meant, give it in events.coup.relations.USA and remove the relation "
        "event",
        f"credsim: note: {path}:14: events.d2: events.coup.relations.Russia (line 11, between "
        "'Jordan' and 'Russia', -0.4) holds only for the 2 events between (events.g2, "
        "events.d1): this event and events.d1 (line 13) set that stance again on the same "
        "date (2016-01) to 0.1 and 0.3, which hold from then on: a step's events apply in file "
        "order; if one value was meant, give it in events.coup.relations.Russia and remove "
        "the relation events",
    ]


def test_a_relation_and_a_regime_change_of_other_files_steps_or_pairs_are_not_noted(
    tmp_path, capsys
):
    """Not compared (decision 729): a relation of a pair the regime change's target is not
    in, a relation listed after the regime change of a pair it does not list (the new
    regime's relations), a relation the regime change's relations give the same value,
    the two in different steps, and a relation and a regime change of different files (a
    child's counterfactual, either way)."""
    date = "date: '2016-01'"
    path = _variant(
        tmp_path,
        EVENT,
        EVENT
        + _relation("other", date, "USA", "Syria", 0.5)
        + _relation("same", date, "USA", "Jordan", 0.2)
        + _regime("coup", date, "Jordan", "USA: 0.2")
        + _relation("new", date, "Jordan", "Russia", -0.5)
        + _relation("before", "date: '2015-12'", "Syria", "Jordan", 0.5)
        + _relation("after", "date: '2016-02'", "USA", "Jordan", 0.9),
    )
    assert _stance_notes(capsys, path) == []
    parent = _variant(
        tmp_path,
        EVENT,
        EVENT
        + _regime("coup", date, "Jordan", "USA: 0.2")
        + _relation("kept", "date: '2016-02'", "USA", "Syria", 0.5),
        "parent.yaml",
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {parent}\nevents:\n"
        + _relation("changed", date, "USA", "Jordan", 0.7)
        + _regime("later", "date: '2016-02'", "Syria")
    )
    assert _stance_notes(capsys, child) == []


def test_a_generated_scenarios_own_events_are_located_at_their_own_lines(tmp_path, capsys):
    """The file's own events come after the drawn ones: they were said at the ``events:``
    line, or, where the file has more events than ``generate:`` draws, at the line of the
    file's event whose index the drawn one has (the wrong event's line)."""
    path = tmp_path / "gen.yaml"
    head = (DATA / "generated.yaml").read_text().replace("events: 10", "events: 2")
    path.write_text(
        head + "events:\n"
        "  - {id: a, date: '2001-01', kind: withdraw, actor: P1, target: S01, magnitude: -1}\n"
        "  - {id: b, date: '2001-02', kind: withdraw, actor: P1, target: S02, magnitude: 1}\n"
        "  - {id: c, date: '2001-03', kind: withdraw, actor: P1, target: S03, magnitude: 1}\n"
        "  - {id: d, date: '2001-04', kind: withdraw, actor: P1, target: S99, magnitude: 1}\n"
    )
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {path}:6: events.a.magnitude: must be >= 0, got -1\n"
    )
    path.write_text(path.read_text().replace("magnitude: -1", "magnitude: 1"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"credsim: error: {path}:9: events.d.target: unknown actor 'S99'"), err


def test_error_in_parent_names_the_parent_file_and_the_extends_line(capsys):
    """child_of_bad.yaml's line 1 is its ``extends: parent_bad.yaml``."""
    message = _error(capsys, DATA / "child_of_bad.yaml")
    assert message == (
        f"{DATA / 'parent_bad.yaml'}:13: events.strike.magnitude: must be >= 0, got -1 "
        f"(reached through extends: {DATA / 'child_of_bad.yaml'}:1)"
    )


# --------------------------------------------------------------------------- overrides


def test_bad_override_path(capsys):
    message = _override_error(capsys, "powers.Rusia.capability=1")
    assert message.startswith("override powers.Rusia.capability=1: powers.Rusia: ")
    assert "unknown power 'Rusia'; powers are: Russia, USA (did you mean 'Russia'?)" in message


def test_a_duplicate_ideology_axis_is_refused(tmp_path, capsys):
    """`ideology_axes: [lr, lr]` validated (an audit of the format): two coordinates of
    one name, where every other list of names (events, actors, keys) must be unique."""
    path = _variant(tmp_path, "calendar:", "ideology_axes: [left_right]\ncalendar:")
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    text = path.read_text().replace("[left_right]", "[left_right, left_right]")
    for value in ("0.6", "0.3", "-0.5", "0.4", "-0.1"):
        text = text.replace(f"ideology: {value},", f"ideology: [{value}, 0.0],")
    path.write_text(text)
    assert _error(capsys, path) == (
        f"{path}:2: ideology_axes[1]: duplicate ideology axis 'left_right' (also "
        "ideology_axes[0]); each axis needs a name of its own"
    )


def test_a_key_indented_with_a_no_break_space_says_so(tmp_path, capsys):
    """A no-break space pasted in as indentation made Jordan a top-level key; the line
    read "unknown field '  Jordan'", as if it were indented (an audit of the format)."""
    path = _variant(tmp_path, "  Jordan:", "\u00a0 Jordan:")
    assert _error(capsys, path) == (
        f"{path}:8: \u00a0 Jordan: unknown field '\\xa0 Jordan': it holds a NO-BREAK SPACE "
        "(U+00A0), which YAML does not take for a space (nor for indentation); write "
        "ordinary spaces"
    )


@pytest.mark.parametrize("command", ["validate", "run"])
def test_an_override_that_makes_the_files_entry_wrong_is_named(tmp_path, capsys, command):
    """`--set events.intervention.kind=rhetoric` leaves the file's target unknown to the
    new kind: the error blamed line 10 alone, where nothing is wrong without the override
    (an audit of the scenario format); it now names the override. Moving a dated event
    by its step says how (the date set to null)."""
    mini = DATA / "mini.yaml"
    out = ["--out", str(tmp_path / "out")] if command == "run" else []
    cases = {
        "events.intervention.kind=rhetoric": (
            f"{mini}:10: events.intervention.target: unknown field 'target'; allowed fields "
            "are: id, date, step, source, label, key, kind, actor, magnitude "
            "(after override events.intervention.kind=rhetoric)"
        ),
        "events.intervention.step=3": (
            f"{mini}:10: events.intervention: give exactly one of 'date' (YYYY-MM) or 'step' "
            "(1..T) (after override events.intervention.step=3; to move the event, set "
            "events.intervention.date=null too)"
        ),
    }
    for setting, expected in cases.items():
        assert main([command, str(mini), "--set", setting, *out]) == 2
        assert capsys.readouterr().err == f"credsim: error: {expected}\n"
    assert not (tmp_path / "out").exists()
    moved = ["--set", "events.intervention.step=3", "--set", "events.intervention.date=null"]
    assert main(["validate", str(mini), *moved]) == 0


def test_bad_override_event_id(capsys):
    message = _override_error(capsys, "events.intervension.magnitude=2")
    assert message.startswith("override events.intervension.magnitude=2: ")
    assert message.endswith("(did you mean 'intervention'?)")


def test_bad_override_value(capsys):
    message = _override_error(capsys, "parameters.trust.memory=abc")
    assert message == (
        "override parameters.trust.memory=abc: parameters.trust.memory: "
        "expected a number, got 'abc'"
    )


def test_a_boolean_is_not_a_number(tmp_path, capsys):
    """``true`` is refused where a number goes (pydantic would read it as 1), kept for booleans."""
    message = _override_error(capsys, "parameters.trust.negativity_bias=true")
    assert message == (
        "override parameters.trust.negativity_bias=true: parameters.trust.negativity_bias: "
        "expected a number, got true"
    )
    message = _override_error(capsys, "parameters.alignment.period=false")
    assert message.endswith("parameters.alignment.period: expected a whole number, got false")
    message = _override_error(capsys, "states.Syria.trust.USA=true")
    assert message.endswith("states.Syria.trust.USA: expected a number, got true")
    path = _variant(tmp_path, "capability: 0.6,", "capability: true,")
    expected = f"{path}:4: powers.Russia.capability: expected a number, got true"
    assert _error(capsys, path) == expected
    keyed = _variant(tmp_path, "magnitude: 3.0,", "magnitude: 3.0, key: true,", "keyed.yaml")
    assert main(["validate", str(keyed), "--set", "network.directed=true"]) == 0


def test_first_mover_decay_belongs_to_recognize(tmp_path, capsys):
    """It was accepted under every kind and read only under ``recognize``."""
    message = _override_error(capsys, "parameters.event_kinds.support.first_mover_decay=0.2")
    assert message == (
        "override parameters.event_kinds.support.first_mover_decay=0.2: "
        "parameters.event_kinds.support.first_mover_decay: unknown field "
        "'first_mover_decay'; allowed fields are: weight, affinity; 'first_mover_decay' "
        "belongs to recognize only (parameters.event_kinds.recognize.first_mover_decay)"
    )
    path = _variant(
        tmp_path,
        "windows:",
        "parameters:\n  event_kinds:\n    withdraw: {first_mover_decay: 0.2}\nwindows:",
    )
    message = _error(capsys, path)
    assert message.startswith(
        f"{path}:13: parameters.event_kinds.withdraw.first_mover_decay: unknown field "
    )
    decay = "parameters.event_kinds.recognize.first_mover_decay=0.2"
    assert main(["validate", str(DATA / "mini.yaml"), "--set", decay]) == 0


@pytest.mark.parametrize("kind", ["relation", "propaganda", "regime_change", "capability_change"])
def test_an_event_kind_without_settings_says_why(capsys, kind):
    """model.md 8.2 lists affinity(kind) 0 for these kinds, "overridable"; they have no
    parties, so there is nothing to override. It said "unknown field", as a misspelling
    is told (decision 481)."""
    message = _override_error(capsys, f"parameters.event_kinds.{kind}.affinity=0.3")
    assert message.startswith(
        f"override parameters.event_kinds.{kind}.affinity=0.3: parameters.event_kinds: "
        f"'{kind}' takes no settings: it is no evidence about a power's reliability"
    )
    assert message.endswith("the kinds with settings are intervene, support, withdraw, "
                            "side_with_adversary, refuse_aid, client_harmed, base_loss, "
                            "expelled, rapprochement, rhetoric, recognize")  # fmt: skip


@pytest.mark.parametrize("kind", ["base_loss", "rhetoric"])
def test_an_affinity_for_a_kind_without_parties_is_refused(capsys, kind):
    """base_loss and rhetoric weigh reliability but have no parties: their affinity
    weight multiplies nothing, and `--set ...rhetoric.affinity=5` changed no number
    without a word (an audit; decision 617). Their weight is still set."""
    message = _override_error(capsys, f"parameters.event_kinds.{kind}.affinity=5")
    assert message.startswith(
        f"override parameters.event_kinds.{kind}.affinity=5: parameters.event_kinds: "
        f"'{kind}' takes no affinity setting: it has no parties whose side an affinity "
        "weight could count"
    )
    assert message.endswith("the kinds with an affinity setting are intervene, support, "
                            "withdraw, side_with_adversary, refuse_aid, client_harmed, "
                            "expelled, rapprochement, recognize")  # fmt: skip
    weight = f"parameters.event_kinds.{kind}.weight=1.5"
    assert main(["validate", str(DATA / "mini.yaml"), "--set", weight]) == 0


def test_a_yaml_boolean_given_for_a_name_in_an_override(capsys):
    message = _override_error(capsys, "states.Jordan.region=off")
    assert message == (
        "override states.Jordan.region=off: states.Jordan.region: 'off' is read as the "
        "boolean false, not a string (YAML 1.1 reads yes, no, on, off, true and false, in "
        'any case, as booleans); quote it: "off"'
    )


def test_quoted_digit_groups_and_numbers_for_booleans_are_refused(tmp_path, capsys):
    """pydantic read the text "1_5" as 15 and 1 as true; a quoted plain number and a quoted
    YAML boolean word are still read (decisions.md item 366), and so are YAML's own
    unquoted forms (1_5 is 15, 0x1A is 26)."""
    path = _variant(tmp_path, "magnitude: 3.0", 'magnitude: "1_5"')
    assert _error(capsys, path) == (
        f"{path}:10: events.intervention.magnitude: expected a number, got '1_5'; quoted "
        "text with '_' is not read as a number: write the number, unquoted"
    )
    message = _override_error(capsys, 'parameters.alignment.period="1_0"')
    assert message.endswith(
        "expected a whole number, got '1_0'; quoted text with '_' is "
        "not read as a number: write the number, unquoted"
    )
    relation = "relations: [{from: Syria, to: Jordan, value: -0.5, directed: 1}]\nwindows:"
    path = _variant(tmp_path, "windows:", relation, "directed.yaml")
    assert _error(capsys, path) == (
        f"{path}:11: relations[0].directed: expected true or false, got 1"
    )
    assert _override_error(capsys, "network.directed=0").endswith(
        "network.directed: expected true or false, got 0"
    )
    assert _override_error(capsys, 'events.intervention.key="1"').endswith(
        "events.intervention.key: expected true or false, got '1'"
    )
    kept = [
        'events.intervention.magnitude="2.5"',
        "events.intervention.magnitude=1_5",
        'network.directed="yes"',
        "parameters.alignment.period=0x1",
    ]
    for setting in kept:
        assert main(["validate", str(DATA / "mini.yaml"), "--set", setting]) == 0, setting


def test_override_of_an_unknown_field(capsys):
    message = _override_error(capsys, "parameters.salinece.target=1")
    assert message.startswith("override parameters.salinece.target=1: parameters.salinece: ")
    assert message.endswith("(did you mean 'salience'?)")


@pytest.mark.parametrize(
    "setting", ["extends=other.yaml", "remove_events=[intervention]", "extends.x=1"]
)
def test_extends_and_remove_events_cannot_be_overridden(capsys, setting):
    """They are resolved before overrides apply; the error used to call them unknown
    fields while listing them as allowed ("did you mean 'extends'?")."""
    field = setting.split("=")[0]
    assert _override_error(capsys, setting) == (
        f"override {setting}: {field}: cannot be overridden (--set, --vary, a design's "
        "parameters): overrides address the merged scenario, after extends and "
        "remove_events are resolved; change it in the file, or write a scenario that "
        "extends it"
    )


def test_an_unknown_top_level_override_lists_only_what_an_override_may_set(capsys, tmp_path):
    """The list of allowed fields used to end with extends and remove_events,
    which an override is then refused (decision 536); a file still lists them."""
    message = _override_error(capsys, "extend=x")
    allowed = message.split("allowed fields are: ")[1].split(", ")
    assert "events" in allowed and "parameters" in allowed
    assert "extends" not in allowed and "remove_events" not in allowed
    assert "did you mean" not in message
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {DATA / 'mini.yaml'}\nextend: x\n")
    assert main(["validate", str(child)]) == 2
    listed = capsys.readouterr().err.split("allowed fields are: ")[1]
    assert "extends" in listed.split(", ") and "remove_events" in listed.split(", ")[-1]


def test_override_without_equals_sign(capsys):
    message = _override_error(capsys, "parameters.trust.memory")
    assert "must look like PATH=VALUE" in message


def test_experiment_file_is_checked_by_the_sweep_loader(tmp_path, capsys):
    path = tmp_path / "experiment.yaml"
    path.write_text(
        f"name: tiny\nscenarios:\n  mini: {DATA / 'mini.yaml'}\n"
        "design:\n  method: grid\n  parameters:\n    parameters.trust.memory: [0.9, 1.0]\n"
    )
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"ok: {path}: experiment 'tiny', 1 scenario, 2 design points, 2 runs\n"
    )
    message = _error(capsys, path, "--set", "parameters.trust.negativity_bias=-1")
    assert message.startswith("override parameters.trust.negativity_bias=-1: ")


def test_a_group_of_powers_named_as_members_is_kept(tmp_path):
    """Bloc and region select states only, but members may name powers (decision 475):
    such a group is not empty and runs."""
    path = _variant(tmp_path, "{bloc: arab_league}", "{members: [Russia, USA]}")
    assert main(["validate", str(path)]) == 0


# ------------------------------------------------ numbers too long to echo (decision 537)


def test_a_whole_number_past_pythons_digit_limit_is_refused_at_its_line(capsys, tmp_path):
    """PyYAML's int() of 5,000 digits raised a ValueError traceback in every command."""
    digits = "9" * 5000
    bad = _variant(tmp_path, "magnitude: 3.0", f"magnitude: {digits}")
    message = _error(capsys, bad)
    assert message == (
        f"{bad}:10: a whole number of 5,000 digits; numbers may have at most 4,300 digits"
    )
    setting = f"events.intervention.magnitude={digits}"
    assert _override_error(capsys, setting) == (
        f"override {setting[:100]}... (5,030 characters): a whole number of 5,000 digits; "
        "numbers may have at most 4,300 digits"
    )


def test_a_long_number_is_shown_short(capsys):
    """A 400-digit value was echoed in full in the override's label and its message,
    and called no number ("expected a number")."""
    digits = "9" * 400
    setting = f"parameters.trust.memory={digits}"
    assert _override_error(capsys, setting) == (
        f"override {setting[:100]}... (424 characters): "
        "parameters.trust.memory: got 9.999e+399 (400 digits), too large for a number "
        "(the largest is about 1.8e308)"
    )
    message = _override_error(capsys, f"parameters.alignment.period=-{digits}")
    assert message.endswith("must be >= 0, got -9.999e+399 (400 digits)")


def test_number_text_keeps_a_seed_whole_and_cuts_past_twenty_digits():
    from sim.errors import number_text

    assert number_text(2**64) == "18446744073709551616"  # 20 digits: as typed
    assert number_text(-(10**20)) == "-1.000e+20 (21 digits)"
    assert number_text(123456789 * 10**30) == "1.234e+38 (39 digits)"
    assert number_text(10**5000) == "a number of more than 4,300 digits"
    assert number_text(0.5) == "0.5"


def test_a_name_both_a_power_and_a_state_is_said_at_the_states_entry(tmp_path, capsys):
    """The error named the line of ``states:`` (an audit's line 26, the duplicate being at
    line 84); it is now at the state's own entry."""
    path = _variant(
        tmp_path,
        "  Jordan: {region: levant,",
        "  Jordan: {region: levant, blocs: [arab_league], ideology: -0.1}\n  USA: {region: levant,",
    )
    assert _error(capsys, path) == (
        f"{path}:9: states.USA: 'USA' is both a power and a state; names must be unique"
    )


@pytest.mark.parametrize(
    ("entry", "with_none", "line", "section"),
    [
        ("  USA: {capability: 1.0,", "  none: {capability: 0.1, region: americas}\n", 5, "powers"),
        ("  Jordan: {region: levant,", "  none: {region: levant}\n", 8, "states"),
    ],
)
def test_a_reserved_name_is_said_at_its_own_entry(
    tmp_path, capsys, entry, with_none, line, section
):
    """A power or state named ``none`` was said at the line of ``states:`` and under
    ``states`` even when it was a power; it is now at its own entry."""
    path = _variant(tmp_path, entry, with_none + entry)
    assert _error(capsys, path) == (
        f"{path}:{line}: {section}.none: 'none' is reserved and cannot name an actor"
    )


def test_one_mistake_in_the_axes_is_one_line(tmp_path, capsys):
    """A second ideology axis with every actor's ideology a scalar was said at every
    actor: 17 lines for an audit's new case (decision 628). It is one line, at the axes;
    one actor's slip is still said at that actor."""
    path = _variant(tmp_path, "powers:", "ideology_axes: [left_right, east_west]\npowers:")
    message = _error(capsys, path)
    assert message.endswith(
        "ideology_axes: 2 ideology axes (left_right, east_west), but every actor's ideology "
        "has 1 coordinate: give each actor 2 (ideology: [0.0, 0.0]), or list 1 axis"
    )
    one = _variant(tmp_path, "ideology: 0.4,", "ideology: [0.4, 0.1],", name="one.yaml")
    assert "states.Syria.ideology: ideology has 2 coordinate(s)" in _error(capsys, one)


@pytest.mark.parametrize("given", ["{a: 1}", "[a, b]"])
def test_an_extending_files_event_id_that_is_not_text_is_refused_in_one_line(
    tmp_path, capsys, given
):
    """A child's event whose id is a mapping or a list ended in "TypeError: unhashable
    type: 'dict'" from the merge of the events, before the schema saw it (an audit)."""
    path = tmp_path / "child.yaml"
    path.write_text(
        f"extends: {DATA / 'base.yaml'}\nevents:\n"
        f'  - {{id: {given}, date: "2016-03", kind: rhetoric, actor: Russia, magnitude: 1}}\n'
    )
    message = _error(capsys, path)
    # base.yaml has three events: the child's is the fourth of the merged scenario, and
    # the first of its own file, which is how the path says it (decision 913).
    assert message.startswith(f"{path}:3: events[0].id: expected a string, got a "), message


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("calendar.start=2030-01", "calendar ends (2016-12) before it starts (2030-01)"),
        ("calendar.end=2010-01", "calendar ends (2010-01) before it starts (2014-01)"),
    ],
)
def test_a_calendar_reversed_by_an_override_names_the_override(capsys, setting, expected):
    """``--set calendar.start=2030-01`` was refused at the file's calendar line, "mini.yaml:2:
    calendar: calendar ends (2016-12) before it starts (2030-01)", where the file's own
    dates are in order, without naming the override (an audit)."""
    message = _override_error(capsys, setting)
    assert message == f"{DATA / 'mini.yaml'}:2: calendar: {expected} (after override {setting})"


def test_a_calendar_in_the_year_0000_is_refused(capsys):
    """``start: "0000-01"`` validated and ran; its figures then failed with a traceback
    (there is no year 0 in any date library; an audit)."""
    message = _override_error(capsys, "calendar.start=0000-01")
    assert message == (
        "override calendar.start=0000-01: calendar.start: '0000-01': there is no year 0000; "
        "years go from 0001 to 9999"
    )


@pytest.mark.parametrize(
    ("setting", "kind"),
    [("powers.Russia.capability.x=1", "a number"), ("calendar.start.x=1", "a string")],
)
def test_a_path_into_a_value_names_its_kind_in_yaml_words(capsys, setting, kind):
    """``--set powers.Russia.capability.x=1`` said "'powers.Russia.capability' is a float,
    which has no named entries", in Python's word for a number (an audit)."""
    message = _override_error(capsys, setting)
    entry = setting.rpartition(".")[0]
    assert message.endswith(f"'{entry}' is {kind}, which has no named entries"), message


@pytest.mark.parametrize(
    ("scenario", "setting", "entry"),
    [
        (ROOT / "scenarios" / "tour.yaml", "network.ties.0=[A, B, 1]", "network.ties"),
        (ROOT / "scenarios" / "tour.yaml", "network.ties.Syria=1", "network.ties"),
    ],
)
def test_an_entry_of_a_list_is_refused_with_how_to_set_the_list(capsys, scenario, setting, entry):
    """``--set relations.0=0.5`` said only "'relations' is a list, which has no named
    entries", not how to change a relation (an outside check, decision 888)."""
    message = _error(capsys, scenario, "--set", setting)
    assert message.endswith(
        f"'{entry}' is a list, which has no named entries; set it whole, {entry}=[...]"
    ), message


def test_a_relation_named_by_an_index_is_told_how_to_name_one(capsys):
    """``--set relations.0=0.5``: a relation is named by its two actors now (decision
    891), and the list can still be set whole."""
    message = _error(capsys, ROOT / "scenarios" / "syria.yaml", "--set", "relations.0=0.5")
    assert message == (
        "override relations.0=0.5: 'relations.0' does not name two actors (powers or "
        "states); a relation is set by its two actors, relations.FROM.TO=VALUE (e.g. "
        "relations.Saudi Arabia.Syria=-0.5), or the list whole, relations=[...]"
    ), message


@pytest.mark.parametrize("command", ["validate", "run"])
def test_an_override_that_leaves_an_event_outside_the_calendar_is_named(tmp_path, capsys, command):
    """``--set calendar.end=2015-06`` leaves the file's September 2015 event outside the
    calendar: the error was at the event's line alone, where nothing is wrong without the
    override (an audit of the inputs). It now names the override, and only the override
    the error needs: the trust memory set beside it is not named (decision 778)."""
    mini = DATA / "mini.yaml"
    out = ["--out", str(tmp_path / "out")] if command == "run" else []
    sets = ["--set", "parameters.trust.memory=0.9", "--set", "calendar.end=2015-06"]
    assert main([command, str(mini), *sets, *out]) == 2
    err = capsys.readouterr().err
    # Since decision 916 the one error is the override's: it names what the override leaves
    # out (the event, and the window 'late', 2016-01 to 2016-06, of mini.yaml) and what to do.
    assert err == (
        "credsim: error: override calendar.end=2015-06: calendar.end: 2015-06 leaves out 1 "
        f"event (intervention) and the window 'late' that {mini} dates after it; end the "
        "calendar at 2016-06 or later, or take the events out in a scenario that extends "
        "this one (remove_events) and give the windows new dates\n"
    ), err
    assert "memory" not in err
    assert not (tmp_path / "out").exists()


def test_an_error_the_file_has_without_the_override_does_not_name_it(tmp_path, capsys):
    """A mistake of the file itself (an event after its calendar) is the file's, whatever
    the overrides: naming one would send the researcher to the wrong place."""
    path = _variant(tmp_path, 'date: "2015-09"', 'date: "2019-09"')
    message = _error(capsys, path, "--set", "calendar.start=2014-06")
    assert message.startswith(f"{path}:10: events.intervention.date: date 2019-09 is outside")
    assert "override" not in message


def test_a_question_or_a_relation_short_of_its_form_is_told_the_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A question without `difference` (an experiment of one scenario) said only "required
    field is missing", and a relation of two names "item 3 is missing": an outside check
    wrote both and was told no form (decision 843). Each now gives it."""
    relation = tmp_path / "relation.yaml"
    relation.write_text(MINI_TEXT + "relations:\n  - [Syria, Jordan]\n")
    assert _error(capsys, relation).endswith(
        "relations[0][2]: item 3 is missing; a relation is [from, to, value], the value in "
        "[-1, 1], or {from, to, value, directed, source}"
    )
    experiment = tmp_path / "one.yaml"
    experiment.write_text(
        f"name: one\nscenarios: {{historical: {DATA / 'mini.yaml'}}}\nreplicates: 2\n"
        "question: {text: Russia's final trust, metric: final_trust.Russia.all}\n"
    )
    assert _error(capsys, experiment).endswith(
        "question.difference: required field is missing; a question compares two of the "
        "experiment's scenarios, difference: [a, b] (the metric in a minus the same in b)"
    )


@pytest.mark.parametrize(
    ("name", "choices", "meant"),
    [
        ("PRC", ["Russia", "USA", "China", "Chile"], "China"),
        ("China", ["USSR", "USA", "PRC"], "PRC"),
        ("Soviet Union", ["USSR", "USA", "PRC"], "USSR"),
        ("russia", ["USSR", "USA", "PRC"], "USSR"),
        ("United States", ["Russia", "USA", "China"], "USA"),
        ("US", ["USSR", "USA", "PRC"], "USA"),
    ],
)
def test_another_name_of_a_state_suggests_the_scenarios_name(name, choices, meant):
    """Syria calls the powers 'Russia' and 'China', the Cold War cases 'USSR' and 'PRC':
    a name learnt in one file and written in another was refused with no suggestion, as
    no spelling is close (decision 915). The vote data's aliases say they are one state."""
    from sim.scenario.schema import suggest

    assert suggest(name, choices) == f" (did you mean '{meant}', the name this scenario gives it?)"


def test_a_state_named_twice_among_the_choices_or_a_close_spelling_is_not_taken_for_one():
    from sim.scenario.schema import suggest

    # Two choices of the one state: neither is offered as its name.
    assert "the name this scenario gives it" not in suggest(
        "PRC", ["China", "People's Republic of China"]
    )
    # A slip of spelling is still a slip of spelling.
    assert suggest("Chna", ["Russia", "USA", "China"]) == " (did you mean 'China'?)"
    assert suggest("Narnia", ["Russia", "USA", "China"]) == ""


def test_an_actor_of_another_case_file_is_named_as_this_scenario_names_it(tmp_path, capsys):
    """End to end: a child of syria.yaml (which names the state 'China') that writes
    'PRC', and an override on sino_soviet.yaml (which names it 'PRC') that writes
    'China'."""
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {ROOT / 'scenarios' / 'syria.yaml'}\nname: child\nrelations:\n"
        "  - {from: PRC, to: Syria, value: 0.2}\n"
    )
    message = _error(capsys, child)
    assert message.startswith(f"{child}:4: relations[0].from: unknown actor 'PRC'; "), message
    assert message.endswith(" (did you mean 'China', the name this scenario gives it?)")
    code = main(
        ["run", str(ROOT / "scenarios" / "sino_soviet.yaml"), "--set", "relations.China.USA=0.2"]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(
        "credsim: error: override relations.China.USA=0.2: relations.China.USA: unknown actor "
        "'China'; "
    ), err
    assert err.endswith(" (did you mean 'PRC', the name this scenario gives it?)\n"), err


def _child(tmp_path: Path, body: str) -> Path:
    """A child of syria.yaml with ``body`` (YAML from line 3 on)."""
    path = tmp_path / "child.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'syria.yaml'}\nname: child\n{body}")
    return path


def test_a_childs_duplicate_event_id_names_its_own_earlier_event(tmp_path, capsys):
    """The earlier event of a duplicate id was said at the merged list's index ("also
    events[39]", syria.yaml having 39 events): it is the child's events[0], at line 4
    (decision 916)."""
    event = "date: '2016-03', kind: intervene, actor: Russia, target: Libya, magnitude: 1}"
    child = _child(tmp_path, f"events:\n  - {{id: new_one, {event}\n  - {{id: new_one, {event}\n")
    assert _error(capsys, child) == (
        f"{child}:5: events[1].id: duplicate event id 'new_one' (also events[0], line 4); "
        "ids must be unique"
    )


def test_a_child_event_with_a_parents_id_and_a_few_fields_is_told_it_replaces_whole(
    tmp_path, capsys
):
    """``{id: syria_withdrawal, magnitude: 1.0}`` meant to soften the withdrawal; it
    replaces syria.yaml's event whole, and was refused as "an event needs a 'kind'; kinds
    are: ..." (decision 916). syria.yaml writes the event at line 530 with date, kind,
    actor, target, magnitude, label, key (decision 956) and source."""
    syria = ROOT / "scenarios" / "syria.yaml"
    assert syria.read_text().splitlines()[529] == "  - id: syria_withdrawal"
    child = _child(tmp_path, "events:\n  - id: syria_withdrawal\n    magnitude: 1.0\n")
    assert _error(capsys, child) == (
        f"{child}:4: events.syria_withdrawal: this event takes the place of the one with its "
        f"id ({syria}:530) whole, not field by field, so it needs all its fields; it lacks "
        "date, kind, actor, target, label, key, source: copy the whole event and change what "
        "differs, or for one run, --set events.syria_withdrawal.magnitude=1"
    )
    # A whole event of that id replaces the parent's, as before.
    whole = (
        "events:\n  - {id: syria_withdrawal, date: '2024-12', kind: withdraw, actor: Russia, "
        "target: Syria, magnitude: 1.0}\n"
    )
    child.write_text(child.read_text().split("events:")[0] + whole)
    assert load_scenario(child).events[-1].magnitude != 1.0  # iran_strikes is the last
    assert next(e for e in load_scenario(child).events if e.id == "syria_withdrawal").magnitude == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "states:\n  Lybia: {aligned: Russia}\n",
            "states.Lybia: 'Lybia' is no state of {parent}, and a new state needs its region; "
            "a child changes its parent's states by their names (did you mean 'Libya'?)",
        ),
        (
            "powers:\n  Rusia: {capability: 0.3}\n",
            "powers.Rusia: 'Rusia' is no power of {parent}, and a new power needs its region; "
            "a child changes its parent's powers by their names (did you mean 'Russia'?)",
        ),
        (
            "states:\n  Russia: {aligned: none}\n",
            "states.Russia: 'Russia' is a power of {parent}, not a state: change it under powers",
        ),
    ],
)
def test_a_childs_misspelt_actor_is_not_taken_for_a_new_one(tmp_path, capsys, body, message):
    """A child's ``Lybia: {aligned: Russia}`` was read as a new state and refused as
    "states.Lybia.region: required field is missing", never naming the slip (decision
    916). A new actor with its region is still a new actor."""
    child = _child(tmp_path, body)
    parent = ROOT / "scenarios" / "syria.yaml"
    assert _error(capsys, child) == f"{child}:4: " + message.format(parent=parent)
    child.write_text(
        child.read_text().split("states:")[0].split("powers:")[0]
        + "states:\n  Malta: {region: europe, ideology: 0.1}\n"
    )
    assert "Malta" in load_scenario(child).states


def test_lybia_is_offered_libya_not_syria():
    """difflib rates 'Lybia' as close to 'Syria' as to 'Libya' (0.6 each) and offered the
    first it met; the same letters in another order are the likelier slip (decision 916)."""
    from sim.scenario.schema import suggest

    assert suggest("Lybia", ["Russia", "Syria", "Lebanon", "Libya"]) == " (did you mean 'Libya'?)"
    assert suggest("Sryia", ["Russia", "Syria", "Libya"]) == " (did you mean 'Syria'?)"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "relations[11].value=2",
            "relations[11].value: overrides do not name a relation by its place; a relation is "
            "set by its two actors, relations.FROM.TO=VALUE (e.g. relations.Saudi Arabia.Syria"
            "=-0.5), or the list whole, relations=[...]",
        ),
        (
            "relations.0.value=2",
            "'relations.0.value' does not name two actors (powers or states); a relation is "
            "set by its two actors, relations.FROM.TO=VALUE (e.g. relations.Saudi Arabia.Syria"
            "=-0.5), or the list whole, relations=[...]",
        ),
        (
            "network.ties[0]=3",
            "network.ties[0]: overrides do not name a list's entries by place; set it whole, "
            "network.ties=[...]",
        ),
        (
            "events[3].magnitude=2",
            "events[3].magnitude: overrides name an event by its id, events.ID.FIELD=VALUE "
            "(did you mean events.russia_intervention.magnitude?)",
        ),
    ],
)
def test_an_override_that_names_a_list_entry_by_its_place_is_told_how_to_name_it(
    capsys, setting, message
):
    """Error messages write ``relations[11].value``, and a user copies the form into
    ``--set``: it read "unknown field 'relations[11]' ... (did you mean 'relations'?)",
    or "unknown actor '0'" (decision 916). syria.yaml's fourth event is
    russia_intervention."""
    syria = ROOT / "scenarios" / "syria.yaml"
    assert load_scenario(syria).events[3].id == "russia_intervention"
    assert _error(capsys, syria, "--set", setting) == f"override {setting}: {message}"


def test_a_childs_calendar_that_leaves_out_its_parents_events_is_one_error_at_the_child(
    tmp_path, capsys
):
    """A child that ends syria.yaml's calendar in 2020 was given 26 errors at syria.yaml's
    lines, one a date (decision 916): one error now, at the child's calendar, says what
    it leaves out and what to do. syria.yaml dates 25 events after 2020, the first three
    mali_coup, afghanistan_withdrawal and taliban_takeover, the last in June 2025, and
    its window 'withdrawal' runs from December 2024 to June 2025."""
    syria = ROOT / "scenarios" / "syria.yaml"
    after = [e for e in load_scenario(syria).events if e.date is not None and e.date > "2020-12"]
    assert len(after) == 25 and max(e.date for e in after) == "2025-06"
    child = _child(tmp_path, 'calendar: {start: "2014-01", end: "2020-12", step: month}\n')
    assert main(["validate", str(child)]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {child}:3: calendar.end: 2020-12 leaves out 25 events (mali_coup, "
        f"afghanistan_withdrawal, taliban_takeover, ...) and the window 'withdrawal' that "
        f"{syria} dates after it; end the calendar at 2025-06 or later, or take the events "
        "out with remove_events and give the windows new dates\n"
    )
    child.write_text(child.read_text().replace('"2014-01", end: "2020-12", ', '"2015-01", '))
    message = _error(capsys, child)
    assert message == (
        f"{child}:3: calendar.start: 2015-01 leaves out 2 events (us_iraq_airstrikes, "
        f"barkhane) that {syria} dates before it; start the calendar at 2014-08 or earlier, "
        "or take the events out with remove_events"
    ), message


def test_a_childs_notes_name_the_file_that_writes_each_entry(tmp_path, capsys):
    """A file that only extends a middle file was told "j1.yaml: 1 event without a source
    note: m_ev", an event of the middle file, and syria.yaml's closing event under its
    own name (decision 916): each note names the file that writes its entries."""
    middle = tmp_path / "middle.yaml"
    middle.write_text(
        f"extends: {ROOT / 'scenarios' / 'syria.yaml'}\nname: middle\n"
        "relations:\n  - [Egypt, Syria, -0.3]\n"
        "events:\n  - {id: m_ev, date: '2016-03', kind: rhetoric, actor: Russia, magnitude: 1}\n"
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: middle.yaml\nname: child\n"
        "events:\n  - {id: c_ev, date: '2016-04', kind: rhetoric, actor: Russia, magnitude: 1}\n"
    )
    assert main(["validate", str(child)]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    syria = ROOT / "scenarios" / "syria.yaml"
    assert notes[0].startswith(f"credsim: note: {syria}: 1 closing event with no commitment")
    assert notes[1:] == [
        f"credsim: note: {middle}: 1 event without a source note (where the event is "
        "documented): m_ev",
        f"credsim: note: {child}: 1 event without a source note (where the event is "
        "documented): c_ev",
        f"credsim: note: {middle}: 1 relation without a source note: Egypt-Syria; a relation "
        "carries one when written {from: A, to: B, value: v, source: ...}",
    ]
