"""numba's cache of a kernel goes stale when a kernel it calls from another file changes
(decision 965).

numba checks a cached kernel against its own file only, while the machine code it saves
holds the kernels it calls from other files as compiled then: a change to
``sim/reductions.py`` alone left the fast engine's step loop running the old
``group_means``. :func:`sim.compiling.cached_with` adds the other files' hash to each
kernel's stamp.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import sim.fast.core
import sim.reductions
from sim.compiling import cached_with

DEP = """
from numba import njit


@njit(cache=True)
def value():
    return {value}
"""

CALLER = """
from numba import njit

import dep
from dep import value
{stamp}

@njit(cache=True)
def twice():
    return 2 * value()

{call}
"""


def _write_package(where: Path, value: int, *, stamped: bool) -> None:
    (where / "dep.py").write_text(DEP.format(value=value))
    stamp = "from sim.compiling import cached_with" if stamped else ""
    call = "cached_with(globals(), dep)" if stamped else ""
    (where / "caller.py").write_text(CALLER.format(stamp=stamp, call=call))


def _edit(path: Path, text: str) -> None:
    """Rewrite ``path`` as a later save would: its mtime moves on by at least 2 s.

    Python checks a ``.pyc`` against its source's mtime in whole seconds (and size, here
    the same), and a run of ``_twice`` can take less than a second: without the move,
    ``import dep`` could run the old bytecode and the test would check nothing of numba.
    """
    before = path.stat().st_mtime_ns
    path.write_text(text)
    later = max(path.stat().st_mtime_ns, before + 2_000_000_000)
    os.utime(path, ns=(later, later))


def _twice(where: Path) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(where), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", "import caller; print(caller.twice())"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_kernel_called_from_another_file_is_compiled_again_when_that_file_changes(
    tmp_path: Path,
) -> None:
    _write_package(tmp_path, 1, stamped=True)
    assert _twice(tmp_path) == "2"
    assert list((tmp_path / "__pycache__").glob("caller.twice-*.nbi")), "no cache was written"
    # Only the other file changes; the caller's file is left byte for byte as it was.
    _edit(tmp_path / "dep.py", DEP.format(value=5))
    assert _twice(tmp_path) == "10"


def test_without_the_stamp_numba_keeps_the_old_callee(tmp_path: Path) -> None:
    """What the stamp is for: numba's own check alone keeps the stale machine code (if a
    numba release mends this, the test says so and the stamp can go)."""
    _write_package(tmp_path, 1, stamped=False)
    assert _twice(tmp_path) == "2"
    _edit(tmp_path / "dep.py", DEP.format(value=5))
    assert _twice(tmp_path) == "2"


def test_every_cached_kernel_of_the_fast_engine_is_stamped_with_the_reductions_source() -> None:
    mark = hashlib.sha256(Path(str(sim.reductions.__file__)).read_bytes()).hexdigest()
    kernels = [
        v
        for v in vars(sim.fast.core).values()
        if getattr(v, "_cache", None) is not None and hasattr(v, "py_func")
    ]
    own = [k for k in kernels if k.py_func.__module__ == "sim.fast.core"]
    assert len(own) >= 30  # the step loop and its parts
    for kernel in own:
        stamp = kernel._cache._cache_file._source_stamp
        assert isinstance(stamp, tuple) and stamp[1] == mark, kernel.py_func.__name__


def test_the_kernels_call_no_other_files_kernels_than_the_stamped_ones() -> None:
    """A kernel of another module called from the engine must be among those
    :func:`cached_with` hashes (sim.reductions), and sim.reductions calls none."""
    for module, allowed in ((sim.fast.core, {"sim.fast.core", "sim.reductions"}),
                            (sim.reductions, {"sim.reductions"})):  # fmt: skip
        for name, v in vars(module).items():
            if hasattr(v, "py_func") and hasattr(v, "_cache"):
                assert v.py_func.__module__ in allowed, (module.__name__, name)


def test_the_stamp_leaves_other_modules_kernels_alone() -> None:
    namespace = {"__name__": "nowhere", "group_means": sim.reductions.group_means}
    before = sim.reductions.group_means._cache._cache_file._source_stamp
    assert cached_with(namespace, sim.reductions) == 0
    assert sim.reductions.group_means._cache._cache_file._source_stamp == before
