"""The numerical core: pure array functions for one model step (model.md section 4).

Everything here is array in, array out, numpy only: no mesa, pandas, files or
randomness of its own. Shapes use ``N`` for actors (powers first, then states),
``P`` for powers, ``S`` for states, ``B`` for blocs, ``D`` for ideology axes.

References:
    Josang, A. and Ismail, R. (2002). The Beta Reputation System. 15th Bled
    Electronic Commerce Conference. (Beta evidence with forgetting.)
    Friedkin, N. E. and Johnsen, E. C. (1990). Social influence and opinions.
    Journal of Mathematical Sociology 15(3-4), 193-206.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def beta_priors(mean: FloatArray, strength: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Prior pseudo-counts from an initial trust and a prior strength.

    Args:
        mean: initial trust ``m`` in [0, 1], any shape.
        strength: prior strength ``k`` > 0, broadcastable to ``mean``.

    Returns:
        ``(a0, b0) = (m*k, (1-m)*k)``.
    """
    return mean * strength, (1.0 - mean) * strength


def update_evidence(
    positive: FloatArray,
    negative: FloatArray,
    new_positive: FloatArray,
    new_negative: FloatArray,
    memory: float,
    negativity_bias: float,
) -> None:
    """Decay old evidence and add this step's, in place (model.md section 4, step 2).

    ``r <- memory*r + pos``, ``s <- memory*s + negativity_bias*neg``.

    Args:
        positive: ``r``, (N, P), updated in place.
        negative: ``s``, (N, P), updated in place.
        new_positive: this step's positive evidence ``pos`` (N, P), >= 0.
        new_negative: this step's negative evidence ``neg`` (N, P), >= 0 (before the bias).
        memory: ``delta`` in (0, 1]; 1 keeps all evidence (the Beta-Bernoulli posterior).
        negativity_bias: ``lambda`` >= 0, the weight of bad news relative to good.
    """
    positive *= memory
    positive += new_positive
    negative *= memory
    negative += negativity_bias * new_negative


def own_assessment(
    a0: FloatArray, b0: FloatArray, positive: FloatArray, negative: FloatArray
) -> FloatArray:
    """The Beta posterior mean ``(a0 + r) / (a0 + b0 + r + s)``, shape of the inputs."""
    return (a0 + positive) / (a0 + b0 + positive + negative)


def reanchor(a0: FloatArray, b0: FloatArray, own: FloatArray, prior_memory: float) -> None:
    """Move the priors towards the own assessment, keeping their strength, in place.

    ``a0 <- rho*a0 + (1-rho)*k*own``, ``b0 <- rho*b0 + (1-rho)*k*(1-own)`` with
    ``k = a0 + b0`` (model.md section 8.3). ``rho = 1`` leaves them as they are.

    Args:
        a0, b0: prior pseudo-counts (N, P), updated in place.
        own: the step's own assessment (N, P).
        prior_memory: ``rho`` in (0, 1].
    """
    strength = a0 + b0
    moved = (1.0 - prior_memory) * strength
    a0 *= prior_memory
    a0 += moved * own
    b0 *= prior_memory
    b0 += moved * (1.0 - own)


def stance_rule(closeness: FloatArray, from_ideology: float) -> FloatArray:
    """Stances from ideology: ``clip(s*(2*closeness - 1), -1, 1)`` (model.md section 8.1).

    Args:
        closeness: (N,) ideological closeness of every actor to one actor ``c``.
        from_ideology: ``s`` >= 0; 0 makes every stance 0.

    Returns:
        (N,) ``stance[:, c]`` before the explicit relations (the caller sets ``[c] = 1``).
    """
    return np.clip(from_ideology * (2.0 * closeness - 1.0), -1.0, 1.0)


def enemy_factor(stance: FloatArray, enemy_reliability: float) -> FloatArray:
    """Reliability evidence scale ``1 - (1 - enemy_reliability)*max(0, -stance)``.

    Args:
        stance: (N,) every observer's stance towards the event's target.
        enemy_reliability: in [0, 1]; 1 scales nothing, 0 silences full enemies.

    Returns:
        (N,) factors in [enemy_reliability, 1].
    """
    return 1.0 - (1.0 - enemy_reliability) * np.maximum(0.0, -stance)


def stance_salience(salience: FloatArray, stance: FloatArray, weight: float) -> FloatArray:
    """Salience raised to at least ``weight*|stance|`` (model.md section 8.2)."""
    return np.maximum(salience, weight * np.abs(stance))


# Above this susceptibility the equilibrium iteration stops only at a step below
# tolerance * (1 - mu) / mu: a step below the tolerance alone leaves up to
# tolerance * mu / (1 - mu) to go (1e-13 at 0.99, 1e-11 at 0.9999). At or below it
# the rule is decision 52's, unchanged.
STRICT_ABOVE = 0.99


def equilibrium_tolerance(susceptibility: float, tolerance: float = 1e-15) -> float:
    """The step below which the equilibrium iteration stops, at susceptibility ``mu``."""
    if susceptibility <= STRICT_ABOVE:
        return tolerance
    return tolerance * (1.0 - susceptibility) / susceptibility


def friedkin_johnsen_equilibrium(
    own: FloatArray,
    neighbour_mean: Callable[[FloatArray], FloatArray],
    has_neighbours: BoolArray | None,
    susceptibility: float,
    *,
    tolerance: float = 1e-15,
    max_iterations: int = 100_000,
) -> FloatArray:
    """The fixed point ``tau = (1 - mu)*own + mu*(W_p @ tau)`` of :func:`friedkin_johnsen`.

    Solves ``(I - mu W_p) tau = (1 - mu) own`` for every power at once by
    fixed-point iteration of the structured operator, starting from ``own``:
    the map is a contraction with rate ``mu`` (``W_p`` is row-stochastic),
    so it stops when no cell moves by more than
    :func:`equilibrium_tolerance`; memory and time per iteration are those of
    one influence step. When ``max_iterations`` do not settle it (``mu`` near
    1), the system is solved by :func:`equilibrium_by_gmres` instead.

    Args:
        own: own assessment (N, P).
        neighbour_mean: ``x -> W_p @ x[:, p]`` for every power, (N, P) -> (N, P).
        has_neighbours: as for :func:`friedkin_johnsen`.
        susceptibility: ``mu`` in [0, 1).

    Returns:
        Held trust at rest (N, P).
    """
    stop = equilibrium_tolerance(susceptibility, tolerance)
    tau = own
    for _ in range(max_iterations):
        nxt = friedkin_johnsen(own, neighbour_mean(tau), has_neighbours, susceptibility)
        if np.max(np.abs(nxt - tau), initial=0.0) <= stop:
            return nxt
        tau = nxt
    # Not settled: a mode of W_p with |eigenvalue| near 1 (a two-periodic network,
    # loosely joined clusters) shrinks only like mu**n, too slowly for mu near 1.
    return equilibrium_by_gmres(own, neighbour_mean, has_neighbours, susceptibility)


def equilibrium_by_gmres(
    own: FloatArray,
    neighbour_mean: Callable[[FloatArray], FloatArray],
    has_neighbours: BoolArray | None,
    susceptibility: float,
) -> FloatArray:
    """:func:`friedkin_johnsen_equilibrium`'s fixed point by GMRES, from ``own``.

    Solves ``tau - mu*(W_p @ tau) = (1 - mu)*own`` (``tau = own`` where an actor
    has no neighbour) with the same structured operator, for the cases the
    fixed-point iteration cannot settle in its budget (``mu`` near 1): GMRES
    does not slow down with the mode that holds the iteration back. It stops
    at a residual of 1e-14 times the size of ``own``, ten times what rounding
    in the operator leaves.
    """
    from scipy.sparse.linalg import LinearOperator, gmres

    shape = own.shape
    mu = susceptibility

    def apply(x: FloatArray) -> FloatArray:
        tau = x.reshape(shape)
        mixed = tau - mu * neighbour_mean(tau)
        out = mixed if has_neighbours is None else np.where(has_neighbours, mixed, tau)
        return np.asarray(out).ravel()

    mixed_own = (1.0 - mu) * own
    rhs = mixed_own if has_neighbours is None else np.where(has_neighbours, mixed_own, own)
    operator = LinearOperator((own.size, own.size), matvec=apply, dtype=np.float64)
    solution, _ = gmres(
        operator,
        rhs.ravel(),
        x0=own.ravel(),
        rtol=0.0,
        atol=1e-14 * float(np.linalg.norm(own)),
        restart=min(own.size, 50),
        maxiter=200,
    )
    return np.asarray(solution).reshape(shape)


def friedkin_johnsen(
    own: FloatArray,
    neighbour_mean: FloatArray,
    has_neighbours: BoolArray | None,
    susceptibility: float,
) -> FloatArray:
    """One Friedkin-Johnsen step: ``tau = (1 - mu)*own + mu*(W_p @ tau_prev)``.

    Args:
        own: own assessment (N, P).
        neighbour_mean: ``W_p @ tau_prev[:, p]`` for every power, (N, P).
        has_neighbours: (N, P), False where the actor has no remaining
            neighbour for that power; there the actor keeps ``tau = own``.
            None when every actor has neighbours.
        susceptibility: ``mu`` in [0, 1].

    Returns:
        Held trust ``tau`` (N, P).
    """
    mixed = (1.0 - susceptibility) * own + susceptibility * neighbour_mean
    return mixed if has_neighbours is None else np.where(has_neighbours, mixed, own)


def ideology_distance(observers: FloatArray, powers: FloatArray) -> FloatArray:
    """Euclidean ideological distance scaled to [0, 1].

    Args:
        observers: (N, D) coordinates in [-1, 1].
        powers: (P, D) coordinates in [-1, 1].

    Returns:
        (N, P) distances divided by the largest possible, ``2*sqrt(D)``.
    """
    diff = observers[:, None, :] - powers[None, :, :]
    return np.sqrt((diff * diff).sum(axis=2)) / (2.0 * np.sqrt(observers.shape[1]))


def place_salience(
    region: IntArray,
    blocs: BoolArray,
    target: int,
    *,
    same_region: float,
    same_bloc: float,
    global_weight: float,
) -> FloatArray:
    """The part of salience (model.md section 4, step 1) that depends on where
    observers are, not on alignment.

    ``max(global, same_region*[same region as target], same_bloc*[shares a bloc])``;
    just ``global`` for events without a target (``target = -1``). Constant while
    regions and blocs are, so callers may cache it per target.

    Args:
        region: (N,) region code of each actor.
        blocs: (N, B) bloc membership.
        target: the target's actor index, or -1.

    Returns:
        (N,) salience before alignment and the target's own weight.
    """
    out = np.full(region.shape[0], global_weight)
    if target >= 0:
        np.maximum(out, np.where(region == region[target], same_region, 0.0), out=out)
        target_blocs = blocs[target]
        if target_blocs.any():
            shares = blocs[:, target_blocs].any(axis=1)
            np.maximum(out, np.where(shares, same_bloc, 0.0), out=out)
    return out


def add_alignment_salience(
    place: FloatArray,
    aligned: IntArray,
    target: int,
    actor: int,
    *,
    target_weight: float,
    aligned_with_actor: float,
) -> FloatArray:
    """Full salience from :func:`place_salience`: observers aligned with the actor
    weigh at least ``aligned_with_actor``; the target itself weighs ``target_weight``.

    Returns:
        A new (N,) array.
    """
    out = np.maximum(place, np.where(aligned == actor, aligned_with_actor, 0.0))
    if target >= 0:
        out[target] = target_weight
    return out


def alignment_base(
    capability: FloatArray,
    distance: FloatArray,
    *,
    w_capability: float,
    w_ideology: float,
    nonaligned_utility: float,
) -> FloatArray:
    """The part of the alignment utility that does not depend on trust or inertia.

    ``w_capability*capability[p] - w_ideology*distance(o, p)`` for each power,
    ``nonaligned_utility`` for ``none``. It changes only with capabilities
    and ideologies, so callers may keep it between steps.

    Args:
        capability: (P,) capabilities.
        distance: ideological distance of the states to the powers (S, P).

    Returns:
        (P + 1, S), options by row, the last for ``none``.
    """
    n_powers = capability.shape[0]
    base = np.empty((n_powers + 1, distance.shape[0]))
    base[:n_powers] = (w_capability * capability)[:, None] - w_ideology * distance.T
    base[n_powers] = nonaligned_utility
    return base


def alignment_utility(
    trust: FloatArray,
    base: FloatArray,
    aligned: IntArray,
    *,
    w_trust: float,
    w_inertia: float,
    affinity: FloatArray | None = None,
    w_affinity: float = 0.0,
) -> FloatArray:
    """Utility of each option for each state (model.md section 4, step 4).

    ``U[o, p] = w_trust*tau[o, p] + w_capability*capability[p]
    - w_ideology*distance(o, p) + w_inertia*[aligned(o) == p]
    + w_affinity*affinity[o, p]`` and
    ``U[o, none] = nonaligned_utility + w_inertia*[aligned(o) == none]``.

    Args:
        trust: held trust of the states (S, P).
        base: (P + 1, S) from :func:`alignment_base`.
        aligned: (S,) current alignment, power index or -1.
        affinity: the states' affinity (S, P); read only when ``w_affinity`` is not 0.
        w_affinity: weight of affinity (model.md section 8.2), default 0.

    Returns:
        (P + 1, S), options by row (one per power in file order, the last for
        ``none``) so that each option's utilities are contiguous.
    """
    n_powers = trust.shape[1]
    utility = base.copy()
    utility[:n_powers] += w_trust * trust.T
    if w_affinity and affinity is not None:
        utility[:n_powers] += w_affinity * affinity.T
    if w_inertia:
        current = np.where(aligned < 0, n_powers, aligned)
        utility[current, np.arange(trust.shape[0])] += w_inertia
    return utility


def choose_alignment(
    utility: FloatArray, temperature: float, uniforms: FloatArray | None
) -> IntArray:
    """Pick an option per state: argmax at temperature 0, else a softmax draw.

    Ties at temperature 0 go to the earlier power in file order, ``none`` last.
    With temperature > 0 each state takes the first option whose cumulative
    softmax probability exceeds its uniform draw.

    Args:
        utility: (P + 1, S) from :func:`alignment_utility`, last row ``none``.
        temperature: >= 0.
        uniforms: (S,) draws in [0, 1); unused (may be None) at temperature 0.

    Returns:
        (S,) power index, or -1 for ``none``.
    """
    n_options = utility.shape[0]
    if temperature == 0.0:
        choice = np.argmax(utility, axis=0)
    else:
        if uniforms is None:
            raise ValueError("a softmax draw needs uniforms")
        weights = np.exp((utility - utility.max(axis=0)) / temperature)
        threshold = uniforms * weights.sum(axis=0)
        # The first option whose cumulative weight exceeds u * total is the number
        # of options (the last excluded) whose cumulative weight does not.
        cumulative = np.cumsum(weights[:-1], axis=0)
        choice = (cumulative <= threshold).sum(axis=0)
    return np.where(choice == n_options - 1, -1, choice).astype(np.int64)


def effective_poles(counts: FloatArray) -> FloatArray:
    """Effective number of poles ``1 / sum_p share_p^2`` over aligned states.

    Args:
        counts: (..., P) number of states aligned with each power.

    Returns:
        (...,) the effective number; 0 where no state is aligned.
    """
    total = counts.sum(axis=-1)
    safe = np.where(total > 0, total, 1.0)
    shares = counts / safe[..., None]
    concentration = (shares * shares).sum(axis=-1)
    return np.where(total > 0, 1.0 / np.where(concentration > 0, concentration, 1.0), 0.0)
