"""Input errors: one clear line for the user, never a traceback.

Every mistake a user can make in a scenario or experiment file, an override
or a command-line option becomes an :class:`InputError`. The CLI prints
``str(error)`` and exits with code 2; nothing is written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


class InputError(Exception):
    """A problem with user input.

    Attributes:
        message: what is wrong and what is allowed.
        path: the field path (``parameters.trust.memory``), if any.
        file: the file the problem is in, if known.
        line: the 1-based line in ``file``, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.file = file
        self.line = line

    def located(self, file: str | None = None, line: int | None = None) -> InputError:
        """Fill in where the error is, keeping what is already known."""
        if self.file is None:
            self.file = file
        if self.line is None:
            self.line = line
        return self

    def reworded(self, message: str) -> InputError:
        """The same place (path, file, line) with ``message``: the error said again with
        more of what led to it (an override, an ``extends`` chain, a scenario)."""
        return InputError(message, path=self.path, file=self.file, line=self.line)

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        field = f"{self.path}: " if self.path else ""
        # One line, whatever a value typed into it holds: `--set $'PATH=0.9\n1'` echoed its
        # line break, and the error took two lines (an audit of the input files).
        text = f"{where}{field}{self.message}"
        return text.replace("\r", "\\r").replace("\n", "\\n")


def slash_hint(path: str) -> str:
    """The end of a "does not exist" message for a path written with Windows' separator
    (``..\\scenarios\\tour.yaml``), which names no file here: ``" (paths use "/", not
    "\\": ../scenarios/tour.yaml)"``; "" for a path without a backslash."""
    if "\\" not in path:
        return ""
    forward = path.replace("\\", "/")
    return f' (paths use "/", not "\\": {forward})'


def refuse_empty(option: str, value: str | None, instead: str) -> None:
    """Refuse an option given empty (``""`` from a script's unset variable), which the
    commands took for the option left out: ``--rival ""`` measured plain agreement,
    ``--years ""`` all years, ``--across ""`` drew nothing across (an audit; decision 625
    refused ``compare --metric ""`` so).

    Args:
        option: the option, as typed (``--rival``).
        value: its value; None (left out) passes.
        instead: what to give, or to leave out, said after "OPTION is empty; ".

    Raises:
        InputError: "OPTION is empty; INSTEAD".
    """
    if value is not None and not value.strip():
        raise InputError(f"{option} is empty; {instead}")


class WorkersFailed(RuntimeError):
    """A sweep's worker processes cannot work at all (they die as they start): no input
    is wrong, but nothing more can be run. The CLI prints one line and exits 1."""


class WorkersDied(WorkersFailed):
    """A calibration's worker processes kept dying (killed, or out of memory) over one
    piece of work, or its Dask workers over their data (decision 763). What finished
    is kept; the CLI prints one line and exits 1."""


# The attribute an interrupt that stops a sweep or a calibration carries: what it keeps,
# and where.
_KEPT = "credsim_kept"
_DRAWING = "credsim_drawing"


def mark_kept(interrupt: BaseException, runs: int | None, folder: Path | None = None) -> None:
    """Record on a Ctrl-C (or a signal) that stopped a sweep how many of its folder's
    runs are kept and where (None: it stopped before its runs began), or that stopped a
    calibration how many of its generations (None: not known), for the line the CLI
    says. The first mark stands: the one made where they were counted last."""
    if kept_of(interrupt) is None:
        setattr(interrupt, _KEPT, (runs, folder))


def mark_drawing(interrupt: BaseException) -> None:
    """Record that a Ctrl-C (or a signal) stopped a sweep whose runs had all finished while
    it drew its figures (:func:`drawing_when`)."""
    setattr(interrupt, _DRAWING, True)


def drawing_when(interrupt: BaseException) -> bool:
    """Whether :func:`mark_drawing` marked ``interrupt``."""
    return getattr(interrupt, _DRAWING, False) is True


def kept_of(interrupt: BaseException) -> tuple[int | None, Path | None] | None:
    """What :func:`mark_kept` recorded, or None."""
    kept = getattr(interrupt, _KEPT, None)
    return kept if isinstance(kept, tuple) else None


# Whole numbers up to this many digits are shown in full (a seed has at most 19).
SHOWN_DIGITS = 20


# Two whole numbers about a comma, `0,95`: one decimal number written with a comma (or,
# in a grid, the two values 0 and 95).
_DECIMAL_COMMA = re.compile(r"\s*([-+]?[0-9]+),([0-9]+)\s*")


def decimal_comma(text: object) -> tuple[str, str] | None:
    """The whole and the decimal part of ``text`` when it reads as a number written with
    a decimal comma (``'0,95'`` gives ``('0', '95')``), else None."""
    found = _DECIMAL_COMMA.fullmatch(text) if isinstance(text, str) else None
    return (found[1], found[2]) if found else None


def decimal_comma_hint(text: object) -> str:
    """``; a decimal comma? write 0.95`` for ``'0,95'``, else an empty string."""
    parts = decimal_comma(text)
    return f"; a decimal comma? write {parts[0]}.{parts[1]}" if parts else ""


def number_text(value: int | float, grouped: bool = False) -> str:
    """A number for a message: a float as ``:g``, a whole number in full up to
    :data:`SHOWN_DIGITS` digits (``grouped``: with thousands commas), past that as
    ``9.999e+399 (400 digits)``, so that a long number typed by mistake is not
    echoed back over a screen.
    """
    if isinstance(value, float):
        return f"{value:g}"
    sign = "-" if value < 0 else ""
    try:
        digits = str(abs(value))
    except ValueError:  # past Python's limit on converting an int to text
        return f"{sign}a number of more than 4,300 digits"
    if len(digits) <= SHOWN_DIGITS:
        return f"{value:,}" if grouped else f"{sign}{digits}"
    return f"{sign}{digits[0]}.{digits[1:4]}e+{len(digits) - 1} ({len(digits)} digits)"


def beyond_float(value: object) -> bool:
    """Whether ``value`` is a whole number too large for a float (``float()`` of it
    raises OverflowError; pydantic calls it no number)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    try:
        float(value)
    except OverflowError:
        return True
    return False


def shortened(text: str) -> str:
    """Typed text for a message, cut after 100 characters when it is longer than 120."""
    return text if len(text) <= 120 else f"{text[:100]}... ({len(text):,} characters)"


def describe_os_error(exc: OSError) -> str:
    """One line for a file-system refusal: which path, what is wrong, what to do."""
    where = f"'{exc.filename}'" if exc.filename else "a file"
    if isinstance(exc, PermissionError):
        # A file that exists and may not be read was said "cannot write ... (a read-only
        # folder?)" (an audit, decision 656).
        name = exc.filename
        if name and os.path.isfile(name) and not os.access(name, os.R_OK):
            return f"cannot read {where}: permission denied (give yourself read access)"
        if name and os.path.isdir(name) and not os.access(name, os.R_OK | os.X_OK):
            return f"cannot read the folder {where}: permission denied"
        # A file in a folder that may not be opened (chmod 000, or without x) was said
        # "cannot write ... (a read-only folder?)", reading a results folder (an audit of
        # the commands' options): the nearest folder on its path that can be seen.
        folder = os.path.dirname(os.path.abspath(name)) if name else ""
        while folder and not os.path.isdir(folder) and folder != os.path.dirname(folder):
            folder = os.path.dirname(folder)
        if folder and os.path.isdir(folder) and not os.access(folder, os.R_OK | os.X_OK):
            return (
                f"cannot open the folder '{folder}' to reach {where}: permission denied "
                "(give yourself read access to the folder)"
            )
        return f"cannot write {where}: permission denied (a read-only folder?)"
    if isinstance(exc, IsADirectoryError):
        return f"{where} is a folder; a file was expected there"
    if isinstance(exc, FileNotFoundError):
        return f"cannot create {where}: a folder on its path does not exist and cannot be made"
    if isinstance(exc, FileExistsError):
        if exc.filename and os.path.islink(exc.filename) and not os.path.exists(exc.filename):
            # mkdir(exist_ok=True) of a link that leads back to itself (or nowhere): it was
            # said to be "a file" (an audit of the commands' options).
            return (
                f"{where} is a symbolic link that leads nowhere (a loop, or its target is "
                "missing); a folder was expected there: remove the link or choose another path"
            )
        # Raised by mkdir(exist_ok=True) when a file stands where a folder is to be made.
        return f"{where} is a file; a folder was expected there"
    if isinstance(exc, NotADirectoryError):
        return f"{where}: a part of the path is a file, not a folder"
    if exc.errno == errno.ELOOP:
        return (
            f"{where}: a symbolic link on its path leads back to itself (a loop); remove or "
            "correct the link, or choose another path"
        )
    if exc.errno == errno.ENAMETOOLONG:
        return f"{where}: a name in the path is too long (at most 255 bytes a name)"
    code = disk_full(exc)
    if code is not None:
        full = _FULL[code]
        # Arrow says it in words of its own and no file ("Error writing bytes to file.
        # Detail: [errno 28] No space left on device"; decision 765). Every file is
        # written whole or not at all, so nothing is left half-written.
        return (
            f"cannot write {where}: {full}; free some space (or choose another --out) and "
            "run the same command again"
        )
    return f"cannot write {where}: {exc.strerror or exc}"


@contextlib.contextmanager
def named_when_full(folder: Path, sqlite: bool = False) -> Iterator[None]:
    """A full disk said of ``folder`` (a results folder): Arrow's error names no file,
    and SQLite's (pyabc's history, with ``sqlite``) is no ``OSError`` (decision 765).

    Raises:
        OSError: a full disk or spent quota with ``folder`` as its file when it had none
            (its errno and words the system's), else the error as it was.
    """
    try:
        yield
    except OSError as exc:
        code = disk_full(exc)
        if exc.filename is None and code is not None:
            raise OSError(code, os.strerror(code), str(folder)) from exc
        raise
    except Exception as exc:
        if sqlite and "database or disk is full" in str(exc):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder)) from exc
        raise


# The errors of a full disk and of a spent quota, in the words the command says them.
_FULL = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is spent"}


def disk_full(exc: OSError) -> int | None:
    """The errno of a full disk or spent quota, when ``exc`` is one (also in Arrow's
    words, "[errno 28]" in its message, with no ``errno`` of its own); else None."""
    code = exc.errno
    if code is None:
        match = re.search(r"\[errno (\d+)\]", " ".join(map(str, exc.args)))
        code = int(match.group(1)) if match else None
    return code if code in _FULL else None


def fixed(value: Any, digits: int = 3) -> str:
    """``value`` to ``digits`` decimals, a negative value that rounds to zero without
    its sign: tables printed ``-0.000`` for -0.0000004 (audits; decision 633)."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0.0 else text


def alike(*values: float, signed: bool = True) -> list[str]:
    """``values`` to the decimals that give the first one three significant digits, all
    alike (``+0.0496``, ``+0.0480``, ``+0.0511``): a mean and its interval read as three
    kinds of number in ``.3g`` ("-9.94e-05 ... -0.000186 to -2.77e-05"; decisions 648,
    653). ``.3g`` when the first is 0 or not finite.

    Up to :data:`MORE_DECIMALS` more decimals where two values that differ would read
    alike: a narrow interval read "-0.0127 to -0.0127" of -0.012727 to -0.012700 (an
    outside review of the figures, decision 947)."""
    import math

    sign = "+" if signed else ""
    first = values[0]
    if not math.isfinite(first) or first == 0:
        shown = [f"{v:{sign}.3g}" for v in values]
    else:
        decimals = min(12, max(0, 2 - math.floor(math.log10(abs(first)))))
        for more in range(MORE_DECIMALS + 1):
            shown = [f"{v:{sign}.{decimals + more}f}" for v in values]
            if not _merged(values, shown):
                break
    # Zero without a sign: "+0", or "-0.000" for a value that rounds to it (decision 633).
    return [
        str(v)
        if not math.isfinite(v)
        else t.lstrip("+-")
        if t.lstrip("+-").strip("0.") == ""
        else t
        for v, t in zip(values, shown, strict=True)
    ]


# At most this many decimals more than three significant digits of the first value
# (:func:`alike`), to tell apart values that differ.
MORE_DECIMALS = 3


def _merged(values: Sequence[float], shown: Sequence[str]) -> bool:
    """Whether two of ``values`` that differ (finite) are ``shown`` as the same text."""
    seen: dict[str, float] = {}
    for value, text in zip(values, shown, strict=True):
        if value != value or value in (float("inf"), float("-inf")):
            continue
        if text in seen and seen[text] != value:
            return True
        seen.setdefault(text, value)
    return False


def count_text(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural but for one, thousands grouped: ``1 run``, ``2,560 runs``."""
    return f"{n} {noun}" if n == 1 else f"{n:,} {noun}s"


def in_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
