"""Decision 950: what decision 948 left. `patterns check` and `calibrate` say what
`validate` notes of their scenario files, as `run` and `sweep` do (decision 947); and
`compare` of several folders says where an experiment's question takes a difference the
other way round, as it does of one. Each test fails on the code before the decision."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.errors import InputError, alike
from tests.test_calibrate_patterns import small_set, votes_folder
from tests.test_review_947 import _asked_sweep

ROOT = Path(__file__).resolve().parents[1]
SYRIA = ROOT / "scenarios" / "syria.yaml"


def _scenario_notes(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """What `validate` says of Syria's scenario file, but the missing source notes, which
    `run` and the others leave to `validate` (decision 947); at least one (the Barkhane
    exit after Mali's coup, decision 699), so that the tests below can fail."""
    assert main(["validate", str(SYRIA)]) == 0
    notes = [
        ln
        for ln in capsys.readouterr().err.splitlines()
        if ln.startswith("credsim: note:") and "source" not in ln
    ]
    assert any("barkhane_mali_exit" in ln for ln in notes), notes
    return notes


def test_patterns_check_says_what_validate_notes_of_its_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A withdrawal that closed nothing ran in `patterns check` without a word."""
    notes = _scenario_notes(capsys)
    small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    argv = ["patterns", "check", str(tmp_path / "small.yaml"), "--reps", "1"]
    argv += ["--engine", "fast", "--out", str(tmp_path / "out"), "--votes", str(votes_folder())]
    assert main(argv) == 0
    err = capsys.readouterr().err.splitlines()
    for note in notes:
        assert err.count(note) == 1, (note, err)


def test_patterns_check_says_the_notes_of_its_overrides_but_not_link_beta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A group that `--set` narrows to the intersection of its members and its region is
    noted, as `run --set` notes it; `link.beta` is the pattern file's, not the
    scenario's, and is left out of the scenario's check (it would be refused there)."""
    small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    argv = ["patterns", "check", str(tmp_path / "small.yaml"), "--reps", "1", "--engine", "fast"]
    argv += ["--out", str(tmp_path / "out"), "--votes", str(votes_folder())]
    argv += ["--set", 'outputs.groups.gulf.members=["Qatar"]', "--set", "link.beta=0.5"]
    assert main(argv) == 0
    err = capsys.readouterr().err.splitlines()
    narrowed = [ln for ln in err if "outputs.groups.gulf" in ln and "only those" in ln]
    assert len(narrowed) == 1, err
    assert "(1 actor: Qatar)" in narrowed[0]


def test_calibrate_says_what_validate_notes_of_its_scenarios_before_it_simulates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The notes come after the preflight's refusals and before the workers start and
    the generations run: a calibration of hours said nothing of a withdrawal that
    closed nothing."""
    import sim.calibrate.run

    notes = _scenario_notes(capsys)
    path = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})

    def stop(*args: object, **kwargs: object) -> None:
        raise InputError("stopped by the test as the workers start")

    monkeypatch.setattr(sim.calibrate.run, "started_workers", stop)
    argv = ["calibrate", str(path), "--out", str(tmp_path / "out")]
    assert main([*argv, "--votes", str(votes_folder())]) == 2
    err = capsys.readouterr().err.splitlines()
    for note in notes:
        assert err.count(note) == 1, (note, err)
    assert err[-1] == "credsim: error: stopped by the test as the workers start"


def test_compare_of_two_folders_says_each_question_s_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Of one folder compare said that the question reads tour minus quiet beside its own
    quiet - tour; of two folders of the experiment it said nothing. Each folder's
    sentence names its rows as compare labels them, with the question's sign recomputed
    here from that folder's runs.parquet."""
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = _asked_sweep(tmp_path / "one", [1.0, 2.0])
    second = _asked_sweep(tmp_path / "two", [1.0, 2.0])
    capsys.readouterr()
    assert main(["compare", str(first), str(second), "--out", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out.splitlines()
    keys = ["parameters.trust.negativity_bias", "replicate"]
    metric = "final_trust.Patron.all"
    # Both folders are named "out": compare names them by their parents too.
    for name, folder in (("one/out", first), ("two/out", second)):
        runs = pd.read_parquet(folder / "runs.parquet")
        tour = runs[runs["scenario"] == "tour"].set_index(keys)[metric]
        quiet = runs[runs["scenario"] == "quiet"].set_index(keys)[metric]
        (asked,) = alike(float((tour - quiet).mean()))
        line = (
            f"- {name}'s experiment's question, and the report's answer, read tour minus quiet "
            f"({asked} pooled here): the opposite sign of this comparison's {name}:quiet - "
            f"{name}:tour"
        )
        assert line in printed, printed
    # The markdown table is still printed after the sentences (a loop variable once
    # took the table's name).
    assert any(ln.startswith("| metric |") for ln in printed), printed


# ------------------------------------------- a list item written as a list and a mapping


def _syntax_error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'tour.yaml'}\nname: slip\n{text}")
    with pytest.raises(InputError) as caught:
        from sim.scenario.loader import load_scenario

        load_scenario(path)
    return str(caught.value)


@pytest.mark.parametrize(
    "item",
    [
        '[Patron, Rival], {from: "2022-01", value: -0.5}',
        # Unquoted: the colon's hint ("a value holding ': ' must be quoted") was given.
        "[Patron, Rival], {from: 2022-01, value: -0.5}",
    ],
    ids=["quoted", "unquoted"],
)
def test_a_list_item_that_goes_on_after_its_list_closes_is_said_so(
    tmp_path: Path, item: str
) -> None:
    """`- [A, B], {from: ...}` got a hint of a bad indent (its 2 spaces are the first
    level under `relations:`) or of a colon to quote, neither its fault."""
    message = _syntax_error(tmp_path, f"relations:\n  - {item}\n")
    assert "s.yaml:4: YAML syntax error" in message
    assert "indented" not in message and "must be quoted" not in message
    assert "the [...] that opens the line closes before the line ends, and ', {from: " in message, (
        message
    )
