"""The metric catalogue: every metric credsim records, in one table.

Each entry says what a metric is called, how it reads in words, its unit
and range, where it comes from (model.md section) and, for a summary
metric, which series it summarises. The recorder's outputs are checked
against it (tests/test_catalogue.py), and the figures' labels and
families, the report's summary table and ``compare``'s series look-up are
all read from here, so a new metric is one entry here plus the code that
computes it.

Names as they appear in files:

- series rows (``series.parquet``): ``metric`` column, per power and group
  (``power`` is ``""`` for group-level metrics such as ``effective_poles``);
  written ``metric.power.group`` (``metric.group`` for group-level ones)
  where one value per run is needed (``compare``, the headline).
- summary metrics (``summary.json``, flattened into ``runs.parquet``):
  ``family.power.group``, ``family.window.power.group`` for windowed ones,
  ``family.group`` for group-level ones, or ``family`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["series", "summary"]
SERIES: Kind = "series"
SUMMARY: Kind = "summary"
Shape = Literal["power_group", "window_power_group", "group", "scalar"]


@dataclass(frozen=True)
class Metric:
    """One metric family of the catalogue.

    Attributes:
        name: the name in files (a series ``metric`` or a summary family).
        kind: ``series`` (one value per step) or ``summary`` (one per run).
        label: what it is, in words (``"Final trust"``).
        unit: the axis label's unit part (``"0 to 1"``, ``"count"``).
        axis: the quantity on an axis (``"Trust"``).
        source: where it is defined (model.md section).
        shape: how its flattened names are built (see the module docstring).
        series: for a summary, the series metric it summarises (``None`` if none).
        low, high: the natural range of its values (``None``: unbounded).
        towards: how a title joins it to the powers (``"in"``: "Mean trust in each
            power"; ``"for"``: "Mean affinity for each power").
    """

    name: str
    kind: Literal["series", "summary"]
    label: str
    unit: str
    axis: str
    source: str
    shape: Shape
    series: str | None = None
    low: float | None = None
    high: float | None = None
    towards: str = "in"

    @property
    def last_of_series(self) -> bool:
        """Whether this summary is its series' value at the last step (``final_trust`` is
        ``trust_mean`` then; ``min_trust`` or ``trust_change`` are not)."""
        return (
            self.kind == SUMMARY
            and self.series is not None
            and (self.name.startswith("final_") or self.name == "effective_poles")
        )

    @property
    def axis_label(self) -> str:
        """The axis label with its unit: ``Trust (0 to 1)``."""
        return f"{self.axis} ({self.unit})"


def _m(
    name: str,
    kind: Kind,
    label: str,
    axis: str,
    shape: Shape,
    *,
    unit: str = "0 to 1",
    series: str | None = None,
    low: float | None = 0.0,
    high: float | None = 1.0,
    source: str = "model.md 7",
    towards: str = "in",
) -> Metric:
    return Metric(name, kind, label, unit, axis, source, shape, series, low, high, towards)


_V2 = "model.md 8.5"
_SERIES_LIST = [
    _m("trust_mean", SERIES, "Mean trust", "Mean trust", "power_group"),
    _m("trust_p10", SERIES, "Trust, 10th percentile of states", "Trust, p10", "power_group"),
    _m("trust_p90", SERIES, "Trust, 90th percentile of states", "Trust, p90", "power_group"),
    _m("own_mean", SERIES, "Own-evidence trust, mean", "Own-evidence trust", "power_group"),
    _m(
        "share_aligned",
        SERIES,
        "Share of states",
        "Share of states",
        "power_group",
        towards="aligned with",
    ),
    _m(
        "effective_poles",
        SERIES,
        "Effective number of poles (aligned states)",
        "Effective poles",
        "group",
        unit="aligned states only",
        high=None,
    ),
    _m(
        "realignments",
        SERIES,
        "Realignments",
        "Realignments",
        "group",
        unit="states per step",
        high=None,
    ),
    _m(
        "affinity_mean",
        SERIES,
        "Mean affinity",
        "Mean affinity",
        "power_group",
        source=_V2,
        towards="for",
    ),
    _m(
        "affinity_p10",
        SERIES,
        "Affinity, 10th percentile of states",
        "Affinity, p10",
        "power_group",
        source=_V2,
        towards="for",
    ),
    _m(
        "affinity_p90",
        SERIES,
        "Affinity, 90th percentile of states",
        "Affinity, p90",
        "power_group",
        source=_V2,
        towards="for",
    ),
]
_SUMMARY_LIST = [
    _m("final_trust", SUMMARY, "Final trust", "Trust", "power_group", series="trust_mean"),
    _m("min_trust", SUMMARY, "Lowest trust", "Trust", "power_group", series="trust_mean"),
    _m(
        "mean_trust",
        SUMMARY,
        "Mean trust over the run",
        "Trust",
        "power_group",
        series="trust_mean",
    ),
    _m(
        "sd_trust",
        SUMMARY,
        "Swing (SD over time) of trust",
        "SD of trust",
        "power_group",
        series="trust_mean",
    ),
    _m(
        "final_share",
        SUMMARY,
        "Final share of states",
        "Share of states",
        "power_group",
        series="share_aligned",
    ),
    _m(
        "trust_change",
        SUMMARY,
        "Change in trust",
        "Change in trust",
        "window_power_group",
        unit="-1 to 1",
        series="trust_mean",
        low=-1.0,
    ),
    _m(
        "final_effective_poles",
        SUMMARY,
        "Final effective number of poles (aligned states)",
        "Effective poles",
        "scalar",
        unit="aligned states only",
        series="effective_poles",
        high=None,
    ),
    _m(
        "effective_poles",
        SUMMARY,
        "Final effective number of poles (aligned states)",
        "Effective poles",
        "group",
        unit="aligned states only",
        series="effective_poles",
        high=None,
    ),
    _m(
        "final_affinity",
        SUMMARY,
        "Final affinity",
        "Affinity",
        "power_group",
        series="affinity_mean",
        source=_V2,
    ),
    _m(
        "affinity_change",
        SUMMARY,
        "Change in affinity",
        "Change in affinity",
        "window_power_group",
        unit="-1 to 1",
        series="affinity_mean",
        low=-1.0,
        source=_V2,
    ),
]
SERIES_METRICS: dict[str, Metric] = {m.name: m for m in _SERIES_LIST}
SUMMARY_METRICS: dict[str, Metric] = {m.name: m for m in _SUMMARY_LIST}


@dataclass(frozen=True)
class MetricName:
    """A flattened metric name taken apart: its catalogue entry and where it points.

    Attributes:
        metric: the catalogue entry.
        power: the power (or alignment option, ``none`` for non-aligned); ``""``
            for group-level metrics.
        group: the output group (``all`` for scalar summaries).
        window: the window of windowed summaries, else ``None``.
    """

    metric: Metric
    power: str
    group: str
    window: str | None = None


def _split(entry: Metric, parts: list[str]) -> MetricName | None:
    # A group or window name holds no dot (the loader refuses one); a power's may (U.S.:
    # final_trust.U.S..all), so the power is what lies between them (decision 804).
    if entry.shape == "power_group" and len(parts) >= 2:
        return MetricName(entry, ".".join(parts[:-1]), parts[-1])
    if entry.shape == "window_power_group" and len(parts) >= 3:
        return MetricName(entry, ".".join(parts[1:-1]), parts[-1], parts[0])
    if entry.shape == "group" and len(parts) == 1:
        return MetricName(entry, "", parts[0])
    if entry.shape == "scalar" and not parts:
        return MetricName(entry, "", "all")
    return None


def parse_metric(name: str, kind: str | None = None) -> MetricName | None:
    """Take a flattened name apart (summary names first, then ``series.power.group``).

    ``final_trust.Russia.all`` -> final_trust, Russia, all;
    ``trust_change.war.Russia.all`` -> trust_change, Russia, all, window ``war``;
    ``trust_mean.Russia.syria`` -> the series trust_mean; ``effective_poles.all``
    -> the summary effective_poles (group ``all``). ``None`` for names not in
    the catalogue or with the wrong number of parts.

    Args:
        name: the flattened name.
        kind: ``series`` or ``summary`` to look in one table only.
    """
    family, *parts = name.split(".")
    tables = {SUMMARY: SUMMARY_METRICS, SERIES: SERIES_METRICS}
    for table_kind, table in tables.items():
        if kind not in (None, table_kind) or family not in table:
            continue
        found = _split(table[family], parts)
        if found is not None:
            return found
    return None


def family_of(name: str) -> str:
    """The family a flattened summary metric is drawn with: its catalogue name, with the
    window for windowed ones; both effective-poles summaries together."""
    parsed = parse_metric(name, SUMMARY)
    if parsed is None:
        return name.split(".")[0]
    if parsed.window is not None:
        return f"{parsed.metric.name}.{parsed.window}"
    return "effective_poles" if parsed.metric.series == "effective_poles" else parsed.metric.name


def family_title(family: str) -> str:
    """A family (:func:`family_of`) in words, for captions."""
    name, _, window = family.partition(".")
    entry = SUMMARY_METRICS.get(name)
    if entry is None:
        return family.replace("_", " ").capitalize()
    return f"{entry.label} over '{window}'" if window else entry.label
