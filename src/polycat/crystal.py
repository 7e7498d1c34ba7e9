"""Grain orientations, textures and anisotropic stiffness in Voigt/Mandel form.

Convention (the reference for all of polycat; see docs/internals.md)
--------------------------------------------------------------------
* A grain orientation is the **active** rotation ``R`` (3x3, det +1) that carries
  crystal-frame vectors to the sample frame: ``v_sample = R @ v_crystal``. Its
  columns are the crystal axes (a1 || x_c, a2, c || z_c) written in the sample
  frame, so the c-axis of a grain is ``R[:, 2]``.
* Second-order tensors: ``eps_sample = R @ eps_crystal @ R.T``; fourth-order
  tensors: ``C'_ijkl = R_ia R_jb R_kc R_ld C_abcd``.
* Bunge Euler angles (phi1, Phi, phi2) give ``R = Rz(phi1) Rx(Phi) Rz(phi2)``,
  i.e. scipy ``Rotation.from_euler("ZXZ", [phi1, Phi, phi2])`` (intrinsic).
  In texture-analysis terms this is the *passive* sample->crystal orientation
  matrix ``g = R.T`` of Bunge. Angles are in degrees at this module's interface.
* Quaternions are scalar-last ``(x, y, z, w)`` of the active rotation ``R``.
* Voigt order is 11, 22, 33, 23, 13, 12. Strain Voigt vectors carry engineering
  shear (2 eps_23, 2 eps_13, 2 eps_12); stress Voigt vectors do not. Mandel
  vectors scale every shear component by sqrt(2) (strain and stress alike).

Orientation generators return a stacked ``scipy.spatial.transform.Rotation`` of
length N (use :func:`as_matrices` for an (N, 3, 3) array). They draw only from
``numpy.random.default_rng(seed)``, so every MPI rank gets identical results.
Functions taking a rotation accept a ``Rotation`` or an array (3, 3) / (N, 3, 3).
Stiffness helpers work in any consistent stress unit (GPa or MPa); moduli are
returned in that unit.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.transform import Rotation

type FloatArray = NDArray[np.float64]
type RotationLike = Rotation | ArrayLike

TEXTURES = ("fixed", "radial", "random")
# Voigt index I -> tensor index pair (i, j).
_PAIRS = np.array([(0, 0), (1, 1), (2, 2), (1, 2), (0, 2), (0, 1)])
# tensor index pair (i, j) -> Voigt index I.
_VOIGT = np.array([[0, 5, 4], [5, 1, 3], [4, 3, 2]])
_MANDEL_W = np.array([1.0, 1.0, 1.0, np.sqrt(2.0), np.sqrt(2.0), np.sqrt(2.0)])
_ENG_W = np.array([1.0, 1.0, 1.0, 2.0, 2.0, 2.0])


def _matrices(R: RotationLike) -> FloatArray:
    """Rotation matrices (3, 3) or (N, 3, 3) from a Rotation or an array."""
    if isinstance(R, Rotation):
        return np.asarray(R.as_matrix(), dtype=np.float64)
    mats: FloatArray = np.asarray(R, dtype=np.float64)
    if mats.shape[-2:] != (3, 3):
        raise ValueError(f"rotation matrices must have shape (..., 3, 3), got {mats.shape}")
    return mats


def as_matrices(rot: RotationLike) -> FloatArray:
    """Rotation matrices as an (N, 3, 3) float array (N = 1 for a single rotation)."""
    return _matrices(rot).reshape(-1, 3, 3)


# --------------------------------------------------------------------------- orientations
def random_orientations(n: int, seed: int) -> Rotation:
    """``n`` orientations uniform (Haar) on SO(3): normalised 4D Gaussian quaternions."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    q = np.random.default_rng(seed).standard_normal((n, 4))
    return Rotation.from_quat(q / np.linalg.norm(q, axis=1, keepdims=True))


def fixed_orientations(
    n: int, euler_bunge_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
) -> Rotation:
    """``n`` identical orientations from Bunge Euler angles (phi1, Phi, phi2) in degrees."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    angles = np.tile(np.asarray(euler_bunge_deg, dtype=np.float64).reshape(1, 3), (n, 1))
    return from_bunge_euler_deg(angles)


def _frames(v: FloatArray) -> FloatArray:
    """Right-handed orthonormal frames (N, 3, 3) whose third column is the unit vector v."""
    helper = np.where(np.abs(v[:, [0]]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    u = np.cross(helper, v)
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    return np.stack([u, np.cross(v, u), v], axis=2)


def radial_orientations(
    centroids: ArrayLike,
    center: ArrayLike = (0.0, 0.0, 0.0),
    axis: str | ArrayLike = "ab",
    spread_deg: float = 0.0,
    seed: int = 0,
) -> Rotation:
    """Orientations that put a crystal direction along the radius through each centroid.

    ``axis`` "ab" (the default): the ab-plane — the Li channels of a layered oxide —
    contains the radius: the c-axis is perpendicular to it, at a uniform random angle in
    the tangent plane (the rotation about the radius is uniform). With ``spread_deg`` = s
    the c-axis leaves the tangent plane by an elevation angle drawn from a Gaussian of
    standard deviation s (|c·r̂| = |sin(elevation)|; s = 0: exactly perpendicular). This
    is the texture of radially aligned rod-shaped primary grains (docs/physics.md §5.5).
    See :func:`_axis_radial` for the other choices ("c", "a" or a crystal vector along
    the radius).
    """
    if isinstance(axis, str) and axis == "ab":
        return _ab_radial(centroids, center, spread_deg, seed)
    return _axis_radial(centroids, center, axis, spread_deg, seed)


def _radial_units(centroids: ArrayLike, center: ArrayLike) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Unit radius vectors of the centroids (z where a grain sits at the centre) and the
    mask of those centred grains."""
    pts = np.atleast_2d(np.asarray(centroids, dtype=np.float64))
    if pts.ndim != 2 or pts.shape[1] != 3 or pts.shape[0] < 1:
        raise ValueError(f"centroids must have shape (N, 3) with N >= 1, got {pts.shape}")
    r = pts - np.asarray(center, dtype=np.float64).reshape(1, 3)
    dist = np.linalg.norm(r, axis=1)
    at_centre = dist <= 1e-12 * (float(dist.max()) if dist.max() > 0.0 else 1.0)
    t = np.where(at_centre[:, None], [[0.0, 0.0, 1.0]], r / np.where(at_centre, 1.0, dist)[:, None])
    return t, at_centre


def _ab_radial(centroids: ArrayLike, center: ArrayLike, spread_deg: float, seed: int) -> Rotation:
    """c ⟂ radius (ab-plane radial), see :func:`radial_orientations`."""
    if spread_deg < 0.0:
        raise ValueError(f"spread_deg must be >= 0, got {spread_deg}")
    t, at_centre = _radial_units(centroids, center)
    n = t.shape[0]
    rng = np.random.default_rng(seed)
    psi = np.asarray(rng.uniform(0.0, 2.0 * np.pi, n))  # azimuth of c in the tangent plane
    spin = np.asarray(rng.uniform(0.0, 2.0 * np.pi, n))  # rotation of a about c
    elevation = rng.standard_normal(n) * np.deg2rad(spread_deg)
    q_centre = rng.standard_normal((n, 4))
    frame_t = _frames(t)  # columns: two tangents and the radius
    tangent = frame_t[:, :, 0] * np.cos(psi)[:, None] + frame_t[:, :, 1] * np.sin(psi)[:, None]
    c = np.cos(elevation)[:, None] * tangent + np.sin(elevation)[:, None] * t
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    spin_m = Rotation.from_rotvec(spin[:, None] * np.array([[0.0, 0.0, 1.0]])).as_matrix()
    mats = _frames(c) @ spin_m  # crystal z -> c, then a uniform rotation about c
    if np.any(at_centre):
        q = q_centre[at_centre] / np.linalg.norm(q_centre[at_centre], axis=1, keepdims=True)
        mats[at_centre] = Rotation.from_quat(q).as_matrix()
    return Rotation.from_matrix(mats)


def _axis_radial(
    centroids: ArrayLike,
    center: ArrayLike,
    axis: str | ArrayLike,
    spread_deg: float,
    seed: int,
) -> Rotation:
    """Orientations whose crystal ``axis`` points along the radius through each centroid.

    ``centroids`` (N, 3) and ``center`` (3,) in any length unit (µm in polycat).
    ``axis`` is "c" (crystal z), "a" (crystal x) or a crystal-frame vector (3,).
    The rotation about that axis is uniform random. With ``spread_deg`` = s > 0 the
    axis is tilted away from the radius: the two tangential tilt components are
    independent Gaussians with standard deviation s (a small-spread Fisher
    distribution, kappa = 1/s^2 in rad), so the tilt angle is Rayleigh distributed
    with mean s*sqrt(pi/2) and the tilt azimuth is uniform. Intended for s up to a
    few tens of degrees. A grain closer to ``center`` than 1e-12 times the largest
    centroid distance (or 1e-12 when all are at the centre) has no radius and gets
    a uniform random orientation. All draws come from ``default_rng(seed)`` in a
    fixed order, so the result depends only on the inputs.
    """
    t, at_centre = _radial_units(centroids, center)
    if isinstance(axis, str):
        if axis not in ("a", "c"):
            raise ValueError(
                f"axis must be 'ab', 'a', 'c' or a crystal-frame 3-vector, got {axis!r}"
            )
        axis = [1.0, 0.0, 0.0] if axis == "a" else [0.0, 0.0, 1.0]
    a_c = np.asarray(axis, dtype=np.float64).reshape(3)
    if np.linalg.norm(a_c) == 0.0:
        raise ValueError("axis must be a non-zero vector")
    if spread_deg < 0.0:
        raise ValueError(f"spread_deg must be >= 0, got {spread_deg}")
    a_c = a_c / np.linalg.norm(a_c)
    n = t.shape[0]
    rng = np.random.default_rng(seed)
    psi = np.asarray(rng.uniform(0.0, 2.0 * np.pi, n))
    tilt = rng.standard_normal((n, 2)) * np.deg2rad(spread_deg)
    q_centre = rng.standard_normal((n, 4))
    frame_t = _frames(t)
    theta = np.linalg.norm(tilt, axis=1)
    # exact rotation of t by theta towards the tangent direction tilt/theta
    tangent = frame_t[:, :, 0] * tilt[:, [0]] + frame_t[:, :, 1] * tilt[:, [1]]
    target = np.cos(theta)[:, None] * t + np.sinc(theta / np.pi)[:, None] * tangent
    target /= np.linalg.norm(target, axis=1, keepdims=True)
    frame_a = _frames(a_c[None, :])[0]
    spin = Rotation.from_rotvec(psi[:, None] * a_c[None, :]).as_matrix()
    mats = _frames(target) @ frame_a.T @ spin  # spin about a_c, then carry a_c -> target
    if np.any(at_centre):
        q = q_centre[at_centre] / np.linalg.norm(q_centre[at_centre], axis=1, keepdims=True)
        mats[at_centre] = Rotation.from_quat(q).as_matrix()
    return Rotation.from_matrix(mats)


def orientations_from_texture(
    texture: str, n: int, seed: int, centroids: ArrayLike | None = None, **kw: Any
) -> Rotation:
    """Dispatch on ``texture`` in ("random", "radial", "fixed"); ``kw`` goes to the generator.

    "radial" needs ``centroids`` (n, 3); "fixed" ignores ``seed`` and takes
    ``euler_bunge_deg``.
    """
    if texture == "random":
        return random_orientations(n, seed, **kw)
    if texture == "fixed":
        return fixed_orientations(n, **kw)
    if texture == "radial":
        if centroids is None or np.shape(centroids) != (n, 3):
            raise ValueError(f"texture 'radial' needs centroids of shape ({n}, 3)")
        return radial_orientations(centroids, seed=seed, **kw)
    raise ValueError(f"unknown texture {texture!r}; allowed: {', '.join(map(repr, TEXTURES))}")


# --------------------------------------------------------------------------- conversions
def from_bunge_euler_deg(angles: ArrayLike) -> Rotation:
    """Rotation from Bunge Euler angles (phi1, Phi, phi2) in degrees, shape (3,) or (N, 3)."""
    return Rotation.from_euler("ZXZ", np.asarray(angles, dtype=np.float64), degrees=True)


def to_bunge_euler_deg(R: RotationLike) -> FloatArray:
    """Bunge Euler angles in degrees, phi1, phi2 in [0, 360), Phi in [0, 180].

    At Phi = 0 or 180 only phi1 +- phi2 is defined; then phi2 = 0 is returned.
    """
    rot = Rotation.from_matrix(_matrices(R))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Gg]imbal lock.*")
        ang = np.asarray(rot.as_euler("ZXZ", degrees=True), dtype=np.float64)
    ang[..., [0, 2]] = np.mod(ang[..., [0, 2]], 360.0)
    ang[..., [0, 2]] = np.where(np.isclose(ang[..., [0, 2]], 360.0), 0.0, ang[..., [0, 2]])
    return ang


def to_quaternions(R: RotationLike) -> FloatArray:
    """Scalar-last unit quaternions (x, y, z, w) with w >= 0, shape (4,) or (N, 4)."""
    q = Rotation.from_matrix(_matrices(R)).as_quat(canonical=True)
    return np.asarray(q, dtype=np.float64)


def from_quaternions(q: ArrayLike) -> Rotation:
    """Rotation from scalar-last quaternions (x, y, z, w), shape (4,) or (N, 4)."""
    return Rotation.from_quat(np.asarray(q, dtype=np.float64))


def c_axes(R: RotationLike) -> FloatArray:
    """Unit c-axes in the sample frame, ``R[..., :, 2]``, shape (3,) or (N, 3)."""
    return _matrices(R)[..., :, 2].copy()


# --------------------------------------------------------------------------- Voigt / Mandel
def voigt_to_tensor(C6: ArrayLike) -> FloatArray:
    """Stiffness (..., 6, 6) in Voigt form -> fourth-order tensor (..., 3, 3, 3, 3)."""
    C = np.asarray(C6, dtype=np.float64)
    return C[..., _VOIGT[:, :, None, None], _VOIGT[None, None, :, :]]


def tensor_to_voigt(C: ArrayLike) -> FloatArray:
    """Fourth-order stiffness (..., 3, 3, 3, 3) -> Voigt form (..., 6, 6)."""
    T = np.asarray(C, dtype=np.float64)
    i, j = _PAIRS[:, 0], _PAIRS[:, 1]
    return T[..., i[:, None], j[:, None], i[None, :], j[None, :]]


def voigt_to_mandel(C6: ArrayLike) -> FloatArray:
    """Stiffness Voigt (..., 6, 6) -> Mandel (Kelvin) form, shear blocks scaled by sqrt 2, 2."""
    return np.asarray(C6, dtype=np.float64) * np.outer(_MANDEL_W, _MANDEL_W)


def mandel_to_voigt(Cm: ArrayLike) -> FloatArray:
    """Stiffness Mandel (..., 6, 6) -> Voigt form."""
    return np.asarray(Cm, dtype=np.float64) / np.outer(_MANDEL_W, _MANDEL_W)


def strain_to_voigt(eps: ArrayLike) -> FloatArray:
    """Symmetric strain (..., 3, 3) -> Voigt vector (..., 6) with engineering shear."""
    e = np.asarray(eps, dtype=np.float64)
    out: FloatArray = e[..., _PAIRS[:, 0], _PAIRS[:, 1]] * _ENG_W
    return out


def voigt_to_strain(v: ArrayLike) -> FloatArray:
    """Voigt strain vector (..., 6) with engineering shear -> symmetric tensor (..., 3, 3)."""
    out: FloatArray = (np.asarray(v, dtype=np.float64) / _ENG_W)[..., _VOIGT]
    return out


def stress_to_voigt(sigma: ArrayLike) -> FloatArray:
    """Symmetric stress (..., 3, 3) -> Voigt vector (..., 6) (no shear factor)."""
    s = np.asarray(sigma, dtype=np.float64)
    return s[..., _PAIRS[:, 0], _PAIRS[:, 1]]


def voigt_to_stress(v: ArrayLike) -> FloatArray:
    """Voigt stress vector (..., 6) -> symmetric tensor (..., 3, 3)."""
    return np.asarray(v, dtype=np.float64)[..., _VOIGT]


# --------------------------------------------------------------------------- rotation
def bond_matrix(R: RotationLike) -> FloatArray:
    """Stress Bond matrix M (..., 6, 6): ``stress_to_voigt(R s R^T) = M @ stress_to_voigt(s)``.

    ``M[I, J] = R_im R_jn + R_in R_jm`` for I = (i, j), J = (m, n), m != n, and
    ``R_im R_jn`` for m == n. Strain Voigt vectors transform with ``inv(M).T``.
    """
    Q = _matrices(R)
    i, j = _PAIRS[:, 0, None], _PAIRS[:, 1, None]
    m, n = _PAIRS[None, :, 0], _PAIRS[None, :, 1]
    off = (m != n).astype(np.float64)
    M: FloatArray = Q[..., i, m] * Q[..., j, n] + off * Q[..., i, n] * Q[..., j, m]
    return M


def rotate_stiffness_voigt(C6: ArrayLike, R: RotationLike) -> FloatArray:
    """Sample-frame stiffness ``M C6 M^T`` (..., 6, 6) from crystal-frame C6 and rotation(s) R.

    C6 (6, 6) or (N, 6, 6), R (3, 3) or (N, 3, 3) broadcast; same unit as C6.
    """
    M = bond_matrix(R)
    out: FloatArray = M @ np.asarray(C6, dtype=np.float64) @ np.swapaxes(M, -1, -2)
    return out


def rotate_tensor2(t: ArrayLike, R: RotationLike) -> FloatArray:
    """``R t R^T`` for second-order tensors t (..., 3, 3) and rotation(s) R, broadcast."""
    Q = _matrices(R)
    out: FloatArray = np.einsum("...ia,...ab,...jb->...ij", Q, np.asarray(t, dtype=np.float64), Q)
    return out


# --------------------------------------------------------------------------- materials helpers
def is_positive_definite(C6: ArrayLike, rtol: float = 1e-10) -> bool:
    """True if the 6x6 matrix is symmetric (to ``rtol``) with all eigenvalues > 0."""
    C = np.asarray(C6, dtype=np.float64)
    scale = float(np.max(np.abs(C))) if C.size else 0.0
    if scale == 0.0 or not np.allclose(C, np.swapaxes(C, -1, -2), rtol=0.0, atol=rtol * scale):
        return False
    return bool(np.all(np.linalg.eigvalsh(C) > rtol * scale))


def isotropic_stiffness_voigt(E: float, nu: float) -> FloatArray:
    """Isotropic 6x6 Voigt stiffness from Young's modulus E (any stress unit) and Poisson nu."""
    if E <= 0.0 or not -1.0 < nu < 0.5:
        raise ValueError(f"need E > 0 and -1 < nu < 0.5, got E={E}, nu={nu}")
    lam, mu = E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))
    C = np.zeros((6, 6))
    C[:3, :3] = lam
    C[np.arange(3), np.arange(3)] += 2 * mu
    C[np.arange(3, 6), np.arange(3, 6)] = mu
    return C


def trigonal_stiffness_voigt(
    C11: float, C12: float, C13: float, C14: float, C33: float, C44: float
) -> FloatArray:
    """Trigonal (Laue -3m, e.g. R-3m layered oxides) 6x6 Voigt stiffness, same unit as inputs.

    Hexagonal axes x || a, z || c; C22 = C11, C23 = C13, C55 = C44,
    C66 = (C11 - C12)/2, and C14 = C[0, 3], C24 = C[1, 3] = -C14, C56 = C[4, 5] = C14
    (the Materials Project / ELATE layout). C14 = 0 gives transverse isotropy about c.
    Raises ValueError if the result is not positive definite.
    """
    C = np.zeros((6, 6))
    C[0, 0] = C[1, 1] = C11
    C[0, 1] = C12
    C[0, 2] = C[1, 2] = C13
    C[2, 2] = C33
    C[3, 3] = C[4, 4] = C44
    C[5, 5] = 0.5 * (C11 - C12)
    C[0, 3], C[1, 3], C[4, 5] = C14, -C14, C14
    C = np.triu(C) + np.triu(C, 1).T
    if not is_positive_definite(C):
        raise ValueError(f"trigonal stiffness is not positive definite: {C.tolist()}")
    return C


def voigt_bulk_modulus(C6: ArrayLike) -> FloatArray:
    """Voigt (upper-bound) bulk modulus [(C11+C22+C33) + 2(C12+C13+C23)]/9, unit of C6."""
    C = np.asarray(C6, dtype=np.float64)
    return np.asarray(_trace3(C) + 2.0 * _off3(C)) / 9.0


def reuss_bulk_modulus(C6: ArrayLike) -> FloatArray:
    """Reuss (lower-bound) bulk modulus 1/[(S11+S22+S33) + 2(S12+S13+S23)], S = C^-1."""
    S = np.linalg.inv(np.asarray(C6, dtype=np.float64))
    return np.asarray(1.0 / (_trace3(S) + 2.0 * _off3(S)))


def voigt_shear_modulus(C6: ArrayLike) -> FloatArray:
    """Voigt shear modulus [(C11+C22+C33) - (C12+C13+C23) + 3(C44+C55+C66)]/15."""
    C = np.asarray(C6, dtype=np.float64)
    return np.asarray(_trace3(C) - _off3(C) + 3.0 * _shear3(C)) / 15.0


def reuss_shear_modulus(C6: ArrayLike) -> FloatArray:
    """Reuss shear modulus 15/[4(S11+S22+S33) - 4(S12+S13+S23) + 3(S44+S55+S66)]."""
    S = np.linalg.inv(np.asarray(C6, dtype=np.float64))
    return np.asarray(15.0 / (4.0 * _trace3(S) - 4.0 * _off3(S) + 3.0 * _shear3(S)))


def _trace3(C: FloatArray) -> FloatArray:
    return np.asarray(C[..., 0, 0] + C[..., 1, 1] + C[..., 2, 2])


def _off3(C: FloatArray) -> FloatArray:
    return np.asarray(C[..., 0, 1] + C[..., 0, 2] + C[..., 1, 2])


def _shear3(C: FloatArray) -> FloatArray:
    return np.asarray(C[..., 3, 3] + C[..., 4, 4] + C[..., 5, 5])
