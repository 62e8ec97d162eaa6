"""Inputs that could exhaust the machine or poison a run are refused early, in one line.

Each case is issue 16's reproduction: alias bombs, oversized files, designs of
billions of runs, non-finite numbers, and the CLI's own usage errors.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario import loader

DATA = Path(__file__).parent / "data"
MINI = DATA / "scenarios" / "mini.yaml"
TINY = DATA / "sweep" / "tiny.yaml"


def _laughs(levels: int) -> str:
    """The "billion laughs": level 0 lists nine strings, each next level nine aliases of the last.

    Expanded, level ``k`` holds 9**(k+1) strings: 9 levels hold 3,486,784,401.
    """
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for k in range(1, levels + 1):
        lines.append(f"a{k}: &a{k} [" + ",".join([f"*a{k - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _one_line_error(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    code = main([str(a) for a in argv])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    return err.removeprefix("credsim: error: ").strip()


def _limited(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """``credsim ARGV`` in a process that may use at most 1 GiB and 120 s (a guard, not a test)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    return subprocess.run(
        [sys.executable, "-m", "sim", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        env={"PYTHONPATH": str(Path(__file__).parents[1]), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("levels", [6, 9])
def test_alias_bombs_are_refused_before_expansion(tmp_path: Path, levels: int) -> None:
    """6 levels expand to 9**7 = 4,782,969 strings, past the 100,000 values aliases may add."""
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text(_laughs(levels))
    done = _limited(["validate", str(bomb)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert done.stderr.startswith(f"credsim: error: {bomb}: its aliases (*name) expand it")


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    """Two states sharing their fields through an anchor are the same as written out."""
    text = MINI.read_text().replace(
        "  Jordan: {region: levant, blocs: [arab_league], ideology: -0.1, aligned: USA}",
        "  Jordan: &jordan {region: levant, blocs: [arab_league], ideology: -0.1, aligned: USA}\n"
        "  Lebanon: *jordan",
    )
    path = tmp_path / "alias.yaml"
    path.write_text(text)
    scenario = loader.load_scenario(path)
    assert scenario.states["Lebanon"] == scenario.states["Jordan"]


def test_alias_bomb_in_an_override_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    """The same bomb in flow style, 7 levels, as the value of ``--set``."""
    items = ["&a0 [" + ",".join(["lol"] * 9) + "]"]
    items += [f"&a{k} [" + ",".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 8)]
    setting = "parameters.trust.memory=[" + ", ".join(items) + "]"
    message = _one_line_error(capsys, "validate", MINI, "--set", setting)
    # the setting, 368 characters, is named by its first 100 (decision 537)
    assert len(setting) == 368
    shown = f"override {setting[:100]}... (368 characters)"
    assert message.startswith(f"{shown}: its aliases (*name) expand it"), message


def test_a_file_larger_than_the_limit_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 2**20)
    big = tmp_path / "big.yaml"
    big.write_text(MINI.read_text() + "#" * 2**21 + "\n")
    message = _one_line_error(capsys, "validate", big)
    assert message == f"{big}: is 2 MiB; input files may be at most 1 MiB"


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("capability: 0.6", "capability: .inf", ":4: powers.Russia.capability: "),
        ("ideology: 0.3", "ideology: .nan", ":4: powers.Russia.ideology: "),
        ("magnitude: 3.0", "magnitude: 1e999", ":10: events.intervention.magnitude: "),
    ],
)
def test_non_finite_numbers_in_a_scenario_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, where: str
) -> None:
    """1e999 overflows to inf when YAML reads it: refused like .inf."""
    path = tmp_path / "bad.yaml"
    path.write_text(MINI.read_text().replace(old, new))
    message = _one_line_error(capsys, "validate", path)
    assert message.startswith(f"{path}{where}"), message
    assert "finite number" in message


def test_non_finite_numbers_in_overrides_and_designs_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = _one_line_error(capsys, "validate", MINI, "--set", "parameters.trust.memory=.inf")
    assert "parameters.trust.memory" in message and "finite number" in message
    message = _one_line_error(
        capsys, "sweep", TINY, "--out", tmp_path / "out", "--vary", "seed=range(0,.inf,1)"
    )
    assert "'.inf' in 'range(0,.inf,1)' is not a finite number" in message
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        f"name: x\nscenarios: {{a: {TINY}}}\ndesign:\n  method: lhs\n  samples: 4\n"
        "  parameters:\n    parameters.trust.memory: {low: 0.5, high: .inf}\n"
    )
    message = _one_line_error(capsys, "validate", experiment)
    assert message.startswith(f"{experiment}:7: "), message
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("design", "runs"),
    [
        (
            "  parameters:\n"
            "    parameters.trust.memory: linspace(0.5,1,1000)\n"
            "    parameters.trust.negativity_bias: linspace(1,3,1000)\n"
            "    parameters.trust.prior_strength: linspace(1,5,1000)\n",
            "1,000,000,000",
        ),
        (
            "  method: sobol\n  samples: 1073741824\n"
            "  parameters:\n    parameters.trust.memory: {low: 0.5, high: 1}\n",
            # Saltelli without second order: samples * (D + 2) = 2**30 * 3.
            "3,221,225,472",
        ),
    ],
)
def test_designs_past_the_run_limit_are_refused_before_they_are_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], design: str, runs: str
) -> None:
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(f"name: x\nscenarios: {{a: {TINY}}}\ndesign:\n{design}")
    out = tmp_path / "out"
    message = _one_line_error(capsys, "sweep", experiment, "--out", out)
    assert message.startswith(f"{experiment}:3: design: the design ("), message
    assert f"plans {runs} runs, more than the limit of 1,000,000" in message
    assert "--max-runs N or CREDSIM_MAX_RUNS=N" in message
    assert not out.exists()


def test_two_huge_vary_lists_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """100,000 x 100,000 values = 10,000,000,000 runs (each list alone is allowed)."""
    out = tmp_path / "out"
    message = _one_line_error(
        capsys,
        "sweep",
        TINY,
        "--out",
        out,
        "--vary",
        "parameters.trust.memory=linspace(0.5,1,100000)",
        "--vary",
        "parameters.trust.negativity_bias=linspace(1,3,100000)",
    )
    assert "plans 10,000,000,000 runs" in message
    assert not out.exists()


def test_the_run_limit_is_overridable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A grid of 3 values x 1 replicate = 3 runs: over a limit of 2, within a limit of 3."""
    vary = ["--vary", "parameters.trust.memory=0.8,0.9,1", "--no-plots", "--quiet"]
    message = _one_line_error(
        capsys, "sweep", TINY, "--out", tmp_path / "a", "--max-runs", "2", *vary
    )
    assert "plans 3 runs, more than the limit of 2" in message
    monkeypatch.setenv("CREDSIM_MAX_RUNS", "2")
    message = _one_line_error(capsys, "sweep", TINY, "--out", tmp_path / "b", *vary)
    assert "plans 3 runs, more than the limit of 2" in message
    assert main(["sweep", str(TINY), "--out", str(tmp_path / "c"), "--max-runs", "3", *vary]) == 0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "the following arguments are required: command (see 'credsim --help')"),
        (["run"], "the following arguments are required: scenario (see 'credsim run --help')"),
    ],
)
def test_usage_errors_name_the_right_help(
    capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    assert _one_line_error(capsys, *argv) == expected


def test_extends_naming_a_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "base").mkdir()
    child = tmp_path / "child.yaml"
    child.write_text("name: c\nextends: base\n")
    message = _one_line_error(capsys, "validate", child)
    assert message.startswith(f"{child}:2: extends: 'base' is a folder, not a scenario file")


def test_an_error_two_parents_up_names_every_extends_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """child.yaml:1 extends mid.yaml, whose line 2 extends ../elsewhere/bad.yaml (line 4 bad)."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "bad.yaml").write_text(
        MINI.read_text().replace("capability: 0.6", "capability: -1")
    )
    here = tmp_path / "here"
    here.mkdir()
    (here / "mid.yaml").write_text("name: mid\nextends: ../elsewhere/bad.yaml\n")
    (here / "child.yaml").write_text("extends: mid.yaml\nname: child\n")
    message = _one_line_error(capsys, "validate", here / "child.yaml")
    bad = os.path.normpath(here / "../elsewhere/bad.yaml")
    assert message.startswith(f"{bad}:4: powers.Russia.capability: "), message
    assert message.endswith(
        f"(reached through extends: {here / 'child.yaml'}:1 -> {here / 'mid.yaml'}:2)"
    )


GENERATED = (
    'name: g\ncalendar: {start: "2000-01", end: "2000-12", step: month}\n'
    "generate: {states: 100, powers: 3, SETTING}\n"
)


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("ties_per_state: 1e9", ":3: generate.ties_per_state: must be <= 1000, got 1e+09"),
        ("events: 1000000000", ":3: generate.events: must be <= 100,000, got 1,000,000,000"),
        ("regions: 100000000", ":3: generate.regions: must be <= 10,000, got 100,000,000"),
        ("blocs: 100000000", ":3: generate.blocs: must be <= 10,000, got 100,000,000"),
        ("seed: 1e30", ":3: generate.seed: "),
    ],
)
def test_a_generate_block_cannot_ask_for_more_than_a_machine_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, said: str
) -> None:
    """Five lines asked for 10^11 ties (37 GB) or 10^9 events: refused in a 1 GiB process."""
    path = tmp_path / "g.yaml"
    path.write_text(GENERATED.replace("SETTING", setting))
    done = _limited(["validate", str(path)], tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"credsim: error: {path}{said}"), done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_the_ties_of_a_generate_block_are_bounded_in_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each of states and ties_per_state within its bound, their product not."""
    path = tmp_path / "g.yaml"
    path.write_text(
        GENERATED.replace("states: 100", "states: 10000000").replace(
            "SETTING", "ties_per_state: 500"
        )
    )
    assert _one_line_error(capsys, "validate", path) == (
        f"{path}:3: generate: states x ties_per_state asks for 5,000,000,000 ties; at most "
        "20,000,000 may be generated (10,000,000 states with 2 each)"
    )
    out = tmp_path / "s.yaml"
    argv = ["synth", "--states", "10000000", "--powers", "3", "--ties-per-state", "500"]
    assert _one_line_error(capsys, *argv, "--out", out).startswith(
        "--states x --ties-per-state asks for 5,000,000,000 ties"
    )
    assert (
        _one_line_error(
            capsys,
            "synth",
            "--states",
            "10",
            "--powers",
            "2",
            "--ties-per-state",
            "1e9",
            "--out",
            out,
        )
        == "--ties-per-state: must be <= 1000, got 1e+09"  # as the loader writes them (545)
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("network.same_region=1e308", "network.same_region: must be <= 1e+06, got 1e+308"),
        ("network.baseline=1e7", "network.baseline: must be <= 1e+06, got 1e+07"),
        ("parameters.affinity.scale=1e308", "parameters.affinity.scale: must be <= 1e+06"),
        ("events.intervention.magnitude=1e308", "events.intervention.magnitude: must be <= 1e+06"),
        ("parameters.trust.prior_strength=1e300", "parameters.trust.prior_strength: must be <= "),
        ("parameters.alignment.nonaligned_utility=-1e300", "nonaligned_utility: must be >= -1e+06"),
        (
            "parameters.alignment.period=99999999999999999999",
            "parameters.alignment.period: must be <= 120,000, got 99,999,999,999,999,999,999",
        ),
    ],
)
def test_values_too_large_for_a_run_are_refused_naming_the_field(
    capsys: pytest.CaptureFixture[str], setting: str, said: str
) -> None:
    """They passed validate, then the run stopped on a non-finite trust naming no field (on
    one engine only, for a tie weight), or the fast engine overflowed a C long (period)."""
    message = _one_line_error(capsys, "validate", MINI, "--set", setting)
    assert message.startswith(f"override {setting}: "), message
    assert said in message


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["validate"], ":6: parameters.trust.memory: must be <= 1, got 1.5"),
        (["run", "--out", "out"], ":6: parameters.trust.memory: must be <= 1, got 1.5"),
        (
            [
                "run",
                "--out",
                "out",
                "--set",
                "parameters.trust.memory=0.5",
                "--set",
                "parameters.alignment.temperature=-1",
            ],
            "override parameters.alignment.temperature=-1: parameters.alignment.temperature: "
            "must be >= 0, got -1",
        ),
    ],
)
def test_a_generated_scenarios_parameters_are_refused_before_its_draw(
    tmp_path: Path, argv: list[str], said: str
) -> None:
    """10,000,000 drawn states took about 5 minutes and 16 GB to refuse a mistaken parameter
    (an audit); the parameters read no actor, so they are checked first: in a 1 GiB
    process, where the draw itself cannot fit."""
    path = tmp_path / "g.yaml"
    path.write_text(
        GENERATED.replace("states: 100", "states: 10000000").replace(", SETTING", "")
        + "parameters:\n  trust:\n    memory: 1.5\n"
    )
    done = _limited([argv[0], str(path), *argv[1:]], tmp_path)
    assert done.returncode == 2, done.stderr
    where = "" if said.startswith("override") else str(path)
    assert done.stderr == f"credsim: error: {where}{said}\n"
    assert not (tmp_path / "out").exists()


def test_a_generated_scenarios_parameter_checks_that_read_the_rest_come_after_its_draw(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The early check is pydantic's of the parameters alone: what reads the network too
    is found after the draw, as before, and a sound parameter set is drawn and run."""
    path = tmp_path / "g.yaml"
    path.write_text(
        GENERATED.replace(", SETTING", "")
        + "network: {initial: equilibrium}\nparameters:\n  diffusion: {susceptibility: 1.0}\n"
    )
    assert _one_line_error(capsys, "validate", path).startswith(
        f"{path}:6: parameters.diffusion.susceptibility: network.initial 'equilibrium' needs"
    )
    argv = ["run", str(path), "--set", "parameters.diffusion.susceptibility=0.5"]
    assert main([*argv, "--set", "states.S0001.ideology=0.5", "--out", str(tmp_path / "o")]) == 2
    assert "unknown state 'S0001'" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "o")]) == 0
