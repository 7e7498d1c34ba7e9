"""The checks of geometry against mechanics and interfaces, shared by the schema (a
generated geometry: what its section says) and the resolver (a mesh file: what the file
has)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GeometryFacts", "combination_error"]


@dataclass(frozen=True)
class GeometryFacts:
    """What a geometry is, and how to say what it lacks in a message.

    Attributes:
        matrix, n_grains, dim, box: electrolyte kind, grain count, dimension, and whether
            the outer boundary is an axis-aligned box.
        no_matrix, not_box, one_grain, two_d: the message's words for each lack.
    """

    matrix: str
    n_grains: int
    dim: int
    box: bool
    no_matrix: str
    not_box: str
    one_grain: str
    two_d: str


def combination_error(
    facts: GeometryFacts, boundary: str, gb_model: str, cse_model: str
) -> str | None:
    """The message of the first combination the geometry cannot carry, or None."""
    f = facts
    if f.matrix == "none" and boundary != "free":
        return (
            f"mechanics.boundary: {boundary} needs an electrolyte matrix, but {f.no_matrix}; "
            "use boundary: free (the particle surface is then traction-free)"
        )
    if boundary == "stack_pressure" and not f.box:
        return (
            "mechanics.boundary: stack_pressure acts on the box faces outer_zmin/outer_zmax, "
            f"but {f.not_box}"
        )
    if gb_model == "cohesive" and f.n_grains == 1:
        return (
            f"interfaces.grain_boundary.model: cohesive needs grain boundaries, but "
            f"{f.one_grain}; set model: bonded or more grains"
        )
    if cse_model == "cohesive" and f.matrix == "none":
        return (
            f"interfaces.cathode_electrolyte.model: cohesive needs an electrolyte, but "
            f"{f.no_matrix}; set model: bonded"
        )
    if "cohesive" in (gb_model, cse_model) and f.dim == 2:
        return f"interfaces: cohesive interfaces are implemented in 3D only, and {f.two_d}"
    return None
