"""The run-config schema: typed, strict, units fixed by field name.

Every section rejects unknown keys. Lengths are in µm, stresses in MPa, moduli in
GPa, concentrations in mol/m³, time in s, diffusivity in m²/s — the suffix of
each field name says which. The FEM layer never sees these pydantic models; it
gets plain dataclasses built from them (see `polycat.config.resolve`).
"""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from polycat.config.interfaces_schema import InterfacesConfig
from polycat.config.materials_schema import (  # noqa: F401  (re-exported)
    AnisotropicElasticityConfig,
    CathodeConfig,
    ElectrolyteConfig,
    IsotropicElasticityConfig,
    LinearLatticeStrainConfig,
    MaterialsConfig,
    TableLatticeStrainConfig,
    TrigonalCij,
)
from polycat.config.sections import Fraction, PositiveFloat, Section
from polycat.fem.settings import SolverSettings
from polycat.geometry.spec import GeometrySpec
from polycat.geometry.tags import MAX_GRAINS

# --------------------------------------------------------------------------- geometry


class GeometryConfig(Section):
    """Particle, grains and matrix. The mesh cache is keyed by this whole section.

    The rules on these values (ranges, consistent sizes) have one home, the geometry's
    own spec (:class:`polycat.geometry.spec.GeometrySpec`): this section checks types and
    builds the spec, whose messages name the field.
    """

    dim: Literal[2, 3] = Field(3, description="3 (sphere in a box/shell) or 2 (disc, plane strain)")
    particle_radius_um: float = Field(5.0, description="particle radius R, µm (> 0)")
    n_grains: int = Field(30, description=f"number of grains, 1 (single crystal) to {MAX_GRAINS}")
    seed: int = Field(1, description="seed of the grain tessellation (>= 0)")
    matrix: Literal["box", "shell", "none"] = Field(
        "box", description="solid electrolyte around the particle: box | shell | none"
    )
    matrix_size_um: float = Field(
        15.0,
        description="box side (> 2R), or shell outer radius (> R), µm (ignored for matrix none)",
    )
    mesh_size_um: float = Field(0.6, description="target element size in the grains, µm (< R)")
    interface_mesh_size_um: float | None = Field(
        None, description="element size at the CAM–SE interface and grain boundaries, µm"
    )
    matrix_mesh_size_um: float | None = Field(
        None, description="element size far out in the matrix, µm (default 2.5 × mesh_size_um)"
    )
    min_seed_spacing: float = Field(
        0.5, description="hard-core seed distance, fraction of mean spacing, in [0, 1)"
    )
    lloyd_iterations: int = Field(2, description="Lloyd relaxation passes, 0 to 50")
    grain_size_cv: float = Field(
        0.0, description="grain-size coefficient of variation (Laguerre), in [0, 1.5]; 0 = Voronoi"
    )
    regularize: float = Field(
        0.5, description="collapse edges shorter than regularize × mesh_size_um, in [0, 2]"
    )

    @model_validator(mode="after")
    def _spec(self) -> GeometryConfig:
        GeometrySpec(**self.model_dump())  # ValueError naming geometry.<field>
        return self


# --------------------------------------------------------------------------- orientation

AxisName = Literal["a", "c"]


class OrientationConfig(Section):
    """Crystal orientation of each grain (convention: `polycat.crystal`)."""

    texture: Literal["random", "radial", "fixed"] = Field(
        "random", description="random (uniform on SO(3)) | radial | fixed"
    )
    seed: int = Field(1, ge=0, description="seed of the orientation draw")
    axis: AxisName | tuple[float, float, float] = Field(
        "c", description="radial texture: crystal axis put along the radius ('c', 'a' or a vector)"
    )
    spread_deg: float = Field(
        0.0, ge=0.0, le=180.0, description="radial texture: angular spread of the axis, degrees"
    )
    euler_deg: tuple[float, float, float] = Field(
        (0.0, 0.0, 0.0), description="fixed texture: Bunge Euler angles (φ1, Φ, φ2), degrees"
    )

    @field_validator("axis")
    @classmethod
    def _axis_nonzero(cls, v: Any) -> Any:
        if isinstance(v, tuple) and sum(c * c for c in v) == 0.0:
            raise ValueError("axis vector must be non-zero, e.g. [0, 0, 1] for the c-axis")
        return v


# --------------------------------------------------------------------------- loading


ReportSocs = Annotated[list[Annotated[float, Field(ge=0.0, le=1.0)]], Field(min_length=1)]


class LoadingConfig(Section):
    """Galvanostatic charge or discharge from x_start to x_end at a constant C-rate.

    SOC and C-rate are the cathode's (the same for every run of a material): SOC =
    (x_max − x̄)/(x_max − x_min) over its ``x_window`` (0 = discharged, 1 = charged, in
    both directions); 1C moves x̄ through the whole window in one hour.
    """

    mode: Literal["charge", "discharge"] = Field(
        "charge", description="charge = delithiation of the cathode (x decreases, SOC rises)"
    )
    c_rate: float = Field(
        1.0,
        gt=0.0,
        le=100.0,
        description="C-rate: 1C moves x through the cathode's whole x_window (its practical "
        "capacity) in one hour, whatever part of it the run covers",
    )
    x_start: Fraction | None = Field(
        None, description="initial Li fraction (default: the window end the mode starts from)"
    )
    x_end: Fraction | None = Field(
        None, description="final Li fraction (default: the other end of the window)"
    )
    report_soc: ReportSocs | None = Field(
        None,
        description="states of charge to report, in the order the run reaches them (charge: "
        "increasing, discharge: decreasing), within the run's SOC range; default: ten equal "
        "steps to the end",
    )

    @model_validator(mode="after")
    def _report_order(self) -> LoadingConfig:
        v = self.report_soc
        if v is None:
            return self
        if self.mode == "charge" and any(b <= a for a, b in itertools.pairwise(v)):
            raise ValueError(
                f"loading.report_soc must be strictly increasing for a charge (SOC rises from 0 "
                f"towards 1), got {v}"
            )
        if self.mode == "discharge" and any(b >= a for a, b in itertools.pairwise(v)):
            raise ValueError(
                f"loading.report_soc must be strictly decreasing for a discharge (SOC falls from 1 "
                f"towards 0), got {v}"
            )
        return self

    @model_validator(mode="after")
    def _direction(self) -> LoadingConfig:
        if self.x_start is None or self.x_end is None:
            return self
        if self.mode == "charge" and not self.x_start > self.x_end:
            raise ValueError(
                f"charge (delithiation) needs x_start > x_end, got x_start={self.x_start}, "
                f"x_end={self.x_end}; swap them or set mode: discharge"
            )
        if self.mode == "discharge" and not self.x_start < self.x_end:
            raise ValueError(
                f"discharge (lithiation) needs x_start < x_end, got x_start={self.x_start}, "
                f"x_end={self.x_end}; swap them or set mode: charge"
            )
        return self


# --------------------------------------------------------------------------- mechanics

OuterFace = Literal["xmin", "xmax", "ymin", "ymax", "zmin", "zmax"]


class MechanicsConfig(Section):
    """Outer mechanical boundary condition, element degree and temperature."""

    boundary: Literal["free", "confined", "stack_pressure"] = Field(
        "free",
        description=(
            "outer boundary of the matrix: free (traction-free) | confined (zero normal "
            "displacement on every outer face) | stack_pressure (pressure on zmax, zmin fixed "
            "normally)"
        ),
    )
    stack_pressure_MPa: float = Field(0.0, ge=0.0, le=1000.0, description="applied stack pressure")
    element_degree: Literal[1, 2] = Field(2, description="displacement element degree")
    temperature_K: PositiveFloat = Field(
        298.15, description="temperature, K (enters only the stress-assisted flux of two_way)"
    )

    @model_validator(mode="after")
    def _pressure_only_with_stack(self) -> MechanicsConfig:
        if self.stack_pressure_MPa > 0.0 and self.boundary != "stack_pressure":
            raise ValueError(
                f"stack_pressure_MPa = {self.stack_pressure_MPa} is only used with "
                "boundary: stack_pressure (got boundary: " + self.boundary + ")"
            )
        return self


# --------------------------------------------------------------------------- solver

PetscValue = str | int | float | bool | None
_SOLVER_DEFAULTS = SolverSettings()  # the one set of solver defaults (polycat.fem.settings)


class SolverConfig(Section):
    """Time stepping, solver tolerances, step cuts, checkpoints and PETSc options."""

    steps_per_report: int = Field(
        4, ge=1, le=10000, description="minimum time steps between consecutive report SOCs"
    )
    max_dt_s: PositiveFloat | None = Field(None, description="upper bound on the time step, s")
    ksp_rtol: float = Field(
        _SOLVER_DEFAULTS.ksp_rtol,
        gt=0.0,
        lt=1.0,
        description="relative tolerance of the mechanics CG solve (1e-6 moves every summary "
        "value by < 2e-4 relative against 1e-8 on the default case; docs/performance.md)",
    )
    p_multigrid: bool = Field(
        _SOLVER_DEFAULTS.p_multigrid,
        description="P2 mechanics: precondition with a two-level p-multigrid (P1 coarse level "
        "with GAMG); ignored when petsc_mechanics sets pc_* options",
    )
    projection_size: int = Field(
        _SOLVER_DEFAULTS.projection_size,
        ge=0,
        le=64,
        description="mechanics starts from the Galerkin projection onto up to this many "
        "previous solutions (0: from the previous solution)",
    )
    jacobian_lag_contraction: float = Field(
        _SOLVER_DEFAULTS.jacobian_lag_contraction,
        ge=0.0,
        lt=1.0,
        description="diffusion reuses its Newton Jacobian while each iteration cuts the "
        "residual at least by this factor (0: plain Newton)",
    )
    two_way_tol: float = Field(
        _SOLVER_DEFAULTS.coupling_tol,
        gt=0.0,
        lt=1.0,
        description="two-way coupling tolerance on max |Δx| between iterations",
    )
    two_way_max_iter: int = Field(_SOLVER_DEFAULTS.coupling_max_it, ge=1, le=1000)
    max_step_cuts: int = Field(
        4,
        ge=0,
        le=12,
        description="a failed time step is retried with the step halved, at most this often",
    )
    checkpoint: bool = Field(
        True, description="checkpoint the solver state after each report SOC (for --resume)"
    )
    petsc_mechanics: dict[str, PetscValue] = Field(
        default_factory=dict, description="PETSc options for the mechanics solve (no prefix)"
    )
    petsc_diffusion: dict[str, PetscValue] = Field(
        default_factory=dict, description="PETSc options for the diffusion solve (no prefix)"
    )

    @field_validator("petsc_mechanics", "petsc_diffusion")
    @classmethod
    def _no_prefix(cls, v: dict[str, PetscValue]) -> dict[str, PetscValue]:
        for key in v:
            if key.startswith(("-", "polycat_")):
                raise ValueError(
                    f"option {key!r}: give PETSc option names without '-' or a prefix, "
                    "e.g. ksp_type: cg"
                )
        return v


# --------------------------------------------------------------------------- readers


class ReadersConfig(Section):
    """Failure criteria and profile resolution of the result readers."""

    gb_strength_MPa: PositiveFloat | None = Field(
        None, description="grain-boundary tensile strength σ_GB (default: the cathode's)"
    )
    gb_shear_strength_MPa: PositiveFloat | None = Field(
        None,
        description="mixed-mode GB risk sqrt((t_n⁺/σ_GB)² + (t_s/τ_GB)²) with this τ_GB; "
        "null = tensile risk only",
    )
    adhesion_strength_MPa: PositiveFloat | None = Field(
        None, description="CAM–SE interface tensile strength (default: the electrolyte's)"
    )
    profile_bins: int = Field(25, ge=2, le=1000, description="radial bins across the particle")


# --------------------------------------------------------------------------- output


class OutputConfig(Section):
    """Where a run writes, and whether it writes fields and plots."""

    dir: str = Field("results/default", min_length=1, description="results directory")
    mesh_dir: str = Field("meshes", min_length=1, description="mesh cache directory")
    fields: bool = Field(True, description="write ParaView fields")
    plots: bool = Field(True, description="write PNG plots")
    vtx: bool = Field(
        False,
        description="also write fields/fields.bp (ADIOS2 VTX, ParaView's ADIOS2VTXReader): the "
        "displacement at its own degree (P2 exactly) with x and c, every report SOC in one file",
    )


# --------------------------------------------------------------------------- the whole run


class RunConfig(Section):
    """A complete run: what `polycat run CONFIG` executes."""

    geometry: GeometryConfig = Field(default_factory=GeometryConfig)  # type: ignore[arg-type]
    orientation: OrientationConfig = Field(default_factory=OrientationConfig)  # type: ignore[arg-type]
    materials: MaterialsConfig = Field(default_factory=MaterialsConfig)  # type: ignore[arg-type]
    loading: LoadingConfig = Field(default_factory=LoadingConfig)  # type: ignore[arg-type]
    mechanics: MechanicsConfig = Field(default_factory=MechanicsConfig)  # type: ignore[arg-type]
    coupling: Literal["one_way", "two_way"] = Field(
        "one_way", description="one_way (c → strain → stress) or two_way (stress-assisted flux)"
    )
    thermodynamic_factor: Literal["ocv", "dilute"] = Field(
        "ocv",
        description="two-way coupling's stress-driven flux D (x/Θ) ∇φ: ocv (Θ = −(F x/RT) "
        "dU/dx from the cathode's open-circuit potential, thermodynamically consistent) or "
        "dilute (Θ = 1: an ideal dilute solution, the Gorsky/D_eff verification cases)",
    )
    allow_outside_range: list[str] = Field(
        default_factory=list,
        description="field paths allowed outside their plausibility range (e.g. "
        "materials.cathode.diffusivity_m2_s for a deliberately fast analytic case); "
        "`polycat schema --format markdown` lists the ranges",
    )
    solver: SolverConfig = Field(default_factory=SolverConfig)  # type: ignore[arg-type]
    readers: ReadersConfig = Field(default_factory=ReadersConfig)  # type: ignore[arg-type]
    interfaces: InterfacesConfig = Field(default_factory=InterfacesConfig)  # type: ignore[arg-type]
    output: OutputConfig = Field(default_factory=OutputConfig)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _combinations(self) -> RunConfig:
        g, m = self.geometry, self.mechanics
        if g.matrix == "none" and m.boundary != "free":
            raise ValueError(
                f"mechanics.boundary: {m.boundary} needs an electrolyte matrix; with "
                "geometry.matrix: none the particle surface is traction-free (boundary: free)"
            )
        if m.boundary == "stack_pressure" and g.matrix != "box":
            raise ValueError(
                "mechanics.boundary: stack_pressure acts on the box faces outer_zmin/outer_zmax; "
                f"it needs geometry.matrix: box (got {g.matrix})"
            )
        itf = self.interfaces
        if itf.grain_boundary.model == "cohesive" and g.n_grains == 1:
            raise ValueError(
                "interfaces.grain_boundary.model: cohesive needs grain boundaries, but "
                "geometry.n_grains is 1 (a single crystal); set model: bonded or more grains"
            )
        if itf.cathode_electrolyte.model == "cohesive" and g.matrix == "none":
            raise ValueError(
                "interfaces.cathode_electrolyte.model: cohesive needs an electrolyte, but "
                "geometry.matrix is none; set model: bonded or a box/shell matrix"
            )
        if itf.cohesive and g.dim == 2:
            raise ValueError(
                "interfaces: cohesive interfaces are implemented in 3D only (geometry.dim: 3)"
            )
        if itf.cohesive and self.coupling == "two_way":
            raise ValueError(
                "interfaces: cohesive interfaces are not yet combined with coupling: two_way; "
                "use coupling: one_way"
            )
        return self
