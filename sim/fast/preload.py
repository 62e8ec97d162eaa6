"""Importing this module loads the fast engine's machine code into the process.

The sweep's fork server imports it (``set_forkserver_preload``), so every
worker it forks starts with the compiled step loop loaded from numba's cache
instead of loading it again on its first run (about half a second each).
"""

from __future__ import annotations

from sim.fast.engine import warm_up

warm_up()
