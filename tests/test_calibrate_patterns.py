"""``credsim calibrate`` end to end on pattern files, through a stand-in for sim.patterns.

The stand-in keeps to the pattern API the calibration is written against
(``load_patterns``, ``observed_statistics``, ``simulate_statistics``, and
``sim.observed.load_votes``) with statistics simple enough to know the
answer: ``memory`` is the override ``parameters.trust.memory`` plus noise
of sd 0.005, ``beta`` is ``link.beta`` plus the same noise, and a held-out
statistic is absurd.
"""

from __future__ import annotations

import json
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
CALLS: list[dict[str, Any]] = []


@dataclass
class _Link:
    beta: float


@dataclass
class _Pattern:
    id: str
    role: str


@dataclass
class _PatternFile:
    scenario: str
    link: _Link
    patterns: list[_Pattern]


def _load_patterns(path: str | Path) -> _PatternFile:
    data = yaml.safe_load(Path(path).read_text())
    roles = {"memory": "calibrate", "beta": "calibrate", "absurd": "holdout"}
    return _PatternFile(
        data["scenario"], _Link(data["beta"]), [_Pattern(k, v) for k, v in roles.items()]
    )


def _observed_statistics(pf: _PatternFile, votes: Any) -> pd.DataFrame:
    assert votes == "votes"
    return pd.DataFrame(
        {
            "role": [p.role for p in pf.patterns],
            "observed": [0.95, 0.5, 0.0],
            "tolerance": [0.01, 0.01, 0.01],
        },
        index=pd.Index([p.id for p in pf.patterns], name="id"),
    )


def _simulate_statistics(
    pf: _PatternFile,
    overrides: dict[str, object],
    *,
    beta: float | None = None,
    reps: int = 1,
    seed: int = 0,
    votes: Any = None,
) -> dict[str, float]:
    CALLS.append({"overrides": dict(overrides), "beta": beta, "reps": reps})
    rng = np.random.default_rng(seed)
    memory = float(overrides.get("parameters.trust.memory", 0.98))  # type: ignore[arg-type]
    b = pf.link.beta if beta is None else beta
    return {
        "memory": memory + 0.005 * rng.standard_normal(),
        "beta": b + 0.005 * rng.standard_normal(),
        "absurd": 1e9,
    }


@pytest.fixture
def pattern_api(monkeypatch: pytest.MonkeyPatch) -> None:
    patterns = types.ModuleType("sim.patterns")
    patterns.load_patterns = _load_patterns  # type: ignore[attr-defined]
    patterns.observed_statistics = _observed_statistics  # type: ignore[attr-defined]
    patterns.simulate_statistics = _simulate_statistics  # type: ignore[attr-defined]
    observed = types.ModuleType("sim.observed")
    observed.load_votes = lambda folder: "votes"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sim.patterns", patterns)
    monkeypatch.setitem(sys.modules, "sim.observed", observed)
    CALLS.clear()


def _files(tmp_path: Path, **extra: Any) -> Path:
    pattern = {"scenario": str(ROOT / "scenarios" / "syria.yaml"), "beta": 0.5}
    (tmp_path / "syria.yaml").write_text(json.dumps(pattern))
    data = {
        "name": "fake",
        "patterns": ["syria.yaml"],
        "parameters": {
            "parameters.trust.memory": {"low": 0.85, "high": 0.999},
            "link.beta": {"low": 0, "high": 2},
        },
        "population": 60,
        "max_simulations": 1500,
        "min_epsilon": 1.0,
        "replicates": 2,
        "seed": 1,
        "predictive": 10,
        **extra,
    }
    path = tmp_path / "cal.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_truth_is_recovered_and_link_goes_to_beta(
    tmp_path: Path, pattern_api: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """--truth memory 0.93, beta 1.2: the observed 0.95 and 0.5 are replaced by simulations.

    The distance reaches 1 (each statistic within about one tolerance), so both
    parameters end within a few hundredths of the truth: the 90% intervals hold
    them and are far narrower than the priors (width 0.149 and 2). link.beta
    reaches the pattern API as ``beta``, never as a scenario override.
    """
    out = tmp_path / "out"
    argv = ["calibrate", str(_files(tmp_path)), "--out", str(out), "--workers", "1"]
    argv += ["--no-plots", "--truth", "parameters.trust.memory=0.93", "link.beta=1.2"]
    assert main(argv) == 0
    assert all("link.beta" not in c["overrides"] for c in CALLS)
    assert all(c["reps"] == 2 for c in CALLS)
    summary = pd.read_csv(out / "summary.csv").set_index("parameter")
    for path, truth in (("parameters.trust.memory", 0.93), ("link.beta", 1.2)):
        row = summary.loc[path]
        assert row["q05"] <= truth <= row["q95"]
        assert row["narrowing"] < 0.3
    assert "parameters.trust.memory (half-life, months)" in summary.index
    checks = pd.read_csv(out / "checks.csv").set_index("pattern")
    assert checks.loc["syria/absurd", "role"] == "holdout"
    assert checks.loc["syria/memory", "observed"] != 0.95
    assert "calibration 'fake'" in capsys.readouterr().out


def test_an_event_path_the_scenario_lacks_is_located_in_the_calibration_file(
    tmp_path: Path, pattern_api: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """``events.nonexistent.magnitude`` passes the schema walk (events are named by the
    user) but not the pattern file's scenario: exit 2, one line, the file and line."""
    path = _files(tmp_path, variants={"v": {"events.nonexistent.magnitude": 1}})
    assert main(["calibrate", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{path}:" in err and "nonexistent" in err
    assert not (tmp_path / "out").exists()
