"""Shared construction of the CAM–SE adhesion-strength estimate.

No measured CAM–SE adhesion strength in MPa was found. The estimate is the Griffith
strength of an interface flaw, ``sigma = sqrt(E* G_i / (pi a))``, with

* ``G_i`` the interface fracture energy (DFT or quoted values, per electrolyte),
* ``E* = 2 / (1/E1' + 1/E2')``, ``E' = E/(1 - nu²)``: the plane-strain interface modulus of
  the baseline cathode (NCM811 isotropic estimate, 140 GPa / 0.30) and the electrolyte,
* ``a = 1 µm`` an assumed interface flaw half-length (contact voids of the order of the SE
  particle size, as imaged in composite cathodes); the estimate scales as ``a^-1/2``.

It is an order-of-magnitude reference for the delamination-risk ratio, not a property.
"""

from __future__ import annotations

from polycat.materials.cathodes._common import NCM_ISOTROPIC
from polycat.materials.estimates import (
    bimaterial_plane_strain_modulus_GPa,
    griffith_adhesion_strength_MPa,
)
from polycat.materials.sources import Source

FLAW_HALF_LENGTH_M = 1.0e-6
BARAI_2021 = "Barai, Rojas, Narayanan, Ngo, Curtiss & Srinivasan, Chem. Mater. 33 (2021) 5527"
DENG_2016 = "Deng, Wang, Chu, Luo & Ong, J. Electrochem. Soc. 163 (2016) A67"


def round_sig(value: float, digits: int = 2) -> float:
    return float(f"{value:.{digits}g}")


def adhesion_estimate(
    E_GPa: float, nu: float, energy_J_m2: float, energy_note: str
) -> tuple[float, Source]:
    """Rounded (2 significant digits) Griffith adhesion strength and its Source."""
    E_star = bimaterial_plane_strain_modulus_GPa(NCM_ISOTROPIC.E_GPa, NCM_ISOTROPIC.nu, E_GPa, nu)
    sigma = griffith_adhesion_strength_MPa(E_star, energy_J_m2, FLAW_HALF_LENGTH_M)
    value = round_sig(sigma)
    src = Source(
        citation=f"{BARAI_2021} (interface energy); Griffith estimate (polycat)",
        evidence="estimate",
        note=(
            "No measured CAM-SE adhesion strength (MPa) exists in the sources found. [C] "
            f"sigma = sqrt(E* G_i/(pi a)) = {sigma:.1f} MPa, rounded to {value:g} MPa, with "
            f"G_i = {energy_J_m2} J/m² ({energy_note}), E* = {E_star:.1f} GPa (plane-strain "
            f"interface modulus of NCM 140 GPa/0.30 and this SE), a = "
            f"{FLAW_HALF_LENGTH_M * 1e6:g} µm assumed flaw half-length (scales as a^-1/2). "
            "An ideal flaw-free interface would hold GPa (Bucci 2018: F_c = 2-20 GPa); "
            "cold-pressed contacts are far weaker. Use the delamination risk as a relative "
            "measure."
        ),
    )
    return value, src


BARAI_DIGEST = (
    "[S] repository yonghoon7153-source/Yonghoon-DEM-DFT, "
    "litdb/papers/barai2021_delamination_cathode_llzo_multiscale.md (Table S-II, Fig. 11)"
)
SULFIDE_INTERFACE_ENERGY_J_M2 = 0.8
SULFIDE_INTERFACE_ENERGY_SOURCE = Source(
    citation=f"{BARAI_2021}, Fig. 11 (their refs 69-70)",
    doi="10.1021/acs.chemmater.0c04656",
    evidence="estimate",
    checked=BARAI_DIGEST,
    note=(
        "Cathode|sulfide interfacial fracture energy 'about 0.8 J/m^2' as Barai et al. quote "
        "it from their refs 69-70 (primary source and method not identified here), used for "
        "every sulfide (no composition-specific NCM|sulfide value found). No SOC dependence "
        "of a CAM|SE interface energy or strength was found in the literature searched."
    ),
)
LLZO_INTERFACE_ENERGY_J_M2 = 2.4
LLZO_INTERFACE_ENERGY_SOURCE = Source(
    citation=f"{BARAI_2021} (DFT, 384-atom interface cells)",
    doi="10.1021/acs.chemmater.0c04656",
    evidence="dft",
    checked=BARAI_DIGEST,
    note=(
        "NMC811(10-14)|LLZO(100) interfacial fracture energy about 2.4 J/m^2; NMC622(10-10)"
        "|LLZO(100) about 2.0 J/m^2 (the value Barai's continuum model used). DFT of ideal, "
        "lattice-mismatched (5.7-6.7 %) interfaces: an upper bound for a sintered contact. "
        "No SOC dependence published."
    ),
)
