"""PETSc plumbing shared by the solver roles: KSP creation under a fixed prefix,
converged-reason checks, rigid-body (near-)null spaces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)

import numpy as np

import dolfinx.la
from dolfinx import fem
from dolfinx.fem import petsc as fem_petsc
from petsc4py import PETSc

from polycat.errors import PetscOptionsError, SolverError

from .settings import PetscOptions

__all__ = [
    "GalerkinProjection",
    "SolverError",
    "check_converged",
    "create_ksp",
    "nullspace_from_modes",
    "rigid_body_modes",
]


def reason_name(reason: Any) -> str:
    """PETSc ``KSPConvergedReason`` name of a reason (e.g. ``CONVERGED_RTOL``)."""
    for name in dir(PETSc.KSP.ConvergedReason):
        if not name.startswith("_") and getattr(PETSc.KSP.ConvergedReason, name) == reason:
            return name
    return str(reason)


def create_ksp(
    comm: Any,
    A: PETSc.Mat,
    prefix: str,
    defaults: PetscOptions,
    overrides: PetscOptions,
    setup: bool = True,
    configure: Callable[[PETSc.KSP], None] | None = None,
) -> PETSc.KSP:
    """Create a KSP with options ``defaults | overrides`` under ``prefix``.

    The options are put into the global database only while the KSP reads them
    (``setFromOptions`` and, if ``setup``, ``setUp``, where GAMG reads its level options),
    then removed, so nothing leaks into a later solver with the same prefix. Options given
    on the command line under the same prefix are kept (and win over ``defaults``).
    ``configure(ksp)``, if given, runs after the operators are set and before the options
    are read (for what options cannot express, e.g. multigrid levels and interpolation).
    """
    opts = PETSc.Options()
    merged = {**dict(defaults), **dict(overrides)}
    added = []
    for key, value in merged.items():
        full = prefix + key
        if opts.hasName(full) and key not in overrides:
            continue  # command line wins over defaults
        opts.setValue(full, "" if value is None else value)
        added.append(full)
    try:
        ksp = PETSc.KSP().create(comm)
        ksp.setOptionsPrefix(prefix)
        ksp.setOperators(A)
        if configure is not None:
            configure(ksp)
        ksp.setFromOptions()
        if setup:
            ksp.setUp()
        unused = [key for key in overrides if not opts.used(prefix + key)]
    finally:
        for full in added:
            opts.delValue(full)
    if unused:
        ksp.destroy()
        raise PetscOptionsError(prefix, unused)
    return ksp


def assemble_vector_into(b: PETSc.Vec, form: fem.Form) -> None:
    """Zero ``b``, assemble ``form`` into it and accumulate the ghost contributions."""
    with b.localForm() as b_local:
        b_local.set(0.0)
    fem_petsc.assemble_vector(b, form)  # type: ignore[arg-type]
    b.ghostUpdate(addv=PETSc.InsertMode.ADD, mode=PETSc.ScatterMode.REVERSE)  # type: ignore[arg-type]


def assemble_matrix_into(A: PETSc.Mat, form: fem.Form) -> None:
    """Zero ``A`` and assemble ``form`` into it (no boundary conditions)."""
    A.zeroEntries()
    fem_petsc.assemble_matrix(A, form)  # type: ignore[arg-type]
    A.assemble()


def check_converged(ksp: PETSc.KSP, x: PETSc.Vec, role: str) -> None:
    """Raise :class:`SolverError` if ``ksp`` diverged or ``x`` holds NaN/Inf."""
    reason = ksp.getConvergedReason()
    if cast(int, reason) < 0:
        raise SolverError(
            f"{role}: linear solve diverged ({reason_name(reason)}) after "
            f"{ksp.getIterationNumber()} iterations, residual {ksp.getResidualNorm():.3e}"
        )
    if not np.isfinite(x.norm()):
        raise SolverError(f"{role}: solution contains NaN or Inf")


def rigid_body_modes(
    V: fem.FunctionSpace, modes: Sequence[str] = ("tx", "ty", "tz", "rx", "ry", "rz")
) -> list[dolfinx.la.Vector]:
    """Orthonormalised rigid-body displacement modes of a blocked vector space ``V``.

    ``modes`` picks translations ``tx, ty, tz`` and infinitesimal rotations
    ``rx, ry, rz`` about the coordinate axes through the origin (2D spaces: ``tx, ty, rz``).
    The returned vectors are orthonormal in the Euclidean inner product of owned DOFs.
    """
    bs = V.dofmap.index_map_bs
    imap = V.dofmap.index_map
    xdof = V.tabulate_dof_coordinates()  # one row per block (owned + ghost)
    out = []
    for name in modes:
        vec = dolfinx.la.vector(imap, bs=bs, dtype=np.float64)
        arr = vec.array.reshape(-1, bs)
        arr[:] = 0.0
        axis = "xyz".index(name[1])
        if name[0] == "t":
            arr[:, axis] = 1.0
        elif name[0] == "r":
            # ω × x with ω = e_axis: (−ω·y, ω·x) in the plane normal to the axis
            i, j = [k for k in range(3) if k != axis]
            if j < bs and i < bs:
                arr[:, i] = -xdof[:, j]
                arr[:, j] = xdof[:, i]
        else:
            raise ValueError(f"unknown rigid-body mode {name!r}")
        out.append(vec)
    dolfinx.la.orthonormalize(out)
    return out


def nullspace_from_modes(comm: Any, modes: Sequence[dolfinx.la.Vector]) -> PETSc.NullSpace:
    """PETSc null space spanned by orthonormal ``modes`` (keep ``modes`` alive!)."""
    return PETSc.NullSpace().create(vectors=[m.petsc_vec for m in modes], comm=comm)


def _real(value: float | complex) -> float:
    return float(value.real)


class GalerkinProjection:
    """Initial guesses for repeated solves A u = b with a constant SPD(-semidefinite) A.

    Keeps an A-orthonormal basis W (wᵢᵀ A wⱼ = δᵢⱼ) of the span of recent solutions and
    starts the next solve from x₀ = W Wᵀ b, the A-orthogonal (Galerkin) projection of the
    new solution onto that span: the best start there in the energy norm, never worse
    than the previous solution. Costs one matrix-vector product per added solution and a
    few collective dot products per guess. When the basis is full the oldest direction is
    dropped. With a null space, solutions and right-hand sides must be orthogonal to it
    (as the solvers here make them); then so is x₀.

    Args:
        A: the (constant) operator.
        size: the most basis vectors kept (≥ 1).
        drop_tol: a new solution whose A-norm after orthogonalisation is below
            ``drop_tol`` times its A-norm before is linearly dependent and not added.
    """

    def __init__(self, A: PETSc.Mat, size: int, drop_tol: float = 1e-10) -> None:
        if size < 1:
            raise ValueError("projection size must be >= 1")
        self.A = A
        self.size = int(size)
        self.drop_tol = float(drop_tol)
        self.W: list[PETSc.Vec] = []
        self.AW: list[PETSc.Vec] = []

    def initial_guess(self, b: PETSc.Vec, x: PETSc.Vec) -> bool:
        """Set ``x`` to W Wᵀ b; returns False (``x`` untouched) while the basis is empty."""
        if not self.W:
            return False
        c = [float(v.real) for v in b.mDot(self.W)]
        x.set(0.0)
        x.maxpy(c, self.W)
        return True

    def add(self, u: PETSc.Vec) -> None:
        """A-orthonormalise ``u`` against the basis (two Gram–Schmidt passes) and add it."""
        w = u.copy()
        Aw = u.duplicate()
        self.A.mult(w, Aw)
        norm0 = float(np.sqrt(max(_real(w.dot(Aw)), 0.0)))
        if norm0 == 0.0:
            w.destroy()
            Aw.destroy()
            return
        for _ in range(2):
            if self.W:
                c = [-float(v.real) for v in Aw.mDot(self.W)]
                w.maxpy(c, self.W)
                Aw.maxpy(c, self.AW)
        norm = float(np.sqrt(max(_real(w.dot(Aw)), 0.0)))
        if norm <= self.drop_tol * norm0:
            w.destroy()
            Aw.destroy()
            return
        w.scale(1.0 / norm)
        Aw.scale(1.0 / norm)
        if len(self.W) == self.size:
            self.W.pop(0).destroy()
            self.AW.pop(0).destroy()
        self.W.append(w)
        self.AW.append(Aw)

    def reset(self) -> None:
        """Forget the basis."""
        for v in (*self.W, *self.AW):
            v.destroy()
        self.W.clear()
        self.AW.clear()

    def destroy(self) -> None:
        """Free the basis vectors."""
        self.reset()
