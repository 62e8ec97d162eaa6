"""The structured influence operator W, applied without a dense actors x actors matrix.

``W[i, j] = baseline + same_region*[region_i == region_j]
+ same_bloc*|blocs_i & blocs_j| + ties[i, j]`` for ``i != j``, rows
normalised (model.md section 6). Its structure makes ``W @ x`` cheap:

``(W0 @ x)_i = baseline*(sum(x) - x_i) + (H G H^T x)_i - c_i x_i + (T x)_i``

where ``H`` is the (N, R + B) membership indicator (the actor's region and
its blocs), ``G`` the diagonal of column weights (``same_region`` for
regions, ``same_bloc`` for blocs), so ``H G H^T`` counts shared regions and
blocs; ``c_i = same_region + same_bloc*|blocs_i|`` removes the diagonal, and ``T``
holds the ties. Memory and time are linear in actors, memberships and ties.

For power ``p``'s column, ``W_p`` drops ``p``'s row and column and
renormalises the remaining rows: both the numerator and the row sum are the
operator applied with ``x_p = 0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import scipy.sparse as sp

from sim.kernels import BoolArray, FloatArray, IntArray
from sim.world import positions

if TYPE_CHECKING:
    from sim.scenario.schema import Network

DENSE_MEMBERSHIP_CELLS = 200_000


class Ties(NamedTuple):
    """Directed ties as three aligned arrays: ``W0[listener, heard] += weight``."""

    listener: IntArray
    heard: IntArray
    weight: FloatArray

    @classmethod
    def from_network(cls, net: Network, index: Mapping[str, int]) -> Ties:
        """A scenario's ties in file order, each undirected one followed by its reverse.

        Args:
            net: the scenario's ``network`` section.
            index: actor name -> actor index.
        """
        sources, targets, w, directed = net.tie_columns()
        a, b = positions(index, sources), positions(index, targets)
        both = ~directed
        # Tie k lands at start[k]; an undirected one's reverse right after it.
        copies = 1 + both.astype(np.int64)
        start = np.cumsum(copies) - copies
        size = int(copies.sum())
        listener = np.empty(size, dtype=np.int64)
        heard = np.empty(size, dtype=np.int64)
        weight = np.empty(size, dtype=np.float64)
        listener[start], heard[start], weight[start] = a, b, w
        back = start[both] + 1
        listener[back], heard[back], weight[back] = b[both], a[both], w[both]
        return cls(listener, heard, weight)


class InfluenceNetwork:
    """``W`` for a fixed set of actors, applied column by column with power removal.

    Args:
        region: (N,) region code of each actor.
        blocs: (N, B) bloc membership of each actor.
        ties: the ties, ``W0[i, j] += weight`` where ``i`` listens to ``j``.
        power_index: (P,) actor index of each power.
        baseline, same_region, same_bloc: the ``network`` weights.
    """

    def __init__(
        self,
        region: IntArray,
        blocs: BoolArray,
        ties: Ties,
        power_index: IntArray,
        *,
        baseline: float,
        same_region: float,
        same_bloc: float,
    ) -> None:
        n = int(region.shape[0])
        n_regions = int(region.max()) + 1 if n else 0
        self.n_actors = n
        self.baseline = baseline

        n_blocs = blocs.shape[1]
        bloc_rows, bloc_cols = np.nonzero(blocs)
        bloc_cols = n_regions + bloc_cols
        membership = sp.csr_matrix(
            (
                np.ones(n + bloc_rows.shape[0]),
                (np.concatenate([np.arange(n), bloc_rows]), np.concatenate([region, bloc_cols])),
            ),
            shape=(n, n_regions + n_blocs),
        )
        # Small populations: a dense (N, R + B) membership matrix is faster than
        # sparse products and still linear in N. Large ones stay sparse.
        self._membership: FloatArray | sp.csr_matrix
        if n * (n_regions + n_blocs) <= DENSE_MEMBERSHIP_CELLS:
            self._membership = membership.toarray()
            self._membership_t = np.ascontiguousarray(self._membership.T)
        else:
            self._membership = membership
            self._membership_t = membership.T.tocsr()
        # Indicator entries keep every count exact, so a row that should have no
        # weight left has exactly none.
        n_blocs_of = blocs.sum(axis=1, dtype=np.int64).astype(np.float64)
        # Each actor's total group weight, as the world build records it (tests/
        # test_world_build.py); _raw_apply takes the own value off group by group.
        self._self_weight = same_region + same_bloc * n_blocs_of
        # The regions and the blocs apart, for _raw_apply: every actor has one region.
        self._region = np.asarray(region, dtype=np.int64)
        self._n_regions = n_regions
        self._same_region, self._same_bloc = same_region, same_bloc
        self._blocs_of: FloatArray | sp.csr_matrix | None = None
        if n_blocs:
            in_blocs = sp.csr_matrix(blocs.astype(np.float64))
            small = n * n_blocs <= DENSE_MEMBERSHIP_CELLS
            self._blocs_of = in_blocs.toarray() if small else in_blocs
        self._n_blocs_of = n_blocs_of[:, None]

        if ties.listener.shape[0]:
            self._ties: sp.csr_matrix | None = sp.csr_matrix(
                (ties.weight, (ties.listener, ties.heard)), shape=(n, n)
            )
            self._ties.sum_duplicates()
        else:
            self._ties = None

        self.power_index = power_index
        self._self_cells = (power_index, np.arange(power_index.shape[0]))
        # Row sums of W_p before normalisation: the operator applied to ones with
        # power p's own entry zeroed, exactly as neighbour_mean treats trust. A
        # row sum minus the weight on p would lose precision when p dominates a row.
        remaining = self._raw_apply(self._without_powers(np.ones((n, power_index.shape[0]))))
        # Rounding in sums of weights leaves residues far below the smallest
        # weight there is; anything above a tiny fraction of it is a real neighbour.
        positive = [w for w in (same_region, same_bloc, baseline) if w > 0]
        tie_weights = ties.weight[ties.weight > 0]
        if tie_weights.shape[0]:
            positive.append(float(tie_weights.min()))
        smallest = min(positive, default=1.0)
        self.has_neighbours: BoolArray = remaining > 1e-9 * smallest
        self._remaining = np.where(self.has_neighbours, remaining, 1.0)

    def _raw_apply(self, x: FloatArray) -> FloatArray:
        """``W0 @ x`` (diagonal excluded, not normalised) for x of shape (N, K).

        Each actor's own value is taken off its groups' sums before they are
        weighted: ``same_region * (S_region - x) + same_bloc * (sum of its blocs'
        S - n_blocs * x)``. Weighting the sums first and taking ``self_weight * x``
        off after left a rounding residue of about ``1e-16 * self_weight`` where
        the groups hold no one else (in the column of the power that is an
        actor's only fellow member, whose own cell is 0), which swamped a small
        tie: same_region 1e6, same_bloc 0.3, a tie of 1e-6 put a state's trust
        5.8e-5 off (decision 747). Now such a group adds exactly 0 (a sum of up
        to three equal values is exactly that many times the value).
        """
        sums = np.asarray(self._membership_t @ x)
        out = self._same_region * (sums[: self._n_regions][self._region] - x)
        if self._blocs_of is not None:
            in_blocs = np.asarray(self._blocs_of @ sums[self._n_regions :])
            out += self._same_bloc * (in_blocs - self._n_blocs_of * x)
        if self.baseline:
            out += self.baseline * (x.sum(axis=0, keepdims=True) - x)
        if self._ties is not None:
            out += self._ties @ x
        return np.asarray(out)

    def _without_powers(self, x: FloatArray) -> FloatArray:
        """``x`` (N, P) with each power's cell about itself set to 0, in place."""
        x[self._self_cells] = 0.0
        return x

    def neighbour_mean(self, trust: FloatArray) -> FloatArray:
        """``W_p @ trust[:, p]`` for every power p at once.

        Args:
            trust: (N, P) held trust of the previous step. The cells of a power
                about itself are ignored.

        Returns:
            (N, P); rows without remaining neighbours (see ``has_neighbours``)
            hold an arbitrary finite value.
        """
        return self._raw_apply(self._without_powers(trust.copy())) / self._remaining
