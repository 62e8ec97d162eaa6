"""The explorer's browser files: the Solara proxy cache is filled with ``npm pack``.

A stand-in ``npm`` on PATH packs a tarball holding ``package/package.json``
and ``package/dist/x.js`` for whatever it is asked, as npm does, and prints
the tarball's name; the cache then holds each asked name as a folder.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

pytest.importorskip("ipyvue")

from sim.explore.assets import ASSETS, fill_cache, missing

FAKE_NPM = """#!/usr/bin/env python3
import io, sys, tarfile
args = sys.argv[1:]
dest = args[args.index("--pack-destination") + 1]
name = args[-1]
tgz = name.replace("@", "").replace("/", "-") + ".tgz"
with tarfile.open(f"{dest}/{tgz}", "w:gz") as out:
    for path, text in (("package/package.json", "{}"), ("package/dist/x.js", name)):
        data = text.encode()
        info = tarfile.TarInfo(path)
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
print(tgz)
"""


def fake_npm(folder: Path) -> None:
    npm = folder / "npm"
    npm.write_text(FAKE_NPM)
    npm.chmod(npm.stat().st_mode | stat.S_IXUSR)


def test_fill_cache_puts_every_missing_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake_npm(bin_dir)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    cache = tmp_path / "cdn"
    assert missing(cache) == list(ASSETS)
    assert fill_cache(cache) == list(ASSETS)
    assert missing(cache) == []
    for name in ASSETS:
        assert (cache / name / "dist" / "x.js").read_text() == name
    assert fill_cache(cache) == []


def test_without_npm_nothing_is_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert fill_cache(tmp_path / "cdn") == []
    assert not (tmp_path / "cdn").exists()
