"""Event kinds -> evidence arrays (model.md sections 5 and 8).

Each evidence-bearing event yields, for every observer other than its
acting power, a signed reliability evidence vector ``e(o) = magnitude *
weight(kind) * salience(o, event) [* extra factors] [* enemy factor]`` and,
when the affinity channel is on, an affinity evidence vector (section 8.2).
:class:`StepEvidence` accumulates the positive and negative parts of one
step; events that change the world (commitments, regime changes,
capabilities, propaganda, stances) do so through :class:`EventEngine`,
which owns that bookkeeping and dispatches each kind to the handler the
registry (:mod:`sim.scenario.kinds`) names. See docs/decisions.md for the
finer points (items 3 to 10, and the model v2 items).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from sim import kernels
from sim.kernels import FloatArray, add_alignment_salience, place_salience
from sim.scenario.kinds import DEFAULT_WEIGHTS, KINDS
from sim.scenario.schema import (
    NONE_ALIGNMENT,
    BaseLoss,
    CapabilityChange,
    ClientHarmed,
    EventModel,
    Intervene,
    Propaganda,
    Rapprochement,
    Recognize,
    RefuseAid,
    RegimeChange,
    RelationEvent,
    Rhetoric,
    Scenario,
    SideWithAdversary,
    Support,
    TargetedEvent,
    Withdraw,
)
from sim.world import NO_POWER, World, ideology_vector

# The kinds the "targeted" and "recognize" handlers take.
Targeted = Intervene | Support | Withdraw | RefuseAid | ClientHarmed | BaseLoss | Recognize

# Cached place-salience vectors, in cells (regions and blocs never change in a run).
PLACE_CACHE_CELLS = 4_000_000


@dataclass
class Campaign:
    """An active propaganda campaign: negative news about ``about`` is amplified."""

    actor: int
    about: int
    magnitude: float
    first_step: int
    last_step: int


@dataclass
class StepEvidence:
    """This step's evidence, (N, P) each, all >= 0 (before the bias).

    ``positive``/``negative`` are reliability evidence; ``positive_aff``/
    ``negative_aff`` affinity evidence (all zero while ``affinity.scale`` is 0).
    """

    positive: FloatArray
    negative: FloatArray
    positive_aff: FloatArray
    negative_aff: FloatArray

    @classmethod
    def zeros(cls, n_actors: int, n_powers: int) -> StepEvidence:
        shape = (n_actors, n_powers)
        return cls(np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape))

    def clear(self) -> None:
        for array in (self.positive, self.negative, self.positive_aff, self.negative_aff):
            array.fill(0.0)

    def clear_row(self, row: int) -> None:
        for array in (self.positive, self.negative, self.positive_aff, self.negative_aff):
            array[row] = 0.0


@dataclass
class Evidence:
    """One event's (or one power's summed support) evidence about its actor, (N,) each.

    ``affinity_pos``/``affinity_neg`` are kept apart because affinity evidence
    changes sign from observer to observer, and events are split one by one.
    """

    reliability: FloatArray
    affinity_pos: FloatArray | None = None
    affinity_neg: FloatArray | None = None


@dataclass
class EventEngine:
    """Applies a scenario's events to a :class:`World`, step by step.

    Attributes:
        commitments: open (power, client) -> intervention magnitude, in opening order.
        recognitions: client -> powers that recognised its current regime.
        campaigns: propaganda campaigns in file order.
    """

    scenario: Scenario
    world: World
    by_step: dict[int, list[EventModel]] = field(default_factory=dict)
    commitments: dict[tuple[int, int], float] = field(default_factory=dict)
    recognitions: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    campaigns: list[Campaign] = field(default_factory=list)
    _support_cache: tuple[object, dict[int, Evidence]] | None = None

    def __post_init__(self) -> None:
        by_step: dict[int, list[EventModel]] = defaultdict(list)
        for event in self.scenario.events:
            by_step[self.scenario.event_step(event)].append(event)
        self.by_step = dict(by_step)
        p = self.scenario.parameters
        self._weights = {k: p.event_kinds.weight(k) for k in DEFAULT_WEIGHTS}
        self._affinity = {k: p.event_kinds.affinity(k) for k in KINDS}
        self._decay = p.event_kinds.first_mover_decay()
        s = p.salience
        self._place = {
            "same_region": s.same_region,
            "same_bloc": s.same_bloc,
            "global_weight": s.global_,
        }
        self._personal = {"target_weight": s.target, "aligned_with_actor": s.aligned_with_actor}
        self._place_cache: dict[int, FloatArray] = {}
        self._cache_limit = max(0, PLACE_CACHE_CELLS // max(1, self.world.n_actors))
        # Model v2 (section 8): each term is skipped at its default, so v1 runs are unchanged.
        self._stance_salience = s.stance
        self._enemy_reliability = p.stance.enemy_reliability
        self._affinity_scale = p.affinity.scale

    # ------------------------------------------------------------------ evidence

    def salience(self, target: int, actor: int) -> FloatArray:
        """(N,) v1 salience of an event by ``actor`` about ``target`` (-1: no target)."""
        w = self.world
        place = self._place_cache.get(target)
        if place is None:
            place = place_salience(w.region, w.blocs, target, **self._place)
            if len(self._place_cache) < self._cache_limit:
                self._place_cache[target] = place
        return add_alignment_salience(place, w.aligned, target, actor, **self._personal)

    def _needs_stances(self, kind: str) -> bool:
        return bool(
            self._stance_salience
            or self._enemy_reliability != 1.0
            or (self._affinity_scale and self._affinity[kind])
        )

    def _side(
        self, kind: str, actor: int, target: int, magnitude: float, stances: dict[int, FloatArray]
    ) -> tuple[FloatArray, FloatArray]:
        """Reliability evidence and salience of one side of an event (its target or ``with``).

        ``stances`` holds the stance columns the event needs (empty when none).
        """
        sal = self.salience(target, actor)
        column = stances.get(target) if target >= 0 else None
        if column is not None and self._stance_salience:
            sal = kernels.stance_salience(sal, column, self._stance_salience)
        e = magnitude * self._weights[kind] * sal
        if column is not None and self._enemy_reliability != 1.0:
            e = e * kernels.enemy_factor(column, self._enemy_reliability)
        return e, sal

    def _stances(self, kind: str, *parties: int) -> dict[int, FloatArray]:
        if not self._needs_stances(kind):
            return {}
        return {c: self.world.stance_column(c) for c in parties if c >= 0}

    def _affinity_evidence(
        self,
        kind: str,
        event: EventModel | None,
        magnitude: float,
        salience: FloatArray,
        stances: dict[int, FloatArray],
        target: int,
    ) -> tuple[FloatArray | None, FloatArray | None]:
        """``scale*magnitude*affinity(kind)*salience*sum_q direction*stance[o, q]``, split."""
        weight = self._affinity[kind]
        if not (self._affinity_scale and weight):
            return None, None
        total = np.zeros(self.world.n_actors)
        for name, direction in KINDS[kind].parties:
            party = target if name == "target" else self._party(event, name)
            if party is not None:
                total += direction * stances[party]
        e = self._affinity_scale * magnitude * weight * salience * total
        return np.maximum(e, 0.0), np.maximum(-e, 0.0)

    def _party(self, event: EventModel | None, name: str) -> int | None:
        value = getattr(event, name, None)
        return None if value is None else self.world.index[value]

    def _amplifier(self, about: int, step: int, trust_prev: FloatArray) -> FloatArray | None:
        factor: FloatArray | None = None
        for c in self.campaigns:
            if c.about == about and c.first_step <= step <= c.last_step:
                term = 1.0 + c.magnitude * trust_prev[:, c.actor]
                term[c.actor] = 1.0
                factor = term if factor is None else factor * term
        return factor

    def _add(
        self,
        evidence: StepEvidence,
        actor: int,
        found: Evidence,
        step: int,
        trust_prev: FloatArray,
    ) -> None:
        e = found.reliability
        e[actor] = 0.0
        bad = np.maximum(-e, 0.0)
        amplifier = self._amplifier(actor, step, trust_prev)
        if amplifier is not None:
            bad *= amplifier
        evidence.positive[:, actor] += np.maximum(e, 0.0)
        evidence.negative[:, actor] += bad
        if found.affinity_pos is not None and found.affinity_neg is not None:
            found.affinity_pos[actor] = 0.0
            found.affinity_neg[actor] = 0.0
            evidence.positive_aff[:, actor] += found.affinity_pos
            evidence.negative_aff[:, actor] += found.affinity_neg

    def targeted(
        self, kind: str, actor: int, target: int, magnitude: float, event: EventModel | None = None
    ) -> Evidence:
        """Both channels' evidence of an event by ``actor`` about ``target`` (-1: none)."""
        parties = [target] + [
            p
            for name, _ in KINDS[kind].parties
            if name != "target" and (p := self._party(event, name)) is not None
        ]
        stances = self._stances(kind, *parties)
        e, sal = self._side(kind, actor, target, magnitude, stances)
        pos, neg = self._affinity_evidence(kind, event, magnitude, sal, stances, target)
        return Evidence(e, pos, neg)

    # ------------------------------------------------------------------ a step

    def apply_step(self, step: int, evidence: StepEvidence, trust_prev: FloatArray) -> None:
        """Support for every open commitment, then the period's own events in file order.

        Args:
            step: k, 1..T.
            evidence: accumulators for this step, updated in place.
            trust_prev: held trust at the end of the previous step (N, P); a
                regime change resets its target's row in place.
        """
        # Campaigns act on every event of their first step, earlier ones in file order too.
        for event in self.by_step.get(step, ()):
            if isinstance(event, Propaganda):
                self._start_campaign(event, step)
        for actor, found in self._support().items():
            self._add(evidence, actor, _copy(found), step, trust_prev)
        for event in self.by_step.get(step, ()):
            self.apply(event, step, evidence, trust_prev)

    def _support(self) -> dict[int, Evidence]:
        """Each power's summed support evidence for its open commitments.

        All of one power's support events have the kind's sign, so their sum
        splits into the same positive and negative parts as the events one by
        one; affinity evidence, whose sign varies, is summed by parts. It
        changes only when the commitments, the alignments or (with stances
        in use) the stances and ideologies do, so it is kept between steps.
        """
        w = self.world
        key = (
            tuple(self.commitments.items()),
            w.aligned.tobytes(),
            (w.stances.version, w.version) if self._needs_stances("support") else None,
        )
        cached = self._support_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        per_actor: dict[int, Evidence] = {}
        for (actor, client), magnitude in self.commitments.items():
            found = self.targeted("support", actor, client, magnitude)
            before = per_actor.get(actor)
            per_actor[actor] = found if before is None else _sum(before, found)
        self._support_cache = (key, per_actor)
        return per_actor

    def apply(
        self, event: EventModel, step: int, evidence: StepEvidence, trust_prev: FloatArray
    ) -> None:
        """Apply one event (model.md sections 5 and 8) through its kind's handler."""
        spec = KINDS[event.kind]
        handler = getattr(self, f"_on_{spec.handler}")
        found: Evidence | None = handler(event, evidence, trust_prev)
        # Only kinds with an acting power yield evidence (the registry's ``weight``).
        if found is None or isinstance(event, RegimeChange):
            return
        actor = self.world.index[event.actor]
        if spec.commitment is not None and isinstance(event, TargetedEvent):
            target = self.world.index[event.target]
            if spec.commitment == "open":
                self.commitments[(actor, target)] = float(event.magnitude)
            else:
                self.commitments.pop((actor, target), None)
        self._add(evidence, actor, found, step, trust_prev)

    # ------------------------------------------------------------------ handlers

    def _on_targeted(
        self, event: Targeted, evidence: StepEvidence, trust_prev: FloatArray
    ) -> Evidence:
        w = self.world
        return self.targeted(
            event.kind, w.index[event.actor], w.index[event.target], float(event.magnitude)
        )

    def _on_side_with_adversary(
        self, event: SideWithAdversary, evidence: StepEvidence, trust_prev: FloatArray
    ) -> Evidence:
        w = self.world
        kind = event.kind
        actor, target = w.index[event.actor], w.index[event.target]
        magnitude = float(event.magnitude)
        if event.with_ is None:
            return self.targeted(kind, actor, target, magnitude, event)
        rival = w.index[event.with_]
        stances = self._stances(kind, target, rival)
        e, sal = self._side(kind, actor, target, magnitude, stances)
        rival_side, rival_sal = self._side(kind, actor, rival, magnitude, stances)
        e = np.where(np.abs(e) >= np.abs(-rival_side), e, -rival_side)
        # Affinity: the event is as salient as the more salient of its two sides.
        pos, neg = self._affinity_evidence(
            kind, event, magnitude, np.maximum(sal, rival_sal), stances, target
        )
        return Evidence(e, pos, neg)

    def _on_rapprochement(
        self, event: Rapprochement, evidence: StepEvidence, trust_prev: FloatArray
    ) -> Evidence:
        w = self.world
        actor, partner = w.index[event.actor], w.index[event.with_]
        found = self.targeted(event.kind, actor, -1, float(event.magnitude), event)
        closeness_gap = (1.0 - w.distance[:, actor]) - (1.0 - w.distance[:, partner])
        found.reliability *= np.maximum(0.0, closeness_gap)
        return found

    def _on_rhetoric(
        self, event: Rhetoric, evidence: StepEvidence, trust_prev: FloatArray
    ) -> Evidence:
        actor = self.world.index[event.actor]
        found = self.targeted(event.kind, actor, -1, float(event.magnitude), event)
        found.reliability = found.reliability * trust_prev[:, actor]
        return found

    def _on_recognize(
        self, event: Recognize, evidence: StepEvidence, trust_prev: FloatArray
    ) -> Evidence | None:
        w = self.world
        actor = w.index[event.actor]
        target = w.index[event.target]
        earlier = self.recognitions[target]
        if actor in earlier:
            return None
        factor = self._decay ** len(earlier)
        earlier.add(actor)
        found = self.targeted(event.kind, actor, target, float(event.magnitude))
        found.reliability = found.reliability * factor
        return found

    def _on_propaganda(
        self, event: Propaganda, evidence: StepEvidence, trust_prev: FloatArray
    ) -> None:
        """Started with its step (see :meth:`apply_step`): nothing more to do."""

    def _on_capability_change(
        self, event: CapabilityChange, evidence: StepEvidence, trust_prev: FloatArray
    ) -> None:
        w = self.world
        p = w.index[event.actor]
        delta = 0.0 if event.delta is None else event.delta
        new = event.value if event.value is not None else w.capability[p] + delta
        w.capability[p] = max(0.0, float(new))
        w.version += 1

    def _on_relation(
        self, event: RelationEvent, evidence: StepEvidence, trust_prev: FloatArray
    ) -> None:
        w = self.world
        a, b = w.index[event.actor], w.index[event.target]
        w.stances.set(a, b, float(event.value))
        if not event.directed:
            w.stances.set(b, a, float(event.value))

    def _start_campaign(self, event: Propaganda, step: int) -> None:
        w = self.world
        calendar = self.scenario.calendar
        last = calendar.n_steps if event.until is None else calendar.step_of(event.until)
        self.campaigns.append(
            Campaign(w.index[event.actor], w.index[event.about], event.magnitude, step, last)
        )

    def _on_regime_change(
        self, event: RegimeChange, evidence: StepEvidence, trust_prev: FloatArray
    ) -> None:
        w = self.world
        target = w.index[event.target]
        sc = self.scenario
        strength = sc.parameters.trust.prior_strength
        w.set_priors(target, event.trust, sc.defaults.trust, strength)
        w.set_priors(target, event.affinity, sc.defaults.affinity, strength, affinity=True)
        for array in (w.positive, w.negative, w.positive_aff, w.negative_aff):
            array[target] = 0.0
        evidence.clear_row(target)
        prior = w.a0[target] / (w.a0[target] + w.b0[target])
        w.own[target] = prior
        trust_prev[target] = prior
        w.affinity[target] = w.a0_aff[target] / (w.a0_aff[target] + w.b0_aff[target])
        if event.aligned is not None:
            w.aligned[target] = (
                NO_POWER if event.aligned == NONE_ALIGNMENT else w.index[event.aligned]
            )
        if event.ideology is not None:
            w.ideology[target] = ideology_vector(event.ideology)
            w.refresh_distance()
        w.stances.reset(target)
        for name, value in event.relations.items():
            other = w.index[name]
            w.stances.set(target, other, float(value))
            w.stances.set(other, target, float(value))
        for key in [k for k in self.commitments if k[1] == target]:
            del self.commitments[key]
        self.recognitions.pop(target, None)


def _sum(a: Evidence, b: Evidence) -> Evidence:
    """Two evidences of the same power added channel by channel (parts kept apart)."""
    return Evidence(
        a.reliability + b.reliability,
        _plus(a.affinity_pos, b.affinity_pos),
        _plus(a.affinity_neg, b.affinity_neg),
    )


def _plus(a: FloatArray | None, b: FloatArray | None) -> FloatArray | None:
    return None if a is None or b is None else a + b


def _copy(found: Evidence) -> Evidence:
    """A copy that :meth:`EventEngine._add` may write into (the cached one stays intact)."""
    return Evidence(
        found.reliability.copy(),
        None if found.affinity_pos is None else found.affinity_pos.copy(),
        None if found.affinity_neg is None else found.affinity_neg.copy(),
    )
