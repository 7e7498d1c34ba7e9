"""One SLURM array task: run the case on line ``--index`` of ``--cases``.

    python -m polycat.study.task STUDY_DIR --cases LIST --index I --ranks K
        [--launch mpiexec|srun] [--jit-dir DIR]

Skips a case that is already completed, restarts an interrupted one from scratch, takes
a free JIT-cache slot under --jit-dir (flock), runs the case and records its state. On
SIGTERM (scancel, time limit) the case is stopped and recorded as interrupted.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from polycat.study.launch import RunningCase, finish_case, start_case
from polycat.study.state import SlotLock, is_completed, write_state


def main(argv: Sequence[str] | None = None) -> int:
    """One SLURM array task: run the case it is given; returns the exit status."""
    p = argparse.ArgumentParser(prog="python -m polycat.study.task")
    p.add_argument("study_dir")
    p.add_argument("--cases", required=True, help="case list file, one id per line")
    p.add_argument("--index", required=True, type=int, help="0-based line of the case")
    p.add_argument("--ranks", type=int, default=1)
    p.add_argument("--launch", choices=("mpiexec", "srun"), default="mpiexec")
    p.add_argument("--jit-dir", default=None)
    p.add_argument("--srun-option", action="append", default=None, help="srun option (repeatable)")
    args = p.parse_args(argv)
    root = Path(args.study_dir)
    ids = [ln.strip() for ln in Path(args.cases).read_text().splitlines() if ln.strip()]
    if not 0 <= args.index < len(ids):
        print(f"error: index {args.index} outside {args.cases} ({len(ids)} cases)", file=sys.stderr)
        return 2
    case_id = ids[args.index]
    if is_completed(root, case_id):
        print(f"case {case_id} is already completed; nothing to do")
        return 0
    stop: list[int] = []
    running: RunningCase | None = None

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.append(signum)
        if running is not None and running.proc.poll() is None:
            running.proc.terminate()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    slot = SlotLock(Path(args.jit_dir) if args.jit_dir else root / "jit")
    try:
        running = start_case(
            root,
            case_id,
            args.ranks,
            (slot.index, slot.dir),
            "slurm",
            args.launch,
            srun_options=args.srun_option if args.srun_option is not None else (),
        )
        job = os.environ.get("SLURM_ARRAY_JOB_ID") or os.environ.get("SLURM_JOB_ID")
        write_state(root, case_id, slurm_job=f"{job}_{args.index}" if job else None)
        running.proc.wait()
        name = signal.Signals(stop[0]).name if stop else None
        status = finish_case(root, running, interrupted_by=name)
    finally:
        slot.release()
        for s, h in previous.items():
            signal.signal(s, h)
    print(f"case {case_id}: {status}")
    return 0 if status == "completed" else 1


if __name__ == "__main__":
    sys.exit(main())
