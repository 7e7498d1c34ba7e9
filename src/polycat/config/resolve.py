"""The one converter from the validated config to the frozen run plan (no FEniCSx).

:func:`resolve` turns a :class:`~polycat.config.schema.RunConfig` into a
:class:`~polycat.config.plan.RunPlan`; material-dependent defaults (strengths, x window)
are filled here, so nothing below the config layer sees pydantic or applies a default.
"""

from __future__ import annotations

import json
from pathlib import Path

from polycat.config.loading import defaulted_fields, dump_config
from polycat.config.plan import (
    LoadingSpec,
    LoopSpec,
    MechanicsSpec,
    OrientationSpec,
    OutputSpec,
    ReaderCriteria,
    RunPlan,
)
from polycat.config.schema import (
    AnisotropicElasticityConfig,
    CathodeConfig,
    ElectrolyteConfig,
    RunConfig,
    TableLatticeStrainConfig,
)
from polycat.digest import stable_digest
from polycat.fem.settings import MechanicsBC, SolverSettings
from polycat.geometry.spec import GeometrySpec
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


def _vector3(v: tuple[float, ...]) -> tuple[float, float, float]:
    a, b, c = (float(x) for x in v)
    return (a, b, c)


def config_digest(cfg: RunConfig) -> str:
    """Hash of everything in a config that changes the answer (all but ``output``)."""
    data = cfg.model_dump(mode="json")
    data.pop("output", None)
    data.pop("allow_outside_range", None)  # permits values, never changes the answer
    return stable_digest(data, 16)


def resolve(cfg: RunConfig) -> RunPlan:
    """The run plan of a validated config (x window defaults already filled by
    :func:`polycat.config.loading.validate_config`)."""
    cathode = cathode_material(cfg)
    electrolyte = electrolyte_material(cfg)
    ld, mech, s, rd, out = cfg.loading, cfg.mechanics, cfg.solver, cfg.readers, cfg.output
    if ld.x_start is None or ld.x_end is None or ld.report_soc is None:
        raise ValueError("resolve() needs a config from validate_config (x window filled)")
    o = cfg.orientation
    return RunPlan(
        geometry=GeometrySpec(**cfg.geometry.model_dump()),
        orientation=OrientationSpec(
            texture=o.texture,
            seed=o.seed,
            axis=o.axis if isinstance(o.axis, str) else _vector3(o.axis),
            spread_deg=o.spread_deg,
            euler_deg=_vector3(o.euler_deg),
        ),
        cathode=cathode,
        electrolyte=electrolyte,
        loading=LoadingSpec(
            mode=ld.mode,
            c_rate=ld.c_rate,
            x_start=ld.x_start,
            x_end=ld.x_end,
            report_soc=tuple(ld.report_soc),
            x_window=cathode.x_window,
        ),
        mechanics=MechanicsSpec(
            bc=MechanicsBC(mech.boundary, mech.stack_pressure_MPa),
            element_degree=mech.element_degree,
            temperature_K=mech.temperature_K,
        ),
        coupling=cfg.coupling,
        solver=SolverSettings(
            element_degree=mech.element_degree,
            ksp_rtol=s.ksp_rtol,
            p_multigrid=s.p_multigrid,
            projection_size=s.projection_size,
            jacobian_lag_contraction=s.jacobian_lag_contraction,
            coupling_tol=s.two_way_tol,
            coupling_max_it=s.two_way_max_iter,
            mechanics_options=dict(s.petsc_mechanics),
            diffusion_options=dict(s.petsc_diffusion),
        ),
        loop=LoopSpec(
            steps_per_report=s.steps_per_report,
            max_dt_s=s.max_dt_s,
            max_step_cuts=s.max_step_cuts,
            checkpoint=s.checkpoint,
        ),
        readers=ReaderCriteria(
            gb_strength_MPa=rd.gb_strength_MPa or cathode.gb_strength_MPa,
            gb_shear_strength_MPa=rd.gb_shear_strength_MPa,
            adhesion_strength_MPa=(rd.adhesion_strength_MPa or electrolyte.adhesion_strength_MPa)
            if electrolyte is not None
            else None,
            profile_bins=rd.profile_bins,
        ),
        output=OutputSpec(
            dir=Path(out.dir), mesh_dir=Path(out.mesh_dir), fields=out.fields, plots=out.plots
        ),
        digest=config_digest(cfg),
        config_json=json.dumps(cfg.model_dump(mode="json")),
        config_yaml=dump_config(cfg),
        defaulted=defaulted_fields(cfg),
    )
