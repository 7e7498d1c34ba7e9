"""What ``polycat study`` does: expand, run (local pool or SLURM job array), report
progress, aggregate. Each function takes an expanded `Study` (see `load_study`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from polycat.fileio import write_json_atomic
from polycat.study.aggregate import build_tables, collect_points
from polycat.study.expand import Study, format_value
from polycat.study.local import CommandFn, run_local
from polycat.study.plots import build_study_plots
from polycat.study.slurm import ACTIVE, ENDED, QUEUED, job_states, submit, write_sbatch
from polycat.study.state import (
    STATUSES,
    CaseStatus,
    driver_running,
    is_completed,
    local_status,
    log_path,
    read_json,
    read_state,
    write_case_files,
)

log = logging.getLogger("polycat")

EXIT_OK = 0
EXIT_FAILED = 1


def study_json_path(study: Study) -> Path:
    """The study.json of a study directory."""
    return study.dir / "study.json"


def read_study_json(study: Study) -> dict[str, Any]:
    """study.json as a mapping (empty when missing)."""
    return read_json(study_json_path(study))


def write_study_json(study: Study, statuses: Mapping[str, CaseStatus], **extra: Any) -> None:
    """The study state file (atomic): what the study is, its SLURM jobs, case statuses."""
    data = read_study_json(study)
    counts = {s: sum(1 for st in statuses.values() if st.status == s) for s in STATUSES}
    data.update(
        {
            "name": study.name,
            "study_file": str(study.path),
            "dir": str(study.dir),
            "varied": study.varied,
            "n_cases": len(study.cases),
            "counts": counts,
            "cases": {
                cid: {"status": st.status, "attempts": st.attempts, "error": st.error or None}
                for cid, st in statuses.items()
            },
        }
    )
    data.setdefault("slurm_jobs", [])
    data.update(extra)
    write_json_atomic(study_json_path(study), data)


def statuses(study: Study) -> dict[str, CaseStatus]:
    """Every case's status: completed cases from their run.json; cases of a submitted
    SLURM job from squeue/sacct where available; the rest from the state files."""
    alive = driver_running(study)
    jobs = read_study_json(study).get("slurm_jobs", [])
    sl = job_states(jobs) if jobs else {}
    out: dict[str, CaseStatus] = {}
    for case in study.cases:
        st = local_status(study.dir, case, alive)
        slurm_state = sl.get(case.id)
        state = read_state(study.dir, case.id)
        if st.status != "completed" and slurm_state is not None:
            if slurm_state in QUEUED and state.get("status") != "running":
                st = CaseStatus(case, "pending", st.attempts, "")
            elif slurm_state in ACTIVE or slurm_state in QUEUED:
                st = CaseStatus(case, "running", st.attempts, "")
            elif st.status in ("pending", "interrupted"):
                how = "" if slurm_state == ENDED else f" ({slurm_state})"
                error = (
                    f"SLURM task ended{how} without a result; see "
                    f"{study.dir / 'slurm'} and {log_path(study.dir, case.id)}"
                )
                kind = "interrupted" if slurm_state in ("CANCELLED", "TIMEOUT") else "failed"
                st = CaseStatus(case, kind, st.attempts, st.error or error)
        elif (
            st.status == "interrupted"
            and state.get("launcher") == "slurm"
            and state.get("status") == "running"
        ):
            st = CaseStatus(case, "running", st.attempts, "")  # no SLURM info: trust the task
        out[case.id] = st
    return out


def aggregate(study: Study, sts: Mapping[str, CaseStatus] | None = None) -> list[Path]:
    """Rebuild study.csv, study_summary.csv and plots/ from what is finished."""
    sts = statuses(study) if sts is None else sts
    written = build_tables(study, sts)
    written += build_study_plots(study, collect_points(study, sts))
    return written


def run_local_study(
    study: Study, max_parallel: int | None = None, command: CommandFn | None = None
) -> int:
    """Run every case not yet completed on this machine, then aggregate. Returns the exit
    status: 0 all completed, 1 some failed, 128 + signal when stopped by a signal."""
    write_case_files(study)
    n = study.max_parallel(max_parallel)
    todo = [c for c in study.cases if not is_completed(study.dir, c.id)]
    log.info(
        "study %s: %d cases, %d completed before, %d to run, %d at once, %d rank(s) each",
        study.name,
        len(study.cases),
        len(study.cases) - len(todo),
        len(todo),
        n,
        study.ranks_per_case,
    )

    def refresh() -> None:
        write_study_json(study, statuses(study), launcher="local")

    write_study_json(study, statuses(study), launcher="local", max_parallel=n)
    _, signum = run_local(study, todo, n, on_change=refresh, command=command)
    final = statuses(study)
    write_study_json(study, final, launcher="local")
    for path in aggregate(study, final):
        log.info("wrote %s", path)
    failed = [st for st in final.values() if st.status == "failed"]
    for st in failed:
        log.error("case %s (%s) failed: %s", st.case.id, st.case.label, st.error)
    if signum is not None:
        return 128 + int(signum)
    return EXIT_FAILED if failed else EXIT_OK


def submit_slurm_study(study: Study, max_parallel: int | None = None) -> str | None:
    """Write the job array over the cases not completed and submit it; returns the job id
    (None when every case is already completed)."""
    write_case_files(study)
    sts = statuses(study)
    jobs = read_study_json(study).get("slurm_jobs", [])
    queued = job_states(jobs) if jobs else {}
    todo = [
        c
        for c in study.cases
        if sts[c.id].status not in ("completed", "running")
        and queued.get(c.id) not in QUEUED | ACTIVE
    ]
    if not todo:
        write_study_json(study, sts)
        return None
    throttle = max_parallel if max_parallel is not None else study.spec.max_parallel
    script, list_file = write_sbatch(study, todo, throttle)
    job = submit(script)
    jobs = [*jobs]
    jobs.append(
        {
            "job_id": job,
            "script": str(script),
            "cases_file": str(list_file),
            "n_cases": len(todo),
        }
    )
    write_study_json(study, statuses(study), launcher="slurm", slurm_jobs=jobs)
    return job


def cases_table(study: Study, sts: Mapping[str, CaseStatus] | None = None) -> str:
    """A plain-text table: case id, varied values, seed[, status, attempts, error]."""
    head = ["case_id", *study.varied, "seed"]
    if sts is not None:
        head += ["status", "attempts", "error"]
    rows = []
    for c in study.cases:
        row = [c.id, *(format_value(v) for v in c.values.values())]
        row.append("" if c.seed is None else str(c.seed))
        if sts is not None:
            st = sts[c.id]
            row += [st.status, str(st.attempts), " ".join(st.error.split())[:100]]
        rows.append(row)
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = ["  ".join(x.ljust(w) for x, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    header = "  ".join(x.ljust(w) for x, w in zip(head, widths, strict=True)).rstrip()
    return "\n".join([header, *lines])


def counts_line(sts: Mapping[str, CaseStatus]) -> str:
    """``8 cases: 5 completed, 2 running, 1 pending, 0 failed, 0 interrupted``."""
    counts = {s: sum(1 for st in sts.values() if st.status == s) for s in STATUSES}
    order = ("completed", "running", "pending", "failed", "interrupted")
    return f"{len(sts)} cases: " + ", ".join(f"{counts[s]} {s}" for s in order)
