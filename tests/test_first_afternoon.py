"""A researcher's first afternoon with a case of their own (decision 702): the messages
that said what was wrong but not the repair, or named the wrong field.

Each mistake was made while writing a new historical scenario, its counterfactual, a
sweep and a pattern file from the user documentation alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.sweep import design

SCENARIOS = Path(__file__).parent / "data" / "scenarios"
MINI_TEXT = (SCENARIOS / "mini.yaml").read_text()
SWEEP = Path(__file__).parent / "data" / "sweep"
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


@pytest.mark.parametrize(
    ("option", "first", "second"),
    [
        ("--set", "parameters.trust.negativity_bias=3", "parameters.trust.memory=0.95"),
        ("--vary", "parameters.trust.negativity_bias=1,2", "parameters.trust.memory=0.9,1"),
    ],
)
def test_two_values_after_one_option_get_the_option_once_for_each(capsys, option, first, second):
    """An outside walk through the README (decision 812): the Commands block's `--set
    PATH=VALUE ...` reads as several values after one --set, and `--set a=3 b=0.95` got
    "unrecognized arguments: b=0.95" alone. The error now gives the option for each."""
    command = "validate" if option == "--set" else "sweep"
    message = _error(capsys, command, SCENARIOS / "mini.yaml", option, first, second)
    form = "PATH=SPEC" if option == "--vary" else "PATH=VALUE"
    assert message.startswith(f"unrecognized arguments: {second}; ")
    assert (
        f"{option} takes one {form}: give one {option} for each, {option} {first} {option} {second}"
    ) in message


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


# --------------------------------------------------------------------------- --vary


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("0.9:0.99", "'0.9:0.99' is not a range here; write 'range(0.9,0.99,STEP)'"),
        ("1:3", "'1:3' is not a range here; write 'range(1,3,STEP)' or 'linspace(1,3,N)'"),
        ("0.5,0.9:0.99", "'0.9:0.99' in '0.5,0.9:0.99' is not a range here"),
        ("range(0.9,0.99)", "'range(0.9,0.99)' gives one value, 0.9: a range's step is 1"),
    ],
)
def test_a_range_that_is_not_one_is_refused_with_the_grammar(spec, expected):
    with pytest.raises(InputError) as caught:
        design.parse_spec(spec)
    assert expected in caught.value.message


def test_ranges_that_mean_what_they_say_are_kept():
    assert design.parse_spec("range(0,3)") == [0, 1, 2]
    assert design.parse_spec("range(0.5,2.5)") == [0.5, 1.5]
    assert design.parse_spec("range(0.5,1.5)") == [0.5]  # a span of 1 or more: as written


def test_varying_an_event_a_counterfactual_removes_says_what_to_vary_instead(tmp_path, capsys):
    path = tmp_path / "exp.yaml"
    path.write_text(
        "name: e\n"
        f"scenarios: {{base: {SWEEP / 'tiny.yaml'}, abstained: {SWEEP / 'tiny_abstained.yaml'}}}\n"
        "design:\n  method: grid\n  parameters:\n    events.withdrawal.magnitude: [1, 2]\n"
    )
    message = _error(capsys, "validate", path)
    # The event is the counterfactual's remove_events' (decision 817 says so; it said
    # "unknown event id" before).
    assert "event 'withdrawal' is taken out by the scenario's remove_events (scenario" in message
    assert message.endswith(
        "(scenario 'abstained', events.withdrawal.magnitude=1.0); scenario 'base' has the event "
        "'withdrawal' and scenario 'abstained' has none (its file removes it, or never had "
        "it), and a design sets its paths in every scenario: vary the withdraw events' weight "
        "(parameters.event_kinds.withdraw.weight) instead, or sweep the scenarios that have "
        "the event in an experiment of their own"
    )


def _two_scenarios(tmp_path: Path, more: str = "") -> Path:
    """An experiment of tiny.yaml beside a counterfactual without its withdrawal."""
    path = tmp_path / "exp.yaml"
    path.write_text(
        "name: e\n"
        f"scenarios: {{base: {SWEEP / 'tiny.yaml'}, abstained: {SWEEP / 'tiny_abstained.yaml'}}}\n"
        + more
    )
    return path


REPAIR = (
    "(scenario 'abstained'); scenario 'base' has the event 'withdrawal' and scenario "
    "'abstained' has none (its file removes it, or never had it), and {setter} sets its "
    "paths in every scenario: set the withdraw events' weight "
    "(parameters.event_kinds.withdraw.weight) instead, or sweep the scenarios that have the "
    "event in an experiment of their own"
)


def test_setting_an_event_a_counterfactual_removes_says_what_to_set_instead(tmp_path, capsys):
    """``--set events.withdrawal.magnitude=1`` (or the same in the file's ``overrides:``)
    beside a counterfactual without the withdrawal said only that the id is unknown,
    suggesting another event's; a design's path gave the repair (an audit of the inputs,
    decision 778)."""
    path = _two_scenarios(tmp_path)
    out = tmp_path / "out"
    setting = "events.withdrawal.magnitude=1"
    message = _error(capsys, "sweep", path, "--set", setting, "--out", out)
    taken = "event 'withdrawal' is taken out by the scenario's remove_events (scenario"
    assert message.startswith(f"override {setting}: events.withdrawal: {taken}")
    assert message.endswith(REPAIR.format(setter="--set")), message
    assert not out.exists()
    path = _two_scenarios(tmp_path, "overrides:\n  events.withdrawal.magnitude: 1\n")
    message = _error(capsys, "validate", path)
    assert message.startswith(f"{path}:4: overrides.events.withdrawal.magnitude: {taken}")
    assert message.endswith(REPAIR.format(setter="the experiment's overrides block")), message


def test_the_repair_drops_the_suggestion_of_another_event(tmp_path, capsys):
    """Beside the repair, "did you mean" named the closest id the counterfactual keeps
    (the audit's 'afghanistan_withdrawal' for Syria's 'syria_withdrawal'): another event."""
    base = tmp_path / "base.yaml"
    base.write_text(
        f"extends: {SWEEP / 'tiny.yaml'}\nname: base\nevents:\n"
        '  - {id: withdrawal_two, date: "2020-10", kind: withdraw, actor: Patron, '
        "target: Client, magnitude: 1.0}\n"
    )
    (tmp_path / "abstained.yaml").write_text(
        "extends: base.yaml\nname: abstained\nremove_events: [withdrawal]\n"
    )
    path = tmp_path / "exp.yaml"
    path.write_text(
        "name: e\nscenarios: {base: base.yaml, abstained: abstained.yaml}\n"
        "design:\n  parameters:\n    events.withdrawal.magnitude: [1, 2]\n"
    )
    message = _error(capsys, "validate", path)
    assert "did you mean" not in message and "vary the withdraw events' weight" in message
    message = _error(capsys, "validate", path, "--set", "events.withdrawal.magnitude=1")
    assert "did you mean" not in message and "set the withdraw events' weight" in message
    # Without another scenario that has it, the id is a slip, and the suggestion stays.
    message = _error(capsys, "validate", path, "--set", "events.withdrawl.magnitude=1")
    assert message.endswith("(did you mean 'withdrawal'?)"), message


def test_a_mistake_inside_an_overrides_value_is_said_at_its_own_line(tmp_path, capsys):
    """``overrides: {outputs.groups: {g: {members: [Clinet]}}}`` was refused at the
    override's line with its path (``overrides.outputs.groups``), not at the member."""
    path = _two_scenarios(
        tmp_path,
        "overrides:\n  outputs.groups:\n    east: {region: east}\n    client:\n"
        "      members: [Clinet]\n",
    )
    message = _error(capsys, "validate", path)
    assert message.startswith(
        f"{path}:7: overrides.outputs.groups.client.members: unknown actor 'Clinet'"
    ), message


# --------------------------------------------------------------------------- UN names


def test_a_wrong_un_name_in_observed_names_says_how_to_write_it_not_to_map_it():
    from sim.observed.names import un_name

    countries = ["Iran", "Iraq", "United States"]
    with pytest.raises(InputError) as caught:
        un_name("Iran", countries, {"Iran": "Persia"})
    assert caught.value.path == "observed.names.Iran"
    assert caught.value.message.endswith(
        "write the UN name as the vote data spells it, or null for an actor without a seat"
    )
    assert "map an actor" not in caught.value.message
    with pytest.raises(InputError) as caught:
        un_name("Persia", countries)  # an actor's own name: mapping it is the repair
    assert "map an actor to its UN name with the scenario's observed" in caught.value.message


# --------------------------------------------------------------------------- plot


def test_a_misspelt_across_gets_a_did_you_mean(tmp_path, capsys):
    import results_factory as factory

    grid = {"parameters.trust.negativity_bias": [1.0, 2.0], "parameters.trust.memory": [0.9, 1.0]}
    folder = factory.write_sweep(tmp_path / "sweep", {"base": 0.0}, grid, replicates=1)
    message = _error(capsys, "plot", folder, "--across", "parameters.trust.negativty_bias")
    assert message.endswith("(did you mean 'parameters.trust.negativity_bias'?)")
    assert not (folder / "plots").exists()


def test_an_event_the_scenarios_own_remove_events_took_out_is_said_so(tmp_path, capsys):
    """An outside check (decision 817): `--vary events.anadyr.magnitude=1,2` on a
    counterfactual that removes `anadyr` said "unknown event id 'anadyr'; event ids are:
    ...", as if it were misspelt. The loader now keeps what remove_events took out (not
    part of the scenario or its hash) and says it, with what to set instead; `run --set`
    too. A misspelt id keeps its suggestion."""
    abstained = SWEEP / "tiny_abstained.yaml"
    hint = (
        "event 'withdrawal' is taken out by the scenario's remove_events (to weaken its "
        "kind's events instead, set parameters.event_kinds.withdraw.weight)"
    )
    message = _error(capsys, "sweep", abstained, "--vary", "events.withdrawal.magnitude=1,2")
    assert message.startswith(f"--vary: events.withdrawal.magnitude: {hint}"), message
    out = tmp_path / "out"
    setting = "events.withdrawal.magnitude=2"
    message = _error(capsys, "run", abstained, "--set", setting, "--out", out)
    assert message == f"override {setting}: events.withdrawal: {hint}"
    assert not out.exists()
    message = _error(capsys, "run", abstained, "--set", "events.withdrawl.magnitude=2")
    assert "unknown event id 'withdrawl'" in message
    from sim.scenario import load_scenario, scenario_hash

    # Not part of the scenario: the same events without remove_events hash alike.
    removed = load_scenario(str(abstained))
    assert removed._removed_events == {"withdrawal": "withdraw"}
    same = load_scenario(removed.model_dump(mode="json", by_alias=True, exclude_none=True))
    assert same._removed_events == {} and scenario_hash(same, 0) == scenario_hash(removed, 0)
    assert same == removed  # equal scenarios, as before the record was kept
