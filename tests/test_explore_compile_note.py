"""The explorer's status line says when its runs waited for numba's one-time compile.

With an empty numba cache and ``--engine fast`` the page showed Solara's spinner about
70 s, then "runs took 57656 ms on the fast engine", no word that this was the compile
that `credsim run` says (sim.runner.engine_note) and that later runs skip.
"""

from __future__ import annotations

from typing import Any

import pytest

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from numba import njit  # noqa: E402
from test_explore import SMALL, texts  # noqa: E402
from test_explore_review_952 import type_in  # noqa: E402

from sim.explore.app import Explorer, run, runs_took  # noqa: E402
from sim.explore.engine import mesa_engine  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402


class CompilingOnce:
    """An engine that compiles a kernel of its own (not cached) on its first run, as the
    fast engine does with an empty cache, then runs the mesa model."""

    def __init__(self) -> None:
        @njit(cache=False)
        def kernel(x: float) -> float:
            return x * 2.0 + 1.0

        self.kernel = kernel

    def __call__(self, scenario: Scenario, seed: int) -> Any:
        self.kernel(float(seed))
        return mesa_engine(scenario, seed)


def status(rc: Any) -> str:
    (line,) = [t for t in texts(rc) if "runs took" in t]
    return line


def test_the_wording_says_the_compile_as_the_cli_does() -> None:
    assert runs_took(57.656, 57.2, "fast") == (
        "runs took 57656 ms on the fast engine, numba's one-time compile included "
        "(57.20 s compiling the engine, once: later runs load it from numba's cache)"
    )
    assert runs_took(3.5, 3.0, "mesa") == (
        "runs took 3500 ms on the mesa engine, numba's one-time compile included "
        "(3.00 s compiling numba's kernels, once: later runs load them from numba's cache)"
    )
    # Kernels from the cache: nothing compiled, nothing said (as the CLI's threshold).
    assert runs_took(0.19, 0.0, "fast") == "runs took 190 ms on the fast engine"
    assert runs_took(0.19, 0.004, "mesa") == "runs took 190 ms on the mesa engine"
    assert runs_took(0.19, 0.0, "") == "runs took 190 ms"


def test_a_run_times_the_compile_it_waited_for() -> None:
    base = load_scenario(SMALL)
    engine = CompilingOnce()
    first = run(base, {}, 0, engine)
    assert first.error == ""
    assert 0.005 <= first.compiling <= first.seconds
    again = run(base, {}, 0, engine)
    assert again.compiling == 0.0


def test_the_page_says_the_compile_of_its_first_run_only() -> None:
    _, rc = solara.render(Explorer(SMALL, engine=CompilingOnce()), handle_error=False)
    first = status(rc)
    assert "numba's one-time compile included" in first, first
    assert "later runs load them from numba's cache)" in first, first
    type_in(rc, "negativity bias", "2.37")
    after = status(rc)
    assert after.startswith("1 changed from the scenario; runs took "), after
    assert "compile" not in after, after
