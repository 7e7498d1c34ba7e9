"""Exceptions that the command line turns into one clear message (no DOLFINx import)."""

from __future__ import annotations


class SolverError(RuntimeError):
    """A linear or nonlinear solve failed (diverged, NaN, iteration limit) or gave an answer
    that cannot be trusted (lost mass, Li fraction outside [0, 1]). Raised on every rank."""


class GeometryError(ValueError):
    """A particle geometry or its mesh could not be built.

    The message names the cause and the `geometry:` key to change; it never carries a raw
    Gmsh traceback. (Defined here, FEniCSx- and Gmsh-free, so that the command line can
    catch it without importing the geometry package; `polycat.geometry.errors` re-exports
    it.)
    """
