"""What pattern files written from validation.md alone (held-out style) found: figures
that hid a prediction or spread one year over a century, a caption that blamed the
states for a year the link's issue has no roll call, and a pattern's ``issue`` refused
with no word of where it goes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.cli import main
from sim.errors import InputError
from sim.patterns import load_patterns, prepare
from sim.patterns.check import break_note
from sim.plots.observed import observed_figure, pattern_figure
from tests.test_observed import _caption, drawn_figures, real_votes

REPO = Path(__file__).resolve().parent.parent


def _series(values: dict[int, float], kind: str, who: str = "pact") -> pd.DataFrame:
    return pd.DataFrame(
        {"year": list(values), "who": who, "kind": kind, "value": list(values.values())}
    )


def _drawn_at(ax, year: float) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """(line style, y) of every line of ``ax`` that draws something visible at ``year``:
    a line through it from a neighbour, or a marker on it."""
    out = []
    for line in ax.get_lines():
        xs = np.asarray(line.get_xdata(), dtype=float)
        ys = np.asarray(line.get_ydata(), dtype=float)
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            if x != year or not np.isfinite(y):
                continue
            joined = any(
                0 <= j < len(ys) and np.isfinite(ys[j]) and line.get_linestyle() != "None"
                for j in (i - 1, i + 1)
            )
            if joined or line.get_marker() not in ("None", None, ""):
                out.append((line.get_linestyle(), float(y)))
    return out


def test_a_predicted_year_between_gaps_is_drawn() -> None:
    """Afghanistan's pact states on human rights: no roll call splits the USSR and the
    USA on 'hr' in 1993, so 1994's values stand alone. The observed 1994 had its marker;
    the predicted 1994, which counts in the after window, was a dashed line of one point,
    so not drawn at all. It now has a mark at its value."""
    predicted = {1990: 0.85, 1991: 0.84, 1992: 0.82, 1994: 0.83}
    observed = {1990: 0.62, 1991: 0.62, 1992: 0.75, 1994: 0.42}
    series = pd.concat(
        [_series(observed, "observed"), _series(predicted, "predicted")], ignore_index=True
    )
    fig = pattern_figure(
        series,
        title="t",
        ylabel="y",
        windows={"before": (1980, 1985), "after": (1990, 1994)},
        caption="c",
    )
    ax = fig.axes[0]
    assert sorted(y for _, y in _drawn_at(ax, 1994.0)) == pytest.approx([0.42, 0.83])
    # A year with neighbours is drawn by its line, and gets no extra mark.
    assert len(_drawn_at(ax, 1991.0)) == 2


def test_a_pattern_figure_of_one_year_shows_that_year_among_whole_years() -> None:
    """A correlation over 1968 with the link's reference 1968: the axis showed fractions
    of a year (1967.50, 1967.65, ...). It now runs from the year before to the year
    after, with whole years as ticks."""
    series = pd.concat(
        [_series({1968: 0.70}, "observed"), _series({1968: 0.70}, "predicted")],
        ignore_index=True,
    )
    fig = pattern_figure(
        series, title="t", ylabel="y", windows={"years": (1968, 1968)}, caption="c"
    )
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_xlim() == pytest.approx((1967.0, 1969.0))
    ticks = [t for t in ax.get_xticks() if 1967 <= t <= 1969]
    assert ticks and all(float(t).is_integer() for t in ticks)
    assert 1968 in ticks


def test_observe_over_one_year_draws_an_axis_of_whole_years_around_it() -> None:
    """`observe --years 1972 --plot`: matplotlib widened the single year to 1875-2075."""
    table = pd.DataFrame(
        {
            "year": [1972, 1972, 1972],
            "state": ["Iraq", "Syria", "group:clients"],
            "power": "Russia",
            "rival": "United States",
            "measure": "split_agreement",
            "value": [1.0, 0.9, 0.95],
            "n_votes": [2, 2, 2],
            "n_states": [1, 1, 2],
        }
    )
    fig = observed_figure(table)
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_xlim() == pytest.approx((1971.0, 1973.0))


def _checked(path: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The figures `patterns check PATH` draws (one replicate, the real votes)."""
    figures = drawn_figures(monkeypatch)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--engine", "fast", "--out", str(out)]) == 0
    return figures


def test_the_break_note_names_a_year_the_links_roll_calls_skip() -> None:
    """1993 has roll calls, but none on 'hr' where the USSR and the USA voted yes against
    no: the caption said the lines break there for "no vote of its states"."""
    series = _series({1992: 0.75, 1994: 0.42}, "observed")
    kept = "roll call on issue 'hr' where USSR and USA voted yes against no"
    note = break_note(series, [1992, 1993, 1994], [1992, 1994], kept)
    assert note == f" The lines break at 1993 (no {kept})."
    # A year the link keeps roll calls in, without a vote of the group, is the states'.
    note = break_note(series, [1992, 1993, 1994], [1992, 1993, 1994], kept)
    assert note == " The lines break at 1993 (no vote of its states)."


def test_a_check_on_an_issue_says_why_its_lines_break(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same through `patterns check` on the real votes."""
    path = tmp_path / "afghan_hr.yaml"
    path.write_text(
        f"name: afghan_hr\nscenario: {REPO / 'scenarios' / 'afghanistan_ussr.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: split_agreement, reference: [1978, 1979],\n"
        "       beta: 0.05, issue: hr}\n"
        "groups:\n  old_pact: {members: [East Germany, Czechoslovakia, Poland, Hungary]}\n"
        "patterns:\n"
        "  - {id: pact, role: calibrate, statistic: change, group: old_pact,\n"
        "     before: [1980, 1985], after: [1990, 1994], tolerance: 0.05, source: s}\n"
    )
    figures = _checked(path, tmp_path / "out", monkeypatch)
    caption = _caption(figures[0])
    assert (
        "The lines break at 1993 (no roll call on issue 'hr' where USSR and USA voted yes "
        "against no)." in caption
    )
    assert "(no vote of its states)" not in caption
    # And 1994's prediction, alone after the break, is drawn. 1994's observed value rests
    # on 3 roll calls: its marker is drawn hollow (decision 904), and the solid observed
    # line does not reach it (decision 1031: a year on few roll calls is joined dotted, and
    # 1993 has none to join).
    # Two markers: the prediction's (alone after the break) and the hollow one.
    drawn = _drawn_at(figures[0].axes[0], 1994.0)
    assert [style for style, _ in drawn] == ["None", "None"]
    assert dict(_hollow(figures[0])).get(1994.0) in [y for _, y in drawn]


def _egypt_file(tmp_path: Path, fields: str) -> Path:
    """A pattern file of one change of Egypt's agreement with the USSR, 1970s, whose
    pattern has ``fields`` (its ``before`` window among them) written in."""
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: p\nscenario: {REPO / 'scenarios' / 'egypt_ussr.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: agreement, reference: [1967, 1969], "
        "beta: 0.4}\n"
        "patterns:\n"
        f"  - {{id: egypt, role: calibrate, statistic: change, group: egypt, {fields},\n"
        "     after: [1973, 1975], tolerance: 0.04, source: s}\n"
    )
    return path


def test_a_patterns_own_issue_is_said_to_be_the_links(tmp_path: Path) -> None:
    """validation.md lists the issue filter among the measures; the file's link holds it.
    A pattern's own `issue: me` was "unknown field 'issue'" with the pattern's fields
    listed and no word of the link."""
    path = _egypt_file(tmp_path, "issue: me,\n     before: [1970, 1971]")
    with pytest.raises(InputError) as caught:
        load_patterns(path)
    assert caught.value.path == "patterns[0].issue"
    assert "'issue' is the link's, the same for every pattern of the file" in str(caught.value)
    # A field no link has keeps the plain refusal with its close matches.
    path.write_text(path.read_text().replace("issue: me", "sorce: x"))
    with pytest.raises(InputError) as caught:
        load_patterns(path)
    assert "the link's" not in str(caught.value) and "source" in str(caught.value)


def test_one_year_is_written_as_one_year(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A correlation over 1968 with the link's offsets on 1968: the caption said "offsets
    on 1968-1968", the panel "Across the group's 14 states, 1968-1968", the report too."""
    path = tmp_path / "one_year.yaml"
    path.write_text(
        f"name: one_year\nscenario: {REPO / 'scenarios' / 'egypt_ussr.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: agreement, reference: [1968, 1968], "
        "beta: 0.5}\n"
        "patterns:\n"
        "  - {id: levels, role: holdout, statistic: correlation, group: arab_states,\n"
        "     years: [1968, 1968], source: s}\n"
    )
    figures = _checked(path, tmp_path / "out", monkeypatch)
    caption = _caption(figures[0])
    assert "offsets on 1968;" in caption and "1968-1968" not in caption
    assert (
        figures[0].axes[1].get_title(loc="left").startswith("Across the group's 14 states, 1968:")
    )
    report = (tmp_path / "out" / "report.md").read_text()
    assert "offsets on 1968." in report and "1968-1968" not in report


def _hollow(fig: Figure) -> list[tuple[float, float]]:
    """(year, value) of every hollow few-roll-calls marker on the figure's first axes."""
    from sim.plots.observed import FEW_GID

    out = []
    for line in fig.axes[0].get_lines():
        if line.get_gid() == FEW_GID:
            assert line.get_markerfacecolor() == "white"
            xs, ys = line.get_xdata(), line.get_ydata()
            out += [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]  # type: ignore[arg-type]
    return out


def test_a_pattern_figure_marks_the_years_on_few_roll_calls_hollow() -> None:
    """A first afternoon on a new case drew a pattern year that rests on a single roll call
    like any other (decision 900's wishes): only years with none were told apart. The
    observed values on 1 to 4 roll calls now get a hollow marker and a legend entry; 0
    (no value, not drawn) and 5 or more do not, nor does a predicted line."""
    observed = _series({2015: 0.4, 2016: 0.5, 2017: 0.6, 2018: 0.7, 2019: 0.8}, "observed")
    observed["roll_calls"] = [0, 40, 4, 5, 1]
    predicted = _series({2016: 0.5, 2017: 0.5, 2018: 0.5, 2019: 0.5}, "predicted")
    series = pd.concat([observed, predicted], ignore_index=True)
    fig = pattern_figure(
        series, title="t", ylabel="y", windows={"after": (2018, 2019)}, caption="c"
    )
    assert _hollow(fig) == [(2017.0, 0.6), (2019.0, 0.8)]
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "Fewer than 5 roll calls" in labels
    plenty = observed.assign(roll_calls=[0, 40, 5, 9, 12])
    fig = pattern_figure(
        pd.concat([plenty, predicted], ignore_index=True),
        title="t", ylabel="y", windows={"after": (2018, 2019)}, caption="c",
    )  # fmt: skip
    assert _hollow(fig) == []
    assert "Fewer than 5 roll calls" not in fig.axes[0].get_legend_handles_labels()[1]


def test_patterns_check_draws_2020s_single_roll_call_hollow_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end on the vote data, whose last year, 2020, holds one roll call (January;
    the data's README): a pattern reading plain agreement with Russia to 2020 draws that
    year hollow, and the caption names it, with the years before on many roll calls drawn
    plain."""
    figures = drawn_figures(monkeypatch)
    pattern_file = tmp_path / "few.yaml"
    pattern_file.write_text(
        f"name: few\nscenario: {REPO / 'scenarios' / 'syria.yaml'}\n"
        "link: {power: Russia, rival: USA, measure: agreement, reference: [2012, 2014], "
        "beta: 0.5}\n"
        "groups:\n  gulf_states: {members: [Saudi Arabia, UAE, Qatar, Kuwait, Oman, Bahrain]}\n"
        "patterns:\n  - {id: gulf_late, role: holdout, statistic: change, group: gulf_states,\n"
        "     before: [2016, 2018], after: [2019, 2020], source: two years}\n"
    )
    argv = ["patterns", "check", str(pattern_file), "--votes", str(real_votes())]
    assert main([*argv, "--reps", "1", "--engine", "fast", "--out", str(tmp_path / "out")]) == 0
    (fig,) = figures
    hollow = _hollow(fig)
    assert [year for year, _ in hollow] == [2020.0]
    # 2020 is in the after window, whose sentence names it; the hollow markers' sentence
    # does not name it again (an outside check, decision 910).
    caption = _caption(fig)
    assert "have few roll calls in 2020 (1 roll call)" in caption
    assert (
        "Hollow markers, joined by dotted lines: observed values resting on fewer than 5 "
        "roll calls (the years "
        "named above)." in caption
    )
    assert caption.count("2020 (1 roll call)") == 1


def test_observe_draws_a_year_on_few_roll_calls_hollow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`observe --plot` said "few roll calls behind these years' values" in its caption
    only; the group's mean there is now hollow, and the caption says so."""
    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(real_votes()), "--power", "Russia"]
    argv += ["--states", "Egypt,Syria", "--years", "2018-2020"]
    assert main([*argv, "--plot", str(tmp_path / "f.png")]) == 0
    (fig,) = figures
    # The group's mean and each named state's value (decision 911): three hollow marks.
    assert [year for year, _ in _hollow(fig)] == [2020.0] * 3
    assert (
        "Few roll calls behind these years' values (hollow markers, joined by dotted lines): "
        "2020 (1 roll call)." in _caption(fig)
    )


def test_the_hollow_markers_sentence_names_the_years_no_window_names() -> None:
    """A year on few roll calls outside the pattern's windows is named by the hollow
    markers' sentence, line by line; one inside a window is left to the window's sentence
    (decision 910); with none drawn hollow there is no sentence."""
    from sim.patterns.check import few_note

    group = _series({2017: 0.6, 2019: 0.8, 2020: 1.0}, "observed", who="gulf")
    group["roll_calls"] = [3, 60, 1]
    control = _series({2017: 0.5, 2019: 0.7, 2020: 1.0}, "observed", who="africa")
    control["roll_calls"] = [50, 60, 1]
    series = pd.concat([group, control], ignore_index=True)
    names = {"gulf": "Gulf (6 members)", "africa": "Africa (7 members)"}
    # 2020, hollow too, is in a window: the list says so, or it read as the whole of
    # them (an outside check, decision 931).
    assert few_note(series, names, [(2019, 2020)]) == (
        " Hollow markers, joined by dotted lines: observed values resting on fewer than 5 "
        "roll calls: Gulf (6 "
        "members) in 2017 (3 roll calls); and the years in the windows named above."
    )
    assert few_note(series, names, [(2019, 2019)]) == (
        " Hollow markers, joined by dotted lines: observed values resting on fewer than 5 "
        "roll calls: Gulf (6 "
        "members) in 2017 (3 roll calls), 2020 (1 roll call); Africa (7 members) in 2020 "
        "(1 roll call)."
    )
    assert few_note(series, names, [(2017, 2020)]) == (
        " Hollow markers, joined by dotted lines: observed values resting on fewer than 5 "
        "roll calls (the years "
        "named above)."
    )
    assert few_note(series.assign(roll_calls=60), names, [(2019, 2020)]) == ""


def test_observe_draws_a_named_states_value_on_few_roll_calls_hollow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outside check (decision 910): Kiribati's 2012 agreement with Russia, 1.000,
    rests on one roll call and lifted the three states' mean to 0.85, drawn plain; the
    group's count (88 roll calls) hid it. A named state's own values on fewer than 5 roll
    calls are now hollow on its line, and the caption names them (decision 911). From the
    vote data: Kiribati voted on 4 roll calls in 2009 and 2011 and 1 in 2012."""
    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(real_votes()), "--power", "Russia"]
    argv += ["--states", "Kiribati,Fiji,Samoa", "--years", "2008-2013"]
    assert main([*argv, "--plot", str(tmp_path / "f.png")]) == 0
    (fig,) = figures
    assert [year for year, _ in _hollow(fig)] == [2009.0, 2011.0, 2012.0]
    assert dict(_hollow(fig))[2012.0] == 1.0
    assert (
        "Hollow markers on a state's line: its own value rests on fewer than 5 roll calls, "
        "Kiribati in 2009 (4 roll calls), 2011 (4 roll calls), 2012 (1 roll call)."
    ) in _caption(fig)


def test_a_window_of_three_years_is_not_asked_about_a_decimal_comma(tmp_path: Path) -> None:
    """``before: [2014, 2015, 2016]`` was refused with "needs at most 2 item(s), got 3; a
    decimal comma? its last two items 2015 and 2016 may be 2015.2016" (an outside check of
    held-out pattern files): years are not a number's two halves. A list of small whole
    numbers one too long keeps the hint (decision 932)."""
    path = _egypt_file(tmp_path, "before: [1970, 1971, 1972]")
    with pytest.raises(InputError) as caught:
        load_patterns(path)
    assert caught.value.path == "patterns[0].before"
    said = str(caught.value)
    assert "needs at most 2 items, got 3" in said and "decimal comma" not in said


def _indochina_check(tmp_path: Path, beta: str) -> list[str]:
    """``patterns check`` of one change over Cambodia and Laos in the Vietnam case at the
    link's ``beta``, one replicate, with ``--out``."""
    path = tmp_path / f"indochina_{beta}.yaml"
    path.write_text(
        f"name: indochina\nscenario: {REPO / 'scenarios' / 'vietnam_usa.yaml'}\n"
        "link: {power: USA, rival: USSR, measure: agreement, reference: [1969, 1970], "
        f"beta: {beta}}}\n"
        "groups: {indo: {members: [Cambodia, Laos]}}\n"
        "patterns:\n"
        "  - {id: indo_change, role: holdout, statistic: change, group: indo,\n"
        "     before: [1971, 1972], after: [1976, 1978], tolerance: 0.05, source: s}\n"
    )
    out = tmp_path / f"out_{beta}"
    return ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1",
            "--out", str(out)]  # fmt: skip


def test_predictions_outside_0_1_are_said_on_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The linear link can predict agreement below 0 or above 1 (validation.md); only a
    figure's caption said so, while the table showed simulated changes of -2.4 (an outside
    check of held-out pattern files). At beta 0 every prediction is a state's mean
    agreement over the reference years, which lies in 0-1: nothing is said. At beta 20
    the gaps' spread carries Cambodia and Laos far past the range, and one note says so,
    as it must: the check's simulated change passes 1 in size, which a change between two
    means of values in 0-1 cannot."""
    assert main(_indochina_check(tmp_path, "0")) == 0
    assert "outside 0-1" not in capsys.readouterr().err
    argv = _indochina_check(tmp_path, "20")
    assert main(argv) == 0
    err = capsys.readouterr().err
    notes = [line for line in err.splitlines() if "outside 0-1" in line]
    assert len(notes) == 1
    assert notes[0].startswith("credsim: note: the linear link predicts agreement")
    assert "for its one pattern (furthest: 'indo_change', " in notes[0]
    extent = notes[0].partition("'indo_change', ")[2].partition(")")[0]
    assert extent.startswith(("down to -", "up to "))
    table = pd.read_csv(tmp_path / "out_20" / "patterns.csv").set_index("id")
    assert abs(float(table.loc["indo_change", "simulated"])) > 1.0
    assert (
        notes[0].removeprefix("credsim: note: ") in (tmp_path / "out_20" / "report.md").read_text()
    )


def test_a_state_with_no_vote_in_a_patterns_years_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The figure's caption counted "7 of its 10 states", but no note named West Germany
    (seated in 1973) or Yemen (whose votes before 1991 are the Yemen Arab Republic's) in a
    Suez pattern of 1955-1958 (an outside check of new cases). In the Sino-Soviet case
    West Germany and East Germany took their seats in 1973, so a NATO change over
    1958-1962 counts neither; a state that votes is not named. Afghanistan's South
    Yemen, merged into Yemen in 1990, is named with the seat that has its years."""
    path = tmp_path / "germanies.yaml"
    path.write_text(
        f"name: germanies\nscenario: {REPO / 'scenarios' / 'sino_soviet.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: agreement, reference: [1958, 1959], "
        "beta: 0.5}\n"
        "groups: {west: {members: [West Germany, Turkey]}, "
        "east: {members: [East Germany, Poland]}}\n"
        "patterns:\n"
        "  - {id: west_change, role: holdout, statistic: did, group: west, control: east,\n"
        "     before: [1958, 1959], after: [1961, 1962], tolerance: 0.05, source: s}\n"
    )
    out = tmp_path / "out"
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    said = (
        "pattern 'west_change': West Germany and East Germany have no vote in its years "
        "1958-1962 (West Germany votes in 1973-1990; East Germany votes in 1973-1989), so "
        "count on neither side"
    )
    assert f"credsim: note: {path}:6: {said}" in err.splitlines()
    assert said in (out / "report.md").read_text()
    assert "Turkey" not in said and "Poland" not in said
    prep = prepare(load_patterns(REPO / "patterns" / "afghanistan_ussr.yaml"), real_votes())
    assert "South Yemen votes in 1967-1989; for 1990-" in prep.voting["South Yemen"]
    assert prep.voting["South Yemen"].endswith("see 'Yemen'")
