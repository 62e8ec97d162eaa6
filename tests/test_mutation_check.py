"""Tests written by a hand mutation test of the model's core and the validation measures.

Each test kills a mutant (a small, plausible slip) that the suite let through, or that
it caught only by a side effect (a note's wording, a number recorded from an earlier
run). Every expected value comes from the specifications (``shared/design/model.md``,
``shared/design/validation.md``) or a docstring's stated rule, worked out by hand here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from strategies import hand_scenario

from sim import kernels
from sim.calibrate.problem import Statistic, discrepancy
from sim.calibrate.run import checks_table, run_calibration
from sim.calibrate.toy import PARAMETER, BinomialProblem
from sim.observed.votes import load_votes, pair_agreement, state_values
from sim.patterns import discrepancies
from sim.patterns import statistics as stats
from sim.runner import run_scenario
from tests.test_calibrate import toy

YEARS = np.array([2000, 2001, 2002, 2003])
BEFORE, AFTER = (2000, 2001), (2002, 2003)
# Three states, two flat and one rising by 1 from the before to the after years: a
# resample of three picks k of the riser with probability C(3, k) (1/3)^k (2/3)^(3 - k),
# so its change k/3 is 0, 1/3, 2/3, 1 with probabilities 8/27, 12/27, 6/27, 1/27.
THREE = np.array([[0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 1.0, 1.0]])


# --------------------------------------------------------------------------- calibration


def test_a_discrepancy_is_simulated_minus_observed_over_its_tolerance() -> None:
    """validation.md: the discrepancy of a pattern is ``(simulated - observed) /
    tolerance``. Observed 0.2, tolerance 0.1: a simulated 0.5 is +3, a simulated 0.15 is
    -0.5. The posterior predictive checks (checks.csv) report the discrepancy of the
    draws' median with that sign: draws 0.45, 0.5, 0.55 (median 0.5) are +3 and fail;
    draws 0.1, 0.15, 0.2 (median 0.15) are -0.5 and pass, as are two of the three
    draws on their own (|0.1 - 0.2| / 0.1 = 1 passes, |0.15 - 0.2| / 0.1 = 0.5 and 0)."""
    high = Statistic("high", "calibrate", 0.2, 0.1)
    low = Statistic("low", "holdout", 0.2, 0.1)
    assert discrepancy(0.5, high) == pytest.approx(3.0)
    assert discrepancy(0.15, low) == pytest.approx(-0.5)
    predictive = pd.DataFrame(
        {"variant": ["default"] * 3, "high": [0.45, 0.5, 0.55], "low": [0.1, 0.15, 0.2]}
    )
    table = checks_table(predictive, [high, low], {"high": 0.2, "low": 0.2}).set_index("pattern")
    assert table.loc["high", "discrepancy"] == pytest.approx(3.0)
    assert table.loc["low", "discrepancy"] == pytest.approx(-0.5)
    assert list(table["pass"]) == [False, True]
    assert table.loc["high", "share_pass"] == 0.0
    assert table.loc["low", "share_pass"] == pytest.approx(1.0)


def test_a_uniform_prior_s_draws_stay_between_its_low_and_high(tmp_path: Path) -> None:
    """validation.md: ``parameters`` are uniform priors on [low, high]. With a prior on
    [0.1, 0.4] for the toy problem's success probability (observed 14 of 20, which pulls
    towards 0.7, so the accepted particles crowd the prior's upper end), no particle of
    any generation lies outside [0.1, 0.4]. Every test calibration before had low = 0,
    where scipy's ``uniform(loc, scale)`` given (low, high) instead of (low, high - low)
    is the same prior; here it would be [0.1, 0.5]."""
    calibration = toy(
        tmp_path,
        parameters={PARAMETER: {"low": 0.1, "high": 0.4}},
        population=30,
        max_simulations=60,
        predictive=5,
    )
    run_calibration(calibration, BinomialProblem(), tmp_path / "out", workers=1, figures=False)
    drawn = pd.read_parquet(tmp_path / "out" / "posterior.parquet")[PARAMETER]
    assert len(drawn) >= 30
    assert drawn.min() >= 0.1
    assert drawn.max() <= 0.4


def test_a_pattern_passes_at_a_discrepancy_of_exactly_one() -> None:
    """validation.md: a pattern passes when ``|discrepancy| <= 1``. Observed 0.25 with
    tolerance 0.25 (numbers whose sums and quotients are exact in binary): simulated 0.5
    and 0 are discrepancies +1 and -1 and pass; 0.5625 is +1.25 and fails."""
    observed = pd.DataFrame(
        {"role": ["calibrate", "holdout", "calibrate"], "observed": 0.25, "tolerance": 0.25},
        index=pd.Index(["up", "down", "over"], name="id"),
    )
    table = discrepancies(observed, {"up": 0.5, "down": 0.0, "over": 0.5625})
    assert table["discrepancy"].tolist() == [1.0, -1.0, 1.25]
    assert table["pass"].tolist() == [True, True, False]


# --------------------------------------------------------------------------- tolerances


def test_the_bootstrap_tolerance_is_the_half_width_of_a_95_percent_interval() -> None:
    """validation.md: the bootstrap tolerance of a change is the half-width of the 95%
    interval of the statistic over resamples of the group's states. For :data:`THREE`
    the resampled change is 0 with probability 8/27 and 1 with 1/27 (3.7%, more than the
    2.5% above the interval), so the 2.5th percentile is 0, the 97.5th is 1 and the
    half-width 0.5. (A 90% interval would end at 2/3: 1/27 is below 5%; its half-width
    is 1/3.) 2000 resamples hold about 74 of change 1; the 97.5th percentile needs 51."""
    assert stats.bootstrap_change(THREE, YEARS, BEFORE, AFTER) == pytest.approx(0.5)


def test_a_did_s_bootstrap_resamples_the_control_s_states() -> None:
    """validation.md: a did's tolerance resamples the group's and the control's states.
    A group of identical states changes by the same amount in every resample, so the
    did's spread is the control's alone: with :data:`THREE` as the control, the
    half-width 0.5 of the test above. Resampling the group twice (the control never)
    would give no spread at all, the floor 0.01."""
    group = np.tile([0.2, 0.2, 0.6, 0.6], (4, 1))
    assert stats.bootstrap_did(group, THREE, YEARS, BEFORE, AFTER) == pytest.approx(0.5)
    # The other way round: the control's identical states add nothing to the group's spread.
    assert stats.bootstrap_did(THREE, group, YEARS, BEFORE, AFTER) == pytest.approx(0.5)


# --------------------------------------------------------------------------- votes


def test_split_agreement_leaves_out_roll_calls_the_rival_missed(tmp_path: Path) -> None:
    """validation.md: ``split_agreement(o, p, q, y)`` is taken over the roll calls where
    ``p`` and its rival ``q`` voted yes against no; absences are not votes. In 2000 Alpha
    (p) and Beta (q) split on rc1 (yes, no) and rc3 (no, yes); Beta missed rc2. Gamma
    votes yes, no, abstain: its split agreement is rc1 1 - |1 - 1| = 1 and rc3
    1 - |0.5 - 0| = 0.5, so 0.75 over 2 roll calls; its agreement over all three (rc2:
    1 - |0 - 1| = 0) is 0.5 over 3."""
    folder = tmp_path / "votes"
    folder.mkdir()
    votes = {
        1: {"Alpha": "yes", "Beta": "no", "Gamma": "yes"},
        2: {"Alpha": "yes", "Gamma": "no"},
        3: {"Alpha": "no", "Beta": "yes", "Gamma": "abstain"},
    }
    rows = [(r, c, v) for r, cast in votes.items() for c, v in cast.items()]
    pd.DataFrame(rows, columns=["rcid", "country", "vote"]).to_csv(
        folder / "un_votes.csv", index=False
    )
    pd.DataFrame({"rcid": [1, 2, 3], "date": "2000-10-01"}).to_csv(
        folder / "un_roll_calls.csv", index=False
    )
    pd.DataFrame({"rcid": [1, 2, 3], "short_name": "me"}).to_csv(
        folder / "un_roll_call_issues.csv", index=False
    )
    data = load_votes(folder)
    split = state_values(
        pair_agreement(data, "Alpha", ["Gamma"], rival="Beta", measure="split_agreement")
    )
    assert split[["year", "state", "value", "n_votes"]].values.tolist() == [
        [2000, "Gamma", 0.75, 2]
    ]
    plain = state_values(pair_agreement(data, "Alpha", ["Gamma"]))
    assert plain[["value", "n_votes"]].values.tolist() == [[0.5, 3]]


# --------------------------------------------------------------------------- alignment


def test_a_draw_on_a_cumulative_boundary_takes_the_next_option() -> None:
    """model.md section 4 step 4 draws from softmax(U / temperature); the rule both
    engines state (``sim.kernels.choose_alignment``, ``sim.fast.core.align``) is "the
    first option whose cumulative weight exceeds u * total". One power and ``none`` with
    equal utility at temperature 1: weights 1 and 1, total 2. A uniform of exactly 0.5
    makes the threshold 1, which the power's cumulative weight 1 does not exceed, so
    the draw is ``none``; just below 0.5 it is the power. The boundary has probability
    0 for a random draw, but the engines must agree on it to the bit."""
    from sim.fast import core

    utility = np.zeros((2, 1))
    assert kernels.choose_alignment(utility, 1.0, np.array([0.5])).tolist() == [-1]
    assert kernels.choose_alignment(utility, 1.0, np.array([0.4999])).tolist() == [0]

    fp = np.zeros(core.N_FP)
    fp[core.FP_TEMPERATURE] = 1.0
    fp[core.FP_IDEOLOGY_SCALE] = 2.0
    for uniform, expected in ((0.5, -1), (0.4999, 0)):
        aligned = np.array([-1, 0], dtype=np.int64)  # actor 0 is the power, 1 the state
        core.align(
            0,
            2,
            np.full((2, 1), 0.5),
            np.full((2, 1), 0.5),
            np.zeros((2, 1)),
            np.zeros(1),
            aligned,
            fp,
            np.array([uniform]),
            core.align_scratch(1),
        )
        assert aligned[1] == expected


# --------------------------------------------------------------------------- summary


@pytest.mark.parametrize("engine", ["mesa", "fast"])
def test_a_window_s_trust_change_is_taken_from_the_step_before_it(engine: str) -> None:
    """model.md section 7: a window's ``trust_change`` is its end minus the value just
    before its start. Monthly from 2000-01, the window 2000-02 to 2000-03 is steps 2 and
    3; the value before it is step 1's. A withdrawal (magnitude 2, weight -1, salience 1,
    bias 1) at step 2 takes X's trust in A from 5/10 to 5/12 (model.md section 4 step 2,
    a0 = b0 = 5, no influence): a change of -1/12, all of it inside the window. Taken
    from the window's own first step it would read 0."""
    scenario = hand_scenario(
        events=[{"kind": "withdraw", "step": 2, "actor": "A", "target": "X", "magnitude": 2.0}],
        windows={"w": ["2000-02", "2000-03"]},
    )
    summary = run_scenario(scenario, 0, "summary", engine=engine).summary
    assert summary["trust_change"]["w"]["A"]["all"] == pytest.approx(-1 / 12, abs=1e-12)


@pytest.mark.parametrize("engine", ["mesa", "fast"])
def test_a_group_holding_powers_averages_each_power_over_the_others(engine: str) -> None:
    """model.md section 2: powers hold trust in other powers, never in themselves. A group
    of powers A and B and state X: its trust in A is the mean over B (0.2) and X (0.2),
    0.2; in B over A (0.6) and X (0.6), 0.6. No events and no network, so trust stays at
    the priors. A's cell about itself (0.5, meaningless) must not enter: with it, the
    mean in A would be 0.3."""
    scenario = hand_scenario(
        powers={
            "A": {"capability": 1.0, "region": "ra", "trust": {"B": 0.6}},
            "B": {"capability": 1.0, "region": "rb", "trust": {"A": 0.2}},
        },
        states={"X": {"region": "rx", "trust": {"A": 0.2, "B": 0.6}}},
        outputs={"groups": {"ab": {"members": ["A", "B", "X"]}}},
    )
    final = run_scenario(scenario, 0, "summary", engine=engine).summary["final_trust"]
    assert final["A"]["ab"] == pytest.approx(0.2, abs=1e-12)
    assert final["B"]["ab"] == pytest.approx(0.6, abs=1e-12)
