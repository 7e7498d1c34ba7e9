"""The mutable cell complex that regularisation edits (see `regularize`).

Vertices are a growing list of coordinates (µm); faces keep their seed pair and vertex
loop and are set to None when they vanish; `incident` maps each vertex to the faces that
hold it. Operations: collapse short edges, zip needle corners (3D), move vertices out of the
band around the sphere and split edges that graze it. Each returns how often it acted, so
`regularize` can repeat passes until nothing changes.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import numpy.typing as npt

from polycat.geometry.tessellation.power_diagram import Face, Tessellation, loop_edges
from polycat.geometry.tessellation.primitives import (
    corner_angle,
    polygon_distance_to_origin,
    same_simple_polygon,
    segment_distance_to_origin,
)

FloatArray = npt.NDArray[np.float64]

#: Face corners sharper than this (rad) are zipped shut (see `CellComplex.zip_needles`).
NEEDLE_ANGLE = math.radians(10.0)


class CellComplex:
    """Mutable vertex/face complex of a tessellation, edited while regularising.

    Args:
        tess: the tessellation to copy (it is not changed).
        radius: particle radius R, µm.
        length: regularisation length ℓ, µm.
    """

    def __init__(self, tess: Tessellation, radius: float, length: float) -> None:
        """Copy the vertices and faces of `tess` and index the faces of every vertex."""
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
        """Edges (sorted vertex pairs) of the faces that have not vanished."""
        out: set[tuple[int, int]] = set()
        for f in self.faces:
            if f is None:
                continue
            out.update(loop_edges(f.loop, self.dim))
        return out

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
                if polygon_distance_to_origin(pts) >= limit:
                    continue
                out.update(loop_edges(f.loop, 3))
            elif segment_distance_to_origin(pts[0], pts[1])[0] < limit:
                out.update(loop_edges(f.loop, 2))
        return out

    # ----------------------------------------------------------------- edge collapse
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
            if not same_simple_polygon(np.array(before), np.array(after)):
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

    # ----------------------------------------------------------------- needles
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
            if polygon_distance_to_origin(pts) >= limit:
                continue
            n = len(f.loop)
            for idx in range(n):
                v, x, y = f.loop[idx], f.loop[idx - 1], f.loop[(idx + 1) % n]
                u = self.coords[x] - self.coords[v]
                w = self.coords[y] - self.coords[v]
                angle = corner_angle(u, w)
                if angle >= NEEDLE_ANGLE:
                    continue
                lu, lw = float(np.linalg.norm(u)), float(np.linalg.norm(w))
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

    # ----------------------------------------------------------------- the sphere band
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

    # ----------------------------------------------------------------- result
    def to_tessellation(self) -> Tessellation:
        """A compact copy: live faces only, unused vertices dropped."""
        live = [f for f in self.faces if f is not None]
        used = sorted({v for f in live for v in f.loop})
        index = {v: i for i, v in enumerate(used)}
        vertices = np.array([self.coords[v] for v in used]) if used else np.zeros((0, self.dim))
        faces = [Face(f.a, f.b, [index[v] for v in f.loop]) for f in live]
        return Tessellation(self.dim, self.seeds.copy(), self.weights.copy(), vertices, faces)
