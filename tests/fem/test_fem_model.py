"""ChemoMechanicsModel: inputs, errors, mass balance, time schemes, transfers, 2D."""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

import numpy as np
import pytest

from petsc4py import PETSc

from polycat.fem import (
    CathodePhase,
    ChemoMechanicsModel,
    ConstantDiffusivity,
    MatrixPhase,
    MechanicsBC,
    SolverError,
    SolverSettings,
)
from support import meshes
from support.helpers import (
    ExpDiffusivity,
    LinearLattice,
    cathode,
    isotropic_voigt,
    stress_function,
)

C_ISO = isotropic_voigt(140e3, 0.3)


@pytest.fixture(scope="module")
def sphere() -> meshes.TaggedMesh:
    return meshes.sphere(MPI.COMM_WORLD, 1.0, 0.3)


def _model(m: meshes.TaggedMesh, **kw: Any) -> ChemoMechanicsModel:
    args: dict[str, Any] = {
        "grain_tags": m.grain_tags,
        "matrix_tag": m.matrix_tag,
        "interface_tags": m.interface_tags,
        "outer": m.outer,
        "rotations": dict.fromkeys(m.grain_tags, np.eye(3)),
        "cathode": cathode(C_ISO, LinearLattice(0.01, 0.02, 0.5)),
        "matrix": MatrixPhase(22.1e3, 0.37) if m.matrix_tag is not None else None,
        "bc": MechanicsBC("free"),
        "settings": SolverSettings(element_degree=1),
    }
    args.update(kw)
    return ChemoMechanicsModel(m.mesh, m.cell_tags, m.facet_tags, **args)


def test_input_validation(sphere: meshes.TaggedMesh) -> None:
    with pytest.raises(ValueError, match="no rotation"):
        _model(sphere, rotations={})
    with pytest.raises(ValueError, match="proper rotation"):
        _model(sphere, rotations={1: np.diag([1.0, 1.0, -1.0])})
    with pytest.raises(ValueError, match="grain tag 7"):
        _model(sphere, grain_tags=[1, 7], rotations={1: np.eye(3), 7: np.eye(3)})
    with pytest.raises(ValueError, match="coupling"):
        _model(sphere, coupling="both")
    with pytest.raises(ValueError, match="positive definite"):
        CathodePhase(-C_ISO, LinearLattice(0.01, 0.01), ConstantDiffusivity(1e-14), 5e4)
    with pytest.raises(ValueError, match="element_degree"):
        SolverSettings(element_degree=3)


def test_free_body_needs_displacement_degree_of_geometry() -> None:
    """P1 on curved cells cannot hold rigid rotations: a free body is refused."""
    curved = meshes.sphere(MPI.COMM_WORLD, 1.0, 0.5, order=2)
    with pytest.raises(ValueError, match="geometry degree"):
        _model(curved)
    _model(curved, settings=SolverSettings(element_degree=2))


def test_solver_error_carries_reason(sphere: meshes.TaggedMesh) -> None:
    model = _model(
        sphere,
        settings=SolverSettings(
            element_degree=1, ksp_rtol=1e-12, mechanics_options={"ksp_max_it": 1}
        ),
    )
    model.set_x(lambda X: 0.5 + 0.3 * X[0] ** 2)
    with pytest.raises(SolverError, match="DIVERGED_MAX_IT"):
        model.solve_mechanics()


def test_petsc_options_do_not_leak(sphere: meshes.TaggedMesh) -> None:
    _model(sphere, coupling="two_way")
    left = [k for k in PETSc.Options().getAll() if k.startswith("polycat_")]
    assert left == []


def test_volume_and_area(sphere: meshes.TaggedMesh) -> None:
    model = _model(sphere)
    # inscribed polyhedron: slightly below the sphere, O(h²)
    assert -0.06 < model.particle_volume / (4 / 3 * np.pi) - 1 < 0.0
    assert -0.06 < model.interface_area / (4 * np.pi) - 1 < 0.0
    assert model.flux_for_rate(-1e-3) == pytest.approx(
        1e-3 * model.particle_volume / model.interface_area
    )


@pytest.mark.parametrize("scheme", ["backward_euler", "bdf2"])
def test_nonlinear_diffusivity_mass_balance(sphere: meshes.TaggedMesh, scheme: str) -> None:
    phase = CathodePhase(C_ISO, LinearLattice(0.01, 0.02, 0.5), ExpDiffusivity(1e-15, 2.0), 5e4)
    model = _model(
        sphere, cathode=phase, settings=SolverSettings(element_degree=1, time_scheme=scheme)
    )
    model.set_uniform_x(0.9)
    rates = [-2e-3] * 3 + [-1e-3] * 3  # a rate change restarts BDF2 with backward Euler
    x_expected = 0.9
    for rate in rates:
        info = model.step(20.0, rate, mechanics=False)
        x_expected += rate * 20.0
        assert info.flux_um_s > 0.0  # charge: Li leaves through the interface
        assert info.mass_balance_error <= 1e-8
        assert info.diffusion.newton_iterations >= 2  # D depends on x
        assert info.mechanics is None
    assert model.mean_x() == pytest.approx(x_expected, abs=1e-10)
    # surface depleted below the centre on charge
    X = model.x.function_space.tabulate_dof_coordinates()
    surf = np.isclose(np.linalg.norm(X, axis=1), 1.0)
    assert model.x.x.array[surf].max() < model.mean_x()


def test_x_on_mesh_and_stress_step() -> None:
    m = meshes.sphere_in_shell(MPI.COMM_WORLD, 1.0, 2.0, 0.35, 0.6)
    model = _model(m)
    model.set_x(lambda X: 0.4 + 0.1 * X[2])
    xp = model.x_on_mesh()
    X = xp.function_space.tabulate_dof_coordinates()
    r = np.linalg.norm(X, axis=1)
    inside = r < 1.0 - 1e-6
    outside = r > 1.0 + 1e-6
    assert np.allclose(xp.x.array[inside], 0.4 + 0.1 * X[inside, 2])
    assert np.all(xp.x.array[outside] == 0.0)
    info = model.step(5.0, -1e-3)
    assert info.mechanics is not None and info.mechanics.converged_reason.startswith("CONVERGED")
    assert set(info.wall_s) == {"diffusion", "eigenstrain", "mechanics", "coupling"}


def test_plane_strain_disc_uniform_eigenstrain() -> None:
    """2D plane strain, free disc, isotropic ε* uniform: in-plane σ = 0, σ_zz = −E ε*."""
    m = meshes.disc(MPI.COMM_WORLD, 1.0, 0.15)
    E, nu, k = 140e3, 0.3, 0.01
    model = _model(
        m,
        cathode=cathode(isotropic_voigt(E, nu), LinearLattice(k, k, 0.0)),
        settings=SolverSettings(ksp_rtol=1e-12),
    )
    model.set_uniform_x(1.0)
    model.solve_mechanics()
    S = stress_function(model).x.array.reshape(-1, 3, 3)
    assert np.abs(S[:, :2, :2]).max() <= 1e-6 * E * k
    assert np.allclose(S[:, 2, 2], -E * k, rtol=1e-6)
