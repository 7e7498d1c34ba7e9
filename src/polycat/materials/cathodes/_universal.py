"""The NCM811 table used in Li content for other NCM compositions (a hypothesis)."""

from __future__ import annotations

from dataclasses import replace

from polycat.materials.cathodes.ncm811 import NCM811_LATTICE
from polycat.materials.lattice import TabulatedLatticeStrain
from polycat.materials.sources import Source

KONDRAKOV_2017 = "Kondrakov et al., J. Phys. Chem. C 121 (2017) 3286"
JOUSSEAUME_2024 = (
    "Jousseaume, Colin, Chandesris, Lyonnard & Tardif, Energy Environ. Sci. 17 (2024), "
    "'Strain and collapse during lithiation of layered transition metal oxides: a unified "
    "picture'"
)


def universal_lattice(material: str, extra_note: str = "") -> tuple[TabulatedLatticeStrain, Source]:
    """The Märker NCM811 table, re-labelled as a hypothesis for ``material``."""
    src = Source(
        citation=(
            "Märker et al., Chem. Mater. 31 (2019) 2545 (NCM811 table), used in Li content "
            f"after {JOUSSEAUME_2024}"
        ),
        doi="10.1039/d3ee04115h",
        evidence="hypothesis",
        checked=(
            "[A] Jousseaume abstract read in the stored page "
            "pubs.rsc.org/.../articlehtml/2024/ee/d3ee04115h"
        ),
        note=(
            f"Construction: the measured NCM811 eps_a(x), eps_c(x) (Märker 2019) used "
            f"unchanged for {material}. No a(x), c(x) table of {material} was found (de Biasi "
            "et al., J. Phys. Chem. C 121 (2017) 26163, Table S1, was not retrievable). "
            "Support: Jousseaume et al. (operando XRD of several NMCs) write that they 'find a "
            "universal mechanism ... that only depends on the lithium content, irrespective "
            "of nickel content' and that strain appears when the structure collapses below "
            "40 % Li. That statement is about the collapse mechanism; that the whole a(x), "
            "c(x) curves coincide is not shown in what was read, so the law is flagged a "
            "hypothesis. Consequence: at equal x this material and NCM811 give the same "
            "stresses by construction; they differ only through the practical window "
            "(x_window). " + extra_note
        ),
    )
    return replace(NCM811_LATTICE, source=src), src
