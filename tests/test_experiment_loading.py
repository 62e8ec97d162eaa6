"""An experiment file's mistakes are refused when it is loaded, so that ``credsim
validate`` and ``credsim sweep`` agree and nothing is written (audit of the sweep)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.sweep import load_experiment

DATA = Path(__file__).parent / "data" / "sweep"
TINY = DATA / "tiny.yaml"
ABSTAINED = DATA / "tiny_abstained.yaml"


def _file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exp.yaml"
    path.write_text(f"name: e\nscenarios: {{base: {TINY}}}\n{body}")
    return path


def _refused(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Both validate and sweep refuse with one line and write nothing; the line."""
    out = path.parent / "out"
    assert main(["validate", str(path)]) == 2
    validated = capsys.readouterr().err.strip().splitlines()
    assert main(["sweep", str(path), "--out", str(out), "--no-plots", *args]) == 2
    swept = capsys.readouterr().err.strip().splitlines()
    assert not out.exists()
    assert len(validated) == 1
    assert swept == validated
    return validated[0]


@pytest.mark.parametrize(
    "values",
    ["[[east_league], [north_pact]]", "[{Rival: 0.3}, {Rival: 0.5}]"],
)
def test_a_grid_of_lists_or_mappings_is_refused_in_one_line(tmp_path, capsys, values):
    path = _file(tmp_path, f"design:\n  parameters:\n    states.Eastland.blocs: {values}\n")
    line = _refused(path, capsys)
    assert (
        f"{path}:5: design.parameters['states.Eastland.blocs'][0]: a varied parameter takes "
        in line
    )
    assert "'scenarios:'" in line


def test_vary_takes_a_bracketed_list_of_values(tmp_path):
    from sim.sweep import experiment_from_scenario

    experiment = experiment_from_scenario(TINY, ["parameters.trust.memory=[0.9,0.95]"])
    assert [p["parameters.trust.memory"] for p in experiment.points] == [0.9, 0.95]


def test_a_seed_runs_parquet_cannot_store_is_refused(tmp_path, capsys):
    line = _refused(_file(tmp_path, "seed: 9223372036854775808\n"), capsys)
    assert ":3: seed: must be at most 9223372036854775807" in line
    path = _file(tmp_path, "")
    assert main(["sweep", str(path), "--seed", "9223372036854775808", "--out", "o"]) == 2
    assert "--seed: must be a whole number from 0 to 9223372036854775807" in capsys.readouterr().err
    assert load_experiment(path, seed=2**63 - 1).spec.seed == 2**63 - 1


def test_a_grid_number_past_a_floats_range_is_refused_in_one_short_line(tmp_path, capsys):
    """``[0.9, 999...9]`` (400 digits) raised OverflowError where the grid's numbers are
    made floats; the seed's message echoed all 400 digits (decision 542)."""
    digits = "9" * 400
    grid = f"design:\n  parameters:\n    parameters.trust.memory: [0.9, {digits}]\n"
    path = _file(tmp_path, grid)
    assert _refused(path, capsys) == (
        f"credsim: error: {path}:5: design.parameters['parameters.trust.memory'][1]: "
        "got 9.999e+399 (400 digits), too large for a number (the largest is about 1.8e308) "
        "(scenario 'base', parameters.trust.memory=9.999e+399 (400 digits))"
    )
    line = _refused(_file(tmp_path, f"seed: {digits}\n"), capsys)
    assert line == (
        f"credsim: error: {path}:3: seed: must be at most 9223372036854775807 (a 64-bit integer), "
        "got 9.999e+399 (400 digits)"
    )


def test_a_sample_count_of_400_digits_is_refused_in_a_short_line(tmp_path, capsys):
    """The run limit's message wrote the 400-digit counts out with commas (decision 543)."""
    design = (
        f"design:\n  method: sobol\n  samples: {10**400}\n  parameters:\n"
        "    parameters.trust.memory: {low: 0.9, high: 0.99}\n"
        "    parameters.trust.negativity_bias: {low: 1, high: 3}\n"
    )
    line = _refused(_file(tmp_path, design), capsys)
    assert line.endswith(
        ":3: design: the design (4.000e+400 (401 digits) points x 1 replicate x 1 scenario) "
        "plans 4.000e+400 (401 digits) runs, more than the limit of 1,000,000; make the design "
        "smaller, or raise the limit with --max-runs N or CREDSIM_MAX_RUNS=N"
    )


def test_a_quoted_number_in_a_grid_is_stored_as_the_number_run(tmp_path):
    """A number field reads "0.95" as 0.95 (decision 366): so does the design column."""
    path = _file(tmp_path, 'design:\n  parameters:\n    parameters.trust.memory: [0.9, "0.95"]\n')
    values = [p["parameters.trust.memory"] for p in load_experiment(path).points]
    assert values == [0.9, 0.95]
    assert all(type(v) is float for v in values)


def test_a_question_date_outside_the_calendar_is_refused(tmp_path, capsys):
    path = tmp_path / "exp.yaml"
    path.write_text(
        f"name: e\nscenarios: {{base: {TINY}, other: {ABSTAINED}}}\nrecord: series\n"
        "question: {difference: [base, other], metric: trust_mean.Patron.all, date: '2030-01'}\n"
    )
    line = _refused(path, capsys)
    assert f"{path}:4: question.date: '2030-01' is outside the scenarios' calendar " in line
    assert "(2020-01 to 2020-12)" in line


def test_two_names_for_one_scenario_are_refused_by_validate(tmp_path, capsys):
    path = tmp_path / "exp.yaml"
    path.write_text(f"name: e\nscenarios: {{a: {TINY}, b: {TINY}}}\n")
    line = _refused(path, capsys)
    assert "scenarios.b: scenarios 'a' and 'b' resolve to the same scenario" in line


def test_an_override_mistake_is_located_in_the_file(tmp_path, capsys):
    line = _refused(_file(tmp_path, "overrides: {parameters.trust.memry: 0.9}\n"), capsys)
    assert line.startswith(f"credsim: error: {tmp_path / 'exp.yaml'}:3: ")
    assert "overrides.parameters.trust.memry: unknown field 'memry'" in line


def test_a_fixed_value_on_a_varied_path_is_refused(tmp_path, capsys):
    varied = "design:\n  parameters:\n    parameters.trust.memory: [0.95, 0.99]\n"
    line = _refused(_file(tmp_path, "overrides: {parameters.trust.memory: 0.9}\n" + varied), capsys)
    assert ":3: overrides.parameters.trust.memory: 'parameters.trust.memory' is varied" in line
    path = _file(tmp_path, varied)
    out = tmp_path / "out"
    assert (
        main(["sweep", str(path), "--set", "parameters.trust.memory=0.9", "--out", str(out)]) == 2
    )
    err = capsys.readouterr().err
    assert "--set: 'parameters.trust.memory' is varied by the design" in err
    assert not out.exists()


def test_serial_with_several_workers_is_refused(tmp_path, capsys):
    path = _file(tmp_path, "")
    out = tmp_path / "out"
    assert (
        main(["sweep", str(path), "--executor", "serial", "--workers", "2", "--out", str(out)]) == 2
    )
    assert "--executor serial runs one run at a time" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("{low: .nan, high: 0.99}", "low must be a finite number, got nan"),
        ("{low: 0.9, high: .inf}", "high must be a finite number, got inf"),
        ("{low: abc, high: 0.99}", "low must be a number, got 'abc'"),
        ("{low: 0.9}", "'high' is missing in {'low': 0.9}"),
        ("{low: 0.9, high: 0.99, step: 0.01}", "'step' is not one of its keys"),
        (
            f"{{low: {'9' * 400}, high: 0.99}}",
            "low got 9.999e+399 (400 digits), too large for a number",
        ),
        ("[0.9, 0.99]", "got [0.9, 0.99]"),
    ],
)
def test_a_sampled_range_says_what_is_wrong_with_it(tmp_path, capsys, given, said):
    """``{low: .nan, high: 2}`` was refused as "takes {low: .., high: ..}, got {'low':
    nan, 'high': 2}", as if its form were wrong (an audit of the sweep); the line now
    names the bound that is not a finite number, the key missing or the one extra."""
    design = "design:\n  method: lhs\n  samples: 3\n  parameters:\n"
    design += f"    parameters.trust.memory: {given}\n"
    line = _refused(_file(tmp_path, design), capsys)
    key = "design.parameters['parameters.trust.memory']"
    prefix = f":7: {key}: a lhs parameter takes {{low: .., high: ..}}"
    assert prefix in line
    assert line.endswith(said) or said + "," in line


def test_whole_numbers_on_a_real_number_field_are_the_same_experiment(tmp_path):
    """`negativity_bias: [1, 2, 3]` and `[1.0, 2.0, 3.0]` run the same runs, but made two
    folders (two hashes) and an int column beside a float one, which `compare` merged
    with a pandas warning (an audit, decision 641). A field of real numbers now takes its
    grid's numbers as floats; a field of whole numbers keeps them whole."""
    bias, period = "parameters.trust.negativity_bias", "parameters.alignment.period"
    loaded = []
    for written in ("[1, 2, 3]", "[1.0, 2.0, 3.0]"):
        body = f"design:\n  parameters:\n    {bias}: {written}\n    {period}: [1, 2]\n"
        loaded.append(load_experiment(_file(tmp_path, body)))
    a, b = loaded
    assert a.short_hash() == b.short_hash()
    assert [type(p[bias]) for p in a.points] == [float] * 6
    assert [type(p[period]) for p in a.points] == [int] * 6


def test_a_whole_number_field_in_a_sampled_design_is_refused_in_its_words(tmp_path, capsys):
    """An lhs over `alignment.period` said "expected a whole number, got 1.07133", a value
    the sampler drew, not one the user wrote (an audit, decision 641)."""
    path = _file(
        tmp_path,
        "design:\n  method: lhs\n  samples: 4\n  parameters:\n"
        "    parameters.alignment.period: {low: 1, high: 6}\n",
    )
    assert _refused(path, capsys) == (
        f"credsim: error: {path}:7: design.parameters['parameters.alignment.period']: this field "
        "takes whole numbers, and a lhs design draws values between its bounds; vary it on a "
        "grid (a list of whole numbers) instead"
    )


@pytest.mark.parametrize(("written", "shown"), [("0.9", "[0.9]"), ("true", "[true]")])
def test_one_grid_value_written_bare_is_answered_with_its_list(tmp_path, capsys, written, shown):
    """`parameters.trust.memory: 0.9` on a grid was answered with "{low, high} is for lhs,
    sobol and morris", which it was not (an audit, decision 645)."""
    path = _file(tmp_path, f"design:\n  parameters:\n    parameters.trust.memory: {written}\n")
    assert _refused(path, capsys) == (
        f"credsim: error: {path}:5: design.parameters['parameters.trust.memory']: a grid "
        f"parameter takes a list of values; for one value write {shown}"
    )


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("parameters.trust.memory=", "parameters.trust.memory=null"),
        ("parameters.trust={a: 1}", "parameters.trust={a: 1}"),
        ("parameters.trust.memory=[0.9, true]", "parameters.trust.memory=[0.9, true]"),
    ],
)
def test_an_override_of_an_experiment_is_shown_as_yaml_not_python(tmp_path, capsys, given, shown):
    """An experiment's ``--set`` was named in Python's words: ``--set
    parameters.trust.memory=`` as "override parameters.trust.memory=None", ``{a: 1}`` as
    "{'a': 1}", ``true`` as "True" (an audit). It is now named as YAML, as it is typed."""
    path = _file(tmp_path, "")
    out = tmp_path / "out"
    assert main(["validate", str(path), "--set", given]) == 2
    validated = capsys.readouterr().err
    assert validated.startswith(f"credsim: error: override {shown}: parameters.trust"), validated
    assert main(["sweep", str(path), "--set", given, "--out", str(out), "--no-plots"]) == 2
    assert capsys.readouterr().err == validated
    assert not out.exists()


def test_a_sobol_design_of_samples_no_power_of_two_runs_with_a_note(tmp_path, capsys):
    """``samples: 12`` in a sobol design (experiments.md: "samples: 256 # lhs/sobol/morris",
    no bound) was refused, exit 2; it runs 12 x (D + 2) points and says once, at its line,
    that the Sobol' sequence is balanced for a power of two only (decision 697)."""
    design = (
        "design:\n  method: sobol\n  samples: 12\n  parameters:\n"
        "    parameters.trust.memory: {low: 0.9, high: 1.0}\n"
    )
    path = _file(tmp_path, design)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert "36 design points" in captured.out
    first, *rest = captured.err.strip().splitlines()
    assert first == (
        f"credsim: note: {path}:5: design.samples: a sobol design's Sobol' sequence is "
        "balanced only when samples is a power of 2; 12 is used as given "
        "(8 or 16 would be balanced)"
    )
    # Then what `validate` of its scenario file says (decision 947), and nothing else.
    from sim.validate import file_notes

    assert rest == [f"credsim: {note}" for note in file_notes(str(TINY))]
    assert len(load_experiment(path).points) == 36
    capsys.readouterr()
    assert load_experiment(_file(tmp_path, design.replace("12", "16"))).points
    assert capsys.readouterr().err == ""


def test_validate_says_why_a_morris_design_runs_fewer_points_than_it_has(tmp_path, capsys):
    """Morris trajectories reach some points twice, and such a point is run once: validate
    said "N design points, M runs" with M below N x replicates, which read as runs
    missing (an audit). It says how many points are distinct, and the runs match them."""
    path = tmp_path / "morris.yaml"
    path.write_text(
        f"name: m\nscenarios: {{a: {TINY}}}\ndesign:\n  method: morris\n  samples: 4\n"
        "  parameters:\n    parameters.trust.memory: {low: 0.9, high: 0.99}\n"
        "    parameters.trust.negativity_bias: {low: 1, high: 3}\nreplicates: 2\n"
    )
    experiment = load_experiment(path)
    distinct = {tuple(sorted(p.items())) for p in experiment.points}
    assert len(distinct) < len(experiment.points)  # the case at hand
    assert len(experiment.tasks) == 2 * len(distinct)
    assert main(["validate", str(path)]) == 0
    assert (
        f"{len(experiment.points)} design points ({len(distinct)} distinct: a point the "
        f"design reaches again is run once), {len(experiment.tasks)} runs"
    ) in capsys.readouterr().out
