"""Elasticity on a split mesh whose interfaces carry cohesive laws: a Newton solve.

The bulk operator A (grains + electrolyte, split mesh: no coupling across interfaces) and
the load b are those of :class:`~polycat.fem.elasticity.ElasticitySolver`; the interfaces
add the internal force f(u) = ∫ t(⟦u⟧)·⟦v⟧ dA of their laws (:mod:`.cohesive`), so the
equations are R(u) = A u + f(u) − b = 0.

Newton's method with the consistent tangent J_t = A + K_t, solved by GMRES preconditioned
with the two-level p-multigrid of the bonded problem built on the secant operator
J = A + K_sec (symmetric positive definite whatever the damage; the smoother works on it
too). Where no interface point softens K_t = K_sec and the tangent is J itself. The
preconditioner is rebuilt only when the secant stiffness of some point changed by more
than ``rebuild_tol`` since it was built; the tangent is reassembled whenever points
soften, so the iteration converges quadratically also on the softening branch (as long
as the equilibrium is stable). The damage history κ of every quadrature point is
committed only when a step is accepted (:meth:`commit`), so a failed step is redone from
the same state.

``integration="implex"`` (the default of runs) integrates the history with the IMPL-EX
scheme of Oliver, Huespe & Cante (Comput. Methods Appl. Mech. Eng. 197 (2008) 1865): the
step is solved with the history *extrapolated* from the two last committed ones,
κ̃ = κ_n + (Δt/Δt_n)(κ_n − κ_{n−1}), held fixed, so the interface is a secant spring
(symmetric positive definite: CG, the bonded preconditioner, no snap-back to pass) and
only contact (the sign of the normal opening) is nonlinear; the history is then updated
implicitly, κ_{n+1} = max(κ_n, λ(u_{n+1})), and that is what is committed and reported.
The scheme is first order in the step (damage lags by about one step where it grows):
halving the steps shows the error (docs/verification.md, V9).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)

import numpy as np
from numpy.typing import NDArray

import dolfinx.mesh
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

from polycat.errors import SolverError

from ..boundary import BoundarySpec
from ..elasticity import ElasticitySolver
from ..info import MechInfo
from ..settings import SolverSettings
from ..solvers import check_converged, reason_name
from .coarse import CoarseCorrectedPC, RigidBodyCoarseSpace
from .cohesive import CohesiveLaw, CohesiveState
from .pairs import FacetPairs

__all__ = ["CohesiveElasticitySolver", "InterfaceLaws", "InterfaceSetup"]

log = logging.getLogger("polycat")

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class InterfaceLaws:
    """The law of each class of interface pairs.

    Attributes:
        gb: the grain-boundary law (pairs tagged ``gb_i_j``).
        cse: the CAM–SE interface law (pairs tagged ``interface_i``).
    """

    gb: CohesiveLaw
    cse: CohesiveLaw


@dataclass(frozen=True)
class InterfaceSetup:
    """Everything the FEM problem needs about the interfaces of a split mesh.

    Attributes:
        pair_facets: facet tags ``2 m + side`` of the pairs; pair_tag: (M,) their tags
            (:class:`polycat.mesh.SplitTags`).
        laws: the cohesive laws.
        h_gb: Li transmission coefficient of an intact grain boundary, µm/s.
        viscosity_s: time η of the viscous regularisation of damage, s (0: none).
        integration: ``implicit`` or ``implex`` (:class:`CohesiveElasticitySolver`).
        gb_transport: ``blocked_when_cracked`` or ``continuous``.
        cse_transport: ``contact_only`` or ``uniform``.
    """

    pair_facets: Any
    pair_tag: NDArray[np.int64]
    laws: InterfaceLaws
    h_gb: float = 1.0
    viscosity_s: float = 0.0
    integration: str = "implicit"
    gb_transport: str = "blocked_when_cracked"
    cse_transport: str = "contact_only"


class CohesiveElasticitySolver(ElasticitySolver):
    """Displacement on a split mesh with cohesive interfaces (see the module docstring).

    Args:
        u, a, L, facet_tags, boundary, settings: as for :class:`ElasticitySolver` (``a``
            and ``L`` on the split mesh).
        pair_facets, pair_tag: the facet pairs of the split mesh
            (:class:`polycat.mesh.SplitTags`).
        laws: the interface laws.
        newton_rtol: the iteration stops when ‖R‖ ≤ newton_rtol ‖b‖.
        newton_max_it: iteration limit (a SolverError beyond it).
        rebuild_tol: relative change of a point's secant stiffness that rebuilds J.
        integration: ``implicit`` (Newton on the rate-independent law) or ``implex``
            (extrapolated history, see the module docstring).
        body_cells: per body (grain, electrolyte), its local cells: the Krylov solver then
            adds the coarse space of the bodies' rigid motions to the multigrid
            (:mod:`.coarse`; None: the multigrid alone).
    """

    blocked_operator = False  # J = A + K is formed with AIJ interface matrices

    def __init__(
        self,
        u: fem.Function,
        a: ufl.Form,
        L: ufl.Form,
        facet_tags: dolfinx.mesh.MeshTags,
        boundary: BoundarySpec,
        settings: SolverSettings,
        pair_facets: dolfinx.mesh.MeshTags,
        pair_tag: NDArray[np.int64],
        laws: InterfaceLaws,
        newton_rtol: float = 1e-6,
        newton_max_it: int = 25,
        rebuild_tol: float = 0.05,
        integration: str = "implicit",
        body_cells: Sequence[NDArray[np.int32]] | None = None,
    ) -> None:
        if integration not in ("implicit", "implex"):
            raise ValueError(f"integration must be implicit or implex, not {integration!r}")
        self.integration = integration
        settings = _for_cohesive(
            settings,
            symmetric=integration == "implex",
            serial=u.function_space.mesh.comm.size == 1,
        )
        super().__init__(u, a, L, facet_tags, boundary, settings)
        self.laws = laws
        self.newton_rtol = float(newton_rtol)
        self.newton_max_it = int(newton_max_it)
        self.rebuild_tol = float(rebuild_tol)
        n_pairs = len(pair_tag)
        self.pairs = FacetPairs(self.V, pair_facets, n_pairs)
        tag = np.asarray(pair_tag, dtype=np.int64)[self.pairs.pair]
        self.pair_tag = tag
        self.is_gb = tag >= 100_000
        nq = self.pairs.N.shape[0]
        m = len(self.pairs.pair)
        self.nq = nq
        self.kappa = np.zeros((m, nq))  # committed history (µm)
        self.kappa_trial = self.kappa.copy()
        self.damage = np.zeros((m, nq))  # committed damage
        self.damage_trial = self.damage.copy()
        self.kappa_old = self.kappa.copy()  # κ_{n−1}, for the IMPL-EX extrapolation
        self.dt = 0.0
        """Length of the step being solved (s); the problem sets it (IMPL-EX)."""
        self.dt_last = 0.0  # length of the step that produced the committed κ_n
        self._hist = self.kappa  # the history the laws are evaluated with in a solve
        self._status: NDArray[np.bool_] | None = None  # contact status held in a solve
        self.closed = np.zeros(m * nq, dtype=bool)  # committed contact status
        self.rate = np.inf
        """Δt/η of the viscous regularisation for the next solve (∞: rate-independent);
        the problem sets it from the time step."""
        self.state: CohesiveState | None = None
        comm = self.mesh.comm
        # The interface matrices (COO, global indices) and J = A + K on the union pattern.
        rows, cols = self.pairs.coo_pattern()
        self.K = _coo_matrix(comm, self.A, rows, cols)
        self._normal_q = np.repeat(self.pairs.normal, nq, axis=0)
        self._k0_q = np.repeat(
            np.where(self.is_gb, laws.gb.k0 * laws.gb.residual, laws.cse.k0 * laws.cse.residual),
            nq,
        )
        self.J = self.A.duplicate(copy=True)
        self._set_K(self._initial_secant())
        self.J.axpy(1.0, self.K, PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        self.J.setNearNullSpace(self.A.getNearNullSpace())
        if self.nullspace is not None:
            self.J.setNullSpace(self.nullspace)
        self.J1: PETSc.Mat | None = None
        self.K1: PETSc.Mat | None = None
        if self.p_multigrid:
            assert self.A1 is not None
            V1 = fem.functionspace(self.mesh, ("Lagrange", 1, (self.mesh.geometry.dim,)))
            self.pairs1 = FacetPairs(V1, pair_facets, n_pairs)
            if not np.array_equal(self.pairs1.pair, self.pairs.pair):
                raise RuntimeError("P1 and P2 facet pairs differ")
            r1, c1 = self.pairs1.coo_pattern()
            self.K1 = _coo_matrix(comm, self.A1, r1, c1)
            self.J1 = self.A1.duplicate(copy=True)
            self._set_K(self._initial_secant(), level=1)
            self.J1.axpy(1.0, self.K1, PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
            self.J1.setNearNullSpace(self.A1.getNearNullSpace())
        self.Kt = _coo_matrix(comm, self.A, rows, cols)
        self.Jt = self.J.duplicate(copy=True)
        if self.nullspace is not None:
            self.Jt.setNullSpace(self.nullspace)
        self._secant_built: FloatArray | None = None
        self.coarse: RigidBodyCoarseSpace | None = None
        self.solver = self.ksp  # the Krylov solver of the Newton steps
        if body_cells is not None:
            self._with_coarse_space(body_cells)
        self._install_operators()
        self.direct_fallback = _direct_available()
        """Solve by a direct factorisation where the Krylov solve fails (MUMPS present)."""
        self.use_direct = False
        """Set once the Krylov solve has failed: the next solves go direct at once."""
        self.direct_solves = 0
        self.direct = self._direct_ksp()
        self.Au = self.b.duplicate()
        self.R = self.b.duplicate()
        self.du = self.b.duplicate()
        self.f = self.b.duplicate()
        self.rebuilds = 0

    def _direct_ksp(self) -> PETSc.KSP:
        """The KSP of the direct fallback (its factorisation is set up at first use)."""
        ksp = PETSc.KSP().create(self.mesh.comm)
        ksp.setTolerances(rtol=self.ksp.getTolerances()[0], max_it=50)
        return ksp

    def _with_coarse_space(self, body_cells: Sequence[NDArray[np.int32]]) -> None:
        """An outer Krylov solver (the type and tolerances of ``self.ksp``) preconditioned by
        one multigrid cycle (``self.ksp`` made preonly) plus the rigid-body coarse
        correction."""
        mark = fem_petsc.create_vector(self.V)
        mark.set(1.0)
        fem_petsc.set_bc(mark, self.bcs)
        constrained = np.nonzero(mark.getArray(readonly=True) == 0.0)[0].astype(np.int32)
        mark.destroy()
        self.coarse = RigidBodyCoarseSpace(self.V, body_cells, constrained)
        outer = PETSc.KSP().create(self.mesh.comm)
        outer.setType(self.ksp.getType())
        rtol, atol, dtol, max_it = self.ksp.getTolerances()
        outer.setTolerances(rtol=rtol, atol=atol, divtol=dtol, max_it=max_it)
        if self.ksp.getType() == "gmres":
            outer.setGMRESRestart(100)
        outer.setNormType(self.ksp.getNormType())
        outer.getPC().setType("python")
        outer.getPC().setPythonContext(CoarseCorrectedPC(self.ksp, self.coarse))
        self.ksp.setType("preonly")
        self.ksp.setInitialGuessNonzero(False)
        self.solver = outer

    # -- interface operators -----------------------------------------------------------
    def _laws_eval(
        self, jump: FloatArray, kappa_prev: FloatArray, damage_prev: FloatArray | None = None
    ) -> CohesiveState:
        """Evaluate the law of each pair class at all quadrature points (flattened)."""
        m, nq = self.kappa.shape
        j = jump.reshape(m * nq, 3)
        kp = kappa_prev.reshape(m * nq)
        dp = self.damage.reshape(m * nq) if damage_prev is None else damage_prev.reshape(m * nq)
        gb = np.repeat(self.is_gb, nq)
        out: dict[str, FloatArray] = {}
        for law, sel in ((self.laws.gb, gb), (self.laws.cse, ~gb)):
            if not np.any(sel):
                continue
            closed = None if self._status is None else self._status[sel]
            st = law.evaluate(j[sel], self._normal_q[sel], kp[sel], dp[sel], self.rate, closed)
            for name in ("traction", "tangent", "secant", "kappa", "damage", "opening", "shear"):
                arr = getattr(st, name)
                if name not in out:
                    out[name] = np.zeros((m * nq, *arr.shape[1:]))
                out[name][sel] = arr
        if not out:  # no pair on this rank
            z = np.zeros((0,))
            return CohesiveState(
                np.zeros((0, 3)), np.zeros((0, 3, 3)), np.zeros((0, 3, 3)), z, z, z, z
            )
        return CohesiveState(**out)

    def _initial_secant(self) -> FloatArray:
        """Secant of every point at zero jump and the committed history."""
        m, nq = self.kappa.shape
        st = self._laws_eval(np.zeros((m, nq, 3)), self.kappa)
        return st.secant

    def _set_K(self, secant: FloatArray, level: int = 2) -> None:
        m, nq = self.kappa.shape
        K = secant.reshape(m, nq, 3, 3)
        mat, pairs = (self.K, self.pairs) if level == 2 else (self.K1, self.pairs1)
        assert mat is not None
        mat.setValuesCOO(pairs.matrix_values(K), addv=PETSc.InsertMode.INSERT_VALUES)
        mat.assemble()

    def _install_operators(self, tangent: bool = False) -> None:
        """J (or the tangent J_t) as the operator, the secant J as the preconditioner."""
        op = self.Jt if tangent else self.J
        self.ksp.setOperators(self.J if self.coarse is not None else op, self.J)
        if self.p_multigrid:
            assert self.J1 is not None
            pc = self.ksp.getPC()
            pc.getMGCoarseSolve().setOperators(self.J1, self.J1)
            pc.getMGSmoother(1).setOperators(self.J, self.J)
        self.ksp.setUp()
        if self.solver is not self.ksp:
            self.solver.setOperators(op, self.J)
            self.solver.setUp()

    def _set_tangent(self, tangent: FloatArray) -> None:
        """J_t = A + K_t on the union pattern."""
        m, nq = self.kappa.shape
        self.Kt.setValuesCOO(
            self.pairs.matrix_values(tangent.reshape(m, nq, 3, 3)),
            addv=PETSc.InsertMode.INSERT_VALUES,
        )
        self.Kt.assemble()
        S = PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN
        self.A.copy(self.Jt, S)
        self.Jt.axpy(1.0, self.Kt, S)

    def _rebuild(self, secant: FloatArray) -> None:
        """J = A + K_sec; for the Krylov solve also the P1 level and the preconditioner
        set up again (the direct fallback factorises J itself)."""
        S = PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN
        self._set_K(secant)
        self.A.copy(self.J, S)
        self.J.axpy(1.0, self.K, S)
        self._secant_built = secant.copy()
        self.rebuilds += 1
        if self.use_direct:
            return
        if self.p_multigrid:
            assert self.J1 is not None and self.A1 is not None and self.K1 is not None
            self._set_K(secant, level=1)
            self.A1.copy(self.J1, S)
            self.J1.axpy(1.0, self.K1, S)
        self._install_operators()
        if self.coarse is not None:
            self.coarse.update(self.J)

    def _needs_rebuild(self, secant: FloatArray) -> bool:
        local = 1
        if self._secant_built is not None and len(secant):
            scale = np.abs(self._secant_built).max(axis=(1, 2)) + 1e-300
            change = np.abs(secant - self._secant_built).max(axis=(1, 2)) / scale
            local = int(change.max() > self.rebuild_tol)
        elif self._secant_built is not None:
            local = 0
        return bool(self.mesh.comm.allreduce(local, op=_max_op()))

    def _interface_force(self) -> CohesiveState:
        """Evaluate the laws at the current u; f = ∫ t·⟦v⟧ into self.f."""
        m, nq = self.kappa.shape
        vals = self.pairs.gather(self.u)
        jump = self.pairs.jump(vals)
        st = self._laws_eval(jump, self._hist)
        with self.f.localForm() as fl:
            fl.set(0.0)
        self.pairs.add_to_vector(self.f, self.pairs.vector_values(st.traction.reshape(m, nq, 3)))
        return st

    # -- the solve --------------------------------------------------------------------
    def _residual(self, b: PETSc.Vec) -> tuple[CohesiveState, float]:
        """R = A u + f(u) − b at the current u (into self.R) and ‖R‖."""
        st = self._interface_force()
        self.A.mult(self.u.x.petsc_vec, self.Au)
        self.R.waxpy(1.0, self.Au, self.f)
        self.R.axpy(-1.0, b)
        fem_petsc.set_bc(self.R, self.bcs)
        if self.nullspace is not None:
            self.nullspace.remove(self.R)
        r_norm = float(self.R.norm())
        if not np.isfinite(r_norm):
            raise SolverError("mechanics: residual is NaN or Inf")
        return st, r_norm

    def _set_u(self, base: PETSc.Vec, alpha: float) -> None:
        """u = base + α du (boundary values and rigid modes kept out)."""
        x = self.u.x.petsc_vec
        base.copy(x)
        x.axpy(alpha, self.du)
        fem_petsc.set_bc(x, self.bcs)
        if self.nullspace is not None:
            self.nullspace.remove(x)
        self.u.x.scatter_forward()

    def solve(self) -> MechInfo:
        """Newton on R(u) = A u + f(u) − b from the current u, with a backtracking line
        search on ‖R‖ (a softening interface can make full Newton steps overshoot);
        raise SolverError on failure. Under IMPL-EX the laws are held at the extrapolated
        history during the iteration (only contact is nonlinear) and the history is then
        updated implicitly from the converged displacement."""
        t0 = time.perf_counter()
        implex = self.integration == "implex"
        rate = self.rate
        if implex:
            self._hist = self._extrapolated_history()
            self.rate = 0.0  # the history is held at κ̃ during the solve
            self._status = self.closed  # and the contact status at the last step's
        else:
            self._hist = self.kappa
        try:
            info, st = self._newton(t0)
        finally:
            self.rate = rate
            self._status = None
        if implex:
            # The implicit update of the history from the converged u, and the state of
            # the laws there: what is committed and reported. Its tractions lie on the
            # traction–separation curve (≤ the strength); those of the solve, at the
            # lagged history, can overshoot it where an opening outran the extrapolation
            # (the O(Δt) equilibrium defect of IMPL-EX, V9).
            vals = self.pairs.gather(self.u)
            st = self._laws_eval(self.pairs.jump(vals), self.kappa)
        self.state = st
        self.kappa_trial = st.kappa.reshape(self.kappa.shape).copy()
        self.damage_trial = st.damage.reshape(self.kappa.shape).copy()
        return info

    def _extrapolated_history(self) -> FloatArray:
        """κ̃ = κ_n + (Δt/Δt_n)(κ_n − κ_{n−1}) (κ_n before a second committed step)."""
        if self.dt_last <= 0.0 or self.dt <= 0.0:
            return self.kappa
        return self.kappa + (self.dt / self.dt_last) * (self.kappa - self.kappa_old)

    def _newton(self, t0: float) -> tuple[MechInfo, CohesiveState]:
        b = self.assemble_rhs()
        b_norm = float(b.norm())
        ksp_its = 0
        newton = 0
        tol = self.newton_rtol * max(b_norm, 1e-300)
        base = self.u.x.petsc_vec.duplicate()
        st, r_norm = self._residual(b)
        try:
            while not (r_norm <= tol or b_norm == 0.0):
                if newton >= self.newton_max_it:
                    raise SolverError(
                        f"mechanics: Newton did not converge in {newton} iterations "
                        f"(|R| = {r_norm:.3e}, tolerance {tol:.3e})"
                    )
                pc = _preconditioner_stiffness(st, self._k0_q)
                if self._secant_built is None or self._needs_rebuild(pc):
                    self._rebuild(pc)
                local = int(np.any(st.tangent != st.secant)) if len(st.tangent) else 0
                softening = bool(self.mesh.comm.allreduce(local, op=_max_op()))
                if softening:
                    self._set_tangent(st.tangent)
                if not self.use_direct:
                    self._install_operators(tangent=softening)
                self.R.scale(-1.0)
                ksp_its += self._linear_solve(self.Jt if softening else self.J, softening)
                self.u.x.petsc_vec.copy(base)
                alpha = 1.0
                for _ in range(LINE_SEARCH_STEPS):
                    self._set_u(base, alpha)
                    st_new, r_new = self._residual(b)
                    if r_new <= (1.0 - 1e-4 * alpha) * r_norm:
                        break
                    alpha *= 0.5
                if self.mesh.comm.rank == 0:
                    log.debug(
                        "cohesive Newton %d: |R| %.3e -> %.3e (tol %.3e, step %.3g), "
                        "damage max %.3f",
                        newton,
                        r_norm,
                        r_new,
                        tol,
                        alpha,
                        float(st_new.damage.max(initial=0.0)),
                    )
                st, r_norm = st_new, r_new
                newton += 1
        finally:
            base.destroy()
        last = self.direct if self.use_direct else self.solver
        info = MechInfo(
            ksp_iterations=ksp_its,
            converged_reason=reason_name(last.getConvergedReason()),
            residual_norm=r_norm,
            wall_s=time.perf_counter() - t0,
            newton_iterations=newton,
        )
        return info, st

    def _linear_solve(self, op: PETSc.Mat, tangent: bool) -> int:
        """du = op⁻¹ R (R already negated): the preconditioned Krylov solve, and where it
        fails a sparse direct factorisation of ``op`` (see :data:`ITERATIVE_MAX_IT`);
        returns the Krylov iterations."""
        its = 0
        if not self.use_direct:
            with self.du.localForm() as dl:
                dl.set(0.0)
            self.solver.solve(self.R, self.du)
            its = int(self.solver.getIterationNumber())
            reason = self.solver.getConvergedReason()
            at_limit = reason == PETSc.KSP.ConvergedReason.DIVERGED_MAX_IT
            if cast(int, reason) > 0 or (at_limit and not self.direct_fallback):
                # Without a fallback an inexact Newton step is fine: a Krylov solve stopped
                # at its limit still reduces the residual, which the line search checks.
                if not at_limit:
                    check_converged(self.solver, self.du, "mechanics")  # NaN / Inf
                return its
            if not self.direct_fallback:
                check_converged(self.solver, self.du, "mechanics")  # raises: diverged
            self.use_direct = True
            if self.mesh.comm.rank == 0:
                log.info(
                    "mechanics: the multigrid Krylov solve of the cohesive interfaces failed "
                    "(%s after %d iterations); solving by sparse direct factorisation "
                    "(MUMPS) from here on",
                    reason_name(reason),
                    its,
                )
        self._direct_solve(op, tangent)
        return its + int(self.direct.getIterationNumber())

    def _direct_solve(self, op: PETSc.Mat, tangent: bool) -> None:
        """Factorise ``op`` (Cholesky when symmetric, LU for a softening tangent; MUMPS,
        null pivots detected: the free particle's rigid motions) and solve, with a few
        Krylov iterations to polish the singular directions."""
        d = self.direct
        kind = "lu" if tangent else "cholesky"
        d.setOperators(op, op)
        pc = d.getPC()
        if pc.getType() != kind:
            d.setType("gmres" if tangent else "cg")
            pc.setType(kind)
            pc.setFactorSolverType("mumps")
            pc.setFactorSetUpSolverType()
            pc.getFactorMatrix().setMumpsIcntl(24, 1)  # null pivots: the rigid motions
        d.setUp()
        with self.du.localForm() as dl:
            dl.set(0.0)
        d.solve(self.R, self.du)
        check_converged(d, self.du, "mechanics (direct)")
        self.direct_solves += 1

    def sample(self) -> dict[str, Any]:
        """The state of the last solve at every quadrature point of this rank's pairs, as
        the fields of :class:`polycat.post.interfaces.InterfaceSample` (arrays (m, nq);
        the dissipated energy uses the committed history)."""
        if self.state is None:
            raise RuntimeError("solve() first")
        m, nq = self.kappa.shape
        st = self.state
        normal = self._normal_q
        tn = np.einsum("pi,pi->p", st.traction, normal) if len(normal) else np.zeros(0)
        tvec = st.traction - tn[:, None] * normal if len(normal) else np.zeros((0, 3))
        ts = np.linalg.norm(tvec, axis=1) if len(normal) else np.zeros(0)
        kappa = self.kappa.reshape(-1)
        diss = np.zeros(m * nq)
        gb = np.repeat(self.is_gb, nq)
        for law, sel in ((self.laws.gb, gb), (self.laws.cse, ~gb)):
            if np.any(sel):
                diss[sel] = law.dissipated(kappa[sel])
        return {
            "tag": self.pair_tag.copy(),
            "weight": self.pairs.w.copy(),
            "tn": tn.reshape(m, nq),
            "ts": ts.reshape(m, nq),
            "opening": st.opening.reshape(m, nq),
            "damage": self.damage.copy(),
            "dissipated": diss.reshape(m, nq),
        }

    def damage_by_pair(self) -> dict[int, FloatArray]:
        """Pair id → damage (nq,) at the committed history, for this rank's pairs."""
        return {int(p): self.damage[i] for i, p in enumerate(self.pairs.pair)}

    def laws_damage(self, kappa: FloatArray) -> FloatArray:
        """Damage of each (flattened) quadrature point at history ``kappa``."""
        nq = self.nq
        gb = np.repeat(self.is_gb, nq)
        d = np.zeros(len(kappa))
        for law, sel in ((self.laws.gb, gb), (self.laws.cse, ~gb)):
            if np.any(sel):
                d[sel] = law.damage(kappa[sel])
        return d

    # -- history ----------------------------------------------------------------------
    def commit(self) -> None:
        """Accept the last solve: its trial history becomes the committed history."""
        self.kappa_old = self.kappa
        self.kappa = self.kappa_trial.copy()
        self.damage = self.damage_trial.copy()
        self.dt_last = self.dt
        if self.state is not None:
            self.closed = self.state.opening < 0.0

    def history_state(self) -> dict[str, Any]:
        """The committed history (for snapshots and checkpoints), by pair id."""
        return {
            "pair": self.pairs.pair.copy(),
            "kappa": self.kappa.copy(),
            "damage": self.damage.copy(),
            "kappa_old": self.kappa_old.copy(),
            "dt_last": self.dt_last,
            "closed": self.closed.reshape(self.kappa.shape).copy(),
        }

    def restore_history(self, state: Mapping[str, Any]) -> None:
        """Set the committed history from :meth:`history_state` (same pairs on this rank;
        a state without ``kappa_old`` gives no extrapolation in the next step)."""
        pos = {int(p): i for i, p in enumerate(state["pair"])}
        rows = np.array([pos[int(p)] for p in self.pairs.pair], dtype=np.int64)
        shape = self.kappa.shape

        def mine(key: str, dtype: type = np.float64) -> NDArray[Any]:
            return np.asarray(state[key], dtype=dtype)[rows].reshape(shape)

        self.kappa = mine("kappa")
        self.kappa_trial = self.kappa.copy()
        self.damage = mine("damage")
        self.damage_trial = self.damage.copy()
        full = "kappa_old" in state
        self.kappa_old = mine("kappa_old") if full else self.kappa.copy()
        self.closed = mine("closed", bool).reshape(-1) if full else np.zeros(self.kappa.size, bool)
        self.dt_last = float(state["dt_last"]) if full else 0.0
        self._secant_built = None  # J is rebuilt at the next solve

    def destroy(self) -> None:
        """Free the PETSc objects."""
        for mat in (self.J, self.K, self.J1, self.K1, self.Jt, self.Kt):
            if mat is not None:
                mat.destroy()
        for vec in (self.Au, self.R, self.du, self.f):
            vec.destroy()
        self.direct.destroy()
        self.pairs.destroy()
        if self.coarse is not None:
            self.coarse.destroy()
            self.solver.destroy()
        if self.p_multigrid:
            self.pairs1.destroy()
        super().destroy()


ITERATIVE_MAX_IT = 400
"""Krylov iterations of a cohesive solve before it counts as failed and the direct
factorisation takes over (where MUMPS is present; 1000 without). A damaged, pulverised
particle can defeat the multigrid preconditioner (on several ranks the processor-local
smoothers see the stiff contact couplings of the facet pairs that straddle two ranks);
a sparse direct solve of the same symmetric system is then slower per step but certain."""


def _direct_available() -> bool:
    return bool(PETSc.Sys.hasExternalPackage("mumps"))


LINE_SEARCH_STEPS = 8
"""Backtracking halvings of a Newton step before the smallest one is taken anyway."""

PC_FLOOR = 1.0
"""The preconditioner keeps at least this multiple of the law's residual stiffness in
every direction (where the tangent of a softening point is cut off)."""


def _preconditioner_stiffness(st: CohesiveState, k0: FloatArray) -> FloatArray:
    """The interface stiffness the preconditioner is built on: the secant where a point
    does not soften (there it is the tangent), and the tangent with its negative part cut
    off where it softens (the secant of a point just past its strength is ~k0, far from
    the small negative tangent: a preconditioner built on it needs hundreds of Krylov
    iterations)."""
    K = st.secant.copy()
    soft = np.any(st.tangent != st.secant, axis=(1, 2))
    if np.any(soft):
        T = st.tangent[soft]
        T = 0.5 * (T + np.swapaxes(T, 1, 2))
        lam, vec = np.linalg.eigh(T)
        lam = np.maximum(lam, 0.0)
        K[soft] = np.einsum("pij,pj,pkj->pik", vec, lam, vec)
    lam, vec = np.linalg.eigh(K)
    floor = PC_FLOOR * k0[:, None]
    if np.any(lam < floor):
        K = np.einsum("pij,pj,pkj->pik", vec, np.maximum(lam, floor), vec)
    return K


def _for_cohesive(
    settings: SolverSettings, symmetric: bool = False, serial: bool = True
) -> SolverSettings:
    """No Galerkin projection (it assumes a constant operator) and GMRES (the tangent of a
    softening interface is not symmetric positive definite), or CG for IMPL-EX
    (``symmetric``: the operator is the secant one)."""
    max_it = ITERATIVE_MAX_IT if _direct_available() else 1000
    options: dict[str, Any] = {"ksp_type": "cg" if symmetric else "gmres", "ksp_max_it": max_it}
    # GAMG must form its aggregates again when the preconditioner is rebuilt: those of
    # the intact interfaces span cracked ones (the default reuses the first ones).
    pmg = settings.element_degree == 2 and settings.p_multigrid
    user_pc = any(k.startswith("pc_") for k in settings.mechanics_options)
    if not user_pc:
        key = "mg_coarse_pc_gamg_reuse_interpolation" if pmg else "pc_gamg_reuse_interpolation"
        options[key] = "false"
        # SOR instead of Jacobi in the Chebyshev smoother: a damaged interface point in
        # contact is stiff along its normal and soft across it, a coupling of the x, y, z
        # components that point Jacobi cannot smooth (10-grain NCM811 particle, 45 k DOFs:
        # CG stalls at > 1000 iterations with Jacobi, 23–56 with Chebyshev/SOR). One
        # Richardson/SOR sweep is faster on 1 rank (1.9 against 2.9 s per step) but makes
        # CG report an indefinite preconditioner on 2 ranks. On several ranks the
        # processor-local SOR does not converge at all (not understood yet: CG at its limit
        # from the first step), so there Jacobi stays (docs/performance.md).
        if pmg and serial:
            options["mg_levels_pc_type"] = "sor"
    options.update(settings.mechanics_options)
    if options["ksp_type"] == "gmres":
        options.setdefault("ksp_gmres_restart", 100)
    return dataclasses.replace(settings, projection_size=0, mechanics_options=options)


def _coo_matrix(comm: Any, like: PETSc.Mat, rows: Sequence[int], cols: Sequence[int]) -> PETSc.Mat:
    """An AIJ matrix with the layout of ``like`` and the COO pattern (rows, cols)."""
    M = PETSc.Mat().create(comm=comm)
    M.setSizes(like.getSizes())
    M.setType(PETSc.Mat.Type.AIJ)
    M.setPreallocationCOO(
        np.asarray(rows, dtype=PETSc.IntType), np.asarray(cols, dtype=PETSc.IntType)
    )
    return M


def _max_op() -> Any:
    from mpi4py import MPI

    return MPI.MAX
