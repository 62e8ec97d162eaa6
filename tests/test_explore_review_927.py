"""What an outside review of the explorer in headless Chromium found (decision 927): the
page's events did not say which scenario has them, ``about.txt`` reproduced only the
scenario's run and a saved scenario did not say which figures are of its values, the
state a case is about went unnamed in the network, the command line took no
counterfactual where the page takes one, the alignment's colour key stood under the
poles chart, a description was cut mid-sentence and the network's title said another
step than the line above it. Each test fails on the code before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser import free_port

solara = pytest.importorskip("solara")
v = pytest.importorskip("ipyvuetify")

from solara.widgets import VegaLite  # noqa: E402

import sim.explore  # noqa: E402
from sim.explore.app import Explorer, first_sentence  # noqa: E402
from sim.explore.engine import mesa_engine  # noqa: E402
from sim.explore.figures import (  # noqa: E402
    Line,
    alignment_spec,
    event_table,
    network_layout,
    network_spec,
    trajectories_spec,
)
from sim.model import CredibilityModel  # noqa: E402
from sim.scenario.loader import load_scenario  # noqa: E402
from sim.seeds import seed_sequence  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"
SMALL = str(ROOT / "tests" / "data" / "batch_small.yaml")
BIAS = "parameters.trust.negativity_bias"


def specs(rc: Any) -> list[dict[str, Any]]:
    return [w.spec for w in rc.find(VegaLite).widgets]


def button(rc: Any, label: str) -> Any:
    return rc.find(v.Btn, children=[label]).widget


def test_the_pages_events_say_which_scenario_has_them() -> None:
    """syria_abstained removes nine of Syria's events, among them the 2015-09 "Russian
    intervention"; the saved figure says "(syria only)" and the page marked them as it
    marked the events of both. The page's events now say it in their label and in a field
    its tooltip shows, and are marked hollow, keyed under the chart's title."""
    syria = load_scenario(SHIPPED / "syria.yaml")
    abstained = load_scenario(SHIPPED / "syria_abstained.yaml")
    table = event_table(syria, abstained, ["syria", "syria_abstained"])
    alone = table[~table["shared"]]
    assert len(alone) == 9
    assert set(alone["scenarios"]) == {"syria only"}
    intervention = table[table["label"].str.startswith("Russian intervention")]
    assert intervention["label"].tolist() == ["Russian intervention (syria only)"]
    assert (table.loc[table["shared"], "scenarios"] == "both").all()
    assert len(table) == len(syria.events)  # syria_abstained adds none

    powers = syria.power_names
    run = Line("syria", mesa_engine(syria, 0))
    cf = Line("syria_abstained", mesa_engine(abstained, 0))
    spec = trajectories_spec(run, cf, table, "arab_league", powers)
    events = spec["datasets"]["events"]
    (row,) = [e for e in events if e["label"].startswith("Russian intervention")]
    assert row["scenarios"] == "syria only" and row["shared"] is False
    upper = spec["vconcat"][0]
    point = upper["layer"][-1]["layer"][-1]
    assert {"field": "scenarios", "title": "in", "type": "nominal"} in point["encoding"]["tooltip"]
    assert point["encoding"]["fill"]["condition"]["test"] == "datum.shared"
    assert "of one only" in upper["title"]["subtitle"]
    # Without a counterfactual every event is the scenario's, and nothing is keyed.
    alone_spec = trajectories_spec(run, None, event_table(syria), "arab_league", powers)
    assert "title" not in alone_spec["vconcat"][0]
    assert all(e["shared"] for e in alone_spec["datasets"]["events"])


def test_saved_figures_give_the_counterfactuals_command_and_pair_with_a_saved_scenario(
    tmp_path: Path,
) -> None:
    """about.txt's command reproduced the scenario's run only; it now gives the
    counterfactual's too, with the same changes. And a scenario saved after figures of
    other values lay beside them unsaid: about.txt names the scenario file saved with
    the same values and seed before it (or says none was), and a saved scenario's header
    names the figures saved with its values before it (or says none were)."""
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text(
        f"extends: {SMALL}\nname: quiet\nremove_events: [abandonment]\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    _, rc = solara.render(Explorer(SMALL, str(quiet), out=str(out)), handle_error=False)
    button(rc, "save figures").click()  # the unchanged page
    first = (out / "batch_small_explored_figures" / "about.txt").read_text()
    assert f"credsim run {quiet} --seed 0 --engine mesa\n" in first
    assert "No scenario file with these values and seed was saved before these figures" in first

    rc.find(v.Slider, label="negativity bias").widget.v_model = 3.0
    button(rc, "save scenario").click()
    saved = out / "batch_small_explored.yaml"
    header = saved.read_text()
    assert "# No figures of these values and seed were saved before it" in header
    assert "batch_small_explored_figures" not in header

    button(rc, "save figures").click()
    second = (out / "batch_small_explored_figures_2" / "about.txt").read_text()
    assert f"The scenario's run (solid lines): credsim run {SMALL} --seed 0 --set {BIAS}=3" in (
        second
    )
    assert second.endswith(
        "The counterfactual's run (dashed lines), with the same changes: "
        f"credsim run {quiet} --seed 0 --set {BIAS}=3 --engine mesa\n"
    )
    assert f"before these figures: {saved}\n" in second

    button(rc, "save scenario").click()  # the same values again: it names those figures
    again = (out / "batch_small_explored_2.yaml").read_text()
    assert f"# Its figures, saved before it with these values and seed: {out}/" in again
    assert "batch_small_explored_figures_2\n" in again


def test_the_state_a_case_is_about_is_named_in_the_network() -> None:
    """Vietnam's South Vietnam (the group south_vietnam, the page's first) lay half under
    the USA's mark, with no place for its name: "Not named, for want of room: South
    Vietnam, South Korea, Cuba". A state's mark is now moved clear of the powers', and
    South Vietnam is named beside its node, nearer it than any other."""
    scenario = load_scenario(SHIPPED / "vietnam_usa.yaml")
    model = CredibilityModel(spec=scenario, rng=seed_sequence(0, 0))
    members = {
        model.actor_names[i] for g in model.groups if g.name == "south_vietnam" for i in g.members
    }
    assert members == {"South Vietnam"}
    spec = network_spec(
        scenario,
        network_layout(scenario),
        model.aligned,
        model.capability,
        members,
        "capability",
        model.date,
    )
    named = {r["name"] for r in spec["datasets"]["nodes"] if r["label"]}
    assert "South Vietnam" in named
    assert "South Vietnam" not in str(spec["title"])


def test_the_command_takes_the_scenarios_own_counterfactual(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`credsim explore scenarios/syria.yaml` started with no counterfactual, where the
    page, choosing Syria, takes syria_abstained.yaml. The command now takes the same (and
    says so); `--counterfactual none` keeps none."""
    import os

    import uvicorn

    from sim.cli import build_parser
    from sim.explore.app import ENV_COUNTERFACTUAL, ENV_ENGINE, ENV_OUT, ENV_SCENARIO

    monkeypatch.setattr(uvicorn.Server, "run", lambda self: None)
    monkeypatch.setattr("sim.explore.assets.fill_cache", lambda cache: [])
    monkeypatch.chdir(ROOT)
    # Whatever the command sets is put back after the test.
    for name in (ENV_COUNTERFACTUAL, ENV_ENGINE, ENV_OUT, ENV_SCENARIO, "SOLARA_APP"):
        monkeypatch.setenv(name, "")
    monkeypatch.delenv(ENV_COUNTERFACTUAL)
    syria = "scenarios/syria.yaml"
    given = ["explore", syria, "--no-browser", "--out", str(tmp_path), "--port", str(free_port())]
    assert sim.explore.cli_explore(build_parser().parse_args(given)) == 0
    said = capsys.readouterr().out
    assert "beside the counterfactual scenarios/syria_abstained.yaml" in said
    assert os.environ.get(ENV_COUNTERFACTUAL) == "scenarios/syria_abstained.yaml"

    none = build_parser().parse_args([*given, "--counterfactual", "none"])
    assert sim.explore.cli_explore(none) == 0
    assert "no counterfactual (--counterfactual none" in capsys.readouterr().out
    assert os.environ.get(ENV_COUNTERFACTUAL) is None


def test_the_alignment_colour_key_is_under_the_alignment_charts() -> None:
    """The key "aligned: Russia USA China Turkey France none" stood under the poles chart
    (black lines only), the concatenation's shared legend; it is now under the last share
    chart, and the poles chart has none."""
    syria = load_scenario(SHIPPED / "syria.yaml")
    abstained = load_scenario(SHIPPED / "syria_abstained.yaml")
    run = Line("syria", mesa_engine(syria, 0))
    cf = Line("syria_abstained", mesa_engine(abstained, 0))
    for counterfactual, charts in ((cf, 2), (None, 1)):
        spec = alignment_spec(run, counterfactual, "arab_league", syria.power_names)
        assert spec["resolve"]["legend"]["color"] == "independent"
        legends = [
            chart["layer"][0]["encoding"]["color"].get("legend", "shared")
            for chart in spec["vconcat"][:charts]
        ]
        assert legends[:-1] == [None] * (charts - 1)
        assert legends[-1] not in (None, "shared") and legends[-1]["orient"] == "bottom"


def test_a_descriptions_first_sentence_is_shown_whole() -> None:
    """Syria's first sentence, of 315 characters, was cut at 240 ("... the US withdrawal
    from…"); every shipped case's first sentence is now shown whole."""
    syria = load_scenario(SHIPPED / "syria.yaml")
    shown = first_sentence(syria.description or "", names=[*syria.powers, *syria.states])
    assert shown.endswith("France's exit from the Sahel and Russia's African commitments.")
    for path in sorted(SHIPPED.glob("*.yaml")):
        scenario = load_scenario(path)
        text = " ".join((scenario.description or "").split())
        assert not first_sentence(text, names=[*scenario.powers, *scenario.states]).endswith("…"), (
            path.name
        )


def test_the_description_is_whole_on_hover() -> None:
    """The page's line under the list shows the first sentence, its title (hover) the whole
    description."""
    _, rc = solara.render(Explorer(str(SHIPPED / "syria.yaml")), handle_error=False)
    hovers = [w.attributes for w in rc.find(v.Html).widgets if w.attributes]
    assert any(h.get("title", "").endswith("Monthly, 2014-01 to 2026-12.") for h in hovers)


def test_the_networks_title_says_the_step_as_the_line_above() -> None:
    """At step 0 the network was titled "States by alignment, 2001-01" under "step 0 of
    12, the start, before 2001-01"; it now says "the start, before 2001-01" too."""
    _, rc = solara.render(Explorer(SMALL), handle_error=False)
    title = specs(rc)[-1]["title"]
    assert (title["text"] if isinstance(title, dict) else title) == (
        "States by alignment, the start, before 2001-01"
    )
    button(rc, "Step").click()
    title = specs(rc)[-1]["title"]
    assert (title["text"] if isinstance(title, dict) else title) == "States by alignment, 2001-01"
