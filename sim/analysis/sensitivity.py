"""Global sensitivity indices of a sweep: Sobol (Saltelli 2002; Jansen 1999) and Morris (1991).

``credsim analyze RESULTS --method sobol|morris`` reads a sweep run with the
matching design, averages the replicates of every design point, and hands
each summary metric to SALib's ``analyze`` with the same ``problem`` the
design was sampled from (:mod:`sim.sweep.design`):

- sobol: first-order ``S1`` and total ``ST`` indices with their bootstrap
  95% intervals (``calc_second_order=False``, as sampled);
- morris: ``mu_star`` (mean absolute elementary effect, Campolongo et al.
  2007), its bootstrap interval, and ``sigma``.

The table (one row per scenario, metric and parameter) is written to
``RESULTS/analysis/sensitivity_<method>.parquet`` and ``.csv`` and printed.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import InputError, fixed
from sim.fileio import (
    atomic_write_bytes,
    atomic_write_text,
    refuse_folders_in_the_way,
    write_parquet,
)
from sim.integrity import done_text, repair_hint, require_intact, status_text
from sim.results import (
    SENSITIVITY_COLUMNS,
    Results,
    read_manifest,
    read_runs,
    read_table,
    require_readable_tables,
    summary_metrics,
)
from sim.sweep.design import problem, salib_seed

METHODS = ("sobol", "morris")
COLUMNS = SENSITIVITY_COLUMNS
RESAMPLES = 100
# Rows printed when no figure metric is in the table (the files hold every row).
PRINTED_ROWS = 40
CONF_LEVEL = 0.95


def problem_of(design: dict[str, Any]) -> dict[str, Any]:
    """SALib's problem mapping from a manifest's ``design`` entry."""
    return problem(
        {p: (float(v["low"]), float(v["high"])) for p, v in design["parameters"].items()}
    )


def point_means(
    runs: pd.DataFrame, points: pd.DataFrame, varied: Sequence[str], metrics: Sequence[str]
) -> pd.DataFrame:
    """Every design point's metrics averaged over its finished replicates.

    Points are matched by their parameter values, not their index, so Morris
    points that coincide (and were run once) each get the shared runs' mean.

    Args:
        runs: the runs of one scenario (``status == "ok"`` only are used).
        points: the design, one row per point in sample order, columns ``varied``.

    Returns:
        One row per design point (same order), columns ``metrics``; NaN where a
        point has no finished run.
    """
    ok = runs[runs["status"] == "ok"]
    means = ok.groupby(list(varied), sort=False)[list(metrics)].mean().reset_index()
    merged = points[list(varied)].merge(means, on=list(varied), how="left", validate="many_to_one")
    return merged[list(metrics)]


def indices(
    method: str,
    prob: dict[str, Any],
    matrix: np.ndarray,
    outputs: np.ndarray,
    *,
    levels: int = 4,
    seed: int = 1,
    resamples: int = RESAMPLES,
) -> dict[str, np.ndarray]:
    """SALib's indices of one output: ``COLUMNS[method]``, one value per parameter.

    Args:
        matrix: the sample matrix, shape (points, parameters) (used by morris).
        outputs: the output at each point, shape (points,).
        resamples: bootstrap resamples for the confidence intervals.
    """
    from SALib.analyze import morris, sobol

    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # Bootstrap resamples of a nearly flat output divide by (almost) zero variance, and
        # SALib says so once per resample; a flat output is reported as NaN by the caller.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        if method == "sobol":
            res = sobol.analyze(
                prob,
                outputs,
                calc_second_order=False,
                num_resamples=resamples,
                conf_level=CONF_LEVEL,
                seed=seed,
            )
        else:
            res = morris.analyze(
                prob,
                matrix,
                outputs,
                num_resamples=resamples,
                conf_level=CONF_LEVEL,
                num_levels=levels,
                seed=seed,
            )
    return {c: np.asarray(res[c], dtype=float) for c in COLUMNS[method]}


def sensitivity_table(
    method: str,
    manifest: dict[str, Any],
    runs: pd.DataFrame,
    points: pd.DataFrame,
) -> pd.DataFrame:
    """The indices of every summary metric for every scenario of a sweep.

    Returns:
        Columns ``scenario, metric, parameter`` then ``COLUMNS[method]``.

    Raises:
        InputError: the sweep's design is not ``method``.
    """
    design = manifest["design"]
    if design["method"] != method:
        raise InputError(
            f"this sweep used a '{design['method']}' design; --method {method} needs a sweep "
            f"with design method '{method}' (its samples are what the indices are computed from)"
        )
    varied = list(manifest["varied"])
    prob = problem_of(design)
    matrix = points[varied].to_numpy(dtype=float)
    metrics = summary_metrics(runs, varied)
    seed = salib_seed(int(manifest["seed"]))
    rows: list[dict[str, Any]] = []
    for scenario in manifest["scenarios"]:
        means = point_means(runs[runs["scenario"] == scenario], points, varied, metrics)
        for metric in metrics:
            y = means[metric].to_numpy(dtype=float)
            # Sobol indices are shares of a variance; an output that never moves has none
            # (SALib would report 0, which reads as "no influence").
            if np.isnan(y).any() or (method == "sobol" and np.ptp(y) == 0):
                found = {c: np.full(len(varied), np.nan) for c in COLUMNS[method]}
            else:
                found = indices(
                    method, prob, matrix, y, levels=design.get("levels") or 4, seed=seed
                )
            for i, parameter in enumerate(varied):
                rows.append(
                    {"scenario": scenario, "metric": metric, "parameter": parameter}
                    | {c: float(found[c][i]) for c in COLUMNS[method]}
                )
    return pd.DataFrame(rows, columns=["scenario", "metric", "parameter", *COLUMNS[method]])


def uninformative_rows(table: pd.DataFrame) -> pd.Series:
    """Rows of a Sobol table whose S1 or ST the sample cannot estimate.

    A first-order or total index is a share of a variance, between 0 and 1.
    A row is flagged when an index's 95% bootstrap interval is wider than
    that whole range (half-width above 0.5: it excludes no possible value),
    or lies wholly outside it (only sampling error gives that). Either says
    the design's samples are too few for that metric (decision 486).
    """
    flagged = pd.Series(False, index=table.index)
    for name in ("S1", "ST"):
        value, half = table[name], table[f"{name}_conf"]
        flagged |= ((half > 0.5) | (value + half < 0) | (value - half > 1)).fillna(False)
    return flagged


def cli_analyze(args: argparse.Namespace) -> int:
    """``credsim analyze RESULTS --method sobol|morris``: write and print the indices."""
    folder = Path(args.results)
    manifest = read_manifest(folder)
    require_readable_tables(folder)
    require_intact(folder)
    if manifest["kind"] != "sweep":
        raise InputError(f"'{folder}' holds a single run; analyze needs a sweep's results folder")
    design_file = folder / "design.parquet"
    if not design_file.is_file():
        raise InputError(f"'{folder}' has no design.parquet; was it written by 'credsim sweep'?")
    if manifest.get("status") != "complete":
        raise InputError(
            f"the sweep in '{folder}' is {status_text(folder, manifest)} "
            f"({done_text(folder, manifest)}); run the same sweep "
            "command again to finish it"
        )
    # The folder is read (and its checksums verified) once: the table and the figures share it.
    results = Results(path=folder, manifest=manifest, runs=read_runs(folder, manifest))
    design = read_table(design_file, repair_hint(manifest, folder))
    try:
        table = sensitivity_table(args.method, manifest, results.runs, design)
    except InputError as exc:
        raise exc.located(str(folder)) from None
    out = folder / "analysis" / f"sensitivity_{args.method}"
    refuse_folders_in_the_way(
        {out.with_suffix(s): f"the {args.method} indices' table" for s in (".parquet", ".csv")}
    )
    write_parquet(table, out.with_suffix(".parquet"))
    atomic_write_text(out.with_suffix(".csv"), table.to_csv(index=False))
    from sim.plots.gallery import sensitivity_metrics

    metrics = sensitivity_metrics(results)
    figures = _draw(results, args.method, metrics)
    # The figures' metrics on the terminal; every metric is in the files.
    shown = table[table["metric"].isin(metrics)]
    shown = shown if not shown.empty else table.head(PRINTED_ROWS)
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(shown.to_string(index=False, float_format=fixed))
    if len(shown) < len(table):
        print(f"({len(shown)} of {len(table)} rows shown: the metrics of the figures)")
    missing = table[COLUMNS[args.method][0]].isna()
    if missing.any():
        print(
            f"credsim: note: {int(missing.sum())} rows have no index (a metric that does not "
            "vary, or a design point without a finished run)",
            file=sys.stderr,
        )
    if args.method == "sobol" and (flagged := uninformative_rows(table)).any():
        names = table.loc[flagged, "metric"].unique()
        print(
            f"credsim: note: {int(flagged.sum())} rows (metrics {', '.join(names[:3])}"
            f"{', ...' if len(names) > 3 else ''}) have an index whose 95% interval is wider "
            "than [0, 1], the range of a share, or lies outside it: "
            f"{manifest['design'].get('samples')} design samples are too few to estimate "
            "them; run the sweep with more",
            file=sys.stderr,
        )
    print(
        f"{args.method} indices of {table['metric'].nunique()} metrics written to "
        f"{out.with_suffix('.parquet')} and .csv"
        + (f"; bar charts {', '.join(p.name for p in figures)}" if figures else "")
    )
    return 0


def _draw(results: Results, method: str, metrics: Sequence[str]) -> list[Path]:
    """The bar charts of the indices just written, as ``credsim plot`` draws them, into
    ``analysis/`` (``sensitivity_<method>[_<part>].png``), each with its caption drawn
    under it (a file of its own, which no report page or ``captions.md`` captions);
    returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots.figure import add_caption, rendered
    from sim.plots.gallery import sensitivity_entries
    from sim.plots.report import FigureProgress

    written = []
    entries = list(sensitivity_entries(results, method, metrics))
    # Figures done of all on a terminal, as `credsim plot` shows them (decision 813).
    progress = FigureProgress()
    progress.total = len(entries)
    for entry in entries:
        path = results.path / "analysis" / f"{entry.stem}.png"
        add_caption(entry.figure, entry.caption)
        atomic_write_bytes(path, rendered(entry.figure))
        written.append(path)
        progress.update(failed=False)
    progress.clear()
    return written


__all__ = ["cli_analyze", "indices", "point_means", "sensitivity_table", "uninformative_rows"]
