"""Small shared pieces of the FEM tests: materials, error norms, sampling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dolfinx_solver  # noqa: F401
from mpi4py import MPI

import numpy as np
from numpy.typing import NDArray

import ufl
from dolfinx import fem

from polycat.fem import CathodePhase, ChemoMechanicsModel, ConstantDiffusivity
from polycat.fem.domain import GRAIN, MATRIX

from .points import evaluate_at_points


@dataclass(frozen=True)
class LinearLattice:
    """ε_a = k_a (x − x_ref), ε_c = k_c (x − x_ref) (isotropic when k_a = k_c)."""

    k_a: float
    k_c: float
    x_ref: float = 0.0

    def strains(self, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return self.k_a * (x - self.x_ref), self.k_c * (x - self.x_ref)

    def derivatives(
        self, x: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return np.full_like(x, self.k_a), np.full_like(x, self.k_c)


@dataclass(frozen=True)
class ExpDiffusivity:
    """D(x) = D0 exp(a x) in m²/s (strongly x-dependent; exercises Newton)."""

    D0: float
    a: float
    constant_value: float | None = None

    def __call__(self, x: Any, xp: Any) -> Any:
        return self.D0 * xp.exp(self.a * x)


def isotropic_voigt(E: float, nu: float) -> NDArray[np.float64]:
    """6×6 Voigt stiffness of an isotropic solid (same unit as E)."""
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    C = np.zeros((6, 6))
    C[:3, :3] = lam
    C[range(3), range(3)] += 2 * mu
    C[3:, 3:] = mu * np.eye(3)
    return C


def trigonal_voigt(
    c11: float, c12: float, c13: float, c14: float, c33: float, c44: float
) -> NDArray[np.float64]:
    """6×6 Voigt stiffness of a trigonal (−3m) crystal, docs/physics.md §3.2."""
    c66 = (c11 - c12) / 2
    return np.array(
        [
            [c11, c12, c13, c14, 0, 0],
            [c12, c11, c13, -c14, 0, 0],
            [c13, c13, c33, 0, 0, 0],
            [c14, -c14, 0, c44, 0, 0],
            [0, 0, 0, 0, c44, c14],
            [0, 0, 0, 0, c14, c66],
        ],
        dtype=float,
    )


LICRO2_MPA = trigonal_voigt(351e3, 106e3, 69e3, -9e3, 203e3, 54e3)
"""LiCrO2 (mp-18793) test tensor in MPa (docs/physics.md §3.2; plumbing only)."""


def cathode(
    C: NDArray[np.float64], lattice: Any, D_m2_s: float = 1e-14, c_max: float = 50000.0
) -> CathodePhase:
    return CathodePhase(C, lattice, ConstantDiffusivity(D_m2_s), c_max)


def free_particle_model(
    m: Any,
    phase: CathodePhase,
    settings: Any,
    rotations: dict[int, NDArray[np.float64]] | None = None,
    **kwargs: Any,
) -> ChemoMechanicsModel:
    """The model of a free particle (no electrolyte, traction-free surface) on the tagged
    mesh ``m`` (:mod:`support.meshes`); ``rotations`` default: every grain unrotated."""
    from polycat.fem import MechanicsBC

    return ChemoMechanicsModel(
        m.mesh,
        m.cell_tags,
        m.facet_tags,
        grain_tags=m.grain_tags,
        matrix_tag=None,
        interface_tags=m.interface_tags,
        outer=(),
        rotations=rotations if rotations is not None else {g: np.eye(3) for g in m.grain_tags},
        cathode=phase,
        matrix=None,
        bc=MechanicsBC("free"),
        settings=settings,
        **kwargs,
    )


def directions(n: int, seed: int = 0) -> NDArray[np.float64]:
    """``n`` random unit vectors (rows)."""
    d = np.random.default_rng(seed).normal(size=(n, 3))
    return d / np.linalg.norm(d, axis=1)[:, None]


def spherical_components(
    stress: fem.Function, radius: float, dirs: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """(σ_rr, σ_hoop = (tr σ − σ_rr)/2, tr σ / 3) at ``radius·dirs`` (collective)."""
    vals = evaluate_at_points(stress, radius * dirs).reshape(-1, 3, 3)
    assert np.all(np.isfinite(vals)), "a sample point lies outside the mesh"
    srr = np.einsum("ni,nij,nj->n", dirs, vals, dirs)
    tr = np.einsum("nii->n", vals)
    return srr, (tr - srr) / 2.0, tr / 3.0


def radial_stress_expr(
    mesh: Any, sigma_rr: Callable[[Any], Any], sigma_tt: Callable[[Any], Any]
) -> Any:
    """UFL σ = σ_rr(r) e_r⊗e_r + σ_θθ(r)(I − e_r⊗e_r) from UFL functions of r."""
    X = ufl.SpatialCoordinate(mesh)
    r = ufl.sqrt(ufl.dot(X, X))
    er = X / r
    P = ufl.outer(er, er)
    return sigma_rr(r) * P + sigma_tt(r) * (ufl.Identity(3) - P)


def l2_relative_error(model: ChemoMechanicsModel, exact: Any, phase: int, degree: int = 6) -> float:
    """‖σ_h − σ_ex‖ / ‖σ_ex‖ in L² over the cells of ``phase`` (GRAIN or MATRIX)."""
    assert phase in (GRAIN, MATRIX)
    dx = ufl.Measure(
        "dx",
        domain=model.mesh,
        subdomain_data=model.domain.phase_tags,
        metadata={"quadrature_degree": degree},
    )
    diff = model.sigma - exact
    comm = model.comm
    num = comm.allreduce(
        fem.assemble_scalar(fem.form(ufl.inner(diff, diff) * dx(phase))), op=MPI.SUM
    )
    den = comm.allreduce(
        fem.assemble_scalar(fem.form(ufl.inner(exact, exact) * dx(phase))), op=MPI.SUM
    )
    return float(np.sqrt(num / den))


def phase_average(model: ChemoMechanicsModel, expr: Any, phase: int) -> NDArray[np.float64]:
    """Volume average of a tensor/scalar UFL expression over the cells of ``phase``."""
    dx = ufl.Measure("dx", domain=model.mesh, subdomain_data=model.domain.phase_tags)
    comm = model.comm
    vol = comm.allreduce(
        fem.assemble_scalar(fem.form(fem.Constant(model.mesh, 1.0) * dx(phase))), op=MPI.SUM
    )
    shape = ufl.shape(expr)
    out = np.zeros(shape)
    for idx in np.ndindex(*shape) if shape else [()]:
        val = fem.assemble_scalar(fem.form(expr[idx] * dx(phase) if idx else expr * dx(phase)))
        out[idx] = comm.allreduce(val, op=MPI.SUM) / vol
    return out


def _dg_function(
    model: ChemoMechanicsModel, expr: Any, shape: tuple[int, ...], degree: int | None
) -> fem.Function:
    st = model.settings
    d = max(st.element_degree - 1, st.x_degree) if degree is None else degree
    V = fem.functionspace(model.mesh, ("DG", d, shape))
    f = fem.Function(V)
    f.interpolate(fem.Expression(expr, V.element.interpolation_points))
    f.x.scatter_forward()
    return f


def stress_function(model: ChemoMechanicsModel, degree: int | None = None) -> fem.Function:
    """σ (MPa) interpolated into a DG tensor space: by default of degree
    max(degree(u) − 1, degree(x)), which holds σ exactly on affine cells."""
    return _dg_function(model, model.sigma, (3, 3), degree)


def von_mises_function(model: ChemoMechanicsModel, degree: int | None = None) -> fem.Function:
    """The von Mises stress (MPa) in DG ``degree`` (default as :func:`stress_function`)."""
    return _dg_function(model, model.von_mises, (), degree)


INLINE_CATHODE = {
    "name": "my-cam",
    "elasticity": {"E_GPa": 140.0, "nu": 0.3},
    "lattice_strain": {"eps_a_per_x": 0.01, "eps_c_per_x": 0.01},
    "diffusivity_m2_s": 1e-14,
    "c_max_mol_m3": 49000.0,
}
"""A minimal inline cathode (every required field, the decisive ones left to defaults)."""
