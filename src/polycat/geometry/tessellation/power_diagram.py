"""Power (Laguerre/Voronoi) diagram of the grain seeds as a cell complex.

The diagram is computed from the regular triangulation of the seeds (the lower convex hull
of the lifted points ``(s, |s|² - w)``); a ring of far "ghost" seeds bounds every real
cell. Only the faces between two real cells are kept: in 3D a face is a polygon (a cyclic
list of vertex indices), in 2D a segment (two vertex indices). Faces with a ghost are far
outside the particle and are never used. Coordinates in µm, weights in µm².
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import ConvexHull, QhullError

from polycat.geometry.errors import GeometryError

FloatArray = npt.NDArray[np.float64]

#: Ghost seeds sit on a sphere of this many particle radii (jittered, see `_ghosts`).
_GHOST_RADIUS = 4.0
_GHOSTS_3D = 96
_GHOSTS_2D = 48


@dataclass
class Face:
    """The interface between the cells of seeds `a` < `b` (0-based seed indices).

    `loop` lists vertex indices: a closed polygon in 3D (cyclic order), a segment in 2D.
    """

    a: int
    b: int
    loop: list[int]


@dataclass
class Tessellation:
    """A power diagram as vertices and faces between real cells.

    Attributes:
        dim: 2 or 3.
        seeds: (N, dim) seed points, µm.
        weights: (N,) Laguerre weights, µm².
        vertices: (M, dim) vertex coordinates, µm (may hold unused rows).
        faces: faces between two real cells.
    """

    dim: int
    seeds: FloatArray
    weights: FloatArray
    vertices: FloatArray
    faces: list[Face]

    def edges(self) -> set[tuple[int, int]]:
        """The diagram's edges as sorted vertex-index pairs (3D: polygon sides; 2D: faces)."""
        out: set[tuple[int, int]] = set()
        for f in self.faces:
            out.update(loop_edges(f.loop, self.dim))
        return out


def loop_edges(loop: list[int], dim: int) -> list[tuple[int, int]]:
    """The edges of a face `loop` as sorted vertex-index pairs, in loop order: the
    polygon's sides (3D) or the segment itself (2D)."""
    pairs = zip(loop, loop[1:] + loop[:1], strict=True) if dim == 3 else [loop]
    return [(min(p, q), max(p, q)) for p, q in pairs]


def power_diagram(seeds: FloatArray, weights: FloatArray, radius: float) -> Tessellation:
    """Power diagram of `seeds` (µm) with `weights` (µm²) inside a particle of `radius` µm.

    For N = 1 the diagram has no faces.

    Raises:
        GeometryError: if Qhull fails or a cell is not bounded by the ghost seeds.
    """
    n, dim = seeds.shape
    if n == 1:
        return Tessellation(dim, seeds.copy(), weights.copy(), np.zeros((0, dim)), [])
    ghosts = _ghosts(dim, radius)
    pts = np.vstack([seeds, ghosts])
    w = np.concatenate([weights, np.full(len(ghosts), weights.min())])
    lifted = np.column_stack([pts, np.sum(pts**2, axis=1) - w])
    try:
        hull = ConvexHull(lifted)
    except QhullError as exc:  # pragma: no cover - degenerate input only
        raise GeometryError(
            f"the seed triangulation failed ({str(exc).splitlines()[0]}); try another geometry.seed"
        ) from exc
    lower = hull.equations[:, dim] < 0.0
    simplices = hull.simplices
    neighbors = hull.neighbors
    centres: dict[int, int] = {}
    coords: list[FloatArray] = []

    def vertex_of(t: int) -> int:
        if t not in centres:
            centres[t] = len(coords)
            coords.append(_power_centre(pts[simplices[t]], w[simplices[t]]))
        return centres[t]

    faces: list[Face] = []
    done: set[tuple[int, int]] = set()
    for t in np.flatnonzero(lower):
        simplex = simplices[t]
        for i in range(dim + 1):
            for j in range(i + 1, dim + 1):
                a, b = int(simplex[i]), int(simplex[j])
                if a >= n or b >= n:
                    continue
                key = (min(a, b), max(a, b))
                if key in done:
                    continue
                done.add(key)
                ring = _ring(int(t), key, simplices, neighbors, lower, dim)
                faces.append(Face(key[0], key[1], [vertex_of(r) for r in ring]))
    vertices = np.array(coords) if coords else np.zeros((0, dim))
    return Tessellation(dim, seeds.copy(), weights.copy(), vertices, faces)


def _ghosts(dim: int, radius: float) -> FloatArray:
    """Far seeds on a jittered sphere/circle of radius `_GHOST_RADIUS × radius` µm."""
    rng = np.random.default_rng(12345)
    if dim == 3:
        m = _GHOSTS_3D
        k = np.arange(m) + 0.5
        polar = np.arccos(1.0 - 2.0 * k / m)
        azimuth = math.pi * (1.0 + math.sqrt(5.0)) * k
        unit = np.column_stack(
            [np.cos(azimuth) * np.sin(polar), np.sin(azimuth) * np.sin(polar), np.cos(polar)]
        )
    else:
        m = _GHOSTS_2D
        angle = 2.0 * math.pi * (np.arange(m) + 0.5) / m
        unit = np.column_stack([np.cos(angle), np.sin(angle)])
    r = _GHOST_RADIUS * radius * (1.0 + 0.02 * rng.random(m))
    return unit * r[:, None]


def _power_centre(p: FloatArray, w: FloatArray) -> FloatArray:
    """The point with equal power distance to the simplex vertices `p` (weights `w`)."""
    a = 2.0 * (p[1:] - p[0])
    rhs = np.sum(p[1:] ** 2, axis=1) - w[1:] - np.sum(p[0] ** 2) + w[0]
    return np.asarray(np.linalg.solve(a, rhs), dtype=float)


def _ring(
    start: int,
    edge: tuple[int, int],
    simplices: npt.NDArray[np.int32],
    neighbors: npt.NDArray[np.int32],
    lower: npt.NDArray[np.bool_],
    dim: int,
) -> list[int]:
    """Simplices around a triangulation edge, in order (the dual face's vertices).

    3D: walk from tet to tet across the triangles that hold the edge; 2D: the two
    triangles that share the edge.
    """
    a, b = edge
    if dim == 2:
        s = simplices[start]
        opposite = next(k for k in range(3) if s[k] != a and s[k] != b)
        other = int(neighbors[start][opposite])
        if not lower[other]:
            raise GeometryError(_UNBOUNDED)
        return [start, other]
    ring = [start]
    s = simplices[start]
    # Leave `start` across the face opposite one of its two non-edge vertices.
    leave = next(k for k in range(4) if s[k] != a and s[k] != b)
    current = start
    for _ in range(10_000):
        nxt = int(neighbors[current][leave])
        if not lower[nxt]:
            raise GeometryError(_UNBOUNDED)
        if nxt == start:
            return ring
        ring.append(nxt)
        came_from = simplices[current]
        shared = set(came_from.tolist())
        s = simplices[nxt]
        # Enter through the face holding {a, b, x}; leave opposite x.
        x = next(int(v) for v in s if v != a and v != b and v in shared)
        leave = int(np.flatnonzero(s == x)[0])
        current = nxt
    raise GeometryError(_UNBOUNDED)  # pragma: no cover


_UNBOUNDED = (
    "the tessellation has an unbounded cell (internal error in the ghost seeds); "
    "try another geometry.seed"
)
