"""Regularisation of a tessellation: remove the short edges that make sliver elements.

Nearly coincident vertices of a Voronoi/Laguerre diagram give edges far shorter than the
element size; a mesh must put nodes at both ends, so the elements around them are slivers.
Following Neper's regularisation (Quey et al., CMAME 200, 2011), edges shorter than
``ℓ = regularize × mesh_size_um`` are collapsed (their two vertices merge at the midpoint).
The particle surface adds two more sources of short edges, treated alike: a vertex within
ℓ of the sphere is moved onto it (its edges then meet the sphere at one point instead of
several close ones), and an edge that grazes the sphere (passes within ℓ/2 of it between
its ends) gets a new vertex on the sphere at its closest point. Faces touched by these
moves are no longer planar (by at most about ℓ); the B-rep builder gives them a smooth
filling surface. Only vertices and edges near the particle are changed.
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
#: Merges that would leave a face corner sharper than this (rad) are not made.
MIN_CORNER_ANGLE = math.radians(15.0)


@dataclass(frozen=True)
class RegularizationStats:
    """What regularisation did (lengths in µm).

    Attributes:
        length_um: the collapse length ℓ.
        min_edge_before_um: shortest diagram edge inside the particle before (clipped to it).
        min_edge_after_um: the same after regularisation.
        merged: number of collapsed edges.
        snapped: number of vertices moved onto the particle surface.
        inserted: number of vertices inserted on grazing edges.
        removed_faces: faces that vanished (all their edges collapsed).
        max_nonplanarity_um: largest distance of a face vertex from the face's mean plane.
    """

    length_um: float
    min_edge_before_um: float
    min_edge_after_um: float
    merged: int = 0
    snapped: int = 0
    inserted: int = 0
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
    merged = snapped = inserted = 0
    for _ in range(_MAX_PASSES):
        m = work.merge_short_edges()
        s = work.snap_vertices()
        i = work.split_grazing_edges()
        merged, snapped, inserted = merged + m, snapped + s, inserted + i
        if m == s == i == 0:
            break
    out = work.to_tessellation()
    stats = RegularizationStats(
        length_um=length,
        min_edge_before_um=before,
        min_edge_after_um=clipped_min_edge(out, radius),
        merged=merged,
        snapped=snapped,
        inserted=inserted,
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
        import os

        self.mode = os.environ.get("POLYCAT_SNAP_MODE", "warp")
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
    def merge_short_edges(self) -> int:
        """Collapse edges shorter than ℓ near the ball, shortest first; returns the count."""
        candidates = []
        for a, b in self.live_edges():
            length = float(np.linalg.norm(self.coords[a] - self.coords[b]))
            if length < self.length and self.near(a, b, self.length):
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
            # A thin strip of a face collapsed at one end becomes a needle: keep the short
            # edge rather than make a corner sharper than MIN_CORNER_ANGLE.
            k = after_loop.index(a)
            u = after[k - 1] - mid
            w = after[(k + 1) % len(after)] - mid
            cos = float(u @ w) / max(float(np.linalg.norm(u) * np.linalg.norm(w)), 1e-300)
            if cos > math.cos(MIN_CORNER_ANGLE):
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

    def snap_vertices(self) -> int:
        """Move vertices out of the band |r - R| < ℓ around the sphere; returns the count.

        Mode "warp" (default): within 2ℓ of the sphere the radial gap g becomes ℓ + g/2 (on
        the same side), a monotone map that keeps the order of vertices along a ray. Mode
        "snap": vertices within ℓ go onto the sphere.
        """
        count = 0
        band = 2.0 * self.length if self.mode == "warp" else self.length
        for v, faces in self.incident.items():
            if not faces:
                continue
            p = self.coords[v]
            r = float(np.linalg.norm(p))
            gap = r - self.radius
            if abs(gap) >= band or r == 0.0:
                continue
            if self.mode == "warp":
                if abs(gap) >= self.length * (1.0 - 1e-9):
                    continue  # already outside the band; the map fixes nothing here
                target = self.radius + np.copysign(self.length + 0.5 * abs(gap), gap)
            else:
                if abs(gap) <= 1e-12 * self.radius:
                    continue
                target = self.radius
            self.coords[v] = p * (target / r)
            count += 1
        return count

    def split_grazing_edges(self) -> int:
        """Put a vertex on the sphere where an edge grazes it; returns the count."""
        count = 0
        for a, b in self.live_edges():
            p, q = self.coords[a], self.coords[b]
            dist, t = segment_distance_to_origin(p, q)
            reach = self.length * (1.0 - 1e-9) if self.mode == "warp" else 0.5 * self.length
            if not abs(dist - self.radius) < reach or dist < 1e-12:
                continue
            c = p + t * (q - p)
            if min(np.linalg.norm(c - p), np.linalg.norm(c - q)) <= self.length:
                continue
            if abs(dist - self.radius) < 1e-12 * self.radius:
                continue
            if self.mode == "warp":
                gap = dist - self.radius
                target = self.radius + np.copysign(self.length + 0.5 * abs(gap), gap)
            else:
                target = self.radius
            self._split(a, b, c * (target / dist))
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
