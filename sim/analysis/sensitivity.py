"""Global sensitivity indices of a sweep: Sobol (Saltelli 2002; Jansen 1999) and Morris (1991).

``credsim analyze RESULTS --method sobol|morris`` reads a sweep run with the
matching design, averages the replicates of every design point, and hands
each summary metric to SALib's ``analyze`` with the same ``problem`` the
design was sampled from (:mod:`sim.sweep.design`):

- sobol: first-order ``S1`` and total ``ST`` indices with their bootstrap
  95% intervals (``calc_second_order=False``, as sampled);
- morris: ``mu_star`` (mean absolute elementary effect, Campolongo et al.
  2007), its bootstrap interval, and ``sigma``.

When the sweep's experiment asks a ``question:`` (``difference: [a, b]``, a
metric, a date for a series metric), the table also holds the indices of its
answer, the paired difference ``a - b`` in the question's own order (the
report's "a minus b"): each finished run of ``a`` minus the run of ``b`` at
the same design point and replicate (the same seeds), averaged over each
design point's replicates, handed to SALib with the same ``problem``. Its rows
come first; their ``scenario`` is ``"a - b"`` (``"historical - abstained"``:
spaces around the minus, which no scenario name can hold) and their
``metric`` the question's metric (``"trust_mean.Russia.all in 2020-06"`` for
a series metric asked at a date). A design point where no pair of runs
finished gives NaN indices, as a metric's point without a finished run does;
one where some replicates' pairs finished takes the mean of those pairs, as a
metric's point takes the mean of its finished runs. The difference's bar
chart is ``analysis/sensitivity_<method>_difference.png``
(:func:`sim.plots.gallery.sensitivity_entries`), titled "a minus b (paired
difference)". ``sim.findings`` takes its claim-1 Sobol indices from
:func:`difference_means` too, with its own seed and resamples.

The table (one row per scenario, metric and parameter) is written to
``RESULTS/analysis/sensitivity_<method>.parquet`` and ``.csv`` and printed,
the question's rows first.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.analysis.paired import PAIR_KEYS, metric_values, paired_differences
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
    sample = Sample.of(manifest, points)
    metrics = summary_metrics(runs, sample.varied)
    rows: list[dict[str, Any]] = []
    for scenario in manifest["scenarios"]:
        means = point_means(runs[runs["scenario"] == scenario], points, sample.varied, metrics)
        for metric in metrics:
            found = output_indices(method, sample, means[metric].to_numpy(dtype=float))
            rows += _rows(scenario, metric, sample.varied, method, found)
    return _table(rows, method)


@dataclass(frozen=True)
class Sample:
    """What SALib's ``analyze`` gets beside an output, the same for every output of a
    sweep: the varied parameters, the design's ``problem``, its sample matrix (Morris),
    its levels and the bootstrap's seed (the experiment seed's :func:`salib_seed`)."""

    varied: list[str]
    prob: dict[str, Any]
    matrix: np.ndarray
    levels: int
    seed: int

    @classmethod
    def of(cls, manifest: Mapping[str, Any], points: pd.DataFrame) -> Sample:
        """The sample of a sweep's ``manifest`` and its design (``design.parquet``)."""
        design = manifest["design"]
        varied = list(manifest["varied"])
        return cls(
            varied=varied,
            prob=problem_of(design),
            matrix=points[varied].to_numpy(dtype=float),
            levels=design.get("levels") or 4,
            seed=salib_seed(int(manifest["seed"])),
        )


def output_indices(method: str, sample: Sample, outputs: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`indices` of one output at every design point, NaN where SALib's would not
    mean anything: a point without a value (no finished run), or a Sobol output that
    never moves (Sobol indices are shares of a variance, and it has none; SALib would
    report 0, which reads as "no influence")."""
    if np.isnan(outputs).any() or (method == "sobol" and np.ptp(outputs) == 0):
        return {c: np.full(len(sample.varied), np.nan) for c in COLUMNS[method]}
    return indices(
        method, sample.prob, sample.matrix, outputs, levels=sample.levels, seed=sample.seed
    )


def _rows(
    scenario: str,
    metric: str,
    varied: Sequence[str],
    method: str,
    found: Mapping[str, np.ndarray],
) -> list[dict[str, Any]]:
    """The table's rows of one output: one per parameter."""
    return [
        {"scenario": scenario, "metric": metric, "parameter": parameter}
        | {c: float(found[c][i]) for c in COLUMNS[method]}
        for i, parameter in enumerate(varied)
    ]


def _table(rows: list[dict[str, Any]], method: str) -> pd.DataFrame:
    """The indices' table of ``rows`` (:func:`_rows`), its columns in order."""
    return pd.DataFrame(rows, columns=["scenario", "metric", "parameter", *COLUMNS[method]])


@dataclass(frozen=True)
class Difference:
    """An experiment's ``question:`` as the paired difference analyze gives indices of:
    ``metric`` (at ``date``, a series metric's month) in ``a`` minus the same in ``b``."""

    a: str
    b: str
    metric: str
    date: str | None = None

    @property
    def scenario(self) -> str:
        """The table's ``scenario`` of its rows: ``"a - b"``, the question's order."""
        return f"{self.a} - {self.b}"

    @property
    def name(self) -> str:
        """The table's ``metric`` of its rows: the question's metric (``in`` its date)."""
        return self.metric if self.date is None else f"{self.metric} in {self.date}"

    @property
    def words(self) -> str:
        """``historical minus abstained``, as the report's headline says it."""
        return f"{self.a} minus {self.b}"


def question_difference(manifest: Mapping[str, Any]) -> tuple[Difference | None, str]:
    """The paired difference a sweep's ``question:`` asks about, else ``None`` and why
    not (``""`` when the experiment asks no question).

    Every question the experiment file takes is one (``difference: [a, b]`` of two of
    its scenarios, checked at load); a manifest's that is not (written by hand, or by
    another version) is left out, said why.
    """
    question = (manifest.get("experiment") or {}).get("question") or {}
    if not question:
        return None, ""
    pair = question.get("difference")
    scenarios = list(manifest.get("scenarios") or [])
    if (
        not isinstance(pair, list)
        or len(pair) != 2
        or pair[0] == pair[1]
        or not all(name in scenarios for name in pair)
        or not isinstance(question.get("metric"), str)
    ):
        return None, (
            "the experiment's question is left out: it is not a difference of two of the "
            f"sweep's scenarios ({', '.join(scenarios)}) in one metric"
        )
    date = question.get("date")
    return Difference(str(pair[0]), str(pair[1]), question["metric"], date and str(date)), ""


def difference_pairs(results: Results, difference: Difference) -> pd.DataFrame:
    """``a - b`` run by run: the finished runs of ``a`` paired with those of ``b`` at the
    same design point and replicate (:func:`~sim.analysis.paired.paired_differences`),
    sorted by point and replicate; ``a``'s run columns and ``difference``.

    Raises:
        InputError: the folder lacks the metric (a series metric without its series).
    """
    values = metric_values(results, difference.metric, difference.date)
    # paired_differences gives its second scenario minus its first: b first, a second.
    pairs = paired_differences(results.ok_runs, values, difference.b, difference.a)
    return pairs.sort_values(PAIR_KEYS, kind="stable").reset_index(drop=True)


def difference_means(
    results: Results, points: pd.DataFrame, difference: Difference
) -> npt.NDArray[np.float64]:
    """:func:`difference_pairs` averaged over each design point's replicates, one value
    per row of ``points`` (the design, in sample order), as :func:`point_means` matches
    them; NaN at a point where no pair of runs finished."""
    pairs = difference_pairs(results, difference)
    means = point_means(pairs, points, results.varied, ["difference"])
    return means["difference"].to_numpy(dtype=np.float64)


def difference_table(
    method: str, results: Results, points: pd.DataFrame, difference: Difference
) -> pd.DataFrame:
    """The indices of the question's paired difference, rows as :func:`sensitivity_table`
    gives a metric's, ``scenario`` ``"a - b"`` (:attr:`Difference.scenario`) and
    ``metric`` the question's (:attr:`Difference.name`)."""
    sample = Sample.of(results.manifest, points)
    found = output_indices(method, sample, difference_means(results, points, difference))
    return _table(_rows(difference.scenario, difference.name, sample.varied, method, found), method)


def unindexed_text(results: Results, points: pd.DataFrame, difference: Difference) -> str:
    """Why the question's difference has no index: the design points where no pair of
    runs finished, or an output that does not vary over the design (Sobol); and that it
    has no chart."""
    means = difference_means(results, points, difference)
    unpaired = points.loc[np.isnan(means), "point"].astype(int).tolist()
    if unpaired:
        listed = ", ".join(map(str, unpaired[:5])) + (", ..." if len(unpaired) > 5 else "")
        why = (
            f"no pair of runs finished at {len(unpaired)} of the {len(points)} design points "
            f"(point{'s' if len(unpaired) > 1 else ''} {listed})"
        )
    else:
        why = "it does not vary over the design"
    return (
        f"the question's difference ({difference.scenario}) has no index: {why}; "
        "no chart of it is drawn"
    )


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


def outside_text(table: pd.DataFrame, flagged: pd.Series) -> str:
    """The note on rows of a Sobol table whose S1 or ST estimate lies outside [0, 1] while
    its interval still reaches into it, so :func:`uninformative_rows` does not flag them
    (``""`` when none): the terminal flagged 10 rows and was silent on 20 others with S1
    about 1.16, which the chart's caption counted (an outside check, decision 940)."""
    outside = pd.Series(False, index=table.index)
    for name in ("S1", "ST"):
        outside |= ((table[name] < 0) | (table[name] > 1)).fillna(False)
    rows = outside & ~flagged
    if not rows.any():
        return ""
    n = int(rows.sum())
    other = "other " if flagged.any() else ""
    return (
        f"{n} {other}{'row has' if n == 1 else 'rows have'} an S1 or ST estimate "
        "outside [0, 1], the range of a share (the charts draw it at the bound): sampling "
        "error, within its 95% interval; more design samples narrow it"
    )


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
    difference, why = question_difference(manifest)
    if difference is not None:
        try:
            asked = difference_table(args.method, results, design, difference)
        except InputError as exc:  # a series metric the folder holds no series of
            difference, why = None, f"the experiment's question is left out: {exc}"
        else:
            # The headline quantity's rows first, in the files as on the terminal.
            table = pd.concat([asked, table], ignore_index=True)
    out = folder / "analysis" / f"sensitivity_{args.method}"
    refuse_folders_in_the_way(
        {out.with_suffix(s): f"the {args.method} indices' table" for s in (".parquet", ".csv")}
    )
    write_parquet(table, out.with_suffix(".parquet"))
    atomic_write_text(out.with_suffix(".csv"), table.to_csv(index=False))
    from sim.plots.gallery import sensitivity_metrics

    metrics = sensitivity_metrics(results)
    figures = _draw(results, args.method, metrics)
    # The question's difference and the figures' metrics on the terminal, the difference
    # first; every metric is in the files.
    label = difference.scenario if difference is not None else ""
    mine = table["scenario"] == label  # no scenario is named ""
    shown = table[mine | table["metric"].isin(metrics)]
    shown = shown if len(shown) > mine.sum() else table.head(PRINTED_ROWS + int(mine.sum()))
    if difference is not None:
        print(
            f"rows '{difference.scenario}': the question's paired difference, "
            f"{difference.name} of {difference.words}, run by run (the same design point "
            "and replicate), averaged over each point's replicates"
        )
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(shown.to_string(index=False, float_format=fixed))
    if len(shown) < len(table):
        what = "the question's difference and " if difference is not None else ""
        print(f"({len(shown)} of {len(table)} rows shown: {what}the metrics of the figures)")
    if why:
        print(f"credsim: note: {why}", file=sys.stderr)
    if results.failed_text:
        # compare and check said so, analyze not (an outside check, decision 1021).
        print(
            f"credsim: note: {results.failed_text.removesuffix('.')}; each design point's "
            "indices take the mean of its replicates that finished",
            file=sys.stderr,
        )
    missing = table[COLUMNS[args.method][0]].isna()
    if difference is not None and missing[mine].any():
        print(f"credsim: note: {unindexed_text(results, design, difference)}", file=sys.stderr)
    if (missing & ~mine).any():
        print(
            f"credsim: note: {int((missing & ~mine).sum())} rows have no index (a metric that "
            "does not vary, or a design point without a finished run)",
            file=sys.stderr,
        )
    if args.method == "sobol" and (flagged := uninformative_rows(table)).any():
        # The difference's rows share their metric's name with the scenarios' rows: said
        # apart, so that the note says which rows it means.
        names = table.loc[flagged & ~mine, "metric"].unique()
        which = [f"the question's difference '{label}'"] if (flagged & mine).any() else []
        if len(names):
            which.append(f"metrics {', '.join(names[:3])}{', ...' if len(names) > 3 else ''}")
        print(
            f"credsim: note: {int(flagged.sum())} rows ({' and '.join(which)}) have an index "
            "whose 95% interval is wider "
            "than [0, 1], the range of a share, or lies outside it: "
            f"{manifest['design'].get('samples')} design samples are too few to estimate "
            "them; run the sweep with more",
            file=sys.stderr,
        )
    if args.method == "sobol" and (beyond := outside_text(table, uninformative_rows(table))):
        print(f"credsim: note: {beyond}", file=sys.stderr)
    print(
        f"{args.method} indices of {table.loc[~mine, 'metric'].nunique()} metrics"
        + (f" and of the question's difference ({label})" if mine.any() else "")
        + " written to "
        f"{out.with_suffix('.parquet')} and .csv"
        + (f"; bar charts {', '.join(p.name for p in figures)}" if figures else "")
    )
    return 0


def _draw(results: Results, method: str, metrics: Sequence[str]) -> list[Path]:
    """The bar charts of the indices just written, as ``credsim plot`` draws them, into
    ``analysis/`` (``sensitivity_<method>_difference.png`` of the question's difference,
    then ``sensitivity_<method>[_<part>].png``), each with its caption drawn
    under it (a file of its own, which no report page or ``captions.md`` captions);
    returns their paths."""
    import matplotlib

    matplotlib.use("Agg")
    from sim.plots.figure import add_caption, rendered
    from sim.plots.gallery import difference_left_out, sensitivity_entries
    from sim.plots.report import FigureProgress

    written = []
    entries = list(sensitivity_entries(results, method, metrics))
    # The question's difference chart left out as flat, said as the page says it (decision
    # 990); one left out as it has no index is said by the caller.
    for note in difference_left_out(results, (method,), indexed=True):
        print(f"credsim: note: {note}", file=sys.stderr)
    # Figures done of all on a terminal, as `credsim plot` shows them (decision 813).
    progress = FigureProgress()
    progress.total = len(entries)
    for entry in entries:
        path = results.path / "analysis" / f"{entry.stem}.png"
        add_caption(entry.figure, entry.caption)
        # A figure too wide for --width is named by its file (decision 956).
        atomic_write_bytes(path, rendered(entry.figure, name=f"analysis/{path.name}"))
        written.append(path)
        progress.update(failed=False)
    progress.clear()
    # Charts of an earlier analyze that this one did not draw again: a page-width one split
    # into six parts left parts 3-6 beside a default one's two (decision 960).
    earlier = re.compile(rf"sensitivity_{method}(_\d+|_difference)?\.png")
    for old in (results.path / "analysis").glob(f"sensitivity_{method}*.png"):
        if earlier.fullmatch(old.name) and old not in written and old.is_file():
            old.unlink()
    return written


__all__ = [
    "Difference",
    "Sample",
    "cli_analyze",
    "difference_means",
    "difference_pairs",
    "difference_table",
    "indices",
    "output_indices",
    "point_means",
    "question_difference",
    "sensitivity_table",
    "uninformative_rows",
]
