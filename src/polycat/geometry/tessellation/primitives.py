"""Computational geometry shared by the tessellation steps and the OCC model builder.

Segment–sphere crossings (the one implementation: also segment–circle in 2D, where the
points have two coordinates), distances to the particle centre (the origin), planarity,
polygon orientation and simplicity, corner angles. Pure numpy; coordinates in µm.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


# --------------------------------------------------------------------------- sphere / circle


def segment_sphere_params(
    p: FloatArray, q: FloatArray, radius: float, *, touching: bool = True
) -> tuple[float, float] | None:
    """Where the line ``p + t (q - p)`` meets the sphere (circle in 2D) ``|x| = radius``.

    Returns the two roots ``t0 ≤ t1`` of ``|p + t (q - p)|² = radius²`` (not clipped to
    the segment's [0, 1]), or None if ``p == q`` or the line misses the sphere. A line
    that only touches it (zero discriminant) gives ``t0 == t1``, or None when `touching`
    is False.
    """
    d = q - p
    a = float(d @ d)
    b = 2.0 * float(p @ d)
    c = float(p @ p) - radius**2
    disc = b * b - 4.0 * a * c
    if a == 0.0 or disc < 0.0 or (disc == 0.0 and not touching):
        return None
    sq = math.sqrt(disc)
    return (-b - sq) / (2.0 * a), (-b + sq) / (2.0 * a)


def segment_sphere_points(p: FloatArray, q: FloatArray, radius: float) -> list[FloatArray]:
    """Points (µm) where the closed segment pq meets the sphere (circle) of `radius`.

    Touching counts (the point is listed twice); so do the end points.
    """
    roots = segment_sphere_params(p, q, radius)
    if roots is None:
        return []
    d = q - p
    return [p + t * d for t in roots if 0.0 <= t <= 1.0]


def clipped_length(p: FloatArray, q: FloatArray, radius: float) -> float:
    """Length (µm) of the part of segment pq inside the ball (disc) of `radius`."""
    roots = segment_sphere_params(p, q, radius, touching=False)
    if roots is None:
        return 0.0
    d = q - p
    t0, t1 = max(0.0, roots[0]), min(1.0, roots[1])
    return float(max(0.0, t1 - t0) * math.sqrt(float(d @ d)))


# --------------------------------------------------------------------------- distances


def segment_distance_to_origin(p: FloatArray, q: FloatArray) -> tuple[float, float]:
    """(distance µm, parameter t in [0, 1]) of the point of segment pq closest to the origin."""
    d = q - p
    dd = float(d @ d)
    t = 0.0 if dd == 0.0 else float(np.clip(-(p @ d) / dd, 0.0, 1.0))
    return float(np.linalg.norm(p + t * d)), t


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


def polygon_distance_to_origin(pts: FloatArray) -> float:
    """Distance (µm) from the origin to a 3D polygon, fanned from its vertex mean.

    The fan covers the polygon when it is star-shaped from the mean (convex faces, and the
    nearly convex ones that regularisation leaves).
    """
    origin = np.zeros(3)
    centre = pts.mean(axis=0)
    k = len(pts)
    return min(point_triangle_distance(origin, centre, pts[i], pts[(i + 1) % k]) for i in range(k))


# --------------------------------------------------------------------------- planes and polygons


def plane_frame(points: FloatArray) -> FloatArray:
    """Rows: two in-plane unit vectors and the normal of the least-squares plane of `points`.

    (The right singular vectors of the centred points, in order of decreasing spread.)
    """
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return np.asarray(vt, dtype=float)


def planarity_deviation(points: FloatArray) -> float:
    """Largest distance (µm) of `points` from their least-squares plane."""
    centred = points - points.mean(axis=0)
    return float(np.max(np.abs(centred @ plane_frame(points)[-1])))


def signed_area(xy: FloatArray) -> float:
    """Signed area of the 2D polygon `xy` (shoelace; > 0 counter-clockwise)."""
    x, y = xy[:, 0], xy[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def segments_cross(p: FloatArray, q: FloatArray, r: FloatArray, s: FloatArray) -> bool:
    """True if 2D segments pq and rs intersect (touching counts)."""

    def orient(a: FloatArray, b: FloatArray, c: FloatArray) -> float:
        return float((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    d1, d2 = orient(p, q, r), orient(p, q, s)
    d3, d4 = orient(r, s, p), orient(r, s, q)
    return d1 * d2 <= 0.0 and d3 * d4 <= 0.0


def same_simple_polygon(before: FloatArray, after: FloatArray) -> bool:
    """True if polygon `after`, projected on the mean plane of `before`, is simple and has
    the same orientation as `before` (3D polygons, cyclic vertex order)."""
    frame = plane_frame(before)
    e1, e2 = frame[0], frame[1]

    def flat(p: FloatArray) -> FloatArray:
        return np.column_stack([p @ e1, p @ e2])

    a0, a1 = signed_area(flat(before)), signed_area(flat(after))
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
            if segments_cross(p, q, r, s):
                return False
    return True


def corner_angle(u: FloatArray, w: FloatArray) -> float:
    """Angle (rad, in [0, π]) between vectors `u` and `w` (π/2 if either is zero)."""
    cos = float(u @ w) / max(float(np.linalg.norm(u)) * float(np.linalg.norm(w)), 1e-300)
    return math.acos(max(-1.0, min(1.0, cos)))
