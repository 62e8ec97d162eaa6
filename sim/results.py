"""Reading a results folder (one run or a sweep) into tidy pandas frames.

This module owns the *reading* side of the results layout
(docs/results_layout.md): the manifest, the table of runs, the tidy
series with the run's scenario, replicate and varied parameters joined on,
and the events of each scenario taken from the resolved scenario trees in
the manifest. Plots, the report and ``compare`` read folders only through
here, so a change of layout is met in one place.

A single run is read as a sweep of one run: one row in ``runs`` (its
flattened summary), replicate 0, design point 0, no varied parameters.
"""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from sim import manifests
from sim.columns import flatten_summary
from sim.errors import InputError
from sim.fileio import is_arrow, read_arrow_table, table_format
from sim.integrity import (
    INTEGRITY,
    MANIFEST,
    chunk_parts,
    done_text,
    read_json,
    repair_hint,
    require_folder,
    require_intact,
    table_problems,
)
from sim.scenario.calendar import Calendar

RUN = "run"
SWEEP = "sweep"
RUN_KEYS = ["run_id", "scenario", "point", "replicate"]
GRID = "grid"
POSTERIOR = "posterior"
EVENT_COLUMNS = [
    "scenario", "id", "label", "kind", "step", "date", "actor", "target", "key", "magnitude",
]  # fmt: skip
# The columns of each method's indices table (``credsim analyze``), after ``scenario,
# metric, parameter``.
SENSITIVITY_COLUMNS = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu_star", "mu_star_conf", "sigma"],
}
_NOT_METRICS = {*RUN_KEYS, "seed", "status", "error", "elapsed_s"}


def inside_text(
    path: Path, noun: str = "results folders", kind: str | None = None, depth: int = 1
) -> str:
    """A hint naming the results folders up to ``depth`` levels inside ``path`` (of
    ``kind`` only, if given): a sweep's lives in ``results/<experiment>/<hash>/``, a
    calibration's in ``results/calibrate/<name>/<hash>/``, and the folder above is a
    natural guess."""
    if not path.is_dir():
        return ""
    manifests = [
        m for level in range(1, depth + 1) for m in path.glob("*/" * level + "manifest.json")
    ]
    found = sorted(
        m.parent
        for m in manifests
        if m.is_file() and (kind is None or (read_json(m) or {}).get("kind") == kind)
    )
    if not found:
        return ""
    shown = ", ".join(f"'{p}'" for p in found[:3]) + (" ..." if len(found) > 3 else "")
    return f"; the {noun} inside it: {shown}"


def read_manifest(results_dir: str | Path) -> dict[str, Any]:
    """The folder's ``manifest.json``.

    Raises:
        InputError: the folder does not exist, is a file, or holds no readable manifest.
    """
    path = Path(results_dir)
    manifest = path / "manifest.json"
    require_folder(path)
    if not manifest.is_file():
        from sim.integrity import empty_folder_text

        raise InputError(
            empty_folder_text(path)
            or f"'{path}' is not a results folder: it has no manifest.json "
            f"(expected a folder written by 'credsim run' or 'credsim sweep'){inside_text(path)}"
        )
    try:
        data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        # It said "manifest.json is not valid JSON: Unterminated string starting at", cut
        # short, where 'credsim check' says how to repair it (an audit, decision 788).
        raise InputError(
            f"is damaged (it is not valid JSON: {exc.msg}: line {exc.lineno} column "
            f"{exc.colno}); {repair_hint(None, path)}",
            file=str(manifest),
        ) from None
    except UnicodeDecodeError as exc:
        # It was a UnicodeDecodeError traceback (an audit of the commands' options).
        raise InputError(
            f"is damaged (byte {exc.object[exc.start]:#04x} at offset {exc.start} is not "
            f"UTF-8 text, which every manifest is); {repair_hint(None, path)}",
            file=str(manifest),
        ) from None
    if isinstance(data, dict) and data.get("kind") == "calibration":
        # It said "manifest kind is 'calibration'; expected 'run' or 'sweep'" (an audit;
        # decision 625): say where a calibration's results are, and how its variants
        # are compared.
        # report.html only when it drew its figures (not with --no-plots; decision 788).
        report = " and report.html" if (path / "report.html").is_file() else ""
        # `plot` on it drew nothing (decision 1026): the command that wrote it draws them.
        raise InputError(
            f"'{path}' holds a calibration, not a run or a sweep: its results are in "
            f"summary.csv{report} there; the 'credsim calibrate' command that wrote it, "
            "given --width or --dpi, draws its figures again, running nothing again; "
            "variants of a calibration are compared "
            "within it (a 'variants:' list in its file gives variants.csv), and a claim "
            "under its posterior is a sweep with design: {method: posterior, calibration: "
            "...}"
        )
    if not isinstance(data, dict) or data.get("kind") is None:
        # It said "manifest kind is None; expected 'run' or 'sweep'" (an audit of the
        # commands' options).
        what = "has no 'kind'" if isinstance(data, dict) else "is not a JSON object"
        raise InputError(
            f"is damaged (it {what}, which says whether the folder holds a run or a sweep); "
            f"{repair_hint(data if isinstance(data, dict) else None, path)}",
            file=str(manifest),
        )
    if data.get("kind") not in (RUN, SWEEP):
        raise InputError(
            f"manifest kind is {data.get('kind')!r}; expected 'run' or 'sweep'", file=str(manifest)
        )
    if (wrong := manifests.file_problem(manifest, data)) is not None:
        raise InputError(f"is damaged ({wrong}); {repair_hint(data, path)}", file=str(manifest))
    return data


def scenario_trees(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Resolved scenario trees by scenario name (one entry for a single run)."""
    if manifest["kind"] == RUN:
        return {manifest["scenario_name"]: manifest["scenario"]}
    return dict(manifest["scenarios"])


def varied_parameters(manifest: dict[str, Any]) -> list[str]:
    """Override paths the design varies (none for a single run)."""
    return list(manifest.get("varied", [])) if manifest["kind"] == SWEEP else []


def calendar_of(tree: dict[str, Any]) -> Calendar:
    """The calendar of a resolved scenario tree."""
    return Calendar(**tree["calendar"])


def scenario_events(name: str, tree: dict[str, Any]) -> pd.DataFrame:
    """The events of one resolved scenario tree, one row each (columns ``EVENT_COLUMNS``).

    ``step`` is the step the event applies at and ``date`` that step's label,
    so markers sit where the series show the event's effect. ``label`` is the
    event's own label, else its id, else ``kind actor -> target``. ``target``
    holds ``with`` or ``about`` for kinds that have no target; ``magnitude``
    is NaN for kinds that have none.
    """
    calendar = calendar_of(tree)
    rows = []
    for event in tree.get("events", []):
        step = (
            int(event["step"]) if event.get("step") is not None else calendar.step_of(event["date"])
        )
        actor = event.get("actor")
        target = event.get("target") or event.get("with") or event.get("about")
        fallback = " ".join(str(p) for p in (event["kind"], actor) if p)
        if target:
            fallback += f" \u2192 {target}"
        rows.append(
            {
                "scenario": name,
                "id": event.get("id"),
                "label": event.get("label") or event.get("id") or fallback,
                "kind": event["kind"],
                "step": step,
                "date": calendar.label(step),
                "actor": actor,
                "target": target,
                "key": bool(event.get("key")),
                "magnitude": float(event["magnitude"])
                if event.get("magnitude") is not None
                else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


# The override paths that move an event: ``events.<id>.<field>`` (``date``, ``step``,
# ``label`` ...), as ``--vary``, ``--set`` and a design's parameters name them.
EVENT_PATH = "events."


def with_event_values(tree: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """``tree`` with the event fields of ``values`` set, the other paths ignored: the
    events a design point ran (``events.withdrawal.date=2025-01``). An event is entered by
    its id, as an override path names it; a date set drops the event's step, and a step
    its date, as the one that places it. Fields within a field (``events.X.trust.P``)
    place and name nothing and are left out, as is a path whose event the tree lacks
    (the sweep refuses such a path before it runs).

    The figures marked the file's date of an event a sweep moved, where trust did not
    move, and nothing where it did (an outside check): their markers are drawn from the
    trees a design point ran (:meth:`Results.events_at`).
    """
    moved = {p: v for p, v in values.items() if p.startswith(EVENT_PATH)}
    if not moved:
        return tree
    events = [dict(event) for event in tree.get("events") or []]
    for path, value in moved.items():
        ident, _, field_name = path.removeprefix(EVENT_PATH).partition(".")
        event = next((e for e in events if e.get("id") == ident), None)
        if event is None or not field_name or "." in field_name:
            continue
        if field_name == "date":
            event.pop("step", None)
            value = str(value)
        elif field_name == "step":
            event.pop("date", None)
            value = int(value)
        event[field_name] = value
    return {**tree, "events": events}


def _read_parts(
    folder: Path,
    columns: list[str] | None = None,
    filters: list[tuple[str, str, Any]] | None = None,
) -> pd.DataFrame | None:
    records = read_json(folder.parent / INTEGRITY)
    files = None if records is None else (records.get("files") or {})
    # A part written but never recorded is a killed sweep's leftover, not a result.
    listed = chunk_parts(folder.parent, folder.name, files)
    parts = [path for path, recorded in listed.items() if recorded]
    if not parts:
        return None
    hint = _repair(folder.parent)
    frames = [_read_part(p, hint, columns, filters) for p in parts]
    return pd.concat(frames, ignore_index=True)


def _read_part(
    path: Path,
    hint: str,
    columns: list[str] | None,
    filters: list[tuple[str, str, Any]] | None,
) -> pd.DataFrame:
    """A chunk file: Parquet, or a runs part in Arrow IPC (decision 752), read whole."""
    if not is_arrow(path):
        return read_table(path, hint, columns=columns, filters=filters)
    if filters:
        raise ValueError("filters apply to Parquet parts only")  # runs parts are not filtered
    return _read_or_refuse(lambda: read_arrow_table(path, columns).to_pandas(), path, hint)


def read_table(path: Path, hint: str, **options: Any) -> pd.DataFrame:
    """``pd.read_parquet(path, **options)``, a file Arrow cannot read refused in one line.

    Args:
        path: the parquet file.
        hint: what to do, said after "'PATH' is damaged (...); ".
        options: passed on (``columns``, ``filters``).

    Raises:
        InputError: "'PATH' is damaged (it is not a readable parquet table); HINT".
    """
    if options.get("filters"):
        columns, filters = options.get("columns"), options["filters"]
        return _read_or_refuse(lambda: _read_filtered(path, columns, filters), path, hint)
    return _read_or_refuse(lambda: pd.read_parquet(path, **options), path, hint)


def _read_filtered(
    path: Path, columns: list[str] | None, filters: list[tuple[str, str, Any]]
) -> pd.DataFrame:
    """``pd.read_parquet(path, columns=columns, filters=filters)``, the same frame, sooner.

    A series part's labels are read as Arrow dictionaries and each ``in`` filter on
    them is decided once per distinct label, then taken to the rows by its index:
    Arrow's own filter matched every row's text, which with the strings made for
    every row took 1.9-2.8 against 0.8-1.3 s for claim 2's 27 million rows (decision
    882). The rows kept get their plain text back before pandas sees them. Any other
    filter (another operator, a column not a text one or not read) goes to
    ``pd.read_parquet`` as before.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    labels = [
        f.name
        for f in schema
        if (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))
        and (columns is None or f.name in columns)
    ]
    if not all(op == "in" and name in labels for name, op, _ in filters):
        return pd.read_parquet(path, columns=columns, filters=filters)
    table = pq.read_table(path, columns=columns, read_dictionary=labels)
    keep = None
    for name, _, values in filters:
        wanted = pa.array([str(v) for v in values], type=pa.string())
        chunks = [
            pc.take(pc.is_in(chunk.dictionary, value_set=wanted.cast(chunk.dictionary.type)),
                    chunk.indices)
            for chunk in table[name].chunks
        ]  # fmt: skip
        mask = pa.chunked_array(chunks, type=pa.bool_())
        keep = mask if keep is None else pc.and_(keep, mask)
    if keep is not None:
        table = table.filter(keep)
    plain = [
        f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
        for f in table.schema
    ]
    return table.cast(pa.schema(plain, metadata=table.schema.metadata)).to_pandas()


def _read_or_refuse[T](read: Callable[[], T], path: Path, hint: str) -> T:
    """``read()``, Arrow's failure to read ``path`` turned into :func:`read_table`'s line."""
    import pyarrow as pa  # here: the CLI imports this module and should start fast

    try:
        return read()
    except (OSError, ValueError, pa.ArrowException) as exc:
        if isinstance(exc, PermissionError):
            raise  # said as unreadable by the CLI (describe_os_error)
        raise InputError(
            f"'{path}' is damaged (it is not a readable {table_format(path)} table); {hint}"
        ) from None


def _repair(folder: Path) -> str:
    """How to repair a damaged file of the results folder ``folder``: a file the integrity
    record does not cover (a folder written before it, whose manifest has no
    ``integrity``) is read unchecked, and Arrow's failure was a traceback (an audit)."""
    return repair_hint(read_json(folder / MANIFEST), folder)


def read_runs(results_dir: str | Path, manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """One row per run: ``run_id, scenario, point, replicate, seed``, varied parameters,
    flattened summary metrics, ``status, error, elapsed_s``.

    A finished sweep's ``runs.parquet`` is used; an unfinished sweep's recorded chunk
    files ``runs/part-*.arrow`` (``.parquet`` before decision 752), which hold every
    run committed so far: a ``runs.parquet`` written when an earlier attempt was
    interrupted lacks the runs of the attempts since (an audit; decision 634). A
    single run becomes one row.

    Raises:
        InputError: a sweep folder with no runs yet, or a run folder without summary.json.
    """
    path = Path(results_dir)
    manifest = read_manifest(path) if manifest is None else manifest
    if manifest["kind"] == RUN:
        summary_file = path / "summary.json"
        if not summary_file.is_file():
            raise InputError(f"run folder '{path}' has no summary.json (was the run finished?)")
        row: dict[str, Any] = {
            "run_id": path.name,
            "scenario": manifest["scenario_name"],
            "point": 0,
            "replicate": 0,
            "seed": manifest.get("seed"),
            **{
                name: math.nan if value is None else float(value)
                for name, value in flatten_summary(json.loads(summary_file.read_text())).items()
            },
            "status": "ok",
            "error": None,
            "elapsed_s": manifest.get("elapsed_s"),
        }
        return pd.DataFrame([row])
    finished = manifest.get("status", "complete") == "complete"
    if finished and (path / "runs.parquet").is_file():
        return read_table(path / "runs.parquet", _repair(path))
    runs = _read_parts(path / "runs")
    if runs is None and (path / "runs.parquet").is_file():
        return read_table(path / "runs.parquet", _repair(path))
    if runs is None:
        raise InputError(f"sweep folder '{path}' has no runs yet (no runs.parquet, no runs/part-*)")
    return runs


def summary_metrics(runs: pd.DataFrame, varied: Sequence[str] = ()) -> list[str]:
    """The flattened summary metric columns of a runs table, in table order."""
    skip = _NOT_METRICS | set(varied)
    return [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]


def read_series(
    results_dir: str | Path,
    runs: pd.DataFrame,
    varied: Sequence[str] = (),
    *,
    metrics: Sequence[str] | None = None,
    groups: Sequence[str] | None = None,
    run_ids: Sequence[str] | None = None,
) -> pd.DataFrame | None:
    """The tidy series with ``run_id, scenario, point, replicate`` and the varied
    parameters joined on; ``None`` when the folder recorded no series.

    Args:
        results_dir: the results folder.
        runs: its runs table (:func:`read_runs`), which supplies the joined columns.
        varied: the varied parameter columns to join.
        metrics: keep only these series metrics (read filter: large sweeps stay small).
        groups: keep only these groups.
        run_ids: keep only these runs (a sweep's series; a run folder has one run).
    """
    path = Path(results_dir)
    filters: list[tuple[str, str, Any]] = []
    if metrics is not None:
        filters.append(("metric", "in", list(metrics)))
    if groups is not None:
        filters.append(("group", "in", list(groups)))
    if (path / "series.parquet").is_file():
        series = read_table(path / "series.parquet", _repair(path), filters=filters or None)
        series["run_id"] = runs["run_id"].iloc[0]
    else:
        if run_ids is not None:
            # No run asked for: a filter on an id no run has (an empty list has no
            # type for Arrow to compare with), so the result is empty, not an error.
            filters.append(("run_id", "in", list(run_ids) or [""]))
        found = _read_parts(path / "series", filters=filters or None)
        if found is None:
            return None
        series = found
    keys = runs[[*RUN_KEYS, *varied]]
    return series.merge(keys, on="run_id", how="inner", validate="many_to_one")


@dataclass
class Results:
    """A results folder, read lazily: manifest, runs, events, and the series on demand."""

    path: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    _series_cache: dict[tuple[Any, ...], pd.DataFrame | None] = field(
        default_factory=dict, repr=False
    )
    _sensitivity_cache: dict[str, pd.DataFrame | None] = field(default_factory=dict, repr=False)
    # The whole folder's powers, kept by a narrowed view (:meth:`narrowed`) for its colours.
    _folder_powers: tuple[str, ...] | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """``"run"`` or ``"sweep"``."""
        return str(self.manifest["kind"])

    @property
    def name(self) -> str:
        """The scenario name of a run, the experiment name of a sweep."""
        key = "scenario_name" if self.kind == RUN else "experiment_name"
        return str(self.manifest[key])

    @property
    def varied(self) -> list[str]:
        """Varied parameter paths (empty for a run)."""
        return varied_parameters(self.manifest)

    @property
    def design_method(self) -> str:
        """The sweep's design method (``grid`` for a run or a folder that does not say)."""
        return str((self.manifest.get("design") or {}).get("method") or GRID)

    @property
    def drawn(self) -> bool:
        """Whether the design drew each point's values (lhs, sobol, morris) over two or more
        parameters: then no two points share the other parameters' values, and none can be
        held while one moves."""
        return self.design_method != GRID and len(self.varied) > 1

    @property
    def scenarios(self) -> dict[str, dict[str, Any]]:
        """Resolved scenario trees by name, in manifest order."""
        return scenario_trees(self.manifest)

    @property
    def powers(self) -> list[str]:
        """Every power of the folder's scenarios, in scenario order (what colours the
        powers: :func:`~sim.plots.palette.power_palette` of all of them, so a power keeps
        its colour in a figure that leaves another out)."""
        return list(
            dict.fromkeys(p for t in self.scenarios.values() for p in t.get("powers") or {})
        )

    @property
    def palette_powers(self) -> list[str]:
        """The powers that share out the colours (:func:`~sim.plots.palette.power_palette`'s
        ``among``): the folder's, also in a view of some of its scenarios
        (:meth:`narrowed`). A sweep over Angola and Suez drew Cuba black in its sweep
        figures and pink in Angola's trajectories, whose view had no France to take pink
        (an outside check of new cases; decision 996)."""
        return list(self._folder_powers) if self._folder_powers is not None else self.powers

    @cached_property
    def ok_runs(self) -> pd.DataFrame:
        """The runs that finished (``status == "ok"``)."""
        return self.runs[self.runs["status"] == "ok"]

    @cached_property
    def failed_text(self) -> str:
        """The folder's failed runs in one sentence, for the captions of what is drawn
        from the rest ("" when none failed): how many, and the design values at which
        no run finished (an audit: a failing bias value's column vanished from every
        figure without a word; decision 642)."""
        failed = int((self.runs["status"] != "ok").sum())
        if not failed:
            return ""
        from sim.analysis.paired import value_text

        lost = [
            f"{path}={value_text(value)}"
            for path in self.varied
            for value in dict.fromkeys(self.runs[path])
            if not (self.ok_runs[path] == value).any()
        ]
        where = f"; no run finished at {', '.join(lost)}" if lost else ""
        return (
            f"{failed} of {len(self.runs)} runs failed and are left out{where} (the report "
            "page lists their errors)."
        )

    @cached_property
    def metrics(self) -> list[str]:
        """The flattened summary metrics."""
        return summary_metrics(self.runs, self.varied)

    def calendar(self, scenario: str) -> Calendar:
        """The calendar of one scenario."""
        return calendar_of(self.scenarios[scenario])

    def narrowed(self, scenarios: Sequence[str]) -> Results:
        """The folder seen through some of its scenarios: their trees (so their events,
        powers and groups) and their runs only, the rest of the manifest as it is. The
        figures of one set of a sweep's scenarios that share a calendar and groups read
        it (:func:`sim.plots.gallery.scenario_sets`); a run, or all the scenarios, is the
        folder itself."""
        if self.kind == RUN or list(scenarios) == list(self.scenarios):
            return self
        trees = self.scenarios
        manifest = {**self.manifest, "scenarios": {name: trees[name] for name in scenarios}}
        runs = self.runs[self.runs["scenario"].isin(list(scenarios))]
        return Results(
            path=self.path,
            manifest=manifest,
            runs=runs,
            _folder_powers=tuple(self.palette_powers),
        )

    @cached_property
    def events(self) -> pd.DataFrame:
        """Events of every scenario (columns ``EVENT_COLUMNS``), as the scenario trees
        give them: the dates of a sweep's design point are :meth:`events_at`'s."""
        return self.events_at({})

    def events_at(self, values: Mapping[str, Any]) -> pd.DataFrame:
        """Events of every scenario at a design point (``values``, override path to value:
        :func:`~sim.analysis.paired.reference_values`), columns ``EVENT_COLUMNS``: each
        scenario's tree with the point's event fields set (:func:`with_event_values`), so
        that an event the design moves is marked where its runs had it. Without an event
        path among ``values``, every scenario's own events."""
        frames = [
            scenario_events(n, with_event_values(t, values)) for n, t in self.scenarios.items()
        ]
        return (
            pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=EVENT_COLUMNS)
        )

    def series(
        self,
        metrics: Sequence[str] | None = None,
        groups: Sequence[str] | None = None,
        run_ids: Sequence[str] | None = None,
    ) -> pd.DataFrame | None:
        """The tidy series of the finished runs (see :func:`read_series`), cached per filter."""
        key = tuple(None if f is None else tuple(f) for f in (metrics, groups, run_ids))
        if key not in self._series_cache:
            self._series_cache[key] = read_series(
                self.path,
                self.ok_runs,
                self.varied,
                metrics=metrics,
                groups=groups,
                run_ids=run_ids,
            )
        return self._series_cache[key]

    def sensitivity(self, method: str) -> pd.DataFrame | None:
        """The indices ``credsim analyze`` wrote for ``method`` (``sobol`` or ``morris``,
        ``analysis/sensitivity_<method>.parquet``); ``None`` when it has not run.

        Raises:
            InputError: the table cannot be read or lacks its columns (it is written
                outside the integrity record, so ``require_intact`` does not see it:
                plot ended in Arrow's traceback, or ``KeyError: 'metric'``; an audit).
        """
        if method not in self._sensitivity_cache:
            table = self.path / "analysis" / f"sensitivity_{method}.parquet"
            again = (
                "run credsim analyze again: credsim analyze "
                f"{shlex.quote(str(self.path))} --method {method}"
            )
            found = read_table(table, again) if table.is_file() else None
            wanted = ["metric", "parameter", *SENSITIVITY_COLUMNS[method]]
            if found is not None and (missing := [c for c in wanted if c not in found]):
                columns = "column" if len(missing) == 1 else "columns"
                raise InputError(
                    f"'{table}' is damaged (it has no {columns} {', '.join(missing)}); {again}"
                )
            self._sensitivity_cache[method] = found
        return self._sensitivity_cache[method]


def open_results(results_dir: str | Path) -> Results:
    """Read a results folder (run or sweep).

    Raises:
        InputError: not a results folder, a damaged one (sim.integrity), or one with
            nothing to read yet.
    """
    path = Path(results_dir)
    manifest = read_manifest(path)
    require_readable_tables(path)
    require_intact(path)
    runs = read_runs(path, manifest)
    return Results(path=path, manifest=manifest, runs=runs)


def require_readable_tables(folder: Path) -> None:
    """Open the footer of each data file of a folder the integrity record does not cover
    (its manifest has no ``integrity``), so that one Arrow cannot read, or one without
    the columns the readers index, is refused before a reader writes anything: the
    series are read as the figures are drawn, after ``plot --out`` made its folder, and
    a runs table of other columns ended in "KeyError: 'run_id'" (audits).

    Raises:
        InputError: "'PATH' is damaged (it is not a readable parquet table | it has no
            column run_id | ...); REPAIR".
    """
    problems = table_problems(folder)
    if problems:
        first = problems[0]
        raise InputError(f"'{folder / first.file}' {first.what}; {_repair(folder)}")


@dataclass(frozen=True)
class Unfinished:
    """What an unfinished sweep's folder holds so far (:func:`unfinished`).

    Attributes:
        done: ``"N of M runs"``, N committed (:func:`sim.integrity.done_text`: the
            manifest's counts are those of the sweep's start).
        missing: the manifest's scenarios with no run yet.
    """

    done: str
    missing: list[str]


def unfinished(results: Results) -> Unfinished | None:
    """An unfinished sweep's runs so far; None for a run or a finished sweep."""
    manifest = results.manifest
    if manifest.get("kind") != SWEEP or manifest.get("status", "complete") == "complete":
        return None
    have = set(results.runs["scenario"]) if "scenario" in results.runs else set()
    missing = [name for name in manifest.get("scenarios", {}) if name not in have]
    return Unfinished(done_text(results.path, manifest), missing)
