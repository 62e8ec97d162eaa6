"""Design expansion as pure functions: the --vary grammar, grid, lhs, sobol, morris."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from SALib.sample import morris as salib_morris
from SALib.sample import sobol as salib_sobol

from sim.errors import InputError
from sim.sweep import design

# --------------------------------------------------------------------------- --vary grammar


@pytest.mark.parametrize(
    ("spec", "values"),
    [
        ("1,2,4", [1, 2, 4]),
        ("0.5", [0.5]),
        ("a, true, [x, y]", ["a", True, ["x", "y"]]),
        # A bracketed list is the values, as an experiment file writes them.
        ("[0.9,0.95]", [0.9, 0.95]),
        ("range(0,1,0.25)", [0.0, 0.25, 0.5, 0.75]),
        ("range(1,4)", [1, 2, 3]),
        ("range(5,1,-2)", [5, 3]),
        # Float steps must not leave 0.30000000000000004 in the results.
        ("range(0,0.5,0.1)", [0.0, 0.1, 0.2, 0.3, 0.4]),
        ("linspace(0.9,1,5)", [0.9, 0.925, 0.95, 0.975, 1.0]),
        ("linspace(2,2,1)", [2.0]),
        (" linspace( 0 , 1 , 3 ) ", [0.0, 0.5, 1.0]),
    ],
)
def test_parse_spec(spec: str, values: list[object]) -> None:
    assert design.parse_spec(spec) == values


def test_range_of_integers_gives_integers() -> None:
    assert all(type(v) is int for v in design.parse_spec("range(0,10,3)"))
    assert design.parse_spec("range(0,10,3)") == [0, 3, 6, 9]


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ("", "empty value list"),
        ("1,,2", "empty item"),
        ("range(0,1,0)", "cannot be 0"),
        ("range(1,0,0.5)", "is empty"),
        ("range(0,1,2,3)", "range takes"),
        ("range(a,1)", "'a' in 'range(a,1)' is not a number"),
        ("linspace(0,1,2.5)", "n must be a whole number"),
        ("linspace(0,1)", "linspace takes"),
        ("logspace(0,1,3)", "did you mean 'linspace'"),
        ("range(0,1", "cannot read"),
        # Too many values to count in a float, or to print: the limit, not a traceback.
        ("range(0,1e308,1e-308)", "has more than 1,000,000 values"),
        ("range(-1e308,1e308,1e-300)", "has more than 1,000,000 values"),
        ("range(0,1e300)", "has more than 1,000,000 values"),
        (f"range(0,{10**400})", "is too large a number"),
    ],
)
def test_bad_specs(spec: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        design.parse_spec(spec)
    assert fragment in str(info.value)


def test_a_long_number_in_a_spec_is_named_by_its_first_characters() -> None:
    """All 401 digits were echoed twice (decision 542)."""
    digits = str(10**400)
    with pytest.raises(InputError) as info:
        design.parse_spec(f"range(0,{digits})")
    assert str(info.value) == (
        f"'{digits[:100]}... (401 characters)' in 'range(0,{digits[:92]}... (410 characters)' "
        "is too large a number"
    )


@given(
    start=st.integers(-50, 50),
    count=st.integers(1, 40),
    step=st.sampled_from([0.1, 0.25, 0.5, 2.0, -0.1, -1.5]),
)
def test_range_has_the_right_count_and_stops_before_stop(
    start: int, count: int, step: float
) -> None:
    stop = start + count * step
    values = design.parse_spec(f"range({start},{stop!r},{step!r})")
    assert len(values) == count
    assert_allclose(np.diff(values), step, atol=1e-9)
    assert all((v < stop) if step > 0 else (v > stop) for v in values)


# --------------------------------------------------------------------------- grid


def test_grid_is_the_full_factorial_last_parameter_fastest() -> None:
    points = design.grid({"a": [1, 2], "b": ["x", "y", "z"]})
    assert points == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 1, "b": "z"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
        {"a": 2, "b": "z"},
    ]


def test_grid_without_parameters_is_one_base_point() -> None:
    assert design.grid({}) == [{}]


@pytest.mark.parametrize(
    ("parameters", "fragment"),
    [({"a": []}, "at least one value"), ({"a": [1, 2, 1]}, "listed twice")],
)
def test_bad_grids(parameters: dict[str, list[int]], fragment: str) -> None:
    with pytest.raises(InputError) as info:
        design.grid(parameters)
    assert fragment in str(info.value)
    assert info.value.path == "a"


# --------------------------------------------------------------------------- sampled designs

BOUNDS = {"p.a": (0.0, 1.0), "p.b": (10.0, 20.0), "p.c": (-1.0, 1.0)}


def test_problem_is_salibs_mapping() -> None:
    assert design.problem(BOUNDS) == {
        "num_vars": 3,
        "names": ["p.a", "p.b", "p.c"],
        "bounds": [[0.0, 1.0], [10.0, 20.0], [-1.0, 1.0]],
    }


@pytest.mark.parametrize("bounds", [{}, {"x": (1.0, 1.0)}, {"x": (2.0, 1.0)}])
def test_bad_problems(bounds: dict[str, tuple[float, float]]) -> None:
    with pytest.raises(InputError):
        design.problem(bounds)


def test_lhs_is_a_latin_hypercube_in_bounds_and_seeded() -> None:
    prob = design.problem(BOUNDS)
    n = 16
    matrix = design.lhs_matrix(prob, n, seed=3)
    assert matrix.shape == (n, 3)
    lows, highs = np.array(prob["bounds"]).T
    unit = (matrix - lows) / (highs - lows)
    # The Latin property: every column has exactly one sample in each of the n strata.
    for column in unit.T:
        assert sorted(np.floor(column * n).astype(int)) == list(range(n))
    assert_array_equal(matrix, design.lhs_matrix(prob, n, seed=3))
    assert not np.array_equal(matrix, design.lhs_matrix(prob, n, seed=4))


def test_sobol_is_saltellis_sample_with_d_plus_2_blocks() -> None:
    prob = design.problem(BOUNDS)
    matrix = design.sobol_matrix(prob, 8, seed=5)
    assert matrix.shape == (8 * (3 + 2), 3)
    expected = salib_sobol.sample(prob, 8, calc_second_order=False, seed=design.salib_seed(5))
    assert_array_equal(matrix, expected)
    # Block layout: A, AB_1..AB_D, B; AB_i is A with column i taken from B.
    a, b = matrix[0::5], matrix[4::5]
    ab_2 = matrix[2::5]
    assert_array_equal(ab_2[:, [0, 2]], a[:, [0, 2]])
    assert_array_equal(ab_2[:, 1], b[:, 1])


def test_sobol_takes_samples_that_are_no_power_of_two_with_a_note() -> None:
    """experiments.md gives ``samples`` for sobol without a bound, and SALib takes any
    count (the Sobol' sequence is balanced for a power of two only): 12 samples were
    refused ("needs samples that are a power of 2"); they now run, with a note."""
    matrix = design.sobol_matrix(design.problem(BOUNDS), 12, seed=1)
    assert matrix.shape == (12 * (len(BOUNDS) + 2), len(BOUNDS))
    assert "12 is used as given (8 or 16 would be balanced)" in design.sobol_balance_note(12)
    assert design.sobol_balance_note(16) == ""


def test_morris_trajectories_on_the_level_grid() -> None:
    prob = design.problem(BOUNDS)
    matrix = design.morris_matrix(prob, 6, levels=4, seed=2)
    assert matrix.shape == (6 * (3 + 1), 3)
    lows, highs = np.array(prob["bounds"]).T
    unit = (matrix - lows) / (highs - lows)
    assert_allclose(unit * 3, np.round(unit * 3), atol=1e-9)
    # Within a trajectory, consecutive points differ in exactly one parameter.
    for t in range(6):
        steps = np.diff(matrix[t * 4 : (t + 1) * 4], axis=0)
        assert ((np.abs(steps) > 1e-12).sum(axis=1) == 1).all()
    expected = salib_morris.sample(prob, 6, num_levels=4, seed=design.salib_seed(2))
    assert_array_equal(matrix, expected)


@pytest.mark.parametrize("levels", [3, 1])
def test_morris_levels_must_be_even(levels: int) -> None:
    with pytest.raises(InputError, match="even number"):
        design.morris_matrix(design.problem(BOUNDS), 4, levels=levels, seed=1)


def test_sample_matrix_names_unknown_methods() -> None:
    with pytest.raises(InputError, match="did you mean 'sobol'"):
        design.sample_matrix("sobl", design.problem(BOUNDS), 8, seed=1)


def test_points_carry_plain_floats_in_parameter_order() -> None:
    prob = design.problem(BOUNDS)
    points = design.points_from_matrix(prob, design.lhs_matrix(prob, 4, seed=1))
    assert list(points[0]) == ["p.a", "p.b", "p.c"]
    assert all(type(v) is float for p in points for v in p.values())


def test_unreadable_list_item() -> None:
    with pytest.raises(InputError, match="cannot read '\\[x'"):
        design.parse_spec("1,[x")
