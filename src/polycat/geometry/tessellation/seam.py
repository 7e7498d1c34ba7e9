"""Where the B-rep's sphere (circle) starts: away from the tessellation's trace on it.

OpenCASCADE's sphere has a seam (the half great circle y = 0, x > 0) and two poles, its
circle a start point. Where the seam crosses a grain-boundary arc next to a corner it
leaves a short curve, i.e. tiny elements; so the sphere (circle) is rotated first to keep
the seam and poles (start point) away from every feature of the trace. Pure numpy/scipy;
`polycat.geometry.gmsh.occ_model` applies the rotation. Coordinates in µm.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.spatial.transform import Rotation

from polycat.geometry.tessellation.faces import Piece
from polycat.geometry.tessellation.power_diagram import Tessellation, loop_edges
from polycat.geometry.tessellation.primitives import segment_sphere_points

FloatArray = npt.NDArray[np.float64]


def sphere_rotation(
    tess: Tessellation, pieces: list[Piece], radius: float
) -> tuple[FloatArray, float, float] | None:
    """Rotation (axis, angle rad, clearance µm) that keeps the sphere's seam and poles away
    from the tessellation's trace on the sphere of `radius` µm (3D).

    Among the identity and 256 fixed random rotations the one with the largest clearance
    (distance from the seam and poles to the nearest trace feature) is taken. None if the
    trace is empty.
    """
    feats = _sphere_features(tess, pieces, radius)
    if len(feats) == 0:
        return None
    rots = Rotation.random(256, random_state=20240601)
    mats = np.concatenate([np.eye(3)[None], rots.as_matrix()])
    best, best_q = -1.0, mats[0]
    unit = feats / np.linalg.norm(feats, axis=1)[:, None]
    for q in mats:
        local = unit @ q  # coordinates in the sphere's own frame: q^T x
        pole = np.arccos(np.clip(np.abs(local[:, 2]), 0.0, 1.0))
        seam = np.where(local[:, 0] >= 0.0, np.arcsin(np.clip(np.abs(local[:, 1]), 0, 1)), pole)
        score = float(np.min(np.minimum(pole, seam))) * radius
        if score > best:
            best, best_q = score, q
    rotvec = Rotation.from_matrix(best_q).as_rotvec()
    angle = float(np.linalg.norm(rotvec))
    axis = rotvec / angle if angle > 0 else np.array([0.0, 0.0, 1.0])
    return axis, angle, best


def circle_rotation(crossings: FloatArray, radius: float) -> tuple[float, float]:
    """Angle (rad) that puts the circle's start point mid-way in the widest gap between the
    (N, 2) `crossings` (µm) of the tessellation with the circle of `radius` µm (2D), and the
    resulting clearance (µm); (0, inf) without crossings."""
    if len(crossings) == 0:
        return 0.0, math.inf
    ang = np.sort(np.mod(np.arctan2(crossings[:, 1], crossings[:, 0]), 2.0 * math.pi))
    gaps = np.diff(np.concatenate([ang, [ang[0] + 2.0 * math.pi]]))
    k = int(np.argmax(gaps))
    return float(ang[k] + 0.5 * gaps[k]), float(0.5 * gaps[k] * radius)


def _sphere_features(tess: Tessellation, pieces: list[Piece], radius: float) -> FloatArray:
    """Points (µm) of the tessellation's trace on the sphere: corners and sampled arcs."""
    feats: list[FloatArray] = []
    v = tess.vertices
    seen: set[tuple[int, int]] = set()
    for pc in pieces:
        loop = list(pc.loop)
        pts = v[loop]
        for i, key in enumerate(loop_edges(loop, 3)):
            if key in seen:
                continue
            seen.add(key)
            feats.extend(segment_sphere_points(pts[i], pts[(i + 1) % len(loop)], radius))
        feats.extend(_arc_samples(pts, radius))
    return np.array(feats).reshape(-1, 3)


def _arc_samples(pts: FloatArray, radius: float, count: int = 48) -> list[FloatArray]:
    """Samples of the circle (plane of polygon `pts`) ∩ sphere that fall inside the polygon."""
    centre = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - centre)
    normal = vt[2]
    offset = float(normal @ centre)
    if abs(offset) >= radius:
        return []
    rho = math.sqrt(radius**2 - offset**2)
    e1, e2 = vt[0], vt[1]
    ang = np.linspace(0.0, 2.0 * math.pi, count, endpoint=False)
    circle = offset * normal + rho * (np.cos(ang)[:, None] * e1 + np.sin(ang)[:, None] * e2)
    poly = np.column_stack([(pts - centre) @ e1, (pts - centre) @ e2])
    test = np.column_stack([(circle - centre) @ e1, (circle - centre) @ e2])
    inside = _points_in_polygon(test, poly)
    return list(circle[inside])


def _points_in_polygon(points: FloatArray, poly: FloatArray) -> npt.NDArray[np.bool_]:
    """Even-odd rule point-in-polygon test (2D)."""
    x, y = points[:, 0], points[:, 1]
    inside = np.zeros(len(points), dtype=bool)
    k = len(poly)
    for i in range(k):
        x0, y0 = poly[i]
        x1, y1 = poly[(i + 1) % k]
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < xc)
    return inside
