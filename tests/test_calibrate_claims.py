"""Claims under the posterior: the findings section's numbers, and ``make calibrate``'s commands."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sim.calibrate.spec import load_calibration
from sim.cli import main
from sim.findings import posterior

ROOT = Path(__file__).resolve().parent.parent


def _runs(historical: list[float], abstained: list[float]) -> pd.DataFrame:
    rows = []
    for scenario, values in (("historical", historical), ("abstained", abstained)):
        for point, value in enumerate(values):
            rows.append(
                {
                    "scenario": scenario,
                    "point": point,
                    "replicate": 0,
                    "final_trust.Russia.arab_league": value,
                }
            )
    return pd.DataFrame(rows)


def test_claim1_probability_and_interval_by_hand() -> None:
    """Five draws, historical minus abstained: -0.2, -0.1, 0.0, +0.1, -0.3.

    The claim holds (difference < 0) in 3 of 5 draws: probability 0.6.
    Quantiles are the inverse of the step CDF over the sorted values (-0.3,
    -0.2, -0.1, 0, 0.1; cumulative 0.2, 0.4, 0.6, 0.8, 1): 5% -> -0.3,
    median -> -0.1, 95% -> +0.1. Memory narrowed to 0.3 of its prior
    constrains the claim; negativity bias at 0.9 is left wide; the support
    weight is not in the narrowing table, so it is held fixed.
    """
    runs = _runs([0.3, 0.4, 0.5, 0.6, 0.2], [0.5, 0.5, 0.5, 0.5, 0.5])
    claim = posterior.CLAIMS[0]
    narrowing = {posterior.MEMORY: 0.3, posterior.NB: 0.9}
    a = posterior.answer(claim, runs, narrowing)
    assert a.probability == pytest.approx(0.6)
    assert (a.q05, a.median, a.q95) == pytest.approx((-0.3, -0.1, 0.1))
    assert (a.draws, a.distinct) == (5, 5)
    assert a.narrowed == (posterior.MEMORY,)
    assert a.wide == (posterior.NB,)
    assert a.fixed == (posterior.SUPPORT,)


def test_a_point_drawn_several_times_counts_that_many_times(tmp_path: Path) -> None:
    """Design points 0, 1, 2, 3 where 2 and 3 repeat point 0's values: the sweep ran
    points 0 and 1 only (differences -0.2 and +0.1), and point 0 counts 3 times.

    Probability 3 / 4 = 0.75 (not 1 / 2); the median is -0.2 (cumulative
    weights 0.75 at -0.2, 1 at +0.1), the 95% quantile +0.1.
    """
    memory = posterior.MEMORY
    pd.DataFrame({"point": [0, 1, 2, 3], memory: [0.95, 0.9, 0.95, 0.95]}).to_parquet(
        tmp_path / "design.parquet"
    )
    copies = posterior.design_copies(tmp_path)
    assert copies == {0: 3, 1: 1, 2: 3, 3: 3}
    runs = _runs([0.3, 0.6], [0.5, 0.5])
    a = posterior.answer(posterior.CLAIMS[0], runs, {}, copies)
    assert a.probability == pytest.approx(0.75)
    assert (a.draws, a.distinct) == (4, 2)
    assert (a.median, a.q95) == pytest.approx((-0.2, 0.1))


def test_a_claim_no_calibrated_parameter_decides_says_the_data_cannot_constrain(
    tmp_path: Path,
) -> None:
    """Every decisive parameter left as wide as the prior: the section says so."""
    cal = tmp_path / "cal"
    cal.mkdir()
    pd.DataFrame(
        {
            "variant": ["v2", "v2"],
            "parameter": [posterior.MEMORY, posterior.NB],
            "narrowing": [0.95, 0.9],
        }
    ).to_csv(cal / "summary.csv", index=False)

    pd.DataFrame({"point": [0, 1], posterior.MEMORY: [0.9, 0.95]}).to_parquet(
        tmp_path / "design.parquet"
    )

    class _Res:
        ok_runs = _runs([0.3, 0.4], [0.5, 0.5])
        path = tmp_path

    text = posterior.render({"claim1_posterior": _Res()}, cal)  # type: ignore[dict-item]
    claim1 = text.split("**Claim 1.**")[1]
    assert "holds in 100% of 2 draws" in claim1
    assert "cannot constrain" in claim1
    assert "| 2. " in text and "not run" in text


def _make_calibrate_commands() -> list[str]:
    recipe = (ROOT / "Makefile").read_text().split("\ncalibrate:")[1].split("\n\n")[0]
    return [line.strip() for line in recipe.splitlines()[1:]]


def test_make_calibrate_commands_are_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The target's calibration file loads, and every posterior experiment it sweeps
    validates against a finished calibration in the folder the target writes
    (a stand-in folder with the joint calibration's parameters)."""
    commands = _make_calibrate_commands()
    calibrate = next(c for c in commands if " calibrate " in c)
    path = re.search(r"calibrate (\S+\.yaml)", calibrate)
    assert path is not None
    calibration = load_calibration(ROOT / path.group(1))
    out = re.search(r"--out (\S+)", calibrate)
    assert out is not None and "--list-posterior" in " ".join(commands)
    # The repository's layout in tmp_path, with a finished calibration at --out.
    shutil.copytree(ROOT / "experiments", tmp_path / "experiments")
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    folder = tmp_path / out.group(1)
    folder.mkdir(parents=True)
    params = {p: (r.low + r.high) / 2 for p, r in calibration.spec.parameters.items()}
    particles = pd.DataFrame(
        [{"generation": 0, "variant": v, "particle": 0, "weight": 1.0, "distance": 0.1,
          "model_probability": 0.5, **params, **fixed}
         for v, fixed in calibration.variants().items()]
    )  # fmt: skip
    particles.to_parquet(folder / "posterior.parquet")
    manifest = {
        "kind": "calibration",
        "status": "complete",
        "variants": calibration.variants(),
        "resolved": calibration.spec.model_dump(mode="json"),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for name in posterior.EXPERIMENTS:
        experiment = tmp_path / "experiments" / f"{name}.yaml"
        assert main(["validate", str(experiment)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("path", sorted((ROOT / "calibrations").glob("*.yaml")), ids=str)
def test_every_shipped_calibration_file_loads(path: Path) -> None:
    assert load_calibration(path).spec.parameters


def test_the_recovery_command_of_validation_md_runs_a_shipped_file() -> None:
    """validation.md's recovery check names a shipped calibration file, and every value
    its --truth gives is one of that file's calibrated parameters (decision 364)."""
    text = (ROOT / "docs" / "validation.md").read_text()
    section = text.split("## Recovery of known values")[1].split("\n## ")[0]
    command = section.split("```")[1].replace("\\\n", " ")
    found = re.search(r"credsim calibrate (\S+\.yaml) --truth (.*)", command)
    assert found is not None, command
    calibration = load_calibration(ROOT / found.group(1))
    truth = dict(item.split("=") for item in found.group(2).split())
    assert truth and set(truth) <= set(calibration.spec.parameters)


def test_findings_say_which_variant_the_data_favour(tmp_path: Path) -> None:
    """validation.md: findings.md "says which model variant the data favour". The verdict
    follows the fit (patterns passed, then median distance), not pyabc's model probability."""
    cal = tmp_path / "cal"
    cal.mkdir()

    def verdict(passes: list[str], distances: list[float]) -> str:
        pd.DataFrame(
            {
                "variant": ["v1", "v2"],
                "model_probability": [0.7, 0.3],
                "calibrate_pass": passes,
                "median_distance": distances,
            }
        ).to_csv(cal / "variants.csv", index=False)
        return posterior.favoured_variant(posterior.read_variants(cal))

    tie = verdict(["4/6", "4/6"], [1.777, 1.7771])
    assert "favour neither" in tie and "v1: model probability 0.70" in tie
    assert "favour v2" in verdict(["4/6", "4/6"], [1.9, 1.5])
    assert "favour v2" in verdict(["3/6", "4/6"], [1.5, 1.9])
    (cal / "variants.csv").unlink()
    assert posterior.favoured_variant(posterior.read_variants(cal)) == ""
