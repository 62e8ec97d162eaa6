"""Mesa agents as thin views over the model's arrays.

Agents hold a name and a row index, nothing else: every property reads the
arrays in :class:`sim.world.World`, so the model's vectorised step and an
agent-level view (``model.agents``, ``agent.trust_in("USSR")``) never
disagree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.scenario.schema import NONE_ALIGNMENT
from sim.world import NO_POWER

if TYPE_CHECKING:
    from sim.model import CredibilityModel


class Actor(mesa.Agent):  # type: ignore[misc]
    """What powers and states share: a name and a row in the arrays."""

    model: CredibilityModel

    def __init__(self, model: CredibilityModel, name: str, row: int) -> None:
        super().__init__(model)
        self.name = name
        self.row = row

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def _column(self, power: str) -> int:
        column = self.model.world.index.get(power)
        if column is None or column >= self.model.world.n_powers:
            raise KeyError(f"unknown power {power!r}")
        if column == self.row:
            raise KeyError(f"{self.name} holds no trust in itself")
        return column

    def trust_in(self, power: str) -> float:
        """Held trust ``tau`` in ``power`` after the last step."""
        return float(self.model.world.trust[self.row, self._column(power)])

    def own_trust_in(self, power: str) -> float:
        """Own assessment (before social influence) of ``power``."""
        return float(self.model.world.own[self.row, self._column(power)])

    @property
    def region(self) -> str:
        w = self.model.world
        return w.region_names[int(w.region[self.row])]

    @property
    def blocs(self) -> list[str]:
        w = self.model.world
        return [w.bloc_names[b] for b in np.flatnonzero(w.blocs[self.row])]

    @property
    def ideology(self) -> list[float]:
        return [float(x) for x in self.model.world.ideology[self.row]]


class PowerAgent(Actor):
    """A great power (patron)."""

    @property
    def capability(self) -> float:
        return float(self.model.world.capability[self.row])


class StateAgent(Actor):
    """A developing state: client and observer."""

    @property
    def aligned(self) -> str:
        """The power this state is aligned with, or ``"none"``."""
        code = int(self.model.world.aligned[self.row])
        return NONE_ALIGNMENT if code == NO_POWER else self.model.world.power_names[code]
