"""The world's hot state as arrays: who the actors are and what they believe.

A :class:`World` is built from a validated scenario. Rows are actors
(powers first, then states, each in file order), columns are powers. The
mesa agents (:mod:`sim.agents`) are thin views on these arrays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter, itemgetter

import numpy as np

from sim.kernels import (
    BoolArray,
    FloatArray,
    IntArray,
    beta_priors,
    ideology_distance,
    stance_rule,
)
from sim.scenario.schema import NONE_ALIGNMENT, Scenario, TrustPrior, resolved_relations

NO_POWER = -1


def ideology_vector(value: float | list[float]) -> list[float]:
    """A scalar ideology as a one-axis vector."""
    return list(value) if isinstance(value, list) else [float(value)]


def trust_prior(entry: float | TrustPrior | None, default_strength: float) -> tuple[float, float]:
    """``(mean, strength)`` of a trust entry; no entry means 0.5 at the default strength."""
    if entry is None:
        return 0.5, default_strength
    if isinstance(entry, TrustPrior):
        return float(entry.mean), float(entry.strength)
    return float(entry), default_strength


def prior_counts(
    powers: list[str],
    entries: dict[str, float | TrustPrior],
    defaults: dict[str, float | TrustPrior],
    prior_strength: float,
) -> tuple[FloatArray, FloatArray]:
    """One observer's prior pseudo-counts ``(a0, b0)`` over ``powers``.

    Each power's entry is the observer's own, else the scenario default, else 0.5.
    """
    a0, b0 = observers_prior_counts(powers, [entries], defaults, prior_strength)
    return a0[0], b0[0]


def observers_prior_counts(
    powers: list[str],
    observers: list[dict[str, float | TrustPrior]],
    defaults: dict[str, float | TrustPrior],
    prior_strength: float,
) -> tuple[FloatArray, FloatArray]:
    """:func:`prior_counts` of several observers at once: (R, P) arrays, one row each."""
    pairs = [
        trust_prior(entries.get(p, defaults.get(p)), prior_strength)
        for entries in observers
        for p in powers
    ]
    means, strengths = (
        np.array(pairs, dtype=np.float64).reshape(-1, len(powers), 2).transpose(2, 0, 1)
    )
    return beta_priors(means, strengths)


def positions(index: Mapping[str, int], names: list[str]) -> IntArray:
    """``index[name]`` for each of ``names``, as an array."""
    if len(names) < 2:
        return np.array([index[name] for name in names], dtype=np.int64)
    # One itemgetter call looks all names up without a Python-level step per name.
    return np.fromiter(itemgetter(*names)(index), dtype=np.int64, count=len(names))


def ideologies(values: list[float | list[float]]) -> FloatArray:
    """(N, D) ideology vectors of actors whose ideology is ``values`` (scalars or vectors)."""
    if set(map(type, values)) <= {float, int}:
        return np.array(values, dtype=np.float64).reshape(len(values), 1)
    return np.array([ideology_vector(v) for v in values], dtype=np.float64)


def memberships(blocs: list[list[str]]) -> tuple[BoolArray, list[str]]:
    """Bloc membership of actors whose ``blocs`` entries are ``blocs``.

    Returns:
        The (N, B) membership matrix, and the sorted bloc names (a bloc's
        code is its position there, its column in the matrix).
    """
    n = len(blocs)
    counts = np.fromiter(map(len, blocs), dtype=np.int64, count=n)
    flat = list(chain.from_iterable(blocs))
    names = sorted(set(flat))
    code = {b: i for i, b in enumerate(names)}
    matrix = np.zeros((n, len(names)), dtype=bool)
    matrix[np.repeat(np.arange(n), counts), positions(code, flat)] = True
    return matrix, names


@dataclass
class Stances:
    """``stance[o, c]`` (model.md section 8.1) without an actors x actors array.

    The ideology rule is computed on demand, one column at a time, from the
    current ideologies; the explicit values (``relations``, ``relation``
    events, a regime change's relations) are a sparse map that wins over it.

    Attributes:
        from_ideology: ``parameters.stance.from_ideology``.
        explicit: actor ``c`` -> {observer ``o``: value}, the set cells of column ``c``.
        version: bumped on every change, so that what is derived from stances is redone.
    """

    from_ideology: float
    explicit: dict[int, dict[int, float]] = field(default_factory=dict)
    version: int = 0

    def set(self, observer: int, actor: int, value: float) -> None:
        """``stance[observer, actor] = value`` from now on."""
        self.explicit.setdefault(actor, {})[observer] = value
        self.version += 1

    def reset(self, actor: int) -> None:
        """Every stance to and from ``actor`` back to the ideology rule."""
        self.explicit.pop(actor, None)
        for column in self.explicit.values():
            column.pop(actor, None)
        self.version += 1

    def column(self, actor: int, ideology: FloatArray) -> FloatArray:
        """(N,) ``stance[:, actor]``: the rule, the explicit values over it, 1 for itself.

        Args:
            actor: the actor index ``c``.
            ideology: (N, D) current ideologies.
        """
        if self.from_ideology:
            closeness = 1.0 - ideology_distance(ideology, ideology[actor : actor + 1])[:, 0]
            out = stance_rule(closeness, self.from_ideology)
        else:
            out = np.zeros(ideology.shape[0])
        for observer, value in self.explicit.get(actor, {}).items():
            out[observer] = value
        out[actor] = 1.0
        return out


@dataclass
class World:
    """All arrays of a running model. Shapes: N actors, P powers, B blocs, D axes."""

    actor_names: list[str]
    power_names: list[str]
    index: dict[str, int]
    region: IntArray  # (N,)
    region_names: list[str]
    blocs: BoolArray  # (N, B)
    bloc_names: list[str]
    ideology: FloatArray  # (N, D)
    capability: FloatArray  # (P,)
    aligned: IntArray  # (N,), power index or NO_POWER; powers are never aligned
    a0: FloatArray  # (N, P)
    b0: FloatArray  # (N, P)
    positive: FloatArray  # r, (N, P)
    negative: FloatArray  # s, (N, P)
    stances: Stances
    # The affinity record (model.md section 8.2): priors and evidence, (N, P).
    a0_aff: FloatArray
    b0_aff: FloatArray
    positive_aff: FloatArray
    negative_aff: FloatArray
    own: FloatArray = field(init=False)
    affinity: FloatArray = field(init=False)
    trust: FloatArray = field(init=False)
    distance: FloatArray = field(init=False)
    # Bumped whenever capabilities or ideologies change, so that what is
    # derived from them (the static part of the alignment utility) is redone.
    version: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        self.refresh_distance()
        self.own = self.a0 / (self.a0 + self.b0)
        self.trust = self.own.copy()
        self.affinity = self.a0_aff / (self.a0_aff + self.b0_aff)

    @property
    def n_actors(self) -> int:
        return len(self.actor_names)

    @property
    def n_powers(self) -> int:
        return len(self.power_names)

    def refresh_distance(self) -> None:
        """Recompute ideological distances after an ideology changed."""
        self.distance = ideology_distance(self.ideology, self.ideology[: self.n_powers])
        self.version += 1

    def set_priors(
        self,
        row: int,
        entries: dict[str, float | TrustPrior],
        defaults: dict[str, float | TrustPrior],
        prior_strength: float,
        *,
        affinity: bool = False,
    ) -> None:
        """Set an observer's prior pseudo-counts from its entries, else defaults, else 0.5.

        Args:
            affinity: set the affinity record's priors instead of trust's.
        """
        a0, b0 = (self.a0_aff, self.b0_aff) if affinity else (self.a0, self.b0)
        a0[row], b0[row] = prior_counts(self.power_names, entries, defaults, prior_strength)

    def quantities(self) -> dict[str, FloatArray]:
        """The arrays a step computes, by name, for the numerical health check."""
        return {
            "positive evidence": self.positive,
            "negative evidence": self.negative,
            "own assessment": self.own,
            "trust": self.trust,
            "affinity evidence (positive)": self.positive_aff,
            "affinity evidence (negative)": self.negative_aff,
            "affinity": self.affinity,
            "capability": self.capability,
        }

    def stance_column(self, actor: int) -> FloatArray:
        """(N,) every actor's stance towards ``actor`` now (:meth:`Stances.column`)."""
        return self.stances.column(actor, self.ideology)

    @classmethod
    def from_scenario(cls, sc: Scenario) -> World:
        """Arrays for the initial state (step 0) of a validated scenario."""
        powers = list(sc.powers)
        actors = [*sc.powers.values(), *sc.states.values()]
        names = [*sc.powers, *sc.states]
        index = {name: i for i, name in enumerate(names)}
        n, n_powers = len(names), len(powers)

        regions = list(map(attrgetter("region"), actors))
        region_names = sorted(set(regions))
        region_code = {r: i for i, r in enumerate(region_names)}
        blocs, bloc_names = memberships(list(map(attrgetter("blocs"), actors)))

        # Names were checked: "none" or a power.
        aligned_code = {NONE_ALIGNMENT: NO_POWER, **{p: i for i, p in enumerate(powers)}}
        aligned = np.full(n, NO_POWER, dtype=np.int64)
        aligned[n_powers:] = positions(
            aligned_code, list(map(attrgetter("aligned"), sc.states.values()))
        )

        strength = sc.parameters.trust.prior_strength

        def priors(
            entries: list[dict[str, float | TrustPrior]], defaults: dict[str, float | TrustPrior]
        ) -> tuple[FloatArray, FloatArray]:
            # Every observer starts from the defaults; only explicit entries differ.
            a0_row, b0_row = prior_counts(powers, {}, defaults, strength)
            a0, b0 = np.tile(a0_row, (n, 1)), np.tile(b0_row, (n, 1))
            rows = [i for i, entry in enumerate(entries) if entry]
            if rows:
                a0[rows], b0[rows] = observers_prior_counts(
                    powers, [entries[i] for i in rows], defaults, strength
                )
            return a0, b0

        a0, b0 = priors(list(map(attrgetter("trust"), actors)), sc.defaults.trust)
        a0_aff, b0_aff = priors(list(map(attrgetter("affinity"), actors)), sc.defaults.affinity)
        stances = Stances(sc.parameters.stance.from_ideology)
        for a, b, value, directed in resolved_relations(sc.relations):
            stances.set(index[a], index[b], value)
            if not directed:
                stances.set(index[b], index[a], value)
        return cls(
            actor_names=names,
            power_names=powers,
            index=index,
            region=positions(region_code, regions),
            region_names=region_names,
            blocs=blocs,
            bloc_names=bloc_names,
            ideology=ideologies(list(map(attrgetter("ideology"), actors))),
            capability=np.array([p.capability for p in sc.powers.values()], dtype=np.float64),
            aligned=aligned,
            a0=a0,
            b0=b0,
            positive=np.zeros((n, n_powers)),
            negative=np.zeros((n, n_powers)),
            stances=stances,
            a0_aff=a0_aff,
            b0_aff=b0_aff,
            positive_aff=np.zeros((n, n_powers)),
            negative_aff=np.zeros((n, n_powers)),
        )
