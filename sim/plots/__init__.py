"""Figures and the report page of a results folder (``credsim plot``).

Plot functions take tidy DataFrames (as read by :mod:`sim.results`) and an
optional ``ax``, and return the axes or figure; nothing here runs a model.
Modules: :mod:`~sim.plots.palette` (one colour per power),
:mod:`~sim.plots.trajectories`, :mod:`~sim.plots.alignment`,
:mod:`~sim.plots.sweeps`, :mod:`~sim.plots.sensitivity`,
:mod:`~sim.plots.gallery` (which figures a folder gets) and
:mod:`~sim.plots.report` (the HTML page).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sim.analysis.paired import NOTHING_VARIED
from sim.errors import InputError, refuse_empty
from sim.fileio import require_writable
from sim.integrity import refuse_results_folder, require_folder
from sim.plots.figure import group_phrases
from sim.plots.gallery import Selection, family_names, selection_of
from sim.plots.report import CAPTIONS, DRAWING, REPORT, FigureProgress, write_report
from sim.results import RUN, Results, open_results, unfinished
from sim.scenario.schema import allowed, suggest


def cli_plot(args: argparse.Namespace) -> int:
    """``credsim plot RESULTS_DIR [--out DIR] [--format png|svg|pdf] [--at PATH=VALUE ...]
    [--powers ...] [--groups ...] [--metrics ...] [--across PATH]``."""
    # The figures and the report page go to --out, so that a results folder can be read
    # without writing into it; else the figures to RESULTS_DIR/plots, the page to RESULTS_DIR.
    # An empty --across was ignored (an audit): said empty, before anything is written.
    refuse_empty(
        "--across",
        args.across,
        "give a varied parameter to draw across, e.g. parameters.trust.negativity_bias, or "
        "leave --across out",
    )
    require_folder(Path(args.results))  # a file given is named as one, before its writability
    if args.out:
        refuse_results_folder(Path(args.out))
        refuse_foreign_folder(Path(args.out))
    folders = [Path(args.out)] if args.out else [Path(args.results), Path(args.results) / "plots"]
    for folder in folders:
        require_writable(folder)
    results = open_results(args.results)
    if results.runs.empty:
        # A sweep stopped before its first runs were kept was "drawn": "0 figures", a page
        # without one and exit 0 (an outside check, decision 923). Nothing to draw yet.
        from sim.analysis.comparison import none_kept

        raise none_kept(results, "draw")
    selection = selection_of(
        results,
        powers=args.powers,
        groups=args.groups,
        families=args.metrics,
        at=args.at,
        across=args.across,
    )
    _check_choices(results, powers=args.powers, groups=args.groups, families=args.metrics)
    if selection.across is not None and not results.varied:
        raise InputError(f"--across '{selection.across}': {NOTHING_VARIED}")
    if selection.across is not None and selection.across not in results.varied:
        raise InputError(
            f"--across '{selection.across}' is not varied by this sweep; varied: "
            f"{', '.join(results.varied)}{suggest(selection.across, list(results.varied))}"
        )
    if selection.across is not None and results.drawn:
        raise InputError(
            f"--across '{selection.across}' needs a grid: the {results.design_method} design "
            "draws every parameter anew at each point, so no two points share the others' "
            "values; the sweep figures draw the metrics against it"
        )
    if selection.across is not None and results.manifest.get("record") == "summary":
        # It drew the other figures and said nothing of the one asked for (an outside
        # check, decision 942): the trajectories across a parameter need the series.
        raise InputError(
            f"--across '{selection.across}' draws trust over time, and this sweep recorded "
            "its runs' summaries only (record: summary); run it again with --record series "
            "(a new results folder), or leave --across out"
        )
    _note_unfinished(results)
    _note_metrics_unused(results, args.metrics)
    progress = FigureProgress()
    left_out: list[str] = []
    from sim.plots.figure import at_dpi

    with at_dpi(getattr(args, "dpi", None)):
        report = write_report(
            args.results,
            out=args.out,
            fmt=args.format,
            selection=selection,
            progress=progress,
            left_out=left_out,
            width=args.width,
        )
    plots = args.out or f"{args.results}/plots"
    print(progress.closing(f"figures in {plots}; report {report}"))
    say_left_out(results, selection, left_out, progress.total)
    return 0


def say_left_out(
    results: Results | Path, selection: Selection | None, left_out: Sequence[str], drawn: int
) -> None:
    """Say on stderr what the page says under "Not drawn" (``write_report``'s
    ``left_out``) and, when ``drawn`` is 0, why the page has no figure: ``plot`` said them
    and ``sweep``, which draws the same page, did not (an outside check, decision 974).
    ``results``: the folder's results, or its path (read only when there is no figure);
    ``selection``: the figures' (``None``: the experiment file's ``plots:``)."""
    for note in left_out:
        print(f"credsim: note: {note}", file=sys.stderr)
    if not drawn:
        # "0 figures" and nothing else (an audit, decision 645): why, as the page says it.
        from sim.plots.report import no_figures_text

        if not isinstance(results, Results):
            results = open_results(results)
        chosen = selection if selection is not None else selection_of(results)
        print(f"credsim: note: {no_figures_text(results, chosen)}", file=sys.stderr)


def refuse_foreign_folder(out: Path) -> None:
    """Refuse a ``plot --out`` folder that holds files and is not an earlier ``plot --out``'s
    (recognised by its ``captions.md`` and ``report.html``, or, killed before it wrote them,
    by its marker of an unfinished drawing): drawing replaces files of those names and the
    figures an earlier drawing listed, so a user's folder is left alone.

    Raises:
        InputError: ``out`` is a folder with other files in it.
    """
    from sim.fileio import refuse_foreign_folder as refuse

    refuse(out, [{CAPTIONS: "", REPORT: ""}], "an earlier plot's", unfinished=[DRAWING])


def _note_unfinished(results: Results) -> None:
    """Say on stderr that an unfinished sweep is drawn from the runs it has committed,
    and which of its scenarios have none yet (the report page says so too)."""
    so_far = unfinished(results)
    if so_far is None:
        return
    absent = f"; no runs yet of {', '.join(so_far.missing)}" if so_far.missing else ""
    print(
        f"note: the sweep is unfinished ({so_far.done}); the figures "
        f"and the report show only those{absent}. Run the sweep's command again to finish it.",
        file=sys.stderr,
    )


def _note_metrics_unused(results: Results, families: Sequence[str] | None) -> None:
    """Say on stderr that ``--metrics`` draws nothing here: it picks the summaries of the
    sweep figures (each against a varied parameter), and a run, or a sweep of one design
    point, has no parameter that takes two values. It was ignored without a word."""
    if not families or results.ok_runs.empty:
        return
    if any(results.ok_runs[p].nunique(dropna=False) > 1 for p in results.varied):
        return
    what = "a single run" if results.kind == RUN else "a sweep of one design point"
    print(
        "credsim: note: --metrics picks the summaries that the sweep figures draw against "
        f"a varied parameter; this is {what} (no parameter takes two values), so there are "
        "no sweep figures and --metrics changes nothing",
        file=sys.stderr,
    )


def _check_choices(
    results: Results,
    *,
    powers: Sequence[str] | None,
    groups: Sequence[str] | None,
    families: Sequence[str] | None,
) -> None:
    """``--powers``, ``--groups`` and ``--metrics`` name what the folder has (as an
    experiment file's ``plots:`` block must): a misspelt name drew nothing, or crashed."""
    known = {
        "--powers": results.powers,
        "--groups": list(group_phrases(results.scenarios)),
        "--metrics": list(dict.fromkeys(f for m in results.metrics for f in family_names(m))),
    }
    for option, given in (("--powers", powers), ("--groups", groups), ("--metrics", families)):
        for name in given or []:
            if name not in known[option]:
                choices = known[option]
                raise InputError(
                    f"{option} '{name}': not in this folder; it has {allowed(choices, 12)}"
                    f"{suggest(name, choices)}"
                )


__all__ = ["cli_plot", "write_report"]
