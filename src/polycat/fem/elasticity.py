"""Quasi-static anisotropic elasticity with a lattice eigenstrain on the whole mesh.

The operator (grains: rotated crystal stiffness through a DG0 rotation field; solid
electrolyte: isotropic) is assembled once. Each solve assembles only the right-hand side
(eigenstress from the current ε_a, ε_c fields plus stack pressure) and runs CG —
preconditioned for P2 by a two-level p-multigrid (Chebyshev/Jacobi on P2, GAMG with the
rigid-body near-null space on the rediscretised P1 operator), for P1 (or when the user
picks a ``pc_*`` option) by GAMG on the operator itself — from the Galerkin projection
of the new right-hand side onto the span of the last solutions
(:class:`~polycat.fem.solvers.GalerkinProjection`; the operator is constant, so this is
the best start in that span in the energy norm).
Rigid-body modes that the boundary conditions leave free are handled by a PETSc null
space: the right-hand side is projected onto its orthogonal complement, CG works in that
complement, and the solution is made Euclidean-orthogonal (on the DOF vector) to the
orthonormalised rigid modes.
"""

from __future__ import annotations

import time

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)

import numpy as np
from numpy.typing import NDArray

import dolfinx.mesh
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

from .boundary import BoundarySpec
from .info import MechInfo
from .settings import SolverSettings
from .solvers import (
    GalerkinProjection,
    assemble_vector_into,
    check_converged,
    create_ksp,
    nullspace_from_modes,
    reason_name,
    rigid_body_modes,
)

__all__ = [
    "MECH_PREFIX",
    "ElasticitySolver",
    "mechanics_default_options",
    "mechanics_pmg_options",
]

MECH_PREFIX = "polycat_mech_"


def mechanics_default_options(rtol: float) -> dict[str, str | int | float | None]:
    """CG + smoothed-aggregation GAMG with Chebyshev/Jacobi smoothing (P1/P2 elasticity)."""
    return {
        "ksp_type": "cg",
        "ksp_rtol": rtol,
        "ksp_atol": 1e-30,
        "ksp_max_it": 2000,
        "pc_type": "gamg",
        "pc_gamg_type": "agg",
        "pc_gamg_agg_nsmooths": 1,
        "pc_gamg_threshold": 0.01,
        "pc_gamg_coarse_eq_limit": 1000,
        "pc_gamg_reuse_interpolation": "true",
        "mg_levels_ksp_type": "chebyshev",
        "mg_levels_pc_type": "jacobi",
        # A singular coarse operator (free particle): shift zero pivots instead of failing;
        # CG with the attached null space removes the rigid modes anyway.
        "mg_coarse_sub_pc_factor_shift_type": "nonzero",
    }


def mechanics_pmg_options(rtol: float) -> dict[str, str | int | float | None]:
    """CG + two-level p-multigrid for P2: Chebyshev/Jacobi on the P2 level, one GAMG
    V-cycle (rigid-body near-null space) on the rediscretised P1 operator as the coarse
    solve. Against GAMG on the P2 operator (default case, 119 k DOFs): ~21 instead of ~36
    iterations, ~0.6 s instead of ~6 s set-up (docs/performance.md)."""
    gamg = mechanics_default_options(rtol)
    opts: dict[str, str | int | float | None] = {
        k: gamg[k] for k in ("ksp_type", "ksp_rtol", "ksp_atol", "ksp_max_it")
    }
    opts.update(
        {
            "pc_type": "mg",
            "mg_levels_ksp_type": "chebyshev",
            "mg_levels_pc_type": "jacobi",
            "mg_levels_ksp_max_it": 2,
            "mg_coarse_ksp_type": "preonly",
        }
    )
    for k, v in gamg.items():
        if k.startswith(("pc_", "mg_")):
            opts["mg_coarse_" + k] = v
    return opts


class ElasticitySolver:
    """Solver of a(u, v) = L(v) for the displacement (mesh in µm, stiffness in MPa).

    The operator ``a`` is assembled once; each :meth:`solve` assembles ``L`` only.

    Args:
        u: the displacement Function (its space is the trial/test space of ``a``).
        a: the bilinear form (:func:`polycat.fem.forms.elastic_bilinear_form`).
        L: the linear form (eigenstress and pressure loads), re-assembled per solve.
        facet_tags: facet tags of the mesh (the Dirichlet faces of ``boundary``).
        boundary: held faces and free rigid-body modes (:func:`mechanics_boundary`).
        settings: degree, tolerances, PETSc overrides.
    """

    blocked_operator: bool = True
    """The operator may be stored as BAIJ(3) (``settings.mechanics_matrix``); subclasses
    that add AIJ matrices to it say False."""

    def __init__(
        self,
        u: fem.Function,
        a: ufl.Form,
        L: ufl.Form,
        facet_tags: dolfinx.mesh.MeshTags,
        boundary: BoundarySpec,
        settings: SolverSettings,
    ) -> None:
        self.V = V = u.function_space
        msh = V.mesh
        tdim = msh.topology.dim
        self.mesh = msh
        self.u = u
        self.boundary = boundary
        self._test, self._trial = a.arguments()
        msh.topology.create_connectivity(tdim - 1, tdim)
        # Dirichlet data as (component or None for all, facets): built on any space.
        self._bc_spec: list[tuple[int | None, NDArray[np.int32]]] = [
            (comp, facet_tags.find(int(tag))) for comp, tag in boundary.dirichlet
        ]
        modes = boundary.free_modes
        bcs = self._dirichlet_bcs(V)
        geometry_degree = int(msh.geometry.cmaps[0].degree)
        if modes and settings.element_degree < geometry_degree:
            # Rigid rotations are linear in physical coordinates: not in a P1 space on
            # curved cells, so the null space would not be a kernel of the operator.
            raise ValueError(
                f"the boundary conditions leave rigid-body modes that must be removed, but "
                f"the displacement degree ({settings.element_degree}) is below the mesh "
                f"geometry degree ({geometry_degree}); use element_degree >= {geometry_degree}"
            )
        self.bcs = bcs
        self.a_ufl, self.L_ufl = a, L
        self.a_form = fem.form(a)
        self.L_form = fem.form(L)

        self.p_multigrid = (
            settings.p_multigrid
            and settings.element_degree == 2
            and not any(k.startswith("pc_") for k in settings.mechanics_options)
        )
        # BAIJ(3) where only the p-multigrid's fine level (Chebyshev/Jacobi, products) works
        # on the operator: PETSc's GAMG needs AIJ.
        blocked = settings.mechanics_matrix == "baij" and self.blocked_operator
        kind = "baij" if blocked and self.p_multigrid else None
        self.A = fem_petsc.assemble_matrix(self.a_form, bcs=bcs, kind=kind)
        self.A.assemble()
        self._all_modes = boundary.all_modes
        self._near_modes = rigid_body_modes(V, self._all_modes)
        self.A.setNearNullSpace(nullspace_from_modes(msh.comm, self._near_modes))
        self._null_modes = rigid_body_modes(V, modes) if modes else []
        self.nullspace: PETSc.NullSpace | None = None
        if self._null_modes:
            self.nullspace = nullspace_from_modes(msh.comm, self._null_modes)
            self.A.setNullSpace(self.nullspace)
        self.b = fem_petsc.create_vector(V)
        t0 = time.perf_counter()
        self.A1: PETSc.Mat | None = None
        self.P: PETSc.Mat | None = None
        self.ksp = create_ksp(
            msh.comm,
            self.A,
            MECH_PREFIX,
            (mechanics_pmg_options if self.p_multigrid else mechanics_default_options)(
                settings.ksp_rtol
            ),
            settings.mechanics_options,
            configure=self._p1_coarse_level if self.p_multigrid else None,
        )
        self.ksp.setInitialGuessNonzero(True)
        self.setup_wall_s = time.perf_counter() - t0
        self.projection: GalerkinProjection | None = None
        if settings.projection_size > 0:
            self.projection = GalerkinProjection(self.A, settings.projection_size)

    def _dirichlet_bcs(self, V: fem.FunctionSpace) -> list[fem.DirichletBC]:
        """The homogeneous Dirichlet conditions of the boundary condition on space ``V``."""
        fdim = self.mesh.topology.dim - 1
        gdim = self.mesh.geometry.dim
        out = []
        for comp, facets in self._bc_spec:
            if comp is None:
                dofs = fem.locate_dofs_topological(V, fdim, facets)
                out.append(fem.dirichletbc(np.zeros(gdim, dtype=np.float64), dofs, V))
            else:
                dofs = fem.locate_dofs_topological(V.sub(comp), fdim, facets)
                out.append(fem.dirichletbc(np.float64(0.0), dofs, V.sub(comp)))
        return out

    def _p1_coarse_level(self, ksp: PETSc.KSP) -> None:
        """Make ``ksp``'s PC a two-level p-multigrid: the P2 operator smoothed on the fine
        level, the P1 operator (same forms, rediscretised) as the coarse level."""
        msh = self.mesh
        V1 = fem.functionspace(msh, ("Lagrange", 1, (msh.geometry.dim,)))
        u1, v1 = ufl.TrialFunction(V1), ufl.TestFunction(V1)
        a1 = ufl.replace(self.a_ufl, {self._trial: u1, self._test: v1})
        bcs1 = self._dirichlet_bcs(V1)
        self.A1 = fem_petsc.assemble_matrix(fem.form(a1), bcs=bcs1)
        self.A1.assemble()
        self._near_modes1 = rigid_body_modes(V1, self._all_modes)
        self.A1.setNearNullSpace(nullspace_from_modes(msh.comm, self._near_modes1))
        P = fem_petsc.interpolation_matrix(V1, self.V)
        P.assemble()
        # No coarse correction on constrained DOFs, none from constrained coarse DOFs.
        left, right = fem_petsc.create_vector(self.V), fem_petsc.create_vector(V1)
        for vec, bcs in ((left, self.bcs), (right, bcs1)):
            vec.set(1.0)
            fem_petsc.set_bc(vec, bcs)
        P.diagonalScale(left, right)
        left.destroy()
        right.destroy()
        self.P = P
        pc = ksp.getPC()
        pc.setType("mg")
        pc.setMGLevels(2)
        pc.setMGInterpolation(1, P)
        pc.getMGCoarseSolve().setOperators(self.A1, self.A1)

    @property
    def num_dofs(self) -> int:
        """Global number of displacement DOFs."""
        imap = self.V.dofmap.index_map
        return int(imap.size_global * self.V.dofmap.index_map_bs)

    def assemble_rhs(self) -> PETSc.Vec:
        """Assemble b = ∫ σ*:ε(v) − ∫ p n·v (homogeneous Dirichlet data only)."""
        assemble_vector_into(self.b, self.L_form)
        fem_petsc.set_bc(self.b, self.bcs)
        if self.nullspace is not None:
            self.nullspace.remove(self.b)
        return self.b

    def solve(self) -> MechInfo:
        """Solve for ``u`` from the current eigenstrain fields; raise SolverError on failure."""
        t0 = time.perf_counter()
        b = self.assemble_rhs()
        x = self.u.x.petsc_vec
        if self.projection is not None:
            self.projection.initial_guess(b, x)
        self.ksp.solve(b, x)
        check_converged(self.ksp, x, "mechanics")
        # Iterative solves leave ~rtol-sized values on constrained DOFs: set them exactly.
        fem_petsc.set_bc(x, self.bcs)
        if self.nullspace is not None:
            self.nullspace.remove(x)
        self.u.x.scatter_forward()
        if self.projection is not None:
            self.projection.add(x)
        return MechInfo(
            ksp_iterations=int(self.ksp.getIterationNumber()),
            converged_reason=reason_name(self.ksp.getConvergedReason()),
            residual_norm=float(self.ksp.getResidualNorm()),
            wall_s=time.perf_counter() - t0,
        )

    def destroy(self) -> None:
        """Free the PETSc objects."""
        if self.projection is not None:
            self.projection.destroy()
        self.ksp.destroy()
        for mat in (self.A1, self.P):
            if mat is not None:
                mat.destroy()
        self.A.destroy()
        self.b.destroy()
        if self.nullspace is not None:
            self.nullspace.destroy()
