"""Li transport in the grains: dx/dt = ∇·(D(x) (∇x − x ∇φ)) on the grain submesh.

D is a scalar, or per grain the tensor D(x) R diag(k_ab, k_ab, k_c) Rᵀ of a layered host
whose Li moves in the ab-planes (D_c/D_ab given; the law's D(x) is the orientation
average tr D/3).

Unknown x = c / c_max (P1 or P2), D in µm²/s (the law returns m²/s, × 1e12), time in s.
φ is an optional dimensionless mechanical potential μ_mech/(R T) (two-way coupling,
:mod:`polycat.fem.coupling`); without it the flux is Fickian. The CAM–SE interface
(exterior facets of the submesh) carries a uniform outward flux j of x (µm/s)::

    ∫ ẋ v dx + ∫ D (∇x − x∇φ)·∇v dx + ∫ j v ds = 0     for all v

With v = 1 this gives d/dt ∫x dx = −j A exactly, so a mean rate r = dx̄/dt is produced by
j = −r V/A with V, A measured on the discrete mesh.

With Butler–Volmer kinetics (:class:`SurfaceKinetics`) the flux is local,
j(x, Φ) = 10⁶ i(x, Φ − U(x)) / (F c_max), and the electrode potential Φ (one number, V vs
Li/Li⁺) is a further unknown: galvanostatic, the constraint ∫ (j − j̄) ds = 0 fixes the
total current; Newton solves the bordered system [J b; cᵀ d] for (x, Φ) by two solves
with J (J z₁ = −F, J z₂ = b, δΦ = −(g + c·z₁)/(d − c·z₂), δx = z₁ − δΦ z₂).

Time: backward Euler or variable-step BDF2. The nonlinearity D(x) (and the drift x∇φ) is
solved by Newton's method with the exact Jacobian (UFL derivative), lagged: a Jacobian
(and its preconditioner) is reused across Newton iterations and time steps while each
iteration still reduces ‖F‖ by ``jacobian_lag_contraction``; otherwise the next iteration
re-assembles it at the current iterate, and a step of a lagged Jacobian that increased ‖F‖
is rejected. The converged state meets the same residual test either way. With a constant
D and no potential the Jacobian is exact and assembled only when the step length changes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal, cast

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)
from mpi4py import MPI

import numpy as np

import dolfinx.mesh
import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

from polycat.materials.ocv import FARADAY, drift_coefficient

from .forms import transport_residual
from .info import DiffusionInfo
from .phases import DiffusivityLaw
from .settings import SolverSettings
from .solvers import (
    SolverError,
    assemble_matrix_into,
    assemble_vector_into,
    check_converged,
    create_ksp,
    reason_name,
)

__all__ = [
    "DIFF_PREFIX",
    "M2_S_TO_UM2_S",
    "DiffusionSolver",
    "SurfaceKinetics",
    "TransportState",
    "anisotropy_factors",
    "diffusion_tensor",
    "diffusivity_um2_s",
    "flux_measure",
]

DIFF_PREFIX = "polycat_diff_"
M2_S_TO_UM2_S = 1e12
"""Factor from m²/s to µm²/s."""


def diffusion_default_options(
    rtol: float, symmetric: bool, direct: bool = True
) -> dict[str, str | int | float | None]:
    """Krylov solver of the diffusion Newton step.

    * Symmetric Jacobian (constant D, one-way): CG + GAMG.
    * Nonsymmetric from D(x) alone (the term D'(x) δx ∇x·∇v; one-way, uniform flux, no
      interfaces; ``direct`` False): GMRES + GAMG. On the 100-grain particle (32.9 k x
      DOFs, 2 ranks) it makes the diffusion 22–35 % cheaper than LU, with the same Newton
      iterations (docs/performance.md).
    * Otherwise (``direct``): GMRES with an LU factorisation (MUMPS). The two-way Jacobian
      has a drift term that jumps at grain boundaries (the mechanical potential of
      differently oriented grains) and GAMG with Jacobi smoothing stalls on it; the
      bordered Butler–Volmer system and the split mesh's transmission conditions keep LU
      too. The Li problem lives on the grains only and is small."""
    if not symmetric and direct:
        return {
            "ksp_type": "gmres",
            "ksp_rtol": rtol,
            "ksp_atol": 1e-30,
            "ksp_max_it": 50,
            "pc_type": "lu",
            "pc_factor_mat_solver_type": "mumps",
        }
    opts: dict[str, str | int | float | None] = {
        "ksp_type": "cg" if symmetric else "gmres",
        "ksp_rtol": rtol,
        "ksp_atol": 1e-30,
        "ksp_max_it": 1000,
        "pc_type": "gamg",
        "pc_gamg_threshold": 0.02,
        "mg_levels_ksp_type": "chebyshev",
        "mg_levels_pc_type": "jacobi",
    }
    if not symmetric:
        opts["ksp_gmres_restart"] = 100
    return opts


def _set_constant(const: fem.Constant, value: float) -> None:
    const.value = value  # type: ignore[assignment]


@dataclass
class TransportState:
    """The unknown x, its two previous time levels and the coefficients of the residual.

    ẋ ≈ a0 x + a1 x_n + a2 x_nm1 (backward Euler or variable-step BDF2); ``flux`` is the
    outward interface flux of x (µm/s).
    """

    x: fem.Function
    x_n: fem.Function
    x_nm1: fem.Function
    a0: fem.Constant
    a1: fem.Constant
    a2: fem.Constant
    flux: fem.Constant

    @classmethod
    def on(cls, V: fem.FunctionSpace) -> TransportState:
        """Fresh functions and zero coefficients on the x space ``V``."""
        msh = V.mesh
        return cls(
            x=fem.Function(V, name="x"),
            x_n=fem.Function(V),
            x_nm1=fem.Function(V),
            a0=fem.Constant(msh, np.float64(0.0)),
            a1=fem.Constant(msh, np.float64(0.0)),
            a2=fem.Constant(msh, np.float64(0.0)),
            flux=fem.Constant(msh, np.float64(0.0)),
        )

    @property
    def xdot(self) -> ufl.core.expr.Expr:
        """UFL time derivative a0 x + a1 x_n + a2 x_nm1."""
        return self.a0 * self.x + self.a1 * self.x_n + self.a2 * self.x_nm1


@dataclass(frozen=True)
class SurfaceKinetics:
    """Butler–Volmer charge transfer at the CAM–SE interface of the transport problem.

    Attributes:
        law: the kinetics (:class:`~polycat.materials.kinetics.ButlerVolmer`).
        ocv: the open-circuit potential U(x) (:mod:`polycat.materials.ocv`).
        c_max_mol_m3: the cathode's maximum Li concentration (i → flux of x).
        temperature_K: the temperature of the exponentials.
    """

    law: Any
    ocv: Any
    c_max_mol_m3: float
    temperature_K: float

    @property
    def flux_per_current(self) -> float:
        """Outward flux of x (µm/s) per anodic current density (A/m²): 10⁶/(F c_max)."""
        return 1e6 / (FARADAY * self.c_max_mol_m3)


def diffusivity_um2_s(mesh: dolfinx.mesh.Mesh, law: DiffusivityLaw, x: fem.Function) -> Any:
    """D(x) in µm²/s as a UFL expression (a Constant when the law does not depend on x)."""
    D_const = law.constant_value
    if D_const is not None:
        return fem.Constant(mesh, np.float64(D_const * M2_S_TO_UM2_S))
    return law(x, ufl) * M2_S_TO_UM2_S


def anisotropy_factors(ratio: float) -> tuple[float, float]:
    """(k_ab, k_c) with D_ab = k_ab D̄, D_c = k_c D̄ for D_c/D_ab = ``ratio`` and the
    orientation average D̄ = tr(D)/3 = (2 D_ab + D_c)/3 held fixed."""
    if not (np.isfinite(ratio) and ratio > 0.0):
        raise ValueError(f"the diffusion anisotropy D_c/D_ab must be > 0, got {ratio}")
    k_ab = 3.0 / (2.0 + ratio)
    return k_ab, ratio * k_ab


def diffusion_tensor(D_mean: Any, rotation: Any, ratio: float, gdim: int) -> Any:
    """D̄ R diag(k_ab, k_ab, k_c) Rᵀ as a UFL gdim × gdim tensor (the in-plane block in
    2D, plane strain: the grain's c-axis may point out of the plane). ``rotation`` is the
    cell-wise crystal → sample rotation (DG0 3×3), ``D_mean`` the orientation average."""
    k_ab, k_c = anisotropy_factors(ratio)
    K = ufl.as_matrix([[k_ab, 0.0, 0.0], [0.0, k_ab, 0.0], [0.0, 0.0, k_c]])
    T = rotation * K * rotation.T
    return D_mean * ufl.as_matrix([[T[i, j] for j in range(gdim)] for i in range(gdim)])


def flux_measure(V: fem.FunctionSpace, constant_D: bool) -> ufl.Measure:
    """Volume measure of the flux term: UFL's own degree for a constant D; 2p for D(x)
    built from exponentials (UFL would pick tens of points per cell, seconds per assembly).
    2p integrates the term exactly for a D linear over a cell; against 2p + 2 (14 instead
    of 4 points per P1 tetrahedron, 1.3× the diffusion cost) every summary value of the
    100-grain particle moved by < 1e-6 relative (docs/performance.md). Mass conservation
    stays exact: the term vanishes for v = 1."""
    dx = ufl.dx(domain=V.mesh)
    if constant_D:
        return dx
    degree = V.ufl_element().embedded_superdegree
    return ufl.dx(domain=V.mesh, metadata={"quadrature_degree": 2 * degree})


MAX_POTENTIAL_STEP_V = 0.1
"""Largest change of the electrode potential in one Newton update (V): the update of a
far initial guess is shortened (with x's), the exponentials of Butler–Volmer would
otherwise overflow."""


def _sum(comm: MPI.Comm, form: fem.Form) -> float:
    return float(comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM))


@dataclass
class _SurfaceForms:
    """Interface integrals of the transport problem: the area, the averages of x and U(x)
    and, with Butler–Volmer kinetics, the local flux j(x, Φ) and the bordered system's
    forms (b = ∂F/∂Φ, c = ∂g/∂x, d = ∂g/∂Φ, g = ∫ (j − j̄) ds)."""

    area: float
    x_form: fem.Form
    ocv_form: fem.Form | None
    kinetics: SurfaceKinetics | None = None
    phi: fem.Constant | None = None
    j: Any = None
    g_form: Any = None
    j_form: Any = None
    b_form: Any = None
    c_form: Any = None
    d_form: Any = None
    potential_V: float | None = None
    ocv: Any = None
    dofs: Any = None
    bc: Any = None
    bc_value: fem.Constant | None = None

    def equilibrium_x(self, voltage_V: float) -> float:
        """x with U(x) = ``voltage_V`` (the interface of a potentiostatic step without
        kinetics); raises when U does not reach it on [0, 1]."""
        from scipy.optimize import brentq

        if self.ocv is None:
            raise ValueError("a potentiostatic step needs the open-circuit potential U(x)")
        ocv = self.ocv
        lo, hi = float(ocv(1e-9)) - voltage_V, float(ocv(1.0 - 1e-9)) - voltage_V
        if lo * hi > 0.0:
            raise ValueError(f"U(x) does not reach {voltage_V:g} V on (0, 1)")
        return float(brentq(lambda x: float(ocv(x)) - voltage_V, 1e-9, 1.0 - 1e-9, xtol=1e-13))

    @classmethod
    def build(
        cls,
        state: TransportState,
        ds: ufl.Measure,
        ocv: Any,
        kinetics: SurfaceKinetics | None,
    ) -> _SurfaceForms:
        x, mesh = state.x, state.x.function_space.mesh
        one = fem.Constant(mesh, np.float64(1.0))
        area = float(mesh.comm.allreduce(fem.assemble_scalar(fem.form(one * ds)), op=MPI.SUM))
        if kinetics is not None:
            ocv = kinetics.ocv
        V = x.function_space
        facets = ds.subdomain_data().find(ds.subdomain_id())
        dofs = fem.locate_dofs_topological(V, mesh.topology.dim - 1, facets)
        bc_value = fem.Constant(mesh, np.float64(0.0))
        out = cls(
            area=area,
            x_form=fem.form(x * ds),
            ocv_form=None if ocv is None else fem.form(ocv(x, ufl) * ds),
            ocv=ocv,
            dofs=dofs,
            bc=fem.dirichletbc(bc_value, dofs, V),
            bc_value=bc_value,
        )
        if kinetics is None:
            return out
        law, T = kinetics.law, kinetics.temperature_K
        k = kinetics.flux_per_current
        phi = fem.Constant(mesh, np.float64(0.0))
        eta = phi - kinetics.ocv(x, ufl)
        j = k * law.current(x, eta, T, ufl)
        dj_dphi = k * law.d_current_d_eta(x, eta, T, ufl)
        v = ufl.TestFunction(x.function_space)
        out.kinetics, out.phi, out.j = kinetics, phi, j
        out.g_form = fem.form((j - state.flux) * ds)
        out.j_form = fem.form(j * ds)
        out.b_form = fem.form(dj_dphi * v * ds)
        out.c_form = fem.form(ufl.derivative(j * ds, x, v))
        out.d_form = fem.form(dj_dphi * ds)
        return out

    def initial_potential(self, comm: MPI.Comm, flux: float) -> float:
        """Φ of a uniform interface at its mean x carrying the mean flux (closed form)."""
        assert self.kinetics is not None
        kin = self.kinetics
        xs = float(np.clip(_sum(comm, self.x_form) / self.area, 1e-6, 1.0 - 1e-6))
        i = flux / kin.flux_per_current
        return float(kin.ocv(xs)) + kin.law.overpotential(i, xs, kin.temperature_K)


class DiffusionSolver:
    """Time stepper for x on a mesh (normally the grain submesh).

    Args:
        state: x, its time levels and the residual's coefficients (:class:`TransportState`).
        F: the residual (:func:`polycat.fem.forms.transport_residual` of ``state``).
        settings: time scheme, Newton and KSP tolerances, PETSc overrides.
        linear: True when the Jacobian does not depend on x (constant D, no potential):
            then it is assembled only when the step length changes.
        interfaces: on a split grain submesh, the grain-boundary transmission and the
            contact-weighted interface flux (:class:`~polycat.fem.interfaces.transport.
            InterfaceTransport`); ``F`` then has no flux term of its own.
        iterative: a nonsymmetric Jacobian may be solved by GMRES + GAMG (True only when
            it has neither a drift term, nor interfaces, nor Butler–Volmer kinetics; see
            :func:`diffusion_default_options`); else LU.
    """

    def __init__(
        self,
        state: TransportState,
        F: ufl.Form,
        settings: SolverSettings,
        linear: bool,
        interfaces: Any = None,
        surface: _SurfaceForms | None = None,
        iterative: bool = False,
    ) -> None:
        self.state = state
        self.V = V = state.x.function_space
        self.mesh = mesh = V.mesh
        self.settings = settings
        self.x, self.x_n, self.x_nm1 = state.x, state.x_n, state.x_nm1
        self.flux, self.a0, self.a1, self.a2 = state.flux, state.a0, state.a1, state.a2
        self._dt_prev: float | None = None
        self._coeffs: tuple[float, float, float] = (0.0, 0.0, 0.0)
        self._flux_prev: float | str | None = None
        dxi = ufl.TrialFunction(V)
        dx = ufl.dx(domain=mesh)
        self.F_form = fem.form(F)
        self.J_form = fem.form(ufl.derivative(F, state.x, dxi))
        self.mass_form = fem.form(state.x * dx)
        self.rate_form = fem.form(state.xdot * dx)
        self.volume = float(
            mesh.comm.allreduce(
                fem.assemble_scalar(fem.form(fem.Constant(mesh, 1.0) * dx)), op=MPI.SUM
            )
        )
        self.linear = linear
        self.interfaces = interfaces
        self.J = fem_petsc.create_matrix(self.J_form)
        self.J_bulk: PETSc.Mat | None = None
        self._itf_version = -1
        if interfaces is not None:
            # J = J_bulk + K on the union of the two patterns
            self.J_bulk = self.J
            assemble_matrix_into(self.J_bulk, self.J_form)  # fixes its pattern
            self.J = self.J_bulk.duplicate()
            self.J.axpy(1.0, interfaces.K, PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)  # type: ignore[arg-type]
        self.F = fem_petsc.create_vector(V)
        self.dx_vec = fem_petsc.create_vector(V)
        self._x_keep = fem_petsc.create_vector(V)
        self._F_keep = fem_petsc.create_vector(V)
        self._J_valid = False
        self.jacobian_assemblies = 0
        """Jacobian assemblies so far (each also rebuilds the preconditioner)."""
        self._ksp: PETSc.KSP | None = None
        self._symmetric = self.linear
        self.surface = surface
        self._direct = not iterative
        self._b: PETSc.Vec | None = None
        self._c: PETSc.Vec | None = None
        self._z2: PETSc.Vec | None = None
        if surface is not None and surface.kinetics is not None:
            self._b, self._c, self._z2 = (fem_petsc.create_vector(V) for _ in range(3))

    @classmethod
    def build(
        cls,
        mesh: dolfinx.mesh.Mesh,
        interface_tags: dolfinx.mesh.MeshTags | None,
        interface_value: int,
        diffusivity: DiffusivityLaw,
        settings: SolverSettings,
        potential: fem.Function | None = None,
        interfaces: Any = None,
        ocv: Any = None,
        temperature_K: float = 298.15,
        anisotropy: float | None = None,
        rotation: fem.Function | None = None,
        kinetics: SurfaceKinetics | None = None,
        report_ocv: Any = None,
    ) -> DiffusionSolver:
        """The Li transport problem on ``mesh`` (P``settings.x_degree``): a flux boundary
        of facets ``interface_tags == interface_value`` (or none), D(x) in m²/s, and an
        optional mechanical potential φ (two-way coupling). With an open-circuit potential
        ``ocv`` (:mod:`polycat.materials.ocv`) the drift is the consistent x/Θ ∇φ with
        Θ = −(F x/R T) dU/dx at ``temperature_K``; without, the dilute x ∇φ.

        ``anisotropy`` = D_c/D_ab (with the cell-wise ``rotation`` of the grains, DG0 3×3
        on ``mesh``) makes D the tensor D(x) R diag(k_ab, k_ab, k_c) Rᵀ whose orientation
        average tr/3 is the law's D(x) (:func:`diffusion_tensor`); None or 1: isotropic.

        ``kinetics``: Butler–Volmer charge transfer with the electrode potential as a
        further unknown (galvanostatic; :class:`SurfaceKinetics`), instead of the uniform
        flux. ``report_ocv``: a U(x) whose interface average :meth:`surface_ocv` reports
        (the voltage of a uniform-flux run)."""
        V = fem.functionspace(mesh, ("Lagrange", settings.x_degree))
        state = TransportState.on(V)
        D = diffusivity_um2_s(mesh, diffusivity, state.x)
        if anisotropy is not None and anisotropy != 1.0:
            if rotation is None:
                raise ValueError("an anisotropic diffusivity needs the grains' rotation field")
            D = diffusion_tensor(D, rotation, float(anisotropy), mesh.geometry.dim)
        ds = None
        if interface_tags is not None and interfaces is None:
            # 2p + 2 points: exact for the uniform flux, and the exponentials of U(x) in
            # Butler-Volmer would otherwise get UFL's estimate of tens of points a facet
            q = {"quadrature_degree": 2 * settings.x_degree + 2}
            ds = ufl.Measure("ds", domain=mesh, subdomain_data=interface_tags, metadata=q)(
                interface_value
            )
        if kinetics is not None and ds is None:
            raise ValueError(
                "Butler-Volmer kinetics need the CAM-SE interface of a conforming mesh"
            )
        surface = None if ds is None else _SurfaceForms.build(state, ds, report_ocv, kinetics)
        F = transport_residual(
            state.x,
            state.xdot,
            ufl.TestFunction(V),
            D,
            potential,
            state.flux if surface is None or surface.j is None else surface.j,
            ufl.dx(domain=mesh),
            flux_measure(V, diffusivity.constant_value is not None),
            ds,
            None if ocv is None else drift_coefficient(ocv, state.x, temperature_K, ufl),
        )
        linear = diffusivity.constant_value is not None and potential is None and kinetics is None
        return cls(
            state,
            F,
            settings,
            linear,
            interfaces=interfaces,
            surface=surface,
            iterative=potential is None and interfaces is None and kinetics is None,
        )

    # -- state -----------------------------------------------------------------
    def set_state(self, values: np.ndarray | float) -> None:
        """Set x (and the history) to ``values`` (DOF array incl. ghosts, or a scalar)."""
        self.x.x.array[:] = values
        self.x.x.scatter_forward()
        self.x_n.x.array[:] = self.x.x.array
        self.x_nm1.x.array[:] = self.x.x.array
        self._dt_prev = None
        self._flux_prev = None
        if self.surface is not None:
            self.surface.potential_V = None

    @property
    def fields(self) -> dict[str, fem.Function]:
        """The time levels x, x_n, x_nm1: with :meth:`history`, all a restart needs."""
        return {"x": self.x, "x_n": self.x_n, "x_nm1": self.x_nm1}

    def history(self) -> dict[str, float | str | None]:
        """The previous step length and flux (they choose the BDF2 coefficients), and the
        electrode potential of Butler–Volmer kinetics (V; None before the first step)."""
        h: dict[str, float | str | None] = {
            "dt_prev": self._dt_prev,
            "flux_prev": self._flux_prev,
        }
        if self.surface is not None and self.surface.kinetics is not None:
            h["electrode_potential_V"] = self.surface.potential_V
        return h

    def restore_history(self, history: dict[str, Any]) -> None:
        """Undo to a :meth:`history` taken earlier (after the :attr:`fields` are restored)."""
        self._dt_prev = history["dt_prev"]
        self._flux_prev = history["flux_prev"]
        if self.surface is not None and self.surface.kinetics is not None:
            self.surface.potential_V = history.get("electrode_potential_V")
        self.invalidate_jacobian()

    @property
    def electrode_potential_V(self) -> float | None:
        """Φ of Butler–Volmer kinetics after the last step (V vs Li/Li⁺), else None."""
        return None if self.surface is None else self.surface.potential_V

    def surface_mean(self, what: Literal["x", "ocv"]) -> float | None:
        """Interface average of x or of U(x) (collective); None without an interface (or
        without a U(x) for ``ocv``)."""
        if self.surface is None:
            return None
        form = self.surface.x_form if what == "x" else self.surface.ocv_form
        if form is None:
            return None
        return _sum(self.mesh.comm, form) / self.surface.area

    def mean(self) -> float:
        """Volume average of x over the mesh (collective)."""
        local = fem.assemble_scalar(self.mass_form)
        return float(self.mesh.comm.allreduce(local, op=MPI.SUM)) / self.volume

    def invalidate_jacobian(self) -> None:
        """Force a Jacobian re-assembly (e.g. after the potential changed)."""
        self._J_valid = False

    # -- time step ---------------------------------------------------------------
    def _set_time_coefficients(self, dt: float, flux: float | str) -> Literal["be", "bdf2"]:
        use_bdf2 = (
            self.settings.time_scheme == "bdf2"
            and self._dt_prev is not None
            and self._flux_prev == flux
        )
        if use_bdf2:
            assert self._dt_prev is not None
            w = dt / self._dt_prev
            coeffs = ((1 + 2 * w) / ((1 + w) * dt), -(1 + w) / dt, w * w / ((1 + w) * dt))
        else:
            coeffs = (1.0 / dt, -1.0 / dt, 0.0)
        if coeffs != self._coeffs:
            self._J_valid = False
            self._coeffs = coeffs
            for const, value in zip((self.a0, self.a1, self.a2), coeffs, strict=True):
                _set_constant(const, value)
        return "bdf2" if use_bdf2 else "be"

    def _assemble_residual(self) -> float:
        assemble_vector_into(self.F, self.F_form)
        if self.interfaces is not None:
            self.interfaces.K.multAdd(self.x.x.petsc_vec, self.F, self.F)
            self.interfaces.flux_vector(self.F, float(self.flux.value))
        return float(cast(float, self.F.norm()))

    def _assemble_jacobian(self) -> None:
        if self.interfaces is None:
            assemble_matrix_into(self.J, self.J_form)
        else:
            assert self.J_bulk is not None
            assemble_matrix_into(self.J_bulk, self.J_form)
            S = PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN
            self.J_bulk.copy(self.J, S)  # type: ignore[arg-type]
            self.J.axpy(1.0, self.interfaces.K, S)  # type: ignore[arg-type]
            self._itf_version = self.interfaces.version
        self._set_operator()
        self._J_valid = True

    def _newton_update(self) -> tuple[int, str]:
        """Solve J δx = −F with the current operator and add δx to x (F is negated in
        place); returns the Krylov iterations and the converged reason."""
        assert self._ksp is not None
        self.F.scale(-1.0)
        with self.dx_vec.localForm() as d_local:
            d_local.set(0.0)
        self._ksp.solve(self.F, self.dx_vec)
        check_converged(self._ksp, self.dx_vec, "diffusion")
        self.x.x.petsc_vec.axpy(1.0, self.dx_vec)
        self.x.x.scatter_forward()
        return self._ksp.getIterationNumber(), reason_name(self._ksp.getConvergedReason())

    def _set_operator(self) -> None:
        """Hand J to the KSP (created on first use: GMRES + LU for a nonsymmetric J)."""
        if self._ksp is None:
            opts = diffusion_default_options(
                self.settings.diffusion_ksp_rtol, self._symmetric, direct=self._direct
            )
            self._ksp = create_ksp(
                self.mesh.comm, self.J, DIFF_PREFIX, opts, self.settings.diffusion_options
            )
        else:
            self._ksp.setOperators(self.J)

    def step(self, dt: float, flux: float) -> DiffusionInfo:
        """Advance x by ``dt`` (s) with the outward interface flux ``flux`` (µm/s).

        The previous states are shifted (x_n ← x) before the solve. Raises
        :class:`SolverError` when Newton does not converge within ``newton_max_it``.
        """
        self.x_nm1.x.array[:] = self.x_n.x.array
        self.x_n.x.array[:] = self.x.x.array
        return self.resolve(dt, flux, shift=True)

    def step_potentiostatic(
        self, dt: float, voltage_V: float, resistance_ohm_m2: float = 0.0
    ) -> DiffusionInfo:
        """Advance x by ``dt`` (s) at the cell voltage ``voltage_V`` = Φ + R_s i (V vs
        Li/Li⁺; ``resistance_ohm_m2`` R_s): with Butler–Volmer kinetics Φ and x are solved
        together (the current follows); without kinetics the interface is held at the
        equilibrium x_s = U⁻¹(V) (R_s must then be 0: no current-dependent drop). The
        step's total outward flux is :meth:`total_flux` (from the converged state)."""
        if not dt > 0.0:
            raise ValueError(f"time step must be positive, got {dt}")
        self.x_nm1.x.array[:] = self.x_n.x.array
        self.x_n.x.array[:] = self.x.x.array
        t0 = time.perf_counter()
        key = f"V={float(voltage_V)!r}"  # BDF2 restarts when the control changes
        self._set_time_coefficients(dt, key)
        self._dt_prev, self._flux_prev = dt, key
        srf = self.surface
        if srf is None:
            raise ValueError("a potentiostatic step needs the CAM-SE interface (conforming mesh)")
        if srf.kinetics is not None:
            return self._resolve_bordered(t0, ("voltage", float(voltage_V), resistance_ohm_m2))
        if resistance_ohm_m2 != 0.0:
            raise ValueError("without kinetics a potentiostatic step needs R_s = 0")
        return self._resolve_surface_x(t0, srf.equilibrium_x(float(voltage_V)))

    def kinetic_mass_error(self) -> float:
        """|∫ ẋ dx + ∫ j ds| / |∫ j ds| of the last step with Butler–Volmer kinetics (the
        discrete conservation of its solve; 0 for a uniform flux checked elsewhere, and
        for a held surface, whose flux is the reaction of the held values)."""
        srf = self.surface
        if srf is None or srf.kinetics is None:
            return 0.0
        comm = self.mesh.comm
        J = _sum(comm, srf.j_form)
        return abs(_sum(comm, self.rate_form) + J) / max(abs(J), 1e-300)

    def total_flux(self) -> float:
        """The outward flux of x through the interface in the last step, ∫ j ds (µm³/s):
        minus the discrete rate of the particle's x content, −∫ ẋ dx (collective)."""
        return -_sum(self.mesh.comm, self.rate_form)

    def resolve(self, dt: float, flux: float, shift: bool = False) -> DiffusionInfo:
        """Solve the current step again from the current iterate (two-way coupling).

        ``x_n`` and ``x_nm1`` are kept; call :meth:`step` to start a new step.
        """
        if not dt > 0.0:
            raise ValueError(f"time step must be positive, got {dt}")
        t0 = time.perf_counter()
        if shift:
            self._set_time_coefficients(dt, flux)
            self._dt_prev, self._flux_prev = dt, flux
        _set_constant(self.flux, flux)
        if self.surface is not None and self.surface.kinetics is not None:
            return self._resolve_bordered(t0, ("flux", flux, 0.0))
        s = self.settings
        if self.interfaces is not None and self.interfaces.version != self._itf_version:
            self._J_valid = False
        norm0 = self._assemble_residual()
        norm = norm0
        tol = max(s.newton_atol, s.newton_rtol * norm0)
        its = ksp_its = 0
        reason = "CONVERGED_ATOL" if norm <= s.newton_atol else "ITERATING"
        theta = s.jacobian_lag_contraction
        xv = self.x.x.petsc_vec
        while its == 0 or norm > tol:
            if its >= s.newton_max_it:
                raise SolverError(
                    f"diffusion: Newton did not converge in {its} iterations "
                    f"(|F| = {norm:.3e}, tolerance {tol:.3e})"
                )
            fresh = not self._J_valid
            if fresh:
                self._assemble_jacobian()
                self.jacobian_assemblies += 1
            assert self._ksp is not None
            lagged = not (fresh or self.linear)
            if lagged:  # keep the iterate and its residual in case the step is rejected
                xv.copy(self._x_keep)
                self.F.copy(self._F_keep)
            n_ksp, reason = self._newton_update()
            ksp_its += n_ksp
            its += 1
            new_norm = self._assemble_residual()
            if not self.linear and not new_norm <= theta * norm:
                # Too little contraction: the next iteration gets the exact Jacobian. A
                # lagged Jacobian that made the residual grow is not trusted with the step.
                self._J_valid = False
                if lagged and not new_norm <= norm:
                    self._x_keep.copy(xv)
                    self.x.x.scatter_forward()
                    self._F_keep.copy(self.F)
                    new_norm = norm
            rejected = new_norm == norm and lagged and not self._J_valid
            norm = new_norm
            if not np.isfinite(norm):
                raise SolverError("diffusion: residual is NaN or Inf")
            inf_norm = cast(Any, PETSc.NormType.NORM_INFINITY)
            step_max = float(cast(float, self.dx_vec.norm(inf_norm)))
            if norm > tol and not rejected and step_max <= s.newton_stol:
                # The Li fraction (dimensionless, O(1)) moved by less than newton_stol: the
                # residual stagnates at its round-off floor, which for a fast-diffusing
                # material (D/h² ≫ 1/Δt) lies above any tolerance relative to F₀.
                reason = "CONVERGED_SNORM"
                break
        return DiffusionInfo(
            newton_iterations=its,
            ksp_iterations=int(ksp_its),
            converged_reason=reason,
            residual_norm=norm,
            initial_residual_norm=norm0,
            wall_s=time.perf_counter() - t0,
        )

    def _resolve_bordered(
        self, t0: float, control: tuple[Literal["flux", "voltage"], float, float]
    ) -> DiffusionInfo:
        """Newton on (x, Φ) for Butler–Volmer kinetics under ``control``: ("flux", j̄, _)
        fixes the mean outward flux (g = ∫ (j − j̄) ds), ("voltage", V, R_s) the cell
        voltage V = Φ + R_s i (g = ∫ j ds − k A (V − Φ)/R_s, or Φ = V for R_s = 0). The
        bordered system by two solves with the Jacobian (module docstring), assembled
        afresh at every iteration. Converged when ‖(F, g)‖₂ ≤ max(atol, rtol ‖(F₀, g₀)‖₂)
        or an update moves no nodal x by more than ``newton_stol`` and Φ by less than
        ``newton_stol`` V; a potential update is limited to :data:`MAX_POTENTIAL_STEP_V`
        (the exponentials of a far initial guess)."""
        srf = self.surface
        assert srf is not None and srf.kinetics is not None
        assert self._b is not None and self._c is not None and self._z2 is not None
        s, comm = self.settings, self.mesh.comm
        kind, value, resistance = control
        kA = srf.kinetics.flux_per_current * srf.area  # ∫ j ds per mean current density
        if srf.potential_V is None:
            srf.potential_V = srf.initial_potential(comm, value) if kind == "flux" else float(value)
        assert srf.phi is not None
        phi_c = srf.phi
        _set_constant(phi_c, srf.potential_V)

        def constraint(phi: float) -> tuple[float, float, float]:
            """g, the factor of c (∂g/∂x = factor · ∫ ∂j/∂x v ds) and the extra ∂g/∂Φ."""
            if kind == "flux":
                return _sum(comm, srf.g_form), 1.0, 0.0
            if resistance > 0.0:
                return (
                    _sum(comm, srf.j_form) - kA * (value - phi) / resistance,
                    1.0,
                    kA / resistance,
                )
            return (phi - value) * kA, 0.0, kA  # Φ = V (d: kA, a scale like ∂∫j/∂Φ's)

        def residual() -> tuple[float, float]:
            assemble_vector_into(self.F, self.F_form)
            assert srf.potential_V is not None
            g = constraint(srf.potential_V)[0]
            return float(np.hypot(float(cast(float, self.F.norm())), g)), g

        norm0, g = residual()
        tol = max(s.newton_atol, s.newton_rtol * norm0)
        norm, its, ksp_its = norm0, 0, 0
        reason = "ITERATING"
        xv = self.x.x.petsc_vec
        inf_norm = cast(Any, PETSc.NormType.NORM_INFINITY)
        while its == 0 or norm > tol:
            if its >= s.newton_max_it:
                raise SolverError(
                    f"diffusion (Butler-Volmer): Newton did not converge in {its} iterations "
                    f"(|F, g| = {norm:.3e}, tolerance {tol:.3e}, potential "
                    f"{srf.potential_V:.4f} V)"
                )
            self._assemble_jacobian()
            self.jacobian_assemblies += 1
            assert self._ksp is not None
            assemble_vector_into(self._b, srf.b_form)
            assemble_vector_into(self._c, srf.c_form)
            _, c_factor, d_extra = constraint(srf.potential_V)
            self._c.scale(c_factor)
            d = (_sum(comm, srf.d_form) if c_factor else 0.0) + d_extra
            self.F.scale(-1.0)
            for rhs, sol in ((self.F, self.dx_vec), (self._b, self._z2)):
                with sol.localForm() as local:
                    local.set(0.0)
                self._ksp.solve(rhs, sol)
                check_converged(self._ksp, sol, "diffusion")
                ksp_its += self._ksp.getIterationNumber()
            reason = reason_name(self._ksp.getConvergedReason())
            denom = d - float(cast(float, self._c.dot(self._z2)))
            if not (np.isfinite(denom) and denom != 0.0):
                raise SolverError("diffusion (Butler-Volmer): singular potential update")
            dphi = -(g + float(cast(float, self._c.dot(self.dx_vec)))) / denom
            self.dx_vec.axpy(-dphi, self._z2)
            scale = min(1.0, MAX_POTENTIAL_STEP_V / abs(dphi)) if dphi != 0.0 else 1.0
            xv.axpy(scale, self.dx_vec)
            self.x.x.scatter_forward()
            srf.potential_V += scale * dphi
            _set_constant(phi_c, srf.potential_V)
            its += 1
            norm, g = residual()
            if not np.isfinite(norm):
                raise SolverError("diffusion (Butler-Volmer): residual is NaN or Inf")
            step_max = scale * float(cast(float, self.dx_vec.norm(inf_norm)))
            if norm <= tol:
                reason = "CONVERGED_RTOL"
            elif step_max <= s.newton_stol and abs(scale * dphi) <= s.newton_stol:
                reason = "CONVERGED_SNORM"
                break
        self._J_valid = False
        return DiffusionInfo(
            newton_iterations=its,
            ksp_iterations=int(ksp_its),
            converged_reason=reason,
            residual_norm=norm,
            initial_residual_norm=norm0,
            wall_s=time.perf_counter() - t0,
        )

    def _resolve_surface_x(self, t0: float, x_s: float) -> DiffusionInfo:
        """Newton with the interface held at x = ``x_s`` (the rows of its DOFs replaced by
        x = x_s: the iterate starts on it, so their updates are zero and the Jacobian's
        columns of them may be zeroed too)."""
        srf = self.surface
        assert srf is not None
        s = self.settings
        bdofs = srf.dofs
        if srf.bc is None or srf.bc_value is None:
            raise ValueError("the interface DOFs are not set up for a surface value")
        _set_constant(srf.bc_value, x_s)
        _set_constant(self.flux, 0.0)
        self.x.x.array[bdofs] = x_s
        self.x.x.scatter_forward()
        J_form, bc = self.J_form, srf.bc
        n_owned = self.V.dofmap.index_map.size_local * self.V.dofmap.index_map_bs
        owned_b = bdofs[bdofs < n_owned]

        def residual() -> float:
            assemble_vector_into(self.F, self.F_form)
            with self.F.localForm() as local:
                local.array[owned_b] = 0.0
            return float(cast(float, self.F.norm()))

        norm0 = norm = residual()
        tol = max(s.newton_atol, s.newton_rtol * norm0)
        its = ksp_its = 0
        reason = "CONVERGED_ATOL" if norm <= s.newton_atol else "ITERATING"
        while norm > tol:
            if its >= s.newton_max_it:
                raise SolverError(
                    f"diffusion (surface held at x = {x_s:.4f}): Newton did not converge "
                    f"in {its} iterations (|F| = {norm:.3e}, tolerance {tol:.3e})"
                )
            self.J.zeroEntries()
            fem_petsc.assemble_matrix(self.J, J_form, bcs=[bc])  # type: ignore[misc, arg-type]
            self.J.assemble()
            self._J_valid = False  # the next flux step re-assembles without the rows
            self._set_operator()
            self.jacobian_assemblies += 1
            n_ksp, reason = self._newton_update()
            ksp_its += n_ksp
            its += 1
            norm = residual()
            if not np.isfinite(norm):
                raise SolverError("diffusion: residual is NaN or Inf")
            step_max = float(cast(float, self.dx_vec.norm(cast(Any, PETSc.NormType.NORM_INFINITY))))
            if norm > tol and step_max <= s.newton_stol:
                reason = "CONVERGED_SNORM"
                break
        return DiffusionInfo(
            newton_iterations=its,
            ksp_iterations=int(ksp_its),
            converged_reason=reason,
            residual_norm=norm,
            initial_residual_norm=norm0,
            wall_s=time.perf_counter() - t0,
        )

    def destroy(self) -> None:
        """Free the PETSc objects."""
        if self._ksp is not None:
            self._ksp.destroy()
        self.J.destroy()
        if self.J_bulk is not None:
            self.J_bulk.destroy()
        for vec in (self.F, self.dx_vec, self._x_keep, self._F_keep, self._b, self._c, self._z2):
            if vec is not None:
                vec.destroy()
