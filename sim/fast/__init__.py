"""The fast engine: the model's step loop compiled with numba (issue 13).

:class:`FastModel` gives the same outputs as :class:`sim.model.CredibilityModel`
for the same scenario and seed; the Mesa model stays the reference.
"""

from sim.fast.engine import FastModel

__all__ = ["FastModel"]
