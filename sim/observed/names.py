"""From the names scenarios give actors to the country names of the UN vote data.

An actor's UN name is, in order: the scenario's ``observed.names`` entry; the
actor's own name when the data has it; the built-in :data:`ALIASES`. An
actor mapped to null has no seat in the data (North Vietnam): observed
groups leave it out. Any other name is an input error naming close matches.

Official, common and earlier names of a state (``Russian Federation``, ``Viet Nam``,
``Ceylon``), and the names of a state whose seat the data keeps under its
predecessor's name (:data:`SUCCESSION`: ``Serbia`` is ``Yugoslavia``), are accepted
and read under the data's name; ``credsim observe`` notes which name it read
(:func:`read_as`). They are accepted, not refused with a hint, because the alias
table already took such names (``USSR``, ``Zaire``, ``Burma``) and the errors offer
them ("a name credsim knows for one"): refusing ``Russian Federation`` while taking
``USSR`` would be a rule no user could guess (decision 835). A name with no one
string in the data (``Yemen`` before 1991: two states) is no alias: :data:`OTHER_SEATS`
says where the votes of the years a name lacks are.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Set

from sim.errors import InputError
from sim.scenario.schema import Scenario

# Names of a state whose seat the vote data holds under a predecessor's name: its votes
# there include the other state's (Yugoslavia's until 1992), which a note says.
SUCCESSION: dict[str, str] = {
    "Serbia": "Yugoslavia",
    "Serbia and Montenegro": "Yugoslavia",
    "Federal Republic of Yugoslavia": "Yugoslavia",
}

ALIASES: dict[str, str] = {
    "USSR": "Russia",
    "Soviet Union": "Russia",
    "PRC": "China",
    "People's Republic of China": "China",
    "USA": "United States",
    "US": "United States",
    "United States of America": "United States",
    "UK": "United Kingdom",
    "Britain": "United Kingdom",
    "Great Britain": "United Kingdom",
    "UAE": "United Arab Emirates",
    "East Germany": "German Democratic Republic",
    "GDR": "German Democratic Republic",
    "West Germany": "Federal Republic of Germany",
    "FRG": "Federal Republic of Germany",
    "Burma": "Myanmar (Burma)",
    "Myanmar": "Myanmar (Burma)",
    "Czech Republic": "Czechia",
    "Ivory Coast": "Côte d’Ivoire",
    "Cote d'Ivoire": "Côte d’Ivoire",
    "DR Congo": "Congo - Kinshasa",
    "DRC": "Congo - Kinshasa",
    "Zaire": "Congo - Kinshasa",
    "Republic of the Congo": "Congo - Brazzaville",
    "Bosnia and Herzegovina": "Bosnia & Herzegovina",
    "Macedonia": "North Macedonia",
    "Swaziland": "Eswatini",
    "East Timor": "Timor-Leste",
    "North Yemen": "Yemen Arab Republic",
    "South Yemen": "Yemen People's Republic",
    "Republic of Korea": "South Korea",
    "DPRK": "North Korea",
    "Sao Tome and Principe": "São Tomé & Príncipe",
    "Trinidad and Tobago": "Trinidad & Tobago",
    "Antigua and Barbuda": "Antigua & Barbuda",
    # The UN's official names where the data has another string (decision 835).
    "Russian Federation": "Russia",
    "Syrian Arab Republic": "Syria",
    "Iran (Islamic Republic of)": "Iran",
    "Islamic Republic of Iran": "Iran",
    "Democratic People's Republic of Korea": "North Korea",
    "Viet Nam": "Vietnam",
    "Lao People's Democratic Republic": "Laos",
    "Lao PDR": "Laos",
    "Bolivia (Plurinational State of)": "Bolivia",
    "Venezuela (Bolivarian Republic of)": "Venezuela",
    "United Republic of Tanzania": "Tanzania",
    "Côte d'Ivoire": "Côte d’Ivoire",
    "The former Yugoslav Republic of Macedonia": "North Macedonia",
    "Türkiye": "Turkey",
    "Turkiye": "Turkey",
    "Cabo Verde": "Cape Verde",
    "Micronesia": "Micronesia (Federated States of)",
    "Republic of Moldova": "Moldova",
    "Brunei Darussalam": "Brunei",
    "Democratic Republic of the Congo": "Congo - Kinshasa",
    "Saint Kitts and Nevis": "St. Kitts & Nevis",
    "Saint Lucia": "St. Lucia",
    "Saint Vincent and the Grenadines": "St. Vincent & Grenadines",
    # Earlier names of one state, under which it sat in the years the data covers.
    "Ceylon": "Sri Lanka",
    "Dahomey": "Benin",
    "Upper Volta": "Burkina Faso",
    "Kampuchea": "Cambodia",
    "Tanganyika": "Tanzania",
    **SUCCESSION,
}

# Where the vote data holds the votes of the years a country's own name lacks: the
# seats before a union or a split, and after (Yemen votes from 1991; before, the
# Yemen Arab Republic and the Yemen People's Republic did). Taiwan held China's seat
# until 1971 (validation.md); after, it has no seat of its own, so Taiwan points nowhere.
OTHER_SEATS: dict[str, tuple[str, ...]] = {
    "Yemen": ("Yemen Arab Republic", "Yemen People's Republic"),
    "Yemen Arab Republic": ("Yemen",),
    "Yemen People's Republic": ("Yemen",),
    "Germany": ("Federal Republic of Germany", "German Democratic Republic"),
    "Federal Republic of Germany": ("Germany",),
    "German Democratic Republic": ("Germany",),
    "China": ("Taiwan",),
    "Czechia": ("Czechoslovakia",),
    "Slovakia": ("Czechoslovakia",),
    "Czechoslovakia": ("Czechia", "Slovakia"),
    "Montenegro": ("Yugoslavia",),
}


def other_seats(
    country: str, years: Iterable[int], voting_years: Callable[[str], Sequence[int]]
) -> str:
    """``see 'Yemen Arab Republic' and 'Yemen People's Republic'``: the seats of
    :data:`OTHER_SEATS` that vote in ``years``, which ``country`` (a UN name) lacks;
    ``""`` when none does.

    Args:
        country: the data's name.
        years: the years without a vote of ``country`` that a request asks for.
        voting_years: the years a country of the data votes in (``VoteData.voting_years``).
    """
    wanted = set(years)
    seats = [o for o in OTHER_SEATS.get(country, ()) if wanted & set(voting_years(o))]
    return f"see {' and '.join(f"'{o}'" for o in seats)}" if seats else ""


def read_as(
    mapped: Mapping[str, str | None], names: Mapping[str, str | None], every: bool
) -> list[str]:
    """``Serbia as Yugoslavia`` for each name given that the alias table read under another
    of the data's names: every one when ``every`` (the names typed in ``--states``), else
    those of :data:`SUCCESSION` only, whose votes include another state's (a scenario's
    ``USA`` is no news; its ``Serbia`` read as Yugoslavia is)."""
    said = []
    for given, un in mapped.items():
        if un is None or given == un or given in names:
            continue
        if given in SUCCESSION:
            said.append(f"{given} as {un} (a seat it shares with its predecessor)")
        elif every:
            said.append(f"{given} as {un}")
    return said


def un_name(
    name: str,
    countries: Iterable[str],
    names: Mapping[str, str | None] | None = None,
    option: str | None = None,
) -> str | None:
    """The UN country name of ``name``, or None for an actor with no seat in the data.

    Args:
        name: an actor name (a scenario's) or a UN country name.
        countries: the country names of the data.
        names: a scenario's ``observed.names``.
        option: the command-line option that gave ``name`` without a scenario
            (``--states``): the error then says what that option takes, not how a
            scenario maps an actor.

    Raises:
        InputError: the name matches nothing; the message names close matches.
    """
    known = set(countries)
    names = names or {}
    found, un = seat(name, known, names)
    if found:
        return un
    if name in names:
        raise _unknown(str(names[name]), known, f"observed.names.{name}")
    if option is not None:
        raise _not_a_country(name, known, option)
    raise _unknown(name, known, None)


def seat(name: str, known: Set[str], names: Mapping[str, str | None]) -> tuple[bool, str | None]:
    """Whether :func:`un_name` finds ``name`` in the countries ``known``, and its UN name
    (None: an actor without a seat), without its error's close matches.

    The callers that only count or skip the actors not found take this: a search for
    close matches per actor took 10 s of ``validate`` for a drawn scenario of 10,000
    states that the data has none of (an outside check, decision 812).
    """
    if name in names:
        given = names[name]
        if given is None:
            return True, None
        spelt = as_spelt(given, known)
        return spelt is not None, spelt if spelt is not None else given
    spelt = as_spelt(name, known)
    if spelt is not None:
        return True, spelt
    if name in ALIASES and ALIASES[name] in known:
        return True, ALIASES[name]
    return False, None


# The apostrophes a name may be typed with, and the one the vote data spells it with.
_APOSTROPHES = ("'", "\u2019", "\u2018", "`")


def as_spelt(name: str, known: Set[str]) -> str | None:
    """``name`` as the data ``known`` spells it, where the two differ only in their
    apostrophes (typed ``'``, the data's ``’``: "Côte d'Ivoire" was refused for the data's
    "Côte d’Ivoire", which nobody types; an outside review of a new case, decision 947);
    None where the data has no such name."""
    if name in known:
        return name
    for typed in _APOSTROPHES:
        for spelt in _APOSTROPHES:
            other = name.replace(typed, spelt)
            if other != name and other in known:
                return other
    return None


def _not_a_country(name: str, known: set[str], option: str) -> InputError:
    """The error for a name given on the command line (``--states Persia``).

    ``_unknown``'s repair, a scenario's ``observed.names``, is of no use to an option
    that takes countries (a first afternoon's audit, decision 702), and its close
    matches by spelling were four countries nothing like Persia: this one says what
    the option takes and offers the one nearest name, if any, of the vote data.
    """
    examples = [c for c in ("Iran", "Syria", "United States", "Congo - Kinshasa") if c in known]
    shown = f"e.g. {', '.join(examples)}; " if examples else ""
    aliases = ", ".join(a for a in ("USSR", "UK", "Burma", "Zaire") if ALIASES[a] in known)
    taken = f", or a name credsim knows for one ({aliases}, ...)" if aliases else ""
    return InputError(
        f"{option}: '{name}' is no country of the UN vote data{_nearest(name, known)}; "
        f"give a country as the vote data names it ({shown}{len(known)} countries){taken}"
    )


def _nearest(name: str, known: set[str]) -> str:
    """A ``(did you mean 'x'?)`` suffix naming the data's country nearest ``name``, or ``""``.

    Closer than :func:`sim.scenario.schema.suggest` asks: at its cutoff Persia was
    taken for Nigeria. Two letters swapped are near whatever the ratio, which in a
    short name falls below the cutoff (Sirya and Syria: 0.6).
    """
    by_case = {c.lower(): c for c in known}
    if name.lower() in by_case:
        return f" (did you mean '{by_case[name.lower()]}'?)"
    aliased = _aliased(name, known)
    if aliased is not None:  # republic of the congo
        return f" (did you mean '{aliased}'?)"
    started = [c for c in sorted(known) if len(name) >= 3 and c.lower().startswith(name.lower())]
    if len(started) == 1:  # Saudi
        return f" (did you mean '{started[0]}'?)"
    worded = _worded(name, known)
    if 1 < len(worded) <= _CLOSE:  # Congo: both of them, not one at random
        return f" (did you mean {' or '.join(repr(c) for c in worded)}?)"
    swapped = [c for low, c in sorted(by_case.items()) if _swapped(name.lower(), low)]
    if len(swapped) == 1:  # Sirya
        return f" (did you mean '{swapped[0]}'?)"
    close = difflib.get_close_matches(name.lower(), sorted(by_case), n=1, cutoff=0.75)
    return f" (did you mean '{by_case[close[0]]}'?)" if close else ""


def _swapped(given: str, other: str) -> bool:
    """Whether ``other`` is ``given`` with two of its letters swapped (Sirya, Syria)."""
    if len(given) != len(other):
        return False
    at = [i for i, (a, b) in enumerate(zip(given, other, strict=True)) if a != b]
    return len(at) == 2 and given[at[0]] == other[at[1]] and given[at[1]] == other[at[0]]


# Close matches an error names at most.
_CLOSE = 4


_ALIASES_LOWER = {alias.lower(): un for alias, un in ALIASES.items()}


def state_key(name: str) -> str:
    """The state ``name`` names, in lower case: its data name when it is one of
    :data:`ALIASES` (``ussr`` and ``russia`` both ``russia``), else itself."""
    return _ALIASES_LOWER.get(name.lower(), name).lower()


def _aliased(name: str, known: Set[str]) -> str | None:
    """The data's name of the country that ``name``, one of :data:`ALIASES` in any case,
    stands for (None if it is none, or the data lacks that country)."""
    un = _ALIASES_LOWER.get(name.lower())
    return un if un in known else None


def _worded(name: str, known: Set[str]) -> list[str]:
    """The data's countries whose name holds ``name`` as a whole word, in any case (Congo:
    Congo - Brazzaville and Congo - Kinshasa; Korea: North and South)."""
    if len(name.strip()) < 3:
        return []
    word = re.compile(rf"\b{re.escape(name.strip())}\b", re.IGNORECASE)
    return [c for c in sorted(known) if word.search(c)]


def _close(name: str, known: Set[str]) -> list[str]:
    """The data's countries most likely meant by ``name``, at most :data:`_CLOSE`: the one
    an alias of it stands for, those that hold it as a word, then the spellings nearest
    it among the data's names and credsim's aliases, an alias given as its country.

    Never ``name`` itself, and never an alias: the close matches of "Republic of the
    Congo" (an alias, refused as a UN name) were that name and three other republics,
    and those of "Congo" began with "DR Congo", the other Congo (an outside check,
    decision 823).
    """
    spelled = difflib.get_close_matches(name, sorted(set(known) | set(ALIASES)), n=8, cutoff=0.5)
    close: list[str] = []
    aliased = _aliased(name, known)
    for country in [
        *([aliased] if aliased else []),
        *_worded(name, known),
        *(ALIASES.get(s, s) for s in spelled),
    ]:
        if country in known and country != name and country not in close:
            close.append(country)
    return close[:_CLOSE]


def _unknown(name: str, known: set[str], path: str | None) -> InputError:
    aliased = _aliased(name, known)
    if aliased is not None:  # an alias written where the data's own name is asked for
        hint = f", which calls it '{aliased}'"
    else:
        close = _close(name, known)
        hint = f"; close matches: {', '.join(close)}" if close else ""
    if path is not None:
        # The mapping itself names no country: "map an actor ... with observed.names" sent
        # the reader back to the entry that was wrong (a first afternoon's audit, 702).
        return InputError(
            f"'{name}' is no country of the UN vote data{hint}; write the UN name as the "
            "vote data spells it, or null for an actor without a seat",
            path=path,
        )
    return InputError(
        f"'{name}' is no country of the UN vote data{hint}; map an actor to its UN name "
        'with the scenario\'s observed: {names: {Actor: "UN name"}} (null: not in the data)',
        path=path,
    )


def scenario_names(scenario: Scenario) -> dict[str, str | None]:
    """The scenario's own ``observed.names`` (empty when it has none)."""
    return dict(scenario.observed.names) if scenario.observed else {}


def shared_seat(scenario: Scenario, countries: Iterable[str]) -> InputError | None:
    """The first two actors of ``scenario`` that take one country's votes, or None.

    The measures and the link are per state: of two actors on one seat ``observe
    --scenario`` showed one (a group of both as one state, or the state as "the power
    itself"), and the patterns' link gave the country's votes to the later and left the
    other with none, without a word (decision 722). The loader refuses two actors that
    ``observed.names`` gives one name (decision 717); this finds, against the vote data,
    those that meet through the built-in :data:`ALIASES` (``USSR`` and ``Russia``,
    ``UAE`` and ``United Arab Emirates``), with an ``observed.names`` entry or not, since
    which name the data has is known only there. Actors whose name matches nothing are
    left to :func:`un_name`'s error; actors without a seat (null) may be any number.

    Returns:
        The problem, at the ``observed.names`` entry of one of the two if either has
        one, else at the entry of the actor that the alias table brings there.
    """
    known = set(countries)
    names = scenario_names(scenario)
    holder: dict[str, str] = {}
    for actor in scenario.actor_names:
        found, un = seat(actor, known, names)
        if not found or un is None:
            continue
        if un not in holder:
            holder[un] = actor
            continue
        return _shared(scenario, holder[un], actor, un, names, known)
    return None


def _shared(
    scenario: Scenario,
    first: str,
    second: str,
    un: str,
    names: Mapping[str, str | None],
    known: set[str],
) -> InputError:
    """:func:`shared_seat`'s one line for ``first`` and ``second``, both on ``un``."""

    def how(actor: str) -> str:
        if actor in names:
            return "by observed.names"
        if actor in known:
            return "who votes under its own name"
        return f"through the built-in alias table ({actor} -> {un})"

    def entry(actor: str) -> str:
        if actor in names:
            return f"observed.names.{actor}"
        return f"{'powers' if actor in scenario.powers else 'states'}.{actor}"

    repair = (
        "two actors cannot share one seat in the vote data; map one of the two in "
        "observed.names to its own country, or to null if it has no seat of its own"
    )
    mapped = [a for a in (first, second) if a in names]
    if mapped:  # said at the entry the user wrote
        at = mapped[-1]
        other = first if at == second else second
        said = "" if other in names else f", {how(other)}"
        return InputError(
            f"'{un}' is also the UN name of '{other}' ({entry(other)}){said}: {repair}",
            path=entry(at),
        )
    aliased = [a for a in (first, second) if a not in known]
    at = aliased[-1]
    other = first if at == second else second
    also = "also through the alias table" if other in aliased else how(other)
    # The example leaves a state without a seat rather than a power, which a link needs.
    example = second if second in scenario.states else at
    return InputError(
        f"'{at}' is {un} in the vote data {how(at)}, as is the actor '{other}' "
        f"({entry(other)}), {also}: {repair} (e.g. observed: {{names: {{{example}: null}}}})",
        path=entry(at),
    )


def scenario_actor(name: str, scenario: Scenario) -> str | None:
    """The scenario's own name for ``name``, which may be an actor or its UN name.

    ``USA``, ``United States`` and ``US`` all find a scenario's ``USA``;
    ``USSR`` finds a scenario's ``Russia`` and ``Russia`` its ``USSR``.

    Returns:
        The actor's name, or None when no actor goes by ``name``.
    """
    actors = scenario.actor_names
    if name in actors:
        return name
    names = scenario_names(scenario)
    wanted = {name, ALIASES.get(name, name)}
    for actor in actors:
        if names.get(actor, ALIASES.get(actor, actor)) in wanted:
            return actor
    return None


# Names that take "the" in running text ("agreement with the USSR"); others do not.
_WITH_ARTICLE = frozenset(
    {
        *("usa", "us", "ussr", "uk", "prc", "eu", "uae", "gdr", "frg", "drc", "dprk"),
        *("united states", "united states of america", "soviet union", "united kingdom"),
        *("european union", "people's republic of china", "united arab emirates"),
        *("russian federation", "syrian arab republic", "republic of korea", "czech republic"),
        *("democratic people's republic of korea", "lao people's democratic republic"),
        *("united republic of tanzania", "republic of moldova", "islamic republic of iran"),
        *("federal republic of yugoslavia", "democratic republic of the congo"),
    }
)


def in_text(name: str) -> str:
    """A country's name as it stands in a sentence: ``the USSR``, ``the United States``,
    ``Russia``."""
    return f"the {name}" if name.strip().lower() in _WITH_ARTICLE else name
