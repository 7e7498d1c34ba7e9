"""Exceptions that the command line turns into one clear message (no DOLFINx import)."""

from __future__ import annotations


class SolverError(RuntimeError):
    """A linear or nonlinear solve failed (diverged, NaN, iteration limit) or gave an answer
    that cannot be trusted (lost mass, Li fraction outside [0, 1]). Raised on every rank."""
