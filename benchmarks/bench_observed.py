"""Observed-votes benchmark: reading the tables, a 60-year group series, one pattern simulation.

Measures, each the best of a few repeats:

- ``load_votes`` of the full unvotes tables (870,109 votes), cold (cache cleared);
- the split agreement with the USSR (against the USA) of 40 states, 1956-2015,
  state and group values (:func:`sim.observed.series.observed_table`);
- one ``simulate_statistics`` call on ``patterns/syria.yaml`` (1 replicate),
  after the pattern file's observed side has been prepared.

Usage: ``python benchmarks/bench_observed.py [--votes DIR] [--out report.json]``
(``--votes`` defaults to ``../shared/data/unvotes`` beside the repo, else
``$CREDSIM_VOTES``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.observed import votes as votes_module
from sim.observed.series import observed_table
from sim.patterns import load_patterns, prepare, simulate_statistics

ROOT = Path(__file__).resolve().parent.parent
STATES = [
    "India",
    "Egypt",
    "Indonesia",
    "Yugoslavia",
    "Ghana",
    "Guinea",
    "Mali",
    "Algeria",
    "Cuba",
    "Iraq",
    "Syria",
    "Burma",
    "Cambodia",
    "Afghanistan",
    "Ethiopia",
    "Pakistan",
    "Iran",
    "Turkey",
    "Japan",
    "Philippines",
    "Thailand",
    "Poland",
    "Hungary",
    "Romania",
    "Bulgaria",
    "Albania",
    "Mongolia",
    "Tanzania",
    "Nigeria",
    "Kenya",
    "Brazil",
    "Mexico",
    "Argentina",
    "Chile",
    "France",
    "United Kingdom",
    "Canada",
    "Australia",
    "Sweden",
    "Israel",
]


def best(fn: Callable[[], Any], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ROOT.parent / "shared" / "data" / "unvotes"
    parser.add_argument("--votes", default=str(default) if default.is_dir() else None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    folder = args.votes or os.environ.get("CREDSIM_VOTES")

    def cold_load() -> None:
        votes_module._CACHE.clear()
        votes_module.load_votes(folder)

    data = votes_module.load_votes(folder)
    pf = load_patterns(ROOT / "patterns" / "syria.yaml")
    prepare(pf, data)
    report = {
        "load_votes_s": best(cold_load),
        "series_40_states_60_years_s": best(
            lambda: observed_table(
                data,
                "Russia",
                STATES,
                "bench",
                rival="United States",
                measure="split_agreement",
                years=(1956, 2015),
            )
        ),
        "simulate_statistics_syria_1_rep_s": best(
            lambda: simulate_statistics(pf, {}, reps=1, votes=data)
        ),
    }
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
