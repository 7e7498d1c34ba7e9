"""Mesh cache and loader on several ranks.

Run with ``mpiexec -n 2 python -m mpi4py -m pytest tests/mpi/test_mesh_mpi.py`` (it also
passes on one rank). Every test compares the distributed mesh with the same folder read on
rank 0 alone (``COMM_SELF``): tags, volumes and grain-boundary areas must agree.
"""

from __future__ import annotations

from pathlib import Path

import dolfinx_solver  # noqa: F401
from mpi4py import MPI

import numpy as np
import pytest

import ufl
from dolfinx import fem

from polycat.geometry import GeometryError, GeometrySpec, ensure_mesh
from polycat.mesh import LoadedMesh, load_mesh

COMM = MPI.COMM_WORLD
SPEC = GeometrySpec(n_grains=10, seed=5, mesh_size_um=0.9, matrix_size_um=12.0)


def _sum(comm: MPI.Comm, form: fem.Form) -> float:
    return float(np.real(comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)))


def _measures(lm: LoadedMesh) -> dict[str, float]:
    """Grain volumes, grain-boundary areas (interior facets, dS) and interface areas."""
    mesh = lm.mesh
    comm = mesh.comm
    one = fem.Constant(mesh, 1.0)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=lm.cell_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=lm.facet_tags)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=lm.facet_tags)
    out: dict[str, float] = {}
    t = lm.tags
    for tag in t.grains:
        out[f"grain_{tag}"] = _sum(comm, fem.form(one * dx(tag)))
    for tag in t.gb:
        out[t.gb_name(tag)] = _sum(comm, fem.form(one * dS(tag)))
    for tag in t.interface:
        out[t.interface_name(tag)] = _sum(comm, fem.form(one * dS(tag)))
    out["outer"] = _sum(comm, fem.form(one * ds))
    return out


@pytest.mark.timeout(300)
def test_ensure_mesh_is_collective_and_cached(shared_dir: Path) -> None:
    folder = ensure_mesh(SPEC, shared_dir, COMM)
    assert folder == shared_dir / SPEC.cache_key()
    paths = COMM.allgather(str(folder))
    assert len(set(paths)) == 1
    again = ensure_mesh(SPEC, shared_dir, COMM)
    assert again == folder


@pytest.mark.timeout(300)
def test_every_rank_raises_the_same_geometry_error(shared_dir: Path) -> None:
    bad = GeometrySpec(n_grains=400, mesh_size_um=1.2)
    with pytest.raises(GeometryError) as info:
        ensure_mesh(bad, shared_dir / "bad", COMM)
    messages = COMM.allgather(str(info.value))
    assert len(set(messages)) == 1
    assert "mesh_size_um" in messages[0]


@pytest.mark.timeout(300)
def test_tags_and_measures_agree_with_one_rank(shared_dir: Path) -> None:
    folder = ensure_mesh(SPEC, shared_dir, COMM)
    lm = load_mesh(COMM, folder)
    assert lm.markers == COMM.bcast(lm.markers, root=0)
    assert lm.mesh.topology.index_map(3).size_global == lm.info["element_counts"]["3"]
    distributed = _measures(lm)
    serial = _measures(load_mesh(MPI.COMM_SELF, folder)) if COMM.rank == 0 else None
    serial = COMM.bcast(serial, root=0)
    assert serial is not None
    assert distributed.keys() == serial.keys()
    for key, value in serial.items():
        assert distributed[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
    volumes = np.array([distributed[f"grain_{i}"] for i in lm.tags.grains])
    np.testing.assert_allclose(volumes, lm.grains["volume_um3"], rtol=1e-10)
    # Every grain-boundary and interface patch has positive area on the whole mesh.
    assert all(v > 0 for k, v in distributed.items() if k.startswith(("gb_", "interface_")))
    assert distributed["outer"] == pytest.approx(6 * SPEC.matrix_size_um**2, rel=1e-12)
