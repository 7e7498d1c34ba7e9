"""Particle geometry: Gmsh builders of polycrystalline particles and the mesh folder.

Rank-0, gmsh-only code (no DOLFINx). The entry points are `GeometrySpec` (the config's
``geometry:`` section), `build_mesh_folder` and `ensure_mesh` (cached, MPI-safe).
Units: µm. Tags and names follow `docs/internals.md` (see `polycat.geometry.tags`).
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
