"""The SLURM launcher: one job array over the pending cases, and its progress.

`polycat study STUDY --launcher slurm` writes ``<study dir>/slurm/study.sbatch`` and the
case list it reads (``slurm/cases-<stamp>.txt``, one case id per line, array index =
line number - 1), submits it with ``sbatch --parsable`` and records the job id in
study.json. Each array task runs ``python -m polycat.study.task``, which skips a case that
completed meanwhile, clears an interrupted one and runs ``polycat run`` (under
``mpiexec -n k`` or ``srun -n k`` for k ranks per case).

The commands are taken from $POLYCAT_SBATCH, $POLYCAT_SQUEUE and $POLYCAT_SACCT when set
(tests, unusual installs), else ``sbatch``, ``squeue`` and ``sacct`` on PATH.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from polycat.errors import ConfigError
from polycat.fileio import write_text_atomic
from polycat.study.expand import Case, Study

SCRIPT_NAME = "study.sbatch"
# squeue / sacct job states that mean "not finished yet"
QUEUED = {"PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "SUSPENDED"}
ENDED = "ENDED"  # not in squeue any more, state unknown (no accounting)
ACTIVE = {"RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING"}


def command(name: str) -> list[str]:
    """The command line of a SLURM client: $POLYCAT_<NAME> (split like a shell) or name."""
    override = os.environ.get(f"POLYCAT_{name.upper()}")
    return shlex.split(override) if override else [name]


def ntasks(study: Study) -> int:
    """MPI tasks of one array task."""
    return study.spec.slurm.ntasks_per_case or study.ranks_per_case


def sbatch_script(
    study: Study, list_file: Path, n_cases: int, max_parallel: int | None, python: str
) -> str:
    """The job-array script: one array task per line of `list_file`."""
    s = study.spec.slurm
    k = ntasks(study)
    slurm_dir = study.dir / "slurm"
    array = f"0-{n_cases - 1}" + (f"%{max_parallel}" if max_parallel else "")
    lines = [
        "#!/bin/bash",
        f"#SBATCH --job-name={_job_name(study.name)}",
        f"#SBATCH --array={array}",
        f"#SBATCH --ntasks={k}",
        f"#SBATCH --output={slurm_dir}/%A_%a.out",
        f"#SBATCH --chdir={Path.cwd()}",
    ]
    if s.partition:
        lines.append(f"#SBATCH --partition={s.partition}")
    if s.time_limit:
        lines.append(f"#SBATCH --time={s.time_limit}")
    if s.cpus_per_task:
        lines.append(f"#SBATCH --cpus-per-task={s.cpus_per_task}")
    if s.mem:
        lines.append(f"#SBATCH --mem={s.mem}")
    lines += [f"#SBATCH {opt.removeprefix('#SBATCH').strip()}" for opt in s.extra]
    task = [
        python,
        "-m",
        "polycat.study.task",
        str(study.dir),
        "--cases",
        str(list_file),
        "--index",
        "$SLURM_ARRAY_TASK_ID",
        "--ranks",
        str(k),
        "--launch",
        s.launch,
        "--jit-dir",
        str(study.jit_dir),
    ]
    if s.launch == "srun":
        task += [f"--srun-option={opt}" for opt in s.srun_options]
    lines += [
        "",
        f"# polycat study {study.name}: one array task per case id in",
        f"# {list_file} (array index = line number - 1)",
        "set -eu",
        *s.setup,
        " ".join(shlex.quote(a) if not a.startswith("$") else f'"{a}"' for a in task),
        "",
    ]
    return "\n".join(lines)


def _job_name(name: str) -> str:
    return "polycat-" + re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:40]


def write_sbatch(
    study: Study, cases: Sequence[Case], max_parallel: int | None, python: str | None = None
) -> tuple[Path, Path]:
    """Write the case list and ``slurm/study.sbatch``; returns (script, list file)."""
    if not cases:
        raise ValueError("no cases to submit")
    slurm_dir = study.dir / "slurm"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    list_file = slurm_dir / f"cases-{stamp}.txt"
    write_text_atomic(list_file, "".join(f"{c.id}\n" for c in cases))
    script = slurm_dir / SCRIPT_NAME
    write_text_atomic(
        script, sbatch_script(study, list_file, len(cases), max_parallel, python or sys.executable)
    )
    return script, list_file


def submit(script: Path) -> str:
    """``sbatch --parsable SCRIPT``; returns the job id."""
    cmd = [*command("sbatch"), "--parsable", str(script)]
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).is_file():
        raise ConfigError(
            f"launcher slurm: {cmd[0]!r} not found; run on a SLURM login node, set "
            "POLYCAT_SBATCH, or use --launcher local"
        )
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"launcher slurm: {' '.join(cmd)} failed: {exc}") from None
    if out.returncode != 0:
        raise ConfigError(
            f"launcher slurm: {' '.join(cmd)} failed (exit {out.returncode}): "
            f"{out.stderr.strip() or out.stdout.strip()}"
        )
    job = out.stdout.strip().splitlines()[-1].split(";")[0].strip() if out.stdout.strip() else ""
    if not job:
        raise ConfigError(f"launcher slurm: sbatch printed no job id: {out.stdout!r}")
    return job


# --------------------------------------------------------------------------- progress


def parse_array_ids(job_id: str, text: str) -> dict[int, str]:
    """Array index → state from ``squeue -h -o '%i %T'`` / ``sacct -n -P -o JobID,State``
    lines of job `job_id` (``123_4``, ``123_[5-7%2]``, ``123_[1,3,5-9]``)."""
    out: dict[int, str] = {}
    for line in text.splitlines():
        parts = re.split(r"[\s|]+", line.strip())
        if len(parts) < 2:
            continue
        jid, state = parts[0], parts[1].upper()
        m = re.fullmatch(rf"{re.escape(job_id)}_(\d+|\[([0-9,\-%]+)\])", jid)
        if m is None:
            continue
        if m.group(2) is None:
            out[int(m.group(1))] = state
            continue
        for chunk in m.group(2).split("%")[0].split(","):
            if "-" in chunk:
                a, b = chunk.split("-", 1)
                for i in range(int(a), int(b) + 1):
                    out.setdefault(i, state)
            elif chunk:
                out.setdefault(int(chunk), state)
    return out


def _query(cmd: list[str]) -> str | None:
    if shutil.which(cmd[0]) is None and not Path(cmd[0]).is_file():
        return None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.returncode == 0 else None


def job_states(jobs: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Case id → SLURM state of the array tasks of `jobs` (study.json records), from
    squeue, then sacct for tasks squeue no longer lists. Later jobs win. Missing
    clients (or no accounting) give fewer entries, never an error."""
    states: dict[str, str] = {}
    for job in jobs:
        job_id = str(job["job_id"])
        ids = _read_list(Path(job["cases_file"]))
        found: dict[int, str] = {}
        sq = _query([*command("squeue"), "-h", "-r", "-j", job_id, "-o", "%i %T"])
        if sq is not None:
            found.update(parse_array_ids(job_id, sq))
        if len(found) < len(ids):
            sa = _query([*command("sacct"), "-n", "-P", "-X", "-j", job_id, "-o", "JobID,State"])
            if sa is not None:
                for i, st in parse_array_ids(job_id, sa).items():
                    found.setdefault(i, st.split()[0])
        if sq is not None:  # squeue answered and no longer lists these tasks: they ended
            for i in range(len(ids)):
                found.setdefault(i, ENDED)
        for i, st in found.items():
            if 0 <= i < len(ids):
                states[ids[i]] = st
    return states


def _read_list(path: Path) -> list[str]:
    try:
        return [ln.strip() for ln in path.read_text().splitlines() if ln.strip()]
    except OSError:
        return []
