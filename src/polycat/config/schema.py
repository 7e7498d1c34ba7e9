"""The run-config schema: typed, strict, units fixed by field name.

Every section rejects unknown keys. Lengths are in µm, stresses in MPa, moduli in
GPa, concentrations in mol/m³, time in s, diffusivity in m²/s — the suffix of
each field name says which. The FEM layer never sees these pydantic models; it
gets plain dataclasses built from them (see `polycat.config.resolve`).
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from polycat.config.combinations import GeometryFacts, combination_error
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


class FileRegionsConfig(Section):
    """Which volume cells of a mesh file (``geometry.kind: file``) are solid electrolyte and
    which are grains: by a cell-data array of tags, or by the file's cell sets."""

    cell_data: str | None = Field(
        None,
        min_length=1,
        description="the meshio cell-data name holding each volume cell's tag (gmsh:physical "
        "for a Gmsh/Neper .msh, cell_tags for MED, tag for a polycat VTU export)",
    )
    cell_sets: bool = Field(
        False,
        description="the regions are the file's cell sets (Abaqus *ELSET), named in "
        "electrolyte and grains (instead of cell_data)",
    )
    electrolyte: list[int | str] = Field(
        default_factory=list,
        description="tags (cell-set names) of the solid electrolyte; [] = no matrix (a free "
        "particle)",
    )
    grains: Literal["all_others"] | list[int | str] = Field(
        "all_others",
        description="tags (cell-set names) of the grains, or all_others (every other volume "
        "tag); grain ids 1..N follow the tags in ascending order (cell sets: file order)",
    )

    @model_validator(mode="after")
    def _keys(self) -> FileRegionsConfig:
        if self.cell_data is None and not self.cell_sets:
            raise ValueError(
                "geometry.regions: give cell_data: NAME (the cell data with the volume tags, "
                "e.g. gmsh:physical) or cell_sets: true"
            )
        if self.cell_data is not None and self.cell_sets:
            raise ValueError("geometry.regions: give cell_data or cell_sets: true, not both")
        want, what = (str, "cell-set names (text)") if self.cell_sets else (int, "integer tags")
        lists = {"electrolyte": self.electrolyte}
        if not isinstance(self.grains, str):
            lists["grains"] = self.grains
            if not self.grains:
                raise ValueError("geometry.regions.grains: give at least one tag, or all_others")
        for name, keys in lists.items():
            wrong = [k for k in keys if isinstance(k, bool) or not isinstance(k, want)]
            if wrong:
                how = "cell_sets: true" if self.cell_sets else "cell_data"
                raise ValueError(
                    f"geometry.regions.{name}: with {how} the regions are {what}, got {wrong[0]!r}"
                )
            twice = sorted({str(k) for k in keys if keys.count(k) > 1})
            if twice:
                raise ValueError(f"geometry.regions.{name}: {', '.join(twice)} listed twice")
        grains = {str(k) for k in lists.get("grains", [])}
        both = sorted({str(k) for k in self.electrolyte} & grains)
        if both:
            raise ValueError(
                f"geometry.regions: {', '.join(both)} in both electrolyte and grains; a region "
                "is one or the other"
            )
        return self


#: Fields of ``kind: generated`` only (the mesh file decides them for ``kind: file``).
GENERATED_FIELDS = (
    "dim", "particle_radius_um", "n_grains", "seed", "matrix", "matrix_size_um",
    "mesh_size_um", "interface_mesh_size_um", "matrix_mesh_size_um", "min_seed_spacing",
    "lloyd_iterations", "grain_size_cv", "regularize",
)  # fmt: skip
#: Fields of ``kind: file`` only (``kind`` itself is left out of a generated section's dump,
#: so a generated config, its digest and its mesh cache key are what they were before).
FILE_FIELDS = ("kind", "file", "regions", "scale_to_um", "center_um")


class GeometryConfig(Section):
    """Particle, grains and matrix: generated (a tessellated sphere or disc, meshed by
    Gmsh) or read from a mesh file. The mesh cache is keyed by this whole section (a file:
    by its content, the tag map, the scale and the centre).

    The rules on these values (ranges, consistent sizes) have one home, the geometry's
    own spec (:class:`polycat.geometry.spec.GeometrySpec`): this section checks types and
    builds the spec, whose messages name the field. A mesh file is read and checked when
    the run is planned (:mod:`polycat.geometry.mesh_file`).
    """

    kind: Literal["generated", "file"] = Field(
        "generated",
        description="generated: the particle of the fields below, meshed by Gmsh; file: a "
        "conforming tetrahedral (2D: triangle) mesh read from geometry.file, whose cells "
        "decide the dimension, grains, particle size and matrix (the generated-only fields "
        "are then refused)",
    )
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
    file: str | None = Field(
        None,
        min_length=1,
        description="kind file: the mesh file (anything meshio reads: .msh, .vtu, .inp, .med, "
        "...); a relative path is relative to the config file's directory",
    )
    regions: FileRegionsConfig | None = Field(
        None, description="kind file: which volume tags are solid electrolyte and which grains"
    )
    scale_to_um: float = Field(
        1.0, description="kind file: µm per length unit of the file (1e-3: nm, 1e3: mm), > 0"
    )
    center_um: tuple[float, float, float] | None = Field(
        None,
        description="kind file: the particle centre (file coordinates × scale_to_um, µm), the "
        "origin of polycat's coordinates (radial/hoop stress, profiles, radial texture); "
        "default: the grains' volume centroid",
    )

    @model_validator(mode="after")
    def _spec(self) -> GeometryConfig:
        given = self.model_fields_set
        if self.kind == "generated":
            stray = [f for f in FILE_FIELDS[1:] if f in given]
            if stray:
                raise ValueError(
                    f"geometry.{stray[0]} is read only with geometry.kind: file; set kind: file "
                    f"to read a mesh file, or remove {', '.join(stray)}"
                )
            GeometrySpec(**self.model_dump())  # ValueError naming geometry.<field>
            return self
        stray = [f for f in GENERATED_FIELDS if f in given]
        if stray:
            raise ValueError(
                f"geometry.{', geometry.'.join(stray)}: not used with geometry.kind: file (the "
                "mesh file decides the dimension, the grains, the particle size and the "
                f"matrix); remove {'it' if len(stray) == 1 else 'them'}"
            )
        if self.file is None:
            raise ValueError("geometry.file is required with geometry.kind: file (the mesh file)")
        if self.regions is None:
            raise ValueError(
                "geometry.regions is required with geometry.kind: file, e.g. {cell_data: "
                "gmsh:physical, electrolyte: [1000], grains: all_others}"
            )
        if not (math.isfinite(self.scale_to_um) and self.scale_to_um > 0.0):
            raise ValueError(
                f"geometry.scale_to_um must be a positive number (µm per length unit of the "
                f"file: 1 for µm, 1e-3 for nm, 1e3 for mm), got {self.scale_to_um}"
            )
        if self.center_um is not None and not all(math.isfinite(c) for c in self.center_um):
            raise ValueError(f"geometry.center_um must be finite, got {list(self.center_um)}")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Only the fields of this kind: a generated section dumps exactly as before
        ``kind`` existed, a file section without the generated-only fields."""
        data: dict[str, Any] = handler(self)
        drop = FILE_FIELDS if self.kind == "generated" else GENERATED_FIELDS
        return {k: v for k, v in data.items() if k not in drop}


# --------------------------------------------------------------------------- orientation

AxisName = Literal["ab", "a", "c"]


class OrientationConfig(Section):
    """Crystal orientation of each grain (convention: `polycat.crystal`)."""

    texture: Literal["random", "radial", "fixed"] = Field(
        "random", description="random (uniform on SO(3)) | radial | fixed"
    )
    seed: int = Field(1, ge=0, description="seed of the orientation draw")
    axis: AxisName | tuple[float, float, float] = Field(
        "ab",
        description="radial texture: ab (the ab-planes, the Li channels, contain the radius: "
        "c ⟂ r, rod-shaped radial grains), c or a (that crystal axis along the radius), or a "
        "crystal-frame vector along the radius",
    )
    spread_deg: float = Field(
        0.0,
        ge=0.0,
        le=180.0,
        description="radial texture: angular spread, degrees (ab: of c out of the tangent "
        "plane; c, a, vector: of that axis about the radius)",
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


class UntilVoltage(Section):
    """The end of a constant-current step: a cell voltage (V vs Li/Li⁺) or a mean x."""

    voltage_V: float | None = Field(None, gt=0.0, lt=10.0, description="cell voltage, V")
    x: Fraction | None = Field(None, description="mean Li fraction")

    @model_validator(mode="after")
    def _one(self) -> UntilVoltage:
        if (self.voltage_V is None) == (self.x is None):
            raise ValueError("until: give exactly one of voltage_V or x")
        return self


class CcStep(Section):
    """Constant current: charge (delithiation) or discharge at a C-rate, until a voltage
    or a mean x (default: the end of the cathode's window)."""

    step: Literal["cc"]
    direction: Literal["charge", "discharge"] = Field(description="charge or discharge")
    c_rate: float = Field(gt=0.0, le=100.0, description="C-rate of the cathode's window")
    until: UntilVoltage | None = Field(None, description="{voltage_V: ..} or {x: ..}")


class UntilCurrent(Section):
    """The end of a constant-voltage step."""

    c_rate_below: float = Field(
        gt=0.0, le=10.0, description="the step ends when the current falls below this C-rate"
    )


class CvStep(Section):
    """Constant voltage: the cell voltage held, the current decaying, until it falls below
    a C-rate (or ``max_minutes`` pass: status step_time_limit)."""

    step: Literal["cv"]
    voltage_V: float = Field(gt=0.0, lt=10.0, description="the held cell voltage, V vs Li/Li⁺")
    until: UntilCurrent = Field(description="{c_rate_below: ..}")
    max_minutes: float = Field(600.0, gt=0.0, le=1e5, description="time limit of the step, minutes")


class RestStep(Section):
    """Open circuit for a time (no current)."""

    step: Literal["rest"]
    minutes: float = Field(gt=0.0, le=1e5, description="duration, minutes")


ProtocolStep = Annotated[CcStep | CvStep | RestStep, Field(discriminator="step")]


class ReportConfig(Section):
    """When a protocol reports."""

    soc_step: float = Field(
        0.1, gt=0.0, le=1.0, description="report at every multiple of this SOC a step crosses"
    )
    at_step_end: bool = Field(True, description="report at the end of every step")


def check_protocol(steps: list[Any], cycles: int) -> None:
    """Refuse a protocol with a step that can never reach its end, before any work: each
    step is checked against the state the step before it ends on where that is known (a
    voltage or a mean x; a rest keeps x̄ and lets the voltage relax), the first step of a
    second cycle against the last of the first. Raises ValueError naming the step."""
    last: dict[str, Any] = {"direction": None, "V": None, "x": None, "kind": None, "rate": None}
    order = list(enumerate(steps)) * (2 if cycles > 1 else 1)
    for n, (k, st) in enumerate(order):
        where = f"loading.protocol[{k}]" + (" (cycle 2)" if n >= len(steps) else "")
        after = "" if last["kind"] is None else f" (where the step before ends: {last['end']})"
        if isinstance(st, CcStep):
            charge = st.direction == "charge"
            until = st.until
            if until is not None and until.voltage_V is not None and last["V"] is not None:
                V, v_prev = until.voltage_V, float(last["V"])
                # the same voltage again at a lower current (1C, then C/10 to 4.2 V) is a
                # step: the smaller overpotential takes the voltage back below it
                lower = last["rate"] is not None and st.c_rate < last["rate"]
                beyond = (1.0 if charge else -1.0) * (V - v_prev)
                if beyond < 0.0 or (beyond == 0.0 and not lower):
                    raise ValueError(
                        f"{where}.until.voltage_V = {V:g} V: the {st.direction} starts at "
                        f"{last['V']:g} V{after} and would never reach it; give a voltage "
                        f"{'above' if charge else 'below'} {last['V']:g} V (or the same at a "
                        "lower current)"
                    )
            if until is not None and until.x is not None and last["x"] is not None:
                x, x_prev = until.x, float(last["x"])
                if (1.0 if charge else -1.0) * (x_prev - x) <= 0.0:
                    raise ValueError(
                        f"{where}.until.x = {x:g}: the {st.direction} starts at x = "
                        f"{last['x']:g}{after} and would never reach it; give an x "
                        f"{'below' if charge else 'above'} {last['x']:g}"
                    )
            last.update(
                direction=st.direction,
                kind="cc",
                rate=st.c_rate,
                V=None if until is None else until.voltage_V,
                x=None if until is None else until.x,
                end=(
                    "the end of the window"
                    if until is None
                    else f"{until.voltage_V:g} V"
                    if until.voltage_V is not None
                    else f"x = {until.x:g}"
                ),
            )
        elif isinstance(st, CvStep):
            if last["kind"] not in ("cc", "cv"):
                raise ValueError(
                    f"{where}: a cv step follows a cc step (or a cv step), which sets its "
                    "direction; put it right after the cc step that ends on a voltage"
                )
            if last["kind"] == "cc":
                if last["V"] is None:
                    raise ValueError(
                        f"loading.protocol[{k - 1}].until: a cc step before a cv step ends on "
                        "a voltage ({voltage_V: ..}), the cv step's voltage_V or one before it"
                    )
                if st.until.c_rate_below >= last["rate"]:
                    raise ValueError(
                        f"{where}.until.c_rate_below = {st.until.c_rate_below:g} is not below "
                        f"the cc step's {last['rate']:g}C: the hold would end at once; give a "
                        "smaller end current"
                    )
            v_prev, v_cv = last["V"], st.voltage_V
            wrong = v_cv < v_prev if last["direction"] == "charge" else v_cv > v_prev
            if wrong:
                raise ValueError(
                    f"{where}.voltage_V = {v_cv:g} V lies behind the step before's end "
                    f"{v_prev:g} V: the {last['direction']} would reverse; hold at {v_prev:g} V "
                    "(or beyond it)"
                )
            last.update(
                kind="cv", V=v_cv, x=None, rate=st.until.c_rate_below, end=f"{v_cv:g} V, held"
            )
        else:  # a rest: x̄ stays, the voltage relaxes towards the OCV (not known here)
            last.update(kind="rest", V=None, rate=None, end="a rest")


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
    cutoff_V: float | None = Field(
        None,
        gt=0.0,
        lt=10.0,
        description="cut-off voltage, V vs Li/Li⁺: the charge (discharge) ends, on it, "
        "when the cell voltage (summary.csv voltage_V: see kinetics) reaches it (needs the "
        "cathode's ocv); default: no cut-off",
    )
    extrapolate: Literal["stop", "hold"] = Field(
        "stop",
        description="where the particle's x leaves the cathode's lattice-strain table: stop "
        "(the run ends on the table's end, status surface_limit) or hold (the end values "
        "are held beyond it, strain constant and dε/dx = 0 there; summary.csv's "
        "lattice_table_held says at which SOCs)",
    )

    protocol: list[ProtocolStep] | None = Field(
        None,
        description="electrochemical steps, starting with a cc step, e.g. [{step: cc, "
        "direction: charge, c_rate: 1, until: {voltage_V: 4.3}}, {step: cv, voltage_V: 4.3, "
        "until: {c_rate_below: 0.05}}, {step: rest, minutes: 30}, {step: cc, direction: "
        "discharge, c_rate: 1, until: {voltage_V: 3.0}}]; replaces mode, c_rate, x_end, "
        "cutoff_V (set from its first cc step)",
    )
    cycles: int = Field(
        1,
        ge=1,
        le=10000,
        description="repetitions of the protocol (each starts where the one before ended)",
    )
    report: ReportConfig | None = Field(
        None, description="protocol reports: {soc_step, at_step_end} (instead of report_soc)"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_protocol(cls, data: Any) -> Any:
        """A protocol sets mode, c_rate, x_end and cutoff_V from its cc step (and
        report_soc from report.soc_step, in validate_config); they may not be given too."""
        if not isinstance(data, dict) or data.get("protocol") is None:
            return data
        steps = data["protocol"]
        if not isinstance(steps, list) or not steps:
            return data  # the field's own validation names the problem
        kinds = [st.get("step") if isinstance(st, dict) else None for st in steps]
        if kinds[0] != "cc":
            raise ValueError(
                f"loading.protocol[0]: a protocol starts with a cc step (its direction and "
                f"start state set the run's start), got {kinds[0]!r}"
            )
        cc = steps[0]
        until = cc.get("until") if isinstance(cc.get("until"), dict) else {}
        derived = {"mode": cc.get("direction"), "c_rate": cc.get("c_rate")}
        if until.get("voltage_V") is not None:
            derived["cutoff_V"] = until["voltage_V"]
        if until.get("x") is not None:
            derived["x_end"] = until["x"]
        clash = [
            k
            for k in ("mode", "c_rate", "cutoff_V", "x_end")
            if (k in data and data[k] is not None and data[k] != derived.get(k, data[k]))
            or (
                k in ("mode", "c_rate", "cutoff_V") and data.get(k) is not None and k not in derived
            )
        ]
        if clash:
            raise ValueError(
                f"loading.protocol sets {', '.join(clash)} from its cc step: leave "
                f"loading.{clash[0]} out (or drop the protocol)"
            )
        out = dict(data)
        out.update({k: v for k, v in derived.items() if v is not None})
        return out

    @model_validator(mode="after")
    def _protocol_steps(self) -> LoadingConfig:
        p = self.protocol
        if p is None:
            if self.report is not None:
                raise ValueError("loading.report needs a loading.protocol (else: report_soc)")
            if self.cycles != 1:
                raise ValueError("loading.cycles needs a loading.protocol (the steps to repeat)")
            return self
        check_protocol(p, self.cycles)
        kinds = [st.step for st in p]
        segmented = self.cycles > 1 or kinds not in (["cc"], ["cc", "cv"])
        if segmented and self.report is not None and not self.report.at_step_end:
            raise ValueError(
                "loading.report.at_step_end: a protocol of several steps or cycles reports "
                "at the end of every step (cycles.csv reads its capacities there); leave it "
                "true"
            )
        return self

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


# --------------------------------------------------------------------------- kinetics


class KineticsConfig(Section):
    """Charge transfer at the particle–electrolyte interface, and the cell voltage.

    ``uniform_flux``: the same Li flux through every point of the interface (no kinetics;
    the verification cases); the reported voltage is the interface average of U(x) plus
    the series resistance's drop. ``butler_volmer``: the local current
    i = i₀(x)[exp(α_a F η/RT) − exp(−α_c F η/RT)], η = Φ − U(x), with one electrode
    potential Φ fixed by the applied current; the voltage is Φ + i R_s. Potentials are V
    vs Li/Li⁺ (a lithium-metal counter electrode whose kinetics are not modelled).
    """

    model: Literal["uniform_flux", "butler_volmer"] = Field(
        "uniform_flux",
        description="uniform_flux (the same flux everywhere on the interface) or "
        "butler_volmer (local Butler-Volmer current, one electrode potential)",
    )
    i0_A_m2: float | None = Field(
        None,
        gt=0.0,
        le=1e4,
        description="exchange current density at x = 0.5, A/m² (default: the cathode's "
        "value; `polycat materials` lists it with its source)",
    )
    alpha_a: float | None = Field(
        None, gt=0.0, lt=1.0, description="anodic transfer coefficient (default: the cathode's)"
    )
    alpha_c: float | None = Field(
        None, gt=0.0, lt=1.0, description="cathodic transfer coefficient (default: the cathode's)"
    )
    i0_x_dependence: Literal["sqrt", "constant"] | None = Field(
        None,
        description="i₀(x): sqrt (x^α_c (1−x)^α_a, normalised at x = 0.5) or constant "
        "(default: the cathode's)",
    )
    series_resistance_ohm_m2: float = Field(
        0.0,
        ge=0.0,
        le=1.0,
        description="area-specific series resistance (electrolyte, contacts), Ω·m² of "
        "particle surface (1 Ω·cm² = 1e-4 Ω·m²); adds i R_s to the voltage",
    )


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
    mechanics_matrix: Literal["baij", "aij"] = Field(
        _SOLVER_DEFAULTS.mechanics_matrix,
        description="PETSc format of the mechanics operator: baij (3x3 blocks, ~2x faster "
        "products, the default) or aij; the answer is the same",
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
    two_way_anderson_depth: int = Field(
        _SOLVER_DEFAULTS.coupling_anderson_depth,
        ge=0,
        le=50,
        description="Anderson acceleration of the two-way fixed point over this many "
        "previous iterates (0: Aitken relaxation)",
    )
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
    kinetics: KineticsConfig = Field(default_factory=KineticsConfig)  # type: ignore[arg-type]
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
        g, m, itf = self.geometry, self.mechanics, self.interfaces
        if g.kind == "generated":  # a mesh file's facts: resolve.check_file_geometry
            facts = GeometryFacts(
                matrix=g.matrix,
                n_grains=g.n_grains,
                dim=g.dim,
                box=g.matrix == "box",
                no_matrix="geometry.matrix is none",
                not_box=f"it needs geometry.matrix: box (got {g.matrix})",
                one_grain="geometry.n_grains is 1 (a single crystal)",
                two_d="geometry.dim is 2",
            )
            error = combination_error(
                facts, m.boundary, itf.grain_boundary.model, itf.cathode_electrolyte.model
            )
            if error is not None:
                raise ValueError(error)
        if itf.cohesive and self.kinetics.model == "butler_volmer":
            raise ValueError(
                "kinetics.model: butler_volmer is not yet combined with cohesive interfaces "
                "(the contact-weighted flux of an opening interface); use kinetics.model: "
                "uniform_flux or bonded interfaces"
            )
        if itf.cohesive and self.coupling == "two_way":
            raise ValueError(
                "interfaces: cohesive interfaces are not yet combined with coupling: two_way; "
                "use coupling: one_way"
            )
        return self
