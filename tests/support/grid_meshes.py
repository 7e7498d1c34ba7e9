"""Conforming simplex meshes of a grid of cubes (squares), written with meshio, for the
mesh-file import (``geometry.kind: file``) tests. numpy and meshio only.

The cube [-L, L]³ is cut into n³ cubes of side 2L/n, each into six tetrahedra along its
000–111 diagonal (Kuhn's subdivision, conforming across the grid; half the tetrahedra
have negative orientation in vertex order). Regions are given by a function of the cube
centres, so every region boundary lies on grid planes and its area is known exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def cube_grid(n: int, half: float) -> tuple[FloatArray, IntArray, FloatArray]:
    """Nodes (P, 3), tetrahedra (6 n³, 4) and the centre of each tetrahedron's cube."""
    ax = np.linspace(-half, half, n + 1)
    pts = np.array(list(itertools.product(ax, ax, ax)))  # index i*(n+1)^2 + j*(n+1) + k

    def node(i: int, j: int, k: int) -> int:
        return (i * (n + 1) + j) * (n + 1) + k

    tets, centres = [], []
    h = 2.0 * half / n
    for i, j, k in itertools.product(range(n), repeat=3):
        c = np.array([ax[i] + 0.5 * h, ax[j] + 0.5 * h, ax[k] + 0.5 * h])
        for perm in itertools.permutations(range(3)):
            v = [i, j, k]
            path = [node(*v)]
            for a in perm:
                v[a] += 1
                path.append(node(*v))
            tets.append(path)
            centres.append(c)
    return pts, np.array(tets, dtype=np.int64), np.array(centres)


def square_grid(n: int, half: float) -> tuple[FloatArray, IntArray, FloatArray]:
    """Nodes (P, 3; z = 0), triangles (2 n², 3) and the centre of each triangle's square."""
    ax = np.linspace(-half, half, n + 1)
    pts = np.array([[x, y, 0.0] for x in ax for y in ax])

    def node(i: int, j: int) -> int:
        return i * (n + 1) + j

    tris, centres = [], []
    h = 2.0 * half / n
    for i, j in itertools.product(range(n), repeat=2):
        c = np.array([ax[i] + 0.5 * h, ax[j] + 0.5 * h, 0.0])
        a, b, cc, d = node(i, j), node(i + 1, j), node(i + 1, j + 1), node(i, j + 1)
        tris += [[a, b, cc], [a, d, cc]]  # the second one clockwise
        centres += [c, c]
    return pts, np.array(tris, dtype=np.int64), np.array(centres)


def write_grid_mesh(
    path: Path,
    label: Callable[[FloatArray], int | None],
    n: int = 4,
    half: float = 2.0,
    dim: int = 3,
    name: str = "region",
    extra_cells: list[tuple[str, IntArray, IntArray]] | None = None,
    cell_sets: bool = False,
) -> Path:
    """Write the grid mesh whose cube (square) with centre c gets tag ``label(c)`` (None:
    left out) to ``path`` (format by suffix). ``extra_cells``: more (type, cells, tags)
    blocks; ``cell_sets``: the tags as cell sets named ``R<tag>`` instead of cell data."""
    import meshio

    pts, cells, centres = cube_grid(n, half) if dim == 3 else square_grid(n, half)
    tags = [label(c) for c in centres]
    keep = np.array([t is not None for t in tags])
    cells = cells[keep]
    values = np.array([t for t in tags if t is not None], dtype=np.int64)
    blocks = [("tetra" if dim == 3 else "triangle", cells)]
    data = [values]
    for ctype, conn, t in extra_cells or []:
        blocks.append((ctype, conn))
        data.append(np.asarray(t, dtype=np.int64))
    if cell_sets:
        sets = {}
        for t in sorted({int(v) for d in data for v in d}):
            sets[f"R{t}"] = [np.flatnonzero(d == t) for d in data]
        mesh = meshio.Mesh(pts, blocks, cell_sets=sets)
    else:
        mesh = meshio.Mesh(pts, blocks, cell_data={name: data})
    meshio.write(path, mesh)
    return path


def particle_in_box(c: FloatArray, a: float = 1.0, grains: tuple[int, int] = (7, 3),
                    electrolyte: int | None = 50) -> int | None:  # fmt: skip
    """A cube particle |c|∞ < a of two grains (x < 0: ``grains[0]``, x > 0: ``grains[1]``)
    in an electrolyte (None: no electrolyte cells)."""
    if np.max(np.abs(c)) < a:
        return grains[0] if c[0] < 0 else grains[1]
    return electrolyte
