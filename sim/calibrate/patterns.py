"""Pattern files as a calibration problem (validation.md, "Pattern files", "Calibration").

Built on the pattern API of :mod:`sim.patterns` (``load_patterns``,
``observed_statistics``, ``simulate_statistics``) and the vote data of
:func:`sim.observed.votes.load_votes`. Parameters whose path starts with
``link.`` set the link (``link.beta`` goes to ``beta``); every other path is
a scenario override applied to each pattern file's scenario. A statistic's
id is ``<pattern file stem>/<pattern id>``, unique across files.

Inside the ABC loop only the calibration patterns are simulated: each file
has a copy holding its ``calibrate`` patterns alone, so a held-out pattern
is never evaluated there and cannot leak into the distance. Held-out
patterns are simulated for the posterior predictive checks only.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim import patterns as api
from sim.calibrate.problem import Statistic
from sim.calibrate.spec import LINK_PREFIX, Calibration
from sim.errors import InputError, number_text
from sim.observed.votes import VoteData, load_votes
from sim.patterns.check import note_places, pattern_notes
from sim.patterns.schema import PatternFile
from sim.scenario import load_scenario
from sim.scenario.loader import override_places, placed_as, placed_twice

__all__ = [
    "PatternProblem",
    "check_scenario_paths",
    "check_scenarios",
    "check_truth",
    "engine_supported",
    "load_votes",
]


def engine_supported() -> bool:
    """Whether :func:`sim.patterns.simulate_statistics` takes an ``engine`` argument."""
    return "engine" in inspect.signature(api.simulate_statistics).parameters


# What a pattern file says for its reader alone: no statistic reads them.
_WORDS_ONLY: dict[str, Any] = {"scenario": True, "patterns": {"__all__": {"source"}}}


class PatternProblem:
    """The patterns of one or more pattern files.

    Args:
        calibration: the loaded calibration file (pattern files, replicates).
        votes: the UN votes (:func:`load_votes`).
        engine: the simulation engine, ``mesa`` or ``fast`` (``fast`` needs a
            pattern API that takes ``engine``).
        files: the calibration's pattern files, loaded (read here when not given).

    Raises:
        InputError: a pattern file the pattern loader rejects, a calibrated or
            fixed path that a pattern file's scenario does not have, or an
            engine the pattern API cannot use.
    """

    def __init__(
        self,
        calibration: Calibration,
        votes: VoteData,
        engine: str = "mesa",
        files: Sequence[PatternFile] | None = None,
    ) -> None:
        if engine != "mesa" and not engine_supported():
            raise InputError(
                f"--engine {engine}: the pattern statistics run on mesa only in this build"
            )
        self.replicates = calibration.spec.replicates
        self.votes = votes
        self.engine = engine
        self.files: dict[str, PatternFile] = {}
        self.fitted: dict[str, PatternFile] = {}
        # What the vote data leaves out of the patterns, for the command to say.
        self.notes: list[str] = []
        stats = []
        paths = calibration.pattern_files
        loaded = files if files is not None else [api.load_patterns(path) for path in paths]
        for path, pf in zip(paths, loaded, strict=True):
            stem = path.stem
            self.files[stem] = pf
            table = api.observed_statistics(pf, votes)
            # Every note `patterns check` and `validate --votes` give the file (decision 734).
            notes = pattern_notes(pf, api.prepare(pf, votes), table)
            # At the file and line each is about, as validate and `patterns check` say them.
            where = note_places(pf)
            self.notes += [f"{where(note) or f'{path.name}: '}{note}" for note in notes]
            for pattern_id, row in table.iterrows():
                stats.append(
                    Statistic(
                        f"{stem}/{pattern_id}",
                        str(row["role"]),
                        float(row["observed"]),
                        float(row["tolerance"]),
                    )
                )
            if any(p.role == "calibrate" for p in pf.patterns):
                # A file of held-out patterns only is simulated for its checks, never
                # inside the ABC loop (it has nothing to fit, and no pattern to prepare).
                self.fitted[stem] = _calibration_patterns(pf)
            check_scenario_paths(calibration, pf, path)
        self._statistics = tuple(stats)
        # A pattern file by what it says, not its bytes: a comment, a reworded source note
        # or the scenario's path written another way changed the identity, and a resumed
        # calibration was refused as run "on other inputs", its generations lost to an
        # edit that changes no statistic (an outside check, decision 918).
        texts = [
            # Mappings in key order: the groups' order is no input either.
            json.dumps(pf.model_dump(mode="json", exclude=_WORDS_ONLY), sort_keys=True).encode()
            for pf in self.files.values()
        ]
        scenarios = [pf.base_scenario.model_dump_json().encode() for pf in self.files.values()]
        self._identity = hashlib.sha256(
            b"\0".join([*texts, *scenarios, engine.encode()])
        ).hexdigest()
        # The identity before decision 918 (the files' bytes), which a folder written then
        # holds: it is the same calibration if the files are as they were.
        raw = [Path(p).read_bytes() for p in calibration.pattern_files]
        self.legacy_identity = hashlib.sha256(
            b"\0".join([*raw, *scenarios, engine.encode()])
        ).hexdigest()
        # The same without the engine: the manifest records both apart, so that a folder
        # of this calibration on other inputs can say which of them changed; and each
        # file's own, so that it can say which file.
        self.inputs = hashlib.sha256(b"\0".join([*texts, *scenarios])).hexdigest()
        self.file_inputs = {
            os.path.normpath(path): hashlib.sha256(text + b"\0" + scenario).hexdigest()
            for path, text, scenario in zip(paths, texts, scenarios, strict=True)
        }

    @property
    def statistics(self) -> tuple[Statistic, ...]:
        return self._statistics

    def identity(self) -> str:
        return self._identity

    def simulate(
        self, params: Mapping[str, float], seed: int, *, holdout: bool = True
    ) -> dict[str, float]:
        """The statistics of every file at ``params`` (``link.beta`` to the link).

        Args:
            params: override paths and ``link.beta``.
            seed: the simulation seed (replicate ``r`` runs on ``seed_sequence(seed, r)``).
            holdout: also simulate the held-out patterns (False inside the ABC loop).
        """
        beta = params.get("link.beta")
        overrides = {k: v for k, v in params.items() if not k.startswith(LINK_PREFIX)}
        extra: dict[str, Any] = {} if self.engine == "mesa" else {"engine": self.engine}
        out: dict[str, float] = {}
        for stem, pf in (self.files if holdout else self.fitted).items():
            values = api.simulate_statistics(
                pf,
                overrides,
                beta=beta,
                reps=self.replicates,
                seed=seed,
                votes=self.votes,
                **extra,
            )
            out.update({f"{stem}/{k}": float(v) for k, v in values.items()})
        return out


def _calibration_patterns(pf: PatternFile) -> PatternFile:
    """A copy of ``pf`` with its calibration patterns only (same scenario, link and groups)."""
    fitted = pf.model_copy(update={"patterns": [p for p in pf.patterns if p.role == "calibrate"]})
    fitted._scenario = pf.base_scenario
    fitted._path = pf.path
    return fitted


def check_scenario_paths(calibration: Calibration, pf: PatternFile, path: Path) -> None:
    """Apply each override path's bounds (and each variant's values) to the file's scenario.

    Raises:
        InputError: located at the calibration file's path or variant value.
    """
    # (where in the file, the override, what the value is): a prior's ends, a variant's value.
    probes: list[tuple[tuple[str, ...], dict[str, float], str]] = [
        (("parameters", key), {key: value}, f"the prior's {end} end")
        for key, prior in calibration.spec.parameters.items()
        for end, value in (("low", prior.low), ("high", prior.high))
    ]
    probes += [
        (("variants", name, key), {key: float(value)}, f"variant {name}")
        for name, fixed in calibration.variants().items()
        for key, value in fixed.items()
    ]
    for where, override, what in probes:
        ((key, value),) = override.items()
        if key.startswith(LINK_PREFIX):
            # The link's slope is >= 0 (validation.md), as a pattern file's link.beta must be.
            if key == "link.beta" and value < 0:
                raise calibration.error(f"must be >= 0, got {value:g} (the link's slope)", *where)
            continue
        try:
            load_scenario(pf.base_scenario, override)
        except InputError as exc:
            if where[0] == "parameters" and _refused_whatever_the_value(pf, key, exc.message):
                # An unknown event id or power: the prior's end had nothing to do with it
                # (an outside check, decision 888).
                what = ""
            lead = f"{what}; " if what else ""
            message = f"{exc.message} ({lead}in the scenario of pattern file {path})"
            raise calibration.error(message, *where) from None
    # Two priors on one value (relations.A.B and relations.B.A of a list entry): the
    # later set it, the other's posterior drove nothing; a variant fixing a prior's value
    # by another path had every simulation refused (outside checks, decision 895).
    priors = [key for key in calibration.spec.parameters if not key.startswith(LINK_PREFIX)]
    variants = calibration.variants()
    fixed = {key for values in variants.values() for key in values} - set(priors)
    places = override_places(pf.base_scenario, [*priors, *fixed])
    twice = placed_twice(places, priors)
    if twice is not None:
        key, other = twice
        raise calibration.error(
            f"'{key}' and '{other}' name one value of the scenario of pattern file {path} "
            f"({places[key]}); give it one prior",
            "parameters",
            key,
        )
    for name, values in variants.items():
        for key in values:
            prior = placed_as(places, key, priors) if key in fixed else None
            if prior is not None:
                raise calibration.error(
                    f"'{key}' names the value of the prior '{prior}' ({places[key]}); give it "
                    "as the prior does, so that the variant fixes that prior",
                    "variants",
                    name,
                    key,
                )


def check_scenarios(calibration: Calibration, files: Sequence[PatternFile]) -> None:
    """:func:`check_scenario_paths` of each pattern file (``files``, the calibration's
    pattern files, loaded), before ``calibrate`` and ``validate`` note a variant's value
    outside its prior: a value no scenario takes (memory 2) was noted, then refused, and
    a bad file gave two lines for one mistake (an outside check, decision 1006).

    Raises:
        InputError: a prior's end or a variant's value the scenarios do not take.
    """
    for path, pf in zip(calibration.pattern_files, files, strict=True):
        check_scenario_paths(calibration, pf, path)


def check_truth(calibration: Calibration, files: Sequence[PatternFile]) -> None:
    """Apply ``--truth``'s values to each pattern file's scenario (``files``, the
    calibration's pattern files, loaded), before the command says
    how the data are simulated with them: the simulation of the data refused a value out
    of range (memory 1.5) after those notes, which read as if the run went ahead (an
    outside check, decision 888).

    Raises:
        InputError: a value the scenarios (or the link's slope) do not take.
    """
    for key, value in calibration.truth.items():
        if key == "link.beta" and value < 0:
            raise InputError(
                f"must be >= 0, got {number_text(value)} (the link's slope)",
                path=key,
                file=f"--truth {key}={number_text(value)}",
            )
    scenario_values = {k: v for k, v in calibration.truth.items() if not k.startswith(LINK_PREFIX)}
    for pf in files if scenario_values else []:
        for key, value in scenario_values.items():
            try:
                load_scenario(pf.base_scenario, {key: value})
            except InputError as exc:
                # Placed as an override's error is ("override PATH=VALUE: PATH: ..."):
                # the path came first, then "--truth:" (decision 914).
                raise InputError(
                    exc.message, path=exc.path, file=f"--truth {key}={number_text(value)}"
                ) from None
        # A value named as a prior names it (decision 895): read by the prior's path, a
        # truth by another (relations.B.A for relations.A.B) was set and never compared.
        priors = list(calibration.spec.parameters)
        places = override_places(pf.base_scenario, [*priors, *scenario_values])
        twice = placed_twice(places, scenario_values)
        if twice is not None:
            key, other = twice
            raise InputError(
                f"--truth: '{key}' and '{other}' name one value ({places[key]}); give it once"
            )
        for key in scenario_values:
            prior = placed_as(places, key, priors)
            if prior is not None:
                raise InputError(
                    f"--truth: '{key}' names the value of the prior '{prior}' ({places[key]}); "
                    f"give it as the prior does, --truth {prior}=..."
                )


# A value no prior's end is (a prior's ends are finite numbers): what the path alone says.
_OTHER_VALUE = 0.123456789


def _refused_whatever_the_value(pf: PatternFile, key: str, message: str) -> bool:
    """Whether an override of ``key`` is refused with ``message`` at another value too (a
    path that names nothing), so that the message is the path's, not the value's."""
    try:
        load_scenario(pf.base_scenario, {key: _OTHER_VALUE})
    except InputError as exc:
        return exc.message == message
    return False
