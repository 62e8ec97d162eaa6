"""Sweeps: experiment files, designs, executors and the resumable results store.

``credsim sweep`` is :func:`cli_sweep`; the library entry points are
:func:`load_experiment` (or :func:`experiment_from_scenario`) and :func:`run_sweep`.
"""

from __future__ import annotations

from sim.sweep.experiment import Experiment, experiment_from_scenario, load_experiment, plan_runs
from sim.sweep.sweep import SweepOutcome, cli_sweep, default_folder, run_sweep

__all__ = [
    "Experiment",
    "SweepOutcome",
    "cli_sweep",
    "default_folder",
    "experiment_from_scenario",
    "load_experiment",
    "plan_runs",
    "run_sweep",
]
