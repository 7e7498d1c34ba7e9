"""FEM core: Li diffusion on the grain submesh, anisotropic elasticity, coupling.

Inputs are plain frozen dataclasses (:class:`CathodePhase`, :class:`MatrixPhase`,
:class:`MechanicsBC`, :class:`SolverSettings`) and numpy arrays; units inside: µm, MPa,
µm²/s, x = c/c_max, s (docs/internals.md).

The package imports lazily: ``polycat.fem.settings`` and ``polycat.fem.phases`` (the
plain dataclasses) load without DOLFINx; the solver classes load DOLFINx on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .coupling import R_GAS, L2Projector, mechanical_potential
    from .diffusion import DiffusionSolver
    from .domain import ParticleDomain, build_particle_domain
    from .elasticity import ElasticitySolver
    from .info import DiffusionInfo, MechInfo, StepInfo
    from .model import ChemoMechanicsModel
    from .phases import CathodePhase, ConstantDiffusivity, DiffusivityLaw, LatticeLaw, MatrixPhase
    from .settings import MechanicsBC, SolverSettings
    from .solvers import SolverError

_WHERE = {
    "R_GAS": "coupling",
    "L2Projector": "coupling",
    "mechanical_potential": "coupling",
    "DiffusionSolver": "diffusion",
    "ParticleDomain": "domain",
    "build_particle_domain": "domain",
    "ElasticitySolver": "elasticity",
    "DiffusionInfo": "info",
    "MechInfo": "info",
    "StepInfo": "info",
    "ChemoMechanicsModel": "model",
    "CathodePhase": "phases",
    "ConstantDiffusivity": "phases",
    "DiffusivityLaw": "phases",
    "LatticeLaw": "phases",
    "MatrixPhase": "phases",
    "MechanicsBC": "settings",
    "SolverSettings": "settings",
    "SolverError": "solvers",
}

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
    "mechanical_potential",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'polycat.fem' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{module}", __name__), name)
