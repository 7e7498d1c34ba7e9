"""Performance paths of the solvers give the same answers: Galerkin-projection initial
guesses for the elasticity CG solve, lagged Jacobians in the diffusion Newton solve."""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

import numpy as np
import pytest

from polycat.fem import (
    CathodePhase,
    ChemoMechanicsModel,
    MatrixPhase,
    MechanicsBC,
    SolverSettings,
)
from polycat.fem.solvers import GalerkinProjection
from support import meshes
from support.helpers import ExpDiffusivity, LinearLattice, cathode, isotropic_voigt

C_ISO = isotropic_voigt(140e3, 0.3)


@pytest.fixture(scope="module")
def sphere() -> meshes.TaggedMesh:
    return meshes.sphere(MPI.COMM_WORLD, 1.0, 0.3)


def _model(m: meshes.TaggedMesh, settings: SolverSettings, **kw: Any) -> ChemoMechanicsModel:
    rng = np.random.default_rng(3)
    rots = {}
    for t in m.grain_tags:  # a random proper rotation per grain (anisotropic operator)
        q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
        rots[t] = q * np.sign(np.linalg.det(q))
    args: dict[str, Any] = {
        "grain_tags": m.grain_tags,
        "matrix_tag": m.matrix_tag,
        "interface_tags": m.interface_tags,
        "outer": m.outer,
        "rotations": rots,
        "cathode": cathode(C_ISO, LinearLattice(0.01, -0.03, 0.5)),
        "matrix": None,
        "bc": MechanicsBC("free"),
        "settings": settings,
    }
    args.update(kw)
    return ChemoMechanicsModel(m.mesh, m.cell_tags, m.facet_tags, **args)


def _profiles() -> list[Any]:
    """x fields whose eigenstrain right-hand sides are not multiples of each other."""
    return [
        lambda X: 0.5 + 0.2 * X[0] ** 2,
        lambda X: 0.4 + 0.1 * X[1] + 0.2 * X[2] ** 2,
        lambda X: 0.6 - 0.15 * X[0] * X[2],
    ]


def _solve_sequence(model: ChemoMechanicsModel) -> tuple[list[np.ndarray], list[int]]:
    us, its = [], []
    for f in _profiles():
        model.set_x(f)
        info = model.solve_mechanics()
        us.append(model.u.x.array.copy())
        its.append(info.ksp_iterations)
    # A state whose right-hand side is a combination of the previous ones: (1) 0.3 + (2) 0.7
    # (the lattice law is linear in x, so the eigenstrain is too).
    f1, f2 = _profiles()[:2]
    model.set_x(lambda X: 0.3 * f1(X) + 0.7 * f2(X))
    info = model.solve_mechanics()
    us.append(model.u.x.array.copy())
    its.append(info.ksp_iterations)
    return us, its


def test_projection_same_answer_fewer_iterations(sphere: meshes.TaggedMesh) -> None:
    with_p = _model(sphere, SolverSettings(element_degree=1, ksp_rtol=1e-10, projection_size=4))
    without = _model(sphere, SolverSettings(element_degree=1, ksp_rtol=1e-10, projection_size=0))
    u1, its1 = _solve_sequence(with_p)
    u0, its0 = _solve_sequence(without)
    comm = MPI.COMM_WORLD
    for a, b in zip(u1, u0, strict=True):
        num = comm.allreduce(float(np.sum((a - b) ** 2)), op=MPI.SUM)
        den = comm.allreduce(float(np.sum(b**2)), op=MPI.SUM)
        assert np.sqrt(num / den) < 1e-7
    assert its1[0] == its0[0]  # empty basis: the same cold start
    # in the span of the previous solutions: the projection is (nearly) the answer
    assert its1[-1] <= 3 < its0[-1]
    assert sum(its1) < sum(its0)
    with_p.destroy()
    without.destroy()


def test_projection_basis_is_a_orthonormal(sphere: meshes.TaggedMesh) -> None:
    model = _model(sphere, SolverSettings(element_degree=1, projection_size=2))
    _solve_sequence(model)
    proj = model.elasticity.projection
    assert proj is not None
    assert len(proj.W) == 2  # the window keeps the newest two
    G = np.array([[w.dot(aw) for aw in proj.AW] for w in proj.W])
    assert np.allclose(G, np.eye(2), atol=1e-8)
    # a dependent solution adds nothing
    before = [w.copy() for w in proj.W]
    proj.add(proj.W[-1])
    assert len(proj.W) == 2
    assert all(np.allclose(a.array, b.array) for a, b in zip(before, proj.W, strict=True))
    with pytest.raises(ValueError, match="projection size"):
        GalerkinProjection(model.elasticity.A, 0)
    with pytest.raises(ValueError, match="projection_size"):
        SolverSettings(projection_size=-1)
    model.destroy()


def test_lagged_jacobian_same_answer(sphere: meshes.TaggedMesh) -> None:
    phase = CathodePhase(C_ISO, LinearLattice(0.01, 0.02, 0.5), ExpDiffusivity(1e-15, 6.0), 5e4)
    runs = {}
    for theta in (0.0, 0.1):
        settings = SolverSettings(element_degree=1, jacobian_lag_contraction=theta)
        model = _model(sphere, settings, cathode=phase)
        model.set_uniform_x(0.9)
        for rate in [-2e-3] * 4:
            info = model.step(20.0, rate, mechanics=False)
            assert info.mass_balance_error <= 1e-8
        runs[theta] = (model.x.x.array.copy(), model.diffusion.jacobian_assemblies)
        model.destroy()
    (x_exact, n_exact), (x_lag, n_lag) = runs[0.0], runs[0.1]
    assert np.max(np.abs(x_exact - x_lag)) < 1e-9
    assert n_lag < n_exact
    with pytest.raises(ValueError, match="jacobian_lag_contraction"):
        SolverSettings(jacobian_lag_contraction=1.0)


@pytest.mark.parametrize("bc", ["free", "confined"])
def test_p_multigrid_same_answer_fewer_iterations(bc: str) -> None:
    """P2: the P1-coarse p-multigrid and GAMG on the P2 operator give the same u; p-MG
    needs fewer CG iterations (also with Dirichlet rows in both levels)."""
    m = meshes.sphere_in_shell(MPI.COMM_WORLD, 1.0, 2.0, 0.35, 0.6)
    out = {}
    for pmg in (True, False):
        settings = SolverSettings(
            element_degree=2, ksp_rtol=1e-10, p_multigrid=pmg, projection_size=0
        )
        model = _model(
            m,
            settings,
            matrix=MatrixPhase(22.1e3, 0.37),
            bc=MechanicsBC(bc),
        )
        assert model.elasticity.p_multigrid is pmg
        model.set_x(lambda X: 0.5 + 0.2 * X[0] ** 2 - 0.1 * X[1] * X[2])
        info = model.solve_mechanics()
        assert info.converged_reason.startswith("CONVERGED")
        out[pmg] = (model.u.x.array.copy(), info.ksp_iterations)
        model.destroy()
    (u_p, its_p), (u_g, its_g) = out[True], out[False]
    comm = MPI.COMM_WORLD
    num = comm.allreduce(float(np.sum((u_p - u_g) ** 2)), op=MPI.SUM)
    den = comm.allreduce(float(np.sum(u_g**2)), op=MPI.SUM)
    assert np.sqrt(num / den) < 1e-7
    assert its_p < its_g


@pytest.mark.parametrize(
    ("degree", "pmg", "bc"),
    [(2, True, "free"), (2, True, "confined"), (2, False, "confined"), (1, False, "free")],
)
def test_blocked_operator_same_answer(degree: int, pmg: bool, bc: str) -> None:
    """The operator stored as BAIJ(3) (the default) and as AIJ: the same u to the solver
    tolerance and the same CG iterations, with free rigid modes and with Dirichlet rows."""
    m = meshes.sphere_in_shell(MPI.COMM_WORLD, 1.0, 2.0, 0.35, 0.6)
    out = {}
    for kind in ("baij", "aij"):
        settings = SolverSettings(
            element_degree=degree,
            ksp_rtol=1e-10,
            p_multigrid=pmg,
            projection_size=0,
            mechanics_matrix=kind,  # type: ignore[arg-type]
        )
        model = _model(m, settings, matrix=MatrixPhase(22.1e3, 0.37), bc=MechanicsBC(bc))
        A = model.elasticity.A
        # BAIJ on the p-multigrid's fine level only (GAMG needs AIJ)
        expect = kind if pmg and degree == 2 else "aij"
        assert A.getType().endswith(expect) and not A.getType().endswith("b" + expect)
        assert A.getBlockSize() == 3
        model.set_x(lambda X: 0.5 + 0.2 * X[0] ** 2 - 0.1 * X[1] * X[2])
        info = model.solve_mechanics()
        assert info.converged_reason.startswith("CONVERGED")
        out[kind] = (model.u.x.array.copy(), info.ksp_iterations)
        model.destroy()
    (u_b, its_b), (u_a, its_a) = out["baij"], out["aij"]
    comm = MPI.COMM_WORLD
    num = comm.allreduce(float(np.sum((u_b - u_a) ** 2)), op=MPI.SUM)
    den = comm.allreduce(float(np.sum(u_a**2)), op=MPI.SUM)
    assert np.sqrt(num / den) < 1e-8
    assert abs(its_b - its_a) <= 1
    with pytest.raises(ValueError, match="mechanics_matrix"):
        SolverSettings(mechanics_matrix="dense")  # type: ignore[arg-type]
