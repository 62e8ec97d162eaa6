"""How the explorer runs a scenario: a pluggable function, scenario and seed -> tidy series.

The default runs :class:`sim.model.CredibilityModel` through
:func:`sim.runner.run_scenario` (the same run as ``credsim run --seed N``:
replicate 0 of seed ``N``); ``credsim explore --engine fast`` runs the compiled
engine, which gives the same series (decision 607). Another engine only has to
provide the same signature and return the same tidy series (model.md section 7).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from sim.scenario.schema import Scenario

Engine = Callable[[Scenario, int], pd.DataFrame]


def mesa_engine(scenario: Scenario, seed: int) -> pd.DataFrame:
    """Run ``scenario`` with the mesa model and return its tidy series."""
    return _series(scenario, seed, "mesa")


def fast_engine(scenario: Scenario, seed: int) -> pd.DataFrame:
    """Run ``scenario`` with the compiled engine and return its tidy series."""
    return _series(scenario, seed, "fast")


def _series(scenario: Scenario, seed: int, engine: str) -> pd.DataFrame:
    from sim.compiling import CompileTimer
    from sim.runner import run_scenario

    # The first page after a fresh clone waits for the compile: said on the terminal
    # that runs `credsim explore` (decision 725).
    with CompileTimer(announce=True):
        series = run_scenario(scenario, seed, "series", engine=engine).series
    assert series is not None  # record="series" always returns it
    return series


#: The run function of each name ``credsim explore --engine`` takes (sim.options.ENGINES).
ENGINE_NAMED: dict[str, Engine] = {"mesa": mesa_engine, "fast": fast_engine}
