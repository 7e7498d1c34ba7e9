"""A lost contact ends the SOC loop at once: no step cuts (smaller steps cannot bring the
contact back), the ContactLost kept as such; an ordinary solver failure is still cut."""

from __future__ import annotations

from typing import Any

from mpi4py import MPI

import numpy as np
import pytest

from polycat.errors import ContactLost, SolverError
from polycat.exports.provenance import RunRecord
from polycat.faults import FaultInjector
from polycat.schedule import Schedule
from polycat.simulation.loop import SocLoop


class _Model:
    """Fails every step with ``exc``; counts the attempts."""

    def __init__(self, exc: Exception) -> None:
        self.exc = exc
        self.comm = MPI.COMM_SELF
        self.attempts = 0

    def snapshot(self) -> dict[str, Any]:
        return {}

    def restore(self, snap: dict[str, Any]) -> None:
        pass

    def step(self, dt: float, rate: float, mechanics: bool) -> Any:
        self.attempts += 1
        raise self.exc


def _loop(model: _Model, record: RunRecord) -> SocLoop:
    times = np.array([10.0, 20.0])
    schedule = Schedule(0.9, 0.8, (0.1, 1.0), 1.0, 20.0, times, (1,), (0.5,))
    return SocLoop(model, schedule, record, 3, False, FaultInjector(0, ""), False)  # type: ignore[arg-type]


def test_contact_lost_is_not_retried() -> None:
    model, record = _Model(ContactLost("no contact left")), RunRecord()
    with pytest.raises(ContactLost, match=r"step 1 .*no contact left"):
        _loop(model, record).run(0, lambda *a: None)
    assert model.attempts == 1 and record.step_cuts == []


def test_a_solver_failure_is_still_cut() -> None:
    model, record = _Model(SolverError("diverged")), RunRecord()
    with pytest.raises(SolverError, match="still failing after 3 step cuts") as exc:
        _loop(model, record).run(0, lambda *a: None)
    assert not isinstance(exc.value, ContactLost)
    assert model.attempts == 4 and len(record.step_cuts) == 3
