"""LLZO, Al-doped cubic garnet Li7La3Zr2O12."""

from __future__ import annotations

from polycat.materials.electrolytes._common import (
    BARAI_2021,
    DENG_2016,
    LLZO_INTERFACE_ENERGY_J_M2,
    LLZO_INTERFACE_ENERGY_SOURCE,
    adhesion_estimate,
    round_sig,
)
from polycat.materials.estimates import toughness_from_energy_MPa_sqrt_m
from polycat.materials.sources import Source
from polycat.materials.types import ElectrolyteMaterial

__all__ = ["ALIASES", "MATERIAL"]

ALIASES = ("Li7La3Zr2O12", "Al-LLZO")

E_GPA, NU = 149.8, 0.26
_ELASTIC = Source(
    citation=f"{DENG_2016}, Table II (experimental value quoted there)",
    evidence="measured",
    note=(
        "[S] Al-doped cubic Li6.24La3Zr2Al0.24O11.98, porosity 0.03: E = 149.8 GPa "
        "(B 102.8, G 59.6), nu = 0.26; primary source probably Ni et al., J. Mater. Sci. "
        "(2012) [U]. 132.5 GPa at porosity 0.06 (via Bucci 2017)."
    ),
)
ADHESION_MPA, _ADHESION = adhesion_estimate(
    E_GPA,
    NU,
    LLZO_INTERFACE_ENERGY_J_M2,
    "DFT NMC811(10-14)|LLZO(100) interface energy, Barai 2021 [S]",
)
G_C_BULK = 5.3
TOUGHNESS = round_sig(toughness_from_energy_MPa_sqrt_m(E_GPA, NU, G_C_BULK))

MATERIAL = ElectrolyteMaterial(
    name="LLZO",
    formula="Li7La3Zr2O12 (Al-doped, cubic)",
    E_GPa=E_GPA,
    nu=NU,
    adhesion_strength_MPa=ADHESION_MPA,
    fracture_toughness_MPa_sqrt_m=TOUGHNESS,
    interface_fracture_energy_J_m2=LLZO_INTERFACE_ENERGY_J_M2,
    state="Al-doped cubic garnet, porosity 0.03 (experiment)",
    sources={
        "interface_fracture_energy_J_m2": LLZO_INTERFACE_ENERGY_SOURCE,
        "E_GPa": _ELASTIC,
        "nu": _ELASTIC,
        "adhesion_strength_MPa": _ADHESION,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation=f"{BARAI_2021}, Table S-II",
            evidence="estimate",
            note=(
                f"[S]+[C] LLZO bulk fracture threshold G_c = {G_C_BULK} J/m² converted "
                f"with K = sqrt(E G_c/(1 - nu²)) (plane strain, E = {E_GPA} GPa): "
                f"{TOUGHNESS:g} MPa·m^0.5."
            ),
        ),
    },
    notes="Stiff oxide garnet SE (E comparable to NCM): a contrast case to the sulfides.",
)
