"""Small input files that the tests of the pattern and calibration commands share, and a
record of the figures ``compare`` renders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import pytest
    from matplotlib.figure import Figure

    from sim.calibrate.spec import Calibration


def un_members_scenario(name: str, africa: Sequence[str]) -> str:
    """A scenario of a few UN members, 2014 to 2016 by month, with one event (Russia
    intervenes for Syria in 2015-09), so that ``--set`` can move the calendar's ends.

    Groups: ``levant`` (Syria, aligned with Russia; Jordan, with the USA) and
    ``africa``, the states ``africa`` named, all alike (ideology 0, unaligned, trust 0.5
    in both powers), so that their propensity gaps are one value before the event.
    """
    alike = "".join(f"  {state}: {{region: africa, ideology: 0.0}}\n" for state in africa)
    return f"""\
name: {name}
calendar: {{start: "2014-01", end: "2016-12", step: month}}
powers:
  Russia: {{capability: 0.5, ideology: 0.5, region: eurasia}}
  USA: {{capability: 0.9, ideology: -0.5, region: north_america}}
states:
  Syria: {{region: levant, ideology: 0.5, aligned: Russia}}
  Jordan: {{region: levant, ideology: -0.5, aligned: USA}}
{alike}defaults: {{trust: {{Russia: 0.5, USA: 0.5}}}}
events:
  - {{id: iv, date: "2015-09", kind: intervene, actor: Russia, target: Syria, magnitude: 1.0,
     label: intervention, source: a test}}
outputs:
  groups:
    levant: {{region: levant}}
    africa: {{region: africa}}
"""


def spread_particles(calibration: Calibration) -> pd.DataFrame:
    """A calibration's made-up final generation: 100 particles a variant, of equal
    weight, spread over the priors (seed 0), each variant's fixed parameters NaN."""
    rng = np.random.default_rng(0)
    frames = []
    for variant, fixed in calibration.variants().items():
        frame = {"generation": 3, "variant": variant, "weight": np.full(100, 0.01)}
        for path, prior in calibration.spec.parameters.items():
            frame[path] = np.nan if path in fixed else rng.uniform(prior.low, prior.high, 100)
        frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def calibration_case(name: str, truth: Sequence[str] = ()) -> tuple[Calibration, pd.DataFrame]:
    """calibrations/``name``.yaml (with ``truth``, as ``--truth`` takes it) and its
    made-up final generation (:func:`spread_particles`)."""
    from pathlib import Path

    from sim.calibrate.spec import load_calibration

    folder = Path(__file__).resolve().parents[1] / "calibrations"
    calibration = load_calibration(folder / f"{name}.yaml", truth)
    return calibration, spread_particles(calibration)


# The joint calibration's patterns (calibrations/joint.yaml), six fitted and three held out.
JOINT_PATTERNS = (
    "syria/gulf_no_warming", "syria/syria_stays_with_russia", "syria/initial_conditions",
    "sino_soviet/india_1962", "sino_soviet/nonaligned_test_ban",
    "sino_soviet/initial_conditions", "syria/arab_league_no_warming",
    "sino_soviet/india_recovery", "sino_soviet/albania_after_split",
)  # fmt: skip


def joint_checks() -> pd.DataFrame:
    """A checks table of :data:`JOINT_PATTERNS` (the first six calibration patterns, the
    rest held out), variants v1 and v2, every band and median alike."""
    return pd.DataFrame(
        [
            {"role": role, "pattern": name, "variant": variant, "tolerance": 0.1,
             "q05": 0.0, "q95": 0.2, "observed": 0.1, "discrepancy": 0.0}
            for role, chosen in (("calibrate", JOINT_PATTERNS[:6]), ("holdout", JOINT_PATTERNS[6:]))
            for name in chosen
            for variant in ("v1", "v2")
        ]
    )  # fmt: skip


def compare_renders(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, Figure]]:
    """Each figure ``compare`` renders from now on, with its bytes, in order: a figure
    taller than a page is tried as drawn before it is saved (decision 1043), so a test
    finds the one saved by its bytes."""
    import sim.analysis.comparison as comparison

    drawn: list[tuple[bytes, Figure]] = []
    real = comparison.render

    def keep(fig: Figure, fmt: str = "png") -> bytes:
        data = real(fig, fmt)
        drawn.append((data, fig))
        return data

    monkeypatch.setattr(comparison, "render", keep)
    return drawn
