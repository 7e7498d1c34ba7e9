"""Small, documented constructions used to derive estimated parameters.

Every built-in value that is not read directly from a source is produced by one of these
functions, so that the derivation can be re-run and tested.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from polycat.materials.lattice import TabulatedLatticeStrain, volume_strain
from polycat.materials.sources import Source

__all__ = [
    "AVOGADRO",
    "bimaterial_plane_strain_modulus_GPa",
    "crystallographic_c_max",
    "griffith_adhesion_strength_MPa",
    "remapped_table",
    "scaled_table",
    "toughness_from_energy_MPa_sqrt_m",
    "volume_scale_for_target",
    "x_at_volume_strain",
]

AVOGADRO = 6.02214076e23


def crystallographic_c_max(a_A: float, c_A: float, z: int = 3) -> float:
    """Li sites per volume (mol/m³) of a hexagonal R-3m cell ``a, c`` (Å), Z formula units."""
    volume_m3 = math.sqrt(3.0) / 2.0 * a_A**2 * c_A * 1e-30
    return z / (AVOGADRO * volume_m3)


def x_at_volume_strain(law: TabulatedLatticeStrain, target: float) -> float:
    """Largest Li fraction x at which the law's volume strain first reaches ``target``.

    Searches from x_ref downwards (delithiation) on a fine grid, then refines with Brent's
    method. ``target`` is the relative volume change (e.g. -0.012).
    """
    lo, hi = law.x_range
    xs = np.linspace(hi, lo, 20001)
    dv = law.volume_strain(xs) - target
    crossing = np.flatnonzero(np.sign(dv[:-1]) != np.sign(dv[1:]))
    if crossing.size == 0:
        raise ValueError(f"volume strain {target} is not reached on [{lo}, {hi}]")
    i = int(crossing[0])
    return float(brentq(lambda x: float(law.volume_strain(x)) - target, xs[i + 1], xs[i]))


def volume_scale_for_target(law: TabulatedLatticeStrain, x: float, target: float) -> float:
    """Factor s with ``volume_strain(s eps_a(x), s eps_c(x)) == target``."""
    ea, ec = (float(v) for v in law.strains(x))
    return float(brentq(lambda s: float(volume_strain(s * ea, s * ec)) - target, 1e-6, 10.0))


def scaled_table(
    law: TabulatedLatticeStrain, factor: float, source: Source
) -> TabulatedLatticeStrain:
    """The same table with both strain components multiplied by ``factor``."""
    return TabulatedLatticeStrain(
        x=law.x,
        eps_a=tuple(factor * v for v in law.eps_a),
        eps_c=tuple(factor * v for v in law.eps_c),
        x_ref=law.x_ref,
        source=source,
    )


def remapped_table(
    law: TabulatedLatticeStrain,
    knots_from: tuple[float, ...],
    knots_to: tuple[float, ...],
    scale_a: float,
    scale_c_pos: float,
    scale_c_neg: float,
    source: Source,
) -> TabulatedLatticeStrain:
    """A table with the base law's shape, moved in x and rescaled per axis and sign.

    Each base point ``x`` is moved to ``interp(x, knots_from, knots_to)`` (piecewise-linear,
    monotone map of Li fraction), ``eps_a`` is multiplied by ``scale_a`` and ``eps_c`` by
    ``scale_c_pos`` where it is >= 0 and by ``scale_c_neg`` where it is < 0 (continuous,
    since the two scalings meet at eps_c = 0). The result is again PCHIP-interpolated, so
    it is C1.
    """
    xf = np.asarray(knots_from, dtype=float)
    xt = np.asarray(knots_to, dtype=float)
    if xf.shape != xt.shape or np.any(np.diff(xf) <= 0) or np.any(np.diff(xt) <= 0):
        raise ValueError("remapped_table: knots must be increasing and of equal length")
    x = np.interp(np.asarray(law.x), xf, xt)
    ea = scale_a * np.asarray(law.eps_a)
    ec_base = np.asarray(law.eps_c)
    ec = np.where(ec_base >= 0.0, scale_c_pos * ec_base, scale_c_neg * ec_base)
    x_ref = float(np.interp(law.x_ref, xf, xt))
    return TabulatedLatticeStrain(
        x=tuple(x.tolist()),
        eps_a=tuple(ea.tolist()),
        eps_c=tuple(ec.tolist()),
        x_ref=x_ref,
        source=source,
    )


def bimaterial_plane_strain_modulus_GPa(E1: float, nu1: float, E2: float, nu2: float) -> float:
    """Interface modulus ``E* = 2 / (1/E1' + 1/E2')`` with ``E' = E/(1 - nu²)``."""
    e1 = E1 / (1.0 - nu1**2)
    e2 = E2 / (1.0 - nu2**2)
    return 2.0 / (1.0 / e1 + 1.0 / e2)


def griffith_adhesion_strength_MPa(
    E_star_GPa: float, energy_J_m2: float, flaw_half_length_m: float
) -> float:
    """Griffith strength ``sqrt(E* G / (pi a))`` of an interface with a flaw of half-length a."""
    return math.sqrt(E_star_GPa * 1e9 * energy_J_m2 / (math.pi * flaw_half_length_m)) / 1e6


def toughness_from_energy_MPa_sqrt_m(E_GPa: float, nu: float, energy_J_m2: float) -> float:
    """Plane-strain ``K_c = sqrt(E G / (1 - nu²))`` from a fracture energy G (J/m²)."""
    return math.sqrt(E_GPa * 1e9 / (1.0 - nu**2) * energy_J_m2) / 1e6
