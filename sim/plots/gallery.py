"""Which figures a results folder gets, each with its file stem and one caption.

In report order: the headline (an experiment that asks a ``question:``), the
trajectories and the alignment figure at one design point (the scenario's own parameter
values, the first scenario's where they differ, or the values chosen with ``--at``;
bands over replicates only), the trajectories across a varied parameter on request
(``--across``), these three once per set of scenarios that share a calendar and groups
where the folder's scenarios do not all share them (:func:`scenario_sets`:
``trust_trajectories_<set>``), for a sweep each varied parameter's effect on the final
values (other parameters held at the same design point) and a heatmap over each pair of
parameters, and the sensitivity bars of ``analyze``.
Entries are yielded before their figures are drawn (an entry draws its
figure when asked for it), so a caller can count them, then draw, save and
close each before the next. Captions are not drawn into the figures: the
report page and ``plots/captions.md`` carry each one once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.paired import (
    DesignValue,
    is_text,
    parse_at,
    reference_values,
    runs_at,
    value_order,
    value_text,
)
from sim.analysis.sensitivity import (
    COLUMNS,
    Difference,
    difference_pairs,
    question_difference,
)
from sim.catalogue import family_of, family_title, parse_metric
from sim.columns import distinct
from sim.errors import alike, in_words
from sim.plots.alignment import alignment_figure, alignment_parts, one_state_note
from sim.plots.figure import (
    CAPTION_PT,
    NO_RUN_WORDS,
    band_note,
    caption_in,
    group_phrase,
    group_phrases,
    group_title,
    held_text,
    initial_note,
    lines_in,
    lower_first,
    metric_in_sentence,
    metric_label,
    page_width,
    parameter_label,
    where_shown,
    with_scenarios,
)
from sim.plots.headline import (
    Headline,
    headline_caption,
    headline_figure,
    headline_of,
    numbers_note,
)
from sim.plots.sensitivity import (
    figure_metrics,
    indices_caption,
    scenario_blocks,
    sensitivity_figures,
)
from sim.plots.sweeps import (
    BIN_RULE,
    FLAT,
    FLAT_OVER_DESIGN,
    FLAT_WORDS,
    MAP_BINS,
    MAX_LEVELS,
    MIN_SPAN,
    binning_note,
    drawn_levels,
    empty_cells,
    family_figure,
    fitted_axis_note,
    fitted_colour_note,
    heatmap_figure,
    heatmap_parts,
    is_signed,
    overlap_note,
    spread_over_design,
    spread_words,
    uneven_axes,
    varying,
    varying_over_design,
)
from sim.plots.trajectories import (
    across_figure,
    across_overlap_note,
    event_dates_note,
    hidden_band_note,
    metrics_stacked,
    strip_note,
    trajectories_figure,
    trajectory_parts,
)
from sim.plots.trajectories import (
    overlap_note as trajectory_overlaps,
)
from sim.results import EVENT_PATH, GRID, POSTERIOR, SWEEP, Results, calendar_of
from sim.scenario.calendar import Calendar

SENSITIVITY_METHODS = ("sobol", "morris")
DEFAULT_FAMILIES = ("final_trust", "effective_poles")
MAX_GROUPS = 3
MAX_HEATMAPS = 4
_ALIGNMENT_METRICS = ["share_aligned", "effective_poles"]
_MOVES = 1e-6


@dataclass
class Entry:
    """A figure of the report: where it goes (file stem), what it shows (:attr:`caption`)
    and how to draw it (``draw``, called by :attr:`figure` the first time it is read).

    ``text`` is the caption up to where the results are (``where``); ``drawn_note``, when
    given, reads a sentence off the drawn figure (what it had no room for) into the
    caption between them, so reading such a caption draws the figure.
    """

    stem: str
    draw: Callable[[], Figure]
    text: str
    where: str = ""
    drawn_note: Callable[[Figure], str] | None = None

    @cached_property
    def figure(self) -> Figure:
        """The figure, drawn on first use."""
        return self.draw()

    @property
    def caption(self) -> str:
        """The caption: ``text``, the drawn figure's note and ``where``."""
        late = self.drawn_note(self.figure) if self.drawn_note is not None else ""
        return _joined(self.text, late, self.where)


@dataclass(frozen=True)
class Selection:
    """What the figures show: powers, groups and summary families (``None``: all or the
    defaults), the design values to look at and the parameter to draw across."""

    powers: tuple[str, ...] | None = None
    groups: tuple[str, ...] | None = None
    families: tuple[str, ...] | None = None
    at: dict[str, DesignValue] = field(default_factory=dict)
    across: str | None = None


def _chosen_first(phrases: dict[str, str], selection: Selection) -> dict[str, str]:
    """The groups in words, those of ``--groups`` first in the order typed: the panels
    follow this order (:func:`~sim.plots.figure.group_order`), and `--groups client
    east` drew East first, the scenario's order (an outside check; decision 808)."""
    if not selection.groups:
        return phrases
    chosen = {g: phrases[g] for g in selection.groups if g in phrases}
    return {**chosen, **{g: p for g, p in phrases.items() if g not in chosen}}


def selection_of(
    results: Results,
    *,
    powers: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    families: Sequence[str] | None = None,
    at: Sequence[str] = (),
    across: str | None = None,
) -> Selection:
    """The selection of the command line, else of the experiment file's ``plots:``.

    Raises:
        InputError: an ``--at`` that is not ``PATH=NUMBER`` of a varied path.
    """
    plots = (results.manifest.get("experiment") or {}).get("plots") or {}
    pick_powers = powers or plots.get("powers")
    pick_groups = groups or plots.get("groups")
    pick_families = families or plots.get("metrics")
    return Selection(
        powers=tuple(pick_powers) if pick_powers else None,
        groups=tuple(pick_groups) if pick_groups else None,
        families=tuple(pick_families) if pick_families else None,
        at=parse_at(list(at), results.varied, results.ok_runs),
        across=across or plots.get("across"),
    )


def _slug(text: str) -> str:
    return text.removeprefix("parameters.").replace(".", "-").replace(" ", "_")


def _where(results: Results) -> str:
    scenarios = ", ".join(results.scenarios)
    label = "Scenario" if len(results.scenarios) == 1 else "Scenarios"
    failed = f" {results.failed_text}" if results.failed_text else ""
    return f"{label}: {scenarios}.{failed} Results: {results.path}."


def _entry(
    stem: str,
    draw: Callable[[], Figure],
    what: str,
    results: Results,
    note: str,
    drawn_note: Callable[[Figure], str] | None = None,
) -> Entry:
    text = f"{what.rstrip('.')}. {note}".replace("  ", " ").strip()
    text = f"{text} {window_note(results.scenarios, text)}".strip()
    return Entry(stem, draw, text, _where(results), drawn_note)


def window_note(trees: Mapping[str, Mapping[str, Any]], text: str) -> str:
    """The dates of the windows ``text`` names (``over 'withdrawal'``), for a caption; ""
    when it names none.

    Figures and captions named a change's window only ("trust change over
    'withdrawal'"), its dates nowhere on the page (an outside review of the figures,
    decision 947). Where the folder's scenarios give one window different dates, each
    scenario's are said.
    """
    spans: dict[str, dict[tuple[str, str], list[str]]] = {}
    for name, tree in trees.items():
        for window, (start, end) in (tree.get("windows") or {}).items():
            spans.setdefault(str(window), {}).setdefault((str(start), str(end)), []).append(name)
    said = []
    for window, by_span in spans.items():
        if f"'{window}'" not in text:
            continue
        if len(by_span) == 1:
            ((start, end),) = by_span
            said.append(f"'{window}' runs from {start} to {end}")
        else:
            dates = "; ".join(
                f"{start} to {end} in {', '.join(names)}" for (start, end), names in by_span.items()
            )
            said.append(f"'{window}' runs {dates}")
    if not said:
        return ""
    return (
        f"The window {' and '.join(said)}: a change is the value at its end minus the value "
        "just before its start."
    )


def _sampled(results: Results) -> str:
    """The design method when the sweep drew its parameter values (lhs, sobol, morris),
    else "" (a grid, or a folder that does not say)."""
    return "" if results.design_method == GRID else results.design_method


def _pooled_note(method: str, drawn_often: bool = False, others: bool = True) -> str:
    """How a sampled design's figure against one parameter is to be read (``drawn_often``:
    a posterior design, whose sets count as often as they were drawn; ``others``: whether
    the design varies other parameters, over which each value pools: a one-parameter
    Sobol design's figures spoke of "the other parameters" it has none of, an outside
    check)."""
    often = "each parameter set counts as often as the posterior drew it"
    return (
        (
            f"The other parameters are not held: the {method} design draws every parameter "
            "anew at each of its points, so each value pools the runs over the others' ranges"
            + (f"; {often}" if drawn_often else "")
            + ". "
            if others
            else (f"{often[:1].upper()}{often[1:]}. " if drawn_often else "")
        )
        + "Lines: "
        f"mean of the runs in each of up to {MAX_LEVELS} equal-count bins of the parameter "
        f"({BIN_RULE}; markers at the bin's mean value); bands: 2.5-97.5 percentiles of "
        "those runs. "
    )


def _grid_note(runs: pd.DataFrame, parameter: str) -> str:
    """How a grid's figure against one parameter is to be read: at each value run, or,
    with more than ``MAX_LEVELS`` numbers, in bins (:func:`~sim.plots.sweeps.levels`).

    A line's band is drawn where it has more than one run at a value (or bin;
    :func:`~sim.plots.figure.draw_band`): a sweep of one replicate said "bands: 2.5-97.5
    percentiles of the replicates" of figures with none (an outside check, decision 989).
    """
    values = runs[parameter]
    count = values.nunique()
    binned = count > MAX_LEVELS and not is_text(values)
    lone = _lone_levels(runs, parameter)
    lines_of = runs["scenario"].nunique()
    if binned:
        lines = (
            f"Lines: mean of the runs in each of up to {MAX_LEVELS} equal-count bins of the "
            f"{count} values run ({BIN_RULE}; markers at the bin's mean value)"
        )
        if lone is None:
            return f"{lines}; no band: one run per bin. "
        bands = "bands: 2.5-97.5 percentiles of those runs"
        return f"{lines}; {bands}{_lone_words(lone, lines_of, binned=True)}. "
    if lone is None:
        return "Lines: the one run at each value (markers); no band: one run per value. "
    return (
        "Lines: mean of the replicates at each value run (markers); bands: "
        f"2.5-97.5 percentiles of the replicates{_lone_words(lone, lines_of)}. "
    )


def _lone_levels(runs: pd.DataFrame, parameter: str) -> dict[DesignValue, list[str]] | None:
    """The values (or bins, at their mean) of ``parameter`` where a scenario's line has
    one run, each with those scenarios; ``None`` when every line has one run at every
    value (no band is drawn at all)."""
    level = drawn_levels(runs, parameter)
    counts = runs.groupby(["scenario", level.rename("level")], sort=False).size()
    if bool((counts <= 1).all()):
        return None
    lone: dict[DesignValue, list[str]] = {}
    ones = counts[counts <= 1].index
    for scenario, value in zip(
        ones.get_level_values("scenario"), ones.get_level_values("level"), strict=True
    ):
        lone.setdefault(value, []).append(str(scenario))
    return {v: lone[v] for v in value_order(list(lone))}


_MAX_LONE = 5


def _lone_words(lone: Mapping[DesignValue, list[str]], scenarios: int, binned: bool = False) -> str:
    """The grid note's words on the values (bins when ``binned``) where a line has one run
    and so no band (``""`` when none), each with its scenarios where not all of the
    figure's ``scenarios`` (a count) have one run there."""
    if not lone:
        return ""
    named = [
        (f"the bin at {value_text(v, 3)}" if binned else value_text(v))
        + (f" for {in_words(s)}" if len(s) < scenarios else "")
        for v, s in list(lone.items())[:_MAX_LONE]
    ]
    more = len(lone) - _MAX_LONE
    listed = in_words([*named, *([f"{more} more"] if more > 0 else [])])
    return f", none at a {'bin' if binned else 'value'} of one run ({listed})"


def _point_note(
    results: Results,
    values: dict[str, DesignValue],
    runs: pd.DataFrame,
    at: dict[str, DesignValue],
    split: str | None = None,
) -> str:
    """Where the figure is drawn and why there (:func:`~sim.plots.figure.where_shown`),
    and its band:
    replicates per line, a line per scenario (and per value of ``split``, the
    parameter an across figure draws a line for each value of)."""
    per = _replicates(runs, split)
    where = f"At {where_shown(results, values, at)}. " if values else ""
    return where + band_note(per).replace("runs", "replicates")


def _replicates(runs: pd.DataFrame, split: str | None = None) -> int:
    """The most runs a line of a scenario (and value of ``split``) is the mean of."""
    keys = ["scenario", *([split] if split else [])]
    return int(runs.groupby(keys).size().max()) if len(runs) else 0


def _joined(*sentences: str) -> str:
    """Caption sentences, the empty ones left out."""
    return " ".join(s for s in sentences if s)


def _keep(frame: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    if selection.powers is not None:
        frame = frame[frame["power"].isin([*selection.powers, "", "none"])]
    return frame


def _moves(series: pd.DataFrame, metric: str) -> bool:
    values = series.loc[series["metric"] == metric, "value"].dropna()
    return bool(len(values)) and float(values.max() - values.min()) > _MOVES


@dataclass(frozen=True)
class ScenarioSet:
    """Scenarios of a folder that share their calendar (start, end, step) and their groups'
    names, in the folder's order: drawn on one time axis and one grid of groups.

    ``name`` ends the stems of its figures (``trust_trajectories_<name>``): its first
    scenario's name made safe for a file name (:func:`safe_name`), and unique."""

    scenarios: tuple[str, ...]
    name: str
    calendar: Calendar

    def heading(self) -> str:
        """What the set's figures hold, over each: its scenarios and their dates."""
        label = "Scenario" if len(self.scenarios) == 1 else "Scenarios"
        return f"{label} {in_words(list(self.scenarios))}, {calendar_words(self.calendar)}"


def calendar_words(calendar: Calendar) -> str:
    """``2014-01 to 2026-12``, and ``, by quarter`` (``year``) when not monthly."""
    step = "" if calendar.step == "month" else f", by {calendar.step}"
    return f"{calendar.start} to {calendar.end}{step}"


def safe_name(text: str) -> str:
    """``text`` as a part of a file name: letters, digits, ``_``, ``-`` and ``.`` kept,
    every other run of characters one ``_`` (``scenarios`` when nothing is left)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "scenarios"


def scenario_sets(trees: Mapping[str, Mapping[str, Any]]) -> list[ScenarioSet]:
    """The folder's scenarios in sets that share their calendar (start, end, step) and
    their ``outputs.groups`` names, each set in the order of its first scenario.

    A sweep over different historical cases (``cross_case_values``: five cases from
    1956 to 2026, each with its counterfactual) drew one trajectories figure of 30 rows of
    groups on one date axis from 1956 to 2026, each case a sliver of its panels, and an
    alignment figure of 35 x 50 in whose panels mostly said "no such group in this
    scenario" (decision 967): each set now has its own figures."""
    found: dict[tuple[Any, ...], list[str]] = {}
    calendars: dict[tuple[Any, ...], Calendar] = {}
    for name, tree in trees.items():
        calendar = calendar_of(dict(tree))
        groups = frozenset((tree.get("outputs") or {}).get("groups") or {})
        key = (calendar.start, calendar.end, calendar.step, groups)
        found.setdefault(key, []).append(name)
        calendars.setdefault(key, calendar)
    sets, taken = [], set()
    for key, names in found.items():
        name = safe_name(names[0])
        stem, k = name, 2
        while name in taken:
            name, k = f"{stem}_{k}", k + 1
        taken.add(name)
        sets.append(ScenarioSet(tuple(names), name, calendars[key]))
    return sets


def _series_entries(results: Results, selection: Selection) -> Iterator[Entry]:
    """The trajectories and alignment figures (and the one across a parameter): once for
    the folder when its scenarios share a calendar and groups, else once per set of
    scenarios that do (:func:`scenario_sets`), each from that set's runs."""
    sets = scenario_sets(results.scenarios)
    if len(sets) <= 1:
        yield from _set_entries(results, selection)
        return
    for each in sets:
        narrowed = results.narrowed(each.scenarios)
        if narrowed.ok_runs.empty:
            continue  # no run of the set finished: nothing to draw (the page lists errors)
        yield from _set_entries(narrowed, selection, each, len(sets))


def _set_entries(
    results: Results,
    selection: Selection,
    scenario_set: ScenarioSet | None = None,
    sets: int = 1,
) -> Iterator[Entry]:
    """:func:`_series_entries` of the folder, or of ``results`` narrowed to
    ``scenario_set``, one of ``sets``: its stems end in the set's name, its figures
    carry its heading and its captions say which set they draw."""
    suffix = f"_{scenario_set.name}" if scenario_set is not None else ""
    heading = scenario_set.heading() if scenario_set is not None else None
    one_of = (
        f"A figure of this kind for each set of the sweep's scenarios that share a calendar "
        f"and groups ({sets} sets, each file named by its set's first scenario); this one "
        f"draws {in_words(list(scenario_set.scenarios))}, "
        f"{calendar_words(scenario_set.calendar)}."
        if scenario_set is not None
        else ""
    )
    first = next(iter(results.scenarios))
    values = reference_values(results, first, selection.at) if results.varied else {}
    runs = runs_at(results.ok_runs, values)
    # The events where the runs drawn had them: the design point's dates of an event the
    # sweep moves, not the scenario file's (an outside check).
    events = results.events_at(values)
    ids = list(runs["run_id"]) if results.kind == SWEEP else None
    series = results.series(
        metrics=["trust_mean", "affinity_mean", *_ALIGNMENT_METRICS],
        groups=list(selection.groups) if selection.groups else None,
        run_ids=ids,
    )
    if series is None or not (series["metric"] == "trust_mean").any():
        return
    # The shares and the poles need every power: --powers narrows the trajectories only.
    every_power = series
    series = _keep(series, selection)
    phrases = _chosen_first(group_phrases(results.scenarios), selection)
    metrics = ["trust_mean", *(["affinity_mean"] if _moves(series, "affinity_mean") else [])]
    note = _point_note(results, values, runs, selection.at)
    # At a page's width rows of groups that pass a page's height go to more files, whole
    # groups a part, as the heatmaps' maps do (stem_1, stem_2 ...; decision 966).
    # Planned once here, handed to each part's figure (decision 971).
    planned = trajectory_parts(series, events, metrics=metrics, phrases=phrases, heading=heading)
    parts = len(planned)
    above, below = ("above", "below") if metrics_stacked(len(metrics)) else ("left", "right")
    # The files whose strip labels the events (the figure across a parameter says them).
    labelled = f"trust_trajectories{suffix}" + (f"_1 to _{parts}" if parts > 1 else "")
    for i in range(1, parts + 1):
        # A part's caption speaks of its own groups' lines (decision 1040: part 2 of a
        # sweep's figure named coinciding lines among all states, drawn in part 1).
        mine = _of_groups(series, planned, i)
        yield _entry(
            _part_stem(f"trust_trajectories{suffix}", i, parts),
            partial(
                trajectories_figure,
                series,
                events,
                metrics=metrics,
                phrases=phrases,
                all_powers=results.palette_powers,
                heading=heading,
                part=i if parts > 1 else None,
                parts=planned,
            ),
            "Mean trust of each group's states in each power over time"
            + (
                # Stacked at a narrow page's width, not side by side (decision 1033).
                f" ({above}) and mean affinity for each power ({below})" if len(metrics) > 1 else ""
            )
            + "; each power's line has its colour and its marker, which tell the powers apart"
            " in greyscale too"
            + _event_marks_words(results, events, selection, first, values, series),
            results,
            _joined(
                one_of,
                trajectory_overlaps(mine, metrics, phrases),
                event_dates_note(events, with_scenarios(series)[1]),
                note,
                hidden_band_note(mine, metrics),
                initial_note(series),
                _series_part_note(i, parts, "the strip of events and the legend"),
            ),
            # Which events found no room on the strip is known once it is drawn.
            partial(strip_note, series=series, events=events, metrics=metrics)
            if not events.empty
            else None,
        )
    if every_power["metric"].isin(_ALIGNMENT_METRICS).any():
        drawn = every_power.loc[every_power["metric"] == "share_aligned"].dropna(subset=["value"])
        stateless = _stateless_note(every_power, drawn, phrases)
        groups_of = alignment_parts(every_power, phrases=phrases, heading=heading)
        parts = len(groups_of)
        for i in range(1, parts + 1):
            single = one_state_note(
                [phrases.get(g) or g for g in distinct(_of_groups(drawn, groups_of, i)["group"])],
                _replicates(runs) > 1,
            )
            single = _joined(single, stateless)
            yield _entry(
                _part_stem(f"alignment{suffix}", i, parts),
                partial(
                    alignment_figure,
                    every_power,
                    phrases=phrases,
                    all_powers=results.palette_powers,
                    heading=heading,
                    part=i if parts > 1 else None,
                    parts=groups_of,
                ),
                "Share of each group's states aligned with each power (stacked"
                + (", mean of the replicates" if _replicates(runs) > 1 else "")
                + "; each power's area has its colour and its hatch, the non-aligned "
                "plain grey) and the effective number of poles, the non-aligned counted as one "
                "pole of their own (the third way): 1 / sum of squared shares over the powers and "
                "the non-aligned, so 1 when every state is in one camp or all are non-aligned"
                + ("; every power, whatever --powers says" if selection.powers else ""),
                results,
                _joined(
                    one_of, single, note, initial_note(every_power), _series_part_note(i, parts)
                ),
            )
    # Across a parameter needs the others held: a drawn design has no such points
    # (`credsim plot --across` says so; an experiment file's plots.across is skipped).
    if selection.across is not None and selection.across in results.varied and not results.drawn:
        yield from _across_entry(
            results, selection, values, phrases, scenario_set, one_of, labelled
        )


def _moves_events(values: Mapping[str, object]) -> bool:
    """Whether a design point's ``values`` set a field of an event (its date, its step)."""
    return any(path.startswith(EVENT_PATH) for path in values)


def _event_marks_words(
    results: Results,
    events: pd.DataFrame,
    selection: Selection,
    first: str,
    values: Mapping[str, object],
    series: pd.DataFrame,
) -> str:
    """The trajectories caption's clause on the events' marks (``events``, those of the
    design point drawn; ``series``, the lines drawn): the dotted lines and the strip's
    ticks, those of one calendar step side by side, and the grey crosses of the actors
    without a line that act; where the scenarios have no event, that they have none. A
    scenario without events was told of dotted lines and ticks that were not drawn, a
    quarterly calendar of "the ticks of one month side by side", and a scenario where only
    powers act of "a grey cross for an actor without a line: a state" (outside checks,
    decisions 988, 992)."""
    if events.empty:
        scenarios = "scenario has" if len(results.scenarios) == 1 else "scenarios have"
        return f"; no event is marked: the {scenarios} none"
    step = results.calendar(first).step
    actors = set(distinct(events["actor"].dropna()))
    lined = set(distinct(series.loc[series["metric"] == "trust_mean", "power"]))
    crossed = [
        who
        for who, acts in (
            ("a state", bool(actors - set(results.powers))),
            ("a power --powers leaves out", bool((actors & set(results.powers)) - lined)),
        )
        if acts
    ]
    return (
        "; dotted grey lines mark the scenario's events"
        + (" at the dates of the design point drawn" if _moves_events(values) else "")
        + " (darker where labelled above), and a tick on the strip above the panels gives "
        f"each event's acting power by its colour (the ticks of one {step} side by side)"
        + (
            f", a grey cross for an actor without a line: {', or '.join(crossed)}"
            if crossed
            else ""
        )
        + (
            "; a regime change, which has no actor, is a grey cross too"
            if (events["kind"] == "regime_change").any()
            else ""
        )
    )


def _part_stem(stem: str, part: int, parts: int) -> str:
    """The file name of the ``part``-th of a figure's ``parts`` files: ``stem_1``,
    ``stem_2`` ..., and ``stem`` itself when it is one (decisions 960, 966, 968)."""
    return f"{stem}_{part}" if parts > 1 else stem


def _part_note(part: int, parts: int, rest: str = ".") -> str:
    """The caption sentence saying which of a figure's files it is, "Part k of n" and
    ``rest`` (its end, what the parts share); ``""`` when it is one."""
    return f"Part {part} of {parts}{rest}" if parts > 1 else ""


def _series_part_note(part: int, parts: int, each: str = "the legend") -> str:
    """A series figure's :func:`_part_note`: ``each``, what every part has."""
    return _part_note(part, parts, f": whole groups a part, each part with {each}.")


def _of_groups(frame: pd.DataFrame, parts: Sequence[Sequence[str]], part: int) -> pd.DataFrame:
    """The rows of ``frame`` the ``part``-th of a figure's ``parts`` draws (its groups'),
    ``frame`` itself when the figure is one file."""
    if len(parts) <= 1:
        return frame
    return frame[frame["group"].isin(list(parts[part - 1]))]


def _stateless_note(series: pd.DataFrame, drawn: pd.DataFrame, phrases: Mapping[str, str]) -> str:
    """The alignment caption's sentence on groups of powers only (``""`` when none): they
    have no state to align, so the figure has no row for them, while the trust figure
    draws them (the PRC's group in the Sino-Soviet case; an audit, decision 811)."""
    with_rows = set(distinct(drawn["group"]))
    left = [g for g in distinct(series["group"]) if g not in with_rows]
    if not left:
        return ""
    names = [group_title(phrases.get(g) or group_phrase(g)) for g in left]
    one = len(names) == 1
    return (
        f"{'The group' if one else 'The groups'} {', '.join(names)} "
        f"{'holds' if one else 'hold'} powers only, no state to align, and "
        f"{'has' if one else 'have'} no row here."
    )


def _across_entry(
    results: Results,
    selection: Selection,
    values: dict[str, DesignValue],
    phrases: dict[str, str],
    scenario_set: ScenarioSet | None = None,
    one_of: str = "",
    labelled: str = "trust_trajectories",
) -> Iterator[Entry]:
    across = str(selection.across)
    held = {p: v for p, v in values.items() if p != across}
    runs = runs_at(results.ok_runs, held)
    series = results.series(
        metrics=["trust_mean"],
        groups=list(selection.groups) if selection.groups else None,
        run_ids=list(runs["run_id"]),
    )
    if series is None:
        return
    series, drawn_note = _across_columns(_keep(series, selection), across)
    # Each column's events where its runs had them (its value of an event's date).
    events = pd.concat(
        [
            results.events_at({**held, across: value}).assign(**{across: value})
            for value in value_order(series[across])
        ],
        ignore_index=True,
    )
    suffix = f"_{scenario_set.name}" if scenario_set is not None else ""
    yield _entry(
        f"trajectories_across_{_slug(across)}{suffix}",
        partial(
            across_figure,
            series,
            across,
            events,
            phrases=phrases,
            all_powers=results.palette_powers,
            heading=scenario_set.heading() if scenario_set is not None else None,
        ),
        f"Mean trust in each power over time at each value of {parameter_label(across)}"
        + (
            # Unlabelled here, each column narrow; the trajectories figure labels them (an
            # outside check read the contract's "marked and labelled", decision 942).
            "; dotted grey lines mark the scenario's events"
            + (
                " at the dates of each column's design point"
                if _moves_events({**held, across: None})
                else ""
            )
            + f", labelled in the trust trajectories figure ({labelled})"
            if not events.empty
            else ""
        ),
        results,
        _joined(
            one_of,
            drawn_note,
            event_dates_note(events, with_scenarios(series)[1], across=across),
            across_overlap_note(series, across, phrases=phrases),
            _point_note(results, held, runs, selection.at, split=across),
            initial_note(series),
        ),
    )


# The figure across a parameter draws a column per value, 2.9 inches each: at most
# this many, so that it fits a page (12 values made it 36 inches wide).
MAX_ACROSS = 6


def _across_columns(series: pd.DataFrame, across: str) -> tuple[pd.DataFrame, str]:
    """The series of at most ``MAX_ACROSS`` values of ``across``, evenly spread over its
    values and both ends kept, and the caption's sentence on the values left out."""
    values = value_order(series[across])
    if len(values) <= MAX_ACROSS:
        return series, ""
    picks = sorted({int(i) for i in np.linspace(0, len(values) - 1, MAX_ACROSS).round()})
    kept = [values[i] for i in picks]
    note = (
        f"{len(values)} values were run; {len(kept)} are drawn, spread from the lowest to "
        f"the highest: {', '.join(value_text(v, 3) for v in kept)}."
    )
    return series[series[across].isin(kept)], note


def family_names(metric: str) -> tuple[str, str]:
    """The names that select a summary metric's family (``--metrics``, ``plots: metrics``):
    the family and its first part (``trust_change.withdrawal`` and ``trust_change``)."""
    family = family_of(metric)
    return family, family.split(".")[0]


def _default_groups(results: Results, headline: Headline | None) -> list[str]:
    """``all`` and the group the question asks about, else ``all`` and the first groups
    the scenarios declare (their authors' order, not the alphabet's: Syria's figures
    showed Africa and the Africa partners, not the Arab League), up to ``MAX_GROUPS``."""
    if headline is not None:
        asked = parse_metric(headline.metric)
        return list(dict.fromkeys(["all", *([asked.group] if asked else [])]))
    # group_phrases keeps the scenarios' order, `all` first.
    return list(group_phrases(results.scenarios))[:MAX_GROUPS]


def _groups_note(
    results: Results, selection: Selection, headline: Headline | None, phrases: dict[str, str]
) -> str:
    """The caption's sentence naming the groups the default choice leaves out (``""``
    when ``--groups`` chose or none is left out): the tour's sweep drew all, east and
    south, and said nothing of `client`, the group its README compares next."""
    if selection.groups:
        return ""
    drawn = _default_groups(results, headline)
    left = [g for g in phrases if g not in drawn]
    if not left:
        return ""
    return (
        f"Groups drawn: {', '.join(drawn)}; not drawn: {', '.join(left)} "
        "(credsim plot --groups chooses, as does plots: groups in an experiment file). "
    )


def _families(
    results: Results, selection: Selection, headline: Headline | None
) -> dict[str, list[str]]:
    runs = results.ok_runs
    families: dict[str, list[str]] = {}
    wanted = selection.families or DEFAULT_FAMILIES
    groups = selection.groups or _default_groups(results, headline)
    for metric in results.metrics:
        family, _ = names = family_names(metric)
        parsed = parse_metric(metric)
        if not set(names) & set(wanted):
            continue
        if parsed is not None and parsed.group not in groups:
            continue
        if (
            parsed is not None
            and selection.powers
            and parsed.power
            not in (
                *selection.powers,
                "",
            )
        ):
            continue
        # The scalar final_effective_poles is effective_poles.all under another name.
        if metric == "final_effective_poles" and "effective_poles.all" in results.metrics:
            continue
        if runs[metric].notna().any():
            families.setdefault(family, []).append(metric)
    return families


def no_poles_note(runs: pd.DataFrame, metrics: Sequence[str], phrases: Mapping[str, str]) -> str:
    """The caption's sentence on runs whose effective number of poles is 0 (``""`` when
    none is): no state of the group aligned at the end, where the number recorded is 0
    (decision 13), not a count of poles, so the mean and the band go toward 0."""
    counts = []
    for metric in metrics:
        parsed = parse_metric(metric)
        if parsed is None or parsed.metric.series != "effective_poles" or metric not in runs:
            continue
        zero = int((runs[metric] == 0).sum())
        if zero:
            group = phrases.get(parsed.group) or parsed.group
            counts.append(f"{zero} of {len(runs)} runs {group}")
    if not counts:
        return ""
    return (
        f" No state of the group is aligned at the end in {'; '.join(counts)}: the "
        "effective number of poles is then recorded as 0 (decision 13), not a number of "
        "poles, and pulls the mean and the band toward 0; the alignment figure shows those "
        "states non-aligned."
    )


# Series a caption names when it leaves them out; beyond, it names these and counts the rest.
NAMED_LEFT_OUT = 6


def _flat_note(flat: Sequence[str], phrases: Mapping[str, str]) -> str:
    """The caption's sentence on the series a parameter figure leaves out, named: it
    gave their number only, and a group asked for with --groups went missing without
    its name (an audit; decision 627)."""
    if not flat:
        return ""
    n = len(flat)
    return (
        f"{n} series that {'does' if n == 1 else 'do'} not vary with it ({FLAT_WORDS}) "
        f"{'is' if n == 1 else 'are'} left out: {_named(flat, phrases)}. "
    )


def _named(metrics: Sequence[str], phrases: Mapping[str, str]) -> str:
    """Metrics in words in a sentence, the first ``NAMED_LEFT_OUT`` named and the rest
    counted ("change in trust in USA ...", not "Change in trust in USA ...")."""
    names = [metric_in_sentence(m, phrases) for m in metrics]
    shown = names[:NAMED_LEFT_OUT]
    more = len(names) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")


@dataclass(frozen=True)
class _SweepRuns:
    """The runs a sweep's figures draw, and the parameters they draw them against."""

    runs: pd.DataFrame  # finished runs, each posterior draw counted as often as drawn
    moving: list[str]  # the varied parameters that take two values or more in them
    values: dict[str, DesignValue]  # where the others are held (none in a drawn design)
    sampled: str  # the sampled design's method, or ""
    drawn_often: bool  # a posterior design


def _sweep_runs(results: Results, selection: Selection) -> _SweepRuns | None:
    """What the sweep figures draw from, or None when nothing was varied or finished."""
    runs = results.ok_runs
    if runs.empty or not results.varied:
        return None
    drawn_often = results.design_method == POSTERIOR
    if drawn_often:
        # A parameter set drawn k times is run once and counts k times (decision 70): the
        # figures pooled the distinct sets unweighted (an audit, decisions 649 and 650).
        from sim.findings.posterior import by_draws

        runs = by_draws(runs, results.path)
    # A parameter that takes one value in the runs (a posterior variant's fixed values)
    # makes no figure: a one-column map (decision 650).
    moving = [p for p in results.varied if runs[p].nunique(dropna=False) > 1]
    sampled = _sampled(results)
    # A sampled design draws every parameter anew at each point: none can be held at
    # a value while another moves, so each figure pools over the others (and says so).
    first = next(iter(results.scenarios))
    values = {} if sampled else reference_values(results, first, selection.at)
    return _SweepRuns(runs, moving, values, sampled, drawn_often)


def groups_missing_from_sets(results: Results, selection: Selection) -> list[str]:
    """What the chosen groups (``--groups`` or the file's ``plots:``) leave out of the
    trajectories and alignment figures of a sweep over different cases, one sentence a
    set of scenarios that lacks some of them (:func:`scenario_sets`; ``[]`` for one set).

    A group only some cases have (``--groups soviet_clients`` of a sweep over Egypt and
    Syria) drew the sets that have it and skipped the others' figures without a word
    (decision 967 left it; decision 972)."""
    if not selection.groups:
        return []
    sets = scenario_sets(results.scenarios)
    if len(sets) <= 1:
        return []
    notes = []
    for each in sets:
        if results.narrowed(each.scenarios).ok_runs.empty:
            continue  # no figure of the set whatever the groups (no run finished)
        has = set(group_phrases({s: results.scenarios[s] for s in each.scenarios}))
        missing = [g for g in selection.groups if g not in has]
        if not missing:
            continue
        kept = [g for g in selection.groups if g in has]
        one = len(missing) == 1
        whose = f"{'scenario' if len(each.scenarios) == 1 else 'scenarios'} " + in_words(
            list(each.scenarios)
        )
        whose += f" ({calendar_words(each.calendar)})"
        has_words = "has" if len(each.scenarios) == 1 else "have"
        notes.append(
            f"no trajectories or alignment figure of {whose}, which {has_words} none of the "
            f"chosen groups ({in_words([f"'{g}'" for g in missing])})"
            if not kept
            else f"{'group' if one else 'groups'} {in_words([f"'{g}'" for g in missing])} "
            f"left out of the trajectories and alignment figures of {whose}, which "
            f"{has_words} no such {'group' if one else 'groups'}; they draw "
            + in_words([f"'{g}'" for g in kept])
        )
    return notes


def unvarying_families(
    results: Results, selection: Selection, headline: Headline | None
) -> list[str]:
    """The summary families drawn (``--metrics``, the file's ``plots:`` or the default
    ones) that get no figure against a varied parameter because none of their series
    moves with it, one sentence each. A family asked for by name went missing without a
    word (an audit), and so did a default one whose every series is flat: ``plot
    --groups client`` of the tour's sweep dropped the effective number of poles of its
    one-state group (decision 938). A family with a figure names its flat series in
    the caption instead."""
    swept = _sweep_runs(results, selection)
    if swept is None:
        return []
    families = _families(results, selection, headline)
    notes = []
    for parameter in swept.moving:
        held = {p: v for p, v in swept.values.items() if p != parameter}
        at = runs_at(swept.runs, held)
        flat = [f for f, metrics in families.items() if not varying(at, metrics, parameter)]
        if flat:
            where = f" (other parameters at {held_text(held)})" if held else ""
            chosen = ", ".join(selection.groups or ())
            among = f" in the groups drawn ({chosen})" if chosen else ""
            names = "; ".join(lower_first(family_title(f)) for f in flat) + among
            notes.append(
                f"no figure of {names} against {parameter_label(parameter)}, as "
                f"{'it does' if len(flat) == 1 else 'they do'} not vary with it "
                f"({FLAT_WORDS}){where}"
            )
    return notes


def _sweep_entries(
    results: Results, selection: Selection, headline: Headline | None
) -> Iterator[Entry]:
    swept = _sweep_runs(results, selection)
    if swept is None:
        return
    runs, moving_parameters, values = swept.runs, swept.moving, swept.values
    sampled, drawn_often = swept.sampled, swept.drawn_often
    phrases = _chosen_first(group_phrases(results.scenarios), selection)
    families = _families(results, selection, headline)
    groups_note = _groups_note(results, selection, headline, phrases)
    for parameter in moving_parameters:
        held = {p: v for p, v in values.items() if p != parameter}
        at = runs_at(runs, held)
        for family, metrics in families.items():
            moving = varying(at, metrics, parameter)
            if not moving:
                continue
            held_note = f"Other parameters at {held_text(held)}. " if held else ""
            flat_note = _flat_note([m for m in metrics if m not in moving], phrases)
            yield _entry(
                f"sweep_{_slug(parameter)}_{_slug(family)}",
                partial(
                    family_figure,
                    at,
                    moving,
                    parameter,
                    phrases=phrases,
                    all_powers=results.palette_powers,
                ),
                f"{family_title(family)} against {parameter_label(parameter)}",
                results,
                held_note
                + (
                    _pooled_note(sampled, drawn_often, len(results.varied) > 1)
                    if sampled
                    else _grid_note(at, parameter)
                )
                + flat_note
                + (groups_note if any(parse_metric(m) for m in moving) else "")
                + overlap_note(at, moving, parameter, phrases)
                + no_poles_note(at, moving, phrases),
                fitted_axis_note(moving[0]),
            )
    # The heatmaps split by scenario (experiments.md) are drawn with a headline too: the
    # headline maps the difference, these the levels it is the difference of.
    # A column per power (the powers in the scenarios' order, the first MAX_HEATMAPS
    # drawn; the caption names the others), a figure per family and group: final trust
    # among all states unless --metrics or --groups (or the file's plots:) say otherwise.
    for x, y in itertools.combinations(moving_parameters, 2):
        held = {p: v for p, v in values.items() if p not in (x, y)}
        at = runs_at(runs, held)
        for (family, group), by_power in _heatmap_metrics(results, selection).items():
            trust = list(by_power)
            shown = [m for m in trust if m in {*varying(at, trust, x), *varying(at, trust, y)}]
            if not shown:
                continue
            held_note = f"Other parameters at {held_text(held)}. " if held else ""
            still = [by_power[m] for m in trust if m not in shown]
            still_note = (
                f"Left out, as they vary with neither parameter ({FLAT_WORDS}): "
                f"{', '.join(still)}. "
                if still
                else ""
            )
            left = [by_power[m] for m in shown[MAX_HEATMAPS:]]
            left_note = (
                f"Powers not drawn (at most {MAX_HEATMAPS} a figure): {', '.join(left)}; "
                "credsim plot --powers chooses them. "
                if left
                else ""
            )
            # Said where the figure hatches a cell (decision 926).
            hatched = f"; {NO_RUN_WORDS}" if empty_cells(at, x, y) else ""
            cells = f"Cells: mean of the replicates{hatched}; one colour scale for every panel."
            if sampled:
                others = (
                    f"; the other parameters vary over their ranges ({sampled} design) and "
                    "each cell pools over them"
                    if len(moving_parameters) > 2
                    else ""
                )
                cells = (
                    "Cells: mean of the runs at each pair of values"
                    + (
                        ", each parameter set counted as often as the posterior drew it"
                        if drawn_often
                        else ""
                    )
                    + f" ({binning_note(MAP_BINS)}){others}{hatched}; one colour scale for "
                    "every panel."
                )
            if is_signed(shown[0]):
                cells += " A change: red above 0, blue below, white at 0."
            uneven = uneven_axes(at, x, y)
            if uneven:
                cells += (
                    f" The values of {' and '.join(parameter_label(p) for p in uneven)} are "
                    "drawn in order, one cell each, at equal steps whatever their spacing."
                )
            stem = f"heatmap_{_slug(x)}_{_slug(y)}"
            if (family, group) != _DEFAULT_HEATMAP:
                stem += f"_{_slug(family)}_{_slug(group)}"
            where = phrases.get(group) or group
            # At a page's width maps that pass a page's height go to more files, as the
            # sensitivity charts do (stem_1, stem_2 ...; decision 960).
            parts = heatmap_parts(at, shown[:MAX_HEATMAPS], x, y)
            for i in range(1, parts + 1):
                yield _entry(
                    _part_stem(stem, i, parts),
                    partial(
                        heatmap_figure, at, shown[:MAX_HEATMAPS], x, y, phrases=phrases, part=i
                    ),
                    f"Mean {family_title(family)[:1].lower()}{family_title(family)[1:]} {where} "
                    f"over {parameter_label(x)} and {parameter_label(y)}",
                    results,
                    held_note
                    + still_note
                    + left_note
                    + cells
                    + (" " + _part_note(i, parts, "; the parts share that scale.")).rstrip(),
                    fitted_colour_note,
                )


# The heatmaps' family and group when the selection names none.
_DEFAULT_HEATMAP = ("final_trust", "all")


def _heatmap_metrics(
    results: Results, selection: Selection
) -> dict[tuple[str, str], dict[str, str]]:
    """``{(family, group): {metric: power}}`` of the heatmaps: the selection's families
    that are per power (final trust unless it names some) at its groups (``all`` unless
    it names some), its powers (all unless it names some) in the scenarios' order.

    A windowed family (``trust_change``) gives a heatmap per window
    (``trust_change.withdrawal``, :func:`family_of`), so that a figure holds one
    metric per power and its title names the window."""
    families = selection.families or (_DEFAULT_HEATMAP[0],)
    groups = selection.groups or (_DEFAULT_HEATMAP[1],)
    powers = [p for p in results.powers if not selection.powers or p in selection.powers]
    cells: dict[tuple[str, str, str], str] = {}  # (family with window, group, power) -> metric
    for metric in results.metrics:
        parsed = parse_metric(metric)
        if parsed is None or parsed.group not in groups or parsed.power not in powers:
            continue
        names = family_names(metric)
        if set(names) & set(families):
            cells[(names[0], parsed.group, parsed.power)] = metric
    found: dict[tuple[str, str], dict[str, str]] = {}
    for family in families:
        drawn = dict.fromkeys(f for f, _, _ in cells if family in (f, f.split(".")[0]))
        for each in drawn:
            for group in groups:
                for power in powers:
                    if (drawn_metric := cells.get((each, group, power))) is not None:
                        found.setdefault((each, group), {})[drawn_metric] = power
    return found


def _headline_entry(
    results: Results, headline: Headline | None, selection: Selection
) -> Iterator[Entry]:
    if headline is None:
        return
    caption = headline_caption(headline, selection.at)
    # Whether the cells' numbers fit, and in how many digits, is known once drawn.
    yield _entry("headline", partial(headline_figure, headline), caption, results, "", numbers_note)


def _drawn(figure: Figure) -> Figure:
    """A figure drawn already (the sensitivity bars come as a list)."""
    return figure


def sensitivity_metrics(results: Results) -> list[str]:
    """The metrics the sensitivity bars show: the folder's selected summary families."""
    return _chosen(results, selection_of(results), headline_of(results))


def _chosen(results: Results, selection: Selection, headline: Headline | None) -> list[str]:
    return [m for ms in _families(results, selection, headline).values() for m in ms]


def sensitivity_entries(results: Results, method: str, metrics: Sequence[str]) -> Iterator[Entry]:
    """The bar charts of ``method``'s indices of ``metrics`` (:func:`sensitivity_metrics`;
    ``credsim analyze`` draws them too; the question's difference chart it leaves out as
    flat, analyze says: :func:`difference_left_out`, decision 990)."""
    yield from _sensitivity_entries(results, metrics, methods=(method,))


def _sensitivity_entries(
    results: Results,
    chosen: Sequence[str],
    methods: tuple[str, ...] = SENSITIVITY_METHODS,
) -> Iterator[Entry]:
    difference = question_difference(results.manifest)[0]
    for method in methods:
        table = results.sensitivity(method)
        if table is None:
            continue
        if difference is not None and "scenario" in table.columns:
            # The question's paired difference gets a chart of its own, first; the
            # scenarios' charts hold the scenarios' metrics only.
            mine = table["scenario"] == difference.scenario
            yield from _difference_entry(results, method, table[mine], difference)
            table = table[~mine]
        listed = [m for m in distinct(table["metric"]) if m in chosen]
        # A metric flat over the design gets indices of its rounding (S1 = ST = 1 for a
        # final trust whose runs differ by 0.0002): not drawn, as the sweep figures leave
        # it out, and said (an outside check of the figures, decision 814).
        # Each metric's spread over the design read once: flat (varying_over_design's
        # rule) is left out, small is said in its title (decision 954).
        spread = spread_over_design(results.ok_runs, listed, results.varied)
        shown = [m for m in listed if spread[m] > FLAT]
        flat = _flat_indices_note([m for m in listed if m not in shown], results)
        if not shown:
            continue
        # A metric that moves a little over the design has its variance shared out at
        # full length, as one that moves a lot: its title says how little (decision 954).
        phrases = group_phrases(results.scenarios)
        small = {m: spread[m] for m in shown if spread[m] < MIN_SPAN}
        titles = {
            m: f"{metric_label(m, phrases)[0]} (moves by {spread_words(m, share)} over the design)"
            for m, share in small.items()
        }
        blocks = scenario_blocks(table)
        each = (
            f" A block of bars per scenario ({', '.join(blocks)}), headed by its name."
            if blocks
            else ""
        )
        # At a page's width each chart keeps room under its legend for its caption (analyze
        # draws it there), about as long as the caption of all its metrics (decision 960).
        reserve = 0.0
        if page_width() is not None:
            whole = _entry(
                "",
                Figure,  # a stand-in: never drawn
                indices_caption(table[table["metric"].isin(shown)], method)
                + " "
                + _part_note(10, 10)
                + each
                + _small_spread_note(list(small))
                + flat,
                results,
                "Replicates averaged per design point before analysis.",
            )
            # Two lines more: a chart's own caption, its counts fewer, wraps otherwise and
            # took two lines more than all the charts' (the wrap is measured).
            reserve = caption_in(_joined(whole.text, whole.where)) + lines_in(2, CAPTION_PT)
        figures = sensitivity_figures(
            table, method, shown, phrases, titles=titles, caption_in=reserve
        )
        chunks = figure_metrics(
            table, method, shown, phrases=phrases, titles=titles, caption_in=reserve
        )
        for i, (figure, chunk) in enumerate(zip(figures, chunks, strict=True), start=1):
            yield _entry(
                _part_stem(f"sensitivity_{method}", i, len(figures)),
                partial(_drawn, figure),
                indices_caption(table[table["metric"].isin(chunk)], method)
                + (" " + _part_note(i, len(figures))).rstrip()
                + each
                + _small_spread_note([m for m in chunk if m in small])
                + flat,
                results,
                "Replicates averaged per design point before analysis.",
            )


def _difference_entry(
    results: Results, method: str, rows: pd.DataFrame, difference: Difference
) -> Iterator[Entry]:
    """The bars of the question's paired difference (``analyze``'s rows ``"a - b"``), if
    it has indices and moves over the design (as :func:`varying_over_design` asks of a
    metric: a difference that does not move has indices of its rounding)."""
    if rows.empty or not figure_metrics(rows, method, [difference.name]):
        return
    if not _difference_over_design(results, difference)[1]:
        return  # said under "Not drawn" and by analyze (difference_left_out)
    phrases = group_phrases(results.scenarios)
    when = f" in {difference.date}" if difference.date else ""
    title = (
        f"{metric_label(difference.metric, phrases)[0]}{when}, {difference.words} "
        "(paired difference)"
    )
    (figure,) = sensitivity_figures(
        rows, method, [difference.name], phrases, titles={difference.name: title}
    )
    yield _entry(
        f"sensitivity_{method}_difference",
        partial(_drawn, figure),
        f"The indices of the experiment's question, the paired difference {difference.a} "
        f"minus {difference.b} ({difference.name}: each run of {difference.a} minus the run "
        f"of {difference.b} at the same design point and replicate, the same seeds), "
        f"averaged over each design point's replicates before analysis; rows "
        f"'{difference.scenario}' of the table. " + indices_caption(rows, method),
        results,
        "",
    )


def _difference_over_design(results: Results, difference: Difference) -> tuple[pd.DataFrame, bool]:
    """The question's paired differences as runs of a scenario ``a - b`` whose column
    ``difference.metric`` holds them, and whether they move over the design."""
    pairs = difference_pairs(results, difference)
    metric = difference.metric
    moving = pairs.assign(scenario=difference.scenario, **{metric: pairs["difference"]})
    return moving, bool(varying_over_design(moving, [metric], results.varied))


def _flat_difference(results: Results, difference: Difference) -> str:
    """Why the question's paired difference gets no chart, as it does not move over the
    design (as :func:`varying_over_design` asks of a metric), with the range of its means
    per design point; ``""`` when it moves (or no pair of runs finished)."""
    moving, moves = _difference_over_design(results, difference)
    metric = difference.metric
    means = moving.groupby(list(results.varied), dropna=False)[metric].mean().dropna()
    if moves or means.empty:
        return ""
    share = spread_over_design(moving, [metric], results.varied)[metric]
    low, high = alike(float(means.min()), float(means.max()))
    parsed = parse_metric(metric)
    entry = parsed.metric if parsed is not None else None
    bounded = entry is not None and entry.low is not None and entry.high is not None
    # Two significant digits: spread_words' "0.02%" of 0.024%, and "0.00%" of a difference
    # equal but for rounding, read as bounds of what they are not.
    if bounded:
        amount = f"{share * 100:.2g}%" if share >= 1e-6 else "less than 0.0001%"
        by = f"{amount} of the metric's range"
    else:
        by = f"{share:.2g}" if share >= 1e-6 else "less than 1e-06"
    return (
        f"its means per design point run from {low} to {high}, so it moves by {by} across "
        f"the design, below the threshold of a chart ({FLAT_OVER_DESIGN}): its indices "
        "would share out a variance of rounding"
    )


def difference_left_out(
    results: Results, methods: Sequence[str] = SENSITIVITY_METHODS, indexed: bool = False
) -> list[str]:
    """What the page says under "Not drawn" of the question's difference chart
    (``sensitivity_<method>_difference.png``) that its indices in ``analysis/`` have and
    that is not drawn as the difference does not move over the design, one sentence a
    method (``indexed``: only where the difference has an index, analyze saying why
    one without has no chart). The chart was left out without a word, which README says
    of no figure (an outside check, decision 989)."""
    difference = question_difference(results.manifest)[0]
    if difference is None or results.ok_runs.empty:
        return []
    notes = []
    why: str | None = None  # worked out once, for the first method with indices
    for method in methods:
        table = results.sensitivity(method)
        if table is None or "scenario" not in table.columns:
            continue
        rows = table[table["scenario"] == difference.scenario]
        if rows.empty or (indexed and rows[COLUMNS[method][0]].isna().all()):
            continue
        why = _flat_difference(results, difference) if why is None else why
        if why:
            notes.append(_difference_words(method, difference) + why)
    return notes


def _difference_words(method: str, difference: Difference) -> str:
    return (
        f"no chart sensitivity_{method}_difference.png of the {method} indices of the "
        f"question's paired difference, {difference.name} of {difference.words} (rows "
        f"'{difference.scenario}' of the table): "
    )


def _small_spread_note(small: Sequence[str]) -> str:
    """The sensitivity caption's sentence on the panels whose metric moves by less than
    MIN_SPAN of its range over the design (``""`` when none does)."""
    if not small:
        return ""
    return (
        f" A panel titled 'moves by ... over the design' ({len(small)} here) is of a metric "
        f"whose means per design point move by less than {MIN_SPAN:.0%} of its range (by "
        f"{MIN_SPAN:g} where it has no upper bound): its indices share out that small a "
        "variance at full length, and tell which parameter moves the metric, not that it "
        "moves much."
    )


def _flat_indices_note(flat: Sequence[str], results: Results) -> str:
    """The sensitivity caption's sentence on the metrics it leaves out as flat over the
    design (``""`` when none is)."""
    if not flat:
        return ""
    n = len(flat)
    return (
        f" Not drawn, {n} metric{'s' if n != 1 else ''} flat over the design "
        f"({FLAT_OVER_DESIGN}), whose indices would share out a variance of rounding (the "
        f"table holds them): {_named(flat, group_phrases(results.scenarios))}."
    )


def figures_for(
    results: Results, selection: Selection | None = None, headline: Headline | None = None
) -> Iterator[Entry]:
    """Every figure of a results folder, in report order.

    Args:
        results: the folder.
        selection: what to show (default: the experiment file's ``plots:``).
        headline: the folder's headline when the caller has it already (default:
            :func:`~sim.plots.headline.headline_of`).
    """
    if results.ok_runs.empty:
        # Nothing to draw (the page says "no run finished"): a sweep whose every run
        # failed ended in "attempt to get argmin of an empty sequence" (an audit).
        return
    chosen = selection if selection is not None else selection_of(results)
    found = headline if headline is not None else headline_of(results)
    yield from _headline_entry(results, found, chosen)
    yield from _series_entries(results, chosen)
    yield from _sweep_entries(results, chosen, found)
    yield from _sensitivity_entries(results, _chosen(results, chosen, found))
