"""The Recorder's per-step reductions, compiled (numba), shared by both engines.

A run's summary needs, at every step, the mean of trust, own assessment
and affinity over each output group (for a group holding powers, each
power's column over the members other than that power), and the number
of each group's states aligned with each option. Done with numpy these
are dozens of small calls per run; here they are one pass each, so the
Mesa model and the fast engine (:mod:`sim.metrics`) compute every
statistic the same way.

Member sets are flat: entry ``e`` is the actors ``idx[ptr[e]:ptr[e + 1]]``
of group ``group[e]`` averaged in column ``column[e]``, or in every column
when ``column[e]`` is -1.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def group_means(
    trust: np.ndarray,
    own: np.ndarray,
    affinity: np.ndarray,
    first: int,
    ptr: np.ndarray,
    idx: np.ndarray,
    group: np.ndarray,
    column: np.ndarray,
    out_trust: np.ndarray,
    out_own: np.ndarray,
    out_affinity: np.ndarray,
    with_affinity: bool,
    acc: np.ndarray,
) -> None:
    """``out_x[g, first + k, p]`` = mean over the entry's members of ``x[k, :, p]``.

    For x each of trust, own assessment and (when ``with_affinity``) affinity.
    The sum runs over the members in order, then is divided by their count.
    An entry without members leaves the output as it is (NaN: no value).
    Members are the outer loop, so that each member's rows are read once;
    each column's sum still runs over the members in order.

    Args:
        trust, own, affinity: (K, N, P) snapshots of K consecutive steps.
        first: the step of the snapshots' first row.
        ptr, idx, group, column: the member sets (module docstring).
        out_trust, out_own, out_affinity: (G, T + 1, P) statistics, written in place.
        with_affinity: also average affinity (else ``out_affinity`` is left as it is).
        acc: (3, P) scratch (the caller's: the compiled loop calls this at every step).
    """
    n_steps, _, n_powers = trust.shape
    for e in range(group.shape[0]):
        start, stop = ptr[e], ptr[e + 1]
        if stop == start:
            continue
        g = group[e]
        p0 = 0 if column[e] < 0 else column[e]
        p1 = n_powers if column[e] < 0 else column[e] + 1
        count = stop - start
        for k in range(n_steps):
            i = idx[start]
            for p in range(p0, p1):
                acc[0, p] = trust[k, i, p]
                acc[1, p] = own[k, i, p]
                if with_affinity:
                    acc[2, p] = affinity[k, i, p]
            for j in range(start + 1, stop):
                i = idx[j]
                for p in range(p0, p1):
                    acc[0, p] += trust[k, i, p]
                    acc[1, p] += own[k, i, p]
                    if with_affinity:
                        acc[2, p] += affinity[k, i, p]
            for p in range(p0, p1):
                out_trust[g, first + k, p] = acc[0, p] / count
                out_own[g, first + k, p] = acc[1, p] / count
                if with_affinity:
                    out_affinity[g, first + k, p] = acc[2, p] / count


@njit(cache=True)
def alignment_counts(
    aligned: np.ndarray,
    ptr: np.ndarray,
    idx: np.ndarray,
    n_powers: int,
    counts: np.ndarray,
    realignments: np.ndarray,
) -> None:
    """Per group and step: states aligned with each option, and states that changed.

    Args:
        aligned: (T + 1, S) alignment codes (-1 = none).
        ptr, idx: group ``g``'s states are ``idx[ptr[g]:ptr[g + 1]]`` (positions 0..S-1).
        n_powers: P; option P is ``none``.
        counts: (G, T + 1, P + 1) zeros, written in place.
        realignments: (G, T + 1) zeros; step k > 0 counts the states whose code changed.
    """
    n_steps = aligned.shape[0]
    for g in range(ptr.shape[0] - 1):
        for j in range(ptr[g], ptr[g + 1]):
            s = idx[j]
            for k in range(n_steps):
                code = aligned[k, s]
                counts[g, k, n_powers if code < 0 else code] += 1.0
                if k > 0 and code != aligned[k - 1, s]:
                    realignments[g, k] += 1.0


@njit(cache=True)
def min_mean_sd(values: np.ndarray, low: np.ndarray, average: np.ndarray, sd: np.ndarray) -> None:
    """Minimum, mean and population standard deviation over axis 1 of (G, K, P) values.

    In the order numpy's reductions take when the reduced axis is not the
    contiguous one (P > 1): each (g, p) runs over the steps in order from
    the first value, then ``sum / K``; a NaN wins the minimum, as with
    ``np.minimum``. So the bits are ``np.min``'s, ``np.mean``'s and
    ``np.std``'s (tested). With P = 1 numpy sums pairwise instead: the
    caller leaves that case to numpy.
    """
    n_groups, n, n_powers = values.shape
    for g in range(n_groups):
        for p in range(n_powers):
            total = values[g, 0, p]
            least = total
            for k in range(1, n):
                x = values[g, k, p]
                total = total + x
                if x != x or x < least:  # once NaN, nothing is less
                    least = x
            mean = total / n
            d = values[g, 0, p] - mean
            squares = d * d
            for k in range(1, n):
                d = values[g, k, p] - mean
                squares = squares + d * d
            low[g, p] = least
            average[g, p] = mean
            sd[g, p] = np.sqrt(squares / n)


# Below this many powers numpy sums a row of shares in order; from it, in eight partial sums.
SEQUENTIAL_SUM_POWERS = 8


@njit(cache=True)
def shares_and_poles(
    counts: np.ndarray, sizes: np.ndarray, share: np.ndarray, poles: np.ndarray
) -> None:
    """Alignment shares and the effective number of poles of each group with states.

    ``share[g] = counts[g] / sizes[g]`` and ``poles[g]`` as
    :func:`sim.kernels.effective_poles` of the powers' counts, to the bit for
    fewer than :data:`SEQUENTIAL_SUM_POWERS` powers (numpy's row sums then go
    in order; tested), in one pass instead of a dozen array operations.
    Groups without states are left as they are.

    Args:
        counts: (G, T + 1, P + 1) states per option (``none`` last).
        sizes: (G,) states per group.
        share: (G, T + 1, P + 1), written in place.
        poles: (G, T + 1), written in place.
    """
    n_groups, n_steps, n_options = counts.shape
    n_powers = n_options - 1
    for g in range(n_groups):
        if sizes[g] == 0:
            continue
        size = float(sizes[g])
        for k in range(n_steps):
            total = 0.0
            for o in range(n_options):
                share[g, k, o] = counts[g, k, o] / size
            for p in range(n_powers):
                total += counts[g, k, p]
            safe = total if total > 0 else 1.0
            concentration = 0.0
            for p in range(n_powers):
                x = counts[g, k, p] / safe
                concentration += x * x
            poles[g, k] = 1.0 / (concentration if concentration > 0 else 1.0) if total > 0 else 0.0
