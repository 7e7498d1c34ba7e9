"""The SOC loop: step the schedule, cut and retry failed steps, hand each report SOC on.

Every check that decides whether a step failed is collective: values computed from
global reductions (mass balance, norms) are the same on every rank, and checks of one
rank's own data are reduced first (:func:`polycat.post.soc.collective_failure`), so a
failure stops every rank with the same :class:`~polycat.errors.SolverError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from polycat.errors import ContactLost, SolverError
from polycat.exports.provenance import RunRecord
from polycat.faults import FaultInjector
from polycat.fem.info import StepInfo
from polycat.fem.model import ChemoMechanicsModel
from polycat.schedule import Schedule

__all__ = ["MASS_BALANCE_TOL", "SocLoop"]

log = logging.getLogger("polycat")

MASS_BALANCE_TOL = 1e-6
"""Largest relative error of the change of x̄ in a step before the step counts as failed."""

ReportFn = Callable[[int, float, float, StepInfo], None]
"""on_report(step index, SOC, time s, the step's info)."""


class SocLoop:
    """Steps a model through a schedule (collective on every rank).

    Args:
        model: the coupled problem; schedule: step times and report points.
        record: counters and timers (updated in place).
        max_step_cuts: how often a failed step is halved before the run stops.
        mechanics_every_step: solve mechanics at every step (two-way coupling), not only
            at report SOCs (one-way coupling: stress is not needed in between).
        faults: the fault injector (tests).
        progress: show a progress bar (rank 0).
        after_step: called on every rank after each step (and its report): the stop
            check of :mod:`polycat.interrupts` (collective), which may raise.
    """

    def __init__(
        self,
        model: ChemoMechanicsModel,
        schedule: Schedule,
        record: RunRecord,
        max_step_cuts: int,
        mechanics_every_step: bool,
        faults: FaultInjector,
        progress: bool,
        after_step: Callable[[], None] | None = None,
    ) -> None:
        self.model = model
        self.schedule = schedule
        self.record = record
        self.max_step_cuts = max_step_cuts
        self.mechanics_every_step = mechanics_every_step
        self.faults = faults
        self.progress = progress
        self.after_step = after_step

    def run(self, start: int, on_report: ReportFn) -> None:
        """Step from step index ``start`` to the end; ``on_report`` at every report SOC."""
        from polycat.simulation.progress import StepProgress

        sch = self.schedule
        reports = dict(zip(sch.report_index, sch.report_soc, strict=True))
        t_prev = float(sch.times_s[start - 1]) if start > 0 else 0.0
        bar = StepProgress(len(sch.times_s), sch.report_index, start, self.progress)
        timers = self.record.timers
        try:
            for i in range(start, len(sch.times_s)):
                t_now = float(sch.times_s[i])
                report = i in reports
                t = time.perf_counter()
                info = self._advance(i, t_prev, t_now, report or self.mechanics_every_step)
                timers.add("steps", time.perf_counter() - t)
                if info.mechanics is not None:
                    self.record.mech_iterations.append(info.mechanics.ksp_iterations)
                    self.record.mech_newton.append(info.mechanics.newton_iterations)
                t_prev = t_now
                if report:
                    on_report(i, reports[i], t_now, info)
                bar.step_done(i, time.perf_counter() - t, reports.get(i))
                if self.after_step is not None:
                    self.after_step()
        finally:
            bar.close()

    def _advance(self, i: int, t0: float, t1: float, mechanics: bool) -> StepInfo:
        """Advance from t0 to t1 (step i, 0-based). A failed solve (diverged or
        non-converged Krylov/Newton, NaN/Inf, mass balance off) restores the state at t0
        and retries with the interval cut into 2, 4, … substeps, at most
        ``max_step_cuts`` times; then the run stops with a SolverError. A
        :class:`~polycat.errors.ContactLost` stops it at once."""
        snap = self.model.snapshot() if self.max_step_cuts > 0 else None
        cuts = 0
        while True:
            try:
                return self._attempt(i, t0, t1, 2**cuts, mechanics)
            except ContactLost as exc:  # physics, not numerics: smaller steps cannot help
                raise ContactLost(f"step {i + 1} (t = {t1:.4g} s): {exc}") from exc
            except SolverError as exc:
                if cuts >= self.max_step_cuts:
                    more = f" (still failing after {cuts} step cuts)" if cuts else ""
                    raise SolverError(f"step {i + 1} (t = {t1:.4g} s): {exc}{more}") from exc
                cuts += 1
                if self.model.comm.rank == 0:
                    log.warning(
                        "step %d (t = %.4g s) failed: %s; retrying in %d substeps",
                        i + 1,
                        t1,
                        exc,
                        2**cuts,
                    )
                assert snap is not None
                self.model.restore(snap)
                self.record.step_cuts.append(
                    {"step": i + 1, "t_s": t1, "substeps": 2**cuts, "reason": str(exc)}
                )

    def _attempt(self, i: int, t0: float, t1: float, n_sub: int, mechanics: bool) -> StepInfo:
        self.faults.before_attempt(i + 1)
        rate = self.schedule.rate_per_s
        dt = (t1 - t0) / n_sub
        newton = 0
        mass_error = 0.0
        info: Any = None
        wall: dict[str, float] = {}
        for j in range(n_sub):
            last = j == n_sub - 1
            info = self.model.step(
                dt, rate, mechanics=mechanics and (last or self.mechanics_every_step)
            )
            for k, v in info.wall_s.items():
                wall[k] = wall.get(k, 0.0) + v
            newton += info.diffusion.newton_iterations
            mass_error = max(mass_error, info.mass_balance_error)
            if self.model.comm.rank == 0 and log.isEnabledFor(logging.DEBUG):
                log.debug("%s", _diagnostics(i, j, n_sub, t0 + (j + 1) * dt, info))
            # x̄ and the mass balance come from global reductions: equal on every rank.
            if not np.isfinite(info.mean_x_new) or info.mass_balance_error > MASS_BALANCE_TOL:
                raise SolverError(
                    f"mass balance error {info.mass_balance_error:.3e} exceeds "
                    f"{MASS_BALANCE_TOL:.0e} (x̄ = {info.mean_x_new:.6g})"
                )
        for k, v in wall.items():
            self.record.timers.add(f"step_{k}", v)
        self.record.diff_newton.append(newton)
        self.record.max_mass_error = max(self.record.max_mass_error, mass_error)
        assert info is not None
        return info


def _diagnostics(i: int, j: int, n_sub: int, t_s: float, info: StepInfo) -> str:
    """One line of solver diagnostics of a (sub)step, for ``polycat -v``."""
    d, m = info.diffusion, info.mechanics
    sub = f".{j + 1}/{n_sub}" if n_sub > 1 else ""
    text = (
        f"step {i + 1}{sub}: t = {t_s:.5g} s, dt = {info.dt_s:.4g} s, x_mean = "
        f"{info.mean_x_new:.6f}, mass error {info.mass_balance_error:.2e}; diffusion: "
        f"{d.newton_iterations} Newton, {d.ksp_iterations} KSP its, |F| "
        f"{d.initial_residual_norm:.3e} -> {d.residual_norm:.3e} ({d.converged_reason})"
    )
    if m is not None:
        text += (
            f"; mechanics: {m.ksp_iterations} CG its, residual {m.residual_norm:.3e} "
            f"({m.converged_reason})"
        )
    if info.coupling_iterations > 1:
        text += f"; two-way: {info.coupling_iterations} its, max dx {info.coupling_residual:.2e}"
    return text
