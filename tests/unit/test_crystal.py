"""Tests of polycat.crystal: rotation convention, textures, Voigt/Mandel algebra, moduli."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from scipy.spatial.transform import Rotation

from polycat import crystal as cr

# LiCrO2, Materials Project mp-18793, as printed on the ELATE page (GPa). Its C66 is the
# rounded 122, not (C11 - C12)/2 = 122.5, so it is used literally for the ELATE numbers.
ELATE_LICRO2 = np.array(
    [
        [351, 106, 69, -9, 0, 0],
        [106, 351, 69, 9, 0, 0],
        [69, 69, 203, 0, 0, 0],
        [-9, 9, 0, 54, 0, 0],
        [0, 0, 0, 0, 54, -9],
        [0, 0, 0, 0, -9, 122],
    ],
    dtype=float,
)


@pytest.fixture
def c_trig() -> np.ndarray:
    return cr.trigonal_stiffness_voigt(351.0, 106.0, 69.0, -9.0, 203.0, 54.0)


@pytest.fixture
def rots() -> np.ndarray:
    """Rotations built by scipy from seeded rotation vectors (independent of our generators)."""
    rotvec = np.random.default_rng(7).uniform(-np.pi, np.pi, (12, 3))
    return Rotation.from_rotvec(rotvec).as_matrix()


def rotate_4th_einsum(C6: np.ndarray, R: np.ndarray) -> np.ndarray:
    C = cr.voigt_to_tensor(C6)
    return cr.tensor_to_voigt(np.einsum("ia,jb,kc,ld,abcd->ijkl", R, R, R, R, C))


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# ----------------------------------------------------------------------------- Voigt layout
def test_voigt_tensor_layout_and_symmetries(c_trig: np.ndarray) -> None:
    C = cr.voigt_to_tensor(c_trig)
    assert C[0, 0, 1, 2] == C[0, 0, 2, 1] == C[1, 2, 0, 0] == c_trig[0, 3] == -9.0  # C14
    assert C[1, 1, 1, 2] == 9.0  # C24 = -C14
    assert C[0, 2, 0, 1] == C[2, 0, 1, 0] == -9.0  # C56 = C14
    assert C[0, 1, 0, 1] == 122.5  # C66 = (C11 - C12)/2
    assert np.array_equal(C, C.transpose(1, 0, 2, 3))
    assert np.array_equal(C, C.transpose(2, 3, 0, 1))
    assert np.array_equal(cr.tensor_to_voigt(C), c_trig)


def test_trigonal_matches_elate_layout_except_rounded_c66(c_trig: np.ndarray) -> None:
    diff = c_trig - ELATE_LICRO2
    assert diff[5, 5] == pytest.approx(0.5)
    diff[5, 5] = 0.0
    assert np.all(diff == 0.0)


def test_mandel_roundtrip_and_work_conjugacy(c_trig: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    eps = rng.standard_normal((5, 3, 3))
    eps = eps + np.swapaxes(eps, 1, 2)
    assert np.allclose(cr.mandel_to_voigt(cr.voigt_to_mandel(c_trig)), c_trig, rtol=1e-14)
    assert np.allclose(cr.voigt_to_strain(cr.strain_to_voigt(eps)), eps, rtol=1e-14)
    sig = cr.voigt_to_stress(cr.strain_to_voigt(eps) @ c_trig.T)
    assert np.allclose(cr.stress_to_voigt(sig), cr.strain_to_voigt(eps) @ c_trig.T)
    # sigma:eps from full tensors equals the Voigt dot product (needs the factor 2 on shear)
    sig_full = np.einsum("ijkl,nkl->nij", cr.voigt_to_tensor(c_trig), eps)
    assert np.allclose(sig_full, sig, rtol=1e-13)
    work = np.einsum("nij,nij->n", sig, eps)
    assert np.allclose(
        np.einsum("ni,ni->n", cr.stress_to_voigt(sig), cr.strain_to_voigt(eps)), work
    )
    # Mandel: stress = C_M @ strain with sqrt(2)-scaled shear in both vectors
    w = np.array([1, 1, 1, np.sqrt(2), np.sqrt(2), np.sqrt(2)])
    eps_m = cr.strain_to_voigt(eps) / np.array([1, 1, 1, 2, 2, 2]) * w
    assert np.allclose(eps_m @ cr.voigt_to_mandel(c_trig).T, cr.stress_to_voigt(sig) * w)


# ----------------------------------------------------------------------------- rotation
def test_rotation_matches_fourth_order_einsum(c_trig: np.ndarray, rots: np.ndarray) -> None:
    batch = cr.rotate_stiffness_voigt(c_trig, rots)
    assert batch.shape == (len(rots), 6, 6)
    for R, C_b in zip(rots, batch, strict=True):
        ref = rotate_4th_einsum(c_trig, R)
        assert rel_err(cr.rotate_stiffness_voigt(c_trig, R), ref) < 1e-10
        assert rel_err(C_b, ref) < 1e-10
    assert np.allclose(cr.rotate_stiffness_voigt(c_trig, Rotation.from_matrix(rots)), batch)


def test_rotation_identity_inverse_composition(c_trig: np.ndarray, rots: np.ndarray) -> None:
    assert np.allclose(cr.rotate_stiffness_voigt(c_trig, np.eye(3)), c_trig, rtol=0, atol=1e-12)
    back = cr.rotate_stiffness_voigt(cr.rotate_stiffness_voigt(c_trig, rots), rots.swapaxes(1, 2))
    assert np.allclose(back, c_trig, rtol=0, atol=1e-10)
    R1, R2 = rots[:6], rots[6:]
    two_step = cr.rotate_stiffness_voigt(cr.rotate_stiffness_voigt(c_trig, R1), R2)
    assert np.allclose(two_step, cr.rotate_stiffness_voigt(c_trig, R2 @ R1), atol=1e-10)
    assert not np.allclose(two_step, cr.rotate_stiffness_voigt(c_trig, R1 @ R2), atol=1e-3)


def test_rotation_90_about_z_by_hand(c_trig: np.ndarray) -> None:
    # Rz(90): x -> y, y -> -x. Worked out by hand from C'_ijkl = R_ia R_jb R_kc R_ld C_abcd:
    # the transversely isotropic part is unchanged; C14, C24, C56 vanish and
    # C15 = C14, C25 = -C14, C46 = -C14 appear.
    c14 = c_trig[0, 3]
    expected = c_trig.copy()
    expected[[0, 1, 4, 3], [3, 3, 5, 0]] = 0.0
    expected[[3, 3, 5], [1, 4, 4]] = 0.0
    for (i, j), v in {(0, 4): c14, (1, 4): -c14, (3, 5): -c14}.items():
        expected[i, j] = expected[j, i] = v
    Rz90 = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert np.allclose(cr.rotate_stiffness_voigt(c_trig, Rz90), expected, rtol=0, atol=1e-12)


def test_trigonal_symmetry_operations_leave_c_unchanged(c_trig: np.ndarray) -> None:
    # 3-fold about c and the 2-fold about a (x) of point group -3m
    ops = Rotation.from_rotvec(np.deg2rad([[0, 0, 120], [0, 0, 240], [180, 0, 0]]))
    for R in ops.as_matrix():
        assert np.allclose(cr.rotate_stiffness_voigt(c_trig, R), c_trig, atol=1e-10)


def test_transverse_isotropy_about_c_axis() -> None:
    c_hex = cr.trigonal_stiffness_voigt(351.0, 106.0, 69.0, 0.0, 203.0, 54.0)
    spins = Rotation.from_euler("z", np.linspace(0, 360, 13)[:, None], degrees=True).as_matrix()
    assert np.allclose(cr.rotate_stiffness_voigt(c_hex, spins), c_hex, atol=1e-10)
    tilt = Rotation.from_euler("x", 30, degrees=True).as_matrix()
    assert not np.allclose(cr.rotate_stiffness_voigt(c_hex, tilt), c_hex, atol=1.0)


def test_bond_matrix_rotates_stress_and_strain_vectors(rots: np.ndarray) -> None:
    s = np.random.default_rng(3).standard_normal((3, 3))
    s = s + s.T
    M = cr.bond_matrix(rots)
    s_rot = cr.rotate_tensor2(s, rots)
    assert np.allclose(cr.stress_to_voigt(s_rot), M @ cr.stress_to_voigt(s))
    N = np.linalg.inv(M).swapaxes(1, 2)
    assert np.allclose(cr.strain_to_voigt(s_rot), N @ cr.strain_to_voigt(s))


def test_invariants_under_rotation(c_trig: np.ndarray, rots: np.ndarray) -> None:
    C_s = cr.rotate_stiffness_voigt(c_trig, rots)
    for f in (cr.voigt_bulk_modulus, cr.reuss_bulk_modulus):
        assert np.allclose(f(C_s), f(c_trig), rtol=1e-12)
    eig_m = np.linalg.eigvalsh(cr.voigt_to_mandel(c_trig))
    assert np.allclose(np.linalg.eigvalsh(cr.voigt_to_mandel(C_s)), eig_m, rtol=1e-10)
    eps = np.diag([0.01, 0.01, -0.05]) + 0.002 * (np.ones((3, 3)) - np.eye(3))
    eps_s = cr.rotate_tensor2(eps, rots)
    assert np.allclose(np.trace(eps_s, axis1=1, axis2=2), np.trace(eps))
    assert np.allclose(np.linalg.eigvalsh(eps_s), np.linalg.eigvalsh(eps), atol=1e-15)
    assert np.allclose(eps_s, np.einsum("nia,ab,njb->nij", rots, eps, rots))


def test_stress_of_rotated_quantities_equals_rotated_stress(
    c_trig: np.ndarray, rots: np.ndarray
) -> None:
    eps_c = np.diag([0.01, 0.01, -0.05]) + 0.003 * np.array([[0, 1, 2], [1, 0, -1], [2, -1, 0]])
    sig_c = cr.voigt_to_stress(c_trig @ cr.strain_to_voigt(eps_c))
    C_s = cr.rotate_stiffness_voigt(c_trig, rots)
    eps_s = cr.strain_to_voigt(cr.rotate_tensor2(eps_c, rots))
    sig_s = cr.voigt_to_stress(np.einsum("nij,nj->ni", C_s, eps_s))
    assert np.allclose(sig_s, cr.rotate_tensor2(sig_c, rots), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- orientations
def test_random_orientations_are_haar_uniform_and_seeded() -> None:
    rot = cr.random_orientations(20000, seed=2024)
    mats = cr.as_matrices(rot)
    assert mats.shape == (20000, 3, 3)
    assert np.allclose(np.linalg.det(mats), 1.0)
    c = cr.c_axes(rot)
    assert stats.kstest(c[:, 2], "uniform", args=(-1.0, 2.0)).pvalue > 1e-3
    azim = np.arctan2(c[:, 1], c[:, 0])
    assert stats.kstest(azim, "uniform", args=(-np.pi, 2 * np.pi)).pvalue > 1e-3
    # the rotation angle of a Haar rotation has density (1 - cos w)/pi on [0, pi]
    w = rot.magnitude()
    assert stats.kstest(w, lambda x: (x - np.sin(x)) / np.pi).pvalue > 1e-3
    assert np.array_equal(cr.as_matrices(cr.random_orientations(20000, seed=2024)), mats)
    assert not np.allclose(cr.as_matrices(cr.random_orientations(20000, seed=2025)), mats)


def test_fixed_orientations_and_dispatcher() -> None:
    rot = cr.orientations_from_texture("fixed", 4, seed=0, euler_bunge_deg=(10.0, 20.0, 30.0))
    assert len(rot) == 4
    assert np.allclose(cr.to_bunge_euler_deg(rot), [[10.0, 20.0, 30.0]] * 4)
    assert np.array_equal(
        cr.as_matrices(cr.orientations_from_texture("random", 5, seed=3)),
        cr.as_matrices(cr.random_orientations(5, 3)),
    )
    with pytest.raises(ValueError, match="'fixed', 'radial', 'random'"):
        cr.orientations_from_texture("radiall", 3, seed=0)
    with pytest.raises(ValueError, match="centroids"):
        cr.orientations_from_texture("radial", 3, seed=0)


def test_radial_texture_c_axis_along_radius() -> None:
    rng = np.random.default_rng(5)
    centre = np.array([1.0, -2.0, 0.5])
    pts = centre + rng.uniform(-5.0, 5.0, (200, 3))
    rot = cr.orientations_from_texture(
        "radial", 200, seed=9, centroids=pts, center=centre, axis="c"
    )
    radial = (pts - centre) / np.linalg.norm(pts - centre, axis=1, keepdims=True)
    dots = np.einsum("ni,ni->n", cr.c_axes(rot), radial)
    assert np.allclose(np.abs(dots), 1.0, rtol=0, atol=1e-12)
    # the rotation about c is random: a-axes are spread, not one fixed direction
    a_perp = cr.as_matrices(rot)[:, :, 0]
    assert np.linalg.norm(a_perp.mean(axis=0)) < 0.2
    again = cr.radial_orientations(pts, center=centre, seed=9, axis="c")
    assert np.array_equal(cr.as_matrices(again), cr.as_matrices(rot))


def test_radial_texture_other_axis_and_centre_grain() -> None:
    pts = np.array([[0.0, 0.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, -2.0], [1.0, 1.0, 1.0]])
    for axis in ("a", [1.0, 1.0, 0.0]):
        mats = cr.as_matrices(cr.radial_orientations(pts, axis=axis, seed=1))
        a_c = np.asarray([1.0, 0.0, 0.0] if axis == "a" else [1.0, 1.0, 0.0])
        a_s = mats @ (a_c / np.linalg.norm(a_c))
        r = pts[1:] / np.linalg.norm(pts[1:], axis=1, keepdims=True)
        assert np.allclose(np.einsum("ni,ni->n", a_s[1:], r), 1.0, atol=1e-12)
        assert np.allclose(mats[0] @ mats[0].T, np.eye(3)) and np.isclose(np.linalg.det(mats[0]), 1)
    with pytest.raises(ValueError, match="axis"):
        cr.radial_orientations(pts, axis="b")


@pytest.mark.parametrize("spread_deg", [2.0, 10.0])
def test_radial_texture_spread_matches_documented_distribution(spread_deg: float) -> None:
    n = 20000
    pts = np.random.default_rng(11).standard_normal((n, 3))
    rot = cr.radial_orientations(pts, spread_deg=spread_deg, seed=4, axis="c")
    radial = pts / np.linalg.norm(pts, axis=1, keepdims=True)
    cosang = np.clip(np.einsum("ni,ni->n", cr.c_axes(rot), radial), -1.0, 1.0)
    dev = np.rad2deg(np.arccos(cosang))
    assert dev.mean() == pytest.approx(spread_deg * np.sqrt(np.pi / 2), rel=0.03)
    assert stats.kstest(dev, "rayleigh", args=(0.0, spread_deg)).pvalue > 1e-3
    # tilt azimuth is uniform: grains all on the +z radius tilt their c-axes in all directions
    on_z = np.column_stack([np.zeros((n, 2)), np.linspace(1.0, 5.0, n)])
    c = cr.c_axes(cr.radial_orientations(on_z, spread_deg=spread_deg, seed=4))
    azim = np.arctan2(c[:, 1], c[:, 0])
    assert stats.kstest(azim, "uniform", args=(-np.pi, 2 * np.pi)).pvalue > 1e-3


def test_default_radial_texture_puts_the_ab_planes_along_the_radius() -> None:
    """The default radial texture (rod-shaped radial grains): c ⟂ r̂ for every grain
    (|c·r̂| ≤ sin(spread) = 0 at the default spread 0), c uniform in the tangent plane,
    a uniform about c; the old c-radial texture is axis "c"."""
    rng = np.random.default_rng(21)
    centre = np.array([0.5, 0.0, -1.0])
    pts = centre + rng.uniform(-5.0, 5.0, (4000, 3))
    rot = cr.orientations_from_texture("radial", 4000, seed=3, centroids=pts, center=centre)
    mats = cr.as_matrices(rot)
    assert np.allclose(mats @ mats.transpose(0, 2, 1), np.eye(3), atol=1e-12)
    assert np.allclose(np.linalg.det(mats), 1.0)
    r = (pts - centre) / np.linalg.norm(pts - centre, axis=1, keepdims=True)
    c = cr.c_axes(rot)
    assert np.abs(np.einsum("ni,ni->n", c, r)).max() <= 1e-12
    # c is spread over the tangent plane: its angle to the first tangent is uniform
    t1 = cr._frames(r)[:, :, 0]
    t2 = np.cross(r, t1)
    psi = np.arctan2(np.einsum("ni,ni->n", c, t2), np.einsum("ni,ni->n", c, t1))
    assert stats.kstest(psi, "uniform", args=(-np.pi, 2 * np.pi)).pvalue > 1e-3
    # the a-axis turns freely about c: its angle to the radius (which lies ⟂ c) is uniform
    a = mats[:, :, 0]
    phi = np.arctan2(np.einsum("ni,ni->n", np.cross(c, r), a), np.einsum("ni,ni->n", r, a))
    assert stats.kstest(phi, "uniform", args=(-np.pi, 2 * np.pi)).pvalue > 1e-3
    again = cr.radial_orientations(pts, center=centre, seed=3)
    assert np.array_equal(cr.as_matrices(again), mats)


@pytest.mark.parametrize("spread_deg", [3.0, 12.0])
def test_ab_radial_spread_tilts_c_out_of_the_tangent_plane(spread_deg: float) -> None:
    """With a spread s, c leaves the tangent plane by an elevation ~ N(0, s):
    |c·r̂| = |sin(elevation)|, RMS elevation s, half-normal |elevation|."""
    n = 20000
    pts = np.random.default_rng(12).standard_normal((n, 3))
    c = cr.c_axes(cr.radial_orientations(pts, spread_deg=spread_deg, seed=6))
    r = pts / np.linalg.norm(pts, axis=1, keepdims=True)
    elev = np.rad2deg(np.arcsin(np.clip(np.einsum("ni,ni->n", c, r), -1.0, 1.0)))
    assert np.sqrt(np.mean(elev**2)) == pytest.approx(spread_deg, rel=0.03)
    assert abs(elev.mean()) < 4.0 * spread_deg / np.sqrt(n)
    assert stats.kstest(np.abs(elev), "halfnorm", args=(0.0, spread_deg)).pvalue > 1e-3


# ----------------------------------------------------------------------------- conversions
def test_bunge_euler_roundtrip_and_c_axis_by_hand() -> None:
    # Bunge (0, 90, 0): R = Rx(90 deg), which carries crystal z to sample -y.
    assert np.allclose(cr.c_axes(cr.from_bunge_euler_deg([0.0, 90.0, 0.0])), [0, -1, 0])
    # texture-analysis formula for the c-axis (third row of g = R^T) in the sample frame
    rng = np.random.default_rng(8)
    ang = np.column_stack(
        [rng.uniform(0, 360, 500), rng.uniform(1, 179, 500), rng.uniform(0, 360, 500)]
    )
    p1, P = np.deg2rad(ang[:, 0]), np.deg2rad(ang[:, 1])
    expected_c = np.column_stack([np.sin(p1) * np.sin(P), -np.cos(p1) * np.sin(P), np.cos(P)])
    rot = cr.from_bunge_euler_deg(ang)
    assert np.allclose(cr.c_axes(rot), expected_c, atol=1e-12)
    assert np.allclose(cr.to_bunge_euler_deg(rot), ang, atol=1e-9)
    back = cr.to_bunge_euler_deg(cr.random_orientations(100, seed=1))
    assert np.all((back[:, [0, 2]] >= 0) & (back[:, [0, 2]] < 360))
    assert np.all((back[:, 1] >= 0) & (back[:, 1] <= 180))
    R = cr.as_matrices(cr.random_orientations(100, seed=1))
    assert np.allclose(cr.as_matrices(cr.from_bunge_euler_deg(back)), R, atol=1e-12)


def test_quaternion_roundtrip_scalar_last() -> None:
    R = cr.as_matrices(cr.random_orientations(100, seed=6))
    q = cr.to_quaternions(R)
    assert q.shape == (100, 4) and np.all(q[:, 3] >= 0)
    assert np.allclose(cr.as_matrices(cr.from_quaternions(q)), R, atol=1e-12)
    # 90 deg about z, active: (x, y, z, w) = (0, 0, sin 45, cos 45)
    s = np.sqrt(0.5)
    Rz90 = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    assert np.allclose(cr.to_quaternions(Rz90), [0.0, 0.0, s, s])


# ----------------------------------------------------------------------------- moduli
def test_elate_licro2_moduli_and_eigenvalues() -> None:
    C = ELATE_LICRO2
    assert cr.voigt_bulk_modulus(C) == pytest.approx(154.78, abs=0.05)
    assert cr.reuss_bulk_modulus(C) == pytest.approx(141.82, abs=0.05)
    assert cr.voigt_shear_modulus(C) == pytest.approx(90.067, abs=0.05)
    assert cr.reuss_shear_modulus(C) == pytest.approx(76.669, abs=0.05)
    elate_eigs = [52.829, 53.156, 123.17, 169.84, 245.84, 490.16]
    assert np.allclose(np.linalg.eigvalsh(C), elate_eigs, atol=0.01)


def test_trigonal_licro2_moduli_with_exact_c66(c_trig: np.ndarray) -> None:
    # with C66 = 122.5: G_V = (905 - 244 + 3*230.5)/15 by hand; K is independent of C66
    assert cr.voigt_shear_modulus(c_trig) == pytest.approx(1352.5 / 15, rel=1e-12)
    assert cr.voigt_bulk_modulus(c_trig) == pytest.approx(1393 / 9, rel=1e-12)
    assert cr.reuss_bulk_modulus(c_trig) == pytest.approx(141.82, abs=0.05)
    flipped = cr.trigonal_stiffness_voigt(351.0, 106.0, 69.0, 9.0, 203.0, 54.0)
    for f in (cr.voigt_shear_modulus, cr.reuss_shear_modulus, cr.reuss_bulk_modulus):
        assert f(flipped) == pytest.approx(float(f(c_trig)), rel=1e-12)


def test_isotropic_stiffness() -> None:
    E, nu = 100.0, 0.25
    C = cr.isotropic_stiffness_voigt(E, nu)
    K, G = E / (3 * (1 - 2 * nu)), E / (2 * (1 + nu))
    for f, ref in [
        (cr.voigt_bulk_modulus, K),
        (cr.reuss_bulk_modulus, K),
        (cr.voigt_shear_modulus, G),
        (cr.reuss_shear_modulus, G),
    ]:
        assert f(C) == pytest.approx(ref, rel=1e-12)
    assert 1.0 / np.linalg.inv(C)[0, 0] == pytest.approx(E, rel=1e-12)
    R = cr.as_matrices(cr.random_orientations(3, seed=0))
    assert np.allclose(cr.rotate_stiffness_voigt(C, R), C, atol=1e-10)
    with pytest.raises(ValueError):
        cr.isotropic_stiffness_voigt(E, 0.5)


def test_positive_definiteness_checks(c_trig: np.ndarray) -> None:
    assert cr.is_positive_definite(c_trig)
    assert cr.is_positive_definite(ELATE_LICRO2)
    with pytest.raises(ValueError, match="positive definite"):
        cr.trigonal_stiffness_voigt(351.0, 106.0, 69.0, -200.0, 203.0, 54.0)
    with pytest.raises(ValueError, match="positive definite"):
        cr.trigonal_stiffness_voigt(100.0, 120.0, 30.0, 0.0, 200.0, 50.0)  # C66 < 0
    bad = c_trig.copy()
    bad[0, 5] = 1.0  # not symmetric
    assert not cr.is_positive_definite(bad)
    assert not cr.is_positive_definite(-c_trig)
