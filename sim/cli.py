"""The command line: a thin shell that reads arguments, calls the library, reports.

Every command is ``credsim COMMAND ...`` (also ``python -m sim COMMAND``).
Exit codes: 0 success; 1 the run itself failed; 2 bad input or usage. Input
errors print one line and no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sim import integrity
from sim.errors import (
    InputError,
    WorkersFailed,
    count_text,
    describe_os_error,
    drawing_when,
    kept_of,
)
from sim.options import (
    ENGINE_CHECK_REPS,
    ENGINE_TOLERANCE,
    ENGINES,
    EXECUTORS,
    PATTERN_REPS,
    PREDICTIVE_SAMPLES,
    RECORD_LEVELS,
    add_overrides,
    non_negative_float,
    non_negative_int,
    positive_int,
)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 like every input error."""

    _argv: Sequence[str] = ()

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().parse_args(args, namespace)

    def error(self, message: str) -> None:  # type: ignore[override]
        hint = _split_value_hint(message, self._argv)
        raise InputError(f"{message}{hint} (see '{self.prog} --help')")


_PATH_VALUE_OPTIONS = ("--set", "--vary", "--at")


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def _split_value_hint(message: str, argv: Sequence[str]) -> str:
    """The repair when ``--set PATH VALUE`` (or ``PATH= VALUE``) left VALUE unrecognised.

    argparse took ``PATH`` for the option's value and refused ``VALUE`` as an unknown
    argument, saying neither where it came from nor how to write it (a first
    afternoon's audit, decision 702).
    """
    prefix = "unrecognized arguments: "
    if not message.startswith(prefix):
        return ""
    extras = message.removeprefix(prefix).split(" ")
    extra = extras[0]
    # `--set relations.Saudi Arabia.Syria=0.3`: a name with a space, unquoted (an outside
    # check, decision 895). The unrecognised words after the path, up to one holding '='
    # (or the last, the value, when none does), are the path's and the value's.
    for i, token in enumerate(argv[:-2]):
        path = argv[i + 1]
        if token not in _PATH_VALUE_OPTIONS or "=" in path or "." not in path:
            continue
        if argv[i + 2] != extra:
            continue
        rest: list[str] = []
        for word in argv[i + 2 :]:
            if word.startswith("-") or word not in extras:
                break
            rest.append(word)
            if "=" in word:
                break
        if not rest:
            continue
        if "=" in rest[-1]:
            middle, head = rest[:-1], rest[-1].partition("=")[0]
            words = " ".join([path, *rest])
            if "." in head and not any(_is_number(w) for w in middle):
                return f"; a name with a space is quoted with its path: {token} '{words}'"
        elif len(rest) >= 2 and not any(_is_number(w) for w in rest[:-1]):
            words = " ".join([path, *rest[:-1]])
            return f"; a name with a space is quoted with its path: {token} '{words}={rest[-1]}'"
    for i, token in enumerate(argv[:-2]):
        path, value = argv[i + 1], argv[i + 2]
        bare = "=" not in path or (path.endswith("=") and path.count("=") == 1)
        if token in _PATH_VALUE_OPTIONS and value == extra and bare and not value.startswith("-"):
            joined = f"{path.removesuffix('=')}={value}"
            form = "PATH=SPEC" if token == "--vary" else "PATH=VALUE"
            return f"; {token} takes {form} as one word, without spaces: {token} {joined}"
    # `--set a=1 b=2`: one value an option (an outside check of the README, decision 812).
    for i, token in enumerate(argv[:-2]):
        first, value = argv[i + 1], argv[i + 2]
        if token in _PATH_VALUE_OPTIONS and value == extra and "=" in first and "=" in value:
            form = "PATH=SPEC" if token == "--vary" else "PATH=VALUE"
            both = f"{token} {first} {token} {value}"
            return f"; {token} takes one {form}: give one {token} for each, {both}"
    return ""


def _add_record(p: argparse.ArgumentParser, default: str | None, default_text: str) -> None:
    p.add_argument(
        "--record",
        choices=RECORD_LEVELS,
        default=default,
        help=(
            "what to write: summaries only, plus tidy series, plus per-actor trust "
            f"(default {default_text})"
        ),
    )


def _add_engine(p: argparse.ArgumentParser, default: str | None, default_text: str) -> None:
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default=default,
        help=f"mesa: the reference Mesa model; fast: the compiled engine (default {default_text})",
    )


def add_plot_arguments(p: argparse.ArgumentParser) -> None:
    """``credsim plot``'s arguments (the handler is :func:`sim.plots.cli_plot`)."""
    p.add_argument("results", help="results folder of a run or a sweep")
    p.add_argument(
        "--out",
        help="folder for the figures and report.html (default: RESULTS/plots and RESULTS)",
    )
    p.add_argument(
        "--format", choices=["png", "svg", "pdf"], default="png", help="figure files (png)"
    )
    p.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="design values the figures show (default: the scenario's; repeatable)",
    )
    p.add_argument(
        "--powers",
        nargs="+",
        action=NameList,
        metavar="POWER",
        help="powers to draw, apart by spaces or commas (default: all)",
    )
    p.add_argument(
        "--groups",
        nargs="+",
        action=NameList,
        metavar="GROUP",
        help="groups to draw, apart by spaces or commas",
    )
    p.add_argument(
        "--metrics",
        nargs="+",
        action=NameList,
        metavar="FAMILY",
        help="summary families for the sweep figures (default: final_trust "
        "effective_poles), e.g. trust_change final_share",
    )
    p.add_argument(
        "--across",
        metavar="PATH",
        help="also draw the trajectories across the values of a varied parameter",
    )
    add_width(p, "draw every figure to fit a page's text width, e.g. 6.5 (default: each "
               "as wide as its panels need)")  # fmt: skip


class NameList(argparse.Action):
    """Names given apart by spaces or by commas, as a researcher types them: ``--groups
    iraq gulf`` and ``--groups iraq,gulf`` alike (an outside check, decision 1020: ``plot``
    took spaces and ``observe`` commas, and each refused the other's form with a wrong
    did-you-mean). A name holding a space is quoted (``"Saudi Arabia"``)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        given = [values] if isinstance(values, str) else list(values)
        names = [part.strip() for value in given for part in value.split(",") if part.strip()]
        # Only empty text: kept as given, for the option's own "is empty" answer.
        setattr(namespace, self.dest, (getattr(namespace, self.dest) or []) + (names or given))


def add_width(p: argparse.ArgumentParser, help_text: str) -> None:
    """``--width INCHES``: a page's text width to draw the figures to (decision 951); and
    ``--dpi N``, the PNG files' resolution (decision 1024)."""
    p.add_argument("--width", type=_page_width, metavar="INCHES", help=help_text)
    p.add_argument(
        "--dpi",
        type=_dpi,
        metavar="N",
        help="save PNG figures at N dots per inch, e.g. 300 for a journal (default 150; the "
        "report page embeds them at 150)",
    )


def _dpi(text: str) -> float:
    from sim.plots.figure import dpi_arg  # matplotlib only when plotting

    return dpi_arg(text)


def _page_width(text: str) -> float:
    from sim.plots.figure import page_width_arg  # matplotlib only when plotting

    return page_width_arg(text)


def _at_width(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """``handler`` drawing its figures at ``--width`` (sim.plots.figure.at_page_width)."""

    def drawn(args: argparse.Namespace) -> int:
        from sim.plots.figure import at_dpi, at_page_width, too_wide_notes

        with at_page_width(getattr(args, "width", None)), at_dpi(getattr(args, "dpi", None)):
            try:
                return handler(args)
            finally:
                # A figure that cannot fit is saved as narrow as it goes, and said
                # (decision 953; `plot` names its files itself).
                for note in too_wide_notes():
                    print(f"credsim: note: {note}", file=sys.stderr)

    return drawn


class _Versions(argparse.Action):
    """``--version``: credsim's version and those of the packages its results depend on
    (as a results folder's manifest records them), read only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from sim.provenance import versions

        found = versions()
        own = found.pop("credsim", "unknown (not installed)")
        others = ", ".join(f"{name} {version}" for name, version in found.items())
        print(f"credsim {own}\n{others}", flush=True)
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="credsim",
        description="Agent-based simulation of alliance credibility.",
    )
    parser.add_argument(
        "--version",
        action=_Versions,
        help="print credsim's version and its dependencies' (to cite with results), and exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("run", help="run one scenario and write its outputs and figures")
    p.add_argument("scenario", help="scenario file (YAML)")
    p.add_argument("--out", help="output folder (default results/runs/<scenario>-<hash>)")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    add_overrides(p, "override a value, e.g. parameters.trust.negativity_bias=3")
    _add_record(p, "series", "series")
    _add_engine(p, "mesa", "mesa")
    p.add_argument("--no-plots", action="store_true", help="skip figures and the report page")
    add_width(p, "draw the figures to fit a page's text width, e.g. 6.5")

    p = sub.add_parser(
        "validate", help="check a scenario, experiment, pattern or calibration file; runs nothing"
    )
    p.add_argument("file", help="scenario, experiment, pattern or calibration file (YAML)")
    add_overrides(
        p,
        "check a scenario, experiment or pattern file with a value overridden, as run, sweep "
        "and patterns check do",
    )
    p.add_argument(
        "--votes",
        help="the UN votes folder to check a pattern or calibration file's windows, or a "
        "scenario's observed.names, against (default $CREDSIM_VOTES; without either they "
        "are not checked)",
    )

    p = sub.add_parser("synth", help="write a synthetic scenario for scale tests")
    # synth's sizes: option, type, default, what it is.
    for flag, kind, default, text in (
        ("--states", positive_int, None, "watching states"),
        ("--powers", positive_int, None, "great powers"),
        ("--steps", positive_int, 120, "monthly steps from 2000-01 (120)"),
        ("--seed", non_negative_int, 0, "seed of the drawn population (0)"),
        ("--regions", positive_int, None, "regions (default: states / 20, 1 to 50)"),
        ("--blocs", non_negative_int, None, "blocs (default: states / 50, 0 to 30)"),
        ("--ties-per-state", non_negative_float, None, "network ties per state (2)"),
        (
            "--events",
            non_negative_int,
            None,
            "events, drawn over the calendar (steps / 2, 10 at least)",
        ),
    ):
        required = flag in ("--states", "--powers")
        p.add_argument(flag, type=kind, default=default, required=required, help=text)
    p.add_argument("--out", required=True, help="scenario file to write (.yaml)")

    p = sub.add_parser("sweep", help="run an experiment: many runs, in parallel, resumable")
    p.add_argument("file", help="experiment file, or a scenario file with --vary")
    p.add_argument("--out", help="results folder (default results/<experiment>/<hash>)")
    p.add_argument(
        "--workers", type=positive_int, default=None, help="parallel workers (default: cores)"
    )
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=None,
        help="serial, process (the default with more than one worker) or dask",
    )
    p.add_argument("--address", help="Dask scheduler address, tcp://HOST:PORT")
    p.add_argument(
        "--max-runs",
        type=positive_int,
        default=None,
        help="refuse designs of more runs than this (default $CREDSIM_MAX_RUNS or 1,000,000)",
    )
    p.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="PATH=SPEC",
        help="vary a value: 1,2,4 | range(0,1,0.25) | linspace(0.9,1,5) (repeatable: a grid)",
    )
    p.add_argument(
        "--reps",
        type=positive_int,
        default=None,
        help="replicates per design point (default the experiment file's replicates, else 1)",
    )
    p.add_argument(
        "--seed",
        type=non_negative_int,
        default=None,
        help="experiment seed (default the experiment file's seed, else 0)",
    )
    add_overrides(p, "override a value of every scenario of the experiment")
    _add_record(p, None, "the experiment file's record, else summary")
    _add_engine(p, None, "the experiment file's engine, else fast")
    p.add_argument("--no-plots", action="store_true", help="skip figures and the report page")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    add_width(
        p,
        "draw every figure to fit a page's text width, e.g. 6.5 (default: each as wide as its "
        "panels need; given, a finished sweep's figures are drawn again)",
    )

    p = sub.add_parser("plot", help="figures and the report page for a results folder")
    add_plot_arguments(p)

    p = sub.add_parser("compare", help="compare a metric across results folders or scenarios")
    p.add_argument("results", nargs="+", help="results folders (one sweep: its scenarios)")
    p.add_argument("--metric", default=None, help="summary metric or series metric to compare")
    p.add_argument("--by", default=None, metavar="PATH", help="split by a varied parameter")
    p.add_argument(
        "--at",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="hold a varied parameter at one value (repeatable)",
    )
    p.add_argument("--out", help="folder for the figure and tables")
    p.add_argument(
        "--format", choices=["png", "svg", "pdf"], default="png", help="figure file (png)"
    )
    add_width(p, "draw the figure to fit a page's text width, e.g. 6.5")

    p = sub.add_parser("analyze", help="Sobol or Morris sensitivity indices of a sweep")
    p.add_argument("results", help="results folder of a sobol or morris sweep")
    p.add_argument(
        "--method", choices=["sobol", "morris"], required=True, help="the sweep's design method"
    )
    add_width(p, "draw the bar charts to fit a page's text width, e.g. 6.5 (default: as "
               "wide as their panels need)")  # fmt: skip

    from sim.explore import add_parser as add_explore
    from sim.observed.observe import add_parser as add_observe

    add_observe(sub)
    _add_patterns(sub)
    add_explore(sub)
    from sim.calibrate.command import add_parser as add_calibrate

    add_calibrate(sub)
    integrity.add_parser(sub)
    _add_engines(sub)
    return parser


def _add_engines(sub: Any) -> None:
    """``credsim engines SCENARIO [--seed N] [--reps K] [--set ...] [--record ...]`` (run by
    :mod:`sim.agreement`, which imports both engines, so defined here as the patterns'
    parser is)."""
    p = sub.add_parser(
        "engines",
        help="run a scenario on the Mesa model and on the fast engine and check they agree",
    )
    p.add_argument("scenario", help="scenario file (YAML); a counterfactual too")
    add_overrides(p, "override a value, e.g. parameters.trust.negativity_bias=3")
    p.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--reps",
        type=positive_int,
        default=ENGINE_CHECK_REPS,
        help=f"replicates of the seed, as a sweep numbers them (default {ENGINE_CHECK_REPS})",
    )
    _add_record(p, "actors", "actors: every state's trust and alignment at every step")
    p.add_argument(
        "--tolerance",
        type=non_negative_float,
        default=ENGINE_TOLERANCE,
        help=f"largest difference allowed between two numbers (default {ENGINE_TOLERANCE:g}, "
        "the agreement the engines are held to)",
    )


def _add_patterns(sub: Any) -> None:
    """``credsim patterns check`` (run by :mod:`sim.patterns.check`, defined here so that
    building the command line does not import the patterns' package, which imports the
    model, pandas and numba: `credsim --help` took 2.8 s; decision 596)."""
    p = sub.add_parser("patterns", help="observed patterns: check which the model reproduces")
    actions = p.add_subparsers(
        dest="patterns_command", metavar="check", required=True, parser_class=type(p)
    )
    c = actions.add_parser("check", help="run a pattern file's scenario against its patterns")
    c.add_argument("file", help="pattern file (YAML)")
    add_overrides(c, "override a scenario value or link.beta")
    c.add_argument(
        "--reps",
        type=positive_int,
        default=PATTERN_REPS,
        help=f"replicates (default {PATTERN_REPS})",
    )
    c.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    c.add_argument("--out", help="output folder (default results/patterns/<name>)")
    c.add_argument("--votes", help="folder of the UN vote tables (default $CREDSIM_VOTES)")
    c.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when any pattern fails (with --posterior: is not covered)",
    )
    c.add_argument(
        "--engine",
        choices=ENGINES,
        default="mesa",
        help="mesa: the reference Mesa model; fast: the compiled engine (default mesa)",
    )
    c.add_argument(
        "--posterior",
        metavar="DIR",
        help="a finished calibration: posterior predictive checks (sim/patterns/predictive.py)",
    )
    c.add_argument(
        "--samples",
        type=positive_int,
        default=None,
        help=f"posterior draws, with --posterior (default {PREDICTIVE_SAMPLES})",
    )
    c.add_argument(
        "--variant", help="the calibration's variant, with --posterior (needed when it has several)"
    )
    add_width(c, "draw the pattern figures to fit a page's text width, e.g. 6.5")


def _dispatch(command: str) -> Callable[[argparse.Namespace], int]:
    # Imports are deferred so that `credsim validate` does not pay for matplotlib or dask.
    if command == "run":
        from sim.runner import cli_run

        return cli_run
    if command == "validate":
        from sim.validate import cli_validate

        return cli_validate
    if command == "synth":
        from sim.scenario.synthetic import cli_synth

        return cli_synth
    if command == "sweep":
        from sim.sweep import cli_sweep

        return cli_sweep
    if command == "plot":
        from sim.plots import cli_plot

        return cli_plot
    if command == "compare":
        from sim.analysis.comparison import cli_compare

        return _at_width(cli_compare)
    if command == "analyze":
        from sim.analysis.sensitivity import cli_analyze

        return _at_width(cli_analyze)
    if command == "observe":
        from sim.observed.observe import cli_observe

        return _at_width(cli_observe)
    if command == "patterns":
        from sim.patterns.check import cli_patterns

        return _at_width(cli_patterns)
    if command == "explore":
        from sim.explore import cli_explore

        return cli_explore
    if command == "calibrate":
        from sim.calibrate.command import cli_calibrate

        return cli_calibrate
    if command == "check":
        return integrity.cli_check
    if command == "engines":
        from sim.agreement import cli_engines

        return cli_engines
    raise InputError(f"unknown command '{command}'")


def _refuse_drawing_without_figures(args: argparse.Namespace) -> None:
    """``--width`` or ``--dpi`` with ``--no-plots`` (run, sweep, calibrate): how to draw the
    figures, and no figures; one of them is a mistake, and neither was to be ignored
    without a word (decision 1026)."""
    if not getattr(args, "no_plots", False):
        return
    for option in ("width", "dpi"):
        if getattr(args, option, None) is not None:
            raise InputError(
                f"argument --{option}: sets how the figures are drawn, and --no-plots draws "
                f"none; drop one of them (see 'credsim {args.command} --help')"
            )


def _refuse_repeated(args: argparse.Namespace) -> None:
    """A path given twice to ``--set`` or ``--at`` with two values (decision 659)."""
    from sim.scenario.loader import refuse_repeated

    for attribute, option in (("overrides", "--set"), ("at", "--at")):
        items = getattr(args, attribute, None)
        if items and all(isinstance(i, str) for i in items) and all("=" in i for i in items):
            refuse_repeated(items, option)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a cluster's time limit, ``kill PID``) or SIGHUP (the terminal closed, an
    ssh connection lost), raised in the main thread as Ctrl-C is, so that a command stops
    as it does on Ctrl-C: a sweep commits the runs it holds, a calibration stops its
    workers, and the command says what is kept (decisions 767, 769).

    Args:
        signum: the signal that ended the command.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# What the closing line calls each signal.
_SIGNAL_WORDS = {"SIGTERM": "terminated (SIGTERM)", "SIGHUP": "hung up (SIGHUP)"}

# The standard streams that were a terminal when the command started (see _terminated).
_TERMINAL_FDS: list[int] = []


def _terminated(signum: int, frame: object) -> None:
    # Once is enough: a closed terminal can send SIGHUP twice (the shell passes its own on
    # to its jobs, and the kernel sends one more to the terminal's foreground jobs when the
    # shell ends), and a second raise would cut the clean-up of the first short.
    for other in _taken():
        if signal.getsignal(other) is _terminated:
            signal.signal(other, _once_is_enough)
    if signum == getattr(signal, "SIGHUP", None):
        # The terminal is gone: writing to it fails (EIO), which would end the clean-up
        # half-way (a progress line cleared, the closing line). What was the terminal is
        # now /dev/null; a stream sent to a file still gets the closing line.
        devnull = os.open(os.devnull, os.O_WRONLY)
        for fd in _TERMINAL_FDS:
            os.dup2(devnull, fd)
        os.close(devnull)
    raise Terminated(signum)


def _taken() -> tuple[int, ...]:
    """The signals a command takes as Ctrl-C: SIGTERM, and SIGHUP where there is one (not
    on Windows)."""
    return tuple(getattr(signal, name) for name in _SIGNAL_WORDS if hasattr(signal, name))


def _once_is_enough(signum: int, frame: object) -> None:
    """A second SIGTERM or SIGHUP while the first one's clean-up runs: nothing to do."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``credsim`` console script."""
    if threading.current_thread() is not threading.main_thread():
        return _main(argv)  # signal handlers belong to the main thread
    _TERMINAL_FDS[:] = [fd for fd in (1, 2) if os.isatty(fd)]
    _where_on_sigusr1()
    # A signal the caller ignores stays ignored (`nohup credsim sweep ...` ignores SIGHUP).
    previous = {
        signum: signal.signal(signum, _terminated)
        for signum in _taken()
        if signal.getsignal(signum) is not signal.SIG_IGN
    }
    hook = sys.unraisablehook
    sys.unraisablehook = functools.partial(_signal_not_lost, hook)
    try:
        return _main(argv)
    finally:
        sys.unraisablehook = hook
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _signal_not_lost(hook: Callable[[Any], object], unraisable: Any) -> None:
    """Deliver again a Ctrl-C or SIGTERM whose exception Python dropped, else ``hook``.

    A handler runs where the main thread is when the signal comes, and that may be a
    finaliser (a weak reference's callback, ``__del__``), whose exception Python prints
    as "Exception ignored in ..." and drops: a calibration sent SIGTERM ran to its end
    and exited 0 (an outside check, decision 924). The signal is sent again, a moment
    later and from another thread: sent from here its handler would run at once, inside
    this hook, whose exception Python drops too. It then raises where the main thread
    is, outside the finaliser (or, in another one, comes here again).
    """
    interrupt = unraisable.exc_value
    if not isinstance(interrupt, KeyboardInterrupt):
        hook(unraisable)
        return
    if isinstance(interrupt, Terminated):
        signum = interrupt.signum
        # The first raise made every taken signal's handler "once is enough".
        for other in _taken():
            if signal.getsignal(other) is _once_is_enough:
                signal.signal(other, _terminated)
    else:
        signum = signal.SIGINT
    main = threading.main_thread().ident
    assert main is not None
    # Sent only once this hook is about to return: under load the signal sent a fixed
    # moment after the thread began reached the main thread still inside
    # ``Thread.start`` here, and was dropped again (a CI run beside other work, decision
    # 1016).
    leaving = threading.Event()

    def again() -> None:
        leaving.wait()
        time.sleep(_AGAIN_S)
        signal.pthread_kill(main, signum)

    threading.Thread(target=again, name="credsim-signal-again", daemon=True).start()
    leaving.set()


# How long after a finaliser dropped a signal's exception it is sent again (_signal_not_lost).
_AGAIN_S = 0.01


def _where_on_sigusr1() -> None:
    """``kill -USR1 PID`` prints where each thread of the command is to its standard error
    and lets it go on: a command that seems stuck says what it waits on (decision 783)."""
    import faulthandler

    usr1 = getattr(signal, "SIGUSR1", None)
    if usr1 is None or signal.getsignal(usr1) is signal.SIG_IGN:
        return
    with contextlib.suppress(ValueError, OSError, RuntimeError):
        faulthandler.register(usr1, all_threads=True, chain=False)


def _main(argv: Sequence[str] | None) -> int:
    command = None
    # A note said once a command is said again by the next (main called twice in one
    # process: a script, the tests); only a module already imported holds such notes.
    design = sys.modules.get("sim.calibrate.design")
    if design is not None:
        design.said_notes.clear()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        command = args.command
        _refuse_bad_paths(parser, args)
        _refuse_places_not_utf8(args)
        _refuse_repeated(args)
        _refuse_drawing_without_figures(args)
        if args.command == "sweep":
            # Before the sweep's imports, which its fork server's then run beside.
            from sim.forkserver import start_for_sweep

            start_for_sweep(args)
        elif args.command == "calibrate":
            from sim.forkserver import start_for_calibration

            start_for_calibration(args)
        try:
            status = _dispatch(args.command)(args)
        finally:
            _say_missing_glyphs()
        sys.stdout.flush()  # here, where a closed pipe is caught, not at the interpreter's exit
        return status
    except InputError as exc:
        print(f"credsim: error: {exc}", file=sys.stderr)
        return 2
    except (
        PermissionError,
        IsADirectoryError,
        NotADirectoryError,
        FileNotFoundError,
        FileExistsError,
    ) as exc:
        # A folder where a file is expected (or a file where a folder is), one that may not
        # be written, or an output path that cannot be made (inputs that are missing are
        # InputErrors): still one line.
        print(f"credsim: error: {describe_os_error(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of the output went away (`credsim compare ... | head -1`): quiet, as a
        # command killed by SIGPIPE is, with its status (128 + 13); it said "cannot write a
        # file: Broken pipe" though every file was written (an audit, decision 644). Python
        # would fail again flushing stdout at exit, so stdout goes to /dev/null first.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except WorkersFailed as exc:
        print(f"credsim: failed: {exc}", file=sys.stderr)
        return 1
    except RuntimeError as exc:  # after WorkersFailed, a RuntimeError of its own
        # Python 3.12's Path.resolve() of a symbolic link that leads back to itself (3.13
        # raises OSError ELOOP, below): it was a traceback in compare and observe --votes.
        if not str(exc).startswith("Symlink loop from "):
            raise
        name = str(exc).removeprefix("Symlink loop from ").strip("'\"")
        print(
            f"credsim: error: {describe_os_error(OSError(errno.ELOOP, '', name))}", file=sys.stderr
        )
        return 2
    except OSError as exc:
        if exc.errno in (errno.ENAMETOOLONG, errno.ELOOP):
            # A name the user typed is too long, or a path through a symbolic link that
            # leads back to itself: bad input, exit 2 (it was "failed", exit 1; audits,
            # decision 659 and the audit of the commands' options).
            print(f"credsim: error: {describe_os_error(exc)}", file=sys.stderr)
            return 2
        # The file system failed the command (a full or read-only disk): one line, exit 1.
        print(f"credsim: failed: {describe_os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        return _stopped(command, exc)
    except ImportError as exc:
        # Ctrl-C while a compiled module initialises surfaces as "ImportError:
        # initialization failed", its KeyboardInterrupt only in the chain.
        interrupt = _interrupted(exc)
        if interrupt is None:
            raise
        return _stopped(command, interrupt)


def _say_missing_glyphs() -> None:
    """Say once, after a command's figures, the names they drew as boxes: no font of the
    figures has their letters (sim.plots.glyphs; about thirty "UserWarning: Glyph 20013
    missing from font(s) DejaVu Sans" lines said it before, an outside check)."""
    glyphs = sys.modules.get("sim.plots.glyphs")  # only a command that drew holds any
    note = glyphs.missing_glyphs_note() if glyphs is not None else None
    if note:
        print(f"credsim: note: {note}", file=sys.stderr)


def _stopped(command: str | None, interrupt: KeyboardInterrupt) -> int:
    """Say a command stopped by Ctrl-C (exit 130) or by a signal (128 + its number: 143 for
    SIGTERM, 129 for SIGHUP). The line goes nowhere when the terminal it was for is gone."""
    signum = interrupt.signum if isinstance(interrupt, Terminated) else signal.SIGINT
    how = _SIGNAL_WORDS.get(signal.Signals(signum).name, "interrupted")
    with contextlib.suppress(OSError):
        print(
            _interrupted_text(command, how, kept_of(interrupt), interrupt),
            file=sys.stderr,
            flush=True,
        )
    return 128 + signum


def _interrupted_text(
    command: str | None,
    how: str = "interrupted",
    kept: tuple[int | None, Path | None] | None = None,
    interrupt: KeyboardInterrupt | None = None,
) -> str:
    """The line after Ctrl-C (or a signal, ``how`` it ended): for a sweep or a calibration,
    that what finished is kept and how to go on (an audit read a bare "interrupted" as all
    lost; decision 587). ``kept``: a sweep's runs kept and its folder
    (:func:`sim.errors.mark_kept`), said as they are: a sweep stopped before any run
    finished was told its finished runs were kept (an audit, decision 778). A sweep's
    interrupt without a mark came before ``cli_sweep`` began (reading its options). A
    calibration's ``kept`` is its finished generations (None: its history could not be
    read then) and its folder; without a mark it stopped before its generations began
    (loading, ``--truth``, the preflight run), and changed nothing in its folder."""
    if command not in _KEPT_NOUNS:
        return f"credsim: {how}"
    noun, began = _KEPT_NOUNS[command]
    count, folder = kept if kept is not None else (None, None)
    if folder is None:  # no mark, or a sweep's mark before its runs began
        return f"credsim: {how} before {began} began; run the same command again"
    if interrupt is not None and drawing_when(interrupt):
        return (
            f"credsim: {how} while it drew the figures; all {count_text(count or 0, 'run')} "
            f"finished and are kept in {folder}: 'credsim plot {folder}' (or the same "
            "command again) draws the figures and the report page"
        )
    manifest = integrity.read_json(folder / integrity.MANIFEST) or {}
    if manifest.get("status") == "complete":
        # Ctrl-C in the second after a sweep's last line (as the process shut down) was
        # told to run the same command again to go on (an outside check, decision 940).
        whole = f"all {count_text(count, noun)}" if count is not None else f"its {noun}s"
        return (
            f"credsim: {how} after the {'sweep' if command == 'sweep' else 'calibration'} "
            f"had finished: {whole} "
            f"{'is' if count == 1 else 'are'} kept in {folder}, and nothing is left to run"
        )
    return _kept_text(how, count, noun, folder)


# What a sweep and a calibration keep when stopped, and what had not begun without a mark.
_KEPT_NOUNS = {
    "sweep": ("run", "the sweep's runs"),
    "calibrate": ("generation", "the calibration's generations"),
}


def _kept_text(how: str, count: int | None, noun: str, folder: Path | None) -> str:
    """That ``count`` finished runs or generations (``noun``) are kept in ``folder``
    (None: an unknown number), or that none is, and how to go on."""
    if count == 0:
        return (
            f"credsim: {how} before any {noun} finished, so none is kept; run the same "
            "command again to start"
        )
    if count is None:
        what, them = f"the finished {noun}s are", "them"
    else:
        one = count == 1
        what = f"the {count_text(count, f'finished {noun}')} {'is' if one else 'are'}"
        them = "it" if one else "them"
    return (
        f"credsim: {how}; {what} kept in {folder}: run the same command again to go on from {them}"
    )


# The arguments that name a file or folder, of any command.
PATH_ARGUMENTS = frozenset(
    {"file", "scenario", "results", "out", "plot", "counterfactual", "posterior", "votes"}
)


def _refuse_bad_paths(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse a path given empty ("" from a script's unset variable): an empty --out fell
    back to the default, and an empty file was read as the current folder ("is a folder").
    And refuse a path, or any argument, with a byte that is not UTF-8 (``$'bad\\xff'`` in
    bash): Arrow's files, the manifest and the report page hold paths and values as UTF-8,
    and such a path ended in a traceback, after a folder was made (an audit).

    Raises:
        InputError: one line naming the argument (and its command's help), or the path
            with each byte that is not UTF-8 shown as ``\\xNN``.
    """
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            chosen = action.choices.get(getattr(args, action.dest, None) or "")
            if chosen is not None:
                _refuse_bad_paths(chosen, args)
            continue
        value = getattr(args, action.dest, None)
        given = value if isinstance(value, list) else [value]
        name = action.option_strings[-1] if action.option_strings else action.dest
        path = action.dest in PATH_ARGUMENTS
        for text in _strings(given):
            if not _utf8(text):
                hint = "rename it, or choose another" if path else "type it in UTF-8"
                raise InputError(f"argument {name}: {_not_utf8_text(text)}; {hint}")
        if path and any(isinstance(v, str) and not v.strip() for v in given):
            raise InputError(
                f"argument {name}: expected a path, got an empty one (see '{parser.prog} --help')"
            )


def _refuse_places_not_utf8(args: argparse.Namespace) -> None:
    """Refuse, as :func:`_refuse_bad_paths` refuses an argument, a ``$CREDSIM_VOTES``
    that a command would read, or a current folder (that of every relative path and
    default folder), with a byte that is not UTF-8.

    Raises:
        InputError: one line naming the path, with each such byte shown as ``\\xNN``.
    """
    votes = os.environ.get("CREDSIM_VOTES")
    if getattr(args, "votes", "") is None and votes and not _utf8(votes):
        raise InputError(
            f"$CREDSIM_VOTES: {_not_utf8_text(votes)}; rename the folder, or give --votes"
        )
    try:
        here = os.getcwd()
    except OSError:  # a current folder that was removed: the commands say so themselves
        return
    if not _utf8(here):
        raise InputError(
            f"the current folder {_not_utf8_text(here)}; run credsim from another folder"
        )


def _strings(value: object) -> list[str]:
    """The strings of an argument's value (``--truth A B --truth C`` is a list of lists)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _utf8(path: str) -> bool:
    """Whether ``path`` is all UTF-8 (Python keeps a byte of a command line or a folder's
    name that is not as a lone surrogate, which cannot be encoded)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _not_utf8_text(path: str) -> str:
    """The refusal of ``path``, which is not all UTF-8: shown with each such byte as
    ``\\xff``, as bash's ``$'...'`` would type it."""
    shown = os.fsencode(path).decode("utf-8", errors="backslashreplace")
    return f"'{shown}' has a byte that is not UTF-8, which credsim's files cannot record"


def _interrupted(exc: BaseException) -> KeyboardInterrupt | None:
    """The KeyboardInterrupt in ``exc``'s chain of causes and contexts, if any."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return link
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return None


if __name__ == "__main__":
    sys.exit(main())
