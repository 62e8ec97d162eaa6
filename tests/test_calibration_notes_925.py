"""A calibration says when its posterior switches the link off (decision 925)."""

from __future__ import annotations

import math

import pandas as pd

from sim.calibrate.run import link_off_notes


def _summary(q95: float, truth: float = math.nan, low: float = 0.0) -> pd.DataFrame:
    # The joint calibration's rows (results/calibrate/joint, validation.md's table).
    return pd.DataFrame(
        [
            ("v1", "parameters.trust.memory", 0.967, 0.861, 0.996, 0.85, 0.999, truth),
            ("v1", "link.beta", 0.003, 0.0, q95, low, 2.0, truth),
            ("v2", "link.beta", 0.002, 0.0, 0.037, low, 2.0, truth),
        ],
        columns=["variant", "parameter", "median", "q05", "q95", "prior_low", "prior_high",
                 "truth"],
    )  # fmt: skip


def test_a_beta_at_its_priors_zero_is_said_to_switch_the_link_off() -> None:
    """The joint calibration's beta is 0.003 [0.000, 0.053] and 0.002 [0.000, 0.037] of a
    prior 0-2: validation.md explains that the link is then off and the other parameters
    unidentified, but the calibration's report said nothing of it (an outside check)."""
    notes = link_off_notes(_summary(0.053))
    assert len(notes) == 1
    assert notes[0].startswith(
        "the link's beta goes to 0, the low end of its prior 0 to 2 (v1: median 0.003, 90% "
        "interval 0.000 to 0.053; v2: median 0.002, 90% interval 0.000 to 0.037): the "
        "calibration switches the link off"
    ), notes[0]
    assert "model probabilities" in notes[0]


def test_a_beta_that_keeps_away_from_zero_or_a_recovery_check_says_nothing() -> None:
    # 5% of the prior's width is 0.1: v1's 95th percentile at 0.3 keeps v1 out of it.
    assert "v1" not in link_off_notes(_summary(0.3))[0]
    assert "v2: median 0.002" in link_off_notes(_summary(0.3))[0]
    # A prior that does not start at 0, or a --truth calibration (known values): nothing.
    assert link_off_notes(_summary(0.053, low=0.001)) == []
    assert link_off_notes(_summary(0.053, truth=0.0)) == []
