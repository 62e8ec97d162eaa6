"""Observed behaviour: UN General Assembly votes, their measures and ``credsim observe``.

Modules: :mod:`~sim.observed.votes` (reading the tables, the agreement
measures), :mod:`~sim.observed.names` (actor names to UN country names),
:mod:`~sim.observed.series` (the tidy table of named states and groups) and
:mod:`~sim.observed.observe` (the command). Nothing is imported here, so that
the command line stays light until a command runs.
"""
