"""Material descriptions the FEM layer consumes: plain frozen dataclasses and protocols.

Units (see docs/internals.md): stiffness in MPa, diffusivity laws return m²/s (the FEM
code converts to µm²/s), concentrations in mol/m³, the Li fraction x = c / c_max is
dimensionless. The FEM layer knows nothing of the config schema; ``polycat.materials``
(or a test) builds these objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CathodePhase",
    "DiffusivityLaw",
    "LatticeLaw",
    "MatrixPhase",
]


@runtime_checkable
class LatticeLaw(Protocol):
    """Crystal-frame lattice eigenstrain ε* = diag(ε_a, ε_a, ε_c) as a function of x.

    Both methods take a numpy array of Li fractions and return arrays of the same shape
    (dimensionless strains relative to the stress-free reference state).
    """

    def strains(self, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return (ε_a(x), ε_c(x))."""
        ...

    def derivatives(
        self, x: NDArray[np.float64]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Return (dε_a/dx, dε_c/dx)."""
        ...


@runtime_checkable
class DiffusivityLaw(Protocol):
    """Chemical diffusivity D(x) in m²/s.

    ``law(x, xp)`` evaluates D for ``x`` given as a numpy array (``xp = numpy``) or a UFL
    expression (``xp = ufl``); ``xp`` provides ``exp``, ``ln`` ... as needed.
    ``constant_value`` is D in m²/s when the law does not depend on x, else ``None``
    (the solver then uses a constant, symmetric Jacobian).
    """

    @property
    def constant_value(self) -> float | None:
        """D in m²/s when it does not depend on x, else None."""
        ...

    def __call__(self, x: Any, xp: Any) -> Any:
        """D(x) in m²/s for numpy (``xp = numpy``) or UFL (``xp = ufl``) input."""
        ...


@dataclass(frozen=True)
class ConstantDiffusivity:
    """A diffusivity that does not depend on x: ``D_m2_s`` in m²/s."""

    D_m2_s: float

    def __post_init__(self) -> None:
        if not self.D_m2_s > 0.0:
            raise ValueError(f"diffusivity must be positive, got {self.D_m2_s} m²/s")

    @property
    def constant_value(self) -> float:
        """D in m²/s."""
        return self.D_m2_s

    def __call__(self, x: Any, xp: Any) -> Any:
        """D(x) = D_m2_s (m²/s), of the same kind as ``x``."""
        return 0.0 * x + self.D_m2_s


@dataclass(frozen=True)
class CathodePhase:
    """The active material of the grains.

    Attributes:
        C_crystal_MPa: 6×6 Voigt stiffness (order 11, 22, 33, 23, 13, 12; engineering
            shear strains) in the crystal frame, MPa.
        lattice: eigenstrain law ε*(x) in the crystal frame (:class:`LatticeLaw`).
        diffusivity: D(x) in m²/s (:class:`DiffusivityLaw`).
        c_max_mol_m3: Li concentration at x = 1, mol/m³.
        ocv: open-circuit potential U(x) (:mod:`polycat.materials.ocv`): the two-way
            drift is then x/Θ ∇φ; None: the dilute-solution drift x ∇φ (Θ = 1).
        diffusion_anisotropy: D_c/D_ab of the crystal (Li moves in the ab-planes): D is
            then a tensor per grain whose orientation average is ``diffusivity``; None:
            isotropic.
    """

    C_crystal_MPa: NDArray[np.float64]
    lattice: LatticeLaw
    diffusivity: DiffusivityLaw
    c_max_mol_m3: float
    ocv: Any = None
    diffusion_anisotropy: float | None = None

    def __post_init__(self) -> None:
        C = np.asarray(self.C_crystal_MPa, dtype=np.float64)
        if C.shape != (6, 6):
            raise ValueError(f"C_crystal_MPa must be 6x6, got shape {C.shape}")
        if not np.allclose(C, C.T, rtol=1e-10, atol=1e-10 * np.abs(C).max()):
            raise ValueError("C_crystal_MPa must be symmetric")
        if np.linalg.eigvalsh(C).min() <= 0.0:
            raise ValueError("C_crystal_MPa must be positive definite")
        if not self.c_max_mol_m3 > 0.0:
            raise ValueError(f"c_max_mol_m3 must be positive, got {self.c_max_mol_m3}")
        r = self.diffusion_anisotropy
        if r is not None and not (np.isfinite(r) and r > 0.0):
            raise ValueError(f"diffusion_anisotropy (D_c/D_ab) must be > 0, got {r}")
        object.__setattr__(self, "C_crystal_MPa", C)


@dataclass(frozen=True)
class MatrixPhase:
    """Isotropic linear-elastic solid electrolyte: Young's modulus (MPa), Poisson ratio."""

    E_MPa: float
    nu: float

    def __post_init__(self) -> None:
        if not self.E_MPa > 0.0:
            raise ValueError(f"E_MPa must be positive, got {self.E_MPa}")
        if not -1.0 < self.nu < 0.5:
            raise ValueError(f"nu must lie in (-1, 0.5), got {self.nu}")

    @property
    def lame(self) -> tuple[float, float]:
        """Lamé constants (λ, μ) in MPa."""
        E, nu = self.E_MPa, self.nu
        return E * nu / ((1.0 + nu) * (1.0 - 2.0 * nu)), E / (2.0 * (1.0 + nu))
