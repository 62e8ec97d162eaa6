"""Which kind of input file a YAML tree is: scenario, experiment, pattern or calibration.

``credsim validate`` checks all four and must tell them apart before it can
word a mistake; a pattern file's ``scenario:`` may name a file of another
kind. A kind is told by its top-level fields (:func:`file_kind`):

1. the one kind whose fields hold every field the file has;
2. else the kind with the most fields that no other kind has (``calendar``,
   ``powers`` ...; ``scenarios``, ``design`` ...; ``scenario``, ``link``,
   ``groups``; ``population``, ``variants`` ...), so a misspelt field does
   not change the kind;
3. else, between a pattern and a calibration file (both have ``patterns``),
   what ``patterns`` holds: file names, or patterns;
4. else the kind cannot be told, and the caller says what each kind needs.

The field sets are written out here, so that telling a kind imports no
schema (the experiment's pulls in the sweep machinery); a test keeps them
equal to the schemas' fields.
"""

from __future__ import annotations

from typing import Any

KINDS = ("scenario", "experiment", "pattern", "calibration")
NOUNS = {
    "scenario": "a scenario",
    "experiment": "an experiment file",
    "pattern": "a pattern file",
    "calibration": "a calibration file",
}
FIELDS: dict[str, frozenset[str]] = {
    # sim.scenario.schema.Scenario, and what the loader reads before it (extends).
    "scenario": frozenset(
        {
            "name",
            "description",
            "calendar",
            "ideology_axes",
            "powers",
            "states",
            "defaults",
            "network",
            "relations",
            "parameters",
            "events",
            "windows",
            "outputs",
            "generate",
            "observed",
            "extends",
            "remove_events",
        }
    ),
    # sim.sweep.experiment.ExperimentSpec
    "experiment": frozenset(
        {
            "name",
            "description",
            "scenarios",
            "design",
            "replicates",
            "seed",
            "record",
            "engine",
            "overrides",
            "question",
            "plots",
        }
    ),
    # sim.patterns.schema.PatternFile
    "pattern": frozenset({"name", "scenario", "link", "groups", "patterns"}),
    # sim.calibrate.spec.CalibrationSpec
    "calibration": frozenset(
        {
            "name",
            "description",
            "patterns",
            "parameters",
            "population",
            "max_simulations",
            "min_epsilon",
            "replicates",
            "seed",
            "predictive",
            "variants",
        }
    ),
}
NEEDS = {
    "scenario": "a scenario needs at least name, calendar, powers and states",
    "experiment": "an experiment file needs name and scenarios",
    "pattern": "a pattern file needs name, scenario, link and patterns",
    "calibration": "a calibration file needs name, patterns and parameters",
}
# The command that takes each kind, for a file given to a command that takes another.
COMMANDS = {
    "scenario": "run it with 'credsim run'",
    "experiment": "run it with 'credsim sweep'",
    "pattern": "check it with 'credsim patterns check'",
    "calibration": "run it with 'credsim calibrate'",
}
# What any input file needs, for a file whose kind cannot be told (one line).
ANY_NEEDS = "; ".join(NEEDS[kind] for kind in KINDS)


def _own(kind: str, among: tuple[str, ...] = KINDS) -> frozenset[str]:
    """The fields of ``kind`` that no other kind ``among`` has."""
    others = set().union(*(FIELDS[k] for k in among if k != kind))
    return FIELDS[kind] - others


def file_kind(tree: Any, among: tuple[str, ...] = KINDS) -> str | None:
    """The kind of file (one of ``among``, by default :data:`KINDS`) a YAML tree is, or
    None when it cannot be told (not a mapping, or fields that fit several kinds
    alike): module docstring. A command that takes two kinds (``credsim sweep``: an
    experiment or a scenario) tells them apart ``among`` those two."""
    if not isinstance(tree, dict):
        return None
    keys = {str(key) for key in tree}
    holding = [kind for kind in among if keys <= FIELDS[kind]]
    if len(holding) == 1:
        return holding[0]
    hits = {kind: len(keys & _own(kind, among)) for kind in holding or among}
    best = max(hits.values())
    ahead = [kind for kind, n in hits.items() if n == best]
    if best > 0 and len(ahead) == 1:
        return ahead[0]
    listed = tree.get("patterns")
    if {"pattern", "calibration"} <= set(ahead) and isinstance(listed, list) and listed:
        return "calibration" if all(isinstance(item, str) for item in listed) else "pattern"
    return None


def kind_of_file(path: str) -> str | None:
    """The kind of input file ``path`` holds (:func:`file_kind`), None when it cannot be
    read or told: for an error path that says what a file given in the wrong place is."""
    from pathlib import Path

    from sim.errors import InputError
    from sim.scenario.loader import read_document, read_text

    try:
        return file_kind(read_document(read_text(Path(path), path), path).tree)
    except InputError:
        return None


def other_kind(tree: Any, expected: str) -> str | None:
    """Why a file of another kind than ``expected`` is refused (one line naming the
    command that takes it), or None when it is of that kind or its kind cannot be told
    (then the expected kind's schema words the mistake)."""
    kind = file_kind(tree)
    if kind is None or kind == expected:
        return None
    return f"this is {NOUNS[kind]}, not {NOUNS[expected]}; {COMMANDS[kind]}"
