"""``geometry.kind: file`` on several ranks: every rank plans the same spec from the file,
rank 0 imports it into the cache (collective `ensure_mesh`), and the distributed mesh has
the volumes and areas of the generated mesh it was exported from; a file that changed
after planning is the same GeometryError on every rank.

Run with ``mpiexec -n 2 python -m mpi4py -m pytest tests/mpi/test_geometry_file_mpi.py``
(it also passes on one rank).
"""

from __future__ import annotations

from pathlib import Path

import dolfinx_solver  # noqa: F401
from mpi4py import MPI

import numpy as np
import pytest

import ufl
from dolfinx import fem

from polycat.config import validate_config
from polycat.config.resolve import resolve
from polycat.geometry import GeometryError, GeometrySpec, ensure_mesh
from polycat.geometry.file_spec import FileGeometrySpec
from polycat.mesh import LoadedMesh, load_mesh

COMM = MPI.COMM_WORLD
SPEC = GeometrySpec(n_grains=4, seed=1, particle_radius_um=2.0, matrix_size_um=6.0,
                    mesh_size_um=0.8)  # fmt: skip


def _measures(lm: LoadedMesh) -> dict[str, float]:
    mesh = lm.mesh
    one = fem.Constant(mesh, 1.0)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=lm.cell_tags)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=lm.facet_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=lm.facet_tags)
    t = lm.tags
    forms = {f"grain_{g}": one * dx(g) for g in t.grains}
    forms.update({t.gb_name(g): one * dS(g) for g in t.gb})
    forms.update({t.interface_name(g): one * dS(g) for g in t.interface})
    forms["outer"] = one * ds
    return {
        k: float(COMM.allreduce(fem.assemble_scalar(fem.form(f)), op=MPI.SUM))
        for k, f in forms.items()
    }


def _plan_spec(path: Path) -> FileGeometrySpec:
    geometry = {
        "kind": "file",
        "file": str(path),
        "regions": {"cell_data": "tag", "electrolyte": [1000]},
        "center_um": [0.0, 0.0, 0.0],
    }
    spec = resolve(validate_config({"geometry": geometry})).geometry
    assert isinstance(spec, FileGeometrySpec)
    return spec


def _exported(shared_dir: Path) -> tuple[Path, Path]:
    folder = ensure_mesh(SPEC, shared_dir / "generated", COMM)
    path = shared_dir / "export.vtu"
    if COMM.rank == 0 and not path.exists():
        from polycat.exports.mesh_export import export_mesh

        export_mesh(folder, "vtu", path)
    COMM.barrier()
    return folder, path


@pytest.mark.timeout(300)
def test_imported_mesh_on_several_ranks(shared_dir: Path) -> None:
    generated, path = _exported(shared_dir)
    spec = _plan_spec(path)
    assert len(set(COMM.allgather(spec.cache_key()))) == 1
    folder = ensure_mesh(spec, shared_dir / "imported", COMM)
    assert folder.name == spec.cache_key()
    a = _measures(load_mesh(COMM, generated))
    imported = load_mesh(COMM, folder)
    b = _measures(imported)
    assert a.keys() == b.keys()
    for key, value in a.items():
        assert b[key] == pytest.approx(value, rel=1e-12), key
    volumes = np.array([b[f"grain_{i}"] for i in range(1, SPEC.n_grains + 1)])
    np.testing.assert_allclose(volumes, imported.grains["volume_um3"], rtol=1e-12)
    assert volumes.sum() == pytest.approx(spec.particle_measure, rel=1e-12)


@pytest.mark.timeout(300)
def test_a_file_changed_after_planning_fails_on_every_rank(shared_dir: Path) -> None:
    _, path = _exported(shared_dir)
    copy = shared_dir / "changing.vtu"
    if COMM.rank == 0:
        copy.write_bytes(path.read_bytes())
    COMM.barrier()
    spec = _plan_spec(copy)
    COMM.barrier()
    if COMM.rank == 0:
        copy.write_bytes(path.read_bytes() + b"\n")
    COMM.barrier()
    with pytest.raises(GeometryError) as info:
        ensure_mesh(spec, shared_dir / "changed", COMM)
    messages = COMM.allgather(str(info.value))
    assert len(set(messages)) == 1 and "changed since the run was planned" in messages[0]
