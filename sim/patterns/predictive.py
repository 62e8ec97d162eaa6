"""Posterior predictive checks of a pattern file: ``credsim patterns check FILE --posterior DIR``.

The held-out cases of issue 15 are never calibrated on, but a calibration's
posterior can still be carried to them: ``--samples`` parameter sets are
drawn with the weights of the calibration's final generation (variant
``--variant``; ``link.beta`` included, so the link is the calibrated one),
every pattern is simulated at each draw, and each pattern gets its
predictive median and 90% interval and the share of draws that pass
(``|simulated - observed| <= tolerance``). A pattern is *covered* when its
observed value lies in the predictive interval widened by its tolerance.
Writes ``predictive.csv`` (one row per pattern), ``draws.csv`` (one row
per draw: ``draw``, the drawn value of each calibrated path, ``link.beta``
included, then each pattern's simulated statistic) and ``predictive.png`` (the calibration report's
predictive figure: each pattern's band and median in tolerances from the
observed value, calibration and held-out patterns in separate panels) to
``--out``. Exit 0, or with ``--strict`` 1 when any pattern is not covered (the
posterior counterpart of a failing pattern).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.errors import InputError

if TYPE_CHECKING:
    from sim.patterns.schema import PatternFile

LEVEL = 0.90
LINK_BETA = "link.beta"


def posterior_draws(
    folder: Path, variant: str | None, samples: int, seed: int
) -> tuple[str, list[dict]]:
    """The variant and ``samples`` weighted draws of it (scenario paths, fixed values
    and ``link.beta``).

    Raises:
        InputError: the folder holds no finished calibration, or the variant is unknown.
    """
    from sim.calibrate import posterior
    from sim.scenario.schema import allowed, suggest

    try:
        manifest, particles = posterior.read_finished(folder)
    except InputError as exc:
        from sim.results import inside_text

        # The folder above a calibration's (results/calibrate/<name>/ when it ran without
        # --out): those inside it are named, as a posterior design's refusal names them
        # (an outside check, decision 918).
        inside = inside_text(folder, "calibrations", "calibration", 2)
        raise InputError(f"--posterior {folder}: {exc.message}{inside}") from None
    variants: dict[str, dict[str, float]] = manifest["variants"]
    names = list(variants)
    chosen = variant or (names[0] if len(names) == 1 else None)
    if chosen is None or chosen not in variants:
        what = (
            f"unknown variant '{variant}'"
            if variant
            else f"the calibration in {folder} has several variants"
        )
        raise InputError(
            f"--variant: {what}; pass --variant NAME, one of "
            f"{allowed(names, len(names))}{suggest(variant or '', names)}"
        )
    paths = list(manifest["resolved"]["parameters"])
    fixed = {p: float(v) for p, v in variants[chosen].items()}
    return chosen, [
        {**fixed, **point}
        for point in posterior.draw_points(particles, chosen, paths, samples, seed)
    ]


def unfitted_note(pf: PatternFile, folder: Path) -> str | None:
    """A note when ``pf`` is not among the pattern files the calibration in ``folder``
    was fitted to, so that its "calibration patterns" are out of sample too (None when
    it is one of them, or the calibration's own list cannot be read).

    A file is the calibration's when its path, as the calibration read it (from the
    folder it ran in), is ``pf``'s or holds the same bytes, or when that file is gone
    and the names match. The check ran without a word on a pattern file the
    calibration never saw (an audit, decision 788): a legitimate out-of-sample check,
    but its table's heading "calibration patterns" (the file's own roles) read as
    fitted ones.
    """
    from sim.integrity import read_json

    manifest = read_json(folder / "manifest.json") or {}
    files = manifest.get("pattern_files")
    if not isinstance(files, list) or not files:
        return None
    ran_in = Path(str(manifest.get("cwd") or "."))
    own = Path(pf.path).resolve()
    content = own.read_bytes()
    for name in files:
        path = (ran_in / str(name)).resolve()
        if path == own or (not path.exists() and path.name == own.name):
            return None
        with contextlib.suppress(OSError):  # a copy of it elsewhere
            if path.read_bytes() == content:
                return None
    fitted = ", ".join(Path(str(name)).name for name in files)
    return (
        f"pattern file '{Path(pf.path).name}' is not one the calibration in {folder} was "
        f"fitted to ({fitted}): every one of its patterns, the ones its file calls "
        "calibration patterns included, is out of sample under this posterior"
    )


def predictive_table(observed: pd.DataFrame, draws: pd.DataFrame) -> pd.DataFrame:
    """Per pattern: observed, tolerance, predictive median and interval, share passing.

    Args:
        observed: :func:`sim.patterns.observed_statistics` (index ``id``; role,
            observed, tolerance).
        draws: one row per draw, one column per pattern id (simulated values).
    """
    tail = (1 - LEVEL) / 2
    rows = []
    for pid, obs in observed.iterrows():
        values = draws[pid].to_numpy(dtype=float)
        low, mid, high = np.nanquantile(values, [tail, 0.5, 1 - tail])
        tol = float(obs["tolerance"])
        rows.append(
            {
                "id": pid,
                "role": obs["role"],
                "observed": float(obs["observed"]),
                "tolerance": tol,
                "median": mid,
                "low": low,
                "high": high,
                "share_pass": float(np.mean(np.abs(values - obs["observed"]) <= tol)),
                "covered": bool(low - tol <= obs["observed"] <= high + tol),
            }
        )
    return pd.DataFrame(rows).set_index("id")


def _figure(name: str, variant: str, table: pd.DataFrame, draws: int, reps: int) -> bytes:
    """The calibration report's predictive figure of ``table`` (``draws`` posterior
    draws, each simulated ``reps`` times), as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.calibrate.figures import draws_note, predictive_figure
    from sim.plots.figure import rendered, set_theme

    checks = pd.DataFrame(
        {
            "variant": variant,
            "pattern": [f"{name}/{pid}" for pid in table.index],
            "role": table["role"],
            "observed": table["observed"],
            "tolerance": table["tolerance"],
            "q05": table["low"],
            "q95": table["high"],
            "discrepancy": (table["median"] - table["observed"]) / table["tolerance"],
        }
    )
    set_theme()
    return rendered(predictive_figure(checks, COVERED_CAPTION + draws_note(draws, reps)))


# What `covered` (predictive.csv, the summary line) is, in the figure's terms: the audit of
# decision 586 found a pattern "covered" whose median lay two tolerances off, under a
# caption that spoke only of the median (decision 588).
COVERED_CAPTION = (
    "Posterior predictive draws against the observed statistics, in tolerances: a "
    "pattern's median in the grey band is a pass; a pattern is covered (predictive.csv) "
    "when its 90% band reaches the grey band, i.e. the observed value lies in the "
    "predictive interval widened by the tolerance."
)


def _check_paths(pf: PatternFile, draws: list[dict], folder: str) -> None:
    """Every path the calibration draws must be a value of the pattern file's scenario
    (a calibration on another case may fit an event of its own).

    Raises:
        InputError: naming the calibration, the pattern file's scenario and the path.
    """
    from sim.scenario.loader import load_scenario

    overrides = {p: v for p, v in draws[0].items() if p != LINK_BETA}
    try:
        load_scenario(pf.base_scenario, overrides)
    except InputError as exc:
        raise InputError(
            f"--posterior {folder}: its parameter sets do not fit scenario "
            f"'{pf.base_scenario.name}' of pattern file '{pf.name}': {exc}"
        ) from None


def cli_predictive(args: argparse.Namespace, pf: PatternFile, votes: Any, out: Path) -> int:
    """Draw, simulate (on ``--engine``), print and write (module docstring); returns 0, or 1
    with ``--strict`` when a pattern is not covered."""
    from sim.compiling import CompileTimer, compiled_text
    from sim.fileio import atomic_write_bytes, atomic_write_text, replacing
    from sim.patterns import observed_statistics, prepare, simulate_statistics, with_observed_is
    from sim.patterns.check import PREDICTING, print_notes, role_sections, say_scenario_notes
    from sim.sweep.progress import Progress

    if args.samples < 1:
        raise InputError(f"--samples must be >= 1, got {args.samples}")
    if args.overrides:
        raise InputError("--set and --posterior do not mix: the posterior sets the values")
    variant, draws = posterior_draws(Path(args.posterior), args.variant, args.samples, args.seed)
    _check_paths(pf, draws, args.posterior)
    observed = observed_statistics(pf, votes)
    say_scenario_notes([pf])
    simulated = []
    # A cold cache's compile is said, and left out of runs/s, as a sweep's (decision 727).
    timer = CompileTimer(announce=True)
    progress = Progress(
        len(draws) * args.reps, compiling=timer.during, compiled=compiled_text(args.engine, "runs")
    )
    with timer:
        for k, draw in enumerate(draws):
            beta = draw.get(LINK_BETA)
            overrides = {p: v for p, v in draw.items() if p != LINK_BETA}
            values = simulate_statistics(
                pf,
                overrides,
                beta=beta,
                reps=args.reps,
                seed=args.seed + k,
                votes=votes,
                engine=args.engine,
                on_run=lambda: progress.update(False),
            )
            simulated.append({"draw": k, **draw, **values})
    progress.clear()
    frame = pd.DataFrame(simulated)
    table = with_observed_is(predictive_table(observed, frame), pf)
    print(
        f"pattern file '{pf.name}': posterior predictive from {args.posterior}, "
        f"{len(draws)} draws x {args.reps} replicate(s)"
    )
    print("\n".join(role_sections(table)))
    print_notes(pf, prepare(pf, votes), observed)
    note = unfitted_note(pf, Path(args.posterior))
    if note:
        print(f"credsim: note: {note}", file=sys.stderr)
    # In place of an earlier posterior check's files, never beside some of them when killed
    # midway (as a plain check's, sim.patterns.check._write).
    earlier = [out / name for name in ("draws.csv", "predictive.csv", "predictive.png")]
    with replacing(out, PREDICTING, earlier, [pf.name]):
        atomic_write_text(out / "predictive.csv", table.reset_index().to_csv(index=False))
        atomic_write_text(out / "draws.csv", frame.to_csv(index=False))
        atomic_write_bytes(
            out / "predictive.png", _figure(pf.name, variant, table, len(draws), args.reps)
        )
    covered = int(table["covered"].sum())
    print(
        f"{covered} of {len(table)} patterns covered (the observed value within the 90% "
        f"predictive interval widened by the tolerance); {progress.counted()}; results in {out}"
    )
    return 1 if args.strict and covered < len(table) else 0
