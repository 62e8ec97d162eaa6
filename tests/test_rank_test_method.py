"""Which way scipy's rank tests took their p, said beside it (decision 998): a compare
of 15 pairs, five of them tied, gave p = 0.00065 from the normal approximation where the
exact two-sided p is 2 / 2^15 = 6.1e-05, and nothing said which."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.analysis.comparison import (
    EXACT,
    NORMAL,
    compare_cell,
    mann_whitney_method,
    wilcoxon_method,
)

DISTINCT = np.linspace(0.01, 0.2, 15)
TIED = np.array([0.07409] * 5 + list(np.linspace(0.01, 0.2, 10)))


@pytest.mark.parametrize(
    ("differences", "said"),
    [
        (DISTINCT, EXACT),  # no tie, no zero, 15 pairs: exact
        (TIED, NORMAL),  # ties among 15: scipy falls back to the normal approximation
        (TIED[3:], EXACT),  # 12 with ties: by permutation, every sign flip counted
        (np.append(DISTINCT, 0.0), NORMAL),  # a zero among 16
        (np.linspace(0.01, 0.6, 51), NORMAL),  # more than 50
    ],
)
def test_the_wilcoxon_method_is_the_one_scipy_used(differences: np.ndarray, said: str) -> None:
    """The label is checked against scipy's own p at each method, not against itself."""
    assert wilcoxon_method(differences) == said
    p = stats.wilcoxon(differences).pvalue
    normal = stats.wilcoxon(differences, method="asymptotic").pvalue
    assert (p == normal) == (said == NORMAL)
    if said == EXACT and len(differences) <= 13:
        every = stats.PermutationMethod(n_resamples=2 ** len(differences))
        assert p == pytest.approx(stats.wilcoxon(differences, method=every).pvalue)


def test_the_mann_whitney_method_is_the_one_scipy_used() -> None:
    a, b = np.array([0.1, 0.2, 0.3, 0.4]), np.array([0.5, 0.6, 0.7, 0.8, 0.9])
    tied = np.array([0.1, 0.2, 0.5, 0.4])
    for x, y in ((a, b), (tied, b), (np.linspace(0, 1, 9), np.linspace(0.05, 1.05, 9))):
        said = mann_whitney_method(x, y)
        p = stats.mannwhitneyu(x, y).pvalue
        assert (p == stats.mannwhitneyu(x, y, method="asymptotic").pvalue) == (said == NORMAL)
    assert mann_whitney_method(a, b) == EXACT and mann_whitney_method(tied, b) == NORMAL


def test_a_compare_row_says_its_p_method() -> None:
    import pandas as pd

    first = pd.DataFrame({"replicate": range(15), "value": 0.5})
    second = first.assign(value=0.5 + TIED)
    cell = compare_cell(first, second, ["replicate"])
    assert cell["test"] == "wilcoxon" and cell["p_method"] == NORMAL
    assert cell["p_value"] == pytest.approx(stats.wilcoxon(TIED, method="asymptotic").pvalue)
    second = first.assign(value=0.5 + DISTINCT)
    assert compare_cell(first, second, ["replicate"])["p_method"] == EXACT
