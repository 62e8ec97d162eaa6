"""What an outside check of the Python API found (decision 959): the functions a script or
notebook calls refuse what the command line refuses, in one clear line, instead of an
AttributeError, a TypeError from deep inside, or a value taken without a word."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import CredibilityModel, load_scenario
from sim.errors import InputError
from sim.fast import FastModel
from sim.runner import run_scenario
from sim.sweep import load_experiment, run_sweep

TINY = Path(__file__).parent / "data" / "sweep" / "tiny.yaml"
SYRIA = Path(__file__).parents[1] / "scenarios" / "syria.yaml"


def _experiment(tmp_path: Path) -> Path:
    exp = tmp_path / "small.yaml"
    exp.write_text(
        f"name: small\nscenarios: {{tiny: {TINY}}}\nreplicates: 2\nseed: 3\n"
        "design:\n  method: grid\n  parameters:\n"
        "    parameters.trust.negativity_bias: [1, 2]\n"
    )
    return exp


def test_run_sweep_takes_an_experiments_path_as_the_command_does(tmp_path: Path) -> None:
    exp = _experiment(tmp_path)
    by_path = run_sweep(str(exp), tmp_path / "a", quiet=True)
    loaded = run_sweep(load_experiment(exp), tmp_path / "b", quiet=True)
    assert by_path.ran == loaded.ran == 4
    a = pd.read_parquet(tmp_path / "a" / "runs.parquet").drop(columns="elapsed_s")
    b = pd.read_parquet(tmp_path / "b" / "runs.parquet").drop(columns="elapsed_s")
    pd.testing.assert_frame_equal(a, b)
    with pytest.raises(TypeError, match=r"load_experiment\(path\).*got dict"):
        run_sweep({"name": "small"}, tmp_path / "c", quiet=True)  # type: ignore[arg-type]
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(
    ("workers", "said"), [(0, ">= 1, got 0"), ("2", "a whole number, got .2.")]
)
def test_run_sweep_refuses_a_worker_count_the_command_line_refuses(
    tmp_path: Path, workers: object, said: str
) -> None:
    with pytest.raises(InputError, match=f"--workers must be {said}"):
        run_sweep(
            load_experiment(_experiment(tmp_path)),
            tmp_path / "out",
            executor="process",
            workers=workers,  # type: ignore[arg-type]
            quiet=True,
        )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("seed", "said"),
    [
        ("42", r"got '42' \(a str\)"),
        (1.5, r"got 1.5 \(a float\)"),
        (True, r"got True \(a bool\)"),
        (-1, "got -1"),
    ],
)
def test_a_seed_that_is_not_a_whole_number_from_0_is_refused_from_python(
    tmp_path: Path, seed: object, said: str
) -> None:
    scenario = load_scenario(TINY)
    with pytest.raises(InputError, match=f"whole number from 0 .*{said}") as run_error:
        run_scenario(scenario, seed)  # type: ignore[arg-type]
    assert run_error.value.path == "seed"
    with pytest.raises(InputError, match=f"whole number from 0 .*{said}"):
        load_experiment(_experiment(tmp_path), seed=seed)  # type: ignore[arg-type]


def test_a_whole_seed_still_runs_as_before() -> None:
    scenario = load_scenario(TINY)
    first = run_scenario(scenario, 7).summary
    again = run_scenario(scenario, 7).summary
    assert first == again


@pytest.mark.parametrize("cls", [CredibilityModel, FastModel])
def test_an_unknown_record_level_is_refused_by_either_model(cls: type) -> None:
    with pytest.raises(InputError, match=r"unknown record level 'full'; allowed: summary, series"):
        cls(TINY, rng=1, record="full")


def test_a_path_equals_value_string_as_a_mappings_key_is_said_so() -> None:
    with pytest.raises(InputError) as error:
        load_scenario(SYRIA, {"parameters.trust.memory=0.9": None})
    text = str(error.value)
    assert "PATH=VALUE string used as a mapping's key" in text
    assert "{'parameters.trust.memory': 0.9}" in text
    assert "unknown field" not in text
