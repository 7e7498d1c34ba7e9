"""From the validated config to the library's material objects (no FEniCSx)."""

from __future__ import annotations

from polycat.config.schema import (
    AnisotropicElasticityConfig,
    CathodeConfig,
    ElectrolyteConfig,
    RunConfig,
    TableLatticeStrainConfig,
)
from polycat.materials import (
    CATHODE_SOURCE_KEYS,
    ELECTROLYTE_SOURCE_KEYS,
    USER_SUPPLIED,
    CathodeMaterial,
    ConstantDiffusivity,
    ElectrolyteMaterial,
    IsotropicElasticity,
    LinearLatticeStrain,
    TabulatedLatticeStrain,
    TrigonalElasticity,
    get_cathode,
    get_electrolyte,
)


def cathode_material(cfg: RunConfig) -> CathodeMaterial:
    """The cathode of `cfg`: a built-in by name, or the inline definition."""
    spec = cfg.materials.cathode
    if not isinstance(spec, CathodeConfig):
        return get_cathode(spec)
    el = spec.elasticity
    elasticity: IsotropicElasticity | TrigonalElasticity
    if isinstance(el, AnisotropicElasticityConfig):
        c = el.C_GPa
        elasticity = TrigonalElasticity(c.C11, c.C12, c.C13, c.C14, c.C33, c.C44, USER_SUPPLIED)
    else:
        elasticity = IsotropicElasticity(el.E_GPa, el.nu, USER_SUPPLIED)
    lat = spec.lattice_strain
    lattice: LinearLatticeStrain | TabulatedLatticeStrain
    if isinstance(lat, TableLatticeStrainConfig):
        rows = lat.table
        lattice = TabulatedLatticeStrain(
            tuple(r[0] for r in rows),
            tuple(r[1] for r in rows),
            tuple(r[2] for r in rows),
            spec.x_ref,
            USER_SUPPLIED,
        )
    else:
        lattice = LinearLatticeStrain(lat.eps_a_per_x, lat.eps_c_per_x, spec.x_ref, USER_SUPPLIED)
    return CathodeMaterial(
        name=spec.name,
        formula=spec.name,
        elasticity=elasticity,
        lattice_strain=lattice,
        diffusivity=ConstantDiffusivity(spec.diffusivity_m2_s, USER_SUPPLIED),
        c_max_mol_m3=spec.c_max_mol_m3,
        x_window=spec.x_window,
        gb_strength_MPa=spec.gb_strength_MPa,
        fracture_toughness_MPa_sqrt_m=None,
        sources=dict.fromkeys(CATHODE_SOURCE_KEYS, USER_SUPPLIED),
        notes="defined inline in the run config",
    )


def electrolyte_material(cfg: RunConfig) -> ElectrolyteMaterial | None:
    """The solid electrolyte of `cfg`, or None for a free particle (matrix none)."""
    if cfg.geometry.matrix == "none":
        return None
    spec = cfg.materials.electrolyte
    if not isinstance(spec, ElectrolyteConfig):
        return get_electrolyte(spec)
    return ElectrolyteMaterial(
        name=spec.name,
        formula=spec.name,
        E_GPa=spec.E_GPa,
        nu=spec.nu,
        adhesion_strength_MPa=spec.adhesion_strength_MPa,
        fracture_toughness_MPa_sqrt_m=None,
        sources=dict.fromkeys(ELECTROLYTE_SOURCE_KEYS, USER_SUPPLIED),
        notes="defined inline in the run config",
    )
