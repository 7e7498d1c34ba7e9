"""The Gmsh half of the geometry: B-rep, physical groups, size fields, mesh (rank 0 only).

The only package of polycat that imports ``gmsh``. One module per step:

- `session` — a gmsh session with its own model; a ``.msh`` file opened for reading.
- `occ_model` — one ``occ.fragment`` of the sphere by the planar faces (pieces outside are
  deleted), grains mapped to seeds by centre of mass, a second ``occ.fragment`` with the
  box/shell so the matrix shares the particle surface (conforming mesh).
- `tagging` — physical groups from the cells on both sides of every facet.
- `sizing` — Distance/Threshold/Ball fields: h in the grains, the interface size on the
  particle surface (and the grain boundaries when finer), growing into the matrix.
- `meshing` — first-order simplices (Frontal-Delaunay surfaces, HXT volumes on 2 threads),
  quality statistics, failure on inverted elements, the mesh read out as arrays.
- `pipeline` — the steps in order (with the regularisation fallback), and ``mesh.msh``.
"""
