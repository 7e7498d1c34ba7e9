"""The SOC schedule lands exactly on report times and respects the step bounds; SOC and
C-rate are the material's (SOC over its x window, 1 = charged; 1C = the window in 1 h)."""

import numpy as np
import pytest

from polycat.schedule import build_schedule, soc_of_x, x_of_soc


def test_report_times_hit_exactly() -> None:
    s = build_schedule(1.0, 0.2, c_rate=2.0, report_soc=[0.1, 0.25, 1.0], steps_per_report=3)
    assert s.total_time_s == pytest.approx(1800.0)
    for soc, i in zip(s.report_soc, s.report_index, strict=True):
        assert s.times_s[i] == pytest.approx(soc * 1800.0, rel=1e-15)
        assert s.soc_at(s.times_s[i]) == pytest.approx(soc, abs=1e-15)
    assert s.times_s[-1] == s.total_time_s  # exact at the end
    assert len(s.times_s) == 9
    assert np.all(np.diff(s.times_s) > 0)
    assert s.x_mean_at(s.total_time_s) == pytest.approx(0.2)
    assert s.rate_per_s == pytest.approx(-0.8 / 1800.0)


def test_max_dt_refines() -> None:
    s = build_schedule(
        0.2, 1.0, c_rate=1.0, report_soc=[0.5, 0.0], steps_per_report=1, max_dt_s=100.0
    )
    assert np.max(np.diff(np.concatenate([[0.0], s.times_s]))) <= 100.0 + 1e-9
    assert len(s.times_s) == 36
    assert s.rate_per_s > 0


def test_soc_is_the_materials_in_both_directions() -> None:
    window = (0.125, 1.0)
    assert soc_of_x(1.0, window) == 0.0 and soc_of_x(0.125, window) == 1.0
    assert x_of_soc(0.5, window) == pytest.approx(0.5625)
    charge = build_schedule(1.0, 0.125, 1.0, [0.5, 1.0], x_window=window)
    discharge = build_schedule(0.125, 1.0, 1.0, [0.5, 0.0], x_window=window)
    for s, socs in ((charge, (0.5, 1.0)), (discharge, (0.5, 0.0))):
        assert s.report_soc == socs
        assert s.soc_at(s.times_s[s.report_index[-1]]) == pytest.approx(socs[-1], abs=1e-12)
    assert charge.soc_start == 0.0 and discharge.soc_start == 1.0
    # SOC 0.5 is the same Li content either way
    assert charge.x_mean_at(charge.times_s[charge.report_index[0]]) == pytest.approx(0.5625)
    assert discharge.x_mean_at(discharge.times_s[discharge.report_index[0]]) == pytest.approx(
        0.5625
    )


def test_c_rate_is_the_materials_whatever_part_of_the_window_a_run_covers() -> None:
    """1C moves x through the whole window in one hour: a run over part of it takes that
    part of an hour, at the same rate (the same current density)."""
    window = (0.125, 1.0)
    full = build_schedule(1.0, 0.125, 1.0, [1.0], x_window=window)
    part = build_schedule(1.0, 0.5, 1.0, [soc_of_x(0.5, window)], x_window=window)
    assert full.total_time_s == pytest.approx(3600.0)
    assert part.total_time_s == pytest.approx(3600.0 * 0.5 / 0.875)
    assert part.rate_per_s == pytest.approx(full.rate_per_s)
    # a partial run reports SOC of the material, starting where it starts
    mid = build_schedule(0.8, 0.3, 2.0, [0.4, 0.8], x_window=window)
    assert mid.soc_start == pytest.approx(0.2 / 0.875)
    assert mid.soc_at(mid.total_time_s) == pytest.approx(0.7 / 0.875)


@pytest.mark.parametrize("bad", [[0.0, 0.5], [0.5, 0.4], [1.1], [0.5, 1.0 + 1e-6], []], ids=str)
def test_bad_report_soc(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="report_soc"):
        build_schedule(1.0, 0.2, 1.0, bad)


def test_discharge_reports_in_decreasing_order() -> None:
    with pytest.raises(ValueError, match="strictly decreasing"):
        build_schedule(0.2, 1.0, 1.0, [0.5, 1.0])
