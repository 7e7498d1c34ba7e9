"""The readers' facet and cell statistics are exact under MPI: a grain boundary split
across ranks is counted once, with the serial numbers (run under mpiexec -n 2)."""

from __future__ import annotations

from mpi4py import MPI

import pytest

import ufl

from polycat.post.readers import derive_samples, facet_statistics, grain_rows
from polycat.post.sampling import sample_cells, sample_facets
from support.two_grains import GB_TAG, linear_stress, settings, two_grain_box


def test_parallel_matches_serial_numbers() -> None:
    world = MPI.COMM_WORLD
    results = {}
    for name, comm in (("world", world), ("self", MPI.COMM_SELF)):
        mesh, ct, ft = two_grain_box(comm, n=5)
        sig = linear_stress(mesh)
        fs = sample_facets(mesh, ft, [GB_TAG], sig)
        overall, rows = facet_statistics(comm, fs, [GB_TAG], strength=120.0)
        X = ufl.SpatialCoordinate(mesh)
        samples = sample_cells(mesh, ct, sig, 0.2 + X[0])
        g = grain_rows(comm, samples, derive_samples(samples, settings()), settings())
        results[name] = (overall, rows[0], g)
    ow, rw, gw = results["world"]
    os_, rs, gs = results["self"]
    for key, value in os_.items():
        assert ow[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
    for key, value in rs.items():
        assert rw[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
    for a, b in zip(gw, gs, strict=True):
        for key, value in b.items():
            assert a[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
    assert gw[0]["x_mean"] == pytest.approx(0.7, rel=1e-12)
