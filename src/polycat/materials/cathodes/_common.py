"""Values and sources shared by several cathode parameter sets."""

from __future__ import annotations

import math
from dataclasses import replace

from polycat.materials.diffusivity import ConstantDiffusivity
from polycat.materials.elasticity import IsotropicElasticity
from polycat.materials.sources import Source

SEDLATSCHEK_2026 = "Sedlatschek, Gertlowski, Weber & Broeckmann, J. Power Sources 681 (2026) 240276"

# ---------------------------------------------------------------- elasticity
NCM_ISOTROPIC_SOURCE = Source(
    citation=(
        f"{SEDLATSCHEK_2026} (NMC811 nanoindentation E = 138 ± 24 GPa, n = 29); "
        "Xu, Sun, de Vasconcelos & Zhao, J. Electrochem. Soc. 164 (2017) A3333 "
        "(NMC532, 142.5 ± 11.3 GPa)"
    ),
    doi="10.1149/2.1751713jes",
    estimate=True,
    note=(
        "[S] Isotropic grains because no single-crystal NCM/LiNiO2/LiCoO2 Cij set could be "
        "verified (Liu et al., PRX Energy 3 (2024) 013012 and He, Ding & Xu, Acta Mater. "
        "267 (2024) 119751 were not retrievable; see materials/SOURCES.md). E = 140 GPa "
        "rounds the NMC811 secondary-particle nanoindentation value 138 ± 24 GPa, which "
        "includes grain boundaries; grain-level values are higher (micro-tensile 165 ± 7, "
        "DFT 249 in-plane / 210 out-of-plane, nanoindentation of dense NMC 230 GPa). "
        "nu = 0.30 is assumed (never measured; 0.25-0.32 in the literature). Same values as "
        "the verification cases of physics_notes (V4, V5)."
    ),
)
NCM_ISOTROPIC = IsotropicElasticity(E_GPa=140.0, nu=0.30, source=NCM_ISOTROPIC_SOURCE)


def borrowed_elasticity(material: str) -> tuple[IsotropicElasticity, Source]:
    """The NCM811 isotropic estimate, re-labelled as borrowed for ``material``."""
    src = Source(
        citation=NCM_ISOTROPIC_SOURCE.citation,
        doi=NCM_ISOTROPIC_SOURCE.doi,
        estimate=True,
        note=(
            f"Borrowed for {material}: no composition-specific grain stiffness was found. "
            + NCM_ISOTROPIC_SOURCE.note
        ),
    )
    return replace(NCM_ISOTROPIC, source=src), src


# ---------------------------------------------------------------- grain-boundary strength
GB_STRENGTH_NMC811_MPA = 745.0
GB_STRENGTH_NMC811_SOURCE = Source(
    citation=SEDLATSCHEK_2026,
    note=(
        "[S] micro-tensile (FIB push-to-pull) specimens cut from NMC811 secondary "
        "particles, intergranular failure; tests 840, 685, 562 MPa, Weibull characteristic "
        "strength 745 MPa, m = 6.91, n = 3; failure strain about 0.4 %. Assumed independent "
        "of lithiation (the authors' hypothesis). Second-hand: check the primary paper."
    ),
)


def borrowed_gb_strength(material: str) -> Source:
    return Source(
        citation=SEDLATSCHEK_2026,
        estimate=True,
        note=(
            f"Borrowed for {material}: the only measured grain-boundary tensile strength "
            "found is the NMC811 value (745 MPa Weibull characteristic, n = 3) "
            + GB_STRENGTH_NMC811_SOURCE.note
        ),
    )


# ---------------------------------------------------------------- fracture toughness
TOUGHNESS_NMC_MPA_SQRT_M = 0.271
TOUGHNESS_NMC_SOURCE = Source(
    citation=(
        "Sharma, Meng, Wu, de Vasconcelos, Li & Zhao, Extreme Mech. Lett. 58 (2023) 101920, "
        f"as used by {SEDLATSCHEK_2026}"
    ),
    doi="10.1016/j.eml.2022.101920",
    note=(
        "[S] nanoindentation (pop-in) toughness of dense NMC (title: single crystalline; "
        "Sedlatschek: NMC811 pellets), a grain-level value. Polycrystal / interfacial values "
        "are lower: 0.05-0.3 (Stallard et al., Joule 6 (2022) 984), NMC532 secondary "
        "particle 0.102 ± 0.03 (Xu 2017)."
    ),
)


def borrowed_toughness(material: str) -> Source:
    return Source(
        citation=TOUGHNESS_NMC_SOURCE.citation,
        doi=TOUGHNESS_NMC_SOURCE.doi,
        estimate=True,
        note=f"Borrowed for {material}. " + TOUGHNESS_NMC_SOURCE.note,
    )


# ---------------------------------------------------------------- diffusivity, low-Ni NCM
AMIN_CHIANG_RANGE_M2_S = (1.3e-14, 5.0e-14)
AMIN_CHIANG_D_M2_S = math.sqrt(AMIN_CHIANG_RANGE_M2_S[0] * AMIN_CHIANG_RANGE_M2_S[1])


def amin_chiang_diffusivity(material: str, measured_on: str) -> tuple[ConstantDiffusivity, Source]:
    src = Source(
        citation="Amin & Chiang, J. Electrochem. Soc. 163 (2016) A1512",
        estimate=True,
        note=(
            f"[S] chemical diffusivity of dense sintered {measured_on} pellets, 1.3-5.0e-10 "
            "cm²/s at room temperature for x = 0.05-0.75; reduced to one constant, the "
            f"geometric mean {AMIN_CHIANG_D_M2_S:.3g} m²/s, for {material}. Earlier NMC333 "
            "literature spans 1e-14 to 1e-10 cm²/s."
        ),
    )
    return ConstantDiffusivity(AMIN_CHIANG_D_M2_S, source=src), src


# ---------------------------------------------------------------- shared notes
X_MAX_NOTE = (
    "x_max = 1.0 is the pristine (stress-free reference) state, i.e. the first charge; "
    "later cycles start lower (first-cycle loss about 0.05-0.1 in x)."
)
