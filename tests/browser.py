"""What the explorer's browser tests share: Debian's Chromium and its flags, a server of
``credsim explore`` to wait for, and the font the page is drawn in, measured independently
of the code under test (Pillow's reading of the font file, not matplotlib's text path)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A browser test's marks: slow, and skipped (saying why) where Chromium is not installed.
NEEDS_CHROMIUM = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install chromium; .ci/run does this)",
    ),
]


def repo_env() -> dict[str, str]:
    """The environment with this repository first on ``PYTHONPATH``: a command run from a
    test imports the code under test."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def needs_chromium(test: Any) -> Any:
    """:data:`NEEDS_CHROMIUM`'s marks on one test of a module whose others need no browser."""
    for mark in NEEDS_CHROMIUM:
        test = mark(test)
    return test


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[str], seconds: float = 240.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server stopped: {server.communicate()[0]}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds:.0f} s")


def credsim(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("credsim")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "sim", *args]


@contextmanager
def explore_in_chromium(scenario: str, counterfactual: str, out: Path) -> Iterator[tuple[Any, str]]:
    """``credsim explore SCENARIO --counterfactual COUNTERFACTUAL --out OUT`` served on a
    free port from the repository, and headless Chromium launched: ``(browser, url)``. The
    server is stopped on the way out, whatever happened."""
    sync_api = pytest.importorskip("playwright.sync_api")
    port = free_port()
    url = f"http://localhost:{port}/"
    server = subprocess.Popen(
        credsim(
            "explore",
            scenario,
            "--counterfactual",
            counterfactual,
            "--no-browser",
            "--port",
            str(port),
            "--out",
            str(out),
        ),
        cwd=ROOT,
        env=repo_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(url, server)
        with sync_api.sync_playwright() as p:
            yield p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS), url
    finally:
        server.terminate()
        server.wait(timeout=30)


def open_page(page: Any, url: str, drawn: str, charts: int = 4) -> None:
    """Load the explorer's page and wait until ``charts`` of its charts are drawn (elements
    matching ``drawn``: trust, affinity, alignment and the network), and a moment more."""
    page.goto(url, timeout=120_000)
    page.wait_for_selector("text=negativity bias", timeout=120_000)
    page.wait_for_function(
        f"document.querySelectorAll({drawn!r}).length >= {charts}", timeout=120_000
    )
    page.wait_for_timeout(1500)


@cache
def font(size: int, bold: bool) -> Any:
    """DejaVu Sans at ``size`` pixels: Debian's (what its Chromium draws), else the copy
    matplotlib ships."""
    import matplotlib
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = Path("/usr/share/fonts/truetype/dejavu") / name
    if not path.exists():
        path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name
    return ImageFont.truetype(str(path), size)
