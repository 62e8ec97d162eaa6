"""Captions and notes that say what the input gave, for valid but unusual inputs.

An outside check ran small, unusual scenarios and experiments (one replicate, one
value, failed runs, no events, quarterly and yearly calendars, a one-parameter Sobol
design, a window finer than the calendar's step) and found texts that contradicted
them: a band described that was not drawn, "no summary changed across the values" of
a sweep of one value, "complete" of a sweep whose every run failed, event marks of a
scenario without events, "the ticks of one month" on a quarterly calendar, "the other
parameters" of a design of one, an interval "0.637 [0.637, 0.637]" of one run. Each
test here runs a few runs of a tiny scenario and reads the words written.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from sim.cli import main

MINIMAL = """\
name: minimal
description: One power, one state.
calendar: {{start: "2000-01", end: "{end}", step: {step}}}
powers:
  Hegemon: {{capability: 0.5, ideology: 0.0, region: north}}
states:
  Lonely: {{region: south, ideology: 0.1, aligned: Hegemon, trust: {{Hegemon: 0.6}}}}
  Other: {{region: south, ideology: 0.3, trust: {{Hegemon: 0.4}}}}
events: {events}
"""

ONE_EVENT = (
    "\n  - {id: help, date: '2000-04', kind: intervene, actor: Hegemon, target: Lonely, "
    "magnitude: 1.0, label: Help}"
)


def _scenario(
    folder: Path,
    name: str = "s.yaml",
    *,
    step: str = "month",
    end: str = "2000-12",
    events: str = "[]",
    extra: str = "",
) -> Path:
    path = folder / name
    path.write_text(MINIMAL.format(step=step, end=end, events=events) + extra)
    return path


def _captions(folder: Path) -> dict[str, str]:
    """captions.md as {file stem: caption}."""
    text = (folder / "plots" / "captions.md").read_text()
    return dict(re.findall(r"^- `([^`]+)\.png`: (.*)$", text, flags=re.MULTILINE))


def _page(folder: Path) -> str:
    return html.unescape((folder / "report.html").read_text())


def _sweep(*argv: str) -> None:
    assert main(["sweep", *argv, "--workers", "1", "--quiet"]) == 0


def test_a_headline_of_one_replicate_describes_no_band(tmp_path: Path) -> None:
    """One replicate: every point of the headline's line is one pair of runs, which has no
    interval, and no band is drawn; the caption said "band: 95% t interval of the mean"
    beside an answer saying "no cell has an interval"."""
    _scenario(tmp_path, "base.yaml", events=ONE_EVENT)
    (tmp_path / "quiet.yaml").write_text(
        "name: quiet\ndescription: no events\nextends: base.yaml\nremove_events: [help]\n"
    )
    experiment = tmp_path / "e.yaml"
    experiment.write_text(
        "name: q\nscenarios: {base: base.yaml, quiet: quiet.yaml}\n"
        "design:\n  method: grid\n  parameters:\n"
        "    parameters.trust.negativity_bias: [1.0, 3.0]\n"
        "replicates: 1\nseed: 1\nrecord: summary\n"
        "question:\n  difference: [base, quiet]\n  metric: final_trust.Hegemon.all\n"
    )
    out = tmp_path / "out"
    _sweep(str(experiment), "--out", str(out))
    caption = _captions(out)["headline"]
    assert "band: 95% t interval" not in caption
    assert "no band: one pair of runs a point, so no point has an interval" in caption
    assert "no cell has an interval" in _page(out)
