"""Physical groups of the particle model, named and numbered as in `docs/internals.md`.

Every facet entity is classified by the cells on its two sides: two grains → a grain
boundary, one grain (and the matrix or nothing) → that grain's interface patch, only the
matrix → an outer face. Runs on the synchronised gmsh model (rank 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import gmsh

from polycat.geometry import tags
from polycat.geometry.errors import GeometryError
from polycat.geometry.gmsh.occ_model import ParticleModel
from polycat.geometry.spec import GeometrySpec


@dataclass
class FacetClasses:
    """Facet entities of the model by role (gmsh tags of dimension dim - 1)."""

    gb: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    interface: dict[int, list[int]] = field(default_factory=dict)
    outer: dict[str, list[int]] = field(default_factory=dict)

    def gb_entities(self) -> list[int]:
        """All grain-boundary facet entities."""
        return [t for ts in self.gb.values() for t in ts]

    def interface_entities(self) -> list[int]:
        """All particle-surface facet entities."""
        return [t for ts in self.interface.values() for t in ts]


def classify_facets(spec: GeometrySpec, model: ParticleModel) -> FacetClasses:
    """Sort every facet entity into grain boundaries, interface patches and outer faces.

    Raises:
        GeometryError: for a facet inside one grain (a dangling face) or between two
            matrix pieces.
    """
    dim = spec.dim
    grain_of = {t: i for i, t in model.grain_entities.items()}
    matrix = set(model.matrix_entities)
    out = FacetClasses()
    for _, f in gmsh.model.getEntities(dim - 1):
        up = [int(c) for c in gmsh.model.getAdjacencies(dim - 1, f)[0]]
        grains = sorted(grain_of[c] for c in up if c in grain_of)
        n_matrix = sum(1 for c in up if c in matrix)
        if len(grains) == 2:
            out.gb.setdefault((grains[0], grains[1]), []).append(f)
        elif len(grains) == 1 and n_matrix <= 1:
            if n_matrix == 0 and len(up) == 1 and not _on_circle(dim, f, spec.particle_radius_um):
                raise GeometryError(
                    f"a tessellation face ends inside grain {grains[0]}; try another "
                    "geometry.seed or change geometry.regularize"
                )
            out.interface.setdefault(grains[0], []).append(f)
        elif not grains and n_matrix == 1:
            out.outer.setdefault(_outer_name(spec, f), []).append(f)
        elif not up:
            continue  # a lone facet bounding nothing (cannot occur after the cleanup)
        else:
            raise GeometryError(
                f"unexpected facet between cells {up} (grains {grains}); try another geometry.seed"
            )
    missing = [i for i in model.grain_entities if i not in out.interface and spec.n_grains == 1]
    if missing:
        raise GeometryError("the single-crystal particle has no surface facets")
    return out


def add_physical_groups(
    spec: GeometrySpec, model: ParticleModel, facets: FacetClasses
) -> dict[str, tuple[int, int]]:
    """Create the physical groups; return ``markers``: name → (tag, dim)."""
    dim = spec.dim
    markers: dict[str, tuple[int, int]] = {}

    def add(d: int, entities: list[int], tag: int, name: str) -> None:
        gmsh.model.addPhysicalGroup(d, sorted(entities), tag, name)
        markers[name] = (tag, d)

    for i in sorted(model.grain_entities):
        add(dim, [model.grain_entities[i]], tags.grain_tag(i), tags.grain_name(i))
    if model.matrix_entities:
        add(dim, model.matrix_entities, tags.ELECTROLYTE, "electrolyte")
    for (i, j), ents in sorted(facets.gb.items()):
        add(dim - 1, ents, tags.gb_tag(i, j), tags.gb_name(i, j))
    for i, ents in sorted(facets.interface.items()):
        add(dim - 1, ents, tags.interface_tag(i), tags.interface_name(i))
    for name, ents in sorted(facets.outer.items()):
        round_names = (tags.outer_round_name(3), tags.outer_round_name(2))
        tag = tags.OUTER_ROUND if name in round_names else tags.OUTER_BOX[name]
        add(dim - 1, ents, tag, name)
    return markers


def _on_circle(dim: int, facet: int, radius: float) -> bool:
    """True if the facet lies on the particle surface (its bounding box touches r = R)."""
    xmin, ymin, zmin, xmax, ymax, zmax = gmsh.model.getBoundingBox(dim - 1, facet)
    com = np.array(gmsh.model.occ.getCenterOfMass(dim - 1, facet))[:dim]
    ftype = gmsh.model.getType(dim - 1, facet)
    if ftype in ("Sphere", "Circle", "Ellipse"):
        return True
    extent = max(xmax - xmin, ymax - ymin, zmax - zmin)
    return bool(abs(np.linalg.norm(com) - radius) < 1e-3 * max(extent, radius))


def _outer_name(spec: GeometrySpec, facet: int) -> str:
    """Which outer face of the box (by its bounding box) or the round outer boundary."""
    dim = spec.dim
    if spec.matrix == "shell":
        return tags.outer_round_name(dim)
    bb = np.array(gmsh.model.getBoundingBox(dim - 1, facet))
    lo, hi = bb[:3], bb[3:]
    half = 0.5 * spec.matrix_size_um
    tol = 1e-6 * spec.matrix_size_um
    for axis, letter in enumerate("xyz"[:dim]):
        if hi[axis] - lo[axis] < tol:
            side = "min" if lo[axis] < 0 else "max"
            if abs(abs(lo[axis]) - half) < 1e3 * tol:
                return f"outer_{letter}{side}"
    raise GeometryError("an outer matrix facet is not on a face of the box (internal error)")
