"""A deliberately plain reference implementation of one model step.

Written from the specification (``shared/design/model.md`` sections 2 to 5
and 8, ``docs/decisions.md`` items 1 to 12 and the model v2 items), not from
the fast code in ``sim/``, so that the two can check each other. Everything
is a loop over observers, powers and events, and the influence network is a dense actors x actors
matrix ``W`` built literally from the formula of model.md section 6; the
stances of section 8.1 are looked up one (observer, actor) pair at a time
and the start at rest (section 8.3) is a dense linear solve. It is meant to
be read next to the specification, never to be fast.

After construction (step 0) and after every :meth:`ReferenceModel.step` the
model exposes ``own``, ``trust`` and ``affinity`` (actors x powers),
``aligned`` (one power index or -1 per state) and ``capability`` (one per
power). Actors are the
powers in file order, then the states in file order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.scenario.schema import NONE_ALIGNMENT, RelationSpec, Scenario, TrustPrior

FloatArray = npt.NDArray[np.float64]

# Kinds whose events are evidence about their actor (model.md section 5).
SIMPLE_TARGETED = (
    "intervene",
    "support",
    "withdraw",
    "refuse_aid",
    "client_harmed",
    "base_loss",
    "expelled",  # docs/ODD.md section 7.1: the client ends the patron's presence
)

# model.md section 8.2: the parties whose stance the affinity evidence reads, with direction.
AFFINITY_PARTIES = {
    "intervene": (("target", 1),),
    "support": (("target", 1),),
    "recognize": (("target", 1),),
    "withdraw": (("target", -1),),
    "refuse_aid": (("target", -1),),
    "client_harmed": (("target", -1),),
    "expelled": (("target", -1),),
    "side_with_adversary": (("target", -1), ("with", 1)),
    "rapprochement": (("with", 1),),
}
DEFAULT_AFFINITY = {
    "intervene": 1.0,
    "support": 0.1,
    "recognize": 0.8,
    "withdraw": 1.0,
    "refuse_aid": 0.6,
    "client_harmed": 0.8,
    "expelled": 1.0,
    "side_with_adversary": 1.0,
    "rapprochement": 0.5,
}


def ideology_vector(value: float | list[float]) -> list[float]:
    """An ideology entry (a number or a list) as a list of coordinates."""
    return [float(c) for c in value] if isinstance(value, list) else [float(value)]


def dense_network(scenario: Scenario) -> FloatArray:
    """``W`` over all actors, row-normalised with zero diagonal (model.md section 6).

    ``W[i, j] = baseline + same_region*[region_i == region_j]
    + same_bloc*|blocs_i & blocs_j| + ties``; a tie ``(from, to)`` adds to
    ``W[from, to]`` and, unless directed, to ``W[to, from]``. Rows summing to
    zero stay zero.
    """
    net = scenario.network
    specs = [*scenario.powers.values(), *scenario.states.values()]
    names = scenario.actor_names
    n = len(specs)
    raw = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            value = net.baseline
            if specs[i].region == specs[j].region:
                value += net.same_region
            value += net.same_bloc * len(set(specs[i].blocs) & set(specs[j].blocs))
            raw[i, j] = value
    for source, to, weight, directed in net.resolved_ties():
        i, j = names.index(source), names.index(to)
        raw[i, j] += weight
        if not directed:
            raw[j, i] += weight
    return normalise_rows(raw)


def normalise_rows(matrix: FloatArray) -> FloatArray:
    """Each row divided by its sum; rows summing to zero are left at zero."""
    out = np.zeros_like(matrix)
    for i in range(matrix.shape[0]):
        total = 0.0
        for j in range(matrix.shape[1]):
            total += matrix[i, j]
        if total > 0.0:
            for j in range(matrix.shape[1]):
                out[i, j] = matrix[i, j] / total
    return out


def network_without(weights: FloatArray, power: int) -> FloatArray:
    """``W_p``: ``W`` with power ``p``'s row and column set to zero, rows renormalised."""
    reduced = weights.copy()
    reduced[power, :] = 0.0
    reduced[:, power] = 0.0
    return normalise_rows(reduced)


class ReferenceModel:
    """The credibility model, one plain loop at a time.

    Args:
        scenario: a validated scenario (references already checked).
        rng: a ``numpy.random.Generator`` or a seed for ``numpy.random.default_rng``;
            used only for the alignment draw with temperature > 0.
    """

    def __init__(self, scenario: Scenario, rng: np.random.Generator | int | None = None) -> None:
        self.scenario = scenario
        self.rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        self.power_names = list(scenario.powers)
        self.state_names = list(scenario.states)
        self.actor_names = [*self.power_names, *self.state_names]
        self.n_powers = len(self.power_names)
        self.n_states = len(self.state_names)
        self.n_actors = len(self.actor_names)
        self.index = {name: i for i, name in enumerate(self.actor_names)}
        specs = [*scenario.powers.values(), *scenario.states.values()]
        self.region = [spec.region for spec in specs]
        self.blocs = [set(spec.blocs) for spec in specs]
        self.ideology = np.array([ideology_vector(spec.ideology) for spec in specs])
        self.capability = np.array([float(p.capability) for p in scenario.powers.values()])
        self.aligned = np.array(
            [self._alignment_index(s.aligned) for s in scenario.states.values()], dtype=int
        )

        shape = (self.n_actors, self.n_powers)
        self.a0 = np.zeros(shape)
        self.b0 = np.zeros(shape)
        self.a0_aff = np.zeros(shape)
        self.b0_aff = np.zeros(shape)
        for o, spec in enumerate(specs):
            self._set_priors(o, spec.trust)
            self._set_affinity_priors(o, spec.affinity)
        self.r = np.zeros(shape)
        self.s = np.zeros(shape)
        self.r_aff = np.zeros(shape)
        self.s_aff = np.zeros(shape)
        self.own = np.zeros(shape)
        self.affinity = np.zeros(shape)
        for o in range(self.n_actors):
            for p in range(self.n_powers):
                self.own[o, p] = self.a0[o, p] / (self.a0[o, p] + self.b0[o, p])
                self.affinity[o, p] = self.a0_aff[o, p] / (self.a0_aff[o, p] + self.b0_aff[o, p])

        # Explicit stances (observer, actor) -> value, winning over the ideology rule.
        self.explicit: dict[tuple[int, int], float] = {}
        for relation in scenario.relations:
            if isinstance(relation, RelationSpec):
                a, b = self.index[relation.source_actor], self.index[relation.to]
                self.explicit[(a, b)] = relation.value
                if not relation.directed:
                    self.explicit[(b, a)] = relation.value
            else:
                a, b = self.index[relation[0]], self.index[relation[1]]
                self.explicit[(a, b)] = relation[2]
                self.explicit[(b, a)] = relation[2]

        self.weights = dense_network(scenario)
        self.weights_without = [network_without(self.weights, p) for p in range(self.n_powers)]
        if scenario.network.initial == "equilibrium":
            self.trust = self.equilibrium()
        else:
            self.trust = self.own.copy()

        # (power, client) -> magnitude; dict order is the order of opening.
        self.commitments: dict[tuple[int, int], float] = {}
        # target -> powers that recognised its current regime.
        self.recognised: dict[int, set[int]] = {}
        self.steps = 0
        self.n_steps = scenario.calendar.n_steps

    # ------------------------------------------------------------------ helpers

    def _alignment_index(self, name: str) -> int:
        return -1 if name == NONE_ALIGNMENT else self.power_names.index(name)

    def _prior(self, entry: Any, default: Any) -> tuple[float, float]:
        """``(a0, b0)`` from an entry, else the scenario's default entry, else mean 0.5."""
        if entry is None:
            entry = default
        strength = self.scenario.parameters.trust.prior_strength
        if entry is None:
            mean = 0.5
        elif isinstance(entry, TrustPrior):
            mean, strength = entry.mean, entry.strength
        else:
            mean = float(entry)
        return mean * strength, (1.0 - mean) * strength

    def _set_priors(self, observer: int, entries: dict[str, Any]) -> None:
        for p, name in enumerate(self.power_names):
            self.a0[observer, p], self.b0[observer, p] = self._prior(
                entries.get(name), self.scenario.defaults.trust.get(name)
            )

    def _set_affinity_priors(self, observer: int, entries: dict[str, Any]) -> None:
        """Affinity priors: the entry, else ``defaults.affinity``, else 0.5 (section 8.2)."""
        for p, name in enumerate(self.power_names):
            self.a0_aff[observer, p], self.b0_aff[observer, p] = self._prior(
                entries.get(name), self.scenario.defaults.affinity.get(name)
            )

    def stance(self, observer: int, actor: int) -> float:
        """``stance[o, c]``: 1 for itself, else the explicit value, else the ideology rule."""
        if observer == actor:
            return 1.0
        if (observer, actor) in self.explicit:
            return self.explicit[(observer, actor)]
        s = self.scenario.parameters.stance.from_ideology
        return min(1.0, max(-1.0, s * (2.0 * self.closeness(observer, actor) - 1.0)))

    def enemy_factor(self, observer: int, target: int | None) -> float:
        """Section 8.2: reliability evidence scale for an enemy of the target."""
        if target is None:
            return 1.0
        rho = self.scenario.parameters.stance.enemy_reliability
        return 1.0 - (1.0 - rho) * max(0.0, -self.stance(observer, target))

    def equilibrium(self) -> FloatArray:
        """Held trust at rest: ``(I - mu W_p)^-1 (1 - mu) own`` per power, densely solved.

        Rows that keep ``tau = own`` in a step (the power itself, rows with no
        remaining neighbour) are identity rows.
        """
        mu = self.scenario.parameters.diffusion.susceptibility
        out = np.zeros_like(self.own)
        for p in range(self.n_powers):
            w_p = self.weights_without[p]
            matrix = np.eye(self.n_actors)
            rhs = np.zeros(self.n_actors)
            for o in range(self.n_actors):
                if o == p or w_p[o].sum() == 0.0:
                    rhs[o] = self.own[o, p]
                    continue
                for j in range(self.n_actors):
                    matrix[o, j] -= mu * w_p[o, j]
                rhs[o] = (1.0 - mu) * self.own[o, p]
            out[:, p] = np.linalg.solve(matrix, rhs)
        return out

    def distance(self, a: int, b: int) -> float:
        """Euclidean ideology distance over its maximum ``2*sqrt(d)``: in [0, 1]."""
        total = 0.0
        for x, y in zip(self.ideology[a], self.ideology[b], strict=True):
            total += (x - y) ** 2
        return math.sqrt(total) / (2.0 * math.sqrt(len(self.ideology[a])))

    def closeness(self, a: int, b: int) -> float:
        return 1.0 - self.distance(a, b)

    def is_aligned_with(self, observer: int, power: int) -> bool:
        """Only states are aligned; powers never are (decisions.md 3)."""
        return observer >= self.n_powers and self.aligned[observer - self.n_powers] == power

    def salience(self, observer: int, actor: int, target: int | None) -> float:
        """``salience(o, event)`` by decisions.md item 3, at least ``stance*|stance[o, c]|``."""
        sal = self.scenario.parameters.salience
        floor = 0.0 if target is None else sal.stance * abs(self.stance(observer, target))
        return max(floor, self.place_salience(observer, actor, target))

    def place_salience(self, observer: int, actor: int, target: int | None) -> float:
        """The v1 salience rule (decisions.md item 3)."""
        sal = self.scenario.parameters.salience
        if target is not None and observer == target:
            return sal.target
        best = sal.global_
        if target is not None:
            if self.region[observer] == self.region[target]:
                best = max(best, sal.same_region)
            if self.blocs[observer] & self.blocs[target]:
                best = max(best, sal.same_bloc)
        if self.is_aligned_with(observer, actor):
            best = max(best, sal.aligned_with_actor)
        return best

    def propaganda_factor(
        self, step: int, power: int, observer: int, tau_prev: FloatArray
    ) -> float:
        """Product over campaigns about ``power`` active at ``step`` (decisions.md 5)."""
        factor = 1.0
        for event in self.scenario.events:
            if event.kind != "propaganda" or self.index[event.about] != power:
                continue
            first = self.scenario.event_step(event)
            last = (
                self.n_steps if event.until is None else self.scenario.calendar.step_of(event.until)
            )
            source = self.index[event.actor]
            if first <= step <= last and observer != source:
                factor *= 1.0 + event.magnitude * tau_prev[observer, source]
        return factor

    def deliver(
        self,
        step: int,
        power: int,
        observer: int,
        evidence: float,
        pos: FloatArray,
        neg: FloatArray,
        tau_prev: FloatArray,
    ) -> None:
        """Add one observer's evidence about ``power`` to ``pos`` or ``neg``."""
        if evidence < 0.0:
            evidence *= self.propaganda_factor(step, power, observer, tau_prev)
            neg[observer, power] += -evidence
        elif evidence > 0.0:
            pos[observer, power] += evidence

    def deliver_affinity(
        self, kind: str, event: Any, power: int, target: int | None, magnitude: float
    ) -> None:
        """Affinity evidence of one event about ``power`` for every observer (section 8.2).

        ``scale * magnitude * affinity(kind) * salience * sum_q direction * stance[o, q]``;
        for a side_with_adversary with a rival, the larger of the two sides' saliences.
        """
        params = self.scenario.parameters
        given = getattr(params.event_kinds, kind, None)
        weight = DEFAULT_AFFINITY.get(kind, 0.0)
        if given is not None and given.affinity is not None:
            weight = given.affinity
        scale = params.affinity.scale
        if scale == 0.0 or weight == 0.0:
            return
        parties: list[tuple[int, int]] = []
        for name, direction in AFFINITY_PARTIES.get(kind, ()):
            if name == "target" and target is not None:
                parties.append((target, direction))
            elif name == "with" and getattr(event, "with_", None) is not None:
                parties.append((self.index[event.with_], direction))
        rival = None
        if kind == "side_with_adversary" and event.with_ is not None:
            rival = self.index[event.with_]
        for o in self.observers_of(power):
            sal = self.salience(o, power, target)
            if rival is not None:
                sal = max(sal, self.salience(o, power, rival))
            total = 0.0
            for q, direction in parties:
                total += direction * self.stance(o, q)
            e = scale * magnitude * weight * sal * total
            if e > 0.0:
                self.pos_aff[o, power] += e
            elif e < 0.0:
                self.neg_aff[o, power] += -e

    def observers_of(self, power: int) -> list[int]:
        """Every actor except the power the evidence is about."""
        return [o for o in range(self.n_actors) if o != power]

    # ------------------------------------------------------------------ events

    def targeted_evidence(
        self,
        step: int,
        kind: str,
        actor: int,
        target: int,
        magnitude: float,
        pos: FloatArray,
        neg: FloatArray,
        tau_prev: FloatArray,
        factor: float = 1.0,
    ) -> None:
        weight = self.scenario.parameters.event_kinds.weight(kind)
        for o in self.observers_of(actor):
            e = magnitude * weight * self.salience(o, actor, target) * factor
            e *= self.enemy_factor(o, target)
            self.deliver(step, actor, o, e, pos, neg, tau_prev)
        self.deliver_affinity(kind, None, actor, target, magnitude)

    def apply_event(
        self, step: int, event: Any, pos: FloatArray, neg: FloatArray, tau_prev: FloatArray
    ) -> None:
        """One event of the step's file-ordered list (model.md section 5)."""
        kinds = self.scenario.parameters.event_kinds
        kind = event.kind
        if kind in SIMPLE_TARGETED:
            actor, target = self.index[event.actor], self.index[event.target]
            self.targeted_evidence(step, kind, actor, target, event.magnitude, pos, neg, tau_prev)
            if kind == "intervene":
                # Re-opening keeps the commitment's place and takes the new magnitude.
                self.commitments[(actor, target)] = event.magnitude
            elif kind in ("withdraw", "expelled"):
                self.commitments.pop((actor, target), None)
        elif kind == "side_with_adversary":
            actor, target = self.index[event.actor], self.index[event.target]
            weight = kinds.weight(kind)
            for o in self.observers_of(actor):
                e = event.magnitude * weight * self.salience(o, actor, target)
                e *= self.enemy_factor(o, target)
                if event.with_ is not None:
                    rival = self.index[event.with_]
                    e_with = -event.magnitude * weight * self.salience(o, actor, rival)
                    e_with *= self.enemy_factor(o, rival)
                    if abs(e) < abs(e_with):
                        e = e_with
                self.deliver(step, actor, o, e, pos, neg, tau_prev)
            self.deliver_affinity(kind, event, actor, target, event.magnitude)
        elif kind == "rapprochement":
            actor, partner = self.index[event.actor], self.index[event.with_]
            weight = kinds.weight(kind)
            for o in self.observers_of(actor):
                extra = max(0.0, self.closeness(o, actor) - self.closeness(o, partner))
                e = event.magnitude * weight * self.salience(o, actor, None) * extra
                self.deliver(step, actor, o, e, pos, neg, tau_prev)
            self.deliver_affinity(kind, event, actor, None, event.magnitude)
        elif kind == "rhetoric":
            actor = self.index[event.actor]
            weight = kinds.weight(kind)
            for o in self.observers_of(actor):
                e = event.magnitude * weight * self.salience(o, actor, None) * tau_prev[o, actor]
                self.deliver(step, actor, o, e, pos, neg, tau_prev)
        elif kind == "recognize":
            actor, target = self.index[event.actor], self.index[event.target]
            seen = self.recognised.setdefault(target, set())
            if actor in seen:
                return
            factor = kinds.first_mover_decay() ** len(seen)
            seen.add(actor)
            self.targeted_evidence(
                step, kind, actor, target, event.magnitude, pos, neg, tau_prev, factor
            )
        elif kind == "regime_change":
            self.regime_change(event, pos, neg, tau_prev)
        elif kind == "relation":
            a, b = self.index[event.actor], self.index[event.target]
            self.explicit[(a, b)] = event.value
            if not event.directed:
                self.explicit[(b, a)] = event.value
        elif kind == "capability_change":
            p = self.index[event.actor]
            if event.value is not None:
                self.capability[p] = max(0.0, float(event.value))
            else:
                self.capability[p] = max(0.0, self.capability[p] + float(event.delta))
        elif kind != "propaganda":
            raise ValueError(f"unknown event kind {kind}")

    def regime_change(
        self, event: Any, pos: FloatArray, neg: FloatArray, tau_prev: FloatArray
    ) -> None:
        """decisions.md item 8: new priors, no evidence, new held trust, no commitments."""
        t = self.index[event.target]
        self._set_priors(t, event.trust)
        self._set_affinity_priors(t, event.affinity)
        for p in range(self.n_powers):
            self.r[t, p] = 0.0
            self.s[t, p] = 0.0
            pos[t, p] = 0.0
            neg[t, p] = 0.0
            tau_prev[t, p] = self.a0[t, p] / (self.a0[t, p] + self.b0[t, p])
            self.r_aff[t, p] = 0.0
            self.s_aff[t, p] = 0.0
            self.pos_aff[t, p] = 0.0
            self.neg_aff[t, p] = 0.0
            self.affinity[t, p] = self.a0_aff[t, p] / (self.a0_aff[t, p] + self.b0_aff[t, p])
        # Section 8.1: stances to and from the target back to the rule, then its relations.
        for key in [key for key in self.explicit if t in key]:
            del self.explicit[key]
        for name, value in event.relations.items():
            self.explicit[(t, self.index[name])] = value
            self.explicit[(self.index[name], t)] = value
        if event.aligned is not None:
            self.aligned[t - self.n_powers] = self._alignment_index(event.aligned)
        if event.ideology is not None:
            self.ideology[t] = ideology_vector(event.ideology)
        for key in [key for key in self.commitments if key[1] == t]:
            del self.commitments[key]
        self.recognised.pop(t, None)

    # ------------------------------------------------------------------ step

    def step(self) -> None:
        """Steps 1 to 4 of model.md section 4."""
        k = self.steps + 1
        params = self.scenario.parameters
        tau_prev = self.trust.copy()
        pos = np.zeros((self.n_actors, self.n_powers))
        neg = np.zeros((self.n_actors, self.n_powers))
        self.pos_aff = np.zeros((self.n_actors, self.n_powers))
        self.neg_aff = np.zeros((self.n_actors, self.n_powers))

        for (power, client), magnitude in list(self.commitments.items()):
            self.targeted_evidence(k, "support", power, client, magnitude, pos, neg, tau_prev)
        for event in self.scenario.events:
            if self.scenario.event_step(event) == k:
                self.apply_event(k, event, pos, neg, tau_prev)

        memory = params.trust.memory
        bias = params.trust.negativity_bias
        for o in range(self.n_actors):
            for p in range(self.n_powers):
                self.r[o, p] = memory * self.r[o, p] + pos[o, p]
                self.s[o, p] = memory * self.s[o, p] + bias * neg[o, p]
                self.own[o, p] = (self.a0[o, p] + self.r[o, p]) / (
                    self.a0[o, p] + self.b0[o, p] + self.r[o, p] + self.s[o, p]
                )
                self.r_aff[o, p] = memory * self.r_aff[o, p] + self.pos_aff[o, p]
                self.s_aff[o, p] = memory * self.s_aff[o, p] + bias * self.neg_aff[o, p]
                self.affinity[o, p] = (self.a0_aff[o, p] + self.r_aff[o, p]) / (
                    self.a0_aff[o, p] + self.b0_aff[o, p] + self.r_aff[o, p] + self.s_aff[o, p]
                )
                # Section 8.3: the priors move towards the step's assessments.
                rho = params.trust.prior_memory
                for a0, b0, value in (
                    (self.a0, self.b0, self.own[o, p]),
                    (self.a0_aff, self.b0_aff, self.affinity[o, p]),
                ):
                    k_total = a0[o, p] + b0[o, p]
                    a0[o, p] = rho * a0[o, p] + (1.0 - rho) * k_total * value
                    b0[o, p] = rho * b0[o, p] + (1.0 - rho) * k_total * (1.0 - value)

        mu = params.diffusion.susceptibility
        trust = np.zeros((self.n_actors, self.n_powers))
        for p in range(self.n_powers):
            w_p = self.weights_without[p]
            for o in range(self.n_actors):
                row_total = sum(w_p[o, j] for j in range(self.n_actors))
                if o == p or row_total == 0.0:
                    trust[o, p] = self.own[o, p]
                    continue
                heard = 0.0
                for j in range(self.n_actors):
                    heard += w_p[o, j] * tau_prev[j, p]
                trust[o, p] = (1.0 - mu) * self.own[o, p] + mu * heard
        self.trust = trust

        period = params.alignment.period
        if period > 0 and k % period == 0:
            self.align()
        self.steps = k

    def utilities(self, inertia: bool = True) -> FloatArray:
        """``U`` (states x (powers + none)), model.md section 4 step 4 and 8.2."""
        params = self.scenario.parameters.alignment
        w = params.weights
        w_inertia = w.inertia if inertia else 0.0
        utility = np.zeros((self.n_states, self.n_powers + 1))
        for i in range(self.n_states):
            o = self.n_powers + i
            for p in range(self.n_powers):
                utility[i, p] = (
                    w.trust * self.trust[o, p]
                    + w.capability * self.capability[p]
                    - w.ideology * self.distance(o, p)
                    + w_inertia * (1.0 if self.aligned[i] == p else 0.0)
                    + w.affinity * self.affinity[o, p]
                )
            utility[i, self.n_powers] = params.nonaligned_utility + w_inertia * (
                1.0 if self.aligned[i] == -1 else 0.0
            )
        return utility

    def propensity(self) -> FloatArray:
        """(states x powers) utility without inertia and without any draw."""
        return self.utilities(inertia=False)[:, : self.n_powers]

    def align(self) -> None:
        """Argmax (ties to the earlier option) or the softmax draw of decisions.md item 12."""
        temperature = self.scenario.parameters.alignment.temperature
        utility = self.utilities()
        options = self.n_powers + 1
        if temperature == 0.0:
            choices = []
            for i in range(self.n_states):
                best = 0
                for j in range(1, options):
                    if utility[i, j] > utility[i, best]:
                        best = j
                choices.append(best)
        else:
            u = self.rng.random(self.n_states)
            choices = []
            for i in range(self.n_states):
                top = max(utility[i])
                weights = [math.exp((utility[i, j] - top) / temperature) for j in range(options)]
                total = sum(weights)
                cumulative = 0.0
                chosen = options - 1
                for j in range(options):
                    cumulative += weights[j] / total
                    if cumulative > u[i]:
                        chosen = j
                        break
                choices.append(chosen)
        for i, choice in enumerate(choices):
            self.aligned[i] = -1 if choice == self.n_powers else choice
