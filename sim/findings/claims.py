"""The claims' sections: the numbers each claim reads from its experiments, as Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never open a window

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.paired import t_interval
from sim.analysis.sensitivity import RESAMPLES as ANALYZE_RESAMPLES
from sim.findings.discussion import DISCUSSION
from sim.findings.figures import (
    figure_claim1_trajectories,
    figure_claim2,
    figure_claim3,
    figure_claim4,
    figure_claim5,
    figure_heatmaps,
    figure_sobol,
    save,
)
from sim.findings.numbers import (
    EXPERIMENTS,
    KEY_METRIC,
    LABELS,
    MEMORY,
    NB,
    POWER_COLOURS,
    SAME_BLOC,
    SOBOL_RESAMPLES,
    SUSCEPTIBILITY,
    at,
    baseline_point,
    describe_point,
    design_size,
    grid_range,
    interval,
    paired,
    point_means,
    series_at,
    sobol_of_difference,
    value_range,
    wide,
    window_mean,
    worse_memories,
)
from sim.plots.figure import group_phrases
from sim.results import Results
from sim.sweep.experiment import SHORT_HASH

# --------------------------------------------------------------------------- the document


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def captioned(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A paragraph ending in a blank line, then its Markdown table, then a blank line."""
    return caption + table(header, rows) + "\n\n"


def replicates_text(values: pd.Series) -> str:
    """``2.54 (2.45 to 2.62)``: the replicates' mean and, where they differ, their range."""
    if values.nunique() < 2:
        return f"{values.mean():.2f}"
    return f"{values.mean():.2f} ({values.min():.2f} to {values.max():.2f})"


def share_text(values: pd.Series) -> str:
    """``41 of 64``."""
    return f"{int(values.sum())} of {len(values)}"


@dataclass
class Context:
    """What every section needs: the loaded folders and where figures go."""

    results: dict[str, Results]
    figures: Path
    figure_prefix: str

    def figure(self, fig: Figure, stem: str, alt: str) -> str:
        """Save a figure and return its Markdown image paragraph."""
        name = save(fig, self.figures / f"{stem}.png")
        return f"![{alt}]({self.figure_prefix}{name})\n\n"


def opened(ctx: Context, name: str) -> tuple[Results, pd.DataFrame, dict[str, float]]:
    """An experiment's results, its finished runs, and its baseline point (historical)."""
    res = ctx.results[name]
    return res, res.ok_runs, baseline_point(res, "historical")


def missing(names: Sequence[str]) -> str:
    """The note a section gets when its experiments have not been run."""
    commands = "\n".join(f"    credsim sweep experiments/{n}.yaml --no-plots" for n in names)
    return f"*Not computed: run first*\n\n{commands}\n"


def flagship_grid(flagship: Results, by_date: dict[str, pd.DataFrame]) -> str:
    """Historical minus abstained among Arab League states at each flagship grid point.

    ``by_date`` holds :func:`series_at` of trust at June 2025 and December 2026.
    """
    cells: dict[tuple[float, float], list[str]] = {}
    for series in by_date.values():
        at_date = wide(series, flagship, "arab_league", "Russia")
        d = paired(at_date, "value", "historical", "abstained", flagship.varied)
        means = d.groupby([NB, MEMORY], as_index=False)["diff"].mean()
        for nb, memory, diff in means[[NB, MEMORY, "diff"]].itertuples(index=False):
            cells.setdefault((float(nb), float(memory)), []).append(f"{diff:+.3f}")
    biases = sorted({nb for nb, _ in cells})
    memories = sorted({m for _, m in cells})
    rows = [
        [f"{nb:g}", *(" / ".join(cells.get((nb, m), ["", ""])) for m in memories)] for nb in biases
    ]
    return (
        "Russia's trust among Arab League states, historical minus abstained, at each point of "
        "the flagship grid (June 2025 / December 2026, mean of the replicates):\n\n"
        + table(["negativity bias", *(f"memory {m:g}" for m in memories)], rows)
    )


def body_claim1(ctx: Context) -> list[str]:
    """Claim 1: intervening then withdrawing against never intervening (and staying)."""
    flagship, boundary = ctx.results["syria_withdrawal"], ctx.results["claim1_boundary"]
    return [
        '> "If you are unable to manage a conflict until the end, your intervention may '
        'cause greater losses."\n\n'
        "**Experiments.** `syria_withdrawal` (the flagship, `make run`): scenarios "
        "`historical` (syria.yaml), `sustained` (Russia keeps Assad) and `abstained` (Russia "
        f"never intervenes) over a {flagship.ok_runs[NB].nunique()} x "
        f"{flagship.ok_runs[MEMORY].nunique()} grid of negativity bias x memory, "
        f"{flagship.manifest['replicates']} replicates, series recorded. `claim1_boundary`: the "
        f"same three scenarios on a {boundary.ok_runs[NB].nunique()} x "
        f"{boundary.ok_runs[MEMORY].nunique()} grid (summaries only). `claim1_observers`: "
        "historical and abstained over third-party salience (same bloc, same region) x "
        "network susceptibility. `claim1_sobol`: a Saltelli sample over eight parameters.\n\n"
        "**Key metric.** Russia's mean trust among the Arab League states two years after the "
        "withdrawal (December 2026, `final_trust.Russia.arab_league`), historical minus "
        "abstained; negative means withdrawing cost more than never intervening. The same "
        "difference at the end of the withdrawal window (June 2025, six months after) comes "
        "from the flagship's series.\n\n",
        *claim1_flagship(ctx, flagship),
        *claim1_boundary(ctx, boundary),
        *claim1_observers(ctx.results["claim1_observers"]),
        *claim1_sobol(ctx, ctx.results["claim1_sobol"]),
    ]


def claim1_flagship(ctx: Context, flagship: Results) -> list[str]:
    """The flagship's differences at its baseline and over its grid, with the trajectories."""
    point = baseline_point(flagship, "historical")
    out = []
    groups = ["arab_league", "africa", "syria", "all"]
    trust = flagship.series(metrics=["trust_mean"], groups=groups)
    assert trust is not None
    whens = {"Jun 2025": "2025-06", "Dec 2026": "2026-12"}
    by_date = {when: series_at(flagship, when) for when in whens.values()}
    rows = []
    for group in groups:
        for label, when in whens.items():
            at_date = wide(by_date[when], flagship, group, "Russia")
            diffs = {
                other: paired(at_date, "value", "historical", other, flagship.varied)
                for other in ("abstained", "sustained")
            }
            per_point = point_means(diffs["abstained"])
            rows.append(
                [
                    group.replace("_", " "),
                    label,
                    *(interval(at(d, point)["diff"]).text() for d in diffs.values()),
                    value_range(per_point),
                    share_text(per_point < 0),
                ]
            )
    out.append(
        captioned(
            f"**Result (flagship, at {describe_point(point)}, the scenario's values; "
            f"{flagship.manifest['replicates']} paired replicates).** Russia's mean trust, "
            "historical minus each counterfactual, with bootstrap 95% intervals; then the range "
            "of historical minus abstained over the grid's points and the number of points "
            "where it is negative (withdrawing worse than abstaining):\n\n",
            [
                "group",
                "when",
                "hist. - abstained",
                "hist. - sustained",
                "hist. - abstained, grid range",
                "points where worse",
            ],
            rows,
        )
    )
    out.append(flagship_grid(flagship, by_date) + "\n\n")
    out.append(
        ctx.figure(
            figure_claim1_trajectories(
                trust,
                flagship.varied,
                point,
                ["arab_league", "africa"],
                phrases=group_phrases(flagship.scenarios),
            ),
            "claim1_trajectories",
            "Russia's trust among Arab League and African states by scenario",
        )
    )
    return out


def claim1_boundary(ctx: Context, boundary: Results) -> list[str]:
    """The boundary in negativity bias x memory: heatmaps and the memory where it flips."""
    diffs = {
        group: paired(
            boundary.ok_runs,
            f"final_trust.Russia.{group}",
            "historical",
            "abstained",
            boundary.varied,
        )
        for group in ("arab_league", "africa")
    }
    means = {group: diff.groupby([NB, MEMORY])["diff"].mean() for group, diff in diffs.items()}
    cells = means["arab_league"].unstack(MEMORY)
    mark = baseline_point(boundary, "historical")
    out = [
        ctx.figure(
            figure_heatmaps(
                {"Arab League": cells, "Africa": means["africa"].unstack(MEMORY)},
                MEMORY,
                NB,
                "Claim 1: Russia's trust in Dec 2026, historical minus abstained (mean over "
                "replicates)\nblue: withdrawing worse; black line: zero; star: scenario's values",
                mark,
            ),
            "claim1_boundary",
            "Boundary of claim 1 over negativity bias and memory",
        )
    ]
    memories = cells.columns.to_numpy(dtype=float)
    rows = [
        [f"{float(str(nb)):g}", worse_memories(memories, row.to_numpy(dtype=float))]
        for nb, row in cells.iterrows()
    ]
    worse = means["arab_league"] < 0
    # A cell is historical minus abstained: its replicates' spread is that difference's,
    # not a scenario's (the sustained scenario, in the same sweep, is in no cell).
    by_cell = diffs["arab_league"].groupby(["point"])["diff"]  # KEY_METRIC's difference
    replicate_sd = by_cell.std().max()
    mixed = int(((by_cell.min() < 0) & (by_cell.max() > 0)).sum())
    agree = (
        "every cell's replicates agree in sign"
        if mixed == 0
        else f"the replicates of {mixed} cells differ in sign"
    )
    # "10 of 64" read as ten clear cells; `credsim`'s own summary of the folder counts the
    # cells whose t interval excludes zero, 9 (an outside check, decision 983).
    bounds = by_cell.apply(lambda d: t_interval(d.to_numpy(np.float64))[2])
    unclear = int(((by_cell.mean() < 0) & (bounds >= 0)).sum())
    thin = (
        f" (in {unclear} of them the replicates' 95% t interval includes zero)" if unclear else ""
    )
    out.append(
        captioned(
            "**The boundary** (`claim1_boundary`, mean of "
            f"{boundary.manifest['replicates']} paired replicates per cell; the largest standard "
            f"deviation of the difference across replicates of any cell is {replicate_sd:.1e}, "
            f"and {agree}). Withdrawing leaves Russia worse off among Arab League "
            f"states than abstaining in {share_text(worse)} cells{thin}. The memories of the "
            "grid at which it does, by negativity bias (elsewhere the years of support still "
            "outweigh the withdrawal in December 2026):\n\n",
            ["negativity bias", "memories where withdrawing is worse"],
            rows,
        )
    )
    return out


def claim1_observers(observers: Results) -> list[str]:
    """Historical minus abstained over third-party salience and susceptibility."""
    obs_point = baseline_point(observers, "historical")
    diffs = {
        group: paired(
            observers.ok_runs,
            f"final_trust.Russia.{group}",
            "historical",
            "abstained",
            observers.varied,
        )
        for group in ("arab_league", "africa", "all")
    }
    obs_rows = []
    for group, d in diffs.items():
        per_point = point_means(d)
        obs_rows.append(
            [
                group.replace("_", " "),
                interval(at(d, obs_point)["diff"]).text(),
                value_range(per_point),
                share_text(per_point < 0),
            ]
        )
    # Claim 1's key metric (KEY_METRIC) by one parameter, over the other two.
    by_bloc = diffs["arab_league"].groupby(SAME_BLOC)["diff"].mean()
    by_susc = diffs["arab_league"].groupby(SUSCEPTIBILITY)["diff"].mean()
    return [
        captioned(
            "**Who is watching** (`claim1_observers`, negativity bias and memory at the "
            f"scenario's values; baseline {describe_point(obs_point)}). Historical minus "
            "abstained in December 2026:\n\n",
            ["group", "at baseline", "range over salience x susceptibility", "points where worse"],
            obs_rows,
        ),
        "Among Arab League states the difference by same-bloc salience is "
        + ", ".join(f"{d:+.3f} at {b:g}" for b, d in by_bloc.items())
        + "; by susceptibility "
        + ", ".join(f"{d:+.3f} at {s:g}" for s, d in by_susc.items())
        + " (means over the other two parameters).\n\n",
    ]


def claim1_sobol(ctx: Context, sobol_runs: Results) -> list[str]:
    """The Sobol indices of the key metric's difference, as a figure and a table."""
    indices = sobol_of_difference(sobol_runs, KEY_METRIC, "historical", "abstained")
    per_point = point_means(paired(sobol_runs.ok_runs, KEY_METRIC, "historical", "abstained", []))
    out = [
        ctx.figure(
            figure_sobol(
                indices,
                "Claim 1: Sobol indices of Russia's Dec 2026 trust among Arab League states,\n"
                "historical minus abstained",
            ),
            "claim1_sobol",
            "Sobol indices of claim 1's key metric",
        )
    ]
    sob_rows = [
        [
            LABELS.get(str(r.parameter), str(r.parameter)),
            f"{r.S1:.3f} ± {r.S1_conf:.3f}",
            f"{r.ST:.3f} ± {r.ST_conf:.3f}",
        ]
        for r in indices.itertuples()
    ]
    bounds = sobol_runs.manifest["design"]["parameters"]
    ranges = "; ".join(
        f"{LABELS.get(p, p)} {v['low']:g} to {v['high']:g}" for p, v in bounds.items()
    )
    out.append(
        captioned(
            f"**Sensitivity** (`claim1_sobol`: Saltelli sample, N = "
            f"{sobol_runs.manifest['design']['samples']}, {len(per_point)} design points x 2 "
            f"scenarios, paired by design point and seed; ranges: {ranges}). Over this box the "
            f"difference has mean {per_point.mean():+.3f} and is negative at "
            f"{share_text(per_point < 0)} points. Sobol indices (SALib, first order and total, "
            f"with 95% bootstrap intervals from {SOBOL_RESAMPLES} resamples and the findings' "
            f"own seed, so `credsim analyze`, with its {ANALYZE_RESAMPLES} and the experiment's "
            "seed, prints "
            "the same indices with slightly other intervals), ranked by total effect:\n\n",
            ["parameter", "S1", "ST"],
            sob_rows,
        )
    )
    return out


def body_claim2(ctx: Context) -> list[str]:
    """Claim 2: the lean to India and the test ban against neutrality."""
    res, runs, point = opened(ctx, "claim2_sino_soviet")
    out = [
        "**Experiment.** `claim2_sino_soviet`: `historical` (sino_soviet.yaml) against "
        "`neutral_1962` (no lean to India in November 1962) and `coexistence_neutral` (neither "
        "the lean nor the Test Ban Treaty of August 1963), over negativity bias x memory x "
        "same-bloc salience x susceptibility "
        f"({design_size(res)}, series). "
        "Metrics: the mean trust in the USSR over 1964-1966 (the mid-1960s) of the PRC, the "
        "non-aligned states and the African states, and the effective number of poles "
        "(1 / sum of squared alignment shares, all states).\n\n"
    ]
    mid = window_mean(res, "1964-01", "1966-12")
    rows = []
    for group in ("china", "nonaligned", "africa"):
        values = wide(mid, res, group, "USSR")
        for other in ("neutral_1962", "coexistence_neutral"):
            d = paired(values, "value", "historical", other, res.varied)
            per_point = point_means(d)
            rows.append(
                [
                    group,
                    other,
                    interval(at(d, point)["diff"]).text(),
                    interval(d["diff"]).text(),
                    value_range(per_point),
                    share_text(per_point < 0),
                ]
            )
    out.append(
        captioned(
            "**Result.** Mean trust in the USSR over 1964-1966, historical minus counterfactual: "
            f"at {describe_point(point)} (the scenario's values), the mean over the whole grid "
            "(bootstrap 95% intervals over paired runs), the range over grid points and the "
            "number of points where the historical USSR is trusted less:\n\n",
            ["group", "against", "at baseline", "grid mean", "grid range", "points where lower"],
            rows,
        )
    )
    poles = res.series(metrics=["effective_poles"], groups=["all"])
    assert poles is not None
    pole_rows = []
    for when in ("1961-12", "1964-12", "1966-12", "1969-12", "1972-12"):
        at_date = wide(series_at(res, when, "effective_poles"), res, "all", "")
        cells = []
        for scenario in ("historical", "neutral_1962", "coexistence_neutral"):
            v = at(at_date[at_date["scenario"] == scenario], point)["value"]
            cells.append(replicates_text(v))
        hist = at_date[at_date["scenario"] == "historical"]
        cells.append(grid_range(hist, "value", ".2f"))
        pole_rows.append([when, *cells])
    post = window_mean(res, "1963-01", "1972-12", "effective_poles")
    post = wide(post, res, "all", "")
    d_poles = paired(post, "value", "historical", "neutral_1962", res.varied)
    end = wide(series_at(res, "1972-12", "effective_poles"), res, "all", "")
    d_end = paired(end, "value", "historical", "neutral_1962", res.varied)
    # How far one scenario's replicates lie apart at the scenario's values: the scale
    # that a paired difference there is read against.
    pole_spread = at(end, point).groupby("scenario")["value"].agg(np.ptp)
    shares = runs.groupby("scenario")["final_share.PRC.all"].mean()
    replicates = res.manifest["replicates"]
    out.append(
        captioned(
            "**Poles.** Effective number of poles among all states at "
            f"{describe_point(point)} (the mean of the {replicates} replicates, their "
            "range in brackets where they differ), and its range over the grid (of the "
            "design points' means) in the historical scenario:\n\n",
            ["date", "historical", "neutral_1962", "coexistence_neutral", "historical, grid range"],
            pole_rows,
        )
    )
    out.append(
        "Mean effective poles over 1963-1972, historical minus neutral_1962 (grid mean): "
        f"{interval(d_poles['diff']).text(2)}; in December 1972 alone: "
        f"{interval(d_end['diff']).text(2)}, higher at {share_text(point_means(d_end) > 0)} "
        "points; at the scenario's values, December 1972, "
        + " and ".join(f"{d:+.2f}" for d in at(d_end, point)["diff"])
        + f" in the {replicates} paired replicates, against differences of "
        f"{value_range(pole_spread, '.2f')} between one scenario's replicates there. "
        "Share of states aligned with the PRC at the "
        "end (mean over the grid): "
        + ", ".join(f"{s} {shares[s]:.3f}" for s in ("historical", "neutral_1962"))
        + ".\n\n"
    )
    trust = res.series(metrics=["trust_mean"], groups=["china", "nonaligned", "africa"])
    assert trust is not None
    out.append(
        ctx.figure(
            figure_claim2(trust, poles, point),
            "claim2_sino_soviet",
            "Trust in the USSR and effective poles, 1956-1972",
        )
    )
    return out


def body_claim3(ctx: Context) -> list[str]:
    """Claim 3: the face-saving statement."""
    res, runs, point = opened(ctx, "claim3_statement")
    out = [
        "**Experiment.** `claim3_statement`: `historical` against `no_statement` "
        "(scenarios/syria_no_statement.yaml: the same history without the December 2024 "
        "statements), over rhetoric weight x negativity bias x global salience "
        f"({design_size(res)}). "
        "The statement's effect is historical minus no_statement of Russia's trust change "
        "over the withdrawal window (Dec 2024 to Jun 2025; both scenarios are identical "
        "before it, so this is the difference in trust in June 2025). The loss it could "
        "restore is the window's change without the statement. Criterion: the statement "
        "restores credibility if it recovers at least half of that loss.\n\n"
    ]
    rows = []
    shares = []
    for group in ("arab_league", "africa", "all"):
        metric = f"trust_change.withdrawal.Russia.{group}"
        d = paired(runs, metric, "historical", "no_statement", res.varied)
        d["share"] = d["diff"] / d["no_statement"].abs()
        d["group"] = group
        shares.append(d)
        base = at(d, point)
        by_point = point_means(d, "share")
        rows.append(
            [
                group.replace("_", " "),
                f"{base['no_statement'].mean():+.3f}",
                interval(base["diff"]).text(4),
                f"{100 * base['share'].mean():.2f}%",
                f"{100 * by_point.max():.2f}%",
                share_text(by_point >= 0.5),
            ]
        )
    final = paired(runs, "final_trust.Russia.arab_league", "historical", "no_statement", [])
    out.append(
        captioned(
            f"**Result** (at {describe_point(point)}, the scenario's values; "
            f"{res.manifest['replicates']} paired replicates):\n\n",
            [
                "group",
                "window change without statement",
                "statement's effect",
                "share restored",
                "largest share on the grid",
                "points restoring half",
            ],
            rows,
        )
    )
    out.append(
        "Two years later (December 2026) the statement's effect on Russia's trust among Arab "
        f"League states is {interval(final['diff']).text(4)} (grid mean).\n\n"
    )
    out.append(
        ctx.figure(
            figure_claim3(pd.concat(shares), ["arab_league", "all"]),
            "claim3_statement",
            "Share of the withdrawal's loss the statement restores",
        )
    )
    return out


def body_claim4(ctx: Context) -> list[str]:
    """Claim 4: the order of recognition."""
    res, runs, point = opened(ctx, "claim4_recognition")
    out = [
        "**Experiment.** `claim4_recognition`: the historical order (Turkey, France, the USA "
        "in December 2024, Russia in January 2025) against `russia_first` "
        "(scenarios/syria_russia_recognizes_first.yaml) and `west_later` "
        "(scenarios/syria_west_recognizes_later.yaml: Turkey in February, France and the USA "
        "in March 2025), over the first-mover decay of recognition (evidence x decay^n after "
        "n earlier recognisers; 1 = order does not matter) x negativity bias x memory "
        f"({design_size(res)}). "
        "Russia's standing with the new administration is the trust of the group `syria` "
        "(the state Syria, reset at Assad's fall) in Russia in December 2026.\n\n"
    ]
    rows = []
    for other in ("russia_first", "west_later"):
        d = paired(runs, "final_trust.Russia.syria", other, "historical", res.varied)
        rows.append(
            [
                f"{other} - historical",
                interval(at(d, point)["diff"]).text(4),
                interval(d["diff"]).text(4),
                value_range(point_means(d), "+.4f"),
            ]
        )
    out.append(
        captioned(
            "**Result.** Russia's trust with the new administration (at "
            f"{describe_point(point)}, the scenario's values; grid mean with bootstrap "
            "intervals; range over points):\n\n",
            ["difference", "at baseline", "grid mean", "grid range"],
            rows,
        )
    )
    base = at(runs, point)
    levels = base.groupby("scenario")[
        [f"final_trust.{p}.syria" for p in ("Russia", "Turkey", "USA", "France")]
    ].mean()
    level_rows = [[s, *(f"{levels.loc[s, c]:.3f}" for c in levels.columns)] for s in levels.index]
    aligned = runs.groupby("scenario")["final_share.Russia.syria"].mean()
    out.append(
        captioned(
            "Trust of the new administration in each power in December 2026 at the baseline:\n\n",
            ["scenario", "Russia", "Turkey", "USA", "France"],
            level_rows,
        )
        + "Share of runs in which Syria ends aligned with Russia: "
        + ", ".join(f"{s} {aligned[s]:.2f}" for s in aligned.index)
        + ".\n\n"
    )
    out.append(
        ctx.figure(
            figure_claim4(runs),
            "claim4_recognition",
            "Russia's trust with the new Syrian administration by order of recognition",
        )
    )
    return out


def body_claim5(ctx: Context) -> list[str]:
    """Claim 5: steadiness of the non-interventionist."""
    res, runs, point = opened(ctx, "claim5_steadiness")
    out = [
        "**Experiment.** `claim5_steadiness`: `historical` against `china_bystander` "
        "(scenarios/syria_china_bystander.yaml: China's standing by when Assad falls in "
        "December 2024 and when Iran is bombed in June 2025 counts against it as harm to a "
        "partner), over negativity bias x memory x susceptibility "
        f"({design_size(res)}). "
        "Metric: the standard deviation over 2014-2026 of each power's monthly mean trust "
        "(`sd_trust`), and the ratio Russia / China.\n\n"
    ]
    rows = []
    for scenario in ("historical", "china_bystander"):
        for group in ("all", "arab_league", "africa"):
            sel = runs[runs["scenario"] == scenario]
            ratio = sel[f"sd_trust.Russia.{group}"] / sel[f"sd_trust.China.{group}"]
            by_point = ratio.groupby(sel["point"]).mean()  # the grid range's point means
            base = at(sel, point)
            rows.append(
                [
                    scenario,
                    group.replace("_", " "),
                    f"{base[f'sd_trust.China.{group}'].mean():.4f}",
                    f"{base[f'sd_trust.Russia.{group}'].mean():.4f}",
                    interval(ratio).text(1).replace("+", ""),
                    value_range(by_point, ".1f"),
                    share_text(by_point > 1),
                ]
            )
    out.append(
        captioned(
            f"**Result** (sd at {describe_point(point)}, the scenario's values; ratio as grid "
            "mean with bootstrap interval over runs, its range, and the points where Russia "
            "swings more):\n\n",
            [
                "scenario",
                "group",
                "sd China",
                "sd Russia",
                "ratio Russia/China",
                "ratio range",
                "points Russia > China",
            ],
            rows,
        )
    )
    out.append(
        ctx.figure(
            figure_claim5(runs, list(POWER_COLOURS), ["all", "arab_league"]),
            "claim5_steadiness",
            "Standard deviation over time of trust by power",
        )
    )
    return out


def section_runs(ctx: Context, names: Sequence[str] = EXPERIMENTS) -> str:
    """The experiments read, one row each (the claims' grids by default; the document
    names every folder it reads: `cross_case_values` and the posterior experiments gave
    numbers to its tables and were named nowhere, an outside check, decision 983)."""
    rows = []
    for name in names:
        res = ctx.results.get(name)
        if res is None:
            rows.append([f"`{name}`", "not run", "", "", ""])
            continue
        m = res.manifest
        design = m["design"]
        rows.append(
            [
                f"`{name}`",
                ", ".join(m["scenarios"]),
                f"{design['method']}, {design['points']} points x {m['replicates']} replicates",
                f"{len(res.ok_runs)} ok / {m['counts']['planned']}",
                f"`results/{name}/{m['experiment_hash'][:SHORT_HASH]}`",
            ]
        )
    return (
        "## The experiments\n\n"
        "Each results folder is named by its experiment's hash (the folder `credsim sweep` "
        "writes by default, whichever folder it was read from).\n\n"
        + table(["experiment", "scenarios", "design", "runs", "results folder"], rows)
        + "\n\n"
    )


@dataclass(frozen=True)
class Claim:
    """A claim's section: its title, the experiments it reads, and its body."""

    key: str
    title: str
    needs: tuple[str, ...]
    body: Callable[[Context], list[str]]

    def render(self, ctx: Context) -> str:
        """The section: title, body and discussion, or what to run when results are missing."""
        head = f"## {self.title}\n\n"
        absent = [n for n in self.needs if n not in ctx.results]
        if absent:
            return head + missing(absent)
        return head + "".join(self.body(ctx)) + DISCUSSION[self.key] + "\n"


CLAIMS = (
    Claim(
        "claim1",
        "Claim 1: intervening and then withdrawing costs more than never intervening",
        ("syria_withdrawal", "claim1_boundary", "claim1_observers", "claim1_sobol"),
        body_claim1,
    ),
    Claim(
        "claim2",
        "Claim 2: the lean to India and the rapprochement with the USA cost the USSR China "
        "and the non-aligned, and made two poles three",
        ("claim2_sino_soviet",),
        body_claim2,
    ),
    Claim(
        "claim3",
        "Claim 3: face-saving statements after a withdrawal do not restore credibility",
        ("claim3_statement",),
        body_claim3,
    ),
    Claim(
        "claim4",
        "Claim 4: Western states that recognise the new Syrian administration first deny "
        "Russia the role of its supporter",
        ("claim4_recognition",),
        body_claim4,
    ),
    Claim(
        "claim5",
        "Claim 5: a consistent non-interventionist (China) keeps a steady standing while the "
        "interventionist's swings",
        ("claim5_steadiness",),
        body_claim5,
    ),
)
