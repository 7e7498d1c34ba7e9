"""The outer mechanical boundary condition as data: which faces are held, in which
component, which carry the stack pressure, and which rigid-body modes stay free.

Pure Python (no DOLFINx): :func:`mechanics_boundary` reads a :class:`MechanicsBC` and the
typed outer faces of the mesh; the elasticity solver turns the result into Dirichlet
conditions, a load and a null space.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from polycat.geometry.tags import OuterFace

from .settings import MechanicsBC

__all__ = ["BoundarySpec", "mechanics_boundary"]

RIGID_MODES_3D = ("tx", "ty", "tz", "rx", "ry", "rz")
RIGID_MODES_2D = ("tx", "ty", "rz")


@dataclass(frozen=True)
class BoundarySpec:
    """Homogeneous Dirichlet data, the pressure face and the free rigid-body modes.

    Attributes:
        dirichlet: (component or None for all components, facet tag) pairs held at zero.
        pressure_tag: facet tag of the face loaded by the stack pressure (None: no load).
        free_modes: rigid-body modes the conditions leave free (removed by a null space);
            names as in :func:`polycat.fem.solvers.rigid_body_modes`.
        all_modes: every rigid-body mode of the dimension (the near-null space of AMG).
    """

    dirichlet: tuple[tuple[int | None, int], ...]
    pressure_tag: int | None
    free_modes: tuple[str, ...]
    all_modes: tuple[str, ...]


def mechanics_boundary(bc: MechanicsBC, outer: Sequence[OuterFace], gdim: int) -> BoundarySpec:
    """What ``bc`` means on a mesh whose outer boundary is ``outer`` (see :class:`MechanicsBC`).

    Raises:
        ValueError: ``confined`` without an outer boundary, or ``stack_pressure`` without
            the two box faces normal to the last axis.
    """
    all_modes = RIGID_MODES_3D if gdim == 3 else RIGID_MODES_2D
    if bc.kind == "free":
        return BoundarySpec((), None, all_modes, all_modes)
    if bc.kind == "confined":
        if not outer:
            raise ValueError("'confined' needs an outer boundary (matrix box or shell)")
        held: list[tuple[int | None, int]] = []
        for face in outer:
            if face.axis is None:
                held.append((None, face.tag))
            elif face.axis < gdim:
                held.append((face.axis, face.tag))
        return BoundarySpec(tuple(held), None, (), all_modes)
    axis = gdim - 1
    lo = next((f for f in outer if f.axis == axis and f.side == "min"), None)
    hi = next((f for f in outer if f.axis == axis and f.side == "max"), None)
    if lo is None or hi is None:
        names = ("outer_zmin", "outer_zmax") if gdim == 3 else ("outer_ymin", "outer_ymax")
        raise ValueError(f"'stack_pressure' needs a box matrix with {names[0]} and {names[1]}")
    free = ("tx", "ty", "rz") if gdim == 3 else ("tx",)
    return BoundarySpec(((axis, lo.tag),), hi.tag, free, all_modes)
