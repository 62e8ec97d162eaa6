"""The vectorised set-up (World, the compiled network, InfluenceNetwork) builds the same arrays
as a plain per-actor, per-tie reference (issue 13, second round).

The reference below is written the straightforward way, one actor and one
tie at a time, as the set-up was before it was vectorised. Every array must
come out exactly equal: same values, dtypes, shapes, and the same order of
memberships and ties (the network sums' rounding depends on that order).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from strategies import kitchen_sink, scenarios, validated

from sim.fast import core
from sim.fast.compiler import compile_scenario
from sim.network import InfluenceNetwork, Ties
from sim.scenario import load_scenario
from sim.scenario.schema import RelationSpec, Scenario, TieSpec
from sim.scenario.synthetic import synthetic_tree
from sim.world import World, prior_counts

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def reference_world(sc: Scenario) -> dict[str, Any]:
    """The initial world's arrays, one actor at a time."""
    powers = list(sc.powers)
    specs = [*sc.powers.values(), *sc.states.values()]
    names = [*sc.powers, *sc.states]
    n, n_powers = len(names), len(powers)
    region_names = sorted({a.region for a in specs})
    bloc_names = sorted({b for a in specs for b in a.blocs})
    region = np.zeros(n, dtype=np.int64)
    blocs = np.zeros((n, len(bloc_names)), dtype=bool)
    members: list[list[int]] = []
    ideology = []
    aligned = np.full(n, -1, dtype=np.int64)
    strength = sc.parameters.trust.prior_strength
    priors = {key: np.zeros((n, n_powers)) for key in ("a0", "b0", "a0_aff", "b0_aff")}
    for i, a in enumerate(specs):
        region[i] = region_names.index(a.region)
        codes = sorted({bloc_names.index(b) for b in a.blocs})
        members.append(codes)
        for code in codes:
            blocs[i, code] = True
        values = a.ideology if isinstance(a.ideology, list) else [a.ideology]
        ideology.append([float(v) for v in values])
        if i >= n_powers and sc.states[names[i]].aligned != "none":
            aligned[i] = powers.index(sc.states[names[i]].aligned)
        priors["a0"][i], priors["b0"][i] = prior_counts(
            powers, a.trust, sc.defaults.trust, strength
        )
        priors["a0_aff"][i], priors["b0_aff"][i] = prior_counts(
            powers, a.affinity, sc.defaults.affinity, strength
        )
    explicit: dict[int, dict[int, float]] = {}
    for rel in sc.relations:
        if isinstance(rel, RelationSpec):
            a_name, b_name, value, directed = rel.source_actor, rel.to, rel.value, rel.directed
        else:
            a_name, b_name, value, directed = rel[0], rel[1], rel[2], False
        cells = [(names.index(a_name), names.index(b_name))]
        if not directed:
            cells.append((names.index(b_name), names.index(a_name)))
        for observer, actor in cells:
            explicit.setdefault(actor, {})[observer] = float(value)
    return {
        "actor_names": names,
        "power_names": powers,
        "index": {name: i for i, name in enumerate(names)},
        "region": region,
        "region_names": region_names,
        "blocs": blocs,
        "bloc_names": bloc_names,
        "members": members,
        "ideology": np.array(ideology, dtype=np.float64),
        "capability": np.array([float(p.capability) for p in sc.powers.values()]),
        "aligned": aligned,
        "explicit": explicit,
        **priors,
    }


def reference_ties(sc: Scenario, index: dict[str, int]) -> list[tuple[int, int, float]]:
    """``(listener, heard, weight)`` in file order, an undirected tie followed by its reverse."""
    net = sc.network
    out = []
    for tie in net.ties:
        if isinstance(tie, TieSpec):
            a, b, weight = tie.source, tie.to, tie.weight
            directed = net.directed if tie.directed is None else tie.directed
        else:
            a, b = tie[0], tie[1]
            weight = tie[2] if len(tie) == 3 else 1.0  # type: ignore[misc]
            directed = net.directed
        out.append((index[a], index[b], float(weight)))
        if not directed:
            out.append((index[b], index[a], float(weight)))
    return out


def reference_network(sc: Scenario, ref: dict[str, Any]) -> dict[str, np.ndarray]:
    """The compiled network's arrays, one actor and one tie at a time."""
    net = sc.network
    n, n_powers = len(ref["actor_names"]), len(ref["power_names"])
    n_regions = len(ref["region_names"])
    bloc_ptr, bloc_idx, member_ptr, member_idx = [0], [], [0], []
    for i, codes in enumerate(ref["members"]):
        bloc_idx.extend(codes)
        bloc_ptr.append(len(bloc_idx))
        member_idx.extend([int(ref["region"][i]), *(n_regions + b for b in codes)])
        member_ptr.append(len(member_idx))
    cells: dict[tuple[int, int], float] = {}
    for i, j, w in reference_ties(sc, ref["index"]):
        cells[i, j] = cells.get((i, j), 0.0) + w
    tie_ptr, tie_idx, tie_w = [0] * (n + 1), [], []
    for i, j in sorted(cells):
        tie_ptr[i + 1] += 1
        tie_idx.append(j)
        tie_w.append(cells[i, j])
    out = {
        "bloc_ptr": np.array(bloc_ptr, dtype=np.int64),
        "bloc_idx": np.array(bloc_idx, dtype=np.int64),
        "member_ptr": np.array(member_ptr, dtype=np.int64),
        "member_idx": np.array(member_idx, dtype=np.int64),
        "group_weight": np.array(
            [net.same_region] * n_regions + [net.same_bloc] * len(ref["bloc_names"]),
            dtype=np.float64,
        ),
        "self_weight": np.array(
            [net.same_region + net.same_bloc * float(len(m)) for m in ref["members"]]
        ),
        "tie_ptr": np.cumsum(tie_ptr, dtype=np.int64),
        "tie_idx": np.array(tie_idx, dtype=np.int64),
        "tie_w": np.array(tie_w, dtype=np.float64),
    }
    given = [w for *_, w in reference_ties(sc, ref["index"])]
    weights = [net.same_region, net.same_bloc, net.baseline, *given]
    smallest = min((w for w in weights if w > 0), default=1.0)
    remaining = np.empty((n, n_powers))
    has_neighbours = np.empty((n, n_powers), dtype=np.bool_)
    core.network_rows(
        n_powers, out["member_ptr"], out["member_idx"], out["group_weight"],
        out["tie_ptr"], out["tie_idx"], out["tie_w"],
        float(net.baseline), 1e-9 * smallest, remaining, has_neighbours,
        core.blocks_for(n), core.threads_usable(),
    )  # fmt: skip
    return {**out, "remaining": remaining, "has_neighbours": has_neighbours}


def assert_same(name: str, got: Any, expected: Any) -> None:
    """Exactly equal: values, and for arrays dtype and shape too."""
    if isinstance(expected, np.ndarray):
        assert isinstance(got, np.ndarray), name
        assert got.dtype == expected.dtype, f"{name}: {got.dtype} != {expected.dtype}"
        assert got.shape == expected.shape, f"{name}: {got.shape} != {expected.shape}"
        assert np.array_equal(got, expected), name
    else:
        assert type(got) is type(expected), name
        assert got == expected, name


def check(sc: Scenario) -> None:
    """World, compiled network and InfluenceNetwork of ``sc`` against the reference."""
    ref = reference_world(sc)
    world = World.from_scenario(sc)
    for name in (
        "actor_names", "power_names", "index", "region", "region_names", "blocs",
        "bloc_names", "ideology", "capability", "aligned", "a0", "b0", "a0_aff", "b0_aff",
    ):  # fmt: skip
        assert_same(name, getattr(world, name), ref[name])
    assert_same("index order", list(world.index.items()), list(ref["index"].items()))
    explicit = {c: list(col.items()) for c, col in world.stances.explicit.items()}
    assert list(explicit.items()) == [(c, list(col.items())) for c, col in ref["explicit"].items()]

    compiled = compile_scenario(sc, world)
    for name, expected in reference_network(sc, ref).items():
        assert_same(name, getattr(compiled, name), expected)
    assert_same("region (compiled)", compiled.region, ref["region"])

    # The Mesa model's operator: membership indicator and tie matrix as scipy built them.
    ties = reference_ties(sc, ref["index"])
    n = len(ref["actor_names"])
    net = InfluenceNetwork(
        world.region,
        world.blocs,
        Ties.from_network(sc.network, world.index),
        np.arange(len(ref["power_names"])),
        baseline=sc.network.baseline,
        same_region=sc.network.same_region,
        same_bloc=sc.network.same_bloc,
    )
    n_regions = len(ref["region_names"])
    membership = np.zeros((n, n_regions + len(ref["bloc_names"])))
    for i, codes in enumerate(ref["members"]):
        membership[i, ref["region"][i]] = 1.0
        membership[i, [n_regions + b for b in codes]] = 1.0
    got = net._membership
    assert_same("membership", got if isinstance(got, np.ndarray) else got.toarray(), membership)
    assert_same("network self weight", net._self_weight, reference_network(sc, ref)["self_weight"])
    if ties:
        expected = sp.csr_matrix(
            (
                np.array([t[2] for t in ties]),
                (np.array([t[0] for t in ties]), np.array([t[1] for t in ties])),
            ),
            shape=(n, n),
        )
        expected.sum_duplicates()
        assert net._ties is not None
        for part in ("data", "indices", "indptr"):
            assert_same(f"ties {part}", getattr(net._ties, part), getattr(expected, part))
    else:
        assert net._ties is None


def odd_synthetic(states: int, seed: int, directed: bool) -> dict[str, Any]:
    """A synthetic scenario plus ties in every written form, relations and hand-written states."""
    tree = synthetic_tree(states, 3, 24, seed=seed, blocs=4)
    width = len(str(states))

    def s(k: int) -> str:
        return f"S{k:0{width}d}"

    tree["network"] = {
        "directed": directed,
        "baseline": 0.01,
        "ties": [
            {"from": s(1), "to": s(2), "weight": 0.7},
            {"from": s(3), "to": "P1", "directed": False},
            {"from": s(2), "to": s(3), "directed": True, "weight": 0},
            [s(4), s(1)],
            [s(4), s(1), 2.5],
            [s(2), s(5), 3],
            [s(1), s(2), 0.1],
        ],
    }
    tree["relations"] = [
        [s(1), "P2", -0.5],
        {"from": "P1", "to": s(9), "value": 0.3, "directed": True},
        [s(1), "P2", 0.25],
    ]
    tree["states"] = {
        s(10): {
            "region": "R2",
            "blocs": ["B3", "B1", "B3"],
            "ideology": 1,
            "trust": {"P1": 0.9},
            "affinity": {"P2": {"mean": 0.2, "strength": 3}},
            "aligned": "P3",
        },
        s(11): {"region": "R1", "blocs": ["B4"], "trust": {"P2": {"mean": 0.7, "strength": 2}}},
    }
    tree["parameters"]["stance"] = {"from_ideology": 0.5}
    return tree


@pytest.mark.parametrize("directed", [False, True])
def test_triples_only(directed: bool) -> None:
    """Every tie a ``[from, to, weight]`` triple (the columnar path), some weights integers."""
    tree = synthetic_tree(200, 2, 12, seed=3)
    tree["network"] = {
        "directed": directed,
        "ties": [["S001", "S002", 2], ["S001", "S002", 0.3], ["P1", "S003", 0], ["S003", "P1", 1]],
    }
    check(load_scenario(tree))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios(path: Path) -> None:
    check(load_scenario(path))


@pytest.mark.parametrize(
    ("states", "seed", "blocs", "ties"),
    [(1, 1, 0, 0.0), (40, 2, 0, 2.0), (500, 3, None, 2.0), (3000, 4, None, 3.5), (2000, 5, 7, 0.0)],
)
def test_synthetic_scenarios(states: int, seed: int, blocs: int | None, ties: float) -> None:
    check(load_scenario(synthetic_tree(states, 4, 12, seed, blocs=blocs, ties_per_state=ties)))


@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_every_written_form(directed: bool, seed: int) -> None:
    """Mixed tie forms (the per-tie path), duplicate ties and blocs, relations, own priors."""
    check(load_scenario(odd_synthetic(300, seed, directed)))


def test_kitchen_sink() -> None:
    """Two ideology axes, regime changes, every event kind."""
    check(validated(kitchen_sink()))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sc=scenarios(v2=True))
def test_random_scenarios(sc: Scenario) -> None:
    check(sc)
