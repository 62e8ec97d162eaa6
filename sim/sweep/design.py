"""Design expansion: which parameter values a sweep runs (pure functions, no I/O).

A design turns parameter specifications into a list of *design points*, each
a mapping ``{override path: value}``:

- ``grid``: the full factorial of value lists (the last parameter varies fastest);
- ``lhs``: a Latin hypercube (McKay, Beckman & Conover 1979) from
  :class:`scipy.stats.qmc.LatinHypercube`, scaled to ``[low, high]``;
- ``sobol``: Saltelli's extension of the Sobol' sequence from
  :func:`SALib.sample.sobol.sample` (first- and total-order, so
  ``samples * (D + 2)`` points);
- ``morris``: Morris trajectories from :func:`SALib.sample.morris.sample`
  (``samples * (D + 1)`` points).

The sampler designs use the same SALib ``problem`` mapping that
:mod:`sim.analysis.sensitivity` hands to ``analyze``. The command line's
``--vary`` grammar (``1,2,4`` | ``range(0,1,0.25)`` | ``linspace(0.9,1,5)``)
is parsed here too. Every function raises :class:`sim.errors.InputError` on
a bad specification, saying what is allowed.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from sim.errors import InputError, beyond_float, number_text, shortened
from sim.scenario.loader import yaml_value
from sim.scenario.schema import suggest

METHODS = ("grid", "lhs", "sobol", "morris")
SPEC_FUNCTIONS = ("range", "linspace")
# Values that differ only in the 13th significant digit are float noise of
# range/linspace arithmetic; rounding keeps 0.1 + 2*0.1 as 0.3 in the results.
_SIGNIFICANT = 12
_CALL = re.compile(r"^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$")

Point = dict[str, Any]
FloatMatrix = npt.NDArray[np.float64]

# The most runs a sweep plans unless told otherwise (docs/decisions.md, issue 16): beyond
# it a design is refused before anything is allocated. ``--max-runs N`` or this variable
# raise it for those who mean it.
MAX_RUNS = 1_000_000
MAX_RUNS_ENV = "CREDSIM_MAX_RUNS"


def run_limit(given: int | None = None) -> int:
    """The run limit: ``given``, else ``$CREDSIM_MAX_RUNS``, else :data:`MAX_RUNS`.

    Raises:
        InputError: a limit that is not a whole number >= 1.
    """
    text = str(given) if given is not None else os.environ.get(MAX_RUNS_ENV, str(MAX_RUNS))
    source = "--max-runs" if given is not None else MAX_RUNS_ENV
    try:
        limit = int(text)
    except ValueError:
        limit = 0
    if limit < 1:
        raise InputError(f"{source} must be a whole number >= 1, got {text!r}")
    return limit


def design_size(method: str, counts: Sequence[int], samples: int | None, levels: int) -> int:
    """How many points a design has, computed without building it.

    Args:
        method: grid, lhs, sobol or morris.
        counts: the number of values of each parameter (grid) or one entry per parameter.
        samples: the sampled designs' ``samples``.
        levels: Morris levels (the size does not depend on them).
    """
    if method == "grid":
        return math.prod(counts)
    n = samples or 0
    return {"lhs": n, "sobol": n * (len(counts) + 2), "morris": n * (len(counts) + 1)}[method]


def check_runs(n_runs: int, limit: int, what: str) -> None:
    """Refuse a plan of more than ``limit`` runs, saying how to raise the limit.

    Raises:
        InputError: ``n_runs > limit``.
    """
    if n_runs > limit:
        raise InputError(
            f"{what} plans {number_text(n_runs, grouped=True)} runs, more than the limit of "
            f"{number_text(limit, grouped=True)}; make the design "
            f"smaller, or raise the limit with --max-runs N or {MAX_RUNS_ENV}=N"
        )


def _tidy(x: float) -> float:
    return float(f"{x:.{_SIGNIFICANT}g}")


def _number(text: str, spec: str) -> float | int:
    try:
        value = yaml_value(text, spec)
    except yaml.YAMLError:
        value = None
    shown = f"'{shortened(text.strip())}' in '{shortened(spec)}'"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{shown} is not a number")
    if beyond_float(value):
        raise InputError(f"{shown} is too large a number")
    if not math.isfinite(value):
        raise InputError(f"{shown} is not a finite number")
    return value


# A list item written as a slice: 0.9:0.99 or 1:4 (signed decimals or exponents).
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_SLICE = re.compile(rf"\s*({_NUMBER})\s*:\s*({_NUMBER})(?:\s*:\s*{_NUMBER})?\s*")


def parse_spec(spec: str) -> list[Any]:
    """The values of a ``--vary`` specification.

    ``1,2,4`` is a list (each item parsed as YAML, so ``true`` and ``a`` work
    too), and so is ``[1,2,4]``, the list as an experiment file writes it;
    ``range(start,stop,step)`` stops before ``stop`` (floats allowed;
    all-integer arguments give integers); ``linspace(start,stop,n)`` gives
    ``n`` evenly spaced values including both ends.

    Raises:
        InputError: an empty spec, an unknown function, a wrong number of
            arguments, a zero or wrong-signed step, or an empty range.
    """
    text = spec.strip()
    if not text:
        raise InputError(
            "empty value list; give '1,2,4', 'range(start,stop,step)' or 'linspace(start,stop,n)'"
        )
    call = _CALL.match(text)
    if call is None:
        if "(" in text or ")" in text:
            raise InputError(
                f"cannot read '{spec}'; give '1,2,4', 'range(start,stop,step)' "
                "or 'linspace(start,stop,n)'"
            )
        return _parse_list(text, spec)
    func, inner = call.group(1), call.group(2)
    args = [_number(a, spec) for a in inner.split(",")] if inner.strip() else []
    if func == "range":
        return _range(args, spec)
    if func == "linspace":
        return _linspace(args, spec)
    raise InputError(
        f"unknown function '{func}' in '{spec}'; allowed are "
        f"{', '.join(SPEC_FUNCTIONS)}{suggest(func, SPEC_FUNCTIONS)}"
    )


def _split_top_level(text: str) -> list[str]:
    # Commas inside [..] or {..} belong to one YAML value: "a,[x, y]" is two items.
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return items


def _parse_list(text: str, spec: str) -> list[Any]:
    if text.startswith("[") and text.endswith("]") and len(_split_top_level(text)) == 1:
        text = text[1:-1]  # [0.9, 0.95]: the values, not one list-valued value
    values = []
    for item in _split_top_level(text):
        if not item.strip():
            raise InputError(f"empty item in '{spec}'; give values separated by commas: 1,2,4")
        sliced = _SLICE.fullmatch(item)
        if sliced is not None:
            # 0.9:0.99 (a slice, or MATLAB's range) was one text value, refused later by the
            # scenario as "expected a number" with no word of the grammar (decision 702).
            low, high = sliced.group(1), sliced.group(2)
            where = "" if item.strip() == spec.strip() else f" in '{spec}'"
            raise InputError(
                f"'{item.strip()}'{where} is not a range here; write "
                f"'range({low},{high},STEP)' or 'linspace({low},{high},N)' (quoted in the "
                "shell), or the values: 1,2,4"
            )
        try:
            values.append(yaml_value(item, spec))
        except yaml.YAMLError:
            raise InputError(
                f"cannot read '{item.strip()}' in '{spec}'; items are YAML values "
                "such as 3, 0.5, true, name or [a, b]"
            ) from None
    return values


def _range(args: Sequence[float | int], spec: str) -> list[Any]:
    defaulted = len(args) == 2
    if defaulted:
        args = [*args, 1]
    if len(args) != 3:
        raise InputError(f"'{spec}': range takes (start, stop) or (start, stop, step)")
    start, stop, step = args
    if step == 0:
        raise InputError(f"'{spec}': the step of a range cannot be 0")
    try:
        span = (stop - start) / step
    except OverflowError:  # whole numbers too large for a float
        span = math.inf
    limit = run_limit()
    if not math.isfinite(span) or span > limit + 1:  # too many values to count or to print
        raise InputError(
            f"'{spec}' has more than {limit:,} values, the limit of runs; make the range "
            f"smaller, or raise the limit with --max-runs N or {MAX_RUNS_ENV}=N"
        )
    count = math.ceil(span - 1e-9)
    check_runs(count, limit, f"'{spec}' ({count:,} values)")
    if count <= 0:
        raise InputError(
            f"'{spec}' is empty: with step {step} a range must go from start towards stop"
        )
    if all(isinstance(a, int) for a in args):
        return [int(start + i * step) for i in range(count)]
    if defaulted and count == 1 and abs(stop - start) < 1:
        # range(0.9,0.99) swept one value, 0.9, without a word (decision 702).
        raise InputError(
            f"'{spec}' gives one value, {_tidy(start)}: a range's step is 1 unless given; "
            f"write 'range({_tidy(start)},{_tidy(stop)},STEP)' or "
            f"'linspace({_tidy(start)},{_tidy(stop)},N)'"
        )
    return [_tidy(start + i * step) for i in range(count)]


def _linspace(args: Sequence[float | int], spec: str) -> list[Any]:
    if len(args) != 3:
        raise InputError(f"'{spec}': linspace takes (start, stop, n)")
    start, stop, n = args
    if not isinstance(n, int) or n < 1:
        raise InputError(f"'{spec}': n must be a whole number >= 1, got {n}")
    check_runs(n, run_limit(), f"'{spec}' ({n:,} values)")
    return [_tidy(float(v)) for v in np.linspace(start, stop, n)]


def _comma_pairs(values: Sequence[Any]) -> str:
    """``; a decimal comma? ... write [1.5, 2.5]`` when a grid's whole numbers, taken in
    pairs as a whole and a decimal part, read as the values meant: ``[1,5, 2,5]`` is YAML's
    1, 5, 2, 5, and ``--vary PATH=0,95,0,98`` the values 0, 95, 0, 98, refused as "listed
    twice" without a word of the commas (an outside check, decision 932)."""
    whole = [
        int(v)
        for v in values
        if isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer()
    ]
    if len(whole) != len(values) or len(whole) % 2 or any(v < 0 for v in whole[1::2]):
        return ""
    meant = [f"{a}.{b}" for a, b in zip(whole[::2], whole[1::2], strict=True)]
    if len(set(meant)) != len(meant):
        return ""
    shown = ", ".join(str(v) for v in whole)
    return (
        f"; a decimal comma? {shown} may be meant as {', '.join(meant)} (write each with a point)"
    )


def grid(parameters: Mapping[str, Sequence[Any]]) -> list[Point]:
    """The full factorial of the value lists, the last parameter varying fastest.

    No parameters give one empty point (the base scenario).

    Raises:
        InputError: a parameter with no values or with a repeated value.
    """
    for path, values in parameters.items():
        if len(values) == 0:
            raise InputError("a grid parameter needs at least one value", path=path)
        seen: set[Any] = set()
        for v in values:
            # Lists and mappings by their text; 1 and 1.0 are the same value, as in YAML.
            key = v if isinstance(v, int | float | str | bool) or v is None else repr(v)
            if key in seen:
                raise InputError(
                    f"value {v!r} is listed twice; grid values must be distinct"
                    + _comma_pairs(values),
                    path=path,
                )
            seen.add(key)
    paths = list(parameters)
    return [
        dict(zip(paths, combo, strict=True))
        for combo in itertools.product(*(parameters[p] for p in paths))
    ]


def problem(bounds: Mapping[str, tuple[float, float]]) -> dict[str, Any]:
    """SALib's problem mapping for ``{path: (low, high)}``.

    Raises:
        InputError: no parameters, or a range with ``low >= high``.
    """
    if not bounds:
        raise InputError("a sampled design needs at least one parameter with {low, high}")
    for path, (low, high) in bounds.items():
        if not low < high:
            raise InputError(f"low ({low}) must be below high ({high})", path=path)
    return {
        "num_vars": len(bounds),
        "names": list(bounds),
        "bounds": [[float(lo), float(hi)] for lo, hi in bounds.values()],
    }


def _check_samples(samples: int, at_least: int = 1) -> None:
    if samples < at_least:
        raise InputError(f"samples must be >= {at_least}, got {samples}", path="design.samples")


def lhs_matrix(prob: Mapping[str, Any], samples: int, seed: int) -> FloatMatrix:
    """A Latin hypercube of ``samples`` rows scaled to the problem's bounds, shape (samples, D)."""
    from scipy.stats import qmc  # scipy.stats takes seconds to import; only lhs needs it

    _check_samples(samples)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    unit = qmc.LatinHypercube(d=prob["num_vars"], rng=rng).random(samples)
    lows, highs = np.asarray(prob["bounds"], dtype=float).T
    return np.asarray(qmc.scale(unit, lows, highs), dtype=float)


def sobol_matrix(prob: Mapping[str, Any], samples: int, seed: int) -> FloatMatrix:
    """Saltelli's sample for first- and total-order indices, shape (samples * (D + 2), D).

    Any ``samples`` >= 2 is taken, as experiments.md gives it and as SALib takes it; the
    Sobol' sequence is balanced only for a power of two (:func:`sobol_balance_note`
    says so; decision 697).

    Raises:
        InputError: fewer than 2 samples.
    """
    import warnings

    from SALib.sample import sobol

    _check_samples(samples, 2)
    with warnings.catch_warnings():
        # scipy's "balance properties ... require n to be a power of 2": the caller's note
        # says it once, in the user's words.
        warnings.simplefilter("ignore", UserWarning)
        matrix = sobol.sample(dict(prob), samples, calc_second_order=False, seed=salib_seed(seed))
    return np.asarray(matrix, dtype=float)


def sobol_balance_note(samples: int) -> str:
    """What to say of a sobol design's ``samples`` that is not a power of two ("" when it is).

    The Sobol' sequence's balance (and the convergence of the indices) holds for a power
    of two; other counts run as asked, with this note.
    """
    if samples < 1 or not samples & (samples - 1):
        return ""
    lower = 1 << (samples.bit_length() - 1)
    return (
        f"a sobol design's Sobol' sequence is balanced only when samples is a power "
        f"of 2; {samples} is used as given ({lower} or {lower * 2} would be balanced)"
    )


def morris_matrix(prob: Mapping[str, Any], samples: int, levels: int, seed: int) -> FloatMatrix:
    """``samples`` Morris trajectories on a ``levels``-level grid, shape (samples * (D + 1), D).

    Raises:
        InputError: fewer than 2 trajectories or an odd or too small number of levels.
    """
    from SALib.sample import morris

    _check_samples(samples, 2)
    if levels < 2 or levels % 2:
        raise InputError(
            f"morris levels must be an even number >= 2, got {levels}", path="design.levels"
        )
    return np.asarray(
        morris.sample(dict(prob), samples, num_levels=levels, seed=salib_seed(seed)), dtype=float
    )


def salib_seed(seed: int) -> int:
    """The seed SALib gets for an experiment seed (sampling here, bootstrap in analysis)."""
    # SALib treats a seed of 0 as "no seed" in places; a SeedSequence draw is never 0 in practice
    # and still depends only on the experiment seed.
    return int(np.random.SeedSequence(seed).generate_state(1)[0]) or 1


def points_from_matrix(prob: Mapping[str, Any], matrix: FloatMatrix) -> list[Point]:
    """Each row of a sample matrix as a point ``{path: float}``."""
    names = list(prob["names"])
    return [dict(zip(names, (float(v) for v in row), strict=True)) for row in matrix]


def sample_matrix(
    method: str, prob: Mapping[str, Any], samples: int, seed: int, levels: int = 4
) -> FloatMatrix:
    """The sample matrix of a sampled design (``lhs``, ``sobol`` or ``morris``).

    Raises:
        InputError: an unknown method (with a did-you-mean) or a bad ``samples``.
    """
    if method == "lhs":
        return lhs_matrix(prob, samples, seed)
    if method == "sobol":
        return sobol_matrix(prob, samples, seed)
    if method == "morris":
        return morris_matrix(prob, samples, levels, seed)
    raise InputError(
        f"unknown sampled design '{method}'; allowed are lhs, sobol, morris"
        f"{suggest(method, ('lhs', 'sobol', 'morris'))}",
        path="design.method",
    )
