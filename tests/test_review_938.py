"""Decision 938: what this session's outside checks found, mended."""

from __future__ import annotations

import html

import pandas as pd
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


def test_the_first_point_of_a_line_is_said_to_be_the_initial_state_drawn_a_step_early():
    """Step 0 and step 1 share the calendar's start date in the tables; the figures draw
    step 0 one step earlier, so a line seemed to start before the calendar, and no
    caption said why (an audit, decision 934's check)."""
    from sim.plots.figure import initial_note, step_times

    monthly = _steps(["2020-01", "2020-01", "2020-02", "2020-03"])
    # What the figure draws: step 0 one month before the start.
    assert step_times(monthly).dt.strftime("%Y-%m").iloc[0] == "2019-12"
    assert initial_note(monthly) == (
        "A line's first point, at 2019-12, is the initial state: the tables date it "
        "2020-01 with the first step's end, and the figure draws it one month earlier."
    )
    quarterly = _steps(["1990-01", "1990-01", "1990-04"])
    assert "at 1989-10, " in initial_note(quarterly)
    assert "one quarter earlier" in initial_note(quarterly)
    yearly = _steps(["1960-01", "1960-01", "1961-01"])
    assert "at 1959-01, " in initial_note(yearly) and "one year earlier" in initial_note(yearly)
    # Two scenarios whose first steps differ: no one month to name.
    both = pd.concat([monthly, _steps(["2021-01", "2021-01", "2021-02"], "t")])
    assert initial_note(both) == ""
    assert initial_note(monthly[monthly["step"] > 0]) == ""


def test_a_runs_trajectory_and_alignment_captions_say_where_the_first_point_sits(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "tour"
    assert main(["run", str(root / "scenarios" / "tour.yaml"), "--out", str(out)]) == 0
    lines = (out / "plots" / "captions.md").read_text().splitlines()
    said = "A line's first point, at 2019-12, is the initial state"
    for stem in ("trust_trajectories", "alignment"):
        (line,) = [ln for ln in lines if f"`{stem}" in ln]
        assert said in line
