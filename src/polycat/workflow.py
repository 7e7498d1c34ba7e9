"""What `polycat mesh` and `polycat run` do, for one resolved config."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from polycat.config import RunConfig

log = logging.getLogger("polycat")


def prepare_mesh(cfg: RunConfig, comm: Any = None) -> Path:
    """Build the mesh folder of `cfg` (or reuse the cached one) and return its path.

    Collective: rank 0 meshes, every rank gets the folder (or the same GeometryError).
    """
    from mpi4py import MPI

    from polycat.geometry import GeometrySpec, ensure_mesh

    spec = GeometrySpec(**cfg.geometry.model_dump())
    return ensure_mesh(
        spec, Path(cfg.output.mesh_dir), comm if comm is not None else MPI.COMM_WORLD
    )


def run(cfg: RunConfig, overwrite: bool = False, comm: Any = None, resume: bool = False) -> Path:
    """Mesh, solve and report one config; returns the results directory. ``resume``:
    continue the interrupted run in ``cfg.output.dir`` from its last checkpoint."""
    from polycat.simulation import run as run_simulation

    return run_simulation(cfg, overwrite=overwrite, comm=comm, resume=resume)


def write_orientation_table(cfg: RunConfig, folder: Path) -> Path:
    """Write the per-grain orientations of `cfg` (quaternion, Bunge angles, c-axis) into the
    mesh folder as ``orientations-<key>.csv``, keyed by the orientation section (a mesh
    folder is shared by every orientation draw of its geometry)."""
    import hashlib
    import json

    import numpy as np

    from polycat.microstructure import ORIENTATION_COLUMNS, build_microstructure
    from polycat.results import read_csv, write_csv_atomic

    rows = read_csv(folder / "grains.csv")
    ids = [int(r["grain"]) for r in rows]
    cents = np.array([[float(r[f"centroid_{a}_um"]) for a in "xyz"] for r in rows])
    micro = build_microstructure(cfg.orientation, ids, cents)
    key = hashlib.sha256(
        json.dumps(cfg.orientation.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()[:12]
    path = folder / f"orientations-{key}.csv"
    write_csv_atomic(path, micro.table(), ORIENTATION_COLUMNS)
    return path
