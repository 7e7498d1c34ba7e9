"""Whole runs through the command line, read as a researcher reads them: SOC and C-rate are
the material's (a discharge runs from SOC 1 to 0, a partial charge at 1C draws the same
current as a full one), every summary row says x_mean, SOC and the current density, the
run ends with the headline table, an inline material's decisive defaults and a
temperature without effect are reported (and recorded in run.json), and ``-v`` shows the
solver's diagnostics."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from rel_helpers import polycat, small_config, write_yaml
from test_restart_and_faults import read_rows

from polycat.materials import get_cathode
from polycat.schedule import soc_of_x, x_of_soc
from support.helpers import INLINE_CATHODE

WINDOW = get_cathode("NCM811").x_window  # (0.125, 1.0)


def _run(tmp: Path, *extra: str, **sections: Any) -> tuple[Any, list[dict[str, str]]]:
    cfg = small_config(tmp, output={"fields": False}, **sections)
    result = polycat(["run", str(write_yaml(tmp / "c.yaml", cfg)), *extra])
    assert result.returncode == 0, result.stderr
    return result, read_rows(tmp / "out" / "summary.csv")


@pytest.fixture(scope="module")
def charge(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, list[dict[str, str]]]:
    return _run(tmp_path_factory.mktemp("charge"))


def test_charge_rows_say_soc_x_and_current(charge: tuple[Any, list[dict[str, str]]]) -> None:
    result, rows = charge
    assert [float(r["soc"]) for r in rows] == [0.25, 0.5, 0.75, 1.0]
    for r in rows:
        assert float(r["x_mean"]) == pytest.approx(x_of_soc(float(r["soc"]), WINDOW), abs=1e-9)
        assert float(r["time_s"]) == pytest.approx(float(r["soc"]) * 1800.0)  # 2C: 1/2 h
        assert float(r["gb_strength_MPa"]) == 745.0
    current = {float(r["current_density_A_m2"]) for r in rows}
    assert len(current) == 1
    # F c_max |dx/dt| V/A with V/A about R/3 of the faceted 2 µm sphere
    i = current.pop()
    assert i == pytest.approx(96485.33 * 49195 * 2 * 0.875 / 3600 * 2e-6 / 3, rel=0.03)
    out = result.stdout
    assert "charge at 2.0C" in out and f"{i:.3g} A/m²" in out
    assert re.search(r"peak GB crack risk \d+\.\d\d at SOC", out)
    assert "σ_GB = 745 MPa (NCM811, measured)" in out


def test_discharge_runs_from_charged_to_discharged(
    charge: tuple[Any, list[dict[str, str]]], tmp_path: Path
) -> None:
    # (a discharge cannot end at x_mean = 1: the surface, fuller than the mean, would pass
    # x = 1; it stops at x = 0.95, SOC 0.057)
    soc_end = soc_of_x(0.95, WINDOW)
    loading = {"mode": "discharge", "x_end": 0.95, "report_soc": [0.75, 0.5, 0.25, soc_end]}
    _, rows = _run(tmp_path, loading=loading)
    assert [float(r["soc"]) for r in rows] == pytest.approx([0.75, 0.5, 0.25, soc_end])
    for r in rows:
        assert float(r["x_mean"]) == pytest.approx(x_of_soc(float(r["soc"]), WINDOW), abs=1e-9)
        assert float(r["time_s"]) == pytest.approx((1.0 - float(r["soc"])) * 1800.0)
    i_charge = float(charge[1][0]["current_density_A_m2"])
    assert float(rows[0]["current_density_A_m2"]) == pytest.approx(-i_charge, rel=1e-12)
    assert (tmp_path / "out" / "profiles" / "soc_025.csv").is_file()


def test_a_partial_charge_at_1c_draws_the_current_of_a_full_one(
    charge: tuple[Any, list[dict[str, str]]], tmp_path: Path
) -> None:
    soc_end = soc_of_x(0.5, WINDOW)
    _, rows = _run(tmp_path, loading={"x_end": 0.5, "report_soc": [0.25, soc_end]})
    assert float(rows[-1]["x_mean"]) == pytest.approx(0.5, abs=1e-9)
    assert float(rows[-1]["soc"]) == pytest.approx(soc_end)
    assert float(rows[-1]["time_s"]) == pytest.approx(soc_end * 1800.0)
    assert float(rows[0]["current_density_A_m2"]) == pytest.approx(
        float(charge[1][0]["current_density_A_m2"]), rel=1e-12
    )


def test_inline_defaults_and_verbose_diagnostics(tmp_path: Path) -> None:
    cathode = copy.deepcopy(INLINE_CATHODE)
    result, rows = _run(
        tmp_path,
        "--set",
        "loading.x_end=0.2",
        loading={"report_soc": [0.4, 0.8]},  # SOC of the defaulted window [0, 1]
        materials={"cathode": cathode},
        mechanics={"element_degree": 1, "temperature_K": 320.0},
    )
    err = result.stderr
    for field in ("x_window", "x_ref", "gb_strength_MPa"):
        assert f"WARNING materials.cathode.{field} = " in err and "(defaulted" in err, field
    assert "mechanics.temperature_K = 320 has no effect" in err
    info = json.loads((tmp_path / "out" / "run.json").read_text())
    assert info["materials"]["defaulted"] == {
        "materials.cathode.x_window": [0.0, 1.0],
        "materials.cathode.x_ref": 1.0,
        "materials.cathode.gb_strength_MPa": 700.0,
    }
    assert float(rows[-1]["x_mean"]) == pytest.approx(0.2, abs=1e-9)

    verbose = polycat(["-v", "run", str(tmp_path / "c.yaml"), "--overwrite"])
    assert verbose.returncode == 0, verbose.stderr
    debug = [ln for ln in verbose.stderr.splitlines() if "DEBUG" in ln]
    steps = [ln for ln in debug if re.search(r"DEBUG step \d+: t = ", ln)]
    assert len(steps) == 4 and all("Newton" in ln and "x_mean" in ln for ln in steps)
    assert any("mechanics:" in ln and "CG its" in ln for ln in steps)
    others = [ln for ln in debug if "DEBUG step " not in ln and "DEBUG resource estimate" not in ln]
    assert not others, f"third-party debug output: {others[:5]}"
    for phase in ("meshing (or reusing", "mesh loaded", "set-up done"):
        assert phase in verbose.stderr, phase
