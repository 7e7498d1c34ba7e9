"""The study machinery without the solver: the local pool (with a stand-in for
``polycat run`` that writes a run's marker files), failure recording, resumption, JIT-cache
slots, the SLURM job-array script, sbatch/squeue handling and the aggregated numbers.

The end-to-end test with real runs is test_study_e2e.py."""

from __future__ import annotations

import json
import math
import os
import stat
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from polycat.fileio import read_csv
from polycat.study import aggregate, load_study, run_local_study, statuses, submit_slurm_study
from polycat.study.expand import Case, Study
from polycat.study.slurm import parse_array_ids, write_sbatch
from polycat.study.state import SlotLock, attempts_in_log, clean_stale_jit, config_path

HERE = Path(__file__).resolve().parent
BASE = yaml.safe_load((HERE / "small_base.yaml").read_text())

# A stand-in for `polycat run CONFIG --out DIR`: writes summary.csv (values that depend on
# the config and SOC) and run.json like a run does; "fails" (exit 1, run.json failed)
# when the config has c_rate 3.
FAKE_RUN = textwrap.dedent(
    """
    import json, sys, yaml
    from pathlib import Path
    cfg = yaml.safe_load(Path(sys.argv[1]).read_text())
    out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
    n, seed, rate = cfg["geometry"]["n_grains"], cfg["geometry"]["seed"], cfg["loading"]["c_rate"]
    if rate == 3:
        failed = {"status": "failed", "error": "SolverError: boom"}
        (out / "run.json").write_text(json.dumps(failed))
        sys.exit(1)
    rows = ["soc,gb_risk_max,delam_risk_max,sigma_hoop_max_MPa,extra_col"]
    for soc in cfg["loading"]["report_soc"]:
        rows.append(f"{soc},{0.1 * n * soc + 0.01 * seed},{rate * soc},{100 * n + seed},{seed}")
    (out / "summary.csv").write_text("\\n".join(rows) + "\\n")
    (out / "run.json").write_text(json.dumps({"status": "completed", "error": None}))
    """
)


def fake_command(tmp: Path) -> Any:
    script = tmp / "fake_run.py"
    script.write_text(FAKE_RUN)

    def command(root: Path, case: Case) -> list[str]:
        return [
            sys.executable,
            str(script),
            str(config_path(root, case.id)),
            case.config.output.dir,
        ]

    return command


def make_study(tmp: Path, **extra: Any) -> Study:
    (tmp / "base.yaml").write_text(yaml.safe_dump(BASE))
    data = {
        "base": "base.yaml",
        "vary": {"grid": {"geometry.n_grains": [2, 4], "loading.c_rate": [1.0, 3.0]}},
        "seeds": 2,
        "max_parallel": 2,
        "output": {"dir": str(tmp / "study")},
        **extra,
    }
    (tmp / "s.yaml").write_text(yaml.safe_dump(data))
    return load_study(tmp / "s.yaml")


def test_pool_records_failures_and_never_reruns_completed(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    cmd = fake_command(tmp_path)
    assert run_local_study(study, command=cmd) == 1  # the c_rate 3 cases fail
    sts = statuses(study)
    failed = {c.id for c in study.cases if c.values["loading.c_rate"] == 3.0}
    assert {cid for cid, st in sts.items() if st.status == "failed"} == failed
    assert all(sts[c].error == "SolverError: boom" for c in failed)
    assert all(sts[c.id].status == "completed" for c in study.cases if c.id not in failed)
    # the failure is in the study table, with its error
    rows = read_csv(study.dir / "study.csv")
    assert {r["error"] for r in rows if r["case_id"] in failed} == {"SolverError: boom"}
    state = json.loads((study.dir / "study.json").read_text())
    assert state["counts"] == {
        "pending": 0,
        "running": 0,
        "completed": 4,
        "failed": 4,
        "interrupted": 0,
    }
    # a rerun retries only the failed cases
    assert run_local_study(study, command=cmd) == 1
    for c in study.cases:
        assert attempts_in_log(study.dir, c.id) == (2 if c.id in failed else 1)
    # each slot's JIT cache is its own
    assert sorted(p.name for p in (study.dir / "jit").iterdir() if p.is_dir()) == [
        "slot-0",
        "slot-1",
    ]


def test_tables_match_case_summaries(tmp_path: Path) -> None:
    study = make_study(tmp_path, vary={"grid": {"geometry.n_grains": [2, 4]}}, seeds=3)
    assert run_local_study(study, command=fake_command(tmp_path)) == 0
    rows = read_csv(study.dir / "study.csv")
    assert len(rows) == len(study.cases) * len(BASE["loading"]["report_soc"])
    for r in rows:
        case = read_csv(study.dir / "cases" / r["case_id"] / "summary.csv")
        own = next(x for x in case if x["soc"] == r["soc"])
        assert all(r[k] == v for k, v in own.items())
        assert r["status"] == "completed" and r["error"] == ""
    summary = read_csv(study.dir / "study_summary.csv")
    assert len(summary) == 2 * len(BASE["loading"]["report_soc"])
    for s in summary:
        ids = s["case_ids"].split()
        assert int(s["n"]) == len(ids) == 3
        for col in ("gb_risk_max", "delam_risk_max", "sigma_hoop_max_MPa"):
            xs = np.array(
                [
                    float(x[col])
                    for cid in ids
                    for x in read_csv(study.dir / "cases" / cid / "summary.csv")
                    if math.isclose(float(x["soc"]), float(s["soc"]))
                ]
            )
            assert xs.size == 3
            assert float(s[f"{col}_mean"]) == pytest.approx(xs.mean(), rel=1e-9, abs=1e-12)
            assert float(s[f"{col}_std"]) == pytest.approx(xs.std(ddof=1), rel=1e-9, abs=1e-12)
            assert float(s[f"{col}_min"]) == pytest.approx(xs.min(), rel=1e-9)
            assert float(s[f"{col}_max"]) == pytest.approx(xs.max(), rel=1e-9)
    assert "extra_col_mean" not in summary[0]  # only the listed quantities are aggregated
    pngs = sorted(p.name for p in (study.dir / "plots").glob("*.png"))
    assert pngs == ["vs_geometry_n_grains.png", "vs_soc.png"]
    # aggregate again from disk alone gives the same tables
    before = (study.dir / "study_summary.csv").read_text()
    aggregate(study)
    assert (study.dir / "study_summary.csv").read_text() == before


def test_slot_lock_is_exclusive_and_cleans_stale_modules(tmp_path: Path) -> None:
    a = SlotLock(tmp_path)
    b = SlotLock(tmp_path)
    assert (a.index, b.index) == (0, 1)
    a.release()
    cache = tmp_path / "slot-0" / "fenics"
    cache.mkdir(parents=True)
    for name in ("done.c", "done.c.cached", "done.so", "half.c", "half.o"):
        (cache / name).write_text("")
    c = SlotLock(tmp_path)  # reuses the free slot 0 and drops the unfinished module
    assert c.index == 0
    assert sorted(p.name for p in cache.iterdir()) == ["done.c", "done.c.cached", "done.so"]
    assert clean_stale_jit(cache) == []
    b.release()
    c.release()


def _executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_sbatch_script(tmp_path: Path) -> None:
    study = make_study(
        tmp_path,
        ranks_per_case=4,
        slurm={
            "partition": "compute",
            "time_limit": "00:30:00",
            "extra": ["--account=abc", "#SBATCH --qos=debug"],
            "setup": ["module load gcc"],
            "launch": "srun",
        },
    )
    script, listing = write_sbatch(study, study.cases[:5], max_parallel=3, python="/venv/python")
    text = script.read_text()
    assert listing.read_text().split() == [c.id for c in study.cases[:5]]
    for line in (
        "#SBATCH --array=0-4%3",
        "#SBATCH --ntasks=4",
        "#SBATCH --partition=compute",
        "#SBATCH --time=00:30:00",
        "#SBATCH --account=abc",
        "#SBATCH --qos=debug",
        "module load gcc",
    ):
        assert line in text.splitlines(), line
    task = text.strip().splitlines()[-1]
    assert task.startswith("/venv/python -m polycat.study.task ")
    assert '--index "$SLURM_ARRAY_TASK_ID"' in task
    assert "--ranks 4 --launch srun" in task


def test_parse_squeue_and_sacct_lines() -> None:
    text = "77_3 RUNNING\n77_[4-6%2] PENDING\n77_[8,10-11] PENDING\n78_1 RUNNING\n"
    got = parse_array_ids("77", text)
    assert got == {3: "RUNNING", 4: "PENDING", 5: "PENDING", 6: "PENDING", 8: "PENDING"} | {
        10: "PENDING",
        11: "PENDING",
    }
    assert parse_array_ids("77", "77_0|COMPLETED\n77_1|CANCELLED by 0\n") == {
        0: "COMPLETED",
        1: "CANCELLED",
    }


def test_submit_and_status_through_slurm_clients(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sbatch/squeue stand-ins (shell scripts) check the calls polycat makes and answer
    like SLURM does; the cases then run as the array tasks would (task module)."""
    study = make_study(tmp_path, vary={"grid": {"geometry.n_grains": [2, 4]}}, seeds=1)
    calls = tmp_path / "calls.txt"
    sbatch = _executable(
        tmp_path / "sbatch", f'#!/bin/sh\necho "$@" >> {calls}\necho "4242;cluster"\n'
    )
    queue = tmp_path / "queue.txt"
    queue.write_text("4242_[0-1] PENDING\n")
    squeue = _executable(tmp_path / "squeue", f'#!/bin/sh\necho "$@" >> {calls}\ncat {queue}\n')
    monkeypatch.setenv("POLYCAT_SBATCH", str(sbatch))
    monkeypatch.setenv("POLYCAT_SQUEUE", str(squeue))
    monkeypatch.setenv("POLYCAT_SACCT", str(tmp_path / "no-sacct"))
    assert submit_slurm_study(study) == "4242"
    assert f"--parsable {study.dir / 'slurm' / 'study.sbatch'}" in calls.read_text()
    jobs = json.loads((study.dir / "study.json").read_text())["slurm_jobs"]
    assert [j["job_id"] for j in jobs] == ["4242"]
    assert {st.status for st in statuses(study).values()} == {"pending"}
    assert submit_slurm_study(study) is None  # everything is queued: nothing resubmitted
    # task 0 runs (as the array task would), task 1 is running
    from polycat.study import task

    queue.write_text("4242_1 RUNNING\n")
    listing = jobs[0]["cases_file"]
    fake = fake_command(tmp_path)(study.dir, study.cases[0])
    monkeypatch.setattr("polycat.study.launch.case_command", lambda *a, **k: fake)
    assert task.main([str(study.dir), "--cases", listing, "--index", "0"]) == 0
    sts = statuses(study)
    assert [sts[c.id].status for c in study.cases] == ["completed", "running"]
    # task 1 ended without a result (e.g. the node died): failed, resubmitted alone
    queue.write_text("")
    sts = statuses(study)
    assert sts[study.cases[1].id].status == "failed"
    assert "without a result" in sts[study.cases[1].id].error
    assert submit_slurm_study(study) == "4242"
    jobs = json.loads((study.dir / "study.json").read_text())["slurm_jobs"]
    assert Path(jobs[-1]["cases_file"]).read_text().split() == [study.cases[1].id]
    # a completed case's task does nothing
    assert task.main([str(study.dir), "--cases", listing, "--index", "0"]) == 0
    assert attempts_in_log(study.dir, study.cases[0].id) == 1


def test_sbatch_missing_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from polycat.config import ConfigError

    study = make_study(tmp_path, seeds=1)
    monkeypatch.setenv("POLYCAT_SBATCH", str(tmp_path / "nope" / "sbatch"))
    monkeypatch.setenv("PATH", os.defpath)
    with pytest.raises(ConfigError, match="not found"):
        submit_slurm_study(study)
