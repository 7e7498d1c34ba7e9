"""Built-in cathode parameter sets, one citable module per material."""

from __future__ import annotations

from polycat.materials.cathodes import lco, ncm111, ncm622, ncm811, ncm_corich
from polycat.materials.types import CathodeMaterial

__all__ = ["ALIASES", "BUILTIN"]

BUILTIN: tuple[CathodeMaterial, ...] = (
    ncm811.MATERIAL,
    ncm622.MATERIAL,
    ncm111.MATERIAL,
    ncm_corich.MATERIAL,
    lco.MATERIAL,
)

ALIASES: dict[str, str] = {
    "NMC811": "NCM811",
    "LiNi0.8Co0.1Mn0.1O2": "NCM811",
    "NMC622": "NCM622",
    "LiNi0.6Co0.2Mn0.2O2": "NCM622",
    "NMC111": "NCM111",
    "NCM333": "NCM111",
    "NMC333": "NCM111",
    "NCM-CoRich": "CoRichNCM",
    "Co-rich NCM": "CoRichNCM",
    "zero-strain NCM": "CoRichNCM",
    "NCM-ZS": "CoRichNCM",
    "Strauss2020": "CoRichNCM",
    "LiCoO2": "LCO",
}
