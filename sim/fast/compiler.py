"""A validated scenario -> the flat arrays the compiled step loop reads.

:func:`compile_scenario` builds everything that does not change during a
run (places, the network's structure, the event tables, campaigns,
regime-change priors) from the same :class:`sim.world.World` that the Mesa
model starts from, so both engines start from identical arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.fast import core
from sim.kernels import BoolArray, FloatArray, IntArray
from sim.model import _directed_ties
from sim.scenario.schema import DEFAULT_WEIGHTS, NONE_ALIGNMENT, Scenario
from sim.world import NO_POWER, World, ideology_vector, prior_counts

KIND_CODES = {
    "intervene": core.INTERVENE,
    "support": core.SUPPORT,
    "withdraw": core.WITHDRAW,
    "refuse_aid": core.REFUSE_AID,
    "client_harmed": core.CLIENT_HARMED,
    "base_loss": core.BASE_LOSS,
    "side_with_adversary": core.SIDE_WITH_ADVERSARY,
    "rapprochement": core.RAPPROCHEMENT,
    "rhetoric": core.RHETORIC,
    "recognize": core.RECOGNIZE,
    "propaganda": core.PROPAGANDA,
    "regime_change": core.REGIME_CHANGE,
    "capability_change": core.CAPABILITY_CHANGE,
}

# Model v2 affinity(kind) defaults (model.md section 8.2); the kinds not named have none.
DEFAULT_AFFINITY = {
    "intervene": 1.0,
    "support": 0.1,
    "recognize": 0.8,
    "withdraw": 1.0,
    "refuse_aid": 0.6,
    "client_harmed": 0.8,
    "side_with_adversary": 1.0,
    "rapprochement": 0.5,
}


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
    # Model v2 (model.md section 8), at the values that leave v1 unchanged until
    # the v2 adapter fills them from the scenario (see V2_SWITCHES).
    aff_weight: FloatArray
    aff0: FloatArray  # (2, N, P): each observer's affinity priors a0, b0
    rc_aff: FloatArray  # (R, 2, P)
    rc_rel_ptr: IntArray
    rc_rel_actor: IntArray
    rc_rel_val: FloatArray
    rel_obs: IntArray  # the explicit stances at step 0
    rel_act: IntArray
    rel_val: FloatArray
    n_relations: int  # room for explicit stances during the run


# Model v2 (model.md section 8) switches, each with the value that leaves v1 unchanged.
V2_SWITCHES = (
    ("parameters.stance.enemy_reliability", 1.0),
    ("parameters.affinity.scale", 0.0),
    ("parameters.salience.stance", 0.0),
    ("parameters.trust.prior_memory", 1.0),
    ("parameters.alignment.weights.affinity", 0.0),
    ("network.initial", "prior"),
)


def v2_in_use(sc: Scenario) -> list[str]:
    """The model v2 switches that ``sc`` turns on (none before v2 is in the schema)."""
    used = []
    for path, off in V2_SWITCHES:
        value: Any = sc
        for part in path.split("."):
            value = getattr(value, part, off)
        if value != off:
            used.append(path)
    return used


def check_supported(sc: Scenario) -> None:
    """Raise :class:`InputError` if ``sc`` needs what the fast engine does not do yet.

    The compiled core implements model.md v1; with every v2 switch off a v2
    scenario is a v1 one (its stances and ``relation`` events then change
    nothing) and runs here.
    """
    used = v2_in_use(sc)
    if used:
        raise InputError(
            f"scenario '{sc.name}' uses model v2 ({', '.join(used)}), which the fast "
            "engine does not run yet; use --engine mesa (or engine: mesa in the experiment)"
        )


def _csr(rows: list[list[int]]) -> tuple[IntArray, IntArray]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = [j for r in rows for j in r]
    return ptr, np.array(flat, dtype=np.int64)


def _network(sc: Scenario, world: World) -> dict[str, np.ndarray]:
    """The structure of ``W`` (sim/network.py) as flat arrays, and each ``W_p``'s row sums."""
    net = sc.network
    n, n_powers = world.n_actors, world.n_powers
    n_regions = len(world.region_names)
    groups = [
        [int(world.region[i]), *(n_regions + b for b in world.bloc_members[i])] for i in range(n)
    ]
    member_ptr, member_idx = _csr(groups)
    group_weight = np.concatenate(
        [np.full(n_regions, net.same_region), np.full(len(world.bloc_names), net.same_bloc)]
    )
    self_weight = net.same_region + net.same_bloc * np.array(
        [len(b) for b in world.bloc_members], dtype=np.float64
    )
    ties = _directed_ties(sc, world.index)
    # Duplicates summed, as scipy's sum_duplicates does for InfluenceNetwork.
    summed: dict[tuple[int, int], float] = {}
    for i, j, w in ties:
        summed[(i, j)] = summed.get((i, j), 0.0) + w
    by_row: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for (i, j), w in sorted(summed.items()):
        by_row[i].append((j, w))
    tie_ptr, tie_idx = _csr([[j for j, _ in r] for r in by_row])
    tie_w = np.array([w for r in by_row for _, w in r], dtype=np.float64)
    weights = [net.same_region, net.same_bloc, net.baseline, *(t[2] for t in ties)]
    smallest = min((w for w in weights if w > 0), default=1.0)
    remaining = np.empty((n, n_powers))
    has_neighbours = np.empty((n, n_powers), dtype=np.bool_)
    core.network_rows(
        n_powers, member_ptr, member_idx, group_weight, self_weight,
        tie_ptr, tie_idx, tie_w, float(net.baseline), 1e-9 * smallest,
        remaining, has_neighbours,
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
    fp[core.FP_ENEMY_RELIABILITY] = 1.0
    fp[core.FP_PRIOR_MEMORY] = 1.0
    ip = np.zeros(core.N_IP, dtype=np.int64)
    ip[core.IP_PERIOD] = p.alignment.period
    return fp, ip


def compile_scenario(sc: Scenario, world: World) -> Compiled:
    """The run-constant arrays of ``sc``, whose initial state is ``world``.

    Raises:
        InputError: ``sc`` turns on a model v2 mechanism (:func:`check_supported`).
    """
    check_supported(sc)
    index = world.index
    n_powers = world.n_powers
    n_steps = sc.calendar.n_steps
    fp, ip = _parameters(sc, world)
    bloc_ptr, bloc_idx = _csr([list(b) for b in world.bloc_members])

    # Events grouped by step, file order kept within a step (EventEngine.by_step).
    # Stances change nothing while every v2 switch is off, nor do relation events.
    kept = [e for e in sc.events if e.kind in KIND_CODES]
    events: list[Any] = sorted(kept, key=sc.event_step)
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
    regimes: list[tuple[FloatArray, FloatArray, int, bool, list[float]]] = []
    campaigns: list[tuple[int, int, float, int, int]] = []
    strength = sc.parameters.trust.prior_strength
    for i, event in enumerate(events):
        kind = event.kind
        ev_kind[i] = KIND_CODES[kind]
        if getattr(event, "actor", None) is not None:
            ev_actor[i] = index[event.actor]
        if getattr(event, "target", None) is not None:
            ev_target[i] = index[event.target]
        if getattr(event, "with_", None) is not None:
            ev_with[i] = index[event.with_]
        ev_mag[i] = float(getattr(event, "magnitude", 0.0))
        if kind == "capability_change":
            given = event.value is not None
            ev_value[i] = float(event.value if given else event.delta)
            ev_index[i] = int(given)
        elif kind == "regime_change":
            a0, b0 = prior_counts(world.power_names, event.trust, sc.defaults.trust, strength)
            if event.aligned is None:
                code = core.KEEP
            elif event.aligned == NONE_ALIGNMENT:
                code = NO_POWER
            else:
                code = index[event.aligned]
            has_ideology = event.ideology is not None
            vector = ideology_vector(event.ideology) if has_ideology else [0.0] * d
            ev_index[i] = len(regimes)
            regimes.append((a0, b0, code, has_ideology, vector))
        elif kind == "propaganda":
            step = int(steps[i])
            last = n_steps if event.until is None else sc.calendar.step_of(event.until)
            campaigns.append((index[event.actor], index[event.about], event.magnitude, step, last))

    weight = np.zeros(len(KIND_CODES))
    for name in DEFAULT_WEIGHTS:
        weight[KIND_CODES[name]] = sc.parameters.event_kinds.weight(name)
    decay = sc.parameters.event_kinds.first_mover_decay()
    decay_pow = np.array([decay**n for n in range(n_powers + 1)], dtype=np.float64)
    n_regimes = len(regimes)
    aff_weight = np.zeros(core.N_KINDS)
    for name, value in DEFAULT_AFFINITY.items():
        aff_weight[KIND_CODES[name]] = value
    # Affinity priors: 0.5 at the prior strength for everyone (v2's defaults).
    half = 0.5 * strength
    return Compiled(
        fp=fp,
        ip=ip,
        region=world.region.astype(np.int64),
        bloc_ptr=bloc_ptr,
        bloc_idx=bloc_idx,
        **_network(sc, world),
        ev_ptr=ev_ptr,
        ev_kind=ev_kind,
        ev_actor=ev_actor,
        ev_target=ev_target,
        ev_with=ev_with,
        ev_mag=ev_mag,
        ev_value=ev_value,
        ev_index=ev_index,
        weight=weight,
        decay_pow=decay_pow,
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
        n_commitments=max(1, sum(e.kind == "intervene" for e in events)),
        aff_weight=aff_weight,
        aff0=np.full((2, world.n_actors, n_powers), half),
        rc_aff=np.full((n_regimes, 2, n_powers), half),
        rc_rel_ptr=np.zeros(n_regimes + 1, dtype=np.int64),
        rc_rel_actor=np.zeros(0, dtype=np.int64),
        rc_rel_val=np.zeros(0),
        rel_obs=np.zeros(0, dtype=np.int64),
        rel_act=np.zeros(0, dtype=np.int64),
        rel_val=np.zeros(0),
        n_relations=1,
    )
