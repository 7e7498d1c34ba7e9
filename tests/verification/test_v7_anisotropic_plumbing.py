"""V7 — anisotropic stiffness and rotation plumbing (docs/physics.md §8 V7, docs/design.md §5).

(a) A free single crystal (trigonal LiCrO2 test tensor, arbitrary rotation) under a uniform
    Li change: the eigenstrain is compatible, so σ = 0. Tolerance max|σ| ≤ 1e-8·E|ε*|
    (CG at rtol 1e-12; observed 1e-11·E|ε*|).
(b) A free eight-grain particle with all grains identically oriented under uniform x:
    σ = 0, same tolerance (observed 2.4e-11·E|ε*|).
(c) Rigid rotation of the whole microstructure (mesh coordinates and every grain
    orientation rotated by Q) under a radial, non-uniform x: the discrete problem is
    exactly rotated, so per-grain average stresses satisfy S' = Q S Qᵀ and invariants
    agree to solver tolerance (≤ 1e-6 relative to max|S| ≈ 1.5 GPa, observed 6e-11).
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
from scipy.spatial.transform import Rotation

import ufl
from dolfinx import fem

from polycat.fem import ChemoMechanicsModel, MechanicsBC, SolverSettings
from support import meshes
from support.helpers import LICRO2_MPA, LinearLattice, cathode, stress_function

LATTICE = LinearLattice(-0.02, 0.03, 0.0)
E_SCALE = 200e3  # MPa, order of the LiCrO2 moduli
PLANES = [((0, 0, 1), 0.3), ((1, 0, 0), 0.2), ((0, 1, 0), -0.25)]


def _free_model(
    m: meshes.TaggedMesh, rotations: dict[int, np.ndarray], rtol: float
) -> ChemoMechanicsModel:
    return ChemoMechanicsModel(
        m.mesh,
        m.cell_tags,
        m.facet_tags,
        grain_tags=m.grain_tags,
        matrix_tag=None,
        interface_tags=m.interface_tags,
        outer=(),
        rotations=rotations,
        cathode=cathode(LICRO2_MPA, LATTICE),
        matrix=None,
        bc=MechanicsBC("free"),
        settings=SolverSettings(ksp_rtol=rtol),
    )


def _max_abs_stress(model: ChemoMechanicsModel) -> float:
    local = np.abs(stress_function(model).x.array).max(initial=0.0)
    return float(model.comm.allreduce(local, op=MPI.MAX))


def test_v7a_free_single_crystal_uniform_x() -> None:
    m = meshes.sphere(MPI.COMM_WORLD, 1.0, 0.3)
    R = Rotation.from_euler("ZXZ", [0.4, 1.1, -0.7]).as_matrix()
    model = _free_model(m, {1: R}, 1e-12)
    model.set_uniform_x(0.6)
    model.solve_mechanics()
    eps = 0.03 * 0.6
    assert np.abs(model.u.x.array).max() > 1e-3  # it did expand/contract
    assert _max_abs_stress(model) <= 1e-8 * E_SCALE * eps


def test_v7b_aligned_polycrystal_uniform_x() -> None:
    m = meshes.cut_sphere(MPI.COMM_WORLD, 1.0, 0.3, PLANES)
    assert len(m.grain_tags) == 8
    R = Rotation.from_euler("ZXZ", [2.0, 0.3, 1.3]).as_matrix()
    model = _free_model(m, dict.fromkeys(m.grain_tags, R), 1e-12)
    model.set_uniform_x(0.3)
    model.solve_mechanics()
    assert _max_abs_stress(model) <= 1e-8 * E_SCALE * 0.03 * 0.3


def _grain_averages(model: ChemoMechanicsModel) -> dict[int, np.ndarray]:
    dx = ufl.Measure("dx", domain=model.mesh, subdomain_data=model.domain.cell_tags)
    comm = model.comm
    out = {}
    for tag in model.domain.grain_tags:
        vol = comm.allreduce(fem.assemble_scalar(fem.form(fem.Constant(model.mesh, 1.0) * dx(tag))))
        S = np.zeros((3, 3))
        for i in range(3):
            for j in range(3):
                S[i, j] = (
                    comm.allreduce(fem.assemble_scalar(fem.form(model.sigma[i, j] * dx(tag)))) / vol
                )
        out[tag] = S
    return out


def test_v7c_rigid_rotation_of_microstructure() -> None:
    rots = Rotation.random(8, random_state=3).as_matrix()
    Q = Rotation.from_euler("XYZ", [0.3, -0.8, 1.9]).as_matrix()
    results = []
    for rotate in (False, True):
        m = meshes.cut_sphere(MPI.COMM_WORLD, 1.0, 0.35, PLANES)
        grains = {t: rots[i] for i, t in enumerate(m.grain_tags)}
        if rotate:
            x = m.mesh.geometry.x
            x[:] = x @ Q.T
            grains = {t: Q @ R for t, R in grains.items()}
        model = _free_model(m, grains, 1e-11)
        model.set_x(lambda X: 0.5 + 0.3 * (X[0] ** 2 + X[1] ** 2 + X[2] ** 2))
        model.solve_mechanics()
        results.append(_grain_averages(model))
    scale = max(np.abs(S).max() for S in results[0].values())
    assert scale > 10.0  # MPa: a genuinely stressed state
    for tag, S in results[0].items():
        S_rot = results[1][tag]
        assert np.abs(Q @ S @ Q.T - S_rot).max() <= 1e-6 * scale, f"grain {tag}"
