"""Li diffusivity laws ``D(x)`` in m²/s (x = c / c_max).

A law is called as ``law(x, xp=numpy)``; ``xp`` is a namespace that provides ``exp``
(numpy, or ``ufl`` so that the FEM layer gets a UFL expression of the unknown). The laws
use only ``xp.exp`` and arithmetic on ``x``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np

from polycat.materials.sources import Source

__all__ = ["OREGAN2022_SOURCE", "ConstantDiffusivity", "ORegan2022Diffusivity"]


@dataclass(frozen=True)
class ConstantDiffusivity:
    """Concentration-independent diffusivity ``D_m2_s`` (m²/s)."""

    D_m2_s: float
    source: Source | None = None

    def __post_init__(self) -> None:
        D = self.D_m2_s
        if isinstance(D, bool) or not isinstance(D, int | float | np.floating | np.integer):
            raise ValueError(f"ConstantDiffusivity.D_m2_s: must be a number, got {D!r}")
        if not (math.isfinite(float(D)) and float(D) > 0.0):
            raise ValueError(f"ConstantDiffusivity.D_m2_s: must be finite and > 0 m²/s, got {D}")
        if self.source is not None and not isinstance(self.source, Source):
            raise ValueError("ConstantDiffusivity.source: must be a Source or None")
        object.__setattr__(self, "D_m2_s", float(D))

    @property
    def constant_value(self) -> float:
        """D in m²/s."""
        return self.D_m2_s

    def __call__(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """``D`` of the same kind as ``x``: an array of its shape, or ``0*x + D`` (UFL)."""
        if xp is np:
            return np.full(np.shape(x), self.D_m2_s)
        return 0.0 * x + self.D_m2_s

    def describe(self) -> str:
        """One line for `polycat materials`."""
        return f"constant D = {self.D_m2_s:.3g} m²/s"


OREGAN2022_SOURCE = Source(
    citation=(
        "O'Regan, Brosa Planella, Widanage & Kendrick, Electrochim. Acta 425 (2022) 140700; "
        "PyBaMM ORegan2022.py, nmc_LGM50_diffusivity_ORegan2022"
    ),
    evidence="measured",
    checked="[R] pybamm-team/PyBaMM src/pybamm/input/parameters/lithium_ion/ORegan2022.py",
    note=(
        "[R] pybamm-team/PyBaMM src/pybamm/input/parameters/lithium_ion/ORegan2022.py: "
        "D = 2.7 * 10**(-13.96 - 0.9231 exp(-(s-0.3216)^2/0.002534) "
        "- 0.4066 exp(-(s-0.4532)^2/0.003926) - 0.993 exp(-(s-0.8098)^2/0.09924)) m²/s, "
        "Arrhenius E = 1449 R J/mol about 298.15 K. Fitted to LG M50 NMC811 (GITT, liquid "
        "electrolyte); s is the Li fraction of PyBaMM's c_max (51765 mol/m³), used here as x. "
        "D = 2.86e-15 m²/s at s = 0.32 (near the minimum, 2.83e-15 at s = 0.323)."
    ),
)


@dataclass(frozen=True)
class ORegan2022Diffusivity:
    """NMC811 ``D(x)`` of O'Regan et al. 2022 (PyBaMM ``ORegan2022`` parameter set).

    Written with ``xp.exp`` only (``10**y = exp(y ln 10)``) so that it also builds a UFL
    expression. ``temperature_K`` applies the published Arrhenius factor.
    """

    temperature_K: float = 298.15
    source: Source | None = OREGAN2022_SOURCE

    A1 = -0.9231
    A2 = -0.4066
    A3 = -0.993
    B1 = 0.3216
    B2 = 0.4532
    B3 = 0.8098
    C0 = -13.96
    C1 = 0.002534
    C2 = 0.003926
    C3 = 0.09924
    E_OVER_R_K = 1449.0
    CORRECTION = 2.7

    def __post_init__(self) -> None:
        T = self.temperature_K
        if isinstance(T, bool) or not isinstance(T, int | float | np.floating | np.integer):
            raise ValueError(f"ORegan2022Diffusivity.temperature_K: must be a number, got {T!r}")
        if not (math.isfinite(float(T)) and float(T) > 0.0):
            raise ValueError(f"ORegan2022Diffusivity.temperature_K: must be > 0 K, got {T}")
        if self.source is not None and not isinstance(self.source, Source):
            raise ValueError("ORegan2022Diffusivity.source: must be a Source or None")
        object.__setattr__(self, "temperature_K", float(T))

    @property
    def constant_value(self) -> None:
        """None: D depends on x."""
        return None

    @property
    def arrhenius_factor(self) -> float:
        """The Arrhenius factor exp(−E_a/R (1/T − 1/T_ref)) at the law's temperature."""
        return math.exp(self.E_OVER_R_K * (1.0 / 298.15 - 1.0 / self.temperature_K))

    def __call__(self, x: Any, xp: ModuleType | Any = np) -> Any:
        """D(x) in m²/s for numpy or UFL input (``xp`` provides exp)."""
        if xp is np:
            x = np.asarray(x, dtype=float)
        exponent = (
            self.C0
            + self.A1 * xp.exp(-((x - self.B1) ** 2) / self.C1)
            + self.A2 * xp.exp(-((x - self.B2) ** 2) / self.C2)
            + self.A3 * xp.exp(-((x - self.B3) ** 2) / self.C3)
        )
        return (self.CORRECTION * self.arrhenius_factor) * xp.exp(math.log(10.0) * exponent)

    def describe(self) -> str:
        """One line for `polycat materials`."""
        xs = np.linspace(0.0, 1.0, 1001)
        D = self(xs)
        i = int(np.argmin(D))
        return (
            f"O'Regan 2022 D(x) at {self.temperature_K:g} K: min {D[i]:.3g} m²/s at "
            f"x = {xs[i]:.2f}, max {D.max():.3g} m²/s, D(1) = {D[-1]:.3g} m²/s"
        )
