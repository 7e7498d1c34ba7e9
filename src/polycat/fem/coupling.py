"""Two-way coupling: stress-assisted diffusion through a mechanical chemical potential.

Dilute-solution flux with the mechanical part of the chemical potential
μ_mech = −σ : ∂ε*/∂c (J/mol, σ in Pa, ∂ε*/∂c in m³/mol; docs/physics.md §7)::

    J = −D (∇c + (c/RT) ∇μ_mech) = −D (∇c − (c/RT) ∇(σ : ∂ε*/∂c))

In x = c/c_max with ∂ε*/∂c = (1/c_max) R diag(dε_a/dx, dε_a/dx, dε_c/dx) Rᵀ this is
J_x = −D (∇x − x ∇φ) with the dimensionless potential::

    φ = 1e6 · σ[MPa] : (R diag(dε_a/dx, dε_a/dx, dε_c/dx) Rᵀ) / (c_max R_gas T)

For an isotropic lattice (dε_a/dx = dε_c/dx = c_max Ω/3) φ = Ω σ_h / (R_gas T). φ is
discontinuous across grain boundaries (σ and R jump); it is L²-projected onto the
continuous x space of the grain submesh before its gradient enters the flux.
"""

from __future__ import annotations

from typing import Any

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)

import numpy as np

import ufl
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc

from .settings import PetscOptions
from .solvers import assemble_vector_into, check_converged, create_ksp

__all__ = ["PROJ_PREFIX", "R_GAS", "AndersonMixer", "L2Projector", "mechanical_potential"]

R_GAS = 8.314462618
"""Molar gas constant, J/(mol K)."""
PROJ_PREFIX = "polycat_proj_"
_MPA_TO_PA = 1e6


def mechanical_potential(
    sigma: Any, R: Any, deps_a_dx: Any, deps_c_dx: Any, c_max_mol_m3: float, T_K: float
) -> Any:
    """UFL expression of φ = σ : ∂ε*/∂x · 1e6 / (c_max R_gas T) (dimensionless).

    Args:
        sigma: 3×3 stress in MPa (sample frame).
        R: 3×3 grain rotation (crystal → sample).
        deps_a_dx, deps_c_dx: dε_a/dx and dε_c/dx (crystal frame).
        c_max_mol_m3: Li concentration at x = 1 (mol/m³).
        T_K: temperature (K).
    """
    deps = ufl.as_matrix([[deps_a_dx, 0.0, 0.0], [0.0, deps_a_dx, 0.0], [0.0, 0.0, deps_c_dx]])
    scale = _MPA_TO_PA / (c_max_mol_m3 * R_GAS * T_K)
    return scale * ufl.inner(sigma, R * deps * R.T)


class L2Projector:
    """L² projection of a UFL expression onto ``V`` (mass matrix assembled once; CG + Jacobi).

    Args:
        V: target space.
        expr: the expression to project (may depend on functions that change).
        options: PETSc overrides under the prefix ``polycat_proj_``.
    """

    def __init__(self, V: fem.FunctionSpace, expr: Any, options: PetscOptions) -> None:
        u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
        dx = ufl.dx(domain=V.mesh)
        self.a = fem.form(u * v * dx)
        self.L = fem.form(ufl.inner(expr, v) * dx)
        self.A = fem_petsc.assemble_matrix(self.a)
        self.A.assemble()
        self.b = fem_petsc.create_vector(V)
        defaults: dict[str, str | int | float | bool | None] = {
            "ksp_type": "cg",
            "pc_type": "jacobi",
            "ksp_rtol": 1e-12,
            "ksp_atol": 1e-30,
        }
        self.ksp = create_ksp(V.mesh.comm, self.A, PROJ_PREFIX, defaults, options)
        self.ksp.setInitialGuessNonzero(True)

    def project(self, target: fem.Function) -> int:
        """Project into ``target`` (its current values are the initial guess); return iterations."""
        assemble_vector_into(self.b, self.L)
        self.ksp.solve(self.b, target.x.petsc_vec)
        check_converged(self.ksp, target.x.petsc_vec, "projection")
        target.x.scatter_forward()
        return int(self.ksp.getIterationNumber())

    def destroy(self) -> None:
        """Free the PETSc objects."""
        self.ksp.destroy()
        self.A.destroy()
        self.b.destroy()


class AndersonMixer:
    """Anderson acceleration (type II, Walker & Ni 2011) of a fixed point x = G(x) over
    the last ``depth`` iterates, on distributed PETSc vectors.

    :meth:`update` takes g = G(x_k) (overwritten with the next iterate) and the residual
    f_k = G(x_k) − x_k; with the differences ΔF, ΔG of the stored (f, g) pairs it sets
    x_{k+1} = g − ΔG γ, γ = argmin ‖f_k − ΔF γ‖₂ (normal equations of the small m × m
    system, global dot products: the same γ on every rank). The first iterate is plain.
    """

    def __init__(self, depth: int) -> None:
        if depth < 1:
            raise ValueError(f"Anderson depth must be >= 1, got {depth}")
        self.depth = depth
        self._g: list[Any] = []
        self._f: list[Any] = []

    def update(self, g: Any, f: Any) -> None:
        """Replace ``g`` by the accelerated iterate (collective)."""

        self._g.append(g.copy())
        self._f.append(f.copy())
        if len(self._g) > self.depth + 1:
            self._g.pop(0).destroy()
            self._f.pop(0).destroy()
        m = len(self._f) - 1
        if m < 1:
            return
        dF = [self._f[i + 1].copy() for i in range(m)]
        dG = [self._g[i + 1].copy() for i in range(m)]
        for i in range(m):
            dF[i].axpy(-1.0, self._f[i])
            dG[i].axpy(-1.0, self._g[i])
        A = np.array([[dF[i].dot(dF[j]) for j in range(m)] for i in range(m)])
        b = np.array([dF[i].dot(f) for i in range(m)])
        scale = float(np.trace(A)) / m
        if scale > 0.0 and np.all(np.isfinite(A)) and np.all(np.isfinite(b)):
            gamma = np.linalg.solve(A + 1e-10 * scale * np.eye(m), b)
            for i in range(m):
                g.axpy(-float(gamma[i]), dG[i])
        for v in (*dF, *dG):
            v.destroy()

    def destroy(self) -> None:
        """Free the stored vectors."""
        for v in (*self._g, *self._f):
            v.destroy()
        self._g.clear()
        self._f.clear()
