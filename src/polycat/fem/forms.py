"""The weak forms of the coupled problem as pure functions returning UFL forms.

The solver objects (:class:`~polycat.fem.elasticity.ElasticitySolver`,
:class:`~polycat.fem.diffusion.DiffusionSolver`) take these forms; the problem object
(:class:`~polycat.fem.model.ChemoMechanicsModel`) composes them. Units: µm, MPa, µm²/s.
"""

from __future__ import annotations

from typing import Any

import ufl

from .constitutive import eigenstress, elastic_grain_stress, in_plane, isotropic_stress, strain

__all__ = [
    "eigenstress_rhs",
    "elastic_bilinear_form",
    "pressure_rhs",
    "transport_residual",
]

Expr = Any  # a UFL expression


def elastic_bilinear_form(
    u: Expr,
    v: Expr,
    R: Expr,
    C: Expr,
    dx_grain: ufl.Measure,
    matrix: tuple[Expr, Expr, ufl.Measure] | None,
    gdim: int,
) -> ufl.Form:
    """a(u, v) = ∫_grains R[C:(RᵀεR)]Rᵀ : ε(v) + ∫_SE (λ tr ε I + 2με) : ε(v).

    Args:
        u, v: trial and test functions of the displacement space.
        R: 3×3 grain rotation field; C: 6×6 Voigt crystal stiffness (MPa).
        dx_grain: the volume measure restricted to grain cells.
        matrix: (λ, μ, measure of the SE cells), or None without a matrix.
        gdim: geometric dimension (2: plane strain).
    """
    a = ufl.inner(in_plane(elastic_grain_stress(strain(u), R, C), gdim), strain(v)) * dx_grain
    if matrix is not None:
        lmbda, mu, dx_matrix = matrix
        a += ufl.inner(in_plane(isotropic_stress(strain(u), lmbda, mu), gdim), strain(v)) * (
            dx_matrix
        )
    return a


def eigenstress_rhs(
    v: Expr, R: Expr, C: Expr, eps_a: Expr, eps_c: Expr, dx_grain: ufl.Measure, gdim: int
) -> ufl.Form:
    """L(v) = ∫_grains R[C : diag(ε_a, ε_a, ε_c)]Rᵀ : ε(v), the lattice eigenstress load."""
    return ufl.inner(in_plane(eigenstress(R, C, eps_a, eps_c), gdim), strain(v)) * dx_grain


def pressure_rhs(v: Expr, pressure: Expr, ds_loaded: ufl.Measure) -> ufl.Form:
    """−∫ p n·v over the loaded face: a compressive normal traction ``pressure`` (MPa)."""
    n = ufl.FacetNormal(v.ufl_function_space().mesh)
    return -pressure * ufl.dot(n, v) * ds_loaded


def transport_residual(
    x: Expr,
    xdot: Expr,
    v: Expr,
    D: Expr,
    potential: Expr | None,
    flux: Expr,
    dx: ufl.Measure,
    dx_flux: ufl.Measure,
    ds_interface: ufl.Measure | None,
    drift: Expr | None = None,
) -> ufl.Form:
    """F(x; v) = ∫ ẋ v + ∫ D (∇x − m(x)∇φ)·∇v + ∫_interface j v (Li fraction x, D in µm²/s).

    D is a scalar or a gdim × gdim tensor (anisotropic grains: D̄(x) R K Rᵀ, see
    :func:`polycat.fem.diffusion.diffusion_tensor`).

    m(x) = x/Θ(x), the Li fraction over the thermodynamic factor: ``drift`` (a UFL
    expression of x, :func:`polycat.materials.ocv.drift_coefficient`), or x (the dilute
    solution, Θ = 1) when None.

    With v = 1: d/dt ∫x = −j A, so a uniform outward flux j (µm/s) sets the mean rate.

    Args:
        x: the unknown; xdot: its time-derivative approximation (BE/BDF2).
        v: test function; D: diffusivity (µm²/s, constant or a UFL function of x; a
            scalar or a tensor).
        potential: dimensionless mechanical potential φ (two-way coupling) or None.
        flux: outward interface flux of x (µm/s).
        dx: volume measure; dx_flux: volume measure of the flux term (its quadrature).
        ds_interface: the CAM–SE interface measure, or None (no flux boundary).
        drift: m(x) = x/Θ, or None for the dilute solution (m = x).
    """
    m = x if drift is None else drift
    grad_mu = ufl.grad(x) if potential is None else ufl.grad(x) - m * ufl.grad(potential)
    flux_density = D * grad_mu if len(ufl.shape(D)) == 0 else ufl.dot(D, grad_mu)
    F = xdot * v * dx + ufl.inner(flux_density, ufl.grad(v)) * dx_flux
    if ds_interface is not None:
        F += flux * v * ds_interface
    return F
