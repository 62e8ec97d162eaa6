"""docs/findings.md from the experiments' results folders: the document and its command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never open a window


from sim.errors import InputError
from sim.findings import cross_case, posterior
from sim.findings.at_rest import section_at_rest
from sim.findings.claims import CLAIMS, Context, section_runs, table
from sim.findings.discussion import AT_REST, MECHANISMS, PREAMBLE, VERDICTS
from sim.findings.mechanisms import section_mechanisms
from sim.findings.numbers import EXPERIMENTS as CLAIM_EXPERIMENTS
from sim.findings.numbers import REPO
from sim.results import Results, open_results

EXPERIMENTS = (*CLAIM_EXPERIMENTS, *cross_case.EXPERIMENTS)
# What ``--list`` prints (``make findings`` sweeps these): those a calibration does not feed.
LISTED = tuple(e for e in EXPERIMENTS if e not in cross_case.POSTERIOR_EXPERIMENTS)
# Every experiment the document reads, in its table of experiments as in `main`'s reading.
READ = (*EXPERIMENTS, *posterior.EXPERIMENTS)


def render_document(ctx: Context, calibration: Path = posterior.CALIBRATION) -> str:
    """The whole of findings.md (the posterior claims from the calibration folder)."""
    summary = "## Summary\n\n" + table(["claim", "what the model says"], VERDICTS)
    parts = [PREAMBLE, summary, section_runs(ctx, READ)]
    parts += [claim.render(ctx) for claim in CLAIMS]
    parts += [section_mechanisms() + MECHANISMS, section_at_rest() + AT_REST]
    parts.append(cross_case.render(ctx))
    parts.append(posterior.render(ctx.results, calibration))
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


def default_results(name: str) -> Path | None:
    """The folder ``credsim sweep experiments/NAME.yaml`` writes, if it exists.

    None too when the experiment cannot load yet: a posterior design whose
    calibration has not been run names no folder.
    """
    from sim.sweep import default_folder, load_experiment

    try:
        experiment = load_experiment(str(REPO / "experiments" / f"{name}.yaml"))
    except InputError:  # a posterior experiment before its calibration
        return None
    folder = REPO / default_folder(experiment)
    return folder if (folder / "manifest.json").is_file() else None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(
        prog="python -m sim.findings", description="Write docs/findings.md and its figures."
    )
    p.add_argument(
        "--results",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="results folder of experiment NAME (default: the folder its sweep writes)",
    )
    p.add_argument(
        "--list",
        action="store_true",
        help="print the experiments to sweep before (all but the posterior ones), one per line",
    )
    p.add_argument(
        "--list-posterior", action="store_true", help="print the posterior experiments and stop"
    )
    p.add_argument("--calibration", default=str(posterior.CALIBRATION), help="joint calibration")
    p.add_argument("--out", default=str(REPO / "docs" / "findings.md"))
    p.add_argument("--figures", default=str(REPO / "docs" / "figures"))
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Read the results folders, write the figures and findings.md."""
    args = parse_args(argv)
    if args.list or args.list_posterior:
        print("\n".join(posterior.EXPERIMENTS if args.list_posterior else LISTED))
        return 0
    given: dict[str, Path] = {}
    for item in args.results:
        name, sep, folder = item.partition("=")
        if not sep or name not in READ:
            raise SystemExit(f"--results takes NAME=DIR with NAME one of {', '.join(READ)}")
        given[name] = Path(folder)
    results: dict[str, Results] = {}
    for name in READ:
        folder = given.get(name) or default_results(name)
        if folder is not None:
            results[name] = open_results(folder)
    out = Path(args.out)
    figures = Path(args.figures)
    figures.mkdir(parents=True, exist_ok=True)
    # Links from the document to its figures: relative when they sit side by side (docs/).
    same_place = figures.parent.resolve() == out.parent.resolve()
    ctx = Context(results, figures, f"{figures.name}/" if same_place else f"{figures.resolve()}/")
    out.write_text(render_document(ctx, Path(args.calibration)))
    print(
        f"findings: {out} (figures in {figures}; {len(results)} of {len(READ)} experiments found)"
    )
    return 0
