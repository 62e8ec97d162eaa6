"""The report page: ``RESULTS_DIR/report.html``, one self-contained file.

In reading order: the contents; the headline (an experiment's question and
its answer, with the headline figure); every figure with its caption (once,
under the figure; the figure files carry none, ``plots/captions.md`` lists
them); then the tables, collapsed: what was run (from the manifest), the
failed runs, and the summary (a run's summary metrics; for a sweep, each
metric's mean and 2.5-97.5 percentiles of the replicates per scenario at
the design point the figures show). Figures are embedded as base64 data at
the files' resolution, so the page opens from disk with no other file.
While the figures are drawn, a terminal shows how many are done of how many,
as a sweep shows its runs (:class:`FigureProgress`).
"""

from __future__ import annotations

import base64
import contextlib
import html
import math
import multiprocessing
import os
import re
import signal
import sys
import warnings
from collections.abc import Generator
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, TextIO, cast

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from sim.analysis.paired import reference_values, runs_at, value_text
from sim.errors import count_text
from sim.fileio import (
    atomic_write_bytes,
    atomic_write_text,
    begin_writing,
    end_writing,
    refuse_folders_in_the_way,
    remove_leftovers,
    unfinished_lines,
)
from sim.forkserver import die_with_parent
from sim.integrity import DRAWING, done_text, status_text
from sim.plots.figure import (
    DPI,
    PAGE_HEIGHT_IN,
    WIDTH_SLACK_IN,
    at_page_width,
    group_phrases,
    held_text,
    metric_label,
    parameter_label,
    render,
    save_dpi,
    saved_size_in,
    too_tall_words,
)
from sim.plots.gallery import (
    SENSITIVITY_METHODS,
    Entry,
    Selection,
    difference_left_out,
    figures_for,
    groups_missing_from_sets,
    selection_of,
    unvarying_families,
)
from sim.plots.glyphs import MISSING_WORDS
from sim.plots.headline import headline_of, no_answer_text
from sim.plots.sweeps import FLAT_WORDS
from sim.results import RUN, Results, open_results, unfinished
from sim.scenario.loader import parse_overrides
from sim.sweep.progress import Progress, _duration

CAPTIONS = "captions.md"
REPORT = "report.html"
_MIME = {"png": "image/png", "svg": "image/svg+xml"}
PAGE_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1200px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444;margin-top:.3em}code{font-size:.9em}
.answer{font-size:1.1em;background:#f4f6fa;border-left:4px solid #0072B2;padding:.6em 1em}
.warning{background:#fff4e5;border-left:4px solid #E69F00;padding:.6em 1em}
details{margin:.6em 0}summary{cursor:pointer;font-weight:600}nav ol{margin:.3em 0}
"""


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f'<td class="num">{"" if math.isnan(value) else f"{value:.4g}"}</td>'
    if isinstance(value, (dict, list)):
        return f"<td><code>{html.escape(str(value))}</code></td>"
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _points(points: Any) -> str:
    """A design's number of points in words: "1 point" (it said "grid, 1 points")."""
    return count_text(points, "point") if isinstance(points, int) else f"{points} points"


def _in_words(values: dict[str, Any]) -> str:
    """Parameters and their values for a reader: ``trust: memory 0.95, 0.98, 0.99;
    trust: negativity bias 1 to 4`` (a grid's values, a sampled design's range)."""

    def shown(value: Any) -> str:
        if isinstance(value, dict) and {"low", "high"} <= set(value):
            return f"{value['low']:g} to {value['high']:g}"
        if isinstance(value, list | tuple):
            return ", ".join(shown(v) for v in value)
        return (
            f"{value:g}"
            if isinstance(value, int | float) and not isinstance(value, bool)
            else str(value)
        )

    return "; ".join(f"{parameter_label(p)} {shown(v)}" for p, v in values.items())


def _overrides(given: Any) -> dict[str, Any]:
    """A run's overrides as ``{path: value}``, from the manifest's list or mapping."""
    return {o.path: o.value for o in parse_overrides(given)}


def _status(manifest: dict[str, Any], folder: Path | None) -> Any:
    """A sweep's status for the page: a finished sweep's failed runs are results of it,
    not run again in place (experiments.md: "a failing run is recorded ... and the
    sweep goes on"), so it stays ``complete`` and says how many failed beside it, as
    ``credsim check`` does. "complete" alone was read of a sweep whose every run failed
    (an outside check)."""
    status = status_text(folder, manifest) if folder else manifest.get("status")
    counts = manifest.get("counts") or {}
    failed, done = counts.get("failed"), counts.get("done")
    if status != "complete" or not isinstance(failed, int) or not failed:
        return status
    if failed == done:
        return f"complete, but every run failed ({failed} of {count_text(done, 'run')})"
    return f"complete ({failed} of {count_text(int(done or 0), 'run')} failed)"


def run_facts(manifest: dict[str, Any], folder: Path | None = None) -> list[tuple[str, Any]]:
    """What was run, as (field, value) pairs for the report's first table.

    ``folder`` (the results folder) counts an unfinished sweep's committed runs
    (:func:`sim.integrity.done_text`); the manifest's counts are those of its start.
    """
    git = manifest.get("git") or {}
    commit = git.get("commit") or "unknown"
    if git.get("dirty"):
        commit += " (uncommitted changes)"
    if manifest["kind"] == RUN:
        facts: list[tuple[str, Any]] = [
            ("scenario", manifest.get("scenario_name")),
            ("scenario file", manifest.get("source")),
            # A run's manifest keeps its overrides as given: PATH=VALUE strings or a mapping.
            ("overrides", _in_words(_overrides(manifest.get("overrides"))) or "none"),
            ("seed", manifest.get("seed")),
            ("recorded", manifest.get("record")),
        ]
    else:
        design = manifest.get("design", {})
        counts = manifest.get("counts", {})
        facts = [
            ("experiment", manifest.get("experiment_name")),
            ("scenarios", ", ".join(manifest.get("scenarios", {}))),
            ("design", f"{design.get('method')}, {_points(design.get('points'))}"),
            ("varied parameters", _in_words(design.get("parameters") or {})),
            ("replicates", manifest.get("replicates")),
            ("seed", manifest.get("seed")),
            ("recorded", manifest.get("record")),
            ("status", _status(manifest, folder)),
            (
                "runs",
                f"{done_text(folder, manifest)} done"
                + (f", {counts.get('failed')} failed" if counts.get("failed") else "")
                if folder is not None and manifest.get("status") != "complete"
                else f"{counts.get('done')} done of {counts.get('planned')}, "
                f"{counts.get('failed')} failed",
            ),
        ]
    facts += [
        ("command", " ".join(manifest.get("command", []))),
        ("credsim", manifest.get("credsim")),
        ("git commit", commit),
        ("host", manifest.get("host")),
        ("started", manifest.get("started")),
        ("finished", manifest.get("finished")),
    ]
    return facts


def summary_table(results: Results, runs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The summary: for a run, ``metric, description, value``; for a sweep, ``metric,
    description`` and per scenario ``mean [2.5%, 97.5%]`` across ``runs`` (default:
    every finished run)."""
    runs = results.ok_runs if runs is None else runs
    phrases = group_phrases(results.scenarios)
    described = {m: metric_label(m, phrases)[0] for m in results.metrics}
    if results.kind == RUN:
        row = runs.iloc[0]
        return pd.DataFrame(
            [(m, d, float(row[m])) for m, d in described.items()],
            columns=["metric", "description", "value"],
        )
    table = pd.DataFrame({"metric": list(described), "description": list(described.values())})
    for scenario, cell in runs.groupby("scenario", sort=False):
        values = cell[list(described)]
        mean, lo, hi = values.mean(), values.quantile(0.025), values.quantile(0.975)
        # One run has no spread: "0.637 [0.637, 0.637]" read as an interval of width zero
        # (an outside check); the value alone, and the heading says why (cells_text).
        # A metric of a power or group the scenario does not have is NaN in every run: a
        # sweep over two cases printed 696 cells "nan [nan, nan]" (an outside check); it is
        # a dash, which cells_text explains.
        table[f"{scenario} (n={len(cell)})"] = [
            ABSENT
            if values[m].isna().all()
            else f"{mean[m]:.3g}"
            if len(cell) == 1
            else f"{mean[m]:.3g} [{lo[m]:.3g}, {hi[m]:.3g}]"
            for m in described
        ]
    return table


# A summary cell of a metric no run of the column's scenario has a value of.
ABSENT = "\u2013"


POLES_NOTE = (
    "The effective number of poles in this table counts the aligned states only (1 / sum "
    "of the squared shares of the powers among the states aligned with one, 0 where none "
    "is), as summary.json and series.parquet record it; the alignment figure counts the "
    "non-aligned as one pole of their own, so the two differ wherever some states are "
    "non-aligned: one state aligned and one non-aligned are 1 pole here and 2 there."
)


def _poles_note(summary: pd.DataFrame, stems: list[str]) -> str:
    """The page's sentence beside the summary table that reconciles its effective number
    of poles (aligned states, the recorded metric) with the alignment figure's, which
    counts the non-aligned as a pole (decision 94); ``""`` where the page has not both.
    A run of one state aligned and one non-aligned read 1.0 in the table and 2.0 in the
    figure under one name (an outside check); captions.md keeps the figure's own words."""
    if "metric" not in summary or not any(s.startswith("alignment") for s in stems):
        return ""
    metrics = summary["metric"].astype(str)
    has = metrics.str.startswith("effective_poles") | (metrics == "final_effective_poles")
    return POLES_NOTE if bool(has.any()) else ""


def cells_text(results: Results, summary: pd.DataFrame) -> str:
    """What a sweep's summary cell holds, for the table's heading (``""`` for a run): the
    mean of the runs and their 2.5th and 97.5th percentiles, or the value alone in a
    column of one run (:func:`summary_table`), which has no interval."""
    if results.kind == RUN:
        return ""
    ones = [c for c in summary.columns if c.endswith(" (n=1)")]
    spread = "; each cell: mean of the runs [2.5th, 97.5th percentile]"
    absent = (
        f"; {ABSENT} where the scenario has no value of it (a power or group it does not have)"
        if (summary.iloc[:, 2:] == ABSENT).any(axis=None)
        else ""
    )
    if not ones:
        return spread + absent
    if len(ones) == len(summary.columns) - 2:
        return "; each cell: the value of the one run (one run has no interval)" + absent
    return f"{spread}, or the value alone where a column holds one run (no interval){absent}"


def data_uri(data: bytes, fmt: str) -> str:
    """An image as a ``data:`` address, so that a page holds its figures itself."""
    return f"data:{_MIME[fmt]};base64,{base64.b64encode(data).decode('ascii')}"


def _remove_old_figures(plots: Path) -> list[Path]:
    """Delete the figure files an earlier ``plot`` listed in ``captions.md``, or was to
    draw when it was killed (its marker's list, :data:`DRAWING`), only those, and the
    temporary files of one killed while writing, so the folder holds this drawing's
    figures and no stale ones.

    A folder at such a name is not a figure, and this drawing writes nothing there (a
    folder at a figure it plans is refused before): it is left as it is, and returned
    for a note. Unlinking it ended the drawing in "is a folder; a file was expected
    there" after the earlier figures listed before it were deleted (an audit).

    Returns:
        The folders left at an earlier figure's name.
    """
    remove_leftovers(plots)
    names = [n for n in unfinished_lines(plots, DRAWING) or [] if "/" not in n]
    listing = plots / CAPTIONS
    if listing.is_file():
        names += re.findall(r"^- `([^`/]+)`:", listing.read_text(), flags=re.MULTILINE)
    kept = []
    for name in dict.fromkeys(names):
        path = plots / name
        if path.is_dir() and not path.is_symlink():
            kept.append(path)
        else:
            path.unlink(missing_ok=True)
    return kept


def _figure_html(stem: str, data: bytes, fmt: str, caption: str) -> str:
    return (
        f'<figure id="{stem}"><img src="{data_uri(data, fmt)}" alt="figure {html.escape(stem)}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{html.escape(summary)}</summary>{body}</details>"


class FigureProgress(Progress):
    """Counts the figures drawn and shows them: on a terminal (stderr a tty) one line,
    redrawn a few times a second, of figures done/total, figures per second and time
    left; the sweep's :class:`~sim.sweep.progress.Progress` counting figures, not runs.

    Args:
        stream: where to draw (default stderr).
        live: redraw the line; default: when ``stream`` is a terminal.
    """

    def __init__(self, *, stream: TextIO | None = None, live: bool | None = None) -> None:
        super().__init__(0, stream=stream, live=live)

    def line(self) -> str:
        """The progress line: figures done/total, figures per second, time left."""
        left = self.total - self.done
        eta = _duration(left / self.rate) if self.rate > 0 else "?"
        pct = 100.0 * self.done / self.total if self.total else 100.0
        return (
            f"{self.done}/{self.total} figures ({pct:.0f}%), {self.rate:.1f} figures/s, ETA {eta}"
        )

    def closing(self, where: str) -> str:
        """The closing line: figures, elapsed, figures per second, ``where`` they are."""
        drawn = count_text(self.done, "figure")
        return f"{drawn} in {_duration(self.elapsed)} ({self.rate:.1f} figures/s); {where}"


SUMMARY_ONLY = (
    "trust, alignment and affinity over time: the sweep recorded its runs' summaries only "
    "(record: summary); run it again with --record series (a new results folder) to draw "
    "them"
)


def _one_value_text(results: Results) -> str:
    """Why a sweep whose finished runs hold one value of each varied parameter has
    nothing to draw, one clause (``""`` when some parameter has two values or more):
    one value was run, or the runs at the others failed. "No summary changed across the
    values ... by enough to draw" was said of a sweep of one value, and of one whose
    second value's runs all failed (an outside check)."""
    ok = results.ok_runs
    if any(ok[p].nunique(dropna=False) > 1 for p in results.varied):
        return ""
    said = []
    for p in results.varied:
        value = value_text(ok[p].iloc[0])
        lost = [v for v in dict.fromkeys(results.runs[p]) if not (ok[p] == v).any()]
        if not lost:
            said.append(f"the sweep ran one value of {parameter_label(p)} ({value})")
            continue
        failed = ", ".join(value_text(v) for v in lost)
        their = "the runs at the other value" if len(lost) == 1 else "the runs at the other values"
        said.append(
            f"only one value of {parameter_label(p)} ({value}) has finished runs: "
            f"{their} ({failed}) failed (the report page lists their errors)"
        )
    return "; ".join(said)


def no_figures_text(results: Results, selection: Selection | None = None) -> str:
    """Why a folder's page has no figure: it said "recorded no series and varied nothing"
    of a sweep that varied a parameter whose values changed no summary (decision 618).
    Under a ``selection`` that narrows the powers, groups or families (``plot --metrics``,
    ``--groups``, ``--powers``, or the experiment's ``plots:``) it speaks of the summaries
    chosen only: others may vary (decision 854)."""
    if results.ok_runs.empty:
        return "No figures: no run finished."
    if results.kind == RUN:
        return (
            "No figures: the run recorded its summary only (--record summary); run it again "
            "with --record series to draw its trajectories."
        )
    if not results.varied:
        return "No figures: the folder recorded no series and varied nothing."
    one_value = _one_value_text(results)
    if one_value:
        return (
            f"No figures: the folder recorded summaries only, and {one_value}, so there is "
            "nothing to draw a summary against (a figure draws a summary across a "
            "parameter's values); the table below lists the values."
        )
    varied = ", ".join(parameter_label(p) for p in results.varied)
    if selection is not None and (selection.powers or selection.groups or selection.families):
        chosen = "; ".join(
            f"{what} {', '.join(names)}"
            for what, names in (
                ("families", selection.families),
                ("groups", selection.groups),
                ("powers", selection.powers),
            )
            if names
        )
        return (
            "No figures: the folder recorded summaries only, and the summaries chosen "
            f"({chosen}) do not change across the values of {varied} (a figure draws only "
            "what varies). Other summaries may: choose them with credsim plot's --metrics, "
            "--groups and --powers."
        )
    # "those values gave the same numbers in every run" was said of summaries that moved
    # by 3e-5, below the figures' threshold (an outside check, decision 974).
    return (
        "No figures: the folder recorded summaries only, and no summary changed across the "
        f"values of {varied} by enough to draw (a figure draws only what varies, and a "
        f"summary counts as unchanged where {FLAT_WORDS}); the table below lists the values."
    )


# A figure as the page needs it: the file's bytes, the page's bytes and their format
# (a PNG for a PDF), and the caption (read off the drawn figure).
Drawn = tuple[bytes, bytes, str, str]

# The report's figures, for the processes :func:`drawn` forks to draw them: each reads
# the list it was forked with (nothing is pickled to it but an index).
_TO_DRAW: tuple[list[Entry], str] | None = None


def draw_entry(entry: Entry, fmt: str) -> Drawn:
    """``entry`` drawn: its file in ``fmt``, what the page embeds, and its caption."""
    data = render(entry.figure, fmt)
    # The page embeds a PNG at DPI, whatever --dpi the files take (decision 1024).
    shown, shown_fmt = (
        (data, fmt)
        if fmt in _MIME and (fmt != "png" or save_dpi() == DPI)
        else (render(entry.figure, "png", DPI), "png")
    )
    plt.close(entry.figure)
    return data, shown, shown_fmt, entry.caption


def _drawing_process() -> None:
    """A drawing process: it dies with the command, and leaves Ctrl-C and SIGTERM to it
    (the command's handlers would raise in each process; the pool is ended by the
    command's own clean-up)."""
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)


def _draw_forked(index: int) -> tuple[int, Drawn | Exception, list[str]]:
    """Entry ``index`` drawn, or the error that stopped it, with its index and the words
    it drew as boxes (:mod:`sim.plots.glyphs`, which this process's list of them keeps
    only until it ends): the figures come back in the order they finish, and the command
    takes them in its own."""
    assert _TO_DRAW is not None
    entries, fmt = _TO_DRAW
    MISSING_WORDS.clear()
    try:
        drawing: Drawn | Exception = draw_entry(entries[index], fmt)
    except Exception as exc:  # raised by the command when this figure's turn comes
        drawing = exc
    return index, drawing, list(MISSING_WORDS)


# The figures that take longest to draw (about a second each for make run's sweep, the
# others a fifth), handed out first so that the processes finish together: given in the
# report's order, the heatmap came last and one process drew it alone for 0.7 s.
_SLOW_FIRST = ("trust_trajectories", "trajectories_across", "alignment", "heatmap")


def dispatch_order(entries: list[Entry]) -> list[int]:
    """The entries' indices in the order they are handed out: the slow kinds first (in
    the report's order), then the others (decision 879)."""
    slow = [i for i, e in enumerate(entries) if e.stem.startswith(_SLOW_FIRST)]
    first = set(slow)
    return [*slow, *(i for i in range(len(entries)) if i not in first)]


def drawing_processes(n_figures: int) -> int:
    """How many processes draw a report's figures: one a core, at most one a figure;
    1 (this process alone) where processes cannot be forked (decision 874)."""
    if not sys.platform.startswith("linux") or n_figures < 2:
        return 1
    return max(1, min(len(os.sched_getaffinity(0)), n_figures))


# A drawing process that hands back no figure for this long is taken to be stuck (a
# figure takes about a second; the slowest seen, a 10,000-run sweep's heatmap, under 5 s),
# and the figures it and the others still owe are drawn in the command's own process.
STALL_S = 120.0


def drawn(
    entries: list[Entry], fmt: str, processes: int | None = None
) -> Generator[Drawn, None, None]:
    """Each entry drawn (:func:`draw_entry`), in order; on more than one process when
    ``processes`` (default :func:`drawing_processes`) says so.

    Matplotlib draws in one thread, and a sweep's report spent some 4 of its 6 seconds
    drawing and encoding its eight figures one after the other. The processes are
    forked from this one, so they hold the planned figures and their tables as they are
    (nothing is sent to them but an index), and each figure comes back as the bytes
    this process would have made (``tests/test_report_parallel.py``).

    A drawing process that dies gives its figure back to this process, which draws it;
    one that hands back nothing for :data:`STALL_S` seconds (a lock a thread of this
    process held as it forked stays held in the child for good) is killed with the
    others, and this process draws what they still owe (decision 1039). Each process
    has a pipe of its own, so a process killed mid-message leaves no lock held that
    another must take (a ``multiprocessing.Pool`` shares one queue, and its
    ``terminate`` waits on that queue's lock).
    """
    global _TO_DRAW
    processes = drawing_processes(len(entries)) if processes is None else processes
    if processes <= 1:
        for entry in entries:
            yield draw_entry(entry, fmt)
        return
    _TO_DRAW = (entries, fmt)
    context = multiprocessing.get_context("fork")
    workers: dict[Connection, Any] = {}
    try:
        with warnings.catch_warnings():
            # Python 3.12 warns that forking a process with threads (Arrow's, numba's)
            # may deadlock the child; the child only draws (matplotlib, pandas, Arrow,
            # whose pools are made anew after a fork), and a child that does lock up is
            # killed after STALL_S.
            warnings.filterwarnings("ignore", ".*fork.*", DeprecationWarning)
            for _ in range(processes):
                ours, theirs = context.Pipe()
                process = context.Process(target=_drawing_loop, args=(theirs,), daemon=True)
                process.start()
                theirs.close()
                workers[ours] = process
        yield from _handed_out(entries, fmt, workers)
    finally:
        _TO_DRAW = None
        for conn, process in workers.items():
            process.kill()
            process.join()
            conn.close()


def _handed_out(
    entries: list[Entry], fmt: str, workers: dict[Connection, Any]
) -> Generator[Drawn, None, None]:
    """The entries drawn by ``workers`` (each an index at a time, the slow ones first),
    yielded in order; what a worker that died or stalled owed, drawn here."""
    waiting = list(reversed(dispatch_order(entries)))
    busy: dict[Connection, int] = {}
    done: dict[int, tuple[Drawn | Exception, list[str]]] = {}

    def hand_out(conn: Connection) -> None:
        if not waiting:
            return
        index = waiting.pop()
        try:
            conn.send(index)
        except OSError:  # the process died before it was given work: others draw it
            waiting.append(index)
            return
        busy[conn] = index

    for conn in workers:
        hand_out(conn)
    for index in range(len(entries)):
        while index not in done:
            if not busy:  # every process died or stalled: this one draws the rest
                done[index] = _drawn_here(entries[index], fmt)
                break
            ready = wait(list(busy), timeout=STALL_S)
            if not ready:
                stuck = sorted(busy.values())
                print(
                    f"credsim: note: no figure came back from the drawing processes in "
                    f"{STALL_S:.0f} s (figures {', '.join(str(i + 1) for i in stuck)}); "
                    "the rest are drawn in this process",
                    file=sys.stderr,
                )
                for conn in busy:
                    workers[conn].kill()
                waiting.extend(busy.values())
                busy.clear()
                continue
            for one in ready:
                conn = cast(Connection, one)
                owed = busy.pop(conn)
                try:
                    finished, result, words = conn.recv()
                except (EOFError, OSError):  # the process died: this one draws its figure
                    done[owed] = _drawn_here(entries[owed], fmt)
                    continue
                done[finished] = (result, words)
                hand_out(conn)
        result, words = done.pop(index)
        if isinstance(result, Exception):
            raise result
        # The words the drawing process drew as boxes, from it: reading them off
        # `entries[index].figure` here drew every figure a second time in this
        # process, one after the other, and left it open (decision 991).
        for word in words:
            MISSING_WORDS.setdefault(word)
        yield result


def _drawn_here(entry: Entry, fmt: str) -> tuple[Drawn | Exception, list[str]]:
    """``entry`` drawn in this process, as a drawing process hands it back."""
    try:
        return draw_entry(entry, fmt), []
    except Exception as exc:
        return exc, []


def _drawing_loop(conn: Connection) -> None:
    """A drawing process: draws each index the command sends, and sends it back."""
    _drawing_process()
    while True:
        try:
            index = conn.recv()
        except EOFError:  # the command is done with it
            return
        conn.send(_draw_forked(index))


# The SHA-256 of the runs.parquet a sweep's page was drawn from, in the page's head: what
# `credsim check` compares to say a page is older than its runs (decision 1012).
RUNS_META = "credsim-runs-sha256"


def runs_meta(folder: Path) -> str:
    """The page's ``<meta>`` naming the runs it was drawn from (``""`` for a folder
    without ``runs.parquet``: a single run)."""
    from sim.integrity import digest

    runs = Path(folder) / "runs.parquet"
    if not runs.is_file():
        return ""
    return f"<meta name='{RUNS_META}' content='{digest(runs)[0]}'>"


def drawn_runs(page: Path) -> str | None:
    """The SHA-256 of the runs a report page was drawn from (:func:`runs_meta`), or None
    for a page written before it was recorded."""
    head = page.read_text(encoding="utf-8", errors="replace")[:4096]
    found = re.search(rf"<meta name='{RUNS_META}' content='([0-9a-f]{{64}})'>", head)
    return found.group(1) if found else None


def past_the_page(name: str, data: bytes, width: float | None) -> list[str]:
    """The note of a saved figure file ``name`` (its bytes ``data``) wider than ``width``
    inches or taller than a page, read back from the file at its own resolution; none
    without a page's width (``--width``)."""
    if width is None:
        return []
    wide, tall = saved_size_in(data, name.rsplit(".", 1)[-1])
    tall_words = too_tall_words(tall) if tall > PAGE_HEIGHT_IN + WIDTH_SLACK_IN else ""
    if wide > width + WIDTH_SLACK_IN:
        return [
            f"{name} is {wide:.2f} in wide, wider than --width {width:g}: a row of its panels "
            "with their labels needs more room than that"
            + (f"; and {tall_words}" if tall_words else "")
        ]
    # Said as a figure too wide is (decision 960), in one note with it.
    return [f"{name} is {tall_words}"] if tall_words else []


def write_report(
    results_dir: str | Path,
    out: str | Path | None = None,
    fmt: str = "png",
    selection: Selection | None = None,
    progress: FigureProgress | None = None,
    left_out: list[str] | None = None,
    width: float | None = None,
) -> Path:
    """Draw every figure of a results folder into ``out`` and write ``report.html``.

    Args:
        results_dir: a run or sweep folder.
        out: folder for the figure files and the page, so that ``plot --out`` writes
            nothing into the results folder (default: the figures in
            ``RESULTS_DIR/plots``, the page in ``RESULTS_DIR``).
        fmt: file format of the figures: ``png``, ``svg`` or ``pdf``. The page
            embeds the same PNG or SVG; for PDF it embeds a PNG rendering.
        selection: what the figures show (default: the experiment file's ``plots:``).
        progress: counts the figures drawn (default: a new one, drawn on stderr when it
            is a terminal); its line is cleared at the end.
        left_out: given, it receives what the page says under "Not drawn" (the chosen
            families that vary with no parameter, :func:`unvarying_families`), for
            ``plot`` to print.
        width: a page's width in inches (``plot --width``): each figure is drawn to fit
            it (:func:`~sim.plots.figure.at_page_width`); one that cannot is said in
            ``left_out``'s list as wider.

    Returns:
        The path of the page: ``OUT/report.html``, else ``RESULTS_DIR/report.html``.

    Raises:
        InputError: not a results folder, a bad selection, or a folder where the page,
            ``captions.md`` or a figure is to be written.
    """
    # Files only: never open a window, whatever backend the session had.
    matplotlib.use("Agg")
    results = open_results(results_dir)
    chosen = selection if selection is not None else selection_of(results)
    plots = Path(out) if out is not None else results.path / "plots"
    report = (plots if out is not None else results.path) / REPORT
    for method in SENSITIVITY_METHODS:
        results.sensitivity(method)  # a damaged table is refused before the folder is made
    headline = headline_of(results)
    # Planned, not drawn yet, but for the sensitivity charts: drawn as they are planned,
    # at the page's width (they were drawn at the default width, then narrowed).
    with at_page_width(width):
        entries = list(figures_for(results, chosen, headline))
    # The figures' files too: a folder at one was refused only once every figure before
    # it was drawn, naming its temporary copy (an audit; decision 680 did the page's).
    refuse_folders_in_the_way(
        {
            report: "the report page",
            plots / CAPTIONS: "the list of the figures' captions",
            **{plots / f"{entry.stem}.{fmt}": "a figure" for entry in entries},
        }
    )
    plots.mkdir(parents=True, exist_ok=True)
    for kept in _remove_old_figures(plots):
        print(
            f"credsim: note: '{kept}' is a folder where an earlier drawing wrote a figure; "
            "it is not one of this drawing's figures, so it was left as it is",
            file=sys.stderr,
        )
    sections: list[tuple[str, str]] = []
    captions = []
    # Until the page is written: a drawing killed midway leaves a folder the same command
    # takes for its own again, and whose figures it removes (an audit).
    begin_writing(plots, DRAWING, [f"{entry.stem}.{fmt}" for entry in entries])
    progress = progress if progress is not None else FigureProgress()
    progress.total = len(entries)
    # Closed as the loop ends, however it ends: the drawing processes go with it.
    wider: list[str] = []
    with at_page_width(width), contextlib.closing(drawn(entries, fmt)) as done:
        for entry, (data, shown, shown_fmt, caption) in zip(entries, done, strict=True):
            atomic_write_bytes(plots / f"{entry.stem}.{fmt}", data)
            wider += past_the_page(f"{entry.stem}.{fmt}", data, width)
            sections.append((entry.stem, _figure_html(entry.stem, shown, shown_fmt, caption)))
            captions.append(f"- `{entry.stem}.{fmt}`: {caption}")
            progress.update(failed=False)
    progress.clear()
    # A partial sweep's list said nothing of it, and named scenarios with no run yet
    # among the figures' (an outside check, decision 828): the page's warning heads it.
    partial = incomplete_text(results)
    head = [f"**Incomplete:** {partial}", ""] if partial else []
    atomic_write_text(plots / CAPTIONS, "\n".join([*head, *captions]) + "\n")
    title = f"credsim {results.kind}: {results.name}"
    page = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>{runs_meta(results.path)}"
        f"<title>{html.escape(title)}</title><style>{PAGE_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Results folder: <code>{html.escape(str(results.path))}</code></p>",
        *_incomplete(results),
    ]
    figures = [(s, h) for s, h in sections if s != "headline"]
    question = (results.manifest.get("experiment") or {}).get("question") or {}
    asked = results.kind != RUN and bool(question)
    contents = ['<li><a href="#answer">Headline</a></li>'] if asked else []
    contents.append('<li><a href="#figures">Figures</a><ol>')
    contents += [
        f'<li><a href="#{s}">{html.escape(s.replace("_", " "))}</a></li>' for s, _ in figures
    ]
    contents.append('</ol></li><li><a href="#tables">Tables</a></li>')
    page.append(f"<nav><h2>Contents</h2><ol>{''.join(contents)}</ol></nav>")
    if headline is not None:
        page.append('<section id="answer"><h2>Headline</h2>')
        if headline.text:
            page.append(f"<p><strong>Question.</strong> {html.escape(headline.text)}</p>")
        page.append(f'<p class="answer">{html.escape(headline.sentence())}</p>')
        page += [h for s, h in sections if s == "headline"]
        page.append("</section>")
    elif asked:
        a, b = question["difference"]
        page.append('<section id="answer"><h2>Headline</h2>')
        if question.get("text"):
            page.append(f"<p><strong>Question.</strong> {html.escape(question['text'])}</p>")
        page.append(f'<p class="answer">{html.escape(no_answer_text(a, b))}</p></section>')
    page.append('<section id="figures"><h2>Figures</h2>')
    page += [h for _, h in figures] or [f"<p>{html.escape(no_figures_text(results, chosen))}</p>"]
    flat = (
        unvarying_families(results, chosen, headline)
        + groups_missing_from_sets(results, chosen)
        + difference_left_out(results)
    )
    page += [f"<p><strong>Not drawn:</strong> {html.escape(note)}.</p>" for note in flat]
    if left_out is not None:
        left_out.extend([*flat, *wider])
    if figures and results.kind != RUN and results.manifest.get("record") == "summary":
        # A summary sweep's page had no trajectory or alignment figure and said nothing of
        # them, which README lists first (an outside check, decision 923); page only: the
        # terminal of every summary sweep would say it too.
        page.append(f"<p><strong>Not drawn:</strong> {html.escape(SUMMARY_ONLY)}.</p>")
    page.append('</section><section id="tables"><h2>Tables</h2>')
    page.append(
        _details("What was run", _table(run_facts(results.manifest, results.path), ("", "")))
    )
    failed = results.runs[results.runs["status"] != "ok"]
    if len(failed):
        page.append(
            _details(
                f"{count_text(len(failed), 'run')} failed (first errors)",
                _table(
                    [tuple(r) for r in failed[["run_id", "error"]].head(5).itertuples(index=False)],
                    ("run", "error"),
                ),
            )
        )
    summary, where = _summary(results, chosen)
    # What a sweep's cell holds, on the page (only a docstring said it: an outside check).
    cells = cells_text(results, summary)
    poles = _poles_note(summary, [s for s, _ in figures])
    page.append(
        _details(
            f"Summary metrics ({len(summary)} rows){where}{cells}",
            _table([tuple(r) for r in summary.itertuples(index=False)], tuple(summary.columns))
            + (f"<p>{html.escape(poles)}</p>" if poles else ""),
        )
    )
    page.append("</section></body></html>")
    atomic_write_text(report, "\n".join(page))
    end_writing(plots, DRAWING)
    return report


def incomplete_text(results: Results) -> str | None:
    """What a sweep that has not finished its runs shows of them, as text: the runs it
    committed (the manifest's counts are written when it starts and ends) and the
    scenarios that have none yet; None for a finished one."""
    so_far = unfinished(results)
    if so_far is None:
        return None
    counts = results.manifest.get("counts") or {}
    failed = f", {counts['failed']} failed" if counts.get("failed") else ""
    missing = so_far.missing
    absent = f" No runs yet of {', '.join(missing)}." if missing else ""
    return (
        f"{so_far.done} finished{failed}; the figures and tables show only those.{absent} "
        "Run the sweep's command again to finish it."
    )


def _incomplete(results: Results) -> list[str]:
    """A warning at the top of the page of a sweep that has not finished its runs."""
    text = incomplete_text(results)
    if text is None:
        return []
    return [f'<p class="warning"><strong>Incomplete:</strong> {html.escape(text)}</p>']


def _summary(results: Results, selection: Selection) -> tuple[pd.DataFrame, str]:
    if results.kind == RUN or not results.varied or results.ok_runs.empty:
        return summary_table(results), ""  # no design point to hold: no run finished
    first = next(iter(results.scenarios))
    values = reference_values(results, first, selection.at)
    held = held_text(values)
    return summary_table(results, runs_at(results.ok_runs, values)), f", at {held}"
