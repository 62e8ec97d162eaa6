"""Posterior tables: particles with weights, weighted quantiles, draws with the weights.

Pure table functions (pandas and numpy, no files): the results folder
(:mod:`sim.calibrate.run`) writes what they return, and posterior designs
(``design: {method: posterior}``) draw parameter sets with
:func:`draw_points` from the final generation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.columns import distinct
from sim.errors import InputError
from sim.seeds import make_rng

KEY_COLUMNS = ("generation", "variant", "particle", "weight", "distance", "model_probability")
MEMORY_SUFFIX = "trust.memory"
INTERVAL = (0.05, 0.95)


def generation_table(
    history: Any, t: int, variants: Mapping[str, Mapping[str, float]], paths: Sequence[str]
) -> pd.DataFrame:
    """Generation ``t``'s accepted particles from a pyabc history.

    Columns: ``generation, variant, particle, weight`` (normalised within the
    generation and variant), ``distance, model_probability`` (the variant's
    probability in that generation), then one column per calibrated path (a
    variant's fixed values fill its fixed paths).
    """
    names = list(variants)
    rows: list[dict[str, Any]] = []
    probabilities = history.get_model_probabilities(t)["p"].to_dict()
    by_variant: dict[int, list[Any]] = {}
    for particle in history.get_population(t).particles:
        by_variant.setdefault(int(particle.m), []).append(particle)
    for m, particles in sorted(by_variant.items()):
        total = sum(float(p.weight) for p in particles)
        fixed = variants[names[m]]
        for i, p in enumerate(particles):
            row = {
                "generation": t,
                "variant": names[m],
                "particle": i,
                "weight": float(p.weight) / total,
                "distance": float(p.distance),
                "model_probability": float(probabilities.get(m, 0.0)),
            }
            values = {**fixed, **dict(p.parameter)}
            row.update({path: float(values.get(path, math.nan)) for path in paths})
            rows.append(row)
    return pd.DataFrame(rows, columns=[*KEY_COLUMNS, *paths])


class ParticleTable:
    """Every generation's particles, read from the history once per generation.

    Args:
        variants: ``{variant: fixed values}`` in model order.
        paths: the calibrated paths (the parameter columns).
    """

    def __init__(self, variants: Mapping[str, Mapping[str, float]], paths: Sequence[str]) -> None:
        self.variants = variants
        self.paths = list(paths)
        self._generations: dict[int, pd.DataFrame] = {}

    def read(self, history: Any) -> pd.DataFrame:
        """The table of every finished generation (new ones read, earlier ones kept)."""
        for t in range(int(history.max_t) + 1):
            if t not in self._generations:
                self._generations[t] = generation_table(history, t, self.variants, self.paths)
        frames = [self._generations[t] for t in sorted(self._generations)]
        if not frames:
            return pd.DataFrame(columns=[*KEY_COLUMNS, *self.paths])
        return pd.concat(frames, ignore_index=True)


def read_finished(folder: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    """The manifest and particle table of a finished, intact calibration folder.

    Raises:
        InputError: what is wrong, as a message about the folder (no file set: the
            caller says how it was given): no calibration results, not finished, or
            damaged since it was written (its integrity record, docs/results_layout.md).
    """
    from sim.integrity import read_json, require_intact

    if not folder.is_dir():
        raise InputError(
            "is a file, not a calibration's results folder" if folder.exists() else "does not exist"
        )
    manifest = read_json(folder / "manifest.json")
    if manifest is None:
        raise InputError("holds no calibration results")
    kind, status = manifest.get("kind"), manifest.get("status")
    if kind != "calibration":
        raise InputError(
            f"holds the results of a {kind or 'command'}, not of a calibration "
            "(a folder written by 'credsim calibrate')"
        )
    if status != "complete":
        raise InputError(
            f"holds an unfinished calibration (status {status!r}); the 'credsim calibrate' "
            "command that wrote it resumes it"
        )
    try:
        require_intact(folder, drawn_ok=True)  # its tables are read, not its figures
    except InputError as exc:
        raise InputError(exc.message) from None  # the caller says where the folder came from
    try:
        particles = pd.read_parquet(folder / "posterior.parquet")
    except (OSError, ValueError):
        raise InputError("holds no calibration results") from None
    return manifest, particles


def final_particles(particles: pd.DataFrame, variant: str) -> pd.DataFrame:
    """``variant``'s particles in the last generation where it had any."""
    own = particles[particles["variant"] == variant]
    if own.empty:
        return own
    return own[own["generation"] == own["generation"].max()]


def last_generation_before_final(particles: pd.DataFrame, variant: str) -> int | None:
    """The last generation holding ``variant``'s particles when that is not the final one
    (the variant died out: model probability 0 from then on), else None."""
    own = particles.loc[particles["variant"] == variant, "generation"]
    if own.empty or own.max() == particles["generation"].max():
        return None
    return int(own.max())


# A variant's posterior resting on fewer effective particles than this is said so (in a
# note and in the marginals' legend): its medians, intervals and narrowing are then those
# of a handful of parameter sets (an audit's v2 with 1.98 read as narrowly identified;
# decisions 589 and 591).
FEW_EFFECTIVE = 20


def effective_particles(weights: npt.ArrayLike) -> float:
    """How many particles weights rest on: ``(sum w)^2 / sum w^2`` (0 without any)."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / (w**2).sum()) if w.size else 0.0


def weighted_quantile(
    values: npt.ArrayLike, weights: npt.ArrayLike, q: float | Sequence[float]
) -> npt.NDArray[np.float64]:
    """Quantiles of a weighted sample: the inverse of its step CDF at ``q``.

    The smallest value whose cumulative weight reaches ``q`` (the weighted
    analogue of ``numpy.quantile(method="inverted_cdf")``).
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    order = np.argsort(v, kind="stable")
    cdf = np.cumsum(w[order]) / w.sum()
    qs = np.atleast_1d(np.asarray(q, dtype=float))
    index = np.minimum(np.searchsorted(cdf, qs - 1e-12, side="left"), len(v) - 1)
    return np.asarray(v[order][index], dtype=float)


def half_life(memory: npt.ArrayLike, months_per_step: int = 1) -> npt.NDArray[np.float64]:
    """Months for evidence to lose half its weight: ``ln 0.5 / ln memory`` steps of
    ``months_per_step`` months each."""
    m = np.asarray(memory, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(m >= 1.0, np.inf, months_per_step * np.log(0.5) / np.log(m))


def summary_table(
    particles: pd.DataFrame,
    priors: Mapping[str, tuple[float, float]],
    months_per_step: int | None = 1,
    truth: Mapping[str, float] | None = None,
    fixed: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Posterior median and 90% interval per variant and free parameter, final generation.

    ``fixed`` maps each variant to the paths it fixes (the calibration's ``variants``),
    which get no row; every other prior gets one, even when the variant's final
    generation holds a single particle (its interval is then that one value). A
    variant that died out gets its last particles' quantiles and no narrowing (NaN).

    Columns: ``variant, parameter, median, q05, q95, prior_low, prior_high,
    narrowing`` (interval width over prior width), ``truth`` (the ``--truth``
    value, NaN without one) and ``truth_in_90`` (whether the 90% interval holds
    it; empty without one) and ``generation`` (the one the row's particles come
    from: the last where the variant kept any, so earlier than the others' when
    the variant died out). A parameter whose path ends in ``trust.memory``
    gets a second row, ``... (half-life, months)``, its quantiles mapped
    through :func:`half_life` (increasing, so quantiles map to quantiles) with
    the scenarios' step length; ``... (half-life, steps)`` when the pattern
    files' scenarios step by different lengths (``months_per_step`` None).
    """
    truth = truth or {}
    fixed = fixed or {}
    unit = "months" if months_per_step else "steps"
    rows = []

    def row(variant: str, name: str, qs: Sequence[float], prior: Sequence[float], true: float,
            narrowing: float, generation: int) -> None:  # fmt: skip
        q05, med, q95 = qs
        covered = bool(q05 <= true <= q95) if not math.isnan(true) else None
        rows.append((variant, name, med, q05, q95, *prior, narrowing, true, covered, generation))

    last = int(particles["generation"].max()) if len(particles) else 0
    for variant in distinct(particles["variant"]):
        final = final_particles(particles, variant)
        generation = int(final["generation"].iloc[0]) if len(final) else last
        for path, (low, high) in priors.items():
            values = final[path].to_numpy(dtype=float)
            if path in fixed.get(variant, {}) or not len(values) or np.all(np.isnan(values)):
                continue  # fixed in this variant
            q05, med, q95 = weighted_quantile(
                values, final["weight"], [INTERVAL[0], 0.5, INTERVAL[1]]
            )
            true = float(truth.get(path, math.nan))
            # A variant that died out has no posterior to narrow: its last particles'
            # interval (often of one particle) read as a sharp one (decision 649).
            narrowing = (q95 - q05) / (high - low) if generation == last else math.nan
            row(variant, path, (q05, med, q95), (low, high), true, narrowing, generation)
            if path.endswith(MEMORY_SUFFIX):
                step = months_per_step or 1
                h05, hmed, h95 = half_life([q05, med, q95], step)
                hlow, hhigh = half_life([low, high], step)
                htrue = float(half_life(true, step)) if not math.isnan(true) else math.nan
                name = f"{path} (half-life, {unit})"
                row(variant, name, (h05, hmed, h95), (hlow, hhigh), htrue, math.nan, generation)
    return pd.DataFrame(
        rows,
        columns=[
            "variant",
            "parameter",
            "median",
            "q05",
            "q95",
            "prior_low",
            "prior_high",
            "narrowing",
            "truth",
            "truth_in_90",
            "generation",
        ],
    )


def weighted_indices(weights: npt.ArrayLike, samples: int, seed: int) -> npt.NDArray[np.int64]:
    """``samples`` indices drawn with replacement, index ``i`` with probability ``w_i / sum w``."""
    w = np.asarray(weights, dtype=float)
    rng = make_rng(np.random.SeedSequence(int(seed)))
    return np.asarray(rng.choice(len(w), size=int(samples), replace=True, p=w / w.sum()))


def draw_points(
    particles: pd.DataFrame,
    variant: str,
    paths: Sequence[str],
    samples: int,
    seed: int,
) -> list[dict[str, float]]:
    """``samples`` parameter sets drawn with the weights of ``variant``'s final generation.

    Args:
        particles: the calibration's particle table.
        variant: which variant's posterior.
        paths: the columns to return (calibrated and fixed paths).
        samples: how many draws.
        seed: the seed of the draw.
    """
    final = final_particles(particles, variant)
    picked = final.iloc[weighted_indices(final["weight"], samples, seed)]
    return [{p: float(row[p]) for p in paths} for _, row in picked.iterrows()]
