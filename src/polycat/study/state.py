"""The study directory on disk and the state of each case.

    <study dir>/
      cases.csv              case id, varied values, seed (written before anything runs)
      configs/<id>.yaml      the resolved run config of each case (what `polycat run` gets)
      cases/<id>/            each case's results directory (summary.csv, run.json, ...)
      logs/<id>.log          each case's stdout and stderr; one header line per attempt
      state/<id>.json        each case's attempts, status, error (written atomically)
      study.json             the study: varied paths, launcher, SLURM jobs, case statuses
      jit/slot-<k>/          FFCx/DOLFINx JIT cache of worker slot k (XDG_CACHE_HOME)
      slurm/                 job-array script and case lists (launcher slurm)
      study.csv, study_summary.csv, plots/   the aggregated results

A case is *completed* when its run.json says so (the run writes it last, atomically), so a
killed study driver never loses a finished case and never reruns one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from polycat.config import ConfigError, dump_config
from polycat.fileio import write_csv_atomic, write_json_atomic, write_text_atomic
from polycat.study.expand import Case, Study, format_value

STATUSES = ("pending", "running", "completed", "failed", "interrupted")
ATTEMPT_MARK = "#### polycat study: attempt"


def now() -> str:
    """The current time, ISO 8601 with seconds."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def case_dir(root: Path, case_id: str) -> Path:
    """The results directory of a case."""
    return root / "cases" / case_id


def config_path(root: Path, case_id: str) -> Path:
    """The resolved config of a case."""
    return root / "configs" / f"{case_id}.yaml"


def log_path(root: Path, case_id: str) -> Path:
    """The log of a case."""
    return root / "logs" / f"{case_id}.log"


def state_path(root: Path, case_id: str) -> Path:
    """The driver's state file of a case."""
    return root / "state" / f"{case_id}.json"


def read_json(path: Path) -> dict[str, Any]:
    """A JSON mapping, empty when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_state(root: Path, case_id: str) -> dict[str, Any]:
    """The driver's state of a case (attempts, status)."""
    return read_json(state_path(root, case_id))


def write_state(root: Path, case_id: str, **changes: Any) -> dict[str, Any]:
    """Merge `changes` into the case's state file (atomic replace)."""
    state = read_state(root, case_id)
    state.update(changes)
    state["case_id"] = case_id
    write_json_atomic(state_path(root, case_id), state)
    return state


def write_case_files(study: Study) -> None:
    """cases.csv and configs/<id>.yaml (rewritten on every invocation: paths are absolute)."""
    study.dir.mkdir(parents=True, exist_ok=True)
    for case in study.cases:
        write_text_atomic(config_path(study.dir, case.id), dump_config(case.config))
    write_csv_atomic(study.dir / "cases.csv", case_rows(study), case_columns(study))


def case_columns(study: Study) -> list[str]:
    """The columns of the cases table."""
    return ["case_id", *study.varied, "seed"]


def case_rows(study: Study) -> list[dict[str, Any]]:
    """One row per case: id, varied values, seed."""
    return [
        {
            "case_id": c.id,
            **{p: format_value(v) for p, v in c.values.items()},
            "seed": "" if c.seed is None else c.seed,
        }
        for c in study.cases
    ]


def run_json(root: Path, case_id: str) -> dict[str, Any]:
    """The run.json of a case (empty when missing)."""
    return read_json(case_dir(root, case_id) / "run.json")


FINISHED_RUN_STATUSES = ("completed", "contact_lost", "surface_limit", "step_time_limit")
"""run.json statuses of a run that ended as its physics says: ``contact_lost`` (the particle
lost the contact the current needs before the last report SOC) and ``surface_limit`` (its
Li fraction reached the lattice table's end or the cut-off voltage) are outcomes, with the
SOCs reached in summary.csv, not failures to retry."""


def _finished(root: Path, case_id: str, run: dict[str, Any]) -> bool:
    """``run`` (the case's run.json) says finished and summary.csv exists."""
    status = run.get("status")
    return status in FINISHED_RUN_STATUSES and (case_dir(root, case_id) / "summary.csv").is_file()


def is_completed(root: Path, case_id: str) -> bool:
    """True if the case's run finished (run.json: completed, or contact_lost) and
    summary.csv exists."""
    return _finished(root, case_id, run_json(root, case_id))


def attempts_in_log(root: Path, case_id: str) -> int:
    """How many times the case was started (header lines in its log)."""
    path = log_path(root, case_id)
    if not path.is_file():
        return 0
    with path.open(encoding="utf-8", errors="replace") as fh:
        return sum(1 for line in fh if line.startswith(ATTEMPT_MARK))


def log_tail(root: Path, case_id: str, n: int = 6, limit: int = 600) -> str:
    """The last `n` non-empty lines of the case's last attempt, as one line."""
    path = log_path(root, case_id)
    if not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8", errors="replace")
    last = text.rsplit(ATTEMPT_MARK, 1)[-1].splitlines()[1:]
    lines = [ln.strip() for ln in last if ln.strip() and "\r" not in ln and "step/s" not in ln]
    tail = " | ".join(lines[-n:])
    return tail[-limit:]


def open_attempt_log(root: Path, case_id: str, attempt: int, where: str) -> IO[str]:
    """Open the case log for appending and write the attempt header (flushed)."""
    path = log_path(root, case_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = path.open("a", encoding="utf-8")
    fh.write(f"{ATTEMPT_MARK} {attempt} of case {case_id} started {now()} {where}\n")
    fh.flush()
    os.fsync(fh.fileno())
    return fh


@dataclass
class CaseStatus:
    """The status of one case, read from its files."""

    case: Case
    status: str  # one of STATUSES
    attempts: int
    error: str


def local_status(root: Path, case: Case, driver_alive: bool) -> CaseStatus:
    """Status of a locally run case from run.json, its state file and whether a local
    study driver is running now (a "running" state without a driver was interrupted)."""
    state = read_state(root, case.id)
    attempts = int(state.get("attempts", 0))
    rj = run_json(root, case.id)
    if _finished(root, case.id, rj):  # a contact loss says so in the error column
        note = (
            str(rj.get("error") or "")
            if rj.get("status") in ("contact_lost", "surface_limit")
            else ""
        )
        return CaseStatus(case, "completed", attempts, note)
    st = state.get("status")
    if st == "running" and driver_alive:
        return CaseStatus(case, "running", attempts, "")
    if st == "interrupted":
        return CaseStatus(case, "interrupted", attempts, str(state.get("error") or ""))
    if rj.get("status") == "failed" or st == "failed":
        err = str(rj.get("error") or state.get("error") or log_tail(root, case.id))
        return CaseStatus(case, "failed", attempts, err)
    if st == "running" or rj.get("status") == "running":
        return CaseStatus(case, "interrupted", attempts, "the study driver stopped during the run")
    return CaseStatus(case, "pending", attempts, "")


# --------------------------------------------------------------------------- locking


@contextlib.contextmanager
def study_lock(study: Study) -> Iterator[None]:
    """Hold the study's lock while a local driver runs; a second driver is refused."""
    study.dir.mkdir(parents=True, exist_ok=True)
    path = study.dir / ".lock"
    fh = path.open("a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            who = fh.read().strip() or "another process"
            raise ConfigError(
                f"{study.dir}: this study is being run by {who}; wait for it or stop it "
                "(use --status to follow it)"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} on {socket.gethostname()} since {now()}\n")
        fh.flush()
        yield
    finally:
        fh.close()  # releases the lock (also when the process is killed)


def driver_running(study: Study) -> bool:
    """True if a local study driver holds the study's lock right now."""
    path = study.dir / ".lock"
    if not path.exists():
        return False
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        return False


class SlotLock:
    """An exclusive JIT-cache slot ``<jit dir>/slot-<k>``: the lowest k whose lock file is
    free. A slot's cache is reused by every case that later holds it, never by two cases
    at once (flock; released when the holder exits, even if killed)."""

    def __init__(self, jit_dir: Path, start: int = 0) -> None:
        jit_dir.mkdir(parents=True, exist_ok=True)
        k = start
        while True:
            fh = (jit_dir / f"slot-{k}.lock").open("a")
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.close()
                k += 1
                continue
            break
        self.index = k
        self.dir = jit_dir / f"slot-{k}"
        self.dir.mkdir(exist_ok=True)
        self._fh: IO[str] | None = fh
        clean_stale_jit(self.dir / "fenics")

    def release(self) -> None:
        """Release the driver lock."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def clean_stale_jit(cache: Path) -> list[Path]:
    """Remove FFCx modules whose compilation never finished in this (exclusively held)
    cache: ``<module>.c`` without ``<module>.c.cached``. FFCx would otherwise wait for
    the ready file and fail with a TimeoutError (a case killed while compiling)."""
    removed: list[Path] = []
    if not cache.is_dir():
        return removed
    for c_file in cache.glob("*.c"):
        if c_file.with_suffix(".c.cached").exists():
            continue
        for part in cache.glob(c_file.stem + ".*"):
            with contextlib.suppress(OSError):
                part.unlink()
                removed.append(part)
    return removed
