"""The compiled step loop of the fast engine (model.md sections 4 and 5).

Every function here is a numba ``njit`` kernel on flat arrays (``cache=True``,
so a new process loads the machine code instead of compiling it). The
arithmetic repeats :mod:`sim.kernels`, :mod:`sim.events` and
:mod:`sim.network` operation for operation, in the same order, so that the
two engines agree to rounding in the network sums and bit for bit elsewhere
(docs/decisions.md, issue 13).

Shapes: ``N`` actors (powers first), ``P`` powers, ``S`` states, ``E``
events, ``G`` region and bloc groups, ``D`` ideology axes.
"""

from __future__ import annotations

import math
import os

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.extending import intrinsic

import sim.reductions
from sim.compiling import cached_with
from sim.reductions import group_means

# Event kind codes; below N_TARGETED the kinds of the registry's "targeted" handler.
INTERVENE = 0
SUPPORT = 1
WITHDRAW = 2
REFUSE_AID = 3
CLIENT_HARMED = 4
BASE_LOSS = 5
EXPELLED = 6
SIDE_WITH_ADVERSARY = 7
RAPPROCHEMENT = 8
RHETORIC = 9
RECOGNIZE = 10
PROPAGANDA = 11
REGIME_CHANGE = 12
CAPABILITY_CHANGE = 13
RELATION = 14  # model v2
N_KINDS = 15
N_TARGETED = 7

# A kind's commitment effect (``kind_commit``), from the registry.
OPENS = 1
CLOSES = -1

# Indices into the float parameter vector ``fp``.
FP_MEMORY = 0
FP_BIAS = 1
FP_MU = 2
FP_SAL_TARGET = 3
FP_SAL_REGION = 4
FP_SAL_BLOC = 5
FP_SAL_ALIGNED = 6
FP_SAL_GLOBAL = 7
FP_TEMPERATURE = 8
FP_NONALIGNED = 9
FP_W_TRUST = 10
FP_W_CAPABILITY = 11
FP_W_IDEOLOGY = 12
FP_W_INERTIA = 13
FP_BASELINE = 14
FP_IDEOLOGY_SCALE = 15  # 2 * sqrt(D), the largest possible ideological distance
# Model v2 (model.md section 8); the compiler's defaults leave v1 unchanged.
FP_STANCE_FROM_IDEOLOGY = 16  # s in stance = clip(s * (2 * closeness - 1), -1, 1); 0
FP_ENEMY_RELIABILITY = 17  # 1
FP_AFFINITY_SCALE = 18  # 0: no affinity evidence
FP_SAL_STANCE = 19  # salience floor per unit |stance| towards the target; 0
FP_PRIOR_MEMORY = 20  # rho of the re-anchoring; 1
FP_W_AFFINITY = 21  # alignment weight of affinity; 0
N_FP = 22

# Indices into the int parameter vector ``ip``.
IP_PERIOD = 0
IP_EQUILIBRIUM = 1  # model v2 network.initial: 1 for equilibrium, 0 for prior
IP_BLOCKS = 2  # blocks of actors the per-actor passes are split into (1: one pass)
N_IP = 3

# A large population's per-actor passes run as PARALLEL_BLOCKS blocks of actors on
# numba's threads (decision 270). The blocks, not the threads, fix the order of every
# sum, so a run's bits do not depend on how many threads there are.
PARALLEL_BLOCKS = 8
PARALLEL_MIN_ACTORS = 20_000
# numba's OpenMP threads wait for work by spinning. With the other core busy, a
# spinning thread takes the time its partner needs, and a step became 2.5 to 5 times
# slower; a short spin keeps most of the gain on an idle machine (decision 270). Read
# when the threads start, at the first parallel pass; a value already set is kept.
os.environ.setdefault("GOMP_SPINCOUNT", "1000")
# GNU OpenMP aborts a child forked from a process whose threads have started, when
# the child starts its own; a forked child (a pool or pyabc worker, which runs beside
# others anyway) therefore runs its blocks in turn, to the same bits (decision 270).
_threads_usable = True


def _no_threads_in_a_forked_child() -> None:
    global _threads_usable
    _threads_usable = False


os.register_at_fork(after_in_child=_no_threads_in_a_forked_child)


def threads_usable() -> bool:
    """Whether this process may hand blocks to threads (not in a forked child)."""
    return _threads_usable


def blocks_for(n_actors: int) -> int:
    """The number of blocks a population of ``n_actors`` is split into (1 below the threshold)."""
    return PARALLEL_BLOCKS if n_actors >= PARALLEL_MIN_ACTORS else 1


@njit(cache=True)
def block(b: int, blocks: int, n: int) -> tuple[int, int]:
    """Actors ``lo`` to ``hi - 1``: block ``b`` of ``blocks`` near-equal blocks of ``n``."""
    return b * n // blocks, (b + 1) * n // blocks


# Keep-unchanged code of a regime change's alignment.
KEEP = -2


@intrinsic
def _float_from_bits(typingctx: object, bits: types.Integer) -> tuple[object, object]:
    """The float64 whose IEEE 754 bits are the int64 ``bits`` (a bit cast, no conversion)."""

    def codegen(context: object, builder: ir.IRBuilder, signature: object, args: list) -> object:
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


# exp(x) = 2**k * exp(r), with k = round(x / ln 2) and |r| <= ln(2) / 2 (Cody and Waite).
_LOG2_E = 1.4426950408889634
_LN2_HIGH = 6.93147180369123816490e-01  # ln 2 in two parts, so that k * ln 2 is exact
_LN2_LOW = 1.90821492927058770002e-10
_ROUND = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer
_SMALLEST = -708.0  # below this exp(x) is subnormal, and is taken as 0


@njit(cache=True)
def exp_nonpositive(x: float) -> float:
    """``exp(x)`` for ``x <= 0``, within 1 ulp of ``np.exp``; 0 below -708 (decision 271).

    Written without calls or branches, so that it costs about a third of the
    C library's ``exp``; the alignment's softmax takes 600,000 of them a step at
    100,000 states. The Taylor polynomial of degree 13 leaves an error below
    1e-17 on ``|r| <= ln(2) / 2``; the rest is rounding.
    """
    y = max(x, _SMALLEST)
    k = (y * _LOG2_E + _ROUND) - _ROUND
    r = (y - k * _LN2_HIGH) - k * _LN2_LOW
    p = 1.0 / 6227020800.0
    for d in (479001600.0, 39916800.0, 3628800.0, 362880.0, 40320.0, 5040.0, 720.0,
              120.0, 24.0, 6.0, 2.0, 1.0, 1.0):  # fmt: skip
        p = p * r + 1.0 / d
    scale: float = _float_from_bits((np.int64(k) + 1023) << 52)  # type: ignore[call-arg]
    return p * scale if x >= _SMALLEST else 0.0


@njit(cache=True)
def all_finite(values: np.ndarray) -> bool:
    """Whether every entry of ``values`` is finite (one pass, stops at the first that is not)."""
    for x in values.ravel():  # noqa: SIM110 - a loop numba compiles to an early exit
        if not math.isfinite(x):
            return False
    return True


@njit(cache=True)
def salience(
    out: np.ndarray,
    target: int,
    actor: int,
    region: np.ndarray,
    bloc_ptr: np.ndarray,
    bloc_idx: np.ndarray,
    bloc_mark: np.ndarray,
    aligned: np.ndarray,
    fp: np.ndarray,
) -> None:
    """``out[o]`` = salience of an event by ``actor`` about ``target`` (-1: none).

    As :func:`sim.kernels.place_salience` then
    :func:`sim.kernels.add_alignment_salience`; ``bloc_mark`` is scratch of
    length B, left all False.
    """
    glob = fp[FP_SAL_GLOBAL]
    same_region = fp[FP_SAL_REGION]
    same_bloc = fp[FP_SAL_BLOC]
    with_actor = fp[FP_SAL_ALIGNED]
    n = out.shape[0]
    has_blocs = False
    if target >= 0:
        for j in range(bloc_ptr[target], bloc_ptr[target + 1]):
            bloc_mark[bloc_idx[j]] = True
            has_blocs = True
    for o in range(n):
        v = glob
        if target >= 0:
            r = same_region if region[o] == region[target] else 0.0
            v = max(v, r)
            if has_blocs:
                shares = False
                for j in range(bloc_ptr[o], bloc_ptr[o + 1]):
                    if bloc_mark[bloc_idx[j]]:
                        shares = True
                        break
                v = max(v, same_bloc if shares else 0.0)
        v = max(v, with_actor if aligned[o] == actor else 0.0)
        out[o] = v
    if target >= 0:
        for j in range(bloc_ptr[target], bloc_ptr[target + 1]):
            bloc_mark[bloc_idx[j]] = False
        out[target] = fp[FP_SAL_TARGET]


@njit(cache=True)
def stance_column(
    out: np.ndarray,
    c: int,
    ideology: np.ndarray,
    fp: np.ndarray,
    rel_obs: np.ndarray,
    rel_act: np.ndarray,
    rel_val: np.ndarray,
    rel_count: np.ndarray,
) -> None:
    """``out[o] = stance[o, c]`` for every observer (model.md section 8.1), never a matrix.

    The ideology rule ``clip(s * (2 * closeness(o, c) - 1), -1, 1)`` from the
    current ideologies, overridden by the explicit ``(observer, actor) ->
    value`` entries (relations, relation events, regime changes);
    ``stance[c, c] = 1``.
    """
    s = fp[FP_STANCE_FROM_IDEOLOGY]
    scale = fp[FP_IDEOLOGY_SCALE]
    n, d = ideology.shape
    for o in range(n):
        if s == 0.0:
            out[o] = 0.0
            continue
        acc = 0.0
        for a in range(d):
            diff = ideology[o, a] - ideology[c, a]
            acc += diff * diff
        closeness = 1.0 - math.sqrt(acc) / scale
        out[o] = min(1.0, max(-1.0, s * (2.0 * closeness - 1.0)))
    for r in range(rel_count[0]):
        if rel_act[r] == c:
            out[rel_obs[r]] = rel_val[r]
    out[c] = 1.0


@njit(cache=True)
def set_stance(
    observer: int,
    actor: int,
    value: float,
    rel_obs: np.ndarray,
    rel_act: np.ndarray,
    rel_val: np.ndarray,
    rel_count: np.ndarray,
) -> None:
    """Set the explicit ``stance[observer, actor]``, replacing an earlier one."""
    for r in range(rel_count[0]):
        if rel_obs[r] == observer and rel_act[r] == actor:
            rel_val[r] = value
            return
    r = rel_count[0]
    rel_obs[r] = observer
    rel_act[r] = actor
    rel_val[r] = value
    rel_count[0] = r + 1


@njit(cache=True)
def drop_stances(
    target: int,
    rel_obs: np.ndarray,
    rel_act: np.ndarray,
    rel_val: np.ndarray,
    rel_count: np.ndarray,
) -> None:
    """Forget the explicit stances to and from ``target`` (its regime changed)."""
    kept = 0
    for r in range(rel_count[0]):
        if rel_obs[r] != target and rel_act[r] != target:
            rel_obs[kept] = rel_obs[r]
            rel_act[kept] = rel_act[r]
            rel_val[kept] = rel_val[r]
            kept += 1
    rel_count[0] = kept


@njit(cache=True)
def apply_stance_salience(sal: np.ndarray, stance: np.ndarray, fp: np.ndarray) -> None:
    """The salience floor ``salience.stance * |stance[o, c]|`` (model.md section 8.2)."""
    floor = fp[FP_SAL_STANCE]
    for o in range(sal.shape[0]):
        sal[o] = max(sal[o], floor * abs(stance[o]))


@njit(cache=True)
def apply_enemy_reliability(e: np.ndarray, stance: np.ndarray, fp: np.ndarray) -> None:
    """Reliability evidence times ``1 - (1 - enemy_reliability) * max(0, -stance[o, c])``."""
    loss = 1.0 - fp[FP_ENEMY_RELIABILITY]
    for o in range(e.shape[0]):
        e[o] = e[o] * (1.0 - loss * max(0.0, -stance[o]))


@njit(cache=True)
def side(
    e: np.ndarray,
    sal: np.ndarray,
    target: int,
    actor: int,
    scale: float,
    stance: np.ndarray,
    region: np.ndarray,
    bloc_ptr: np.ndarray,
    bloc_idx: np.ndarray,
    bloc_mark: np.ndarray,
    aligned: np.ndarray,
    fp: np.ndarray,
) -> None:
    """Reliability evidence ``e`` of an event by ``actor`` about ``target``, and its salience.

    As ``EventEngine._side``: the salience (:func:`salience`), raised to the
    stance floor, times ``scale``, then discounted by the enemies (model.md
    sections 5 and 8.2). ``stance`` is every observer's stance towards
    ``target``, read only with those model v2 switches on.
    """
    salience(sal, target, actor, region, bloc_ptr, bloc_idx, bloc_mark, aligned, fp)
    if fp[FP_SAL_STANCE] != 0.0:
        apply_stance_salience(sal, stance, fp)
    for o in range(e.shape[0]):
        e[o] = scale * sal[o]
    if fp[FP_ENEMY_RELIABILITY] != 1.0:
        apply_enemy_reliability(e, stance, fp)


@njit(cache=True)
def add_affinity(
    scale: float,
    sal: np.ndarray,
    party: np.ndarray,
    actor: int,
    aff_pos: np.ndarray,
    aff_neg: np.ndarray,
) -> None:
    """Affinity evidence ``scale * salience(o) * party(o)`` about ``actor`` (model.md 8.2).

    ``scale`` is ``affinity.scale * magnitude * affinity(kind)`` and
    ``party(o)`` the sum over the event's parties q of ``direction(kind, q) *
    stance[o, q]``. The actor draws none about itself; propaganda does not
    amplify it. ``aff_pos`` and ``aff_neg`` are (P, N): by power, then observer.
    """
    for o in range(sal.shape[0]):
        if o == actor:
            continue
        x = scale * sal[o] * party[o]
        aff_pos[actor, o] += max(x, 0.0)
        aff_neg[actor, o] += max(-x, 0.0)


@njit(cache=True)
def active_campaigns(
    actor: int,
    step: int,
    cp_about: np.ndarray,
    cp_first: np.ndarray,
    cp_last: np.ndarray,
    active: np.ndarray,
) -> int:
    """How many propaganda campaigns about ``actor`` are active at ``step``.

    Their indices, in file order, go to the first cells of ``active`` (the
    caller's scratch of one cell per campaign, so that a step allocates none).
    """
    n_active = 0
    for c in range(cp_about.shape[0]):
        if cp_about[c] == actor and cp_first[c] <= step <= cp_last[c]:
            active[n_active] = c
            n_active += 1
    return n_active


@njit(cache=True)
def split_evidence(
    lo: int,
    hi: int,
    e: np.ndarray,
    actor: int,
    active: np.ndarray,
    n_active: int,
    trust_prev: np.ndarray,
    cp_actor: np.ndarray,
    cp_mag: np.ndarray,
    ev_pos: np.ndarray,
    ev_neg: np.ndarray,
) -> None:
    """:func:`add_evidence` for observers ``lo..hi-1``, the active campaigns found."""
    if lo <= actor < hi:
        e[actor] = 0.0
    for o in range(lo, hi):
        x = e[o]
        bad = max(-x, 0.0)
        if n_active:
            factor = 1.0
            for a in range(n_active):
                c = active[a]
                term = 1.0 if o == cp_actor[c] else 1.0 + cp_mag[c] * trust_prev[o, cp_actor[c]]
                factor = term if a == 0 else factor * term
            bad *= factor
        ev_pos[actor, o] += max(x, 0.0)
        ev_neg[actor, o] += bad


@njit(cache=True)
def add_evidence(
    e: np.ndarray,
    actor: int,
    step: int,
    trust_prev: np.ndarray,
    cp_actor: np.ndarray,
    cp_about: np.ndarray,
    cp_mag: np.ndarray,
    cp_first: np.ndarray,
    cp_last: np.ndarray,
    ev_pos: np.ndarray,
    ev_neg: np.ndarray,
    active: np.ndarray,
) -> None:
    """Split ``e`` about ``actor`` into this step's positive and negative evidence.

    As ``EventEngine._add``: the actor's own cell is dropped and negative
    evidence is amplified by every propaganda campaign about ``actor``
    active at ``step``, in file order. ``ev_pos`` and ``ev_neg`` are (P, N): by
    power, then observer. The campaigns are found once, not per observer
    (``active``: scratch of one cell per campaign).
    """
    n_active = active_campaigns(actor, step, cp_about, cp_first, cp_last, active)
    split_evidence(
        0, e.shape[0], e, actor, active, n_active, trust_prev, cp_actor, cp_mag, ev_pos, ev_neg
    )


@njit(cache=True)
def add_support(
    lo: int,
    hi: int,
    step: int,
    supported: np.ndarray,
    aligned: np.ndarray,
    support: np.ndarray,
    support_pos: np.ndarray,
    support_neg: np.ndarray,
    aff_pos: np.ndarray,
    aff_neg: np.ndarray,
    e: np.ndarray,
    trust_prev: np.ndarray,
    cp_actor: np.ndarray,
    cp_about: np.ndarray,
    cp_mag: np.ndarray,
    cp_first: np.ndarray,
    cp_last: np.ndarray,
    ev_pos: np.ndarray,
    ev_neg: np.ndarray,
    active: np.ndarray,
) -> None:
    """This step's support evidence for observers ``lo..hi-1`` (step 1), power by power.

    Each observer takes the kept variant of its alignment (:func:`support_variant`);
    affinity evidence is added when ``support_pos`` has cells (model v2).
    ``active`` is scratch of one cell per campaign.
    """
    support_aff = support_pos.shape[2] > 0
    for p in range(supported.shape[0]):
        if not supported[p]:
            continue
        for o in range(lo, hi):
            with_p = aligned[o] == p
            e[o] = support[1, p, o] if with_p else support[0, p, o]
            if support_aff:
                aff_pos[p, o] += support_pos[1, p, o] if with_p else support_pos[0, p, o]
                aff_neg[p, o] += support_neg[1, p, o] if with_p else support_neg[0, p, o]
        n_active = active_campaigns(p, step, cp_about, cp_first, cp_last, active)
        split_evidence(lo, hi, e, p, active, n_active, trust_prev, cp_actor, cp_mag, ev_pos, ev_neg)


@njit(cache=True, parallel=True)
def add_support_blocks(
    blocks: int,
    step: int,
    supported: np.ndarray,
    aligned: np.ndarray,
    support: np.ndarray,
    support_pos: np.ndarray,
    support_neg: np.ndarray,
    aff_pos: np.ndarray,
    aff_neg: np.ndarray,
    e: np.ndarray,
    trust_prev: np.ndarray,
    cp_actor: np.ndarray,
    cp_about: np.ndarray,
    cp_mag: np.ndarray,
    cp_first: np.ndarray,
    cp_last: np.ndarray,
    ev_pos: np.ndarray,
    ev_neg: np.ndarray,
) -> None:
    """:func:`add_support` of every observer, a block of observers per thread."""
    n = e.shape[0]
    for b in prange(blocks):
        lo, hi = block(b, blocks, n)
        active = np.empty(cp_about.shape[0], dtype=np.int64)  # each thread its own
        add_support(
            lo, hi, step, supported, aligned, support, support_pos, support_neg, aff_pos,
            aff_neg, e, trust_prev, cp_actor, cp_about, cp_mag, cp_first, cp_last, ev_pos, ev_neg,
            active,
        )  # fmt: skip


@njit(cache=True)
def refresh_distance(ideology: np.ndarray, distance: np.ndarray, scale: float) -> None:
    """``distance[o, p]``, as :func:`sim.kernels.ideology_distance`."""
    n, n_powers = distance.shape
    d = ideology.shape[1]
    for o in range(n):
        for p in range(n_powers):
            acc = 0.0
            for a in range(d):
                diff = ideology[o, a] - ideology[p, a]
                acc += diff * diff
            distance[o, p] = math.sqrt(acc) / scale


@njit(cache=True)
def group_sums(
    lo: int,
    hi: int,
    x: np.ndarray,
    member_ptr: np.ndarray,
    member_idx: np.ndarray,
    gsum: np.ndarray,
    total: np.ndarray,
    zero_diag: int,
    row: np.ndarray,
) -> None:
    """Add rows ``lo..hi-1`` of ``x`` into their groups' sums ``gsum`` and into ``total``.

    ``row`` is scratch of ``x.shape[1]`` cells (the caller's, so a step allocates none).
    """
    k = x.shape[1]
    for o in range(lo, hi):
        for c in range(k):
            row[c] = 0.0 if (o == c and o < zero_diag) else x[o, c]
        for j in range(member_ptr[o], member_ptr[o + 1]):
            g = member_idx[j]
            for c in range(k):
                gsum[g, c] += row[c]
        for c in range(k):
            total[c] += row[c]


@njit(cache=True)
def influence(
    lo: int,
    hi: int,
    x: np.ndarray,
    out: np.ndarray,
    network: tuple[np.ndarray, ...],
    gsum: np.ndarray,
    total: np.ndarray,
    baseline: float,
    zero_diag: int,
    row: np.ndarray,
) -> None:
    """Rows ``lo..hi-1`` of ``out = W0 @ x``, given the group sums and the column totals.

    ``network`` is ``(member_ptr, member_idx, group_weight, tie_ptr, tie_idx,
    tie_w)`` (:func:`raw_apply`); ``row`` is scratch of
    ``x.shape[1]`` cells.
    """
    member_ptr, member_idx, group_weight, tie_ptr, tie_idx, tie_w = network
    k = x.shape[1]
    for o in range(lo, hi):
        for c in range(k):
            row[c] = 0.0 if (o == c and o < zero_diag) else x[o, c]
            out[o, c] = 0.0
        # Each group's sum less the actor's own value, then weighted: a group it
        # shares with no one else adds exactly 0, whatever the weights (with the
        # weighted sums first, the own terms cancelled only to rounding, which
        # swamped a small tie: InfluenceNetwork._raw_apply).
        for j in range(member_ptr[o], member_ptr[o + 1]):
            g = member_idx[j]
            w = group_weight[g]
            for c in range(k):
                out[o, c] += w * (gsum[g, c] - row[c])
        if baseline != 0.0:
            for c in range(k):
                out[o, c] += baseline * (total[c] - row[c])
    # The ties in a second pass, each row's terms in the same order as in one: the
    # pass is short, so the processor has many rows' scattered reads in flight at once
    # (decision 284: 100,000 states, 3.6 against 6.3 ms on one thread).
    for o in range(lo, hi):
        for j in range(tie_ptr[o], tie_ptr[o + 1]):
            t = tie_idx[j]
            w = tie_w[j]
            if t < zero_diag:
                for c in range(k):
                    out[o, c] += w * (0.0 if t == c else x[t, c])
            else:
                for c in range(k):
                    out[o, c] += w * x[t, c]


@njit(cache=True, parallel=True)
def group_sums_blocks(
    blocks: int,
    x: np.ndarray,
    member_ptr: np.ndarray,
    member_idx: np.ndarray,
    parts: np.ndarray,
    totals: np.ndarray,
    zero_diag: int,
) -> None:
    """:func:`group_sums` of each block into its own ``parts[b]`` and ``totals[b]``."""
    n, k = x.shape
    for b in prange(blocks):
        lo, hi = block(b, blocks, n)
        row = np.empty(k)  # each thread its own
        group_sums(lo, hi, x, member_ptr, member_idx, parts[b], totals[b, :k], zero_diag, row)


@njit(cache=True, parallel=True)
def influence_blocks(
    blocks: int,
    x: np.ndarray,
    out: np.ndarray,
    network: tuple[np.ndarray, ...],
    gsum: np.ndarray,
    total: np.ndarray,
    baseline: float,
    zero_diag: int,
) -> None:
    """:func:`influence` of every actor, a block of actors per thread."""
    n, k = x.shape
    for b in prange(blocks):
        lo, hi = block(b, blocks, n)
        row = np.empty(k)  # each thread its own
        influence(lo, hi, x, out, network, gsum, total, baseline, zero_diag, row)


@njit(cache=True)
def raw_apply(
    x: np.ndarray,
    out: np.ndarray,
    member_ptr: np.ndarray,
    member_idx: np.ndarray,
    group_weight: np.ndarray,
    tie_ptr: np.ndarray,
    tie_idx: np.ndarray,
    tie_w: np.ndarray,
    gsum: np.ndarray,
    baseline: float,
    zero_diag: int,
    blocks: int,
    threads: bool,
    scratch: np.ndarray,
) -> None:
    """``out = W0 @ x`` for x of shape (N, P) (diagonal excluded, rows not normalised).

    As ``InfluenceNetwork._raw_apply``. ``member_idx`` lists each actor's
    groups (its region, then its blocs offset by the number of regions) with
    weights ``group_weight``. Each group is summed once, so time is linear in
    actors, memberships and ties; all columns go together, so each index is
    read once. ``gsum`` and ``scratch`` are scratch of shapes (G, P) and
    (2, P), so that a step allocates nothing here. ``x[p, p]`` is read as 0
    for ``p < zero_diag`` (a power's own cell of held trust), so that the
    caller need not copy ``x`` to clear it. Both passes go over the actors
    in ``blocks`` blocks, on threads when ``threads``; each block sums its
    groups apart, and the parts are added in block order, so the bits do not
    depend on the threads.
    """
    n, k = x.shape
    threads = threads and blocks > 1
    gsum[:] = 0.0
    total, row = scratch[0], scratch[1]
    total[:] = 0.0
    if blocks == 1:
        group_sums(0, n, x, member_ptr, member_idx, gsum, total, zero_diag, row)
    else:
        parts = np.zeros((blocks, gsum.shape[0], k))
        # Each block's totals a cache line apart from the next's: threads that wrote
        # neighbouring cells of one line would take it from each other at every row.
        totals = np.zeros((blocks, k + 8))
        if threads:
            group_sums_blocks(blocks, x, member_ptr, member_idx, parts, totals, zero_diag)
        else:
            for b in range(blocks):
                lo, hi = block(b, blocks, n)
                group_sums(
                    lo, hi, x, member_ptr, member_idx, parts[b], totals[b, :k], zero_diag, row
                )
        for b in range(blocks):
            gsum += parts[b]
            total += totals[b, :k]
    network = (member_ptr, member_idx, group_weight, tie_ptr, tie_idx, tie_w)
    if blocks == 1:
        influence(0, n, x, out, network, gsum, total, baseline, zero_diag, row)
    elif not threads:
        for b in range(blocks):
            lo, hi = block(b, blocks, n)
            influence(lo, hi, x, out, network, gsum, total, baseline, zero_diag, row)
    else:
        influence_blocks(blocks, x, out, network, gsum, total, baseline, zero_diag)


@njit(cache=True)
def network_rows(
    n_powers: int,
    member_ptr: np.ndarray,
    member_idx: np.ndarray,
    group_weight: np.ndarray,
    tie_ptr: np.ndarray,
    tie_idx: np.ndarray,
    tie_w: np.ndarray,
    baseline: float,
    threshold: float,
    remaining: np.ndarray,
    has_neighbours: np.ndarray,
    blocks: int,
    threads: bool,
) -> None:
    """Row sums of every ``W_p`` and where they leave a neighbour, as ``InfluenceNetwork``.

    A row sum above ``threshold`` (a tiny fraction of the smallest positive
    weight) is a real neighbour; elsewhere ``remaining`` is 1 and unused.
    """
    n = member_ptr.shape[0] - 1
    x = np.ones((n, n_powers))
    out = np.empty((n, n_powers))
    gsum = np.empty((group_weight.shape[0], n_powers))
    raw_apply(
        x, out, member_ptr, member_idx, group_weight,
        tie_ptr, tie_idx, tie_w, gsum, baseline, n_powers, blocks, threads,
        np.empty((2, n_powers)),
    )  # fmt: skip
    for o in range(n):
        for p in range(n_powers):
            has_neighbours[o, p] = out[o, p] > threshold
            remaining[o, p] = out[o, p] if has_neighbours[o, p] else 1.0


# States whose alignment utilities are taken together (see align).
ALIGN_CHUNK = 128


@njit(cache=True)
def align(
    lo: int,
    hi: int,
    trust: np.ndarray,
    affinity: np.ndarray,
    distance: np.ndarray,
    capability: np.ndarray,
    aligned: np.ndarray,
    fp: np.ndarray,
    uniforms: np.ndarray,
    scratch: np.ndarray,
) -> None:
    """Alignment of the states among actors ``lo..hi-1`` (model.md section 4, step 4).

    As ``CredibilityModel._align``: utilities as
    :func:`sim.kernels.alignment_utility`, then the choice as
    :func:`sim.kernels.choose_alignment`: the argmax at temperature 0 (ties to
    the earlier option), else the first option whose cumulative softmax
    weight exceeds the state's uniform draw times the total. The choice is
    written with selects and counts rather than data-dependent branches,
    which the processor would mispredict about half the time. States go in
    chunks of ``ALIGN_CHUNK``: their utilities first, then all their softmax
    exponentials in one loop without dependencies, which the compiler turns
    into vector instructions (decision 284), then their choices; each
    state's numbers are the same operations in the same order as one state
    at a time. ``scratch`` is :func:`align_scratch`'s, so that a step
    allocates nothing here.
    """
    n_powers = trust.shape[1]
    n_options = n_powers + 1
    weighted = scratch[:n_powers]
    buf = scratch[n_options:]
    w_trust = fp[FP_W_TRUST]
    w_ideology = fp[FP_W_IDEOLOGY]
    w_inertia = fp[FP_W_INERTIA]
    w_affinity = fp[FP_W_AFFINITY]
    temperature = fp[FP_TEMPERATURE]
    nonaligned = fp[FP_NONALIGNED]
    for p in range(n_powers):
        weighted[p] = fp[FP_W_CAPABILITY] * capability[p]
    for first in range(max(lo, n_powers), hi, ALIGN_CHUNK):
        m = min(hi - first, ALIGN_CHUNK)
        for i in range(m):
            o = first + i
            # At temperature 0 a state's choice is made here, its utilities in the first cells.
            at = i * n_options if temperature > 0.0 else 0
            for p in range(n_powers):
                buf[at + p] = (weighted[p] - w_ideology * distance[o, p]) + w_trust * trust[o, p]
            if w_affinity != 0.0:
                for p in range(n_powers):
                    buf[at + p] += w_affinity * affinity[o, p]
            buf[at + n_powers] = nonaligned
            if w_inertia != 0.0:
                current = aligned[o]
                buf[at + (n_powers if current < 0 else current)] += w_inertia
            top = buf[at]
            if temperature == 0.0:
                best = 0
                for j in range(1, n_options):
                    better = buf[j] > top
                    best = j if better else best
                    top = buf[j] if better else top
                aligned[o] = -1 if best == n_powers else best
                continue
            for j in range(1, n_options):
                top = max(top, buf[at + j])
            for j in range(n_options):
                buf[at + j] = (buf[at + j] - top) / temperature
        if temperature == 0.0:
            continue
        for j in range(m * n_options):
            buf[j] = exp_nonpositive(buf[j])
        for i in range(m):
            o = first + i
            at = i * n_options
            total = buf[at]
            for j in range(1, n_options):
                total = total + buf[at + j]
            threshold = uniforms[o - n_powers] * total
            # The first option whose cumulative weight exceeds u * total is the number
            # of options (the last excluded) whose cumulative weight does not.
            cumulative = buf[at]
            best = 1 if cumulative <= threshold else 0
            for j in range(1, n_options - 1):
                cumulative = cumulative + buf[at + j]
                best += 1 if cumulative <= threshold else 0
            aligned[o] = -1 if best == n_powers else best


@njit(cache=True)
def align_scratch(n_powers: int) -> np.ndarray:
    """Scratch for :func:`align`: the weighted capabilities, then a chunk's utilities."""
    return np.empty((ALIGN_CHUNK + 1) * (n_powers + 1))


@njit(cache=True, parallel=True)
def align_blocks(
    blocks: int,
    trust: np.ndarray,
    affinity: np.ndarray,
    distance: np.ndarray,
    capability: np.ndarray,
    aligned: np.ndarray,
    fp: np.ndarray,
    uniforms: np.ndarray,
) -> None:
    """:func:`align` of every state, a block of actors per thread."""
    n, n_powers = trust.shape
    for b in prange(blocks):
        lo, hi = block(b, blocks, n)
        scratch = align_scratch(n_powers)  # each thread its own
        align(lo, hi, trust, affinity, distance, capability, aligned, fp, uniforms, scratch)


@njit(cache=True)
def support_variant(
    variant: int,
    first: int,
    support: np.ndarray,
    support_pos: np.ndarray,
    support_neg: np.ndarray,
    supported: np.ndarray,
    n_commitments: int,
    c_actor: np.ndarray,
    c_target: np.ndarray,
    c_mag: np.ndarray,
    weight: np.ndarray,
    aff_weight: np.ndarray,
    fp: np.ndarray,
    region: np.ndarray,
    bloc_ptr: np.ndarray,
    bloc_idx: np.ndarray,
    bloc_mark: np.ndarray,
    ideology: np.ndarray,
    rel_obs: np.ndarray,
    rel_act: np.ndarray,
    rel_val: np.ndarray,
    rel_count: np.ndarray,
    sal: np.ndarray,
    e: np.ndarray,
    stance_t: np.ndarray,
    as_aligned: np.ndarray,
) -> None:
    """Each power's summed support evidence (P, N) for its open commitments, in opening order.

    An observer's alignment enters the support of power ``p`` only through the
    salience term "aligned with the acting power", and every commitment in
    ``p``'s sum has ``p`` as its actor. So the sum is computed twice, as if
    every observer were aligned with ``p`` (``variant`` 1) and as if none were
    (0); each step an observer takes the variant of its alignment, which is
    what computing the sum afresh with the current alignments gives, to the
    bit. Affinity evidence (model v2), whose sign varies, is summed by parts
    into ``support_pos`` and ``support_neg`` (empty when not drawn). Sets
    ``supported[p]`` for every power with an open commitment.

    From ``first`` > 0, the sums already hold the commitments before it and
    only the later ones are added: the last terms of the same sums in the
    same order, so the same bits as summing afresh (commitments opened since
    the sums were taken, nothing else changed; decision 275).
    """
    n = sal.shape[0]
    affinity_on = fp[FP_AFFINITY_SCALE] != 0.0
    enemy_on = fp[FP_ENEMY_RELIABILITY] != 1.0
    floor_on = fp[FP_SAL_STANCE] != 0.0
    with_affinity = support_pos.shape[1] > 0
    if first == 0:
        supported[:] = False
        support[:] = 0.0
        if with_affinity:
            support_pos[:] = 0.0
            support_neg[:] = 0.0
    for c in range(first, n_commitments):
        actor = c_actor[c]
        as_aligned[:] = actor if variant == 1 else -1
        if affinity_on or enemy_on or floor_on:
            stance_column(stance_t, c_target[c], ideology, fp, rel_obs, rel_act, rel_val, rel_count)
        side(
            e, sal, c_target[c], actor, c_mag[c] * weight[SUPPORT], stance_t,
            region, bloc_ptr, bloc_idx, bloc_mark, as_aligned, fp,
        )  # fmt: skip
        if with_affinity:
            add_affinity(
                fp[FP_AFFINITY_SCALE] * c_mag[c] * aff_weight[SUPPORT],
                sal, stance_t, actor, support_pos, support_neg,
            )  # fmt: skip
        if supported[actor]:
            for o in range(n):
                support[actor, o] = support[actor, o] + e[o]
        else:
            for o in range(n):
                support[actor, o] = e[o]
            supported[actor] = True


@njit(cache=True)
def record_means(
    k: int,
    trust: np.ndarray,
    own: np.ndarray,
    affinity: np.ndarray,
    affinity_moved: bool,
    set_ptr: np.ndarray,
    set_idx: np.ndarray,
    set_group: np.ndarray,
    set_column: np.ndarray,
    mean_trust: np.ndarray,
    mean_own: np.ndarray,
    mean_affinity: np.ndarray,
    acc: np.ndarray,
) -> None:
    """Step ``k``'s group means, as the Recorder's :func:`sim.reductions.group_means`.

    Affinity that has not moved since step ``k - 1`` keeps that step's means.
    ``acc`` is (3, P) scratch.
    """
    n, n_powers = trust.shape
    shape = (1, n, n_powers)
    group_means(
        trust.reshape(shape), own.reshape(shape), affinity.reshape(shape), k,
        set_ptr, set_idx, set_group, set_column, mean_trust, mean_own, mean_affinity,
        affinity_moved, acc,
    )  # fmt: skip
    if not affinity_moved:
        # Cell by cell: numba copies an overlapping slice to a temporary array first.
        for g in range(mean_affinity.shape[0]):
            for p in range(n_powers):
                mean_affinity[g, k, p] = mean_affinity[g, k - 1, p]


@njit(cache=True)
def update_records(
    lo: int,
    hi: int,
    memory: float,
    bias: float,
    rho: float,
    affinity_on: bool,
    records: tuple[np.ndarray, ...],
) -> float:
    """Steps 2 of observers ``lo..hi-1``: evidence records, own assessment, re-anchoring, affinity.

    ``records`` holds trust's arrays (positive and negative records, this
    step's positive and negative evidence by power then observer, the priors
    a0 and b0, the own assessment), then affinity's in the same order (the
    last its value). The step's evidence is taken in and cleared. Returns
    a sum that is 0 when every value written is finite and NaN otherwise
    (``x - x`` is 0 for a finite x: a check without branches). Trust's and
    affinity's records are written out here, not through a per-cell
    function: numba made that two to four times slower (decision 247).
    """
    positive, negative, ev_pos, ev_neg, a0, b0, own = records[:7]
    r_aff, s_aff, aff_pos, aff_neg, a0_aff, b0_aff, affinity = records[7:]
    n_powers = own.shape[1]
    health = 0.0
    for o in range(lo, hi):
        for p in range(n_powers):
            pos = memory * positive[o, p] + ev_pos[p, o]
            neg = memory * negative[o, p] + bias * ev_neg[p, o]
            positive[o, p] = pos
            negative[o, p] = neg
            ev_pos[p, o] = 0.0
            ev_neg[p, o] = 0.0
            value = (a0[o, p] + pos) / (a0[o, p] + b0[o, p] + pos + neg)
            own[o, p] = value
            health += (pos - pos) + (neg - neg) + (value - value)
            if rho != 1.0:
                strength = a0[o, p] + b0[o, p]
                a0[o, p] = rho * a0[o, p] + (1.0 - rho) * strength * value
                b0[o, p] = rho * b0[o, p] + (1.0 - rho) * strength * (1.0 - value)
            if affinity_on:
                good = memory * r_aff[o, p] + aff_pos[p, o]
                bad = memory * s_aff[o, p] + bias * aff_neg[p, o]
                r_aff[o, p] = good
                s_aff[o, p] = bad
                aff_pos[p, o] = 0.0
                aff_neg[p, o] = 0.0
                value = (a0_aff[o, p] + good) / (a0_aff[o, p] + b0_aff[o, p] + good + bad)
                affinity[o, p] = value
                health += (good - good) + (bad - bad) + (value - value)
                if rho != 1.0:
                    strength = a0_aff[o, p] + b0_aff[o, p]
                    a0_aff[o, p] = rho * a0_aff[o, p] + (1.0 - rho) * strength * value
                    b0_aff[o, p] = rho * b0_aff[o, p] + (1.0 - rho) * strength * (1.0 - value)
    return health


@njit(cache=True, parallel=True)
def update_records_blocks(
    blocks: int,
    memory: float,
    bias: float,
    rho: float,
    affinity_on: bool,
    records: tuple[np.ndarray, ...],
) -> float:
    """:func:`update_records` of every observer, a block of observers per thread."""
    n = records[0].shape[0]
    health = np.zeros(blocks)
    for b in prange(blocks):
        lo, hi = block(b, blocks, n)
        health[b] = update_records(lo, hi, memory, bias, rho, affinity_on, records)
    return health.sum()


@njit(cache=True)
def hold(
    lo: int,
    hi: int,
    mu: float,
    own: np.ndarray,
    mean: np.ndarray,
    remaining: np.ndarray,
    has_neighbours: np.ndarray,
    trust: np.ndarray,
) -> float:
    """Held trust of observers ``lo..hi-1`` (step 3), written over ``trust``; a health sum."""
    n_powers = own.shape[1]
    health = 0.0
    for o in range(lo, hi):
        for p in range(n_powers):
            if has_neighbours[o, p]:
                value = (1.0 - mu) * own[o, p] + mu * (mean[o, p] / remaining[o, p])
            else:
                value = own[o, p]
            trust[o, p] = value
            health += value - value
    return health


@njit(cache=True, parallel=True)
def hold_blocks(
    blocks: int,
    mu: float,
    own: np.ndarray,
    mean: np.ndarray,
    remaining: np.ndarray,
    has_neighbours: np.ndarray,
    trust: np.ndarray,
) -> float:
    """:func:`hold` of every observer, a block of observers per thread."""
    n = own.shape[0]
    health = np.zeros(blocks)
    for b in prange(blocks):
        lo, hi = block(b, blocks, n)
        health[b] = hold(lo, hi, mu, own, mean, remaining, has_neighbours, trust)
    return health.sum()


@njit(cache=True)
def run_steps(
    k0: int,
    k1: int,
    fp: np.ndarray,
    ip: np.ndarray,
    # hand the blocks to threads (core.threads_usable: not in a forked child)
    threads: bool,
    # world state, updated in place
    a0: np.ndarray,
    b0: np.ndarray,
    positive: np.ndarray,
    negative: np.ndarray,
    own: np.ndarray,
    trust: np.ndarray,
    ideology: np.ndarray,
    distance: np.ndarray,
    capability: np.ndarray,
    aligned: np.ndarray,
    recognized: np.ndarray,
    # open commitments in opening order; c_count[0] of them
    c_actor: np.ndarray,
    c_target: np.ndarray,
    c_mag: np.ndarray,
    c_count: np.ndarray,
    # places
    region: np.ndarray,
    bloc_ptr: np.ndarray,
    bloc_idx: np.ndarray,
    # the network
    member_ptr: np.ndarray,
    member_idx: np.ndarray,
    group_weight: np.ndarray,
    tie_ptr: np.ndarray,
    tie_idx: np.ndarray,
    tie_w: np.ndarray,
    remaining: np.ndarray,
    has_neighbours: np.ndarray,
    # events, by step: those of step k are ev_ptr[k]..ev_ptr[k + 1]
    ev_ptr: np.ndarray,
    ev_kind: np.ndarray,
    ev_actor: np.ndarray,
    ev_target: np.ndarray,
    ev_with: np.ndarray,
    ev_mag: np.ndarray,
    ev_value: np.ndarray,
    ev_index: np.ndarray,
    weight: np.ndarray,
    decay_pow: np.ndarray,
    # regime changes (ev_index of a regime_change event is its row here)
    rc_a0: np.ndarray,
    rc_b0: np.ndarray,
    rc_aligned: np.ndarray,
    rc_has_ideology: np.ndarray,
    rc_ideology: np.ndarray,
    # propaganda campaigns, in file order
    cp_actor: np.ndarray,
    cp_about: np.ndarray,
    cp_mag: np.ndarray,
    cp_first: np.ndarray,
    cp_last: np.ndarray,
    # alignment draws: row r for the r-th alignment step of this call
    uniforms: np.ndarray,
    # model v2: explicit stances (observer, actor, value), rel_count[0] of them
    rel_obs: np.ndarray,
    rel_act: np.ndarray,
    rel_val: np.ndarray,
    rel_count: np.ndarray,
    # model v2: affinity records (5, N, P): a0, b0, r, s and the affinity itself
    aff: np.ndarray,
    aff_weight: np.ndarray,
    # per kind (registry): affinity direction of the target, commitment effect
    kind_dir: np.ndarray,
    kind_commit: np.ndarray,
    # model v2: a regime change's affinity priors (R, 2, P) and relations (CSR)
    rc_aff: np.ndarray,
    rc_rel_ptr: np.ndarray,
    rc_rel_actor: np.ndarray,
    rc_rel_val: np.ndarray,
    # snapshots at the end of steps k0..k1-1 (empty when the means are taken here)
    snap_trust: np.ndarray,
    snap_own: np.ndarray,
    snap_aligned: np.ndarray,
    snap_affinity: np.ndarray,
    # or the Recorder's statistics, filled here when ``in_loop`` is set: group
    # means (G, T + 1, P) of trust, own and affinity over the member sets
    # (sim.reductions), and the alignment history (T + 1, S)
    in_loop: bool,
    set_ptr: np.ndarray,
    set_idx: np.ndarray,
    set_group: np.ndarray,
    set_column: np.ndarray,
    mean_trust: np.ndarray,
    mean_own: np.ndarray,
    mean_affinity: np.ndarray,
    history: np.ndarray,
) -> int:
    """Steps ``k0`` to ``k1 - 1`` of model.md section 4, as ``CredibilityModel.step``.

    The model v2 mechanisms (section 8) run only where their switches in
    ``fp`` are on, so a v1 scenario pays nothing for them. The support of the
    open commitments is computed again only when what it depends on changed
    (the commitments, the stances or the ideologies), as the Mesa model's
    ``EventEngine._support`` keeps it between steps, and a commitment opened
    anew is only added to the kept sums; an observer's alignment changes
    only which of two kept variants it gets (:func:`support_variant`).

    Returns:
        -1, or the first step after whose influence update a state array
        holds a non-finite value (the loop stops there, before alignment,
        where the Mesa model's :func:`sim.finite.check_finite` stops it).
    """
    n, n_powers = trust.shape
    n_groups = group_weight.shape[0]
    memory = fp[FP_MEMORY]
    bias = fp[FP_BIAS]
    mu = fp[FP_MU]
    period = ip[IP_PERIOD]
    blocks = ip[IP_BLOCKS]
    threads = threads and blocks > 1
    # This step's evidence by power, then observer: an event's column is contiguous.
    ev_pos = np.zeros((n_powers, n))
    ev_neg = np.zeros((n_powers, n))
    e = np.empty(n)
    other = np.empty(n)
    sal = np.empty(n)
    support = np.zeros((2, n_powers, n))
    supported = np.zeros(n_powers, dtype=np.bool_)
    mean = np.empty((n, n_powers))
    gsum = np.empty((n_groups, n_powers))
    # Scratch of raw_apply, align and the campaigns' look-up, allocated once rather
    # than at every step.
    apply_scratch = np.empty((2, n_powers))
    scratch_align = align_scratch(n_powers)
    active = np.empty(cp_about.shape[0], dtype=np.int64)
    means_acc = np.empty((3, n_powers))
    bloc_mark = np.zeros(max(1, bloc_idx.max() + 1 if bloc_idx.shape[0] else 1), dtype=np.bool_)
    draw = 0
    # Model v2 switches, and scratch for the stance columns and affinity.
    affinity_on = fp[FP_AFFINITY_SCALE] != 0.0
    enemy_on = fp[FP_ENEMY_RELIABILITY] != 1.0
    floor_on = fp[FP_SAL_STANCE] != 0.0
    stances_on = affinity_on or enemy_on or floor_on
    rho = fp[FP_PRIOR_MEMORY]
    a0_aff, b0_aff, r_aff, s_aff, affinity = aff[0], aff[1], aff[2], aff[3], aff[4]
    aff_pos = np.zeros((n_powers, n))
    aff_neg = np.zeros((n_powers, n))
    stance_t = np.zeros(n)
    stance_w = np.zeros(n)
    party = np.zeros(n)
    sal_w = np.empty(n)
    # The support of the open commitments (both channels), kept while it cannot change:
    # [1] as if every observer were aligned with the supporting power, [0] as if none were.
    support_stale = True
    support_done = 0  # the commitments whose support the kept sums hold, when not stale
    support_aff = affinity_on and aff_weight[SUPPORT] != 0.0
    cells = n if support_aff else 0
    support_pos = np.zeros((2, n_powers, cells))
    support_neg = np.zeros((2, n_powers, cells))
    as_aligned = np.empty(n, dtype=aligned.dtype)
    # What step 2 reads and writes (update_records), trust's arrays then affinity's.
    records = (
        positive, negative, ev_pos, ev_neg, a0, b0, own,
        r_aff, s_aff, aff_pos, aff_neg, a0_aff, b0_aff, affinity,
    )  # fmt: skip
    for k in range(k0, k1):
        # 1. support for every commitment open at the start of the step: summed afresh
        # when stale, else the commitments opened since added to the kept sums.
        first = 0 if support_stale else support_done
        if support_stale or first < c_count[0]:
            was = supported.copy()
            for variant in range(2):
                supported[:] = was  # each variant marks its powers from the same start
                support_variant(
                    variant, first, support[variant], support_pos[variant],
                    support_neg[variant], supported, c_count[0], c_actor, c_target, c_mag,
                    weight, aff_weight, fp, region, bloc_ptr, bloc_idx, bloc_mark, ideology,
                    rel_obs, rel_act, rel_val, rel_count, sal, e, stance_t, as_aligned,
                )  # fmt: skip
            support_stale = False
            support_done = c_count[0]
        regime_changed = False
        if blocks == 1:
            add_support(
                0, n, k, supported, aligned, support, support_pos, support_neg, aff_pos,
                aff_neg, e, trust, cp_actor, cp_about, cp_mag, cp_first, cp_last, ev_pos, ev_neg,
                active,
            )  # fmt: skip
        elif not threads:
            for b in range(blocks):
                lo, hi = block(b, blocks, n)
                add_support(
                    lo, hi, k, supported, aligned, support, support_pos, support_neg, aff_pos,
                    aff_neg, e, trust, cp_actor, cp_about, cp_mag, cp_first, cp_last, ev_pos,
                    ev_neg, active,
                )  # fmt: skip
        else:
            add_support_blocks(
                blocks, k, supported, aligned, support, support_pos, support_neg, aff_pos,
                aff_neg, e, trust, cp_actor, cp_about, cp_mag, cp_first, cp_last, ev_pos, ev_neg,
            )  # fmt: skip
        # 1. the period's own events, in file order
        for i in range(ev_ptr[k], ev_ptr[k + 1]):
            kind = ev_kind[i]
            actor = ev_actor[i]
            target = ev_target[i]
            if kind == PROPAGANDA:
                continue
            if kind == RELATION:
                support_stale = True
                set_stance(actor, target, ev_value[i], rel_obs, rel_act, rel_val, rel_count)
                if ev_index[i] == 0:
                    set_stance(target, actor, ev_value[i], rel_obs, rel_act, rel_val, rel_count)
                continue
            if kind == CAPABILITY_CHANGE:
                new = ev_value[i] if ev_index[i] == 1 else capability[actor] + ev_value[i]
                capability[actor] = max(0.0, new)
                continue
            if kind == REGIME_CHANGE:
                support_stale = True
                regime_changed = True
                r = ev_index[i]
                for p in range(n_powers):
                    a0[target, p] = rc_a0[r, p]
                    b0[target, p] = rc_b0[r, p]
                    positive[target, p] = 0.0
                    negative[target, p] = 0.0
                    ev_pos[p, target] = 0.0
                    ev_neg[p, target] = 0.0
                    prior = a0[target, p] / (a0[target, p] + b0[target, p])
                    own[target, p] = prior
                    trust[target, p] = prior
                    recognized[target, p] = False
                    a0_aff[target, p] = rc_aff[r, 0, p]
                    b0_aff[target, p] = rc_aff[r, 1, p]
                    r_aff[target, p] = 0.0
                    s_aff[target, p] = 0.0
                    aff_pos[p, target] = 0.0
                    aff_neg[p, target] = 0.0
                    affinity[target, p] = a0_aff[target, p] / (
                        a0_aff[target, p] + b0_aff[target, p]
                    )
                drop_stances(target, rel_obs, rel_act, rel_val, rel_count)
                for j in range(rc_rel_ptr[r], rc_rel_ptr[r + 1]):
                    other_actor = rc_rel_actor[j]
                    set_stance(
                        target, other_actor, rc_rel_val[j], rel_obs, rel_act, rel_val, rel_count
                    )
                    set_stance(
                        other_actor, target, rc_rel_val[j], rel_obs, rel_act, rel_val, rel_count
                    )
                if rc_aligned[r] != KEEP:
                    aligned[target] = rc_aligned[r]
                if rc_has_ideology[r]:
                    ideology[target, :] = rc_ideology[r]
                    refresh_distance(ideology, distance, fp[FP_IDEOLOGY_SCALE])
                kept = 0
                for c in range(c_count[0]):
                    if c_target[c] != target:
                        c_actor[kept] = c_actor[c]
                        c_target[kept] = c_target[c]
                        c_mag[kept] = c_mag[c]
                        kept += 1
                c_count[0] = kept
                continue
            magnitude = ev_mag[i]
            scale = magnitude * weight[kind]
            # Model v2: the stance column of the target (all but rapprochement and rhetoric).
            if stances_on and target >= 0:
                stance_column(stance_t, target, ideology, fp, rel_obs, rel_act, rel_val, rel_count)
            if kind < N_TARGETED:
                side(
                    e, sal, target, actor, scale, stance_t,
                    region, bloc_ptr, bloc_idx, bloc_mark, aligned, fp,
                )  # fmt: skip
                if affinity_on:
                    direction = kind_dir[kind]
                    for o in range(n):
                        party[o] = direction * stance_t[o]
                if kind_commit[kind] != 0:
                    # A commitment opened anew is added to the kept sums next step; one
                    # opened again (its magnitude may change) or closed makes them stale;
                    # closing none changes nothing.
                    found = -1
                    for c in range(c_count[0]):
                        if c_actor[c] == actor and c_target[c] == target:
                            found = c
                    if kind_commit[kind] == OPENS:
                        if found < 0:
                            found = c_count[0]
                            c_actor[found] = actor
                            c_target[found] = target
                            c_count[0] = found + 1
                        else:
                            support_stale = True
                        c_mag[found] = magnitude
                    elif found >= 0:
                        support_stale = True
                        for c in range(found, c_count[0] - 1):
                            c_actor[c] = c_actor[c + 1]
                            c_target[c] = c_target[c + 1]
                            c_mag[c] = c_mag[c + 1]
                        c_count[0] -= 1
            elif kind == SIDE_WITH_ADVERSARY:
                side(
                    e, sal, target, actor, scale, stance_t,
                    region, bloc_ptr, bloc_idx, bloc_mark, aligned, fp,
                )  # fmt: skip
                for o in range(n):
                    party[o] = -stance_t[o]
                rival = ev_with[i]
                if rival >= 0:
                    # The rival's side, signed the other way; the larger side wins.
                    if stances_on:
                        stance_column(
                            stance_w, rival, ideology, fp, rel_obs, rel_act, rel_val, rel_count
                        )
                    side(
                        other, sal_w, rival, actor, scale, stance_w,
                        region, bloc_ptr, bloc_idx, bloc_mark, aligned, fp,
                    )  # fmt: skip
                    for o in range(n):
                        if not abs(e[o]) >= abs(other[o]):
                            e[o] = -other[o]
                        party[o] += stance_w[o]
                        sal[o] = max(sal[o], sal_w[o])
            elif kind == RAPPROCHEMENT:
                partner = ev_with[i]
                salience(sal, -1, actor, region, bloc_ptr, bloc_idx, bloc_mark, aligned, fp)
                for o in range(n):
                    gap = (1.0 - distance[o, actor]) - (1.0 - distance[o, partner])
                    e[o] = scale * sal[o] * max(0.0, gap)
                if affinity_on:
                    stance_column(
                        party, partner, ideology, fp, rel_obs, rel_act, rel_val, rel_count
                    )
            elif kind == RHETORIC:
                salience(sal, -1, actor, region, bloc_ptr, bloc_idx, bloc_mark, aligned, fp)
                for o in range(n):
                    e[o] = scale * sal[o] * trust[o, actor]
                    party[o] = 0.0
            else:  # RECOGNIZE
                if recognized[target, actor]:
                    continue
                earlier = 0
                for p in range(n_powers):
                    if recognized[target, p]:
                        earlier += 1
                recognized[target, actor] = True
                side(
                    e, sal, target, actor, scale, stance_t,
                    region, bloc_ptr, bloc_idx, bloc_mark, aligned, fp,
                )  # fmt: skip
                for o in range(n):
                    party[o] = kind_dir[kind] * stance_t[o]
                factor = decay_pow[earlier]
                for o in range(n):
                    e[o] = e[o] * factor
            if affinity_on and aff_weight[kind] != 0.0:
                add_affinity(
                    fp[FP_AFFINITY_SCALE] * magnitude * aff_weight[kind],
                    sal, party, actor, aff_pos, aff_neg,
                )  # fmt: skip
            add_evidence(
                e, actor, k, trust, cp_actor, cp_about, cp_mag, cp_first, cp_last, ev_pos, ev_neg,
                active,
            )  # fmt: skip
        # 2. evidence update and own assessment; 3. social influence. Non-finite
        # values are looked for as they are written (the Mesa model checks after step 3).
        if blocks == 1:
            health = update_records(0, n, memory, bias, rho, affinity_on, records)
        elif not threads:
            health = 0.0
            for b in range(blocks):
                lo, hi = block(b, blocks, n)
                health += update_records(lo, hi, memory, bias, rho, affinity_on, records)
        else:
            health = update_records_blocks(blocks, memory, bias, rho, affinity_on, records)
        raw_apply(
            trust, mean, member_ptr, member_idx, group_weight,
            tie_ptr, tie_idx, tie_w, gsum, fp[FP_BASELINE], n_powers, blocks, threads,
            apply_scratch,
        )  # fmt: skip
        # Held trust is written over the old, which raw_apply has finished reading.
        if blocks == 1:
            health += hold(0, n, mu, own, mean, remaining, has_neighbours, trust)
        elif not threads:
            for b in range(blocks):
                lo, hi = block(b, blocks, n)
                health += hold(lo, hi, mu, own, mean, remaining, has_neighbours, trust)
        else:
            health += hold_blocks(blocks, mu, own, mean, remaining, has_neighbours, trust)
        if not (
            health == 0.0
            and all_finite(capability)
            and (affinity_on or not regime_changed or (
                all_finite(r_aff) and all_finite(s_aff) and all_finite(affinity)
            ))
        ):  # fmt: skip
            return k
        # 4. alignment
        if period != 0 and k % period == 0:
            if blocks == 1:
                align(
                    0, n, trust, affinity, distance, capability, aligned, fp, uniforms[draw],
                    scratch_align,
                )  # fmt: skip
            elif not threads:
                for b in range(blocks):
                    lo, hi = block(b, blocks, n)
                    align(
                        lo, hi, trust, affinity, distance, capability, aligned, fp,
                        uniforms[draw], scratch_align,
                    )  # fmt: skip
            else:
                align_blocks(
                    blocks, trust, affinity, distance, capability, aligned, fp, uniforms[draw]
                )
            draw += 1
        # 5. record
        if in_loop:
            record_means(
                k, trust, own, affinity, affinity_on or regime_changed or k == k0,
                set_ptr, set_idx, set_group, set_column, mean_trust, mean_own, mean_affinity,
                means_acc,
            )  # fmt: skip
            for s in range(n - n_powers):
                history[k, s] = aligned[n_powers + s]
        else:
            snap_trust[k - k0] = trust
            snap_own[k - k0] = own
            if snap_affinity.shape[0]:
                snap_affinity[k - k0] = affinity
            snap_aligned[k - k0] = aligned[n_powers:]
    return -1


@njit(cache=True)
def equilibrium(
    own: np.ndarray,
    trust: np.ndarray,
    mu: float,
    member_ptr: np.ndarray,
    member_idx: np.ndarray,
    group_weight: np.ndarray,
    tie_ptr: np.ndarray,
    tie_idx: np.ndarray,
    tie_w: np.ndarray,
    baseline: float,
    remaining: np.ndarray,
    has_neighbours: np.ndarray,
    max_sweeps: int,
    tolerance: float,
    blocks: int,
    threads: bool,
) -> int:
    """Held trust at the Friedkin-Johnsen equilibrium of ``own`` (model v2 ``network.initial``).

    Iterates ``tau <- (1 - mu) * own + mu * W_p @ tau`` from ``tau = own``
    until no cell moves by more than ``tolerance`` (a contraction for
    ``mu < 1``), at most ``max_sweeps`` times, as
    :func:`sim.kernels.friedkin_johnsen_equilibrium`; writes ``trust`` and
    returns the sweeps done.
    """
    n, n_powers = own.shape
    mean = np.empty((n, n_powers))
    gsum = np.empty((group_weight.shape[0], n_powers))
    apply_scratch = np.empty((2, n_powers))
    trust[:] = own
    for sweep in range(max_sweeps):
        raw_apply(
            trust, mean, member_ptr, member_idx, group_weight,
            tie_ptr, tie_idx, tie_w, gsum, baseline, n_powers, blocks, threads, apply_scratch,
        )  # fmt: skip
        moved = 0.0
        for o in range(n):
            for p in range(n_powers):
                if has_neighbours[o, p]:
                    new = (1.0 - mu) * own[o, p] + mu * (mean[o, p] / remaining[o, p])
                else:
                    new = own[o, p]
                moved = max(moved, abs(new - trust[o, p]))
                trust[o, p] = new
        if moved <= tolerance:
            return sweep + 1
    return max_sweeps


# The machine code numba caches for these kernels holds sim.reductions' group_means as it
# was compiled with them, and numba checks only this file for changes: a change to that
# file alone makes these caches stale too (decision 965). After every kernel, before any
# is called.
cached_with(globals(), sim.reductions)
