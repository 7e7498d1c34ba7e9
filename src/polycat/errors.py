"""Exceptions that the command line turns into one clear message (no DOLFINx import).

Every error type of the package lives here, FEniCSx- and Gmsh-free, so the command line
can catch them without importing the solver stack.
"""

from __future__ import annotations

__all__ = ["ConfigError", "GeometryError", "PetscOptionsError", "SolverError"]


class ConfigError(ValueError):
    """A config (or a results directory, or a command line) that cannot be run.

    The message is meant for the user as is: it names the field path (e.g.
    ``geometry.n_grains``), the unit and what is allowed. Raised on every rank alike.
    """


class SolverError(RuntimeError):
    """A linear or nonlinear solve failed (diverged, NaN, iteration limit) or gave an answer
    that cannot be trusted (lost mass, Li fraction outside [0, 1]). Raised on every rank."""


class GeometryError(ValueError):
    """A particle geometry or its mesh could not be built.

    The message names the cause and the `geometry:` key to change; it never carries a raw
    Gmsh traceback. (`polycat.geometry.errors` re-exports it.)
    """


class PetscOptionsError(ValueError):
    """PETSc options that a solver did not read (misspelt, or not for the chosen solver).

    Raised by the FEM layer, which knows solver roles by their PETSc prefix only; the
    problem builder maps :attr:`prefix` to the config field that holds the options.

    Attributes:
        prefix: the solver's options prefix, e.g. ``polycat_mech_``.
        unused: the option names (without prefix) PETSc did not read.
    """

    def __init__(self, prefix: str, unused: list[str]) -> None:
        self.prefix = prefix
        self.unused = list(unused)
        super().__init__(
            f"PETSc options ({prefix}) not used: {', '.join(repr(k) for k in self.unused)}"
        )

    def describe(self, field: str) -> str:
        """The user-facing message, naming the config ``field`` that holds the options."""
        return (
            f"{field}: PETSc did not use {', '.join(repr(k) for k in self.unused)}: the name "
            "is misspelt, or it does not apply to the chosen ksp_type/pc_type; see the PETSc "
            "manual pages of the solver (or run with -help) for the options it reads"
        )
