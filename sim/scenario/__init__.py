"""Scenario files: schema, loading (YAML, extends, overrides, errors) and synthesis."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sim.scenario.calendar import Calendar
from sim.scenario.schema import Scenario, directions, resolved_relations


def scenario_tree(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain JSON-able data (aliases such as ``with`` restored)."""
    return scenario.model_dump(mode="json", by_alias=True, exclude_none=True)


def runnable_tree(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as a scenario file may write it: what a run's and a sweep's
    manifest keep, which ``credsim run`` runs again to the same results (decision 1005).

    :func:`scenario_tree` less three things a file may not say. A generated population
    is drawn already: its ``generate`` block is left out (read again, it drew a second
    population beside the first). Ties that set the same directions (a drawn pair in
    both orders, a child's tie beside its parent's) are one tie, at the first one's
    place, with their weights' sum, which the run gives their pair. A relation whose
    every direction later ones set again, which the run never reads (a child's
    replacing its parent's), is left out. ``scenario_tree`` stays what identities hash.
    """
    tree = scenario_tree(scenario)
    tree.pop("generate", None)
    network = tree["network"]
    network["ties"] = _ties_once(network["ties"], scenario.network.resolved_ties())
    tree["relations"] = _relations_read(tree["relations"], resolved_relations(scenario.relations))
    return tree


def _ties_once(entries: list[Any], ties: list[tuple[str, str, float, bool]]) -> list[Any]:
    """The tie ``entries`` with those that set the directions of an earlier one folded
    into it, its weight their sum (``ties``: the entries resolved, in order)."""
    first: dict[frozenset[tuple[str, str]], int] = {}
    weights: list[float] = []
    kept: list[Any] = []
    for entry, (a, b, weight, directed) in zip(entries, ties, strict=True):
        key = directions(a, b, directed)
        if key in first:
            weights[first[key]] += weight
            continue
        first[key] = len(kept)
        kept.append(entry)
        weights.append(weight)
    if len(kept) == len(entries):
        return entries
    return [
        {**entry, "weight": weight} if isinstance(entry, dict) else [entry[0], entry[1], weight]
        for entry, weight in zip(kept, weights, strict=True)
    ]


def _relations_read(entries: list[Any], relations: list[tuple[str, str, float, bool]]) -> list[Any]:
    """The relation ``entries`` less those whose every direction a later one sets."""
    later: set[tuple[str, str]] = set()
    read: list[Any] = []
    for entry, (a, b, _value, directed) in zip(reversed(entries), reversed(relations), strict=True):
        sets = directions(a, b, directed)
        if not sets <= later:
            read.append(entry)
        later |= sets
    return read[::-1]


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def scenario_hash(scenario: Scenario, *extra: Any) -> str:
    """A stable hex digest of the resolved scenario (plus any ``extra`` JSON-able values)."""
    return hashlib.sha256(_json([scenario_tree(scenario), *extra]).encode()).hexdigest()


class ScenarioHasher:
    """:func:`scenario_hash` of scenarios made from one ``base`` with new values (a
    sweep's design points), to the same digest.

    ``scenario_hash`` writes the whole tree as JSON: about 0.9 ms for Syria, most
    of what planning a design point costs. New parameters alone leave every other
    section the base's own object (``loader._new_parameters``), so each section's
    JSON is written once for the base and spliced in wherever a scenario's section
    *is* the base's; a section that is not (any other override) is written anew.
    The payload is the same text: a sorted JSON object is its sorted members
    joined. Only for the life of one plan: a section changed in place afterwards
    would keep its old text (nothing in the package changes a loaded scenario).
    """

    def __init__(self, base: Scenario) -> None:
        self._base = base
        self._members = {name: self._member(base, name) for name in type(base).model_fields}

    @staticmethod
    def _member(scenario: Scenario, name: str) -> str | None:
        """``"key":value`` of the field ``name`` as the whole tree writes it; None when
        the tree leaves it out (a None value)."""
        dump = scenario.model_dump(mode="json", by_alias=True, exclude_none=True, include={name})
        return None if not dump else ",".join(f"{_json(k)}:{_json(v)}" for k, v in dump.items())

    def __call__(self, scenario: Scenario, *extra: Any) -> str:
        """The digest of ``scenario`` (plus ``extra``), equal to ``scenario_hash``'s."""
        members = []
        for name, base_member in self._members.items():
            same = getattr(scenario, name) is getattr(self._base, name)
            member = base_member if same else self._member(scenario, name)
            if member is not None:
                members.append(member)
        members.sort()
        tree = "{" + ",".join(members) + "}"
        payload = "[" + ",".join([tree, *(_json(e) for e in extra)]) + "]"
        return hashlib.sha256(payload.encode()).hexdigest()


def load_scenario(source: Any, overrides: Any = None) -> Scenario:
    """Load and validate a scenario; see :func:`sim.scenario.loader.load_scenario`."""
    from sim.scenario.loader import load_scenario as _load

    return _load(source, overrides)


__all__ = [
    "Calendar",
    "Scenario",
    "ScenarioHasher",
    "load_scenario",
    "runnable_tree",
    "scenario_hash",
    "scenario_tree",
]
