"""Mesh generation (first-order simplices), element-quality statistics, the mesh as arrays.

3D: surfaces with Frontal-Delaunay, volumes with HXT (`Mesh.Algorithm3D = 10`, 2 threads;
~5× faster than the default Delaunay at equal quality on these models), then Gmsh's tet
optimiser. Element quality is gamma (inscribed/circumscribed radius ratio, normalised) and
SICN (signed inverse condition number; ≤ 0 means an inverted element).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

import gmsh

from polycat.geometry.errors import GeometryError
from polycat.geometry.gmsh.occ_model import ParticleModel
from polycat.geometry.gmsh.tagging import FacetClasses
from polycat.geometry.mesh_arrays import IntArray, MeshArrays
from polycat.geometry.spec import GeometrySpec

LOG = logging.getLogger(__name__)

#: Elements with SICN below this are counted (and reported) as poor.
POOR_SICN = 0.1
#: Threads for HXT (the target machines have 2 cores).
THREADS = 2


@dataclass(frozen=True)
class MeshQuality:
    """Quality statistics of the cells of the mesh (dimensionless)."""

    gamma: dict[str, float]
    sicn: dict[str, float]
    n_poor: int
    n_cells: int

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "gamma": self.gamma,
            "sicn": self.sicn,
            f"n_sicn_below_{POOR_SICN}": self.n_poor,
            "n_cells": self.n_cells,
        }


def generate_mesh(spec: GeometrySpec) -> dict[str, float]:
    """Mesh the current model with first-order simplices; return wall times per phase (s).

    Raises:
        GeometryError: if Gmsh fails (with its last error message).
    """
    dim = spec.dim
    gmsh.option.setNumber("Mesh.ElementOrder", 1)
    gmsh.option.setNumber("Mesh.Algorithm", 6)
    gmsh.option.setNumber("Mesh.Algorithm3D", 10)
    gmsh.option.setNumber("Mesh.Optimize", 1)
    gmsh.option.setNumber("Mesh.OptimizeNetgen", 0)  # measured: no gain on these models
    gmsh.option.setNumber("Mesh.MaxNumThreads3D", THREADS)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    # Surface meshing stays single-threaded (it is fast; some of Gmsh's 2D code paths are
    # not thread-safe).
    gmsh.option.setNumber("General.NumThreads", 1)
    _run(lambda: gmsh.model.mesh.generate(1), "meshing the curves", spec)
    _run(lambda: gmsh.model.mesh.generate(2), "meshing the surfaces", spec)
    timings["mesh_2d_s"] = time.perf_counter() - t0
    if dim == 3:
        t1 = time.perf_counter()
        gmsh.option.setNumber("General.NumThreads", THREADS)
        _run(lambda: gmsh.model.mesh.generate(3), "meshing the volumes (HXT)", spec)
        timings["mesh_3d_s"] = time.perf_counter() - t1
    return timings


def mesh_quality(dim: int) -> MeshQuality:
    """Quality statistics of all cells (elements of dimension `dim`)."""
    tags: list[int] = []
    for _, t in gmsh.model.getEntities(dim):
        _, etags, _ = gmsh.model.mesh.getElements(dim, t)
        tags.extend(int(x) for arr in etags for x in arr)
    if not tags:
        raise GeometryError("Gmsh produced no cells; lower geometry.mesh_size_um")
    gamma = np.asarray(gmsh.model.mesh.getElementQualities(tags, "gamma"))
    sicn = np.asarray(gmsh.model.mesh.getElementQualities(tags, "minSICN"))
    return MeshQuality(_summary(gamma), _summary(sicn), int(np.sum(sicn < POOR_SICN)), len(tags))


def check_quality(quality: MeshQuality, spec: GeometrySpec) -> None:
    """Fail on inverted cells; log poor ones.

    Raises:
        GeometryError: if any cell has SICN ≤ 0.
    """
    if quality.sicn["min"] <= 0.0:
        raise GeometryError(
            f"the mesh has inverted or flat elements (min SICN {quality.sicn['min']:.3g}); "
            f"change geometry.mesh_size_um ({spec.mesh_size_um} µm) or geometry.seed, or raise "
            "geometry.regularize"
        )
    if quality.n_poor:
        LOG.warning(
            "%d of %d elements have SICN < %.1f (min %.3f); consider raising "
            "geometry.regularize or changing geometry.seed",
            quality.n_poor,
            quality.n_cells,
            POOR_SICN,
            quality.sicn["min"],
        )


def extract_mesh(dim: int, model: ParticleModel, facet_classes: FacetClasses) -> MeshArrays:
    """Read the current gmsh mesh into arrays."""
    node_tags, coords, _ = gmsh.model.mesh.getNodes()
    node_tags = np.asarray(node_tags, dtype=np.int64)
    index = np.full(int(node_tags.max()) + 1, -1, dtype=np.int64)
    index[node_tags] = np.arange(len(node_tags))
    points = np.asarray(coords, dtype=float).reshape(-1, 3)
    cell_blocks: list[IntArray] = []
    labels: list[IntArray] = []
    owners = [(i, t) for i, t in model.grain_entities.items()] + [
        (0, t) for t in model.matrix_entities
    ]
    for grain, entity in owners:
        conn = _simplices(dim, entity, index)
        cell_blocks.append(conn)
        labels.append(np.full(len(conn), grain, dtype=np.int64))
    facets = {
        i: np.concatenate([_simplices(dim - 1, e, index) for e in ents])
        for i, ents in facet_classes.interface.items()
    }
    return MeshArrays(points, np.concatenate(cell_blocks), np.concatenate(labels), facets)


def _simplices(dim: int, entity: int, index: IntArray) -> IntArray:
    """First-order simplices of one entity as 0-based node indices."""
    etypes, _, enodes = gmsh.model.mesh.getElements(dim, entity)
    n = dim + 1
    blocks = [
        index[np.asarray(nodes, dtype=np.int64)].reshape(-1, n)
        for et, nodes in zip(etypes, enodes, strict=True)
        if gmsh.model.mesh.getElementProperties(et)[1] == dim
    ]
    return np.concatenate(blocks) if blocks else np.zeros((0, n), dtype=np.int64)


def _summary(values: np.ndarray) -> dict[str, float]:
    return {
        "min": float(values.min()),
        "mean": float(values.mean()),
        "p1": float(np.percentile(values, 1)),
        "p5": float(np.percentile(values, 5)),
        "p50": float(np.percentile(values, 50)),
    }


def _run(op: Any, what: str, spec: GeometrySpec) -> None:
    try:
        op()
    except Exception as exc:  # gmsh raises bare Exception carrying its last error
        raise GeometryError(
            f"Gmsh failed while {what} ({exc}); change geometry.mesh_size_um "
            f"({spec.mesh_size_um} µm) or geometry.seed, or raise geometry.regularize"
        ) from None
