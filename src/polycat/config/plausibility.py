"""Plausibility ranges of the physical fields of a run config.

The schema accepts any positive modulus; this table catches a value given in the wrong
unit (a modulus in Pa, a temperature in °C, a diffusivity in cm²/s), which would run
without a word and give a wrong answer. Every range is wide — orders of magnitude around
what the literature reports for cathode active materials and solid electrolytes
(docs/physics.md) — so a value outside it is a unit slip far more often than a real
material. A value outside its range is a :class:`~polycat.errors.ConfigError` naming the
field, the range and the unit the field expects, unless the field path is listed in the
config's ``allow_outside_range``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["RANGES", "PlausibleRange", "check_plausible", "outside_range"]


@dataclass(frozen=True)
class PlausibleRange:
    """The plausible values of one field.

    Attributes:
        lo, hi: the range (inclusive), in the field's unit.
        unit: the unit the field expects (as the field name says).
        what: what the field is, for messages.
        basis: what the range rests on (literature values, docs/physics.md).
        hint: the commonest unit slip, spelt out (e.g. ``140 GPa = 1.4e11 Pa``).
    """

    lo: float
    hi: float
    unit: str
    what: str
    basis: str
    hint: str

    def describe(self) -> str:
        """``[lo, hi] unit``."""
        return f"[{self.lo:g}, {self.hi:g}] {self.unit}".rstrip()


_E_CAM = PlausibleRange(
    20.0, 500.0, "GPa", "Young's modulus of the cathode grains",
    "layered oxides 80-250 GPa (nanoindentation, micro-tensile, DFT)", "140 GPa = 1.4e11 Pa",
)  # fmt: skip
_NU = PlausibleRange(
    0.1, 0.499, "", "Poisson ratio", "oxides and sulfides 0.2-0.4; polymers up to 0.49",
    "a ratio, not per cent",
)  # fmt: skip
_C_NORMAL = PlausibleRange(
    20.0, 800.0, "GPa", "single-crystal normal stiffness (C11, C33)",
    "layered oxides 150-450 GPa (DFT)", "351 GPa = 3.51e11 Pa",
)  # fmt: skip
_C_OFF = PlausibleRange(
    -100.0, 400.0, "GPa", "single-crystal off-diagonal stiffness (C12, C13)",
    "layered oxides 50-150 GPa (DFT)", "106 GPa = 1.06e11 Pa",
)  # fmt: skip
_C14 = PlausibleRange(
    -100.0, 100.0, "GPa", "single-crystal stiffness C14", "trigonal layered oxides |C14| < 20 GPa",
    "-9 GPa = -9e9 Pa",
)  # fmt: skip
_C44 = PlausibleRange(
    2.0, 300.0, "GPa", "single-crystal shear stiffness C44", "layered oxides 20-100 GPa (DFT)",
    "54 GPa = 5.4e10 Pa",
)  # fmt: skip
_EPS_PER_X = PlausibleRange(
    -0.2, 0.2, "per unit x", "lattice strain per unit Li fraction",
    "NCM: |d eps/dx| 0.01-0.05 (operando XRD)", "a strain, not per cent: 2 % = 0.02",
)  # fmt: skip
_EPS = PlausibleRange(
    -0.2, 0.2, "", "lattice strain (table column)",
    "NCM811: eps_a down to -2.05 %, eps_c +2.05 % to -1.3 % (Märker 2019)",
    "a strain, not per cent: -2 % = -0.02",
)  # fmt: skip
_D = PlausibleRange(
    1e-20, 1e-12, "m²/s", "Li diffusivity of the cathode",
    "layered oxides 1e-17 to 1e-13 m²/s (GITT, EIS)", "1e-10 cm²/s = 1e-14 m²/s",
)  # fmt: skip
_C_MAX = PlausibleRange(
    5e3, 2e5, "mol/m³", "Li site density c_max",
    "NCM811 49 195 mol/m³ (crystallographic); LFP 22 800; LCO ~51 000",
    "49.2 mol/L = 49 200 mol/m³",
)  # fmt: skip
_STRENGTH = PlausibleRange(
    1.0, 1e4, "MPa", "grain-boundary strength",
    "NMC811 grain boundaries 562-840 MPa (micro-tensile); particle crush ~200 MPa",
    "700 MPa = 7e8 Pa = 0.7 GPa",
)  # fmt: skip
_E_SE = PlausibleRange(
    1e-3, 500.0, "GPa", "Young's modulus of the solid electrolyte",
    "polymers 0.001-1, sulfides 5-30, oxides 100-200 GPa", "22.1 GPa = 2.21e10 Pa",
)  # fmt: skip
_ADHESION = PlausibleRange(
    0.01, 1e4, "MPa", "CAM-SE adhesion strength",
    "no measured value; cohesive-zone models use 1-1000 MPa", "100 MPa = 1e8 Pa",
)  # fmt: skip

_ENERGY = PlausibleRange(
    1e-3, 100.0, "J/m²", "interface fracture energy",
    "NMC811 grain boundaries ~0.5 J/m²; CAM-SE interfaces 0.8-2.4 J/m² (DFT); SE bulk 1-6 J/m²",
    "0.5 J/m² = 0.5 N/m = 5e-4 N/mm",
)  # fmt: skip
_PENALTY = PlausibleRange(
    1e-2, 1e8, "GPa/µm", "cohesive (penalty) stiffness",
    "50 E/h: 1e3-1e6 GPa/µm for E = 20-200 GPa and h = 0.01-1 µm", "1e5 GPa/µm = 1e20 Pa/m",
)  # fmt: skip

RANGES: dict[str, PlausibleRange] = {
    "geometry.particle_radius_um": PlausibleRange(
        0.05, 100.0, "µm", "particle radius",
        "primary grains 0.1-2 µm, secondary particles 1-20 µm in radius", "5 µm = 5e-6 m",
    ),
    "materials.cathode.elasticity.E_GPa": _E_CAM,
    "materials.cathode.elasticity.nu": _NU,
    "materials.cathode.elasticity.C_GPa.C11": _C_NORMAL,
    "materials.cathode.elasticity.C_GPa.C33": _C_NORMAL,
    "materials.cathode.elasticity.C_GPa.C12": _C_OFF,
    "materials.cathode.elasticity.C_GPa.C13": _C_OFF,
    "materials.cathode.elasticity.C_GPa.C14": _C14,
    "materials.cathode.elasticity.C_GPa.C44": _C44,
    "materials.cathode.lattice_strain.eps_a_per_x": _EPS_PER_X,
    "materials.cathode.lattice_strain.eps_c_per_x": _EPS_PER_X,
    "materials.cathode.lattice_strain.table": _EPS,
    "materials.cathode.diffusivity_m2_s": _D,
    "materials.cathode.diffusivity.D_ab_m2_s": _D,
    "materials.cathode.diffusivity.D_c_m2_s": _D,
    "materials.cathode.c_max_mol_m3": _C_MAX,
    "materials.cathode.gb_strength_MPa": _STRENGTH,
    "materials.electrolyte.E_GPa": _E_SE,
    "materials.electrolyte.nu": _NU,
    "materials.electrolyte.adhesion_strength_MPa": _ADHESION,
    "mechanics.temperature_K": PlausibleRange(
        200.0, 450.0, "K", "temperature", "cells operate at -40 to 150 °C (233-423 K)",
        "25 °C = 298.15 K",
    ),
    "mechanics.stack_pressure_MPa": PlausibleRange(
        0.0, 600.0, "MPa", "stack pressure",
        "cells run at 0.1-100 MPa; pellets are pressed at up to ~500 MPa", "10 MPa = 1e7 Pa",
    ),
    "readers.gb_strength_MPa": _STRENGTH,
    "readers.gb_shear_strength_MPa": PlausibleRange(
        1.0, 1e4, "MPa", "grain-boundary shear strength", "of the order of the tensile strength",
        "400 MPa = 4e8 Pa",
    ),
    "readers.adhesion_strength_MPa": _ADHESION,
    **{
        f"interfaces.{cls}.{key}": rng
        for cls, strength in (("grain_boundary", _STRENGTH), ("cathode_electrolyte", _ADHESION))
        for key, rng in (
            ("strength_MPa", strength),
            ("shear_strength_MPa", strength),
            ("fracture_energy_J_m2", _ENERGY),
            ("initial_stiffness_GPa_per_um", _PENALTY),
            ("contact_stiffness_GPa_per_um", _PENALTY),
        )
    },
}  # fmt: skip
"""Field path → plausible range. ``…lattice_strain.table`` checks the strain columns of
every row (the x column is a Li fraction, checked by the schema)."""


def _get(data: Any, path: str) -> Any:
    node = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _values(data: Mapping[str, Any], path: str) -> Iterator[tuple[str, float]]:
    """(field path as shown, value) of ``path`` in the config mapping (none if unset)."""
    value = _get(data, path)
    if value is None or isinstance(value, bool):
        return
    if path.endswith(".table"):
        for i, row in enumerate(value):
            for j, name in ((1, "eps_a"), (2, "eps_c")):
                yield f"{path}[{i}][{j}] ({name})", float(row[j])
    elif isinstance(value, int | float):
        yield path, float(value)


def outside_range(data: Mapping[str, Any]) -> list[tuple[str, str, float, PlausibleRange]]:
    """Every (range key, field as shown, value, range) of ``data`` (a config mapping, as
    dumped from a validated RunConfig) that lies outside its plausible range."""
    out = []
    for key, rng in RANGES.items():
        for shown, value in _values(data, key):
            if not rng.lo <= value <= rng.hi:
                out.append((key, shown, value, rng))
    return out


def check_plausible(data: Mapping[str, Any], allowed: list[str] | tuple[str, ...]) -> list[str]:
    """The problems of ``data``: values outside their range (fields not in ``allowed``)
    and entries of ``allowed`` that name no field with a range. One line each."""
    problems: list[str] = []
    for entry in allowed:
        if entry not in RANGES:
            import difflib

            close = difflib.get_close_matches(entry, list(RANGES), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                f"allow_outside_range: {entry!r} is not a field with a plausibility range{hint} "
                f"Fields with a range: {', '.join(RANGES)}"
            )
    for key, shown, value, rng in outside_range(data):
        if key in allowed:
            continue
        problems.append(
            f"{shown}: {value:g} {rng.unit} is outside the plausible range {rng.describe()} of "
            f"a {rng.what} ({rng.basis}); the field is in {rng.unit or 'plain numbers'} "
            f"({rng.hint}). If the value is meant, add {key!r} to allow_outside_range"
        )
    return problems
