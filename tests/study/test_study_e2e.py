"""A real small study through the command line (2 parameters × 2 values × 2 seeds on
coarse meshes): stopped with SIGTERM, killed with SIGKILL part-way, resumed; no case runs
twice once completed, no result is lost, and the aggregated tables match the cases'
own summary.csv files.

Attempts are counted from the header line the study driver appends to each case's log
(``logs/<id>.log``) before it starts the case, and cross-checked with the case state
files; a completed case's run.json must be byte-identical after the reruns.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from polycat.fileio import read_csv

HERE = Path(__file__).resolve().parent
N_CASES = 8
HEADLINE = ("gb_risk_max", "delam_risk_max", "sigma_hoop_max_MPa")


def _jit_root() -> Path:
    """Per-slot JIT caches kept between test sessions (the slots are flock-exclusive, so
    concurrent sessions never share one) to keep this test fast after its first run."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "polycat" / "study-test-jit"


@pytest.fixture
def study_file(tmp_path: Path) -> Path:
    data = yaml.safe_load((HERE / "small.yaml").read_text())
    data["base"] = str(HERE / "small_base.yaml")
    data["jit_cache_dir"] = str(_jit_root())
    data["output"] = {"dir": str(tmp_path / "study")}
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _polycat(*args: str) -> list[str]:
    return [sys.executable, "-m", "polycat", *args]


def _states(root: Path) -> dict[str, dict[str, object]]:
    out = {}
    for p in (root / "state").glob("*.json"):
        try:
            out[p.stem] = json.loads(p.read_text())
        except ValueError:  # replaced atomically, but be safe while polling
            continue
    return out


def _completed(root: Path) -> set[str]:
    done = set()
    for p in (root / "cases").glob("*/run.json"):
        try:
            if json.loads(p.read_text()).get("status") == "completed":
                done.add(p.parent.name)
        except ValueError:
            continue
    return done


def _attempts(root: Path, cid: str) -> int:
    log = root / "logs" / f"{cid}.log"
    return log.read_text().count("#### polycat study: attempt") if log.exists() else 0


def _start(cmd: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as fh:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )


def _wait_until(
    proc: subprocess.Popen[bytes], cond: Callable[[], bool], timeout: float, what: str
) -> None:
    t0 = time.monotonic()
    while not cond():
        if proc.poll() is not None:
            pytest.fail(f"the study ended (exit {proc.returncode}) before {what}")
        if time.monotonic() - t0 > timeout:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead too
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def test_study_stop_kill_resume(study_file: Path, tmp_path: Path) -> None:
    root = tmp_path / "study"
    out = tmp_path / "driver.log"
    cmd = _polycat("study", str(study_file))

    # 1. SIGTERM to the driver alone while cases run: children stopped, exit 128 + 15
    proc = _start(cmd, tmp_path, out)
    _wait_until(
        proc,
        lambda: sum(s.get("status") == "running" for s in _states(root).values()) >= 1,
        120,
        "a case to start",
    )
    time.sleep(1.0)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM, out.read_text()[-3000:]
    stopped = _states(root)
    assert stopped
    for cid, st in stopped.items():
        pid = st.get("pid")
        assert isinstance(pid, int) and not _alive(pid), f"case {cid} left running"
        if cid not in _completed(root):
            assert st["status"] == "interrupted", st

    # 2. rerun, SIGKILL the whole process group once some cases completed and some run
    proc = _start(cmd, tmp_path, out)

    def some_done_one_just_started() -> bool:
        # a case whose state file was written (at its start) under a second ago cannot have
        # finished yet (importing DOLFINx alone takes longer): it is surely killed mid-run
        done = _completed(root)
        fresh = [
            p
            for p in (root / "state").glob("*.json")
            if p.stem not in done and time.time() - p.stat().st_mtime < 1.0
        ]
        return len(done) >= 3 and any(
            _states(root).get(p.stem, {}).get("status") == "running" for p in fresh
        )

    _wait_until(proc, some_done_one_just_started, 300, "3 completed cases and 1 running")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    done_before = _completed(root)
    attempts_before = {cid: _attempts(root, cid) for cid in _states(root)}
    run_json_before = {cid: (root / "cases" / cid / "run.json").read_bytes() for cid in done_before}
    in_flight = {
        c for c, s in _states(root).items() if s.get("status") == "running" and c not in done_before
    }
    assert in_flight

    # 3. resume to the end
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=400)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-4000:]
    assert f"{N_CASES} cases: {N_CASES} completed" in res.stdout
    ids = [r["case_id"] for r in read_csv(root / "cases.csv")]
    assert len(ids) == N_CASES
    assert _completed(root) == set(ids)
    states = _states(root)
    for cid in ids:
        n = _attempts(root, cid)
        assert states[cid]["attempts"] == n
        if cid in done_before:  # finished before the kill: never started again
            assert n == attempts_before[cid]
            assert (root / "cases" / cid / "run.json").read_bytes() == run_json_before[cid]
        elif cid in in_flight:  # killed while running: restarted once, from scratch
            assert n == attempts_before[cid] + 1
        else:
            assert n == attempts_before.get(cid, 0) + 1
    # 4. a third invocation has nothing to do
    res = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0
    assert all(_attempts(root, cid) == states[cid]["attempts"] for cid in ids)

    _check_tables(root, ids)
    status = subprocess.run(
        [*cmd, "--status"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert status.returncode == 0
    assert status.stdout.count(" completed ") == N_CASES
    assert status.stdout.strip().endswith(
        f"{N_CASES} cases: {N_CASES} completed, 0 running, 0 pending, 0 failed, 0 interrupted"
    )


def _check_tables(root: Path, ids: list[str]) -> None:
    cases = {r["case_id"]: r for r in read_csv(root / "cases.csv")}
    per_case = {cid: read_csv(root / "cases" / cid / "summary.csv") for cid in ids}
    socs = [float(r["soc"]) for r in per_case[ids[0]]]
    assert socs == [0.5, 1.0]
    rows = read_csv(root / "study.csv")
    assert len(rows) == N_CASES * len(socs)
    for r in rows:
        own = next(x for x in per_case[r["case_id"]] if x["soc"] == r["soc"])
        assert {k: r[k] for k in own} == own
        meta = cases[r["case_id"]]
        assert r["geometry.n_grains"] == meta["geometry.n_grains"]
        assert r["orientation.texture"] == meta["orientation.texture"]
        assert r["seed"] == meta["seed"] and r["status"] == "completed"
    summary = read_csv(root / "study_summary.csv")
    assert len(summary) == 4 * len(socs)
    for s in summary:
        members = [
            cid
            for cid, meta in cases.items()
            if meta["geometry.n_grains"] == s["geometry.n_grains"]
            and meta["orientation.texture"] == s["orientation.texture"]
        ]
        assert sorted(s["case_ids"].split()) == sorted(members)
        assert int(s["n"]) == 2
        for col in HEADLINE:
            xs = np.array(
                [
                    float(x[col])
                    for cid in members
                    for x in per_case[cid]
                    if math.isclose(float(x["soc"]), float(s["soc"]))
                ]
            )
            assert xs.size == 2 and np.all(np.isfinite(xs))
            assert float(s[f"{col}_mean"]) == pytest.approx(xs.mean(), rel=1e-9)
            assert float(s[f"{col}_std"]) == pytest.approx(xs.std(ddof=1), rel=1e-8, abs=1e-12)
            assert float(s[f"{col}_min"]) == pytest.approx(xs.min(), rel=1e-9)
            assert float(s[f"{col}_max"]) == pytest.approx(xs.max(), rel=1e-9)
    for name in ("vs_geometry_n_grains", "vs_orientation_texture", "vs_soc"):
        png = root / "plots" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
