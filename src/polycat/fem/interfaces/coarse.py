"""A coarse space of the rigid motions of every body of a split mesh, for the Krylov solve.

Once its grain boundaries crack, a grain of a split mesh is held only by the residual
stiffness of its cracked interfaces (and by contact): its six rigid motions become modes
of the operator with eigenvalues ~``residual`` × those of an intact grain. The p-multigrid
of the bonded problem does not see them (its coarse level is the same split mesh at P1),
so CG needs about one extra iteration per such mode and stalls on a pulverised particle.
The remedy is the two-level idea of domain decomposition (e.g. the FETI/BDD coarse
problem of floating subdomains, Farhat & Roux 1991; Mandel 1993): a coarse space Z of the
rigid motions of each body (6 columns per grain and per electrolyte body) and the additive
correction

    M⁻¹ r = M_MG⁻¹ r + Z (Zᵀ J Z)⁺ Zᵀ r,

symmetric positive (semi)definite like M_MG, so CG keeps working. Zᵀ J Z is small
(6 × bodies) and dense: every rank holds it (a pseudo-inverse: with a free boundary the
global rigid motions, sums of the bodies' ones, are in the kernel of J).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from dolfinx import fem
from petsc4py import PETSc

__all__ = ["CoarseCorrectedPC", "RigidBodyCoarseSpace"]

FloatArray = NDArray[np.float64]

PINV_RTOL = 1e-10
"""Eigenvalues of Zᵀ J Z below this fraction of the largest are treated as zero."""


class RigidBodyCoarseSpace:
    """Z: the rigid motions of each body, on the owned DOFs of this rank.

    Args:
        V: the (blocked, 3-D) displacement space of the split mesh.
        body_cells: per body, the local cell indices of that body (the bodies' DOFs are
            disjoint on a split mesh).
        constrained: local (unblocked) DOF indices with Dirichlet conditions (rows of Z
            zeroed there).
    """

    def __init__(
        self,
        V: fem.FunctionSpace,
        body_cells: Sequence[NDArray[np.int32]],
        constrained: NDArray[np.int32] | None = None,
    ) -> None:
        comm = V.mesh.comm
        self.comm = comm
        imap = V.dofmap.index_map
        bs = V.dofmap.index_map_bs
        n_owned = imap.size_local
        x = V.tabulate_dof_coordinates()[:n_owned]
        body = np.full(n_owned, -1, dtype=np.int64)
        dofmap = V.dofmap.list
        for b, cells in enumerate(body_cells):
            nodes = np.unique(dofmap[np.asarray(cells, dtype=np.int32)].ravel())
            nodes = nodes[nodes < n_owned]
            body[nodes] = b
        n_bodies = len(body_cells)
        # Body centroids (of the DOF nodes, over all ranks): rotations about them are
        # better conditioned than about the origin.
        sums = np.zeros((n_bodies, 4))
        ok = body >= 0
        np.add.at(sums[:, :3], body[ok], x[ok])
        np.add.at(sums[:, 3], body[ok], 1.0)
        sums = comm.allreduce(sums)
        centre = sums[:, :3] / np.maximum(sums[:, 3:], 1.0)
        rows, cols, vals = [], [], []
        idx = np.nonzero(ok)[0]
        bo = body[idx]
        r = x[idx] - centre[bo]
        for i in range(3):
            dof = idx * bs + i
            rows.append(dof)
            cols.append(6 * bo + i)  # translation i
            vals.append(np.ones(len(idx)))
        # rotation about axis k: (e_k × r)_i
        for k in range(3):
            e = np.zeros(3)
            e[k] = 1.0
            w = np.cross(e, r)
            for i in range(3):
                if k == i:
                    continue
                rows.append(idx * bs + i)
                cols.append(6 * bo + 3 + k)
                vals.append(w[:, i])
        R = np.concatenate(rows)
        C = np.concatenate(cols)
        Vv = np.concatenate(vals)
        if constrained is not None and len(constrained):
            keep = ~np.isin(R, np.asarray(constrained, dtype=np.int64))
            R, C, Vv = R[keep], C[keep], Vv[keep]
        self.n_local = n_owned * bs
        self.n_coarse = 6 * n_bodies
        self.Z = sp.csr_matrix((Vv, (R, C)), shape=(self.n_local, self.n_coarse))
        self.ZT = self.Z.T.tocsr()
        # The same as a PETSc matrix (all coarse columns owned by rank 0), for J Z.
        rstart = imap.local_range[0] * bs
        self.Zp = PETSc.Mat().createAIJ(
            (
                (self.n_local, PETSc.DETERMINE),
                (self.n_coarse if comm.rank == 0 else 0, self.n_coarse),
            ),
            comm=comm,
        )
        coo = self.Z.tocoo()
        self.Zp.setPreallocationCOO(
            np.asarray(coo.row + rstart, dtype=PETSc.IntType),
            np.asarray(coo.col, dtype=PETSc.IntType),
        )
        self.Zp.setValuesCOO(coo.data, addv=PETSc.InsertMode.INSERT_VALUES)
        self.Zp.assemble()
        self.W: PETSc.Mat | None = None
        self.Einv = np.zeros((self.n_coarse, self.n_coarse))

    def update(self, J: PETSc.Mat) -> None:
        """E = Zᵀ J Z and its pseudo-inverse (collective)."""
        if self.W is None:
            self.W = J.matMult(self.Zp)
        else:
            J.matMult(self.Zp, self.W)
        ai, aj, av = self.W.getValuesCSR()
        W = sp.csr_matrix((av, aj, ai), shape=(self.n_local, self.n_coarse))
        E = np.asarray((self.ZT @ W).todense())
        E = self.comm.allreduce(E)
        E = 0.5 * (E + E.T)
        lam, vec = np.linalg.eigh(E)
        big = lam.max(initial=0.0)
        keep = lam > PINV_RTOL * big
        self.Einv = (vec[:, keep] / lam[keep]) @ vec[:, keep].T

    def correction(self, r: FloatArray) -> FloatArray:
        """Z (Zᵀ J Z)⁺ Zᵀ r on the owned entries ``r`` (collective)."""
        c = self.comm.allreduce(self.ZT @ r)
        return self.Z @ (self.Einv @ c)

    def destroy(self) -> None:
        """Free the PETSc objects."""
        self.Zp.destroy()
        if self.W is not None:
            self.W.destroy()


class CoarseCorrectedPC:
    """Python context of a shell PC: one application of ``inner`` (a preonly KSP holding
    the multigrid) plus the rigid-body coarse correction."""

    def __init__(self, inner: PETSc.KSP, coarse: RigidBodyCoarseSpace) -> None:
        self.inner = inner
        self.coarse = coarse

    def apply(self, pc: Any, x: PETSc.Vec, y: PETSc.Vec) -> None:
        """y = M_MG⁻¹ x + Z E⁺ Zᵀ x."""
        self.inner.solve(x, y)
        corr = self.coarse.correction(x.getArray(readonly=True))
        arr = y.getArray()
        arr += corr
