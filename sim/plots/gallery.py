"""Which figures a results folder gets, each with its file stem and one-line caption.

A folder with series gets the trust trajectories and the alignment figure;
a sweep with varied parameters gets each summary metric family against
each parameter and heatmaps over each pair of parameters; a folder with
``analyze`` output gets the sensitivity bars. Figures are yielded one at a
time so a caller can save and close each before the next is drawn.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from matplotlib.figure import Figure

from sim.catalogue import family_of, family_title
from sim.plots.alignment import alignment_figure
from sim.plots.figure import add_caption, band_note, parameter_label
from sim.plots.sensitivity import sensitivity_figures
from sim.plots.sweeps import heatmap_figure, metrics_figure
from sim.plots.trajectories import trajectories_figure
from sim.results import SWEEP, Results

SENSITIVITY_METHODS = ("sobol", "morris")
_ALIGNMENT_METRICS = ["share_aligned", "effective_poles"]


@dataclass
class Entry:
    """A drawn figure: where it goes (file stem), what it shows (caption)."""

    stem: str
    figure: Figure
    caption: str


def _slug(text: str) -> str:
    return text.removeprefix("parameters.").replace(".", "-").replace(" ", "_")


def _where(results: Results) -> str:
    scenarios = ", ".join(results.scenarios)
    label = "Scenario" if len(results.scenarios) == 1 else "Scenarios"
    return f"{label}: {scenarios}. Results: {results.path}."


def _runs_note(results: Results) -> str:
    runs = results.ok_runs
    per_scenario = int(runs.groupby("scenario").size().max()) if len(runs) else 0
    detail = ""
    if results.kind == SWEEP and per_scenario > 1:
        points = runs["point"].nunique()
        replicates = runs["replicate"].nunique()
        detail = f" ({replicates} replicates x {points} design points per scenario)"
    return band_note(per_scenario) + detail


def _entry(stem: str, figure: Figure, what: str, results: Results, note: str) -> Entry:
    caption = f"{what}. {_where(results)} {note}".strip()
    add_caption(figure, caption)
    return Entry(stem, figure, caption)


def _series_entries(results: Results) -> Iterator[Entry]:
    # One read for both figures; each draws only its own metrics.
    series = results.series(metrics=["trust_mean", *_ALIGNMENT_METRICS])
    if series is None or not (series["metric"] == "trust_mean").any():
        return
    note = _runs_note(results)
    yield _entry(
        "trust_trajectories",
        trajectories_figure(series, results.events),
        "Mean trust of each group's states in each power over time; dotted lines mark the "
        "scenario's events (labelled above with their dates)",
        results,
        note,
    )
    if series["metric"].isin(_ALIGNMENT_METRICS).any():
        yield _entry(
            "alignment",
            alignment_figure(series),
            "Share of each group's states aligned with each power (stacked, mean across runs) "
            "and the effective number of poles",
            results,
            note,
        )


def _sweep_entries(results: Results) -> Iterator[Entry]:
    runs = results.ok_runs
    if runs.empty or not results.varied:
        return
    families: dict[str, list[str]] = {}
    for metric in results.metrics:
        if runs[metric].notna().any():
            families.setdefault(family_of(metric), []).append(metric)
    note = "Lines: mean across runs at each value; bands: 95% of runs."
    for parameter in results.varied:
        for family, metrics in families.items():
            yield _entry(
                f"sweep_{_slug(parameter)}_{_slug(family)}",
                metrics_figure(runs, metrics, parameter),
                f"{family_title(family)} against {parameter_label(parameter)}",
                results,
                note,
            )
    headline = [m for m in results.metrics if m.startswith("final_trust.") and m.endswith(".all")]
    headline += [m for m in results.metrics if m == "final_effective_poles"]
    for x, y in itertools.combinations(results.varied, 2):
        yield _entry(
            f"heatmap_{_slug(x)}_{_slug(y)}",
            heatmap_figure(runs, headline, x, y),
            f"Mean final trust and effective poles over {parameter_label(x)} and "
            f"{parameter_label(y)}",
            results,
            "Cells: mean across runs.",
        )


def _sensitivity_entries(results: Results) -> Iterator[Entry]:
    for method in SENSITIVITY_METHODS:
        table = results.sensitivity(method)
        if table is None:
            continue
        figures = sensitivity_figures(table, method)
        for i, figure in enumerate(figures, start=1):
            part = f"_{i}" if len(figures) > 1 else ""
            yield _entry(
                f"sensitivity_{method}{part}",
                figure,
                f"{method.capitalize()} sensitivity indices with 95% intervals"
                + (f" (part {i} of {len(figures)})" if len(figures) > 1 else ""),
                results,
                "Replicates averaged per design point before analysis.",
            )


def figures_for(results: Results) -> Iterator[Entry]:
    """Every figure of a results folder, in report order."""
    yield from _series_entries(results)
    yield from _sweep_entries(results)
    yield from _sensitivity_entries(results)
