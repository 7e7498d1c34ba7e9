"""Mesh objectivity of where a fast charge ends: the SOC at which the default polycrystal
(8 grains, bonded interfaces, P2) charged at 3C reaches the end of the NCM811 lattice
table (``extrapolate: stop``), a 4.25 V cut-off with the uniform flux, and the same
cut-off with Butler-Volmer kinetics, on three meshes.

    .venv/bin/python benchmarks/end_of_charge.py [--meshes 1.2 0.9 0.7] [--out DIR]

Prints a markdown table (mesh size, cells, x DOFs, the three end SOCs, wall per run) and
appends it to DIR/end_of_charge.csv. These are the numbers docs/verification.md
("Surface limit and cut-off voltage") quotes; tests/fem/test_surface_limit.py runs the
1.2 µm mesh.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from polycat.cli import main
from polycat.fileio import read_csv

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _table import emit_table

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "table_end": ({}, {"extrapolate": "stop"}),
    "cutoff_uniform": ({}, {"cutoff_V": 4.25}),
    "cutoff_bv": ({"model": "butler_volmer"}, {"cutoff_V": 4.25}),
}


def run_case(tmp: Path, h: float, name: str) -> tuple[float, dict[str, Any], float]:
    kinetics, loading = CASES[name]
    cfg = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text())
    cfg["geometry"].update(n_grains=8, mesh_size_um=h)
    cfg["interfaces"] = {"grain_boundary": {"model": "bonded"},
                         "cathode_electrolyte": {"model": "bonded"}}  # fmt: skip
    cfg["loading"].update(c_rate=3.0, report_soc=[0.25, 0.5, 0.75, 1.0], **loading)
    if kinetics:
        cfg["kinetics"] = kinetics
    out = tmp / f"{name}_{h:g}"
    cfg["output"] = {"dir": str(out), "mesh_dir": str(tmp / "meshes"), "plots": False,
                     "fields": False}  # fmt: skip
    path = tmp / f"{name}_{h:g}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    t = time.perf_counter()
    main(["run", str(path)])
    wall = time.perf_counter() - t
    rows = read_csv(out / "summary.csv")
    return float(rows[-1]["soc"]), json.loads((out / "run.json").read_text()), wall


def main_bench() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--meshes", type=float, nargs="+", default=[1.2, 0.9, 0.7])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for h in args.meshes:
            row: dict[str, Any] = {"mesh_um": h}
            walls = []
            for name in CASES:
                soc, run, wall = run_case(tmp, h, name)
                row[f"soc_{name}"] = f"{soc:.4f}"
                row["cells"] = run.get("dofs", {}).get("cells")
                row["x_dofs"] = run.get("dofs", {}).get("concentration")
                walls.append(f"{wall:.0f}")
            row["wall_s"] = "/".join(walls)
            rows.append(row)
    cols = ["mesh_um", "cells", "x_dofs", *(f"soc_{n}" for n in CASES), "wall_s"]
    emit_table(rows, cols, args.out / "end_of_charge.csv")


if __name__ == "__main__":
    main_bench()
