"""Decision 947: two outside reviews (a new case written from the docs; the figures as a
journal's referee reads them). Each test fails on the code before the decision."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from sim.cli import main
from sim.errors import InputError, alike

REPO = Path(__file__).resolve().parents[1]
TOUR = REPO / "scenarios" / "tour.yaml"
REAL_VOTES = REPO.parent / "shared" / "data" / "unvotes"


def _write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def _early_withdrawal(tmp_path: Path) -> Path:
    """The tour with the patron's withdrawal written before its intervention (2021-03):
    a withdrawal that closes no commitment, which `validate` notes."""
    return _write(
        tmp_path / "early.yaml",
        f"""\
        extends: {TOUR}
        name: early
        events:
          - {{id: early_exit, date: "2020-06", kind: withdraw, actor: Patron, target: Client,
             magnitude: 1.0, label: Early exit, source: "Illustrative."}}
        """,
    )


# --------------------------------------------------------------- run and sweep say the notes


def test_run_says_what_validate_notes_of_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A withdrawal before its intervention ran as evidence that closed nothing, and only
    `validate` said so: `run` says it too, before its own line."""
    scenario = _early_withdrawal(tmp_path)
    assert main(["validate", str(scenario)]) == 0
    noted = [ln for ln in capsys.readouterr().err.splitlines() if "early_exit" in ln]
    assert len(noted) == 1 and "closes no commitment" in noted[0]
    assert main(["run", str(scenario), "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert noted[0] in err.splitlines()


def test_sweep_says_each_note_once_and_not_when_nothing_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _early_withdrawal(tmp_path)
    argv = [
        "sweep", str(scenario), "--vary", "parameters.trust.negativity_bias=1,2",
        "--reps", "1", "--workers", "1", "--no-plots", "--quiet", "--out", str(tmp_path / "s"),
    ]  # fmt: skip
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert sum("early_exit" in ln and "closes no commitment" in ln for ln in err.splitlines()) == 1
    # A finished folder runs nothing, and says nothing of the files.
    assert main(argv) == 0
    assert "early_exit" not in capsys.readouterr().err


# ------------------------------------------------- an experiment's scenarios checked by validate


def _bad_names(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "named.yaml",
        f"""\
        extends: {TOUR}
        name: named
        observed:
          names: {{Client: "Nowhereland"}}
        """,
    )


def test_validate_of_an_experiment_refuses_what_validate_of_its_scenario_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not REAL_VOTES.is_dir():
        pytest.skip("the UN vote data is not beside the repo (../shared/data/unvotes)")
    scenario = _bad_names(tmp_path)
    experiment = _write(
        tmp_path / "exp.yaml",
        f"""\
        name: named_sweep
        scenarios:
          one: {scenario}
        design:
          method: grid
          parameters:
            parameters.trust.negativity_bias: [1.0, 2.0]
        replicates: 1
        seed: 1
        """,
    )
    votes = ["--votes", str(REAL_VOTES)]
    assert main(["validate", str(scenario), *votes]) == 2
    alone = capsys.readouterr().err
    assert main(["validate", str(experiment), *votes]) == 2
    within = capsys.readouterr().err
    assert "'Nowhereland' is no country of the UN vote data" in alone
    assert within == alone  # the same one line, at the scenario file's line
    assert len(within.splitlines()) == 1


# ------------------------------------------------------------------ a typed apostrophe


def test_a_typed_apostrophe_finds_the_data_s_typographic_one() -> None:
    """The vote data spells "Côte d’Ivoire" (U+2019); "Côte d'Ivoire" as typed was refused."""
    from sim.observed.names import un_name

    countries = ["Côte d\u2019Ivoire", "France"]
    assert un_name("Ivory", countries, {"Ivory": "Côte d'Ivoire"}) == "Côte d\u2019Ivoire"
    assert un_name("Côte d'Ivoire", countries) == "Côte d\u2019Ivoire"
    with pytest.raises(InputError):
        un_name("Ivory", countries, {"Ivory": "Cote dIvoire"})


# ------------------------------------------------------------------ YAML syntax hints


def _syntax_error(tmp_path: Path, text: str) -> InputError:
    from sim.scenario import load_scenario

    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_scenario(str(path))
    return caught.value


def test_an_unclosed_quote_is_found_at_its_own_line(tmp_path: Path) -> None:
    """`date: "2013-01` (the helper's France in Mali case): PyYAML stopped seven lines
    later with "did not find expected key", naming neither the quote nor its line."""
    text = textwrap.dedent(
        """\
        name: x
        events:
          - id: serval
            date: "2013-01
            kind: intervene
            actor: France
            target: Mali
            magnitude: 2.0
            source: "Shurkin, France's War in Mali, RAND 2014."
        """
    )
    error = _syntax_error(tmp_path, text)
    assert error.line == 4
    assert "the double quote opened here is not closed on this line, so YAML read on to" in str(
        error
    )


def test_a_line_indented_to_no_level_above_it_is_said(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        name: x
        events:
          - id: a
            date: "2020-01"
           kind: rhetoric
        """
    )
    error = _syntax_error(tmp_path, text)
    assert error.line == 5
    assert "indented 3 spaces, a level that no line above it has (line 4: 4 spaces)" in str(error)


# ------------------------------------------------------------------ figures and captions


def test_a_caption_gives_the_dates_of_the_windows_it_names() -> None:
    from sim.plots.gallery import window_note

    one = {"a": {"windows": {"withdrawal": ["2024-12", "2025-06"]}}}
    text = "Change in trust over 'withdrawal' against memory."
    assert "'withdrawal' runs from 2024-12 to 2025-06" in window_note(one, text)
    assert window_note(one, "Final trust against memory.") == ""
    two = {**one, "b": {"windows": {"withdrawal": ["2024-11", "2025-06"]}}}
    note = window_note(two, text)
    assert "2024-12 to 2025-06 in a" in note and "2024-11 to 2025-06 in b" in note


def test_a_sweep_figure_says_its_value_axis_is_fitted() -> None:
    from sim.plots.sweeps import fitted_axis_note

    fig, ax = plt.subplots()
    ax.set_ylim(0.42, 0.54)
    note = fitted_axis_note("final_trust.Russia.all")(fig)
    assert note.startswith("The value axis fits the lines (0.42 to 0.54), not the metric's")
    ax.set_ylim(0.0, 1.0)
    assert fitted_axis_note("final_trust.Russia.all")(fig) == ""
    plt.close(fig)


def test_an_interval_s_ends_that_differ_read_differently() -> None:
    """compare --by printed "95% interval -0.0127 to -0.0127" of -0.012727 to -0.012700."""
    mean, low, high = alike(-0.01272, -0.012727, -0.0127)
    assert low != high and len({mean, low, high}) == 3
    # Three significant digits where they already tell the values apart (make run's answer).
    assert alike(0.0496, 0.0480, 0.0511) == ["+0.0496", "+0.0480", "+0.0511"]


def test_a_lone_state_value_in_the_grey_crowd_is_said() -> None:
    """Kuwait votes from 1963, and 1964 has no roll call: its 1963 value is a dot without a
    line, which neither the legend nor the caption explained."""
    if not REAL_VOTES.is_dir():
        pytest.skip("the UN vote data is not beside the repo (../shared/data/unvotes)")
    from sim.observed.series import observed_table
    from sim.observed.votes import load_votes
    from sim.plots.observed import observed_figure

    states = ["Kuwait", "Egypt", "Iraq", "Jordan", "Lebanon", "Syria", "Saudi Arabia"]
    table = observed_table(
        load_votes(REAL_VOTES), "Russia", states, "arab", rival="United States",
        measure="split_agreement", years=(1960, 1966),
    )  # fmt: skip
    fig = observed_figure(table)
    caption = " ".join(t.get_text() for t in fig.texts)
    assert "A grey dot: one state's value in a year without one of its own" in caption
    assert "(Kuwait in 1963)" in caption
    plt.close(fig)


# ------------------------------------------------------------------ an outsized magnitude


def test_a_magnitude_far_above_the_file_s_others_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`magnitude: 50000` (a slip for 5) ran without a word. The tour's magnitudes are 1
    to 2.5 (median 1): 500 is noted at its line, 3 is not; no shipped file is noted
    (their largest, a reference event of 3, is at most 3 times their median)."""
    from sim.scenario import load_scenario
    from sim.validate import outsized_magnitudes

    def extended(magnitude: float) -> Path:
        return _write(
            tmp_path / f"m{magnitude:g}.yaml",
            f"""\
            extends: {TOUR}
            name: big
            events:
              - id: huge
                date: "2022-01"
                kind: intervene
                actor: Rival
                target: Eastland
                magnitude: {magnitude}
                source: "Illustrative."
            """,
        )

    assert main(["validate", str(extended(500))]) == 0
    err = capsys.readouterr().err
    # At the child file's own line and entry (its events list holds the one event).
    where = f"{tmp_path / 'm500.yaml'}:9: events[0].magnitude"
    assert f"{where}: event 'huge' has magnitude 500, 500 times the median" in err
    assert main(["validate", str(extended(3))]) == 0
    assert "times the median" not in capsys.readouterr().err
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        assert outsized_magnitudes(load_scenario(str(path))) == [], path


def test_a_heatmap_cell_is_written_in_decimals_however_small() -> None:
    """One heatmap wrote "4.05e-06" beside "-0.000345" and "-0.105"."""
    from sim.plots.sweeps import cell_text

    assert cell_text(4.05e-06) == "0.00000405"
    assert cell_text(-3.3e-05, signed=True) == "-0.0000330"
    assert cell_text(-0.000345) == "-0.000345"  # three significant digits, as before
    assert cell_text(12345.0) == "12345"


def test_a_group_of_members_and_a_region_is_said_to_be_their_intersection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ecowas: {bloc: ecowas, members: [Mali]}` held Mali alone, where its writer meant
    the bloc and Mali. The tour's region east has 5 states (Client, Eastland, Riverstan,
    Oasia, Harbouria); a group of it with members [Eastland, Savanna] holds Eastland."""
    scenario = _write(
        tmp_path / "groups.yaml",
        f"""\
        extends: {TOUR}
        name: groups
        outputs:
          groups:
            mixed: {{region: east, members: [Eastland, Savanna]}}
            region_only: {{region: east}}
            members_only: {{members: [Eastland, Savanna]}}
        """,
    )
    assert main(["validate", str(scenario)]) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "holds only those" in ln]
    assert notes == [
        f"credsim: note: {scenario}:5: outputs.groups.mixed: group 'mixed' holds only those "
        "of its members that are also in region 'east' (1 actor: Eastland), not the 5 states "
        "of region 'east' and its members together: for those, list every one under members "
        "alone (docs/ODD.md section 4, Observation)"
    ]


def _asked_sweep(tmp_path: Path, biases: list[float]) -> Path:
    """A finished sweep of the tour and the tour without its withdrawal ("quiet") over
    negativity bias, 2 replicates, whose question is tour minus quiet in the patron's
    final trust; its folder."""
    quiet = _write(
        tmp_path / "quiet.yaml", f"extends: {TOUR}\nname: quiet\nremove_events: [withdrawal]\n"
    )
    experiment = _write(
        tmp_path / "exp.yaml",
        f"""\
        name: asked
        scenarios:
          tour: {TOUR}
          quiet: {quiet}
        design:
          method: grid
          parameters:
            parameters.trust.negativity_bias: {biases}
        replicates: 2
        seed: 3
        question:
          text: Does the withdrawal cost the patron trust?
          difference: [tour, quiet]
          metric: final_trust.Patron.all
        """,
    )
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--workers", "1", "--no-plots", "--out", str(out)]) == 0
    return out


def test_compare_says_when_the_question_takes_the_difference_the_other_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """compare gives b - a in the scenarios' order ("abstained - historical: -0.0501")
    beside the report's "historical minus abstained": it now says the question's order
    and the question's sign, recomputed here from runs.parquet."""
    import pandas as pd

    out = _asked_sweep(tmp_path, [1.0, 2.0])
    capsys.readouterr()
    assert main(["compare", str(out), "--out", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out
    runs = pd.read_parquet(out / "runs.parquet")
    keys = ["parameters.trust.negativity_bias", "replicate"]
    metric = "final_trust.Patron.all"
    tour = runs[runs["scenario"] == "tour"].set_index(keys)[metric]
    other = runs[runs["scenario"] == "quiet"].set_index(keys)[metric]
    (asked,) = alike(float((tour - other).mean()))
    assert (
        f"- the experiment's question, and the report's answer, read tour minus quiet ({asked} "
        "pooled here): the opposite sign of this comparison's quiet - tour" in printed
    )


# ------------------------------------------------------------- a check of the change itself


def test_a_valid_two_line_quote_is_not_blamed_for_an_error_below_it(tmp_path: Path) -> None:
    """A source note in quotes over two lines is valid YAML; a bad indent below it was
    reported at the quote's line as an unclosed quote."""
    text = textwrap.dedent(
        """\
        name: x
        events:
          - id: a
            date: "2020-01"
            source: "a note that runs
              over two lines"
            kind: rhetoric
           actor: Patron
        """
    )
    error = _syntax_error(tmp_path, text)
    assert error.line == 8
    assert "quote opened" not in str(error)
    assert "indented 3 spaces" in str(error)


def test_an_unclosed_quote_in_a_flow_mapping_is_found(tmp_path: Path) -> None:
    text = 'name: x\nevents:\n  - {id: a, date: "2020-01, kind: rhetoric, actor: P}\n  - {id: b}\n'
    error = _syntax_error(tmp_path, text)
    assert error.line == 3
    assert "the double quote opened here is not closed on this line" in str(error)


def test_a_typographic_left_quote_or_backtick_finds_the_data_s_apostrophe() -> None:
    from sim.observed.names import un_name

    countries = ["Côte d\u2019Ivoire"]
    for typed in ("\u2018", "`"):
        assert un_name(f"Côte d{typed}Ivoire", countries) == "Côte d\u2019Ivoire"


def test_a_note_of_an_extending_file_says_whose_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Egypt and its counterfactual: the parent's note (2 closing events) and the
    counterfactual's (1, under the parent's name) read as a contradiction."""
    from sim.validate import print_file_notes

    egypt = REPO / "scenarios" / "egypt_ussr.yaml"
    abstained = REPO / "scenarios" / "egypt_ussr_abstained.yaml"
    print_file_notes([str(egypt), str(abstained)])
    lines = capsys.readouterr().err.splitlines()
    theirs = [ln for ln in lines if ln.endswith(f"(of {abstained}, through extends)")]
    assert theirs and all(f"note: {egypt}" in ln for ln in theirs)
    assert all(ln.endswith("through extends)") == (ln in theirs) for ln in lines)


def test_a_sweep_notes_what_its_experiment_s_overrides_make(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    experiment = _write(
        tmp_path / "exp.yaml",
        f"""\
        name: narrowed
        scenarios:
          tour: {TOUR}
        design:
          method: grid
          parameters:
            parameters.trust.negativity_bias: [1.0]
        replicates: 1
        seed: 1
        overrides:
          outputs.groups:
            mixed: {{region: east, members: [Client, Savanna]}}
        """,
    )
    out = tmp_path / "out"
    argv = ["sweep", str(experiment), "--workers", "1", "--no-plots", "--out", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "group 'mixed' holds only those of its members that are also in region 'east'" in err


def test_compare_by_gives_the_question_s_sign_at_each_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --by, each row's difference; the first alone was said as "pooled here"."""
    import pandas as pd

    out = _asked_sweep(tmp_path, [1.0, 3.0])
    capsys.readouterr()
    by = "parameters.trust.negativity_bias"
    assert main(["compare", str(out), "--by", by, "--out", str(tmp_path / "c")]) == 0
    printed = capsys.readouterr().out
    runs = pd.read_parquet(out / "runs.parquet")
    metric = "final_trust.Patron.all"
    said = []
    for bias in (1.0, 3.0):
        at = runs[runs[by] == bias].set_index("replicate")
        gap = at[at["scenario"] == "tour"][metric] - at[at["scenario"] == "quiet"][metric]
        said.append(f"{alike(float(gap.mean()))[0]} at trust.negativity_bias={bias:g}")
    assert f"read tour minus quiet ({', '.join(said)}): the opposite sign" in printed
