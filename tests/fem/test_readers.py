"""Readers on a two-"grain" box with a prescribed stress field: tractions, risks and
shell statistics against values worked out by hand."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest

import ufl

from polycat.post.readers import (
    derive_samples,
    facet_statistics,
    grain_rows,
    stress_summary,
)
from polycat.post.sampling import sample_cells, sample_facets
from support.two_grains import GB_TAG, linear_stress, settings, two_grain_box


def test_gb_tractions_exact_for_linear_stress() -> None:
    comm = MPI.COMM_WORLD
    mesh, _, ft = two_grain_box(comm)
    fs = sample_facets(mesh, ft, [GB_TAG], linear_stress(mesh))
    overall, rows = facet_statistics(comm, fs, [GB_TAG], strength=120.0)
    # t_n = σ_xx = 100 + 30 y on x = 1: area mean 115 MPa (midpoint rule exact for linear)
    assert overall["area_um2"] == pytest.approx(1.0, rel=1e-12)
    assert overall["tn_mean_MPa"] == pytest.approx(115.0, rel=1e-12)
    # max over facet midpoints: largest midpoint y is 1 - 1/(3n) on a structured mesh
    assert overall["tn_max_MPa"] == pytest.approx(100 + 30 * (1 - 1 / 12), rel=1e-12)
    assert rows[0]["ts_max_MPa"] == pytest.approx(10.0, rel=1e-12)
    # risk = t_n/120 ≥ 1 where y ≥ 2/3: area fraction of facets with midpoint y ≥ 2/3
    assert 0.25 < overall["area_fraction_at_risk"] < 0.45
    assert overall["risk_max"] == pytest.approx(overall["tn_max_MPa"] / 120.0)
    # sign: a compressive normal traction gives zero risk
    X = ufl.SpatialCoordinate(mesh)
    comp = ufl.as_matrix([[-100.0 + 0 * X[0], 0, 0], [0, 0, 0], [0, 0, 0]])
    o2, _ = facet_statistics(comm, sample_facets(mesh, ft, [GB_TAG], comp), [GB_TAG], 120.0)
    assert o2["risk_max"] == 0.0 and o2["tn_max_MPa"] == pytest.approx(-100.0)


def test_cell_statistics() -> None:
    comm = MPI.COMM_WORLD
    mesh, ct, _ = two_grain_box(comm)
    s = settings()
    samples = sample_cells(mesh, ct, linear_stress(mesh), 0.5)
    d = derive_samples(samples, s)
    tot_vol = comm.allreduce(samples.weight.sum())
    assert tot_vol == pytest.approx(2.0, rel=1e-12)
    np.testing.assert_allclose(d.s_h, (100 + 30 * samples.coords[:, 1] - 50 + 20) / 3, rtol=1e-12)
    summ = stress_summary(comm, samples, d, s)
    assert summ["x_mean_particle"] == pytest.approx(0.5)
    rows = grain_rows(comm, samples, d, s)
    assert [r["grain"] for r in rows] == [1, 2]
    # mean σ_h over each grain: (100 + 15 - 50 + 20)/3
    for r in rows:
        assert r["volume_um3"] == pytest.approx(1.0, rel=1e-12)
        assert r["sigma_h_mean_MPa"] == pytest.approx(85.0 / 3.0, rel=1e-12)


def test_closed_form_largest_principal_stress_matches_eigvalsh() -> None:
    from polycat.post.stress import largest_eigenvalue_sym3

    rng = np.random.default_rng(3)
    a = rng.normal(size=(2000, 3, 3)) * 800.0
    a = 0.5 * (a + np.swapaxes(a, 1, 2))
    # degenerate cases: isotropic, two equal, rank one, zero
    special = np.array(
        [np.eye(3) * 5.0, np.diag([2.0, 2.0, -1.0]), np.diag([1.0, -1.0, -1.0]), np.zeros((3, 3))]
    )
    special = np.concatenate([special, np.outer([1.0, 2.0, 2.0], [1.0, 2.0, 2.0])[None]])
    for m in (a, special):
        ref = np.linalg.eigvalsh(m)[:, -1]
        scale = np.maximum(np.abs(m).max(axis=(1, 2)), 1.0)
        assert np.all(np.abs(largest_eigenvalue_sym3(m) - ref) <= 1e-9 * scale)
