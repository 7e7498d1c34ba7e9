"""Dependence of a material value on the Li fraction x, as a relative factor table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from polycat.materials.sources import Source

__all__ = ["XDependence"]


@dataclass(frozen=True, slots=True)
class XDependence:
    """``value(x) = value(x_ref) * factor(x)``, piecewise linear in x between the table
    points and held constant outside them (the table says where it was measured).

    ``quantity`` names the field it scales (e.g. ``gb_fracture_energy_J_m2``).
    """

    quantity: str
    x: tuple[float, ...]
    factor: tuple[float, ...]
    source: Source

    def __post_init__(self) -> None:
        cls = "XDependence"
        x = np.asarray(self.x, dtype=float)
        f = np.asarray(self.factor, dtype=float)
        if x.ndim != 1 or x.shape != f.shape or x.size < 2:
            raise ValueError(f"{cls}: x and factor must be equal-length 1-D, >= 2 points")
        if not (np.all(np.isfinite(x)) and np.all(np.isfinite(f))):
            raise ValueError(f"{cls}: x and factor must be finite")
        if np.any(np.diff(x) <= 0.0):
            raise ValueError(f"{cls}.x: must be strictly increasing")
        if np.any(f <= 0.0) or x[0] < 0.0 or x[-1] > 1.0:
            raise ValueError(f"{cls}: factors must be > 0 and x inside [0, 1]")
        if not isinstance(self.source, Source):
            raise ValueError(f"{cls}.source: must be a Source")
        object.__setattr__(self, "x", tuple(float(v) for v in x))
        object.__setattr__(self, "factor", tuple(float(v) for v in f))

    def __call__(self, x: ArrayLike) -> NDArray[np.float64]:
        """The factor at Li fractions ``x``."""
        return np.asarray(np.interp(np.asarray(x, dtype=float), self.x, self.factor))

    def describe(self) -> str:
        """One line for `polycat materials`."""
        pairs = ", ".join(f"{f:.3g} at x={x:g}" for x, f in zip(self.x, self.factor, strict=True))
        return f"relative factor {pairs}"

    def to_dict(self) -> dict[str, Any]:
        """The law as plain data (JSON-serialisable)."""
        return {
            "quantity": self.quantity,
            "x": list(self.x),
            "factor": list(self.factor),
            "source": self.source.to_dict(),
        }
