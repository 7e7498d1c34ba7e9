"""LiCoO2 (LCO), estimated parameter set (PyBaMM Ai2020 cell-model values plus a lattice
law built from the NCM811 curve shape and LCO extremes read in Stallard et al. 2022)."""

from __future__ import annotations

from dataclasses import replace

from polycat.materials.cathodes._common import (
    DIFFUSION_ANISOTROPY,
    DIFFUSION_ANISOTROPY_SOURCE,
    GB_ENERGY_VS_X,
    GB_FRACTURE_ENERGY_NMC811_J_M2,
    GB_STRENGTH_NMC811_MPA,
    borrowed_gb_fracture_energy,
    borrowed_gb_strength,
    grain_elasticity,
)
from polycat.materials.cathodes.ncm811 import NCM811_LATTICE
from polycat.materials.diffusivity import ConstantDiffusivity
from polycat.materials.estimates import remapped_table
from polycat.materials.kinetics import DUALFOIL_LCO, DUALFOIL_LCO_I0_SOURCE
from polycat.materials.ocv import AI2020_LCO_SOURCE, Ai2020LcoOcv
from polycat.materials.sources import Source
from polycat.materials.types import CathodeMaterial

__all__ = ["MATERIAL"]

_NAME = "LCO"
AI2020 = (
    "Ai, Kraft, Sturm, Jossen & Wu, J. Electrochem. Soc. 167 (2020) 013512; "
    "PyBaMM parameter set Ai2020.py"
)
AI2020_DOI = "10.1149/2.0122001JES"
STALLARD_2022 = (
    "Stallard, Wheatcroft, Booth, Boston, Corr, De Volder, Inkson & Fleck, "
    "Joule 6 (2022) 984, Fig. 4"
)

# LCO extremes read from the figure vectors of Stallard 2022 (second-hand, [S]):
C_MAX_REL, X_C_MAX = 1.026, 0.435  # c/c0 max 1.026 at x = 0.40-0.47 (midpoint)
C_MIN_REL, X_C_MIN = 0.958, 0.11  # c/c0 min 0.958 at x = 0.11
A_MIN_REL = 0.9964  # a/a0 >= 0.9964

_ea811 = min(NCM811_LATTICE.eps_a)
_ec811 = NCM811_LATTICE.eps_c
_i_cmax = max(range(len(_ec811)), key=lambda i: (_ec811[i], NCM811_LATTICE.x[i]))
_X811_CMAX = NCM811_LATTICE.x[_i_cmax]
SCALE_A = (1.0 - A_MIN_REL) / abs(_ea811)
SCALE_C_POS = (C_MAX_REL - 1.0) / max(_ec811)
SCALE_C_NEG = (1.0 - C_MIN_REL) / abs(min(_ec811))

_LATTICE_SOURCE = Source(
    citation=f"{STALLARD_2022}; shape from Märker et al., Chem. Mater. 31 (2019) 2545",
    doi="10.1016/j.joule.2022.04.001",
    evidence="hypothesis",
    checked="[S] docs/physics.md §2.2 (figure-vector values from a Stallard 2022 digest)",
    note=(
        "Constructed law, not a measured LiCoO2 table (Reimers & Dahn, J. Electrochem. "
        "Soc. 139 (1992) 2091 and later LixCoO2 XRD were found only as citations). [S] LCO "
        "values read from the figure vectors of the Stallard review (via a digest): "
        "c/c0 max 1.026 at x = 0.40-0.47, c/c0 min 0.958 at x = 0.11, a/a0 >= 0.9964. "
        "Construction: the NCM811 table's points are moved in x by the piecewise-linear map "
        f"({NCM811_LATTICE.x_range[0]:.4f}, {_X811_CMAX:.4f}, 1) -> ({X_C_MIN}, {X_C_MAX}, 1) "
        f"(c-maximum and end points matched), eps_a is scaled by {SCALE_A:.4f} (min -0.36 %), "
        f"eps_c by {SCALE_C_POS:.4f} where positive (max +2.6 %) and by {SCALE_C_NEG:.4f} "
        "where negative (min -4.2 %), then PCHIP-interpolated. Real LCO has a "
        "hexagonal-monoclinic ordering near x = 0.5 and O1/H1-3 phases at very low x that "
        "a smooth law does not represent."
    ),
)
_LATTICE = remapped_table(
    NCM811_LATTICE,
    knots_from=(NCM811_LATTICE.x_range[0], _X811_CMAX, 1.0),
    knots_to=(X_C_MIN, X_C_MAX, 1.0),
    scale_a=SCALE_A,
    scale_c_pos=SCALE_C_POS,
    scale_c_neg=SCALE_C_NEG,
    source=_LATTICE_SOURCE,
)

_ELASTICITY, _ELASTICITY_SOURCE = grain_elasticity(_NAME)
_ELASTICITY_SOURCE_LCO = Source(
    citation=_ELASTICITY_SOURCE.citation,
    doi=_ELASTICITY_SOURCE.doi,
    evidence="estimate",
    checked=_ELASTICITY_SOURCE.checked,
    note=(
        "PyBaMM Ai2020 uses E = 375 GPa, nu = 0.2 for LCO [R], a model parameter of "
        "untraced origin; not used. Qualitative check [A]: Wu & Zhang (J. Electrochem. En. "
        "Conv. Stor. 16 (2019) 021008, abstract) state that LiCoO2's Young's modulus along "
        "the a-b axis is higher than along c, as in the borrowed tensor. " + _ELASTICITY_SOURCE.note
    ),
)

_ELASTICITY = replace(_ELASTICITY, source=_ELASTICITY_SOURCE_LCO)

D_LCO = 5.387e-15
_DIFFUSIVITY_SOURCE = Source(
    citation=f"{AI2020} (lico2_diffusivity_Dualfoil1998)",
    doi=AI2020_DOI,
    evidence="model-parameter",
    checked="[R] pybamm-team/PyBaMM src/pybamm/input/parameters/lithium_ion/Ai2020.py",
    note=(
        "[R] pybamm-team/PyBaMM src/pybamm/input/parameters/lithium_ion/Ai2020.py: "
        "constant 5.387e-15 m²/s from Dualfoil, a cell-model parameter rather than a "
        "measurement; Arrhenius 5000 J/mol not applied here."
    ),
)
C_MAX_LCO = 49943.0
X_MIN = round(21725.0 / C_MAX_LCO, 3)

MATERIAL = CathodeMaterial(
    name=_NAME,
    formula="LiCoO2",
    elasticity=_ELASTICITY,
    lattice_strain=_LATTICE,
    diffusivity=ConstantDiffusivity(D_LCO, source=_DIFFUSIVITY_SOURCE),
    c_max_mol_m3=C_MAX_LCO,
    x_window=(X_MIN, 1.0),
    gb_strength_MPa=GB_STRENGTH_NMC811_MPA,
    fracture_toughness_MPa_sqrt_m=0.2,
    sources={
        "elasticity": _ELASTICITY_SOURCE_LCO,
        "lattice_strain": _LATTICE_SOURCE,
        "diffusivity": _DIFFUSIVITY_SOURCE,
        "c_max_mol_m3": Source(
            citation=AI2020,
            doi=AI2020_DOI,
            evidence="model-parameter",
            checked="[R] PyBaMM Ai2020.py",
            note=(
                "[R] 'Maximum concentration in positive electrode' = 49943 mol/m³ of the "
                "PyBaMM Ai2020 set (cell-model parameter)."
            ),
        ),
        "x_window": Source(
            citation=AI2020,
            doi=AI2020_DOI,
            evidence="estimate",
            note=(
                "[R]+[C] x_min = 21725/49943 = 0.435: Ai2020's initial positive-electrode "
                "concentration of the charged cell at its 4.2 V upper cut-off (their OCP "
                "entropy fit is valid for 0.43 < x < 0.9936). x_max = 1.0 = pristine."
            ),
        ),
        "gb_strength_MPa": borrowed_gb_strength(_NAME),
        "gb_fracture_energy_J_m2": borrowed_gb_fracture_energy(_NAME),
        "ocv": AI2020_LCO_SOURCE,
        "diffusion_anisotropy": DIFFUSION_ANISOTROPY_SOURCE,
        "kinetics": DUALFOIL_LCO_I0_SOURCE,
        "fracture_toughness_MPa_sqrt_m": Source(
            citation=(
                "Qu et al., Adv. Energy Mater. 2 (2012) 940, via Stallard et al., Joule 6 "
                "(2022) 984"
            ),
            evidence="estimate",
            note=(
                "[S] LiCoO2 single grains 0.2-6.5 MPa·m^0.5 depending on orientation; the "
                "lower bound is taken (conservative, cleavage-plane value)."
            ),
        ),
    },
    notes=(
        "Classic low-strain layered oxide for comparison: c expands about 2.6 % up to "
        "x = 0.435 (4.2 V) with almost constant a. Parameters partly from the PyBaMM "
        "Ai2020 cell model (U(x): their LiCoO2 polynomial, fitted over x = 0.435-0.9651); "
        "lattice law a HYPOTHESIS (NCM811 shape remapped to LCO extremes)."
    ),
    gb_fracture_energy_J_m2=GB_FRACTURE_ENERGY_NMC811_J_M2,
    gb_fracture_energy_vs_x=GB_ENERGY_VS_X,
    ocv=Ai2020LcoOcv(),
    diffusion_anisotropy=DIFFUSION_ANISOTROPY,
    kinetics=DUALFOIL_LCO,
)
