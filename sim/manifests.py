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
...) is shown as it is.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"])
        if error["type"] == "missing":
            return f"field '{field}' is missing"
        wanted = _TYPES.get(error["type"], error["msg"].lower())
        if error["type"] == "literal_error":
            wanted = error["msg"].removeprefix("Input should be ")
        return f"field '{field}' should be {wanted}, got {error['input']!r:.60}"
    return None


__all__ = ["problem"]
