"""Protocols of many steps: charge, rest, discharge, rest, repeated (docs/verification.md,
"Cycles").

The small NCM811 polycrystal (3 grains, 2 µm mesh, P1, bonded and elastic, uniform flux)
is charged at 1C from x = 0.8 to x = 0.4, rested 4 h (≈ 17 diffusion times R²/(π² D)),
discharged at 1C back to x = 0.8 and rested again; twice. Checked:

- reversibility: the second cycle starts from the relaxed state the first started from,
  so every report of cycle 2 repeats its cycle-1 twin (same step, same SOC): stresses,
  voltage and capacity to 1e-6;
- a rest moves no charge (x̄ constant to round-off, current 0), relaxes the particle to
  uniform x and its voltage to U(x̄) (the OCV at the mean);
- cycles.csv: charge and discharge capacities = the charge of Δx = 0.4 (the closed form
  of specific_capacity_mAh_g) to 1e-9, coulombic efficiency 1;
- numbered per-report outputs (soc_r0007_050.csv) and a strictly increasing clock;
- with cohesive grain boundaries (30 min rests), damage never heals: the cracked and
  damaged fractions never fall over the two cycles, and the second cycle no longer
  repeats the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from polycat.cli import main
from polycat.fileio import read_csv
from polycat.materials import get_cathode
from polycat.materials.kinetics import molar_mass_g_mol, specific_capacity_mAh_g

ROOT = Path(__file__).resolve().parents[2]
NCM811 = get_cathode("NCM811")
X0, X1 = 0.8, 0.4
REST_MIN = 240.0

CYCLE = [
    {"step": "cc", "direction": "charge", "c_rate": 1.0, "until": {"x": X1}},
    {"step": "rest", "minutes": REST_MIN},
    {"step": "cc", "direction": "discharge", "c_rate": 1.0, "until": {"x": X0}},
    {"step": "rest", "minutes": REST_MIN},
]


def cycle_config(tmp: Path, name: str) -> dict[str, Any]:
    cfg = yaml.safe_load((ROOT / "tests" / "study" / "small_base.yaml").read_text())
    cfg["loading"] = {"protocol": CYCLE, "cycles": 2, "x_start": X0,
                      "report": {"soc_step": 0.1}, "extrapolate": "hold"}  # fmt: skip
    cfg["solver"]["ksp_rtol"] = 1e-10
    cfg["output"] = {"dir": str(tmp / name), "mesh_dir": str(tmp / "meshes"), "plots": True,
                     "fields": False}  # fmt: skip
    return cfg


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cycles")
    path = tmp / "cycles.yaml"
    path.write_text(yaml.safe_dump(cycle_config(tmp, "run")))
    assert main(["run", str(path)]) == 0
    return tmp / "run"


def _f(rows: list[dict[str, str]], key: str) -> np.ndarray:
    return np.array([float(r[key]) for r in rows])


def test_second_cycle_repeats_the_first(run_dir: Path) -> None:
    rows = read_csv(run_dir / "summary.csv")
    first = [r for r in rows if r["cycle"] == "1"]
    second = [r for r in rows if r["cycle"] == "2"]
    assert len(first) == len(second) >= 10
    assert [(r["step"], r["soc"][:8]) for r in first] == [(r["step"], r["soc"][:8]) for r in second]
    keys = ("sigma_hoop_max_MPa", "sigma_r_max_MPa", "vm_max_MPa", "gb_tn_max_MPa",
            "interface_tn_max_MPa", "voltage_V", "capacity_mAh_g", "x_min_particle")  # fmt: skip
    for key in keys:
        a, b = _f(first, key), _f(second, key)
        scale = np.max(np.abs(a))
        assert np.max(np.abs(a - b)) <= 1e-6 * scale, (key, np.max(np.abs(a - b)) / scale)
    # not vacuous: the charge stresses the particle well beyond the relaxed state (uniform
    # x = 0.8 still has the grains' misfit stress of an anisotropic polycrystal)
    hoop = _f(first, "sigma_hoop_max_MPa")
    assert hoop.max() > 2.0 * hoop[-1] > 0.0


def test_rests_move_no_charge_and_relax_to_the_ocv(run_dir: Path) -> None:
    rows = read_csv(run_dir / "summary.csv")
    rests = [k for k, r in enumerate(rows) if r["step_type"] == "rest"]
    assert len(rests) == 4
    for k in rests:
        rest, before = rows[k], rows[k - 1]
        assert float(rest["current_density_A_m2"]) == 0.0
        assert float(rest["x_mean"]) == pytest.approx(float(before["x_mean"]), abs=1e-10)
        assert float(rest["capacity_mAh_g"]) == pytest.approx(
            float(before["capacity_mAh_g"]), rel=1e-9
        )
        spread = float(rest["x_max_particle"]) - float(rest["x_min_particle"])
        before_spread = float(before["x_max_particle"]) - float(before["x_min_particle"])
        assert spread < 1e-5 < before_spread
        # uniform flux: V = <U(x)> over the surface, U(x̄) once x is uniform
        u_mean = float(NCM811.ocv(float(rest["x_mean"])))
        assert abs(float(rest["voltage_V"]) - u_mean) < 1e-4
        assert abs(float(before["voltage_V"]) - u_mean) > 5e-3  # it did relax


def test_cycle_table_capacities(run_dir: Path) -> None:
    rows = read_csv(run_dir / "cycles.csv")
    assert [r["cycle"] for r in rows] == ["1", "2"]
    molar = molar_mass_g_mol(NCM811.formula)
    assert molar is not None
    q = specific_capacity_mAh_g(X0 - X1, molar)
    for r in rows:
        assert float(r["charge_capacity_mAh_g"]) == pytest.approx(q, rel=1e-9)
        assert float(r["discharge_capacity_mAh_g"]) == pytest.approx(q, rel=1e-9)
        assert float(r["coulombic_efficiency"]) == pytest.approx(1.0, abs=1e-9)
        # the end of charge is where the charging current stops (not after the rest)
        assert float(r["end_of_charge_soc"]) == pytest.approx(
            (NCM811.x_window[1] - X1) / (NCM811.x_window[1] - NCM811.x_window[0]), abs=1e-9
        )
        assert float(r["end_of_charge_sigma_hoop_max_MPa"]) > 300.0
    summary = read_csv(run_dir / "summary.csv")
    eoc = summary[int(rows[0]["end_of_charge_report"]) - 1]
    assert eoc["step_type"] == "cc" and eoc["cycle"] == "1"


def test_numbered_outputs_and_clock(run_dir: Path) -> None:
    rows = read_csv(run_dir / "summary.csv")
    assert [int(r["report"]) for r in rows] == list(range(1, len(rows) + 1))
    t = _f(rows, "time_s")
    assert np.all(np.diff(t) > 0.0)
    # the clock: 2 × (two 1C legs over Δx = 0.4 of the window, two rests)
    leg = 3600.0 * (X0 - X1) / (NCM811.x_window[1] - NCM811.x_window[0])
    # (summary.csv keeps 10 digits)
    assert t[-1] == pytest.approx(2 * (2 * leg + 2 * 60.0 * REST_MIN), rel=1e-9)
    profiles = sorted(p.name for p in (run_dir / "profiles").glob("soc_r*.csv"))
    # the charge starts at SOC 0.229: its first report is SOC 0.3
    assert len(profiles) == len(rows) and profiles[0] == "soc_r0001_030.csv"
    assert (run_dir / "plots" / "voltage_vs_capacity.png").stat().st_size > 10_000


@pytest.fixture(scope="module")
def cohesive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same two cycles (30 min rests) with cohesive grain boundaries."""
    tmp = tmp_path_factory.mktemp("cycles_cohesive")
    cfg = cycle_config(tmp, "run")
    for step in cfg["loading"]["protocol"]:
        if step["step"] == "rest":
            step["minutes"] = 30.0
    cfg["interfaces"] = {"grain_boundary": {"model": "cohesive"}}
    cfg["output"]["plots"] = False
    path = tmp / "cohesive.yaml"
    path.write_text(yaml.safe_dump(cfg))
    assert main(["run", str(path)]) == 0
    return tmp / "run"


def test_damage_is_irreversible_over_cycles(cohesive_dir: Path) -> None:
    rows = read_csv(cohesive_dir / "summary.csv")
    cracked = _f(rows, "gb_cracked_area_fraction")
    damaged = _f(rows, "gb_damaged_area_fraction")
    assert cracked.max() > 0.3  # not vacuous: the charge cracks GBs
    assert np.all(np.diff(cracked) >= -1e-12) and np.all(np.diff(damaged) >= -1e-12)
    table = read_csv(cohesive_dir / "cycles.csv")
    ends = [float(r["end_of_charge_gb_cracked_area_fraction"]) for r in table]
    assert ends[1] >= ends[0] > 0.3
    # the cracks stay open: the relaxed particle keeps less misfit stress than a bonded one
    # would, and the second cycle no longer repeats the first
    first = [r for r in rows if r["cycle"] == "1"]
    second = [r for r in rows if r["cycle"] == "2"]
    a, b = _f(first, "sigma_hoop_max_MPa"), _f(second, "sigma_hoop_max_MPa")
    assert np.max(np.abs(a - b)) > 1e-3 * np.max(a)
