"""Ctrl-C on a running study (SIGINT to the terminal's whole process group: the driver and
its cases alike) marks the running cases *interrupted*, not failed, says so, exits with
128 + 2, and a rerun finishes them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def _log_has(root: Path, text: str) -> int:
    return sum(text in p.read_text(errors="replace") for p in (root / "logs").glob("*.log"))


def test_ctrl_c_marks_running_cases_interrupted(tmp_path: Path) -> None:
    data = yaml.safe_load((HERE / "small.yaml").read_text())
    data.update(
        base=str(HERE / "small_base.yaml"),
        vary={"grid": {"orientation.texture": ["random", "radial"]}},
        max_parallel=2,
        output={"dir": str(tmp_path / "study")},
    )
    data.pop("seeds")  # one case per texture
    study = tmp_path / "s.yaml"
    study.write_text(yaml.safe_dump(data))
    root = tmp_path / "study"
    cmd = [sys.executable, "-m", "polycat", "study", str(study)]
    env = {**os.environ, "POLYCAT_FAULT": "sleep:step=2:ms=60000"}  # holds both cases
    proc = subprocess.Popen(
        cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        # both cases in the sleep before step 2 (the forms compiled; Ctrl-C during a JIT
        # compilation kills the compiler too, which also counts as interrupted)
        while not (root / "logs").is_dir() or _log_has(root, "polycat step 1/") < 2:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the cases did not start in time"
            time.sleep(0.2)
        time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 128 + signal.SIGINT, stdout + stderr
    assert "Traceback" not in stderr, stderr
    assert "interrupted by SIGINT" in stderr, stderr
    assert "2 cases: 0 completed, 0 running, 0 pending, 0 failed, 2 interrupted" in stdout
    for state in (root / "state").glob("*.json"):
        st = json.loads(state.read_text())
        assert st["status"] == "interrupted", st
        assert "SIGINT" in st["error"], st
        run = json.loads((root / "cases" / state.stem / "run.json").read_text())
        assert run["status"] == "interrupted", run  # the case stopped cleanly itself
    counts = json.loads((root / "study.json").read_text())["counts"]
    assert counts["interrupted"] == 2 and counts["failed"] == 0

    rerun = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=400)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-3000:]
    assert "2 cases: 2 completed" in rerun.stdout
