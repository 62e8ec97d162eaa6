"""The fork server of a sweep's or a calibration's workers, started without the command's
own imports (decisions 875, 885), and how the processes a command starts die with it
(:func:`die_with_parent`).

A sweep's workers come from a fork server that imports the model and the fast
engine's machine code once (:data:`SWEEP_PRELOAD`, about a second; a calibration's
pyabc too, :data:`CALIBRATION_PRELOAD`). This module needs nothing but the standard
library, so ``credsim sweep`` and ``credsim calibrate`` start the server
(:func:`start_for_sweep`, :func:`start_for_calibration`) as soon as their options are
read, and the server's imports run beside the command's own instead of after them. The
report's drawing
processes (decision 874) ask to die with their command from here too, without
importing the sweep.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from multiprocessing import forkserver
from typing import Any

# This process's pid, and the pid of the process that forked it (None when it was not
# forked since this module was imported), kept by a fork hook: a child whose parent dies
# before it asks to die with it must see that its parent is no longer the one it had.
_OWN_PID = os.getpid()
_FORKED_BY: int | None = None


def _note_parent_in_child() -> None:
    global _OWN_PID, _FORKED_BY
    _FORKED_BY, _OWN_PID = _OWN_PID, os.getpid()


os.register_at_fork(after_in_child=_note_parent_in_child)


def forked_by() -> int | None:
    """The pid of the process that forked this one (None when it was not forked since
    this module was imported)."""
    return _FORKED_BY


# prctl option: the signal a process gets when its parent dies (linux/prctl.h).
_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """Have the kernel kill this process when its parent dies (Linux; elsewhere nothing).

    A sweep killed with SIGKILL cannot shut its pool down. Its fork server
    asks this at start (:mod:`sim.sweep.forkserver_preload`), and so does
    each worker, whose parent is the fork server: the kernel then ends both
    with the sweep instead of leaving them idle.

    Args:
        parent: the pid the parent had; this process exits at once if its parent is
            another by now (the parent died before the request took effect). By
            default the pid of the process that forked this one (``os.fork``, as
            multiprocessing's fork and fork server do), so a parent that died
            between the fork and this call is seen (decision 724); for a process
            started otherwise, the parent's pid as this is called.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    if parent is None:
        parent = os.getppid() if _FORKED_BY is None else _FORKED_BY
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


@contextlib.contextmanager
def ctrl_c_left_to_this_process() -> Iterator[None]:
    """Start the fork server with Ctrl-C ignored, so that it and the workers it forks
    ignore it too (an ignored signal stays ignored across exec, and Python keeps it so).

    Ctrl-C reaches the whole foreground process group. The server ignores it only
    once its preload is imported, and restores the handler in each worker it forks,
    so an early Ctrl-C printed the server's traceback and every worker's. Now only
    this process takes it: it says "interrupted" once the workers have finished
    their batches (nothing of them is committed). From a thread
    other than the main one (which cannot set handlers) nothing changes.
    """
    with _ignored(signal.SIGINT, signal.default_int_handler):
        yield


@contextlib.contextmanager
def hang_up_left_to_this_process() -> Iterator[None]:
    """Start the fork server (and with it multiprocessing's resource tracker) with SIGHUP
    ignored, so that they and the workers forked from the server ignore it too.

    A closed terminal sends SIGHUP to its whole foreground process group, as ``timeout -s
    HUP`` does. The resource tracker ignores SIGINT and SIGTERM but not SIGHUP: it died,
    was started again by the sweep's clean-up, and printed a traceback for each of the
    pool's semaphores it was asked to forget ("KeyError: '/mp-...'", five of them after
    the sweep's own closing line: an outside check, decision 831). A worker killed by it
    could also die as it wrote its results (decision 827). Now only this process takes
    it, says so in one line, and the workers end their batch and exit as on Ctrl-C. From a
    thread other than the main one, or without SIGHUP (Windows), nothing changes.
    """
    with _ignored(getattr(signal, "SIGHUP", None), signal.SIG_DFL):
        yield


@contextlib.contextmanager
def _ignored(signum: int | None, default: Any) -> Iterator[None]:
    """``signum`` ignored while the block runs, its handler put back after (``default``
    when it had none set from Python); nothing changes outside the main thread, which
    alone can set handlers, or without the signal (None: not on this platform)."""
    if signum is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signum, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signum, default if previous is None else previous)


# What a sweep's fork server imports before it forks a worker: it dies with the sweep,
# and each worker starts with the model and the fast engine's machine code loaded.
SWEEP_PRELOAD = ("sim.sweep.forkserver_preload", "sim.runner", "sim.fast.preload")
# A calibration's: the sweep's modules (a process has one server, whichever of a sweep and
# a calibration starts it first, decision 714), pyabc and the sampler's module, which
# every worker needs to unpickle its work.
CALIBRATION_PRELOAD = (*SWEEP_PRELOAD, "pyabc", "sim.calibrate.samplers")


def forkserver_context(
    preload: Sequence[str] = SWEEP_PRELOAD, compile_said_here: bool = False
) -> multiprocessing.context.ForkServerContext:
    """The fork server's context, its server started now (if it is not yet running).

    Workers come from a fork server, not from this process: by now it runs Arrow's,
    numba's or Dask's threads, and forking a multi-threaded process can deadlock the
    child. The server imports ``preload`` once, so each worker starts with it loaded.
    A process has one fork server: its preload is that of the first caller.

    With ``compile_said_here``, the server and its workers do not say a compile of their
    own (``sim.compiling.SAID_BY_PARENT``): this process compiles on a cold cache too, and
    says it.

    The server is started from this thread: it dies with the thread that started it
    (die_with_parent), and the workers may be started by a short-lived one. It starts
    with Ctrl-C and SIGHUP ignored (:func:`ctrl_c_left_to_this_process`,
    :func:`hang_up_left_to_this_process`).

    Raises:
        RuntimeError: multiprocessing's own, when this process is itself a worker
            importing its parent's main script (a script without a main guard).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload))
    with (
        ctrl_c_left_to_this_process(),
        hang_up_left_to_this_process(),
        _environment(FORKSERVER_PARENT, str(os.getpid())),
        _environment(SAID_BY_PARENT, "1" if compile_said_here else None),
    ):
        forkserver.ensure_running()
    return context


# The pid of the process that starts a fork server, in the server's environment: the
# server's imports take seconds before it can ask to die with its parent, and one
# killed meanwhile left the server, and a worker it then forked, behind.
FORKSERVER_PARENT = "CREDSIM_FORKSERVER_PARENT"


# Set (to "1") in the environment of a process whose parent says a compile itself
# (sim.compiling.announce): a calibration's fork server compiled the engine on a cold
# cache while the calibration's own preflight did, and both said so, two lines alike
# (decision 982).
SAID_BY_PARENT = "CREDSIM_COMPILE_SAID_BY_PARENT"


@contextlib.contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """``os.environ[name]`` set to ``value`` inside (unset for None), as it was after."""
    before = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


def default_workers() -> int:
    """``os.cpu_count()``, at least 1."""
    return os.cpu_count() or 1


def sweep_executor(executor: str | None, address: str | None, workers: int) -> str:
    """The executor a sweep uses: the one asked for, else Dask with a scheduler's address,
    processes with more than one worker, and this process alone otherwise."""
    return executor or ("dask" if address else "process" if workers > 1 else "serial")


def calibration_executor(executor: str | None, address: str | None) -> str:
    """The executor a calibration uses: the one asked for, else Dask with a scheduler's
    address, and local processes otherwise."""
    return executor or ("dask" if address else "process")


def start_for_sweep(args: argparse.Namespace) -> None:
    """Start the fork server now, for ``credsim sweep`` with ``args``, when its runs go to
    local processes: the server's imports then overlap the command's own (1.0 s here)
    instead of following them. Nothing is started for a serial or Dask sweep; a sweep
    that finds nothing to run, or an input it refuses, leaves a server that dies with
    the command (:mod:`sim.sweep.forkserver_preload`)."""
    workers = args.workers if args.workers is not None else default_workers()
    if workers < 2 or sweep_executor(args.executor, args.address, workers) != "process":
        return
    forkserver_context()


def start_for_calibration(args: argparse.Namespace) -> None:
    """Start the fork server now, for ``credsim calibrate`` with ``args``, when its
    simulations go to local processes (the default, with 2 workers): the server's imports
    (the model, pyabc: about 3 s) then overlap the command's reading of its files, the
    votes and the observed statistics (about 2 s) instead of following them (decision
    885). As :func:`start_for_sweep`, a refused input leaves a server that dies with the
    command."""
    if args.workers < 2 or calibration_executor(args.executor, args.address) != "process":
        return
    # Its preflight compiles a cold cache in this process and says so (decision 982).
    forkserver_context(CALIBRATION_PRELOAD, compile_said_here=True)
