"""Starting one case as a subprocess: the command, its environment (a JIT cache of its
own), its log, and what its exit means. Shared by the local pool and the SLURM tasks."""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from polycat.errors import ConfigError
from polycat.study.state import (
    case_dir,
    config_path,
    is_completed,
    log_tail,
    now,
    open_attempt_log,
    read_state,
    run_json,
    write_state,
)

PR_SET_PDEATHSIG = 1


def mpiexec_path() -> str:
    """The mpiexec next to this Python (the venv's MPICH), else the one on PATH."""
    here = Path(sys.executable).parent / "mpiexec"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    found = shutil.which("mpiexec")
    if found is None:
        raise ConfigError(
            "ranks_per_case > 1 needs mpiexec, found neither next to "
            f"{sys.executable} nor on PATH; install MPICH or set ranks_per_case: 1"
        )
    return found


def case_command(
    root: Path,
    case_id: str,
    ranks: int,
    launch: str = "mpiexec",
    srun_options: Sequence[str] = ("--mpi=pmi2",),
) -> list[str]:
    """``polycat run <config> --out <dir> --overwrite``, under ``mpiexec -n k`` (or
    ``srun -n k``) when the case has more than one rank."""
    run = [
        "-m",
        "polycat",
        "run",
        str(config_path(root, case_id)),
        "--out",
        str(case_dir(root, case_id)),
        "--overwrite",
    ]
    if ranks == 1:
        return [sys.executable, *run]
    # python -m mpi4py: an uncaught exception on one rank aborts the job instead of hanging
    mpi_run = [sys.executable, "-m", "mpi4py", *run]
    if launch == "srun":
        return ["srun", *srun_options, "-n", str(ranks), *mpi_run]
    return [mpiexec_path(), "-n", str(ranks), *mpi_run]


def case_env(jit_slot_dir: Path, case_id: str) -> dict[str, str]:
    """The environment of a case: its slot's JIT cache, unbuffered output.

    DOLFINx 0.11 takes its JIT cache directory (``dolfinx.jit`` option ``cache_dir``) from
    ``$XDG_CACHE_HOME/fenics`` when the module is imported, and FFCx compiles into it; so
    each worker slot gets its own XDG_CACHE_HOME. Matplotlib would follow XDG_CACHE_HOME
    too and rebuild its font cache per slot: MPLCONFIGDIR keeps it where it was.
    """
    env = dict(os.environ)
    if "MPLCONFIGDIR" not in env:
        env["MPLCONFIGDIR"] = _mpl_cache_dir()
    env["XDG_CACHE_HOME"] = str(jit_slot_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env["POLYCAT_STUDY_CASE"] = case_id
    return env


def _mpl_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "matplotlib")


_libc: ctypes.CDLL | None = None


def _die_with_parent_fn() -> Callable[[], None] | None:
    """A preexec function that makes the child receive SIGTERM when its parent dies
    (Linux prctl), so a killed study driver leaves no orphan case running."""
    global _libc
    if not sys.platform.startswith("linux"):
        return None
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
        except OSError:  # pragma: no cover
            return None
    libc = _libc
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(143)

    return preexec


@dataclass
class RunningCase:
    """A case running in a local pool slot: its process, log and start time."""

    case_id: str
    proc: subprocess.Popen[bytes]
    log: IO[str]
    slot: int
    started: float


def start_case(
    root: Path,
    case_id: str,
    ranks: int,
    jit_slot: tuple[int, Path],
    launcher: str,
    launch: str = "mpiexec",
    command: Sequence[str] | None = None,
    srun_options: Sequence[str] = ("--mpi=pmi2",),
) -> RunningCase:
    """Start a case from scratch: count the attempt, clear its results directory, open
    its log, spawn the run."""
    attempts = int(read_state(root, case_id).get("attempts", 0)) + 1
    slot, slot_dir = jit_slot
    host = socket.gethostname()
    write_state(
        root,
        case_id,
        status="running",
        attempts=attempts,
        started=now(),
        finished=None,
        returncode=None,
        error=None,
        slot=slot,
        host=host,
        launcher=launcher,
        pid=None,
    )
    out = case_dir(root, case_id)
    if out.exists():
        shutil.rmtree(out)  # an interrupted or failed attempt: start from scratch
    if command is None:
        command = case_command(root, case_id, ranks, launch, srun_options)
    cmd = list(command)
    log = open_attempt_log(root, case_id, attempts, f"on {host}, slot {slot}: {' '.join(cmd)}")
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=case_env(slot_dir, case_id),
            preexec_fn=_die_with_parent_fn(),  # the driver is single-threaded
        )
    except OSError as exc:
        log.close()
        write_state(root, case_id, status="failed", error=f"cannot start {cmd[0]}: {exc}")
        raise
    write_state(root, case_id, pid=proc.pid)
    return RunningCase(case_id, proc, log, slot, time.monotonic())


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stopped_by_signal(code: int | None, run: dict[str, object]) -> str | None:
    """The signal that stopped a case, or None: the run says ``interrupted`` (it caught
    the signal and stopped cleanly), or the process ended by SIGINT/SIGTERM/SIGHUP (exit
    status -N, or 128 + N from a shell or mpiexec). A Ctrl-C in the terminal reaches the
    cases as well as the study driver, so a case may end before the driver's handler runs."""
    for s in STOP_SIGNALS:
        if code is not None and code in (-int(s), 128 + int(s)):
            return s.name
    if run.get("status") == "interrupted":
        error = str(run.get("error") or "")
        return next((s.name for s in STOP_SIGNALS if s.name in error), "a signal")
    return None


def finish_case(root: Path, rc: RunningCase, interrupted_by: str | None = None) -> str:
    """Record how a case ended; returns its status (completed, failed or interrupted)."""
    code = rc.proc.returncode
    rc.log.write(f"\n#### exit status {code} after {time.monotonic() - rc.started:.1f} s\n")
    rc.log.close()
    wall = round(time.monotonic() - rc.started, 3)
    if is_completed(root, rc.case_id):  # run.json is written last: the run finished
        write_state(
            root, rc.case_id, status="completed", finished=now(), returncode=code, wall_s=wall
        )
        return "completed"
    if interrupted_by is None:
        interrupted_by = _stopped_by_signal(code, run_json(root, rc.case_id))
    if interrupted_by is not None:
        write_state(
            root,
            rc.case_id,
            status="interrupted",
            finished=now(),
            returncode=code,
            wall_s=wall,
            error=f"stopped by {interrupted_by}",
        )
        return "interrupted"
    error = str(run_json(root, rc.case_id).get("error") or "") or log_tail(root, rc.case_id)
    if not error:
        error = f"exit status {code}"
    write_state(
        root, rc.case_id, status="failed", finished=now(), returncode=code, wall_s=wall, error=error
    )
    return "failed"
