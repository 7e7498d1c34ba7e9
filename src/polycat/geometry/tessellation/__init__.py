"""The pure half of the geometry: from a `GeometrySpec` to the planar faces of the grains.

numpy/scipy only (no Gmsh, no DOLFINx), so it is tested without either. Coordinates in µm
with the particle centre at the origin; weights in µm². Import the step modules directly
(this package imports none of them). One module per step:

- `seeds` — N seeds in the sphere (disc): hard-core random sequential addition, kept half a
  hard-core distance below the surface, Lloyd relaxation; Laguerre weights fitted for
  ``grain_size_cv > 0``. Grain i is seed i (1-based, seed order).
- `power_diagram` — the power (Voronoi/Laguerre) diagram from the lifted convex hull, as
  vertices and faces between cells (ghost seeds far out bound every cell).
- `complex` — the mutable cell complex that regularisation edits.
- `regularize` — collapse edges shorter than ``regularize × mesh_size_um``, zip needle
  corners, move vertices out of a band around the sphere (Neper-style regularisation).
- `faces` — split faces made non-planar by regularisation into planar pieces.
- `seam` — where the B-rep's sphere (circle) seam goes: away from the faces' trace on it.
- `primitives` — the shared computational geometry (segment–sphere crossings, distances,
  planarity, polygons, angles).
"""
