"""``credsim explore``: the explorer in the browser (a Solara app on localhost).

``add_parser`` declares the command's arguments and ``cli_explore`` starts
the server; the page itself is :mod:`sim.explore.app`.
"""

from __future__ import annotations

import argparse
import os
import socket
import threading
import webbrowser
from pathlib import Path

from sim.errors import InputError
from sim.fileio import require_writable
from sim.options import ENGINES

DEFAULT_PORT = 8765
# ``--counterfactual none``: no counterfactual, as the page's "(none)". Without the option
# the scenario takes its own (sim.explore.app.own_counterfactual); a file named "none" is
# given as ./none.
NONE = "none"


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Declare ``credsim explore [SCENARIO] [--counterfactual FILE|none] [--out DIR]
    [--port N] [--no-browser] [--engine mesa|fast]``."""
    p = sub.add_parser("explore", help="explore a scenario in the browser: move parameters, watch")
    p.add_argument("scenario", nargs="?", help="scenario file (default: scenarios/syria.yaml)")
    p.add_argument(
        "--counterfactual",
        metavar="FILE|none",
        help="scenario file to compare against (default: the scenario's NAME_abstained.yaml "
        f"beside it, where there is one, as the page takes it; '{NONE}' for none)",
    )
    p.add_argument(
        "--out", metavar="DIR", default="explore", help="folder for saved scenarios and figures"
    )
    p.add_argument(
        "--port", metavar="N", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="mesa",
        help="runs behind the figures: mesa, the reference (default), or fast, the compiled "
        "engine (the same results, a slider answers sooner); the step-through is Mesa's",
    )


def _check_port(port: int) -> None:
    if not 0 < port < 65536:
        raise InputError(f"--port {port}: a port is 1 to 65535")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As uvicorn binds: the closed connections of a server stopped a moment ago
        # (TIME_WAIT) do not make the port busy; a server listening there does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            raise InputError(f"--port {port}: the port is in use; choose another") from None


def compared(counterfactual: str | None, taken: bool) -> str:
    """What the command's start says of the counterfactual: which, and whether it was
    given or taken as the page takes one (the scenario's NAME_abstained.yaml)."""
    if counterfactual is None:
        why = f"--counterfactual {NONE}" if not taken else "the scenario has no NAME_abstained.yaml"
        return f"no counterfactual ({why}; the page's list chooses one)"
    if taken:
        return (
            f"beside the counterfactual {counterfactual}, the scenario's NAME_abstained.yaml "
            f"(--counterfactual FILE for another, --counterfactual {NONE} for none)"
        )
    return f"beside the counterfactual {counterfactual}"


def cli_explore(args: argparse.Namespace) -> int:
    """Check the inputs, start the server, print its address, serve until interrupted.

    Returns:
        0 when the server stops (an InputError is raised for bad input, before
        anything starts).
    """
    # Solara reads its settings when first imported: no usage reports from a local tool.
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    from sim.explore.app import (
        ENV_COUNTERFACTUAL,
        ENV_ENGINE,
        ENV_OUT,
        ENV_SCENARIO,
        NO_COUNTERFACTUAL,
        SHIPPED,
        own_counterfactual,
        same_file,
        shown,
    )
    from sim.scenario.loader import load_scenario

    scenario = args.scenario or shown(SHIPPED / "syria.yaml")
    load_scenario(scenario)
    # As the page takes a scenario chosen there: its NAME_abstained.yaml where none is
    # given (decision 927), which the page reads (and says what is wrong with, if anything).
    taken = args.counterfactual is None
    counterfactual: str | None = own_counterfactual(scenario) if taken else args.counterfactual
    if counterfactual in (NONE, NO_COUNTERFACTUAL):
        counterfactual = None
    if counterfactual is not None and not taken:
        load_scenario(counterfactual)
    if counterfactual is not None and same_file(scenario, counterfactual):
        # The page refuses it when chosen there; given here, the server started and the page
        # opened on a difference of zero (an audit of the commands' options).
        raise InputError(
            f"--counterfactual {args.counterfactual} is the scenario itself: give another "
            f"file to compare with (e.g. its NAME_abstained.yaml), or --counterfactual {NONE}"
        )
    # The page saves scenarios and figures there: a file or a read-only folder is refused
    # now, not when the first save fails.
    require_writable(Path(args.out), "--out")
    _check_port(args.port)
    os.environ[ENV_SCENARIO] = shown(Path(scenario))
    os.environ[ENV_OUT] = args.out
    os.environ[ENV_ENGINE] = args.engine
    if counterfactual is not None:
        os.environ[ENV_COUNTERFACTUAL] = shown(Path(counterfactual))
    else:
        os.environ.pop(ENV_COUNTERFACTUAL, None)
    os.environ["SOLARA_APP"] = "sim.explore.app:Page"

    from sim.explore.assets import fill_cache, proxy_cache

    fetched = fill_cache(proxy_cache())
    if fetched:
        print(f"credsim explore: fetched browser files {', '.join(fetched)}", flush=True)

    import uvicorn

    url = f"http://localhost:{args.port}/"
    config = uvicorn.Config(
        "solara.server.starlette:app", host="localhost", port=args.port, log_level="warning"
    )
    server = uvicorn.Server(config)
    print(
        f"credsim explore: serving {scenario} at {url} (Ctrl+C to stop)\n"
        f"credsim explore: {compared(counterfactual, taken)}",
        flush=True,
    )
    if not args.no_browser:
        threading.Timer(1.0, webbrowser.open, [url]).start()
    server.run()
    return 0
