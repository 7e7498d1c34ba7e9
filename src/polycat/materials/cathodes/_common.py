"""Values and sources shared by several cathode parameter sets."""

from __future__ import annotations

import math
from dataclasses import replace

from polycat.materials.diffusivity import ConstantDiffusivity
from polycat.materials.elasticity import IsotropicElasticity, TrigonalElasticity
from polycat.materials.sources import Source
from polycat.materials.xdependence import XDependence

SEDLATSCHEK_2026 = "Sedlatschek, Gertlowski, Weber & Broeckmann, J. Power Sources 681 (2026) 240276"
SEDLATSCHEK_DOI = "10.1016/j.jpowsour.2026.240276"
XU_2017 = "Xu, Sun, de Vasconcelos & Zhao, J. Electrochem. Soc. 164 (2017) A3333"
XU_2017_DOI = "10.1149/2.1751713jes"
DIGEST = "repository yonghoon7153-source/Yonghoon-DEM-DFT, litdb/papers/"
SEDLATSCHEK_DIGEST = DIGEST + "sedlatschek2026_nmc811_grain_boundary_strength_micro_tensile.md"
XU_DIGEST = DIGEST + "xu2017_nmc532_nanoindentation_modulus_hardness_toughness.md"

# ---------------------------------------------------------------- elasticity
# Grain-level stiffness: no NCM, LiNiO2 or LiCoO2 single-crystal tensor could be read
# (see SOURCES.md, search log). The default is the Materials Project DFT tensor of
# LiCrO2 (mp-18793), an isostructural alpha-NaFeO2-type R-3m LiMO2 with a trivalent 3d
# metal, exactly as the ELATE page lists it (C66 = 122 rounded).
LICRO2_C = {"C11": 351.0, "C12": 106.0, "C13": 69.0, "C14": -9.0, "C33": 203.0, "C44": 54.0}
LICRO2_C66_LISTED = 122.0
LICRO2_ELATE_VRH = {
    "K_V": 154.78,
    "K_R": 141.82,
    "K_H": 148.3,
    "G_V": 90.067,
    "G_R": 76.669,
    "G_H": 83.368,
    "E_H": 210.63,
    "nu_H": 0.26328,
}
"""Voigt/Reuss/Hill moduli as printed on the ELATE page (GPa; nu dimensionless)."""

GRAIN_TENSOR_SOURCE = Source(
    citation=(
        "Materials Project mp-18793 (LiCrO2, R-3m) DFT elastic tensor (de Jong et al., "
        "Sci. Data 2 (2015) 150009), as listed by ELATE (Gaillac, Pullumbi & Coudert, "
        "J. Phys.: Condens. Matter 28 (2016) 275201)"
    ),
    doi="10.1038/sdata.2015.9",
    evidence="estimate",
    checked=(
        "[A] stored page progs.coudert.name/elate/mp?query=mp-18793: 6x6 matrix and the "
        "Voigt/Reuss/Hill table read there (the unit test reproduces every printed digit)"
    ),
    note=(
        "Borrowed from another compound: no NCM/LiNiO2/LiCoO2 single-crystal Cij could be "
        "read first-hand (Liu et al., PRX Energy 3 (2024) 013012; He, Ding & Xu, Acta "
        "Mater. 267 (2024) 119751; Min & Cho, PCCP 20 (2018) 9045 and Materials Project "
        "LiCoO2 mp-22526 were searched for, only abstracts or citations were found). LiCrO2 "
        "is an isostructural R-3m layered LiMO2 (trivalent 3d metal); its tensor is used for "
        "every built-in cathode, so cathodes differ only through their lattice laws. Checks "
        "against NMC811: Hill E = 210.6 GPa, nu = 0.263 lies in the grain-level range "
        "165-249 GPa [S] (micro-tensile 165 +- 7, Sedlatschek 2026; pellets 230, Sharma 2023; "
        "DFT 249 in-plane / 210 out-of-plane, Min & Cho 2018) and above the agglomerate "
        "138 +- 24 GPa. LiCrO2's directional moduli are 304 GPa along a and 182 GPa along c: "
        "in-plane stiffer, as the NMC811 DFT says, but more anisotropic (1.67 vs 249/210 = "
        "1.19). No Li-content dependence is applied (Xu 2017 [S]: NMC532 agglomerate E falls "
        "about 20 % from SOC 0 to 100 %)."
    ),
)
GRAIN_TENSOR = TrigonalElasticity(
    **LICRO2_C, source=GRAIN_TENSOR_SOURCE, c66_listed=LICRO2_C66_LISTED
)

NCM_ISOTROPIC_SOURCE = Source(
    citation=(
        f"{SEDLATSCHEK_2026} (NMC811 nanoindentation E = 138 +- 24 GPa, n = 29); "
        f"{XU_2017} (NMC532, 142.5 +- 11.3 GPa)"
    ),
    doi=XU_2017_DOI,
    evidence="estimate",
    checked=f"[S] both values read in the digests {SEDLATSCHEK_DIGEST} and {XU_DIGEST}",
    note=(
        "Isotropic secondary-particle (agglomerate) value, no longer the built-in default "
        "(kept for verification cases and comparisons): E = 140 GPa rounds the NMC811 "
        "nanoindentation value 138 +- 24 GPa, which includes grain boundaries; nu = 0.30 is "
        "assumed (never measured; Sedlatschek assume 0.32, Xu 0.3)."
    ),
)
NCM_ISOTROPIC = IsotropicElasticity(E_GPa=140.0, nu=0.30, source=NCM_ISOTROPIC_SOURCE)
"""The former default grain stiffness (agglomerate value), for comparisons."""


def grain_elasticity(material: str) -> tuple[TrigonalElasticity, Source]:
    """The borrowed LiCrO2 tensor, labelled for ``material``."""
    src = replace(
        GRAIN_TENSOR_SOURCE,
        note=f"Used for {material}. " + GRAIN_TENSOR_SOURCE.note,
    )
    return replace(GRAIN_TENSOR, source=src), src


# ---------------------------------------------------------------- grain-boundary strength
GB_STRENGTH_NMC811_MPA = 745.0
GB_STRENGTH_NMC811_SOURCE = Source(
    citation=SEDLATSCHEK_2026,
    doi=SEDLATSCHEK_DOI,
    evidence="measured",
    checked=f"[S] {SEDLATSCHEK_DIGEST} (digest of the full paper; paper not opened here)",
    note=(
        "Micro-tensile (FIB push-to-pull, SEM-DIC) specimens cut from NMC811 secondary "
        "particles, intergranular failure; tests 840, 685, 562 MPa, Weibull characteristic "
        "strength 745 MPa, m = 6.91, n = 3 ('to be interpreted with caution'); failure "
        "strain about 0.4 %. Measured on lithiated material only; independence of Li "
        "content is the authors' assumption (no SOC dependence published)."
    ),
)


def borrowed_gb_strength(material: str) -> Source:
    return Source(
        citation=SEDLATSCHEK_2026,
        doi=SEDLATSCHEK_DOI,
        evidence="estimate",
        checked=GB_STRENGTH_NMC811_SOURCE.checked,
        note=(
            f"Borrowed for {material}: the only measured grain-boundary tensile strength "
            "found is the NMC811 value (745 MPa Weibull characteristic, n = 3). "
            + GB_STRENGTH_NMC811_SOURCE.note
        ),
    )


# ---------------------------------------------------------------- GB fracture energy
GB_FRACTURE_ENERGY_NMC811_J_M2 = 0.53
GB_FRACTURE_ENERGY_NMC811_SOURCE = Source(
    citation=f"{SEDLATSCHEK_2026}, Eq. (3)",
    doi=SEDLATSCHEK_DOI,
    evidence="estimate",
    checked=f"[S] {SEDLATSCHEK_DIGEST}",
    note=(
        "The authors' derived value G_crit = K^2/E (plane stress) with K = 0.271 MPa m^0.5 "
        "borrowed from Sharma et al. 2023 (nanoindentation of dense/single-crystal NMC, a "
        "grain-level toughness) and E = 138 GPa; [C] 0.271^2/138e3 = 0.532 J/m^2. Not a "
        "measured GB toughness; chosen because it pairs with the 745 MPa strength of the "
        "same paper (cohesive opening 2G/sigma = 1.4 nm). The only direct interfacial "
        "measurement found (Xu 2017 [S], NMC532 primary-particle boundaries, pop-in "
        "cube-corner indentation: K_c = 0.102 +- 0.03 MPa m^0.5) converts to "
        "G = K^2 (1 - nu^2)/E = 0.066 J/m^2 (E = 142.5 GPa, nu = 0.3 assumed), 8x lower: the "
        "GB fracture energy is uncertain by about an order of magnitude."
    ),
)

# Li dependence: Xu 2017 interfacial K_c and agglomerate E of NMC532 on first charge,
# SOC 0/33/66/100 % (the authors write SOC 100 % = Li0.5, so x = 1 - SOC/2). Values as
# digitised from Figs. 5a and 8a in the digest (end points stated in the paper).
XU_SOC = (0.0, 0.33, 0.66, 1.0)
XU_KC = (0.102, 0.091, 0.070, 0.058)
XU_E_GPA = (145.1, 131.1, 116.0, 111.6)


def _xu_g_factor() -> tuple[tuple[float, ...], tuple[float, ...]]:
    g = [k * k / e for k, e in zip(XU_KC, XU_E_GPA, strict=True)]
    pairs = sorted((1.0 - soc / 2.0, gi / g[0]) for soc, gi in zip(XU_SOC, g, strict=True))
    return tuple(round(p[0], 4) for p in pairs), tuple(round(p[1], 4) for p in pairs)


_XU_X, _XU_FACTOR = _xu_g_factor()
GB_ENERGY_VS_X_SOURCE = Source(
    citation=f"{XU_2017}, Figs. 5a and 8a",
    doi=XU_2017_DOI,
    evidence="estimate",
    checked=f"[S] {XU_DIGEST} (digitised points and stated end points)",
    note=(
        "[S]+[C] NMC532 (not NMC811) secondary particles, first charge in a liquid half cell: "
        f"interfacial K_c = {', '.join(f'{k:g}' for k in XU_KC)} MPa m^0.5 and agglomerate E "
        f"= {', '.join(f'{e:g}' for e in XU_E_GPA)} GPa at SOC 0/33/66/100 % (intermediate "
        "points digitised by the digest). Factor G(x)/G(1) = (K/K0)^2 (E0/E); x = 1 - SOC/2 "
        "from the authors' 'SOC 100 % = Li0.5' (their notation, not a measured Li content). "
        "Held constant below x = 0.5, where nothing was measured."
    ),
)
GB_ENERGY_VS_X = XDependence(
    quantity="gb_fracture_energy_J_m2", x=_XU_X, factor=_XU_FACTOR, source=GB_ENERGY_VS_X_SOURCE
)


def borrowed_gb_fracture_energy(material: str) -> Source:
    return replace(
        GB_FRACTURE_ENERGY_NMC811_SOURCE,
        note=f"Borrowed for {material} from NMC811. " + GB_FRACTURE_ENERGY_NMC811_SOURCE.note,
    )


# ---------------------------------------------------------------- fracture toughness
TOUGHNESS_NMC_MPA_SQRT_M = 0.271
TOUGHNESS_NMC_SOURCE = Source(
    citation=(
        "Sharma, Meng, Wu, de Vasconcelos, Li & Zhao, Extreme Mech. Lett. 58 (2023) 101920, "
        f"as used by {SEDLATSCHEK_2026}"
    ),
    doi="10.1016/j.eml.2022.101920",
    evidence="measured",
    checked=f"[S] value and reference list read in {SEDLATSCHEK_DIGEST}",
    note=(
        "Nanoindentation (pop-in) toughness of dense NMC (title: single crystalline; "
        "Sedlatschek: NMC811 pellets), a grain-level value. Polycrystal / interfacial values "
        "are lower: 0.05-0.3 (Stallard et al., Joule 6 (2022) 984), NMC532 secondary "
        "particle 0.102 +- 0.03 (Xu 2017)."
    ),
)


def borrowed_toughness(material: str) -> Source:
    return replace(
        TOUGHNESS_NMC_SOURCE,
        evidence="estimate",
        note=f"Borrowed for {material}. " + TOUGHNESS_NMC_SOURCE.note,
    )


# ---------------------------------------------------------------- diffusivity, low-Ni NCM
AMIN_CHIANG_RANGE_M2_S = (1.3e-14, 5.0e-14)
AMIN_CHIANG_D_M2_S = math.sqrt(AMIN_CHIANG_RANGE_M2_S[0] * AMIN_CHIANG_RANGE_M2_S[1])


def amin_chiang_diffusivity(material: str, measured_on: str) -> tuple[ConstantDiffusivity, Source]:
    src = Source(
        citation="Amin & Chiang, J. Electrochem. Soc. 163 (2016) A1512",
        evidence="estimate",
        checked=f"[S] {DIGEST}aminchiang2016_nmc_electronic_ionic_transport_vs_li.md",
        note=(
            f"Chemical diffusivity of dense sintered {measured_on} pellets, 1.3-5.0e-10 "
            "cm²/s at room temperature for x = 0.05-0.75; reduced to one constant, the "
            f"geometric mean {AMIN_CHIANG_D_M2_S:.3g} m²/s, for {material}. Earlier NMC333 "
            "literature spans 1e-14 to 1e-10 cm²/s."
        ),
    )
    return ConstantDiffusivity(AMIN_CHIANG_D_M2_S, source=src), src


# ---------------------------------------------------------------- diffusion anisotropy
DIFFUSION_ANISOTROPY = 0.01
"""D_c/D_ab of the built-in layered oxides (a hypothesis, see the source)."""

DIFFUSION_ANISOTROPY_SOURCE = Source(
    citation=(
        "Van der Ven & Ceder, Electrochem. Solid-State Lett. 3 (2000) 301 (Li hops between "
        "octahedral sites of one Li slab in layered LixCoO2); Daubner et al., Batteries 9 "
        "(2023) 310 (strongly anisotropic transport in NCM secondary particles)"
    ),
    doi="10.3390/batteries9060310",
    evidence="hypothesis",
    checked="[U] the papers' abstracts only; no D_c/D_ab value was read in either",
    note=(
        "Li moves in the ab-planes of a layered (R-3m) oxide: to cross a transition-metal "
        "slab along c it has no low-barrier path, so D_c << D_ab [U]. We found no measured "
        "ratio for any NCM or for LCO; D_c/D_ab = 0.01 stands for 'much slower along c' "
        "and is a hypothesis. The material's D(x) is taken as the orientation average "
        "tr D/3 (what GITT on a random polycrystalline electrode measures, approximately): "
        "D_ab = 1.49 D, D_c = 0.0149 D. Used only with materials.diffusion_anisotropy: "
        "material (runs are isotropic unless asked); check a conclusion against "
        "isotropic and a smaller ratio (e.g. 1e-3)."
    ),
)

# ---------------------------------------------------------------- shared notes
X_MAX_NOTE = (
    "x_max = 1.0 is the pristine (stress-free reference) state, i.e. the first charge; "
    "later cycles start lower (first-cycle loss about 0.05-0.1 in x)."
)
