"""One run of polycat: plan → mesh → FEM problem → SOC loop → exporters.

- :mod:`~polycat.simulation.problem` builds the FEM problem from the plan and the mesh;
- :mod:`~polycat.simulation.loop` steps the schedule (step cuts, collective checks);
- :mod:`~polycat.simulation.restart` owns the results-directory guard, resume checks and
  checkpoints (FEniCSx-free until a checkpoint is read or written);
- :mod:`~polycat.simulation.runner` wires them and owns the error/abort policy.

Imports lazily: ``polycat.simulation.restart`` loads without DOLFINx.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from polycat.config.plan import RunPlan

__all__ = ["prepare_mesh", "run", "write_orientation_table"]


def run(
    plan: RunPlan, overwrite: bool = False, comm: Any = None, resume: bool = False, stop: Any = None
) -> Path:
    """Mesh, solve and report one plan; see :func:`polycat.simulation.runner.run`."""
    from polycat.simulation.runner import run as _run

    return _run(plan, overwrite=overwrite, comm=comm, resume=resume, stop=stop)


def prepare_mesh(plan: RunPlan, comm: Any = None) -> Path:
    """Build (or reuse) the mesh folder of ``plan``; collective (default COMM_WORLD)."""
    from mpi4py import MPI

    from polycat.geometry import ensure_mesh

    return ensure_mesh(plan.geometry, plan.output.mesh_dir, comm or MPI.COMM_WORLD)


def write_orientation_table(plan: RunPlan, folder: Path) -> Path:
    """Write the per-grain orientations of ``plan`` (quaternion, Bunge angles, c-axis)
    into the mesh folder as ``orientations-<key>.csv``, keyed by the orientation spec (a
    mesh folder is shared by every orientation draw of its geometry). Rank 0."""
    import numpy as np

    from polycat.digest import stable_digest
    from polycat.fileio import read_columns, write_csv_atomic
    from polycat.geometry.folder import GRAINS_FILE
    from polycat.microstructure import ORIENTATION_COLUMNS, build_microstructure

    table = read_columns(folder / GRAINS_FILE)
    ids = [int(g) for g in table["grain"]]
    cents = np.stack([table[f"centroid_{a}_um"] for a in "xyz"], axis=1)
    micro = build_microstructure(plan.orientation, ids, cents)
    path = folder / f"orientations-{stable_digest(plan.orientation.key(), 12)}.csv"
    write_csv_atomic(path, micro.table(), ORIENTATION_COLUMNS)
    return path
