"""Recorded arrays -> tidy series and summaries (model.md section 7).

The model hands each step's arrays to a :class:`Recorder`, which keeps a
bounded buffer of snapshots and reduces it to per-group statistics in
vectorised chunks, so a 100,000-state run never holds its whole history.
:func:`tidy_series` and :func:`summarise` turn the statistics into the
``series.parquet`` table and the ``summary.json`` mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.columns import NONE as NONE
from sim.columns import distinct as distinct
from sim.columns import flatten_summary as flatten_summary
from sim.kernels import BoolArray, FloatArray, IntArray, effective_poles
from sim.reductions import (
    SEQUENTIAL_SUM_POWERS,
    alignment_counts,
    group_means,
    min_mean_sd,
    shares_and_poles,
)

SERIES_COLUMNS = ["step", "date", "group", "power", "metric", "value"]
ACTORS_COLUMNS = ["step", "date", "actor", "power", "trust", "own", "affinity", "aligned"]
CHUNK_BYTES = 64 * 2**20
# Rows of a block of an actors table's text columns: their strings are made a block at
# a time (Arrow's string offsets are 32-bit, so a block must hold under 2 GB of text).
_TEXT_BLOCK_ROWS = 2**22


@dataclass(frozen=True)
class Group:
    """A group's members as actor indices, and which of them are states."""

    name: str
    members: IntArray
    states: IntArray  # positions in the state arrays (0..S-1)
    has_powers: bool


@dataclass(frozen=True)
class Layout:
    """The member sets of :mod:`sim.reductions` and each group's states, built once per groups."""

    member_sets: tuple[IntArray, IntArray, IntArray, IntArray]  # ptr, idx, group, column
    states_ptr: IntArray  # group g's states are states_idx[states_ptr[g]:states_ptr[g + 1]]
    states_idx: IntArray

    @classmethod
    def of(cls, groups: list[Group], n_powers: int) -> Layout:
        states_ptr = np.zeros(len(groups) + 1, dtype=np.int64)
        states_ptr[1:] = np.cumsum([g.states.shape[0] for g in groups])
        states_idx = np.concatenate(
            [np.asarray(g.states, dtype=np.int64) for g in groups] or [np.zeros(0, np.int64)]
        )
        return cls(_member_table(groups, n_powers), states_ptr, states_idx)


@dataclass
class Statistics:
    """Per-group statistics over steps 0..T. Shapes: G groups, T+1 steps, P powers."""

    trust_mean: FloatArray  # (G, T+1, P)
    own_mean: FloatArray  # (G, T+1, P)
    trust_p10: FloatArray | None  # (G, T+1, P), None when not recorded
    trust_p90: FloatArray | None
    affinity_mean: FloatArray  # (G, T+1, P)
    affinity_p10: FloatArray | None
    affinity_p90: FloatArray | None
    share: FloatArray  # (G, T+1, P+1), last = none
    effective_poles: FloatArray  # (G, T+1)
    realignments: FloatArray  # (G, T+1)


class Recorder:
    """Collects each step's arrays and reduces them to :class:`Statistics`.

    Args:
        groups: the output groups, ``all`` first.
        n_actors, n_powers, n_steps: array sizes (T = n_steps).
        percentiles: also compute p10 and p90 (the tidy series needs them).
        keep_actors: keep every snapshot for ``actors.parquet``.
        layout: the groups' :class:`Layout`, when the caller keeps it between runs.
    """

    def __init__(
        self,
        groups: list[Group],
        n_actors: int,
        n_powers: int,
        n_steps: int,
        *,
        percentiles: bool,
        keep_actors: bool,
        layout: Layout | None = None,
    ) -> None:
        self.groups = groups
        self.n_powers = n_powers
        self.n_states = n_actors - n_powers
        self.percentiles = percentiles
        self.keep_actors = keep_actors
        t = n_steps + 1
        g = len(groups)
        self.stats = Statistics(
            trust_mean=np.full((g, t, n_powers), np.nan),
            own_mean=np.full((g, t, n_powers), np.nan),
            trust_p10=np.full((g, t, n_powers), np.nan) if percentiles else None,
            trust_p90=np.full((g, t, n_powers), np.nan) if percentiles else None,
            affinity_mean=np.full((g, t, n_powers), np.nan),
            affinity_p10=np.full((g, t, n_powers), np.nan) if percentiles else None,
            affinity_p90=np.full((g, t, n_powers), np.nan) if percentiles else None,
            share=np.full((g, t, n_powers + 1), np.nan),
            effective_poles=np.zeros((g, t)),
            realignments=np.zeros((g, t)),
        )
        self.aligned = np.empty((t, self.n_states), dtype=np.int16)
        chunk = max(1, CHUNK_BYTES // max(1, 24 * n_actors * n_powers))
        self._chunk = t if keep_actors else min(t, chunk)
        self._trust = np.empty((self._chunk, n_actors, n_powers))
        self._own = np.empty((self._chunk, n_actors, n_powers))
        self._affinity = np.empty((self._chunk, n_actors, n_powers))
        self._first = 0
        self._filled = 0
        self.actor_trust: list[FloatArray] = []
        self.actor_own: list[FloatArray] = []
        self.actor_affinity: list[FloatArray] = []
        layout = layout or Layout.of(groups, n_powers)
        self.member_sets = layout.member_sets
        self._states_ptr = layout.states_ptr
        self._states_idx = layout.states_idx

    def record(
        self,
        step: int,
        trust: FloatArray,
        own: FloatArray,
        affinity: FloatArray,
        aligned: IntArray,
    ) -> None:
        """Store the state at the end of ``step`` (aligned: states only, -1 = none)."""
        self._trust[self._filled] = trust
        self._own[self._filled] = own
        self._affinity[self._filled] = affinity
        self.aligned[step] = aligned
        self._filled += 1
        if self._filled == self._chunk:
            self._reduce()

    def record_block(
        self,
        first_step: int,
        trust: FloatArray,
        own: FloatArray,
        affinity: FloatArray,
        aligned: IntArray,
    ) -> None:
        """Store consecutive steps at once, as :meth:`record` step by step would.

        Args:
            first_step: the step of the block's first row.
            trust, own, affinity: (K, N, P) states at the end of steps ``first_step``
                onwards.
            aligned: (K, S) alignment of the states at those steps.
        """
        n = trust.shape[0]
        self.aligned[first_step : first_step + n] = aligned
        done = 0
        while done < n:
            take = min(n - done, self._chunk - self._filled)
            rows = slice(self._filled, self._filled + take)
            self._trust[rows] = trust[done : done + take]
            self._own[rows] = own[done : done + take]
            self._affinity[rows] = affinity[done : done + take]
            self._filled += take
            done += take
            if self._filled == self._chunk:
                self._reduce()

    def finish(self) -> Statistics:
        """Reduce what is buffered and compute the alignment statistics."""
        if self._filled:
            self._reduce()
        self._alignment_stats()
        return self.stats

    def _reduce(self) -> None:
        trust = self._trust[: self._filled]
        own = self._own[: self._filled]
        affinity = self._affinity[: self._filled]
        st = self.stats
        group_means(
            trust,
            own,
            affinity,
            self._first,
            *self.member_sets,
            st.trust_mean,
            st.own_mean,
            st.affinity_mean,
            True,
            np.empty((3, trust.shape[2])),
        )
        if self.percentiles:
            self._percentiles(trust, affinity)
        if self.keep_actors:
            self.actor_trust.append(trust.copy())
            self.actor_own.append(own.copy())
            self.actor_affinity.append(affinity.copy())
        self._first += self._filled
        self._filled = 0

    def _percentiles(self, trust: FloatArray, affinity: FloatArray) -> None:
        """p10 and p90 of trust and affinity over each group (the tidy series' bands)."""
        rows = slice(self._first, self._first + self._filled)
        st = self.stats
        for g, group in enumerate(self.groups):
            for p, idx in self._member_sets(group):
                cols = slice(None) if p is None else slice(p, p + 1)
                if isinstance(idx, np.ndarray) and idx.shape[0] == 0:
                    continue
                for values, low_out, high_out in (
                    (trust, st.trust_p10, st.trust_p90),
                    (affinity, st.affinity_p10, st.affinity_p90),
                ):
                    if low_out is not None and high_out is not None:
                        low, high = np.percentile(values[:, idx, cols], [10.0, 90.0], axis=1)
                        low_out[g, rows, cols] = low
                        high_out[g, rows, cols] = high

    def _member_sets(self, group: Group) -> list[tuple[int | None, IntArray | slice]]:
        """(power, members) pairs; power None means the same members for every power."""
        if not group.has_powers:
            m = group.members
            contiguous = m.shape[0] > 0 and m[-1] - m[0] + 1 == m.shape[0]
            # A slice is a view: no copy of the whole buffer for "all" and the like.
            return [(None, slice(int(m[0]), int(m[-1]) + 1) if contiguous else m)]
        return [(p, group.members[group.members != p]) for p in range(self.n_powers)]

    def _alignment_stats(self) -> None:
        st = self.stats
        n_groups, n_steps = st.effective_poles.shape
        counts = np.zeros((n_groups, n_steps, self.n_powers + 1))
        changed = np.zeros((n_groups, n_steps))
        alignment_counts(
            self.aligned, self._states_ptr, self._states_idx, self.n_powers, counts, changed
        )
        sizes = np.diff(self._states_ptr)
        if self.n_powers < SEQUENTIAL_SUM_POWERS:
            # One compiled pass to the same bits (sim.reductions.shares_and_poles).
            shares_and_poles(counts, sizes, st.share, st.effective_poles)
            st.realignments[:] = changed
            return
        # Groups with states; a slice (views, not copies) in the usual case that all have.
        has: slice | BoolArray = slice(None) if sizes.all() else sizes > 0
        st.share[has] = counts[has] / sizes[has, None, None]
        st.effective_poles[has] = effective_poles(counts[has, :, : self.n_powers])
        st.realignments[has] = changed[has]


def _member_table(
    groups: list[Group], n_powers: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The member sets of :mod:`sim.reductions` (``ptr, idx, group, column``) of ``groups``.

    A group without powers is one set over every column; a group with powers
    one set per power, its members other than that power.
    """
    sets: list[tuple[int, int, IntArray]] = []
    for g, group in enumerate(groups):
        if group.has_powers:
            sets.extend((g, p, group.members[group.members != p]) for p in range(n_powers))
        else:
            sets.append((g, -1, group.members))
    ptr = np.zeros(len(sets) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([m.shape[0] for _, _, m in sets])
    idx = np.concatenate([np.asarray(m, dtype=np.int64) for _, _, m in sets]).astype(np.int64)
    owner = np.array([g for g, _, _ in sets], dtype=np.int64)
    column = np.array([c for _, c, _ in sets], dtype=np.int64)
    return ptr, idx, owner, column


def tidy_series(
    stats: Statistics, group_names: list[str], power_names: list[str], dates: list[str]
) -> pd.DataFrame:
    """The tidy ``series`` table: step, date, group, power, metric, value.

    Built as one block of ``T + 1`` rows per (group, power, metric), in the
    order: per-power metrics, alignment shares (``none`` last), then the
    group-level ``effective_poles`` and ``realignments`` (power ``""``).
    """
    per_power = {
        "trust_mean": stats.trust_mean,
        "trust_p10": stats.trust_p10,
        "trust_p90": stats.trust_p90,
        "own_mean": stats.own_mean,
        "affinity_mean": stats.affinity_mean,
        "affinity_p10": stats.affinity_p10,
        "affinity_p90": stats.affinity_p90,
    }
    values: list[FloatArray] = []
    labels: list[tuple[str, str, str]] = []
    for g, group in enumerate(group_names):
        for metric, array in per_power.items():
            if array is not None:
                values.append(array[g].T)
                labels.extend((group, power, metric) for power in power_names)
        values.append(stats.share[g].T)
        labels.extend((group, option, "share_aligned") for option in [*power_names, NONE])
        values.append(stats.effective_poles[g][None, :])
        values.append(stats.realignments[g][None, :])
        labels.extend([(group, "", "effective_poles"), (group, "", "realignments")])
    block = np.concatenate(values, axis=0)
    n_blocks, n_steps = block.shape
    group_col, power_col, metric_col = (list(col) for col in zip(*labels, strict=True))
    # Each row's step, and its block: the label columns take their values by these.
    steps = np.tile(np.arange(n_steps, dtype=np.int64), n_blocks)
    blocks = np.repeat(np.arange(n_blocks, dtype=np.int64), n_steps)
    return pd.DataFrame(
        {
            "step": steps,
            "date": text_column(dates, steps),
            "group": text_column(group_col, blocks),
            "power": text_column(power_col, blocks),
            "metric": text_column(metric_col, blocks),
            "value": block.ravel().astype(np.float64),
        }
    )


# The dtype pandas gives a column of Python strings (pandas 3: "str", stored by Arrow).
TEXT_DTYPE = pd.Series(np.array(["x"], dtype=object)).dtype


def text_column(values: Sequence[str], codes: IntArray) -> Any:
    """``values[codes]`` as the string column pandas would make of those Python strings.

    A tidy series repeats a few labels over tens of thousands of rows, and pandas
    converts an object array to its Arrow-backed ``str`` one string at a time (8 of a
    Syria series run's 16 ms); Arrow takes the rows from the few labels at once, to
    the same column. Where pandas' strings are not Arrow's, the object array as before.
    """
    if getattr(TEXT_DTYPE, "storage", None) != "pyarrow":
        return np.asarray(values, dtype=object)[codes]
    return pd.array(pa.array(values, type=pa.large_string()).take(codes), dtype=TEXT_DTYPE)


def over_time(mean: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Minimum, mean and standard deviation over the steps (axis 1) of (G, T + 1, P) means.

    ``np.min``, ``np.mean`` and ``np.std`` (population), computed with the same
    ufunc reductions and divisions as numpy's own (``numpy/_core/_methods.py``),
    so the same bits, without their wrappers' overhead (a run's summary is
    built thousands of times in a sweep). NaN where a group has no value.
    """
    n_groups, n, n_powers = mean.shape
    if n_powers > 1 and n > 1 and mean.flags.c_contiguous:
        # One compiled pass in numpy's order (sim.reductions.min_mean_sd); a tenth of the time.
        low, average, sd = (np.empty((n_groups, n_powers)) for _ in range(3))
        min_mean_sd(mean, low, average, sd)
        return low, average, sd
    with np.errstate(invalid="ignore"):
        average = np.add.reduce(mean, axis=1) / n
        deviation = mean - average[:, None, :]
        sd = np.sqrt(np.add.reduce(deviation * deviation, axis=1) / n)
        return np.minimum.reduce(mean, axis=1), average, sd


# Summary entries whose options are the powers and ``none``; the others' are the powers.
WITH_NONE = ("final_share",)


def summary_blocks(
    stats: Statistics, windows: dict[str, tuple[int, int]]
) -> dict[str, FloatArray | dict[str, FloatArray]]:
    """What a summary holds per group and option, in its order: (G, options) arrays.

    The one description of the summary's per-power contents, which
    :func:`summarise` nests and :func:`flat_summary` flattens; a windowed entry
    maps each window's name (first step, last step) to its block.
    """
    mean, affinity = stats.trust_mean, stats.affinity_mean
    min_trust, mean_trust, sd_trust = over_time(mean)
    return {
        "final_trust": mean[:, -1, :],
        "min_trust": min_trust,
        "mean_trust": mean_trust,
        "sd_trust": sd_trust,
        "final_share": stats.share[:, -1, :],
        "trust_change": {
            name: mean[:, last, :] - mean[:, first - 1, :]
            for name, (first, last) in windows.items()
        },
        "final_affinity": affinity[:, -1, :],
        "affinity_change": {
            name: affinity[:, last, :] - affinity[:, first - 1, :]
            for name, (first, last) in windows.items()
        },
    }


def summarise(
    stats: Statistics,
    group_names: list[str],
    power_names: list[str],
    windows: dict[str, tuple[int, int]],
) -> dict[str, Any]:
    """``summary.json``: per power and group, per window, and the effective number of poles.

    Args:
        windows: name -> (first step, last step) of the window.
    """

    def per_power(values: FloatArray, key: str) -> dict[str, dict[str, float | None]]:
        """``{option: {group: value}}`` from (G, options) values, NaN as None."""
        options = [*power_names, NONE] if key in WITH_NONE else power_names
        return {
            option: {g: None if v != v else v for g, v in zip(group_names, row, strict=True)}
            for option, row in zip(options, values.T.tolist(), strict=True)
        }

    summary: dict[str, Any] = {
        key: per_power(block, key)
        if isinstance(block, np.ndarray)
        else {name: per_power(values, key) for name, values in block.items()}
        for key, block in summary_blocks(stats, windows).items()
    }
    summary["final_effective_poles"] = float(stats.effective_poles[0, -1])
    summary["effective_poles"] = {
        group: float(stats.effective_poles[g, -1]) for g, group in enumerate(group_names)
    }
    return summary


@dataclass(frozen=True, eq=False)
class FlatSummary:
    """A run's summary flattened: metric names and their values, as a runs row holds them.

    ``names`` are the keys of :func:`flatten_summary` in its order; ``values`` the
    float values, NaN where the nested summary has None. Runs of one layout
    (groups, powers, windows) share one ``names`` tuple, so a batch of results
    pickles it once.
    """

    names: tuple[str, ...]
    values: FloatArray

    @classmethod
    def of(cls, flat: dict[str, float | None]) -> FlatSummary:
        """From :func:`flatten_summary`'s mapping (None becomes NaN)."""
        values = np.array([np.nan if v is None else v for v in flat.values()], dtype=np.float64)
        return cls(tuple(flat), values)


# Flat names by layout (groups, powers, windows); None: names that collide, use the slow path.
_FLAT_NAMES: dict[tuple[Any, ...], tuple[str, ...] | None] = {}
_FLAT_LAYOUTS = 64


def flat_summary(
    stats: Statistics,
    group_names: list[str],
    power_names: list[str],
    windows: dict[str, tuple[int, int]],
) -> FlatSummary:
    """``flatten_summary(summarise(...))`` as one float array, without the nested mappings.

    The values are gathered from the statistics with the same numpy operations
    as :func:`summarise`, so they are the same bits. The names of a layout are
    taken once from :func:`flatten_summary` itself and reused; a layout whose
    names collide (the nested mapping would keep fewer entries) takes the slow path.
    """
    key = (tuple(group_names), tuple(power_names), tuple(windows.items()))
    if key in _FLAT_NAMES:
        names = _FLAT_NAMES[key]
    else:
        nested = flatten_summary(summarise(stats, group_names, power_names, windows))
        n_values = len(group_names) * (len(power_names) * (6 + 2 * len(windows)) + 2) + 1
        names = tuple(nested) if len(nested) == n_values else None
        if len(_FLAT_NAMES) >= _FLAT_LAYOUTS:
            _FLAT_NAMES.clear()
        _FLAT_NAMES[key] = names
    if names is None:
        return FlatSummary.of(flatten_summary(summarise(stats, group_names, power_names, windows)))
    blocks: list[FloatArray] = []
    for block in summary_blocks(stats, windows).values():
        blocks += [block] if isinstance(block, np.ndarray) else list(block.values())
    # (G, options) blocks flatten option-major, as summarise nests {option: {group: value}}.
    values = np.concatenate(
        [b.T.ravel() for b in blocks]
        + [stats.effective_poles[:1, -1], stats.effective_poles[:, -1]]
    )
    return FlatSummary(names, values.astype(np.float64, copy=False))


def actors_table(
    trust: FloatArray | Sequence[FloatArray],
    own: FloatArray | Sequence[FloatArray],
    affinity: FloatArray | Sequence[FloatArray],
    aligned: IntArray,
    actor_names: list[str],
    power_names: list[str],
    dates: list[str],
) -> pd.DataFrame:
    """``actors.parquet``: one row per step x observer x power, the self cells left out.

    Built without whole-table temporaries: the text columns are Arrow strings
    made from codes a block of steps at a time, not arrays of Python objects,
    and the recorder's chunks are read where they are, not joined first (a
    20,000-state run peaked at 3.2 GB for its 935 MB table before; decision 821).

    Args:
        trust, own, affinity: (T+1, N, P) snapshots, or the recorder's chunks of them
            (consecutive steps).
        aligned: (T+1, S) alignment codes of the states (-1 = none).
    """
    chunks: list[list[FloatArray]] = [
        [x] if isinstance(x, np.ndarray) else list(x) for x in (trust, own, affinity)
    ]
    _, n_actors, n_powers = chunks[0][0].shape
    n_steps = sum(len(c) for c in chunks[0])
    actor_of = np.repeat(np.arange(n_actors, dtype=np.int32), n_powers)
    power_of = np.tile(np.arange(n_powers, dtype=np.int32), n_actors)
    kept = np.flatnonzero(actor_of != power_of)  # a step's cells, the self cells left out
    actor_of, power_of = actor_of[kept], power_of[kept]
    per_step, rows = len(kept), n_steps * len(kept)
    numbers: dict[str, FloatArray] = {}
    for name, parts in zip(("trust", "own", "affinity"), chunks, strict=True):
        column = np.empty(rows)
        at = 0
        for part in parts:
            cells = part.reshape(len(part), n_actors * n_powers)[:, kept].ravel()
            column[at : at + len(cells)] = cells
            at += len(cells)
        numbers[name] = column
    # Powers are never aligned: their rows say "none" like a non-aligned state. A code
    # below 0 counts from the labels' end, as indexing them with it did (-1: "none").
    choice = np.full((n_steps, n_actors), -1, dtype=np.int32)
    choice[:, n_powers:] = aligned
    choice = choice[:, actor_of]
    choice[choice < 0] += n_powers + 1
    date_labels, date_codes = np.unique(np.asarray(dates, dtype=str), return_inverse=True)
    block = max(1, _TEXT_BLOCK_ROWS // max(1, per_step))  # steps a block of strings holds

    def text(labels: Sequence[str], codes: Callable[[int, int], np.ndarray]) -> Any:
        """A text column from the label codes of each block of steps ``[first, last)``."""
        dictionary = pa.array(list(labels), type=pa.string())
        pieces = [
            pa.DictionaryArray.from_arrays(
                pa.array(codes(first, min(first + block, n_steps)), type=pa.int32()),
                dictionary,
            ).cast(pa.string())
            for first in range(0, n_steps, block)
        ]
        return pd.array(pa.chunked_array(pieces, type=pa.string()), dtype="str")

    columns = {
        "step": np.repeat(np.arange(n_steps, dtype=np.int64), per_step),
        "date": text(date_labels.tolist(), lambda a, b: np.repeat(date_codes[a:b], per_step)),
        "actor": text(actor_names, lambda a, b: np.tile(actor_of, b - a)),
        "power": text(power_names, lambda a, b: np.tile(power_of, b - a)),
        **numbers,
        "aligned": text([*power_names, NONE], lambda a, b: choice[a:b].ravel()),
    }
    return pd.DataFrame({name: columns[name] for name in ACTORS_COLUMNS}, copy=False)
