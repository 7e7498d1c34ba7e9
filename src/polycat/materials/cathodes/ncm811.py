"""NCM811, LiNi0.8Co0.1Mn0.1O2: the baseline Ni-rich cathode.

Lattice strain: operando XRD of the first charge (Märker et al. 2019), shipped as
``polycat/materials/data/ncm811_maerker2019_lattice.tsv``. Li fraction from the charge
passed, ``x = 1 - Q / 275.5 mAh/g`` (theoretical capacity of NCM811); this assumes every
coulomb removes bulk Li, so x is uncertain by about ±0.03-0.05.
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np
from numpy.typing import NDArray

from polycat.materials.cathodes._common import (
    DIFFUSION_ANISOTROPY,
    DIFFUSION_ANISOTROPY_SOURCE,
    GB_ENERGY_VS_X,
    GB_FRACTURE_ENERGY_NMC811_J_M2,
    GB_FRACTURE_ENERGY_NMC811_SOURCE,
    GB_STRENGTH_NMC811_MPA,
    GB_STRENGTH_NMC811_SOURCE,
    TOUGHNESS_NMC_MPA_SQRT_M,
    TOUGHNESS_NMC_SOURCE,
    X_MAX_NOTE,
    grain_elasticity,
)
from polycat.materials.diffusivity import OREGAN2022_SOURCE, ORegan2022Diffusivity
from polycat.materials.estimates import crystallographic_c_max, x_at_volume_strain
from polycat.materials.kinetics import CHEN2020_I0_SOURCE, CHEN2020_NMC811
from polycat.materials.lattice import TabulatedLatticeStrain
from polycat.materials.ocv import CHEN2020_SOURCE, Chen2020NmcOcv
from polycat.materials.sources import Source
from polycat.materials.types import CathodeMaterial

__all__ = [
    "MAERKER_TABLE_FILE",
    "MATERIAL",
    "NCM811_LATTICE",
    "THEORETICAL_CAPACITY_MAH_G",
    "load_maerker2019_table",
]

MAERKER_TABLE_FILE = "ncm811_maerker2019_lattice.tsv"
THEORETICAL_CAPACITY_MAH_G = 275.5


def load_maerker2019_table() -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]:
    """Columns ``(Q_mAh_g, a_A, c_A)`` of the packaged Märker 2019 table, file order."""
    text = files("polycat.materials").joinpath("data", MAERKER_TABLE_FILE).read_text("utf-8")
    rows = [
        line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    header, body = rows[0], rows[1:]
    if header != ["Q_mAh_g", "a_A", "c_A"]:
        raise ValueError(f"{MAERKER_TABLE_FILE}: unexpected header {header}")
    data = np.array(body, dtype=float)
    return data[:, 0], data[:, 1], data[:, 2]


MAERKER_SOURCE = Source(
    citation="Märker et al., Chem. Mater. 31 (2019) 2545-2554",
    doi="10.1021/acs.chemmater.9b00140",
    evidence="measured",
    checked="[R] MJCliffe/PASCal tests/data/sample_q/input.tsv (79 rows), shipped unchanged",
    note=(
        "[R] operando XRD, first charge; 79 rows (Q, a, c) as redistributed in the public "
        "repository MJCliffe/PASCal, tests/data/sample_q/input.tsv. x = 1 - Q/275.5 mAh/g "
        "assumes every coulomb removes bulk Li: x is uncertain by about ±0.03-0.05, and "
        "the first ~0.1 of charge barely moves the lattice (Kondrakov 2017). a and c are "
        "smooth single-phase functions of x (no H2-H3 two-phase front, Jousseaume 2024). "
        "Consecutive rows with equal a, c (plateaus) are kept as measured."
    ),
)

_Q, _A, _C = load_maerker2019_table()
NCM811_LATTICE = TabulatedLatticeStrain.from_lattice_parameters(
    x=1.0 - _Q / THEORETICAL_CAPACITY_MAH_G,
    a=_A,
    c=_C,
    x_ref=1.0,
    source=MAERKER_SOURCE,
)
"""Märker 2019 NCM811 eigenstrain law, x_ref = 1 (pristine)."""

C_MAX = float(round(crystallographic_c_max(float(_A[0]), float(_C[0]))))
C_MAX_SOURCE = Source(
    citation="Märker et al., Chem. Mater. 31 (2019) 2545-2554 (pristine cell), "
    "docs/physics.md §5.2",
    doi="10.1021/acs.chemmater.9b00140",
    evidence="derived",
    checked="[R]+[C] pristine row of the shipped Märker table",
    note=(
        "[C] crystallographic Li-site density of the pristine cell: a = 2.8704 Å, "
        "c = 14.1918 Å, V = (√3/2) a² c = 101.264 Å³, Z = 3, c_max = Z/(N_A V). "
        "Model parameter sets differ: PyBaMM ORegan2022 51765, OKane2022/Chen2020 63104 "
        "mol/m³; the single-crystal cell of Trevisanello 2021 gives 49015 mol/m³."
    ),
)


def borrowed_c_max(reason: str, detail: str = "") -> Source:
    """Source of an NCM811 c_max borrowed by another composition; `reason` says why it has
    no value of its own (written in parentheses), `detail` may follow it."""
    return Source(
        citation=C_MAX_SOURCE.citation,
        doi=C_MAX_SOURCE.doi,
        evidence="estimate",
        checked=C_MAX_SOURCE.checked,
        note=f"Borrowed from NCM811 ({reason}){detail}. " + C_MAX_SOURCE.note,
    )


X_MIN = 0.125
_X_AT_KONDRAKOV_4V3 = x_at_volume_strain(NCM811_LATTICE, -0.051)
X_WINDOW_SOURCE = Source(
    citation="docs/physics.md §5.2; Kondrakov et al., J. Phys. Chem. C 121 (2017) 3286",
    evidence="estimate",
    note=(
        "Usable window about x = 0.95 -> 0.12 (4.4-4.5 V) per docs/physics.md §5.2; x_min "
        f"raised to {X_MIN} to stay inside the Märker table (ends at x = "
        f"{NCM811_LATTICE.x_range[0]:.4f}). Cross-check [A]: Kondrakov's dV/V = -5.1 % at "
        f"4.3 V is reached on this table at x = {_X_AT_KONDRAKOV_4V3:.3f}. " + X_MAX_NOTE
    ),
)

_DIFFUSIVITY = ORegan2022Diffusivity(source=OREGAN2022_SOURCE)
_ELASTICITY, _ELASTICITY_SOURCE = grain_elasticity("NCM811")

MATERIAL = CathodeMaterial(
    name="NCM811",
    formula="LiNi0.8Co0.1Mn0.1O2",
    elasticity=_ELASTICITY,
    lattice_strain=NCM811_LATTICE,
    diffusivity=_DIFFUSIVITY,
    c_max_mol_m3=C_MAX,
    x_window=(X_MIN, 1.0),
    gb_strength_MPa=GB_STRENGTH_NMC811_MPA,
    fracture_toughness_MPa_sqrt_m=TOUGHNESS_NMC_MPA_SQRT_M,
    sources={
        "elasticity": _ELASTICITY_SOURCE,
        "lattice_strain": MAERKER_SOURCE,
        "diffusivity": OREGAN2022_SOURCE,
        "c_max_mol_m3": C_MAX_SOURCE,
        "x_window": X_WINDOW_SOURCE,
        "gb_strength_MPa": GB_STRENGTH_NMC811_SOURCE,
        "fracture_toughness_MPa_sqrt_m": TOUGHNESS_NMC_SOURCE,
        "gb_fracture_energy_J_m2": GB_FRACTURE_ENERGY_NMC811_SOURCE,
        "ocv": CHEN2020_SOURCE,
        "diffusion_anisotropy": DIFFUSION_ANISOTROPY_SOURCE,
        "kinetics": CHEN2020_I0_SOURCE,
    },
    ocv=Chen2020NmcOcv(),
    diffusion_anisotropy=DIFFUSION_ANISOTROPY,
    kinetics=CHEN2020_NMC811,
    gb_fracture_energy_J_m2=GB_FRACTURE_ENERGY_NMC811_J_M2,
    gb_fracture_energy_vs_x=GB_ENERGY_VS_X,
    notes=(
        "Baseline Ni-rich NCM. c-axis expands by about +2.05 % up to x = 0.36 and then "
        "collapses to -1.3 % at x = 0.12 while a shrinks by about 2 %: dV/V = -5.3 % at "
        "x = 0.12 (three quarters of it below x = 0.35). Grain stiffness: a trigonal tensor "
        "borrowed from isostructural LiCrO2 (estimate, see elasticity)."
    ),
)
