"""What two outside checks of decisions 986-988 found, mended (decision 989)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.test_headline import _headline

TOUR = Path(__file__).resolve().parents[1] / "scenarios" / "tour.yaml"


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        # Just past a bound: the value was rounded to the bound itself ("<= 1, got 1").
        ("parameters.trust.memory=1.0000001", "must be <= 1, got 1.0000001"),
        ("parameters.trust.negativity_bias=100.0000001", "must be <= 100, got 100.0000001"),
        # A subnormal as typed, not as ":g" rounds it ("got 9.88131e-324").
        ("parameters.trust.prior_strength=1e-323", "must be >= 1e-300, got 1e-323 "),
        # A whole float stays short.
        ("parameters.trust.memory=2.0", "must be <= 1, got 2\n"),
    ],
)
def test_a_value_past_a_bound_is_echoed_as_it_is(setting: str, said: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(TOUR), "--set", setting],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert said.rstrip("\n") in done.stderr
    if said.endswith("\n"):
        assert done.stderr.rstrip("\n").endswith(said.rstrip("\n"))


@pytest.mark.parametrize(
    ("words", "cjk"), [(["中华人民共和国"], True), (["भारत", "गणराज्य"], False), (["한국"], True)]
)
def test_the_glyph_note_names_a_cjk_font_for_cjk_letters_only(words: list[str], cjk: bool) -> None:
    from sim.plots import glyphs

    glyphs.MISSING_WORDS.clear()
    for word in words:
        glyphs.MISSING_WORDS.setdefault(word)
    note = glyphs.missing_glyphs_note()
    assert note is not None and words[0] in note
    assert ("Noto Sans CJK" in note) is cjk
    assert ("the Noto Sans font of the script" in note) is not cjk


@pytest.mark.parametrize(("n", "words"), [(1, "1 paired replicate."), (5, "5 paired replicates.")])
def test_the_answer_counts_its_replicates_in_words(n: int, words: str) -> None:
    cells = pd.DataFrame({"x": [1.0], "y": [1.0], "mean": [0.1], "lo": [0.05], "hi": [0.15]})
    cells["n"] = n
    lo, hi = (0.05, 0.15) if n > 1 else (math.nan, math.nan)
    sentence = _headline(cells, at_reference=(0.1, lo, hi, n)).sentence()
    assert words in sentence and "(s)" not in sentence


@pytest.mark.parametrize(
    ("actors", "powers_drawn", "crossed"),
    [
        (["P", "Q"], ["P", "Q"], None),  # only powers with lines act: no cross is drawn
        (["P", "S"], ["P", "Q"], "a state"),
        (["P", "Q"], ["P"], "a power --powers leaves out"),
        (["S", "Q"], ["P"], "a state, or a power --powers leaves out"),
    ],
)
def test_the_grey_cross_is_said_of_the_actors_that_get_one(
    actors: list[str], powers_drawn: list[str], crossed: str | None
) -> None:
    """ "a grey cross for an actor without a line: a state" was said where no state acts
    (an outside check, decision 992)."""
    from types import SimpleNamespace

    from sim.plots.gallery import Selection, _event_marks_words

    results = SimpleNamespace(
        scenarios={"s": None},
        powers=["P", "Q"],
        calendar=lambda _: SimpleNamespace(step="month"),
    )
    events = pd.DataFrame({"actor": actors, "kind": ["intervene"] * len(actors)})
    series = pd.DataFrame({"metric": "trust_mean", "power": powers_drawn})
    words = _event_marks_words(results, events, Selection(), "s", {}, series)  # type: ignore[arg-type]
    if crossed is None:
        assert "grey cross" not in words
    else:
        assert words.endswith(f"a grey cross for an actor without a line: {crossed}")
