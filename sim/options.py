"""Names chosen among a fixed set, defined once: record levels, executors and engines.

The model, the runner, the experiment schema, the executors and the CLI's
``choices`` all take them from here. The module imports nothing heavy, so
that building the command line stays fast.
"""

from __future__ import annotations

import argparse
from typing import Any, Literal, get_args

from sim.errors import InputError, number_text

# What a run records: summaries only, plus the tidy series, plus per-actor trust.
Record = Literal["summary", "series", "actors"]
RECORD_LEVELS: tuple[str, ...] = get_args(Record)


def check_record(record: object) -> None:
    """Refuse a record level that is none of :data:`RECORD_LEVELS` (``CredibilityModel(...,
    record="full")`` ran as ``series`` without a word; decision 959).

    Raises:
        InputError: one line naming the level and the allowed ones.
    """
    if record not in RECORD_LEVELS:
        raise InputError(f"unknown record level {record!r}; allowed: {', '.join(RECORD_LEVELS)}")


# How a sweep carries out its runs (sim.sweep.executors).
ExecutorName = Literal["serial", "process", "dask"]
EXECUTORS: tuple[str, ...] = get_args(ExecutorName)

# Which implementation runs a model: the Mesa model (the reference) or the compiled one.
Engine = Literal["mesa", "fast"]
ENGINES: tuple[str, ...] = get_args(Engine)
# credsim engines: the replicates it runs, and the largest difference it allows between the
# engines' numbers (1e-12, README's "Two engines give the same results").
ENGINE_CHECK_REPS = 3
ENGINE_TOLERANCE = 1e-12

# `credsim patterns check`: replicates of each run, and posterior draws with --posterior.
PATTERN_REPS = 3
PREDICTIVE_SAMPLES = 50


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


def _number(kind: type, low: float, what: str) -> Any:
    """An argparse ``type``: a ``kind`` number of at least ``low`` (else a usage error)."""

    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got '{text}'") from None
        if value != value:  # NaN: no number to compare (an outside check, decision 888)
            raise argparse.ArgumentTypeError(f"expected {what}, got '{text}'")
        if not value >= low:
            raise argparse.ArgumentTypeError(f"must be >= {low:g}, got {number_text(value)}")
        return value

    parse.__name__ = what  # argparse names the type in its own messages
    return parse


# Counts, seeds and rates of the command line: a negative seed or a zero count is bad input
# (exit 2, one line), not a run that fails deep inside numpy or pydantic.
positive_int = _number(int, 1, "a whole number")
non_negative_int = _number(int, 0, "a whole number")
non_negative_float = _number(float, 0.0, "a number")
