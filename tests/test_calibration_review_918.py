"""What an outside check of the calibration workflow found, mended (decision 918)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sim.calibrate.run import run_calibration
from sim.calibrate.spec import load_calibration
from sim.calibrate.toy import PARAMETER, BinomialProblem
from sim.errors import InputError
from sim.integrity import require_intact


def _toy(tmp_path: Path, truth: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    (tmp_path / "toy.yaml").write_text("{}\n")
    (tmp_path / "cal.yaml").write_text(
        "name: toy\npatterns: [toy.yaml]\n"
        f"parameters: {{{PARAMETER}: {{low: 0, high: 1}}}}\n"
        "population: 100\nmax_simulations: 3000\nmin_epsilon: 0.5\nseed: 3\npredictive: 20\n"
    )
    return load_calibration(tmp_path / "cal.yaml", truth, check_paths=False)


def test_tick_labels_of_drawn_values_get_the_digits_that_tell_them_apart():
    """A posterior design drew memory 0.910577 and 0.911200: both were ticked "0.911",
    two columns of the headline under one label."""
    from sim.analysis.paired import distinct_texts
    from sim.plots.figure import value_mesh

    assert distinct_texts([0.910577, 0.9112, 0.911806, 0.933805]) == [
        "0.9106",
        "0.9112",
        "0.9118",
        "0.9338",
    ]
    assert distinct_texts([1.0, 2.0, 2.5]) == ["1", "2", "2.5"]  # three digits suffice
    assert distinct_texts(["historical", "abstained"]) == ["historical", "abstained"]
    table = pd.DataFrame([[1.0, 2.0, 3.0]], index=[2.4], columns=[0.910577, 0.9112, 0.933805])
    ax = plt.subplots()[1]
    value_mesh(ax, table, "viridis", plt.Normalize(0, 3))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.9106", "0.9112", "0.9338"]
    plt.close("all")


def test_a_truth_at_the_priors_end_is_named_on_its_panel(tmp_path):
    """A truth of 0 on a prior from 0 is drawn on the axes' left edge, where its line
    reads as the axis itself: it is named at the top, as a fixed value is."""
    from sim.calibrate.figures import marginals_figure

    cal = _toy(tmp_path, (f"{PARAMETER}=0",))
    particles = pd.DataFrame(
        {"generation": [1, 1], "variant": ["default"] * 2, "weight": [0.5, 0.5],
         PARAMETER: [0.6, 0.7]}
    )  # fmt: skip
    fig = marginals_figure(particles, cal)
    named = [t.get_text() for t in fig.axes[0].texts]
    assert named == [" truth: 0 "]
    plt.close("all")


def test_a_finished_calibration_draws_a_missing_figure_again_and_its_readers_go_on(
    tmp_path, capsys
):
    """A deleted figure made a finished calibration "damaged", and the only repair it
    offered was to remove the folder and calibrate again; `--posterior` and posterior
    designs, which read its tables only, refused it too. The same command draws it
    again; a reader of the tables reads them; a damaged table is still refused."""
    from sim.calibrate import posterior

    cal = _toy(tmp_path)
    out = tmp_path / "out"
    run_calibration(cal, BinomialProblem(), out, workers=1, quiet=True)
    figure = next((out / "figures").glob("*.png"))
    drawn = figure.read_bytes()
    figure.unlink()
    posterior.read_finished(out)  # the tables are whole: read
    capsys.readouterr()
    # Without figures (--no-plots) it is not refused either: it says how to draw them.
    run_calibration(cal, BinomialProblem(), out, workers=1, quiet=True, figures=False)
    said = capsys.readouterr().out.rstrip()
    assert said.endswith(
        f"; figures/{figure.name} is missing: run it without --no-plots to draw its figures again"
    ), said
    assert not figure.exists()
    again = run_calibration(cal, BinomialProblem(), out, workers=1, quiet=True)
    assert again.run is None
    said = capsys.readouterr().out.rstrip()
    assert said.endswith(
        f"; figures/{figure.name} is missing: its figures and report.html are drawn again"
    ), said
    assert figure.read_bytes() == drawn
    require_intact(out)  # recorded again
    # A table is no figure: still refused, by the readers and by the command.
    table = out / "summary.csv"
    table.write_text(table.read_text() + "x\n")
    with pytest.raises(InputError, match=r"summary\.csv"):
        posterior.read_finished(out)
    with pytest.raises(InputError, match="removing the folder"):
        run_calibration(cal, BinomialProblem(), out, workers=1, quiet=True)


def test_a_posterior_given_the_folder_above_a_calibration_names_the_one_inside(tmp_path):
    """``credsim calibrate`` without --out writes results/calibrate/<name>/<hash>/; given
    the folder above, `patterns check --posterior` said "holds no calibration results"
    alone, where a posterior design names the calibrations inside."""
    from sim.patterns.predictive import posterior_draws

    cal = _toy(tmp_path)
    inside = tmp_path / "joint" / "1a2b3c4d5e"
    run_calibration(cal, BinomialProblem(), inside, workers=1, quiet=True, figures=False)
    with pytest.raises(InputError) as info:
        posterior_draws(tmp_path / "joint", None, 4, 0)
    assert str(info.value) == (
        f"--posterior {tmp_path / 'joint'}: holds no calibration results; the calibrations "
        f"inside it: '{inside}'"
    )


def test_a_calibrations_notes_are_in_its_report_page_and_manifest(tmp_path):
    """The notes a calibration printed (what the votes leave out of its patterns, a
    stuck pattern, few effective particles) went to the terminal only; the report page,
    meant to be sent on its own, and the manifest had none of them (decision 919)."""
    import json

    class Noted(BinomialProblem):
        notes = ("toy.yaml: a window note & its <years>",)

    cal = _toy(tmp_path)
    out = tmp_path / "out"
    run_calibration(cal, Noted(), out, workers=1, quiet=True)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["notes"][0] == "toy.yaml: a window note & its <years>"
    page = (out / "report.html").read_text()
    assert "<h2>Notes</h2><ul><li>toy.yaml: a window note &amp; its &lt;years&gt;</li>" in page
    # Drawn again from the tables (a run without figures, then the command again): the
    # same notes, from the manifest.
    bare = tmp_path / "bare"
    run_calibration(cal, Noted(), bare, workers=1, quiet=True, figures=False)
    run_calibration(cal, Noted(), bare, workers=1, quiet=True)
    assert "<li>toy.yaml: a window note &amp; its &lt;years&gt;</li>" in (
        (bare / "report.html").read_text()
    )


def test_a_posterior_designs_few_particles_note_is_said_once_a_command(tmp_path, capsys):
    """A posterior sweep with its figures said the few-particles note twice: the report
    reads the experiment again (decision 919). Once a command; the next command says it
    again."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from test_calibrate import _posterior_experiment

    from sim.cli import main
    from sim.sweep.experiment import load_experiment

    experiment = _posterior_experiment(
        tmp_path, "design: {method: posterior, calibration: cal, samples: 3}\n"
    )
    assert main(["validate", str(experiment)]) == 0
    load_experiment(experiment)  # the report's reading, in the same command
    assert capsys.readouterr().err.count("effective particles") == 1
    assert main(["validate", str(experiment)]) == 0
    assert capsys.readouterr().err.count("effective particles") == 1


def test_a_pattern_files_notes_are_said_at_the_line_of_the_pattern_they_name(tmp_path, capsys):
    """A pattern file's notes ("pattern 'gulf': its after years ... do not come after its
    before years") named no file or line, where every error does (decision 920)."""
    from sim.cli import main

    root = Path(__file__).resolve().parent.parent
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: pt\nscenario: {root / 'scenarios' / 'syria.yaml'}\n"
        "link: {power: Russia, rival: USA, measure: split_agreement, reference: [2012, 2014],"
        " beta: 0.5}\n"
        "groups:\n  gulf_monarchies: {members: [Saudi Arabia, UAE, Qatar]}\n"
        "patterns:\n"
        "  - id: first\n    role: calibrate\n    source: a note\n    statistic: change\n"
        "    group: gulf_monarchies\n    before: [2014, 2015]\n    after: [2016, 2017]\n"
        "  - id: gulf\n    role: calibrate\n    source: a note\n    statistic: change\n"
        "    group: gulf_monarchies\n    before: [2016, 2019]\n    after: [2014, 2015]\n"
    )
    assert (
        main(["validate", str(path), "--votes", str(root.parent / "shared" / "data" / "unvotes")])
        == 0
    )
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "do not come after" in ln]
    # The pattern 'gulf' begins on line 14 ("  - id: gulf").
    assert path.read_text().splitlines()[13] == "  - id: gulf"
    assert len(notes) == 1 and notes[0].startswith(
        f"credsim: note: {path}:14: pattern 'gulf': its after years 2014-2015 do not come "
        "after its before years 2016-2019"
    ), notes
