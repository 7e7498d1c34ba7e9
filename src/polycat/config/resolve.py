"""The one converter from the validated config to the frozen run plan (no FEniCSx).

:func:`resolve` turns a :class:`~polycat.config.schema.RunConfig` into a
:class:`~polycat.config.plan.RunPlan`; material-dependent defaults (strengths, x window)
are filled here, so nothing below the config layer sees pydantic or applies a default.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np

from polycat.config.combinations import GeometryFacts, combination_error
from polycat.config.geometry_spec import geometry_spec
from polycat.config.loading import defaulted_fields, dump_config
from polycat.config.plan import (
    HoldSpec,
    InterfacesSpec,
    KineticsSpec,
    LoadingSpec,
    LoopSpec,
    MechanicsSpec,
    OrientationSpec,
    OutputSpec,
    ReaderCriteria,
    RunPlan,
    StepSpec,
)
from polycat.config.schema import (
    AnisotropicElasticityConfig,
    CathodeConfig,
    CcStep,
    CvStep,
    ElectrolyteConfig,
    RestStep,
    RunConfig,
    TableLatticeStrainConfig,
)
from polycat.digest import stable_digest
from polycat.errors import ConfigError
from polycat.fem.interfaces.cohesive import CohesiveLaw
from polycat.fem.settings import MechanicsBC, SolverSettings
from polycat.geometry.file_spec import AnyGeometrySpec, FileGeometrySpec
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
from polycat.materials.kinetics import ButlerVolmer
from polycat.materials.ocv import TabulatedOcv


def cathode_material(cfg: RunConfig) -> CathodeMaterial:
    """The cathode of `cfg`: a built-in by name, or the inline definition, with the run's
    ``materials.diffusion_anisotropy`` applied."""
    cathode = _cathode_as_given(cfg)
    choice = cfg.materials.diffusion_anisotropy
    if choice is None:  # built-ins isotropic (opt-in), inline cathodes as written
        choice = "material" if isinstance(cfg.materials.cathode, CathodeConfig) else "isotropic"
    if choice == "material":
        return cathode
    ratio = None if choice == "isotropic" else float(choice)
    sources = {**cathode.sources, "diffusion_anisotropy": USER_SUPPLIED}
    return dataclasses.replace(cathode, diffusion_anisotropy=ratio, sources=sources)


def _check_cutoff(cathode: CathodeMaterial, mode: str, x_start: float, cutoff_V: float) -> None:
    """A cut-off needs an OCV, and the start must lie on the near side of it."""
    if cathode.ocv is None:
        raise ConfigError(
            f"loading.cutoff_V needs the open-circuit potential of the cathode ({cathode.name} "
            "has none): give materials.cathode.ocv {table: [[x, U_V], ...]} or drop cutoff_V"
        )
    U0 = float(cathode.ocv(x_start))
    if (mode == "charge" and cutoff_V <= U0) or (mode == "discharge" and cutoff_V >= U0):
        side = "above" if mode == "charge" else "below"
        raise ConfigError(
            f"loading.cutoff_V = {cutoff_V:g} V can never stop this {mode}: the start "
            f"(x = {x_start:g}) is already at U = {U0:.3f} V; a {mode} cut-off must lie "
            f"{side} it"
        )
    x_far = 0.0 if mode == "charge" else 1.0
    U_far = float(cathode.ocv(x_far))
    if (mode == "charge" and cutoff_V > U_far) or (mode == "discharge" and cutoff_V < U_far):
        raise ConfigError(
            f"loading.cutoff_V = {cutoff_V:g} V is never reached: the {cathode.name} "
            f"open-circuit potential only reaches {U_far:.3f} V at x = {x_far:g}"
        )


def _cathode_as_given(cfg: RunConfig) -> CathodeMaterial:
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
    ratio: float | None = None
    if spec.diffusivity is not None:  # D̄ = tr D/3, the orientation average
        d = spec.diffusivity
        D_mean, ratio = (2.0 * d.D_ab_m2_s + d.D_c_m2_s) / 3.0, d.D_c_m2_s / d.D_ab_m2_s
    else:
        assert spec.diffusivity_m2_s is not None
        D_mean = spec.diffusivity_m2_s
    return CathodeMaterial(
        name=spec.name,
        formula=spec.name,
        elasticity=elasticity,
        lattice_strain=lattice,
        diffusivity=ConstantDiffusivity(D_mean, USER_SUPPLIED),
        diffusion_anisotropy=ratio,
        c_max_mol_m3=spec.c_max_mol_m3,
        x_window=spec.x_window,
        gb_strength_MPa=spec.gb_strength_MPa,
        fracture_toughness_MPa_sqrt_m=None,
        sources=dict.fromkeys(CATHODE_SOURCE_KEYS, USER_SUPPLIED),
        notes="defined inline in the run config",
        ocv=None
        if spec.ocv is None
        else TabulatedOcv(
            tuple(r[0] for r in spec.ocv.table), tuple(r[1] for r in spec.ocv.table), USER_SUPPLIED
        ),
    )


def electrolyte_material(cfg: RunConfig) -> ElectrolyteMaterial | None:
    """The solid electrolyte of `cfg`, or None for a free particle (matrix none)."""
    if geometry_spec(cfg.geometry).matrix == "none":
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
    geometry = geometry_spec(cfg.geometry)  # kind file: the mesh file is read and checked
    if isinstance(geometry, FileGeometrySpec):
        check_file_geometry(cfg, geometry)
    cathode = cathode_material(cfg)
    electrolyte = electrolyte_material(cfg)
    ld, mech, s, rd, out = cfg.loading, cfg.mechanics, cfg.solver, cfg.readers, cfg.output
    if ld.x_start is None or ld.x_end is None or ld.report_soc is None:
        raise ValueError("resolve() needs a config from validate_config (x window filled)")
    o = cfg.orientation
    if ld.cutoff_V is not None:
        _check_cutoff(cathode, ld.mode, ld.x_start, ld.cutoff_V)
    if cfg.coupling == "two_way" and cfg.thermodynamic_factor == "ocv" and cathode.ocv is None:
        raise ConfigError(
            f"coupling: two_way needs the open-circuit potential of the cathode "
            f"({cathode.name} has none in polycat): give materials.cathode.ocv "
            "{table: [[x, U_V], ...]} (inline cathodes), or set thermodynamic_factor: dilute "
            "(the ideal-solution drift, Θ = 1: for a Ni-rich NCM about 5-35 times too strong)"
        )
    kinetics = resolve_kinetics(cfg, cathode)
    return RunPlan(
        kinetics=kinetics,
        geometry=geometry,
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
            cutoff_V=ld.cutoff_V,
            extrapolate=ld.extrapolate,
            protocol=ld.protocol is not None,
            hold=_hold(cfg, cathode),
            soc_step=ld.report.soc_step if ld.report is not None else 0.1,
            at_step_end=ld.report.at_step_end if ld.report is not None else True,
            steps=_steps(cfg, cathode),
            cycles=ld.cycles,
        ),
        mechanics=MechanicsSpec(
            bc=MechanicsBC(mech.boundary, mech.stack_pressure_MPa),
            element_degree=mech.element_degree,
            temperature_K=mech.temperature_K,
        ),
        coupling=cfg.coupling,
        thermodynamic_factor=cfg.thermodynamic_factor,
        solver=SolverSettings(
            element_degree=mech.element_degree,
            ksp_rtol=s.ksp_rtol,
            p_multigrid=s.p_multigrid,
            mechanics_matrix=s.mechanics_matrix,
            projection_size=s.projection_size,
            jacobian_lag_contraction=s.jacobian_lag_contraction,
            coupling_tol=s.two_way_tol,
            coupling_max_it=s.two_way_max_iter,
            coupling_anderson_depth=s.two_way_anderson_depth,
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
            dir=Path(out.dir),
            mesh_dir=Path(out.mesh_dir),
            fields=out.fields,
            plots=out.plots,
            vtx=out.vtx,
        ),
        digest=config_digest(cfg),
        config_json=json.dumps(_config_data(cfg, geometry)),
        config_yaml=dump_config(cfg),
        defaulted=defaulted_fields(cfg),
        interfaces=resolve_interfaces(cfg, cathode, electrolyte),
    )


def _steps(cfg: RunConfig, cathode: CathodeMaterial) -> tuple[StepSpec, ...]:
    """The protocol's steps, resolved and checked against the cathode (its window, its
    OCV for a voltage) and the run (a cv step needs one-way coupling, bonded interfaces)."""
    steps = cfg.loading.protocol or []
    out: list[StepSpec] = []
    x_min, x_max = cathode.x_window
    direction: str | None = None
    at_end: str | None = None  # the window end a cc step without an until ended on
    order = list(enumerate(steps)) * (2 if cfg.loading.cycles > 1 else 1)
    for n, (k, st) in enumerate(order):
        if n >= len(steps):  # a second pass: the first steps after the last (cycle 2)
            if isinstance(st, CcStep) and at_end == st.direction:
                side = "x_min" if at_end == "charge" else "x_max"
                raise ConfigError(
                    f"loading.protocol[{k}] (cycle 2): the {st.direction} starts at the end "
                    f"of the window, where cycle 1 ended ({side} of {cathode.name}), and "
                    "cannot move; end a step on a voltage or an x before it, or add the "
                    "other direction"
                )
            if isinstance(st, CcStep):
                break
            continue
        where = f"loading.protocol[{k}]"
        if isinstance(st, CcStep):
            until = st.until
            v = None if until is None else until.voltage_V
            x = None if until is None else until.x
            if v is not None and cathode.ocv is None:
                raise ConfigError(
                    f"{where}.until.voltage_V needs the open-circuit potential of the cathode "
                    f"({cathode.name} has none): give materials.cathode.ocv "
                    "{table: [[x, U_V], ...]}, or end the step on an x ({x: ..})"
                )
            if x is not None and not x_min - 1e-12 <= x <= x_max + 1e-12:
                raise ConfigError(
                    f"{where}.until.x = {x:g} lies outside the x window [{x_min:g}, {x_max:g}] "
                    f"of {cathode.name}; give an x inside it"
                )
            end = x if x is not None else (x_min if st.direction == "charge" else x_max)
            if at_end == st.direction:
                raise ConfigError(
                    f"{where}: the {st.direction} starts at the end of the window, where the "
                    "cc step before it ended (it has no until), and cannot move; end that "
                    "step on a voltage or an x"
                )
            at_end = st.direction if until is None else None
            if st.direction == "discharge" and v is None and end >= 1.0 - 1e-12:
                raise ConfigError(
                    f"{where}: a galvanostatic discharge cannot end at x = 1 (the top of "
                    f"{cathode.name}'s window): the surface reaches x = 1 first; end it on a "
                    "voltage ({voltage_V: ..}) or an x below 1 ({x: 0.95})"
                )
            direction = st.direction
            out.append(StepSpec("cc", st.direction, st.c_rate, v, x))
        elif isinstance(st, CvStep):
            _check_hold(cfg, cathode, f"{where} (cv)")
            out.append(
                StepSpec(
                    "cv",
                    direction,  # type: ignore[arg-type]
                    voltage_V=st.voltage_V,
                    until_c_rate=st.until.c_rate_below,
                    max_s=60.0 * st.max_minutes,
                )
            )
        else:
            assert isinstance(st, RestStep)
            out.append(StepSpec("rest", duration_s=60.0 * st.minutes))
    return tuple(out)


def _hold(cfg: RunConfig, cathode: CathodeMaterial) -> HoldSpec | None:
    """The cv step right after the protocol's first cc step (checked against what it
    needs), or None."""
    steps = list(cfg.loading.protocol or [])
    if [type(st) for st in steps[:2]] != [CcStep, CvStep]:
        return None
    cv = steps[1]
    assert isinstance(cv, CvStep)
    _check_hold(cfg, cathode, "loading.protocol[1] (cv)")
    return HoldSpec(cv.voltage_V, cv.until.c_rate_below, 60.0 * cv.max_minutes)


def _check_hold(cfg: RunConfig, cathode: CathodeMaterial, where: str) -> None:
    """Refuse a cv step that the run cannot hold."""
    if cathode.ocv is None:
        raise ConfigError(
            f"{where} needs the open-circuit potential of the cathode ({cathode.name} has "
            "none): give materials.cathode.ocv {table: [[x, U_V], ...]}"
        )
    if cfg.coupling != "one_way" or cfg.interfaces.cohesive:
        raise ConfigError(
            f"{where}: a constant-voltage step is not yet combined with coupling: two_way or "
            "cohesive interfaces; use one-way coupling and bonded interfaces"
        )
    k = cfg.kinetics
    if k.model == "uniform_flux" and k.series_resistance_ohm_m2 != 0.0:
        raise ConfigError(
            f"{where}: without kinetics a held voltage holds the surface at U(x) = V, which "
            "leaves no room for kinetics.series_resistance_ohm_m2; set it to 0 or use "
            "kinetics.model: butler_volmer"
        )


def resolve_kinetics(cfg: RunConfig, cathode: CathodeMaterial) -> KineticsSpec:
    """The kinetics of ``cfg``: the config's values over the cathode's defaults."""
    k = cfg.kinetics
    if k.model == "uniform_flux":
        return KineticsSpec("uniform_flux", None, k.series_resistance_ohm_m2)
    if cathode.ocv is None:
        raise ConfigError(
            f"kinetics.model: butler_volmer needs the open-circuit potential of the cathode "
            f"({cathode.name} has none in polycat): give materials.cathode.ocv "
            "{table: [[x, U_V], ...]} (inline cathodes), or use kinetics.model: uniform_flux"
        )
    base = cathode.kinetics
    if base is None and k.i0_A_m2 is None:
        raise ConfigError(
            f"kinetics.i0_A_m2: {cathode.name} has no exchange current density in polycat; "
            "give kinetics.i0_A_m2 (A/m² at x = 0.5, e.g. from R_ct = RT/(F i0) of an "
            "impedance measurement)"
        )
    if base is None:
        assert k.i0_A_m2 is not None
        base = ButlerVolmer(k.i0_A_m2)
    law = ButlerVolmer(
        i0_A_m2=k.i0_A_m2 if k.i0_A_m2 is not None else base.i0_A_m2,
        alpha_a=k.alpha_a if k.alpha_a is not None else base.alpha_a,
        alpha_c=k.alpha_c if k.alpha_c is not None else base.alpha_c,
        x_dependence=k.i0_x_dependence or base.x_dependence,
    )
    return KineticsSpec("butler_volmer", law, k.series_resistance_ohm_m2)


def _config_data(cfg: RunConfig, geometry: AnyGeometrySpec) -> dict[str, Any]:
    """The resolved config as JSON data (run.json's ``config``); a mesh from a file adds
    what was derived from it as ``geometry.derived`` (grains, radius, matrix, ...)."""
    data: dict[str, Any] = cfg.model_dump(mode="json")
    if isinstance(geometry, FileGeometrySpec):
        data["geometry"]["derived"] = geometry.derived()
    return data


def check_file_geometry(cfg: RunConfig, g: FileGeometrySpec) -> None:
    """The schema's checks of geometry against mechanics and interfaces, on what a mesh
    file says (the schema sees the file's section only).

    Raises:
        ConfigError: naming the field and what the mesh file has.
    """
    m, itf = cfg.mechanics, cfg.interfaces
    what = f"the mesh of geometry.file ({Path(g.file).name})"
    facts = GeometryFacts(
        matrix=g.matrix,
        n_grains=g.n_grains,
        dim=g.dim,
        box=g.matrix == "box",
        no_matrix=f"{what} has no electrolyte cells (geometry.regions.electrolyte is empty)",
        not_box=f"the outer boundary of {what} is {g.facts.outer_boundary}, not an "
        "axis-aligned box",
        one_grain=f"{what} has one grain",
        two_d=f"{what} is 2D (triangles)",
    )
    error = combination_error(
        facts, m.boundary, itf.grain_boundary.model, itf.cathode_electrolyte.model
    )
    if error is not None:
        raise ConfigError(error)


# --------------------------------------------------------------------------- interfaces

STIFFNESS_FACTOR = 50.0
"""k0 = 50 E/h: the interface adds ~2 % of an element's compliance (Turon et al. 2007
recommend α ≥ 50 for a negligible effect on the elastic response)."""
BOND_FACTOR = 1000.0
"""A class left ``bonded`` in a split mesh: an unbreakable bond of 1000 E/h."""
ZONE_ELEMENTS = 3.0
"""Elements a cohesive zone needs (Turon et al. 2007: N_e ≥ 3)."""
RESIDUAL_FACTOR = 1e-3
"""A fully separated point keeps 1e-3 E/h (tension and shear): a tiny traction (~1 % of a
GB strength at a 0.01 µm opening) that keeps a grain cut free from floating."""
LI_TRANSMISSION_FACTOR = 100.0
"""h_GB = 100 D_max/h: an intact boundary leaves 1 % of the x drop over one element."""


def _hill(el: IsotropicElasticity | TrigonalElasticity) -> tuple[float, float]:
    """(E, ν) of a grain's stiffness: itself if isotropic, its Hill average if not (GPa)."""
    if isinstance(el, IsotropicElasticity):
        return el.E_GPa, el.nu
    vrh = el.vrh_moduli_GPa()
    return vrh["E_H"], vrh["nu_H"]


def _law(
    name: str,
    c: Any,
    default_strength: float,
    default_energy: float | None,
    material: str,
    energy_field: str,
    E_GPa: float,
    E_plane_GPa: float,
    h_um: float,
) -> tuple[CohesiveLaw, dict[str, float | str | bool]]:
    """The law of one interface class and how the mesh resolves its cohesive zone."""
    where = f"interfaces.{name}"
    k0 = (c.initial_stiffness_GPa_per_um or 0.0) * 1e3
    if c.model == "bonded":
        k_bond = k0 or BOND_FACTOR * E_GPa * 1e3 / h_um
        law = CohesiveLaw(k_bond, 1.0, 1.0, breakable=False)
        return law, {"model": "bonded", "initial_stiffness_MPa_per_um": k_bond}
    strength = c.strength_MPa or default_strength
    energy = c.fracture_energy_J_m2 or default_energy
    if energy is None:
        raise ConfigError(
            f"{where}.fracture_energy_J_m2: the material {material} has no {energy_field}; "
            "give the fracture energy in J/m² (e.g. 0.5)"
        )
    k0 = k0 or STIFFNESS_FACTOR * E_GPa * 1e3 / h_um
    Ep = E_plane_GPa * 1e3
    zone = Ep * energy / strength**2  # µm (MPa·µm / MPa)
    elements = zone / h_um
    used = strength
    reduced = False
    if elements < ZONE_ELEMENTS and c.strength_reduction == "turon":
        used = min(
            strength, float(np.sqrt(9.0 * np.pi * Ep * energy / (32.0 * ZONE_ELEMENTS * h_um)))
        )
        reduced = used < strength
    used_zone = Ep * energy / used**2
    delta_0, delta_f = used / k0, 2.0 * energy / used
    if not delta_f > 10.0 * delta_0:
        raise ConfigError(
            f"{where}: the elastic opening σ_c/k0 = {delta_0:.3g} µm is not small against "
            f"the final opening 2 G_c/σ_c = {delta_f:.3g} µm; raise "
            f"{where}.initial_stiffness_GPa_per_um (now {k0 / 1e3:.3g} GPa/µm)"
        )
    law = CohesiveLaw(
        k0=k0,
        strength=used,
        energy=energy,
        shear_strength=None
        if c.shear_strength_MPa is None
        else c.shear_strength_MPa * used / strength,
        contact_stiffness=None
        if c.contact_stiffness_GPa_per_um is None
        else c.contact_stiffness_GPa_per_um * 1e3,
        residual=min(1e-3, RESIDUAL_FACTOR * E_GPa * 1e3 / h_um / k0),
    )
    info: dict[str, float | str | bool] = {
        "model": "cohesive",
        "strength_MPa": strength,
        "strength_used_MPa": used,
        "strength_reduced": reduced,
        "fracture_energy_J_m2": energy,
        "initial_stiffness_MPa_per_um": k0,
        "element_size_um": h_um,
        "zone_length_um": zone,
        "elements_in_zone": elements,
        "zone_length_used_um": used_zone,
        "elements_in_zone_used": used_zone / h_um,
        "under_resolved": used_zone / h_um < ZONE_ELEMENTS,
    }
    return law, info


def _max_diffusivity(cathode: CathodeMaterial) -> float:
    """The largest D (m²/s) of the cathode over its x window."""
    lo, hi = cathode.x_window
    x = np.linspace(lo, hi, 201)
    D = cathode.diffusivity
    if D.constant_value is not None:
        return float(D.constant_value)
    return float(np.max(np.asarray(D(x, np), dtype=np.float64)))


def resolve_interfaces(
    cfg: RunConfig, cathode: CathodeMaterial, electrolyte: ElectrolyteMaterial | None
) -> InterfacesSpec | None:
    """The cohesive interfaces of ``cfg``, or None when every interface is bonded."""
    itf = cfg.interfaces
    if not itf.cohesive:
        return None
    g = geometry_spec(cfg.geometry)  # kind file: sizes measured on the mesh
    h = g.interface_mesh_size_um or g.mesh_size_um
    E_p, nu_p = _hill(cathode.elasticity)
    gb_law, gb_info = _law(
        "grain_boundary",
        itf.grain_boundary,
        cathode.gb_strength_MPa,
        cathode.gb_fracture_energy_J_m2,
        cathode.name,
        "gb_fracture_energy_J_m2",
        E_p,
        E_p / (1.0 - nu_p**2),
        h,
    )
    if electrolyte is None:  # (refused by the schema for a cohesive interface)
        raise ConfigError("interfaces: a split mesh needs an electrolyte matrix")
    E_s, nu_s = electrolyte.E_GPa, electrolyte.nu
    # bimaterial plane-strain modulus of the interface: 2 / (1/E'_1 + 1/E'_2)
    E_pl = 2.0 / ((1 - nu_p**2) / E_p + (1 - nu_s**2) / E_s)
    cse_law, cse_info = _law(
        "cathode_electrolyte",
        itf.cathode_electrolyte,
        electrolyte.adhesion_strength_MPa,
        electrolyte.interface_fracture_energy_J_m2,
        electrolyte.name,
        "interface_fracture_energy_J_m2",
        min(E_p, E_s),
        E_pl,
        h,
    )
    h_gb = LI_TRANSMISSION_FACTOR * _max_diffusivity(cathode) * 1e12 / g.mesh_size_um
    return InterfacesSpec(
        gb=gb_law,
        cse=cse_law,
        gb_model=itf.grain_boundary.model,
        cse_model=itf.cathode_electrolyte.model,
        gb_transport=itf.grain_boundary.li_transport,
        cse_transport=itf.cathode_electrolyte.li_transport,
        h_gb_um_s=h_gb,
        viscosity_s=itf.viscous_regularization_soc * 3600.0 / cfg.loading.c_rate,
        integration=itf.integration,
        resolution=(
            ("grain_boundary", tuple(gb_info.items())),
            ("cathode_electrolyte", tuple(cse_info.items())),
        ),
    )
