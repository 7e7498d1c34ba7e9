"""Benchmark whole runs: wall time per phase, DOFs, iterations, peak memory per rank.

    .venv/bin/python benchmarks/bench.py                        # default case, 1 and 2 ranks
    .venv/bin/python benchmarks/bench.py --cohesive --label cohesive   # issue 14: vs bonded
    .venv/bin/python benchmarks/bench.py --ranks 1 2 4 --set geometry.n_grains=100 \
        --set geometry.mesh_size_um=0.3 --label big

Each case runs `polycat run` under `mpiexec -n N` in a fresh results directory (the mesh
cache is kept, so meshing is timed only on the first run of a geometry) and reads its
run.json. Prints a markdown table and appends the rows to benchmarks/out/bench.csv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _table import emit_table

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
COLUMNS = (
    "label", "ranks", "cells", "dofs_u", "dofs_x", "steps", "reports", "mesh_s", "load_s",
    "setup_s", "diffusion_s", "mechanics_s", "per_report_mech_s", "readers_s", "output_s",
    "total_s", "mech_solves", "mech_newton_mean", "mech_its_mean", "mech_its_max",
    "peak_rss_mb_per_rank", "status",
)  # fmt: skip


def run_case(config: Path, ranks: int, overrides: list[str], label: str, out: Path) -> dict:
    if out.exists():
        shutil.rmtree(out)
    cmd = [str(BIN / "mpiexec"), "-n", str(ranks), str(BIN / "python"), "-m", "mpi4py",
           "-m", "polycat", "run", str(config), "--out", str(out)]  # fmt: skip
    for item in overrides:
        cmd += ["--set", item]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
    info = json.loads((out / "run.json").read_text()) if (out / "run.json").exists() else {}
    w = info.get("wall_s", {})
    its = info.get("solver", {}).get("mechanics_ksp_iterations", []) or [0]
    newton = info.get("solver", {}).get("mechanics_newton_iterations", []) or [0]
    n_rep = max(1, len(info.get("reported_soc", [])))
    dofs = info.get("dofs") or {}
    return {
        "label": label, "ranks": ranks, "cells": dofs.get("cells"),
        "dofs_u": dofs.get("displacement"), "dofs_x": dofs.get("concentration"),
        "steps": info.get("solver", {}).get("time_steps"), "reports": n_rep,
        "mesh_s": w.get("mesh"), "load_s": w.get("load_mesh"), "setup_s": w.get("setup"),
        "diffusion_s": w.get("step_diffusion"), "mechanics_s": w.get("step_mechanics"),
        "per_report_mech_s": round(w.get("step_mechanics", 0.0) / n_rep, 3),
        "readers_s": w.get("readers"), "output_s": round(w.get("output", 0) + w.get("plots", 0), 3),
        "total_s": round(wall, 2), "mech_solves": len(newton),
        "mech_newton_mean": round(sum(newton) / len(newton), 2),
        "mech_its_mean": round(sum(its) / len(its), 1),
        "mech_its_max": max(its),
        "peak_rss_mb_per_rank": max(info.get("peak_rss_mb_per_rank") or [peak_kb / 1024]),
        "status": info.get("status", f"exit {proc.returncode}"),
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "default.yaml"))
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--label", default="default")
    ap.add_argument(
        "--cohesive",
        action="store_true",
        help="cohesive grain boundaries and CAM–SE interface (issue 14's comparison)",
    )
    args = ap.parse_args()
    if args.cohesive:
        args.overrides += [
            "interfaces.grain_boundary.model=cohesive",
            "interfaces.cathode_electrolyte.model=cohesive",
        ]
    out_dir = ROOT / "benchmarks" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.ranks:
        rows.append(
            run_case(
                Path(args.config), n, args.overrides, args.label, out_dir / f"run_{args.label}_{n}"
            )
        )
        print(json.dumps(rows[-1]), flush=True)
    print(f"\nmachine: {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, python {platform.python_version()}")  # fmt: skip
    emit_table(rows, COLUMNS, out_dir / "bench.csv")
    return 0 if all(r["status"] == "completed" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
