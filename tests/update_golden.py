"""Rewrite the golden baselines of the shipped scenarios (tests/golden/v2/*.json).

Run this only when a change to the model or a scenario is meant to move the
results; the diff of tests/golden/ then shows the move in review:

    .venv/bin/python tests/update_golden.py          # the v2 baselines
    .venv/bin/python tests/update_golden.py --v1     # also the v1 ones

The v1 baselines (tests/golden/*.json, from the v1 copies in
tests/data/v1/) hold model v1's results: rewrite them only if v1 itself is
meant to change. They keep the v1 metrics only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_golden import (  # noqa: E402
    GOLDEN,
    GOLDEN_V2,
    SEED,
    V2_METRICS,
    golden_summary,
    shipped,
    v1_copies,
)


def write(target: Path, summary: dict[str, float | None]) -> None:
    target.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target.relative_to(HERE.parent)} ({len(summary)} metrics, seed {SEED})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--v1", action="store_true", help="also rewrite the v1 baselines")
    args = parser.parse_args()
    GOLDEN_V2.mkdir(parents=True, exist_ok=True)
    for path in shipped():
        write(GOLDEN_V2 / f"{path.stem}.json", golden_summary(path))
    if args.v1:
        for path in v1_copies():
            summary = golden_summary(path)
            write(
                GOLDEN / f"{path.stem}.json",
                {k: v for k, v in summary.items() if not k.startswith(V2_METRICS)},
            )


if __name__ == "__main__":
    main()
