"""What the start at rest changes (``network.initial: equilibrium``, model.md section 8.3).

The shipped scenarios start at rest: held trust at step 0 is where the
network would have taken the written trust values, not the written values
themselves (``prior``, v1's start). This section runs each historical case
once both ways, with one seed and nothing else changed, and reports the
first month's moves before any event and what remains of the difference
later. A run takes well under a second, so the section runs its own pairs
instead of reading a results folder; the seed is fixed, so the numbers are
the same at every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.columns import flatten_summary
from sim.findings.numbers import KEY_METRIC, REPO
from sim.runner import run_scenario
from sim.scenario import load_scenario

INITIAL = "network.initial"
STARTS = ("prior", "equilibrium")
SEED = 0


@dataclass(frozen=True)
class Case:
    """A historical case: its scenario, the client group watched, its powers, a later date."""

    scenario: str
    client: str
    powers: tuple[str, str]
    later: str


CASES = (
    Case("syria.yaml", "syria", ("Russia", "USA"), "2026-12"),
    Case("sino_soviet.yaml", "china", ("USSR", "USA"), "1964-12"),
)


def trust_series(scenario: str, start: str) -> pd.DataFrame:
    """``trust_mean`` by step, group and power in one run of ``scenario`` started at ``start``."""
    sc = load_scenario(str(REPO / "scenarios" / scenario), {INITIAL: start})
    series = run_scenario(sc, SEED, record="series").series
    assert series is not None
    return series[series["metric"] == "trust_mean"]


def value(series: pd.DataFrame, step: int, group: str, power: str) -> float:
    """One group's mean trust in one power at one step."""
    row = series[(series["step"] == step) & (series["group"] == group) & (series["power"] == power)]
    return float(row["value"].iloc[0])


def last_step(series: pd.DataFrame, date: str) -> int:
    """The last step labelled ``date``."""
    return int(series[series["date"] == date]["step"].max())


def largest_first_move(series: pd.DataFrame) -> float:
    """The largest change of any group's mean trust in any power from step 0 to step 1."""
    steps = series[series["step"] <= 1].pivot_table(
        index=["group", "power"], columns="step", values="value"
    )
    return float((steps[1] - steps[0]).abs().max())


def first_event(scenario: str) -> str:
    """The date of the scenario's first event."""
    return min(str(e.date) for e in load_scenario(str(REPO / "scenarios" / scenario)).events)


def case_rows(case: Case) -> list[list[str]]:
    """The client's trust in each power at step 0, step 1 and later, started both ways."""
    runs = {start: trust_series(case.scenario, start) for start in STARTS}
    rows = []
    for power in case.powers:
        cells = []
        for start in STARTS:
            s = runs[start]
            steps = (0, 1, last_step(s, case.later))
            cells.append(" / ".join(f"{value(s, t, case.client, power):.3f}" for t in steps))
        rows.append([f"`{case.scenario}`", f"{case.client} in {power}", *cells])
    moves = (f"{largest_first_move(runs[start]):.3f}" for start in STARTS)
    rows.append([f"`{case.scenario}`", "largest first-month move, any group", *moves])
    return rows


def key_difference(start: str) -> float:
    """Claim 1's key metric, historical minus abstained, at the scenarios' values."""
    values = []
    for name in ("syria.yaml", "syria_abstained.yaml"):
        sc = load_scenario(str(REPO / "scenarios" / name), {INITIAL: start})
        values.append(flatten_summary(run_scenario(sc, SEED).summary)[KEY_METRIC])
    historical, abstained = values
    assert historical is not None and abstained is not None
    return historical - abstained


def gap_text(gap: float) -> str:
    """``equal to machine precision`` or ``they differ by 1.2e-05``."""
    return "equal to machine precision" if abs(gap) < 1e-12 else f"they differ by {abs(gap):.1e}"


def section_at_rest() -> str:
    """The section: the first month both ways, and claim 1's key difference both ways."""
    rows = [row for case in CASES for row in case_rows(case)]
    firsts = ", ".join(f"`{c.scenario}` {first_event(c.scenario)}" for c in CASES)
    later = ", ".join(f"`{c.scenario}` {c.later}" for c in CASES)
    diffs = {start: key_difference(start) for start in STARTS}
    return (
        "## What the start at rest changes\n\n"
        "Each historical case run once with v1's start (`network.initial: prior`: held trust "
        "starts at the written values) and once at rest (`equilibrium`, as shipped), seed "
        f"{SEED}, everything else as shipped. First events: {firsts}. Trust of the client "
        f"at step 0 / after the first month / later ({later}):\n\n"
        + "\n".join(
            [
                "| scenario | trust | start `prior` | start `equilibrium` |",
                "|---|---|---|---|",
                *("| " + " | ".join(r) + " |" for r in rows),
            ]
        )
        + "\n\nClaim 1's key difference (Russia's trust among Arab League states in December "
        f"2026, historical minus abstained, one run each): {diffs['prior']:+.4f} from `prior`, "
        f"{diffs['equilibrium']:+.4f} at rest ({gap_text(diffs['prior'] - diffs['equilibrium'])}"
        ").\n\n"
    )
