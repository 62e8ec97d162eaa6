"""Findings: the argument under test, claim by claim, from the experiments' results folders.

This package owns ``docs/findings.md`` and its figures in ``docs/figures/``.
It reads the results folder of every experiment in :data:`EXPERIMENTS` (the
folder ``credsim sweep experiments/NAME.yaml`` writes, or one named with
``--results NAME=DIR``), computes for each claim the paired differences
between scenarios with bootstrap 95% intervals, the boundary of claim 1 in
negativity bias x memory, and the Sobol indices of claim 1's key metric,
draws the figures and writes the document. It runs no model.

- :mod:`sim.findings.numbers`: paired differences, intervals, design points, Sobol.
- :mod:`sim.findings.figures`: one figure per claim.
- :mod:`sim.findings.claims`: each claim's section (numbers and tables as Markdown).
- :mod:`sim.findings.discussion`: the prose (preamble, verdicts, discussions).
- :mod:`sim.findings.document`: the whole document and the command line.

Every number is a deterministic function of the results folders: the
bootstrap and SALib take fixed seeds, tables are sorted, and the PNG files
carry no date, so the same results give byte-identical output.

Usage (``make findings`` runs every experiment first)::

    python -m sim.findings [--results NAME=DIR ...] [--out docs/findings.md]
        [--figures docs/figures]
    python -m sim.findings --list     # the experiments it reads, one per line
"""

from sim.findings.document import main, render_document
from sim.findings.numbers import EXPERIMENTS, Interval, interval

__all__ = ["EXPERIMENTS", "Interval", "interval", "main", "render_document"]
