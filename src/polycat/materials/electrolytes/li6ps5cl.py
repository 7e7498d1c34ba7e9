"""Li6PS5Cl argyrodite."""

from __future__ import annotations

from polycat.materials.electrolytes._common import DENG_2016, adhesion_estimate
from polycat.materials.sources import Source
from polycat.materials.types import ElectrolyteMaterial

__all__ = ["MATERIAL"]

E_GPA, NU = 22.1, 0.37
_ELASTIC = Source(
    citation=f"{DENG_2016}, Table III",
    note=(
        "[S] DFT (PBEsol, ordered Li at 24g): E = 22.1 GPa (B 28.7, G 8.1), nu = 0.37; "
        "dense-phase value for a resolved SE. Measured: 28.0 ± 1.8 GPa (nanoindentation, "
        "sintered; Ning et al. 2023) and 4.7 ± 1.1 GPa for cold-pressed 13 % porous "
        "pellets (Song et al. 2025) - use the latter only for a homogenised porous SE."
    ),
)
ADHESION_MPA, _ADHESION = adhesion_estimate(
    E_GPA, NU, 0.8, "cathode|sulfide interface energy quoted by Barai 2021 (their refs 69-70) [S]"
)

MATERIAL = ElectrolyteMaterial(
    name="Li6PS5Cl",
    formula="Li6PS5Cl",
    E_GPa=E_GPA,
    nu=NU,
    adhesion_strength_MPa=ADHESION_MPA,
    fracture_toughness_MPa_sqrt_m=0.69,
    sources={
        "E_GPa": _ELASTIC,
        "nu": _ELASTIC,
        "adhesion_strength_MPa": _ADHESION,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation=(
                "Ning et al., Nature (2023), as cited by Song, Shi, Pakhare, Sheldon & Guduru, "
                "ACS Appl. Energy Mater. 8 (2025) 5636"
            ),
            note=(
                "[S] 0.69 ± 0.12 MPa·m^0.5 by nanoindentation on material sintered at "
                "300 °C (dense). Cold-pressed 13 % porous pellets: 0.17 ± 0.03 (Song 2025)."
            ),
        ),
    },
    notes="Argyrodite sulfide SE, the baseline matrix (compliant: about 1/6 of NCM's E).",
)
