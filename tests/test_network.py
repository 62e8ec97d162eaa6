"""The structured influence operator equals the dense W of model.md section 6.

The dense matrix is built here literally from the formula (a test may build
what the package must not), on random small populations.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.network import InfluenceNetwork, Ties


@st.composite
def populations(draw: st.DrawFn) -> dict:
    n = draw(st.integers(2, 12))
    n_powers = draw(st.integers(1, min(3, n)))
    n_regions = draw(st.integers(1, 4))
    n_blocs = draw(st.integers(0, 3))
    region = draw(st.lists(st.integers(0, n_regions - 1), min_size=n, max_size=n))
    blocs = [
        sorted(set(draw(st.lists(st.integers(0, max(n_blocs - 1, 0)), max_size=n_blocs))))
        if n_blocs
        else []
        for _ in range(n)
    ]
    weight = st.sampled_from([0.0, 0.25, 0.6, 1.0, 2.5])
    ties = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from([0.5, 1.0, 2.0])
            ),
            max_size=6,
        )
    )
    ties = [t for t in ties if t[0] != t[1]]
    return {
        "region": np.array(region),
        "blocs": blocs,
        "membership": np.array(
            [[b in bs for b in range(n_blocs)] for bs in blocs], dtype=bool
        ).reshape(n, n_blocs),
        "ties": ties,
        "n_powers": n_powers,
        "baseline": draw(weight),
        "same_region": draw(weight),
        "same_bloc": draw(weight),
    }


def ties_of(triples: list[tuple[int, int, float]]) -> Ties:
    """:class:`Ties` from ``(listener, heard, weight)`` triples, in their order."""
    return Ties(
        np.array([t[0] for t in triples], dtype=np.int64),
        np.array([t[1] for t in triples], dtype=np.int64),
        np.array([t[2] for t in triples], dtype=np.float64),
    )


def dense_raw(p: dict) -> np.ndarray:
    n = len(p["region"])
    raw = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                raw[i, j] = (
                    p["baseline"]
                    + p["same_region"] * (p["region"][i] == p["region"][j])
                    + p["same_bloc"] * len(set(p["blocs"][i]) & set(p["blocs"][j]))
                )
    for i, j, w in p["ties"]:
        raw[i, j] += w
    return raw


@settings(max_examples=200, deadline=None)
@given(p=populations(), seed=st.integers(0, 1000))
def test_structured_equals_dense(p: dict, seed: int) -> None:
    net = InfluenceNetwork(
        p["region"],
        p["membership"],
        ties_of(p["ties"]),
        np.arange(p["n_powers"]),
        baseline=p["baseline"],
        same_region=p["same_region"],
        same_bloc=p["same_bloc"],
    )
    raw = dense_raw(p)
    x = np.random.default_rng(seed).random((len(p["region"]), p["n_powers"]))
    got = net.neighbour_mean(x)
    for power in range(p["n_powers"]):
        w = raw.copy()
        w[power, :] = 0.0
        w[:, power] = 0.0
        sums = w.sum(axis=1)
        for i in range(len(p["region"])):
            if i == power:
                continue
            assert net.has_neighbours[i, power] == (sums[i] > 0)
            if sums[i] > 0:
                expected = w[i] @ x[:, power] / sums[i]
                assert abs(got[i, power] - expected) < 1e-12


def test_isolated_actor_has_no_neighbours() -> None:
    """Three actors in three regions, no blocs, no baseline, no ties: nobody listens."""
    net = InfluenceNetwork(
        np.array([0, 1, 2]),
        np.zeros((3, 0), dtype=bool),
        ties_of([]),
        np.array([0]),
        baseline=0.0,
        same_region=0.6,
        same_bloc=0.4,
    )
    assert not net.has_neighbours.any()


def test_directed_tie_is_one_way() -> None:
    """A tie (1, 2) means actor 1 listens to 2; actor 2 hears nobody."""
    net = InfluenceNetwork(
        np.array([0, 1, 2]),
        np.zeros((3, 0), dtype=bool),
        ties_of([(1, 2, 1.0)]),
        np.array([0]),
        baseline=0.0,
        same_region=0.0,
        same_bloc=0.0,
    )
    x = np.array([[0.0], [0.2], [0.9]])
    assert net.has_neighbours[:, 0].tolist() == [False, True, False]
    assert net.neighbour_mean(x)[1, 0] == 0.9
