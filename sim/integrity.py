"""Results folders that say what they are and notice when a file is lost or damaged.

Every results folder (a run's, a sweep's, a finished calibration's) follows
the same rules (docs/results_layout.md, "Integrity"):

- ``manifest.json`` is the first file written, atomically: it says what the
  folder is (``kind``) and of what (``identity``, a hash), so a folder is
  never anonymous and a command can refuse one that holds something else
  (:func:`claim`).
- ``integrity.json`` records, for every data file the folder holds, its
  SHA-256, size and row count, written atomically *after* the file: a file
  is part of the folder exactly when it is recorded (:class:`Records`).
  A file present but not recorded is the leftover of an interrupted write.
- :func:`verify` compares the folder with its record and lists every
  :class:`Problem`; :func:`require_intact` turns them into one line that
  names the file and the repair, for the commands that read a folder.

Folders written before integrity records existed carry no ``integrity`` key
in their manifest; nothing records their files, so :func:`table_problems`
opens each data file's footer instead: it must read as Parquet (a runs part as
Arrow IPC, decision 752) and hold the columns the readers index, with their
types. :func:`verify` opens the recorded files' footers too, as a table
rewritten with its record passes the checksums.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shlex
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim import manifests
from sim.errors import InputError, count_text
from sim.fileio import (
    atomic_write_text,
    leftover_files,
    read_schema,
    table_format,
    unfinished_lines,
)

MANIFEST = "manifest.json"
INTEGRITY = "integrity.json"
SUMMARY_FILE = "summary.json"
# The kind of a drawing's marker in a folder's plots/ (sim.fileio.begin_writing): the
# figures and the report page of a sweep or a run, drawn after its runs.
DRAWING = "plot"
# Subfolders whose chunk files are recorded one by one (a sweep's committed chunks).
CHUNK_FOLDERS = ("runs", "series", "actors")
# The suffixes of each chunk folder's parts: runs parts are Arrow IPC since decision 752,
# Parquet in folders written before; series and actors parts are Parquet.
PART_SUFFIXES = {"runs": (".arrow", ".parquet"), "series": (".parquet",), "actors": (".parquet",)}
_CHUNK_SIZE = 1 << 20


# integrity.json's owner and manifest.json's differ: the manifest was edited or replaced.
OTHER_OWNER = "names another owner than manifest.json"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a results folder.

    Attributes:
        file: the file's path relative to the folder.
        what: what is wrong with it.
    """

    file: str
    what: str


TEXT, WHOLE, NUMBER = "text", "whole numbers", "numbers"
# The columns the readers index in each data file, and what each holds (the varied
# parameters' columns too in the runs and design tables, of any type).
RUNS_COLUMNS = {
    "run_id": TEXT,
    "scenario": TEXT,
    "point": WHOLE,
    "replicate": WHOLE,
    "status": TEXT,
}
SERIES_COLUMNS = {
    "step": WHOLE,
    "date": TEXT,
    "group": TEXT,
    "power": TEXT,
    "metric": TEXT,
    "value": NUMBER,
}
_PART_COLUMNS: dict[str, dict[str, str | None]] = {
    "runs": {**RUNS_COLUMNS},
    "series": {**SERIES_COLUMNS, "run_id": TEXT},
    "actors": {"run_id": TEXT},
}


def part_columns(sub: str, varied: Iterable[str]) -> dict[str, str | None]:
    """The columns a chunk file of ``sub`` (runs, series, actors) must hold; a runs part
    also the varied parameters' and ``error``."""
    wanted = dict(_PART_COLUMNS[sub])
    if sub == "runs":
        wanted.update(dict.fromkeys(varied))
        wanted["error"] = None  # the report lists the failed runs' errors
    return wanted


def asked_metric(manifest: Mapping[str, Any] | None) -> str | None:
    """The summary column a sweep's ``question:`` reads (its metric, read at the last
    step), which the runs tables of the folder hold where their runs have its group
    (:func:`_asks_for`); None without a question, for a series metric or one read at a
    ``date`` (read from the series).

    A runs table without it read, and compare fell back on another metric without a
    word, the question's headline gone (an audit).
    """
    from sim.catalogue import SUMMARY, parse_metric

    experiment = (manifest or {}).get("experiment")
    question = experiment.get("question") if isinstance(experiment, dict) else None
    if (manifest or {}).get("kind") != "sweep" or not isinstance(question, dict):
        return None
    metric = question.get("metric")
    if not isinstance(metric, str) or question.get("date") is not None:
        return None
    return metric if parse_metric(metric, SUMMARY) is not None else None


def _asks_for(names: Iterable[str], asked: str) -> bool:
    """Whether a runs table of columns ``names`` must hold the question's metric ``asked``:
    it holds a metric of the same group (and power, and window, where ``asked`` has
    them), so its runs' layout has the question's. A table of failed runs alone has no
    metric column, and a scenario of another layout may lack the question's group."""
    from sim.catalogue import SUMMARY, parse_metric

    want = parse_metric(asked, SUMMARY)
    if want is None:
        return False
    for name in names:
        got = parse_metric(name, SUMMARY)
        if (
            got is not None
            and got.group == want.group
            and (want.power in ("", "none") or got.power == want.power)
            and (want.window is None or got.window == want.window)
        ):
            return True
    return False


# The most missing columns a refusal names (a family of metrics dropped lacks dozens).
_SHOWN = 6


def table_problem(
    path: Path, wanted: Mapping[str, str | None], asked: str | None = None
) -> str | None:
    """What keeps the readers from a Parquet (or Arrow IPC) file, from its footer alone: "it
    is not a readable parquet table", "it has no column run_id", "its column status holds numbers,
    not text"; None when it holds every ``wanted`` column (name to ``TEXT``, ``WHOLE``,
    ``NUMBER`` or None for any type), and, in a runs table, the question's metric
    ``asked`` in numbers where its runs have it (:func:`_asks_for`).

    A table of other columns (another file copied over it, a part missing a column) read,
    and the readers failed inside it ("KeyError: 'run_id'"; an audit).
    """
    import pyarrow as pa  # here: the CLI imports this module and should start fast

    try:
        schema = read_schema(path)
    except PermissionError:
        raise  # said as unreadable by the CLI (describe_os_error)
    except (OSError, ValueError, pa.ArrowException):
        return f"it is not a readable {table_format(path)} table"
    if asked is not None and (asked in schema.names or _asks_for(schema.names, asked)):
        wanted = {**wanted, asked: NUMBER}
    missing = [name for name in wanted if name not in schema.names]
    if missing:
        more = f" and {len(missing) - _SHOWN} more" if len(missing) > _SHOWN else ""
        return (
            f"it has no column{'s' if len(missing) > 1 else ''} {', '.join(missing[:_SHOWN])}{more}"
        )
    for name, kind in wanted.items():
        held = schema.field(name).type
        if isinstance(held, pa.DictionaryType):  # a pandas category
            held = held.value_type
        fits = {
            TEXT: pa.types.is_string(held) or pa.types.is_large_string(held),
            WHOLE: pa.types.is_integer(held),
            # A column of no values at all (pandas writes None so) holds no wrong kind.
            NUMBER: pa.types.is_integer(held)
            or pa.types.is_floating(held)
            or pa.types.is_null(held),
        }
        if kind is not None and not fits[kind]:
            shown = TEXT if fits[TEXT] else NUMBER if fits[NUMBER] else f"values of type {held}"
            return f"its column {name} holds {shown}, not {kind}"
    return None


def summary_problem(path: Path) -> str | None:
    """What keeps the readers from a run's ``summary.json``: it must be a JSON object
    whose every value is a number, null or such an object (a metric's nesting); None
    when it is.

    Damaged in a folder without an integrity record, it was a traceback in plot and
    compare ("JSONDecodeError", "AttributeError: 'list' object has no attribute
    'items'", "could not convert string to float"; an audit).
    """
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return "it is not JSON text"
    if not isinstance(summary, dict):
        return "it is not a JSON object"
    nested = [("", summary)]
    while nested:
        prefix, mapping = nested.pop()
        for key, value in mapping.items():
            if isinstance(value, dict):
                nested.append((f"{prefix}{key}.", value))
            elif value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                return f"its {prefix}{key} is {value!r:.40}, not a number"
    return None


def table_problems(folder: str | Path, recorded: Mapping[str, Any] | None = None) -> list[Problem]:
    """The data files of a run's or sweep's folder that the readers cannot use
    (:func:`table_problem`, and a run's :func:`summary_problem`), in file order; none
    for a folder whose manifest is damaged.

    A folder without an integrity record has every data file checked. One with a record
    only when ``recorded`` (the record's ``files``) is given, and then its recorded files
    (:func:`verify`, after their checksums): a table rewritten without a metric column,
    its record rewritten to match, read as intact (an audit).

    Beside the columns every reader indexes, a runs table must hold the question's metric
    where its runs have the question's group (:func:`asked_metric`, :func:`_asks_for`),
    and a finished sweep's ``runs.parquet`` every column its runs parts hold, of the same
    kind: it is written from them (an unfinished sweep's may be older than its parts,
    which are read instead; decision 634). A metric column dropped from it (pandas'
    ``drop``, the table written back) left its figures' lines and compare's default out
    without a word.
    """
    folder = Path(folder)
    manifest = read_json(folder / MANIFEST)
    if (
        manifest is None
        or ("integrity" in manifest) != (recorded is not None)
        or manifest.get("kind") not in ("run", "sweep")
        or manifests.file_problem(folder / MANIFEST, manifest) is not None
    ):
        return []
    varied = manifest.get("varied", []) if manifest["kind"] == "sweep" else []
    asked = asked_metric(manifest)
    parts = {
        sub: [
            path
            for path, covered in chunk_parts(folder, sub, recorded).items()
            if covered and path.is_file()
        ]
        for sub in CHUNK_FOLDERS
    }
    runs = folder / "runs.parquet"
    files: dict[Path, dict[str, str | None]] = {
        runs: part_columns("runs", varied),
        folder / "design.parquet": {"point": WHOLE, **dict.fromkeys(varied)},
        folder / "series.parquet": {**SERIES_COLUMNS},
    }
    for sub in CHUNK_FOLDERS:
        files.update(dict.fromkeys(parts[sub], part_columns(sub, varied)))
    runs_tables = {runs, *parts["runs"]}
    held = parts["runs"] if not _unfinished(manifest) else []
    found = []
    for path, wanted in files.items():
        if not path.is_file() or (
            recorded is not None and path.relative_to(folder).as_posix() not in recorded
        ):
            continue
        what = table_problem(path, wanted, asked if path in runs_tables else None)
        if what is None and path == runs and held:
            # After the keys: a table of other columns is said by those.
            what = table_problem(path, _held_columns(held))
        if what is not None:
            found.append((path, what))
    summary = folder / SUMMARY_FILE
    if (
        (recorded is None or SUMMARY_FILE in recorded)
        and summary.is_file()
        and (what := summary_problem(summary)) is not None
    ):
        found.append((summary, what))
    return [
        Problem(path.relative_to(folder).as_posix(), f"is damaged ({what})") for path, what in found
    ]


def _held_columns(parts: list[Path]) -> dict[str, str | None]:
    """Every column the readable ``parts`` hold, in their order, ``NUMBER`` where a part
    holds numbers in it."""
    import pyarrow as pa  # here: the CLI imports this module and should start fast

    held: dict[str, str | None] = {}
    for path in parts:
        try:
            schema = read_schema(path)
        except (OSError, ValueError, pa.ArrowException):
            continue  # said of the part itself
        for name, kind in zip(schema.names, schema.types, strict=True):
            number = pa.types.is_integer(kind) or pa.types.is_floating(kind)
            if number or name not in held:
                held[name] = NUMBER if number else None
    return held


def digest(path: Path) -> tuple[str, int]:
    """The SHA-256 (hex) and size in bytes of a file, read in chunks."""
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(_CHUNK_SIZE):
            sha.update(block)
            size += len(block)
    return sha.hexdigest(), size


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; None when missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


class Records:
    """A folder's ``integrity.json``: the owner (kind, identity) and every recorded file.

    The record is rewritten whole, atomically, at each change; one writer at a
    time holds the folder (the sweep's lock, or a run's single process).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / INTEGRITY
        data = read_json(self.path) or {}
        self.owner: dict[str, Any] = dict(data.get("owner") or {})
        self.files: dict[str, dict[str, Any]] = dict(data.get("files") or {})

    def start(self, kind: str, identity: str) -> None:
        """Begin (or keep) the record of a folder holding ``kind`` ``identity``."""
        if self.owner != {"kind": kind, "identity": identity}:
            self.owner = {"kind": kind, "identity": identity}
            self.files = {}
        self._write()

    def add(self, rows: Mapping[Path, int | None]) -> None:
        """Record files (already written and flushed) with their row counts."""
        for path, n_rows in rows.items():
            sha, size = digest(path)
            self.files[self._name(path)] = {"sha256": sha, "bytes": size, "rows": n_rows}
        self._write()

    def forget(self, paths: Iterable[Path]) -> None:
        """Drop files from the record (before they are deleted)."""
        for path in paths:
            self.files.pop(self._name(path), None)
        self._write()

    def recorded(self, path: Path) -> bool:
        return self._name(path) in self.files

    def _name(self, path: Path) -> str:
        return Path(path).relative_to(self.folder).as_posix()

    def _write(self) -> None:
        data = {"owner": self.owner, "files": dict(sorted(self.files.items()))}
        atomic_write_text(self.path, json.dumps(data, indent=1) + "\n")


def verify(folder: str | Path) -> list[Problem]:
    """Every problem of a results folder against its integrity record, in file order.

    Checks that the manifest reads, that the integrity record reads and names
    the same owner, that every recorded file exists with its recorded size and
    SHA-256, and that no chunk file is present without being recorded (in an
    unfinished sweep such a file is a leftover of a kill, not damage:
    :func:`leftovers`), and that the data files hold the columns the readers need
    (:func:`table_problems`, from their footers: the record's checksums cannot tell a
    table rewritten with its record). A folder whose manifest declares no integrity
    record has its manifest checked, and its data files' footers.
    """
    folder = Path(folder)
    manifest = read_json(folder / MANIFEST)
    records = read_json(folder / INTEGRITY)
    problems: list[Problem] = []
    if manifest is None:
        what = "is damaged (not a JSON object)" if (folder / MANIFEST).exists() else "is missing"
        problems.append(Problem(MANIFEST, what))
    elif "kind" not in manifest:
        # A manifest without it was checked "ok: ... None 'None'" (an audit of the
        # commands' options): no writer leaves one so.
        problems.append(Problem(MANIFEST, "is damaged (it has no 'kind')"))
    elif (wrong := manifests.file_problem(folder / MANIFEST, manifest)) is not None:
        # Checked without an integrity record too: the readers refuse such a manifest,
        # and check said "ok" of a folder from before the records (an audit).
        problems.append(Problem(MANIFEST, f"is damaged ({wrong})"))
    elif (
        "integrity" in manifest
        and manifest["kind"] == "run"
        and manifest.get("status") != "complete"
    ):
        problems.append(Problem(MANIFEST, "says the run was interrupted while it was written"))
    if manifest is not None and "kind" in manifest and "integrity" not in manifest:
        return [*problems, *table_problems(folder)]  # from before integrity records
    if records is None:
        what = "is damaged (not a JSON object)" if (folder / INTEGRITY).exists() else "is missing"
        return [*problems, Problem(INTEGRITY, what)]
    owner = records.get("owner") or {}
    files: dict[str, Any] = records.get("files") or {}
    if not isinstance(owner, dict) or not isinstance(files, dict):
        # A record edited into another shape was an AttributeError traceback in every
        # reader and in `credsim check` (an audit of the commands' options).
        wrong = "owner" if not isinstance(owner, dict) else "files"
        return [*problems, Problem(INTEGRITY, f"is damaged (its '{wrong}' is not a mapping)")]
    if manifest is not None and (
        owner.get("kind") != manifest.get("kind")
        or owner.get("identity") != manifest.get("identity")
    ):
        problems.append(Problem(INTEGRITY, OTHER_OWNER))
    for name, entry in sorted(files.items()):
        path = folder / name
        if not isinstance(entry, dict):
            problems.append(Problem(name, "has a damaged record in integrity.json"))
            continue
        if not path.is_file():
            problems.append(Problem(name, "is missing"))
            continue
        sha, size = digest(path)
        recorded = entry.get("bytes")
        if size != recorded:
            guess = "truncated?" if isinstance(recorded, int) and size < recorded else "written to?"
            problems.append(Problem(name, f"has {size} bytes, {recorded} recorded ({guess})"))
        elif sha != entry.get("sha256"):
            problems.append(Problem(name, "is damaged (its checksum differs from the record)"))
    # Their columns too: a table rewritten with its record was read as intact (an audit).
    said = {problem.file for problem in problems}
    problems += table_problems(folder, {n: e for n, e in files.items() if n not in said})
    if not _unfinished(manifest):
        for name in _unrecorded_parts(folder, files):
            problems.append(Problem(name, "is not recorded (an interrupted write?)"))
    return problems


def _unfinished(manifest: Mapping[str, Any] | None) -> bool:
    """Whether a folder is a sweep that has not finished (running, or killed while it ran)."""
    return (
        manifest is not None
        and manifest.get("kind") == "sweep"
        and (manifest.get("status") != "complete")
    )


def chunk_parts(folder: Path, sub: str, files: Mapping[str, Any] | None) -> dict[Path, bool]:
    """The chunk files ``folder/sub/part-*.parquet`` (and ``runs/part-*.arrow``, the
    runs parts' format since decision 752), in order, each with whether ``files`` (an
    integrity record's) records it; all True without a record (a folder from before
    integrity records). The one test of "recorded" for the writers' checks and the
    readers alike."""
    if not (folder / sub).is_dir():
        return {}
    found = sorted(
        path for suffix in PART_SUFFIXES[sub] for path in (folder / sub).glob(f"part-*{suffix}")
    )
    return {path: files is None or f"{sub}/{path.name}" in files for path in found}


def _unrecorded_parts(folder: Path, files: Mapping[str, Any]) -> list[str]:
    return [
        path.relative_to(folder).as_posix()
        for sub in CHUNK_FOLDERS
        for path, recorded in chunk_parts(folder, sub, files).items()
        if not recorded
    ]


def leftovers(folder: str | Path) -> list[str]:
    """The files of an unfinished sweep that were written but never recorded.

    A sweep writes a chunk's parts, then records them; a kill in between leaves
    parts that belong to no commit (decision 71). A kill in the middle of a
    write leaves its temporary file (``.NAME.*.tmp``, :func:`sim.fileio.
    atomic_write_bytes`), never renamed to its name. Readers skip both and the
    sweep, run again, removes them. In a finished folder the same parts are
    damage, reported by :func:`verify`.
    """
    folder = Path(folder)
    if not _unfinished(read_json(folder / MANIFEST)):
        return []
    files = (read_json(folder / INTEGRITY) or {}).get("files") or {}
    temporary = [
        path.relative_to(folder).as_posix()
        for sub in (folder, *(folder / name for name in CHUNK_FOLDERS))
        for path in leftover_files(sub)
    ]
    return _unrecorded_parts(folder, files) + temporary


def _stale(report: Path, runs: Path) -> bool:
    """Whether a sweep's report page was drawn from other runs than ``runs`` holds: by
    the runs' SHA-256 the page records, else (a page written before it did) by the
    files' times. A repair rebuilds runs.parquet from its parts, byte for byte, and its
    new time called the page older than its runs (an outside check, decision 1012)."""
    from sim.plots.report import drawn_runs

    drawn = drawn_runs(report)
    if drawn is None:
        return report.stat().st_mtime < runs.stat().st_mtime
    # The record's checksum, which `check` has just verified, else the file's own.
    files = (read_json(runs.parent / INTEGRITY) or {}).get("files")
    entry = files.get(runs.name) if isinstance(files, dict) else None
    recorded = entry.get("sha256") if isinstance(entry, dict) else None
    return drawn != (recorded or digest(runs)[0])


def recorded_runs(folder: str | Path) -> int | None:
    """How many runs a sweep folder has committed, from its integrity record's row counts:
    its recorded runs parts, which hold every committed run, else ``runs.parquet``
    (None without a record).

    The manifest's counts are written when a sweep starts and ends; this is what
    a running or killed sweep has done so far. A ``runs.parquet`` written when an
    earlier attempt was interrupted lacks the runs committed since (decision 634).
    """
    files = (read_json(Path(folder) / INTEGRITY) or {}).get("files")
    if not isinstance(files, dict):
        return None
    parts = [entry for name, entry in files.items() if name.startswith("runs/part-")]
    if parts:
        return sum(int(entry.get("rows") or 0) for entry in parts)
    if "runs.parquet" in files:
        return int(files["runs.parquet"].get("rows") or 0)
    return 0


def done_text(folder: str | Path, manifest: Mapping[str, Any]) -> str:
    """``"N of M runs"`` for a sweep's messages: N committed (:func:`recorded_runs`,
    the manifest's count without a record), M planned."""
    counts = manifest.get("counts") or {}
    done = recorded_runs(folder) if manifest.get("status") != "complete" else None
    return f"{counts.get('done') if done is None else done} of {counts.get('planned')} runs"


# How long a writer waits for a folder's lock before it says another writer holds it: a
# reader (``check``, ``plot``: :func:`being_written`) holds it for an instant.
_LOCK_WAIT_S = 1.0


def take_lock(fd: int) -> bool:
    """Take a results folder's exclusive lock (``fd`` open on the folder), waiting out a
    reader's instant; False if a writer holds it (decisions 489 and 654)."""
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        else:
            return True


def being_written(folder: str | Path) -> bool:
    """Whether a sweep holds ``folder``'s lock now (:class:`sim.sweep.store.Store` takes
    it exclusively for as long as it writes). Tested by taking it shared for an instant."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


#: The kinds of results folder whose writer holds the folder's lock while it runs.
LOCKED_KINDS = ("sweep", "calibration")
#: The status of such a folder left at ``running`` with nothing holding its lock.
STOPPED = "stopped (killed or interrupted before it finished)"


def status_text(folder: str | Path, manifest: Mapping[str, Any]) -> str:
    """A folder's status in words: the manifest's, except that a sweep or calibration
    whose manifest says ``running`` while nothing holds its lock was stopped (killed,
    interrupted, or its machine went down) before it could say so. Both take the
    folder's lock for as long as they write (:class:`sim.sweep.store.Store`,
    ``sim.calibrate.run._locked``). Each writes ``incomplete`` when it stops short
    (Ctrl-C, a signal, an error); ``running`` is left by a kill (SIGKILL, out of memory)
    and by calibrations before decision 780."""
    status = str(manifest.get("status", "complete"))
    if status == "running" and manifest.get("kind") in LOCKED_KINDS and not being_written(folder):
        return STOPPED
    return status


def folder_name(manifest: Mapping[str, Any]) -> str | None:
    """What a results folder holds, by name: the experiment's (sweep), the scenario's
    (run) or the calibration's."""
    return manifest.get("experiment_name") or manifest.get("scenario_name") or manifest.get("name")


def repair_hint(
    manifest: Mapping[str, Any] | None,
    folder: str | Path | None = None,
    problems: Sequence[Problem] = (),
) -> str:
    """How to repair a damaged folder: the command that wrote it, run again, writing to
    ``folder`` (the folder found damaged, which may be a copy or a moved folder: the
    stored command's ``--out`` names where it was first written). ``problems``: what is
    damaged, when known; a calibration whose figures or report page alone are damaged
    has them drawn again by its command (decision 918)."""
    kind = (manifest or {}).get("kind")
    line = command_line(manifest, folder)
    if any(p.file == INTEGRITY and p.what == OTHER_OWNER for p in problems):
        # The command run again refused the folder as another experiment's (its
        # manifest's identity edited): a hint that could not repair (an outside check,
        # decision 1012).
        return (
            "its manifest.json was edited or replaced after its runs were written: put "
            "back the manifest the folder was written with, or run its command again with "
            "another --out"
        )
    if kind == "calibration" and problems and drawn_only(problems):
        # `check` told a calibration with one figure deleted to be removed and run again
        # (25 minutes), though its command draws the figures again (an outside check,
        # decision 923).
        again = f": {_drawing_line(line)}" if line else ""
        return (
            "repair it by running the calibration's command again, which keeps its "
            f"generations and draws its figures and report page again{again}"
        )
    if kind == "calibration":
        # Its generations are in history.db: a rerun into the same folder would take
        # the calibration as finished, so the folder goes first.
        again = f": {line}" if line else ""
        return f"repair it by removing the folder and running the calibration again{again}"
    if line:
        return f"repair it by running the command that wrote it again: {line}"
    if kind in ("run", "sweep"):
        return f"repair it by running the same 'credsim {kind}' command again"
    return "repair it by running the command that wrote it again"


def _drawing_line(line: str) -> str:
    """``line`` without its ``--no-plots``: a command run with it says how to draw the
    figures instead of drawing them."""
    return line.replace(" --no-plots", "")


def command_line(
    manifest: Mapping[str, Any] | None, folder: str | Path | None = None
) -> str | None:
    """The command that wrote a folder, as a shell line that writes to ``folder`` (the
    folder as found, which may be a copy or a moved one) from any folder; None when the
    manifest has no command."""
    command = (manifest or {}).get("command")
    if not isinstance(command, list) or not command:
        return None
    if folder is not None:
        command = _writing_to(list(map(str, command)), os.path.abspath(folder))  # no ../ left
    return _from_here(command, (manifest or {}).get("cwd"))


def _from_here(command: list[str], cwd: Any) -> str:
    """``command`` as a shell line that works from any folder: its relative paths were
    given in ``cwd`` (recorded in the manifest), so it goes there first when that differs
    from the current folder. Folders written before ``cwd`` was recorded give the command
    as it was."""
    line = shlex.join(map(str, command))
    if isinstance(cwd, str) and cwd and Path(cwd) != Path.cwd():
        return f"cd {shlex.quote(cwd)} && {line}"
    return line


def _writing_to(command: list[str], folder: str) -> list[str]:
    """``command`` with its ``--out`` (given as ``--out X`` or ``--out=X``, or absent:
    the default folder) replaced by ``folder``."""
    out = [a for a in command if not a.startswith("--out=")]
    if "--out" in out:
        at = out.index("--out")
        return [*out[: at + 1], folder, *out[at + 2 :]]
    return [*out, "--out", folder]


# What a calibration draws from its tables (its figures and report page): a reader of
# its tables needs none of them, and the calibration's command draws them again.
DRAWN = ("figures/", "report.html")


def drawn_only(problems: Sequence[Problem]) -> bool:
    """Whether every one of ``problems`` is of a drawn file (:data:`DRAWN`)."""
    return all(p.file.startswith(DRAWN) for p in problems)


def require_intact(folder: str | Path, *, drawn_ok: bool = False) -> None:
    """Refuse a damaged results folder, for the commands that read one.

    ``drawn_ok``: the reader reads a calibration's tables only, and a missing or edited
    figure or report page (:data:`DRAWN`) does not stop it (an outside check refused a
    posterior for a deleted figure, decision 918).

    Raises:
        InputError: one line naming the first damaged file, how many others are
            damaged, and the repair.
    """
    folder = Path(folder)
    problems = [p for p in verify(folder) if not (drawn_ok and p.file.startswith(DRAWN))]
    if not problems:
        return
    first = problems[0]
    more = f" (and {count_text(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
    raise InputError(
        f"results folder is damaged: {first.file} {first.what}{more}; "
        f"{repair_hint(read_json(folder / MANIFEST), folder, problems)}",
        file=str(folder),
    )


def refuse_results_folder(out: Path) -> None:
    """Refuse ``--out`` for figures or tables when it is a run's or a sweep's folder.

    Raises:
        InputError: ``out`` holds a manifest (it belongs to a run or a sweep).
    """
    if (Path(out) / MANIFEST).exists():
        raise InputError(
            f"--out '{out}' is a results folder (it has a manifest.json); figures and tables "
            "go to a folder of their own: choose another --out"
        )


def claim(
    folder: Path, kind: str, identity: str, differs: Callable[[], str] | None = None
) -> dict[str, Any] | None:
    """Check that ``folder`` may be written as ``kind`` ``identity``; writes nothing.

    ``differs`` says, for the refusal, what sets the folder's run apart from this one
    ("seed 0, this run's 5"), where the caller can tell; it is called only to refuse.

    Returns:
        The folder's manifest when it already holds this very ``kind`` and
        ``identity`` (to resume or repair), else None (missing or empty folder).

    Raises:
        InputError: the path is a file, the folder is read-only, or it holds
            something else (another run or sweep, a damaged manifest of another
            owner, or files that are not a results folder).
    """
    if not folder.exists():
        return None
    if not folder.is_dir():
        raise InputError(f"results folder '{folder}' exists and is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"results folder '{folder}' is read-only; choose another --out")
    manifest = read_json(folder / MANIFEST)
    owner = (read_json(folder / INTEGRITY) or {}).get("owner") or {}
    if manifest is None and owner == {"kind": kind, "identity": identity}:
        # A lost or damaged manifest: the integrity record still says whose folder this is.
        return {"kind": kind, "identity": identity, "status": "damaged"}
    if manifest is None and (folder / MANIFEST).exists():
        raise InputError(
            f"results folder '{folder}' has a damaged manifest.json and no record of what it "
            "holds; choose another --out or remove it"
        )
    if manifest is not None:
        # experiment_hash: sweeps written before integrity records named themselves so.
        owned = manifest.get("identity", manifest.get("experiment_hash"))
        if manifest.get("kind") == kind and owned == identity:
            return manifest
        what = folder_name(manifest) or "something else"
        held = manifest.get("kind", "unknown")
        # A run's folder asked to hold another seed or scenario holds "a different run".
        noun = "run" if kind == held == "run" else "experiment"
        said = differs() if differs is not None else ""
        raise InputError(
            f"results folder '{folder}' holds a different {noun} ('{what}', {held}"
            f"{'; ' + said if said else ''}); choose another --out or remove it"
        )
    if any(not p.name.startswith(".") for p in folder.iterdir()):
        raise InputError(
            f"results folder '{folder}' is not empty and is not a credsim results folder "
            "(no manifest.json); choose another --out"
        )
    return None


# --------------------------------------------------------------------------- credsim check


def add_parser(sub: Any) -> None:
    """Register ``credsim check RESULTS_DIR``."""
    p = sub.add_parser("check", help="verify a results folder against its integrity record")
    p.add_argument("results", help="a results folder written by run, sweep or calibrate")


def require_folder(folder: Path) -> None:
    """Refuse a path that names no folder, in one line: nothing there, or a file.

    Raises:
        InputError: ``folder`` does not exist, or is a file (a scenario given to
            ``plot``, say) rather than a results folder.
    """
    if folder.is_dir():
        return
    if folder.exists():
        raise InputError(
            f"'{folder}' is a file, not a results folder "
            "(expected a folder written by 'credsim run' or 'credsim sweep')"
        )
    raise InputError(f"results folder '{folder}' does not exist")


def empty_folder_text(folder: Path) -> str:
    """The refusal of an empty folder, or "": a sweep killed as it started leaves its
    folder empty, and "not a results folder: it has no manifest.json" did not say what to
    do (an audit, decision 647)."""
    if not folder.is_dir() or any(folder.iterdir()):
        return ""
    return (
        f"'{folder}' is empty: nothing has been written to it yet (a run or sweep stopped "
        "as it started leaves its folder so; run its command again)"
    )


def cli_check(args: argparse.Namespace) -> int:
    """``credsim check RESULTS_DIR``: verify every recorded file and report.

    Returns:
        0 when the folder is intact (and says whether it is complete), 1 when
        anything is missing or damaged (each problem on its own line, then the repair).

    Raises:
        InputError: the path is not a results folder.
    """
    folder = Path(args.results)
    require_folder(folder)
    manifest = read_json(folder / MANIFEST)
    if manifest is None and not (folder / INTEGRITY).exists():
        raise InputError(
            empty_folder_text(folder)
            or f"'{folder}' is not a results folder: it has no manifest.json "
            "(expected a folder written by 'credsim run', 'credsim sweep' or 'credsim calibrate')"
        )
    problems = verify(folder)
    if problems:
        for problem in problems:
            print(f"{folder / problem.file}: {problem.what}")
        print(f"damaged: {len(problems)} problem(s); {repair_hint(manifest, folder, problems)}")
        return 1
    manifest = manifest or {}  # verify reports a missing or damaged manifest
    files = (read_json(folder / INTEGRITY) or {}).get("files") or {}
    name = folder_name(manifest)
    counts = manifest.get("counts") or {}
    status = status_text(folder, manifest)
    done = f", {done_text(folder, manifest)}" if counts else ""
    failed = counts.get("failed") if manifest.get("status") == "complete" else None
    if isinstance(failed, int) and failed:
        # "ok: ..., complete, 9 of 9 runs" of a sweep whose every run failed said nothing
        # of it (an outside check, decision 817); intact, and its runs failed.
        done += f" ({failed:,} of them failed: their errors are in runs.parquet)"
    checked = f"{len(files)} files verified" if "integrity" in manifest else "no integrity record"
    print(f"ok: {folder}: {manifest.get('kind')} '{name}', {status}{done}; {checked}")
    left = leftovers(folder)
    if left:
        print(
            f"note: {len(left)} file(s) were written but never recorded (left by a kill, "
            f"e.g. {left[0]}); they are not read, and running the sweep again removes them"
        )
    if unfinished_lines(folder / "plots", DRAWING) is not None:
        # A sweep stopped while it drew: its runs are whole, and "ok ... complete" did not
        # say that its report page and most figures were missing (an audit).
        print(
            "note: its figures and report page were being drawn when it stopped, and some "
            f"are missing; 'credsim plot {folder}' (or its command run again) draws them"
        )
    report, runs = folder / "report.html", folder / "runs.parquet"
    drawn = manifest.get("kind") == "sweep" and report.is_file() and runs.is_file()
    if drawn and _stale(report, runs):
        # A page drawn of a partial sweep, which a call with --no-plots then finished:
        # "ok ... complete" beside a page reading "Incomplete: 190 of 540 runs" (an
        # outside check; decision 999). The sweep said so as it finished; check did not.
        print(
            "note: its report.html was drawn before its last runs were written, and shows "
            f"the sweep as it was then; 'credsim plot {folder}' draws it again"
        )
    kind = manifest.get("kind")
    if status == "running" and kind in LOCKED_KINDS and being_written(folder):
        # "run its command again" while it runs gave "another sweep is writing to" the
        # folder (an audit; decision 634).
        print(f"note: the {kind} is running now; check it again when it has finished")
    elif status != "complete":
        line = command_line(manifest, folder)
        again = f": {line}" if line else ""
        print(f"note: the {kind} is {status}; run its command again to finish it{again}")
    return 0
