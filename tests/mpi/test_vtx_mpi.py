"""The VTX file written on every rank holds each P2 node once with its exact value (run
under mpiexec -n 2): a quadratic displacement on a distributed unit cube, read back by
the adios2 bindings on rank 0 (every rank's block; ghost nodes flagged and left out)."""

from __future__ import annotations

from pathlib import Path

from mpi4py import MPI

import numpy as np

from dolfinx import fem, mesh

from polycat.exports.fields import VtxSeries
from support.vtx import read_bp


def test_vtx_parallel_write_is_exact(shared_dir: Path) -> None:
    comm = MPI.COMM_WORLD
    msh = mesh.create_unit_cube(comm, 3, 2, 2)
    V = fem.functionspace(msh, ("Lagrange", 2, (3,)))
    u = fem.Function(V)
    u.interpolate(lambda p: np.stack([p[0] ** 2, p[1] * p[2], -p[0] * p[2]]))
    series = VtxSeries(shared_dir / "u.bp", msh, {"u": u})
    series.write(1.0)
    series.close()
    comm.barrier()
    ok = True
    if comm.rank == 0:
        data = read_bp(shared_dir / "u.bp", shared_dir)
        p, owned = data["geometry"], data["ghost"] == 0
        values = data["u"][0].reshape(-1, 3)
        exact = np.stack([p[:, 0] ** 2, p[:, 1] * p[:, 2], -p[:, 0] * p[:, 2]], 1)
        ok = bool(
            owned.sum() == V.dofmap.index_map.size_global
            and len(np.unique(np.round(p[owned], 9), axis=0)) == owned.sum()
            and np.abs(values - exact).max() < 1e-13
        )
    assert comm.bcast(ok, root=0)
