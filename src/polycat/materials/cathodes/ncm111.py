"""NCM111, LiNi1/3Co1/3Mn1/3O2 (estimated parameter set, see the Sources)."""

from __future__ import annotations

from polycat.materials.cathodes._common import (
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
    },
    gb_fracture_energy_J_m2=GB_FRACTURE_ENERGY_NMC811_J_M2,
    gb_fracture_energy_vs_x=GB_ENERGY_VS_X,
    notes=(
        "Estimated set; lattice law a HYPOTHESIS: the NCM811 eigenstrain versus Li "
        "content (Jousseaume 2024) over a shallow window (little c-collapse), NMC333 "
        "diffusivity; strength and toughness "
        "borrowed from NCM811, grain stiffness from LiCrO2. Whole-particle crush strength "
        "of NMC111: 188 MPa "
        "(Dang, Wang & Cheng, J. Electrochem. Soc. 166 (2019) A2749) [S]."
    ),
)
