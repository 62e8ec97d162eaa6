"""Small input files that the tests of the pattern and calibration commands share."""

from __future__ import annotations

from collections.abc import Sequence


def un_members_scenario(name: str, africa: Sequence[str]) -> str:
    """A scenario of a few UN members, 2014 to 2016 by month, with one event (Russia
    intervenes for Syria in 2015-09), so that ``--set`` can move the calendar's ends.

    Groups: ``levant`` (Syria, aligned with Russia; Jordan, with the USA) and
    ``africa``, the states ``africa`` named, all alike (ideology 0, unaligned, trust 0.5
    in both powers), so that their propensity gaps are one value before the event.
    """
    alike = "".join(f"  {state}: {{region: africa, ideology: 0.0}}\n" for state in africa)
    return f"""\
name: {name}
calendar: {{start: "2014-01", end: "2016-12", step: month}}
powers:
  Russia: {{capability: 0.5, ideology: 0.5, region: eurasia}}
  USA: {{capability: 0.9, ideology: -0.5, region: north_america}}
states:
  Syria: {{region: levant, ideology: 0.5, aligned: Russia}}
  Jordan: {{region: levant, ideology: -0.5, aligned: USA}}
{alike}defaults: {{trust: {{Russia: 0.5, USA: 0.5}}}}
events:
  - {{id: iv, date: "2015-09", kind: intervene, actor: Russia, target: Syria, magnitude: 1.0,
     label: intervention, source: a test}}
outputs:
  groups:
    levant: {{region: levant}}
    africa: {{region: africa}}
"""
