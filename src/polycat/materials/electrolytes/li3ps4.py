"""beta-Li3PS4 (accepted aliases: Li3PS4, β-Li3PS4)."""

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

ALIASES = ("Li3PS4", "β-Li3PS4", "LPS")

E_GPA, NU = 29.5, 0.29
_ELASTIC = Source(
    citation=f"{DENG_2016}, Table III",
    evidence="dft",
    note=(
        "[S] DFT: E = 29.5 GPa (B 23.3, G 11.4), nu = 0.29 for orthorhombic beta-Li3PS4. "
        "Porous Li3PS4 compacts are much softer (3.5-9.8 GPa at 58-80 % density, "
        "Baranowski 2016)."
    ),
)
ADHESION_MPA, _ADHESION = adhesion_estimate(
    E_GPA, NU, 0.8, "cathode|sulfide interface energy quoted by Barai 2021 (their refs 69-70) [S]"
)

MATERIAL = ElectrolyteMaterial(
    name="beta-Li3PS4",
    formula="Li3PS4",
    E_GPa=E_GPA,
    nu=NU,
    adhesion_strength_MPa=ADHESION_MPA,
    fracture_toughness_MPa_sqrt_m=0.23,
    interface_fracture_energy_J_m2=SULFIDE_INTERFACE_ENERGY_J_M2,
    state="dense crystal (DFT)",
    sources={
        "interface_fracture_energy_J_m2": SULFIDE_INTERFACE_ENERGY_SOURCE,
        "E_GPa": _ELASTIC,
        "nu": _ELASTIC,
        "adhesion_strength_MPa": _ADHESION,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation="McGrogan et al., Adv. Energy Mater. 7 (2017) 1602011",
            evidence="estimate",
            note=(
                "[S] 0.23 ± 0.04 MPa·m^0.5 by nanoindentation of Li2S-P2S5 glass; borrowed "
                "for crystalline beta-Li3PS4 (no value found for it)."
            ),
        ),
    },
    notes="Thiophosphate SE used with NCM811 by Koerver et al. (Chem. Mater. 2017).",
)
