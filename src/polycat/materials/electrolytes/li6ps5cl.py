"""Li6PS5Cl argyrodite: the dense-crystal (DFT) default and two measured states.

``Li6PS5Cl`` (the default, unchanged values) is the dense crystal of DFT; the variants are
``Li6PS5Cl-sintered`` (nanoindentation of a 300 °C sintered compact) and
``Li6PS5Cl-cold-pressed`` (bulk tests of a 13 % porous pellet, the state of a typical
cold-pressed composite). Use a measured-state variant for a homogenised SE around the
particle; use the dense value for a resolved SE phase.
"""

from __future__ import annotations

from polycat.materials.electrolytes._common import (
    DENG_2016,
    SULFIDE_INTERFACE_ENERGY_J_M2,
    SULFIDE_INTERFACE_ENERGY_SOURCE,
    adhesion_estimate,
)
from polycat.materials.sources import Source
from polycat.materials.types import ElectrolyteMaterial

__all__ = ["ALIASES", "COLD_PRESSED", "MATERIAL", "SINTERED", "VARIANTS"]

SONG_2025 = "Song, Shi, Pakhare, Sheldon & Guduru, ACS Appl. Energy Mater. 8 (2025) 5636"
SONG_DOI = "10.1021/acsaem.4c03143"
SONG_DIGEST = (
    "[S] repository yonghoon7153-source/Yonghoon-DEM-DFT, "
    "litdb/papers/song2025_porous_argyrodite_modulus_fracture_toughness.md"
)
_SULFIDE_ENERGY_NOTE = (
    "cathode|sulfide interface energy quoted by Barai 2021 (their refs 69-70) [S]"
)

E_GPA, NU = 22.1, 0.37
_ELASTIC = Source(
    citation=f"{DENG_2016}, Table III",
    evidence="dft",
    note=(
        "[S] DFT (PBEsol, ordered Li at 24g): E = 22.1 GPa (B 28.7, G 8.1), nu = 0.37; "
        "dense-crystal value, for a resolved SE phase. Measured states: Li6PS5Cl-sintered "
        "(28.0 GPa) and Li6PS5Cl-cold-pressed (4.7 GPa)."
    ),
)
ADHESION_MPA, _ADHESION = adhesion_estimate(E_GPA, NU, 0.8, _SULFIDE_ENERGY_NOTE)

MATERIAL = ElectrolyteMaterial(
    name="Li6PS5Cl",
    formula="Li6PS5Cl",
    E_GPa=E_GPA,
    nu=NU,
    adhesion_strength_MPa=ADHESION_MPA,
    fracture_toughness_MPa_sqrt_m=0.69,
    interface_fracture_energy_J_m2=SULFIDE_INTERFACE_ENERGY_J_M2,
    state="dense crystal (DFT)",
    sources={
        "E_GPa": _ELASTIC,
        "nu": _ELASTIC,
        "adhesion_strength_MPa": _ADHESION,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation=f"Ning et al., Nature (2023), as cited by {SONG_2025}",
            evidence="measured",
            checked=SONG_DIGEST,
            note=(
                "[S] 0.69 +- 0.12 MPa·m^0.5 by nanoindentation on material sintered at "
                "300 °C (dense). Cold-pressed 13 % porous pellets: 0.17 +- 0.03 (Song 2025)."
            ),
        ),
        "interface_fracture_energy_J_m2": SULFIDE_INTERFACE_ENERGY_SOURCE,
    },
    notes="Argyrodite sulfide SE, the baseline matrix (compliant: about 1/6 of NCM's E).",
)

# ---------------------------------------------------------------- sintered (dense, measured)
E_SINTERED_GPA = 28.0
_SINTERED_E = Source(
    citation=f"Ning et al., Nature (2023), as cited by {SONG_2025}",
    evidence="measured",
    checked=SONG_DIGEST,
    note=(
        "[S] 28.0 +- 1.8 GPa, nanoindentation (cube-corner/Berkovich) of Li6PS5Cl pressed at "
        "400 MPa and sintered at 300 °C for 20 min (10 µm particles); a near-dense local value."
    ),
)
_NU_ASSUMED = Source(
    citation=f"{DENG_2016}, Table III (DFT nu)",
    evidence="estimate",
    note="nu = 0.37 of the DFT crystal, assumed (Song 2025 make the same assumption).",
)
_ADH_SINTERED, _ADH_SINTERED_SRC = adhesion_estimate(E_SINTERED_GPA, NU, 0.8, _SULFIDE_ENERGY_NOTE)
SINTERED = ElectrolyteMaterial(
    name="Li6PS5Cl-sintered",
    formula="Li6PS5Cl",
    E_GPa=E_SINTERED_GPA,
    nu=NU,
    adhesion_strength_MPa=_ADH_SINTERED,
    fracture_toughness_MPa_sqrt_m=0.69,
    interface_fracture_energy_J_m2=SULFIDE_INTERFACE_ENERGY_J_M2,
    state="sintered at 300 °C, near dense (nanoindentation)",
    sources={
        "E_GPa": _SINTERED_E,
        "nu": _NU_ASSUMED,
        "adhesion_strength_MPa": _ADH_SINTERED_SRC,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation=f"Ning et al., Nature (2023), as cited by {SONG_2025}",
            evidence="measured",
            checked=SONG_DIGEST,
            note="[S] 0.69 +- 0.12 MPa·m^0.5, same nanoindentation study and material.",
        ),
        "interface_fracture_energy_J_m2": SULFIDE_INTERFACE_ENERGY_SOURCE,
    },
    notes="Measured dense Li6PS5Cl (sintered, local nanoindentation value).",
)

# ---------------------------------------------------------------- cold-pressed (porous, measured)
E_COLD_GPA = 4.7
K_COLD = 0.17
_COLD_E = Source(
    citation=SONG_2025,
    doi=SONG_DOI,
    evidence="measured",
    checked=SONG_DIGEST,
    note=(
        "[S] 4.7 +- 1.1 GPa, mm-scale cantilever bending with specimen-wise FE inversion, "
        "pellets cold-pressed at 360 MPa + 60 °C 2 h, porosity 13 +- 2 %, NEI powder about 1 "
        "µm; one porosity only (number of specimens not stated). A homogenised bulk value "
        "that contains pores and particle contacts: use it for a homogenised SE, not for a "
        "resolved SE phase. Compare Li3PS4 compacts 3.5-9.8 GPa at 58-80 % density "
        "(Baranowski 2016, via Song)."
    ),
)
_ADH_COLD, _ADH_COLD_SRC = adhesion_estimate(E_COLD_GPA, NU, 0.8, _SULFIDE_ENERGY_NOTE)
COLD_PRESSED = ElectrolyteMaterial(
    name="Li6PS5Cl-cold-pressed",
    formula="Li6PS5Cl",
    E_GPa=E_COLD_GPA,
    nu=NU,
    adhesion_strength_MPa=_ADH_COLD,
    fracture_toughness_MPa_sqrt_m=K_COLD,
    interface_fracture_energy_J_m2=SULFIDE_INTERFACE_ENERGY_J_M2,
    state="cold-pressed at 360 MPa, 13 % porosity (bulk tests)",
    sources={
        "E_GPa": _COLD_E,
        "nu": _NU_ASSUMED,
        "adhesion_strength_MPa": _ADH_COLD_SRC,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation=SONG_2025,
            doi=SONG_DOI,
            evidence="measured",
            checked=SONG_DIGEST,
            note=(
                "[S] K_Ic = 0.17 +- 0.03 MPa·m^0.5, compact tension, no loading-rate "
                "dependence (1-40 µm/s); the authors' G_c = K^2/E = 6.15 J/m^2 (plane "
                "stress), [C] 5.31 J/m^2 plane strain with nu = 0.37."
            ),
        ),
        "interface_fracture_energy_J_m2": SULFIDE_INTERFACE_ENERGY_SOURCE,
    },
    notes=(
        "Porous Li6PS5Cl as in a cold-pressed composite: about 1/5 of the DFT stiffness, so "
        "bonded interface tensions are several times lower than with Li6PS5Cl."
    ),
)

VARIANTS: tuple[ElectrolyteMaterial, ...] = (MATERIAL, SINTERED, COLD_PRESSED)
ALIASES: dict[str, str] = {
    "LPSCl": "Li6PS5Cl",
    "argyrodite": "Li6PS5Cl",
    "Li6PS5Cl-DFT": "Li6PS5Cl",
    "Li6PS5Cl-crystal": "Li6PS5Cl",
    "Li6PS5Cl-dense": "Li6PS5Cl-sintered",
    "Li6PS5Cl-porous": "Li6PS5Cl-cold-pressed",
    "LPSCl-cold-pressed": "Li6PS5Cl-cold-pressed",
    "LPSCl-sintered": "Li6PS5Cl-sintered",
}
