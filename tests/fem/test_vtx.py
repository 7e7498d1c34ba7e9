"""The VTX (ADIOS2) field file: the displacement at its own degree, read back by the
independent ``adios2`` Python bindings (the dev extra), in a subprocess: they bring their
own ADIOS2 library, and importing them into a process before DOLFINx breaks DOLFINx's
(``undefined symbol … HDF5Common_MPI_API``).

- the writer on a unit cube: a quadratic displacement is reproduced exactly at every P2
  node (the P1 interpolant of XDMF is exact at vertices only), with a P1 scalar field
  interpolated into the same nodes, over several times;
- a run with ``output.vtx: true`` (P2): one ``fields/fields.bp`` with every report SOC as a
  step, the fields of the XDMF series at the shared vertices, and edge-midpoint values
  that are not the mean of their vertices (the P2 information XDMF loses).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from support.vtx import read_bp


def test_writer_is_exact_at_p2_nodes(tmp_path: Path) -> None:
    import dolfinx_solver  # noqa: F401
    from mpi4py import MPI

    from dolfinx import fem, mesh

    from polycat.exports.fields import VtxSeries

    msh = mesh.create_unit_cube(MPI.COMM_SELF, 2, 3, 2)
    V = fem.functionspace(msh, ("Lagrange", 2, (3,)))
    S = fem.functionspace(msh, ("Lagrange", 1))
    u, x = fem.Function(V), fem.Function(S)
    series = VtxSeries(tmp_path / "f.bp", msh, {"u": u, "x": x})
    for t in (0.25, 1.0):
        u.interpolate(lambda p, t=t: np.stack([t * p[0] ** 2, p[1] * p[2], -t * p[0] * p[2]]))
        x.interpolate(lambda p, t=t: t + p[0] - 2.0 * p[1])
        series.write(t)
    series.close()
    data = read_bp(tmp_path / "f.bp", tmp_path)
    assert data["times"].tolist() == [0.25, 1.0]
    p = data["geometry"]
    assert len(p) == V.dofmap.index_map.size_global  # the P2 nodes, not the vertices
    for k, t in enumerate((0.25, 1.0)):
        exact_u = np.stack([t * p[:, 0] ** 2, p[:, 1] * p[:, 2], -t * p[:, 0] * p[:, 2]], 1)
        assert np.abs(data["u"][k].reshape(-1, 3) - exact_u).max() < 1e-13
        assert np.abs(data["x"][k].ravel() - (t + p[:, 0] - 2.0 * p[:, 1])).max() < 1e-13


def test_writer_refuses_a_discontinuous_field(tmp_path: Path) -> None:
    import dolfinx_solver  # noqa: F401
    from mpi4py import MPI

    from dolfinx import fem, mesh

    from polycat.exports.fields import VtxSeries

    msh = mesh.create_unit_cube(MPI.COMM_SELF, 1, 1, 1)
    dg = fem.Function(fem.functionspace(msh, ("DG", 0)))
    with pytest.raises(ValueError, match="not continuous Lagrange"):
        VtxSeries(tmp_path / "f.bp", msh, {"grain_id": dg})


def test_run_writes_one_vtx_file_with_p2_displacement(tmp_path: Path) -> None:
    import h5py

    from polycat.cli import main

    cfg = {
        "geometry": {"particle_radius_um": 2.0, "n_grains": 3, "seed": 2, "matrix": "box",
                     "matrix_size_um": 6.0, "mesh_size_um": 0.7},
        "loading": {"c_rate": 2.0, "report_soc": [0.5, 1.0]},
        "mechanics": {"element_degree": 2},
        "interfaces": {"grain_boundary": {"model": "bonded"},
                       "cathode_electrolyte": {"model": "bonded"}},
        "output": {"dir": str(tmp_path / "out"), "mesh_dir": str(tmp_path / "meshes"),
                   "vtx": True, "plots": False},
    }  # fmt: skip
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg))
    assert main(["run", str(path)]) == 0
    out = tmp_path / "out"
    data = read_bp(out / "fields" / "fields.bp", tmp_path)
    assert data["times"].tolist() == [0.5, 1.0]
    assert {"displacement_um", "x", "c_mol_m3"} <= set(data)
    run = json.loads((out / "run.json").read_text())
    p = data["geometry"]
    owned = data["ghost"] == 0
    assert owned.sum() == run["dofs"]["displacement"] // 3  # every P2 node once

    # The XDMF series holds the P1 interpolant: at the vertices the two files agree.
    with h5py.File(out / "fields" / "fields.h5", "r") as h5:
        xyz = h5["Mesh/mesh/geometry"][()]
        u_xdmf = h5["Function/displacement_um/1"][()]  # SOC 1 (SOC 0.5 is "0_5")
    u_vtx = data["displacement_um"][-1].reshape(-1, 3)
    key = {tuple(np.round(q, 9)): i for i, q in enumerate(p)}
    at = np.array([key[tuple(np.round(q, 9))] for q in xyz])
    scale = np.abs(u_xdmf).max()
    assert scale > 0
    assert np.abs(u_vtx[at] - u_xdmf).max() < 1e-12 * scale
    # Each cell's other six nodes are its edge midpoints (found from the coordinates, not
    # from an assumed node order), and they carry what P1 loses: not the mean of the ends.
    cells = data["cells"]
    assert (cells[:, 0] == 10).all()
    nodes = cells[:, 1:]
    deviation, matched = 0.0, 0
    for a in range(4):
        for b in range(a + 1, 4):
            mid_xyz = 0.5 * (p[nodes[:, a]] + p[nodes[:, b]])
            for k in range(4, 10):
                hit = np.abs(p[nodes[:, k]] - mid_xyz).max(axis=1) < 1e-9
                matched += int(hit.sum())
                ends = 0.5 * (u_vtx[nodes[hit, a]] + u_vtx[nodes[hit, b]])
                if hit.any():
                    deviation = max(deviation, float(np.abs(u_vtx[nodes[hit, k]] - ends).max()))
    assert matched == 6 * len(nodes)
    assert deviation > 1e-4 * scale
