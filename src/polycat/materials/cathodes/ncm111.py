"""NCM111, LiNi1/3Co1/3Mn1/3O2 (estimated parameter set, see the Sources)."""

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

_NAME = "NCM111"
DV_AT_4V3 = -0.012  # Kondrakov 2017, 3.0-4.3 V
DV_AT_4V5 = -0.0224  # Ishidzu et al., Solid State Ionics 288 (2016) 176, at 4.5 V
_ELASTICITY, _ELASTICITY_SOURCE = grain_elasticity(_NAME)
_LATTICE, _LATTICE_SOURCE = universal_lattice(_NAME)
X_MIN = round(x_at_volume_strain(_LATTICE, DV_AT_4V3), 3)
_X_AT_4V5 = x_at_volume_strain(_LATTICE, DV_AT_4V5)
_DIFFUSIVITY, _DIFFUSIVITY_SOURCE = amin_chiang_diffusivity(_NAME, "NMC333")
_OCV, _OCV_SOURCE = chen2020_proxy(
    _NAME,
    "No NCM111 U(x) fit in terms of the Li fraction was found (PyBaMM has none); "
    "the nearest, the NMC532 polynomial of Mohtat et al. 2020 (doi 10.1149/1945-7111/aba5d1; "
    "PyBaMM Mohtat2020 NMC_ocp_PeymanMPM), is "
    "not used: its stoichiometry is a usable-capacity coordinate, not the Li fraction (in "
    "its own cell it reaches 4.2 V at sto = 0.035 [C] from the set's electrode loadings, and "
    "Xu2019 starts its 4.2 V state with the same fit at sto = 0.096, while NMC532 keeps "
    "x of about 0.4 at 4.2 V [U]), and no cited map from sto to x was found. The "
    "NMC811 fit is used instead. [C] The proxy gives "
    f"U = {float(Chen2020NmcOcv()(X_MIN)):.2f} V at x_min = {X_MIN}, a window end set from a "
    "4.3 V cut-off: proxy and window disagree there, and U(x), Theta(x) are only an estimate "
    "of the NCM111 curve's shape.",
)
_KIN, _KIN_SOURCE = chen2020_i0_proxy("NCM111")

MATERIAL = CathodeMaterial(
    name=_NAME,
    formula="LiNi1/3Co1/3Mn1/3O2",
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
            "no NCM111 lattice parameters in the verified sources",
            "; layered NCMs have molar volumes within a few per cent",
        ),
        "x_window": Source(
            citation=KONDRAKOV_2017,
            evidence="estimate",
            note=(
                "[A] NCM111 unit-cell volume change -1.2 % for 3.0-4.3 V; on the universal "
                f"lattice law this is reached at x = {X_MIN}. Cross-check [S]: Ishidzu 2016 "
                f"report -2.24 % at 4.5 V, reached at x = {_X_AT_4V5:.3f}. " + X_MAX_NOTE
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
        "content (Jousseaume 2024) over a shallow window (little c-collapse), NMC333 "
        "diffusivity; strength and toughness "
        "borrowed from NCM811, grain stiffness from LiCrO2; U(x) a PROXY (the NMC811 fit of "
        "Chen 2020). Whole-particle crush strength "
        "of NMC111: 188 MPa "
        "(Dang, Wang & Cheng, J. Electrochem. Soc. 166 (2019) A2749) [S]."
    ),
)
