"""What an outside check of the calibration found (decision 1028): two of its messages
named the wrong thing."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.calibrate.run import _changes
from sim.cli import main
from tests.test_calibrate_patterns import small_set


def test_a_truth_note_names_where_each_left_out_value_comes_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--truth link.beta=1 on a calibration of the negativity bias and the beta said the
    negativity bias was simulated at "each scenario's own value (the pattern file's
    beta)": the beta is not the negativity bias's source."""
    path = small_set(
        tmp_path,
        {
            "link.beta": {"low": 0, "high": 2},
            "parameters.trust.negativity_bias": {"low": 1, "high": 4},
        },
    )
    argv = ["calibrate", str(path), "--out", str(tmp_path / "out"), "--truth", "link.beta=1"]
    assert main([*argv, "--votes", str(tmp_path / "no-votes")]) == 2
    notes = [line for line in capsys.readouterr().err.splitlines() if "note:" in line]
    assert notes == [
        "credsim: note: --truth gives no value for parameters.trust.negativity_bias: the data "
        "are simulated at each scenario's own value, and the summary's truth and truth_in_90 "
        "are empty for it; give --truth PATH=VALUE to check it"
    ]
    assert not (tmp_path / "out").exists()


def test_a_pattern_file_given_from_another_folder_is_not_said_to_have_changed() -> None:
    """The manifest records each pattern file's digest under its path as typed: the same
    command run from another folder (pat/syria.yaml against /abs/pat/syria.yaml) was
    refused for a changed population with "...; /abs/pat/syria.yaml, pat/syria.yaml (the
    patterns or their scenario) changed since", sending the user to files that had not
    changed. Files are compared by name; a file that did change is still named, as this
    command gives it."""
    held = {
        "resolved": {"population": 150},
        "engine": "fast",
        "pattern_inputs": "same",
        "pattern_file_inputs": {"/abs/pat/syria.yaml": "a", "/abs/pat/egypt.yaml": "b"},
    }
    mine = {**held, "resolved": {"population": 151}}
    mine["pattern_file_inputs"] = {"pat/syria.yaml": "a", "pat/egypt.yaml": "b"}
    assert _changes(held, mine, "") == "the calibration file's population changed since"
    mine["pattern_file_inputs"] = {"pat/syria.yaml": "a", "pat/egypt.yaml": "c"}
    mine["pattern_inputs"] = "other"
    assert _changes(held, {**mine, "resolved": held["resolved"]}, "") == (
        "pat/egypt.yaml (the patterns or their scenario) changed since"
    )
