"""Regularisation of a tessellation: remove the features that make sliver elements.

Nearly coincident vertices of a Voronoi/Laguerre diagram give edges far shorter than the
element size h; a mesh must put nodes at both ends, so the elements around them are
slivers. Following Neper's regularisation (Quey, Dawson & Barbe, CMAME 200, 2011), with
``ℓ = regularize × mesh_size_um``:

1. edges shorter than ℓ on faces that reach the particle are collapsed (their vertices
   merge at the midpoint; a merge that would fold or pinch a face is skipped);
2. face corners sharper than 10° (left when one end of a thin strip-shaped face
   collapses) are zipped: the two edges are joined up to where they are ℓ apart;
3. the particle surface is the other source of short curves: vertices within ℓ of the
   sphere are moved radially out of that band (gap g → ℓ + g/2, same side), and edges that
   graze the sphere get a vertex at their closest point, moved likewise.

Passes repeat until nothing changes. Faces touched by these moves are no longer planar
(by at most about ℓ); `polycat.geometry.faces` splits them into planar pieces. Only the
part of the diagram that reaches the particle is changed. Lengths in µm.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from polycat.geometry.tessellation import Face, Tessellation

FloatArray = npt.NDArray[np.float64]

_MAX_PASSES = 30
#: Face corners sharper than this (rad) are zipped shut (see `_Complex.zip_needles`).
NEEDLE_ANGLE = math.radians(10.0)


@dataclass(frozen=True)
class RegularizationStats:
    """What regularisation did (lengths in µm).

    Attributes:
        length_um: the collapse length ℓ.
        min_edge_before_um: shortest diagram edge inside the particle before (clipped to it).
        min_edge_after_um: the same after regularisation.
        merged: number of collapsed edges.
        warped: number of vertices moved out of the band |r - R| < ℓ.
        inserted: number of vertices inserted on grazing edges.
        zipped: number of needle corners of faces zipped shut.
        removed_faces: faces that vanished (all their edges collapsed).
        max_nonplanarity_um: largest distance of a face vertex from the face's mean plane.
    """

    length_um: float
    min_edge_before_um: float
    min_edge_after_um: float
    merged: int = 0
    warped: int = 0
    inserted: int = 0
    zipped: int = 0
    removed_faces: int = 0
    max_nonplanarity_um: float = 0.0


def clipped_min_edge(tess: Tessellation, radius: float) -> float:
    """Shortest length (µm) of a diagram edge's part inside the ball of `radius` µm."""
    best = np.inf
    v = tess.vertices
    for a, b in tess.edges():
        length = _clipped_length(v[a], v[b], radius)
        if length > 1e-9 * radius:
            best = min(best, length)
    return float(best)


def regularize(
    tess: Tessellation, length: float, radius: float
) -> tuple[Tessellation, RegularizationStats]:
    """Collapse edges shorter than `length` µm near the particle of `radius` µm.

    Returns a new tessellation (the input is not changed) and what was done.
    """
    before = clipped_min_edge(tess, radius)
    if length <= 0.0 or not tess.faces:
        return tess, RegularizationStats(length, before, before)
    work = _Complex(tess, radius, length)
    merged = warped = inserted = zipped = 0
    for _ in range(_MAX_PASSES):
        m = work.merge_short_edges()
        z = work.zip_needles() if tess.dim == 3 else 0
        s = work.warp_vertices()
        i = work.split_grazing_edges()
        merged, warped, inserted, zipped = merged + m, warped + s, inserted + i, zipped + z
        if m == s == i == z == 0:
            break
    out = work.to_tessellation()
    stats = RegularizationStats(
        length_um=length,
        min_edge_before_um=before,
        min_edge_after_um=clipped_min_edge(out, radius),
        merged=merged,
        warped=warped,
        inserted=inserted,
        zipped=zipped,
        removed_faces=len(tess.faces) - len(out.faces),
        max_nonplanarity_um=max_nonplanarity(out, radius),
    )
    return out, stats


def max_nonplanarity(tess: Tessellation, radius: float) -> float:
    """Largest vertex distance (µm) from its face's best-fit plane, over faces near the ball."""
    if tess.dim != 3:
        return 0.0
    worst = 0.0
    for f in tess.faces:
        pts = tess.vertices[f.loop]
        if np.min(np.linalg.norm(pts, axis=1)) > 3.0 * radius:
            continue
        worst = max(worst, planarity_deviation(pts))
    return worst


def planarity_deviation(points: FloatArray) -> float:
    """Largest distance (µm) of `points` from their least-squares plane."""
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return float(np.max(np.abs(centred @ vt[-1])))


def segment_distance_to_origin(p: FloatArray, q: FloatArray) -> tuple[float, float]:
    """(distance, parameter t in [0, 1]) of the point of segment pq closest to the origin."""
    d = q - p
    dd = float(d @ d)
    t = 0.0 if dd == 0.0 else float(np.clip(-(p @ d) / dd, 0.0, 1.0))
    return float(np.linalg.norm(p + t * d)), t


def _polygon_distance_to_origin(pts: FloatArray) -> float:
    """Distance (µm) from the origin to a polygon fanned from its vertex mean (a lower
    bound for a convex polygon is not needed: the fan covers it)."""
    centre = pts.mean(axis=0)
    k = len(pts)
    best = np.inf
    for i in range(k):
        best = min(best, point_triangle_distance(np.zeros(3), centre, pts[i], pts[(i + 1) % k]))
    return float(best)


def point_triangle_distance(p: FloatArray, a: FloatArray, b: FloatArray, c: FloatArray) -> float:
    """Euclidean distance (µm) from point p to triangle abc (Ericson, RTCD §5.1.5)."""
    ab, ac, ap = b - a, c - a, p - a
    d1, d2 = float(ab @ ap), float(ac @ ap)
    if d1 <= 0.0 and d2 <= 0.0:
        return float(np.linalg.norm(ap))
    bp = p - b
    d3, d4 = float(ab @ bp), float(ac @ bp)
    if d3 >= 0.0 and d4 <= d3:
        return float(np.linalg.norm(bp))
    vc = d1 * d4 - d3 * d2
    if vc <= 0.0 and d1 >= 0.0 and d3 <= 0.0:
        return float(np.linalg.norm(p - (a + d1 / (d1 - d3) * ab)))
    cp = p - c
    d5, d6 = float(ab @ cp), float(ac @ cp)
    if d6 >= 0.0 and d5 <= d6:
        return float(np.linalg.norm(cp))
    vb = d5 * d2 - d1 * d6
    if vb <= 0.0 and d2 >= 0.0 and d6 <= 0.0:
        return float(np.linalg.norm(p - (a + d2 / (d2 - d6) * ac)))
    va = d3 * d6 - d5 * d4
    if va <= 0.0 and (d4 - d3) >= 0.0 and (d5 - d6) >= 0.0:
        w = (d4 - d3) / ((d4 - d3) + (d5 - d6))
        return float(np.linalg.norm(p - (b + w * (c - b))))
    denom = 1.0 / (va + vb + vc)
    return float(np.linalg.norm(p - (a + ab * vb * denom + ac * vc * denom)))


def _same_simple_polygon(before: FloatArray, after: FloatArray) -> bool:
    """True if polygon `after`, projected on the mean plane of `before`, is simple and has
    the same orientation as `before`."""
    centred = before - before.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    e1, e2 = vt[0], vt[1]

    def flat(p: FloatArray) -> FloatArray:
        return np.column_stack([p @ e1, p @ e2])

    def area(xy: FloatArray) -> float:
        x, y = xy[:, 0], xy[:, 1]
        return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))

    a0, a1 = area(flat(before)), area(flat(after))
    if a0 * a1 <= 0.0:
        return False
    xy = flat(after)
    k = len(xy)
    for i in range(k):
        p, q = xy[i], xy[(i + 1) % k]
        for j in range(i + 2, k):
            if i == 0 and j == k - 1:
                continue
            r, s = xy[j], xy[(j + 1) % k]
            if _segments_cross(p, q, r, s):
                return False
    return True


def _segments_cross(p: FloatArray, q: FloatArray, r: FloatArray, s: FloatArray) -> bool:
    """True if 2D segments pq and rs intersect (touching counts)."""

    def orient(a: FloatArray, b: FloatArray, c: FloatArray) -> float:
        return float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    d1, d2 = orient(p, q, r), orient(p, q, s)
    d3, d4 = orient(r, s, p), orient(r, s, q)
    return d1 * d2 <= 0.0 and d3 * d4 <= 0.0


def _sphere_crossings(p: FloatArray, q: FloatArray, radius: float) -> list[FloatArray]:
    """Points where segment pq crosses the sphere of `radius` (µm)."""
    d = q - p
    a = float(d @ d)
    b = 2.0 * float(p @ d)
    c = float(p @ p) - radius**2
    disc = b * b - 4.0 * a * c
    if a == 0.0 or disc <= 0.0:
        return []
    sq = np.sqrt(disc)
    return [p + t * d for t in ((-b - sq) / (2.0 * a), (-b + sq) / (2.0 * a)) if 0.0 < t <= 1.0]


def _clipped_length(p: FloatArray, q: FloatArray, radius: float) -> float:
    """Length (µm) of the part of segment pq inside the ball of `radius`."""
    d = q - p
    a = float(d @ d)
    if a == 0.0:
        return 0.0
    b = 2.0 * float(p @ d)
    c = float(p @ p) - radius**2
    disc = b * b - 4.0 * a * c
    if disc <= 0.0:
        return 0.0
    sq = np.sqrt(disc)
    t0 = max(0.0, (-b - sq) / (2.0 * a))
    t1 = min(1.0, (-b + sq) / (2.0 * a))
    return float(max(0.0, t1 - t0) * np.sqrt(a))


class _Complex:
    """Mutable vertex/face complex used while regularising."""

    def __init__(self, tess: Tessellation, radius: float, length: float) -> None:
        self.dim = tess.dim
        self.radius = radius
        self.length = length
        self.seeds = tess.seeds
        self.weights = tess.weights
        self.coords: list[FloatArray] = [np.array(x, dtype=float) for x in tess.vertices]
        self.faces: list[Face | None] = [copy.deepcopy(f) for f in tess.faces]
        self.incident: dict[int, set[int]] = {}
        for k, f in enumerate(self.faces):
            assert f is not None
            for v in f.loop:
                self.incident.setdefault(v, set()).add(k)

    # ----------------------------------------------------------------- queries
    def live_edges(self) -> set[tuple[int, int]]:
        out: set[tuple[int, int]] = set()
        for f in self.faces:
            if f is None:
                continue
            loop = f.loop
            pairs = zip(loop, loop[1:] + loop[:1], strict=True) if self.dim == 3 else [loop]
            for p, q in pairs:
                out.add((min(p, q), max(p, q)))
        return out

    def near(self, a: int, b: int, margin: float) -> bool:
        dist, _ = segment_distance_to_origin(self.coords[a], self.coords[b])
        return dist < self.radius + margin

    # ----------------------------------------------------------------- operations
    def relevant_edges(self) -> set[tuple[int, int]]:
        """Edges of the faces that reach into the ball (or within ℓ of it).

        A short edge far outside still matters when its face reaches into the ball: a face
        shaped like a thin strip keeps a short edge at each end, and only collapsing both
        removes the strip (collapsing one end alone would make it a needle).
        """
        out: set[tuple[int, int]] = set()
        limit = self.radius + self.length
        for f in self.faces:
            if f is None:
                continue
            pts = np.array([self.coords[v] for v in f.loop])
            if self.dim == 3:
                if _polygon_distance_to_origin(pts) >= limit:
                    continue
                loop = f.loop
                for p, q in zip(loop, loop[1:] + loop[:1], strict=True):
                    out.add((min(p, q), max(p, q)))
            elif segment_distance_to_origin(pts[0], pts[1])[0] < limit:
                out.add((min(f.loop), max(f.loop)))
        return out

    def merge_short_edges(self) -> int:
        """Collapse short edges of faces near the ball, shortest first; returns the count."""
        candidates = []
        for a, b in self.relevant_edges():
            length = float(np.linalg.norm(self.coords[a] - self.coords[b]))
            if length < self.length:
                candidates.append((length, a, b))
        candidates.sort()
        touched: set[int] = set()
        count = 0
        for _, a, b in candidates:
            if a in touched or b in touched:
                continue  # re-examined in the next pass, with updated positions
            if not self._can_merge(a, b):
                continue
            self._merge(a, b)
            touched.update((a, b))
            count += 1
        return count

    def _can_merge(self, a: int, b: int) -> bool:
        """False if merging a and b would pinch a polygon (a and b on one face but not
        adjacent) or fold one (a face polygon no longer simple, or flipped)."""
        if self.dim == 2:
            return True
        faces_a = self.incident.get(a, set())
        faces_b = self.incident.get(b, set())
        for k in faces_a & faces_b:
            f = self.faces[k]
            assert f is not None
            loop = f.loop
            i, j = loop.index(a), loop.index(b)
            if abs(i - j) not in (1, len(loop) - 1):
                return False
        mid = 0.5 * (self.coords[a] + self.coords[b])
        for k in faces_a | faces_b:
            f = self.faces[k]
            assert f is not None
            before = [self.coords[v] for v in f.loop]
            after_loop = [a if v == b else v for v in f.loop]
            after_loop = [v for i, v in enumerate(after_loop) if v != after_loop[i - 1]]
            if len(set(after_loop)) < 3:
                continue
            after = [mid if v == a else self.coords[v] for v in after_loop]
            if not _same_simple_polygon(np.array(before), np.array(after)):
                return False
        return True

    def _merge(self, a: int, b: int) -> None:
        """Merge vertex b into a, at their midpoint."""
        self.coords[a] = 0.5 * (self.coords[a] + self.coords[b])
        for k in list(self.incident.get(b, set())):
            f = self.faces[k]
            assert f is not None
            f.loop = [a if v == b else v for v in f.loop]
            self.incident.setdefault(a, set()).add(k)
            self._clean(k)
        self.incident.pop(b, None)

    def _clean(self, k: int) -> None:
        """Drop repeated consecutive vertices of face k; delete it if degenerate."""
        f = self.faces[k]
        assert f is not None
        loop = f.loop
        if self.dim == 3:
            loop = [v for i, v in enumerate(loop) if v != loop[i - 1]]
            if len(loop) >= 2 and loop[0] == loop[-1]:
                loop = loop[:-1]
            dead = len(set(loop)) < 3
        else:
            dead = loop[0] == loop[1]
        if dead:
            for v in set(f.loop):
                self.incident.get(v, set()).discard(k)
            self.faces[k] = None
        else:
            f.loop = loop

    def zip_needles(self) -> int:
        """Zip shut face corners sharper than `NEEDLE_ANGLE`; returns the count.

        Collapsing one end of a thin strip-shaped face leaves a needle: a corner V whose two
        edges V-X and V-Y diverge slowly. The two edges are cut at points P, Q where they are
        ℓ apart and P, Q merge into Z: the needle becomes the single edge V-Z (where the two
        neighbouring cell pairs now meet) and the face starts at Z.
        """
        count = 0
        limit = self.radius + self.length
        for k in range(len(self.faces)):
            f = self.faces[k]
            if f is None or len(f.loop) < 3:
                continue
            pts = np.array([self.coords[v] for v in f.loop])
            if _polygon_distance_to_origin(pts) >= limit:
                continue
            n = len(f.loop)
            for idx in range(n):
                v, x, y = f.loop[idx], f.loop[idx - 1], f.loop[(idx + 1) % n]
                u = self.coords[x] - self.coords[v]
                w = self.coords[y] - self.coords[v]
                lu, lw = float(np.linalg.norm(u)), float(np.linalg.norm(w))
                cos = float(u @ w) / max(lu * lw, 1e-300)
                angle = math.acos(max(-1.0, min(1.0, cos)))
                if angle >= NEEDLE_ANGLE:
                    continue
                reach = self.length / (2.0 * math.sin(max(angle, 1e-9) / 2.0))
                if reach < 0.95 * min(lu, lw):
                    p = self._split_edge(v, x, self.coords[v] + reach * u / lu)
                    q = self._split_edge(v, y, self.coords[v] + reach * w / lw)
                elif lu <= lw:  # the needle runs to x: zip all of v-x onto v-y
                    p, q = x, self._split_edge(v, y, self.coords[v] + lu * w / lw)
                else:
                    p, q = self._split_edge(v, x, self.coords[v] + lw * u / lu), y
                if not self._can_merge_pair(k, p, q):
                    continue
                self._zip(k, v, p, q)
                count += 1
                break
        return count

    def _split_edge(self, a: int, b: int, point: FloatArray) -> int:
        """Insert a vertex at `point` on edge (a, b) in every face that has the edge."""
        self._split(a, b, point)
        return len(self.coords) - 1

    def _can_merge_pair(self, k: int, p: int, q: int) -> bool:
        """False if p and q share a face other than `k` (zipping would pinch it)."""
        shared = (self.incident.get(p, set()) & self.incident.get(q, set())) - {k}
        return not shared

    def _zip(self, k: int, v: int, p: int, q: int) -> None:
        """Merge p and q (both next to v in face k) at their midpoint; v leaves face k."""
        self.coords[p] = 0.5 * (self.coords[p] + self.coords[q])
        f = self.faces[k]
        assert f is not None
        f.loop = [u for u in f.loop if u != v]
        self.incident[v].discard(k)
        for j in list(self.incident.get(q, set())):
            g = self.faces[j]
            assert g is not None
            g.loop = [p if u == q else u for u in g.loop]
            self.incident.setdefault(p, set()).add(j)
            self._clean(j)
        self.incident.pop(q, None)

    def warp_vertices(self) -> int:
        """Move vertices out of the band |r - R| < ℓ around the sphere; returns the count.

        Within 2ℓ of the sphere the radial gap g becomes ℓ + g/2 (on the same side): a
        monotone radial map, so vertices on one ray keep their order and never coincide.
        (Moving vertices onto the sphere instead leaves straight edges between two surface
        vertices, whose thin lens with the sphere is a sliver.)
        """
        count = 0
        for v, faces in self.incident.items():
            if not faces:
                continue
            p = self.coords[v]
            r = float(np.linalg.norm(p))
            gap = r - self.radius
            if r == 0.0 or abs(gap) >= self.length * (1.0 - 1e-9):
                continue
            self.coords[v] = p * (self._warped_radius(gap) / r)
            count += 1
        return count

    def _warped_radius(self, gap: float) -> float:
        """Radius (µm) a point at signed radial gap `gap` (|gap| < ℓ) is moved to."""
        return self.radius + math.copysign(self.length + 0.5 * abs(gap), gap)

    def split_grazing_edges(self) -> int:
        """Split edges that pass within ℓ of the sphere between their ends; returns the count.

        The new vertex at the closest point is moved out of the band like a vertex, so the
        edge either crosses the sphere steeply or stays clear of it.
        """
        count = 0
        for a, b in self.live_edges():
            p, q = self.coords[a], self.coords[b]
            dist, t = segment_distance_to_origin(p, q)
            if not abs(dist - self.radius) < self.length * (1.0 - 1e-9) or dist < 1e-12:
                continue
            c = p + t * (q - p)
            if min(np.linalg.norm(c - p), np.linalg.norm(c - q)) <= self.length:
                continue
            self._split(a, b, c * (self._warped_radius(dist - self.radius) / dist))
            count += 1
        return count

    def _split(self, a: int, b: int, point: FloatArray) -> None:
        """Insert a new vertex at `point` on edge (a, b) of every face that has it."""
        new = len(self.coords)
        self.coords.append(np.array(point, dtype=float))
        for k in list(self.incident.get(a, set()) & self.incident.get(b, set())):
            f = self.faces[k]
            assert f is not None
            loop = f.loop
            if self.dim == 2:
                self.faces[k] = Face(f.a, f.b, [loop[0], new])
                self.faces.append(Face(f.a, f.b, [new, loop[1]]))
                k2 = len(self.faces) - 1
                other = loop[1]
                self.incident[other].discard(k)
                self.incident[other].add(k2)
                self.incident.setdefault(new, set()).update((k, k2))
                continue
            i, j = loop.index(a), loop.index(b)
            if (j - i) % len(loop) == 1:
                loop.insert(i + 1, new)
            elif (i - j) % len(loop) == 1:
                loop.insert(j + 1, new)
            else:  # pragma: no cover - (a, b) is an edge of every face it came from
                continue
            self.incident.setdefault(new, set()).add(k)

    def to_tessellation(self) -> Tessellation:
        """A compact copy: live faces only, unused vertices dropped."""
        live = [f for f in self.faces if f is not None]
        used = sorted({v for f in live for v in f.loop})
        index = {v: i for i, v in enumerate(used)}
        vertices = np.array([self.coords[v] for v in used]) if used else np.zeros((0, self.dim))
        faces = [Face(f.a, f.b, [index[v] for v in f.loop]) for f in live]
        return Tessellation(self.dim, self.seeds.copy(), self.weights.copy(), vertices, faces)
