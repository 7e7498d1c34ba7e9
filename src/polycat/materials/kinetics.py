"""Charge-transfer kinetics at the cathode–electrolyte interface (Butler–Volmer), the
exchange current densities of the built-in cathodes, and molar masses for capacities.

Sign convention: the local current density i (A/m²) is anodic positive — i > 0 takes Li
out of the cathode (charge) — and the overpotential is η = Φ − U(x_s), with Φ the
cathode's electrode potential and U the open-circuit potential, both V vs Li/Li⁺ (a
lithium-metal reference whose own kinetics are not modelled)::

    i = i₀(x_s) [exp(α_a f η) − exp(−α_c f η)],     f = F / (R T)

    i₀(x) = i₀,ref · x^α_c (1 − x)^α_a / (0.5^α_c 0.5^α_a)     (x_dependence "sqrt")

the Li-fraction dependence of i₀ = F k c_e^α_a (c_max − c_s)^α_a c_s^α_c at a fixed
electrolyte concentration (Newman's form, as in PyBaMM), normalised so that
``i0_A_m2`` is i₀ at x = 0.5; ``constant`` keeps i₀ = i₀,ref.

The outward flux of the Li fraction x through the interface (µm/s) is
j = 10⁶ i / (F c_max).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import numpy as np

from polycat.materials.ocv import FARADAY
from polycat.materials.sources import Source

__all__ = [
    "CHEN2020_I0_SOURCE",
    "CHEN2020_NMC811",
    "DUALFOIL_LCO",
    "DUALFOIL_LCO_I0_SOURCE",
    "FARADAY",
    "GAS_CONSTANT",
    "ButlerVolmer",
    "chen2020_i0_proxy",
    "molar_mass_g_mol",
    "specific_capacity_mAh_g",
]

GAS_CONSTANT = 8.314462618
"""Molar gas constant, J/(mol K)."""

I0_X_MIN = 1e-6
"""Li fraction below which (and 1 − x below which) i₀(x) is evaluated at this bound: the
sqrt law vanishes at x = 0 and 1, where any current needs an infinite overpotential."""


@dataclass(frozen=True)
class ButlerVolmer:
    """Butler–Volmer kinetics (see the module docstring for the convention).

    Attributes:
        i0_A_m2: exchange current density at x = 0.5, A/m² (> 0).
        alpha_a, alpha_c: anodic and cathodic transfer coefficients, in (0, 1).
        x_dependence: ``sqrt`` (x^α_c (1 − x)^α_a, normalised at 0.5) or ``constant``.
    """

    i0_A_m2: float
    alpha_a: float = 0.5
    alpha_c: float = 0.5
    x_dependence: Literal["sqrt", "constant"] = "sqrt"

    def __post_init__(self) -> None:
        if not (np.isfinite(self.i0_A_m2) and self.i0_A_m2 > 0.0):
            raise ValueError(f"ButlerVolmer.i0_A_m2: must be > 0 A/m², got {self.i0_A_m2}")
        for name in ("alpha_a", "alpha_c"):
            a = getattr(self, name)
            if not (np.isfinite(a) and 0.0 < a < 1.0):
                raise ValueError(f"ButlerVolmer.{name}: must lie in (0, 1), got {a}")
        if self.x_dependence not in ("sqrt", "constant"):
            raise ValueError(
                f"ButlerVolmer.x_dependence: must be 'sqrt' or 'constant', got "
                f"{self.x_dependence!r}"
            )

    def i0(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """Exchange current density i₀(x), A/m² (``xp`` numpy or ufl)."""
        if self.x_dependence == "constant":
            return self.i0_A_m2 + 0.0 * x
        lo, hi = I0_X_MIN, 1.0 - I0_X_MIN
        xc = np.clip(x, lo, hi) if xp is np else xp.min_value(xp.max_value(x, lo), hi)
        norm = 0.5 ** (self.alpha_a + self.alpha_c)
        return self.i0_A_m2 * xc**self.alpha_c * (1.0 - xc) ** self.alpha_a / norm

    def current(self, x: Any, eta: Any, T_K: float, xp: ModuleType | Any = np) -> Any:
        """Local current density i(x, η), A/m² (anodic positive)."""
        f = FARADAY / (GAS_CONSTANT * T_K)
        return self.i0(x, xp) * (xp.exp(self.alpha_a * f * eta) - xp.exp(-self.alpha_c * f * eta))

    def d_current_d_eta(self, x: Any, eta: Any, T_K: float, xp: ModuleType | Any = np) -> Any:
        """∂i/∂η at fixed x, A/(m² V)."""
        f = FARADAY / (GAS_CONSTANT * T_K)
        a, c = self.alpha_a * f, self.alpha_c * f
        return self.i0(x, xp) * (a * xp.exp(a * eta) + c * xp.exp(-c * eta))

    def overpotential(self, i_A_m2: float, x: float, T_K: float) -> float:
        """η that carries the current density ``i_A_m2`` at Li fraction ``x`` (numpy):
        (2 R T/F) asinh(i / (2 i₀)) for α_a = α_c = 0.5, else Newton from that start."""
        f = FARADAY / (GAS_CONSTANT * T_K)
        i0 = float(self.i0(x))
        alpha = 0.5 * (self.alpha_a + self.alpha_c)
        eta = float(np.arcsinh(i_A_m2 / (2.0 * i0)) / (alpha * f))
        if self.alpha_a == self.alpha_c:
            return eta
        for _ in range(100):
            g = float(self.current(x, eta, T_K)) - i_A_m2
            step = g / float(self.d_current_d_eta(x, eta, T_K))
            eta -= step
            if abs(step) <= 1e-14 * (1.0 + abs(eta)):
                break
        return eta

    def describe(self) -> str:
        """One line for run.json and the material tables."""
        law = "x^a_c (1-x)^a_a / 0.5^(a_a+a_c)" if self.x_dependence == "sqrt" else "constant"
        return (
            f"Butler-Volmer, i0(0.5) = {self.i0_A_m2:g} A/m2 ({law}), alpha_a = "
            f"{self.alpha_a:g}, alpha_c = {self.alpha_c:g}"
        )


CHEN2020_I0_SOURCE = Source(
    citation=(
        "Chen, Brosa Planella, O'Regan, Gastol, Widanage & Kendrick, J. Electrochem. Soc. "
        "167 (2020) 080534 (LG M50 NMC811 positive electrode, Butler-Volmer rate constant)"
    ),
    doi="10.1149/1945-7111/ab9050",
    evidence="estimate",
    checked=(
        "[R] pybamm-team/PyBaMM nmc_LGM50_electrolyte_exchange_current_density_Chen2020: "
        "i0 = m_ref c_e^0.5 c_s^0.5 (c_max - c_s)^0.5, m_ref = 3.42e-6 (A/m2)(m3/mol)^1.5, "
        "c_max = 63104 mol/m3; PyBaMM's own test: 3.4123 A/m2 at c_e = 1000 mol/m3, "
        "c_s = 31552 mol/m3"
    ),
    note=(
        "[R] i0 = 3.41 A/m2 at x = 0.5 with 1 M LiPF6 in EC:DMC (a liquid electrolyte), "
        "alpha = 0.5, x dependence x^0.5 (1-x)^0.5. Used here for the NCM811 | solid "
        "electrolyte interface: an estimate. Solid-state interfaces (space-charge layers, "
        "interphases) usually show a larger charge-transfer resistance R_ct = RT/(F i0), "
        "so a smaller i0; give kinetics.i0_A_m2 from an impedance measurement of the cell "
        "at hand."
    ),
)

DUALFOIL_LCO_I0_SOURCE = Source(
    citation=(
        "Doyle & Newman Dualfoil (1998), LiCoO2 rate constant as in the PyBaMM parameter "
        "sets Marquis2019/Ai2020 (lico2_electrolyte_exchange_current_density_Dualfoil1998)"
    ),
    evidence="estimate",
    checked=(
        "[R] pybamm-team/PyBaMM lico2_electrolyte_exchange_current_density_Dualfoil1998: "
        "m_ref = 6e-7 (A/m2)(m3/mol)^1.5, alpha = 0.5"
    ),
    note=(
        "[C] i0 = m_ref c_e^0.5 (c_max x)^0.5 (c_max (1-x))^0.5 at c_e = 1000 mol/m3, "
        "x = 0.5 and c_max = 49943 mol/m3 (the LCO set here): 0.474 A/m2. A liquid-"
        "electrolyte value used for the solid-electrolyte interface: an estimate."
    ),
)

CHEN2020_NMC811 = ButlerVolmer(3.41)
"""NMC811 kinetics of Chen et al. 2020 (i₀ at x = 0.5, see :data:`CHEN2020_I0_SOURCE`)."""
DUALFOIL_LCO = ButlerVolmer(0.474)
"""LiCoO2 kinetics of Dualfoil (see :data:`DUALFOIL_LCO_I0_SOURCE`)."""


def chen2020_i0_proxy(material: str) -> tuple[ButlerVolmer, Source]:
    """The NMC811 kinetics of Chen et al. 2020 used for another NCM composition."""
    src = Source(
        citation=CHEN2020_I0_SOURCE.citation + f", used for {material} (proxy)",
        doi=CHEN2020_I0_SOURCE.doi,
        evidence="estimate",
        checked=CHEN2020_I0_SOURCE.checked,
        note=(
            f"PROXY: the NMC811 exchange current used for {material} (no cited value for "
            "it was found). " + CHEN2020_I0_SOURCE.note
        ),
    )
    return CHEN2020_NMC811, src


_ATOMIC_MASS = {"Li": 6.94, "Ni": 58.693, "Co": 58.933, "Mn": 54.938, "Al": 26.982, "O": 15.999}
"""Standard atomic weights (IUPAC 2021, abridged), g/mol."""

_TERM = re.compile(r"([A-Z][a-z]?)(\d+(?:\.\d+)?(?:/\d+)?)?")


def molar_mass_g_mol(formula: str) -> float | None:
    """Molar mass of a formula such as ``LiNi0.8Co0.1Mn0.1O2`` or ``LiNi1/3Co1/3Mn1/3O2``
    (g/mol); None when the string is not a plain formula of known elements."""
    text = formula.strip()
    total, pos = 0.0, 0
    for m in _TERM.finditer(text):
        if m.start() != pos or m.group(1) not in _ATOMIC_MASS:
            return None
        count = m.group(2) or "1"
        if "/" in count:
            num, den = count.split("/")
            n = float(num) / float(den)
        else:
            n = float(count)
        total += _ATOMIC_MASS[m.group(1)] * n
        pos = m.end()
    return total if pos == len(text) and total > 0.0 else None


def specific_capacity_mAh_g(delta_x: float, molar_mass: float) -> float:
    """Charge of a change Δx of the Li fraction per gram of active material, mAh/g
    (F Δx / (3.6 M))."""
    return FARADAY * float(delta_x) / (3.6 * float(molar_mass))
