"""Run a test's Python script as a user would: a new process, the repository on its path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_script(script: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``python SCRIPT`` in ``cwd``, its output captured as text (at most 10 minutes)."""
    return subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
