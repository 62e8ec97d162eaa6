"""A calibration's figures and report page (figures take tables, never run a model).

- ``marginals``: each free parameter's weighted posterior histogram per variant,
  the prior range as the x-axis;
- ``pairs``: weighted scatter of every pair of free parameters (final generation);
- ``predictive``: per pattern, the posterior predictive 90% band and median
  against the observed value with its tolerance, calibration patterns and
  held-out patterns in separate panels.
"""

from __future__ import annotations

import html
import itertools
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from sim.calibrate import posterior
from sim.calibrate.spec import Calibration
from sim.fileio import atomic_write_bytes, atomic_write_text
from sim.plots.figure import add_caption, parameter_label, render, set_theme
from sim.plots.palette import sample_colors

FIGURES = "figures"


def marginals_figure(particles: pd.DataFrame, calibration: Calibration) -> Figure:
    """Weighted posterior histograms of each calibrated parameter, one colour per variant."""
    paths = list(calibration.spec.parameters)
    variants = list(calibration.variants())
    colors = sample_colors(variants)
    fig, axes = plt.subplots(1, len(paths), figsize=(3.2 * len(paths), 2.8), squeeze=False)
    for ax, path in zip(axes[0], paths, strict=True):
        prior = calibration.spec.parameters[path]
        for variant in variants:
            final = posterior.final_particles(particles, variant)
            if final.empty or path not in calibration.free(variant):
                continue
            ax.hist(
                final[path],
                weights=final["weight"],
                bins=20,
                range=(prior.low, prior.high),
                density=True,
                alpha=0.5,
                color=colors[variant],
                label=variant,
            )
        ax.set_xlim(prior.low, prior.high)
        ax.set_xlabel(parameter_label(path))
        ax.set_ylabel("posterior density")
    if len(variants) > 1:
        axes[0][0].legend(fontsize=8)
    add_caption(fig, "Final generation, weighted; the x-axis spans the uniform prior.")
    return fig


def pairs_figure(particles: pd.DataFrame, calibration: Calibration, variant: str) -> Figure:
    """Every pair of ``variant``'s free parameters, point size by weight."""
    paths = list(calibration.free(variant))
    pairs = list(itertools.combinations(paths, 2)) or [(paths[0], paths[0])]
    final = posterior.final_particles(particles, variant)
    cols = min(len(pairs), 4)
    rows = -(-len(pairs) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 2.8 * rows), squeeze=False)
    for ax, (x, y) in zip(axes.flat, pairs, strict=False):
        size = 4 + 60 * final["weight"] / max(final["weight"].max(), 1e-300)
        ax.scatter(final[x], final[y], s=size, alpha=0.4, color="0.2", lw=0)
        ax.set_xlabel(parameter_label(x))
        ax.set_ylabel(parameter_label(y))
    for ax in list(axes.flat)[len(pairs) :]:
        ax.set_axis_off()
    add_caption(fig, f"Variant '{variant}', final generation; point size: weight.")
    return fig


def predictive_figure(checks: pd.DataFrame) -> Figure:
    """Per pattern: predictive 90% band and median (per variant) against observed +- tolerance."""
    roles = [r for r in ("calibrate", "holdout") if (checks["role"] == r).any()]
    variants = list(dict.fromkeys(checks["variant"]))
    colors = sample_colors(variants)
    fig, axes = plt.subplots(
        1, max(len(roles), 1), figsize=(5.5 * max(len(roles), 1), 3.2), squeeze=False
    )
    for ax, role in zip(axes[0], roles, strict=False):
        own = checks[checks["role"] == role]
        patterns = list(dict.fromkeys(own["pattern"]))
        for i, pattern in enumerate(patterns):
            rows = own[own["pattern"] == pattern]
            first = rows.iloc[0]
            ax.errorbar(
                i,
                first["observed"],
                yerr=first["tolerance"],
                fmt="D",
                color="black",
                ms=4,
                label="observed +- tolerance" if i == 0 else None,
            )
            for j, (_, row) in enumerate(rows.iterrows()):
                x = i + 0.15 * (j + 1)
                ax.vlines(x, row["q05"], row["q95"], color=colors[row["variant"]], lw=3, alpha=0.6)
                ax.plot(
                    x,
                    row["median"],
                    "o",
                    color=colors[row["variant"]],
                    ms=4,
                    label=f"{row['variant']}: predictive 90% band" if i == 0 else None,
                )
        ax.set_xticks(range(len(patterns)), patterns, rotation=30, ha="right", fontsize=8)
        ax.set_xlim(-0.5, len(patterns) - 0.5 + 0.15 * len(variants))
        ax.set_title("calibration patterns" if role == "calibrate" else "held-out patterns")
        ax.legend(fontsize=7)
    add_caption(fig, "Posterior predictive draws against the observed statistics.")
    return fig


def write_figures(
    folder: Path, calibration: Calibration, particles: pd.DataFrame, checks: pd.DataFrame
) -> Path:
    """Write the figures (PNG) and ``report.html``; returns the report's path."""
    matplotlib.use("Agg")
    set_theme()
    out = folder / FIGURES
    figures = {"marginals": marginals_figure(particles, calibration)}
    for variant in calibration.variants():
        if calibration.free(variant) and not posterior.final_particles(particles, variant).empty:
            figures[f"pairs-{variant}"] = pairs_figure(particles, calibration, variant)
    figures["predictive"] = predictive_figure(checks)
    for stem, fig in figures.items():
        atomic_write_bytes(out / f"{stem}.png", render(fig))
        plt.close(fig)
    tables = []
    for name in ("summary", "variants", "checks"):
        frame = pd.read_csv(folder / f"{name}.csv")
        tables.append(f"<h2>{name}</h2>{frame.to_html(index=False, float_format='{:.4g}'.format)}")
    images = "".join(
        f'<figure><img src="{FIGURES}/{stem}.png" alt="{stem}">'
        f"<figcaption>{stem}</figcaption></figure>"
        for stem in figures
    )
    title = html.escape(f"credsim calibration: {calibration.name}")
    page = (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><h1>{title}</h1>{''.join(tables)}<h2>figures</h2>{images}</body></html>"
    )
    report = folder / "report.html"
    atomic_write_text(report, page)
    return report
