"""A small parameter study submitted to SLURM as a job array, followed to the end.

``polycat study STUDY.yaml --launcher slurm`` writes ``<study>/slurm/study.sbatch``,
submits it and returns; the test then polls ``polycat study STUDY.yaml --status`` and the
cases' run.json files until every case completed, and checks the ``study.csv`` that
``--status`` builds against each case's own ``summary.csv``.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import time
from pathlib import Path

import pytest
from slurm_helpers import BIN, Slurm, tiny_config, write_yaml

POLYCAT = str(BIN / "polycat")
TIMEOUT_S = 420


def _polycat(slurm: Slurm, cwd: Path, *args: str, timeout: float = 120) -> str:
    proc = subprocess.run(
        [POLYCAT, *args], cwd=cwd, env=slurm.env, capture_output=True, text=True, timeout=timeout
    )
    assert proc.returncode == 0, f"polycat {' '.join(args)} exit {proc.returncode}:\n{proc.stderr}"
    return proc.stdout + proc.stderr


def _study_cli_ready(slurm: Slurm) -> None:
    proc = subprocess.run(
        [POLYCAT, "study", "--help"], env=slurm.env, capture_output=True, text=True, timeout=60
    )
    if proc.returncode != 0 or "--launcher" not in proc.stdout or "--status" not in proc.stdout:
        pytest.skip("polycat study --launcher/--status is not available in this build yet")


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f))


def _run_json(case_dir: Path) -> dict[str, object]:
    try:
        data: dict[str, object] = json.loads((case_dir / "run.json").read_text())
    except (OSError, ValueError):
        return {}
    return data


def _state(root: Path, case_id: str) -> str:
    try:
        return str(json.loads((root / "state" / f"{case_id}.json").read_text()).get("status"))
    except (OSError, ValueError):
        return "?"


def test_study_through_sbatch(slurm: Slurm, tmp_path: Path, jit_dir: Path) -> None:
    _study_cli_ready(slurm)
    write_yaml(tmp_path / "base.yaml", tiny_config(tmp_path))
    study_file = write_yaml(
        tmp_path / "study.yaml",
        {
            "name": "slurm-test",
            "base": "base.yaml",
            "vary": {"grid": {"geometry.n_grains": [2, 3]}},
            "seeds": 2,
            "launcher": "local",  # --launcher slurm on the command line wins
            "ranks_per_case": 1,
            "jit_cache_dir": str(jit_dir),
            "slurm": {"time_limit": "10"},
            "output": {"dir": "study"},
        },
    )
    root = tmp_path / "study"
    t0 = time.monotonic()
    _polycat(slurm, tmp_path, "study", study_file.name, "--launcher", "slurm")
    script = root / "slurm" / "study.sbatch"
    assert script.is_file()
    assert "#SBATCH --array=0-3" in script.read_text()
    case_ids = [row["case_id"] for row in _read_csv(root / "cases.csv")]
    assert len(case_ids) == 4

    # Poll until every case completed (or one failed) and the array has left the queue.
    # (--status is a Python start-up each time: every ~15 s, not every poll, to leave the
    # 2 cores to the cases.)
    status_text, last_status = "", 0.0
    while True:
        if time.monotonic() - last_status > 15:
            status_text = _polycat(slurm, tmp_path, "study", study_file.name, "--status")
            last_status = time.monotonic()
        done = [_run_json(root / "cases" / c).get("status") == "completed" for c in case_ids]
        failed = [c for c in case_ids if _state(root, c) == "failed"]
        if failed:
            log = (root / "logs" / f"{failed[0]}.log").read_text(errors="replace")
            pytest.fail(f"case {failed[0]} failed under SLURM:\n{log[-3000:]}")
        if all(done) and not slurm.cmd("squeue", "-h", "-o", "%i").strip():
            break
        if time.monotonic() - t0 > TIMEOUT_S:
            slurm.cmd("scancel", "--partition=debug")
            pytest.fail(f"study not finished after {TIMEOUT_S} s; last --status:\n{status_text}")
        time.sleep(2.0)
    print(f"\nstudy of 4 cases through SLURM: {time.monotonic() - t0:.0f} s")

    # Each case ran exactly once, as a task of the array.
    outs = sorted((root / "slurm").glob("*_*.out"))
    assert len(outs) == 4, outs
    for c in case_ids:
        state = json.loads((root / "state" / f"{c}.json").read_text())
        assert state["status"] == "completed", state
        assert state["attempts"] == 1, state
        assert state["launcher"] == "slurm", state
        assert state.get("slurm_job"), state

    # A last --status lists every case as completed and (re)builds the study tables.
    (root / "study.csv").unlink(missing_ok=True)
    final = _polycat(slurm, tmp_path, "study", study_file.name, "--status")
    for c in case_ids:
        (line,) = [ln for ln in final.splitlines() if ln.startswith(c)]
        assert "completed" in line.split(), line
    rows = _read_csv(root / "study.csv")
    assert len(rows) == 4 * 2  # one row per case and report SOC
    assert {r["case_id"] for r in rows} == set(case_ids)
    assert {r["status"] for r in rows} == {"completed"}
    assert sorted({r["geometry.n_grains"] for r in rows}) == ["2", "3"]
    for r in rows:
        summary = _read_csv(root / "cases" / r["case_id"] / "summary.csv")
        (own,) = [s for s in summary if math.isclose(float(s["soc"]), float(r["soc"]))]
        for col in ("gb_risk_max", "delam_risk_max", "sigma_hoop_max_MPa"):
            assert math.isclose(float(r[col]), float(own[col]), rel_tol=1e-9), (r, col)


def test_study_case_on_two_ranks(slurm: Slurm, tmp_path: Path, jit_dir: Path) -> None:
    """ranks_per_case: 2 with ``launch: srun`` gives one 2-rank MPI run per array task, not
    two 1-rank runs (a bare srun does that with the pip MPICH and MpiDefault=none). The
    ``mpiexec`` launch inside a job is covered by test_slurm_run.py."""
    launch = "srun"
    _study_cli_ready(slurm)
    write_yaml(tmp_path / "base.yaml", tiny_config(tmp_path))
    study_file = write_yaml(
        tmp_path / "study.yaml",
        {
            "name": f"ranks-{launch}",
            "base": "base.yaml",
            "vary": {"grid": {"loading.c_rate": [2.0]}},
            "launcher": "slurm",
            "ranks_per_case": 2,
            "jit_cache_dir": str(jit_dir),
            "slurm": {"time_limit": "10", "launch": launch},
            "output": {"dir": "study"},
        },
    )
    root = tmp_path / "study"
    _polycat(slurm, tmp_path, "study", study_file.name)
    assert "#SBATCH --ntasks=2" in (root / "slurm" / "study.sbatch").read_text()
    (case_id,) = [row["case_id"] for row in _read_csv(root / "cases.csv")]
    deadline = time.monotonic() + TIMEOUT_S
    while slurm.cmd("squeue", "-h", "-o", "%i").strip():
        assert time.monotonic() < deadline, f"array job still queued after {TIMEOUT_S} s"
        time.sleep(2.0)
    log = (root / "logs" / f"{case_id}.log").read_text(errors="replace")
    run = _run_json(root / "cases" / case_id)
    assert run.get("status") == "completed", log[-3000:]
    assert run["ranks"] == 2, f"{launch}: the case ran on {run['ranks']} rank(s)\n{log[-2000:]}"
