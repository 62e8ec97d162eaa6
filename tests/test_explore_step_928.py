"""A change of a value keeps the step-through's step (decision 928)."""

from __future__ import annotations

import pytest

solara = pytest.importorskip("solara")
pytest.importorskip("ipyvuetify")

from test_explore import SMALL, button, slider, texts  # noqa: E402

from sim.explore.app import Explorer  # noqa: E402


def _status(rc: object) -> str:
    (said,) = [t for t in texts(rc) if t.startswith("step ")]
    return said


def test_a_sliders_move_keeps_the_step_the_page_was_at() -> None:
    """A slider's move sent the step-through back to "step 0 of 156, the start" (an
    outside review in Chromium), where a researcher compares the network at one date
    before and after a change. The new run is taken to the same step: what it shows is
    what the same steps from the start show at the new value."""
    _, rc = solara.render(Explorer(SMALL), handle_error=False)
    for _ in range(3):
        button(rc, "Step").click()
    assert _status(rc).startswith("step 3 of 12, 2001-03: ")
    slider(rc, "negativity bias").v_model = 3.0
    kept = _status(rc)
    assert kept.startswith("step 3 of 12, 2001-03: "), kept
    # The same value set at step 0 and stepped three times from there.
    _, fresh = solara.render(Explorer(SMALL), handle_error=False)
    slider(fresh, "negativity bias").v_model = 3.0
    assert _status(fresh).startswith("step 0 of 12, the start")
    for _ in range(3):
        button(fresh, "Step").click()
    assert _status(fresh) == kept
    # Reset still starts again.
    button(rc, "Reset").click()
    assert _status(rc).startswith("step 0 of 12, the start")
