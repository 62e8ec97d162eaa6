"""Loading scenarios: extends merging, overrides, batch_run keywords, line numbers.

Fixtures are in tests/data/scenarios/ (model.md section 6, decisions.md 16 to 21).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import InputError
from sim.scenario.loader import batch_kwargs_to_overrides, load_scenario, parse_overrides
from sim.scenario.schema import resolved_relations
from sim.world import World

DATA = Path(__file__).parent / "data" / "scenarios"
MINI = DATA / "mini.yaml"


def _ids(scenario):
    return [event.id for event in scenario.events]


def test_mini_loads_as_written():
    sc = load_scenario(MINI)
    assert sc.name == "mini"
    assert list(sc.powers) == ["Russia", "USA"]
    assert list(sc.states) == ["Syria", "Jordan"]
    assert sc.states["Syria"].trust == {"Russia": 0.7, "USA": 0.1}
    assert sc.events[0].magnitude == 3.0
    assert sc.calendar.n_steps == 36
    assert sc.windows["late"] == ("2016-01", "2016-06")


def test_path_given_as_string_loads_the_same():
    assert load_scenario(str(MINI)) == load_scenario(MINI)


# --------------------------------------------------------------------------- extends


def test_extends_merges_mappings_key_by_key():
    sc = load_scenario(DATA / "child.yaml")
    assert sc.name == "child"
    assert sc.description == "Russia intervenes in Syria and withdraws."  # from the parent
    assert sc.parameters.trust.negativity_bias == 3.0  # child
    assert sc.parameters.trust.memory == 0.95  # parent, same mapping
    assert sc.parameters.salience.target == 0.9  # parent, other mapping
    assert sc.network.same_bloc == 0.7
    jordan = sc.states["Jordan"]
    assert jordan.blocs == ["gcc_partners"]  # lists other than events and ties are replaced
    assert (jordan.region, jordan.aligned) == ("levant", "USA")
    assert sc.calendar.end == "2016-12"


def test_extends_concatenates_ties():
    sc = load_scenario(DATA / "child.yaml")
    assert sc.network.resolved_ties() == [
        ("Syria", "Jordan", 2.0, False),
        ("Russia", "Jordan", 1.0, False),
    ]


def test_extends_concatenates_relations(tmp_path):
    """A child's relations are added to the parent's, as ties are (model.md section 6, 8.1);
    they used to replace them. A pair the child writes again takes the child's value."""
    parent = tmp_path / "parent.yaml"
    parent.write_text(
        MINI.read_text() + "relations: [[Syria, Jordan, -0.5], [Russia, USA, -0.8]]\n"
    )
    child = tmp_path / "child.yaml"
    child.write_text(
        "extends: parent.yaml\nname: child\n"
        "relations: [[Jordan, USA, 0.4], {from: USA, to: Russia, value: 0.2, directed: true}]\n"
    )
    sc = load_scenario(child)
    assert resolved_relations(sc.relations) == [
        ("Syria", "Jordan", -0.5, False),
        ("Russia", "USA", -0.8, False),
        ("Jordan", "USA", 0.4, False),
        ("USA", "Russia", 0.2, True),
    ]
    world = World.from_scenario(sc)

    def stance(observer: str, actor: str) -> float:
        return world.stances.explicit[world.index[actor]][world.index[observer]]

    assert stance("Syria", "Jordan") == stance("Jordan", "Syria") == -0.5  # the parent's, kept
    assert stance("Jordan", "USA") == stance("USA", "Jordan") == 0.4  # the child's, added
    assert stance("USA", "Russia") == 0.2  # written again by the child, later: its value
    assert stance("Russia", "USA") == -0.8  # the direction the child left alone


def test_extends_events_replaced_in_place_removed_and_appended():
    sc = load_scenario(DATA / "child.yaml")
    # parent: intervention, talk, withdrawal; child removes talk, replaces
    # intervention (keeping its place), appends strikes.
    assert _ids(sc) == ["intervention", "withdrawal", "strikes"]
    assert sc.events[0].magnitude == 4.0
    assert sc.events[0].date == "2015-10"
    assert sc.events[1].magnitude == 2.0


def test_extends_chain_of_three_files():
    sc = load_scenario(DATA / "grandchild.yaml")
    assert sc.name == "grandchild"
    assert sc.parameters.trust.negativity_bias == 3.0  # child
    assert sc.parameters.trust.memory == 0.95  # base
    assert sc.parameters.salience.global_ == 0.2  # grandchild
    assert sc.parameters.salience.target == 0.9  # base
    assert _ids(sc) == ["intervention", "withdrawal", "strikes", "late_talk"]


def test_mapping_source_extends_relative_to_cwd_and_inherits_name(monkeypatch):
    monkeypatch.chdir(DATA)
    sc = load_scenario({"extends": "base.yaml", "remove_events": ["withdrawal"]})
    assert sc.name == "base"
    assert _ids(sc) == ["intervention", "talk"]


def test_mapping_source_is_not_modified():
    tree = {
        "name": "m",
        "calendar": {"start": "2014-01", "end": "2014-12"},
        "powers": {"USA": {"capability": 1.0, "region": "americas"}},
        "states": {"Cuba": {"region": "americas"}},
    }
    load_scenario(tree, {"parameters.trust.memory": 0.5})
    assert "parameters" not in tree


# --------------------------------------------------------------------------- line numbers


def test_error_in_parent_points_at_parent_file_and_line():
    with pytest.raises(InputError) as info:
        load_scenario(DATA / "child_of_bad.yaml")
    err = info.value
    assert err.file is not None and err.file.endswith("parent_bad.yaml")
    assert err.line == 13
    assert err.path == "events.strike.magnitude"


def test_reference_error_after_merge_is_said_where_the_calendar_was_cut(tmp_path):
    child = tmp_path / "short.yaml"
    child.write_text(f"extends: {DATA / 'base.yaml'}\ncalendar: {{end: '2016-03'}}\n")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    err = info.value
    # base.yaml's withdrawal (dated 2016-06, line 49) and its window 'late' now lie after
    # the child's end: the error was at base.yaml's line 49; since decision 916 it is at
    # the child's calendar, which the user wrote, and says what it leaves out.
    assert err.file == str(child)
    assert err.line == 2
    assert err.path == "calendar.end"
    assert err.message.startswith("2016-03 leaves out 1 event (withdrawal) and the window ")
    assert "end the calendar at 2016-06 or later" in err.message


def test_error_in_child_points_at_child_line(tmp_path):
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {DATA / 'base.yaml'}\nparameters:\n  trust:\n    memory: 1.5\n")
    with pytest.raises(InputError) as info:
        load_scenario(child)
    assert (info.value.file, info.value.line) == (str(child), 4)
    assert info.value.path == "parameters.trust.memory"


# --------------------------------------------------------------------------- overrides


def test_override_parameter_as_mapping_and_as_string():
    by_mapping = load_scenario(MINI, {"parameters.trust.negativity_bias": 3})
    by_string = load_scenario(MINI, ["parameters.trust.negativity_bias=3"])
    assert by_mapping.parameters.trust.negativity_bias == 3.0
    assert by_string == by_mapping
    assert by_string.parameters.trust.memory == 0.98  # the rest of the section untouched


def test_override_values_are_parsed_as_yaml():
    sc = load_scenario(
        MINI,
        [
            "network.directed=true",
            "parameters.alignment.period=3",
            "outputs.groups.arab_league.members=[Syria, Jordan]",
            "description='a: b'",
        ],
    )
    assert sc.network.directed is True
    assert sc.parameters.alignment.period == 3
    assert sc.outputs.groups["arab_league"].members == ["Syria", "Jordan"]
    assert sc.description == "a: b"


def test_numbers_with_an_exponent_read_as_numbers_in_files_and_overrides(tmp_path):
    """YAML 1.1 reads ``1e-3`` as a string; every input reads it as the number 0.001."""
    from sim.calibrate.spec import parse_truth
    from sim.scenario.loader import parse_overrides, yaml_value

    assert [yaml_value(t, "t") for t in ("1e-3", "2E5", "1.5e3", "-.5e1", "'1e-3'")] == [
        0.001,
        200000.0,
        1500.0,
        -5.0,
        "1e-3",
    ]
    assert parse_overrides(["parameters.trust.memory=9.5e-1"])[0].value == 0.95
    assert parse_truth(["parameters.trust.memory=9.5e-1"], check_paths=False) == {
        "parameters.trust.memory": 0.95
    }
    text = MINI.read_text() + "parameters: {trust: {memory: 9.5e-1, prior_strength: 1e1}}\n"
    (tmp_path / "e.yaml").write_text(text)
    trust = load_scenario(tmp_path / "e.yaml").parameters.trust
    assert (trust.memory, trust.prior_strength) == (0.95, 10.0)


def test_override_power_capability_and_event_magnitude_by_id():
    sc = load_scenario(
        DATA / "child.yaml",
        {"powers.Russia.capability": 0.25, "events.withdrawal.magnitude": 7},
    )
    assert sc.powers["Russia"].capability == 0.25
    assert sc.powers["USA"].capability == 1.0
    assert [e.magnitude for e in sc.events] == [4.0, 7.0, 1.0]


_DOTTED = """\
name: dotted
calendar: {start: "2020-01", end: "2020-12", step: month}
powers:
  U.S.: {capability: 0.6, ideology: 0.3, region: north}
  USSR: {capability: 0.6, ideology: -0.3, region: west}
states:
  St. Lucia: {region: east, ideology: 0.4, aligned: U.S.}
  Jordan: {region: east, ideology: 0.1}
"""


def test_override_paths_reach_names_with_dots(tmp_path):
    """model.md 8.4: every field reachable by --set, also under a power named U.S."""
    path = tmp_path / "dotted.yaml"
    path.write_text(_DOTTED)
    sc = load_scenario(
        path,
        [
            "powers.U.S..capability=0.1",
            "states.St. Lucia.ideology=0.2",
            "states.St. Lucia.trust.U.S.=0.3",  # an entry the file does not have yet
            "states.Jordan.aligned=U.S.",
        ],
    )
    assert sc.powers["U.S."].capability == 0.1
    assert sc.states["St. Lucia"].ideology == 0.2
    assert sc.states["St. Lucia"].trust == {"U.S.": 0.3}
    assert sc.states["Jordan"].aligned == "U.S."
    # The name's final dot may double as the separator.
    assert load_scenario(path, ["powers.U.S.capability=0.2"]).powers["U.S."].capability == 0.2
    with pytest.raises(InputError, match=r"'parameters\.\.trust\.memory' has an empty part"):
        load_scenario(path, ["parameters..trust.memory=0.9"])


def test_override_creates_missing_sections():
    # mini.yaml has no parameters at all.
    sc = load_scenario(MINI, {"parameters.salience.global": 0.05})
    assert sc.parameters.salience.global_ == 0.05
    assert sc.parameters.salience.target == 1.0  # the defaults of the created section


def test_override_addresses_the_merged_tree():
    # the parent's event, kept through the child's merge
    sc = load_scenario(DATA / "grandchild.yaml", {"events.strikes.magnitude": 0.5})
    assert sc.events[2].id == "strikes"
    assert sc.events[2].magnitude == 0.5


def test_override_on_a_scenario_object_revalidates_and_leaves_it_alone():
    original = load_scenario(MINI)
    changed = load_scenario(original, {"parameters.trust.memory": 0.9})
    assert changed.parameters.trust.memory == 0.9
    assert original.parameters.trust.memory == 0.98
    assert load_scenario(original) is original
    with pytest.raises(InputError, match="must be <= 1"):
        load_scenario(original, {"parameters.trust.memory": 2})


def test_override_error_names_the_override():
    with pytest.raises(InputError) as info:
        load_scenario(MINI, ["parameters.trust.memory=abc"])
    assert str(info.value).startswith("override parameters.trust.memory=abc: ")
    assert "expected a number, got 'abc'" in str(info.value)


# --------------------------------------------------------------------------- batch_run


def test_batch_kwargs_to_overrides():
    assert batch_kwargs_to_overrides(
        {
            "trust__negativity_bias": 3,
            "salience__global": 0.2,
            "powers__Russia__capability": 0.5,
            "network__same_bloc": 1.0,
            "name": "x",
        }
    ) == {
        "parameters.trust.negativity_bias": 3,
        "parameters.salience.global": 0.2,
        "powers.Russia.capability": 0.5,
        "network.same_bloc": 1.0,
        "name": "x",
    }


def test_batch_kwargs_load_end_to_end():
    sc = load_scenario(MINI, batch_kwargs_to_overrides({"trust__negativity_bias": 4.5}))
    assert sc.parameters.trust.negativity_bias == 4.5


# --------------------------------------------------------------------------- generate


def test_generated_scenario_expands_and_overrides_apply_before_and_after():
    sc = load_scenario(DATA / "generated.yaml")
    assert (len(sc.powers), len(sc.states)) == (3, 30)
    assert sc.generate is not None and sc.generate.seed == 7
    # generate.* is applied before the population is drawn, powers.* after.
    small = load_scenario(
        DATA / "generated.yaml", {"generate.states": 5, "powers.P1.capability": 0.0}
    )
    assert len(small.states) == 5
    assert small.powers["P1"].capability == 0.0
    assert load_scenario(DATA / "generated.yaml") == sc  # same seed, same scenario


@pytest.mark.parametrize("states", [30, 10_000])
def test_a_large_draw_pauses_the_garbage_collector_and_gives_it_back(
    monkeypatch: pytest.MonkeyPatch, states: int
) -> None:
    """From 10,000 drawn states on, the draw and the validation run with the cyclic
    collector paused (more than half of their time was its sweeps, decision 796), and
    it runs again afterwards, also when the scenario is refused; a small draw keeps it."""
    import gc

    from sim.scenario import synthetic
    from sim.scenario.schema import Scenario

    seen: list[bool] = []
    real_expand, real_validate = synthetic.expand_generated, Scenario.model_validate

    def expand(tree: dict) -> dict:
        seen.append(gc.isenabled())
        return real_expand(tree)

    def validate(tree: object) -> Scenario:
        seen.append(gc.isenabled())
        return real_validate(tree)

    monkeypatch.setattr(synthetic, "expand_generated", expand)
    monkeypatch.setattr(Scenario, "model_validate", validate)
    paused = states >= 10_000
    assert gc.isenabled()
    sc = load_scenario(DATA / "generated.yaml", {"generate.states": states})
    assert len(sc.states) == states and seen == [not paused, not paused] and gc.isenabled()
    seen.clear()
    refused = {"generate.states": states, "powers.P1.capability": -1.0}
    with pytest.raises(InputError, match=r"powers\.P1\.capability"):
        load_scenario(DATA / "generated.yaml", refused)
    assert seen == [not paused, not paused] and gc.isenabled()


_SHIPPED = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", _SHIPPED, ids=[p.stem for p in _SHIPPED])
@pytest.mark.parametrize(
    "overrides",
    [
        {"parameters.trust.negativity_bias": 2.5, "parameters.trust.memory": 0.9},
        {"parameters.diffusion.susceptibility": 1.0},  # refused under an equilibrium start
        {"parameters.trust.memory": 2.0},  # out of range
        {"parameters.alignment.temperature": 0.3, "parameters.affinity.scale": 0.5},
        {"parameters": {"trust": {"negativity_bias": 3.0}}},
    ],
    ids=["bias", "susceptibility-1", "memory-2", "temperature", "whole-block"],
)
def test_a_checked_scenario_given_new_parameters_loads_as_from_its_tree(
    path: Path, overrides: dict[str, object]
) -> None:
    """A loaded scenario given overrides of its parameters alone skips the reference checks
    that cannot read them (decision 565: a sweep's or calibration's every point, 1.8 against
    0.8 ms for Syria). From its tree, the same overrides go through every check: both
    ways give the same scenario, or the same error."""
    from sim.scenario import ScenarioHasher, scenario_hash, scenario_tree

    base = load_scenario(path)
    outcomes = []
    for source in (base, scenario_tree(base)):
        try:
            outcomes.append(scenario_hash(load_scenario(source, overrides)))
        except InputError as exc:
            outcomes.append(f"{exc.path}: {exc.message}")
    assert outcomes[0] == outcomes[1]
    if len(outcomes[0]) == 64:  # loaded: a sweep's planner hashes it with the base's sections
        resolved = load_scenario(base, overrides)
        hasher = ScenarioHasher(base)
        assert hasher(resolved) == outcomes[0]
        assert hasher(resolved, 7, "x") == scenario_hash(resolved, 7, "x")


@pytest.mark.parametrize("path", _SHIPPED, ids=[p.stem for p in _SHIPPED])
def test_the_planners_hash_writes_anew_every_section_not_the_bases(path: Path) -> None:
    """Decision 597: ``ScenarioHasher`` splices in the base's JSON only for a section that
    is the base's own object. A section replaced (an equal copy, a changed value, one left
    out) is written anew, so the digest is always ``scenario_hash``'s."""
    from sim.scenario import ScenarioHasher, scenario_hash, scenario_tree

    base = load_scenario(path)
    hasher = ScenarioHasher(base)
    assert hasher(base) == scenario_hash(base)
    changed = [
        base.model_copy(update={"description": base.description + " (changed)"}),
        base.model_copy(update={"events": list(reversed(base.events))}),
        base.model_copy(update={"states": dict(list(base.states.items())[1:])}),
        base.model_copy(update={"observed": None, "generate": None}),
        load_scenario(scenario_tree(base)),  # every section an equal copy
    ]
    for scenario in changed:
        assert hasher(scenario) == scenario_hash(scenario)
    assert hasher(changed[0]) != hasher(base)


def test_new_parameters_alone_validate_only_the_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Decision 576: a loaded scenario given valid parameters validates no whole scenario
    (the equality with the whole way is the test above); a refused value still goes the
    whole way and is said as before; the sections other than the parameters are the
    loaded scenario's own."""
    from sim.scenario.schema import Scenario

    base = load_scenario(_SHIPPED[0])
    calls: list[int] = []
    original = Scenario.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Scenario], *args: object, **kwargs: object) -> Scenario:
        calls.append(1)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Scenario, "model_validate", classmethod(counted))
    new = load_scenario(base, {"parameters.trust.memory": 0.91})
    assert calls == []
    assert new.parameters.trust.memory == 0.91 and base.parameters.trust.memory != 0.91
    assert new.states is base.states and new.events is base.events
    with pytest.raises(InputError, match="must be <= 1, got 2"):
        load_scenario(base, {"parameters.trust.memory": 2.0})
    assert calls == [1]


def test_every_reference_check_that_reads_the_parameters_is_a_parameter_problem() -> None:
    """The shortcut of decision 565 holds while no reference check reads the parameters
    but :func:`parameter_problems`'s: with the parameters read through a guard, the checks
    of every shipped scenario outside it touch them not at all."""
    import sim.scenario.schema as schema

    class Guard:
        def __init__(self, inner: object, touched: list[str]) -> None:
            self.inner, self.touched = inner, touched

        def __getattr__(self, name: str) -> object:
            self.touched.append(name)
            return getattr(self.inner, name)

    for path in _SHIPPED:
        scenario = load_scenario(path)
        touched: list[str] = []
        guarded = scenario.model_copy()
        object.__setattr__(guarded, "parameters", Guard(scenario.parameters, touched))
        original = schema._check_initial
        try:
            schema._check_initial = lambda sc: None  # type: ignore[assignment]
            assert schema.reference_problems(guarded) == []
        finally:
            schema._check_initial = original
        assert touched == [], (path.stem, touched)
        assert schema.parameter_problems(scenario) == []


def test_a_dot_in_a_group_or_window_name_is_refused(tmp_path):
    """Results name their metrics with dots (experiments.md: ``final_trust.Russia.all``).
    A group ``e.ast`` or a window ``w.x`` could not be told from a power ``U.S.`` there:
    the sweep of such a scenario wrote its runs and then drew no figure, saying nothing
    (an outside check). Each is refused at its entry, naming an underscore instead."""
    path = tmp_path / "dotted.yaml"
    path.write_text(
        _DOTTED
        + 'windows:\n  w.x: ["2020-02", "2020-04"]\n'
        + "outputs:\n  groups:\n    e.ast: {region: east}\n"
    )
    said = [
        (10, "windows.w.x: a window", "w.x", "trust_change.w.x.U.S..all", "w_x"),
        (13, "outputs.groups.e.ast: a group", "e.ast", "final_trust.U.S..e.ast", "e_ast"),
    ]
    for line, what, name, metric, instead in said:
        with pytest.raises(InputError) as raised:
            load_scenario(str(path))
        assert str(raised.value) == (
            f"{path}:{line}: {what} name cannot hold a dot ('{name}'): results name their "
            f"metrics with dots ({metric}); call it '{instead}'"
        )
        path.write_text(path.read_text().replace(f"{name}:", f"{instead}:"))
    assert list(load_scenario(str(path)).outputs.groups) == ["e_ast"]


@settings(max_examples=400, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True))
def test_a_float_overrides_text_is_what_yaml_writes(value: float) -> None:
    # A mapping's float override is written for messages as PyYAML writes it (decision
    # 869), without PyYAML's emitter: the same text, for every float.
    written = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9)
    expected = written.strip().removesuffix("...").strip()
    (override,) = parse_overrides({"parameters.trust.memory": value})
    assert override.text == f"parameters.trust.memory={expected}"
