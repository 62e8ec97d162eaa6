"""Observed votes: the measures by hand, on real data against a plain loop, and bad input.

The hand-made vote table (written as CSV by :func:`_hand_votes`) has four
countries: the power Alpha, its rival Beta, and Gamma and Delta.

====  ==========  =======  =======  =======  =======  =====
rcid  date        Alpha    Beta     Gamma    Delta    issue
====  ==========  =======  =======  =======  =======  =====
1     2000-03-01  yes      no       yes      abstain  me
2     2000-06-01  abstain  no       no       yes      hr
3     2000-09-01  no       yes      (absent) no
4     2001-03-01  yes      yes      no       (absent) me
5     2001-06-01  no       yes      abstain  (absent)
====  ==========  =======  =======  =======  =======  =====

Scores yes 1, abstain 0.5, no 0; agreement is ``1 - |s_o - s_p|``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.cli import main
from sim.errors import InputError
from sim.observed.names import un_name
from sim.observed.series import observed_table
from sim.observed.votes import (
    group_values,
    load_votes,
    pair_agreement,
    state_values,
)

REPO = Path(__file__).resolve().parent.parent
REAL_VOTES = REPO.parent / "shared" / "data" / "unvotes"

_VOTES = {
    1: {"Alpha": "yes", "Beta": "no", "Gamma": "yes", "Delta": "abstain"},
    2: {"Alpha": "abstain", "Beta": "no", "Gamma": "no", "Delta": "yes"},
    3: {"Alpha": "no", "Beta": "yes", "Delta": "no"},
    4: {"Alpha": "yes", "Beta": "yes", "Gamma": "no"},
    5: {"Alpha": "no", "Beta": "yes", "Gamma": "abstain"},
}
_DATES = {1: "2000-03-01", 2: "2000-06-01", 3: "2000-09-01", 4: "2001-03-01", 5: "2001-06-01"}
_ISSUES = {1: "me", 2: "hr", 4: "me"}


def _hand_votes(folder: Path) -> Path:
    """Write the module docstring's table as the three unvotes CSV files."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {"rcid": r, "country": c, "country_code": c[:2].upper(), "vote": v}
        for r, votes in _VOTES.items()
        for c, v in votes.items()
    ]
    pd.DataFrame(rows).to_csv(folder / "un_votes.csv", index=False)
    pd.DataFrame(
        {"rcid": list(_DATES), "session": 55, "date": list(_DATES.values()), "short": "x"}
    ).to_csv(folder / "un_roll_calls.csv", index=False)
    pd.DataFrame({"rcid": list(_ISSUES), "short_name": list(_ISSUES.values())}).to_csv(
        folder / "un_roll_call_issues.csv", index=False
    )
    return folder


@pytest.fixture
def hand(tmp_path: Path) -> Path:
    return _hand_votes(tmp_path / "votes")


# The shell's $CREDSIM_VOTES, read at import: every test starts without it (conftest.py).
GIVEN_VOTES = os.environ.get("CREDSIM_VOTES")


def real_votes() -> Path:
    """The shared data beside the repo (CI), else $CREDSIM_VOTES; skip when neither exists."""
    if REAL_VOTES.is_dir():
        return REAL_VOTES
    given = GIVEN_VOTES
    if given and Path(given).is_dir():
        return Path(given)
    pytest.skip("the UN vote data is not beside the repo (../shared/data/unvotes)")


def _values(frame: pd.DataFrame) -> dict[tuple[int, str], tuple[float, int]]:
    return {
        (int(r.year), str(r.state)): (float(r.value), int(r.n_votes)) for r in frame.itertuples()
    }


# --------------------------------------------------------------------------- by hand


def test_agreement_by_hand(hand: Path) -> None:
    """Gamma 2000: rc1 1-|1-1| = 1, rc2 1-|0-0.5| = 0.5, rc3 absent -> 0.75 over 2 votes.
    Delta 2000: rc1 0.5, rc2 0.5, rc3 1 -> 2/3 over 3. Gamma 2001: rc4 0, rc5 0.5 -> 0.25.
    Delta did not vote in 2001: no row."""
    data = load_votes(hand)
    values = _values(state_values(pair_agreement(data, "Alpha", ["Gamma", "Delta"])))
    assert values.keys() == {(2000, "Gamma"), (2000, "Delta"), (2001, "Gamma")}
    assert values[(2000, "Gamma")] == pytest.approx((0.75, 2))
    assert values[(2000, "Delta")] == pytest.approx((2 / 3, 3))
    assert values[(2001, "Gamma")] == pytest.approx((0.25, 2))


def test_split_agreement_by_hand(hand: Path) -> None:
    """Alpha against Beta split yes/no on rc1 and rc3 (2000) and rc5 (2001); rc2 (abstain
    against no) and rc4 (yes with yes) are not split. Gamma 2000: rc1 only -> 1; Delta 2000:
    rc1 0.5, rc3 1 -> 0.75; Gamma 2001: rc5 1-|0.5-0| = 0.5."""
    data = load_votes(hand)
    pairs = pair_agreement(
        data, "Alpha", ["Gamma", "Delta"], rival="Beta", measure="split_agreement"
    )
    values = _values(state_values(pairs))
    assert values[(2000, "Gamma")] == pytest.approx((1.0, 1))
    assert values[(2000, "Delta")] == pytest.approx((0.75, 2))
    assert values[(2001, "Gamma")] == pytest.approx((0.5, 1))


def test_group_values_by_hand(hand: Path) -> None:
    """2000: mean of Gamma 0.75 and Delta 2/3 = 0.708333, 2 states, roll calls 1-3 (3);
    2001: Gamma alone, 0.25, 1 state, 2 roll calls (each state weighs equally)."""
    data = load_votes(hand)
    group = group_values(pair_agreement(data, "Alpha", ["Gamma", "Delta"]))
    assert group["year"].tolist() == [2000, 2001]
    assert group["value"].tolist() == pytest.approx([(0.75 + 2 / 3) / 2, 0.25])
    assert group["n_states"].tolist() == [1 + 1, 1]
    assert group["n_votes"].tolist() == [3, 2]


def test_issue_filter_by_hand(hand: Path) -> None:
    """Issue me keeps rc1 and rc4: Gamma 2000 1, Delta 2000 0.5, Gamma 2001 0."""
    data = load_votes(hand)
    values = _values(state_values(pair_agreement(data, "Alpha", ["Gamma", "Delta"], issue="me")))
    assert values == {
        (2000, "Gamma"): (1.0, 1),
        (2000, "Delta"): (0.5, 1),
        (2001, "Gamma"): (0.0, 1),
    }


def test_tidy_table_rows(hand: Path) -> None:
    """State rows carry n_states 1; the group row is labelled group:NAME."""
    data = load_votes(hand)
    table = observed_table(
        data,
        "Alpha",
        ["Gamma", "Delta"],
        "pair",
        rival=None,
        measure="agreement",
        years=(2000, 2000),
    )
    assert list(table.columns) == [
        "year",
        "state",
        "power",
        "rival",
        "measure",
        "value",
        "n_votes",
        "n_states",
    ]
    group = table[table["state"] == "group:pair"].iloc[0]
    assert (group["n_states"], group["n_votes"]) == (2, 3)
    assert set(table["year"]) == {2000}


def test_observe_cli_writes_table(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t.csv"
    code = main(
        [
            "observe",
            "--votes",
            str(hand),
            "--power",
            "Alpha",
            "--rival",
            "Beta",
            "--states",
            "Gamma,Delta",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    assert "split_agreement" in capsys.readouterr().out
    table = pd.read_csv(out)
    row = table[(table["state"] == "Delta") & (table["year"] == 2000)].iloc[0]
    assert row["value"] == pytest.approx(0.75)
    assert row["rival"] == "Beta"


# --------------------------------------------------------------------------- names


def test_names_aliases_scenario_and_close_matches() -> None:
    countries = ["Russia", "United States", "China", "Myanmar (Burma)", "Syria"]
    assert un_name("USSR", countries) == "Russia"
    assert un_name("PRC", countries) == "China"
    assert un_name("Burma", countries) == "Myanmar (Burma)"
    assert un_name("Syria", countries) == "Syria"
    assert un_name("Assadland", countries, {"Assadland": "Syria"}) == "Syria"
    assert un_name("North Vietnam", countries, {"North Vietnam": None}) is None
    with pytest.raises(InputError, match="close matches: Syria"):
        un_name("Syrai", countries)


def test_shipped_scenarios_resolve_to_un_names() -> None:
    """Every actor of the two historical scenarios has a UN name (or is declared seatless)."""
    from sim.observed.names import scenario_names
    from sim.scenario import load_scenario

    data = load_votes(real_votes())
    for path in ("scenarios/syria.yaml", "scenarios/sino_soviet.yaml"):
        scenario = load_scenario(REPO / path)
        for actor in scenario.actor_names:
            un_name(actor, data.countries, scenario_names(scenario))


_SEATS = "two actors cannot share one seat in the vote data; map one of the two in observed.names"


def _mini_with(tmp_path: Path, states: str, observed: str = "") -> Path:
    """mini.yaml with ``states`` added after Jordan (lines 9 on) and ``observed`` at the
    end (its entries from line 16, after two added states)."""
    mini = (REPO / "tests" / "data" / "scenarios" / "mini.yaml").read_text()
    jordan = "  Jordan: {region: levant, blocs: [arab_league], ideology: -0.1, aligned: USA}\n"
    assert mini.count(jordan) == 1
    path = tmp_path / "s.yaml"
    path.write_text(mini.replace(jordan, jordan + states) + observed)
    return path


@pytest.mark.parametrize(
    ("states", "observed", "message"),
    [
        (  # neither mapped: the alias table gives UAE the country the other is named
            "  UAE: {region: gulf}\n  United Arab Emirates: {region: gulf}\n",
            "",
            "9: states.UAE: 'UAE' is United Arab Emirates in the vote data through the "
            "built-in alias table (UAE -> United Arab Emirates), as is the actor 'United Arab "
            "Emirates' (states.United Arab Emirates), who votes under its own name: "
            f"{_SEATS} to its own country, or to null if it has no seat of its own (e.g. "
            "observed: {names: {United Arab Emirates: null}})",
        ),
        (  # a state on a power's seat: the example leaves the state, not the power, out
            "  USSR: {region: eurasia}\n",
            "",
            "9: states.USSR: 'USSR' is Russia in the vote data through the built-in alias "
            "table (USSR -> Russia), as is the actor 'Russia' (powers.Russia), who votes "
            f"under its own name: {_SEATS} to its own country, or to null if it has no seat "
            "of its own (e.g. observed: {names: {USSR: null}})",
        ),
        (  # one mapped by observed.names to the country the other's alias gives
            "  UAE: {region: gulf}\n  Emirates: {region: gulf}\n",
            "observed:\n  names: {Emirates: United Arab Emirates}\n",
            "16: observed.names.Emirates: 'United Arab Emirates' is also the UN name of 'UAE' "
            "(states.UAE), through the built-in alias table (UAE -> United Arab Emirates): "
            f"{_SEATS} to its own country, or to null if it has no seat of its own",
        ),
    ],
)
def test_two_actors_the_alias_table_puts_on_one_seat_are_refused_where_votes_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], states: str, observed: str, message: str
) -> None:
    """Two actors that meet in the vote data through the built-in alias table (decision
    H2): `observe --scenario` showed one of them (UAE's column gone, n_states 3 for four
    states) or took a state for "the power itself", and the patterns' link left one with
    no observed votes, all without a word. Refused in one line at the entry, wherever the
    vote data is read (observe, validate with the votes); the model does not read the
    votes, and without them the file is valid as before."""
    path = _mini_with(tmp_path, states, observed)
    votes = str(real_votes())
    out = tmp_path / "out.csv"
    argv = ["observe", "--votes", votes, "--power", "USA", "--scenario", str(path)]
    assert main([*argv, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"credsim: error: {path}:{message}\n")
    assert not out.exists()
    assert main(["validate", str(path), "--votes", votes]) == 2  # after mini's window warning
    assert capsys.readouterr().err.splitlines()[-1] == f"credsim: error: {path}:{message}"
    assert main(["validate", str(path)]) == 0


def test_an_actor_the_alias_table_shares_is_observed_once_mapped_to_null(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The refusal's repair (decision 722): the other actor keeps the seat, and is shown."""
    path = _mini_with(
        tmp_path,
        "  UAE: {region: gulf}\n  United Arab Emirates: {region: gulf}\n",
        "observed:\n  names: {United Arab Emirates: null}\n",
    )
    argv = ["observe", "--votes", str(real_votes()), "--power", "USA", "--scenario", str(path)]
    assert main([*argv, "--years", "2014-2014"]) == 0
    out, err = capsys.readouterr()
    assert "n_states" in out and "United Arab Emirates" in out
    assert "left out (no seat in the vote data): United Arab Emirates" in err


# --------------------------------------------------------------------------- real data


def _loop_agreement(
    folder: Path,
    power: str,
    state: str,
    year: int,
    rival: str | None = None,
    issue: str | None = None,
) -> tuple[float, int]:
    """An independent computation: dictionaries and a plain loop over one year's roll calls."""
    votes = pd.read_parquet(folder / "un_votes.parquet")
    calls = pd.read_parquet(folder / "un_roll_calls.parquet")
    issues = pd.read_parquet(folder / "un_roll_call_issues.parquet")
    in_year = {
        int(r)
        for r, d in zip(calls["rcid"], calls["date"], strict=True)
        if (np.datetime64("1970-01-01") + np.timedelta64(int(d), "D")).astype(object).year == year
    }
    if issue is not None:
        in_year &= {
            int(r) for r, s in zip(issues["rcid"], issues["short_name"], strict=True) if s == issue
        }
    score = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
    cast: dict[str, dict[int, float]] = {power: {}, state: {}, str(rival): {}}
    for r, c, v in zip(votes["rcid"], votes["country"], votes["vote"], strict=True):
        if c in cast and int(r) in in_year:
            cast[c][int(r)] = score[str(v)]
    total, count = 0.0, 0
    for rcid, s_power in cast[power].items():
        if rcid not in cast[state]:
            continue
        if rival is not None:
            s_rival = cast[str(rival)].get(rcid)
            if s_rival is None or {s_power, s_rival} != {0.0, 1.0}:
                continue
        total += 1.0 - abs(cast[state][rcid] - s_power)
        count += 1
    return total / count, count


@pytest.mark.parametrize(
    ("power", "state", "year", "rival", "issue"),
    [
        ("Russia", "India", 1962, None, None),
        ("Russia", "Saudi Arabia", 2016, "United States", None),
        ("United States", "Egypt", 2010, None, "me"),
    ],
)
def test_real_series_against_a_plain_loop(
    power: str, state: str, year: int, rival: str | None, issue: str | None
) -> None:
    folder = real_votes()
    expected = _loop_agreement(folder, power, state, year, rival, issue)
    data = load_votes(folder)
    measure = "split_agreement" if rival else "agreement"
    pairs = pair_agreement(
        data, power, [state], rival=rival, measure=measure, issue=issue, years=(year, year)
    )
    row = state_values(pairs).iloc[0]
    assert (row["value"], row["n_votes"]) == pytest.approx(expected)


def test_no_votes_in_1964_and_china_from_1971() -> None:
    data = load_votes(real_votes())
    pairs = pair_agreement(data, "Russia", ["China", "India"], years=(1960, 1975))
    years = state_values(pairs).groupby("state")["year"].agg(["min", "max"])
    assert 1964 not in set(pairs["year"])
    assert years.loc["China", "min"] == 1971
    assert years.loc["India", "min"] == 1960


# --------------------------------------------------------------------------- bad input


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    return err


def test_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_line_error(
        capsys,
        ["observe", "--votes", str(tmp_path / "nowhere"), "--power", "Russia", "--states", "India"],
    )
    assert "does not exist" in err and "doi:10.7910/DVN/LEJUQZ" in err


def test_a_file_given_for_the_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "un_votes.parquet"
    table.write_text("")
    err = _one_line_error(
        capsys, ["observe", "--votes", str(table), "--power", "Russia", "--states", "India"]
    )
    assert err == (
        f"credsim: error: vote data '{table}' is a file; --votes (or CREDSIM_VOTES) takes the "
        "folder holding the unvotes tables un_votes, un_roll_calls, un_roll_call_issues "
        f"(did you mean '{tmp_path}'?)\n"
    )


def test_no_folder_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CREDSIM_VOTES", raising=False)
    err = _one_line_error(capsys, ["observe", "--power", "Russia", "--states", "India"])
    assert "CREDSIM_VOTES" in err and "unvotes" in err


@pytest.mark.parametrize(
    ("table", "breaks", "message"),
    [
        ("un_roll_calls.csv", None, "no un_roll_calls.parquet or un_roll_calls.csv"),
        ("un_votes.csv", "rcid,nation,vote\n1,Gamma,yes\n", "column(s) country missing"),
        ("un_votes.csv", "rcid,country,vote\n1,Gamma,maybe\n", "'maybe' is not one of"),
        ("un_roll_calls.csv", "rcid,date\n1,someday\n", "date must be"),
    ],
)
def test_malformed_tables(
    hand: Path, capsys: pytest.CaptureFixture[str], table: str, breaks: str | None, message: str
) -> None:
    if breaks is None:
        (hand / table).unlink()
    else:
        (hand / table).write_text(breaks)
    err = _one_line_error(
        capsys, ["observe", "--votes", str(hand), "--power", "Alpha", "--states", "Gamma"]
    )
    assert message in err


def test_unknown_country_names_close_matches(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _one_line_error(
        capsys, ["observe", "--votes", str(hand), "--power", "Alpha", "--states", "Gama"]
    )
    assert "'Gama' is no country" in err and "Gamma" in err


@pytest.mark.parametrize(
    ("states", "said"),
    [
        ("Gamma,Gamma", "--states names Gamma twice; give each state once"),
        ("Gamma, United Arab Emirates,Gamma", "--states names Gamma twice; give each state once"),
        (
            "UAE,Gamma,United Arab Emirates",
            "--states names one state twice: UAE and United Arab Emirates are both United "
            "Arab Emirates in the vote data; give each state once",
        ),
    ],
    ids=["twice", "apart", "two-names"],
)
def test_a_state_named_twice_is_refused(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], states: str, said: str
) -> None:
    """`--states "Egypt,Egypt"` counted Egypt once without a word, most likely where
    another state was meant (decision 703, as decision 692 refuses a group's member
    listed twice); one state under two of its names too."""
    votes = hand / "un_votes.csv"
    votes.write_text(votes.read_text().replace("Delta", "United Arab Emirates"))
    out = tmp_path / "t.csv"
    argv = ["observe", "--votes", str(hand), "--power", "Alpha", "--states", states]
    err = _one_line_error(capsys, [*argv, "--out", str(out)])
    assert err == f"credsim: error: {said}\n"
    assert not out.exists()


def test_bad_years_and_issue(hand: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_line_error(
        capsys,
        [
            "observe",
            "--votes",
            str(hand),
            "--power",
            "Alpha",
            "--states",
            "Gamma",
            "--years",
            "2001-2000",
        ],
    )
    assert "ends before it starts" in err
    err = _one_line_error(
        capsys,
        ["observe", "--votes", str(hand), "--power", "Alpha", "--states", "Gamma", "--issue", "zz"],
    )
    assert "unknown issue code 'zz'" in err


@pytest.mark.parametrize(
    ("option", "said"),
    [
        ("--power", "give the power"),
        ("--rival", "or leave --rival out to measure plain agreement"),
        ("--years", "or leave --years out to take all years"),
        ("--group", "or leave --group out to take all its states"),
        ("--issue", "or leave --issue out to take all roll calls"),
    ],
)
def test_an_empty_option_is_refused_not_taken_for_absent(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, said: str
) -> None:
    """`--rival ""` (an unset shell variable) measured plain agreement, `--years ""` all
    years, `--group ""` all the scenario's states (an audit): each is refused, naming it."""
    out = tmp_path / "t.csv"
    values = {"--power": "Alpha", "--rival": "Beta", "--years": "2000", "--issue": "me"}
    argv = ["observe", "--votes", str(hand), "--out", str(out)]
    argv += ["--scenario", str(REPO / "scenarios" / "syria.yaml"), "--group", "all"]
    for name, value in values.items():
        argv += [name, value]
    argv[argv.index(option) + 1] = ""
    err = _one_line_error(capsys, argv)
    assert err.startswith(f"credsim: error: {option} is empty; ") and said in err
    assert not out.exists()


def test_observe_parquet_and_figure(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, plot = tmp_path / "t.parquet", tmp_path / "f.png"
    argv = [
        "observe",
        "--votes",
        str(hand),
        "--power",
        "Alpha",
        "--states",
        "Gamma,Delta",
        "--out",
        str(out),
        "--plot",
        str(plot),
    ]
    assert main(argv) == 0
    table = pd.read_parquet(out)
    assert table.loc[table["state"] == "group:states", "value"].tolist() == pytest.approx(
        [(0.75 + 2 / 3) / 2, 0.25]
    )
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_observe_with_no_roll_call_is_an_error_and_writes_nothing(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hand data's roll calls are of 2000 and 2001: 2005-2006 matches none."""
    out, plot = tmp_path / "t.csv", tmp_path / "f.png"
    err = _one_line_error(
        capsys,
        [
            "observe", "--votes", str(hand), "--power", "Alpha", "--rival", "Beta",
            "--states", "Gamma,Delta", "--years", "2005-2006", "--out", str(out),
            "--plot", str(plot),
        ],
    )  # fmt: skip
    assert (
        "no roll call matches (Alpha against Beta, 2 state(s), 2005-2006); "
        "the vote data has no roll call in 2005-2006 (it has roll calls in 2000-2001)"
    ) in err
    assert not out.exists() and not plot.exists()


def test_observe_with_the_power_as_its_own_rival_says_so(
    hand: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said only that no roll call matches (Alpha against Alpha), as if the years
    were wrong (decision 477)."""
    out = tmp_path / "t.csv"
    err = _one_line_error(
        capsys,
        [
            "observe", "--votes", str(hand), "--power", "Alpha", "--rival", "Alpha",
            "--states", "Gamma,Delta", "--years", "2000-2001", "--out", str(out),
        ],
    )  # fmt: skip
    assert "--power and --rival are the same country (Alpha); split agreement" in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("who", "years", "expected"),
    [
        (
            ["--power", "Delta", "--states", "Gamma"],
            "2001",
            "no roll call matches (Delta, 1 state(s), 2001); --power Delta has no votes in "
            "2001; it votes in 2000",
        ),
        (
            ["--power", "Alpha", "--rival", "Delta", "--states", "Gamma"],
            "2001",
            "; --rival Delta has no votes in 2001; it votes in 2000",
        ),
        (
            ["--power", "Gamma", "--states", "Delta"],
            "2001",
            "; none of the states has votes in 2001 (Delta votes in 2000)",
        ),
    ],
    ids=["power", "rival", "states"],
)
def test_observe_names_who_has_no_votes_in_the_years(
    hand: Path, capsys: pytest.CaptureFixture[str], who: list[str], years: str, expected: str
) -> None:
    """Delta votes in 2000 only (the module docstring's table): "no roll call matches"
    with the data's years blamed nothing; the one without votes is named, with its years."""
    err = _one_line_error(capsys, ["observe", "--votes", str(hand), *who, "--years", years])
    assert expected in err


def test_observe_says_no_roll_call_splits_the_power_and_its_rival(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The only `hr` roll call (2) has Alpha abstaining and Beta voting no: no roll call on
    `hr` splits them yes against no, though both, Gamma and the issue have votes in 2000.
    It said "the vote data has roll calls in 2000-2001" (an outside check, decision 839)."""
    argv = ["observe", "--votes", str(hand), "--power", "Alpha", "--rival", "Beta"]
    err = _one_line_error(capsys, [*argv, "--states", "Gamma", "--years", "2000", "--issue", "hr"])
    assert err.endswith(
        "); no roll call on issue hr in 2000 where Alpha and Beta voted yes against no\n"
    )


def test_a_power_without_votes_in_the_years_is_told_its_spans(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """South Africa cast no vote from 1975 to 1993 (read here from un_votes.parquet): the
    error gave its years as 1946-2020 (an outside check, decision 839). 1964, without a
    roll call, splits no span."""
    votes = pd.read_parquet(real_votes() / "un_votes.parquet", columns=["rcid", "country"])
    calls = pd.read_parquet(real_votes() / "un_roll_calls.parquet", columns=["rcid", "date"])
    when = pd.to_datetime(calls["date"], unit="D").dt.year
    years = set(when[calls["rcid"].isin(votes.loc[votes["country"] == "South Africa", "rcid"])])
    assert min(years) == 1946 and max(years) == 2020 and {1974, 1994} <= years
    assert not years & set(range(1975, 1994)) and not set(range(1946, 1975)) - years - {1964}
    assert not set(range(1994, 2021)) - years
    argv = ["observe", "--votes", str(real_votes()), "--power", "South Africa"]
    err = _one_line_error(capsys, [*argv, "--states", "France", "--years", "1978"])
    assert err.endswith(
        "; --power South Africa has no votes in 1978; it votes in 1946-1974 and 1994-2020\n"
    )


def test_observe_names_the_prc_and_1964(capsys: pytest.CaptureFixture[str]) -> None:
    """validation.md: the PRC votes from late 1971 only; there are no votes in 1964."""
    argv = ["observe", "--votes", str(real_votes()), "--power", "PRC", "--states", "India,Albania"]
    err = _one_line_error(capsys, [*argv, "--years", "1958-1962"])
    assert err.endswith(  # China's seat of those years: decision 835
        "; --power PRC (China in the vote data) has no votes in 1958-1962; it votes in 1971-2020"
        "; for 1958-1962 see 'Taiwan'\n"
    )
    err = _one_line_error(capsys, [*argv, "--years", "1964-1964"])
    assert err.endswith(
        "; the vote data has no roll call in 1964 (it has roll calls in 1946-1963 and 1965-2020)\n"
    )


def test_observed_figure_marks_whole_years(hand: Path) -> None:
    """Two years of values: matplotlib's default locator would put ticks at half years."""
    from sim.plots.observed import observed_figure

    table = observed_table(
        load_votes(hand), "Alpha", ["Gamma", "Delta"], "pair", rival=None, measure="agreement"
    )
    assert sorted(set(table["year"])) == [2000, 2001]
    ax = observed_figure(table).axes[0]
    lo, hi = ax.get_xlim()
    shown = [t for t in ax.get_xticks() if lo <= t <= hi]
    assert shown and all(float(t).is_integer() for t in shown)


def test_observed_figure_draws_a_state_at_0_or_1_over_the_grid(hand: Path) -> None:
    """`observe --states "Israel,Egypt,Jordan" --issue me`: states voting always with (1)
    or against (0) the power were drawn in grey 0.75 under the grid lines at 0 and 1
    (grey 0.8), and could not be seen on them."""
    from matplotlib.colors import to_rgb

    from sim.plots.observed import observed_figure

    table = observed_table(
        load_votes(hand), "Alpha", ["Gamma", "Delta"], "pair", rival=None, measure="agreement"
    )
    ax = observed_figure(table).axes[0]
    grid = ax.yaxis.get_gridlines()[0]
    # The states' lines, not the group mean's hollow markers over years on few roll calls
    # (decision 904).
    states = [
        ln
        for ln in ax.get_lines()
        if ln.get_linewidth() < 2 and len(ln.get_xdata()) and ln.get_gid() != "few_roll_calls"
    ]
    assert len(states) == 2
    for line in states:
        assert sum(to_rgb(line.get_color())) < sum(to_rgb(grid.get_color())) - 0.3


def test_observed_figure_names_the_issue_filter(hand: Path) -> None:
    """`observe --issue me --plot`: the title says the roll calls are the Palestinian
    conflict's (unvotes code me), else a reader takes them for all roll calls."""
    from sim.plots.observed import observed_figure

    table = observed_table(
        load_votes(hand), "Alpha", ["Gamma", "Delta"], "pair", rival=None, measure="agreement"
    )
    title = observed_figure(table, issue="me").axes[0].get_title(loc="left")
    assert "roll calls on Palestinian conflict (me)" in title
    assert "roll calls on" not in observed_figure(table).axes[0].get_title(loc="left")


def test_observed_figure_caption_says_how_many_states_the_mean_averages(hand: Path) -> None:
    """`observe --states "Israel,Palau" --issue me --years 1988-1996 --plot`: the mean was
    Israel's alone until 1995 and dropped in 1996 when Palau came in, and the caption did
    not say what the mean is of. Delta votes in 2000 only: 2 states then, 1 in 2001."""
    from sim.plots.observed import observed_figure

    table = observed_table(
        load_votes(hand), "Alpha", ["Gamma", "Delta"], "pair", rival=None, measure="agreement"
    )
    fig = observed_figure(table)
    caption = " ".join(t.get_text() for t in fig.texts)
    assert "each state alike, over those with a value that year" in caption
    assert "averages 2 states in 2000, 1 state in 2001" in caption
    steady = table[table["year"] == 2000]
    caption = " ".join(t.get_text() for t in observed_figure(steady).texts)
    assert "each state alike" in caption and "averages" not in caption


def test_observed_names_must_name_actors(tmp_path: Path) -> None:
    from sim.scenario import load_scenario

    mini = (REPO / "tests" / "data" / "scenarios" / "mini.yaml").read_text()
    path = tmp_path / "s.yaml"
    path.write_text(mini + "observed:\n  names: {Syira: Syria}\n")
    with pytest.raises(InputError, match=r"observed\.names\.Syira: unknown actor 'Syira'"):
        load_scenario(path)
    path.write_text(mini + "observed:\n  names: {Syria: null}\n")
    observed = load_scenario(path).observed
    assert observed is not None and observed.names == {"Syria": None}


def test_observe_says_what_the_data_cannot_show(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The hand data has roll calls in 2000 (three) and 2001 (two): --years 1999-2003
    asks for years it lacks, and both years' values rest on few roll calls (the real
    data's 2020 has one, reported as agreement 1.000 like any other year)."""
    argv = ["observe", "--votes", str(hand), "--power", "Alpha", "--states", "Gamma,Delta"]
    assert main([*argv, "--years", "1999-2003"]) == 0
    err = capsys.readouterr().err
    assert "roll calls in 2000-2001; none in 1999 or 2002-2003, asked for by --years" in err
    assert (
        "few roll calls behind these years' values: 2000 (3 roll calls), 2001 (2 roll calls)" in err
    )
    assert main([*argv, "--years", "2000-2001"]) == 0
    assert "asked for by --years" not in capsys.readouterr().err


def test_year_spans_by_hand() -> None:
    from sim.observed.votes import silence, year_spans

    assert year_spans([2023, 1964, 2021, 2022, 1946, 1947]) == ["1946-1947", "1964", "2021-2023"]
    years = [1946, 1947, 1949]
    assert silence((1948, 1948), years, []) == (
        "the vote data has no roll call in 1948 (it has roll calls in 1946-1947 and 1949)"
    )
    assert silence((1946, 1949), years, [("X", [1949]), ("Y", [1946])]) is None
    assert silence((1946, 1947), years, [("X", [1949])]) == (
        "X has no votes in 1946-1947; it votes in 1949"
    )


def test_observe_notes_1964_inside_the_years_asked(capsys: pytest.CaptureFixture[str]) -> None:
    """A year without any roll call inside the data's range (1964) is noted as the years
    past its end are: its group value is simply missing from the table."""
    argv = ["observe", "--votes", str(real_votes()), "--power", "Russia", "--states", "India"]
    assert main([*argv, "--years", "1962-1966"]) == 0
    err = capsys.readouterr().err
    assert "the vote data has roll calls in 1946-2020; none in 1964, asked for by --years" in err


def drawn_figures(monkeypatch: pytest.MonkeyPatch, module: Any = None) -> list[Figure]:
    """The figures the commands render from now on (``sim.plots.figure.render`` is watched,
    or ``module``'s own ``render``, bound when it was imported), so that a test reads a
    written figure's axes rather than its PNG."""
    import sim.plots.figure

    where = module if module is not None else sim.plots.figure
    figures: list[Figure] = []
    render = where.render

    def watched(fig: Figure, fmt: str = "png") -> bytes:
        figures.append(fig)
        return render(fig, fmt)

    monkeypatch.setattr(where, "render", watched)
    return figures


def _caption(fig: Figure) -> str:
    return " ".join(text.get_text() for text in fig.texts)


def test_observe_figure_names_the_powers_as_the_user_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`observe --power USSR --rival PRC --plot` was titled "Agreement with Russia (votes
    split against China)": the vote data's names, not those asked for. Its y label said
    "Agreement on split votes", not with whom against whom."""
    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(real_votes()), "--power", "USSR", "--rival", "PRC"]
    argv += ["--states", "India,Albania", "--years", "1971-1975"]
    assert main([*argv, "--plot", str(tmp_path / "f.png")]) == 0
    ax = figures[0].axes[0]
    assert ax.get_title(loc="left") == "Agreement with the USSR (votes split against the PRC)"
    assert ax.get_ylabel() == (
        "Agreement with the USSR\non votes splitting the USSR and the PRC (0 to 1)"
    )


def test_observe_figure_says_which_years_asked_it_cannot_show(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--years 1955-1975` of the USSR against the PRC has values in 1971-1975 only (the
    PRC votes from late 1971; no roll call in 1964): the figure showed 1971-1975 and
    said nothing of the rest. The caption now says which years lack a value, and why."""
    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(real_votes()), "--power", "USSR", "--rival", "PRC"]
    argv += ["--states", "India,Albania", "--years", "1955-1975"]
    assert main([*argv, "--plot", str(tmp_path / "f.png")]) == 0
    assert (
        "Years asked 1955-1975: values in 1971-1975 only; in 1964 the vote data has no roll "
        "call; in 1955-1963 and 1965-1970 the PRC cast no vote (see 'Taiwan')."
    ) in _caption(figures[0])  # where China's seat voted then (decision 835)


def test_observe_figure_says_why_a_year_of_split_votes_lacks_a_value(
    hand: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The module docstring's table: 1999 has no roll call; in 2001 Alpha and Beta split
    on roll call 5 only, where Delta is absent; 2000 has Delta's votes on 1 and 3."""
    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(hand), "--power", "Alpha", "--rival", "Beta"]
    argv += ["--states", "Delta", "--years", "1999-2001", "--plot", str(tmp_path / "f.png")]
    assert main(argv) == 0
    assert (
        "Years asked 1999-2001: values in 2000 only; in 1999 the vote data has no roll call; "
        "in 2001 no roll call where Alpha and Beta voted yes against no has a vote of the "
        "states."
    ) in _caption(figures[0])
    assert main([*argv[:-3], "2000-2000", "--plot", str(tmp_path / "f.png")]) == 0
    assert "Years asked" not in _caption(figures[1])


def test_observed_figure_breaks_its_lines_at_a_year_without_votes(hand: Path) -> None:
    """`observe ... --years 1960-1968` joined 1963 to 1965 over 1964, a year without a
    roll call, as if votes had moved smoothly through it. Here the hand table's 2001 is
    moved to 2003: every line must hold NaN at 2001 and 2002, so that it breaks there."""
    from sim.plots.observed import observed_figure

    table = observed_table(
        load_votes(hand), "Alpha", ["Gamma", "Delta"], "pair", rival=None, measure="agreement"
    )
    table["year"] = table["year"].replace(2001, 2003)
    lines = [ln for ln in observed_figure(table).axes[0].get_lines() if len(ln.get_xdata())]
    broken = [ln for ln in lines if list(ln.get_xdata()) == [2000, 2001, 2002, 2003]]
    assert len(broken) == 2  # the group and Gamma (Delta votes in 2000 only)
    for line in broken:
        values = np.asarray(line.get_ydata(), dtype=float)
        assert np.isfinite(values[[0, 3]]).all() and np.isnan(values[[1, 2]]).all()


def test_observed_figure_draws_the_group_in_black_and_names_it_in_words(
    hand: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The group's mean was drawn in the USA's blue (the power palette's first colour)
    and named "states (mean of states)" after its identifier."""
    from matplotlib.colors import to_hex

    from sim.plots.palette import OKABE_ITO

    figures = drawn_figures(monkeypatch)
    argv = ["observe", "--votes", str(hand), "--power", "Alpha", "--states", "Gamma,Delta"]
    assert main([*argv, "--plot", str(tmp_path / "f.png")]) == 0
    ax = figures[0].axes[0]
    group = next(ln for ln in ax.get_lines() if ln.get_linewidth() == 2.2)
    assert to_hex(group.get_color()) == "#000000"
    assert all(to_hex(ln.get_color()) not in OKABE_ITO[:6] for ln in ax.get_lines())
    legend = ax.get_legend()
    assert legend is not None
    # A few states are told apart, in print too (an audit: Gamma and Delta were two
    # identical grey lines named "One state"): each has its own grey, dashes and marker.
    # The hand-made votes hold a roll call or two a year, so the legend names the hollow
    # markers too (decision 904).
    expected = ["The states given, mean", "Delta", "Gamma", "Fewer than 5 roll calls"]
    assert [t.get_text() for t in legend.get_texts()] == expected
    states = [ln for ln in ax.get_lines() if ln.get_label() in ("Delta", "Gamma")]
    styles = {(ln.get_color(), ln.get_linestyle(), ln.get_marker()) for ln in states}
    assert len(states) == len(styles) == 2
    assert ax.get_ylabel() == "Vote agreement with Alpha (0 to 1)"


def test_observe_says_which_years_the_states_cast_no_vote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An audit asked for Iraq's agreement with the USA in 1996-2008: the table began in
    2004, without a word on the terminal (the figure's caption said why). The note now
    says it; a year without any roll call is noted once, as before."""
    argv = ["observe", "--votes", str(real_votes()), "--power", "USA", "--states", "Iraq"]
    assert main([*argv, "--years", "1996-2008"]) == 0
    out, err = capsys.readouterr()
    assert "\n2004 " in out and "\n2003 " not in out
    assert (
        "credsim: note: years asked 1996-2008: values in 2004-2008 only; in 1996-2003 no roll "
        "call has a vote of the states\n"
    ) in err
    argv = ["observe", "--votes", str(real_votes()), "--power", "Russia", "--states", "India"]
    assert main([*argv, "--years", "1962-1966"]) == 0
    assert capsys.readouterr().err.count("1964") == 1


def test_the_power_and_the_rival_among_the_states_are_noted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An outside check: the rival listed in --states kept its split agreement of 0 (by
    construction) in the group's mean, which it halved, and the power was dropped
    silently. Both are said on stderr (decision 606)."""
    argv = ["observe", "--votes", str(real_votes()), "--power", "USSR", "--rival", "USA"]
    assert main([*argv, "--states", "India,USA,Russia", "--years", "1963-1963"]) == 0
    captured = capsys.readouterr()
    assert "credsim: note: Russia is the power itself; left out\n" in captured.err
    assert (
        "credsim: note: USA (United States in the vote data) is the rival itself: its split "
        "agreement with Russia is 0 by construction, and it counts in the group's mean"
    ) in captured.err
    assert main([*argv, "--states", "India,Egypt", "--years", "1963-1963"]) == 0
    assert "itself" not in capsys.readouterr().err


# --------------------------------------------------------------------------- audit (631)


def test_observe_records_the_issue_filter_with_every_row(tmp_path: Path) -> None:
    """An issue-filtered table read like an unfiltered one: both said measure
    split_agreement (an outside audit; decision 631)."""
    votes = real_votes()
    base = ["observe", "--votes", str(votes), "--power", "USSR", "--rival", "USA",
            "--states", "India,Egypt", "--years", "1970-1971"]  # fmt: skip
    assert main([*base, "--issue", "me", "--out", str(tmp_path / "me.csv")]) == 0
    assert main([*base, "--out", str(tmp_path / "all.parquet")]) == 0
    assert set(pd.read_csv(tmp_path / "me.csv")["issue"]) == {"me"}
    assert set(pd.read_parquet(tmp_path / "all.parquet")["issue"]) == {""}


def test_a_group_of_states_without_a_seat_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """South Vietnam's group printed a "left out" line, then "no roll call matches ...;
    the vote data has roll calls in 1946-2020", beside the point."""
    votes = real_votes()
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "vietnam_usa.yaml"
    argv = ["observe", "--votes", str(votes), "--power", "USA", "--rival", "USSR",
            "--scenario", str(scenario), "--group", "south_vietnam",
            "--years", "1970-1972"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(
        "credsim: error: group 'south_vietnam' holds only South Vietnam, which has no seat "
        "in the vote data"
    )


def test_the_observe_figure_says_which_years_rest_on_few_roll_calls(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The warning went to the terminal only, so a saved figure showed a 1995 dip resting
    on one roll call without a word (patterns check's figures say it)."""
    import sim.plots.observed

    notes: list[str] = []
    real = sim.plots.observed.observed_figure

    def kept(*args: object, **kwargs: object) -> object:
        notes.append(str(kwargs["note"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(sim.plots.observed, "observed_figure", kept)
    argv = ["observe", "--votes", str(real_votes()), "--power", "Russia", "--rival", "USA",
            "--states", "India,Egypt", "--years", "1992-1999", "--issue", "ec",
            "--plot", str(tmp_path / "ec.png")]  # fmt: skip
    assert main(argv) == 0
    (note,) = notes
    assert (
        "Few roll calls behind these years' values (hollow markers, joined by dotted lines): "
        "1992 (2 roll calls), "
        "1994 (1 roll call)" in note
    )


def test_the_names_of_close_states_do_not_run_into_each_other() -> None:
    """A correlation panel named each state at a fixed offset from its point, so the
    names of close states ran into each other ("Bahrain" over "Kuwait"; an audit,
    decision 640). Twelve states in a tight cluster: no two names' boxes overlap, each
    name stays near its point, and the same input gives the same places."""
    import matplotlib.pyplot as plt

    from sim.plots.observed import correlation_panel

    rng = np.random.default_rng(3)
    gap = np.linspace(-0.2, 0.2, 12)
    votes = 0.8 + 0.02 * rng.standard_normal(12)
    states = [f"State number {i}" for i in range(12)]

    def places() -> list[tuple[float, float, float, float]]:
        fig, ax = plt.subplots(figsize=(7, 3.8))
        correlation_panel(ax, gap, votes, states, r=0.1, years=(2000, 2004),
                          xlabel="x", ylabel="y")  # fmt: skip
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text()]
        assert [t.get_text() for t in ax.texts if t.get_text()] == states
        for text, x, y in zip((t for t in ax.texts if t.get_text()), gap, votes, strict=True):
            px, py = ax.transData.transform((x, y))
            box = text.get_window_extent(renderer)
            # Within 2 inches of its point (dpi 100): beside it, not across the panel.
            assert abs((box.x0 + box.x1) / 2 - px) < 200 and abs((box.y0 + box.y1) / 2 - py) < 200
        plt.close(fig)
        return [(b.x0, b.y0, b.x1, b.y1) for b in boxes]

    first = places()
    for i, a in enumerate(first):
        for b in first[i + 1 :]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
            assert not (overlap[0] > 0 and overlap[1] > 0), (a, b)
    assert places() == first


def _refused(
    hand: Path, capsys: pytest.CaptureFixture[str], *extra: str, states: str = "Beta"
) -> str:
    """``observe`` on the hand-made votes, refused (exit 2): its stderr, stripped."""
    argv = ["observe", "--votes", str(hand), "--power", "Alpha", "--states", states]
    assert main([*argv, *extra]) == 2
    return capsys.readouterr().err.strip()


def test_an_empty_votes_table_is_said_to_be_empty(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An un_votes table with its header and no row was read as "'Alpha' is no country of
    the UN vote data" (an audit of validation.md, decision 645)."""
    (hand / "un_votes.csv").write_text("rcid,country,country_code,vote\n")
    err = _refused(hand, capsys)
    assert err.startswith(
        f"credsim: error: {os.path.join(str(hand), 'un_votes.csv')}: the table has no rows; "
    )
    assert len(err.splitlines()) == 1


def test_a_year_without_a_roll_call_on_the_issue_is_said_so(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """2001 has roll calls, none on hr: the error said only that the data has roll calls
    in 2000-2001 (an audit of validation.md, decision 645)."""
    assert _refused(hand, capsys, "--years", "2001-2001", "--issue", "hr") == (
        "credsim: error: no roll call matches (Alpha, 1 state(s), 2001, issue hr); no roll "
        "call in 2001 is on issue hr (its roll calls: 2000)"
    )


def test_states_that_are_only_the_power_itself_are_one_line(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--power Alpha --states Alpha` gave a note that Alpha is left out, then "no roll
    call matches (Alpha, 0 state(s))" with the data's years (an audit, decision 645)."""
    assert _refused(hand, capsys, states="Alpha") == (
        "credsim: error: --states holds only the power itself (Alpha); give the states whose "
        "votes to compare with Alpha's"
    )


def test_an_issue_code_in_capitals_is_suggested_in_lower_case(
    hand: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--issue ME` listed the codes without saying which was meant (decision 649)."""
    assert _refused(hand, capsys, "--issue", "ME").endswith("(did you mean 'me'?)")


def test_years_pasted_with_an_en_or_em_dash_are_read() -> None:
    """``--years 2012–2013`` (an en dash, as a range pasted from a paper) was refused with
    "must look like 2009-2019", which looks the same on screen (decision 791)."""
    from sim.observed.observe import parse_years

    for text in ("2012-2013", "2012\u20132013", "2012 \u2014 2013"):
        assert parse_years(text) == (2012, 2013)
    for text in ("2012\u20132013\u20132014", "2012_2013", "2012\u2013"):
        with pytest.raises(InputError, match="must look like 2009-2019"):
            parse_years(text)


def test_close_matches_are_the_datas_countries_and_both_congos() -> None:
    """An outside check (decision 823): a scenario's ``Congo`` got "close matches: DR Congo,
    Togo, ..." (an alias of the other Congo first), ``observed.names`` mapping to
    "Republic of the Congo" (an alias, not the data's name) was told of that very name
    among three other republics, and ``--states Congo`` got no suggestion at all. Now a
    name that is a word of several countries names them all, an alias is said as the
    country it stands for, and a match is always one of the data's own names."""
    countries = [
        "Congo - Brazzaville", "Congo - Kinshasa", "Togo", "Mongolia", "South Korea",
        "North Korea", "China", "Federal Republic of Germany", "Syria",
    ]  # fmt: skip
    with pytest.raises(InputError) as caught:
        un_name("Congo", countries)
    assert "close matches: Congo - Brazzaville, Congo - Kinshasa, " in str(caught.value)
    assert "DR Congo" not in str(caught.value)
    with pytest.raises(InputError) as caught:
        un_name("Congo", countries, {"Congo": "Republic of the Congo"})
    said = str(caught.value)
    assert "'Republic of the Congo' is no country of the UN vote data, which calls it " in said
    assert "'Congo - Brazzaville'" in said and "close matches" not in said
    with pytest.raises(InputError) as caught:
        un_name("Congo", countries, option="--states")
    assert "(did you mean 'Congo - Brazzaville' or 'Congo - Kinshasa'?)" in str(caught.value)
    with pytest.raises(InputError) as caught:
        un_name("Korea", countries)
    assert "close matches: North Korea, South Korea" in str(caught.value)
    for name in ("Congo", "Korea", "Republic of Kongo"):
        with pytest.raises(InputError) as caught:
            un_name(name, countries)
        listed = str(caught.value).partition("close matches: ")[2].partition(";")[0]
        assert all(match in countries for match in listed.split(", ") if listed), listed


# --------------------------------------------------------------------------- decision 835


def _voting_years() -> dict[str, set[int]]:
    """Each country's years with a vote, read from the parquet here, not by the tool."""
    votes = real_votes()
    rows = pd.read_parquet(votes / "un_votes.parquet", columns=["rcid", "country"])
    calls = pd.read_parquet(votes / "un_roll_calls.parquet", columns=["rcid", "date"])
    year = pd.to_datetime(calls["date"], unit="D").dt.year
    rows = rows.merge(pd.DataFrame({"rcid": calls["rcid"], "year": year}), on="rcid")
    return {c: set(map(int, ys)) for c, ys in rows.groupby("country")["year"].unique().items()}


def _span(years: set[int], within: range | None = None) -> str:
    """``2011-2020``: the first and last of ``years`` (in ``within``), checked unbroken but
    for 1964, which has no roll call at all."""
    kept = sorted(y for y in years if within is None or y in within)
    assert set(range(kept[0], kept[-1] + 1)) - set(kept) <= {1964}, kept
    return f"{kept[0]}-{kept[-1]}"


@pytest.mark.parametrize(
    ("argv", "state", "said"),
    [
        (
            ["--power", "Russia", "--states", "Egypt,South Sudan", "--years", "2000-2005"],
            "South Sudan",
            lambda years: f"South Sudan (votes in {_span(years['South Sudan'])} only)",
        ),
        (
            ["--power", "China", "--states", "India,Taiwan", "--years", "1970-1973"],
            "Taiwan",
            lambda years: (
                f"Taiwan (its votes in {_span(years['Taiwan'], range(1970, 1974))} fall on no "
                "roll call China voted on)"
            ),
        ),
    ],
    ids=["no-votes", "no-roll-call-with-the-power"],
)
def test_a_state_without_a_value_in_the_years_asked_is_noted(
    capsys: pytest.CaptureFixture[str], argv: list[str], state: str, said: Any
) -> None:
    """An outside check (decision 835): a state named in --states without a value in the
    years asked vanished from the table (n_states 1) without a word. One note names it,
    with the years it votes in (read from the parquet here); the exit code stays 0."""
    years = _voting_years()
    assert main(["observe", "--votes", str(real_votes()), *argv]) == 0
    out, err = capsys.readouterr()
    assert state not in out
    first, _, last = argv[-1].partition("-")
    notes = [line for line in err.splitlines() if "left out (no value" in line]
    assert notes == [f"credsim: note: left out (no value in {first}-{last}): {said(years)}"]


def test_a_scenario_actor_without_votes_in_the_years_is_noted_with_the_seat_that_has_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario's West Germany is the data's Federal Republic of Germany, which stops
    voting at unification; asked for 2000-2002 it vanished from the group. The note names
    it, its data name and years, and Germany, which votes in those years."""
    years = _voting_years()
    assert {2000, 2001, 2002} <= years["Germany"]
    path = _mini_with(tmp_path, "  West Germany: {region: europe}\n")
    argv = ["observe", "--votes", str(real_votes()), "--power", "USA", "--scenario", str(path)]
    assert main([*argv, "--years", "2000-2002"]) == 0
    err = capsys.readouterr().err
    frg = _span(years["Federal Republic of Germany"])
    assert (
        "credsim: note: left out (no value in 2000-2002): West Germany (Federal Republic of "
        f"Germany in the vote data; votes in {frg} only; for 2000-2002 see 'Germany')\n"
    ) in err


# Official and common names the data spells otherwise (decision 835), written by hand.
_OFFICIAL = {
    "Russian Federation": "Russia",
    "Syrian Arab Republic": "Syria",
    "Serbia": "Yugoslavia",
    "Serbia and Montenegro": "Yugoslavia",
    "Iran (Islamic Republic of)": "Iran",
    "Democratic People's Republic of Korea": "North Korea",
    "Republic of Korea": "South Korea",
    "Viet Nam": "Vietnam",
    "Lao People's Democratic Republic": "Laos",
    "Bolivia (Plurinational State of)": "Bolivia",
    "Venezuela (Bolivarian Republic of)": "Venezuela",
    "United Republic of Tanzania": "Tanzania",
    "Côte d'Ivoire": "Côte d’Ivoire",
    "Czech Republic": "Czechia",
    "Türkiye": "Turkey",
    "Swaziland": "Eswatini",
    "Myanmar": "Myanmar (Burma)",
    "Cabo Verde": "Cape Verde",
}


def test_official_and_successor_names_are_read_under_the_datas_name() -> None:
    """``--states Serbia`` and ``"Russian Federation"`` were refused without a hint, and
    ``"Syrian Arab Republic"`` was told "did you mean 'Yemen Arab Republic'?": the data
    has them as Yugoslavia, Russia and Syria (its names read from the parquet here)."""
    countries = set(_voting_years())
    for official, data_name in _OFFICIAL.items():
        assert official not in countries and data_name in countries, official
        assert un_name(official, countries, option="--states") == data_name


def test_a_name_read_under_another_is_noted_and_measured_as_the_datas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The names typed in --states that the data has under another name are said once,
    with the name read; the values are those of the data's names given directly."""
    base = ["observe", "--votes", str(real_votes()), "--power", "USA", "--years", "2010-2011"]
    assert main([*base, "--states", "Serbia,Syrian Arab Republic,Egypt"]) == 0
    aliased = capsys.readouterr()
    assert main([*base, "--states", "Yugoslavia,Syria,Egypt"]) == 0
    direct = capsys.readouterr()
    assert aliased.out == direct.out
    notes = [line for line in aliased.err.splitlines() if "read as" in line]
    assert notes == [
        "credsim: note: read as the vote data names them: Serbia as Yugoslavia (a seat it "
        "shares with its predecessor), Syrian Arab Republic as Syria"
    ]
    assert "read as" not in direct.err


def test_a_scenario_actor_named_serbia_reads_yugoslavia_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scenario's Serbia got "close matches: Syria, Nigeria, Liberia, Georgia"; it is
    the data's Yugoslavia, said in a note, while the alias table's plain abbreviations of
    a scenario (USA) are not."""
    path = _mini_with(tmp_path, "  Serbia: {region: europe}\n")
    argv = ["observe", "--votes", str(real_votes()), "--power", "Russia", "--scenario", str(path)]
    assert main([*argv, "--years", "2014-2015"]) == 0
    captured = capsys.readouterr()
    assert "Yugoslavia" in captured.out
    assert (
        "credsim: note: read as the vote data names them: Serbia as Yugoslavia (a seat it "
        "shares with its predecessor)\n"
    ) in captured.err


def test_years_a_name_lacks_point_to_the_seats_that_hold_them(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Yemen votes from 1991 in the data, the two Yemens and the two Germanys before:
    asked for years before, the error and the note say where those years' votes are."""
    years = _voting_years()
    votes = str(real_votes())
    asked = set(range(1980, 1986))
    assert not years["Yemen"] & asked
    assert years["Yemen Arab Republic"] & asked and years["Yemen People's Republic"] & asked
    argv = ["observe", "--votes", votes, "--power", "Russia", "--states", "Yemen"]
    err = _one_line_error(capsys, [*argv, "--years", "1980-1985"])
    assert err.endswith(
        f"(Yemen votes in {_span(years['Yemen'])}, for 1980-1985 see 'Yemen Arab Republic' "
        "and 'Yemen People's Republic')\n"
    )
    lacking = set(range(1985, 1996)) - years["Germany"]
    argv = ["observe", "--votes", votes, "--power", "Russia", "--states", "Egypt,Germany"]
    assert main([*argv, "--years", "1985-1995"]) == 0
    assert (
        "credsim: note: no votes in some years asked, under another name in the vote data: "
        f"Germany in {_span(lacking)} (see 'Federal Republic of Germany' and 'German "
        "Democratic Republic')\n"
    ) in capsys.readouterr().err
