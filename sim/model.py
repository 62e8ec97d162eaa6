"""CredibilityModel: the mesa model that orchestrates one run (model.md sections 2 to 5).

``Model.step`` is orchestration only: events -> evidence -> own assessment
-> social influence -> alignment -> record. The arithmetic lives in
:mod:`sim.kernels`, :mod:`sim.network` and :mod:`sim.events`; the state in
:class:`sim.world.World`; the agents are thin views (:mod:`sim.agents`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from mesa.experimental.scenarios import Scenario as MesaScenario

from sim import kernels
from sim.agents import PowerAgent, StateAgent
from sim.events import EventEngine, StepEvidence
from sim.finite import check_finite
from sim.kernels import FloatArray, IntArray
from sim.metrics import (
    FlatSummary,
    Group,
    Layout,
    Recorder,
    Statistics,
    actors_table,
    flat_summary,
    summarise,
    tidy_series,
)
from sim.network import InfluenceNetwork, Ties
from sim.options import Record, check_record
from sim.scenario.schema import AlignmentParameters, Scenario
from sim.world import World

# Called with the steps done and the steps in all (Model.run's on_step).
StepCallback = Callable[[int, int], None]


def _resolve_scenario(
    scenario: Scenario | str | Path | dict[str, Any], overrides: dict[str, Any]
) -> Scenario:
    if isinstance(scenario, Scenario) and not overrides:
        return scenario
    from sim.scenario.loader import batch_kwargs_to_overrides, load_scenario

    return load_scenario(scenario, batch_kwargs_to_overrides(overrides) if overrides else None)


def _credsim_scenario(
    scenario: Any, spec: Scenario | str | Path | dict[str, Any] | None
) -> tuple[Any, Any]:
    """Split ``scenario`` and ``spec`` into (mesa's scenario or None, credsim's scenario).

    Mesa's SolaraViz rebuilds a model with ``scenario=`` set to an instance of
    mesa's own ``Scenario`` class; the credsim scenario then comes as ``spec``
    (decisions.md, issue 14).
    """
    if isinstance(scenario, MesaScenario):
        return scenario, spec
    if scenario is not None and spec is not None:
        raise TypeError("give the credsim scenario once: as 'scenario' or as 'spec'")
    return None, scenario if scenario is not None else spec


def resolve_groups(sc: Scenario, world: World) -> list[Group]:
    """``all`` (every state) and each ``outputs.groups`` entry as index arrays."""
    n_powers = world.n_powers
    states = np.arange(n_powers, world.n_actors)
    groups = [Group("all", states, states - n_powers, has_powers=False)]
    for name, spec in sc.outputs.groups.items():
        if spec.members is not None:
            chosen = np.array(sorted({world.index[m] for m in spec.members}), dtype=np.int64)
        else:
            chosen = states
        if spec.region is not None:
            chosen = chosen[
                (chosen >= n_powers)
                & (world.region[chosen] == world.region_names.index(spec.region))
            ]
        if spec.bloc is not None:
            chosen = chosen[
                (chosen >= n_powers) & world.blocs[chosen, world.bloc_names.index(spec.bloc)]
            ]
        member_states = chosen[chosen >= n_powers] - n_powers
        groups.append(
            Group(name, chosen, member_states, has_powers=bool((chosen < n_powers).any()))
        )
    return groups


def influence_network(sc: Scenario, world: World) -> InfluenceNetwork:
    """The scenario's ``W`` over the actors of ``world`` (model.md section 6)."""
    net = sc.network
    return InfluenceNetwork(
        world.region,
        world.blocs,
        Ties.from_network(net, world.index),
        np.arange(world.n_powers),
        baseline=net.baseline,
        same_region=net.same_region,
        same_bloc=net.same_bloc,
    )


def run_recorder(
    groups: list[Group], world: World, n_steps: int, record: Record, layout: Layout | None = None
) -> Recorder:
    """The recorder of one run at record level ``record`` (shared by both engines)."""
    return Recorder(
        groups,
        world.n_actors,
        world.n_powers,
        n_steps,
        percentiles=record != "summary",
        keep_actors=record == "actors",
        layout=layout,
    )


class WorldViews:
    """Read-only views on a model's :class:`~sim.world.World`, shared by both engines."""

    world: World

    @property
    def actor_names(self) -> list[str]:
        return self.world.actor_names

    @property
    def power_names(self) -> list[str]:
        return self.world.power_names

    @property
    def own(self) -> FloatArray:
        """Own assessment (N, P) after the last step; self cells are meaningless."""
        return self.world.own

    @property
    def trust(self) -> FloatArray:
        """Held trust ``tau`` (N, P) after the last step; self cells are meaningless."""
        return self.world.trust

    @property
    def aligned(self) -> IntArray:
        """(S,) alignment of the states: power index, or -1 for none."""
        return self.world.aligned[self.world.n_powers :]

    @property
    def capability(self) -> FloatArray:
        return self.world.capability


class RunResults(WorldViews):
    """A finished run's statistics, summary, series and per-actor table, shared by both engines.

    The engine supplies the recorder, the groups, the windows, the dates and
    the record level; everything downstream is computed here once.
    """

    running: bool
    recorder: Recorder
    groups: list[Group]
    windows: dict[str, tuple[int, int]]
    dates: list[str]
    record_level: Record
    _statistics: Statistics | None

    def statistics(self) -> Statistics:
        """Per-group statistics over steps 0..T (the run must have ended)."""
        if self.running:
            raise RuntimeError("the run has not reached the end of its calendar")
        if self._statistics is None:
            self._statistics = self.recorder.finish()
        return self._statistics

    @property
    def group_names(self) -> list[str]:
        return [g.name for g in self.groups]

    def summary(self) -> dict[str, Any]:
        """The nested summary of model.md section 7."""
        return summarise(self.statistics(), self.group_names, self.power_names, self.windows)

    def flat_summary(self) -> FlatSummary:
        """The summary flattened as a runs row holds it (``flatten_summary(summary())``)."""
        return flat_summary(self.statistics(), self.group_names, self.power_names, self.windows)

    def series(self) -> pd.DataFrame:
        """The tidy series of model.md section 7."""
        return tidy_series(self.statistics(), self.group_names, self.power_names, self.dates)

    def actors(self) -> pd.DataFrame:
        """Per step, observer and power: trust, own assessment, affinity, alignment
        (record='actors')."""
        if self.record_level != "actors":
            raise RuntimeError("build the model with record='actors' to get per-actor rows")
        self.statistics()
        return actors_table(
            self.recorder.actor_trust,
            self.recorder.actor_own,
            self.recorder.actor_affinity,
            self.recorder.aligned.astype(np.int64),
            self.actor_names,
            self.power_names,
            self.dates,
        )


class CredibilityModel(RunResults, mesa.Model):  # type: ignore[misc]
    """Trust in great powers, its diffusion and alignment, for one scenario.

    Args:
        scenario: a validated :class:`Scenario`, a path to a scenario file, or a
            mapping; or an instance of mesa's own ``Scenario`` class (as SolaraViz
            passes it), whose ``rng`` seeds the model and whose other fields are
            override keywords, the credsim scenario then given as ``spec``.
        rng: seed for the model's random generator (int, ``SeedSequence`` or
            ``Generator``), as for ``mesa.Model``. Only the alignment draw at
            temperature > 0 uses it.
        spec: the credsim scenario, when ``scenario`` is mesa's (or instead of it).
        record: ``summary`` keeps only what the summary needs; ``series`` adds
            percentiles for the tidy series; ``actors`` keeps every snapshot.
        **overrides: override paths with ``__`` for dots
            (``parameters__trust__negativity_bias=3``; ``parameters__`` optional),
            so that the model runs under ``mesa.batch_run`` unchanged.

    Attributes:
        spec: the resolved scenario (mesa's own ``scenario`` attribute is left to mesa).
        world: the arrays (:class:`sim.world.World`).
        datacollector: a mesa ``DataCollector`` with model reporters ``date``,
            ``effective_poles`` and ``realignments`` (all states), collected
            every step (with ``record="summary"``, at the first and last step only).
    """

    def __init__(
        self,
        scenario: Scenario | str | Path | dict[str, Any] | MesaScenario | None = None,
        rng: Any = None,
        *,
        spec: Scenario | str | Path | dict[str, Any] | None = None,
        record: Record = "series",
        **overrides: Any,
    ) -> None:
        mesa_scenario, credsim_scenario = _credsim_scenario(scenario, spec)
        if credsim_scenario is None:
            raise TypeError("CredibilityModel needs a scenario (a path or a loaded Scenario)")
        if mesa_scenario is not None:
            fields = dict(mesa_scenario)
            mesa_rng = fields.pop("rng", None)
            rng = mesa_rng if rng is None else rng
            overrides = {**fields, **overrides}
        check_record(record)  # "full" ran as series without a word (decision 959)
        super().__init__(rng=rng)
        sc = _resolve_scenario(credsim_scenario, overrides)
        self.spec = sc
        self.record_level: Record = record
        self.n_steps = sc.calendar.n_steps
        self.dates = sc.calendar.labels()
        world = World.from_scenario(sc)
        self.world = world
        net = sc.network
        self.network = influence_network(sc, world)
        self.engine = EventEngine(sc, world)
        self._evidence = StepEvidence.zeros(world.n_actors, world.n_powers)
        # Where every actor has neighbours the influence step needs no mask.
        has = self.network.has_neighbours
        self._sparse_rows = None if has.all() else has
        self._base: FloatArray | None = None
        self._base_version = -1
        params = sc.parameters
        self._memory = params.trust.memory
        self._negativity_bias = params.trust.negativity_bias
        self._prior_memory = params.trust.prior_memory
        self._susceptibility = params.diffusion.susceptibility
        self._alignment = params.alignment
        self._affinity_on = params.affinity.scale > 0
        if net.initial == "equilibrium":
            world.trust = kernels.friedkin_johnsen_equilibrium(
                world.own, self.network.neighbour_mean, self._sparse_rows, self._susceptibility
            )

        self.groups = resolve_groups(sc, world)
        self.windows = {
            name: (sc.calendar.step_of(start), sc.calendar.step_of(end))
            for name, (start, end) in sc.windows.items()
        }
        self.recorder = run_recorder(self.groups, world, self.n_steps, record)
        self._statistics: Statistics | None = None
        self._last_realignments = 0

        self.powers = [PowerAgent(self, name, i) for i, name in enumerate(world.power_names)]
        self.states = [
            StateAgent(self, name, i)
            for i, name in enumerate(world.actor_names[world.n_powers :], start=world.n_powers)
        ]
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "date": "date",
                "effective_poles": "effective_poles",
                "realignments": "realignments",
            }
        )
        self._record()

    # ------------------------------------------------------------------ views

    @property
    def affinity(self) -> FloatArray:
        """Affinity (N, P) after the last step (model.md 8.2); self cells are meaningless."""
        return self.world.affinity

    @property
    def date(self) -> str:
        """Label of the current step (YYYY-MM)."""
        return self.dates[min(self.steps, self.n_steps)]

    @property
    def effective_poles(self) -> float:
        """Effective number of poles among all states now (0 when none is aligned)."""
        counts = np.bincount(self.aligned + 1, minlength=self.world.n_powers + 1)[1:]
        return float(kernels.effective_poles(counts.astype(np.float64)))

    @property
    def realignments(self) -> int:
        return self._last_realignments

    # ------------------------------------------------------------------ the step

    def step(self) -> None:
        """Apply step k = ``self.steps`` (mesa increments it before calling)."""
        k = self.steps
        if k > self.n_steps:
            self.running = False
            return
        w = self.world
        trust_prev = w.trust
        evidence = self._evidence
        evidence.clear()
        before = self.aligned.copy()

        self.engine.apply_step(k, evidence, trust_prev)
        kernels.update_evidence(
            w.positive,
            w.negative,
            evidence.positive,
            evidence.negative,
            self._memory,
            self._negativity_bias,
        )
        w.own = kernels.own_assessment(w.a0, w.b0, w.positive, w.negative)
        if self._affinity_on:
            kernels.update_evidence(
                w.positive_aff,
                w.negative_aff,
                evidence.positive_aff,
                evidence.negative_aff,
                self._memory,
                self._negativity_bias,
            )
            w.affinity = kernels.own_assessment(w.a0_aff, w.b0_aff, w.positive_aff, w.negative_aff)
        if self._prior_memory != 1.0:
            kernels.reanchor(w.a0, w.b0, w.own, self._prior_memory)
            kernels.reanchor(w.a0_aff, w.b0_aff, w.affinity, self._prior_memory)
        w.trust = kernels.friedkin_johnsen(
            w.own,
            self.network.neighbour_mean(trust_prev),
            self._sparse_rows,
            self._susceptibility,
        )
        check_finite(k, self.date, w.quantities(), w.actor_names, w.power_names)
        period = self._alignment.period
        if period and k % period == 0:
            self._align()
        self._last_realignments = int((self.aligned != before).sum())
        self._record()
        if k >= self.n_steps:
            self.running = False

    def _utility(self) -> FloatArray:
        """(P + 1, S) alignment utility of the states now (model.md sections 4 and 8.2)."""
        w = self.world
        a = self._alignment
        n_powers = w.n_powers
        if self._base is None or self._base_version != w.version:
            self._base = kernels.alignment_base(
                w.capability,
                w.distance[n_powers:],
                w_capability=a.weights.capability,
                w_ideology=a.weights.ideology,
                nonaligned_utility=a.nonaligned_utility,
            )
            self._base_version = w.version
        return kernels.alignment_utility(
            w.trust[n_powers:],
            self._base,
            w.aligned[n_powers:],
            w_trust=a.weights.trust,
            w_inertia=a.weights.inertia,
            affinity=w.affinity[n_powers:],
            w_affinity=a.weights.affinity,
        )

    def alignment_utility(self) -> FloatArray:
        """(P + 1, S) alignment utility of every state for every option at the current
        step, inertia included: what the next alignment step chooses from (model.md
        section 4 step 4; the last row is ``none``, the powers in file order)."""
        return self._utility().copy()

    def propensity(self) -> FloatArray:
        """(S, P) alignment utility of every state for every power at the current step.

        ``w_trust*tau + w_capability*capability - w_ideology*distance +
        w_affinity*affinity``: the utility of model.md section 4 step 4 and
        8.2 without the inertia term and without any draw.
        """
        return propensity(self.world, self._alignment)

    def _align(self) -> None:
        w = self.world
        a = self._alignment
        n_powers = w.n_powers
        utility = self._utility()
        uniforms = self.rng.random(utility.shape[1]) if a.temperature > 0 else None
        w.aligned[n_powers:] = kernels.choose_alignment(utility, a.temperature, uniforms)

    def _record(self) -> None:
        w = self.world
        self.recorder.record(self.steps, w.trust, w.own, w.affinity, self.aligned)
        # A summary-only run (a sweep's) needs no per-step reporters: the
        # DataCollector then holds the first and the last step only.
        if self.record_level != "summary" or self.steps in (0, self.n_steps):
            self.datacollector.collect(self)

    # ------------------------------------------------------------------ results

    def run(self, on_step: StepCallback | None = None) -> CredibilityModel:
        """Step to the calendar's end and return the model; ``on_step(done, total)``
        after each step, if given (``credsim run``'s progress line)."""
        while self.running:
            self.step()
            if on_step is not None:
                on_step(min(self.steps, self.n_steps), self.n_steps)
        return self


def propensity(world: World, alignment: AlignmentParameters) -> FloatArray:
    """(S, P) alignment utility of ``world``'s states without inertia (for other engines).

    The arithmetic of :meth:`CredibilityModel.propensity`, with the static
    part computed afresh.
    """
    n_powers = world.n_powers
    base = kernels.alignment_base(
        world.capability,
        world.distance[n_powers:],
        w_capability=alignment.weights.capability,
        w_ideology=alignment.weights.ideology,
        nonaligned_utility=alignment.nonaligned_utility,
    )
    utility = kernels.alignment_utility(
        world.trust[n_powers:],
        base,
        world.aligned[n_powers:],
        w_trust=alignment.weights.trust,
        w_inertia=0.0,
        affinity=world.affinity[n_powers:],
        w_affinity=alignment.weights.affinity,
    )
    return np.ascontiguousarray(utility[:n_powers].T)
