"""Built-in solid-electrolyte parameter sets, one citable module per material."""

from __future__ import annotations

from polycat.materials.electrolytes import lgps, li3ps4, li6ps5cl, llzo
from polycat.materials.types import ElectrolyteMaterial

__all__ = ["ALIASES", "BUILTIN"]

BUILTIN: tuple[ElectrolyteMaterial, ...] = (
    *li6ps5cl.VARIANTS,
    li3ps4.MATERIAL,
    lgps.MATERIAL,
    llzo.MATERIAL,
)

ALIASES: dict[str, str] = {
    **li6ps5cl.ALIASES,
    **dict.fromkeys(li3ps4.ALIASES, li3ps4.MATERIAL.name),
    **dict.fromkeys(lgps.ALIASES, lgps.MATERIAL.name),
    **dict.fromkeys(llzo.ALIASES, llzo.MATERIAL.name),
}
