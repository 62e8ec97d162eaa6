"""The validated scenario: pydantic models for every section of a scenario file.

This module owns the *shape* of a scenario (model.md section 6): field names,
types, bounds and defaults, declared once. Cross-references between sections
(an event naming an actor that does not exist, a tie to an unknown state, a
date outside the calendar) are checked in :func:`check_references`, which
raises :class:`sim.errors.InputError` with the field path, so that the loader
can add the file and line.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    PrivateAttr,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from sim.errors import InputError
from sim.kernels import BoolArray, FloatArray
from sim.scenario.calendar import Calendar, parse_month
from sim.scenario.kinds import (
    DEFAULT_AFFINITY,
    DEFAULT_FIRST_MOVER_DECAY,
    DEFAULT_WEIGHTS,
    KINDS,
)
from sim.seeds import MAX_SEED

NAME_PATTERN = r"^[a-z0-9_-]+$"
NONE_ALIGNMENT = "none"

# The largest size, weight or scale a scenario may give. Far beyond any judgement
# value (the shipped files stay under 20), it keeps a run's sums finite: at 1e308 a
# tie weight or a magnitude overflowed to inf mid-run, and the two engines, which add
# in different orders, did not even fail alike.
MAX_VALUE = 1e6
# The smallest prior strength k (``parameters.trust.prior_strength``, a ``{mean, strength}``
# entry's ``strength``). The priors are ``a0 = m*k`` and ``b0 = (1-m)*k``: at k = 1e-323
# both rounded to the same subnormal (initial trust 0.6 ran as 0.5) and at 5e-324 to 0, so
# that ``a0 / (a0 + b0)`` was 0/0 (NaN in one engine, ZeroDivisionError in the other). From
# 1e-300 on, k is a normal float with eight orders of magnitude to spare, and any rounding of
# a0 or b0 among the subnormals is under 1e-23 of k: the initial trust is the one given.
MIN_STRENGTH = 1e-300
Strength = Annotated[float, Field(ge=MIN_STRENGTH, le=MAX_VALUE)]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0, le=MAX_VALUE)]
Bounded = Annotated[float, Field(ge=-MAX_VALUE, le=MAX_VALUE)]
Magnitude = Annotated[float, Field(ge=0.0, le=MAX_VALUE, description="size of the event, >= 0")]
Month = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]
STANCE_RANGE = (-1.0, 1.0)  # enemy to ally; a relation override is checked against it too
StanceValue = Annotated[
    float, Field(ge=STANCE_RANGE[0], le=STANCE_RANGE[1], description="stance, -1 enemy to +1 ally")
]


def _not_a_boolean_number(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("float_type", "Input should be a number")
    if isinstance(value, str) and "_" in value:
        raise PydanticCustomError("float_parsing", "Input should be a number")
    return value


def _not_a_boolean_whole(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a whole number")
    if isinstance(value, str) and "_" in value:
        raise PydanticCustomError("int_parsing", "Input should be a whole number")
    return value


# What a boolean field reads besides true and false: the words YAML 1.1 reads as booleans,
# quoted (as a number field reads a quoted "9" as 9).
_BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off"})


def _not_a_number_boolean(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "Input should be true or false")
    if isinstance(value, str) and value.strip().lower() not in _BOOLEAN_WORDS:
        raise PydanticCustomError("bool_parsing", "Input should be true or false")
    return value


_SCALAR_CHECKS = {
    "float": _not_a_boolean_number,
    "int": _not_a_boolean_whole,
    "bool": _not_a_number_boolean,
}


def _check_scalars(schema: Any) -> Any:
    """``schema`` with every number refusing ``true``/``false`` and every boolean refusing numbers.

    Pydantic's lax mode reads ``true`` as 1 where a number is expected, so
    ``negativity_bias: [true, false]`` would run 1 and 0; and 1 or 0 as true or
    false where a boolean is (``directed: 1``). It also reads the quoted text
    ``"1_5"`` as 15 (Python's digit groups): a number field refuses text with
    ``_`` (a quoted ``"9"`` is still 9, decisions.md item 366). The check wraps
    the scalar schemas themselves, so it holds inside lists, mappings and unions.
    """
    if isinstance(schema, list):
        return [_check_scalars(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    check = _SCALAR_CHECKS.get(schema.get("type", ""))
    if check is not None:
        return core_schema.no_info_before_validator_function(check, schema)
    function = schema.get("function")
    if isinstance(function, dict) and function.get("function") in _SCALAR_CHECKS.values():
        return schema  # a nested model's scalars, wrapped already
    return {key: _check_scalars(value) for key, value in schema.items()}


class NumbersNotBooleans(BaseModel):
    """Base of every input model: ``true`` and ``false`` are not numbers, nor 1 and 0
    booleans, nor the text ``"1_5"`` a number."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler, /
    ) -> CoreSchema:
        schema: CoreSchema = _check_scalars(handler(source))
        return schema


class Strict(NumbersNotBooleans):
    """Base for every section: unknown fields are errors, values are checked on assignment.

    Numbers must be finite (``.inf`` and ``.nan`` are refused wherever a number is read)
    and may not be written ``true`` or ``false``.
    """

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, frozen=False, allow_inf_nan=False
    )


# --------------------------------------------------------------------------- actors

IdeologyValue = float | list[float]


class TrustPrior(Strict):
    """An initial trust with its own prior strength: ``{mean: .., strength: ..}``."""

    mean: Unit
    strength: Strength


TrustEntry = Unit | TrustPrior


def _check_ideology(value: IdeologyValue) -> IdeologyValue:
    coords = value if isinstance(value, list) else [value]
    if not coords:
        raise ValueError("ideology must have at least one coordinate")
    for c in coords:
        if not -1.0 <= c <= 1.0:
            raise ValueError(f"ideology coordinates must lie in [-1, 1], got {c}")
    return value


class Actor(Strict):
    """What powers and states share: where they are, which blocs, which ideology."""

    region: str = Field(min_length=1)
    blocs: list[str] = Field(default_factory=list)
    ideology: IdeologyValue = 0.0
    trust: dict[str, TrustEntry] = Field(default_factory=dict)
    affinity: dict[str, TrustEntry] = Field(default_factory=dict)

    _ideology = field_validator("ideology")(_check_ideology)


class Power(Actor):
    """A great power (patron). Powers hold trust in other powers, never in themselves."""

    capability: NonNegative


class State(Actor):
    """A developing state: client, observer, or both."""

    aligned: str = NONE_ALIGNMENT


# --------------------------------------------------------------------------- network


class TieSpec(Strict):
    """A tie written as a mapping: ``{from: A, to: B, weight: 2, directed: true}``."""

    source: str = Field(alias="from")
    to: str
    weight: NonNegative = 1.0
    directed: bool | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Network(Strict):
    """Weights of the influence network W (model.md section 6).

    ``initial``: held trust at step 0 is the own assessment (``prior``, v1) or
    the Friedkin-Johnsen equilibrium of the own assessments (``equilibrium``,
    model.md section 8.3).
    """

    same_region: NonNegative = 1.0
    same_bloc: NonNegative = 0.5
    baseline: NonNegative = 0.0
    directed: bool = False
    initial: Literal["prior", "equilibrium"] = "prior"
    ties: list[tuple[str, str, NonNegative] | tuple[str, str] | TieSpec] = Field(
        default_factory=list
    )

    def resolved_ties(self, start: int = 0) -> list[tuple[str, str, float, bool]]:
        """Every tie (from the ``start``-th on) as ``(from, to, weight, directed)``."""
        out: list[tuple[str, str, float, bool]] = []
        for tie in islice(self.ties, start, None):
            if isinstance(tie, TieSpec):
                directed = self.directed if tie.directed is None else tie.directed
                out.append((tie.source, tie.to, tie.weight, directed))
            elif len(tie) == 3:
                out.append((tie[0], tie[1], float(tie[2]), self.directed))  # type: ignore[misc]
            else:
                out.append((tie[0], tie[1], 1.0, self.directed))
        return out

    def tie_columns(self) -> tuple[list[str], list[str], FloatArray, BoolArray]:
        """:meth:`resolved_ties` as four columns: from, to, weight and directed arrays.

        Ties all written as ``[from, to, weight]`` (as synthetic scenarios
        write them) are split without a Python loop per tie.
        """
        triples = cast("list[tuple[str, str, float]]", self.ties)
        n = len(triples)
        if n and set(map(type, triples)) == {tuple} and set(map(len, triples)) == {3}:
            return (
                list(map(itemgetter(0), triples)),
                list(map(itemgetter(1), triples)),
                np.fromiter(map(itemgetter(2), triples), dtype=np.float64, count=n),
                np.full(n, self.directed),
            )
        rows = self.resolved_ties()
        return (
            [r[0] for r in rows],
            [r[1] for r in rows],
            np.array([r[2] for r in rows], dtype=np.float64),
            np.array([r[3] for r in rows], dtype=np.bool_),
        )


class RelationSpec(Strict):
    """A relation as a mapping: ``{from: A, to: B, value: -0.9, directed: true, source: ..}``."""

    source_actor: str = Field(alias="from")
    to: str
    value: StanceValue
    directed: bool = False
    source: str | None = Field(default=None, description="where the relation is documented")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


Relation = tuple[str, str, StanceValue] | RelationSpec


def directions(source: str, to: str, directed: bool) -> frozenset[tuple[str, str]]:
    """The ordered pairs a tie or a relation sets: ``(from, to)``, and ``(to, from)``
    unless it is directed."""
    return frozenset({(source, to)} if directed else {(source, to), (to, source)})


def relation_fields(entry: Any) -> tuple[Any, Any, Any, bool] | None:
    """``(from, to, value, directed)`` of a relation as a tree holds it (``[A, B, v]``, a
    mapping ``{from, to, value, directed}``) or as a validated one (a tuple, a
    :class:`RelationSpec`); None for an entry of another shape (refused by the schema on
    its own). A list entry is undirected."""
    if isinstance(entry, RelationSpec):
        return entry.source_actor, entry.to, entry.value, entry.directed
    if isinstance(entry, list | tuple) and len(entry) >= 2:
        return entry[0], entry[1], entry[2] if len(entry) > 2 else None, False
    if isinstance(entry, Mapping):
        source = entry.get("from", entry.get("source_actor"))
        return source, entry.get("to"), entry.get("value"), entry.get("directed") is True
    return None


def relation_index(relations: Any, source: str, to: str) -> int | None:
    """The index of the entry of ``relations`` that sets ``stance[source, to]``: of those
    that do (a list entry or an undirected mapping of the pair in either order, a
    directed mapping from ``source`` to ``to``), the last, whose value the model takes
    (model.md 8.1; a child's over its parent's). None if no entry does (decision 891)."""
    if not isinstance(relations, list | tuple):
        return None
    found = None
    for i, entry in enumerate(relations):
        fields = relation_fields(entry)
        if fields is None or not all(isinstance(e, str) for e in fields[:2]):
            continue  # another shape, refused by the schema on its own
        if (source, to) in directions(fields[0], fields[1], fields[3]):
            found = i
    return found


def tree_actor_names(tree: Mapping[str, Any]) -> list[str]:
    """The powers' and states' names of a scenario tree, in file order."""
    return [
        str(name)
        for section in ("powers", "states")
        if isinstance(tree.get(section), Mapping)
        for name in tree[section]
    ]


def actor_spelled(text: str, actors: Collection[str]) -> str | None:
    """The actor a run of a path's parts spells: ``text``, or ``text`` with its final dot
    (``U.S`` for ``U.S.``: a name's final dot may double as the separator), else None."""
    return next((name for name in (text, text + ".") if name in actors), None)


def relation_pairs(ends: Sequence[str], actors: Collection[str]) -> list[tuple[str, str]]:
    """The pairs of actors the parts of a path ``relations.FROM.TO`` after ``relations``
    can spell (names may hold dots: ``relations.U.S..Syria`` and ``relations.U.S.Syria``
    both give ``('U.S.', 'Syria')``), the shortest ``FROM`` first."""
    pairs: list[tuple[str, str]] = []
    for k in range(1, len(ends)):
        head, tail = ".".join(ends[:k]), ".".join(ends[k:])
        for source in dict.fromkeys((head, head + ".")):
            for to in dict.fromkeys((tail, tail + ".")):
                if source in actors and to in actors:
                    pairs.append((source, to))
    return pairs


def relation_reading(
    ends: Sequence[str], actors: Collection[str], relations: Any
) -> tuple[str, str] | None:
    """The pair a path ``relations.FROM.TO`` names (``ends``, its parts after
    ``relations``): of the pairs it can spell (:func:`relation_pairs`), the longest first
    name first, as other paths read names with dots, and of those the first that names a
    relation ``relations`` gives; None if it spells no pair (decisions 891, 895)."""
    pairs = relation_pairs(ends, actors)[::-1]
    named = (pair for pair in pairs if relation_index(relations, *pair) is not None)
    return next(named, pairs[0] if pairs else None)


def relation_value(tree: Mapping[str, Any], path: str) -> Any:
    """The value a scenario tree gives the relation an override path
    ``relations.FROM.TO`` names (decision 891), or None where it gives none."""
    relations: Any = tree.get("relations")
    pair = relation_reading(path.split(".")[1:], set(tree_actor_names(tree)), relations)
    index = relation_index(relations, *pair) if pair else None
    fields = relation_fields(relations[index]) if index is not None else None
    return fields[2] if fields else None


def resolved_relations(relations: list[Relation]) -> list[tuple[str, str, float, bool]]:
    """Every relation as ``(from, to, value, directed)``; a list entry is undirected."""
    out: list[tuple[str, str, float, bool]] = []
    for rel in relations:
        source, to, value, directed = cast("tuple[str, str, float, bool]", relation_fields(rel))
        out.append((source, to, float(value), directed))
    return out


# --------------------------------------------------------------------------- parameters


class TrustParameters(Strict):
    negativity_bias: Annotated[float, Field(ge=0.0, le=100.0)] = 2.0
    memory: Annotated[float, Field(gt=0.0, le=1.0)] = 0.98
    prior_strength: Strength = 10.0
    prior_memory: Annotated[float, Field(gt=0.0, le=1.0)] = 1.0


class SalienceParameters(Strict):
    target: Unit = 1.0
    same_region: Unit = 0.6
    same_bloc: Unit = 0.4
    aligned_with_actor: Unit = 0.5
    global_: Unit = Field(default=0.1, alias="global")
    stance: Unit = 0.0

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


class DiffusionParameters(Strict):
    susceptibility: Unit = 0.3


class AlignmentWeights(Strict):
    trust: NonNegative = 3.0
    capability: NonNegative = 1.0
    ideology: NonNegative = 1.0
    inertia: NonNegative = 0.5
    affinity: NonNegative = 0.0


class AlignmentParameters(Strict):
    # At most the months a YYYY-MM calendar holds (a longer period never realigns either).
    period: Annotated[int, Field(ge=0, le=120_000)] = 1
    temperature: NonNegative = 0.1
    nonaligned_utility: Bounded = 1.5
    weights: AlignmentWeights = Field(default_factory=AlignmentWeights)


class StanceParameters(Strict):
    """How stances are formed and read (model.md section 8.1 and 8.2)."""

    from_ideology: NonNegative = 0.0
    enemy_reliability: Unit = 1.0


class AffinityParameters(Strict):
    """The affinity channel's overall scale; 0 (v1) yields no affinity evidence."""

    scale: NonNegative = 0.0


class EventKindParameters(Strict):
    """Per-kind settings; ``weight`` and ``affinity`` default to the registry's
    (:mod:`sim.scenario.kinds`)."""

    weight: Bounded | None = None
    affinity: Bounded | None = None


class RecognizeParameters(EventKindParameters):
    """``recognize`` also takes ``first_mover_decay`` (model.md section 5); under another
    kind it would be ignored, so it is an unknown field there."""

    first_mover_decay: Unit | None = None


# The kinds whose settings go beyond weight and affinity.
_KIND_PARAMETERS: dict[str, type[EventKindParameters]] = {"recognize": RecognizeParameters}


def kinds_taking(name: str) -> list[str]:
    """The event kinds whose ``parameters.event_kinds`` entry has the field ``name``."""
    return [
        kind
        for kind in DEFAULT_WEIGHTS
        if name in _KIND_PARAMETERS.get(kind, EventKindParameters).model_fields
    ]


class EventKindTable(Strict):
    """``parameters.event_kinds``: one :class:`EventKindParameters` per evidence-bearing kind."""

    @model_validator(mode="before")
    @classmethod
    def _kinds_without_settings(cls, data: Any) -> Any:
        # An event kind with no entry was told "unknown field", as a misspelling is.
        for kind in data if isinstance(data, dict) else []:
            if kind in KINDS and kind not in DEFAULT_WEIGHTS:
                raise ValueError(
                    f"'{kind}' takes no settings: it is no evidence about a power's "
                    "reliability, and it has no parties whose side an affinity weight "
                    "could count (model.md 8.2: affinity 0); the kinds with settings are "
                    f"{', '.join(DEFAULT_WEIGHTS)}"
                )
            entry = data[kind]
            # A weight of reliability evidence but no parties: an affinity weight would
            # multiply nothing, and was taken without a word (decision 617).
            no_parties = kind in DEFAULT_WEIGHTS and not KINDS[kind].parties
            if no_parties and isinstance(entry, dict) and "affinity" in entry:
                with_parties = [k for k in DEFAULT_WEIGHTS if KINDS[k].parties]
                raise ValueError(
                    f"'{kind}' takes no affinity setting: it has no parties whose side "
                    "an affinity weight could count (model.md 8.2: affinity 0), so only "
                    f"its weight may be set; the kinds with an affinity setting are "
                    f"{', '.join(with_parties)}"
                )
        return data

    def weight(self, kind: str) -> float:
        """The weight of ``kind``: the scenario's, else the package default."""
        given = getattr(self, kind).weight
        return DEFAULT_WEIGHTS[kind] if given is None else float(given)

    def affinity(self, kind: str) -> float:
        """The affinity weight of ``kind``: the scenario's, else the package default."""
        entry = getattr(self, kind, None)
        given = None if entry is None else entry.affinity
        return DEFAULT_AFFINITY[kind] if given is None else float(given)

    def first_mover_decay(self) -> float:
        given = getattr(self, "recognize").first_mover_decay  # noqa: B009 - a generated field
        return DEFAULT_FIRST_MOVER_DECAY if given is None else float(given)


if TYPE_CHECKING:
    EventKinds = EventKindTable
else:
    # One field per kind with a weight, derived from the registry.
    EventKinds = create_model(
        "EventKinds",
        __base__=EventKindTable,
        **{
            kind: (model, Field(default_factory=model))
            for kind in DEFAULT_WEIGHTS
            for model in [_KIND_PARAMETERS.get(kind, EventKindParameters)]
        },
    )


class Parameters(Strict):
    trust: TrustParameters = Field(default_factory=TrustParameters)
    salience: SalienceParameters = Field(default_factory=SalienceParameters)
    diffusion: DiffusionParameters = Field(default_factory=DiffusionParameters)
    alignment: AlignmentParameters = Field(default_factory=AlignmentParameters)
    event_kinds: EventKinds = Field(default_factory=EventKinds)
    stance: StanceParameters = Field(default_factory=StanceParameters)
    affinity: AffinityParameters = Field(default_factory=AffinityParameters)

    def v2_features(self) -> list[str]:
        """The model v2 mechanisms this parameter set turns on (empty: a v1 run)."""
        on = []
        if self.stance.from_ideology:
            on.append(f"stances from ideology {self.stance.from_ideology:g}")
        if self.stance.enemy_reliability != 1.0:
            on.append(f"enemy_reliability {self.stance.enemy_reliability:g}")
        if self.affinity.scale:
            on.append(f"affinity scale {self.affinity.scale:g}")
        if self.salience.stance:
            on.append(f"salience.stance {self.salience.stance:g}")
        if self.alignment.weights.affinity:
            on.append(f"weights.affinity {self.alignment.weights.affinity:g}")
        if self.trust.prior_memory != 1.0:
            on.append(f"prior_memory {self.trust.prior_memory:g}")
        return on


# --------------------------------------------------------------------------- events


class EventBase(Strict):
    """Fields every event has. Exactly one of ``date`` and ``step``."""

    id: str | None = None
    date: Month | None = None
    step: Annotated[int, Field(ge=1)] | None = None
    source: str | None = Field(default=None, description="where the event is documented")
    label: str | None = Field(default=None, description="short label for figures")
    key: bool | None = Field(
        default=None,
        description="true: labelled in figures before the others; when any event is key, "
        "only key events are labelled, each one the event strip has room for (the "
        "caption names the others)",
    )

    @model_validator(mode="after")
    def _one_time(self) -> EventBase:
        if (self.date is None) == (self.step is None):
            raise ValueError("give exactly one of 'date' (YYYY-MM) or 'step' (1..T)")
        return self


class TargetedEvent(EventBase):
    actor: str
    target: str
    magnitude: Magnitude = 1.0


class Intervene(TargetedEvent):
    kind: Literal["intervene"]


class Support(TargetedEvent):
    kind: Literal["support"]


class Withdraw(TargetedEvent):
    kind: Literal["withdraw"]


class RefuseAid(TargetedEvent):
    kind: Literal["refuse_aid"]


class ClientHarmed(TargetedEvent):
    kind: Literal["client_harmed"]


class BaseLoss(TargetedEvent):
    kind: Literal["base_loss"]


class Expelled(TargetedEvent):
    kind: Literal["expelled"]


class Recognize(TargetedEvent):
    kind: Literal["recognize"]


class SideWithAdversary(TargetedEvent):
    kind: Literal["side_with_adversary"]
    with_: str | None = Field(default=None, alias="with")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


class Rapprochement(EventBase):
    kind: Literal["rapprochement"]
    actor: str
    with_: str = Field(alias="with")
    magnitude: Magnitude = 1.0

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


class Rhetoric(EventBase):
    kind: Literal["rhetoric"]
    actor: str
    magnitude: Magnitude = 1.0


class Propaganda(EventBase):
    kind: Literal["propaganda"]
    actor: str
    about: str
    magnitude: Magnitude = 1.0
    until: Month | None = None


class RegimeChange(EventBase):
    kind: Literal["regime_change"]
    target: str
    trust: dict[str, TrustEntry] = Field(default_factory=dict)
    relations: dict[str, StanceValue] = Field(default_factory=dict)
    affinity: dict[str, TrustEntry] = Field(default_factory=dict)
    aligned: str | None = None
    ideology: IdeologyValue | None = None

    @field_validator("ideology")
    @classmethod
    def _ideology_range(cls, value: IdeologyValue | None) -> IdeologyValue | None:
        return None if value is None else _check_ideology(value)


class CapabilityChange(EventBase):
    kind: Literal["capability_change"]
    actor: str
    delta: Bounded | None = None
    value: NonNegative | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> CapabilityChange:
        if (self.delta is None) == (self.value is None):
            raise ValueError("give exactly one of 'delta' or 'value'")
        return self


class RelationEvent(EventBase):
    """``stance[actor, target] = value`` (and the reverse unless directed) from its date."""

    kind: Literal["relation"]
    actor: str
    target: str
    value: StanceValue
    directed: bool = False


EventModel = (
    Intervene
    | Support
    | Withdraw
    | SideWithAdversary
    | RefuseAid
    | ClientHarmed
    | BaseLoss
    | Expelled
    | Rapprochement
    | Rhetoric
    | Recognize
    | Propaganda
    | RegimeChange
    | CapabilityChange
    | RelationEvent
)
"""Any one event, typed: what the engine and the checks take."""

Event = Annotated[EventModel, Field(discriminator="kind")]


# --------------------------------------------------------------------------- outputs


class Group(Strict):
    """A named group of actors for the outputs: the states matching every selector given.

    ``bloc`` and ``region`` select states; ``members`` names actors (states or powers).
    """

    bloc: str | None = None
    region: str | None = None
    members: list[str] | None = None

    @model_validator(mode="after")
    def _some_selector(self) -> Group:
        if self.bloc is None and self.region is None and self.members is None:
            raise ValueError("a group needs at least one of 'bloc', 'region' or 'members'")
        return self


def _in(actor: Actor, field: str, value: str) -> bool:
    """Whether an actor is in bloc (or region) ``value``."""
    return value in actor.blocs if field == "bloc" else actor.region == value


def group_selectors(group: Group) -> list[tuple[str, str]]:
    """The group's state selectors given, as ``(field, value)``: bloc, then region."""
    return [(f, v) for f, v in (("bloc", group.bloc), ("region", group.region)) if v]


def group_actors(group: Group, sc: Scenario) -> list[str]:
    """The actors a group selects, by name: its ``members`` (every actor if none are
    given) that are states in its ``bloc`` and ``region`` when those are given
    (bloc and region select states only; :func:`sim.model.resolve_groups`)."""
    names = group.members if group.members is not None else list(sc.states)
    selectors = group_selectors(group)
    if not selectors:
        return [n for n in names if n in sc.states or n in sc.powers]
    return [
        n for n in names if n in sc.states and all(_in(sc.states[n], f, v) for f, v in selectors)
    ]


def repeated(items: Sequence[Any]) -> tuple[int, int] | None:
    """The positions of the first item of ``items`` that repeats an earlier one (the
    earlier's, the repeat's), or None when every item is listed once."""
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        if item in seen:
            return seen[item], index
        seen[item] = index
    return None


def why_no_state(group: Group, sc: Scenario) -> str:
    """Why a group selects no state, as a parenthesis (empty members, a bloc or region
    that only powers hold, or selectors no state meets together)."""
    if group.members is not None and not group.members:
        return " (its members list is empty)"
    for field, value in (("bloc", group.bloc), ("region", group.region)):
        if value is None:
            continue
        if not any(_in(actor, field, value) for actor in sc.states.values()):
            powers = [n for n, actor in sc.powers.items() if _in(actor, field, value)]
            return f" (only powers have {field} '{value}': {', '.join(powers)})"
    return " (no state meets all of its selectors)"


class Outputs(Strict):
    groups: dict[str, Group] = Field(default_factory=dict)


class Defaults(Strict):
    trust: dict[str, TrustEntry] = Field(default_factory=dict)
    affinity: dict[str, TrustEntry] = Field(default_factory=dict)


MAX_GENERATED_TIES = 20_000_000


class Generate(Strict):
    """A synthetic population drawn from ``seed`` (see :mod:`sim.scenario.synthetic`)."""

    # The bounds keep a few lines from asking for more than a machine holds: each
    # generated name, tie and event is a Python object (about 200 bytes a tie).
    states: Annotated[int, Field(ge=1, le=10_000_000)]
    powers: Annotated[int, Field(ge=1, le=50)]
    regions: Annotated[int, Field(ge=1, le=10_000)] = 8
    blocs: Annotated[int, Field(ge=0, le=10_000)] = 6
    ties_per_state: Annotated[float, Field(ge=0.0, le=1_000.0)] = 2.0
    events: Annotated[int, Field(ge=0, le=100_000)] = 40
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] = 0

    @model_validator(mode="after")
    def _few_enough_ties(self) -> Generate:
        ties = round(self.ties_per_state * self.states)
        if ties > MAX_GENERATED_TIES:
            raise ValueError(
                f"states x ties_per_state asks for {ties:,} ties; at most "
                f"{MAX_GENERATED_TIES:,} may be generated (10,000,000 states with 2 each)"
            )
        return self


class Observed(Strict):
    """How the actors are named in observed data (validation.md, names).

    ``names`` maps an actor to its UN country name, or to null for an actor
    that has no seat in the data (it is left out of observed groups).
    """

    names: dict[str, str | None] = Field(default_factory=dict)


# --------------------------------------------------------------------------- scenario


class Scenario(Strict):
    """A whole scenario, after ``extends`` and overrides have been resolved."""

    # The events its file's remove_events took out, id -> kind: not part of the scenario
    # (nor of its hash, nor of its equality: __eq__), kept so that an override of one can
    # say why it is not there (decision 817).
    _removed_events: dict[str, str] = PrivateAttr(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        """Equal fields, as pydantic compares them, whatever ``_removed_events`` holds."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__ and (
            self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]  # unhashable, as pydantic's models are

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    calendar: Calendar
    ideology_axes: list[str] = Field(default_factory=lambda: ["ideology"], min_length=1)
    powers: dict[str, Power] = Field(default_factory=dict)
    states: dict[str, State] = Field(default_factory=dict)
    defaults: Defaults = Field(default_factory=Defaults)
    network: Network = Field(default_factory=Network)
    relations: list[Relation] = Field(default_factory=list)
    parameters: Parameters = Field(default_factory=Parameters)
    events: list[Event] = Field(default_factory=list)
    windows: dict[str, tuple[Month, Month]] = Field(default_factory=dict)
    outputs: Outputs = Field(default_factory=Outputs)
    generate: Generate | None = None
    observed: Observed | None = None

    @property
    def power_names(self) -> list[str]:
        return list(self.powers)

    @property
    def actor_names(self) -> list[str]:
        """Powers first, then states, each in file order: the row order of every array."""
        return [*self.powers, *self.states]

    def event_step(self, event: EventModel) -> int:
        """The step (1..T) at which ``event`` applies."""
        if event.step is not None:
            return int(event.step)
        if event.date is None:  # pragma: no cover - the event's validator forbids it
            raise ValueError("an event needs a date or a step")
        return self.calendar.step_of(event.date)


# --------------------------------------------------------------------------- references


def suggest(name: str, choices: Iterable[str]) -> str:
    """A ``(did you mean 'x'?)`` suffix, or an empty string.

    A name that begins exactly one choice (``arab`` of ``arab_league``) is taken for
    it, as the closest spelling would not (``africa``); else the closest spelling."""
    options = list(choices)
    # The same name in other case ("V2" for "v2", "ME" for "me"): too short for a close
    # spelling, and the likeliest slip (an audit, decision 649).
    same = [c for c in options if c.lower() == name.lower() and c != name]
    if len(same) == 1:
        return f" (did you mean '{same[0]}'?)"
    # Another name of the same state: the shipped cases call China 'PRC' or 'China' and
    # Russia 'USSR' or 'Russia', and a name learnt from one file is the likeliest slip in
    # another (decision 915). No spelling is close: 'PRC' is not near 'China'.
    state = [c for c in options if c != name and same_state(c, name)]
    if len(state) == 1:
        return f" (did you mean '{state[0]}', the name this scenario gives it?)"
    started = [c for c in options if len(name) >= 3 and c.lower().startswith(name.lower())]
    if len(started) == 1 and started[0] != name:
        return f" (did you mean '{started[0]}'?)"
    close = difflib.get_close_matches(name, options, n=len(options), cutoff=0.6)
    return f" (did you mean '{_likeliest(name, close)}'?)" if close else ""


def _likeliest(name: str, close: list[str]) -> str:
    """Of difflib's closest spellings (best first), the likeliest slip among those equally
    close: 'Lybia' is as close to 'Syria' as to 'Libya' by difflib's ratio, which then
    offered 'Syria' (an outside check, decision 916). Among the ties, the same letters
    in another order come first, then the same first letter."""
    best = difflib.SequenceMatcher(None, name, close[0]).ratio()
    tied = [c for c in close if difflib.SequenceMatcher(None, name, c).ratio() == best]

    def slip(choice: str) -> tuple[bool, bool]:
        return (
            sorted(choice.lower()) != sorted(name.lower()),
            choice[:1].lower() != name[:1].lower(),
        )

    return min(tied, key=slip)  # min is stable: difflib's order among equals


def same_state(one: str, other: str) -> bool:
    """Whether two different names are, in any case, names of one state that the vote
    data's :data:`sim.observed.names.ALIASES` know (``USSR`` and ``Russia``, ``PRC``
    and ``China``, ``USA`` and ``United States``)."""
    from sim.observed.names import state_key  # it reads this module: imported when used

    return one.lower() != other.lower() and state_key(one) == state_key(other)


def allowed(choices: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(choices[:limit])
    more = f", ... ({len(choices)} in all)" if len(choices) > limit else ""
    return shown + more


def _unknown(path: str, what: str, name: str, choices: Sequence[str]) -> InputError:
    return InputError(
        f"unknown {what} '{name}'; {what}s are: {allowed(choices)}{suggest(name, choices)}",
        path=path,
    )


def _ideology_dim(value: IdeologyValue) -> int:
    return len(value) if isinstance(value, list) else 1


def event_field(event: EventModel, name: str, default: Any = None) -> Any:
    """``getattr(event, name, default)`` for a field that some event kinds lack.

    Read from the model's ``__dict__``, where pydantic keeps the fields: a
    kind without the field then costs a dictionary miss, not pydantic's
    ``__getattr__`` and an ``AttributeError`` (about 3 us, several times per
    event, each time a scenario is checked or compiled; decision 278).
    """
    return event.__dict__.get(name, default)


def event_path(index: int, event: EventModel) -> str:
    """How error messages and override paths name an event: by id where it has one."""
    return f"events.{event.id}" if event.id else f"events[{index}]"


def check_references(sc: Scenario) -> None:
    """Check every name, date and dimension that crosses sections.

    Raises:
        InputError: the first problem found, with its field path.
    """
    problems = reference_problems(sc)
    if problems:
        raise problems[0]


def reference_problems(sc: Scenario) -> list[InputError]:
    """Every cross-section problem of ``sc``, one per item checked, in file order.

    The actor lists are checked first (when they are wrong nothing else can be
    checked); then every power, state, default, relation, tie, event, window,
    group and observed name on its own, so that one pass reports them all.
    """
    problems: list[InputError] = []

    def attempt(check: Callable[..., None], *args: Any) -> None:
        try:
            check(*args)
        except InputError as exc:
            problems.append(exc)

    try:
        _check_actor_lists(sc)
    except InputError as exc:
        return [exc]
    powers = list(sc.powers)
    actors = [*sc.powers, *sc.states]
    actor_set = set(actors)
    dims = len(sc.ideology_axes)
    given = {_ideology_dim(a.ideology) for a in [*sc.powers.values(), *sc.states.values()]}
    if len(given) == 1 and dims not in given:
        # One mistake, one line: it was said at every actor, 17 lines for an audit's
        # second axis (decision 628).
        (have,) = given
        return [
            InputError(
                f"{dims} ideology axes ({', '.join(sc.ideology_axes)}), but every actor's "
                f"ideology has {have} coordinate{'s' if have != 1 else ''}: give each actor "
                f"{dims} (ideology: [{', '.join(['0.0'] * dims)}]), or list "
                f"{have} ax{'es' if have != 1 else 'is'}",
                path="ideology_axes",
            )
        ]

    def not_a_power(path: str, name: str, field: str, others: Sequence[str] = ()) -> InputError:
        """A name given where a power is needed: a state is said to be one."""
        if name in sc.states:
            also = "".join(f" or '{other}'" for other in others)
            return InputError(
                f"'{name}' is a state; {field} must be a power ({allowed(powers)}){also}",
                path=path,
            )
        return _unknown(path, "power", name, [*powers, *others])

    def check_trust(path: str, entries: dict[str, Any], observer: str | None) -> None:
        what = path.rsplit(".", 1)[-1]
        for p in entries:
            if p not in sc.powers:
                raise not_a_power(f"{path}.{p}", p, f"each {what} entry")
            if p == observer:
                raise InputError(
                    f"a power holds no {what} in itself; remove '{p}'", path=f"{path}.{p}"
                )

    def check_ideology(path: str, value: IdeologyValue) -> None:
        if _ideology_dim(value) != dims:
            raise InputError(
                f"ideology has {_ideology_dim(value)} coordinate(s) but the scenario has "
                f"{dims} ideology axis/axes ({', '.join(sc.ideology_axes)})",
                path=path,
            )

    def check_relation(path: str, a: str, b: str, fields: tuple[str, str] = ("", "")) -> None:
        # An unknown actor is said at its own field: ``path`` and the end's ``fields``.
        for end, field in zip((a, b), fields, strict=True):
            if end not in actor_set:
                raise _unknown(path + field, "actor", end, actors)
        if a == b:
            raise InputError(
                f"a relation from '{a}' to itself is not allowed (its stance is always 1)",
                path=path,
            )

    def check_power(name: str, power: Power) -> None:
        check_trust(f"powers.{name}.trust", power.trust, name)
        check_trust(f"powers.{name}.affinity", power.affinity, name)
        check_ideology(f"powers.{name}.ideology", power.ideology)

    def check_state(name: str, state: State) -> None:
        check_trust(f"states.{name}.trust", state.trust, None)
        check_trust(f"states.{name}.affinity", state.affinity, None)
        check_ideology(f"states.{name}.ideology", state.ideology)
        if state.aligned in sc.states:
            raise not_a_power(f"states.{name}.aligned", state.aligned, "aligned", [NONE_ALIGNMENT])
        if state.aligned != NONE_ALIGNMENT and state.aligned not in sc.powers:
            raise InputError(
                f"unknown power '{state.aligned}'; aligned must be a power "
                f"({allowed(powers)}) or 'none'{suggest(state.aligned, [*powers, 'none'])}",
                path=f"states.{name}.aligned",
            )

    def check_tie(i: int, a: str, b: str) -> None:
        for end in (a, b):
            if end not in actor_set:
                raise _unknown(f"network.ties[{i}]", "actor", end, actors)
        if a == b:
            raise InputError(
                f"a tie from '{a}' to itself is not allowed", path=f"network.ties[{i}]"
            )

    seen_ids: dict[str, int] = {}
    steps = sc.calendar.n_steps

    def check_event(i: int, ev: EventModel) -> None:
        path = event_path(i, ev)
        if ev.id is not None:
            if ev.id in seen_ids:
                raise InputError(
                    f"duplicate event id '{ev.id}' (also events[{seen_ids[ev.id]}]); "
                    "ids must be unique",
                    path=f"events[{i}].id",
                )
            seen_ids[ev.id] = i
        if ev.date is not None:
            _check_in_calendar(sc, f"{path}.date", ev.date)
        elif ev.step is not None and ev.step > steps:
            raise InputError(
                f"step {ev.step} is after the calendar's last step {steps}", path=f"{path}.step"
            )
        actor = event_field(ev, "actor")
        if actor is not None and KINDS[ev.kind].actor == "actor":
            if actor not in actor_set:
                raise _unknown(f"{path}.actor", "actor", actor, actors)
        elif actor is not None and actor not in sc.powers:
            raise not_a_power(f"{path}.actor", actor, f"the actor of '{ev.kind}'")
        target = event_field(ev, "target")
        if target is not None and target not in actor_set:
            raise _unknown(f"{path}.target", "actor", target, actors)
        if target is not None and target == actor:
            raise InputError(f"actor and target are both '{actor}'", path=f"{path}.target")
        with_ = event_field(ev, "with_")
        if with_ is not None:
            if ev.kind == "rapprochement" and with_ not in sc.powers:
                raise not_a_power(f"{path}.with", with_, "'with' of 'rapprochement'")
            if with_ not in actor_set:
                raise _unknown(f"{path}.with", "actor", with_, actors)
            if with_ == actor:
                raise InputError(
                    f"'with' is the actor '{actor}' itself; '{ev.kind}' is with another "
                    f"{'power' if ev.kind == 'rapprochement' else 'actor'}",
                    path=f"{path}.with",
                )
            if with_ == target:
                raise InputError(
                    f"'with' is the target '{target}'; in '{ev.kind}' it is a third actor",
                    path=f"{path}.with",
                )
        if ev.kind == "propaganda":
            if ev.about not in sc.powers:
                raise not_a_power(f"{path}.about", ev.about, "'about' of 'propaganda'")
            if ev.about == ev.actor:
                raise InputError(
                    "a power does not spread propaganda about itself", path=f"{path}.about"
                )
            if ev.until is not None:
                _check_in_calendar(sc, f"{path}.until", ev.until)
                if sc.calendar.step_of(ev.until) < sc.event_step(ev):
                    raise InputError(
                        f"'until' {ev.until} is before the event's own date", path=f"{path}.until"
                    )
        if ev.kind == "regime_change":
            if target in sc.powers:
                raise InputError(
                    "regime_change applies to states, not powers", path=f"{path}.target"
                )
            check_trust(f"{path}.trust", ev.trust, None)
            check_trust(f"{path}.affinity", ev.affinity, None)
            for other in ev.relations:
                check_relation(f"{path}.relations.{other}", ev.target, other)
            if (
                ev.aligned is not None
                and ev.aligned != NONE_ALIGNMENT
                and ev.aligned not in sc.powers
            ):
                raise not_a_power(f"{path}.aligned", ev.aligned, "aligned", [NONE_ALIGNMENT])
            if ev.ideology is not None:
                check_ideology(f"{path}.ideology", ev.ideology)

    def check_window(wname: str, start: str, end: str) -> None:
        _check_in_calendar(sc, f"windows.{wname}", start)
        _check_in_calendar(sc, f"windows.{wname}", end)
        if parse_month(end) < parse_month(start):
            raise InputError(
                f"window ends ({end}) before it starts ({start})", path=f"windows.{wname}"
            )

    regions = sorted({a.region for a in [*sc.powers.values(), *sc.states.values()]})
    blocs = sorted({b for a in [*sc.powers.values(), *sc.states.values()] for b in a.blocs})

    def check_group(gname: str, group: Group) -> None:
        gpath = f"outputs.groups.{gname}"
        if gname == "all":
            raise InputError(
                "'all' is the built-in group of all states; pick another name", path=gpath
            )
        if group.bloc is not None and group.bloc not in blocs:
            raise _unknown(f"{gpath}.bloc", "bloc", group.bloc, blocs)
        if group.region is not None and group.region not in regions:
            raise _unknown(f"{gpath}.region", "region", group.region, regions)
        for member in group.members or []:
            if member not in actor_set:
                raise _unknown(f"{gpath}.members", "actor", member, actors)
        # A member listed twice is the loader's check, on a file's values alone
        # (:func:`sim.scenario.loader.repeat_problems`): these checks also read the
        # scenarios a results folder's manifest holds, which one made before may have.
        if not group_actors(group, sc):
            raise InputError(
                f"group '{gname}' holds no actor{why_no_state(group, sc)}, so its series "
                "and summary would be empty; give it at least one state",
                path=gpath,
            )

    def check_observed(actor: str) -> None:
        if actor not in actor_set:
            raise _unknown(f"observed.names.{actor}", "actor", actor, actors)

    def check_axes() -> None:
        seen: dict[str, int] = {}
        for i, axis in enumerate(sc.ideology_axes):
            if axis in seen:
                raise InputError(
                    f"duplicate ideology axis '{axis}' (also ideology_axes[{seen[axis]}]); "
                    "each axis needs a name of its own",
                    path=f"ideology_axes[{i}]",
                )
            seen[axis] = i

    attempt(check_axes)
    for name, power in sc.powers.items():
        attempt(check_power, name, power)
    for name, state in sc.states.items():
        attempt(check_state, name, state)
    attempt(check_trust, "defaults.trust", sc.defaults.trust, None)
    attempt(check_trust, "defaults.affinity", sc.defaults.affinity, None)
    for i, (a, b, _v, _d) in enumerate(resolved_relations(sc.relations)):
        # ``.from``/``.to`` of a mapping, the position in a list (as its value's error is,
        # ``relations[0][2]``).
        ends = (".from", ".to") if isinstance(sc.relations[i], RelationSpec) else ("[0]", "[1]")
        attempt(check_relation, f"relations[{i}]", a, b, ends)
    attempt(_check_initial, sc)
    for i, (a, b, _w, _d) in enumerate(sc.network.resolved_ties()):
        attempt(check_tie, i, a, b)
    for i, ev in enumerate(sc.events):
        attempt(check_event, i, ev)
    for wname, (start, end) in sc.windows.items():
        attempt(check_window, wname, start, end)
    for gname, group in sc.outputs.groups.items():
        attempt(check_group, gname, group)
    for actor in sc.observed.names if sc.observed else {}:
        attempt(check_observed, actor)
    return problems


def parameter_problems(sc: Scenario) -> list[InputError]:
    """The cross-section problems that depend on ``sc.parameters``: those that
    :func:`reference_problems` finds, and nothing else reads the parameters.

    A scenario whose references were checked, given new parameters, needs only these
    (:func:`sim.scenario.loader.load_scenario`, decision 565).
    """
    try:
        _check_initial(sc)
    except InputError as exc:
        return [exc]
    return []


def _check_initial(sc: Scenario) -> None:
    if sc.network.initial == "equilibrium" and sc.parameters.diffusion.susceptibility >= 1.0:
        raise InputError(
            "network.initial 'equilibrium' needs susceptibility below 1 (at 1 the "
            "equilibrium does not depend on the priors); use 'prior' or lower it",
            path="parameters.diffusion.susceptibility",
        )


def _check_actor_lists(sc: Scenario) -> None:
    """At least one power and one state, no name both a power and a state, no reserved name."""
    if not sc.powers:
        raise InputError("a scenario needs at least one power", path="powers")
    if not sc.states:
        # Every output (shares, group series, poles) is about states choosing among powers.
        raise InputError(
            "a scenario needs at least one state (the states choose among the powers); "
            "add one under 'states'",
            path="states",
        )
    both = set(sc.powers) & set(sc.states)
    if both:
        name = sorted(both)[0]
        raise InputError(
            f"'{name}' is both a power and a state; names must be unique",
            path=f"states.{name}",  # at the state's entry, the second of the two
        )
    for section, names in (("powers", sc.powers), ("states", sc.states)):
        for name in names:
            if name == NONE_ALIGNMENT or name == "":
                # At the entry itself (a power's too), not at the line of ``states:``.
                where = f"{section}.{name}" if name else section
                raise InputError(f"'{name}' is reserved and cannot name an actor", path=where)


def _check_in_calendar(sc: Scenario, path: str, month: str) -> None:
    try:
        value = parse_month(month)
    except ValueError as exc:
        raise InputError(str(exc), path=path) from None
    if not sc.calendar.contains(value):
        raise InputError(
            f"date {month} is outside the calendar {sc.calendar.start} to {sc.calendar.end}",
            path=path,
        )
