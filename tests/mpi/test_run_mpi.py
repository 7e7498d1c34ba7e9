"""A polycrystal run on 2 ranks writes the same summary.csv, boundaries.csv and grains.csv
as the same run on 1 rank (to solver tolerance). Run under mpiexec -n 2. The runs hold the
lattice table's end values (``loading.extrapolate: hold``), except the ``surface_limit``
case: there both end on the table's end, at the same SOC (the landing uses global x
extremes), and the ``cccv`` case, a Butler–Volmer constant-current charge to 4.2 V and a
hold there until C/10 (the landings use global reductions), and the ``cycles`` case, two
cycles of that CC–CV charge, a rest and a constant-current discharge to 3.6 V (the
summary, per-report tables and cycles.csv alike)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

from polycat.config import validate_config
from polycat.config.resolve import resolve
from polycat.errors import PhysicalEnd
from polycat.fileio import read_csv
from polycat.simulation import run

pytestmark = pytest.mark.timeout(600)

CASE = {
    "geometry": {"particle_radius_um": 2.0, "n_grains": 8, "seed": 3, "matrix": "box",
                 "matrix_size_um": 6.0, "mesh_size_um": 0.45},
    "orientation": {"texture": "random", "seed": 5},
    "loading": {"c_rate": 2.0, "report_soc": [0.5, 1.0], "extrapolate": "hold"},
    "mechanics": {"element_degree": 1},
    "solver": {"steps_per_report": 3, "ksp_rtol": 1e-10},
    "output": {"fields": False, "plots": False},
}  # fmt: skip


def _numbers(path: Path) -> tuple[list[str], np.ndarray]:
    rows = read_csv(path)
    # text, and round-off measures
    skip = ("kind", "name", "step_type", "mech_ksp_iterations", "mass_balance_error_max")
    keys = [k for k in rows[0] if k not in skip]
    vals = np.array(
        [[float(r[k]) if r[k] not in ("", "nan") else np.nan for k in keys] for r in rows]
    )
    return keys, vals


COHESIVE = {"grain_boundary": {"model": "cohesive"}, "cathode_electrolyte": {"model": "cohesive"}}


def _run(data: dict, comm: MPI.Comm) -> None:
    with contextlib.suppress(PhysicalEnd):  # an outcome: the SOCs reached are compared
        run(resolve(validate_config(data)), comm=comm)


CCCV = [
    {"step": "cc", "direction": "charge", "c_rate": 2.0, "until": {"voltage_V": 4.2}},
    {"step": "cv", "voltage_V": 4.2, "until": {"c_rate_below": 0.1}},
]

CYCLE = [
    *CCCV,
    {"step": "rest", "minutes": 10},
    {"step": "cc", "direction": "discharge", "c_rate": 2.0, "until": {"voltage_V": 3.6}},
]


@pytest.mark.parametrize("interfaces", ["bonded", "cohesive", "surface_limit", "cccv", "cycles"])
def test_two_ranks_match_one(mpi_tmp_path: Path, interfaces: str) -> None:
    """Bonded, and with cohesive GBs and CAM–SE interface (on 2 ranks the Krylov solve of
    the damaged split mesh may give way to the direct fallback: the same numbers)."""
    world = MPI.COMM_WORLD
    assert world.size == 2, "run this test under mpiexec -n 2"
    tmp = mpi_tmp_path
    data = dict(CASE, output=dict(CASE["output"], mesh_dir=str(tmp / "meshes")))
    if interfaces == "cohesive":
        data["interfaces"] = COHESIVE
    if interfaces == "surface_limit":
        data["loading"] = dict(CASE["loading"], extrapolate="stop", c_rate=6.0)
    if interfaces == "cccv":  # Butler-Volmer CC-CV: landings on voltage, SOC and current
        data["kinetics"] = {"model": "butler_volmer", "series_resistance_ohm_m2": 1e-3}
        data["loading"] = {"protocol": CCCV, "report": {"soc_step": 0.25}, "extrapolate": "hold"}
    if interfaces == "cycles":
        data["kinetics"] = {"model": "butler_volmer", "series_resistance_ohm_m2": 1e-3}
        data["loading"] = {"protocol": CYCLE, "cycles": 2, "report": {"soc_step": 0.25},
                           "extrapolate": "hold"}  # fmt: skip
    _run(dict(data, output=dict(data["output"], dir=str(tmp / "par"))), world)
    if world.rank == 0:
        _run(dict(data, output=dict(data["output"], dir=str(tmp / "ser"))), MPI.COMM_SELF)
    world.Barrier()
    if interfaces == "cohesive" and world.rank == 0:
        rows = read_csv(tmp / "ser" / "summary.csv")
        assert max(float(r["gb_damaged_area_fraction"]) for r in rows) > 0.1  # not vacuous
    if interfaces == "surface_limit" and world.rank == 0:
        rows = read_csv(tmp / "ser" / "summary.csv")
        assert 0.5 < float(rows[-1]["soc"]) < 1.0  # it did end on the limit
    if interfaces == "cccv" and world.rank == 0:
        rows = read_csv(tmp / "ser" / "summary.csv")
        assert [r["step_type"] for r in rows][-1] == "cv"  # the hold ran
        assert [r["step_type"] for r in read_csv(tmp / "par" / "summary.csv")] == [
            r["step_type"] for r in rows
        ]
    if interfaces == "cycles" and world.rank == 0:
        rows = read_csv(tmp / "ser" / "cycles.csv")
        assert [r["cycle"] for r in rows] == ["1", "2"] and float(rows[1]["coulombic_efficiency"])
    failures = []
    if world.rank == 0:
        tables = ["summary.csv", "boundaries.csv", "grains.csv"]
        for name in tables + (["cycles.csv"] if interfaces == "cycles" else []):
            keys, a = _numbers(tmp / "par" / name)
            _, b = _numbers(tmp / "ser" / name)
            if a.shape != b.shape:
                failures.append(f"{name}: shape {a.shape} on 2 ranks, {b.shape} on 1")
                continue
            for j, key in enumerate(keys):
                if not np.array_equal(np.isnan(a[:, j]), np.isnan(b[:, j])):
                    failures.append(f"{name}:{key} empty in one run only")
                    continue
                col_a, col_b = a[:, j][~np.isnan(a[:, j])], b[:, j][~np.isnan(b[:, j])]
                if col_b.size == 0:  # a column left empty by this model (e.g. cohesive ones)
                    continue
                err = np.max(np.abs(col_a - col_b)) / (np.max(np.abs(col_b)) + 1e-12)
                if err > 1e-6:
                    failures.append(f"{name}:{key} {err:.2e}")
    failures = world.bcast(failures)
    assert not failures, failures
