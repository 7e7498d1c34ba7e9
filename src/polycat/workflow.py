"""What `polycat mesh` and `polycat run` do, step by step, for one resolved config."""

from __future__ import annotations

import logging
from pathlib import Path

from polycat.config import RunConfig

log = logging.getLogger("polycat")


def prepare_mesh(cfg: RunConfig) -> Path:
    """Build the mesh folder of `cfg` (or reuse the cached one) and return its path."""
    from mpi4py import MPI

    from polycat.geometry import GeometrySpec, ensure_mesh

    spec = GeometrySpec(**cfg.geometry.model_dump())
    return ensure_mesh(spec, Path(cfg.output.mesh_dir), MPI.COMM_WORLD)


def run(cfg: RunConfig, overwrite: bool = False) -> None:
    """Mesh, solve and report one config."""
    log.info(
        "polycat run: %s grains, %s in %s, %s at %sC from x=%s to x=%s",
        cfg.geometry.n_grains,
        cfg.materials.cathode,
        cfg.materials.electrolyte,
        cfg.loading.mode,
        cfg.loading.c_rate,
        cfg.loading.x_start,
        cfg.loading.x_end,
    )
    log.info("the solver is not implemented yet; the config is valid and would run as above")
