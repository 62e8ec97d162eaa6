"""``make bench``: every benchmark, one after the other, into one JSON report.

Each benchmark runs in its own process (so one's memory and caches do not
colour the next) and writes its own JSON; this script gathers them with the
machine's description into ``--out``.

Usage: ``python benchmarks/run_all.py --out benchmarks/report.json [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from sim import provenance

HERE = Path(__file__).resolve().parent


def run(script: str, out: Path, *extra: str) -> dict:
    print(f"== {script}", flush=True)
    subprocess.run([sys.executable, str(HERE / script), *extra], check=True)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "report.json"))
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args()
    quick = ["--quick"] if args.quick else []
    with tempfile.TemporaryDirectory() as tmp:
        model_json = Path(tmp) / "model.json"
        sweep_json = Path(tmp) / "sweep.json"
        explore_json = Path(tmp) / "explore.json"
        calibrate_json = Path(tmp) / "calibrate.json"
        fast_json = Path(tmp) / "fast.json"
        report_json = Path(tmp) / "report.json"
        report = {
            "machine": {
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "python": platform.python_version(),
            },
            "versions": provenance.versions(),
            "git": provenance.git_info(),
            "started": provenance.now(),
            "model": run("bench_model.py", model_json, "--out", str(model_json), *quick),
            "sweep": run(
                "bench_sweep.py",
                sweep_json,
                str(sweep_json),
                *(["--runs", "100", "--memory-runs", "1000"] if args.quick else []),
            ),
            "explore": run("bench_explore.py", explore_json, str(explore_json)),
            "calibrate": run(
                "bench_calibrate.py",
                calibrate_json,
                str(calibrate_json),
                *(["--runs", "40", "--simulations", "400"] if args.quick else []),
            ),
            "fast_engine": run("bench_fast.py", fast_json, "--out", str(fast_json), *quick),
            "report": run(
                "bench_report.py",
                report_json,
                str(report_json),
                *(["--sizes", "100", "1000", "--repeat", "1"] if args.quick else []),
            ),
            "finished": provenance.now(),
        }
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
