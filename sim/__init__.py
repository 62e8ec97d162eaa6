"""credsim: an agent-based simulation of alliance credibility on Mesa.

Public API::

    from sim import CredibilityModel, load_scenario

    scenario = load_scenario("scenarios/tour.yaml", {"parameters.trust.memory": 0.95})
    model = CredibilityModel(scenario, rng=1)
    while model.running:
        model.step()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.scenario import Scenario, load_scenario

__version__ = "0.1.0"

if TYPE_CHECKING:
    from sim.model import CredibilityModel


def __getattr__(name: str) -> Any:
    # The model pulls in mesa; keep `import sim` light for the CLI's validate.
    if name == "CredibilityModel":
        from sim.model import CredibilityModel

        return CredibilityModel
    raise AttributeError(name)


__all__ = ["CredibilityModel", "Scenario", "__version__", "load_scenario"]
