"""Anderson acceleration of the two-way fixed point (polycat.fem.coupling.AndersonMixer).

On a linear contraction G(x) = M x + b (M diagonal): with 5 distinct eigenvalues
(0.3 … 0.95) plain iteration needs ~450 iterations to reach a residual of 1e-10 and
Anderson over 5 iterates is exact after 6 (as GMRES on the 5-dimensional Krylov space:
observed 8); with 300 eigenvalues spread over [−0.9, 0.97] (plain 784) depth 5 needs 278
and depth 20 125 — it must at least halve the count, and reach x* = (I − M)⁻¹ b. Depth 1
with a scalar map is the secant method.
"""

from __future__ import annotations

import dolfinx_solver  # noqa: F401  (orders MPI ahead of petsc4py)
from mpi4py import MPI

import numpy as np
import pytest

from petsc4py import PETSc

from polycat.fem.coupling import AndersonMixer


def _vec(values: np.ndarray) -> PETSc.Vec:
    v = PETSc.Vec().createMPI((values.size, PETSc.DECIDE), comm=MPI.COMM_SELF)
    v.setArray(values.copy())
    return v


def _iterate(depth: int, m: np.ndarray, b: np.ndarray, max_it: int) -> tuple[int, np.ndarray]:
    x = np.zeros_like(b)
    mixer = AndersonMixer(depth) if depth > 0 else None
    for k in range(1, max_it + 1):
        g = m * x + b
        f = g - x
        if np.abs(f).max() <= 1e-10:
            return k, x
        gv, fv = _vec(g), _vec(f)
        if mixer is not None:
            mixer.update(gv, fv)
        x = gv.getArray().copy()
        gv.destroy()
        fv.destroy()
    if mixer is not None:
        mixer.destroy()
    return max_it + 1, x


def test_anderson_is_exact_on_a_small_krylov_space() -> None:
    m, b = np.array([0.3, 0.5, 0.9, 0.95, -0.5]), np.ones(5)
    n_plain, _ = _iterate(0, m, b, 2000)
    n_and, x = _iterate(5, m, b, 2000)
    assert n_plain > 400 and n_and <= 10, (n_plain, n_and)
    assert np.abs(x - b / (1.0 - m)).max() <= 1e-8


def test_anderson_beats_plain_iteration_on_a_spread_spectrum() -> None:
    rng = np.random.default_rng(3)
    m = np.concatenate([np.linspace(-0.9, 0.97, 299), [0.97]])
    b = rng.standard_normal(m.size)
    exact = b / (1.0 - m)
    n_plain, _ = _iterate(0, m, b, 3000)
    n5, x = _iterate(5, m, b, 3000)
    n20, _ = _iterate(20, m, b, 3000)
    assert n_plain > 700
    assert n5 < 0.5 * n_plain and n20 < n5, (n_plain, n5, n20)
    assert np.abs(x - exact).max() <= 1e-8 * np.abs(exact).max()


def test_depth_one_is_the_secant_method() -> None:
    m, b = np.array([0.9]), np.array([1.0])
    n, x = _iterate(1, m, b, 50)
    assert n <= 4 and x[0] == pytest.approx(10.0, rel=1e-9)


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth"):
        AndersonMixer(0)
