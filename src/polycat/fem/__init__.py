"""FEM core: Li diffusion on the grain submesh, anisotropic elasticity, coupling.

Inputs are plain frozen dataclasses (:class:`CathodePhase`, :class:`MatrixPhase`,
:class:`MechanicsBC`, :class:`SolverSettings`) and numpy arrays; units inside: µm, MPa,
µm²/s, x = c/c_max, s (docs/internals.md).
"""

from .coupling import R_GAS, L2Projector, mechanical_potential
from .diffusion import DiffusionSolver
from .domain import ParticleDomain, build_particle_domain
from .elasticity import ElasticitySolver
from .fields import evaluate_at_points
from .info import DiffusionInfo, MechInfo, StepInfo
from .model import ChemoMechanicsModel
from .phases import CathodePhase, ConstantDiffusivity, DiffusivityLaw, LatticeLaw, MatrixPhase
from .settings import MechanicsBC, SolverSettings
from .solvers import SolverError

__all__ = [
    "R_GAS",
    "CathodePhase",
    "ChemoMechanicsModel",
    "ConstantDiffusivity",
    "DiffusionInfo",
    "DiffusionSolver",
    "DiffusivityLaw",
    "ElasticitySolver",
    "L2Projector",
    "LatticeLaw",
    "MatrixPhase",
    "MechInfo",
    "MechanicsBC",
    "ParticleDomain",
    "SolverError",
    "SolverSettings",
    "StepInfo",
    "build_particle_domain",
    "evaluate_at_points",
    "mechanical_potential",
]
