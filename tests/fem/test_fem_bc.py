"""Outer boundary conditions of the elasticity problem, checked by exact identities.

For any eigenstrain and any (anisotropic, heterogeneous) stiffness, equilibrium gives
∫_Ω σ_ij dV = ∮ t_i X_j dS. The Galerkin solution satisfies it exactly whenever the
linear field X_j e_i is an admissible test function, so (to solver tolerance):

- free body: ⟨σ⟩ = 0 (all nine components);
- stack pressure p on z_max, roller on z_min, traction-free sides: ⟨σ⟩ = diag(0, 0, −p)
  (test functions X_j e_x, X_j e_y and (Z − z_min) e_z);
- confined box (rollers on all faces): ∫ ε_ii dV = ∮ u_i n_i dS = 0, i = x, y, z.
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

import ufl
from dolfinx import fem

from polycat.fem import ChemoMechanicsModel, MatrixPhase, MechanicsBC, SolverSettings
from support import meshes
from support.helpers import LICRO2_MPA, LinearLattice, cathode, stress_function

PLANES = [((0, 0, 1), 0.3), ((1, 0, 0), 0.2), ((0, 1, 0), -0.25)]


@pytest.fixture(scope="module")
def box_mesh() -> meshes.TaggedMesh:
    return meshes.cut_sphere(MPI.COMM_WORLD, 1.0, 0.35, PLANES, box_half=2.0, h_out=0.9)


def _model(m: meshes.TaggedMesh, bc: MechanicsBC) -> ChemoMechanicsModel:
    rots = Rotation.random(len(m.grain_tags), random_state=7).as_matrix()
    return ChemoMechanicsModel(
        m.mesh,
        m.cell_tags,
        m.facet_tags,
        grain_tags=m.grain_tags,
        matrix_tag=m.matrix_tag,
        interface_tags=m.interface_tags,
        outer=m.outer,
        rotations={t: rots[i] for i, t in enumerate(m.grain_tags)},
        cathode=cathode(LICRO2_MPA, LinearLattice(-0.02, 0.03, 0.0)),
        matrix=MatrixPhase(22.1e3, 0.37),
        bc=bc,
        settings=SolverSettings(element_degree=1, ksp_rtol=1e-11),
    )


def _integral(model: ChemoMechanicsModel, expr: ufl.core.expr.Expr) -> float:
    val = fem.assemble_scalar(fem.form(expr * ufl.dx(domain=model.mesh)))
    return float(model.comm.allreduce(val, op=MPI.SUM))


def _mean_stress(model: ChemoMechanicsModel) -> np.ndarray:
    vol = _integral(model, fem.Constant(model.mesh, 1.0))
    sig = model.sigma
    return np.array([[_integral(model, sig[i, j]) for j in range(3)] for i in range(3)]) / vol


def _max_stress(model: ChemoMechanicsModel) -> float:
    local = np.abs(stress_function(model).x.array).max(initial=0.0)
    return float(model.comm.allreduce(local, op=MPI.MAX))


def test_free_body_mean_stress_vanishes(box_mesh: meshes.TaggedMesh) -> None:
    model = _model(box_mesh, MechanicsBC("free"))
    model.set_x(lambda X: 0.5 + 0.2 * X[0])
    info = model.solve_mechanics()
    assert info.converged_reason.startswith("CONVERGED")
    scale = _max_stress(model)
    assert scale > 50.0
    assert np.abs(_mean_stress(model)).max() <= 1e-7 * scale


def test_stack_pressure_mean_stress(box_mesh: meshes.TaggedMesh) -> None:
    p = 25.0
    model = _model(box_mesh, MechanicsBC("stack_pressure", p))
    model.set_uniform_x(0.4)
    model.solve_mechanics()
    scale = _max_stress(model)
    S = _mean_stress(model)
    assert np.abs(S - np.diag([0.0, 0.0, -p])).max() <= 1e-7 * scale
    # roller on z_min: u_z = 0 there
    X = model.u.function_space.tabulate_dof_coordinates()
    on_zmin = np.isclose(X[:, 2], -2.0)
    assert np.abs(model.u.x.array.reshape(-1, 3)[on_zmin, 2]).max(initial=0.0) == 0.0


def test_confined_box_zero_mean_normal_strain(box_mesh: meshes.TaggedMesh) -> None:
    model = _model(box_mesh, MechanicsBC("confined"))
    model.set_uniform_x(0.4)
    model.solve_mechanics()
    eps = ufl.sym(ufl.grad(model.u))
    vol = _integral(model, fem.Constant(model.mesh, 1.0))
    for i in range(3):
        assert abs(_integral(model, eps[i, i])) / vol <= 1e-12
    X = model.u.function_space.tabulate_dof_coordinates()
    U = model.u.x.array.reshape(-1, 3)
    for axis in range(3):
        on_face = np.isclose(np.abs(X[:, axis]), 2.0)
        assert np.abs(U[on_face, axis]).max(initial=0.0) == 0.0
    assert _max_stress(model) > 50.0


def test_confined_shell_is_clamped() -> None:
    m = meshes.sphere_in_shell(MPI.COMM_WORLD, 1.0, 2.0, 0.4, 0.6)
    model = _model(m, MechanicsBC("confined"))
    model.set_uniform_x(0.4)
    model.solve_mechanics()
    X = model.u.function_space.tabulate_dof_coordinates()
    on_outer = np.isclose(np.linalg.norm(X, axis=1), 2.0)
    assert np.abs(model.u.x.array.reshape(-1, 3)[on_outer]).max(initial=0.0) == 0.0
    assert np.abs(model.u.x.array).max() > 1e-4


def test_boundary_condition_errors() -> None:
    with pytest.raises(ValueError, match="unknown mechanics boundary"):
        MechanicsBC("glued")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        MechanicsBC("stack_pressure", -1.0)
    with pytest.raises(ValueError, match="only used"):
        MechanicsBC("free", 3.0)
    free_sphere = meshes.sphere(MPI.COMM_WORLD, 1.0, 0.5)
    shell = meshes.sphere_in_shell(MPI.COMM_WORLD, 1.0, 2.0, 0.5, 0.8)
    kw = {"cathode": cathode(LICRO2_MPA, LinearLattice(0.01, 0.01)), "rotations": {1: np.eye(3)}}
    with pytest.raises(ValueError, match="needs an outer boundary"):
        ChemoMechanicsModel(
            free_sphere.mesh,
            free_sphere.cell_tags,
            free_sphere.facet_tags,
            grain_tags=[1],
            matrix_tag=None,
            interface_tags=free_sphere.interface_tags,
            outer=(),
            matrix=None,
            bc=MechanicsBC("confined"),
            **kw,
        )
    with pytest.raises(ValueError, match="box matrix"):
        ChemoMechanicsModel(
            shell.mesh,
            shell.cell_tags,
            shell.facet_tags,
            grain_tags=[1],
            matrix_tag=shell.matrix_tag,
            interface_tags=shell.interface_tags,
            outer=shell.outer,
            matrix=MatrixPhase(20e3, 0.3),
            bc=MechanicsBC("stack_pressure", 5.0),
            **kw,
        )
