"""``credsim compare``: one metric across results folders, the scenarios of one sweep,
or the values of one varied parameter.

Each *sample* is the finished runs of one scenario in one folder, fixed at
``--at PATH=VALUE`` where given. ``--by PATH`` splits every comparison by
the values of a varied parameter (a row per value); a sweep of one
scenario with ``--by`` compares the parameter's values with each other
instead. The metric is a flattened summary metric (``final_trust.Russia.all``,
one value per run), or a series metric written ``metric.power.group``
(``trust_mean.Russia.all``; ``effective_poles.all`` for model-level rows),
whose per-run value is its value at the last step. Without ``--metric`` it
is the experiment's question metric, else the final trust in the scenario's
first power among all states (:func:`default_metric`).

Two samples are *paired* when every run of one has a partner in the other
with the same design point and replicate (within a sweep: same ``point``
and ``replicate``; across folders: the same varied values, replicate and
seed; across values of ``--by``: the same other values and replicate), so
the pair shares its random stream (common random numbers). Paired samples
give the mean of the run-by-run differences (second minus first) with a
bootstrap 95% interval of that mean (:func:`scipy.stats.bootstrap`,
percentile method, resampling pairs) and a two-sided Wilcoxon signed-rank
test. Samples that are not paired are compared as before: difference of
means, bootstrap interval resampling runs within each sample, two-sided
Mann-Whitney U. Beside the bootstrap interval the table gives the Student t
95% interval (``t_low``, ``t_high``; Welch's when unpaired), which the figure's
header and the terminal give first with fewer than :data:`FEW_RUNS` runs a
side, where the percentile bootstrap's reaches no further than the runs. Run-by-
run differences within :data:`AGREEMENT` of zero are taken as none (``zeroed``
counts them). Every table row says which (``pairing``) and what was
pooled (``pooled``: the varied parameters neither fixed by ``--at`` nor
split by ``--by``). The figure draws the metric's series of every sample on
one calendar (a windowed metric's window shaded), next to the per-run
values (a row per sample, its name beside it: the runs as points, the mean as
a line with its Student t 95% interval as a whisker, on a value axis scaled to
the runs, not from 0); split by ``--by``, a row per value, each drawing that
value's runs. Samples of several folders of several scenarios each take a grey
and a marker per folder and a line style per scenario (:func:`sample_looks`).
The caption drawn under it names the folders as the samples do; their paths are
written under the table.

Folders can be compared only when every sample has the metric and all
scenarios share one calendar (same start, end and step); anything else is
refused with an :class:`~sim.errors.InputError`.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import re
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from sim.analysis.paired import (
    DesignValue,
    metric_values,
    parse_at,
    runs_at,
    t_interval,
    value_order,
    value_text,
)
from sim.catalogue import SERIES, parse_metric
from sim.errors import InputError, alike, refuse_empty
from sim.fileio import atomic_write_bytes, atomic_write_text, require_writable
from sim.integrity import refuse_results_folder
from sim.plots.figure import (
    DPI,
    MIN_AXES_IN,
    PAGE_HEIGHT_IN,
    TOO_TALL,
    TOO_WIDE,
    add_caption,
    date_axis,
    date_label,
    draw_band,
    fill_pages,
    group_phrase,
    group_phrases,
    lines_in,
    metric_label,
    page_columns,
    page_room,
    page_width,
    parameter_label,
    render,
    saved_size_in,
    series_label,
    set_theme,
    step_times,
    text_size_in,
    time_band,
)
from sim.plots.palette import sample_colors, scenario_linestyles
from sim.plots.sweeps import keep_span
from sim.results import RUN, Results, open_results, unfinished
from sim.scenario.schema import suggest

CONFIDENCE = 0.95
N_RESAMPLES = 9999
BOOTSTRAP_SEED = 20241208
TABLE_COLUMNS = [
    "metric",
    "by",
    "a",
    "b",
    "pairing",
    "pooled",
    "n_a",
    "n_b",
    "mean_a",
    "mean_b",
    "difference",
    "ci_low",
    "ci_high",
    "t_low",
    "t_high",
    "test",
    "statistic",
    "p_value",
    "p_method",
    "left_out",
    "point_low",
    "point_high",
    "zeroed",
]
# Below this many runs a side (pairs, when paired) the percentile bootstrap's interval is
# too narrow: it reaches no further than the runs themselves (two pairs give the two
# differences as its bounds), and its coverage falls well short of 95%. The table keeps it
# (experiments.md) and adds the Student t interval beside it, which the terminal and the
# figure then give as well (an outside check, decision 923).
FEW_RUNS = 10
# Run-by-run differences within this of zero are taken as none: the two engines agree to
# it (model.md; issue 13), and two folders of the same runs made by each differed by 1e-17,
# which compare reported with a Wilcoxon p and a change of sign (decision 923).
AGREEMENT = 1e-12
PAIRED = "paired"
UNPAIRED = "unpaired"


@dataclass(frozen=True)
class SeriesKey:
    """Which rows of the tidy series a metric reads: ``metric``, ``power``, ``group``."""

    metric: str
    power: str
    group: str


@dataclass
class Sample:
    """The finished runs of one scenario in one folder (at one value of ``--by`` when
    the values are the samples)."""

    label: str
    results: Results
    scenario: str
    level: tuple[str, DesignValue] | None = None


def series_key(metric: str) -> SeriesKey | None:
    """The series rows behind ``metric`` (summary or ``metric.power.group``), if any."""
    parsed = parse_metric(metric)
    if parsed is None:
        return None
    series = parsed.metric.name if parsed.metric.kind == SERIES else parsed.metric.series
    return None if series is None else SeriesKey(series, parsed.power, parsed.group)


def folder_names(folders: list[Results]) -> list[str]:
    """What the samples call each folder: its name, or its parent's and its own
    (``x/sweep``) when two folders share a name; never a whole path."""
    names = [r.path.name for r in folders]
    if len(set(names)) < len(names):
        names = ["/".join(r.path.resolve().parts[-2:]) for r in folders]
    return names


def _labels(folders: list[Results]) -> list[Sample]:
    samples = []
    for name, results in zip(folder_names(folders), folders, strict=True):
        finished = set(results.ok_runs["scenario"])
        scenarios = [s for s in results.scenarios if s in finished]
        for scenario in scenarios:
            if len(folders) == 1:
                label = scenario
            elif len(scenarios) > 1:
                label = f"{name}:{scenario}"
            else:
                label = name
            samples.append(Sample(label, results, scenario))
    return samples


def _check_calendars(samples: list[Sample]) -> None:
    def describe(s: Sample) -> str:
        c = s.results.calendar(s.scenario)
        return f"{c.start} to {c.end} by {c.step}"

    first = samples[0]
    for other in samples[1:]:
        if other.results.calendar(other.scenario) != first.results.calendar(first.scenario):
            raise InputError(
                f"cannot compare '{first.label}' ({describe(first)}) with '{other.label}' "
                f"({describe(other)}): calendars differ; compare needs the same start, end and step"
            )


def run_values(sample: Sample, metric: str) -> npt.NDArray[np.float64]:
    """The metric's value in each finished run of the sample.

    Raises:
        InputError: the folder has neither this summary metric nor its series.
    """
    return sample_runs(sample, metric, {})["value"].to_numpy(np.float64)


def sample_runs(sample: Sample, metric: str, fixed: dict[str, DesignValue]) -> pd.DataFrame:
    """The sample's finished runs at ``fixed`` values with the metric as ``value``."""
    runs = sample.results.ok_runs
    runs = runs_at(runs[runs["scenario"] == sample.scenario], fixed)
    if sample.level is not None:
        runs = runs_at(runs, dict([sample.level]))
    values = metric_values(sample.results, metric)
    return runs.assign(value=runs["run_id"].map(values).to_numpy(np.float64))


def _series_rows(sample: Sample, key: SeriesKey, run_ids: list[str]) -> pd.DataFrame | None:
    series = sample.results.series(metrics=[key.metric], groups=[key.group])
    if series is None:
        return None
    keep = (series["power"] == key.power) & series["run_id"].isin(run_ids)
    return series[keep]


def difference(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], seed: int = BOOTSTRAP_SEED
) -> dict[str, Any]:
    """``mean(b) - mean(a)`` with its bootstrap 95% interval, its Welch t 95% interval
    (``t_low``, ``t_high``) and a Mann-Whitney U test.

    With fewer than two runs in a sample there is nothing to resample: the
    intervals and the test are NaN.
    """
    diff = float(np.mean(b) - np.mean(a))
    out = {
        "difference": diff,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "t_low": np.nan,
        "t_high": np.nan,
        "mann_whitney_u": np.nan,
        "p_value": np.nan,
        "p_method": "",
    }
    if len(a) < 2 or len(b) < 2:
        return out
    if np.ptp(a) > 0 or np.ptp(b) > 0:
        welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(CONFIDENCE)
        out.update(t_low=float(welch.low), t_high=float(welch.high))
    else:
        out.update(t_low=diff, t_high=diff)
    result = stats.bootstrap(
        (a, b),
        lambda x, y, axis: np.mean(y, axis=axis) - np.mean(x, axis=axis),
        vectorized=True,
        paired=False,
        confidence_level=CONFIDENCE,
        n_resamples=N_RESAMPLES,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    test = stats.mannwhitneyu(a, b, alternative="two-sided")
    out.update(
        ci_low=float(result.confidence_interval.low),
        ci_high=float(result.confidence_interval.high),
        mann_whitney_u=float(test.statistic),
        p_value=float(test.pvalue),
        p_method=mann_whitney_method(a, b),
    )
    return out


# How scipy's rank tests take their p at method "auto" (scipy 1.18, stats._wilcoxon and
# stats._mannwhitneyu), said beside it: a compare of 15 pairs, five of them tied, gave
# p = 0.00065 from the normal approximation where the exact p is 6.1e-05, and nothing
# said which (an outside check; decision 998).
EXACT = "exact"
NORMAL = "normal approximation"
# A paired comparison whose differences are all zero: a rank test has nothing to rank.
NO_TEST = "none: every difference is 0"


def wilcoxon_method(differences: npt.NDArray[np.float64]) -> str:
    """:data:`EXACT` or :data:`NORMAL`: exact for at most 50 differences none of which is
    zero or tied in size with another, or (by permutation) at most 13 with either."""
    n = len(differences)
    if n > 50:
        return NORMAL
    sizes = np.abs(differences[differences != 0.0])
    if len(sizes) == n and len(np.unique(sizes)) == n:
        return EXACT
    return EXACT if n <= 13 else NORMAL


def mann_whitney_method(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> str:
    """:data:`EXACT` where either sample has fewer than 8 runs and no value is tied, else
    :data:`NORMAL`."""
    pooled = np.concatenate([a, b])
    tied = len(np.unique(pooled)) < len(pooled)
    return EXACT if min(len(a), len(b)) < 8 and not tied else NORMAL


def paired_difference(
    differences: npt.NDArray[np.float64], seed: int = BOOTSTRAP_SEED
) -> dict[str, Any]:
    """Mean of run-by-run ``differences`` with its bootstrap 95% interval (resampling
    pairs), its Student t 95% interval (``t_low``, ``t_high``) and a two-sided Wilcoxon
    signed-rank test; NaN intervals and test for fewer than two pairs, NaN test when
    every difference is zero."""
    out = {
        "difference": float(np.mean(differences)),
        "ci_low": np.nan,
        "ci_high": np.nan,
        "t_low": np.nan,
        "t_high": np.nan,
        "statistic": np.nan,
        "p_value": np.nan,
        "p_method": "",
    }
    if len(differences) < 2:
        return out
    _, t_low, t_high = t_interval(differences)
    out.update(t_low=t_low, t_high=t_high)
    result = stats.bootstrap(
        (differences,),
        lambda d, axis: np.mean(d, axis=axis),
        vectorized=True,
        confidence_level=CONFIDENCE,
        n_resamples=N_RESAMPLES,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    out.update(
        ci_low=float(result.confidence_interval.low), ci_high=float(result.confidence_interval.high)
    )
    if np.any(differences != 0.0):
        test = stats.wilcoxon(differences, alternative="two-sided")
        out.update(
            statistic=float(test.statistic),
            p_value=float(test.pvalue),
            p_method=wilcoxon_method(differences),
        )
    else:
        # The statistic and p left blank, said why in the table itself (an outside check
        # found the row's blanks unexplained on the terminal; decision 1021).
        out["p_method"] = NO_TEST
    return out


def pair_keys(first: Sample, second: Sample) -> list[str]:
    """What makes a run of ``first`` and one of ``second`` a pair (see the module)."""
    if first.level is not None and second.level is not None:
        others = [p for p in first.results.varied if p != first.level[0]]
        return [*others, "replicate"]
    if first.results is second.results:
        return ["point", "replicate"]
    # The same parameters in any order: `--vary` given in another order makes the same
    # experiment (its identity), whose runs were compared unpaired (an outside check,
    # decision 1012).
    if sorted(first.results.varied) != sorted(second.results.varied):
        return []
    return [*first.results.varied, "replicate", "seed"]


# What a pair shares: two single runs differing in a parameter share only their seed.
PAIRS = "the same seed and replicate, and the same design point where both samples have one"


def compare_cell(first: pd.DataFrame, second: pd.DataFrame, keys: list[str]) -> dict[str, object]:
    """One comparison of two samples' runs (``value`` column): paired on ``keys`` when every
    run of one sample has exactly one partner in the other, else unpaired.

    The runs of the larger sample without a partner (an unfinished sweep's, or failed
    runs' partners) are left out of a paired comparison and counted in ``left_out``: an
    unfinished sweep compared unpaired set one scenario's runs over the whole design
    against the other's over the part that had run (decision 616).
    """
    a, b = first["value"].to_numpy(np.float64), second["value"].to_numpy(np.float64)
    base: dict[str, object] = {
        "n_a": len(a),
        "n_b": len(b),
        "mean_a": float(np.mean(a)) if len(a) else np.nan,
        "mean_b": float(np.mean(b)) if len(b) else np.nan,
        "left_out": 0,
        "point_low": np.nan,
        "point_high": np.nan,
        "zeroed": 0,
    }
    if keys and len(a) > 0 and len(b) > 0:
        pairs = first[[*keys, "value"]].merge(
            second[[*keys, "value"]], on=keys, suffixes=("_a", "_b")
        )
        unique = not first.duplicated(keys).any() and not second.duplicated(keys).any()
        if unique and len(pairs) == min(len(a), len(b)):
            d = (pairs["value_b"] - pairs["value_a"]).to_numpy(np.float64)
            agree = np.abs(d) <= AGREEMENT
            zeroed = int(np.count_nonzero(agree & (d != 0.0)))
            d = np.where(agree, 0.0, d)
            pairs["d"] = d
            test = "wilcoxon" if len(d) > 1 else ""
            return {
                **base,
                "n_a": len(pairs),
                "n_b": len(pairs),
                "mean_a": float(pairs["value_a"].mean()),
                "mean_b": float(pairs["value_b"].mean()),
                "left_out": len(a) + len(b) - 2 * len(pairs),
                "zeroed": zeroed,
                **_point_range(pairs, keys),
                "pairing": PAIRED,
                "test": test,
                **paired_difference(d),
            }
    unpaired = difference(a, b)
    return {
        **base,
        "pairing": UNPAIRED,
        "test": "mann-whitney" if min(len(a), len(b)) > 1 else "",
        "difference": unpaired["difference"],
        "ci_low": unpaired["ci_low"],
        "ci_high": unpaired["ci_high"],
        "t_low": unpaired["t_low"],
        "t_high": unpaired["t_high"],
        "statistic": unpaired["mann_whitney_u"],
        "p_value": unpaired["p_value"],
        "p_method": unpaired["p_method"],
    }


def _point_range(pairs: pd.DataFrame, keys: list[str]) -> dict[str, float]:
    """The lowest and highest mean paired difference of the design points a paired row
    pools (NaN when it pools one point): a pooled mean of +0.039 hid -0.005 at one
    negativity bias and +0.082 at another (an audit; decision 629)."""
    points = [k for k in keys if k not in ("replicate", "seed")]
    if not points:
        return {"point_low": np.nan, "point_high": np.nan}
    means = pairs["d"].groupby([pairs[k] for k in points], dropna=False).mean()
    if len(means) < 2:
        return {"point_low": np.nan, "point_high": np.nan}
    return {"point_low": float(means.min()), "point_high": float(means.max())}


def compare_table(
    samples: list[Sample],
    metric: str,
    *,
    by: str | None = None,
    fixed: dict[str, DesignValue] | None = None,
) -> pd.DataFrame:
    """One row per pair of samples (in the order given) and value of ``by``:
    ``TABLE_COLUMNS``.

    Args:
        samples: the samples (:func:`samples_of`).
        metric: the metric compared.
        by: split every comparison by this varied parameter's values.
        fixed: the ``--at`` values every sample is held at.
    """
    fixed = fixed or {}
    runs = {s.label: sample_runs(s, metric, fixed) for s in samples}
    split = by is not None and not any(s.level is not None for s in samples)
    rows = []
    for first, second in itertools.combinations(samples, 2):
        keys = pair_keys(first, second)
        ra, rb = runs[first.label], runs[second.label]
        common = set(rb[by]) if split and by is not None else set()
        levels = (
            [v for v in value_order(ra[by]) if v in common] if split and by is not None else [None]
        )
        for level in levels:
            cell_a, cell_b = ra, rb
            if level is not None and by is not None:
                cell_a, cell_b = runs_at(ra, {by: level}), runs_at(rb, {by: level})
            cell_keys = [k for k in keys if k != by]
            cell = compare_cell(cell_a, cell_b, cell_keys)
            if cell["pairing"] == PAIRED and cell["left_out"]:
                # The row pools over the runs it paired, not those it left out.
                cell_a, cell_b = _partnered(cell_a, cell_b, cell_keys)
            rows.append(
                {
                    "metric": metric,
                    "by": "" if level is None else f"{by}={value_text(level)}",
                    "a": first.label,
                    "b": second.label,
                    "pooled": _pooled(first, second, by, fixed, cell_a, cell_b),
                    **cell,
                }
            )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def _partnered(
    first: pd.DataFrame, second: pd.DataFrame, keys: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs of each sample with a partner in the other (on ``keys``)."""
    return (
        first.merge(second[keys], on=keys),
        second.merge(first[keys], on=keys),
    )


def _pooled(
    first: Sample,
    second: Sample,
    by: str | None,
    fixed: dict[str, DesignValue],
    runs_a: pd.DataFrame,
    runs_b: pd.DataFrame,
) -> str:
    """The varied parameters a row pools over, of either sample, with how many values
    each sample ran (``p (3 values)``, or ``p (3 values in a, 10 in b)`` when the two
    differ, as a grid's and an lhs design's do): a sweep compared with a single run
    pools over the sweep's design."""
    held = {*fixed, *([by] if by else []), *([first.level[0]] if first.level else [])}
    ran: dict[str, dict[str, list[Any]]] = {}
    for side, sample, runs in (("a", first, runs_a), ("b", second, runs_b)):
        for p in sample.results.varied:
            if p not in held and runs[p].nunique() > 1:
                ran.setdefault(p, {})[side] = value_order(runs[p])

    def values(sides: dict[str, list[Any]]) -> str:
        counts = {side: len(v) for side, v in sides.items()}
        if len(set(counts.values())) > 1:
            return f"{counts['a']} values in a, {counts['b']} in b"
        n = next(iter(counts.values()))
        if len(sides) == 2 and sides["a"] != sides["b"]:
            # Pooled over different values, a difference mixes the designs (an outside
            # check, decision 817: 1-3 against 2-4 gave p = 0.0002 of runs equal at 2 and 3).
            shown = (
                f": {', '.join(map(value_text, sides['a']))} in a, "
                f"{', '.join(map(value_text, sides['b']))} in b"
                if n <= MAX_SHOWN_VALUES
                else ""
            )
            return f"{n} values in each, not the same{shown}"
        return f"{n} values"

    if not ran:
        return "nothing"
    return ", ".join(f"{p} ({values(sides)})" for p, sides in ran.items())


# Values of a pooled parameter listed in the 'pooled' column when the samples' differ.
MAX_SHOWN_VALUES = 6


def markdown(table: pd.DataFrame) -> str:
    """The table as GitHub Markdown, numbers to 4 significant digits."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if np.isnan(value) else f"{value:.4g}"
        return str(value)

    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join([head, rule, *body]) + "\n"


def split_levels(samples: list[Sample], by: str | None) -> list[DesignValue] | None:
    """The values of ``by`` that every comparison is split by (:func:`compare_table`), or
    ``None`` when the samples are not split (no ``by``, or ``by``'s values are the
    samples themselves)."""
    if by is None or any(s.level is not None for s in samples):
        return None
    return value_order(pd.concat([s.results.ok_runs[by] for s in samples]))


def window_span(sample: Sample, metric: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Where a windowed metric (``trust_change.withdrawal...``) is measured on the time
    axis: from the step before the window's first step (whose value it subtracts) to the
    window's last step (decision 15), as drawn by :func:`~sim.plots.figure.step_times`;
    ``None`` for other metrics or a window the scenario does not define."""
    parsed = parse_metric(metric)
    window = (sample.results.scenarios[sample.scenario].get("windows") or {}).get(
        parsed.window if parsed is not None else None
    )
    if not window:
        return None
    calendar = sample.results.calendar(sample.scenario)
    labels = calendar.labels()
    when = step_times(pd.DataFrame({"step": range(len(labels)), "date": labels}))
    first, last = calendar.step_of(window[0]), calendar.step_of(window[1])
    return when.iloc[max(first - 1, 0)], when.iloc[min(last, len(labels) - 1)]


LineStyle = str | tuple[int, tuple[int, ...]]
# A folder's marker when the samples are several folders of several scenarios each.
FOLDER_MARKERS = ("o", "s", "^", "D", "v", "P")
# About this many markers along a line; coinciding lines of two folders show both shapes.
MARKS_PER_LINE = 12
# The header's size (the metric and the differences over the panels), points.
HEADER_PT = 10.0
# The figure's rows: the gap between them (a fraction of a panel's height) and the band
# above the panels (inches) under the differences.
HSPACE = 0.45
TOP_IN = 0.55
# Between two samples' names in the per-run panel, and between the names and the time
# panel (inches).
NAME_GAP_IN = 0.12


@dataclass(frozen=True)
class Look:
    """How a sample is drawn: a grey, a line style and, to tell folders apart, a marker
    (``None``: none on the line, dots in the per-run panel) placed ``stagger`` of the
    way between a line's marks."""

    color: str
    linestyle: LineStyle
    marker: str | None = None
    stagger: float = 0.0


def sample_looks(samples: list[Sample]) -> dict[str, Look]:
    """The look of each sample, by label.

    Samples of one folder, or one sample per folder, take a grey
    (:func:`~sim.plots.palette.sample_colors`) and a line style
    (:func:`~sim.plots.palette.scenario_linestyles`) each, in order. Several folders of
    several scenarios each take a grey and a marker per folder and a line style per
    scenario: by order, the three greys gave a scenario of one folder the grey of
    another scenario of the next, and two lines that coincided read as one. Six
    folders of six scenarios each look apart; beyond that markers or styles repeat.
    """
    labels = [s.label for s in samples]
    folder: dict[int, int] = {}  # Results are not hashable: by identity
    for sample in samples:
        folder.setdefault(id(sample.results), len(folder))
    if len(folder) == 1 or len(folder) == len(samples):
        colors, styles = sample_colors(labels), scenario_linestyles(labels)
        return {label: Look(colors[label], styles[label]) for label in labels}
    greys = list(sample_colors(str(i) for i in range(len(folder))).values())
    styles = scenario_linestyles(dict.fromkeys(s.scenario for s in samples))
    looks = {}
    for sample in samples:
        i = folder[id(sample.results)]
        marker = FOLDER_MARKERS[i % len(FOLDER_MARKERS)]
        looks[sample.label] = Look(greys[i], styles[sample.scenario], marker, i / len(folder))
    return looks


def compare_figure(
    samples: list[Sample],
    metric: str,
    table: pd.DataFrame,
    fixed: dict[str, DesignValue],
    by: str | None = None,
    part: ComparePart | None = None,
) -> Figure:
    """The metric's series of every sample on one calendar (when recorded) and the per-run
    values of every sample (:func:`_per_run_panel`: points, the mean as a line with its
    95% t interval as a whisker; a row per sample), with each sample's difference from
    the first (from ``table``, :func:`compare_table`) written on it. Samples look as
    :func:`sample_looks` says.

    Split ``by`` a parameter (:func:`split_levels`), the figure has a row per value,
    each row drawing only the runs at that value (as the table's rows do), every row
    on one value scale per column (scaled to the runs, at least ``MIN_SPAN`` of the
    metric's natural range wide, as the sweep figures' value axes). A windowed metric's
    window is shaded on the time panels. The figure is made taller and wider where the
    samples' names need it (:func:`_make_room_for_names`).

    ``part``: one of the files :func:`compare_parts` cuts the figure into, its rows only,
    at the whole figure's columns and value scales, its header the differences at its
    values.
    """
    set_theme()
    labels = [s.label for s in samples]
    looks = sample_looks(samples)
    key = series_key(metric)
    runs = {s.label: sample_runs(s, metric, fixed) for s in samples}
    rows_of_runs = runs_by_row(samples, runs, by)
    if part is not None:
        rows_of_runs = [rows_of_runs[i] for i in part.rows]
    levels = [level for level, _ in rows_of_runs]
    trees = {f"{s.label}/{n}": t for s in samples for n, t in s.results.scenarios.items()}
    phrases = group_phrases(trees)
    series: dict[str, pd.DataFrame] = {}
    if key is not None:
        for sample in samples:
            frame = _series_rows(sample, key, list(runs[sample.label]["run_id"]))
            if frame is not None and not frame.empty:
                series[sample.label] = frame
    timed = len(series) == len(samples)
    names, names_label = sample_ticks(labels)
    title, unit = metric_label(metric, phrases)
    # A series metric is compared at its last step (module docstring); the per-run panel
    # said only "Mean trust", read as the mean over the run (an audit of the figures).
    parsed = parse_metric(metric)
    last = ", at the last step" if parsed is not None and parsed.metric.kind == SERIES else ""
    title += last
    span = window_span(samples[0], metric)
    headings = [
        _panel_titles(key if timed else None, phrases, _at_text(by, level), last, cells)
        for level, cells in rows_of_runs
    ]
    cols, page = 1, None
    if page_width() is not None:
        # At a page's width the per-run panels go under the time panels: side by side, the
        # figure narrowed to 6.5 in put the samples' names over the time panel's lines (an
        # outside check, decision 955); the values of --by side by side as the page holds.
        stand_ins: list[Artist] = [
            Line2D([], [], color=look.color, ls=look.linestyle, marker=look.marker, label=n)
            for n, look in looks.items()
        ]
        if span is not None:
            stand_ins.append(Patch(color="0.85", label=_window_words(metric)))
        ylabel = series_label(key.metric) if timed and key is not None else ""
        page = _page_panels(headings, names, names_label, ylabel, stand_ins if timed else [],
                            part.columns if part is not None else None)  # fmt: skip
        fig, axes, headings, cols = page.fig, page.axes, page.titles, page.columns
    else:
        height = max(4.2 + 3.4 * (len(levels) - 1), _height_for_names(names, len(levels)))
        fig, axes = plt.subplots(
            len(levels),
            2 if timed else 1,
            figsize=(13 if timed else 5.5, height),
            squeeze=False,
            gridspec_kw={
                "width_ratios": [2.3, 1] if timed else [1],
                "wspace": 0.3,
                "hspace": HSPACE,
                # The differences go above the panels (suptitle): no blank band between.
                "top": 1.0 - TOP_IN / height,
            },
        )
    for row in range(1, len(levels)):
        axes[row, -1].sharex(axes[0, -1])
        if timed:
            axes[row, 0].sharey(axes[0, 0])
    for row, (_, cells) in enumerate(rows_of_runs):
        # Beside the first of a row of panels (at a page's width), the value axes' labels
        # and the samples' names: the panels right of it share them.
        first_of_row = row % cols == 0
        if timed and key is not None:
            ax = axes[row, 0]
            for label, frame in series.items():
                frame = frame[frame["run_id"].isin(cells[label]["run_id"])]
                if frame.empty:
                    continue
                band = time_band(frame, [])
                look = looks[label]
                marks: dict[str, object] = {}
                if look.marker is not None:
                    every = max(1, len(band) // MARKS_PER_LINE)
                    marks = {"marker": look.marker, "ms": 5,
                             "markevery": (int(look.stagger * every), every)}  # fmt: skip
                when = band["when"].to_numpy()
                draw_band(ax, when, band, look.color, ls=look.linestyle, label=label, **marks)
            if span is not None:
                ax.axvspan(*span, color="0.85", zorder=0, lw=0, gid="window")
            date_axis(ax)
            # Under the lowest time panel of each column.
            lowest = row + cols >= len(levels)
            ax.set_xlabel(date_label(next(iter(series.values()))) if lowest else "")
            ax.set_ylabel(series_label(key.metric) if first_of_row else "")
            ax.tick_params(labelleft=first_of_row)
            ax.set_title(headings[row][0], loc="left")
            if row == 0:
                handles, legend_names = ax.get_legend_handles_labels()
                if span is not None:
                    handles.append(Patch(color="0.85", label=_window_words(metric)))
                    legend_names.append(handles[-1].get_label())
                # Under the time panel at a page's width, where the page's layout left it
                # room: inside it ("best") it covered lines (decision 955).
                place: dict[str, Any] = (
                    {"loc": "upper left", "ncol": page.legend_columns,
                     "bbox_to_anchor": (0.0, -page.legend_at), "frameon": False,
                     "borderaxespad": 0.0}
                    if page is not None
                    else {"loc": "best", "frameon": True, "framealpha": 0.9}
                )  # fmt: skip
                ax.legend(handles, legend_names, **LEGEND_KW, **place)
        ax = axes[row, -1]
        _per_run_panel(ax, cells, looks)
        ax.set_yticks(range(len(names)), names)
        ax.tick_params(labelleft=first_of_row)
        ax.set_ylabel(names_label if first_of_row else "")
        ax.set_xlabel(unit)
        ax.set_title(headings[row][1], loc="left")
    # The rows share this axis: widened once, for all of them.
    keep_span(axes[0, -1], metric, "x")
    if part is not None:  # every part on the whole figure's scales
        axes[0, -1].set_xlim(part.value_span)
        if timed and part.time_span is not None:
            axes[0, 0].set_ylim(part.time_span)
    if page_width() is None:  # at a page's width, the names have the page's left margin
        _make_room_for_names(fig, axes)
    first = table[table["a"] == samples[0].label]
    if part is not None and by is not None and levels != [None]:
        # A part's header: the differences at its own values, over their panels.
        first = first[first["by"].isin([f"{by}={value_text(v)}" for v in levels if v is not None])]
    terse = part is not None and part.terse
    lines = [title, *(_difference_text(row, terse) for _, row in first.head(6).iterrows())]
    # Wrapped to the figure's width (about 11 characters an inch at 10 points), so that a
    # narrow figure (no time panel) is not widened by its header into a blank margin; a
    # "p = 0.002" stays on one line (no-break spaces).
    chars = max(40, int(fig.get_figwidth() * 11))
    lines = [line.replace(" = ", "\u00a0=\u00a0") for line in lines]
    if page_width() is not None:
        # Each line wrapped to the page here: wrapped later as one paragraph (fit_page), a
        # narrow page's header ran its differences together (an outside check, decision
        # 961). Measured: at 11 characters an inch its lines took three quarters of the
        # page, 25 lines where 19 fit (decision 1035).
        lines = [_fill_lines(line, page_room() - 0.1, HEADER_PT, "    ") for line in lines]
    else:
        lines = [textwrap.fill(line, chars, subsequent_indent="    ") for line in lines]
    fig.suptitle("\n".join(lines), x=0.01, y=1.0, ha="left", va="bottom", fontsize=HEADER_PT)
    return fig


@dataclass(frozen=True)
class ComparePart:
    """One of the files :func:`compare_parts` cuts a compare figure into: the rows (values
    of --by, indices of :func:`runs_by_row`'s) it draws, the panels a row of the whole
    figure holds at a page's width (``None`` at the default width), the whole figure's
    value scales (its per-run axis, its time panels' value axis), its number and the
    parts' count, whether its drawn caption is the short one (:func:`_short_caption`: the
    whole one in the table's file) and its header the terse one (:func:`_difference_text`)."""

    rows: list[int]
    columns: int | None
    value_span: tuple[float, float]
    time_span: tuple[float, float] | None
    number: int = 1
    count: int = 1
    short: bool = False
    terse: bool = False


@dataclass(frozen=True)
class CompareFile:
    """A file of a compare figure: its name's suffix (``""``, ``"_1"``...), its bytes, its
    caption in full (drawn under it, or where ``short`` written to the table's file)."""

    suffix: str
    data: bytes
    caption: str
    short: bool


def compare_parts(
    folders: list[Results],
    samples: list[Sample],
    metric: str,
    table: pd.DataFrame,
    fixed: dict[str, DesignValue],
    by: str | None,
    fmt: str,
) -> list[CompareFile]:
    """The compare figure as saved in ``fmt``: one file with its caption under it, as
    before, where that is within a page's height (:data:`~sim.plots.figure.PAGE_HEIGHT_IN`,
    the saved file measured; at the default width too); else cut into parts, whole values
    of ``by`` a part (at a page's width whole rows of the panels, at the whole figure's
    columns), filled in order (:func:`~sim.plots.figure.fill_pages`), each with the
    differences at its values over it, its own caption ("Part k of n") and every part's
    value scales. Where a part is still taller than the page with its caption in full (a
    single value, or a figure not split by --by, whose header and caption took most of a
    page: syria_withdrawal's at 3.3 in), every part draws a short caption and its whole
    caption goes to the table's file (:func:`_short_caption`, ``cli_compare``). At --width 3.3 a
    figure of three values was one column 22-28 in tall (decision 1043)."""
    set_theme()
    tall: list[Any] = [TOO_WIDE, TOO_TALL]

    def drawn(part: ComparePart | None, notes: bool = False) -> tuple[bytes, str, float]:
        before = [len(said) for said in tall]
        fig = compare_figure(samples, metric, table, fixed, by, part)
        caption = compare_caption(folders, samples, metric, fig, by, table, fixed, part)
        short = part is not None and part.short
        add_caption(fig, _short_caption(by, samples, part) if short else caption)
        data = render(fig, fmt)
        plt.close(fig)
        if not notes:  # a try's, not a saved file's
            for said, n in zip(tall, before, strict=True):
                del said[n:]
        return data, caption, saved_size_in(data, fmt)[1]

    before = [len(said) for said in tall]
    data, caption, high = drawn(None, notes=True)
    if high <= PAGE_HEIGHT_IN or page_width() is None:
        # At the default width a figure is not drawn for a page (a reader scales it), and
        # is one file as `plot`'s are there; its height is said as before.
        return [CompareFile("", data, caption, False)]
    for said, n in zip(tall, before, strict=True):  # the figure is cut instead
        del said[n:]
    whole = compare_figure(samples, metric, table, fixed, by)
    levels = split_levels(samples, by)
    rows = 1 if levels is None else len(levels)
    shown = [ax for ax in whole.axes if ax.axison]
    timed = len(shown) > rows
    columns = _columns(whole, timed)
    value_span = shown[1 if timed else 0].get_xlim()
    time_span = shown[0].get_ylim() if timed else None
    plt.close(whole)
    step = columns or 1
    units = [list(range(i, min(i + step, rows))) for i in range(0, rows, step)]

    def cut(rows: list[int], text: int, number: int = 9, count: int = 9) -> ComparePart:
        # Planned as part 9 of 9: its caption as long as any part's.
        return ComparePart(rows, columns, value_span, time_span, number, count, text > 0, text > 1)

    heights: dict[tuple[tuple[int, ...], int], float] = {}

    def fits(units: list[list[int]], text: int) -> bool:
        key = (tuple(itertools.chain(*units)), text)
        if key not in heights:
            heights[key] = drawn(cut(list(key[0]), text))[2]
        return heights[key] <= PAGE_HEIGHT_IN

    # Each part with its caption and header in full where every part then fits the page;
    # else each with the short caption; else with the terse header too.
    for text in range(3):
        planned = fill_pages(units, partial(fits, text=text))
        if all(fits(p, text) for p in planned):
            break
    files = []
    for number, chunk in enumerate(planned, start=1):
        data, caption, _ = drawn(
            cut(list(itertools.chain(*chunk)), text, number, len(planned)), notes=True
        )
        files.append(CompareFile(f"_{number}" if len(planned) > 1 else "", data, caption, text > 0))
    return files


def _short_caption(by: str | None, samples: list[Sample], part: ComparePart | None) -> str:
    """The caption a part draws where its whole caption would take it past the page: which
    part it is, its samples, and where its whole caption is (the table's file, its name
    not said: a word longer than a narrow page's line widened the figure)."""
    assert part is not None
    levels = split_levels(samples, by)
    said = _part_text(by, [levels[i] for i in part.rows], part) if levels is not None else ""
    return (
        f"{said}Samples: {', '.join(s.label for s in samples)}. What is drawn and how the "
        "differences are made: the caption written with the table beside the figure (in "
        f"full here it took the figure past a page's {PAGE_HEIGHT_IN:g} in)."
    )


def runs_by_row(
    samples: list[Sample], runs: dict[str, pd.DataFrame], by: str | None
) -> list[tuple[DesignValue | None, dict[str, pd.DataFrame]]]:
    """The figure's rows: the value of ``by`` each is at (``None`` when not split,
    :func:`split_levels`) and each sample's runs (``runs``, by label) at that value."""
    split = split_levels(samples, by)
    if split is None or by is None:
        return [(None, runs)]
    return [
        (level, {label: runs_at(r, {by: level}) for label, r in runs.items()}) for level in split
    ]


def _panel_titles(
    key: SeriesKey | None,
    phrases: Mapping[str, str],
    at: str,
    last: str,
    cells: Mapping[str, pd.DataFrame],
) -> tuple[str, str]:
    """A row's titles, unwrapped: its time panel's (``""`` without one, ``key`` ``None``)
    and its per-run panel's, at ``at`` (:func:`_at_text`)."""
    heading = ""
    if key is not None:
        who = f"{key.power}, " if key.power else ""
        where = phrases.get(key.group) or group_phrase(key.group)
        heading = _upper_first(f"over time{at} ({who}{where})")
    # " at trust: memory = 0.95" ran into "per run" (an audit of the figures, decision 652).
    shown_at = f"{at.strip()}, " if at and key is None else ""
    drawn = PER_RUN_MARKS if any(len(r) > 1 for r in cells.values()) else "points: runs"
    return heading, _upper_first(f"{shown_at}per run{last}") + f"\n{drawn}"


def _window_words(metric: str) -> str:
    """The legend's entry for a windowed metric's shaded window."""
    window = parse_metric(metric)
    return f"'{window.window}' window" if window else ""


# The legend of the samples' lines over time.
LEGEND_KW: dict[str, Any] = {
    "title": "Sample",
    # Long enough to show a dash pattern around a marker.
    "handlelength": 3.5,
}


# What the per-run panels draw, under their titles.
PER_RUN_MARKS = "points: runs; line: mean ± 95% t interval"
# Where (in rows, down from the row's centre) the per-run points lie, spread as seaborn's
# strip plot spreads them, and where the mean's line and whisker lie, beneath the points:
# drawn across the points, the mean's line hid every run of a sample whose runs lie
# within its width (the tour's bias sweep, decision 757).
POINTS_AT = -0.1
STRIP_JITTER = 0.18
MEAN_AT = 0.26
MEAN_REACH = 0.11
# A thin white edge around the mean's line, apart from the points of its own grey.
HALO: list[patheffects.AbstractPathEffect] = [
    patheffects.withStroke(linewidth=4.5, foreground="white")
]


def _per_run_panel(ax: Axes, runs: dict[str, pd.DataFrame], looks: dict[str, Look]) -> None:
    """Each sample's runs as points (in its folder's marker) and, beneath them, their mean
    as a short thick line with its 95% t interval (:func:`~sim.analysis.paired.t_interval`)
    as a whisker; a row per sample in the samples' order, top to bottom. A sample of one
    run has no interval: its point alone, no line or whisker.

    The value axis is scaled to the data: a bar from 0 made means of 0.61 and 0.63, with
    runs from 0.55 to 0.70, two bars that looked alike (an audit of the figures).
    """
    for row, (label, frame) in enumerate(runs.items()):
        color, points = looks[label].color, frame["value"].to_numpy(np.float64)
        # Jittered across their row as seaborn's strip plot did, but by a generator of
        # their own: seaborn's jitter drew on numpy's global one, and the same comparison
        # drew a different figure each time (an audit, decision 657).
        jitter = np.random.default_rng(row).uniform(-STRIP_JITTER, STRIP_JITTER, len(points))
        ax.scatter(points, row + POINTS_AT + jitter, s=16, marker=looks[label].marker or "o",
                   color=color, alpha=0.55, zorder=3, linewidths=0)  # fmt: skip
        if len(points) < 2:
            continue  # one run: its point is all there is (no mean line, no interval)
        mean, low, high = t_interval(points)
        at = row + MEAN_AT
        ax.plot([mean, mean], [at - MEAN_REACH, at + MEAN_REACH], color=color, lw=3,
                solid_capstyle="butt", zorder=6, gid="mean", path_effects=HALO)  # fmt: skip
        ax.errorbar(mean, at, xerr=[[mean - low], [high - mean]], fmt="none", ecolor=color,
                    elinewidth=1.4, capsize=4, capthick=1.4, zorder=5)  # fmt: skip
    ax.set_ylim(len(runs) - 0.5, -0.5)
    ax.grid(False, axis="y")


def wrap_name(name: str, width: int = 16) -> str:
    """``name`` on lines of at most ``width`` characters where it can be, broken only after
    a separator (``:``, ``/``, ``_``, ``-``, ``=``, ``,`` or a space), never inside a word:
    ``r_grid_serial:historical`` -> ``r_grid_serial:`` / ``historical``. A part longer
    than ``width`` stays whole on its own line."""
    lines: list[str] = []
    for part in re.split(r"(?<=[:/_\-=, ])", name):
        if lines and len(lines[-1]) + len(part.rstrip()) <= width:
            lines[-1] += part
        else:
            lines.append(part)
    return "\n".join(line.rstrip() for line in lines if line)


def _refuse_foreign_out(out: Path) -> None:
    """Refuse an ``--out`` inside a results folder (its data: a sweep's ``series/``; its
    own ``compare/`` is where compare writes by default) or holding files of the user's:
    compare wrote its table over any folder (an audit, decision 655).

    Raises:
        InputError: ``out`` is not compare's to write.
    """
    for parent in out.resolve().parents:
        if (parent / "manifest.json").is_file() and out.resolve() != parent / "compare":
            raise InputError(
                f"--out '{out}' is inside the results folder '{parent}'; choose a folder "
                "of its own (or leave --out out: compare writes into the sweep's compare/)"
            )
    if out.is_dir():
        theirs = [p.name for p in out.iterdir() if not p.name.startswith("compare_")]
        if theirs:
            raise InputError(
                f"--out '{out}' holds files that are not an earlier compare's ("
                f"{', '.join(sorted(theirs)[:3])}{', ...' if len(theirs) > 3 else ''}); "
                "choose an empty or new folder"
            )


def sample_ticks(labels: list[str]) -> tuple[list[str], str]:
    """The samples' names beside the per-run rows, and the axis label over them.

    Samples that are one varied parameter at several values (``memory=0.95``,
    ``memory=0.99``) are named by their values, the parameter going to the axis
    label; other names are wrapped at separators (:func:`wrap_name`), with no axis
    label.
    """
    parts = [name.split("=", 1) for name in labels]
    shared = {p[0] for p in parts}
    if len(labels) > 1 and all(len(p) == 2 and "," not in p[1] for p in parts) and len(shared) == 1:
        # In words, as every other figure names a parameter ("trust.negativity_bias" was
        # the only raw path on an axis; an audit of the figures, decision 652).
        return [p[1] for p in parts], parameter_label(shared.pop())
    return [wrap_name(name) for name in labels], ""


# The layout at a page's width (:func:`_page_panels`), inches: the least width of a panel
# beside others, the gap between two (they share their value axes: only the first of a row
# gives its labels and the samples' names), the margin right of the last, into which (and
# into the gap) a panel's title runs but for TITLE_SPARE_IN; a time panel's height (a share
# of its width, within the two bounds); the gap between a header or a legend and what
# follows, and between one row of panels' labels and the next title.
STACK_LEAST_IN = 1.3
STACK_COL_GAP_IN = 0.4
STACK_RIGHT_IN = 0.3
TITLE_SPARE_IN = 0.05
STACK_TIME_IN = 2.4
STACK_TIME_LEAST_IN = 1.25
STACK_TIME_SHARE = 0.45
STACK_GAP_IN = 0.1
STACK_ROW_GAP_IN = 0.25


@dataclass(frozen=True)
class PagePanels:
    """:func:`_page_panels`' figure: its axes as ``(rows, 2)`` (time, per run) or ``(rows,
    1)`` (per run), as :func:`compare_figure` indexes them; each row's titles wrapped to its
    panels; the panels a row of the page holds; the legend's columns and its top under the
    first time panel (a share of the panel's height)."""

    fig: Figure
    axes: npt.NDArray[np.object_]
    titles: list[tuple[str, str]]
    columns: int
    legend_columns: int
    legend_at: float


def _page_panels(
    titles: list[tuple[str, str]],
    names: list[str],
    names_label: str,
    ylabel: str,
    legend: list[Artist],
    columns: int | None = None,
) -> PagePanels:
    """At a page's width, each row's time panel (where ``titles`` give it one) over its
    per-run panel, the rows (values of --by) side by side as many as fit the page, each at
    least STACK_LEAST_IN wide (:func:`~sim.plots.figure.page_columns`): one under another,
    they were 25.8 in tall at 6.5 (an outside check, decision 1035). The heights are what
    the titles (wrapped), the labels and the legend of ``legend`` (stand-ins of its
    entries) take, measured; the legend in as many columns as fit from the first panel's
    left: counted from the page's, it ran out of the page at 3.3 in and its second row
    over the per-run panel's title (decision 1035). ``columns``: the panels a row holds
    where a part of a figure keeps the whole's (decision 1043)."""
    import matplotlib.gridspec as gridspec

    room = page_room()
    timed = any(time for time, _ in titles)
    left = _names_room_in(names, names_label, ylabel)
    cols = columns or page_columns(len(titles), len(titles), STACK_LEAST_IN,
                                   left + STACK_RIGHT_IN, STACK_COL_GAP_IN)  # fmt: skip
    # Names too long for the page leave the panels MIN_AXES_IN, the figure wider than the
    # page, and said so (fit_page, render).
    wide = max(MIN_AXES_IN, (room - left - STACK_RIGHT_IN - (cols - 1) * STACK_COL_GAP_IN) / cols)
    width = left + cols * wide + (cols - 1) * STACK_COL_GAP_IN + STACK_RIGHT_IN
    size = FontProperties(size=plt.rcParams["axes.titlesize"]).get_size_in_points()
    pad = float(plt.rcParams["axes.titlepad"]) / 72.0
    # Wrapped to its panel: at 3.5 in the per-run marks' line pushed the figure past the
    # page (decision 961), and the time panel's title ran past it (decision 955).
    title_in = wide + STACK_RIGHT_IN - TITLE_SPARE_IN
    wrapped = [(_fill_lines(time, title_in, size), _fill_lines(per_run, title_in, size))
               for time, per_run in titles]  # fmt: skip

    def tall(text: str) -> float:
        return text_size_in(text, size)[1] + pad if text else 0.0

    legend_columns, legend_in = _legend_fit(legend, room - left)
    under = _under_in()
    time_in = min(STACK_TIME_IN, max(STACK_TIME_LEAST_IN, STACK_TIME_SHARE * wide))
    per_run_in = max(1.2, _height_for_names(names, 1) - TOP_IN - 0.4)
    heights: list[float] = []
    panel_rows: list[int] = []  # each line's per-run panels' row of the grid
    for first in range(0, len(titles), cols):
        row_titles = wrapped[first : first + cols]
        time_title = max(tall(time) for time, _ in row_titles)
        run_title = max(tall(per_run) for _, per_run in row_titles)
        if first:  # under the per-run panels of the row above
            heights.append(under + STACK_ROW_GAP_IN + (time_title if timed else run_title))
        if timed:
            heights.append(time_in)
            held = legend_in + STACK_GAP_IN if first == 0 and legend else 0.0
            heights.append(under + held + run_title)
        heights.append(per_run_in)
        panel_rows.append(len(heights) - 1)
    top = STACK_GAP_IN + tall(wrapped[0][0] if timed else wrapped[0][1])
    bottom = 0.55
    height = top + sum(heights) + bottom
    fig = plt.figure(figsize=(width, height))
    grid = gridspec.GridSpec(
        len(heights), cols, figure=fig, height_ratios=heights, hspace=0.0,
        wspace=STACK_COL_GAP_IN / wide, top=1.0 - top / height, bottom=bottom / height,
        left=left / width, right=1.0 - STACK_RIGHT_IN / width,
    )  # fmt: skip
    axes = np.empty((len(titles), 2 if timed else 1), dtype=object)
    for row in range(len(titles)):
        line, col = divmod(row, cols)
        at = panel_rows[line]
        if timed:
            axes[row, 0] = fig.add_subplot(grid[at - 2, col])
        axes[row, -1] = fig.add_subplot(grid[at, col])
    return PagePanels(fig, axes, wrapped, cols, legend_columns, under / time_in)


def _fill_lines(text: str, inches: float, points: float, indent: str = "") -> str:
    """Each line of ``text`` wrapped at spaces to lines at most ``inches`` wide at
    ``points``, as measured (:func:`~sim.plots.figure.text_size_in`), the lines it wraps
    onto after ``indent``; a word longer than a line stays whole."""
    lines = []
    for line in text.split("\n") if text else []:
        chars, wrapped = max(8, int(inches * 72.0 / (0.45 * points))), line
        while chars >= 8:
            wrapped = textwrap.fill(line, chars, subsequent_indent=indent,
                                    break_on_hyphens=False, break_long_words=False)  # fmt: skip
            if text_size_in(wrapped, points)[0] <= inches:
                break
            chars -= 1
        lines.append(wrapped)
    return "\n".join(lines)


def _names_room_in(names: list[str], names_label: str, ylabel: str) -> float:
    """Inches left of the first panel of a row at a page's width: the samples' names (or a
    time panel's value labels, up to four characters) with their axis label, measured."""
    tick = FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points()
    label = FontProperties(size=plt.rcParams["axes.labelsize"]).get_size_in_points()
    pads = (float(plt.rcParams["ytick.major.pad"]) + float(plt.rcParams["axes.labelpad"])) / 72
    need = 0.0
    for ticks, said in ((names, names_label), (["0.00"] if ylabel else [], ylabel)):
        if not ticks:
            continue
        widest = max(text_size_in(t, tick)[0] for t in ticks)
        need = max(need, widest + (text_size_in(said, label)[1] if said else 0.0) + pads)
    return need + 0.1


def _under_in() -> float:
    """Inches under a panel that its tick labels and its axis label take, with their pads."""
    tick = FontProperties(size=plt.rcParams["xtick.labelsize"]).get_size_in_points()
    label = FontProperties(size=plt.rcParams["axes.labelsize"]).get_size_in_points()
    pads = float(plt.rcParams["xtick.major.pad"]) + float(plt.rcParams["axes.labelpad"])
    return lines_in(1, tick) + lines_in(1, label) + pads / 72.0


def _legend_fit(handles: list[Artist], room: float) -> tuple[int, float]:
    """The legend of ``handles`` (:data:`LEGEND_KW`) in as many columns as fit ``room``
    inches, and its height in inches, measured on a figure no one sees; ``(1, 0.0)`` for
    no handles."""
    if not handles:
        return 1, 0.0
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    scratch = Figure(dpi=DPI)
    renderer = FigureCanvasAgg(scratch).get_renderer()
    for columns in range(len(handles), 0, -1):
        legend = scratch.legend(handles=handles, ncol=columns, frameon=False, **LEGEND_KW)
        box = legend.get_window_extent(renderer)
        legend.remove()
        if box.width / DPI <= room or columns == 1:
            return columns, float(box.height) / DPI
    raise AssertionError("unreachable")


def _height_for_names(names: list[str], rows: int) -> float:
    """The figure's height (inches) at which every per-run panel gives each sample's
    name, of up to the longest name's lines, a row of its own with a gap between."""
    size = FontProperties(size=plt.rcParams["ytick.labelsize"]).get_size_in_points()
    lines = max(name.count("\n") + 1 for name in names)
    panel = len(names) * (lines * 1.2 * size / 72 + NAME_GAP_IN)  # 1.2: the line spacing
    bottom = plt.rcParams["figure.subplot.bottom"]
    return float((panel * (rows + HSPACE * (rows - 1)) + TOP_IN) / (1.0 - bottom))


def _make_room_for_names(fig: Figure, axes: npt.NDArray[np.object_]) -> None:
    """Widens the figure where the per-run panels' names (measured) need more room than
    there is to their left: between the time panel and the per-run panel, or the left
    margin without a time panel. The panels keep their widths."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width = fig.get_figwidth()
    need = NAME_GAP_IN + max(
        ax.get_position().x0 * width - ax.yaxis.get_tightbbox(renderer).x0 / fig.dpi
        for ax in axes[:, -1]
    )
    grid = axes[0, -1].get_subplotspec().get_gridspec()
    params = grid.get_subplot_params(fig)
    left, right = params.left * width, (1.0 - params.right) * width
    inner = width - left - right
    if axes.shape[1] == 1:
        grow = max(0.0, need - left)
        new = width + grow
        fig.set_size_inches(new, fig.get_figheight())
        grid.update(left=(left + grow) / new, right=1.0 - right / new)
        return
    cells = inner / (2.0 + params.wspace)  # the mean panel width
    gap = params.wspace * cells
    grow = max(0.0, need - gap)
    new = width + grow
    fig.set_size_inches(new, fig.get_figheight())
    grid.update(left=left / new, right=1.0 - right / new, wspace=(gap + grow) / cells)


def _untimed_note(samples: list[Sample], metric: str) -> str:
    """Why a figure of a metric with a series has no panel over time: samples whose
    folders recorded summaries only (the panel went without a word: an outside check,
    decision 817); ``""`` when none did or the metric has no series."""
    key = series_key(metric)
    if key is None:
        return ""
    lacking = [
        s.label
        for s in samples
        if s.results.series(metrics=[key.metric], groups=[key.group]) is None
    ]
    if not lacking:
        return ""
    whose = "its" if len(lacking) == 1 else "their"
    return (
        f"No panel over time: {', '.join(lacking)} recorded {whose} summaries only (record: "
        "summary), and the panel draws every sample or none. "
    )


def compare_caption(
    folders: list[Results],
    samples: list[Sample],
    metric: str,
    fig: Figure,
    by: str | None,
    table: pd.DataFrame,
    fixed: dict[str, DesignValue] | None = None,
    part: ComparePart | None = None,
) -> str:
    """What :func:`compare_figure` draws, in words (drawn under it: the figure has no
    report page); ``fixed``: the ``--at`` values the figure was drawn at; ``part``: the
    one of :func:`compare_parts`' files ``fig`` is, its values', with "Part k of n"."""
    split = split_levels(samples, by)
    if split is not None and part is not None:
        split = [split[i] for i in part.rows]
    rows = 1 if split is None else len(split)
    # One column means the folders recorded no series: no lines to explain.
    timed = len([ax for ax in fig.axes if ax.axison]) > rows
    columns = part.columns if part is not None and part.columns else _columns(fig, timed)
    window = parse_metric(metric)
    span = window_span(samples[0], metric) if timed else None
    return (
        f"Samples: {', '.join(s.label for s in samples)}. "
        f"{_folders_text(folders)}. "
        + ("" if timed else _untimed_note(samples, metric))
        + (_split_text(by, len(split), columns) if split is not None and by is not None else "")
        + (_part_text(by, split, part) if part is not None and split is not None else "")
        + (
            # Only what the figure has: no lines or bands without a time panel (decision 652).
            f"{'Lines, bands, points and means' if timed else 'Points and means'} pool each "
            "sample's runs over the varied parameters in the table's 'pooled' column. "
            if (table["pooled"] != "nothing").any()
            else ""
        )
        + (
            "Over time, lines: mean across runs; bands: 2.5-97.5 percentiles of the runs. "
            if timed
            else ""
        )
        + (
            f"Shaded: the '{window.window}' window, from the step before it starts to its "
            "last step, over which the change is measured. "
            if span is not None and window is not None
            else ""
        )
        + _per_run_text(samples, metric, fixed or {}, by, part)
        + "Differences: second minus first; paired samples: mean of run-by-run differences "
        f"({PAIRS}), bootstrap 95% interval, Wilcoxon p; unpaired: "
        "difference of means, bootstrap 95% interval, Mann-Whitney p."
        + (
            f" With fewer than {FEW_RUNS} runs a side the header gives the Student t 95% "
            "interval (Welch's, unpaired) first: the bootstrap's is too narrow there."
            if any(few_runs_text(row) for row in table.to_dict("records"))
            else ""
        )
        + _left_out_note(table, folders)
        + _header_note(
            samples,
            table,
            by,
            split if part is not None else None,
            len(split_levels(samples, by) or []),
        )
        + (
            " Within a page the header gives each difference with the interval to read and "
            "its p only: the table gives the rest (the bootstrap's interval, and whether a "
            "p is the smallest its runs can give)."
            if part is not None and part.terse
            else ""
        )
        + "".join(f" Note: {text}." for text in question_order_texts(folders, metric, table))
    )


def _columns(fig: Figure, timed: bool) -> int:
    """How many per-run panels a row of ``fig`` holds (several at a page's width)."""
    shown = [ax for ax in fig.axes if ax.axison]
    per_run = shown[1::2] if timed else shown
    return len({round(float(ax.get_position().x0), 4) for ax in per_run})


def _split_text(by: str, values: int, columns: int) -> str:
    """The caption's sentence on a figure split by ``by``: a row per value, or at a page's
    width a column of panels per value, ``columns`` to a row (decision 1035)."""
    if columns == 1:
        return (
            f"A row per value of {parameter_label(by)}: each row draws only the runs at that "
            "value, as the table's rows compare them. "
        )
    rows = f", {columns} to a row" if values > columns else ""
    return (
        f"A column of panels per value of {parameter_label(by)}{rows}: each draws only the "
        "runs at that value, as the table's rows compare them. "
    )


def _per_run_text(
    samples: list[Sample],
    metric: str,
    fixed: dict[str, DesignValue],
    by: str | None,
    part: ComparePart | None = None,
) -> str:
    """The caption's sentences on the per-run panels (:func:`_per_run_panel`), naming the
    samples (at a value of ``by`` when split) drawn from a single run: a point alone,
    with no mean line and no interval; of ``part``'s rows only where given."""
    runs = {s.label: sample_runs(s, metric, fixed) for s in samples}
    rows = runs_by_row(samples, runs, by)
    cells = [
        (label + _at_text(by, level), len(frame))
        for level, row in (rows if part is None else [rows[i] for i in part.rows])
        for label, frame in row.items()
    ]
    many = any(n > 1 for _, n in cells)
    single = [label for label, n in cells if n == 1]
    return (
        "Per run, points: the runs (spread across their row)"
        + (
            "; thick line and whisker beneath them: the sample's mean and its Student t 95% "
            "interval"
            if many
            else ""
        )
        + ", on an axis scaled to the runs (not from 0). "
        + (
            "Whiskers that overlap do not make two samples alike: each difference above has "
            "its own interval. "
            if many
            else ""
        )
        + (
            ""
            if not single
            else f"One run, so a point alone (no mean line, no interval): {', '.join(single)}. "
            if many
            else "Each sample is one run: no mean line, no interval. "
        )
    )


def _part_text(by: str | None, levels: list[DesignValue], part: ComparePart) -> str:
    """The caption's sentence saying which of a figure's files ``part`` is and what its
    parts share, as ``plot``'s parts say it ("Part k of n"); ``""`` when it is one."""
    if part.count < 2 or by is None:
        return ""
    values = ", ".join(value_text(v) for v in levels)
    return (
        f"Part {part.number} of {part.count} ({parameter_label(by)} = {values}): whole "
        "values a part, each part with the differences at its values over it and the "
        "legend, on the value scales of every part. "
    )


def _at_text(by: str | None, level: DesignValue | None) -> str:
    """`` at trust: memory = 0.95``: the value of ``by`` a row of the figure is at."""
    return "" if level is None or by is None else f" at {parameter_label(by)} = {value_text(level)}"


def _span_text(row: Mapping[Any, Any]) -> str:
    """A paired row's design-point range in words: ``abstained - historical: -0.005 to
    +0.082`` (``at PATH=VALUE`` for a row of --by)."""
    at = f" at {row['by']}" if row["by"] else ""
    return (
        f"{row['b']} - {row['a']}{at}: {float(row['point_low']):+.3g} to "
        f"{float(row['point_high']):+.3g}"
    )


def _left_out_note(table: pd.DataFrame, folders: list[Results]) -> str:
    """The caption's sentence on runs a paired difference left out, and on folders whose
    sweep is unfinished (their samples may cover different parts of the design)."""
    left_out = int(table["left_out"].sum())
    said = (
        f" {left_out} run{'s' if left_out != 1 else ''} without a partner in the other "
        "sample left out of the paired differences."
        if left_out
        else ""
    )
    split = table[(table["point_low"] < 0) & (table["point_high"] > 0)]
    if len(split):
        said += (
            " The paired difference changes sign across the design points pooled"
            + "".join(f" ({_span_text(r)})" for r in split.head(3).to_dict("records"))
            + ", which the pooled mean hides."
        )
    names = folder_names(folders)
    said += "".join(
        f" {name}: {r.failed_text}" for name, r in zip(names, folders, strict=True) if r.failed_text
    )
    open_ = [n for n, r in zip(names, folders, strict=True) if unfinished(r) is not None]
    if open_:
        said += f" Unfinished sweep{'s' if len(open_) > 1 else ''}: {', '.join(open_)}."
    return said


def _header_note(
    samples: list[Sample],
    table: pd.DataFrame,
    by: str | None = None,
    levels: list[DesignValue] | None = None,
    many: int = 0,
) -> str:
    """The caption's sentence when the header leaves out rows of the table: it gives each
    sample's difference from the first (six at most), the table every pair (an audit of
    the README: its three-value compare drew two differences beside a three-row table);
    a part's header (``levels``: its values of ``by``, of ``many``) those at its values."""
    first = table["a"] == samples[0].label
    if levels is not None and by is not None:
        first &= table["by"].isin([f"{by}={value_text(v)}" for v in levels])
    shown = min(int(first.sum()), 6)
    if shown >= len(table):
        return ""
    mine = " at this part's values" if levels is not None and len(levels) < many else ""
    return (
        f" The header gives {shown} of the table's {len(table)} differences, each sample's "
        f"from the first{mine}; the table written beside the figure gives them all."
    )


def _folders_text(folders: list[Results]) -> str:
    """The folders by the names the samples use and what each holds (``Folders: a (sweep
    of syria_withdrawal), ...``): no paths, which belong to the table's file
    (:func:`folder_paths`), not to a figure in a paper."""

    # Two runs of one scenario under different --set values (or seeds) were both "run of
    # tour", and the figure never said what told them apart (an outside check of the
    # README's commands, decision 935): what differs among the runs is said.
    runs = [r for r in folders if r.kind == RUN]
    sets = {id(r): [str(o) for o in r.manifest.get("overrides") or []] for r in runs}
    seeds = {id(r): r.manifest.get("seed") for r in runs}
    sets_differ = len({tuple(v) for v in sets.values()}) > 1
    seeds_differ = len({repr(v) for v in seeds.values()}) > 1

    def holds(results: Results) -> str:
        what = results.manifest.get("scenario_name" if results.kind == RUN else "experiment_name")
        if not what:
            return ""
        more = []
        if results.kind == RUN and sets_differ:
            more.append(", ".join(sets[id(results)]) or "no --set")
        if results.kind == RUN and seeds_differ:
            more.append(f"seed {seeds[id(results)]}")
        return f" ({results.kind} of {what}{''.join(f'; {m}' for m in more)})"

    names = folder_names(folders)
    listed = ", ".join(f"{n}{holds(r)}" for n, r in zip(names, folders, strict=True))
    return f"{'Folder' if len(folders) == 1 else 'Folders'}: {listed}"


def folder_paths(folders: list[Results]) -> str:
    """Where each folder is, by the name the samples use (a line under the table)."""
    names = folder_names(folders)
    return "Folders: " + ", ".join(
        f"{n} = {r.path.resolve()}" for n, r in zip(names, folders, strict=True)
    )


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def question_order_texts(folders: list[Results], metric: str, table: pd.DataFrame) -> list[str]:
    """The sentence that the experiment's question takes the difference the other way
    round from a row of the table ("" when no row is its pair reversed): compare gives
    b - a in the scenarios' order, "abstained - historical: -0.0501", beside the
    report's "historical minus abstained: +0.0494" (an outside review of the figures,
    decision 947). The question's order is the report's; compare keeps its own, the
    same for every pair. Of several folders, each folder's question is read of its own
    two scenarios, named as compare labels them ("sweep_a:historical"; decision 950:
    the sentence was given of one folder only): a sentence a folder."""
    from sim.analysis.sensitivity import question_difference

    labels = {(id(s.results), s.scenario): s.label for s in _labels(folders)}
    texts = []
    for name, results in zip(folder_names(folders), folders, strict=True):
        difference, _ = question_difference(results.manifest)
        if difference is None or difference.metric != metric or difference.date is not None:
            continue
        a = labels.get((id(results), difference.a))
        b = labels.get((id(results), difference.b))
        rows = table[(table["a"] == a) & (table["b"] == b)]
        if rows.empty:
            continue
        # One value a row: of --by's rows, each at its value (the first alone was said as
        # "pooled here"; a check of the change).
        values = [
            f"{alike(-float(row['difference']))[0]}"
            + (f" at {row['by'].removeprefix('parameters.')}" if row["by"] else " pooled here")
            for _, row in rows.iterrows()
        ]
        whose = "the experiment's" if len(folders) == 1 else f"{name}'s experiment's"
        texts.append(
            f"{whose} question, and the report's answer, read {difference.words} "
            f"({', '.join(values)}): the opposite sign of this comparison's {b} - {a}"
        )
    return texts


def _difference_text(row: pd.Series, terse: bool = False) -> str:
    """A header's line of a row of the table; ``terse``: its difference, the interval to
    read and its p only, without the bootstrap's interval where it is too narrow and
    without the words on a p at its floor (the table and the caption have them; decision
    1043: a single value of syria_withdrawal at 3.3 in passed the page by them)."""
    path, _, value = str(row["by"]).partition("=")
    by = f" at {parameter_label(path)} = {value}" if row["by"] else ""
    difference, low, high, t_low, t_high = alike(
        row["difference"],
        row["ci_low"],
        row["ci_high"],
        row.get("t_low", np.nan),
        row.get("t_high", np.nan),
    )
    head = f"{row['b']} - {row['a']}{by}: {difference}"
    if np.isnan(row["ci_low"]):
        return f"{head} (one run: no interval)"
    few = few_runs_text(row)
    interval = (
        f"95% t interval {t_low} to {t_high}"
        + ("" if terse else f"; the bootstrap's {low} to {high} is too narrow with {few}")
        if few
        else f"95% interval {low} to {high}"
    )
    runs = at_p_floor(row)
    least = f", the smallest p {runs} can give" if runs and not terse else ""
    # A rank test of differences that are all zero has no p (the table leaves it blank):
    # the header said "p = nan" (an audit, decision 642).
    how = f" by its {NORMAL}" if row.get("p_method") == NORMAL else ""
    test = (
        f"{row['test']} p = {row['p_value']:.2g}{how}{least}"
        if pd.notna(row["p_value"])
        else f"no {row['test']} p: every difference is 0{_zeroed_text(row)}"
        if row["pairing"] == PAIRED
        else f"no {row['test']} p"
    )
    return f"{head} ({row['pairing']}; {interval}; {test})"


def _t_first(columns: list[str]) -> list[str]:
    """``columns`` with ``t_low``, ``t_high`` moved before ``ci_low`` (decision 934)."""
    if not {"t_low", "t_high", "ci_low"} <= set(columns):
        return columns
    rest = [c for c in columns if c not in ("t_low", "t_high")]
    at = rest.index("ci_low")
    return [*rest[:at], "t_low", "t_high", *rest[at:]]


def few_runs_text(row: Mapping[Any, Any] | pd.Series) -> str:
    """A row's runs in words when they are too few for its bootstrap interval
    (:data:`FEW_RUNS`), else ""."""
    n, m = int(row["n_a"]), int(row["n_b"])
    t_low, t_high = row.get("t_low", np.nan), row.get("t_high", np.nan)
    if np.isnan(row["ci_low"]) or np.isnan(t_low) or min(n, m) >= FEW_RUNS:
        return ""
    if t_low == t_high:
        return ""  # runs all alike: both intervals are the one value
    if row["pairing"] == PAIRED:
        return f"{n} pair{'s' if n != 1 else ''}"
    return f"{n} and {m} runs"


def _zeroed_text(row: Mapping[Any, Any] | pd.Series) -> str:
    return f" within {AGREEMENT:g}" if row.get("zeroed", 0) else ""


def at_p_floor(row: pd.Series) -> str:
    """A row's runs in words when its p is the smallest its rank test can give with
    them, else "": a two-sided Wilcoxon test of n pairs cannot go below 2 / 2^n (0.031
    at 6 pairs), a Mann-Whitney test of n and m runs below 2 / C(n + m, n). Every
    contrast of a small sweep read "p = 0.031" with nothing saying that this is the
    floor, not a finding (an audit of the figures)."""
    p = float(row["p_value"]) if pd.notna(row["p_value"]) else math.nan
    n, m = int(row["n_a"]), int(row["n_b"])
    if row["test"] == "wilcoxon":
        floor, runs = 2.0 / 2.0**n, f"{n} pairs"
    elif row["test"] == "mann-whitney":
        floor, runs = 2.0 / math.comb(n + m, n), f"{n} and {m} runs"
    else:
        return ""
    return runs if p <= floor * (1 + 1e-9) else ""


# --by compares every value with every other: beyond this, a table and legend nobody reads.
MAX_BY_VALUES = 12


def samples_of(folders: list[Results], by: str | None) -> list[Sample]:
    """The samples: each scenario of each folder; a single scenario with ``by`` gives one
    sample per value of ``by`` instead.

    Raises:
        InputError: ``by`` is not varied by every folder, or fewer than two samples.
    """
    for results in folders:
        if results.ok_runs.empty:
            # It said "compare needs at least two samples: give ... one sweep folder with
            # several scenarios" of a sweep of several scenarios whose runs all failed.
            if results.runs.empty:
                # "its 0 runs failed" of a sweep stopped before its first runs were kept
                # (an outside check, decision 923): none ran.
                raise none_kept(results, "compare")
            raise InputError(
                f"'{results.path}' has no finished run to compare: its {len(results.runs)} "
                "runs failed; their errors are in the 'error' column of "
                f"{results.path / 'runs.parquet'}" + _unfinished_note(results)
            )
    if by is not None:
        for results in folders:
            if by not in results.varied:
                raise InputError(
                    f"--by '{by}' is not varied by '{results.path}'; varied: "
                    f"{', '.join(results.varied) or 'nothing'}{suggest(by, results.varied)}"
                )
            count = results.ok_runs[by].nunique()
            if count > MAX_BY_VALUES:
                raise InputError(
                    f"--by '{by}': '{results.path}' ran {count} values of it "
                    f"({results.design_method} design); --by compares at most {MAX_BY_VALUES} "
                    "values, each against each: "
                    "`credsim plot` draws the metric against it instead"
                )
    samples = _labels(folders)
    if by is not None and len(samples) == 1:
        only = samples[0]
        runs = only.results.ok_runs
        values = value_order(runs.loc[runs["scenario"] == only.scenario, by])
        name = by.removeprefix("parameters.")
        if len(values) == 1:
            _refuse_failed_values(only.results, only.scenario, by, values[0])
            if unfinished(only.results) is not None:
                # "give ... --by a varied parameter" to a user who had (an outside check,
                # decision 817): the other values have not run yet.
                raise InputError(
                    f"--by '{by}': only {value_text(values[0])} has finished runs so far, "
                    f"so there is nothing to compare it with{_unfinished_note(only.results)}"
                )
        samples = [
            Sample(f"{name}={value_text(v)}", only.results, only.scenario, (by, v)) for v in values
        ]
    if len(samples) < 2:
        raise InputError(
            "compare needs at least two samples: give two or more results folders, "
            "one sweep folder with several scenarios, or --by a varied parameter"
            + "".join(_unfinished_note(results) for results in folders)
        )
    return samples


def _refuse_failed_values(results: Results, scenario: str, by: str, kept: Any) -> None:
    """Refuse ``--by`` when every other value of it has only failed runs: the line said
    to give ``--by a varied parameter``, which was given (an audit of the sweep).

    Raises:
        InputError: the values whose runs all failed, and where their errors are.
    """
    runs = results.runs.loc[results.runs["scenario"] == scenario]
    failed = [v for v in value_order(runs[by]) if v != kept]
    if failed:
        shown = ", ".join(value_text(v) for v in failed)
        raise InputError(
            f"--by '{by}': every run at {shown} failed, so only {value_text(kept)} is left "
            f"to compare; the runs' errors are in the 'error' column of "
            f"{results.path / 'runs.parquet'}"
        )


def none_kept(results: Results, verb: str) -> InputError:
    """The refusal of a folder that holds no run yet (a sweep stopped before its first
    runs were kept), for ``compare`` and ``plot`` (``verb``; decision 923)."""
    return InputError(
        f"'{results.path}' has no finished run to {verb}: no run of it has been kept yet"
        + (_unfinished_note(results) or "; run its command again")
    )


def _unfinished_note(results: Results) -> str:
    """Why an unfinished sweep's folder may give fewer samples than its scenarios."""
    from sim.integrity import status_text

    so_far = unfinished(results)
    if so_far is None:
        return ""
    absent = f", no runs yet of {', '.join(so_far.missing)}" if so_far.missing else ""
    return (
        f"; the sweep in '{results.path}' is {status_text(results.path, results.manifest)} "
        f"({so_far.done}{absent}): run its command again to finish it"
    )


def cli_compare(args: argparse.Namespace) -> int:
    """``credsim compare RESULTS_DIR ... [--metric M] [--by PATH] [--at PATH=VALUE ...]
    [--out DIR] [--format png|svg|pdf]``."""
    matplotlib.use("Agg")
    _refuse_repeats(args.results)
    # An unset shell variable gave "No --metric: comparing ..." (an audit; decision 625),
    # and "--by '' is not varied by ..." (an audit): both said empty, before any folder is read.
    refuse_empty(
        "--metric",
        args.metric,
        "give a metric such as final_trust.<power>.all, or leave --metric out to compare "
        "the default one",
    )
    refuse_empty(
        "--by",
        args.by,
        "give a varied parameter to split by, e.g. parameters.trust.negativity_bias, or "
        "leave --by out",
    )
    folders = [open_results(path) for path in args.results]
    samples = samples_of(folders, args.by)
    _check_calendars(samples)
    fixed: dict[str, DesignValue] = {}
    for given, results in zip(args.results, folders, strict=True):
        try:
            fixed.update(parse_at(args.at, results.varied, results.ok_runs))
        except InputError as exc:
            if len(folders) == 1:
                raise
            # Of several folders, say which one the --at does not fit ("this folder").
            raise InputError(f"{exc.message} ({given})", path=exc.path) from None
    if args.by is not None and args.by in fixed:
        raise InputError(f"--by '{args.by}' is also fixed by --at; give one or the other")
    metric, why = (args.metric, "") if args.metric else default_metric(folders)
    table = compare_table(samples, metric, by=args.by, fixed=fixed)
    out = Path(args.out) if args.out else _default_out(folders)
    refuse_results_folder(out)
    if args.out:
        _refuse_foreign_out(out)
    require_writable(out)
    stem = "compare_" + "_".join(
        [metric.replace(".", "-")]
        + ([f"by-{args.by.removeprefix('parameters.')}"] if args.by else [])
        + [f"at-{p.removeprefix('parameters.')}-{value_text(v)}" for p, v in fixed.items()]
    )
    atomic_write_text(out / f"{stem}.csv", table.to_csv(index=False))
    few_rows = [row for row in table.to_dict("records") if few_runs_text(row)]
    # With few runs the t interval is the one to read, and the terminal's table gave the
    # bootstrap's columns first, where the README says the terminal gives the t interval
    # first (an outside check, decision 934). The CSV keeps its columns' order.
    shown = table[_t_first(list(table.columns))] if few_rows else table
    text = markdown(shown) + "\n" + folder_paths(folders) + "\n"
    files = compare_parts(folders, samples, metric, table, fixed, args.by, args.format)
    # A figure cut into parts, or whose caption in full took it past the page, has its
    # captions here (decision 1043); each part draws a short one.
    text += "".join(
        f"\nCaption of {stem}{f.suffix}.{args.format}:\n\n{f.caption}\n" for f in files if f.short
    )
    atomic_write_text(out / f"{stem}.md", text)
    # A figure cut into other parts by an earlier compare into this folder (another
    # width) leaves no file of its own behind.
    written = {f"{stem}{f.suffix}.{args.format}" for f in files}
    ours = re.compile(rf"{re.escape(stem)}(_\d+)?\.{re.escape(args.format)}")
    for old in [out / f"{stem}.{args.format}", *out.glob(f"{stem}_*.{args.format}")]:
        if old.name not in written and ours.fullmatch(old.name):
            old.unlink(missing_ok=True)
    for drawn in files:
        atomic_write_bytes(out / f"{stem}{drawn.suffix}.{args.format}", drawn.data)
    if why:
        print(f"no --metric: comparing {metric} ({why}); --metric chooses another")
    # Of one run a side there is no interval to give (an outside check, decision 817).
    alone = bool(table["ci_low"].isna().all())
    # A series metric is read at its last step, which only the figure said (an outside
    # check, decision 900): the terminal's numbers read as the question's date's.
    parsed = parse_metric(metric)
    last = " at the last step" if parsed is not None and parsed.metric.kind == SERIES else ""
    print(
        f"{metric}{last}: difference b - a"
        + (
            " (a sample of one run, or one pair: no bootstrap interval, no test)"
            if alone
            else " with its Student t 95% interval (t_low, t_high) and its bootstrap 95% "
            "interval (ci_low, ci_high)"
            if few_rows
            else " with its bootstrap 95% interval"
        )
    )
    for pairing, pooled in table[["pairing", "pooled"]].drop_duplicates().itertuples(index=False):
        how = (
            f"paired run by run ({PAIRS})"
            if pairing == PAIRED
            else "unpaired (difference of means)"
        )
        print(f"- {how}; pooled over: {pooled}")
    for order in question_order_texts(folders, metric, table):
        print(f"- {order}")
    split = table[(table["point_low"] < 0) & (table["point_high"] > 0)]
    for row in split.to_dict("records"):
        print(
            f"- the mean difference changes sign across the design points pooled "
            f"({_span_text(row)}), which the pooled mean hides; --by PATH or --at "
            "PATH=VALUE compares them apart"
        )
    if few_rows:
        few = sorted({few_runs_text(row) for row in few_rows})
        welch = " (Welch's, unpaired)" if any(r["pairing"] == UNPAIRED for r in few_rows) else ""
        print(
            f"- with {' or '.join(few)} the bootstrap interval reaches no further than the "
            "runs themselves and is too narrow: t_low and t_high are the Student t 95% "
            f"interval{welch}, which the figure gives; more replicates bring the two together"
        )
    zeroed = int(table["zeroed"].sum())
    if zeroed:
        print(
            f"- {zeroed} run-by-run difference{'s' if zeroed != 1 else ''} within "
            f"{AGREEMENT:g} of zero taken as none (the two engines agree to {AGREEMENT:g}; "
            "rounding is no effect)"
        )
    left_out = int(table["left_out"].sum())
    if left_out:
        print(
            f"- {left_out} run{'s' if left_out != 1 else ''} without a partner in the other "
            "sample left out of the paired comparison (one sample has more replicates or "
            "design points, or is unfinished, or some of its runs failed)"
        )
    for name, results in zip(folder_names(folders), folders, strict=True):
        if results.failed_text:
            print(f"- {name}: {results.failed_text}")
    # The figure said a p at its test's floor; the terminal did not, where p = 0.0625 of 5
    # pairs read as no effect beside an interval clear of zero (an audit, decision 648).
    floors = {
        (str(row["test"]), at_p_floor(row), float(row["p_value"]))
        for _, row in table.iterrows()
        if at_p_floor(row)
    }
    for test, runs, p in sorted(floors):
        print(
            f"- p = {p:.2g} is the smallest a {test} test of {runs} can give: more "
            "replicates can make it smaller"
        )
    for results in folders:
        note = _unfinished_note(results)
        if note:
            print(f"note: {note.removeprefix('; ')}", file=sys.stderr)
    if fixed:
        print(f"- held at: {', '.join(f'{p}={value_text(v)}' for p, v in fixed.items())}")
    print()
    print(text)
    if len(files) > 1:
        print(
            f"the figure is cut into {len(files)} parts, each within a page's "
            f"{PAGE_HEIGHT_IN:g} in: {stem}_1.{args.format} to _{len(files)}"
        )
    print(f"table and figure in {out}")
    return 0


def _refuse_repeats(given: list[str]) -> None:
    """Refuse a results folder given twice (``compare R1 R1``, or ``R1`` and ``./R1``):
    a folder compared with itself is no comparison.

    Raises:
        InputError: two of ``given`` are the same folder.
    """
    seen: dict[Path, str] = {}
    for path in given:
        key = Path(path).resolve()
        if key in seen:
            first = seen[key]
            same = (
                f"'{path}' is given twice"
                if first == path
                else f"'{first}' and '{path}' are the same folder"
            )
            raise InputError(
                f"{same}; compare takes different results folders (one sweep's folder "
                "compares its scenarios)"
            )
        seen[key] = path


def default_metric(folders: list[Results]) -> tuple[str, str]:
    """The metric compared when ``--metric`` is not given, and why it was chosen.

    The experiment's ``question:`` metric when the first folder asks one (read at
    the last step, so not one asked at another ``date``) and every folder has it;
    else the final trust in the first folder's first power (the scenario's own
    order) among all states. Not the first final trust by name: that was
    ``final_trust.China.all`` for the Syria scenario, a power no event moves.

    Raises:
        InputError: no folder offers a final trust among all states to fall back on.
    """
    first = folders[0]
    question = (first.manifest.get("experiment") or {}).get("question") or {}
    asked = question.get("metric")
    lacking = [r for r in folders if asked not in r.metrics]
    if asked and not question.get("date") and not lacking:
        return str(asked), "the experiment's question"
    by_power = {p: f"final_trust.{p}.all" for p in first.powers}
    shared = [p for p, m in by_power.items() if all(m in r.metrics for r in folders)]
    if not shared:
        # The first folder's powers are not all the others' (an outside check, decision
        # 817: it was told "'r1' has no final_trust metrics", which it has).
        held = "; ".join(f"'{r.path}': {', '.join(r.powers) or 'none'}" for r in folders)
        raise InputError(
            "the folders share no power whose final trust among all states they all hold "
            f"(powers of {held}); give the metric to compare with --metric"
        )
    power = shared[0]
    # The question's metric passed over without a word read as its answer (an audit):
    # say why it is not the one compared.
    if not asked:
        passed = ""
    elif question.get("date"):
        passed = (
            f"; not the question's {asked}, which it asks at {question['date']}: compare "
            "reads a series at its last step"
        )
    else:
        passed = f"; not the question's {asked}: '{lacking[0].path}' has no such metric"
    which = (
        "the scenario's first power"
        if power == first.powers[0]
        else "the scenario's first power that every folder has"
    )
    return by_power[power], f"final trust in {power}, {which}, among all states{passed}"


def _default_out(folders: list[Results]) -> Path:
    if len(folders) == 1:
        return folders[0].path / "compare"
    key = "|".join(sorted(str(r.path.resolve()) for r in folders))
    return Path("results") / "compare" / hashlib.sha256(key.encode()).hexdigest()[:10]
