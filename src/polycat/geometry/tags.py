"""The tag scheme of `docs/internals.md` (a contract): names and integer tags.

| name | tag |
|---|---|
| ``grain_<i>`` (i = 1..N) | i |
| ``electrolyte`` | 1000 |
| ``gb_<i>_<j>`` (i < j) | 100000 + 1000 i + j |
| ``interface_<i>`` | 2000 + i |
| ``outer_xmin`` … ``outer_zmax`` | 3001 … 3006 |
| ``outer_sphere`` / ``outer_circle`` | 3010 |

Pure Python: imported by the gmsh builder and by the DOLFINx reader alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

ELECTROLYTE = 1000
INTERFACE_BASE = 2000
GB_BASE = 100_000
OUTER_BOX = {
    "outer_xmin": 3001,
    "outer_xmax": 3002,
    "outer_ymin": 3003,
    "outer_ymax": 3004,
    "outer_zmin": 3005,
    "outer_zmax": 3006,
}
OUTER_ROUND = 3010
#: Grains are limited so that grain and gb tags stay unambiguous.
MAX_GRAINS = 999


def grain_name(i: int) -> str:
    """Name of grain `i` (1-based)."""
    return f"grain_{i}"


def grain_tag(i: int) -> int:
    """Cell tag of grain `i` (1-based)."""
    return i


def gb_name(i: int, j: int) -> str:
    """Name of the boundary between grains `i` and `j` (any order)."""
    a, b = min(i, j), max(i, j)
    return f"gb_{a}_{b}"


def gb_tag(i: int, j: int) -> int:
    """Facet tag of the boundary between grains `i` and `j` (any order)."""
    a, b = min(i, j), max(i, j)
    return GB_BASE + 1000 * a + b


def interface_name(i: int) -> str:
    """Name of grain `i`'s patch of the particle surface."""
    return f"interface_{i}"


def interface_tag(i: int) -> int:
    """Facet tag of grain `i`'s patch of the particle surface."""
    return INTERFACE_BASE + i


def outer_round_name(dim: int) -> str:
    """Name of the outer boundary of a shell matrix (sphere in 3D, circle in 2D)."""
    return "outer_sphere" if dim == 3 else "outer_circle"


# --------------------------------------------------------------------------- typed tags


@dataclass(frozen=True)
class OuterFace:
    """One face of the outer boundary of the electrolyte.

    Attributes:
        name: ``outer_xmin`` … ``outer_zmax``, ``outer_sphere`` or ``outer_circle``.
        tag: its facet tag.
        axis: the box axis it is normal to (0, 1, 2), None on the round outer surface.
        side: ``"min"`` or ``"max"`` for a box face, None on the round surface.
    """

    name: str
    tag: int
    axis: int | None
    side: Literal["min", "max"] | None


@dataclass(frozen=True)
class ParticleTags:
    """The tags of a particle mesh, typed: built once from the marker names.

    Attributes:
        grains: cell tags of the grains, sorted (grain id = tag).
        electrolyte: cell tag of the solid electrolyte, None without a matrix.
        gb: facet tag → grain pair (i, j), i < j, for every grain boundary, sorted by tag.
        interface: facet tag → grain id of each patch of the particle surface, sorted.
        outer: the faces of the outer boundary (empty without a matrix), sorted by tag.
    """

    grains: tuple[int, ...]
    electrolyte: int | None
    gb: Mapping[int, tuple[int, int]]
    interface: Mapping[int, int]
    outer: tuple[OuterFace, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "gb", MappingProxyType(dict(self.gb)))
        object.__setattr__(self, "interface", MappingProxyType(dict(self.interface)))

    def __reduce__(self) -> tuple[type[ParticleTags], tuple[object, ...]]:
        """Pickle (MPI broadcast) through plain dicts."""
        return (
            type(self),
            (self.grains, self.electrolyte, dict(self.gb), dict(self.interface), self.outer),
        )

    @classmethod
    def from_markers(cls, markers: Mapping[str, tuple[int, int]]) -> ParticleTags:
        """Parse ``markers.json`` (name → (tag, dim)); unknown names are an error."""
        grains: list[int] = []
        electrolyte: int | None = None
        gb: dict[int, tuple[int, int]] = {}
        interface: dict[int, int] = {}
        outer: list[OuterFace] = []
        for name, (tag, _dim) in markers.items():
            tag = int(tag)
            if m := _GRAIN_RE.match(name):
                grains.append(tag)
            elif name == "electrolyte":
                electrolyte = tag
            elif m := _GB_RE.match(name):
                gb[tag] = (int(m.group(1)), int(m.group(2)))
            elif m := _INTERFACE_RE.match(name):
                interface[tag] = int(m.group(1))
            elif m := _OUTER_BOX_RE.match(name):
                side: Literal["min", "max"] = "min" if m.group(2) == "min" else "max"
                outer.append(OuterFace(name, tag, "xyz".index(m.group(1)), side))
            elif name in ("outer_sphere", "outer_circle"):
                outer.append(OuterFace(name, tag, None, None))
            else:
                raise ValueError(f"unknown marker name {name!r} (tag scheme: docs/internals.md)")
        return cls(
            grains=tuple(sorted(grains)),
            electrolyte=electrolyte,
            gb=MappingProxyType(dict(sorted(gb.items()))),
            interface=MappingProxyType(dict(sorted(interface.items()))),
            outer=tuple(sorted(outer, key=lambda f: f.tag)),
        )

    def gb_name(self, tag: int) -> str:
        """Marker name of a grain-boundary facet tag (``gb_<i>_<j>``)."""
        return gb_name(*self.gb[tag])

    def interface_name(self, tag: int) -> str:
        """Marker name of an interface facet tag (``interface_<i>``)."""
        return interface_name(self.interface[tag])

    def outer_face(self, name: str) -> OuterFace | None:
        """The outer face called ``name``, or None."""
        return next((f for f in self.outer if f.name == name), None)


_GRAIN_RE = re.compile(r"^grain_(\d+)$")
_GB_RE = re.compile(r"^gb_(\d+)_(\d+)$")
_INTERFACE_RE = re.compile(r"^interface_(\d+)$")
_OUTER_BOX_RE = re.compile(r"^outer_([xyz])(min|max)$")
