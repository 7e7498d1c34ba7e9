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
    "AI2020_LCO_SOURCE",
    "CHEN2020_SOURCE",
    "FARADAY",
    "Ai2020LcoOcv",
    "Chen2020NmcOcv",
    "TabulatedOcv",
    "check_decreasing",
    "chen2020_proxy",
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


def chen2020_proxy(material: str, reason: str) -> tuple[Chen2020NmcOcv, Source]:
    """The NMC811 fit of Chen et al. 2020 used for another composition (an estimate);
    `reason` says why and what it means for `material` (it opens the note)."""
    src = Source(
        citation=CHEN2020_SOURCE.citation + f", used for {material} (proxy)",
        doi=CHEN2020_SOURCE.doi,
        evidence="estimate",
        checked=CHEN2020_SOURCE.checked,
        note=f"PROXY: the NMC811 fit used for {material}. {reason} " + CHEN2020_SOURCE.note,
    )
    return Chen2020NmcOcv(source=src), src


AI2020_LCO_SOURCE = Source(
    citation=(
        "Ai, Kraft, Sturm, Jossen & Wu, J. Electrochem. Soc. 167 (2020) 013512 (Enertech "
        "LiCoO2/graphite pouch cell; PyBaMM parameter set Ai2020, lico2_ocp_Ai2020_function)"
    ),
    doi="10.1149/2.0122001JES",
    evidence="model-parameter",
    checked=(
        "[R] pybamm-team/PyBaMM pybamm/input/parameters/lithium_ion/positive_electrodes/"
        "lico2_Ai2020/lico2_ocp_Ai2020_function.py, commit ea78063b (every coefficient read "
        "there; docstring: 'only accurate for 0.435 < sto < 0.9651'); cross-checked against "
        "pybamm/input/parameters/lithium_ion/data/lico2_ocp_Ai2020.csv ('OCP for lico2 from "
        "Rieger 2016'), the table the later Ai2020 set uses instead"
    ),
    note=(
        "[R] U(x) = -107897.40 x^9 + 677406.28 x^8 - 1873803.91 x^7 + 2996535.44 x^6 "
        "- 3052331.36 x^5 + 2053377.31 x^4 - 912135.88 x^3 + 257964.35 x^2 - 42146.98 x "
        "+ 3035.67 V, a polynomial fit to the LiCoO2 electrode potential of the Enertech cell "
        "for 0.435 < x < 0.9651, with x = c/c_max and c_max = 49943 mol/m3, the c_max of the "
        "LCO set here (no conversion); x = 0.435 is the cell's 4.2 V state, near the Li "
        "fraction of LiCoO2 at 4.2 V, so this stoichiometry is close to the Li fraction. "
        "Above x = 0.9651 the polynomial is extrapolated to x = 1 (an estimate): U falls "
        "3.796 -> 3.520 V, still monotonic. [C] Cross-check against the Rieger 2016 table: "
        "within 0.8-5.9 mV over x = 0.44-0.90, 15-23 mV at x = 0.95-0.965; at x = 0.9989 "
        "the table's steep end (3.409 V) is 127 mV below the fit. [C] dU/dx < 0 over "
        "0.435-1. Theta = -(F x/RT) dU/dx at 298.15 K: 49.8 at x = 0.435, 33.4 at 0.5, "
        "24.8 at 0.6, 18.0 at 0.7, a minimum of 1.2 at x = 0.806 (the fit smooths the "
        "near-flat hexagonal two-phase region of LixCoO2 there: x/Theta is large but "
        "finite), 16.4 at 0.9, 133 at 0.9651 and 567 at x = 1 (the discharge tail). Not "
        "used: the Dualfoil LiCoO2 fit (PyBaMM Marquis2019 lico2_ocp_Dualfoil1998, "
        "stretch 1.062) falls below 2.5 V at x = 0.972 and to 0.006 V at x = 1; the "
        "Ramadass 2004 rational fit (stretch 1.13) has a pole at x = 0.889; the Rieger "
        "table has equal consecutive potentials (0.19 mV digitisation steps), so it is "
        "not strictly falling and its segment slopes alternate between 0 and about "
        "-0.3 V."
    ),
)


@dataclass(frozen=True)
class Ai2020LcoOcv:
    """LiCoO2 ``U(x)`` of Ai et al. 2020 (PyBaMM ``lico2_ocp_Ai2020_function``), a
    9th-order polynomial in x."""

    source: Source | None = AI2020_LCO_SOURCE
    x_range: tuple[float, float] = (0.435, 0.9651)
    """Where the fit holds (per its source); extrapolated outside."""

    _P = (
        -107897.40,
        677406.28,
        -1873803.91,
        2996535.44,
        -3052331.36,
        2053377.31,
        -912135.88,
        257964.35,
        -42146.98,
        3035.67,
    )
    """Coefficients of x^9 ... x^0."""

    def __call__(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """U(x) in V vs Li/Li⁺ (Horner form; xp is not needed)."""
        u = self._P[0] + 0.0 * x
        for p in self._P[1:]:
            u = u * x + p
        return u

    def describe(self) -> str:
        """The fit, as a formula."""
        n = len(self._P) - 1
        terms = " ".join(f"{p:+.2f} x^{n - i}" for i, p in enumerate(self._P))
        terms = terms.replace(" x^1 ", " x ").replace(" x^0", "")
        return f"U(x) = {terms} V vs Li/Li+ (fitted over x in 0.435-0.9651)"

    def derivative(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """dU/dx in V (Horner form of the differentiated polynomial)."""
        n = len(self._P) - 1
        d = n * self._P[0] + 0.0 * x
        for i, p in enumerate(self._P[1:-1], start=1):
            d = d * x + (n - i) * p
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
