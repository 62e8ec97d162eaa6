"""Importing this module loads the fast engine's machine code into the process.

The sweep's fork server imports it (``set_forkserver_preload``), so every
worker it forks starts with the compiled step loop loaded from numba's cache
instead of loading it again on its first run (about half a second each).

:func:`~sim.fast.engine.warm_up` runs a scenario without ties that starts
from the priors. Scenarios starting at the network's equilibrium call its
kernel too: a second warm-up, with ties and that start, loads it here, not in
each worker's first run (about 50 ms a worker, measured on Syria). Tie weights
are float64 with or without ties (decision 272), so both runs call the step
loop with one signature.

On a cold cache (a fresh checkout, or the engine's code changed) this import
compiles the engine, about a minute, in the fork server: :data:`COMPILING`
keeps how long, and each worker forked from it tells its sweep
(``sim.sweep.executors``), which then says it (decision 723).
"""

from __future__ import annotations

from typing import Any

from sim.compiling import CompileTimer
from sim.fast.engine import WARM_UP_SCENARIO, FastModel, warm_up

NETWORK_WARM_UP_SCENARIO: dict[str, Any] = {
    **WARM_UP_SCENARIO,
    "name": "warm_up_network",
    "states": {"S": {"region": "r", "aligned": "A"}, "T": {"region": "q"}},
    "network": {"initial": "equilibrium", "ties": [["S", "T", 2.0]]},
}

with CompileTimer(announce=True) as _timer:
    warm_up()
    FastModel(NETWORK_WARM_UP_SCENARIO, rng=0, record="summary").run().summary()

# Seconds this import spent compiling the engine (0 when it came from numba's cache).
COMPILING = _timer.seconds
