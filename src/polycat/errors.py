"""Exceptions that the command line turns into one clear message (no DOLFINx import).

Every error type of the package lives here, FEniCSx- and Gmsh-free, so the command line
can catch them without importing the solver stack.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ContactLost",
    "GeometryError",
    "PetscOptionsError",
    "PhysicalEnd",
    "RunInterrupted",
    "SolverError",
    "StepTimeLimit",
    "SurfaceLimit",
    "XRangeError",
]


class ConfigError(ValueError):
    """A config (or a results directory, or a command line) that cannot be run.

    The message is meant for the user as is: it names the field path (e.g.
    ``geometry.n_grains``), the unit and what is allowed. Raised on every rank alike.
    """


class SolverError(RuntimeError):
    """A linear or nonlinear solve failed (diverged, NaN, iteration limit) or gave an answer
    that cannot be trusted (lost mass, Li fraction outside [0, 1]). Raised on every rank."""


class XRangeError(SolverError):
    """The Li fraction left [0, 1] in a step: the particle cannot sustain the current there
    (with a surface limit set, the step is shortened to end on the limit instead)."""


class PhysicalEnd(SolverError):
    """The run ended as its physics says, not because a solver failed: the SOCs reached
    are the result. Not retried with smaller steps; run.json says ``status:`` the
    subclass's :attr:`status`. Raised on every rank."""

    status = "physical_end"


class ContactLost(PhysicalEnd):
    """The particle has lost so much CAM–SE contact that the galvanostatic current can no
    longer pass through what is left (no contact at all, or the Li fraction driven out of
    [0, 1] under the contact left): a physical end of the run, not a failure of a solver.
    Not retried with smaller steps; run.json says ``status: contact_lost``. Raised on
    every rank."""

    status = "contact_lost"


class StepTimeLimit(PhysicalEnd):
    """A protocol step did not reach its end condition within its time limit (e.g. a cv
    step whose current never falls below ``until.c_rate_below`` within ``max_minutes``):
    the run ends there with that state reported. run.json says ``status:
    step_time_limit``. Raised on every rank."""

    status = "step_time_limit"


class SurfaceLimit(PhysicalEnd):
    """The particle's Li fraction reached the end of the cathode's lattice-strain table, or
    the cell voltage the cut-off (``loading.cutoff_V``), before the mean reached ``loading.x_end``:
    the charge (discharge) ends there, on the limit, with that state reported.
    run.json says ``status: surface_limit``. Raised on every rank."""

    status = "surface_limit"
    limit: str = "x"
    """What ended it: ``x`` (the lattice table) or ``voltage`` (the cut-off)."""
    t_s: float = float("nan")
    """The time of the state it ended on (s), its step index and last step length."""
    step_index: int = -1
    dt_s: float = float("nan")


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


class RunInterrupted(Exception):
    """A run stopped by a signal (SIGINT, SIGTERM, SIGHUP) before its end.

    Raised on every rank alike when the stop is taken at a step boundary (the first
    signal; :mod:`polycat.interrupts`), on the signalled rank only when a second signal
    abandons the current step. The run marks ``run.json`` ``interrupted`` with the last
    completed SOC; the command line prints the ``--resume`` command and exits with
    ``128 + signal``.

    Attributes:
        signum: the signal; immediate: True when a second signal abandoned the step.
        results_dir: the run's results directory; last_soc: the last SOC completed (None:
            none yet). Both set by the run before the error reaches the command line.
    """

    def __init__(self, signum: int, immediate: bool = False) -> None:
        import signal

        self.signum = int(signum)
        self.immediate = immediate
        self.results_dir: str | None = None
        self.last_soc: float | None = None
        self.signame = signal.Signals(self.signum).name
        how = "the current step abandoned" if immediate else "at the end of a step"
        super().__init__(f"interrupted by {self.signame} ({how})")

    @property
    def exit_code(self) -> int:
        """``128 + signal``, what a shell reports for a process ended by that signal."""
        return 128 + self.signum
