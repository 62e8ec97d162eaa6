"""The event-kind registry: one entry per kind, from which the rest derives.

Each :class:`EventKind` holds what the schema, the event engine, the
synthetic generator and the tests need to know about a kind: its default
reliability weight (model.md section 5) and affinity weight with the
parties it is about (section 8.2), the fields it takes, whether it has a
target, whether it needs two powers, who may act, and the name of the
:class:`sim.events.EventEngine` handler that turns it into evidence.

Adding a kind is one entry here, its pydantic event model in
:mod:`sim.scenario.schema` and its handler in :mod:`sim.events`
(``_on_<handler>``); the test base class in ``tests/test_event_kinds.py``
checks that the three agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorPool = Literal["power", "actor", "none"]
Commitment = Literal["open", "close"] | None


@dataclass(frozen=True)
class EventKind:
    """One event kind's metadata.

    Attributes:
        name: the ``kind`` written in a scenario file.
        fields: the event's own fields (besides id, date, step, source, label, kind).
        weight: default reliability weight; None for kinds that yield no evidence
            (they take no ``parameters.event_kinds.<kind>`` entry).
        affinity: default affinity weight (model.md section 8.2).
        parties: ``(field, direction)`` of the actors whose stance the affinity
            evidence reads, e.g. ``(("target", -1),)`` for a withdrawal.
        has_target: the event names a ``target`` actor.
        two_powers: the event needs a second power (``with`` or ``about``).
        actor: who may be ``actor``: a power, any actor, or no actor field.
        handler: the EventEngine method ``_on_<handler>`` that applies it.
        commitment: ``open`` or ``close`` a (power, target) commitment.
        synthetic: drawn by the synthetic generator's event mix.
    """

    name: str
    fields: tuple[str, ...]
    weight: float | None
    affinity: float
    parties: tuple[tuple[str, int], ...]
    has_target: bool
    two_powers: bool
    actor: ActorPool
    handler: str
    commitment: Commitment = None
    synthetic: bool = True


TARGETED = ("actor", "target", "magnitude")


def _targeted(
    name: str,
    weight: float,
    affinity: float,
    direction: int,
    *,
    handler: str = "targeted",
    commitment: Commitment = None,
    synthetic: bool = True,
) -> EventKind:
    """A kind about how ``actor`` treats ``target``; direction 0: no affinity party."""
    return EventKind(
        name,
        TARGETED,
        weight,
        affinity,
        (("target", direction),) if direction else (),
        has_target=True,
        two_powers=False,
        actor="power",
        handler=handler,
        commitment=commitment,
        synthetic=synthetic,
    )


KINDS: dict[str, EventKind] = {
    kind.name: kind
    for kind in (
        _targeted("intervene", 1.0, 1.0, +1, commitment="open"),
        # Automatic per open commitment; written by hand it is an ordinary event.
        _targeted("support", 0.1, 0.1, +1, synthetic=False),
        _targeted("withdraw", -1.0, 1.0, -1, commitment="close"),
        EventKind(
            "side_with_adversary",
            ("actor", "target", "with", "magnitude"),
            -1.0,
            1.0,
            (("target", -1), ("with_", +1)),
            has_target=True,
            two_powers=False,
            actor="power",
            handler="side_with_adversary",
        ),
        _targeted("refuse_aid", -0.6, 0.6, -1),
        _targeted("client_harmed", -0.8, 0.8, -1),
        _targeted("base_loss", -0.3, 0.0, 0),
        # The client ends the patron's presence (Sadat, 1972): docs/ODD.md section 7.1.
        _targeted("expelled", -0.3, 1.0, -1, commitment="close", synthetic=False),
        EventKind(
            "rapprochement",
            ("actor", "with", "magnitude"),
            -0.5,
            0.5,
            (("with_", +1),),
            has_target=False,
            two_powers=True,
            actor="power",
            handler="rapprochement",
        ),
        EventKind(
            "rhetoric",
            ("actor", "magnitude"),
            0.2,
            0.0,
            (),
            has_target=False,
            two_powers=False,
            actor="power",
            handler="rhetoric",
        ),
        _targeted("recognize", 0.8, 0.8, +1, handler="recognize"),
        EventKind(
            "propaganda",
            ("actor", "about", "magnitude", "until"),
            None,
            0.0,
            (),
            has_target=False,
            two_powers=True,
            actor="power",
            handler="propaganda",
        ),
        EventKind(
            "regime_change",
            ("target", "trust", "aligned", "ideology", "relations", "affinity"),
            None,
            0.0,
            (),
            has_target=True,
            two_powers=False,
            actor="none",
            handler="regime_change",
            # Needs hand-written trust to mean anything.
            synthetic=False,
        ),
        EventKind(
            "capability_change",
            ("actor", "delta", "value"),
            None,
            0.0,
            (),
            has_target=False,
            two_powers=False,
            actor="power",
            handler="capability_change",
        ),
        EventKind(
            "relation",
            ("actor", "target", "value", "directed"),
            None,
            0.0,
            (),
            has_target=True,
            two_powers=False,
            actor="actor",
            handler="relation",
            # Added with model v2: kept out of the mix so that v1 synthetic
            # scenarios draw the same events as before.
            synthetic=False,
        ),
    )
}

EVENT_KINDS: tuple[str, ...] = tuple(KINDS)

# Everyday words for what the kinds model, as README's first paragraph says them ("make
# peace with each other, talk"), where no spelling is close to a kind: `kind: peace` was
# refused with the list of kinds and no pointer to `rapprochement` (an outside check of
# new cases; decision 996). Each word is offered its kind with what that kind needs.
KIND_WORDS: dict[str, str] = {
    "peace": "rapprochement",
    "peace_deal": "rapprochement",
    "peace_treaty": "rapprochement",
    "treaty": "rapprochement",
    "accords": "rapprochement",
    "detente": "rapprochement",
    "normalise": "rapprochement",
    "normalize": "rapprochement",
    "normalisation": "rapprochement",
    "normalization": "rapprochement",
    "talk": "rhetoric",
    "talks": "rhetoric",
    "statement": "rhetoric",
    "speech": "rhetoric",
    "threat": "rhetoric",
    "pledge": "rhetoric",
    "promise": "rhetoric",
    "invade": "intervene",
    "invasion": "intervene",
    "intervention": "intervene",
    "deploy": "intervene",
    "aid": "support",
    "arms": "support",
    "supply": "support",
    "withdrawal": "withdraw",
    "pullout": "withdraw",
    "exit": "withdraw",
    "abandon": "withdraw",
    "betray": "side_with_adversary",
    "betrayal": "side_with_adversary",
    "recognition": "recognize",
    "recognise": "recognize",
    "coup": "regime_change",
    "revolution": "regime_change",
    "expel": "expelled",
    "expulsion": "expelled",
}
DEFAULT_WEIGHTS: dict[str, float] = {
    k.name: k.weight for k in KINDS.values() if k.weight is not None
}
DEFAULT_AFFINITY: dict[str, float] = {k.name: k.affinity for k in KINDS.values()}
DEFAULT_FIRST_MOVER_DECAY = 0.5
SYNTHETIC_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS.values() if k.synthetic)
