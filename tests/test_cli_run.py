"""``credsim run`` and ``credsim synth`` end to end, as a user runs them.

The outputs of model.md section 7 are written and mutually consistent; the
same seed gives byte-identical Parquet files; bad input exits 2 with one line
and writes nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "scenarios" / "tour.yaml"


def run_cli(*args: str) -> int:
    return main(list(args))


def test_the_recorded_versions_are_the_installed_ones(tmp_path: Path) -> None:
    """Read from METADATA's header block (decision 759), as importlib.metadata reads them."""
    from importlib import metadata

    from sim import provenance

    got = provenance.versions()
    for name in provenance.PACKAGES:
        try:
            assert got[name] == metadata.version(name), name
        except metadata.PackageNotFoundError:
            assert name not in got
    # A description that says "Version:" is not the header; an egg's PKG-INFO is read as such.
    wheel = tmp_path / "x-1.0.dist-info"
    wheel.mkdir()
    header = "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n\nVersion: 9.9\n"
    (wheel / "METADATA").write_text(header)
    assert provenance._version(metadata.PathDistribution(wheel)) == "1.0"
    egg = tmp_path / "x.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: x\nVersion: 2.0\n")
    assert provenance._version(metadata.PathDistribution(egg)) == "2.0"


def test_version_names_credsim_and_what_its_results_depend_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`credsim --version` (to cite beside results): credsim's version on the first line,
    then Python's and the packages' a manifest records, as importlib.metadata has them;
    exit 0, nothing on standard error."""
    import platform
    from importlib import metadata

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code in (0, None)
    out, err = capsys.readouterr()
    first, second = out.splitlines()
    assert first == f"credsim {metadata.version('credsim')}" and err == ""
    assert second.startswith(f"python {platform.python_version()}, ")
    # numba (the fast engine) and pyabc (calibrate's manifest) were left out (decision 888).
    for name in ("mesa", "numpy", "pyarrow", "pydantic", "numba", "pyabc"):
        assert f"{name} {metadata.version(name)}" in second.split(", ")


def test_run_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "tour"
    assert run_cli("run", str(TOUR), "--out", str(out), "--record", "actors", "--no-plots") == 0
    for name in ("manifest.json", "summary.json", "series.parquet", "actors.parquet"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario_name"] == "tour"
    assert manifest["seed"] == 0
    assert {"numpy", "mesa", "credsim", "numba"} <= set(manifest["versions"])
    assert "commit" in manifest["git"]
    assert manifest["scenario"]["events"][0]["id"] == "intervention"

    series = pd.read_parquet(out / "series.parquet")
    assert list(series.columns) == ["step", "date", "group", "power", "metric", "value"]
    assert set(series["group"]) == {"all", "east", "south", "client"}
    assert {
        "trust_mean",
        "trust_p10",
        "trust_p90",
        "share_aligned",
        "effective_poles",
        "realignments",
    } <= set(series["metric"])
    # 72 monthly steps: step 0 and step 1 both carry the start month.
    steps = series[
        (series.group == "all") & (series.metric == "trust_mean") & (series.power == "Patron")
    ]
    assert list(steps["step"]) == list(range(73))
    assert steps["date"].iloc[0] == steps["date"].iloc[1] == "2020-01"
    assert steps["date"].iloc[-1] == "2025-12"

    actors = pd.read_parquet(out / "actors.parquet")
    assert list(actors.columns) == [
        "step",
        "date",
        "actor",
        "power",
        "trust",
        "own",
        "affinity",
        "aligned",
    ]
    # 15 actors x 2 powers x 73 steps, minus each power's cell about itself.
    assert len(actors) == 73 * (15 * 2 - 2)
    assert not ((actors.actor == "Patron") & (actors.power == "Patron")).any()

    # The series' group mean is the mean of the actors table over the group's states.
    summary = json.loads((out / "summary.json").read_text())
    last = actors[(actors.step == 72) & (actors.power == "Patron")]
    states = load_scenario(TOUR).states
    east = [name for name, s in states.items() if s.region == "east"]
    expected = last[last.actor.isin(east)]["trust"].mean()
    assert summary["final_trust"]["Patron"]["east"] == pytest.approx(expected, abs=1e-12)
    share = last[last.actor.isin(list(states))]["aligned"].eq("Patron").mean()
    assert summary["final_share"]["Patron"]["all"] == pytest.approx(share, abs=1e-12)


def test_same_seed_identical_parquet(tmp_path: Path) -> None:
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert (
            run_cli(
                "run",
                str(TOUR),
                "--out",
                str(out),
                "--seed",
                "7",
                "--record",
                "actors",
                "--no-plots",
            )
            == 0
        )
        outs.append(out)
    for name in ("series.parquet", "actors.parquet", "summary.json"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_different_seed_changes_the_alignment_draws(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("run", str(TOUR), "--out", str(a), "--seed", "1", "--no-plots") == 0
    assert run_cli("run", str(TOUR), "--out", str(b), "--seed", "2", "--no-plots") == 0
    sa = pd.read_parquet(a / "series.parquet")
    sb = pd.read_parquet(b / "series.parquet")
    shares = lambda s: s[s.metric == "share_aligned"]["value"].to_numpy()  # noqa: E731
    assert not (shares(sa) == shares(sb)).all()


def test_set_override_changes_the_result(tmp_path: Path) -> None:
    base, biased = tmp_path / "base", tmp_path / "biased"
    assert run_cli("run", str(TOUR), "--out", str(base), "--no-plots") == 0
    assert (
        run_cli(
            "run",
            str(TOUR),
            "--out",
            str(biased),
            "--no-plots",
            "--set",
            "parameters.trust.negativity_bias=4",
        )
        == 0
    )
    s0 = json.loads((base / "summary.json").read_text())
    s1 = json.loads((biased / "summary.json").read_text())
    # A heavier negativity bias makes the withdrawal cost more.
    assert (
        s1["trust_change"]["withdrawal"]["Patron"]["client"]
        < s0["trust_change"]["withdrawal"]["Patron"]["client"]
    )
    manifest = json.loads((biased / "manifest.json").read_text())
    assert manifest["scenario"]["parameters"]["trust"]["negativity_bias"] == 4


@pytest.mark.parametrize(
    "args",
    [
        ["--set", "parameters.trust.negativty_bias=3"],
        ["--set", "parameters.trust.memory=abc"],
        ["--set", "events.no_such_event.magnitude=1"],
        ["--record", "everything"],
    ],
)
def test_bad_input_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    out = tmp_path / "never"
    assert run_cli("run", str(TOUR), "--out", str(out), *args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert not out.exists()


def test_a_scenario_without_states_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario with powers and no states passed validation; ``run`` then crashed in
    the alignment figure (a grid of 0 rows), with a traceback and a half-written folder."""
    scenario = tmp_path / "powers_only.yaml"
    scenario.write_text(
        'name: powers_only\ncalendar: {start: "2020-01", end: "2020-03"}\n'
        "powers: {PA: {capability: 1, region: r}}\nstates: {}\n"
    )
    out = tmp_path / "never"
    assert run_cli("run", str(scenario), "--out", str(out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"credsim: error: {scenario}:4: states: a scenario needs at least one state "
        "(the states choose among the powers); add one under 'states'"
    ]
    assert not out.exists()


def test_missing_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli("run", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o")) == 2
    assert "nope.yaml" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_console_script_as_a_user_runs_it(tmp_path: Path) -> None:
    """`python -m sim run` in a subprocess, with plots and the report page."""
    out = tmp_path / "tour"
    done = subprocess.run(
        [sys.executable, "-m", "sim", "run", str(TOUR), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout
    assert (out / "plots" / "trust_trajectories.png").stat().st_size > 10_000
    assert (out / "plots" / "alignment.png").stat().st_size > 10_000
    assert (out / "report.html").is_file()


def synth(path: Path, seed: int) -> int:
    return run_cli("synth", "--states", "20000", "--powers", "5", "--steps", "24",
                   "--seed", str(seed), "--out", str(path))  # fmt: skip


def test_synth_writes_a_small_file_that_loads(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    assert synth(path, 3) == 0
    assert path.stat().st_size < 2_000
    scenario = load_scenario(path)
    assert len(scenario.states) == 20000 and len(scenario.powers) == 5
    assert scenario.calendar.n_steps == 24
    again = load_scenario(path)
    assert again.model_dump() == scenario.model_dump()
    other = tmp_path / "other.yaml"
    assert synth(other, 4) == 0
    assert load_scenario(other).model_dump() != scenario.model_dump()


def test_synth_bad_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run_cli("synth", "--states", "0", "--powers", "2", "--out", str(tmp_path / "x.yaml")) == 2
    )
    assert (
        run_cli("synth", "--states", "10", "--powers", "2", "--out", str(tmp_path / "x.txt")) == 2
    )
    assert not list(tmp_path.iterdir())


def test_every_option_of_every_command_says_what_it_is_for() -> None:
    """`credsim COMMAND --help` is the researcher's reference: no bare option."""
    import argparse

    from sim.cli import build_parser

    def bare(parser: argparse.ArgumentParser, where: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += bare(sub, f"{where} {name}")
            elif not isinstance(action, argparse._HelpAction) and not action.help:
                found.append(f"{where} {'/'.join(action.option_strings) or action.dest}")
        return found

    assert bare(build_parser(), "credsim") == []


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["run", "scenarios/tour.yaml", "--seed", "-1"], "argument --seed: must be >= 0, got -1"),
        (["run", "scenarios/tour.yaml", "--seed", "x"],
         "argument --seed: expected a whole number, got 'x'"),
        (["sweep", "experiments/syria_withdrawal.yaml", "--reps", "0"],
         "argument --reps: must be >= 1, got 0"),
        (["sweep", "scenarios/tour.yaml", "--vary", "parameters.trust.memory=0.9,0.95",
          "--seed", "-3"], "argument --seed: must be >= 0, got -3"),
        (["patterns", "check", "patterns/syria.yaml", "--seed", "-1"],
         "argument --seed: must be >= 0, got -1"),
        (["patterns", "check", "patterns/syria.yaml", "--samples", "0"],
         "argument --samples: must be >= 1, got 0"),
        (["calibrate", "calibrations/joint.yaml", "--workers", "0"],
         "argument --workers: must be >= 1, got 0"),
        (["synth", "--states", "10", "--powers", "2", "--ties-per-state", "-1", "--out", "s.yaml"],
         "argument --ties-per-state: must be >= 0, got -1"),
        (["synth", "--states", "10", "--powers", "60", "--out", "s.yaml"],
         "--powers: must be <= 50, got 60"),
        # An empty --out (a script's unset variable) wrote to the default folder.
        (["sweep", "experiments/syria_withdrawal.yaml", "--out", ""],
         "argument --out: expected a path, got an empty one"),
        (["run", "scenarios/tour.yaml", "--out", " "],
         "argument --out: expected a path, got an empty one"),
    ],
)  # fmt: skip
def test_bad_numbers_on_the_command_line_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    argv: list[str], expected: str,
) -> None:  # fmt: skip
    """A negative seed failed a run deep in numpy (exit 1, "ValueError: expected
    non-negative integer"), a zero --reps was blamed on the experiment file's line, and
    synth said "1 validation error for Generate". Each is now a usage error: exit 2."""
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(tmp_path)
    argv = [str(root / a) if a.endswith(".yaml") and a != "s.yaml" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and expected in err
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_an_output_folder_that_cannot_be_made_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--out /proc/nope` ended in a FileNotFoundError traceback; a full disk likewise."""
    tour = str(Path(__file__).resolve().parent.parent / "scenarios" / "tour.yaml")
    assert main(["run", tour, "--out", "/proc/nope"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "credsim: error: cannot create '/proc/nope': a folder on its path does not exist "
        "and cannot be made"
    )

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / "out"))

    monkeypatch.setattr("sim.runner.write_run", full)
    assert main(["run", tour, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    # Said as a full disk, with what to do, since decision 765.
    assert err.strip().splitlines() == [
        f"credsim: failed: cannot write '{tmp_path / 'out'}': the disk is full; free some "
        "space (or choose another --out) and run the same command again"
    ]


@pytest.mark.parametrize(
    ("states", "regions", "blocs"), [(10, 6, 0), (4, 1, 20), (5, 3, 0), (3, 40, 40)]
)
def test_every_synthetic_scenario_loads(states: int, regions: int, blocs: int) -> None:
    """Few states over many regions or blocs leave the first ones unheld; the output
    groups ``synth`` adds name only regions and blocs a state holds (a group of an
    unheld one is refused by the scenario's checks, which made synth's own file fail)."""
    from sim.scenario import load_scenario
    from sim.scenario.synthetic import synthetic_tree

    for seed in range(5):
        tree = synthetic_tree(states, 2, 12, seed, regions=regions, blocs=blocs)
        scenario = load_scenario(tree)
        held_regions = {s.region for s in scenario.states.values()}
        held_blocs = {b for s in scenario.states.values() for b in s.blocs}
        for group in scenario.outputs.groups.values():
            assert group.region is None or group.region in held_regions
            assert group.bloc is None or group.bloc in held_blocs


def test_the_command_line_is_built_without_the_model_or_its_libraries() -> None:
    """`credsim --help`, a usage error and `credsim check` need no model: building the
    parser imported the patterns' package, and with it Mesa, pandas and numba (2.8 s
    before any answer; decision 596). sim.options says why it imports nothing heavy."""
    code = (
        "import sys\n"
        "from sim.cli import build_parser\n"
        "build_parser().parse_args(['patterns', 'check', 'x.yaml'])\n"
        "print(' '.join(m for m in ('mesa', 'pandas', 'numba', 'matplotlib', 'scipy',"
        " 'pyarrow', 'sim.patterns', 'sim.model') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ""


def test_a_run_without_plots_says_the_folders_report_is_from_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run --no-plots` into a folder that holds a report rewrote the results and left
    the page as it was, saying nothing (the page named the engine of before; an audit,
    decision 638): the page is left, and a note says so and how to redraw it."""
    out = tmp_path / "tour"
    assert run_cli("run", str(TOUR), "--out", str(out), "--no-plots") == 0
    assert "note:" not in capsys.readouterr().err  # no page yet, nothing to say
    assert run_cli("run", str(TOUR), "--out", str(out)) == 0
    page = (out / "report.html").read_bytes()
    capsys.readouterr()
    assert run_cli("run", str(TOUR), "--out", str(out), "--no-plots", "--engine", "fast") == 0
    assert capsys.readouterr().err.strip() == (
        f"credsim: note: {out / 'report.html'} was drawn before these results and is left "
        f"as it was; credsim plot {out} redraws it"
    )
    assert (out / "report.html").read_bytes() == page


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    """`credsim compare ... | head -1` ended with "credsim: failed: cannot write a file:
    Broken pipe" (exit 1) though every file was written (an audit, decision 644). A
    reader that goes away ends the command as SIGPIPE would: no message, status 141."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "validate", str(TOUR)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the command writes
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and err == ""


def test_a_run_into_a_folder_another_run_is_writing_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two runs into one --out at once both said "results in ..." and one run's results
    were lost (an audit, decision 654): a run locks its folder while it writes, as a
    sweep does, and a second is refused in one line, writing nothing."""
    import fcntl
    import os

    out = tmp_path / "tour"
    out.mkdir()
    held = os.open(out, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # as the first run holds it
    try:
        assert run_cli("run", str(TOUR), "--out", str(out), "--no-plots") == 2
        assert capsys.readouterr().err.strip() == (
            f"credsim: error: another run is writing to '{out}'; wait for it or choose "
            "another --out"
        )
        assert list(out.iterdir()) == []
    finally:
        fcntl.flock(held, fcntl.LOCK_UN)
        os.close(held)
    assert run_cli("run", str(TOUR), "--out", str(out), "--no-plots") == 0
    # A run that fails leaves no empty folder behind.
    bad = tmp_path / "never"
    assert run_cli("run", str(TOUR), "--out", str(bad), "--set", "calendar.end=2019-01") == 2
    assert not bad.exists()


def test_a_killed_runs_temporary_files_go_when_it_is_run_again(tmp_path: Path) -> None:
    """A run killed while writing left a `.actors.parquet.*.tmp` (175 MB in the audit)
    that a successful rerun kept (an audit, decision 656); sweeps already removed
    theirs. The rerun removes them."""
    out = tmp_path / "tour"
    assert run_cli("run", str(TOUR), "--out", str(out), "--no-plots") == 0
    left = [out / ".actors.parquet.x1.tmp", out / ".manifest.json.x2.tmp"]
    for tmp in left:
        tmp.write_bytes(b"half a file")
    assert run_cli("run", str(TOUR), "--out", str(out), "--no-plots") == 0
    assert not [tmp for tmp in left if tmp.exists()]
    assert main(["check", str(out)]) == 0


def test_a_set_given_twice_or_a_name_too_long_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--set` of one path twice let the last value win without a word (both went into
    the manifest), and an `--out` name over 255 bytes ended "failed" with exit 1 (an
    audit, decision 659): both are input errors, exit 2, and nothing is written."""
    out = tmp_path / "tour"
    bias = "parameters.trust.negativity_bias"
    assert run_cli("run", str(TOUR), "--out", str(out), "--set", f"{bias}=1", "--set",
                   f"{bias}=3") == 2  # fmt: skip
    assert capsys.readouterr().err.strip() == (
        f"credsim: error: --set {bias} is given twice ({bias}=1 and {bias}=3); give it once"
    )
    assert not out.exists()
    # The same value twice is no conflict.
    assert run_cli("validate", str(TOUR), "--set", f"{bias}=2", "--set", f"{bias}=2") == 0
    long = tmp_path / ("a" * 300)
    assert run_cli("run", str(TOUR), "--out", str(long), "--no-plots") == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("a name in the path is too long (at most 255 bytes a name)")
    )


def test_a_line_break_typed_into_a_value_keeps_the_error_on_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--set $'parameters.trust.memory=0.9\\n1'` echoed its line break, and the error took
    two lines (an audit of the input files): the break is shown as ``\\n``."""
    tour = str(Path(__file__).resolve().parents[1] / "scenarios" / "tour.yaml")
    assert main(["validate", tour, "--set", "parameters.trust.memory=0.9\n1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.endswith("\n")
    assert "override parameters.trust.memory=0.9\\n1: " in err


@pytest.mark.parametrize("engine", ["mesa", "fast"])
def test_a_run_tells_its_steps_as_it_goes(engine: str) -> None:
    """`credsim run`'s progress line (decision 813) is fed by the run: each engine says
    the steps done and the steps in all as it goes, ending at all of them."""
    from sim.runner import run_scenario

    scenario = load_scenario(str(Path(__file__).parent / "data" / "scenarios" / "mini.yaml"))
    told: list[tuple[int, int]] = []
    plain = run_scenario(scenario, 3, "summary", engine)
    watched = run_scenario(scenario, 3, "summary", engine, lambda d, t: told.append((d, t)))
    n = scenario.calendar.n_steps
    assert told and told[-1] == (n, n) and all(t == n for _, t in told)
    done = [d for d, _ in told]
    assert done == sorted(done) and done[0] >= 1
    assert watched.summary == plain.summary  # telling changes nothing


def test_the_step_line_waits_its_quiet_spell_then_says_steps_rate_and_time_left() -> None:
    import io
    import re
    import time

    from sim.sweep.progress import StepProgress

    quiet = io.StringIO()
    waiting = StepProgress(quiet, live=True, quiet_s=60.0)
    waiting.update(5, 10)
    waiting.status("writing the results to out")
    waiting.clear()
    assert quiet.getvalue() == ""  # a run of under a minute here: nothing drawn
    shown = io.StringIO()
    progress = StepProgress(shown, live=True, quiet_s=0.0)
    progress.update(10, 120)
    time.sleep(0.3)
    progress.update(60, 120)
    line = shown.getvalue().split("\r\x1b[2K")[-1]
    assert re.fullmatch(r"step 60 of 120 \(50%\), [0-9.]+ steps/s, ETA \d+s", line), line
    rate = float(line.split(", ")[1].split()[0])
    assert 0 < rate <= 50 / 0.3  # 50 steps since the first told, in at least 0.3 s
    progress.status("writing the results to out")
    assert shown.getvalue().endswith("\r\x1b[2Kwriting the results to out")
    progress.clear()
    assert shown.getvalue().endswith("\r\x1b[2K")
    piped = io.StringIO()
    StepProgress(piped, live=False, quiet_s=0.0).update(60, 120)
    assert piped.getvalue() == ""


def test_a_runs_figures_take_the_manifest_it_has_just_written_as_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`credsim run` draws its figures from the folder it has just written. The manifest
    it made from the scenario it checked is not checked again (a drawn 100,000-state
    scenario's tree took 1.7 to 3.2 s; decision 822), and it is one the check passes:
    read afresh, with the answers of this process forgotten. A file rewritten after is
    checked again."""
    from sim import manifests

    checked: list[str] = []
    real = manifests.problem

    def counted(manifest: dict[str, object]) -> str | None:
        checked.append(str(manifest["kind"]))
        return real(manifest)

    monkeypatch.setattr(manifests, "problem", counted)
    out = tmp_path / "run"
    assert run_cli("run", str(TOUR), "--out", str(out)) == 0
    assert (out / "report.html").is_file()
    assert checked == []
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    monkeypatch.setattr(manifests, "_CHECKED", {})
    assert manifests.file_problem(path, manifest) is None
    assert checked == ["run"]
    manifests.written(path)
    path.write_text(json.dumps({**manifest, "seed": "seven"}) + "\n")
    assert manifests.file_problem(path, json.loads(path.read_text())) is not None
    assert checked == ["run", "run"]


def test_a_manifest_is_indented_but_for_its_long_values(tmp_path: Path) -> None:
    """A run's manifest reads as ``json.dumps(indent=2)`` writes it; a top-level value
    longer than ``LONG_JSON`` (a drawn population's resolved scenario: 35 MB at 100,000
    states, 1.3 s to indent in Python against 0.26 s compact) is on one line (an outside
    check at scale, decision 824). The text is JSON either way."""
    from sim.fileio import LONG_JSON, json_text

    out = tmp_path / "run"
    assert run_cli("run", str(TOUR), "--out", str(out), "--no-plots") == 0
    text = (out / "manifest.json").read_text()
    manifest = json.loads(text)
    assert len(json.dumps(manifest["scenario"])) < LONG_JSON
    assert text == json.dumps(manifest, indent=2) + "\n"
    long = {"kind": "run", "scenario": {"states": {f"S{i}": {"region": "r"} for i in range(5000)}}}
    assert len(json.dumps(long["scenario"])) > LONG_JSON
    written = json_text(long)
    assert json.loads(written) == long
    assert written.splitlines()[:2] == ["{", '  "kind": "run",']
    assert len(written.splitlines()) == 4  # {, kind, the scenario on one line, }
