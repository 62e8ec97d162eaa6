"""The explorer's page (Solara): choose a scenario, move parameters, watch the run.

``Page`` is what ``credsim explore`` serves; :func:`Explorer` is the same page
for any scenario, counterfactual, output folder and engine (tests render it
without a browser). Every change of a control re-runs the scenario and its
counterfactual (with the same changes) and redraws; the step-through runs a
:class:`sim.model.CredibilityModel` under mesa's own ``ModelController``
(play, pause, step, reset), as mesa's SolaraViz does.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import cast

import ipyvuetify
import pandas as pd
import reacton.core
import reacton.ipyvuetify as rv
import solara
import traitlets
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter
from reacton.ipyvue import use_event
from solara.components.input import use_change
from solara.server import settings as solara_settings

from sim.compiling import CompileTimer
from sim.errors import InputError, count_text, describe_os_error
from sim.explore.controls import (
    Control,
    available_controls,
    changed,
    extending_scenario,
    half_life_months,
    has_field,
    scenario_value,
    slider_value,
)
from sim.explore.engine import ENGINE_NAMED, Engine, mesa_engine
from sim.explore.figures import (
    PAGE_FIT,
    REGIONAL,
    Line,
    Spec,
    alignment_spec,
    aligns,
    event_table,
    event_what,
    for_a_file,
    line_up,
    network_figure,
    network_layout,
    network_spec,
    on_page,
    trajectories_spec,
)
from sim.fileio import atomic_write_bytes, atomic_write_text
from sim.finite import NonFiniteState
from sim.model import CredibilityModel
from sim.options import non_negative_int
from sim.plots.figure import group_phrase
from sim.scenario import scenario_tree
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.seeds import MAX_SEED, check_seed, seed_sequence
from sim.validate import file_notes

ENV_SCENARIO = "CREDSIM_EXPLORE_SCENARIO"
ENV_COUNTERFACTUAL = "CREDSIM_EXPLORE_COUNTERFACTUAL"
ENV_OUT = "CREDSIM_EXPLORE_OUT"
ENV_ENGINE = "CREDSIM_EXPLORE_ENGINE"
NO_COUNTERFACTUAL = "(none)"
# The two file boxes, whose refusals are each shown under their own box.
SCENARIO_BOX, COUNTERFACTUAL_BOX = "scenario", "counterfactual"
# The charts whose event markers list a period's events with their sources under them.
TRUST, AFFINITY = "trust", "affinity"
# The seed the page starts with, as `credsim run --seed` defaults.
DEFAULT_SEED = 0
DESCRIBED = {"font-size": "0.8em", "color": "#666", "margin": "0 0 8px 0"}
# A message may break a word anywhere: a path has no spaces, and was cut at the box's edge.
WRAP = "overflow-wrap: anywhere"
WRAPPED = {"overflow-wrap": "anywhere"}
# A slider's label above its track, so that the track spans the column whatever the
# label's length (beside it, "salience: aligned with actor" left a 29-pixel track), and
# wrapped rather than cut where the column is narrow. A file list's chosen path whole in
# its box, over as many lines as it takes (the list's entries widen its menu; at 1024
# pixels the left column is 244 wide, and Vuetify cut "scenarios/syria_abstained.yaml" to
# "scenarios/syria_abstai…"; an absolute path lost its file name at any width): it
# breaks after a '/' (:func:`breakable`), and anywhere in a name longer than the line;
# so does the file's name in the line over its notes (decision 858). An event's tooltip
# shows its source whole: vega-tooltip's own style cut a value at 77 pixels, so that
# "Assad falls" lost two thirds of its source (decision 896); the events of a crowded
# period are listed one a line (figures.event_periods; decision 1018).
PAGE_CSS = """
.v-input.v-slider.credsim-slider { display: flex !important; flex-direction: column;
    align-items: stretch !important; flex: 1 1 0; min-width: 0; }
.v-input.v-slider.credsim-slider .v-label { white-space: normal; overflow: visible; }
.credsim-notes { margin: 0 0 8px 0; }
.credsim-notes .v-expansion-panel-title { min-height: 28px !important; padding: 2px 8px;
    font-size: 0.8em; color: #555; overflow-wrap: anywhere; }
.credsim-notes .v-expansion-panel-text__wrapper { padding: 2px 8px 4px 8px; }
.credsim-file .v-select__selection { max-width: 100%; min-width: 0; }
.credsim-file .v-select__selection-text { white-space: normal; overflow: visible;
    text-overflow: clip; overflow-wrap: anywhere; }
#vg-tooltip-element table tr td.value { max-height: none; max-width: 420px;
    overflow: visible; white-space: pre-line; }
#vg-tooltip-element table tr td.key { vertical-align: top; }
.v-input.v-slider.credsim-slider .v-slider-thumb__label { bottom: auto;
    top: calc(var(--v-slider-thumb-size) / 2 + 6px); }
.v-input.v-slider.credsim-slider .v-slider-thumb__label > .v-slider-thumb__label-wedge {
    bottom: auto; top: -5.8px; clip-path: polygon(50% 0, 0 50%, 100% 50%); }
.credsim-controls { max-height: calc(100vh - 64px); overflow-y: auto; }
.credsim-controls > *, .credsim-controls .v-alert { flex-shrink: 0; }
.credsim-typed { flex: 0 0 68px; max-width: 68px; }
.credsim-typed .v-field__input { min-height: 30px; padding: 4px 6px; font-size: 0.85em; }
.credsim-charts { min-width: 0; }
.credsim-charts .vega-embed { max-width: 100%; }
.credsim-charts .vega-embed .chart-wrapper { max-width: 100%; }
.credsim-charts .vega-embed svg.marks { display: block; max-width: 100%; height: auto; }
.credsim-sources { margin: 0 0 12px 0; padding-left: 20px; font-size: 0.85em;
    overflow-wrap: anywhere; }
.credsim-sources li { margin: 0 0 6px 0; }
.credsim-sources .credsim-what { color: #555; }
"""
# The class PAGE_CSS gives the controls' column: it scrolls on its own within the window,
# so the charts stay in view while a slider far down moves (at 1366 x 768 the trust chart
# scrolled out of view as the page followed the slider; decision 944).
# Nothing in it shrinks to fit it: a flex column held to the window's height shrinks its
# items, and an error box (its overflow hidden) was drawn one line tall, 32 pixels of the
# 128 its text needed, so that a bad file's name, line and "did you mean" were hidden.
CONTROLS_COLUMN = "credsim-controls"
# The class PAGE_CSS gives the charts' column: a chart wider than the column is drawn at
# the column's width (its SVG scaled down, text and all), so nothing scrolls sideways. At an
# 800-pixel window the charts (about 690 px with vega-embed's menu) overflowed their
# 564-pixel column, which scrolled sideways (decision 944); they are drawn at about 0.77 of
# their size there, and whole from a window of 1024 up (decision 952).
CHARTS_COLUMN = "credsim-charts"
# The class PAGE_CSS gives the box beside each slider that takes a typed value (decision 952).
TYPED_BOX = "credsim-typed"
# The class PAGE_CSS gives the file lists.
FILE_BOX = "credsim-file"
# The classes PAGE_CSS gives the list of a period's events with their sources under a chart
# (EventSources), and their kind and who in it.
SOURCES_LIST, SOURCES_WHAT = "credsim-sources", "credsim-what"
# The box that holds that list: no wider than a chart (across the column, a source ran to
# 150 characters a line at 1366 pixels).
SOURCES_BOX = {"max-width": f"{PAGE_FIT}px"}
# A row of buttons that goes on to a second line rather than past the column's edge ("save
# figures" was cut to "SAVE FIGU" at 1024 pixels; decision 858).
WRAPPING_ROW = {"flex-wrap": "wrap", "row-gap": "8px"}
SHIPPED = Path(__file__).resolve().parents[2] / "scenarios"

# Solara's "This website runs on Solara" stands at the window's bottom right, over the page
# as it scrolls: at 1024x768 it covered the alignment legend's corner (decision 858). The
# server reads the setting for each page it serves, after importing this module.
solara_settings.theme.show_banner = False


def shipped_scenarios() -> list[str]:
    """The scenario files that ship with credsim, and those in ``./scenarios``."""
    found: dict[Path, str] = {}
    for folder in (Path("scenarios"), SHIPPED):
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.resolve(), shown(path))
    return list(found.values())


def shown(path: Path) -> str:
    """A path relative to the working folder where it lies under it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd()))
    except ValueError:
        return str(resolved)


def load(path: str) -> tuple[Scenario | None, str]:
    """The scenario at ``path``, or None and the loader's one-line message."""
    try:
        return load_scenario(path), ""
    except InputError as exc:
        return None, str(exc)


@dataclass(frozen=True)
class Outcome:
    """One run as the page shows it: the scenario run, its series, how long it took, and
    how much of that numba spent compiling (a cold cache: the first run in a checkout)."""

    scenario: Scenario | None
    series: pd.DataFrame | None
    error: str
    seconds: float
    compiling: float = 0.0


def run(
    base: Scenario,
    overrides: dict[str, float],
    seed: int,
    engine: Engine,
    whose: str | None = None,
) -> Outcome:
    """Apply the overrides the schema knows to ``base`` and run it with ``engine``.

    Args:
        base: the loaded scenario.
        overrides: changed values by override path (those ``base``'s schema
            lacks are left out: a counterfactual of another schema).
        seed: the run's seed (replicate 0 of it, as ``credsim run --seed``).
        engine: the run function.
        whose: what the page calls this run in a message (the counterfactual's), which
            then opens the loader's line too: a slider's value the counterfactual
            refused read as the scenario's own problem (an outside check; decision 807).

    Returns:
        The run, or one line: the loader's when the values do not validate, the
        run's (``NonFiniteState``, naming the scenario) when its state overflows.
    """
    started = time.perf_counter()
    known = {path: value for path, value in overrides.items() if has_field(path, type(base))}
    try:
        scenario = load_scenario(base, known)
    except InputError as exc:
        return Outcome(None, None, f"{whose}: {exc}" if whose else str(exc), 0.0)
    try:
        # Timed as `credsim run` times its compile (sim.runner.engine_note), so that the
        # page says when a run waited for it.
        with CompileTimer() as compiling:
            series = engine(scenario, seed)
    except NonFiniteState as exc:
        return Outcome(None, None, f"{whose or base.name}: {exc}", 0.0)
    return Outcome(scenario, series, "", time.perf_counter() - started, compiling.seconds)


def runs_took(seconds: float, compiling: float, named: str) -> str:
    """How long the runs drawn took, on which engine (``named``, or "" for another), and
    when they compiled numba's kernels (a cold cache), how much of it that was, in the
    words of `credsim run` (sim.runner.engine_note). With ``--engine fast`` and an empty
    cache the page said "runs took 57656 ms on the fast engine" after a spinner of about
    70 s, no word of the compile. No estimate of the later runs: the first run's time less
    its compile (822 ms on Syria beside its counterfactual) was 6 to 13 times the runs
    after it (63 and 129 ms), the first call's other costs counted in it."""
    text = f"runs took {seconds * 1000:.0f} ms" + (f" on the {named} engine" if named else "")
    if compiling < 0.005:  # nothing compiled (the kernels came from numba's cache), as the CLI
        return text
    what, it = ("the engine", "it") if named == "fast" else ("numba's kernels", "them")
    return (
        f"{text}, numba's one-time compile included ({compiling:.2f} s compiling {what}, "
        f"once: later runs load {it} from numba's cache)"
    )


def time_charts(
    line: Line,
    cf_line: Line | None,
    events: pd.DataFrame,
    group: str,
    powers: Sequence[str],
    phrase: str,
    *,
    affinity: bool = True,
    alignment: bool = True,
) -> dict[str, Spec]:
    """The page's time charts of ``line`` beside ``cf_line`` (the counterfactual's):
    trust, affinity (where ``affinity``) and alignment (where ``alignment``: a group of
    powers alone has no state to align), for ``group`` (named ``phrase``
    in the titles), their plotting areas lined up (:func:`sim.explore.figures.line_up`):
    a date stands at one x down the page (an outside check found three x's a few pixels
    apart; decision 896)."""
    charts = {"trust": trajectories_spec(line, cf_line, events, group, powers, phrase=phrase)}
    if affinity:
        charts["affinity"] = trajectories_spec(
            line, cf_line, events, group, powers, "affinity_mean", "Affinity", phrase=phrase
        )
    if alignment:
        charts["alignment"] = alignment_spec(line, cf_line, group, powers, phrase=phrase)
    return dict(zip(charts, line_up(list(charts.values())), strict=True))


def counterfactual_label(cf_base: Scenario) -> str:
    """How the page's messages name the counterfactual's run."""
    return f"the counterfactual '{cf_base.name}'"


def write_figures(
    folder: Path,
    charts: dict[str, Spec],
    lines: list[Line],
    scenarios: list[Scenario],
    group: str | None = None,
    about: str = "",
) -> list[Path]:
    """The page's figures as Vega-Lite specs, and trust (with affinity beside it where
    the page draws affinity), alignment and the network at the page's step as PNGs;
    ``about`` (what ran them: files, seed, engine, changed values), when given, as
    ``about.txt`` beside them.

    The PNGs are the package's own figures (:mod:`sim.plots`) of the runs on
    the page, the counterfactual beside the run.

    Args:
        folder: where to write (created if missing).
        charts: the page's specs by name (``trust``, ``alignment``, ``network``, ...).
        lines: the runs on the page, the scenario's first.
        scenarios: the scenarios those runs ran, in the same order.
        group: the group the page shows, the only one the PNGs draw (every group when
            None). Every group took 12 to 16 s to draw for Syria, during which the
            page did not answer; one takes about a second.

    Returns:
        The files written.
    """
    from sim.plots.alignment import alignment_figure
    from sim.plots.figure import group_phrases, rendered
    from sim.plots.trajectories import trajectories_figure
    from sim.results import scenario_events

    written = []
    for name, chart in charts.items():
        path = folder / f"{name}.vl.json"
        atomic_write_text(path, json.dumps(for_a_file(chart), indent=1))
        written.append(path)
    series = pd.concat([line.series.assign(scenario=line.name) for line in lines])
    if group is not None:
        series = series[series["group"] == group]
    trees = {line.name: scenario_tree(sc) for line, sc in zip(lines, scenarios, strict=True)}
    events = pd.concat([scenario_events(name, tree) for name, tree in trees.items()])
    phrases = group_phrases(trees)
    # Affinity beside trust where the page draws it, as a sweep's report does: it was
    # saved only as a Vega-Lite spec, which a researcher cannot open (decision 603).
    metrics = ("trust_mean", "affinity_mean") if "affinity" in charts else ("trust_mean",)
    # Drawn one at a time and closed once rendered: the page is a long-running server.
    # A group of powers alone has no state to align, so no alignment figure (decision 907).
    aligning = aligns(series)
    for name, draw in (
        ("trust", lambda: trajectories_figure(series, events, metrics=metrics, phrases=phrases)),
        ("alignment", lambda: alignment_figure(series, phrases=phrases)),
    ):
        if name == "alignment" and not aligning:
            continue
        path = folder / f"{name}.png"
        atomic_write_bytes(path, rendered(draw()))
        written.append(path)
    if "network" in charts:
        # The network at the step on the page, as a picture too (decision 613).
        path = folder / "network.png"
        network = network_figure(charts["network"], scenarios[0].power_names)
        atomic_write_bytes(path, rendered(network))
        written.append(path)
    if about:
        path = folder / "about.txt"
        atomic_write_text(path, about)
        written.append(path)
    return written


def about_text(
    scenario: str,
    counterfactual: str | None,
    seed: int,
    engine: str,
    group: str | None,
    overrides: dict[str, float],
    cf_overrides: dict[str, float] | None = None,
    saved_as: str = "",
) -> str:
    """What drew the saved figures, to put beside them: a paper's figure needs its seed,
    engine and changed values, which only the saved scenario's comment held (an outside
    check of the explorer, decision 847).

    The command of each run drawn: the counterfactual's, with ``cf_overrides`` (the
    changes its schema takes, as the page runs it; ``overrides`` where None), drew the
    dashed lines, and only the scenario's was given. ``saved_as`` names the scenario file
    the page saved of the same file, values and seed before the figures; without one the
    text says none was, so that a ``NAME_explored.yaml`` beside ``NAME_explored_figures/``
    is not read as theirs (an outside review; decision 927)."""
    changed = ", ".join(f"{p} = {v:g}" for p, v in overrides.items()) or "none"
    against = f", beside the counterfactual {counterfactual}" if counterfactual else ""
    on = f" --engine {engine}" if engine else ""

    def command(file: str, values: dict[str, float]) -> str:
        sets = "".join(f" --set {p}={v:g}" for p, v in values.items())
        return f"credsim run {file} --seed {seed}{sets}{on}"

    runs = f"The same run: {command(scenario, overrides)}\n"
    if counterfactual:
        values = overrides if cf_overrides is None else cf_overrides
        runs = (
            f"The scenario's run (solid lines): {command(scenario, overrides)}\n"
            f"The counterfactual's run (dashed lines), with the same changes: "
            f"{command(counterfactual, values)}\n"
        )
    saved = (
        f"Saved as a scenario with these values and seed before these figures: {saved_as}\n"
        if saved_as
        else "No scenario file with these values and seed was saved before these figures "
        "(one saved after them names this folder in its header).\n"
    )
    return (
        f"Drawn by credsim explore from {scenario}{against}.\n"
        f"Seed {seed}; the {engine or 'given'} engine; group {group or 'all'}.\n"
        f"Values changed from the scenario's: {changed}.\n" + saved + runs
    )


def changes_text(changed: int, seed: int) -> str:
    """What the page says of its values beside the figures: how many differ from the
    scenario's and, when it is not ``credsim run``'s default, the seed. A scenario holds no
    seed, so the seed is not one of the changed values; but "0 changed from the scenario"
    beside figures of seed 7 read as the scenario's own run (decision 858)."""
    said = f"{changed} changed from the scenario"
    if seed != DEFAULT_SEED:
        said += f", seed {seed} (not the default {DEFAULT_SEED})"
    return said


def changed_text(controls: list[Control], overrides: dict[str, float], base: Scenario) -> str:
    """The line under the status naming the page's changed values, and that they live on
    the page only (``""`` when none is changed): the status counted them without names,
    and a reload or another scenario dropped them without a word (an outside check of
    the explorer, decision 944)."""
    named = [
        f"{c.label} {_number(overrides[c.path])} (scenario {_number(scenario_value(base, c))})"
        for c in controls
        if c.path in overrides
    ]
    if not named:
        return ""
    return (
        f"Changed: {'; '.join(named)}. They live on this page only: a reload or another "
        "scenario drops them; 'save scenario' keeps them in a file."
    )


def dropped_text(count: int, old: str, new: str) -> str:
    """What the page says when loading another scenario dropped its changed values."""
    return (
        f"Loading {new} dropped the {count_text(count, 'changed value')} of {old}: the "
        "sliders hold the loaded scenario's values."
    )


def _noted(
    saves: dict[tuple[object, ...], dict[str, str]], state: tuple[object, ...], kind: str, path: str
) -> dict[tuple[object, ...], dict[str, str]]:
    """``saves`` with ``path`` noted as the ``kind`` ("scenario", "figures") saved of
    ``state`` (:func:`saved_state`)."""
    return {**saves, state: {**saves.get(state, {}), kind: path}}


def saved_state(scenario: str, overrides: dict[str, float], seed: int) -> tuple[object, ...]:
    """What a saved scenario file and saved figures must share to belong together: the
    scenario's file, its changed values and the seed."""
    return (str(Path(scenario).expanduser().resolve()), tuple(sorted(overrides.items())), seed)


def free_name(folder: Path, stem: str, suffix: str = "") -> str:
    """``stem``, else ``stem_2``, ``stem_3`` ...: the first name whose ``folder / (name +
    suffix)`` does not exist, so that a save never replaces an earlier one."""
    name, number = stem, 1
    while (folder / f"{name}{suffix}").exists():
        number += 1
        name = f"{stem}_{number}"
    return name


def saved_problem(parent: str, name: str, overrides: dict[str, float], seed: int) -> str:
    """Why the scenario that "save scenario" would write does not load (``""`` when it
    does), checked on a copy in a scratch folder, so a refused save writes nothing."""
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / f"{name}.yaml"
        trial.write_text(extending_scenario(parent, trial, name, overrides, seed), "utf-8")
        try:
            load_scenario(trial)
        except InputError as exc:
            return f"{exc.path}: {exc.message}" if exc.path else exc.message
    return ""


NO_FOLDER = "give a folder to save to (the 'save to folder' box is empty)"


def _lines(
    base: Scenario | None,
    cf_base: Scenario | None,
    outcome: Outcome | None,
    cf_outcome: Outcome | None,
) -> tuple[list[Line], list[Scenario]]:
    """The runs to draw (the scenario's, then the counterfactual's, when they ran) and
    the scenarios they ran; the counterfactual's name is kept apart from the run's."""
    lines: list[Line] = []
    scenarios: list[Scenario] = []
    if base is None or outcome is None or outcome.series is None or outcome.scenario is None:
        return lines, scenarios
    lines.append(Line(base.name, outcome.series))
    scenarios.append(outcome.scenario)
    if cf_base is not None and cf_outcome is not None and cf_outcome.series is not None:
        name = cf_base.name if cf_base.name != base.name else f"{cf_base.name} (counterfactual)"
        assert cf_outcome.scenario is not None
        lines.append(Line(name, cf_outcome.series))
        scenarios.append(cf_outcome.scenario)
    return lines, scenarios


def incomparable(scenario: Scenario, counterfactual: Scenario, group: str) -> str:
    """Why ``counterfactual`` cannot be drawn beside ``scenario`` for ``group`` ("" if it can).

    The difference is taken step by step and power by power within the group, so the
    two need the same calendar, the same powers, and the group.
    """
    why = []
    mine, theirs = scenario.calendar, counterfactual.calendar
    if (mine.start, mine.end, mine.step) != (theirs.start, theirs.end, theirs.step):
        why.append(
            f"its calendar ({theirs.start} to {theirs.end}) is not the scenario's"
            f" ({mine.start} to {mine.end})"
        )
    if sorted(counterfactual.power_names) != sorted(scenario.power_names):
        why.append(
            f"its powers ({', '.join(counterfactual.power_names)}) are not the scenario's"
            f" ({', '.join(scenario.power_names)})"
        )
    if group != "all" and group not in counterfactual.outputs.groups:
        why.append(f"it has no group '{group}'")
    if not why:
        return ""
    return f"counterfactual '{counterfactual.name}' not drawn: {'; '.join(why)}"


def same_file(one: str, other: str) -> bool:
    """Whether two of the page's paths name the same file."""
    return Path(one).expanduser().resolve() == Path(other).expanduser().resolve()


def counterfactual_for(
    new: str,
    scenario: Scenario,
    current: str,
    loaded: Scenario | None,
    none_chosen: bool = True,
) -> str:
    """The counterfactual once the page loads the scenario file ``new``: the current one
    where it can be drawn beside it (and is not the file itself), else the file's own
    ``NAME_abstained.yaml`` beside it, else none. A switch from Syria to Afghanistan
    kept Syria's counterfactual under a warning that it could not be drawn (decision 598).
    None is kept where the user chose it (``none_chosen``); a none the page took for a
    scenario without a counterfactual (the tour) gave Syria none when it was chosen again
    (an outside check of the explorer, decision 1014).
    """
    if current == NO_COUNTERFACTUAL and none_chosen:
        return current
    if current == NO_COUNTERFACTUAL:
        return own_counterfactual(new)
    drawn = loaded is not None and not incomparable(scenario, loaded, "all")
    if drawn and not same_file(current, new):
        return current
    return own_counterfactual(new)


def own_counterfactual(scenario: str) -> str:
    """The counterfactual a scenario file takes where none is chosen: its
    ``NAME_abstained.yaml`` beside it, else none (:data:`NO_COUNTERFACTUAL`). The page
    takes it for a scenario chosen there (:func:`counterfactual_for`), and ``credsim
    explore SCENARIO`` without ``--counterfactual`` too: the command drew Syria alone
    where the page, choosing Syria, drew it beside syria_abstained (an outside review;
    decision 927)."""
    beside = Path(scenario).expanduser()
    beside = beside.with_name(f"{beside.stem}_abstained.yaml")
    return shown(beside) if beside.is_file() else NO_COUNTERFACTUAL


def typed_file(text: str) -> tuple[str, str]:
    """A file path as typed in a box: ``~`` is the home folder; ("", why) when blank."""
    if not text.strip():
        return "", "give a scenario file (the box is empty)"
    return (str(Path(text).expanduser()) if text.startswith("~") else text), ""


def first_sentence(text: str, limit: int = 600, names: Iterable[str] = ()) -> str:
    """A scenario's description as the page shows it under its list: its first sentence,
    cut at ``limit`` characters (an audit: the lists named files only, and which file is
    a case's counterfactual was in descriptions the page never showed; decision 604).
    The limit stops a description with no sentence's end, not a sentence: at 240 it cut
    the first sentences of five shipped cases (Syria's "... the US withdrawal from…",
    of 315 characters; the longest, Egypt's, is 446; an outside review, decision 927).
    The page shows the whole description on hover (:func:`Description`).

    A full stop that ends one of ``names`` (the scenario's actors: ``U.S.``) or an
    abbreviation (``e.g.``, a single letter) ends no sentence: "Stylised abandonment:
    U.S. intervenes ..." was cut after "U.S." (an outside check; decision 807)."""
    text = " ".join(text.split())
    dotted = tuple(n for n in names if n.endswith("."))
    end = -1
    for found in re.finditer(r"\. ", text):
        before = text[: found.start() + 1]
        word = before.rsplit(" ", 1)[-1]
        if before.endswith(dotted) or word.lower() in _ABBREVIATIONS or _INITIALS.match(word):
            continue
        end = found.start()
        break
    sentence = text if end < 0 else text[: end + 1]
    if len(sentence) <= limit:
        return sentence
    # At a word's end: "... is bombe…" read as a typo (an outside check, decision 846).
    cut = sentence[: limit - 1]
    if sentence[limit - 1] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


@solara.component
def Description(scenario: Scenario) -> None:
    """Under a file's list: its description's first sentence (:func:`first_sentence`),
    the whole description on hover (its dates: "Monthly, 2014-01 to 2026-12.")."""
    if not scenario.description:
        return
    whole = " ".join(scenario.description.split())
    rv.Html(
        tag="div",
        children=[first_sentence(whole, names=[*scenario.powers, *scenario.states])],
        style_=";".join(f"{k}: {v}" for k, v in DESCRIBED.items()),
        attributes={"title": whole},
    )


# Words whose full stop ends no sentence (first_sentence), and initials: "U.S.", "J.".
_ABBREVIATIONS = frozenset({"e.g.", "i.e.", "cf.", "vs.", "etc.", "st.", "mr.", "dr.", "no."})
_INITIALS = re.compile(r"^\(?(?:[A-Za-z]\.)+$")


def _number(value: float) -> str:
    return f"{value:.4g}"


def parameter_gaps(
    base: Scenario,
    cf_base: Scenario,
    controls: list[Control],
    cf_controls: list[Control],
    overrides: dict[str, float],
) -> str:
    """What the page says when the scenario and the counterfactual differ in a slider's
    parameter as well as in events (``""`` when they do not): where the page changed it,
    its value replaces the counterfactual's own in both runs; where it did not, each run
    takes its own file's. A saved scenario loaded beside its counterfactual compared
    negativity bias 3 with 2 without a word, and a slider moved on a counterfactual of
    its own 3.37 turned the difference flat (an outside check, decision 944).
    ``cf_controls``: :func:`available_controls` of the counterfactual."""
    theirs = {c.path: c for c in cf_controls}
    differ, replaced = [], []
    for control in controls:
        other = theirs.get(control.path)
        if other is None:
            continue
        mine, own = scenario_value(base, control), scenario_value(cf_base, other)
        if math.isclose(mine, own, abs_tol=1e-12):
            continue
        if control.path in overrides:
            replaced.append(
                f"{control.label} {_number(overrides[control.path])} replaces its own "
                f"{_number(own)}"
            )
        else:
            differ.append(f"{control.label} {_number(mine)} against {_number(own)}")
    said = []
    if differ:
        said.append(
            f"The scenario and {counterfactual_label(cf_base)} differ in parameters too, so "
            f"the difference holds them as well as the events: {'; '.join(differ)}."
        )
    if replaced:
        said.append(
            "The page's changes apply to both runs, so in the counterfactual "
            f"{'; '.join(replaced)}."
        )
    return " ".join(said)


def _months(half_life: float) -> str:
    """A half-life as the page says it (memory 1 forgets nothing: no half-life)."""
    if math.isinf(half_life):
        return "none, nothing is forgotten"
    shown = _number(half_life)
    return f"{shown} month" if shown == "1" else f"{shown} months"


class Sheet:
    """The specs drawn on the page, by name (boxed for the same reason as :class:`Drawn`)."""

    def __init__(self) -> None:
        self.specs: dict[str, Spec] = {}


class Drawn:
    """A spec handed to :func:`Figure` in a box, so that the renderer does not walk its
    thousands of data records looking for components (that walk cost more than a run)."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec


@solara.component
def Figure(
    drawn: Drawn, on_click: Callable[[dict[str, object] | None], None] | None = None
) -> None:
    """A Vega-Lite spec drawn in the page (tooltips on hover); ``on_click`` is given the
    datum of the mark clicked (None off the marks).

    The widget is made once and its spec replaced on each render, so the renderer
    never compares or walks the spec's data.
    """
    widget = solara.use_memo(
        lambda: solara.widgets.VegaLite(spec={}, listen_to_click=on_click is not None), []
    )

    def show() -> None:
        widget.spec = on_page(drawn.spec)
        if on_click is not None:
            widget.on_click = on_click

    solara.use_effect(show, [drawn, on_click])
    solara.Column(children=[widget])


@dataclass(frozen=True)
class Listed:
    """Which events the page lists with their sources (:func:`EventSources`): those of
    ``period`` ("" for none), under ``chart`` (:data:`TRUST` or :data:`AFFINITY`: the one
    whose marker was clicked), and how many clicks on a marker chose a period so far."""

    chart: str = TRUST
    period: str = ""
    clicks: int = 0


class ScrolledTo(ipyvuetify.VuetifyTemplate):
    """An empty block that brings itself to the window's top each time ``asked`` grows.
    At the top of a period's list, so that a click on a marker shows the list: at 1024 x
    768 it opened under the difference panel, below the window (decision 1027).

    One pixel tall, so that the browser keeps it in place as the list arrives under it
    (scroll anchoring takes the first element in view): with no height, the chart below
    the list was kept in place instead, and the list opened from the affinity chart was
    pushed up out of the window."""

    asked = traitlets.Int(0).tag(sync=True)
    template = traitlets.Unicode(
        """<template><div style="height: 1px; scroll-margin-top: 8px"></div></template>
<script>
module.exports = {
    watch: {
        asked(now, before) {
            if (now > before) this.$el.scrollIntoView({block: "start"});
        },
    },
};
</script>"""
    ).tag(sync=True)


def event_choices(events: pd.DataFrame) -> list[dict[str, str]]:
    """The periods of ``events`` (:func:`~sim.explore.figures.event_table`'s), in time
    order, as :func:`EventSources` offers them: "2024-12: 8 events", or the one event's
    label ("2015-09: Russian intervention (syria only)")."""
    choices = []
    for date, period in events.sort_values("when", kind="stable").groupby("date", sort=False):
        what = count_text(len(period), "event") if len(period) > 1 else period["label"].iloc[0]
        choices.append({"title": f"{date}: {what}", "value": str(date)})
    return choices


@solara.component
def EventSources(events: pd.DataFrame, period: str, on_period: Callable[[str], None]) -> None:
    """Under a chart, a list of its periods with events (a click on an event's marker
    chooses its period; the keyboard reaches the list as any other) and each event of the
    chosen ``period``, in the table's order: its label (ending in "(syria only)" for an
    event of one scenario), its period, kind and who ("in both scenarios" for an event of
    both beside a counterfactual), and its source whole. A crowded period's tooltip lists
    its events without their sources (Syria's 2024-12 made 2,250 characters of them;
    decisions 1018 and 1027)."""
    rv.Select(
        v_model=period or None,
        on_v_model=lambda chosen: on_period(chosen or ""),
        items=event_choices(events),
        label="a period's events and their sources",
        hint="or click an event's marker",
        persistent_hint=True,
        clearable=True,
    )
    chosen = events[events["date"] == period]
    if chosen.empty:
        return
    rv.Html(
        tag="ul",
        class_=SOURCES_LIST,
        children=[
            rv.Html(
                tag="li",
                children=[
                    rv.Html(tag="b", children=[event["label"]]),
                    rv.Html(
                        tag="div",
                        class_=SOURCES_WHAT,
                        children=[
                            f"{period}: {event_what(event)}"
                            + ("; in both scenarios" if event["scenarios"] == "both" else "")
                        ],
                    ),
                    rv.Html(tag="div", children=[event["source"] or "(no source given)"]),
                ],
            )
            for _, event in chosen.iterrows()
        ],
    )


def notes_summary(file: str, notes: list[str]) -> str:
    """The line that stands for a file's notes on the page: what they are, counted."""
    warnings = sum(note.startswith("warning: ") for note in notes)
    counts = [count_text(warnings, "warning")] if warnings else []
    if len(notes) > warnings:
        counts.append(count_text(len(notes) - warnings, "note"))
    return f"credsim validate {Path(file).name}: {', '.join(counts) or 'no notes'}"


@solara.component
def Notes(file: str, notes: list[str]) -> None:
    """What ``credsim validate`` says of the loaded ``file`` beside "ok"
    (:func:`sim.validate.file_notes`) under one line that counts them, folded unless one
    is a warning (a likely slip); the line alone ("no notes") where it says nothing. A
    note stops nothing: the file runs."""
    summary = notes_summary(file, notes)
    if not notes:
        solara.Text(summary, style=DESCRIBED)
        return
    shown = [solara.Text(note, style={**DESCRIBED, **WRAPPED}) for note in notes]
    warned = any(note.startswith("warning: ") for note in notes)
    with solara.Div(classes=["credsim-notes"]):
        solara.Details(summary, [solara.Column(children=shown, gap="0px")], expand=warned)


def breakable(path: str) -> str:
    """A path as a file list shows it: a zero-width space after each '/' (or '\\'), where
    its line may break, so that a path too long for the box wraps between folders and keeps
    the file's name whole ("scenarios/syria_abstain" over "ed.yaml" read as two names)."""
    return re.sub(r"([/\\])", "\\1\u200b", path)


@solara.component
def FileSelect(label: str, files: list[str], file: str, on_file: Callable[[str], None]) -> None:
    """A list of files showing the one chosen whole, wrapped over the lines it takes
    (:data:`PAGE_CSS`; decision 858); each entry's value is its path as given."""
    rv.Select(
        v_model=file,
        on_v_model=on_file,
        items=[{"title": breakable(f), "value": f} for f in files],
        label=label,
        class_=FILE_BOX,
    )


def explored_stem(name: str) -> str:
    """The name a saved file starts from: a scenario saved from the page before
    (``syria_explored``, ``syria_explored_2``) gives its own scenario's, so that saving
    again reads ``syria_explored_3``, not ``syria_explored_explored`` (an outside check,
    decision 896)."""
    return re.sub(r"_explored(_\d+)?$", "", name)


def exact(value: float) -> str:
    """A value as the box beside its slider shows it: every digit the run takes (``repr``'s
    shortest decimal that reads back as the same float), ``2`` for 2.0."""
    said = repr(float(value))
    return said[:-2] if said.endswith(".0") else said


def typed_value(text: str, control: Control, current: float) -> tuple[float, str]:
    """The value typed in ``control``'s box, or why it is refused (one line, naming the
    control and the ``current`` value it keeps): a number within the slider's bounds."""
    typed = text.strip()
    keeps = f"it stays {exact(current)}"
    if not typed:
        return current, f"{control.label}: type a number (the box is empty); {keeps}"
    try:
        number = float(typed)
    except ValueError:
        comma = typed.replace(",", ".", 1)
        hint = f" (a decimal point: {comma})" if _is_number(comma) else ""
        return current, f"{control.label}: '{typed}' is not a number{hint}; {keeps}"
    if not math.isfinite(number):
        return current, f"{control.label}: '{typed}' is not a number; {keeps}"
    if not control.low <= number <= control.high:
        return current, (
            f"{control.label}: {typed} is outside the slider's {_number(control.low)} to "
            f"{_number(control.high)}; {keeps}"
        )
    return number, ""


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


@solara.component
def ControlRow(
    control: Control,
    value: float,
    base_value: float,
    months_per_step: int,
    on_value: Callable[[str, float], None],
) -> None:
    """A slider that shows the scenario's value and resets to it.

    While the slider is dragged it only moves; the value is taken (and the run
    redone) when it is released, so a drag costs one run, not one per pixel.
    Keys move it one step at a time, each taken at once.
    """
    # The slider's own value, as the browser gave it (``2.2 + 0.1`` is
    # 2.3000000000000003); the counter draws the row again when it moves (a drag moves it
    # without a run). Reacton sets a widget's props on every render, so the page hands
    # the slider this value back: the value run, rounded (2.3), moved the slider to it
    # when the browser was past it, and a key pressed while a run went on counted from
    # the value run, not from where the slider was (20 presses of 0.1 at 50 ms apart
    # ended at 1.5; an outside check, decision 897).
    shown = solara.use_ref(value)
    moves = solara.use_reactive(0)
    _ = moves.value  # read here, so that a move draws the row again
    dragging = solara.use_ref(False)
    # The values the slider gave that have not come back as ``value`` yet: one that comes
    # back is the slider's own, and leaves it where it is; any other (a reset, another
    # scenario) moves it.
    pending = solara.use_ref(cast("list[float]", []))
    seen = solara.use_ref(value)
    # What was typed in the box and refused, and why (None when nothing is).
    refusal = solara.use_ref(cast("tuple[str, str] | None", None))
    if value != seen.current:
        seen.current = value
        back = next((i for i, v in enumerate(pending.current) if v == value), None)
        if back is None:
            pending.current = []
            shown.current = value
            refusal.current = None
        else:
            del pending.current[: back + 1]

    def take(new: float) -> None:
        pending.current.append(new)
        on_value(control.path, new)

    def moved(new: float) -> None:
        shown.current = new
        refusal.current = None
        moves.set(moves.value + 1)
        if not dragging.current:
            take(slider_value(new))

    def started(*_: object) -> None:
        dragging.current = True

    def released(*_: object) -> None:
        dragging.current = False
        take(slider_value(shown.current))

    def reset() -> None:
        pending.current = []
        refusal.current = None
        shown.current = base_value
        on_value(control.path, base_value)

    def typed_in(text: str) -> None:
        # A value typed in the box, as it is (2.37 on a slider of 0.1's: a value off the
        # grid came only from a file; decision 952), within the slider's bounds; else one
        # line says why, and nothing changes.
        number, why = typed_value(text, control, value)
        if why:
            refusal.current = (text, why)
        else:
            refusal.current = None
            if number != value:
                shown.current = number
                take(number)
        moves.set(moves.value + 1)

    with solara.Row(style={"align-items": "center"}):
        slider = rv.Slider(
            v_model=shown.current,
            on_v_model=moved,
            label=control.label,
            min=control.low,
            max=control.high,
            step=control.step,
            thumb_label=True,
            hide_details=True,
            class_="credsim-slider",
        )
        use_event(slider, "start", started)
        use_event(slider, "end", released)
        # The value as the run takes it while the slider rests on it, else the slider's
        # place as it moves; a refused entry stays in the box, to be corrected.
        if refusal.current is not None:
            text = refusal.current[0]
        elif slider_value(shown.current) == slider_value(value):
            text = exact(value)
        else:
            text = exact(slider_value(shown.current))
        box = rv.TextField(
            v_model=text,
            # Said in the box when it is empty. Not a label: Vuetify names the input by its
            # label, over the aria-label that says which value it is.
            placeholder="value",
            density="compact",
            variant="outlined",
            hide_details=True,
            single_line=True,
            error=refusal.current is not None,
            class_=TYPED_BOX,
            attributes={
                "aria-label": f"type {control.label}",
                "title": f"type {control.label} ({_number(control.low)} to "
                f"{_number(control.high)}), then Enter",
                "inputmode": "decimal",
            },
        )
        use_change(box, typed_in, update_events=["keyup.enter", "focusout"])
    now = slider_value(shown.current)
    note = f"{_number(now)} (scenario {_number(base_value)})"
    if control.path == "parameters.trust.memory":
        note += (
            f"; half-life {_months(half_life_months(now, months_per_step))}"
            f" (scenario {_months(half_life_months(base_value, months_per_step))})"
        )
    # The reset under the slider, at the note's right: beside the slider it left the box too
    # little of the column for a track at 800 pixels (decision 952).
    with solara.Row(style={"align-items": "center", "justify-content": "space-between"}):
        solara.Text(note, style={"font-size": "0.8em", "color": "#666"})
        solara.Button(
            "reset",
            on_click=reset,
            disabled=math.isclose(value, base_value, abs_tol=1e-12),
            text=True,
            small=True,
            # Every slider's button reads "reset": its tooltip and accessible name say which
            # value it resets, and to what (decision 611).
            attributes={
                "title": f"reset {control.label} to the scenario's {_number(base_value)}",
                "aria-label": f"reset {control.label}",
            },
        )
    if refusal.current is not None:
        solara.Error(refusal.current[1], dense=True, icon=False, style_=WRAP)
    if control.meaning:
        solara.Text(control.meaning, style={"font-size": "0.8em", "color": "#888"})


@solara.component
def StepThrough(
    scenario: Scenario,
    seed: int,
    group: str,
    size_by: str,
    layout: dict[str, tuple[float, float]],
    sheet: Sheet,
) -> None:
    """The run step by step under mesa's ModelController, the network of states drawn
    at the current step.

    A change of a value (or of the seed) runs the new model to the step the page was
    at, on the same calendar: a slider's move sent the step-through back to "step 0 of
    156" (an outside review, decision 928), where a researcher compares the network at
    one date before and after the change. Another calendar starts at step 0.
    """
    # The step shown last, and its calendar (start, steps).
    first: tuple[int, tuple[str, int] | None] = (0, None)
    at = solara.use_ref(first)

    def started() -> CredibilityModel:
        new = CredibilityModel(spec=scenario, rng=seed_sequence(seed, 0))
        steps, calendar = at.current
        if calendar == (new.date, new.n_steps):
            for _ in range(min(steps, new.n_steps)):
                new.step()
        return new

    built = solara.use_memo(started, [scenario, seed])
    # One box for the page's model, its content replaced by each new run: the controller
    # (not made anew on a change of a value or the seed) keeps playing, its play stepping
    # whatever model the box holds. A change during play stopped the play without a word
    # (it made a new controller, whose play starts paused; decision 944); it plays on at
    # the new values, from the step it was at (decision 952).
    model: solara.Reactive[CredibilityModel] = solara.use_reactive(built)
    # Another calendar (another scenario's) gets a new controller, paused at step 0: the
    # old one's play, and its end at the last step, were of another run.
    calendar = scenario.calendar
    # A step's network is sent and drawn before the next: with thousands of states that
    # takes longer than 150 ms, and steps queued up behind a pause.
    play_interval = solara.use_reactive(150 if len(layout) <= REGIONAL else 1000)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    ModelController(
        model,
        model_parameters={"spec": scenario, "rng": seed_sequence(seed, 0)},
        play_interval=play_interval,
        render_interval=render_interval,
        use_threads=use_threads,
    ).key(f"controller-{calendar.start}-{calendar.end}-{calendar.step}")
    update_counter.get()
    current: CredibilityModel = model.value
    if current.steps == 0:
        at.current = (0, (current.date, current.n_steps))
    else:
        at.current = (current.steps, at.current[1])
    members = {current.actor_names[i] for g in current.groups if g.name == group for i in g.members}
    # Step 0 is the start, before the first month's events; step 1 is that month's end,
    # under the same date (an audit read two steps of one month; decision 602).
    when = f"the start, before {current.date}" if current.steps == 0 else current.date
    solara.Text(
        f"step {current.steps} of {current.n_steps}, {when}: "
        f"{count_text(current.realignments, 'realignment')} at this step; effective poles "
        f"of all states, over the aligned only (a run's effective_poles): "
        f"{current.effective_poles:.2f} (the figure above, of the group chosen, counts the "
        "non-aligned as one pole)"
    )
    # The title says the step as the line above does: "2014-01" at step 0 read as the
    # network after that month's events (an outside review; decision 927).
    sheet.specs["network"] = network_spec(
        scenario, layout, current.aligned, current.capability, members, size_by, when
    )
    Figure(Drawn(sheet.specs["network"]))


@solara.component
def Explorer(
    scenario: str,
    counterfactual: str | None = None,
    out: str = "explore",
    engine: Engine = mesa_engine,
) -> None:
    """The whole page for ``scenario`` (a file), compared with ``counterfactual``.

    Args:
        scenario: the scenario file loaded first.
        counterfactual: a scenario file to compare against, if any.
        out: the folder that "save scenario" and "save figures" write to.
        engine: the run function (scenario, seed) -> tidy series.
    """
    path = solara.use_reactive(scenario)
    typed_path = solara.use_reactive(scenario)
    cf_path = solara.use_reactive(counterfactual or NO_COUNTERFACTUAL)
    # Whether "(none)" is the user's choice, kept when another scenario is loaded, or the
    # page's for a scenario without a counterfactual (decision 1014).
    none_chosen = solara.use_reactive(False)
    typed_cf = solara.use_reactive(counterfactual or "")
    # The box shows the counterfactual compared, whichever way it came (the list, the box,
    # a new scenario's own); what is typed and not loaded stays until it is.
    solara.use_effect(
        lambda: typed_cf.set("" if cf_path.value == NO_COUNTERFACTUAL else cf_path.value),
        [cf_path.value],
    )
    values: solara.Reactive[dict[str, float]] = solara.use_reactive({})
    # What this page saved of each state (file, changed values, seed): the scenario file
    # and the figures' folder, so that the second saved names the first (decision 927).
    saves: solara.Reactive[dict[tuple[object, ...], dict[str, str]]] = solara.use_reactive({})
    seed = solara.use_reactive(DEFAULT_SEED)
    seed_error = solara.use_reactive("")
    group = solara.use_reactive("")
    size_by = solara.use_reactive("capability")
    message = solara.use_reactive("")
    # That loading another scenario dropped the page's changed values (decision 944).
    dropped = solara.use_reactive("")
    save_error = solara.use_reactive("")
    out_dir = solara.use_reactive(out)
    sources = solara.use_reactive(Listed())

    # Each press of "load" reads the file anew, the same path too (the researcher edited it).
    reads = solara.use_reactive(0)
    # The last file refused and the box it was typed or chosen in ("scenario" or
    # "counterfactual"): its message is shown under that box. Shown together under the
    # counterfactual's box, a scenario file's error read as the counterfactual's (an outside
    # check; decision 1018).
    refused = solara.use_reactive(("", ""))
    # A list keyed on the refusals is made anew after one: it shows the file still loaded.
    refusals = solara.use_reactive(0)
    # The file a press has just read (to check it): the memos below take it rather than
    # read it again, once for the new path and once for the new count. Each press keeps
    # only its own file, so that the other memo reads its file anew.
    just_read: solara.Reactive[dict[str, tuple[Scenario | None, str]]] = solara.use_reactive({})

    def read(file: str) -> tuple[Scenario | None, str]:
        return just_read.value.get(file) or load(file)

    base, base_error = solara.use_memo(lambda: read(path.value), [path.value, reads.value])
    cf_base, cf_error = solara.use_memo(
        lambda: read(cf_path.value) if cf_path.value != NO_COUNTERFACTUAL else (None, ""),
        [cf_path.value, reads.value],
    )
    controls = available_controls(base) if base is not None else []
    # Read once a counterfactual, not at each move of a slider (parameter_gaps).
    cf_controls = solara.use_memo(
        lambda: available_controls(cf_base) if cf_base is not None else [], [cf_base]
    )
    settings = (
        {c.path: values.value.get(c.path, scenario_value(base, c)) for c in controls}
        if base is not None
        else {}
    )
    overrides = changed(settings, base) if base is not None else {}
    key = tuple(sorted(overrides.items()))
    outcome = solara.use_memo(
        lambda: run(base, overrides, seed.value, engine) if base is not None else None,
        [base, key, seed.value],
    )
    cf_outcome = solara.use_memo(
        lambda: (
            run(cf_base, overrides, seed.value, engine, counterfactual_label(cf_base))
            if cf_base is not None
            else None
        ),
        [cf_base, key, seed.value],
    )
    layout = solara.use_memo(lambda: network_layout(base) if base is not None else {}, [base])
    # What credsim validate says of each file, read when the file is (decision 849).
    notes = solara.use_memo(lambda: file_notes(path.value) if base is not None else [], [base])
    cf_notes = solara.use_memo(
        lambda: file_notes(cf_path.value) if cf_base is not None else [], [cf_base]
    )
    lines, scenarios = _lines(base, cf_base, outcome, cf_outcome)
    groups = ["all", *scenarios[0].outputs.groups] if scenarios else ["all"]
    chosen = group.value or (groups[1] if len(groups) > 1 else "all")
    sheet = Sheet()
    charts = sheet.specs
    # The page's render context: state set within it renders once, when it ends.
    batch = reacton.core.get_render_context()

    def choose(typed: str) -> None:
        # A file that does not load changes nothing: its one-line message is shown instead,
        # and the box keeps what was typed, to be corrected (decision 598).
        typed_path.set(typed)
        new, blank = typed_file(typed)
        loaded = load(new) if new else (None, blank)
        error = loaded[1]
        refused.set((SCENARIO_BOX, error))
        if error:
            refusals.set(refusals.value + 1)
            return
        assert loaded[0] is not None
        counterfactual = counterfactual_for(
            new, loaded[0], cf_path.value, cf_base, none_chosen.value
        )
        # One render for the new file and its cleared values: set one at a time, the page
        # ran the new scenario with the old one's changed values between them, and showed
        # it for a run's time beside "dropped the changed values" (decision 980).
        with batch:
            dropped.set(dropped_text(len(overrides), path.value, new) if overrides else "")
            just_read.set({new: loaded})
            path.set(new)
            reads.set(reads.value + 1)
            cf_path.set(counterfactual)
            values.set({})
            group.set("")
            message.set("")
            save_error.set("")

    def type_counterfactual(typed: str) -> None:
        # A file beside the shipped ones, as --counterfactual takes it: the list offered
        # the shipped files only (decision 896's doubts; decision 909). A file that does
        # not load changes nothing, and the box keeps what was typed.
        typed_cf.set(typed)
        new, blank = typed_file(typed)
        if not new:
            refused.set(
                (COUNTERFACTUAL_BOX, blank.replace("a scenario file", "a counterfactual file"))
            )
            refusals.set(refusals.value + 1)
            return
        choose_counterfactual(new)

    def choose_counterfactual(new: str) -> None:
        if new != NO_COUNTERFACTUAL and same_file(new, path.value):
            refused.set(
                (
                    COUNTERFACTUAL_BOX,
                    f"{new} is the scenario itself: choose another file to compare with, or (none)",
                )
            )
            refusals.set(refusals.value + 1)
            return
        loaded = load(new) if new != NO_COUNTERFACTUAL else (None, "")
        error = loaded[1]
        refused.set((COUNTERFACTUAL_BOX, error))
        if error:
            refusals.set(refusals.value + 1)
        else:
            just_read.set({new: loaded})
            cf_path.set(new)
            none_chosen.set(new == NO_COUNTERFACTUAL)

    def set_seed(text: str | None) -> None:
        # As credsim run --seed (its type and its cap, sim.seeds.check_seed: a larger seed
        # ran here and the saved file's command refused it; decision 807); else the seed
        # stays.
        try:
            new = non_negative_int(text or "")
            check_seed(new)
        except (argparse.ArgumentTypeError, InputError):
            seed_error.set(
                f"a seed is a whole number from 0 to {MAX_SEED}; the page runs seed {seed.value}"
            )
            return
        seed_error.set("")
        seed.set(new)
        save_error.set("")

    def set_value(control_path: str, value: float) -> None:
        values.set({**values.value, control_path: value})
        dropped.set("")
        save_error.set("")  # about values no longer on the page

    def save_scenario() -> None:
        assert base is not None
        if not out_dir.value.strip():
            save_error.set(NO_FOLDER)
            return
        folder = Path(out_dir.value).expanduser()
        name = free_name(folder, f"{explored_stem(base.name)}_explored", ".yaml")
        problem = saved_problem(path.value, name, overrides, seed.value)
        if problem:
            save_error.set(f"not saved: these values do not make a scenario that loads: {problem}")
            return
        destination = folder / f"{name}.yaml"
        state = saved_state(path.value, overrides, seed.value)
        figures = saves.value.get(state, {}).get("figures", "")
        text = extending_scenario(path.value, destination, name, overrides, seed.value, figures)
        try:
            atomic_write_text(destination, text)
        except OSError as exc:
            save_error.set(describe_os_error(exc))
            return
        saves.set(_noted(saves.value, state, "scenario", str(destination)))
        save_error.set("")
        # A scenario file holds no seed: its header's command gives it (--seed).
        seeded = f"; seed {seed.value}, in its header" if seed.value != DEFAULT_SEED else ""
        message.set(f"saved {destination} ({count_text(len(overrides), 'changed value')}{seeded})")

    def save_figures() -> None:
        assert base is not None
        if not lines:  # the run failed: there is no figure (the button is disabled)
            return
        if not out_dir.value.strip():
            save_error.set(NO_FOLDER)
            return
        folder = Path(out_dir.value).expanduser()
        folder = folder / free_name(folder, f"{explored_stem(base.name)}_explored_figures")
        named = next((n for n, f in ENGINE_NAMED.items() if f is engine), "")
        # The counterfactual whose lines are drawn (none where it is not drawn), run with
        # the changes its schema takes (as run() runs it).
        cf = cf_base if len(lines) > 1 else None
        counterfactual = cf_path.value if cf is not None else None
        known = (
            {p: v for p, v in overrides.items() if has_field(p, type(cf))} if cf is not None else {}
        )
        state = saved_state(path.value, overrides, seed.value)
        about = about_text(
            path.value,
            counterfactual,
            seed.value,
            named,
            chosen,
            overrides,
            known,
            saves.value.get(state, {}).get("scenario", ""),
        )
        try:
            written = write_figures(folder, dict(charts), lines, scenarios, chosen, about)
        except OSError as exc:
            save_error.set(describe_os_error(exc))
            return
        saves.set(_noted(saves.value, state, "figures", str(folder)))
        save_error.set("")
        message.set(f"wrote {len(written)} files to {folder} (the group on the page)")

    with solara.Column(style={"padding": "12px"}):
        solara.Style(PAGE_CSS)
        # The browser tab said "Solara" (an audit of the README, decision 648).
        solara.Title(f"credsim explore: {Path(path.value).stem}")
        solara.Text("credsim explore", style={"font-size": "1.4em", "font-weight": "bold"})
        with solara.Columns([1, 3]):
            with solara.Column(classes=[CONTROLS_COLUMN]):
                choices = shipped_scenarios()
                FileSelect(
                    "scenario",
                    list(dict.fromkeys([path.value, *choices])),
                    path.value,
                    choose,
                ).key(f"scenario-{refusals.value}")
                # The text is kept when the field is left, and loaded on Enter (as "load").
                # The field spans the column, "load" under it: beside it, the field was 127
                # pixels wide at 1024 (decision 858); the file loaded is the list's above.
                field = rv.TextField(
                    label="or a scenario file", v_model=typed_path.value, hide_details="auto"
                )
                use_change(field, typed_path.set, update_events=["focusout"])
                use_change(field, choose, update_events=["keyup.enter"])
                with solara.Row(justify="end"):
                    solara.Button("load", on_click=lambda: choose(typed_path.value), text=True)
                refused_box, refusal = refused.value
                if refusal and refused_box == SCENARIO_BOX:
                    solara.Error(refusal, style_=WRAP)
                if base_error:
                    solara.Error(base_error, style_=WRAP)
                if base is not None:
                    Description(base)
                if base is not None:
                    # Keyed: each file read starts folded (or open, for a warning) anew.
                    Notes(path.value, notes).key(f"notes-{path.value}-{reads.value}")
                FileSelect(
                    "counterfactual",
                    list(dict.fromkeys([NO_COUNTERFACTUAL, cf_path.value, *choices])),
                    cf_path.value,
                    choose_counterfactual,
                ).key(f"counterfactual-{refusals.value}")
                # Keyed, as the fields below: a scenario box's message above it (decision
                # 1018) must not make it anew, which leaves it without its Enter (use_change).
                cf_field = rv.TextField(
                    label="or a counterfactual file", v_model=typed_cf.value, hide_details="auto"
                ).key("counterfactual-file")
                use_change(cf_field, typed_cf.set, update_events=["focusout"])
                use_change(cf_field, type_counterfactual, update_events=["keyup.enter"])
                with solara.Row(justify="end"):
                    solara.Button(
                        "compare", on_click=lambda: type_counterfactual(typed_cf.value), text=True
                    )
                if refusal and refused_box == COUNTERFACTUAL_BOX:
                    solara.Error(refusal, style_=WRAP)
                if cf_error:
                    solara.Error(cf_error, style_=WRAP)
                if cf_base is not None:
                    Description(cf_base)
                if cf_base is not None:
                    Notes(cf_path.value, cf_notes).key(f"cf-notes-{cf_path.value}-{reads.value}")
                if base is not None:
                    months = base.calendar.months_per_step
                    for control in controls:
                        ControlRow(
                            control,
                            settings[control.path],
                            scenario_value(base, control),
                            months,
                            set_value,
                        )
                    solara.InputText(
                        "seed",
                        value=str(seed.value),
                        on_value=set_seed,
                        error=seed_error.value or False,
                    ).key("seed")
                    # Keyed: a message above them (a refused file) must not hand one field's
                    # state to the other (the seed's value is text, the folder's a reactive).
                    solara.InputText("save to folder", value=out_dir).key("save-to")
                    with solara.Row(style=WRAPPING_ROW):
                        solara.Button("save scenario", on_click=save_scenario, color="primary")
                        solara.Button("save figures", on_click=save_figures, disabled=not lines)
                    if save_error.value:
                        solara.Error(save_error.value, style_=WRAP)
                    elif message.value:
                        solara.Info(message.value, style_=WRAP)
            with solara.Column(classes=[CHARTS_COLUMN]):
                for failed in (outcome, cf_outcome):
                    if failed is not None and failed.error:
                        solara.Error(failed.error, style_=WRAP)
                if not lines:
                    return
                mismatch = (
                    incomparable(scenarios[0], scenarios[1], chosen) if len(scenarios) > 1 else ""
                )
                if mismatch:
                    solara.Warning(mismatch, style_=WRAP)
                    lines, scenarios = lines[:1], scenarios[:1]
                # Always there, so that what follows keeps its place in the page's tree, and
                # with it its state (the step-through's step; decision 944).
                with solara.Column(gap="0px"):
                    gaps = (
                        parameter_gaps(base, cf_base, controls, cf_controls, overrides)
                        if base is not None and cf_base is not None and len(lines) > 1
                        else ""
                    )
                    if gaps:
                        solara.Info(gaps, style_=WRAP)
                line, cf_line = lines[0], lines[1] if len(lines) > 1 else None
                # The counterfactual's run counts only where it is drawn.
                timed = (outcome, cf_outcome) if len(lines) > 1 else (outcome,)
                seconds = sum(o.seconds for o in timed if o is not None)
                compiled = sum(o.compiling for o in timed if o is not None)
                with solara.Row():
                    solara.Select("group", values=groups, value=chosen, on_value=group.set)
                    solara.Select(
                        "node size by",
                        values=["capability", "group"],
                        value=size_by.value,
                        on_value=size_by.set,
                    )
                named = next((n for n, f in ENGINE_NAMED.items() if f is engine), "")
                solara.Text(
                    f"{changes_text(len(overrides), seed.value)}; "
                    + runs_took(seconds, compiled, named)
                )
                with solara.Column(gap="0px"):  # always there, as the one above
                    if overrides and base is not None:
                        solara.Text(changed_text(controls, overrides, base), style=DESCRIBED)
                    if dropped.value:
                        solara.Info(dropped.value, style_=WRAP)
                events = event_table(
                    scenarios[0],
                    scenarios[1] if cf_line is not None else None,
                    [ln.name for ln in lines],
                )
                powers = scenarios[0].power_names
                # The group in words in the titles ("among Arab League states"), as the
                # report's figures name it; the selector keeps its ids.
                defined = scenarios[0].outputs.groups.get(chosen)
                phrase = group_phrase(
                    chosen, defined.model_dump(exclude_none=True) if defined else None
                )
                # Affinity is drawn only where its channel is on: at scale 0 it stays at the priors.
                affinity = any(sc.parameters.affinity.scale > 0 for sc in scenarios)
                # A group of powers alone (sino_soviet's `china`) has no state to align: its
                # chart failed with an IndexError (decision 907).
                aligning = aligns(line.series, chosen)
                # A chart not drawn this time is not saved either (it held the last one's).
                for name, drawn in (("affinity", affinity), ("alignment", aligning)):
                    if not drawn:
                        charts.pop(name, None)
                charts.update(
                    time_charts(
                        line,
                        cf_line,
                        events,
                        chosen,
                        powers,
                        phrase,
                        affinity=affinity,
                        alignment=aligning,
                    )
                )
                # Under the chart whose marker was clicked: listed under the trust chart, the
                # events of a marker clicked on the affinity chart would open out of view.
                shown = sources.value if affinity else replace(sources.value, chart=TRUST)

                def clicked(chart: str) -> Callable[[dict[str, object] | None], None]:
                    def choose_period(datum: dict[str, object] | None) -> None:
                        # An event's marker or rule (a period's, or its own); not a line.
                        if datum and ("events" in datum or "kind" in datum):
                            sources.set(Listed(chart, str(datum["date"]), shown.clicks + 1))

                    return choose_period

                def listed(chart: str) -> None:
                    # Always there, as the columns above, so that the step-through keeps
                    # its place.
                    with solara.Column(gap="0px", style=SOURCES_BOX):
                        ScrolledTo.element(asked=shown.clicks if shown.chart == chart else 0)
                        if shown.chart == chart and not events.empty:
                            EventSources(
                                events,
                                shown.period,
                                lambda p: sources.set(replace(shown, chart=chart, period=p)),
                            )

                Figure(Drawn(charts["trust"]), on_click=clicked(TRUST))
                listed(TRUST)
                if affinity:
                    Figure(Drawn(charts["affinity"]), on_click=clicked(AFFINITY))
                else:
                    # Said, not only gone (an outside check, decision 846).
                    solara.Text(
                        "Affinity is not drawn: its scale is 0 (the v2 channel off), so every "
                        "affinity stays at its prior.",
                        style=DESCRIBED,
                    )
                listed(AFFINITY)
                if aligning:
                    Figure(Drawn(charts["alignment"]))
                else:
                    solara.Text(
                        f"No alignment is drawn: group '{chosen}' holds no state, only powers, "
                        "and powers do not align.",
                        style=DESCRIBED,
                    )
                StepThrough(scenarios[0], seed.value, chosen, size_by.value, layout, sheet)


@solara.component
def Page() -> None:
    """The page ``credsim explore`` serves (its settings come from the environment)."""
    Explorer(
        os.environ.get(ENV_SCENARIO, shown(SHIPPED / "syria.yaml")),
        os.environ.get(ENV_COUNTERFACTUAL) or None,
        os.environ.get(ENV_OUT, "explore"),
        ENGINE_NAMED[os.environ.get(ENV_ENGINE) or "mesa"],
    )
