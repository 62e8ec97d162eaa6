"""Event kinds -> evidence arrays (model.md section 5).

Each evidence-bearing event yields a signed evidence vector ``e`` over all
observers about its acting power: ``e(o) = magnitude * weight(kind) *
salience(o, event) [* extra factors]``. :class:`StepEvidence` accumulates
the positive and negative parts of one step; events that change the world
(commitments, regime changes, capabilities, propaganda) do so through
:class:`EventEngine`, which owns that bookkeeping. See docs/decisions.md for
the finer points (items 3 to 10).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.kernels import FloatArray, add_alignment_salience, place_salience
from sim.scenario.schema import DEFAULT_WEIGHTS, NONE_ALIGNMENT, Scenario
from sim.world import NO_POWER, World, ideology_vector

# Cached place-salience vectors, in cells (regions and blocs never change in a run).
PLACE_CACHE_CELLS = 4_000_000
TARGETED_EVIDENCE = {"intervene", "support", "withdraw", "refuse_aid", "client_harmed", "base_loss"}


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
    """This step's evidence: ``pos`` and ``neg`` (N, P), both >= 0 (before the bias)."""

    positive: FloatArray
    negative: FloatArray

    @classmethod
    def zeros(cls, n_actors: int, n_powers: int) -> StepEvidence:
        return cls(np.zeros((n_actors, n_powers)), np.zeros((n_actors, n_powers)))


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
    by_step: dict[int, list[Any]] = field(default_factory=dict)
    commitments: dict[tuple[int, int], float] = field(default_factory=dict)
    recognitions: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    campaigns: list[Campaign] = field(default_factory=list)
    _support_cache: tuple[Any, Any, dict[int, FloatArray]] | None = None

    def __post_init__(self) -> None:
        by_step: dict[int, list[Any]] = defaultdict(list)
        for event in self.scenario.events:
            by_step[self.scenario.event_step(event)].append(event)
        self.by_step = dict(by_step)
        p = self.scenario.parameters
        self._weights = {k: p.event_kinds.weight(k) for k in DEFAULT_WEIGHTS}
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

    # ------------------------------------------------------------------ evidence

    def salience(self, target: int, actor: int) -> FloatArray:
        """(N,) salience of an event by ``actor`` about ``target`` (-1: no target)."""
        w = self.world
        place = self._place_cache.get(target)
        if place is None:
            place = place_salience(w.region, w.blocs, target, **self._place)
            if len(self._place_cache) < self._cache_limit:
                self._place_cache[target] = place
        return add_alignment_salience(place, w.aligned, target, actor, **self._personal)

    def _amplifier(self, about: int, step: int, trust_prev: FloatArray) -> FloatArray | None:
        factor: FloatArray | None = None
        for c in self.campaigns:
            if c.about == about and c.first_step <= step <= c.last_step:
                term = 1.0 + c.magnitude * trust_prev[:, c.actor]
                term[c.actor] = 1.0
                factor = term if factor is None else factor * term
        return factor

    def _add(
        self, evidence: StepEvidence, actor: int, e: FloatArray, step: int, trust_prev: FloatArray
    ) -> None:
        e[actor] = 0.0
        bad = np.maximum(-e, 0.0)
        amplifier = self._amplifier(actor, step, trust_prev)
        if amplifier is not None:
            bad *= amplifier
        evidence.positive[:, actor] += np.maximum(e, 0.0)
        evidence.negative[:, actor] += bad

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
            if event.kind == "propaganda":
                self._start_campaign(event, step)
        for actor, e in self._support().items():
            self._add(evidence, actor, e, step, trust_prev)
        for event in self.by_step.get(step, ()):
            self.apply(event, step, evidence, trust_prev)

    def _support(self) -> dict[int, FloatArray]:
        """Each power's summed support evidence for its open commitments.

        All of one power's support events have the kind's sign, so their sum
        splits into the same positive and negative parts as the events one by
        one. It changes only when the commitments or the alignments do, so it
        is kept between steps.
        """
        key = tuple(self.commitments.items())
        aligned = self.world.aligned
        cached = self._support_cache
        if cached is not None and cached[0] == key and np.array_equal(cached[1], aligned):
            return cached[2]
        per_actor: dict[int, FloatArray] = {}
        for (actor, client), magnitude in key:
            e = magnitude * self._weights["support"] * self.salience(client, actor)
            per_actor[actor] = per_actor[actor] + e if actor in per_actor else e
        self._support_cache = (key, aligned.copy(), per_actor)
        return per_actor

    def apply(self, event: Any, step: int, evidence: StepEvidence, trust_prev: FloatArray) -> None:
        """Apply one event (model.md section 5)."""
        w = self.world
        kind = event.kind
        if kind == "propaganda":
            return  # started with its step (see apply_step)
        if kind == "regime_change":
            self._regime_change(event, evidence, trust_prev)
            return
        if kind == "capability_change":
            p = w.index[event.actor]
            new = event.value if event.value is not None else w.capability[p] + event.delta
            w.capability[p] = max(0.0, float(new))
            w.version += 1
            return

        actor = w.index[event.actor]
        magnitude = float(event.magnitude)
        if kind in TARGETED_EVIDENCE:
            target = w.index[event.target]
            e = magnitude * self._weights[kind] * self.salience(target, actor)
            if kind == "intervene":
                self.commitments[(actor, target)] = magnitude
            elif kind == "withdraw":
                self.commitments.pop((actor, target), None)
        elif kind == "side_with_adversary":
            target = w.index[event.target]
            e = magnitude * self._weights[kind] * self.salience(target, actor)
            if event.with_ is not None:
                rival = w.index[event.with_]
                rival_side = -magnitude * self._weights[kind] * self.salience(rival, actor)
                e = np.where(np.abs(e) >= np.abs(rival_side), e, rival_side)
        elif kind == "rapprochement":
            partner = w.index[event.with_]
            closeness_gap = (1.0 - w.distance[:, actor]) - (1.0 - w.distance[:, partner])
            e = magnitude * self._weights[kind] * self.salience(-1, actor)
            e *= np.maximum(0.0, closeness_gap)
        elif kind == "rhetoric":
            e = magnitude * self._weights[kind] * self.salience(-1, actor) * trust_prev[:, actor]
        elif kind == "recognize":
            target = w.index[event.target]
            earlier = self.recognitions[target]
            if actor in earlier:
                return
            factor = self._decay ** len(earlier)
            earlier.add(actor)
            e = magnitude * self._weights[kind] * self.salience(target, actor) * factor
        else:  # pragma: no cover - the schema admits no other kind
            raise ValueError(f"unknown event kind {kind}")
        self._add(evidence, actor, e, step, trust_prev)

    def _start_campaign(self, event: Any, step: int) -> None:
        w = self.world
        calendar = self.scenario.calendar
        last = calendar.n_steps if event.until is None else calendar.step_of(event.until)
        self.campaigns.append(
            Campaign(w.index[event.actor], w.index[event.about], event.magnitude, step, last)
        )

    def _regime_change(self, event: Any, evidence: StepEvidence, trust_prev: FloatArray) -> None:
        w = self.world
        target = w.index[event.target]
        sc = self.scenario
        w.set_priors(target, event.trust, sc.defaults.trust, sc.parameters.trust.prior_strength)
        w.positive[target] = 0.0
        w.negative[target] = 0.0
        evidence.positive[target] = 0.0
        evidence.negative[target] = 0.0
        prior = w.a0[target] / (w.a0[target] + w.b0[target])
        w.own[target] = prior
        trust_prev[target] = prior
        if event.aligned is not None:
            w.aligned[target] = (
                NO_POWER if event.aligned == NONE_ALIGNMENT else w.index[event.aligned]
            )
        if event.ideology is not None:
            w.ideology[target] = ideology_vector(event.ideology)
            w.refresh_distance()
        for key in [k for k in self.commitments if k[1] == target]:
            del self.commitments[key]
        self.recognitions.pop(target, None)
