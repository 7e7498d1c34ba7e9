"""Sampling a solved state at cell quadrature points and at facet midpoints.

Readers reduce these samples to tables. Both samplers evaluate compiled UFL
expressions on whole arrays of entities (no Python loop over cells or facets) and
return only entities **owned** by this rank, so that MPI reductions count every
cell and facet exactly once, whatever the partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)

import numpy as np
from numpy.typing import NDArray

import basix
import dolfinx
import ufl

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int32]


def stress3(sigma: ufl.core.expr.Expr, gdim: int) -> ufl.core.expr.Expr:
    """A 3×3 stress from a gdim×gdim one (2D in-plane stresses padded with zeros)."""
    if gdim == 3:
        return sigma
    return ufl.as_matrix(
        [[sigma[0, 0], sigma[0, 1], 0.0], [sigma[1, 0], sigma[1, 1], 0.0], [0.0, 0.0, 0.0]]
    )


@dataclass(frozen=True)
class CellSamples:
    """Values at the quadrature points of owned cells (flattened over cells × points).

    Attributes:
        sigma: (n, 3, 3) stress, MPa.
        x: (n,) Li fraction (0 in cells without Li).
        coords: (n, 3) physical coordinates, µm.
        weight: (n,) quadrature weight × |det J|, µm³ (µm² in 2D).
        tag: (n,) cell tag of the cell the point lies in (-1 untagged).
    """

    sigma: FloatArray
    x: FloatArray
    coords: FloatArray
    weight: FloatArray
    tag: NDArray[np.int64]


def owned_cell_tags(mesh: dolfinx.mesh.Mesh, cell_tags: dolfinx.mesh.MeshTags) -> NDArray[np.int64]:
    """Tag of every owned cell (-1 where untagged)."""
    tdim = mesh.topology.dim
    n_owned = mesh.topology.index_map(tdim).size_local
    tags = np.full(n_owned, -1, dtype=np.int64)
    keep = cell_tags.indices < n_owned
    tags[cell_tags.indices[keep]] = cell_tags.values[keep]
    return tags


def sample_cells(
    mesh: dolfinx.mesh.Mesh,
    cell_tags: dolfinx.mesh.MeshTags,
    sigma: ufl.core.expr.Expr,
    x_li: ufl.core.expr.Expr | float,
    degree: int = 2,
) -> CellSamples:
    """Evaluate stress and Li fraction at a degree-`degree` quadrature rule in every owned
    cell. `sigma` is a gdim×gdim UFL stress (MPa); `x_li` a scalar UFL expression."""
    tdim, gdim = mesh.topology.dim, mesh.geometry.dim
    points_, weights_ = basix.make_quadrature(mesh.basix_cell(), degree)
    points = np.asarray(points_, dtype=np.float64)
    weights = np.asarray(weights_, dtype=np.float64)
    s3 = stress3(sigma, gdim)
    X = ufl.SpatialCoordinate(mesh)
    xs = x_li if isinstance(x_li, ufl.core.expr.Expr) else ufl.as_ufl(float(x_li))
    comps = [s3[i, j] for i in range(3) for j in range(3)]
    comps += [xs, abs(ufl.JacobianDeterminant(mesh))]  # type: ignore[arg-type]
    comps += [X[i] for i in range(gdim)]
    expr = dolfinx.fem.Expression(ufl.as_vector(comps), np.asarray(points))
    n_owned = mesh.topology.index_map(tdim).size_local
    cells = np.arange(n_owned, dtype=np.int32)
    vals = np.asarray(expr.eval(mesh, cells), dtype=np.float64).reshape(n_owned * len(weights), -1)
    coords = np.zeros((vals.shape[0], 3))
    coords[:, :gdim] = vals[:, 11 : 11 + gdim]
    tags = np.repeat(owned_cell_tags(mesh, cell_tags), len(weights))
    return CellSamples(
        sigma=vals[:, :9].reshape(-1, 3, 3).copy(),
        x=vals[:, 9].copy(),
        coords=coords,
        weight=vals[:, 10] * np.tile(np.asarray(weights), n_owned),
        tag=tags,
    )


@dataclass(frozen=True)
class FacetSamples:
    """Tractions at the midpoints of owned facets (one value per facet).

    The stress is the average of the two adjacent cells' values at the same physical
    point (one cell on an exterior facet). t_n = n·σ·n and t_s = |σn − t_n n| do not
    depend on the orientation of n.

    Attributes:
        facet: (m,) local facet indices.
        tag: (m,) facet tags.
        area: (m,) facet area, µm² (length in 2D, µm).
        t_n, t_s: (m,) normal and shear traction, MPa.
        midpoint: (m, 3) facet midpoints, µm.
        normal: (m, 3) unit normal (outward of the first adjacent cell).
        cells: (m, 2) the adjacent local cells (second -1 on exterior facets).
    """

    facet: IntArray
    tag: NDArray[np.int64]
    area: FloatArray
    t_n: FloatArray
    t_s: FloatArray
    midpoint: FloatArray
    normal: FloatArray
    cells: NDArray[np.int32]


def _facet_geometry(mesh: dolfinx.mesh.Mesh, facets: IntArray) -> tuple[FloatArray, FloatArray]:
    """Area (µm², or length in 2D) and midpoint of facets, from vertex coordinates."""
    tdim = mesh.topology.dim
    geom = dolfinx.mesh.entities_to_geometry(mesh, tdim - 1, facets)
    pts = np.asarray(mesh.geometry.x[geom], dtype=np.float64)  # (m, nv, 3)
    if tdim == 3:
        area = 0.5 * np.linalg.norm(np.cross(pts[:, 1] - pts[:, 0], pts[:, 2] - pts[:, 0]), axis=1)
    else:
        area = np.linalg.norm(pts[:, 1] - pts[:, 0], axis=1)
    return area, pts.mean(axis=1)


def sample_facets(
    mesh: dolfinx.mesh.Mesh,
    facet_tags: dolfinx.mesh.MeshTags,
    tags: NDArray[np.int64] | list[int],
    sigma: ufl.core.expr.Expr,
    one_side: NDArray[np.bool_] | None = None,
    at: Literal["facet", "cell"] = "facet",
) -> FacetSamples:
    """Normal and shear traction on every owned facet whose tag is in `tags`. Needs the
    facet→cell connectivity of both sides (mesh read with GhostMode.shared_facet in
    parallel).

    The stress of each adjacent cell is taken at the facet midpoint (`at="facet"`) or at
    the cell centroid (`at="cell"`, the cell average of a stress linear in the cell).
    By default the traction is the average of the two sides. With `one_side` (a boolean
    per local cell, owned and ghost), a facet with exactly one marked adjacent cell takes
    the stress of that cell alone (the CAM–SE interface: the grain side; see
    docs/verification.md for why)."""
    tdim, gdim = mesh.topology.dim, mesh.geometry.dim
    fdim = tdim - 1
    mesh.topology.create_connectivity(fdim, tdim)
    mesh.topology.create_connectivity(tdim, fdim)
    n_owned = mesh.topology.index_map(fdim).size_local
    want = np.isin(facet_tags.values, np.asarray(tags, dtype=np.int64))
    sel = facet_tags.indices[want]
    sel_tags = facet_tags.values[want].astype(np.int64)
    keep = sel < n_owned
    facets, ftags = sel[keep].astype(np.int32), sel_tags[keep]
    order = np.argsort(facets, kind="stable")
    facets, ftags = facets[order], ftags[order]
    if len(facets) == 0:
        empty = np.zeros(0)
        return FacetSamples(
            facets, ftags, empty, empty, empty, np.zeros((0, 3)), np.zeros((0, 3)),
            np.zeros((0, 2), dtype=np.int32),
        )  # fmt: skip

    f2c = mesh.topology.connectivity(fdim, tdim)
    c2f = mesh.topology.connectivity(tdim, fdim)
    offsets = f2c.offsets
    counts = offsets[facets + 1] - offsets[facets]
    if np.any(counts > 2):
        raise RuntimeError("a facet with more than two cells: the mesh is not manifold")
    first = f2c.array[offsets[facets]]
    second = np.where(
        counts == 2, f2c.array[np.minimum(offsets[facets] + 1, len(f2c.array) - 1)], -1
    )
    nf_per_cell = len(c2f.links(0)) if c2f.num_nodes > 0 else tdim + 1
    c2f_arr = c2f.array.reshape(-1, nf_per_cell)

    def facet_entities(cells: NDArray[np.int32], fac: IntArray) -> NDArray[np.int32]:
        local = np.argmax(c2f_arr[cells] == fac[:, None], axis=1)
        return np.stack([cells, local], axis=1).astype(np.int32)

    s3 = stress3(sigma, gdim)
    comps = [s3[i, j] for i in range(3) for j in range(3)]
    # reference-facet coordinates of the facet midpoint (the centroid of the reference facet)
    facet_type = basix.cell.sub_entity_type(mesh.basix_cell(), fdim, 0)
    facet_mid = np.asarray(basix.geometry(facet_type)).mean(axis=0, keepdims=True)
    n = ufl.FacetNormal(mesh)
    n3 = ufl.as_vector([n[i] for i in range(gdim)] + [0.0] * (3 - gdim))
    on_facet = dolfinx.fem.Expression(
        ufl.as_vector([*comps, *(n3[i] for i in range(3))]), facet_mid
    )
    in_cell = None
    if at == "cell":
        centroid = np.asarray(basix.geometry(mesh.basix_cell())).mean(axis=0, keepdims=True)
        in_cell = dolfinx.fem.Expression(ufl.as_vector(comps), centroid)

    def stress(cells: NDArray[np.int32], fac: IntArray) -> tuple[FloatArray, FloatArray]:
        """(m, 3, 3) stress of `cells` and (m, 3) outward normal of `cells` on `fac`."""
        vals = np.asarray(on_facet.eval(mesh, facet_entities(cells, fac)), dtype=np.float64)
        vals = vals.reshape(len(fac), 12)
        sig = vals[:, :9].reshape(-1, 3, 3)
        if in_cell is not None:
            sig = np.asarray(in_cell.eval(mesh, cells), dtype=np.float64).reshape(-1, 3, 3)
        return sig, vals[:, 9:]

    area, mid = _facet_geometry(mesh, facets)
    s1, n1 = stress(first, facets)
    s_use = s1.copy()
    two = second >= 0
    if np.any(two):
        s2, _ = stress(second[two], facets[two])
        s_use[two] = 0.5 * (s1[two] + s2)
        if one_side is not None:
            m1 = one_side[first[two]]
            m2 = one_side[second[two]]
            idx = np.flatnonzero(two)
            s_use[idx[m1 & ~m2]] = s1[idx[m1 & ~m2]]
            s_use[idx[m2 & ~m1]] = s2[m2 & ~m1]
    t = np.einsum("nij,nj->ni", s_use, n1)
    t_n = np.einsum("ij,ij->i", t, n1)
    t_s = np.linalg.norm(t - t_n[:, None] * n1, axis=1)
    return FacetSamples(
        facet=facets,
        tag=ftags,
        area=area,
        t_n=t_n,
        t_s=t_s,
        midpoint=mid,
        normal=n1,
        cells=np.stack([first, second], axis=1).astype(np.int32),
    )


class PointSampler:
    """Evaluates functions at fixed points (n, 3), gathered on rank 0 (NaN outside the
    mesh). The point → cell search, the costly part, is done once at construction (the
    mesh does not move). Collective. A point on a partition boundary is taken from the
    lowest rank that finds it, so the answer does not depend on the partition."""

    def __init__(self, mesh: dolfinx.mesh.Mesh, points: FloatArray) -> None:
        self.mesh = mesh
        tdim = mesh.topology.dim
        n_owned = mesh.topology.index_map(tdim).size_local
        tree = dolfinx.geometry.bb_tree(mesh, tdim, entities=np.arange(n_owned, dtype=np.int32))
        self.points = np.ascontiguousarray(points, dtype=mesh.geometry.x.dtype)
        cand = dolfinx.geometry.compute_collisions_points(tree, self.points)
        hits = dolfinx.geometry.compute_colliding_cells(mesh, cand, self.points)
        counts = hits.offsets[1:] - hits.offsets[:-1]
        self.found = np.flatnonzero(counts > 0)
        self.cells = hits.array[hits.offsets[self.found]]

    def __call__(self, func: dolfinx.fem.Function) -> FloatArray | None:
        """Values of `func` at the points on rank 0, None on other ranks."""
        shape = func.function_space.value_shape
        vs = int(np.prod(shape)) if shape else 1
        vals = np.full((len(self.points), vs), np.nan)
        if len(self.found):
            got = func.eval(self.points[self.found], self.cells)
            vals[self.found] = np.asarray(got, dtype=np.float64).reshape(-1, vs)
        gathered = self.mesh.comm.gather(vals, root=0)
        if gathered is None:
            return None
        out = np.full_like(vals, np.nan)
        for part in gathered:
            take = np.isnan(out[:, 0]) & ~np.isnan(part[:, 0])
            out[take] = part[take]
        return out
