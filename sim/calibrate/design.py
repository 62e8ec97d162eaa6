"""Posterior designs: ``design: {method: posterior, calibration: DIR, samples: N}``.

N parameter sets drawn with the weights of a finished calibration's final
generation (validation.md, "Claims under the posterior"), seeded by the
experiment seed. Only scenario paths are drawn: ``link.*`` parameters belong
to the pattern link, not to scenarios. A variant's fixed values are part of
every draw (a v1 draw sets ``affinity.scale`` to 0).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.calibrate import posterior
from sim.calibrate.spec import LINK_PREFIX
from sim.errors import InputError
from sim.integrity import digest
from sim.results import inside_text
from sim.scenario.schema import allowed, suggest

Fail = Callable[..., InputError]


# The (calibration folder, variant) pairs whose few effective particles were said.
said_notes: set[tuple[str, str]] = set()


def posterior_points(
    design: Any, base: Path, seed: int, fail: Fail
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """The design points of a posterior design, and the calibration they are drawn from.

    Args:
        design: the experiment's ``design`` (method, calibration, samples, variant).
        base: the experiment file's folder (a relative ``calibration`` is relative to it).
        seed: the experiment seed (the draw's seed).
        fail: makes a located error from a message and a field path.

    Returns:
        The points, and the calibration as a sweep's manifest records it: ``folder`` (as
        the design gives it), ``identity`` (its manifest's), ``variant`` (the one drawn)
        and ``posterior_sha256`` (of its posterior.parquet), which name the calibration
        after its folder is replaced (decision 1007).

    Raises:
        InputError: no ``calibration`` or ``samples``, design parameters given, a
            folder that holds no finished calibration, an unknown variant, or one
            without particles in the final generation (it died out).
    """
    if design.parameters:
        # At the block itself, saying what to do (an audit got the line of `design:`).
        raise fail(
            "a posterior design takes its parameters from the calibration; remove this "
            "block (a variant's fixed values come with the calibration too)",
            "design",
            "parameters",
        )
    if design.calibration is None:
        raise fail("a posterior design needs 'calibration: RESULTS_DIR'", "design", "method")
    if design.samples is None:
        raise fail("a posterior design needs 'samples'", "design", "method")
    if design.samples < 1:
        raise fail(
            f"a posterior design needs at least 1 sample, got {design.samples}",
            "design",
            "samples",
        )
    folder = base / design.calibration
    try:
        manifest, particles = posterior.read_finished(folder)
    except InputError as exc:
        from sim.scenario.loader import beside

        looked = beside(str(base), str(design.calibration))  # without a '..' that can go
        # "'X' (looked in X) results folder is damaged: ..." read as garbled (an audit,
        # decision 649): the folder, where it was looked for if that differs, then why.
        where = f" (looked in {looked})" if looked != str(design.calibration) else ""
        raise fail(
            f"calibration '{design.calibration}'{where}: {exc.message}; give the folder of a "
            # A folder of the default layout (calibrate/<name>/<hash>): name what is inside.
            f"finished 'credsim calibrate'{inside_text(folder, 'calibrations', 'calibration', 2)}",
            "design",
            "calibration",
        ) from None
    if manifest.get("truth"):
        # Its posterior is a recovery check's, not the votes': claims drawn from it went
        # without a word (an audit, decision 651).
        import sys

        values = ", ".join(f"{p}={v:g}" for p, v in manifest["truth"].items())
        print(
            f"credsim: note: calibration '{design.calibration}' was fitted to statistics "
            f"simulated at --truth {values} (a recovery check), not to the votes",
            file=sys.stderr,
        )
    variants: dict[str, dict[str, float]] = manifest["variants"]
    names = list(variants)
    variant = design.variant or (names[0] if len(names) == 1 else None)
    if variant not in variants:
        given = design.variant or ""
        what = f"unknown variant '{given}'" if given else "the calibration has several variants"
        raise fail(
            f"{what}; name one with 'variant:', one of {allowed(names)}{suggest(given, names)}",
            "design",
            "variant",
        )
    last = posterior.last_generation_before_final(particles, variant)
    if last is not None:
        final = int(particles["generation"].max())
        raise fail(
            f"variant '{variant}' has no particles in the calibration's final generation "
            f"({final}; its last were in generation {last}): the data leave it no posterior "
            "weight, and a posterior design draws from the final generation; calibrate that "
            "variant on its own to draw from its posterior",
            "design",
            "variant" if design.variant else "calibration",
        )
    mine = posterior.final_particles(particles, variant)
    ess = posterior.effective_particles(mine["weight"])
    said = (str(folder.resolve()), variant)
    if 0 < ess < posterior.FEW_EFFECTIVE and said not in said_notes:
        # The calibration said so at its end; a posterior sweep's claim drawn from it went
        # without a word (an outside check, decision 826). Once a command: the sweep's
        # report reads the experiment again, and said it twice (decision 919).
        import sys

        said_notes.add(said)

        print(
            f"credsim: note: variant '{variant}' of calibration '{design.calibration}' ends "
            f"with {ess:.1f} effective particles (of {len(mine)}): its draws repeat a "
            "handful of parameter sets, and a claim under them is that handful's; a "
            "calibration with more particles or generations gives more",
            file=sys.stderr,
        )
    paths = [p for p in manifest["resolved"]["parameters"] if not p.startswith(LINK_PREFIX)]
    fixed = {p: float(v) for p, v in variants[variant].items() if not p.startswith(LINK_PREFIX)}
    points = posterior.draw_points(particles, variant, paths, design.samples, seed)
    drawn_from = {
        "folder": str(design.calibration),
        "identity": manifest.get("identity"),
        "variant": variant,
        "posterior_sha256": digest(folder / "posterior.parquet")[0],
    }
    return [{**fixed, **point} for point in points], drawn_from
