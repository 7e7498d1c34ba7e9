"""Lattice (chemical) eigenstrain laws of layered oxides versus Li fraction x.

A law returns the crystal-frame eigenstrain components ``(eps_a, eps_c)`` relative to
the stress-free reference Li fraction ``x_ref``: the eigenstrain tensor of a grain is
``diag(eps_a, eps_a, eps_c)`` in its crystal frame (c-axis = z).

Out-of-range policy. A law is only defined on ``x_range`` (for a table: the measured
window). Values within ``RANGE_TOL`` of the ends are clipped silently (rounding); further
out, :class:`TabulatedLatticeStrain` raises ``ValueError`` naming the range by default
(``out_of_range="raise"``), so a run that leaves the measured window fails loudly.
``out_of_range="clip"`` holds the end values instead (constant extrapolation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import PchipInterpolator

from polycat.materials.sources import Source

__all__ = [
    "RANGE_TOL",
    "LinearLatticeStrain",
    "TabulatedLatticeStrain",
    "volume_strain",
]

RANGE_TOL = 1e-9
"""Absolute tolerance in x within which evaluation just outside ``x_range`` is clipped."""

_OUT_OF_RANGE = ("raise", "clip")


def volume_strain(eps_a: ArrayLike, eps_c: ArrayLike) -> NDArray[np.float64]:
    """Exact relative volume change ``(1 + eps_a)^2 (1 + eps_c) - 1`` of the hexagonal cell."""
    ea = np.asarray(eps_a, dtype=float)
    ec = np.asarray(eps_c, dtype=float)
    return np.asarray((1.0 + ea) ** 2 * (1.0 + ec) - 1.0)


def _as_vector(cls: str, name: str, values: object) -> NDArray[np.float64]:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{cls}.{name}: must be a sequence of numbers ({exc})") from None
    if arr.ndim != 1:
        raise ValueError(f"{cls}.{name}: must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        raise ValueError(f"{cls}.{name}: non-finite value(s) at row(s) {bad.tolist()}")
    return arr


def _finite_scalar(cls: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{cls}.{name}: must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{cls}.{name}: must be finite, got {value!r}")
    return out


def _value_at(x: NDArray[np.float64], y: NDArray[np.float64], x0: float) -> float:
    """Table value at a knot (exact) or the PCHIP interpolant between knots."""
    hit = np.flatnonzero(x == x0)
    if hit.size:
        return float(y[hit[0]])
    return float(PchipInterpolator(x, y)(x0))


def _check_range(
    label: str, x: ArrayLike, lo: float, hi: float, clip_all: bool
) -> NDArray[np.float64]:
    xv = np.asarray(x, dtype=float)
    if np.isnan(xv).any():
        raise ValueError(f"lattice-strain law '{label}': x contains NaN")
    if not clip_all:
        bad = (xv < lo - RANGE_TOL) | (xv > hi + RANGE_TOL)
        if np.any(bad):
            worst = xv[bad]
            example = worst[np.argmax(np.maximum(lo - worst, worst - hi))]
            raise ValueError(
                f"lattice-strain law '{label}': Li fraction x = {example:.6g} is outside the "
                f"range [{lo:.6g}, {hi:.6g}] where the law is defined "
                f"({int(np.count_nonzero(bad))} value(s) outside). Keep the loading window "
                "inside this range, or build the table with out_of_range='clip' to hold the "
                "end values."
            )
    return np.clip(xv, lo, hi)


@dataclass(frozen=True, repr=False)
class TabulatedLatticeStrain:
    """Eigenstrain interpolated from a table ``x -> (eps_a, eps_c)``.

    Interpolation is shape-preserving, C1 piecewise-cubic Hermite (scipy
    ``PchipInterpolator``): it passes through every table point, is monotone between
    monotone data and never overshoots the neighbouring table values.

    On construction the table is sorted by x (duplicated x are rejected; at least 4 points)
    and re-referenced to ``x_ref`` with the exact ratio rule
    ``eps <- (1 + eps)/(1 + eps(x_ref)) - 1`` (so ``strains(x_ref) == 0`` and a table of
    ``a/a0 - 1`` becomes ``a/a(x_ref) - 1``). The stored fields hold the table actually
    used, so ``TabulatedLatticeStrain(t.x, t.eps_a, t.eps_c, t.x_ref)`` round-trips.
    """

    x: tuple[float, ...]
    eps_a: tuple[float, ...]
    eps_c: tuple[float, ...]
    x_ref: float
    source: Source | None = None
    out_of_range: str = "raise"

    def __post_init__(self) -> None:
        cls = "TabulatedLatticeStrain"
        x = _as_vector(cls, "x", self.x)
        ea = _as_vector(cls, "eps_a", self.eps_a)
        ec = _as_vector(cls, "eps_c", self.eps_c)
        if not (x.size == ea.size == ec.size):
            raise ValueError(
                f"{cls}: x, eps_a and eps_c must have the same length, got "
                f"{x.size}, {ea.size}, {ec.size}"
            )
        if x.size < 4:
            raise ValueError(f"{cls}.x: at least 4 table points are required, got {x.size}")
        order = np.argsort(x, kind="stable")
        x, ea, ec = x[order], ea[order], ec[order]
        dup = np.flatnonzero(np.diff(x) == 0.0)
        if dup.size:
            raise ValueError(
                f"{cls}.x: x must be strictly monotone, but x = "
                f"{np.unique(x[dup]).tolist()} occurs more than once; drop or merge the "
                "duplicated rows before building the table"
            )
        if np.any(ea <= -1.0) or np.any(ec <= -1.0):
            raise ValueError(f"{cls}: strains must be > -1 (a lattice cannot vanish)")
        x_ref = _finite_scalar(cls, "x_ref", self.x_ref)
        if not x[0] <= x_ref <= x[-1]:
            raise ValueError(
                f"{cls}.x_ref: {x_ref} must lie inside the table range [{x[0]}, {x[-1]}]"
            )
        if self.out_of_range not in _OUT_OF_RANGE:
            raise ValueError(
                f"{cls}.out_of_range: must be one of {_OUT_OF_RANGE}, got {self.out_of_range!r}"
            )
        if self.source is not None and not isinstance(self.source, Source):
            raise ValueError(f"{cls}.source: must be a Source or None")
        for name, y in (("eps_a", ea), ("eps_c", ec)):
            y_ref = _value_at(x, y, x_ref)
            if y_ref != 0.0:
                y[:] = (1.0 + y) / (1.0 + y_ref) - 1.0
            y[x == x_ref] = 0.0
            object.__setattr__(self, name, tuple(float(v) for v in y))
        object.__setattr__(self, "x", tuple(float(v) for v in x))
        object.__setattr__(self, "x_ref", x_ref)
        interp_a = PchipInterpolator(x, ea, extrapolate=True)
        interp_c = PchipInterpolator(x, ec, extrapolate=True)
        object.__setattr__(self, "_interp", (interp_a, interp_c))
        object.__setattr__(self, "_deriv", (interp_a.derivative(), interp_c.derivative()))

    @classmethod
    def from_lattice_parameters(
        cls,
        x: Sequence[float] | ArrayLike,
        a: Sequence[float] | ArrayLike,
        c: Sequence[float] | ArrayLike,
        x_ref: float,
        source: Source | None = None,
        out_of_range: str = "raise",
    ) -> TabulatedLatticeStrain:
        """Table from lattice parameters: ``eps_a = a(x)/a(x_ref) - 1``, same for c.

        ``a(x_ref)`` is the table value when ``x_ref`` is a table point, otherwise the
        PCHIP interpolant of ``a`` (units of a and c are irrelevant).
        """
        name = f"{cls.__name__}.from_lattice_parameters"
        xv = _as_vector(name, "x", x)
        av = _as_vector(name, "a", a)
        cv = _as_vector(name, "c", c)
        if not (xv.size == av.size == cv.size):
            raise ValueError(
                f"{name}: x, a and c must have the same length, got {xv.size}, {av.size}, {cv.size}"
            )
        if np.any(av <= 0.0) or np.any(cv <= 0.0):
            raise ValueError(f"{name}: lattice parameters a and c must be > 0")
        x_ref_f = _finite_scalar(name, "x_ref", x_ref)
        eps_a = av / av[0] - 1.0
        eps_c = cv / cv[0] - 1.0
        hit = np.flatnonzero(xv == x_ref_f)
        if hit.size == 1:  # exact ratios to the reference row
            eps_a = av / av[hit[0]] - 1.0
            eps_c = cv / cv[hit[0]] - 1.0
        return cls(
            x=tuple(xv.tolist()),
            eps_a=tuple(eps_a.tolist()),
            eps_c=tuple(eps_c.tolist()),
            x_ref=x_ref_f,
            source=source,
            out_of_range=out_of_range,
        )

    @property
    def x_range(self) -> tuple[float, float]:
        """The x range of the table."""
        return (self.x[0], self.x[-1])

    @property
    def label(self) -> str:
        """A short name of the law (its source's key)."""
        return self.source.citation.split(",")[0] if self.source else "table"

    def _x(self, x: ArrayLike) -> NDArray[np.float64]:
        lo, hi = self.x_range
        return _check_range(self.label, x, lo, hi, self.out_of_range == "clip")

    def strains(self, x: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Crystal-frame eigenstrains ``(eps_a, eps_c)`` at Li fraction(s) ``x``."""
        xv = self._x(x)
        ia, ic = self._interpolators()
        return np.asarray(ia(xv)), np.asarray(ic(xv))

    def derivatives(self, x: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(d eps_a/dx, d eps_c/dx)``; with ``out_of_range='clip'`` zero outside."""
        xv = np.asarray(x, dtype=float)
        xc = self._x(xv)
        da, dc = self._derivative_interpolators()
        inside = (xv >= self.x[0] - RANGE_TOL) & (xv <= self.x[-1] + RANGE_TOL)
        return (
            np.asarray(np.where(inside, da(xc), 0.0)),
            np.asarray(np.where(inside, dc(xc), 0.0)),
        )

    def volume_strain(self, x: ArrayLike) -> NDArray[np.float64]:
        """Relative cell-volume change ``(1 + eps_a)^2 (1 + eps_c) - 1``."""
        return volume_strain(*self.strains(x))

    def _interpolators(self) -> tuple[Any, Any]:
        return object.__getattribute__(self, "_interp")

    def _derivative_interpolators(self) -> tuple[Any, Any]:
        return object.__getattribute__(self, "_deriv")

    def describe(self) -> str:
        """One line for `polycat materials`."""
        xs = np.linspace(self.x[0], self.x[-1], 2001)
        ea, ec = self.strains(xs)
        dv = volume_strain(ea, ec)
        i_cmax = int(np.argmax(ec))
        return (
            f"table of {len(self.x)} points, x in [{self.x[0]:.4f}, {self.x[-1]:.4f}], "
            f"x_ref = {self.x_ref:g}; max eps_c = {100 * ec[i_cmax]:+.2f} % at "
            f"x = {xs[i_cmax]:.3f}; at x = {self.x[0]:.3f}: eps_a = {100 * ea[0]:+.2f} %, "
            f"eps_c = {100 * ec[0]:+.2f} %, dV/V = {100 * dv[0]:+.2f} %"
        )

    def __repr__(self) -> str:
        src = f", source={self.source.citation!r}" if self.source else ""
        return (
            f"TabulatedLatticeStrain(n={len(self.x)}, x_range=({self.x[0]:.6g}, "
            f"{self.x[-1]:.6g}), x_ref={self.x_ref:g}, out_of_range={self.out_of_range!r}"
            f"{src})"
        )


@dataclass(frozen=True)
class LinearLatticeStrain:
    """Linear (Vegard-type) eigenstrain ``eps = k (x - x_ref)``, defined for x in [0, 1].

    Used for analytic verification cases (e.g. isotropic ``k_a = k_c = Omega c_max / 3``).
    Evaluation outside [0, 1] (beyond ``RANGE_TOL``) raises ``ValueError``.
    """

    eps_a_per_x: float
    eps_c_per_x: float
    x_ref: float = 1.0
    source: Source | None = None

    def __post_init__(self) -> None:
        cls = "LinearLatticeStrain"
        for name in ("eps_a_per_x", "eps_c_per_x", "x_ref"):
            object.__setattr__(self, name, _finite_scalar(cls, name, getattr(self, name)))
        if not 0.0 <= self.x_ref <= 1.0:
            raise ValueError(f"{cls}.x_ref: must lie in [0, 1], got {self.x_ref}")
        if self.source is not None and not isinstance(self.source, Source):
            raise ValueError(f"{cls}.source: must be a Source or None")

    @property
    def x_range(self) -> tuple[float, float]:
        """The x range the law is valid on."""
        return (0.0, 1.0)

    def strains(self, x: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(ε_a(x), ε_c(x))."""
        xv = _check_range("linear", x, 0.0, 1.0, clip_all=False)
        dx = xv - self.x_ref
        return np.asarray(self.eps_a_per_x * dx), np.asarray(self.eps_c_per_x * dx)

    def derivatives(self, x: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(dε_a/dx, dε_c/dx)."""
        xv = _check_range("linear", x, 0.0, 1.0, clip_all=False)
        return np.full(xv.shape, self.eps_a_per_x), np.full(xv.shape, self.eps_c_per_x)

    def volume_strain(self, x: ArrayLike) -> NDArray[np.float64]:
        """Volumetric strain (1 + ε_a)²(1 + ε_c) − 1."""
        return volume_strain(*self.strains(x))

    def describe(self) -> str:
        """One line for `polycat materials`."""
        return (
            f"linear eps_a = {self.eps_a_per_x:g} (x - {self.x_ref:g}), "
            f"eps_c = {self.eps_c_per_x:g} (x - {self.x_ref:g}), x in [0, 1]"
        )
