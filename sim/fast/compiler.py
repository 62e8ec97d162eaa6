"""A validated scenario -> the flat arrays the compiled step loop reads.

:func:`compile_scenario` builds everything that does not change during a
run (places, the network's structure, the event tables, campaigns,
regime-change priors, the model v2 stances, affinity priors and per-kind
affinity weights) from the same :class:`sim.world.World` that the Mesa
model starts from, so both engines start from identical arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from sim.fast import core
from sim.kernels import BoolArray, FloatArray, IntArray
from sim.network import Ties
from sim.scenario.kinds import KINDS
from sim.scenario.schema import DEFAULT_WEIGHTS, NONE_ALIGNMENT, Scenario, event_field
from sim.world import NO_POWER, World, ideology_vector, prior_counts

KIND_CODES = {
    "intervene": core.INTERVENE,
    "support": core.SUPPORT,
    "withdraw": core.WITHDRAW,
    "refuse_aid": core.REFUSE_AID,
    "client_harmed": core.CLIENT_HARMED,
    "base_loss": core.BASE_LOSS,
    "expelled": core.EXPELLED,
    "side_with_adversary": core.SIDE_WITH_ADVERSARY,
    "rapprochement": core.RAPPROCHEMENT,
    "rhetoric": core.RHETORIC,
    "recognize": core.RECOGNIZE,
    "propaganda": core.PROPAGANDA,
    "regime_change": core.REGIME_CHANGE,
    "capability_change": core.CAPABILITY_CHANGE,
    "relation": core.RELATION,
}
COMMITMENT_CODES = {"open": core.OPENS, "close": core.CLOSES, None: 0}


def _kind_tables() -> tuple[FloatArray, IntArray]:
    """Per kind code, from the registry: the target's affinity direction and the commitment.

    The compiled loop treats every kind of the ``targeted`` handler alike
    (codes below :data:`sim.fast.core.N_TARGETED`); these two tables are what
    tells them apart besides their weights.
    """
    direction = np.zeros(core.N_KINDS)
    commitment = np.zeros(core.N_KINDS, dtype=np.int64)
    for name, spec in KINDS.items():
        code = KIND_CODES[name]
        direction[code] = dict(spec.parties).get("target", 0)
        commitment[code] = COMMITMENT_CODES[spec.commitment]
    return direction, commitment


KIND_DIRECTION, KIND_COMMITMENT = _kind_tables()


@dataclass
class Compiled:
    """The run-constant arrays of one scenario (see :func:`sim.fast.core.run_steps`)."""

    fp: FloatArray
    ip: IntArray
    region: IntArray
    bloc_ptr: IntArray
    bloc_idx: IntArray
    member_ptr: IntArray
    member_idx: IntArray
    group_weight: FloatArray
    # Each actor's total group weight: the world build's record of it (tests/
    # test_world_build.py); the kernels take the own value off group by group instead
    # (decision 747).
    self_weight: FloatArray
    tie_ptr: IntArray
    tie_idx: IntArray
    tie_w: FloatArray
    remaining: FloatArray
    has_neighbours: BoolArray
    ev_ptr: IntArray
    ev_kind: IntArray
    ev_actor: IntArray
    ev_target: IntArray
    ev_with: IntArray
    ev_mag: FloatArray
    ev_value: FloatArray
    ev_index: IntArray
    weight: FloatArray
    decay_pow: FloatArray
    rc_a0: FloatArray
    rc_b0: FloatArray
    rc_aligned: IntArray
    rc_has_ideology: BoolArray
    rc_ideology: FloatArray
    cp_actor: IntArray
    cp_about: IntArray
    cp_mag: FloatArray
    cp_first: IntArray
    cp_last: IntArray
    n_commitments: int
    kind_dir: FloatArray  # (N_KINDS,) the registry's affinity direction of the target
    kind_commit: IntArray  # (N_KINDS,) OPENS, CLOSES or 0
    # Model v2 (model.md section 8).
    aff_weight: FloatArray  # (N_KINDS,) affinity(kind)
    aff0: FloatArray  # (2, N, P): each observer's affinity priors a0, b0
    rc_aff: FloatArray  # (R, 2, P)
    rc_rel_ptr: IntArray
    rc_rel_actor: IntArray
    rc_rel_val: FloatArray
    rel_obs: IntArray  # the explicit stances at step 0
    rel_act: IntArray
    rel_val: FloatArray
    n_relations: int  # room for explicit stances during the run


def _csr(rows: list[list[int]]) -> tuple[IntArray, IntArray]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = [j for r in rows for j in r]
    return ptr, np.array(flat, dtype=np.int64)


def _bloc_csr(world: World) -> tuple[IntArray, IntArray]:
    """``world.blocs`` as CSR: each actor's bloc codes, ascending."""
    rows, codes = np.nonzero(world.blocs)
    ptr = np.zeros(world.n_actors + 1, dtype=np.int64)
    ptr[1:] = np.cumsum(np.bincount(rows, minlength=world.n_actors))
    return ptr, codes.astype(np.int64)


def _network(
    sc: Scenario, world: World, bloc_ptr: IntArray, bloc_idx: IntArray
) -> dict[str, np.ndarray]:
    """The structure of ``W`` (sim/network.py) as flat arrays, and each ``W_p``'s row sums.

    Args:
        bloc_ptr, bloc_idx: :func:`_bloc_csr` of ``world``.
    """
    net = sc.network
    n, n_powers = world.n_actors, world.n_powers
    n_regions = len(world.region_names)
    # Each actor's groups: its region, then its blocs (numbered after the regions).
    n_blocs_of = np.diff(bloc_ptr)
    member_ptr = bloc_ptr + np.arange(n + 1, dtype=np.int64)
    member_idx = np.empty(member_ptr[-1], dtype=np.int64)
    member_idx[member_ptr[:-1]] = world.region
    is_bloc = np.ones(member_ptr[-1], dtype=np.bool_)
    is_bloc[member_ptr[:-1]] = False
    member_idx[is_bloc] = n_regions + bloc_idx
    group_weight = np.concatenate(
        [np.full(n_regions, net.same_region), np.full(len(world.bloc_names), net.same_bloc)]
    )
    self_weight = net.same_region + net.same_bloc * n_blocs_of.astype(np.float64)
    listener, heard, given = Ties.from_network(net, world.index)
    # Duplicates summed in file order (as scipy's sum_duplicates does for
    # InfluenceNetwork), rows and columns sorted.
    cells, which = np.unique(listener * n + heard, return_inverse=True)
    # Float64 even without ties (where bincount gives int64), so that every scenario
    # calls the kernels with one signature and a process loads their machine code once.
    tie_w = np.bincount(which, weights=given, minlength=cells.shape[0]).astype(np.float64)
    tie_ptr = np.zeros(n + 1, dtype=np.int64)
    tie_ptr[1:] = np.cumsum(np.bincount(cells // n, minlength=n))
    tie_idx = (cells % n).astype(np.int64)
    weights = np.concatenate([[net.same_region, net.same_bloc, net.baseline], given])
    positive = weights[weights > 0]
    smallest = float(positive.min()) if positive.shape[0] else 1.0
    remaining = np.empty((n, n_powers))
    has_neighbours = np.empty((n, n_powers), dtype=np.bool_)
    core.network_rows(
        n_powers, member_ptr, member_idx, group_weight,
        tie_ptr, tie_idx, tie_w, float(net.baseline), 1e-9 * smallest,
        remaining, has_neighbours, core.blocks_for(n), core.threads_usable(),
    )  # fmt: skip
    return {
        "member_ptr": member_ptr,
        "member_idx": member_idx,
        "group_weight": group_weight,
        "self_weight": self_weight,
        "tie_ptr": tie_ptr,
        "tie_idx": tie_idx,
        "tie_w": tie_w,
        "remaining": remaining,
        "has_neighbours": has_neighbours,
    }


def parameter_arrays(sc: Scenario, world: World) -> dict[str, Any]:
    """The compiled arrays that come from ``sc.parameters`` (with ``world``'s shape), other
    than what the scenario's priors make of ``parameters.trust.prior_strength``: the
    parameter vectors ``fp`` and ``ip``, the kinds' weights and affinity settings, and the
    powers of the first-mover decay. :func:`recompiled` replaces these alone."""
    fp, ip = _parameters(sc, world)
    weight = np.zeros(core.N_KINDS)
    for name in DEFAULT_WEIGHTS:
        weight[KIND_CODES[name]] = sc.parameters.event_kinds.weight(name)
    aff_weight = np.zeros(core.N_KINDS)
    for name in KINDS:
        aff_weight[KIND_CODES[name]] = sc.parameters.event_kinds.affinity(name)
    decay = sc.parameters.event_kinds.first_mover_decay()
    decay_pow = np.array([decay**n for n in range(world.n_powers + 1)], dtype=np.float64)
    return {"fp": fp, "ip": ip, "weight": weight, "aff_weight": aff_weight, "decay_pow": decay_pow}


def recompiled(compiled: Compiled, sc: Scenario, world: World) -> Compiled:
    """``compiled`` for ``sc``, a scenario that differs from the one it was compiled from in
    its parameters alone, with the same prior strength and stances from ideology (whose
    effects, the priors and the stances, are the world's): its parameter arrays made again
    (:func:`parameter_arrays`), the rest shared."""
    return replace(compiled, **parameter_arrays(sc, world))


def _parameters(sc: Scenario, world: World) -> tuple[FloatArray, IntArray]:
    p = sc.parameters
    s = p.salience
    w = p.alignment.weights
    fp = np.zeros(core.N_FP)
    fp[core.FP_MEMORY] = p.trust.memory
    fp[core.FP_BIAS] = p.trust.negativity_bias
    fp[core.FP_MU] = p.diffusion.susceptibility
    fp[core.FP_SAL_TARGET] = s.target
    fp[core.FP_SAL_REGION] = s.same_region
    fp[core.FP_SAL_BLOC] = s.same_bloc
    fp[core.FP_SAL_ALIGNED] = s.aligned_with_actor
    fp[core.FP_SAL_GLOBAL] = s.global_
    fp[core.FP_TEMPERATURE] = p.alignment.temperature
    fp[core.FP_NONALIGNED] = p.alignment.nonaligned_utility
    fp[core.FP_W_TRUST] = w.trust
    fp[core.FP_W_CAPABILITY] = w.capability
    fp[core.FP_W_IDEOLOGY] = w.ideology
    fp[core.FP_W_INERTIA] = w.inertia
    fp[core.FP_BASELINE] = sc.network.baseline
    fp[core.FP_IDEOLOGY_SCALE] = 2.0 * np.sqrt(world.ideology.shape[1])
    fp[core.FP_STANCE_FROM_IDEOLOGY] = p.stance.from_ideology
    fp[core.FP_ENEMY_RELIABILITY] = p.stance.enemy_reliability
    fp[core.FP_AFFINITY_SCALE] = p.affinity.scale
    fp[core.FP_SAL_STANCE] = s.stance
    fp[core.FP_PRIOR_MEMORY] = p.trust.prior_memory
    fp[core.FP_W_AFFINITY] = w.affinity
    ip = np.zeros(core.N_IP, dtype=np.int64)
    ip[core.IP_PERIOD] = p.alignment.period
    ip[core.IP_EQUILIBRIUM] = int(sc.network.initial == "equilibrium")
    ip[core.IP_BLOCKS] = core.blocks_for(world.n_actors)
    return fp, ip


def _stances(world: World) -> tuple[IntArray, IntArray, FloatArray]:
    """The explicit stances at step 0 as (observer, actor, value) arrays."""
    cells = [
        (o, c, value) for c, column in world.stances.explicit.items() for o, value in column.items()
    ]
    return (
        np.array([x[0] for x in cells], dtype=np.int64),
        np.array([x[1] for x in cells], dtype=np.int64),
        np.array([x[2] for x in cells], dtype=np.float64),
    )


def compile_scenario(sc: Scenario, world: World) -> Compiled:
    """The run-constant arrays of ``sc``, whose initial state is ``world``."""
    index = world.index
    n_powers = world.n_powers
    n_steps = sc.calendar.n_steps
    bloc_ptr, bloc_idx = _bloc_csr(world)

    # Events grouped by step, file order kept within a step (EventEngine.by_step).
    events: list[Any] = sorted(sc.events, key=sc.event_step)
    steps = np.array([sc.event_step(e) for e in events], dtype=np.int64)
    ev_ptr = np.searchsorted(steps, np.arange(n_steps + 2), side="left").astype(np.int64)
    n_events = len(events)
    ev_kind = np.empty(n_events, dtype=np.int64)
    ev_actor = np.full(n_events, -1, dtype=np.int64)
    ev_target = np.full(n_events, -1, dtype=np.int64)
    ev_with = np.full(n_events, -1, dtype=np.int64)
    ev_mag = np.zeros(n_events)
    ev_value = np.zeros(n_events)
    ev_index = np.zeros(n_events, dtype=np.int64)
    d = world.ideology.shape[1]
    regimes: list[tuple[FloatArray, FloatArray, int, bool, list[float], FloatArray]] = []
    rc_relations: list[list[tuple[int, float]]] = []
    campaigns: list[tuple[int, int, float, int, int]] = []
    strength = sc.parameters.trust.prior_strength
    # Room for the explicit stances the run may add (each set at most once per event).
    n_relations = 0
    for i, event in enumerate(events):
        kind = event.kind
        ev_kind[i] = KIND_CODES[kind]
        actor = event_field(event, "actor")
        target = event_field(event, "target")
        with_ = event_field(event, "with_")
        if actor is not None:
            ev_actor[i] = index[actor]
        if target is not None:
            ev_target[i] = index[target]
        if with_ is not None:
            ev_with[i] = index[with_]
        ev_mag[i] = float(event_field(event, "magnitude", 0.0))
        if kind == "capability_change":
            given = event.value is not None
            ev_value[i] = float(event.value if given else event.delta)
            ev_index[i] = int(given)
        elif kind == "relation":
            ev_value[i] = float(event.value)
            ev_index[i] = int(event.directed)
            n_relations += 2
        elif kind == "regime_change":
            a0, b0 = prior_counts(world.power_names, event.trust, sc.defaults.trust, strength)
            a0_aff, b0_aff = prior_counts(
                world.power_names, event.affinity, sc.defaults.affinity, strength
            )
            if event.aligned is None:
                code = core.KEEP
            elif event.aligned == NONE_ALIGNMENT:
                code = NO_POWER
            else:
                code = index[event.aligned]
            has_ideology = event.ideology is not None
            vector = ideology_vector(event.ideology) if has_ideology else [0.0] * d
            ev_index[i] = len(regimes)
            regimes.append((a0, b0, code, has_ideology, vector, np.stack([a0_aff, b0_aff])))
            rc_relations.append([(index[name], float(v)) for name, v in event.relations.items()])
            n_relations += 2 * len(event.relations)
        elif kind == "propaganda":
            step = int(steps[i])
            last = n_steps if event.until is None else sc.calendar.step_of(event.until)
            campaigns.append((index[event.actor], index[event.about], event.magnitude, step, last))

    n_regimes = len(regimes)
    rc_rel_ptr, rc_rel_actor = _csr([[j for j, _ in r] for r in rc_relations])
    rel_obs, rel_act, rel_val = _stances(world)
    return Compiled(
        **parameter_arrays(sc, world),
        region=world.region.astype(np.int64),
        bloc_ptr=bloc_ptr,
        bloc_idx=bloc_idx,
        **_network(sc, world, bloc_ptr, bloc_idx),
        ev_ptr=ev_ptr,
        ev_kind=ev_kind,
        ev_actor=ev_actor,
        ev_target=ev_target,
        ev_with=ev_with,
        ev_mag=ev_mag,
        ev_value=ev_value,
        ev_index=ev_index,
        rc_a0=np.array([r[0] for r in regimes]).reshape(n_regimes, n_powers),
        rc_b0=np.array([r[1] for r in regimes]).reshape(n_regimes, n_powers),
        rc_aligned=np.array([r[2] for r in regimes], dtype=np.int64),
        rc_has_ideology=np.array([r[3] for r in regimes], dtype=np.bool_),
        rc_ideology=np.array([r[4] for r in regimes], dtype=np.float64).reshape(n_regimes, d),
        cp_actor=np.array([c[0] for c in campaigns], dtype=np.int64),
        cp_about=np.array([c[1] for c in campaigns], dtype=np.int64),
        cp_mag=np.array([c[2] for c in campaigns], dtype=np.float64),
        cp_first=np.array([c[3] for c in campaigns], dtype=np.int64),
        cp_last=np.array([c[4] for c in campaigns], dtype=np.int64),
        n_commitments=max(1, sum(KINDS[e.kind].commitment == "open" for e in events)),
        kind_dir=KIND_DIRECTION,
        kind_commit=KIND_COMMITMENT,
        aff0=np.stack([world.a0_aff, world.b0_aff]),
        rc_aff=np.array([r[5] for r in regimes], dtype=np.float64).reshape(n_regimes, 2, n_powers),
        rc_rel_ptr=rc_rel_ptr,
        rc_rel_actor=rc_rel_actor,
        rc_rel_val=np.array([v for r in rc_relations for _, v in r], dtype=np.float64),
        rel_obs=rel_obs,
        rel_act=rel_act,
        rel_val=rel_val,
        n_relations=max(1, n_relations),
    )
