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

import copy
import difflib
import gc
import math
import numbers
import os
import re
import types
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import (
    InputError,
    beyond_float,
    count_text,
    decimal_comma_hint,
    number_text,
    shortened,
    slash_hint,
)
from sim.inputs import NEEDS, other_kind
from sim.scenario import scenario_tree
from sim.scenario.calendar import Calendar, format_month, parse_month
from sim.scenario.kinds import EVENT_KINDS, KIND_WORDS, KINDS
from sim.scenario.schema import (
    MIN_STRENGTH,
    NAME_PATTERN,
    STANCE_RANGE,
    EventModel,
    Generate,
    Parameters,
    RegimeChange,
    RelationEvent,
    Scenario,
    actor_spelled,
    allowed,
    directions,
    event_path,
    kinds_taking,
    parameter_problems,
    reference_problems,
    relation_fields,
    relation_index,
    relation_reading,
    repeated,
    resolved_relations,
    suggest,
    tree_actor_names,
)

Key = str | int
Loc = tuple[Key, ...]

# The C loader is the same safe loader, several times faster on large files.
_CoreLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SafeLoader(_CoreLoader):  # type: ignore[misc]
    """The safe loader, reading ``1e-3``, ``2E5`` and ``1.5e3`` as numbers (YAML 1.2).

    YAML 1.1, which PyYAML follows, wants a dot and a signed exponent in a
    float, so ``1e-3`` would be the string ``'1e-3'``; researchers write it
    all the time, so every input file and command-line value reads it as a number.
    """


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
# YAML 1.1's numbers without its base-60 forms (``1:3`` is 63, ``1:30.5`` is 90.5): a
# range typed ``1:3`` ran silently at 63; now it is a string, which a number field
# refuses in one line.
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in pairs if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, pairs in _CoreLoader.yaml_implicit_resolvers.items()
}
_SafeLoader.add_implicit_resolver(
    _INT_TAG,
    # YAML 1.1's own forms (binary, octal, decimal, hexadecimal) but base 60: ``09`` stays
    # a string, as in YAML 1.1, rather than reaching the octal constructor and failing.
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_SafeLoader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_SafeLoader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"),
)


def _construct_int(loader: _SafeLoader, node: ScalarNode) -> int:
    """YAML's whole number, refused at its line past Python's 4,300 digits (a traceback before)."""
    try:
        value: int = _CoreLoader.construct_yaml_int(loader, node)
    except ValueError:
        digits = sum(c.isdigit() for c in str(node.value))
        raise InputError(
            f"a whole number of {digits:,} digits; numbers may have at most 4,300 digits",
            line=node.start_mark.line + 1,
        ) from None
    return value


_SafeLoader.add_constructor(_INT_TAG, _construct_int)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
# What PyYAML (YAML 1.1) reads as booleans, unquoted: a Norway written NO is false.
_YAML_BOOLEANS = "YAML 1.1 reads yes, no, on, off, true and false, in any case, as booleans"

# Collections whose entries are named by the user: an override path must name an
# existing entry (decisions.md item 20), so a misspelt name is an error, not a new entry.
# What an override of an event remove_events took out is told to do (an experiment that
# gives its own repair drops it: sim.sweep.experiment._unsuggested).
REMOVED_HINT = " (to weaken its kind's events instead, set "
_NAMED: dict[Loc, tuple[str, str]] = {
    ("powers",): ("power", "powers"),
    ("states",): ("state", "states"),
    ("events",): ("event id", "event ids"),
    ("outputs", "groups"): ("group", "groups"),
    ("windows",): ("window", "windows"),
    ("defaults", "trust"): ("defaults.trust entry", "defaults.trust entries"),
}
# Lists that ``extends`` concatenates, parent's first (model.md section 6: a relation is
# written like a tie). A later entry for the same pair is kept beside the earlier one:
# repeated ties add up, and of repeated relations the later sets the stance (the child's).
# Within one file a repeat is refused (:func:`repeat_problems`, decision 703).
_CONCATENATED: frozenset[Loc] = frozenset({("network", "ties"), ("relations",)})
_SHAPE_HINTS: dict[Loc, str] = {
    ("network", "ties"): "a tie is [from, to], [from, to, weight] or {from, to, weight, directed}",
    ("windows",): "a window is [start, end], both YYYY-MM",
    # An outside check's relation of two names got "item 3 is missing" and no form, and a
    # one-scenario question "required field is missing" (decision 843).
    ("relations",): (
        "a relation is [from, to, value], the value in [-1, 1], or {from, to, value, "
        "directed, source}"
    ),
    ("question", "difference"): (
        "a question compares two of the experiment's scenarios, difference: [a, b] "
        "(the metric in a minus the same in b)"
    ),
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
# The fields that hold a date YYYY-MM (an event's, a propaganda's end, the calendar's).
_DATE_FIELDS = frozenset({"date", "until", "start", "end"})
# Fields written where another field, or another place, says the same: the did-you-mean
# of the names would mislead ('stance' -> 'step', 'relations' -> 'region': a first
# afternoon's audit, decision 702). Keyed by the model that refuses the field.
_MISPLACED: dict[tuple[str, str], str] = {
    ("RelationEvent", "stance"): "a relation event's stance is its 'value', in [-1, 1]",
    ("RelationEvent", "magnitude"): (
        "a relation event has no magnitude: it sets a stance, its 'value', in [-1, 1]"
    ),
    **{
        (model, name): (
            "stances are not an actor's field: write them in the scenario's top-level "
            "'relations' list ({from: A, to: B, value: v, source: ...}), from a date on as "
            "a 'relation' event, or in a regime_change's 'relations'"
        )
        for model in ("Power", "State")
        for name in ("relations", "stance", "stances")
    },
}
# Read by the loader before the merged tree exists (the schema has no such fields).
_RESOLVED_FIELDS = ("extends", "remove_events")
_BOUNDS: dict[str, str] = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
# Input limits (decisions.md, issue 16): a scenario or experiment file may be this large,
# and its aliases may add this many values to what is written ("billion laughs").
MAX_FILE_BYTES = 64 * 2**20
MAX_ALIASES = 10_000
MAX_ALIAS_EXPANSION = 100_000


# --------------------------------------------------------------------------- origins


@dataclass
class Origin:
    """Where a value of the scenario tree was written.

    Attributes:
        file: the file as the user named it, or ``override PATH=VALUE`` for a value
            set by an override, or None when unknown (a mapping given in code).
        line: the 1-based line of the value's key (of the item, in lists), if known.
        entries: the origins of the value's entries, by mapping key or list index.
        text: the value as written, when YAML read it as a boolean (``NO``).
        key_text: the value's key as written, when YAML read it as no string (``NO``
            as false, ``7`` as 7): an error can then quote what the user wrote.
        after: the key and value written just before that key in a ``{...}`` mapping
            when the two read as a decimal comma (``{PA: 0,7}`` is ``PA: 0`` and ``7``).
        drawn: of a list, how many of its first items ``generate:`` drew (written
            nowhere: a synthetic scenario's ties, before the file's own).
        index: of a list item, its index in the list as its file writes it. ``extends``
            puts a child's relations and ties after its parent's, so an error's path
            (which indexes the merged list) is said with this one (:func:`_located`).
    """

    file: str | None
    line: int | None = None
    entries: dict[Key, Origin] = field(default_factory=dict)
    text: str | None = None
    key_text: str | None = None
    after: tuple[str, str] | None = None
    drawn: int = 0
    index: int | None = None

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
class Document:
    """A scenario tree (plain YAML data) with the origins of its values."""

    tree: Any
    origin: Origin
    # For each parent file of an extends chain: the extends lines that lead to it.
    via: dict[str, str] = field(default_factory=dict)
    # The events remove_events took out along the chain, id -> kind (Scenario._removed_events).
    removed: dict[str, str] = field(default_factory=dict)


def _located(error: InputError, origin: Origin, loc: Loc) -> InputError:
    where = origin.locate(loc)
    if error.file is None:
        if error.path:
            error.path = _as_written(error.path, origin, loc)
        error.message = _ALSO_EVENT.sub(lambda m: _also_event(m, origin, where), error.message)
    return error.located(where.file, where.line)


# "(also events[39])": the schema's duplicate id, which indexes the merged events.
_ALSO_EVENT = re.compile(r"\(also events\[(\d+)\]\)")


def _also_event(match: re.Match[str], origin: Origin, where: Origin) -> str:
    """The earlier event of a duplicate id as its file writes it, with its line, and its
    file when that is not the error's (decision 916)."""
    entry = origin.entry("events").entry(int(match.group(1)))
    text = f"events[{_written_index(int(match.group(1)), entry)}]"
    if entry.file is not None and entry.file != where.file:
        text += f" of {entry.file}"
    return f"(also {_also(text, entry)})"


def _as_written(path: str, origin: Origin, loc: Loc) -> str:
    """``path`` (a field path rendered from ``loc`` on the merged tree) with each list
    index as its file writes it: a child's ``relations[0]`` is the merged list's
    ``relations[11]`` when its parent has eleven, and the user wrote the first."""
    at = 0
    for key in loc:
        if key not in origin.entries:
            break
        origin = origin.entries[key]
        if not isinstance(key, int):
            continue
        token = f"[{key}]"
        found = path.find(token, at)
        if found < 0:
            continue  # an event named by its id
        written = token if origin.index is None else f"[{origin.index}]"
        path = path[:found] + written + path[found + len(token) :]
        at = found + len(written)
    return path


def _written_index(index: int, origin: Origin) -> int:
    """A merged list's ``index`` as the entry's own file writes it (:func:`_as_written`)."""
    return index if origin.index is None else origin.index


# --------------------------------------------------------------------------- YAML


def _near_file(path: Path, shown: str) -> str:
    """`` (did you mean 'scenarios/syria.yaml'?)`` for a YAML file beside the one asked for
    whose name is close to it, else "": a misspelt file was told only that it does not
    exist, where a misspelt field, group or metric gets a did-you-mean (an outside check
    of the README's commands, decision 936)."""
    try:
        names = [
            p.name for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()
        ]
    except OSError:
        return ""
    close = difflib.get_close_matches(path.name, names, n=1, cutoff=0.8)
    return f" (did you mean '{Path(shown).with_name(close[0])}'?)" if close else ""


def read_text(path: Path, shown: str) -> str:
    """The text of a YAML file, refused early if it is not a file or is too large."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        hint = slash_hint(shown) or _near_file(path, shown)
        raise InputError(f"file does not exist{hint}", file=shown) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", file=shown) from None
    if path.is_dir():
        raise InputError("is a folder; give a YAML file", file=shown)
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"is {size / 2**20:.0f} MiB; input files may be at most {MAX_FILE_BYTES // 2**20} MiB",
            file=shown,
        )
    try:
        # At most one byte past the limit: a device or a pipe has no size to check first.
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", file=shown) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"is more than {MAX_FILE_BYTES // 2**20} MiB; input files may be at most "
            f"{MAX_FILE_BYTES // 2**20} MiB",
            file=shown,
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} at column "
            f"{exc.start - line_start + 1} cannot be read; save the file as UTF-8",
            file=shown,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
    # Universal newlines, as reading in text mode gave: "\r\n" and "\r" end a line.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def beside(folder: str, given: str) -> str:
    """The path of ``given``, a path relative to ``folder``, as a message shows it.

    ``a/../b`` is shortened to ``b`` only when both name the same file: through a
    symbolic link ``a``, ``a/..`` is the link's target's parent, not ``.``.
    """
    joined = os.path.join(folder, given)
    short = os.path.normpath(joined)
    return short if os.path.realpath(short) == os.path.realpath(joined) else joined


def _check_expansion(root: Node, shown: str) -> None:
    """Refuse a document whose aliases expand it far beyond what is written ("billion laughs").

    The composed document is a graph in which an alias is a second reference
    to a node; its expanded size is counted over that graph with one memo
    entry per node, so the check is linear in the file, not in the expansion.
    """
    sizes: dict[int, int] = {}
    aliases = 0
    stack: list[tuple[Node, bool]] = [(root, False)]
    active: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = node.value if isinstance(node, SequenceNode) else []
            if isinstance(node, MappingNode):
                children = [n for pair in node.value for n in pair]
            sizes[key] = 1 + sum(sizes.get(id(c), 1) for c in children)
            active.discard(key)
            continue
        if key in sizes or key in active:
            aliases += 1  # a second reference: an alias (a recursive one counts as one node)
            continue
        active.add(key)
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            stack.extend((c, False) for c in reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend((c, False) for pair in reversed(node.value) for c in reversed(pair))
    expanded = sizes[id(root)]
    if aliases > MAX_ALIASES or expanded - len(sizes) > MAX_ALIAS_EXPANSION:
        raise InputError(
            f"its aliases (*name) expand it to {expanded:,} values from {len(sizes):,} written "
            f"({aliases:,} aliases); at most {MAX_ALIASES:,} aliases adding at most "
            f"{MAX_ALIAS_EXPANSION:,} values are allowed",
            file=shown,
        )


SCENARIO_NEEDS = NEEDS["scenario"]


def _read_yaml(path: Path, shown: str, needs: str = SCENARIO_NEEDS) -> Document:
    """Read one YAML document with the safe loader, recording the line of every value.

    Args:
        path: the file to read.
        shown: the file as the user named it (for messages).
        needs: what an empty file lacks, for its error message.

    Raises:
        InputError: missing, unreadable or too large file, a folder, YAML syntax error,
            aliases that expand too far, duplicate key, empty file.
    """
    return read_document(read_text(path, shown), shown, needs)


def yaml_value(text: str, shown: str) -> Any:
    """One YAML value from a short text (an override, a ``--vary`` item), aliases bounded.

    Raises:
        yaml.YAMLError: the text is not YAML.
        InputError: its aliases expand it too far.
    """
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, shown)
        return loader.construct_document(node)
    except InputError as exc:  # a one-line value: no line to name
        raise InputError(exc.message, file=shown) from None
    finally:
        loader.dispose()


def read_document(text: str, shown: str, needs: str = SCENARIO_NEEDS) -> Document:
    """Parse YAML ``text`` (read from ``shown``) into its tree and the origins of its values.

    ``needs`` says what an empty file lacks, for its error message.

    Raises:
        InputError: YAML syntax error, aliases that expand too far, duplicate key, empty.
    """
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_expansion(node, shown)
        origin = Origin(shown) if node is None else _origins(loader, node, shown, None, set())
        tree = None if node is None else loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        line, column = _where_unreadable(exc, text)
        raise InputError(
            f"YAML syntax error: unacceptable character #x{exc.character:04x} at column "
            f"{column}: {exc.reason}; delete it (most editors do not show it)",
            file=shown,
            line=line,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        context = ""
        if exc.context:
            at = f" on line {exc.context_mark.line + 1}" if exc.context_mark else ""
            context = f" ({exc.context}{at})"
        error_line: int | None = mark.line + 1 if mark else None
        quoted = _unclosed_quote(text, mark)
        if quoted is not None:
            # At the quote's line, where the mistake is; the parser's line said in words.
            hint = (
                f"; the {quoted[1]} opened here is not closed on this line, so YAML read on "
                f"to line {error_line}: close it (a value in quotes ends on its own line)"
            )
            error_line = quoted[0]
        else:
            hint = _unclosed(exc) or _hint(
                text, mark, exc.context_mark if "block mapping" in context else None
            )
        raise InputError(
            f"YAML syntax error: {exc.problem}{context}{hint}", file=shown, line=error_line
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML syntax error: {_yaml_problem(exc)}", file=shown) from None
    except InputError as exc:
        raise exc.located(shown) from None
    finally:
        loader.dispose()
    if tree is None:
        raise InputError(f"the file is empty; {needs}", file=shown)
    return Document(tree, origin)


def _unclosed(exc: yaml.MarkedYAMLError) -> str:
    """The hint for a ``[`` or ``{`` opened on an earlier line and never closed: the parser
    stops lines later, where the line's own slips (a ': ' in a nested mapping) were
    blamed instead (an outside check of the explorer, decision 846)."""
    context, start, problem = exc.context or "", exc.context_mark, exc.problem_mark
    if start is None or problem is None or start.line >= problem.line:
        return ""
    for kind, opener in (("flow sequence", "["), ("flow mapping", "{")):
        if kind in context:
            return (
                f"; the '{opener}' opened on line {start.line + 1} is not closed before "
                f"line {problem.line + 1}: close it, or write its items as lines of "
                "'- item' or 'key: value'"
            )
    return ""


def _unclosed_quote(text: str, mark: Any) -> tuple[int, str] | None:
    """The line (1-based) and kind of a quote left open on a line above a syntax error:
    the parser reads on into the next lines and stops lines later, where "did not find
    expected key" named neither the quote nor its line (an outside review of a new case,
    decision 947). None where no line shortly above opens one.

    The first line before the error's (at most :data:`QUOTE_LOOKBACK` back) that opens a
    quote it does not close, and only where closing it there mends the file or moves
    the error past the parser's line: a quote may run over lines in YAML, and a valid
    two-line source note was blamed for a bad indent below it (a check of the change)."""
    if mark is None:
        return None
    lines = text.splitlines()
    for at in range(min(mark.line, len(lines) - 1), max(-1, mark.line - QUOTE_LOOKBACK), -1):
        found = _open_quote(lines[at])
        if found is None:
            continue
        starts, quote = found
        closer = '"' if quote == "double quote" else "'"
        for column in starts:
            # Closed where the value ends: before a flow item's comma or brace, else at the
            # end of the line.
            mended = lines.copy()
            line = mended[at]
            end = _value_end(line, column)
            mended[at] = line[:end].rstrip() + closer + line[end:]
            if _parses_past("\n".join(mended), mark.line):
                return at + 1, quote
        return None
    return None


def _value_end(line: str, start: int) -> int:
    """Where the quoted value opened at ``start`` would end in a flow mapping or list (at
    the next ``,``, ``}`` or ``]``), else the end of the line."""
    if line.lstrip().removeprefix("- ").lstrip().startswith(("{", "[")):
        ends = [i for i in (line.find(c, start + 1) for c in ",}]") if i > 0]
        if ends:
            return min(ends)
    return len(line.rstrip())


def _parses_past(text: str, line: int) -> bool:
    """Whether ``text`` parses as YAML, or fails on a line after ``line`` (0-based)."""
    try:
        yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return mark is not None and mark.line > line
    except yaml.YAMLError:
        return False
    return True


# How many lines above a syntax error :func:`_unclosed_quote` looks for an open quote.
QUOTE_LOOKBACK = 12


def _open_quote(line: str) -> tuple[list[int], str] | None:
    """Where in ``line`` a quote may open that the line does not close (the columns to try,
    in order), and its kind (``"double quote"`` or ``"single quote"``): a value that
    starts with one, or a double quote left open among a flow mapping's items; None where
    the line has none."""
    body = line.strip().removeprefix("- ")
    _, sep, value = body.partition(": ")
    value = (value if sep else body).strip()
    if value and value[0] == "'" and "'" not in value[1:].replace("''", ""):
        return [line.index(value)], "single quote"
    # Double quotes: counted over the line, escapes left out (a flow item's open quote).
    plain = line.replace("\\\\", "  ").replace('\\"', "  ").split(" #")[0]
    if plain.count('"') % 2:
        return [i for i, c in enumerate(plain) if c == '"'], "double quote"
    return None


def _nested_removed(text: str) -> str:
    """``text`` with each nested ``{...}`` and ``[...]`` replaced by ``_``, innermost first."""
    while True:
        shorter = re.sub(r"\{[^{}\[\]]*\}|\[[^{}\[\]]*\]", "_", text)
        if shorter == text:
            return text
        text = shorter


def _hint(text: str, mark: Any, context: Any = None) -> str:
    """What a YAML error's line most likely holds wrong, when it is one of the usual
    slips: a tab in its indentation ("found character that cannot start any token"
    said nothing of it; an audit, decision 622), a line indented otherwise than the
    block mapping it is in (``context``, where the parser says the mapping began), or
    a colon and space inside a value that is not quoted."""
    if mark is None:
        return ""
    lines = text.splitlines()
    if not 0 <= mark.line < len(lines):
        return ""
    line = lines[mark.line]
    indent = len(line) - len(line.lstrip())
    if "\t" in line[:indent]:
        return "; the line is indented with a tab: YAML indents with spaces only"
    if (
        context is not None
        and context.line < mark.line
        and line.strip()
        and not line.lstrip().startswith("#")
        and indent != context.column
    ):
        # PyYAML's "did not find expected key (while parsing a block mapping on line N)"
        # says nothing of indentation, the usual cause (an outside check, decision 826).
        # The line above, deeper than both, is the level the writer most likely meant
        # (an item under `relations:` at 4 spaces, the next at 2; decision 955).
        deeper = _entry_indent_above(lines, mark.line)
        also = (
            f", and the line above it {_spaces(deeper)}"
            if deeper > max(indent, context.column)
            else ""
        )
        return (
            f"; the line is indented {_spaces(indent)}, the entries of the mapping it is "
            f"in (from line {context.line + 1}) {_spaces(context.column)}{also}: YAML reads "
            "indentation as structure"
        )
    body = line.strip().removeprefix("- ").strip()
    _, sep, value = body.partition(": ")
    value = value.strip()
    # `- [A, B], {from: ...}` or `key: {..}, {..}`: the colon's hint named the wrong fault
    # (decisions 950 and 955).
    for flow, opens in ((body, "opens the line"), (value if sep else "", "opens the value")):
        more = _after_flow(flow)
        if more:
            return (
                f"; the {flow[0]}...{_CLOSER[flow[0]]} that {opens} closes before the line "
                f"ends, and '{more}' follows it: a list item or a value is one list or one "
                "mapping; join them into one, or put each on its own line"
            )
    flow = body if body.startswith("{") else value if value.startswith("{") else None
    if flow is not None:
        # A flow mapping: one of its key: value items holds a second ': '.
        # Items of the mapping itself: a nested mapping's ': ' is no second one
        # (`trust: {Rival: 0.4}` was taken for one: decision 846).
        inner = _nested_removed(flow.strip()[1:].rstrip().removesuffix("}"))
        bad = any(item.count(": ") > 1 for item in inner.split(","))
    else:
        bad = bool(sep) and ": " in value and not value.startswith(("'", '"', "|", ">", "["))
    if bad:
        return "; a value holding ': ' must be quoted, e.g. label: \"Doha deal: US-Taliban\""
    return _deeper_than_above(lines, mark.line, indent) or _off_every_level(
        lines, mark.line, indent
    )


_CLOSER = {"[": "]", "{": "}"}


def _entry_indent_above(lines: list[str], at: int) -> int:
    """The indent of the entry above line ``at``: of the line a flow mapping or list that
    runs over lines opened on, not of its continuation (`  Syria: {region: levant,` and
    `           ideology: 0.8}` are one entry at 2 spaces); 0 where there is none."""
    depth = 0
    for line in reversed(lines[:at]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        code = re.sub(r"'[^']*'|\"(?:\\.|[^\"\\])*\"", "", line.split(" #")[0])
        depth += sum(code.count(c) for c in "]}") - sum(code.count(c) for c in "[{")
        if depth <= 0:
            return len(line) - len(line.lstrip())
    return 0


def _after_flow(body: str) -> str:
    """What follows the flow list or mapping that ``body`` opens with, where it closes
    before the line ends ("" where it does not, or the rest is a comment); quoted text
    inside it is skipped."""
    if not body or body[0] not in _CLOSER:
        return ""
    depth, quote, escaped = 0, "", False
    for at, char in enumerate(body):
        if escaped:  # a backslash's character in double quotes (`"a \" quote"`)
            escaped = False
        elif quote == '"' and char == "\\":
            escaped = True
        elif quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                rest = body[at + 1 :].strip()
                return "" if not rest or rest.startswith("#") else rest
    return ""


def _off_every_level(lines: list[str], at: int, indent: int) -> str:
    """The hint for a line indented to none of the levels of the lines above it (3 spaces
    among entries of 4 and their list's 2): "did not find expected '-' indicator (while
    parsing a block collection ...)" said nothing of it (an outside review of a new case,
    decision 947)."""
    line = lines[at]
    if not line.strip() or line.lstrip().startswith("#"):
        return ""
    levels: list[tuple[int, int]] = []  # (indent, line) of the enclosing lines, innermost first
    child: int | None = None  # the indent of the line below the one read last
    lowest = indent + 1  # the least indent of the enclosing lines so far
    for above in range(at - 1, -1, -1):
        previous = lines[above]
        if not previous.strip() or previous.lstrip().startswith("#"):
            continue
        before = len(previous) - len(previous.lstrip())
        if not levels or before < lowest:
            lowest = before
            levels.append((before, above))
            # an entry of a list counts at its dash and at its text
            if previous.lstrip().startswith("- "):
                levels.append((before + 2, above))
            # A key that opens a block sets its entries' level by its first line below:
            # `relations:` and then `  - ...` at 2 spaces (decision 950).
            if previous.split(" #")[0].rstrip().endswith(":"):
                levels.append((indent if child is None else child, above))
        child = before
        if before == 0:
            break
    if not levels or any(level == indent for level, _ in levels):
        return ""
    nearest, where = levels[0]
    return (
        f"; the line is indented {_spaces(indent)}, a level that no line above it has "
        f"(line {where + 1}: {_spaces(nearest)}): YAML reads indentation as structure"
    )


def _deeper_than_above(lines: list[str], at: int, indent: int) -> str:
    """The hint for a ``key: value`` line indented deeper than the line above it, which
    ends a value: YAML reads it as more of that value ("mapping values are not allowed
    in this context" says nothing of it)."""
    if ": " not in lines[at] and not lines[at].rstrip().endswith(":"):
        return ""
    for above in range(at - 1, -1, -1):
        previous = lines[above].split(" #")[0].rstrip()
        if not previous.strip() or previous.lstrip().startswith("#"):
            continue
        before = len(previous) - len(previous.lstrip())
        if before < indent and not previous.endswith((":", "-", "|", ">", ",", "{", "[")):
            return (
                f"; the line is indented deeper than line {above + 1} above it ({_spaces(indent)} "
                f"against {_spaces(before)}), so YAML reads it as more of that line's value"
            )
        return ""
    return ""


def _spaces(count: int) -> str:
    return f"{count} space{'' if count == 1 else 's'}"


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """What PyYAML found wrong, on one line (its own text adds an indented second line)."""
    if isinstance(exc, yaml.reader.ReaderError):
        return f"unacceptable character #x{exc.character:04x}: {exc.reason}"
    problem = getattr(exc, "problem", None) or str(exc)
    return " ".join(str(problem).split())


def _where_unreadable(exc: yaml.reader.ReaderError, text: str) -> tuple[int, int]:
    """The 1-based line and column of the character a ReaderError refuses.

    The reader refuses the first such character of the text, so its first
    occurrence is the one; its ``position`` counts bytes with the C loader and
    characters with the Python one, so it is only the fallback.
    """
    found = text.find(chr(exc.character)) if isinstance(exc.character, int) else -1
    index = found if found >= 0 else min(exc.position, len(text))
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _origins(loader: Any, node: Node, file: str, line: int | None, active: set[int]) -> Origin:
    """The origin tree of ``node``; also rejects duplicate keys, which YAML would drop silently."""
    origin = Origin(file, line)
    if node.tag == _BOOL_TAG:
        origin.text = node.value
    if id(node) in active:  # a recursive alias: the data is recursive, its origins need not be
        return origin
    active.add(id(node))
    if isinstance(node, MappingNode):
        first_line: dict[Any, int] = {}
        before: tuple[Node, Node] | None = None
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                continue  # merged-in entries are located at the mapping that merges them
            # Most keys are plain strings: taken as they are, large files load faster.
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                written = "a list" if isinstance(key_node, SequenceNode) else "a mapping"
                raise InputError(
                    f"a key is {written}; a key must be a name or a number "
                    "(is a ':' or a bracket out of place?)",
                    file=file,
                    line=key_line,
                )
            if key_node.tag == _NULL_TAG:
                written = key_node.value
                raise InputError(
                    f"a key is missing: YAML reads '{written}' as no value; write a name "
                    f"(in quotes if the name is '{written}')"
                    if written
                    else "a key is missing; write a name",
                    file=file,
                    line=key_line,
                )
            if key_node.tag == _STR_TAG:
                key = key_node.value
            else:
                key = loader.construct_object(key_node, deep=True)
            if isinstance(key_node, ScalarNode) and key in first_line:
                raise InputError(
                    f"duplicate key '{key}' (first on line {first_line[key]}); "
                    "a key may appear only once in a mapping",
                    file=file,
                    line=key_line,
                )
            first_line[key] = key_line
            entry = _origins(loader, value_node, file, key_line, active)
            if key_node.tag != _STR_TAG and isinstance(key_node, ScalarNode):
                entry.key_text = key_node.value
                if node.flow_style and before and _decimal_comma(*before, key_node, value_node):
                    entry.after = (before[0].value, before[1].value)
            origin.entries[key] = entry
            before = key_node, value_node
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            item_line = item.start_mark.line + 1
            origin.entries[index] = _origins(loader, item, file, item_line, active)
            origin.entries[index].index = index
    active.discard(id(node))
    return origin


def _decimal_comma(key: Node, value: Node, next_key: Node, next_value: Node) -> bool:
    """Whether ``key: value, next_key`` in a ``{...}`` mapping is a number with a decimal
    comma (``{PA: 0,7}``): a whole number, then a key of digits with no value."""
    return (
        isinstance(key, ScalarNode)
        and value.tag == _INT_TAG
        and re.fullmatch(r"[-+]?[0-9]+", value.value) is not None
        and next_key.tag == _INT_TAG
        and re.fullmatch(r"[0-9]+", next_key.value) is not None
        and next_value.tag == _NULL_TAG
        and next_value.value == ""
    )


# --------------------------------------------------------------------------- extends


@dataclass(frozen=True)
class _Link:
    """One file of an ``extends`` chain: its real path, the name shown to the user, and
    the ``extends`` lines that lead to it (``child.yaml:3 -> parent.yaml:1``; empty for
    the file the user named)."""

    real: Path
    shown: str
    via: str = ""


def _as_scenario(doc: Document, base: Path, shown_base: str, chain: tuple[_Link, ...]) -> Document:
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
            f"got {kind_of(doc.tree)}",
            file=where,
            line=doc.origin.line,
        )
    if "scenarios" in doc.tree:
        raise InputError(
            "this is an experiment file (it lists 'scenarios'), not a scenario; "
            "run it with 'credsim sweep'",
            file=where,
        )
    wrong = other_kind(doc.tree, "scenario")
    if wrong is not None:  # a pattern or calibration file where a scenario belongs
        raise InputError(wrong, file=where)
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
    step = f"{where}:{ref_origin.line}" if ref_origin.line else str(where)
    link = _Link(
        (base / reference).resolve(),
        beside(shown_base, reference),
        f"{chain[-1].via} -> {step}" if chain and chain[-1].via else step,
    )
    names = " -> ".join([*(c.shown for c in chain), link.shown])
    if any(c.real == link.real for c in chain):
        raise fail(f"the files extend each other in a cycle: {names}")
    if link.real.is_dir():
        raise fail(
            f"'{reference}' is a folder, not a scenario file (looked for {link.shown}; "
            f"chain: {names})"
        )
    if not link.real.is_file():
        raise fail(
            f"file '{reference}' does not exist (looked for {link.shown}; chain: {names})"
            + slash_hint(reference)
        )
    try:
        parent = _as_scenario(
            _read_yaml(link.real, link.shown),
            link.real.parent,
            os.path.dirname(link.shown),
            (*chain, link),
        )
    except InputError as exc:
        raise _reached(exc, {link.shown: link.via}) from None
    merged = _extend(parent, doc)
    merged.via = {**parent.via, link.shown: link.via}
    return merged


def _reached(error: InputError, via: dict[str, str]) -> InputError:
    """``error``, naming the ``extends`` lines that led to it if it is in a parent file.

    Errors of an ``extends`` line itself name their chain of files already.
    """
    if error.file not in via or error.path == "extends":
        return error
    return error.reworded(f"{error.message} (reached through extends: {via[error.file]})")


def _new_actors_are_whole(parent: Document, child: Document) -> None:
    """Refuse a child's power or state that its parent lacks and that has no region.

    A child changes a parent's actor by its name; a name the parent lacks is a new actor,
    which needs its region. A misspelt name ("Lybia: {aligned: Russia}") was taken for a
    new state and refused as "states.Lybia.region: required field is missing", never
    naming the slip (an outside check, decision 916).

    Raises:
        InputError: at the child's line of that name.
    """
    sections = {s: parent.tree.get(s) for s in ("powers", "states")}
    known = {
        str(name): s
        for s, entries in sections.items()
        if isinstance(entries, dict)
        for name in entries
    }
    for section in ("powers", "states"):
        entries = child.tree.get(section)
        if not isinstance(entries, dict) or not isinstance(sections[section], dict):
            continue
        for name, entry in entries.items():
            if name in sections[section] or not isinstance(entry, dict) or "region" in entry:
                continue
            what = section[:-1]
            place = child.origin.entry(section).entry(name)
            elsewhere = known.get(str(name))
            if elsewhere is not None:
                message = (
                    f"'{name}' is a {elsewhere[:-1]} of {parent.origin.file}, not a {what}: "
                    f"change it under {elsewhere}"
                )
            else:
                message = (
                    f"'{name}' is no {what} of {parent.origin.file}, and a new {what} needs its "
                    f"region; a child changes its parent's {section} by their names"
                    f"{suggest(str(name), list(sections[section]))}"
                )
            raise InputError(message, path=f"{section}.{name}", file=place.file, line=place.line)


def _extend(parent: Document, child: Document) -> Document:
    """Merge ``child`` over ``parent`` (decisions.md item 16)."""
    removals = child.tree.pop("remove_events", [])
    removal_origin = child.origin.entries.pop("remove_events", Origin(child.origin.file))
    given = parent.tree.get("events", [])
    events, event_origin = _remove_events(
        given, parent.origin.entry("events"), removals, removal_origin, parent
    )
    # The events taken out, by id with their kinds (_remove_events checked the ids).
    removed = {
        e["id"]: str(e.get("kind", ""))
        for e in (given if removals else [])
        if isinstance(e, dict) and e.get("id") in removals
    }
    if "events" in parent.tree:
        parent.tree["events"], parent.origin.entries["events"] = events, event_origin
    _new_actors_are_whole(parent, child)
    tree, origin = _merge(parent.tree, parent.origin, child.tree, child.origin, ())
    return Document(tree, origin, removed={**parent.removed, **removed})


def _remove_events(
    events: Any,
    origin: Origin,
    removals: Any,
    removal_origin: Origin,
    parent: Document | None = None,
) -> tuple[Any, Origin]:
    """The parent's events without those named in the child's ``remove_events``
    (``parent``: the document they come from, to say an id it removed itself)."""
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
        if name not in ids and parent is not None and name in parent.removed:
            # "unknown event id" with a did-you-mean of another event, where the parent
            # (a counterfactual) had removed it itself (an outside check, decision 932).
            raise _located(
                InputError(
                    f"event '{name}' is already removed in {parent.origin.file or 'the parent'} "
                    "(by remove_events there or in a file it extends), so there is no such "
                    "event left to remove; take it out of this list",
                    path=f"remove_events[{index}]",
                ),
                removal_origin,
                (index,),
            )
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
    twice = repeated(removals)
    if twice is not None:
        # The second mention removes nothing: most likely another id was meant (an audit).
        earlier, index = twice
        raise _located(
            InputError(
                f"event id '{removals[index]}' is listed twice (also remove_events[{earlier}]); "
                "list each event once",
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
    """Mappings merge key by key; events, network ties and relations concatenate; other
    values replace."""
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
        elif here in _CONCATENATED and isinstance(parent[key], list) and isinstance(value, list):
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
        # pop: a second child event with the same id is appended, so it shows as a duplicate.
        # An id that is not text (a mapping, a list: unhashable) is appended too, for the
        # schema to refuse in one line; it was a TypeError traceback (an audit).
        slot = ids.pop(name) if isinstance(name, str) and name in ids else len(events)
        if slot == len(events):
            events.append(event)
        else:
            _replaces_whole(events[slot], p_origin.entry(slot), event, c_origin.entry(index))
            events[slot] = event
        origin.entries[slot] = c_origin.entry(index)
    return events, origin


def _scalar_text(value: int | float | str) -> str:
    """A scalar of a YAML file written back for a ``--set`` (numbers as given)."""
    if isinstance(value, bool):
        return str(value).lower()
    return number_text(value) if isinstance(value, int | float) else value


def _replaces_whole(parent: Any, p_origin: Origin, child: Any, c_origin: Origin) -> None:
    """Refuse a child's event that gives a few fields of its parent's event of the same id.

    Such an event replaces the parent's whole (model.md section 8.1), so it needs every
    field; given without its kind or its date it read "an event needs a 'kind'; kinds
    are: ..." and then one missing field at a time, never saying why (decision 916).

    Raises:
        InputError: the child's event has no kind, or neither a date nor a step.
    """
    if not (isinstance(parent, dict) and isinstance(child, dict)):
        return
    if "kind" in child and ("date" in child or "step" in child):
        return  # a whole event: the schema checks it as any other
    lacks = [str(k) for k in parent if k not in child]
    # The field the child meant to change, with its value, for the command-line form.
    changed = [
        (k, v)
        for k, v in child.items()
        if k not in ("id", "kind") and isinstance(k, str) and isinstance(v, int | float | str)
    ]
    setting = f"{changed[0][0]}={_scalar_text(changed[0][1])}" if changed else "FIELD=VALUE"
    where = f"{p_origin.file}:{p_origin.line}" if p_origin.line else str(p_origin.file)
    raise InputError(
        f"this event takes the place of the one with its id ({where}) whole, not field by "
        f"field, so it needs all its fields; it lacks {', '.join(lacks)}: copy the whole "
        f"event and change what differs, or for one run, --set events.{child['id']}.{setting}",
        path=f"events.{child['id']}",
        file=c_origin.file,
        line=c_origin.line,
    )


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


def _override_label(text: str) -> str:
    """``override PATH=VALUE`` for messages, a long value cut (:func:`shortened`)."""
    return f"override {shortened(text)}"


@dataclass(frozen=True)
class _Override:
    """One override: a dotted path into the merged tree and the value to put there."""

    path: str
    value: Any
    text: str
    written: str | None = None  # the value as typed, for a PATH=VALUE string

    @property
    def label(self) -> str:
        return _override_label(self.text)

    @property
    def sets_generate(self) -> bool:
        """Whether the override changes the ``generate:`` block (applied before the draw)."""
        return self.path.split(".")[0] == "generate"

    @property
    def sets_parameters(self) -> bool:
        """Whether the override changes the ``parameters`` (which read no actor)."""
        return self.path.split(".")[0] == "parameters"


# A second PATH=VALUE after a space in an override's value (decision 932): a dotted path
# of at least two parts, then "=".
_SECOND_OVERRIDE = re.compile(r"\s([A-Za-z_][\w-]*(?:\.[\w -]+?)+)=")


def parse_overrides(overrides: Mapping[str, Any] | Sequence[str] | None) -> list[_Override]:
    """Overrides from a mapping ``{path: value}`` or ``PATH=VALUE`` strings (values are YAML)."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        for key, value in overrides.items():
            if "=" in str(key):
                # {"parameters.trust.memory=0.9": None} was told "unknown field 'memory=0'"
                # (an outside check of the Python API, decision 959).
                path, _, raw = str(key).partition("=")
                raise InputError(
                    f"override '{shortened(str(key))}' is a PATH=VALUE string used as a "
                    f"mapping's key (its value {_as_typed(value)}): in a mapping write "
                    f"{{'{shortened(path.strip())}': {shortened(raw.strip()) or '...'}}}, "
                    "or give the string in a list"
                )
        return [_Override(str(p), v, f"{p}={_as_typed(v)}") for p, v in overrides.items()]
    if isinstance(overrides, str):
        overrides = [overrides]
    parsed: list[_Override] = []
    for text in overrides:
        path, sep, raw = str(text).partition("=")
        if not sep or not path.strip():
            raise InputError(
                f"override '{shortened(str(text))}' must look like PATH=VALUE, "
                "e.g. parameters.trust.negativity_bias=3"
            )
        second = _SECOND_OVERRIDE.search(raw)
        if second:
            # Two overrides in one --set were read as one value, "expected a number, got
            # '0.9 parameters.trust.negativity_bias=3'", with a hint on quoted text (an
            # outside check, decision 932).
            raise InputError(
                f"override '{shortened(str(text))}' holds a second override "
                f"('{shortened(second.group(1))}=...'): give each its own --set, e.g. "
                f"--set {path.strip()}={shortened(raw[: second.start()].strip())} "
                f"--set {shortened(raw[second.start() :].strip())}"
            )
        try:
            value = yaml_value(raw, _override_label(text))
        except yaml.YAMLError as exc:
            raise InputError(
                f"value '{shortened(raw)}' is not valid YAML ({_yaml_problem(exc)}); "
                "write numbers as 3 or 0.5, booleans as true/false, lists as [a, b], "
                "quote strings with ':' or '#'",
                file=_override_label(text),
            ) from None
        parsed.append(_Override(path.strip(), value, str(text), raw.strip()))
    return parsed


def _as_typed(value: Any) -> str:
    """A value of an override given as a mapping, written back as YAML for messages, as
    it would be typed after ``--set PATH=``: ``null``, ``true``, ``[a, b]``, ``{a: 1}``.

    The commands turn ``--set`` into such a mapping, and its Python form was shown:
    ``--set parameters.trust.memory=`` was "override parameters.trust.memory=None" and
    ``{a: 1}`` "{'a': 1}" (an audit).
    """
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return number_text(value)  # a whole number of 5,000 digits is not written out
    if type(value) is float:
        return _yaml_float(value)
    try:
        text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**9)
    except (yaml.YAMLError, ValueError):
        return str(value)
    return text.strip().removesuffix("...").strip()


def _yaml_float(value: float) -> str:
    """``value`` as PyYAML's safe dumper writes a float (``SafeRepresenter.represent_float``,
    a plain scalar), without its emitter: a calibration's every simulation writes its
    overrides so (about 0.1 ms each through ``yaml.safe_dump``)."""
    if value != value:
        return ".nan"
    if value in (math.inf, -math.inf):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value).lower()
    # repr(1e17) is '1e17', not a YAML float: PyYAML adds '.0' before the 'e'.
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def refuse_repeated(items: Sequence[str], option: str) -> None:
    """Refuse a path given twice with two values on the command line (``--set``,
    ``--at``): the last won without a word, and a run's manifest kept both (an audit,
    decision 659). Manifests written before are read as they are.

    Raises:
        InputError: a path given twice with different values.
    """
    parsed = parse_overrides(list(items))
    for i, later in enumerate(parsed):
        twice = next(
            (o for o in parsed[:i] if o.path == later.path and o.value != later.value), None
        )
        if twice is not None:
            raise InputError(
                f"{option} {later.path} is given twice ({shortened(twice.text)} and "
                f"{shortened(later.text)}); give it once"
            )


def _apply_override(doc: Document, override: _Override) -> Loc:
    """Set ``override.value`` at its path in ``doc`` (decisions.md item 20), and return
    where in the tree it was set (two paths may name one place: ``relations.A.B`` and
    ``relations.B.A`` a list entry, ``powers.U.S..x`` and ``powers.U.S.x`` one field).

    Raises:
        InputError: the path names an entry of a named collection that does not
            exist, or goes into a value that has no fields.
    """
    segments = override.path.split(".")
    if segments[0] in _RESOLVED_FIELDS:
        raise InputError(
            "cannot be overridden (--set, --vary, a design's parameters): overrides address "
            "the merged scenario, after extends and remove_events are resolved; change it in "
            "the file, or write a scenario that extends it",
            path=override.path,
            file=override.label,
        )
    _refuse_an_index(doc, override)
    if segments[0] == "relations" and len(segments) > 1:
        return _set_relation(doc, override, segments[1:])
    node: Any = doc.tree
    origin = doc.origin
    loc: Loc = ()
    position = 0
    dotted = _dotted_actors(segments, doc.tree)
    while True:
        names = _entry_names(node, loc)
        if names is None or (isinstance(node, list) and loc not in _NAMED):
            entry = _render(loc, doc.tree)
            # A list (network.ties, relations) is set whole (an outside check, decision 888).
            whole = f"; set it whole, {entry}=[...]" if isinstance(node, list) else ""
            raise InputError(
                f"'{entry}' is {kind_of(node)}, which has no named entries{whole}",
                path=override.path,
                file=override.label,
            )
        if dotted and isinstance(node, dict) and loc not in _NAMED:
            names = {**dotted, **names}
        key, position = _match(names, segments, position)
        if key is None:
            name = segments[position]
            if not name:  # not part of a name with dots (powers.U.S..capability)
                raise InputError(
                    f"path '{override.path}' has an empty part; parts are separated by one dot",
                    file=override.label,
                )
            if loc == ("events",) and name in doc.removed:
                kind = doc.removed[name]
                raise InputError(
                    f"event '{name}' is taken out by the scenario's remove_events{REMOVED_HINT}"
                    f"parameters.event_kinds.{kind or '<kind>'}.weight)",
                    path=".".join([*segments[:position], name]),
                    file=override.label,
                )
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
            typed = override.written if isinstance(override.value, bool) else None
            origin.entries[key] = Origin(override.label, text=typed)
            return (*loc, key)
        if _child(node, key) is None:
            # A section the file leaves out (parameters.salience): created, then validated.
            node[key] = {}
            origin.entries[key] = Origin(override.label)
        # Recorded on the way down (where the parent's is, as ``locate`` would find it):
        # a tree with no origins (a loaded Scenario's, as ``patterns check --set`` and
        # ``calibrate`` apply overrides to) kept none of the override's, so its error
        # named neither the override nor a file (an audit).
        origin = origin.entries.setdefault(key, Origin(origin.file, origin.line))
        node, loc = node[key], (*loc, key)


def _apply_once(doc: Document, override: _Override, placed: dict[Loc, _Override]) -> None:
    """:func:`_apply_override`, refusing an override that sets, with another value, the
    place an earlier one of the same load set under another path (``relations.B.A`` after
    ``relations.A.B`` of a list entry, ``powers.U.S.x`` after ``powers.U.S..x``): the
    later won without a word, and a sweep varying both paths ran one of their points
    for two and recorded values it never ran (an outside check, decision 895).

    Raises:
        InputError: as :func:`_apply_override`, or the place set twice.
    """
    loc = _apply_override(doc, override)
    earlier = placed.setdefault(loc, override)
    if earlier.path != override.path and earlier.value != override.value:
        raise InputError(
            f"sets what {shortened(earlier.text)} sets ({_render(loc, doc.tree)}), with "
            "another value: two paths name one value here; give it once",
            file=override.label,
        )


# What override_places sets to find a path's place: no value a user can write, so that a
# setter that checks its value tells the probe from a null typed (decision 910).
PROBE = object()


def override_places(scenario: Scenario, paths: Sequence[str]) -> dict[str, str]:
    """Where in ``scenario`` each override path sets its value, as a field path
    (``relations[0][2]``, ``powers.U.S..capability``): two paths with one place name one
    value (decision 895). A path the scenario refuses is left out (refused on its own).
    """
    places: dict[str, str] = {}
    tree = scenario_tree(scenario)
    for path in paths:
        # Each path on the scenario as it is: the top-level section it goes into copied,
        # the others shared (a large population's copy for every path would cost seconds).
        section = path.split(".", 1)[0]
        own = {**tree, section: copy.deepcopy(tree[section])} if section in tree else dict(tree)
        doc = Document(own, Origin(None), removed=scenario._removed_events)
        try:
            loc = _apply_override(doc, _Override(path, PROBE, f"{path}="))
        except InputError:
            continue
        places[path] = _render(loc, doc.tree)
    return places


def placed_twice(places: Mapping[str, str], paths: Iterable[str]) -> tuple[str, str] | None:
    """The first of ``paths`` whose place (:func:`override_places`) an earlier one has,
    with that earlier one; None if each has its own (a path without a place has its own)."""
    seen: dict[str, str] = {}
    for path in paths:
        earlier = seen.setdefault(places[path], path) if path in places else path
        if earlier != path:
            return path, earlier
    return None


def placed_as(places: Mapping[str, str], path: str, others: Iterable[str]) -> str | None:
    """The first of ``others``, another path than ``path``, that names its place, or None."""
    place = places.get(path)
    if place is None:
        return None
    return next((o for o in others if o != path and places.get(o) == place), None)


_RELATION_FIELDS = frozenset({"from", "to", "value", "directed", "source"})
_INDEXED = re.compile(r"^([A-Za-z_][\w.]*?)\[(\d+)\](?:\.(.*))?$")


def _refuse_an_index(doc: Document, override: _Override) -> None:
    """Refuse a path that names a list's entry by its place, as error messages write it
    (``relations[11].value``, ``events[3].magnitude``, ``network.ties[0]``): it read
    "unknown field 'relations[11]'" and offered 'relations' (an outside check, decision
    916). An override names entries by name: a relation by its two actors, an event by
    its id; other lists are set whole.

    Raises:
        InputError: the path holds ``[N]``.
    """
    found = _INDEXED.match(override.path)
    if found is None:
        return
    listed, index, rest = found.group(1), int(found.group(2)), found.group(3)
    if listed == "relations":
        message = f"overrides do not name a relation by its place; {_relation_form(doc)}"
    elif listed == "events":
        events = doc.tree.get("events")
        event = events[index] if isinstance(events, list) and index < len(events) else None
        name = event.get("id") if isinstance(event, dict) else None
        named = (
            f" (did you mean events.{name}{'.' + rest if rest else ''}?)"
            if isinstance(name, str)
            else ""
        )
        message = f"overrides name an event by its id, events.ID.FIELD=VALUE{named}"
    else:
        message = f"overrides do not name a list's entries by place; set it whole, {listed}=[...]"
    raise InputError(message, path=override.path, file=override.label)


def _relation_form(doc: Document) -> str:
    """How an override sets a relation, with an example from the scenario's own."""
    actors = tree_actor_names(doc.tree)
    relations = doc.tree.get("relations")
    written = relations if isinstance(relations, list) else []
    example = next(
        (
            f"{fields[0]}.{fields[1]}"
            for fields in map(relation_fields, written)
            if fields is not None and all(isinstance(e, str) for e in fields[:2])
        ),
        ".".join(actors[:2]) if len(actors) > 1 else "Saudi Arabia.Syria",
    )
    return (
        f"a relation is set by its two actors, relations.FROM.TO=VALUE (e.g. "
        f"relations.{example}=-0.5), or the list whole, relations=[...]"
    )


def _set_relation(doc: Document, override: _Override, ends: list[str]) -> Loc:
    """``relations.FROM.TO=VALUE``: the value of the relation the scenario gives from
    ``FROM`` to ``TO`` (decision 891). Of the entries that set that stance (a list entry
    or an undirected mapping of the pair in either order, a directed mapping from
    ``FROM``), the last, whose value the model takes, is changed; an undirected one
    keeps setting both directions, as the file wrote it. A pair the scenario gives no
    relation is refused: which direction a new one would set, and what value it
    replaces, is the file's to say.

    Raises:
        InputError: the path does not name two actors, names one twice, or a pair
            without a relation in the scenario.
    """
    actors = tree_actor_names(doc.tree)
    relations = doc.tree.get("relations")
    written = relations if isinstance(relations, list) else []
    form = _relation_form(doc)
    known = set(actors)
    pair = relation_reading(ends, known, written)
    if pair is None:
        unknown = _unknown_end(ends, known) or (
            [e for e in ends if e not in known] if len(ends) == 2 else []
        )
        # relations.0.value: a place and a field, as a list entry is written, not two
        # actors (it read "unknown actor '0'"; decision 916).
        placed = not any(actor_spelled(e, known) for e in ends) and (
            ends[0].isdigit() or ends[-1] in _RELATION_FIELDS
        )
        if not unknown or placed:
            raise InputError(
                f"'{override.path}' does not name two actors (powers or states); {form}",
                file=override.label,
            )
        raise InputError(
            f"unknown actor '{unknown[0]}'; powers and states are: {allowed(actors)}"
            f"{suggest(unknown[0], actors)}",
            path=override.path,
            file=override.label,
        )
    source, to = pair
    if source == to:
        raise InputError(
            f"an actor's stance towards itself is always 1 (docs/ODD.md section 8.1); {form}",
            path=override.path,
            file=override.label,
        )
    index = relation_index(written, source, to)
    if index is None:
        other = relation_index(written, to, source)
        reverse = f" (it has one from '{to}' to '{source}', directed)" if other is not None else ""
        raise InputError(
            f"the scenario gives no relation from '{source}' to '{to}'{reverse}; add it to "
            f"the file's relations ([{source}, {to}, value], or {{from: {source}, to: {to}, "
            "value: ..., directed: true}) and set that, or set the list whole, relations=[...]"
            f"{_relation_events_text(doc.tree, source, to)}",
            path=override.path,
            file=override.label,
        )
    value = override.value
    # numbers.Real: a design's values may be numpy's (np.int64 is no int).
    number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    low, high = STANCE_RANGE
    if value is not PROBE and not (number and math.isfinite(value) and low <= value <= high):
        # Pydantic named the merged list's entry ("relations[0].value: must be <= 1"),
        # a place the user never wrote (decision 906).
        got = (
            f"'{value}'"
            if isinstance(value, str)
            else str(value).lower()
            if isinstance(value, bool)
            else "nothing (an empty value or null)"
            if value is None
            else number_text(value)  # --truth's 2.0 is the 2 the user wrote
        )
        raise InputError(
            f"the stance from '{source}' to '{to}' is a number from -1 (enemy) to 1 (ally), "
            f"got {got}",
            path=override.path,
            file=override.label,
        )
    entry = written[index]
    key: Key = "value" if isinstance(entry, dict) else 2
    changed = (
        {**entry, "value": override.value}
        if isinstance(entry, dict)
        else [entry[0], entry[1], override.value, *entry[3:]]
    )
    doc.tree["relations"] = [*written[:index], changed, *written[index + 1 :]]
    listed = doc.origin.entries.setdefault("relations", Origin(doc.origin.file))
    place = listed.entry(index)
    listed.entries[index] = Origin(place.file, place.line, {**place.entries})
    listed.entries[index].entries[key] = Origin(override.label)
    return ("relations", index, key)


def _unknown_end(ends: list[str], known: set[str]) -> list[str]:
    """The name a path ``relations.FROM.TO`` misspells where the other one is an actor
    (``relations.U.S.Syrai``: 'Syrai' beside the power 'U.S.'), for the refusal to name
    it; empty when no split leaves one actor (decision 899)."""

    def holds_actor(parts: list[str]) -> bool:  # a run of the parts names an actor
        runs = (
            ".".join(parts[a:b]) for a in range(len(parts)) for b in range(a + 1, len(parts) + 1)
        )
        return any(actor_spelled(run, known) for run in runs)

    for k in range(1, len(ends)):
        head, tail = ".".join(ends[:k]), ".".join(ends[k:])
        head_known = actor_spelled(head, known) is not None
        other = ends[k:] if head_known else ends[:k]
        if head_known != (actor_spelled(tail, known) is not None) and not holds_actor(other):
            return [tail if head_known else head]
    return []


def _relation_events_text(tree: Any, source: str, to: str) -> str:
    """Where the events set the stance from ``source`` to ``to`` (a ``relation`` event,
    a ``regime_change``'s ``relations``), for the refusal of ``relations.FROM.TO`` when the
    top-level list has no entry for it: those paths set it (decision 895), or ""."""
    paths = []
    for event in tree.get("events") or []:
        if not isinstance(event, dict) or not isinstance(event.get("id"), str):
            continue
        ends = (str(event.get("actor")), str(event.get("target")))
        directed = event.get("directed") is True
        if event.get("kind") == "relation" and (source, to) in directions(*ends, directed):
            paths.append(f"events.{event['id']}.value")
        given = event.get("relations")
        if event.get("kind") == "regime_change" and isinstance(given, dict):
            for end, other in ((source, to), (to, source)):
                if event.get("target") == end and other in given:
                    paths.append(f"events.{event['id']}.relations.{other}")
    return f"; the events set it from their dates: {', '.join(paths)}" if paths else ""


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


def _dotted_actors(segments: list[str], tree: Any) -> dict[str, Key]:
    """The actor names with dots that runs of ``segments`` spell (``U``, ``S``, ``'' -> U.S.``).

    They may name an entry the file does not have yet (``states.X.trust.U.S.=0.5``);
    looked up by the path's own runs, so the cost does not grow with the actors.
    """
    actors = [tree[s] for s in ("powers", "states") if isinstance(tree.get(s), dict)]
    found: dict[str, Key] = {}
    for start in range(len(segments)):
        for end in range(start + 2, len(segments) + 1):
            joined = ".".join(segments[start:end])
            for name in (joined, joined + "."):
                if any(name in names for names in actors):
                    found[name] = name
    return found


def _match(names: dict[str, Key], segments: list[str], position: int) -> tuple[Key | None, int]:
    """The entry named by the longest run of segments from ``position`` (names may hold dots).

    The parts are joined back with dots until they name an entry, so
    ``states.St. Lucia.ideology`` reaches the state ``St. Lucia``; a name's
    final dot may double as the separator, so ``powers.U.S.capability`` and
    ``powers.U.S..capability`` both reach the power ``U.S.``.
    """
    for end in range(len(segments), position, -1):
        candidate = ".".join(segments[position:end])
        for name in (candidate, candidate + "."):
            if name in names:
                return names[name], end
    return None, position


# --------------------------------------------------------------------------- generate


def _expand_generated(doc: Document) -> Document:
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
        raise translate(exc, doc, (section,)) from None
    from sim.scenario.synthetic import expand_generated

    tree = expand_generated({**doc.tree, "generate": spec.model_dump()})
    generated = doc.origin.entry("generate")
    origin = Origin(doc.origin.file, doc.origin.line, dict(doc.origin.entries))
    for key in tree:
        origin.entries.setdefault(key, generated)
    # The drawn ties come first and the file's own after them: the file's are moved to
    # where they now are (they were located at the drawn ties' places), and the drawn
    # ones counted, for the check of ties given twice (decision 703) to leave them out:
    # a drawn tie may fall on a pair another drawn tie, or the file, has already.
    network, own = origin.entries["network"], doc.tree.get("network")
    given = own.get("ties") if isinstance(own, dict) else None
    n_own = len(given) if isinstance(given, list) else 0
    ties = network.entry("ties")
    moved = Origin(ties.file, ties.line, drawn=len(tree["network"]["ties"]) - n_own)
    moved.entries = {moved.drawn + i: ties.entry(i) for i in range(n_own)}
    entries = dict(network.entries) if isinstance(own, dict) else {}
    origin.entries["network"] = Origin(network.file, network.line, {**entries, "ties": moved})
    # The same for the file's own events, after the drawn ones: they were located at
    # the ``events:`` line, or at the line of the file's event of the drawn one's index.
    own_events = doc.tree.get("events")
    if isinstance(own_events, list) and "events" in doc.origin.entries:
        events = doc.origin.entries["events"]
        shift = len(tree["events"]) - len(own_events)
        origin.entries["events"] = Origin(
            events.file,
            events.line,
            {shift + i: events.entry(i) for i in range(len(own_events)) if i in events.entries},
        )
    return Document(tree, origin, doc.via, doc.removed)


def _parameters_alone(
    parameters: Any, origin: Origin, overrides: list[_Override], via: dict[str, str]
) -> Document:
    """A document of a scenario's ``parameters`` alone (``parameters``, a copy the caller
    gives up), with ``overrides`` (each of the parameters) applied: what
    :func:`_new_parameters` and :func:`_parameters_before_draw` validate.

    Raises:
        InputError: an override is refused.
    """
    doc = Document({"parameters": parameters}, origin, via)
    for override in overrides:
        _apply_override(doc, override)
    return doc


class _ParametersAlone(BaseModel):
    """A scenario's ``parameters`` alone, validated where the whole scenario has them."""

    parameters: Parameters


def _parameters_before_draw(doc: Document, overrides: list[_Override]) -> list[InputError]:
    """The mistakes of a generated scenario's ``parameters``, found before its draw.

    Drawing and validating a large population takes minutes (about 20 s at a million
    states), and a mistaken parameter would then refuse it all the same: the parameters
    read no actor (their cross-checks, :func:`~sim.scenario.schema.parameter_problems`,
    come after), so they are validated first, with the overrides that set them, on a
    copy. Empty when they are sound, when the tree has no ``generate:`` block, or when
    an override of them is refused (the whole way then says so, as before).
    """
    if "generate" not in doc.tree or not isinstance(doc.tree.get("parameters", {}), dict):
        return []
    given = doc.origin.entries.get("parameters")
    entries: dict[Key, Origin] = {} if given is None else {"parameters": copy.deepcopy(given)}
    try:
        probe = _parameters_alone(
            copy.deepcopy(doc.tree.get("parameters", {})),
            Origin(doc.origin.file, doc.origin.line, entries),
            [o for o in overrides if o.sets_parameters],
            doc.via,
        )
    except InputError:
        return []
    try:
        _ParametersAlone.model_validate(probe.tree)
    except ValidationError as exc:
        errors = [e for e in translate_all(exc, probe) if e.path]
        return [_reached(_after_overrides(e, overrides), probe.via) for e in errors]
    return []


# The generated populations whose draw and validation pause the garbage collector.
PAUSE_COLLECTOR_STATES = 10_000


@contextmanager
def _collector_paused(doc: Document) -> Iterator[None]:
    """Python's cyclic garbage collector paused while a large ``generate:`` block is drawn
    and validated, or a drawn tree (which keeps its block) validated again, then run once
    (decision 796).

    The draw and the validation make millions of small containers, none in a cycle,
    and every few hundred allocations set the collector sweeping what is alive, the
    population made so far included: more than half of the time at 300,000 states
    (drawn in 3.2 s against 1.3 s paused, validated in 4.6 s against 2.3 s), as decision
    220 found of the set-up. One collection at the end moves the scenario's objects out
    of the young generations, so that the full sweep they would trigger is paid here
    rather than in the run that follows. Below ``PAUSE_COLLECTOR_STATES`` states the
    collector runs as usual: the pause gains little there, and a calibration may
    validate such a tree once per variant.
    """
    block = doc.tree.get("generate") if isinstance(doc.tree, dict) else None
    states = block.get("states") if isinstance(block, dict) else None
    large = isinstance(states, int) and states >= PAUSE_COLLECTOR_STATES
    if not large or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


# --------------------------------------------------------------------------- validation


def _validate(doc: Document, parameters_only: bool = False) -> Scenario:
    """Pydantic's validation of ``doc``, then the references; with ``parameters_only``
    (the tree of a checked scenario whose parameters alone were changed) only those
    that read the parameters (:func:`~sim.scenario.schema.parameter_problems`)."""
    try:
        scenario = Scenario.model_validate(doc.tree)
    except ValidationError as exc:
        raise translate(exc, doc) from None
    scenario._removed_events = dict(doc.removed)
    try:
        if parameters_only:
            problems = parameter_problems(scenario)
            if problems:
                raise problems[0]
        else:
            problems = _repeats_first(reference_problems(scenario), repeat_problems(scenario, doc))
            if problems:
                raise _calendar_cut([locate(p, doc) for p in problems], doc, scenario)[0]
    except InputError as exc:
        raise locate(exc, doc) from None
    return scenario


def _repeats_first(references: list[InputError], repeats: list[InputError]) -> list[InputError]:
    """The reference problems in their order, each after the repeats inside its item,
    then the other repeats: an output group whose member is listed twice is refused for
    the repeat (the likely slip: another state was meant), as it was when the schema's
    check of the group said it first (decision 692), not for what the repeat leaves
    (a group of a bloc and ``[Syria, Syria]`` that holds no state)."""
    said: list[InputError] = []
    for problem in references:
        inside = [
            r
            for r in repeats
            if problem.path
            and r.path
            and r.path.startswith((f"{problem.path}.", f"{problem.path}["))
        ]
        said += [r for r in inside if r not in said]
        said.append(problem)
    return [*said, *(r for r in repeats if r not in said)]


def repeat_problems(scenario: Scenario, doc: Document) -> list[InputError]:
    """A dot in a group's or window's name (decision 804), the blocs an actor lists twice,
    an output group's member listed twice (decision 692), two actors ``observed.names``
    gives one country, and the ties and relations one list of one file gives twice
    (decision 703).

    A bloc listed twice did nothing (an actor's blocs are a set), a tie given twice
    added its weights, and of a relation given twice the later replaced the earlier,
    all without a word. Only the ties and relations of one list of one file are
    compared: a child's relation replaces its parent's on purpose, and a child's tie
    adds to its parent's (``extends`` concatenates the lists, :data:`_CONCATENATED`).
    Not compared: ties drawn by ``generate:`` (a drawn tie may fall on a pair that
    already has one) and entries of a tree without origins (a loaded Scenario's, whose
    lists hold a parent's and a child's entries alike, or a mapping from Python, which
    the model takes as it did: a bloc once, ties added, the later relation). These are
    the loader's checks, not :func:`~sim.scenario.schema.check_references`: a results
    folder's manifest written from such a file before is read as it was (decision 688
    checks manifests with the schema).

    Returns:
        One problem per repeat, with its field path (``relations[3]``), in list order.
    """
    actors = set(scenario.actor_names)
    return [
        *_dotted_names(scenario),
        *_bloc_repeats(scenario, doc),
        *_member_repeats(scenario, doc, actors),
        *_seat_repeats(scenario, doc),
        *_tie_repeats(scenario, doc, actors),
        *_relation_repeats(scenario, doc, actors),
    ]


def _dotted_names(scenario: Scenario) -> list[InputError]:
    """A dot in an output group's or a window's name: results name their metrics with
    dots (experiments.md: ``final_trust.Russia.all``), and a dotted group or window could
    not be told from a dotted power there; its sweep drew no figure (decision 804). The
    loader's check, so that a folder written before reads as it did."""
    first = next(iter(scenario.powers), "USA")
    named = [
        ("window", name, f"windows.{name}", f"trust_change.{name}.{first}.all")
        for name in scenario.windows
    ] + [
        ("group", name, f"outputs.groups.{name}", f"final_trust.{first}.{name}")
        for name in scenario.outputs.groups
    ]
    return [
        InputError(
            f"a {what} name cannot hold a dot ('{name}'): results name their metrics with "
            f"dots ({example}); call it '{name.replace('.', '_')}'",
            path=path,
        )
        for what, name, path, example in named
        if "." in name
    ]


def _bloc_repeats(scenario: Scenario, doc: Document) -> list[InputError]:
    """An actor's bloc listed twice in a file: a copy-paste slip (most likely another
    bloc was meant), which the model took once, for the network and the groups alike.
    A tree without origins (a mapping from Python, a loaded Scenario's) may hold one:
    the model takes it as before."""
    problems: list[InputError] = []
    for section, actors in (("powers", scenario.powers), ("states", scenario.states)):
        for name, actor in actors.items():
            blocs = actor.blocs
            if len(blocs) < 2 or len(set(blocs)) == len(blocs):
                continue
            twice = repeated(blocs)
            if twice is not None and _list_origin(doc, (section, name, "blocs")).file:
                earlier, index = twice
                problems.append(
                    InputError(
                        f"'{blocs[index]}' is listed twice in the blocs of '{name}' "
                        f"(also blocs[{earlier}]); list each bloc once",
                        path=f"{section}.{name}.blocs[{index}]",
                    )
                )
    return problems


def _member_repeats(scenario: Scenario, doc: Document, actors: set[str]) -> list[InputError]:
    """An output group's member listed twice in a file (decision 692): the model counts
    each member once, so a copy-paste slip (most likely another state was meant) would
    pass unseen. A name that is no actor is refused on its own; a tree without origins
    may hold a repeat, as for blocs, and a results folder's manifest made before is
    read as it was."""
    problems: list[InputError] = []
    for gname, group in scenario.outputs.groups.items():
        members = group.members or []
        known = [m if m in actors else (i,) for i, m in enumerate(members)]
        twice = repeated(known)
        if twice is not None and _list_origin(doc, ("outputs", "groups", gname, "members")).file:
            earlier, index = twice
            problems.append(
                InputError(
                    f"'{members[index]}' is listed twice in group '{gname}' (also "
                    f"members[{earlier}]); list each member once",
                    path=f"outputs.groups.{gname}.members[{index}]",
                )
            )
    return problems


def _seat_repeats(scenario: Scenario, doc: Document) -> list[InputError]:
    """Two actors that ``observed.names`` gives one UN name: an entry of a file naming
    the country another entry names, or another actor's own name (which that actor
    takes in the vote data). Both ``observe --scenario`` and the patterns' link then
    took the country's votes for one of the two actors and left the other out without
    a word (a group of both showed one state); most likely another country was meant (a
    copy-paste slip), and an actor meant to have no seat of its own is mapped to null.
    Actors that meet through the built-in aliases (``USSR`` and ``Russia``, or an entry
    naming the country another actor's alias gives) are found against the vote data
    alone, where it is read: :func:`sim.observed.names.shared_seat` (decision 722)."""
    names = scenario.observed.names if scenario.observed else {}
    if not names:
        return []
    origin = _list_origin(doc, ("observed", "names"))
    # Each UN name's actors: the unmapped ones under their own name, then the entries.
    holders: dict[str, list[str]] = {}
    for actor in scenario.actor_names:
        if actor not in names:
            holders.setdefault(actor, []).append(actor)
    problems: list[InputError] = []
    actors = set(scenario.actor_names)
    for actor, un in names.items():
        if un is None or actor not in actors:
            continue  # no seat, or an unknown actor (refused on its own)
        first = holders.setdefault(un, [])
        entry = origin.entry(actor)
        if first and entry.file:
            other = first[0]
            if other in names:
                also = _also(f"observed.names.{other}", origin.entry(other))
                said = f"also the UN name of '{other}' ({also})"
            else:
                said = f"also the name of the actor '{other}', who votes under it"
            problems.append(
                InputError(
                    f"'{un}' is {said}: two actors cannot share one seat in the vote data; "
                    f"map '{actor}' to its own country, or to null if it has no seat",
                    path=f"observed.names.{actor}",
                )
            )
        first.append(actor)
    return problems


def event_repeats(scenario: Scenario, doc: Document) -> list[InputError]:
    """Events of a file that repeat an earlier event of the same file in every field but
    the id, located at the repeat: notes for ``validate``, not refusals.

    Most likely a copied event whose date, target or value was to be changed (no
    shipped scenario has one), but both apply: a repeated ``relation`` or
    ``regime_change`` sets again what the earlier set (nothing, unless an event of the
    step between them changed it), and any other kind adds its effect to the earlier's,
    which a scenario may mean. Events of different files are not compared: a counterfactual
    may repeat its parent's on purpose; nor events without a line of their own (drawn
    by ``generate:``, or a list set by an override).
    """
    origin = _list_origin(doc, ("events",))
    first: dict[tuple[str, str], int] = {}
    notes: list[InputError] = []
    for index, event in enumerate(scenario.events):
        own = origin.entries.get(index)
        if own is None or own.file is None or own.line is None:
            continue
        content = repr(sorted(event.model_dump(exclude={"id"}, exclude_none=True).items()))
        key = (own.file, content)
        if key not in first:
            first[key] = index
            continue
        earlier = first[key]
        also = _entry(event_path(earlier, scenario.events[earlier]), origin.entry(earlier))
        notes.append(
            locate(
                InputError(
                    f"repeats {also} in every field but its id: "
                    f"{_repeat_effect(scenario, origin, earlier, index)}, or change what was "
                    "to differ",
                    path=event_path(index, event),
                ),
                doc,
            )
        )
    return notes


def _repeat_effect(scenario: Scenario, origin: Origin, earlier: int, index: int) -> str:
    """What the exact repeat ``index`` of the event ``earlier`` does, and which of the two
    to remove if one was meant, for :func:`event_repeats`. A ``relation`` or
    ``regime_change`` sets again what the earlier set: nothing, unless an event of the step
    listed between them changed it, and then the repeat sets it back and holds."""
    events = scenario.events
    event = events[index]
    if not isinstance(event, RelationEvent | RegimeChange):
        return "both apply, so their effects add up; if one event was meant, remove this one"
    step = scenario.event_step(event)
    between = [
        j
        for j in range(earlier + 1, index)
        if scenario.event_step(events[j]) == step and _changes(event, events[j])
    ]
    if not between:
        return (
            "it sets again what the earlier set, and does nothing; if one event was meant, "
            "remove this one"
        )
    paths = [_entry(event_path(j, events[j]), origin.entry(j)) for j in between]
    return (
        f"{allowed(paths, 4)}, listed between them in the step, change"
        f"{'s' if len(paths) == 1 else ''} what it sets, so this one sets it again and holds "
        "from then on (a step's events apply in file order); if one event was meant, remove "
        "the other"
    )


def _changes(repeat: RelationEvent | RegimeChange, other: EventModel) -> bool:
    """Whether ``other``, applied between an event and its exact ``repeat``, changes what
    they set (:meth:`sim.events.EventEngine._on_relation`, ``_on_regime_change``). A
    relation's stance: a relation event of one of its directions with another value, or a
    regime change of either party that does not give the pair its value again. A regime
    change's target: an event with evidence (its target's evidence of the step, which the
    repeat clears, a commitment to it, a recognition of it), a relation event of the
    target, or a regime change whose stances meet the target's."""
    if isinstance(repeat, RelationEvent):
        ends = (repeat.actor, repeat.target)
        if isinstance(other, RelationEvent):
            sets = directions(repeat.actor, repeat.target, repeat.directed)
            meets = sets & directions(other.actor, other.target, other.directed)
            return bool(meets) and float(other.value) != float(repeat.value)
        if isinstance(other, RegimeChange) and other.target in ends:
            given = other.relations.get(ends[1] if other.target == ends[0] else ends[0])
            return given is None or float(given) != float(repeat.value)
        return False
    target = repeat.target
    if isinstance(other, RelationEvent):
        return target in (other.actor, other.target)
    if isinstance(other, RegimeChange):
        return (
            other.target == target or target in other.relations or other.target in repeat.relations
        )
    return KINDS[other.kind].weight is not None


# What holds a stance's value in :func:`relation_overrides`: a relation event,
# ``(index, "")``, or a regime change's own relation, ``(index, the other actor)``.
Setter = tuple[int, str]


def relation_overrides(scenario: Scenario, doc: Document) -> list[InputError]:
    """A stance that an event of a file sets and a later event of the same file and step
    leaves nothing of, located at the later (the one that leaves it nothing): notes for
    ``validate``, not refusals. A ``relation`` event whose every direction a later
    ``relation`` event sets to another value (decision 721); a ``relation`` event of a
    state that a later ``regime_change`` of that state resets, unless the regime change's
    own ``relations`` give the pair the event's value again; a ``regime_change``'s own
    relation whose both directions later ``relation`` events set to another value
    (decision 729).

    A step's events apply together, in file order (:meth:`sim.events.EventEngine.apply_step`):
    the later value holds from that step on, and the earlier only for the events of the
    step between the two (none: it has no effect). Two values on one date are most
    likely a slip (a copied event whose value was changed, not its date); on a calendar
    of quarters or years two dates of one step may be meant, and the note says so. A
    directed event after an undirected one (or after a regime change's relation) sets
    one direction only, and is how a file makes a pair's stance asymmetric: the earlier
    keeps the other direction, and nothing is noted. A relation event after a regime
    change of its step, of a pair the regime change does not list, gives the new regime
    its relations: nothing to compare. A regime change's relation that a later regime
    change resets is not compared. Compared as :func:`event_repeats` compares: the
    events of one file (a child's relation changing its parent's on the parent's date,
    or a child's regime change resetting it, is a counterfactual's purpose), not events
    without a line of their own.
    """
    origin = _list_origin(doc, ("events",))
    events = scenario.events
    steps = [scenario.event_step(event) for event in events]
    order = sorted(range(len(events)), key=steps.__getitem__)  # as the model applies them
    place = {index: rank for rank, index in enumerate(order)}
    # Of each file, step and direction: what holds its value.
    holders: dict[tuple[str, int, tuple[str, str]], list[Setter]] = {}
    left: dict[Setter, set[tuple[str, str]]] = {}  # the directions whose value each holds
    replaced: dict[Setter, list[int]] = {}  # the later relation events that took them
    notes: list[tuple[int, int, InputError]] = []  # at, naming, the note
    value: dict[Setter, float] = {}  # of each compared
    for index in order:
        event, step = events[index], steps[index]
        own = origin.entries.get(index)
        file = own.file if own is not None and own.line else None
        if isinstance(event, RegimeChange):  # it resets its target's stances itself
            target = event.target
            for key in [k for k in holders if k[1] == step and target in k[2]]:
                held = holders.pop(key)
                if key[0] != file:
                    continue  # another file's (a counterfactual's regime change), or none
                source, to = key[2]
                given = event.relations.get(to if source == target else source)
                if given is not None and float(given) == value[held[0]]:
                    holders[key] = held  # its relations give the value held: it is kept
                    continue
                for earlier in held:
                    left[earlier].discard(key[2])
                    if not left[earlier] and not earlier[1]:  # a relation event reset
                        between = order[place[earlier[0]] + 1 : place[index]]
                        note = _reset(scenario, origin, earlier[0], index, between)
                        notes.append((index, earlier[0], locate(note, doc)))
            if file is None:
                continue  # no line of its own: its relations are compared with nothing
            for other, stance in event.relations.items():
                setter: Setter = (index, other)
                pair = directions(target, other, False)
                left[setter], replaced[setter], value[setter] = set(pair), [], float(stance)
                for direction in pair:
                    key = (file, step, direction)
                    holders[key] = [*holders.get(key, []), setter]
            continue
        if not isinstance(event, RelationEvent) or file is None:
            continue
        mine: Setter = (index, "")
        sets = directions(event.actor, event.target, event.directed)
        left[mine], replaced[mine], value[mine] = set(sets), [], float(event.value)
        for direction in sorted(sets):
            key = (file, step, direction)
            held = holders.get(key, [])
            if held and value[held[0]] == value[mine]:
                held.append(mine)  # sets again the value held: the earlier keeps it
                continue
            for earlier in held:
                left[earlier].discard(direction)
                if index not in replaced[earlier]:
                    replaced[earlier].append(index)
                if not left[earlier]:
                    between = order[place[earlier[0]] + 1 : place[index]]
                    by = {i: value[(i, "")] for i in replaced[earlier]}
                    note = _overridden(scenario, origin, earlier, by, between)
                    notes.append((index, earlier[0], locate(note, doc)))
            holders[key] = [mine]
    return [note for _, _, note in sorted(notes, key=lambda n: n[:2])]


def _overridden(
    scenario: Scenario, origin: Origin, earlier: Setter, by: dict[int, float], between: list[int]
) -> InputError:
    """The note of :func:`relation_overrides`: the ``earlier`` relation event's every
    direction, or a regime change's relation's, set again by the relation events ``by``
    (with their values; the last of them the note's place), with the events of the step
    ``between`` the earlier and the last, which the earlier value holds for."""
    events = scenario.events
    index = list(by)[-1]
    first, last = events[earlier[0]], events[index]
    assert isinstance(last, RelationEvent)
    others = [_entry(event_path(i, events[i]), origin.entry(i)) for i in list(by)[:-1]]
    who = " and ".join(["this event", *others])
    values = sorted(set(by.values()))
    when, order, shorter = _in_step(scenario, first, last, event_path(earlier[0], first))
    if isinstance(first, RegimeChange):
        entry = f"{event_path(earlier[0], first)}.relations.{earlier[1]}"
        repair = f"give it in {entry} and remove the relation event{'s' if others else ''}"
    else:
        repair = "remove the other event"
    return InputError(
        f"{_stance(scenario, origin, earlier)} {_held(events, between)}: {who} "
        f"set{'' if others else 's'} that stance again {when} to "
        f"{' and '.join(f'{v:g}' for v in values)}, which hold{'' if len(values) > 1 else 's'} "
        f"from then on: a step's events apply in file order{order}; if one value was meant, "
        f"{repair}{shorter}",
        path=event_path(index, last),
    )


def _reset(
    scenario: Scenario, origin: Origin, earlier: int, index: int, between: list[int]
) -> InputError:
    """The note of :func:`relation_overrides` for the relation event ``earlier`` that the
    regime change ``index`` of its step resets (the note's place), with the events of the
    step ``between`` the two, which the relation holds for."""
    events = scenario.events
    first, change = events[earlier], events[index]
    assert isinstance(first, RelationEvent) and isinstance(change, RegimeChange)
    target = change.target
    other = first.target if first.actor == target else first.actor
    listed = event_path(earlier, first)
    when, order, shorter = _in_step(scenario, first, change, listed)
    given = change.relations.get(other)
    if given is None:
        holds = " back to the ideology rule (parameters.stance.from_ideology)"
        new = "list it after this event (or in this event's relations)"
    else:
        holds = f", and its relations.{other} sets that stance to {float(given):g}"
        new = f"give its value in this event's relations.{other}"
    before = "step" if first.step is not None else "date"
    return InputError(
        f"{_stance(scenario, origin, (earlier, ''))} {_held(events, between)}: this regime "
        f"change resets every stance to and from '{target}' {when}{holds}, which holds from "
        f"then on: a step's events apply in file order{order}; if {listed} was meant for the "
        f"new regime, {new}; if for the old regime, give it an earlier {before}{shorter}",
        path=event_path(index, change),
    )


def _stance(scenario: Scenario, origin: Origin, setter: Setter) -> str:
    """``events.r1 (line 11, between 'Syria' and 'Jordan', -0.5)``: a relation event, or a
    regime change's own relation (``events.coup.relations.USA (line 12, between 'Jordan'
    and 'USA', 0.2)``), with its line, its pair and its value."""
    at, other = setter
    event = scenario.events[at]
    if isinstance(event, RegimeChange):
        what = f"{_pair(event.target, other, False)}, {float(event.relations[other]):g}"
        where = origin.entry(at).entry("relations").entry(other)
        return _entry(f"{event_path(at, event)}.relations.{other}", where, what)
    assert isinstance(event, RelationEvent)
    what = f"{_pair(event.actor, event.target, event.directed)}, {event.value:g}"
    return _entry(event_path(at, event), origin.entry(at), what)


def _held(events: Sequence[EventModel], between: list[int]) -> str:
    """What an earlier stance is left: the events of its step ``between`` it and the event
    that sets it again or resets it, or nothing."""
    if not between:
        return "has no effect"
    paths = [event_path(i, events[i]) for i in between]
    return f"holds only for the {count_text(len(paths), 'event')} between ({allowed(paths, 4)})"


def _in_step(
    scenario: Scenario, first: EventModel, last: EventModel, listed: str
) -> tuple[str, str, str]:
    """When ``first`` and the ``last`` listed after it apply together: ``on the same date
    (2015-10)``, ``at the same step (22)`` or ``in the same step of the calendar (2015-10
    to 2015-12)``; for two dates of one step, that ``last`` is listed after ``listed``
    (``first``'s path) though dated before it, if so, and the repair of shorter steps."""
    calendar = scenario.calendar
    order = shorter = ""
    if first.date is not None and first.date == last.date:
        when = f"on the same date ({first.date})"
    elif first.step is not None and first.step == last.step:
        when = f"at the same step ({first.step})"
    else:
        start = calendar.label(scenario.event_step(last))
        end = format_month(
            min(parse_month(start) + calendar.months_per_step - 1, parse_month(calendar.end))
        )
        when = (
            f"in the same step of the calendar ({start if start == end else f'{start} to {end}'})"
        )
        if first.date is not None and last.date is not None and first.date != last.date:
            # Two dates of one quarter or year: both may be meant, each from its date.
            if parse_month(last.date) < parse_month(first.date):
                order = f", and this one is listed after {listed}, though dated before it"
            shorter = (
                "; for each to hold from its own date, make the steps shorter "
                "(calendar.step: month)"
            )
    return when, order, shorter


def _list_origin(doc: Document, loc: Loc) -> Origin:
    """The origin of the list at ``loc``: its own, or its nearest recorded parent's file."""
    origin = doc.origin
    for key in loc:
        origin = origin.entry(key)
    return origin


def _also(path: str, origin: Origin) -> str:
    """``relations[0], line 12``: an earlier entry, with its line when it has one."""
    return f"{path}, line {origin.line}" if origin.line else path


def _entry(path: str, origin: Origin, what: str = "") -> str:
    """``relations[0] (line 12, between 'A' and 'B')``: an entry, with its line when it
    has one and ``what`` it sets."""
    said = [f"line {origin.line}"] if origin.line else []
    said += [what] if what else []
    return f"{path} ({', '.join(said)})" if said else path


def _pair(source: str, to: str, directed: bool) -> str:
    return f"from '{source}' to '{to}'" if directed else f"between '{source}' and '{to}'"


def _tie_repeats(scenario: Scenario, doc: Document, actors: set[str]) -> list[InputError]:
    """Ties that set exactly the directions of an earlier tie of the same file (an
    undirected ``[B, A]`` those of ``[A, B]``); a directed tie beside an undirected one
    of the same pair adds to one direction, and is kept (decision 703)."""
    origin = _list_origin(doc, ("network", "ties"))
    if origin.file is None and not origin.entries:
        return []
    # The entries so far of each file and directions, and their weights' sum.
    first: dict[tuple[str, frozenset[tuple[str, str]]], tuple[list[int], float]] = {}
    problems: list[InputError] = []
    ties = scenario.network.resolved_ties(origin.drawn)
    for index, (a, b, weight, directed) in enumerate(ties, start=origin.drawn):
        file = origin.entry(index).file
        if file is None or a not in actors or b not in actors or a == b:
            continue  # an unknown actor or a self-tie is refused on its own
        key = (file, directions(a, b, directed))
        if key not in first:
            first[key] = [index], weight
            continue
        earlier, before = first[key]
        first[key] = [*earlier, index], before + weight
        total = number_text(before + weight)
        also = " and ".join(
            _also(f"network.ties[{_written_index(j, origin.entry(j))}]", origin.entry(j))
            for j in earlier
        )
        times = "twice" if len(earlier) == 1 else f"{len(earlier) + 1} times"
        problems.append(
            InputError(
                f"the tie {_pair(a, b, directed)} is given {times} (also {also}), and the "
                f"weights would add up to {total}; give it once, with weight {total} if "
                "that is meant",
                path=f"network.ties[{index}]",
            )
        )
    return problems


def _relation_repeats(scenario: Scenario, doc: Document, actors: set[str]) -> list[InputError]:
    """Relations of a file whose every direction later entries of the same file set
    again, so that their value is never used; a later entry setting one direction of
    an earlier one is an override the contract allows (model.md section 8.1)."""
    origin = _list_origin(doc, ("relations",))
    if origin.file is None and not origin.entries:
        return []
    entries = resolved_relations(scenario.relations)
    # From the last entry back: the nearest later entry of the same file that sets
    # each direction.
    nearest: dict[tuple[str, tuple[str, str]], int] = {}
    dead: list[tuple[int, int, list[int]]] = []  # (the repeat, the entry it kills, others)
    for index in reversed(range(len(entries))):
        a, b, _value, directed = entries[index]
        file = origin.entry(index).file
        if file is None or a not in actors or b not in actors or a == b:
            continue
        sets = directions(a, b, directed)
        later = [nearest.get((file, pair)) for pair in sets]
        if all(j is not None for j in later):
            by = sorted({j for j in later if j is not None})
            dead.append((by[-1], index, by[:-1]))
        for pair in sets:
            nearest[(file, pair)] = index
    problems: list[InputError] = []
    for index, earlier, others in sorted(dead):
        a, b, value, directed = entries[index]
        a0, b0, _v0, directed0 = entries[earlier]
        # The entries' own indices in the file that writes them (the paths in the message;
        # the error's own path is said so by _located).
        path = f"relations[{_written_index(earlier, origin.entry(earlier))}]"
        mine, theirs = directions(a, b, directed), directions(a0, b0, directed0)
        if mine == theirs:
            message = (
                f"the relation {_pair(a, b, directed)} is given twice (also "
                f"{_also(path, origin.entry(earlier))}); the later replaces the earlier, "
                "which then has no effect: give it once, with the value meant"
            )
        elif mine > theirs:
            ((x, y),) = mine - theirs
            message = (
                f"this relation {_pair(a, b, directed)} replaces in full "
                f"{_entry(path, origin.entry(earlier), _pair(a0, b0, directed0))}, which "
                "then has no effect; remove one of the two, or give this one for the other "
                f"direction alone: {{from: {x}, to: {y}, value: {number_text(value)}, "
                "directed: true}"
            )
        else:
            (other,) = others
            also = f"relations[{_written_index(other, origin.entry(other))}]"
            message = (
                f"{_entry(path, origin.entry(earlier), _pair(a0, b0, directed0))} has no "
                f"effect: this entry and {_entry(also, origin.entry(other))} "
                f"replace both its directions; remove {path}, or one of the entries that "
                "replace it"
            )
        problems.append(InputError(message, path=f"relations[{index}]"))
    return problems


def translate(
    exc: ValidationError,
    doc: Document,
    prefix: Loc = (),
    root: type[BaseModel] = Scenario,
    skip: Collection[str] = (),
) -> InputError:
    """The first pydantic error as one InputError with file, line and field path.

    Args:
        exc: the error of validating ``doc.tree`` (or its part at ``prefix``).
        doc: the document validated, with the origins of its values.
        prefix: where in ``doc.tree`` the validated part is.
        root: the model that validates the whole of ``doc.tree`` (for the fields allowed).
        skip: error types not to report (``exc`` must have another).
    """
    errors = [e for e in exc.errors(include_url=False) if e["type"] not in skip]
    stripped = [_strip((*prefix, *e["loc"]), doc.tree, e["type"]) for e in errors]
    chosen = _pick(errors, stripped)
    for i, (loc, _) in enumerate(stripped):
        stray = _stray_key(loc, doc.tree)
        if stray is not None and doc.origin.locate(stray).after is not None:
            # {memory: 0,98} is memory 0 and a key 98: "must be > 0, got 0" came first,
            # and only validate, which lists every mistake, said the comma (an outside
            # check, decision 932).
            chosen = i
            break
    return _one_error(errors[chosen], stripped[chosen][0], doc, root)


def translate_all(
    exc: ValidationError, doc: Document, root: type[BaseModel] = Scenario
) -> list[InputError]:
    """Every mistake of a pydantic error, one InputError each (as :func:`translate` words it).

    Errors inside the same union value are one mistake (the telling one is
    kept, as :func:`_pick` chooses); a missing field beside an unknown one in
    the same mapping is taken for its misspelling and not reported apart.
    """
    errors = exc.errors(include_url=False)
    stripped = [_strip(tuple(e["loc"]), doc.tree, e["type"]) for e in errors]
    groups: dict[Loc, list[int]] = {}
    for i, (loc, union_at) in enumerate(stripped):
        # Every error under a key that is no string is that key's one mistake.
        group = union_at if union_at is not None else _stray_key(loc, doc.tree) or loc
        groups.setdefault(group, []).append(i)
    unknown_in = {
        stripped[i][0][:-1] for i, e in enumerate(errors) if e["type"] == "extra_forbidden"
    }
    found: dict[str, InputError] = {}
    for members in groups.values():
        chosen = members[_pick([errors[i] for i in members], [stripped[i] for i in members])]
        error, loc = errors[chosen], stripped[chosen][0]
        if error["type"] == "missing" and loc[:-1] in unknown_in:
            continue
        mistake = _one_error(error, loc, doc, root)
        found.setdefault(str(mistake), mistake)  # a key's mistake may be reached twice
    return list(found.values())


def _one_error(error: Any, loc: Loc, doc: Document, root: type[BaseModel]) -> InputError:
    stray = _stray_key(loc, doc.tree)
    if stray is not None:
        return _stray_key_error(stray, doc)
    if error["type"] == "union_tag_invalid":
        loc = (*loc, "kind")
    value = error.get("input")
    if error["type"] == "string_type" and isinstance(value, bool):
        message = _boolean_for_string(value, doc.origin.locate(loc), loc)
    else:
        overridden = doc.origin.locate(loc).file or ""
        message = _describe(error, loc, doc.tree, root, overridden.startswith("override "))
    return _located(InputError(message, path=_render(loc, doc.tree) or None), doc.origin, loc)


def _stray_key(loc: Loc, tree: Any) -> Loc | None:
    """The path to the first mapping key on the way to ``loc`` that YAML read as no string.

    Every mapping of an input file is keyed by names or fields, so such a key
    (``NO`` read as false, the ``7`` of ``{PA: 0,7}``) is the mistake, whatever
    pydantic says about the value under it.
    """
    node = tree
    for index, key in enumerate(loc):
        # pydantic reports a key false as 0: the key itself says what YAML read.
        if (
            isinstance(node, dict)
            and not isinstance(key, str)
            and key in node
            and not isinstance(next(k for k in node if k == key), str)
        ):
            return loc[: index + 1]
        node = _child(node, key)
    return None


def _stray_key_error(loc: Loc, doc: Document) -> InputError:
    """One error for the key that YAML read as no string, at ``loc``."""
    mapping = _child_at(doc.tree, loc[:-1])
    key = next(k for k in mapping if k == loc[-1])
    # The key's own origin; an ancestor's (where it is not recorded) holds no key text.
    origin = doc.origin.locate(loc)
    written = origin.key_text if origin.key_text is not None else _show(key).strip("'")
    where = _render(loc[:-1], doc.tree)
    if origin.after is not None:
        before, whole = origin.after
        message = (
            f"'{written}' is read as a key of its own, after '{before}: {whole}': "
            f"a decimal comma? write {whole}.{written}"
        )
        path = where
    else:
        what = (
            f"the boolean {_show(key)}, not a name ({_YAML_BOOLEANS})"
            if isinstance(key, bool)
            else f"{'a number' if isinstance(key, int | float) else kind_of(key)}, not a name"
        )
        message = f"'{written}' is read as {what}; quote it: \"{written}\""
        path = f"{where}.{written}" if where else written
    return _located(InputError(message, path=path or None), doc.origin, loc)


def _boolean_for_string(value: bool, origin: Origin, loc: Loc) -> str:
    """The message for a boolean where a string goes: YAML read the word as a boolean
    (``origin.text``, recorded on the value itself; None on an ancestor's origin)."""
    written = origin.text
    none = "; a state aligned with no power is written none" if loc[-1:] == ("aligned",) else ""
    if written is None:
        return f"expected a string, got {_show(value)} ({_YAML_BOOLEANS}); quote a name{none}"
    return (
        f"'{written}' is read as the boolean {_show(value)}, not a string ({_YAML_BOOLEANS}); "
        f'quote it: "{written}"{none}'
    )


def _child_at(tree: Any, loc: Loc) -> Any:
    node = tree
    for key in loc:
        node = _child(node, key)
    return node


def locate(error: InputError, doc: Document) -> InputError:
    """``error`` (with a field path as messages write it) located at its file and line."""
    loc = loc_of(error.path, doc.tree) if error.path else ()
    return _located(error, doc.origin, loc)


def locate_in_scenario(error: InputError, path: str) -> InputError:
    """``error``, at a field of the scenario file ``path`` (found after loading, as a UN
    name in ``observed.names`` is, against the votes), located at its file and line;
    through ``extends``, in the file that gave the value. The file is read again only on
    this error path; when it cannot be, the error is placed at the file alone."""
    if error.file is not None:
        return error
    try:
        doc = _scenario_file(_read_yaml(Path(path), path), path)
    except InputError:  # the file changed or vanished since it was loaded
        return error.located(path)
    return locate(error, doc).located(path)


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


def _items(bound: Any) -> str:
    """``2 items``, ``1 item``: a length bound pydantic gives, with its noun."""
    return count_text(bound, "item") if isinstance(bound, int) else f"{bound} items"


def _comma_items(value: Any, bound: Any) -> str:
    """``; a decimal comma? its last two items 1 and 5 may be 1.5`` for a list one item
    too long whose last two are whole numbers: ``[Savanna, Client, 1,5]`` is four items
    to YAML, and was refused as too long without a word of the comma (an outside check,
    decision 932). Else ""."""
    if not isinstance(value, list) or not isinstance(bound, int) or len(value) != bound + 1:
        return ""
    a, b = value[-2:]
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (a, b)) or b < 0:
        return ""
    if a >= 1000 and b >= 1000:
        # Years, not a number's two halves: a pattern's window [2014, 2015, 2016] was
        # asked whether 2015.2016 was meant (an outside check of pattern files).
        return ""
    return f"; a decimal comma? its last two items {a} and {b} may be {a}.{b}"


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


def _odd_space(text: str) -> str:
    """The first character of ``text`` that looks like a space but is not one (a
    non-breaking space, a zero-width one, a tab), named (``a NO-BREAK SPACE (U+00A0)``);
    "" when there is none. Pasted from a word processor, such a key printed as if it were
    well indented."""
    for char in text:
        if char != " " and (char.isspace() or unicodedata.category(char) in ("Cf", "Zs")):
            name = unicodedata.name(char, "unnamed character")
            return f"a {name} (U+{ord(char):04X})"
    return ""


def _links_field(model: type[BaseModel] | None, name: str) -> str:
    """Where a pattern's field that is the link's goes, or "".

    validation.md names the issue filter among the measures and the pattern file's
    ``link`` holds it (``link.issue``), as it holds the measure, power and rival: one
    for every pattern of the file, since the offsets are set on the link's measure. A
    pattern's own ``issue: me`` was refused as an unknown field with no word of where it
    goes (an audit of held-out style pattern files).
    """
    from sim.patterns.schema import Link, Pattern

    if model is not Pattern or name not in Link.model_fields:
        return ""
    return (
        f"; '{name}' is the link's, the same for every pattern of the file "
        f"(link: {{..., {name}: ...}}); a pattern of another {name} needs a pattern file "
        "of its own"
    )


def _describe(
    error: Any, loc: Loc, tree: Any, root: type[BaseModel], overridden: bool = False
) -> str:
    """What is wrong and what is allowed, for one pydantic error.

    ``overridden``: the value was set by an override, which may not set the
    fields the loader resolves first (``extends``, ``remove_events``).
    """
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    last = loc[-1] if loc else ""
    hint = next(
        (
            h
            for at, h in _SHAPE_HINTS.items()
            if loc[: len(at)] == at
            and len(loc) <= len(at) + 2
            # A relation's named field has its own message ("directed: expected true or
            # false"): the form is for its shape, an item of the list or the list itself.
            and (at != ("relations",) or isinstance(last, int) or len(loc) <= 2)
        ),
        "",
    )
    hint = f"; {hint}" if hint else ""
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1], tree, root)
        names = [f.alias or n for n, f in model.model_fields.items()] if model else []
        if model is Scenario and not overridden:
            names += _RESOLVED_FIELDS  # consumed by the loader before validation
        owners = kinds_taking(str(last)) if loc[:-2] == ("parameters", "event_kinds") else []
        misplaced = _MISPLACED.get((model.__name__ if model else "", str(last)), "")
        elsewhere = (
            f"; '{last}' belongs to {' and '.join(owners)} only "
            f"(parameters.event_kinds.{owners[0]}.{last})"
            if owners
            else _links_field(model, str(last))
            or (f"; {misplaced}" if misplaced else suggest(str(last), names))
        )
        odd = _odd_space(str(last))
        if odd:
            return (
                f"unknown field {str(last)!r}: it holds {odd}, which YAML does not take for a "
                "space (nor for indentation); write ordinary spaces"
            )
        return (
            f"unknown field '{last}'; allowed fields are: {allowed(names, len(names))}{elsewhere}"
        )
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag"))
        tip = suggest(tag, EVENT_KINDS)
        meant = KIND_WORDS.get(tag.strip().lower().replace(" ", "_").replace("-", "_"))
        if not tip and meant is not None:
            fields = ", ".join(KINDS[meant].fields)
            tip = f" (did you mean '{meant}'? its fields: {fields})"
        return (
            f"unknown event kind '{shortened(tag)}'; kinds are: "
            f"{allowed(EVENT_KINDS, len(EVENT_KINDS))}{tip}"
        )
    if kind == "union_tag_not_found":
        return f"an event needs a 'kind'; kinds are: {allowed(EVENT_KINDS, len(EVENT_KINDS))}"
    if kind == "missing":
        if isinstance(last, int):
            return f"item {last + 1} is missing{hint}"
        return f"required field is missing{hint}"
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        most = "at least" if kind == "too_short" else "at most"
        return (
            f"needs {most} {_items(bound)}, got {ctx.get('actual_length')}"
            f"{_comma_items(error.get('input'), bound) if kind == 'too_long' else ''}{hint}"
        )
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound_key = next(k for k in _BOUNDS if k in ctx)
        bound = ctx[bound_key]
        grouped = isinstance(bound, int) and abs(bound) >= 10_000
        shown = f"{bound:,}" if grouped else f"{bound:g}"
        # A whole number beside a grouped bound is grouped too: "<= 1,000,000, got 2,000,000".
        got = number_text(value, grouped) if grouped and type(value) is int else _show(value)
        if type(value) is float and (float(got) != value or len(repr(value)) < len(got)):
            # "must be <= 1, got 1" of 1.0000001, and "got 9.88131e-324" of 1e-323: the
            # shortest text that is the value (an outside check, decision 989).
            got = repr(value)
        why = (
            " (below it the priors m*k and (1-m)*k are too small for a number to hold: "
            "the initial trust would be lost)"
            if kind == "greater_than_equal" and bound == MIN_STRENGTH
            else ""
        )
        return f"must be {_BOUNDS[bound_key]} {shown}, got {got}{why}"
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
        # A year alone (date: 1953) is read as a number: the same repair as a full date's.
        year = type(value) is int and any(k in _DATE_FIELDS for k in loc if isinstance(k, str))
        quote = '; write dates as "YYYY-MM", in quotes' if isinstance(value, date) or year else ""
        comma = decimal_comma_hint(value)
        if comma and kind == "float_parsing":
            quote = comma
        elif kind in ("float_parsing", "int_parsing") and "_" in str(value):
            quote = "; quoted text with '_' is not read as a number: write the number, unquoted"
        if kind in ("float_type", "float_parsing") and beyond_float(value):
            return f"got {_show(value)}, too large for a number (the largest is about 1.8e308)"
        return f"expected {_EXPECTED[kind]}, got {_show(value)}{quote}{hint}"
    return f"{error['msg']}, got {_show(value)}"


def _model_at(loc: Loc, tree: Any, root: type[BaseModel]) -> type[BaseModel] | None:
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


def loc_of(path: str, tree: Any) -> Loc:
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
        text = number_text(value)
    else:
        text = f"{kind_of(value)} {value!r}"
    return text if len(text) <= 60 else text[:57] + "..."


def kind_of(value: Any) -> str:
    """What a YAML value is, for messages: "a mapping", "a list", "a string", "a number" ..."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    # In the words of YAML, not Python's ("a float", "a NoneType"; an audit).
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    if isinstance(value, date):
        return "a date"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


# --------------------------------------------------------------------------- public


def load_model[ModelT: BaseModel](
    path: str | os.PathLike[str],
    model: type[ModelT],
    *,
    needs: str,
    check: Callable[[ModelT], None] | None = None,
    kind: str | None = None,
) -> ModelT:
    """Read a YAML file other than a scenario (a pattern file) with the scenario's error rules.

    The file is read with the same safe loader, limits and line tracking,
    validated with ``model``, then ``check`` looks at what crosses fields;
    every problem becomes one :class:`~sim.errors.InputError` with file,
    line and field path.

    Args:
        path: the YAML file.
        model: the pydantic model of the whole file.
        needs: what an empty file lacks, for its error message.
        check: cross-field checks; raise InputError with ``path`` set to the
            field path (``patterns[2].group``) and the line is found here.
        kind: the file's kind (:data:`sim.inputs.KINDS`): a file of another kind is
            refused in one line naming the command that takes it.

    Raises:
        InputError: anything wrong with the file.
    """
    shown = str(path)
    doc = _read_yaml(Path(shown), shown, needs)
    if not isinstance(doc.tree, dict):
        raise InputError(f"expected a mapping of fields, got {kind_of(doc.tree)}", file=shown)
    wrong = None if kind is None else other_kind(doc.tree, kind)
    if wrong is not None:
        raise InputError(wrong, file=shown)
    try:
        value = model.model_validate(doc.tree)
    except ValidationError as exc:
        raise translate(exc, doc, root=model) from None
    if check is not None:
        try:
            check(value)
        except InputError as exc:
            if exc.file is not None:
                raise  # located in another file (the scenario a pattern file names)
            loc = loc_of(exc.path, doc.tree) if exc.path else ()
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
        # Its references were checked when it was made; overrides of its parameters
        # alone can break only the checks that read them (a sweep's or a calibration's
        # every point: 1.9 of 4.3 ms a point, decision 565).
        only = all(o.sets_parameters for o in parsed)
        if only:
            given = _new_parameters(source, parsed)
            if given is not None:
                return given

        # A generated scenario's population is drawn already (its tree holds it beside
        # ``generate``): drawing it again added every generated event a second time.
        def drawn(given: list[_Override]) -> Scenario:
            doc = Document(scenario_tree(source), Origin(None), removed=source._removed_events)
            return _finish(doc, given, expand=source.generate is None, parameters_only=only)

        try:
            return drawn(parsed)
        except InputError as exc:
            raise _blamed(exc, parsed, drawn) from None
    if isinstance(source, Mapping):
        tree = dict(source)

        def document() -> Document:
            return _as_scenario(Document(copy.deepcopy(tree), Origin(None)), Path.cwd(), ".", ())
    else:
        shown = str(source)

        def document() -> Document:
            return _scenario_file(_read_yaml(Path(shown), shown), shown)

    try:
        return _finish(document(), parsed)
    except InputError as exc:
        if not parsed:
            raise
        raise _blamed(exc, parsed, lambda given: _finish(document(), given)) from None


def _blamed(
    error: InputError, overrides: list[_Override], load: Callable[[list[_Override]], Any]
) -> InputError:
    """``error``, naming the overrides without which the file has no such error.

    ``--set calendar.end=2023-01`` leaves an event of 2024 outside the calendar: the
    error is at the event's line of the file, where nothing is wrong without the
    override, and it did not name the override (an audit). :func:`_after_overrides`
    names an override that set a field of the entry in error; this finds the others by
    loading again (on the error path only): without any override, then without each. An
    error the file has without them is the file's, and is left as it is.
    """
    if (error.file or "").startswith("override ") or "(after override" in error.message:
        return error
    if error.path and any(
        error.path == o.path or error.path.startswith(o.path + ".") for o in overrides
    ):
        return error  # an error of an override's own value: its callers name it

    def same(given: list[_Override]) -> bool:
        try:
            load(given)
        except InputError as again:
            return (again.path, again.file, again.line) == (error.path, error.file, error.line)
        return False

    if same([]):
        return error
    needed = [o for o in overrides if not same([x for x in overrides if x is not o])]
    labels = ", ".join(o.label for o in needed or overrides)
    return error.reworded(f"{error.message} (after {labels})")


def _new_parameters(source: Scenario, overrides: list[_Override]) -> Scenario | None:
    """``source`` with overrides of its parameters alone, validating only the parameters.

    The rest of a loaded scenario was validated when it was made, and pydantic's
    validation of a section does not read its siblings (``Scenario`` has no validator of
    its own), so the parameters' subtree is validated alone and put in place of the old
    one, the other sections shared with ``source``; a sweep's or calibration's every
    point, about 1 of 2 ms (decision 576). None when an override or a value is refused,
    or the new parameters break a check that reads them: the caller then goes the whole
    way, which says what is wrong exactly as before.
    """
    # Dumped as scenario_tree dumps the whole, so the values validated are the same.
    dumped = source.parameters.model_dump(mode="json", by_alias=True, exclude_none=True)
    try:
        doc = _parameters_alone(dumped, Origin(None), overrides, {})
        parameters = Parameters.model_validate(doc.tree["parameters"])
    except (InputError, ValidationError):
        return None
    scenario = source.model_copy(update={"parameters": parameters})
    return None if parameter_problems(scenario) else scenario


def _scenario_file(doc: Document, shown: str) -> Document:
    """A scenario file as read, with its ``extends`` chain resolved relative to it."""
    path = Path(shown)
    return _as_scenario(doc, path.parent, os.path.dirname(shown), (_Link(path.resolve(), shown),))


def check_file(
    path: str, overrides: Sequence[str]
) -> tuple[Scenario | None, Document | None, list[InputError]]:
    """Load a scenario file for ``credsim validate``: every mistake found in one pass.

    Reading, ``extends``, overrides and generation stop at their first mistake
    (what follows would not make sense), and a generated scenario's parameters
    are checked before its draw (decision 794); validation reports every field that
    is wrong at once, then, if there is none, the first cross-reference
    problem. A mistake the file has only with the overrides names them
    (:func:`_blamed`).

    Returns:
        The scenario (None if it has mistakes), the merged document (None if it
        could not be read), and the mistakes, in file and line order.
    """
    scenario, doc, found = _checked_file(path, overrides)
    if found and overrides:
        parsed = parse_overrides(list(overrides))
        checked: dict[tuple[str, ...], list[InputError]] = {}  # each subset checked once
        found = [_blamed(error, parsed, _file_checker(path, error, checked)) for error in found]
    return scenario, doc, found


def _file_checker(
    path: str, error: InputError, checked: dict[tuple[str, ...], list[InputError]]
) -> Callable[[list[_Override]], None]:
    """``path`` checked with some of the overrides, raising its mistake where ``error``
    is (else its first), for :func:`_blamed`."""

    def load(given: list[_Override]) -> None:
        texts = tuple(o.text for o in given)
        if texts not in checked:
            checked[texts] = _checked_file(path, list(texts))[2]
        errors = checked[texts]
        if errors:
            here = [
                e
                for e in errors
                if (e.path, e.file, e.line) == (error.path, error.file, error.line)
            ]
            raise (here or errors)[0]

    return load


def _checked_file(
    path: str, overrides: Sequence[str]
) -> tuple[Scenario | None, Document | None, list[InputError]]:
    """:func:`check_file` before it names the overrides behind a mistake."""
    try:
        doc = _scenario_file(_read_yaml(Path(path), path), path)
        parsed = parse_overrides(list(overrides))
        for override in parsed:
            if override.sets_generate:
                _apply_once(doc, override, {})
        early = _parameters_before_draw(doc, parsed)
    except InputError as exc:
        return None, None, [exc]
    if early:
        return None, doc, sorted(early, key=_line_order(path))
    with _collector_paused(doc):
        return _drawn_and_checked(doc, parsed, path)


def _drawn_and_checked(
    doc: Document, parsed: list[_Override], path: str
) -> tuple[Scenario | None, Document | None, list[InputError]]:
    """:func:`_checked_file` from the draw on."""
    try:
        doc = _expand_generated(doc)
        placed: dict[Loc, _Override] = {}
        for override in parsed:
            if not override.sets_generate:
                _apply_once(doc, override, placed)
    except InputError as exc:
        return None, None, [exc]
    try:
        scenario = Scenario.model_validate(doc.tree)
    except ValidationError as exc:
        found = [_reached(_after_overrides(e, parsed), doc.via) for e in translate_all(exc, doc)]
        return None, doc, sorted(found, key=_line_order(path))
    problems = [*reference_problems(scenario), *repeat_problems(scenario, doc)]
    if problems:
        located = _calendar_cut([locate(exc, doc) for exc in problems], doc, scenario)
        found = [_reached(_after_overrides(exc, parsed), doc.via) for exc in located]
        return None, doc, sorted(found, key=_line_order(path))
    return scenario, doc, []


_OUTSIDE = re.compile(r"^date (\S+) is outside the calendar ")


def _calendar_cut(errors: list[InputError], doc: Document, scenario: Scenario) -> list[InputError]:
    """The dates outside a calendar set in one place (a child file, an override) but
    written in another (the parent), said once, where the calendar was set.

    A child that shortened syria.yaml's calendar to 2020 was told 25 times, at 25 lines
    of syria.yaml it never wrote, that a date was outside the calendar, with nothing to
    do (an outside check, decision 916). Now one error at the child's ``calendar.end``
    names what it leaves out and the two ways on. Dates outside a calendar written in
    their own file keep their own errors.
    """
    calendar = doc.origin.entry("calendar")
    first = scenario.calendar.first_month
    cut: dict[str, list[tuple[InputError, str]]] = {}
    kept: list[InputError] = []
    for error in errors:
        match = _OUTSIDE.match(error.message)
        bound = None if match is None else "start" if parse_month(match.group(1)) < first else "end"
        set_at = calendar.entry(bound) if bound is not None else None
        if (
            bound is None
            or set_at is None
            or set_at.file in (None, error.file)
            # A date the file itself writes, outside a calendar it takes from its parent,
            # is its own slip: it was said at the parent's calendar.end, with "take the
            # events out with remove_events", never at the event's line (an outside check,
            # decision 933).
            or (error.file == doc.origin.file and not str(set_at.file).startswith("override "))
        ):
            kept.append(error)
            continue
        if bound not in cut:
            kept.append(error)  # its place in the order, for the error that says them all
        cut.setdefault(bound, []).append((error, match.group(1) if match else ""))
    for bound, outside in cut.items():
        set_at = calendar.entry(bound)
        paths = [error.path or "" for error, _m in outside]
        # A window's two dates: the calendar must hold the whole window.
        months = [month for _e, month in outside] + [
            month
            for p in paths
            if p.removeprefix("windows.") in scenario.windows
            for month in scenario.windows[p.removeprefix("windows.")]
        ]
        dates = sorted((parse_month(month), month) for month in months)
        # An event by its id (``events.mali_coup.date``, ``.until``) or its place, once.
        events = list(
            dict.fromkeys(
                p.removeprefix("events.").split(".")[0]
                if p.startswith("events.")
                else p.split("]")[0] + "]"
                for p in paths
                if p.startswith(("events.", "events["))
            )
        )
        windows = [f"'{p.removeprefix('windows.')}'" for p in paths if p.startswith("windows.")]
        files = " and ".join(sorted({str(error.file) for error, _m in outside}))
        side, reach = ("after", dates[-1][1]) if bound == "end" else ("before", dates[0][1])
        said = []
        if events:
            shown = ", ".join(events[:3]) + (", ..." if len(events) > 3 else "")
            said.append(f"{count_text(len(events), 'event')} ({shown})")
        if windows:
            said.append(f"the {'window' if len(windows) == 1 else 'windows'} {', '.join(windows)}")
        overridden = str(set_at.file).startswith("override ")
        ways = (
            ""
            if not events
            # remove_events is the file's (an override cannot set it: _RESOLVED_FIELDS).
            else "take the events out in a scenario that extends this one (remove_events)"
            if overridden
            else "take the events out with remove_events"
        )
        if windows:
            ways += (" and " if ways else "") + "give the windows new dates"
        message = (
            f"{getattr(scenario.calendar, bound)} leaves out {' and '.join(said)} that {files} "
            f"dates {side} it; {'end' if bound == 'end' else 'start'} the calendar at {reach} "
            f"{'or later' if bound == 'end' else 'or earlier'}, or {ways}"
        )
        at = kept.index(outside[0][0])
        kept[at] = InputError(message, path=f"calendar.{bound}", file=set_at.file, line=set_at.line)
    return kept


def _line_order(path: str) -> Any:
    """Sort key of errors: the file named first, then the others, each by line."""

    def key(error: InputError) -> tuple[bool, str, int]:
        return (error.file != path, error.file or "", error.line or 0)

    return key


def _finish(
    doc: Document, overrides: list[_Override], expand: bool = True, parameters_only: bool = False
) -> Scenario:
    """Overrides, generation (unless ``expand`` is False: a drawn scenario's tree) and
    validation of a merged document."""
    # generate.* first: the population is drawn from them; the rest may name what it drew.
    placed: dict[Loc, _Override] = {}
    for override in overrides:
        if override.sets_generate:
            _apply_once(doc, override, placed)
    if expand:
        early = _parameters_before_draw(doc, overrides)
        if early:
            raise early[0]
    with _collector_paused(doc):
        return _drawn_and_validated(doc, overrides, expand, parameters_only)


def _drawn_and_validated(
    doc: Document, overrides: list[_Override], expand: bool, parameters_only: bool
) -> Scenario:
    """:func:`_finish` from the draw on."""
    if expand:
        doc = _expand_generated(doc)
    placed: dict[Loc, _Override] = {}
    for override in overrides:
        if not override.sets_generate:
            _apply_once(doc, override, placed)
    try:
        return _validate(doc, parameters_only)
    except InputError as exc:
        raise _reached(_after_overrides(exc, overrides), doc.via) from None


def field_place(path: str, field: str) -> str:
    """Where the scenario file ``path`` gives the field an override path ``field`` names,
    for the override's refusal: ``the override replaces the value on FILE:LINE`` (in the
    file of the ``extends`` chain that gives it), or ``FILE does not set it; ...``.

    The file is read again: callers use it on an error path only.

    Raises:
        InputError: the file can no longer be read (it changed since it was loaded).
    """
    doc = _scenario_file(_read_yaml(Path(path), path), path)
    origin: Origin | None = doc.origin
    for key in loc_of(field, doc.tree):
        origin = origin.entries.get(key) if origin is not None else None
    if origin is not None and origin.file is not None and origin.line is not None:
        return f"the override replaces the value on {origin.file}:{origin.line}"
    nor = ", nor any file it extends," if doc.via else ""
    return f"{path}{nor} does not set it; the value is the override's"


def _after_overrides(error: InputError, overrides: Sequence[_Override]) -> InputError:
    """``error``, found in the file, naming the overrides that changed the entry it is in.

    ``--set events.withdrawal.kind=rhetoric`` leaves the file's ``target:`` unknown to
    the new kind; the error is at the file's line, where nothing is wrong without the
    override (an audit: it never named the override). An override is named when the
    error's field lies in the entry the override set a field of (``events.withdrawal``,
    ``parameters.trust``) but not in the field it set: an error of the override's own
    value is the value's, and its callers name it (``override PATH=VALUE:``, a sweep's
    point).
    """
    if error.file is not None and error.file.startswith("override "):
        return error
    if not error.path:
        return error
    changed = [
        o
        for o in overrides
        if (entry := o.path.rpartition(".")[0])
        # An error of a whole section is the section's own check across its fields
        # (``calendar``: ends before it starts), which may read the override's value;
        # inside a section, only an error in the entry the override set a field of.
        and (error.path == entry or ("." in entry and error.path.startswith(entry + ".")))
        and not (error.path == o.path or error.path.startswith(o.path + "."))
    ]
    if not changed:
        return error
    hint = ""
    for o in changed:
        entry, _, field = o.path.rpartition(".")
        if entry.startswith("events") and field in ("step", "date"):
            other = "date" if field == "step" else "step"
            hint = f"; to move the event, set {entry}.{other}=null too"
    labels = ", ".join(o.label for o in changed)
    return error.reworded(f"{error.message} (after {labels}{hint})")


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
