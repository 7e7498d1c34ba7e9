"""cycles.csv from summary rows (polycat.post.cycles), protocol step directions, and the
report SOCs and steps of protocol segments (polycat.schedule)."""

from __future__ import annotations

import numpy as np
import pytest

from polycat.config.plan import StepSpec
from polycat.post.cycles import CYCLE_COLUMNS, cycle_table
from polycat.schedule import rest_schedule, step_report_socs
from polycat.simulation.protocol import step_directions

STEPS = (
    StepSpec("cc", "charge", 1.0, until_voltage_V=4.2),
    StepSpec("cv", "charge", voltage_V=4.2, until_c_rate=0.05, max_s=3600.0),
    StepSpec("rest", duration_s=600.0),
    StepSpec("cc", "discharge", 1.0, until_voltage_V=3.0),
)


def _row(report: int, cycle: int, step: int, kind: str, soc: float, cap: float) -> dict:
    return {
        "report": report, "cycle": cycle, "step": step, "step_type": kind, "soc": soc,
        "capacity_mAh_g": cap, "voltage_V": 4.0, "sigma_hoop_max_MPa": 100.0 * report,
    }  # fmt: skip


def test_directions_of_steps() -> None:
    assert step_directions(STEPS) == ["charge", "charge", "charge", "discharge"]
    rest_first = (StepSpec("rest", duration_s=1.0), *STEPS)
    assert step_directions(rest_first)[0] == "charge"  # that of the first cc step


def test_cycle_table_reads_the_end_of_each_half_cycle() -> None:
    rows = [
        _row(1, 1, 1, "cc", 0.5, 90.0), _row(2, 1, 1, "cc", 0.7, 170.0),
        _row(3, 1, 2, "cv", 0.78, 190.0), _row(4, 1, 3, "rest", 0.78, 190.0),
        _row(5, 1, 4, "cc", 0.3, 150.0), _row(6, 2, 1, "cc", 0.6, 60.0),
    ]  # fmt: skip
    table = cycle_table(rows, step_directions(STEPS))
    assert [set(r) for r in table] == [set(CYCLE_COLUMNS)] * 2
    one, two = table
    assert one["charge_capacity_mAh_g"] == 190.0 and one["discharge_capacity_mAh_g"] == 150.0
    assert one["coulombic_efficiency"] == pytest.approx(150.0 / 190.0)
    assert one["end_of_charge_report"] == 3  # where the current stopped, not the rest
    assert one["end_of_charge_sigma_hoop_max_MPa"] == 300.0
    assert two["discharge_capacity_mAh_g"] is None and two["coulombic_efficiency"] is None


def test_step_report_socs_both_directions() -> None:
    assert step_report_socs(0.114, 0.7, 0.2, True) == [0.2, 0.4, 0.6, 0.7]
    assert step_report_socs(0.7, 0.25, 0.2, True) == [0.6, 0.4, 0.25]
    assert step_report_socs(0.7, 0.6, 0.2, False) == [0.6]  # the end only, on a multiple
    assert step_report_socs(0.61, 0.65, 0.2, False) == [0.65]  # no multiple: the end


def test_rest_schedule() -> None:
    sch = rest_schedule(0.6, 1800.0, 2.0, 120.0, (0.2, 1.0))
    t = sch.times_s
    assert t[0] == 2.0 and t[-1] == 1800.0 and np.all(np.diff(t) > 0)
    assert np.max(np.diff(t)) <= 120.0 + 1e-12
    assert sch.rate_per_s == 0.0 and sch.report_index == (len(t) - 1,)
    assert sch.report_soc == (pytest.approx(0.5),) and sch.soc_at(900.0) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="positive"):
        rest_schedule(0.6, 0.0, 2.0, 120.0, (0.2, 1.0))


def test_two_half_cycles_of_one_direction_add_up() -> None:
    steps = (
        StepSpec("cc", "discharge", 1.0, until_x=0.9),
        StepSpec("cc", "charge", 1.0, until_x=0.4),
        StepSpec("rest", duration_s=60.0),
        StepSpec("cc", "charge", 0.1, until_x=0.3),
        StepSpec("cc", "discharge", 1.0, until_x=0.8),
    )
    rows = [
        _row(1, 1, 1, "cc", 0.1, 20.0), _row(2, 1, 2, "cc", 0.6, 100.0),
        _row(3, 1, 3, "rest", 0.6, 100.0), _row(4, 1, 4, "cc", 0.7, 130.0),
        _row(5, 1, 5, "cc", 0.25, 110.0),
    ]  # fmt: skip
    (one,) = cycle_table(rows, step_directions(steps))
    # the charge counts on through its rest; the two discharges (20 + 110) add up
    assert one["charge_capacity_mAh_g"] == 130.0 and one["discharge_capacity_mAh_g"] == 130.0
    assert one["end_of_charge_report"] == 4 and one["coulombic_efficiency"] == 1.0


def test_rest_schedule_has_no_sliver_of_a_last_step() -> None:
    # 1 + 1.25 + 1.5625 + ... : the step that would leave a sliver runs to the end instead
    for duration in (10.0, 10.3, 37.0, 600.0):
        t = rest_schedule(0.5, duration, 1.0, 120.0, (0.0, 1.0)).times_s
        steps = np.diff(np.concatenate([[0.0], t]))
        assert steps[-1] >= 0.2 * steps[-2] and t[-1] == duration
