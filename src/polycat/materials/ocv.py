"""Open-circuit potential laws ``U(x)`` in V vs Li/Li⁺ (x = c / c_max), and the
thermodynamic factor they give.

A law is called as ``law(x, xp=numpy)`` and ``law.derivative(x, xp)`` gives dU/dx; ``xp``
is numpy or ``ufl`` (the FEM layer builds UFL expressions of the unknown). With the
chemical potential of Li in the host μ = −F U(x) (+ the mechanical part), the measured
(chemical) diffusivity is D̃ = M R T Θ with the thermodynamic factor

    Θ(x) = −(F x / R T) dU/dx,

and the stress-driven flux is J = −D̃ (∇x − (x/Θ) ∇φ), where x/Θ = −R T / (F dU/dx):
a law must have dU/dx < 0 over its range (a single-phase host).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

from polycat.materials.sources import Source

__all__ = [
    "CHEN2020_SOURCE",
    "FARADAY",
    "Chen2020NmcOcv",
    "TabulatedOcv",
    "check_decreasing",
    "drift_coefficient",
    "thermodynamic_factor",
]

FARADAY = 96485.33212
"""Faraday constant, C/mol."""
_R_GAS = 8.314462618

CHEN2020_SOURCE = Source(
    citation=(
        "Chen, Brosa Planella, O'Regan, Gastol, Widanage & Kendrick, J. Electrochem. Soc. "
        "167 (2020) 080534 (LG M50 NMC811 positive electrode, OCV fit)"
    ),
    doi="10.1149/1945-7111/ab9050",
    evidence="model-parameter",
    checked=(
        "[R] pybamm-team/PyBaMM pybamm/input/parameters/lithium_ion/positive_electrodes/"
        "nmc_ORegan2022/nmc_LGM50_ocp_Chen2020.py (every coefficient read there)"
    ),
    note=(
        "[R] U(x) = -0.809 x + 4.4875 - 0.0428 tanh(18.5138 (x - 0.5542)) "
        "- 17.7326 tanh(15.789 (x - 0.3117)) + 17.5842 tanh(15.9308 (x - 0.312)), a fit "
        "to the pseudo-OCV of NMC811 half cells over the stoichiometry the cell cycles "
        "(about 0.27-0.91 [U]); outside it the fit's form is extrapolated (an estimate). "
        "Theta = -(F x/RT) dU/dx at 298.15 K [C]: 24.6 at x = 0.5, between 4.4 (x = 0.33, "
        "the dip of the fit between its two steep tanh terms) and 35.3 (x = 0.56) over "
        "0.27-0.91; 3.5 at x = 0.1."
    ),
)


@dataclass(frozen=True)
class Chen2020NmcOcv:
    """NMC811 ``U(x)`` of Chen et al. 2020 (PyBaMM ``nmc_LGM50_ocp_Chen2020``)."""

    source: Source | None = CHEN2020_SOURCE
    x_range: tuple[float, float] = (0.2661, 0.9084)
    """Where the fit was made (the cell's stoichiometry window); extrapolated outside."""

    _TERMS = ((-0.0428, 18.5138, 0.5542), (-17.7326, 15.789, 0.3117), (17.5842, 15.9308, 0.312))

    def __call__(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """U(x) in V vs Li/Li⁺."""
        u = -0.809 * x + 4.4875
        for a, k, x0 in self._TERMS:
            u = u + a * xp.tanh(k * (x - x0))
        return u

    def describe(self) -> str:
        """The fit, as a formula."""
        terms = " ".join(f"{a:+g} tanh({k:g} (x - {x0:g}))" for a, k, x0 in self._TERMS)
        return f"U(x) = -0.809 x + 4.4875 {terms} V vs Li/Li+ (fitted over x in 0.2661-0.9084)"

    def derivative(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """dU/dx in V (sech² = 1 − tanh²)."""
        d = -0.809 + 0.0 * x
        for a, k, x0 in self._TERMS:
            d = d + a * k * (1.0 - xp.tanh(k * (x - x0)) ** 2)
        return d


@dataclass(frozen=True)
class TabulatedOcv:
    """``U(x)`` through the points of a table, piecewise linear (dU/dx piecewise constant),
    held at the end slopes outside it. U must fall strictly with x (a single-phase host).

    Attributes:
        x: strictly increasing Li fractions; U_V: the potentials, V vs Li/Li⁺.
    """

    x: tuple[float, ...]
    U_V: tuple[float, ...]
    source: Source | None = None
    x_range: tuple[float, float] = field(init=False)

    def __post_init__(self) -> None:
        x = np.asarray(self.x, dtype=float)
        u = np.asarray(self.U_V, dtype=float)
        if x.ndim != 1 or x.shape != u.shape or len(x) < 2:
            raise ValueError("ocv.table: needs at least two [x, U_V] rows")
        if not (np.isfinite(x).all() and np.isfinite(u).all()):
            raise ValueError("ocv.table: every x and U_V must be a finite number")
        if not ((x >= 0.0).all() and (x <= 1.0).all() and (np.diff(x) > 0.0).all()):
            raise ValueError("ocv.table: x must increase strictly within [0, 1]")
        if not (np.diff(u) < 0.0).all():
            i = int(np.flatnonzero(np.diff(u) >= 0.0)[0])
            raise ValueError(
                f"ocv.table: U_V must fall strictly as x grows (a single-phase host, "
                f"dU/dx < 0); rows {i} and {i + 1} (x = {x[i]:g}, {x[i + 1]:g}) do not"
            )
        if not ((u > 0.0).all() and (u < 10.0).all()):
            raise ValueError("ocv.table: U_V is in volts vs Li/Li+ and must lie in (0, 10) V")
        object.__setattr__(self, "x", tuple(float(v) for v in x))
        object.__setattr__(self, "U_V", tuple(float(v) for v in u))
        object.__setattr__(self, "x_range", (float(x[0]), float(x[-1])))

    def _slopes(self) -> list[float]:
        x, u = self.x, self.U_V
        return [(u[i + 1] - u[i]) / (x[i + 1] - x[i]) for i in range(len(x) - 1)]

    def __call__(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """U(x) in V."""
        s = self._slopes()
        if xp is np:
            xa = np.asarray(x, dtype=float)
            k = np.clip(np.searchsorted(self.x, xa, side="right") - 1, 0, len(s) - 1)
            return np.asarray(self.U_V)[k] + np.asarray(s)[k] * (xa - np.asarray(self.x)[k])
        out = self.U_V[-2] + s[-1] * (x - self.x[-2])
        for i in range(len(s) - 2, -1, -1):
            out = xp.conditional(xp.lt(x, self.x[i + 1]), self.U_V[i] + s[i] * (x - self.x[i]), out)
        return out

    def derivative(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """dU/dx in V (the slope of the segment x lies in)."""
        s = self._slopes()
        if xp is np:
            xa = np.asarray(x, dtype=float)
            k = np.clip(np.searchsorted(self.x, xa, side="right") - 1, 0, len(s) - 1)
            return np.asarray(s)[k]
        out = s[-1] + 0.0 * x
        for i in range(len(s) - 2, -1, -1):
            out = xp.conditional(xp.lt(x, self.x[i + 1]), s[i], out)
        return out


def thermodynamic_factor(ocv: Any, x: Any, temperature_K: float, xp: ModuleType | Any = np) -> Any:
    """Θ(x) = −(F x / R T) dU/dx (1 for an ideal dilute solution)."""
    return -(FARADAY / (_R_GAS * temperature_K)) * x * ocv.derivative(x, xp)


def drift_coefficient(ocv: Any, x: Any, temperature_K: float, xp: ModuleType | Any = np) -> Any:
    """x/Θ = −R T / (F dU/dx), the factor of ∇φ in the consistent flux (x in the dilute
    limit); finite at x = 0."""
    return -(_R_GAS * temperature_K / FARADAY) / ocv.derivative(x, xp)


def check_decreasing(ocv: Any, x_lo: float, x_hi: float, n: int = 401) -> float | None:
    """The first x in [x_lo, x_hi] where dU/dx ≥ 0 (None: U falls everywhere there)."""
    xs = np.linspace(x_lo, x_hi, n)
    bad = np.flatnonzero(np.asarray(ocv.derivative(xs), dtype=float) >= 0.0)
    return None if len(bad) == 0 else float(xs[bad[0]])
