"""Quasi-zero-strain Co-rich NCM (Strauss et al. 2020): a hypothesis parameter set.

Strauss, de Biasi, Kim, Hertle, Schweidler, Janek, Hartmann & Brezesinski,
ACS Mater. Lett. 2 (2020) 84: Co-rich layered NCM whose unit-cell volume changes by less
than 1 % on cycling (as summarised second-hand; exact composition and a(x), c(x) were not
retrieved). The lattice law is the NCM811 curve shape scaled down to that volume change.
"""

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
from polycat.materials.cathodes.ncm811 import C_MAX, NCM811_LATTICE, borrowed_c_max
from polycat.materials.estimates import scaled_table, volume_scale_for_target
from polycat.materials.kinetics import chen2020_i0_proxy
from polycat.materials.ocv import chen2020_proxy
from polycat.materials.sources import Source
from polycat.materials.types import CathodeMaterial

__all__ = ["MATERIAL", "SCALE"]

_NAME = "CoRichNCM"
STRAUSS_2020 = (
    "Strauss, de Biasi, Kim, Hertle, Schweidler, Janek, Hartmann & Brezesinski, "
    "ACS Mater. Lett. 2 (2020) 84"
)
TARGET_DV = -0.010
SCALE = volume_scale_for_target(NCM811_LATTICE, NCM811_LATTICE.x_range[0], TARGET_DV)
"""Factor on both NCM811 strain components giving dV/V = -1.0 % at the table's end."""

_LATTICE_SOURCE = Source(
    citation=f"{STRAUSS_2020}; shape from Märker et al., Chem. Mater. 31 (2019) 2545",
    evidence="hypothesis",
    note=(
        f"Construction: eps_a and eps_c of the NCM811 table are both multiplied by "
        f"s = {SCALE:.4f}, chosen so that dV/V = -1.0 % at the end of the table "
        f"(x = {NCM811_LATTICE.x_range[0]:.4f}). In a linear one-way model every stress "
        f"then scales by exactly s, so 'the Co-rich material cuts the stresses about "
        f"{1 / SCALE:.1f}x' is the input, not a result. The only datum behind it is "
        "'volume change < 1 %', how a review digest summarises Strauss 2020 [S]; the "
        "composition (NCM271/NCM361-type) and a(x), c(x) were not retrieved. Real "
        "near-zero-volume layered oxides keep a large anisotropic mismatch (a-contraction "
        "compensated by c-expansion, as LiCoO2 does), which loads grain boundaries even at "
        "zero volume change: this uniform scaling is a lower bound on that misfit."
    ),
)
_LATTICE = scaled_table(NCM811_LATTICE, SCALE, _LATTICE_SOURCE)
_ELASTICITY, _ELASTICITY_SOURCE = grain_elasticity(_NAME)
_DIFFUSIVITY, _DIFFUSIVITY_SOURCE = amin_chiang_diffusivity(_NAME, "NMC333/NMC532")
X_MIN = 0.125
_OCV, _OCV_SOURCE = chen2020_proxy(
    _NAME,
    "The composition was not retrieved and no U(x) of a Co-rich NCM was found; the NMC811 "
    "fit is used, as the c_max, window and lattice shape of this set are NCM811's. A "
    "Co-rich layered oxide has a different curve (closer to LiCoO2's), so U(x) and "
    "Theta(x) here are a placeholder that lets two-way coupling run, not a property of "
    "the material.",
)
_KIN, _KIN_SOURCE = chen2020_i0_proxy("Co-rich NCM")

MATERIAL = CathodeMaterial(
    name=_NAME,
    formula="LiNi(x)Co(y)Mn(z)O2, Co-rich (Strauss 2020; exact composition not retrieved)",
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
        "c_max_mol_m3": borrowed_c_max("composition unknown"),
        "x_window": Source(
            citation=STRAUSS_2020,
            evidence="estimate",
            note=(
                "The practical window was not retrieved; the whole range of the scaled "
                f"table is used (x_min = {X_MIN}, as for NCM811), so the < 1 % volume bound "
                "holds for any run inside it. Set loading.x_end explicitly for a realistic "
                "cut-off. " + X_MAX_NOTE
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
        "HYPOTHESIS material: the NCM811 strain curve scaled by 0.19 to a 1 % volume "
        "change (no measured a(x), c(x)); every stress is 0.19 x NCM811's by construction. "
        "Everything but the volume bound is borrowed or assumed (U(x): the NMC811 fit of "
        "Chen 2020, a PROXY)."
    ),
)
