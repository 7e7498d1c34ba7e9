"""Li10GeP2S12 (LGPS)."""

from __future__ import annotations

from polycat.materials.electrolytes._common import (
    DENG_2016,
    SULFIDE_INTERFACE_ENERGY_J_M2,
    SULFIDE_INTERFACE_ENERGY_SOURCE,
    adhesion_estimate,
)
from polycat.materials.sources import Source
from polycat.materials.types import ElectrolyteMaterial

__all__ = ["ALIASES", "MATERIAL"]

ALIASES = ("LGPS",)

E_GPA, NU = 21.7, 0.37
_ELASTIC = Source(
    citation=f"{DENG_2016}, Table III",
    evidence="dft",
    note=(
        "[S] DFT (PBEsol): E = 21.7 GPa (B 27.3, G 7.9), nu = 0.37; C44 only 3.5 GPa. "
        "An atomistic value of 37.2 GPa / 0.296 (Wang/Ouyang 2014, via Bucci 2017) also "
        "exists."
    ),
)
ADHESION_MPA, _ADHESION = adhesion_estimate(
    E_GPA, NU, 0.8, "cathode|sulfide interface energy quoted by Barai 2021 (their refs 69-70) [S]"
)

MATERIAL = ElectrolyteMaterial(
    name="Li10GeP2S12",
    formula="Li10GeP2S12",
    E_GPa=E_GPA,
    nu=NU,
    adhesion_strength_MPa=ADHESION_MPA,
    fracture_toughness_MPa_sqrt_m=None,
    interface_fracture_energy_J_m2=SULFIDE_INTERFACE_ENERGY_J_M2,
    state="dense crystal (DFT)",
    sources={
        "interface_fracture_energy_J_m2": SULFIDE_INTERFACE_ENERGY_SOURCE,
        "E_GPa": _ELASTIC,
        "nu": _ELASTIC,
        "adhesion_strength_MPa": _ADHESION,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation="not found (docs/physics.md §4)",
            evidence="none",
            note="No fracture toughness of LGPS was found in the verified sources; left unset.",
        ),
    },
    notes="Superionic thiophosphate; elastically similar to Li6PS5Cl.",
)
