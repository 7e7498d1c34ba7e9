"""The galvanostatic SOC schedule: when to step and when to report.

State of charge and C-rate are the cathode material's, the same for every run of it:

- **SOC** = (x_max − x̄) / (x_max − x_min) over the material's practical Li window
  ``x_window = (x_min, x_max)``: 0 = fully lithiated (discharged), 1 = delithiated to
  x_min (charged), in both directions of the run. A run from ``x_start`` to ``x_end``
  covers SOC(x_start) → SOC(x_end): a charge raises SOC, a discharge lowers it.
- **C-rate**: 1C moves x̄ through the whole window (the material's practical capacity) in
  one hour, |dx̄/dt| = c_rate · (x_max − x_min) / 3600 s, whatever part of the window a run
  covers; so 1C is the same current density for every run of a material.

A constant C-rate moves x̄ linearly in time, so every report time is known exactly: the
time steps land on them instead of interpolating across them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "SOC_TOL",
    "X_ROUNDOFF",
    "Schedule",
    "build_schedule",
    "rest_schedule",
    "soc_of_x",
    "step_report_socs",
    "x_of_soc",
]

SOC_TOL = 1e-9
"""Report SOCs this close to the end of the run count as the end."""

X_ROUNDOFF = 1e-6
"""Excursion of a nodal Li fraction outside [0, 1] taken as round-off (a report SOC with
more stops the run; the up-front diffusion check leaves at least this much room)."""


def soc_of_x(x: float, x_window: tuple[float, float]) -> float:
    """The state of charge of mean Li fraction ``x`` in the material window (1 = charged)."""
    x_min, x_max = x_window
    return (x_max - x) / (x_max - x_min)


def x_of_soc(soc: float, x_window: tuple[float, float]) -> float:
    """The mean Li fraction at state of charge ``soc`` of the material window."""
    x_min, x_max = x_window
    return x_max - soc * (x_max - x_min)


@dataclass(frozen=True, slots=True)
class Schedule:
    """Time steps of a galvanostatic run.

    Attributes:
        x_start, x_end: initial and final mean Li fraction (dimensionless).
        x_window: the material's practical window (x_min, x_max) that defines SOC and
            C-rate.
        c_rate: the C-rate (1C: the whole window in one hour).
        total_time_s: time to go from x_start to x_end, s.
        times_s: step end times, s (strictly increasing, last = total_time_s).
        report_index: for each report SOC, the index into ``times_s`` where it is reached.
        report_soc: the report SOCs in the order the run reaches them.
    """

    x_start: float
    x_end: float
    x_window: tuple[float, float]
    c_rate: float
    total_time_s: float
    times_s: NDArray[np.float64]
    report_index: tuple[int, ...]
    report_soc: tuple[float, ...]

    @property
    def rate_per_s(self) -> float:
        """d x̄ / dt, 1/s (negative on charge)."""
        return (self.x_end - self.x_start) / self.total_time_s

    @property
    def soc_start(self) -> float:
        """SOC at the start of the run."""
        return soc_of_x(self.x_start, self.x_window)

    @property
    def soc_end(self) -> float:
        """SOC at the end of the run."""
        return soc_of_x(self.x_end, self.x_window)

    def x_mean_at(self, t_s: float) -> float:
        """The mean Li fraction the galvanostatic flux imposes at time t_s."""
        return self.x_start + self.rate_per_s * t_s

    def soc_at(self, t_s: float) -> float:
        """The SOC reached at time ``t_s`` (s)."""
        return soc_of_x(self.x_mean_at(t_s), self.x_window)


def build_schedule(
    x_start: float,
    x_end: float,
    c_rate: float,
    report_soc: list[float] | tuple[float, ...],
    steps_per_report: int = 4,
    max_dt_s: float | None = None,
    x_window: tuple[float, float] | None = None,
) -> Schedule:
    """Steps that hit every report SOC exactly.

    ``x_window`` is the material's window (default: the run's own range). Each interval
    between consecutive report times (starting at t = 0) is split into equal steps, at
    least ``steps_per_report`` of them and more if needed to respect ``max_dt_s``.
    """
    if c_rate <= 0:
        raise ValueError(f"c_rate must be positive, got {c_rate}")
    if x_start == x_end:
        raise ValueError("x_start and x_end must differ")
    window = (min(x_start, x_end), max(x_start, x_end)) if x_window is None else x_window
    x_min, x_max = float(window[0]), float(window[1])
    if not x_min < x_max:
        raise ValueError(f"x_window must be (x_min, x_max) with x_min < x_max, got {window}")
    window = (x_min, x_max)
    soc0, soc1 = soc_of_x(x_start, window), soc_of_x(x_end, window)
    sign = 1.0 if soc1 > soc0 else -1.0
    socs = [float(s) for s in report_soc]
    reached = [sign * (s - soc0) for s in socs]  # progress in SOC, > 0 after the start
    span = sign * (soc1 - soc0)
    order = "increasing" if sign > 0 else "decreasing"
    if (
        not socs
        or any(not 0.0 < r <= span + SOC_TOL for r in reached)
        or any(b <= a for a, b in itertools.pairwise(reached))
    ):
        raise ValueError(
            f"report_soc must be strictly {order} within ({soc0:.6g}, {soc1:.6g}] (the SOC "
            f"range of this run), got {socs}"
        )
    rate = c_rate * (x_max - x_min) / 3600.0  # |dx̄/dt|, 1/s
    total = abs(x_end - x_start) / rate
    times: list[float] = []
    index: list[int] = []
    t_prev = 0.0
    for r in reached:
        t_rep = total if r >= span - SOC_TOL else total * r / span
        n = steps_per_report
        if max_dt_s is not None:
            n = max(n, math.ceil((t_rep - t_prev) / max_dt_s - 1e-9))
        times.extend(t_prev + (t_rep - t_prev) * (k + 1) / n for k in range(n))
        times[-1] = t_rep  # exact, no round-off drift
        index.append(len(times) - 1)
        t_prev = t_rep
    return Schedule(
        x_start=float(x_start),
        x_end=float(x_end),
        x_window=window,
        c_rate=float(c_rate),
        total_time_s=total,
        times_s=np.asarray(times, dtype=np.float64),
        report_index=tuple(index),
        report_soc=tuple(socs),
    )


def step_report_socs(soc0: float, soc1: float, soc_step: float, at_step_end: bool) -> list[float]:
    """The report SOCs of a protocol's cc step from soc0 to soc1: every multiple of
    ``soc_step`` it crosses, and its end (``at_step_end``; else the end only when no
    multiple is crossed)."""
    sign = 1.0 if soc1 > soc0 else -1.0
    k = (
        math.floor(soc0 / soc_step + 1e-9) + 1
        if sign > 0
        else math.ceil(soc0 / soc_step - 1e-9) - 1
    )
    out: list[float] = []
    while True:
        s = round(k * soc_step, 10)
        if sign * (s - soc1) >= -SOC_TOL:
            break
        out.append(s)
        k += 1 if sign > 0 else -1
    if at_step_end or not out:
        out.append(round(soc1, 12))
    return out


REST_GROWTH = 1.25
"""Growth factor of the steps of a rest (open circuit: the relaxation is fastest first)."""


def rest_schedule(
    x_mean: float,
    duration_s: float,
    dt0_s: float,
    max_dt_s: float,
    x_window: tuple[float, float],
) -> Schedule:
    """The steps of a rest (no current) of ``duration_s`` at mean Li fraction ``x_mean``:
    a first step ``dt0_s``, each next one × :data:`REST_GROWTH` up to ``max_dt_s``, the
    last one ending exactly on the duration; one report, at the end (x̄ and SOC do not
    change: ``rate_per_s`` is 0)."""
    if not duration_s > 0.0 or not dt0_s > 0.0 or not max_dt_s > 0.0:
        raise ValueError(
            f"a rest needs a positive duration and steps, got {duration_s}, {dt0_s}, {max_dt_s}"
        )
    times: list[float] = []
    t, dt = 0.0, min(dt0_s, max_dt_s)
    while t + dt < duration_s * (1.0 - 1e-9):
        left = duration_s - (t + dt)
        if left < 0.25 * dt and duration_s - t <= max_dt_s:
            break  # no sliver of a last step: this one runs to the end
        t += dt
        times.append(t)
        dt = min(dt * REST_GROWTH, max_dt_s)
    times.append(float(duration_s))  # exact
    soc = soc_of_x(x_mean, x_window)
    return Schedule(
        x_start=float(x_mean),
        x_end=float(x_mean),
        x_window=(float(x_window[0]), float(x_window[1])),
        c_rate=0.0,
        total_time_s=float(duration_s),
        times_s=np.asarray(times, dtype=np.float64),
        report_index=(len(times) - 1,),
        report_soc=(soc,),
    )
