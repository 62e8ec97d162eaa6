"""Names chosen among a fixed set, defined once: record levels, executors and engines.

The model, the runner, the experiment schema, the executors and the CLI's
``choices`` all take them from here. The module imports nothing heavy, so
that building the command line stays fast.
"""

from __future__ import annotations

import argparse
from typing import Literal, get_args

# What a run records: summaries only, plus the tidy series, plus per-actor trust.
Record = Literal["summary", "series", "actors"]
RECORD_LEVELS: tuple[str, ...] = get_args(Record)

# How a sweep carries out its runs (sim.sweep.executors).
ExecutorName = Literal["serial", "process", "dask"]
EXECUTORS: tuple[str, ...] = get_args(ExecutorName)

# Which implementation runs a model: the Mesa model (the reference) or the compiled one.
Engine = Literal["mesa", "fast"]
ENGINES: tuple[str, ...] = get_args(Engine)


def add_overrides(p: argparse.ArgumentParser, what: str) -> None:
    """The ``--set PATH=VALUE`` option (repeatable, into ``args.overrides``), ``what``
    saying what it overrides."""
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help=f"{what} (repeatable)",
    )
