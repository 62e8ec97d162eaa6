"""Pattern files: statistics and the link on synthetic series, the API, bad input, the check."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from small_cases import un_members_scenario

from sim.cli import main
from sim.errors import InputError
from sim.patterns import (
    discrepancies,
    load_patterns,
    observed_statistics,
    prepare,
    simulate_statistics,
)
from sim.patterns import link as links
from sim.patterns import statistics as stats
from tests.test_observed import _caption, drawn_figures, real_votes

REPO = Path(__file__).resolve().parent.parent
SYRIA = REPO / "patterns" / "syria.yaml"
SINO = REPO / "patterns" / "sino_soviet.yaml"
NAN = np.nan


# --------------------------------------------------------------------------- statistics


def _unplaced(text: str) -> str:
    """Notes without the file and line they are said at (decision 920), for the tests
    written before that compare the notes' words."""
    return re.sub(r"(?m)^(credsim: note: )\S+?\.ya?ml:\d+: ", r"\1", text)


def _of_scenario(line: str) -> bool:
    """A note said of a shipped scenario file (``validate``'s, which ``patterns check``
    says too since decision 950), not of the pattern file."""
    return line.startswith(f"credsim: note: {REPO / 'scenarios'}")


def test_change_and_did_by_hand() -> None:
    """Group rows [.2 .4 .6 .8] and [.4 nan .8 1.0]: yearly means .3 .4 .7 .9 (the second
    state has no 2001 value); change 2000-01 -> 2002-03 = 0.8 - 0.35 = 0.45. Control
    [.5 .5 .6 .6] changes by 0.1, so the did is 0.35."""
    years = np.arange(2000, 2004)
    group = np.array([[0.2, 0.4, 0.6, 0.8], [0.4, NAN, 0.8, 1.0]])
    control = np.array([[0.5, 0.5, 0.6, 0.6]])
    means = stats.group_mean(group)
    assert means == pytest.approx([0.3, 0.4, 0.7, 0.9])
    assert stats.change(means, years, (2000, 2001), (2002, 2003)) == pytest.approx(0.45)
    did = stats.change(means, years, (2000, 2001), (2002, 2003)) - stats.change(
        stats.group_mean(control), years, (2000, 2001), (2002, 2003)
    )
    assert did == pytest.approx(0.35)


def test_pearson_by_hand() -> None:
    assert stats.pearson(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])) == pytest.approx(1)
    assert stats.pearson(np.array([1.0, 2.0, 3.0, NAN]), np.array([3.0, 2.0, 1.0, 5.0])) == (
        pytest.approx(-1.0)
    )
    # x = (0, 1, 2, 3), y = (0, 1, 1, 0): sums of products of deviations 0 -> r = 0
    assert stats.pearson(np.arange(4.0), np.array([0.0, 1.0, 1.0, 0.0])) == pytest.approx(0.0)
    assert np.isnan(stats.pearson(np.array([1.0, 2.0]), np.array([1.0, 2.0])))


def test_bootstrap_tolerances() -> None:
    """Identical states: every resample gives the same change, so the floor 0.01. Differing
    states: a positive half-width, the same on every call (fixed seed), and never more
    than the range of the states' own changes."""
    years = np.arange(2000, 2004)
    same = np.tile([0.2, 0.2, 0.6, 0.6], (5, 1))
    assert stats.bootstrap_change(same, years, (2000, 2001), (2002, 2003)) == 0.01
    rng = np.random.default_rng(3)
    spread = rng.uniform(0, 1, size=(12, 4))
    first = stats.bootstrap_change(spread, years, (2000, 2001), (2002, 2003))
    assert first == stats.bootstrap_change(spread, years, (2000, 2001), (2002, 2003))
    own = stats.change(spread, years, (2000, 2001), (2002, 2003))
    assert 0.01 < first < (own.max() - own.min())
    did = stats.bootstrap_did(spread, same, years, (2000, 2001), (2002, 2003))
    assert did > 0.01
    assert stats.correlation_tolerance(12) == pytest.approx(1.959964 / 3)


# --------------------------------------------------------------------------- link


def test_a_prediction_outside_the_measures_range_is_said() -> None:
    from sim.patterns.check import out_of_range_note

    assert out_of_range_note(pd.Series([0.2, 0.9, 1.0, 0.0])) == ""
    assert "outside 0-1" in out_of_range_note(pd.Series([0.2, 1.07]))
    assert "outside 0-1" in out_of_range_note(pd.Series([-0.01, 0.5]))


def test_a_prediction_just_past_1_is_said_with_the_digits_that_show_it() -> None:
    """The note said "outside 0-1 here (up to 1.00), beyond the axis" of
    syria_stays_with_russia's prediction (1.0023 at 10 replicates): a value drawn inside
    the axis, which stops at 1.02, and printed as if it were 1."""
    from sim.patterns.check import out_of_range_note

    assert out_of_range_note(pd.Series([0.5, 1.0004])) == (
        " The linear link predicts values outside 0-1 here (up to 1.0004); votes cannot."
    )
    assert out_of_range_note(pd.Series([-0.25, 1.3])) == (
        " The linear link predicts values outside 0-1 here (down to -0.25 and up to 1.30), "
        "beyond the axis (triangles on its edge mark the years); votes cannot."
    )


def test_yearly_gaps_by_hand() -> None:
    """Steps 1-4 in 2000, 2000, 2001, 2001; step 0 holds 9. 1999 (before the calendar)
    takes step 0; 2000 = (1 + 2) / 2; 2001 = (3 + 4) / 2; 2002 (after) is NaN."""
    gaps = np.array([[9.0], [1.0], [2.0], [3.0], [4.0]])
    out = links.yearly_gaps(gaps, np.array([2000, 2000, 2001, 2001]), np.arange(1999, 2003))
    assert out[0, :3] == pytest.approx([9.0, 1.5, 3.5])
    assert np.isnan(out[0, 3])


def test_offsets_by_hand_and_reference_identity() -> None:
    """observed .5 .7 .9, gaps .1 .3 .5, beta .5, reference the first two years:
    alpha = mean(.5 - .05, .7 - .15) = .5, predicted .55 .65 .75."""
    observed = np.array([[0.5, 0.7, 0.9]])
    gaps = np.array([[0.1, 0.3, 0.5]])
    reference = np.array([True, True, False])
    alpha = links.offsets(observed, gaps, 0.5, reference)
    assert alpha == pytest.approx([0.5])
    assert links.predicted(observed, gaps, 0.5, alpha)[0] == pytest.approx([0.55, 0.65, 0.75])


def test_predicted_equals_observed_on_reference_years() -> None:
    """For any series, the offsets make the mean predicted value over each state's
    reference years (where it voted) equal the mean observed one."""
    rng = np.random.default_rng(11)
    observed = rng.uniform(0, 1, size=(6, 10))
    observed[rng.uniform(size=observed.shape) < 0.2] = np.nan
    gaps = rng.normal(size=(6, 10))
    reference = np.zeros(10, dtype=bool)
    reference[2:6] = True
    for beta in (0.0, 0.4, 2.5):
        alpha = links.offsets(observed, gaps, beta, reference)
        pred = links.predicted(observed, gaps, beta, alpha)
        assert np.nanmean(pred[:, reference], axis=1) == pytest.approx(
            np.nanmean(observed[:, reference], axis=1)
        )


def test_propensity_by_hand() -> None:
    """tour.yaml, Client at step 0: trust Patron .7, Rival .2; capability .7, .8; ideology
    .5 against .4 and -.4, distance |d| / 2 = .05, .45; weights 3, 1, 1:
    Patron 2.1 + .7 - .05 = 2.75, Rival .6 + .8 - .45 = .95 (no inertia)."""
    from sim.model import CredibilityModel

    model = CredibilityModel(REPO / "scenarios" / "tour.yaml", rng=0)
    client = model.spec.actor_names.index("Client") - len(model.spec.powers)
    assert model.propensity()[client] == pytest.approx([2.75, 0.95])


def _fake_gaps(monkeypatch: pytest.MonkeyPatch, make: Any) -> None:
    """Every run's propensity gaps replaced by ``make(steps + 1, states)``."""
    monkeypatch.setattr(
        links,
        "propensity_gaps",
        lambda scenario, seed, power, rival, *, engine="mesa": make(
            scenario.calendar.n_steps + 1, len(scenario.states)
        ),
    )


# --------------------------------------------------------------------------- API


def test_zero_gaps_predict_no_change() -> None:
    """With a run function whose gaps are all 0, predicted is each state's reference mean,
    flat: a did over groups that vote every year is exactly 0, a correlation has no spread."""

    def flat(scenario, seed, power, rival):  # type: ignore[no-untyped-def]
        return np.zeros((scenario.calendar.n_steps + 1, len(scenario.states)))

    pf = load_patterns(SYRIA)
    simulated = simulate_statistics(pf, {}, votes=real_votes(), run_fn=flat)
    assert simulated["gulf_no_warming"] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(simulated["initial_conditions"])


def test_rising_gap_predicts_beta_times_rise() -> None:
    """Gaps that rise by 1 a year from 2015 on give every state predicted = offset +
    beta * (year - 2014)+: with beta .2 the change from 2014-2015 to 2016-2019 of a state
    voting every year is .2 * (mean(2,3,4,5) - mean(0,1)) = .2 * 3 = .6."""

    def rising(scenario, seed, power, rival):  # type: ignore[no-untyped-def]
        years = links.step_years(scenario)
        per_step = np.clip(years - 2014, 0, None).astype(float)
        return np.repeat(np.concatenate([[0.0], per_step])[:, None], len(scenario.states), 1)

    pf = load_patterns(SYRIA)
    simulated = simulate_statistics(pf, {"link.beta": 0.2}, votes=real_votes(), run_fn=rising)
    assert simulated["syria_stays_with_russia"] == pytest.approx(0.6)
    assert simulated["gulf_no_warming"] == pytest.approx(0.0, abs=1e-12)


def test_a_link_slope_past_a_floats_range_is_refused_before_any_run() -> None:
    """``--set link.beta=999...9`` (400 digits) raised OverflowError in float() (decision 537)."""

    def never(scenario, seed, power, rival):  # type: ignore[no-untyped-def]
        raise AssertionError("no run may start")

    pf = load_patterns(SYRIA)
    with pytest.raises(InputError) as caught:
        simulate_statistics(pf, {"link.beta": 10**400}, votes=real_votes(), run_fn=never)
    assert str(caught.value) == (
        "override link.beta=1.000e+400 (401 digits): link.beta: must be a number, "
        "got 1.000e+400 (401 digits)"
    )


PATTERN_FILES = sorted((REPO / "patterns").glob("*.yaml"))


@pytest.mark.parametrize("path", PATTERN_FILES, ids=[p.stem for p in PATTERN_FILES])
def test_both_engines_give_the_same_statistics(path: Path) -> None:
    """Every shipped pattern file (v2 scenarios), two replicates, an override: the compiled engine's
    statistics are the Mesa model's within 1e-9 (NaN where the Mesa model's are NaN)."""
    pf = load_patterns(path)
    overrides = {"parameters.trust.negativity_bias": 2.5}
    kwargs = {"beta": 0.3, "reps": 2, "seed": 11, "votes": real_votes()}
    mesa = simulate_statistics(pf, overrides, engine="mesa", **kwargs)  # type: ignore[arg-type]
    fast = simulate_statistics(pf, overrides, engine="fast", **kwargs)  # type: ignore[arg-type]
    assert list(fast) == list(mesa)
    for key, value in mesa.items():
        if np.isnan(value):
            assert np.isnan(fast[key]), key
        else:
            assert fast[key] == pytest.approx(value, abs=1e-9, rel=0), key


def test_observed_statistics_and_discrepancies() -> None:
    pf = load_patterns(SINO)
    observed = observed_statistics(pf, real_votes())
    assert list(observed.columns) == ["role", "observed", "tolerance"]
    assert list(observed.index) == [p.id for p in pf.patterns]
    assert (observed["tolerance"] >= 0.01).all()
    table = discrepancies(observed, dict.fromkeys(observed.index, 1.0))
    first = table.iloc[0]
    assert first["discrepancy"] == pytest.approx((1.0 - first["observed"]) / first["tolerance"])
    assert table["pass"].tolist() == (table["discrepancy"].abs() <= 1).tolist()


def test_prepared_once_per_votes_folder() -> None:
    pf = load_patterns(SINO)
    assert prepare(pf, real_votes()) is prepare(pf, real_votes())


def test_bad_overrides() -> None:
    pf = load_patterns(SYRIA)
    with pytest.raises(InputError, match=r"only link\.beta"):
        simulate_statistics(pf, {"link.power": "USA"}, votes=real_votes())
    with pytest.raises(InputError, match=r"must be >= 0"):
        simulate_statistics(pf, {}, beta=-1.0, votes=real_votes())


# --------------------------------------------------------------------------- bad files

_GOOD = """\
name: tiny
scenario: {scenario}
link: {{power: Russia, rival: USA, measure: split_agreement, reference: [2012, 2014], beta: 0.5}}
groups:
  africa_non_arab: {{members: [Mali, Niger, Nigeria]}}
patterns:
  - id: gulf
    role: calibrate
    statistic: did
    group: gulf
    control: africa_non_arab
    before: [2012, 2014]
    after: [2016, 2019]
    source: a note
"""


def _refused_at_load(path: Path, capsys: pytest.CaptureFixture[str], expected: str) -> None:
    """``validate`` and ``patterns check`` both refuse ``path`` with ``expected`` (exit 2),
    the check before it looks for the votes (it is given a folder that does not exist)."""
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == expected
    novotes = str(path.parent / "no-votes")
    assert main(["patterns", "check", str(path), "--votes", novotes]) == 2
    assert capsys.readouterr().err == expected


def _pattern_file(tmp_path: Path, old: str = "", new: str = "") -> Path:
    text = _GOOD.format(scenario=REPO / "scenarios" / "syria.yaml")
    assert old in text
    path = tmp_path / "p.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    source: a note\n",
            "    source: a note\n    soruce: x\n",
            "p.yaml:15: patterns[0].soruce: unknown field 'soruce'",
        ),
        ("    control: africa_non_arab\n", "", "a did needs a 'control' group"),
        (
            "    before: [2012, 2014]\n",
            "",
            "p.yaml:7: patterns[0]: a did takes 'before' and 'after'; 'before' is missing",
        ),
        ("before: [2012, 2014]", "years: [2012, 2014]", "a did takes 'before' and 'after', not"),
        (
            "    before: [2012, 2014]\n    after: [2016, 2019]\n",
            "",
            "a did takes 'before' and 'after'; 'before' and 'after' are missing",
        ),
        (
            "    statistic: did\n    group: gulf\n    control: africa_non_arab\n"
            "    before: [2012, 2014]\n    after: [2016, 2019]\n",
            "    statistic: correlation\n    group: gulf\n",
            "a correlation takes 'years: [first, last]'; 'years' is missing",
        ),
        (
            "group: gulf\n",
            "group: golf\n",
            "p.yaml:10: patterns[0].group: unknown group 'golf'; groups are: africa, "
            "africa_non_arab, africa_partners, all, arab_league, brics, csto, gulf, levant, syria "
            "(did you mean 'gulf'?)",
        ),
        ("power: Russia", "power: Rusia", "link.power: unknown power 'Rusia'"),
        (
            "rival: USA",
            "rival: Syria",
            "link.rival: 'Syria' is a state of scenario 'syria'; rival must be a power",
        ),
        ("[Mali, Niger, Nigeria]", "[Mali, Nigerr]", "p.yaml:5: groups.africa_non_arab.members[1]"),
        # One power under two names (the built-in alias USSR -> Russia) was a traceback.
        (
            "rival: USA",
            "rival: USSR",
            "p.yaml:3: link.rival: 'USSR' and 'Russia' are both the power 'Russia' of "
            "scenario 'syria'; power and rival must differ",
        ),
        (
            "power: Russia, rival: USA",
            "power: USSR, rival: Russia",
            "p.yaml:3: link.rival: 'Russia' and 'USSR' are both the power 'Russia'",
        ),
        ("statistic: did", "statistic: ratio", "patterns[0].statistic: must be one of"),
        ("before: [2012, 2014]", "before: [2014, 2012]", "'before' ends (2012) before it"),
        # Same windows: the did is 0 on both sides, a pass that tests nothing.
        (
            "after: [2016, 2019]",
            "after: [2012, 2014]",
            "p.yaml:7: patterns[0]: 'before' and 'after' are the same years [2012, 2014], so "
            "the did is 0 whatever the votes and the model",
        ),
        ("beta: 0.5", "beta: -1", "link.beta: must be >= 0"),
        (
            "    source: a note\n",
            "    tolerance: -1\n    source: a note\n",
            "p.yaml:14: patterns[0].tolerance: must be a number above 0 or 'bootstrap', got -1",
        ),
        (
            "    source: a note\n",
            "    tolerance:\n    source: a note\n",
            "p.yaml:14: patterns[0].tolerance: must be a number above 0 or 'bootstrap', "
            "got null (no value)",
        ),
        (
            "[Mali, Niger, Nigeria]",
            "[Mali, Russia]",
            "p.yaml:5: groups.africa_non_arab.members[1]: 'Russia' is a power of scenario "
            "'syria'; a group's members are states",
        ),
        # A state listed twice weighed once in the group's mean, without a word (an audit);
        # under two of its names too.
        (
            "[Mali, Niger, Nigeria]",
            "[Mali, Niger, Mali]",
            "p.yaml:5: groups.africa_non_arab.members[2]: 'Mali' is listed twice in group "
            "'africa_non_arab' (also members[0]); list each member once",
        ),
        (
            "[Mali, Niger, Nigeria]",
            "[UAE, Niger, United Arab Emirates]",
            "p.yaml:5: groups.africa_non_arab.members[2]: 'United Arab Emirates' is listed "
            "twice in group 'africa_non_arab' (also members[0] as 'UAE'; both are the state "
            "'UAE'); list each member once",
        ),
        (
            "control: africa_non_arab",
            "control: gulf",
            "p.yaml:11: patterns[0].control: the control is the pattern's own group 'gulf', "
            "so the difference in differences is always 0",
        ),
    ],
)
def test_bad_pattern_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    path = _pattern_file(tmp_path, old, new)
    out = tmp_path / "out"
    # The file is checked before the votes are read: no vote data is needed here.
    novotes = str(tmp_path / "no-votes")
    code = main(["patterns", "check", str(path), "--out", str(out), "--votes", novotes])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert expected in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # The shared vote data's last roll calls are of January 2020 (its README).
        (
            "after: [2016, 2019]",
            "after: [2021, 2023]",
            "p.yaml:13: patterns[0].after: pattern 'gulf': in its after years 2021-2023, the "
            "vote data has no roll call in 2021-2023 (it has roll calls in 1946-1963 and "
            "1965-2020)",
        ),
        (
            "reference: [2012, 2014]",
            "reference: [2021, 2023]",
            "p.yaml:3: link.reference: the vote data has no roll call in 2021-2023 (it has "
            "roll calls in 1946-1963 and 1965-2020)",
        ),
    ],
)
def test_windows_beyond_the_vote_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    """A window the vote data does not reach is named, with the years the data has, at its
    line (it was ``patterns.gulf``, without a line: found after loading, from the votes)."""
    path = _pattern_file(tmp_path, old, new)
    out = tmp_path / "out"
    code = main(["patterns", "check", str(path), "--out", str(out), "--votes", str(real_votes())])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert expected in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "after: [2016, 2019]",
            "after: [2021, 2023]",
            "p.yaml:13: patterns[0].after: pattern 'gulf': in its after years 2021-2023, the "
            "vote data has no roll call in 2021-2023",
        ),
        (
            "reference: [2012, 2014]",
            "reference: [2021, 2023]",
            "p.yaml:3: link.reference: the vote data has no roll call in 2021-2023",
        ),
    ],
    ids=["window", "reference"],
)
def test_validate_given_the_votes_refuses_a_window_without_them(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    old: str,
    new: str,
    expected: str,
) -> None:
    """``validate`` passed a pattern file whose windows the votes do not reach, which
    ``patterns check`` and ``calibrate`` then refused (decision 563). Given the votes, by
    ``--votes`` or ``$CREDSIM_VOTES``, it refuses it in the same line; without them it
    passes the file and says on stderr that the windows were not checked."""
    path = _pattern_file(tmp_path, old, new)
    assert main(["validate", str(path), "--votes", str(real_votes())]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and expected in err
    monkeypatch.setenv("CREDSIM_VOTES", str(real_votes()))
    assert main(["validate", str(path)]) == 2
    assert capsys.readouterr().err == err
    monkeypatch.delenv("CREDSIM_VOTES")
    assert main(["validate", str(path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"ok: {path}: pattern file ")
    # The pattern file's notes; its scenario file's (decision 955) are tested elsewhere.
    assert [ln for ln in err.splitlines() if not _of_scenario(ln)] == [
        "credsim: note: the windows were not checked against the UN votes; give --votes DIR "
        "or set CREDSIM_VOTES to check them"
    ]


def test_validate_given_the_votes_counts_what_it_took_and_notes_what_they_leave_out(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The shipped Sino-Soviet file passes with the votes: its five observed statistics are
    counted, and its windows over 1964, which has no roll call (validation.md), are
    noted as ``patterns check`` notes them. A scenario is not checked against votes."""
    path = REPO / "patterns" / "sino_soviet.yaml"
    votes = real_votes()
    assert main(["validate", str(path), "--votes", str(votes)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1] == (
        f"  votes: 5 observed statistics taken from the votes in {votes} (each window has "
        "votes in at least one of its years)"
    )
    # At the pattern's line in the file (decision 920).
    line = 1 + path.read_text().splitlines().index("  - id: albania_after_split")
    assert (
        f"credsim: note: {path}:{line}: pattern 'albania_after_split': its after years "
        "1962-1966 have no roll call in 1964" in err
    )
    # An experiment's scenario files are looked up as `validate` of each looks it up
    # (decision 947; it was refused with --votes, and passed a scenario whose names
    # `validate` of the scenario refused).
    experiment = REPO / "experiments" / "syria_withdrawal.yaml"
    assert main(["validate", str(experiment), "--votes", str(votes)]) == 0
    lines = capsys.readouterr().out.splitlines()
    scenarios = REPO / "scenarios"
    assert lines[1:] == [
        f"  votes, {scenarios / name}: 39 of 39 actors found in the votes in {votes}"
        for name in ("syria.yaml", "syria_sustained.yaml", "syria_abstained.yaml")
    ]


def _without_closing_notes(err: str) -> str:
    """``validate``'s stderr without its note of closing events with nothing to close."""
    return "".join(
        line for line in err.splitlines(keepends=True) if " with no commitment open " not in line
    )


def test_validate_counts_actors_not_in_the_votes_without_searching_their_spellings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An outside check (decision 812): `validate` of a drawn scenario of 10,000 states,
    none of them in the votes, took 10 s against 1 s without the votes: each actor the
    data lacks was looked up through the error that names close spellings, twice, only
    to be counted. Counted actors are now looked up without it (no spelling search);
    what is said is unchanged, the count with its thousands separated."""
    import difflib

    from sim.cli import main

    searched: list[str] = []
    original = difflib.get_close_matches

    def counted(word: str, *args: object, **kwargs: object) -> list[str]:
        searched.append(word)
        return original(word, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(difflib, "get_close_matches", counted)
    synth = tmp_path / "s.yaml"
    assert main(["synth", "--states", "1200", "--powers", "2", "--out", str(synth)]) == 0
    capsys.readouterr()
    assert main(["validate", str(synth), "--votes", str(real_votes())]) == 0
    out, err = capsys.readouterr()
    assert searched == []
    assert out.splitlines()[-1].endswith("; 1,202 not found (noted)")
    assert "(1202 in all) are in the UN votes by neither their own name" in err


def test_validate_given_the_votes_looks_a_scenarios_actors_up_in_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decision 578, from an audit's new case: a misspelt UN name in a scenario's
    observed.names ('Untied Kingdom') passed `validate` and `run`, and `patterns check`
    then refused it naming the pattern file without a line. With the votes, `validate`
    looks every actor up as `patterns check` does: the misspelt name is refused at its
    line of the scenario file; an actor the data has under no name is noted; the counts
    are summed up. `patterns check` and `observe` place the error in the scenario file."""
    votes = real_votes()
    scenario = REPO / "scenarios" / "sino_soviet.yaml"
    assert main(["validate", str(scenario), "--votes", str(votes)]) == 0
    out, err = capsys.readouterr()
    # Its two actors mapped to null (North Vietnam and the PRG have no seat) are counted.
    assert out.splitlines()[-1] == (
        f"  votes: 36 of 38 actors found in the votes in {votes}; 2 actors without a seat (null)"
    )
    # Only the note of its withdrawals with no commitment to close (decision 702's stumble)
    # and that of its North Korea-South Korea relation, which no event reads (true: the
    # runs with and without it are the same).
    unread = [ln for ln in err.splitlines() if " are read by no event: " in ln]
    assert len(unread) == 1 and "towards North Korea and South Korea (1 relation: " in unread[0]
    assert _without_closing_notes(err).replace(unread[0] + "\n", "") == ""
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {REPO / 'scenarios' / 'syria.yaml'}\nname: child\nstates:\n"
        "  Irak: {region: levant}\nobserved:\n  names:\n    Turkey: Turkiye\n"
    )
    assert main(["validate", str(child), "--votes", str(votes)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert _without_closing_notes(err).startswith(
        f"credsim: error: {child}:7: observed.names.Turkey: 'Turkiye' is no country of the UN "
        "vote data, which calls it 'Turkey'"  # an alias since decision 835: the data's name
    )
    child.write_text(child.read_text().replace("Turkiye", "Turkey"))
    assert main(["validate", str(child), "--votes", str(votes)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == (
        f"  votes: 39 of 40 actors found in the votes in {votes}; 1 not found (noted)"
    )
    assert _without_closing_notes(err) == (
        "credsim: note: Irak is in the UN votes by neither its own name, a known alias nor "
        "observed.names; a pattern group holding it is refused: map it in observed.names "
        '({Actor: "UN name"}, or null for an actor without a seat)\n'
    )
    # Without votes, nothing is looked up.
    monkeypatch.delenv("CREDSIM_VOTES", raising=False)
    assert main(["validate", str(child)]) == 0
    assert "  votes:" not in capsys.readouterr().out
    # patterns check and observe name the scenario's line, not the pattern file: a state
    # that is in the data under no name (at its entry), and a misspelt UN name.
    patterns = tmp_path / "p.yaml"
    patterns.write_text(
        (REPO / "patterns" / "syria.yaml")
        .read_text()
        .replace("scenario: ../scenarios/syria.yaml", "scenario: child.yaml")
    )
    assert "scenario: child.yaml" in patterns.read_text()
    argv = ["patterns", "check", str(patterns), "--votes", str(votes), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"credsim: error: {child}:4: states.Irak: 'Irak' is no country ")
    assert err.endswith(f"(in the scenario of pattern file {patterns})\n")
    child.write_text(
        f"extends: {REPO / 'scenarios' / 'syria.yaml'}\nname: child\nobserved:\n  names:\n"
        "    Saudi Arabia: Saudi Arabya\n"
    )
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"credsim: error: {child}:5: observed.names.Saudi Arabia: 'Saudi Arabya' is no country"
    )
    assert err.endswith(f"(in the scenario of pattern file {patterns})\n")
    argv = ["observe", "--scenario", str(child), "--power", "Russia", "--votes", str(votes)]
    assert main([*argv, "--out", str(tmp_path / "o.csv")]) == 2
    assert capsys.readouterr().err.startswith(
        f"credsim: error: {child}:5: observed.names.Saudi Arabia: 'Saudi Arabya' is no country"
    )


def test_a_did_wholly_before_the_calendar_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Syria calendar's first simulated year is 2014 (scenarios/syria.yaml): years
    before it all take the initial state's gap (decision 38), so a did of 2008-2009
    against 2011-2012 simulated 0 whatever the parameters and was accepted. An after
    window that reaches 2014 has a simulated year and loads."""
    path = _pattern_file(tmp_path, "before: [2012, 2014]", "before: [2008, 2009]")
    path.write_text(path.read_text().replace("after: [2016, 2019]", "after: [2011, 2012]"))
    expected = (
        f"credsim: error: {path}:13: patterns[0].after: pattern 'gulf': its before (2008-2009) "
        "and after (2011-2012) years all precede the scenario's calendar (2014 to 2026), where "
        "the model predicts only its initial state, so the did cannot move whatever the "
        "parameters; let its after years reach 2014 or later\n"
    )
    _refused_at_load(path, capsys, expected)
    path.write_text(path.read_text().replace("after: [2011, 2012]", "after: [2012, 2014]"))
    assert load_patterns(path).patterns[0].after == (2012, 2014)


@pytest.mark.parametrize(
    ("group", "why"),
    [
        ("{members: []}", "its members list is empty"),
        ("{bloc: nato}", "only powers have bloc 'nato': USA, Turkey, France"),
        ("{region: levant, bloc: brics}", "no state meets all of its selectors"),
    ],
)
def test_a_group_without_a_state_is_refused_at_load_by_validate_and_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], group: str, why: str
) -> None:
    """validate passed these and patterns check refused them after reading the votes,
    at the pattern; both now refuse them at load, at the group's own line."""
    path = _pattern_file(tmp_path, "{members: [Mali, Niger, Nigeria]}", group)
    expected = (
        f"credsim: error: {path}:5: groups.africa_non_arab: group 'africa_non_arab' holds no "
        f"state of scenario 'syria' ({why}); a pattern compares states' votes, so give it at "
        "least one state\n"
    )
    _refused_at_load(path, capsys, expected)


def test_a_quoted_tolerance_is_the_number_it_spells(tmp_path: Path) -> None:
    """`tolerance: "0.05"` was refused ("got '0.05'") where every other number of the file
    takes a quoted plain number as the number (decision 402; an outside check, decision
    889). A quoted word is still refused."""
    path = _pattern_file(
        tmp_path, "    source: a note\n", '    tolerance: "0.05"\n    source: a note\n'
    )
    assert load_patterns(path).patterns[0].tolerance == 0.05
    bad = _pattern_file(
        tmp_path, "    source: a note\n", '    tolerance: "wide"\n    source: a note\n'
    )
    with pytest.raises(InputError, match="must be a number above 0 or 'bootstrap', got 'wide'"):
        load_patterns(bad)


def test_a_group_set_on_the_command_line_is_the_group_both_sides_compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`patterns check --set outputs.groups.gulf={members: [...]}` ran, and the observed
    and simulated values were still those of the file's gulf, without a word (an outside
    check, decision 889). The check now compares the group the override gives: the same
    numbers as a file whose own group holds those states (the run is the same: a group is
    an output only). ``validate --set`` refuses a group the override leaves without a
    state, as at load."""
    pair = "[Saudi Arabia, Qatar]"
    overridden = _pattern_file(tmp_path)
    own = tmp_path / "own.yaml"
    own.write_text(
        overridden.read_text()
        .replace("groups:\n", f"groups:\n  pair: {{members: {pair}}}\n")
        .replace("group: gulf", "group: pair")
    )
    votes = str(real_votes())
    tables = []
    for path, extra in ((overridden, ["--set", f"outputs.groups.gulf={{members: {pair}}}"]),
                        (own, []), (overridden, [])):  # fmt: skip
        out = tmp_path / f"out{len(tables)}"
        argv = ["patterns", "check", str(path), "--reps", "1", "--votes", votes, "--out", str(out)]
        assert main([*argv, *extra]) == 0
        tables.append(pd.read_csv(out / "patterns.csv").set_index("id").loc["gulf"])
    capsys.readouterr()
    given, mine, file_own = tables
    for column in ("observed", "simulated", "tolerance"):
        assert given[column] == mine[column], column
    assert given["observed"] != file_own["observed"]  # the override changed the group
    argv = ["validate", str(overridden), "--set", "outputs.groups.gulf={members: [Russia]}"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"credsim: error: {overridden}:10: patterns[0].group: group 'gulf'")
    assert err.endswith(
        "(the scenario as --set outputs.groups.gulf={members: [Russia]} gives it)\n"
    )


def test_a_group_set_that_no_pattern_reads_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """README's example set ``outputs.groups.gulf`` on ``patterns/syria.yaml``, whose
    patterns read ``gulf_monarchies``: the table came out as without it, without a word
    (an outside check, decision 893). A note says so now, and the table is unchanged; a
    group a pattern reads is not noted."""
    path = _pattern_file(tmp_path)  # its one pattern reads gulf, against africa_non_arab
    votes = str(real_votes())
    tables, errs = [], []
    for extra in (["--set", "outputs.groups.arab_league={members: [Saudi Arabia, Qatar]}"], []):
        out = tmp_path / f"out{len(tables)}"
        argv = ["patterns", "check", str(path), "--reps", "1", "--votes", votes, "--out", str(out)]
        assert main([*argv, *extra]) == 0
        tables.append(pd.read_csv(out / "patterns.csv"))
        errs.append(capsys.readouterr().err)
    pd.testing.assert_frame_equal(tables[0], tables[1])
    note = (
        f"credsim: note: --set outputs.groups.arab_league: no pattern of {path} reads group "
        "'arab_league' (they read africa_non_arab, gulf), so it changes nothing the check "
        "compares\n"
    )
    assert note in errs[0], errs[0]
    assert "changes nothing the check compares" not in errs[1]
    assert (
        note.removeprefix("credsim: note: ").strip()
        in (tmp_path / "out0" / "report.md").read_text()
    )
    argv = ["patterns", "check", str(path), "--reps", "1", "--votes", votes]
    read = ["--set", "outputs.groups.gulf={members: [Saudi Arabia, Qatar]}"]
    assert main([*argv, "--out", str(tmp_path / "out2"), *read]) == 0
    assert "changes nothing the check compares" not in capsys.readouterr().err


def test_a_scenario_group_of_powers_only_is_refused_at_the_pattern(tmp_path: Path) -> None:
    """A scenario's group may name powers; a pattern comparing it has no state to average."""
    mini = Path(__file__).parent / "data" / "scenarios" / "mini.yaml"
    scenario = tmp_path / "mini.yaml"
    scenario.write_text(
        mini.read_text().replace("{groups: {", "{groups: {west: {members: [USA]}, ")
    )
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: west\nscenario: {scenario}\n"
        "link: {power: Russia, rival: USA, measure: agreement, reference: [2014, 2014], beta: 1}\n"
        "patterns:\n  - {id: w, role: calibrate, statistic: change, group: west,\n"
        "     before: [2014, 2014], after: [2015, 2016], source: s}\n"
    )
    with pytest.raises(InputError) as info:
        load_patterns(path)
    assert str(info.value) == (
        f"{path}:5: patterns[0].group: group 'west' of scenario 'mini' holds no state; "
        "a pattern compares states' votes"
    )


def test_two_actors_on_one_seat_through_the_alias_table_are_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The link gave the country's votes to the later of two actors that the alias table
    puts on one seat (UAE and United Arab Emirates) and left the other with none: its
    observed row all NaN, no offset, no prediction, without a word (decision 722).
    `patterns check` and a calibration on the file are refused at the scenario's entry,
    naming both, before anything is run or written."""
    mini = Path(__file__).parent / "data" / "scenarios" / "mini.yaml"
    jordan = "  Jordan: {region: levant, blocs: [arab_league], ideology: -0.1, aligned: USA}\n"
    scenario = tmp_path / "mini.yaml"
    scenario.write_text(
        mini.read_text().replace(
            jordan,
            jordan + "  UAE: {region: gulf, blocs: [arab_league]}\n"
            "  United Arab Emirates: {region: gulf, blocs: [arab_league]}\n",
        )
    )
    path = tmp_path / "p.yaml"
    path.write_text(
        f"name: gulf\nscenario: {scenario}\n"
        "link: {power: Russia, rival: USA, measure: agreement, reference: [2014, 2014], beta: 1}\n"
        "patterns:\n  - {id: a, role: calibrate, statistic: change, group: arab_league,\n"
        "     before: [2014, 2014], after: [2015, 2016], source: s}\n"
    )
    expected = (
        f"credsim: error: {scenario}:9: states.UAE: 'UAE' is United Arab Emirates in the vote "
        "data through the built-in alias table (UAE -> United Arab Emirates), as is the actor "
        "'United Arab Emirates' (states.United Arab Emirates), who votes under its own name: "
        "two actors cannot share one seat in the vote data; map one of the two in "
        "observed.names to its own country, or to null if it has no seat of its own (e.g. "
        "observed: {names: {United Arab Emirates: null}}) (in the scenario of pattern file "
        f"{path})\n"
    )
    votes = str(real_votes())
    out = tmp_path / "out"
    assert main(["patterns", "check", str(path), "--out", str(out), "--votes", votes]) == 2
    assert capsys.readouterr().err == expected
    calibration = tmp_path / "cal.yaml"
    calibration.write_text(
        "name: gulf\npatterns: [p.yaml]\nparameters: {link.beta: {low: 0, high: 2}}\n"
        "population: 10\nmax_simulations: 20\nseed: 1\n"
    )
    assert main(["calibrate", str(calibration), "--out", str(out), "--votes", votes]) == 2
    assert capsys.readouterr().err == expected
    assert not out.exists()


def _albania_file(tmp_path: Path, power: str, reference: str, before: str, after: str) -> Path:
    """A Sino-Soviet pattern file: Albania's agreement with ``power`` (against the USSR)."""
    path = tmp_path / "albania.yaml"
    path.write_text(
        f"name: albania\nscenario: {REPO / 'scenarios' / 'sino_soviet.yaml'}\n"
        f"link: {{power: {power}, rival: USSR, measure: agreement, "
        f"reference: {reference}, beta: 0.5}}\n"
        "patterns:\n  - {id: albania_to_prc, role: calibrate, statistic: change, "
        f"group: albania,\n     before: {before}, after: {after}, source: s}}\n"
    )
    return path


@pytest.mark.parametrize(
    ("power", "reference", "before", "after", "expected"),
    [
        (
            "PRC",
            "[1957, 1959]",
            "[1957, 1959]",
            "[1962, 1965]",
            "link.reference: the link's power PRC (China in the vote data) has no votes in "
            "1957-1959; it votes in 1971-2020",
        ),
        (
            "PRC",
            "[1971, 1972]",
            "[1968, 1970]",
            "[1971, 1972]",
            "albania.yaml:6: patterns[0].before: pattern 'albania_to_prc': in its before years "
            "1968-1970, "
            "the link's power PRC (China in the vote data) has no votes in 1968-1970; it "
            "votes in 1971-2020",
        ),
        (
            "USA",
            "[1963, 1965]",
            "[1964, 1964]",
            "[1965, 1966]",
            "pattern 'albania_to_prc': in its before years 1964, the vote data has no roll "
            "call in 1964 (it has roll calls in 1946-1963 and 1965-2020)",
        ),
    ],
    ids=["prc-reference", "prc-window", "1964"],
)
def test_a_link_power_or_a_year_without_votes_is_named_with_the_years_there_are(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    power: str,
    reference: str,
    before: str,
    after: str,
    expected: str,
) -> None:
    """validation.md: the PRC votes from late 1971 only; there are no votes in 1964. The
    PRC's silence was blamed on the groups' states ("no state ... has votes in 1957-1959")
    and 1964's on the group, with the data's years 1946-2020."""
    path = _albania_file(tmp_path, power, reference, before, after)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes())]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err


def test_a_correlation_whose_power_has_no_votes_names_the_power(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A correlation of 1965-1967 against the PRC said the group "has 0 state(s) with votes";
    the PRC, which votes from 1971, is named (and the window is "its years", not "its years
    years")."""
    path = tmp_path / "corr.yaml"
    path.write_text(
        f"name: corr\nscenario: {REPO / 'scenarios' / 'sino_soviet.yaml'}\n"
        "link: {power: PRC, rival: USSR, measure: agreement, reference: [1971, 1972], "
        "beta: 0.5}\n"
        "patterns:\n  - {id: corr, role: calibrate, statistic: correlation, "
        "group: nonaligned,\n     years: [1965, 1967], tolerance: 0.1, source: s}\n"
    )
    argv = ["patterns", "check", str(path), "--votes", str(real_votes())]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.endswith(
        "corr.yaml:6: patterns[0].years: pattern 'corr': in its years 1965-1967, the link's "
        "power PRC (China "
        "in the vote data) has no votes in 1965-1967; it votes in 1971-2020\n"
    )


def _gulf_correlation_check(tmp_path: Path, tolerance: str) -> list[str]:
    """``patterns check`` of one held-out correlation over Syria's gulf states, 2010-2014,
    at ``tolerance``, on one replicate (the arguments, without ``--out``)."""
    path = tmp_path / "corr.yaml"
    path.write_text(
        f"name: corr\nscenario: {REPO / 'scenarios' / 'syria.yaml'}\n"
        "link: {power: Russia, rival: USA, measure: split_agreement, reference: [2012, 2014], "
        "beta: 0.5}\n"
        "patterns:\n  - {id: c_gulf, role: holdout, statistic: correlation, group: gulf, "
        f"years: [2010, 2014], tolerance: {tolerance}, source: s}}\n"
    )
    return ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]


@pytest.mark.parametrize(
    ("tolerance", "noted"), [("bootstrap", True), ("0.1", False), ("0.7", True)]
)
def test_a_correlation_over_few_states_is_noted_as_testing_little(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tolerance: str, noted: bool
) -> None:
    """Syria's gulf group has 7 states with votes in 2010-2014: the bootstrap tolerance
    1.96 / sqrt(7 - 3) = 0.98 passes any r above 0.02 (decision 480); a numeric one
    that is not loose gets no note, and a loose numeric one is told to be smaller, not
    numeric (an outside check, decision 826)."""
    argv = _gulf_correlation_check(tmp_path, tolerance)
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    note = (
        "pattern 'c_gulf': a correlation passes at r >= 0.02 (its bootstrap tolerance "
        "1.96/sqrt(n - 3) for its few states is 0.98), so it tests little; a larger group or "
        "a numeric tolerance tests more"
        if tolerance == "bootstrap"
        else f"pattern 'c_gulf': a correlation passes at r >= {1 - float(tolerance):.2f} (its "
        f"tolerance is {float(tolerance):.2f}), so it tests little; a larger group or a "
        "smaller tolerance tests more"
    )
    assert (note in err) is noted


def test_an_undefined_simulated_correlation_is_said_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the alignment weights of trust, ideology and affinity at 0 every state's
    utility gap is the powers' capability term, the same for all, so r has no spread: the
    table showed NaN and a failed pattern without a word (an outside check, decision
    826)."""
    weights = [f"parameters.alignment.weights.{w}=0" for w in ("trust", "ideology", "affinity")]
    argv = _gulf_correlation_check(tmp_path, "0.1")
    sets = [x for w in weights for x in ("--set", w)]
    assert main([*argv, *sets, "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert "NaN" in out
    note = (
        "credsim: note: pattern 'c_gulf': its simulated value is undefined (NaN): every state "
        "of its group has the same mean propensity gap"
    )
    assert note in err
    assert "its simulated value is undefined" in (tmp_path / "out" / "report.md").read_text()
    # With the weights as the scenario has them, r is defined and nothing is said.
    assert main([*argv, "--out", str(tmp_path / "out2")]) == 0
    assert "undefined" not in capsys.readouterr().err


def test_a_correlation_figure_draws_the_states_it_correlates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A correlation's figure showed only the group's yearly means, which said nothing of
    the statistic (an audit: observed and predicted nearly overlap while r = 0.38 fails).
    Below the series it now draws each state's mean gap against its mean observed value,
    r in the title (the table's), every state named (the gulf has 7)."""
    # Each state's gap is its column among the scenario's states, at every step.
    _fake_gaps(monkeypatch, lambda steps, states: np.outer(np.ones(steps), np.arange(states) * 1.0))
    figures = drawn_figures(monkeypatch)
    path = tmp_path / "corr.yaml"
    path.write_text(
        f"name: corr\nscenario: {REPO / 'scenarios' / 'syria.yaml'}\n"
        "link: {power: Russia, rival: USA, measure: split_agreement, reference: [2012, 2014], "
        "beta: 0.5}\n"
        "patterns:\n  - {id: c_gulf, role: holdout, statistic: correlation, group: gulf, "
        "years: [2010, 2014], tolerance: 0.3, source: s}\n"
    )
    out = tmp_path / "out"
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(out)]) == 0
    (fig,) = figures
    series, scatter = (ax for ax in fig.axes if ax.axison)
    assert series.get_xlabel() == "Year"
    points = np.asarray(scatter.collections[0].get_offsets(), dtype=float)
    assert len(points) == 7  # the gulf's states with votes in 2010-2014 (decision 480)
    # Each state's gap is its column among the scenario's states (the fake above).
    assert len(set(points[:, 0])) == 7 and (points[:, 0] == np.round(points[:, 0])).all()
    simulated = pd.read_csv(out / "patterns.csv").set_index("id").loc["c_gulf", "simulated"]
    assert f"r = {simulated:.2f}" in scatter.get_title(loc="left")
    assert stats.pearson(points[:, 0], points[:, 1]) == pytest.approx(simulated, abs=1e-12)
    assert len([t for t in scatter.texts if t.get_text()]) == 7
    assert scatter.get_xlabel() == "Propensity gap in the model, Russia minus the USA (mean)"


@pytest.mark.parametrize(
    ("window", "span"), [("[2010, 2014]", "2010-2013"), ("[2014, 2015]", None)]
)
def test_a_figure_says_its_predictions_before_the_calendar_are_the_initial_states(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window: str, span: str | None
) -> None:
    """Syria's calendar starts in 2014; a window from 2010 drew a flat predicted line
    for 2010-2013 with nothing saying why (an audit of the figures): those years take
    the initial state (decision 38). The caption now says so, and only then (here the
    before window and the link's reference years are both ``window``)."""
    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    figures = drawn_figures(monkeypatch)
    path = _pattern_file(tmp_path)
    path.write_text(path.read_text().replace("[2012, 2014]", window))
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    caption = _caption(figures[0])
    if span is None:
        assert "before the scenario's calendar" not in caption
    else:
        assert caption.endswith(
            f"Predictions in {span}, before the scenario's calendar, are its initial "
            "state's (flat by construction)."
        )


def test_a_figure_of_an_overridden_scenario_says_its_overrides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pattern's figure under ``--set`` gave no sign of it but its legend (an outside
    check's left item, decision 894): a figure taken into a paper could not be told from
    the file's own. Its caption ends with the overrides, as typed; without them it does
    not name any."""
    path = _pattern_file(tmp_path)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    sets = ["--set", "parameters.trust.memory=0.9", "--set", "outputs.groups.gulf.bloc=gcc"]
    captions = []
    for extra in (sets, []):
        figures = drawn_figures(monkeypatch)
        assert main([*argv, "--out", str(tmp_path / f"out{len(captions)}"), *extra]) == 0
        captions.append(_caption(figures[0]))
    assert captions[0].endswith(
        "Run with --set parameters.trust.memory=0.9 --set outputs.groups.gulf.bloc=gcc."
    ), captions[0]
    assert "Run with" not in captions[1]


def test_un_names_in_pattern_files(tmp_path: Path) -> None:
    """A pattern file may name actors by their UN names: they become the scenario's."""
    path = _pattern_file(tmp_path, "rival: USA", "rival: United States")
    path.write_text(
        path.read_text().replace("[Mali, Niger, Nigeria]", "[Mali, United Arab Emirates]")
    )
    pf = load_patterns(path)
    assert pf.link.rival == "USA"
    assert pf.groups["africa_non_arab"].members == ["Mali", "UAE"]


def test_missing_scenario(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(_GOOD.format(scenario="../nowhere.yaml"))
    with pytest.raises(InputError, match=r"p.yaml:2: scenario: file '../nowhere.yaml' does not"):
        load_patterns(path)


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        ("folder", "p.yaml:2: scenario: 'folder' is a folder, not a scenario file (looked for"),
        (
            str(REPO / "calibrations" / "joint.yaml"),
            "p.yaml:2: scenario: '{named}' is a calibration file, not a scenario (looked for",
        ),
        (str(SYRIA), "p.yaml:2: scenario: '{named}' is a pattern file, not a scenario"),
        (
            "broken.yaml",
            "broken.yaml:10: events.intervention.magnitude: must be >= 0, got -3 (in the "
            "scenario of pattern file {pattern_file})",
        ),
    ],
    ids=["folder", "calibration", "pattern", "broken"],
)
def test_a_scenario_that_is_no_scenario_file_is_said_so_at_the_scenario_field(
    tmp_path: Path, named: str, expected: str
) -> None:
    """A folder said "does not exist"; a calibration file was read as a scenario and its
    fields reported without naming the pattern file that pointed at it."""
    (tmp_path / "folder").mkdir()
    mini = Path(__file__).parent / "data" / "scenarios" / "mini.yaml"
    (tmp_path / "broken.yaml").write_text(
        mini.read_text().replace("magnitude: 3.0", "magnitude: -3")
    )
    path = tmp_path / "p.yaml"
    path.write_text(_GOOD.format(scenario=named))
    with pytest.raises(InputError) as info:
        load_patterns(path)
    assert expected.format(named=named, pattern_file=path) in str(info.value)


def test_a_pattern_file_reached_through_a_linked_folder_finds_its_own_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``link/../scenarios/syria.yaml`` is the link's target's sibling, not ./scenarios: the
    path was shortened before it was opened, so a file of the same name here was read."""
    real = tmp_path / "real"
    (real / "patterns").mkdir(parents=True)
    (real / "scenarios").mkdir()
    (real / "patterns" / "syria.yaml").write_text(SYRIA.read_text())
    (real / "scenarios" / "syria.yaml").write_text((REPO / "scenarios" / "syria.yaml").read_text())
    work = tmp_path / "work"
    (work / "scenarios").mkdir(parents=True)
    (work / "scenarios" / "syria.yaml").write_text("name: impostor\n")
    (work / "link").symlink_to(real / "patterns")
    monkeypatch.chdir(work)
    pf = load_patterns("link/syria.yaml")
    assert pf.scenario == "../scenarios/syria.yaml"
    assert pf._scenario.name == "syria"


def test_shipped_pattern_files_load() -> None:
    for path in (SYRIA, SINO):
        pf = load_patterns(path)
        assert {p.role for p in pf.patterns} == {"calibrate", "holdout"}
        assert all(len(p.source) > 80 for p in pf.patterns)


# --------------------------------------------------------------------------- the command


@pytest.mark.slow
def test_patterns_check_writes_and_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "check"
    argv = [
        "patterns",
        "check",
        str(SYRIA),
        "--reps",
        "1",
        "--out",
        str(out),
        "--votes",
        str(real_votes()),
        "--engine",
        "fast",
    ]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "held-out patterns" in printed
    table = pd.read_parquet(out / "patterns.parquet")
    assert set(table.columns) >= {
        "id",
        "role",
        "observed",
        "simulated",
        "tolerance",
        "discrepancy",
        "pass",
    }
    assert pd.read_csv(out / "patterns.csv")["id"].tolist() == table["id"].tolist()
    assert {f.stem for f in (out / "figures").glob("*.png")} == set(table["id"])
    report = (out / "report.md").read_text()
    assert report.startswith("# Pattern check: syria")
    assert "--engine fast" in report
    strict = 1 if (~table["pass"]).any() else 0
    assert main([*argv, "--strict"]) == strict


def _algeria_file(tmp_path: Path, members: list[str], control: bool = False) -> Path:
    """A Sino-Soviet pattern file whose group holds ``members``; reference 1958-1961.

    Algeria joined the UN in October 1962, so it has no vote in the reference years
    and gets no offset and no prediction (decision 39); India votes throughout.
    """
    control_lines = (
        "    control: others\n    statistic: did\n" if control else ("    statistic: change\n")
    )
    path = tmp_path / f"algeria_{len(members)}_{int(control)}.yaml"
    path.write_text(
        "name: algeria\n"
        f"scenario: {REPO / 'scenarios' / 'sino_soviet.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: split_agreement, reference: [1958, 1961],"
        " beta: 0.5}\n"
        f"groups: {{watched: {{members: [{', '.join(members)}]}}, "
        "others: {members: [Indonesia, Egypt]}}\n"
        "patterns:\n"
        "  - id: moved\n    role: calibrate\n    group: watched\n"
        f"{control_lines}"
        "    before: [1959, 1961]\n    after: [1963, 1965]\n    tolerance: bootstrap\n"
        "    source: a test\n"
    )
    return path


@pytest.mark.parametrize("control", [False, True], ids=["change", "did"])
def test_a_state_without_an_offset_counts_on_neither_side(tmp_path: Path, control: bool) -> None:
    """A group of India and Algeria has the observed statistic of India alone: Algeria,
    with no vote in the reference years, has no prediction, so the observed side must
    not average its votes either (its after-years votes would move the group's mean)."""
    votes = real_votes()
    both_file = _algeria_file(tmp_path, ["India", "Algeria"], control)
    both = observed_statistics(load_patterns(both_file), votes)
    india = observed_statistics(load_patterns(_algeria_file(tmp_path, ["India"], control)), votes)
    assert both.loc["moved", "observed"] == india.loc["moved", "observed"]


def test_a_group_without_any_offset_is_an_input_error(tmp_path: Path) -> None:
    """Algeria alone, against a control that votes throughout: the group has no prediction."""
    pf = load_patterns(_algeria_file(tmp_path, ["Algeria"], control=True))
    with pytest.raises(InputError, match="no state of 'watched' has votes in the link's reference"):
        observed_statistics(pf, real_votes())


def test_a_window_past_the_scenarios_calendar_is_refused_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Sino-Soviet calendar ends in December 1972 (scenarios/sino_soviet.yaml): an
    after window of 1963-1975 would average observed years the model never predicts."""
    path = _algeria_file(tmp_path, ["India"])
    path.write_text(path.read_text().replace("after: [1963, 1965]", "after: [1963, 1975]"))
    out = tmp_path / "out"
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert ":11: patterns[0].after:" in err and "run past the scenario's calendar" in err
    assert not out.exists()


def test_the_check_says_which_states_count_on_neither_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Algeria (seated 1962) votes in the windows but not in 1958-1961: a note names it."""
    path = _algeria_file(tmp_path, ["India", "Algeria"], control=True)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes())]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "pattern 'moved': Algeria did not vote in the link's reference years 1958-1961" in err
    india = _algeria_file(tmp_path, ["India"], control=True)
    assert main(["patterns", "check", str(india), "--votes", str(real_votes()),
                 "--out", str(tmp_path / "out2")]) == 0  # fmt: skip
    assert "did not vote" not in capsys.readouterr().err


def test_the_check_notes_window_years_without_votes_or_with_few_roll_calls(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The vote data ends with one roll call in January 2020 (its README): an after window
    of 2018-2023 averaged 2018, 2019 and 2020's single vote as three full years, without a
    word. One note per pattern says so, as ``credsim observe`` does (decision 348)."""
    path = _pattern_file(tmp_path, "after: [2016, 2019]", "after: [2018, 2023]")
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--engine", "fast", "--out", str(tmp_path / "out")]) == 0
    # The pattern file's notes on windows; the scenario file's (decision 950) and the
    # predictions' range (decision 995) are tested elsewhere.
    notes = [
        _unplaced(line)
        for line in capsys.readouterr().err.splitlines()
        if "note:" in line and not _of_scenario(line) and "outside 0-1" not in line
    ]
    assert notes == [
        # Its before window begins before Syria's calendar (decision 566).
        "credsim: note: pattern 'gulf': its before years 2012-2014 begin before the "
        "scenario's calendar (from 2014-01); in 2012-2013 the prediction is the initial "
        "state's, flat by construction",
        "credsim: note: pattern 'gulf': its after years 2018-2023 have no roll call in "
        "2021-2023 and few roll calls in 2020 (1 roll call) (a window averages the years with "
        "votes, each once however few its roll calls)",
    ]


def test_the_coverage_notes_of_the_shipped_files_name_1964_only() -> None:
    """The Sino-Soviet windows that hold 1964 (no roll call that year, validation.md) are
    noted; no other shipped window lacks votes or rests on few roll calls."""
    from sim.patterns import coverage_notes

    notes = {
        path.stem: coverage_notes(pf, prepare(pf, real_votes()))
        for path in PATTERN_FILES
        for pf in [load_patterns(path)]
    }
    assert notes.pop("sino_soviet") == [
        f"pattern '{pid}': its after years {span} have no roll call in 1964 (a window "
        "averages the years with votes, each once however few its roll calls)"
        for pid, span in (
            ("nonaligned_test_ban", "1963-1965"),
            ("albania_after_split", "1962-1966"),
        )
    ]
    assert all(found == [] for found in notes.values()), notes


def test_a_link_power_without_a_seat_in_the_votes_is_located_at_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The tour's powers are fictional: the vote data has no 'Patron'. The error named the
    pattern file without a line or a field; it is the link's power, on line 3."""
    path = tmp_path / "tour.yaml"
    path.write_text(
        f"name: tour\nscenario: {REPO / 'scenarios' / 'tour.yaml'}\n"
        "link: {power: Patron, rival: Rival, measure: agreement, reference: [2020, 2020], "
        "beta: 0.5}\n"
        "patterns:\n  - {id: a, role: calibrate, statistic: change, group: east,\n"
        "     before: [2020, 2020], after: [2021, 2022], source: s}\n"
    )
    out = tmp_path / "out"
    argv = ["patterns", "check", str(path), "--out", str(out), "--votes", str(real_votes())]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"credsim: error: {path}:3: link.power: 'Patron' is no country")
    assert not out.exists()


def test_a_correlation_over_states_that_all_voted_alike_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On the 2012-2014 roll calls about Palestine (issue me) Turkey and each of the
    scenario's 16 Arab League states voted alike every time (agreement 1 for all 16,
    counted from un_votes with pandas): Pearson's r with any gap is undefined. The check
    printed a NaN row that fails whatever the parameters, and a calibration on it ran to
    the end with every simulation rejected (final epsilon inf) and exit 0."""
    path = tmp_path / "turkey.yaml"
    path.write_text(
        f"name: turkey\nscenario: {REPO / 'scenarios' / 'syria.yaml'}\n"
        "link: {power: Turkey, rival: USA, measure: agreement, reference: [2013, 2014], "
        "beta: 0.3, issue: me}\n"
        "patterns:\n  - {id: arab_corr, role: calibrate, statistic: correlation,\n"
        "     group: arab_league, years: [2012, 2014], source: s}\n"
    )
    expected = (
        f"{path}:6: patterns[0].years: pattern 'arab_corr': the 16 states of group "
        "'arab_league' with votes in 2012-2014 all have the same observed value (1.000)"
    )
    out = tmp_path / "out"
    argv = ["patterns", "check", str(path), "--out", str(out), "--votes", str(real_votes())]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err
    assert not out.exists()
    calibration = tmp_path / "cal.yaml"
    calibration.write_text(
        "name: turkey\npatterns: [turkey.yaml]\nparameters:\n  link.beta: {low: 0, high: 1}\n"
        "population: 4\nmax_simulations: 8\n"
    )
    argv = ["calibrate", str(calibration), "--out", str(out), "--workers", "1"]
    assert main([*argv, "--votes", str(real_votes())]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err
    assert not out.exists()


def test_a_group_of_states_without_a_seat_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """scenarios/vietnam_usa.yaml maps South Vietnam to null in observed.names (no UN
    seat), so its group 'south_vietnam' has no vote. validate passed such a pattern, and
    the check blamed the link's reference years ("no state of the patterns' groups has
    votes in 1969-1971"); both now name the group, before any vote is read."""
    path = tmp_path / "vn.yaml"
    path.write_text(
        f"name: vn\nscenario: {REPO / 'scenarios' / 'vietnam_usa.yaml'}\n"
        "link: {power: USA, rival: USSR, measure: split_agreement, reference: [1969, 1971], "
        "beta: 0.5}\n"
        "patterns:\n  - {id: a, role: calibrate, statistic: change, group: south_vietnam,\n"
        "     before: [1969, 1971], after: [1973, 1974], source: s}\n"
    )
    expected = (
        f"credsim: error: {path}:5: patterns[0].group: group 'south_vietnam' holds only states "
        "without a seat in the vote data (South Vietnam: null in the observed.names of "
        "scenario 'vietnam_usa'), so it has no votes to compare\n"
    )
    _refused_at_load(path, capsys, expected)


def _syria_check(tmp_path: Path, out: Path, posterior: bool) -> list[str]:
    """`patterns check` of Syria's pattern file into ``out``, one replicate; with
    ``posterior``, under a fake calibration's posterior (one draw)."""
    argv = ["patterns", "check", str(SYRIA), "--out", str(out)]
    argv += ["--votes", str(real_votes()), "--reps", "1"]
    if posterior:
        from tests.test_calibrate import _fake_calibration

        _fake_calibration(tmp_path / "cal")
        argv += ["--posterior", str(tmp_path / "cal"), "--samples", "1"]
    return argv


@pytest.mark.parametrize("posterior", [False, True])
def test_the_check_never_writes_into_another_commands_results_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], posterior: bool
) -> None:
    """README: a command never writes into a folder holding something else. The check
    wrote its table, report and figures/<id>.png into a calibration's folder (beside its
    own figures/) or a sweep's; it now refuses a folder with a manifest, as plot does."""
    out = tmp_path / "calibration"
    out.mkdir()
    manifest = '{"kind": "calibration", "name": "joint", "status": "complete"}'
    (out / "manifest.json").write_text(manifest)
    assert main(_syria_check(tmp_path, out, posterior)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a results folder (it has a manifest.json)" in err
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]


@pytest.mark.parametrize("posterior", [False, True])
def test_the_check_never_writes_into_a_users_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], posterior: bool
) -> None:
    """README: a command never writes into a folder holding something else, nor overwrites
    a user's file. `--out mine` replaced the user's own patterns.csv and report.md (found
    by an audit); a folder is now taken only when new, empty, or an earlier check's: its
    report.md and patterns.csv, or predictive.csv and draws.csv, as the check writes them."""
    out = tmp_path / "mine"
    out.mkdir()
    mine = {
        "patterns.csv": "my own table\n",
        "report.md": "# Pattern check notes\n",
        "draws.csv": "draws I made\n",
        "predictive.csv": "id,role,mine\n",
    }
    for name, text in mine.items():
        (out / name).write_text(text)
    assert main(_syria_check(tmp_path, out, posterior)) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: --out '{out}' is not empty and is not an earlier patterns check's "
        "folder (no patterns.csv and report.md, nor draws.csv and predictive.csv); choose a "
        "new or empty folder\n"
    )
    assert {p.name: p.read_text() for p in out.iterdir()} == mine


def test_a_check_runs_again_into_its_own_folder_with_or_without_the_posterior(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refusal above leaves a check's own folder to it: a plain check, then one under
    --posterior, then a plain one again, all into the same --out (the default folder is
    shared by both kinds)."""
    from tests.test_calibrate import _fake_calibration

    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    _fake_calibration(tmp_path / "cal")
    path = _pattern_file(tmp_path)
    out = tmp_path / "out"
    argv = ["patterns", "check", str(path), "--out", str(out), "--votes", str(real_votes())]
    posterior = ["--posterior", str(tmp_path / "cal"), "--samples", "1"]
    for extra in ([], posterior, []):
        assert main([*argv, "--reps", "1", *extra]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"patterns.csv", "report.md", "predictive.csv", "draws.csv"} <= names


@pytest.mark.parametrize(
    ("given", "noun", "command"),
    [
        (REPO / "scenarios" / "syria.yaml", "a scenario", "run it with 'credsim run'"),
        (
            REPO / "calibrations" / "joint.yaml",
            "a calibration file",
            "run it with 'credsim calibrate'",
        ),
        (
            REPO / "experiments" / "claim3_posterior.yaml",
            "an experiment file",
            "run it with 'credsim sweep'",
        ),
    ],
)
def test_a_file_of_another_kind_given_as_the_pattern_file_is_named_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: Path, noun: str, command: str
) -> None:
    """`patterns check scenarios/syria.yaml` (or a calibration file listing a scenario
    among its patterns) said "syria.yaml:6: description: unknown field 'description'",
    its first field a pattern file lacks; it now says what the file is."""
    expected = f"credsim: error: {given}: this is {noun}, not a pattern file; {command}\n"
    out = tmp_path / "out"
    novotes = str(tmp_path / "no-votes")
    assert main(["patterns", "check", str(given), "--out", str(out), "--votes", novotes]) == 2
    assert capsys.readouterr().err == expected
    calibration = tmp_path / "cal.yaml"
    calibration.write_text(
        f"name: c\npatterns: [{given}]\nparameters:\n  link.beta: {{low: 0, high: 1}}\n"
    )
    argv = ["calibrate", str(calibration), "--out", str(out), "--votes", novotes]
    assert main(argv) == 2
    # Said at the calibration's line that lists it (decision 626).
    assert capsys.readouterr().err == (
        f"credsim: error: {calibration}:2: patterns[0]: '{given}' is {noun}, not a pattern "
        f"file ({command}); list pattern files here (the shipped ones are in patterns/)\n"
    )
    assert not out.exists()


def _egypt_me_file(tmp_path: Path, before: str) -> Path:
    """Egypt's scenario, plain agreement with the USA on Palestine roll calls (issue me).
    un_roll_call_issues has me roll calls in 1967 (13), 1969 (3), 1970 (5) and none in
    1968, a year with other roll calls (counted with pandas from the three tables)."""
    path = tmp_path / "egypt.yaml"
    path.write_text(
        f"name: egypt\nscenario: {REPO / 'scenarios' / 'egypt_ussr.yaml'}\n"
        "link: {power: USA, rival: USSR, measure: agreement, reference: [1967, 1967], "
        "beta: 0.5, issue: me}\n"
        "patterns:\n  - {id: horn, role: calibrate, statistic: change, group: horn,\n"
        f"     before: {before}, after: [1974, 1978], source: s}}\n"
    )
    return path


def test_a_year_without_a_roll_call_of_the_links_issue_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1968 has roll calls but none on issue me: the note said "no votes of its groups in
    1968", and a window of 1968 alone "its group 'horn' has no votes in its before years",
    as if the states had been absent. Both now say the issue has no roll call then."""
    path = _egypt_me_file(tmp_path, "[1967, 1970]")
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--engine", "fast", "--out", str(tmp_path / "out")]) == 0
    notes = [
        line
        for line in capsys.readouterr().err.splitlines()
        if "note:" in line and not _of_scenario(line)
    ]
    assert len(notes) == 1
    assert "its before years 1967-1970 have no roll call on issue 'me' in 1968 and" in notes[0]
    path = _egypt_me_file(tmp_path, "[1968, 1968]")
    assert main([*argv, "--out", str(tmp_path / "out2")]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {path}:6: patterns[0].before: pattern 'horn': its before years 1968 "
        "have no roll call on issue 'me'\n"
    )
    assert not (tmp_path / "out2").exists()


def test_reference_years_without_a_roll_call_of_the_links_issue_are_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1968 has roll calls but none on issue me (see _egypt_me_file). With it as the
    link's reference years, the check said "no state of the patterns' groups (horn: ...)
    has votes in 1968-1968 (the vote data has roll calls in 1946-1963 and 1965-2020)",
    which sent the user to the groups, whose states did vote (an outside check)."""
    path = _egypt_me_file(tmp_path, "[1969, 1970]")
    path.write_text(path.read_text().replace("reference: [1967, 1967]", "reference: [1968, 1968]"))
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {path}:3: link.reference: the reference years 1968 have no roll "
        "call on issue 'me'\n"
    )
    assert not (tmp_path / "out").exists()


def test_a_second_check_into_the_same_folder_leaves_no_figure_of_a_gone_pattern(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validation.md: the check writes a figure per pattern. Run again into the same
    folder after a pattern was renamed (here gulf -> gulf_monarchies), the old gulf.png
    stayed beside the new table, a figure of a pattern the folder's table no longer has."""
    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    path = _pattern_file(tmp_path)
    out = tmp_path / "out"
    argv = ["patterns", "check", str(path), "--out", str(out), "--votes", str(real_votes())]
    assert main([*argv, "--reps", "1"]) == 0
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["gulf.png"]
    path.write_text(path.read_text().replace("id: gulf", "id: gulf_monarchies"))
    assert main([*argv, "--reps", "1"]) == 0
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["gulf_monarchies.png"]
    assert list(pd.read_csv(out / "patterns.csv")["id"]) == ["gulf_monarchies"]


@pytest.mark.parametrize("posterior", [False, True])
def test_a_check_killed_while_writing_leaves_no_mixed_folder_and_is_taken_up_again(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    posterior: bool,
) -> None:
    """A check killed while writing over an earlier check's folder left its new table
    beside the earlier report.md (a plain check) or draws.csv (under --posterior), a
    mixed folder; killed in a new folder, it left one the same command refused (an
    audit). The earlier files now go first and the report last: killed, the folder holds
    none of the earlier check's, and the same command, run again, finishes it."""
    import sim.fileio
    from tests.test_calibrate import _fake_calibration

    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    path = _pattern_file(tmp_path)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    if posterior:
        _fake_calibration(tmp_path / "cal")
        argv += ["--posterior", str(tmp_path / "cal"), "--samples", "1"]
    # What the check writes after its table: a figure (the report after them), the draws.
    last, written = ("draws.csv", "predictive.csv") if posterior else ("gulf.png", "patterns.csv")
    write_text, write_bytes = sim.fileio.atomic_write_text, sim.fileio.atomic_write_bytes

    def killed(write: Any) -> Any:
        def kill(target: Path, data: Any) -> None:
            if Path(target).name == last:
                raise KeyboardInterrupt
            write(target, data)

        return kill

    def kill_the_check(out: Path) -> None:
        with monkeypatch.context() as patch:
            patch.setattr(sim.fileio, "atomic_write_text", killed(write_text))
            patch.setattr(sim.fileio, "atomic_write_bytes", killed(write_bytes))
            assert main([*argv, "--out", str(out), "--seed", "1"]) == 130
        assert (out / written).is_file()

    out = tmp_path / "out"
    assert main([*argv, "--out", str(out), "--seed", "0"]) == 0
    kill_the_check(out)
    earlier = ["report.md", "figures/gulf.png"] if not posterior else ["draws.csv"]
    assert [name for name in earlier if (out / name).exists()] == []
    new = tmp_path / "new"
    kill_the_check(new)
    # Killed, the check of one pattern file still keeps its folder from another file's.
    other = tmp_path / "other.yaml"
    other.write_text(path.read_text().replace("name: tiny", "name: other", 1))
    other_argv = [a if a != str(path) else str(other) for a in argv]
    capsys.readouterr()
    assert main([*other_argv, "--out", str(new)]) == 2
    assert f"--out '{new}' holds an earlier check of pattern file 'tiny'" in capsys.readouterr().err
    for folder in (out, new):
        assert main([*argv, "--out", str(folder), "--seed", "1"]) == 0
        assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
    if not posterior:
        assert "--seed 1 " in (out / "report.md").read_text()
        assert (out / "figures" / "gulf.png").is_file()
    else:
        assert (out / "draws.csv").is_file()


@pytest.fixture
def india_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Figure:
    """The figure `patterns check` draws of a did of India against Indonesia and Egypt
    (:func:`_algeria_file`: USSR against USA, before 1959-1961, after 1963-1965, no roll
    call in 1964), with propensity gaps rising by one a month from 1956: the link then
    predicts agreement above 1 after the reference years."""
    _fake_gaps(monkeypatch, lambda steps, states: np.outer(np.arange(steps) * 1.0, np.ones(states)))
    figures = drawn_figures(monkeypatch)
    path = _algeria_file(tmp_path, ["India"], control=True)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    assert len(figures) == 1
    return figures[0]


def test_the_pattern_figure_keeps_to_the_range_its_axis_names(india_figure: Figure) -> None:
    """The y axis, labelled "(0 to 1)", ran to 1.05-1.3 wherever the linear link predicted
    past 1 (egypt_ussr's arab_states_after_expulsion). It now shows 0 to 1 with the
    margin of the package's other bounded axes; the caption says how far the
    prediction goes beyond it."""
    ax = india_figure.axes[0]
    assert ax.get_ylim() == pytest.approx((-0.02, 1.02))
    predicted = np.concatenate(
        [ln.get_ydata() for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    )
    low, high = np.nanmin(predicted), np.nanmax(predicted)
    assert low < -0.02 and high > 1.02
    assert (
        f"outside 0-1 here (down to {low:.2f} and up to {high:.2f}), beyond the axis "
        "(triangles on its edge mark the years); votes cannot."
    ) in _caption(india_figure)


def test_the_pattern_figure_marks_the_years_its_predictions_leave_the_axis(
    india_figure: Figure,
) -> None:
    """A dashed line past the axis left the panel with nothing drawn where it went (the
    audit of decision 566). Each year of a predicted line beyond the axis now has a
    triangle on the edge it crossed, in the line's grey, up at the top and down at the
    bottom, and no other year has one."""
    ax = india_figure.axes[0]
    low, high = ax.get_ylim()
    marks = {
        (m.get_marker(), float(x), m.get_color())
        for m in ax.get_lines()
        if m.get_linestyle() == "None" and m.get_marker() in ("^", "v")
        for x, y in zip(m.get_xdata(), m.get_ydata(), strict=True)
        if y == (high if m.get_marker() == "^" else low)
    }
    expected = set()
    for line in ax.get_lines():
        if line.get_linestyle() != "--":
            continue
        for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
            if y > high:
                expected.add(("^", float(x), line.get_color()))
            elif y < low:
                expected.add(("v", float(x), line.get_color()))
    assert {m for m in expected if m[0] == "^"} and {m for m in expected if m[0] == "v"}
    assert marks == expected


def test_the_pattern_figure_breaks_its_lines_at_1964(india_figure: Figure) -> None:
    """The lines joined 1963 to 1965 over 1964, which has no roll call (noted only on
    stderr): every line now holds NaN at 1964, and the caption says why it breaks."""
    lines = [
        ln
        for ln in india_figure.axes[0].get_lines()
        if len(ln.get_xdata()) and ln.get_linestyle() != "None"  # not the edge's triangles
    ]
    assert len(lines) == 4
    for line in lines:
        years = list(line.get_xdata())
        assert 1963 in years and 1965 in years
        assert np.isnan(line.get_ydata()[years.index(1964)])
    caption = _caption(india_figure)
    assert "The lines break at 1964 (no roll call in the vote data)." in caption
    assert "Its after years 1963-1965 have no roll call in 1964" in caption


def test_the_pattern_figure_speaks_in_words_and_in_greys(india_figure: Figure) -> None:
    """The title was the pattern's id and role ("moved (calibrate)"), the legend the
    groups' ids ("watched, observed"), the y label did not say with whom against whom,
    and the group was drawn in the USA's blue and the control in the USSR's vermillion
    (the power palette's colours)."""
    from matplotlib.colors import to_rgb

    from sim.patterns.check import pattern_title

    vietnam = load_patterns(REPO / "patterns" / "vietnam_usa.yaml")
    assert pattern_title(vietnam.pattern("asean_after_fall")) == (
        "ASEAN After Fall (held-out pattern)"
    )
    ax = india_figure.axes[0]
    assert ax.get_title(loc="left") == "Moved (calibration pattern)"
    assert ax.get_ylabel() == (
        "Agreement with the USSR\non votes splitting the USSR and the USA (0 to 1)"
    )
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "Before",
        "After",
        "India, observed",
        "India, predicted",
        "Others (2 members), observed",
        "Others (2 members), predicted",
    ]
    for line in ax.get_lines():
        red, green, blue = to_rgb(line.get_color())
        assert red == green == blue


# --------------------------------------------------------------------------- audit (566)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "control: africa_non_arab",
            "control: gulf_again",
            "p.yaml:12: patterns[0].control: the control 'gulf_again' holds the same states as "
            "the group 'gulf' (Bahrain, Iran, Kuwait, Oman, Qatar, Saudi Arabia, UAE), so the "
            "difference in differences is always 0; give another group to compare with",
        ),
        (
            "before: [2012, 2014]",
            "before: [2014, 2012]",
            "p.yaml:12: patterns[0].before: 'before' ends (2012) before it starts (2014)",
        ),
        (
            "reference: [2012, 2014]",
            "reference: [2014, 2012]",
            "p.yaml:3: link.reference: 'reference' ends (2012) before it starts (2014)",
        ),
        ("beta: 0.5", "beta: 1e308", "p.yaml:3: link.beta: must be <= 1e+06, got 1e+308"),
    ],
    ids=["same-states-control", "reversed-window", "reversed-reference", "huge-beta"],
)
def test_what_an_audit_of_held_out_style_files_found_is_refused_at_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, expected: str
) -> None:
    """An audit wrote pattern files as a reader of validation.md would (decision 566):
    a control by another name holding the group's own states passed with a did of 0
    whatever the model did; a reversed window was located at the whole pattern, not at
    its field; a beta of 1e308 made every prediction infinite. Each is refused at its
    line by validate and patterns check alike."""
    path = _pattern_file(tmp_path, old, new)
    if "gulf_again" in new:
        path.write_text(
            path.read_text().replace("groups:\n", "groups:\n  gulf_again: {region: gulf}\n")
        )
    _refused_at_load(path, capsys, f"credsim: error: {tmp_path}/{expected}\n")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("inf", "override link.beta=inf: link.beta: must be a finite number, got inf"),
        ("nan", "override link.beta=nan: link.beta: must be a finite number, got nan"),
        ("1e308", "override link.beta=1.0e+308: link.beta: must be <= 1e+06, got 1e+308"),
        ("-1", "override link.beta=-1: link.beta: must be >= 0, got -1"),
    ],
)
def test_a_beta_set_on_the_command_line_is_checked_as_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, expected: str
) -> None:
    """`--set link.beta=inf` ran, with every prediction NaN, numpy's warnings on stderr and
    exit 0, where the same value in the file is refused (decision 566). Both validate
    (which now takes --set for a pattern file) and patterns check refuse it, in one line,
    before anything runs."""
    path = _pattern_file(tmp_path)
    out = tmp_path / "out"
    assert main(["validate", str(path), "--set", f"link.beta={value}"]) == 2
    assert capsys.readouterr().err == f"credsim: error: {expected}\n"
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--out", str(out)]
    assert main([*argv, "--set", f"link.beta={value}"]) == 2
    assert capsys.readouterr().err == f"credsim: error: {expected}\n"
    assert not any(out.iterdir()) if out.exists() else True


def test_validate_takes_the_overrides_patterns_check_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate refused --set on a pattern file, which patterns check takes, so a user could
    not check a combination before running it (decision 566). It now applies them as
    patterns check does: a link path other than link.beta and a scenario value out of
    range are refused as there, good values pass."""
    path = _pattern_file(tmp_path)
    for given, expected in (
        ("link.betta=0", "override 'link.betta': of the link only link.beta can be set"),
        (
            "parameters.trust.memory=2",
            "override parameters.trust.memory=2: parameters.trust.memory: must be <= 1, got 2 "
            f"(the override replaces the value on {REPO / 'scenarios' / 'syria.yaml'}:"
            f"{_syria_line('  trust: {negativity_bias')})",
        ),
    ):
        assert main(["validate", str(path), "--set", given]) == 2
        assert capsys.readouterr().err == f"credsim: error: {expected}\n"
    assert (
        main(
            [
                "validate",
                str(path),
                "--set",
                "link.beta=0.7",
                "--set",
                "parameters.trust.memory=0.9",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith(f"ok: {path}: pattern file 'tiny'")
    joint = REPO / "calibrations" / "joint.yaml"
    assert main(["validate", str(joint), "--set", "link.beta=1"]) == 2
    assert "--set applies to scenarios, experiments and pattern files, not to a calibration" in (
        capsys.readouterr().err
    )


def test_notes_name_states_in_the_plural_and_windows_before_the_calendar(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Notes said "Albania, Hungary, Romania, Bulgaria did not vote ..., so has no
    prediction"; and a window beginning before the scenario's calendar, whose years there
    take the initial state (decision 38), was said only in the figure's caption. Syria's
    shipped before windows of 2012-2014 on a calendar from 2014 are noted (decision 566)."""
    from sim.errors import in_words as _listed
    from sim.patterns import calendar_notes, load_patterns

    assert _listed(["Albania"]) == "Albania"
    assert _listed(["Albania", "Hungary", "Romania"]) == "Albania, Hungary and Romania"
    notes = calendar_notes(load_patterns(REPO / "patterns" / "syria.yaml"))
    assert notes == [
        f"pattern '{pid}': its before years 2012-2014 begin before the scenario's calendar "
        "(from 2014-01); in 2012-2013 the prediction is the initial state's, flat by "
        "construction"
        for pid in ("gulf_no_warming", "arab_league_no_warming")
    ]
    assert calendar_notes(load_patterns(REPO / "patterns" / "sino_soviet.yaml")) == []


@pytest.mark.parametrize("issue", ["me", None])
def test_a_figure_names_the_links_issue_filter(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    issue: str | None,
) -> None:
    """A link restricted to one issue's roll calls drew figures that read as if every roll
    call counted; only report.md's header said otherwise (an audit, decision 567). The
    caption names the issue, and says nothing of one when the link has none. So does the
    table's header on the terminal (an outside check missed the filter there, decision
    838)."""
    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    figures = drawn_figures(monkeypatch)
    path = _pattern_file(tmp_path)
    if issue:
        path.write_text(path.read_text().replace("beta: 0.5}", f"beta: 0.5, issue: {issue}}}"))
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    caption = _caption(figures[0])
    named = "roll calls on Palestinian conflict (me) only;" in caption
    assert named == (issue == "me")
    assert "offsets on 2012-2014;" in caption
    header = capsys.readouterr().out.splitlines()[0]
    assert header.endswith(
        "1 replicate(s); roll calls on Palestinian conflict (me) only"
        if issue
        else "1 replicate(s)"
    )


def test_groups_without_reference_votes_are_named_with_their_states(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """When no state of any group voted in the link's reference years, the message said
    only "no state of the patterns' groups", and the data's years as 1946-2020, over 1964's
    gap (an audit, decision 568). It names each group with its states now, and when each
    votes (the data's years said nothing of why: an outside check, decision 826). Both
    Koreas vote from their admission in 1991 to the data's last roll call, January 2020
    (pandas on un_votes.parquet)."""
    path = tmp_path / "koreas.yaml"
    path.write_text(
        f"name: koreas\nscenario: {REPO / 'scenarios' / 'sino_soviet.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: agreement, reference: [1958, 1961], beta: 0.5}\n"
        "groups:\n  koreas: {members: [North Korea, South Korea]}\n"
        "patterns:\n  - {id: k, role: calibrate, statistic: change, group: koreas,\n"
        "     before: [1958, 1961], after: [1965, 1968], source: a note}\n"
    )
    assert main(["validate", str(path), "--votes", str(real_votes())]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {path}:3: link.reference: no state of the patterns' groups (koreas: "
        "North Korea, South Korea) has votes in 1958-1961 (North Korea votes in 1991-2020; "
        "South Korea votes in 1991-2020)\n"
    )


def test_a_bootstrap_tolerance_at_its_floor_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A one-state group's bootstrap tolerance is its floor 0.01 (resampling one state gives
    no spread), so the pattern passes only within 0.01; the check said nothing of it (an
    audit, decision 568). It is noted; a numeric tolerance is not."""
    text = (
        f"name: one\nscenario: {REPO / 'scenarios' / 'syria.yaml'}\n"
        "link: {power: Russia, rival: USA, measure: split_agreement, reference: [2012, 2014], "
        "beta: 0.5}\n"
        "groups:\n  just_egypt: {members: [Egypt]}\n"
        "patterns:\n  - {id: e, role: calibrate, statistic: change, group: just_egypt,\n"
        "     before: [2012, 2014], after: [2016, 2019], tolerance: TOL, source: a note}\n"
    )
    path = tmp_path / "one.yaml"
    for tolerance, noted in (("bootstrap", True), ("0.05", False)):
        path.write_text(text.replace("TOL", tolerance))
        assert main(["validate", str(path), "--votes", str(real_votes())]) == 0
        err = _unplaced(capsys.readouterr().err)
        assert (
            "credsim: note: pattern 'e': its bootstrap tolerance is the floor 0.01 "
            "(resampling its states spreads the statistic less than that, as it does when "
            "they all moved alike or the group holds one state), so it passes only that "
            "close" in err
        ) == noted


def _early_file(tmp_path: Path, with_change: bool = False) -> Path:
    """A Sino-Soviet pattern file on reference years 1946-1950, when four of the East
    Bloc's six states were not yet UN members: a did of the East Bloc against western
    partners (and, ``with_change``, a change of the western partners, who all count)."""
    path = tmp_path / "early.yaml"
    change = (
        "  - {id: w, role: calibrate, statistic: change, group: western,\n"
        "     before: [1946, 1950], after: [1958, 1961], source: a note}\n"
    )
    path.write_text(
        f"name: early\nscenario: {REPO / 'scenarios' / 'sino_soviet.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: agreement, reference: [1946, 1950], beta: 0.5}\n"
        "groups:\n"
        "  east_bloc: {members: [Poland, Czechoslovakia, Hungary, Romania, Bulgaria, Albania]}\n"
        "  western: {members: [Turkey, Iran, Pakistan, Thailand, Philippines]}\n"
        "patterns:\n  - {id: e, role: calibrate, statistic: did, group: east_bloc,\n"
        "     control: western, before: [1946, 1950], after: [1958, 1961], source: a note}\n"
        + (change if with_change else "")
    )
    return path


def test_a_caption_says_how_many_of_a_groups_states_count(tmp_path: Path) -> None:
    """Only states that voted in the link's reference years get a prediction (decision
    313); the legend's "East Bloc (6 members)" read as if all six counted, where four
    (Albania, Hungary, Romania, Bulgaria, UN members from 1955) did not vote in 1946-1950
    (an audit, decision 571). The caption says how many count; a group whose states all
    count, or a correlation, adds nothing."""
    from sim.patterns.check import counted_note

    path = _early_file(tmp_path, with_change=True)
    pf = load_patterns(path)
    prep = prepare(pf, real_votes())
    did, change = pf.patterns
    assert counted_note(did, prep) == (
        " Counted, as voting in the link's reference years: 'east_bloc' 2 of its 6 states."
    )
    assert counted_note(change, prep) == ""


def test_a_legend_gives_the_states_a_pattern_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Horn case's legend read "Neighbours (5 members)" where Djibouti, without a vote
    in the reference years, did not count; only the caption said so (an outside check;
    decision 836). A group of fewer states counted than listed says both; a group whose
    states all count, and the same group in a correlation's figure, keep their name."""
    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    figures = drawn_figures(monkeypatch)
    path = _early_file(tmp_path)
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    (fig,) = figures
    legend = fig.axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()][2:] == [
        "East Bloc (2 of 6 members counted), observed",
        "East Bloc (2 of 6 members counted), predicted",
        "Western (5 members), observed",
        "Western (5 members), predicted",
    ]
    assert "'east_bloc' 2 of its 6 states" in _caption(fig)


def test_a_check_shows_its_progress_on_a_terminal_and_counts_its_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """experiments.md: every command that can take over a couple of seconds shows progress
    on a terminal and ends with a line of runs, elapsed time and rate. A 30-replicate
    check printed nothing for 9 s, and its last line had no time (an audit; decision 600)."""
    import io
    import re

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    out = tmp_path / "out"
    assert main(["patterns", "check", str(SYRIA), "--reps", "2", "--out", str(out),
                 "--votes", str(real_votes())]) == 0  # fmt: skip
    assert "\r\x1b[2K1/2 runs (50%), 0 failed, " in terminal.getvalue()
    drawn = terminal.getvalue()
    assert drawn.index("\r\x1b[2K", drawn.index("1/2 runs")) > 0  # then cleared
    last = capsys.readouterr().out.strip().splitlines()[-1]
    counted = r"2 runs in \d+s \([\d.]+ runs/s\)"
    assert re.fullmatch(
        rf"\d of 4 patterns pass; {counted}; results in {re.escape(str(out))}", last
    ), last


@pytest.mark.parametrize(
    ("files", "refused"),
    [
        ({"report.md": "# Pattern check: afghanistan_ussr\n", "patterns.csv": "id,role,\n"}, True),
        ({"predictive.csv": "id,role,x\nsoviet_bloc,calibrate,1\n", "draws.csv": "draw,\n"}, True),
        ({"report.md": "# Pattern check: syria\n", "patterns.csv": "id,role,\n"}, False),
        (
            {
                "predictive.csv": "id,role,x\ngulf_no_warming,c,1\nsyria_stays_with_russia,c,1\n"
                "initial_conditions,c,1\narab_league_no_warming,c,1\n",
                "draws.csv": "draw,\n",
            },
            False,
        ),
    ],
    ids=["report-of-another", "predictive-of-another", "report-of-syria", "predictive-of-syria"],
)
def test_an_earlier_check_of_another_pattern_file_is_not_written_into(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], refused: bool
) -> None:
    """An audit: a Syria check written into an Afghanistan posterior check's folder left
    that check's predictive.csv, draws.csv and figure beside the Syria report, and neither
    named the other. A check of the same file (the default folder is shared by a plain
    check and one with --posterior) still replaces its own files (decision 600)."""
    out = tmp_path / "out"
    out.mkdir()
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    novotes = str(tmp_path / "no-votes")
    assert main(["patterns", "check", str(SYRIA), "--out", str(out), "--votes", novotes]) == 2
    err = capsys.readouterr().err
    said = f"--out '{out}' holds an earlier check of "
    assert (said in err) == refused, err
    if refused:
        assert err.rstrip().endswith("not of 'syria'; choose a new or empty folder")
    else:
        assert "no-votes" in err  # refused later, for the votes, not for the folder
    assert sorted(p.name for p in out.iterdir()) == sorted(files)


def test_the_report_keeps_the_notes_the_check_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An outside check found which states count on neither side (no vote in the
    reference years) only on stderr and in a figure caption: report.md, the file that
    stays, now lists the notes under "Notes" (decision 605)."""
    import numpy as np

    import sim.patterns.link as links

    def flat(scenario, seed, power, rival, *, engine="mesa"):  # type: ignore[no-untyped-def]
        steps, states = scenario.calendar.n_steps + 1, len(scenario.states)
        return np.tile(np.arange(states, dtype=float), (steps, 1))

    monkeypatch.setattr(links, "propensity_gaps", flat)
    out = tmp_path / "out"
    sino = REPO / "patterns" / "sino_soviet.yaml"
    assert main(["patterns", "check", str(sino), "--out", str(out), "--reps", "1",
                 "--votes", str(real_votes())]) == 0  # fmt: skip
    # The report is the file's: its notes go without the file and line (decision 920).
    printed = [
        line.removeprefix("credsim: note: ")
        for line in _unplaced(capsys.readouterr().err).splitlines()
        if line.startswith("credsim: note: ")
    ]
    assert any("did not vote in the link's reference years" in note for note in printed)
    report = (out / "report.md").read_text(encoding="utf-8")
    notes = report.split("## Notes\n\n", 1)[1].split("\n\n## Patterns", 1)[0]
    assert notes.splitlines() == [f"- {note}" for note in printed]


def test_a_group_silent_in_a_window_says_when_its_states_vote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Indonesia left the UN in 1965: "its group 'ii' has no votes in its before years
    1965-1965 (the vote data has roll calls in 1946-2020)" did not say when it votes
    (an audit; decision 632)."""
    path = tmp_path / "indo.yaml"
    path.write_text(
        f"name: indo\nscenario: {REPO / 'scenarios' / 'sino_soviet.yaml'}\n"
        "link: {power: USSR, rival: USA, measure: split_agreement, reference: [1958, 1961], "
        "beta: 0.5}\n"
        "groups:\n  ii: {members: [Indonesia]}\n"
        "patterns:\n  - {id: ii_change, role: calibrate, statistic: change, group: ii,\n"
        "     before: [1965, 1965], after: [1967, 1968], source: s}\n"
    )
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--reps", "1"]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {path}:8: patterns[0].before: pattern 'ii_change': its group 'ii' "
        "has no votes in its before years 1965 (Indonesia votes in 1958-1963 and 1966-1968 "
        "of the years this file uses)\n"
    )


def _syria_line(start: str) -> int:
    """The line of scenarios/syria.yaml that begins with ``start`` (it must be one)."""
    lines = (REPO / "scenarios" / "syria.yaml").read_text().splitlines()
    (found,) = [i + 1 for i, line in enumerate(lines) if line.startswith(start)]
    return found


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (
            "parameters.trust.memory=abc",
            "override parameters.trust.memory=abc: parameters.trust.memory: expected a "
            "number, got 'abc' (the override replaces the value on {syria}:{trust})",
        ),
        (
            "parameters.trust.memory=",
            "override parameters.trust.memory=null: parameters.trust.memory: expected a "
            "number, got null (the override replaces the value on {syria}:{trust})",
        ),
        # A field the file leaves out: the value can only be the command line's.
        (
            "outputs.groups.gulf.members=[Syria, Syria]",
            "override outputs.groups.gulf.members=[Syria, Syria]: "
            "outputs.groups.gulf.members[1]: 'Syria' is listed twice in group 'gulf' (also "
            "members[0]); list each member once ({syria} does not set it; the value is the "
            "override's)",
        ),
        # The file's value, refused after the override: at its line in the scenario file.
        (
            "calendar.start=2030-01",
            "{syria}:{calendar}: calendar: calendar ends (2026-12) before it starts (2030-01) "
            "(after override calendar.start=2030-01) (in the scenario of pattern file {path})",
        ),
    ],
)
def test_a_scenario_value_set_on_the_command_line_is_named_in_its_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, expected: str
) -> None:
    """A pattern file's ``--set`` of a bad scenario value was refused with neither a file
    nor the override: "credsim: error: parameters.trust.memory: expected a number, got
    'abc'", and "calendar: calendar ends (2026-12) before it starts (2030-01)" for a
    calendar.start the file does not have (an audit). validate and patterns check now
    name the override, as run and sweep do (decision 672); and where the scenario file
    gives the field the override replaces, or that it gives none, or, when the file's
    own value is refused after the override, its line, as `run --set` says it (an audit:
    the user could not tell the file from the command line)."""
    path = _pattern_file(tmp_path)
    expected = expected.format(
        syria=REPO / "scenarios" / "syria.yaml",
        trust=_syria_line("  trust: {negativity_bias"),
        calendar=_syria_line("calendar:"),
        path=path,
    )
    out = tmp_path / "out"
    assert main(["validate", str(path), "--set", given]) == 2
    assert capsys.readouterr().err == f"credsim: error: {expected}\n"
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--out", str(out)]
    assert main([*argv, "--set", given]) == 2
    assert capsys.readouterr().err == f"credsim: error: {expected}\n"
    assert not out.exists()


def test_a_did_whose_group_and_control_share_states_is_noted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Egypt in both the group and the control: its change counts on both sides of the
    difference, and the bootstrap resamples the sides apart (decision 730). Said by
    ``validate --votes`` (and ``patterns check``, through the same notes); a did of
    disjoint groups and a change are not noted."""
    votes = str(real_votes())
    shared = _algeria_file(tmp_path, ["India", "Egypt"], control=True)
    assert main(["validate", str(shared), "--votes", votes]) == 0
    notes = [ln for ln in _unplaced(capsys.readouterr().err).splitlines() if "share" in ln]
    assert notes == [
        "credsim: note: pattern 'moved': its group 'watched' and control 'others' share "
        "a state (Egypt): its change counts on both sides of the difference, where it "
        "partly cancels, and the bootstrap resamples the two sides apart, as if independent; a "
        "control without the group's states compares the group with the others"
    ]
    for path in (
        _algeria_file(tmp_path, ["India"], control=True),
        _algeria_file(tmp_path, ["India", "Egypt"], control=False),
    ):
        assert main(["validate", str(path), "--votes", votes]) == 0
        assert "share" not in capsys.readouterr().err
    # Algeria in both too: without a vote in the reference years it counts on neither
    # side (decision 313), so it is not named as shared (it was, beside the note that it
    # counts on neither side: an outside check, decision 840).
    both = _algeria_file(tmp_path, ["India", "Egypt", "Algeria"], control=True)
    both.write_text(both.read_text().replace("[Indonesia, Egypt]", "[Indonesia, Egypt, Algeria]"))
    assert main(["validate", str(both), "--votes", votes]) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if "share" in ln]
    assert len(notes) == 1 and "'others' share a state (Egypt): its change" in notes[0]


# A scenario of a few UN members whose one event leaves the calendar's end free to move.
_SHORT_SCENARIO = un_members_scenario("short", ["Mali", "Niger"])


def test_a_calendar_set_on_the_command_line_is_checked_against_the_windows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The windows were checked against the file's calendar at load only: `--set
    calendar.end=2015-12` left an after window of 2015-2016 one predicted year, and the
    check compared the observed 2015-2016 with a prediction of 2015 alone (in the audit's
    case a did of 0.007 where the whole window gives 0.031), and printed NaN for a window
    wholly past the end, exit 0 (an audit, decision 743). The overridden calendar is now checked as
    the file's, by validate and patterns check alike, before anything runs."""
    (tmp_path / "short.yaml").write_text(_SHORT_SCENARIO)
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: short_patterns\nscenario: short.yaml\n"
        "link: {power: Russia, rival: USA, measure: split_agreement, reference: [2014, 2014], "
        "beta: 0.5}\npatterns:\n"
        "  - id: levant\n    role: calibrate\n    statistic: did\n    group: levant\n"
        "    control: africa\n    before: [2014, 2014]\n    after: [2015, 2016]\n"
        "    source: a note\n"
    )
    override = "calendar.end=2015-12"
    expected = (
        "p.yaml:11: patterns[0].after: pattern 'levant': its after years 2015-2016 run past "
        "the scenario's calendar (2014 to 2015), where the model predicts nothing; end them "
        "by 2015 (the calendar as --set calendar.end=2015-12 gives it)"
    )
    # The file's own calendar takes the windows.
    assert main(["validate", str(path)]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["validate", str(path), "--set", override]) == 2
    assert capsys.readouterr().err == f"credsim: error: {tmp_path}/{expected}\n"
    argv = ["patterns", "check", str(path), "--votes", str(real_votes()), "--out", str(out)]
    assert main([*argv, "--reps", "1", "--set", override]) == 2
    assert capsys.readouterr().err == f"credsim: error: {tmp_path}/{expected}\n"
    assert not any(out.iterdir()) if out.exists() else True
    # A later start that leaves both windows before the calendar: the change was 0 whatever
    # the parameters, a free pass when the observed change is near 0.
    (tmp_path / "short.yaml").write_text(_SHORT_SCENARIO.replace("2015-09", "2016-09"))
    path.write_text(path.read_text().replace("after: [2015, 2016]", "after: [2015, 2015]"))
    assert main([*argv, "--reps", "1", "--set", "calendar.start=2016-01"]) == 2
    assert capsys.readouterr().err == (
        f"credsim: error: {tmp_path}/p.yaml:11: patterns[0].after: pattern 'levant': its "
        "before (2014-2014) and after (2015-2015) years all precede the scenario's calendar "
        "(2016 to 2016), where the model predicts only its initial state, so the did cannot "
        "move whatever the parameters; let its after years reach 2016 or later (the calendar "
        "as --set calendar.start=2016-01 gives it)\n"
    )
    assert not any(out.iterdir()) if out.exists() else True


@pytest.mark.parametrize(
    ("start", "note_span", "caption_span"),
    [
        ("2013-01", "in 2012 the prediction", "Predictions in 2012, before"),
        ("2011-01", None, None),
    ],
)
def test_windows_before_a_calendar_set_on_the_command_line_are_said_against_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    start: str,
    note_span: str | None,
    caption_span: str | None,
) -> None:
    """Syria's calendar starts in January 2014, so a before window of 2012-2014 is flat in
    2012-2013. Under `--set calendar.start=2011-01` it is simulated in full, and under
    2013-01 flat in 2012 only; the notes of validate and patterns check and the figure's
    caption said 2012-2013 and "(from 2014-01)" whatever the override (a left item of
    decision 743; decision 754)."""
    _fake_gaps(monkeypatch, lambda steps, states: np.zeros((steps, states)))
    figures = drawn_figures(monkeypatch)
    path = _pattern_file(tmp_path)
    votes = ["--votes", str(real_votes())]
    override = ["--set", f"calendar.start={start}"]
    assert main(["validate", str(path), *votes, *override]) == 0
    validated = [
        _unplaced(line) for line in capsys.readouterr().err.splitlines() if "calendar" in line
    ]
    argv = ["patterns", "check", str(path), *votes, "--reps", "1", *override]
    assert main([*argv, "--out", str(tmp_path / "out")]) == 0
    checked = [
        _unplaced(line) for line in capsys.readouterr().err.splitlines() if "calendar" in line
    ]
    report = (tmp_path / "out" / "report.md").read_text()
    caption = _caption(figures[0])
    if note_span is None:
        assert validated == checked == []
        assert "before the scenario's calendar" not in report + caption
        return
    expected = (
        "credsim: note: pattern 'gulf': its before years 2012-2014 begin before the "
        f"scenario's calendar (from {start}); {note_span} is the initial state's, flat by "
        "construction"
    )
    assert validated == checked == [expected]
    assert expected.removeprefix("credsim: note: ") in report
    # The caption ends with the override (decision 894), after the sentence on the years.
    assert caption.endswith(
        f"{caption_span} the scenario's calendar, are its initial state's (flat by "
        f"construction). Run with --set calendar.start={start}."
    )


@pytest.mark.parametrize(
    ("before", "after", "said"),
    [
        (
            "[2016, 2019]",
            "[2012, 2014]",
            "its after years 2012-2014 do not come after its "
            "before years 2016-2019; the did takes the after years' mean minus the before "
            "years', so its sign is that of a change back in time",
        ),
        (
            "[2012, 2016]",
            "[2014, 2019]",
            "its after years 2014-2019 share 2014-2016 with its "
            "before years 2012-2016; those years are in both means",
        ),
        ("[2012, 2014]", "[2016, 2019]", None),
        ("[2012, 2014]", "[2015, 2019]", None),
    ],
)
def test_windows_the_wrong_way_round_or_sharing_years_are_noted(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    after: str,
    said: str | None,
) -> None:
    """A did whose windows were swapped by hand passed ``validate`` without a word, and
    its observed and simulated statistics changed sign (an audit, decision 788); windows
    that share years passed likewise. Each is noted by every command that reads the file
    (validate here, with the votes and without); windows one after the other are not."""
    text = (REPO / "patterns" / "syria.yaml").read_text()
    old = "    before: [2012, 2014]\n    after: [2016, 2019]\n"
    assert text.count(old) == 2
    text = text.replace(old, f"    before: {before}\n    after: {after}\n", 1)
    path = tmp_path / "syria.yaml"
    path.write_text(text.replace("../scenarios/syria.yaml", str(REPO / "scenarios" / "syria.yaml")))
    for votes in (None, real_votes()):  # without the votes, and with them
        if votes is not None:
            monkeypatch.setenv("CREDSIM_VOTES", str(votes))
        assert main(["validate", str(path)]) == 0
        err = capsys.readouterr().err
        noted = [line for line in err.splitlines() if "gulf_no_warming" in line]
        windows = [line for line in noted if "its after" in line and "its before" in line]
        if said is None:
            assert windows == []
        else:
            assert len(windows) == 1 and said in windows[0], noted


def test_a_windows_path_to_a_pattern_files_scenario_gets_a_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``scenario: ..\\scenarios\\syria.yaml`` was said only to not exist (decision 791)."""
    text = (REPO / "patterns" / "syria.yaml").read_text()
    path = tmp_path / "syria.yaml"
    path.write_text(text.replace("../scenarios/syria.yaml", "..\\scenarios\\syria.yaml"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "scenario: file '..\\scenarios\\syria.yaml' does not exist" in err
    assert err.endswith('(paths use "/", not "\\": ../scenarios/syria.yaml)')


def test_a_tolerance_too_small_for_three_decimals_is_shown_as_given() -> None:
    """A numeric tolerance of 0.0001 was printed 0.000 beside a discrepancy of -571, and a
    tolerance of 1e-300 gave a discrepancy printed in 300 digits (an outside check). The
    tolerance keeps three significant digits where three decimals would show 0, every
    number of seven digits or more is shown in three, and the table of usual numbers is
    laid out as before: each column two places from the last."""
    from sim.patterns.check import role_sections

    def table(tolerance: float, discrepancy: float) -> list[str]:
        return role_sections(
            pd.DataFrame(
                {
                    "id": ["p"],
                    "role": ["calibrate"],
                    "observed": [0.057],
                    "simulated": [-0.0000004],
                    "tolerance": [tolerance],
                    "discrepancy": [discrepancy],
                    "pass": [False],
                }
            ).set_index("id")
        )[2].splitlines()

    lines = table(0.0001, -571.4286)
    assert lines[0].split() == ["observed", "simulated", "tolerance", "discrepancy", "pass"]
    # A simulated value that rounds to 0 stays 0.000 (decision 633); the tolerance does not.
    assert lines[2].split() == ["p", "0.057", "0.000", "0.0001", "-571.429", "False"]
    assert table(1e-300, -5.714e298)[2].split()[3:5] == ["1e-300", "-5.71e+298"]
    # Usual numbers: laid out as pandas lays out a table of floats, as before.
    frame = pd.DataFrame(
        {"observed": [0.057], "simulated": [0.0], "tolerance": [0.022], "discrepancy": [-9.808]}
    )
    laid = frame.assign(id=["p"], **{"pass": [False]}).set_index("id")
    assert table(0.022, -9.808) == laid.to_string(float_format="{:.3f}".format).splitlines()


def test_notes_alike_but_for_their_pattern_are_said_once() -> None:
    """Two patterns whose before years begin before the calendar gave two notes that
    differ only in the pattern's id, which two outside checks read as one note printed
    twice (decision 827): they are one note naming both, where the first was; other
    notes keep their places."""
    from sim.patterns.check import merged_notes

    rest = "its before years 2009-2010 begin before the scenario's calendar (from 2010-01)"
    notes = [
        f"pattern 'a': {rest}",
        "the windows were not checked",
        "pattern 'b': a correlation passes at r >= 0.02",
        f"pattern 'c': {rest}",
    ]
    assert merged_notes(notes) == [
        f"patterns 'a' and 'c', each: {rest}",
        "the windows were not checked",
        "pattern 'b': a correlation passes at r >= 0.02",
    ]
    assert merged_notes(notes[:2]) == notes[:2]
