"""What a solve reports back: iterations, converged reasons, mass balance, wall times."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DiffusionInfo", "MechInfo", "StepInfo"]


@dataclass(frozen=True)
class MechInfo:
    """One elasticity solve: CG iterations (summed over Newton iterations), PETSc converged
    reason, wall time (s), and Newton iterations (1 for a linear solve)."""

    ksp_iterations: int
    converged_reason: str
    residual_norm: float
    wall_s: float
    newton_iterations: int = 1


@dataclass(frozen=True)
class DiffusionInfo:
    """One diffusion time step: Newton and total linear iterations, final residual ‖F‖₂."""

    newton_iterations: int
    ksp_iterations: int
    converged_reason: str
    residual_norm: float
    initial_residual_norm: float
    wall_s: float


@dataclass(frozen=True)
class StepInfo:
    """One time step of the coupled problem.

    Attributes:
        dt_s: step length (s).
        x_rate_per_s: prescribed rate of the particle-mean Li fraction (1/s).
        flux_um_s: the uniform outward flux of x through the CAM–SE interface (µm/s).
        mean_x_old, mean_x_new: particle volume averages of x before / after the step.
        mass_balance_error: |(x̄_new − x̄_old) − r·dt| / |r·dt| (absolute change when r = 0).
        diffusion: the last diffusion solve of the step.
        mechanics: the last elasticity solve of the step (None if not solved).
        coupling_iterations: diffusion↔mechanics iterations (1 for one-way).
        coupling_residual: max |x_k − x_{k−1}| at the last two-way iteration (0 one-way).
        wall_s: wall time per phase (diffusion, eigenstrain, mechanics, coupling), s.
    """

    dt_s: float
    x_rate_per_s: float
    flux_um_s: float
    mean_x_old: float
    mean_x_new: float
    mass_balance_error: float
    diffusion: DiffusionInfo
    mechanics: MechInfo | None
    coupling_iterations: int = 1
    coupling_residual: float = 0.0
    wall_s: dict[str, float] = field(default_factory=dict)
