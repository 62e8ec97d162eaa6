"""How long numba spent compiling, for the commands that say so (``run``, ``sweep``).

The kernels of :mod:`sim.fast.core` and :mod:`sim.reductions` are ``njit(cache=True)``:
compiled on their first call in a checkout (or after their code changes), about a
minute for the fast engine, and loaded from numba's cache after. A command that
reports its time says how much of it was that one-off compile (decisions 709, 723).
A timer imports only numba's event machinery, which every process of the model
has loaded already (:mod:`sim.reductions`), so timing costs no import; the module
itself imports none, so that the commands that only read results (whose reports
say their progress with :mod:`sim.sweep.progress`, which takes :func:`compiled_text`
from here) do not load numba (decision 883).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from sim.forkserver import SAID_BY_PARENT

# Said on a terminal as a compile starts, once a process (decision 725): the first run or
# sweep after a fresh clone otherwise showed nothing for about a minute.
ANNOUNCEMENT = (
    "credsim: compiling numba's kernels, once (about a minute for the fast engine; later "
    "runs load them from numba's cache) ..."
)
_announced = False


def announce() -> None:
    """Say :data:`ANNOUNCEMENT` on stderr, once a process, when stderr is a terminal and
    the process's parent does not say it (:data:`sim.forkserver.SAID_BY_PARENT`)."""
    global _announced
    if _announced or os.environ.get(SAID_BY_PARENT) == "1":
        return
    _announced = True
    stream = sys.stderr
    if stream is not None and stream.isatty():
        print(ANNOUNCEMENT, file=stream, flush=True)


@functools.cache
def _listener_class() -> Any:
    """The listener's class, made (with numba's import) the first time a timer is."""
    from numba.core import event

    class _Listener(event.TimingListener):  # type: ignore[misc]
        """numba's timing of its ``numba:compile`` events, announcing the first if asked."""

        def __init__(self, announcing: bool) -> None:
            super().__init__()
            self._announcing = announcing

        def on_start(self, ev: event.Event) -> None:
            if self._announcing:
                announce()
            super().on_start(ev)

    return _Listener


class CompileTimer:
    """The seconds numba spends compiling while the ``with`` block runs.

    Only compiling counts: numba's ``numba:compile`` event fires when a kernel
    is not in its cache (the first fast run in a checkout, or after the code
    changed), not when it is loaded from the cache, so a run whose kernels
    were cached reports 0. Kernels compiled inside others' compiling count once.
    With ``announce``, a compile's start is said on a terminal (:func:`announce`).
    """

    def __init__(self, announce: bool = False) -> None:
        self.seconds = 0.0
        self._listener = _listener_class()(announce)

    def __enter__(self) -> CompileTimer:
        from numba.core import event

        event.register("numba:compile", self._listener)
        return self

    def __exit__(self, *exc: object) -> None:
        from numba.core import event

        event.unregister("numba:compile", self._listener)
        self.seconds = self.so_far

    @property
    def so_far(self) -> float:
        """The seconds of compiling finished so far (inside the block too)."""
        return self._listener.duration if self._listener.done else 0.0

    def during(self) -> tuple[float, float]:
        """``(0, so_far)``: a :class:`sim.sweep.progress.Progress`'s ``compiling``, for runs
        in this process (none of it before the first run could start)."""
        return 0.0, self.so_far


def compiled_text(engine: str, later: str) -> str:
    """What a cold cache compiled, as a closing line says it: the fast engine, or on the
    Mesa engine the recorder's kernels (:mod:`sim.reductions`); ``later``: ``runs``,
    ``sweeps``..."""
    if engine == "fast":
        return f"the engine, once: later {later} load it from numba's cache"
    return f"numba's kernels, once: later {later} load them from its cache"


def cached_with(namespace: Mapping[str, Any], *modules: ModuleType) -> int:
    """Make the cached kernels defined in ``namespace`` (a module's ``globals()``) stale
    when the source of any of ``modules`` changes, not only their own file's.

    numba keys a kernel's cache on its own file's time and size alone, while the machine
    code it saves holds the kernels it calls from other files as they were when it
    compiled. A change to :mod:`sim.reductions` alone (a ``git pull`` that touches only
    it) left the fast engine's step loop running the old ``group_means`` from its cache,
    beside a Mesa engine running the new one: a summary of the tour differed between the
    engines (29.06 against 52.27 summed, decision 965). numba documents this limitation
    and offers no setting for it (numba issues 1833, 9304), so each kernel's source stamp,
    which numba compares with the one saved in its index, gets a hash of ``modules``'
    sources added (``_cache._cache_file._source_stamp``, numba 0.68's; the test
    ``tests/test_numba_cache.py`` fails if numba moves it). A changed hash makes numba
    read the index as not fresh and compile again, as a change of the file itself does.

    Returns:
        How many kernels were stamped (those of ``namespace``'s own module with a cache).
    """
    digest = hashlib.sha256()
    for module in modules:
        digest.update(Path(str(module.__file__)).read_bytes())
    mark = digest.hexdigest()
    name = namespace["__name__"]
    stamped = 0
    for value in namespace.values():
        cache_file = getattr(getattr(value, "_cache", None), "_cache_file", None)
        py_func = getattr(value, "py_func", None)
        if cache_file is None or getattr(py_func, "__module__", None) != name:
            continue  # not a cached kernel, or one imported from another module
        cache_file._source_stamp = (cache_file._source_stamp, mark)
        stamped += 1
    return stamped
