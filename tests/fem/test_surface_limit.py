"""A fast charge ends on the surface limit instead of clipping the lattice table silently.

The default case, small (8 grains, 1.2 µm mesh, bonded interfaces, P2), charged at 3C:
the particle surface reaches the end of the NCM811 lattice table (x = 0.1201) before the
mean reaches x_end = 0.125. With ``loading.extrapolate: stop`` (the default) the step that
crosses it is redone to end on it (within LIMIT_X_TOL in x), that state is reported and
the run ends with status ``surface_limit`` (its SOC in run.json and summary.csv); with
``extrapolate: hold`` it runs to SOC 1 and summary.csv's ``lattice_table_held`` marks
the rows read with held table values. A cut-off voltage ends the charge where the cell
voltage (summary.csv's voltage_V) reaches it, within LIMIT_V_TOL: with the uniform flux
the interface average of U(x), with Butler–Volmer kinetics Φ (η > 0 on charge: earlier).
Bad cut-offs are refused before any work.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from scipy.optimize import brentq

from polycat.cli import main
from polycat.fileio import read_csv
from polycat.materials import get_cathode
from polycat.simulation.loop import LIMIT_V_TOL, LIMIT_X_TOL

NCM811 = get_cathode("NCM811")
TABLE_LO = NCM811.lattice_strain.x_range[0]
ROOT = Path(__file__).resolve().parents[2]


def _run(
    tmp: Path, name: str, kinetics: dict[str, Any] | None = None, **loading: Any
) -> tuple[int, Path]:
    cfg = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text())
    cfg["geometry"].update(n_grains=8, mesh_size_um=1.2)
    cfg["interfaces"] = {
        "grain_boundary": {"model": "bonded"},
        "cathode_electrolyte": {"model": "bonded"},
    }
    cfg["loading"].update(c_rate=3.0, report_soc=[0.25, 0.5, 0.75, 1.0], **loading)
    if kinetics is not None:
        cfg["kinetics"] = kinetics
    cfg["output"] = {"dir": str(tmp / name), "mesh_dir": str(tmp / "meshes"), "plots": False,
                     "fields": False}  # fmt: skip
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return main(["run", str(path)]), tmp / name


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, Path]]:
    tmp = tmp_path_factory.mktemp("surface")
    return {
        "stop": _run(tmp, "stop"),
        "hold": _run(tmp, "hold", extrapolate="hold"),
        "cutoff": _run(tmp, "cutoff", cutoff_V=4.25),
        "cutoff_bv": _run(tmp, "cutoff_bv", {"model": "butler_volmer"}, cutoff_V=4.25),
    }


def _read(out: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    return json.loads((out / "run.json").read_text()), read_csv(out / "summary.csv")


def test_fast_charge_ends_on_the_table_end(runs: dict[str, tuple[int, Path]]) -> None:
    code, out = runs["stop"]
    run, rows = _read(out)
    assert code == 0  # a physical end, not a failure
    assert run["status"] == "surface_limit", run["error"]
    assert "lattice-strain table" in run["error"] and "extrapolate: hold" in run["error"]
    last = rows[-1]
    soc_end = float(last["soc"])
    assert 0.75 < soc_end < 1.0  # after the third report SOC, before x_end
    assert run["reported_soc"][-1] == pytest.approx(soc_end)
    assert [float(r["soc"]) for r in rows[:3]] == [0.25, 0.5, 0.75]
    assert abs(float(last["x_min_particle"]) - TABLE_LO) <= LIMIT_X_TOL
    assert all(int(r["lattice_table_held"]) == 0 for r in rows)
    assert all(float(r["x_min_particle"]) >= TABLE_LO - LIMIT_X_TOL for r in rows)


def test_hold_runs_to_the_end_and_says_where(runs: dict[str, tuple[int, Path]]) -> None:
    code, out = runs["hold"]
    run, rows = _read(out)
    assert code == 0 and run["status"] == "completed"
    assert [float(r["soc"]) for r in rows] == [0.25, 0.5, 0.75, 1.0]
    held = [int(r["lattice_table_held"]) for r in rows]
    assert held[-1] == 1 and float(rows[-1]["x_min_particle"]) < TABLE_LO - LIMIT_X_TOL
    assert held[:3] == [0, 0, 0]  # inside the table until the end (as the stop run shows)
    stop_rows = _read(runs["stop"][1])[1]
    for a, b in zip(rows[:3], stop_rows[:3], strict=True):  # same run up to there
        assert float(a["vm_max_MPa"]) == pytest.approx(float(b["vm_max_MPa"]), rel=1e-9)


def test_cutoff_voltage_ends_on_the_cell_voltage(runs: dict[str, tuple[int, Path]]) -> None:
    x_cut = brentq(lambda x: float(NCM811.ocv(x)) - 4.25, 0.0, 1.0, xtol=1e-12)
    assert x_cut > TABLE_LO + 0.05  # the cut-off, not the table, ends these charges
    end_soc = {}
    for name in ("cutoff", "cutoff_bv"):
        code, out = runs[name]
        run, rows = _read(out)
        assert code == 0 and run["status"] == "surface_limit", run["error"]
        assert "cut-off 4.25 V" in run["error"]
        volts = [float(r["voltage_V"]) for r in rows]
        assert abs(volts[-1] - 4.25) <= LIMIT_V_TOL, name
        assert all(v < 4.25 for v in volts[:-1]) and volts == sorted(volts), name
        last = rows[-1]
        end_soc[name] = float(last["soc"])
        assert float(last["soc"]) < float(_read(runs["stop"][1])[1][-1]["soc"])
        if name == "cutoff":  # ⟨U(x)⟩ = 4.25: the most delithiated point went beyond x_cut
            assert last["overpotential_V"] == ""
            assert float(last["x_min_particle"]) < x_cut < float(last["x_mean"])
        else:
            eta = float(last["overpotential_V"])
            assert 0.005 < eta < 0.1  # anodic on charge; i/i0 ≈ 1.7 (3C, 3.41 A/m2)
    assert end_soc["cutoff_bv"] < end_soc["cutoff"]  # the overpotential reaches it earlier


@pytest.mark.parametrize(
    ("cutoff", "words"),
    [(3.0, "can never stop this charge"), (6.0, "is never reached")],
)
def test_bad_cutoff_refused_before_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cutoff: float, words: str
) -> None:
    code, out = _run(tmp_path, "bad", cutoff_V=cutoff)
    err = capsys.readouterr().err
    assert code == 2 and "loading.cutoff_V" in err and words in err, err
    assert not (out / "run.json").exists()
