"""The ``interfaces:`` section of the run config: bonded or cohesive grain boundaries and
CAM–SE interface (units in the field names: MPa, J/m², GPa/µm)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from polycat.config.sections import PositiveFloat, Section

__all__ = ["CathodeElectrolyteConfig", "GrainBoundaryConfig", "InterfacesConfig"]


class _InterfaceClass(Section):
    """One class of interfaces: its model and, for ``cohesive``, its law."""

    model: Literal["bonded", "cohesive"] = Field(
        "bonded",
        description="bonded (continuous displacement; risk = traction / strength) or "
        "cohesive (bilinear traction–separation law with contact: it can open)",
    )
    strength_MPa: PositiveFloat | None = Field(
        None, description="tensile strength σ_c, MPa (default: the material's)"
    )
    fracture_energy_J_m2: PositiveFloat | None = Field(
        None, description="mode-I fracture energy G_c, J/m² (default: the material's)"
    )
    initial_stiffness_GPa_per_um: PositiveFloat | None = Field(
        None,
        description="initial stiffness k0, GPa/µm (default 50 E/h: the smaller Young's "
        "modulus of the two sides over the interface element size)",
    )
    shear_strength_MPa: PositiveFloat | None = Field(
        None,
        description="shear strength τ_c, MPa (default σ_c; the mode-II energy is then "
        "G_c (τ_c/σ_c)²)",
    )
    contact_stiffness_GPa_per_um: PositiveFloat | None = Field(
        None, description="penalty against interpenetration, GPa/µm (default k0)"
    )
    strength_reduction: Literal["turon", "none"] = Field(
        "turon",
        description="where the mesh resolves the cohesive zone E′G_c/σ_c² with fewer than 3 "
        "elements: turon lowers σ_c to √(9π E′ G_c/(32·3·h)) keeping G_c (Turon et al., "
        "Eng. Fract. Mech. 74 (2007) 1665); none keeps σ_c (and warns)",
    )


class GrainBoundaryConfig(_InterfaceClass):
    """Grain boundaries (``gb_i_j``)."""

    li_transport: Literal["blocked_when_cracked", "continuous"] = Field(
        "blocked_when_cracked",
        description="Li crosses an intact boundary freely and a cracked one not at all "
        "(transmission × (1 − damage)), or always (continuous)",
    )


class CathodeElectrolyteConfig(_InterfaceClass):
    """The particle–electrolyte interface (``interface_i``)."""

    li_transport: Literal["contact_only", "uniform"] = Field(
        "contact_only",
        description="the current is carried by the area still in contact (contact_only), "
        "or spread over the whole interface whatever its damage (uniform)",
    )


class InterfacesConfig(Section):
    """How grain boundaries and the CAM–SE interface behave. If either is cohesive the
    mesh is split along both; a class left ``bonded`` then gets an unbreakable elastic
    bond (stiffness 1000 E/h)."""

    grain_boundary: GrainBoundaryConfig = Field(default_factory=GrainBoundaryConfig)  # type: ignore[arg-type]
    cathode_electrolyte: CathodeElectrolyteConfig = Field(
        default_factory=CathodeElectrolyteConfig  # type: ignore[arg-type]
    )

    integration: Literal["implex", "implicit"] = Field(
        "implex",
        description="how the damage history is integrated in time: implex (history "
        "extrapolated from the two last steps, then updated implicitly: one symmetric "
        "solve per step, first order in the step; Oliver et al. 2008) or implicit "
        "(Newton on the rate-independent law: exact per step, but it must pass every "
        "snap-back of unstable cracking, costly on a polycrystal)",
    )
    viscous_regularization_soc: float = Field(
        0.0,
        ge=0.0,
        le=0.1,
        description="time η of a viscous regularisation of the damage (Gao & Bower 2004), "
        "as a fraction of the charge time (SOC): damage then lags its rate-independent "
        "value by about η and Newton passes the snap-backs of unstable cracking; 0: none",
    )

    @property
    def cohesive(self) -> bool:
        """True when either class is cohesive (the mesh is split)."""
        return "cohesive" in (self.grain_boundary.model, self.cathode_electrolyte.model)
