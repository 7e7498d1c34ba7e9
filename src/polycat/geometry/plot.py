"""``grains.png``: the grains on the section z = 0 (3D) or the whole mesh (2D).

Uses matplotlib's Agg backend only (no display needed). Axes in µm.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from polycat.geometry.mesh_arrays import MeshArrays
from polycat.geometry.spec import GeometrySpec
from polycat.geometry.tessellation.primitives import signed_area

if TYPE_CHECKING:
    from polycat.geometry.file_spec import FileGeometrySpec

FloatArray = npt.NDArray[np.float64]


def write_grain_plot(spec: GeometrySpec | FileGeometrySpec, arrays: MeshArrays, path: Path) -> None:
    """Draw the grain map of `arrays` to `path` (PNG)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Circle

    if spec.dim == 3:
        polys, labels = _section_z0(arrays)
        what = "section z = 0"
    else:
        polys = [arrays.points[c, :2] for c in arrays.cells]
        labels = arrays.cell_grain
        what = "mesh"
    fig = Figure(figsize=(6.4, 6.0), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    colours = _colours(np.asarray(labels), spec.n_grains)
    edge = "0.35" if spec.dim == 2 else "face"
    ax.add_collection(PolyCollection(polys, facecolors=colours, edgecolors=edge, linewidths=0.15))
    r = spec.particle_radius_um
    outline = spec.profile_radius_um  # R; a mesh from a file: its outermost grain node
    ax.add_patch(Circle((0.0, 0.0), outline, fill=False, edgecolor="k", linewidth=1.2))
    _label_grains(ax, polys, np.asarray(labels))
    extent = (
        r * 1.15
        if spec.matrix == "none"
        else 0.5 * spec.matrix_size_um * (1.0 if spec.matrix == "box" else 2.0)
    )
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_aspect("equal")
    ax.set_xlabel("x (µm)")
    ax.set_ylabel("y (µm)")
    grains = f"{spec.n_grains} grain{'s' if spec.n_grains > 1 else ''}"
    if isinstance(spec, GeometrySpec):
        title = f"{grains}, R = {r:g} µm, h = {spec.mesh_size_um:g} µm, seed {spec.seed} ({what})"
    else:  # read from a file: R is the equivalent radius, h the mean edge length
        title = (
            f"{grains}, R_eq = {r:.4g} µm, h ≈ {spec.mesh_size_um:.3g} µm, "
            f"{Path(spec.file).name} ({what})"
        )
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(str(path))


def _colours(labels: npt.NDArray[np.int64], n: int) -> FloatArray:
    """Grain colours from a fixed shuffled palette; the matrix is light grey."""
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    order = np.random.default_rng(0).permutation(max(n, 1))
    rgba = np.array([cmap((order[(g - 1) % len(order)] % 20) / 19.0) for g in range(1, n + 1)])
    out = np.tile(np.array([0.88, 0.88, 0.88, 1.0]), (len(labels), 1))
    grain = labels > 0
    out[grain] = rgba[labels[grain] - 1]
    return out


def _label_grains(ax: object, polys: list[FloatArray], labels: npt.NDArray[np.int64]) -> None:
    """Write each grain's id at the area-weighted centre of its section."""
    if len(polys) == 0:
        return
    sums: dict[int, list[float]] = {}
    for poly, g in zip(polys, labels, strict=True):
        if g <= 0:
            continue
        x, y = poly[:, 0], poly[:, 1]
        area = abs(signed_area(poly))
        s = sums.setdefault(int(g), [0.0, 0.0, 0.0])
        s[0] += area
        s[1] += area * float(x.mean())
        s[2] += area * float(y.mean())
    for g, (a, sx, sy) in sums.items():
        if a > 0:
            ax.text(sx / a, sy / a, str(g), ha="center", va="center", fontsize=6)  # type: ignore[attr-defined]


def _section_z0(arrays: MeshArrays) -> tuple[list[FloatArray], npt.NDArray[np.int64]]:
    """Polygons where the tets cross the plane z = 0, with their grain labels."""
    p = arrays.points[arrays.cells]  # (C, 4, 3)
    z = p[:, :, 2]
    crosses = (z.min(axis=1) < 0.0) & (z.max(axis=1) > 0.0)
    polys: list[FloatArray] = []
    labels: list[int] = []
    edges = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
    for k in np.flatnonzero(crosses):
        pts = []
        for a, b in edges:
            za, zb = z[k, a], z[k, b]
            if (za < 0.0) != (zb < 0.0):
                t = za / (za - zb)
                pts.append(p[k, a, :2] + t * (p[k, b, :2] - p[k, a, :2]))
        if len(pts) < 3:
            continue
        q = np.array(pts)
        c = q.mean(axis=0)
        q = q[np.argsort(np.arctan2(q[:, 1] - c[1], q[:, 0] - c[0]))]
        polys.append(q)
        labels.append(int(arrays.cell_grain[k]))
    return polys, np.array(labels, dtype=np.int64)
