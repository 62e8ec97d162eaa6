"""How commands start: ``credsim sweep`` and ``credsim calibrate`` start their fork server
before their own imports (decisions 875, 885), and a command that runs no model does not
import it (decision 876).

The server imports the model and the fast engine's machine code (about a
second); started as soon as the options are read, its imports run beside the
command's. Each case runs the command in a process of its own, with
``multiprocessing.forkserver.ensure_running`` recording whether the sweep's or the
calibration's modules were imported when the server was started.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

DATA = Path(__file__).parent / "data" / "sweep"

SCRIPT = """
import sys
from multiprocessing import forkserver

started = []
ensure_running = forkserver.ensure_running
def recorded():
    imported = any(m in sys.modules for m in ("sim.sweep", "sim.calibrate.run", "pyabc"))
    ensure_running()
    started.append(f"{imported}:{forkserver._forkserver._forkserver_pid}")
forkserver.ensure_running = recorded

from sim.cli import main

if __name__ == "__main__":
    code = main(sys.argv[1:])
    print("STARTED", *started)
    print("EXIT", code)
"""

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the fork server is started on Linux"
)


def _sweep(tmp_path: Path, *options: str, experiment: Path = DATA / "grid.yaml") -> list[str]:
    script = tmp_path / "sweep_command.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), "sweep", str(experiment), "--out", str(tmp_path / "out"),
         "--quiet", "--no-plots", *options],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    started = next(line for line in lines if line.startswith("STARTED")).split()[1:]
    assert lines[-1] == "EXIT 0", done.stdout + done.stderr
    return started


def test_a_process_sweep_starts_its_fork_server_before_importing_the_sweep(tmp_path):
    # The server was started with sim.sweep not yet imported; the sweep's pool asked
    # for it again and found the same one running, and its 36 runs finished.
    started = _sweep(tmp_path, "--workers", "2")
    first, server = started[0].split(":")
    assert first == "False" and len(started) == 2 and started[1] == f"True:{server}"
    assert len(__import__("pandas").read_parquet(tmp_path / "out" / "runs.parquet")) == 36


@pytest.mark.parametrize(
    "options", [("--workers", "1"), ("--executor", "serial")], ids=["one worker", "serial"]
)
def test_a_sweep_without_process_workers_starts_no_fork_server(tmp_path, options):
    assert _sweep(tmp_path, *options) == []


def _calibrate(tmp_path: Path, *options: str) -> list[str]:
    from test_calibrate_patterns import small_set, votes_folder

    path = small_set(
        tmp_path, {"link.beta": {"low": 0, "high": 2}}, population=20, max_simulations=40,
        predictive=2,
    )  # fmt: skip
    script = tmp_path / "calibrate_command.py"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), "calibrate", str(path), "--out", str(tmp_path / "out"),
         "--votes", str(votes_folder()), "--quiet", "--no-plots", *options],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[-1] == "EXIT 0", done.stdout + done.stderr
    assert (tmp_path / "out" / "summary.csv").is_file()
    return next(line for line in lines if line.startswith("STARTED")).split()[1:]


def test_a_process_calibration_starts_its_fork_server_before_importing_the_calibration(
    tmp_path,
):
    # Started before the calibration's modules and pyabc were imported; its workers asked
    # for it again and found the same one running (decision 885).
    started = _calibrate(tmp_path)
    first, server = started[0].split(":")
    assert first == "False" and started[1:] == [f"True:{server}"] * (len(started) - 1)
    assert len(started) >= 2


def test_a_calibration_on_one_worker_starts_no_fork_server(tmp_path):
    assert _calibrate(tmp_path, "--workers", "1") == []


def test_a_refused_experiment_leaves_no_fork_server_behind(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text((DATA / "grid.yaml").read_text().replace("replicates: 3", "replicates: -3"))
    for name in ("tiny.yaml", "tiny_abstained.yaml"):
        (tmp_path / name).write_text((DATA / name).read_text())
    script = tmp_path / "sweep_command.py"
    script.write_text(SCRIPT)
    command = subprocess.Popen(
        [sys.executable, str(script), "sweep", str(bad), "--workers", "2", "--no-plots"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    out, err = command.communicate(timeout=300)
    assert out.splitlines()[-1] == "EXIT 2", out + err
    assert out.splitlines()[-2].startswith("STARTED False:"), out
    assert len(err.strip().splitlines()) == 1 and "replicates" in err, err
    # The server, started before the file was read, dies with the command (PDEATHSIG).
    deadline = time.monotonic() + 10
    while (left := _in_session(command.pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []


def _in_session(session: int) -> list[str]:
    """The live processes of ``session`` (a zombie waits for its reaping: not counted)."""
    left = []
    for process in psutil.process_iter(["pid", "status", "cmdline"]):
        try:
            same = os.getsid(process.pid) == session
        except OSError:
            continue
        if same and process.info["status"] != psutil.STATUS_ZOMBIE:
            left.append(" ".join(process.info["cmdline"] or []))
    return left


@pytest.mark.parametrize("command", ["plot", "compare", "analyze", "validate", "check"])
def test_commands_that_run_no_model_do_not_import_mesa(command):
    """Importing any module of ``sim.sweep`` imported the whole package, the model and
    mesa with it (0.4 s): `credsim plot` paid for them to draw a folder's figures
    (decision 876). A command that runs no model now imports neither. Nor numba
    (0.15-0.25 s), which `sim.metrics` and `sim.compiling` imported for the results'
    readers and the report's progress line (decision 883)."""
    done = subprocess.run(
        [sys.executable, "-c",
         "import sys; from sim.cli import _dispatch; _dispatch(sys.argv[1]); "
         "print(sorted(m for m in ('mesa', 'sim.model', 'sim.runner', 'numba') "
         "if m in sys.modules))",
         command],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert done.stdout.split("\n")[-2] == "[]", done.stdout + done.stderr


def test_the_sweep_package_still_gives_its_names():
    import sim.sweep
    from sim.sweep import cli_sweep, executors, load_experiment, run_sweep

    assert run_sweep.__module__ == "sim.sweep.sweep" and cli_sweep.__module__ == "sim.sweep.sweep"
    assert load_experiment.__module__ == "sim.sweep.experiment"
    assert executors.__name__ == "sim.sweep.executors"
    with pytest.raises(AttributeError, match="no attribute 'run_swep'"):
        sim.sweep.run_swep  # noqa: B018
