"""Decisions 938 and 939: what this session's outside checks found, mended."""

from __future__ import annotations

import html
import logging
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import results_factory as factory

from sim.cli import main

FLAT = (
    "as it does not vary with it (the means at the parameter's values differ by at most 0.1% "
    "of the metric's range, or by 0.001 where it has no upper bound)"
)


def _poles_flat(folder):
    runs = pd.read_parquet(folder / "runs.parquet")
    poles = [c for c in runs.columns if "effective_poles" in c]
    assert poles  # the factory records them
    runs[poles] = 1.0
    runs.to_parquet(folder / "runs.parquet", index=False)


def test_a_default_family_whose_every_series_is_flat_is_said_to_be_left_out(tmp_path, capsys):
    """`plot --groups client` of the tour's sweep drew final trust and left out the
    effective number of poles (a one-state group's is 1 in every run) without a word: only
    a family asked for by name was said. A default family is now said too, with the
    groups drawn when --groups chose them."""
    grid = {"parameters.trust.negativity_bias": [1.0, 2.0, 3.0]}
    folder = factory.write_sweep(tmp_path / "sweep", grid=grid, replicates=2)
    out = tmp_path / "varying"
    assert main(["plot", str(folder), "--out", str(out)]) == 0
    assert "note:" not in capsys.readouterr().err
    assert any(p.stem.endswith("effective_poles") for p in out.glob("sweep_*.png"))
    _poles_flat(folder)
    for extra, among in (([], ""), (["--groups", "levant"], " in the groups drawn (levant)")):
        out = tmp_path / f"flat{len(extra)}"
        assert main(["plot", str(folder), *extra, "--out", str(out)]) == 0
        note = (
            f"no figure of final effective number of poles (aligned states){among} against "
            f"trust: negativity bias, {FLAT}"
        )
        assert f"credsim: note: {note}\n" in capsys.readouterr().err
        assert not any("effective_poles" in p.stem for p in out.glob("sweep_*.png"))
        assert any(p.stem.endswith("final_trust") for p in out.glob("sweep_*.png"))
        page = (out / "report.html").read_text()
        assert f"<strong>Not drawn:</strong> {html.escape(note)}." in page


def _steps(dates, scenario="s"):
    return pd.DataFrame({"step": range(len(dates)), "date": dates, "scenario": scenario})


def test_the_captions_say_each_point_is_the_end_of_its_period():
    """Step 0 and step 1 share the calendar's start date in the tables; the figures drew
    step 0 one step earlier, and no caption said why (an audit, decision 934's check).
    Since decision 1004 each point sits at the end of its period, step 0 at the start,
    and the caption says so in the calendar's unit."""
    from sim.plots.figure import initial_note, step_times

    monthly = _steps(["2020-01", "2020-01", "2020-02", "2020-03"])
    # What the figure draws: step 0 at the start, step 1 at the end of January.
    assert list(step_times(monthly).dt.strftime("%Y-%m-%d")) == [
        "2020-01-01",
        "2020-02-01",
        "2020-03-01",
        "2020-04-01",
    ]
    assert initial_note(monthly) == (
        "Each point is the state at the end of its month, drawn at the next one's start "
        "(an event's effect follows its dotted line); a line's first point, at 2020-01, is "
        "the initial state."
    )
    quarterly = _steps(["1990-01", "1990-01", "1990-04"])
    assert "at the end of its quarter" in initial_note(quarterly)
    assert "at 1990-01, " in initial_note(quarterly)
    yearly = _steps(["1960-01", "1960-01", "1961-01"])
    assert "at the end of its year" in initial_note(yearly) and "at 1960-01, " in (
        initial_note(yearly)
    )
    # Two scenarios whose first steps differ: no one month to name.
    both = pd.concat([monthly, _steps(["2021-01", "2021-01", "2021-02"], "t")])
    assert initial_note(both) == ""
    assert initial_note(monthly[monthly["step"] > 0]) == ""


def test_a_runs_trajectory_and_alignment_captions_say_where_the_first_point_sits(tmp_path):
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "tour"
    assert main(["run", str(root / "scenarios" / "tour.yaml"), "--out", str(out)]) == 0
    lines = (out / "plots" / "captions.md").read_text().splitlines()
    said = "Each point is the state at the end of its month"
    for stem in ("trust_trajectories", "alignment"):
        (line,) = [ln for ln in lines if f"`{stem}" in ln]
        assert said in line


def _rare():
    """pyabc's simulate_one of a proposal accepted once in twenty: its draw is seeded by
    the evaluation's index (the samplers' seed_evaluation), on any worker."""
    import numpy as np
    from pyabc.parameters import Parameter
    from pyabc.population import Particle

    u = float(np.random.uniform())  # noqa: NPY002 - seeded by the sampler, as pyabc's are
    return Particle(
        m=0, parameter=Parameter({"p": u}), weight=1.0, sum_stat={"x": u}, distance=u,
        accepted=u < 0.05,
    )  # fmt: skip


def _taken(sampler, limit):
    sample = sampler.sample_until_n_accepted(10, _rare, 1, max_eval=limit)
    return sample.ok, sampler.nr_evaluations_, [p.parameter["p"] for p in sample.accepted_particles]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="worker processes: Linux")
def test_a_generation_stops_at_its_evaluation_limit_on_processes_and_on_dask():
    """A calibration's generation took 22,536 simulations under a budget of 2,000 (an
    outside check): pyabc's ``max_eval`` (the population over ``min_acceptance_rate``,
    the budget) stopped the sampling only with ``check_max_eval``, which was not set,
    and the Dask sampler never checked it. Both stop there now, on the same evaluations
    whatever the workers: 10 wanted at 1 in 20 needs about 200; 60 give 4 and fail."""
    from distributed import Client, LocalCluster

    from sim.calibrate.samplers import SeededDaskSampler, SeededMulticoreSampler

    taken = {}
    for procs in (1, 2):
        sampler = SeededMulticoreSampler(3, procs)
        try:
            taken[procs] = (_taken(sampler, 60), _taken(sampler, np.inf))
        finally:
            sampler.close()
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        sampler = SeededDaskSampler(3, client)
        taken["dask"] = (_taken(sampler, 60), _taken(sampler, np.inf))
    (cut, whole) = taken[1]
    assert cut[:2] == (False, 60) and len(cut[2]) < 10
    assert whole[0] and whole[1] > 60 and len(whole[2]) == 10
    assert whole[2][: len(cut[2])] == cut[2]  # the same draws, by index
    assert taken[2] == taken[1]
    assert taken["dask"] == taken[1]


def test_the_first_generation_is_not_cut_by_the_budget(tmp_path):
    """The limit is the whole budget for every generation but the first, whose threshold
    (the prior sample's median distance) accepts about half: a budget of twice the
    population would otherwise end with no generation and no posterior."""
    from sim.calibrate.run import run_calibration
    from sim.calibrate.toy import BinomialProblem

    sys.path.insert(0, str(Path(__file__).parent))
    from test_calibrate import toy

    cal = toy(tmp_path, population=100, max_simulations=200, min_epsilon=0)
    out = run_calibration(cal, BinomialProblem(), tmp_path / "out", workers=1, figures=False)
    assert out.run is not None
    assert out.run.generations == 1
    assert out.run.stopped == "simulation budget spent"
    assert out.run.simulations > 200  # generation 0 ran whole (its 100 accepted)


def test_a_sweep_on_a_remote_scheduler_quiets_the_clients_batched_stream_log():
    """A sweep whose Dask scheduler was killed printed distributed's "Batched Comm Closed"
    with its traceback (at INFO) before its one line, in one CI run: the client's
    batched stream logs under its own name. Quieted with the client's, and given back."""
    from sim.sweep.executors import quiet_client_log

    logs = [logging.getLogger(n) for n in ("distributed.client", "distributed.batched")]
    before = [log.level for log in logs]
    restore = quiet_client_log()
    assert [log.level for log in logs] == [logging.CRITICAL] * 2
    restore()
    assert [log.level for log in logs] == before


@pytest.mark.parametrize(
    ("command", "count", "said"),
    [
        ("sweep", 320, "after the sweep had finished: all 320 runs are kept in"),
        ("calibrate", 1, "after the calibration had finished: all 1 generation is kept in"),
        ("calibrate", None, "after the calibration had finished: its generations are kept in"),
    ],
)
def test_ctrl_c_after_a_sweep_finished_does_not_ask_to_go_on(tmp_path, command, count, said):
    """Ctrl-C in the second after "sweep 'sob': 320 runs ..." (as the process shut down)
    said "interrupted; the 320 finished runs are kept in out/sobt: run the same command
    again to go on from them" of a folder whose manifest said complete (an outside
    check). A finished folder is now said to be finished; an unfinished one as before."""
    import json

    from sim.cli import _interrupted_text

    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"status": "complete"}))
    text = _interrupted_text(command, "interrupted", (count, folder))
    assert text == f"credsim: interrupted {said} {folder}, and nothing is left to run"
    (folder / "manifest.json").write_text(json.dumps({"status": "incomplete"}))
    text = _interrupted_text(command, "interrupted", (count, folder))
    assert "run the same command again to go on" in text


def test_a_finished_folder_asked_for_on_another_engine_says_whose_runs_it_holds(tmp_path, capsys):
    """`sweep --engine fast` on a folder the Mesa engine finished said "nothing to do"
    only, where an unfinished one is refused (an outside check): it now says whose runs
    the folder holds and how to run them on the engine asked for."""
    tour = str(Path(__file__).resolve().parents[1] / "scenarios" / "tour.yaml")
    out = str(tmp_path / "sweep")
    argv = ["sweep", tour, "--reps", "1", "--out", out, "--no-plots", "--quiet"]
    assert main([*argv, "--engine", "mesa"]) == 0
    capsys.readouterr()
    assert main([*argv, "--engine", "fast"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("sweep 'tour' is already complete (1 run, 0 failed)")
    assert said.endswith(
        "nothing to do; its runs are the mesa engine's, not fast's as this command asks: "
        "another --out runs them on fast\n"
    )
    assert main([*argv, "--engine", "mesa"]) == 0
    assert capsys.readouterr().out.endswith("; nothing to do\n")


def test_a_finished_sweep_with_failed_runs_says_they_are_not_run_again(tmp_path, capsys):
    """A sweep whose runs failed, run again after the cause was mended, said "already
    complete (200 runs, 4 failed) ...; nothing to do", exit 1, with no way on (an
    outside check). It now says that a failed run is not run again, and how to."""
    from sim.sweep import load_experiment, run_sweep

    def boom(scenario, seed, record):
        raise ValueError("boom")

    grid = Path(__file__).resolve().parent / "data" / "sweep" / "grid.yaml"
    folder = tmp_path / "sweep"
    outcome = run_sweep(load_experiment(grid, record="summary"), folder, run_fn=boom, quiet=True)
    assert outcome.failed == 36
    capsys.readouterr()
    assert main(["sweep", str(grid), "--out", str(folder), "--no-plots"]) == 1
    said = capsys.readouterr().out
    assert "is already complete (36 runs, 36 failed)" in said
    assert said.endswith(
        "nothing to do; a failed run is a result of the sweep (its error is in runs.parquet) "
        "and is not run again here: to run them again, give another --out\n"
    )


def test_sobol_estimates_outside_0_1_are_said_on_the_terminal_too():
    """`analyze --method sobol` flagged the rows whose interval excludes [0, 1] or spans
    it, and said nothing of 20 rows with S1 about 1.16 (interval reaching below 1), which
    the chart's caption counted as outside [0, 1] (an outside check)."""
    from sim.analysis.sensitivity import outside_text, uninformative_rows

    table = pd.DataFrame(
        {
            "S1": [0.3, 1.16, -0.05, 1.6, 0.2],
            "S1_conf": [0.1, 0.2, 0.1, 0.1, 0.7],
            "ST": [0.4, 1.18, 0.1, 1.7, 0.3],
            "ST_conf": [0.1, 0.2, 0.1, 0.1, 0.1],
        }
    )
    flagged = uninformative_rows(table)
    # The fourth lies wholly above 1 and the fifth is wider than [0, 1]: flagged already.
    assert list(flagged) == [False, False, False, True, True]
    assert outside_text(table, flagged) == (
        "2 other rows have an S1 or ST estimate outside [0, 1], the range of a share (the "
        "charts draw it at the bound): sampling error, within its 95% interval; more design "
        "samples narrow it"
    )
    assert outside_text(table.iloc[[0, 3, 4]], flagged.iloc[[0, 3, 4]]) == ""
    assert outside_text(table.iloc[:3], flagged.iloc[:3]).startswith("2 rows have an S1")


def test_a_weighted_interval_counts_copies_of_a_run_once():
    """A posterior design runs a set drawn k times once and counts it k times; the
    headline's t interval took the k copies for k replicates: no spread, so an interval
    clear of zero, where one run has none (an outside check, decision 941)."""
    from sim.analysis.paired import t_interval, weighted_t_interval

    values = np.array([0.04, -0.01, 0.07, 0.02])
    same = weighted_t_interval(values, np.ones(4))
    assert same == pytest.approx(t_interval(values), abs=1e-15)
    # Every run copied three times: the interval of the four runs.
    assert weighted_t_interval(values, np.full(4, 3.0)) == pytest.approx(same, abs=1e-15)
    mean, lo, hi = weighted_t_interval(np.array([0.05]), np.array([6.0]))
    assert mean == pytest.approx(0.05) and np.isnan(lo) and np.isnan(hi)
    # Unequal copies: Kish's n = (1 + 3)**2 / (1 + 9) = 1.6, under 2: no interval.
    mean, lo, hi = weighted_t_interval(np.array([0.0, 0.1]), np.array([1.0, 3.0]))
    assert mean == pytest.approx(0.075) and np.isnan(lo)


def test_a_posterior_headline_cell_of_one_run_drawn_often_has_no_interval(tmp_path):
    from sim.plots.headline import headline_of
    from sim.results import open_results

    sys.path.insert(0, str(Path(__file__).parent))
    from test_calibrate import _fake_calibration

    _fake_calibration(tmp_path / "cal")
    root = Path(__file__).resolve().parents[1]
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        "name: claims\n"
        f"scenarios: {{a: {root / 'scenarios' / 'syria.yaml'}, "
        f"b: {root / 'scenarios' / 'syria_abstained.yaml'}}}\n"
        "design: {method: posterior, calibration: cal, samples: 30}\nseed: 11\n"
        "question: {difference: [a, b], metric: final_trust.Russia.arab_league}\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(experiment), "--out", str(out), "--no-plots", "--quiet"]) == 0
    headline = headline_of(open_results(out))
    assert headline is not None
    cells = headline.cells
    # Three distinct sets (memory 0.91, 0.95, 0.99) drawn 30 times in all.
    assert cells["runs"].sum() == 3 and cells["n"].sum() == 30
    lone = cells[cells["runs"] == 1]
    assert len(lone) and lone["lo"].isna().all() and lone["hi"].isna().all()


def test_across_on_a_summary_sweep_is_refused_in_one_line(tmp_path, capsys):
    """`plot --across` of a sweep that recorded summaries only drew the other figures,
    exit 0, and said nothing of the one asked for (an outside check)."""
    tour = str(Path(__file__).resolve().parents[1] / "scenarios" / "tour.yaml")
    out = tmp_path / "sweep"
    vary = "parameters.trust.negativity_bias"
    argv = ["sweep", tour, "--vary", f"{vary}=1,2", "--reps", "1", "--out", str(out)]
    assert main([*argv, "--no-plots", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["plot", str(out), "--across", vary, "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"credsim: error: --across '{vary}' draws trust over time, and this sweep recorded "
        "its runs' summaries only (record: summary); run it again with --record series "
        "(a new results folder), or leave --across out\n"
    )
    assert not (tmp_path / "p").exists()


def test_a_grid_value_with_room_for_its_label_keeps_it():
    """A memory grid 0.9, 0.95, 0.98, 0.99, 1 on a panel where 0.98, 0.99 and 1 crowd
    each other was labelled at every second tick (0.9, 0.98, 1): 0.95, with room, had
    none (an outside check). Labels are now kept left to right where they have room,
    the first and the last always; the ticks stay."""
    import matplotlib.pyplot as plt

    from sim.plots.figure import crowded
    from sim.plots.sweeps import metric_panel

    values = [0.9, 0.95, 0.98, 0.99, 1.0]
    grid = pd.DataFrame({"scenario": "a", "x": np.repeat(values, 2), "m": np.arange(10.0)})
    fig, ax = plt.subplots(figsize=(3.2, 3.0))
    try:
        metric_panel(grid, "m", "x", ax=ax)
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert list(ax.get_xticks()) == values
        assert labels == ["0.9", "0.95", "0.98", "", "1"]
        assert not crowded(ax.get_xticklabels())
    finally:
        plt.close(fig)


def test_two_scenarios_the_design_makes_equal_are_said_to_differ_only_in_what_it_varies(
    tmp_path, capsys
):
    """A child of the tour setting negativity bias 3, in a grid over negativity bias, was
    refused with "scenarios 'a' and 'b' resolve to the same scenario" and no why (an
    outside check)."""
    tour = Path(__file__).resolve().parents[1] / "scenarios" / "tour.yaml"
    (tmp_path / "b.yaml").write_text(
        f"extends: {tour}\nparameters: {{trust: {{negativity_bias: 3}}}}\n"
    )
    experiment = tmp_path / "exp.yaml"
    experiment.write_text(
        f"name: dup\nscenarios: {{a: {tour}, b: b.yaml}}\n"
        "design: {method: grid, parameters: {parameters.trust.negativity_bias: [1, 2]}}\n"
    )
    assert main(["validate", str(experiment)]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {experiment}:2: scenarios.b: scenarios 'a' and 'b' resolve to the "
        "same scenario at the design point parameters.trust.negativity_bias=1.0: they differ "
        "only in what the design varies, which sets it in both; each scenario of an "
        "experiment must differ\n"
    )


def test_the_predictive_figure_warns_of_a_thin_variant_and_says_what_a_target_is():
    """The marginals' key warned of v2's 1.2 effective particles and the predictive
    figure, drawn from them, did not; its y label's "observed" covered two correlations
    whose "observed" is their target r of 1, which only checks.csv said (an outside
    check, decision 943)."""
    import matplotlib.pyplot as plt

    from sim.calibrate.figures import predictive_figure

    rows = [
        ("syria/gulf_no_warming", "observed", "v1"),
        ("syria/gulf_no_warming", "observed", "v2"),
        ("syria/initial_conditions", "target", "v1"),
        ("syria/initial_conditions", "target", "v2"),
    ]
    checks = pd.DataFrame(
        [
            {"role": "calibrate", "pattern": p, "variant": v, "tolerance": 0.1, "q05": 0.0,
             "q95": 0.2, "observed": 0.1, "discrepancy": 0.0, "observed_is": o}
            for p, o, v in rows
        ]
    )  # fmt: skip
    thin = {"v1": "", "v2": " (1.2 effective particles: read with care)"}
    fig = predictive_figure(checks, caption="A caption.", thin=thin)
    try:
        keys = [t.get_text() for t in fig.legends[0].get_texts()]
        assert "v1: median, 90% band" in keys
        assert "v2: median, 90% band (1.2 effective particles: read with care)" in keys
        said = [t.get_text() for t in fig.texts]
        assert (
            "A caption. For syria/initial_conditions, a correlation, 'observed' is its "
            "target r of 1, not a value read from the votes."
        ) in said
    finally:
        plt.close(fig)


def test_the_pairs_figure_has_a_key_of_point_sizes():
    """ "point size: weight" gave no scale (an outside check): a key of three sizes, the
    largest weight, half and a tenth of it, drawn as the points are."""
    import matplotlib.pyplot as plt

    from sim.calibrate.figures import pairs_figure
    from sim.calibrate.spec import load_calibration

    root = Path(__file__).resolve().parents[1]
    calibration = load_calibration(root / "calibrations" / "recovery.yaml", (), check_paths=False)
    free = calibration.free("default")
    rng = np.random.default_rng(2)
    particles = pd.DataFrame(
        {"generation": 1, "variant": "default", "weight": [0.5, 0.3, 0.2]}
        | {p: rng.uniform(q.low, q.high, 3) for p, q in free.items()}
    )
    fig = pairs_figure(particles, calibration, "default")
    try:
        (key,) = fig.legends
        assert [t.get_text() for t in key.get_texts()] == [
            "weight 0.5", "weight 0.25", "weight 0.05"
        ]  # fmt: skip
        sizes = [h.get_markersize() ** 2 for h in key.legend_handles]
        points = fig.axes[0].collections[0].get_sizes()
        assert sizes[0] == pytest.approx(points.max())  # the heaviest particle's size
        assert sizes == pytest.approx([64.0, 34.0, 10.0])
    finally:
        plt.close(fig)


def test_the_explorer_says_when_scenario_and_counterfactual_differ_in_a_parameter(tmp_path):
    """A saved scenario (negativity bias 3) loaded beside its counterfactual (2) compared
    the two without a word, and a slider moved with a counterfactual of its own 3.37 gave
    it the slider's value and a flat difference, silently (an outside check of the
    explorer). The page now says both, and nothing when the parameters agree."""
    import solara

    sys.path.insert(0, str(Path(__file__).parent))
    from test_explore import SMALL, infos, slider

    from sim.explore.app import Explorer

    own = tmp_path / "own.yaml"
    own.write_text(
        f"extends: {SMALL}\nname: own\nremove_events: [abandonment]\n"
        "parameters: {trust: {negativity_bias: 3.37}}\n",
        encoding="utf-8",
    )
    same = tmp_path / "same.yaml"
    same.write_text(
        f"extends: {SMALL}\nname: same\nremove_events: [abandonment]\n", encoding="utf-8"
    )
    _, rc = solara.render(Explorer(SMALL, str(same)), handle_error=False)
    assert not [i for i in infos(rc) if "differ in parameters" in i]
    _, rc = solara.render(Explorer(SMALL, str(own)), handle_error=False)
    assert (
        "The scenario and the counterfactual 'own' differ in parameters too, so the "
        "difference holds them as well as the events: negativity bias 2 against 3.37."
    ) in infos(rc)
    slider(rc, "negativity bias").v_model = 2.5
    assert (
        "The page's changes apply to both runs, so in the counterfactual negativity bias "
        "2.5 replaces its own 3.37."
    ) in infos(rc)


def test_the_explorer_names_its_changed_values_and_says_when_a_new_scenario_drops_them(
    tmp_path,
):
    """The status counted changed values without names, and loading another scenario (or
    a reload) dropped them without a word (an outside check of the explorer)."""
    import solara

    sys.path.insert(0, str(Path(__file__).parent))
    from test_explore import SMALL, button, infos, slider, texts, type_path

    from sim.explore.app import Explorer

    other = tmp_path / "other.yaml"
    other.write_text(f"extends: {SMALL}\nname: other\n", encoding="utf-8")
    _, rc = solara.render(Explorer(SMALL), handle_error=False)
    assert not [t for t in texts(rc) if t.startswith("Changed: ")]
    slider(rc, "negativity bias").v_model = 3.0
    assert (
        "Changed: negativity bias 3 (scenario 2). They live on this page only: a reload or "
        "another scenario drops them; 'save scenario' keeps them in a file."
    ) in texts(rc)
    type_path(rc, str(other))
    button(rc, "load").click()
    assert (
        f"Loading {other} dropped the 1 changed value of {SMALL}: the sliders hold the "
        "loaded scenario's values."
    ) in infos(rc)
    assert not [t for t in texts(rc) if t.startswith("Changed: ")]
    slider(rc, "negativity bias").v_model = 2.5
    assert not [i for i in infos(rc) if i.startswith("Loading ")]


def test_the_trust_charts_power_key_is_over_it_beside_a_counterfactual():
    """At 1366 x 768 the powers' key of the trust chart lay under its difference panel,
    below the window, while the chart was in view (an outside check of the explorer):
    with a difference panel the key goes over the two; alone, under the chart."""
    from sim.explore.figures import Line, trajectories_spec

    powers = ["Alpha", "Beta"]
    rows = [
        (step, month, "all", power, metric, 0.5)
        for step, month in enumerate(["2000-01", "2000-01", "2000-02"])
        for power in powers
        for metric in ("trust_mean", "affinity_mean")
    ]
    series = pd.DataFrame(rows, columns=["step", "date", "group", "power", "metric", "value"])
    events = pd.DataFrame(
        columns=["date", "label", "source", "kind", "actor", "target", "order", "when", "stack"]
    )

    def orients(spec):
        found = set()
        for chart in spec["vconcat"]:
            for layer in chart.get("layer", [chart]):
                for part in layer.get("layer", [layer]):
                    legend = part.get("encoding", {}).get("color", {}).get("legend")
                    if legend:
                        found.add(legend["orient"])
        return found

    run, cf = Line("run", series), Line("counterfactual", series)
    assert orients(trajectories_spec(run, cf, events, "all", powers)) == {"top"}
    assert orients(trajectories_spec(run, None, events, "all", powers)) == {"bottom"}
