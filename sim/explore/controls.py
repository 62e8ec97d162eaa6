"""The explorer's controls: a table of override paths with bounds, and what they save.

A control is shown only when the loaded scenario's schema has its field, so
the model v2 parameters (stance, affinity, prior memory) appear as soon as
the schema has them. Each control knows its scenario value; the explorer's
settings are the values that differ from it, as override paths, and
:func:`extending_scenario` writes them as a scenario file that ``extends``
the loaded one.
"""

from __future__ import annotations

import math
import os
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Control:
    """One slider: an override path, its label, bounds and step.

    Attributes:
        path: the override path (``parameters.trust.memory``).
        label: what the slider is called on the page.
        low: the slider's lower end (widened to take the scenario's value).
        high: the slider's upper end (widened likewise).
        step: the slider's resolution.
        default_of: for a field whose scenario value may be empty (an event
            kind's weight), the kind whose package default it then takes.
        meaning: one plain line under the slider: what it sets and which way is
            more (docs/ODD.md sections 7.5 and 8; an audit found the schema's
            names alone opaque to a researcher, decision 602).
    """

    path: str
    label: str
    low: float
    high: float
    step: float
    default_of: str | None = None
    meaning: str = ""


CONTROLS: tuple[Control, ...] = (
    Control(
        "parameters.trust.negativity_bias",
        "negativity bias",
        0.0,
        10.0,
        0.1,
        meaning="bad news counts this many times good news",
    ),
    Control(
        "parameters.trust.memory",
        "memory",
        0.5,
        1.0,
        0.005,
        meaning="share of past evidence kept each step; 1 forgets nothing",
    ),
    Control(
        "parameters.trust.prior_strength",
        "prior strength",
        0.5,
        100.0,
        0.5,
        meaning="how much evidence the starting trust is worth; more is harder to move",
    ),
    Control(
        "parameters.trust.prior_memory",
        "prior memory",
        0.5,
        1.0,
        0.005,
        meaning="below 1, the starting trust drifts to what states now think (v2)",
    ),
    Control(
        "parameters.event_kinds.support.weight",
        "support weight",
        0.0,
        1.0,
        0.01,
        "support",
        meaning="evidence a patron's support for its client gives",
    ),
    Control(
        "parameters.salience.target",
        "salience: target",
        0.0,
        1.0,
        0.05,
        meaning="how much an event's target notices it",
    ),
    Control(
        "parameters.salience.same_region",
        "salience: same region",
        0.0,
        1.0,
        0.05,
        meaning="how much states of the target's region notice an event",
    ),
    Control(
        "parameters.salience.same_bloc",
        "salience: same bloc",
        0.0,
        1.0,
        0.05,
        meaning="how much states of the target's blocs notice an event",
    ),
    Control(
        "parameters.salience.aligned_with_actor",
        "salience: aligned with actor",
        0.0,
        1.0,
        0.05,
        meaning="how much states aligned with the acting power notice its events",
    ),
    Control(
        "parameters.salience.global",
        "salience: global",
        0.0,
        1.0,
        0.05,
        meaning="how much every other state notices an event",
    ),
    Control(
        "parameters.salience.stance",
        "salience: stance",
        0.0,
        1.0,
        0.05,
        meaning="states that care about the client, friend or enemy, notice more (v2)",
    ),
    Control(
        "parameters.diffusion.susceptibility",
        "susceptibility",
        0.0,
        1.0,
        0.01,
        meaning="weight of the neighbours' views in a state's trust; 0 listens to none",
    ),
    Control(
        "parameters.stance.from_ideology",
        "stance from ideology",
        0.0,
        3.0,
        0.05,
        meaning="how far ideology alone makes states friends or enemies (v2; 0: no stance)",
    ),
    Control(
        "parameters.stance.enemy_reliability",
        "enemy reliability",
        0.0,
        1.0,
        0.05,
        meaning="how much a client's enemies learn of a patron's reliability (1: as friends)",
    ),
    Control(
        "parameters.affinity.scale",
        "affinity scale",
        0.0,
        3.0,
        0.05,
        meaning="how strongly events tell states whose side a power is on (v2; 0: off)",
    ),
    Control(
        "parameters.alignment.weights.affinity",
        "alignment weight: affinity",
        0.0,
        5.0,
        0.1,
        meaning="how much that affinity counts when a state chooses a power (v2)",
    ),
    Control(
        "parameters.alignment.temperature",
        "alignment temperature",
        0.0,
        2.0,
        0.01,
        meaning="chance in the choice of a power; 0 always takes the best",
    ),
)


def _field_model(model: type[BaseModel], segment: str) -> tuple[str, Any] | None:
    """The attribute name and annotation of ``segment`` (a field name or alias) in ``model``."""
    for name, info in model.model_fields.items():
        if segment in (name, info.alias):
            return name, info.annotation
    return None


def has_field(path: str, schema: type[BaseModel] = Scenario) -> bool:
    """Whether the scenario schema has the field at the dotted ``path``."""
    model: Any = schema
    for segment in path.split("."):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return False
        found = _field_model(model, segment)
        if found is None:
            return False
        model = found[1]
    return True


def slider_value(value: float) -> float:
    """A slider's value as the decimal it shows, to 12 significant digits.

    The browser steps a slider in binary floating point: a key press from 2.2 gave
    2.3000000000000003, which the run took and Save scenario wrote (the README audit,
    decision 756); a file of 2.3 then ran another scenario, by the last bit. Every
    slider position is a decimal of far fewer digits, so the rounding takes off only
    the arithmetic's residue.
    """
    return float(f"{float(value):.12g}")


def _grid_through(low: float, step: float, value: float) -> tuple[float, float]:
    """A slider's lower end and step whose positions (``low + k * step``) include ``value``.

    A slider shows and steps only through its positions: a value between them is drawn
    at the nearest one. The step is made finer by a simple factor where that suffices
    (2.25 on a 0.1 grid: 0.05); otherwise the lower end moves up by less than a step
    (0.9873 on 0.5 + k * 0.005: from 0.5023).
    """
    for factor in (1, 2, 4, 5, 10):
        fine = step / factor
        steps = (value - low) / fine
        if math.isclose(steps, round(steps), abs_tol=1e-6):
            return low, fine
    return round(low + math.fmod(value - low, step), 10), step


def available_controls(scenario: Scenario) -> list[Control]:
    """The controls whose field the scenario's schema has, widened to hold its values and
    with the scenario's value among the slider's positions."""
    out = []
    for control in CONTROLS:
        if not has_field(control.path, type(scenario)) or _raw(scenario, control) is None:
            continue
        value = scenario_value(scenario, control)
        low, step = _grid_through(min(control.low, value), control.step, value)
        high = max(_high(scenario, control, step), value)
        out.append(replace(control, low=low, high=high, step=step))
    return out


def _high(scenario: Scenario, control: Control, step: float) -> float:
    """The slider's upper end: the control's, but one step below 1 for susceptibility
    where the network starts at its equilibrium, which needs it below 1 (model.md; at 1
    the scenario is refused, so the slider's last position offered a run that fails)."""
    if (
        control.path == "parameters.diffusion.susceptibility"
        and scenario.network.initial == "equilibrium"
    ):
        return round(min(control.high, 1.0) - step, 10)
    return control.high


def _raw(scenario: Scenario, control: Control) -> Any:
    """The field's value as the scenario holds it (None where unset and the kind's
    package default applies, or where an optional field without a default is unset)."""
    node: Any = scenario
    for segment in control.path.split("."):
        found = _field_model(type(node), segment)
        if found is None:
            raise KeyError(control.path)
        node = getattr(node, found[0])
    if node is None and control.default_of is not None:
        return scenario.parameters.event_kinds.weight(control.default_of)
    return node


def scenario_value(scenario: Scenario, control: Control) -> float:
    """The value the loaded scenario gives the control's field (its default if unset)."""
    return float(_raw(scenario, control))


def half_life_months(memory: float, months_per_step: int = 1) -> float:
    """How long evidence takes to lose half its weight: ``ln 0.5 / ln memory`` steps.

    Returns:
        The half-life in months (``inf`` at memory 1: nothing is forgotten).
    """
    from sim.calibrate.posterior import half_life

    return float(half_life(memory, months_per_step))


def changed(values: dict[str, float], scenario: Scenario) -> dict[str, float]:
    """The settings that differ from the scenario's own values, as override paths."""
    by_path = {c.path: c for c in CONTROLS}
    return {
        path: value
        for path, value in values.items()
        if not math.isclose(value, scenario_value(scenario, by_path[path]), abs_tol=1e-12)
    }


def nested(overrides: dict[str, Any]) -> dict[str, Any]:
    """Dotted override paths as the nested mapping a scenario file holds."""
    tree: dict[str, Any] = {}
    for path, value in overrides.items():
        *parents, leaf = path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return tree


def extending_scenario(
    parent: str | os.PathLike[str],
    destination: str | os.PathLike[str],
    name: str,
    overrides: dict[str, Any],
    seed: int,
    figures: str = "",
) -> str:
    """The text of a scenario file that ``extends`` ``parent`` with ``overrides`` only.

    Args:
        parent: the loaded scenario file.
        destination: where the new file will be written (``extends`` is relative to it;
            the header's command names it as given, from the folder the page runs in).
        name: the new scenario's name.
        overrides: the changed values, by override path.
        seed: the explorer's seed; a scenario file holds no seed, so it is noted
            in a comment with the command that reproduces the run.
        figures: the folder of figures the page saved of the same values and seed before
            this file, named in the header; else the header says none was (an outside
            review found ``syria_explored.yaml`` beside ``syria_explored_figures/`` of
            other values; decision 927).
    """
    where = Path(destination).resolve().parent
    relative = os.path.relpath(Path(parent).resolve(), where)
    body: dict[str, Any] = {"extends": Path(relative).as_posix(), "name": name}
    body.update(nested(overrides))
    header = (
        "# Written by credsim explore: the loaded scenario with the explorer's changes.\n"
        f"# The explorer ran it with seed {seed}: credsim run {shlex.quote(str(destination))} "
        f"--seed {seed}\n"
        + (
            f"# Its figures, saved before it with these values and seed: {figures}\n"
            if figures
            else "# No figures of these values and seed were saved before it (figures saved "
            "after it name it in their about.txt).\n"
        )
    )
    return header + yaml.safe_dump(body, sort_keys=False, default_flow_style=False)
