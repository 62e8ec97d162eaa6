"""An unfinished sweep's folder as check, analyze and the readers see it: runs counted
from the record, unrecorded chunk files taken as a kill's leftovers (decision 71), and a
repair hint that works from any folder."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from sim import integrity
from sim.cli import main
from sim.results import read_runs

DATA = Path(__file__).parent / "data" / "sweep"
TINY = DATA / "tiny.yaml"
RUNS = 6  # 3 values x 2 replicates


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished series sweep of the tiny scenario, written from its own folder."""
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(home)
        argv = ["sweep", str(TINY), "--vary", "parameters.trust.memory=0.9,0.95,1"]
        argv += [
            "--reps",
            "2",
            "--record",
            "series",
            "--out",
            "out",
            "--no-plots",
            "--quiet",
            "--engine",
            "mesa",
        ]
        mp.setattr(sys, "argv", ["credsim", *argv])  # the manifest's command
        assert main(argv) == 0
    return home / "out"


def _killed(swept: Path, tmp_path: Path) -> Path:
    """A copy of the sweep as a kill leaves it: manifest still running with its first
    counts, and one chunk's series part written but not recorded."""
    folder = tmp_path / "killed"
    shutil.copytree(swept, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest.update(status="running", finished=None, counts={"planned": RUNS, "done": 0})
    (folder / "manifest.json").write_text(json.dumps(manifest))
    shutil.copy(
        folder / "series" / "part-000000.parquet", folder / "series" / "part-000009.parquet"
    )
    return folder


def test_check_counts_the_committed_runs_of_a_running_sweep(swept, tmp_path, capsys):
    folder = _killed(swept, tmp_path)
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"running, {RUNS} of {RUNS} runs" in out
    assert main(["analyze", str(folder), "--method", "sobol"]) == 2
    assert f"is running ({RUNS} of {RUNS} runs)" in capsys.readouterr().err


def test_an_unrecorded_part_of_a_running_sweep_is_a_leftover_not_damage(swept, tmp_path, capsys):
    folder = _killed(swept, tmp_path)
    assert integrity.verify(folder) == []
    assert integrity.leftovers(folder) == ["series/part-000009.parquet"]
    assert main(["check", str(folder)]) == 0
    assert "1 chunk file(s) were written but never recorded" in capsys.readouterr().out
    integrity.require_intact(folder)  # plot and compare read it
    runs = read_runs(folder)
    assert len(runs) == RUNS
    from sim.results import read_series

    series = read_series(folder, runs, ["parameters.trust.memory"])
    assert series is not None
    recorded = read_series(swept, read_runs(swept), ["parameters.trust.memory"])
    assert len(series) == len(recorded)  # the leftover is not read


def test_an_unrecorded_part_of_a_complete_sweep_is_damage(swept, tmp_path, capsys):
    folder = tmp_path / "complete"
    shutil.copytree(swept, folder)
    shutil.copy(
        folder / "series" / "part-000000.parquet", folder / "series" / "part-000009.parquet"
    )
    assert main(["check", str(folder)]) == 1
    assert "series/part-000009.parquet: is not recorded" in capsys.readouterr().out


def test_the_repair_hint_works_from_another_folder(swept, tmp_path, monkeypatch):
    folder = tmp_path / "damaged"
    shutil.copytree(swept, folder)
    (folder / "runs.parquet").unlink()
    monkeypatch.chdir(tmp_path)
    hint = integrity.repair_hint(integrity.read_json(folder / "manifest.json"), "damaged")
    home = swept.parent
    assert f"cd {home} && credsim sweep {TINY} --vary" in hint
    assert f"--out {folder} " in hint
