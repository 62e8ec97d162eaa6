"""``credsim patterns check``: which observed patterns the model reproduces.

::

    credsim patterns check FILE [--set PATH=VALUE ...] [--reps N] [--out DIR]
            [--votes DIR] [--strict] [--seed N]
            [--posterior DIR [--samples N] [--variant NAME]]

Runs the pattern file's scenario (``--reps`` replicates), prints one row per
pattern (calibration patterns, then the held-out ones apart) and writes to
``--out`` (default ``results/patterns/<name>``): ``patterns.csv`` and
``patterns.parquet`` (the table), ``figures/<id>.png`` (observed against
predicted yearly series of the group and control, windows shaded) and
``report.md``; an ``--out`` that holds other files is refused unless an earlier check
wrote them (:data:`CHECK_FILES`). Exit 0 even when patterns fail; 1 with ``--strict`` when any
fails (under ``--posterior``: is not covered); 2 on bad input (nothing is written
then).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import re
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError, fixed, in_words, number_text
from sim.fileio import refuse_foreign_folder, require_writable
from sim.integrity import refuse_results_folder
from sim.options import PREDICTIVE_SAMPLES

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.patterns import Prepared, Simulation
    from sim.patterns.schema import Pattern, PatternFile
    from sim.scenario.schema import Scenario

# What marks a folder as an earlier check's: the files a plain check writes, or those of
# one with --posterior (sim.patterns.predictive; both may share the default folder), with
# how their first lines begin, so that a user's own report.md is not taken for one.
CHECK_FILES = (
    {"report.md": "# Pattern check: ", "patterns.csv": "id,role,"},
    {"predictive.csv": "id,role,", "draws.csv": "draw,"},
)
# The kinds of mark (sim.fileio.replacing) of a plain check and of one with --posterior
# killed while writing: the folder is an earlier check's too, without the files above.
CHECKING = "check"
PREDICTING = "predictive"


def say_scenario_notes(
    files: Sequence[PatternFile],
    overrides: Mapping[str, Any] | None = None,
    *,
    sources: bool = False,
) -> list[str]:
    """What ``credsim validate`` notes of the pattern files' scenario files (with the
    scenario's ``overrides``; ``link.beta`` is the pattern file's), on stderr before
    their runs, as ``run`` and ``sweep`` say them (decision 947): ``patterns check``
    and ``calibrate`` ran a withdrawal that closed nothing without a word (decision
    950); ``sources``: the missing source notes too, as ``validate`` says them. Returns
    them, for a report."""
    from sim.validate import override_texts, said_file_notes

    given = {p: v for p, v in (overrides or {}).items() if not p.startswith("link.")}
    scenarios = [pf.scenario_file for pf in files]
    return said_file_notes(scenarios, override_texts(given), sources=sources)


def cli_patterns(args: argparse.Namespace) -> int:
    """Read, run, print, write (module docstring)."""
    from sim.compiling import CompileTimer, compiled_text
    from sim.observed.votes import load_votes
    from sim.patterns import (
        discrepancies,
        load_patterns,
        observed_statistics,
        observed_under,
        prepare,
        simulate,
        simulated_statistic,
        with_observed_is,
    )
    from sim.scenario.loader import parse_overrides
    from sim.sweep.progress import Progress

    if args.reps < 1:
        raise InputError(f"--reps must be >= 1, got {args.reps}")
    _check_options(args)
    overrides = {o.path: o.value for o in parse_overrides(list(args.overrides))}
    # Both sides on the groups and names the overrides give (decision 889).
    pf, scenario = observed_under(load_patterns(args.file), overrides)
    out = Path(args.out) if args.out else Path("results") / "patterns" / pf.name
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a folder")
    # A run's, sweep's or calibration's folder is never written into (README, "Results
    # folders guard themselves"): its figures/ could be overwritten.
    refuse_results_folder(out)
    # Nor a folder of the user's: a check replaces report.md, the tables and figures/.
    refuse_foreign_folder(
        out, CHECK_FILES, "an earlier patterns check's", unfinished=[CHECKING, PREDICTING]
    )
    refuse_another_files_check(out, pf)
    require_writable(out, "--out" if args.out else None)  # before the runs, not after them
    data = load_votes(args.votes)
    if args.posterior:
        from sim.patterns.predictive import cli_predictive

        return cli_predictive(args, pf, data, out)
    observed = observed_statistics(pf, data)
    prep = prepare(pf, data)
    # After the refusals the votes find (a window they do not reach), which stay one line.
    noted = say_scenario_notes([pf], overrides)
    # A cold cache's compile is said, and left out of runs/s, as a sweep's (decision 727).
    with CompileTimer(announce=True) as timer:
        progress = Progress(
            args.reps, compiling=timer.during, compiled=compiled_text(args.engine, "runs")
        )
        sim = simulate(
            pf,
            overrides,
            reps=args.reps,
            seed=args.seed,
            votes=data,
            engine=args.engine,
            on_run=lambda: progress.update(False),
        )
    progress.clear()
    table = discrepancies(observed, {p.id: simulated_statistic(p, prep, sim) for p in pf.patterns})
    table = with_observed_is(table, pf)
    print(_printed(pf, table, sim.beta, args.reps))
    # Under `--set calendar.start` the windows are noted, and the figures' captions say
    # which years are flat, against the calendar simulated (decision 754).
    notes = [*noted, *print_notes(pf, prep, observed, scenario=scenario)]
    for note in [
        *unread_group_notes(pf, overrides),
        *undefined_notes(pf, table),
        *out_of_range_notes(pf, prep, sim),
    ]:
        print(f"credsim: note: {note}", file=sys.stderr)
        notes.append(note)
    _write(out, pf, table, prep, sim, args, scenario, notes)
    failed = int((~table["pass"]).sum())
    print(
        f"{len(table) - failed} of {len(table)} patterns pass; {progress.counted()}; "
        f"results in {out}"
    )
    return 1 if args.strict and failed else 0


def refuse_another_files_check(out: Path, pf: PatternFile) -> None:
    """Refuse an earlier check's folder when that check was of another pattern file.

    A plain check and one with ``--posterior`` of the same file share a folder (the
    default one), each replacing its own files; one of another file would leave the
    other kind's files beside its own, and neither report names the other (an audit:
    Afghanistan's posterior check beside a Syria check; decision 600).

    Raises:
        InputError: ``out``'s ``report.md`` (or the mark of a check killed while writing)
            names another pattern file, or its ``predictive.csv`` holds other patterns
            than ``pf``'s.
    """
    import pandas as pd

    from sim.fileio import unfinished_lines

    whose = ""
    report = out / "report.md"
    names = [(unfinished_lines(out, kind) or [""])[0] for kind in (CHECKING, PREDICTING)]
    if report.is_file():
        with report.open(encoding="utf-8", errors="replace") as handle:
            names.append(handle.readline().removeprefix("# Pattern check: ").strip())
    name = next((n for n in names if n and n != pf.name), "")
    whose = f"pattern file '{name}'" if name else ""
    predictive = out / "predictive.csv"
    if not whose and predictive.is_file():
        try:
            ids = set(pd.read_csv(predictive, usecols=["id"])["id"].astype(str))
        except (OSError, ValueError):
            ids = set()
        if ids != {p.id for p in pf.patterns}:
            whose = "another pattern file (its predictive.csv holds other patterns)"
    if whose:
        raise InputError(
            f"--out '{out}' holds an earlier check of {whose}, not of '{pf.name}'; "
            "choose a new or empty folder"
        )


def _check_options(args: argparse.Namespace) -> None:
    """Refuse options that would do nothing, a seed no results folder can store, and more
    runs than the run limit (:func:`sim.sweep.design.run_limit`); fill in ``--samples``.

    Raises:
        InputError: ``--samples`` or ``--variant`` without ``--posterior``; a seed past
            :data:`sim.seeds.MAX_SEED`; ``--reps`` (times ``--samples``) past the limit.
    """
    from sim.seeds import check_seed
    from sim.sweep.design import MAX_RUNS_ENV, run_limit

    check_seed(args.seed)
    if not args.posterior:
        idle = [
            f"{option} {value}"
            for option, value in (("--samples", args.samples), ("--variant", args.variant))
            if value is not None
        ]
        if idle:
            raise InputError(
                f"{' and '.join(idle)} need{'s' if len(idle) == 1 else ''} --posterior DIR "
                "(a finished calibration to draw from); without it nothing is drawn"
            )
    elif args.samples is None:
        args.samples = PREDICTIVE_SAMPLES
    runs = args.reps * (args.samples if args.posterior else 1)
    limit = run_limit()
    if runs > limit:
        what = f"--samples {number_text(args.samples)} x " if args.posterior else ""
        what += f"--reps {number_text(args.reps)}"
        raise InputError(
            f"{what} plans {number_text(runs, grouped=True)} runs, more than the limit of "
            f"{number_text(limit, grouped=True)}; ask for fewer, "
            f"or raise the limit with {MAX_RUNS_ENV}=N"
        )


# A correlation's bootstrap tolerance at or above this passes any r above 1 - it.
LOOSE_CORRELATION = 0.5
# A pattern's statistic in a caption's words: "did" alone read as jargon (an outside
# check of the README's commands, decision 934).
STATISTIC_WORDS = {"did": "difference in differences (did)"}
# A numeric tolerance of a change or did at least this wide spans a vote measure's whole
# range (decision 931).
LOOSE_CHANGE = 1.0


def print_notes(
    pf: PatternFile,
    prep: Prepared,
    observed: pd.DataFrame | None = None,
    prefix: str = "",
    scenario: Scenario | None = None,
) -> list[str]:
    """:func:`pattern_notes` on stderr, each at the file and line it is about (else after
    ``prefix``, for a file built in code); returns them."""
    notes = pattern_notes(pf, prep, observed, scenario)
    where = note_places(pf)
    for note in notes:
        print(f"credsim: note: {where(note) or prefix}{note}", file=sys.stderr)
    return notes


_NOTED_PATTERN = re.compile(r"^patterns? '([^']+)'")


def note_places(pf: PatternFile) -> Callable[[str], str]:
    """Where a note on ``pf`` is said: ``FILE:LINE: `` of the pattern it names first
    ("pattern 'gulf': ..."), else ``FILE: ``; "" for a file built in code. A note named
    no file or line, as the loader's errors do (an outside check, decision 920)."""
    if not pf.path:
        return lambda note: ""
    lines: dict[str, int] = {}
    with contextlib.suppress(InputError, OSError):
        from sim.scenario.loader import read_document, read_text

        doc = read_document(read_text(Path(pf.path), pf.path), pf.path)
        items = doc.origin.entry("patterns").entries
        tree = doc.tree.get("patterns") if isinstance(doc.tree, dict) else None
        for index, item in enumerate(tree if isinstance(tree, list) else []):
            origin = items.get(index)
            if isinstance(item, dict) and isinstance(item.get("id"), str) and origin:
                lines.setdefault(item["id"], origin.line or 0)

    def place(note: str) -> str:
        named = _NOTED_PATTERN.match(note)
        line = lines.get(named.group(1)) if named else None
        return f"{pf.path}:{line}: " if line else f"{pf.path}: "

    return place


def unread_group_notes(pf: PatternFile, overrides: Mapping[str, Any]) -> list[str]:
    """An override of a scenario group that none of the file's patterns reads (as its
    ``group`` or ``control``): it changes nothing the check compares, and the table came
    out as without it, without a word (README's example set ``outputs.groups.gulf`` on
    ``patterns/syria.yaml``, whose patterns read ``gulf_monarchies``; an outside check,
    decision 893)."""
    read = sorted({name for p in pf.patterns for name in (p.group, p.control) if name})
    notes = []
    for path in overrides:
        parts = path.split(".")
        if parts[:2] == ["outputs", "groups"] and len(parts) > 2 and parts[2] not in read:
            notes.append(
                f"--set {path}: no pattern of {pf.path or pf.name} reads group '{parts[2]}' "
                f"(they read {', '.join(read)}), so it changes nothing the check compares"
            )
    return notes


def undefined_notes(pf: PatternFile, table: pd.DataFrame) -> list[str]:
    """Why a pattern's simulated value is NaN, which the table shows without a word (an
    outside check, decision 826): for a correlation, every state of its group had the same
    mean propensity gap (alignment weights that leave the power's and the rival's utilities
    apart by the same amount for every state), so r has no spread to measure."""
    notes = []
    for pattern in pf.patterns:
        if math.isfinite(float(table["simulated"].get(pattern.id, math.nan))):
            continue
        why = (
            "every state of its group has the same mean propensity gap (as when the "
            "alignment weights of trust, ideology and affinity are 0), so r has no spread "
            "to measure"
            if pattern.statistic == "correlation"
            else "the runs gave no finite value for it"
        )
        notes.append(
            f"pattern '{pattern.id}': its simulated value is undefined (NaN): {why}; it "
            "fails, and a calibration rejects such a draw"
        )
    return notes


def out_of_range_notes(pf: PatternFile, prep: Prepared, sim: Simulation) -> list[str]:
    """One note when the predicted group means of some patterns leave 0-1, which only
    each figure's caption said (:func:`out_of_range_note`): an outside check's simulated
    changes of -1.3 to -3.2, of agreement that lies between 0 and 1, went by on the
    terminal and in report.md's table without a word. One note for the file, naming the
    furthest: most shipped files have a prediction a little past 1 somewhere."""
    past: list[tuple[float, str, str]] = []
    # A correlation reads the gaps, not the offset predictions: its r is what it is.
    changes = [p for p in pf.patterns if p.statistic != "correlation"]
    for pattern in changes:
        series = pattern_series(pattern, prep, sim)
        predicted = series.loc[series["kind"] == "predicted", "value"]
        beyond = _beyond(predicted)
        if beyond:
            excess = max(-float(predicted.min()), float(predicted.max()) - 1.0)
            past.append((excess, pattern.id, " and ".join(beyond)))
    if not past:
        return []
    _, furthest, extent = max(past)
    n = len(changes)
    which = (
        f"{len(past)} of its {n} change or did patterns"
        if len(past) < n
        else (f"all {n} of its change or did patterns" if n > 1 else "its one pattern")
    )
    return [
        f"the linear link predicts agreement outside 0-1, which votes cannot reach, for "
        f"{which} (furthest: "
        f"'{furthest}', {extent}); there a simulated change can exceed any observed one, and "
        "each figure's caption gives the extent"
    ]


def pattern_notes(
    pf: PatternFile,
    prep: Prepared,
    observed: pd.DataFrame | None = None,
    scenario: Scenario | None = None,
) -> list[str]:
    """What the observed side leaves out: states without a reference vote
    (decision 323) and window years without votes or with few roll calls (decision 348);
    windows that begin before the scenario's calendar (decision 566);
    with ``observed`` (:func:`sim.patterns.observed_statistics`), the correlations whose
    tolerance lets almost any r pass (decision 480); the dids whose group and control
    share states (decision 730). The check prints them and writes
    them into its report.md (decision 605)."""
    from sim.errors import in_words
    from sim.observed.votes import span_text
    from sim.patterns import (
        calendar_notes,
        coverage_notes,
        few_states_notes,
        left_out,
        one_window_notes,
        shared_members_notes,
        silent_members,
        window_notes,
    )
    from sim.patterns.statistics import TOLERANCE_FLOOR

    first, last = pf.link.reference
    notes = [
        f"pattern '{pid}': {in_words(names)} did not vote in the link's reference years "
        f"{span_text(first, last)}, so "
        + (
            "has no prediction and counts on neither side"
            if len(names) == 1
            else "have no prediction and count on neither side"
        )
        for pid, names in left_out(pf, prep).items()
    ]
    notes += silent_members(pf, prep)
    tolerances: dict[str, float] = (
        {} if observed is None else {str(k): float(v) for k, v in observed["tolerance"].items()}
    )
    for pattern in pf.patterns:
        tolerance = tolerances.get(pattern.id, 0.0)
        if pattern.statistic == "correlation" and tolerance >= LOOSE_CORRELATION:
            how = (
                "its bootstrap tolerance 1.96/sqrt(n - 3) for its few states"
                if (pattern.tolerance == "bootstrap")
                else "its tolerance"
            )
            # A numeric tolerance was told to be numeric (an outside check, decision 826).
            remedy = (
                "a numeric tolerance" if pattern.tolerance == "bootstrap" else "a smaller tolerance"
            )
            notes.append(
                f"pattern '{pattern.id}': a correlation passes at r >= "
                f"{1 - tolerance:.2f} ({how} is {tolerance:.2f}), so it tests little; "
                f"a larger group or {remedy} tests more"
            )
        elif (
            pattern.statistic != "correlation"
            and pattern.tolerance == "bootstrap"
            and 0.0 < tolerance <= TOLERANCE_FLOOR
        ):
            # Resampling one state (or states that all moved alike) gives no spread, so
            # the tolerance is its floor: a pass needs the model within 0.01 (decision 41
            # gives the shipped one-state patterns a numeric tolerance for that reason;
            # decision 568).
            notes.append(
                f"pattern '{pattern.id}': its bootstrap tolerance is the floor "
                f"{TOLERANCE_FLOOR:g} (resampling its states spreads the statistic less "
                "than that, as it does when they all moved alike or the group holds one "
                "state), so it passes only that close; a numeric tolerance says what miss "
                "the pattern allows"
            )
        elif (
            pattern.statistic != "correlation"
            and pattern.tolerance != "bootstrap"
            and tolerance >= LOOSE_CHANGE
        ):
            # A tolerance of 1e9 was taken without a word, where a loose correlation's is
            # said (an outside check, decision 931).
            notes.append(
                f"pattern '{pattern.id}': its tolerance {number_text(tolerance)} is at least "
                f"{LOOSE_CHANGE:g}, the whole range of a vote measure (0 to 1), so almost any "
                "simulated value passes and it tests little; a smaller tolerance tests more"
            )
    notes += shared_members_notes(pf, prep)
    notes += one_window_notes(pf, prep) + few_states_notes(pf, prep, tolerances)
    return merged_notes(
        notes + window_notes(pf) + calendar_notes(pf, scenario) + coverage_notes(pf, prep)
    )


_PATTERN_NOTE = re.compile(r"pattern '(?P<id>[^']*)': (?P<rest>.*)", re.DOTALL)


def merged_notes(notes: Sequence[str]) -> list[str]:
    """``notes`` with those that say the same of several patterns said once, where the
    first of them was: "patterns 'a' and 'b', each: its before years ..." (two notes
    alike but for their pattern read as one printed twice: two outside checks,
    decision 827)."""
    ids: dict[str, list[str]] = {}
    order: list[tuple[bool, str]] = []
    for note in notes:
        found = _PATTERN_NOTE.fullmatch(note)
        if found is None:
            order.append((False, note))
            continue
        if found["rest"] not in ids:
            ids[found["rest"]] = []
            order.append((True, found["rest"]))
        ids[found["rest"]].append(found["id"])
    out = []
    for about_patterns, text in order:
        if not about_patterns:
            out.append(text)
        elif len(ids[text]) == 1:
            out.append(f"pattern '{ids[text][0]}': {text}")
        else:
            out.append(f"patterns {in_words([repr(i) for i in ids[text]])}, each: {text}")
    return out


def _printed(pf: PatternFile, table: pd.DataFrame, beta: float, reps: int) -> str:
    from sim.observed.votes import ISSUE_CODES

    header = f"pattern file '{pf.name}' ({pf.path}): beta {beta:g}, {reps} replicate(s)"
    # The link's issue filter changes every observed value: said where they are read
    # (an outside check missed it; only report.md and the captions said it).
    code = pf.link.issue
    header += f"; roll calls on {ISSUE_CODES.get(code, code)} ({code}) only" if code else ""
    return "\n".join([header, *role_sections(table)])


def role_sections(table: pd.DataFrame) -> list[str]:
    """The printed lines of a table with a ``role`` column: the calibration patterns,
    then the held-out ones apart under their own heading (validation.md, "Pattern
    files"), each section after a blank line; a role without rows is left out."""
    lines: list[str] = []
    for role, heading in (("calibrate", "calibration patterns"), ("holdout", "held-out patterns")):
        rows = table[table["role"] == role]
        if rows.empty:
            continue
        frame = rows.drop(columns="role")
        said = target_lines(frame) if "observed_is" in frame else []
        frame = frame.drop(columns="observed_is", errors="ignore")
        space: dict[Hashable, int] = {}
        if "tolerance" in frame:
            # The file's own number (or its bootstrap): shown as given, and padded as
            # pandas pads its number columns (one place for a sign).
            frame = frame.assign(tolerance=frame["tolerance"].map(tolerance_number))
            space["tolerance"] = len("tolerance") + 1
        text = frame.to_string(float_format=table_number, col_space=space or None)
        lines += ["", heading, text, *said]
    return lines


def target_lines(table: pd.DataFrame) -> list[str]:
    """A line under a table for each pattern whose ``observed`` value is no reading of
    the votes (``observed_is``, :func:`sim.patterns.with_observed_is`): a correlation's
    1, its target, read as a measured correlation (an outside check, decision 924). The
    table's own cells keep the number alone, so that a reader of its columns (a script
    splitting the printed rows) gets numbers."""
    from sim.patterns import OBSERVED

    return [
        f"{pid}: a correlation, whose observed {table_number(value)} is its target (a "
        "perfect match), not a measured value"
        if kind == "target"
        else f"{pid}: its observed {table_number(value)} is simulated at the --truth values"
        for pid, value, kind in zip(
            table.index, table["observed"], table["observed_is"], strict=True
        )
        if kind != OBSERVED
    ]


# Past this size a table's number is shown in three significant digits.
_LARGE = 1e6


def table_number(value: float) -> str:
    """A number of the patterns table: three decimals, as :func:`sim.errors.fixed`, but
    one of seven digits or more in three significant digits (a discrepancy of 1e300,
    with a tolerance of 1e-300, printed 300 digits: an outside check; decision 803)."""
    return f"{value:.3g}" if abs(value) >= _LARGE else fixed(value)


def tolerance_number(value: float) -> str:
    """A tolerance in the patterns table: as :func:`table_number`, and one that is not 0
    but would show as ``0.000`` (a stated 0.0001) in three significant digits, so that
    the table does not show a tolerance of 0 beside a discrepancy of -571."""
    text = table_number(value)
    return f"{value:.3g}" if value != 0 and float(text) == 0.0 else text


def pattern_series(pattern: Pattern, prep: Prepared, sim: Simulation) -> pd.DataFrame:
    """``year, who, kind, value``: the group's (and control's) observed and predicted means,
    with ``roll_calls`` behind each observed one."""
    import numpy as np
    import pandas as pd

    from sim.patterns import offset_rows
    from sim.patterns.statistics import group_mean

    frames = []
    for name in (pattern.group, pattern.control):
        if name is None:
            continue
        # A change is read over the states that get a prediction; a correlation uses all.
        rows = prep.members[name] if pattern.statistic == "correlation" else offset_rows(prep, name)
        for kind, matrix in (("observed", prep.observed), ("predicted", sim.predicted)):
            values = group_mean(matrix[rows])
            keep = np.isfinite(values)
            frame = pd.DataFrame(
                {"year": prep.years[keep], "who": name, "kind": kind, "value": values[keep]}
            )
            if kind == "observed":  # the roll calls behind each value (decision 904)
                frame["roll_calls"] = prep.roll_calls[name][keep]
            frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def out_of_range_note(predicted: pd.Series) -> str:
    """A caption's sentence when a predicted value leaves 0-1, else "".

    The link is linear (validation.md), so a prediction may leave the range
    that agreement, a share of votes, cannot (decision 288).
    """
    from sim.plots.observed import Y_RANGE

    beyond = _beyond(predicted)
    if not beyond:
        return ""
    low, high = float(predicted.min()), float(predicted.max())
    # The figure's axis stops a little past 0 and 1 (Y_RANGE): say when the line leaves it.
    off = (
        ", beyond the axis (triangles on its edge mark the years)"
        if low < Y_RANGE[0] or high > Y_RANGE[1]
        else ""
    )
    return (
        f" The linear link predicts values outside 0-1 here ({' and '.join(beyond)}){off}; "
        "votes cannot."
    )


def _beyond(predicted: pd.Series) -> list[str]:
    """``["down to -0.12", "up to 1.04"]``, the parts of ``predicted`` past 0 and 1."""
    low, high = float(predicted.min()), float(predicted.max())
    beyond = []
    if low < 0:
        beyond.append(f"down to {_shown(low)}")
    if high > 1:
        beyond.append(f"up to {_shown(high)}")
    return beyond


def _shown(value: float) -> str:
    """A prediction past 0 or 1 with the decimals that show it past (1.0004, not 1.00)."""
    digits = 2
    while round(value, digits) in (0.0, 1.0) and digits < 6:
        digits += 1
    return f"{value:.{digits}f}"


def break_note(
    series: pd.DataFrame,
    roll_call_years: list[int],
    measured_years: Sequence[int] | None = None,
    kept: str = "roll call the link keeps",
) -> str:
    """A caption's sentence on the years where the figure's lines break, else "".

    A line (:func:`pattern_series`) has no value in a year without any roll call
    (1964), without a roll call the link's measure and issue keep (``measured_years``,
    the years that have one; ``kept`` says which in words), or without a vote of its
    states on those; the figure breaks the line there rather than join the years
    around it. A year of the second kind was said to have "no vote of its states" (an
    audit: 1993 on human rights between the USSR and the USA).
    """
    from sim.observed.votes import year_spans

    missing: set[int] = set()
    for _, rows in series.groupby("who"):
        years = set(rows["year"].astype(int))
        missing |= set(range(min(years), max(years) + 1)) - years
    reasons = []
    none = sorted(y for y in missing if y not in roll_call_years)
    if none:
        reasons.append(f"{' and '.join(year_spans(none))} (no roll call in the vote data)")
    unkept = sorted(
        y for y in missing - set(none) if measured_years is not None and y not in measured_years
    )
    if unkept:
        reasons.append(f"{' and '.join(year_spans(unkept))} (no {kept})")
    silent = sorted(missing - set(none) - set(unkept))
    if silent:
        reasons.append(f"{' and '.join(year_spans(silent))} (no vote of its states)")
    return f" The lines break at {' and at '.join(reasons)}." if reasons else ""


def before_calendar_note(series: pd.DataFrame, first: int) -> str:
    """A caption's sentence when the predicted lines start before ``first``, the first
    year the scenario simulates, else "": those years take the scenario's initial state
    (decision 38), so the line is flat there by construction, not a simulated stability
    (an audit of the figures)."""
    predicted = series.loc[series["kind"] == "predicted", "year"]
    if predicted.empty or int(predicted.min()) >= first:
        return ""
    start = int(predicted.min())
    span = f"{start}" if start == first - 1 else f"{start}-{first - 1}"
    return (
        f" Predictions in {span}, before the scenario's calendar, are its initial state's "
        "(flat by construction)."
    )


def pattern_title(pattern: Pattern) -> str:
    """A pattern figure's title: its id as a proper name and its role (``Gulf No Warming
    (calibration pattern)``, ``ASEAN After Fall (held-out pattern)``)."""
    from sim.plots.figure import proper

    role = "calibration" if pattern.role == "calibrate" else "held-out"
    return f"{proper(pattern.id)} ({role} pattern)"


def group_names(
    pf: PatternFile, counted: Mapping[str, tuple[int, int]] | None = None
) -> dict[str, str]:
    """Every group a pattern of ``pf`` may draw (the scenario's and the file's own) as the
    pattern figures' legend names it (:func:`sim.plots.observed.group_label`), with how
    many of its states count where ``counted`` (:func:`counted_states`) says."""
    from sim.plots.observed import group_label

    counted = counted or {}
    groups = {**pf.base_scenario.outputs.groups, **pf.groups}
    names = {
        name: group_label(name, g.model_dump(exclude_none=True), counted.get(name))
        for name, g in groups.items()
    }
    return {"all": group_label("all", None, counted.get("all")), **names}


def _write(
    out: Path,
    pf: PatternFile,
    table: pd.DataFrame,
    prep: Prepared,
    sim: Simulation,
    args: argparse.Namespace,
    scenario: Scenario,
    printed: Sequence[str] = (),
) -> None:
    """Write the table, the figures and the report into ``out`` in place of an earlier
    check's, the report last. ``scenario`` is the one simulated (the file's, changed by
    ``--set``)."""
    from sim.fileio import atomic_write_bytes, atomic_write_text, replacing, write_parquet
    from sim.observed.votes import ISSUE_CODES, span_text
    from sim.patterns import kept_roll_calls, set_text, window_coverage
    from sim.patterns.link import step_years
    from sim.plots.figure import rendered
    from sim.plots.observed import measure_label, pattern_figure

    figures = out / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    # An earlier check's files go before the first is written, its report first, and this
    # report is written last: a check killed midway left its new table beside the earlier
    # report (an audit); now it leaves its files without a report, and a mark by which it
    # takes the folder up again. The earlier figures go too: those of patterns no longer
    # in the file (an id renamed or removed) would sit beside this table's.
    earlier = [out / "report.md", out / "patterns.csv", out / "patterns.parquet"]
    with replacing(out, CHECKING, [*earlier, *sorted(figures.glob("*.png"))], [pf.name]):
        tidy = table.reset_index()
        atomic_write_text(out / "patterns.csv", tidy.to_csv(index=False))
        write_parquet(tidy, out / "patterns.parquet")
        first = int(step_years(scenario)[0])
        simulated: dict[Any, float] = table["simulated"].astype(float).to_dict()
        # The link's issue filter, which only report.md's header named (an audit, decision 567).
        code = pf.link.issue
        issue = f" roll calls on {ISSUE_CODES.get(code, code)} ({code}) only;" if code else ""
        for pattern in pf.patterns:
            row = table.loc[pattern.id]
            series = pattern_series(pattern, prep, sim)
            # What the figure cannot show: predictions past the axis, years without values.
            notes = out_of_range_note(series.loc[series["kind"] == "predicted", "value"])
            notes += break_note(
                series, prep.roll_call_years, prep.measured_years, kept_roll_calls(pf)
            )
            notes += before_calendar_note(series, first)
            gaps = "; ".join(window_coverage(pf, prep, pattern))
            if gaps:
                notes += f" {gaps[:1].upper()}{gaps[1:]} (a window averages its years with votes)."
            notes += counted_note(pattern, prep)
            names = group_names(pf, counted_states(pattern, prep))
            notes += few_note(series, names, pattern.windows().values())
            if args.overrides:
                # A figure of an overridden scenario says so (its legend names the groups;
                # the overrides were in report.md alone; decision 894).
                notes += f" Run with {set_text(list(args.overrides))}."
            # A correlation's "observed" value is its target, 1 (decision 40), not a reading.
            caption = (
                f"{pf.name}: {STATISTIC_WORDS.get(pattern.statistic, pattern.statistic)}, "
                f"{row['observed_is']} "
                f"{fixed(row['observed'])}, "
                f"simulated {fixed(row['simulated'])}, tolerance "
                f"{fixed(row['tolerance'])}, discrepancy "
                f"{fixed(row['discrepancy'], 2)} ({'pass' if row['pass'] else 'fail'}); "
                f"predicted = offset + {sim.beta:g} x propensity gap, offsets on "
                f"{span_text(*pf.link.reference)};{issue} {args.reps} "
                f"replicate(s).{notes}"
            )
            ylabel = measure_label(pf.link.measure, pf.link.power, pf.link.rival)
            ax = None
            if pattern.statistic == "correlation":
                ax, unnamed = _correlation_figure(
                    pattern, prep, sim, pf, ylabel, simulated[pattern.id]
                )
                if unnamed:
                    # At a page's width, names that would overprint another's are left
                    # out, and said here (an outside check, decision 962).
                    caption += (
                        f" Not named beside their points, as their names would overprint "
                        f"another's: {', '.join(unnamed)}."
                    )
            fig = pattern_figure(
                series,
                title=pattern_title(pattern),
                ylabel=ylabel,
                windows=pattern.windows(),
                caption=caption,
                names=names,
                ax=ax,
            )
            atomic_write_bytes(figures / f"{pattern.id}.png", rendered(fig))
        # A figure wider than --width is said here, and kept in the report with the
        # other notes (decision 605), not after it by the command's wrapper (decision 955).
        from sim.plots.figure import too_wide_notes

        wide = too_wide_notes()
        for note in wide:
            print(f"credsim: note: {note}", file=sys.stderr)
        report = _report(pf, table, sim.beta, args, [*printed, *wide])
        atomic_write_text(out / "report.md", report)


def few_note(
    series: pd.DataFrame,
    names: Mapping[str, str],
    windows: Iterable[tuple[int, int]] = (),
) -> str:
    """The caption's sentence on the hollow markers of :func:`sim.plots.observed.
    pattern_figure`: the observed years, of each line, that rest on fewer than
    ``FEW_ROLL_CALLS`` roll calls (decision 904); those in one of ``windows`` are named
    by the windows' own sentence before it, and are not named again (an outside check,
    decision 910). "" when no year is drawn hollow."""
    from sim.observed.votes import FEW_ROLL_CALLS, few_roll_calls
    from sim.plots.observed import group_label

    observed = series[series["kind"] == "observed"]
    if "roll_calls" not in observed:
        return ""
    spans = list(windows)
    parts, hollow, named_above = [], False, False
    for who, rows in observed.groupby("who", sort=False):
        in_window = [any(a <= y <= b for a, b in spans) for y in rows["year"]]
        outside = rows[[not w for w in in_window]]
        thin = few_roll_calls(outside["year"], outside["roll_calls"])
        named = bool(few_roll_calls(rows[in_window]["year"], rows[in_window]["roll_calls"]))
        hollow |= bool(thin) or named
        named_above |= named
        if thin:
            parts.append(f"{names.get(str(who)) or group_label(str(who))} in {', '.join(thin)}")
    if not hollow:
        return ""
    # With years named both here and above, the list read as the whole of them (an
    # outside check, decision 931).
    besides = "; and the years in the windows named above" if named_above else ""
    said = f": {'; '.join(parts)}{besides}" if parts else " (the years named above)"
    return (
        f" Hollow markers, joined by dotted lines: observed values resting on fewer than "
        f"{FEW_ROLL_CALLS} roll calls{said}."
    )


def counted_note(pattern: Pattern, prep: Prepared) -> str:
    """The caption's sentence on a change or did whose groups count fewer states than
    they hold: only states that voted in the link's reference years get a prediction
    (decision 313). The legend gave a group's listed members alone, and read as if all
    counted (an audit, decision 571); it now gives both (decision 836), and of a
    correlation those that voted in its years (decision 1022). Empty when every state
    counts."""
    parts = [
        f"'{name}' {counted} of its {total} states"
        for name, (counted, total) in counted_states(pattern, prep).items()
    ]
    if not parts:
        return ""
    if pattern.statistic == "correlation":
        from sim.observed.votes import span_text

        first, last = pattern.windows()["years"]
        return f" Counted, as voting in {span_text(first, last)}: {'; '.join(parts)}."
    return f" Counted, as voting in the link's reference years: {'; '.join(parts)}."


def counted_states(pattern: Pattern, prep: Prepared) -> dict[str, tuple[int, int]]:
    """(states counted, states listed) of the pattern's group and control, those that
    count fewer states than they hold (:func:`counted_note`): of a change or did the
    states that voted in the link's reference years, of a correlation those that voted in
    its years (the legend said "(7 members)" of a correlation of 6 states; an outside
    check, decision 1022)."""
    import numpy as np

    from sim.patterns import offset_rows
    from sim.patterns import statistics as stats

    if pattern.statistic == "correlation":
        rows = prep.members[pattern.group]
        means = stats.window_mean(prep.observed[rows], prep.years, pattern.windows()["years"])
        voted = int(np.isfinite(means).sum())
        return {pattern.group: (voted, len(rows))} if voted < len(rows) else {}
    found = {}
    for name in (pattern.group, pattern.control):
        if name is None:
            continue
        counted, total = len(offset_rows(prep, name)), len(prep.members[name])
        if counted < total:
            found[name] = (counted, total)
    return found


def _correlation_figure(
    pattern: Pattern, prep: Prepared, sim: Simulation, pf: PatternFile, ylabel: str, r: float
) -> tuple[Axes, list[str]]:
    """A two-panel figure for a correlation pattern: the statistic across the states
    below (:func:`sim.plots.observed.correlation_panel`, ``r`` its value); the axes above,
    for the yearly series, is returned, with the states not named beside their points
    (:func:`~sim.plots.observed.correlation_panel`). A series of the group's means alone
    did not show what the pattern tests, a correlation across states (an audit of the
    figures)."""
    import matplotlib.pyplot as plt

    from sim.observed.names import in_text
    from sim.patterns import correlated
    from sim.plots.figure import page_width, set_theme
    from sim.plots.observed import correlation_panel

    set_theme()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 7.6), gridspec_kw={"hspace": 0.55})
    if page_width() is not None:
        _page_panels(fig, [top, bottom], ylabel)
    gap, votes = correlated(pattern, prep, sim)
    unnamed = correlation_panel(
        bottom,
        gap,
        votes,
        [prep.states[i] for i in prep.members[pattern.group]],
        r=r,
        years=pattern.windows()["years"],
        xlabel=(
            f"Propensity gap in the model, {in_text(pf.link.power)} minus "
            f"{in_text(pf.link.rival)} (mean)"
            if pf.link.rival
            else f"Propensity towards {in_text(pf.link.power)} in the model (mean)"
        ),
        ylabel=ylabel,
    )
    return top, unnamed


def _page_panels(fig: Figure, axes: Sequence[Axes], ylabel: str) -> None:
    """The correlation figure at a page's width, before its panels are drawn: the
    figure as wide as the page, the panels from their y labels (measured) to the page's
    right less a margin. Drawn 7 in wide and narrowed when saved, its point names were
    placed on the wide figure and ran together on the narrow one, and its year ticks too
    ("20102012201420 16"; an outside check, decision 962)."""
    import matplotlib.pyplot as plt

    from sim.plots.figure import DPI, _saved_renderer, page_width
    from sim.plots.observed import Y_RANGE

    width = page_width() or 0.0
    fig.set_figwidth(width)
    for ax in axes:
        ax.set_ylabel(ylabel)
        ax.set_ylim(*Y_RANGE)
    renderer = _saved_renderer(fig)
    over = (
        max(
            ax.get_window_extent(renderer).x0 - ax.yaxis.get_tightbbox(renderer).x0  # type: ignore[union-attr]
            for ax in axes
        )
        / DPI
    )
    pad = float(plt.rcParams["savefig.pad_inches"])
    # The tight box starts at the y label: the panels start that far in, and end short of
    # the page by the saved file's padding and the last tick label's overhang.
    fig.subplots_adjust(left=(over + 0.04) / width, right=1.0 - (2 * pad + 0.08) / width)


def _report(
    pf: PatternFile,
    table: pd.DataFrame,
    beta: float,
    args: argparse.Namespace,
    notes: Sequence[str] = (),
) -> str:
    from sim.observed.votes import span_text

    overrides = " ".join(f"--set {o}" for o in args.overrides)
    lines = [
        f"# Pattern check: {pf.name}",
        "",
        f"`credsim patterns check {pf.path} --reps {args.reps} --seed {args.seed}"
        f" --engine {args.engine}{' ' + overrides if overrides else ''}"
        f"{f' --width {args.width:g}' if getattr(args, 'width', None) else ''}`",
        "",
        f"Scenario `{pf.scenario}`; link: {pf.link.measure} with {pf.link.power} against "
        f"{pf.link.rival}, beta {beta:g}, offsets on "
        f"{span_text(*pf.link.reference)}{', issue ' + pf.link.issue if pf.link.issue else ''}.",
        f"{int(table['pass'].sum())} of {len(table)} patterns pass.",
    ]
    for role, heading in (("calibrate", "Calibration patterns"), ("holdout", "Held-out patterns")):
        rows = table[table["role"] == role]
        if rows.empty:
            continue
        lines += [
            "",
            f"## {heading}",
            "",
            "| pattern | observed | simulated | tolerance | discrepancy | pass |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for pid, r in rows.iterrows():
            lines.append(
                f"| {pid} | {fixed(r['observed'])} | {fixed(r['simulated'])} | "
                f"{fixed(r['tolerance'])} | {fixed(r['discrepancy'], 2)} | "
                f"{'yes' if r['pass'] else 'no'} |"
            )
        if "observed_is" in rows:
            said = target_lines(rows)
            lines += ["", *said] if said else []
    if notes:
        # What the check printed on stderr, kept with its table: which states count on
        # neither side, thin windows and the like (an outside check found them only on
        # the terminal and in a caption; decision 605).
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    lines += ["", "## Patterns", ""]
    for pattern in pf.patterns:
        lines += [
            f"### {pattern.id}",
            "",
            f"![{pattern.id}](figures/{pattern.id}.png)",
            "",
            pattern.source.strip(),
            "",
        ]
    return "\n".join(lines)
