"""The sweep results folder: manifest first, recorded chunk commits, resume, repair.

Layout (docs/results_layout.md)::

    manifest.json          what the folder is (kind sweep, identity), the experiment, status
    integrity.json         SHA-256, size and rows of every data file below (sim.integrity)
    design.parquet         the design points: point, one column per varied path
    runs/part-NNNNNN.arrow     committed chunks of run rows (Arrow IPC; .parquet before)
    series/part-NNNNNN.parquet tidy series of the same chunk (record series|actors)
    actors/part-NNNNNN.parquet per-actor trust of the same chunk (record actors)
    runs.parquet           every run, consolidated and sorted (scenario, point, replicate)

The manifest is written first, so a folder always says what it is. A chunk
is committed by writing its series, actors and runs parts, each atomically
(temporary file, then ``os.replace``), then recording them in
``integrity.json``: the record is the commit, and a run is done exactly when
its id is in a recorded runs part. When the folder is opened again, what a
kill left is cleaned (temporary files, parts never recorded), and
:meth:`Store.repair` drops every chunk with a missing or damaged file, so
that exactly its runs are done again. One sweep at a time writes a folder
(an exclusive lock on the folder).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim import integrity
from sim.errors import InputError
from sim.fileio import (
    ARROW_SUFFIX,
    atomic_write_text,
    json_text,
    read_arrow_table,
    remove_leftovers,
    table_format,
    table_rows,
    write_arrow,
    write_parquet,
)
from sim.integrity import MANIFEST, Problem, Records
from sim.kernels import FloatArray
from sim.metrics import text_column
from sim.sweep.executors import RunResult

RUNS = "runs.parquet"
DESIGN = "design.parquet"
TABLES = ("series", "actors")
KEY_COLUMNS = ("run_id", "scenario", "point", "replicate", "seed")
TAIL_COLUMNS = ("status", "error", "elapsed_s")
_TYPES: dict[str, pa.DataType] = {
    "run_id": pa.string(),
    "scenario": pa.string(),
    "point": pa.int64(),
    "replicate": pa.int64(),
    "seed": pa.int64(),
    "status": pa.string(),
    "error": pa.string(),
    "elapsed_s": pa.float64(),
}
# Rows per block of the consolidated table (and per Parquet row group).
_BLOCK_ROWS = 4096
# Runs parts written by this process are kept for the consolidation up to this many cells.
_KEEP_CELLS = 20_000_000
# A chunk file's number (its suffixes: integrity.PART_SUFFIXES).
_PART = re.compile(r"^part-(\d{6})\.")


def _chunk_number(name: str) -> int:
    """The number of a chunk file ``part-NNNNNN.<suffix>``."""
    match = _PART.match(name)
    assert match is not None, name
    return int(match.group(1))


def _write_table(path: Path, schema: pa.Schema, blocks: Iterable[pa.Table], **options: Any) -> None:
    """Write ``blocks`` (tables of ``schema``) to one Parquet file, atomically.

    The file is written to a temporary name in the same folder, flushed, then
    renamed over ``path``; a reader never sees half a file. Blocks are written
    as they come, so a large table need not be built whole first. ``options``
    go to ``pyarrow.parquet.ParquetWriter``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with pq.ParquetWriter(tmp, schema, **options) as writer:
            for block in blocks:
                writer.write_table(block)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_part(table: pa.Table, path: Path) -> None:
    """A runs part: hundreds of metric columns of a few rows, read back once.

    An Arrow IPC file: Parquet spent about 18 us a column on each part (11 ms
    for a sixth of a 1,000-run Syria sweep), Arrow's own format 0.4 ms, on
    the parent that shares the cores with the workers (decision 752).
    ``runs.parquet`` is Parquet, with dictionaries and statistics.
    """
    write_arrow(table, path)


def _cell(value: Any) -> Any:
    # Lists and mappings (grid values such as [a, b]) go in as JSON text: one type per column.
    return json.dumps(value) if isinstance(value, list | dict) else value


def _column(values: list[Any]) -> pa.Array:
    values = [_cell(v) for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _metric_columns(results: Sequence[RunResult]) -> dict[str, pa.Array]:
    """The metric columns of ``results``: one float column per name any result has.

    Names come in the order the results first give them. The results of one
    layout (one tuple of names) are stacked into a 2-D array, so a column is a
    slice of it, not a list built value by value. A run without a metric (a
    failed run, a scenario of another layout) has null there, and so has a
    NaN (None in the nested summary).
    """
    layouts: dict[tuple[str, ...], tuple[list[int], list[FloatArray]]] = {}
    last: tuple[str, ...] | None = None
    rows: list[int] = []
    values: list[FloatArray] = []
    for i, result in enumerate(results):
        if result.metrics is None:
            continue
        if result.metrics.names is not last:  # a batch's results share one tuple: no hashing
            last = result.metrics.names
            rows, values = layouts.setdefault(last, ([], []))
        rows.append(i)
        values.append(result.metrics.values)
    union = list(dict.fromkeys(name for names in layouts for name in names))
    n = len(results)
    if len(layouts) == 1 and len(rows) == n:
        matrix = np.stack(values, axis=1)  # the usual chunk: one layout, every run ok
    else:
        position = {name: j for j, name in enumerate(union)}
        matrix = np.full((len(union), n), np.nan)
        for names, (rows, values) in layouts.items():
            matrix[np.ix_([position[name] for name in names], rows)] = np.stack(values, axis=1)
    # One Arrow array of the whole matrix, row by row, and each column a slice of it:
    # an Arrow call per column cost about 2.2 ms a chunk of Syria's 478 metrics, the
    # slices 0.9 ms (decision 759). NaN is null, as a mask.
    null = np.isnan(matrix)
    flat = pa.array(matrix.ravel(), mask=null.ravel() if null.any() else None)
    return {name: flat.slice(j * n, n) for j, name in enumerate(union)}


def rows_table(results: Sequence[RunResult], varied: Sequence[str]) -> pa.Table:
    """Run results as a table: keys, varied values, metrics (float), status, error, elapsed."""
    rows = [r.row for r in results]
    columns: dict[str, pa.Array] = {}
    for name in KEY_COLUMNS:
        columns[name] = pa.array([r[name] for r in rows], type=_TYPES[name])
    for name in varied:
        columns[name] = _column([r.get(name) for r in rows])
    columns.update(_metric_columns(results))
    for name in TAIL_COLUMNS:
        columns[name] = pa.array([r.get(name) for r in rows], type=_TYPES[name])
    return pa.table(columns)


class Store:
    """One sweep's results folder, opened for writing (use as a context manager).

    Args:
        folder: the results folder (created if missing).
        identity: the experiment's identity hash; a folder holding another is refused.
        varied: the varied parameter paths (their columns follow the keys).
        scenarios: scenario names in experiment order (the sort order of ``runs.parquet``).
        differs: what sets the sweep a folder already holds apart from this one, for the
            refusal (:func:`sim.sweep.sweep.differs_text`), called only to refuse.
    """

    def __init__(
        self,
        folder: Path,
        identity: str,
        varied: Sequence[str],
        scenarios: Sequence[str],
        differs: Callable[[], str] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.differs = differs
        self.identity = identity
        self.varied = list(varied)
        self.scenarios = list(scenarios)
        self._lock: int | None = None
        self._next_part = 0
        self.records = Records(self.folder)
        self._rebuilt: list[Problem] = []
        # The runs parts this process wrote, so that consolidating need not read them back.
        self._written: dict[Path, pa.Table] = {}
        self._written_cells = 0
        # {run_id: status} of the committed runs, once read from the parts; kept up to date.
        self._status: dict[str, str] | None = None

    # ----------------------------------------------------------------- opening

    def __enter__(self) -> Store:
        """Claim the folder (refusing one that holds something else), lock it, tidy it.

        Raises:
            InputError: the folder is a file, read-only, holds another experiment,
                a run or files that are not a results folder, or another sweep writes it.
        """
        previous = integrity.claim(self.folder, "sweep", self.identity, self.differs)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(self.folder, os.O_RDONLY)
        if not integrity.take_lock(self._lock):
            os.close(self._lock)
            self._lock = None
            raise InputError(
                f"another sweep is writing to '{self.folder}'; wait for it or choose another --out"
            ) from None
        self.records = Records(self.folder)
        if previous is not None and integrity.read_json(self.records.path) is None:
            # A lost or damaged record, or a folder from before integrity records: the
            # parts that still read as Parquet are recorded again, the others dropped.
            if "integrity" in previous or self.records.path.exists():
                what = "is damaged" if self.records.path.exists() else "is missing"
                self._rebuilt.append(Problem(integrity.INTEGRITY, f"{what}; rebuilt"))
            self._rebuild_records(integrity.asked_metric(previous))
        self._clean()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            os.close(self._lock)
            self._lock = None

    def _parts(self, sub: str) -> dict[int, Path]:
        """The chunk files of ``sub`` by number (:func:`sim.integrity.chunk_parts`)."""
        found = integrity.chunk_parts(self.folder, sub, None)
        return dict(sorted((_chunk_number(p.name), p) for p in found if _PART.match(p.name)))

    def _clean(self) -> None:
        """Remove what a killed sweep left: temporary files and parts never recorded."""
        for folder in (self.folder, *(self.folder / s for s in ("runs", *TABLES))):
            remove_leftovers(folder)
        for sub in ("runs", *TABLES):
            for path in self._parts(sub).values():
                if not self.records.recorded(path):
                    path.unlink()
        for name in (RUNS, DESIGN):
            path = self.folder / name
            if path.exists() and not self.records.recorded(path):
                path.unlink()
        self._next_part = max(self._parts("runs"), default=-1) + 1

    def repair(self) -> list[Problem]:
        """Verify the folder and drop what is lost or damaged, so that it is redone.

        A chunk with any missing or damaged part is dropped whole (its runs are
        planned again); a damaged ``runs.parquet`` or ``design.parquet`` is
        dropped (rewritten by the sweep). A damaged or missing
        ``integrity.json`` was rebuilt when the folder was opened.

        Returns:
            The problems found (empty for an intact folder).
        """
        if not (self.folder / MANIFEST).exists() and not self.records.path.exists():
            return []  # a new folder: nothing to verify yet
        problems = [*self._rebuilt, *integrity.verify(self.folder)]
        names = {p.file for p in problems}
        chunks = {
            _chunk_number(path.name)
            for path in map(Path, names)
            if path.parent.name in integrity.CHUNK_FOLDERS
            and path.suffix in integrity.PART_SUFFIXES[path.parent.name]
            and _PART.match(path.name)
        }
        doomed = [
            self.folder / sub / f"part-{n:06d}{suffix}"
            for n in chunks
            for sub in integrity.CHUNK_FOLDERS
            for suffix in integrity.PART_SUFFIXES[sub]
        ]
        doomed += [self.folder / n for n in (RUNS, DESIGN) if n in names]
        self.records.forget(doomed)
        for path in doomed:
            path.unlink(missing_ok=True)
        self._status = None
        return problems

    def _rebuild_records(self, asked: str | None) -> None:
        """Record again the parts that hold what the readers need (``asked``: the question's
        metric, :func:`sim.integrity.asked_metric`), dropping the others' chunks."""
        self.records.owner = {}  # start afresh: nothing recorded
        self.records.start("sweep", self.identity)
        readable: dict[Path, int | None] = {}
        damaged: set[int] = set()
        parts = {sub: self._parts(sub) for sub in ("runs", *TABLES)}
        for sub, numbered in parts.items():
            for number, path in numbered.items():
                # A part of other columns is dropped as one that does not read: the resumed
                # sweep took a runs part without run_id for a traceback, and one whose
                # status holds numbers for runs that all failed (an audit).
                wanted = integrity.part_columns(sub, self.varied)
                what = integrity.table_problem(path, wanted, asked if sub == "runs" else None)
                if what is None:
                    try:
                        readable[path] = table_rows(path)
                        continue
                    except (OSError, pa.ArrowException):
                        what = f"it is not a readable {table_format(path)} table"
                damaged.add(number)
                name = path.relative_to(self.folder).as_posix()
                self._rebuilt.append(Problem(name, f"is damaged ({what})"))
        # The chunk goes whole, as repair drops it: its other parts hold the same runs,
        # which are done again.
        for numbered in parts.values():
            for number in damaged & set(numbered):
                path = numbered[number]
                readable.pop(path, None)
                path.unlink()
        self.records.add(readable)

    # ----------------------------------------------------------------- state

    def committed(self) -> dict[str, str]:
        """``{run_id: status}`` of every committed run.

        Read from the runs parts the first time, then kept up to date by :meth:`commit`.
        """
        if self._status is None:
            self._status = {}
            for path in self._parts("runs").values():
                self._add_status(self._read_part(path, ["run_id", "status"]))
        return dict(self._status)

    def _add_status(self, table: pa.Table) -> None:
        if self._status is not None:
            ids, status = table["run_id"].to_pylist(), table["status"].to_pylist()
            self._status.update(zip(ids, status, strict=True))

    def _read_part(self, path: Path, columns: list[str] | None = None) -> pa.Table:
        """A runs part: the copy kept from writing it, else read from the file."""
        kept = self._written.get(path)
        if kept is None:
            return read_arrow_table(path, columns)
        return kept if columns is None else kept.select(columns)

    def read_manifest(self) -> dict[str, Any] | None:
        return integrity.read_json(self.folder / MANIFEST)

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Write the manifest (atomically); the first time, start the integrity record."""
        atomic_write_text(
            self.folder / MANIFEST,
            # default=str: a YAML date in the experiment file as given is not JSON.
            json_text(
                {
                    **manifest,
                    "identity": self.identity,
                    "experiment_hash": self.identity,
                    "integrity": integrity.INTEGRITY,
                },
                default=str,
            )
            + "\n",
        )
        if self.records.owner != {"kind": "sweep", "identity": self.identity}:
            self.records.start("sweep", self.identity)

    def has_design(self) -> bool:
        return (self.folder / DESIGN).is_file()

    def write_design(self, points: Sequence[dict[str, Any]]) -> None:
        """``design.parquet``: every design point (Morris points that coincide included)."""
        columns: dict[str, pa.Array] = {"point": pa.array(range(len(points)), type=pa.int64())}
        for name in self.varied:
            columns[name] = _column([p[name] for p in points])
        design = pa.table(columns)
        _write_table(self.folder / DESIGN, design.schema, [design])
        self.records.add({self.folder / DESIGN: len(points)})

    def consolidated(self) -> bool:
        """Whether ``runs.parquet`` is written and recorded."""
        return self.records.recorded(self.folder / RUNS)

    # ----------------------------------------------------------------- writing

    def commit(self, results: Iterable[RunResult]) -> int:
        """Commit a chunk of results: its parts, then their record; returns how many runs."""
        chunk = self._chunk(results)
        if chunk is None:
            return 0
        if self.consolidated():
            # A resume adds runs to a folder an interrupted sweep consolidated: its
            # runs.parquet, recorded and verified, would hold only the runs before it if this
            # one were killed (an outside check read 102 of 170 runs with pandas, decision
            # 1021). Dropped first (record, then file), written again at the end or on a
            # stop; the readers take the parts meanwhile, as in a sweep never consolidated.
            self.records.forget([self.folder / RUNS])
            (self.folder / RUNS).unlink(missing_ok=True)
        try:
            written = chunk.write()
        except BaseException:
            # The parts written so far go: unrecorded, they would be read with the same
            # runs committed again (decision 774).
            for path in (*chunk.frames, chunk.path):
                path.unlink(missing_ok=True)
            raise
        self._record(chunk, written)
        return chunk.runs

    def finish(self, results: Iterable[RunResult]) -> int:
        """Commit the last chunk and consolidate ``runs.parquet``, the two writes at once.

        The chunk's parts are written by a thread while this one writes
        ``runs.parquet`` (Arrow releases the GIL while it encodes), and both
        are recorded together afterwards: a kill before the record leaves
        neither, so the chunk's runs are done again and consolidated then.

        Returns:
            The number of runs in ``runs.parquet``.
        """
        chunk = self._chunk(results)
        if chunk is None:
            return self.consolidate()
        committed = self._committed_parts()  # listed before the chunk's part appears
        with ThreadPoolExecutor(1) as writer:
            parts = writer.submit(chunk.write)
            n_runs = self._write_runs([*committed, chunk.table])
            written = parts.result()
        self._record(chunk, {**written, self.folder / RUNS: n_runs})
        self._release()
        return n_runs

    def _chunk(self, results: Iterable[RunResult]) -> _Chunk | None:
        """The tables of a chunk of results under the next part name (None for no results)."""
        results = list(results)
        if not results:
            return None
        name = f"part-{self._next_part:06d}"
        self._next_part += 1
        frames: dict[Path, pd.DataFrame] = {}
        for sub in TABLES:
            owned = [(r.row["run_id"], getattr(r, sub)) for r in results]
            owned = [(rid, frame) for rid, frame in owned if frame is not None]
            if owned:
                frame = pd.concat([f for _, f in owned], ignore_index=True)
                # Each row's run, the ids taken by Arrow (decision 871): a numpy array of
                # them was turned into pandas' strings one row at a time (184 ms a chunk
                # of 32 Syria series runs, 864,128 rows, against 9).
                frame["run_id"] = text_column(
                    [rid for rid, _ in owned],
                    np.repeat(np.arange(len(owned)), [len(f) for _, f in owned]),
                )
                frames[self.folder / sub / f"{name}.parquet"] = frame
        table = rows_table(results, self.varied)
        return _Chunk(len(results), frames, self.folder / "runs" / f"{name}{ARROW_SUFFIX}", table)

    def _record(self, chunk: _Chunk, written: dict[Path, int | None]) -> None:
        """Record a chunk's written files (the commit), and keep its runs table."""
        table = chunk.table
        self._written_cells += table.num_rows * table.num_columns
        if self._written_cells <= _KEEP_CELLS:
            self._written[chunk.path] = table
        else:
            self._written.clear()
        self.records.add(written)
        self._add_status(table)

    def consolidate(self) -> int:
        """Write and record ``runs.parquet`` from the committed runs parts.

        Returns:
            The number of runs.
        """
        n_runs = self._write_runs(self._committed_parts())
        self.records.add({self.folder / RUNS: n_runs})
        self._release()
        return n_runs

    def _committed_parts(self) -> list[pa.Table]:
        """The recorded runs parts: a part on disk but not recorded is not committed."""
        parts = self._parts("runs").values()
        return [self._read_part(p) for p in parts if self.records.recorded(p)]

    def _write_runs(self, parts: list[pa.Table]) -> int:
        """Write ``runs.parquet``: the runs of ``parts``, sorted by scenario, point, replicate.

        Columns: keys, varied parameters, metrics in alphabetical order (so the
        table does not depend on which chunk finished first), status, error,
        elapsed_s. The sorted table is written in blocks taken from the parts,
        so memory holds the parts once, not several sorted copies.

        Returns:
            The number of runs.
        """
        if not parts:
            table = rows_table([], self.varied)
        elif all(p.schema.equals(parts[0].schema) for p in parts):
            table = pa.concat_tables(parts)  # the usual case, without unifying schemas
        else:
            table = pa.concat_tables(parts, promote_options="default")
        fixed = {*KEY_COLUMNS, *TAIL_COLUMNS, *self.varied}
        metrics = sorted(c for c in table.column_names if c not in fixed)
        table = table.select([*KEY_COLUMNS, *self.varied, *metrics, *TAIL_COLUMNS])
        rank = {name: i for i, name in enumerate(self.scenarios)}
        keys = pa.table(
            {
                "rank": [rank.get(s, len(rank)) for s in table["scenario"].to_pylist()],
                "point": table["point"],
                "replicate": table["replicate"],
            }
        )
        order = pc.sort_indices(keys, sort_keys=[(k, "ascending") for k in keys.column_names])
        blocks = (
            table.take(order[i : i + _BLOCK_ROWS])
            for i in range(0, max(len(order), 1), _BLOCK_ROWS)
        )
        # Dictionaries for the columns whose values repeat, not for the metrics, which
        # hardly do: building one for each of Syria's 478 metric columns took 6.5 of the
        # 22 ms that writing a 1,000-run table took (decision 759).
        repeat = ["scenario", "point", "replicate", "status", "error", *self.varied]
        _write_table(self.folder / RUNS, table.schema, blocks, use_dictionary=repeat)
        return int(table.num_rows)

    def _release(self) -> None:
        """Drop the kept runs parts: the sweep is over."""
        self._written.clear()
        # Arrow's allocator keeps freed blocks for reuse; give them back.
        pa.default_memory_pool().release_unused()


@dataclass(frozen=True)
class _Chunk:
    """A chunk of results ready to write: its runs table, its tidy tables, their paths.

    Attributes:
        runs: how many runs.
        frames: the series and actors tables of the chunk, by part path.
        path: the runs part's path.
        table: the runs part's table.
    """

    runs: int
    frames: dict[Path, pd.DataFrame]
    path: Path
    table: pa.Table

    def write(self) -> dict[Path, int | None]:
        """Write the chunk's parts (each atomically); returns their rows by path, to record."""
        written: dict[Path, int | None] = {}
        for path, frame in self.frames.items():
            write_parquet(frame, path, tidy=True)
            written[path] = len(frame)
        _write_part(self.table, self.path)
        written[self.path] = self.table.num_rows
        return written
