"""Stopping a run cleanly on SIGINT (Ctrl-C), SIGTERM (``kill``, ``scancel``, a SLURM time
limit) and SIGHUP (a closed terminal).

The first signal asks the run to stop at the end of the current time step (or set-up
phase): the run checks :meth:`StopRequests.check` there, collectively, so every rank stops
at the same point even when the signal reached one rank first (``mpiexec`` forwards SIGINT
and SIGTERM to every rank). The run then marks ``run.json`` ``interrupted`` with the last
completed SOC, and the command line prints the ``--resume`` command and exits with
``128 + signal``. A second signal abandons the current step at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import Any

from polycat.errors import RunInterrupted

__all__ = ["STOP_SIGNALS", "StopRequests", "abort_job", "reassert_handlers"]

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


# How long a rank that aborts the job waits after printing its message: MPICH's process
# manager forwards a rank's stderr in the same poll loop that takes the abort, so a message
# written just before MPI_Abort is sometimes dropped (seen in CI: the job ended, the line
# that said why was missing). Half a second lets the forwarder drain the pipe.
ABORT_DRAIN_S = 0.5


def abort_job(comm: Any, message: str, code: int) -> None:
    """End the whole MPI job from one rank, after printing ``message`` once (from this rank)
    and giving the process manager time to forward it."""
    print(message, file=sys.stderr, flush=True)
    time.sleep(ABORT_DRAIN_S)
    comm.Abort(code)


def reassert_handlers() -> None:
    """Set the Python handlers of the stop signals again at the C level.

    ``gmsh.initialize`` resets SIGTERM to the default action behind Python's back (the
    process would die without a word, ``run.json`` left ``running``); every gmsh session
    calls this after initialising. A no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return
    for s in STOP_SIGNALS:
        handler = signal.getsignal(s)
        if callable(handler):
            signal.signal(s, handler)


def _rank() -> int:
    for var in ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK", "SLURM_PROCID"):
        value = os.environ.get(var)
        if value is not None and value.isdigit():
            return int(value)
    return 0


class StopRequests:
    """The stop requests of one run: installs handlers for :data:`STOP_SIGNALS` (main
    thread only) and restores the previous ones on :meth:`restore`.

    Attributes:
        signum: the first signal received (None: none yet).
        count: how many stop signals arrived.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.count = 0
        self._previous: dict[int, Any] = {}

    def install(self) -> StopRequests:
        """Catch the stop signals from now on (again, if something replaced the handlers
        since: the first call's previous handlers are the ones restored); returns self."""
        for s in STOP_SIGNALS:
            previous = signal.signal(s, self._handler)
            self._previous.setdefault(s, previous)
        return self

    def restore(self) -> None:
        """Put the previous handlers back."""
        for s, h in self._previous.items():
            signal.signal(s, h)
        self._previous.clear()

    def _handler(self, signum: int, _frame: FrameType | None) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum
        name = signal.Signals(signum).name
        if self.count == 1:
            if _rank() == 0:
                print(
                    f"\n{name}: stopping after the current step (send it again to stop at once)",
                    file=sys.stderr,
                    flush=True,
                )
            return
        raise RunInterrupted(signum, immediate=True)

    @property
    def requested(self) -> bool:
        """True once a stop signal arrived (on this rank)."""
        return self.signum is not None

    def check(self, comm: Any = None) -> None:
        """Raise :class:`RunInterrupted` on every rank if a stop was requested on any
        (collective on ``comm``: call it at the same point on every rank)."""
        reassert_handlers()  # a library may have reset them at the C level meanwhile
        signum = self.signum or 0
        if comm is not None and comm.size > 1:
            from mpi4py import MPI

            signum = int(comm.allreduce(signum, op=MPI.MAX))
        if signum:
            if self.signum is None:
                self.signum = signum
            raise RunInterrupted(signum)
