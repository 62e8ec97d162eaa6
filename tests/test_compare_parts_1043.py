"""Decision 1043: a ``compare`` figure taller than a page is cut into parts, each within
the page, read back from the saved files. At ``--width 3.3`` a figure split by three
values of a parameter was one column of panels 22-28 in tall. At the default width (no
page) a figure stays one file, as `plot`'s do. Each test fails on the code before."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import results_factory as factory
from matplotlib.figure import Figure
from small_cases import compare_renders

from sim.cli import main
from sim.plots.figure import PAGE_HEIGHT_IN

BY = "parameters.trust.negativity_bias"
METRIC = "final_trust.USA.all"
SCENARIOS = {"historical": 0.0, "sustained": 0.1, "abstained": -0.05}
VALUES = (1.0, 2.0, 3.0)
# A saved file's height may pass the page's by a pixel at 150 dpi (its rounding).
PIXEL_IN = 1.0 / 150.0


def _compare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *width: str
) -> tuple[list[Path], dict[Path, Figure], str]:
    """The figure files ``compare --by`` saved (in order), the figure each was drawn
    from (matched by its bytes), and the table's file."""
    sweep = factory.write_sweep(tmp_path / "sweep", SCENARIOS, {BY: list(VALUES)}, replicates=2)
    drawn = compare_renders(monkeypatch)
    out = tmp_path / "out"
    argv = ["compare", str(sweep), "--metric", METRIC, "--by", BY, "--out", str(out)]
    assert main([*argv, *(["--width", *width] if width else [])]) == 0
    files = sorted(out.glob("*.png"), key=lambda p: int(re.sub(r".*?(_(\d+))?$", r"0\2", p.stem)))
    # Each file's figure, drawn last of those alike (a part is tried before it is saved).
    figures = {f: [fig for data, fig in drawn if data == f.read_bytes()][-1] for f in files}
    (table,) = out.glob("*.md")
    return files, figures, table.read_text()


@pytest.fixture(scope="module")
def single_column(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[Path], dict[Path, Figure], str]:
    """``compare --by`` at 3.3 in, drawn once for the tests that read it (each draw of a
    part is tried before it is saved: some ten figures)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _compare(tmp_path_factory.mktemp("single_column"), monkeypatch, "3.3")


def _height_in(path: Path) -> float:
    """A saved PNG's height in inches: its pixels at 150 dpi."""
    return int.from_bytes(path.read_bytes()[20:24], "big") / 150.0


def _caption(fig: Figure) -> str:
    """The caption drawn under the figure: its text in the caption's grey, lines joined."""
    (text,) = [t for t in fig.texts if t.get_color() == "0.3"]
    return " ".join(text.get_text().split())


@pytest.mark.parametrize("width", ["3.3", "6.5"])
def test_each_part_of_a_tall_figure_is_within_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single_column: Any, width: str
) -> None:
    files = single_column[0] if width == "3.3" else _compare(tmp_path, monkeypatch, width)[0]
    heights = [_height_in(f) for f in files]
    assert all(h <= PAGE_HEIGHT_IN + PIXEL_IN for h in heights), heights
    if width == "3.3":  # one row of three values fits at 6.5 in; a column of them not
        assert len(files) > 1
        stem = files[0].stem.rsplit("_", 1)[0]
        assert [f.stem for f in files] == [f"{stem}_{k}" for k in range(1, len(files) + 1)]


def test_each_part_says_which_it_is_and_heads_its_own_values(single_column: Any) -> None:
    files, figures, table = single_column
    n = len(files)
    assert n > 1
    seen: list[str] = []
    spans = set()
    for k, path in enumerate(files, start=1):
        fig = figures[path]
        caption = _caption(fig)
        assert f"Part {k} of {n}" in caption
        # The values the part's caption names are the ones its panels' titles are at,
        # and its header's differences at those values only.
        named = re.search(r"Part \d+ of \d+ \([^=]+= ([^)]+)\)", caption)
        assert named is not None
        values = named.group(1).split(", ")
        seen += values
        titles = " ".join(ax.get_title(loc="left") for ax in fig.axes if ax.axison)
        assert sorted(set(re.findall(r"bias = (\S+?)\b", " ".join(titles.split())))) == sorted(
            values
        )
        header = " ".join(fig._suptitle.get_text().split())  # type: ignore[union-attr]
        at = re.findall(r"at trust: negativity bias = (\S+?):", header)
        assert at and set(at) == set(values)
        # Every part on one value scale.
        per_run = [ax for ax in fig.axes if ax.axison][1::2]
        spans |= {tuple(round(x, 9) for x in ax.get_xlim()) for ax in per_run}
        if "the caption written with the table" in caption:
            assert f"Caption of {path.name}:" in table
    assert seen == ["1", "2", "3"]
    assert len(spans) == 1


def test_a_redraw_at_another_width_leaves_only_its_own_files(
    tmp_path: Path, single_column: Any
) -> None:
    """Into one --out folder: at 3.3 in the parts, then at the default width the one
    file: the parts are not left beside it (the same code removes a whole figure's file
    where parts are written)."""
    files = single_column[0]
    assert len(files) > 1
    out = tmp_path / "out"
    shutil.copytree(files[0].parent, out)
    sweep = files[0].parent.parent / "sweep"
    argv = ["compare", str(sweep), "--metric", METRIC, "--by", BY, "--out", str(out)]
    assert main(argv) == 0
    stem = files[0].stem.rsplit("_", 1)[0]
    assert [p.name for p in out.glob("*.png")] == [f"{stem}.png"]
