"""The figures' fonts for names in any script, and one note for a name they cannot draw.

Users name their powers, states, groups and events in their own languages. The theme's
sans-serif (DejaVu Sans on most machines) has Latin, Greek and Cyrillic but no Chinese,
Japanese, Korean, Arabic or Indic letters: matplotlib drew those as empty boxes and warned
once per letter and drawing ("UserWarning: Glyph 20013 missing from font(s) DejaVu Sans",
about thirty lines for one run of a scenario with a Chinese name; an outside check).

So the figures' font family is the theme's sans-serif followed by the fonts of wide
coverage installed on the machine (:func:`fallback_families`), which matplotlib (3.6 on)
takes glyph by glyph where the first has none. A letter that none of them has is still
drawn as a box; matplotlib's warnings of it are silenced (:func:`quiet_missing_glyphs`),
and the words holding such letters are gathered as each figure is saved
(:func:`gather_missing`) for the command to say once (:func:`missing_glyphs_note`). No font
is downloaded: the report's HTML text has every name, drawn by the browser's fonts.
"""

from __future__ import annotations

import unicodedata
import warnings
from functools import cache
from typing import Literal

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

# Installed fonts the figures fall back on, in this order, glyph by glyph: the free fonts
# of Chinese, Japanese and Korean (one of them covers all three's ideographs), of other
# scripts Noto covers, and the wide fonts of macOS and Windows. Only those installed are
# named (matplotlib logs each family it cannot find).
FALLBACK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Noto Sans SC",
    "Noto Sans JP",
    "Noto Sans KR",
    "Source Han Sans SC",
    "Source Han Sans",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans Bengali",
    "Noto Sans Thai",
    "Noto Sans Georgian",
    "Noto Sans Armenian",
    "Noto Sans Ethiopic",
    "Noto Sans",
    "Arial Unicode MS",
    "PingFang SC",
    "Hiragino Sans",
    "Apple SD Gothic Neo",
    "Microsoft YaHei",
    "Malgun Gothic",
    "Segoe UI",
)

# matplotlib's warning of a letter that no font of a text has.
_MISSING = r"Glyph \d+ .*missing from font"

# The words of the figures saved in this process that hold a letter no figure font has,
# in the order drawn (a dict as an ordered set), until a command says them.
MISSING_WORDS: dict[str, None] = {}

# The most words the note names.
_NAMED = 6


@cache
def fallback_families() -> tuple[str, ...]:
    """The families of :data:`FALLBACK_FONTS` installed on this machine, in order."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return tuple(family for family in FALLBACK_FONTS if family in installed)


def font_family() -> list[str]:
    """``font.family`` for the theme: its sans-serif, then the fallbacks installed."""
    return ["sans-serif", *fallback_families()]


def quiet_missing_glyphs() -> None:
    """Silence matplotlib's warning of each letter missing from the fonts (said once, by
    :func:`missing_glyphs_note`, of the words that hold them)."""
    warnings.filterwarnings("ignore", message=_MISSING, category=UserWarning)


@cache
def _font_files(
    families: tuple[str, ...], style: Literal["normal", "italic", "oblique"], weight: str | int
) -> tuple[str, ...]:
    """The font files matplotlib draws ``families`` from (a generic family resolved as
    it resolves it), those it finds."""
    files: list[str] = []
    for family in families:
        prop = font_manager.FontProperties(family=family, style=style, weight=weight)
        try:
            files.append(font_manager.fontManager.findfont(prop, fallback_to_default=False))
        except ValueError:
            continue
    if not files:
        files.append(font_manager.findfont(font_manager.FontProperties(style=style)))
    return tuple(dict.fromkeys(files))


@cache
def _letters(path: str) -> frozenset[int]:
    """The code points the font file ``path`` has a glyph for."""
    return frozenset(FT2Font(path).get_charmap())


@cache
def _covered(files: tuple[str, ...]) -> frozenset[int]:
    return frozenset().union(*(_letters(path) for path in files))


@cache
def _family_names(files: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(FT2Font(path).family_name for path in files))


def _files_of(text: Text) -> tuple[str, ...]:
    prop = text.get_fontproperties()
    return _font_files(tuple(prop.get_family()), prop.get_style(), prop.get_weight())


def missing_words(fig: Figure) -> list[str]:
    """The words of ``fig``'s visible texts that hold a letter none of their fonts has
    (each once, in the order found)."""
    words: dict[str, None] = {}
    for text in fig.findobj(Text):
        assert isinstance(text, Text)
        content = text.get_text()
        if content.isascii() or not text.get_visible():
            continue
        covered = _covered(_files_of(text))
        for word in content.split():
            if any(ord(c) not in covered for c in word if not c.isspace()):
                words.setdefault(word)
    return list(words)


def gather_missing(fig: Figure) -> None:
    """Add ``fig``'s words that its fonts cannot draw to :data:`MISSING_WORDS`."""
    for word in missing_words(fig):
        MISSING_WORDS.setdefault(word)


def missing_glyphs_note() -> str | None:
    """The note of :data:`MISSING_WORDS`, emptied; ``None`` when there are none: "the
    figures' font (DejaVu Sans) has no glyphs for letters of 中华人民共和国: drawn as boxes in
    the figures; the report's text has them (...)"."""
    if not MISSING_WORDS:
        return None
    words = list(MISSING_WORDS)
    MISSING_WORDS.clear()
    named = ", ".join(words[:_NAMED])
    more = f" and {len(words) - _NAMED} more" if len(words) > _NAMED else ""
    fonts = _family_names(_font_files(tuple(font_family()), "normal", "normal"))
    font = f"font ({fonts[0]}) has" if len(fonts) == 1 else f"fonts ({', '.join(fonts)}) have"
    # A CJK font named for a Devanagari name helped nothing (an outside check, decision
    # 989): it is named only where a missing letter is Chinese, Japanese or Korean.
    example = (
        "e.g. Noto Sans CJK for Chinese, Japanese and Korean"
        if any(_east_asian(letter) for word in words for letter in word)
        else "e.g. the Noto Sans font of the script"
    )
    return (
        f"the figures' {font} no glyphs for letters of {named}{more}: drawn as boxes in the "
        "figures; the report's text has them, and the figures use a font that has them "
        f"where one is installed ({example})"
    )


def _east_asian(letter: str) -> bool:
    """Whether ``letter`` is Chinese, Japanese or Korean (Unicode's names for them)."""
    name = unicodedata.name(letter, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))
