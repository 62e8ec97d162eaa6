"""The validated pattern file (validation.md, "Pattern files").

::

    name: syria
    scenario: ../scenarios/syria.yaml        # relative to the pattern file
    link: {power: Russia, rival: USA, measure: split_agreement,
           reference: [2012, 2014], beta: 0.5, issue: me}
    groups:                                  # beyond the scenario's own groups
      africa_non_arab: {members: [Mali, Niger]}
    patterns:
      - id: gulf_no_warming
        role: calibrate                      # calibrate | holdout
        statistic: did                       # change | did | correlation
        group: gulf
        control: africa_non_arab             # did only
        before: [2012, 2014]
        after: [2016, 2019]
        tolerance: bootstrap                 # or a number > 0
        source: why this pattern matters, with the numbers

The shape is checked here (pydantic, unknown fields are errors); names that
cross into the scenario (powers, groups, members) by :func:`check_names`.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from sim.errors import InputError
from sim.observed.names import scenario_actor
from sim.scenario.schema import (
    NAME_PATTERN,
    Group,
    NonNegative,
    Scenario,
    Strict,
    allowed,
    suggest,
)

FIRST_YEAR, LAST_YEAR = 1946, 2100
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
IssueCode = Literal["me", "nu", "di", "hr", "co", "ec"]


# Two years written as text: `2012-2014`, `2012 - 2014`, `2012–2014`, `2012, 2014`, `2012 to 2014`.
_YEARS_AS_TEXT = re.compile(r"\s*(\d{4})\s*(?:-|–|—|/|,|:|\.\.|to)\s*(\d{4})\s*")


def _years_as_list(value: Any) -> Any:
    """``value``, refused with what to write when it is two years written as text
    (``before: 2012-2014`` was said to be no list, without the repair; an audit,
    decision 917)."""
    match = _YEARS_AS_TEXT.fullmatch(value) if isinstance(value, str) else None
    if match is not None:
        first, last = match.groups()
        raise ValueError(f"expected a list of two years, got '{value}'; write [{first}, {last}]")
    return value


def _ordered(years: tuple[int, int] | None, name: str) -> None:
    if years is not None and years[1] < years[0]:
        raise ValueError(f"'{name}' ends ({years[1]}) before it starts ({years[0]})")


class Link(Strict):
    """From simulated propensity gaps to predicted votes (validation.md, "Link")."""

    power: str = Field(min_length=1)
    rival: str = Field(min_length=1)
    measure: Literal["agreement", "split_agreement"]
    reference: tuple[Year, Year]
    beta: NonNegative  # at most MAX_VALUE: 1e308 made every prediction infinite (an audit)
    issue: IssueCode | None = None

    @field_validator("reference", mode="before")
    @classmethod
    def _years_as_text(cls, value: Any) -> Any:
        return _years_as_list(value)

    # A field's own validator, so that the error is located at it (the model's pointed
    # at the whole link or pattern; an audit).
    @field_validator("reference")
    @classmethod
    def _in_order(cls, years: tuple[int, int], info: ValidationInfo) -> tuple[int, int]:
        _ordered(years, str(info.field_name))
        return years

    @model_validator(mode="after")
    def _checks(self) -> Link:
        if self.power == self.rival:
            raise ValueError("power and rival must differ")
        return self


class Pattern(Strict):
    """One observed regularity the model must reproduce."""

    id: str = Field(pattern=NAME_PATTERN)
    role: Literal["calibrate", "holdout"]
    statistic: Literal["change", "did", "correlation"]
    group: str = Field(min_length=1)
    control: str | None = None
    before: tuple[Year, Year] | None = None
    after: tuple[Year, Year] | None = None
    years: tuple[Year, Year] | None = None
    tolerance: Literal["bootstrap"] | float = "bootstrap"
    source: str = Field(min_length=1)

    @field_validator("tolerance", mode="before")
    @classmethod
    def _tolerance(cls, value: Any) -> Any:
        # One message for both shapes: a union would report only its first alternative.
        if isinstance(value, str) and value != "bootstrap":
            # A quoted plain number is the number, as in every other number field of the
            # file (decision 402; `tolerance: "0.05"` alone was refused, decision 889).
            with contextlib.suppress(ValueError):
                value = float(value)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if value == "bootstrap" or (number and math.isfinite(value) and value > 0):
            return value
        shown = (
            f"'{value}'"
            if isinstance(value, str)
            else "null (no value)"
            if value is None
            else str(value).lower()
        )
        raise ValueError(f"must be a number above 0 or 'bootstrap', got {shown}")

    @field_validator("before", "after", "years", mode="before")
    @classmethod
    def _years_as_text(cls, value: Any) -> Any:
        return _years_as_list(value)

    @field_validator("before", "after", "years")
    @classmethod
    def _in_order(
        cls, years: tuple[int, int] | None, info: ValidationInfo
    ) -> tuple[int, int] | None:
        _ordered(years, str(info.field_name))
        return years

    @model_validator(mode="after")
    def _fields_of_statistic(self) -> Pattern:
        if self.statistic == "correlation":
            if self.before is not None or self.after is not None:
                raise ValueError("a correlation takes 'years: [first, last]', not before/after")
            if self.years is None:
                raise ValueError("a correlation takes 'years: [first, last]'; 'years' is missing")
        elif self.years is not None:
            raise ValueError(f"a {self.statistic} takes 'before' and 'after', not 'years'")
        else:
            missing = [name for name in ("before", "after") if getattr(self, name) is None]
            if missing:
                raise ValueError(
                    f"a {self.statistic} takes 'before' and 'after'; "
                    f"{' and '.join(repr(m) for m in missing)} "
                    f"{'is' if len(missing) == 1 else 'are'} missing"
                )
        if (self.statistic == "did") != (self.control is not None):
            raise ValueError(
                "a did needs a 'control' group"
                if self.statistic == "did"
                else f"'control' is for did only, not {self.statistic}"
            )
        if self.statistic != "correlation" and self.before == self.after:
            # Like a control equal to its group: the statistic is 0 whatever the votes.
            raise ValueError(
                f"'before' and 'after' are the same years {list(self.before or ())}, so the "
                f"{self.statistic} is 0 whatever the votes and the model; give 'after' the "
                "years to compare with"
            )
        return self

    def windows(self) -> dict[str, tuple[int, int]]:
        """The pattern's year ranges by name (``before``/``after``, or ``years``)."""
        names = ("years",) if self.statistic == "correlation" else ("before", "after")
        return {n: getattr(self, n) for n in names}


class PatternFile(Strict):
    """A whole pattern file, validated."""

    name: str = Field(pattern=NAME_PATTERN)
    scenario: str = Field(min_length=1)
    link: Link
    groups: dict[str, Group] = Field(default_factory=dict)
    patterns: list[Pattern] = Field(min_length=1)
    _path: str = PrivateAttr(default="")
    _scenario: Scenario | None = PrivateAttr(default=None)

    @property
    def path(self) -> str:
        """The file it was read from ('' when built in code)."""
        return self._path

    @property
    def scenario_file(self) -> str:
        """The scenario file's path, as a message shows it: ``scenario`` is relative to
        the pattern file's folder."""
        from sim.scenario.loader import beside

        return beside(os.path.dirname(self.path), self.scenario)

    @property
    def base_scenario(self) -> Scenario:
        """The scenario as loaded with the file (no overrides)."""
        if self._scenario is None:
            raise RuntimeError("load the pattern file with load_patterns to resolve its scenario")
        return self._scenario

    def pattern(self, pattern_id: str) -> Pattern:
        """The pattern with id ``pattern_id``."""
        return next(p for p in self.patterns if p.id == pattern_id)


def check_names(pf: PatternFile, scenario: Scenario) -> None:
    """Names that cross into the scenario: powers, groups and their members, ids.

    Raises:
        InputError: the first problem, with its field path in the pattern file.
    """
    powers = list(scenario.powers)
    resolved: dict[str, str] = {}
    for field in ("power", "rival"):
        name = getattr(pf.link, field)
        actor = scenario_actor(name, scenario)
        if actor in scenario.powers:
            resolved[field] = str(actor)
        elif actor in scenario.states:
            raise InputError(
                f"'{name}' is a state of scenario '{scenario.name}'; {field} must be a power "
                f"({allowed(powers)})",
                path=f"link.{field}",
            )
        else:
            raise InputError(
                f"unknown power '{name}'; powers of scenario '{scenario.name}' are: "
                f"{allowed(powers)}{suggest(name, powers)}",
                path=f"link.{field}",
            )
    if resolved["power"] == resolved["rival"]:
        # 'USSR' against 'Russia': two names of one power. The schema compares the names
        # as written; assigning them would fail inside pydantic's own check.
        raise InputError(
            f"'{pf.link.rival}' and '{pf.link.power}' are both the power "
            f"'{resolved['power']}' of scenario '{scenario.name}'; power and rival must differ",
            path="link.rival",
        )
    for field, actor in resolved.items():
        setattr(pf.link, field, actor)
    states = list(scenario.states)
    own = {"all", *scenario.outputs.groups}
    for gname, group in pf.groups.items():
        if gname in own:
            raise InputError(
                f"group '{gname}' is already a group of scenario '{scenario.name}'; "
                "pick another name",
                path=f"groups.{gname}",
            )
        members = group.members or []
        written = list(members)  # as the file gives them (members become scenario names)
        first: dict[str, int] = {}
        for index, member in enumerate(members):
            actor = scenario_actor(member, scenario)
            if actor in scenario.states and str(actor) in first:
                # A state listed twice (or by two of its names) is a copy-paste slip the
                # group's mean would hide: each state weighs once (an audit).
                earlier = first[str(actor)]
                also = (
                    ""
                    if written[earlier] == member
                    else f" as '{written[earlier]}'; both are the state '{actor}'"
                )
                raise InputError(
                    f"'{member}' is listed twice in group '{gname}' (also "
                    f"members[{earlier}]{also}); list each member once",
                    path=f"groups.{gname}.members[{index}]",
                )
            if actor in scenario.states:
                first[str(actor)] = index
                members[index] = str(actor)  # the scenario's own name, for the link
            elif actor in scenario.powers:
                raise InputError(
                    f"'{member}' is a power of scenario '{scenario.name}'; a group's members "
                    "are states, whose votes are compared with the powers'",
                    path=f"groups.{gname}.members[{index}]",
                )
            else:
                raise InputError(
                    f"unknown state '{member}'; states of scenario '{scenario.name}' are: "
                    f"{allowed(states)}{suggest(member, states)}",
                    path=f"groups.{gname}.members[{index}]",
                )
    everyone = [*scenario.powers.values(), *scenario.states.values()]
    regions = sorted({a.region for a in everyone})
    blocs = sorted({b for a in everyone for b in a.blocs})
    for gname, group in pf.groups.items():
        for field, value, choices in (
            ("region", group.region, regions),
            ("bloc", group.bloc, blocs),
        ):
            if value is not None and value not in choices:
                raise InputError(
                    f"unknown {field} '{value}'; {field}s are: {allowed(choices)}"
                    f"{suggest(value, choices)}",
                    path=f"groups.{gname}.{field}",
                )
    known = sorted({*own, *pf.groups})  # a set's order changes between runs
    seen: set[str] = set()
    for index, pattern in enumerate(pf.patterns):
        if pattern.id in seen:
            raise InputError(
                f"duplicate pattern id '{pattern.id}'; ids must be unique",
                path=f"patterns[{index}].id",
            )
        seen.add(pattern.id)
        if pattern.control == pattern.group:
            raise InputError(
                f"the control is the pattern's own group '{pattern.group}', so the difference "
                "in differences is always 0; give another group to compare with",
                path=f"patterns[{index}].control",
            )
        for field in ("group", "control"):
            name = getattr(pattern, field)
            if name is not None and name not in known:
                raise InputError(
                    f"unknown group '{name}'; groups are: {allowed(known, len(known))}"
                    f"{suggest(name, known)}",
                    path=f"patterns[{index}].{field}",
                )
