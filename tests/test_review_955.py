"""Decision 955: what an outside check of decisions 950-953 found in the commands and
messages (the figures' faults are decision 956's). Each test fails on the code before but
the last, a guard that a valid file is untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.errors import InputError
from tests.test_calibrate_patterns import small_set, votes_folder
from tests.test_review_950 import _scenario_notes, _syntax_error

ROOT = Path(__file__).resolve().parents[1]


def test_validate_of_a_pattern_file_or_calibration_says_its_scenarios_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`patterns check` and `calibrate` said the scenario files' notes (decision 950);
    `validate` of the same files, run before a long calibration, did not."""
    notes = _scenario_notes(capsys)
    calibration = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    for file in (tmp_path / "small.yaml", calibration):
        assert main(["validate", str(file), "--votes", str(votes_folder())]) == 0
        err = capsys.readouterr().err.splitlines()
        for note in notes:
            assert err.count(note) == 1, (file, note, err)


def test_calibrate_refuses_a_file_as_out_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Four pattern-file notes came before the refusal of a file given as --out."""
    calibration = small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    out = tmp_path / "a_file"
    out.write_text("mine\n")
    argv = ["calibrate", str(calibration), "--out", str(out), "--votes", str(votes_folder())]
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"credsim: error: --out: '{out}' is a file; a folder was expected there"
    ]
    assert out.read_text() == "mine\n"


def test_a_pattern_check_s_report_keeps_its_width_and_what_did_not_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """report.md quoted the command without --width, so that running it again drew the
    figures at another size, and left out the notes of figures wider than the width.

    Syria's pattern figures fit 3 in since decision 962, so the note of a figure that
    does not is planted beside the real ones (none), as the figure module gives them."""
    import sim.plots.figure as figure

    real = figure.too_wide_notes
    planted = "the figure 'Planted' is 3.40 in wide, wider than --width 3: planted"
    once = [planted]  # emptied when said, as the real list is

    def notes() -> list[str]:
        said = [*real(), *once]
        once.clear()
        return said

    monkeypatch.setattr(figure, "too_wide_notes", notes)
    small_set(tmp_path, {"link.beta": {"low": 0, "high": 2}})
    out = tmp_path / "out"
    argv = ["patterns", "check", str(tmp_path / "small.yaml"), "--reps", "1", "--engine", "fast"]
    argv += ["--votes", str(votes_folder()), "--out", str(out), "--width", "3"]
    assert main(argv) == 0
    wide = [
        ln.removeprefix("credsim: note: ")
        for ln in capsys.readouterr().err.splitlines()
        if "wider than --width 3" in ln
    ]
    assert wide == [planted]  # the real figures fit 3 in (decision 962)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert " --engine fast --width 3`" in report
    notes = report.split("## Notes\n\n", 1)[1].split("\n\n## ", 1)[0].splitlines()
    assert all(f"- {note}" in notes for note in wide), (wide, notes)


def test_observe_refuses_width_without_a_figure(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["observe", "--votes", str(votes_folder()), "--power", "Russia", "--rival", "USA"]
    assert main([*argv, "--states", "Syria,Iran", "--width", "6.5"]) == 2
    assert capsys.readouterr().err == (
        "credsim: error: --width sizes the --plot figure; give --plot FILE.png, or leave "
        "--width out\n"
    )


@pytest.mark.parametrize(
    ("text", "opens", "rest"),
    [
        # The value form: a bare "did not find expected key".
        ("outputs:\n  groups:\n    east2: {members: [Client]}, {region: east}\n", "value",
         ", {region: east}"),
        # An escaped double quote inside the list: no hint.
        ('network:\n  ties:\n    - [Client, "a \\" quote", 2.0], x\n', "line", ", x"),
    ],
    ids=["value", "escaped-quote"],
)  # fmt: skip
def test_a_flow_that_closes_before_its_line_ends_is_said_in_every_form(
    tmp_path: Path, text: str, opens: str, rest: str
) -> None:
    message = _syntax_error(tmp_path, text)
    assert f"that opens the {opens} closes before the line ends, and '{rest}' follows it" in (
        message
    ), message
    # The relation example, wrong under ties or groups, is gone.
    assert "from: A" not in message


def test_an_indent_between_levels_names_the_line_above_too(tmp_path: Path) -> None:
    """An item under `relations:` at 4 spaces and the next at 2: the hint named only the
    mapping's level (0), and indenting to it fails again."""
    item = '{from: Patron, to: Rival, value: -0.5, source: "s"}'
    message = _syntax_error(tmp_path, f"relations:\n    - {item}\n  - {item}\n")
    assert (
        "the line is indented 2 spaces, the entries of the mapping it is in (from line 1) 0 "
        "spaces, and the line above it 4 spaces" in message
    ), message


def test_a_comment_after_a_flow_list_still_loads(tmp_path: Path) -> None:
    """What the hints read is only read on a syntax error: a valid file is untouched."""
    from sim.scenario.loader import load_scenario

    path = tmp_path / "ok.yaml"
    path.write_text(
        f"extends: {ROOT / 'scenarios' / 'tour.yaml'}\nname: ok\nnetwork:\n  ties:\n"
        "    - [Client, Eastland, 2.0]  # ], {x: y}\n"
    )
    assert load_scenario(path).name == "ok"
    assert isinstance(json.dumps(yaml.safe_load(path.read_text())), str)
    with pytest.raises(InputError):  # and the same line broken is not
        path.write_text(path.read_text().replace("2.0]  #", "2.0], x  #"))
        load_scenario(path)


def test_compare_at_a_page_width_puts_the_per_run_panel_under_the_time_panel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Narrowed from 13 in to 6.5, the side-by-side panels put the samples' names over
    the time panel's lines and its legend over them: the per-run panel now goes under
    the time panel, the legend between them, the time panel's title within it."""
    import sim.analysis.comparison as comparison
    from tests.test_paper_width_953 import _two_runs

    drawn = []
    real = comparison.render

    def keep(fig, fmt="png"):  # type: ignore[no-untyped-def]
        drawn.append(fig)
        return real(fig, fmt)

    monkeypatch.setattr(comparison, "render", keep)
    first, second = _two_runs(tmp_path)
    argv = ["compare", str(first), str(second), "--metric", "final_trust.Patron.all"]
    assert main([*argv, "--out", str(tmp_path / "page"), "--width", "6.5"]) == 0
    (fig,) = drawn
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()  # the command closed the figure
    time_ax, run_ax = (ax for ax in fig.axes if ax.axison)
    time_box, run_box = time_ax.get_window_extent(renderer), run_ax.get_window_extent(renderer)
    assert run_box.y1 < time_box.y0  # under it, not beside it
    names = run_ax.yaxis.get_tightbbox(renderer)
    assert names.y1 < time_box.y0  # the samples' names clear the time panel
    legend = time_ax.get_legend().get_window_extent(renderer)
    assert legend.y1 < time_box.y0 and legend.y0 > run_box.y1  # between the panels
    title = time_ax.title if time_ax.title.get_text() else time_ax._left_title
    assert title.get_window_extent(renderer).x1 <= fig.bbox.x1
