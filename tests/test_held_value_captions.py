"""Whose value a figure is held at, where a sweep's scenarios set different values.

An outside check swept negativity bias over 1, 2 and 3 for a historical scenario (its own
value 2) and a counterfactual child file that sets its own 1.5. The trajectories and
alignment captions said "At trust: negativity bias 2 (the scenario's value)", as if both
scenarios had it: the figures draw every scenario at the first scenario's value, and
no_missiles's own 1.5 was not run. The caption now names whose value it is and says the
other scenarios' own; where the scenarios share the value it reads as before. The
headline's answer, held at its first scenario's values, says the same of the second's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest
import results_factory as factory

from sim.plots.figure import where_shown
from sim.plots.gallery import figures_for, selection_of
from sim.plots.headline import headline_caption, headline_of
from sim.results import Results, open_results

NB = "parameters.trust.negativity_bias"
MEM = "parameters.trust.memory"
QUESTION = {"text": "Does it?", "difference": ["base", "counter"], "metric": "final_trust.USA.all"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _sweep(
    tmp_path: Path,
    own: dict[str, dict[str, float]],
    grid: dict[str, list[Any]],
    question: dict[str, Any] | None = None,
) -> Results:
    """A series sweep of the scenarios of ``own`` (name -> its own trust parameters)."""
    trees = {}
    for name, trust in own.items():
        tree = factory.scenario_tree(name)
        tree["parameters"] = {"trust": dict(trust)}
        trees[name] = tree
    offsets = {name: -0.1 * i for i, name in enumerate(own)}
    folder = factory.write_sweep(
        tmp_path / "sweep", offsets, grid, replicates=2, trees=trees, question=question
    )
    return open_results(folder)


def _captions(results: Results, **chosen: Any) -> dict[str, str]:
    return {e.stem: e.caption for e in figures_for(results, selection_of(results, **chosen))}


def test_scenarios_of_different_values_name_whose_value_is_drawn(tmp_path):
    """base sets 2, counter 1.5, not run: the caption named 2 "the scenario's value"."""
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 1.5}},
        {NB: [1.0, 2.0, 3.0]},
    )
    captions = _captions(results)
    said = "At trust: negativity bias 2 (base's value; counter sets 1.5, not among the values run)."
    for stem in ("trust_trajectories", "alignment"):
        assert said in captions[stem], captions[stem]
        assert "the scenario's value" not in captions[stem]


def test_another_scenarios_value_that_was_run_is_said_not_drawn(tmp_path):
    """counter's own 1.5 was run, but the figure draws both at base's 2: it says so."""
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 1.5}},
        {NB: [1.0, 1.5, 2.0, 3.0]},
    )
    caption = _captions(results)["trust_trajectories"]
    assert (
        "At trust: negativity bias 2 (base's value; counter sets 1.5, among the values run, "
        "but the figure shows every scenario at 2)."
    ) in caption, caption


def test_only_the_parameter_whose_values_differ_names_its_scenario(tmp_path):
    """Memory shared, bias not: memory keeps today's words, the bias names base's
    value run nearest and counter's own."""
    results = _sweep(
        tmp_path,
        {
            "base": {"negativity_bias": 2.2, "memory": 0.98},
            "counter": {"negativity_bias": 3.0, "memory": 0.98},
        },
        {NB: [1.0, 2.0, 3.0], MEM: [0.95, 0.98]},
    )
    caption = _captions(results)["trust_trajectories"]
    assert (
        "At trust: negativity bias 2 (the value run nearest base's 2.2; counter sets 3, among "
        "the values run, but the figure shows every scenario at 2), trust: memory 0.98 (the "
        "scenario's value)."
    ) in caption, caption


def test_scenarios_that_share_their_values_keep_todays_words(tmp_path):
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 2.0}},
        {NB: [1.0, 2.0, 3.0]},
    )
    captions = _captions(results)
    for stem in ("trust_trajectories", "alignment"):
        assert "At trust: negativity bias 2 (the scenario's value)." in captions[stem]
        assert "base's" not in captions[stem]


def test_a_value_set_with_at_is_every_scenarios(tmp_path):
    """--at holds every scenario at the value given: nothing to say of their own."""
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 1.5}},
        {NB: [1.0, 2.0, 3.0]},
    )
    caption = _captions(results, at=[f"{NB}=3"])["trust_trajectories"]
    assert "At trust: negativity bias 3 (set with --at)." in caption, caption


def test_the_headline_names_whose_values_it_answers_at(tmp_path):
    """The answer is the difference at its first scenario's values: it says whose, and
    the second's own; --at's note says whose values the headline answers at."""
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 1.5}},
        {NB: [1.0, 1.5, 2.0, 3.0]},
        question=QUESTION,
    )
    headline = headline_of(results)
    assert headline is not None
    where = (
        "trust: negativity bias 2 (base's value; counter sets 1.5, among the values run, "
        "but the answer takes both scenarios at 2)"
    )
    assert f"at {where}: " in headline.sentence(), headline.sentence()
    assert f"dashed line: {where}" in headline_caption(headline)
    assert "it answers at base's values" in headline_caption(headline, {NB: 3.0})


def test_the_headline_of_scenarios_that_share_their_values_keeps_todays_words(tmp_path):
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 2.0}},
        {NB: [1.0, 2.0, 3.0]},
        question=QUESTION,
    )
    headline = headline_of(results)
    assert headline is not None
    assert "at trust: negativity bias 2 (the scenario's value): " in headline.sentence()
    assert "it answers at the scenario's values)" in headline_caption(headline, {NB: 3.0})


def test_the_headline_answers_at_its_first_scenarios_values_not_the_folders_first(tmp_path):
    """A question that differences the folder's second scenario minus its first is held
    at the second's values; the words named the folder's first scenario's."""
    question = {**QUESTION, "difference": ["counter", "base"]}
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 3.0}},
        {NB: [1.0, 2.0, 3.0]},
        question=question,
    )
    headline = headline_of(results)
    assert headline is not None and headline.reference == {NB: 3.0}
    assert (
        "at trust: negativity bias 3 (counter's value; base sets 2, among the values run, "
        "but the answer takes both scenarios at 3): "
    ) in headline.sentence(), headline.sentence()


def test_a_sampled_designs_point_says_the_other_scenarios_values(tmp_path):
    """A sampled design's point nearest the first scenario's values: named as its, with
    the other scenario's own."""
    results = _sweep(
        tmp_path,
        {"base": {"negativity_bias": 2.0}, "counter": {"negativity_bias": 1.5}},
        {NB: [1.0, 2.0, 3.0]},
    )
    manifest = json.loads((results.path / "manifest.json").read_text())
    manifest["design"]["method"] = "lhs"
    (results.path / "manifest.json").write_text(json.dumps(manifest))
    sampled = open_results(results.path)
    text = where_shown(sampled, {NB: 2.0}, {})
    assert text == (
        "trust: negativity bias 2 (the design point nearest base's values trust: negativity "
        "bias 2; the lhs design drew the point's values; counter sets trust: negativity bias "
        "1.5, but the figure shows every scenario at this point)"
    ), text
