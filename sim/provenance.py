"""Where a result came from: package versions, git commit, host, time."""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "credsim",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pydantic",
    "pyarrow",
    "SALib",
    "seaborn",
    "matplotlib",
    "dask",
    "distributed",
    # The fast engine's compiler (the default engine of sweeps and calibrations) and the
    # calibration's ABC-SMC: recorded in every manifest and said by --version (an outside
    # check found neither said where the other packages are, decision 888).
    "numba",
    "pyabc",
)


def versions() -> dict[str, str]:
    """Installed versions of credsim and the packages its results depend on."""
    import sys

    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = _version(metadata.distribution(name))
        except metadata.PackageNotFoundError:
            continue
    return out


def _version(dist: metadata.Distribution) -> str:
    """A distribution's version: the ``Version`` header of its ``METADATA`` file.

    Read from the header block (the lines before the first blank one, core
    metadata's format) rather than through ``dist.version``, which parses the
    whole file, long description included: 13 ms for twelve packages
    against about 1 ms, paid by every sweep while its workers start (decision
    759). A file without the header (an egg's ``PKG-INFO``) goes the usual way.
    """
    text = dist.read_text("METADATA")
    for line in (text or "").splitlines():
        if not line:
            break
        if line.startswith("Version:"):
            return line.removeprefix("Version:").strip()
    return dist.version


def git_info(where: Path | None = None) -> dict[str, Any]:
    """The commit of the checkout holding the code, and whether it has uncommitted changes."""
    root = where or Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 of the sim package's Python files (their paths and bytes) in this process:
    the code that makes the numbers, whether committed or not, with or without git. Read
    once a process: the modules it has imported are those of its first reading."""
    import hashlib

    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def cwd() -> str:
    """The working folder, against which the recorded command's relative paths are read."""
    return os.getcwd()


def host() -> str:
    return socket.gethostname()


def now() -> str:
    """The current time, ISO 8601 in UTC."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
