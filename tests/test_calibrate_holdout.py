"""Held-out pattern files cannot enter a calibration by accident (issue 15).

Every pattern of the three new cases (``patterns/afghanistan_ussr.yaml``,
``vietnam_usa.yaml``, ``egypt_ussr.yaml``) is ``role: holdout``. The distance
uses only ``role: calibrate`` patterns, so a calibration file that lists one
of these files alone would have nothing to fit: ``credsim calibrate`` must say
so in one line located at the file's ``patterns:`` key (line 2 of the file
written below), exit 2 and write nothing, before the votes are read or any
simulation runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ("afghanistan_ussr", "vietnam_usa", "egypt_ussr")


def _calibration(tmp_path: Path, pattern_files: list[Path]) -> Path:
    data = {
        "name": "accident",
        "patterns": [str(p) for p in pattern_files],
        "parameters": {"parameters.trust.memory": {"low": 0.85, "high": 0.999}},
        "population": 2,
        "max_simulations": 2,
    }
    path = tmp_path / "cal.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize("case", HELD_OUT)
def test_the_case_file_holds_no_calibration_pattern(case: str) -> None:
    """The premise: the file's patterns are all held out (a file with one
    ``role: calibrate`` line would break the rest of this module's point)."""
    data = yaml.safe_load((ROOT / "patterns" / f"{case}.yaml").read_text(encoding="utf-8"))
    assert data["patterns"]
    assert {p["role"] for p in data["patterns"]} == {"holdout"}


@pytest.mark.parametrize(
    "files", [[c] for c in HELD_OUT] + [list(HELD_OUT)], ids=[*HELD_OUT, "all_three"]
)
def test_a_calibration_of_held_out_files_alone_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    path = _calibration(tmp_path, [ROOT / "patterns" / f"{c}.yaml" for c in files])
    out = tmp_path / "out"
    # no --votes: the check comes before the votes are read
    assert main(["calibrate", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"{path}:2:" in err and "no calibration pattern" in err
    assert all(f"{c}.yaml" in err for c in files)
    assert not out.exists()
