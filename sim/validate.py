"""``credsim validate FILE``: check a scenario or an experiment file; run and write nothing.

It lives outside :mod:`sim.scenario` because it checks experiment files too,
and the scenario package does not depend on the sweep package.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.scenario.loader import load_scenario, parse_overrides, read_document, read_text

_STEP_WORDS: dict[str, str] = {"month": "monthly", "quarter": "quarterly", "year": "yearly"}


def cli_validate(args: argparse.Namespace) -> int:
    """``credsim validate FILE [--set PATH=VALUE ...]``: check a file, write nothing.

    Returns:
        0 when the file is valid (an InputError is raised otherwise).
    """
    shown = str(args.file)
    overrides = list(args.overrides or [])
    tree = read_document(read_text(Path(shown), shown), shown).tree
    if isinstance(tree, dict) and "scenarios" in tree:
        from sim.sweep.experiment import load_experiment

        parsed = {o.path: o.value for o in parse_overrides(overrides)}
        spec = load_experiment(shown, overrides=parsed).spec
        print(f"ok: {shown}: experiment '{spec.name}', {_count(len(spec.scenarios), 'scenario')}")
        return 0
    scenario = load_scenario(shown, overrides)
    print(
        f"ok: {shown}: scenario '{scenario.name}', {_count(len(scenario.powers), 'power')}, "
        f"{_count(len(scenario.states), 'state')}, {_count(len(scenario.events), 'event')}, "
        f"{scenario.calendar.n_steps} {_STEP_WORDS[scenario.calendar.step]} steps"
    )
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
