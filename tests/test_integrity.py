"""Results folders that cannot be mixed, lost or silently corrupted (issue 16).

A reference sweep (tests/data/sweep/grid.yaml recording actors: 36 runs in
chunks of 16, 16 and 4, each with a runs, series and actors part) is copied,
damaged one file at a time, checked, refused by the readers, and repaired by
running the sweep again, which must redo exactly the runs of a damaged chunk
and end equal to the reference.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import integrity
from sim.cli import main
from sim.fileio import interrupts_held, read_arrow_table, table_rows
from sim.sweep import load_experiment, run_sweep

DATA = Path(__file__).parent / "data"
GRID = DATA / "sweep" / "grid.yaml"
TINY = DATA / "sweep" / "tiny.yaml"
# grid.yaml: 2 scenarios x 6 points x 3 replicates; chunks hold at least 16 runs.
RUNS = 36
CHUNK = 16


def _sweep(folder: Path) -> int:
    """Run (or repair) the reference sweep in ``folder``; the number of runs it did."""
    return run_sweep(load_experiment(GRID, record="actors"), folder, quiet=True).ran


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reference") / "sweep"
    assert _sweep(folder) == RUNS
    return folder


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    """runs.parquet (without timings) and every chunk table, sorted by their keys."""
    runs = pd.read_parquet(folder / "runs.parquet").drop(columns="elapsed_s")
    tables = {"runs": runs}
    for sub, keys in (
        ("series", ["step", "group", "power", "metric"]),
        ("actors", ["step", "actor", "power"]),
    ):
        frame = pd.concat(pd.read_parquet(p) for p in (folder / sub).glob("part-*.parquet"))
        tables[sub] = frame.sort_values(["run_id", *keys]).reset_index(drop=True)
    return tables


def _flip(path: Path) -> None:
    """Invert one byte in the middle: the file keeps its size, its content changes."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 3])


def _delete(path: Path) -> None:
    path.unlink()


DAMAGES: dict[str, Callable[[Path], None]] = {
    "flip": _flip,
    "truncate": _truncate,
    "delete": _delete,
}
# Each kind of file, and how many runs repairing it redoes: a chunk's runs, or none.
FILES = [
    ("runs/part-000001.arrow", CHUNK),
    ("series/part-000001.parquet", CHUNK),
    ("actors/part-000002.parquet", RUNS - 2 * CHUNK),
    ("runs.parquet", 0),
    ("design.parquet", 0),
    ("integrity.json", 0),
    ("manifest.json", 0),
]


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize(("name", "redone"), FILES)
def test_each_damaged_file_is_found_refused_and_repaired(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reference: Path,
    name: str,
    redone: int,
    damage: str,
) -> None:
    folder = tmp_path / "sweep"
    shutil.copytree(reference, folder)
    DAMAGES[damage](folder / name)

    problems = integrity.verify(folder)
    assert name in {p.file for p in problems}, problems
    assert main(["check", str(folder)]) == 1
    out = capsys.readouterr().out
    assert f"{folder / name}: " in out
    assert "repair it by running the command that wrote it again" in out
    if name != "manifest.json":  # the copy, not the folder the command first wrote
        assert out.rstrip().endswith(f"--out {folder}"), out

    if name != "manifest.json":  # without a manifest the readers do not know the folder
        for argv in (["plot", str(folder)], ["compare", str(folder)]):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert len(err.splitlines()) == 1, err
            assert f"{folder}: results folder is damaged: " in err
            assert "repair it by running the command that wrote it again" in err

    assert _sweep(folder) == redone
    assert f"repairing {folder / name}: it " in capsys.readouterr().out
    assert integrity.verify(folder) == []
    got, want = _tables(folder), _tables(reference)
    assert got["runs"]["run_id"].is_unique
    for table in want:
        pd.testing.assert_frame_equal(got[table], want[table], check_like=False)
    assert main(["check", str(folder)]) == 0
    assert capsys.readouterr().out.startswith(
        f"ok: {folder}: sweep 'tiny_grid', complete, 36 of 36"
    )


def test_an_intact_folder_is_checked_ok_and_a_rerun_does_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: Path
) -> None:
    folder = tmp_path / "sweep"
    shutil.copytree(reference, folder)
    assert main(["check", str(folder)]) == 0
    recorded = json.loads((folder / "integrity.json").read_text())["files"]
    # design, runs.parquet, and three parts in each of runs/, series/, actors/.
    assert len(recorded) == 2 + 3 * 3
    assert recorded["runs.parquet"]["rows"] == RUNS
    assert recorded["runs/part-000000.arrow"]["rows"] == CHUNK
    assert "11 files verified" in capsys.readouterr().out
    assert _sweep(folder) == 0


def test_the_manifest_is_the_first_file_a_sweep_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file lands by os.replace (atomic writes): the first to land is manifest.json."""
    landed: list[str] = []
    replace = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        landed.append(Path(dst).name)
        replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    _sweep(tmp_path / "sweep")
    assert landed[0] == "manifest.json"
    assert landed.index("integrity.json") < landed.index("design.parquet")


def test_a_sweep_killed_after_its_design_resumes_with_the_same_command(
    tmp_path: Path, reference: Path
) -> None:
    """What a kill after the design leaves: manifest, integrity record, design; no runs."""
    folder = tmp_path / "sweep"
    folder.mkdir()
    for name in ("manifest.json", "integrity.json", "design.parquet"):
        shutil.copy(reference / name, folder / name)
    records = integrity.Records(folder)
    records.forget([folder / n for n in list(records.files) if n != "design.parquet"])
    assert _sweep(folder) == RUNS
    pd.testing.assert_frame_equal(_tables(folder)["runs"], _tables(reference)["runs"])


def _run(folder: Path, *extra: str) -> int:
    return main(["run", str(TINY), "--out", str(folder), "--no-plots", *extra])


def test_run_refuses_a_sweep_folder_and_a_folder_of_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: Path
) -> None:
    sweep = tmp_path / "sweep"
    shutil.copytree(reference, sweep)
    before = (sweep / "manifest.json").read_bytes()
    assert _run(sweep) == 2
    err = capsys.readouterr().err
    assert err == (
        f"credsim: error: results folder '{sweep}' holds a different experiment "
        "('tiny_grid', sweep); choose another --out or remove it\n"
    )
    assert (sweep / "manifest.json").read_bytes() == before
    assert integrity.verify(sweep) == []

    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert _run(other) == 2
    assert "is not empty and is not a credsim results folder" in capsys.readouterr().err
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]


def test_sweep_refuses_a_run_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = tmp_path / "run"
    assert _run(run) == 0
    capsys.readouterr()
    argv = ["sweep", str(GRID), "--out", str(run), "--no-plots", "--quiet", "--workers", "1"]
    assert main(argv) == 2
    assert "holds a different experiment ('tiny', run)" in capsys.readouterr().err


def test_a_run_folder_is_recorded_refused_when_damaged_and_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert _run(run) == 0
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["integrity"] == "integrity.json"
    recorded = json.loads((run / "integrity.json").read_text())["files"]
    assert sorted(recorded) == ["series.parquet", "summary.json"]
    want = (run / "summary.json").read_text()
    _flip(run / "series.parquet")
    assert main(["plot", str(run)]) == 2
    assert "series.parquet is damaged" in capsys.readouterr().err
    # The same run again rewrites it; another seed is another run and is refused.
    assert _run(run) == 0
    assert integrity.verify(run) == []
    assert (run / "summary.json").read_text() == want
    assert _run(run, "--seed", "1") == 2
    assert "holds a different run ('tiny', run; seed 0, this run's 1)" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda m: m.pop("scenarios"), "field 'scenarios' is missing"),
        (lambda m: m.update(varied="x"), "field 'varied' should be a list, got 'x'"),
        (lambda m: m.update(record="everything"),
         "field 'record' should be 'summary', 'series' or 'actors', got 'everything'"),
        (lambda m: m["design"].update(parameters=[1]),
         "field 'design.parameters' should be a mapping, got [1]"),
        (lambda m: m.update(counts="x"), "field 'counts' should be a mapping, got 'x'"),
        (lambda m: m.update(seed=1.5), "field 'seed' should be a whole number, got 1.5"),
    ],
)  # fmt: skip
def test_a_manifest_edited_out_of_shape_is_damaged_refused_and_rewritten(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reference: Path,
    edit: Callable[[dict], object],
    said: str,
) -> None:
    """A manifest that is still a JSON object but lacks a field the readers use (or
    holds it with another type) made plot and compare fail inside (a KeyError, an
    AttributeError) while check said ok (decision 488)."""
    folder = tmp_path / "sweep"
    shutil.copytree(reference, folder)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))
    assert main(["check", str(folder)]) == 1
    assert f"{path}: is damaged ({said})" in capsys.readouterr().out
    for argv in (["plot", str(folder)], ["compare", str(folder)], ["analyze", str(folder),
                 "--method", "sobol"]):  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1, err
        assert f"{path}: is damaged ({said}); repair it by running the command" in err
    assert not (folder / "plots").exists() and not (folder / "analysis").exists()
    # The same sweep again writes the manifest anew and runs nothing.
    assert _sweep(folder) == 0
    assert integrity.verify(folder) == []
    assert main(["check", str(folder)]) == 0


def test_a_run_manifest_edited_out_of_shape_is_rewritten_by_the_same_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert _run(run) == 0
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["scenario"]
    path.write_text(json.dumps(manifest))
    assert main(["check", str(run)]) == 1
    assert main(["plot", str(run)]) == 2
    assert "is damaged (field 'scenario' is missing)" in capsys.readouterr().err
    assert _run(run) == 0
    assert main(["check", str(run)]) == 0


@pytest.mark.parametrize(
    ("argv", "differs"),
    [
        (["--set", "parameters.trust.memory=0.9"],
         "--set nothing, this run's parameters.trust.memory=0.9"),
        (["--seed", "3"], "seed 0, this run's 3"),
    ],
)  # fmt: skip
def test_a_refused_run_says_what_sets_the_folder_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], differs: str
) -> None:
    """ "holds a different run ('tiny', run)" left a reader to guess what differed from a
    run of the same scenario."""
    run = tmp_path / "run"
    assert _run(run) == 0
    capsys.readouterr()
    before = (run / "manifest.json").read_text()
    assert _run(run, *argv) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: results folder '{run}' holds a different run ('tiny', run; "
        f"{differs}); choose another --out or remove it\n"
    )
    assert (run / "manifest.json").read_text() == before


def test_a_run_interrupted_while_written_is_damaged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill between the first manifest and the last leaves status 'running'."""
    run = tmp_path / "run"
    assert _run(run) == 0
    manifest = json.loads((run / "manifest.json").read_text())
    (run / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    assert integrity.verify(run) == [
        integrity.Problem("manifest.json", "says the run was interrupted while it was written")
    ]
    assert _run(run) == 0
    assert integrity.verify(run) == []


def test_a_file_of_another_size_is_said_to_be_shorter_or_longer(tmp_path: Path) -> None:
    """A file shorter than its record may be truncated; a longer one was not (it said
    "truncated?" for a file with bytes appended)."""
    run = tmp_path / "run"
    assert main(["run", str(TINY), "--out", str(run), "--no-plots"]) == 0
    series = run / "series.parquet"
    size = series.stat().st_size
    series.write_bytes(series.read_bytes() + b"xx")
    assert integrity.verify(run) == [
        integrity.Problem("series.parquet", f"has {size + 2} bytes, {size} recorded (written to?)")
    ]
    series.write_bytes(series.read_bytes()[: size // 2])
    assert integrity.verify(run) == [
        integrity.Problem("series.parquet", f"has {size // 2} bytes, {size} recorded (truncated?)")
    ]


def test_check_refuses_what_is_not_a_results_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("a user's file")  # an empty one is said so apart
    assert main(["check", str(tmp_path)]) == 2
    assert "is not a results folder" in capsys.readouterr().err


def test_figures_and_tables_are_not_written_into_a_results_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: Path
) -> None:
    sweep = tmp_path / "sweep"
    shutil.copytree(reference, sweep)
    run = tmp_path / "run"
    assert _run(run) == 0
    capsys.readouterr()
    before = sorted(p.name for p in run.iterdir())
    for argv in (
        ["compare", str(sweep), "--out", str(run)],
        ["plot", str(sweep), "--out", str(run)],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err == (
            f"credsim: error: --out '{run}' is a results folder (it has a manifest.json); "
            "figures and tables go to a folder of their own: choose another --out\n"
        )
    assert sorted(p.name for p in run.iterdir()) == before


@pytest.mark.parametrize("command", ["check", "plot", "compare"])
def test_an_empty_folder_is_said_to_be_empty(tmp_path, capsys, command):
    """A sweep killed as it started leaves its folder empty; check, plot and compare said
    "not a results folder: it has no manifest.json" (an audit, decision 647)."""
    folder = tmp_path / "started"
    folder.mkdir()
    assert main([command, str(folder)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"credsim: error: '{folder}' is empty: nothing has been written to it yet (a run or "
        "sweep stopped as it started leaves its folder so; run its command again)"
    )


@pytest.mark.parametrize(
    ("file", "content", "said"),
    [
        ("manifest.json", b"\xff\xfe{", "is damaged (byte 0xff at offset 0 is not UTF-8 text"),
        ("manifest.json", b"[1, 2]", "is damaged (it is not a JSON object, which says whether"),
        ("manifest.json", b"null", "is damaged (it is not a JSON object, which says whether"),
        ("manifest.json", b"{}", "is damaged (it has no 'kind', which says whether"),
        ("integrity.json", b'{"owner": {}, "files": [1]}', "its 'files' is not a mapping"),
        ("integrity.json", b'{"owner": [1], "files": {}}', "its 'owner' is not a mapping"),
        ("integrity.json", b"runs.parquet", "runs.parquet has a damaged record in integrity"),
    ],
)
def test_a_manifest_or_record_of_another_shape_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: Path, file: str,
    content: bytes, said: str,
) -> None:  # fmt: skip
    """A manifest that is not UTF-8 was a UnicodeDecodeError traceback, one that is a list
    or null or has no kind was "manifest kind is None", and an integrity record whose
    files or owner are not mappings an AttributeError traceback in every reader and in
    check (an audit of the commands' options)."""
    folder = tmp_path / "sweep"
    shutil.copytree(reference, folder)
    if content == b"runs.parquet":  # the record as written, but for one file's entry
        record = json.loads((folder / file).read_text())
        record["files"]["runs.parquet"] = 5
        content = json.dumps(record).encode()
    (folder / file).write_bytes(content)
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    for argv in (["plot", str(folder)], ["compare", str(folder)], ["analyze", str(folder),
                 "--method", "sobol"]):  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and said in err, err
        assert "repair it by running the command that wrote it again" in err
    assert main(["check", str(folder)]) == 1
    assert "damaged" in capsys.readouterr().out
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


@pytest.mark.parametrize(
    ("kind", "name", "command"),
    [
        ("sweep", "runs.parquet", "plot"),
        ("sweep", "runs.parquet", "compare"),
        ("sweep", "runs.parquet", "analyze"),
        ("sweep", "series/part-00000.parquet", "plot"),
        ("sweep", "design.parquet", "analyze"),
        ("run", "series.parquet", "plot"),
    ],
)
def test_a_damaged_file_no_record_covers_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, name: str, command: str
) -> None:
    """A folder whose manifest has no ``integrity`` is read unchecked: a data file of it
    that Arrow cannot read ended in "pyarrow.lib.ArrowInvalid: Could not open Parquet
    input source ..." in plot, compare and analyze (an audit). It is said damaged, with
    the repair, and nothing is written."""
    import results_factory as factory

    if kind == "sweep":
        folder = factory.write_sweep(tmp_path / "d", replicates=1)
    else:
        folder = factory.write_run(tmp_path / "d")
    if command == "analyze":  # analyze reads the design after the runs
        pd.DataFrame({"point": [0]}).to_parquet(folder / "design.parquet")
    damaged = folder / name
    damaged.write_text("x\n")
    out = tmp_path / "out"
    argv = {
        "plot": ["plot", str(folder), "--out", str(out)],
        "compare": ["compare", str(folder), "--out", str(out)],
        "analyze": ["analyze", str(folder), "--method", "sobol"],
    }[command]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(
        f"credsim: error: '{damaged}' is damaged (it is not a readable parquet table); "
        "repair it by running"
    )
    assert not out.exists() and not (folder / "analysis").exists()


def _scenario(m: dict) -> dict:
    return m["scenarios"]["withdrew"]


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda m: _scenario(m).update(calendar=5),
         "field 'scenarios.withdrew.calendar': expected a mapping, got 5"),
        (lambda m: _scenario(m)["events"][0].pop("date"),
         "field 'scenarios.withdrew.events.intervention': give exactly one of 'date'"),
        (lambda m: _scenario(m)["outputs"]["groups"].update(east=[1]),
         "field 'scenarios.withdrew.outputs.groups.east': expected a mapping, got a list"),
        (lambda m: _scenario(m)["events"][0].update(actor="Nobody"),
         "field 'scenarios.withdrew.events.intervention.actor': unknown power 'Nobody'"),
        (lambda m: m["experiment"].update(question={"metric": "final_trust.Patron.all"}),
         "field 'experiment.question.difference': required field is missing"),
        (lambda m: m["experiment"].update(question={"difference": ["withdrew", "a"],
                                                    "metric": "final_trust.Patron.all"}),
         "field 'experiment.question.difference': 'a' is none of the sweep's scenarios"),
        (lambda m: m["experiment"].update(plots={"powers": "Patron"}),
         "field 'experiment.plots.powers': expected a list, got 'Patron'"),
    ],
)  # fmt: skip
def test_a_scenario_tree_edited_in_the_manifest_is_damaged_and_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reference: Path,
    edit: Callable[[dict], object],
    said: str,
) -> None:
    """The scenario trees embedded in a manifest (and the experiment's question and
    plots) were not checked: `calendar: 5` was "TypeError: ... argument after ** must be
    a mapping, not int" in plot and compare, an event without a date "KeyError: 'date'",
    a group that is a list an AttributeError, a question without `difference`
    "KeyError: 'difference'", while check said ok (an audit). The trees are checked
    with the scenario schema and the question and plots with the experiment file's."""
    folder = tmp_path / "sweep"
    shutil.copytree(reference, folder)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest))
    before = _times(folder)
    assert main(["check", str(folder)]) == 1
    assert f"{path}: is damaged ({said}" in capsys.readouterr().out
    for argv in (["plot", str(folder)], ["compare", str(folder)], ["analyze", str(folder),
                 "--method", "sobol"]):  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1, err
        assert f"{path}: is damaged ({said}" in err
        assert "; repair it by running the command that wrote it again" in err
    assert _times(folder) == before
    # The same sweep writes the manifest anew and runs nothing.
    assert _sweep(folder) == 0
    assert main(["check", str(folder)]) == 0


def test_a_run_manifest_with_a_damaged_scenario_tree_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run's embedded scenario, from before integrity records too (check said "ok")."""
    import results_factory as factory

    run = factory.write_run(tmp_path / "run")
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["scenario"]["calendar"] = {"start": "2014-01"}
    path.write_text(json.dumps(manifest))
    assert main(["check", str(run)]) == 1
    assert f"{path}: is damaged (field 'scenario.calendar.end'" in capsys.readouterr().out
    assert main(["plot", str(run), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "(field 'scenario.calendar.end'" in err, err
    assert not (tmp_path / "out").exists()


def test_a_manifest_is_checked_once_a_command_and_again_once_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command reads a manifest several times (its reader, the integrity check): its
    scenario trees are checked once, and a manifest rewritten since is checked anew."""
    import results_factory as factory

    from sim import manifests

    run = factory.write_run(tmp_path / "run")
    calls: list[str] = []
    checked = manifests.problem

    def counted(manifest: dict[str, object]) -> str | None:
        calls.append(str(manifest.get("kind")))
        return checked(manifest)

    monkeypatch.setattr(manifests, "problem", counted)
    assert main(["plot", str(run), "--out", str(tmp_path / "out")]) == 0
    assert calls == ["run"]  # four reads of it before (open_results twice, each verifying)
    assert main(["check", str(run)]) == 0
    assert calls == ["run"]
    capsys.readouterr()
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["scenario"]["calendar"] = {"start": "2014-01"}
    path.write_text(json.dumps(manifest))
    assert main(["check", str(run)]) == 1
    assert "(field 'scenario.calendar.end'" in capsys.readouterr().out
    assert calls == ["run", "run"]


def _no_record(folder: Path) -> Path:
    """``folder`` as written before integrity records: no record, no ``integrity`` key."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["integrity"]
    path.write_text(json.dumps(manifest))
    (folder / "integrity.json").unlink()
    return folder


def _times(folder: Path) -> dict[Path, int]:
    """Every file's and folder's modification time under ``folder``, to show it unchanged."""
    return {p.relative_to(folder): p.stat().st_mtime_ns for p in folder.rglob("*")}


def _refused_in_one_line(
    folder: Path,
    damaged: Path,
    said: str,
    out: Path,
    capsys: pytest.CaptureFixture[str],
    opening: str | None = None,
) -> None:
    """plot and compare refuse ``folder`` in one line naming ``damaged`` (their error
    starts with ``opening``, by default the file's own refusal), check lists it, and
    nothing is written."""
    if opening is None:
        opening = f"credsim: error: '{damaged}' is damaged ({said}); repair it by running"
    before = _times(folder)
    for argv in (["plot", str(folder), "--out", str(out)],
                 ["compare", str(folder), "--out", str(out)]):  # fmt: skip
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith(opening), err
    assert main(["check", str(folder)]) == 1
    assert f"{damaged}: is damaged ({said})" in capsys.readouterr().out
    assert not out.exists()
    assert _times(folder) == before


def _edit_table(path: Path, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    """Rewrite a table with pandas, as a user would: a sweep's runs parts are Arrow IPC."""
    if path.suffix == ".arrow":
        edit(pd.read_feather(path)).to_feather(path)
    else:
        edit(pd.read_parquet(path)).to_parquet(path, index=False)


@pytest.mark.parametrize(
    ("name", "edit", "said"),
    [
        ("runs.parquet", lambda t: t.drop(columns="run_id"), "it has no column run_id"),
        ("runs.parquet", lambda t: t.assign(status=1), "its column status holds numbers, not text"),
        ("runs.parquet", lambda t: pd.DataFrame({"a": [1]}),
         "it has no columns run_id, scenario, point, replicate, status, "
         "parameters.trust.negativity_bias and 1 more"),
        ("runs.parquet", lambda t: t.drop(columns="error"), "it has no column error"),
        ("series/part-00001.parquet", lambda t: t.drop(columns="date"), "it has no column date"),
        ("series/part-00000.parquet", lambda t: t.assign(date=1),
         "its column date holds numbers, not text"),
        ("series/part-00001.parquet", lambda t: t.drop(columns="value"), "it has no column value"),
        ("series/part-00000.parquet", lambda t: t.assign(value="x"),
         "its column value holds text, not numbers"),
    ],
)  # fmt: skip
def test_a_table_of_other_columns_no_record_covers_is_refused_in_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    edit: Callable[[pd.DataFrame], pd.DataFrame],
    said: str,
) -> None:
    """A readable table without the columns the readers index (another table copied over
    runs.parquet, a part missing a column) in a folder without an integrity record ended
    in "KeyError: 'run_id'" (or 'status', 'value', a TypeError) in plot and compare, and
    check said ok (an audit). Its footer is checked before anything is written. A runs
    table without ``error`` was "KeyError: \"['error'] not in index\"" in plot where a
    run failed, series without ``date`` "KeyError: 'date'" in plot and compare, and dates
    in numbers a ValueError in plot (a later audit)."""
    import results_factory as factory

    folder = factory.write_sweep(tmp_path / "d", replicates=1)
    damaged = folder / name
    _edit_table(damaged, edit)
    _refused_in_one_line(folder, damaged, said, tmp_path / "out", capsys)


def test_analyze_refuses_a_design_table_of_other_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """analyze reads the folder itself (not through open_results)."""
    import results_factory as factory

    folder = factory.write_sweep(tmp_path / "d", replicates=1)
    pd.DataFrame({"point": [0]}).to_parquet(folder / "design.parquet")
    assert main(["analyze", str(folder), "--method", "sobol"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(
        f"credsim: error: '{folder / 'design.parquet'}' is damaged (it has no column "
        "parameters.trust.negativity_bias); repair it by running"
    ), err
    assert not (folder / "analysis").exists()


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda t: t.drop(columns="run_id"), "it has no column run_id"),
        (lambda t: t.assign(status=1), "its column status holds numbers, not text"),
    ],
)
def test_a_resumed_sweep_redoes_a_runs_part_of_other_columns(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reference: Path,
    edit: Callable[[pd.DataFrame], pd.DataFrame],
    said: str,
) -> None:
    """Resumed over a folder from before integrity records, the sweep ended in
    "pyarrow.lib.ArrowInvalid: No match for FieldRef.Name(run_id)" for a runs part
    without run_id, and took one whose status holds numbers for 16 failed runs (an
    audit). The chunk is dropped whole, as an unreadable one, and its runs done again."""
    folder = _no_record(shutil.copytree(reference, tmp_path / "sweep"))
    name = "runs/part-000001.arrow"
    _edit_table(folder / name, edit)
    assert main(["check", str(folder)]) == 1
    assert f"{folder / name}: is damaged ({said})" in capsys.readouterr().out
    assert _sweep(folder) == CHUNK
    assert f"repairing {folder / name}: it is damaged ({said})" in capsys.readouterr().out
    got, want = _tables(folder), _tables(reference)
    for table in want:
        pd.testing.assert_frame_equal(got[table], want[table])
    assert main(["check", str(folder)]) == 0


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("x", "it is not JSON text"),
        ("[1, 2]", "it is not a JSON object"),
        ('{"final_trust": {"USA": "high"}}', "its final_trust.USA is 'high', not a number"),
    ],
)
def test_a_damaged_summary_no_record_covers_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, said: str
) -> None:
    """A run folder's summary.json, in a folder from before integrity records, was a
    JSONDecodeError, an AttributeError or "could not convert string to float"
    traceback in plot and compare, and check said ok (an audit)."""
    import results_factory as factory

    run = factory.write_run(tmp_path / "run")
    damaged = run / "summary.json"
    damaged.write_text(content)
    _refused_in_one_line(run, damaged, said, tmp_path / "out", capsys)


def test_a_run_manifest_whose_scenario_lists_a_bloc_twice_is_read_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bloc listed twice is refused where a scenario file is loaded (decision 703),
    not by the schema's checks that read manifests: a run made from such a file before
    is not called damaged (its repair, running it again, would be refused)."""
    import results_factory as factory

    run = factory.write_run(tmp_path / "run")
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    state = next(iter(manifest["scenario"]["states"].values()))
    state["blocs"] = ["arab_league", "arab_league"]
    path.write_text(json.dumps(manifest))
    assert main(["check", str(run)]) == 0
    assert "damaged" not in capsys.readouterr().out


def test_a_run_manifest_whose_scenario_lists_a_group_member_twice_is_read_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An output group's member listed twice is refused where a scenario file is loaded
    (decision 692), not by the schema's checks that read manifests: a run made from such
    a file before 692 was called damaged by check and plot, and its repair (running it
    again) was refused."""
    import results_factory as factory

    run = factory.write_run(tmp_path / "run")
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["scenario"]["outputs"]["groups"]["levant"] = {"members": ["Syria", "Syria"]}
    path.write_text(json.dumps(manifest))
    assert main(["check", str(run)]) == 0
    assert "damaged" not in capsys.readouterr().out
    assert main(["plot", str(run), "--out", str(tmp_path / "out")]) == 0
    assert "damaged" not in capsys.readouterr().err


def test_a_run_manifest_whose_scenario_gives_two_actors_one_un_name_is_read_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two actors given one UN name are refused where a scenario file is loaded, not by
    the schema's checks that read manifests: a run made from such a file before is not
    called damaged (its repair, running it again, would be refused)."""
    import results_factory as factory

    run = factory.write_run(tmp_path / "run")
    path = run / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["scenario"]["observed"] = {"names": {"USA": "Russia"}}
    path.write_text(json.dumps(manifest))
    assert main(["check", str(run)]) == 0
    assert "damaged" not in capsys.readouterr().out


ASKED = "final_trust.USA.levant"
QUESTION = {"metric": ASKED, "difference": ["counter", "base"]}


def _with_parts(folder: Path) -> Path:
    """``folder`` (a factory sweep, runs.parquet alone) with runs parts, as a sweep wrote
    them before decision 752 (Parquet; the readers take both): runs.parquet is written
    from them."""
    runs = pd.read_parquet(folder / "runs.parquet")
    (folder / "runs").mkdir()
    half = len(runs) // 2
    for i, rows in enumerate((runs.iloc[:half], runs.iloc[half:])):
        rows.to_parquet(folder / "runs" / f"part-{i:06d}.parquet", index=False)
    return folder


@pytest.mark.parametrize(
    ("names", "edit", "said"),
    [
        (["runs.parquet"], lambda t: t.drop(columns=ASKED), f"it has no column {ASKED}"),
        (["runs.parquet", "runs/part-000000.parquet", "runs/part-000001.parquet"],
         lambda t: t.drop(columns=ASKED), f"it has no column {ASKED}"),
        (["runs.parquet"], lambda t: t.assign(**{ASKED: "high"}),
         f"its column {ASKED} holds text, not numbers"),
        (["runs.parquet"], lambda t: t.drop(columns="final_trust.Russia.all"),
         "it has no column final_trust.Russia.all"),
        (["runs.parquet"], lambda t: t.assign(**{"min_trust.USA.all": "x"}),
         "its column min_trust.USA.all holds text, not numbers"),
        (["runs.parquet"], lambda t: t.drop(columns=[c for c in t if c.startswith("sd_trust.")]),
         "it has no columns sd_trust.USA.all, sd_trust.USA.levant, sd_trust.Russia.all, "
         "sd_trust.Russia.levant"),
        (["runs.parquet"], lambda t: t.drop(columns=[c for c in t if c[:4] in ("min_", "sd_t")]),
         "it has no columns min_trust.USA.all, min_trust.USA.levant, min_trust.Russia.all, "
         "min_trust.Russia.levant, sd_trust.USA.all, sd_trust.USA.levant and 2 more"),
    ],
)  # fmt: skip
def test_a_runs_table_without_a_metric_column_is_refused_in_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    names: list[str],
    edit: Callable[[pd.DataFrame], pd.DataFrame],
    said: str,
) -> None:
    """A metric column dropped from runs.parquet (pandas' drop, the table written back) in
    a folder without an integrity record read: compare fell back on another metric
    without a word, the question's headline gone, and the figures lost its lines (an
    audit; decision 689 left it). The question's metric must be there, in numbers, and
    every column the runs parts hold, of their kind."""
    import results_factory as factory

    folder = _with_parts(factory.write_sweep(tmp_path / "d", replicates=1, question=QUESTION))
    for name in names:
        _edit_table(folder / name, edit)
    _refused_in_one_line(folder, folder / "runs.parquet", said, tmp_path / "out", capsys)


def _rerecorded(folder: Path, name: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    """``folder`` with ``name`` edited and its integrity record rewritten to match."""
    _edit_table(folder / name, edit)
    integrity.Records(folder).add({folder / name: table_rows(folder / name)})
    return folder / name


@pytest.mark.parametrize(
    ("name", "edit", "said", "redone"),
    [
        ("runs.parquet", lambda t: t.drop(columns="final_trust.Patron.all"),
         "it has no column final_trust.Patron.all", 0),
        ("runs.parquet", lambda t: t.assign(point=t["point"].astype(str)),
         "its column point holds text, not whole numbers", 0),
        ("runs/part-000001.arrow", lambda t: t.assign(point=t["point"].astype(str)),
         "its column point holds text, not whole numbers", CHUNK),
    ],
)  # fmt: skip
def test_a_table_rewritten_with_its_record_is_refused_and_repaired(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reference: Path,
    name: str,
    edit: Callable[[pd.DataFrame], pd.DataFrame],
    said: str,
    redone: int,
) -> None:
    """A table edited with pandas and its integrity record rewritten to match passed the
    checksums, and was read as intact: a metric column gone, or the design point in
    text (an audit). Its columns are checked as a folder's without a record are, and
    the same sweep repairs it."""
    folder = shutil.copytree(reference, tmp_path / "sweep")
    damaged = _rerecorded(folder, name, edit)
    opening = (
        f"credsim: error: {folder}: results folder is damaged: {name} is damaged "
        f"({said}); repair it by running"
    )
    _refused_in_one_line(folder, damaged, said, tmp_path / "out", capsys, opening)
    assert _sweep(folder) == redone
    got, want = _tables(folder), _tables(reference)
    for table in want:
        pd.testing.assert_frame_equal(got[table], want[table])
    assert main(["check", str(folder)]) == 0


def test_a_resumed_sweep_redoes_a_runs_part_without_the_questions_metric(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: Path
) -> None:
    """A sweep whose experiment asks a question, resumed over a folder without its record
    whose runs part lacks the question's metric, kept that part and the headline had
    nothing to read. Its chunk is done again."""
    asked = tmp_path / "asked.yaml"
    text = GRID.read_text()
    for scenario in ("tiny.yaml", "tiny_abstained.yaml"):
        text = text.replace(f": {scenario}", f": {DATA / 'sweep' / scenario}")
    question = "{difference: [withdrew, abstained], metric: final_trust.Patron.east}"
    asked.write_text(f"{text}question: {question}\n")
    folder = _no_record(shutil.copytree(reference, tmp_path / "sweep"))
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["experiment"]["question"] = load_experiment(asked).spec.question.model_dump()
    path.write_text(json.dumps(manifest))
    name = "runs/part-000001.arrow"
    _edit_table(folder / name, lambda t: t.drop(columns="final_trust.Patron.east"))
    said = "it has no column final_trust.Patron.east"
    assert main(["check", str(folder)]) == 1
    assert f"{folder / name}: is damaged ({said})" in capsys.readouterr().out
    assert run_sweep(load_experiment(asked, record="actors"), folder, quiet=True).ran == CHUNK
    assert f"repairing {folder / name}: it is damaged ({said})" in capsys.readouterr().out
    got, want = _tables(folder), _tables(reference)
    for table in want:
        pd.testing.assert_frame_equal(got[table], want[table])
    assert main(["check", str(folder)]) == 0


def test_a_runs_part_of_failed_runs_alone_or_an_unfinished_sweeps_runs_table_is_not_damage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the checks above must let pass: a chunk whose runs all failed has no metric
    column (the question's neither), and an unfinished sweep's runs.parquet may be older
    than its parts, which are read instead (decision 634)."""
    import results_factory as factory

    folder = _with_parts(factory.write_sweep(tmp_path / "d", replicates=1, question=QUESTION))
    keys = ["run_id", "scenario", "point", "replicate", "seed", "status", "error", "elapsed_s"]
    part = folder / "runs" / "part-000000.parquet"
    _edit_table(
        part,
        lambda t: t[[*keys, "parameters.trust.negativity_bias"]].assign(
            status="failed", error="boom"
        ),
    )
    runs = pd.concat(pd.read_parquet(p) for p in sorted((folder / "runs").glob("*.parquet")))
    runs.to_parquet(folder / "runs.parquet", index=False)
    assert main(["check", str(folder)]) == 0
    assert main(["plot", str(folder), "--out", str(tmp_path / "p")]) == 0
    capsys.readouterr()
    stale = _with_parts(factory.write_sweep(tmp_path / "s", replicates=1, question=QUESTION))
    _edit_table(stale / "runs.parquet", lambda t: t.drop(columns="final_trust.Russia.all"))
    path = stale / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "status": "running"}))
    assert main(["check", str(stale)]) == 0
    assert "stopped" in capsys.readouterr().out


def test_a_summary_rewritten_with_its_record_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run's summary.json edited and its record rewritten to match passed the checksum
    and ended plot in "could not convert string to float" (as decision 689 found without
    a record)."""
    run = tmp_path / "run"
    assert main(["run", str(TINY), "--out", str(run), "--no-plots"]) == 0
    summary = run / "summary.json"
    summary.write_text('{"final_trust": {"Patron": "high"}}')
    integrity.Records(run).add({summary: None})
    capsys.readouterr()
    assert main(["plot", str(run), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(
        f"credsim: error: {run}: results folder is damaged: summary.json is damaged (its "
        "final_trust.Patron is 'high', not a number); repair it by running"
    ), err
    assert not (tmp_path / "out").exists()


def test_a_sweep_folder_with_parquet_runs_parts_is_read_and_resumed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], reference: Path
) -> None:
    """Runs parts are Arrow IPC files since decision 752; a folder written before holds
    them in Parquet. Killed after two chunks, such a folder is read as it is (check,
    the runs of an unfinished sweep) and resumed: the missing chunk is done again in the
    new format beside the old parts, and the tables are the reference's."""
    from sim.results import read_runs

    folder = shutil.copytree(reference, tmp_path / "sweep")
    records = integrity.Records(folder)
    records.files = json.loads(records.path.read_text())["files"]
    for arrow in sorted((folder / "runs").glob("part-*.arrow")):
        old = arrow.with_suffix(".parquet")
        pq.write_table(read_arrow_table(arrow), old)  # as the store wrote them before
        records.forget([arrow])
        arrow.unlink()
        records.add({old: len(pd.read_parquet(old))})
    # As killed before its last chunk: that chunk's parts and runs.parquet are not there.
    last = [folder / s / "part-000002.parquet" for s in ("runs", "series", "actors")]
    records.forget([*last, folder / "runs.parquet"])
    for path in [*last, folder / "runs.parquet"]:
        path.unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**manifest, "status": "running"}))
    assert main(["check", str(folder)]) == 0
    assert f"{2 * CHUNK} of {RUNS} runs" in capsys.readouterr().out
    assert len(read_runs(folder)) == 2 * CHUNK
    assert _sweep(folder) == RUNS - 2 * CHUNK
    assert sorted(p.name for p in (folder / "runs").iterdir()) == [
        "part-000000.parquet", "part-000001.parquet", "part-000002.arrow",
    ]  # fmt: skip
    got, want = _tables(folder), _tables(reference)
    for table in want:
        pd.testing.assert_frame_equal(got[table], want[table])
    assert main(["check", str(folder)]) == 0


def test_a_signal_held_over_a_block_is_taken_by_its_own_handler_as_the_block_ends() -> None:
    """interrupts_held (decision 774): Ctrl-C inside the block raises only after it, the
    handlers are put back, and a signal the process ignores stays ignored."""
    taken: list[int] = []
    previous = {
        s: signal.signal(s, h)
        for s, h in (
            (signal.SIGTERM, lambda n, f: taken.append(n)),
            (signal.SIGHUP, signal.SIG_IGN),
        )
    }
    steps = []
    try:
        with pytest.raises(KeyboardInterrupt), interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGHUP)
            steps.append("after the signals")
        assert steps == ["after the signals"]
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        # The SIGTERM came after Ctrl-C, whose KeyboardInterrupt ended the hand-over.
        assert taken == []
        with interrupts_held():
            os.kill(os.getpid(), signal.SIGTERM)
            assert taken == []
        assert taken == [signal.SIGTERM]
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def test_check_says_how_many_runs_of_an_intact_sweep_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An outside check (decision 817): `check` of a sweep whose every run failed said
    "ok: ..., complete, 36 of 36 runs": intact, and said nothing of the failures. It now
    counts them; a sweep without failures reads as before."""

    def fails(scenario: object, seed: object, record: str) -> object:
        raise RuntimeError("a run that fails")

    folder = tmp_path / "failed"
    assert run_sweep(load_experiment(GRID), folder, run_fn=fails, quiet=True).failed == RUNS
    capsys.readouterr()
    assert main(["check", str(folder)]) == 0
    said = capsys.readouterr().out
    assert f", complete, {RUNS} of {RUNS} runs ({RUNS} of them failed: their errors are in " in said
    folder = tmp_path / "fine"
    run_sweep(load_experiment(GRID), folder, quiet=True)
    capsys.readouterr()
    assert main(["check", str(folder)]) == 0
    assert "failed" not in capsys.readouterr().out
