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
from sim.patterns import load_patterns
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
    # And 1994's prediction, alone after the break, is drawn.
    assert len(_drawn_at(figures[0].axes[0], 1994.0)) == 2


def test_a_patterns_own_issue_is_said_to_be_the_links(tmp_path: Path) -> None:
    """validation.md lists the issue filter among the measures; the file's link holds it.
    A pattern's own `issue: me` was "unknown field 'issue'" with the pattern's fields
    listed and no word of the link."""
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: p\nscenario: {REPO / 'scenarios' / 'egypt_ussr.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: agreement, reference: [1967, 1969], "
        "beta: 0.4}\n"
        "patterns:\n"
        "  - {id: egypt, role: calibrate, statistic: change, group: egypt, issue: me,\n"
        "     before: [1970, 1971], after: [1973, 1975], tolerance: 0.04, source: s}\n"
    )
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
