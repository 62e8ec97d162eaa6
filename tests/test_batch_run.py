"""mesa.batch_run drives CredibilityModel with ``a__b`` override keywords (decisions.md 21).

The scenario is tests/data/batch_small.yaml: Alpha abandons S1 (withdraw 6,
target salience 1) at step 3; S1's prior in Alpha is 0.8 x 10 (a0 = 8, b0 = 2).
With negativity bias 1 S1's own trust in Alpha ends at 8/(10 + 6) = 0.5; with
bias 3 at 8/(10 + 18) = 0.286. Its neighbours S2, S3 (same region, salience 0.6)
end at 8/13.6 and 8/20.8. With susceptibility 0.2 the held trust converges
(Friedkin-Johnsen) to about 0.52 (bias 1) and 0.30 (bias 3) for S1; Alpha's
utility 3*tau + 0.5 + 0.5 (inertia) then stays above Beta's 3*0.5 + 0.5 = 2.0
with bias 1 and falls below it with bias 3, so S1 realigns to Beta: effective
poles 1 / (0.75^2 + 0.25^2) = 1.6 instead of 1.
"""

from __future__ import annotations

from pathlib import Path

import mesa
import numpy as np
import pytest

from sim.model import CredibilityModel

SCENARIO = str(Path(__file__).parent / "data" / "batch_small.yaml")


def final_model(**overrides: float) -> object:
    model = CredibilityModel(SCENARIO, rng=1, **overrides)
    while model.running:
        model.step()
    return model


def test_override_keywords_change_the_run() -> None:
    """``trust__negativity_bias`` and ``parameters__trust__negativity_bias`` are the same path."""
    low = final_model(trust__negativity_bias=1)
    high = final_model(trust__negativity_bias=3)
    spelled_out = final_model(parameters__trust__negativity_bias=3)
    s1, alpha = low.actor_names.index("S1"), low.power_names.index("Alpha")
    assert low.own[s1, alpha] == pytest.approx(0.5, abs=1e-12)
    assert high.own[s1, alpha] == pytest.approx(8 / 28, abs=1e-12)
    np.testing.assert_array_equal(high.trust, spelled_out.trust)
    assert low.trust[s1, alpha] > high.trust[s1, alpha]


@pytest.mark.slow
def test_batch_run_two_processes() -> None:
    results = mesa.batch_run(
        CredibilityModel,
        parameters={"scenario": SCENARIO, "trust__negativity_bias": [1, 3]},
        number_processes=2,
        rng=[1],
        max_steps=1000,
        display_progress=False,
    )
    final = {}
    for row in results:
        assert {"date", "effective_poles", "realignments"} <= set(row)
        final[row["trust__negativity_bias"]] = row
    assert set(final) == {1, 3}
    assert final[1]["date"] == final[3]["date"] == "2001-12"
    assert final[1]["effective_poles"] == pytest.approx(1.0)
    assert final[3]["effective_poles"] == pytest.approx(1.6)
