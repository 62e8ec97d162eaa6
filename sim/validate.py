"""``credsim validate FILE``: check a scenario, experiment, pattern or calibration file.

It runs and writes nothing. The file's kind is told by its top-level fields
(:func:`sim.inputs.file_kind`); a file whose kind cannot be told gets one line
saying what each kind needs. A scenario's mistakes are reported together, one
line each, in line order; then slips that are not errors are warned about
(:func:`scenario_warnings`) without failing. The other files are checked by
their own loaders (first mistake); given the UN votes (``--votes`` or
``$CREDSIM_VOTES``), a pattern or calibration file's observed statistics are
taken from them too, so that a window without votes is refused here rather
than by ``patterns check`` or ``calibrate`` (decision 563), and a scenario's
``observed.names`` are looked up in them (decision 578). It lives outside :mod:`sim.scenario`
because it checks the files of the sweep, pattern and calibration packages
too, and the scenario package depends on none of them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.errors import InputError, count_text, in_words
from sim.inputs import ANY_NEEDS, file_kind
from sim.scenario.kinds import KINDS
from sim.scenario.loader import (
    Document,
    Origin,
    check_file,
    event_repeats,
    kind_of,
    locate,
    parse_overrides,
    read_document,
    read_text,
    relation_overrides,
    translate_all,
)
from sim.scenario.schema import (
    NONE_ALIGNMENT,
    RegimeChange,
    RelationEvent,
    RelationSpec,
    Scenario,
    TargetedEvent,
    allowed,
    directions,
    event_field,
    resolved_relations,
)

if TYPE_CHECKING:
    from sim.patterns import PatternFile
    from sim.sweep.experiment import Experiment

_STEP_WORDS: dict[str, str] = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


def scenario_warnings(sc: Scenario) -> list[InputError]:
    """Slips in a valid scenario, each with its field path (nothing here is an error).

    - a window that contains no event (it was made for one that moved or went);
    - events named after a window (the id is the window's name, or begins with
      it and ``_``) none of which falls inside it: the window no longer holds the
      event it was made for. An id that ends with ``_`` and the name is another
      event of that name, not the window's: Suez's ``jordan_crisis`` (1957-04) was
      said to have left the window ``crisis``, which holds the Suez crisis's events
      (an outside check of new cases; decision 996).
    """
    cal = sc.calendar
    spans = {
        name: (cal.step_of(start), cal.step_of(end)) for name, (start, end) in sc.windows.items()
    }
    steps = [sc.event_step(ev) for ev in sc.events]
    found = []
    for name, (first, last) in spans.items():
        if not any(first <= k <= last for k in steps):
            start, end = sc.windows[name]
            found.append(
                InputError(
                    f"no event falls in this window ({start} to {end}); was it made for an "
                    "event that has moved or gone?",
                    path=f"windows.{name}",
                )
            )
    # A state's bloc named like a power (`blocs: [ecowas, France]`) is a bloc of its own,
    # shared with no one that does not list it too: an outside check's Mali "in France's
    # bloc" passed without a word (decision 843). Blocs are labels the members list.
    for state_name, state in sc.states.items():
        for i, bloc in enumerate(state.blocs):
            if bloc in sc.powers and bloc not in sc.powers[bloc].blocs:
                found.append(
                    InputError(
                        f"bloc '{bloc}' has the name of a power, but {bloc} does not list it "
                        "among its own blocs: it is a bloc of the states that list it, not "
                        f"alignment with {bloc} (a stance towards a power is a relation; a "
                        "power in a bloc lists it in its own 'blocs')",
                        path=f"states.{state_name}.blocs[{i}]",
                    )
                )
    for name, (first, last) in spans.items():
        named = [
            (ev, k)
            for ev, k in zip(sc.events, steps, strict=True)
            if ev.id is not None and (ev.id == name or ev.id.startswith(f"{name}_"))
        ]
        if any(first <= k <= last for _, k in named):
            continue  # the window still holds an event made for it
        start, end = sc.windows[name]
        if named:
            ids = ", ".join(f"'{ev.id}' ({ev.date or f'step {ev.step}'})" for ev, _ in named)
            found.append(
                InputError(
                    f"no event named after this window falls in it ({start} to {end}); "
                    f"named after it: {ids}",
                    path=f"windows.{name}",
                )
            )
    return found


def closings_without_commitment(sc: Scenario) -> tuple[list[InputError], list[tuple[int, str]]]:
    """Events that close a commitment (``withdraw``, ``expelled``) when none is open.

    A commitment (power, client) is opened by ``intervene`` and closed by a closing
    kind or a ``regime_change`` of the client (ODD sections 2 and 7.1); the events are
    taken as the model takes them, by step and in file order within a step. A closing
    event with nothing to close is no error: its evidence applies either way (ODD
    section 7.1), and there is only no support to stop. The shipped cases write such
    events on purpose (the Aswan loan withdrawn from Egypt, where the US never
    intervened).
    But one whose pair's ``intervene`` comes after it was most likely written to end
    that intervention, which has moved (a first afternoon's audit, decision 702).

    Returns:
        Those whose intervention comes later, each at its field path (saying what
        closed the pair's earlier commitment, when one was open before: most often the
        client's regime change, which the writer missed); and the others, each as its
        index and ``'id' (date, why)``.
    """
    order = sorted(range(len(sc.events)), key=lambda i: sc.event_step(sc.events[i]))
    opens: dict[tuple[str, str], list[int]] = {}
    for i in order:
        ev = sc.events[i]
        if KINDS[ev.kind].commitment == "open" and isinstance(ev, TargetedEvent):
            opens.setdefault((ev.actor, ev.target), []).append(i)

    def named(i: int) -> str:
        ev = sc.events[i]
        when = ev.date or f"step {ev.step}"
        return f"'{ev.id}' ({when})" if ev.id else f"events[{i}] ({when})"

    open_now: dict[tuple[str, str], int] = {}  # the intervene that opened the pair's
    closed: dict[tuple[str, str], str] = {}  # the event that last closed the pair's
    closer: dict[tuple[str, str], str] = {}  # ... and what it closed, for the notes below
    moved: list[InputError] = []
    others: list[tuple[int, str]] = []
    for i in order:
        ev = sc.events[i]
        if isinstance(ev, RegimeChange):
            for key in [k for k in open_now if k[1] == ev.target]:
                opened = open_now.pop(key)
                closed[key] = f"already closed by the regime change '{ev.id or f'events[{i}]'}'"
                closer[key] = (
                    f"{key[0]}'s intervene in {key[1]}, {named(opened)}, was closed by the "
                    f"regime change {named(i)} (a regime change ends the commitments to its "
                    "target: docs/ODD.md section 2; an intervene after it commits the patron "
                    "to the new government)"
                )
            continue
        commitment = KINDS[ev.kind].commitment
        if commitment is None or not isinstance(ev, TargetedEvent):
            continue
        key = (ev.actor, ev.target)
        if commitment == "open":
            open_now[key] = i
        elif key in open_now:
            opened = open_now.pop(key)
            closed[key] = f"already closed by '{ev.id or f'events[{i}]'}'"
            closer[key] = (
                f"{key[0]}'s intervene in {key[1]}, {named(opened)}, was closed by {named(i)}"
            )
        else:
            step = sc.event_step(ev)
            later = [j for j in opens.get(key, []) if sc.event_step(sc.events[j]) > step]
            if later and key in closer:
                # Closed before (the usual case: the client's regime changed), the earlier
                # closing is what the writer most likely missed, not the next intervene's
                # date (an outside check, decision 826).
                moved.append(
                    InputError(
                        f"this {ev.kind} {named(i)} closes no commitment: {closer[key]}, "
                        f"and the next intervene there, {named(later[0])}, comes after this "
                        f"{ev.kind}. As written, its "
                        "evidence applies all the same (docs/ODD.md section 7.1), but it "
                        "stops no support, as none is accruing",
                        path=f"events[{i}]",
                    )
                )
            elif later:
                moved.append(
                    InputError(
                        f"this {ev.kind} {named(i)} closes no commitment: {ev.actor}'s "
                        f"intervene in {ev.target} comes after it, {named(later[0])}; if it "
                        "was written to end that intervention, one of the two dates is "
                        "wrong. As written, its evidence applies all the same (docs/ODD.md "
                        "section 7.1), but it stops no support, as none is accruing",
                        path=f"events[{i}]",
                    )
                )
            else:
                why = closed.get(key, f"no intervene of {ev.actor} in {ev.target} before")
                when = ev.date or f"step {ev.step}"
                others.append((i, f"'{ev.id}' ({when}, {why})" if ev.id else f"events[{i}]"))
    return moved, others


def recognitions_before_regime_change(sc: Scenario) -> list[tuple[int, str]]:
    """``recognize`` events whose target's regime changes later, each as its index and
    ``'id' (date, before 'change' date)``.

    A recognition is of the target's current regime (model.md section 5), and the
    target's ``regime_change`` resets the race: recognising rebels before they take power
    (France and Libya's National Transitional Council, March 2011) reads as recognising
    the regime they overthrow, and the powers that recognise the new government after
    its fall start a new race (an outside check of a Libya case, decision 827). The
    events are taken as the model takes them, by step and in file order within a step.

    A recognition that comes after a regime change of its target is of the government
    that change brought, as the note asks, and is not noted for a later change: a Mali
    case with coups in 2012 and 2020 had its April 2012 recognitions noted as "before
    'coup_2020'" (an outside check, decision 974).
    """
    order = sorted(range(len(sc.events)), key=lambda i: sc.event_step(sc.events[i]))
    found = []
    changed: set[str] = set()  # targets whose regime has changed by this event
    for position, i in enumerate(order):
        ev = sc.events[i]
        if isinstance(ev, RegimeChange):
            changed.add(ev.target)
            continue
        if ev.kind != "recognize" or not isinstance(ev, TargetedEvent) or ev.target in changed:
            continue
        changes = (sc.events[j] for j in order[position + 1 :])
        later = next(
            (c for c in changes if isinstance(c, RegimeChange) and c.target == ev.target), None
        )
        if later is not None:
            change = f"'{later.id}'" if later.id else "a regime change"
            found.append(
                (
                    i,
                    f"'{ev.id or f'events[{i}]'}' ({ev.date or f'step {ev.step}'}, before "
                    f"{change} {later.date or f'step {later.step}'})",
                )
            )
    return found


# An event's magnitude this many times the median of its file's, and above OUTSIZED_FLOOR,
# is noted (:func:`outsized_magnitudes`): the shipped cases' largest is 3 times their
# median (a reference event of 3 among others of 1 to 1.5).
OUTSIZED_RATIO = 10.0
OUTSIZED_FLOOR = 10.0


def outsized_magnitudes(sc: Scenario) -> list[InputError]:
    """Events whose magnitude is far above the scenario's others, each at its field.

    A slip for 5 or 0.5 (``magnitude: 50000``) ran without a word, and moved France's
    final trust from 0.61 to 0.86 (an outside review of a new case, decision 947); the
    loader refuses above 1e6 only, since what is too large depends on the case's scale.
    """
    import statistics

    sized = [(i, m) for i, ev in enumerate(sc.events) if (m := _magnitude(ev)) is not None]
    if len(sized) < 3:
        return []
    median = statistics.median(m for _, m in sized)
    found = []
    for i, magnitude in sized:
        if magnitude > OUTSIZED_FLOOR and magnitude > OUTSIZED_RATIO * median:
            name = sc.events[i].id or f"events[{i}]"
            found.append(
                InputError(
                    f"event '{name}' has magnitude {magnitude:,g}, {magnitude / median:,.0f} "
                    f"times the median of the file's magnitudes ({median:g}): an event's "
                    "evidence grows with its magnitude (docs/ODD.md section 7.1), so this "
                    "one outweighs the rest of the case; if it is a slip, write it on the "
                    "others' scale",
                    path=f"events[{i}].magnitude",
                )
            )
    return found


def coarse_windows(sc: Scenario) -> list[InputError]:
    """Windows whose months do not begin and end with the calendar's steps, each at its
    field. A change over a window is taken at the steps that hold its first and last
    months (``trust_change``: the value at the end of its last step minus the value just
    before its first), so ``["1950-03", "1950-05"]`` on a yearly calendar is the whole of
    1950; it was taken so without a word (an outside check)."""
    from sim.scenario.calendar import format_month, parse_month

    cal = sc.calendar
    per = cal.months_per_step
    if per == 1:
        return []
    found = []
    for name, (start, end) in sc.windows.items():
        first, last = cal.step_of(start), cal.step_of(end)
        opens = cal.first_month + (first - 1) * per
        closes = cal.first_month + last * per - 1
        if (parse_month(start), parse_month(end)) == (opens, closes):
            continue
        found.append(
            InputError(
                f"the window ({start} to {end}) is finer than the calendar's "
                f"{_STEP_WORDS[cal.step]} steps: its changes (trust_change, affinity_change) "
                f"are taken over whole steps, {format_month(opens)} to {format_month(closes)}",
                path=f"windows.{name}",
            )
        )
    return found


def narrowed_groups(sc: Scenario) -> list[InputError]:
    """Output groups that give ``members`` with a ``bloc`` or ``region``: they hold the
    members in the bloc or region (their intersection, ODD section 6), which a writer
    of ``ecowas: {bloc: ecowas, members: [Mali]}`` took for the bloc and Mali; the group
    held Mali alone without a word (an outside review of a new case, decision 947)."""
    from sim.errors import in_words
    from sim.scenario.schema import group_actors, group_selectors

    found = []
    for name, group in sc.outputs.groups.items():
        selectors = group_selectors(group)
        if group.members is None or not selectors:
            continue
        held = group_actors(group, sc)
        selected = group_actors(group.model_copy(update={"members": None}), sc)
        if len(held) == len(set(selected) | set(group.members)):
            continue
        where = " and ".join(f"{field} '{value}'" for field, value in selectors)
        found.append(
            InputError(
                f"group '{name}' holds only those of its members that are also in {where} "
                f"({count_text(len(held), 'actor')}{': ' + in_words(held) if held else ''}), "
                f"not the {count_text(len(selected), 'state')} of {where} and its members "
                "together: for those, list every one under members alone (docs/ODD.md "
                "section 4, Observation)",
                path=f"outputs.groups.{name}",
            )
        )
    return found


def _magnitude(ev: object) -> float | None:
    value = getattr(ev, "magnitude", None)
    return float(value) if isinstance(value, int | float) else None


def scenario_notes(
    shown: str, scenario: Scenario, merged: Document, tree: Any, *, sources: bool = True
) -> list[str]:
    """What ``credsim validate`` says of a valid scenario beside "ok", in its order, each
    as it prints it after ``credsim: `` ("warning: ..." or "note: ..."): the slips of
    :func:`scenario_warnings`, closings and recognitions out of place, repeated events and
    stances, and events and relations without a source note. Nothing here is an error; the
    actors' look-up in the UN votes (:func:`_check_names`) is not among them.

    Args:
        shown: the file as the notes name it.
        scenario: the scenario it loads to.
        merged: its document through ``extends`` (:func:`check_file`), which places
            a note at its file and line.
        tree: the file's own top-level fields (what it removes or generates).
        sources: whether to note the events and relations without a source note (what
            a reader of the file cannot check; nothing the run does depends on them).
    """
    found: list[str] = []
    # A counterfactual removes its parent's events on purpose and keeps the parent's
    # windows so that the two compare: an inherited window it emptied is no slip. So does
    # a file that extends a counterfactual (the explorer's saved scenario of one): the
    # events are removed up its chain (an outside check, decision 896).
    tree = tree if isinstance(tree, dict) else {}
    inherited = set(scenario.windows) - set(tree.get("windows") or {})
    removed = tree.get("remove_events") or merged.removed
    excused = {f"windows.{name}" for name in inherited} if removed else set()
    for warning in scenario_warnings(scenario):
        if warning.path not in excused:
            found.append(f"warning: {locate(warning, merged)}")
    moved, unopened = closings_without_commitment(scenario)
    for note in moved:
        found.append(f"note: {locate(note, merged)}")
    for note in [
        *outsized_magnitudes(scenario),
        *narrowed_groups(scenario),
        *coarse_windows(scenario),
    ]:
        found.append(f"note: {locate(note, merged)}")
    # Each note of a list names the file that writes its entries: through extends, a
    # parent's event was said to be the child's (an outside check, decision 916).
    events = merged.origin.entry("events")
    for file, closing in _by_file(unopened, events, shown):
        found.append(
            f"note: {file}: {count_text(len(closing), 'closing event')} with no "
            f"commitment open to close: {allowed(closing, 4)}; as written, each counts as "
            "evidence all the same (docs/ODD.md section 7.1) and stops no support"
        )
    for file, early in _by_file(recognitions_before_regime_change(scenario), events, shown):
        found.append(
            f"note: {file}: {count_text(len(early), 'recognize event')} before a "
            f"regime change of {'its' if len(early) == 1 else 'their'} target: "
            f"{allowed(early, 4)}; a recognition is of the regime in place (model.md section "
            "5), and the regime change starts a new race: a recognition of the government "
            "that comes to power is written after its regime change"
        )
    for note in event_repeats(scenario, merged):  # a copied event left unchanged
        found.append(f"note: {note}")
    for note in relation_overrides(scenario, merged):  # two stances of a pair in one step
        found.append(f"note: {note}")
    found.extend(f"note: {note}" for note in unsettled_alignments(scenario, merged, shown))
    inert = inert_stances_note(scenario)
    if inert:
        found.append(f"note: {shown}: {inert}")
    else:
        unread = unread_stances_note(scenario)
        if unread:
            found.append(f"note: {shown}: {unread}")
    if not sources:
        return found
    unsourced = [(i, ev.id or f"#{i + 1}") for i, ev in enumerate(scenario.events) if not ev.source]
    # A generated population's events are drawn.
    for file, names in _by_file(unsourced if "generate" not in tree else [], events, shown):
        # Each event carries where it is documented (ODD section 6); a missing note is
        # no error, but a reader of the scenario cannot check the event (decision 643).
        found.append(
            f"note: {file}: {count_text(len(names), 'event')} without a "
            f"source note (where the event is documented): {allowed(names)}"
        )
    unsourced_relations = [
        (i, f"{rel[0]}-{rel[1]}" if isinstance(rel, tuple) else f"{rel.source_actor}-{rel.to}")
        for i, rel in enumerate(scenario.relations)
        if not (isinstance(rel, RelationSpec) and rel.source)
    ]
    relations = merged.origin.entry("relations")
    for file, pairs in _by_file(
        unsourced_relations if "generate" not in tree else [], relations, shown
    ):
        # A stance is as much a judgement about the record as an event (the held-out
        # cases' standard, docs/scenarios.md); only events were noted (decision 702).
        found.append(
            f"note: {file}: {count_text(len(pairs), 'relation')} "
            f"without a source note: {allowed(pairs)}; a relation carries one "
            "when written {from: A, to: B, value: v, source: ...}"
        )
    return found


def unsettled_alignments(scenario: Scenario, merged: Document, shown: str) -> list[str]:
    """Notes on states whose written ``aligned`` is not the option the alignment rule
    prefers at their starting trust, one per file that writes them.

    Such a state realigns at the first alignment step (at temperature 0 surely, above
    it with the probability the rule gives), by the rule alone: a scenario
    that writes Egypt aligned with the USSR but gives it the trust and ideology of a
    non-aligned state starts with a realignment of its own making, which the series
    and the windows then count (an outside check, decision 1001). The preference is
    the rule's at step 0 (model.md section 4 step 4, inertia included), as
    :meth:`CredibilityModel.alignment_utility` gives it; a state a regime change
    realigns by the first alignment step is left out, as are generated populations.
    """
    period = scenario.parameters.alignment.period
    states = merged.tree.get("states") if isinstance(merged.tree, dict) else None
    if not period or not isinstance(states, dict) or scenario.generate is not None:
        return []
    written = {
        name for name, spec in states.items() if isinstance(spec, dict) and "aligned" in spec
    }
    for event in scenario.events:
        if not isinstance(event, RegimeChange) or event.aligned is None:
            continue
        if scenario.event_step(event) <= period:
            written.discard(event.target)
    if not written:
        return []
    from sim.model import CredibilityModel  # the model is heavy; most notes need none

    utility = CredibilityModel(scenario, record="summary").alignment_utility()
    options = [*scenario.powers, NONE_ALIGNMENT]
    temperature = scenario.parameters.alignment.temperature
    unsettled: list[tuple[int, str]] = []
    for index, name in enumerate(scenario.states):
        if name not in written:
            continue
        column = utility[:, index]
        own = scenario.states[name].aligned
        kept = options.index(own)
        preferred = int(np.argmax(column))
        if preferred == kept or column[preferred] == column[kept]:
            continue
        text = f"{name} (written {own}, the rule prefers {options[preferred]}"
        if temperature > 0:
            weights = np.exp((column - column.max()) / temperature)
            chance = float(weights[kept] / weights.sum())
            text += f"; it keeps {own} with probability " + (
                f"{chance:.2f}" if chance >= 0.005 else "below 0.01"
            )
        unsettled.append((index, text + ")"))
    origin = merged.origin.entry("states")
    files: dict[str, list[str]] = {}
    for index, text in unsettled:
        name = list(scenario.states)[index]
        files.setdefault(origin.entry(name).file or shown, []).append(text)
    step = scenario.calendar.label(period)
    return [
        f"{file}: {count_text(len(texts), 'state')} written aligned otherwise than the "
        f"alignment rule prefers at {'its' if len(texts) == 1 else 'their'} starting trust, "
        f"so likely to realign at the first alignment step ({step}), a realignment of "
        f"the file's making: {allowed(texts, 4)}; to start settled, write the option the rule "
        "prefers, or the trust, ideology or inertia that keeps the written one (model.md "
        "section 4, step 4)"
        for file, texts in files.items()
    ]


def inert_stances_note(scenario: Scenario) -> str:
    """A note when the scenario sets stances (model.md section 8.1: relations, relation
    events, a regime change's relations, stances from ideology) and no mechanism reads
    them: enemy reliability 1, affinity scale 0 and stance salience 0 leave every stance
    unread, so the run is the same without them. A file that wrote stances and kept the
    v1 parameters was told "ok" and "model: v1", and a sweep over a regime change's
    relations answered one value throughout (an outside check, decision 932). "" when
    none is set or one is read."""
    parameters = scenario.parameters
    if (
        parameters.stance.enemy_reliability != 1.0
        or parameters.affinity.scale != 0.0
        or parameters.salience.stance != 0.0
    ):
        return ""
    kinds = [event.kind for event in scenario.events]
    set_by = [
        count_text(n, what) + rest
        for n, what, rest in (
            (len(scenario.relations), "relation", ""),
            (kinds.count("relation"), "relation event", ""),
            (
                sum(1 for ev in scenario.events if isinstance(ev, RegimeChange) and ev.relations),
                "regime change",
                " with relations",  # "2 regime change with relationss" (decision 976)
            ),
        )
        if n
    ]
    if parameters.stance.from_ideology:
        set_by.append(f"stances from ideology {parameters.stance.from_ideology:g}")
    if not set_by:
        return ""
    return (
        f"its stances ({', '.join(set_by)}) are read by no mechanism at these parameters "
        "(parameters.stance.enemy_reliability 1, parameters.affinity.scale 0, "
        "parameters.salience.stance 0), so the runs are the same without them; set one of "
        "the three for the stances to count (model.md section 8)"
    )


def read_stance_columns(scenario: Scenario) -> set[str]:
    """The actors ``c`` whose stances ``stance[o, c]`` an event may read (model.md section
    8.2): the ``target``, and the ``with``, of every event whose kind yields evidence
    (the support of an open commitment is about an intervene's target). A superset of
    what the run reads: an event past the calendar, or of a kind whose weight is
    overridden to 0, still counts."""
    read: set[str] = set()
    for event in scenario.events:
        if KINDS[event.kind].weight is None:
            continue  # propaganda, regime_change, capability_change, relation
        for field in ("target", "with_"):
            name = event_field(event, field)
            if isinstance(name, str):
                read.add(name)
    return read


def unread_stances_note(scenario: Scenario) -> str:
    """A note when the scenario sets stances only towards actors no event reads them of:
    ``stance[o, c]`` is read only where ``c`` is the target, or the ``with``, of an event
    that yields evidence (:func:`read_stance_columns`), so a relation, a relation event or
    a regime change's relation whose every direction points to another actor changes
    nothing. An outside check's Algeria-France relation swept from -0.8 to 0.3 gave the
    same outputs, and nothing said so: France was no event's target (:func:`inert_stances_note`
    speaks only when no mechanism reads any stance). Stances from ideology set every pair,
    and are left out. "" when every stance set is read by some event."""
    read = read_stance_columns(scenario)
    towards: set[str] = set()

    def unread(source: str, to: str, directed: bool) -> bool:
        ends = {c for _, c in directions(source, to, directed)}
        if ends & read:
            return False
        towards.update(ends)
        return True

    relations = [
        f"{source}-{to}"
        for source, to, _, directed in resolved_relations(scenario.relations)
        if unread(source, to, directed)
    ]
    events: list[str] = []
    changes: list[str] = []
    for i, ev in enumerate(scenario.events):
        name = f"'{ev.id}'" if ev.id else f"events[{i}]"
        if isinstance(ev, RelationEvent) and unread(ev.actor, ev.target, ev.directed):
            events.append(name)
        elif isinstance(ev, RegimeChange):
            others = [other for other in ev.relations if unread(ev.target, other, False)]
            if others:
                changes.append(f"{name} ({in_words(others)})")
    # Each listed whole: "12 relations: USA-Russia, ..., ... (12 in all)" left no way to
    # learn the other eight (an outside check, decision 1020).
    parts = [
        f"{what}: {', '.join(entries)}"
        for entries, what in (
            (relations, count_text(len(relations), "relation")),
            (events, count_text(len(events), "relation event")),
            (changes, f"the relations of {count_text(len(changes), 'regime change')}"),
        )
        if entries
    ]
    if not parts:
        return ""
    order = [*scenario.powers, *scenario.states]
    actors = [name for name in order if name in towards]
    who = in_words(actors)
    if len(actors) > 6:
        who = f"{len(actors)} actors, {', '.join(actors[:6])} and {len(actors) - 6} more"
    return (
        f"its stances towards {who} ({'; '.join(parts)}) are read by no event: "
        "model.md section 8.2 reads stance[o, c] only where c is the target, or the `with`, "
        "of an event that yields evidence, and no such event names "
        f"{'it' if len(actors) == 1 else 'them'}; the runs are the same without them"
    )


def _by_file(
    entries: list[tuple[int, str]], origin: Origin, shown: str
) -> list[tuple[str, list[str]]]:
    """``entries`` (a merged list's index and its text) by the file that writes each,
    the file named first in its order (``shown`` when the place is not known)."""
    files: dict[str, list[str]] = {}
    for index, text in entries:
        files.setdefault(origin.entry(index).file or shown, []).append(text)
    return list(files.items())


def _checked(path: str, overrides: Sequence[str]) -> tuple[Any, Scenario, Document] | None:
    """The scenario file ``path`` read and checked with ``overrides``: its own top-level
    fields, its scenario and its document through ``extends``; None where it has
    mistakes or cannot be read (the loader's message says so) or is another kind of
    file."""
    try:
        doc = read_document(read_text(Path(path), path), path, ANY_NEEDS)
        if file_kind(doc.tree) != "scenario":
            return None
        scenario, merged, _ = check_file(path, list(overrides))
    except (InputError, OSError):
        return None
    if scenario is None or merged is None:
        return None
    return doc.tree, scenario, merged


def file_notes(path: str, overrides: Sequence[str] = (), *, sources: bool = True) -> list[str]:
    """:func:`scenario_notes` of the scenario file ``path`` (with ``--set`` ``overrides``;
    ``sources``: with the notes of missing source notes), for the explorer's page, ``run``
    and ``sweep``; none where :func:`_checked` gives none."""
    checked = _checked(path, overrides)
    if checked is None:
        return []
    tree, scenario, merged = checked
    return scenario_notes(path, scenario, merged, tree, sources=sources)


def override_texts(overrides: Mapping[str, Any]) -> list[str]:
    """An experiment's ``overrides`` (with ``--set``'s) as ``PATH=VALUE`` texts, for
    :func:`print_file_notes`: a group an experiment's overrides narrowed was noted by
    ``run --set`` and not by the sweep (a check of decision 947)."""
    import json

    return [f"{path}={json.dumps(value)}" for path, value in overrides.items()]


def print_file_notes(
    files: Iterable[str], overrides: Sequence[str] = (), *, sources: bool = False
) -> None:
    """What ``credsim validate`` notes of each scenario file (:func:`file_notes`), on
    stderr, a note said of several files once: for ``run`` and ``sweep``, which took
    the files as written without a word. A withdrawal written before its intervention,
    or after a coup had closed the commitment, ran as evidence that closed nothing, and
    only ``validate`` said so (an outside review of a new case, decision 947). What
    changes nothing in the run (a missing source note) is left to ``validate``
    (``sources``: said too, as ``validate`` of an experiment says it)."""
    said_file_notes(files, overrides, sources=sources)


def said_file_notes(
    files: Iterable[str], overrides: Sequence[str] = (), *, sources: bool = False
) -> list[str]:
    """:func:`print_file_notes`, which also returns what it said (each without
    ``credsim: note: ``), for a report that keeps the notes its command printed
    (``patterns check``'s report.md, decision 950)."""
    said: set[str] = set()
    lines: list[str] = []
    for file in dict.fromkeys(os.path.normpath(f) for f in files):
        lines += _say_notes(file, file_notes(file, overrides, sources=sources), said)
    return [line.removeprefix("note: ") for line in lines]


def _say_notes(file: str, notes: Iterable[str], said: set[str]) -> list[str]:
    """``notes`` of ``file`` on stderr, but those in ``said`` (which takes the rest);
    returns them as said."""
    lines = []
    for note in notes:
        if note in said:
            continue
        said.add(note)
        # A note of a file that extends another names the parent's entries: of a
        # counterfactual that removes an event, "1 closing event" under the parent's
        # name beside the parent's own "2 closing events" (a check of the change).
        _, _, where = note.partition(": ")
        own = where.startswith((file, "override"))
        of = "" if own else f" (of {file}, through extends)"
        print(f"credsim: {note}{of}", file=sys.stderr, flush=True)
        lines.append(f"{note}{of}")
    return lines


def cli_validate(args: argparse.Namespace) -> int:
    """``credsim validate FILE [--set PATH=VALUE ...]``: check a file, write nothing.

    Returns:
        0 when the file is valid (warnings, if any, on stderr), 2 when it has
        mistakes (each on its own line on stderr).
    """
    shown = str(args.file)
    overrides = list(args.overrides or [])
    doc = read_document(read_text(Path(shown), shown), shown, ANY_NEEDS)
    kind = file_kind(doc.tree)
    if kind is None:
        what = (
            "cannot tell which kind of file this is from its fields "
            f"({', '.join(map(str, doc.tree))})"
            if isinstance(doc.tree, dict)
            else f"expected a mapping of fields, got {kind_of(doc.tree)}"
        )
        raise InputError(f"{what}; {ANY_NEEDS}", file=shown)
    votes = args.votes
    if kind in ("pattern", "calibration"):
        if overrides and kind == "calibration":
            raise InputError(
                "--set applies to scenarios, experiments and pattern files, not to a "
                "calibration file",
                file=shown,
            )
        scenario = None
        if kind == "pattern":
            line, files, scenario = _check_patterns(shown, overrides)
        else:
            line, files = _check_calibration(shown)
        seen = _check_votes(files, votes, scenario)
        # Its scenario files' notes, as `patterns check` and `calibrate` say them before
        # their runs (decision 950): validate of the pattern file said none (decision 955).
        from sim.patterns.check import say_scenario_notes

        given = {o.path: o.value for o in parse_overrides(overrides)}
        say_scenario_notes(files, given, sources=True)
        print(line)
        if seen:
            print(f"  votes: {seen}")
        return 0
    if kind == "experiment":
        from pydantic import ValidationError

        from sim.sweep.experiment import ExperimentSpec, load_experiment

        try:
            ExperimentSpec.model_validate(doc.tree)
        except ValidationError as exc:  # every field mistake at once, as for scenarios
            for mistake in sorted(translate_all(exc, doc, ExperimentSpec), key=_line):
                print(f"credsim: error: {mistake}", file=sys.stderr)
            return 2
        parsed = {o.path: o.value for o in parse_overrides(overrides)}
        experiment = load_experiment(shown, overrides=parsed)
        spec = experiment.spec
        scenarios = count_text(len(spec.scenarios), "scenario")
        # Its scenario files as `validate FILE` checks them: an experiment was "ok" whose
        # scenario's observed.names `validate` of the scenario refused, and said none of
        # the scenarios' notes (an outside review of a new case, decision 947).
        found = _check_scenario_files(
            experiment.scenario_files.values(), override_texts(spec.overrides), votes
        )
        print(
            f"ok: {shown}: experiment '{spec.name}', {scenarios}, "
            f"{_points_text(experiment)}, {count_text(len(experiment.tasks), 'run')}"
        )
        for file, line in found:
            print(f"  votes, {file}: {line}")
        return 0
    scenario, merged, mistakes = check_file(shown, overrides)
    for mistake in mistakes:
        print(f"credsim: error: {mistake}", file=sys.stderr)
    if scenario is None or merged is None:
        return 2
    for note in scenario_notes(shown, scenario, merged, doc.tree):
        print(f"credsim: {note}", file=sys.stderr)
    seen = _check_names(scenario, merged, votes)
    counts = ", ".join(
        [
            count_text(len(scenario.powers), "power"),
            count_text(len(scenario.states), "state"),
            count_text(len(scenario.events), "event"),
        ]
    )
    print(
        f"ok: {shown}: scenario '{scenario.name}', {counts}, "
        f"{count_text(scenario.calendar.n_steps, f'{_STEP_WORDS[scenario.calendar.step]} step')}"
    )
    print(f"  model: {model_version(scenario)}")
    if seen:
        print(f"  votes: {seen}")
    return 0


def _check_scenario_files(
    files: Iterable[str], overrides: Sequence[str], votes: str | None
) -> list[tuple[str, str]]:
    """An experiment's scenario files (each once) as ``validate`` checks a scenario file:
    their notes on stderr (:func:`print_file_notes`) and their actors in the UN votes
    (:func:`_check_names`, which refuses a name the data does not have). Returns each
    file's votes line, where the votes were found."""
    checked = []
    for file in dict.fromkeys(os.path.normpath(f) for f in files):
        found = _checked(file, overrides)
        if found is None:  # the experiment loaded it: not expected
            _, _, mistakes = check_file(file, list(overrides))
            raise mistakes[0] if mistakes else InputError("cannot be read", file=file)
        checked.append((file, *found))
    # Every note first, each once (print_file_notes), then the names; each file read once.
    said: set[str] = set()
    for file, tree, scenario, merged in checked:
        _say_notes(file, scenario_notes(file, scenario, merged, tree), said)
    lines = []
    for file, _, scenario, merged in checked:
        seen = _check_names(scenario, merged, votes)
        if seen:
            lines.append((file, seen))
    return lines


def _check_names(scenario: Scenario, merged: Document, votes: str | None) -> str | None:
    """The scenario's actors looked up in the UN votes (``votes``, else
    ``$CREDSIM_VOTES``; nothing without either), as ``patterns check`` looks them up: by
    ``observed.names``, by their own name, by a known alias (decision 578).

    A UN name in ``observed.names`` that the data does not have is refused at its line.
    Actors found by none of the three are noted on stderr (a pattern group holding one
    is refused; a fictional actor is none of the data's). Returns the summary's line, or
    None.
    """
    from sim.errors import in_words
    from sim.observed.names import scenario_names, seat, shared_seat, un_name
    from sim.observed.votes import load_votes, votes_folder
    from sim.scenario.schema import allowed

    try:
        folder = votes_folder(votes)
    except InputError:
        return None
    data = load_votes(folder)
    names = scenario_names(scenario)
    for actor in names:
        try:
            un_name(actor, data.countries, names)
        except InputError as exc:
            raise locate(exc, merged) from None
    shared = shared_seat(scenario, data.countries)  # two actors on one seat (decision 722)
    if shared is not None:
        raise locate(shared, merged)
    seatless, missing = [], []
    known = set(data.countries)
    for actor in scenario.actor_names:
        found, un = seat(actor, known, names)
        if not found:
            missing.append(actor)
        elif un is None:
            seatless.append(actor)
    if missing:
        one = len(missing) == 1
        print(
            f"credsim: note: {in_words(missing) if len(missing) <= 6 else allowed(missing, 6)} "
            f"{'is' if one else 'are'} in the UN votes by neither "
            f"{'its' if one else 'their'} own name, a known alias nor observed.names; a "
            f"pattern group holding {'it' if one else 'them'} is refused: map "
            f'{"it" if one else "them"} in observed.names ({{Actor: "UN name"}}, or null '
            "for an actor without a seat)",
            file=sys.stderr,
        )
    taken = len(scenario.actor_names) - len(seatless) - len(missing)
    return (
        f"{taken:,} of {count_text(len(scenario.actor_names), 'actor')} found in the votes in "
        f"{data.folder}"
        + (f"; {count_text(len(seatless), 'actor')} without a seat (null)" if seatless else "")
        + (f"; {len(missing):,} not found (noted)" if missing else "")
    )


def _check_patterns(
    shown: str, overrides: list[str]
) -> tuple[str, list[PatternFile], Scenario | None]:
    """Load a pattern file and its scenario, and apply ``overrides`` (``--set``) as
    ``patterns check`` does (:func:`sim.patterns.resolve`); its summary line, the file,
    and the scenario the overrides give (None without them)."""
    from sim.patterns import load_patterns, observed_under

    pf = load_patterns(shown)
    scenario = None
    if overrides:
        # Its groups and names as patterns check takes them, and the scenario they give.
        pf, scenario = observed_under(pf, {o.path: o.value for o in parse_overrides(overrides)})
    roles = [p.role for p in pf.patterns]
    by_role = ", ".join(f"{roles.count(r)} {r}" for r in ("calibrate", "holdout") if r in roles)
    line = (
        f"ok: {shown}: pattern file '{pf.name}' on scenario '{pf.base_scenario.name}', "
        f"{count_text(len(pf.patterns), 'pattern')} ({by_role}), "
        f"{count_text(len(pf.groups), 'group')} of its own"
    )
    return line, [pf], scenario


def _check_calibration(shown: str) -> tuple[str, list[PatternFile]]:
    """Load a calibration file and its pattern files, apply its priors to their scenarios;
    its summary line, and the pattern files."""
    from sim.calibrate.command import unfitted_notes, variant_notes
    from sim.calibrate.holdout import load_pattern_files, require_calibration_patterns
    from sim.calibrate.patterns import check_scenarios
    from sim.calibrate.spec import load_calibration

    calibration = load_calibration(shown)
    files = load_pattern_files(calibration)
    require_calibration_patterns(calibration, files)
    check_scenarios(calibration, files)
    for note in [*variant_notes(calibration), *unfitted_notes(calibration)]:
        print(f"credsim: note: {shown}: {note}", file=sys.stderr)
    spec = calibration.spec
    line = (
        f"ok: {shown}: calibration '{spec.name}', "
        f"{count_text(len(calibration.pattern_files), 'pattern file')}, "
        f"{count_text(len(spec.parameters), 'prior')}, "
        f"{count_text(len(calibration.variants()), 'variant')}"
    )
    return line, files


def _check_votes(
    files: list[PatternFile], votes: str | None, scenario: Scenario | None = None
) -> str | None:
    """Each pattern's observed statistic from the UN votes (``votes``, else
    ``$CREDSIM_VOTES``), as ``patterns check`` and ``calibrate`` take it: a window
    without votes is refused here, at its line (decision 563), and what the votes leave
    out is noted on stderr (windows before the calendar against ``scenario``'s, the one
    ``--set`` gives a single pattern file). Without either, a note says the windows were
    not checked.

    Returns:
        What was checked, for the line under the summary (None when not checked).
    """
    from sim.observed.votes import VOTES_ENV, load_votes, votes_folder
    from sim.patterns import observed_statistics, prepare, window_notes
    from sim.patterns.check import note_places, print_notes

    def prefix(pf: PatternFile) -> str:
        return f"{Path(pf.path).name}: " if len(files) > 1 else ""

    try:
        folder = votes_folder(votes)
    except InputError:  # neither given: the file is checked without them
        for pf in files:  # these need no votes (with them, print_notes says them)
            where = note_places(pf)
            for note in window_notes(pf):
                print(f"credsim: note: {where(note) or prefix(pf)}{note}", file=sys.stderr)
        print(
            "credsim: note: the windows were not checked against the UN votes; give "
            f"--votes DIR or set {VOTES_ENV} to check them",
            file=sys.stderr,
        )
        return None
    data = load_votes(folder)
    patterns = 0
    for pf in files:
        observed = observed_statistics(pf, data)
        print_notes(pf, prepare(pf, data), observed, prefix(pf), scenario)
        patterns += len(observed)
    return (
        f"{count_text(patterns, 'observed statistic')} taken from the votes in {data.folder} "
        "(each window has votes in at least one of its years)"
    )


def model_version(scenario: Scenario) -> str:
    """One line saying which model v2 mechanisms (model.md section 8) a scenario uses."""
    features = scenario.parameters.v2_features()
    if scenario.relations:
        features.insert(0, count_text(len(scenario.relations), "relation"))
    if scenario.network.initial != "prior":
        features.append(f"network.initial {scenario.network.initial}")
    if not features:
        return "v1 (every v2 mechanism at its default)"
    return "v2: " + ", ".join(features)


def _line(error: InputError) -> int:
    return error.line or 0


def _points_text(experiment: Experiment) -> str:
    """An experiment's design points in words; a posterior design's are draws, of which a
    parameter set drawn k times is run once (decision 70), as a point a Morris design
    reaches again is (decision 30)."""
    points = experiment.points
    distinct = len({tuple(sorted(point.items())) for point in points})
    if experiment.spec.design.method == "posterior":
        return (
            f"{count_text(len(points), 'draw')} ({count_text(distinct, 'distinct parameter set')})"
        )
    if distinct < len(points):
        # Morris trajectories meet: "64 design points, 72 runs" of 2 replicates read as
        # runs missing (an audit of the commands); a point met again is run once.
        return (
            f"{count_text(len(points), 'design point')} ({distinct:,} distinct: a point the "
            "design reaches again is run once)"
        )
    return count_text(len(points), "design point")
