"""A CC–CV run that fails inside its constant-voltage step, or between the state its cc
step landed on and the hold's first report, resumes there (``--resume``) and ends with
the numbers of the uninterrupted run: a checkpoint keeps the phase (cc, cc_end, cv,
cv_end), the step length and the last C-rate of the hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
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
    assert last["phase"] == "cv_end"  # the checkpoint of the hold's last state
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


def test_resume_between_the_cc_end_and_the_hold(reference: Path, tmp_path: Path) -> None:
    """A failure in the hold's first step: the last checkpoint is the state the cc step
    landed on (its voltage), between two steps of its schedule; the resume must start the
    hold from there (not step on along the cc schedule) and end with the same numbers."""
    import numpy as np

    from polycat.config import validate_config
    from polycat.config.resolve import resolve
    from polycat.fileio import read_csv
    from polycat.schedule import build_schedule

    cfg_path = config(tmp_path, "out")
    plan = resolve(validate_config(yaml.safe_load(cfg_path.read_text())))
    ld, lp = plan.loading, plan.loop
    sch = build_schedule(ld.x_start, ld.x_end, ld.c_rate, ld.report_soc, lp.steps_per_report,
                         lp.max_dt_s, x_window=ld.x_window)  # fmt: skip
    rows = read_csv(reference / "summary.csv")
    t_land = float([r for r in rows if r["step_type"] == "cc"][-1]["time_s"])
    i_cc = int(np.searchsorted(sch.times_s, t_land))  # the step the cc step landed in
    out = tmp_path / "out"
    failed = polycat(
        ["run", str(cfg_path)], env={"POLYCAT_FAULT": f"solver:step={i_cc + 2}:count=100"}
    )
    assert failed.returncode != 0
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["phase"] == "cc_end", state["phase"]
    assert [r["step_type"] for r in read_csv(out / "summary.csv")][-1] == "cc"
    resumed = polycat(["run", "--resume", str(out)])
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((out / "run.json").read_text())["status"] == "completed"
    assert_same_summary(out, reference, rtol=1e-7)
