"""Constitutive laws as pure UFL functions (stresses in MPa when moduli are in MPa).

Grain law (docs/design.md §2, rotations of docs/internals.md, ``v_sample = R v_crystal``)::

    σ = R · [ C_crystal : (Rᵀ ε(u) R − ε*_crystal(x)) ] · Rᵀ,   ε*_crystal = diag(ε_a, ε_a, ε_c)

Solid electrolyte: σ = λ tr(ε) I + 2 μ ε. Voigt order 11, 22, 33, 23, 13, 12 with
engineering shear strains. In 2D (plane strain) the in-plane strain is embedded in 3×3
with zero out-of-plane components and the in-plane block of σ is returned.
"""

from __future__ import annotations

from typing import Any

import ufl

__all__ = [
    "crystal_stress",
    "eigenstress",
    "embed3",
    "grain_stress",
    "hydrostatic",
    "in_plane",
    "isotropic_stress",
    "strain",
    "von_mises",
]

Expr = Any  # a UFL expression


def strain(u: Expr) -> Expr:
    """Small-strain tensor ε(u) = sym ∇u (gdim × gdim)."""
    return ufl.sym(ufl.grad(u))


def embed3(t: Expr) -> Expr:
    """Embed a 2×2 tensor in 3×3 with zero third row/column; 3×3 tensors pass through."""
    if ufl.shape(t) == (3, 3):
        return t
    return ufl.as_matrix([[t[0, 0], t[0, 1], 0.0], [t[1, 0], t[1, 1], 0.0], [0.0, 0.0, 0.0]])


def in_plane(t: Expr, gdim: int) -> Expr:
    """The leading gdim × gdim block of a 3×3 tensor."""
    if gdim == 3:
        return t
    return ufl.as_matrix([[t[i, j] for j in range(gdim)] for i in range(gdim)])


def _voigt_strain(e: Expr) -> Expr:
    return ufl.as_vector([e[0, 0], e[1, 1], e[2, 2], 2.0 * e[1, 2], 2.0 * e[0, 2], 2.0 * e[0, 1]])


def _stress_from_voigt(s: Expr) -> Expr:
    return ufl.as_matrix([[s[0], s[5], s[4]], [s[5], s[1], s[3]], [s[4], s[3], s[2]]])


def crystal_stress(C: Expr, eps_crystal: Expr) -> Expr:
    """σ_crystal = C : ε_crystal for a 6×6 Voigt stiffness ``C`` and a 3×3 strain."""
    return _stress_from_voigt(C * _voigt_strain(eps_crystal))


def eigenstrain_crystal(eps_a: Expr, eps_c: Expr) -> Expr:
    """Crystal-frame lattice eigenstrain diag(ε_a, ε_a, ε_c)."""
    return ufl.as_matrix([[eps_a, 0.0, 0.0], [0.0, eps_a, 0.0], [0.0, 0.0, eps_c]])


def grain_stress(eps: Expr, R: Expr, C: Expr, eps_a: Expr, eps_c: Expr) -> Expr:
    """3×3 sample-frame stress of a grain with rotation ``R`` for total strain ``eps``."""
    e3 = embed3(eps)
    e_cr = R.T * e3 * R - eigenstrain_crystal(eps_a, eps_c)
    return R * crystal_stress(C, e_cr) * R.T


def elastic_grain_stress(eps: Expr, R: Expr, C: Expr) -> Expr:
    """3×3 sample-frame stress R [C : (Rᵀ ε R)] Rᵀ (no eigenstrain)."""
    return R * crystal_stress(C, R.T * embed3(eps) * R) * R.T


def eigenstress(R: Expr, C: Expr, eps_a: Expr, eps_c: Expr) -> Expr:
    """3×3 sample-frame eigenstress R [C : diag(ε_a, ε_a, ε_c)] Rᵀ (MPa)."""
    return R * crystal_stress(C, eigenstrain_crystal(eps_a, eps_c)) * R.T


def isotropic_stress(eps: Expr, lmbda: Expr, mu: Expr) -> Expr:
    """3×3 stress λ tr(ε) I + 2 μ ε of an isotropic solid (plane strain in 2D)."""
    e3 = embed3(eps)
    return lmbda * ufl.tr(e3) * ufl.Identity(3) + 2.0 * mu * e3


def hydrostatic(sigma: Expr) -> Expr:
    """σ_h = tr σ / 3 of a 3×3 stress."""
    return ufl.tr(sigma) / 3.0


def von_mises(sigma: Expr) -> Expr:
    """von Mises stress √(3/2 s:s), s = dev σ, of a 3×3 stress."""
    s = sigma - hydrostatic(sigma) * ufl.Identity(3)
    return ufl.sqrt(1.5 * ufl.inner(s, s))
