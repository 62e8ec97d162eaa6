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
from sim.errors import InputError
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


def test_check_counts_the_committed_runs_of_a_killed_sweep(swept, tmp_path, capsys):
    """No sweep holds the folder's lock: the manifest's 'running' is a kill's (decision 478)."""
    folder = _killed(swept, tmp_path)
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"stopped (killed or interrupted before it finished), {RUNS} of {RUNS} runs" in out
    # The command to run again, as for damage (it said only "run its command again";
    # an audit, decision 634).
    assert "run its command again to finish it: cd " in out and f"--out {folder}" in out
    assert main(["analyze", str(folder), "--method", "sobol"]) == 2
    assert f"is stopped (killed or interrupted before it finished) ({RUNS} of {RUNS} runs)" in (
        capsys.readouterr().err
    )


def test_check_says_running_while_a_sweep_holds_the_folder(swept, tmp_path, capsys):
    """The lock a writing sweep holds (sim.sweep.store.Store), taken here by hand."""
    import fcntl
    import os

    folder = _killed(swept, tmp_path)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert main(["check", str(folder)]) == 0
        out = capsys.readouterr().out
        assert f"running, {RUNS} of {RUNS} runs" in out
        # Not "run its command again": that is refused while it runs (decision 634).
        assert "note: the sweep is running now; check it again when it has finished" in out
        assert "run its command again" not in out
    finally:
        os.close(fd)


def test_the_report_of_a_killed_sweep_counts_its_committed_runs(swept, tmp_path, capsys):
    """The manifest still says 0 of 6 (its counts at the start); the page and the note
    on stderr give the committed runs (decision 478)."""
    folder = _killed(swept, tmp_path)
    out = tmp_path / "figures"
    assert main(["plot", str(folder), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"note: the sweep is unfinished ({RUNS} of {RUNS} runs)" in err
    page = (out / "report.html").read_text()
    assert f"<strong>Incomplete:</strong> {RUNS} of {RUNS} runs finished" in page
    assert "0 of 6" not in page


def test_an_unrecorded_part_of_a_running_sweep_is_a_leftover_not_damage(swept, tmp_path, capsys):
    folder = _killed(swept, tmp_path)
    assert integrity.verify(folder) == []
    assert integrity.leftovers(folder) == ["series/part-000009.parquet"]
    assert main(["check", str(folder)]) == 0
    assert "1 file(s) were written but never recorded" in capsys.readouterr().out
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
    # Named through a `..`, the folder is given as its plain path (an audit of the README).
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    hint = integrity.repair_hint(integrity.read_json(folder / "manifest.json"), "../damaged")
    assert f"--out {folder} " in hint and ".." not in hint


def _sweep_argv(folder: Path, engine: str) -> list[str]:
    """The fixture's sweep command, writing to ``folder``, on ``engine``."""
    argv = ["sweep", str(TINY), "--vary", "parameters.trust.memory=0.9,0.95,1", "--reps", "2"]
    return [*argv, "--record", "series", "--out", str(folder), "--no-plots", "--quiet",
            "--engine", engine]  # fmt: skip


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_stopped_sweep_is_not_finished_on_another_engine(swept, tmp_path, capsys):
    """The fixture ran on mesa; resuming its killed copy on fast would mix the engines'
    runs (equal within 1e-12, not to the bit) under one manifest (decision 478)."""
    folder = _killed(swept, tmp_path)
    before = _snapshot(folder)
    assert main(_sweep_argv(folder, "fast")) == 2
    err = capsys.readouterr().err
    assert "so far ran on the mesa engine, and this sweep asks for fast" in err
    assert "--engine mesa" in err
    assert _snapshot(folder) == before  # not even the leftover part is removed
    assert main(_sweep_argv(folder, "mesa")) == 0


def test_a_finished_sweep_asked_on_another_engine_keeps_its_record(swept, tmp_path, capsys):
    """Nothing runs, and the manifest still names the engine its runs ran on: it said
    'the question and plots updated' and wrote fast into its resolved experiment."""
    folder = tmp_path / "complete"
    shutil.copytree(swept, folder)
    before = _snapshot(folder)
    assert main(_sweep_argv(folder, "fast")) == 0
    out = capsys.readouterr().out
    assert "is already complete (6 runs, 0 failed)" in out and "nothing to do" in out
    assert _snapshot(folder) == before


def test_compare_says_when_a_folder_is_an_unfinished_sweep(swept, tmp_path, capsys):
    """It said only that compare needs two samples, which a sweep of two scenarios
    killed before the second one's runs does not give (decision 478)."""
    folder = _killed(swept, tmp_path)
    assert main(["compare", str(folder), "--metric", "final_trust.Patron.all"]) == 2
    err = capsys.readouterr().err
    assert "compare needs at least two samples" in err
    assert f"is stopped (killed or interrupted before it finished) ({RUNS} of {RUNS} runs)" in err


def test_a_sweep_waits_out_a_reader_holding_the_lock_for_an_instant(swept, tmp_path):
    """``check`` takes the folder's lock shared for an instant (integrity.being_written):
    a sweep started in that instant refused the folder as written by another sweep."""
    import fcntl
    import os
    import threading

    from sim.sweep.store import Store

    folder = _killed(swept, tmp_path)
    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    release = threading.Timer(0.2, lambda: os.close(fd))
    release.start()
    manifest = json.loads((folder / "manifest.json").read_text())
    with Store(folder, manifest["identity"], manifest["varied"], list(manifest["scenarios"])):
        pass  # taken once the reader let go
    release.join()
    # A writer that keeps it is still refused.
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(InputError, match="another sweep is writing"):
            Store(
                folder, manifest["identity"], manifest["varied"], list(manifest["scenarios"])
            ).__enter__()
    finally:
        os.close(fd)


def test_a_temporary_file_of_a_write_a_kill_cut_short_is_said_by_check(swept, tmp_path, capsys):
    """experiments.md: a killed sweep leaves no partial file behind. A kill in the middle
    of a part's write leaves its temporary file (``.part-*.parquet.*.tmp``), which the
    sweep run again removes; `check` said nothing of it (an audit: kill -9 at 7, 9 and
    13 s). It is now counted with the parts never recorded."""
    folder = _killed(swept, tmp_path)
    before = integrity.leftovers(folder)
    (folder / "series" / ".part-000010.parquet.g9ly5h79.tmp").write_bytes(b"PAR1")
    assert integrity.leftovers(folder) == [*before, "series/.part-000010.parquet.g9ly5h79.tmp"]
    assert main(["check", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"note: {len(before) + 1} file(s) were written but never recorded" in out


def test_check_says_when_a_drawing_was_cut_short(swept, tmp_path, monkeypatch, capsys):
    """A sweep stopped while it drew its figures: `check` said "ok ... complete" of a
    folder whose report page and most figures were missing (an audit). It now says so
    and how to draw them; once drawn, it says nothing of it."""
    import sim.plots.report

    folder = tmp_path / "drawn"
    shutil.copytree(swept, folder)
    written = []
    real = sim.plots.report.atomic_write_bytes

    def write_then_stop(path: Path, data: bytes) -> None:
        if written:
            raise KeyboardInterrupt
        written.append(path)
        real(path, data)

    monkeypatch.setattr(sim.plots.report, "atomic_write_bytes", write_then_stop)
    assert main(["plot", str(folder)]) == 130
    assert not (folder / "report.html").exists() and len(written) == 1
    capsys.readouterr()
    assert main(["check", str(folder)]) == 0
    note = (
        "note: its figures and report page were being drawn when it stopped, and some are "
        f"missing; 'credsim plot {folder}' (or its command run again) draws them"
    )
    assert note in capsys.readouterr().out.splitlines()
    monkeypatch.undo()
    assert main(["plot", str(folder)]) == 0
    capsys.readouterr()
    assert main(["check", str(folder)]) == 0
    assert "being drawn" not in capsys.readouterr().out
