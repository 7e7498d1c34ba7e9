"""Interfaces that can open: grain boundaries and the CAM–SE interface of a split mesh.

- :mod:`.pairs` — the facet pairs of a split mesh on a Lagrange space (matched DOFs,
  quadrature, assembly by global index, across ranks);
- :mod:`.cohesive` — the bilinear cohesive law with contact (numpy);
- :mod:`.mechanics` — elasticity with cohesive interfaces, solved by Newton.
"""
