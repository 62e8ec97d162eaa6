"""What an outside check with valid but unusual inputs found: a prior strength so small that
the priors underflow, a label with two $ drawn as maths, names in a script the figures' font
lacks, names re-cased and "1 powers"."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main

MINIMAL = """\
name: minimal
description: One power, one state, no events.
calendar: {start: "2000-01", end: "2001-12", step: month}
powers:
  Hegemon: {capability: 0.5, ideology: 0.0, region: north}
states:
  Lonely: {region: south, ideology: 0.1, aligned: Hegemon, trust: {Hegemon: TRUST}}
events: []
"""


def _minimal(folder: Path, trust: str = "0.6") -> Path:
    path = folder / "s01_minimal.yaml"
    path.write_text(MINIMAL.replace("TRUST", trust), encoding="utf-8")
    return path


def _one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("credsim: note:")]
    assert len(lines) == 1, err
    assert lines[0].startswith("credsim: error: "), err
    return lines[0]


@pytest.mark.parametrize("value", ["5e-324", "1e-323", "1e-301"])
def test_validate_and_run_refuse_a_prior_strength_whose_priors_underflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """5e-324 passed validate and failed both engines mid-run (NaN, ZeroDivisionError);
    1e-323 ran initial trust 0.6 as 0.5 with exit 0 (a0 = m*k and b0 = (1-m)*k the same
    subnormal)."""
    scenario = _minimal(tmp_path)
    setting = f"parameters.trust.prior_strength={value}"
    assert main(["validate", str(scenario), "--set", setting]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert "parameters.trust.prior_strength: must be >= 1e-300" in line
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--set", setting, "--out", str(out), "--no-plots"]) == 2
    assert "must be >= 1e-300" in _one_line_error(capsys.readouterr().err)
    assert not out.exists()


def test_a_trust_entry_with_too_small_a_strength_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _minimal(tmp_path, "{mean: 0.6, strength: 1.0e-320}")
    assert main(["validate", str(scenario)]) == 2
    line = _one_line_error(capsys.readouterr().err)
    assert f"{scenario}:7: states.Lonely.trust.Hegemon.strength: must be >= 1e-300" in line


def test_the_smallest_prior_strength_keeps_the_initial_trust(tmp_path: Path) -> None:
    """At the floor a0 and b0 hold the mean: the run's trust is the 0.6 given."""
    from sim.runner import run_scenario
    from sim.scenario.loader import load_scenario

    scenario = load_scenario(_minimal(tmp_path), ["parameters.trust.prior_strength=1e-300"])
    output = run_scenario(scenario, seed=1, record="series")
    trust = output.series.query("metric == 'trust_mean'")["value"]
    assert np.allclose(trust, 0.6)


def test_a_sweep_design_value_too_small_is_refused_before_any_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _minimal(tmp_path)
    experiment = tmp_path / "small.yaml"
    experiment.write_text(
        "name: small_strength\n"
        "description: A grid with one too-small prior strength.\n"
        "scenarios: {minimal: s01_minimal.yaml}\n"
        "design:\n"
        "  method: grid\n"
        "  parameters:\n"
        "    parameters.trust.prior_strength: [10.0, 5.0e-324]\n"
        "replicates: 1\nseed: 7\nrecord: series\n",
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    assert main(["validate", str(experiment)]) == 2
    assert "must be >= 1e-300" in _one_line_error(capsys.readouterr().err)
    assert main(["sweep", str(experiment), "--out", str(out)]) == 2
    assert "must be >= 1e-300" in _one_line_error(capsys.readouterr().err)
    assert not out.exists()


def test_a_non_finite_state_names_a_cell_about_another_power_first() -> None:
    """Every cell NaN: it said "own assessment of Hegemon about Hegemon", a power's view
    of itself, which no power holds (model.md)."""
    from sim.finite import NonFiniteState, check_finite

    everywhere = np.full((2, 1), np.nan)
    with pytest.raises(NonFiniteState, match=r"own assessment of Lonely about Hegemon is nan"):
        check_finite(1, "2000-01", {"own assessment": everywhere}, ["Hegemon", "Lonely"],
                     ["Hegemon"])  # fmt: skip
    itself = np.array([[np.nan], [0.5]])
    with pytest.raises(NonFiniteState, match=r"own assessment of Hegemon about itself is nan"):
        check_finite(1, "2000-01", {"own assessment": itself}, ["Hegemon", "Lonely"], ["Hegemon"])


def test_a_label_with_two_dollar_signs_is_drawn_as_written() -> None:
    """ "Aid of $5bn to $10bn pledged" was drawn "Aid of 5bnto10bn pledged", the middle as
    maths in italics."""
    import matplotlib.pyplot as plt

    from sim.plots.figure import render, set_theme

    set_theme()
    fig, ax = plt.subplots()
    label = "Aid of $5bn to $10bn pledged"
    text = ax.text(0.1, 0.5, label)
    ax.set_title("cost $ group: $x^2$")
    render(fig)
    for drawn in (text, ax.title):
        shown, as_maths = drawn._preprocess_math(drawn.get_text())  # what is drawn
        assert not as_maths
        assert shown == drawn.get_text()
    plt.close(fig)


def _glyph_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_a_name_the_fonts_lack_is_one_note_not_a_warning_per_letter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A power named 中华人民共和国: about thirty "UserWarning: Glyph 20013 missing from
    font(s) DejaVu Sans" lines on stderr; now one note naming it (where no font installed
    has its letters, as on the machines credsim is tested on)."""
    from sim.plots import glyphs

    scenario = tmp_path / "cn.yaml"
    scenario.write_text(
        _minimal(tmp_path).read_text(encoding="utf-8").replace("Hegemon", "中华人民共和国"),
        encoding="utf-8",
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["run", str(scenario), "--out", str(tmp_path / "out")]) == 0
    assert _glyph_warnings(caught) == []
    err = capsys.readouterr().err
    assert "Glyph" not in err
    notes = [line for line in err.splitlines() if "no glyphs" in line]
    import matplotlib.pyplot as plt

    fig = plt.figure()
    fig.suptitle("中华人民共和国")
    if glyphs.missing_words(fig):  # no font installed has them: the figures draw boxes
        assert len(notes) == 1
        assert notes[0].startswith("credsim: note: the figures' font")
        assert "中华人民共和国" in notes[0]
        assert "the report's text has them" in notes[0]
    else:
        assert notes == []  # a font installed draws them
    plt.close(fig)


def test_the_fonts_fall_back_on_those_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures' font family is the theme's sans-serif, then the fallbacks installed
    (matplotlib logs a family it cannot find, so none that is not)."""
    from sim.plots import glyphs

    monkeypatch.setattr(glyphs, "FALLBACK_FONTS", ("No Such Font", "DejaVu Serif"))
    glyphs.fallback_families.cache_clear()
    try:
        assert glyphs.font_family() == ["sans-serif", "DejaVu Serif"]
    finally:
        glyphs.fallback_families.cache_clear()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("afrique de l'ouest", "afrique de l'ouest"),  # was "Afrique De L'ouest"
        ("cost $ group", "cost $ group"),  # was "Cost $ Group"
        ("Afrique de l'Ouest", "Afrique de l'Ouest"),
        ("union européenne", "union européenne"),
        ("EU_members", "EU members"),
        ("arab_league", "Arab League"),  # an id: its words titled (decision 609)
        ("plo_and_uae", "PLO and UAE"),
    ],
)
def test_names_written_out_keep_their_letters(name: str, shown: str) -> None:
    from sim.plots.figure import proper

    assert proper(name) == shown


def test_a_group_title_capitalises_only_credsims_own_words() -> None:
    from sim.plots.figure import group_phrase, group_title

    assert group_title(group_phrase("x", {"region": "afrique de l'ouest"})) == (
        "States in afrique de l'ouest"
    )
    assert group_title(group_phrase("cost $ group", {"members": ["A", "B"]})) == (
        "cost $ group (2 members)"
    )
    assert group_title(group_phrase("one", {"members": ["côte d'Ivoire"]})) == "côte d'Ivoire"


def test_a_state_that_starts_a_sentence_keeps_its_capital() -> None:
    """ "côte d'Ivoire's final trust ..." and "ελλάδα's ..." in a caption's list."""
    from sim.plots.figure import metric_in_sentence

    phrases = {"all": "among all states", "ci": "of Côte d'Ivoire", "gr": "of Ελλάδα",
               "sy": "of Syria"}  # fmt: skip
    assert metric_in_sentence("final_trust.USA.ci", phrases).startswith("Côte d'Ivoire's")
    assert metric_in_sentence("final_trust.USA.gr", phrases).startswith("Ελλάδα's")
    assert metric_in_sentence("final_share.USA.sy", phrases).startswith("Syria aligned")
    assert metric_in_sentence("final_trust.USA.all", phrases).startswith("final trust")


def test_one_of_each_is_said_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "1 powers, 1 states" (run), "1 states, 1 powers, 1 steps" (synth), "grid, 1 points"
    (the report's table)."""
    from sim.plots.report import run_facts

    out = tmp_path / "out"
    assert main(["run", str(_minimal(tmp_path)), "--out", str(out), "--no-plots"]) == 0
    assert "'minimal': 1 power, 1 state, 24 month steps in " in capsys.readouterr().out
    synth = tmp_path / "synth.yaml"
    args = ["synth", "--states", "1", "--powers", "1", "--steps", "1", "--out", str(synth)]
    assert main(args) == 0
    assert f"wrote {synth}: 1 state, 1 power, 1 step" in capsys.readouterr().out
    assert "Synthetic population: 1 state, 1 power, 1 step, seed" in synth.read_text(
        encoding="utf-8"
    )
    manifest = {"kind": "sweep", "design": {"method": "grid", "points": 1}}
    assert ("design", "grid, 1 point") in run_facts(manifest)
