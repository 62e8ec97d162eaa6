"""Analyses of results folders: sensitivity indices (SALib) and comparisons (bootstrap).

Each submodule owns one analysis and its ``credsim`` command:
:mod:`sim.analysis.sensitivity` (``credsim analyze``) and
:mod:`sim.analysis.comparison` (``credsim compare``).
"""
