"""The calibration file: its schema, loading with one-line located errors, ``--truth`` values.

A calibration file (validation.md, "Calibration") names the pattern files whose
calibration patterns the distance uses, uniform priors on override paths (and on
``link.beta``), the ABC-SMC budget and seed, and optionally model variants that
fix some paths. Every mistake becomes one :class:`~sim.errors.InputError` with
file, line, field path, what is wrong and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
import types
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from sim.errors import InputError, number_text, shortened, slash_hint
from sim.inputs import COMMANDS, NOUNS, kind_of_file, other_kind
from sim.inputs import NEEDS as INPUT_NEEDS
from sim.scenario.loader import (
    Document,
    beside,
    locate,
    read_document,
    read_text,
    translate,
    yaml_value,
)
from sim.scenario.schema import (
    MAX_VALUE,
    NAME_PATTERN,
    NumbersNotBooleans,
    Scenario,
    allowed,
    suggest,
)
from sim.seeds import MAX_SEED
from sim.sweep.fieldpaths import close_file, field_text

LINK_PREFIX = "link."
LINK_PATHS = ("link.beta",)
# The one variant of a file without ``variants:``.
DEFAULT_VARIANT = "default"
NEEDS = INPUT_NEEDS["calibration"]
# The largest size of a calibrated value: a prior's ends, a variant's fixed value, a
# --truth value. Every model parameter lives within a few units (the scenario schema
# bounds most; link.beta turns a propensity gap into a share of votes), and pyabc's
# perturbation squares the spread of a generation: a prior up to 1e308 (or .inf) passed
# and crashed the calibration midway, or ran it to epsilon inf. The scenario's own bound
# on its sizes and weights (decision 500), so that a fixed value passes both checks alike.
MAX_MAGNITUDE = MAX_VALUE
# The largest count of each field of a calibration file, and what it counts.
LIMITS: dict[str, tuple[int, str]] = {
    "population": (1_000_000, "particles per generation"),
    "max_simulations": (10_000_000, "simulations in all"),
    "replicates": (1_000_000, "runs per simulation, as an experiment's replicates"),
    "predictive": (1_000_000, "posterior predictive draws per variant"),
    "seed": (MAX_SEED, "a 64-bit integer, as an experiment's seed"),
}


class _Strict(NumbersNotBooleans):
    # Numbers must be finite (.inf and .nan are refused wherever a number is read).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Prior(_Strict):
    """A uniform prior ``{low, high}`` on one path."""

    low: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _form(cls, data: Any) -> Any:
        # A list [0, 2] was told "expected a mapping" and a missing bound was told
        # "parameters.parameters.trust.memory.high: required field is missing", neither
        # naming the form (an audit; decision 626).
        if isinstance(data, list | tuple) and len(data) == 2:
            raise ValueError(
                f"a prior is a mapping {{low: .., high: ..}}, got a list {list(data)}; "
                f"write {{low: {data[0]}, high: {data[1]}}}"
            )
        if not isinstance(data, dict):
            raise ValueError(f"a prior is a mapping {{low: .., high: ..}}, got {data!r}")
        missing = [bound for bound in ("low", "high") if bound not in data]
        if missing and not set(data) - {"low", "high"}:
            raise ValueError(
                f"a prior needs both bounds, {{low: .., high: ..}}; '{missing[0]}' is missing"
            )
        return data


class CalibrationSpec(_Strict):
    """A calibration file (validation.md, "Calibration").

    Its counts are capped (:data:`LIMITS`): far beyond what a calibration can run, but
    below what overflows numpy (``predictive: 10**20`` failed only after the whole
    calibration had run) or hangs pyabc; the seed as an experiment's (int64).
    """

    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    patterns: list[str] = Field(min_length=1)
    parameters: dict[str, Prior] = Field(min_length=1)
    population: Annotated[int, Field(ge=2)] = 400
    max_simulations: Annotated[int, Field(ge=1)] = 40_000
    min_epsilon: Annotated[float, Field(ge=0.0)] = 0.5
    replicates: Annotated[int, Field(ge=1)] = 1
    seed: Annotated[int, Field(ge=0)] = 0
    predictive: Annotated[int, Field(ge=1)] = 50
    variants: dict[str, dict[str, Any]] | None = None

    @field_validator(*LIMITS)
    @classmethod
    def _capped(cls, value: int, info: ValidationInfo) -> int:
        cap, why = LIMITS[str(info.field_name)]
        if value > cap:
            raise ValueError(
                f"must be at most {cap:,} ({why}), got {number_text(value, grouped=True)}"
            )
        return value


_FIELDS: dict[tuple[str, ...], type[BaseModel]] = {(): CalibrationSpec}


@dataclass(frozen=True)
class Calibration:
    """A loaded calibration file.

    Attributes:
        spec: the validated file.
        given: the file as written.
        source: the file's path as the user gave it.
        pattern_files: each pattern file's path, resolved against the file's folder.
        truth: ``--truth`` values (empty for a calibration against the observations).
        doc: the file's tree with the line of every value, to locate later errors.
    """

    spec: CalibrationSpec
    given: dict[str, Any]
    source: str
    pattern_files: tuple[Path, ...]
    truth: dict[str, float]
    doc: Document

    @property
    def name(self) -> str:
        return self.spec.name

    def variants(self) -> dict[str, dict[str, Any]]:
        """``{variant: {path: fixed value}}``; one variant ``default`` without ``variants:``."""
        return self.spec.variants or {DEFAULT_VARIANT: {}}

    def free(self, variant: str) -> dict[str, Prior]:
        """The priors of the paths ``variant`` leaves free, in file order."""
        fixed = self.variants()[variant]
        return {p: prior for p, prior in self.spec.parameters.items() if p not in fixed}

    def error(self, message: str, *path: str | int) -> InputError:
        """An input error located at ``path`` in the file (the nearest line known).

        A list item is named by its index in brackets, ``patterns[1]`` (decision
        917). A prior sits at ``parameters -> <scenario path>``: its line is found
        by both keys, but the path shown is the scenario's alone, not
        ``parameters.parameters.trust.memory``.
        """
        error = InputError(message, path=field_text(path) or None)
        located = locate(error, self.doc).located(self.source)
        if len(path) == 2 and path[0] == "parameters":
            located.path = str(path[1])
        return located

    def identity(self, problem_identity: str) -> str:
        """A hex digest of what determines the calibration (the folder name's source).

        Args:
            problem_identity: the problem's own digest (pattern files and scenarios by content).
        """
        data = self.spec.model_dump(mode="json", exclude={"description"})
        data["patterns"] = problem_identity
        data["truth"] = self.truth
        payload = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(payload.encode()).hexdigest()


def load_calibration(
    path: str | Path, truth: Sequence[str] = (), *, check_paths: bool = True
) -> Calibration:
    """Load and check a calibration file; ``truth`` are ``PATH=VALUE`` strings.

    The file is read as every input file is (:func:`~sim.scenario.loader.read_document`:
    the safe loader, size and alias limits, the line of every value) and
    schema errors are worded by the loader's :func:`~sim.scenario.loader.translate`.

    Args:
        path: the calibration file.
        truth: ``--truth`` items.
        check_paths: check parameter paths against the scenario schema (off for
            problems whose parameters are not scenario paths, such as the toy).

    Raises:
        InputError: with file, line and field path: YAML errors, unknown fields,
            bad values, empty or inverted priors, paths the scenario schema does
            not have, missing pattern files, bad variants or truth values.
    """
    shown = str(path)
    doc = read_document(read_text(Path(path), shown), shown, NEEDS)
    if not isinstance(doc.tree, dict):
        raise InputError(f"expected a mapping of fields; {NEEDS}", file=shown)
    wrong = other_kind(doc.tree, "calibration")
    if wrong is not None:
        raise InputError(wrong, file=shown)
    try:
        spec = CalibrationSpec.model_validate(doc.tree)
    except ValidationError as exc:
        error = translate(exc, doc, root=CalibrationSpec)
        # A prior's own field under `parameters:` was named "parameters.parameters.trust.
        # memory", where the file's other messages name the path alone (an audit,
        # decision 649).
        priors = doc.tree.get("parameters")
        if error.path and isinstance(priors, dict):
            inner = error.path.removeprefix("parameters.")
            if any(inner == key or inner.startswith(f"{key}.") for key in priors):
                error.path = inner
        raise error from None
    calibration = Calibration(spec, doc.tree, shown, (), {}, doc)
    for path, prior in spec.parameters.items():
        if check_paths:
            check_path(path, calibration, "parameters", path, drawn=True)
        if not prior.low < prior.high:
            what = "is empty" if prior.low == prior.high else "has low above high"
            raise calibration.error(
                f"the prior {what} (low {prior.low:g}, high {prior.high:g}); "
                "a uniform prior needs low < high",
                "parameters",
                path,
            )
        for end, value in (("low", prior.low), ("high", prior.high)):
            wrong = bad_number(value, f"the prior's {end} end")
            if wrong is not None:
                raise calibration.error(wrong, "parameters", path)
    seen: dict[str, str] = {}
    for name, fixed in calibration.variants().items():
        _check_variant(calibration, name, fixed, check_paths)
        # Two variants of the same model: pyabc's model selection would split the
        # particles between them at random and report the split as evidence.
        key = repr(sorted((str(p), float(v)) for p, v in fixed.items()))
        if key in seen:
            raise calibration.error(
                f"variant '{name}' fixes the same values as '{seen[key]}': the two are one "
                "model, and comparing them measures nothing; remove one, or make them differ",
                "variants",
                name,
            )
        seen[key] = str(name)
    files: list[Path] = []
    if spec.max_simulations < spec.population:
        # Generation 0 accepts every simulation and needs a population of them: it alone
        # would overrun the budget (an audit: 71 of 10 simulations; decision 62).
        raise calibration.error(
            f"{spec.max_simulations:,} is below the population ({spec.population:,}): the "
            "first generation alone runs at least one simulation per particle; give a budget "
            "of several generations (e.g. "
            f"{10 * spec.population:,}) or a smaller population",
            "max_simulations",
        )
    for i, item in enumerate(spec.patterns):
        file = Path(shown).parent / item
        # Said of a relative path only: an absolute one was told so too (an audit).
        relative = "" if Path(item).is_absolute() else "paths are relative to the calibration file"
        if file.is_dir():
            # It said "does not exist" of a folder that does (an audit; decision 620).
            raise calibration.error(
                f"'{item}' is a folder; list the pattern files in it one by one"
                + (f" ({relative})" if relative else ""),
                "patterns",
                i,
            )
        if not file.is_file():
            looked = beside(str(Path(shown).parent), item)  # without a '..' that can go
            # The path once, when it is the one looked for, and a file of a close name
            # beside it (`sino_soviet.yml` for sino_soviet.yaml; an audit, decision 917).
            close = close_file(looked).removeprefix(" (").removesuffix(")")
            said = [f"looked for {looked}"] if looked != item else []
            said += [close] if close else []
            raise calibration.error(
                f"pattern file '{item}' does not exist"
                + (f" ({'; '.join(said)})" if said else "")
                + (f"; {relative}" if relative else "")
                + slash_hint(item),
                "patterns",
                i,
            )
        kind = kind_of_file(str(file))
        if kind is not None and kind != "pattern":
            # Said from inside the listed file, without the calibration's line (an audit;
            # decision 626).
            raise calibration.error(
                f"'{item}' is {NOUNS[kind]}, not a pattern file ({COMMANDS[kind]}); list "
                "pattern files here (the shipped ones are in patterns/)",
                "patterns",
                i,
            )
        # Statistics are named "<file name>/<pattern id>": two files of one name would
        # share them, and one file's patterns would silently replace the other's.
        same = next((j for j, seen in enumerate(files) if seen.stem == file.stem), None)
        if same is not None:
            message = (
                f"pattern file '{item}' is listed twice (also patterns[{same}]); "
                "list each file once"
                if _same_file(files[same], file)
                else f"pattern file '{item}' has the same file name as '{spec.patterns[same]}': "
                f"a calibration names its statistics by file name ('{file.stem}/<pattern id>'), "
                "so each file needs a name of its own; rename one"
            )
            raise calibration.error(
                message,
                "patterns",
                i,
            )
        files.append(file)
    values = parse_truth(truth, check_paths)
    return Calibration(spec, doc.tree, shown, tuple(files), values, doc)


_TOO_LARGE = (
    f"a calibrated value may be at most {MAX_MAGNITUDE:g} in size (the model's parameters "
    "are of order 1; far wider priors overflow the sampler)"
)


def bad_number(value: Any, what: str) -> str | None:
    """Why ``value`` cannot be ``what`` (a prior's end, a fixed or true value), or None:
    not a number, not finite, or larger than :data:`MAX_MAGNITUDE`."""
    shown = _number_text(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{what} must be a number, got {shown}"
    if isinstance(value, float) and not math.isfinite(value):  # an int is finite, if long
        return f"{what} must be a finite number, got {shown}"
    if abs(value) > MAX_MAGNITUDE:
        return f"{what} is {shown}; {_TOO_LARGE}"
    return None


def _number_text(value: Any) -> str:
    """A value in a message: a number as ``:g`` (``inf``, ``1e+308``), anything else as is."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value) if isinstance(value, int) else f"{value:g}"
    return repr(value)


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file."""
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


def _check_variant(calibration: Calibration, name: str, fixed: Any, check_paths: bool) -> None:
    if not isinstance(fixed, dict):
        raise calibration.error(
            f"a variant is a mapping of fixed values {{path: value}} (or {{}}), got {fixed!r}",
            "variants",
            name,
        )
    # A variant that fixes everything is a point model: beside others, model selection
    # weighs it; alone, there is nothing to calibrate.
    if len(calibration.variants()) == 1 and all(p in fixed for p in calibration.spec.parameters):
        raise calibration.error(
            "the only variant fixes every parameter of `parameters:`, so there is nothing "
            "to calibrate; leave at least one free, or add a variant to compare it with",
            "variants",
            name,
        )
    for path, value in fixed.items():
        if check_paths and str(path) not in calibration.spec.parameters:
            check_path(str(path), calibration, "variants", name, str(path))
        wrong = bad_number(value, "a fixed value")
        if wrong is not None:
            raise calibration.error(wrong, "variants", name, str(path))


def parse_truth(items: Sequence[str], check_paths: bool = True) -> dict[str, float]:
    """``--truth PATH=VALUE`` items as ``{path: value}``.

    Raises:
        InputError: an item without ``=``, a value that is not a finite number (or is
            larger than :data:`MAX_MAGNITUDE`), a path given twice, or a bad path.
    """
    values: dict[str, float] = {}
    for item in items:
        path, sep, raw = item.partition("=")
        path = path.strip()
        try:
            value = yaml_value(raw, f"--truth {shortened(item)}") if sep else None
        except yaml.YAMLError:
            value = None
        if not path or isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(
                f"--truth '{shortened(item)}' must be PATH=NUMBER, "
                "e.g. parameters.trust.memory=0.95"
            )
        wrong = bad_number(value, "the value")
        if wrong is not None:
            raise InputError(f"--truth '{shortened(item)}': {wrong}")
        if path in values:
            raise InputError(
                f"--truth names {path} twice ({values[path]:g} and {float(value):g}); "
                "give each path once"
            )
        if check_paths:
            try:
                check_path(path, None)
            except InputError as exc:
                raise InputError(exc.message, path=f"--truth {path}") from None
        values[path] = float(value)
    return values


def check_path(
    path: str, calibration: Calibration | None, *where: str, drawn: bool = False
) -> None:
    """Check that ``path`` names a value in the scenario schema, or is ``link.beta``.

    The walk follows the schema's nested models, and through a collection of one
    model (powers and states by name) into its entries' fields, the name itself being
    checked later against each pattern file's scenario, as is the rest of a path into
    events (entries of several kinds) or through a name the walk cannot split. A value
    ``drawn`` from a prior must take real numbers: a whole-number field
    (``alignment.period``) was let through and the calibration then stopped on the
    prior's midpoint 2.5, unlocated (decision 620). A value of any kind must take
    numbers: a prior on ``calendar.start`` was told "expected a string, got 0".

    Raises:
        InputError: located at ``where`` in the calibration file.
    """

    def fail(message: str) -> InputError:
        if calibration is None:
            return InputError(message, path=path)
        return calibration.error(message, *where)

    if path.startswith(LINK_PREFIX) or path == "link":
        if path not in LINK_PATHS:
            raise fail(
                f"unknown link path '{path}'; calibratable link paths are: "
                f"{allowed(LINK_PATHS)}{suggest(path, LINK_PATHS)}"
            )
        return
    model: type[BaseModel] | None = Scenario
    segments = path.split(".")
    entered = False  # the walk went through an entry of a collection (a power, a state)
    steps = iter(enumerate(segments))
    for depth, segment in steps:
        if model is None:
            return
        names = {f.alias or n: f for n, f in model.model_fields.items()}
        if segment not in names and entered:
            return  # perhaps a name with a dot ("St. Lucia"): checked against the scenario
        if segment not in names:
            known = list(names)
            prefix = ".".join(segments[:depth])
            inside = f" in '{prefix}'" if prefix else ""
            raise fail(
                f"unknown path '{path}': no field '{segment}'{inside}; fields there are: "
                f"{allowed(known, len(known))}{suggest(segment, known)}"
            )
        model = _model_of(names[segment].annotation)
        entry = _entry_model(names[segment].annotation)
        if model is None and entry is not None and depth < len(segments) - 1:
            # powers.Russia.<field>: the name is checked later, the field now (an audit,
            # decision 792: a prior on powers.Russia.region was told "expected a string").
            next(steps)  # the entry's name
            model, entered = entry, True
            continue
        if depth == len(segments) - 1 and model is None:
            takes = _takes_instead(names[segment])
            if takes is not None:
                # It was said by the scenario's check of the prior's low end, "expected a
                # string, got 0", which asked for a string (and of `name`, read as the
                # calibration's own name).
                lead = "a prior needs" if drawn else "a calibrated value needs"
                raise fail(
                    f"{lead} a numeric parameter (such as parameters.trust.memory), and the "
                    f"scenario's {path} takes {takes}"
                )
        if drawn and depth == len(segments) - 1 and _whole(names[segment].annotation):
            raise fail(
                "a whole-number field, and a calibration draws real values from its "
                "uniform prior; fix it in the scenario (or a variant), or run its values "
                "as a grid in an experiment"
            )
    if model is not None:
        raise fail(f"'{path}' is a section, not a value; name one of its fields")


def _takes_instead(info: FieldInfo) -> str | None:
    """What a field takes, in words, when it is not a number (``text (first month,
    YYYY-MM)``, ``true or false``, ``a list``); None for a field that takes numbers."""
    kinds = _kinds(info.annotation)
    if any(k in (int, float) for k in kinds):
        return None
    kind = kinds[0] if len(kinds) == 1 else None
    if kind is str:
        return f"text ({info.description})" if info.description else "text"
    if kind is bool:
        return "true or false"
    if get_origin(kind) is Literal:
        return "one of " + ", ".join(repr(v) for v in get_args(kind))
    if get_origin(kind) in (list, tuple):
        return "a list"
    if get_origin(kind) is dict:
        return "a mapping"
    return "a value that is not a number"


def _kinds(annotation: Any) -> list[Any]:
    """The types a field takes, through Annotated and unions, without None."""
    if get_origin(annotation) is Annotated:
        return _kinds(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        return [k for a in get_args(annotation) if a is not type(None) for k in _kinds(a)]
    return [annotation]


def _whole(annotation: Any) -> bool:
    """Whether a field takes whole numbers only (``int``, through Optional and Annotated)."""
    return _kinds(annotation) == [int]


def _entry_model(annotation: Any) -> type[BaseModel] | None:
    """The model of a collection's entries when it is a mapping of names to one model
    (``powers``, ``states``), else None (events, whose entries are of several kinds)."""
    kinds = _kinds(annotation)
    if len(kinds) == 1 and get_origin(kinds[0]) is dict:
        return _model_of(get_args(kinds[0])[1])
    return None


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The model an annotation holds (through Optional and Annotated), else None."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if a is not type(None)]
        annotation = models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None
