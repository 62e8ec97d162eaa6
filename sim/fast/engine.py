"""FastModel: one run of the compiled engine, with the Mesa model's outputs.

A :class:`FastModel` starts from the same :class:`sim.world.World` and the
same random generator as :class:`sim.model.CredibilityModel`, runs the
compiled step loop (:mod:`sim.fast.core`) in chunks of steps, and hands
each step's arrays to the same :class:`sim.metrics.Recorder`, so the
summary, series and actors tables come from the one implementation in
:mod:`sim.metrics`.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import numpy as np

from sim.fast import core
from sim.fast.compiler import Compiled, compile_scenario, recompiled
from sim.finite import check_finite
from sim.kernels import FloatArray, alignment_base, equilibrium_by_gmres, equilibrium_tolerance
from sim.metrics import CHUNK_BYTES, Group, Layout, Statistics
from sim.model import (
    Record,
    RunResults,
    StepCallback,
    _resolve_scenario,
    influence_network,
    propensity,
    resolve_groups,
    run_recorder,
)
from sim.options import check_record
from sim.scenario.schema import Scenario
from sim.world import World

_INT32_MAX = int(np.iinfo(np.int32).max)

# Each step's held trust, own assessment, affinity and the states' alignment, as a
# compiled call hands them back: (K, N, P), (K, N, P), (K, N, P), (K, S).
Snapshots = tuple[FloatArray, FloatArray, FloatArray, np.ndarray]


def model_rng(rng: Any) -> np.random.Generator:
    """The generator ``mesa.Model(rng=rng)`` gives the model, in the same state.

    mesa draws one integer from it to seed ``model.random`` unless ``rng``
    is an int; the draw is repeated here so that the alignment draws that
    follow are the Mesa model's.
    """
    generator = np.random.default_rng(rng)
    if not isinstance(rng, int | np.integer):
        generator.integers(_INT32_MAX)
    return generator


@dataclass(frozen=True)
class Prepared:
    """What a scenario's runs share: its initial world, arrays, groups, windows and dates."""

    scenario: Scenario
    world: World
    compiled: Compiled
    groups: list[Group]
    layout: Layout
    windows: dict[str, tuple[int, int]]
    dates: list[str]
    n_steps: int
    # The starting values of the arrays a run keeps besides the world's (FastModel.__init__):
    # each run copies them, instead of building them from the compiled scenario again.
    start: dict[str, np.ndarray]
    # The steps with an event that changes a capability or an ideology, ascending (where
    # FastModel.propensity_gaps ends a compiled call).
    changing: np.ndarray

    @classmethod
    def build(cls, sc: Scenario, twin: Prepared | None = None) -> Prepared:
        """The Prepared of ``sc``; from ``twin``'s where given, the Prepared of a scenario
        that differs from ``sc`` in its parameters alone (:func:`parameters_twin`)."""
        if twin is not None:
            # The twin's initial world before its start at rest (World.__post_init__'s
            # trust, the one array of it that the other parameters change), its groups,
            # calendar, windows and the run's own starting arrays; the parameter arrays
            # made again.
            world = _sharing(twin.world, trust=twin.world.own.copy())
            compiled = recompiled(twin.compiled, sc, world)
            _start_at_rest(sc, world, compiled)
            return replace(twin, scenario=sc, world=world, compiled=compiled)
        world = World.from_scenario(sc)
        groups = resolve_groups(sc, world)
        compiled = compile_scenario(sc, world)
        _start_at_rest(sc, world, compiled)
        return cls(
            scenario=sc,
            world=world,
            compiled=compiled,
            groups=groups,
            layout=Layout.of(groups, world.n_powers),
            windows={
                name: (sc.calendar.step_of(start), sc.calendar.step_of(end))
                for name, (start, end) in sc.windows.items()
            },
            dates=sc.calendar.labels(),
            n_steps=sc.calendar.n_steps,
            start=_run_start(compiled, world),
            changing=_changing_steps(compiled),
        )

    def fresh_world(self) -> World:
        """A copy of the initial world whose arrays a run may change.

        A shallow copy with the changing arrays copied: the derived arrays are
        copied too rather than computed again (``World.__post_init__``).
        """
        return _sharing(self.world, **{n: getattr(self.world, n).copy() for n in FRESH_ARRAYS})


def _sharing(world: World, **own: np.ndarray) -> World:
    """A shallow copy of ``world``, its arrays shared but ``own``'s: the derived arrays are
    taken as they are rather than computed again (``World.__post_init__``)."""
    w = object.__new__(World)
    w.__dict__.update(world.__dict__)
    w.__dict__.update(own)
    return w


def _changing_steps(c: Compiled) -> np.ndarray:
    """The steps with an event that changes a capability or an ideology, ascending."""
    changing = np.isin(c.ev_kind, (core.CAPABILITY_CHANGE, core.REGIME_CHANGE))
    # Events of step k are ev_ptr[k]..ev_ptr[k + 1] - 1.
    return np.unique(np.searchsorted(c.ev_ptr, np.flatnonzero(changing), side="right") - 1)


def _start_at_rest(sc: Scenario, world: World, compiled: Compiled) -> None:
    """Set ``world.trust`` to the start at rest where the scenario asks for it (model v2
    ``network.initial``). It depends on the scenario alone: every run starts from the same
    held trust, so it is found once, as the scenario is prepared."""
    c = compiled
    if not c.ip[core.IP_EQUILIBRIUM]:
        return
    mu = float(c.fp[core.FP_MU])
    sweeps = core.equilibrium(
        world.own, world.trust, mu,
        c.member_ptr, c.member_idx, c.group_weight,
        c.tie_ptr, c.tie_idx, c.tie_w, c.fp[core.FP_BASELINE],
        c.remaining, c.has_neighbours, EQUILIBRIUM_SWEEPS,
        equilibrium_tolerance(mu, EQUILIBRIUM_TOLERANCE),
        int(c.ip[core.IP_BLOCKS]), core.threads_usable(),
    )  # fmt: skip
    if sweeps >= EQUILIBRIUM_SWEEPS:
        # Not settled (mu near 1): the Mesa model's GMRES solve, on its network.
        world.trust = _equilibrium_by_gmres(sc, world)


# The World arrays a run changes (the compiled loop writes them in place); affinity and
# its record are replaced by views on the run's own records (FastModel.__init__).
FRESH_ARRAYS = (
    "ideology", "capability", "aligned", "a0", "b0", "positive", "negative",
    "own", "trust", "distance",
)  # fmt: skip


def _run_start(c: Compiled, world: World) -> dict[str, np.ndarray]:
    """The starting values of a run's own arrays (see FastModel.__init__)."""
    n, p = world.n_actors, world.n_powers
    given = c.rel_obs.shape[0]
    room = given + c.n_relations
    rel_obs = np.zeros(room, dtype=np.int64)
    rel_act = np.zeros(room, dtype=np.int64)
    rel_val = np.zeros(room)
    rel_obs[:given], rel_act[:given], rel_val[:given] = c.rel_obs, c.rel_act, c.rel_val
    return {
        "recognized": np.zeros((n, p), dtype=np.bool_),
        "c_actor": np.zeros(c.n_commitments, dtype=np.int64),
        "c_target": np.zeros(c.n_commitments, dtype=np.int64),
        "c_mag": np.zeros(c.n_commitments),
        "c_count": np.zeros(1, dtype=np.int64),
        "rel_obs": rel_obs,
        "rel_act": rel_act,
        "rel_val": rel_val,
        "rel_count": np.array([given], dtype=np.int64),
    }


# The alignment draws (uniforms) of one compiled call are drawn before it: at most this
# much of them at once (100,000 states: about 40 steps a call).
UNIFORM_BYTES = 32 * 2**20


# Prepared scenarios of this process, most recent last: a sweep's replicates
# share their resolved Scenario object, so each design point is compiled once.
_PREPARED: OrderedDict[int, Prepared] = OrderedDict()
PREPARED_CACHE = 16


def prepare(sc: Scenario) -> Prepared:
    """The :class:`Prepared` of ``sc``, built once per Scenario object and kept; from a kept
    one's where ``sc`` differs from its scenario in parameters alone (a sweep's design
    points, a calibration's simulations: :func:`parameters_twin`)."""
    entry = _PREPARED.get(id(sc))
    if entry is None or entry.scenario is not sc:
        entry = Prepared.build(sc, parameters_twin(sc))
        _PREPARED[id(sc)] = entry
        if len(_PREPARED) > PREPARED_CACHE:
            _PREPARED.popitem(last=False)
    else:
        _PREPARED.move_to_end(id(sc))
    return entry


# The sections of a scenario besides its parameters (pydantic's fields, so a section added
# later is counted): a scenario made from another by overriding parameters alone shares
# each of them with it, the same objects (sim.scenario.loader._new_parameters).
_SECTIONS = tuple(name for name in Scenario.model_fields if name != "parameters")


def parameters_twin(sc: Scenario) -> Prepared | None:
    """A kept :class:`Prepared` whose scenario shares every section but ``parameters`` with
    ``sc`` (the same objects) and has its prior strength and stances from ideology, the two
    parameters the initial world is made of; None if no kept one does.

    Such a scenario has the same actors, network, events, groups and calendar: its
    Prepared takes the twin's world, groups and compiled arrays, and makes again only what
    its parameters change (the parameter arrays, the start at rest), about a tenth of a
    build (Syria 0.85 ms, Sino-Soviet 1.27 ms)."""
    trust, stance = sc.parameters.trust, sc.parameters.stance
    # A copy to walk: another thread of this process (a Dask worker's, the explorer's
    # sessions) may add to the kept ones meanwhile.
    for entry in reversed(list(_PREPARED.values())):
        other = entry.scenario
        if (
            all(getattr(other, name) is getattr(sc, name) for name in _SECTIONS)
            and other.parameters.trust.prior_strength == trust.prior_strength
            and other.parameters.stance.from_ideology == stance.from_ideology
        ):
            return entry
    return None


class FastModel(RunResults):
    """The credibility model of model.md on the compiled engine.

    Args:
        scenario: a validated :class:`Scenario`, a path or a mapping (as
            :class:`sim.model.CredibilityModel`).
        rng: seed for the alignment draws, as for ``mesa.Model``.
        record: ``summary``, ``series`` or ``actors``.
        **overrides: ``a__b`` override keywords, as for ``CredibilityModel``.
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | dict[str, Any] | None = None,
        rng: Any = None,
        *,
        record: Record = "series",
        **overrides: Any,
    ) -> None:
        if scenario is None:
            raise TypeError("FastModel needs a scenario (a path or a loaded Scenario)")
        check_record(record)  # "full" ran as series without a word (decision 959)
        sc = _resolve_scenario(scenario, overrides)
        self.spec = sc
        self.rng = model_rng(rng)
        self.record_level: Record = record
        prepared = prepare(sc)
        self.n_steps = prepared.n_steps
        self.dates = prepared.dates
        world = prepared.fresh_world()
        self.world = world
        c = prepared.compiled
        self.compiled: Compiled = prepared.compiled
        self.steps = 0
        self.running = True
        self.groups = prepared.groups
        self._changing = prepared.changing
        self.windows = prepared.windows
        self.recorder = run_recorder(self.groups, world, self.n_steps, record, prepared.layout)
        # The compiled loop's own state, from its starting values: commitments, explicit
        # stances (model v2); then the affinity records (a0, b0, r, s, affinity).
        start = prepared.start
        self._recognized = start["recognized"].copy()
        self._c_actor = start["c_actor"].copy()
        self._c_target = start["c_target"].copy()
        self._c_mag = start["c_mag"].copy()
        self._c_count = start["c_count"].copy()
        self._rel_obs = start["rel_obs"].copy()
        self._rel_act = start["rel_act"].copy()
        self._rel_val = start["rel_val"].copy()
        self._rel_count = start["rel_count"].copy()
        # Built, not copied: a template of this (5, N, P) array would double its memory.
        self._aff = np.zeros((5, world.n_actors, world.n_powers))
        self._aff[:2] = c.aff0
        self._aff[4] = world.affinity
        # The world's affinity arrays are views on the compiled loop's records.
        world.a0_aff, world.b0_aff = self._aff[0], self._aff[1]
        world.positive_aff, world.negative_aff = self._aff[2], self._aff[3]
        world.affinity = self._aff[4]
        # Affinity changes only with its channel on or at a regime change.
        self._affinity_moves = bool(c.fp[core.FP_AFFINITY_SCALE] != 0.0 or c.rc_a0.shape[0])
        self._statistics: Statistics | None = None
        self.recorder.record(0, world.trust, world.own, self._aff[4], self.aligned)

    # ------------------------------------------------------------------ views

    @property
    def affinity(self) -> FloatArray:
        """Affinity (N, P) after the last step (model.md 8.2); self cells are meaningless."""
        return self._aff[4]

    def propensity(self) -> FloatArray:
        """(S, P) alignment utility without inertia now, as ``CredibilityModel.propensity``."""
        return propensity(self.world, self.spec.parameters.alignment)

    # ------------------------------------------------------------------ stepping

    def _chunk(self) -> int:
        """Steps per compiled call: all of them, unless what a call needs at once would be large.

        That is the snapshots it hands over (record level ``series``) and the
        uniforms of its alignment draws, which are drawn before the call.
        """
        w = self.world
        steps = self.n_steps
        if self.record_level == "series":
            steps = min(steps, self._snapshot_steps())
        if self.compiled.fp[core.FP_TEMPERATURE] > 0:
            # At most UNIFORM_BYTES of draws at once, so memory does not grow with the calendar.
            steps = min(steps, UNIFORM_BYTES // (8 * max(1, w.n_actors - w.n_powers)))
        return max(1, steps)

    def _advance(self, k1: int) -> None:
        """Run steps ``self.steps + 1`` to ``k1`` and record each."""
        k0 = self.steps + 1
        snapshots = self._steps(k1, in_loop=self.record_level == "summary")
        if snapshots is not None:
            self.recorder.record_block(k0, *snapshots)

    def _steps(self, k1: int, *, in_loop: bool) -> Snapshots | None:
        """Run steps ``self.steps + 1`` to ``k1``: the Recorder's group means taken in the
        loop (``in_loop``, a summary's), or each step's state handed back (trust, own,
        affinity, the states' alignment: (K, N, P), (K, N, P), (K, N, P), (K, S))."""
        w, c = self.world, self.compiled
        k0 = self.steps + 1
        count = k1 - k0 + 1
        period = int(c.ip[core.IP_PERIOD])
        n_draws = sum(1 for k in range(k0, k1 + 1) if period and k % period == 0)
        n_states = w.n_actors - w.n_powers
        # The Mesa model draws one vector of uniforms per alignment step, in order;
        # a generator's doubles come one per draw, so one call gives the same rows.
        if c.fp[core.FP_TEMPERATURE] > 0:
            uniforms = self.rng.random((n_draws, n_states))
        else:
            uniforms = np.empty((n_draws, 0))
        # A summary needs only the group means: the loop takes them, and keeps no snapshots.
        kept = 0 if in_loop else count
        snap_trust = np.empty((kept, w.n_actors, w.n_powers))
        snap_own = np.empty((kept, w.n_actors, w.n_powers))
        snap_aligned = np.empty((kept, n_states), dtype=np.int64)
        snap_affinity = np.empty((kept if self._affinity_moves else 0, *w.own.shape))
        stats, sets = self.recorder.stats, self.recorder.member_sets
        bad = core.run_steps(
            k0, k1 + 1, c.fp, c.ip, core.threads_usable(),
            w.a0, w.b0, w.positive, w.negative, w.own, w.trust, w.ideology, w.distance,
            w.capability, w.aligned, self._recognized,
            self._c_actor, self._c_target, self._c_mag, self._c_count,
            c.region, c.bloc_ptr, c.bloc_idx,
            c.member_ptr, c.member_idx, c.group_weight,
            c.tie_ptr, c.tie_idx, c.tie_w, c.remaining, c.has_neighbours,
            c.ev_ptr, c.ev_kind, c.ev_actor, c.ev_target, c.ev_with, c.ev_mag, c.ev_value,
            c.ev_index, c.weight, c.decay_pow,
            c.rc_a0, c.rc_b0, c.rc_aligned, c.rc_has_ideology, c.rc_ideology,
            c.cp_actor, c.cp_about, c.cp_mag, c.cp_first, c.cp_last,
            uniforms,
            self._rel_obs, self._rel_act, self._rel_val, self._rel_count,
            self._aff, c.aff_weight, c.kind_dir, c.kind_commit,
            c.rc_aff, c.rc_rel_ptr, c.rc_rel_actor, c.rc_rel_val,
            snap_trust, snap_own, snap_aligned, snap_affinity,
            in_loop, *sets, stats.trust_mean, stats.own_mean, stats.affinity_mean,
            self.recorder.aligned,
        )  # fmt: skip
        if bad >= 0:
            check_finite(bad, self.dates[bad], w.quantities(), w.actor_names, w.power_names)
        self.steps = k1
        if k1 >= self.n_steps:
            self.running = False
        if in_loop:
            return None
        affinity = (
            snap_affinity
            if self._affinity_moves
            else np.broadcast_to(self._aff[4], snap_trust.shape)
        )
        return snap_trust, snap_own, affinity, snap_aligned

    def step(self) -> None:
        """Apply the next step (model.md section 4)."""
        if self.steps >= self.n_steps:
            self.running = False
            return
        self._advance(self.steps + 1)

    def run(self, on_step: StepCallback | None = None) -> FastModel:
        """Step to the calendar's end and return the model; ``on_step(done, total)``
        after each chunk of steps, if given (``credsim run``'s progress line)."""
        chunk = self._chunk()
        while self.steps < self.n_steps:
            self._advance(min(self.n_steps, self.steps + chunk))
            if on_step is not None:
                on_step(self.steps, self.n_steps)
        self.running = False
        return self

    def propensity_gaps(self, power: int, rival: int) -> FloatArray:
        """Run to the calendar's end and return ``U[o, power] - U[o, rival]`` at steps
        0..T, (T + 1, S): :func:`sim.patterns.link.propensity_gaps` on this engine.

        The same numbers, to the bit, as calling :meth:`propensity` after each
        :meth:`step`, in a few compiled calls instead of one a step (a step's call
        and its propensity in Python cost some 40 us, ten times the step). The
        loop hands back each step's held trust and affinity; capabilities and
        ideological distances change only at a step's events (``capability`` and
        ``regime_change``), so each call ends before the next step that has such
        an event, and the values after the call hold for every step of it. The
        run records no statistics: the model gives its gaps, not a summary.
        """
        if self.steps:
            raise RuntimeError("propensity gaps are taken from a run's start")
        w = self.world
        a = self.spec.parameters.alignment.weights
        n_powers = w.n_powers
        gaps = np.empty((self.n_steps + 1, w.n_actors - n_powers))
        utility = self.propensity()
        gaps[0] = utility[:, power] - utility[:, rival]
        limit = self._snapshot_steps()
        while self.steps < self.n_steps:
            k0 = self.steps + 1
            k1 = min(self.n_steps, self.steps + limit)
            # The call ends before the next step after k0 that changes them.
            after = np.searchsorted(self._changing, k0, side="right")
            if after < self._changing.size:
                k1 = min(k1, int(self._changing[after]) - 1)
            trust, _own, affinity, _aligned = cast("Snapshots", self._steps(k1, in_loop=False))
            # sim.model.propensity's arithmetic: its static part as it computes it (the
            # capabilities and distances after the call hold for each of its steps), then
            # alignment_utility's terms without inertia, element by element in its order.
            base = alignment_base(
                w.capability,
                w.distance[n_powers:],
                w_capability=a.capability,
                w_ideology=a.ideology,
                nonaligned_utility=0.0,
            )
            columns = []
            for p in (power, rival):
                column = base[p] + a.trust * trust[:, n_powers:, p]
                if a.affinity:
                    column += a.affinity * affinity[:, n_powers:, p]
                columns.append(column)
            gaps[k0 : k1 + 1] = columns[0] - columns[1]
        self.running = False
        return gaps

    def _snapshot_steps(self) -> int:
        """Steps per compiled call when each step's state is handed back (``series``, and
        the propensity gaps): a quarter of the Recorder's buffer, as the snapshots are
        handed over, not kept."""
        w = self.world
        return max(1, min(self.n_steps, CHUNK_BYTES // max(1, 4 * 16 * w.n_actors * w.n_powers)))

    # ------------------------------------------------------------------ results


def _equilibrium_by_gmres(sc: Scenario, world: World) -> FloatArray:
    """The start at rest as the Mesa model finds it when its iteration does not settle."""
    network = influence_network(sc, world)
    has = network.has_neighbours
    return equilibrium_by_gmres(
        world.own,
        network.neighbour_mean,
        None if has.all() else has,
        sc.parameters.diffusion.susceptibility,
    )


# Sweeps of the equilibrium iteration at most (each shrinks the error by mu or more).
EQUILIBRIUM_SWEEPS = 100_000
# The Mesa model's stopping rule (sim.kernels.friedkin_johnsen_equilibrium).
EQUILIBRIUM_TOLERANCE = 1e-15

WARM_UP_SCENARIO: dict[str, Any] = {
    "name": "warm_up",
    "calendar": {"start": "2000-01", "end": "2000-02"},
    # Two powers: a summary over more than one power calls sim.reductions.min_mean_sd.
    "powers": {"A": {"capability": 1.0, "region": "r"}, "B": {"capability": 0.5, "region": "q"}},
    "states": {"S": {"region": "r", "aligned": "A"}},
    "parameters": {"alignment": {"temperature": 0.1}},
    "events": [{"kind": "intervene", "step": 1, "actor": "A", "target": "S"}],
}


def warm_up() -> None:
    """Run a two-state scenario once, so that the compiled kernels are loaded."""
    FastModel(WARM_UP_SCENARIO, rng=0, record="summary").run().summary()
