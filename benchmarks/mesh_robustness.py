"""Robustness and speed of the particle mesher over grain counts and seeds.

For every N in --grains and seed in --seeds (box matrix, R = 5 µm) the mesh folder is
built in a subprocess (so a crash or hang in Gmsh is recorded, not fatal) and the outcome
is recorded: success or the GeometryError message, wall time, element count, min gamma,
min SICN and the number of elements with SICN < 0.1. Writes one CSV row per build and
prints a markdown table aggregated per N (and per regularisation setting).

Mesh-size rule: h = min(R/8, d/2.5), d = (V/N)^(1/3) the mean seed spacing, i.e. R/8 up to
N ≈ 130 and a grain about 2.5 elements across beyond.

    python benchmarks/mesh_robustness.py --out results/bench/mesh_robustness.csv
    python benchmarks/mesh_robustness.py --timing      # 50 grains in a box at h = R/8
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

RADIUS = 5.0
FIELDS = [
    "n_grains",
    "seed",
    "mesh_size_um",
    "regularize",
    "regularize_used",
    "status",
    "wall_s",
    "n_tets",
    "min_gamma",
    "min_sicn",
    "n_sicn_lt_0.1",
    "min_model_curve_um",
    "min_edge_before_um",
    "min_edge_after_um",
    "occ_s",
    "mesh_s",
    "error",
]


def mesh_size(n_grains: int, radius: float = RADIUS) -> float:
    """The benchmark's element size (µm): min(R/8, d/2.5), d the mean seed spacing."""
    spacing = (4.0 / 3.0 * math.pi * radius**3 / n_grains) ** (1.0 / 3.0)
    return round(min(radius / 8.0, spacing / 2.5), 4)


def build_one(n_grains: int, seed: int, regularize: float) -> dict[str, Any]:
    """Build one mesh folder (in this process) and summarise it."""
    from polycat.geometry import GeometryError, GeometrySpec, build_mesh_folder

    h = mesh_size(n_grains)
    spec = GeometrySpec(
        particle_radius_um=RADIUS,
        n_grains=n_grains,
        seed=seed,
        mesh_size_um=h,
        regularize=regularize,
        matrix="box",
        matrix_size_um=3.0 * RADIUS,
    )
    row: dict[str, Any] = {
        "n_grains": n_grains,
        "seed": seed,
        "mesh_size_um": h,
        "regularize": regularize,
    }
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            folder = build_mesh_folder(spec, Path(tmp) / "mesh")
        except GeometryError as exc:
            row.update(status="fail", error=str(exc), wall_s=time.perf_counter() - t0)
            return row
        info = json.loads((folder / "info.json").read_text())
    t = info["timings_s"]
    q = info["quality"]
    tess = info["tessellation"]
    row.update(
        status="ok",
        wall_s=time.perf_counter() - t0,
        n_tets=info["element_counts"]["3"],
        min_gamma=q["gamma"]["min"],
        min_sicn=q["sicn"]["min"],
        **{"n_sicn_lt_0.1": q["n_sicn_below_0.1"]},
        min_model_curve_um=tess["min_model_curve_um"],
        regularize_used=tess["regularize_used"],
        min_edge_before_um=tess["min_edge_before_um"],
        min_edge_after_um=tess["min_edge_after_um"],
        occ_s=t.get("occ_faces_s", 0) + t.get("occ_grains_s", 0) + t.get("occ_matrix_s", 0),
        mesh_s=t.get("mesh_2d_s", 0) + t.get("mesh_3d_s", 0),
        error="",
    )
    return row


def run_isolated(n_grains: int, seed: int, regularize: float, timeout: float) -> dict[str, Any]:
    """`build_one` in a subprocess; a crash or timeout becomes a failure row."""
    cmd = [sys.executable, __file__, "--one", json.dumps([n_grains, seed, regularize])]
    base = {"n_grains": n_grains, "seed": seed, "mesh_size_um": mesh_size(n_grains)}
    base["regularize"] = regularize
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {**base, "status": "timeout", "wall_s": timeout, "error": f"> {timeout} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return {
        **base,
        "status": "crash",
        "wall_s": time.perf_counter() - t0,
        "error": f"exit {proc.returncode}: {' | '.join(tail)}",
    }


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """Aggregate rows per (regularize, N)."""
    head = (
        "| regularize | N | h (µm) | ok / runs | wall s (median / max) | tets (median) | "
        "min gamma (worst / median) | min SICN (worst / median) | "
        "# SICN<0.1 (mean / max) | min curve µm (median) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
    )
    lines = []
    keys = sorted({(float(r["regularize"]), int(r["n_grains"])) for r in rows})
    for reg, n in keys:
        group = [r for r in rows if float(r["regularize"]) == reg and int(r["n_grains"]) == n]
        ok = [r for r in group if r["status"] == "ok"]
        if ok:
            walls = [float(r["wall_s"]) for r in ok]
            gam = [float(r["min_gamma"]) for r in ok]
            sic = [float(r["min_sicn"]) for r in ok]
            poor = [int(r["n_sicn_lt_0.1"]) for r in ok]
            curve = [float(r["min_model_curve_um"]) for r in ok]
            cells = (
                f"{statistics.median(walls):.1f} / {max(walls):.1f} | "
                f"{int(statistics.median(int(r['n_tets']) for r in ok))} | "
                f"{min(gam):.3f} / {statistics.median(gam):.3f} | "
                f"{min(sic):.3f} / {statistics.median(sic):.3f} | "
                f"{statistics.mean(poor):.1f} / {max(poor)} | {statistics.median(curve):.3f}"
            )
        else:
            cells = "– | – | – | – | – | –"
        lines.append(f"| {reg:g} | {n} | {mesh_size(n):g} | {len(ok)} / {len(group)} | {cells} |")
    failures = [r for r in rows if r["status"] != "ok"]
    fallbacks = [
        r
        for r in rows
        if r["status"] == "ok" and float(r["regularize_used"]) != float(r["regularize"])
    ]
    text = head + "\n".join(lines) + "\n"
    if fallbacks:
        text += "\nFell back to a smaller regularisation:\n" + "\n".join(
            f"- N={r['n_grains']} seed={r['seed']}: regularize {r['regularize']} -> "
            f"{r['regularize_used']}"
            for r in fallbacks
        )
    if failures:
        text += "\nFailures:\n" + "\n".join(
            f"- N={r['n_grains']} seed={r['seed']} regularize={r['regularize']}: "
            f"{r['status']}: {r.get('error', '')}"
            for r in failures
        )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grains", default="1,5,20,50,100,200")
    parser.add_argument("--seeds", default="1-10", help="e.g. 1-10 or 1,2,5")
    parser.add_argument("--regularize", default="0.5", help="comma-separated values")
    parser.add_argument("--timeout", type=float, default=600.0, help="per build, s")
    parser.add_argument("--out", type=Path, default=Path("mesh_robustness.csv"))
    parser.add_argument("--timing", action="store_true", help="only time 50 grains, h = R/8")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        n, seed, reg = json.loads(args.one)
        print(json.dumps(build_one(int(n), int(seed), float(reg))), flush=True)
        return 0
    if args.timing:
        return _timing()
    grains = [int(x) for x in args.grains.split(",")]
    if "-" in args.seeds:
        lo, hi = (int(x) for x in args.seeds.split("-"))
        seeds = list(range(lo, hi + 1))
    else:
        seeds = [int(x) for x in args.seeds.split(",")]
    regs = [float(x) for x in args.regularize.split(",")]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    with args.out.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for reg in regs:
            for n in grains:
                for seed in seeds:
                    row = run_isolated(n, seed, reg, args.timeout)
                    rows.append(row)
                    writer.writerow(row)
                    fh.flush()
                    print(
                        f"reg={reg:g} N={n:4d} seed={seed:2d} {row['status']:7s} "
                        f"{float(row['wall_s']):6.1f} s  tets={row.get('n_tets', '-')}  "
                        f"minSICN={row.get('min_sicn', '-')}  poor={row.get('n_sicn_lt_0.1', '-')}",
                        flush=True,
                    )
    print()
    print(markdown_table(rows))
    return 0


def _timing() -> int:
    """Time 50 grains in a box at h = R/8 (seed 1), with the per-phase breakdown."""
    from polycat.geometry import GeometrySpec, build_mesh_folder

    spec = GeometrySpec(n_grains=50, seed=1, mesh_size_um=RADIUS / 8.0, matrix="box")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        folder = build_mesh_folder(spec, Path(tmp) / "mesh")
        wall = time.perf_counter() - t0
        info = json.loads((folder / "info.json").read_text())
    print(f"50 grains, box, h = R/8 = {RADIUS / 8:g} µm: {wall:.1f} s wall")
    print(f"elements: {info['element_counts']}")
    print(f"quality: {json.dumps(info['quality'])}")
    for phase, seconds in info["timings_s"].items():
        print(f"  {phase:16s} {seconds:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
