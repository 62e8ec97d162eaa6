"""A run whose state becomes non-finite fails as a run, naming the step, actor and quantity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from overflow import HUGE, overflow_on_load, overflowing

from sim.cli import main
from sim.finite import NonFiniteState, check_finite

MINI = Path(__file__).parent / "data" / "scenarios" / "mini.yaml"


def test_check_finite_names_the_first_bad_cell() -> None:
    """Row 1 is Jordan, column 0 Russia; a finite array before it is passed over."""
    fine = np.zeros((2, 2))
    bad = np.array([[0.5, 0.5], [np.nan, 0.5]])
    with pytest.raises(NonFiniteState) as info:
        check_finite(
            7, "2014-08", {"own": fine, "trust": bad}, ["Syria", "Jordan"], ["Russia", "USA"]
        )
    assert str(info.value) == (
        "step 7 (2014-08): trust of Jordan about Russia is nan (not a finite number); the run stops"
    )
    with pytest.raises(NonFiniteState, match=r"capability of USA is inf"):
        check_finite(1, "2014-02", {"capability": np.array([1.0, np.inf])}, [], ["Russia", "USA"])
    check_finite(1, "2014-02", {"trust": fine}, ["Syria", "Jordan"], ["Russia", "USA"])


def test_an_overflowing_run_exits_1_with_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """magnitude 1e308 is finite when read, but Syria's evidence about Russia overflows."""
    import sim.runner

    overflow_on_load(monkeypatch, sim.runner)
    out = tmp_path / "out"
    assert main(["run", str(MINI), "--out", str(out), "--no-plots"]) == 1
    *said, err = capsys.readouterr().err.splitlines()
    # First what `validate` says of the file (decision 947: mini's window holds no event),
    # then the failure in one line.
    from sim.validate import file_notes

    assert said == [f"credsim: {note}" for note in file_notes(str(MINI), sources=False)]
    assert len(said) == 1 and "windows.late: no event falls in this window" in said[0]
    assert "NonFiniteState: step " in err
    assert "evidence of Syria about Russia is inf" in err
    assert not out.exists()


def test_an_overflowing_run_is_recorded_as_failed_in_a_sweep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The design point of magnitude 1,000,000 runs at 1e308 (tests/overflow.py)."""
    import sim.sweep.executors

    overflow_on_load(monkeypatch, sim.sweep.executors, only_at=1e6)
    out = tmp_path / "sweep"
    argv = ["sweep", str(MINI), "--out", str(out), "--no-plots", "--quiet", "--workers", "1"]
    argv += ["--executor", "serial"]  # in this process, where the loader is replaced
    assert main([*argv, "--vary", "events.intervention.magnitude=3.0,1e6"]) == 1
    runs = pd.read_parquet(out / "runs.parquet")
    failed = runs.set_index("events.intervention.magnitude")["status"].to_dict()
    assert failed == {3.0: "ok", 1e6: "failed"}
    error = runs.loc[runs["status"] == "failed", "error"].item()
    assert error.startswith("NonFiniteState: step ")


def test_both_engines_stop_at_the_same_step_with_the_same_message(tmp_path: Path) -> None:
    """The compiled loop checks the same arrays each step and stops where the Mesa model
    does: the same NonFiniteState text (step, date, quantity, actor, power, value)."""
    from sim.runner import run_scenario
    from sim.scenario import load_scenario

    scenario = overflowing(load_scenario(str(MINI)))
    assert scenario.events[0].magnitude == HUGE
    messages = []
    for engine in ("mesa", "fast"):
        with pytest.raises(NonFiniteState) as info:
            run_scenario(scenario, 0, "summary", engine)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert "evidence of Syria about Russia is inf" in messages[1]
