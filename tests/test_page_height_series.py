"""A page-width trajectories or alignment figure whose rows of groups pass a page's height is
split into files (``trust_trajectories_1``, ``_2`` ...; with sets of scenarios
``trust_trajectories_<set>_1``) of whole groups, each within PAGE_HEIGHT_IN, each with the
strip of events (the same labels) and the legend, as decision 966 split the heatmaps. A run
of the Syria case at ``--width 6.5`` drew one trajectories figure 18.46 in tall and one
alignment figure 19.59 in tall, both only named on stderr. Without ``--width`` and where
the groups fit, each figure is one file as before. Fails on the code before.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from sim.cli import main
from sim.plots.figure import PAGE_HEIGHT_IN, at_page_width, render, saved_size_in
from sim.plots.gallery import Entry, figures_for, selection_of
from sim.results import open_results
from tests import results_factory as factory
from tests.test_page_height import PIXEL_IN, _png_heights

# Eight groups besides "all": nine rows, as the Syria case has.
MANY = [f"region_{k}" for k in range(8)]


def _tree(name: str = "toy", groups: list[str] = MANY) -> dict[str, Any]:
    tree = factory.scenario_tree(name)
    tree["outputs"] = {"groups": {g: {"region": "levant"} for g in groups}}
    return tree


@pytest.fixture
def many_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """The factory's runs with nine groups (``all`` and eight regions)."""
    monkeypatch.setattr(factory, "GROUPS", ["all", *MANY])


def _entries(folder: Path) -> dict[str, Entry]:
    results = open_results(folder)
    return {e.stem: e for e in figures_for(results, selection_of(results))}


def _series_files(folder: Path) -> dict[str, float]:
    """The trajectories' and alignment figures' files in ``folder``, each its height."""
    return {
        name: high
        for name, high in _png_heights(folder).items()
        if name.startswith(("trust_trajectories", "alignment"))
    }


def _embedded(report: Path) -> list[str]:
    return re.findall(r'<figure id="([^"]*)"><img src="data:image/png', report.read_text())


def _listed(plots: Path) -> list[str]:
    return re.findall(r"^- `([^`]+)`:", (plots / "captions.md").read_text(), flags=re.MULTILINE)


def _panel_titles(fig: Figure) -> list[str]:
    """The trajectories panels' titles, row by row (the strip, axes 0, has none)."""
    return [" ".join(ax.get_title(loc="left").split()) for ax in fig.axes[1:]]


def _strip_labels(fig: Figure) -> list[str]:
    return sorted(t.get_text() for t in fig.axes[0].texts if t.get_gid() == "event-label")


def _row_labels(fig: Figure) -> list[str]:
    """The alignment figure's groups, row by row (each row's first panel's label)."""
    labels = [ax.get_ylabel() for ax in fig.axes if ax.axison and ax.get_ylabel()]
    return [" ".join(label.split("\n")[:-1]) for label in labels]


def test_a_run_s_series_figures_at_a_page_width_are_parts_within_a_page(
    tmp_path: Path, many_groups: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """``plot --width 6.5`` of a run of nine groups: the trajectories and the alignment
    figure in parts, each at most a page tall and the page wide, none named on stderr;
    the report embeds exactly the files on disk, in order, and captions.md lists them,
    each caption saying "Part k of n"."""
    folder = factory.write_run(tmp_path / "run", _tree())
    plots = folder / "plots"
    assert main(["plot", str(folder), "--width", "6.5"]) == 0
    said = capsys.readouterr().err
    files = _series_files(plots)
    trajectories = [n for n in files if n.startswith("trust_trajectories")]
    alignment = [n for n in files if n.startswith("alignment")]
    assert len(trajectories) >= 2 and len(alignment) >= 2, files
    assert trajectories == [f"trust_trajectories_{k}.png" for k in range(1, len(trajectories) + 1)]
    assert alignment == [f"alignment_{k}.png" for k in range(1, len(alignment) + 1)]
    assert max(files.values()) <= PAGE_HEIGHT_IN + PIXEL_IN, files
    assert "taller than a page" not in said
    for name in files:
        with open(plots / name, "rb") as handle:
            assert saved_size_in(handle.read(), "png")[0] <= 6.5 + PIXEL_IN, name
    on_disk = sorted(p.name for p in plots.glob("*.png"))
    assert sorted(_listed(plots)) == on_disk
    assert sorted(f"{stem}.png" for stem in _embedded(folder / "report.html")) == on_disk
    assert [f"{s}.png" for s in _embedded(folder / "report.html")] == _listed(plots)
    captions = (plots / "captions.md").read_text().splitlines()
    for names in (trajectories, alignment):
        for k, name in enumerate(names, start=1):
            (line,) = [ln for ln in captions if ln.startswith(f"- `{name}`")]
            assert f"Part {k} of {len(names)}" in line, line


# At 3.5 in each group is a part of its own: ten figures, some 20 s.
@pytest.mark.parametrize("width", [6.5, pytest.param(3.5, marks=pytest.mark.slow)])
def test_every_group_is_in_one_part_in_order_under_the_same_strip(
    tmp_path: Path, many_groups: None, width: float
) -> None:
    """The parts' panels are the whole figure's, each group once and in its order, each
    part under the same labelled events and with the whole legend."""
    folder = factory.write_run(tmp_path / "run", _tree())
    with at_page_width(width):
        entries = _entries(folder)
        whole = entries["trust_trajectories_1"].draw.func(
            *entries["trust_trajectories_1"].draw.args,
            **{**entries["trust_trajectories_1"].draw.keywords, "part": None},
        )
        assert saved_size_in(render(whole), "png")[1] > PAGE_HEIGHT_IN  # the case mended
        parts = [e.figure for stem, e in entries.items() if stem.startswith("trust_traj")]
        assert len(parts) >= 2
        assert [t for fig in parts for t in _panel_titles(fig)] == _panel_titles(whole)
        assert {tuple(_strip_labels(fig)) for fig in parts} == {tuple(_strip_labels(whole))}
        assert _strip_labels(whole)  # the strip labels its events
        legends = {tuple(t.get_text() for t in fig.legends[0].get_texts()) for fig in parts}
        assert len(legends) == 1

        shares = [e for stem, e in entries.items() if stem.startswith("alignment")]
        assert len(shares) >= 2
        one = shares[0].draw
        whole_shares = one.func(*one.args, **{**one.keywords, "part": None})
        assert [g for e in shares for g in _row_labels(e.figure)] == _row_labels(whole_shares)
        assert len(_row_labels(whole_shares)) == 1 + len(MANY)
        for entry in [*entries.values()]:
            if entry.stem.startswith(("trust_traj", "alignment")):
                assert saved_size_in(render(entry.figure), "png")[1] <= PAGE_HEIGHT_IN + PIXEL_IN
    plt.close("all")


def test_a_redraw_at_another_width_leaves_exactly_its_own_files(
    tmp_path: Path, many_groups: None
) -> None:
    """Parts at 6.5 in, then the default width's single files, then parts again: each
    drawing leaves its own files only, and its report and captions.md name them."""
    folder = factory.write_run(tmp_path / "run", _tree())
    plots = folder / "plots"
    drawn = []
    for width in ("6.5", None, "6.5"):
        assert main(["plot", str(folder), *(["--width", width] if width else [])]) == 0
        on_disk = sorted(p.name for p in plots.glob("*.png"))
        assert sorted(_listed(plots)) == on_disk
        assert sorted(f"{s}.png" for s in _embedded(folder / "report.html")) == on_disk
        drawn.append(on_disk)
    assert len(drawn[0]) > 2 and all(re.search(r"_\d\.png$", name) for name in drawn[0])
    assert drawn[1] == ["alignment.png", "trust_trajectories.png"]
    assert drawn[2] == drawn[0]


def test_figures_that_fit_stay_one_file_byte_for_byte(tmp_path: Path) -> None:
    """The factory's two groups fit a page at 6.5 in: one file each, and ``part=1`` of a
    figure in one part is the figure of all its groups (so the files are as before)."""
    from sim.plots.alignment import alignment_parts
    from sim.plots.trajectories import trajectory_parts

    folder = factory.write_run(tmp_path / "run", factory.scenario_tree())
    with at_page_width(6.5):
        entries = _entries(folder)
        assert {"trust_trajectories", "alignment"} <= set(entries)
        assert not any(re.search(r"_\d$", stem) for stem in entries)
        trajectories = entries["trust_trajectories"].draw
        args, keywords = trajectories.args, trajectories.keywords
        assert trajectory_parts(args[0], args[1], metrics=keywords["metrics"]) == [
            ["all", "levant"]
        ]
        assert render(trajectories()) == render(trajectories.func(*args, **{**keywords, "part": 1}))
        shares = entries["alignment"].draw
        assert alignment_parts(shares.args[0]) == [["all", "levant"]]
        assert render(shares()) == render(
            shares.func(*shares.args, **{**shares.keywords, "part": 1})
        )
    plt.close("all")


def test_a_set_s_parts_are_named_by_the_set(tmp_path: Path, many_groups: None) -> None:
    """A sweep over two cases of different calendars draws each set's figures; at 6.5 in
    each set's nine groups are in parts ``trust_trajectories_<set>_1`` ...."""
    late = factory.scenario_tree("late", start="1960-01", end="1961-06")
    late["events"][0]["date"] = "1960-09"
    late["outputs"] = {"groups": {g: {"region": "levant"} for g in MANY}}
    trees = {"early": _tree("early"), "late": late}
    folder = factory.write_sweep(
        tmp_path / "cases",
        scenarios={"early": 0.0, "late": 0.05},
        grid={"parameters.trust.negativity_bias": [1.0, 2.0]},
        replicates=1,
        trees=trees,
    )
    with at_page_width(6.5):
        stems = [s for s in _entries(folder) if s.startswith(("trust_traj", "alignment"))]
    for name in ("early", "late"):
        for kind in ("trust_trajectories", "alignment"):
            mine = [s for s in stems if s.startswith(f"{kind}_{name}")]
            assert len(mine) >= 2 and mine == [
                f"{kind}_{name}_{k}" for k in range(1, len(mine) + 1)
            ], stems


def test_the_gallery_plans_a_figure_s_parts_once(
    tmp_path: Path, many_groups: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each part's figure is handed the gallery's plan: drawing the trajectories' and the
    alignment figure's parts plans each once, not once more per part (decision 971's
    review: a run of nine groups at 6.5 in planned each four times for three parts)."""
    import sim.plots.alignment as alignment
    import sim.plots.gallery as gallery
    import sim.plots.trajectories as trajectories

    calls = {"trajectory_parts": 0, "alignment_parts": 0}

    def counted(name: str, planner: Any) -> Any:
        def plan(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return planner(*args, **kwargs)

        return plan

    for module in (gallery, trajectories):
        monkeypatch.setattr(
            module, "trajectory_parts", counted("trajectory_parts", trajectories.trajectory_parts)
        )
    for module in (gallery, alignment):
        monkeypatch.setattr(
            module, "alignment_parts", counted("alignment_parts", alignment.alignment_parts)
        )
    folder = factory.write_run(tmp_path / "run", _tree())
    with at_page_width(6.5):
        entries = _entries(folder)
        drawn = [e.figure for stem, e in entries.items() if stem.startswith(("trust", "align"))]
    assert len(drawn) >= 4  # parts of both figures
    assert calls == {"trajectory_parts": 1, "alignment_parts": 1}
    plt.close("all")
