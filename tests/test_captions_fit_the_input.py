"""Captions and notes that say what the input gave, for valid but unusual inputs.

An outside check ran small, unusual scenarios and experiments (one replicate, one
value, failed runs, no events, quarterly and yearly calendars, a one-parameter Sobol
design, a window finer than the calendar's step) and found texts that contradicted
them: a band described that was not drawn, "no summary changed across the values" of
a sweep of one value, "complete" of a sweep whose every run failed, event marks of a
scenario without events, "the ticks of one month" on a quarterly calendar, "the other
parameters" of a design of one, an interval "0.637 [0.637, 0.637]" of one run. Each
test here runs a few runs of a tiny scenario and reads the words written.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from sim.cli import main

MINIMAL = """\
name: minimal
description: One power, one state.
calendar: {{start: "2000-01", end: "{end}", step: {step}}}
powers:
  Hegemon: {{capability: 0.5, ideology: 0.0, region: north}}
states:
  Lonely: {{region: south, ideology: 0.1, aligned: Hegemon, trust: {{Hegemon: 0.6}}}}
  Other: {{region: south, ideology: 0.3, trust: {{Hegemon: 0.4}}}}
events: {events}
"""

ONE_EVENT = (
    "\n  - {id: help, date: '2000-04', kind: intervene, actor: Hegemon, target: Lonely, "
    "magnitude: 1.0, label: Help}"
)


def _scenario(
    folder: Path,
    name: str = "s.yaml",
    *,
    step: str = "month",
    end: str = "2000-12",
    events: str = "[]",
    extra: str = "",
) -> Path:
    path = folder / name
    path.write_text(MINIMAL.format(step=step, end=end, events=events) + extra)
    return path


def _captions(folder: Path) -> dict[str, str]:
    """captions.md as {file stem: caption}."""
    text = (folder / "plots" / "captions.md").read_text()
    return dict(re.findall(r"^- `([^`]+)\.png`: (.*)$", text, flags=re.MULTILINE))


def _page(folder: Path) -> str:
    return html.unescape((folder / "report.html").read_text())


def _sweep(*argv: str) -> None:
    assert main(["sweep", *argv, "--workers", "1", "--quiet"]) == 0


def test_a_headline_of_one_replicate_describes_no_band(tmp_path: Path) -> None:
    """One replicate: every point of the headline's line is one pair of runs, which has no
    interval, and no band is drawn; the caption said "band: 95% t interval of the mean"
    beside an answer saying "no cell has an interval"."""
    _scenario(tmp_path, "base.yaml", events=ONE_EVENT)
    (tmp_path / "quiet.yaml").write_text(
        "name: quiet\ndescription: no events\nextends: base.yaml\nremove_events: [help]\n"
    )
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        "name: q\nscenarios: {base: base.yaml, quiet: quiet.yaml}\n"
        "design:\n  method: grid\n  parameters:\n"
        "    parameters.trust.negativity_bias: [1.0, 3.0]\n"
        "replicates: 1\nseed: 1\nrecord: summary\n"
        "question:\n  difference: [base, quiet]\n  metric: final_trust.Hegemon.all\n"
    )
    out = tmp_path / "out"
    _sweep(str(experiment), "--out", str(out))
    caption = _captions(out)["headline"]
    assert "band: 95% t interval" not in caption
    assert "no band: one pair of runs a point, so no point has an interval" in caption
    assert "no cell has an interval" in _page(out)


def test_b_a_sweep_of_one_value_says_one_value_was_run(tmp_path: Path) -> None:
    """`sweep SCENARIO --vary PATH=2 --record summary`: the page said that no summary
    changed across the values "by enough to draw", of a sweep that ran one value."""
    scenario = _scenario(tmp_path)
    out = tmp_path / "out"
    _sweep(str(scenario), "--vary", "parameters.trust.negativity_bias=2", "--reps", "1",
           "--record", "summary", "--out", str(out))  # fmt: skip
    page = _page(out)
    assert "by enough to draw" not in page
    assert (
        "No figures: the folder recorded summaries only, and the sweep ran one value of "
        "trust: negativity bias (2), so there is nothing to draw a summary against"
    ) in page


def _failing_at(value: float):  # type: ignore[no-untyped-def]
    """A run function that fails every run whose negativity bias is ``value``."""
    from sim.runner import run_scenario

    def run(scenario, seed, record):  # type: ignore[no-untyped-def]
        if scenario.parameters.trust.negativity_bias == value:
            raise ZeroDivisionError("division by zero")
        return run_scenario(scenario, seed, record)

    return run


def _failed_sweep(tmp_path: Path, values: str, fail_at: float, reps: int = 1) -> Path:
    from sim.sweep import load_experiment, run_sweep

    tmp_path.mkdir(exist_ok=True)
    _scenario(tmp_path)
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        "name: partly\nscenarios: {base: s.yaml}\ndesign:\n  method: grid\n  parameters:\n"
        f"    parameters.trust.negativity_bias: [{values}]\n"
        f"replicates: {reps}\nseed: 0\nrecord: summary\n"
    )
    folder = tmp_path / "out"
    run_sweep(load_experiment(experiment), folder, run_fn=_failing_at(fail_at), quiet=True)
    assert main(["plot", str(folder)]) == 0
    return folder


def _status(page: str) -> str:
    found = re.search(r"<tr><td>status</td><td>([^<]*)</td></tr>", page)
    assert found is not None
    return found.group(1)


def test_b_c_a_sweep_whose_other_value_failed_says_so_and_counts_the_failures(
    tmp_path: Path,
) -> None:
    """Two values, the runs at one failed: the page said "no summary changed across the
    values" (one value had finished runs) and its status "complete" alone."""
    page = _page(_failed_sweep(tmp_path, "1.0, 3.0", fail_at=3.0))
    assert "by enough to draw" not in page
    assert (
        "only one value of trust: negativity bias (1) has finished runs: the runs at the "
        "other value (3) failed"
    ) in page
    assert _status(page) == "complete (1 of 2 runs failed)"


def test_c_a_sweep_whose_every_run_failed_says_so_beside_its_status(tmp_path: Path) -> None:
    """A failed run is a result of the sweep, not run again in place (experiments.md), so
    the sweep is complete; the page says how many failed beside it. One without failures
    reads "complete" as before."""
    page = _page(_failed_sweep(tmp_path / "all", "3.0", fail_at=3.0, reps=2))
    assert "No figures: no run finished." in page
    assert _status(page) == "complete, but every run failed (2 of 2 runs)"
    page = _page(_failed_sweep(tmp_path / "none", "1.0", fail_at=3.0))
    assert _status(page) == "complete"


def test_g_a_cell_of_one_run_prints_its_value_alone(tmp_path: Path) -> None:
    """One replicate: the summary table's cells read "0.637 [0.637, 0.637]" under "each
    cell: mean of the runs [2.5th, 97.5th percentile]"."""
    scenario = _scenario(tmp_path)
    out = tmp_path / "out"
    _sweep(str(scenario), "--vary", "parameters.trust.negativity_bias=1,2", "--reps", "1",
           "--record", "summary", "--out", str(out))  # fmt: skip
    page = _page(out)
    assert "each cell: the value of the one run (one run has no interval)" in page
    assert "[2.5th, 97.5th percentile]" not in page
    row = re.search(r"<tr><td>final_trust\.Hegemon\.all</td><td>[^<]*</td><td>([^<]*)</td>", page)
    assert row is not None and re.fullmatch(r"[-0-9.e]+", row.group(1)), row


def _run(tmp_path: Path, scenario: Path, *extra: str) -> Path:
    out = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(out), *extra]) == 0
    return out


def test_e_a_scenario_without_events_marks_none(tmp_path: Path) -> None:
    caption = _captions(_run(tmp_path, _scenario(tmp_path)))["trust_trajectories"]
    assert "dotted grey lines" not in caption and "strip" not in caption
    assert "no event is marked: the scenario has none" in caption


@pytest.mark.parametrize(("step", "end"), [("quarter", "2001-12"), ("year", "2004-12")])
def test_f_the_ticks_side_by_side_are_those_of_one_calendar_step(
    tmp_path: Path, step: str, end: str
) -> None:
    scenario = _scenario(tmp_path, step=step, end=end, events=ONE_EVENT)
    caption = _captions(_run(tmp_path, scenario))["trust_trajectories"]
    assert f"(the ticks of one {step} side by side)" in caption
    assert "one month" not in caption


def test_d_a_one_parameter_sobol_design_speaks_of_no_other_parameters(tmp_path: Path) -> None:
    _scenario(tmp_path, events=ONE_EVENT)
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        "name: sobol1\nscenarios: {base: s.yaml}\ndesign:\n  method: sobol\n  samples: 8\n"
        "  parameters:\n    parameters.trust.memory: {low: 0.5, high: 1.0}\n"
        "replicates: 1\nseed: 5\nrecord: summary\n"
    )
    out = tmp_path / "out"
    _sweep(str(experiment), "--out", str(out))
    captions = {s: c for s, c in _captions(out).items() if s.startswith("sweep_")}
    assert captions
    for caption in captions.values():
        assert "other parameters" not in caption
        assert "Lines: mean of the runs in each of up to" in caption


def test_h_the_page_reconciles_the_tables_poles_with_the_figures(tmp_path: Path) -> None:
    """One state aligned, one non-aligned: the alignment figure draws 2 poles (the
    non-aligned as one), the table 1 (aligned states), under one name."""
    page = _page(_run(tmp_path, _scenario(tmp_path)))
    assert (
        "the alignment figure counts the non-aligned as one pole of their own, so the two "
        "differ wherever some states are non-aligned"
    ) in page


def test_i_a_window_finer_than_the_step_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _scenario(
        tmp_path,
        step="year",
        end="2004-12",
        events=ONE_EVENT,
        extra='windows:\n  spring: ["2000-03", "2000-05"]\n  whole: ["2000-01", "2001-12"]\n',
    )
    assert main(["validate", str(scenario)]) == 0
    err = capsys.readouterr().err
    assert (
        "windows.spring: the window (2000-03 to 2000-05) is finer than the calendar's yearly "
        "steps: its changes (trust_change, affinity_change) are taken over whole steps, "
        "2000-01 to 2000-12"
    ) in err
    assert "windows.whole" not in err
    _run(tmp_path, scenario, "--record", "summary")
    assert "windows.spring: the window (2000-03 to 2000-05) is finer" in capsys.readouterr().err


def test_j_a_summary_run_says_why_it_drew_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = _run(tmp_path, _scenario(tmp_path), "--record", "summary")
    assert not (out / "report.html").exists()
    err = capsys.readouterr().err
    assert (
        "credsim: note: no figures and no report page: the run recorded its summary only "
        "(--record summary)"
    ) in err
    assert main(["run", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "b"), "--record",
                 "summary", "--no-plots"]) == 0  # fmt: skip
    assert "no report page" not in capsys.readouterr().err
