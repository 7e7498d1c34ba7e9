"""Closed-form and series references of docs/physics.md §1 (used by the verification tests).

Conventions: tension positive; ρ = r/R; τ = D t / R². Each function states its source.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import brentq

R_GAS = 8.314462618


def tan_roots(n: int) -> NDArray[np.float64]:
    """First ``n`` positive roots of tan λ = λ (4.49341, 7.72525, …)."""
    f = lambda lam: np.sin(lam) - lam * np.cos(lam)  # noqa: E731
    return np.array(
        [brentq(f, k * np.pi + 1e-9, k * np.pi + np.pi / 2 - 1e-12) for k in range(1, n + 1)]
    )


_ROOTS = tan_roots(400)


def galvanostatic_sphere(rho: ArrayLike, tau: float, n_terms: int = 400) -> NDArray[np.float64]:
    """(c − c₀)/(JR/D) in a sphere under constant influx J (Crank ch. 6; notes §1.2)."""
    rho = np.atleast_1d(np.asarray(rho, dtype=float))
    lam = _ROOTS[:n_terms]
    out = 3.0 * tau + rho**2 / 2.0 - 3.0 / 10.0
    decay = np.exp(-(lam**2) * tau)
    small = rho < 1e-8
    r = np.where(small, 1.0, rho)
    terms = np.sin(np.outer(r, lam)) / (lam**2 * np.sin(lam)) * decay
    series = 2.0 / r * terms.sum(axis=1)
    series0 = 2.0 * np.sum(decay / (lam * np.sin(lam)))  # limit ρ → 0
    return out - np.where(small, series0, series)


def dis_sphere_stresses(
    c_tilde, rho: ArrayLike, n_quad: int = 400
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(σ_r, σ_θ) in units of ΩE/(3(1−ν)) for a radial profile ``c_tilde(ρ)`` (notes §1.1).

    σ_r = 2 [I(1) − I(ρ)/ρ³],  σ_θ = 2 I(1) + I(ρ)/ρ³ − c̃(ρ),  I(ρ) = ∫₀^ρ c̃ s² ds.
    """
    rho = np.atleast_1d(np.asarray(rho, dtype=float))
    xg, wg = np.polynomial.legendre.leggauss(n_quad)

    def integral(upper: float) -> float:
        s = 0.5 * upper * (xg + 1.0)
        return float(0.5 * upper * np.sum(wg * c_tilde(s) * s**2))

    i1 = integral(1.0)
    ir = np.array([integral(r) for r in rho])
    ratio = ir / rho**3
    return 2.0 * (i1 - ratio), 2.0 * i1 + ratio - c_tilde(rho)


def bulk_shear(E: float, nu: float) -> tuple[float, float]:
    """Bulk and shear modulus of an isotropic solid."""
    return E / (3.0 * (1.0 - 2.0 * nu)), E / (2.0 * (1.0 + nu))


def lame_pressure(
    eps: float, E1: float, nu1: float, E2: float, nu2: float, a: float, b: float
) -> float:
    """Interface pressure p (p > 0 compresses the sphere), traction-free shell (notes §1.4)."""
    K1, _ = bulk_shear(E1, nu1)
    K2, G2 = bulk_shear(E2, nu2)
    return eps / (1.0 / (3.0 * K1) + (a**3 / (3.0 * K2) + b**3 / (4.0 * G2)) / (b**3 - a**3))


def lame_pressure_fixed(
    eps: float, E1: float, nu1: float, E2: float, nu2: float, a: float, b: float
) -> float:
    """Interface pressure with the outer surface fixed, u(b) = 0 (notes §1.4 variant)."""
    K1, _ = bulk_shear(E1, nu1)
    K2, G2 = bulk_shear(E2, nu2)
    f3 = a**3 / b**3
    return eps / (1.0 / (3.0 * K1) + (1.0 - f3) / (3.0 * K2 * f3 + 4.0 * G2))


def lame_shell_stresses(
    p: float, a: float, b: float, r: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shell (σ_rr, σ_θθ) at radius r, traction-free outer surface (notes §1.4)."""
    r = np.asarray(r, dtype=float)
    f = a**3 / (b**3 - a**3)
    return -p * f * (b**3 / r**3 - 1.0), p * f * (b**3 / (2.0 * r**3) + 1.0)


def lame_shell_stresses_fixed(
    eps: float, E1: float, nu1: float, E2: float, nu2: float, a: float, b: float, r: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Shell (σ_rr, σ_θθ) with u(b) = 0: u = A r + B/r², σ_rr(a) = −p, u(b) = 0."""
    r = np.asarray(r, dtype=float)
    K2, G2 = bulk_shear(E2, nu2)
    p = lame_pressure_fixed(eps, E1, nu1, E2, nu2, a, b)
    # σ_rr = 3K A − 4G B/r³ ; u(b) = 0 → A = −B/b³
    B = -p / (-3.0 * K2 / b**3 - 4.0 * G2 / a**3)
    A = -B / b**3
    return 3.0 * K2 * A - 4.0 * G2 * B / r**3, 3.0 * K2 * A + 2.0 * G2 * B / r**3


def eshelby_sphere_stress(
    eps_star: NDArray[np.float64], E1: float, nu1: float, E2: float, nu2: float
) -> NDArray[np.float64]:
    """Uniform stress inside a spherical inclusion with eigenstrain ``eps_star`` (3×3) in an
    infinite isotropic matrix (Eshelby 1957; notes §1.5)."""
    K1, G1 = bulk_shear(E1, nu1)
    _, G2 = bulk_shear(E2, nu2)
    ev = np.trace(eps_star)
    dev = eps_star - ev / 3.0 * np.eye(3)
    beta = 2.0 * (4.0 - 5.0 * nu2) / (15.0 * (1.0 - nu2))
    sh = -4.0 * K1 * G2 * ev / (3.0 * K1 + 4.0 * G2)
    sdev = -2.0 * G1 * G2 * (1.0 - beta) / (G1 * beta + G2 * (1.0 - beta)) * dev
    return sh * np.eye(3) + sdev
