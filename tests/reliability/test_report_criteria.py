"""`polycat report DIR --set readers.…`: the risk tables of a finished run read again under
other failure criteria from the stored facet tractions, equal to a fresh run with those
criteria; what cannot be read again is refused with the reason."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from rel_helpers import polycat, small_config, write_yaml
from test_restart_and_faults import read_rows

CRITERIA = {"gb_strength_MPa": 300.0, "gb_shear_strength_MPa": 400.0, "adhesion_strength_MPa": 50.0}
SETS = [f"--set=readers.{k}={v}" for k, v in CRITERIA.items()]
RISK_COLUMNS = (
    "gb_risk_max", "gb_area_fraction_at_risk", "delam_risk_max",
    "interface_area_fraction_at_risk",
)  # fmt: skip


def _run(tmp: Path, readers: dict[str, float] | None = None) -> Path:
    cfg = small_config(tmp, output={"fields": False}, readers=readers or {})
    result = polycat(["run", str(write_yaml(tmp / "c.yaml", cfg))])
    assert result.returncode == 0, result.stderr
    return tmp / "out"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A run with the materials' strengths and a fresh one with CRITERIA."""
    return _run(tmp_path_factory.mktemp("ref")), _run(tmp_path_factory.mktemp("new"), CRITERIA)


def _assert_same_table(a: Path, b: Path) -> None:
    rows_a, rows_b = read_rows(a), read_rows(b)
    assert len(rows_a) == len(rows_b) and list(rows_a[0]) == list(rows_b[0])
    for ra, rb in zip(rows_a, rows_b, strict=True):
        for k, va in ra.items():
            vb = rb[k]
            try:
                fa, fb = float(va), float(vb)
            except ValueError:
                assert va == vb, (k, va, vb)
                continue
            assert math.isclose(fa, fb, rel_tol=1e-8, abs_tol=1e-12) or (
                math.isnan(fa) and math.isnan(fb)
            ), (a.name, k, fa, fb)


def test_report_set_gives_the_tables_of_a_fresh_run(
    runs: tuple[Path, Path], tmp_path: Path
) -> None:
    ref, fresh = runs
    out = tmp_path / "reread"
    result = polycat(["report", str(ref), *SETS, "--out", str(out)])
    assert result.returncode == 0, result.stderr
    assert "σ_GB = 300 MPa (NCM811, set in readers)" in result.stdout
    for table in ("summary.csv", "boundaries.csv"):
        _assert_same_table(out / table, fresh / table)
    # the criteria did change the risks (the test would pass trivially otherwise)
    old, new = read_rows(ref / "summary.csv"), read_rows(out / "summary.csv")
    for column in RISK_COLUMNS:
        assert any(float(o[column]) != float(n[column]) for o, n in zip(old, new, strict=True))
    assert float(new[-1]["gb_risk_max"]) > 2.0 * float(old[-1]["gb_risk_max"])  # 745 → 300 MPa
    # the copy says which criteria its tables use; the original is untouched
    run = json.loads((out / "run.json").read_text())
    assert run["materials"]["gb_strength_MPa"] == 300.0
    assert run["materials"]["adhesion_strength_evidence"] == "set in readers"
    assert run["readers_set_by_report"] == [s.removeprefix("--set=") for s in SETS]
    saved = (out / "config.resolved.yaml").read_text()
    assert "gb_strength_MPa: 300.0" in saved and f"dir: {out}" in saved
    assert float(read_rows(ref / "summary.csv")[0]["gb_strength_MPa"]) == 745.0
    assert not (out / "checkpoint").exists()


def test_report_set_in_place_then_back(runs: tuple[Path, Path], tmp_path: Path) -> None:
    ref, _ = runs
    d = tmp_path / "copy"
    shutil.copytree(ref, d)
    assert polycat(["report", str(d), "--set", "readers.gb_strength_MPa=300"]).returncode == 0
    assert float(read_rows(d / "summary.csv")[0]["gb_strength_MPa"]) == 300.0
    # back to the material's strength (null): the original tables again
    assert polycat(["report", str(d), "--set", "readers.gb_strength_MPa=null"]).returncode == 0
    for table in ("summary.csv", "boundaries.csv"):
        _assert_same_table(d / table, ref / table)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("loading.c_rate=1", "changes the solution"),
        ("readers.profile_bins=10", "radial profiles are shell averages"),
        ("readers.gb_strength_MPa=-5", "gb_strength_MPa"),
    ],
)
def test_report_set_refuses_what_it_cannot_read_again(
    runs: tuple[Path, Path], tmp_path: Path, item: str, message: str
) -> None:
    ref, _ = runs
    d = tmp_path / "copy"
    shutil.copytree(ref, d)
    before = (d / "summary.csv").read_text()
    result = polycat(["report", str(d), "--set", item])
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert (d / "summary.csv").read_text() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "interrupted"}, "finish it first"),
        ({"interfaces": {"laws": {}}}, "cohesive interfaces report damage"),
    ],
)
def test_report_set_refuses_runs_it_cannot_read_again(
    runs: tuple[Path, Path], tmp_path: Path, change: dict[str, object], message: str
) -> None:
    ref, _ = runs
    d = tmp_path / "copy"
    shutil.copytree(ref, d)
    run = json.loads((d / "run.json").read_text())
    (d / "run.json").write_text(json.dumps({**run, **change}))
    result = polycat(["report", str(d), "--set", "readers.gb_strength_MPa=300"])
    assert result.returncode == 2 and message in result.stderr, result.stderr


def test_report_set_without_facets_says_rerun(runs: tuple[Path, Path], tmp_path: Path) -> None:
    ref, _ = runs
    d = tmp_path / "copy"
    shutil.copytree(ref, d)
    for f in (d / "facets").glob("interface_soc_*.csv"):
        f.unlink()
    result = polycat(["report", str(d), "--set", "readers.adhesion_strength_MPa=50"])
    assert result.returncode == 2 and "rerun with the new criterion" in result.stderr
