"""``mesh.msh`` of a mesh read from a file (``geometry.kind: file``): a discrete gmsh model.

One discrete entity per region (grain, electrolyte) and per facet tag, each its own
physical group with the name and tag of `docs/internals.md`, written like a generated mesh
(MSH 4.1, binary, elements of the physical groups only), so `polycat.mesh` reads it the
same way. Nodes keep the order of the file (node tag k + 1 for row k) and cells the file's
order within each region. Rank 0 only.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

import gmsh

from polycat.geometry.errors import GeometryError
from polycat.geometry.gmsh.meshing import MeshQuality, mesh_quality
from polycat.geometry.gmsh.session import gmsh_session
from polycat.geometry.mesh_arrays import FloatArray, IntArray

__all__ = ["write_discrete_msh"]

#: Gmsh element types of first-order simplices by dimension.
_ELEMENT_TYPE = {3: 4, 2: 2, 1: 1}


def write_discrete_msh(
    path: Path,
    dim: int,
    points: FloatArray,
    cells: IntArray,
    cell_tags: IntArray,
    facets: IntArray,
    facet_tags: IntArray,
    markers: dict[str, tuple[int, int]],
    verbose: bool = False,
) -> tuple[str, MeshQuality, dict[str, int], dict[str, float]]:
    """Write the tagged mesh to ``path``; return the Gmsh version, the cells' quality, the
    element counts (as ``info.json`` has them) and wall times (s).

    Raises:
        GeometryError: if Gmsh refuses the mesh or finds inverted cells.
    """
    names = {(tag, d): name for name, (tag, d) in markers.items()}
    t0 = time.perf_counter()
    with gmsh_session(verbose):
        model = gmsh.model
        node_tags = np.arange(1, len(points) + 1, dtype=np.uint64)
        next_element = 1
        first = True
        try:
            for d, conn, values in ((dim, cells, cell_tags), (dim - 1, facets, facet_tags)):
                for tag in np.unique(values):
                    sel = conn[values == tag]
                    entity = model.addDiscreteEntity(d)
                    if first:  # every node once, in the file's order, on the first region
                        model.mesh.addNodes(d, entity, node_tags, points.ravel())
                        first = False
                    etags = np.arange(next_element, next_element + len(sel), dtype=np.uint64)
                    next_element += len(sel)
                    model.mesh.addElementsByType(
                        entity, _ELEMENT_TYPE[d], etags, (sel + 1).astype(np.uint64).ravel()
                    )
                    name = names.get((int(tag), d))
                    if name is None:
                        raise GeometryError(f"no marker name for tag {int(tag)} (internal error)")
                    model.addPhysicalGroup(d, [entity], int(tag), name)
        except GeometryError:
            raise
        except Exception as exc:  # gmsh raises bare Exception with its last error
            raise GeometryError(f"Gmsh refused the mesh read from the file ({exc})") from None
        t1 = time.perf_counter()
        quality = mesh_quality(dim)
        t2 = time.perf_counter()
        if quality.sicn["min"] <= 0.0:
            raise GeometryError(
                f"geometry.file: the mesh has inverted or flat cells (min SICN "
                f"{quality.sicn['min']:.3g}); repair the mesh"
            )
        counts: dict[str, Any] = {"nodes": len(points), str(dim): len(cells)}
        counts[str(dim - 1)] = len(facets)
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.option.setNumber("Mesh.Binary", 1)
        gmsh.option.setNumber("Mesh.SaveAll", 0)
        gmsh.write(str(path))
        t3 = time.perf_counter()
        return (
            str(gmsh.__version__),
            quality,
            counts,
            {"gmsh_model_s": t1 - t0, "quality_s": t2 - t1, "write_msh_s": t3 - t2},
        )
