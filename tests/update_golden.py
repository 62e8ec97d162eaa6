"""Rewrite the golden baselines of the shipped scenarios (tests/golden/*.json).

Run this only when a change to the model or a scenario is meant to move the
results; the diff of tests/golden/ then shows the move in review:

    .venv/bin/python tests/update_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from test_golden import GOLDEN, SEED, golden_summary, shipped  # noqa: E402


def main() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for path in shipped():
        summary = golden_summary(path)
        target = GOLDEN / f"{path.stem}.json"
        target.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")
        print(f"wrote {target.relative_to(HERE.parent)} ({len(summary)} metrics, seed {SEED})")


if __name__ == "__main__":
    main()
