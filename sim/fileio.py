"""Atomic file writes: a reader never sees a half-written file.

Each write goes to a temporary file in the same folder, is flushed to disk,
then renamed over the target (``os.replace`` is atomic on POSIX).
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import: umask can only be read by setting it, which is not
# safe to do while other threads create files.
_UMASK = _read_umask()


def _temporary(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        # The refusal names the file the user asked for, not the temporary name beside it.
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    # mkstemp makes the file private (0600); results are for sharing, like any new file.
    os.fchmod(fd, 0o666 & ~_UMASK)
    return fd, name


def leftover_files(folder: Path) -> list[Path]:
    """The temporary files (``.NAME.*.tmp``) that writes killed midway left in
    ``folder``, in name order: a finished write renames its file, so any left belongs
    to no one."""
    return sorted(folder.glob(".*.tmp")) if folder.is_dir() else []


def remove_leftovers(folder: Path) -> None:
    """Delete :func:`leftover_files` of ``folder``."""
    for tmp in leftover_files(folder):
        tmp.unlink(missing_ok=True)


# The first line of a marker of an unfinished write (:func:`begin_writing`), for a user who
# finds one (it is a hidden file) and for telling it from any other file of its name.
_UNFINISHED = "credsim: unfinished; the same command run again finishes it"


def _marker(folder: Path, kind: str) -> Path:
    return folder / f".{kind}.unfinished"


def begin_writing(folder: Path, kind: str, lines: Sequence[str] = ()) -> None:
    """Mark ``folder`` as being written by a command of ``kind`` (``plot``), before it
    writes its first file there: a hidden file ``.KIND.unfinished`` holding ``lines`` (what
    the command run again needs to know: the files it is to write, whose check it is).

    A command killed midway leaves the marker, so that, run again, it takes the folder
    for its own (:func:`refuse_foreign_folder`'s ``unfinished``) and can remove what it had
    written (:func:`unfinished_lines`); :func:`end_writing` removes it after the last file.
    """
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(_marker(folder, kind), "\n".join([_UNFINISHED, *lines]) + "\n")


def unfinished_lines(folder: Path, kind: str) -> list[str] | None:
    """The ``lines`` of ``folder``'s marker of an unfinished write of ``kind``, or None when
    it has none (:func:`begin_writing`)."""
    marker = _marker(folder, kind)
    if not _begins(marker, _UNFINISHED):
        return None
    try:
        text = marker.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return [line for line in text.splitlines()[1:] if line]


def end_writing(folder: Path, kind: str) -> None:
    """Remove ``folder``'s marker of ``kind`` (:func:`begin_writing`): the write finished."""
    _marker(folder, kind).unlink(missing_ok=True)


@contextmanager
def replacing(
    folder: Path, kind: str, earlier: Iterable[Path], lines: Sequence[str] = ()
) -> Iterator[None]:
    """Write files into ``folder`` in place of an earlier write's ``earlier`` files (a
    table, its report, its figures) so that no reader finds the two mixed: marks the
    folder (:func:`begin_writing`, with ``lines``), deletes ``earlier`` in order, runs the
    writes in the ``with`` block, and removes the mark once they finished. A kill midway
    leaves some of the new files, none of the earlier ones, and the mark."""
    begin_writing(folder, kind, lines)
    for path in earlier:
        path.unlink(missing_ok=True)
    yield
    end_writing(folder, kind)


def _nearest_existing(path: Path) -> Path:
    """``path``, else its nearest parent that exists (what a write there would create in)."""
    existing = Path(path)
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing


def require_writable(folder: Path, option: str | None = None, *, new: bool = False) -> None:
    """Refuse a read-only folder (or nearest existing parent) before anything is written.

    Args:
        folder: the output folder.
        option: the option that named it (``--out``), to begin the refusal with.
        new: the folder is for results yet to be made (a run's, a sweep's), so the
            repair is another place only, not copying results somewhere writable.

    Raises:
        InputError: the folder cannot be written, or a file stands where it should be.
    """
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise InputError(f"'{existing}' is a file; a folder was expected there", path=option)
    if not os.access(existing, os.W_OK | os.X_OK):
        repair = "" if new else "copy the results somewhere writable, or "
        raise InputError(
            f"cannot write into '{existing}': the folder is read-only; {repair}choose a "
            "writable --out",
            path=option,
        )


def refuse_folders_in_the_way(paths: Mapping[Path, str]) -> None:
    """Refuse, before anything is drawn or written, a folder where a command writes a
    file (``mkdir D/report.html``): the refusal came once the file's temporary copy was
    to replace it, after the other files were rewritten, and named the copy ("'D/
    .report.html.x1y2.tmp' is a folder"; an audit).

    Args:
        paths: each file the command writes, with what it is ("the report page").

    Raises:
        InputError: one line naming the first such path and what is written there.
    """
    for path, what in paths.items():
        # A link to a folder is replaced as a link is, not written into: no refusal.
        if path.is_dir() and not path.is_symlink():
            raise InputError(
                f"'{path}' is a folder, where {what} is to be written; remove or rename "
                "that folder, then run the command again"
            )


def refuse_foreign_folder(
    out: Path, marks: Sequence[Mapping[str, str]], whose: str, unfinished: Sequence[str] = ()
) -> None:
    """Refuse an output folder that holds files and is not one this command wrote before.

    A command that writes fixed file names (a table, a report, figures) replaces
    them on a second run; in a user's own folder they could be the user's files.

    Args:
        out: the ``--out`` folder (nothing to refuse when it does not exist).
        marks: each maps file names to how their first line begins ("" for any
            beginning); a folder whose files match all of one mapping is this command's.
        whose: what wrote such a folder, for the message ("an earlier plot's").
        unfinished: the kinds of :func:`begin_writing` whose marker also makes a folder
            this command's: one it was killed writing, which lacks the files of ``marks``
            (they are written last).

    Raises:
        InputError: ``out`` is a folder with other files in it (files whose names
            begin with a dot are not counted).
    """
    if not out.is_dir():
        return
    if not any(not p.name.startswith(".") for p in out.iterdir()):
        return
    if any(all(_begins(out / name, start) for name, start in mark.items()) for mark in marks):
        return
    if any(unfinished_lines(out, kind) is not None for kind in unfinished):
        return
    which = ", nor ".join(" and ".join(sorted(mark)) for mark in marks)
    raise InputError(
        f"--out '{out}' is not empty and is not {whose} folder (no {which}); "
        "choose a new or empty folder"
    )


def _begins(path: Path, start: str) -> bool:
    """``path`` is a file whose first line begins with ``start``."""
    if not path.is_file():
        return False
    if not start:
        return True
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.readline().startswith(start)
    except OSError:
        return False


def require_writable_file(path: Path, option: str, *, replace: bool = True) -> None:
    """Refuse an output file path (``option``'s, e.g. ``--out``) before anything is computed
    or written: the path is a folder, a part of its folder path is a file, the folder it
    would be written in is read-only, or (``replace`` False) a file is there already.

    Raises:
        InputError: one line naming ``option`` and the path as given.
    """
    path = Path(path)
    if path.is_dir():
        raise InputError(f"{option} '{path}' is a folder; a file was expected there")
    existing = _nearest_existing(path.parent)
    if not existing.is_dir():
        raise InputError(
            f"{option} '{path}': '{existing}' is a file, not a folder; choose another {option}"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InputError(
            f"{option} '{path}': cannot write into '{existing}' (the folder is read-only); "
            f"choose a writable {option}"
        )
    folder = results_folder_above(path)
    if folder is not None:
        # A results folder's files are its runs' and recorded by checksum; a table or figure
        # written over one (observe --out run/series.parquet) destroyed what it held, and
        # `check` then called the folder damaged (an outside check, decision 1020).
        raise InputError(
            f"{option} '{path}' is inside the results folder '{folder}' (it has a "
            f"manifest.json); a command writes no file into a results folder: choose a path "
            "outside it"
        )
    if not replace and (path.exists() or path.is_symlink()):
        raise InputError(
            f"{option} '{path}' already exists and would be overwritten; choose another "
            f"{option} or remove the file"
        )


def results_folder_above(path: Path) -> Path | None:
    """The results folder (a run's, a sweep's, a calibration's) that holds ``path``, or None.

    A folder holds a results folder's files when it, or a folder above it, has a
    ``manifest.json`` or an ``integrity.json`` (a results folder whose manifest was lost).
    """
    from sim.integrity import INTEGRITY, MANIFEST

    folder = Path(os.path.abspath(path)).parent
    for above in (folder, *folder.parents):
        if (above / MANIFEST).is_file() or (above / INTEGRITY).is_file():
            shown = os.path.relpath(above)
            return above if Path(path).is_absolute() or shown.startswith(".") else Path(shown)
    return None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    fd, tmp = _temporary(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while the block runs, and take them when it ends.

    For steps that must happen together or not at all: a sweep's chunk is its parts,
    their record, and the sweep letting go of the runs it handed over; a Ctrl-C between
    two of them wrote the runs twice (decisions 773, 774). A signal that comes during
    the block goes to its own handler as the block ends, as if it came then: a command's
    Ctrl-C still raises, one block later. When a handler raises, the signals held after
    its own are dropped, as they would be taken during its clean-up (a second SIGHUP of
    a closed terminal, decision 769). A signal the process ignores stays ignored.
    Outside the main thread, where handlers cannot be set, the block runs as it is.
    """
    held: list[tuple[int, Any]] = []
    previous: dict[int, Any] = {}
    try:
        with _interrupts_sent_to(lambda signum, frame: held.append((signum, frame))) as previous:
            yield
    finally:
        for signum, frame in held:
            handler = previous[signum]
            if callable(handler):
                handler(signum, frame)  # Ctrl-C's raises KeyboardInterrupt here
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)


@contextmanager
def _interrupts_sent_to(handler: Callable[[int, Any], None]) -> Iterator[dict[int, Any]]:
    """Ctrl-C, SIGTERM and SIGHUP sent to ``handler`` while the block runs; yields their
    handlers before, which are put back as it ends. An ignored signal stays ignored, and
    one whose handler was not set from Python (None: it could not be put back) is left as
    it is. Outside the main thread, where handlers cannot be set, nothing changes (and
    the handlers yielded are none)."""
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        yield previous
        return
    try:
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            signum = getattr(signal, name, None)
            before = None if signum is None else signal.getsignal(signum)
            if signum is not None and before not in (None, signal.SIG_IGN):
                previous[signum] = signal.signal(signum, handler)
        yield previous
    finally:
        for signum, before in previous.items():
            signal.signal(signum, before)


@contextmanager
def interrupts_dropped() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP do nothing while the block runs (the clean-up of a
    command already stopping on one of them, decision 832). Outside the main thread,
    nothing changes; an ignored signal stays ignored."""
    with _interrupts_sent_to(_dropped):
        yield


def _dropped(signum: int, frame: Any) -> None:
    """A signal while :func:`interrupts_dropped` holds: nothing to do."""


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


# A manifest's top-level value whose JSON is longer than this is written on one line.
LONG_JSON = 100_000


def json_text(data: Mapping[str, Any], default: Callable[[Any], Any] | None = None) -> str:
    """``data`` as ``json.dumps(data, indent=2, default=default)`` writes it, but for its
    top-level values longer than :data:`LONG_JSON` compact: each on one line.

    A results folder's manifest holds the resolved scenario, 35 MB for a drawn
    100,000-state one, and ``json`` indents in Python, about 5x slower than it
    writes compact (1.3 against 0.26 s there; an outside check at scale, decision
    824). A historical case's manifest, every value short, reads as before.
    """
    if not data:
        return "{}"
    items = []
    for key, value in data.items():
        text = json.dumps(value, default=default)
        if len(text) <= LONG_JSON:  # JSON text holds no raw newline: each one is a new line
            text = json.dumps(value, indent=2, default=default).replace("\n", "\n  ")
        items.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(items) + "\n}"


def write_parquet(frame: pd.DataFrame, path: Path, *, tidy: bool = False) -> None:
    """Write a DataFrame as Parquet atomically, without the pandas index.

    ``tidy`` (a sweep's series and actors parts, a run's ``series.parquet``: millions of
    rows of a few labels and numbers) dictionary-encodes the columns that are not
    floats and writes the floats plain, with no column statistics: Parquet otherwise
    tries a dictionary of every float before it falls back to plain, and keeps each
    column's minimum and maximum, which no reader can prune by here (every part holds
    every metric, group and date, and run ids are hashes). A part of a million rows
    takes about 95 against 160 ms, and reads back the same frame (decision 877).
    """
    # Imported here: the CLI imports this module, and should start without Arrow.
    import pyarrow as pa
    import pyarrow.parquet as pq

    options: dict[str, Any] = {}
    if tidy:
        labels = [str(c) for c in frame.columns if frame[c].dtype.kind != "f"]
        options = {"use_dictionary": labels, "write_statistics": False}
    fd, tmp = _temporary(path)
    os.close(fd)
    try:
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp, **options)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# A sweep's runs parts are Arrow IPC files (docs/decisions.md, 752): written in a
# fraction of Parquet's time for hundreds of short columns, and read back once, when the
# sweep consolidates them into runs.parquet. Every other table (and the runs parts of
# folders written before) is Parquet; the readers below take either, by the suffix.
ARROW_SUFFIX = ".arrow"


def write_arrow(table: pa.Table, path: Path) -> None:
    """Write an Arrow table as an Arrow IPC file (uncompressed), atomically."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


def is_arrow(path: Path) -> bool:
    """Whether ``path`` names an Arrow IPC file (else Parquet)."""
    return Path(path).suffix == ARROW_SUFFIX


def table_format(path: Path) -> str:
    """The format's name for messages: "Arrow" or "parquet"."""
    return "Arrow" if is_arrow(path) else "parquet"


def read_schema(path: Path) -> pa.Schema:
    """The schema of a Parquet or Arrow IPC file, from its footer."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not is_arrow(path):
        return pq.read_schema(path)
    with pa.OSFile(str(path), "rb") as source:
        return pa.ipc.open_file(source).schema


def read_arrow_table(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """A Parquet or Arrow IPC file as an Arrow table (``columns`` only, when given)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not is_arrow(path):
        return pq.read_table(path, columns=None if columns is None else list(columns))
    with pa.OSFile(str(path), "rb") as source:
        table = pa.ipc.open_file(source).read_all()
    return table if columns is None else table.select(list(columns))


def table_rows(path: Path) -> int:
    """The row count of a Parquet or Arrow IPC file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not is_arrow(path):
        return int(pq.ParquetFile(path).metadata.num_rows)
    with pa.OSFile(str(path), "rb") as source:
        reader = pa.ipc.open_file(source)
        return sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
