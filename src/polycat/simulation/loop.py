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
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from polycat.errors import PhysicalEnd, SolverError, StepTimeLimit, SurfaceLimit, XRangeError
from polycat.exports.provenance import RunRecord
from polycat.faults import FaultInjector
from polycat.fem.info import StepInfo
from polycat.fem.model import ChemoMechanicsModel
from polycat.schedule import Schedule

__all__ = [
    "LIMIT_V_TOL",
    "LIMIT_X_TOL",
    "MASS_BALANCE_TOL",
    "HoldLoop",
    "HoldResult",
    "SocLoop",
    "SurfaceBounds",
]

log = logging.getLogger("polycat")

MASS_BALANCE_TOL = 1e-6
"""Largest relative error of the change of x̄ in a step before the step counts as failed."""

LIMIT_X_TOL = 2e-4
"""How close (in x) the particle's extreme Li fraction lands on a surface limit."""

ReportFn = Callable[[int, float, float, StepInfo], None]
"""on_report(step index, SOC, time s, the step's info)."""


LIMIT_V_TOL = 1e-4
"""How close (V) the cell voltage lands on a cut-off voltage."""


@dataclass(frozen=True)
class SurfaceBounds:
    """Where the particle's Li fraction must stay: ``x_min`` on charge, ``x_max`` on
    discharge (None: no bound on that side), and why (for the message); and where the
    cell voltage must stay (``v_max`` on charge, ``v_min`` on discharge, from
    ``voltage()`` of the current state)."""

    x_min: float | None = None
    x_max: float | None = None
    why_min: str = ""
    why_max: str = ""
    v_max: float | None = None
    v_min: float | None = None
    why_v: str = ""
    voltage: Callable[[], float | None] | None = field(default=None, compare=False)

    def margin(self, model: ChemoMechanicsModel) -> tuple[float, str]:
        """The smallest distance inside the bounds in units of its landing tolerance
        (:data:`LIMIT_X_TOL` in x, :data:`LIMIT_V_TOL` in V; < 0: outside, within ±1: on
        the bound) and its reason (collective: global reductions)."""
        lo, hi = model.x_extremes()
        out = (np.inf, "")
        if self.x_min is not None:
            out = min(out, ((lo - self.x_min) / LIMIT_X_TOL, self.why_min))
        if self.x_max is not None:
            out = min(out, ((self.x_max - hi) / LIMIT_X_TOL, self.why_max))
        if self.voltage is not None and (self.v_max is not None or self.v_min is not None):
            V = self.voltage()
            if V is not None and self.v_max is not None:
                out = min(out, ((self.v_max - V) / LIMIT_V_TOL, self.why_v))
            if V is not None and self.v_min is not None:
                out = min(out, ((V - self.v_min) / LIMIT_V_TOL, self.why_v))
        return out


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
        bounds: the surface limits (lattice table ends, cut-off voltage): a step that
            crosses one is redone to end on it (within :data:`LIMIT_X_TOL` in x,
            :data:`LIMIT_V_TOL` in V), that state is reported, and the run ends with
            :class:`~polycat.errors.SurfaceLimit`.
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
        bounds: SurfaceBounds | None = None,
    ) -> None:
        self.bounds = bounds
        self.step_offset = 0
        """Added to the step index in messages and fault steps (the steps of a
        protocol's earlier segments)."""
        self.ending = False
        """True from the report of the state the run ends on (a surface bound) on."""
        self.ending_limit = ""
        """What that bound was: ``voltage`` or ``x`` (:attr:`SurfaceLimit.limit`)."""
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
                before = self.model.snapshot() if self.bounds is not None else None
                try:
                    info = self._advance(
                        i, t_prev, t_now, report or self.mechanics_every_step, snap=before
                    )
                except XRangeError as exc:
                    if before is None or not self._beyond_bound(exc):
                        raise
                    # x left [0, 1] on the bound's side within the step: the limit lies inside
                    self._land(i, t_prev, t_now, before, None, on_report)
                if before is not None:
                    self._check_bounds(i, t_prev, t_now, before, info, on_report)
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

    def _check_bounds(
        self, i: int, t0: float, t1: float, before: Any, info: StepInfo, on_report: ReportFn
    ) -> None:
        """If step i (t0 → t1) took the particle's x (or the voltage) across a bound: redo it to
        end on the bound (regula falsi on the end time, from the state ``before`` at t0),
        report that state and raise :class:`SurfaceLimit` (collective: the extremes are
        global reductions)."""
        assert self.bounds is not None
        margin, why = self.bounds.margin(self.model)
        if margin >= -1.0:
            if margin <= 1.0:  # ends on the bound at a step's end
                self._end_on_bound(i, t1, info, why, on_report)
            return
        self._land(i, t0, t1, before, margin, on_report)

    def _beyond_bound(self, exc: XRangeError) -> bool:
        """True if the x that left [0, 1] did so past a bound (below 0 on charge, above 1 on
        discharge): the bound was crossed within the step. On the other side it is an
        overshoot of the discretisation, and stays a failure."""
        assert self.bounds is not None
        lo, hi = getattr(exc, "x_range", (0.5, 0.5))
        return (self.bounds.x_min is not None and lo < 0.0) or (
            self.bounds.x_max is not None and hi > 1.0
        )

    def _land(
        self,
        i: int,
        t0: float,
        t1: float,
        before: Any,
        f_b: float | None,
        on_report: ReportFn,
    ) -> None:
        """Redo step i from the state ``before`` (at t0) to end on the surface bound that
        lies inside (t0, t1]: regula falsi on the end time where the margin at t1 is known
        (``f_b``), bisection where x left [0, 1] on the way (``f_b`` None). Reports that
        state and raises :class:`SurfaceLimit`."""
        assert self.bounds is not None
        snap_a, t_a, t_b = before, t0, t1
        self.model.restore(before)
        f_a, why = self.bounds.margin(self.model)
        f, t_land = np.inf, t1
        for _ in range(40):
            if f_b is None:
                t_land = 0.5 * (t_a + t_b)
            else:
                t_land = t_a + (t_b - t_a) * f_a / (f_a - f_b)
                t_land = min(max(t_land, t_a + 1e-3 * (t_b - t_a)), t_b - 1e-3 * (t_b - t_a))
            self.model.restore(snap_a)
            try:
                info = self._advance(i, t_a, t_land, True)
            except XRangeError as exc:
                if not self._beyond_bound(exc):
                    raise
                t_b, f_b = t_land, None
                continue
            f, why = self.bounds.margin(self.model)
            if abs(f) <= 1.0:
                break
            if f > 0.0:
                snap_a, t_a, f_a = self.model.snapshot(), t_land, f
            else:
                t_b, f_b = t_land, f
        else:
            raise SolverError(
                f"step {i + 1 + self.step_offset}: could not land on the surface limit ({why}) "
                "within "
                f"{LIMIT_X_TOL:g} in x or {LIMIT_V_TOL:g} V (last margin {f:.2e} tolerances "
                f"at t = {t_land:.6g} s)"
            )
        self._end_on_bound(i, t_land, info, why, on_report)

    def _end_on_bound(
        self, i: int, t_s: float, info: StepInfo, why: str, on_report: ReportFn
    ) -> None:
        """Report the state on the bound (mechanics solved) and end the run there."""
        if info.mechanics is None:
            self.model.solve_mechanics()
        soc = self.schedule.soc_at(t_s)
        lo, hi = self.model.x_extremes()
        self.ending = True
        assert self.bounds is not None
        self.ending_limit = "voltage" if why == self.bounds.why_v else "x"
        on_report(i, soc, t_s, info)
        end = SurfaceLimit(
            f"at SOC {soc:.4f} (t = {t_s:.6g} s, x̄ = {self.schedule.x_mean_at(t_s):.4f}; "
            f"particle x in [{lo:.4f}, {hi:.4f}]): {why}; the step ends there "
            "(loading.extrapolate: hold runs on with the table's end values held)"
        )
        end.limit = self.ending_limit
        end.t_s, end.step_index, end.dt_s = t_s, i, info.dt_s
        raise end

    def _advance(self, i: int, t0: float, t1: float, mechanics: bool, snap: Any = None) -> StepInfo:
        """Advance from t0 to t1 (step i, 0-based). A failed solve (diverged or
        non-converged Krylov/Newton, NaN/Inf, mass balance off) restores the state at t0
        and retries with the interval cut into 2, 4, … substeps, at most
        ``max_step_cuts`` times; then the run stops with a SolverError. A
        :class:`~polycat.errors.PhysicalEnd` (contact lost) stops it at once, and so does
        an x that left [0, 1] past a surface bound (the bound lies inside the step: the
        caller lands on it). ``snap``: the state at t0 if the caller took it already."""
        if snap is None and self.max_step_cuts > 0:
            snap = self.model.snapshot()
        cuts = 0
        while True:
            try:
                return self._attempt(i, t0, t1, 2**cuts, mechanics)
            except PhysicalEnd as exc:  # physics, not numerics: smaller steps cannot help
                raise type(exc)(f"step {i + 1 + self.step_offset} (t = {t1:.4g} s): {exc}") from exc
            except SolverError as exc:
                beyond = (
                    isinstance(exc, XRangeError)
                    and self.bounds is not None
                    and self._beyond_bound(exc)
                )
                if cuts >= self.max_step_cuts or beyond:
                    more = f" (still failing after {cuts} step cuts)" if cuts else ""
                    err = type(exc)(
                        f"step {i + 1 + self.step_offset} (t = {t1:.4g} s): {exc}{more}"
                    )
                    err.__dict__.update(exc.__dict__)  # e.g. the x range of an XRangeError
                    raise err from exc
                cuts += 1
                if self.model.comm.rank == 0:
                    log.warning(
                        "step %d (t = %.4g s) failed: %s; retrying in %d substeps",
                        i + 1 + self.step_offset,
                        t1,
                        exc,
                        2**cuts,
                    )
                assert snap is not None
                self.model.restore(snap)
                self.record.step_cuts.append(
                    {
                        "step": i + 1 + self.step_offset,
                        "t_s": t1,
                        "substeps": 2**cuts,
                        "reason": str(exc),
                    }
                )

    def _attempt(self, i: int, t0: float, t1: float, n_sub: int, mechanics: bool) -> StepInfo:
        self.faults.before_attempt(i + 1 + self.step_offset)
        rate = self.schedule.rate_per_s
        dt = (t1 - t0) / n_sub
        newton = coupling = 0
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
            coupling += info.coupling_iterations
            mass_error = max(mass_error, info.mass_balance_error)
            if self.model.comm.rank == 0 and log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "%s", _diagnostics(i + self.step_offset, j, n_sub, t0 + (j + 1) * dt, info)
                )
            # x̄ and the mass balance come from global reductions: equal on every rank.
            if not np.isfinite(info.mean_x_new) or info.mass_balance_error > MASS_BALANCE_TOL:
                raise SolverError(
                    f"mass balance error {info.mass_balance_error:.3e} exceeds "
                    f"{MASS_BALANCE_TOL:.0e} (x̄ = {info.mean_x_new:.6g})"
                )
        for k, v in wall.items():
            self.record.timers.add(f"step_{k}", v)
        self.record.diff_newton.append(newton)
        self.record.coupling_iterations.append(coupling)
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


@dataclass
class HoldResult:
    """Where a constant-voltage hold ended: time (s), steps taken, last step length."""

    t_s: float
    step_index: int
    dt_s: float


class HoldLoop:
    """A constant-voltage (CV) step: the cell voltage held, the current decaying, until the
    current falls below ``until_c_rate`` (collective on every rank).

    Steps grow geometrically (× :attr:`GROWTH` up to ``max_dt_s``); a step that crosses a
    report SOC (every multiple of ``soc_step``) or the end current is redone from its start
    to end on it (regula falsi on its length: SOC to :data:`SOC_LAND_TOL`, the C-rate to
    :data:`RATE_LAND_TOL` of ``until_c_rate``). Failed solves are retried with halved
    steps. Beyond ``max_s`` the run ends with :class:`~polycat.errors.StepTimeLimit`.

    Args:
        model: the problem; record: counters (updated in place); faults: the injector.
        voltage_V, resistance_ohm_m2: the held cell voltage V = Φ + R_s i.
        until_c_rate: the end current as a C-rate; one_c_per_s: |dx̄/dt| of 1C.
        soc_of: x̄ → SOC; soc_step: report spacing; max_s: the step's time limit.
        max_dt_s, max_step_cuts: step length bound and retries of a failed step.
        after_step: the stop check, called after every step.
    """

    GROWTH = 1.25

    def __init__(
        self,
        model: ChemoMechanicsModel,
        record: RunRecord,
        faults: FaultInjector,
        voltage_V: float,
        resistance_ohm_m2: float,
        until_c_rate: float,
        one_c_per_s: float,
        soc_of: Callable[[float], float],
        soc_step: float,
        max_s: float,
        max_dt_s: float,
        max_step_cuts: int,
        after_step: Callable[[], None] | None = None,
    ) -> None:
        self.model, self.record, self.faults = model, record, faults
        self.voltage_V, self.resistance = float(voltage_V), float(resistance_ohm_m2)
        self.until, self.one_c = float(until_c_rate), float(one_c_per_s)
        self.soc_of, self.soc_step = soc_of, float(soc_step)
        self.max_s, self.max_dt_s = float(max_s), float(max_dt_s)
        self.max_step_cuts = max_step_cuts
        self.after_step = after_step
        self.state: dict[str, float] = {"dt": 0.0, "rate_prev": float(np.inf)}
        self.step_offset = 0
        """Added to the step index in messages and fault steps (a protocol's earlier
        segments)."""
        self.ending: str | None = None
        """How the hold ended, from the report of its last state on: ``done`` (the end
        current) or ``timeout`` (``max_s``); None while it runs."""

    def c_rate(self, info: StepInfo) -> float:
        """The C-rate of a step's end current (its mean outward flux)."""
        return (
            abs(info.flux_um_s)
            * self.model.interface_area
            / (self.model.particle_volume * self.one_c)
        )

    def _next_report(self, soc: float, sign: float) -> float:
        k = (
            np.floor(soc / self.soc_step + 1e-9) + 1
            if sign > 0
            else np.ceil(soc / self.soc_step - 1e-9) - 1
        )
        return float(round(k * self.soc_step, 10))

    def run(
        self,
        t0: float,
        dt0: float,
        step0: int,
        sign: float,
        on_report: ReportFn,
        rate_prev: float = np.inf,
        last_report_soc: float | None = None,
    ) -> HoldResult:
        """Hold from time ``t0`` (s; the run's clock) with a first step ``dt0`` (s) and
        step index ``step0``; ``sign`` +1 on charge (SOC rises), −1 on discharge;
        ``rate_prev`` the C-rate before (a resume: from its checkpoint). Reports at every
        report SOC and at the end (:attr:`state` then holds the next step length and the
        last C-rate, what a resume needs); returns where the hold ended.
        ``last_report_soc``: a resume's last report SOC, which the next report follows (a
        landing leaves x̄ within :data:`SOC_LAND_TOL` of it, on either side)."""
        model = self.model
        t, dt, i = float(t0), float(dt0), int(step0)
        t_end = t + self.max_s
        soc_prev = self.soc_of(model.mean_x())
        seed = soc_prev if last_report_soc is None else float(last_report_soc)
        target = self._next_report(seed, sign)
        while True:
            dt = max(min(dt, self.max_dt_s, t_end - t), 1e-9)
            before = model.snapshot()
            info = self._advance(i, dt)
            soc = self.soc_of(model.mean_x())
            rate = self.c_rate(info)
            to_report = sign * (target - soc)  # > 0 until the report SOC is reached
            to_end = rate - self.until  # > 0 until the end current is reached
            tol_rate = RATE_LAND_TOL * self.until
            if to_report < -SOC_LAND_TOL:  # first the report SOC (the current falls steadily)
                goal = target

                def soc_margin(_: StepInfo, goal: float = goal) -> float:
                    return sign * (goal - self.soc_of(model.mean_x()))

                tau, info = self._land(
                    i, before, sign * (goal - soc_prev), dt, to_report, soc_margin, SOC_LAND_TOL
                )
                t += tau
                self._count(info)
                soc_prev = self.soc_of(model.mean_x())
                rate_prev = self.c_rate(info)
                self.state = {"dt": dt, "rate_prev": rate_prev}
                on_report(i, goal, t, info)
                target = self._next_report(goal, sign)
            elif to_end <= tol_rate:
                tau = dt
                if to_end < -tol_rate:
                    tau, info = self._land(
                        i, before, rate_prev - self.until, dt, to_end,
                        lambda inf: self.c_rate(inf) - self.until, tol_rate,
                    )  # fmt: skip
                elif info.mechanics is None:
                    model.solve_mechanics()
                t += tau
                self._count(info)
                self.state = {"dt": dt, "rate_prev": self.c_rate(info), "end_dt": tau}
                self.ending = "done"
                on_report(i, self.soc_of(model.mean_x()), t, info)
                return HoldResult(t, i, tau)
            else:
                t += dt
                self._count(info)
                soc_prev, rate_prev = soc, rate
                if t >= t_end - 1e-9:
                    model.solve_mechanics()
                    self.state = {"dt": dt, "rate_prev": rate}
                    self.ending = "timeout"
                    on_report(i, soc, t, info)
                    raise StepTimeLimit(
                        f"the constant-voltage step at {self.voltage_V:g} V did not reach "
                        f"{self.until:g}C within {self.max_s / 60.0:g} minutes (the current "
                        f"is {rate:.4g}C at SOC {soc:.4f}); raise max_minutes or "
                        "until.c_rate_below"
                    )
                dt *= self.GROWTH
            i += 1
            if self.after_step is not None:
                self.after_step()

    def _count(self, info: StepInfo) -> None:
        self.record.diff_newton.append(info.diffusion.newton_iterations)
        if info.mechanics is not None:
            self.record.mech_iterations.append(info.mechanics.ksp_iterations)
            self.record.mech_newton.append(info.mechanics.newton_iterations)

    def _land(
        self,
        i: int,
        before: Any,
        f_a: float,
        dt: float,
        f_b: float,
        margin: Callable[[StepInfo], float],
        tol: float,
    ) -> tuple[float, StepInfo]:
        """Redo step i from ``before`` with the length τ ∈ (0, dt] where ``margin`` (f_a > 0
        at τ = 0, f_b < 0 at τ = dt, monotone) is 0 within ``tol``: Illinois regula falsi,
        every try a full step with mechanics."""
        model = self.model
        a, b = 0.0, float(dt)
        side = 0
        f, tau = f_b, b
        for _ in range(60):
            if not (np.isfinite(f_a) and f_a > 0.0):  # no usable value at the start
                tau = 0.5 * (a + b)
            else:
                tau = b - f_b * (b - a) / (f_b - f_a)
                tau = min(max(tau, a + 1e-3 * (b - a)), b - 1e-3 * (b - a))
            model.restore(before)
            info = self._advance(i, tau, mechanics=True)
            f = margin(info)
            if abs(f) <= tol:
                return tau, info
            if f > 0.0:
                a, f_a = tau, f
                if side == 1:
                    f_b *= 0.5
                side = 1
            else:
                b, f_b = tau, f
                if side == -1:
                    f_a *= 0.5
                side = -1
        raise SolverError(
            f"step {i + 1 + self.step_offset}: could not land the constant-voltage step on its "
            "event "
            f"(last margin {f:.3e}, tolerance {tol:.1e}, τ = {tau:.6g} s)"
        )

    def _advance(self, i: int, dt: float, mechanics: bool = False) -> StepInfo:
        """One held step of length dt from the current state, retried with halved
        substeps after a failed solve (at most ``max_step_cuts`` times)."""
        snap = self.model.snapshot()
        cuts = 0
        while True:
            try:
                self.faults.before_attempt(i + 1 + self.step_offset)
                n = 2**cuts
                info = None
                for j in range(n):
                    info = self.model.step_potentiostatic(
                        dt / n, self.voltage_V, self.resistance, mechanics=mechanics and j == n - 1
                    )
                    if (
                        not np.isfinite(info.mean_x_new)
                        or info.mass_balance_error > MASS_BALANCE_TOL
                    ):
                        raise SolverError(
                            f"mass balance error {info.mass_balance_error:.3e} exceeds "
                            f"{MASS_BALANCE_TOL:.0e}"
                        )
                assert info is not None
                return info
            except PhysicalEnd as exc:
                raise type(exc)(
                    f"step {i + 1 + self.step_offset} (constant voltage): {exc}"
                ) from exc
            except SolverError as exc:
                if cuts >= self.max_step_cuts:
                    raise type(exc)(
                        f"step {i + 1 + self.step_offset} (constant voltage, dt = {dt:.4g} s): "
                        f"{exc}"
                    ) from exc
                cuts += 1
                self.model.restore(snap)
                self.record.step_cuts.append(
                    {
                        "step": i + 1 + self.step_offset,
                        "t_s": None,
                        "substeps": 2**cuts,
                        "reason": str(exc),
                    }
                )


SOC_LAND_TOL = 1e-6
"""How close (in SOC) a constant-voltage step lands on a report SOC."""

RATE_LAND_TOL = 1e-3
"""How close (relative) a constant-voltage step lands on its end current."""
