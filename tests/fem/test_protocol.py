"""Electrochemical protocols: a constant-current charge to a voltage, then a
constant-voltage hold until the current falls below a C-rate (CC–CV).

A small NCM811 polycrystal in Li6PS5Cl (3 grains, 2 µm mesh, P1), 1C to 4.2 V then held
at 4.2 V until C/20, with Butler–Volmer kinetics (and a series resistance) and without
kinetics (the held surface at U⁻¹(4.2 V)). Checked (docs/verification.md, "Protocols"):
the cc step ends on the voltage within LIMIT_V_TOL (it never exceeds the setpoint by
more than 1 mV), the cv rows hold the voltage to 1e-9 V and their current decays
monotonically to the end C-rate (landed within 1e-3), SOC, time and capacity rise, and
summary.csv says which step each row belongs to. Bad protocols are refused before any
work, naming the field.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from polycat.cli import main
from polycat.config.loading import validate_config
from polycat.config.resolve import resolve
from polycat.errors import ConfigError
from polycat.fileio import read_csv
from polycat.materials import get_cathode
from polycat.simulation.loop import LIMIT_V_TOL, RATE_LAND_TOL

ROOT = Path(__file__).resolve().parents[2]
V_SET, UNTIL = 4.2, 0.05
NCM811 = get_cathode("NCM811")
ONE_C_A_M2 = 1.8763  # the 1C current density of this mesh (V/A), for the end check

CCCV = [
    {"step": "cc", "direction": "charge", "c_rate": 1.0, "until": {"voltage_V": V_SET}},
    {"step": "cv", "voltage_V": V_SET, "until": {"c_rate_below": UNTIL}},
]


DISCHARGE = [
    {"step": "cc", "direction": "discharge", "c_rate": 1.0, "until": {"voltage_V": 3.7}},
    {"step": "cv", "voltage_V": 3.7, "until": {"c_rate_below": UNTIL}},
]


def protocol_config(
    tmp: Path, name: str, kinetics: dict[str, Any], soc_step: float = 0.1
) -> dict[str, Any]:
    """The small CC–CV run (output in tmp/name)."""
    cfg = yaml.safe_load((ROOT / "tests" / "study" / "small_base.yaml").read_text())
    cfg["loading"] = {"protocol": CCCV, "report": {"soc_step": soc_step}, "extrapolate": "hold"}
    cfg["kinetics"] = kinetics
    cfg["output"] = {"dir": str(tmp / name), "mesh_dir": str(tmp / "meshes"), "plots": False,
                     "fields": False}  # fmt: skip
    return cfg


def _run(tmp: Path, name: str, kinetics: dict[str, Any], soc_step: float) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(protocol_config(tmp, name, kinetics, soc_step)))
    assert main(["run", str(path)]) == 0
    return tmp / name


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("protocol")
    bv = {"model": "butler_volmer", "series_resistance_ohm_m2": 1e-3}
    # Reports every 0.1 in SOC: on this 2 µm mesh the first steps of a charge from x = 1
    # with Butler-Volmer kinetics concentrate the current (i0 grows as x falls from 1) and
    # overshoot x = 1 next to the surface by more than the report check allows when they
    # are shorter than ~150 s (90 s fail); a finer mesh is the remedy
    dis = protocol_config(tmp, "discharge", bv, 0.1)
    dis["loading"].update(protocol=DISCHARGE, x_start=0.3)
    path = tmp / "discharge.yaml"
    path.write_text(yaml.safe_dump(dis))
    assert main(["run", str(path)]) == 0
    return {
        "bv": _run(tmp, "bv", bv, 0.1),
        "uniform": _run(tmp, "uniform", {"model": "uniform_flux"}, 0.1),
        "discharge": tmp / "discharge",
    }


@pytest.mark.parametrize("name", ["bv", "uniform"])
def test_cc_cv_ends_on_its_conditions(runs: dict[str, Path], name: str) -> None:
    out = runs[name]
    run = json.loads((out / "run.json").read_text())
    assert run["status"] == "completed", run["error"]
    rows = read_csv(out / "summary.csv")
    cc = [r for r in rows if r["step_type"] == "cc"]
    cv = [r for r in rows if r["step_type"] == "cv"]
    assert {r["step"] for r in cc} == {"1"} and {r["step"] for r in cv} == {"2"}
    assert {r["cycle"] for r in rows} == {"1"}
    assert len(cc) >= 7 and len(cv) >= (2 if name == "bv" else 1) and rows == cc + cv
    volts = [float(r["voltage_V"]) for r in rows]
    assert max(volts) <= V_SET + 1e-3  # never above the setpoint by more than 1 mV
    assert abs(volts[len(cc) - 1] - V_SET) <= LIMIT_V_TOL  # the cc step ends on it
    assert all(v < V_SET for v in volts[: len(cc) - 1])
    assert all(abs(v - V_SET) <= 1e-9 for v in volts[len(cc) :])
    currents = [float(r["current_density_A_m2"]) for r in rows]
    assert len({round(c, 9) for c in currents[: len(cc)]}) == 1  # constant current
    cv_currents = currents[len(cc) :]
    assert all(b < a for a, b in itertools.pairwise(cv_currents))
    assert cv_currents[-1] / currents[0] == pytest.approx(UNTIL, rel=2 * RATE_LAND_TOL)
    for key in ("soc", "time_s", "capacity_mAh_g"):
        vals = [float(r[key]) for r in rows]
        assert all(b > a for a, b in itertools.pairwise(vals)), key
    assert float(rows[-1]["soc"]) > float(cc[-1]["soc"]) + 0.02  # the hold charges on
    assert len(list((out / "profiles").glob("soc_*.csv"))) == len(rows)  # a file per row
    # the cv reports land on the SOC grid (to 1e-6), but for its end
    step = 0.1
    for r in cv[:-1]:
        assert abs(float(r["soc"]) / step - round(float(r["soc"]) / step)) <= 2e-5 / step


def test_uniform_flux_hold_keeps_the_surface_at_equilibrium(runs: dict[str, Path]) -> None:
    rows = read_csv(runs["uniform"] / "summary.csv")
    cv = [r for r in rows if r["step_type"] == "cv"]
    from scipy.optimize import brentq

    x_s = brentq(lambda x: float(NCM811.ocv(x)) - V_SET, 0.0, 1.0, xtol=1e-12)
    # The cc step's most delithiated surface points lie below x_s when its interface
    # average of U reaches 4.2 V; the hold takes them back to x_s, and by its end the held
    # surface is the particle's most delithiated point.
    cc_end = [r for r in rows if r["step_type"] == "cc"][-1]
    assert float(cc_end["x_min_particle"]) < x_s - 0.01
    assert abs(float(cv[-1]["x_min_particle"]) - x_s) <= 1e-6
    assert all(r["overpotential_V"] == "" for r in cv)


def test_cc_cv_discharge(runs: dict[str, Path]) -> None:
    """The same protocol the other way: from x = 0.3 at 1C to 3.7 V, held there to C/20
    (the default x_end = 1 is allowed with a cut-off voltage, which ends the step first)."""
    rows = read_csv(runs["discharge"] / "summary.csv")
    kinds = [r["step_type"] for r in rows]
    n_cc = kinds.count("cc")
    assert kinds == ["cc"] * n_cc + ["cv"] * (len(rows) - n_cc) and len(rows) - n_cc >= 2
    volts = [float(r["voltage_V"]) for r in rows]
    assert min(volts) >= 3.7 - 1e-3 and abs(volts[n_cc - 1] - 3.7) <= LIMIT_V_TOL
    assert all(abs(v - 3.7) <= 1e-9 for v in volts[n_cc:])
    currents = [float(r["current_density_A_m2"]) for r in rows]
    assert all(c < 0.0 for c in currents)  # cathodic: lithiation
    assert all(b > a for a, b in itertools.pairwise(currents[n_cc:]))  # |i| decays
    assert currents[-1] / currents[0] == pytest.approx(UNTIL, rel=2 * RATE_LAND_TOL)
    socs = [float(r["soc"]) for r in rows]
    assert all(b < a for a, b in itertools.pairwise(socs))
    assert all(float(r["overpotential_V"]) < 0.0 for r in rows)
    assert len(list((runs["discharge"] / "profiles").glob("soc_*.csv"))) == len(rows)


def test_hold_that_runs_out_of_time_ends_with_its_status(tmp_path: Path) -> None:
    bv = {"model": "butler_volmer"}
    cfg = protocol_config(tmp_path, "short", bv)
    cfg["loading"]["protocol"] = [CCCV[0], {**CCCV[1], "max_minutes": 5.0}]
    path = tmp_path / "short.yaml"
    path.write_text(yaml.safe_dump(cfg))
    assert main(["run", str(path)]) == 0  # a physical end, not a failure
    run = json.loads((tmp_path / "short" / "run.json").read_text())
    assert run["status"] == "step_time_limit" and "max_minutes" in run["error"]
    rows = read_csv(tmp_path / "short" / "summary.csv")
    cc_end = [r for r in rows if r["step_type"] == "cc"][-1]
    assert rows[-1]["step_type"] == "cv"
    assert float(rows[-1]["time_s"]) == pytest.approx(float(cc_end["time_s"]) + 300.0, abs=1e-6)
    assert float(rows[-1]["current_density_A_m2"]) / ONE_C_A_M2 > UNTIL  # not reached


def test_voltage_plot(runs: dict[str, Path]) -> None:
    from polycat.reports import build_plots

    written = {p.name for p in build_plots(runs["bv"])}
    assert "voltage_vs_capacity.png" in written
    assert (runs["bv"] / "plots" / "voltage_vs_capacity.png").stat().st_size > 10_000


def test_bv_hold_drives_less_than_the_equilibrium_surface(runs: dict[str, Path]) -> None:
    bv = read_csv(runs["bv"] / "summary.csv")
    uni = read_csv(runs["uniform"] / "summary.csv")
    # kinetics and the series drop: the 4.2 V cut-off comes at a lower SOC
    assert float([r for r in bv if r["step_type"] == "cc"][-1]["soc"]) < float(
        [r for r in uni if r["step_type"] == "cc"][-1]["soc"]
    )
    eta = [float(r["overpotential_V"]) for r in bv if r["step_type"] == "cv"]
    assert all(e > 0.0 for e in eta) and eta[-1] < eta[0]  # anodic, decaying with i


BASE = {"kinetics": {"model": "butler_volmer"}}
X0 = {"x_start": 0.99}


@pytest.mark.parametrize(
    ("loading", "words"),
    [
        ({"protocol": [CCCV[0], {"step": "rest", "minutes": 30}, CCCV[1]]},
         r"protocol\[2\]: a cv step follows a cc step"),
        ({"protocol": CCCV, "cycles": 2},
         r"protocol\[0\] \(cycle 2\).until.voltage_V = 4.2 V: the charge starts at 4.2 V"),
        ({"protocol": [*CCCV, {**DISCHARGE[0], "until": {"voltage_V": 4.3}}]},
         r"protocol\[2\].until.voltage_V = 4.3 V: the discharge starts at 4.2 V"),
        ({"protocol": [{**CCCV[0], "until": {"x": 0.3}}, {**DISCHARGE[0], "until": {"x": 0.2}}]},
         r"protocol\[1\].until.x = 0.2: the discharge"),
        ({"protocol": [*CCCV, {**DISCHARGE[0], "until": None}]}, "cannot end at x = 1"),
        ({"protocol": [*CCCV, DISCHARGE[0]], "report": {"at_step_end": False}},
         "at_step_end"),
        ({"protocol": CCCV, "cycles": 0}, "loading.cycles"),
        ({"cycles": 2}, "loading.cycles needs a loading.protocol"),
        ({"protocol": [{**CCCV[0], "until": None}, {**CCCV[0], "until": {"x": 0.3}}]},
         r"protocol\[1\]: the charge starts at the end of the window"),
        ({"protocol": [{**CCCV[0], "until": None}, {"step": "rest", "minutes": 5}],
          "cycles": 2}, r"protocol\[0\] \(cycle 2\): the charge starts at the end"),
        ({"protocol": CCCV, "mode": "discharge"}, "leave loading.mode out"),
        ({"protocol": [CCCV[0], {**CCCV[1], "voltage_V": 4.0}]}, "lies behind the step before"),
        ({"protocol": [{**CCCV[0], "until": {"x": 0.3}}, CCCV[1]]}, "ends on a voltage"),
        ({"protocol": [{"step": "cv", "voltage_V": 4.2, "until": {"c_rate_below": 0.1}}]},
         "starts with a cc step"),
        ({"protocol": CCCV, "report": {"soc_step": 0.1}, "report_soc": [0.5, 1.0]},
         "report.soc_step or report_soc"),
        ({"report": {"soc_step": 0.1}}, "loading.report needs a loading.protocol"),
        ({"protocol": [CCCV[0], {**CCCV[1], "until": {"c_rate_below": 1.0}}]},
         "would end at once"),
        ({"protocol": [{**CCCV[0], "until": {"voltage_V": 3.0}}]}, "can never stop this charge"),
    ],
)  # fmt: skip
def test_bad_protocols_are_refused(loading: dict[str, Any], words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        resolve(validate_config({**BASE, "loading": {**X0, **loading}}))


def test_valid_protocols_pass() -> None:
    """The same voltage again at a lower current, charge-rest-charge and two cv steps
    are protocols, not mistakes."""
    slower = {**CCCV[0], "c_rate": 0.1}
    for protocol in (
        [CCCV[0], slower],
        [{**CCCV[0], "until": {"x": 0.5}}, {"step": "rest", "minutes": 10}, CCCV[0]],
        [*CCCV, {**CCCV[1], "voltage_V": 4.3, "until": {"c_rate_below": 0.01}}],
        [*CCCV, {"step": "rest", "minutes": 10}, {**DISCHARGE[0], "until": {"voltage_V": 3.0}}],
    ):
        plan = resolve(validate_config({**BASE, "loading": {"protocol": protocol, **X0}}))
        assert len(plan.loading.steps) == len(protocol)
    cyc = [*CCCV, {**DISCHARGE[0], "until": {"voltage_V": 3.0}}]
    plan = resolve(validate_config({**BASE, "loading": {"protocol": cyc, "cycles": 3, **X0}}))
    assert plan.loading.segmented and plan.loading.cycles == 3


def test_hold_needs_what_it_holds() -> None:
    resolve(validate_config({**BASE, "loading": {"protocol": CCCV, **X0}}))  # fine
    with pytest.raises(ConfigError, match="series_resistance_ohm_m2; set it to 0"):
        resolve(validate_config({"kinetics": {"series_resistance_ohm_m2": 1e-3},
                                 "loading": {"protocol": CCCV}}))  # fmt: skip
    with pytest.raises(ConfigError, match="not yet combined with coupling: two_way"):
        resolve(
            validate_config({**BASE, "coupling": "two_way", "loading": {"protocol": CCCV, **X0}})
        )
    only_cc = [{"step": "cc", "direction": "charge", "c_rate": 0.5, "until": {"x": 0.5}}]
    plan = resolve(validate_config({"loading": {"protocol": only_cc}}))
    assert (plan.loading.x_end, plan.loading.c_rate, plan.loading.cutoff_V) == (0.5, 0.5, None)
    assert plan.loading.hold is None and plan.loading.protocol
    plan = resolve(validate_config({**BASE, "loading": {"protocol": CCCV, **X0}}))
    assert plan.loading.hold is not None and plan.loading.hold.voltage_V == V_SET
    assert plan.loading.cutoff_V == V_SET and plan.loading.mode == "charge"
    assert plan.loading.report_soc[-1] == pytest.approx(1.0)
