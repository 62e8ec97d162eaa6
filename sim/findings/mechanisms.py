"""Which v2 mechanism moves each claim's key number: v1 against v2, one mechanism off at a time.

Each claim's key difference at the scenarios' own values, one run per
scenario with a fixed seed (at the baseline the only randomness is the
alignment draw, so one run is representative to the digits shown), under:
the v1 copies of the scenarios (``tests/data/v1``), the shipped v2
scenarios, and the shipped scenarios with one v2 mechanism switched off by
``--set``-style overrides. The runs take about a second each, so the
section runs them itself instead of reading a results folder.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.columns import flatten_summary
from sim.findings.numbers import KEY_METRIC, REPO
from sim.runner import Record, run_scenario
from sim.scenario import Scenario, load_scenario

SEED = 0
V1 = REPO / "tests" / "data" / "v1"
V2 = REPO / "scenarios"
NEUTRAL_AFFINITY = 0.5
AFFINITY_OFF = "affinity off"
ENEMY_OFF: dict[str, object] = {"parameters.stance.enemy_reliability": 1}
ANCHOR_OFF: dict[str, object] = {"parameters.trust.prior_memory": 1}
VARIANTS: tuple[tuple[str, Path, dict[str, object]], ...] = (
    ("v1 (the v1 copies of the scenarios)", V1, {}),
    ("v2 as shipped", V2, {}),
    ("v2, affinity off (non-aligned utility rebalanced)", V2, {AFFINITY_OFF: True}),
    ("v2, enemies learn like neutrals (enemy_reliability 1)", V2, ENEMY_OFF),
    ("v2, no re-anchoring (prior_memory 1)", V2, ANCHOR_OFF),
    ("v2, all three off", V2, {AFFINITY_OFF: True, **ENEMY_OFF, **ANCHOR_OFF}),
)


def scenario_of(folder: Path, scenario: str, overrides: dict[str, object]) -> Scenario:
    """``folder/scenario`` with ``overrides``; ``AFFINITY_OFF`` switches the channel off.

    Switching affinity off sets ``affinity.scale`` and the alignment weight of
    affinity to 0 and lowers the non-aligned utility by what the neutral
    affinity added to every power's utility (weight x 0.5), the balance the
    v2 scenarios struck (docs/scenarios.md); without it nearly every state
    would turn non-aligned.
    """
    plain = {k: v for k, v in overrides.items() if k != AFFINITY_OFF}
    path = str(folder / scenario)
    if not overrides.get(AFFINITY_OFF):
        return load_scenario(path, plain)
    alignment = load_scenario(path).parameters.alignment
    return load_scenario(
        path,
        {
            **plain,
            "parameters.affinity.scale": 0,
            "parameters.alignment.weights.affinity": 0,
            "parameters.alignment.nonaligned_utility": alignment.nonaligned_utility
            - NEUTRAL_AFFINITY * alignment.weights.affinity,
        },
    )


# The runs of one table (section_mechanisms), by what was run: several key numbers read
# the same run (the Syria run in three, the Sino-Soviet series in three), which was run
# again for each, 11 runs a variant for 5 (decision 776). None outside a table: each
# call then runs its own.
_RUNS: dict[tuple[object, ...], Any] | None = None


@contextmanager
def _runs_shared() -> Iterator[None]:
    global _RUNS
    _RUNS = {}
    try:
        yield
    finally:
        _RUNS = None


def _run(folder: Path, scenario: str, overrides: dict[str, object], record: Record) -> Any:
    """One run of ``folder/scenario`` with ``overrides``: its flat summary (``summary``)
    or its series (``series``), once per table."""
    key = (str(folder), scenario, tuple(sorted(overrides.items())), record)
    if _RUNS is not None and key in _RUNS:
        return _RUNS[key]
    output = run_scenario(scenario_of(folder, scenario, overrides), SEED, record)
    value = flatten_summary(output.summary) if record == "summary" else output.series
    if _RUNS is not None:
        _RUNS[key] = value
    return value


def summary(folder: Path, scenario: str, overrides: dict[str, object]) -> dict[str, float | None]:
    """The flat summary of one run of ``folder/scenario`` with ``overrides``."""
    return dict(_run(folder, scenario, overrides, "summary"))


def window(
    folder: Path,
    scenario: str,
    overrides: dict[str, object],
    start: str,
    end: str,
    metric: str = "trust_mean",
) -> dict[tuple[str, str], float]:
    """Mean of series ``metric`` by (group, power) over the steps from ``start`` to ``end``."""
    series = _run(folder, scenario, overrides, "series")
    assert series is not None
    rows = series[(series["metric"] == metric) & series["date"].between(start, end)]
    means = rows.groupby(["group", "power"], as_index=False)["value"].mean()
    return {
        (str(g), str(p)): float(v)
        for g, p, v in means[["group", "power", "value"]].itertuples(index=False)
    }


@dataclass(frozen=True)
class Key:
    """A claim's key difference: its label and how to compute it in one variant."""

    label: str
    compute: Callable[[Path, dict[str, object]], float]


def difference(metric: str, a: str, b: str) -> Callable[[Path, dict[str, object]], float]:
    """Summary ``metric`` in scenario file ``a`` minus ``b``."""

    def compute(folder: Path, overrides: dict[str, object]) -> float:
        va, vb = (summary(folder, s, overrides)[metric] for s in (a, b))
        assert va is not None and vb is not None
        return va - vb

    return compute


def mid_sixties(group: str, b: str) -> Callable[[Path, dict[str, object]], float]:
    """Mean trust in the USSR over 1964-1966 of ``group``, historical minus ``b``."""

    def compute(folder: Path, overrides: dict[str, object]) -> float:
        va, vb = (
            window(folder, s, overrides, "1964-01", "1966-12")[(group, "USSR")]
            for s in ("sino_soviet.yaml", b)
        )
        return va - vb

    return compute


def poles(date: str) -> Callable[[Path, dict[str, object]], float]:
    """The effective number of poles among all states in the historical case, month ``date``."""

    def compute(folder: Path, overrides: dict[str, object]) -> float:
        return window(folder, "sino_soviet.yaml", overrides, date, date, "effective_poles")[
            ("all", "")
        ]

    return compute


KEYS = (
    Key(
        "claim 1: Arab League, Russia, Dec 2026, historical - abstained",
        difference(KEY_METRIC, "syria.yaml", "syria_abstained.yaml"),
    ),
    Key(
        "claim 1: Africa, Russia, Dec 2026, historical - abstained",
        difference("final_trust.Russia.africa", "syria.yaml", "syria_abstained.yaml"),
    ),
    Key(
        "claim 2: PRC, USSR, 1964-1966, historical - neutral_1962",
        mid_sixties("china", "sino_soviet_neutral_1962.yaml"),
    ),
    Key(
        "claim 2: non-aligned, USSR, 1964-1966, historical - neutral_1962",
        mid_sixties("nonaligned", "sino_soviet_neutral_1962.yaml"),
    ),
    Key("claim 2: effective poles, all states, Dec 1972, historical", poles("1972-12")),
    Key(
        "claim 4: Syria, Russia, Dec 2026, russia_first - historical",
        difference("final_trust.Russia.syria", "syria_russia_recognizes_first.yaml", "syria.yaml"),
    ),
)


def section_mechanisms() -> str:
    """The table: one row per key difference, one column per variant."""
    header = ["key number", *(label for label, _, _ in VARIANTS)]
    with _runs_shared():
        rows = [
            [key.label, *(f"{key.compute(folder, ov):+.3f}" for _, folder, ov in VARIANTS)]
            for key in KEYS
        ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return (
        "## Which v2 mechanism moves each claim\n\n"
        f"Each claim's key number at the scenarios' own values, one run per scenario "
        f"(seed {SEED}), under the v1 copies of the scenarios, the shipped v2 scenarios, and "
        "the shipped scenarios with one v2 mechanism switched off. Affinity off sets its scale "
        "and its alignment weight to 0 and lowers the non-aligned utility by what the neutral "
        "affinity added to every power (weight x 0.5), undoing the v2 scenarios' balance "
        "(docs/scenarios.md); otherwise nearly every state would turn non-aligned. The v2 "
        "scenarios also differ from the v1 copies by their relations' stance salience and the "
        "start at rest, which the last column keeps:\n\n" + "\n".join(lines) + "\n\n"
    )
