"""Experiments: the validated experiment file and the runs it plans.

An experiment names one or more scenarios, a design over override paths, a
number of replicates, a seed and what to record (experiments.md). This
module owns

- the file's schema (:class:`ExperimentSpec`, pydantic, ``extra="forbid"``),
- loading it with the same error rules as scenarios (:func:`load_experiment`:
  one :class:`~sim.errors.InputError` with file, line, field path and a
  did-you-mean; every scenario loaded and every varied path applied once),
- building one from the command line (:func:`experiment_from_scenario`,
  ``credsim sweep SCENARIO --vary PATH=SPEC``), and
- the plan (:func:`plan_runs`): every scenario crossed with every design point
  and replicate, each run with its stable ``run_id``, a hash of the resolved
  scenario, the replicate and the experiment seed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import math
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, field_validator

from sim.catalogue import SERIES, SUMMARY_METRICS, parse_metric
from sim.columns import NONE
from sim.errors import (
    InputError,
    beyond_float,
    count_text,
    decimal_comma,
    number_text,
    slash_hint,
)
from sim.inputs import NOUNS, kind_of_file
from sim.options import Engine, Record
from sim.scenario import (
    Scenario,
    ScenarioHasher,
    load_scenario,
    runnable_tree,
    scenario_hash,
)
from sim.scenario.calendar import parse_month
from sim.scenario.loader import (
    REMOVED_HINT,
    Document,
    Loc,
    Origin,
    beside,
    loc_of,
    override_places,
    placed_as,
    placed_twice,
    read_document,
    read_text,
    translate,
)
from sim.scenario.schema import NAME_PATTERN, Strict, allowed, suggest
from sim.seeds import MAX_SEED, check_seed
from sim.sweep import design as designs
from sim.sweep.fieldpaths import close_file, field_text

SHORT_HASH = 10
RUN_ID_CHARS = 16


# Designs that draw their values between the bounds the file gives.
SAMPLED = ("lhs", "sobol", "morris")


class SampledRange(Strict):
    """A parameter of a sampled design (lhs, sobol, morris): ``{low: .., high: ..}``."""

    low: float
    high: float


class DesignSpec(Strict):
    """``design:`` of an experiment file.

    ``parameters`` maps override paths to a list of values or a ``--vary``
    spec string (grid), or to ``{low, high}`` (lhs, sobol, morris).
    """

    method: Literal["grid", "lhs", "sobol", "morris", "posterior"] = "grid"
    # Its least value depends on the method (lhs 1, sobol and morris 2): _expand checks
    # it, so that one message gives the method's minimum (decision 624).
    samples: int | None = None
    calibration: str | None = None
    variant: str | None = None
    levels: Annotated[int, Field(ge=2)] = 4
    parameters: dict[str, Any] = Field(default_factory=dict)


class QuestionSpec(Strict):
    """``question:`` of an experiment file: what the report's headline answers.

    The headline is ``metric`` in the first of ``difference`` minus the same
    metric in the second, paired by design point and replicate (decisions.md,
    issue 17). ``metric`` is a flattened name (``final_trust.Russia.all``, or a
    series ``trust_mean.Russia.arab_league`` read at ``date``, default the last).
    """

    text: str = ""
    difference: Annotated[list[str], Field(min_length=2, max_length=2)]
    metric: str
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$")


class PlotsSpec(Strict):
    """``plots:`` of an experiment file: what the figures show (default: everything)."""

    powers: list[str] | None = None
    groups: list[str] | None = None
    metrics: list[str] | None = None  # summary families, as `credsim plot --metrics`
    across: str | None = None


class ExperimentSpec(Strict):
    """An experiment file (experiments.md, "Experiment file")."""

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    scenarios: dict[str, str] = Field(min_length=1)
    design: DesignSpec = Field(default_factory=DesignSpec)
    replicates: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    seed: Annotated[int, Field(ge=0)] = 0
    record: Record = "summary"
    engine: Engine = "fast"
    overrides: dict[str, Any] = Field(default_factory=dict)
    question: QuestionSpec | None = None
    plots: PlotsSpec = Field(default_factory=PlotsSpec)

    @field_validator("scenarios", mode="before")
    @classmethod
    def _named_scenarios(cls, scenarios: Any) -> Any:
        if isinstance(scenarios, list) and scenarios:
            # A list of files said what was wrong and not what to write (an audit,
            # decision 917).
            raise ValueError(
                "expected a mapping of names to scenario files, got a list; give each "
                f"scenario a name, which becomes its label: {_named_entry(scenarios[0])}"
            )
        return scenarios

    @field_validator("seed")
    @classmethod
    def _storable_seed(cls, seed: int) -> int:
        if seed > MAX_SEED:
            raise ValueError(
                f"must be at most {MAX_SEED} (a 64-bit integer), got {number_text(seed)}"
            )
        return seed


@dataclass(frozen=True, slots=True)
class RunTask:
    """One run: what a worker needs to do it, small enough to ship cheaply.

    ``base`` is the hash of the scenario before design overrides (the key
    under which workers hold the validated scenario); ``values`` is the
    design point as ``(path, value)`` pairs.
    """

    run_id: str
    scenario: str
    base: str
    point: int
    replicate: int
    seed: int
    values: tuple[tuple[str, Any], ...]
    record: str


@dataclass(frozen=True)
class Experiment:
    """A loaded, validated experiment with its base scenarios and design points.

    Attributes:
        spec: the validated file (after command-line changes).
        given: the file as given (or as built from the command line).
        source: the experiment file, or ``None`` when built from ``--vary``.
        scenarios: the base scenario of each name, experiment overrides applied.
        scenario_files: the file each scenario came from.
        points: the design points, ``{path: value}`` each.
        tasks: the runs (:func:`plan_runs`), planned while loading so that a plan
            the sweep would refuse is refused by ``credsim validate`` too.
        drawn_from: a posterior design's calibration (folder, identity, variant and
            posterior_sha256, :func:`~sim.calibrate.design.posterior_points`); None
            for the other designs.
    """

    spec: ExperimentSpec
    given: dict[str, Any]
    source: str | None
    scenarios: dict[str, Scenario]
    scenario_files: dict[str, str]
    points: list[dict[str, Any]]
    tasks: tuple[RunTask, ...] = ()
    drawn_from: dict[str, Any] | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def varied(self) -> list[str]:
        """The override paths the design varies, in file order."""
        if self.spec.design.method == "posterior":
            return list(self.points[0])
        return list(self.spec.design.parameters)

    @cached_property
    def base_hashes(self) -> dict[str, str]:
        """The hash of each base scenario by name (the workers' cache key)."""
        return {key: scenario_hash(sc) for key, sc in self.scenarios.items()}

    @property
    def scenarios_by_hash(self) -> dict[str, Scenario]:
        """The base scenarios keyed by hash, as the workers hold them."""
        return {self.base_hashes[key]: sc for key, sc in self.scenarios.items()}

    def resolved(self) -> dict[str, Any]:
        """The experiment as run: every default filled in, scenario files and their hashes."""
        data = self.spec.model_dump(mode="json")
        data["scenarios"] = {
            key: {"file": self.scenario_files[key], "hash": h}
            for key, h in self.base_hashes.items()
        }
        return data

    def identity(self) -> str:
        """A hex digest of what determines the runs and their results.

        The scenarios enter by content (their resolved hash), not by file
        name; the description does not enter, so editing it keeps the folder.
        """
        # Neither the engine nor what the report shows (question, plots) changes the runs
        # (docs/decisions.md, issues 13 and 17).
        data = self.spec.model_dump(
            mode="json", exclude={"description", "overrides", "engine", "question", "plots"}
        )
        data["scenarios"] = self.base_hashes
        if self.spec.design.method == "posterior":
            data["points"] = self.points  # the draws, whatever the calibration folder now holds
        payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode()).hexdigest()

    def short_hash(self) -> str:
        """The folder name under ``results/<experiment>/``."""
        return self.identity()[:SHORT_HASH]

    def design_manifest(self) -> dict[str, Any]:
        """The manifest's ``design`` entry; a posterior design's names its calibration
        by content too (``calibration``: :attr:`drawn_from`), which its folder's path
        alone did not once the folder was replaced (decision 1007)."""
        d = self.spec.design
        entry = {
            "method": d.method,
            "parameters": d.parameters,
            "samples": d.samples,
            "levels": d.levels if d.method == "morris" else None,
            "points": len(self.points),
        }
        if self.drawn_from is not None:
            entry["calibration"] = self.drawn_from
        return entry


# --------------------------------------------------------------------------- where errors are


@dataclass(frozen=True)
class _Where:
    """Where an experiment came from, to locate errors: a file with its origins, or the CLI."""

    doc: Document
    # Where a varied path sits: under design.parameters in a file, bare on the command line.
    parameters: tuple[str, ...] = ("design", "parameters")

    @property
    def file(self) -> str | None:
        return self.doc.origin.file

    def error(self, message: str, *path: str | int) -> InputError:
        """An error at ``path`` (keys, and an ``int`` for a list item), at its line.

        A list item is named ``[i]`` and a varied parameter's key, itself a dotted
        path, ``design.parameters['parameters.trust.memory']`` (decision 917).
        """
        path = tuple(part for part in path if part != "")
        origin = self.doc.origin.locate(path)
        n = len(self.parameters)
        key_at = n if n and len(path) > n and path[:n] == self.parameters else None
        shown = field_text(path, key_at) or None
        return InputError(message, path=shown, file=self.file, line=origin.line)

    def invalid(self, exc: ValidationError) -> InputError:
        """A validation error of the experiment, located like a scenario's."""
        return translate(exc, self.doc, root=ExperimentSpec)


def _named_entry(item: Any) -> str:
    """A ``scenarios:`` entry for ``item``, a file listed without a name: named after the
    file (``syria: ../scenarios/syria.yaml``), or ``historical`` when its name is not one."""
    file = str(item) if isinstance(item, str) and item.strip() else "../scenarios/syria.yaml"
    stem = re.sub(r"[^a-z0-9_-]+", "_", Path(file).stem.lower()).strip("_")
    name = stem if stem and re.fullmatch(NAME_PATTERN, stem) else "historical"
    return f"{name}: {file}"


# The option that gave each field of an experiment built on the command line.
_CLI_OPTIONS = {
    "replicates": "--reps",
    "seed": "--seed",
    "record": "--record",
    "engine": "--engine",
    "overrides": "--set",
}


def _cli_where(given: dict[str, Any]) -> _Where:
    """Errors of a command-line experiment name the option that gave the value
    (``--reps``, ``--seed``, ``--set``), else ``--vary`` (decision 539)."""
    origin = Origin("--vary")
    origin.entries = {field: Origin(option) for field, option in _CLI_OPTIONS.items()}
    return _Where(Document(given, origin), ())


# --------------------------------------------------------------------------- loading


def load_experiment(
    path: str | Path,
    *,
    replicates: int | None = None,
    seed: int | None = None,
    record: str | None = None,
    overrides: dict[str, Any] | None = None,
    max_runs: int | None = None,
    engine: str | None = None,
) -> Experiment:
    """Load and validate an experiment file; the keyword arguments replace the file's values.

    Every scenario file is loaded (relative to the experiment file) with the
    experiment's overrides, and every varied path is applied once. A design of
    more runs than ``max_runs`` (default :func:`sim.sweep.design.run_limit`) is
    refused before it is built.

    Raises:
        InputError: with file, line and field path, on any problem.
    """
    check_seed(seed)
    file = Path(path)
    doc = read_document(read_text(file, str(file)), str(file))
    given = doc.tree
    if not isinstance(given, dict):
        raise InputError(
            "an experiment file must be a mapping with name, scenarios and design", file=str(file)
        )
    data = dict(given)
    given_values = (
        ("replicates", replicates),
        ("seed", seed),
        ("record", record),
        ("engine", engine),
    )
    for key, value in given_values:
        if value is not None:
            data[key] = value
            # An error in it names the option: it blamed the file's line, which holds
            # another value (`--reps 2000000` was said of `replicates: 5`).
            doc.origin.entries[key] = Origin(_CLI_OPTIONS[key])
    if overrides and isinstance(data.get("overrides", {}), dict):
        data["overrides"] = {**data.get("overrides", {}), **overrides}
    files = {}
    if isinstance(data.get("scenarios"), dict):
        files = {k: str(file.parent / str(v)) for k, v in data["scenarios"].items()}
    return _build(data, given, str(file), files, _Where(Document(data, doc.origin)), max_runs)


def experiment_from_scenario(
    path: str | Path,
    vary: list[str],
    *,
    replicates: int | None = None,
    seed: int | None = None,
    record: str | None = None,
    overrides: dict[str, Any] | None = None,
    max_runs: int | None = None,
    engine: str | None = None,
) -> Experiment:
    """An experiment from the command line: one scenario, a grid over ``--vary PATH=SPEC``.

    The experiment is named after the scenario.

    Raises:
        InputError: a bad scenario, a ``--vary`` without ``=``, a path varied twice,
            or a bad spec.
    """
    check_seed(seed)
    base = load_scenario(str(path), overrides or None)
    parameters: dict[str, Any] = {}
    for item in vary:
        name, sep, spec = item.partition("=")
        if not sep or not name.strip():
            raise InputError(
                f"--vary '{item}' must be PATH=SPEC, e.g. parameters.trust.memory=0.9,1"
            )
        if name.strip() in parameters:
            raise InputError(
                f"'{name.strip()}' is varied twice; give all its values in one --vary, "
                f"e.g. {name.strip()}=1,2,3,4",
                path="--vary",
            )
        try:
            parameters[name.strip()] = designs.parse_spec(spec)
        except InputError as exc:
            raise InputError(exc.message, path=f"--vary {name.strip()}") from None
    both = [p for p in parameters if p in (overrides or {})]
    if both:
        # It said "remove it from overrides", a word of experiment files the command
        # line never used (an audit; decision 622).
        raise InputError(
            f"'{both[0]}' is both varied (--vary) and fixed (--set): the fixed value would "
            "be ignored; drop one of them"
        )
    given: dict[str, Any] = {
        "name": base.name,
        "scenarios": {base.name: str(path)},
        "design": {"method": "grid", "parameters": parameters},
        "replicates": 1 if replicates is None else replicates,
        "seed": 0 if seed is None else seed,
        "record": record or "summary",
        "engine": engine or "fast",
        "overrides": overrides or {},
    }
    try:
        return _build(given, given, None, {base.name: str(path)}, _cli_where(given), max_runs)
    except InputError as exc:
        raise _decimal_comma(exc, vary, base) from None


def _decimal_comma(exc: InputError, vary: list[str], base: Scenario) -> InputError:
    """``exc``, with ``a decimal comma? write 0.95`` when it refuses a value of a ``--vary
    PATH=0,95`` (the grid 0 and 95) and the scenario takes 0.95, as ``--set`` says of
    ``0,95`` (it said only "must be > 0, got 0"; an audit, decision 917)."""
    for item in vary:
        name, _, spec = item.partition("=")
        comma = decimal_comma(spec)
        if (
            comma is not None
            and exc.file == "--vary"
            and exc.path == name.strip()
            and _loads(base, name.strip(), float(".".join(comma)))
        ):
            whole, part = comma
            return exc.reworded(
                f"{exc.message}; '{spec.strip()}' is the two values {whole} and "
                f"{part}: a decimal comma? write {whole}.{part}"
            )
    return exc


def _named(written: str, file: str) -> str:
    """An experiment's scenario entry as written; the path looked for (relative to the
    experiment file) follows when it differs, without a '..' that can go."""
    shown = beside("", file)
    return f"'{written}'" + ("" if shown == written else f" (looked for {shown})")


def _build(
    data: dict[str, Any],
    given: dict[str, Any],
    source: str | None,
    files: dict[str, str],
    where: _Where,
    max_runs: int | None,
) -> Experiment:
    try:
        spec = ExperimentSpec.model_validate(data)
    except ValidationError as exc:
        raise where.invalid(exc) from None
    for key in spec.scenarios:
        if re.fullmatch(NAME_PATTERN, key) is None:
            raise where.error(
                f"scenario name '{key}' must be lower case letters, digits, '_' or '-'",
                "scenarios",
                key,
            )
    scenarios = {}
    for key, written in spec.scenarios.items():
        if Path(files[key]).is_dir():
            raise where.error(
                f"scenario file {_named(written, files[key])} is a folder; give a scenario file",
                "scenarios",
                key,
            )
        if not Path(files[key]).is_file():
            raise where.error(
                # With a file of a close name beside it (an audit, decision 917).
                f"scenario file {_named(written, files[key])} does not exist"
                + close_file(files[key])
                + slash_hint(written),
                "scenarios",
                key,
            )
        try:
            scenarios[key] = load_scenario(files[key], spec.overrides or None)
        except InputError as exc:
            kind = kind_of_file(files[key])
            if kind not in (None, "scenario"):  # said at the entry that names the file
                raise where.error(
                    f"scenario file {_named(written, files[key])} is {NOUNS[str(kind)]}, "
                    "not a scenario",
                    "scenarios",
                    key,
                ) from None
            raise _override_error(
                _event_override(exc, key, files, given, where), given, where
            ) from None
    points, drawn_from = _points(spec, where, designs.run_limit(max_runs), scenarios)
    experiment = Experiment(spec, given, source, scenarios, files, points, drawn_from=drawn_from)
    _check_fixed_and_varied(experiment, given, where)
    _check_paths(experiment, where)
    _check_one_place(experiment, given, where)
    _check_question(experiment, where)
    _check_plots(experiment, where)
    return dataclasses.replace(experiment, tasks=tuple(_plan(experiment, where)))


def _event_override(
    exc: InputError, key: str, files: Mapping[str, str], given: dict[str, Any], where: _Where
) -> InputError:
    """``exc``, with :func:`_event_elsewhere`'s repair when an override (``--set`` or
    ``overrides:``) names an event scenario ``key`` does not have and another scenario
    of the experiment does. The other scenarios are loaded without the overrides, on
    this error path only."""
    label = exc.file or ""
    if not (label.startswith("override events.") and (exc.path or "").startswith("events.")):
        return exc
    path = label.removeprefix("override ").partition("=")[0]
    others: dict[str, Scenario] = {}
    for other, file in files.items():
        if other != key:
            with contextlib.suppress(InputError, OSError):
                others[other] = load_scenario(file)
    written = given.get("overrides")
    in_file = isinstance(written, dict) and path in written and where.file != "--vary"
    repair = _event_elsewhere(
        path, key, others, "the experiment's overrides block" if in_file else "--set"
    )
    if not repair:
        return exc
    return exc.reworded(f"{_unsuggested(exc.message)} (scenario '{key}'){repair}")


def _override_error(exc: InputError, given: dict[str, Any], where: _Where) -> InputError:
    """An override's error, located at ``overrides.<path>`` when the file gave it.

    An override from ``--set`` keeps the loader's ``override PATH=VALUE`` label.
    """
    if exc.file is None:
        return where.error(exc.message, "overrides", exc.path or "")
    written = given.get("overrides")
    for path, value in written.items() if isinstance(written, dict) else ():
        if exc.file.startswith(f"override {path}="):
            inner = _inside_override(str(path), value, exc.path)
            if inner is None:
                return where.error(exc.message, "overrides", str(path))
            # A mistake inside the override's value (``outputs.groups: {syria: {members:
            # [Syira]}}``) at its own line and path, not the override's (an audit).
            origin = where.doc.origin.locate(("overrides", path, *inner))
            return InputError(
                exc.message, path=f"overrides.{exc.path}", file=where.file, line=origin.line
            )
    return exc


def _inside_override(path: str, value: Any, error_path: str | None) -> Loc | None:
    """Where in an override's value (a mapping or list) its error lies, or None when the
    error is not inside the value."""
    if not error_path or not isinstance(value, dict | list):
        return None
    if not error_path.startswith((f"{path}.", f"{path}[")):
        return None
    segments = path.split(".")
    tree: Any = value
    for segment in reversed(segments):
        tree = {segment: tree}
    loc = loc_of(error_path, tree)
    if tuple(loc[: len(segments)]) != tuple(segments):
        return None
    return loc[len(segments) :] or None


def _check_fixed_and_varied(experiment: Experiment, given: dict[str, Any], where: _Where) -> None:
    """No path is both fixed (``overrides:`` or ``--set``) and varied: the design would win."""
    written = given.get("overrides")
    in_file = set(written) if isinstance(written, dict) else set()
    for fixed in experiment.spec.overrides:
        for varied in experiment.varied:
            if fixed == varied or varied.startswith(f"{fixed}.") or fixed.startswith(f"{varied}."):
                what = f"'{varied}'" if fixed == varied else f"'{varied}' (inside '{fixed}')"
                source = "overrides" if fixed in in_file else "--set"
                message = (
                    f"{what} is varied by the design, so the fixed value would be ignored; "
                    f"remove it from {source} or from the design"
                )
                if fixed in in_file:
                    raise where.error(message, "overrides", fixed)
                raise InputError(message, path="--set")


def _check_plots(experiment: Experiment, where: _Where) -> None:
    """The ``plots:`` block names powers, groups and a varied path the experiment has."""
    plots = experiment.spec.plots
    scenario = next(iter(experiment.scenarios.values()))
    known = {
        "powers": list(scenario.powers),
        "groups": ["all", *scenario.outputs.groups],
    }
    for field, names in known.items():
        for i, name in enumerate(getattr(plots, field) or []):
            if name not in names:
                raise where.error(
                    f"'{name}' is not one of the scenarios' {field}; allowed: "
                    f"{', '.join(names)}{suggest(name, names)}",
                    "plots",
                    field,
                    i,
                )
    windows = list(scenario.windows)
    windowed = [m.name for m in SUMMARY_METRICS.values() if m.shape == "window_power_group"]
    # final_effective_poles is drawn with effective_poles (catalogue.family_of).
    plain = [m for m in SUMMARY_METRICS if m != "final_effective_poles"]
    families = [*plain, *(f"{m}.{w}" for m in windowed for w in windows)]
    for i, name in enumerate(plots.metrics or []):
        if name not in families:
            raise where.error(
                f"'{name}' is not a summary family; families: "
                f"{allowed(families, 12)}{suggest(name, families)}",
                "plots",
                "metrics",
                i,
            )
    varied = experiment.varied
    if plots.across is not None and plots.across not in varied:
        raise where.error(
            f"'{plots.across}' is not varied by this experiment; varied: "
            f"{', '.join(varied) or 'nothing'}{suggest(plots.across, varied)}",
            "plots",
            "across",
        )


def _check_question(experiment: Experiment, where: _Where) -> None:
    """The question's scenarios, metric and date name things the experiment has."""
    question = experiment.spec.question
    if question is None:
        return
    names = list(experiment.scenarios)
    for i, name in enumerate(question.difference):
        if name not in names:
            raise where.error(
                f"'{name}' is not a scenario of this experiment; allowed: {', '.join(names)}"
                f"{suggest(name, names)}",
                "question",
                "difference",
                i,
            )
    if question.difference[0] == question.difference[1]:
        raise where.error("the two scenarios to difference must differ", "question", "difference")
    parsed = parse_metric(question.metric)
    family = question.metric.split(".")[0]
    entry = SUMMARY_METRICS.get(family)
    if parsed is None and entry is not None and entry.shape == "window_power_group":
        # "is not a metric; write ... final_trust.<power>.<group>" of trust_change, a
        # listed family, never showed the window's place (an outside check, decision 932).
        raise where.error(
            f"'{question.metric}' is not a metric: {family} is over a window, written "
            f"{family}.<window>.<power>.<group> ({_windows_text(experiment, question)})",
            "question",
            "metric",
        )
    if parsed is None:
        raise where.error(
            f"'{question.metric}' is not a metric; write a summary metric such as "
            "final_trust.<power>.<group> or a series metric such as trust_mean.<power>.<group>",
            "question",
            "metric",
        )
    if parsed.metric.kind == SERIES and experiment.spec.record == "summary":
        raise where.error(
            f"'{question.metric}' is a series metric but the experiment records 'summary'; "
            "record 'series', or ask about a summary metric such as final_trust.<power>.<group>",
            "question",
            "metric",
        )
    if question.date is not None and parsed.metric.kind != SERIES:
        raise where.error(
            "'date' applies to series metrics only; a summary metric has one value per run",
            "question",
            "date",
        )
    scenario = experiment.scenarios[question.difference[0]]
    calendar = scenario.calendar
    month = None
    if question.date is not None:
        try:
            month = parse_month(question.date)
        except ValueError as exc:
            # A month 13 ended in a traceback (an outside check, decision 932).
            raise where.error(str(exc), "question", "date") from None
    if month is not None and not calendar.contains(month):
        raise where.error(
            f"'{question.date}' is outside the scenarios' calendar ({calendar.start} to "
            f"{calendar.end}); give a month in it, or no date for the last step",
            "question",
            "date",
        )

    def refuse(name: str, what: str, names: list[str], none: str = "") -> InputError:
        """The metric names ``what`` the scenarios lack: one line with what they have."""
        return where.error(
            f"'{name}' is not {what} of the scenarios; allowed: "
            f"{', '.join(names) or none}{suggest(name, names)}",
            "question",
            "metric",
        )

    windows = list(scenario.windows)
    # A misspelled window was let through and the figure showed final trust under a
    # "change over" title (decision 614). The window comes first in the name, and is
    # checked first: trust_change.Patron.east.withdrawl was told "'east' is not a power"
    # (an outside check, decision 932).
    if parsed.window is not None and parsed.window not in windows:
        refused = refuse(parsed.window, "a window", windows, "none: the scenario has no windows")
        raise refused.reworded(
            f"{refused.message} (written {parsed.metric.name}.<window>.<power>.<group>)"
        )
    powers = list(scenario.powers)
    if parsed.power and parsed.power not in [*powers, NONE]:
        raise refuse(parsed.power, "a power", powers)
    groups = ["all", *scenario.outputs.groups]
    if parsed.group not in groups:
        raise refuse(parsed.group, "an output group", groups)


def _windows_text(experiment: Experiment, question: Any) -> str:
    """``the scenarios' windows: a, b`` of the question's first scenario, or that it has none."""
    windows = list(experiment.scenarios[question.difference[0]].windows)
    return (
        f"the scenarios' windows: {', '.join(windows)}"
        if windows
        else "the scenarios have no windows"
    )


def _refuse_levels(d: DesignSpec, where: _Where) -> None:
    """``levels`` belongs to a morris design; elsewhere it was taken and ignored (an
    audit; decision 624)."""
    if d.method != "morris" and "levels" in d.model_fields_set:
        raise where.error(
            f"'levels' is the number of grid levels of a morris design; a {d.method} design "
            "takes none: drop it",
            "design",
            "levels",
        )


def _points(
    spec: ExperimentSpec, where: _Where, limit: int, scenarios: dict[str, Scenario]
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The design points (:func:`_expand`), and the calibration a posterior design draws
    them from (:func:`~sim.calibrate.design.posterior_points`; None for the others)."""
    if spec.design.method != "posterior":
        return _expand(spec, where, limit, scenarios), None
    _refuse_levels(spec.design, where)
    from sim.calibrate.design import posterior_points

    base = Path(where.file).parent if where.file else Path()
    return posterior_points(spec.design, base, spec.seed, where.error)


def _expand(
    spec: ExperimentSpec, where: _Where, limit: int, scenarios: dict[str, Scenario]
) -> list[dict[str, Any]]:
    """The points of a design other than posterior, refused before they are built if
    they make too many runs.

    Args:
        spec: the validated experiment.
        where: where to locate errors.
        limit: the most runs the experiment may plan (:func:`sim.sweep.design.run_limit`).
        scenarios: the base scenarios (a grid's quoted numbers are read as they run).
    """
    d = spec.design
    loc = where.parameters
    _refuse_levels(d, where)

    def check(counts: list[int]) -> None:
        n_points = designs.design_size(d.method, counts, d.samples, d.levels)
        n_scenarios = len(spec.scenarios)
        what = (
            f"the design ({number_text(n_points, grouped=True)} points x "
            f"{number_text(spec.replicates, grouped=True)} "
            f"{'replicate' if spec.replicates == 1 else 'replicates'} x "
            f"{n_scenarios} {'scenario' if n_scenarios == 1 else 'scenarios'})"
        )
        try:
            designs.check_runs(n_points * spec.replicates * n_scenarios, limit, what)
        except InputError as exc:
            raise where.error(exc.message, "design") from None

    if d.method == "grid":
        if d.samples is not None:
            raise where.error(
                "a grid takes no 'samples'; its size is the product of the value lists",
                "design",
                "samples",
            )
        values: dict[str, list[Any]] = {}
        for path, v in d.parameters.items():
            if isinstance(v, str):
                try:
                    v = designs.parse_spec(v)
                except InputError as exc:
                    raise where.error(exc.message, *loc, path) from None
            if not isinstance(v, list):
                alone = not isinstance(v, dict) and v is not None
                raise where.error(
                    # One value written bare was answered with {low, high} (an audit,
                    # decision 645).
                    "a grid parameter takes a list of values; for one value write "
                    f"[{json.dumps(v, default=str)}]"
                    if alone
                    else "a grid parameter takes a list of values or a spec such as "
                    "'linspace(0.9,1,5)'; {low, high} is for lhs, sobol and morris",
                    *loc,
                    path,
                )
            for index, item in enumerate(v):
                if isinstance(item, list | dict):
                    raise where.error(
                        f"a varied parameter takes numbers, text or booleans, got {item!r}; "
                        "to compare lists or mappings, make each a scenario of its own under "
                        "'scenarios:' (a file that extends the base and sets the value)",
                        *loc,
                        path,
                        *_item(d.parameters[path], index),
                    )
            values[path] = _uniform_numbers([_as_run(item, path, scenarios) for item in v])
            if _numbers(values[path]) and _takes_fractions(path, scenarios):
                # 1 and 1.0 run alike on a field of real numbers: the same folder and a
                # float column, however the list is written (decision 641).
                values[path] = [_as_float(x) for x in values[path]]
                if isinstance(d.parameters[path], list):
                    d.parameters[path] = values[path]
        check([len(v) for v in values.values()])
        try:
            return designs.grid(values)
        except InputError as exc:
            raise where.error(exc.message, *loc, exc.path or "") from None
    bounds: dict[str, tuple[float, float]] = {}
    for path, v in d.parameters.items():
        try:
            sampled = SampledRange.model_validate(v)
        except ValidationError as exc:
            raise where.error(_range_problem(d.method, v, exc), *loc, path) from None
        bounds[path] = (sampled.low, sampled.high)
        d.parameters[path] = {"low": sampled.low, "high": sampled.high}  # as read (decision 641)
        if _takes_fractions(path, scenarios) is False:
            raise where.error(
                f"this field takes whole numbers, and a {d.method} design draws values "
                "between its bounds; vary it on a grid (a list of whole numbers) instead",
                *loc,
                path,
            )
    if d.samples is None:
        raise where.error(f"a {d.method} design needs 'samples'", "design", "method")
    least = 1 if d.method == "lhs" else 2
    if d.samples < least:
        raise where.error(
            f"a {d.method} design needs at least {count_text(least, 'sample')}, got {d.samples}",
            "design",
            "samples",
        )
    check([1] * len(bounds))
    note = designs.sobol_balance_note(d.samples) if d.method == "sobol" else ""
    if note:
        print(f"credsim: note: {where.error(note, 'design', 'samples')}", file=sys.stderr)
    try:
        prob = designs.problem(bounds)
        matrix = designs.sample_matrix(d.method, prob, d.samples, spec.seed, d.levels)
    except InputError as exc:
        where_at = (
            [*loc, exc.path] if exc.path in d.parameters else (exc.path or "design").split(".")
        )
        raise where.error(exc.message, *where_at) from None
    return designs.points_from_matrix(prob, matrix)


def _range_problem(method: str, given: Any, exc: ValidationError) -> str:
    """What is wrong with a sampled parameter's ``{low: .., high: ..}``, in one line: the
    bound that is not a finite number, the one missing, or the key that does not belong
    (``{low: .nan, high: 2}`` was said to be of the wrong form, as a list is)."""
    takes = f"a {method} parameter takes {{low: .., high: ..}}"
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    kind, value = first["type"], first["input"]
    if isinstance(value, int) and not isinstance(value, bool) and beyond_float(value):
        return f"{takes}; {field} got {number_text(value)}, too large for a number"
    shown = number_text(value) if isinstance(value, float) else repr(value)
    if kind == "finite_number":
        return f"{takes}; {field} must be a finite number, got {shown}"
    if kind in ("float_type", "float_parsing"):
        return f"{takes}; {field} must be a number, got {shown}"
    if kind == "missing":
        return f"{takes}; '{field}' is missing in {given!r}"
    if kind == "extra_forbidden":
        return f"{takes}; '{field}' is not one of its keys"
    return f"{takes}, got {given!r}"


def _as_run(value: Any, path: str, scenarios: dict[str, Scenario]) -> Any:
    """A grid value as the runs take it: text that a number field reads as a number
    (``"0.95"``, ``"09"``, decision 366) becomes that number, so that the design column
    holds what was run; any other value is returned as given."""
    if not isinstance(value, str):
        return value
    try:
        number: int | float = int(value)
    except ValueError:
        try:
            number = float(value)
        except ValueError:
            return value
    if not math.isfinite(number):
        return value
    try:
        same = all(
            scenario_hash(load_scenario(base, {path: value}))
            == scenario_hash(load_scenario(base, {path: number}))
            for base in scenarios.values()
        )
    except InputError:
        return value  # reported, located, by _check_paths
    return number if same else value


def _numbers(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _takes_fractions(path: str, scenarios: dict[str, Scenario]) -> bool | None:
    """Whether the field at ``path`` takes real numbers (True), whole numbers only
    (False), or neither or cannot be told (None): 0.5 tried on the first scenario, a
    value out of the field's range being a real-number field still."""
    base = next(iter(scenarios.values()))
    try:
        load_scenario(base, {path: 0.5})
    except InputError as exc:
        if "whole number" in exc.message:
            return False
        return True if exc.message.startswith("must be") else None
    return True


def _uniform_numbers(values: list[Any]) -> list[Any]:
    # A column of 1 and 2.5 must be float throughout, whatever chunk a run lands in.
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if numeric and any(isinstance(v, float) for v in values):
        return [_as_float(v) for v in values]
    return values


def _as_float(value: int | float) -> int | float:
    """``float(value)``, or a whole number past a float's range as it is, for the
    scenario's own check to refuse (an OverflowError traceback before, decision 542)."""
    return value if beyond_float(value) else float(value)


def _check_paths(experiment: Experiment, where: _Where) -> None:
    """Apply every varied path alone to every scenario: each grid value, or both bounds."""
    design = experiment.spec.design
    for path in experiment.varied:
        if path.split(".", 1)[0] == "generate":
            # Each point is the loaded scenario with new values, its population drawn once;
            # the loader's refusal spoke of "a loaded Scenario" (an outside check, 815).
            raise where.error(
                "a design varies a scenario whose population is drawn, so not its generate "
                "block; write a file for each population (credsim synth --states N --events "
                "M ...) and sweep them as an experiment's scenarios, or set one value with "
                "--set (or the experiment's overrides)",
                *where.parameters,
                path,
            )
        seen = [p[path] for p in experiment.points]
        declared = design.parameters.get(path) if design.method in SAMPLED else None
        if isinstance(declared, dict):
            # The bounds as written, so that a bound the field cannot take is named as
            # such rather than through whichever sample came closest to it.
            bounds = SampledRange.model_validate(declared)
            probes = [bounds.low, bounds.high]
            label = {bounds.low: "its low bound", bounds.high: "its high bound"}
        else:
            probes = _distinct(seen) if design.method == "grid" else [min(seen), max(seen)]
            label = {}
        written = design.parameters.get(path) if design.method == "grid" else None
        for key, base in experiment.scenarios.items():
            missing = _event_elsewhere(path, key, experiment.scenarios)
            for n, value in enumerate(probes):
                if _loads(base, path, value):
                    continue
                # A grid value refused where another of the list loads is said at its own
                # item and line (`- 1.3` of a block list was said at the key's line; an
                # audit, decision 917); a path refused whatever its value, at the key.
                others = (v for m, v in enumerate(probes) if m != n)
                at = (
                    _item(written, _index_of(written, value, path, experiment.scenarios))
                    if written is not None and any(_loads(base, path, v) for v in others)
                    else ()
                )
                _apply(base, {path: value}, where, key, label.get(value), missing, at)
        if _words_only(path):
            # Each point ran the same model under another label (an open item since
            # decision 488's round: "a design may vary the scenario's name"; decision 905).
            # After the path's own checks, so that a misspelt one is told as such.
            raise where.error(
                f"a design varies '{path}', which only names or documents the scenario and "
                "changes no run, so every point would run the same model; vary a value the "
                "model reads (parameters..., an event's magnitude, a power's capability), "
                "or rename a scenario with --set",
                *where.parameters,
                path,
            )


def _loads(base: Scenario, path: str, value: Any) -> bool:
    """Whether ``base`` takes ``value`` at ``path``."""
    try:
        load_scenario(base, {path: value})
    except InputError:
        return False
    return True


def _item(written: Any, index: int | None) -> tuple[int, ...]:
    """The path's end naming item ``index`` of a grid written as a list: ``(index,)``,
    or nothing (a spec such as ``linspace(...)``, or no item)."""
    return (index,) if isinstance(written, list) and index is not None else ()


def _index_of(written: Any, value: Any, path: str, scenarios: dict[str, Scenario]) -> int | None:
    """The index of the first item of the grid ``written`` that runs as ``value``."""
    if not isinstance(written, list):
        return None
    for index, item in enumerate(written):
        run = _as_run(item, path, scenarios)
        if run == value and isinstance(run, bool) == isinstance(value, bool):
            return index
    return None


def _words_only(path: str) -> bool:
    """Whether ``path`` sets text that labels or documents a scenario and that no run
    reads: its ``name`` and ``description``, an event's ``id``, ``label``, ``source`` and
    ``key`` (which events the figures name), the UN names of ``observed`` (read by the
    vote link, never by a run)."""
    parts = path.split(".")
    if parts[0] in ("name", "description", "observed"):
        return True
    return parts[0] == "events" and len(parts) > 2 and parts[-1] in WORDS_OF_AN_EVENT


WORDS_OF_AN_EVENT = ("id", "label", "source", "key")


def _check_one_place(experiment: Experiment, given: dict[str, Any], where: _Where) -> None:
    """No two varied paths, nor a fixed and a varied one, name one value of a scenario
    (``relations.A.B`` and ``relations.B.A`` of a list entry; ``powers.U.S..x`` and
    ``powers.U.S.x``): a sweep varying both ran one of their points for two and recorded
    values it never ran, and a fixed one was dropped without a word (an outside check,
    decision 895)."""
    fixed = list(experiment.spec.overrides)
    written = given.get("overrides")
    in_file = set(written) if isinstance(written, dict) else set()
    for key, base in experiment.scenarios.items():
        places = override_places(base, [*experiment.varied, *fixed])
        twice = placed_twice(places, experiment.varied)
        if twice is not None:
            path, other = twice
            raise where.error(
                f"'{path}' and '{other}' name one value of scenario '{key}' ({places[path]}); "
                "vary it once",
                *where.parameters,
                path,
            )
        for path in fixed:
            varied = placed_as(places, path, experiment.varied)
            if varied is None:
                continue
            if not where.parameters:  # an experiment of the command line's --vary and --set
                raise InputError(
                    f"'{path}' (--set) and '{varied}' (--vary) name one value of scenario "
                    f"'{key}' ({places[path]}): the fixed value would be ignored; drop one of "
                    "them"
                )
            message = (
                f"'{path}' (fixed) and '{varied}' (varied by the design) name one value of "
                f"scenario '{key}' ({places[path]}), so the fixed value would be ignored; "
                f"remove it from {'overrides' if path in in_file else '--set'} or from the design"
            )
            if path in in_file:
                raise where.error(message, "overrides", path)
            raise InputError(message, path="--set")


def _distinct(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out


def _event_elsewhere(
    path: str, key: str, scenarios: Mapping[str, Scenario], setter: str = "a design"
) -> str:
    """The repair when a design (or ``setter``: an override) sets a field of an event
    that scenario ``key`` lacks and another of the experiment's scenarios has (a
    counterfactual's ``remove_events``), or "".

    The refusal named the event as unknown in the counterfactual and stopped there; the
    researcher who varies the withdrawal's magnitude beside a counterfactual without the
    withdrawal learnt neither why nor what to vary instead (a first afternoon's audit,
    decision 702). ``--set`` met the same refusal with no repair (decision 778).
    """
    parts = path.split(".")
    if len(parts) < 3 or parts[0] != "events":
        return ""
    mine = {e.id for e in scenarios[key].events} if key in scenarios else set()
    verb = "vary" if setter == "a design" else "set"
    for other, scenario in scenarios.items():
        for event in scenario.events:
            if event.id is None or event.id in mine or not path.startswith(f"events.{event.id}."):
                continue
            kind_path = f"parameters.event_kinds.{event.kind}.weight"
            return (
                f"; scenario '{other}' has the event '{event.id}' and scenario '{key}' has "
                f"none (its file removes it, or never had it), and {setter} sets its paths "
                f"in every scenario: {verb} the {event.kind} events' weight ({kind_path}) "
                "instead, or sweep the scenarios that have the event in an experiment of "
                "their own"
            )
    return ""


def _unsuggested(message: str) -> str:
    """``message`` without its closing ``(did you mean 'x'?)``: beside a repair that
    names the event in another scenario, the closest other id misleads; nor the
    loader's own hint for an event remove_events took out, which the repair says."""
    head, sep, _ = message.partition(REMOVED_HINT)
    if sep:
        return head
    head, sep, tail = message.rpartition(" (did you mean '")
    return head if sep and tail.endswith("'?)") and "'" not in tail[:-3] else message


def _apply(
    base: Scenario,
    values: dict[str, Any],
    where: _Where,
    key: str,
    what: str | None = None,
    repair: str = "",
    item: tuple[int, ...] = (),
) -> Scenario:
    try:
        return load_scenario(base, values)
    except InputError as exc:
        shown = ", ".join(
            f"{p}={number_text(v) if type(v) is int else repr(v)}" for p, v in values.items()
        )
        shown = f"{what} {shown}" if what else shown
        path = exc.path if exc.path in values else next(iter(values), "")
        message = _unsuggested(exc.message) if repair else exc.message
        raise where.error(
            f"{message} (scenario '{key}', {shown}){repair}", *where.parameters, path, *item
        ) from None


# --------------------------------------------------------------------------- the plan


def run_id(resolved_hash: str, replicate: int, seed: int) -> str:
    """The stable id of a run: its resolved scenario's hash, replicate and experiment seed."""
    payload = f"{resolved_hash}:{int(replicate)}:{int(seed)}"
    return hashlib.sha256(payload.encode()).hexdigest()[:RUN_ID_CHARS]


def plan_runs(experiment: Experiment) -> list[RunTask]:
    """Every scenario x design point x replicate, in that order, each run once.

    Design points that resolve to the same scenario (Morris trajectories can
    meet) are the same runs and are planned once, under the first point. The
    plan is made when the experiment is loaded (a design point a scenario
    rejects, or two scenarios that resolve to the same runs, are refused there).
    """
    return list(experiment.tasks)


def _plan(experiment: Experiment, where: _Where) -> list[RunTask]:
    """The runs of :func:`plan_runs`.

    Raises:
        InputError: a design point a scenario rejects, or two scenarios that
            resolve to the same runs.
    """
    spec = experiment.spec
    tasks: list[RunTask] = []
    owner: dict[str, str] = {}
    for key, base in experiment.scenarios.items():
        base_hash = experiment.base_hashes[key]
        hasher = ScenarioHasher(base)  # scenario_hash's digest, the base's sections once
        for i, point in enumerate(experiment.points):
            resolved = _apply(base, point, where, key) if point else base
            resolved_hash = base_hash if not point else hasher(resolved)
            for r in range(spec.replicates):
                rid = run_id(resolved_hash, r, spec.seed)
                if rid in owner:
                    if owner[rid] != key:
                        # Two files that differ only in what the design varies: say so
                        # (an outside check read the bare message as a bug, decision 942).
                        why = (
                            " at the design point "
                            + ", ".join(f"{k}={v}" for k, v in point.items())
                            + ": they differ only in what the design varies, which sets "
                            "it in both"
                            if point and experiment.base_hashes[owner[rid]] != base_hash
                            else ""
                        )
                        raise where.error(
                            f"scenarios '{owner[rid]}' and '{key}' resolve to the same "
                            f"scenario{why}; each scenario of an experiment must differ",
                            "scenarios",
                            key,
                        )
                    continue
                owner[rid] = key
                tasks.append(
                    RunTask(rid, key, base_hash, i, r, spec.seed, tuple(point.items()), spec.record)
                )
    return tasks


def scenario_trees(experiment: Experiment) -> dict[str, dict[str, Any]]:
    """The manifest's ``scenarios``: each base scenario's resolved tree by name, as a
    file may write it (:func:`~sim.scenario.runnable_tree`)."""
    return {key: runnable_tree(sc) for key, sc in experiment.scenarios.items()}
