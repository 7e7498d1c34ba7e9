"""Interrupted runs lose nothing and resume to the same answer; failed solves are retried
with smaller steps or stop cleanly; a failure on one MPI rank ends the job at once."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rel_helpers import BIN, ROOT, polycat, small_config, write_yaml

ITERATION_COLUMNS = {"mech_ksp_iterations"}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def assert_same_summary(a: Path, b: Path, rtol: float, skip: set[str] = ITERATION_COLUMNS) -> None:
    ra, rb = read_rows(a / "summary.csv"), read_rows(b / "summary.csv")
    assert [r["soc"] for r in ra] == [r["soc"] for r in rb]
    assert list(ra[0]) == list(rb[0])
    for x, y in zip(ra, rb, strict=True):
        for key in x:
            if key in skip or x[key] == y[key]:
                continue
            fx, fy = float(x[key]), float(y[key])
            assert math.isclose(fx, fy, rel_tol=rtol, abs_tol=1e-9 * (1 + abs(fy))), (
                f"soc {x['soc']} {key}: {fx} vs {fy}"
            )


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The uninterrupted run."""
    tmp = tmp_path_factory.mktemp("ref")
    path = write_yaml(tmp / "c.yaml", small_config(tmp))
    result = polycat(["run", str(path)])
    assert result.returncode == 0, result.stderr
    return tmp / "out"


def start_and_kill_after_second_report(tmp: Path) -> Path:
    """Start the run, SIGKILL it (whole process group) once its second report SOC is
    checkpointed: a `sleep` fault holds it before step 5 so the kill lands there."""
    path = write_yaml(tmp / "c.yaml", small_config(tmp))
    out = tmp / "out"
    env = {**os.environ, "POLYCAT_FAULT": "sleep:step=5:ms=120000"}
    proc = subprocess.Popen(
        [str(BIN / "python"), "-m", "polycat", "run", str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    state = out / "checkpoint" / "state.json"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if state.is_file() and json.loads(state.read_text()).get("soc") == 0.5:
                break
            assert proc.poll() is None, "the run ended before it could be killed"
            time.sleep(0.1)
        else:
            pytest.fail("the run did not reach its second report SOC in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return out


def test_killed_run_resumes_to_the_uninterrupted_answer(reference: Path, tmp_path: Path) -> None:
    out = start_and_kill_after_second_report(tmp_path)
    # what the kill left: two complete SOCs, a run.json that says it did not finish
    assert [r["soc"] for r in read_rows(out / "summary.csv")] == ["0.25", "0.5"]
    assert json.loads((out / "run.json").read_text())["status"] == "running"
    assert not list(out.rglob("*.tmp")), "a half-written file was left behind"
    other = tmp_path / "out_2ranks"
    shutil.copytree(out, other)

    result = polycat(["run", "--resume", str(out)])
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed"
    assert info["resumed_from"]["soc"] == 0.5
    assert len(info["solver"]["diffusion_newton_iterations"]) == 8
    assert_same_summary(out, reference, rtol=1e-7)
    assert (out / "profiles" / "soc_100.csv").is_file()

    # the same checkpoint, continued on another number of ranks
    result = polycat(["run", "--resume", str(other)], ranks=2)
    assert result.returncode == 0, result.stderr
    assert json.loads((other / "run.json").read_text())["resumed_from"]["ranks"] == 1
    assert_same_summary(other, reference, rtol=1e-7)

    again = polycat(["run", "--resume", str(out)])
    assert again.returncode == 0 and "nothing to resume" in again.stdout


def test_real_divergence_is_cut_until_it_converges(tmp_path: Path) -> None:
    """A diffusion Krylov solve capped at 30 Jacobi-CG iterations diverges (DIVERGED_MAX_IT)
    at the full step and converges once the step is small enough."""
    cfg = small_config(
        tmp_path,
        solver={
            "steps_per_report": 1,
            "max_step_cuts": 8,
            "petsc_diffusion": {"ksp_type": "cg", "pc_type": "jacobi", "ksp_max_it": 30},
        },
    )
    result = polycat(["run", str(write_yaml(tmp_path / "c.yaml", cfg))])
    assert result.returncode == 0, result.stderr
    assert "DIVERGED_MAX_IT" in result.stderr and "retrying in 2 substeps" in result.stderr
    info = json.loads((tmp_path / "out" / "run.json").read_text())
    cuts = info["solver"]["step_cuts"]
    assert cuts and {c["step"] for c in cuts} == {1, 2, 3, 4}
    assert all("DIVERGED_MAX_IT" in c["reason"] for c in cuts)
    rows = read_rows(tmp_path / "out" / "summary.csv")
    assert [float(r["x_mean"]) for r in rows] == pytest.approx([0.78125, 0.5625, 0.34375, 0.125])


def test_injected_failure_is_retried_with_smaller_steps(reference: Path, tmp_path: Path) -> None:
    cfg = write_yaml(tmp_path / "c.yaml", small_config(tmp_path))
    result = polycat(["run", str(cfg)], env={"POLYCAT_FAULT": "solver:step=3:count=2"})
    assert result.returncode == 0, result.stderr
    cuts = json.loads((tmp_path / "out" / "run.json").read_text())["solver"]["step_cuts"]
    assert [(c["step"], c["substeps"]) for c in cuts] == [(3, 2), (3, 4)]
    # step 3 in 4 substeps: the same answer to time-discretisation accuracy
    assert_same_summary(tmp_path / "out", reference, rtol=0.05)


def test_persistent_failure_stops_cleanly_with_earlier_socs_intact(
    reference: Path, tmp_path: Path
) -> None:
    cfg = write_yaml(tmp_path / "c.yaml", small_config(tmp_path))
    result = polycat(["run", str(cfg)], env={"POLYCAT_FAULT": "solver:step=5:count=99"})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "step 5" in result.stderr and "still failing after 4 step cuts" in result.stderr
    out = tmp_path / "out"
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "failed" and "step 5" in info["error"]
    assert info["reported_soc"] == [0.25, 0.5]
    assert len(info["solver"]["step_cuts"]) == 4
    ref_rows = read_rows(reference / "summary.csv")[:2]
    assert read_rows(out / "summary.csv") == ref_rows
    for tag in ("025", "050"):
        assert (out / "profiles" / f"soc_{tag}.csv").read_text() == (
            reference / "profiles" / f"soc_{tag}.csv"
        ).read_text()
    assert json.loads((out / "checkpoint" / "state.json").read_text())["soc"] == 0.5


@pytest.mark.skipif(sys.platform != "linux", reason="MPI job control tested on Linux")
def test_exception_on_one_rank_ends_the_job_in_seconds(tmp_path: Path) -> None:
    cfg = write_yaml(tmp_path / "c.yaml", small_config(tmp_path))
    t0 = time.monotonic()
    result = polycat(
        ["run", str(cfg)],
        ranks=2,
        env={"POLYCAT_FAULT": "exception:step=2:rank=1"},
        timeout=180,
    )
    elapsed = time.monotonic() - t0
    assert result.returncode != 0
    assert result.stderr.count("injected exception at step 2 on rank 1") == 1, result.stderr
    assert "error (RuntimeError) on rank 1" in result.stderr
    # start-up and the first step take ~10 s here; a hung collective would run to the timeout
    assert elapsed < 90, f"the job took {elapsed:.0f} s to end"


@pytest.mark.skipif(sys.platform != "linux", reason="MPI job control tested on Linux")
def test_bad_local_data_on_one_rank_stops_every_rank(tmp_path: Path) -> None:
    """NaN in rank 1's own stress samples only: every check of local data is reduced
    first, so both ranks stop with the same SolverError, printed once (a check raised on
    rank 1 alone would leave rank 0 waiting in the next collective until the timeout)."""
    step, message = 2, "non-finite stress or Li fraction at SOC 0.25 (on rank 1)"
    cfg = write_yaml(tmp_path / "c.yaml", small_config(tmp_path))
    t0 = time.monotonic()
    result = polycat(
        ["run", str(cfg)], ranks=2, env={"POLYCAT_FAULT": f"nan:step={step}:rank=1"}, timeout=180
    )
    elapsed = time.monotonic() - t0
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("error: solver failed:") == 1, result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    info = json.loads((tmp_path / "out" / "run.json").read_text())
    assert info["status"] == "failed"
    assert elapsed < 150, f"the job took {elapsed:.0f} s to end"
