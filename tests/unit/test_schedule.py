"""The SOC schedule lands exactly on report times and respects the step bounds."""

import numpy as np
import pytest

from polycat.schedule import build_schedule


def test_report_times_hit_exactly() -> None:
    s = build_schedule(1.0, 0.2, c_rate=2.0, report_soc=[0.1, 0.25, 1.0], steps_per_report=3)
    assert s.total_time_s == pytest.approx(1800.0)
    for soc, i in zip(s.report_soc, s.report_index, strict=True):
        assert s.times_s[i] == soc * 1800.0  # exact, not approximate
        assert s.soc_at(s.times_s[i]) == pytest.approx(soc, abs=1e-15)
    assert len(s.times_s) == 9
    assert np.all(np.diff(s.times_s) > 0)
    assert s.x_mean_at(s.total_time_s) == pytest.approx(0.2)
    assert s.rate_per_s == pytest.approx(-0.8 / 1800.0)


def test_max_dt_refines() -> None:
    s = build_schedule(
        0.2, 1.0, c_rate=1.0, report_soc=[0.5, 1.0], steps_per_report=1, max_dt_s=100.0
    )
    assert np.max(np.diff(np.concatenate([[0.0], s.times_s]))) <= 100.0 + 1e-9
    assert len(s.times_s) == 36
    assert s.rate_per_s > 0


@pytest.mark.parametrize("bad", [[0.0, 0.5], [0.5, 0.4], [1.1]])
def test_bad_report_soc(bad: list[float]) -> None:
    with pytest.raises(ValueError, match="report_soc"):
        build_schedule(1.0, 0.2, 1.0, bad)
