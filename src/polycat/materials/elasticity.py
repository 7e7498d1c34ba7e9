"""Elastic stiffness of cathode grains: isotropic or trigonal (R-3m, Laue class -3m).

Units: GPa. Voigt order ``11, 22, 33, 23, 13, 12`` (see ``docs/internals.md``); the
matrices returned here map engineering-shear strain to stress.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from polycat.materials.sources import Source

__all__ = ["IsotropicElasticity", "TrigonalElasticity", "vrh_moduli_GPa"]


def _finite(cls: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{cls}.{name}: must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{cls}.{name}: must be finite, got {value!r}")
    return out


def _check_source(cls: str, source: object) -> None:
    if source is not None and not isinstance(source, Source):
        raise ValueError(f"{cls}.source: must be a Source or None, got {type(source).__name__}")


def vrh_moduli_GPa(C: NDArray[np.float64]) -> dict[str, float]:
    """Voigt, Reuss and Hill bulk (K) and shear (G) moduli of a 6x6 Voigt stiffness.

    Returns the keys ``K_V, K_R, K_H, G_V, G_R, G_H`` and the Hill Young's modulus and
    Poisson ratio ``E_H, nu_H`` (isotropic equivalent of a random polycrystal).
    """
    C = np.asarray(C, dtype=float)
    S = np.linalg.inv(C)
    K_V = (C[0, 0] + C[1, 1] + C[2, 2] + 2.0 * (C[0, 1] + C[0, 2] + C[1, 2])) / 9.0
    G_V = (
        (C[0, 0] + C[1, 1] + C[2, 2])
        - (C[0, 1] + C[0, 2] + C[1, 2])
        + 3.0 * (C[3, 3] + C[4, 4] + C[5, 5])
    ) / 15.0
    K_R = 1.0 / ((S[0, 0] + S[1, 1] + S[2, 2]) + 2.0 * (S[0, 1] + S[0, 2] + S[1, 2]))
    G_R = 15.0 / (
        4.0 * (S[0, 0] + S[1, 1] + S[2, 2])
        - 4.0 * (S[0, 1] + S[0, 2] + S[1, 2])
        + 3.0 * (S[3, 3] + S[4, 4] + S[5, 5])
    )
    K_H, G_H = 0.5 * (K_V + K_R), 0.5 * (G_V + G_R)
    E_H = 9.0 * K_H * G_H / (3.0 * K_H + G_H)
    nu_H = (3.0 * K_H - 2.0 * G_H) / (2.0 * (3.0 * K_H + G_H))
    return {
        "K_V": float(K_V),
        "K_R": float(K_R),
        "K_H": float(K_H),
        "G_V": float(G_V),
        "G_R": float(G_R),
        "G_H": float(G_H),
        "E_H": float(E_H),
        "nu_H": float(nu_H),
    }


@dataclass(frozen=True, slots=True)
class IsotropicElasticity:
    """Isotropic linear elasticity: Young's modulus ``E_GPa`` and Poisson ratio ``nu``."""

    E_GPa: float
    nu: float
    source: Source | None = None

    def __post_init__(self) -> None:
        E = _finite("IsotropicElasticity", "E_GPa", self.E_GPa)
        nu = _finite("IsotropicElasticity", "nu", self.nu)
        if E <= 0.0:
            raise ValueError(f"IsotropicElasticity.E_GPa: must be > 0 GPa, got {E}")
        if not -1.0 < nu < 0.5:
            raise ValueError(
                f"IsotropicElasticity.nu: must lie in (-1, 0.5) for a stable solid, got {nu}"
            )
        _check_source("IsotropicElasticity", self.source)
        object.__setattr__(self, "E_GPa", E)
        object.__setattr__(self, "nu", nu)

    @property
    def is_isotropic(self) -> bool:
        """True: the stiffness is isotropic."""
        return True

    @property
    def shear_modulus_GPa(self) -> float:
        """Shear modulus μ, GPa."""
        return self.E_GPa / (2.0 * (1.0 + self.nu))

    @property
    def bulk_modulus_GPa(self) -> float:
        """Bulk modulus K, GPa."""
        return self.E_GPa / (3.0 * (1.0 - 2.0 * self.nu))

    @property
    def lame_lambda_GPa(self) -> float:
        """First Lamé constant λ, GPa."""
        return self.E_GPa * self.nu / ((1.0 + self.nu) * (1.0 - 2.0 * self.nu))

    def voigt_GPa(self) -> NDArray[np.float64]:
        """6x6 stiffness in Voigt order 11, 22, 33, 23, 13, 12 (GPa)."""
        lam, mu = self.lame_lambda_GPa, self.shear_modulus_GPa
        C = np.zeros((6, 6))
        C[:3, :3] = lam
        C[[0, 1, 2], [0, 1, 2]] = lam + 2.0 * mu
        C[[3, 4, 5], [3, 4, 5]] = mu
        return C

    def describe(self) -> str:
        """One line for `polycat materials`."""
        return f"isotropic E = {self.E_GPa:g} GPa, nu = {self.nu:g}"

    def to_dict(self) -> dict[str, Any]:
        """The constants by name (JSON-serialisable)."""
        return {"kind": "isotropic", "E_GPa": self.E_GPa, "nu": self.nu}


@dataclass(frozen=True, slots=True)
class TrigonalElasticity:
    """Trigonal (R-3m) stiffness in hexagonal axes, x || a, z || c (GPa).

    ``C66 = (C11 - C12)/2``; ``C[0,3] = C14``, ``C[1,3] = -C14``, ``C[4,5] = C14``
    (the sign of C14 depends on the choice of the a-axis; this is the convention of the
    ELATE/Materials Project listings). The tensor must be positive definite.

    ``c66_listed`` keeps a source's own rounded C66 (a listing rounded to integers can
    give C66 = 122 where (C11 - C12)/2 = 122.5), so that the tensor reproduces the
    source's Voigt/Reuss/Hill moduli digit for digit; it must agree with (C11 - C12)/2
    within half a unit of the listing (0.5 GPa).
    """

    C11: float
    C12: float
    C13: float
    C14: float
    C33: float
    C44: float
    source: Source | None = None
    c66_listed: float | None = None

    def __post_init__(self) -> None:
        for name in ("C11", "C12", "C13", "C14", "C33", "C44"):
            object.__setattr__(self, name, _finite("TrigonalElasticity", name, getattr(self, name)))
        _check_source("TrigonalElasticity", self.source)
        if self.c66_listed is not None:
            c66 = _finite("TrigonalElasticity", "c66_listed", self.c66_listed)
            if abs(c66 - 0.5 * (self.C11 - self.C12)) > 0.5 + 1e-9:
                raise ValueError(
                    f"TrigonalElasticity.c66_listed: {c66} differs from (C11 - C12)/2 = "
                    f"{0.5 * (self.C11 - self.C12):g} by more than a rounding (0.5 GPa)"
                )
            object.__setattr__(self, "c66_listed", c66)
        eig = np.linalg.eigvalsh(self.voigt_GPa())
        if eig.min() <= 0.0:
            raise ValueError(
                "TrigonalElasticity: the stiffness must be positive definite (mechanically "
                f"stable); its Voigt eigenvalues are {np.array2string(eig, precision=4)} GPa. "
                "Check C11 > |C12|, C44 > 0, (C11 + C12) C33 > 2 C13^2 and "
                "(C11 - C12) C44 > 2 C14^2."
            )

    @property
    def is_isotropic(self) -> bool:
        """True only for an isotropic set of constants."""
        return False

    @property
    def C66(self) -> float:
        """C66 = (C11 − C12)/2, GPa."""
        if self.c66_listed is not None:
            return self.c66_listed
        return 0.5 * (self.C11 - self.C12)

    def voigt_GPa(self) -> NDArray[np.float64]:
        """6x6 stiffness in Voigt order 11, 22, 33, 23, 13, 12 (GPa)."""
        c11, c12, c13, c14, c33, c44 = (
            self.C11,
            self.C12,
            self.C13,
            self.C14,
            self.C33,
            self.C44,
        )
        return np.array(
            [
                [c11, c12, c13, c14, 0.0, 0.0],
                [c12, c11, c13, -c14, 0.0, 0.0],
                [c13, c13, c33, 0.0, 0.0, 0.0],
                [c14, -c14, 0.0, c44, 0.0, 0.0],
                [0.0, 0.0, 0.0, 0.0, c44, c14],
                [0.0, 0.0, 0.0, 0.0, c14, self.C66],
            ]
        )

    def vrh_moduli_GPa(self) -> dict[str, float]:
        """Voigt/Reuss/Hill polycrystal moduli (see :func:`vrh_moduli_GPa`)."""
        return vrh_moduli_GPa(self.voigt_GPa())

    def directional_young_GPa(self, direction: tuple[float, float, float]) -> float:
        """Young's modulus along a unit ``direction`` of the crystal frame (z = c-axis)."""
        n = np.asarray(direction, dtype=float)
        n = n / np.linalg.norm(n)
        S = np.linalg.inv(self.voigt_GPa())
        # S maps the stress vector (11, 22, 33, 23, 13, 12) to engineering strain, so a
        # uniaxial stress n n^T gives n . eps . n = w . S w with w the stress vector
        w = np.array([n[0] ** 2, n[1] ** 2, n[2] ** 2, n[1] * n[2], n[0] * n[2], n[0] * n[1]])
        eps = S @ w
        weights = w
        return float(1.0 / (weights @ eps))

    def describe(self) -> str:
        """One line for `polycat materials`."""
        vrh = self.vrh_moduli_GPa()
        return (
            f"trigonal C11={self.C11:g} C12={self.C12:g} C13={self.C13:g} C14={self.C14:g} "
            f"C33={self.C33:g} C44={self.C44:g} C66={self.C66:g} GPa (Hill E = "
            f"{vrh['E_H']:.1f} GPa, nu = {vrh['nu_H']:.3f}; E along a = "
            f"{self.directional_young_GPa((1.0, 0.0, 0.0)):.0f}, along c = "
            f"{self.directional_young_GPa((0.0, 0.0, 1.0)):.0f} GPa)"
        )

    def to_dict(self) -> dict[str, Any]:
        """The constants by name (JSON-serialisable)."""
        return {
            "kind": "trigonal",
            "C_GPa": {
                "C11": self.C11,
                "C12": self.C12,
                "C13": self.C13,
                "C14": self.C14,
                "C33": self.C33,
                "C44": self.C44,
                "C66": self.C66,
            },
            "vrh_GPa": self.vrh_moduli_GPa(),
        }
