"""A two-cycle protocol (CC–CV charge with Butler–Volmer kinetics, a rest, a CC
discharge; twice) that fails inside the second cycle's constant-voltage step resumes
there (``--resume``: the checkpoint names the segment, its start and the steps before it)
and ends with the numbers of the uninterrupted run, cycles.csv included."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from rel_helpers import polycat, write_yaml
from test_restart_and_faults import assert_same_summary

from fem.test_protocol import CCCV, protocol_config
from polycat.fileio import read_csv

BV = {"model": "butler_volmer", "series_resistance_ohm_m2": 1e-3}
CYCLE = [
    CCCV[0],
    {**CCCV[1], "until": {"c_rate_below": 0.1}},
    {"step": "rest", "minutes": 10},
    {"step": "cc", "direction": "discharge", "c_rate": 1.0, "until": {"voltage_V": 3.6}},
]


def config(tmp: Path, name: str) -> Path:
    cfg = protocol_config(tmp, name, BV, soc_step=0.05)
    # from x = 0.95: Butler-Volmer's i0 ∝ sqrt(x(1-x)) starting at x = 1 concentrates the
    # first short steps' current and overshoots x = 1 on this coarse mesh (test_protocol)
    cfg["loading"].update(protocol=CYCLE, cycles=2, x_start=0.95)
    cfg["solver"]["ksp_rtol"] = 1e-10  # CG starts from other guesses after a resume
    return write_yaml(tmp / f"{name}.yaml", cfg)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cycles")
    result = polycat(["run", str(config(tmp, "ref"))])
    assert result.returncode == 0, result.stderr
    return tmp / "ref"


def test_segments_in_run_json(reference: Path) -> None:
    info = json.loads((reference / "run.json").read_text())
    segs = info["segments"]
    assert [(s["cycle"], s["step_type"]) for s in segs] == [
        (c, k) for c in (1, 2) for k in ("cc", "cv", "rest", "cc")
    ]
    for a, b in itertools.pairwise(segs):  # contiguous in steps and time
        assert b["first_step"] == a["first_step"] + a["steps"]
        assert b["t_start_s"] == pytest.approx(a["t_end_s"], rel=1e-12)
    assert segs[2]["t_end_s"] - segs[2]["t_start_s"] == pytest.approx(600.0, rel=1e-12)


def test_resume_inside_the_second_cycles_hold(reference: Path, tmp_path: Path) -> None:
    segs = json.loads((reference / "run.json").read_text())["segments"]
    cv2 = segs[5]
    assert (cv2["cycle"], cv2["step_type"]) == (2, "cv") and cv2["steps"] > 3
    n_fail = cv2["first_step"] + cv2["steps"] - 1  # the hold's last step
    cfg = config(tmp_path, "out")
    out = tmp_path / "out"
    failed = polycat(["run", str(cfg)], env={"POLYCAT_FAULT": f"solver:step={n_fail}:count=100"})
    assert failed.returncode != 0
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "failed" and f"step {n_fail}" in info["error"]
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["segment"]["n"] == 5 and not state["segment"]["done"]  # inside the hold
    assert read_csv(out / "summary.csv")[-1]["step_type"] == "cv"
    resumed = polycat(["run", "--resume", str(out)])
    assert resumed.returncode == 0, resumed.stderr
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "completed"
    ref = json.loads((reference / "run.json").read_text())["segments"]
    key = ("cycle", "step", "step_type", "first_step", "steps")
    assert [[s[k] for k in key] for s in info["segments"]] == [[s[k] for k in key] for s in ref]
    ends = [s["t_end_s"] for s in info["segments"]]
    assert ends == pytest.approx([s["t_end_s"] for s in ref], rel=1e-9)
    assert_same_summary(out, reference, rtol=1e-7)
    a, b = read_csv(out / "cycles.csv"), read_csv(reference / "cycles.csv")
    assert len(a) == len(b) == 2
    for x, y in zip(a, b, strict=True):
        for key in x:
            if x[key] != y[key]:
                assert float(x[key]) == pytest.approx(float(y[key]), rel=1e-7), key


def test_resume_after_a_surface_limit_stays_ended(tmp_path: Path) -> None:
    """A protocol whose 1C charge ends on the lattice table's end (extrapolate: stop)
    ends the run there, status surface_limit; --resume has nothing left to do and does
    not step on into the protocol's rest and discharge."""
    cfg = protocol_config(tmp_path, "out", {"model": "uniform_flux"}, soc_step=0.25)
    cfg["loading"] = {
        "protocol": [
            {"step": "cc", "direction": "charge", "c_rate": 1.0},
            {"step": "rest", "minutes": 10},
            {"step": "cc", "direction": "discharge", "c_rate": 1.0, "until": {"x": 0.8}},
        ],
        "report": {"soc_step": 0.25},
        "extrapolate": "stop",
    }
    path = write_yaml(tmp_path / "out.yaml", cfg)
    first = polycat(["run", str(path)])
    out = tmp_path / "out"
    info = json.loads((out / "run.json").read_text())
    assert info["status"] == "surface_limit", (first.stderr, info["status"])
    rows = read_csv(out / "summary.csv")
    assert {r["step_type"] for r in rows} == {"cc"} and float(rows[-1]["soc"]) < 1.0
    state = json.loads((out / "checkpoint" / "state.json").read_text())
    assert state["segment"]["stopped"] and not state["segment"]["done"]
    again = polycat(["run", "--resume", str(out)])
    assert "nothing left to resume" in again.stdout + again.stderr
    assert read_csv(out / "summary.csv") == rows
