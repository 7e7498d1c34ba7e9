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
from typing import Any

from polycat.config import ConfigError, RunConfig
from polycat.schedule import X_ROUNDOFF

log = logging.getLogger("polycat")

__all__ = [
    "ResourceEstimate",
    "available_memory_bytes",
    "check_and_plan",
    "check_run",
    "check_transport",
    "estimate_resources",
    "surface_lag",
]

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
    """Cells, displacement DOFs and peak memory of one node, from the config alone (a
    mesh from a file: from its cell and node counts)."""
    g = cfg.geometry
    if g.kind == "file":
        return _file_estimate(cfg, ranks_per_node)
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


def _file_estimate(cfg: RunConfig, ranks_per_node: int) -> ResourceEstimate:
    """The estimate for a mesh read from a file: its cells and nodes are known."""
    from polycat.config.geometry_spec import geometry_spec
    from polycat.geometry.file_spec import FileGeometrySpec

    spec = geometry_spec(cfg.geometry)
    assert isinstance(spec, FileGeometrySpec)
    degree = cfg.mechanics.element_degree
    cells = spec.facts.n_cells
    nodes = spec.facts.n_nodes if degree == 1 else cells * NODES_PER_CELL[spec.dim][degree]
    dofs_u = nodes * spec.dim
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

    file = cfg.geometry.kind == "file"
    if not file:  # (a mesh file is read and checked by the estimate)
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
    if file:
        coarsen = "coarsen the mesh of geometry.file"
    else:
        # mesh size at which the estimate fits in 60 % of what is available (DOFs ∝ h^-3)
        scale = (est.bytes_per_node / (0.6 * avail)) ** (1.0 / cfg.geometry.dim)
        suggestion = cfg.geometry.mesh_size_um * scale
        coarsen = f"coarsen geometry.mesh_size_um to about {suggestion:.2g} µm"
    raise ConfigError(
        f"this run needs about {est.bytes_per_node / 1e9:.1f} GB on this node "
        f"({est.describe()}) but only {avail / 1e9:.1f} GB is available: {coarsen}, use "
        "mechanics.element_degree: 1, spread the ranks over more nodes, or pass --force to "
        "try anyway"
    )


# ------------------------------------------------------------------ diffusion limitation

_SPHERE_ROOTS: list[float] = []


def _sphere_roots(n: int = 80) -> list[float]:
    """The first ``n`` positive roots of tan α = α (constant-flux sphere series)."""
    if not _SPHERE_ROOTS:
        from scipy.optimize import brentq

        for k in range(1, n + 1):
            lo, hi = k * math.pi + 1e-9, k * math.pi + math.pi / 2 - 1e-9
            _SPHERE_ROOTS.append(brentq(lambda a: math.tan(a) - a, lo, hi))
    return _SPHERE_ROOTS


def surface_lag(radius_m: float, D_m2_s: float, rate_per_s: float, t_s: float) -> float:
    """How far the surface Li fraction of a sphere under a constant flux has moved ahead
    of its mean after ``t_s`` (mean moving at ``rate_per_s``): the exact series
    Δ(t) = (R² ẋ / 3D) [1/5 − 2 Σ exp(−α_n² D t/R²) / α_n²], tan α_n = α_n (Crank, The
    Mathematics of Diffusion, §6.3), which grows to R² ẋ/(15 D)."""
    tau = D_m2_s * t_s / radius_m**2
    series = sum(math.exp(-a * a * tau) / (a * a) for a in _sphere_roots())
    return radius_m**2 * rate_per_s / (3.0 * D_m2_s) * max(0.2 - 2.0 * series, 0.0)


TRANSPORT_MARGIN = 1.5
"""A run is refused when even the optimistic estimate (the largest D of the window) puts
the surface this many times beyond [0, 1] at the last report SOC."""


def check_transport(plan: Any) -> None:
    """Refuse, before any meshing, a galvanostatic run that diffusion cannot carry (one
    without a cut-off voltage, which would end it first): the
    surface Li fraction of the particle (a sphere of radius R with the cathode's largest
    D over its window: an optimistic bound) would leave [0, 1] by more than
    :data:`TRANSPORT_MARGIN` times the room left at the last report SOC (ConfigError
    naming the C-rate, the diffusivity and the radius, with the SOC where the surface
    runs out)."""
    import numpy as np

    ld = plan.loading
    if ld.cutoff_V is not None:
        # the run ends where the voltage reaches the cut-off: the surface at U⁻¹(V) (less
        # the overpotential), inside (0, 1) as resolve() checked, before it could leave
        return
    x_min, x_max = ld.x_window
    width = x_max - x_min
    rate = ld.c_rate * width / 3600.0  # |dx̄/dt|, 1/s
    soc_last = ld.report_soc[-1]
    x_last = x_max - soc_last * width
    t_end = abs(x_last - ld.x_start) / rate
    if t_end <= 0.0:
        return
    xs = np.linspace(x_min, x_max, 41)
    law = plan.cathode.diffusivity
    D = float(np.max(np.asarray(law(xs), dtype=float) * np.ones_like(xs)))
    R = plan.geometry.particle_radius_um * 1e-6
    charge = ld.mode == "charge"
    room = max(x_last if charge else 1.0 - x_last, X_ROUNDOFF)
    lag = surface_lag(R, D, rate, t_end)
    if lag <= TRANSPORT_MARGIN * room:
        return

    def surface_out(t: float) -> float:  # > 0 once the surface has left [0, 1]
        xbar = ld.x_start - rate * t if charge else ld.x_start + rate * t
        return surface_lag(R, D, rate, t) - (xbar if charge else 1.0 - xbar)

    lo, hi = 0.0, t_end
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (lo, mid) if surface_out(mid) > 0 else (mid, hi)
    x_out = ld.x_start - rate * hi if charge else ld.x_start + rate * hi
    soc_out = (x_max - x_out) / width
    steady = R**2 * rate / (15.0 * D)
    c_ok = ld.c_rate * room / max(steady, lag)
    fix = (
        f"Lower loading.c_rate to about {c_ok:.2g}C or below, end earlier"
        if room > 1e-3
        else f"The window ends at x = {x_last:g}, which no galvanostatic {ld.mode} reaches: end "
        "earlier"
    )
    raise ConfigError(
        f"loading.c_rate: at {ld.c_rate:g}C the surface of this particle (geometry."
        f"particle_radius_um = {plan.geometry.particle_radius_um:g} µm, largest cathode "
        f"diffusivity over its window {D:.3g} m²/s) would leave [0, 1] near SOC "
        f"{soc_out:.2f}, before the last report SOC {soc_last:g}: the surface runs ahead of "
        f"the mean by up to R²ẋ/(15 D) = {steady:.3g} (spherical diffusion at constant flux; "
        f"{lag:.3g} by the end, against {room:.3g} of room). {fix} (loading.report_soc, "
        "loading.x_end), or raise materials.cathode.diffusivity_m2_s"
    )


def check_and_plan(cfg: RunConfig, force: bool = False) -> tuple[ResourceEstimate, Any]:
    """Every check `polycat run` makes before meshing, in order — resolution and memory
    (:func:`check_run`), the run plan (:func:`polycat.config.resolve.resolve`: e.g. the
    interface laws), what diffusion can carry (:func:`check_transport`) — and the plan;
    `polycat validate` makes the same."""
    from polycat.config.resolve import resolve

    est = check_run(cfg, force=force)
    plan = resolve(cfg)
    check_transport(plan)
    return est, plan
