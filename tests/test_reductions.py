"""The Recorder's compiled reductions (sim.reductions) on arrays small enough to do by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.kernels import effective_poles
from sim.metrics import Group, Recorder, over_time
from sim.reductions import SEQUENTIAL_SUM_POWERS, shares_and_poles


def test_group_means_shares_poles_and_realignments_by_hand() -> None:
    """Two powers (actors 0, 1) and three states (2, 3, 4); two steps.

    Trust of actor i in power p at step k is ``10 * k + i + p / 10``.
    ``all`` (states 2, 3, 4): mean over i of (10k + i + p/10) = 10k + 3 + p/10.
    ``mixed`` (actors 1 and 3, with a power): power 0 column over {1, 3} is
    10k + 2; power 1 column over {3} only (1 is that power) is 10k + 3.1.
    ``empty``: no state, so NaN trust and share.
    Alignment: step 0 (0, 0, -1), step 1 (0, 1, 1): ``all`` shares 2/3, 0, 1/3 then
    1/3, 2/3, 0; effective poles at step 0: both aligned states with power 0, 1; at
    step 1 the aligned states split 1/3, 2/3: 1 / (1/9 + 4/9) = 1.8; realignments at
    step 1: states 3 and 4 changed, 2 (``mixed``: state 3 only, 1).
    """
    groups = [
        Group("all", np.array([2, 3, 4]), np.array([0, 1, 2]), has_powers=False),
        Group("mixed", np.array([1, 3]), np.array([1]), has_powers=True),
        Group("empty", np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), has_powers=False),
    ]
    recorder = Recorder(groups, 5, 2, 1, percentiles=False, keep_actors=False)
    k, i, p = np.meshgrid(np.arange(2), np.arange(5), np.arange(2), indexing="ij")
    trust = 10.0 * k + i + p / 10.0
    aligned = np.array([[0, 0, -1], [0, 1, 1]])
    for step in range(2):
        recorder.record(step, trust[step], trust[step], trust[step], aligned[step])
    st = recorder.finish()
    np.testing.assert_allclose(st.trust_mean[0], [[3.0, 3.1], [13.0, 13.1]], atol=1e-12)
    np.testing.assert_allclose(st.trust_mean[1], [[2.0, 3.1], [12.0, 13.1]], atol=1e-12)
    assert np.isnan(st.trust_mean[2]).all()
    np.testing.assert_allclose(st.share[0], [[2 / 3, 0, 1 / 3], [1 / 3, 2 / 3, 0]], atol=1e-15)
    np.testing.assert_allclose(st.share[1], [[1, 0, 0], [0, 1, 0]], atol=1e-15)
    assert np.isnan(st.share[2]).all()
    np.testing.assert_allclose(st.effective_poles[0], [1.0, 1.8], atol=1e-12)
    np.testing.assert_array_equal(st.realignments[0], [0, 2])
    np.testing.assert_array_equal(st.realignments[1], [0, 1])


def test_over_time_is_numpys_min_mean_and_std_bit_for_bit() -> None:
    """``over_time`` repeats numpy's reductions without their wrappers: same bits, NaN too."""
    rng = np.random.default_rng(0)
    for trial in range(300):
        shape = (int(rng.integers(1, 10)), int(rng.integers(2, 200)), int(rng.integers(1, 6)))
        values = rng.random(shape) * rng.choice([1e-3, 1.0, 1e3])
        if trial % 4 == 0:
            values[0] = np.nan  # a group without members
        if trial % 5 == 0:  # a NaN at one step: it wins the minimum, as with np.minimum
            values[-1, int(rng.integers(0, shape[1])), int(rng.integers(0, shape[2]))] = np.nan
        with np.errstate(invalid="ignore"):
            expected = (np.min(values, axis=1), np.mean(values, axis=1), np.std(values, axis=1))
        for got, want in zip(over_time(values), expected, strict=True):
            assert np.array_equal(got, want, equal_nan=True), trial


def test_shares_and_poles_are_the_numpy_formulas_bit_for_bit() -> None:
    """The compiled shares and effective poles equal the numpy ones to the bit (P < 8).

    Groups without states are left alone (NaN shares, no poles).
    """
    rng = np.random.default_rng(1)
    for trial in range(300):
        n_powers = int(rng.integers(1, SEQUENTIAL_SUM_POWERS))
        n_groups, n_steps = int(rng.integers(1, 10)), int(rng.integers(2, 200))
        counts = rng.integers(0, int(rng.integers(1, 60)), (n_groups, n_steps, n_powers + 1))
        counts = counts.astype(np.float64)
        sizes = counts[:, 0, :].sum(axis=1).astype(np.int64)
        sizes[rng.random(n_groups) < 0.2] = 0
        counts[sizes == 0] = 0.0
        share = np.full(counts.shape, np.nan)
        poles = np.zeros((n_groups, n_steps))
        shares_and_poles(counts, sizes, share, poles)
        has = sizes > 0
        want_share = np.full(counts.shape, np.nan)
        want_share[has] = counts[has] / sizes[has, None, None]
        want_poles = np.zeros((n_groups, n_steps))
        want_poles[has] = effective_poles(counts[has, :, :n_powers])
        assert np.array_equal(share, want_share, equal_nan=True), trial
        assert np.array_equal(poles, want_poles), trial


def _actors_rows_by_hand(
    trust: np.ndarray,
    own: np.ndarray,
    affinity: np.ndarray,
    aligned: np.ndarray,
    actors: list[str],
    powers: list[str],
    dates: list[str],
) -> list[tuple[object, ...]]:
    """model.md's actors table, row by row: every step, observer and power but a power's
    cell about itself; a power's own alignment "none", a state's -1 "none"."""
    rows = []
    for k in range(trust.shape[0]):
        for i, actor in enumerate(actors):
            code = aligned[k, i - len(powers)] if i >= len(powers) else -1
            label = powers[code] if code >= 0 else "none"
            for p, power in enumerate(powers):
                if i != p:
                    cells = (trust[k, i, p], own[k, i, p], affinity[k, i, p])
                    rows.append((k, dates[k], actor, power, *map(float, cells), label))
    return rows


def test_the_actors_table_holds_every_cell_once_whether_built_from_chunks_or_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two powers and three states over five steps, the first two sharing a date (as step
    0 shares step 1's, decision 34). The table equals the rows written out one by one,
    given the snapshots whole or as the recorder keeps them (chunks of steps), and with
    its text made one step at a time (so several blocks of strings, as at 100,000s of
    states). Its text columns are pandas' strings, as the tables of decision 821's code
    before were."""
    import sim.metrics as metrics

    rng = np.random.default_rng(5)
    shape = (5, 5, 2)
    trust, own, affinity = (rng.random(shape) for _ in range(3))
    aligned = np.array([[-1, 0, 1], [0, 0, 1], [1, -1, 1], [1, 1, -1], [0, 1, 0]])
    actors = ["Alpha", "Beta", "Chad", "Dahomey", "Eritrea"]
    powers = ["Alpha", "Beta"]
    dates = ["2001-01", "2001-01", "2001-02", "2001-03", "2001-04"]
    expected = _actors_rows_by_hand(trust, own, affinity, aligned, actors, powers, dates)
    assert len(expected) == 5 * (5 * 2 - 2)

    def rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
        assert list(frame.columns) == metrics.ACTORS_COLUMNS
        assert all(str(frame[c].dtype) == "str" for c in ("date", "actor", "power", "aligned"))
        return list(frame.itertuples(index=False, name=None))

    whole = metrics.actors_table(trust, own, affinity, aligned, actors, powers, dates)
    assert rows(whole) == expected
    chunked = [
        [x[:2], x[2:3], x[3:]] for x in (trust, own, affinity)
    ]  # the recorder's chunks of steps
    monkeypatch.setattr(metrics, "_TEXT_BLOCK_ROWS", 1)  # a block of strings per step
    parts = metrics.actors_table(*chunked, aligned, actors, powers, dates)
    assert rows(parts) == expected
    assert parts["actor"].array.__arrow_array__().num_chunks == 5
