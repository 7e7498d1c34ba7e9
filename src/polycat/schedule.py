"""The galvanostatic SOC schedule: when to step and when to report.

A constant C-rate moves the mean Li fraction linearly in time from ``x_start`` to
``x_end`` in ``3600 / c_rate`` seconds, so SOC = t / t_total and every report time is
known exactly: the time steps land on them instead of interpolating across them.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True, slots=True)
class Schedule:
    """Time steps of a galvanostatic run.

    Attributes:
        x_start, x_end: initial and final mean Li fraction (dimensionless).
        total_time_s: time to go from x_start to x_end, s.
        times_s: step end times, s (strictly increasing, last = total_time_s).
        report_index: for each report SOC, the index into ``times_s`` where it is reached.
        report_soc: the report SOCs, in (0, 1].
    """

    x_start: float
    x_end: float
    total_time_s: float
    times_s: NDArray[np.float64]
    report_index: tuple[int, ...]
    report_soc: tuple[float, ...]

    @property
    def rate_per_s(self) -> float:
        """d x̄ / dt, 1/s (negative on charge)."""
        return (self.x_end - self.x_start) / self.total_time_s

    def x_mean_at(self, t_s: float) -> float:
        """The mean Li fraction the galvanostatic flux imposes at time t_s."""
        return self.x_start + self.rate_per_s * t_s

    def soc_at(self, t_s: float) -> float:
        """The SOC reached at time ``t_s`` (s)."""
        return t_s / self.total_time_s


def build_schedule(
    x_start: float,
    x_end: float,
    c_rate: float,
    report_soc: list[float] | tuple[float, ...],
    steps_per_report: int = 4,
    max_dt_s: float | None = None,
) -> Schedule:
    """Steps that hit every report SOC exactly.

    Each interval between consecutive report times (starting at t = 0) is split into
    equal steps, at least ``steps_per_report`` of them and more if needed to respect
    ``max_dt_s``.
    """
    if c_rate <= 0:
        raise ValueError(f"c_rate must be positive, got {c_rate}")
    if x_start == x_end:
        raise ValueError("x_start and x_end must differ")
    socs = [float(s) for s in report_soc]
    if any(not 0.0 < s <= 1.0 for s in socs) or any(b <= a for a, b in itertools.pairwise(socs)):
        raise ValueError(f"report_soc must be strictly increasing in (0, 1], got {socs}")
    total = 3600.0 / c_rate
    times: list[float] = []
    index: list[int] = []
    t_prev = 0.0
    for soc in socs:
        t_rep = soc * total
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
        total_time_s=total,
        times_s=np.asarray(times, dtype=np.float64),
        report_index=tuple(index),
        report_soc=tuple(socs),
    )
