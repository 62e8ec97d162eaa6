"""A scenario prepared from its parameters twin (decision 868).

A sweep's design points and a calibration's simulations are scenarios made
from one base by overriding parameters alone: they share every other section
with it. ``sim.fast.engine.prepare`` then takes a kept twin's world, groups
and compiled arrays and makes again only what the parameters change. Here the
result must equal a build from nothing, array for array, and a run from it
must give the same bits; and a twin is taken only where it is one.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import parameters, scenario_dicts, validated

from sim.fast import FastModel
from sim.fast import engine as fast_engine
from sim.fast.engine import Prepared, parameters_twin, prepare
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
SYRIA = ROOT / "scenarios" / "syria.yaml"


def dotted(tree: dict[str, Any], prefix: str = "parameters") -> dict[str, Any]:
    """``{"parameters.a.b": value}`` overrides of a nested parameters mapping."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}"
        if isinstance(value, dict) and value:
            out |= dotted(value, path)
        else:
            out[path] = value
    return out


def shares_sections(a: Scenario, b: Scenario) -> bool:
    return all(getattr(a, n) is getattr(b, n) for n in Scenario.model_fields if n != "parameters")


def assert_same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.dtype == b.dtype, where
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f"{where}[{key}]")
    elif isinstance(a, list | tuple) and a and isinstance(a[0], np.ndarray):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, where


def assert_prepared_equal(got: Prepared, want: Prepared) -> None:
    for f in fields(want.compiled):
        assert_same(getattr(got.compiled, f.name), getattr(want.compiled, f.name), f.name)
    assert got.world.__dict__.keys() == want.world.__dict__.keys()
    for name, value in want.world.__dict__.items():
        assert_same(got.world.__dict__[name], value, f"world.{name}")
    assert_same(got.start, want.start, "start")
    assert [(g.name, g.members.tolist(), g.has_powers) for g in got.groups] == [
        (g.name, g.members.tolist(), g.has_powers) for g in want.groups
    ]
    assert_same(list(got.layout.member_sets), list(want.layout.member_sets), "layout")
    assert (got.windows, got.dates, got.n_steps) == (want.windows, want.dates, want.n_steps)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), v2=st.booleans(), seed=st.integers(0, 2**32 - 1))
def test_a_twins_prepared_is_a_build_from_nothing(data: st.DataObject, v2: bool, seed: int) -> None:
    base = validated(data.draw(scenario_dicts(max_events=16, v2=v2)))
    drawn, changes = data.draw(parameters(v2=v2)), data.draw(parameters(v2=v2))
    if base.network.initial == "equilibrium":
        # It needs susceptibility below 1, as scenario_dicts draws it for such a start: a
        # draw of 1.0 was refused by the loader, not a twin to test (decision 889).
        for values in (drawn, changes):
            values["diffusion"]["susceptibility"] = min(values["diffusion"]["susceptibility"], 0.95)
    first = load_scenario(base, dotted(drawn))
    # The two parameters the initial world is made of stay the first's (the twin's).
    changes["trust"]["prior_strength"] = first.parameters.trust.prior_strength
    changes.setdefault("stance", {})["from_ideology"] = first.parameters.stance.from_ideology
    second = load_scenario(base, dotted(changes))
    assume(shares_sections(first, second))  # parameters alone: made from the base's sections
    twin = Prepared.build(first)
    got, want = Prepared.build(second, twin), Prepared.build(second)
    assert_prepared_equal(got, want)
    # And a run from each, to the bit.
    runs = []
    for prepared in (got, want):
        fast_engine._PREPARED.clear()
        fast_engine._PREPARED[id(second)] = prepared
        model = FastModel(second, rng=seed, record="series").run()
        runs.append((model.flat_summary().values, model.series()["value"].to_numpy()))
    fast_engine._PREPARED.clear()
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.fixture
def empty_cache() -> Any:
    fast_engine._PREPARED.clear()
    yield
    fast_engine._PREPARED.clear()


def test_a_twin_is_taken_only_where_it_is_one(empty_cache: Any) -> None:
    base = load_scenario(str(SYRIA))
    kept = prepare(load_scenario(base, {"parameters.trust.memory": 0.9}))
    assert parameters_twin(load_scenario(base, {"parameters.trust.memory": 0.95})) is kept
    assert parameters_twin(load_scenario(base, {"parameters.affinity.scale": 1.7})) is kept
    # The initial world's own parameters differ: no twin.
    strength = base.parameters.trust.prior_strength + 1
    stronger = load_scenario(base, {"parameters.trust.prior_strength": strength})
    assert parameters_twin(stronger) is None
    from_ideology = base.parameters.stance.from_ideology + 0.5
    assert (
        parameters_twin(load_scenario(base, {"parameters.stance.from_ideology": from_ideology}))
        is None
    )
    # Another section overridden, or the same file loaded again: no shared sections.
    baseline = base.network.baseline + 0.01  # read into the parameter vector, as a section
    assert parameters_twin(load_scenario(base, {"network.baseline": baseline})) is None
    assert parameters_twin(load_scenario(str(SYRIA))) is None


def test_a_calibrations_simulations_are_prepared_from_twins(
    empty_cache: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = load_scenario(str(SYRIA))
    built: list[bool] = []
    build = Prepared.build.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Prepared], sc: Scenario, twin: Prepared | None = None) -> Prepared:
        built.append(twin is not None)
        return build(cls, sc, twin)

    monkeypatch.setattr(Prepared, "build", classmethod(counted))
    for memory in (0.9, 0.92, 0.94, 0.96):
        FastModel(load_scenario(base, {"parameters.trust.memory": memory}), rng=0, record="summary")
    assert built == [False, True, True, True]


@pytest.mark.parametrize(
    "name", ["syria", "sino_soviet", "afghanistan_ussr", "vietnam_usa", "egypt_ussr"]
)
def test_a_twins_start_at_rest_is_found_afresh_and_leaves_the_twins_alone(name: str) -> None:
    # These cases start at rest (network.initial: equilibrium), which the susceptibility
    # moves: the start is found again from the initial world, not from the twin's.
    base = load_scenario(str(ROOT / "scenarios" / f"{name}.yaml"))
    assert base.network.initial == "equilibrium"
    mu = base.parameters.diffusion.susceptibility
    first = load_scenario(base, {"parameters.diffusion.susceptibility": mu / 2})
    second = load_scenario(
        base, {"parameters.diffusion.susceptibility": (1 + mu) / 2, "parameters.trust.memory": 0.9}
    )
    twin = Prepared.build(first)
    before = twin.world.trust.copy()
    got = Prepared.build(second, twin)
    assert_prepared_equal(got, Prepared.build(second))
    np.testing.assert_array_equal(twin.world.trust, before)
    assert not np.array_equal(got.world.trust, before)  # the start did move
