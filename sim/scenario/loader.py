"""Loading a scenario: safe YAML with line numbers, extends, generate, overrides, errors.

A scenario goes from its source to a validated :class:`~sim.scenario.schema.Scenario`
in one direction (model.md section 6, decisions.md items 16 to 21):

1. read the YAML with the safe loader, keeping where every value was written
   (an :class:`Origin` tree parallel to the data);
2. resolve ``extends`` chains, merging parent and child (the origins follow
   the values, so an error in a parent points at the parent's file and line);
3. apply overrides to ``generate.*``, expand a ``generate:`` block
   (:func:`sim.scenario.synthetic.expand_generated`), apply the other overrides;
4. validate with pydantic, then :func:`~sim.scenario.schema.check_references`.

Every problem becomes one :class:`~sim.errors.InputError` that reads
``FILE:LINE: field.path: what is wrong; what is allowed (did you mean 'x'?)``.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import InputError
from sim.scenario import scenario_tree
from sim.scenario.calendar import Calendar
from sim.scenario.schema import (
    EVENT_KINDS,
    NAME_PATTERN,
    Generate,
    Scenario,
    allowed,
    check_references,
    suggest,
)

Key = str | int
Loc = tuple[Key, ...]

# The C loader is the same safe loader, several times faster on large files.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"

# Collections whose entries are named by the user: an override path must name an
# existing entry (decisions.md item 20), so a misspelt name is an error, not a new entry.
_NAMED: dict[Loc, tuple[str, str]] = {
    ("powers",): ("power", "powers"),
    ("states",): ("state", "states"),
    ("events",): ("event id", "event ids"),
    ("outputs", "groups"): ("group", "groups"),
    ("windows",): ("window", "windows"),
    ("defaults", "trust"): ("defaults.trust entry", "defaults.trust entries"),
}
_SHAPE_HINTS: dict[Loc, str] = {
    ("network", "ties"): "a tie is [from, to], [from, to, weight] or {from, to, weight, directed}",
    ("windows",): "a window is [start, end], both YYYY-MM",
}
_EXPECTED: dict[str, str] = {
    "float_parsing": "a number",
    "float_type": "a number",
    "finite_number": "a finite number",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "a string",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}
_BOUNDS: dict[str, str] = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
_STEP_WORDS: dict[str, str] = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


# --------------------------------------------------------------------------- origins


@dataclass
class Origin:
    """Where a value of the scenario tree was written.

    Attributes:
        file: the file as the user named it, or ``override PATH=VALUE`` for a value
            set by an override, or None when unknown (a mapping given in code).
        line: the 1-based line of the value's key (of the item, in lists), if known.
        entries: the origins of the value's entries, by mapping key or list index.
    """

    file: str | None
    line: int | None = None
    entries: dict[Key, Origin] = field(default_factory=dict)

    def entry(self, key: Key) -> Origin:
        """The origin of entry ``key``: its own if recorded, else this file without a line."""
        return self.entries.get(key) or Origin(self.file)

    def locate(self, loc: Loc) -> Origin:
        """The origin of the deepest recorded value on the way to ``loc``."""
        origin = self
        for key in loc:
            if key not in origin.entries:
                break
            origin = origin.entries[key]
        return origin


@dataclass
class _Document:
    """A scenario tree (plain YAML data) with the origins of its values."""

    tree: Any
    origin: Origin


def _located(error: InputError, origin: Origin, loc: Loc) -> InputError:
    where = origin.locate(loc)
    return error.located(where.file, where.line)


# --------------------------------------------------------------------------- YAML


def _read_yaml(
    path: Path, shown: str, needs: str = "a scenario needs at least name, calendar and powers"
) -> _Document:
    """Read one YAML document with the safe loader, recording the line of every value.

    Args:
        path: the file to read.
        shown: the file as the user named it (for messages).
        needs: what an empty file lacks, for its error message.

    Raises:
        InputError: missing or unreadable file, YAML syntax error, duplicate key, empty file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file does not exist", file=shown) from None
    except IsADirectoryError:
        raise InputError("is a folder; give a YAML file", file=shown) from None
    except UnicodeDecodeError:
        raise InputError("is not a UTF-8 text file; give a YAML file", file=shown) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", file=shown) from None
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        origin = Origin(shown) if node is None else _origins(loader, node, shown, None, set())
        tree = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = ""
        if exc.context:
            at = f" on line {exc.context_mark.line + 1}" if exc.context_mark else ""
            context = f" ({exc.context}{at})"
        raise InputError(
            f"YAML syntax error: {exc.problem}{context}",
            file=shown,
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML syntax error: {exc}", file=shown) from None
    finally:
        loader.dispose()
    if tree is None:
        raise InputError(f"the file is empty; {needs}", file=shown)
    return _Document(tree, origin)


def _origins(loader: Any, node: Node, file: str, line: int | None, active: set[int]) -> Origin:
    """The origin tree of ``node``; also rejects duplicate keys, which YAML would drop silently."""
    origin = Origin(file, line)
    if id(node) in active:  # a recursive alias: the data is recursive, its origins need not be
        return origin
    active.add(id(node))
    if isinstance(node, MappingNode):
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # merged-in entries are located at the mapping that merges them
            # Most keys are plain strings: taken as they are, large files load faster.
            if key_node.tag == _STR_TAG:
                key = key_node.value
            else:
                key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if isinstance(key_node, ScalarNode) and key in first_line:
                raise InputError(
                    f"duplicate key '{key}' (first on line {first_line[key]}); "
                    "a key may appear only once in a mapping",
                    file=file,
                    line=key_line,
                )
            first_line[key] = key_line
            origin.entries[key] = _origins(loader, value_node, file, key_line, active)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            item_line = item.start_mark.line + 1
            origin.entries[index] = _origins(loader, item, file, item_line, active)
    active.discard(id(node))
    return origin


# --------------------------------------------------------------------------- extends


@dataclass(frozen=True)
class _Link:
    """One file of an ``extends`` chain: its real path and the name shown to the user."""

    real: Path
    shown: str


def _as_scenario(
    doc: _Document, base: Path, shown_base: str, chain: tuple[_Link, ...]
) -> _Document:
    """Check that ``doc`` is a scenario mapping and resolve its ``extends`` chain.

    Args:
        doc: the document as read.
        base: the folder that ``extends`` paths are relative to.
        shown_base: the same folder as the user would write it (for messages).
        chain: the files that led here, outermost child first (for cycle detection).
    """
    where = doc.origin.file
    if not isinstance(doc.tree, dict):
        raise InputError(
            "a scenario must be a mapping of fields (name, calendar, powers, states, ...), "
            f"got {_kind_of(doc.tree)}",
            file=where,
            line=doc.origin.line,
        )
    if "scenarios" in doc.tree:
        raise InputError(
            "this is an experiment file (it lists 'scenarios'), not a scenario; "
            "run it with 'credsim sweep'",
            file=where,
        )
    if "extends" not in doc.tree:
        if "remove_events" in doc.tree:
            raise _located(
                InputError(
                    "remove_events needs 'extends': there is no parent to remove from",
                    path="remove_events",
                ),
                doc.origin,
                ("remove_events",),
            )
        return doc
    reference = doc.tree.pop("extends")
    ref_origin = doc.origin.entries.pop("extends", Origin(where))
    here = ref_origin.file, ref_origin.line

    def fail(message: str) -> InputError:
        return InputError(message, path="extends").located(*here)

    if not isinstance(reference, str) or not reference.strip():
        raise fail(f"extends must be the path of a scenario file, got {_show(reference)}")
    link = _Link(
        (base / reference).resolve(), os.path.normpath(os.path.join(shown_base, reference))
    )
    names = " -> ".join([*(c.shown for c in chain), link.shown])
    if any(c.real == link.real for c in chain):
        raise fail(f"the files extend each other in a cycle: {names}")
    if not link.real.is_file():
        raise fail(f"file '{reference}' does not exist (looked for {link.shown}; chain: {names})")
    parent = _as_scenario(
        _read_yaml(link.real, link.shown),
        link.real.parent,
        os.path.dirname(link.shown),
        (*chain, link),
    )
    return _extend(parent, doc)


def _extend(parent: _Document, child: _Document) -> _Document:
    """Merge ``child`` over ``parent`` (decisions.md item 16)."""
    removals = child.tree.pop("remove_events", [])
    removal_origin = child.origin.entries.pop("remove_events", Origin(child.origin.file))
    events, event_origin = _remove_events(
        parent.tree.get("events", []), parent.origin.entry("events"), removals, removal_origin
    )
    if "events" in parent.tree:
        parent.tree["events"], parent.origin.entries["events"] = events, event_origin
    tree, origin = _merge(parent.tree, parent.origin, child.tree, child.origin, ())
    return _Document(tree, origin)


def _remove_events(
    events: Any, origin: Origin, removals: Any, removal_origin: Origin
) -> tuple[Any, Origin]:
    """The parent's events without those named in the child's ``remove_events``."""
    if not isinstance(removals, list) or not all(isinstance(r, str) for r in removals):
        raise _located(
            InputError(
                f"remove_events must be a list of event ids, got {_show(removals)}",
                path="remove_events",
            ),
            removal_origin,
            (),
        )
    if not removals:
        return events, origin
    ids = _event_ids(events)
    for index, name in enumerate(removals):
        if name not in ids:
            choices = list(ids)
            known = (
                f"the parent's event ids are: {allowed(choices)}"
                if choices
                else "the parent has no events with ids"
            )
            raise _located(
                InputError(
                    f"unknown event id '{name}'; {known}{suggest(name, choices)}",
                    path=f"remove_events[{index}]",
                ),
                removal_origin,
                (index,),
            )
    dropped = {ids[name] for name in removals}
    kept = [i for i in range(len(events)) if i not in dropped]
    return [events[i] for i in kept], _reindexed(origin, kept)


def _merge(
    parent: Any, p_origin: Origin, child: Any, c_origin: Origin, loc: Loc
) -> tuple[Any, Origin]:
    """Mappings merge key by key; events and network ties concatenate; other values replace."""
    if not (isinstance(parent, dict) and isinstance(child, dict)):
        return child, c_origin
    tree = dict(parent)
    origin = Origin(c_origin.file, c_origin.line, dict(p_origin.entries))
    for key, value in child.items():
        here = (*loc, key)
        if key not in parent:
            tree[key], origin.entries[key] = value, c_origin.entry(key)
        elif here == ("events",):
            tree[key], origin.entries[key] = _merge_events(
                parent[key], p_origin.entry(key), value, c_origin.entry(key)
            )
        elif (
            here == ("network", "ties")
            and isinstance(parent[key], list)
            and isinstance(value, list)
        ):
            tree[key] = [*parent[key], *value]
            origin.entries[key] = _concatenated(
                p_origin.entry(key), len(parent[key]), c_origin.entry(key), len(value)
            )
        else:
            tree[key], origin.entries[key] = _merge(
                parent[key], p_origin.entry(key), value, c_origin.entry(key), here
            )
    return tree, origin


def _merge_events(
    parent: Any, p_origin: Origin, child: Any, c_origin: Origin
) -> tuple[Any, Origin]:
    """Parent's events then the child's; a child event with a parent's id replaces it in place."""
    if not (isinstance(parent, list) and isinstance(child, list)):
        return child, c_origin
    events = list(parent)
    origin = Origin(c_origin.file, c_origin.line, dict(p_origin.entries))
    ids = _event_ids(parent)
    for index, event in enumerate(child):
        name = event.get("id") if isinstance(event, dict) else None
        # pop: a second child event with the same id is appended, so it shows as a duplicate
        slot = ids.pop(name) if name in ids else len(events)
        if slot == len(events):
            events.append(event)
        else:
            events[slot] = event
        origin.entries[slot] = c_origin.entry(index)
    return events, origin


def _event_ids(events: Any) -> dict[str, int]:
    """Index of every event that has a string id (the first, if an id repeats)."""
    ids: dict[str, int] = {}
    if isinstance(events, list):
        for index, event in enumerate(events):
            name = event.get("id") if isinstance(event, dict) else None
            if isinstance(name, str):
                ids.setdefault(name, index)
    return ids


def _reindexed(origin: Origin, kept: list[int]) -> Origin:
    entries: dict[Key, Origin] = {new: origin.entry(old) for new, old in enumerate(kept)}
    return Origin(origin.file, origin.line, entries)


def _concatenated(first: Origin, n_first: int, second: Origin, n_second: int) -> Origin:
    entries: dict[Key, Origin] = {i: first.entry(i) for i in range(n_first)}
    entries.update({n_first + i: second.entry(i) for i in range(n_second)})
    return Origin(second.file, second.line, entries)


# --------------------------------------------------------------------------- overrides


@dataclass(frozen=True)
class _Override:
    """One override: a dotted path into the merged tree and the value to put there."""

    path: str
    value: Any
    text: str

    @property
    def label(self) -> str:
        return f"override {self.text}"

    @property
    def sets_generate(self) -> bool:
        """Whether the override changes the ``generate:`` block (applied before the draw)."""
        return self.path.split(".")[0] == "generate"


def parse_overrides(overrides: Mapping[str, Any] | Sequence[str] | None) -> list[_Override]:
    """Overrides from a mapping ``{path: value}`` or ``PATH=VALUE`` strings (values are YAML)."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [_Override(str(p), v, f"{p}={v}") for p, v in overrides.items()]
    if isinstance(overrides, str):
        overrides = [overrides]
    parsed = []
    for text in overrides:
        path, sep, raw = str(text).partition("=")
        if not sep or not path.strip():
            raise InputError(
                f"override '{text}' must look like PATH=VALUE, "
                "e.g. parameters.trust.negativity_bias=3"
            )
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or str(exc)
            raise InputError(
                f"value '{raw}' is not valid YAML ({problem}); write numbers as 3 or 0.5, "
                "booleans as true/false, lists as [a, b], quote strings with ':' or '#'",
                file=f"override {text}",
            ) from None
        parsed.append(_Override(path.strip(), value, str(text)))
    return parsed


def _apply_override(doc: _Document, override: _Override) -> None:
    """Set ``override.value`` at its path in ``doc`` (decisions.md item 20).

    Raises:
        InputError: the path names an entry of a named collection that does not
            exist, or goes into a value that has no fields.
    """
    segments = override.path.split(".")
    if not all(segments):
        raise InputError(f"path '{override.path}' has an empty part", file=override.label)
    node: Any = doc.tree
    origin = doc.origin
    loc: Loc = ()
    position = 0
    while True:
        names = _entry_names(node, loc)
        if names is None or (isinstance(node, list) and loc not in _NAMED):
            raise InputError(
                f"'{_render(loc, doc.tree)}' is {_kind_of(node)}, which has no named entries",
                path=override.path,
                file=override.label,
            )
        key, position = _match(names, segments, position)
        if key is None:
            name = segments[position]
            if loc in _NAMED:
                what, plural = _NAMED[loc]
                choices = list(names)
                known = (
                    f"{plural} are: {allowed(choices)}"
                    if choices
                    else f"there are no {plural}; add the entry to the scenario file"
                )
                raise InputError(
                    f"unknown {what} '{name}'; {known}{suggest(name, choices)}",
                    path=".".join([*segments[:position], name]),
                    file=override.label,
                )
            key, position = name, position + 1
        if position == len(segments):
            node[key] = override.value
            origin.entries[key] = Origin(override.label)
            return
        if _child(node, key) is None:
            # A section the file leaves out (parameters.salience): created, then validated.
            node[key] = {}
            origin.entries[key] = Origin(override.label)
        node, origin, loc = node[key], origin.entry(key), (*loc, key)


def _entry_names(node: Any, loc: Loc) -> dict[str, Key] | None:
    """How an override path can name the entries of ``node``, or None for a plain value."""
    if isinstance(node, dict):
        return {str(k): k for k in node}
    if isinstance(node, list) and loc == ("events",):
        ids: dict[str, Key] = dict(_event_ids(node))
        return ids
    if isinstance(node, list):
        return {}
    return None


def _match(names: dict[str, Key], segments: list[str], position: int) -> tuple[Key | None, int]:
    """The entry named by the longest run of segments from ``position`` (names may hold dots)."""
    for end in range(len(segments), position, -1):
        candidate = ".".join(segments[position:end])
        if candidate in names:
            return names[candidate], end
    return None, position


# --------------------------------------------------------------------------- generate


def _expand_generated(doc: _Document) -> _Document:
    """Draw a synthetic population where the tree has a ``generate:`` block."""
    if "generate" not in doc.tree:
        return doc
    if "calendar" not in doc.tree:
        raise _located(
            InputError(
                "required field is missing; a generated scenario needs its calendar",
                path="calendar",
            ),
            doc.origin,
            (),
        )
    try:
        spec = Generate.model_validate(doc.tree["generate"])
        Calendar.model_validate(doc.tree["calendar"])
    except ValidationError as exc:
        section = "generate" if exc.title == Generate.__name__ else "calendar"
        raise _translate(exc, doc, (section,)) from None
    from sim.scenario.synthetic import expand_generated

    tree = expand_generated({**doc.tree, "generate": spec.model_dump()})
    generated = doc.origin.entry("generate")
    origin = Origin(doc.origin.file, doc.origin.line, dict(doc.origin.entries))
    for key in tree:
        origin.entries.setdefault(key, generated)
    return _Document(tree, origin)


# --------------------------------------------------------------------------- validation


def _validate(doc: _Document) -> Scenario:
    try:
        scenario = Scenario.model_validate(doc.tree)
    except ValidationError as exc:
        raise _translate(exc, doc) from None
    try:
        check_references(scenario)
    except InputError as exc:
        loc = _loc_of(exc.path, doc.tree) if exc.path else ()
        raise _located(exc, doc.origin, loc) from None
    return scenario


def _translate(
    exc: ValidationError, doc: _Document, prefix: Loc = (), root: type[BaseModel] = Scenario
) -> InputError:
    """The first pydantic error as one InputError with file, line and field path.

    ``root`` is the model that validated the whole tree (to list allowed fields).
    """
    errors = exc.errors(include_url=False)
    stripped = [_strip((*prefix, *e["loc"]), doc.tree, e["type"]) for e in errors]
    chosen = _pick(errors, stripped)
    error, loc = errors[chosen], stripped[chosen][0]
    if error["type"] == "union_tag_invalid":
        loc = (*loc, "kind")
    message = _describe(error, loc, doc.tree, root)
    return _located(InputError(message, path=_render(loc, doc.tree) or None), doc.origin, loc)


def _pick(errors: list[Any], stripped: list[tuple[Loc, Loc | None]]) -> int:
    """Which error to report: pydantic's first, refined where a union tried several shapes.

    A union reports one error per alternative; the alternative that fits the
    shape of the input reports deepest, so among the errors inside the same
    union value the deepest is the telling one. A missing field next to an
    unknown one is usually a misspelling: the unknown one (with its did-you-mean)
    says more.
    """
    chosen = 0
    union_at = stripped[0][1]
    if union_at is not None:
        inside = [i for i, (loc, _) in enumerate(stripped) if loc[: len(union_at)] == union_at]
        deepest = max(len(stripped[i][0]) for i in inside)
        chosen = next(i for i in inside if len(stripped[i][0]) == deepest)
    if errors[chosen]["type"] == "missing":
        parent = stripped[chosen][0][:-1]
        for i, (loc, _) in enumerate(stripped):
            if errors[i]["type"] == "extra_forbidden" and loc[:-1] == parent:
                return i
    return chosen


def _strip(loc: Loc, tree: Any, error_type: str) -> tuple[Loc, Loc | None]:
    """``loc`` without the union labels pydantic inserts (``intervene``, ``TieSpec``, ``float``).

    A label is a string part of ``loc`` that leads nowhere in the data; a final
    part absent from a mapping is kept for ``missing`` errors (it names the field).

    Returns:
        The stripped loc, and the loc of the union value (where the first label was), if any.
    """
    kept: list[Key] = []
    union_at: Loc | None = None
    node = tree
    for index, key in enumerate(loc):
        leads = (isinstance(node, dict) and key in node) or (
            isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        )
        if leads:
            node = node[key]
        elif node is not None and isinstance(key, str):
            if not (index == len(loc) - 1 and isinstance(node, dict) and error_type == "missing"):
                union_at = tuple(kept) if union_at is None else union_at
                continue
            node = None
        else:
            node = None
        kept.append(key)
    return tuple(kept), union_at


def _describe(error: Any, loc: Loc, tree: Any, root: type[BaseModel] = Scenario) -> str:
    """What is wrong and what is allowed, for one pydantic error."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    last = loc[-1] if loc else ""
    hint = next(
        (h for at, h in _SHAPE_HINTS.items() if loc[: len(at)] == at and len(loc) <= len(at) + 2),
        "",
    )
    hint = f"; {hint}" if hint else ""
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1], tree, root)
        names = [f.alias or n for n, f in model.model_fields.items()] if model else []
        if model is Scenario:
            names += ["extends", "remove_events"]  # consumed by the loader before validation
        return (
            f"unknown field '{last}'; allowed fields are: {allowed(names, len(names))}"
            f"{suggest(str(last), names)}"
        )
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        return (
            f"unknown event kind '{tag}'; kinds are: {allowed(EVENT_KINDS, len(EVENT_KINDS))}"
            f"{suggest(tag, EVENT_KINDS)}"
        )
    if kind == "union_tag_not_found":
        return f"an event needs a 'kind'; kinds are: {allowed(EVENT_KINDS, len(EVENT_KINDS))}"
    if kind == "missing":
        if isinstance(last, int):
            return f"item {last + 1} is missing{hint}"
        return "required field is missing"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        most = "at least" if kind == "too_short" else "at most"
        return f"needs {most} {bound} item(s), got {ctx.get('actual_length')}{hint}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound_key = next(k for k in _BOUNDS if k in ctx)
        return f"must be {_BOUNDS[bound_key]} {ctx[bound_key]:g}, got {_show(value)}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == NAME_PATTERN:
            fixed = re.sub(r"[^a-z0-9_-]+", "_", str(value).lower()).strip("_")
            tip = f" (did you mean '{fixed}'?)" if fixed else ""
            return (
                f"must match [a-z0-9_-]+ (lowercase letters, digits, '_' and '-'), "
                f"got {_show(value)}{tip}"
            )
        if "\\d{4}-\\d{2}" in str(ctx.get("pattern")):
            return f'expected a date YYYY-MM (e.g. "2015-09"), got {_show(value)}'
        return f"must match {ctx.get('pattern')}, got {_show(value)}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        tip = suggest(str(value), choices)
        return f"must be one of {ctx.get('expected')}, got {_show(value)}{tip}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind in _EXPECTED:
        quote = '; write dates as "YYYY-MM", in quotes' if isinstance(value, date) else ""
        return f"expected {_EXPECTED[kind]}, got {_show(value)}{quote}{hint}"
    return f"{error['msg']}, got {_show(value)}"


def _model_at(loc: Loc, tree: Any, root: type[BaseModel] = Scenario) -> type[BaseModel] | None:
    """The pydantic model that validates the value at ``loc`` (to list its fields)."""
    annotation: Any = root
    node = tree
    for key in loc:
        model = _as_model(annotation, node)
        if model is not None:
            found = [f for n, f in model.model_fields.items() if (f.alias or n) == key]
            if not found:
                return None
            annotation = found[0].annotation
        else:
            annotation = _unwrap(annotation)
            args = get_args(annotation)
            if get_origin(annotation) is dict:
                annotation = args[1]
            elif get_origin(annotation) in (list, tuple) and args:
                annotation = args[0]
            else:
                return None
        node = _child(node, key)
    return _as_model(annotation, node)


def _as_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    """The model among ``annotation``'s alternatives that fits ``node`` (events by ``kind``)."""
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) not in (Union, types.UnionType):
        return None
    models = [
        m
        for m in map(_unwrap, get_args(annotation))
        if isinstance(m, type) and issubclass(m, BaseModel)
    ]
    kind = node.get("kind") if isinstance(node, dict) else None
    for model in models:
        tag = model.model_fields.get("kind")
        if tag is not None and kind in get_args(tag.annotation):
            return model
    return models[0] if len(models) == 1 else None


def _unwrap(annotation: Any) -> Any:
    return get_args(annotation)[0] if get_origin(annotation) is Annotated else annotation


def _child(node: Any, key: Key) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


def _render(loc: Loc, tree: Any) -> str:
    """A field path as users write it: ``events.withdrawal.magnitude``, ``network.ties[0]``."""
    text = ""
    node = tree
    for key in loc:
        if isinstance(key, int):
            item = _child(node, key)
            name = item.get("id") if text == "events" and isinstance(item, dict) else None
            text += f".{name}" if isinstance(name, str) else f"[{key}]"
        else:
            text += f".{key}" if text else str(key)
        node = _child(node, key)
    return text


def _loc_of(path: str, tree: Any) -> Loc:
    """The inverse of :func:`_render` against ``tree``, for paths from ``check_references``."""
    loc: list[Key] = []
    node = tree
    rest = path
    while rest:
        key: Key
        if rest.startswith("["):
            close = rest.find("]")
            if close < 0 or not rest[1:close].isdigit():
                break
            key, rest = int(rest[1:close]), rest[close + 1 :]
        else:
            names = _entry_names(node, tuple(loc)) or {}
            head = rest.split("[", 1)[0]
            fits = [n for n in names if head == n or head.startswith(n + ".")]
            name = max(fits, key=len) if fits else head.split(".", 1)[0]
            key, rest = names.get(name, name), rest[len(name) :]
        rest = rest.removeprefix(".")
        loc.append(key)
        node = _child(node, key)
    return tuple(loc)


def _show(value: Any) -> str:
    """A value as the user wrote it in YAML, shortened."""
    if isinstance(value, str):
        text = f"'{value}'"
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float | int):
        text = f"{value:g}" if isinstance(value, float) else str(value)
    else:
        text = f"{_kind_of(value)} {value!r}"
    return text if len(text) <= 60 else text[:57] + "..."


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__}"


# --------------------------------------------------------------------------- public


def load_model[ModelT: BaseModel](
    path: str | os.PathLike[str],
    model: type[ModelT],
    *,
    needs: str,
    check: Callable[[ModelT], None] | None = None,
) -> ModelT:
    """Read a YAML file other than a scenario (a pattern file) with the scenario's error rules.

    The file is read with the same safe loader and line tracking, validated
    with ``model``, then ``check`` looks at what crosses fields; every problem
    becomes one :class:`~sim.errors.InputError` with file, line and field path.

    Args:
        path: the YAML file.
        model: the pydantic model of the whole file.
        needs: what an empty file lacks, for its error message.
        check: cross-field checks; raise InputError with ``path`` set to the
            field path (``patterns[2].group``) and the line is found here.

    Raises:
        InputError: anything wrong with the file.
    """
    shown = str(path)
    doc = _read_yaml(Path(shown), shown, needs)
    if not isinstance(doc.tree, dict):
        raise InputError(f"expected a mapping of fields, got {_kind_of(doc.tree)}", file=shown)
    try:
        value = model.model_validate(doc.tree)
    except ValidationError as exc:
        raise _translate(exc, doc, root=model) from None
    if check is not None:
        try:
            check(value)
        except InputError as exc:
            loc = _loc_of(exc.path, doc.tree) if exc.path else ()
            raise _located(exc, doc.origin, loc) from None
    return value


def load_scenario(
    source: str | os.PathLike[str] | Mapping[str, Any] | Scenario,
    overrides: Mapping[str, Any] | Sequence[str] | None = None,
) -> Scenario:
    """Load, merge, expand, override and validate a scenario.

    Args:
        source: a YAML file path; or a mapping (the raw tree of a scenario file,
            whose ``extends`` is relative to the working folder); or a Scenario
            (the overrides are applied to its dump, which is validated again).
        overrides: ``{"parameters.trust.negativity_bias": 3, ...}`` or
            ``["parameters.trust.negativity_bias=3", ...]`` (values parsed as YAML).
            Paths use dots and address events by id (``events.withdrawal.magnitude``).

    Returns:
        The validated scenario.

    Raises:
        InputError: anything wrong with the input, with file, line and field path.
    """
    parsed = parse_overrides(overrides)
    if isinstance(source, Scenario):
        if not parsed:
            return source
        blocked = [o for o in parsed if o.sets_generate]
        if blocked and source.generate is not None:
            raise InputError(
                "a loaded Scenario's population is already drawn; load the scenario from "
                "its file to change its generate block",
                file=blocked[0].label,
            )
        doc = _Document(scenario_tree(source), Origin(None))
    elif isinstance(source, Mapping):
        doc = _as_scenario(
            _Document(copy.deepcopy(dict(source)), Origin(None)), Path.cwd(), ".", ()
        )
    else:
        doc = _scenario_file(_read_yaml(Path(source), str(source)), str(source))
    return _finish(doc, parsed)


def _scenario_file(doc: _Document, shown: str) -> _Document:
    """A scenario file as read, with its ``extends`` chain resolved relative to it."""
    path = Path(shown)
    return _as_scenario(doc, path.parent, os.path.dirname(shown), (_Link(path.resolve(), shown),))


def _finish(doc: _Document, overrides: list[_Override]) -> Scenario:
    """Overrides, generation and validation of a merged document."""
    # generate.* first: the population is drawn from them; the rest may name what it drew.
    for override in overrides:
        if override.sets_generate:
            _apply_override(doc, override)
    doc = _expand_generated(doc)
    for override in overrides:
        if not override.sets_generate:
            _apply_override(doc, override)
    return _validate(doc)


def batch_kwargs_to_overrides(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of ``mesa.batch_run`` as override paths (decisions.md item 21).

    ``a__b__c=v`` becomes ``{"a.b.c": v}``; when ``a`` is not a top-level scenario
    field, the path is taken under ``parameters.`` (``trust__negativity_bias=3``
    is ``parameters.trust.negativity_bias``).
    """
    top = {f.alias or n for n, f in Scenario.model_fields.items()}
    out: dict[str, Any] = {}
    for name, value in kwargs.items():
        path = name.replace("__", ".")
        out[path if path.split(".")[0] in top else f"parameters.{path}"] = value
    return out


def cli_validate(args: argparse.Namespace) -> int:
    """``credsim validate FILE [--set PATH=VALUE ...]``: check a file, write nothing.

    Returns:
        0 when the file is valid (an InputError is raised otherwise).
    """
    shown = str(args.file)
    path = Path(shown)
    doc = _read_yaml(path, shown)
    if isinstance(doc.tree, dict) and "scenarios" in doc.tree:
        return _validate_experiment(path, list(args.overrides or []))
    scenario = _finish(_scenario_file(doc, shown), parse_overrides(list(args.overrides or [])))
    print(
        f"ok: {shown}: scenario '{scenario.name}', {_count(len(scenario.powers), 'power')}, "
        f"{_count(len(scenario.states), 'state')}, {_count(len(scenario.events), 'event')}, "
        f"{scenario.calendar.n_steps} {_STEP_WORDS[scenario.calendar.step]} steps"
    )
    return 0


def _validate_experiment(path: Path, overrides: list[str]) -> int:
    """Check an experiment file with the sweep's own loader."""
    try:
        from sim.sweep.experiment import load_experiment
    except ModuleNotFoundError as exc:
        if exc.name not in ("sim.sweep", "sim.sweep.experiment"):
            raise
        raise InputError("experiment files are not supported yet", file=str(path)) from None
    spec = load_experiment(
        path, overrides={o.path: o.value for o in parse_overrides(overrides)}
    ).spec
    print(f"ok: {path}: experiment '{spec.name}', {_count(len(spec.scenarios), 'scenario')}")
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
