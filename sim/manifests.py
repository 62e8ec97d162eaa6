"""What a run's or a sweep's ``manifest.json`` must hold for the readers to use it.

``credsim run`` and ``credsim sweep`` write the manifest (docs/results_layout.md);
``check``, ``plot``, ``analyze``, ``compare`` and the report read it. A manifest
edited by hand (or by another tool) may still be a JSON object and yet lack a
field they read, or hold it with another type. :func:`problem` names the first
such field in one line, so that ``check`` reports the manifest as damaged and
the readers refuse it with that line instead of failing inside (decision 488).

Only the fields the readers index are required; of the others, those read
with a default (the experiment's question and plots, the command) are
checked when present, and the rest of the provenance (versions, git, host,
...) is shown as it is. The embedded scenario trees (a sweep's ``scenarios``,
a run's ``scenario``) are what the figures read the calendar, events, groups
and windows from: each must be a scenario the scenario schema accepts (but
for fields it does not know, which no reader reads), and the experiment's
question and plots what the experiment file's schema does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.errors import InputError
from sim.options import Record


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Counts(_Loose):
    """Read with defaults: each checked when present."""

    planned: int | None = None
    done: int | None = None
    failed: int | None = None


class _Design(_Loose):
    method: str
    parameters: dict[str, Any]


class _Shown(_Loose):
    """The experiment file as given: its question and plots are read when present."""

    question: dict[str, Any] | None = None
    plots: dict[str, Any] | None = None


class _Sweep(_Loose):
    kind: Literal["sweep"]
    scenarios: dict[str, dict[str, Any]]
    design: _Design
    varied: list[str]
    seed: int
    record: Record
    identity: str | None = None
    status: str | None = None
    replicates: int | None = None
    counts: _Counts = Field(default_factory=_Counts)  # present: a mapping, not null
    experiment: _Shown | None = None
    command: list[str] = Field(default_factory=list)


class _Run(_Loose):
    kind: Literal["run"]
    scenario_name: str
    scenario: dict[str, Any]
    seed: int
    record: Record
    identity: str | None = None
    status: str | None = None
    command: list[str] = Field(default_factory=list)


# A field the schema does not know: a tree written by an older credsim may hold one
# (``parameters.influence``), and no reader reads it.
UNKNOWN = "extra_forbidden"
_MODELS: dict[str, type[_Loose]] = {"sweep": _Sweep, "run": _Run}
_TYPES = {
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "list_type": "a list",
    "int_type": "a whole number",
    "string_type": "text",
    "literal_error": "one of the listed values",
}


def problem(manifest: dict[str, Any]) -> str | None:
    """The first field a run's or sweep's manifest lacks or holds wrongly, in one line.

    None for a manifest the readers can use, and for kinds this module does
    not describe (calibration folders have their own reader).
    """
    model = _MODELS.get(str(manifest.get("kind")))
    if model is None:
        return None
    try:
        model.model_validate(manifest)
    except ValidationError as exc:
        return _field_problem(exc)
    return _tree_problem(manifest) or _resolved_problem(manifest)


# The fields a sweep's manifest says twice: at its top level, which the readers use, and
# in the resolved experiment its identity hashes.
_SAID_TWICE = ("seed", "replicates", "record", "engine")


def _resolved_problem(manifest: dict[str, Any]) -> str | None:
    """Where a sweep's manifest contradicts its own resolved experiment: a seed edited
    from 20241208 to 20241209, or a design's method from sobol to morris, kept the
    manifest's shape, `check` said "ok", and `analyze` gave other intervals, or Morris
    indices of a Saltelli sample (an outside check, decision 1012)."""
    resolved = manifest.get("resolved")
    if manifest.get("kind") != "sweep" or not isinstance(resolved, dict):
        return None
    pairs = [(key, manifest.get(key), resolved.get(key)) for key in _SAID_TWICE]
    design, given = manifest.get("design"), resolved.get("design")
    if isinstance(design, dict) and isinstance(given, dict):
        pairs.append(("design.method", design.get("method"), given.get("method")))
    for key, top, inner in pairs:
        if inner is not None and top != inner:
            return (
                f"its '{key}' is {top!r} where its resolved experiment says {inner!r}: "
                "edited after it was written"
            )
    return None


# file_problem's answers in this process, by the manifest file's identity (path, inode,
# size, modification time): a command reads a folder's manifest several times (its
# reader, the integrity check), and checking the scenario trees of a 50,000-state
# scenario takes about a second each time.
_CHECKED: dict[tuple[str, int, int, int], str | None] = {}
_CHECKED_MAX = 64


def file_problem(path: Path, manifest: dict[str, Any]) -> str | None:
    """:func:`problem` of ``manifest``, the contents of the file ``path``, checked once per
    process for as long as the file is not replaced or rewritten."""
    key = _identity(path)
    if key is None:
        return problem(manifest)
    if key not in _CHECKED:
        _remember(key, problem(manifest))
    return _CHECKED[key]


def written(path: Path) -> None:
    """Take the manifest file ``path``, which this process has just written from the
    inputs it checked, as checked: :func:`file_problem` answers None for it for as long
    as the file is not replaced or rewritten.

    ``credsim run`` draws its figures from the folder it has just written, and checking
    again the scenario tree of a drawn 100,000-state run took 1.7 to 3.2 of the
    command's 17 s (decision 822). A sweep's manifest is not taken so: it holds the
    experiment as given, written through ``default=str``.
    """
    key = _identity(path)
    if key is not None:
        _remember(key, None)


def _identity(path: Path) -> tuple[str, int, int, int] | None:
    """The file's identity for :data:`_CHECKED` (None when it cannot be read)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _remember(key: tuple[str, int, int, int], answer: str | None) -> None:
    if len(_CHECKED) >= _CHECKED_MAX:
        _CHECKED.clear()
    _CHECKED[key] = answer


def _field_problem(exc: ValidationError) -> str:
    """The first error of the manifest's own fields, in one line."""
    error = exc.errors(include_url=False)[0]
    field = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        return f"field '{field}' is missing"
    wanted = _TYPES.get(error["type"], error["msg"].lower())
    if error["type"] == "literal_error":
        wanted = error["msg"].removeprefix("Input should be ")
    return f"field '{field}' should be {wanted}, got {error['input']!r:.60}"


def _tree_problem(manifest: dict[str, Any]) -> str | None:
    """The first problem of the embedded scenario trees and of the experiment's question
    and plots, in the scenario loader's words, with the field's path in the manifest.

    Edited by hand, a tree still read and the figures failed inside it (an audit:
    ``calendar: 5`` was "TypeError: ... argument after ** must be a mapping", an event
    without a date "KeyError: 'date'", a group that is a list an AttributeError, a
    question without ``difference`` "KeyError: 'difference'"). The trees are in the
    manifest: nothing else is read.
    """
    # Here: the CLI imports this module (through sim.results) and should start fast.
    from sim.scenario.loader import Document, Origin, translate
    from sim.scenario.schema import Scenario, check_references
    from sim.sweep.experiment import PlotsSpec, QuestionSpec

    trees = (
        {"scenario": manifest["scenario"]}
        if manifest["kind"] == "run"
        else {f"scenarios.{name}": tree for name, tree in manifest["scenarios"].items()}
    )
    shown = manifest.get("experiment") or {}
    given: list[tuple[str, dict[str, Any], type[BaseModel]]] = [
        *((where, tree, Scenario) for where, tree in trees.items()),
        *(
            (f"experiment.{key}", shown[key], spec)
            for key, spec in (("question", QuestionSpec), ("plots", PlotsSpec))
            if shown.get(key) is not None
        ),
    ]
    for where, tree, spec in given:
        try:
            value = spec.model_validate(tree)
            if isinstance(value, Scenario):
                check_references(value)
        except ValidationError as exc:
            if all(e["type"] == UNKNOWN for e in exc.errors(include_url=False)):
                continue  # only fields this version does not know (an older one's): not read
            error = translate(exc, Document(tree, Origin(None)), root=spec, skip=(UNKNOWN,))
            return _in_field(where, error.path, error.message)
        except InputError as exc:
            return _in_field(where, exc.path, exc.message)
    asked = shown.get("question")
    if asked and manifest["kind"] == "sweep":
        unknown = [n for n in asked["difference"] if n not in manifest["scenarios"]]
        if unknown:
            return _in_field(
                "experiment.question.difference",
                None,
                f"'{unknown[0]}' is none of the sweep's scenarios "
                f"({', '.join(manifest['scenarios'])})",
            )
    return None


def _in_field(where: str, path: str | None, message: str) -> str:
    return f"field '{where}{'.' + path if path else ''}': {message}"


__all__ = ["file_problem", "problem"]
