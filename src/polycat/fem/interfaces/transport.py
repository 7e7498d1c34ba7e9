"""Li transport across the interfaces of a split mesh: grain boundaries that transmit until
they crack, and a galvanostatic current carried by the CAM–SE contact that remains.

On the grain submesh of a split mesh every grain is its own piece. Two interface terms
join the residual of :class:`~polycat.fem.diffusion.DiffusionSolver` (Li fraction x,
µm, s):

- grain boundaries: ∫_GB h (1 − d) ⟦x⟧ ⟦v⟧ dA, a transmission with coefficient h (µm/s)
  large enough that an intact boundary is continuous for practical purposes (h = α D/ℓ
  with α ≫ 1: the jump it leaves is 1/α of the x drop over a length ℓ), scaled by the
  boundary's contact (1 − d); ``blocked_when_cracked``: d is the cohesive damage at the
  facet quadrature point, ``continuous``: d = 0 always;
- the CAM–SE interface: ∫ j_eff v dA on the grain side with j_eff = j A/A_c on the points
  still in contact and 0 on debonded ones (``contact_only``), so the total current
  j·A is unchanged and the local flux rises as contact is lost; ``uniform``: j_eff = j.

The damage comes from the last accepted mechanics solve (the coupling is explicit by one
step). Pairs are handled by the rank ``pair % size``, the same rank that handles them in
the mechanics, so the damage of a pair is local.
"""

from __future__ import annotations

from typing import Literal

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)

import numpy as np
from numpy.typing import NDArray

import dolfinx.mesh
from dolfinx import fem
from petsc4py import PETSc

from polycat.errors import ContactLost

from .pairs import FacetPairs

__all__ = ["InterfaceTransport"]

FloatArray = NDArray[np.float64]


class InterfaceTransport:
    """The interface terms of the Li transport on a split grain submesh (collective).

    Args:
        V: the x space (P1) on the grain submesh of the split mesh.
        pair_facets: the pair tags transferred to that submesh.
        pair_tag: (M,) interface tag of every pair.
        h_gb: grain-boundary transmission coefficient, µm/s.
        gb_mode: ``blocked_when_cracked`` or ``continuous``.
        flux_mode: ``contact_only`` or ``uniform``.
    """

    def __init__(
        self,
        V: fem.FunctionSpace,
        pair_facets: dolfinx.mesh.MeshTags,
        pair_tag: NDArray[np.int64],
        h_gb: float,
        gb_mode: Literal["blocked_when_cracked", "continuous"] = "blocked_when_cracked",
        flux_mode: Literal["contact_only", "uniform"] = "contact_only",
    ) -> None:
        if not h_gb > 0.0:
            raise ValueError(f"h_gb must be positive, got {h_gb}")
        self.comm = V.mesh.comm
        self.h_gb = float(h_gb)
        self.gb_mode = gb_mode
        self.flux_mode = flux_mode
        tag = np.asarray(pair_tag, dtype=np.int64)
        n = len(tag)
        ids = np.arange(n)
        self.gb = FacetPairs(V, pair_facets, n, select=ids[tag >= 100_000])
        self.itf = FacetPairs(V, pair_facets, n, select=ids[tag < 100_000], one_sided=True)
        self.itf_area = self.itf.total_area
        rows, cols = self.gb.coo_pattern()
        self.K = PETSc.Mat().create(comm=self.comm)
        n_local = V.dofmap.index_map.size_local * V.dofmap.index_map_bs
        n_global = V.dofmap.index_map.size_global * V.dofmap.index_map_bs
        self.K.setSizes(((n_local, n_global), (n_local, n_global)))
        self.K.setType(PETSc.Mat.Type.AIJ)
        self.K.setPreallocationCOO(rows.astype(PETSc.IntType), cols.astype(PETSc.IntType))
        nq = self.gb.N.shape[0]
        self.gb_contact = np.ones((len(self.gb.pair), nq))  # (1 − d) per point
        self.itf_contact = np.ones((len(self.itf.pair), self.itf.N.shape[0]))
        self.contact_area = self.itf_area
        self._assemble_K()
        self.version = 0
        """Bumped whenever the matrix changes (the solver's Jacobian then changes)."""

    # -- state from the mechanics ------------------------------------------------------
    def update(self, damage: dict[int, FloatArray]) -> bool:
        """Take the damage of the pairs (pair id → (nq,) at the quadrature points; pairs
        not given keep theirs). Returns True when the matrix changed."""
        changed = 0
        if self.gb_mode == "blocked_when_cracked" and len(self.gb.pair):
            new = np.array(
                [
                    1.0 - damage[int(p)] if int(p) in damage else c
                    for p, c in zip(self.gb.pair, self.gb_contact, strict=True)
                ]
            ).reshape(self.gb_contact.shape)
            changed = int(not np.array_equal(new, self.gb_contact))
            self.gb_contact = new
        if self.flux_mode == "contact_only" and len(self.itf.pair):
            self.itf_contact = np.array(
                [
                    (damage[int(p)] < 1.0 - 1e-9).astype(float) if int(p) in damage else c
                    for p, c in zip(self.itf.pair, self.itf_contact, strict=True)
                ]
            ).reshape(self.itf_contact.shape)
        self.contact_area = float(
            self.comm.allreduce(float((self.itf.w * self.itf_contact).sum()), op=_sum())
        )
        if bool(self.comm.allreduce(changed, op=_max())):
            self._assemble_K()
            self.version += 1
            return True
        return False

    def _assemble_K(self) -> None:
        coef = (self.h_gb * self.gb_contact)[:, :, None, None]
        self.K.setValuesCOO(self.gb.matrix_values(coef), addv=PETSc.InsertMode.INSERT_VALUES)
        self.K.assemble()

    # -- terms of the residual ---------------------------------------------------------
    def flux_vector(self, b: PETSc.Vec, flux: float) -> None:
        """Add ∫ j_eff v dA on the grain side of the interface to ``b`` (collective);
        ``flux`` is the uniform outward flux j (µm/s) the total current needs."""
        if self.flux_mode == "uniform":
            j = np.full(self.itf_contact.shape, flux)
        else:
            if not self.contact_area > 0.0:
                raise ContactLost(
                    "the whole CAM–SE interface has debonded: no Li can be transferred"
                )
            j = flux * (self.itf_area / self.contact_area) * self.itf_contact
        self.itf.add_to_vector(b, self.itf.vector_values(j[:, :, None]))

    def destroy(self) -> None:
        """Free the PETSc objects."""
        self.K.destroy()
        self.gb.destroy()
        self.itf.destroy()


def _sum() -> object:
    from mpi4py import MPI

    return MPI.SUM


def _max() -> object:
    from mpi4py import MPI

    return MPI.MAX
