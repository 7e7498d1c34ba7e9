"""The ``materials:`` section of the run config: built-in names or inline definitions."""

from __future__ import annotations

import itertools
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from polycat.config.sections import Fraction, PositiveFloat, Section


class IsotropicElasticityConfig(Section):
    """Isotropic grain stiffness: Young's modulus (GPa) and Poisson ratio."""

    E_GPa: PositiveFloat = Field(description="Young's modulus, GPa")
    nu: float = Field(gt=-1.0, lt=0.5, description="Poisson ratio")


class TrigonalCij(Section):
    """Trigonal (R-3m) single-crystal elastic constants, GPa."""

    C11: float
    C12: float
    C13: float
    C14: float = 0.0
    C33: float
    C44: float


class AnisotropicElasticityConfig(Section):
    """Anisotropic grain stiffness given by its trigonal constants."""

    C_GPa: TrigonalCij = Field(description="trigonal (R-3m) single-crystal constants, GPa")

    @model_validator(mode="after")
    def _positive_definite(self) -> AnisotropicElasticityConfig:
        from polycat.materials.elasticity import TrigonalElasticity

        TrigonalElasticity(**self.C_GPa.model_dump())  # ValueError names the eigenvalues
        return self


def _elasticity_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        if "C_GPa" in v:
            return "anisotropic"
        if "E_GPa" in v or "nu" in v:
            return "isotropic"
        return None
    if isinstance(v, IsotropicElasticityConfig):
        return "isotropic"
    if isinstance(v, AnisotropicElasticityConfig):
        return "anisotropic"
    return None


ElasticityConfig = Annotated[
    Annotated[IsotropicElasticityConfig, Tag("isotropic")]
    | Annotated[AnisotropicElasticityConfig, Tag("anisotropic")],
    Discriminator(
        _elasticity_kind,
        custom_error_type="elasticity_kind",
        custom_error_message=(
            "elasticity must be {E_GPa: .., nu: ..} (isotropic) or "
            "{C_GPa: {C11, C12, C13, C14, C33, C44}} (trigonal)"
        ),
    ),
]


class LinearLatticeStrainConfig(Section):
    """A lattice eigenstrain linear in x about x_ref."""

    eps_a_per_x: float = Field(description="d(eps_a)/dx, linear about x_ref")
    eps_c_per_x: float = Field(description="d(eps_c)/dx, linear about x_ref")


class TableLatticeStrainConfig(Section):
    """A tabulated lattice eigenstrain: rows [x, eps_a, eps_c]."""

    table: list[tuple[float, float, float]] = Field(
        description="rows [x, eps_a, eps_c]; x strictly monotone, at least 4 rows"
    )

    @field_validator("table")
    @classmethod
    def _table_ok(cls, v: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
        if len(v) < 4:
            raise ValueError(f"needs at least 4 rows [x, eps_a, eps_c], got {len(v)}")
        xs = [row[0] for row in v]
        inc = all(b > a for a, b in itertools.pairwise(xs))
        dec = all(b < a for a, b in itertools.pairwise(xs))
        if not (inc or dec):
            raise ValueError("x (first column) must be strictly increasing or decreasing")
        if min(xs) < 0.0 or max(xs) > 1.0:
            raise ValueError("x (first column) is a Li fraction and must lie in [0, 1]")
        return v


class AnisotropicDiffusivityConfig(Section):
    """Li diffusivity of a layered host, in the crystal frame: D_ab in the ab-planes, D_c
    along the c-axis (rotated with each grain)."""

    D_ab_m2_s: PositiveFloat = Field(description="diffusivity in the ab-planes, m²/s")
    D_c_m2_s: PositiveFloat = Field(description="diffusivity along the c-axis, m²/s")
    x_dependence: Literal["constant"] = Field(
        "constant", description="how D_ab and D_c vary with x: constant (the only law for "
        "inline cathodes today; built-in cathodes carry their own D(x))",
    )  # fmt: skip

    @model_validator(mode="after")
    def _ratio(self) -> AnisotropicDiffusivityConfig:
        r = self.D_c_m2_s / self.D_ab_m2_s
        if not 1e-6 <= r <= 1e3:
            raise ValueError(
                f"D_c_m2_s / D_ab_m2_s = {r:.3g} is outside [1e-6, 1e3]: check the units "
                "(both m²/s)"
            )
        return self


class OcvConfig(Section):
    """An open-circuit potential U(x) (V vs Li/Li⁺): rows [x, U_V], piecewise linear."""

    table: list[tuple[float, float]] = Field(
        description="rows [x, U_V]: x strictly increasing in [0, 1], U_V strictly falling "
        "(a single-phase host), at least 2 rows; held at the end slopes outside"
    )

    @field_validator("table")
    @classmethod
    def _table_ok(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        from polycat.materials.ocv import TabulatedOcv

        TabulatedOcv(tuple(r[0] for r in v), tuple(r[1] for r in v))  # its message
        return v


def _lattice_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        if "table" in v:
            return "table"
        if "eps_a_per_x" in v or "eps_c_per_x" in v:
            return "linear"
        return None
    if isinstance(v, TableLatticeStrainConfig):
        return "table"
    if isinstance(v, LinearLatticeStrainConfig):
        return "linear"
    return None


LatticeStrainConfig = Annotated[
    Annotated[LinearLatticeStrainConfig, Tag("linear")]
    | Annotated[TableLatticeStrainConfig, Tag("table")],
    Discriminator(
        _lattice_kind,
        custom_error_type="lattice_strain_kind",
        custom_error_message=(
            "lattice_strain must be {eps_a_per_x: .., eps_c_per_x: ..} or "
            "{table: [[x, eps_a, eps_c], ...]}"
        ),
    ),
]


class CathodeConfig(Section):
    """A user-defined cathode active material, written inline in the config."""

    name: str = Field(min_length=1)
    elasticity: ElasticityConfig
    lattice_strain: LatticeStrainConfig
    x_ref: Fraction = Field(
        1.0, description="Li fraction of the stress-free lattice (a default that decides the "
        "answer: reported as defaulted when not given)",
    )  # fmt: skip
    diffusivity_m2_s: PositiveFloat | None = Field(
        None, description="Li diffusivity (constant, isotropic), m²/s; or give diffusivity"
    )
    diffusivity: AnisotropicDiffusivityConfig | None = Field(
        None, description="anisotropic Li diffusivity {D_ab_m2_s, D_c_m2_s} in the crystal "
        "frame (instead of diffusivity_m2_s)",
    )  # fmt: skip
    c_max_mol_m3: PositiveFloat = Field(description="Li concentration at x = 1, mol/m³")
    x_window: tuple[Fraction, Fraction] = Field(
        (0.0, 1.0),
        description="(x_min, x_max) practical Li window: it defines SOC (1 = charged to x_min) "
        "and the C-rate (1C = the window in one hour); reported as defaulted when not given",
    )
    gb_strength_MPa: PositiveFloat = Field(
        700.0, description="grain-boundary tensile strength, MPa (reported as defaulted when "
        "not given)",
    )  # fmt: skip
    ocv: OcvConfig | None = Field(
        None, description="open-circuit potential {table: [[x, U_V], ...]}: the thermodynamic "
        "factor of the two-way coupling's stress-driven flux",
    )  # fmt: skip

    @model_validator(mode="after")
    def _window(self) -> CathodeConfig:
        if (self.diffusivity_m2_s is None) == (self.diffusivity is None):
            raise ValueError(
                "give exactly one of diffusivity_m2_s (isotropic, m²/s) and diffusivity "
                "{D_ab_m2_s: .., D_c_m2_s: ..} (anisotropic, m²/s)"
            )
        lo, hi = self.x_window
        if not lo < hi:
            raise ValueError(f"x_window must be (x_min, x_max) with x_min < x_max, got {lo}, {hi}")
        lat = self.lattice_strain
        if isinstance(lat, TableLatticeStrainConfig):
            xs = [row[0] for row in lat.table]
            if lo < min(xs) - 1e-12 or hi > max(xs) + 1e-12:
                raise ValueError(
                    f"x_window ({lo}, {hi}) reaches outside the lattice table's x range "
                    f"[{min(xs)}, {max(xs)}]; narrow x_window or extend the table"
                )
            if not min(xs) <= self.x_ref <= max(xs):
                raise ValueError(f"x_ref {self.x_ref} is outside the lattice table's x range")
        return self


class ElectrolyteConfig(Section):
    """A user-defined solid electrolyte (isotropic, linear elastic)."""

    name: str = Field(min_length=1)
    E_GPa: PositiveFloat = Field(description="Young's modulus, GPa")
    nu: float = Field(gt=-1.0, lt=0.5, description="Poisson ratio")
    adhesion_strength_MPa: PositiveFloat = Field(
        100.0, description="CAM–SE interface tensile strength used for the delamination risk, "
        "MPa (reported as defaulted when not given)",
    )  # fmt: skip


def _by_name_or_inline(v: Any) -> str:
    return "name" if isinstance(v, str) else "inline"


CathodeRef = Annotated[
    Annotated[str, Tag("name")] | Annotated[CathodeConfig, Tag("inline")],
    Discriminator(_by_name_or_inline),
]
ElectrolyteRef = Annotated[
    Annotated[str, Tag("name")] | Annotated[ElectrolyteConfig, Tag("inline")],
    Discriminator(_by_name_or_inline),
]


class MaterialsConfig(Section):
    """The cathode and electrolyte of a run: built-in names or inline definitions."""

    cathode: CathodeRef = Field("NCM811", description="built-in name or inline mapping")
    electrolyte: ElectrolyteRef = Field("Li6PS5Cl", description="built-in name or inline mapping")
    diffusion_anisotropy: Literal["material", "isotropic"] | PositiveFloat | None = Field(
        None, description="Li diffusion in the grains: isotropic, material (the cathode's "
        "own D_c/D_ab: 0.01 for the built-ins, a hypothesis), or a D_c/D_ab ratio (the "
        "cathode's D(x) stays the orientation average); unset: isotropic for a built-in "
        "cathode (anisotropy is opt-in while the interface current is uniform, "
        "docs/physics.md §5.5), an inline cathode's diffusivity as written",
    )  # fmt: skip

    @field_validator("diffusion_anisotropy")
    @classmethod
    def _ratio_range(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, str) and not 1e-6 <= float(v) <= 1e3:
            raise ValueError(f"D_c/D_ab = {v} is outside [1e-6, 1e3]")
        return v

    @field_validator("cathode")
    @classmethod
    def _known_cathode(cls, v: Any) -> Any:
        if isinstance(v, str):
            from polycat.materials import get_cathode

            get_cathode(v)  # raises with the list of valid names
        return v

    @field_validator("electrolyte")
    @classmethod
    def _known_electrolyte(cls, v: Any) -> Any:
        if isinstance(v, str):
            from polycat.materials import get_electrolyte

            get_electrolyte(v)
        return v
