"""Calibration: ABC-SMC of scenario parameters against observed patterns (validation.md).

- :mod:`~sim.calibrate.spec`: the calibration file and its errors;
- :mod:`~sim.calibrate.problem`: the problem protocol and the distance;
- :mod:`~sim.calibrate.patterns`: pattern files as a problem;
- :mod:`~sim.calibrate.toy`: a Beta-Bernoulli problem with a known posterior;
- :mod:`~sim.calibrate.smc`: pyabc's ABC-SMC, resume and progress;
- :mod:`~sim.calibrate.posterior`: particle tables, summaries, weighted draws;
- :mod:`~sim.calibrate.run`: the results folder from start to finish;
- :mod:`~sim.calibrate.figures`: figures and the report page;
- :mod:`~sim.calibrate.command`: ``credsim calibrate``.
"""
