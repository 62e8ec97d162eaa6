"""The README's Python examples run as pasted, each as a script of its own.

A script file (not ``python -c``) matters: ``mesa.batch_run`` with several
processes re-imports the script in its workers, which hangs without a main
guard; so each example is written to a file and run in a fresh interpreter
from the repository root, with a time limit.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


def test_the_readme_has_python_examples():
    assert len(EXAMPLES) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("code", EXAMPLES, ids=[f"example{i + 1}" for i in range(len(EXAMPLES))])
def test_readme_example_runs_as_pasted(tmp_path, code):
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip()


def _commands_block() -> dict[str, set[str]]:
    """The options each command shows in the README's "Commands" block."""
    block = re.search(r"## Commands\n\n```\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block is not None
    shown: dict[str, set[str]] = {}
    command = ""
    for line in block.group(1).splitlines():
        if line.startswith("credsim "):
            words = line.split()
            if words[1].startswith("--"):
                command = ""  # an option of credsim itself (--version)
            else:
                command = " ".join(words[1:3]) if words[1] == "patterns" else words[1]
        shown.setdefault(command, set()).update(re.findall(r"--[a-z][a-z-]*", line))
    return shown


def _parser_options() -> dict[str, set[str]]:
    """The options each command's parser accepts, and credsim's own under ``""``
    (``--help`` left out)."""
    import argparse

    from sim.cli import build_parser

    def options(parser: argparse.ArgumentParser) -> set[str]:
        return {
            flag
            for action in parser._actions
            for flag in action.option_strings
            if flag.startswith("--") and flag != "--help"
        }

    def commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return dict(sub.choices)

    top = build_parser()
    accepted = {"": options(top)}  # credsim's own options
    for name, parser in commands(top).items():
        if name == "patterns":
            for inner, nested in commands(parser).items():
                accepted[f"patterns {inner}"] = options(nested)
        else:
            accepted[name] = options(parser)
    return accepted


def test_the_readme_commands_block_shows_every_option_the_parser_accepts():
    assert _commands_block() == _parser_options()
