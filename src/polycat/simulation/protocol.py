"""A protocol of many steps (cc, cv, rest; charge and discharge; repeated cycles), run
segment by segment on the run's clock (collective on every rank).

Each step is a segment with a schedule of its own: a cc step steps x̄ linearly from where
the step before ended to its until x (or the end of the window), ending on its until
voltage where that comes first (:class:`~polycat.simulation.loop.SocLoop` with the step's
bounds); a cv step is a :class:`~polycat.simulation.loop.HoldLoop`; a rest steps at zero
current with growing steps (:func:`polycat.schedule.rest_schedule`). Every segment
reports at the multiples of ``report.soc_step`` it crosses and at its end. A checkpoint
records the segment, its start (time, x̄) and whether the report ended it: a resume
rebuilds the segment's schedule from its start and continues inside it, or starts the
next one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from polycat.config.plan import RunPlan, StepSpec
from polycat.errors import ConfigError, StepTimeLimit, SurfaceLimit
from polycat.fem.info import StepInfo
from polycat.schedule import (
    build_schedule,
    rest_schedule,
    soc_of_x,
    step_report_socs,
)
from polycat.simulation.loop import HoldLoop, SocLoop
from polycat.simulation.problem import lattice_table_range, surface_bounds

if TYPE_CHECKING:
    from mpi4py import MPI

    from polycat.exports.provenance import RunRecord
    from polycat.faults import FaultInjector
    from polycat.interrupts import StopRequests
    from polycat.simulation.problem import Problem


class Session(Protocol):
    """What a protocol needs of the run session (:class:`~polycat.simulation.runner.RunSession`)."""

    plan: RunPlan
    comm: MPI.Comm
    problem: Problem | None
    record: RunRecord
    faults: FaultInjector
    stop: StopRequests

    def report(self, i: int, soc: float, t_s: float, info: StepInfo) -> None:
        """Read, export and checkpoint the current state (a report)."""

    def set_step(self, cycle: int, step: int, kind: str, cap_x0: float) -> None:
        """The step being run, and the x̄ its capacity counts from."""

    def set_current(self, current_A_m2: float | None) -> None:
        """The current density of the next reports (None: the schedule's)."""

    def hold_started(self, loop: HoldLoop) -> None:
        """A cv step runs in ``loop``."""


__all__ = ["ProtocolRun", "Segment", "Session", "step_directions", "target_full"]

log = logging.getLogger("polycat")

FARADAY = 96485.33212
"""Faraday constant, C/mol."""

DEFAULT_MAX_DT_S = 120.0
"""Longest step of a hold or a rest without solver.max_dt_s (s)."""

REST_FIRST_STEPS = 200
"""A rest's first step: its length / this (or the step before, if shorter)."""


def step_directions(steps: tuple[StepSpec, ...]) -> list[str]:
    """The direction of charge each step belongs to (a rest: that of the step before it;
    the first steps of a cycle before any cc: that of the cycle's first cc step)."""
    out: list[str] = []
    current = next((st.direction for st in steps if st.direction), "charge")
    for st in steps:
        if st.direction is not None:
            current = st.direction
        out.append(current)
    return out


@dataclass
class Segment:
    """Where the segment being run started: its number in the expanded protocol (every
    cycle's steps in turn), start time (s), x̄ at its start, first step (s, a rest), and
    x̄ where the current direction of charge began (the capacity's zero), and the steps
    taken before it (step numbers count on through the protocol)."""

    n: int
    t0: float
    x0: float
    dt0: float
    cap_x0: float
    step_offset: int = 0
    done: bool = False

    def state(self) -> dict[str, Any]:
        """The checkpoint's record of the segment."""
        return {
            "n": self.n,
            "t0": self.t0,
            "x0": self.x0,
            "dt0": self.dt0,
            "cap_x0": self.cap_x0,
            "step_offset": self.step_offset,
            "done": self.done,
        }


def target_full(plan: RunPlan) -> bool:
    """True where the cathode's lattice table ends at x = 1: a discharge that reaches it
    has filled the particle's surface (the step's physical end, not a table's limit)."""
    table = lattice_table_range(plan)
    return table is not None and table[1] >= 1.0 - 1e-9


class ProtocolRun:
    """Runs a segmented protocol (``plan.loading.segmented``) for a run session."""

    def __init__(self, session: Session) -> None:
        self.s = session
        ld = session.plan.loading
        self.expanded = [
            (c, k, st) for c in range(1, ld.cycles + 1) for k, st in enumerate(ld.steps)
        ]
        self.directions = step_directions(ld.steps)
        self.segment: Segment | None = None
        self._loop: SocLoop | HoldLoop | None = None
        self._last_index = -1  # the schedule's last step index of a SocLoop segment
        self._steps = 0  # steps taken by the segments before this one
        self._report_dt = 0.0  # the step length of the last report's step (s)
        self._schedule_dt = 0.0  # the last step length of a SocLoop segment's schedule (s)

    # -- what the session asks ---------------------------------------------------------
    def checkpoint_state(self, i: int) -> dict[str, Any]:
        """The segment record of a checkpoint written after the report of step ``i``:
        whether that report ended the segment (``done``; then ``end_dt``, the step length
        the next segment starts from, as in the uninterrupted run), or ended the run
        (``stopped``: the lattice table's end; ``timeout``: a hold's time limit)."""
        assert self.segment is not None
        loop = self._loop
        out: dict[str, Any] = {}
        done, end_dt = False, None
        if isinstance(loop, HoldLoop):
            done = loop.ending == "done"
            end_dt = loop.state.get("end_dt")
            out["timeout"] = loop.ending == "timeout"
        elif loop is not None and loop.ending:  # a cc step on a bound
            st = self.expanded[self.segment.n][2]
            full = st.direction == "discharge" and target_full(self.s.plan)
            out["stopped"] = loop.ending_limit == "x" and not full
            done, end_dt = not out["stopped"], self._report_dt
        elif loop is not None and i == self._last_index:  # the schedule's end
            done, end_dt = True, self._schedule_dt
        self.segment.done = done
        return {**self.segment.state(), **out, "end_dt": end_dt}

    # -- the run -----------------------------------------------------------------------
    def run(self, resumed: dict[str, Any] | None) -> None:
        """Every segment in turn (from a resume's segment on)."""
        s = self.s
        model = s.problem.model if s.problem is not None else None
        assert model is not None
        n0, t0, dt_prev = 0, 0.0, 0.0
        cap_x0 = model.mean_x()
        inside: dict[str, Any] | None = None
        if resumed is not None and resumed.get("segment") is not None:
            seg = resumed["segment"]
            if seg.get("timeout"):
                raise StepTimeLimit(
                    f"the constant-voltage step had run out of its time at SOC "
                    f"{resumed['soc']:.4f} (nothing left to resume)"
                )
            if seg.get("stopped"):
                raise SurfaceLimit(
                    f"the run had ended on its surface limit at SOC {resumed['soc']:.4f} "
                    "(nothing left to resume)"
                )
            cap_x0 = float(seg["cap_x0"])
            self._steps = int(seg["step_offset"])
            if seg["done"]:
                self._steps += int(resumed["step_index"]) + 1
                if s.record.segments:  # the entry of the segment that report ended
                    s.record.segments[-1].update(
                        steps=self._steps - int(seg["step_offset"]), t_end_s=resumed["t_s"]
                    )
                n0, t0 = int(seg["n"]) + 1, float(resumed["t_s"])
                dt_prev = float(seg.get("end_dt") or resumed.get("last_dt_s", 0.0))
            else:
                n0, t0 = int(seg["n"]), float(seg["t0"])
                inside = {**seg, **resumed}
        for n in range(n0, len(self.expanded)):
            c, k, st = self.expanded[n]
            prev_dir = self.directions[k - 1] if k > 0 else self.directions[-1]
            if n > 0 and inside is None and (k == 0 or self.directions[k] != prev_dir):
                cap_x0 = model.mean_x()  # a new cycle or direction: the capacity's zero
            x0 = model.mean_x() if inside is None else float(inside["x0"])
            dt0 = dt_prev if inside is None else float(inside["dt0"])
            self.segment = Segment(n, t0, x0, dt0, cap_x0, self._steps)
            s.set_step(c, k + 1, st.kind, cap_x0)
            first = self.segment.step_offset + 1
            if inside is None:  # (a resumed segment has its entry from the checkpoint)
                s.record.segments.append(
                    {"cycle": c, "step": k + 1, "step_type": st.kind, "first_step": first,
                     "steps": None, "t_start_s": t0, "t_end_s": None}
                )  # fmt: skip
            if st.kind == "cc":
                t0, dt_prev = self._cc(k, st, t0, x0, inside)
            elif st.kind == "cv":
                t0, dt_prev = self._cv(k, st, t0, dt0, inside)
            else:
                t0, dt_prev = self._rest(st, t0, x0, dt0, inside)
            inside = None
            s.record.segments[-1].update(steps=self._steps - first + 1, t_end_s=t0)

    def _on_report(self, t0: float) -> Any:
        def report(i: int, soc: float, t_s: float, info: StepInfo) -> None:
            self._report_dt = float(info.dt_s)
            self.s.report(i, soc, t0 + t_s, info)

        return report

    def _soc_loop(self, schedule: Any, bounds: Any) -> SocLoop:
        s = self.s
        assert s.problem is not None
        plan = s.plan
        loop = SocLoop(
            s.problem.model,
            schedule,
            s.record,
            plan.loop.max_step_cuts,
            mechanics_every_step=plan.coupling == "two_way" or plan.interfaces is not None,
            faults=s.faults,
            progress=False,
            after_step=lambda: s.stop.check(s.comm),
            bounds=bounds,
        )
        loop.step_offset = self._steps
        self._loop = loop
        times = schedule.times_s
        self._last_index = len(times) - 1
        self._schedule_dt = float(times[-1] - (times[-2] if len(times) > 1 else 0.0))
        return loop

    def _cc(
        self, k: int, st: StepSpec, t0: float, x0: float, inside: dict[str, Any] | None
    ) -> tuple[float, float]:
        """A constant-current step from x̄ = x0 at time t0; returns (end time, last dt)."""
        s = self.s
        assert s.problem is not None
        p, plan = s.problem, s.plan
        ld, lp = plan.loading, plan.loop
        window = ld.x_window
        charge = st.direction == "charge"
        target = st.until_x if st.until_x is not None else (window[0] if charge else window[1])
        where = f"loading.protocol[{k}]"
        if (1.0 if charge else -1.0) * (x0 - target) <= 1e-9:
            raise ConfigError(
                f"{where}: the {st.direction} starts at x̄ = {x0:.4f}, already at or past its end "
                f"x = {target:.4f}: nothing left to {st.direction}; change the step's until or "
                "the steps before it"
            )
        soc0, soc1 = soc_of_x(x0, window), soc_of_x(target, window)
        assert st.c_rate is not None
        schedule = build_schedule(
            x0, target, st.c_rate, step_report_socs(soc0, soc1, ld.soc_step, ld.at_step_end),
            lp.steps_per_report, lp.max_dt_s, x_window=window,
        )  # fmt: skip
        p.schedule = schedule
        s.set_current(None)
        bounds = surface_bounds(plan, p.cell_voltage, st, f"{where}.until.voltage_V")
        if inside is None and bounds is not None and bounds.voltage is not None:
            margin, _ = bounds.margin(p.model)
            if margin < -1.0:
                V = p.cell_voltage()
                raise ConfigError(
                    f"{where}.until.voltage_V = {st.until_voltage_V:g} V: the {st.direction} "
                    f"starts at {V:.4f} V, already past it (after the step before); change "
                    "the step's voltage or the steps before it"
                )
        loop = self._soc_loop(schedule, bounds)
        start = 0 if inside is None else int(inside["step_index"]) + 1
        try:
            loop.run(start, self._on_report(t0))
        except SurfaceLimit as exc:
            full = getattr(exc, "limit", "") == "x" and not charge and target_full(plan)
            if getattr(exc, "limit", "") != "voltage" and not full:
                raise
            if full and s.comm.rank == 0:
                # x = 1 is the end of every discharge: the particle's surface is full
                log.warning(
                    "%s: the surface reached x = 1 before %s; the discharge ends there", where,
                    f"{st.until_voltage_V:g} V" if st.until_voltage_V is not None else "its x",
                )  # fmt: skip
            self._steps += exc.step_index + 1
            return t0 + exc.t_s, exc.dt_s
        return self._schedule_end(t0, schedule)

    def _schedule_end(self, t0: float, schedule: Any) -> tuple[float, float]:
        """A segment that ran its whole schedule: (end time, last dt); its steps counted."""
        times = schedule.times_s
        self._steps += len(times)
        return t0 + float(times[-1]), float(times[-1] - (times[-2] if len(times) > 1 else 0.0))

    def _cv(
        self, k: int, st: StepSpec, t0: float, dt0: float, inside: dict[str, Any] | None
    ) -> tuple[float, float]:
        """A constant-voltage step from time t0; returns (end time, last dt)."""
        s = self.s
        assert s.problem is not None
        p, plan = s.problem, s.plan
        window = plan.loading.x_window
        assert st.voltage_V is not None and st.until_c_rate is not None and st.max_s is not None
        loop = HoldLoop(
            p.model,
            s.record,
            s.faults,
            st.voltage_V,
            plan.kinetics.series_resistance_ohm_m2,
            st.until_c_rate,
            (window[1] - window[0]) / 3600.0,
            lambda x: soc_of_x(x, window),
            plan.loading.soc_step,
            st.max_s,
            plan.loop.max_dt_s or DEFAULT_MAX_DT_S,
            plan.loop.max_step_cuts,
            after_step=lambda: s.stop.check(s.comm),
        )
        loop.step_offset = self._steps
        self._loop = loop
        s.hold_started(loop)
        sign = 1.0 if st.direction == "charge" else -1.0
        cmax = plan.cathode.c_max_mol_m3

        def on_report(i: int, soc: float, t_s: float, info: StepInfo) -> None:
            s.set_current(FARADAY * cmax * info.flux_um_s * 1e-6)  # the held step's, A/m²
            s.report(i, soc, t_s, info)

        if inside is None:
            t_start, i0, dt, rate_prev = t0, 0, max(dt0, 1e-3), np.inf
            if st.max_s is not None:
                dt = min(dt, st.max_s)
        else:
            t_start, i0 = float(inside["t_s"]), int(inside["step_index"]) + 1
            dt, rate_prev = float(inside["hold_dt_s"]), float(inside["hold_rate_prev"])
        # the hold's time limit counts from the step's start, also after a resume
        loop.max_s = st.max_s - (t_start - t0)
        seed = None if inside is None else float(inside["soc"])  # the last report, inside
        result = loop.run(
            t_start, dt, i0, sign, on_report, rate_prev=rate_prev, last_report_soc=seed
        )
        self._steps += result.step_index + 1
        return result.t_s, result.dt_s

    def _rest(
        self, st: StepSpec, t0: float, x0: float, dt0: float, inside: dict[str, Any] | None
    ) -> tuple[float, float]:
        """Open circuit from time t0 for the step's duration; returns (end time, last dt)."""
        s = self.s
        assert s.problem is not None and st.duration_s is not None
        p, plan = s.problem, s.plan
        max_dt = plan.loop.max_dt_s or DEFAULT_MAX_DT_S
        first = st.duration_s / REST_FIRST_STEPS
        dt_first = min(dt0, first) if dt0 > 0.0 else first
        if self.segment is not None:
            self.segment.dt0 = dt_first
        schedule = rest_schedule(x0, st.duration_s, dt_first, max_dt, plan.loading.x_window)
        p.schedule = schedule
        s.set_current(0.0)
        loop = self._soc_loop(schedule, None)
        start = 0 if inside is None else int(inside["step_index"]) + 1
        loop.run(start, self._on_report(t0))
        return self._schedule_end(t0, schedule)
