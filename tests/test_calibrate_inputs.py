"""``credsim calibrate``'s inputs, refused in one line before anything is written.

An input fuzz of the calibration file and the command line found: a malformed or
dead ``--address`` (a traceback, and a manifest left behind), priors and fixed
values of ``.inf`` or ``1e308`` (passed ``validate``, then crashed the calibration
or ran it to epsilon inf), counts of ``10**20`` (an OverflowError after the whole
calibration), a ``--truth`` path given twice, an unwritable ``--out`` found only
after simulating, and a rerun on another engine told that the files had changed.
No test here runs a model: the toy problem, or nothing at all.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_calibrate import toy

from sim import fileio
from sim.calibrate.run import MANIFEST, _manifest, check_folder, run_calibration
from sim.calibrate.spec import Calibration, load_calibration
from sim.calibrate.toy import BinomialProblem
from sim.cli import main
from sim.errors import InputError


def _one_line_error(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> str:
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err.removeprefix("credsim: error: ").strip()


def _file(tmp_path: Path, **fields: object) -> Path:
    """A calibration file on a placeholder pattern file (the errors come before it is read)."""
    (tmp_path / "p.yaml").write_text("{}\n")
    data = {
        "name": "bad",
        "patterns": ["p.yaml"],
        "parameters": {
            "parameters.trust.memory": {"low": 0.9, "high": 1},
            "link.beta": {"low": 0, "high": 2},
        },
        **fields,
    }
    path = tmp_path / "cal.yaml"
    # One field a line, so that the line of an error is the field's.
    path.write_text("\n".join(f"{k}: {json.dumps(v)}" for k, v in data.items()) + "\n")
    return path


def _raw(tmp_path: Path, text: str) -> Path:
    """A calibration file as written (YAML's .inf and .nan have no JSON spelling)."""
    (tmp_path / "p.yaml").write_text("{}\n")
    path = tmp_path / "cal.yaml"
    path.write_text("name: bad\npatterns: [p.yaml]\n" + text)
    return path


def _toy(tmp_path: Path) -> Calibration:
    """test_calibrate's toy calibration, at a size that writes its folder in no time."""
    return toy(tmp_path, population=10, max_simulations=20, predictive=2)


class _NoSimulation(BinomialProblem):
    """The toy problem, failing the test if anything is simulated."""

    def simulate(
        self, params: Mapping[str, float], seed: int, *, holdout: bool = True
    ) -> dict[str, float]:
        raise AssertionError("simulated before the inputs were checked")


# --------------------------------------------------------------------------- 1. --address


def test_a_malformed_address_is_one_line_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--address garbage`` was a ValueError traceback from dask, after manifest.json."""
    out = tmp_path / "out"
    message = _one_line_error(
        capsys, "calibrate", _file(tmp_path), "--out", out, "--address", "garbage"
    )
    assert message == (
        "--address 'garbage' is not a Dask scheduler address; expected tcp://HOST:PORT "
        "(e.g. tcp://127.0.0.1:8786)"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("garbage", "--address 'garbage' is not a Dask scheduler address"),
        # Port 1 of this machine: nothing listens there, the connection is refused at once.
        ("tcp://127.0.0.1:1", "no Dask scheduler answers at --address tcp://127.0.0.1:1"),
    ],
)
def test_the_address_is_checked_before_the_folder_is_made(
    tmp_path: Path, address: str, expected: str
) -> None:
    out = tmp_path / "out"
    with pytest.raises(InputError) as refused:
        run_calibration(
            _toy(tmp_path), _NoSimulation(), out, executor="dask", address=address, quiet=True
        )
    assert str(refused.value).startswith(expected), refused.value
    assert not out.exists()


# --------------------------------------------------------------------------- 2. priors, values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "parameters:\n  link.beta: {low: 0, high: .inf}\n",
            ":4: link.beta.high: expected a finite number, got inf",
        ),
        (
            "parameters:\n  link.beta: {low: .nan, high: 1}\n",
            ":4: link.beta.low: expected a finite number, got nan",
        ),
        (
            "parameters:\n  link.beta: {low: 0, high: 1e308}\n",
            ":4: link.beta: the prior's high end is 1e+308; a calibrated value may be at "
            "most 1e+06 in size (the model's parameters are of order 1; far wider priors "
            "overflow the sampler)",
        ),
        (
            "parameters:\n  parameters.affinity.scale: {low: -1000000000000000000000000000000,"
            " high: 0}\n",
            ":4: parameters.affinity.scale: the prior's low end is -1e+30; a calibrated value",
        ),
        (
            "parameters:\n  parameters.trust.memory: {low: 0.9, high: 1}\n"
            "variants:\n  v1: {link.beta: .inf}\n  v2: {}\n",
            ":6: variants.v1.link.beta: a fixed value must be a finite number, got inf",
        ),
        (
            "parameters:\n  parameters.trust.memory: {low: 0.9, high: 1}\n"
            "variants:\n  v1: {link.beta: 1.0e+300}\n  v2: {}\n",
            ":6: variants.v1.link.beta: a fixed value is 1e+300; a calibrated value may be at "
            "most 1e+06",
        ),
        ("min_epsilon: .inf\nparameters: {link.beta: {low: 0, high: 1}}\n", ":3: min_epsilon: "),
    ],
)
def test_non_finite_and_absurd_priors_and_values_are_refused_by_validate_and_calibrate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    """``link.beta: {low: 0, high: .inf}`` passed validate and crashed calibrate midway,
    leaving history.db; ``high: 1e308`` too; ``v1: {link.beta: .inf}`` ran to epsilon inf
    with exit 0."""
    path = _raw(tmp_path, text)
    assert _one_line_error(capsys, "validate", path).startswith(f"{path}{expected}")
    out = tmp_path / "out"
    assert _one_line_error(capsys, "calibrate", path, "--out", out).startswith(f"{path}{expected}")
    assert not out.exists()


@pytest.mark.parametrize(
    ("truth", "expected"),
    [
        (
            ["link.beta=.inf"],
            "--truth 'link.beta=.inf': the value must be a finite number, got inf",
        ),
        (["link.beta=1e+300"], "--truth 'link.beta=1e+300': the value is 1e+300; a calibrated"),
        # a whole number past a float's range: an OverflowError traceback before (decision 537)
        (
            ["link.beta=" + "9" * 400],
            f"--truth 'link.beta={'9' * 90}... (410 characters)': the value is 9.999e+399 "
            "(400 digits); a calibrated",
        ),
    ],
)
def test_non_finite_and_absurd_truth_values_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], truth: list[str], expected: str
) -> None:
    out = tmp_path / "out"
    message = _one_line_error(capsys, "calibrate", _file(tmp_path), "--out", out, "--truth", *truth)
    assert message.startswith(expected), message
    assert not out.exists()


@pytest.mark.parametrize(
    ("prior", "takes"),
    [
        ("calendar.start", "the scenario's calendar.start takes text (first month, YYYY-MM)"),
        ("name", "the scenario's name takes text"),
        ("calendar.step", "the scenario's calendar.step takes one of 'month', 'quarter'"),
        ("events", "the scenario's events takes a list"),
        # Through a power's or a state's entry (decision 792).
        ("powers.Russia.region", "the scenario's powers.Russia.region takes text"),
        ("states.Egypt.trust", "the scenario's states.Egypt.trust takes a mapping"),
    ],
)
def test_a_prior_on_a_field_that_takes_no_number_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prior: str, takes: str
) -> None:
    """``calendar.start: {low: 0, high: 1}`` was told "expected a string, got 0 (the
    prior's low end; ...)", which asked for a string, and ``name: ...`` read as the
    calibration's own name: the prior is refused at its line for want of a number."""
    path = _file(tmp_path, parameters={prior: {"low": 0, "high": 1}})
    out = tmp_path / "out"
    for argv in (["validate", path], ["calibrate", path, "--out", out]):
        message = _one_line_error(capsys, *argv)
        assert message.startswith(f"{path}:3: {prior}: a prior needs a numeric parameter")
        assert takes in message, message
    assert not out.exists()


def test_a_windows_path_to_a_pattern_file_gets_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``patterns: [..\\patterns\\syria.yaml]`` was said only to not exist."""
    path = _file(tmp_path, patterns=["..\\patterns\\syria.yaml"])
    message = _one_line_error(capsys, "validate", path)
    assert message.startswith(f"{path}:2: patterns[0]: pattern file '..\\patterns\\syria.yaml'")
    assert message.endswith(
        "does not exist (looked for "
        f"{tmp_path}/..\\patterns\\syria.yaml); paths are relative to the calibration "
        'file (paths use "/", not "\\": ../patterns/syria.yaml)'
    )


def test_priors_within_the_limit_still_load(tmp_path: Path) -> None:
    path = _file(tmp_path, parameters={"link.beta": {"low": 0, "high": 1e6}})
    assert load_calibration(path).spec.parameters["link.beta"].high == 1e6


# --------------------------------------------------------------------------- 3. counts


@pytest.mark.parametrize(
    ("field", "value", "cap", "shown"),
    [
        ("predictive", 10**7, "1,000,000 (posterior predictive draws per variant)", "10,000,000"),
        # past 20 digits a number is shown short (decision 537)
        ("predictive", 10**20, "1,000,000 (posterior predictive draws", "1.000e+20 (21 digits)"),
        ("predictive", 10**30, "1,000,000 (posterior predictive draws", "1.000e+30 (31 digits)"),
        ("population", 10**30, "1,000,000 (particles per generation)", "1.000e+30 (31 digits)"),
        ("max_simulations", 10**30, "10,000,000 (simulations in all)", "1.000e+30 (31 digits)"),
        ("replicates", 10**30, "1,000,000 (runs per simulation", "1.000e+30 (31 digits)"),
        ("seed", 2**63, "9,223,372,036,854,775,807 (a 64-bit", "9,223,372,036,854,775,808"),
        ("seed", 10**400, "9,223,372,036,854,775,807 (a 64-bit", "1.000e+400 (401 digits)"),
    ],
)
def test_huge_counts_are_refused_when_the_file_is_loaded(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    field: str,
    value: int,
    cap: str,
    shown: str,
) -> None:
    """``predictive: 10**20`` passed validate and raised OverflowError after the whole
    calibration had run; ``population: 10**30`` and the like ran until killed."""
    path = _file(tmp_path, **{field: value})
    message = _one_line_error(capsys, "validate", path)
    assert message.startswith(f"{path}:4: {field}: must be at most {cap}"), message
    assert message.endswith(f"got {shown}"), message
    out = tmp_path / "out"
    assert _one_line_error(capsys, "calibrate", path, "--out", out) == message
    assert not out.exists()


def test_counts_at_their_caps_load(tmp_path: Path) -> None:
    path = _file(tmp_path, population=10**6, max_simulations=10**7, predictive=10**6)
    spec = load_calibration(path).spec
    assert (spec.population, spec.max_simulations, spec.predictive) == (10**6, 10**7, 10**6)


# --------------------------------------------------------------------------- 4. --truth twice


@pytest.mark.parametrize(
    "argv",
    [
        ["--truth", "link.beta=1", "--truth", "link.beta=2"],
        ["--truth", "link.beta=1", "link.beta=1"],
        ["--truth", "link.beta=1", " link.beta =2"],
    ],
)
def test_a_truth_path_given_twice_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    """The later value silently replaced the earlier one."""
    out = tmp_path / "out"
    message = _one_line_error(capsys, "calibrate", _file(tmp_path), "--out", out, *argv)
    first, second = (item.partition("=")[2] for item in argv if "=" in item)
    assert message == f"--truth names link.beta twice ({first} and {second}); give each path once"
    assert not out.exists()


# --------------------------------------------------------------------------- 5. unwritable --out


def test_an_unwritable_out_is_refused_before_any_simulation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder was made (and refused) only after ``--truth``'s simulation and the
    preflight. The tests may run as root, who writes anywhere: the permission is
    refused where it is asked (``os.access``), as in tests/test_speaking_errors.py."""
    parent = tmp_path / "ro"
    parent.mkdir()
    access = os.access
    monkeypatch.setattr(fileio.os, "access", lambda p, mode: Path(p) != parent and access(p, mode))
    out = parent / "out"
    with pytest.raises(InputError) as refused:
        run_calibration(_toy(tmp_path), _NoSimulation(), out, workers=1, quiet=True)
    assert str(refused.value) == (
        f"cannot write into '{parent}': the folder is read-only; copy the results somewhere "
        "writable, or choose a writable --out"
    )
    assert not out.exists()


# --------------------------------------------------------------------------- 6. another engine


@dataclass(frozen=True)
class _EngineProblem(BinomialProblem):
    """The toy problem on a named engine (part of its identity, as PatternProblem's)."""

    engine: str = "mesa"
    inputs: str = "toy-inputs"

    def identity(self) -> str:
        return f"{super().identity()}-{self.engine}"


def test_a_rerun_on_another_engine_says_so(tmp_path: Path) -> None:
    """It said "the calibration file, a pattern file, its scenario or --truth changed
    since", none of which had. The folder is one a calibration on mesa left when it was
    stopped: its first manifest, as run_calibration writes it."""
    out = tmp_path / "out"
    out.mkdir()
    calibration = _toy(tmp_path)
    mesa = _EngineProblem(engine="mesa")
    observed = {s.id: s.observed for s in mesa.statistics}
    identity = calibration.identity(mesa.identity())
    manifest = _manifest(calibration, mesa, identity, observed, "now", ["credsim"], "running", {})
    assert manifest["engine"] == "mesa"
    (out / MANIFEST).write_text(json.dumps(manifest, default=str))
    fast = _EngineProblem(engine="fast")
    with pytest.raises(InputError) as refused:
        run_calibration(calibration, fast, out, workers=1, quiet=True, figures=False)
    assert str(refused.value) == (
        f"results folder '{out}' holds calibration 'toy' run on other inputs (--engine mesa, "
        "this calibration's fast); choose another --out, or remove the folder to calibrate "
        "afresh"
    )


def test_the_refusal_names_each_input_that_differs(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    resolved = {"name": "joint", "description": "a", "population": 400, "seed": 7}
    manifest = {
        "kind": "calibration",
        "name": "joint",
        "identity": "a" * 64,
        "truth": {},
        "resolved": resolved,
        "engine": "fast",
        "pattern_inputs": "p" * 64,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))

    def refusal(**mine: object) -> str:
        inputs = {"resolved": resolved, "engine": "fast", "pattern_inputs": "p" * 64, **mine}
        with pytest.raises(InputError) as refused:
            check_folder(folder, "b" * 64, {}, "joint", inputs=inputs)
        text = str(refused.value)
        return text[text.index("(") + 1 : text.index(");")]

    assert refusal(resolved={**resolved, "description": "b", "population": 500}) == (
        "the calibration file's population changed since"
    )
    assert refusal(pattern_inputs="q" * 64) == "a pattern file or its scenario changed since"
    assert refusal(engine="mesa", resolved={**resolved, "seed": 8}) == (
        "--engine fast, this calibration's mesa; the calibration file's seed changed since"
    )


@pytest.mark.parametrize(
    ("variants", "said"),
    [
        (
            {"a": {"link.beta": 0}, "b": {"link.beta": 0.0}},
            "variant 'b' fixes the same values as 'a'",
        ),
        ({"a": {}, "b": {"link.beta": 1}, "c": {}}, "variant 'c' fixes the same values as 'a'"),
    ],
)
def test_two_variants_of_one_model_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], variants: dict[str, object], said: str
) -> None:
    """pyabc's model selection split the particles between two identical models at random,
    and the split read as evidence for one."""
    path = _file(tmp_path, variants=variants)
    message = _one_line_error(capsys, "validate", path)
    assert message.startswith(f"{path}:"), message
    assert said in message and "the two are one model" in message


@pytest.mark.parametrize(
    "path", ["powers.Russia.capability", "states.Egypt.ideology", "states.St. Lucia.ideology"]
)
def test_a_prior_through_an_entry_that_takes_a_number_is_let_through(path: str) -> None:
    """The walk into a power's or a state's entry (decision 792) refuses only what takes no
    number: a numeric field passes, and a name it cannot split (a dot in "St. Lucia") is
    left to the check against each pattern file's scenario."""
    from sim.calibrate.spec import check_path

    check_path(path, None, drawn=True)
