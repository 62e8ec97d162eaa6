"""``credsim calibrate FILE``: the command's arguments and its thin handler."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError
from sim.options import ENGINES, positive_int

if TYPE_CHECKING:
    from sim.calibrate.spec import Calibration


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Register ``calibrate`` on the CLI's subparsers."""
    p = sub.add_parser(
        "calibrate", help="ABC-SMC calibration against observed patterns (resumable)"
    )
    p.add_argument("file", help="calibration file (YAML)")
    p.add_argument("--out", help="results folder (default results/calibrate/<name>/<hash>)")
    p.add_argument("--workers", type=positive_int, default=2, help="parallel workers (default 2)")
    p.add_argument(
        "--executor",
        choices=["process", "dask"],
        default=None,
        help="process (the default) or dask (with --address, an existing scheduler)",
    )
    p.add_argument("--address", help="Dask scheduler address, tcp://HOST:PORT")
    p.add_argument(
        "--truth",
        action="append",
        default=[],
        nargs="+",
        metavar="PATH=VALUE",
        help="calibrate against statistics simulated at these values (a recovery check)",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="fast",
        help="mesa: the reference Mesa model; fast: the compiled engine (default fast)",
    )
    p.add_argument("--votes", help="UN votes folder (default: $CREDSIM_VOTES)")
    p.add_argument("--no-plots", action="store_true", help="skip figures and the report page")
    p.add_argument("--quiet", action="store_true", help="no generation lines")
    from sim.cli import add_width

    add_width(
        p,
        "draw the figures to fit a page's text width, e.g. 6.5 (given, a complete "
        "calibration's figures are drawn again)",
    )


def cli_calibrate(args: argparse.Namespace) -> int:
    """Load the file, build the pattern problem, calibrate; returns 0 (errors raise)."""
    from sim.calibrate.holdout import load_pattern_files, require_calibration_patterns
    from sim.calibrate.patterns import PatternProblem, check_scenarios, check_truth, load_votes
    from sim.calibrate.run import run_calibration
    from sim.calibrate.spec import load_calibration
    from sim.forkserver import calibration_executor
    from sim.sweep.executors import check_address, check_workers

    check_workers(args.workers, args.address)
    if args.address and args.executor not in (None, "dask"):
        raise InputError("--address names a Dask scheduler; use it with --executor dask")
    executor = calibration_executor(args.executor, args.address)
    if executor == "dask" and args.address:
        # Before the files, the votes and a minute of checks: a bad address says so at once.
        check_address(args.address)
    truth = [item for group in args.truth for item in group]
    calibration = load_calibration(args.file, truth)
    files = load_pattern_files(calibration)
    require_calibration_patterns(calibration, files)
    check_scenarios(calibration, files)  # before the notes: a bad value is said alone
    check_truth(calibration, files)
    if args.out:
        # Before any note: a file given as --out was refused after four notes (an outside
        # check, decision 955); run_calibration checks the folder it settles on again.
        from sim.fileio import require_writable

        require_writable(Path(args.out), "--out")
    priors = {path: (prior.low, prior.high) for path, prior in calibration.spec.parameters.items()}
    for note in [
        *variant_notes(calibration),
        *truth_notes(calibration.truth, priors),
    ]:
        print(f"credsim: note: {note}", file=sys.stderr)
    votes = load_votes(args.votes or os.environ.get("CREDSIM_VOTES"))
    problem = PatternProblem(calibration, votes, args.engine, files)
    for note in [*unfitted_notes(calibration), *problem.notes]:
        print(f"credsim: note: {note}", file=sys.stderr)
    run_calibration(
        calibration,
        problem,
        Path(args.out) if args.out else None,
        executor=executor,
        workers=args.workers,
        address=args.address,
        quiet=args.quiet,
        figures=not args.no_plots,
        width=args.width,
        dpi=args.dpi,
    )
    return 0


def variant_notes(calibration: Calibration) -> list[str]:
    """Values a variant fixes outside the prior of the same path. Such a variant is a
    model the free variants cannot reach, so model selection compares ranges as well as
    mechanisms; a typo (``memory: 9.5`` for ``0.95``) reads the same way. Meant or not,
    it ran without a word (an audit of the calibration). A note, not a refusal: fixing
    a mechanism off outside the others' range can be the point."""
    priors = calibration.spec.parameters
    notes = []
    for name, fixed in calibration.variants().items():
        outside = [
            f"{path}={float(value):g} (prior {priors[path].low:g} to {priors[path].high:g})"
            for path, value in fixed.items()
            if path in priors and not priors[path].low <= float(value) <= priors[path].high
        ]
        if outside:
            notes.append(
                f"variant '{name}' fixes {', '.join(outside)} outside the prior: the other "
                "variants cannot reach that value, so model selection compares different "
                "ranges as well as mechanisms"
            )
    return notes


def unfitted_notes(calibration: Calibration) -> list[str]:
    """Paths a variant fixes that no prior covers: the variants differ there by
    construction, and nothing in posterior.parquet shows it (an outside check, decision
    842). Said once the paths are known to be the scenarios' (a path that is not is an
    error, said alone)."""
    priors = calibration.spec.parameters
    notes = []
    for name, fixed in calibration.variants().items():
        unfitted = [f"{path}={float(value):g}" for path, value in fixed.items()
                    if path not in priors]  # fmt: skip
        if unfitted:
            notes.append(
                f"variant '{name}' fixes {', '.join(unfitted)}, which no prior of the "
                "calibration covers: the variants that do not fix it run the scenarios' own "
                "value, and posterior.parquet has no column of it (the report's first table "
                "says each variant's value)"
            )
    return notes


def truth_notes(truth: dict[str, float], priors: dict[str, tuple[float, float]]) -> list[str]:
    """What ``--truth`` leaves unchecked: values of parameters the calibration does not
    fit (the data are simulated with them, but no interval can hold them), values outside
    a fitted parameter's prior (``priors``: low and high by path, the parameters fitted),
    and fitted parameters it gives no value for (simulated at the scenarios' own values,
    which the summary does not know as their truth). They ran silently, and a summary
    with empty truth columns read as a recovery (an audit of the calibration)."""
    if not truth:
        return []
    notes = []
    unfitted = [path for path in truth if path not in priors]
    if unfitted:
        notes.append(
            f"--truth sets {', '.join(unfitted)}, which this calibration does not fit: the "
            "data are simulated with it, and no posterior interval is checked against it"
        )
    # A truth outside its prior is out of the posterior's reach (an audit: link.beta=5
    # on a prior of 0 to 2 ran to the end, truth_in_90 False by construction).
    outside = [
        f"{path}={value:g} (prior {priors[path][0]:g} to {priors[path][1]:g})"
        for path, value in truth.items()
        if path in priors and not priors[path][0] <= value <= priors[path][1]
    ]
    if outside:
        notes.append(
            f"--truth sets {', '.join(outside)} outside the prior: the posterior cannot "
            "reach it, so its truth_in_90 is False by construction; give a value inside "
            "the prior to check recovery"
        )
    missing = [path for path in priors if path not in truth]
    if missing:
        # Where the data's value comes from, for the paths left out: a scenario parameter
        # at the scenario's own, the link's beta at the pattern file's (an outside check:
        # the beta was named for a scenario parameter, decision 1028).
        sources = [
            *(["each scenario's own value"] if set(missing) - {"link.beta"} else []),
            *(["the pattern file's beta"] if "link.beta" in missing else []),
        ]
        notes.append(
            f"--truth gives no value for {', '.join(missing)}: the data are simulated at "
            f"{' and '.join(sources)}, and the summary's truth and truth_in_90 are empty "
            f"for {'it' if len(missing) == 1 else 'them'}; give --truth PATH=VALUE to check it"
        )
    return notes
