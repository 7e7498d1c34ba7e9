"""NCM622, LiNi0.6Co0.2Mn0.2O2 (estimated parameter set, see the Sources)."""

from __future__ import annotations

from polycat.materials.cathodes._common import (
    DIFFUSION_ANISOTROPY,
    DIFFUSION_ANISOTROPY_SOURCE,
    GB_ENERGY_VS_X,
    GB_FRACTURE_ENERGY_NMC811_J_M2,
    GB_STRENGTH_NMC811_MPA,
    TOUGHNESS_NMC_MPA_SQRT_M,
    X_MAX_NOTE,
    amin_chiang_diffusivity,
    borrowed_gb_fracture_energy,
    borrowed_gb_strength,
    borrowed_toughness,
    grain_elasticity,
)
from polycat.materials.cathodes._universal import KONDRAKOV_2017, universal_lattice
from polycat.materials.cathodes.ncm811 import C_MAX, borrowed_c_max
from polycat.materials.estimates import x_at_volume_strain
from polycat.materials.kinetics import chen2020_i0_proxy
from polycat.materials.ocv import Chen2020NmcOcv, chen2020_proxy
from polycat.materials.sources import Source
from polycat.materials.types import CathodeMaterial

__all__ = ["MATERIAL"]

_NAME = "NCM622"
_ELASTICITY, _ELASTICITY_SOURCE = grain_elasticity(_NAME)
_LATTICE, _LATTICE_SOURCE = universal_lattice(
    _NAME,
    "[S] de Biasi et al., J. Phys. Chem. C 121 (2017) 26163 (Table S1, via a digest) give "
    "NCM622 cell-volume slopes dV/dδ of about -2...-4 Å³ for δ = 0.93-0.45 and -19...-21 Å³ "
    "for δ = 0.30-0.18, the same size as this table's (about -2...-4 and -9...-29 Å³).",
)
_DIFFUSIVITY, _DIFFUSIVITY_SOURCE = amin_chiang_diffusivity(
    _NAME, "NMC532 (closest measured composition)"
)

# Window: dV/V at the 4.3 V cut-off interpolated linearly in Ni content between NCM111
# (-1.2 %) and NCM811 (-5.1 %), both from Kondrakov 2017 (same cut-off, same paper).
_NI = 0.6
DV_AT_4V3 = -(1.2 + (_NI - 1.0 / 3.0) / (0.8 - 1.0 / 3.0) * (5.1 - 1.2)) / 100.0
X_MIN = round(x_at_volume_strain(_LATTICE, DV_AT_4V3), 3)
_OCV, _OCV_SOURCE = chen2020_proxy(
    _NAME,
    "No NCM622 U(x) fit in terms of the Li fraction was found. The nearest published fit, "
    "the NMC532 polynomial of Mohtat et al. 2020 (doi 10.1149/1945-7111/aba5d1; "
    "PyBaMM Mohtat2020 NMC_ocp_PeymanMPM), is "
    "not used: its stoichiometry is a usable-capacity coordinate, not the Li fraction (in "
    "its own cell it reaches 4.2 V at sto = 0.035 [C] from the set's electrode loadings, and "
    "Xu2019 starts its 4.2 V state with the same fit at sto = 0.096, while NMC532 keeps "
    "x of about 0.4 at 4.2 V [U]), and no cited map from sto to x was found. NMC811 is the "
    "neighbouring composition with a fit in Li fraction. [C] The proxy gives "
    f"U = {float(Chen2020NmcOcv()(X_MIN)):.2f} V at x_min = {X_MIN}, a window end set from a "
    "4.3 V cut-off: proxy and window disagree there, and U(x), Theta(x) are only an estimate "
    "of the NCM622 curve's shape.",
)
_KIN, _KIN_SOURCE = chen2020_i0_proxy("NCM622")

MATERIAL = CathodeMaterial(
    name=_NAME,
    formula="LiNi0.6Co0.2Mn0.2O2",
    elasticity=_ELASTICITY,
    lattice_strain=_LATTICE,
    diffusivity=_DIFFUSIVITY,
    c_max_mol_m3=C_MAX,
    x_window=(X_MIN, 1.0),
    gb_strength_MPa=GB_STRENGTH_NMC811_MPA,
    fracture_toughness_MPa_sqrt_m=TOUGHNESS_NMC_MPA_SQRT_M,
    sources={
        "elasticity": _ELASTICITY_SOURCE,
        "lattice_strain": _LATTICE_SOURCE,
        "diffusivity": _DIFFUSIVITY_SOURCE,
        "c_max_mol_m3": borrowed_c_max(
            "no NCM622 lattice parameters in the verified sources",
            "; layered NCMs have molar volumes within a few per cent",
        ),
        "x_window": Source(
            citation=KONDRAKOV_2017,
            evidence="estimate",
            note=(
                "[A]+[C] Kondrakov 2017 measured dV/V = -1.2 % (NCM111) and -5.1 % (NCM811) "
                "for 3.0-4.3 V. Linear interpolation in Ni content gives "
                f"{100 * DV_AT_4V3:.2f} % for Ni = 0.6 at 4.3 V; on the universal lattice "
                f"law this volume change is reached at x = {X_MIN}. " + X_MAX_NOTE
            ),
        ),
        "gb_strength_MPa": borrowed_gb_strength(_NAME),
        "fracture_toughness_MPa_sqrt_m": borrowed_toughness(_NAME),
        "gb_fracture_energy_J_m2": borrowed_gb_fracture_energy(_NAME),
        "ocv": _OCV_SOURCE,
        "diffusion_anisotropy": DIFFUSION_ANISOTROPY_SOURCE,
        "kinetics": _KIN_SOURCE,
    },
    ocv=_OCV,
    diffusion_anisotropy=DIFFUSION_ANISOTROPY,
    kinetics=_KIN,
    gb_fracture_energy_J_m2=GB_FRACTURE_ENERGY_NMC811_J_M2,
    gb_fracture_energy_vs_x=GB_ENERGY_VS_X,
    notes=(
        "Estimated set; lattice law a HYPOTHESIS: the NCM811 eigenstrain versus Li "
        "content (Jousseaume 2024), a shallower practical window, NMC532 diffusivity; "
        "strength and toughness borrowed "
        "from NCM811, grain stiffness from LiCrO2; U(x) a PROXY (the NMC811 fit of Chen 2020)."
    ),
)
