"""Solver performance of one case: wall per phase, iterations, memory; newcomer comparison.

    .venv/bin/python benchmarks/perf.py                          # default case, 1 and 2 ranks
    .venv/bin/python benchmarks/perf.py --ranks 2 --set geometry.mesh_size_um=0.4 --label h04
    .venv/bin/python benchmarks/perf.py --ranks 1 --newcomer none \
        --set solver.petsc_mechanics.pc_gamg_threshold=0.02
    .venv/bin/python benchmarks/perf.py --label before --solver-setting projection_size=0 \
        --solver-setting jacobian_lag_contraction=0      # the solver paths before issue 9

For each rank count the driver starts ``mpiexec -n N python -m mpi4py benchmarks/perf.py
--worker …``; the worker builds the run of the config (mesh cache reused; plots off) with
polycat's own ``Run``, steps it through the whole schedule and times every phase: mesh
(build or cache), load, setup (forms/JIT, operator, AMG set-up), diffusion and mechanics per
step, post (readers + field/CSV output). Every elasticity solve's CG iterations and wall
time are recorded. Then, on the final state, the same SOC step's mechanics is solved the way
a newcomer would write it from the DOLFINx tutorials — a fresh
``dolfinx.fem.petsc.LinearProblem`` (assemble A and b, ``preonly`` + LU (MUMPS), the
tutorials' options) — and compared with polycat's path: the answers (relative difference
of u, rigid modes removed) and the ratio of wall times. Prints a markdown table and appends
rows to ``benchmarks/out/perf.csv``; each worker also writes ``perf_<label>_<N>.json``.

For the bonded (p-multigrid) mechanics it also prints the roofline line
(``benchmarks/_roofline.py``): the STREAM-style triad bandwidth measured in the same run,
the bytes one CG iteration moves (from the operators' sizes and formats), the floor
bytes / bandwidth, the measured time per iteration and their ratio, and a check of the
product count against PETSc's logged flops. ``--log-view`` writes PETSc's ``-log_view``
with the stages diffusion, mechanics, mechanics KSP and report.

Timings on a shared machine are noisy: the driver prints the 1-minute load average before
each case; repeat and take the best or the median.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _roofline import TimedKSP, roofline_row, triad_bandwidth
from _table import emit_table

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "benchmarks" / "out"
COLUMNS = (
    "label", "ranks", "cells", "dofs_u", "dofs_x", "steps", "reports", "load1", "mesh_s",
    "load_s", "setup_s", "amg_setup_s", "diffusion_per_step_s", "mech_first_s",
    "mech_per_step_s", "mech_its_first", "mech_its_mean_after", "mech_its_max_after", "post_s",
    "total_s", "peak_rss_mb_per_rank", "newcomer_s", "polycat_cold_s", "speedup", "speedup_cold",
    "newcomer_rel_diff", "matrix_kind", "bandwidth_GBs", "mb_per_iteration", "floor_ms_per_it",
    "ms_per_it", "ratio_to_floor", "flops_model_over_log",
)  # fmt: skip


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# -- worker (runs under MPI) ----------------------------------------------------------------
def _newcomer_solve(model: Any, comm: Any) -> tuple[float, Any]:
    """Solve the current SOC step's mechanics as in the DOLFINx tutorials; (wall s, u)."""
    import dolfinx_solver  # noqa: F401

    from dolfinx.fem.petsc import LinearProblem

    el = model.elasticity
    opts: dict[str, Any] = {
        "ksp_type": "preonly",
        "pc_type": "lu",
        "pc_factor_mat_solver_type": "mumps",
    }
    if el.nullspace is not None:
        # A free particle's operator is singular: plain LU stops at a zero pivot, so the
        # newcomer also needs MUMPS' null-pivot detection to get an answer at all.
        opts["mat_mumps_icntl_24"] = 1
    comm.barrier()
    t0 = time.perf_counter()
    problem = LinearProblem(
        el.a_ufl, el.L_ufl, bcs=el.bcs, petsc_options=opts, petsc_options_prefix="newcomer_"
    )
    uh = problem.solve()
    comm.barrier()
    wall = time.perf_counter() - t0
    u = uh.x.petsc_vec.copy()  # type: ignore[union-attr]
    if el.nullspace is not None:
        el.nullspace.remove(u)
    del problem
    return wall, u


def _literal(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _stage_phases(run: Any, model: Any, PETSc: Any) -> None:
    """Run diffusion steps, mechanics solves and the reports (readers + output) in PETSc
    log stages of their own, for ``-log_view`` (the eigenstrain update and the time loop
    stay in the main stage)."""
    stages = {name: PETSc.Log.Stage(name) for name in ("diffusion", "mechanics", "report")}

    def staged(fn: Any, stage: Any) -> Any:
        def call(*a: Any, **k: Any) -> Any:
            stage.push()
            try:
                return fn(*a, **k)
            finally:
                stage.pop()

        return call

    model.diffusion.step = staged(model.diffusion.step, stages["diffusion"])
    el = model.elasticity
    el.solve = staged(el.solve, stages["mechanics"])  # RHS assembly + Krylov solve
    run.report = staged(run.report, stages["report"])


def worker(args: argparse.Namespace) -> int:
    import dataclasses
    import resource

    import dolfinx_solver  # noqa: F401
    from mpi4py import MPI

    import numpy as np

    from petsc4py import PETSc

    from polycat.config import load_config
    from polycat.config.resolve import resolve
    from polycat.fem.elasticity import ElasticitySolver
    from polycat.simulation.runner import RunSession

    comm = MPI.COMM_WORLD
    PETSc.Log.begin()  # per-event counts for the roofline check (and --log-view)
    bandwidth = triad_bandwidth(comm)
    overrides = [
        f"output.dir={OUT / f'perf_run_{args.label}_{comm.size}'}",
        "output.plots=false",
        *args.overrides,
    ]
    plan = resolve(load_config(args.config, overrides))
    if args.solver_settings:
        # SolverSettings fields that the config does not expose (benchmark A/B switches)
        extra = {k: _literal(v) for k, v in (item.split("=", 1) for item in args.solver_settings)}
        plan = dataclasses.replace(plan, solver=dataclasses.replace(plan.solver, **extra))
    t_start = time.perf_counter()
    run = RunSession(plan, comm)
    run.open_results(overwrite=True, resume=False)
    run.setup()
    assert run.problem is not None
    dof_counts = run.problem.dofs()
    model = run.problem.model
    el = model.elasticity
    solves: list[tuple[float, int]] = []
    solve = el.solve

    def timed_solve() -> Any:
        info = solve()
        solves.append((info.wall_s, info.ksp_iterations))
        return info

    el.solve = timed_solve  # type: ignore[method-assign]
    timed_ksp = TimedKSP(el.ksp, PETSc.Log.Stage("mechanics KSP"))
    if type(el) is ElasticitySolver:  # the bonded solver: its KSP is the iteration
        el.ksp = timed_ksp  # type: ignore[assignment]
    if args.log_view:
        _stage_phases(run, model, PETSc)
    run.execute()
    run.close()
    if el.ksp is timed_ksp:
        el.ksp = timed_ksp._ksp
    total = time.perf_counter() - t_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    peaks = comm.gather(round(peak, 1), root=0)

    row: dict[str, Any] = {}
    if args.newcomer == "lu":
        el.solve = solve  # type: ignore[method-assign]
        u_ref = el.u.x.petsc_vec.copy()
        # polycat's path for the same step from a cold start (no previous solutions)
        if el.projection is not None:
            el.projection.reset()
        el.u.x.petsc_vec.set(0.0)
        comm.barrier()
        t0 = time.perf_counter()
        el.solve()
        comm.barrier()
        cold = time.perf_counter() - t0
        t_new, u_new = _newcomer_solve(model, comm)
        diff = u_new.copy()
        diff.axpy(-1.0, u_ref)
        row.update(
            newcomer_s=round(t_new, 2),
            polycat_cold_s=round(cold, 2),
            speedup=round(t_new / max(solves[-1][0], 1e-9), 1),
            speedup_cold=round(t_new / cold, 1),
            newcomer_rel_diff=float(f"{diff.norm() / u_ref.norm():.2e}"),
        )
    w = run.record.timers.wall
    n_steps = len(run.record.diff_newton)
    its = [s[1] for s in solves]
    walls = [s[0] for s in solves]
    later = its[1:] or [0]
    row.update(
        {
            "label": args.label,
            "ranks": comm.size,
            "cells": dof_counts["cells"],
            "dofs_u": dof_counts["displacement"],
            "dofs_x": dof_counts["concentration"],
            "steps": n_steps,
            "reports": len(solves),
            "mesh_s": round(w.get("mesh", 0.0), 2),
            "load_s": round(w.get("load_mesh", 0.0), 2),
            "setup_s": round(w.get("setup", 0.0), 2),
            "amg_setup_s": round(el.setup_wall_s, 2),
            "diffusion_per_step_s": round(w.get("step_diffusion", 0.0) / max(n_steps, 1), 4),
            "mech_first_s": round(walls[0], 2) if walls else None,
            "mech_per_step_s": round(float(np.mean(walls[1:])), 3) if len(walls) > 1 else None,
            "mech_its_first": its[0] if its else None,
            "mech_its_mean_after": round(float(np.mean(later)), 1),
            "mech_its_max_after": max(later),
            "mech_its": its,
            "post_s": round(w.get("readers", 0.0) + w.get("output", 0.0), 2),
            "readers_s": round(w.get("readers", 0.0), 2),
            "diffusion_s": round(w.get("step_diffusion", 0.0), 2),
            "mechanics_s": round(w.get("step_mechanics", 0.0), 2),
            "total_s": round(total, 2),
            "peak_rss_mb_per_rank": max(peaks) if peaks else None,
            "newton_its": int(sum(run.record.diff_newton)),
            "jacobian_assemblies": model.diffusion.jacobian_assemblies,
        }
    )
    # The machine's bandwidth drifts with its neighbours' load: the best triad of before
    # and after the run is the floor (a conservative ratio).
    bandwidth = max(bandwidth, triad_bandwidth(comm))
    if timed_ksp.wall_s > 0.0:
        roof = roofline_row(el, timed_ksp, sum(its), comm, bandwidth)
        row.update(roof)
    else:
        row["bandwidth_GBs"] = round(bandwidth / 1e9, 1)
    if args.log_view:
        view = OUT / f"logview_{args.label}_{comm.size}.txt"
        PETSc.Log.view(PETSc.Viewer.ASCII(str(view), comm=comm))
        row["log_view"] = str(view.relative_to(ROOT))
    if comm.rank == 0:
        Path(args.json).write_text(json.dumps(row, indent=1))
        if not args.keep_fields:  # hundreds of MB per run; the CSV/JSON tables stay
            shutil.rmtree(plan.output.dir / "fields", ignore_errors=True)
    return 0


# -- driver ---------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "default.yaml"))
    ap.add_argument("--ranks", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--set", dest="overrides", action="append", default=[])
    ap.add_argument("--label", default="default")
    ap.add_argument("--newcomer", choices=("lu", "none"), default="lu")
    ap.add_argument(
        "--solver-setting",
        dest="solver_settings",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="SolverSettings field not in the config, e.g. projection_size=0",
    )
    ap.add_argument("--keep-fields", action="store_true", help="keep the runs' XDMF fields")
    ap.add_argument(
        "--log-view",
        action="store_true",
        help="write PETSc's -log_view (stages: diffusion, mechanics, report) per rank count",
    )
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--json", default="", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in args.ranks:
        js = OUT / f"perf_{args.label}_{n}.json"
        js.unlink(missing_ok=True)
        cmd = [str(BIN / "mpiexec"), "-n", str(n), str(BIN / "python"), "-m", "mpi4py",
               __file__, "--worker", "--json", str(js), "--config", args.config,
               "--label", args.label, "--newcomer", args.newcomer]  # fmt: skip
        if args.keep_fields:
            cmd.append("--keep-fields")
        if args.log_view:
            cmd.append("--log-view")
        for item in args.overrides:
            cmd += ["--set", item]
        for item in args.solver_settings:
            cmd += ["--solver-setting", item]
        load1 = os.getloadavg()[0]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not js.exists():
            print(proc.stderr[-3000:], file=sys.stderr)
            rows.append({"label": args.label, "ranks": n, "load1": round(load1, 2)})
            continue
        row = json.loads(js.read_text())
        row["load1"] = round(load1, 2)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print(f"\nmachine: {_cpu_model()}, {os.cpu_count()} cores, python {platform.python_version()}")
    emit_table(rows, COLUMNS, OUT / "perf.csv")
    return 0 if all("total_s" in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
