"""UN General Assembly roll-call votes: reading the tables and the agreement measures.

The data (validation.md, "The data") is the three-table layout of the R
package ``unvotes``: ``un_votes`` (rcid, country, vote), ``un_roll_calls``
(rcid, date) and ``un_roll_call_issues`` (rcid, short_name), as Parquet or
CSV files of those names in one folder, named by ``--votes DIR`` or the
environment variable ``CREDSIM_VOTES``. :func:`load_votes` reads and checks
them once per folder and process (later calls return the cached tables).

The measures (validation.md, "Measures"): votes score yes = 1, abstain =
0.5, no = 0; absences are not votes.

- ``agreement(o, p, y)``: the mean over the roll calls of year ``y`` on which
  both ``o`` and ``p`` voted of ``1 - |s_o - s_p|``;
- ``split_agreement(o, p, q, y)``: the same over the roll calls where ``p``
  and its rival ``q`` voted yes against no (either way round);
- an optional issue code restricts the roll calls;
- a group's value for a year is the mean of its member states' values over
  the members that voted that year (equal weights), with the number of
  states and of distinct roll calls that entered it.

Everything is vectorised with pandas: no Python loop runs over votes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.errors import InputError, count_text

VOTES_ENV = "CREDSIM_VOTES"
SCORES: dict[str, float] = {"yes": 1.0, "abstain": 0.5, "no": 0.0}
ISSUE_CODES: dict[str, str] = {
    "me": "Palestinian conflict",
    "nu": "nuclear weapons and nuclear material",
    "di": "arms control and disarmament",
    "hr": "human rights",
    "co": "colonialism",
    "ec": "economic development",
}
MEASURES = ("agreement", "split_agreement")
WHERE_TO_GET = (
    "the UN votes can be had from Voeten, Strezhnev and Bailey, Harvard Dataverse "
    "doi:10.7910/DVN/LEJUQZ, or the R package unvotes (un_votes, un_roll_calls, "
    "un_roll_call_issues as Parquet or CSV)"
)
_TABLES: dict[str, tuple[str, ...]] = {
    "un_votes": ("rcid", "country", "vote"),
    "un_roll_calls": ("rcid", "date"),
    "un_roll_call_issues": ("rcid", "short_name"),
}


@dataclass
class VoteData:
    """The votes of one folder, ready for the measures.

    Attributes:
        folder: where the tables were read from (as given).
        votes: one row per recorded vote: ``rcid`` (int64), ``country``
            (str), ``score`` (1, 0.5, 0), ``year`` (int64).
        issues: ``rcid`` and ``short_name`` (the issue codes of each roll call).
        countries: every country name in the votes, sorted.
    """

    folder: str
    votes: pd.DataFrame
    issues: pd.DataFrame
    countries: list[str]
    _by_country: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def of(self, country: str) -> pd.DataFrame:
        """The votes of one country (``rcid, score, year``), indexed by rcid; cached."""
        if country not in self._by_country:
            rows = self.votes.loc[self.votes["country"] == country, ["rcid", "score", "year"]]
            self._by_country[country] = rows.set_index("rcid")
        return self._by_country[country]

    def years(self) -> list[int]:
        """The years that have at least one roll call."""
        return sorted(int(y) for y in self.votes["year"].unique())

    def years_in(self, span: tuple[int, int] | None) -> list[int]:
        """The years of ``span`` (first, last; every year when None) that have a roll call."""
        return [y for y in self.years() if span is None or span[0] <= y <= span[1]]

    def year_range(self) -> tuple[int, int]:
        """The first and the last year that have a roll call."""
        years = self.years()
        return years[0], years[-1]

    def issue_years(self, issue: str) -> list[int]:
        """The years that have a roll call on ``issue`` (an unvotes issue code)."""
        calls = self.issues.loc[self.issues["short_name"] == issue, "rcid"]
        return sorted(
            int(y) for y in self.votes.loc[self.votes["rcid"].isin(calls), "year"].unique()
        )

    def voting_years(self, country: str) -> list[int]:
        """The years in which ``country`` cast a vote (a UN name; empty for none)."""
        return sorted(int(y) for y in self.of(country)["year"].unique())


_CACHE: dict[Path, VoteData] = {}


def votes_folder(given: str | os.PathLike[str] | None) -> str:
    """The folder to read: ``given``, else ``$CREDSIM_VOTES``.

    Raises:
        InputError: neither is set.
    """
    if given:
        return str(given)
    env = os.environ.get(VOTES_ENV)
    if env:
        return env
    raise InputError(f"no vote data: give --votes DIR or set {VOTES_ENV}; {WHERE_TO_GET}")


def load_votes(folder: str | os.PathLike[str] | None = None) -> VoteData:
    """Read and check the three tables of ``folder`` (default: ``$CREDSIM_VOTES``).

    Returns:
        The votes, cached per folder for the rest of the process.

    Raises:
        InputError: the folder, a table or a column is missing, or a table is
            malformed; the message says where the data can be had.
    """
    shown = votes_folder(folder)
    path = Path(shown)
    key = path.resolve()
    if key in _CACHE:
        return _CACHE[key]
    if path.is_file():
        tip = f" (did you mean '{path.parent}'?)" if path.stem in _TABLES else ""
        raise InputError(
            f"vote data '{shown}' is a file; --votes (or {VOTES_ENV}) takes the folder holding "
            f"the unvotes tables {', '.join(_TABLES)}{tip}"
        )
    if not path.is_dir():
        # A stale $CREDSIM_VOTES was said as the folder alone, and the user had not
        # typed it (an outside check, decision 934).
        came = (
            f" (from {VOTES_ENV}; give --votes DIR or set {VOTES_ENV} to the folder holding "
            "the unvotes tables)"
            if not folder
            else ""
        )
        raise InputError(f"vote data folder '{shown}' does not exist{came}; {WHERE_TO_GET}")
    tables = {name: _read_table(path, shown, name, columns) for name, columns in _TABLES.items()}
    data = _prepare(
        shown, tables["un_votes"], tables["un_roll_calls"], tables["un_roll_call_issues"]
    )
    _CACHE[key] = data
    return data


def _read_table(path: Path, shown: str, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    """One table as Parquet (preferred) or CSV, with its needed columns."""
    parquet, csv = path / f"{name}.parquet", path / f"{name}.csv"
    file = parquet if parquet.is_file() else csv
    where = os.path.join(shown, file.name)
    if not file.is_file():
        raise InputError(
            f"vote data folder '{shown}' has no {name}.parquet or {name}.csv; {WHERE_TO_GET}"
        )
    if not os.access(file, os.R_OK):
        # Arrow's "[Errno 13] Failed to open local file ..." was shown, with where to get
        # the votes, which the user has (an audit of the commands' options).
        raise InputError(f"{where}: cannot be read: permission denied (give yourself read access)")
    try:
        if file.suffix == ".parquet":
            table = pd.read_parquet(file)
        else:
            table = pd.read_csv(file, low_memory=False)
    except (OSError, ValueError, pa.ArrowException, pd.errors.ParserError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"{where}: is not a readable {file.suffix[1:]} table ({reason}); {WHERE_TO_GET}"
        ) from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(
            f"{where}: column(s) {', '.join(missing)} missing; the table needs "
            f"{', '.join(columns)}; {WHERE_TO_GET}"
        )
    if table.empty and name != "un_roll_call_issues":  # a roll call may have no issue code
        # An empty un_votes was read as "'Russia' is no country of the UN vote data"
        # (an audit, decision 645).
        raise InputError(f"{where}: the table has no rows; {WHERE_TO_GET}")
    return table[list(columns)]


def _prepare(
    shown: str, votes: pd.DataFrame, roll_calls: pd.DataFrame, issues: pd.DataFrame
) -> VoteData:
    """Scores, years and integer roll-call ids; malformed values are input errors."""

    def malformed(table: str, what: str) -> InputError:
        return InputError(f"{os.path.join(shown, table)}: {what}; {WHERE_TO_GET}")

    try:
        rcid = pd.to_numeric(votes["rcid"], errors="raise").astype("int64")
        call_ids = pd.to_numeric(roll_calls["rcid"], errors="raise").astype("int64")
        issue_ids = pd.to_numeric(issues["rcid"], errors="raise").astype("int64")
    except (ValueError, TypeError):
        raise malformed(
            "un_votes/un_roll_calls/un_roll_call_issues", "rcid must be whole numbers"
        ) from None
    vote = votes["vote"].astype("string").str.strip().str.lower()
    score = vote.map(SCORES)
    bad = score.isna()
    if bad.any():
        raise malformed(
            "un_votes",
            f"vote '{vote[bad].iloc[0]}' is not one of yes, abstain, no",
        )
    dates = roll_calls["date"]
    try:
        when = (
            pd.to_datetime(pd.to_numeric(dates), unit="D")
            if pd.api.types.is_numeric_dtype(dates)
            else pd.to_datetime(dates.astype("string"), format="ISO8601")
        )
    except (ValueError, TypeError):
        raise malformed(
            "un_roll_calls", "date must be days since 1970-01-01 or YYYY-MM-DD"
        ) from None
    if when.isna().any():
        raise malformed("un_roll_calls", "some roll calls have no date")
    year_of = pd.Series(when.dt.year.to_numpy(dtype=np.int64), index=call_ids.to_numpy())
    year_of = year_of[~year_of.index.duplicated()]
    year = rcid.map(year_of)
    if year.isna().any():
        raise malformed("un_votes", f"roll call {int(rcid[year.isna()].iloc[0])} has no row")
    table = pd.DataFrame(
        {
            "rcid": rcid.to_numpy(),
            "country": votes["country"].astype(str).to_numpy(),
            "score": score.to_numpy(dtype=np.float64),
            "year": year.to_numpy(dtype=np.int64),
        }
    )
    codes = pd.DataFrame(
        {"rcid": issue_ids.to_numpy(), "short_name": issues["short_name"].astype(str).to_numpy()}
    )
    return VoteData(shown, table, codes, sorted(table["country"].unique()))


# --------------------------------------------------------------------------- coverage

# A value resting on fewer roll calls than this is named in a note (the data's last
# year, 2020, has one, in January, and would otherwise count as a full year).
FEW_ROLL_CALLS = 5


def span_text(first: int, last: int) -> str:
    """``1958-1962``, or ``1964`` for a single year."""
    return str(first) if first == last else f"{first}-{last}"


def year_spans(years: Iterable[int]) -> list[str]:
    """Runs of consecutive years as text: 1964, 2021, 2022, 2023 -> ``1964``, ``2021-2023``."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return [span_text(first, last) for first, last in runs]


def voted_spans(years: Iterable[int], roll_call_years: Iterable[int]) -> list[str]:
    """The runs of ``years`` as :func:`year_spans` gives them, a year without a roll call
    (one not in ``roll_call_years``: 1964) between two of them not splitting a run."""
    voted, held = set(years), set(roll_call_years)
    bridged = {y + 1 for y in voted if y + 1 not in held and y + 2 in voted}
    return year_spans(voted | bridged)


def is_few(counts: Any) -> Any:
    """Whether each count of roll calls is at least one but fewer than
    :data:`FEW_ROLL_CALLS` (elementwise for an array): the values the notes name and the
    figures draw hollow."""
    return (counts > 0) & (counts < FEW_ROLL_CALLS)


def few_roll_calls(years: Iterable[int], counts: Iterable[int]) -> list[str]:
    """``2020 (1 roll call)`` for each year whose value rests on at least one roll call but
    fewer than :data:`FEW_ROLL_CALLS` (the bare count, with "(count)" ahead of the list
    to say what it is, read as a leftover: an outside check, decision 826)."""
    return [
        f"{int(year)} ({count_text(int(count), 'roll call')})"
        for year, count in zip(years, counts, strict=True)
        if is_few(count)
    ]


def seat_label(who: str, given: str, country: str) -> str:
    """``the link's power PRC (China in the vote data)``: an actor as the user named it,
    with its UN name when that differs."""
    return f"{who} {given}" + (f" ({country} in the vote data)" if country != given else "")


def silence(
    span: tuple[int, int],
    roll_call_years: Sequence[int],
    voters: Sequence[tuple[str, Sequence[int]]],
    see: Mapping[str, str] | None = None,
) -> str | None:
    """Why no vote of ``span`` can count, or None: the data has no roll call in those
    years, or one of ``voters`` (a label and the years it voted) cast none there.

    The PRC votes from late 1971 only and there are no votes in 1964 (validation.md),
    so "no roll call matches" is most often one of these. ``see`` gives, by label, where
    the data has that voter's votes of ``span`` under another name ("see 'Taiwan'").
    """
    first, last = span
    shown = span_text(first, last)
    if not any(first <= year <= last for year in roll_call_years):
        has = " and ".join(year_spans(roll_call_years))
        return f"the vote data has no roll call in {shown} (it has roll calls in {has})"
    for label, years in voters:
        if not any(first <= year <= last for year in years):
            # Its spans, not its first and last years: South Africa's 1975-1993 were
            # hidden in "1946-2020" (an outside check, decision 839).
            when = (
                f"it votes in {' and '.join(voted_spans(years, roll_call_years))}"
                if years
                else ("it never votes")
            )
            elsewhere = (see or {}).get(label)
            return f"{label} has no votes in {shown}; {when}" + (
                f"; for {shown} {elsewhere}" if elsewhere else ""
            )
    return None


# --------------------------------------------------------------------------- measures


def pair_agreement(
    data: VoteData,
    power: str,
    states: Sequence[str],
    *,
    rival: str | None = None,
    measure: str = "agreement",
    issue: str | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Agreement of each state with ``power`` on each roll call that counts.

    Args:
        data: the votes.
        power: the UN name of the power.
        states: UN names of the states.
        rival: the power's rival (needed for ``split_agreement``).
        measure: ``agreement`` or ``split_agreement``.
        issue: an issue code (``me``, ``nu``, ``di``, ``hr``, ``co``, ``ec``) or None.
        years: first and last year, inclusive, or None for all.

    Returns:
        ``rcid, state, year, value`` with ``value = 1 - |s_state - s_power|``,
        one row per roll call on which both voted (and that the measure and
        the issue filter keep).
    """
    if measure not in MEASURES:
        raise InputError(f"unknown measure '{measure}'; measures are: {', '.join(MEASURES)}")
    if measure == "split_agreement" and rival is None:
        raise InputError("split_agreement needs a rival: give --rival")
    if issue is not None and issue not in ISSUE_CODES:
        from sim.scenario.schema import suggest

        raise InputError(
            f"unknown issue code '{issue}'; codes are: "
            + ", ".join(f"{c} ({n})" for c, n in ISSUE_CODES.items())
            + suggest(issue, list(ISSUE_CODES))
        )
    power_votes = data.of(power)["score"]
    if measure == "split_agreement":
        rival_votes = data.of(str(rival))["score"].reindex(power_votes.index)
        split = (power_votes != 0.5) & (rival_votes != 0.5) & (power_votes != rival_votes)
        power_votes = power_votes[split & rival_votes.notna()]
    if issue is not None:
        keep = data.issues.loc[data.issues["short_name"] == issue, "rcid"]
        power_votes = power_votes[power_votes.index.isin(keep)]
    votes = data.votes
    rows = votes[votes["country"].isin(list(states)) & votes["rcid"].isin(power_votes.index)]
    if years is not None:
        rows = rows[(rows["year"] >= years[0]) & (rows["year"] <= years[1])]
    value = 1.0 - np.abs(rows["score"].to_numpy() - power_votes.loc[rows["rcid"]].to_numpy())
    return pd.DataFrame(
        {
            "rcid": rows["rcid"].to_numpy(),
            "state": rows["country"].to_numpy(),
            "year": rows["year"].to_numpy(),
            "value": value,
        }
    )


def state_values(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each state's value per year: ``year, state, value, n_votes``."""
    grouped = pairs.groupby(["year", "state"], sort=True)["value"]
    out = grouped.agg(value="mean", n_votes="size").reset_index()
    return out.astype({"year": "int64", "n_votes": "int64"})


def group_values(pairs: pd.DataFrame) -> pd.DataFrame:
    """The group's value per year: ``year, value, n_states, n_votes``.

    The mean of the member states' yearly values (each state weighs equally)
    over the states that voted that year; ``n_votes`` counts the distinct
    roll calls that entered any member's value.
    """
    per_state = state_values(pairs)
    means = per_state.groupby("year")["value"].agg(value="mean", n_states="size")
    calls = pairs.groupby("year")["rcid"].nunique().rename("n_votes")
    out = means.join(calls).reset_index()
    return out.astype({"year": "int64", "n_states": "int64", "n_votes": "int64"})
