"""Regularisation of a tessellation: remove the features that make sliver elements.

Nearly coincident vertices of a Voronoi/Laguerre diagram give edges far shorter than the
element size h; a mesh must put nodes at both ends, so the elements around them are
slivers. Following Neper's regularisation (Quey, Dawson & Barbe, CMAME 200, 2011), with
``ℓ = regularize × mesh_size_um``:

1. edges shorter than ℓ on faces that reach the particle are collapsed (their vertices
   merge at the midpoint; a merge that would fold or pinch a face is skipped);
2. face corners sharper than 10° (`complex.NEEDLE_ANGLE`; left when one end of a thin
   strip-shaped face collapses) are zipped: the two edges are joined up to where they are
   ℓ apart;
3. the particle surface is the other source of short curves: vertices within ℓ of the
   sphere are moved radially out of that band (gap g → ℓ + g/2, same side), and edges that
   graze the sphere get a vertex at their closest point, moved likewise.

Passes repeat until nothing changes. Faces touched by these moves are no longer planar
(by at most about ℓ); `polycat.geometry.tessellation.faces` splits them into planar
pieces. Only the part of the diagram that reaches the particle is changed. The edits
themselves are methods of `CellComplex` (`complex.py`). Lengths in µm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polycat.geometry.tessellation.complex import CellComplex
from polycat.geometry.tessellation.power_diagram import Tessellation
from polycat.geometry.tessellation.primitives import clipped_length, planarity_deviation

_MAX_PASSES = 30


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
        length = clipped_length(v[a], v[b], radius)
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
    work = CellComplex(tess, radius, length)
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
