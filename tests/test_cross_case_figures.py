"""Decision 967: a sweep over different cases draws each set of scenarios on its own.

``cross_case_values`` (five historical cases, each with its counterfactual) drew one
trajectories figure of 30 rows of groups on one date axis from 1956 to 2026, each case a
sliver of its panels, and an alignment figure of 35 x 50 in whose panels mostly said "no
such group in this scenario", in 81 s. The trajectories and alignment figures are now
drawn once per set of scenarios that share their calendar and their groups, each with its
own dates, groups and events, in files named by the set; a sweep whose scenarios share
them draws its single files as before.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.cli import main
from sim.plots import write_report
from sim.plots.figure import DPI, at_page_width, render
from sim.plots.gallery import Entry, figures_for, selection_of
from sim.results import open_results
from tests import results_factory as factory

ROOT = Path(__file__).resolve().parent.parent
TOUR = ROOT / "scenarios" / "tour.yaml"
NB = "parameters.trust.negativity_bias"
PIXEL_IN = 1.0 / DPI


def _late_tree() -> dict[str, Any]:
    """A case of another calendar (1960-01 to 1961-06) and another group (east)."""
    tree = factory.scenario_tree("late", start="1960-01", end="1961-06")
    tree["events"][0]["date"] = "1960-09"
    tree["events"][0]["label"] = "Late intervention"
    tree["states"] = {"Syria": {"region": "east"}}
    tree["outputs"] = {"groups": {"east": {"region": "east"}}}
    return tree


def _cases(tmp_path: Path) -> Path:
    """A series sweep of two cases: early and its counterfactual (2014-01 to 2015-12,
    group levant) and late (1960-01 to 1961-06, group east)."""
    trees = {
        "early": factory.scenario_tree("early"),
        "early_cf": factory.scenario_tree("early_cf"),
        "late": _late_tree(),
    }
    folder = factory.write_sweep(
        tmp_path / "cases",
        scenarios={"early": 0.0, "early_cf": -0.1, "late": 0.05},
        grid={NB: [1.0, 2.0]},
        replicates=2,
        trees=trees,
    )
    # The late case's runs have its own group, east, where the factory writes levant.
    for part in sorted((folder / "series").glob("*.parquet")):
        frame = pd.read_parquet(part)
        mine = frame["run_id"].str.startswith("late-") & (frame["group"] == "levant")
        frame.loc[mine, "group"] = "east"
        frame.to_parquet(part, index=False)
    return folder


def named_sweep(folder: Path, names: dict[str, float]) -> Path:
    """A sweep of scenarios of these names (each the factory's scenario, its metrics
    shifted by the value), over negativity bias 1 and 2, two replicates."""
    return factory.write_sweep(
        folder,
        scenarios=names,
        grid={NB: [1.0, 2.0]},
        replicates=2,
        trees={n: factory.scenario_tree(n) for n in names},
    )


def _entries(folder: Path, **chosen: Any) -> dict[str, Entry]:
    results = open_results(folder)
    return {e.stem: e for e in figures_for(results, selection_of(results, **chosen))}


def _years(figure: Figure) -> tuple[int, int]:
    """The first and last year of a figure's shared date axis (its first axes)."""
    low, high = figure.axes[0].get_xlim()
    return mdates.num2date(low).year, mdates.num2date(high).year


def _texts(figure: Figure) -> list[str]:
    """Every title, axis label, legend entry and text of a figure."""
    found = []
    for ax in figure.axes:
        found += [ax.get_title(loc) for loc in ("left", "center")]
        found += [ax.get_ylabel(), *(t.get_text() for t in ax.texts)]
        legend = ax.get_legend()
        if legend is not None:
            found += [t.get_text() for t in legend.get_texts()]
    for legend in figure.legends:
        found += [t.get_text() for t in legend.get_texts()]
    return [t for t in found if t]


def _heading(figure: Figure) -> str:
    title = getattr(figure, "_suptitle", None)
    return "" if title is None else " ".join(title.get_text().split())


def test_scenario_sets_share_calendar_and_group_names() -> None:
    from sim.plots.gallery import scenario_sets

    def tree(start: str = "2014-01", step: str = "month", groups: tuple[str, ...] = ("g",)):
        return {
            "calendar": {"start": start, "end": "2016-12", "step": step},
            "outputs": {"groups": {g: {"region": g} for g in groups}},
        }

    trees = {
        "base": tree(),
        "later": tree(start="2015-01"),
        "cf": tree(groups=("g",)),
        "more": tree(groups=("g", "h")),
        "yearly": tree(step="year"),
        "other order": tree(groups=("h", "g")),  # the same names in another order
        "other/order": tree(start="2015-01", step="quarter"),
    }
    sets = scenario_sets(trees)
    assert [s.scenarios for s in sets] == [
        ("base", "cf"),
        ("later",),
        ("more", "other order"),
        ("yearly",),
        ("other/order",),
    ]
    assert [s.name for s in sets] == ["base", "later", "more", "yearly", "other_order"]
    assert sets[3].heading() == "Scenario yearly, 2014-01 to 2016-12, by year"
    assert sets[0].heading() == "Scenarios base and cf, 2014-01 to 2016-12"
    # Two sets whose first names are one file name each keep their own file (an
    # experiment's scenario names are file names already: [a-z0-9_-]+).
    twins = scenario_sets({"a b": tree(), "a/b": tree(start="2015-01")})
    assert [s.name for s in twins] == ["a_b", "a_b_2"]


def test_each_set_has_its_own_figures_with_only_its_dates_groups_and_scenarios(
    tmp_path: Path,
) -> None:
    entries = _entries(_cases(tmp_path))
    series = [s for s in entries if s.startswith(("trust_trajectories", "alignment"))]
    assert series == [
        "trust_trajectories_early",
        "alignment_early",
        "trust_trajectories_late",
        "alignment_late",
    ]
    early = entries["trust_trajectories_early"].figure
    late = entries["trust_trajectories_late"].figure
    # From the calendar's start to the end of its last month (decision 1004).
    assert _years(early) == (2014, 2016)  # 2014-01-01 to 2016-01-01, the end of 2015-12
    assert _years(late) == (1960, 1961)
    early_texts, late_texts = " ".join(_texts(early)), " ".join(_texts(late))
    assert "Levant" in early_texts and "East" not in early_texts
    assert "East" in late_texts and "Levant" not in late_texts
    assert "early_cf" in early_texts and "late" not in early_texts
    assert "early" not in late_texts
    # Each set's strip holds its own events only.
    assert "Late intervention" in late_texts and "Russian intervention" not in late_texts
    assert "Russian intervention" in early_texts and "Late intervention" not in early_texts
    assert _heading(early) == "Scenarios early and early_cf, 2014-01 to 2015-12"
    assert _heading(late) == "Scenario late, 1960-01 to 1961-06"


def test_each_sets_alignment_has_its_scenarios_columns_and_its_groups_rows(
    tmp_path: Path,
) -> None:
    entries = _entries(_cases(tmp_path))
    early = entries["alignment_early"].figure
    titles = [ax.get_title(loc="left") for ax in early.axes if ax.get_title(loc="left")]
    assert [t for t in titles if t.startswith("Alignment")] == [
        "Alignment, early",
        "Alignment, early_cf",
    ]
    # No panel of a group its scenario lacks (the single figure's "no such group").
    assert not [t for ax in early.axes for t in ax.texts if t.get_gid() == "no-group"]
    labels = " ".join(ax.get_ylabel() for ax in early.axes)
    assert "Levant" in labels and "East" not in labels
    late = entries["alignment_late"].figure
    assert [
        ax.get_title(loc="left")
        for ax in late.axes
        if ax.get_title(loc="left").startswith("Alignment")
    ] == ["Alignment, late"]
    assert _years(late) == (1960, 1961)
    assert _heading(late) == "Scenario late, 1960-01 to 1961-06"


def test_each_sets_caption_says_which_set_it_draws(tmp_path: Path) -> None:
    entries = _entries(_cases(tmp_path))
    for stem in ("trust_trajectories_early", "alignment_early"):
        caption = entries[stem].caption
        assert "(2 sets, each file named by its set's first scenario)" in caption
        assert "this one draws early and early_cf, 2014-01 to 2015-12." in caption
        assert "Scenarios: early, early_cf." in caption and "late" not in caption
    caption = entries["trust_trajectories_late"].caption
    assert "this one draws late, 1960-01 to 1961-06." in caption
    assert "Scenario: late." in caption and "early" not in caption


@pytest.mark.parametrize("width", [6.5, 3.5])
def test_each_sets_figures_fit_a_page(tmp_path: Path, width: float) -> None:
    folder = _cases(tmp_path)
    with at_page_width(width):
        entries = _entries(folder)
        for stem in ("trust_trajectories_late", "alignment_early"):
            data = render(entries[stem].figure)
            assert int.from_bytes(data[16:20], "big") / DPI <= width + PIXEL_IN, stem


def test_a_long_scenario_name_heads_its_column_without_running_into_the_next(
    tmp_path: Path,
) -> None:
    """At 6.5 in, "Alignment, afghanistan_ussr_abstained" ran into the poles panel's
    title (seen in cross_case_values' figures): the name breaks after an underscore."""
    names = {"afghanistan_ussr": 0.0, "afghanistan_ussr_abstained_from_1980": -0.1}
    folder = named_sweep(tmp_path / "long", names)
    with at_page_width(6.5):
        figure = _entries(folder)["alignment"].figure
        render(figure)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    top = [ax for ax in figure.axes if ax.get_title(loc="left")][:3]
    boxes = [ax._left_title.get_window_extent(renderer) for ax in top]
    for left, right in itertools.pairwise(boxes):
        assert left.x1 < right.x0, [ax.get_title(loc="left") for ax in top]


def test_drawing_again_removes_the_files_it_no_longer_writes(tmp_path: Path) -> None:
    folder = _cases(tmp_path)
    plots = folder / "plots"
    # An earlier drawing (the code before) wrote the single files and listed them.
    plots.mkdir()
    for name in ("trust_trajectories.png", "alignment.png"):
        (plots / name).write_bytes(b"earlier")
    (plots / "captions.md").write_text(
        "- `trust_trajectories.png`: earlier.\n- `alignment.png`: earlier.\n"
    )
    write_report(folder)
    drawn = {p.name for p in plots.iterdir()}
    sets = {
        "trust_trajectories_early.png",
        "alignment_early.png",
        "trust_trajectories_late.png",
        "alignment_late.png",
    }
    assert sets <= drawn
    assert not {"trust_trajectories.png", "alignment.png"} & drawn
    captions = (plots / "captions.md").read_text()
    listed = re.findall(r"^- `([^`]+)`:", captions, flags=re.MULTILINE)
    assert sets <= set(listed) and set(listed) == drawn - {"captions.md"}
    page = (folder / "report.html").read_text()
    for name in sets:
        assert f'<figure id="{name.removesuffix(".png")}">' in page
    # Drawn again for the group east only: the early set has nothing to draw, and its
    # files of the drawing before go.
    write_report(folder, selection=selection_of(open_results(folder), groups=["east"]))
    drawn = {p.name for p in plots.iterdir()}
    assert {"trust_trajectories_late.png", "alignment_late.png"} <= drawn
    assert not {"trust_trajectories_early.png", "alignment_early.png"} & drawn


def _sweep(tmp_path: Path, scenarios: dict[str, Path]) -> Path:
    experiment = tmp_path / "experiment.yaml"
    lines = [f"  {name}: {path}" for name, path in scenarios.items()]
    experiment.write_text(
        "name: two\nscenarios:\n" + "\n".join(lines) + "\nreplicates: 2\nseed: 3\nrecord: series\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--workers", "1", "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_a_sweep_of_two_cases_writes_a_figure_per_case(tmp_path: Path) -> None:
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text(
        'name: tiny\ncalendar: {start: "1990-01", end: "1991-06", step: month}\n'
        "powers:\n  North: {capability: 0.7, region: n}\n  South: {capability: 0.6, region: s}\n"
        "states:\n  Alpha: {region: mid, aligned: North}\n  Beta: {region: mid}\n"
        "events:\n  - {id: aid, date: '1990-06', kind: intervene, actor: North, target: Alpha,"
        " magnitude: 1.0, label: North helps Alpha}\n"
        "outputs:\n  groups:\n    middle: {region: mid}\n",
        encoding="utf-8",
    )
    out = _sweep(tmp_path, {"tour": TOUR, "tiny": tiny})
    names = sorted(p.name for p in (out / "plots").iterdir())
    assert names == [
        "alignment_tiny.png",
        "alignment_tour.png",
        "captions.md",
        "trust_trajectories_tiny.png",
        "trust_trajectories_tour.png",
    ]
    entries = {e.stem: e for e in figures_for(open_results(out))}
    assert _years(entries["trust_trajectories_tiny"].figure) == (1990, 1991)
    # 2020-01 to 2025-12: its last month ends on 2026-01-01 (decision 1004).
    assert _years(entries["trust_trajectories_tour"].figure) == (2020, 2026)
    assert "States in Mid" in " ".join(_texts(entries["alignment_tiny"].figure))


def test_every_shipped_experiment_but_the_cross_case_one_is_one_set() -> None:
    """The shipped sweeps of a case and its counterfactuals (children that ``extends:``
    their case) keep their single files, drawn as before; cross_case_values' ten
    scenarios are its five cases."""
    import yaml

    from sim.plots.gallery import scenario_sets
    from sim.scenario import load_scenario

    loaded: dict[Path, dict[str, Any]] = {}
    found = {}
    for file in sorted((ROOT / "experiments").glob("*.yaml")):
        given = yaml.safe_load(file.read_text(encoding="utf-8"))["scenarios"]
        trees = {}
        for name, path in given.items():
            where = (file.parent / path).resolve()
            if where not in loaded:
                loaded[where] = load_scenario(str(where)).model_dump(mode="json")
            trees[name] = loaded[where]
        found[file.stem] = [s.name for s in scenario_sets(trees)]
    assert found.pop("cross_case_values") == [
        "syria",
        "sino_soviet",
        "afghanistan_ussr",
        "vietnam_usa",
        "egypt_ussr",
    ]
    assert len(found) >= 20 and all(len(names) == 1 for names in found.values()), found


@pytest.mark.slow
def test_a_case_and_its_child_counterfactual_still_write_the_single_files(
    tmp_path: Path,
) -> None:
    child = tmp_path / "tour_quiet.yaml"
    child.write_text(
        f"extends: {TOUR}\nname: tour_quiet\nremove_events: [withdrawal]\n", encoding="utf-8"
    )
    out = _sweep(tmp_path, {"tour": TOUR, "tour_quiet": child})
    names = sorted(p.name for p in (out / "plots").iterdir())
    assert names == ["alignment.png", "captions.md", "trust_trajectories.png"]


def test_the_figure_across_a_parameter_is_drawn_per_set_too(tmp_path: Path) -> None:
    entries = _entries(_cases(tmp_path), across=NB)
    across = [s for s in entries if s.startswith("trajectories_across")]
    assert across == [
        "trajectories_across_trust-negativity_bias_early",
        "trajectories_across_trust-negativity_bias_late",
    ]
    late = entries["trajectories_across_trust-negativity_bias_late"]
    assert "labelled in the trust trajectories figure (trust_trajectories_late)" in late.caption
    assert _years(late.figure) == (1960, 1961)
    assert _heading(late.figure) == "Scenario late, 1960-01 to 1961-06"


def test_a_group_only_some_cases_have_says_which_sets_it_leaves_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plot --groups east``: only the late case has east, so the early set gets no
    trajectories or alignment figure; the terminal and the page's "Not drawn" say so,
    naming the early set's scenarios and dates (it was skipped without a word, a leftover
    of decision 967). ``--groups all east``: the early set is drawn with all and the note
    says east is left out of it. The late set is named in neither."""
    folder = _cases(tmp_path)
    assert main(["plot", str(folder), "--groups", "east"]) == 0
    said = " ".join(capsys.readouterr().err.split())
    stems = sorted(p.stem for p in (folder / "plots").glob("*.png"))
    assert not [s for s in stems if s.endswith(("_early", "_early_1"))], stems
    assert "alignment_late" in stems and "trust_trajectories_late" in stems
    expected = (
        "no trajectories or alignment figure of scenarios early and early_cf (2014-01 to "
        "2015-12), which have none of the chosen groups ('east')"
    )
    assert f"credsim: note: {expected}" in said
    page = " ".join((folder / "report.html").read_text().split())
    assert f"<strong>Not drawn:</strong> {expected}." in page.replace("&#x27;", "'")
    assert "scenario late" not in said

    assert main(["plot", str(folder), "--groups", "all", "east"]) == 0
    said = " ".join(capsys.readouterr().err.split())
    assert (
        "credsim: note: group 'east' left out of the trajectories and alignment figures of "
        "scenarios early and early_cf (2014-01 to 2015-12), which have no such group; they "
        "draw 'all'"
    ) in said
    stems = sorted(p.stem for p in (folder / "plots").glob("*.png"))
    assert "trust_trajectories_early" in stems and "alignment_early" in stems
    assert "scenario late" not in said


def test_groups_every_set_has_say_nothing_of_sets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--groups all``: every set has it, and no note names a set."""
    folder = _cases(tmp_path)
    assert main(["plot", str(folder), "--groups", "all"]) == 0
    assert "trajectories and alignment" not in capsys.readouterr().err


def test_a_power_has_one_colour_in_every_figure_of_a_sweep_over_cases(
    tmp_path: Path,
) -> None:
    """A sweep over Angola and Suez drew Cuba black in its sweep figures (coloured among
    every power of the folder) and pink in Angola's trajectories, coloured among Angola's
    powers only, where France, Suez's, did not take pink first (an outside check of new
    cases; decision 996). Here Freedonia (early) and Zubrowka (late) start at the same
    place in the palette: among the folder's powers Freedonia, first in name order, keeps
    it, and Zubrowka takes its next colour in the late set's figures too."""
    import matplotlib.colors as mcolors

    from sim.plots.palette import power_palette

    early, late = factory.scenario_tree("early"), _late_tree()
    for tree, name in ((early, "Freedonia"), (late, "Zubrowka")):
        tree["powers"][name] = tree["powers"].pop("Russia")
        tree["events"] = [e for e in tree["events"] if e.get("actor") != "Russia"]
    folder = factory.write_sweep(
        tmp_path / "cases",
        scenarios={"early": 0.0, "late": 0.05},
        grid={NB: [1.0, 2.0]},
        replicates=2,
        trees={"early": early, "late": late},
    )
    for part in sorted((folder / "series").glob("*.parquet")):
        frame = pd.read_parquet(part)
        is_late = frame["run_id"].str.startswith("late-")
        frame.loc[is_late & (frame["group"] == "levant"), "group"] = "east"
        for mine, name in ((~is_late, "Freedonia"), (is_late, "Zubrowka")):
            frame.loc[mine & (frame["power"] == "Russia"), "power"] = name
        frame.to_parquet(part, index=False)
    results = open_results(folder)
    folder_colours = power_palette(results.powers)
    alone = power_palette(["USA", "Zubrowka"])
    assert folder_colours["Zubrowka"] != alone["Zubrowka"]  # the case this test is about
    entries = _entries(folder)
    for stem, names in (("early", {"USA", "Freedonia"}), ("late", {"USA", "Zubrowka"})):
        legend = entries[f"trust_trajectories_{stem}"].figure.axes[1].get_legend()
        drawn = {
            t.get_text(): mcolors.to_hex(h.get_color())
            for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
            if t.get_text() in names
        }
        assert drawn == {name: folder_colours[name].lower() for name in names}
