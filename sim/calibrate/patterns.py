"""Pattern files as a calibration problem (validation.md, "Pattern files", "Calibration").

Built against the pattern API of :mod:`sim.patterns`
(``load_patterns``, ``observed_statistics``, ``simulate_statistics``) and
the vote data of :mod:`sim.observed`. Parameters whose path starts with
``link.`` set the link (``link.beta``); every other path is a scenario
override applied to each pattern file's scenario. A statistic's id is
``<pattern file stem>/<pattern id>``, unique across files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sim.calibrate.problem import Statistic
from sim.calibrate.spec import LINK_PREFIX, Calibration
from sim.errors import InputError
from sim.scenario import load_scenario


def _pattern_api() -> Any:
    try:
        from sim import patterns
    except ImportError:
        raise InputError(
            "pattern files need sim.patterns, which this build of credsim does not have"
        ) from None
    return patterns


def load_votes(folder: str | None) -> Any:
    """The UN votes from ``--votes DIR``, else ``CREDSIM_VOTES`` (sim.observed decides)."""
    try:
        from sim.observed.votes import load_votes as load
    except ImportError:
        raise InputError(
            "pattern files need the vote data of sim.observed, which this build of credsim "
            "does not have"
        ) from None
    return load(folder)


class PatternProblem:
    """The calibration patterns of one or more pattern files.

    Args:
        calibration: the loaded calibration file (pattern files, replicates).
        votes: the UN votes (:func:`load_votes`).
        engine: the simulation engine, ``mesa`` or ``fast``.

    Raises:
        InputError: a pattern file the pattern loader rejects, or a calibrated
            or fixed path that a pattern file's scenario does not have.
    """

    def __init__(self, calibration: Calibration, votes: Any, engine: str = "mesa") -> None:
        api = _pattern_api()
        self.replicates = calibration.spec.replicates
        self.votes = votes
        self.engine = engine
        self.files = {Path(p).stem: api.load_patterns(p) for p in calibration.pattern_files}
        stats = []
        for path, (stem, pf) in zip(calibration.pattern_files, self.files.items(), strict=True):
            table = api.observed_statistics(pf, votes)
            for pattern_id, row in table.iterrows():
                stats.append(
                    Statistic(
                        f"{stem}/{pattern_id}",
                        str(row["role"]),
                        float(row["observed"]),
                        float(row["tolerance"]),
                    )
                )
            _check_paths(calibration, pf, path)
        self._statistics = tuple(stats)
        texts = [Path(p).read_bytes() for p in calibration.pattern_files]
        self._identity = hashlib.sha256(b"\0".join([*texts, engine.encode()])).hexdigest()

    @property
    def statistics(self) -> tuple[Statistic, ...]:
        return self._statistics

    def identity(self) -> str:
        return self._identity

    def simulate(self, params: Mapping[str, float], seed: int) -> dict[str, float]:
        """Every pattern statistic of every file, at ``params`` (``link.beta`` to the link)."""
        api = _pattern_api()
        beta = params.get("link.beta")
        overrides = {k: v for k, v in params.items() if not k.startswith(LINK_PREFIX)}
        extra = {} if self.engine == "mesa" else {"engine": self.engine}
        out: dict[str, float] = {}
        for stem, pf in self.files.items():
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


def _check_paths(calibration: Calibration, pf: Any, path: Path) -> None:
    """Apply each override path's bounds (and each variant's values) to the file's scenario."""
    probes: list[tuple[tuple[str, ...], dict[str, float]]] = []
    for key, prior in calibration.spec.parameters.items():
        if not key.startswith(LINK_PREFIX):
            for value in (prior.low, prior.high):
                probes.append((("parameters", key), {key: value}))
    for name, fixed in calibration.variants().items():
        for key, value in fixed.items():
            if not key.startswith(LINK_PREFIX):
                probes.append((("variants", name, key), {key: float(value)}))
    for where, override in probes:
        try:
            load_scenario(pf.scenario, override)
        except InputError as exc:
            message = f"{exc.message} (in the scenario of pattern file {path})"
            raise calibration.error(message, *where) from None
