"""``question:`` and ``plots:`` in an experiment file: checked at load, one line each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = f"""name: q
scenarios:
  historical: {ROOT}/scenarios/syria.yaml
  abstained: {ROOT}/scenarios/syria_abstained.yaml
design:
  parameters:
    parameters.trust.negativity_bias: [1, 2]
record: summary
"""


@pytest.mark.parametrize(
    ("extra", "line", "message"),
    [
        ("question:\n  difference: [historical, abstaind]\n  metric: final_trust.Russia.all\n",
         10, "question.difference[1]: 'abstaind' is not a scenario of this experiment; allowed: "
         "historical, abstained (did you mean 'abstained'?)"),
        ("question:\n  difference: [historical, abstained]\n  metric: final_trust.Russia.arab\n",
         11, "question.metric: 'arab' is not an output group of the scenarios"),
        ("question:\n  difference: [historical, abstained]\n  metric: trust_mean.Russia.all\n",
         11, "question.metric: 'trust_mean.Russia.all' is a series metric but the experiment "
         "records 'summary'"),
        # A misspelled window passed, and the headline drew final trust under a "change
        # over 'withdrawl'" title (decision 614).
        ("question:\n  difference: [historical, abstained]\n"
         "  metric: trust_change.withdrawl.Russia.all\n",
         11, "question.metric: 'withdrawl' is not a window of the scenarios; allowed: "
         "intervention, withdrawal (did you mean 'withdrawal'?)"),
        ("plots:\n  powers: [Russia, Chnia]\n",
         10, "plots.powers[1]: 'Chnia' is not one of the scenarios' powers"),
        ("plots:\n  across: parameters.trust.memory\n",
         10, "plots.across: 'parameters.trust.memory' is not varied by this experiment"),
        ("plots:\n  metrics: [final_trust, trust_chnage]\n",
         10, "plots.metrics[1]: 'trust_chnage' is not a summary family; families: final_trust"),
        ("plots:\n  metrics: [trust_change.withdrawl]\n",
         10, "plots.metrics[0]: 'trust_change.withdrawl' is not a summary family"),
    ],
)  # fmt: skip
def test_question_and_plots_mistakes_are_one_line(tmp_path, capsys, extra, line, message):
    path = tmp_path / "q.yaml"
    path.write_text(BASE + extra)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"{path}:{line}: {message}" in err[0]


def test_a_good_question_validates_and_leaves_the_identity_alone(tmp_path, capsys):
    from sim.sweep.experiment import load_experiment

    plain = tmp_path / "plain.yaml"
    plain.write_text(BASE)
    asked = tmp_path / "asked.yaml"
    asked.write_text(
        BASE + "question:\n  difference: [historical, abstained]\n"
        "  metric: final_trust.Russia.arab_league\nplots:\n  groups: [all, syria]\n"
    )
    assert main(["validate", str(asked)]) == 0
    assert load_experiment(plain).short_hash() == load_experiment(asked).short_hash()


def test_plots_metrics_choose_the_sweep_figures(tmp_path):
    """`plots: metrics:` is the default of `credsim plot --metrics` (decision 95 said
    so; the block had no such field): only the families named get sweep figures."""
    from sim.plots.gallery import figures_for
    from sim.results import open_results

    path = tmp_path / "m.yaml"
    path.write_text(
        f"name: m\nscenarios: {{base: {ROOT}/scenarios/tour.yaml}}\n"
        "design:\n  parameters:\n    parameters.trust.negativity_bias: [1, 3]\n"
        "record: summary\nplots:\n  metrics: [min_trust, trust_change.withdrawal]\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--executor", "serial",
                 "--no-plots", "--quiet"]) == 0  # fmt: skip
    stems = {e.stem for e in figures_for(open_results(out))}
    assert {s for s in stems if s.startswith("sweep_")} == {
        "sweep_trust-negativity_bias_min_trust",
        "sweep_trust-negativity_bias_trust_change-withdrawal",
    }


def test_a_new_question_reaches_a_finished_folder(tmp_path, capsys):
    """Decision 90: adding a question keeps the folder; the sweep run again puts the new
    question in its manifest (and redraws the report) without running anything."""
    from sim.sweep import load_experiment, run_sweep

    data = Path(__file__).parent / "data" / "sweep"
    path = tmp_path / "exp.yaml"
    scenarios = f"{{withdrew: {data}/tiny.yaml, abstained: {data}/tiny_abstained.yaml}}"
    body = f"name: q\nscenarios: {scenarios}\n"
    path.write_text(body)
    folder = run_sweep(load_experiment(path), tmp_path / "out", quiet=True).folder
    question = {"difference": ["withdrew", "abstained"], "metric": "final_trust.Patron.all"}
    path.write_text(body + f"question: {question}\n")
    outcome = run_sweep(load_experiment(path), folder, quiet=True)
    assert (outcome.folder, outcome.ran, outcome.reshown) == (folder, 0, True)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["experiment"]["question"] == question
    assert manifest["resolved"]["question"]["metric"] == "final_trust.Patron.all"
    assert manifest["status"] == "complete"
    assert not run_sweep(load_experiment(path), folder, quiet=True).reshown


def test_a_finished_sweep_run_again_from_another_folder_has_nothing_to_do(
    tmp_path, capsys, monkeypatch
):
    """The same command given from another folder names the same file by another path:
    the sweep said "the question and plots updated" (an audit), redrew the report and
    wrote the new path into the manifest beside the old cwd, where it names nothing. It
    now says "nothing to do" and keeps the manifest as it was."""
    from sim.sweep import load_experiment, run_sweep

    data = Path(__file__).parent / "data" / "sweep"
    (tmp_path / "exp").mkdir()
    (tmp_path / "exp" / "e.yaml").write_text(f"name: q\nscenarios: {{base: {data}/tiny.yaml}}\n")
    monkeypatch.chdir(tmp_path)
    folder = run_sweep(load_experiment("exp/e.yaml"), tmp_path / "out", quiet=True).folder
    manifest = (folder / "manifest.json").read_text()
    assert json.loads(manifest)["source"] == "exp/e.yaml"
    capsys.readouterr()
    monkeypatch.chdir(tmp_path / "exp")
    outcome = run_sweep(load_experiment("e.yaml"), folder, quiet=True)
    assert (outcome.ran, outcome.reshown) == (0, False)
    assert capsys.readouterr().out.rstrip().endswith("; nothing to do")
    assert (folder / "manifest.json").read_text() == manifest


def test_a_rerun_naming_the_file_by_another_path_keeps_its_scenarios_record(
    tmp_path, capsys, monkeypatch
):
    """A scenario named relative to the experiment file became absolute when the file
    was named by its absolute path, and the finished sweep said "the question and plots
    updated" of a file with neither (an audit, decision 644). It keeps the record and has
    nothing to do; a changed description is said as such."""
    import shutil

    from sim.sweep import load_experiment, run_sweep

    data = Path(__file__).parent / "data" / "sweep"
    shutil.copy(data / "tiny.yaml", tmp_path / "tiny.yaml")
    body = "name: q\nscenarios: {base: tiny.yaml}\n"
    (tmp_path / "e.yaml").write_text(body)
    monkeypatch.chdir(tmp_path)
    folder = run_sweep(load_experiment("e.yaml"), tmp_path / "out", quiet=True).folder
    manifest = (folder / "manifest.json").read_text()
    capsys.readouterr()
    outcome = run_sweep(load_experiment(str(tmp_path / "e.yaml")), folder, quiet=True)
    assert (outcome.ran, outcome.reshown) == (0, False)
    assert capsys.readouterr().out.rstrip().endswith("; nothing to do")
    assert (folder / "manifest.json").read_text() == manifest
    (tmp_path / "e.yaml").write_text(body + "description: the tiny case\n")
    assert run_sweep(load_experiment("e.yaml"), folder, quiet=True).reshown
    assert capsys.readouterr().out.rstrip().endswith("; the description updated")
