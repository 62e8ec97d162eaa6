"""The browser files the page needs, kept where Solara's asset proxy looks first.

Solara serves its JavaScript, fonts and Vega through a proxy that fetches
them from a public CDN on first use and caches them
(``solara.server.settings.assets.proxy_cache_dir``). Where the CDN cannot be
reached (an offline machine, CI here) the page stays blank; so before the
server starts, :func:`fill_cache` puts any file set that is missing into that
cache from the npm registry with ``npm pack``, when npm is installed. The
names are the ones Solara 1.64 asks for (its page template and its VegaLite
widget, which asks for the major versions ``vega@5``, ``vega-lite@5`` and
``vega-embed@6``).
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import ipyvue

VUETIFY_APP = (
    "@widgetti/solara-vuetify3-app@5.2.0"
    if ipyvue.__version__.startswith("3")
    else "@widgetti/solara-vuetify-app@10.1.1"
)
ASSETS: tuple[str, ...] = (
    VUETIFY_APP,
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "vega@5",
    "vega-lite@5",
    "vega-embed@6",
)


def proxy_cache() -> Path:
    """Where Solara's asset proxy keeps what it fetched."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing(cache: Path) -> list[str]:
    """The file sets of :data:`ASSETS` that ``cache`` does not hold."""
    return [name for name in ASSETS if not (cache / name / "package.json").is_file()]


def fill_cache(cache: Path) -> list[str]:
    """Put the missing file sets into ``cache`` from the npm registry.

    Returns:
        The names fetched (none when nothing was missing or npm is not installed:
        Solara's proxy then tries its CDN itself).
    """
    wanted = missing(cache)
    npm = shutil.which("npm")
    if not wanted or npm is None:
        return []
    with tempfile.TemporaryDirectory(prefix="credsim-assets-") as tmp:
        for name in wanted:
            done = subprocess.run(
                [npm, "pack", "--silent", "--pack-destination", tmp, name],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                continue
            tarball = Path(tmp) / done.stdout.strip().splitlines()[-1]
            staging = Path(tmp) / "unpacked"
            with tarfile.open(tarball) as archive:
                archive.extractall(staging, filter="data")
            target = cache / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(target, ignore_errors=True)
            shutil.move(str(staging / "package"), target)
            shutil.rmtree(staging)
    return [name for name in wanted if name not in missing(cache)]
