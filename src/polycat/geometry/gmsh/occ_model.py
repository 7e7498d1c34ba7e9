"""OpenCASCADE B-rep of the particle: grains cut from a sphere (disc), plus the matrix.

The ball is split by the tessellation faces with one ``occ.fragment`` (pieces of faces
outside the ball are deleted), the grains are mapped back to their seeds, and a second
``occ.fragment`` with the box or shell makes the matrix share the particle surface, so the
mesh is conforming and the displacement continuous. The sphere (disc) is first rotated so
that its seam stays clear of the faces (`polycat.geometry.tessellation.seam`). Runs inside
an initialised gmsh session (rank 0 only). Coordinates in µm.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

import gmsh

from polycat.geometry.errors import GeometryError
from polycat.geometry.spec import GeometrySpec
from polycat.geometry.tessellation.faces import Piece
from polycat.geometry.tessellation.power_diagram import Tessellation
from polycat.geometry.tessellation.primitives import (
    segment_distance_to_origin,
    segment_sphere_points,
)
from polycat.geometry.tessellation.seam import circle_rotation, sphere_rotation

FloatArray = npt.NDArray[np.float64]


@dataclass
class ParticleModel:
    """The synchronised gmsh model's entities, by role.

    Attributes:
        dim: 2 or 3.
        grain_entities: grain id (1..N) → gmsh entity tag of that grain (dimension `dim`).
        matrix_entities: gmsh entity tags of the matrix (empty for ``matrix: none``).
        seam_clearance_um: distance from the sphere's seam/poles (3D) or the circle's start
            point (2D) to the nearest tessellation feature on the particle surface, µm.
        timings_s: wall time per step, s.
    """

    dim: int
    grain_entities: dict[int, int]
    matrix_entities: list[int]
    seam_clearance_um: float = math.inf
    timings_s: dict[str, float] = field(default_factory=dict)


def build_particle_model(
    spec: GeometrySpec, tess: Tessellation, pieces: list[Piece]
) -> ParticleModel:
    """Build and synchronise the B-rep of `spec` from the tessellation faces.

    Args:
        spec: the geometry.
        tess: the (regularised) tessellation; its vertices are the face corners.
        pieces: planar face pieces (3D) that reach into the ball; ignored in 2D, where the
            tessellation's segments are used directly.

    Raises:
        GeometryError: if a boolean fails or the grains do not map one-to-one to seeds.
    """
    t0 = time.perf_counter()
    occ = gmsh.model.occ
    dim = spec.dim
    radius = spec.particle_radius_um
    clearance = math.inf
    if dim == 3:
        tools = _add_faces_3d(tess, pieces)
        ball = occ.addSphere(0.0, 0.0, 0.0, radius)
        rotation = sphere_rotation(tess, pieces, radius) if tools else None
        if rotation is not None:
            axis, angle, clearance = rotation
            occ.rotate([(3, ball)], 0.0, 0.0, 0.0, axis[0], axis[1], axis[2], angle)
    else:
        tools, crossings = _add_segments_2d(tess, radius)
        ball = occ.addDisk(0.0, 0.0, 0.0, radius, radius)
        angle, clearance = circle_rotation(crossings, radius)
        if angle != 0.0:
            occ.rotate([(2, ball)], 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, angle)
    t1 = time.perf_counter()
    if tools:
        _boolean(
            lambda: occ.fragment([(dim, ball)], [(dim - 1, t) for t in tools]),
            "splitting the particle into grains",
        )
    occ.synchronize()
    _remove_free_entities(dim)
    t2 = time.perf_counter()
    grains = _map_grains(spec, tess)
    matrix: list[int] = []
    if spec.matrix != "none":
        grains, matrix = _add_matrix(spec, grains)
    t3 = time.perf_counter()
    return ParticleModel(
        dim,
        grains,
        matrix,
        seam_clearance_um=float(clearance),
        timings_s={
            "occ_faces_s": t1 - t0,
            "occ_grains_s": t2 - t1,
            "occ_matrix_s": t3 - t2,
        },
    )


# --------------------------------------------------------------------------- entities


def _add_faces_3d(tess: Tessellation, pieces: list[Piece]) -> list[int]:
    """Add the planar pieces as OCC plane surfaces sharing points and lines."""
    occ = gmsh.model.occ
    points: dict[int, int] = {}
    lines: dict[tuple[int, int], int] = {}

    def point(v: int) -> int:
        if v not in points:
            x = tess.vertices[v]
            points[v] = occ.addPoint(float(x[0]), float(x[1]), float(x[2]))
        return points[v]

    def line(p: int, q: int) -> int:
        key = (min(p, q), max(p, q))
        if key not in lines:
            lines[key] = occ.addLine(point(key[0]), point(key[1]))
        return lines[key] if key == (p, q) else -lines[key]

    surfaces = []
    for pc in pieces:
        loop = list(pc.loop)
        curve_loop = occ.addCurveLoop(
            [line(loop[i], loop[(i + 1) % len(loop)]) for i in range(len(loop))]
        )
        surfaces.append(occ.addPlaneSurface([curve_loop]))
    return surfaces


def _add_segments_2d(tess: Tessellation, radius: float) -> tuple[list[int], FloatArray]:
    """Add the tessellation segments that reach into the disc; also return their crossings
    with the circle (µm)."""
    occ = gmsh.model.occ
    points: dict[int, int] = {}
    curves = []
    crossings = []
    for face in tess.faces:
        p, q = tess.vertices[face.loop[0]], tess.vertices[face.loop[1]]
        if segment_distance_to_origin(p, q)[0] >= radius * (1.0 - 1e-9):
            continue
        for v in face.loop:
            if v not in points:
                x = tess.vertices[v]
                points[v] = occ.addPoint(float(x[0]), float(x[1]), 0.0)
        curves.append(occ.addLine(points[face.loop[0]], points[face.loop[1]]))
        crossings.extend(segment_sphere_points(p, q, radius))
    return curves, np.array(crossings).reshape(-1, 2)


# --------------------------------------------------------------------------- booleans


def _boolean[T](op: Callable[[], T], what: str) -> T:
    """Run an OCC boolean, turning Gmsh's bare exception into a `GeometryError`."""
    try:
        return op()
    except Exception as exc:  # gmsh raises bare Exception with its last error
        raise GeometryError(
            f"OpenCASCADE failed while {what} ({exc}); try another geometry.seed, or change "
            "geometry.regularize or geometry.min_seed_spacing"
        ) from None


def _remove_free_entities(dim: int) -> None:
    """Delete facets (and below) that bound no cell: face pieces outside the particle."""
    for _ in range(3):
        free = [
            (dim - 1, t)
            for _, t in gmsh.model.getEntities(dim - 1)
            if len(gmsh.model.getAdjacencies(dim - 1, t)[0]) == 0
        ]
        if not free:
            return
        gmsh.model.occ.remove(free, recursive=True)
        gmsh.model.occ.synchronize()


def _map_grains(spec: GeometrySpec, tess: Tessellation) -> dict[int, int]:
    """Grain id (1-based seed order) → entity tag, by the cells holding the centres of mass."""
    dim = spec.dim
    cells = [t for _, t in gmsh.model.getEntities(dim)]
    n = spec.n_grains
    if len(cells) != n:
        raise GeometryError(
            f"the tessellation split the particle into {len(cells)} pieces for {n} grains; "
            "try another geometry.seed or change geometry.regularize"
        )
    com = np.array([gmsh.model.occ.getCenterOfMass(dim, t) for t in cells])[:, :dim]
    power = np.sum((com[:, None, :] - tess.seeds[None, :, :]) ** 2, axis=2) - tess.weights[None, :]
    rows, cols = linear_sum_assignment(power)
    return {int(c) + 1: int(cells[r]) for r, c in zip(rows, cols, strict=True)}


def _add_matrix(spec: GeometrySpec, grains: dict[int, int]) -> tuple[dict[int, int], list[int]]:
    """Fragment the grains with the box or shell; return the updated grain map and matrix."""
    occ = gmsh.model.occ
    dim = spec.dim
    size = spec.matrix_size_um
    if spec.matrix == "box":
        h = 0.5 * size
        outer = (
            occ.addBox(-h, -h, -h, size, size, size)
            if dim == 3
            else occ.addRectangle(-h, -h, 0.0, size, size)
        )
    else:
        outer = (
            occ.addSphere(0.0, 0.0, 0.0, size)
            if dim == 3
            else occ.addDisk(0.0, 0.0, 0.0, size, size)
        )
    ids = sorted(grains)
    objects = [(dim, grains[i]) for i in ids]
    result = _boolean(
        lambda: occ.fragment(objects, [(dim, outer)]), "joining the particle and the matrix"
    )
    _, out_map = result
    occ.synchronize()
    new_grains: dict[int, int] = {}
    for k, i in enumerate(ids):
        pieces = [t for d, t in out_map[k] if d == dim]
        if len(pieces) != 1:
            raise GeometryError(
                f"grain {i} was split by the matrix boolean; try another geometry.seed"
            )
        new_grains[i] = pieces[0]
    taken = set(new_grains.values())
    matrix = sorted({t for d, t in out_map[len(ids)] if d == dim and t not in taken})
    if not matrix:
        raise GeometryError("the matrix boolean left no electrolyte volume")
    return new_grains, matrix
