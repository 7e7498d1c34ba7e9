"""Mesh size fields: fine at the particle surface and grain boundaries, coarse far out.

Inside the grains the size is `mesh_size_um` (h); on the CAM–SE interface (and, when it is
finer than h, on the grain boundaries) it is `interface_mesh_size_um`; in the matrix it
grows linearly with the distance from the particle surface, with slope `GRADING`, up to
`matrix_mesh_size_um`. All sizes in µm.
"""

from __future__ import annotations

import gmsh

from polycat.geometry.gmsh.tagging import FacetClasses
from polycat.geometry.spec import GeometrySpec

#: Growth of the element size per unit distance from the particle surface (µm/µm).
GRADING = 0.3


def apply_size_fields(spec: GeometrySpec, facets: FacetClasses) -> None:
    """Install the background size field of `spec` on the current gmsh model."""
    h = spec.mesh_size_um
    h_if = spec.interface_size
    h_far = spec.matrix_size
    dim = spec.dim
    field = gmsh.model.mesh.field
    sources = list(facets.interface_entities())
    if h_if < h:
        sources += facets.gb_entities()
    fields: list[int] = []
    if sources:
        dist = field.add("Distance")
        field.setNumbers(dist, "SurfacesList" if dim == 3 else "CurvesList", sources)
        field.setNumber(dist, "Sampling", 30 if dim == 3 else 200)
        thr = field.add("Threshold")
        field.setNumber(thr, "InField", dist)
        coarse = max(h_far, h)
        field.setNumber(thr, "SizeMin", h_if)
        field.setNumber(thr, "SizeMax", coarse)
        field.setNumber(thr, "DistMin", 0.5 * h_if)
        field.setNumber(thr, "DistMax", 0.5 * h_if + max(coarse - h_if, 0.0) / GRADING)
        fields.append(thr)
    ball = field.add("Ball")
    field.setNumber(ball, "Radius", spec.particle_radius_um)
    field.setNumber(ball, "VIn", h)
    field.setNumber(ball, "VOut", max(h_far, h, h_if))
    field.setNumber(ball, "Thickness", 0.0)
    fields.append(ball)
    combined = field.add("Min")
    field.setNumbers(combined, "FieldsList", fields)
    field.setAsBackgroundMesh(combined)
    gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
    gmsh.option.setNumber("Mesh.MeshSizeFromCurvature", 0)
    gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
    gmsh.option.setNumber("Mesh.MeshSizeMin", 0.0)
    gmsh.option.setNumber("Mesh.MeshSizeMax", max(h_far, h, h_if))
