"""The tagged mesh of a mesh folder in the formats of other FE codes, through meshio.

Every format gets the same content: the tetrahedra (triangles in 2-D) of the grains and
the electrolyte, and the facets of every grain boundary, CAM–SE interface patch and outer
face, with their physical tags and names (``grain_3``, ``gb_1_2``, ``interface_4``,
``outer_zmin`` …, the names of ``markers.json``):

* ``vtu``: one unstructured grid, cell data ``tag`` (the physical tag) and ``dim``
  (3: volume, 2: facet; in 2-D meshes 2 and 1).
* ``inp`` (Abaqus): C3D4 volume and R3D3 facet elements (meshio's types); an element set
  (``*ELSET``) and a node set (``*NSET``) per region and per tagged surface, named as
  above in upper case (Abaqus' convention). A surface is given as the set of its facet
  elements and its nodes, not as an Abaqus ``*SURFACE`` of solid-element faces.
* ``med`` (Salome/Code_Aster): cell families by tag with the names as groups.

Exodus needs netCDF4, which the stack does not install: asked for, it is refused by name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EXPORT_FORMATS", "export_mesh", "format_problem"]

EXPORT_FORMATS: dict[str, str] = {"vtu": ".vtu", "inp": ".inp", "med": ".med"}
"""Format name → file suffix of ``polycat mesh --export``."""

_ORDER = {"tetra": 3, "triangle": 2, "line": 1}


def _merged(path: Path) -> tuple[Any, dict[str, int], dict[int, str]]:
    """The mesh of ``path`` (Gmsh .msh) with one cell block per cell type, and per block
    the physical tags; plus name → tag and tag → name (markers of the folder)."""
    import meshio

    raw = meshio.read(path)
    names = {str(k): int(v[0]) for k, v in raw.field_data.items()}
    by_type: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
    for block, tags in zip(raw.cells, raw.cell_data["gmsh:physical"], strict=True):
        if block.type not in _ORDER:
            continue
        by_type.setdefault(block.type, []).append((block.data, np.asarray(tags, dtype=int)))
    blocks, tag_data = [], []
    for ctype in sorted(by_type, key=lambda t: -_ORDER[t]):
        parts = by_type[ctype]
        blocks.append(meshio.CellBlock(ctype, np.concatenate([p[0] for p in parts])))
        tag_data.append(np.concatenate([p[1] for p in parts]))
    mesh = meshio.Mesh(raw.points, blocks, cell_data={"tag": tag_data})
    return mesh, names, {v: k for k, v in names.items()}


def format_problem(fmt: str) -> str | None:
    """Why ``fmt`` cannot be exported (None: it can)."""
    if fmt in EXPORT_FORMATS:
        return None
    extra = " (Exodus needs netCDF4, not part of the stack)" if fmt == "exodus" else ""
    return f"--export {fmt}: unknown mesh format{extra}; choose one of " + ", ".join(EXPORT_FORMATS)


def export_mesh(folder: Path, fmt: str, out: Path | None = None) -> Path:
    """Write the mesh of the mesh folder ``folder`` as ``fmt`` (a key of
    :data:`EXPORT_FORMATS`) to ``out`` (default: ``mesh.<suffix>`` in the folder); returns
    the file written. Raises ValueError for an unknown format (naming the known ones)."""
    import meshio

    problem = format_problem(fmt)
    if problem is not None:
        raise ValueError(problem)
    folder = Path(folder)
    mesh, names, tag_name = _merged(folder / "mesh.msh")
    dim = 3 if any(b.type == "tetra" for b in mesh.cells) else 2
    path = Path(out) if out is not None else folder / f"mesh{EXPORT_FORMATS[fmt]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    tags = mesh.cell_data["tag"]
    if fmt == "vtu":
        dims = [np.full(len(b.data), _ORDER[b.type]) for b in mesh.cells]
        pts = mesh.points if dim == 3 else mesh.points[:, :2]
        grid = meshio.Mesh(pts, mesh.cells, cell_data={"tag": tags, "dim": dims})
        meshio.write(path, grid, file_format="vtu")
    elif fmt == "inp":
        cell_sets: dict[str, list[np.ndarray]] = {}
        point_sets: dict[str, np.ndarray] = {}
        for name, tag in sorted(names.items(), key=lambda kv: kv[1]):
            sel = [np.flatnonzero(t == tag) for t in tags]
            if not any(len(s) for s in sel):
                continue
            cell_sets[name.upper()] = sel
            nodes = [b.data[s].ravel() for b, s in zip(mesh.cells, sel, strict=True)]
            point_sets[name.upper()] = np.unique(np.concatenate(nodes))
        grid = meshio.Mesh(mesh.points, mesh.cells, cell_sets=cell_sets, point_sets=point_sets)
        meshio.write(path, grid, file_format="abaqus")
    else:  # med: families by tag, named groups
        grid = meshio.Mesh(mesh.points, mesh.cells, cell_data={"cell_tags": tags})
        present = np.unique(np.concatenate(tags))
        grid.cell_tags = {int(t): [tag_name.get(int(t), f"tag_{int(t)}")] for t in present}
        meshio.write(path, grid, file_format="med")
    info = {"format": fmt, "file": path.name, "tags": names, "dim": dim}
    path.with_suffix(path.suffix + ".json").write_text(json.dumps(info, indent=1))
    return path
