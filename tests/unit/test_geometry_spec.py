"""GeometrySpec, seeds, tessellation and regularisation: no mesh, no DOLFINx (fast)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from polycat.geometry import GeometryError, GeometrySpec
from polycat.geometry.tessellation.faces import planar_pieces
from polycat.geometry.tessellation.power_diagram import power_diagram
from polycat.geometry.tessellation.regularize import clipped_min_edge, regularize
from polycat.geometry.tessellation.seeds import check_resolution, place_seeds


def test_defaults_match_the_config_contract() -> None:
    spec = GeometrySpec()
    assert spec.to_dict() == {
        "dim": 3,
        "particle_radius_um": 5.0,
        "n_grains": 30,
        "seed": 1,
        "matrix": "box",
        "matrix_size_um": 15.0,
        "mesh_size_um": 0.6,
        "interface_mesh_size_um": None,
        "matrix_mesh_size_um": None,
        "min_seed_spacing": 0.5,
        "lloyd_iterations": 2,
        "grain_size_cv": 0.0,
        "regularize": 0.5,
    }
    assert spec.interface_size == 0.6
    assert spec.matrix_size == pytest.approx(1.5)
    assert GeometrySpec(**spec.to_dict()) == spec


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"dim": 4}, "dim"),
        ({"matrix": "cube"}, "matrix"),
        ({"matrix_size_um": 9.0}, "particle diameter"),
        ({"matrix": "shell", "matrix_size_um": 4.0}, "shell outer radius"),
        ({"mesh_size_um": 6.0}, "mesh_size_um"),
        ({"mesh_size_um": -1.0}, "mesh_size_um"),
        ({"n_grains": 0}, "n_grains"),
        ({"n_grains": 1000}, "n_grains"),
        ({"min_seed_spacing": 1.2}, "min_seed_spacing"),
        ({"grain_size_cv": -0.1}, "grain_size_cv"),
        ({"regularize": 3.0}, "regularize"),
        ({"interface_mesh_size_um": 0.0}, "interface_mesh_size_um"),
    ],
)
def test_invalid_specs_raise_clear_value_errors(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GeometrySpec(**kwargs)  # type: ignore[arg-type]


def test_cache_key_is_short_stable_and_sensitive() -> None:
    a = GeometrySpec(particle_radius_um=5, seed=3)
    b = GeometrySpec(particle_radius_um=5.0, seed=3)
    assert a.cache_key() == b.cache_key()
    assert len(a.cache_key()) == 12
    assert int(a.cache_key(), 16) >= 0
    assert GeometrySpec(seed=4).cache_key() != a.cache_key()
    assert GeometrySpec(seed=3, regularize=0.4).cache_key() != a.cache_key()


def test_too_coarse_mesh_is_rejected_with_advice() -> None:
    spec = GeometrySpec(n_grains=200, mesh_size_um=1.5)
    with pytest.raises(GeometryError, match=r"mesh_size_um 1\.5 µm is too coarse.*lower"):
        check_resolution(spec)


def test_impossible_seed_spacing_is_reported() -> None:
    with pytest.raises(GeometryError, match="min_seed_spacing"):
        place_seeds(GeometrySpec(n_grains=40, min_seed_spacing=0.9, mesh_size_um=0.3))


@pytest.mark.parametrize("dim", [2, 3])
def test_seeds_are_reproducible_and_spaced(dim: int) -> None:
    spec = GeometrySpec(dim=dim, n_grains=40, seed=7, mesh_size_um=0.4)
    a, b = place_seeds(spec), place_seeds(spec)
    np.testing.assert_array_equal(a.points, b.points)
    assert a.points.shape == (40, dim)
    assert np.all(np.linalg.norm(a.points, axis=1) < spec.particle_radius_um)
    assert a.min_distance_um >= 0.5 * a.hard_core_um  # Lloyd keeps seeds apart
    other = place_seeds(GeometrySpec(dim=dim, n_grains=40, seed=8, mesh_size_um=0.4))
    assert not np.allclose(a.points, other.points)


def test_laguerre_weights_give_the_requested_size_spread() -> None:
    voronoi = place_seeds(GeometrySpec(n_grains=60, seed=2, mesh_size_um=0.4))
    laguerre = place_seeds(GeometrySpec(n_grains=60, seed=2, mesh_size_um=0.4, grain_size_cv=0.6))
    assert np.all(voronoi.weights == 0.0)
    assert voronoi.sampled_cv < 0.35
    assert 0.4 < laguerre.sampled_cv < 0.85


@pytest.mark.parametrize("dim", [2, 3])
def test_power_diagram_faces_are_bisectors(dim: int) -> None:
    spec = GeometrySpec(dim=dim, n_grains=25, seed=5, mesh_size_um=0.5, grain_size_cv=0.3)
    seeds = place_seeds(spec)
    tess = power_diagram(seeds.points, seeds.weights, spec.particle_radius_um)
    s, w = seeds.points, seeds.weights
    for face in tess.faces:
        x = tess.vertices[face.loop]
        pa = np.sum((x - s[face.a]) ** 2, axis=1) - w[face.a]
        pb = np.sum((x - s[face.b]) ** 2, axis=1) - w[face.b]
        np.testing.assert_allclose(pa, pb, atol=1e-8)
        others = np.sum((x[:, None, :] - s[None, :, :]) ** 2, axis=2) - w[None, :]
        assert np.all(others.min(axis=1) >= pa - 1e-8)


def test_regularisation_removes_short_edges_in_the_particle() -> None:
    spec = GeometrySpec(n_grains=100, seed=1, mesh_size_um=0.4)
    seeds = place_seeds(spec)
    tess = power_diagram(seeds.points, seeds.weights, spec.particle_radius_um)
    length = spec.regularize * spec.mesh_size_um
    before = clipped_min_edge(tess, spec.particle_radius_um)
    reg, stats = regularize(tess, length, spec.particle_radius_um)
    assert before < 0.05 * length  # Voronoi diagrams do have tiny edges
    assert stats.min_edge_before_um == pytest.approx(before)
    assert stats.min_edge_after_um >= 0.95 * length
    assert stats.merged > 0
    assert stats.max_nonplanarity_um < length
    # The input is left alone, and pieces of non-planar faces are planar.
    assert clipped_min_edge(tess, spec.particle_radius_um) == pytest.approx(before)
    pieces, pstats = planar_pieces(reg, spec.particle_radius_um, length)
    assert pstats.nonplanar_faces > 0
    for pc in pieces:
        x = reg.vertices[list(pc.loop)]
        centred = x - x.mean(axis=0)
        assert np.linalg.svd(centred, compute_uv=False)[-1] < 1e-7


def test_single_grain_has_no_faces() -> None:
    seeds = place_seeds(GeometrySpec(n_grains=1))
    tess = power_diagram(seeds.points, seeds.weights, 5.0)
    assert tess.faces == []
    assert math.isinf(clipped_min_edge(tess, 5.0))
