"""Particle geometry: Gmsh builders of polycrystalline particles and the mesh folder.

Rank-0, gmsh-only code (no DOLFINx); `polycat.mesh` reads the result on any number of
ranks. Units: µm. Tags and names follow `docs/internals.md` (see `polycat.geometry.tags`).

Entry points:

- `GeometrySpec` — the config's ``geometry:`` section (frozen, validated, `cache_key()`).
- `build_mesh_folder(spec, folder)` — build ``mesh.msh``, ``markers.json``, ``grains.csv``,
  ``info.json`` and ``grains.png`` (one rank, no MPI), written atomically.
- `ensure_mesh(spec, cache_dir, comm)` — the cached folder ``cache_dir/<cache_key>/``,
  built on rank 0 if missing; every rank returns the same path or raises the same
  `GeometryError`.

How a particle is built (one module per step):

1. `seeds` — N seeds in the sphere (disc): hard-core random sequential addition, kept half
   a hard-core distance below the surface, Lloyd relaxation; Laguerre weights fitted for
   ``grain_size_cv > 0``. Grain i is seed i (1-based, seed order).
2. `tessellation` — the power (Voronoi/Laguerre) diagram from the lifted convex hull, as
   vertices and faces between cells (ghost seeds far out bound every cell).
3. `regularize` — collapse edges shorter than ``regularize × mesh_size_um``, zip needle
   corners, move vertices out of a band around the sphere (Neper-style regularisation).
4. `faces` — split faces made non-planar by (3) into planar pieces.
5. `occ_model` — one ``occ.fragment`` of the sphere by the faces (pieces outside are
   deleted), grains mapped to seeds by centre of mass, a second ``occ.fragment`` with the
   box/shell so the matrix shares the particle surface (conforming mesh).
6. `tagging` — physical groups from the cells on both sides of every facet.
7. `sizing` — Distance/Threshold/Ball fields: h in the grains, the interface size on the
   particle surface (and the grain boundaries when finer), growing into the matrix.
8. `meshing` — first-order simplices (Frontal-Delaunay surfaces, HXT volumes on 2
   threads), quality statistics, failure on inverted elements.
9. `mesh_arrays`, `plot`, `folder` — the per-grain table, the PNG, the files and cache.
"""

from polycat.geometry.errors import GeometryError
from polycat.geometry.folder import REQUIRED_FILES, build_mesh_folder, ensure_mesh, is_complete
from polycat.geometry.spec import GeometrySpec

__all__ = [
    "REQUIRED_FILES",
    "GeometryError",
    "GeometrySpec",
    "build_mesh_folder",
    "ensure_mesh",
    "is_complete",
]
