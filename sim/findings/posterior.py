"""Claims under the posterior (validation.md, "Claims under the posterior").

Each claim's posterior experiment (``experiments/claimN_posterior.yaml``,
``design: {method: posterior}``) runs the claim's scenarios at parameter sets
drawn with the weights of the joint calibration's final generation
(``make calibrate``). Every draw is one run per scenario, paired by draw and
seed; the claim's key difference is taken draw by draw. The posterior
probability that a claim holds is the share of draws where it holds; the
90% interval is the 5% and 95% quantiles of the key difference over the
draws (parameter uncertainty and the run's own noise together). A heavy
particle drawn k times is run once and counts k times (decisions.md item 70).

A claim is *constrained by the data* only if the calibration narrowed at
least one parameter that decides it (its 90% interval under
:data:`CONSTRAINED` of the prior's width); otherwise the probability is
the prior's answer, and the section says so. Parameters the calibration
does not fit keep the scenarios' values in every draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibrate.posterior import weighted_quantile
from sim.findings.numbers import LABELS, MEMORY, NB, REPO, paired
from sim.results import Results

# A calibrated parameter constrains a claim when its 90% interval is under this
# share of its prior's width.
CONSTRAINED = 0.6
# The joint calibration's folder as `make calibrate` writes it.
CALIBRATION = REPO / "results" / "calibrate" / "joint"
SUPPORT = "parameters.event_kinds.support.weight"
QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class PosteriorClaim:
    """One claim under the posterior.

    Attributes:
        number: the claim's number in findings.md.
        title: the claim in a few words.
        experiment: the posterior experiment's name (``experiments/<name>.yaml``).
        difference: what the key difference is, in words.
        holds: when the claim holds in a draw, in words.
        key: the key difference per draw and whether the claim holds, from the runs.
        decisive: the parameters that decide the claim on the grids (findings.md).
        built_in: what of the answer follows from the model's construction (empty when
            nothing does), said beside the probability so that a probability of 1 is not
            read as a finding.
    """

    number: int
    title: str
    experiment: str
    difference: str
    holds: str
    key: Callable[[pd.DataFrame], pd.DataFrame]
    decisive: tuple[str, ...]
    built_in: str = ""


def _pairs(metric: str, a: str, b: str, below: bool) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """Scenario ``a`` minus ``b`` of ``metric`` per draw; holds when below (or above) 0."""

    def key(runs: pd.DataFrame) -> pd.DataFrame:
        table = paired(runs, metric, a, b, [])
        holds = (table["diff"] < 0) == below
        return pd.DataFrame({"point": table["point"], "diff": table["diff"], "holds": holds})

    return key


def _statement(runs: pd.DataFrame) -> pd.DataFrame:
    """Claim 3: the statements restore under half of the withdrawal window's loss (the
    grid's criterion, decision 855)."""
    table = paired(runs, "trust_change.withdrawal.Russia.all", "historical", "no_statement", [])
    loss = -table["no_statement"]
    restored = table["diff"] / loss.where(loss > 0)
    holds = restored.fillna(0.0) < 0.5
    return pd.DataFrame({"point": table["point"], "diff": table["diff"], "holds": holds})


def _steadiness(runs: pd.DataFrame) -> pd.DataFrame:
    """Claim 5: China's sd of mean trust over time below Russia's, in the historical runs."""
    own = runs[runs["scenario"] == "historical"].sort_values(["point", "replicate"])
    diff = (own["sd_trust.China.all"] - own["sd_trust.Russia.all"]).to_numpy()
    return pd.DataFrame({"point": own["point"].to_numpy(), "diff": diff, "holds": diff < 0})


CLAIMS: tuple[PosteriorClaim, ...] = (
    PosteriorClaim(
        1,
        "Withdrawing costs more than never intervening",
        "claim1_posterior",
        "Russia's trust among Arab League states, December 2026: historical minus abstained",
        "the difference is negative",
        _pairs("final_trust.Russia.arab_league", "historical", "abstained", below=True),
        (MEMORY, NB, SUPPORT),
    ),
    PosteriorClaim(
        2,
        "The 1962 lean cost the USSR the non-aligned",
        "claim2_posterior",
        "the USSR's trust among non-aligned states, December 1972 (the end of the run: the "
        "posterior experiment records summaries only, not the grid's mid-1960s mean): "
        "historical minus neutral in 1962 (the lean alone: the test ban is in both)",
        "the difference is negative",
        _pairs("final_trust.USSR.nonaligned", "historical", "neutral_1962", below=True),
        (MEMORY, NB),
    ),
    PosteriorClaim(
        3,
        "Face-saving statements do not restore credibility",
        "claim3_posterior",
        "Russia's trust change over the withdrawal window: historical minus no statement",
        "the statements restore under half of the window's loss (the grid's criterion)",
        _statement,
        (NB, "parameters.event_kinds.rhetoric.weight", "parameters.salience.global"),
        "It holds by construction: the statement is cheap talk, weak by assumption and "
        "scaled by the trust left (claim 3), so a probability of 1 restates the premise.",
    ),
    PosteriorClaim(
        4,
        "Recognising first denied Russia the supporter's role",
        "claim4_posterior",
        "Syria's trust in Russia, December 2026: historical minus Russia recognising first",
        "the difference is negative",
        _pairs("final_trust.Russia.syria", "historical", "russia_first", below=True),
        ("parameters.event_kinds.recognize.first_mover_decay", NB, MEMORY),
        "The sign is built in: with a first-mover decay below 1 (held at the scenario's 0.5) "
        "going first can only gain, so a probability of 1 says only that; it does not "
        "support the claim, whose verdict (claim 4) rests on the gain being small against "
        "the new administration's gap between Russia and Turkey.",
    ),
    PosteriorClaim(
        5,
        "The non-interventionist keeps a steadier standing",
        "claim5_posterior",
        "sd over time of mean trust, historical runs: China minus Russia",
        "the difference is negative",
        _steadiness,
        (NB, MEMORY, "parameters.diffusion.susceptibility"),
        "It is largely construction: in these historical runs China's only events are "
        "three small statements (claim 5).",
    ),
)
EXPERIMENTS = tuple(c.experiment for c in CLAIMS)


@dataclass(frozen=True)
class Answer:
    """A claim's answer under the posterior.

    Attributes:
        probability: share of draws where the claim holds.
        q05, median, q95: quantiles of the key difference over the draws.
        draws: number of draws (design points).
        distinct: distinct parameter sets among them (each run once).
        narrowed: decisive parameters the calibration narrowed (under CONSTRAINED).
        wide: decisive parameters calibrated but left about as wide as the prior.
        fixed: decisive parameters not calibrated (the scenarios' values).
    """

    probability: float
    q05: float
    median: float
    q95: float
    draws: int
    distinct: int
    narrowed: tuple[str, ...]
    wide: tuple[str, ...]
    fixed: tuple[str, ...]


def answer(
    claim: PosteriorClaim,
    runs: pd.DataFrame,
    narrowing: Mapping[str, float],
    copies: Mapping[int, int] | None = None,
) -> Answer:
    """The claim's posterior probability, key-difference quantiles, and what constrains it.

    Args:
        claim: the claim.
        runs: the posterior experiment's finished runs.
        narrowing: each calibrated parameter's 90% interval width over its prior width.
        copies: design points per run's point (a heavy particle drawn k times is
            run once and counts k times; decisions.md item 70); 1 when missing.
    """
    table = claim.key(runs).dropna(subset=["diff"])
    weights = table["point"].map(copies or {}).fillna(1).to_numpy(dtype=float)
    q05, median, q95 = weighted_quantile(table["diff"], weights, QUANTILES)
    narrowed = tuple(p for p in claim.decisive if narrowing.get(p, 1.0) < CONSTRAINED)
    wide = tuple(p for p in claim.decisive if p in narrowing and p not in narrowed)
    fixed = tuple(p for p in claim.decisive if p not in narrowing)
    return Answer(
        float(np.sum(weights * table["holds"].to_numpy(dtype=float)) / weights.sum()),
        float(q05),
        float(median),
        float(q95),
        int(weights.sum()),
        len(table),
        narrowed,
        wide,
        fixed,
    )


def design_copies(folder: Path) -> dict[int, int]:
    """``{point: how many design points share its parameter values}`` (``design.parquet``)."""
    design = pd.read_parquet(folder / "design.parquet")
    values = design.drop(columns="point").apply(lambda row: tuple(row), axis=1)
    counts = values.map(values.value_counts())
    return {int(p): int(c) for p, c in zip(design["point"], counts, strict=True)}


def by_draws(frame: pd.DataFrame, folder: Path) -> pd.DataFrame:
    """``frame``'s rows (with a ``point`` column) each repeated as often as its point's
    parameter set was drawn (:func:`design_copies`): a set drawn k times is run once and
    counts k times (decision 70) in a posterior design's figures (decisions 649, 650)."""
    copies = frame["point"].map(design_copies(folder)).fillna(1).astype(int)
    return frame.loc[frame.index.repeat(copies.to_numpy())]


def calibration_narrowing(folder: Path, variant: str = "v2") -> dict[str, float]:
    """``{parameter: narrowing}`` of one variant from a calibration's ``summary.csv``."""
    summary = pd.read_csv(folder / "summary.csv")
    rows = summary[(summary["variant"] == variant) & summary["narrowing"].notna()]
    return {str(p): float(n) for p, n in zip(rows["parameter"], rows["narrowing"], strict=True)}


def _names(paths: tuple[str, ...]) -> str:
    return ", ".join(LABELS.get(p, p.rsplit(".", 1)[-1]) for p in paths)


def _verdict(a: Answer) -> str:
    if not a.narrowed:
        return "not constrained by the votes: the answer is the prior's"
    return f"constrained through {_names(a.narrowed)}"


# Median predictive distances closer than this share are the same fit.
SAME_DISTANCE = 0.01


def read_variants(calibration: Path) -> pd.DataFrame | None:
    """The calibration's ``variants.csv`` (one row per model variant), or None."""
    table = calibration / "variants.csv"
    return pd.read_csv(table) if table.is_file() else None


def favoured_variant(v: pd.DataFrame | None) -> str:
    """Which model variant the votes favour, from the calibration's ``variants.csv``
    (:func:`read_variants`): the one whose posterior predictive runs come closer to the
    votes (fewer patterns failed, then a median distance lower by more than
    ``SAME_DISTANCE``), or neither. pyabc's model probability is reported but not the
    verdict: with the variants equally far from the data it says which the sampler kept
    more of (validation.md)."""
    if v is None or len(v) < 2:
        return ""
    passed = v["calibrate_pass"].astype(str).str.split("/").str[0].astype(int)
    described = "; ".join(
        f"{r.variant}: model probability {r.model_probability:.2f}, calibration patterns "
        f"passed {r.calibrate_pass}, median predictive distance {r.median_distance:.3f}"
        for r in v.itertuples()
    )
    best = v.assign(passed=passed).sort_values(
        ["passed", "median_distance"], ascending=[False, True]
    )
    first, second = best.iloc[0], best.iloc[1]
    closer = first["median_distance"] < (1 - SAME_DISTANCE) * second["median_distance"]
    if first["passed"] > second["passed"] or closer:
        verdict = f"the votes favour {first['variant']}, whose predictions come closer to them"
    else:
        verdict = (
            "the votes favour neither: both pass the same number of patterns at the same "
            "distance, and the model probability only says which the sampler kept more of"
        )
    return (
        f"**Which model variant the data favour.** The joint calibration's variants "
        f'({described}): {verdict} (docs/validation.md, "Which variant the votes '
        'favour"). The claims are drawn from v2, the model with observers who take sides.'
    )


def _span(values: Sequence[float], digits: int = 2) -> str:
    """``0.92 to 0.96`` (the first and last of ``values``), or one number when they print
    alike."""
    texts = list(dict.fromkeys(f"{x:.{digits}f}" for x in values))
    return texts[0] if len(texts) == 1 else f"{texts[0]} to {texts[-1]}"


def effective_draws(
    v: pd.DataFrame | None, variant: str = "v2", distinct: Sequence[int] = ()
) -> str:
    """How many independent parameter sets the claims' probabilities rest on, from the
    calibration's ``variants.csv`` (:func:`read_variants`).

    The draws come from ``variant``'s final generation, whose weights can make
    hundreds of particles worth a few independent ones (Kish's effective sample
    size, ``variants.csv``). A share estimated from ``n`` such sets has a Monte
    Carlo standard error of at most ``1 / (2 sqrt(n))``, and a share of 0 (or 1)
    bounds the true share only below ``3 / n`` (above ``1 - 3 / n``): the rule
    of three, at 95%. Decision 472: four calibrations (two seeds, before and
    after decision 471's event corrections) kept 10 to 52 effective v2
    particles and gave claim 1 probabilities of 0.00 to 0.11, with a
    different set of "narrowed" parameters each time.

    A claim's draws hold fewer parameter sets still (``distinct``, each claim's; 38 to
    72 of 50 and 100 draws): its ``n`` is the smaller of the two. Bounds worked out from
    the effective particles alone (85.5: "under 0.04") were tighter than a claim's 38
    distinct sets allow (0.08; an outside check, decision 983).
    """
    if v is None:
        return ""
    row = v[v["variant"] == variant]
    if row.empty or not np.isfinite(row["effective_particles"].iloc[0]):
        return ""
    particles = int(row["particles"].iloc[0])
    ess = float(row["effective_particles"].iloc[0])
    if ess <= 0:
        return ""
    sets = sorted({min(ess, float(d)) for d in distinct if d > 0}) or [ess]
    counts = sorted(d for d in distinct if d > 0)
    resting = (
        "about that many parameter sets: its Monte Carlo standard error is up to "
        if not counts
        else "no more independent parameter sets than that, nor than its draws hold (the "
        f"table's 'distinct': {_span([counts[0], counts[-1]], 0)}"
        f"){': by claim' if len(sets) > 1 else ''}, its Monte Carlo standard error is up to "
    )
    return (
        f"**How many parameter sets the probabilities rest on.** The draws come from "
        f"{variant}'s final generation: {particles} particles, whose weights make them worth "
        f"{ess:.1f} independent ones (Kish's effective sample size, `variants.csv`). Each "
        f"probability above is estimated from {resting}"
        f"{_span([0.5 / np.sqrt(k) for k in reversed(sets)])}, and a probability of "
        f"0.00 (1.00) says only that the share is under "
        f"{_span([min(1.0, 3 / k) for k in reversed(sets)])} (over "
        f"{_span([max(0.0, 1 - 3 / k) for k in sets])}; the rule of three, 95%). Each "
        "parameter's "
        "narrowing is estimated from the same sets, so which parameters count as narrowed "
        "can change from one calibration seed to another. Read the probabilities to a "
        "tenth, not to the hundredth printed."
    )


def failed_patterns(calibration: Path, variant: str = "v2") -> str:
    """The patterns ``variant``'s posterior predictive runs fail (``checks.csv``), named.

    A failed pattern is a finding: the claims are drawn from a model that does not
    reproduce it, so the section names each one rather than only counting them.
    """
    table = calibration / "checks.csv"
    if not table.is_file():
        return ""
    checks = pd.read_csv(table)
    checks = checks[checks["variant"] == variant]
    if checks.empty:
        return ""
    failed = checks[~checks["pass"].astype(str).str.lower().isin(["true", "1"])]
    parts = []
    for role, label in (("calibrate", "calibration patterns"), ("holdout", "held-out patterns")):
        mine = checks[checks["role"] == role]
        bad = failed[failed["role"] == role]
        if mine.empty:
            continue
        names = ", ".join(
            f"`{r.pattern}` (observed {r.observed:+.3f}, median simulated {r.median:+.3f})"
            for r in bad.itertuples()
        )
        parts.append(f"{label} failed, {len(bad)} of {len(mine)}" + (f": {names}" if names else ""))
    return (
        f"**Patterns the {variant} posterior fails** (its predictive runs against the votes, "
        f"`checks.csv`; docs/validation.md discusses each): " + "; ".join(parts) + ". The "
        "claims above are drawn from this posterior, so they come from a model that misses "
        "these patterns."
    )


def narrowed_elsewhere(calibration: Path, variant: str = "v2") -> str:
    """The parameters the calibration narrowed that decide no claim, with their intervals.

    When the fit narrows only the link from trust to the votes, it has matched the votes
    by muting that link, not by learning the model's dynamics; the section says so.
    """
    summary = pd.read_csv(calibration / "summary.csv")
    rows = summary[(summary["variant"] == variant) & summary["narrowing"].notna()]
    decisive = {p for c in CLAIMS for p in c.decisive}
    rows = rows[(rows["narrowing"] < CONSTRAINED) & ~rows["parameter"].isin(list(decisive))]
    if rows.empty or not {"q05", "q95", "prior_low", "prior_high"} <= set(rows.columns):
        return ""
    named = "; ".join(
        f"`{r.parameter}` (90% interval {r.q05:.3g} to {r.q95:.3g}, prior {r.prior_low:g} "
        f"to {r.prior_high:g})"
        for r in rows.itertuples()
    )
    link = all(str(p).startswith("link.") for p in rows["parameter"])
    why = (
        " It is the scale of the link from trust to the votes, not a parameter of the "
        "model's dynamics: the fit matches the votes mostly by muting that link, so that "
        'every predicted change in the votes is small (docs/validation.md, "Under the joint '
        "calibration's posterior\")."
        if link
        else ""
    )
    return f"The calibration narrowed, among the parameters that decide no claim: {named}.{why}"


def render(results: Mapping[str, Results], calibration: Path) -> str:
    """The section "Claims under the posterior" of findings.md (Markdown).

    Args:
        results: results folders by experiment name (posterior experiments missing
            from it are listed as not run).
        calibration: the joint calibration's results folder (its ``summary.csv``).
    """
    head = (
        "## Claims under the posterior\n\n"
        "Beside the grids: each claim's scenarios run at parameter sets drawn with the "
        "weights of the joint calibration against the UN votes (`make calibrate`, variant "
        'v2; docs/validation.md, "Calibration"). The probability is the share of draws '
        "where the claim holds; the interval is the 5% to 95% range of the key difference "
        "over the draws (inverted CDF; a parameter set drawn k times counts k times, "
        "and 'distinct' says how many different sets the draws hold). A claim is "
        "constrained by the data only where the calibration "
        f"narrowed a parameter that decides it (90% interval under {CONSTRAINED:.0%} of "
        "the prior); parameters it does not fit keep the scenarios' values.\n\n"
    )
    if not (calibration / "summary.csv").is_file():
        return head + f"Not run: no finished calibration in {calibration} (`make calibrate`).\n"
    narrowing = calibration_narrowing(calibration)
    rows = []
    notes = []
    distinct = []
    for claim in CLAIMS:
        res = results.get(claim.experiment)
        if res is None:
            rows.append(f"| {claim.number}. {claim.title} | not run | | | |")
            continue
        a = answer(claim, res.ok_runs, narrowing, design_copies(res.path))
        distinct.append(a.distinct)
        rows.append(
            f"| {claim.number}. {claim.title} | {a.probability:.2f} | "
            f"{a.median:+.3f} [{a.q05:+.3f}, {a.q95:+.3f}] | {a.draws} ({a.distinct}) | "
            f"{_verdict(a)} |"
        )
        parts = [
            f"**Claim {claim.number}.** Key difference: {claim.difference}; the claim holds "
            f"in a draw when {claim.holds}. It holds in {a.probability:.0%} of {a.draws} "
            f"draws; median {a.median:+.3f}, 90% interval [{a.q05:+.3f}, {a.q95:+.3f}]."
        ]
        if a.narrowed:
            parts.append(f"The votes narrowed {_names(a.narrowed)}.")
        if a.wide:
            parts.append(
                f"They leave {_names(a.wide)} about as uncertain as the prior, so the "
                "answer still spans what those parameters allow."
            )
        if a.fixed:
            parts.append(
                f"{_names(a.fixed).capitalize()} the calibration does not fit: held at the "
                "scenarios' values, so the probability is conditional on them."
            )
        if not a.narrowed:
            parts.append("The data cannot constrain this claim: the probability is the prior's.")
        if claim.built_in:
            parts.append(claim.built_in)
        notes.append(" ".join(parts))
    header = (
        "| claim | P(holds) | key difference: median [90% interval] | draws (distinct) | data |\n"
        "|---|---|---|---|---|\n"
    )
    variants = read_variants(calibration)
    effective = effective_draws(variants, distinct=distinct)
    tail = f"\n\n{effective}" if effective else ""
    favoured = favoured_variant(variants)
    tail += f"\n\n{favoured}" if favoured else ""
    elsewhere = narrowed_elsewhere(calibration)
    tail += f"\n\n{elsewhere}" if elsewhere else ""
    failed = failed_patterns(calibration)
    tail += f"\n\n{failed}" if failed else ""
    return head + header + "\n".join(rows) + "\n\n" + "\n\n".join(notes) + tail + "\n"
