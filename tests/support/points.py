"""Point evaluation of FEM functions, safe in parallel (every rank gets every value)."""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)
from mpi4py import MPI

import numpy as np
from numpy.typing import NDArray

import dolfinx.geometry
from dolfinx import fem

__all__ = ["evaluate_at_points"]


def evaluate_at_points(f: fem.Function, points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Values of ``f`` at ``points`` (n, 3) in mesh units (collective).

    Each rank evaluates the points inside its owned cells; values are averaged over the
    ranks that found a point (a point on a partition boundary, or on a facet of a
    discontinuous field, gets the mean of the candidate cells' values). Points found on no
    rank give NaN. Returns shape (n, value_size).
    """
    msh = f.function_space.mesh
    comm = msh.comm
    tdim = msh.topology.dim
    pts = np.ascontiguousarray(np.asarray(points, dtype=msh.geometry.x.dtype).reshape(-1, 3))
    n_owned = msh.topology.index_map(tdim).size_local
    tree = dolfinx.geometry.bb_tree(msh, tdim, entities=np.arange(n_owned, dtype=np.int32))
    candidates = dolfinx.geometry.compute_collisions_points(tree, pts)
    colliding = dolfinx.geometry.compute_colliding_cells(msh, candidates, pts)
    value_size = int(np.prod(f.function_space.value_shape, dtype=int))
    local = np.zeros((len(pts), value_size))
    count = np.zeros(len(pts))
    idx, cells = [], []
    for i in range(len(pts)):
        links = colliding.links(i)
        links = links[links < n_owned]
        if len(links):
            idx.append(i)
            cells.append(links[0])
    if idx:
        vals = f.eval(pts[idx], np.asarray(cells, dtype=np.int32))
        local[idx] = np.asarray(vals).reshape(len(idx), value_size)
        count[idx] = 1.0
    total = np.zeros_like(local)
    comm.Allreduce(local, total, op=MPI.SUM)
    n = np.zeros_like(count)
    comm.Allreduce(count, n, op=MPI.SUM)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / n[:, None]
