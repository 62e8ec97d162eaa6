"""An outside check of `credsim compare` (decision 923): the bootstrap interval of a few
runs, and differences of rounding read as effects."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.analysis.comparison import (
    PAIRED,
    UNPAIRED,
    _difference_text,
    compare_cell,
)


def _runs(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"replicate": range(len(values)), "value": values})


def _row(cell: dict[str, object]) -> pd.Series:
    return pd.Series({"by": "", "a": "first", "b": "second", **cell})


def test_two_pairs_give_the_t_interval_first_and_say_the_bootstrap_is_too_narrow() -> None:
    """Two replicates gave "95% interval -0.05089 to -0.04911": the percentile bootstrap of
    two differences can only return them, six times narrower than the report's t interval
    of the same runs."""
    a = _runs([0.50, 0.60])
    b = _runs([0.45, 0.5518])  # differences -0.05 and -0.0482
    cell = compare_cell(a, b, ["replicate"])
    assert cell["pairing"] == PAIRED
    d = np.array([-0.05, -0.0482])
    # The bootstrap's percentile bounds are the two differences themselves.
    assert cell["ci_low"] == pytest.approx(d.min(), abs=1e-12)
    assert cell["ci_high"] == pytest.approx(d.max(), abs=1e-12)
    # Student t with one degree of freedom: 12.706 standard errors either side.
    half = 12.7062047361747 * np.std(d, ddof=1) / math.sqrt(2)
    assert cell["t_low"] == pytest.approx(d.mean() - half, rel=1e-9)
    assert cell["t_high"] == pytest.approx(d.mean() + half, rel=1e-9)
    text = _difference_text(_row(cell))
    assert "95% t interval -0.0605 to -0.0377" in text, text
    assert "the bootstrap's -0.0500 to -0.0482 is too narrow with 2 pairs" in text, text


def test_ten_pairs_keep_the_bootstrap_interval_alone() -> None:
    rng = np.random.default_rng(3)
    first = rng.normal(0.5, 0.05, 10)
    cell = compare_cell(_runs(list(first)), _runs(list(first + 0.1)), ["replicate"])
    text = _difference_text(_row(cell))
    assert "; 95% interval " in text and "t interval" not in text, text


def test_a_few_unpaired_runs_give_welchs_interval() -> None:
    a, b = [0.1, 0.2, 0.4], [0.5, 0.9]
    cell = compare_cell(_runs(a), _runs(b), [])
    assert cell["pairing"] == UNPAIRED
    # Welch: the variances apart, Welch-Satterthwaite degrees of freedom.
    va, vb = np.var(a, ddof=1) / 3, np.var(b, ddof=1) / 2
    df = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 1)
    from scipy.special import stdtrit

    half = stdtrit(df, 0.975) * math.sqrt(va + vb)
    diff = np.mean(b) - np.mean(a)
    assert cell["t_low"] == pytest.approx(diff - half, rel=1e-9)
    assert cell["t_high"] == pytest.approx(diff + half, rel=1e-9)
    assert "too narrow with 3 and 2 runs" in _difference_text(_row(cell))


def test_differences_within_1e_12_are_none() -> None:
    """Two folders of the same runs made by the two engines differed by about 1e-17: the
    table gave Wilcoxon p = 0.16, the terminal a change of sign across the design points
    and the figure "0.000000000000 (paired; 95% interval 0.000000000000 to ...)"."""
    values = [0.51, 0.52, 0.53, 0.54, 0.55, 0.56]
    # One unit in the last place up or down (about 1e-16), or none.
    towards = [1.0, 0.0, None, 1.0, None, 0.0]
    first = _runs(values).assign(point=[0, 0, 0, 1, 1, 1])
    second = first.assign(
        value=[v if t is None else np.nextafter(v, t) for v, t in zip(values, towards, strict=True)]
    )
    cell = compare_cell(first, second, ["point", "replicate"])
    assert cell["difference"] == 0.0
    assert cell["zeroed"] == 4
    assert math.isnan(float(cell["p_value"]))  # type: ignore[arg-type]
    assert cell["point_low"] == 0.0 and cell["point_high"] == 0.0
    text = _difference_text(_row(cell))
    assert (
        ": 0 (paired; 95% interval 0 to 0; no wilcoxon p: every difference is 0 within 1e-12)"
        in text
    ), text
    # A real difference beside them is kept.
    second.loc[5, "value"] += 1e-6
    assert compare_cell(first, second, ["point", "replicate"])["zeroed"] == 3


def test_a_sweep_stopped_before_any_run_was_kept_is_neither_compared_nor_drawn(
    tmp_path, capsys
) -> None:
    """A sweep sent SIGTERM as its manifest appeared: compare said "its 0 runs failed;
    their errors are in the 'error' column" (none ran), and plot drew "0 figures", a page
    without one, exit 0 (an outside check, decision 923)."""
    from pathlib import Path

    from sim.cli import main
    from sim.sweep import load_experiment, run_sweep

    def stop(scenario, seed, record):
        raise KeyboardInterrupt

    grid = Path(__file__).parent / "data" / "sweep" / "grid.yaml"
    folder = tmp_path / "sweep"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(grid, record="series"), folder, run_fn=stop, quiet=True)
    before = sorted(p.name for p in folder.rglob("*"))
    capsys.readouterr()
    assert main(["compare", str(folder), "--out", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "has no finished run to compare: no run of it has been kept yet" in err, err
    assert "failed" not in err and "run its command again" in err, err
    assert main(["plot", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"credsim: error: '{folder}' has no finished run to draw: "), err
    assert "run its command again" in err
    assert sorted(p.name for p in folder.rglob("*")) == before  # nothing written
    assert not (tmp_path / "c").exists()


def test_a_summary_sweeps_page_says_why_it_has_no_trajectories(tmp_path) -> None:
    """The page of a summary sweep drew its sweep figures and said nothing of the
    trajectory and alignment figures README lists first (an outside check)."""
    from pathlib import Path

    from sim.plots.report import write_report
    from sim.sweep import load_experiment, run_sweep

    grid = Path(__file__).parent / "data" / "sweep" / "grid.yaml"
    pages = {}
    for record in ("summary", "series"):
        folder = tmp_path / record
        run_sweep(load_experiment(grid, record=record), folder, quiet=True)
        pages[record] = write_report(folder).read_text()
    said = (
        "recorded its runs&#x27; summaries only (record: summary); run it again with "
        "--record series"
    )
    assert said in pages["summary"]
    assert "<img" in pages["summary"]  # its sweep figures are drawn
    assert said not in pages["series"]


TINY = Path(__file__).parent / "data" / "sweep" / "tiny.yaml"


def _tiny_sweep(out: Path, *more: str) -> list[str]:
    argv = ["sweep", str(TINY), "--vary", "parameters.trust.memory=0.9,0.95", "--reps", "2"]
    return [*argv, "--out", str(out), "--executor", "serial", "--quiet", *more]


def test_ctrl_c_while_a_sweep_draws_says_its_runs_are_all_kept_and_how_to_draw(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C after every run finished, as the figures were drawn, said "the 4 finished
    runs are kept in OUT: run the same command again to go on from them": nothing was left
    to run; the figures were (an outside check, decision 923)."""
    import sim.plots.report
    from sim.cli import main

    def stop(path: Path, data: bytes) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.plots.report, "atomic_write_bytes", stop)
    out = tmp_path / "out"
    assert main(_tiny_sweep(out)) == 130
    assert capsys.readouterr().err == (
        f"credsim: interrupted while it drew the figures; all 4 runs finished and are kept "
        f"in {out}: 'credsim plot {out}' (or the same command again) draws the figures and "
        "the report page\n"
    )


def _stopped_after_two(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tiny sweep into ``out``, stopped by Ctrl-C as its third run starts (2 of its 4
    runs kept); its runs are the real ones again after."""
    import sim.sweep.sweep as sweep_module
    from sim.cli import main

    calls = []
    real = sweep_module.run_scenario

    def run(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "run_scenario", run)
    assert main(_tiny_sweep(out, "--no-plots")) == 130
    monkeypatch.setattr(sweep_module, "run_scenario", real)


def test_ctrl_c_as_a_resumed_sweep_starts_says_the_runs_it_holds_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sweep stopped after 2 of its 4 runs, then run again and stopped as its workers
    started, was told "interrupted before the sweep's runs began; run the same command
    again", not that its 2 runs are kept (an outside check, decision 923)."""
    from sim.cli import main

    out = tmp_path / "out"
    _stopped_after_two(out, monkeypatch)
    capsys.readouterr()

    def results(self: Any, tasks: Any) -> Any:
        raise KeyboardInterrupt

    from sim.sweep.executors import SerialExecutor

    monkeypatch.setattr(SerialExecutor, "results", results)
    assert main(_tiny_sweep(out, "--no-plots")) == 130
    assert capsys.readouterr().err == (
        f"credsim: interrupted; the 2 finished runs are kept in {out}: run the same command "
        "again to go on from them\n"
    )


def test_check_tells_a_calibration_with_a_figure_missing_to_run_its_command_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check` of a calibration whose one figure was deleted said "repair it by removing
    the folder and running the calibration again" (the joint one takes 25 minutes), though
    its command draws the figures again and keeps its generations (decision 918; an
    outside check, decision 923). A damaged table still needs the folder removed."""
    import json

    from sim.calibrate.run import run_calibration
    from sim.calibrate.spec import load_calibration
    from sim.calibrate.toy import PARAMETER, BinomialProblem
    from sim.cli import main

    (tmp_path / "toy.yaml").write_text("{}\n")
    (tmp_path / "cal.yaml").write_text(
        "name: toy\npatterns: [toy.yaml]\n"
        f"parameters: {{{PARAMETER}: {{low: 0, high: 1}}}}\n"
        "population: 100\nmax_simulations: 3000\nmin_epsilon: 0.5\nseed: 3\npredictive: 20\n"
    )
    cal = load_calibration(tmp_path / "cal.yaml", (), check_paths=False)
    out = tmp_path / "out"
    run_calibration(cal, BinomialProblem(), out, workers=1, quiet=True)
    manifest = out / "manifest.json"
    data = json.loads(manifest.read_text())
    data["command"] = ["credsim", "calibrate", "cal.yaml", "--out", str(out), "--no-plots"]
    data["cwd"] = str(Path.cwd())
    manifest.write_text(json.dumps(data))
    next((out / "figures").glob("*.png")).unlink()
    capsys.readouterr()
    assert main(["check", str(out)]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == (
        "damaged: 1 problem(s); repair it by running the calibration's command again, which "
        "keeps its generations and draws its figures and report page again: credsim "
        f"calibrate cal.yaml --out {out}"
    ), last
    (out / "summary.csv").write_text("x\n")
    assert main(["check", str(out)]) == 1
    assert "repair it by removing the folder" in capsys.readouterr().out


def test_a_signal_as_the_sweep_consolidates_its_runs_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A signal during the last chunk's commit or runs.parquet's consolidation was told
    "interrupted before the sweep's runs began" of 532 runs kept, and left the manifest
    "running" (an outside check; decision 997). The consolidation now finishes first: the
    folder is complete, and the line says so."""
    import os
    import signal

    from sim.cli import main
    from sim.sweep.store import Store

    finish = Store.finish

    def interrupted(self: Store, buffer: list[Any]) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C comes, in the middle of it
        finish(self, buffer)

    monkeypatch.setattr(Store, "finish", interrupted)
    out = tmp_path / "out"
    assert main(_tiny_sweep(out, "--no-plots")) == 130
    assert capsys.readouterr().err == (
        f"credsim: interrupted after the sweep had finished: all 4 runs are kept in {out}, "
        "and nothing is left to run\n"
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["counts"]["done"] == 4


def test_a_sweep_resumed_on_other_code_says_so_and_records_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sweep stopped after 2 of its 4 runs and run again after a `git pull` mixed the two
    versions' runs without a word, under a manifest naming the last commit only (an
    outside check; decision 997). It is said, and the manifest keeps the earlier commit
    under 'git_earlier'; the same code says nothing."""
    from sim.cli import main

    out = tmp_path / "out"
    _stopped_after_two(out, monkeypatch)
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    now = manifest["git"]
    # The earlier call's code, as another checkout's would be.
    earlier = {"commit": "0" * 40, "dirty": False}
    path.write_text(json.dumps({**manifest, "git": earlier, "code_sha256": "1" * 64}))
    capsys.readouterr()
    assert main(_tiny_sweep(out, "--no-plots")) == 0
    err = capsys.readouterr().err
    if now.get("commit") is None:
        pytest.skip("the code is not in a git checkout here: no commit to compare")
    assert (
        f"credsim: warning: the 2 runs {out} holds were made by other code (commit "
        f"000000000000); this call's is commit {now['commit'][:12]}" in err
    )
    assert "the sweep's results will mix the two versions" in err
    after = json.loads(path.read_text())
    assert after["git"] == now and after["status"] == "complete"
    assert after["git_earlier"] == [
        {**earlier, "code_sha256": "1" * 64, "credsim": manifest["credsim"]}
    ]
    assert after["code_sha256"] == manifest["code_sha256"]


def _resumed_after(
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    git: dict[str, object],
    code: str,
) -> str:
    """A sweep stopped after 2 of its 4 runs, its manifest's code changed to ``git`` and
    ``code`` as an earlier call's would be, then run again: what it says."""
    from sim.cli import main

    _stopped_after_two(out, monkeypatch)
    path = out / "manifest.json"
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps({**manifest, "git": git, "code_sha256": code}))
    capsys.readouterr()
    assert main(_tiny_sweep(out, "--no-plots")) == 0
    return capsys.readouterr().err


def test_a_sweep_resumed_after_uncommitted_changes_to_the_code_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An edit of the model's code between a stop and its resume, at the same commit, mixed
    two models' runs and nothing said so: the commits were compared, not the code
    (decision 1002). The sim package's SHA-256 is compared now."""
    from sim import provenance

    now = provenance.git_info()
    err = _resumed_after(tmp_path / "out", monkeypatch, capsys, now, "2" * 64)
    if now.get("commit") is None:
        assert "made by other code (a copy outside git)" in err
    else:
        assert (
            f"made by other code (commit {now['commit'][:12]} with other uncommitted changes)"
            in err
        )
    assert "the sweep's results will mix the two versions" in err


def test_a_sweep_resumed_at_another_commit_with_the_same_code_says_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A commit that changes no file of the sim package (docs, tests) makes the same runs:
    the resume does not warn of it, and the manifest records no earlier code."""
    from sim import provenance

    out = tmp_path / "out"
    err = _resumed_after(
        out, monkeypatch, capsys, {"commit": "0" * 40, "dirty": False}, provenance.code_digest()
    )
    assert "made by other code" not in err
    assert "git_earlier" not in json.loads((out / "manifest.json").read_text())


def test_check_says_a_report_drawn_before_the_last_runs_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sweep stopped after 2 of its 4 runs, drawn by `plot`, then finished with
    --no-plots: `check` said "ok ... complete, 4 of 4 runs" with no word that report.html
    still read "Incomplete" (an outside check; decision 999). It says so; after `plot`
    draws the page again, it says nothing."""
    from sim.cli import main

    out = tmp_path / "out"
    _stopped_after_two(out, monkeypatch)
    assert main(["plot", str(out)]) == 0
    assert "Incomplete" in (out / "report.html").read_text()
    assert main(_tiny_sweep(out, "--no-plots")) == 0
    capsys.readouterr()
    assert main(["check", str(out)]) == 0
    said = capsys.readouterr().out
    assert "complete, 4 of 4 runs" in said
    assert (
        "note: its report.html was drawn before its last runs were written, and shows the "
        f"sweep as it was then; 'credsim plot {out}' draws it again"
    ) in said
    assert main(["plot", str(out)]) == 0
    capsys.readouterr()
    assert main(["check", str(out)]) == 0
    assert "report.html was drawn before" not in capsys.readouterr().out


def test_check_does_not_call_a_page_stale_after_a_repair_rebuilds_the_same_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A byte of runs.parquet flipped, the sweep's command run again: it rebuilds the file
    from its parts, byte for byte, and draws nothing; by the files' times `check` then
    said the page was drawn before its last runs, which it was not (an outside check,
    decision 1012). The page records the runs it was drawn from."""
    from sim.cli import main

    out = tmp_path / "out"
    assert main(_tiny_sweep(out)) == 0
    runs = out / "runs.parquet"
    before = runs.read_bytes()
    damaged = bytearray(before)
    damaged[len(damaged) // 2] ^= 0xFF
    runs.write_bytes(bytes(damaged))
    assert main(_tiny_sweep(out)) == 0
    assert runs.read_bytes() == before  # rebuilt as it was
    capsys.readouterr()
    assert main(["check", str(out)]) == 0
    said = capsys.readouterr().out
    assert "ok" in said and "report.html was drawn before" not in said


def test_check_tells_an_edited_manifests_owner_apart_from_damage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """manifest.json's identity edited: `check` said to run the command that wrote the
    folder again, and that command refused the folder as another experiment's (an
    outside check, decision 1012). It now says the manifest was edited or replaced."""
    from sim.cli import main

    out = tmp_path / "out"
    said = _checked_after_editing(out, capsys, identity="0" * 64)
    assert "integrity.json: names another owner than manifest.json" in said
    assert (
        "its manifest.json was edited or replaced after its runs were written: put back the "
        "manifest the folder was written with, or run its command again with another --out"
    ) in said
    # As the hint says, the command refuses this folder.
    assert main(_tiny_sweep(out, "--no-plots")) == 2


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("seed", 1, "its 'seed' is 1 where its resolved experiment says"),
        ("replicates", 7, "its 'replicates' is 7 where its resolved experiment says 2"),
    ],
)
def test_check_finds_a_manifest_that_contradicts_its_resolved_experiment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str, value: int, said: str
) -> None:
    """A seed edited in manifest.json kept its shape: `check` said "ok", and `analyze`
    read the edited seed (an outside check, decision 1012). The manifest says it twice,
    at its top and in the resolved experiment its identity hashes: they must agree."""
    assert said in _checked_after_editing(tmp_path / "out", capsys, **{field: value})


def _checked_after_editing(out: Path, capsys: pytest.CaptureFixture[str], **fields: object) -> str:
    """A finished sweep in ``out``, its manifest's ``fields`` edited: what `check` says
    (it finds the folder damaged, exit 1)."""
    from sim.cli import main

    assert main(_tiny_sweep(out, "--no-plots")) == 0
    path = out / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **fields}))
    capsys.readouterr()
    assert main(["check", str(out)]) == 1
    return capsys.readouterr().out
