"""The ABC threshold: pyabc's median epsilon over the distances that are numbers.

Imported only where a calibration runs, as pyabc is (its import takes about 2 s).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyabc.epsilon import MedianEpsilon


class FiniteMedianEpsilon(MedianEpsilon):
    """pyabc's default threshold (the weighted median of the last population's
    distances, of the prior's sample at first), taken over the finite distances.

    A failed simulation, or one whose calibration statistic has no value, has an
    infinite distance (:func:`~sim.calibrate.problem.rms_distance`). Where such
    simulations were more than half of the prior's sample, pyabc's median was
    infinite and ``d <= inf`` accepted every particle, the failed ones too, so
    the prior came back as the posterior (an audit, decision 750). With the
    median of the finite distances an infinite one is never accepted. When every
    distance is finite this is pyabc's ``MedianEpsilon`` exactly.
    """

    def _update(self, t: int, weighted_distances: pd.DataFrame) -> None:
        finite = np.isfinite(weighted_distances["distance"].to_numpy(dtype=np.float64))
        if finite.any() and not finite.all():
            weighted_distances = weighted_distances[finite]
        super()._update(t, weighted_distances)
