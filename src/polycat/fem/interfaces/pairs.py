"""Facet pairs of a split mesh on a Lagrange space: matched DOFs, quadrature, assembly.

A mesh split along its interfaces (:func:`polycat.mesh.load_mesh` with ``split=True``)
has every interface facet twice, once per side, with the same node coordinates. On a
Lagrange space (P1 or P2, scalar or vector) the two copies carry the same number of DOFs at
the same points. :class:`FacetPairs` matches them and integrates interface terms with a
fixed quadrature rule, in numpy:

- each pair is handled by one rank, ``pair % size`` (a rendezvous: the two sides may live
  on ranks that share no ghost cells); the rank gets the pair's global DOF indices from
  the ranks owning its facets, and the current values through a PETSc scatter;
- the jump at a quadrature point is ⟦f⟧ = Σ_a N_a (f¹_a − f⁰_a), side 1 minus side 0; the
  unit normal ``n`` points out of side 0 into side 1, so ⟦u⟧·n > 0 means apart;
- terms ∫ t(⟦u⟧)·⟦v⟧ dA and their tangents are assembled by global index (PETSc sends
  entries for rows owned elsewhere).

Everything here is collective over the mesh communicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)

import numpy as np
from numpy.typing import NDArray

import basix
import dolfinx.mesh
from dolfinx import fem
from petsc4py import PETSc

__all__ = ["FacetPairs", "facet_shape_values"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def facet_shape_values(
    fdim: int, degree: int, quadrature_degree: int
) -> tuple[FloatArray, FloatArray]:
    """Lagrange shape functions of a facet at a quadrature rule, canonical slot order.

    Slots: the facet's vertices 0..fdim, then (degree 2) the edge midpoints, in 2D the one
    edge, in 3D the edges opposite vertex 0, 1, 2 (midpoints of (1, 2), (0, 2), (0, 1)).

    Returns:
        (N, w): N (nq, n_slots) values at the quadrature points, w (nq,) weights on the
        reference facet whose measure is 1 (multiply by the facet area).
    """
    cell = basix.CellType.triangle if fdim == 2 else basix.CellType.interval
    pts, wts = basix.make_quadrature(cell, quadrature_degree)
    pts = np.asarray(pts, dtype=np.float64)
    wts = np.asarray(wts, dtype=np.float64)
    wts = wts / wts.sum()
    if fdim == 2:
        lam = np.column_stack([1.0 - pts[:, 0] - pts[:, 1], pts[:, 0], pts[:, 1]])
        edges: tuple[tuple[int, int], ...] = ((1, 2), (0, 2), (0, 1))
    else:
        lam = np.column_stack([1.0 - pts[:, 0], pts[:, 0]])
        edges = ((0, 1),)
    if degree == 1:
        return lam, wts
    if degree != 2:
        raise ValueError(f"facet pairs support degree 1 or 2, got {degree}")
    vert = lam * (2.0 * lam - 1.0)
    edge = np.column_stack([4.0 * lam[:, i] * lam[:, j] for i, j in edges])
    return np.column_stack([vert, edge]), wts


@dataclass(frozen=True)
class _Side:
    """What the rank owning one side's facet sends to the pair's rendezvous rank."""

    pair: int
    side: int
    blocks: IntArray  # global block indices of the facet's closure DOFs
    coords: FloatArray  # their coordinates
    vertices: FloatArray  # the facet's vertex coordinates (geometry order)
    cell_centre: FloatArray  # the adjacent cell's centroid


class FacetPairs:
    """The facet pairs of ``pair_facets`` on the Lagrange space ``V`` (collective).

    Args:
        V: a Lagrange space (degree 1 or 2, scalar or blocked) on the split mesh.
        pair_facets: facet tags ``2 m + side`` of the pairs (:class:`polycat.mesh.SplitTags`).
        n_pairs: number of pairs (global).
        select: the pair ids to use (all when None), e.g. only grain boundaries.
        quadrature_degree: degree of the facet quadrature rule.
        one_sided: use side 0 only (e.g. the grain side of the CAM–SE interface on a grain
            submesh, where side 1 does not exist); ``dofs`` then has one side.

    Attributes (for the pairs handled on this rank, in increasing pair id):
        pair: (m,) pair ids; area: (m,) facet areas (µm², µm in 2D); midpoint: (m, 3);
        normal: (m, 3) unit normal out of side 0; N: (nq, k) shape values of the k facet
        slots; w: (m, nq) quadrature weights × area; dofs: (m, 2, k, bs) global scalar DOF
        indices (side, slot, component).
    """

    def __init__(
        self,
        V: fem.FunctionSpace,
        pair_facets: dolfinx.mesh.MeshTags,
        n_pairs: int,
        select: IntArray | None = None,
        quadrature_degree: int = 4,
        one_sided: bool = False,
    ) -> None:
        msh = V.mesh
        comm = msh.comm
        self.V = V
        self.comm = comm
        tdim = msh.topology.dim
        fdim = tdim - 1
        self.gdim = msh.geometry.dim
        self.bs = bs = V.dofmap.index_map_bs
        degree = V.ufl_element().embedded_superdegree
        self.N, qw = facet_shape_values(fdim, degree, quadrature_degree)
        k = self.N.shape[1]
        msh.topology.create_connectivity(fdim, tdim)
        msh.topology.create_connectivity(tdim, fdim)
        wanted = np.zeros(n_pairs, dtype=bool)
        wanted[np.arange(n_pairs) if select is None else np.asarray(select, np.int64)] = True

        # Owned tagged facets of the selected pairs.
        n_owned = msh.topology.index_map(fdim).size_local
        idx, val = pair_facets.indices, pair_facets.values.astype(np.int64)
        keep = (idx < n_owned) & wanted[val // 2]
        if one_sided:
            keep &= val % 2 == 0
        facets, codes = idx[keep], val[keep]
        f2c = msh.topology.connectivity(fdim, tdim)
        c2f = msh.topology.connectivity(tdim, fdim)
        layout = V.dofmap.dof_layout
        coords_all = V.tabulate_dof_coordinates()
        imap = V.dofmap.index_map
        geom = dolfinx.mesh.entities_to_geometry(msh, fdim, facets.astype(np.int32))
        cell_geom = msh.geometry.dofmaps[0]
        sends: list[list[_Side]] = [[] for _ in range(comm.size)]
        for f, code, g in zip(facets, codes, geom, strict=True):
            cell = int(f2c.links(f)[0])
            local = int(np.flatnonzero(c2f.links(cell) == f)[0])
            closure = layout.entity_closure_dofs(fdim, local)
            blocks_local = V.dofmap.cell_dofs(cell)[closure]
            pair, side = int(code // 2), int(code % 2)
            sends[pair % comm.size].append(
                _Side(
                    pair=pair,
                    side=side,
                    blocks=imap.local_to_global(blocks_local.astype(np.int32)).astype(np.int64),
                    coords=np.asarray(coords_all[blocks_local], dtype=np.float64),
                    vertices=np.asarray(msh.geometry.x[g], dtype=np.float64),
                    cell_centre=np.asarray(msh.geometry.x[cell_geom[cell]], np.float64).mean(0),
                )
            )
        received = [s for part in comm.alltoall(sends) for s in part]
        by_pair: dict[int, list[_Side | None]] = {}
        for s in received:
            by_pair.setdefault(s.pair, [None, None])[s.side] = s
        pairs = np.array(sorted(by_pair), dtype=np.int64)
        n_sides = 1 if one_sided else 2
        self.n_sides = n_sides
        for p in pairs:
            if any(by_pair[int(p)][side] is None for side in range(n_sides)):
                raise RuntimeError(f"facet pair {p}: one side missing (is the mesh split?)")
        m = len(pairs)
        self.pair = pairs
        verts = np.array([by_pair[int(p)][0].vertices for p in pairs]).reshape(m, fdim + 1, 3)  # type: ignore[union-attr]
        # Canonical slots from side 0's vertices: vertices, then edge midpoints.
        if k == fdim + 1:
            slots = verts
        elif fdim == 2:
            mids = [0.5 * (verts[:, i] + verts[:, j]) for i, j in ((1, 2), (0, 2), (0, 1))]
            slots = np.concatenate([verts, np.stack(mids, axis=1)], axis=1)
        else:
            slots = np.concatenate([verts, 0.5 * (verts[:, :1] + verts[:, 1:2])], axis=1)
        blocks = np.zeros((m, n_sides, k), dtype=np.int64)
        for side in range(n_sides):
            c = np.array([by_pair[int(p)][side].coords for p in pairs]).reshape(m, k, 3)  # type: ignore[union-attr]
            b = np.array([by_pair[int(p)][side].blocks for p in pairs]).reshape(m, k)  # type: ignore[union-attr]
            d = np.linalg.norm(c[:, :, None, :] - slots[:, None, :, :], axis=-1)  # (m, dof, slot)
            order = np.argmin(d, axis=1)  # for each slot, the matching dof
            if m and (
                np.take_along_axis(d, order[:, None, :], axis=1).max()
                > 1e-8 * (1.0 + np.abs(slots).max())
            ):
                raise RuntimeError("facet pair DOFs do not coincide: the split mesh is broken")
            blocks[:, side] = np.take_along_axis(b, order, axis=1)
        self.dofs = (blocks[..., None] * bs + np.arange(bs)[None, None, None, :]).astype(np.int64)
        # Geometry: area, midpoint, normal out of side 0.
        if fdim == 2:
            nrm = np.cross(verts[:, 1] - verts[:, 0], verts[:, 2] - verts[:, 0])
            area = 0.5 * np.linalg.norm(nrm, axis=1)
        else:
            t = verts[:, 1] - verts[:, 0]
            nrm = np.column_stack([t[:, 1], -t[:, 0], np.zeros(m)])
            area = np.linalg.norm(t, axis=1)
        nrm = nrm / np.maximum(np.linalg.norm(nrm, axis=1), 1e-300)[:, None]
        centre0 = np.array([by_pair[int(p)][0].cell_centre for p in pairs]).reshape(m, 3)  # type: ignore[union-attr]
        mid = verts.mean(axis=1)
        flip = np.einsum("ij,ij->i", nrm, mid - centre0) < 0.0
        nrm[flip] *= -1.0
        self.area = area
        self.midpoint = mid
        self.normal = nrm
        self.w = area[:, None] * qw[None, :]
        # Global layout for the scatter and the assembly.
        self.n_global = int(imap.size_global * bs)
        self.local_range = (int(imap.local_range[0] * bs), int(imap.local_range[1] * bs))
        flat = self.dofs.reshape(-1).astype(PETSc.IntType)
        self._is = PETSc.IS().createGeneral(flat, comm=PETSc.COMM_SELF)
        self._local = PETSc.Vec().createSeq(len(flat), comm=PETSc.COMM_SELF)
        self._scatter: PETSc.Scatter | None = None
        self.total_area = float(comm.allreduce(float(area.sum()), op=_sum_op()))
        self.n_pairs = int(comm.allreduce(m, op=_sum_op()))

    # -- values -----------------------------------------------------------------------
    def gather(self, f: fem.Function) -> FloatArray:
        """Values of ``f`` at the pairs' DOFs: (m, 2, k, bs) (collective)."""
        vec = f.x.petsc_vec
        if self._scatter is None:
            self._scatter = PETSc.Scatter().create(vec, self._is, self._local, None)
        self._scatter.scatter(
            vec, self._local, addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD
        )
        return (
            np.asarray(self._local.getArray(readonly=True), dtype=np.float64)
            .reshape(self.dofs.shape)
            .copy()
        )

    def jump(self, values: FloatArray) -> FloatArray:
        """⟦f⟧ = f(side 1) − f(side 0) at the quadrature points: (m, nq, bs)."""
        return np.einsum("qa,mac->mqc", self.N, values[:, 1] - values[:, 0])

    def side_values(self, values: FloatArray, side: int) -> FloatArray:
        """f on one side at the quadrature points: (m, nq, bs)."""
        return np.einsum("qa,mac->mqc", self.N, values[:, side])

    # -- assembly ---------------------------------------------------------------------
    def coo_pattern(self) -> tuple[IntArray, IntArray]:
        """Global (row, column) of every entry :meth:`matrix_values` fills, in order."""
        d = self.dofs.reshape(len(self.pair), int(np.prod(self.dofs.shape[1:])))  # (m, 2 k bs)
        n = d.shape[1]
        rows = np.repeat(d, n, axis=1).reshape(-1)
        cols = np.tile(d, (1, n)).reshape(-1)
        return rows.astype(np.int64), cols.astype(np.int64)

    def matrix_values(self, K: FloatArray) -> FloatArray:
        """Entries of ∫ ⟦δv⟧·K⟦δu⟧ dA for a tangent K (m, nq, bs, bs) at the quadrature
        points, in :meth:`coo_pattern` order."""
        # (m, a, b, i, j) = Σ_q w N_a N_b K_ij
        core = np.einsum("mq,qa,qb,mqij->mabij", self.w, self.N, self.N, K)
        sign = np.array([[1.0, -1.0], [-1.0, 1.0]])  # jump = side1 − side0
        full = np.einsum("st,mabij->msaitbj", sign, core)  # (m, s, a, i, t, b, j)
        return full.reshape(-1)

    def vector_values(self, t: FloatArray) -> FloatArray:
        """Entries of ∫ t·⟦v⟧ dA for a traction t (m, nq, bs): (m, 2, k, bs); on one-sided
        pairs the entries of ∫ t·v dA on side 0: (m, 1, k, bs)."""
        core = np.einsum("mq,qa,mqi->mai", self.w, self.N, t)
        if self.n_sides == 1:
            return core[:, None]
        return np.stack([-core, core], axis=1)

    def add_to_vector(self, b: PETSc.Vec, values: FloatArray) -> None:
        """Add ``values`` (m, 2, k, bs) into the global vector ``b`` (collective)."""
        b.setValues(
            self.dofs.reshape(-1).astype(PETSc.IntType),
            values.reshape(-1),
            addv=PETSc.InsertMode.ADD,
        )
        b.assemblyBegin()
        b.assemblyEnd()

    def destroy(self) -> None:
        """Free the PETSc objects."""
        if self._scatter is not None:
            self._scatter.destroy()
        self._is.destroy()
        self._local.destroy()


def _sum_op() -> Any:
    from mpi4py import MPI

    return MPI.SUM
