"""Stances no event reads are noted (model.md section 8.2): ``stance[o, c]`` is read only
where ``c`` is the target, or the ``with``, of an event that yields evidence. An outside
check's France-in-Mali file set relations towards France, which no event targets, and a
sweep over them gave the same outputs without a word, the three stance mechanisms on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main
from sim.runner import run_scenario
from sim.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
TOUR = REPO / "scenarios" / "tour.yaml"

# The three stance mechanisms on (inert_stances_note says nothing), affinity in alignment.
ON = (
    "parameters:\n  affinity: {scale: 1.0}\n  stance: {enemy_reliability: 0.0}\n"
    "  salience: {target: 1.0, same_region: 0.6, same_bloc: 0.4, aligned_with_actor: 0.5, "
    "global: 0.1, stance: 0.5}\n"
)
TAIL = "  diffusion: {susceptibility: 0.3}\n"
WHY = (
    "are read by no event: model.md section 8.2 reads stance[o, c] only where c is the "
    "target, or the `with`, of an event that yields evidence"
)


def _tour(tmp_path: Path, name: str, relations: list[str], events: str = "") -> Path:
    """tour.yaml (whose every event that yields evidence targets Client) with the stance
    mechanisms on, ``relations`` and ``events`` added."""
    text = TOUR.read_text()
    old = (
        "parameters:\n  trust: {negativity_bias: 2.0, memory: 0.98, prior_strength: 10}\n"
        "  salience: {target: 1.0, same_region: 0.6, same_bloc: 0.4, aligned_with_actor: 0.5, "
        "global: 0.1}\n"
    )
    assert old in text
    written = "".join(f"  - {rel}\n" for rel in relations)
    new = (f"relations:\n{written}" if relations else "") + ON
    text = text.replace(old, new, 1).replace("events:\n", f"events:\n{events}", 1)
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return path


def _said(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["validate", str(path)]) == 0
    err = capsys.readouterr().err
    assert "read by no mechanism" not in err  # the other note: the mechanisms are on
    return [line for line in err.splitlines() if "read by no event" in line]


def _summary(path: Path) -> str:
    return json.dumps(run_scenario(load_scenario(str(path)), seed=0).summary, sort_keys=True)


RIVAL_EVENT = (
    '  - {id: rival_oasia, date: "2022-01", kind: relation, actor: Oasia, target: Rival, '
    "value: 0.8, directed: true, source: a note}\n"
)


def test_a_stance_towards_an_actor_no_event_names_is_noted_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Patron acts and Rival recognises, but only Client is ever a target: stances towards
    Patron, Rival and Oasia are never read. The runs with and without them are the same,
    which the note says; run says it too, as validate does."""
    with_them = _tour(
        tmp_path,
        "with",
        ["{from: Oasia, to: Patron, value: -0.9, source: a note}"],
        RIVAL_EVENT,
    )
    without = _tour(tmp_path, "without", [])
    assert _said(with_them, capsys) == [
        f"credsim: note: {with_them}: its stances towards Patron, Rival and Oasia "
        f"(1 relation: Oasia-Patron; 1 relation event: 'rival_oasia') {WHY}, and no such "
        "event names them; the runs are the same without them"
    ]
    assert _said(without, capsys) == []
    assert _summary(with_them) == _summary(without)
    out = tmp_path / "run"
    assert (
        main(["run", str(with_them), "--record", "summary", "--no-plots", "--out", str(out)]) == 0
    )
    assert "its stances towards Patron, Rival and Oasia" in capsys.readouterr().err


def test_a_stance_towards_an_events_target_is_not_noted_and_changes_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Oasia-Client sets stance[Oasia, Client], read by every event (all target Client):
    not noted, and the run differs without it; beside it, one towards Rival alone is."""
    read = "{from: Oasia, to: Client, value: -0.9, source: a note}"
    both = _tour(
        tmp_path, "both", [read, "{from: Highveld, to: Rival, value: 0.5, source: a note}"]
    )
    assert _said(both, capsys) == [
        f"credsim: note: {both}: its stances towards Rival and Highveld (1 relation: "
        f"Highveld-Rival) {WHY}, and no such event names them; the runs are the same "
        "without them"
    ]
    alone = _tour(tmp_path, "alone", [read])
    assert _said(alone, capsys) == []
    # A directed relation from Client: stance[Client, Oasia] only, read by no event.
    directed = _tour(
        tmp_path, "directed", ["{from: Client, to: Oasia, value: -0.9, directed: true, source: a}"]
    )
    assert len(_said(directed, capsys)) == 1
    assert _summary(alone) != _summary(_tour(tmp_path, "none", []))


def test_the_with_of_a_side_with_adversary_counts_as_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """stance[o, Rival] is read where Rival is the `with` of a side_with_adversary: the
    relation Highveld-Rival is noted without the event, not with it, and then changes
    the run; the relations of a regime change of a never-named target are noted."""
    relation = ["{from: Highveld, to: Rival, value: -0.9, source: a note}"]
    side = (
        '  - {id: sides, date: "2022-03", kind: side_with_adversary, actor: Patron, '
        "target: Client, with: Rival, magnitude: 1.0, source: a note}\n"
    )
    assert len(_said(_tour(tmp_path, "plain", relation), capsys)) == 1
    sided = _tour(tmp_path, "sided", relation, side)
    assert _said(sided, capsys) == []
    assert _summary(sided) != _summary(_tour(tmp_path, "sided_none", [], side))
    change = (
        '  - {id: coup, date: "2022-05", kind: regime_change, target: Highveld, '
        "relations: {Archipela: 0.5, Client: -0.5}, source: a note}\n"
    )
    (line,) = _said(_tour(tmp_path, "coup", [], change), capsys)
    assert "its stances towards Highveld and Archipela (the relations of 1 regime change: " in line
    assert "'coup' (Archipela))" in line
