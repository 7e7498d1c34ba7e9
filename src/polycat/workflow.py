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


def run(cfg: RunConfig, overwrite: bool = False, comm: Any = None) -> Path:
    """Mesh, solve and report one config; returns the results directory."""
    from polycat.simulation import run as run_simulation

    return run_simulation(cfg, overwrite=overwrite, comm=comm)
