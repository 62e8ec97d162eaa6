"""``credsim observe``: how a group of states voted with a power, year by year.

::

    credsim observe --votes DIR --power Russia [--rival "United States"]
            (--states "Egypt,Syria" | --scenario S [--group NAME])
            [--years 2009-2019] [--issue CODE] [--out FILE.csv|.parquet] [--plot FILE.png]

Prints the group's value per year (and each state's, for a few states),
writes the tidy table of :mod:`sim.observed.series` and draws the series.
With a rival the measure is ``split_agreement``, else ``agreement``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError, fixed, refuse_empty

if TYPE_CHECKING:
    import pandas as pd

    from sim.observed.votes import VoteData

_WIDE_STATES = 6


# The note on years whose value rests on few roll calls: on the terminal, and in the
# figure's caption (decision 631).
FEW_NOTE = "few roll calls behind these years' values"


def parse_years(text: str) -> tuple[int, int]:
    """``"2009-2019"`` or ``"2015"`` as ``(first, last)``; the dash may be an en or em
    dash, as a range pasted from a paper has it (it was refused with "must look like
    2009-2019", which looks the same on screen; an audit, decision 791).

    Raises:
        InputError: anything else, or a range that ends before it starts.
    """
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-\u2013\u2014]\s*(\d{4})\s*)?", text)
    if not match:
        raise InputError(f"--years '{text}' must look like 2009-2019 or 2015")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise InputError(f"--years '{text}' ends before it starts")
    return first, last


def add_parser(sub: Any) -> None:
    """Register ``credsim observe`` on the CLI's subparsers."""
    p = sub.add_parser("observe", help="how a group of states voted with a power (UN votes)")
    p.add_argument("--votes", help="folder of the UN vote tables (default $CREDSIM_VOTES)")
    p.add_argument("--power", required=True, help="the power, e.g. Russia or USSR")
    p.add_argument("--rival", help="the power's rival: split agreement on their split votes")
    who = p.add_mutually_exclusive_group(required=True)
    from sim.cli import NameList, add_width

    who.add_argument(
        "--states",
        nargs="+",
        action=NameList,
        metavar="STATE",
        help='states, apart by spaces or commas, e.g. Egypt Syria or "Saudi Arabia,Egypt"',
    )
    who.add_argument("--scenario", help="take the states (and actor names) from a scenario")
    p.add_argument("--group", help="a group of the scenario (default: all its states)")
    p.add_argument("--years", help="first-last year, e.g. 2009-2019")
    p.add_argument("--issue", help="only roll calls on this unvotes issue code, e.g. me or hr")
    p.add_argument("--out", help="tidy table to write (.csv or .parquet)")
    p.add_argument("--plot", help="figure to write (.png, .svg or .pdf)")
    add_width(p, "draw the --plot figure to fit a page's text width, e.g. 6.5")


def _refuse_split_names(actors: list[str], seat: Any) -> None:
    """Refuse a name with a space typed unquoted (``--states Saudi Arabia Egypt``), which
    the shell gives as two states: the error said "'Saudi' is no country ... (did you mean
    'Saudi Arabia'?)" to a user who had typed just that (decision 1020)."""
    for i, first in enumerate(actors):
        try:
            seat(first)
            continue
        except InputError:
            pass
        for n in (4, 3, 2):
            joined = " ".join(actors[i : i + n])
            if len(actors[i : i + n]) < n:
                continue
            try:
                seat(joined)
            except InputError:
                continue
            words = [f"'{a}'" for a in actors[i : i + n]]
            taken = f"{', '.join(words[:-1])} and {words[-1]}"
            raise InputError(
                f"--states took {taken} as {n} states; quote a name that holds a space: "
                f'--states "{joined}" (or separate the states by commas)'
            )


def cli_observe(args: argparse.Namespace) -> int:
    """Read, compute, print, write (module docstring)."""
    from sim.fileio import (
        atomic_write_bytes,
        atomic_write_text,
        require_writable_file,
        write_parquet,
    )
    from sim.observed.names import (
        in_text,
        other_seats,
        read_as,
        scenario_names,
        shared_seat,
        un_name,
    )
    from sim.observed.series import group_members, observed_table
    from sim.observed.votes import load_votes, seat_label, silence, span_text
    from sim.scenario.schema import repeated

    # An empty value was taken for the option left out (an audit): --rival "" measured
    # plain agreement, --years "" all years, --group "" all the scenario's states.
    for option, value, instead in (
        ("--power", args.power, "give the power, e.g. --power Russia"),
        (
            "--rival",
            args.rival,
            'give the power\'s rival, e.g. --rival "United States", or leave --rival out '
            "to measure plain agreement",
        ),
        (
            "--group",
            args.group,
            "give a group of the scenario, or leave --group out to take all its states",
        ),
        (
            "--years",
            args.years,
            "give first-last years, e.g. 2009-2019, or leave --years out to take all years",
        ),
        (
            "--issue",
            args.issue,
            "give an issue code such as me or hr, or leave --issue out to take all roll calls",
        ),
    ):
        refuse_empty(option, value, instead)
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix not in (".csv", ".parquet"):
        raise InputError(f"--out {out} must end in .csv or .parquet")
    plot = Path(args.plot) if args.plot else None
    if plot is not None and plot.suffix not in (".png", ".svg", ".pdf"):
        raise InputError(f"--plot {plot} must end in .png, .svg or .pdf")
    # Before the vote data is read: a path that cannot be written is bad input.
    for option, path in (("--out", out), ("--plot", plot)):
        if path is not None:
            require_writable_file(path, option)
    if args.group and not args.scenario:
        raise InputError("--group needs --scenario (a group is a scenario's)")
    if getattr(args, "width", None) is not None and plot is None:
        # It was taken and did nothing (an outside check, decision 955).
        raise InputError(
            "--width sizes the --plot figure; give --plot FILE.png, or leave --width out"
        )
    years = parse_years(args.years) if args.years else None
    data = load_votes(args.votes)
    names: dict[str, str | None] = {}
    actors_of: set[str] = set()  # the scenario's actors: a name that is none is the option's
    if args.scenario:
        from sim.scenario import load_scenario

        scenario = load_scenario(args.scenario)
        names = scenario_names(scenario)
        actors_of = set(scenario.actor_names)
        # Two actors on one seat showed as one state (decision 722).
        shared = shared_seat(scenario, data.countries)
        if shared is not None:
            from sim.scenario.loader import locate_in_scenario

            raise locate_in_scenario(shared, args.scenario)
        group = args.group or "all"
        actors = group_members(scenario, group)
        found = scenario.outputs.groups.get(group)
        definition = found.model_dump(exclude_none=True) if found else None
    else:
        group = "states"
        actors = [s.strip() for s in args.states if s.strip()]
        if not actors:
            raise InputError('--states names no state; give e.g. "Egypt,Syria"')
        # A state named twice counted once, without a word: most likely another state
        # was meant (decision 703, as decision 692 refuses a group's member listed twice).
        twice = repeated(actors)
        if twice is not None:
            raise InputError(f"--states names {actors[twice[1]]} twice; give each state once")

    def seat(name: str, option: str) -> str | None:
        """``name``'s UN name; a wrong ``observed.names`` entry is said at its line."""
        try:
            # A name that is no actor of the scenario (or without one) is the option's:
            # a scenario's observed.names cannot map it, so its error says what the option
            # takes (decision 735).
            return un_name(name, data.countries, names, None if name in actors_of else option)
        except InputError as exc:
            if args.scenario and exc.path and exc.path.startswith("observed."):
                from sim.scenario.loader import locate_in_scenario

                raise locate_in_scenario(exc, args.scenario) from None
            raise

    power = _seated(seat(args.power, "--power"), args.power, "--power")
    rival = None
    if args.rival:
        rival = _seated(seat(args.rival, "--rival"), args.rival, "--rival")
        if rival == power:
            same = args.rival if args.rival == args.power else f"{args.power} and {args.rival}"
            same += "" if same == power else f": {power} in the vote data"
            raise InputError(
                f"--power and --rival are the same country ({same}); split agreement "
                "compares a power with another, so give its rival"
            )
    if not args.scenario:
        _refuse_split_names(actors, lambda name: seat(name, "--states"))
    mapped = {a: seat(a, "--states") for a in actors}
    if not args.scenario:
        # Two names of one country (UAE, United Arab Emirates) weighed it twice in the
        # group's mean (decision 703).
        named: dict[str, str] = {}
        for name, seated in mapped.items():
            if seated is not None and seated in named:
                raise InputError(
                    f"--states names one state twice: {named[seated]} and {name} are both "
                    f"{seated} in the vote data; give each state once"
                )
            if seated is not None:
                named[seated] = name
    unseated = [a for a, n in mapped.items() if n is None]
    states = [n for n in mapped.values() if n is not None and n != power]
    if unseated and not [n for n in mapped.values() if n is not None]:
        # Every member lacks a seat: one line that says so, not "no roll call matches
        # ...; the vote data has roll calls in 1946-2020" (an audit; decision 631).
        whose = f"group '{group}'" if args.scenario else "--states"
        raise InputError(
            f"{whose} holds only {', '.join(unseated)}, which ha"
            f"{'s' if len(unseated) == 1 else 've'} no seat in the vote data"
            + (" (observed.names maps it to null, or no UN name matches)" if args.scenario else "")
        )
    if not states and power in mapped.values():
        # Only the power itself: a note that it is left out, then "no roll call matches
        # (Russia, 0 state(s)) ...; the vote data has roll calls in 1946-2020" (an audit,
        # decision 645).
        whose = f"group '{group}'" if args.scenario else "--states"
        others = f" and {', '.join(unseated)} (no seat in the vote data)" if unseated else ""
        raise InputError(
            f"{whose} holds only the power itself ({power}){others}; give the states whose "
            f"votes to compare with {power}'s"
        )
    if unseated:
        print(
            f"credsim: note: left out (no seat in the vote data): {', '.join(unseated)}",
            file=sys.stderr,
        )
    # Russian Federation, Serbia: the names the data has them under (decision 835).
    read = read_as({a: n for a, n in mapped.items() if n != power}, names, not args.scenario)
    if read:
        print(
            f"credsim: note: read as the vote data names them: {', '.join(read)}", file=sys.stderr
        )
    measure = "split_agreement" if rival else "agreement"
    # The power and its rival among the states measure nothing but themselves (an outside
    # check: the rival's 0 halved a two-state group's mean without a word; decision 606).
    for name, seated in mapped.items():
        known = name if name == seated else f"{name} ({seated} in the vote data)"
        if seated == power:
            print(f"credsim: note: {known} is the power itself; left out", file=sys.stderr)
        elif seated is not None and seated == rival:
            print(
                f"credsim: note: {known} is the rival itself: its split agreement with "
                f"{power} is 0 by construction, and it counts in the group's mean",
                file=sys.stderr,
            )
    table = observed_table(
        data, power, states, group, rival=rival, measure=measure, issue=args.issue, years=years
    )
    if table.empty:
        # Before anything is written: an empty table or figure answers nothing.
        asked = [power + (f" against {rival}" if rival else ""), f"{len(states)} state(s)"]
        asked += [span_text(*years)] if years else []
        asked += [f"issue {args.issue}"] if args.issue else []
        roll_call_years = data.years()
        first, last = roll_call_years[0], roll_call_years[-1]
        given = [("--power", args.power, power)]
        given += [("--rival", args.rival, rival)] if rival is not None else []
        voters = [(seat_label(*seat), data.voting_years(seat[2])) for seat in given]
        span = years or (first, last)
        # China's seat before 1971: "see 'Taiwan'" (decision 835).
        asked_years = data.years_in(span)
        seen = {
            seat_label(*seat): other_seats(seat[2], asked_years, data.voting_years)
            for seat in given
        }
        why = (
            silence(span, roll_call_years, voters, seen)
            or _no_issue_call(data, args.issue, span)
            or _no_state_votes(data, states, span)
        )
        # What is left once each voter and the issue have votes in the span (it said "the
        # vote data has roll calls in 1946-2020": an outside check, decision 839).
        on = f" on issue {args.issue}" if args.issue else ""
        left = (
            f"no roll call{on} in {span_text(*span)} where {in_text(args.power)} and "
            f"{in_text(args.rival)} voted yes against no"
            if rival
            else f"no roll call{on} in {span_text(*span)} has a vote of "
            f"{in_text(args.power)} and of one of the states"
        )
        raise InputError(f"no roll call matches ({', '.join(asked)}); " + (why or left))
    print(_printed(table, power, rival, measure, group, args.issue))
    notes = coverage_notes(table, years, data.years())
    kept = f"roll call {in_text(args.power)} voted on"
    if rival:
        kept = f"roll call where {in_text(args.power)} and {in_text(args.rival)} split yes and no"
    if args.issue:
        kept += f" on issue {args.issue}"
    notes[:0] = _state_gaps(table, mapped, power, years, data, kept)
    for note in notes:
        print(f"credsim: note: {note}", file=sys.stderr)
    # The years the table leaves out, and why, as the figure's caption says them (an
    # audit's Iraq, 1996-2008: no row before 2004, and nothing said on the terminal).
    # (Years without any roll call are noted above already.)
    seats = {args.power: power, **({args.rival: rival} if rival else {})}
    unshown = unshown_note(table, years, data, seats, args.issue)
    shown = set(table["year"].astype(int))
    wanted = range(years[0], years[1] + 1) if years else range(min(shown), max(shown) + 1)
    if (set(wanted) - shown) & set(data.years()):
        print(f"credsim: note: {unshown[0].lower()}{unshown[1:].rstrip('.')}", file=sys.stderr)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        # The issue filter recorded with every row: an issue-filtered table read like an
        # unfiltered one (an audit; decision 631). Empty: every roll call.
        written = table.assign(issue=args.issue or "")
        if out.suffix == ".csv":
            atomic_write_text(out, written.to_csv(index=False))
        else:
            write_parquet(written, out)
        print(f"table in {out}")
    if plot is not None:
        from sim.plots.figure import rendered
        from sim.plots.observed import observed_figure

        fig = observed_figure(
            table,
            issue=args.issue,
            power=args.power,
            rival=args.rival,
            group=counted_group(table, group, actors, definition)
            if args.scenario
            else "The states given",
            # The few roll calls behind a year's value, as patterns check's figures say
            # them (they went to the terminal only; decision 631).
            note=" ".join(
                [
                    unshown,
                    *[
                        # The hollow markers the figure draws there (decision 904).
                        "Few roll calls behind these years' values (hollow markers, joined "
                        "by dotted lines)"
                        f"{n.removeprefix(FEW_NOTE)}."
                        for n in notes
                        if n.startswith(FEW_NOTE)
                    ],
                ]
            ).strip(),
        )
        plot.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(plot, rendered(fig, plot.suffix[1:]))
        print(f"figure in {plot}")
    return 0


def counted_group(
    table: pd.DataFrame,
    group: str,
    actors: Sequence[str],
    definition: Mapping[str, object] | None,
) -> str:
    """A scenario group in the figure's legend, with how many of its ``actors`` have a
    value in ``table`` where fewer do (``US Allies Asia (6 of 7 members counted)``), as
    the pattern figures say it (:func:`sim.plots.observed.group_label`): "(7 members),
    mean" was read as the mean of seven, of whom South Korea has no vote before 1991
    (an outside check, decision 924)."""
    from sim.observed.series import GROUP_PREFIX
    from sim.plots.observed import group_label

    states = table[~table["state"].str.startswith(GROUP_PREFIX) & table["value"].notna()]
    return group_label(group, definition, (int(states["state"].nunique()), len(actors)))


def _no_issue_call(data: VoteData, issue: str | None, span: tuple[int, int]) -> str:
    """Why an issue-filtered table is empty when ``span`` has roll calls but none on the
    issue ("" otherwise): it said only that the data has roll calls in 1946-2020 (an
    audit, decision 645)."""
    from sim.observed.votes import span_text, year_spans

    if not issue:
        return ""
    years = data.issue_years(issue)
    if any(span[0] <= y <= span[1] for y in years):
        return ""
    held = ", ".join(year_spans(years)) if years else "no year"
    return f"no roll call in {span_text(*span)} is on issue {issue} (its roll calls: {held})"


def _no_state_votes(data: VoteData, states: list[str], span: tuple[int, int]) -> str | None:
    """Says that none of ``states`` voted in ``span``, and when each did, with where the data
    has the votes of those years under another name (Yemen's before 1991); None if one did."""
    from sim.observed.names import other_seats
    from sim.observed.votes import span_text

    years = {state: data.voting_years(state) for state in states}
    if not states or any(any(span[0] <= y <= span[1] for y in ys) for ys in years.values()):
        return None
    asked = data.years_in(span)
    each = []
    for state, ys in years.items():
        seen = other_seats(state, asked, data.voting_years)
        each.append(
            f"{state} votes in {span_text(ys[0], ys[-1])}"
            + (f", for {span_text(*span)} {seen}" if seen else "")
        )
    return f"none of the states has votes in {span_text(*span)} ({'; '.join(each)})"


def _state_gaps(
    table: pd.DataFrame,
    mapped: Mapping[str, str | None],
    power: str,
    years: tuple[int, int] | None,
    data: VoteData,
    kept: str,
) -> list[str]:
    """The notes on the states given that the table has no value of, and on those whose
    votes of some years asked the data holds under another name; none, one or both.

    States without a value vanished from the table without a word (``--states
    "Egypt,South Sudan" --years 2000-2005`` showed Egypt alone; an outside check, decision
    835). Each is named as given, with the years it votes in, and where the data has the
    votes of the years it lacks under another name (:data:`~sim.observed.names.OTHER_SEATS`);
    one that voted in the years asked, but on no roll call measured (``kept``: "roll call
    China voted on"), is said so. A state with values in part of the years is named in the
    second note only when another seat has the others (Germany's before 1991).

    Args:
        table: the tidy table (not empty).
        mapped: each name given to its UN name (None: no seat, noted already).
        power: the power's UN name (left out of the states, and noted, already).
        years: the years asked, or None for all.
        data: the votes.
        kept: the roll calls the measure keeps, in words.
    """
    from sim.observed.names import other_seats
    from sim.observed.series import GROUP_PREFIX
    from sim.observed.votes import span_text, voted_spans, year_spans

    shown = set(table.loc[~table["state"].str.startswith(GROUP_PREFIX), "state"])
    asked = data.years_in(years)
    each, elsewhere = [], []
    for given, state in mapped.items():
        if state is None or state == power:
            continue
        voted = data.voting_years(state)
        lacking = [y for y in asked if y not in voted]
        seen = other_seats(state, lacking, data.voting_years) if years else ""
        if state in shown:
            if seen:  # the years of a Germany from 1985: before 1991, two other seats
                elsewhere.append(f"{given} in {' and '.join(year_spans(lacking))} ({seen})")
            continue
        during = [y for y in voted if y in asked]
        said = [] if given == state else [f"{state} in the vote data"]
        if during:
            said.append(f"its votes in {' and '.join(year_spans(during))} fall on no {kept}")
        else:
            # 1964, without a roll call, splits no state's years.
            spans = voted_spans(voted, data.years())
            said.append(f"votes in {' and '.join(spans)} only")
            said += [f"for {span_text(*years)} {seen}"] if seen and years else []
        each.append(f"{given} ({'; '.join(said)})")
    when = f" in {span_text(*years)}" if years else ""
    notes = [f"left out (no value{when}): {'; '.join(each)}"] if each else []
    if elsewhere:
        notes.append(
            "no votes in some years asked, under another name in the vote data: "
            + "; ".join(elsewhere)
        )
    return notes


def _seated(name: str | None, given: str, option: str) -> str:
    if name is None:
        raise InputError(f"{option} '{given}' has no seat in the vote data")
    return name


def _printed(
    table: pd.DataFrame, power: str, rival: str | None, measure: str, group: str, issue: str | None
) -> str:
    """The group's yearly values, with each state's beside them when there are few."""
    from sim.observed.series import GROUP_PREFIX

    against = f" (split votes against {rival})" if rival else ""
    on = f", issue {issue}" if issue else ""
    title = f"{measure} with {power}{against}{on}: group '{group}'"
    rows = table[table["state"].str.startswith(GROUP_PREFIX)].set_index("year")
    wide = rows[["value", "n_states", "n_votes"]].rename(columns={"value": group})
    states = table[~table["state"].str.startswith(GROUP_PREFIX)]
    if states["state"].nunique() <= _WIDE_STATES:
        wide = wide.join(states.pivot(index="year", columns="state", values="value"))
    return f"{title}\n{wide.to_string(float_format=fixed)}"


def coverage_notes(
    table: pd.DataFrame, years: tuple[int, int] | None, roll_call_years: Sequence[int]
) -> list[str]:
    """What the table cannot show: asked years without a roll call in the vote data (past
    its end, or 1964), and years whose value rests on fewer than
    :data:`~sim.observed.votes.FEW_ROLL_CALLS` roll calls (the data's last year, 2020,
    has one, in January)."""
    from sim.observed.series import GROUP_PREFIX
    from sim.observed.votes import few_roll_calls, year_spans

    notes = []
    first, last = roll_call_years[0], roll_call_years[-1]
    if years is not None:
        missing = sorted(set(range(years[0], years[1] + 1)) - set(roll_call_years))
        if missing:
            notes.append(
                f"the vote data has roll calls in {first}-{last}; none in "
                f"{' or '.join(year_spans(missing))}, asked for by --years"
            )
    groups = table[table["state"].str.startswith(GROUP_PREFIX)]
    thin = few_roll_calls(groups["year"], groups["n_votes"])
    if thin:
        notes.append(f"{FEW_NOTE}: {', '.join(thin)}")
    return notes


def unshown_note(
    table: pd.DataFrame,
    years: tuple[int, int] | None,
    data: VoteData,
    powers: Mapping[str, str],
    issue: str | None,
) -> str:
    """The figure caption's sentence on the years without a group value, "" when none.

    The years are those asked (``years``, else the table's first to last); ``powers``
    maps the power's (and rival's) name as the user gave it to its UN name. Each
    missing year is told by its first reason: no roll call at all in the vote data
    (1964), no vote of the power or the rival (the PRC before late 1971), else no roll
    call the measure keeps with a state's vote.
    """
    from sim.observed.names import in_text, other_seats
    from sim.observed.series import GROUP_PREFIX
    from sim.observed.votes import ISSUE_CODES, span_text, year_spans

    shown = sorted(set(table.loc[table["state"].str.startswith(GROUP_PREFIX), "year"].astype(int)))
    first, last = years or (shown[0], shown[-1])
    missing = [y for y in range(first, last + 1) if y not in shown]
    if not missing:
        return ""
    reasons = []

    def tell(lacking: list[int], why: str) -> None:
        if lacking:
            reasons.append(f"in {' and '.join(year_spans(lacking))} {why}")

    with_roll_calls = set(data.years())
    tell([y for y in missing if y not in with_roll_calls], "the vote data has no roll call")
    missing = [y for y in missing if y in with_roll_calls]
    for given, country in powers.items():
        voted = set(data.voting_years(country))
        lacking = [y for y in missing if y not in voted]
        seen = other_seats(country, lacking, data.voting_years)
        tell(lacking, f"{in_text(given)} cast no vote" + (f" ({seen})" if seen else ""))
        missing = [y for y in missing if y in voted]
    kept = f" on {ISSUE_CODES.get(issue, issue)}" if issue else ""
    if len(powers) == 2:
        kept += f" where {' and '.join(map(in_text, powers))} voted yes against no"
    tell(missing, f"no roll call{kept} has a vote of the states")
    head = f"Years asked {span_text(first, last)}" if years else "Years"
    return f"{head}: values in {' and '.join(year_spans(shown))} only; {'; '.join(reasons)}."
