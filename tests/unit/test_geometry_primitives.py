"""The shared computational geometry of `polycat.geometry.tessellation` (µm, no mesh)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from polycat.geometry.tessellation.primitives import (
    clipped_length,
    corner_angle,
    planarity_deviation,
    point_triangle_distance,
    polygon_distance_to_origin,
    same_simple_polygon,
    segment_distance_to_origin,
    segment_sphere_params,
    segment_sphere_points,
    segments_cross,
    signed_area,
)
from polycat.geometry.tessellation.seam import circle_rotation


def v(*x: float) -> np.ndarray:
    return np.array(x, dtype=float)


def test_segment_sphere_params_roots_miss_and_touch() -> None:
    assert segment_sphere_params(v(-2, 0, 0), v(2, 0, 0), 1.0) == pytest.approx((0.25, 0.75))
    assert segment_sphere_params(v(-2, 3, 0), v(2, 3, 0), 1.0) is None  # misses
    assert segment_sphere_params(v(1, 2, 3), v(1, 2, 3), 1.0) is None  # a point
    # The line y = 1 touches the unit circle (zero discriminant, exactly).
    assert segment_sphere_params(v(-1, 1), v(1, 1), 1.0) == (0.5, 0.5)
    assert segment_sphere_params(v(-1, 1), v(1, 1), 1.0, touching=False) is None


def test_segment_sphere_points_on_the_closed_segment() -> None:
    pts = segment_sphere_points(v(-2, 0), v(2, 0), 1.0)
    np.testing.assert_allclose(pts, [[-1.0, 0.0], [1.0, 0.0]])
    # An end point on the sphere counts; the root behind p does not.
    np.testing.assert_allclose(segment_sphere_points(v(0, 0, 0), v(1, 0, 0), 1.0), [[1, 0, 0]])
    assert segment_sphere_points(v(0, 0, 0), v(0.5, 0, 0), 1.0) == []
    assert len(segment_sphere_points(v(-1, 1), v(1, 1), 1.0)) == 2  # touching: listed twice


def test_clipped_length() -> None:
    assert clipped_length(v(-2, 0, 0), v(2, 0, 0), 1.0) == pytest.approx(2.0)
    assert clipped_length(v(0, 0, 0), v(0.5, 0, 0), 1.0) == pytest.approx(0.5)
    assert clipped_length(v(0, 0, 0), v(0, 3, 0), 1.0) == pytest.approx(1.0)
    assert clipped_length(v(-2, 3, 0), v(2, 3, 0), 1.0) == 0.0
    assert clipped_length(v(-1, 1), v(1, 1), 1.0) == 0.0  # touching
    assert clipped_length(v(0.2, 0, 0), v(0.2, 0, 0), 1.0) == 0.0


def test_distances_to_the_origin() -> None:
    assert segment_distance_to_origin(v(1, -1, 0), v(1, 1, 0)) == pytest.approx((1.0, 0.5))
    assert segment_distance_to_origin(v(2, 1, 0), v(2, 3, 0)) == pytest.approx((math.sqrt(5), 0))
    assert segment_distance_to_origin(v(0, 2), v(0, 2)) == (2.0, 0.0)
    o = v(0, 0, 0)
    tri = (v(-1, -1, 1), v(1, -1, 1), v(0, 1, 1))
    assert point_triangle_distance(o, *tri) == pytest.approx(1.0)  # face region
    assert point_triangle_distance(v(3, -1, 1), *tri) == pytest.approx(2.0)  # vertex region
    assert point_triangle_distance(v(0, -2, 1), *tri) == pytest.approx(1.0)  # edge region
    square = np.array([[-1, -1, 2], [1, -1, 2], [1, 1, 2], [-1, 1, 2]], dtype=float)
    assert polygon_distance_to_origin(square) == pytest.approx(2.0)
    assert polygon_distance_to_origin(square + v(3, 0, -2)) == pytest.approx(2.0)


def test_planarity_area_and_simple_polygons() -> None:
    square = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], dtype=float)
    assert planarity_deviation(square) == pytest.approx(0.0, abs=1e-12)
    saddle = square.copy()
    saddle[:, 2] = [0.1, -0.1, 0.1, -0.1]  # least-squares plane z = 0, by symmetry
    assert planarity_deviation(saddle) == pytest.approx(0.1)
    assert signed_area(square[:, :2]) == pytest.approx(1.0)
    assert signed_area(square[::-1, :2]) == pytest.approx(-1.0)
    assert segments_cross(v(0, 0), v(1, 1), v(0, 1), v(1, 0))
    assert segments_cross(v(0, 0), v(1, 0), v(1, 0), v(2, 1))  # touching counts
    assert not segments_cross(v(0, 0), v(1, 0), v(0, 1), v(1, 1))
    moved = square.copy()
    moved[2] = [0.8, 0.9, 0.05]
    assert same_simple_polygon(square, moved)
    assert not same_simple_polygon(square, square[::-1])  # flipped
    bow_tie = square[[0, 1, 3, 2]]
    assert not same_simple_polygon(square, bow_tie)


def test_corner_angle() -> None:
    assert corner_angle(v(1, 0, 0), v(0, 2, 0)) == pytest.approx(math.pi / 2)
    assert corner_angle(v(1, 0), v(-1, 0)) == pytest.approx(math.pi)
    assert corner_angle(v(1, 1), v(2, 2)) == pytest.approx(0.0, abs=1e-7)
    assert corner_angle(v(0, 0, 0), v(1, 0, 0)) == pytest.approx(math.pi / 2)


def test_circle_rotation_puts_the_start_in_the_widest_gap() -> None:
    angle, clearance = circle_rotation(np.array([[2.0, 0.0], [0.0, 2.0]]), 2.0)
    assert angle == pytest.approx(1.25 * math.pi)
    assert clearance == pytest.approx(0.75 * math.pi * 2.0)
    assert circle_rotation(np.zeros((0, 2)), 2.0) == (0.0, math.inf)
