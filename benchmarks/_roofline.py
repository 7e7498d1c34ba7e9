"""Memory-bandwidth floor of the elasticity Krylov iteration (used by ``perf.py``).

A CG iteration of the mechanics solve is a handful of sparse matrix–vector products and
vector updates: on this kind of machine its speed is set by how many bytes it moves, not by
its flops. This module

* measures the machine's memory bandwidth the way STREAM does (a triad w = y + a·x on
  vectors far larger than the last-level cache, 24 bytes per entry counted, best of ten;
  all ranks at once, so it is the bandwidth the ranks share);
* counts the bytes one iteration moves from the operators the solver really holds: per
  product with a matrix the stored values and column indices (AIJ: 8 + 4 bytes per
  nonzero; BAIJ(bs): 8 bytes per nonzero and one 4-byte index per bs×bs block), the row
  pointers, the input vector once and the output once; the number of products per
  iteration from the preconditioner's structure (Krylov 1, each smoother its iteration
  count, one residual per level, restriction and prolongation); and the vector updates as
  passes over a level's vector (an estimate written out in ``_VECTOR_PASSES``);
* checks the count against PETSc's log: the matrix flops of the model (2 per stored
  nonzero per product) against the flops logged for MatMult, MatMultAdd and
  MatMultTranspose in the timed stage (a ratio near 1 says the count of
  products is right).

The floor is bytes / bandwidth; the ratio of the measured time per iteration to it says how
far the solver is from the machine's limit (1 = as fast as the memory allows).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

# Passes over a level's vector (8 bytes per entry each) per iteration, an estimate from the
# PETSc implementations: preconditioned CG (two dot products, three updates, one norm:
# ~15 reads and writes), per Chebyshev iteration with Jacobi (the Jacobi scaling, the
# search-direction and solution updates, the residual update: ~13), per multigrid level
# (residual with b, restriction/prolongation updates: ~5).
_VECTOR_PASSES = {"krylov": 15, "per_smoothing_iteration": 13, "per_level": 5}
# MatResidual is not listed: it calls MatMult, whose event (and flops) it contains.
MATRIX_EVENTS = ("MatMult", "MatMultAdd", "MatMultTranspose")


def triad_bandwidth(comm: Any, n_global: int = 40_000_000, repeat: int = 10) -> float:
    """Best STREAM-style triad bandwidth of all ranks together, bytes/s."""
    from petsc4py import PETSc

    x = PETSc.Vec().createMPI((PETSc.DECIDE, n_global), comm=comm)
    y, w = x.duplicate(), x.duplicate()
    x.set(1.0)
    y.set(2.0)
    w.set(0.0)
    best = float("inf")
    for _ in range(repeat):
        comm.barrier()
        t0 = time.perf_counter()
        w.waxpy(0.5, x, y)
        comm.barrier()
        best = min(best, time.perf_counter() - t0)
    for v in (x, y, w):
        v.destroy()
    return 24.0 * n_global / best


@dataclass
class Product:
    """Products with one matrix per iteration."""

    name: str
    rows: int
    cols: int
    nonzeros: int
    block: int
    kind: str
    per_iteration: float

    @property
    def bytes(self) -> float:
        """Bytes one product moves."""
        if self.kind.endswith("baij") and self.block > 1:
            index = 4.0 * self.nonzeros / self.block**2 + 4.0 * self.rows / self.block
            return 8.0 * self.nonzeros + index + 8.0 * (self.rows + self.cols)
        return 12.0 * self.nonzeros + 4.0 * self.rows + 8.0 * (self.rows + self.cols)


def _product(name: str, M: Any, per_iteration: float) -> Product:
    from petsc4py import PETSc

    rows, cols = M.getSize()
    nz = int(M.getInfo(PETSc.Mat.InfoType.GLOBAL_SUM)["nz_used"])
    return Product(name, rows, cols, nz, int(M.getBlockSize()), M.getType(), per_iteration)


def _smoother_its(ksp: Any) -> int:
    return int(ksp.getTolerances()[3])


def _gamg_levels(pc: Any, prefix: str) -> tuple[list[Product], float]:
    """Products and vector bytes of one GAMG V-cycle below its finest operator (the finest
    is counted by the caller); the coarsest level's direct solve is left out (tiny)."""
    prods: list[Product] = []
    vec_bytes = 0.0
    n = pc.getMGLevels()
    for lev in range(n - 1, 0, -1):
        smoother = pc.getMGSmoother(lev)
        A = smoother.getOperators()[0]
        m = _smoother_its(smoother)
        if lev != n - 1:  # the finest GAMG level's operator is the caller's
            prods.append(_product(f"{prefix}level {lev}", A, 2 * m + 1))
        prods.append(_product(f"{prefix}interp {lev}", pc.getMGInterpolation(lev), 2))
        vec_bytes += (
            8.0
            * A.getSize()[0]
            * (_VECTOR_PASSES["per_level"] + 2 * m * _VECTOR_PASSES["per_smoothing_iteration"])
        )
    return prods, vec_bytes


def iteration_bytes(el: Any) -> tuple[list[Product], float]:
    """(products, vector bytes) of one Krylov iteration of an ElasticitySolver."""
    ksp = el.ksp
    pc = ksp.getPC()
    A = ksp.getOperators()[0]
    n = A.getSize()[0]
    vec = 8.0 * n * _VECTOR_PASSES["krylov"]
    if pc.getType() == "mg":  # p-multigrid: fine level + GAMG on the P1 operator
        smoother = pc.getMGSmoother(1)
        m = _smoother_its(smoother)
        prods = [
            _product("P2 operator", A, 1 + 2 * m + 1),
            _product("P1←P2 transfer", pc.getMGInterpolation(1), 2),
        ]
        vec += (
            8.0
            * n
            * (_VECTOR_PASSES["per_level"] + 2 * m * _VECTOR_PASSES["per_smoothing_iteration"])
        )
        gamg = pc.getMGCoarseSolve().getPC()
        A1 = pc.getMGCoarseSolve().getOperators()[0]
        g_levels = gamg.getMGLevels()
        m1 = _smoother_its(gamg.getMGSmoother(g_levels - 1))
        prods.append(_product("P1 operator", A1, 2 * m1 + 1))
        more, vb = _gamg_levels(gamg, "GAMG ")
        return prods + more, vec + vb
    if pc.getType() == "gamg":
        g_levels = pc.getMGLevels()
        m = _smoother_its(pc.getMGSmoother(g_levels - 1))
        prods = [_product("operator", A, 1 + 2 * m + 1)]
        more, vb = _gamg_levels(pc, "GAMG ")
        return prods + more, vec + vb
    return [_product("operator", A, 1)], vec


def logged_flops(stage_id: int, comm: Any, names: tuple[str, ...]) -> float:
    """Flops PETSc logged for the events ``names`` in the stage, summed over ranks."""
    from mpi4py import MPI

    from petsc4py import PETSc

    local = sum(float(PETSc.Log.Event(n).getPerfInfo(stage_id)["flops"]) for n in names)
    return float(comm.allreduce(local, op=MPI.SUM))


class TimedKSP:
    """A stand-in for a solver's KSP that times its ``solve`` calls (wall, all ranks
    synchronised) and runs them inside a PETSc log stage; everything else is delegated."""

    def __init__(self, ksp: Any, stage: Any) -> None:
        self._ksp = ksp
        self._stage = stage
        self.wall_s = 0.0

    def solve(self, b: Any, x: Any) -> None:
        comm = self._ksp.getComm().tompi4py()
        comm.barrier()
        t0 = time.perf_counter()
        self._stage.push()
        try:
            self._ksp.solve(b, x)
        finally:
            self._stage.pop()
        comm.barrier()
        self.wall_s += time.perf_counter() - t0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ksp, name)


def roofline_row(
    el: Any, timed: TimedKSP, iterations: int, comm: Any, bandwidth: float
) -> dict[str, Any]:
    """The roofline columns of the mechanics Krylov solves timed by ``timed``."""
    prods, vec_bytes = iteration_bytes(el)
    mat_bytes = sum(p.bytes * p.per_iteration for p in prods)
    per_it = mat_bytes + vec_bytes
    model_flops = sum(2.0 * p.nonzeros * p.per_iteration for p in prods) * iterations
    log_flops = logged_flops(timed._stage.id, comm, MATRIX_EVENTS)
    t_it = timed.wall_s / max(iterations, 1)
    floor = per_it / bandwidth
    return {
        "matrix_kind": el.A.getType(),
        "bandwidth_GBs": round(bandwidth / 1e9, 1),
        "mb_per_iteration": round(per_it / 1e6, 1),
        "vector_share": round(vec_bytes / per_it, 3),
        "floor_ms_per_it": round(1e3 * floor, 2),
        "ms_per_it": round(1e3 * t_it, 2),
        "ratio_to_floor": round(t_it / floor, 2),
        "flops_model_over_log": round(model_flops / log_flops, 3) if log_flops else None,
        "products": [
            {
                "name": p.name,
                "rows": p.rows,
                "nnz": p.nonzeros,
                "type": p.kind,
                "per_it": p.per_iteration,
                "mb": round(p.bytes / 1e6, 2),
            }
            for p in prods
        ],
    }
