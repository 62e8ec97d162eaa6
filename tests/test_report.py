"""``credsim plot`` and the report page, end to end on small folders and real runs.

Checks that every figure file is written and decodes at the size its figure
has, that the page embeds exactly those figures (the embedded bytes are the
files' bytes), refers to nothing outside itself (links within the page
only), opens with its contents and headline, gives each caption once and
keeps its tables collapsed after the figures.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
import results_factory as factory

from sim.cli import main
from sim.plots import write_report
from sim.plots.figure import DPI, parameter_label
from sim.plots.gallery import figures_for, selection_of
from sim.plots.headline import headline_of
from sim.results import Results, open_results

ROOT = Path(__file__).resolve().parents[1]
_IMG = re.compile(r'<img src="data:(?P<mime>[^;]+);base64,(?P<data>[^"]+)"')


def _embedded(report: Path) -> list[tuple[str, bytes]]:
    page = report.read_text()
    return [(m["mime"], base64.b64decode(m["data"])) for m in _IMG.finditer(page)]


def _assert_self_contained(report: Path) -> None:
    page = report.read_text()
    for ref in re.findall(r'(?:src|href)="([^"]*)"', page):
        assert ref.startswith(("data:", "#")), f"external reference {ref!r}"
        if ref.startswith("#"):
            assert f'id="{ref[1:]}"' in page, f"link {ref!r} to nothing"
    assert page.count("<figure") == page.count("<figcaption>") == len(_embedded(report))
    # Each caption once: in its figcaption and nowhere else on the page.
    for caption in re.findall(r"<figcaption>(.*?)</figcaption>", page):
        assert page.count(caption) == 1


def _assert_report_matches_files(folder: Path, fmt: str = "png") -> list[Path]:
    report = folder / "report.html"
    _assert_self_contained(report)
    files = sorted((folder / "plots").glob(f"*.{fmt}"))
    assert files
    page = report.read_text()
    embedded = [data for _, data in _embedded(report)]
    for path in files:
        assert f'id="{path.stem}"' in page
        if fmt == "png":
            assert path.read_bytes() in embedded
    assert len(embedded) == len(files)
    return files


def test_run_report_has_every_figure_at_its_size(tmp_path):
    folder = factory.write_run(tmp_path / "run")
    report = write_report(folder)
    assert report == folder / "report.html"
    files = _assert_report_matches_files(folder)
    assert [f.stem for f in files] == ["alignment", "trust_trajectories"]
    expected = {}
    for entry in figures_for(open_results(folder)):
        entry.figure.set_dpi(DPI)
        box = entry.figure.get_tightbbox(entry.figure.canvas.get_renderer())
        # savefig pads the tight box by 0.1 inch on every side.
        expected[entry.stem] = (round((box.height + 0.2) * DPI), round((box.width + 0.2) * DPI))
    for path in files:
        height, width, _ = mpimg.imread(path).shape
        assert abs(height - expected[path.stem][0]) <= 2
        assert abs(width - expected[path.stem][1]) <= 2
        assert width >= 1000
    page = report.read_text()
    assert "Scenario: toy. Results:" in page
    assert "final_trust.USA.all" in page and "Final trust in USA among all states" in page
    # A run's table holds values, not means with percentiles: nothing to say of its cells.
    assert "each cell" not in page


def test_sweep_report_has_sweep_heatmap_and_sensitivity_figures(tmp_path):
    grid = {"parameters.trust.negativity_bias": [1.0, 2.0], "parameters.trust.memory": [0.9, 1.0]}
    folder = factory.write_sweep(tmp_path / "sweep", grid=grid, replicates=2)
    # Two metric families keep the figure count (and the test) small.
    runs = pd.read_parquet(folder / "runs.parquet")
    keep = [c for c in runs if not c.startswith(("min_", "mean_", "sd_", "final_share"))]
    runs[keep].to_parquet(folder / "runs.parquet")
    (folder / "analysis").mkdir()
    pd.DataFrame({
        "metric": ["final_trust.USA.all"] * 2, "parameter": list(grid),
        "S1": [0.9, -0.01], "S1_conf": [0.05, 0.01], "ST": [0.95, 0.02], "ST_conf": [0.05, 0.01],
    }).to_parquet(folder / "analysis" / "sensitivity_sobol.parquet")  # fmt: skip
    write_report(folder)
    captions = (folder / "plots" / "captions.md").read_text()
    assert (
        "1 estimate fell outside [0, 1] (sampling error: too few samples) and is drawn at "
        "the bound, marked x."
    ) in captions
    stems = {f.stem for f in _assert_report_matches_files(folder)}
    assert {
        "trust_trajectories",
        "alignment",
        "sensitivity_sobol",
        "heatmap_trust-negativity_bias_trust-memory",
        "sweep_trust-memory_final_trust",
        "sweep_trust-negativity_bias_final_trust",
    } <= stems
    assert not any(s.startswith("sweep_trust-memory_min_trust") for s in stems)  # fmt: skip
    page = (folder / "report.html").read_text()
    # Summary columns per scenario at the design point shown: 2 replicates each.
    assert "base (n=2)" in page and "counter (n=2)" in page


def test_report_opens_with_the_answer_and_keeps_tables_last_and_collapsed(tmp_path):
    grid = {"parameters.trust.negativity_bias": [1.0, 2.0, 3.0]}
    question = {
        "text": "Is base above counter?",
        "difference": ["base", "counter"],
        "metric": "final_trust.USA.all",
    }
    folder = factory.write_sweep(tmp_path / "sweep", grid=grid, question=question)
    write_report(folder)
    _assert_report_matches_files(folder)
    page = (folder / "report.html").read_text()
    order = [
        page.index("<h2>Contents</h2>"),
        page.index('<section id="answer">'),
        page.index("Is base above counter?"),
        page.index('<figure id="headline">'),
        page.index('<section id="figures">'),
        page.index('<figure id="trust_trajectories">'),
        page.index('<section id="tables">'),
    ]
    assert order == sorted(order)
    # base - counter is the factory's offset difference, 0.1, with zero spread.
    assert "base minus counter" in page and ": +0.100 [95% t interval +0.100 to +0.100]" in page
    tables = page[page.index('<section id="tables">') :]
    assert tables.count("<table>") == tables.count("<details>") == 2
    # The summary's cells read "0.0663 [0.0622, 0.0712]": the page says what the brackets
    # are (only a docstring did: an outside check).
    assert "; each cell: mean of the runs [2.5th, 97.5th percentile]</summary>" in tables
    assert "<table>" not in page[: page.index('<section id="tables">')]
    # A few MB at most: this small sweep's page stays well under one.
    assert (folder / "report.html").stat().st_size < 1_000_000


def test_a_question_keeps_the_heatmaps_split_by_scenario(tmp_path):
    """experiments.md: a metric against two varied parameters as a heatmap, split by
    scenario; the headline (the difference's map) does not replace them."""
    grid = {
        "parameters.trust.negativity_bias": [1.0, 2.0, 3.0],
        "parameters.trust.memory": [0.9, 0.95],
    }
    question = {
        "text": "Is base above counter?",
        "difference": ["base", "counter"],
        "metric": "final_trust.USA.all",
    }
    folder = factory.write_sweep(tmp_path / "sweep", grid=grid, question=question)
    entries = {e.stem: e for e in figures_for(open_results(folder))}
    assert "headline" in entries
    heat = entries["heatmap_trust-negativity_bias_trust-memory"].figure
    titles = [ax.get_title(loc="left") for ax in heat.axes if ax.get_title(loc="left")]
    # A row per scenario, a column per power's final trust among all states.
    assert sorted(t.split("(")[-1] for t in titles) == ["base)"] * 2 + ["counter)"] * 2


def test_a_heatmap_left_short_of_powers_draws_the_first_and_names_the_others(tmp_path, monkeypatch):
    """The heatmaps draw at most MAX_HEATMAPS powers: the first in the scenarios' order
    (not the alphabet's, which cut the USA from the flagship's five), and the caption
    names the powers left out."""
    import sim.plots.gallery

    monkeypatch.setattr(sim.plots.gallery, "MAX_HEATMAPS", 1)
    grid = {
        "parameters.trust.negativity_bias": [1.0, 2.0, 3.0],
        "parameters.trust.memory": [0.9, 0.95],
    }
    folder = factory.write_sweep(tmp_path / "sweep", grid=grid)
    assert open_results(folder).powers == ["USA", "Russia"]
    entries = {e.stem: e for e in figures_for(open_results(folder))}
    heat = entries["heatmap_trust-negativity_bias_trust-memory"]
    titles = [ax.get_title(loc="left") for ax in heat.figure.axes if ax.get_title(loc="left")]
    assert titles and all("in USA" in t for t in titles)
    assert "Powers not drawn (at most 1 a figure): Russia; credsim plot --powers" in heat.caption


def test_the_heatmaps_follow_the_metrics_and_groups_chosen(tmp_path):
    """--metrics and --groups chose the line figures only; the heatmaps stayed final
    trust among all states (decision 483). Chosen, they are a figure per family and
    group; the default figure keeps its name."""
    from sim.plots.gallery import Selection

    grid = {
        "parameters.trust.negativity_bias": [1.0, 2.0, 3.0],
        "parameters.trust.memory": [0.9, 0.95],
    }
    results = open_results(factory.write_sweep(tmp_path / "sweep", grid=grid))
    stem = "heatmap_trust-negativity_bias_trust-memory"
    chosen = Selection(families=("min_trust", "final_trust"), groups=("levant",))
    entries = {e.stem: e for e in figures_for(results, chosen)}
    heatmaps = sorted(s for s in entries if s.startswith("heatmap_"))
    assert heatmaps == [f"{stem}_final_trust_levant", f"{stem}_min_trust_levant"]
    heat = entries[f"{stem}_min_trust_levant"]
    assert heat.caption.startswith("Mean lowest trust ")
    titles = [ax.get_title(loc="left") for ax in heat.figure.axes if ax.get_title(loc="left")]
    assert titles and all(t.startswith("Lowest trust in ") for t in titles)
    default = {e.stem for e in figures_for(results)}
    assert [s for s in default if s.startswith("heatmap_")] == [stem]


def test_a_windowed_family_gets_a_heatmap_per_window(tmp_path):
    """--metrics trust_change drew both windows' metrics in one figure, four to a figure
    counting metrics: its caption named Turkey both as left out (flat in one window)
    and as not drawn (decision 492)."""
    from sim.plots.gallery import Selection

    grid = {
        "parameters.trust.negativity_bias": [1.0, 2.0, 3.0],
        "parameters.trust.memory": [0.9, 0.95],
    }
    results = open_results(factory.write_sweep(tmp_path / "sweep", grid=grid))
    windows = sorted({m.split(".")[1] for m in results.metrics if m.startswith("trust_change.")})
    assert len(windows) >= 1
    chosen = Selection(families=("trust_change",), groups=("all",))
    entries = {e.stem: e for e in figures_for(results, chosen)}
    stem = "heatmap_trust-negativity_bias_trust-memory_trust_change"
    assert sorted(s for s in entries if s.startswith("heatmap_")) == [
        f"{stem}-{w}_all" for w in windows
    ]
    for window in windows:
        heat = entries[f"{stem}-{window}_all"]
        assert f"over '{window}'" in heat.caption
        assert "red above 0, blue below, white at 0" in heat.caption
        titles = [ax.get_title(loc="left") for ax in heat.figure.axes if ax.get_title(loc="left")]
        assert titles and all(f"'{window}'" in t for t in titles)


def test_an_incomplete_sweep_says_so_and_answers_only_with_pairs(tmp_path):
    """A sweep killed before any run of ``counter`` finished: the page warns that it
    shows 12 of 24 runs, keeps the question, and says there is no answer yet instead
    of a NaN difference over an empty map; the events of the scenario not yet run are
    not marked ("(not )" was drawn for them)."""
    import json

    question = {"text": "Is base above counter?", "difference": ["base", "counter"],
                "metric": "final_trust.USA.all"}  # fmt: skip
    trees = {name: factory.scenario_tree(name) for name in ("base", "counter")}
    trees["counter"]["events"][0]["label"] = "Counter only"
    folder = factory.write_sweep(tmp_path / "sweep", question=question, replicates=4,
                                 trees=trees)  # fmt: skip
    runs = pd.read_parquet(folder / "runs.parquet")
    runs[runs["scenario"] == "base"].to_parquet(folder / "runs.parquet")
    for part in (folder / "runs").glob("*.parquet"):
        part.unlink()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["status"] = "incomplete"
    manifest["counts"] = {"planned": 24, "done": 12, "failed": 0}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    assert headline_of(open_results(folder)) is None
    write_report(folder)
    page = (folder / "report.html").read_text()
    assert "<strong>Incomplete:</strong> 12 of 24 runs finished" in page
    # The list of captions says so too (it named counter's line among the figures' without
    # a word of it: an outside check, decision 828).
    captions = (folder / "plots" / "captions.md").read_text()
    assert captions.startswith(
        "**Incomplete:** 12 of 24 runs finished; the figures and tables show only those. No "
        "runs yet of counter."
    )
    assert "Is base above counter?" in page
    assert "No answer yet: no finished run of base has its pair in counter" in page
    assert "nan" not in re.sub(r"data:[^\"']+", "", page).lower()  # the words, not the images
    assert not (folder / "plots" / "headline.png").exists()
    entries = figures_for(open_results(folder))
    fig = next(e.figure for e in entries if e.stem == "trust_trajectories")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels and not any("Counter only" in t or "(not )" in t for t in labels)


def test_svg_format_is_embedded_as_svg(tmp_path):
    folder = factory.write_run(tmp_path / "run")
    assert main(["plot", str(folder), "--format", "svg", "--out", str(tmp_path / "figs")]) == 0
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == [
        "alignment.svg", "captions.md", "report.html", "trust_trajectories.svg",
    ]  # fmt: skip
    mimes = {mime for mime, _ in _embedded(tmp_path / "figs" / "report.html")}
    assert mimes == {"image/svg+xml"}
    _assert_self_contained(tmp_path / "figs" / "report.html")


def test_plot_on_a_folder_without_manifest_exits_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("a user's file")  # an empty one is said so apart
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no manifest.json" in err[0]


@pytest.mark.slow
def test_real_run_writes_its_report_and_plot_redraws_as_pdf(tmp_path):
    out = tmp_path / "tour"
    assert main(["run", str(ROOT / "scenarios" / "tour.yaml"), "--out", str(out)]) == 0
    files = _assert_report_matches_files(out)
    assert {f.stem for f in files} == {"trust_trajectories", "alignment"}
    page = (out / "report.html").read_text()
    assert "Patron withdraws" not in page  # labels live in the figures, not the page
    assert "Scenario: tour." in page
    assert main(["plot", str(out), "--format", "pdf"]) == 0
    pdfs = sorted((out / "plots").glob("*.pdf"))
    assert len(pdfs) == 2 and all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    assert {mime for mime, _ in _embedded(out / "report.html")} == {"image/png"}


@pytest.mark.slow
def test_real_sweep_plot_end_to_end(tmp_path):
    out = tmp_path / "sweep"
    argv = ["sweep", str(ROOT / "scenarios" / "tour.yaml"), "--vary",
            "parameters.trust.negativity_bias=1,3", "--reps", "2", "--record", "series",
            "--workers", "1", "--out", str(out), "--no-plots", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    assert main(["plot", str(out)]) == 0
    stems = {f.stem for f in _assert_report_matches_files(out)}
    assert "sweep_trust-negativity_bias_final_trust" in stems
    assert "trust_trajectories" in stems
    for path in (out / "plots").glob("*.png"):
        height, width, channels = mpimg.imread(path).shape
        assert height > 300 and width > 600 and channels == 4


def _tour_sweep(
    tmp_path: Path,
    method: str,
    samples: int,
    *,
    replicates: int,
    record: str,
    susceptibility: bool = False,
) -> Results:
    """The tour under a sampled design of bias and memory (and susceptibility), run."""
    extra = "    parameters.diffusion.susceptibility: {low: 0.0, high: 0.6}\n"
    design = tmp_path / f"{method}.yaml"
    design.write_text(
        f"name: tour_{method}\nscenarios: {{base: {ROOT / 'scenarios' / 'tour.yaml'}}}\n"
        f"design:\n  method: {method}\n  samples: {samples}\n  parameters:\n"
        "    parameters.trust.negativity_bias: {low: 1.0, high: 4.0}\n"
        "    parameters.trust.memory: {low: 0.9, high: 0.995}\n"
        + (extra if susceptibility else "")
        + f"replicates: {replicates}\nseed: 5\nrecord: {record}\n"
    )
    out = tmp_path / "out"
    argv = ["sweep", str(design), "--executor", "serial", "--out", str(out), "--no-plots",
            "--quiet"]  # fmt: skip
    assert main(argv) == 0
    return open_results(out)


def test_a_sampled_design_pools_over_the_parameters_it_cannot_hold(tmp_path):
    """A Sobol design draws every parameter anew at each point, so no two runs share a
    value of the other parameters: holding them (as for a grid) left a run or two per
    figure. Each figure against one parameter takes every run instead, the line being
    the mean of the runs in each of up to 10 equal-count bins of that parameter, and the
    caption says the others are pooled."""
    results = _tour_sweep(tmp_path, "sobol", 16, replicates=1, record="summary",
                          susceptibility=True)  # fmt: skip
    runs = results.ok_runs
    assert len(runs) == 16 * (3 + 2)  # Saltelli: N (D + 2)
    entries = {e.stem: e for e in figures_for(results)}
    for parameter in results.varied:
        stem = "sweep_" + parameter.removeprefix("parameters.").replace(".", "-")
        entry = entries[f"{stem}_final_trust"]
        assert "The other parameters are not held" in entry.caption
        # The Patron's line in the all-states panel: mean over every run in each bin, of
        # at least 5 values run a bin (decision 554): 32 values, 6 bins.
        assert runs[parameter].nunique() == 32
        bins = pd.qcut(runs[parameter], 6, labels=False)
        expected = runs.groupby(bins)["final_trust.Patron.all"].mean().to_numpy()
        panel = entry.figure.axes[0]
        lines = [ln.get_ydata() for ln in panel.get_lines() if len(ln.get_ydata()) == 6]
        assert any(np.allclose(y, expected) for y in lines)
    heatmaps = [e for stem, e in entries.items() if stem.startswith("heatmap_")]
    assert len(heatmaps) == 3
    assert all("each cell pools over them" in e.caption for e in heatmaps)
    # A binned axis is labelled with its bins' means, which the caption now says (only
    # the line figures' captions did: an outside check).
    assert all("its labels are the bins' mean values" in e.caption for e in heatmaps)
    first = heatmaps[0].figure.axes[0]
    x = first.get_xlabel()
    parameter = next(p for p in results.varied if parameter_label(p) == x)
    ticks = [float(t.get_text()) for t in first.get_xticklabels()]
    means = runs[parameter].groupby(pd.qcut(runs[parameter], 5, labels=False)).mean()
    assert np.allclose(ticks, means.to_numpy(), rtol=0.01)


def test_a_sampled_design_shows_trajectories_at_its_point_nearest_the_scenario(tmp_path):
    """No two points of an lhs design share a value, so the nearest value of each
    parameter on its own named a combination no point holds: no trajectories, and a
    crash reading the series of no run. The design point nearest the scenario's values
    (each parameter scaled by its range) is shown instead."""
    from sim.analysis.paired import reference_values, runs_at

    results = _tour_sweep(tmp_path, "lhs", 12, replicates=2, record="series")
    chosen = reference_values(results, "base")
    runs = results.ok_runs
    assert len(runs_at(runs, chosen)) == 2  # one design point, its two replicates
    # The nearest to the tour's own values (bias 2, memory 0.98), computed here directly.
    points = runs.drop_duplicates("point")
    bias, memory = "parameters.trust.negativity_bias", "parameters.trust.memory"
    distance = ((points[bias] - 2.0) / np.ptp(points[bias])) ** 2 + (
        (points[memory] - 0.98) / np.ptp(points[memory])
    ) ** 2
    nearest = points.loc[distance.idxmin()]
    assert chosen == {bias: nearest[bias], memory: nearest[memory]}
    entries = {e.stem: e for e in figures_for(results)}
    assert "the design point nearest the scenario's values" in entries["trust_trajectories"].caption
    # The strip's ticks are coloured by the acting power: the caption says so (an audit
    # found only "grey lines mark the scenario's events").
    assert "gives each event's acting power by its colour" in entries["trust_trajectories"].caption
    series = results.series(metrics=["trust_mean"], run_ids=[])
    assert series is not None and series.empty


def test_across_a_grid_parameter_draws_a_column_per_value(tmp_path, capsys):
    """`plot --across` holds the other parameter at the scenario's value and draws each
    value of this one in its column; each column's line is the mean of its runs."""
    grid = {
        "parameters.trust.negativity_bias": [1.0, 2.0, 3.0],
        "parameters.trust.memory": [0.9, 1.0],
    }
    folder = factory.write_sweep(tmp_path / "sweep", {"base": 0.0}, grid, replicates=2)
    assert main(["plot", str(folder), "--across", "parameters.trust.negativity_bias"]) == 0
    capsys.readouterr()
    entries = {e.stem: e for e in figures_for(
        open_results(folder), selection_of(open_results(folder),
                                           across="parameters.trust.negativity_bias"))}  # fmt: skip
    entry = entries["trajectories_across_trust-negativity_bias"]
    titles = [ax.get_title(loc="left") for ax in entry.figure.axes[:3]]
    assert titles == [f"trust: negativity bias = {v}" for v in (1, 2, 3)]
    assert "trust: memory" in entry.caption  # the other parameter, held
    # Each line is one value's 2 replicates, not the 6 runs of all three values.
    assert "mean of 2 replicates" in entry.caption, entry.caption
    assert (folder / "plots" / "trajectories_across_trust-negativity_bias.png").is_file()
    # The events: dotted lines darker than the grid (solid 0.82 ones looked like it), and
    # the caption says what they are.
    events = [ln for ln in entry.figure.axes[0].get_lines() if ln.get_gid() == "event"]
    assert events and all(ln.get_linestyle() == ":" for ln in events)
    assert "dotted grey lines mark the scenario's events" in entry.caption


def test_across_many_values_draws_at_most_six_columns_and_says_which(tmp_path):
    """12 values made a figure 36 inches wide (2.9 a column): six are drawn, spread from
    the lowest to the highest, and the caption names them."""
    from sim.plots.gallery import MAX_ACROSS

    values = [1.0 + 0.25 * i for i in range(12)]
    grid = {"parameters.trust.negativity_bias": values}
    folder = factory.write_sweep(tmp_path / "sweep", {"base": 0.0}, grid, replicates=1)
    results = open_results(folder)
    entries = {e.stem: e for e in figures_for(
        results, selection_of(results, across="parameters.trust.negativity_bias"))}  # fmt: skip
    entry = entries["trajectories_across_trust-negativity_bias"]
    titles = [t for ax in entry.figure.axes if (t := ax.get_title(loc="left"))]
    drawn = [1, 1.5, 2, 2.75, 3.25, 3.75]  # indices 0, 2 (2.2), 4 (4.4), 7 (6.6), 9 (8.8), 11
    assert MAX_ACROSS == 6
    assert titles == [f"trust: negativity bias = {v:g}" for v in drawn]
    assert entry.figure.get_size_inches()[0] <= 2.9 * 6 + 1.6
    assert "12 values were run; 6 are drawn, spread from the lowest to the highest: " in (
        entry.caption
    )


def test_an_empty_across_is_refused_not_ignored(tmp_path, capsys):
    """`plot --across ""` (an unset shell variable) drew the figures without it, as if
    --across were left out (an audit): it is refused, before anything is written."""
    folder = factory.write_sweep(tmp_path / "sweep", {"base": 0.0}, replicates=1)
    out = tmp_path / "p"
    code = main(["plot", str(folder), "--across", "", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith("credsim: error: --across is empty; give a varied parameter")
    assert not out.exists()


def _stamps(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Each file under ``folder`` with its inode and time (an atomic rewrite of the same
    bytes changes both) and its bytes; each folder too."""
    return {
        p.relative_to(folder).as_posix(): (
            p.stat().st_ino,
            p.stat().st_mtime_ns,
            p.read_bytes() if p.is_file() else b"",
        )
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("report.html", "the report page"),
        ("plots/captions.md", "the list of the figures'"),
        ("plots/trust_trajectories.png", "a figure"),
    ],
)
def test_a_folder_where_the_page_or_captions_go_is_refused_before_drawing(
    tmp_path, capsys, name, what
):
    """`mkdir D/report.html; credsim plot D` rewrote every figure and captions.md, then
    said "'D/.report.html.x1y2.tmp' is a folder" (an audit): it is refused first, naming
    the real path, and nothing in the folder changes. A folder at a figure's file the
    same: the figures before it were removed and drawn again, then "'D/plots/
    trust_trajectories.png' is a folder; a file was expected there"."""
    folder = factory.write_sweep(tmp_path / "sweep", {"base": 0.0}, replicates=1)
    assert main(["plot", str(folder)]) == 0
    capsys.readouterr()
    blocked = folder / name
    blocked.unlink()
    blocked.mkdir()
    before = _stamps(folder)
    code = main(["plot", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"credsim: error: '{blocked}' is a folder, where {what}")
    assert _stamps(folder) == before


def test_a_folder_at_an_earlier_figures_name_is_left_alone_and_said(tmp_path, capsys):
    """A narrower drawing removes the figures of the earlier one that it does not draw
    again. A folder at one of their names ended it in "is a folder; a file was expected
    there" after the figures listed before it were deleted and the plots folder half
    emptied (decision 690 left it). This drawing writes nothing there: the folder is
    left with what it holds, the drawing is whole, and a note says so."""
    folder = factory.write_sweep(tmp_path / "sweep", {"base": 0.0}, replicates=1)
    assert main(["plot", str(folder)]) == 0
    plots = folder / "plots"
    blocked = plots / "sweep_trust-negativity_bias_effective_poles.png"
    blocked.unlink()
    blocked.mkdir()
    (blocked / "mine.txt").write_text("a user's file")
    capsys.readouterr()
    assert main(["plot", str(folder), "--metrics", "final_trust"]) == 0
    err = capsys.readouterr().err
    assert (
        f"credsim: note: '{blocked}' is a folder where an earlier drawing wrote a figure; "
        "it is not one of this drawing's figures, so it was left as it is"
    ) in err
    assert (blocked / "mine.txt").read_text() == "a user's file"
    listed = re.findall(r"^- `([^`]+)`:", (plots / "captions.md").read_text(), re.MULTILINE)
    assert listed == [
        "trust_trajectories.png",
        "alignment.png",
        "sweep_trust-negativity_bias_final_trust.png",
    ]
    assert sorted(p.name for p in plots.iterdir()) == sorted([*listed, "captions.md", blocked.name])


def test_across_a_drawn_parameter_is_refused(tmp_path, capsys):
    """An lhs design holds no two points at the same values of the other parameters."""
    results = _tour_sweep(tmp_path, "lhs", 6, replicates=1, record="series")
    capsys.readouterr()
    code = main(["plot", str(results.path), "--across", "parameters.trust.memory"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--across 'parameters.trust.memory' needs a grid: the lhs design" in err
    assert not (results.path / "plots").exists()


@pytest.mark.parametrize(
    ("option", "name", "message"),
    [
        ("--powers", "Rusia", "--powers 'Rusia': not in this folder; it has USA, Russia"),
        ("--groups", "levnt", "--groups 'levnt': not in this folder; it has all, levant"),
        ("--metrics", "final_trst", "--metrics 'final_trst': not in this folder; it has"),
    ],
)
def test_plot_choices_the_folder_lacks_are_one_line(tmp_path, capsys, option, name, message):
    """A misspelt power crashed (a figure of no rows); a misspelt group or family drew
    nothing and said nothing."""
    folder = factory.write_sweep(tmp_path / "sweep", replicates=1)
    code = main(["plot", str(folder), option, name])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert message in err and "did you mean" in err
    assert not (folder / "plots").exists() and not (folder / "report.html").exists()


def test_a_plot_killed_while_writing_leaves_nothing_behind_once_redrawn(tmp_path):
    """A kill midway through writing a figure leaves its temporary file in plots/ (a
    fault-injection run caught one); the next drawing removes it, as a resumed sweep
    removes those of its tables."""
    folder = factory.write_sweep(tmp_path / "sweep", replicates=1)
    stray = folder / "plots" / ".alignment.png.x1y2z3.tmp"
    stray.parent.mkdir()
    stray.write_bytes(b"half a png")
    keep = folder / "plots" / "notes.txt"  # not ours: left alone
    keep.write_text("mine")
    write_report(folder)
    assert not stray.exists() and keep.read_text() == "mine"


def test_a_power_keeps_its_colour_in_a_figure_that_leaves_others_out(tmp_path):
    """An audit's Morris figures drew Turkey in China's green: the palette was built from
    the powers a figure draws, and without China the next free colour was green. Colours
    are assigned among every power of the folder's scenarios instead, so Turkey's line
    has the colour it has beside China (orange), in a figure of Turkey alone."""
    trees = {"base": factory.scenario_tree("base")}
    for name in ("China", "Turkey"):
        trees["base"]["powers"][name] = {"capability": 0.5, "region": "r"}
    folder = factory.write_sweep(tmp_path / "sweep", {"base": 0.0}, trees=trees)
    runs = pd.read_parquet(folder / "runs.parquet")
    bias = runs["parameters.trust.negativity_bias"]
    runs["final_trust.Turkey.all"] = 0.2 + 0.1 * bias
    runs.to_parquet(folder / "runs.parquet", index=False)
    results = open_results(folder)
    selection = selection_of(results, powers=["USA", "Turkey"])
    entries = {e.stem: e for e in figures_for(results, selection)}
    figure = entries["sweep_trust-negativity_bias_final_trust"].figure
    lines = [ln for ax in figure.axes for ln in ax.get_lines() if len(ln.get_xdata()) == 3]
    turkey = [ln for ln in lines if np.allclose(ln.get_ydata(), [0.3, 0.4, 0.5])]
    assert turkey
    # Okabe-Ito orange: Turkey's colour beside USA, Russia and China (green, #009E73).
    assert {ln.get_color() for ln in turkey} == {"#E69F00"}
    assert "#0072B2" in {ln.get_color() for ln in lines}  # USA, blue as everywhere
    assert results.powers == ["USA", "Russia", "China", "Turkey"]


def test_captions_name_the_grid_values_drawn_and_why(tmp_path):
    """The scenario sets the bias at 2 and memory at 0.98; the grid ran neither, so the
    trajectories are drawn at the nearest values run (2.5 and 0.99), which the caption
    called "the scenario's values unless --at says". It now names each value drawn and
    where it comes from; the drawn line is the runs' at 2.5 (offset 0.1 per unit)."""
    tree = factory.scenario_tree("base")
    tree["parameters"] = {"trust": {"negativity_bias": 2.0, "memory": 0.98}}
    grid = {
        "parameters.trust.negativity_bias": [1.0, 2.5, 4.0],
        "parameters.trust.memory": [0.95, 0.99],
    }
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0}, grid, replicates=2,
                                 trees={"base": tree})  # fmt: skip
    results = open_results(folder)
    entries = {e.stem: e for e in figures_for(results)}
    for stem in ("trust_trajectories", "alignment"):
        caption = entries[stem].caption
        assert "unless --at says" not in caption
        assert (
            "At trust: negativity bias 2.5 (the value run nearest the scenario's 2), "
            "trust: memory 0.99 (the value run nearest the scenario's 0.98)."
        ) in caption
    panel = entries["trust_trajectories"].figure.axes[1]  # all states, after the strip
    usa = [ln for ln in panel.get_lines() if ln.get_label().startswith("USA|")]
    offset = 0.1 * 2.5 + 0.01 * 0.99
    expected = np.mean([factory.trust_value(24, "USA", "all", r, offset) for r in (0, 1)])
    assert usa and usa[0].get_ydata()[-1] == pytest.approx(expected)
    at = selection_of(results, at=["parameters.trust.memory=0.95"])
    caption = next(e.caption for e in figures_for(results, at) if e.stem == "alignment")
    assert "trust: memory 0.95 (set with --at)" in caption


def test_plot_out_writes_the_report_beside_the_figures(tmp_path, capsys):
    """`plot --out DIR` put the figures in DIR but still wrote report.html into the
    results folder (which may be read-only, or another person's). Both go to DIR; the
    results folder is left as it was, and the command says where the page is."""
    folder = factory.write_run(tmp_path / "run")
    before = sorted(p.name for p in folder.iterdir())
    out = tmp_path / "figures"
    assert main(["plot", str(folder), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == before
    assert f"report {out / 'report.html'}" in printed
    page = out / "report.html"
    _assert_self_contained(page)
    files = sorted(out.glob("*.png"))
    assert [f.stem for f in files] == ["alignment", "trust_trajectories"]
    assert {f.read_bytes() for f in files} <= {data for _, data in _embedded(page)}


def test_powers_narrow_the_trajectories_but_the_alignment_keeps_every_power(tmp_path):
    """`plot --powers France` crashed on a real sweep: the alignment figure's effective
    poles were computed from France's share alone (1 / sum of squares of a zero share,
    an infinite axis limit). The shares and the poles need every power, so the
    alignment figure keeps them all and its caption says so; the trajectories obey."""
    folder = factory.write_sweep(tmp_path / "sweep", replicates=1)
    results = open_results(folder)
    powers = results.powers
    assert len(powers) >= 2
    kept = powers[-1]
    entries = {e.stem: e for e in figures_for(results, selection_of(results, powers=[kept]))}
    assert "alignment" in entries and "every power, whatever --powers says" in (
        entries["alignment"].caption
    )
    legend = [t.get_text() for lg in entries["alignment"].figure.legends for t in lg.get_texts()]
    legend += [t.get_text() for ax in entries["alignment"].figure.axes
               if ax.get_legend() for t in ax.get_legend().get_texts()]  # fmt: skip
    assert set(powers) <= set(legend), legend
    for ax in entries["trust_trajectories"].figure.axes:
        if ax.get_legend() is not None:
            shown = {t.get_text() for t in ax.get_legend().get_texts()}
            assert not (set(powers) - {kept}) & shown, shown


def test_no_caption_ends_a_sentence_twice(tmp_path):
    """The headline's caption ends with a full stop, to which the gallery added its own
    ("box: the scenario's own values.. Scenarios: ...")."""
    import matplotlib.pyplot as plt

    from sim.plots.gallery import _entry

    results = open_results(factory.write_sweep(tmp_path / "sweep", replicates=2))
    figure = plt.figure()
    try:
        for what in ("Boxes mark the scenario's own values.", "No full stop"):
            caption = _entry("x", figure, what, results, "").caption
            assert ".." not in caption and caption.startswith(what.rstrip(".") + ". ")
    finally:
        plt.close(figure)


def test_without_a_question_the_figures_show_the_groups_declared_first(tmp_path):
    """Syria's sensitivity bars showed Africa and the Africa partners (first in the
    alphabet) and not the Arab League (first in the scenario's outputs): without a
    question the default groups are `all` and the first ones the scenario declares."""
    from sim.plots.gallery import _default_groups

    tree = factory.scenario_tree("base")
    tree["outputs"] = {"groups": {name: {"region": "levant"} for name in ("zeta", "beta", "alpha")}}
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0}, trees={"base": tree})
    assert _default_groups(open_results(folder), None) == ["all", "zeta", "beta"]


def test_what_was_run_reads_as_words(tmp_path):
    """The report's first table printed the design as a Python dict
    ("{'parameters.trust.memory': [0.9, 1.0], ...}"); it reads as words now."""
    from sim.plots.report import run_facts

    grid = {"parameters.trust.negativity_bias": [1.0, 2.5], "parameters.trust.memory": [0.9, 1.0]}
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0}, grid)
    facts = dict(run_facts(open_results(folder).manifest))
    assert facts["varied parameters"] == "trust: negativity bias 1, 2.5; trust: memory 0.9, 1"


ALIGNED, WHEN = "states.Syria.aligned", "events.intervention.date"


def _text_sweep(tmp_path, scenarios=None, question=True):
    """A grid over a name and a date, listed out of order; the scenario has Syria aligned
    with Russia and the intervention in 2014-09 (between the dates run, nearer 2014-12)."""
    scenarios = scenarios or {"base": 0.0, "counter": -0.1}
    trees = {name: factory.scenario_tree(name) for name in scenarios}
    for tree in trees.values():
        tree["states"]["Syria"]["aligned"] = "Russia"
    grid = {ALIGNED: ["USA", "Russia", "none"], WHEN: ["2014-12", "2014-05"]}
    asked = {"difference": list(scenarios)[:2], "metric": "final_trust.USA.all"}
    folder = factory.write_sweep(tmp_path / "text", scenarios, grid, replicates=2, trees=trees,
                                 question=asked if question else None)  # fmt: skip
    return folder


def _ticks(ax, axis="x"):
    ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in ticks]


def test_a_sweep_over_text_values_draws_categorical_axes(tmp_path):
    """A grid over a name (an alignment) and a date crashed the report (a mean of the
    names, `ufunc 'divide'`) and `plot`. Text values get categorical axes, names sorted
    and dates in time order; the scenario's own name is looked at, and the date run
    nearest its 2014-09 (2014-12, three months off; 2014-05 is four)."""
    from sim.analysis.paired import reference_values
    from sim.plots.report import _summary
    from sim.plots.sweeps import heatmap_figure

    results = open_results(_text_sweep(tmp_path))
    assert reference_values(results, "base") == {ALIGNED: "Russia", WHEN: "2014-12"}
    table, where = _summary(results, selection_of(results))  # the report's table
    assert (
        len(table)
        and where == ", at states Syria: aligned Russia, events intervention: date 2014-12"
    )
    entries = {e.stem: e for e in figures_for(results)}
    ax = entries["headline"].figure.axes[0]
    assert _ticks(ax) == ["Russia", "USA", "none"]
    assert _ticks(ax, "y") == ["2014-05", "2014-12"]
    (box,) = [p for p in ax.patches if p.get_gid() == "reference"]
    assert box.get_xy() == (-0.5, 0.5)  # Russia (first column), 2014-12 (second row)
    where = (
        "states Syria: aligned Russia (the scenario's value), events intervention: date "
        "2014-12 (the value run nearest the scenario's 2014-09)"
    )
    assert f"box: the cell at {where}" in entries["headline"].caption
    assert f"at {where}: " in headline_of(results).sentence()
    line = entries["sweep_states-Syria-aligned_final_trust"].figure.axes[0]
    assert _ticks(line) == ["Russia", "USA", "none"]
    # USA's final trust at 2014-12 (the first date listed: offset 0): base's offset is 0.1
    # per place in the grid's list (USA 0, Russia 1, none 2), drawn at Russia, USA, none.
    base = [ln for ln in line.get_lines() if ln.get_label() == "base"]
    usa = [factory.trust_value(24, "USA", "all", 0, 0.1 * i) for i in (1, 0, 2)]
    usa = np.add(usa, 0.005)  # the mean of replicates 0 and 1
    assert base and base[0].get_ydata() == pytest.approx(usa)
    heat = heatmap_figure(results.ok_runs, ["final_trust.USA.all"], ALIGNED, WHEN).axes[0]
    assert (_ticks(heat), _ticks(heat, "y")) == (["Russia", "USA", "none"], ["2014-05", "2014-12"])
    at = selection_of(results, at=[f"{ALIGNED}=none", f"{WHEN}=2014-05"])
    caption = next(e.caption for e in figures_for(results, at) if e.stem == "alignment")
    assert "aligned none, events intervention: date 2014-05 (set with --at)" in caption
    matplotlib.pyplot.close("all")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plot_shows_figures_done_of_total_and_ends_with_its_time(tmp_path, capsys, monkeypatch):
    """`credsim plot` of a sweep drew for seconds with nothing on the terminal and ended
    without its elapsed time (experiments.md: progress with done/total and ETA on a
    terminal, and a one-line summary). On a terminal the figures done of all planned
    are shown and the line is cleared before the summary, which gives the figures,
    the time and the rate."""
    folder = factory.write_sweep(
        tmp_path / "s", {"base": 0.0}, grid={"parameters.trust.negativity_bias": [1.0, 2.0]}
    )
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["plot", str(folder)]) == 0
    drawn = len(list((folder / "plots").glob("*.png")))
    shown = terminal.getvalue()
    assert drawn > 2 and f"1/{drawn} figures" in shown and "figures/s, ETA" in shown, shown
    assert shown.endswith("\r\x1b[2K")  # cleared before the summary
    out = capsys.readouterr().out.strip()
    summary = rf"{drawn} figures in \d+s \([\d.]+ figures/s\); figures in \S+; report \S+"
    assert re.fullmatch(summary, out), out


def test_the_closing_line_says_one_figure_in_the_singular() -> None:
    """`plot --groups client` of the tour's sweep (a one-state group) drew one figure and
    said "1 figures in 0s" (the README audit, decision 756)."""
    from sim.plots.report import FigureProgress

    progress = FigureProgress(stream=io.StringIO(), live=False)
    progress.update(False)
    assert progress.closing("figures in D").startswith("1 figure in ")
    progress.update(False)
    assert progress.closing("figures in D").startswith("2 figures in ")


def test_a_grid_of_many_values_says_its_lines_are_binned(tmp_path):
    """A grid of 12 values is drawn in 10 equal-count bins (sweeps.levels), its markers at
    the bins' means; the caption said "mean of the replicates at each value run"."""
    grid = {"parameters.trust.negativity_bias": [1.0 + 0.25 * i for i in range(12)]}
    folder = factory.write_sweep(tmp_path / "sweep", grid=grid, replicates=1)
    write_report(folder)
    captions = (folder / "plots" / "captions.md").read_text()
    (line,) = [c for c in captions.splitlines() if "sweep_trust-negativity_bias_final_trust" in c]
    assert "each of up to 10 equal-count bins of the 12 values run" in line
    assert "at each value run" not in line


def test_a_sweep_figure_names_the_groups_it_leaves_out(tmp_path, capsys):
    """The tour's sweep drew all, east and south (the first three groups) and said nothing
    of `client`, the group the README compares next. The caption names what is left out
    and how to draw it; with --groups there is nothing to name."""
    out = tmp_path / "tour_bias"
    tour = str(ROOT / "scenarios" / "tour.yaml")
    bias = "parameters.trust.negativity_bias=1,3"
    assert main(["sweep", tour, "--vary", bias, "--reps", "2", "--out", str(out), "--quiet"]) == 0
    captions = (out / "plots" / "captions.md").read_text()
    (trust,) = [ln for ln in captions.splitlines() if "final_trust.png" in ln]
    assert "Groups drawn: all, east, south; not drawn: client (credsim plot --groups" in trust
    again = tmp_path / "client"
    assert main(["plot", str(out), "--groups", "client", "--out", str(again)]) == 0
    capsys.readouterr()
    (trust,) = [
        ln for ln in (again / "captions.md").read_text().splitlines() if "final_trust.png" in ln
    ]
    assert "not drawn" not in trust


def test_groups_chosen_are_drawn_in_the_order_typed(tmp_path):
    """`plot --groups client east` drew East's panels first, in the scenario's order of
    its groups (an outside check): the panels of the groups chosen now follow the order
    typed, in the figure against a parameter and in the trajectories; without --groups,
    the scenario's order (east, south, client) as before."""
    out = tmp_path / "tour_bias"
    tour = str(ROOT / "scenarios" / "tour.yaml")
    argv = ["--vary", "parameters.trust.negativity_bias=1,3", "--reps", "2", "--record", "series"]
    assert main(["sweep", tour, *argv, "--out", str(out), "--quiet", "--no-plots"]) == 0
    results = open_results(out)

    def titles(groups):
        entries = figures_for(results, selection_of(results, groups=groups))
        drawn = {}
        for entry in entries:
            if entry.stem in ("sweep_trust-negativity_bias_final_trust", "trust_trajectories"):
                drawn[entry.stem] = [
                    t
                    for ax in entry.figure.axes
                    if (t := ax.get_title(loc="left") or ax.get_title())
                ]
        return drawn

    chosen = titles(["client", "east"])
    for stem, found in chosen.items():
        where = [
            ("client" if "Client" in t else "east") for t in found if "Client" in t or "East" in t
        ]
        assert where[0] == "client" and "east" in where, (stem, found)
    assert len(chosen) == 2
    usual = titles(None)["sweep_trust-negativity_bias_final_trust"]
    assert usual == ["All states", "States in East", "States in South"]


def test_a_single_runs_alignment_caption_speaks_of_no_replicates(tmp_path):
    """A run folder's alignment caption said "stacked, mean of the replicates" beside
    "One run (no band)"; a sweep's still says it."""
    run = open_results(factory.write_run(tmp_path / "run"))
    (one,) = [e for e in figures_for(run, selection_of(run)) if e.stem == "alignment"]
    assert "(stacked;" in one.caption and "mean of the replicates" not in one.caption
    sweep = open_results(factory.write_sweep(tmp_path / "sweep"))
    (many,) = [e for e in figures_for(sweep, selection_of(sweep)) if e.stem == "alignment"]
    assert "(stacked, mean of the replicates;" in many.caption


def test_panels_follow_the_scenarios_order_of_their_groups(tmp_path, capsys):
    """The tour declares east, south, client; its run figures drew all, client, east,
    south (the alphabet's order), unlike the sweep's default groups and the explorer."""
    from sim.plots.figure import group_order

    assert group_order(["south", "all", "client", "east"]) == ["all", "client", "east", "south"]
    declared = ["all", "east", "south", "client"]
    assert group_order(["south", "all", "x", "client", "east"], declared) == [*declared, "x"]
    out = tmp_path / "tour"
    assert (
        main(["run", str(ROOT / "scenarios" / "tour.yaml"), "--out", str(out), "--no-plots"]) == 0
    )
    capsys.readouterr()
    results = open_results(out)
    entries = {e.stem: e for e in figures_for(results, selection_of(results))}
    trust = entries["trust_trajectories"].figure
    titles = [ax.get_title(loc="left") for ax in trust.axes]
    titles = [t for t in titles if t.startswith("Mean trust")]
    order = [next(g for g in ("east", "south", "client", "all") if g in t.lower()) for t in titles]
    assert order == ["all", "east", "south", "client"], titles
    alignment = entries["alignment"].figure
    rows = [ax.get_ylabel().lower() for ax in alignment.axes[::2] if ax.get_ylabel()]
    assert [next(g for g in ("east", "south", "client", "all") if g in r) for r in rows] == [
        "all", "east", "south", "client",
    ], rows  # fmt: skip


def test_a_sweep_figure_of_the_poles_says_which_runs_recorded_none() -> None:
    """An audit's sweep drew Iraq's effective number of poles at 0.4 with a band down to 0:
    3 of 5 runs ended with Iraq non-aligned, where the number recorded is 0 (decision 13),
    not a number of poles. The caption now counts such runs per group; other metrics'
    zeros, and a family without any, add nothing."""
    from sim.plots.gallery import no_poles_note

    runs = pd.DataFrame(
        {
            "effective_poles.iraq": [0.0, 1.0, 0.0, 1.0],
            "effective_poles.all": [1.6, 1.8, 1.7, 1.9],
            "final_trust.USA.all": [0.0, 0.0, 0.5, 0.5],
        }
    )
    note = no_poles_note(runs, list(runs.columns), {"iraq": "of Iraq"})
    assert note == (
        " No state of the group is aligned at the end in 2 of 4 runs of Iraq: the effective "
        "number of poles is then recorded as 0 (decision 13), not a number of poles, and "
        "pulls the mean and the band toward 0; the alignment figure shows those states "
        "non-aligned."
    )
    assert no_poles_note(runs, ["effective_poles.all", "final_trust.USA.all"], {}) == ""


def test_a_tie_between_the_values_run_nearest_the_scenarios_is_said(tmp_path):
    """An audit's grid ran the bias at 1 and 3 about the scenario's 2: the figures drew 1
    and said "the value run nearest the scenario's 2", though 3 is as near. The caption
    now says which of the two was taken."""
    tree = factory.scenario_tree("base")
    tree["parameters"] = {"trust": {"negativity_bias": 2.0}}
    grid = {"parameters.trust.negativity_bias": [1.0, 3.0]}
    folder = factory.write_sweep(tmp_path / "s", {"base": 0.0}, grid, replicates=2,
                                 trees={"base": tree})  # fmt: skip
    caption = next(e.caption for e in figures_for(open_results(folder)) if e.stem == "alignment")
    assert (
        "At trust: negativity bias 1 (the lower of 1 and 3, the values run equally near the "
        "scenario's 2)."
    ) in caption


def test_a_posterior_design_answers_its_question_with_shares_of_draws(tmp_path):
    """An audit's posterior sweep of a new case answered its question with the grid's
    words ("below zero (interval excludes zero) in 0" of 6 cells, at "the design point
    nearest the scenario's values"), though every one of its 12 draws was below zero:
    validation.md asks for the posterior probability and the 90% interval. The answer now
    weighs each pair of runs by its parameter set's draws (design.parquet: a set drawn
    twice counts twice) and shares them among the set's replicates. By hand: sets 0 (drawn
    twice: points 0 and 3), 1 and 2 with differences -0.3, -0.1 (two replicates, -0.1
    and -0.1) and +0.2: weights 2, 1 and 1 of 4 draws, so 75% below zero, the weighted
    median -0.3, the 95% quantile +0.2."""
    from types import SimpleNamespace

    from sim.plots.headline import posterior_answer

    memory = [0.9, 0.95, 0.97, 0.9]
    design = pd.DataFrame({"point": [0, 1, 2, 3], "parameters.trust.memory": memory})
    design.to_parquet(tmp_path / "design.parquet")
    pairs = pd.DataFrame({"point": [0, 1, 1, 2], "difference": [-0.3, -0.1, -0.1, 0.2]})
    answer = posterior_answer(SimpleNamespace(path=tmp_path), pairs)  # type: ignore[arg-type]
    assert answer is not None
    assert (answer.below, answer.above) == (0.75, 0.25)
    assert (answer.q05, answer.median, answer.q95) == (-0.3, -0.3, 0.2)
    assert (answer.draws, answer.distinct, answer.pairs) == (4, 3, 4)
    assert answer.sentence() == (
        "under the posterior (4 draws of 3 distinct parameter sets, 4 pairs of runs): below "
        "zero in 75% of the pairs (each set's draws shared among its replicates), above zero "
        "in 25%; median -0.3, 90% interval -0.3 to +0.2. Only 3 distinct parameter sets: "
        "the shares and the interval are theirs, not the posterior's."
    )
    # Fewer than 20 distinct sets (a thin calibration's draws) is said (an outside check,
    # decision 826); 20 are not.
    many = dataclasses.replace(answer, draws=40, distinct=20, pairs=20)
    assert many.sentence().endswith("90% interval -0.3 to +0.2.")
    # With one pair a set, the pairs are the draws (a set drawn twice counting twice).
    one = posterior_answer(SimpleNamespace(path=tmp_path), pairs.drop(index=2))  # type: ignore[arg-type]
    assert one is not None and (one.draws, one.distinct, one.pairs) == (4, 3, 3)
    assert "below zero in 75% of the draws, above zero in 25%;" in one.sentence()


def test_a_page_without_figures_says_why():
    """A summary sweep whose varied parameter changed nothing said "the folder recorded
    no series and varied nothing" beside its own list of varied values (an audit;
    decision 618)."""
    from types import SimpleNamespace

    from sim.plots.report import no_figures_text

    runs = pd.DataFrame({"run_id": ["a", "b"], "parameters.trust.memory": [0.9, 0.95]})
    varied = SimpleNamespace(
        kind="sweep", runs=runs, ok_runs=runs, varied=["parameters.trust.memory"]
    )
    assert no_figures_text(varied).startswith(
        "No figures: the folder recorded summaries only, and no summary changed across the "
        "values of trust: memory"
    )
    plain = SimpleNamespace(kind="sweep", ok_runs=runs, varied=[])
    assert no_figures_text(plain) == "No figures: the folder recorded no series and varied nothing."
    failed = SimpleNamespace(
        kind="sweep", ok_runs=runs.iloc[:0], varied=["parameters.trust.memory"]
    )
    assert no_figures_text(failed) == "No figures: no run finished."


def test_plot_of_a_summary_only_run_says_why_it_drew_nothing(tmp_path, capsys):
    """`credsim plot` of a run made with --record summary printed "0 figures ..." and
    nothing else (an audit, decision 645): it says why, and how to draw them."""
    from sim.cli import main

    out = tmp_path / "run"
    assert main(["run", str(ROOT / "scenarios" / "tour.yaml"), "--record", "summary",
                 "--out", str(out)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["plot", str(out)]) == 0
    assert capsys.readouterr().err.strip() == (
        "credsim: note: No figures: the run recorded its summary only (--record summary); "
        "run it again with --record series to draw its trajectories."
    )


def test_a_parameter_figure_names_the_series_it_leaves_out():
    """The caption gave only a count ("5 series that do not vary with it are left out"),
    so a group asked for with --groups went missing without its name (an audit;
    decision 627)."""
    from sim.plots.gallery import _flat_note

    phrases = {"gulf": "among states in Gulf"}
    one = _flat_note(["trust_change.withdrawal.USA.gulf"], phrases)
    assert one == (
        "1 series that does not vary with it (the means at the parameter's values differ by "
        "at most 0.1% of the metric's range, or by 0.001 where it has no upper bound) is left "
        "out: change in trust in USA among states in Gulf over 'withdrawal'. "
    )
    many = _flat_note([f"final_trust.P{i}.gulf" for i in range(8)], phrases)
    assert many.startswith(
        "8 series that do not vary with it (the means at the parameter's values differ"
    )
    assert "0.001 where it has no upper bound) are left out: final trust in P0" in many
    assert many.endswith("; and 2 more. ")
    assert _flat_note([], phrases) == ""


def test_a_single_runs_one_state_group_note_speaks_of_no_replicates(tmp_path):
    """A single run's alignment caption said its one-state group's share "steps and lies
    between only where they differ" as a mean of replicates it does not have (an audit of
    the README, decision 648)."""
    from sim.cli import main

    out = tmp_path / "tour"
    assert main(["run", str(ROOT / "scenarios" / "tour.yaml"), "--out", str(out)]) == 0
    (line,) = [
        ln for ln in (out / "plots" / "captions.md").read_text().splitlines() if "`alignment" in ln
    ]
    assert "A group of one state (Client): a share is 0 or 1 at each step;" in line
    assert "replicates" not in line


def test_a_chosen_family_that_does_not_vary_is_said_to_be_left_out(tmp_path, capsys):
    """`plot --metrics final_trust min_trust` on a sweep where lowest trust is the same
    in every run drew final trust and left lowest trust out without a word (an audit).
    The terminal and the page now say which family got no figure against which
    parameter; a family that varies is not named."""
    grid = {"parameters.trust.negativity_bias": [1.0, 2.0, 3.0]}
    folder = factory.write_sweep(tmp_path / "sweep", grid=grid, replicates=2)
    runs = pd.read_parquet(folder / "runs.parquet")
    flat = [c for c in runs.columns if c.startswith("min_trust.")]
    assert flat  # the factory records lowest trust
    runs[flat] = 0.5
    runs.to_parquet(folder / "runs.parquet", index=False)
    out = tmp_path / "figures"
    argv = ["plot", str(folder), "--metrics", "final_trust", "min_trust", "--out", str(out)]
    assert main(argv) == 0
    note = (
        "no figure of lowest trust against trust: negativity bias, as it does not vary with it "
        "(the means at the parameter's values differ by at most 0.1% of the metric's range, "
        "or by 0.001 where it has no upper bound)"
    )
    err = capsys.readouterr().err
    assert f"credsim: note: {note}" in err
    assert "final trust" not in err.lower()
    stems = [p.stem for p in out.glob("sweep_*.png")]
    assert any(s.endswith("final_trust") for s in stems)
    assert not any("min_trust" in s for s in stems)
    page = (out / "report.html").read_text()
    assert f"<strong>Not drawn:</strong> {html.escape(note)}." in page
    again = tmp_path / "trust_only"
    assert main(["plot", str(folder), "--metrics", "final_trust", "--out", str(again)]) == 0
    assert "note:" not in capsys.readouterr().err
    assert "Not drawn" not in (again / "report.html").read_text()


def test_a_sweep_whose_every_run_failed_is_drawn_as_such_and_not_compared(tmp_path, capsys):
    """`credsim plot` of a sweep whose runs all failed ended in "ValueError: attempt to get
    argmin of an empty sequence" (the design values to show were looked for among the
    finished runs), and compare said "give ... one sweep folder with several scenarios"
    of a folder of two (an audit). The page says no run finished and lists the errors;
    compare says why it has nothing to compare, in one line."""
    from sim.sweep import load_experiment, run_sweep

    def boom(scenario, seed, record):
        raise ValueError("boom")

    grid = ROOT / "tests" / "data" / "sweep" / "grid.yaml"
    folder = tmp_path / "sweep"
    outcome = run_sweep(load_experiment(grid, record="series"), folder, run_fn=boom, quiet=True)
    assert outcome.failed == 36
    capsys.readouterr()
    assert main(["plot", str(folder)]) == 0
    assert capsys.readouterr().err.strip() == "credsim: note: No figures: no run finished."
    page = (folder / "report.html").read_text()
    assert "36 runs failed (first errors)" in page and "ValueError: boom" in page
    assert main(["compare", str(folder), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"credsim: error: '{folder}' has no finished run to compare: its 36 runs failed; "
        f"their errors are in the 'error' column of {folder / 'runs.parquet'}\n"
    )
    assert not (tmp_path / "c").exists()


def test_an_event_kinds_default_is_the_scenarios_own_value(tmp_path):
    """A grid over `parameters.event_kinds.support.weight`, which the tour leaves at the
    package default (0.1): the resolved tree has no value there, so the figures and the
    sweep's answer took the value run nearest the median (0.5 of 0.1, 0.5, 0.6, 0.7) as
    if the scenario set none, and a sampled design's answer left the weight out of "the
    scenario's values" (decision 740). The default is the scenario's value."""
    from sim.analysis.paired import reference_values, scenario_value
    from sim.plots.figure import where_shown

    support = "parameters.event_kinds.support.weight"
    design = tmp_path / "grid.yaml"
    design.write_text(
        f"name: tour_support\nscenarios: {{base: {ROOT / 'scenarios' / 'tour.yaml'}}}\n"
        f"design:\n  method: grid\n  parameters:\n    {support}: [0.1, 0.5, 0.6, 0.7]\n"
        "replicates: 1\nseed: 5\nrecord: summary\n"
    )
    out = tmp_path / "out"
    argv = ["sweep", str(design), "--executor", "serial", "--out", str(out), "--no-plots",
            "--quiet"]  # fmt: skip
    assert main(argv) == 0
    results = open_results(out)
    tree = results.scenarios["base"]
    assert scenario_value(tree, support) == 0.1
    assert scenario_value(tree, "parameters.event_kinds.recognize.first_mover_decay") == 0.5
    assert scenario_value(tree, "parameters.event_kinds.support.nothing") is None
    assert reference_values(results, "base") == {support: 0.1}
    assert where_shown(results, {support: 0.1}, {}) == (
        "support events: weight 0.1 (the scenario's value)"
    )


def test_a_plot_whose_chosen_summaries_are_flat_does_not_say_no_summary_changed(tmp_path, capsys):
    """README's tour sweep, then `plot --groups client --metrics effective_poles`: no
    figure, rightly, but the note said "no summary changed across the values of trust:
    negativity bias ... the same numbers in every run", while the client's trust in the
    Patron moves with the bias (an outside check of README's commands; decision 854)."""
    from sim.cli import main

    folder = tmp_path / "tour_bias"
    assert main(["sweep", str(ROOT / "scenarios" / "tour.yaml"), "--vary",
                 "parameters.trust.negativity_bias=1,2,3", "--reps", "2", "--no-plots",
                 "--out", str(folder)]) == 0  # fmt: skip
    runs = pd.read_parquet(folder / "runs.parquet")
    by_bias = runs.groupby("parameters.trust.negativity_bias")["final_trust.Patron.client"]
    assert by_bias.mean().nunique() == 3  # a summary that does change with the bias
    capsys.readouterr()
    out = tmp_path / "plots"
    assert main(["plot", str(folder), "--groups", "client", "--metrics", "effective_poles",
                 "--out", str(out)]) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "no summary changed" not in err
    said = (
        "No figures: the folder recorded summaries only, and the summaries chosen "
        "(families effective_poles; groups client) do not change across the values of "
        "trust: negativity bias (a figure draws only what varies). Other summaries may: "
        "choose them with credsim plot's --metrics, --groups and --powers."
    )
    assert f"credsim: note: {said}" in err
    assert html.escape(said) in (out / "report.html").read_text()


def test_a_sweep_says_what_its_page_leaves_out_as_plot_does(tmp_path, capsys):
    """`credsim sweep` draws the same page as `credsim plot` and said none of its "Not
    drawn" notes, nor why it drew no figure; `plot` said both (an outside check, decision
    974). Stances from ideology with every stance mechanism off (v1) change no summary:
    the sweep's terminal says the family gets no figure against it and why the page has
    none, and no longer that "those values gave the same numbers in every run"."""
    from sim.cli import main

    folder = tmp_path / "tour_ideology"
    assert main(["sweep", str(ROOT / "scenarios" / "tour.yaml"), "--vary",
                 "parameters.stance.from_ideology=0,0.5", "--reps", "1", "--record",
                 "summary", "--out", str(folder)]) == 0  # fmt: skip
    err = " ".join(capsys.readouterr().err.split())
    assert "credsim: note: no figure of " in err
    assert "against stance: from ideology, as they do not vary with it" in err
    assert (
        "credsim: note: No figures: the folder recorded summaries only, and no summary "
        "changed across the values of"
    ) in err
    assert "same numbers in every run" not in err
    assert "by enough to draw" in err
    page = " ".join((folder / "report.html").read_text().split())
    assert "by enough to draw" in page
