"""A CC–CV run that fails inside its constant-voltage step resumes there (``--resume``)
and ends with the numbers of the uninterrupted run: the checkpoint of a cv report keeps
the phase, the next step length and the last C-rate of the hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rel_helpers import polycat, write_yaml
from test_restart_and_faults import assert_same_summary

from fem.test_protocol import protocol_config

BV = {"model": "butler_volmer", "series_resistance_ohm_m2": 1e-3}


def config(tmp: Path, name: str) -> Path:
    cfg = protocol_config(tmp, name, BV)
    # tight mechanics tolerance: the resumed and the uninterrupted runs start CG from
    # different guesses (the projection basis is not checkpointed)
    cfg["solver"]["ksp_rtol"] = 1e-10
    return write_yaml(tmp / f"{name}.yaml", cfg)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cccv")
    cfg = config(tmp, "ref")
    result = polycat(["run", str(cfg)])
    assert result.returncode == 0, result.stderr
    return tmp / "ref"


def test_resume_inside_the_hold(reference: Path, tmp_path: Path) -> None:
    last = json.loads((reference / "checkpoint" / "state.json").read_text())
    assert last["phase"] == "cv"
    n_end = int(last["step_index"]) + 1  # the hold's last step (1-based)
    cfg = config(tmp_path, "out")
    out = tmp_path / "out"
    failed = polycat(["run", str(cfg)], env={"POLYCAT_FAULT": f"solver:step={n_end}:count=100"})
    assert failed.returncode != 0
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "failed" and f"step {n_end}" in info["error"]
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["phase"] == "cv" and state["step_index"] < n_end - 1  # a cv report before
    resumed = polycat(["run", "--resume", str(out)])
    assert resumed.returncode == 0, resumed.stderr
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed"
    assert info["resumed_from"]["phase"] == "cv"
    assert_same_summary(out, reference, rtol=1e-7)
