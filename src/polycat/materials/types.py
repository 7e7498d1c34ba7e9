"""Types of the materials library (all re-exported from :mod:`polycat.materials`).

Units: moduli GPa, strengths MPa, toughness MPa·m^0.5, concentration mol/m³,
diffusivity m²/s, Li fraction x = c / c_max (dimensionless).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from polycat.materials.diffusivity import ConstantDiffusivity, ORegan2022Diffusivity
from polycat.materials.elasticity import IsotropicElasticity, TrigonalElasticity
from polycat.materials.lattice import (
    RANGE_TOL,
    LinearLatticeStrain,
    TabulatedLatticeStrain,
    volume_strain,
)
from polycat.materials.sources import EVIDENCE_LEVELS, NOT_SET, USER_SUPPLIED, Source
from polycat.materials.xdependence import XDependence

__all__ = [
    "CATHODE_SOURCE_KEYS",
    "ELECTROLYTE_SOURCE_KEYS",
    "EVIDENCE_LEVELS",
    "NOT_SET",
    "USER_SUPPLIED",
    "CathodeMaterial",
    "ConstantDiffusivity",
    "DiffusivityLaw",
    "ElectrolyteMaterial",
    "FrozenSources",
    "IsotropicElasticity",
    "LatticeStrainLaw",
    "LinearLatticeStrain",
    "ORegan2022Diffusivity",
    "Source",
    "TabulatedLatticeStrain",
    "TrigonalElasticity",
    "XDependence",
    "volume_strain",
]


@runtime_checkable
class LatticeStrainLaw(Protocol):
    """Crystal-frame eigenstrain ``(eps_a, eps_c)`` of x, zero at ``x_ref``."""

    @property
    def x_ref(self) -> float:
        """The Li fraction of the stress-free lattice."""
        ...

    @property
    def x_range(self) -> tuple[float, float]:
        """The x range the law is valid on."""
        ...

    def strains(self, x: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(ε_a(x), ε_c(x)), dimensionless."""
        ...

    def derivatives(self, x: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """(dε_a/dx, dε_c/dx)."""
        ...


@runtime_checkable
class DiffusivityLaw(Protocol):
    """``D(x)`` in m²/s; ``xp`` provides ``exp`` (numpy or ufl)."""

    def __call__(self, x: Any, xp: ModuleType | Any = ...) -> Any:
        """D(x) in m²/s for numpy or UFL input."""
        ...

    @property
    def constant_value(self) -> float | None:
        """D in m²/s when it does not depend on x, else None."""
        ...


CATHODE_SOURCE_KEYS = (
    "elasticity",
    "lattice_strain",
    "diffusivity",
    "c_max_mol_m3",
    "x_window",
    "gb_strength_MPa",
    "fracture_toughness_MPa_sqrt_m",
    "gb_fracture_energy_J_m2",
    "ocv",
    "diffusion_anisotropy",
    "kinetics",
)
"""Keys of a :class:`CathodeMaterial` ``sources`` mapping (one per field)."""

ELECTROLYTE_SOURCE_KEYS = (
    "E_GPa",
    "nu",
    "adhesion_strength_MPa",
    "fracture_toughness_MPa_sqrt_m",
    "interface_fracture_energy_J_m2",
)
"""Keys of an :class:`ElectrolyteMaterial` ``sources`` mapping (one per field)."""

_OPTIONAL_SOURCE_KEYS = (
    "gb_fracture_energy_J_m2",
    "interface_fracture_energy_J_m2",
    "ocv",
    "diffusion_anisotropy",
    "kinetics",
)
"""Keys added after the first release: a mapping without them gets :data:`NOT_SET`."""


def _number(cls: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{cls}.{name}: must be a number, got {value!r}")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{cls}.{name}: must be finite, got {value!r}")
    return out


def _positive(cls: str, name: str, value: object, unit: str) -> float:
    out = _number(cls, name, value)
    if out <= 0.0:
        raise ValueError(f"{cls}.{name}: must be > 0 {unit}, got {out}")
    return out


def _check_positive(obj: object, name: str, unit: str, optional: bool = False) -> None:
    """Replace field `name` of frozen dataclass `obj` by its validated positive float
    (None is kept when `optional`)."""
    value = getattr(obj, name)
    if optional and value is None:
        return
    object.__setattr__(obj, name, _positive(type(obj).__name__, name, value, unit))


def _name(cls: str, attr: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{cls}.{attr}: must be a non-empty string, got {value!r}")
    return value


class FrozenSources(Mapping[str, Source]):
    """Read-only, hashable and picklable mapping field name -> :class:`Source`."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Source]) -> None:
        self._data = dict(data)

    def __getitem__(self, key: str) -> Source:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))

    def __repr__(self) -> str:
        return f"FrozenSources({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenSources], tuple[dict[str, Source]]]:
        return (FrozenSources, (self._data,))


def _sources(cls: str, value: object, required: tuple[str, ...]) -> Mapping[str, Source]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{cls}.sources: must be a mapping field name -> Source")
    value = {**{k: NOT_SET for k in required if k in _OPTIONAL_SOURCE_KEYS}, **value}
    missing = [k for k in required if k not in value]
    unknown = sorted(str(k) for k in value if k not in required)
    if missing or unknown:
        raise ValueError(
            f"{cls}.sources: needs exactly one Source per field {list(required)}; "
            f"missing {missing}, unknown {unknown}"
        )
    for k in required:
        if not isinstance(value[k], Source):
            raise ValueError(
                f"{cls}.sources[{k!r}]: must be a Source, got {type(value[k]).__name__}"
            )
    return FrozenSources({k: value[k] for k in required})


def _check_x_dependence(cls: str, dep: object, quantity: str) -> None:
    if dep is None:
        return
    if not isinstance(dep, XDependence) or dep.quantity != quantity:
        raise ValueError(
            f"{cls}.{quantity.removesuffix('_J_m2')}_vs_x: must be None or an XDependence "
            f"with quantity {quantity!r}"
        )


def _unset_sources(
    obj: object, sources: Mapping[str, Source], keys: tuple[str, ...]
) -> Mapping[str, Source]:
    """A field that holds no value (None) keeps no user-supplied source: it is NOT_SET."""
    fixed = dict(sources)
    for key in keys:
        if key in fixed and getattr(obj, key) is None and fixed[key] is USER_SUPPLIED:
            fixed[key] = NOT_SET
    return FrozenSources(fixed)


@dataclass(frozen=True, slots=True)
class CathodeMaterial:
    """A cathode active material: everything the solver needs about the grains.

    ``x_window = (x_min, x_max)`` is the practical Li-fraction window (the default
    loading range: charge runs from ``x_max`` to ``x_min``); it must lie inside the
    lattice-strain law's ``x_range``. ``sources`` has one :class:`Source` per field named
    in :data:`CATHODE_SOURCE_KEYS`.
    """

    name: str
    formula: str
    elasticity: IsotropicElasticity | TrigonalElasticity
    lattice_strain: LatticeStrainLaw
    diffusivity: DiffusivityLaw
    c_max_mol_m3: float
    x_window: tuple[float, float]
    gb_strength_MPa: float
    fracture_toughness_MPa_sqrt_m: float | None
    sources: Mapping[str, Source]
    notes: str = ""
    gb_fracture_energy_J_m2: float | None = None
    gb_fracture_energy_vs_x: XDependence | None = None
    ocv: Any = None
    """Open-circuit potential U(x) (:mod:`polycat.materials.ocv`), or None (unknown: the
    two-way coupling then needs the dilute-solution drift, stated in the config)."""
    diffusion_anisotropy: float | None = None
    """D_c/D_ab of the crystal (Li moves in the ab-planes of a layered host): the grains
    then get the tensor D(x) R diag(k_ab, k_ab, k_c) Rᵀ whose orientation average tr/3 is
    ``diffusivity`` (k_ab = 3/(2 + r), k_c = r k_ab); None: isotropic."""
    kinetics: Any = None
    """The default charge-transfer kinetics at the electrolyte interface
    (:class:`~polycat.materials.kinetics.ButlerVolmer`; ``kinetics: butler_volmer`` without
    an ``i0_A_m2`` uses its exchange current), or None (the config must give one)."""

    def __post_init__(self) -> None:
        cls = "CathodeMaterial"
        _name(cls, "name", self.name)
        _name(cls, "formula", self.formula)
        if not isinstance(self.elasticity, IsotropicElasticity | TrigonalElasticity):
            raise ValueError(
                f"{cls}.elasticity: must be IsotropicElasticity or TrigonalElasticity, got "
                f"{type(self.elasticity).__name__}"
            )
        if not isinstance(self.lattice_strain, LatticeStrainLaw):
            raise ValueError(
                f"{cls}.lattice_strain: must provide x_ref, x_range, strains(x) and "
                f"derivatives(x) (e.g. TabulatedLatticeStrain), got "
                f"{type(self.lattice_strain).__name__}"
            )
        if not isinstance(self.diffusivity, DiffusivityLaw):
            raise ValueError(
                f"{cls}.diffusivity: must be callable as D(x, xp) with a constant_value "
                f"property (e.g. ConstantDiffusivity), got {type(self.diffusivity).__name__}"
            )
        _check_positive(self, "c_max_mol_m3", "mol/m³")
        _check_positive(self, "gb_strength_MPa", "MPa")
        _check_positive(self, "fracture_toughness_MPa_sqrt_m", "MPa·m^0.5", optional=True)
        _check_positive(self, "gb_fracture_energy_J_m2", "J/m²", optional=True)
        _check_x_dependence(cls, self.gb_fracture_energy_vs_x, "gb_fracture_energy_J_m2")
        if self.ocv is not None and not (callable(self.ocv) and hasattr(self.ocv, "derivative")):
            raise ValueError(
                f"{cls}.ocv: must be an OCV law U(x) with derivative(x) (polycat.materials.ocv)"
            )
        if self.kinetics is not None and not hasattr(self.kinetics, "overpotential"):
            raise ValueError(
                f"{cls}.kinetics: must be a kinetics law such as "
                "polycat.materials.kinetics.ButlerVolmer"
            )
        if self.diffusion_anisotropy is not None:
            r = _positive(cls, "diffusion_anisotropy", self.diffusion_anisotropy, "(D_c/D_ab)")
            if not 1e-6 <= r <= 1e3:
                raise ValueError(
                    f"{cls}.diffusion_anisotropy: D_c/D_ab = {r:g} is outside [1e-6, 1e3]"
                )
            object.__setattr__(self, "diffusion_anisotropy", r)
        try:
            x_min, x_max = self.x_window
        except (TypeError, ValueError):
            raise ValueError(
                f"{cls}.x_window: must be a pair (x_min, x_max), got {self.x_window!r}"
            ) from None
        x_min = _number(cls, "x_window", x_min)
        x_max = _number(cls, "x_window", x_max)
        lo, hi = self.lattice_strain.x_range
        if not (0.0 <= x_min < x_max <= 1.0):
            raise ValueError(
                f"{cls}.x_window: need 0 <= x_min < x_max <= 1, got ({x_min}, {x_max})"
            )
        if x_min < lo - RANGE_TOL or x_max > hi + RANGE_TOL:
            raise ValueError(
                f"{cls}.x_window: ({x_min}, {x_max}) must lie inside the lattice-strain "
                f"law's range [{lo:.6g}, {hi:.6g}]"
            )
        object.__setattr__(self, "x_window", (x_min, x_max))
        sources = _sources(cls, self.sources, CATHODE_SOURCE_KEYS)
        object.__setattr__(self, "sources", _unset_sources(self, sources, _OPTIONAL_SOURCE_KEYS))
        if not isinstance(self.notes, str):
            raise ValueError(f"{cls}.notes: must be a string")

    @property
    def is_estimate(self) -> dict[str, bool]:
        """Which fields rest on estimates (``Source.estimate``)."""
        return {k: s.estimate for k, s in self.sources.items()}

    @property
    def evidence(self) -> dict[str, str]:
        """Evidence level of every field (see :data:`EVIDENCE_LEVELS`)."""
        return {k: s.evidence_level for k, s in self.sources.items()}

    def eigenstrain(self, x: ArrayLike) -> NDArray[np.float64]:
        """Crystal-frame eigenstrain tensors ``diag(eps_a, eps_a, eps_c)``, shape (..., 3, 3)."""
        ea, ec = self.lattice_strain.strains(x)
        out = np.zeros((*np.shape(ea), 3, 3))
        out[..., 0, 0] = ea
        out[..., 1, 1] = ea
        out[..., 2, 2] = ec
        return out


@dataclass(frozen=True, slots=True)
class ElectrolyteMaterial:
    """An isotropic solid electrolyte (matrix) with the CAM–SE adhesion strength.

    ``adhesion_strength_MPa`` is the tensile normal traction at which the CAM–SE
    interface is taken to open (delamination risk = t_n / adhesion strength).
    """

    name: str
    formula: str
    E_GPa: float
    nu: float
    adhesion_strength_MPa: float
    fracture_toughness_MPa_sqrt_m: float | None
    sources: Mapping[str, Source]
    notes: str = ""
    interface_fracture_energy_J_m2: float | None = None
    state: str = ""

    def __post_init__(self) -> None:
        cls = "ElectrolyteMaterial"
        _name(cls, "name", self.name)
        _name(cls, "formula", self.formula)
        object.__setattr__(self, "E_GPa", _positive(cls, "E_GPa", self.E_GPa, "GPa"))
        nu = _number(cls, "nu", self.nu)
        if not -1.0 < nu < 0.5:
            raise ValueError(f"{cls}.nu: must lie in (-1, 0.5), got {nu}")
        object.__setattr__(self, "nu", nu)
        _check_positive(self, "adhesion_strength_MPa", "MPa")
        _check_positive(self, "fracture_toughness_MPa_sqrt_m", "MPa·m^0.5", optional=True)
        _check_positive(self, "interface_fracture_energy_J_m2", "J/m²", optional=True)
        sources = _sources(cls, self.sources, ELECTROLYTE_SOURCE_KEYS)
        object.__setattr__(self, "sources", _unset_sources(self, sources, _OPTIONAL_SOURCE_KEYS))
        if not isinstance(self.notes, str) or not isinstance(self.state, str):
            raise ValueError(f"{cls}.notes and {cls}.state: must be strings")

    @property
    def elasticity(self) -> IsotropicElasticity:
        """The isotropic stiffness as an :class:`IsotropicElasticity`."""
        return IsotropicElasticity(self.E_GPa, self.nu, self.sources["E_GPa"])

    @property
    def is_estimate(self) -> dict[str, bool]:
        """Field name → True where the value is an estimate."""
        return {k: s.estimate for k, s in self.sources.items()}

    @property
    def evidence(self) -> dict[str, str]:
        """Evidence level of every field (see :data:`EVIDENCE_LEVELS`)."""
        return {k: s.evidence_level for k, s in self.sources.items()}
