"""Synthetic scenarios of any size, drawn from a seed (the ``generate:`` block).

A synthetic scenario file is a few lines: a calendar and a ``generate:``
block (states, powers, regions, blocs, ties per state, events, seed). The
loader calls :func:`expand_generated`, which draws the population, the ties
and the event list from the seed, so the same file always gives the same
scenario. ``credsim synth`` writes such files for scale tests and benchmarks.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from sim.errors import InputError, count_text, number_text
from sim.fileio import atomic_write_text, require_writable_file
from sim.scenario.calendar import Calendar, format_month, parse_month
from sim.scenario.kinds import KINDS, SYNTHETIC_KINDS

# The registry's synthetic kinds: all but automatic support, regime changes
# (which need hand-written trust) and relations (model v2).
EVENT_MIX = SYNTHETIC_KINDS
REQUIRES_TWO_POWERS = {k for k, spec in KINDS.items() if spec.two_powers}


def _names(prefix: str, count: int) -> list[str]:
    width = len(str(count))
    return [f"{prefix}{i + 1:0{width}d}" for i in range(count)]


def expand_generated(tree: dict[str, Any]) -> dict[str, Any]:
    """Fill ``powers``, ``states``, ``network.ties``, ``defaults``, ``events`` and
    ``outputs.groups`` from the tree's ``generate`` block.

    Entries the file gives itself are kept and win over generated ones
    (``parameters``, ``network`` weights, extra ``events``).

    Args:
        tree: a raw scenario mapping with a ``generate`` block and a ``calendar``.

    Returns:
        A new mapping; the ``generate`` block is kept for the record.
    """
    from sim.scenario.schema import Generate

    spec = Generate.model_validate(tree["generate"])
    calendar = Calendar.model_validate(tree["calendar"])
    rng = np.random.default_rng(spec.seed)
    powers = _names("P", spec.powers)
    states = _names("S", spec.states)
    regions = _names("R", spec.regions)
    blocs = _names("B", spec.blocs)

    power_region = rng.integers(0, spec.regions, spec.powers)
    power_tree = {
        name: {
            "capability": round(float(rng.uniform(0.3, 1.0)), 4),
            "ideology": round(float(rng.uniform(-1, 1)), 4),
            "region": regions[power_region[i]],
        }
        for i, name in enumerate(powers)
    }

    n = spec.states
    region_of = rng.integers(0, spec.regions, n)
    ideology = np.round(rng.uniform(-1, 1, n), 4)
    aligned = np.where(rng.random(n) < 0.6, rng.integers(0, spec.powers, n), -1)
    n_memberships = rng.integers(0, 3, n) if spec.blocs else np.zeros(n, dtype=np.int64)
    bloc_of = rng.integers(0, max(spec.blocs, 1), (n, 2))
    state_tree: dict[str, Any] = {}
    # Python lists, not numpy scalars, in the loop over states: a third of the time at a
    # million states (decision 796); the same values.
    rows = zip(
        states,
        region_of.tolist(),
        ideology.tolist(),
        n_memberships.tolist(),
        bloc_of.tolist(),
        aligned.tolist(),
        strict=True,
    )
    for name, region, position, memberships, bloc_pair, power in rows:
        entry: dict[str, Any] = {"region": regions[region], "ideology": position}
        if memberships:
            entry["blocs"] = sorted({blocs[b] for b in bloc_pair[:memberships]})
        if power >= 0:
            entry["aligned"] = powers[power]
        state_tree[name] = entry

    n_ties = round(spec.ties_per_state * n)
    ties: list[list[Any]] = []
    if n > 1 and n_ties:
        a = rng.integers(0, n, n_ties)
        b = (a + rng.integers(1, n, n_ties)) % n  # never a self-tie
        w = np.round(rng.uniform(0.5, 2.0, n_ties), 3)
        ties = [
            [states[i], states[j], x]
            for i, j, x in zip(a.tolist(), b.tolist(), w.tolist(), strict=True)
        ]

    kinds = [k for k in EVENT_MIX if spec.powers > 1 or k not in REQUIRES_TWO_POWERS]
    first = parse_month(calendar.start)
    span = parse_month(calendar.end) - first + 1
    events: list[dict[str, Any]] = []
    for e in range(spec.events):
        kind = kinds[int(rng.integers(0, len(kinds)))]
        actor = int(rng.integers(0, spec.powers))
        event: dict[str, Any] = {
            "id": f"g{e + 1}",
            "date": format_month(first + int(rng.integers(0, span))),
            "kind": kind,
            "actor": powers[actor],
        }
        other = powers[(actor + 1 + int(rng.integers(0, max(spec.powers - 1, 1)))) % spec.powers]
        target = states[int(rng.integers(0, n))]
        magnitude = round(float(rng.uniform(0.5, 3.0)), 3)
        if kind == "capability_change":
            event["delta"] = round(float(rng.uniform(-0.2, 0.2)), 3)
        elif kind == "rapprochement":
            event.update({"with": other, "magnitude": magnitude})
        elif kind == "propaganda":
            event.update({"about": other, "magnitude": round(magnitude / 3, 3)})
        elif kind == "rhetoric":
            event["magnitude"] = magnitude
        else:
            event.update({"target": target, "magnitude": magnitude})
        events.append(event)

    out = dict(tree)
    out["powers"] = {**power_tree, **tree.get("powers", {})}
    out["states"] = {**state_tree, **tree.get("states", {})}
    network = dict(tree.get("network", {}))
    network["ties"] = [*ties, *network.get("ties", [])]
    out["network"] = network
    defaults = dict(tree.get("defaults", {}))
    defaults.setdefault("trust", {p: round(float(rng.uniform(0.4, 0.6)), 4) for p in powers})
    out["defaults"] = defaults
    out["events"] = [*events, *tree.get("events", [])]
    outputs = dict(tree.get("outputs", {}))
    # One group of the first region and one of the first bloc that a state holds
    # (a group of a region no state holds is refused by the scenario's checks).
    held_regions = sorted({e["region"] for e in out["states"].values() if "region" in e})
    held_blocs = sorted({b for e in out["states"].values() for b in e.get("blocs", [])})
    groups: dict[str, Any] = {}
    if held_regions:
        first_region = held_regions[0]
        key = "region_1" if first_region == regions[0] else f"region_{first_region}"
        groups[key] = {"region": first_region}
    if held_blocs:
        first_bloc = held_blocs[0]
        groups["bloc_1" if first_bloc == blocs[0] else f"bloc_{first_bloc}"] = {"bloc": first_bloc}
    outputs["groups"] = {**groups, **outputs.get("groups", {})}
    out["outputs"] = outputs
    return out


def synthetic_tree(
    states: int,
    powers: int,
    steps: int,
    seed: int,
    *,
    regions: int | None = None,
    blocs: int | None = None,
    ties_per_state: float | None = None,
    events: int | None = None,
) -> dict[str, Any]:
    """The (small) scenario mapping that ``credsim synth`` writes."""
    if states < 1 or powers < 1 or steps < 1:
        raise InputError("--states, --powers and --steps must be at least 1")
    start = parse_month("2000-01")
    generate: dict[str, Any] = {"states": states, "powers": powers, "seed": seed}
    generate["regions"] = regions if regions is not None else max(1, min(50, states // 20 or 1))
    generate["blocs"] = blocs if blocs is not None else max(0, min(30, states // 50))
    generate["ties_per_state"] = ties_per_state if ties_per_state is not None else 2.0
    generate["events"] = events if events is not None else max(10, steps // 2)
    return {
        "name": f"synth-{states}x{powers}-s{seed}",
        "description": (
            f"Synthetic population: {count_text(states, 'state')}, {count_text(powers, 'power')}, "
            f"{count_text(steps, 'step')}, seed {seed}."
        ),
        "calendar": {
            "start": format_month(start),
            "end": format_month(start + steps - 1),
            "step": "month",
        },
        "generate": generate,
        "parameters": {"alignment": {"temperature": 0.1}},
    }


# The last month a calendar's YYYY-MM can name: --steps past it writes a file validate refuses.
LAST_MONTH = "9999-12"


def cli_synth(args: argparse.Namespace) -> int:
    """``credsim synth --states N --powers P [--steps T] [--seed S] --out FILE.yaml``."""
    from sim.scenario.schema import Generate

    tree = synthetic_tree(
        args.states,
        args.powers,
        args.steps,
        args.seed,
        regions=args.regions,
        blocs=args.blocs,
        ties_per_state=args.ties_per_state,
        events=args.events,
    )
    try:
        # The scenario's own calendar check, so that validate accepts what synth writes.
        Calendar.model_validate(tree["calendar"])
    except ValidationError:
        last = parse_month(LAST_MONTH) - parse_month(tree["calendar"]["start"]) + 1
        raise InputError(
            f"--steps: must be <= {last:,} (a calendar ends by {LAST_MONTH}), "
            f"got {number_text(args.steps, grouped=True)}"
        ) from None
    try:
        Generate.model_validate(tree["generate"])
    except ValidationError as exc:
        # The option and its bound, not pydantic's "1 validation error for Generate".
        first = exc.errors()[0]
        if not first["loc"]:  # a bound on two options together (the number of ties)
            said = str(first["ctx"]["error"]).replace("ties_per_state", "--ties-per-state")
            raise InputError(said.replace("states x", "--states x", 1)) from None
        option = "--" + str(first["loc"][0]).replace("_", "-")
        bound = {k: v for k, v in (first.get("ctx") or {}).items() if k in ("ge", "le")}
        said = (
            " and ".join(
                f"must be {'>=' if k == 'ge' else '<='} {number_text(v, grouped=True)}"
                for k, v in bound.items()
            )
            if bound
            else first["msg"]
        )
        given = first["input"]
        shown = number_text(given, grouped=True) if type(given) in (int, float) else given
        raise InputError(f"{option}: {said}, got {shown}") from None
    out = Path(args.out)
    if out.suffix not in (".yaml", ".yml"):
        raise InputError(f"--out {out}: a scenario file must end in .yaml or .yml")
    require_writable_file(out, "--out", replace=False)
    atomic_write_text(out, yaml.safe_dump(tree, sort_keys=False))
    print(
        f"wrote {out}: {count_text(args.states, 'state')}, {count_text(args.powers, 'power')}, "
        f"{count_text(args.steps, 'step')}"
    )
    return 0
