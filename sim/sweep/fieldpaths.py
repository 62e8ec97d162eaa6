"""Field paths and file names in the messages of experiment and calibration files.

An experiment's or a calibration's error names the field as its file writes it: a
list item by its index in brackets (``patterns[1]``, ``question.difference[1]``), as
a scenario's errors do (``relations[1]``), and a key that is itself a dotted scenario
path by that key in brackets (``design.parameters['parameters.trust.memory']``), so
that it reads as one key and not as ``design.parameters.parameters.trust.memory``
(decision 917). Light: imported by the calibration file's loader without the sweep.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from sim.scenario.schema import suggest

# A folder of more entries than this is not listed for a close name.
_MOST_LISTED = 2_000
_YAML_SUFFIXES = (".yaml", ".yml")


def field_text(parts: Sequence[str | int], key_at: int | None = None) -> str:
    """The field at ``parts`` (keys and list indices) as a message writes it.

    Args:
        parts: the keys of the path, an ``int`` for a list item (``[1]``); empty keys
            are left out.
        key_at: the position in ``parts`` of a key that is itself a scenario path (the
            key of a varied parameter), written ``['parameters.trust.memory']``.
    """
    text = ""
    for position, part in enumerate(parts):
        if isinstance(part, int):
            text += f"[{part}]"
        elif position == key_at:
            text += f"[{part!r}]"
        elif part != "":
            text += f".{part}" if text else part
    return text


def close_file(missing: str | os.PathLike[str]) -> str:
    """A ``(did you mean 'x.yaml'?)`` suffix naming a YAML file of a close name in the
    folder of ``missing`` (a file that does not exist: ``sino_soviet.yml`` when the
    folder holds ``sino_soviet.yaml``), or an empty string."""
    path = Path(missing)
    try:
        with os.scandir(path.parent) as entries:
            names = []
            for count, entry in enumerate(entries):
                if count >= _MOST_LISTED:
                    return ""
                if entry.name.endswith(_YAML_SUFFIXES) and entry.is_file():
                    names.append(entry.name)
    except OSError:  # no such folder, or one that cannot be read: nothing to offer
        return ""
    return suggest(path.name, sorted(names)) if names else ""
