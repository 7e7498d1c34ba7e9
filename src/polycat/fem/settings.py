"""Boundary conditions and numerical settings of the coupled problem (frozen dataclasses).

The defaults of :class:`SolverSettings` are the package's one set of solver defaults: the
run config (``solver:`` section) takes its defaults from here, so tests that build a
model with ``SolverSettings()`` run the numerics a user gets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["MechanicsBC", "PetscOptions", "SolverSettings"]

PetscOptions = Mapping[str, str | int | float | bool | None]
"""PETSc options without prefix, e.g. ``{"ksp_monitor": None, "pc_gamg_threshold": 0.02}``."""

BoundaryKind = Literal["free", "confined", "stack_pressure"]


@dataclass(frozen=True)
class MechanicsBC:
    """Mechanical boundary condition on the outer boundary of the mesh.

    ``free``: traction-free everywhere; the six rigid-body modes are removed through a
    PETSc null space (no point constraints). ``confined``: zero normal displacement on
    every box face (``outer_xmin`` …); on a spherical/circular outer surface
    (``outer_sphere``/``outer_circle``) the surface is clamped (u = 0; identical to zero
    normal displacement for spherically symmetric loads). ``stack_pressure``: compressive
    normal traction ``stack_pressure_MPa`` (MPa, ≥ 0) on ``outer_zmax``, zero normal
    displacement on ``outer_zmin``; the remaining rigid modes (x/y translation, rotation
    about z) go through the null space.
    """

    kind: BoundaryKind = "free"
    stack_pressure_MPa: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("free", "confined", "stack_pressure"):
            raise ValueError(f"unknown mechanics boundary kind {self.kind!r}")
        if self.stack_pressure_MPa < 0.0:
            raise ValueError("stack_pressure_MPa is a compressive pressure and must be >= 0")
        if self.kind != "stack_pressure" and self.stack_pressure_MPa != 0.0:
            raise ValueError("stack_pressure_MPa is only used with kind='stack_pressure'")


@dataclass(frozen=True)
class SolverSettings:
    """Discretisation and solver settings.

    Attributes:
        element_degree: Lagrange degree of the displacement (2 default, 1 allowed).
        x_degree: Lagrange degree of the Li fraction x on the grain submesh (1 default).
        time_scheme: ``backward_euler`` or ``bdf2`` (variable-step BDF2; first step and
            every change of the flux restart with backward Euler).
        ksp_rtol: relative tolerance of the elasticity CG solve (vs. ‖b‖).
        p_multigrid: P2 displacement: precondition CG with a two-level p-multigrid (P2
            smoothing, the P1 operator with GAMG as the coarse level) instead of GAMG on
            the P2 operator; not used when ``mechanics_options`` sets any ``pc_*`` option
            (those configure GAMG on the P2 operator, the previous default).
        mechanics_matrix: PETSc storage of the fine-level displacement operator: ``baij``
            (3×3 blocks, one column index per block: ~30 % fewer bytes per product and a
            ~2× faster matrix–vector product than ``aij`` on the default case,
            docs/performance.md) or ``aij``. Used on the fine level of the p-multigrid
            only: GAMG (the P1 level, or the P2 operator without p-multigrid) and the
            cohesive Jacobians need AIJ.
        projection_size: the elasticity solve starts from the Galerkin projection of the
            new solution onto the span of up to this many previous solutions (A-orthogonal
            basis, two vectors of memory each); 0 starts from the previous solution.
        diffusion_ksp_rtol: relative tolerance of each linear Newton solve of diffusion.
        newton_rtol, newton_atol: diffusion Newton stops when ‖F‖₂ ≤ max(atol, rtol·‖F₀‖),
            F₀ the residual at the start of the step.
        newton_stol: diffusion Newton also stops when an update changes no nodal Li
            fraction by more than this (the residual at its round-off floor).
        newton_max_it: Newton iteration limit (diffusion).
        jacobian_lag_contraction: a diffusion Jacobian is reused (lagged) while each Newton
            iteration reduces ‖F‖ at least by this factor; 0 re-assembles it every
            iteration (plain Newton).
        coupling_tol: two-way coupling stops when max |x_k − x_{k−1}| ≤ coupling_tol.
        coupling_max_it: two-way coupling iteration limit.
        coupling_aitken: use Aitken dynamic relaxation for the two-way fixed point
            (when ``coupling_anderson_depth`` is 0).
        coupling_anderson_depth: Anderson acceleration of the two-way fixed point over
            this many previous iterates (0: Aitken or plain iteration).
        mechanics_options, diffusion_options, projection_options: PETSc option
            overrides (no prefix) for the solver roles ``polycat_mech_``,
            ``polycat_diff_`` and ``polycat_proj_``.
    """

    element_degree: int = 2
    x_degree: int = 1
    time_scheme: Literal["backward_euler", "bdf2"] = "backward_euler"
    ksp_rtol: float = 1e-6
    p_multigrid: bool = True
    mechanics_matrix: Literal["baij", "aij"] = "baij"
    projection_size: int = 8
    diffusion_ksp_rtol: float = 1e-11
    newton_rtol: float = 1e-9
    newton_atol: float = 1e-13
    newton_stol: float = 1e-12
    newton_max_it: int = 25
    jacobian_lag_contraction: float = 0.1
    coupling_tol: float = 1e-6
    coupling_max_it: int = 30
    coupling_aitken: bool = True
    coupling_anderson_depth: int = 5
    mechanics_options: PetscOptions = field(default_factory=dict)
    diffusion_options: PetscOptions = field(default_factory=dict)
    projection_options: PetscOptions = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.element_degree not in (1, 2):
            raise ValueError(f"element_degree must be 1 or 2, got {self.element_degree}")
        if self.x_degree not in (1, 2):
            raise ValueError(f"x_degree must be 1 or 2, got {self.x_degree}")
        if self.mechanics_matrix not in ("baij", "aij"):
            raise ValueError(f"mechanics_matrix must be baij or aij, got {self.mechanics_matrix!r}")
        if self.time_scheme not in ("backward_euler", "bdf2"):
            raise ValueError(f"unknown time_scheme {self.time_scheme!r}")
        for name in ("ksp_rtol", "diffusion_ksp_rtol", "newton_rtol", "coupling_tol"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValueError(f"{name} must lie in (0, 1)")
        if not 0.0 <= self.jacobian_lag_contraction < 1.0:
            raise ValueError("jacobian_lag_contraction must lie in [0, 1)")
        if self.projection_size < 0:
            raise ValueError("projection_size must be >= 0")
        if not 0 <= self.coupling_anderson_depth <= 50:
            raise ValueError(
                f"coupling_anderson_depth must be in [0, 50], got {self.coupling_anderson_depth}"
            )
        if self.newton_max_it < 1 or self.coupling_max_it < 1:
            raise ValueError("iteration limits must be >= 1")
