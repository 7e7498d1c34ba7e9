"""Planar pieces of (possibly non-planar) grain-boundary faces, for the OCC B-rep.

After regularisation some tessellation faces are no longer planar. Filling them with
smooth B-spline surfaces makes the OpenCASCADE booleans ~50× slower, so a non-planar
face is split instead into planar pieces along diagonals between its own vertices:
a triangulation is chosen (by dynamic programming over the polygon's triangulations) that
keeps the vertices still on the face's original plane together in one planar piece, avoids
thin off-plane triangles, and avoids diagonals that cross the particle surface between
their ends (such a crossing would add a vertex on the sphere at an arbitrary place, i.e. a
possibly short arc). The kinks between pieces are shallow (about ℓ / face size).
Coordinates in µm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycat.geometry.errors import GeometryError
from polycat.geometry.tessellation.power_diagram import Tessellation
from polycat.geometry.tessellation.primitives import (
    corner_angle,
    planarity_deviation,
    plane_frame,
    point_triangle_distance,
    polygon_distance_to_origin,
    segment_sphere_params,
    signed_area,
)

FloatArray = npt.NDArray[np.float64]

#: Relative (to R) distance below which points count as coplanar.
PLANAR_TOL = 1e-9
#: Off-plane triangles with a smaller angle (rad) are penalised.
_GOOD_ANGLE = math.radians(30.0)


@dataclass(frozen=True)
class Piece:
    """A planar polygon of a grain-boundary face between seeds `a` < `b` (0-based).

    `loop` lists vertex indices of the tessellation in cyclic order; `triangles` is a
    triangulation of the piece (vertex-index triples), used for distance tests.
    """

    a: int
    b: int
    loop: tuple[int, ...]
    triangles: tuple[tuple[int, int, int], ...]


@dataclass
class PieceStats:
    """How faces were split (counts).

    Attributes:
        faces: faces that reach into the ball.
        nonplanar_faces: those of them that were split.
        pieces: planar pieces kept.
        crossing_diagonals: splitting diagonals that cross the sphere between their ends.
        skipped_outside: pieces dropped because they lie outside the ball.
    """

    faces: int = 0
    nonplanar_faces: int = 0
    pieces: int = 0
    crossing_diagonals: int = 0
    skipped_outside: int = 0


def planar_pieces(
    tess: Tessellation, radius: float, length: float
) -> tuple[list[Piece], PieceStats]:
    """Planar pieces of the faces of `tess` that reach into the ball of `radius` µm.

    Args:
        tess: a 3D tessellation (after regularisation).
        radius: particle radius R, µm.
        length: regularisation length ℓ, µm (sets what counts as a thin triangle).

    Returns:
        The pieces that intersect the open ball, and counts of what was done.
    """
    stats = PieceStats()
    out: list[Piece] = []
    v = tess.vertices
    tol = PLANAR_TOL * radius
    thin = 0.3 * length if length > 0 else 0.0
    for face in tess.faces:
        loop = list(face.loop)
        pts = v[loop]
        if polygon_distance_to_origin(pts) >= radius * (1.0 - 1e-9):
            continue
        stats.faces += 1
        if len(loop) == 3 or planarity_deviation(pts) < tol:
            tris = tuple((loop[0], loop[i], loop[i + 1]) for i in range(1, len(loop) - 1))
            out.append(Piece(face.a, face.b, tuple(loop), tris))
            stats.pieces += 1
            continue
        stats.nonplanar_faces += 1
        normal, offset = _bisector(tess, face.a, face.b)
        on_plane = np.abs(pts @ normal - offset) < tol
        if on_plane.sum() < 3:
            on_plane[:] = False
        best: tuple[float, list[list[tuple[int, int, int]]], int] | None = None
        for crossing_cost in (100.0, 5.0):
            triangles, crossings = _triangulate(pts, on_plane, radius, thin, crossing_cost)
            comps = _coplanar_components(pts, triangles, tol)
            score = _pieces_score(pts, comps, crossings)
            if best is None or score < best[0]:
                best = (score, comps, crossings)
            if score == 0.0:
                break  # no crossing, no needle: nothing to gain from the other costs
        assert best is not None
        _, comps, crossings = best
        stats.crossing_diagonals += crossings
        for comp in comps:
            tri_idx = [tuple(loop[k] for k in t) for t in comp]
            if _min_distance_triangles(v, tri_idx) >= radius * (1.0 - 1e-9):
                stats.skipped_outside += 1
                continue
            boundary = _boundary_loop(comp)
            out.append(
                Piece(
                    face.a,
                    face.b,
                    tuple(loop[k] for k in boundary),
                    tuple((int(t[0]), int(t[1]), int(t[2])) for t in tri_idx),
                )
            )
            stats.pieces += 1
    return out, stats


# --------------------------------------------------------------------------- geometry helpers


def _bisector(tess: Tessellation, a: int, b: int) -> tuple[FloatArray, float]:
    """Unit normal n and offset c of the power bisector n·x = c of seeds a and b (µm)."""
    sa, sb = tess.seeds[a], tess.seeds[b]
    wa, wb = tess.weights[a], tess.weights[b]
    d = sb - sa
    norm = float(np.linalg.norm(d))
    c = (float(sb @ sb) - wb - float(sa @ sa) + wa) / (2.0 * norm)
    return d / norm, c


def _min_distance_triangles(v: FloatArray, tris: list[tuple[int, ...]]) -> float:
    """Distance (µm) from the origin to a union of triangles (vertex-index triples of `v`)."""
    origin = np.zeros(3)
    return min(point_triangle_distance(origin, v[a], v[b], v[c]) for a, b, c in tris)


def _crossing_params(p: FloatArray, q: FloatArray, radius: float) -> list[float]:
    """Parameters t in (0, 1) (strictly inside, relative margin 1e-6) where pq crosses the
    sphere (a touching line does not count)."""
    roots = segment_sphere_params(p, q, radius, touching=False)
    return [] if roots is None else [t for t in roots if 1e-6 < t < 1.0 - 1e-6]


def _min_angle(p0: FloatArray, p1: FloatArray, p2: FloatArray) -> float:
    """Smallest interior angle (rad) of the triangle p0 p1 p2."""
    best = math.pi
    for a, b, c in ((p0, p1, p2), (p1, p2, p0), (p2, p0, p1)):
        best = min(best, corner_angle(b - a, c - a))
    return best


def _min_altitude(p0: FloatArray, p1: FloatArray, p2: FloatArray) -> float:
    """Smallest altitude (µm) of the triangle p0 p1 p2."""
    area2 = float(np.linalg.norm(np.cross(p1 - p0, p2 - p0)))
    longest = max(
        float(np.linalg.norm(p1 - p0)),
        float(np.linalg.norm(p2 - p1)),
        float(np.linalg.norm(p0 - p2)),
    )
    return area2 / longest if longest > 0 else 0.0


# --------------------------------------------------------------------------- triangulation


def _pieces_score(
    pts: FloatArray, comps: list[list[tuple[int, int, int]]], crossings: int
) -> float:
    """Badness of a split into pieces: needle-shaped pieces dominate, then crossings."""
    score = 5.0 * crossings
    for comp in comps:
        loop = _boundary_loop(comp)
        q = pts[loop]
        n = len(q)
        for i in range(n):
            angle = corner_angle(q[i - 1] - q[i], q[(i + 1) % n] - q[i])
            score += 30.0 * max(0.0, (_GOOD_ANGLE - angle) / _GOOD_ANGLE) ** 2
    return score


def _triangulate(
    pts: FloatArray,
    on_plane: npt.NDArray[np.bool_],
    radius: float,
    thin: float,
    crossing_cost: float = 100.0,
) -> tuple[list[tuple[int, int, int]], int]:
    """Least-cost triangulation of the polygon `pts`; returns (triangles, crossing diagonals).

    Costs: a diagonal crossing the sphere between its ends 5 (+ up to 20 the closer its
    crossing is to the polygon's own crossings); a triangle with an off-plane vertex 1
    (+ up to 30 for an angle below 30°, + 3 when thinner than `thin`); on-plane triangles
    0 (they merge into one planar piece); a triangle outside the (projected) polygon is
    forbidden.
    """
    k = len(pts)
    inf = math.inf
    edge_crossings = []
    for i in range(k):
        for t in _crossing_params(pts[i], pts[(i + 1) % k], radius):
            edge_crossings.append(pts[i] + t * (pts[(i + 1) % k] - pts[i]))

    def diag_cost(i: int, j: int) -> float:
        ts = _crossing_params(pts[i], pts[j], radius)
        if not ts:
            return 0.0
        worst = 0.0
        for t in ts:
            x = pts[i] + t * (pts[j] - pts[i])
            gap = min((float(np.linalg.norm(x - y)) for y in edge_crossings), default=math.inf)
            worst = max(worst, 20.0 * math.exp(-gap / max(thin, 1e-12)))
        return crossing_cost + worst

    flat = _project(pts)
    orient = math.copysign(1.0, signed_area(flat))

    def tri_cost(i: int, m: int, j: int) -> float:
        if not _valid_triangle(flat, i, m, j, orient):
            return inf
        # Needle triangles (small angle) force tiny elements along their length when they
        # end up as a piece of their own; on-plane ones usually merge, so cost them less.
        angle = _min_angle(pts[i], pts[m], pts[j])
        needle = max(0.0, (_GOOD_ANGLE - angle) / _GOOD_ANGLE)
        if on_plane[i] and on_plane[m] and on_plane[j]:
            return 2.0 * needle
        cost = 1.0 + 10.0 * needle
        if _min_altitude(pts[i], pts[m], pts[j]) < thin:
            cost += 3.0
        return cost

    cost = [[0.0] * k for _ in range(k)]
    split = [[-1] * k for _ in range(k)]
    for gap in range(2, k):
        for i in range(k - gap):
            j = i + gap
            best, arg = inf, -1
            for m in range(i + 1, j):
                c = cost[i][m] + cost[m][j] + tri_cost(i, m, j)
                if m - i >= 2:
                    c += diag_cost(i, m)
                if j - m >= 2:
                    c += diag_cost(m, j)
                if c < best:
                    best, arg = c, m
            cost[i][j], split[i][j] = best, arg
    if not math.isfinite(cost[0][k - 1]):
        raise GeometryError(
            "a regularised grain-boundary face folded over itself; lower geometry.regularize "
            "or try another geometry.seed"
        )
    triangles: list[tuple[int, int, int]] = []
    crossings = 0
    stack = [(0, k - 1)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        m = split[i][j]
        triangles.append((i, m, j))
        for p, q in ((i, m), (m, j)):
            if q - p >= 2:
                crossings += bool(_crossing_params(pts[p], pts[q], radius))
                stack.append((p, q))
    return triangles, crossings


def _project(pts: FloatArray) -> FloatArray:
    """2D coordinates of `pts` in their best-fit plane."""
    centred = pts - pts.mean(axis=0)
    frame = plane_frame(pts)
    return np.column_stack([centred @ frame[0], centred @ frame[1]])


def _valid_triangle(flat: FloatArray, i: int, m: int, j: int, orient: float) -> bool:
    """True if triangle (i, m, j) of the projected polygon has the polygon's orientation
    and holds no other polygon vertex (so it lies inside the polygon)."""
    a, b, c = flat[i], flat[m], flat[j]
    area = 0.5 * ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
    scale = max(float(np.ptp(flat[:, 0])), float(np.ptp(flat[:, 1])), 1e-300) ** 2
    if area * orient <= 1e-12 * scale:
        return False
    for k in range(len(flat)):
        if k in (i, m, j):
            continue
        p = flat[k]
        d1 = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
        d2 = (c[0] - b[0]) * (p[1] - b[1]) - (c[1] - b[1]) * (p[0] - b[0])
        d3 = (a[0] - c[0]) * (p[1] - c[1]) - (a[1] - c[1]) * (p[0] - c[0])
        if d1 * orient > 0 and d2 * orient > 0 and d3 * orient > 0:
            return False
    return True


def _coplanar_components(
    pts: FloatArray, triangles: list[tuple[int, int, int]], tol: float
) -> list[list[tuple[int, int, int]]]:
    """Group triangles that share a diagonal and stay coplanar (within `tol` µm) together."""
    parent = list(range(len(triangles)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    members: dict[int, set[int]] = {i: set(t) for i, t in enumerate(triangles)}
    by_edge: dict[tuple[int, int], list[int]] = {}
    for n, t in enumerate(triangles):
        for p, q in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
            by_edge.setdefault((min(p, q), max(p, q)), []).append(n)
    changed = True
    while changed:
        changed = False
        for pair in by_edge.values():
            if len(pair) != 2:
                continue
            r0, r1 = find(pair[0]), find(pair[1])
            if r0 == r1:
                continue
            union = members[r0] | members[r1]
            if planarity_deviation(pts[sorted(union)]) < tol:
                parent[r1] = r0
                members[r0] = union
                changed = True
    groups: dict[int, list[tuple[int, int, int]]] = {}
    for n, t in enumerate(triangles):
        groups.setdefault(find(n), []).append(t)
    return list(groups.values())


def _boundary_loop(triangles: list[tuple[int, int, int]]) -> list[int]:
    """The boundary of a simply connected union of consistently oriented triangles."""
    directed: set[tuple[int, int]] = set()
    for a, b, c in triangles:
        for p, q in ((a, b), (b, c), (c, a)):
            if (q, p) in directed:
                directed.remove((q, p))
            else:
                directed.add((p, q))
    nxt = dict(directed)
    start = min(nxt)
    loop = [start]
    cur = nxt[start]
    while cur != start:
        loop.append(cur)
        cur = nxt[cur]
    return loop
