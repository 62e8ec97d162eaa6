"""One colour per power, the same in every figure of every command.

Colours come from the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal
Design"), which stays distinguishable under the common colour-vision
deficiencies, extended with seaborn's colour-blind brown and pink. Powers
that scenarios often name get a fixed colour (the same for a state and its
successor: USSR and Russia, PRC and China). Any other name is hashed
(SHA-256, not Python's salted ``hash``) to a starting place in the palette
and takes the first colour there that no other power of the scenario holds
(:func:`power_palette`), so its colour depends only on the scenario's set of
powers: the same in every figure of every command on that scenario, provided
each figure passes all of them (``among``), not only the powers it draws. Names
ending in a number (``P0``, ``P1``, ... from ``credsim synth``) start at
consecutive places. Non-aligned (``none``) is grey.

A known name keeps its colour in a figure that does not draw its predecessor or
successor, even where ``among`` holds it (a cross-case folder of the USSR's case and
Russia's: each is vermillion in its figures).

A scenario of more than ten powers takes four more colours from Paul Tol's
"muted" scheme (indigo, wine, olive, green: the four of it that stay apart
from the ten above), so that up to fourteen powers are told apart by colour;
beyond that colours repeat, which :func:`power_palette` documents. Two
known names of one scenario that share a colour (USSR and Russia both
powers of one file) keep it for the first in name order; the other takes
a free colour as an unknown name would.

Colour alone is lost in greyscale print, where vermillion, bluish green and
blue come out as one grey. Each colour therefore has a filled marker
(:func:`power_markers`, for lines over time) and a hatch
(:func:`power_hatches`, for stacked areas), so a power keeps those wherever
it keeps its colour.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from sim.columns import distinct

NONE_COLOR = "#999999"

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#CA9161",  # brown (seaborn colorblind)
    "#F0E442",  # yellow
    "#FBAFE4",  # pink (seaborn colorblind)
)
# Paul Tol's "muted" scheme (personal.sron.nl/~pault), the four of its colours that
# stay apart from the ten above: for a scenario of more than ten powers.
TOL_MUTED_EXTRA: tuple[str, ...] = ("#332288", "#882255", "#999933", "#117733")
# Hashed names take the seven strong colours first; brown, yellow and pink (close
# to vermillion and orange, or pale on white) only once those are taken, then Tol's.
_PRIMARY = OKABE_ITO[:7]
_EXTRA = (*OKABE_ITO[7:], *TOL_MUTED_EXTRA)

_KNOWN: dict[str, str] = {
    **dict.fromkeys(["usa", "us", "united states", "united_states"], OKABE_ITO[0]),
    **dict.fromkeys(["ussr", "soviet union", "soviet_union", "russia"], OKABE_ITO[1]),
    **dict.fromkeys(["prc", "china"], OKABE_ITO[2]),
    **dict.fromkeys(["india"], OKABE_ITO[3]),
    **dict.fromkeys(["france"], OKABE_ITO[4]),
    **dict.fromkeys(["uk", "united kingdom", "united_kingdom", "britain"], OKABE_ITO[5]),
    **dict.fromkeys(["eu", "european union"], OKABE_ITO[7]),
}
_NUMBERED = re.compile(r"^(.*?)(\d+)$")
# No dotted style: the scenario's events are dotted lines in the trajectories (decision
# 493), and a dotted scenario was taken for one (a figure audit).
_LINESTYLES: tuple[str | tuple[int, tuple[int, ...]], ...] = (
    "-",
    "--",
    "-.",
    (0, (5, 1, 1, 1, 1, 1)),
    (0, (10, 3)),
    (0, (3, 1, 1, 1, 1, 1, 1, 1)),
)
# A marker per scenario where lines have markers (the figures against a parameter),
# drawn hollow so that coinciding lines still show each scenario's.
_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P")


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _known(power: str) -> str | None:
    if power in ("none", ""):
        return NONE_COLOR
    return _KNOWN.get(power.strip().lower())


def _start(power: str) -> int:
    numbered = _NUMBERED.match(power)
    return _digest(numbered.group(1)) + int(numbered.group(2)) if numbered else _digest(power)


def power_palette(powers: Iterable[str], among: Iterable[str] = ()) -> dict[str, str]:
    """``{power: colour}`` for ``powers`` and ``among`` (in any order).

    Known names always get their fixed colour (two of one colour, USSR and Russia,
    keep it both unless both are in ``powers``, drawn together). Every other name starts at its
    hashed place in the palette and, if a power earlier in name order holds
    that colour, takes the next free one; so no two powers of a scenario
    share a colour (up to the palette's size) and the result depends only on
    the set of names, not on their order. A figure that draws some of a
    folder's powers passes the folder's powers as ``among``
    (:attr:`sim.results.Results.powers`): a power then has the same colour
    in every figure, whichever others it draws (Turkey takes China's green in
    a figure without China otherwise). Beyond fourteen powers (the palette's
    size) colours repeat.
    """
    drawn = sorted(set(distinct(powers)))
    names = sorted({*drawn, *distinct(among)})
    colors: dict[str, str] = {}
    for power in drawn:
        known = _known(power)
        # The first of two known names of one colour (USSR and Russia) drawn together keeps it.
        if known is not None and (known == NONE_COLOR or known not in colors.values()):
            colors[power] = known
    # A known name only among the others keeps its colour too, shared with its
    # predecessor or successor where that is drawn instead: a cross-case folder's figures
    # drew the USSR black in the Sino-Soviet case because Russia, of the Syria case, held
    # vermillion among the folder's powers (an outside check, decision 1008).
    for power in (p for p in names if p not in drawn):
        known = _known(power)
        if known is not None:
            colors[power] = known
    taken = set(colors.values())
    for power in (p for p in names if p not in colors):
        start = _start(power) % len(_PRIMARY)
        order = [*_PRIMARY[start:], *_PRIMARY[:start], *_EXTRA]
        free = [c for c in order if c not in taken]
        colors[power] = free[0] if free else order[0]
        taken.add(colors[power])
    return colors


def power_color(power: str) -> str:
    """The colour of ``power`` on its own: fixed for known names (and ``none``), else
    its hashed place in the palette. Figures showing several powers use
    :func:`power_palette`, which also keeps hashed names apart."""
    return power_palette([power])[power]


def scenario_linestyles(scenarios: Iterable[str]) -> dict[str, str | tuple[int, tuple[int, ...]]]:
    """A line style per scenario, in the order given (solid for the first, then dashed,
    dash-dot ...; never dotted, the events' style)."""
    return {s: _LINESTYLES[i % len(_LINESTYLES)] for i, s in enumerate(scenarios)}


def scenario_markers(scenarios: Iterable[str]) -> dict[str, str]:
    """A marker per scenario, in the order given (circle, square, triangle ...)."""
    return {s: _MARKERS[i % len(_MARKERS)] for i, s in enumerate(scenarios)}


# A filled marker and a hatch for each colour of the palette, in the palette's order, so
# that a power keeps them wherever it keeps its colour and powers of distinct colours
# stay apart in greyscale print, where vermillion, bluish green and blue are one grey.
_COLOURS: tuple[str, ...] = (*OKABE_ITO, *TOL_MUTED_EXTRA)
_POWER_MARKERS: tuple[str, ...] = (
    *("o", "s", "^", "D", "v", "P", "X"),
    *("*", "h", "<", ">", "p", "d", "8"),
)
_POWER_HATCHES: tuple[str, ...] = (
    *("////", "\\\\\\\\", "....", "xxxx", "----", "++++", "||||"),
    *("oo", "**", "OO", "//..", "\\\\..", "--||", "xx.."),
)


def power_markers(palette: dict[str, str]) -> dict[str, str]:
    """A filled marker per power of ``palette`` (:func:`power_palette`), read off its
    colour: circle for blue, square for vermillion, triangle for green ...; none
    (``""``) for the non-aligned grey. Powers of distinct colours get distinct markers."""
    return {p: _by_colour(c, _POWER_MARKERS) for p, c in palette.items()}


def power_hatches(palette: dict[str, str]) -> dict[str, str]:
    """A hatch per power of ``palette`` (:func:`power_palette`), read off its colour as
    :func:`power_markers` is; none (``""``) for the non-aligned grey."""
    return {p: _by_colour(c, _POWER_HATCHES) for p, c in palette.items()}


def _by_colour(colour: str, choices: tuple[str, ...]) -> str:
    return choices[_COLOURS.index(colour)] if colour in _COLOURS else ""


SCENARIO_GREYS: tuple[str, ...] = ("#000000", "#4d4d4d", "#808080")


def sample_colors(labels: Iterable[str]) -> dict[str, str]:
    """Colours for things that are not powers (scenarios, folders), in the order given.

    Black and greys only, so that a scenario's line never borrows a power's
    colour; the line style (:func:`scenario_linestyles`) tells them apart
    beyond three.
    """
    return {label: SCENARIO_GREYS[i % len(SCENARIO_GREYS)] for i, label in enumerate(labels)}
