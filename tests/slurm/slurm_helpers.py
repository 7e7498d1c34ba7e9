"""Helpers of the SLURM tests: the cluster handle, job polling and a tiny run config."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml

from tool_helpers import missing

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: polycat, mpiexec (MPICH wheel), python

# Final job states (squeue/scontrol JobState).
_DONE = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED"}


def unavailable(reason: str, details: str = "") -> NoReturn:
    """Skip (or, under CI / POLYCAT_REQUIRE_SLURM=1, fail) the tests that need SLURM."""
    missing(
        f"SLURM cannot start on this machine ({reason})",
        "run as root with the Debian packages munge slurmctld slurmd slurm-client "
        "(tests/slurm/start_slurm.sh installs them with POLYCAT_SLURM_INSTALL=1)",
        details=details,
        flag="POLYCAT_REQUIRE_SLURM",
    )


@dataclass(frozen=True)
class Slurm:
    """A running cluster: its config and the environment its client commands need."""

    conf: Path
    env: dict[str, str]

    def cmd(
        self,
        *args: str,
        timeout: float = 30,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> str:
        """Run a SLURM client command (sbatch, squeue, ...) and return its stdout."""
        proc = subprocess.run(
            args, env=env or self.env, cwd=cwd, capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc.stdout

    def job_state(self, job_id: str) -> str:
        """JobState of a job (of an array: its first element not yet finished, or the last)."""
        out = self.cmd("scontrol", "show", "job", "--oneliner", job_id)
        states = [
            field.split("=", 1)[1]
            for line in out.splitlines()
            for field in line.split()
            if field.startswith("JobState=")
        ]
        running = [s for s in states if s not in _DONE]
        return running[0] if running else states[-1]

    def wait(self, job_id: str, timeout: float = 300) -> str:
        """Wait until the job is in a final state; return that state."""
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            state = self.job_state(job_id)
            if state in _DONE:
                return state
            time.sleep(1.0)
        self.cmd("scancel", job_id)
        raise AssertionError(f"job {job_id} still {state} after {timeout:.0f} s (cancelled)")


def tiny_config(tmp: Path, report_soc: Sequence[float] = (0.5, 1.0)) -> dict[str, object]:
    """A run that takes a few seconds: 3 grains, h = 2 µm, P1, 2 report SOCs."""
    return {
        "geometry": {"particle_radius_um": 5.0, "n_grains": 3, "seed": 1, "matrix": "box",
                     "matrix_size_um": 15.0, "mesh_size_um": 2.0},
        "mechanics": {"element_degree": 1},
        # the surface leaves the NCM811 lattice table just before SOC 1: hold its end values
        "loading": {"c_rate": 2.0, "report_soc": list(report_soc), "extrapolate": "hold"},
        "solver": {"steps_per_report": 2},
        "output": {"dir": str(tmp / "out"), "mesh_dir": str(tmp / "meshes"), "fields": False},
    }  # fmt: skip


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
