"""Decision 1020: what an outside check found when a researcher wrote a case of their own
(the USA in Iraq): ``observe`` wrote over a results folder's files, lists took spaces in one
command and commas in another, a note cut its list short, and a link's reference wholly
before the calendar was taken without a word."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sim.cli import main
from tests.test_observed import _hand_votes
from tests.test_unread_stances import _tour

REPO = Path(__file__).resolve().parent.parent
TOUR = REPO / "scenarios" / "tour.yaml"


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run") / "tour"
    assert main(["run", str(TOUR), "--seed", "3", "--out", str(out)]) == 0
    assert (out / "manifest.json").is_file()
    return out


@pytest.mark.parametrize(
    "option, inside",
    [
        ("--out", "series.parquet"),  # a data file the folder records
        ("--out", "summary.csv"),  # a new file beside them
        ("--plot", "plots/trust_trajectories.png"),  # a figure in the folder's plots/
        ("--plot", "plots/new/observed.png"),  # a folder of its own inside it
    ],
)
def test_observe_writes_nothing_into_a_results_folder(
    run_folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    option: str,
    inside: str,
) -> None:
    """``observe --out RUN/series.parquet`` replaced the run's table (``check`` then called
    the folder damaged, and a calibration's posterior was lost so); every other command
    refuses to write into a results folder. Refused before the votes are read, and the
    folder is the same file by file."""
    before = _digests(run_folder)
    target = run_folder / inside
    argv = ["observe", "--votes", str(_hand_votes(tmp_path / "votes")), "--power", "Alpha"]
    argv += ["--states", "Gamma,Delta", option, str(target)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        f"credsim: error: {option} '{target}' is inside the results folder '{run_folder}' (it "
        "has a manifest.json); a command writes no file into a results folder: choose a path "
        "outside it"
    )
    assert _digests(run_folder) == before
    assert not (run_folder / "plots" / "new").exists()
    assert main(["check", str(run_folder)]) == 0


def test_a_relative_path_names_the_folder_as_typed(
    run_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """From inside the folder the error names it by its full path, not as '.'."""
    votes = _hand_votes(tmp_path / "votes")
    monkeypatch.chdir(run_folder)
    argv = ["observe", "--votes", str(votes), "--power", "Alpha", "--states", "Gamma"]
    assert main([*argv, "--out", "t.csv"]) == 2
    assert f"inside the results folder '{run_folder}'" in capsys.readouterr().err
    assert not (run_folder / "t.csv").exists()
    monkeypatch.chdir(run_folder.parent)
    assert main([*argv, "--out", "tour/t.csv"]) == 2
    assert "inside the results folder 'tour'" in capsys.readouterr().err


def test_synth_writes_no_scenario_into_a_results_folder(
    run_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digests(run_folder)
    out = run_folder / "synthetic.yaml"
    assert main(["synth", "--states", "20", "--powers", "2", "--out", str(out)]) == 2
    assert "is inside the results folder" in capsys.readouterr().err
    assert _digests(run_folder) == before


def test_observe_outside_a_results_folder_still_writes(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder beside a results folder, and a results folder's parent, are not in it."""
    votes = _hand_votes(tmp_path / "votes")
    for out in (run_folder.parent / "beside.csv", tmp_path / "t.csv"):
        argv = ["observe", "--votes", str(votes), "--power", "Alpha", "--states", "Gamma,Delta"]
        assert main([*argv, "--out", str(out)]) == 0
        assert out.is_file()
    capsys.readouterr()


@pytest.mark.parametrize(
    "states", [["Gamma", "Delta"], ["Gamma,Delta"], ["Gamma, Delta"], ["Gamma,", "Delta"]]
)
def test_observe_takes_states_apart_by_spaces_or_commas(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], states: list[str]
) -> None:
    """``observe --states Iraq Egypt`` said "unrecognized arguments: Egypt"; ``plot`` takes
    its lists apart by spaces. Both forms give the same table."""
    votes = _hand_votes(tmp_path / "votes")
    out = tmp_path / "t.csv"
    argv = ["observe", "--votes", str(votes), "--power", "Alpha", "--rival", "Beta"]
    assert main([*argv, "--states", *states, "--out", str(out)]) == 0
    capsys.readouterr()
    text = out.read_text()
    assert main([*argv, "--states", "Gamma,Delta", "--out", str(tmp_path / "ref.csv")]) == 0
    assert text == (tmp_path / "ref.csv").read_text()
    assert "Delta" in text and "Gamma" in text


def test_a_name_with_a_space_typed_unquoted_is_said_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``--states Egypt Saudi Arabia`` gave "'Saudi' is no country ... (did you mean 'Saudi
    Arabia'?)" to a user who had typed just that."""
    from tests.test_observed import REAL_VOTES

    argv = ["observe", "--votes", str(REAL_VOTES), "--power", "USA", "--years", "2010-2010"]
    assert main([*argv, "--states", "Egypt", "Saudi", "Arabia"]) == 2
    assert capsys.readouterr().err.strip() == (
        "credsim: error: --states took 'Saudi' and 'Arabia' as 2 states; quote a name that "
        'holds a space: --states "Saudi Arabia" (or separate the states by commas)'
    )
    assert main([*argv, "--states", "United", "Arab", "Emirates"]) == 2
    assert "took 'United', 'Arab' and 'Emirates' as 3 states" in capsys.readouterr().err
    assert main([*argv, "--states", "Egypt", "Saudi Arabia"]) == 0
    capsys.readouterr()


def test_plot_takes_groups_and_powers_apart_by_commas_too(
    run_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plot --groups iraq,gulf`` said "not in this folder ... (did you mean 'iraq'?)"."""
    drawn = {}
    for name, lists in {
        "spaces": ["--groups", "all", "east", "--powers", "Patron", "Rival"],
        "commas": ["--groups", "all,east", "--powers", "Patron,", "Rival"],
        "one": ["--groups", "all", "--powers", "Patron"],
    }.items():
        out = tmp_path / name
        assert main(["plot", str(run_folder), "--out", str(out), *lists]) == 0
        drawn[name] = (out / "captions.md").read_text().replace(str(out), "OUT")
    capsys.readouterr()
    assert drawn["spaces"] == drawn["commas"]
    assert drawn["one"] != drawn["commas"]  # the lists did choose what was drawn


def test_the_unread_stances_note_lists_every_relation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "12 relations: USA-Russia, Iran-USA, Iran-Saudi Arabia, Iran-Israel, ... (12 in
    all)" left no way to learn the other eight. Six relations towards actors no event
    targets (every tour event that yields evidence targets Client) are all named."""
    pairs = [
        ("Oasia", "Patron"),
        ("Eastland", "Rival"),
        ("Savanna", "Oasia"),
        ("Deltania", "Highveld"),
        ("Lagunia", "Montagna"),
        ("Steppia", "Coastia"),
    ]
    relations = [f"{{from: {a}, to: {b}, value: -0.5, source: a note}}" for a, b in pairs]
    path = _tour(tmp_path, "six", relations)
    assert main(["validate", str(path)]) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "read by no event" in ln]
    assert len(notes) == 1
    listed = ", ".join(f"{a}-{b}" for a, b in pairs)
    assert f"(6 relations: {listed}) are read by no event" in notes[0]
    assert "in all)" not in notes[0]


def test_a_reference_wholly_before_the_calendar_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README: "Choose the link's reference years inside the scenario's calendar";
    years after the calendar are refused, and years all before it were taken without a
    word. Syria's shipped reference (2012-2014, calendar from 2014) reaches into the
    calendar and is not noted (test_patterns: its calendar notes are its two windows')."""
    from sim.patterns import calendar_notes, load_patterns

    text = (REPO / "patterns" / "syria.yaml").read_text()
    assert "reference: [2012, 2014]" in text
    text = text.replace("reference: [2012, 2014]", "reference: [2010, 2012]", 1)
    text = text.replace("scenario: ../scenarios/", f"scenario: {REPO / 'scenarios'}/", 1)
    path = tmp_path / "early.yaml"
    path.write_text(text)
    note = (
        "the link's reference years 2010-2012 all precede the scenario's calendar (from "
        "2014-01): each state's offset sets its votes then against the initial state, before "
        "any of the scenario's events; reference years inside the calendar, after any event "
        "that resets an actor, anchor it to the simulated years"
    )
    assert calendar_notes(load_patterns(path))[0] == note
    assert not any(
        "reference" in n for n in calendar_notes(load_patterns(REPO / "patterns" / "syria.yaml"))
    )
    from tests.test_observed import REAL_VOTES

    assert main(["validate", str(path), "--votes", str(REAL_VOTES)]) == 0
    assert f"credsim: note: {path}: {note}" in capsys.readouterr().err.splitlines()
