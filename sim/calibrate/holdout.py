"""Held-out pattern files cannot make a calibration on their own (issue 15).

The distance uses ``role: calibrate`` patterns only
(:func:`sim.calibrate.problem.calibration_ids`), so held-out patterns never
enter a fit. A calibration file whose pattern files hold no calibration
pattern at all (for instance ``patterns/vietnam_usa.yaml`` alone, whose
patterns are all held out) would have nothing to fit: it is refused as an
input error before the votes are read or anything runs. A held-out file
listed beside calibration files stays allowed: its patterns are only checked.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.calibrate.spec import Calibration
from sim.patterns.schema import PatternFile


def load_pattern_files(calibration: Calibration) -> list[PatternFile]:
    """The pattern files of ``calibration``, loaded once for the command's checks and its
    problem (they were read two or three times, decision 890).

    Raises:
        InputError: a pattern file the pattern loader rejects.
    """
    from sim.patterns import load_patterns

    return [load_patterns(path) for path in calibration.pattern_files]


def require_calibration_patterns(calibration: Calibration, files: Sequence[PatternFile]) -> None:
    """Raise unless some pattern file of ``calibration`` (``files``, loaded) has a
    ``calibrate`` pattern.

    Raises:
        InputError: every pattern of every listed file is ``holdout`` (one
            line, located at the calibration file's ``patterns:`` key).
    """
    if any(p.role == "calibrate" for pf in files for p in pf.patterns):
        return
    names = ", ".join(path.name for path in calibration.pattern_files)
    raise calibration.error(
        f"no calibration pattern: every pattern of {names} is role: holdout, which "
        "calibrate never fits; list a pattern file with role: calibrate patterns",
        "patterns",
    )
