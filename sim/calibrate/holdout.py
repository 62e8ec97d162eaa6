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

from sim.calibrate.spec import Calibration


def require_calibration_patterns(calibration: Calibration) -> None:
    """Raise unless some pattern file of ``calibration`` has a ``calibrate`` pattern.

    Raises:
        InputError: every pattern of every listed file is ``holdout`` (one
            line, located at the calibration file's ``patterns:`` key), or a
            pattern file the pattern loader rejects.
    """
    from sim.patterns import load_patterns

    files = calibration.pattern_files
    if any(p.role == "calibrate" for path in files for p in load_patterns(path).patterns):
        return
    names = ", ".join(path.name for path in files)
    raise calibration.error(
        f"no calibration pattern: every pattern of {names} is role: holdout, which "
        "calibrate never fits; list a pattern file with role: calibrate patterns",
        "patterns",
    )
