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


def gb_pair(tag: int) -> tuple[int, int]:
    """The grain pair (i, j), i < j, of a grain-boundary facet tag."""
    rest = tag - GB_BASE
    return rest // 1000, rest % 1000


def interface_name(i: int) -> str:
    """Name of grain `i`'s patch of the particle surface."""
    return f"interface_{i}"


def interface_tag(i: int) -> int:
    """Facet tag of grain `i`'s patch of the particle surface."""
    return INTERFACE_BASE + i


def outer_round_name(dim: int) -> str:
    """Name of the outer boundary of a shell matrix (sphere in 3D, circle in 2D)."""
    return "outer_sphere" if dim == 3 else "outer_circle"


def outer_box_names(dim: int) -> list[str]:
    """Names of the outer faces of a box matrix (square sides in 2D)."""
    axes = "xyz"[:dim]
    return [f"outer_{a}{side}" for a in axes for side in ("min", "max")]
