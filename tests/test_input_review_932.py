"""What an outside check of scenario and experiment files found (decision 932): a
question's impossible month ended in a traceback; stances that no mechanism reads were
taken in silence; decimal commas in flow mappings, grids, ties and relations, two
overrides in one --set, an event its parent already removed, and a window metric's
form were said wrongly or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.cli import main

REPO = Path(__file__).resolve().parent.parent
TOUR = REPO / "scenarios" / "tour.yaml"


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("credsim: error:")]
    assert len(lines) == 1, err
    return lines[0]


def _experiment(
    tmp_path: Path,
    *,
    metric: str,
    record: str = "summary",
    extra: str = "",
    values: str = "[1.0, 2.0]",
) -> Path:
    shutil.copy(TOUR, tmp_path / "tour.yaml")
    (tmp_path / "tour_abst.yaml").write_text(
        "extends: tour.yaml\nname: tour_abst\nremove_events: [intervention, withdrawal, strikes]\n"
    )
    path = tmp_path / "experiment.yaml"
    path.write_text(
        "name: tour_exp\nscenarios:\n  historical: tour.yaml\n  abstained: tour_abst.yaml\n"
        "design:\n  method: grid\n  parameters:\n"
        f"    parameters.trust.negativity_bias: {values}\n"
        f"replicates: 1\nseed: 7\nrecord: {record}\n"
        "question:\n  text: Does it cost?\n  difference: [historical, abstained]\n"
        f"  metric: {metric}\n{extra}"
    )
    return path


@pytest.mark.parametrize("command", ["validate", "sweep"])
def test_a_questions_month_13_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """'2024-13' has the form YYYY-MM and no such month: a traceback (ValueError), exit 1."""
    path = _experiment(
        tmp_path, metric="trust_mean.Patron.east", record="series", extra='  date: "2024-13"\n'
    )
    argv = [command, str(path)] + (
        ["--no-plots", "--out", str(tmp_path / "out")] if command == "sweep" else []
    )
    assert main(argv) == 2
    assert _one_line_error(capsys).endswith(
        f"{path}:16: question.date: '2024-13' is not a date of the form YYYY-MM (month 01 to 12)"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("metric", "said"),
    [
        (
            "trust_change.Patron.east",
            "'trust_change.Patron.east' is not a metric: trust_change is over a window, "
            "written trust_change.<window>.<power>.<group> (the scenarios' windows: "
            "intervention, withdrawal)",
        ),
        (
            "trust_change.Patron.east.withdrawl",
            "'Patron' is not a window of the scenarios; allowed: intervention, withdrawal "
            "(written trust_change.<window>.<power>.<group>)",
        ),
    ],
)
def test_a_window_metric_written_without_its_window_shows_the_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], metric: str, said: str
) -> None:
    path = _experiment(tmp_path, metric=metric)
    assert main(["validate", str(path)]) == 2
    assert _one_line_error(capsys).endswith(f"question.metric: {said}")


def test_a_grid_written_with_decimal_commas_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML reads [1,5, 2,5] as 1, 5, 2, 5: refused as "listed twice", and now with the
    reading meant."""
    path = _experiment(tmp_path, metric="final_trust.Patron.east", values="[1,5, 2,5]")
    assert main(["validate", str(path)]) == 2
    assert _one_line_error(capsys).endswith(
        "is listed twice; grid values must be distinct; a decimal comma? 1, 5, 2, 5 "
        "may be meant as 1.5, 2.5 (write each with a point)"
    )


def test_a_vary_written_with_decimal_commas_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "sweep",
        str(TOUR),
        "--vary",
        "parameters.trust.memory=0,95,0,98",
        "--out",
        str(tmp_path / "out"),
    ]
    assert main(argv) == 2
    assert _one_line_error(capsys).endswith(
        "a decimal comma? 0, 95, 0, 98 may be meant as 0.95, 0.98 (write each with a point)"
    )
    assert not (tmp_path / "out").exists()


def _tour_with(tmp_path: Path, old: str, new: str) -> Path:
    text = TOUR.read_text()
    assert old in text
    path = tmp_path / "tour.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_decimal_comma_in_a_flow_mapping_is_said_by_run_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """{memory: 0,98} is memory 0 and a key 98: run said only "must be > 0, got 0"."""
    path = _tour_with(tmp_path, "memory: 0.98", "memory: 0,98")
    assert "trust: {" in path.read_text()  # a flow mapping, as the check wrote it
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    assert _one_line_error(capsys).endswith(
        "parameters.trust: '98' is read as a key of its own, after 'memory: 0': a decimal "
        "comma? write 0.98"
    )
    assert not (tmp_path / "out").exists()


def test_a_tie_with_a_decimal_comma_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _tour_with(tmp_path, "[Savanna, Client, 1.0]", "[Savanna, Client, 1,5]")
    assert main(["validate", str(path)]) == 2
    assert (
        "needs at most 3 items, got 4; a decimal comma? its last two items 1 and 5 may be "
        "1.5" in _one_line_error(capsys)
    )


def test_two_overrides_in_one_set_are_told_apart(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "validate",
        str(TOUR),
        "--set",
        "parameters.trust.memory=0.9 parameters.trust.negativity_bias=3",
    ]
    assert main(argv) == 2
    assert _one_line_error(capsys).endswith(
        "override 'parameters.trust.memory=0.9 parameters.trust.negativity_bias=3' holds a "
        "second override ('parameters.trust.negativity_bias=...'): give each its own --set, "
        "e.g. --set parameters.trust.memory=0.9 --set parameters.trust.negativity_bias=3"
    )


def test_an_event_the_parent_removed_is_said_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """syria_abstained.yaml removes russia_intervention; a child removing it again was told
    "unknown event id" with a did-you-mean of another event."""
    path = tmp_path / "child.yaml"
    path.write_text(
        f"extends: {REPO / 'scenarios' / 'syria_abstained.yaml'}\nname: child\n"
        "remove_events: [russia_intervention]\n"
    )
    assert main(["validate", str(path)]) == 2
    line = _one_line_error(capsys)
    assert line.endswith(
        f"{path}:3: remove_events[0]: event 'russia_intervention' is already removed in "
        f"{REPO / 'scenarios' / 'syria_abstained.yaml'} (by remove_events there or in a file "
        "it extends), so there is no such event left to remove; take it out of this list"
    )
    assert "did you mean" not in line


@pytest.mark.parametrize(
    ("parameters", "noted"),
    [
        ("", True),
        ("--set parameters.stance.enemy_reliability=0", False),
        ("--set parameters.affinity.scale=1", False),
        ("--set parameters.salience.stance=0.5", False),
    ],
)
def test_stances_no_mechanism_reads_are_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], parameters: str, noted: bool
) -> None:
    """model.md section 8: stances enter through enemy reliability, affinity and the
    stance salience floor; with the three at their v1 values a relation changes nothing
    (the check's summary.json identical to tour's), and validate said "ok"."""
    path = _tour_with(
        tmp_path,
        "parameters:\n",
        "relations:\n  - {from: Oasia, to: Client, value: -0.9, source: a note}\nparameters:\n",
    )
    assert main(["validate", str(path), *parameters.split()]) == 0
    err = capsys.readouterr().err
    said = (
        "its stances (1 relation) are read by no mechanism at these parameters "
        "(parameters.stance.enemy_reliability 1, parameters.affinity.scale 0, "
        "parameters.salience.stance 0), so the runs are the same without them"
    )
    assert (said in err) == noted


def test_a_scenario_without_stances_gets_no_such_note(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(TOUR)]) == 0
    assert "read by no mechanism" not in capsys.readouterr().err


def test_a_childs_own_event_outside_its_parents_calendar_is_said_at_the_event(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decision 933: syria.yaml's calendar ends 2026-12; a child's own event of 2027-03 was
    said at syria.yaml's calendar.end line. It is the child's slip, said at its line. A
    child that moves the calendar keeps decision 916's one error at its calendar."""
    path = tmp_path / "child.yaml"
    path.write_text(
        f"extends: {REPO / 'scenarios' / 'syria.yaml'}\nname: child\nevents:\n"
        '  - {id: late, date: "2027-03", kind: rhetoric, actor: Russia, magnitude: 1.0, '
        "source: a note}\n"
    )
    assert main(["validate", str(path)]) == 2
    assert _one_line_error(capsys).endswith(
        f"{path}:4: events.late.date: date 2027-03 is outside the calendar 2014-01 to 2026-12"
    )
    path.write_text(
        f"extends: {REPO / 'scenarios' / 'syria.yaml'}\nname: child\n"
        'calendar: {start: "2014-01", end: "2020-12", step: month}\n'
    )
    assert main(["validate", str(path)]) == 2
    assert f"{path}:3: calendar.end: 2020-12 leaves out" in _one_line_error(capsys)


def test_the_inert_note_counts_regime_changes_with_relations_in_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Afghanistan's case at v1's stance parameters: "11 regime changes with relations",
    not "11 regime change with relationss" (decision 976)."""
    case = Path(__file__).resolve().parent.parent / "scenarios" / "afghanistan_ussr.yaml"
    assert main(["validate", str(case), "--set", "parameters.stance.enemy_reliability=1",
                 "--set", "parameters.affinity.scale=0",
                 "--set", "parameters.salience.stance=0"]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "11 regime changes with relations)" in err
    assert "relationss" not in err
