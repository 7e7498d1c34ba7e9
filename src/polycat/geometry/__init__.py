"""Particle geometry: polycrystalline particles meshed by Gmsh, and the mesh folder.

Rank-0 code (no DOLFINx); `polycat.mesh` reads the result on any number of ranks. Units:
µm. Tags and names follow `docs/internals.md` (see `polycat.geometry.tags`).

Entry points (imported lazily: ``import polycat.geometry`` imports neither Gmsh nor any
step module):

- `GeometrySpec` — the config's ``geometry:`` section (frozen, validated, `cache_key()`).
- `build_mesh_folder(spec, folder)` — build ``mesh.msh``, ``markers.json``, ``grains.csv``,
  ``info.json`` and ``grains.png`` (one rank, no MPI), written atomically.
- `ensure_mesh(spec, cache_dir, comm)` — the cached folder ``cache_dir/<cache_key>/``,
  built on rank 0 if missing; every rank returns the same path or raises the same
  `GeometryError`.

Layout: a pure half and a Gmsh half.

- `spec`, `tags`, `errors` — the geometry's description, the tag scheme, `GeometryError`.
- `tessellation/` (numpy/scipy only) — `seeds` → `power_diagram` → `regularize` (editing
  the cell complex of `complex`) → `faces` (planar pieces), `seam` (where the sphere's seam
  goes), and `primitives`, the computational geometry they share.
- `gmsh/` (the only place that imports ``gmsh``) — `occ_model` (OCC booleans) →
  `tagging` (physical groups) → `sizing` (size fields) → `meshing` (mesh, quality, arrays),
  run in order by `pipeline`; `session` opens gmsh for a build or to read a ``.msh``.
- `mesh_arrays`, `plot`, `folder` — the per-grain table, ``grains.png``, the files and the
  cache (a build imports `gmsh/` when it starts).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from polycat.geometry.errors import GeometryError
    from polycat.geometry.folder import (
        REQUIRED_FILES,
        build_mesh_folder,
        ensure_mesh,
        is_complete,
    )
    from polycat.geometry.spec import GeometrySpec

#: Public name → the module that defines it (imported on first use, PEP 562).
_LAZY = {
    "REQUIRED_FILES": "polycat.geometry.folder",
    "GeometryError": "polycat.geometry.errors",
    "GeometrySpec": "polycat.geometry.spec",
    "build_mesh_folder": "polycat.geometry.folder",
    "ensure_mesh": "polycat.geometry.folder",
    "is_complete": "polycat.geometry.folder",
}

__all__ = [
    "REQUIRED_FILES",
    "GeometryError",
    "GeometrySpec",
    "build_mesh_folder",
    "ensure_mesh",
    "is_complete",
]


def __getattr__(name: str) -> Any:
    """The public names of `__all__`, imported from their modules on first access."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Module attributes including the lazily imported public names."""
    return sorted(set(globals()) | set(__all__))
