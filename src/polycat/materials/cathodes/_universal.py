"""The NCM811 table used as a Li-content-universal law for other NCM compositions."""

from __future__ import annotations

from dataclasses import replace

from polycat.materials.cathodes.ncm811 import NCM811_LATTICE
from polycat.materials.lattice import TabulatedLatticeStrain
from polycat.materials.sources import Source

KONDRAKOV_2017 = "Kondrakov et al., J. Phys. Chem. C 121 (2017) 3286"
JOUSSEAUME_2024 = "Jousseaume, Colin, Chandesris, Lyonnard & Tardif, Energy Environ. Sci. 17 (2024)"


def universal_lattice(material: str, extra_note: str = "") -> tuple[TabulatedLatticeStrain, Source]:
    """The Märker NCM811 table, re-labelled as an estimate for ``material``."""
    src = Source(
        citation=(
            "Märker et al., Chem. Mater. 31 (2019) 2545 (NCM811 table), used as a "
            f"Li-content-universal law after {JOUSSEAUME_2024}"
        ),
        doi="10.1039/d3ee04115h",
        estimate=True,
        note=(
            f"No dense a(x), c(x) table was found for {material}. [A] Jousseaume et al. "
            "report from operando XRD of NMCs that lattice strain and c-axis collapse depend "
            "on the Li content only, irrespective of Ni content (collapse below about 40 % "
            "Li), so the NCM811 eigenstrain versus x is used unchanged; compositions differ "
            "through their practical window (how much Li the usual cut-off voltage removes). "
            + extra_note
        ),
    )
    return replace(NCM811_LATTICE, source=src), src
