"""Observed series of named actors: the tidy table of ``credsim observe``.

The tidy table has one row per year and state, and per year for the group:
``year, state, power, rival, measure, value, n_votes, n_states``. State rows
carry the state's UN name and ``n_states = 1``; group rows carry
``group:NAME`` in ``state`` (``NAME`` is the scenario group, ``all``, or
``states`` for a ``--states`` list) and the number of member states that
voted that year in ``n_states``; their ``n_votes`` counts distinct roll calls.
``rival`` is empty for plain agreement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from sim.errors import InputError
from sim.metrics import Group
from sim.model import resolve_groups
from sim.observed.votes import VoteData, group_values, pair_agreement, state_values
from sim.scenario.schema import Scenario, allowed, suggest
from sim.world import World

GROUP_PREFIX = "group:"
COLUMNS = ["year", "state", "power", "rival", "measure", "value", "n_votes", "n_states"]


def scenario_groups(
    scenario: Scenario, extra: Mapping[str, object] | None = None
) -> dict[str, list[str]]:
    """Every group of the scenario (``all`` and ``outputs.groups``) as actor names.

    Args:
        scenario: a validated scenario.
        extra: more groups (name -> :class:`sim.scenario.schema.Group`), as a
            pattern file's ``groups``, resolved with the same selectors.
    """
    if extra:
        groups = {**scenario.outputs.groups, **extra}
        outputs = scenario.outputs.model_copy(update={"groups": groups})
        scenario = scenario.model_copy(update={"outputs": outputs})
    world = World.from_scenario(scenario)
    resolved: list[Group] = resolve_groups(scenario, world)
    return {g.name: [world.actor_names[i] for i in g.members] for g in resolved}


def group_members(scenario: Scenario, name: str) -> list[str]:
    """The actors of one scenario group.

    Raises:
        InputError: no such group (the message lists the groups).
    """
    groups = scenario_groups(scenario)
    if name not in groups:
        choices = list(groups)
        raise InputError(
            f"unknown group '{name}'; groups of scenario '{scenario.name}' are: "
            f"{allowed(choices, len(choices))}{suggest(name, choices)}"
        )
    return groups[name]


def observed_table(
    data: VoteData,
    power: str,
    states: Sequence[str],
    group: str,
    *,
    rival: str | None,
    measure: str,
    issue: str | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """The tidy table (module docstring) of ``states`` (UN names) with ``power``."""
    pairs = pair_agreement(
        data, power, states, rival=rival, measure=measure, issue=issue, years=years
    )
    per_state = state_values(pairs).assign(n_states=1)
    per_group = group_values(pairs).assign(state=f"{GROUP_PREFIX}{group}")
    table = pd.concat([per_state, per_group], ignore_index=True)
    table = table.assign(power=power, rival=rival or "", measure=measure)
    return table[COLUMNS].sort_values(["year", "state"], kind="stable", ignore_index=True)
