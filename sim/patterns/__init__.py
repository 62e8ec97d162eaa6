"""Pattern files: observed regularities the model must reproduce (validation.md).

The library API (``credsim patterns check`` and ``credsim calibrate`` call it)::

    from sim.patterns import (
        load_patterns, observed_statistics, simulate_statistics, discrepancies,
    )

    pf = load_patterns("patterns/syria.yaml")
    observed = observed_statistics(pf, "../shared/data/unvotes")
    simulated = simulate_statistics(
        pf, {"parameters.trust.memory": 0.95, "link.beta": 0.8}, reps=2, seed=1
    )
    table = discrepancies(observed, simulated)

- :func:`load_patterns` ``(path) -> PatternFile``: read and check a pattern
  file and its scenario (errors are one line with file, line and field path).
- :func:`observed_statistics` ``(pf, votes) -> DataFrame`` indexed by pattern
  id with columns ``role, observed, tolerance``.
- :func:`simulate_statistics` ``(pf, overrides, *, beta=None, reps=1, seed=0,
  votes=None, run_fn=None, engine="mesa") -> dict[str, float]``: the simulated statistic of
  every pattern. ``overrides`` are scenario paths as for ``--set``
  (``parameters.trust.memory``) plus ``link.beta``; ``beta`` wins over both.
  Replicate ``r`` runs with ``seed_sequence(seed, r)``. The pattern file's
  observed series and groups are prepared once per votes folder and reused,
  so that each call costs the runs and little else. ``engine`` is ``mesa``
  (the reference) or ``fast`` (the compiled engine, same statistics);
  ``run_fn`` replaces both (:data:`sim.patterns.link.RunFn`: scenario, seed,
  power index, rival index -> (T + 1, S) propensity gaps).
- :func:`discrepancies` ``(observed, simulated) -> DataFrame``: adds
  ``simulated``, ``discrepancy = (simulated - observed) / tolerance`` and
  ``pass`` (``|discrepancy| <= 1``).
- :func:`with_observed_is` ``(table, pf) -> DataFrame``: adds ``observed_is``,
  ``target`` where the ``observed`` value is a correlation's target 1, not a
  reading, else ``observed``.

``votes`` is a folder, a loaded :class:`~sim.observed.votes.VoteData`, or
None for ``$CREDSIM_VOTES``.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import (
    InputError,
    beyond_float,
    count_text,
    decimal_comma_hint,
    in_words,
    number_text,
    slash_hint,
)
from sim.inputs import NEEDS, NOUNS, kind_of_file
from sim.kernels import BoolArray, FloatArray, IntArray
from sim.observed.names import scenario_names, shared_seat, un_name
from sim.observed.series import scenario_groups
from sim.observed.votes import (
    VoteData,
    few_roll_calls,
    load_votes,
    pair_agreement,
    seat_label,
    silence,
    span_text,
    state_values,
    year_spans,
)
from sim.patterns import link as links
from sim.patterns import statistics as stats
from sim.patterns.schema import Pattern, PatternFile, check_names
from sim.scenario.schema import MAX_VALUE, Scenario, allowed, why_no_state
from sim.seeds import seed_sequence

Votes = VoteData | str | os.PathLike[str] | None
_LINK_BETA = "link.beta"
# A pattern file's own fields that its scenario has not: `--set` cannot reach them.
_PATTERN_FILE_FIELDS = ("patterns", "groups", "scenario")


@dataclass
class Prepared:
    """What every simulation of a pattern file reuses: observed values, groups, indices.

    Attributes:
        states: the scenario states the patterns use, in file order.
        columns: their positions among the scenario's states (S,).
        years: every year the patterns and the link's reference touch (Y,).
        observed: (states, Y) observed values, NaN where a state did not vote.
        members: group name -> rows of ``states``.
        power, rival: indices of the link's powers in the scenario.
        reference: (Y,) mask of the link's reference years.
        roll_call_years: the years that have a roll call in the vote data.
        voters: the link's power and rival, each as a label for messages and the
            years it voted.
        has_offset: (states,) whether a state voted in the reference years, so gets an
            offset and a prediction (decision 39).
        roll_calls: group name -> (Y,) the distinct roll calls behind the group's value
            each year (0 where none of its states voted).
        measured_years: the years with a roll call the link's measure and issue keep (a
            split between power and rival, the issue's), for the notes.
        voting: state -> the years its seat votes in, in words, and where the data
            holds the patterns' years it lacks under another seat, for the notes
            (:func:`silent_members`).
    """

    states: list[str]
    columns: IntArray
    years: IntArray
    observed: FloatArray
    members: dict[str, IntArray]
    power: int
    rival: int
    reference: BoolArray
    roll_call_years: list[int]
    voters: list[tuple[str, list[int]]]
    has_offset: BoolArray
    roll_calls: dict[str, IntArray]
    measured_years: list[int]
    voting: dict[str, str] = dataclass_field(default_factory=dict)


@dataclass
class Simulation:
    """A pattern file's simulated side: yearly gaps and predicted values (states, Y)."""

    beta: float
    gaps: FloatArray
    predicted: FloatArray


def load_patterns(path: str | os.PathLike[str]) -> PatternFile:
    """Read and check a pattern file and the scenario it names.

    Raises:
        InputError: anything wrong, with file, line and field path.
    """
    from sim.scenario.loader import load_model

    shown = str(path)

    def check(pf: PatternFile) -> None:
        scenario = _named_scenario(pf.scenario, shown)
        check_names(pf, scenario)
        check_groups(pf, scenario)
        check_calendar(pf, scenario)
        pf._scenario = scenario
        pf._path = shown

    return load_model(
        shown,
        PatternFile,
        needs=NEEDS["pattern"],
        check=check,
        kind="pattern",
    )


def _named_scenario(given: str, pattern_file: str) -> Scenario:
    """The scenario a pattern file's ``scenario:`` names (relative to the pattern file).

    Raises:
        InputError: at ``scenario`` when it names nothing, a folder or a file of another
            kind; a mistake inside the scenario is located there and names the pattern file.
    """
    from sim.scenario.loader import beside, load_scenario

    path = beside(os.path.dirname(pattern_file), given)
    if Path(path).is_dir():
        raise InputError(
            f"'{given}' is a folder, not a scenario file (looked for {path})", path="scenario"
        )
    if not Path(path).is_file():
        raise InputError(
            f"file '{given}' does not exist (looked for {path}){slash_hint(given)}",
            path="scenario",
        )
    try:
        return load_scenario(path)
    except InputError as exc:
        kind = kind_of_file(path)
        if kind not in (None, "scenario"):
            raise InputError(
                f"'{given}' is {NOUNS[str(kind)]}, not a scenario (looked for {path})",
                path="scenario",
            ) from None
        raise InputError(
            f"{exc.message} (in the scenario of pattern file {pattern_file})",
            path=exc.path,
            file=exc.file or path,
            line=exc.line,
        ) from None


def check_groups(pf: PatternFile, scenario: Scenario) -> None:
    """Every group of the file, and every group a pattern compares, holds a state.

    A pattern averages its group's states' votes; a group that selects only
    powers (a bloc that only powers hold) or no one (``members: []``) has none.
    Checked at load, before any vote is read, so ``validate`` refuses it too.

    Raises:
        InputError: at ``groups.<name>`` for the file's own group, at the pattern's
            ``group`` or ``control`` for a group of the scenario.
    """
    groups = scenario_groups(scenario, pf.groups)

    def holds_a_state(name: str) -> bool:
        return any(actor in scenario.states for actor in groups[name])

    for name, group in pf.groups.items():
        if not holds_a_state(name):
            raise InputError(
                f"group '{name}' holds no state of scenario '{scenario.name}'"
                f"{why_no_state(group, scenario)}; a pattern compares states' votes, so "
                "give it at least one state",
                path=f"groups.{name}",
            )
    for index, pattern in enumerate(pf.patterns):
        for field in ("group", "control"):
            name = getattr(pattern, field)
            if name is not None and name not in pf.groups and not holds_a_state(name):
                raise InputError(
                    f"group '{name}' of scenario '{scenario.name}' holds no state; a pattern "
                    "compares states' votes",
                    path=f"patterns[{index}].{field}",
                )
    # A state the scenario maps to null in observed.names has no seat in the vote data
    # (decision 37): a group of only such states has no vote to average, whatever years.
    seatless = {a for a, un in scenario_names(scenario).items() if un is None}
    for index, pattern in enumerate(pf.patterns):
        for field in ("group", "control"):
            name = getattr(pattern, field)
            states = [a for a in groups.get(name or "", []) if a in scenario.states]
            if name is not None and states and all(a in seatless for a in states):
                raise InputError(
                    f"group '{name}' holds only states without a seat in the vote data "
                    f"({', '.join(states)}: null in the observed.names of scenario "
                    f"'{scenario.name}'), so it has no votes to compare",
                    path=f"patterns[{index}].{field}",
                )
    # A control by another name that holds the group's own states (with seats): the
    # difference in differences is then 0 whatever the model does, a free pass in a
    # calibration (an audit: `gulf_again: {region: gulf}` against `gulf`).
    for index, pattern in enumerate(pf.patterns):
        if pattern.control is None or pattern.group is None:
            continue
        mine, theirs = (
            {a for a in groups[name] if a in scenario.states and a not in seatless}
            for name in (pattern.group, pattern.control)
        )
        if mine == theirs:
            raise InputError(
                f"the control '{pattern.control}' holds the same states as the group "
                f"'{pattern.group}' ({', '.join(sorted(mine))}), so the difference in "
                "differences is always 0; give another group to compare with",
                path=f"patterns[{index}].control",
            )


def check_calendar(pf: PatternFile, scenario: Scenario) -> None:
    """Every window must lie where the model predicts something that can move.

    - No window (nor the link's reference) may run past the scenario's last
      year: the model predicts nothing after its calendar ends, so such a
      window would compare observed years with fewer (or no) predicted ones.
    - Years before the calendar are allowed: they take the initial state
      (``link.yearly_gaps``, decision 38). But a change or did needs a window
      that reaches the calendar's first simulated year: when both its windows
      end before it, every year of both takes the same initial gap, so the
      simulated change cannot answer the model's parameters (it is 0 when the
      same states vote in both). The control shares the windows. A correlation
      is across states, not over time, and is left alone.

    Raises:
        InputError: located at the window's field (the later-ending one for a
            change or did wholly before the calendar).
    """
    simulated = links.step_years(scenario)
    begins, last = int(simulated[0]), int(simulated[-1])
    first = scenario.calendar.start[:4]
    spans = [("link.reference", "the link's reference years", pf.link.reference)]
    for i, pattern in enumerate(pf.patterns):
        for name, span in pattern.windows().items():
            what = f"pattern '{pattern.id}': its {_years_of(name)}"
            spans.append((f"patterns[{i}].{name}", what, span))
    for path, what, (start, stop) in spans:
        if stop > last:
            raise InputError(
                f"{what} {span_text(start, stop)} run past the scenario's calendar "
                f"({first} to {last}), where the model predicts nothing; end them by {last}",
                path=path,
            )
    for i, pattern in enumerate(pf.patterns):
        if pattern.statistic == "correlation":
            continue
        windows = pattern.windows()
        latest = max(windows, key=lambda name: windows[name][1])
        if windows[latest][1] < begins:
            shown = " and ".join(f"{name} ({a}-{b})" for name, (a, b) in windows.items())
            raise InputError(
                f"pattern '{pattern.id}': its {shown} years all precede the scenario's "
                f"calendar ({first} to {last}), where the model predicts only its initial "
                f"state, so the {pattern.statistic} cannot move whatever the parameters; let "
                f"its {latest} years reach {begins} or later",
                path=f"patterns[{i}].{latest}",
            )


def calendar_notes(pf: PatternFile, scenario: Scenario | None = None) -> list[str]:
    """One note per window of a change or did that begins before the scenario's calendar.

    :func:`check_calendar` allows it (decision 38), but its years before the calendar
    take the initial state, so the window's prediction is flat there by construction,
    which the figure's caption says and the terminal did not (an audit: a ``before`` of
    1946-1950 on a calendar from 1956). A correlation's years are its purpose (it tests
    the initial conditions) and are not noted; the link's reference, only an anchor, is
    noted when all its years precede the calendar (decision 1020).
    ``scenario`` is the one simulated, when ``--set`` changed the file's (its calendar
    decides; decision 754).
    """
    scenario = pf.base_scenario if scenario is None else scenario
    begins = int(links.step_years(scenario)[0])
    notes = []
    first, last = pf.link.reference
    if last < begins:
        # Allowed (the initial state is a prediction too), and the shipped files reach into
        # the calendar; one wholly before it was taken without a word, against the README's
        # advice (an outside check, decision 1020).
        notes.append(
            f"the link's reference years {span_text(first, last)} all precede the scenario's "
            f"calendar (from {scenario.calendar.start}): each state's offset sets its votes "
            "then against the initial state, before any of the scenario's events; reference "
            "years inside the calendar, after any event that resets an actor, anchor it to "
            "the simulated years"
        )
    for pattern in pf.patterns:
        if pattern.statistic == "correlation":
            continue
        for name, (start, stop) in pattern.windows().items():
            if start < begins:
                notes.append(
                    f"pattern '{pattern.id}': its {name} years {span_text(start, stop)} begin "
                    f"before the scenario's calendar (from {scenario.calendar.start}); in "
                    f"{span_text(start, min(stop, begins - 1))} the prediction is the initial "
                    "state's, flat by construction"
                )
    return notes


def window_notes(pf: PatternFile) -> list[str]:
    """A note per change or did whose ``after`` years do not come after its ``before``.

    The statistic is the mean over ``after`` minus the mean over ``before`` (validation.md),
    so windows given the wrong way round flip its sign, and windows that share years count
    those years on both sides. Neither is refused (the contract defines the statistic for
    any two windows), but an audit found a pair swapped by hand that passed without a word
    (decision 788).
    """
    notes = []
    for pattern in pf.patterns:
        if pattern.before is None or pattern.after is None:
            continue
        (b0, b1), (a0, a1) = pattern.before, pattern.after
        said = f"pattern '{pattern.id}': its after years {a0}-{a1}"
        if a0 < b0 or a1 < b1:
            notes.append(
                f"{said} do not come after its before years {b0}-{b1}; the {pattern.statistic} "
                "takes the after years' mean minus the before years', so its sign is that of "
                "a change back in time: swap the two if that was not meant"
            )
        elif a0 <= b1:
            notes.append(
                f"{said} share {span_text(a0, min(a1, b1))} with its before years "
                f"{span_text(b0, b1)}; "
                f"those years are in both means, and the {pattern.statistic} compares them "
                "with themselves"
            )
    return notes


def located(error: InputError, pf: PatternFile) -> InputError:
    """``error``, found after loading (reading the votes), at its line of the pattern file.

    The file is read again only on this error path; an error already placed in a file
    (the scenario's) is left as it is.
    """
    from sim.scenario.loader import locate, locate_in_scenario, read_document, read_text

    if error.file is not None or not pf.path:
        return error
    if error.path and error.path.split(".")[0] in ("observed", "powers", "states"):  # scenario's
        scenario = pf.scenario_file
        error = locate_in_scenario(error, scenario)
        error.message += f" (in the scenario of pattern file {pf.path})"
        return error
    if error.path:
        try:
            doc = read_document(read_text(Path(pf.path), pf.path), pf.path, NEEDS["pattern"])
        except InputError:  # the file changed or vanished since it was loaded
            return error.located(pf.path)
        return locate(error, doc).located(pf.path)
    return error.located(pf.path)


_PREPARED: dict[tuple[int, str], tuple[PatternFile, Prepared]] = {}


def prepare(pf: PatternFile, votes: Votes = None) -> Prepared:
    """The observed side of ``pf`` (cached per pattern file and votes folder)."""
    data = votes if isinstance(votes, VoteData) else load_votes(votes)
    key = (id(pf), data.folder)
    if key in _PREPARED and _PREPARED[key][0] is pf:
        return _PREPARED[key][1]
    try:
        prepared = _prepare(pf, data)
    except InputError as exc:
        raise located(exc, pf) from None
    _PREPARED[key] = (pf, prepared)
    return prepared


def _prepare(pf: PatternFile, data: VoteData) -> Prepared:
    scenario = pf.base_scenario
    groups = scenario_groups(scenario, pf.groups)
    state_list = list(scenario.states)
    used = [name for p in pf.patterns for name in (p.group, p.control) if name is not None]
    wanted = {a for g in used for a in groups[g] if a in scenario.states}
    states = [s for s in state_list if s in wanted]
    row = {s: i for i, s in enumerate(states)}
    # Every group holds a state (check_groups, at load).
    members = {
        name: np.array([row[a] for a in groups[name] if a in row], dtype=np.int64) for name in used
    }
    spans = [pf.link.reference, *(w for p in pf.patterns for w in p.windows().values())]
    years = np.arange(min(s[0] for s in spans), max(s[1] for s in spans) + 1, dtype=np.int64)
    names = scenario_names(scenario)
    shared = shared_seat(scenario, data.countries)  # the link would drop one (decision 722)
    if shared is not None:
        raise shared
    countries: dict[str, str | None] = {}
    for field in ("power", "rival"):
        try:
            countries[field] = un_name(getattr(pf.link, field), data.countries, names)
        except InputError as exc:
            exc.path = exc.path or f"link.{field}"
            raise
        if countries[field] is None:
            raise InputError(
                "the link's power and rival need seats in the vote data", path=f"link.{field}"
            )
    power, rival = str(countries["power"]), str(countries["rival"])
    seats = {}
    for s in states:
        try:
            seats[s] = un_name(s, data.countries, names)
        except InputError as exc:  # the scenario's state, said at its entry there
            exc.path = exc.path or f"states.{s}"
            raise
    seated = {u: s for s, u in seats.items() if u is not None}
    pairs = pair_agreement(
        data,
        power,
        list(seated),
        rival=rival,
        measure=pf.link.measure,
        issue=pf.link.issue,
        years=(int(years[0]), int(years[-1])),
    )
    values = state_values(pairs)
    # The power's own votes on the roll calls the measure keeps: the years that have one.
    kept = pair_agreement(
        data,
        power,
        [power],
        rival=rival,
        measure=pf.link.measure,
        issue=pf.link.issue,
        years=(int(years[0]), int(years[-1])),
    )
    measured_years = sorted(int(y) for y in kept["year"].unique())
    calls = pairs.assign(state=pairs["state"].map(seated))
    roll_calls: dict[str, IntArray] = {}
    for name in used:
        counts = calls.loc[calls["state"].isin(groups[name])].groupby("year")["rcid"].nunique()
        roll_calls[name] = np.asarray(counts.reindex(years, fill_value=0), dtype=np.int64)
    wide = values.pivot(index="state", columns="year", values="value")
    wide = wide.rename(index=seated).reindex(index=states, columns=years)
    reference = (years >= pf.link.reference[0]) & (years <= pf.link.reference[1])
    observed = wide.to_numpy(dtype=np.float64)
    roll_call_years = data.years()
    voters = [
        (seat_label(f"the link's {role}", given, country), data.voting_years(country))
        for role, given, country in (
            ("power", pf.link.power, power),
            ("rival", pf.link.rival, rival),
        )
    ]
    has_offset = np.isfinite(observed[:, reference]).any(axis=1)
    if not has_offset.any():
        # No state's offset could be set: every prediction would be NaN.
        start, stop = pf.link.reference
        # The groups and their states named, and the data's years with 1964's gap (an
        # audit: "no state of the patterns' groups" left the user to find which).
        listed = "; ".join(
            f"{name}: {allowed([a for a in groups[name] if a in row], 6)}"
            for name in dict.fromkeys(used)
        )
        why = silence(pf.link.reference, roll_call_years, voters)
        if why is None and not any(start <= y <= stop for y in measured_years):
            # The states vote, on roll calls the measure does not keep: "no state ... has
            # votes" sent the user to the groups (an outside check; decision 803).
            why = f"the reference years {span_text(start, stop)} have no {kept_roll_calls(pf)}"
        # The data has roll calls then (silence would have said otherwise): when the
        # groups' states vote says more than the data's years (an outside check found
        # South Yemen, a member from 1967, told "the vote data has roll calls in 1946-1963
        # and 1965-2020"; decision 826).
        actors = list(dict.fromkeys(a for name in used for a in groups[name]))
        when = "; ".join(_voting_text(a, seats.get(a), data) for a in actors[:6]) + (
            f"; {len(actors) - 6} more" if len(actors) > 6 else ""
        )
        why = why or (
            f"no state of the patterns' groups ({listed}) has votes in {span_text(start, stop)}"
            f" ({when})"
        )
        raise InputError(why, path="link.reference")
    return Prepared(
        states=states,
        columns=np.array([state_list.index(s) for s in states], dtype=np.int64),
        years=years,
        observed=observed,
        members=members,
        power=list(scenario.powers).index(pf.link.power),
        rival=list(scenario.powers).index(pf.link.rival),
        reference=reference,
        roll_call_years=roll_call_years,
        voters=voters,
        has_offset=has_offset,
        roll_calls=roll_calls,
        measured_years=measured_years,
        voting={s: _seat_text(s, seats[s], years, data) for s in states},
    )


# --------------------------------------------------------------------------- statistics


def _observed_one(
    pf: PatternFile, pattern: Pattern, prep: Prepared, index: int
) -> tuple[float, float]:
    """The observed statistic of one pattern (``patterns[index]``) and its tolerance."""
    group = prep.observed[prep.members[pattern.group]]
    years = prep.years
    at = f"patterns[{index}]"
    if pattern.statistic == "correlation":
        span = pattern.windows()["years"]
        n_states = int(np.isfinite(stats.window_mean(group, years, span)).sum())
        if n_states < 4:
            silent = _silent_window(pattern, prep)
            if silent is not None:
                raise InputError(silent[1], path=f"{at}.{silent[0]}")
            raise InputError(
                f"group '{pattern.group}' has {n_states} state(s) with votes in "
                f"{span[0]}-{span[1]}; a correlation needs at least 4",
                path=f"{at}.group",
            )
        means = stats.window_mean(group, years, span)
        means = means[np.isfinite(means)]
        if np.ptp(means) == 0.0:
            # Pearson's r needs spread on both sides: the simulated value would be NaN at
            # every parameter set, a check that always fails and a calibration that rejects
            # every simulation.
            raise InputError(
                f"pattern '{pattern.id}': the {n_states} states of group '{pattern.group}' "
                f"with votes in {span[0]}-{span[1]} all have the same observed value "
                f"({means[0]:.3f}), so no propensity gap can correlate with it; choose years "
                "or a group whose states voted differently",
                path=f"{at}.years",
            )
        tolerance = stats.correlation_tolerance(n_states)
        return 1.0, tolerance if pattern.tolerance == "bootstrap" else float(pattern.tolerance)
    before, after = pattern.windows()["before"], pattern.windows()["after"]
    # Only states with an offset have a prediction (decision 39): the observed side
    # averages, and resamples, the same states as the predicted side.
    group = _with_offset(pattern, prep, "group", at)
    value = float(stats.change(stats.group_mean(group), years, before, after))
    if pattern.control is not None:
        control = _with_offset(pattern, prep, "control", at)
        value -= float(stats.change(stats.group_mean(control), years, before, after))
        bootstrap = stats.bootstrap_did(group, control, years, before, after)
    else:
        bootstrap = stats.bootstrap_change(group, years, before, after)
    if not np.isfinite(value):
        field, message = _no_votes(pf, pattern, prep, at)
        raise InputError(message, path=f"{at}.{field}")
    return value, bootstrap if pattern.tolerance == "bootstrap" else float(pattern.tolerance)


def _with_offset(pattern: Pattern, prep: Prepared, field: str, at: str) -> FloatArray:
    """The observed rows of the pattern's ``field`` (group or control) whose states get a
    prediction (:func:`offset_rows`); an input error at ``<at>.<field>`` when none does."""
    name = str(getattr(pattern, field))
    rows = offset_rows(prep, name)
    if rows.size == 0:
        years = prep.years[prep.reference]
        raise InputError(
            f"pattern '{pattern.id}': no state of '{name}' has votes in the link's "
            f"reference years {span_text(years[0], years[-1])}, so none has a prediction",
            path=f"{at}.{field}",
        )
    return prep.observed[rows]


def offset_rows(prep: Prepared, name: str) -> IntArray:
    """The rows of group ``name``'s states that voted in the link's reference years:
    those that get an offset, so a prediction (decision 39)."""
    rows = prep.members[name]
    return rows[prep.has_offset[rows]]


def in_years(prep: Prepared, *spans: tuple[int, int]) -> BoolArray:
    """(Y,) mask of ``prep.years`` inside any of ``spans`` (first and last year)."""
    inside = np.zeros(prep.years.size, dtype=bool)
    for start, stop in spans:
        inside |= (prep.years >= start) & (prep.years <= stop)
    return inside


def left_out(pf: PatternFile, prep: Prepared) -> dict[str, list[str]]:
    """Per change or did pattern, the states of its groups that voted in its windows but
    not in the link's reference years: they have no prediction, so neither side of the
    pattern counts them (decision 313). Patterns with none are not listed."""
    out: dict[str, list[str]] = {}
    for pattern in pf.patterns:
        if pattern.statistic == "correlation":
            continue
        names = _members_where(pattern, prep, _voted_in_windows(pattern, prep) & ~prep.has_offset)
        if names:
            out[pattern.id] = names
    return out


def _voted_in_windows(pattern: Pattern, prep: Prepared) -> BoolArray:
    """(states,) whether each state has a vote in any year of ``pattern``'s windows."""
    in_windows = in_years(prep, *pattern.windows().values())
    return np.isfinite(prep.observed[:, in_windows]).any(axis=1)


def _members_where(pattern: Pattern, prep: Prepared, mask: BoolArray) -> list[str]:
    """The states of ``pattern``'s group and control (each once, in that order) where
    ``mask`` holds."""
    rows = [
        r
        for name in (pattern.group, pattern.control)
        if name is not None
        for r in prep.members[name]
        if mask[r]
    ]
    return list(dict.fromkeys(prep.states[r] for r in rows))


def shared_members_notes(pf: PatternFile, prep: Prepared) -> list[str]:
    """One note per ``did`` whose group and control share states (decision 730): a shared
    state's change counts on both sides of the difference, where it partly cancels, and the
    bootstrap resamples each side's states apart (validation.md), as if the two were
    independent. Not refused: the contract allows it, and a control may be meant as
    "every state" around a group. A control equal to its group is refused by the
    schema."""
    from sim.scenario.schema import allowed

    notes = []
    for pattern in pf.patterns:
        if pattern.statistic != "did" or pattern.control is None:
            continue
        # The states that count: one without an offset counts on neither side (decision
        # 313), and was named here as shared beside that note (an outside check).
        control = set(offset_rows(prep, pattern.control).tolist())
        shared = [prep.states[r] for r in offset_rows(prep, pattern.group) if r in control]
        if not shared:
            continue
        states = "a state" if len(shared) == 1 else f"{len(shared)} states"
        notes.append(
            f"pattern '{pattern.id}': its group '{pattern.group}' and control "
            f"'{pattern.control}' share {states} ({allowed(shared)}): "
            f"{'its' if len(shared) == 1 else 'their'} change counts on both sides of the "
            "difference, where it partly cancels, and the bootstrap resamples the two sides "
            "apart, as if independent; a control without the group's states compares the "
            "group with the others"
        )
    return notes


# A change's or did's bootstrap whose smaller side resamples fewer states than this is
# drawn again with other seeds: so few states take few distinct resamples, and the
# percentile interval jumps between a few values (an outside check: 5 states gave 0.211
# with the fixed seed and 0.165 with 21 of 40 others; decision 931).
FEW_BOOTSTRAP_STATES = 10
OTHER_SEEDS = 20
# The tolerances of the other seeds are said when they span more than this share of the
# check's own (up to a tenth is the resampling's usual noise at a handful of states).
SEED_SPREAD = 0.15


def seed_spread(pattern: Pattern, prep: Prepared) -> tuple[str, int, float, float] | None:
    """(group, its states resampled, lowest and highest tolerance over
    :data:`OTHER_SEEDS` other seeds) of a change or did with a bootstrap tolerance whose
    smaller side resamples fewer than :data:`FEW_BOOTSTRAP_STATES` states that voted in
    its windows; None for any other pattern."""
    if pattern.statistic == "correlation" or pattern.tolerance != "bootstrap":
        return None
    windows = pattern.windows()
    before, after = windows["before"], windows["after"]
    inside = in_years(prep, before, after)
    sides = {
        name: prep.observed[offset_rows(prep, name)]
        for name in (pattern.group, pattern.control)
        if name is not None
    }
    counted = {name: int(np.isfinite(m[:, inside]).any(axis=1).sum()) for name, m in sides.items()}
    fewest = min(counted, key=lambda name: counted[name])
    if not 0 < counted[fewest] < FEW_BOOTSTRAP_STATES:
        return None
    seeds = [stats.BOOTSTRAP_SEED + 1 + i for i in range(OTHER_SEEDS)]
    group = sides[pattern.group]
    if pattern.control is None:
        drawn = [stats.bootstrap_change(group, prep.years, before, after, s) for s in seeds]
    else:
        control = sides[pattern.control]
        drawn = [stats.bootstrap_did(group, control, prep.years, before, after, s) for s in seeds]
    return fewest, counted[fewest], min(drawn), max(drawn)


def few_states_notes(pf: PatternFile, prep: Prepared, tolerances: Mapping[str, float]) -> list[str]:
    """One note per change or did whose bootstrap tolerance (``tolerances``, by id) rests
    on the resampling's draws: its smaller side has few states, and other seeds give
    tolerances that differ by more than :data:`SEED_SPREAD` of it (:func:`seed_spread`).
    A pattern whose discrepancy is near 1 may then pass or fail by the seed alone."""
    notes = []
    for pattern in pf.patterns:
        tolerance = tolerances.get(pattern.id)
        spread = None if tolerance is None else seed_spread(pattern, prep)
        if spread is None or tolerance is None:  # (both, for the type checker)
            continue
        name, count, low, high = spread
        low, high = min(low, tolerance), max(high, tolerance)
        if high - low <= SEED_SPREAD * tolerance:
            continue
        notes.append(
            f"pattern '{pattern.id}': its bootstrap tolerance resamples only {count} "
            f"state{'s' if count != 1 else ''} of '{name}', and {OTHER_SEEDS} other seeds of "
            f"the resampling give tolerances from {low:.3g} to {high:.3g} (this check's "
            f"{tolerance:.3g}), so a discrepancy near 1 passes or fails by the seed; a numeric "
            "tolerance says what miss the pattern allows"
        )
    return notes


def one_window_notes(pf: PatternFile, prep: Prepared) -> list[str]:
    """One note per change or did with counted states (those that voted in the link's
    reference years) that have votes in one of its windows and none in the other (a seat
    lost or gained, a state that stopped voting): each year's mean is over the states that
    voted that year (validation.md), so the two windows average different states, and
    the change holds who voted as well as how. ``observe --plot`` says so of its lines;
    the check said nothing (an outside check: Taiwan in 1969-1970 and not after, a change
    of -0.031 against -0.049 over the states in both; decision 931)."""
    notes = []
    for pattern in pf.patterns:
        if pattern.statistic == "correlation":
            continue
        windows = pattern.windows()
        spans = {key: in_years(prep, span) for key, span in windows.items()}
        parts = []
        for name in (pattern.group, pattern.control):
            if name is None:
                continue
            rows = offset_rows(prep, name)
            voted = {
                key: np.isfinite(prep.observed[rows][:, inside]).any(axis=1)
                for key, inside in spans.items()
            }
            for key, other in (("before", "after"), ("after", "before")):
                alone = voted[key] & ~voted[other]
                only = [prep.states[r] for r in rows[alone]]
                if only:
                    verb = "has" if len(only) == 1 else "have"
                    parts.append(
                        f"of '{name}', {in_words(only)} {verb} votes in its {key} years "
                        f"{span_text(*windows[key])} and none in its {other} years "
                        f"{span_text(*windows[other])}"
                    )
        if parts:
            notes.append(
                f"pattern '{pattern.id}': {'; '.join(parts)}, so the two windows average "
                "different states (each year's mean is over the states that voted in it); "
                "a group of the states that voted in both compares the same states"
            )
    return notes


def coverage_notes(pf: PatternFile, prep: Prepared) -> list[str]:
    """One note per pattern whose windows hold years without votes (no roll call past the
    vote data's end or in 1964, or none its groups cast) or resting on fewer than
    ``FEW_ROLL_CALLS`` roll calls (2020 has one).

    A window's value is the mean of its years that have votes, each counting once
    however few its roll calls, so such a window silently stands on fewer years, or
    on a handful of votes; ``credsim observe`` notes the same (decision 348). A
    year counts as the fewest roll calls behind any of the pattern's groups.
    """
    notes = []
    for pattern in pf.patterns:
        parts = window_coverage(pf, prep, pattern)
        if parts:
            notes.append(
                f"pattern '{pattern.id}': {'; '.join(parts)} (a window averages the years "
                "with votes, each once however few its roll calls)"
            )
    return notes


def window_coverage(pf: PatternFile, prep: Prepared, pattern: Pattern) -> list[str]:
    """What :func:`coverage_notes` says of one pattern, a clause per window that holds
    years without votes or with few roll calls (``its after years 1962-1966 have no roll
    call in 1964``); the pattern's figure says it in its caption."""
    names = [n for n in (pattern.group, pattern.control) if n is not None]
    counts = np.min([prep.roll_calls[n] for n in names], axis=0)
    parts = []
    for window, (start, stop) in pattern.windows().items():
        inside = in_years(prep, (start, stop))
        bits = []
        none = prep.years[inside & (counts == 0)].tolist()
        lacking = [y for y in none if y not in prep.roll_call_years]
        if lacking:
            bits.append(f"no roll call in {' or '.join(year_spans(lacking))}")
        unkept = [y for y in none if y in prep.roll_call_years and y not in prep.measured_years]
        if unkept:
            bits.append(f"no {kept_roll_calls(pf)} in {' or '.join(year_spans(unkept))}")
        silent = [y for y in none if y in prep.measured_years]
        if silent:
            bits.append(f"no votes of its groups in {' or '.join(year_spans(silent))}")
        thin = few_roll_calls(prep.years[inside], counts[inside])
        if thin:
            bits.append(f"few roll calls in {', '.join(thin)}")
        if bits:
            parts.append(
                f"its {_years_of(window)} {span_text(start, stop)} have {' and '.join(bits)}"
            )
    return parts


def _seat_text(actor: str, country: str | None, years: IntArray, data: Any) -> str:
    """:func:`_voting_text`, and where the data holds the votes of ``years`` that the
    seat lacks under another seat, which: "Yemen votes in 1991-2019; for 1955-1958 see
    'Yemen Arab Republic'" (README: the note says where)."""
    from sim.observed.names import other_seats

    said = _voting_text(actor, country, data)
    if country is None:
        return said
    lacking = sorted(set(int(y) for y in years) - {int(y) for y in data.voting_years(country)})
    seen = other_seats(country, lacking, data.voting_years) if lacking else ""
    return f"{said}; for {span_text(lacking[0], lacking[-1])} {seen}" if seen else said


def silent_members(pf: PatternFile, prep: Prepared) -> list[str]:
    """One note per change or did pattern whose groups hold states with no vote in any of
    its window years: they count on neither side, as the figure's caption's "7 of its 10
    states" says, but no note named them (an outside check of new cases: West Germany,
    seated in 1973, and Yemen, whose votes before 1991 are the Yemen Arab Republic's, in
    a Suez pattern of 1955-1958; decision 996). A state that votes in the windows but
    not in the reference years is :func:`left_out`'s. A correlation's states without a
    vote in its years are left out of its r, and are named so too (its legend said "(7
    members)" of a correlation over 6, and nothing named South Korea; decision 1022)."""
    notes = []
    for pattern in pf.patterns:
        names = _members_where(pattern, prep, ~_voted_in_windows(pattern, prep))
        if not names:
            continue
        windows = pattern.windows().values()
        first = min(w[0] for w in windows)
        last = max(w[1] for w in windows)
        why = "; ".join(prep.voting.get(n, n) for n in names)
        verb = "has" if len(names) == 1 else "have"
        counts = "counts" if len(names) == 1 else "count"
        kept = len(prep.members[pattern.group]) - len(names)
        where = (
            f"the correlation leaves {'it' if len(names) == 1 else 'them'} out (it is over "
            f"{count_text(kept, 'state')})"
            if pattern.statistic == "correlation"
            else f"{counts} on neither side"
        )
        notes.append(
            f"pattern '{pattern.id}': {in_words(names)} {verb} no vote in its years "
            f"{span_text(first, last)} ({why}), so {where}"
        )
    return notes


def _voting_text(actor: str, country: str | None, data: Any) -> str:
    """``South Yemen votes in 1967-1989``, the years an actor's seat has votes (``has no
    seat in the vote data``, ``has no votes in the vote data``)."""
    if country is None:
        return f"{actor} has no seat in the vote data"
    voted = sorted(int(y) for y in data.voting_years(country))
    if not voted:
        return f"{actor} has no votes in the vote data"
    return f"{actor} votes in {' and '.join(year_spans(voted))}"


def kept_roll_calls(pf: PatternFile) -> str:
    """The roll calls the link's measure and issue keep, in words, for the notes."""
    what = "roll call"
    if pf.link.issue:
        what += f" on issue '{pf.link.issue}'"
    if pf.link.measure == "split_agreement":
        what += f" where {pf.link.power} and {pf.link.rival} voted yes against no"
    return what


def _years_of(window: str) -> str:
    """A window's name for messages: ``after years``, or ``years`` for a correlation's."""
    return "years" if window == "years" else f"{window} years"


def _silent_window(pattern: Pattern, prep: Prepared) -> tuple[str, str] | None:
    """A window of the pattern without any roll call, or without a vote of the link's power
    or rival (:func:`sim.observed.votes.silence`), as its field and a message; else None."""
    for window, span in pattern.windows().items():
        why = silence(span, prep.roll_call_years, prep.voters)
        if why is not None:
            return (
                window,
                f"pattern '{pattern.id}': in its {_years_of(window)} {span_text(*span)}, {why}",
            )
    return None


def _no_votes(pf: PatternFile, pattern: Pattern, prep: Prepared, at: str) -> tuple[str, str]:
    """Why a pattern has no observed value, and the field to point at: a silent window
    (:func:`_silent_window`), or one where its group or control cast no vote (with the
    data's years)."""
    silent = _silent_window(pattern, prep)
    if silent is not None:
        return silent
    for window, (start, stop) in pattern.windows().items():
        if not any(start <= year <= stop for year in prep.measured_years):
            return (
                window,
                f"pattern '{pattern.id}': its {_years_of(window)} {span_text(start, stop)} "
                f"have no {kept_roll_calls(pf)}",
            )
    first, last = prep.roll_call_years[0], prep.roll_call_years[-1]
    for role, name in (("group", pattern.group), ("control", pattern.control)):
        if name is None:
            continue
        series = stats.group_mean(_with_offset(pattern, prep, role, at))
        for window, (start, stop) in pattern.windows().items():
            if not np.isfinite(stats.window_mean(series, prep.years, (start, stop))):
                # When its states do vote, among the years the file uses: "the vote data
                # has roll calls in 1946-2020" did not say it (an audit; decision 632).
                rows = offset_rows(prep, name)
                voted = prep.years[np.isfinite(prep.observed[rows]).any(axis=0)]
                who = in_words([prep.states[r] for r in rows])
                when = (
                    f"{who} {'votes' if len(rows) == 1 else 'vote'} in "
                    f"{' and '.join(year_spans([int(y) for y in voted]))} of the years this "
                    "file uses"
                    if len(rows) <= 4 and len(voted)
                    else f"the vote data has roll calls in {first}-{last}"
                )
                return (
                    window,
                    f"pattern '{pattern.id}': its {role} '{name}' has no votes in its "
                    f"{window} years {span_text(start, stop)} ({when})",
                )
    return "group", f"pattern '{pattern.id}': no votes of its group in its before or after years"


def observed_statistics(pf: PatternFile, votes: Votes = None) -> pd.DataFrame:
    """Observed statistic and tolerance of every pattern (index ``id``: role, observed,
    tolerance)."""
    prep = prepare(pf, votes)
    rows = []
    for index, pattern in enumerate(pf.patterns):
        try:
            value, tolerance = _observed_one(pf, pattern, prep, index)
        except InputError as exc:
            raise located(exc, pf) from None
        rows.append(
            {"id": pattern.id, "role": pattern.role, "observed": value, "tolerance": tolerance}
        )
    return pd.DataFrame(rows).set_index("id")


# What a pattern's ``observed`` value is (the ``observed_is`` column of patterns.csv,
# predictive.csv and a calibration's checks.csv): read from the votes, or a correlation's
# target, 1 (decision 40), which a researcher read as a measured correlation in a column
# headed "observed" (an outside check, decision 924).
OBSERVED, TARGET = "observed", "target"


def observed_is(pf: PatternFile) -> dict[str, str]:
    """What each pattern's ``observed`` value is, by id: :data:`TARGET` for a
    correlation (the r the model should reach), :data:`OBSERVED` for the others."""
    return {p.id: TARGET if p.statistic == "correlation" else OBSERVED for p in pf.patterns}


def with_observed_is(table: pd.DataFrame, pf: PatternFile) -> pd.DataFrame:
    """``table`` (indexed by pattern id, with an ``observed`` column) with an
    ``observed_is`` column last (:func:`observed_is`): a column added, none renamed, as
    outside checks read the others by name."""
    kinds = observed_is(pf)
    return table.assign(observed_is=[kinds[str(i)] for i in table.index])


def resolve(
    pf: PatternFile, overrides: Mapping[str, Any] | None = None, beta: float | None = None
) -> tuple[float, Scenario]:
    """The link's beta and the scenario that :func:`simulate` runs under ``overrides``
    (scenario paths and ``link.beta``; ``beta`` wins over both), checked as the file's
    own values are; ``validate --set`` checks them so without running (decision 566).

    Raises:
        InputError: a link path other than ``link.beta``, a beta that is not a finite
            number in [0, MAX_VALUE], or an override the scenario rejects.
    """
    from sim.scenario.loader import load_scenario, parse_overrides

    scenario_overrides = dict(overrides or {})
    given_beta = scenario_overrides.pop(_LINK_BETA, None)
    stray = [p for p in scenario_overrides if p.startswith("link.")]
    if stray:
        raise InputError(f"override '{stray[0]}': of the link only {_LINK_BETA} can be set")
    own = [p for p in scenario_overrides if p.split(".")[0] in _PATTERN_FILE_FIELDS]
    if own:
        # It was told as an unknown scenario field, "did you mean 'parameters'?" (an
        # audit, decision 917).
        raise InputError(
            f"override '{own[0]}': --set sets the scenario's values and {_LINK_BETA}, not "
            f"the pattern file's own {own[0].split('.')[0]}; edit the pattern file"
        )
    slope = beta if beta is not None else given_beta if given_beta is not None else pf.link.beta
    if beta is None and given_beta is not None:
        # Said as every other override's error is, `override PATH=VALUE: PATH: ...`
        # (it was `link.beta must be >= 0, got -1`; an audit, decision 917).
        typed = next(o for o in parse_overrides(overrides) if o.path == _LINK_BETA)

        def refused(message: str) -> InputError:
            return InputError(message, path=_LINK_BETA, file=typed.label)
    else:

        def refused(message: str) -> InputError:
            return InputError(f"{_LINK_BETA} {message}")

    if beyond_float(slope):
        raise refused(f"must be a number, got {number_text(slope)}")
    try:
        slope = float(slope)
    except (TypeError, ValueError):
        raise refused(f"must be a number, got {slope!r}{decimal_comma_hint(str(slope))}") from None
    # As the file's link.beta: finite and in [0, MAX_VALUE]. `--set link.beta=inf` made
    # every prediction NaN with numpy's warnings, and exit 0 (an audit).
    if math.isnan(slope) or math.isinf(slope):
        raise refused(f"must be a finite number, got {slope:g}")
    if not slope >= 0.0:
        raise refused(f"must be >= 0, got {slope:g}")
    if slope > MAX_VALUE:
        raise refused(f"must be <= {MAX_VALUE:g}, got {slope:g}")
    scenario: Scenario = pf.base_scenario
    if scenario_overrides:
        try:
            scenario = load_scenario(scenario, scenario_overrides)
        except InputError as exc:
            raise _in_scenario_file(exc, pf, scenario_overrides) from None
        if scenario.calendar != pf.base_scenario.calendar:
            # The windows were checked against the file's calendar at load only: `--set
            # calendar.end` left a window past the end, whose prediction was NaN or stood
            # on fewer years than its observed value (an audit, decision 743).
            try:
                check_calendar(pf, scenario)
            except InputError as exc:
                given = set_text(
                    scenario_overrides, lambda p: p == "calendar" or p.startswith("calendar.")
                )
                exc.message += f" (the calendar as {given} gives it)"
                raise located(exc, pf) from None
    return slope, scenario


def set_text(
    overrides: Mapping[str, Any] | Sequence[str], keep: Callable[[str], bool] = lambda p: True
) -> str:
    """The overrides whose path ``keep`` takes, as typed: ``--set PATH=VALUE ...``."""
    from sim.scenario.loader import parse_overrides

    return " ".join(f"--set {o.text}" for o in parse_overrides(overrides) if keep(o.path))


def observed_under(
    pf: PatternFile, overrides: Mapping[str, Any] | None
) -> tuple[PatternFile, Scenario]:
    """``pf`` on the scenario ``overrides`` give, where they change what its observed side
    reads (a group's states: ``outputs.groups``, a state's region or blocs; the states' UN
    names, ``observed.names``), else ``pf`` itself; and that scenario (:func:`resolve`'s).

    The observed side and the states each prediction averages were taken from the file's
    scenario as written: `--set outputs.groups.asean.bloc=seato` ran, and both sides still
    compared the file's ASEAN, without a word (an outside check, decision 889). The copy's
    groups and names are checked as a file's are at load.

    Raises:
        InputError: an override the scenario refuses (:func:`resolve`), or a group the
            overrides leave without a state, located in the pattern file.
    """
    scenario = resolve(pf, overrides)[1]
    base = pf.base_scenario
    if scenario is base or (
        scenario_groups(scenario, pf.groups) == scenario_groups(base, pf.groups)
        and scenario_names(scenario) == scenario_names(base)
    ):
        return pf, scenario
    given = set_text(overrides or {}, lambda p: not p.startswith("link."))
    try:
        check_names(pf, scenario)
        check_groups(pf, scenario)
    except InputError as exc:
        exc.message += f" (the scenario as {given} gives it)"
        raise located(exc, pf) from None
    copy = pf.model_copy()
    copy._scenario = scenario
    copy._path = pf.path
    return copy, scenario


def _in_scenario_file(
    error: InputError, pf: PatternFile, overrides: Mapping[str, Any]
) -> InputError:
    """An override's refusal, said as loading the scenario's file with it says it: at the
    file's line when the file's value is the one refused after the override (``--set
    calendar.start=2030-01``), with where the file gives the overridden field when the
    override's own value is refused.

    The overrides are applied to the loaded scenario, whose tree has no lines; it is read
    again from its file only on this error path (and the error is kept as it is when the
    file no longer refuses them: it changed since it was loaded).
    """
    from sim.scenario.loader import field_place, load_scenario

    if not pf.path:
        return error
    path = pf.scenario_file
    try:
        load_scenario(path, overrides)
    except InputError as exc:
        if exc.file is None:
            return exc
        if exc.file.startswith("override "):
            field = exc.file.removeprefix("override ").partition("=")[0]
            inside = exc.path is not None and (
                exc.path == field or exc.path.startswith((f"{field}.", f"{field}["))
            )
            if field not in overrides or not inside:  # the path itself is refused
                return exc
            try:
                place = field_place(path, field)
            except InputError:
                return exc
            return InputError(f"{exc.message} ({place})", path=exc.path, file=exc.file)
        return exc.reworded(f"{exc.message} (in the scenario of pattern file {pf.path})")
    return error


def simulate(
    pf: PatternFile,
    overrides: Mapping[str, Any] | None = None,
    *,
    beta: float | None = None,
    reps: int = 1,
    seed: int = 0,
    votes: Votes = None,
    run_fn: links.RunFn | None = None,
    engine: str = "mesa",
    on_run: Callable[[], None] | None = None,
) -> Simulation:
    """Run the scenario ``reps`` times and turn the gaps into predicted values.

    ``engine`` (``mesa`` or ``fast``) runs :func:`sim.patterns.link.propensity_gaps`
    unless ``run_fn`` replaces it; ``on_run`` is called after each run (a command's
    progress line).
    """
    if reps < 1:
        raise InputError(f"reps must be >= 1, got {reps}")
    prep = prepare(pf, votes)
    slope, scenario = resolve(pf, overrides, beta)
    run = run_fn or functools.partial(links.propensity_gaps, engine=engine)
    total = np.zeros((scenario.calendar.n_steps + 1, prep.columns.size))
    for replicate in range(reps):
        total += run(scenario, seed_sequence(seed, replicate), prep.power, prep.rival)[
            :, prep.columns
        ]
        if on_run is not None:
            on_run()
    gaps = links.yearly_gaps(total / reps, links.step_years(scenario), prep.years)
    alpha = links.offsets(prep.observed, gaps, slope, prep.reference)
    return Simulation(slope, gaps, links.predicted(prep.observed, gaps, slope, alpha))


def correlated(pattern: Pattern, prep: Prepared, sim: Simulation) -> tuple[FloatArray, FloatArray]:
    """What a correlation pattern correlates: each group state's mean propensity gap and
    its mean observed value over the pattern's years (NaN where it has none)."""
    rows = prep.members[pattern.group]
    span = pattern.windows()["years"]
    return (
        stats.window_mean(sim.gaps[rows], prep.years, span),
        stats.window_mean(prep.observed[rows], prep.years, span),
    )


def simulated_statistic(pattern: Pattern, prep: Prepared, sim: Simulation) -> float:
    """The simulated statistic of one pattern (validation.md, "Pattern files")."""
    rows = prep.members[pattern.group]
    if pattern.statistic == "correlation":
        return stats.pearson(*correlated(pattern, prep, sim))
    before, after = pattern.windows()["before"], pattern.windows()["after"]
    value = float(stats.change(stats.group_mean(sim.predicted[rows]), prep.years, before, after))
    if pattern.control is not None:
        control = sim.predicted[prep.members[pattern.control]]
        value -= float(stats.change(stats.group_mean(control), prep.years, before, after))
    return value


def simulate_statistics(
    pf: PatternFile,
    overrides: Mapping[str, Any] | None = None,
    *,
    beta: float | None = None,
    reps: int = 1,
    seed: int = 0,
    votes: Votes = None,
    run_fn: links.RunFn | None = None,
    engine: str = "mesa",
    on_run: Callable[[], None] | None = None,
) -> dict[str, float]:
    """The simulated statistic of every pattern, by id (module docstring)."""
    sim = simulate(
        pf,
        overrides,
        beta=beta,
        reps=reps,
        seed=seed,
        votes=votes,
        run_fn=run_fn,
        engine=engine,
        on_run=on_run,
    )
    prep = prepare(pf, votes)
    return {p.id: simulated_statistic(p, prep, sim) for p in pf.patterns}


def discrepancies(observed: pd.DataFrame, simulated: Mapping[str, float]) -> pd.DataFrame:
    """``observed`` (from :func:`observed_statistics`) with ``simulated``, ``discrepancy``
    and ``pass`` (``|discrepancy| <= 1``; a NaN simulated value fails)."""
    table = observed.copy()
    table["simulated"] = [float(simulated[i]) for i in table.index]
    table["discrepancy"] = (table["simulated"] - table["observed"]) / table["tolerance"]
    table["pass"] = table["discrepancy"].abs() <= 1.0
    return table[["role", "observed", "simulated", "tolerance", "discrepancy", "pass"]]


__all__ = [
    "PatternFile",
    "discrepancies",
    "load_patterns",
    "observed_statistics",
    "observed_under",
    "simulate_statistics",
    "with_observed_is",
]
