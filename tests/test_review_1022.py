"""Decision 1022, from an outside check of the link's predicted side (every simulated value
recomputed from model.md and validation.md matched to 6.4e-16): a correlation's legend said
"US Allies Asia (7 members)" of a correlation over 6 states, and nothing named South Korea,
which has no vote in its years."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from tests.test_observed import REAL_VOTES

REPO = Path(__file__).resolve().parent.parent

PATTERNS = """\
name: allies
scenario: {scenario}
link: {{power: USA, rival: USSR, measure: agreement, reference: [1969, 1970], beta: 0.4}}
patterns:
  - id: allies_levels
    role: calibrate
    statistic: correlation
    group: us_allies_asia
    years: [1969, 1971]
    tolerance: 0.5
    source: a test
  - id: allies_change
    role: holdout
    statistic: change
    group: us_allies_asia
    before: [1969, 1971]
    after: [1975, 1977]
    tolerance: 0.05
    source: a test
"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The check of a correlation and a change over the scenario's US allies in Asia, South
    Korea among them (seated in 1991: no vote in any of the patterns' years)."""
    text = (REPO / "scenarios" / "vietnam_usa.yaml").read_text()
    assert "us_allies_asia:" in text and "South Korea" in text
    home = tmp_path_factory.mktemp("allies")
    path = home / "allies.yaml"
    path.write_text(PATTERNS.format(scenario=REPO / "scenarios" / "vietnam_usa.yaml"))
    out = home / "out"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDSIM_VOTES", str(REAL_VOTES))
        assert main(["patterns", "check", str(path), "--reps", "1", "--out", str(out)]) == 0
    return out, (out / "report.md").read_text()


def _members(out: Path) -> int:
    """The group's listed members (7: Japan, South Korea, Taiwan, Australia, New Zealand,
    Thailand, Philippines)."""
    from sim.patterns import load_patterns

    pf = load_patterns(out.parent / "allies.yaml")
    members = pf.base_scenario.outputs.groups["us_allies_asia"].members or []
    assert len(members) == 7 and "South Korea" in members
    return len(members)


def test_a_correlations_states_without_votes_are_named_and_not_counted(
    checked: tuple[Path, str],
) -> None:
    out, report = checked
    listed = _members(out)
    note = (
        "pattern 'allies_levels': South Korea has no vote in its years 1969-1971 (South Korea "
        f"votes in 1991-2020), so the correlation leaves it out (it is over {listed - 1} states)"
    )
    assert note in report
    # The change says it as before: neither side.
    assert "pattern 'allies_change': South Korea has no vote in its years 1969-1977" in report


def test_a_correlations_legend_and_caption_count_the_states_it_is_over(
    checked: tuple[Path, str],
) -> None:
    """Read from the figure: the legend's entries and the caption."""
    from sim.patterns import load_patterns, prepare
    from sim.patterns.check import counted_note, counted_states, group_names

    out, _ = checked
    listed = _members(out)
    pf = load_patterns(out.parent / "allies.yaml")
    prep = prepare(pf, REAL_VOTES)
    pattern = next(p for p in pf.patterns if p.id == "allies_levels")
    assert counted_states(pattern, prep) == {"us_allies_asia": (listed - 1, listed)}
    name = group_names(pf, counted_states(pattern, prep))["us_allies_asia"]
    assert name.endswith(f"({listed - 1} of {listed} members counted)")
    assert counted_note(pattern, prep) == (
        f" Counted, as voting in 1969-1971: 'us_allies_asia' {listed - 1} of its {listed} states."
    )
