"""Per-grain orientations from the config: seeded, rank-independent, texture honoured."""

import numpy as np

from polycat.config.plan import OrientationSpec
from polycat.microstructure import ORIENTATION_COLUMNS, build_microstructure


def test_random_is_seeded_and_orthonormal() -> None:
    cfg = OrientationSpec(texture="random", seed=3)
    a = build_microstructure(cfg, [1, 2, 3, 4])
    b = build_microstructure(cfg, [1, 2, 3, 4])
    np.testing.assert_array_equal(a.rotations, b.rotations)
    for R in a.rotations:
        np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(R) > 0
    c = build_microstructure(OrientationSpec(texture="random", seed=4), [1, 2, 3, 4])
    assert not np.allclose(a.rotations, c.rotations)


def test_radial_ab_planes_by_default_and_c_axis_on_request() -> None:
    cents = np.array([[1.0, 0, 0], [0, 2.0, 0], [1.0, 1.0, 1.0]])
    ms = build_microstructure(OrientationSpec(texture="radial", seed=1), [1, 2, 3], cents)
    for R, x in zip(ms.rotations, cents, strict=True):
        assert abs(R[:, 2] @ x / np.linalg.norm(x)) < 1e-12  # c ⟂ r: ab-planes radial
    ms = build_microstructure(OrientationSpec(texture="radial", seed=1, axis="c"), [1, 2, 3], cents)
    for R, x in zip(ms.rotations, cents, strict=True):
        assert abs(R[:, 2] @ x / np.linalg.norm(x)) > 1 - 1e-12


def test_table_columns_and_fixed() -> None:
    ms = build_microstructure(OrientationSpec(texture="fixed", euler_deg=(0, 90, 0)), [5, 7])
    rows = ms.table()
    assert [r["grain"] for r in rows] == [5, 7]
    assert set(rows[0]) == set(ORIENTATION_COLUMNS)
    # Bunge (0, 90°, 0): R = Rx(90°) carries the crystal c-axis z to -y in the sample frame.
    np.testing.assert_allclose(
        [rows[0]["c_axis_x"], rows[0]["c_axis_y"], rows[0]["c_axis_z"]], [0, -1, 0], atol=1e-12
    )
    assert ms.rotation_of()[7].shape == (3, 3)
