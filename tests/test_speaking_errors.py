"""Errors that speak: read-only folders and folders where files are expected, in one line.

The tests run as any user, root included (who may write anywhere), so a
read-only folder is simulated where the permission is asked (``os.access``)
or where the write fails (``PermissionError``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from sim import fileio
from sim.cli import main

DATA = Path(__file__).parent / "data"
TINY = DATA / "sweep" / "tiny.yaml"


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err.removeprefix("credsim: error: ").strip()


def test_plot_refuses_a_read_only_results_folder_before_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    assert main(["run", str(TINY), "--out", str(run), "--no-plots"]) == 0
    capsys.readouterr()
    before = sorted(p.name for p in run.iterdir())
    access = os.access
    monkeypatch.setattr(fileio.os, "access", lambda p, mode: Path(p) != run and access(p, mode))
    assert main(["plot", str(run)]) == 2
    assert _one_line(capsys) == (
        f"cannot write into '{run}': the folder is read-only; copy the results somewhere "
        "writable, or choose a writable --out"
    )
    assert sorted(p.name for p in run.iterdir()) == before


def test_a_refused_write_anywhere_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sim.runner

    def refuse(path: Path, text: str) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(sim.runner, "atomic_write_text", refuse)
    out = tmp_path / "run"
    assert main(["run", str(TINY), "--out", str(out), "--no-plots"]) == 2
    assert _one_line(capsys) == (
        f"cannot write '{out / 'manifest.json'}': permission denied (a read-only folder?)"
    )


def test_a_folder_where_a_file_is_expected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "scen").mkdir()
    assert main(["validate", str(tmp_path / "scen")]) == 2
    assert _one_line(capsys) == f"{tmp_path / 'scen'}: is a folder; give a YAML file"
    experiment = tmp_path / "exp.yaml"
    experiment.write_text("name: x\nscenarios: {a: scen}\n")
    assert main(["validate", str(experiment)]) == 2
    message = _one_line(capsys)
    assert message.startswith(f"{experiment}:2: scenarios.a: scenario file ")
    assert message.endswith("is a folder; give a scenario file")
    (tmp_path / "out.yaml").mkdir()
    argv = ["synth", "--states", "3", "--powers", "2", "--out", str(tmp_path / "out.yaml")]
    assert main(argv) == 2
    assert _one_line(capsys).endswith("is a folder; a file was expected there")


def test_an_experiments_scenario_is_named_as_written_then_where_it_was_looked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The message quoted the experiment's folder joined to the entry, '..' and all
    ("scenario file 'sub/../../gone/s.yaml' does not exist"), as if the user had written
    it. It now quotes the entry and adds the path looked for, shortened."""
    (tmp_path / "sub").mkdir()
    experiment = tmp_path / "sub" / "exp.yaml"
    experiment.write_text("name: x\nscenarios: {a: ../gone/s.yaml}\n")
    assert main(["validate", str(experiment)]) == 2
    assert _one_line(capsys) == (
        f"{experiment}:2: scenarios.a: scenario file '../gone/s.yaml' "
        f"(looked for {tmp_path / 'gone' / 's.yaml'}) does not exist"
    )


REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "tour.yaml"
EXPERIMENT = REPO / "experiments" / "syria_withdrawal.yaml"
PATTERNS = REPO / "patterns" / "syria.yaml"
CALIBRATION = REPO / "calibrations" / "joint.yaml"


@pytest.mark.parametrize(
    ("argv", "given", "message"),
    [
        (
            ["run"],
            PATTERNS,
            "this is a pattern file, not a scenario; check it with 'credsim patterns check'",
        ),
        (
            ["run"],
            CALIBRATION,
            "this is a calibration file, not a scenario; run it with 'credsim calibrate'",
        ),
        (
            ["sweep"],
            PATTERNS,
            "this is a pattern file, not a scenario; check it with 'credsim patterns check'",
        ),
        (
            ["patterns", "check"],
            SCENARIO,
            "this is a scenario, not a pattern file; run it with 'credsim run'",
        ),
        (
            ["patterns", "check"],
            CALIBRATION,
            "this is a calibration file, not a pattern file; run it with 'credsim calibrate'",
        ),
        (
            ["calibrate"],
            PATTERNS,
            "this is a pattern file, not a calibration file; check "
            "it with 'credsim patterns check'",
        ),
        (
            ["calibrate"],
            EXPERIMENT,
            "this is an experiment file, not a calibration file; run it with 'credsim sweep'",
        ),
    ],
    ids=[
        "run-pattern",
        "run-calibration",
        "sweep-pattern",
        "patterns-scenario",
        "patterns-calibration",
        "calibrate-pattern",
        "calibrate-experiment",
    ],
)
def test_a_file_of_another_kind_names_the_command_that_takes_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    given: Path,
    message: str,
) -> None:
    out = tmp_path / "out"
    assert main([*argv, str(given), "--out", str(out)]) == 2
    assert _one_line(capsys) == f"{given}: {message}"
    assert not out.exists()


@pytest.mark.parametrize("command", [["plot"], ["compare"], ["check"]])
def test_a_file_where_a_results_folder_is_expected(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert main([*command, str(SCENARIO)]) == 2
    assert _one_line(capsys) == (
        f"'{SCENARIO}' is a file, not a results folder "
        "(expected a folder written by 'credsim run' or 'credsim sweep')"
    )


@pytest.mark.parametrize(
    "extra",
    [
        ["plot", "--at", "parameters.trust.memory=0.9"],
        ["plot", "--across", "parameters.trust.memory"],
    ],
)
def test_at_and_across_on_a_run_folder_say_it_varies_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    """They said "is not varied by this sweep; varied: nothing" of a run's folder."""
    run = tmp_path / "run"
    assert main(["run", str(TINY), "--out", str(run), "--no-plots"]) == 0
    capsys.readouterr()
    out = tmp_path / "figures"
    assert main([extra[0], str(run), *extra[1:], "--out", str(out)]) == 2
    assert _one_line(capsys).endswith(
        ": this folder varies no parameter (a single run, or a sweep of one design point), "
        "so there is none to hold or draw across"
    )
    assert not out.exists()


def test_an_experiment_naming_a_file_of_another_kind_says_which_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The loader's line named the pattern file but not the experiment's entry that
    pointed at it."""
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        f"name: x\nscenarios:\n  a: {PATTERNS}\ndesign:\n  method: grid\n  parameters:\n"
        "    parameters.trust.memory: [0.9]\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out)]) == 2
    assert _one_line(capsys) == (
        f"{experiment}:3: scenarios.a: scenario file '{PATTERNS}' is a pattern file, not a scenario"
    )
    assert not out.exists()


def test_a_name_that_begins_one_choice_is_taken_for_it():
    """`--groups arab` was asked "did you mean 'africa'?" (the closest spelling) in a
    folder with `arab_league`; the one choice it begins is suggested now."""
    from sim.scenario.schema import suggest

    groups = ["all", "arab_league", "levant", "gulf", "africa", "africa_partners"]
    assert suggest("arab", groups) == " (did you mean 'arab_league'?)"
    assert suggest("Rusia", ["Russia", "USA"]) == " (did you mean 'Russia'?)"
    # Two choices begin it: the closest spelling, as before.
    assert suggest("afric", groups) == " (did you mean 'africa'?)"


def test_a_value_that_rounds_to_zero_prints_without_a_sign():
    """Tables printed -0.000 for a simulated -0.0000004 (audits; decision 633)."""
    from sim.errors import fixed

    assert fixed(-0.0000004) == "0.000"
    assert fixed(-0.0004) == "0.000"
    assert fixed(-0.0006) == "-0.001"
    assert fixed(0.5) == "0.500"
    assert fixed(-0.004, 2) == "0.00"
    assert fixed(-1.25, 1) == "-1.2"


def test_a_file_that_may_not_be_read_is_not_said_to_be_unwritable(tmp_path, monkeypatch):
    """An unreadable runs.parquet, or vote table, was reported "cannot write ...:
    permission denied (a read-only folder?)" (an audit, decision 656). os.access is
    faked: this machine's tests run as root, whom permissions do not stop."""
    import os

    from sim.errors import describe_os_error

    table = tmp_path / "runs.parquet"
    table.write_bytes(b"x")
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(table) else real(p, mode)
    )
    exc = PermissionError(13, "Permission denied", str(table))
    assert describe_os_error(exc) == (
        f"cannot read '{table}': permission denied (give yourself read access)"
    )
    missing = PermissionError(13, "Permission denied", str(tmp_path / "new.csv"))
    assert describe_os_error(missing).startswith(f"cannot write '{tmp_path / 'new.csv'}'")


def test_a_file_in_a_folder_that_may_not_be_opened_is_not_said_to_be_unwritable(
    tmp_path, monkeypatch, capsys
):
    """A results folder made `chmod 000` (or without x) was reported by compare, plot and
    analyze "cannot write '.../manifest.json': permission denied (a read-only folder?)",
    and an unreadable vote table as Arrow's "[Errno 13] Failed to open local file ...",
    followed by where to get the votes (an audit of the commands' options, run as a user
    whom permissions stop). os.access is faked, as above."""
    import os

    from sim.cli import main
    from sim.errors import describe_os_error

    folder = tmp_path / "sweep"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}")
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(folder) else real(p, mode)
    )
    exc = PermissionError(13, "Permission denied", str(folder / "manifest.json"))
    assert describe_os_error(exc) == (
        f"cannot open the folder '{folder}' to reach '{folder / 'manifest.json'}': "
        "permission denied (give yourself read access to the folder)"
    )
    votes = tmp_path / "votes"
    votes.mkdir()
    table = votes / "un_votes.parquet"
    table.write_bytes(b"PAR1")
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if str(p) == str(table) else real(p, mode)
    )
    code = main(["observe", "--votes", str(votes), "--power", "Russia", "--states", "Syria"])
    assert code == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {table}: cannot be read: permission denied (give yourself read access)\n"
    )


# Arrow's words for a full disk: no file named, no errno of its own (decision 765).
_ARROW_FULL = "Error writing bytes to file. Detail: [errno 28] No space left on device"


def test_a_full_disk_is_said_as_such_with_what_to_do():
    """A full disk was "cannot write a file: Error writing bytes to file. Detail: [errno
    28] No space left on device" (Arrow's words); a spent quota the same with its own
    errno (decision 765)."""
    import errno

    from sim.errors import describe_os_error

    assert describe_os_error(OSError(_ARROW_FULL)) == (
        "cannot write a file: the disk is full; free some space (or choose another --out) "
        "and run the same command again"
    )
    quota = OSError(errno.EDQUOT, "Disk quota exceeded", "/r/out/runs.parquet")
    assert describe_os_error(quota).startswith(
        "cannot write '/r/out/runs.parquet': the disk quota is spent; free some space"
    )
    # Another numbered error in Arrow's words is left as it was said.
    other = OSError("Error writing bytes to file. Detail: [errno 5] Input/output error")
    assert describe_os_error(other) == f"cannot write a file: {other}"


def test_a_sweep_on_a_full_disk_says_its_folder_in_one_line_and_goes_on_after(
    tmp_path, monkeypatch, capsys
):
    """The disk fills as the sweep writes its second runs part: one line naming the
    results folder, exit 1, the first part kept; with space again, the same command
    runs only the rest (decision 765)."""
    import sim.sweep.store as store
    from sim.cli import main

    grid = Path(__file__).parent / "data" / "sweep" / "grid.yaml"
    out = tmp_path / "out"
    real = store._write_part
    written = []

    def fills(table, path):
        if written:
            raise OSError(_ARROW_FULL)
        written.append(path)
        real(table, path)

    monkeypatch.setattr(store, "_write_part", fills)
    args = ["sweep", str(grid), "--reps", "8", "--out", str(out), "--quiet", "--no-plots"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err == (
        f"credsim: failed: cannot write '{out}': the disk is full; free some space (or "
        "choose another --out) and run the same command again\n"
    )
    kept = len(list((out / "runs").glob("part-*.arrow")))
    assert kept == 1
    monkeypatch.setattr(store, "_write_part", real)
    assert main(args) == 0
    said = capsys.readouterr().out
    assert re.search(r"\d+ done earlier", said), said


def test_a_calibration_on_a_full_disk_says_its_folder_not_sqlites_error(tmp_path, monkeypatch):
    """pyabc's history is SQLite, whose full disk is "database or disk is full", no
    OSError: the calibration ended in a traceback, and the history's `done` in the
    sampling loop's clean-up then failed on the broken session ("This session is in
    'prepared' state"), hiding it. Now it is the one line of a full disk, naming the
    folder, and the history kept resumes (decision 765)."""
    import sqlite3

    import pyabc

    from sim.calibrate.run import run_calibration
    from sim.calibrate.spec import load_calibration
    from sim.calibrate.toy import PARAMETER, BinomialProblem
    from sim.errors import describe_os_error

    (tmp_path / "toy.yaml").write_text("{}\n")
    spec = {
        "name": "toy", "patterns": ["toy.yaml"], "parameters": {PARAMETER: {"low": 0, "high": 1}},
        "population": 50, "max_simulations": 1500, "min_epsilon": 0.5, "seed": 3,
        "predictive": 10,
    }  # fmt: skip
    (tmp_path / "cal.yaml").write_text(json.dumps(spec))
    cal = load_calibration(tmp_path / "cal.yaml", check_paths=False)
    real_append, real_done = pyabc.History.append_population, pyabc.History.done
    appended = []

    def append(self, *args, **kwargs):
        if len(appended) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        appended.append(1)
        return real_append(self, *args, **kwargs)

    def done(self, *args, **kwargs):
        if len(appended) == 2:
            raise RuntimeError("This session is in 'prepared' state")
        return real_done(self, *args, **kwargs)

    monkeypatch.setattr(pyabc.History, "append_population", append)
    monkeypatch.setattr(pyabc.History, "done", done)
    out = tmp_path / "out"
    with pytest.raises(OSError) as raised:
        run_calibration(cal, BinomialProblem(), out, workers=1, figures=False, quiet=True)
    assert describe_os_error(raised.value) == (
        f"cannot write '{out}': the disk is full; free some space (or choose another --out) "
        "and run the same command again"
    )
    monkeypatch.setattr(pyabc.History, "append_population", real_append)
    monkeypatch.setattr(pyabc.History, "done", real_done)
    again = run_calibration(cal, BinomialProblem(), out, workers=1, figures=False, quiet=True)
    assert again.run is not None and again.run.generations - again.run.ran == 2
