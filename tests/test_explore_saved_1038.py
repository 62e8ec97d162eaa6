"""A saved spec says where a crowded period's sources are outside the page (decision
1038). The page's tooltip of a crowded period says "click the marker": the page lists the
events with their sources under the chart (decision 1027). ``trust.vl.json``, saved
beside the PNGs for a researcher to open in a Vega editor, carried the same line, and a
click there lists nothing. Fails on the code before (the saved spec held the hint)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

solara = pytest.importorskip("solara")

from solara.widgets import VegaLite  # noqa: E402
from test_explore import button  # noqa: E402

from sim.explore.app import Explorer  # noqa: E402
from sim.explore.figures import SAVED_SOURCES_HINT, SOURCES_HINT  # noqa: E402

SHIPPED = Path(__file__).resolve().parents[1] / "scenarios"


def _strings(value: Any) -> list[str]:
    """Every string in a JSON value, keys and values."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def test_a_saved_trust_spec_names_the_scenario_file_for_a_crowded_periods_sources(
    tmp_path: Path,
) -> None:
    _, rc = solara.render(
        Explorer(str(SHIPPED / "syria.yaml"), out=str(tmp_path)), handle_error=False
    )
    trust = rc.find(VegaLite).widgets[0]
    # On the page the crowded period's tooltip asks for the click the page answers.
    assert any(SOURCES_HINT in s for s in _strings(trust.spec))
    button(rc, "save figures").click()
    (folder,) = tmp_path.glob("*_explored_figures")
    saved = json.loads((folder / "trust.vl.json").read_text())
    strings = _strings(saved)
    assert not any(SOURCES_HINT in s for s in strings)
    assert any(SAVED_SOURCES_HINT in s for s in strings)
    assert "pointer" not in strings
    # Everything else is the page's chart: its data and its layers.
    assert saved["datasets"] == trust.spec["datasets"]
