"""The report page: ``RESULTS_DIR/report.html``, one self-contained file.

It says what was run (from the manifest), shows the summary table (a run's
summary metrics; for a sweep, each metric's mean and 95% interval across
runs per scenario) and every figure of the folder with its one-line
caption. Figures are embedded as base64 data, so the page opens from disk
in any browser with no server and no other file.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

from sim.fileio import atomic_write_bytes, atomic_write_text
from sim.plots.figure import metric_label, render
from sim.plots.gallery import figures_for
from sim.results import RUN, Results, open_results

_MIME = {"png": "image/png", "svg": "image/svg+xml"}
_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1200px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444;margin-top:.3em}code{font-size:.9em}
"""


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f'<td class="num">{"" if math.isnan(value) else f"{value:.4g}"}</td>'
    if isinstance(value, (dict, list)):
        return f"<td><code>{html.escape(str(value))}</code></td>"
    return f"<td>{html.escape('' if value is None else str(value))}</td>"


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def run_facts(manifest: dict[str, Any]) -> list[tuple[str, Any]]:
    """What was run, as (field, value) pairs for the report's first table."""
    git = manifest.get("git") or {}
    commit = git.get("commit") or "unknown"
    if git.get("dirty"):
        commit += " (uncommitted changes)"
    if manifest["kind"] == RUN:
        facts: list[tuple[str, Any]] = [
            ("scenario", manifest.get("scenario_name")),
            ("scenario file", manifest.get("source")),
            ("overrides", manifest.get("overrides") or "none"),
            ("seed", manifest.get("seed")),
            ("recorded", manifest.get("record")),
        ]
    else:
        design = manifest.get("design", {})
        counts = manifest.get("counts", {})
        facts = [
            ("experiment", manifest.get("experiment_name")),
            ("scenarios", ", ".join(manifest.get("scenarios", {}))),
            ("design", f"{design.get('method')}, {design.get('points')} points"),
            ("varied parameters", design.get("parameters")),
            ("replicates", manifest.get("replicates")),
            ("seed", manifest.get("seed")),
            ("recorded", manifest.get("record")),
            ("status", manifest.get("status")),
            (
                "runs",
                f"{counts.get('done')} done of {counts.get('planned')}, "
                f"{counts.get('failed')} failed",
            ),
        ]
    facts += [
        ("command", " ".join(manifest.get("command", []))),
        ("credsim", manifest.get("credsim")),
        ("git commit", commit),
        ("host", manifest.get("host")),
        ("started", manifest.get("started")),
        ("finished", manifest.get("finished")),
    ]
    return facts


def summary_table(results: Results) -> pd.DataFrame:
    """The summary: for a run, ``metric, description, value``; for a sweep, ``metric,
    description`` and per scenario ``mean [2.5%, 97.5%]`` across its finished runs."""
    runs = results.ok_runs
    described = {m: metric_label(m)[0] for m in results.metrics}
    if results.kind == RUN:
        row = runs.iloc[0]
        return pd.DataFrame(
            [(m, d, float(row[m])) for m, d in described.items()],
            columns=["metric", "description", "value"],
        )
    table = pd.DataFrame({"metric": list(described), "description": list(described.values())})
    for scenario, cell in runs.groupby("scenario", sort=False):
        values = cell[list(described)]
        mean, lo, hi = values.mean(), values.quantile(0.025), values.quantile(0.975)
        table[f"{scenario} (n={len(cell)})"] = [
            f"{mean[m]:.3g} [{lo[m]:.3g}, {hi[m]:.3g}]" for m in described
        ]
    return table


def _image(data: bytes, fmt: str) -> str:
    return f"data:{_MIME[fmt]};base64,{base64.b64encode(data).decode('ascii')}"


def write_report(results_dir: str | Path, out: str | Path | None = None, fmt: str = "png") -> Path:
    """Draw every figure of a results folder into ``out`` and write ``report.html``.

    Args:
        results_dir: a run or sweep folder.
        out: folder for the figure files (default ``RESULTS_DIR/plots``).
        fmt: file format of the figures: ``png``, ``svg`` or ``pdf``. The page
            embeds the same PNG or SVG; for PDF it embeds a PNG rendering.

    Returns:
        The path of ``RESULTS_DIR/report.html``.

    Raises:
        InputError: not a results folder.
    """
    # Files only: never open a window, whatever backend the session had.
    matplotlib.use("Agg")
    results = open_results(results_dir)
    plots = Path(out) if out is not None else results.path / "plots"
    plots.mkdir(parents=True, exist_ok=True)
    sections = []
    for entry in figures_for(results):
        data = render(entry.figure, fmt)
        atomic_write_bytes(plots / f"{entry.stem}.{fmt}", data)
        shown, shown_fmt = (data, fmt) if fmt in _MIME else (render(entry.figure, "png"), "png")
        plt.close(entry.figure)
        sections.append(
            f'<figure id="{entry.stem}"><img src="{_image(shown, shown_fmt)}" '
            f'alt="{html.escape(entry.caption)}"><figcaption>{html.escape(entry.caption)}'
            f" <small>(file: {html.escape(str(plots / entry.stem))}.{fmt})</small>"
            "</figcaption></figure>"
        )
    failed = results.runs[results.runs["status"] != "ok"]
    summary = summary_table(results)
    title = f"credsim {results.kind}: {results.name}"
    page = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        f"<p>Results folder: <code>{html.escape(str(results.path))}</code></p>",
        "<h2>What was run</h2>",
        _table(run_facts(results.manifest), ("", "")),
    ]
    if len(failed):
        page.append(f"<p><strong>{len(failed)} run(s) failed</strong>; first errors:</p>")
        page.append(
            _table(
                [tuple(r) for r in failed[["run_id", "error"]].head(5).itertuples(index=False)],
                ("run", "error"),
            )
        )
    page += [
        "<h2>Summary</h2>",
        _table([tuple(r) for r in summary.itertuples(index=False)], tuple(summary.columns)),
        "<h2>Figures</h2>",
        *(sections or ["<p>No figures: the folder recorded no series and varied nothing.</p>"]),
        "</body></html>",
    ]
    report = results.path / "report.html"
    atomic_write_text(report, "\n".join(page))
    return report
