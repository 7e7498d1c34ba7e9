"""The materials library as plain data (``polycat materials --json``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from polycat.materials.sources import EVIDENCE_LEVELS
from polycat.materials.types import CathodeMaterial, ElectrolyteMaterial

__all__ = ["cathode_dict", "electrolyte_dict", "library_dict"]

SCHEMA_VERSION = 1


def _law_dict(law: object) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": type(law).__name__}
    for name in ("x_ref", "eps_a_per_x", "eps_c_per_x"):
        if hasattr(law, name):
            out[name] = float(getattr(law, name))
    for name in ("x", "eps_a", "eps_c", "U_V"):
        if hasattr(law, name):
            out[name] = [float(v) for v in getattr(law, name)]
    if hasattr(law, "x_range"):
        out["x_range"] = [float(v) for v in law.x_range]
    const = getattr(law, "constant_value", None)
    if const is not None:
        out["D_m2_s"] = float(const)
    describe = getattr(law, "describe", None)
    if callable(describe):
        out["summary"] = str(describe())
    return out


def _entry(value: Any, source: Any) -> dict[str, Any]:
    return {"value": value, "source": source.to_dict()}


def _num(v: float | None) -> float | None:
    return None if v is None else float(v)


def _kinetics_dict(law: Any) -> dict[str, Any]:
    return {
        "model": "butler_volmer",
        "i0_A_m2": float(law.i0_A_m2),
        "alpha_a": float(law.alpha_a),
        "alpha_c": float(law.alpha_c),
        "i0_x_dependence": law.x_dependence,
    }


def cathode_dict(m: CathodeMaterial) -> dict[str, Any]:
    """Every field of a cathode with its source and evidence level."""
    el = m.elasticity.to_dict()
    values: dict[str, Any] = {
        "elasticity": el,
        "lattice_strain": _law_dict(m.lattice_strain),
        "diffusivity": _law_dict(m.diffusivity),
        "c_max_mol_m3": float(m.c_max_mol_m3),
        "x_window": [float(v) for v in m.x_window],
        "gb_strength_MPa": float(m.gb_strength_MPa),
        "fracture_toughness_MPa_sqrt_m": _num(m.fracture_toughness_MPa_sqrt_m),
        "gb_fracture_energy_J_m2": _num(m.gb_fracture_energy_J_m2),
        "ocv": None if m.ocv is None else _law_dict(m.ocv),
        "diffusion_anisotropy": _num(m.diffusion_anisotropy),
        "kinetics": None if m.kinetics is None else _kinetics_dict(m.kinetics),
    }
    fields = {k: _entry(values[k], m.sources[k]) for k in m.sources}
    if m.gb_fracture_energy_vs_x is not None:
        fields["gb_fracture_energy_J_m2"]["x_dependence"] = m.gb_fracture_energy_vs_x.to_dict()
    return {
        "kind": "cathode",
        "name": m.name,
        "formula": m.formula,
        "notes": m.notes,
        "cohesive_zone_length_um": cohesive_length_um(m),
        "fields": fields,
    }


def electrolyte_dict(m: ElectrolyteMaterial) -> dict[str, Any]:
    """Every field of a solid electrolyte with its source and evidence level."""
    values = {
        "E_GPa": float(m.E_GPa),
        "nu": float(m.nu),
        "adhesion_strength_MPa": float(m.adhesion_strength_MPa),
        "fracture_toughness_MPa_sqrt_m": _num(m.fracture_toughness_MPa_sqrt_m),
        "interface_fracture_energy_J_m2": _num(m.interface_fracture_energy_J_m2),
    }
    return {
        "kind": "electrolyte",
        "name": m.name,
        "formula": m.formula,
        "state": m.state,
        "notes": m.notes,
        "fields": {k: _entry(values[k], m.sources[k]) for k in m.sources},
    }


def plane_strain_modulus_GPa(m: CathodeMaterial) -> float:
    """E' = E/(1 - nu^2) of the grain (Hill average for an anisotropic tensor)."""
    el = m.elasticity
    if el.is_isotropic:
        E, nu = el.E_GPa, el.nu  # type: ignore[union-attr]
    else:
        vrh = el.vrh_moduli_GPa()  # type: ignore[union-attr]
        E, nu = vrh["E_H"], vrh["nu_H"]
    return float(E / (1.0 - nu**2))


def cohesive_length_um(m: CathodeMaterial) -> float | None:
    """GB cohesive-zone length l_cz = E' G_c / sigma_c^2 (µm), None without G_c."""
    if m.gb_fracture_energy_J_m2 is None:
        return None
    l_m = (
        plane_strain_modulus_GPa(m)
        * 1e9
        * m.gb_fracture_energy_J_m2
        / (m.gb_strength_MPa * 1e6) ** 2
    )
    return float(l_m * 1e6)


def library_dict(
    cathodes: Iterable[CathodeMaterial],
    electrolytes: Iterable[ElectrolyteMaterial],
    aliases: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The whole library: every value with its source and evidence level."""
    return {
        "schema_version": SCHEMA_VERSION,
        "units": {
            "moduli": "GPa",
            "strength": "MPa",
            "toughness": "MPa m^0.5",
            "fracture_energy": "J/m^2",
            "concentration": "mol/m^3",
            "diffusivity": "m^2/s",
            "x": "Li fraction c/c_max",
        },
        "evidence_levels": dict(EVIDENCE_LEVELS),
        "cathodes": [cathode_dict(m) for m in cathodes],
        "electrolytes": [electrolyte_dict(m) for m in electrolytes],
        "aliases": dict(aliases or {}),
    }
