"""One polycat run on 2 MPI ranks through sbatch, with the documented cluster script.

``configs/cluster/big_run.sbatch`` is submitted as a user would (with a tiny config in
place of the big one), once launching the ranks with ``srun --mpi=pmi2`` and once with the
MPICH wheel's ``mpiexec`` inside the allocation.
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from slurm_helpers import BIN, REPO, Slurm, tiny_config, write_yaml

SCRIPT = REPO / "configs" / "cluster" / "big_run.sbatch"


@pytest.mark.parametrize("launch", ["srun", "mpiexec"])
def test_sbatch_run_on_two_ranks(slurm: Slurm, tmp_path: Path, launch: str) -> None:
    cfg = write_yaml(tmp_path / "tiny.yaml", tiny_config(tmp_path))
    env = dict(slurm.env, POLYCAT_BIN=str(BIN), POLYCAT_LAUNCH=launch)
    job = slurm.cmd(
        "sbatch", "--parsable", "--nodes=1", "--ntasks=2", "--mem-per-cpu=1G", "--time=10",
        f"--output={tmp_path / 'job.out'}", str(SCRIPT), cfg.name, "--set", "geometry.seed=2",
        cwd=tmp_path, env=env,
    ).strip()  # fmt: skip
    state = slurm.wait(job, timeout=300)
    log = (tmp_path / "job.out").read_text()
    assert state == "COMPLETED", f"job {job} {state}:\n{log}"
    assert "on 2 rank(s)" in log

    out = tmp_path / "out"
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "completed"
    assert run["ranks"] == 2
    resolved = (out / "config.resolved.yaml").read_text()
    assert "seed: 2" in resolved  # the --set after the script reached `polycat run`
    # The mesh step ran first (same overrides), so the run reused its mesh folder.
    assert len(list((tmp_path / "meshes").iterdir())) == 1
    with (out / "summary.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [float(r["soc"]) for r in rows] == [0.5, 1.0]
    assert all(math.isfinite(float(r["gb_risk_max"])) for r in rows)
