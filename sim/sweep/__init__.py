"""Sweeps: experiment files, designs, executors and the resumable results store.

``credsim sweep`` is :func:`cli_sweep`; the library entry points are
:func:`load_experiment` (or :func:`experiment_from_scenario`) and :func:`run_sweep`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.sweep.experiment import (
        Experiment,
        experiment_from_scenario,
        load_experiment,
        plan_runs,
    )
    from sim.sweep.sweep import SweepOutcome, cli_sweep, default_folder, run_sweep

# Where each name is, imported when it is first asked for: a module of the package
# (sim.sweep.progress, sim.sweep.design) is then imported without the sweep itself, which
# brings in the model and mesa (decision 876).
_WHERE = {
    "Experiment": "sim.sweep.experiment",
    "experiment_from_scenario": "sim.sweep.experiment",
    "load_experiment": "sim.sweep.experiment",
    "plan_runs": "sim.sweep.experiment",
    "SweepOutcome": "sim.sweep.sweep",
    "cli_sweep": "sim.sweep.sweep",
    "default_folder": "sim.sweep.sweep",
    "run_sweep": "sim.sweep.sweep",
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'sim.sweep' has no attribute {name!r}")
    return getattr(importlib.import_module(_WHERE[name]), name)


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
