"""Checks made before any meshing or solving: will this run fit the machine?

The estimate is from the config alone. Cell count: the particle meshed at ``mesh_size_um``
(h) and the matrix at ``matrix_mesh_size_um`` (2.5 h by default; it grades quickly from the
interface size), with ~1/(0.118 h³) tets per µm³ (a regular tet of edge h has volume h³/(6√2));
on the default case (30 grains, h = 0.6 µm) this gives 27.7 k cells against 28.7 k meshed.
Memory: ~5 KB per displacement DOF for the assembled P2 operator, GAMG hierarchy and
Krylov vectors (measured 4.2–4.6 KB/DOF, docs/performance.md), plus ~0.3 GB per rank for
the Python/DOLFINx/PETSc runtime and ~1.5 KB per cell on rank 0 while Gmsh meshes.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass

from polycat.config import ConfigError, RunConfig

log = logging.getLogger("polycat")

__all__ = ["ResourceEstimate", "available_memory_bytes", "check_run", "estimate_resources"]

TET_VOLUME_FACTOR = 1.0 / (6.0 * math.sqrt(2.0))  # regular tet volume / h³
TRI_AREA_FACTOR = math.sqrt(3.0) / 4.0  # equilateral triangle area / h²
BYTES_PER_DOF = 5.0e3
BYTES_PER_RANK = 0.3e9
BYTES_PER_CELL_MESHING = 1.5e3
# nodes per cell: P1 ≈ vertices, P2 ≈ vertices + edges (tets: 0.18 + 1.2; triangles: 0.5 + 1.5)
NODES_PER_CELL = {3: {1: 0.18, 2: 1.39}, 2: {1: 0.5, 2: 2.0}}


@dataclass(frozen=True)
class ResourceEstimate:
    """Cells, DOFs and memory a run is estimated to need, and what this node has."""

    cells: int
    dofs_u: int
    ranks_per_node: int
    bytes_per_node: float

    def describe(self) -> str:
        """The estimate in one line, for messages."""
        return (
            f"~{self.cells / 1e3:.0f} k cells, ~{self.dofs_u / 1e3:.0f} k displacement DOFs, "
            f"~{self.bytes_per_node / 1e9:.1f} GB on this node ({self.ranks_per_node} rank(s))"
        )


def estimate_resources(cfg: RunConfig, ranks_per_node: int = 1) -> ResourceEstimate:
    """Cells, displacement DOFs and peak memory of one node, from the config alone."""
    g = cfg.geometry
    h = g.mesh_size_um
    h_if = g.interface_mesh_size_um or h
    h_m = g.matrix_mesh_size_um or 2.5 * h
    R = g.particle_radius_um
    if g.dim == 3:
        v_p = 4.0 / 3.0 * math.pi * R**3
        v_outer = {"box": g.matrix_size_um**3, "shell": 4.0 / 3.0 * math.pi * g.matrix_size_um**3}
        per, power = TET_VOLUME_FACTOR, 3
    else:
        v_p = math.pi * R**2
        v_outer = {"box": g.matrix_size_um**2, "shell": math.pi * g.matrix_size_um**2}
        per, power = TRI_AREA_FACTOR, 2
    cells_p = v_p / (per * min(h, h_if) ** power)
    v_m = max(v_outer[g.matrix] - v_p, 0.0) if g.matrix != "none" else 0.0
    # the matrix grades quickly from the interface size to h_m: count it at h_m
    cells_m = v_m / (per * h_m**power)
    cells = cells_p + cells_m
    nodes = cells * NODES_PER_CELL[g.dim][cfg.mechanics.element_degree]
    dofs_u = nodes * g.dim
    per_rank = BYTES_PER_RANK + BYTES_PER_DOF * dofs_u / max(cfg_ranks(), 1)
    node_bytes = per_rank * ranks_per_node + BYTES_PER_CELL_MESHING * cells
    return ResourceEstimate(int(cells), int(dofs_u), ranks_per_node, node_bytes)


def cfg_ranks() -> int:
    """Ranks of this job (from MPI if it is loaded, else the launcher's environment)."""
    import sys

    if "mpi4py.MPI" in sys.modules:
        from mpi4py import MPI

        return int(MPI.COMM_WORLD.size)
    for var in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "SLURM_NTASKS"):
        value = os.environ.get(var, "")
        if value.isdigit():
            return int(value)
    return 1


def _ranks_per_node() -> int:
    import sys

    if "mpi4py.MPI" not in sys.modules:
        return cfg_ranks()
    from mpi4py import MPI

    local = MPI.COMM_WORLD.Split_type(MPI.COMM_TYPE_SHARED)
    try:
        return int(local.size)
    finally:
        local.Free()


def available_memory_bytes() -> float | None:
    """MemAvailable of this machine (Linux), or None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024.0
    except OSError:
        return None
    return None


def check_run(cfg: RunConfig, force: bool = False) -> ResourceEstimate:
    """Refuse a run whose grains the mesh cannot resolve (GeometryError) or whose estimated
    memory exceeds what this node has (ConfigError).

    Before that, the grains must be resolvable at the mesh size (the check the mesh
    builder makes, a GeometryError). ``polycat validate`` and ``polycat run`` both call
    this, so validate passes exactly the configs run accepts before meshing.

    Identical on every rank (no collective needed: each rank computes the same numbers
    from the same config and the same node's /proc/meminfo, up to a few MB of drift)."""
    from polycat.geometry.spec import GeometrySpec
    from polycat.geometry.tessellation.seeds import check_resolution

    check_resolution(GeometrySpec(**cfg.geometry.model_dump()))
    est = estimate_resources(cfg, _ranks_per_node())
    avail = available_memory_bytes()
    log.debug("resource estimate: %s", est.describe())
    if avail is None or est.bytes_per_node <= 0.9 * avail:
        return est
    if force:
        log.warning(
            "estimated %.1f GB exceeds the %.1f GB available; running anyway (--force)",
            est.bytes_per_node / 1e9,
            avail / 1e9,
        )
        return est
    # mesh size at which the estimate fits in 60 % of what is available (DOFs ∝ h^-3)
    scale = (est.bytes_per_node / (0.6 * avail)) ** (1.0 / cfg.geometry.dim)
    suggestion = cfg.geometry.mesh_size_um * scale
    raise ConfigError(
        f"this run needs about {est.bytes_per_node / 1e9:.1f} GB on this node "
        f"({est.describe()}) but only {avail / 1e9:.1f} GB is available: coarsen "
        f"geometry.mesh_size_um to about {suggestion:.2g} µm, use mechanics.element_degree: 1, "
        "spread the ranks over more nodes, or pass --force to try anyway"
    )
