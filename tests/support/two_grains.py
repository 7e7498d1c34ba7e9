"""A two-"grain" box with a prescribed linear stress field: the readers' test case
(tests/fem/test_readers.py and, under MPI, tests/mpi/test_readers_mpi.py)."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np

import dolfinx
import ufl

from polycat.post.readers import ReaderSettings

GB_TAG = 100000 + 1000 * 1 + 2


def two_grain_box(comm: MPI.Comm, n: int = 4) -> tuple:
    """[0,2]×[0,1]×[0,1]: grain 1 at x < 1, grain 2 at x > 1, GB facets at x = 1."""
    mesh = dolfinx.mesh.create_box(comm, [[0, 0, 0], [2, 1, 1]], [2 * n, n, n])
    tdim = mesh.topology.dim
    n_cells = mesh.topology.index_map(tdim).size_local + mesh.topology.index_map(tdim).num_ghosts
    mid = dolfinx.mesh.compute_midpoints(mesh, tdim, np.arange(n_cells, dtype=np.int32))
    cell_tags = dolfinx.mesh.meshtags(
        mesh,
        tdim,
        np.arange(n_cells, dtype=np.int32),
        np.where(mid[:, 0] < 1.0, 1, 2).astype(np.int32),
    )
    gb = dolfinx.mesh.locate_entities(mesh, tdim - 1, lambda x: np.isclose(x[0], 1.0))
    facet_tags = dolfinx.mesh.meshtags(
        mesh, tdim - 1, np.sort(gb).astype(np.int32), np.full(len(gb), GB_TAG, dtype=np.int32)
    )
    return mesh, cell_tags, facet_tags


def linear_stress(mesh: dolfinx.mesh.Mesh) -> ufl.core.expr.Expr:
    X = ufl.SpatialCoordinate(mesh)
    return ufl.as_matrix([[100.0 + 30.0 * X[1], 10.0, 0.0], [10.0, -50.0, 0.0], [0.0, 0.0, 20.0]])


def settings() -> ReaderSettings:
    return ReaderSettings(
        particle_radius_um=1.0,
        profile_outer_um=None,
        gdim=3,
        c_max_mol_m3=1.0,
        gb_strength_MPa=120.0,
        adhesion_strength_MPa=None,
        grain_tags=(1, 2),
        matrix_tag=None,
        gb_pairs={GB_TAG: (1, 2)},
        interface_grain={},
    )
