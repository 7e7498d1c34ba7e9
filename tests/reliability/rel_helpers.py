"""Helpers of the reliability tests: run the `polycat` command line as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def small_config(tmp: Path, **sections: Any) -> dict[str, Any]:
    """A tiny valid run (6 grains, P1, 4 report SOCs; ~3 k cells, a few seconds)."""
    cfg: dict[str, Any] = {
        "geometry": {"particle_radius_um": 2.0, "n_grains": 6, "seed": 2, "matrix": "box",
                     "matrix_size_um": 6.0, "mesh_size_um": 0.6},
        "loading": {"c_rate": 2.0, "report_soc": [0.25, 0.5, 0.75, 1.0]},
        "mechanics": {"element_degree": 1},
        # tight mechanics tolerance: resumed and uninterrupted runs start CG from different
        # guesses (the projection basis is not checkpointed) and agree to ~this tolerance
        "solver": {"steps_per_report": 2, "ksp_rtol": 1e-10},
        "output": {"dir": str(tmp / "out"), "mesh_dir": str(tmp.parent / "meshes"),
                   "plots": False},
    }  # fmt: skip
    for name, change in sections.items():
        if isinstance(change, Mapping):
            cfg.setdefault(name, {}).update(change)
        else:
            cfg[name] = change
    return cfg


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def polycat(
    args: Sequence[str],
    ranks: int = 1,
    env: Mapping[str, str] | None = None,
    timeout: float = 120.0,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run `polycat ARGS` (under `mpiexec -n ranks` if ranks > 1) and capture its output."""
    cmd = [str(BIN / "python"), "-m", "polycat", *args]
    if ranks > 1:
        cmd = [str(BIN / "mpiexec"), "-n", str(ranks), str(BIN / "python"), "-m", "mpi4py",
               "-m", "polycat", *args]  # fmt: skip
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=cwd or ROOT,
        check=False,
    )
