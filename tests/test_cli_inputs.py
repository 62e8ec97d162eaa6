"""The input fuzz audit's command-line findings: each mistake is one line, exit 2, and
changes nothing on disk; no command overwrites a user's file or writes into a user's folder.

Every test is quick: the commands are refused before they simulate, and where an old
refusal came only after a run, the run is replaced by one that fails the test.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from results_factory import write_run

from sim.cli import main
from sim.scenario import loader

REPO = Path(__file__).resolve().parents[1]
MINI = REPO / "tests" / "data" / "scenarios" / "mini.yaml"
PATTERNS = REPO / "patterns" / "syria.yaml"
SYNTH = ["synth", "--states", "3", "--powers", "2"]
OBSERVE = ["observe", "--power", "Russia", "--states", "Egypt,Syria"]


def _refused(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    """Run ``credsim ARGV``, expect exit 2 with one line, and return the line."""
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err.removeprefix("credsim: error: ").strip()


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "afile.txt"
    path.write_text("mine\n")
    return path


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """``patterns check`` fails the test if it gets as far as simulating."""
    import sim.patterns

    def simulate(*args: object, **kwargs: object) -> None:
        raise AssertionError("simulated before refusing the input")

    monkeypatch.setattr(sim.patterns, "simulate", simulate)


# ----------------------------------------------------------- 1. a path under a file


def test_synth_under_a_file_is_refused_naming_out(
    tmp_path: Path, a_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was FileExistsError, exit 1 ("credsim: failed: cannot write ...: File exists")."""
    message = _refused(capsys, *SYNTH, "--out", a_file / "x.yaml")
    assert message == (
        f"--out '{a_file / 'x.yaml'}': '{a_file}' is a file, not a folder; choose another --out"
    )
    assert a_file.read_text() == "mine\n"


@pytest.mark.parametrize(("option", "name"), [("--out", "x.csv"), ("--plot", "x.png")])
def test_observe_under_a_file_is_refused_before_reading_votes(
    a_file: Path, capsys: pytest.CaptureFixture[str], option: str, name: str
) -> None:
    message = _refused(
        capsys, *OBSERVE, "--votes", a_file.parent / "no-votes", option, a_file / name
    )
    assert message == (
        f"{option} '{a_file / name}': '{a_file}' is a file, not a folder; choose another {option}"
    )


def test_a_file_where_a_folder_is_to_be_made_is_exit_2() -> None:
    """The safety net of every atomic write: mkdir's FileExistsError is bad input."""
    from sim.errors import describe_os_error

    exc = FileExistsError(17, "File exists", "afile.txt")
    assert describe_os_error(exc) == "'afile.txt' is a file; a folder was expected there"


def test_a_refused_write_names_the_users_file_not_the_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sim.fileio

    def refuse(*args: object, dir: str, prefix: str, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", f"{dir}/{prefix}abc123.tmp")

    monkeypatch.setattr(sim.fileio.tempfile, "mkstemp", refuse)
    out = tmp_path / "s.yaml"
    message = _refused(capsys, *SYNTH, "--out", out)
    assert message == f"cannot write '{out}': permission denied (a read-only folder?)"


def test_observe_refuses_a_read_only_folder_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """(As root every folder is writable: os.access stands in for a read-only one.)"""
    import sim.fileio

    monkeypatch.setattr(sim.fileio.os, "access", lambda *args, **kwargs: False)
    out = tmp_path / "t.csv"
    message = _refused(capsys, *OBSERVE, "--out", out)
    assert message == (
        f"--out '{out}': cannot write into '{tmp_path}' (the folder is read-only); "
        "choose a writable --out"
    )
    assert not out.exists()


def test_run_and_sweep_refuse_a_read_only_place_as_a_bad_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An outside check at scale (decision 824): `--out` on a read-only mount said
    "credsim: failed: cannot write ...: Read-only file system", exit 1, as a disk that fails
    mid-run; `--out /proc/x` was exit 2. Both now refuse it up front, exit 2, with the repair
    for results yet to be made. (As root every folder is writable: os.access stands in.)"""
    import sim.fileio

    monkeypatch.setattr(sim.fileio.os, "access", lambda *args, **kwargs: False)
    tour = REPO / "scenarios" / "tour.yaml"
    for argv, said in [
        (["run", tour, "--out", tmp_path / "r"], "--out: "),
        (["sweep", tour, "--reps", "2", "--out", tmp_path / "s"], ""),
    ]:
        message = _refused(capsys, *argv)
        assert message == (
            f"{said}cannot write into '{tmp_path}': the folder is read-only; choose a "
            "writable --out"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ------------------------------------------------------- 2. overwriting a user's file


def test_synth_does_not_overwrite_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    existing = tmp_path / "existing.yaml"
    existing.write_text("a: 1\n")
    message = _refused(capsys, *SYNTH, "--out", existing)
    assert message == (
        f"--out '{existing}' already exists and would be overwritten; choose another --out "
        "or remove the file"
    )
    assert existing.read_text() == "a: 1\n"


def test_plot_does_not_write_into_a_users_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder with other files (a captions.md of the user's among them) is refused; a
    new folder, and then the same folder again (an earlier plot's), are drawn into."""
    run = write_run(tmp_path / "run")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "captions.md").write_text("my notes\n")
    message = _refused(capsys, "plot", run, "--out", mine)
    assert message == (
        f"--out '{mine}' is not empty and is not an earlier plot's folder (no captions.md "
        "and report.html); choose a new or empty folder"
    )
    assert [p.name for p in mine.iterdir()] == ["captions.md"]
    assert (mine / "captions.md").read_text() == "my notes\n"
    figures = tmp_path / "figures"
    assert main(["plot", str(run), "--out", str(figures)]) == 0
    assert main(["plot", str(run), "--out", str(figures)]) == 0
    assert (figures / "report.html").is_file()


def test_a_plot_killed_while_drawing_is_taken_up_again_by_the_same_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`plot --out NEWDIR` killed while drawing left figures without its captions.md and
    report.html, and the same command then refused its own folder ("is not empty and is
    not an earlier plot's folder"; an audit): it draws into it, and removes what the
    killed drawing drew; a folder of the user's is still refused."""
    import sim.plots.report

    run = write_run(tmp_path / "run")
    figures = tmp_path / "figures"
    write = sim.plots.report.atomic_write_bytes
    drawn: list[object] = []

    # Interrupted as the second figure is written (the figures are drawn by processes of
    # their own, decision 874, and written here in order).
    def killed_at_the_second(*args: object) -> None:
        drawn.append(args)
        if len(drawn) == 2:
            raise KeyboardInterrupt
        write(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(sim.plots.report, "atomic_write_bytes", killed_at_the_second)
    assert main(["plot", str(run), "--out", str(figures)]) == 130
    capsys.readouterr()
    left = sorted(p.name for p in figures.iterdir() if not p.name.startswith("."))
    assert len(left) == 1 and left[0].endswith(".png"), left
    monkeypatch.undo()
    assert main(["plot", str(run), "--out", str(figures)]) == 0
    listed = (figures / "captions.md").read_text()
    names = {p.name for p in figures.iterdir()}
    assert names == {"captions.md", "report.html", *re.findall(r"^- `([^`]+)`:", listed, re.M)}
    # A folder of the user's, holding what the killed drawing had drawn, is not taken.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / left[0]).write_bytes(b"my figure")
    message = _refused(capsys, "plot", run, "--out", mine)
    assert message.startswith(f"--out '{mine}' is not empty and is not an earlier plot's")
    assert (mine / left[0]).read_bytes() == b"my figure"


# -------------------------------------------------------------- 3. unbounded reads


def test_a_file_without_a_size_is_read_only_up_to_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pipe (like /dev/zero) has no size to stat: the read itself stops past the limit.
    The writer offers twice the limit; the old read took it all, then parsed it."""
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 2**16)
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with open(fifo, "w") as handle:
                handle.write("a" * 2**17)
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    message = _refused(capsys, "validate", fifo)
    writer.join(timeout=10)
    assert message == f"{fifo}: is more than 0 MiB; input files may be at most 0 MiB"


# ------------------------------------------------- 4. options that need --posterior


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--variant", "v2"], "--variant v2 needs --posterior DIR"),
        (["--samples", "7"], "--samples 7 needs --posterior DIR"),
        (
            ["--samples", "7", "--variant", "v2"],
            "--samples 7 and --variant v2 need --posterior DIR",
        ),
    ],
)
def test_posterior_options_without_posterior_are_refused(
    capsys: pytest.CaptureFixture[str], no_simulation: None, extra: list[str], said: str
) -> None:
    message = _refused(capsys, "patterns", "check", PATTERNS, *extra)
    assert message == f"{said} (a finished calibration to draw from); without it nothing is drawn"


# ---------------------------------------------------------------- 5. synth's limits


def test_synth_refuses_steps_past_the_calendar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--steps 1e8 wrote a file whose calendar ended in 8335333-04, which validate refused."""
    out = tmp_path / "s.yaml"
    message = _refused(capsys, *SYNTH, "--steps", "100000000", "--out", out)
    assert message == "--steps: must be <= 96,000 (a calendar ends by 9999-12), got 100,000,000"
    assert not out.exists()
    assert main([*SYNTH, "--steps", "96000", "--events", "0", "--out", str(out)]) == 0
    assert main(["validate", str(out)]) == 0


def test_synth_shows_a_long_count_short(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """All 400 digits were echoed; the counts are grouped as their bounds (decision 545)."""
    out = tmp_path / "s.yaml"
    argv = ["synth", "--powers", "2", "--out", out, "--states"]
    message = _refused(capsys, *argv, "9" * 400)
    assert message == "--states: must be <= 10,000,000, got 9.999e+399 (400 digits)"
    assert _refused(capsys, *argv, "3", "--events", "100001") == (
        "--events: must be <= 100,000, got 100,001"
    )
    assert not out.exists()


# ------------------------------------------------ 6. patterns check's run limit


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--reps", "2000000"], "--reps 2000000 plans 2,000,000 runs, more than the limit of"),
        (
            ["--reps", "30000", "--posterior", "nowhere"],
            "--samples 50 x --reps 30000 plans 1,500,000 runs, more than the limit of",
        ),
    ],
)
def test_patterns_check_runs_are_capped(
    capsys: pytest.CaptureFixture[str], no_simulation: None, argv: list[str], said: str
) -> None:
    message = _refused(capsys, "patterns", "check", PATTERNS, *argv)
    assert message == f"{said} 1,000,000; ask for fewer, or raise the limit with CREDSIM_MAX_RUNS=N"


def test_patterns_check_shows_a_long_run_count_short(
    capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    """The 400 digits of --reps were echoed twice, the second time with commas (decision 543)."""
    message = _refused(capsys, "patterns", "check", PATTERNS, "--reps", "9" * 400)
    assert message == (
        "--reps 9.999e+399 (400 digits) plans 9.999e+399 (400 digits) runs, more than the "
        "limit of 1,000,000; ask for fewer, or raise the limit with CREDSIM_MAX_RUNS=N"
    )


def test_patterns_check_run_limit_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    monkeypatch.setenv("CREDSIM_MAX_RUNS", "4")
    message = _refused(capsys, "patterns", "check", PATTERNS, "--reps", "5")
    assert message.startswith("--reps 5 plans 5 runs, more than the limit of 4;")


# ------------------------------------------------------------------ 7. run's seed


@pytest.mark.parametrize("command", [["run", str(MINI)], ["patterns", "check", str(PATTERNS)]])
def test_seeds_past_64_bits_are_refused_as_sweep_refuses_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_simulation: None, command: list[str]
) -> None:
    out = tmp_path / "out"
    seed = str(2**63)
    message = _refused(capsys, *command, "--seed", seed, "--out", out)
    assert message == f"--seed: must be a whole number from 0 to {2**63 - 1}, got {seed}"
    assert not out.exists()


def test_a_negative_seed_too_long_for_a_float_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    """argparse's check printed the number with :g, an OverflowError traceback (decision 537)."""
    digits = "9" * 400
    message = _refused(capsys, "run", str(MINI), "--seed", f"-{digits}")
    assert message.startswith("argument --seed: must be >= 0, got -9.999e+399 (400 digits)")
    message = _refused(capsys, "run", str(MINI), "--seed", digits)
    assert message == (
        f"--seed: must be a whole number from 0 to {2**63 - 1}, got 9.999e+399 (400 digits)"
    )


# --------------------------------------------------------- 8. compare a folder twice


def test_compare_refuses_the_same_folder_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = write_run(tmp_path / "R1")
    monkeypatch.chdir(tmp_path)
    tail = "; compare takes different results folders (one sweep's folder compares its scenarios)"
    assert _refused(capsys, "compare", "R1", "R1") == f"'R1' is given twice{tail}"
    message = _refused(capsys, "compare", "R1", "./R1/", "--out", "c")
    assert message == f"'R1' and './R1/' are the same folder{tail}"
    assert not (tmp_path / "c").exists() and not (tmp_path / "results").exists()
    assert sorted(p.name for p in run.iterdir()) == [
        "manifest.json",
        "series.parquet",
        "summary.json",
    ]


# -------------------------------------------------------------- 9. explore's --out


@pytest.mark.parametrize("under", ["", "sub"])
def test_explore_checks_out_before_serving(
    a_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    under: str,
) -> None:
    import sim.explore

    def served(port: int) -> None:
        raise AssertionError("got as far as the port: --out was not checked")

    monkeypatch.setattr(sim.explore, "_check_port", served)
    out = a_file / under if under else a_file
    message = _refused(capsys, "explore", MINI, "--out", out, "--no-browser")
    assert message == f"--out: '{a_file}' is a file; a folder was expected there"


# ----------------------------------------------------------------- 10. empty paths


def _empty(argument: str, command: str) -> str:
    return (
        f"argument {argument}: expected a path, got an empty one (see 'credsim {command} --help')"
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["validate", ""], _empty("file", "validate")),
        (["run", ""], _empty("scenario", "run")),
        (["patterns", "check", str(PATTERNS), "--out", " "], _empty("--out", "patterns check")),
        (["compare", "R1", ""], _empty("results", "compare")),
    ],
)
def test_an_empty_path_is_called_empty(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    """validate "" read the current folder and said it "is a folder"."""
    assert _refused(capsys, *argv) == said


# ------------------------------------------- 11. patterns check's --out, up front


def test_patterns_check_refuses_its_out_before_simulating(
    a_file: Path, capsys: pytest.CaptureFixture[str], no_simulation: None
) -> None:
    message = _refused(capsys, "patterns", "check", PATTERNS, "--out", a_file / "x")
    assert message == f"--out: '{a_file}' is a file; a folder was expected there"


# ------------------------------------------------- 10. more workers than the machine


@pytest.mark.parametrize(
    "command",
    [
        ["sweep", str(MINI), "--reps", "2"],
        ["calibrate", str(REPO / "calibrations" / "recovery.yaml")],
    ],
)
def test_more_local_workers_than_four_a_core_are_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    """``--workers 100000`` started processes until the machine stalled (load 1,000);
    a 400-digit count raised OverflowError in the pool (decision 538)."""
    import sim.sweep.executors

    monkeypatch.setattr(sim.sweep.executors.os, "cpu_count", lambda: 3)
    out = tmp_path / "out"
    for workers, shown in [("13", "13"), ("9" * 400, "9.999e+399 (400 digits)")]:
        message = _refused(capsys, *command, "--workers", workers, "--out", out)
        assert message == (
            f"--workers {shown} is more than this machine can use: it has 3 core(s), and at "
            "most 12 local workers are started (4 a core); a larger cluster's workers come "
            "with --executor dask --address"
        )
        assert not out.exists()


def test_the_worker_cap_is_never_below_eight_and_leaves_a_cluster_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sim.errors import InputError
    from sim.sweep import executors

    monkeypatch.setattr(executors.os, "cpu_count", lambda: 1)
    executors.check_workers(8)
    with pytest.raises(InputError, match="at most 8 local workers"):
        executors.check_workers(9)
    executors.check_workers(10**6, address="tcp://127.0.0.1:8786")
    with pytest.raises(InputError, match="--workers must be >= 1, got 0"):
        executors.check_workers(0, address="tcp://127.0.0.1:8786")


def test_a_command_line_experiment_names_the_option_of_a_bad_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sweep SCENARIO --reps 2000000`` was refused as "--vary: replicates: ...", an
    option the user had not typed (decision 539)."""
    out = tmp_path / "out"
    message = _refused(capsys, "sweep", MINI, "--reps", "2000000", "--out", out)
    assert message == "--reps: replicates: must be <= 1,000,000, got 2,000,000"
    message = _refused(capsys, "sweep", MINI, "--vary", "parameters.trust.memry=0.9", "--out", out)
    assert message.startswith("--vary: parameters.trust.memry: unknown field 'memry'")
    assert not out.exists()


def test_an_experiment_file_names_the_option_that_replaced_its_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sweep EXPERIMENT.yaml --reps 2000000`` was refused at the file's line
    ("grid.yaml:11: replicates: ..."), which holds ``replicates: 3``: the option is named,
    as for a scenario with --vary."""
    out = tmp_path / "out"
    grid = REPO / "tests" / "data" / "sweep" / "grid.yaml"
    message = _refused(capsys, "sweep", grid, "--reps", "2000000", "--out", out)
    assert message == "--reps: replicates: must be <= 1,000,000, got 2,000,000"
    assert not out.exists()


# ------------------------------------------------- 12. a byte that is not UTF-8

# What Python makes of the byte 0xff in a command line or a folder's name ($'bad\xff').
NOT_UTF8 = "\udcff"


def _not_utf8(argument: str, path: Path | str, hint: str = "rename it, or choose another") -> str:
    shown = str(path).replace(NOT_UTF8, "\\xff")
    return (
        f"argument {argument}: '{shown}' has a byte that is not UTF-8, which credsim's files "
        f"cannot record; {hint}"
    )


def test_a_byte_that_is_not_utf8_is_refused_up_front(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An `--out`, a scenario or a results folder with a byte that is not UTF-8 ended in
    a traceback from pyarrow or from writing the report page, after the folder was made
    (an audit): each is refused in one line, and nothing is made."""
    run = write_run(tmp_path / "run")
    out = tmp_path / f"bad{NOT_UTF8}"
    scenario = tmp_path / f"s{NOT_UTF8}.yaml"
    scenario.write_bytes(MINI.read_bytes())
    listed = sorted(os.listdir(tmp_path))
    cases = [
        (["run", MINI, "--out", out, "--no-plots"], _not_utf8("--out", out)),
        (["run", scenario, "--out", tmp_path / "new"], _not_utf8("scenario", scenario)),
        (
            ["run", MINI, "--out", tmp_path / "new", "--set", f"name=x{NOT_UTF8}"],
            _not_utf8("--set", f"name=x{NOT_UTF8}", "type it in UTF-8"),
        ),
        (["sweep", MINI, "--reps", "2", "--out", out], _not_utf8("--out", out)),
        (["plot", run, "--out", out], _not_utf8("--out", out)),
        (["plot", out], _not_utf8("results", out)),
        (["patterns", "check", PATTERNS, "--out", out], _not_utf8("--out", out)),
    ]
    for argv, said in cases:
        assert _refused(capsys, *argv) == said
    assert sorted(os.listdir(tmp_path)) == listed
    monkeypatch.setenv("CREDSIM_VOTES", str(tmp_path / f"v{NOT_UTF8}"))
    assert _refused(capsys, "patterns", "check", PATTERNS, "--out", tmp_path / "new") == (
        f"$CREDSIM_VOTES: '{tmp_path}/v\\xff' has a byte that is not UTF-8, which credsim's "
        "files cannot record; rename the folder, or give --votes"
    )
    # The current folder is the start of every relative path and default folder.
    here = tmp_path / f"here{NOT_UTF8}"
    here.mkdir()
    monkeypatch.chdir(here)
    assert _refused(capsys, "run", MINI, "--no-plots") == (
        f"the current folder '{tmp_path}/here\\xff' has a byte that is not UTF-8, which "
        "credsim's files cannot record; run credsim from another folder"
    )
    assert list(here.iterdir()) == []


# ------------------------------------------------------- a symbolic link that loops


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["compare", "{loop}", "{run}"], "'{loop}': a symbolic link on its path leads back"),
        ([*OBSERVE, "--votes", "{loop}"], "'{loop}': a symbolic link on its path leads back"),
        ([*SYNTH, "--out", "{loop}/sub/x.yaml"], "'{loop}/sub': a symbolic link on its path"),
        ([*SYNTH, "--out", "{loop}/x.yaml"], "'{loop}' is a symbolic link that leads nowhere"),
    ],
)
def test_a_symbolic_link_that_loops_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    """A link to itself (`ln -s loop loop`) given as a folder to read was a traceback
    ("RuntimeError: Symlink loop from ..." from Path.resolve, in compare and observe
    --votes), one on an output path to create was "credsim: failed: ... Too many levels
    of symbolic links", exit 1, or was called "a file" (an audit of the commands'
    options)."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    run = write_run(tmp_path / "R1")
    fill = {"loop": str(loop), "run": str(run)}
    message = _refused(capsys, *[a.format(**fill) for a in argv])
    assert message.startswith(named.format(**fill)), message
    assert message.endswith("choose another path")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["R1", "loop"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # No scenarios at all: was "this is an experiment file, not a scenario; run it
        # with 'credsim sweep'", to a user who had.
        (
            "name: e\ndesign:\n  method: grid\n  parameters:\n"
            "    parameters.trust.memory: [0.9, 1.0]\nreplicates: 2\n",
            "e.yaml: scenarios: required field is missing",
        ),
        # Fields that only an experiment has besides name: was "unknown field
        # 'replicates' ... (did you mean 'relations'?)", the scenario's fields listed.
        (
            "name: e\ndescription: x\nreplicates: 2\n",
            "e.yaml: scenarios: required field is missing",
        ),
        # `scenario:` for `scenarios:`: was "(did you mean 'calendar'?)".
        (
            f"name: e\nscenario: {MINI}\ndesign:\n  method: grid\nreplicates: 2\n",
            "e.yaml:2: scenario: unknown field 'scenario'; allowed fields are: name, "
            "description, scenarios, ",
        ),
    ],
)
def test_an_experiment_file_without_its_scenarios_is_told_as_an_experiment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, said: str
) -> None:
    """An outside check (decision 812): `credsim sweep` took any file without a
    `scenarios` field for a scenario, so an experiment file that lacked it, or spelt it
    `scenario:`, was told of a scenario's fields. Its fields now tell it an experiment,
    as `validate` tells it, and the experiment's check says what is wrong."""
    experiment = tmp_path / "e.yaml"
    experiment.write_text(text)
    out = tmp_path / "out"
    message = _refused(capsys, "sweep", experiment, "--workers", "1", "--out", out)
    assert said in message
    assert "(did you mean 'scenarios'?)" in message or "scenario:" not in said
    assert not out.exists()


def test_varying_a_generate_block_is_refused_with_what_to_do_instead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An outside check (decision 815): `--vary generate.events=0,10` on a drawn scenario
    was told "a loaded Scenario's population is already drawn; load the scenario from its
    file", words of the Python API to a user who had given the file. The refusal now says
    why and what to do; `--set generate.events=...` still sets one value."""
    synth = tmp_path / "s.yaml"
    assert main(["synth", "--states", "20", "--powers", "2", "--out", str(synth)]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    message = _refused(
        capsys, "sweep", synth, "--vary", "generate.events=0,10", "--out", out, "--workers", "1"
    )
    assert message == (
        "--vary: generate.events: a design varies a scenario whose population is drawn, so "
        "not its generate block; write a file for each population (credsim synth --states "
        "N --events M ...) and sweep them as an experiment's scenarios, or set one value "
        "with --set (or the experiment's overrides)"
    )
    assert not out.exists()
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        f"name: e\nscenarios: {{s: {synth}}}\ndesign:\n  method: grid\n  parameters:\n"
        "    generate.events: [0, 10]\n"
    )
    message = _refused(capsys, "sweep", experiment, "--out", out, "--workers", "1")
    assert message.startswith(
        f"{experiment}:6: design.parameters['generate.events']: a design varies a scenario"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    "path",
    [
        "name",
        "description",
        "events.assad_falls.label",
        "events.assad_falls.source",
        # Which events the figures name, and an event's id (an outside check, decision 910).
        "events.assad_falls.key",
        "events.assad_falls.id",
        "observed.names.Syria",
    ],
)
def test_varying_a_scenarios_words_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    """`--vary name=a,b` (an item carried since decision 488's round) ran the same model
    twice under two labels, and so did an event's label or source: nothing a run reads
    changed, and the sweep's figures drew two identical lines as a finding. Refused, with
    what to vary instead (decision 905); nothing is written."""
    syria = REPO / "scenarios" / "syria.yaml"
    out = tmp_path / "out"
    words = "true,false" if path.endswith(".key") else "a,b"  # a key is true or false
    message = _refused(
        capsys, "sweep", syria, "--vary", f"{path}={words}", "--out", out, "--workers", "1"
    )
    assert message == (
        f"--vary: {path}: a design varies '{path}', which only names or documents the "
        "scenario and changes no run, so every point would run the same model; vary a value "
        "the model reads (parameters..., an event's magnitude, a power's capability), or "
        "rename a scenario with --set"
    )
    assert not out.exists()
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        f"name: e\nscenarios: {{s: {syria}}}\ndesign:\n  method: grid\n  parameters:\n"
        f"    {path}: [{words.replace(',', ', ')}]\n"
    )
    message = _refused(capsys, "sweep", experiment, "--out", out, "--workers", "1")
    assert message.startswith(f"{experiment}:6: design.parameters['{path}']: a design varies")
    assert not out.exists()
    # A misspelt path is told as misspelt, not as words (decision 910).
    typo = path.replace("assad_falls", "asad_falls").replace("Syria", "Syira")
    if typo != path:
        message = _refused(
            capsys, "sweep", syria, "--vary", f"{typo}={words}", "--out", out, "--workers", "1"
        )
        assert "only names or documents" not in message and "unknown" in message, message
    # Renaming with --set stays a way to label a sweep's scenario.
    fixed = ["--set", "name=renamed", "--vary", "parameters.trust.memory=0.9,0.95"]
    argv = ["sweep", str(syria), *fixed, "--out", str(out), "--workers", "1", "--no-plots"]
    assert main(argv) == 0
