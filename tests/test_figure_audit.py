"""A figure audit's findings, each read back from the figure's axes or its caption.

Identical lines that hide each other, one-state groups, the figures across a
parameter, the sensitivity bars' colours and metric titles about one state.
"""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer

from sim.plots.palette import NONE_COLOR, OKABE_ITO, TOL_MUTED_EXTRA
from sim.plots.sensitivity import sensitivity_figures


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_sensitivity_bars_take_no_powers_colour_and_keep_their_marks():
    """S1 and ST were blue and orange, the colours of the first two powers (USA and Russia):
    a reader could take the bars for powers. They are greys that no power or the
    non-aligned takes; the x of an estimate outside [0, 1] still shows, on a bar too."""
    table = pd.DataFrame({
        "metric": ["m", "m"], "parameter": ["p", "q"],
        "S1": [-0.05, 0.5], "S1_conf": [0.1, 0.1],
        "ST": [1.1, 0.6], "ST_conf": [0.2, 0.1],
    })  # fmt: skip
    for method, frame in (
        ("sobol", table),
        (
            "morris",
            table.rename(columns={"S1": "mu_star", "S1_conf": "mu_star_conf", "ST": "sigma"}),
        ),
    ):
        (fig,) = sensitivity_figures(frame, method)
        (ax,) = [a for a in fig.axes if a.axison]
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        colours = {to_hex(patch.get_facecolor()) for c in bars for patch in c}
        powers = {c.lower() for c in (*OKABE_ITO, *TOL_MUTED_EXTRA, NONE_COLOR)}
        assert len(colours) == 2 and not colours & powers, (method, colours)
        marks = [line for line in ax.get_lines() if line.get_marker() == "x"]
        assert marks and all(m.get_path_effects() for m in marks)
        assert all(m.get_zorder() > bars[0].patches[0].get_zorder() for m in marks)


def test_a_metric_about_one_state_names_the_state_as_a_reader_would():
    """ "Change in trust in Russia of Syria over 'withdrawal'" and "Final trust in USA of
    Syria" read badly; a one-state group's metric takes the state's possessive. Other
    groups read as before, except that "over the run" goes last as a window does."""
    from sim.plots.figure import metric_label

    phrases = {"syria": "of Syria", "levant": "among Levant states"}
    said = {
        "trust_change.withdrawal.Russia.syria": (
            "Change in Syria's trust in Russia over 'withdrawal'"
        ),
        "final_trust.USA.syria": "Syria's final trust in USA",
        "min_trust.USA.syria": "Syria's lowest trust in USA",
        "mean_trust.USA.syria": "Syria's mean trust in USA over the run",
        "sd_trust.USA.syria": "Swing (SD over time) of Syria's trust in USA",
        "final_share.Russia.syria": "Syria aligned with Russia at the end",
        "final_share.none.syria": "Syria non-aligned at the end",
        "final_trust.Russia.all": "Final trust in Russia among all states",
        "trust_change.withdrawal.USA.levant": (
            "Change in trust in USA among Levant states over 'withdrawal'"
        ),
        "mean_trust.USA.levant": "Mean trust in USA among Levant states over the run",
        "final_share.Russia.levant": (
            "Final share of states aligned with Russia among Levant states"
        ),
    }
    assert {m: metric_label(m, phrases)[0] for m in said} == said
    # As a figure's panel title (the sensitivity bars title their panels so).
    table = pd.DataFrame({
        "metric": ["trust_change.withdrawal.Russia.syria"], "parameter": ["p"],
        "S1": [0.4], "S1_conf": [0.1], "ST": [0.5], "ST_conf": [0.1],
    })  # fmt: skip
    (fig,) = sensitivity_figures(table, "sobol", phrases=phrases)
    (ax,) = [a for a in fig.axes if a.axison]
    assert " ".join(ax.get_title(loc="left").split()) == said[table["metric"][0]]


def _boxes(texts):
    fig = texts[0].get_figure()
    renderer = fig.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in texts if t.get_visible() and t.get_text()]


def _apart(boxes) -> bool:
    return not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def _labels_apart(labels) -> bool:
    """Horizontal labels: their boxes do not overlap. Labels turned by an angle: the
    neighbours' anchors are further apart, across the slant, than a line is high."""
    angle = np.radians(labels[0].get_rotation())
    if not angle:
        return _apart(_boxes(labels))
    fig = labels[0].get_figure()
    probe = fig.text(0, 0, "Xg", fontsize=labels[0].get_fontsize())
    high = probe.get_window_extent(fig.canvas.get_renderer()).height
    probe.remove()
    xs = sorted(t.get_transform().transform(t.get_position())[0] for t in labels)
    return all((b - a) * np.sin(angle) >= high for a, b in itertools.pairwise(xs))


def _three_scenarios(tmp_path, grid=None):
    import results_factory as factory

    from sim.results import open_results

    return open_results(
        factory.write_sweep(
            tmp_path / "sweep",
            scenarios={"historical": 0.0, "sustained": -0.1, "abstained": -0.2},
            grid=grid,
            replicates=2,
        )
    )


def test_no_scenario_is_dotted_as_the_events_are():
    """The third scenario's line was dotted, the style of the event lines."""
    from sim.plots.palette import scenario_linestyles

    styles = list(scenario_linestyles([f"s{i}" for i in range(8)]).values())
    assert ":" not in styles and (0, (1, 3)) not in styles
    assert len(set(map(str, styles[:6]))) == 6


def test_the_figure_across_a_parameter_has_a_time_axis_a_reader_can_read(tmp_path):
    """trajectories_across_<param>: no x axis title; date labels of neighbouring panels ran
    into each other ("2026" against "2014"); the third scenario dotted like the events."""
    from sim.plots.figure import DPI, render
    from sim.plots.trajectories import across_figure

    results = _three_scenarios(tmp_path, grid={"parameters.trust.negativity_bias": [1, 2, 3, 4]})
    series = results.series(metrics=["trust_mean"])
    fig = across_figure(series, "parameters.trust.negativity_bias", results.events)
    render(fig)  # lays the figure out as saved
    fig.set_dpi(DPI)
    axes = np.asarray(fig.axes).reshape(2, 4)
    assert all(ax.get_xlabel() == "Date (month)" for ax in axes[-1])
    assert _apart(_boxes([t for ax in axes[-1] for t in ax.get_xticklabels()]))
    for ax in axes.flat:
        scenario_styles = {str(ln.get_linestyle()) for ln in ax.get_lines() if ln.get_gid() is None}
        assert ":" not in scenario_styles and len(scenario_styles) == 3
        assert {ln.get_linestyle() for ln in ax.get_lines() if ln.get_gid() == "event"} == {":"}


def test_the_sweep_figure_tells_scenarios_apart_and_keeps_its_labels_apart(tmp_path):
    """sweep_<param>_<family>: scenarios by line style alone (one dotted); text values'
    tick labels ran into each other; the x axis is titled with the parameter. With
    several powers the hollow markers are the powers' (decision 556) and the scenarios
    keep three line styles, none dotted."""
    from sim.plots.figure import parameter_label, render
    from sim.plots.sweeps import family_figure

    names = [f"variant_{c}_{i}00" for i, c in enumerate("abcdefghi", start=1)]
    results = _three_scenarios(tmp_path, grid={"events.pullout.label": names})
    metrics = [m for m in results.metrics if m.startswith("final_trust.")]
    fig = family_figure(results.ok_runs, metrics, "events.pullout.label")
    render(fig)
    panels = [ax for ax in fig.axes if ax.axison]
    for ax in panels:
        assert ax.get_xlabel() == parameter_label("events.pullout.label")
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        assert _labels_apart(labels), [t.get_text() for t in labels]
        drawn = [ln for ln in ax.get_lines() if len(ln.get_xdata()) == len(names)]
        styles = {str(ln.get_linestyle()) for ln in drawn}
        assert len(styles) == 3 and ":" not in styles
        powers = {ln.get_color() for ln in drawn}
        assert len(powers) > 1 and len({ln.get_marker() for ln in drawn}) == len(powers)
        assert {ln.get_markerfacecolor() for ln in drawn} == {"none"}
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend())
    scenario_handles = [h for h in legend.legend_handles if h.get_label() in results.scenarios]
    assert len({str(h.get_linestyle()) for h in scenario_handles}) == 3


def test_a_group_of_one_state_says_so_and_draws_no_poles(tmp_path):
    """A group of one state drew a share panel of 0 and 1 only and a poles line at 1,
    unexplained. Its row and panel titles say "(1 state)", its poles panel holds a note
    instead of the flat line, and the caption says how to read it."""
    import results_factory as factory

    from sim.plots.alignment import alignment_figure
    from sim.plots.gallery import figures_for
    from sim.plots.sweeps import family_figure
    from sim.results import open_results

    trees = {name: factory.scenario_tree(name) for name in ("base", "counter")}
    for tree in trees.values():
        tree["outputs"]["groups"] = {"levant": {"members": ["Syria"]}}
    results = open_results(factory.write_sweep(tmp_path / "sweep", trees=trees, replicates=2))
    series = results.series(metrics=["share_aligned", "effective_poles"])
    phrases = {"all": "among all states", "levant": "of Syria"}
    fig = alignment_figure(series, phrases=phrases)
    rows = np.asarray([ax for ax in fig.axes]).reshape(2, -1)
    assert rows[0, 0].get_ylabel().startswith("All states")
    assert rows[1, 0].get_ylabel().split("\n")[:2] == ["Syria", "(1 state)"]
    assert rows[0, -1].get_lines() and not rows[1, -1].get_lines()
    assert [t.get_gid() for t in rows[1, -1].texts] == ["one-state"]
    metrics = [m for m in results.metrics if m.startswith("final_trust.USA.")]
    fig = family_figure(
        results.ok_runs, metrics, "parameters.trust.negativity_bias", phrases=phrases
    )
    titles = [ax.get_title(loc="left") for ax in fig.axes if ax.axison]
    assert titles == ["All states", "Syria (1 state)"]
    caption = next(e.caption for e in figures_for(results) if e.stem == "alignment")
    assert "A group of one state (Syria): a share is 0 or 1 in each run" in caption
    assert "is 1 at every step and is not drawn" in caption


def test_lines_that_coincide_are_named_in_the_caption(tmp_path):
    """Two scenarios of the same series drew one line over the other and a reader took
    a scenario as missing. The trajectories', the across figure's and the sweep
    figures' captions name the lines that coincide (within 0.001 at every point)."""
    import results_factory as factory

    from sim.plots.gallery import figures_for, selection_of
    from sim.results import open_results

    folder = factory.write_sweep(
        tmp_path / "sweep", scenarios={"a": 0.0, "b": 0.0, "c": -0.1}, replicates=2
    )
    results = open_results(folder)
    selection = selection_of(results, across="parameters.trust.negativity_bias")
    captions = {e.stem: e.caption for e in figures_for(results, selection)}
    expected = (
        "Lines that coincide (within 0.001 at every point; one line covers the other): "
        "'a' and 'b' coincide for mean trust in each of"
    )
    assert expected in captions["trust_trajectories"]
    assert "among all states" in captions["trust_trajectories"].split(expected)[1]
    assert "(at every value)" in captions["trajectories_across_trust-negativity_bias"]
    assert (
        "'a' and 'b' coincide for final trust in each of"
        in (captions["sweep_trust-negativity_bias_final_trust"])
    )
    # Apart by more than 0.001 somewhere: not said to coincide.
    assert "'c'" not in captions["trust_trajectories"].split("Line: ")[0]


def test_lines_apart_are_not_said_to_coincide():
    from sim.plots.figure import coinciding

    flat = np.full(5, 0.5)
    lines = {"a": flat, "b": flat + 0.0009, "c": flat + np.r_[0, 0, 0.002, 0, 0], "d": flat * 2}
    assert coinciding(lines) == [["a", "b"]]


def _replicated_series(spread: dict[str, float], runs: int = 5) -> pd.DataFrame:
    """Trust in each power of ``spread`` over 24 monthly steps, ``runs`` replicates
    apart by up to ``spread[power]`` either side of 0.5 (one group, one scenario)."""
    rows = []
    offsets = np.linspace(-1.0, 1.0, runs) if runs > 1 else np.zeros(1)
    for power, half in spread.items():
        for r, offset in enumerate(offsets):
            for step in range(24):
                rows.append({
                    "run_id": f"r{r}", "step": step,
                    "date": f"{2000 + max(step - 1, 0) // 12}-{max(step - 1, 0) % 12 + 1:02d}",
                    "group": "all", "power": power, "metric": "trust_mean",
                    "value": 0.5 + 0.01 * step + half * offset,
                })  # fmt: skip
    return pd.DataFrame(rows)


def test_bands_their_lines_hide_are_said_and_lie_under_the_line_as_drawn():
    """A flagship sweep's 5 replicates agreed within 0.003, so its trajectories showed
    no band under a caption that described one (decision 781). The caption now says
    when the lines hide the bands; and a band said hidden (reach under
    HIDDEN_REACH) is read back from the drawn figure as under its line's half
    width, in the tallest panel there is (one group)."""
    from sim.plots.figure import DPI
    from sim.plots.trajectories import HIDDEN_REACH, hidden_band_note, trajectories_figure

    series = _replicated_series({"Russia": 0.002, "USA": 0.0028})
    # Five replicates at -1, -0.5, 0, 0.5, 1 times 0.0028: the 97.5th percentile lies
    # 0.9 of the way from 0.5 to 1, at 0.95 * 0.0028 = 0.00266.
    assert hidden_band_note(series) == (
        "Every band lies within 0.0027 of its line, which hides it: the replicates agree "
        "that closely."
    )
    apart = _replicated_series({"Russia": 0.002, "USA": 0.05})
    assert hidden_band_note(apart) == (
        "The bands of 1 of the 2 lines lie within 0.005 of their line, which hides them."
    )
    assert hidden_band_note(_replicated_series({"Russia": 0.05})) == ""
    assert hidden_band_note(_replicated_series({"Russia": 0.0, "USA": 0.0})) == (
        "The replicates are equal at every step, so no band has any width."
    )
    assert hidden_band_note(_replicated_series({"Russia": 0.002}, runs=1)) == ""

    # As drawn: the band of a reach just under HIDDEN_REACH stays inside the line.
    edge = _replicated_series({"Russia": HIDDEN_REACH * 0.999})
    fig = trajectories_figure(edge)
    fig.set_dpi(DPI)
    ax = fig.axes[1]
    (band,) = ax.collections
    (line,) = ax.get_lines()
    drawn = pd.DataFrame(ax.transData.transform(band.get_paths()[0].vertices), columns=["x", "y"])
    width_px = drawn.groupby(drawn["x"].round(3))["y"].agg(np.ptp)
    means_px = ax.transData.transform(line.get_xydata())[:, 1]
    assert len(width_px) >= 24 and len(means_px) == 24
    half_line_px = line.get_linewidth() * DPI / 72 / 2
    # Symmetric bands: each side reaches half the band's width from the line.
    assert 0 < width_px.max() / 2 < half_line_px, (width_px.max() / 2, half_line_px)


def test_regime_changes_crosses_and_groups_of_powers_are_said(tmp_path):
    """A figure audit (decision 811): the trajectories' caption said the grey crosses were
    events "by an actor without a line: a state", and a regime change, which has no
    actor, is one too; the alignment figure left out a group of powers only (the PRC in
    the Sino-Soviet case) that the trust figure draws, and said nothing. Both are said
    now, and neither where it does not apply."""
    from pathlib import Path

    import results_factory as factory

    from sim.cli import main
    from sim.plots.gallery import figures_for, selection_of
    from sim.results import open_results

    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "sino_soviet.yaml"
    assert main(["run", str(scenario), "--out", str(tmp_path / "run"), "--no-plots"]) == 0
    results = open_results(tmp_path / "run")
    captions = {e.stem: e.caption for e in figures_for(results, selection_of(results))}
    cross = "; a regime change, which has no actor, is a grey cross too."
    assert cross in captions["trust_trajectories"]
    powers_only = "The group PRC holds powers only, no state to align, and has no row here."
    assert powers_only in captions["alignment"]
    folder = factory.write_sweep(tmp_path / "sweep", scenarios={"a": 0.0}, replicates=2)
    results = open_results(folder)
    captions = {e.stem: e.caption for e in figures_for(results, selection_of(results))}
    assert "regime change" not in captions["trust_trajectories"]
    assert "powers only" not in captions["alignment"]


def test_key_events_the_strip_has_no_room_for_are_named_in_the_caption(tmp_path):
    """An outside check of the Horn case (decision 836): nine events marked key, seven
    labelled, and "USSR backs Ethiopia" (one month with "Somalia expels Soviets") and
    "Berbera access" (under the long label of an event two years earlier) left as ticks
    without a word, though the README says key events are labelled first. The best
    arrangement of the strip's four lanes has no room for them; the caption names every
    key event the drawn strip left without a label, and only those. Thirteen of one
    month (lettered, so that their order is the caption's), more than the strip searches
    (``KEY_SEARCH``) and grows lanes for: the eight of one month once here now each have
    a label in the lanes the strip grows to for key events (decision 1019)."""
    import results_factory as factory

    from sim.plots.gallery import figures_for
    from sim.plots.trajectories import KEY_SEARCH
    from sim.results import open_results

    tree = factory.scenario_tree()
    crowd = [f"Key event {chr(ord('A') + i)}" for i in range(KEY_SEARCH + 1)]
    tree["events"] = [
        {"id": f"k{i}", "date": "2014-09", "kind": "intervene", "actor": "Russia",
         "target": "Syria", "label": label, "key": True}
        for i, label in enumerate(crowd)
    ] + [{"id": "other", "date": "2015-03", "kind": "withdraw", "actor": "USA",
          "target": "Syria", "label": "Not a key event"}]  # fmt: skip
    results = open_results(factory.write_run(tmp_path / "run", tree))
    entry = next(e for e in figures_for(results) if e.stem == "trust_trajectories")
    strip = entry.figure.axes[0]
    labelled = {t.get_text() for t in strip.texts if t.get_gid() == "event-label"}
    left = [label for label in crowd if label not in labelled]
    assert labelled and left and labelled <= set(crowd)
    named = ", ".join(f"{label} (2014-09)" for label in left[:-1])
    sentence = (
        "Key events not labelled, for want of room on the strip: "
        + (f"{named} and " if named else "")
        + f"{left[-1]} (2014-09)."
    )
    assert sentence in entry.caption
    assert "Not a key event" not in entry.caption  # only key events are promised a label
    # A strip with room for every key event adds nothing: two of one month, each labelled.
    tree["events"] = tree["events"][:2]
    results = open_results(factory.write_run(tmp_path / "few", tree))
    entry = next(e for e in figures_for(results) if e.stem == "trust_trajectories")
    strip = entry.figure.axes[0]
    assert len([t for t in strip.texts if t.get_gid() == "event-label"]) == 2
    assert "not labelled" not in entry.caption


def test_an_acronym_missing_from_the_list_is_not_title_cased(tmp_path):
    """The Horn case's bloc ``oau`` titled its panels "Mean trust in each power among Oau
    states" (an outside check; decision 836): a word that no English word is made of (no
    vowel, or vowels only) is an acronym, while the shipped names stay as they were."""
    import results_factory as factory

    from sim.plots.figure import id_words, proper
    from sim.plots.gallery import figures_for
    from sim.results import open_results

    tree = factory.scenario_tree()
    tree["states"]["Syria"]["blocs"] = ["oau"]
    tree["outputs"]["groups"] = {"levant": {"bloc": "oau"}}
    results = open_results(factory.write_run(tmp_path / "run", tree))
    entry = next(e for e in figures_for(results) if e.stem == "trust_trajectories")
    titles = [ax.get_title(loc="left") for ax in entry.figure.axes if ax.get_title(loc="left")]
    assert "Mean trust in each power among OAU states" in titles
    assert proper("fln_after_split") == "FLN After Split"
    assert id_words("oau_after_nsc") == "OAU after NSC"
    # Not acronyms: joining words, abbreviations, words with vowels and consonants, years.
    assert proper("allies_vs_latin") == "Allies vs Latin"
    assert proper("st_lucia_by_1962") == "St Lucia by 1962"
    assert proper("arab_league") == "Arab League"
    assert proper("africa_others") == "Africa Others"
