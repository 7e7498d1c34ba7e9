"""The coupled chemo-mechanical problem of one particle: one object owning spaces, forms
and PETSc solvers, stepped in time by the simulation layer.

Per time step (docs/design.md §2): diffusion of x on the grain submesh under a uniform
galvanostatic interface flux → lattice strains ε_a(x), ε_c(x) evaluated with numpy on the
DOF values of x (the law is not linearised) and copied to the parent mesh → elasticity on
the whole mesh. Two-way coupling iterates diffusion ↔ mechanics to ``coupling_tol``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)
from mpi4py import MPI

import numpy as np
from numpy.typing import NDArray

import dolfinx.mesh
import ufl
from dolfinx import fem
from petsc4py import PETSc

from polycat.errors import ContactLost, SolverError, XRangeError
from polycat.geometry.tags import OuterFace

from .boundary import mechanics_boundary
from .constitutive import grain_stress, hydrostatic, isotropic_stress, strain, von_mises
from .coupling import AndersonMixer, L2Projector, mechanical_potential
from .diffusion import DiffusionSolver, SurfaceKinetics
from .domain import GRAIN, INTERFACE, MATRIX, build_particle_domain, cellwise_tensor_field, transfer
from .elasticity import ElasticitySolver
from .forms import eigenstress_rhs, elastic_bilinear_form, pressure_rhs
from .info import MechInfo, StepInfo
from .interfaces.mechanics import CohesiveElasticitySolver, InterfaceSetup
from .interfaces.transport import InterfaceTransport
from .phases import CathodePhase, MatrixPhase
from .settings import MechanicsBC, SolverSettings

__all__ = ["ChemoMechanicsModel", "Coupling"]

Coupling = Literal["one_way", "two_way"]


def _check_rotation(tag: int, R: NDArray[np.float64]) -> NDArray[np.float64]:
    R = np.asarray(R, dtype=np.float64)
    if R.shape != (3, 3):
        raise ValueError(f"rotation of grain {tag} must be 3x3, got {R.shape}")
    if not np.allclose(R.T @ R, np.eye(3), atol=1e-8) or np.linalg.det(R) < 0.0:
        raise ValueError(f"rotation of grain {tag} is not a proper rotation (RᵀR = I, det +1)")
    return R


X_STEP_TOL = 0.02
"""Excursion outside [0, 1] tolerated within a time step (clipped for the lattice laws):
the consistent-mass time step overshoots by ~1e-3 near a sharp front in its first small
steps, a transient gone by the report SOC; beyond it the step fails on every rank."""


class ChemoMechanicsModel:
    """Diffusion in the grains + anisotropic elasticity on the whole mesh.

    Args:
        mesh: the mesh (µm), with ``cell_tags``/``facet_tags`` as in docs/internals.md.
        grain_tags: cell tags of the grains.
        matrix_tag: cell tag of the solid electrolyte, or None (free particle).
        interface_tags: facet tags of the CAM–SE interface patches (``interface_<i>``).
        outer: the faces of the outer boundary (:class:`~polycat.geometry.tags.OuterFace`,
            e.g. ``ParticleTags.outer``); empty for a free particle.
        rotations: grain tag → 3×3 active rotation R (crystal → sample).
        cathode: grain material; matrix: solid electrolyte (None without matrix).
        bc: outer mechanical boundary condition.
        settings: discretisation and solver settings.
        coupling: ``one_way`` (default) or ``two_way`` (stress-assisted diffusion).
        temperature_K: temperature (K), used by the two-way coupling.
        interfaces: for a split mesh (:func:`polycat.mesh.load_mesh` with ``split=True``),
            the facet pairs, cohesive laws and Li transport across the interfaces
            (:class:`~polycat.fem.interfaces.mechanics.InterfaceSetup`); None for the
            conforming mesh.
        kinetics: Butler–Volmer charge transfer at the CAM–SE interface
            (:class:`~polycat.fem.diffusion.SurfaceKinetics`; conforming mesh only); None:
            the uniform flux.
        report_ocv: the cathode's U(x), for :meth:`surface_ocv` (the voltage of a
            uniform-flux run); None: unknown.
    """

    def __init__(
        self,
        mesh: dolfinx.mesh.Mesh,
        cell_tags: dolfinx.mesh.MeshTags,
        facet_tags: dolfinx.mesh.MeshTags,
        *,
        grain_tags: Sequence[int],
        matrix_tag: int | None,
        interface_tags: Sequence[int],
        outer: Sequence[OuterFace],
        rotations: Mapping[int, NDArray[np.float64]],
        cathode: CathodePhase,
        matrix: MatrixPhase | None,
        bc: MechanicsBC,
        settings: SolverSettings | None = None,
        coupling: Coupling = "one_way",
        temperature_K: float = 298.15,
        interfaces: InterfaceSetup | None = None,
        kinetics: SurfaceKinetics | None = None,
        report_ocv: Any = None,
    ) -> None:
        if coupling not in ("one_way", "two_way"):
            raise ValueError(f"coupling must be 'one_way' or 'two_way', got {coupling!r}")
        if not temperature_K > 0.0:
            raise ValueError("temperature_K must be positive")
        self.settings = settings = settings if settings is not None else SolverSettings()
        self.cathode = cathode
        self.coupling = coupling
        self.temperature_K = float(temperature_K)
        t0 = time.perf_counter()
        missing = [t for t in grain_tags if int(t) not in rotations]
        if missing:
            raise ValueError(f"no rotation given for grains {missing}")
        rots = {int(t): _check_rotation(int(t), rotations[int(t)]) for t in grain_tags}

        self.domain = dom = build_particle_domain(
            mesh,
            cell_tags,
            facet_tags,
            grain_tags,
            matrix_tag,
            interface_tags,
            pair_facets=None if interfaces is None else interfaces.pair_facets,
        )
        self.mesh = mesh
        self.submesh = dom.submesh
        self.particle_volume = dom.particle_volume()
        self.interface_area = dom.interface_area()

        # Cell-wise fields on the parent mesh: rotation and grain indicator.
        T = fem.functionspace(mesh, ("DG", 0, (3, 3)))
        self.R = cellwise_tensor_field(T, cell_tags, rots, np.eye(3))
        S0 = fem.functionspace(mesh, ("DG", 0))
        self.chi = cellwise_tensor_field(
            S0, cell_tags, {t: np.array(1.0) for t in rots}, np.array(0.0)
        )

        # Diffusion on the grain submesh (with a potential for two-way coupling).
        Vx_sub = fem.functionspace(dom.submesh, ("Lagrange", settings.x_degree))
        self.phi: fem.Function | None = None
        if coupling == "two_way":
            self.phi = fem.Function(Vx_sub, name="mechanical_potential")
        self.transport: InterfaceTransport | None = None
        if interfaces is not None:
            assert dom.sub_pair_facets is not None
            self.transport = InterfaceTransport(
                Vx_sub,
                dom.sub_pair_facets,
                interfaces.pair_tag,
                interfaces.h_gb,
                interfaces.gb_transport,  # type: ignore[arg-type]
                interfaces.cse_transport,  # type: ignore[arg-type]
            )
        # The grains' rotation on the submesh (anisotropic D, two-way potential).
        self._R_sub = fem.Function(fem.functionspace(dom.submesh, ("DG", 0, (3, 3))))
        transfer(self.R, self._R_sub, dom.parent_cells, dom.sub_cells)
        self.diffusion = DiffusionSolver.build(
            dom.submesh,
            dom.sub_interface_tags,
            INTERFACE,
            cathode.diffusivity,
            settings,
            potential=self.phi,
            interfaces=self.transport,
            ocv=cathode.ocv if coupling == "two_way" else None,
            temperature_K=self.temperature_K,
            anisotropy=cathode.diffusion_anisotropy,
            rotation=self._R_sub,
            kinetics=kinetics,
            report_ocv=report_ocv,
        )
        self.x = self.diffusion.x

        # Lattice strains on the submesh (numpy on x DOFs) and their copies on the mesh.
        self._eps_a_sub = fem.Function(self.diffusion.V)
        self._eps_c_sub = fem.Function(self.diffusion.V)
        Vx = fem.functionspace(mesh, ("Lagrange", settings.x_degree))
        self.eps_a = fem.Function(Vx, name="eps_a")
        self.eps_c = fem.Function(Vx, name="eps_c")
        self._x_parent = fem.Function(Vx, name="x")

        # Elasticity on the whole mesh.
        gdim = mesh.geometry.dim
        Vu = fem.functionspace(mesh, ("Lagrange", settings.element_degree, (gdim,)))
        u = fem.Function(Vu, name="displacement_um")
        self.C = fem.Constant(mesh, np.asarray(cathode.C_crystal_MPa, dtype=np.float64))
        dx = ufl.Measure("dx", domain=mesh, subdomain_data=dom.phase_tags)
        matrix_terms = None
        self.lmbda: fem.Constant | None = None
        self.mu: fem.Constant | None = None
        if matrix is not None:
            if dom.matrix_tag is None:
                raise ValueError("a matrix phase was given but the mesh has no matrix tag")
            lam, mu = matrix.lame
            self.lmbda = fem.Constant(mesh, np.float64(lam))
            self.mu = fem.Constant(mesh, np.float64(mu))
            matrix_terms = (self.lmbda, self.mu, dx(MATRIX))
        elif dom.matrix_tag is not None:
            raise ValueError("the mesh has a matrix but no matrix phase was given")
        boundary = mechanics_boundary(bc, outer, gdim)
        trial, test = ufl.TrialFunction(Vu), ufl.TestFunction(Vu)
        a = elastic_bilinear_form(trial, test, self.R, self.C, dx(GRAIN), matrix_terms, gdim)
        L = eigenstress_rhs(test, self.R, self.C, self.eps_a, self.eps_c, dx(GRAIN), gdim)
        self.pressure = fem.Constant(mesh, np.float64(bc.stack_pressure_MPa))
        if boundary.pressure_tag is not None:
            ds = ufl.Measure("ds", domain=mesh, subdomain_data=dom.facet_tags)
            L += pressure_rhs(test, self.pressure, ds(boundary.pressure_tag))
        self.cohesive: CohesiveElasticitySolver | None = None
        self.viscosity_s = 0.0 if interfaces is None else float(interfaces.viscosity_s)
        if interfaces is None:
            self.elasticity = ElasticitySolver(u, a, L, dom.facet_tags, boundary, settings)
        else:
            self.cohesive = CohesiveElasticitySolver(
                u,
                a,
                L,
                dom.facet_tags,
                boundary,
                settings,
                interfaces.pair_facets,
                interfaces.pair_tag,
                interfaces.laws,
                integration=interfaces.integration,
                body_cells=[
                    cell_tags.find(t)
                    for t in [*grain_tags, *([matrix_tag] if matrix_tag is not None else [])]
                ],
            )
            self.elasticity = self.cohesive
        self.u = u
        self.matrix = matrix

        if coupling == "two_way":
            self._setup_two_way()
        self.setup_wall_s = time.perf_counter() - t0

    # -- construction helpers ------------------------------------------------------
    def _setup_two_way(self) -> None:
        dom = self.domain
        assert self.phi is not None
        Vu_sub = fem.functionspace(
            dom.submesh, ("Lagrange", self.settings.element_degree, (dom.submesh.geometry.dim,))
        )
        self._u_sub = fem.Function(Vu_sub)
        self._deps_a_sub = fem.Function(self.diffusion.V)
        self._deps_c_sub = fem.Function(self.diffusion.V)
        C = fem.Constant(dom.submesh, self.cathode.C_crystal_MPa.astype(np.float64))
        sigma_sub = grain_stress(
            strain(self._u_sub), self._R_sub, C, self._eps_a_sub, self._eps_c_sub
        )
        phi_expr = mechanical_potential(
            sigma_sub,
            self._R_sub,
            self._deps_a_sub,
            self._deps_c_sub,
            self.cathode.c_max_mol_m3,
            self.temperature_K,
        )
        self._projector = L2Projector(
            self.phi.function_space, phi_expr, self.settings.projection_options
        )

    # -- state -------------------------------------------------------------------
    @property
    def comm(self) -> MPI.Comm:
        """The communicator of the mesh."""
        return self.mesh.comm

    def set_uniform_x(self, x0: float) -> None:
        """Set the Li fraction to ``x0`` everywhere in the grains (resets the time history)."""
        self.diffusion.set_state(float(x0))

    def set_x(self, values: Callable[[NDArray[np.float64]], NDArray[np.float64]] | float) -> None:
        """Set x from a callable f(points (3, n) in µm) → (n,) or a scalar (resets history)."""
        if callable(values):
            self.x.interpolate(values)
            self.diffusion.set_state(self.x.x.array.copy())
        else:
            self.diffusion.set_state(float(values))

    def state_functions(self) -> dict[str, fem.Function]:
        """The Functions that hold the state of the problem: x and its two previous time
        levels, and the displacement (with :meth:`history`, all a restart needs)."""
        return {**self.diffusion.fields, "u": self.u}

    def history(self) -> dict[str, float | str | None]:
        """The time-stepping history besides the fields (previous step length and flux)."""
        return self.diffusion.history()

    def commit_interfaces(self) -> None:
        """Accept the last cohesive solve: commit its damage history and hand the damage
        to the Li transport (used from the next diffusion step on)."""
        assert self.cohesive is not None
        self.cohesive.commit()
        if self.transport is not None:
            self.transport.update(self.cohesive.damage_by_pair())

    def snapshot(self) -> dict[str, Any]:
        """A copy of the whole state (local arrays), for :meth:`restore` after a failed step."""
        arrays = {name: f.x.array.copy() for name, f in self.state_functions().items()}
        snap: dict[str, Any] = {"arrays": arrays, "history": self.history()}
        if self.cohesive is not None:
            snap["interfaces"] = self.cohesive.history_state()
        return snap

    def restore(self, snap: Mapping[str, Any]) -> None:
        """Go back to a :meth:`snapshot` (or to fields loaded from a checkpoint when
        ``snap`` holds only ``history``)."""
        for name, f in self.state_functions().items():
            if "arrays" in snap:
                f.x.array[:] = snap["arrays"][name]
        self.diffusion.restore_history(snap["history"])
        if self.cohesive is not None and "interfaces" in snap:
            self.cohesive.restore_history(snap["interfaces"])
            if self.transport is not None:
                self.transport.update(self.cohesive.damage_by_pair())

    @property
    def num_dofs(self) -> dict[str, int]:
        """Global numbers of unknowns: ``u`` (displacement) and ``x`` (Li fraction)."""
        Vx = self.diffusion.V
        return {
            "u": self.elasticity.num_dofs,
            "x": int(Vx.dofmap.index_map.size_global * Vx.dofmap.index_map_bs),
        }

    def mean_x(self) -> float:
        """Particle volume average of x (collective)."""
        return self.diffusion.mean()

    def flux_for_rate(self, x_rate_per_s: float) -> float:
        """Uniform outward interface flux of x (µm/s) that changes x̄ at ``x_rate_per_s`` (1/s)."""
        return -x_rate_per_s * self.particle_volume / self.interface_area

    def electrode_potential(self) -> float | None:
        """The electrode potential Φ of Butler–Volmer kinetics after the last step (V vs
        Li/Li⁺; uniform over the interface); None with the uniform flux."""
        return self.diffusion.electrode_potential_V

    def surface_ocv(self) -> float | None:
        """The CAM–SE interface average of U(x) (V; collective), None without a U(x)."""
        return self.diffusion.surface_mean("ocv")

    def surface_x(self) -> float | None:
        """The CAM–SE interface average of x (collective)."""
        return self.diffusion.surface_mean("x")

    def x_on_mesh(self) -> fem.Function:
        """x copied onto the parent mesh (same element; 0 at DOFs of electrolyte-only cells)."""
        dom = self.domain
        transfer(self.x, self._x_parent, dom.sub_cells, dom.parent_cells)
        return self._x_parent

    def x_range_error(self, lo: float, hi: float, c_rate: float | None = None) -> SolverError:
        """The error of a Li fraction that left [0, 1] (global min ``lo``, max ``hi``): the
        particle cannot sustain the current — through the CAM–SE contact left
        (:class:`ContactLost`) where contact loss concentrates it, else with this
        diffusivity."""
        why = "with this diffusivity"
        error: type[SolverError] = XRangeError
        tr = self.transport
        if tr is not None and tr.flux_mode == "contact_only":
            share = tr.contact_area / self.interface_area
            if share < 0.999:
                why = (
                    f"through the CAM–SE contact left ({100 * share:.1f} % of the interface "
                    "carries the whole current; interfaces.cathode_electrolyte)"
                )
                error = ContactLost
        rate = f"{c_rate}C" if c_rate is not None else "this current"
        exc = error(
            f"the Li fraction left [0, 1] (min {lo:.4f}, max {hi:.4f}): the particle cannot "
            f"sustain {rate} {why}; lower loading.c_rate or narrow the x window "
            "(loading.x_start/x_end)"
        )
        exc.x_range = (lo, hi)  # type: ignore[attr-defined]
        return exc

    def x_extremes(self) -> tuple[float, float]:
        """Smallest and largest nodal Li fraction of the particle (collective)."""
        arr = self.x.x.array
        comm = self.mesh.comm
        lo = float(comm.allreduce(float(arr.min()) if arr.size else np.inf, op=MPI.MIN))
        hi = float(comm.allreduce(float(arr.max()) if arr.size else -np.inf, op=MPI.MAX))
        return lo, hi

    def check_x_range(self) -> None:
        """Raise the same :meth:`x_range_error` on every rank if the Li fraction left
        [0, 1] by more than :data:`X_STEP_TOL` (collective; the time steps call it before
        the lattice laws see x)."""
        lo, hi = self.x_extremes()
        if lo < -X_STEP_TOL or hi > 1.0 + X_STEP_TOL:
            raise self.x_range_error(lo, hi)

    def _x_for_laws(self) -> NDArray[np.float64]:
        """The nodal x, with excursions within :data:`X_STEP_TOL` of [0, 1] clipped into
        it (transient overshoots; the surface of a fast diffuser charged to x = 0 lies
        below it by R²ẋ/(15 D))."""
        x = np.asarray(self.x.x.array, dtype=np.float64)
        c = np.clip(x, 0.0, 1.0)
        return np.where(np.abs(x - c) <= X_STEP_TOL, c, x)

    def update_eigenstrain(self) -> None:
        """Evaluate ε_a(x), ε_c(x) on the x DOFs and copy them to the parent mesh."""
        dom = self.domain
        ea, ec = self.cathode.lattice.strains(self._x_for_laws())
        self._eps_a_sub.x.array[:] = ea
        self._eps_c_sub.x.array[:] = ec
        transfer(self._eps_a_sub, self.eps_a, dom.sub_cells, dom.parent_cells)
        transfer(self._eps_c_sub, self.eps_c, dom.sub_cells, dom.parent_cells)

    def solve_mechanics(self) -> MechInfo:
        """Update the eigenstrain from the current x and solve for the displacement."""
        self.update_eigenstrain()
        return self.elasticity.solve()

    def _update_potential(self) -> None:
        assert self.phi is not None
        dom = self.domain
        da, dc = self.cathode.lattice.derivatives(self._x_for_laws())
        self._deps_a_sub.x.array[:] = da
        self._deps_c_sub.x.array[:] = dc
        transfer(self.u, self._u_sub, dom.parent_cells, dom.sub_cells)
        self._projector.project(self.phi)
        self.diffusion.invalidate_jacobian()

    # -- time step -----------------------------------------------------------------
    def step(self, dt_s: float, x_rate_per_s: float, *, mechanics: bool = True) -> StepInfo:
        """Advance by ``dt_s`` (s) at the mean-x rate ``x_rate_per_s`` (1/s; < 0 on charge).

        One-way: diffusion, then (if ``mechanics``) eigenstrain and elasticity. Two-way:
        fixed-point iterations diffusion ↔ mechanics (Anderson acceleration, or Aitken
        relaxation with ``coupling_anderson_depth`` 0) until max |x_k − x_{k−1}| ≤
        ``coupling_tol`` (or ≤ 10 × it once an iteration no longer halves it: the noise
        floor of the inner solves); mechanics is always solved.
        Raises :class:`SolverError` on a failed solve or a coupling that does not converge.
        """
        wall = {"diffusion": 0.0, "eigenstrain": 0.0, "mechanics": 0.0, "coupling": 0.0}
        flux = self.flux_for_rate(x_rate_per_s)
        if self.cohesive is not None:
            self.cohesive.rate = dt_s / self.viscosity_s if self.viscosity_s > 0 else np.inf
            self.cohesive.dt = float(dt_s)
        m_old = self.mean_x()
        t = time.perf_counter()
        dinfo = self.diffusion.step(dt_s, flux)
        wall["diffusion"] += time.perf_counter() - t
        self.check_x_range()
        minfo: MechInfo | None = None
        iterations, residual = 1, 0.0
        if self.coupling == "one_way":
            if mechanics:
                minfo = self._timed_mechanics(wall)
                if self.cohesive is not None:
                    self.commit_interfaces()
        else:
            dinfo, minfo, iterations, residual = self._two_way_iterations(dt_s, flux, wall)
        m_new = self.mean_x()
        expected = x_rate_per_s * dt_s
        change = m_new - m_old
        err = abs(change - expected) / abs(expected) if expected != 0.0 else abs(change)
        return StepInfo(
            dt_s=float(dt_s),
            x_rate_per_s=float(x_rate_per_s),
            flux_um_s=float(flux),
            mean_x_old=m_old,
            mean_x_new=m_new,
            mass_balance_error=float(err),
            diffusion=dinfo,
            mechanics=minfo,
            coupling_iterations=iterations,
            coupling_residual=residual,
            wall_s=wall,
        )

    def _timed_mechanics(self, wall: dict[str, float]) -> MechInfo:
        """Eigenstrain from the current x, then elasticity, their wall times added to
        ``wall``."""
        t = time.perf_counter()
        self.update_eigenstrain()
        wall["eigenstrain"] += time.perf_counter() - t
        minfo = self.elasticity.solve()
        wall["mechanics"] += minfo.wall_s
        return minfo

    def step_potentiostatic(
        self,
        dt_s: float,
        voltage_V: float,
        resistance_ohm_m2: float = 0.0,
        *,
        mechanics: bool = True,
    ) -> StepInfo:
        """Advance by ``dt_s`` (s) at the cell voltage ``voltage_V`` = Φ + R_s i (V vs
        Li/Li⁺): Butler–Volmer kinetics give the local current at Φ; without kinetics the
        interface is held at U⁻¹(V) (:meth:`DiffusionSolver.step_potentiostatic`). The
        current follows: ``StepInfo.flux_um_s`` is the step's mean outward flux and
        ``x_rate_per_s`` its mean rate of x̄; one-way coupling only."""
        if self.coupling != "one_way" or self.cohesive is not None:
            raise ValueError(
                "a potentiostatic step needs one-way coupling and bonded interfaces (not yet "
                "combined with the two-way iterations or cohesive interfaces)"
            )
        wall = {"diffusion": 0.0, "eigenstrain": 0.0, "mechanics": 0.0, "coupling": 0.0}
        m_old = self.mean_x()
        t = time.perf_counter()
        dinfo = self.diffusion.step_potentiostatic(dt_s, voltage_V, resistance_ohm_m2)
        wall["diffusion"] += time.perf_counter() - t
        self.check_x_range()
        minfo = self._timed_mechanics(wall) if mechanics else None
        m_new = self.mean_x()
        return StepInfo(
            dt_s=float(dt_s),
            x_rate_per_s=(m_new - m_old) / float(dt_s),
            flux_um_s=self.diffusion.total_flux() / self.interface_area,
            mean_x_old=m_old,
            mean_x_new=m_new,
            mass_balance_error=self.diffusion.kinetic_mass_error(),
            diffusion=dinfo,
            mechanics=minfo,
            wall_s=wall,
        )

    def _two_way_iterations(
        self, dt: float, flux: float, wall: dict[str, float]
    ) -> tuple[Any, MechInfo, int, float]:
        s = self.settings
        xv = self.x.x.petsc_vec
        x_prev = xv.duplicate()
        r_prev: PETSc.Vec | None = None
        r = xv.duplicate()
        omega = 1.0
        residual = np.inf
        dinfo = None
        iterations = 0
        last = np.inf
        depth = s.coupling_anderson_depth
        anderson = AndersonMixer(depth) if depth > 0 else None
        for _ in range(s.coupling_max_it):
            iterations += 1
            t = time.perf_counter()
            self.update_eigenstrain()
            wall["eigenstrain"] += time.perf_counter() - t
            minfo = self.elasticity.solve()
            wall["mechanics"] += minfo.wall_s
            t = time.perf_counter()
            self._update_potential()
            xv.copy(x_prev)
            wall["coupling"] += time.perf_counter() - t
            t = time.perf_counter()
            dinfo = self.diffusion.resolve(dt, flux)
            wall["diffusion"] += time.perf_counter() - t
            self.check_x_range()
            t = time.perf_counter()
            # r = x̃_{k+1} − x_k; Aitken: ω_k = −ω_{k−1} r_{k−1}·(r_k − r_{k−1}) / |r_k − r_{k−1}|²
            xv.copy(r)
            r.axpy(-1.0, x_prev)
            residual = float(r.norm(PETSc.NormType.NORM_INFINITY))
            if anderson is not None:
                anderson.update(xv, r)
                self.x.x.scatter_forward()
            elif s.coupling_aitken and r_prev is not None:
                dr = r.copy()
                dr.axpy(-1.0, r_prev)
                denom = dr.dot(dr)
                if denom > 0.0:
                    omega = float(np.clip(-omega * r_prev.dot(dr) / denom, 0.05, 2.0))
                dr.destroy()
            if r_prev is None:
                r_prev = r.copy()
            else:
                r.copy(r_prev)
            if anderson is None and omega != 1.0:
                xv.waxpy(omega, r, x_prev)
                self.x.x.scatter_forward()
            wall["coupling"] += time.perf_counter() - t
            if residual <= s.coupling_tol:
                break
            # At the noise floor of the inner solves (mechanics CG to ksp_rtol, diffusion
            # Newton) the fixed point stops contracting: accept within 10 × the tolerance.
            if residual <= 10.0 * s.coupling_tol and iterations >= 3 and residual > 0.5 * last:
                break
            last = residual
        else:
            raise SolverError(
                f"two-way coupling did not converge in {s.coupling_max_it} iterations "
                f"(max |Δx| = {residual:.3e} > {s.coupling_tol:.1e})"
            )
        # Stress consistent with the final x (warm start: a few CG iterations).
        t = time.perf_counter()
        self.update_eigenstrain()
        wall["eigenstrain"] += time.perf_counter() - t
        minfo = self.elasticity.solve()
        wall["mechanics"] += minfo.wall_s
        for vec in (x_prev, r, r_prev):
            if vec is not None:
                vec.destroy()
        if anderson is not None:
            anderson.destroy()
        assert dinfo is not None
        return dinfo, minfo, iterations, residual

    # -- stress for readers -----------------------------------------------------------
    @property
    def sigma(self) -> Any:
        """UFL 3×3 stress (MPa) on the parent mesh, valid in grain and electrolyte cells.

        Uses the eigenstrain fields as last updated (:meth:`update_eigenstrain`).
        """
        eps = strain(self.u)
        sig_g = grain_stress(eps, self.R, self.C, self.eps_a, self.eps_c)
        if self.lmbda is None or self.mu is None:
            return sig_g
        sig_m = isotropic_stress(eps, self.lmbda, self.mu)
        return self.chi * sig_g + (1.0 - self.chi) * sig_m

    @property
    def von_mises(self) -> Any:
        """UFL von Mises stress (MPa)."""
        return von_mises(self.sigma)

    @property
    def hydrostatic(self) -> Any:
        """UFL hydrostatic stress tr σ / 3 (MPa)."""
        return hydrostatic(self.sigma)

    def destroy(self) -> None:
        """Free the PETSc objects of all solvers."""
        self.elasticity.destroy()
        self.diffusion.destroy()
        if self.transport is not None:
            self.transport.destroy()
        if self.coupling == "two_way":
            self._projector.destroy()
