"""The local launcher: a pool of worker slots running up to `max_parallel` cases at once.

Single-threaded on purpose: the driver polls its children, so a case's death signal
(PR_SET_PDEATHSIG) is tied to the driver process and SIGTERM/SIGINT are handled in one
place. Everything a rerun needs is on disk after each event (run.json of each case, the
case state files), so killing the driver loses no finished case.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType

from polycat.study.expand import Case, Study
from polycat.study.launch import RunningCase, finish_case, start_case
from polycat.study.state import SlotLock, is_completed, study_lock

log = logging.getLogger("polycat")

POLL_S = 0.2
TERMINATE_GRACE_S = 10.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)

CommandFn = Callable[[Path, Case], Sequence[str]]


def run_local(
    study: Study,
    cases: Sequence[Case],
    max_parallel: int,
    on_change: Callable[[], None] | None = None,
    command: CommandFn | None = None,
) -> tuple[dict[str, str], int | None]:
    """Run `cases` (those not yet completed) up to `max_parallel` at once.

    Returns each started case's final status (completed, failed, interrupted) and the
    signal that stopped the driver (None if it ran to the end). `on_change` is called
    after every case start and end (the study state file is rewritten there). `command`
    replaces the ``polycat run`` command line of a case (tests).
    """
    root = study.dir
    stop: list[int] = []

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.append(signum)

    previous = {s: signal.signal(s, handler) for s in STOP_SIGNALS}
    outcome: dict[str, str] = {}
    running: dict[str, tuple[RunningCase, SlotLock]] = {}
    queue = [c for c in cases if not is_completed(root, c.id)]
    try:
        with study_lock(study):
            while (queue or running) and not stop:
                while queue and len(running) < max_parallel and not stop:
                    case = queue.pop(0)
                    slot = SlotLock(study.jit_dir)
                    try:
                        rc = start_case(
                            root,
                            case.id,
                            study.ranks_per_case,
                            (slot.index, slot.dir),
                            "local",
                            command=None if command is None else command(root, case),
                        )
                    except OSError as exc:
                        slot.release()
                        outcome[case.id] = "failed"
                        log.error("case %s could not start: %s", case.id, exc)
                        continue
                    running[case.id] = (rc, slot)
                    log.info("started case %s (%s) in slot %d", case.id, case.label, slot.index)
                    if on_change is not None:
                        on_change()
                for cid, (rc, slot) in list(running.items()):
                    if rc.proc.poll() is None:
                        continue
                    # a Ctrl-C reaches the cases too: one may end before the loop stops
                    by = signal.Signals(stop[0]).name if stop else None
                    status = finish_case(root, rc, interrupted_by=by)
                    slot.release()
                    del running[cid]
                    outcome[cid] = status
                    log.info("case %s %s (exit %s)", cid, status, rc.proc.returncode)
                    if on_change is not None:
                        on_change()
                time.sleep(POLL_S)
            if stop:
                name = signal.Signals(stop[0]).name
                log.warning("%s: stopping %d running case(s)", name, len(running))
                _terminate([rc.proc for rc, _ in running.values()])
                for cid, (rc, slot) in running.items():
                    outcome[cid] = finish_case(root, rc, interrupted_by=name)
                    slot.release()
                running.clear()
                if on_change is not None:
                    on_change()
    finally:
        for rc, slot in running.values():  # an unexpected error: leave no child behind
            _terminate([rc.proc])
            slot.release()
        for s, h in previous.items():
            signal.signal(s, h)
    return outcome, (stop[0] if stop else None)


def _terminate(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM, a grace period, then SIGKILL for what is still alive."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    deadline = time.monotonic() + TERMINATE_GRACE_S
    for p in procs:
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
