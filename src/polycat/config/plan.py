"""The frozen run plan: everything one run needs, as FEniCSx-free, pydantic-free specs.

:func:`polycat.config.resolve.resolve` builds a :class:`RunPlan` from a validated
:class:`~polycat.config.schema.RunConfig`; nothing below the config layer sees pydantic.
Units follow the field names (µm, MPa, GPa, s, mol/m³, m²/s).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from polycat.fem.interfaces.cohesive import CohesiveLaw
from polycat.fem.settings import MechanicsBC, SolverSettings
from polycat.geometry.file_spec import AnyGeometrySpec
from polycat.materials import CathodeMaterial, ElectrolyteMaterial

__all__ = [
    "HoldSpec",
    "InterfacesSpec",
    "KineticsSpec",
    "LoadingSpec",
    "LoopSpec",
    "MechanicsSpec",
    "OrientationSpec",
    "OutputSpec",
    "ReaderCriteria",
    "RunPlan",
    "StepSpec",
]

Coupling = Literal["one_way", "two_way"]


@dataclass(frozen=True)
class OrientationSpec:
    """Crystal orientation of each grain (convention: :mod:`polycat.crystal`).

    Attributes:
        texture: ``random`` (uniform on SO(3)), ``radial`` or ``fixed``.
        seed: seed of the orientation draw.
        axis: radial texture: ``"ab"`` (c ⟂ radius: the ab-planes radial), or the crystal
            axis put along the radius (``"c"``, ``"a"`` or a vector in the crystal frame).
        spread_deg: radial texture: angular spread, degrees.
        euler_deg: fixed texture: Bunge Euler angles (φ1, Φ, φ2), degrees.
    """

    texture: Literal["random", "radial", "fixed"] = "random"
    seed: int = 1
    axis: str | tuple[float, float, float] = "ab"
    spread_deg: float = 0.0
    euler_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def __post_init__(self) -> None:
        if self.texture not in ("random", "radial", "fixed"):
            raise ValueError(f"unknown texture {self.texture!r}")
        if not 0.0 <= self.spread_deg <= 180.0:
            raise ValueError(f"spread_deg must lie in [0, 180], got {self.spread_deg}")

    def key(self) -> str:
        """Canonical JSON of the spec (keys the per-draw orientation table of a mesh)."""
        return json.dumps(
            {
                "texture": self.texture,
                "seed": self.seed,
                "axis": self.axis if isinstance(self.axis, str) else list(self.axis),
                "spread_deg": self.spread_deg,
                "euler_deg": list(self.euler_deg),
            },
            sort_keys=True,
        )


@dataclass(frozen=True)
class HoldSpec:
    """A constant-voltage (CV) step after the constant-current one.

    Attributes:
        voltage_V: the held cell voltage (V vs Li/Li⁺).
        until_c_rate: the step ends when the current falls below this C-rate.
        max_s: its time limit (s): beyond, the run ends with status ``step_time_limit``.
    """

    voltage_V: float
    until_c_rate: float
    max_s: float


@dataclass(frozen=True)
class StepSpec:
    """One step of a protocol (resolved).

    Attributes:
        kind: ``cc`` (constant current), ``cv`` (constant voltage) or ``rest`` (open
            circuit).
        direction: ``charge`` or ``discharge`` (a cv step: that of the cc step before it;
            a rest: None).
        c_rate: the current of a cc step (C-rate of the cathode's window).
        until_voltage_V, until_x: where a cc step ends (None both: the end of the window).
        voltage_V, until_c_rate, max_s: a cv step's held voltage, end current and time
            limit (s).
        duration_s: a rest's length (s).
    """

    kind: Literal["cc", "cv", "rest"]
    direction: Literal["charge", "discharge"] | None = None
    c_rate: float | None = None
    until_voltage_V: float | None = None
    until_x: float | None = None
    voltage_V: float | None = None
    until_c_rate: float | None = None
    max_s: float | None = None
    duration_s: float | None = None


@dataclass(frozen=True)
class LoadingSpec:
    """A galvanostatic charge or discharge from ``x_start`` to ``x_end`` (resolved).

    Attributes:
        mode: ``charge`` (delithiation, x decreases) or ``discharge``.
        c_rate: C-rate; 1C moves x̄ through the whole ``x_window`` in one hour.
        x_start, x_end: initial and final mean Li fraction.
        report_soc: the states of charge to report, in the order the run reaches them
            (SOC = (x_max − x̄)/(x_max − x_min), 1 = charged; :mod:`polycat.schedule`).
        x_window: the cathode's practical window (x_min, x_max) that defines SOC and
            C-rate.
        cutoff_V: the cell voltage (V vs Li/Li⁺) at which the run ends, or None.
        extrapolate: ``stop`` (the run ends where the particle's x reaches the end of the
            lattice table) or ``hold`` (the table's end values are held beyond it).
        protocol: True when the loading came from ``loading.protocol`` (its cc step's
            voltage is then the step's normal end, not a surface limit).
        hold: the cv step after the cc step, or None.
        soc_step, at_step_end: the protocol's reports (every multiple of soc_step a step
            crosses; the end of every step).
        steps, cycles: the whole protocol (its steps, repeated ``cycles`` times); empty
            without a protocol. The fields above describe its first cc step (and cv).
    """

    mode: Literal["charge", "discharge"]
    c_rate: float
    x_start: float
    x_end: float
    report_soc: tuple[float, ...]
    x_window: tuple[float, float] = (0.0, 1.0)
    cutoff_V: float | None = None
    extrapolate: Literal["stop", "hold"] = "stop"
    protocol: bool = False
    hold: HoldSpec | None = None
    soc_step: float = 0.1
    at_step_end: bool = True
    steps: tuple[StepSpec, ...] = ()
    cycles: int = 1

    @property
    def segmented(self) -> bool:
        """True for a protocol beyond one cc step (and a cv step after it): rests,
        direction changes, further steps or cycles. Its per-report outputs are numbered
        (``soc_r0007_050.csv``: report 7, at SOC 0.50), since a SOC recurs."""
        kinds = tuple(st.kind for st in self.steps)
        return self.cycles > 1 or kinds not in ((), ("cc",), ("cc", "cv"))

    def __post_init__(self) -> None:
        if not self.c_rate > 0.0:
            raise ValueError(f"c_rate must be positive, got {self.c_rate}")
        if self.mode == "charge" and not self.x_start > self.x_end:
            raise ValueError("charge needs x_start > x_end")
        if self.mode == "discharge" and not self.x_start < self.x_end:
            raise ValueError("discharge needs x_start < x_end")
        sign = 1.0 if self.mode == "charge" else -1.0
        steps = [sign * (b - a) for a, b in itertools.pairwise(self.report_soc)]
        if not self.report_soc or any(d <= 0.0 for d in steps):
            order = "increasing" if sign > 0 else "decreasing"
            raise ValueError(f"report_soc must be strictly {order}, got {self.report_soc}")


@dataclass(frozen=True)
class KineticsSpec:
    """Charge transfer at the CAM–SE interface (resolved).

    Attributes:
        model: ``uniform_flux`` or ``butler_volmer``.
        law: the Butler–Volmer law (:class:`~polycat.materials.kinetics.ButlerVolmer`),
            None for ``uniform_flux``.
        series_resistance_ohm_m2: area-specific series resistance (Ω·m²).
    """

    model: Literal["uniform_flux", "butler_volmer"] = "uniform_flux"
    law: Any = None
    series_resistance_ohm_m2: float = 0.0


@dataclass(frozen=True)
class MechanicsSpec:
    """Outer boundary condition, displacement degree and temperature (K)."""

    bc: MechanicsBC
    element_degree: int
    temperature_K: float


@dataclass(frozen=True)
class LoopSpec:
    """How the SOC loop steps: time steps between reports, the largest step (s), how often
    a failed step is halved, and whether the state is checkpointed after each report."""

    steps_per_report: int
    max_dt_s: float | None
    max_step_cuts: int
    checkpoint: bool


@dataclass(frozen=True)
class ReaderCriteria:
    """Failure criteria and profile resolution of the readers (resolved from the materials).

    Attributes:
        gb_strength_MPa: grain-boundary tensile strength σ_GB, MPa.
        gb_shear_strength_MPa: shear strength of the mixed-mode GB risk, MPa (None: off).
        adhesion_strength_MPa: CAM–SE interface tensile strength, MPa (None: no matrix).
        profile_bins: radial bins across the particle.
    """

    gb_strength_MPa: float
    gb_shear_strength_MPa: float | None
    adhesion_strength_MPa: float | None
    profile_bins: int


@dataclass(frozen=True)
class OutputSpec:
    """Where a run writes: results and mesh-cache directories; fields, plots and the VTX
    (ADIOS2) field file on/off."""

    dir: Path
    mesh_dir: Path
    fields: bool
    plots: bool
    vtx: bool = False


@dataclass(frozen=True)
class InterfacesSpec:
    """Cohesive interfaces (the mesh is split along every GB and the CAM–SE interface).

    Attributes:
        gb, cse: the laws of the grain boundaries and of the CAM–SE interface (a class the
            config leaves bonded gets an unbreakable stiff bond).
        gb_model, cse_model: ``cohesive`` or ``bonded``, as configured.
        gb_transport: ``blocked_when_cracked`` or ``continuous``.
        cse_transport: ``contact_only`` or ``uniform``.
        h_gb_um_s: Li transmission coefficient of an intact grain boundary, µm/s.
        viscosity_s: time of the viscous regularisation of damage, s (0: none).
        integration: ``implex`` or ``implicit`` time integration of the damage history.
        resolution: per class, how the mesh resolves the cohesive zone (for run.json):
            zone length, element size, elements in the zone, configured and used strength.
    """

    gb: CohesiveLaw
    cse: CohesiveLaw
    gb_model: str
    cse_model: str
    gb_transport: str
    cse_transport: str
    h_gb_um_s: float
    viscosity_s: float
    integration: str
    resolution: tuple[tuple[str, tuple[tuple[str, float | str | bool], ...]], ...]

    def resolution_dict(self) -> dict[str, dict[str, float | str | bool]]:
        """:attr:`resolution` as nested dicts."""
        return {k: dict(v) for k, v in self.resolution}


@dataclass(frozen=True)
class RunPlan:
    """One run, resolved: what `polycat run` executes.

    Attributes:
        geometry: the particle geometry (mesh cache key): generated, or read from a mesh
            file with the facts derived from it (grains, radius, matrix; ``kind: file``).
        orientation: the grain orientation draw.
        cathode, electrolyte: the materials (electrolyte None for ``matrix: none``).
        loading: the galvanostatic schedule.
        mechanics: boundary condition, element degree, temperature.
        coupling: ``one_way`` or ``two_way``.
        thermodynamic_factor: ``ocv`` (the two-way drift x/Θ ∇φ with Θ from the
            cathode's OCV) or ``dilute`` (Θ = 1).
        solver: discretisation and solver settings of the FEM layer.
        loop: stepping, step cuts, checkpoints.
        readers: failure criteria of the readers.
        output: results and mesh directories.
        interfaces: cohesive interfaces, or None (every interface bonded, conforming mesh).
        kinetics: the charge transfer at the CAM–SE interface and the series resistance.
        digest: hash of everything that changes the answer (all but ``output``).
        config_json: the resolved config as JSON (provenance).
        config_yaml: the resolved config as written to ``config.resolved.yaml``.
        defaulted: field path → value of each decisive default an inline material took
            (:func:`polycat.config.loading.defaulted_fields`; run.json records them).
    """

    geometry: AnyGeometrySpec
    orientation: OrientationSpec
    cathode: CathodeMaterial
    electrolyte: ElectrolyteMaterial | None
    loading: LoadingSpec
    mechanics: MechanicsSpec
    coupling: Coupling
    solver: SolverSettings
    loop: LoopSpec
    readers: ReaderCriteria
    output: OutputSpec
    digest: str
    config_json: str
    config_yaml: str
    defaulted: Mapping[str, Any] = field(default_factory=dict)
    interfaces: InterfacesSpec | None = None
    thermodynamic_factor: str = "ocv"
    kinetics: KineticsSpec = field(default_factory=KineticsSpec)

    def config_data(self) -> dict[str, Any]:
        """The resolved config as a (fresh) mapping."""
        data: dict[str, Any] = json.loads(self.config_json)
        return data

    @property
    def outer_radius_um(self) -> float | None:
        """Outer radius of the electrolyte profile: half the box side, the shell radius, or
        None without a matrix (µm)."""
        g = self.geometry
        if g.matrix == "box":
            return 0.5 * g.matrix_size_um
        if g.matrix == "shell":
            return g.matrix_size_um
        return None
