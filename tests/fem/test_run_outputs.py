"""The results directory of a small polycrystal run honours the contract (docs/design.md §3):
tables with their columns, profiles per SOC, ParaView fields that an independent reader
(meshio, h5py) opens, plots, provenance; and `polycat report` rebuilds the plots."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import h5py
import numpy as np
import pytest
import yaml

from polycat.cli import main
from polycat.fileio import read_csv

SUMMARY_REQUIRED = (
    "soc", "time_s", "x_mean", "sigma_r_max_MPa", "sigma_r_min_MPa", "sigma_hoop_max_MPa",
    "sigma_hoop_min_MPa", "vm_max_MPa", "gb_tn_max_MPa", "gb_risk_max",
    "gb_area_fraction_at_risk", "interface_tn_max_MPa", "delam_risk_max",
    "interface_area_fraction_at_risk",
)  # fmt: skip


def test_tables(run_dir: Path) -> None:
    summary = read_csv(run_dir / "summary.csv")
    assert [float(r["soc"]) for r in summary] == [0.3, 0.6, 1.0]
    for key in SUMMARY_REQUIRED:
        assert key in summary[0], key
        assert all(np.isfinite(float(r[key])) for r in summary), key
    # SOC is linear in time and x̄ follows the galvanostatic rate exactly
    run = json.loads((run_dir / "run.json").read_text())
    x0, x1 = run["config"]["loading"]["x_start"], run["config"]["loading"]["x_end"]
    for r in summary:
        assert float(r["time_s"]) == pytest.approx(float(r["soc"]) * 1800.0)
        assert float(r["x_mean"]) == pytest.approx(x0 + (x1 - x0) * float(r["soc"]), abs=1e-8)
    for soc in ("030", "060", "100"):
        prof = read_csv(run_dir / "profiles" / f"soc_{soc}.csv")
        assert {"r_um", "c_mol_m3", "sigma_r_MPa", "sigma_hoop_MPa"} <= set(prof[0])
        assert {r["region"] for r in prof} == {"particle", "electrolyte"}
    b = read_csv(run_dir / "boundaries.csv")
    assert {r["kind"] for r in b} == {"gb", "interface"}
    grains = read_csv(run_dir / "grains.csv")
    assert len(grains) == 3 * 6
    assert (run_dir / "config.resolved.yaml").is_file()
    assert run["status"] == "completed" and run["ranks"] >= 1
    assert run["dofs"]["displacement"] > 0 and set(run["wall_s"]) >= {"setup", "steps", "total"}
    assert len(read_csv(run_dir / "orientations.csv")) == 6


def _xdmf_series(path: Path) -> dict[str, list[tuple[float, str, str]]]:
    """name → [(time, center, h5 dataset path)] from DOLFINx's XDMF (plain XML parse)."""
    ns = {"xi": "https://www.w3.org/2001/XInclude"}
    root = ET.parse(path).getroot()
    series: dict[str, list[tuple[float, str, str]]] = {}
    for coll in root.iter("Grid"):
        if coll.get("CollectionType") != "Temporal":
            continue
        for grid in coll.findall("Grid", ns):
            t = float(grid.find("Time").get("Value"))  # type: ignore[union-attr]
            att = grid.find("Attribute")
            assert att is not None
            data = att.find("DataItem")
            assert data is not None and data.text is not None
            series.setdefault(coll.get("Name", ""), []).append(
                (t, att.get("Center", ""), data.text.split(":", 1)[1])
            )
    return series


def test_fields_read_by_independent_readers(run_dir: Path) -> None:
    xdmf = run_dir / "fields" / "fields.xdmf"
    series = _xdmf_series(xdmf)
    expected = {"displacement_um": ("Node", 3), "x": ("Node", 1), "c_mol_m3": ("Node", 1),
                "stress_MPa": ("Cell", 9), "von_mises_MPa": ("Cell", 1),
                "sigma_rr_MPa": ("Cell", 1), "sigma_hoop_MPa": ("Cell", 1),
                "sigma_h_MPa": ("Cell", 1), "grain_id": ("Cell", 1)}  # fmt: skip
    assert set(expected) <= set(series)
    with h5py.File(run_dir / "fields" / "fields.h5") as h5:
        n_points = h5["Mesh/mesh/geometry"].shape[0]
        n_cells, per_cell = h5["Mesh/mesh/topology"].shape
        assert per_cell == 4  # tetrahedra
        for name, (center, width) in expected.items():
            steps = series[name]
            assert [t for t, _, _ in steps] == pytest.approx([0.3, 0.6, 1.0]), name
            for _, c, dset in steps:
                assert c == center, name
                arr = np.asarray(h5[dset])
                rows = n_points if center == "Node" else n_cells
                assert arr.shape == (rows, width), name
                assert np.all(np.isfinite(arr)), name
        grain = np.asarray(h5[series["grain_id"][0][2]]).ravel()
        x_last = np.asarray(h5[series["x"][-1][2]]).ravel()
    assert set(np.unique(grain).astype(int)) == {1, 2, 3, 4, 5, 6, 1000}
    assert 0.0 < x_last.max() <= 1.0


def test_plots_and_report(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = {"stress_vs_r.png", "risk_vs_soc.png", "gb_tn_histogram.png", "section_hoop.png"}
    assert names <= {p.name for p in (run_dir / "plots").glob("*.png")}
    for p in (run_dir / "plots").glob("*.png"):
        p.unlink()
    assert main(["report", str(run_dir)]) == 0
    assert names <= {p.name for p in (run_dir / "plots").glob("*.png")}


def test_existing_results_refused(run_dir: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump({"output": {"dir": str(run_dir)}}))
    assert main(["run", str(cfg)]) == 2


def test_mesh_command_writes_orientation_table(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    meshes = run_dir.parent / "meshes"
    cfg = run_dir.parent / "c.yaml"
    assert main(["mesh", str(cfg), "--set", "orientation.texture=radial"]) == 0
    tables = list(next(meshes.iterdir()).glob("orientations-*.csv"))
    assert len(tables) == 1
    rows = read_csv(tables[0])
    grains = {int(r["grain"]): r for r in read_csv(next(meshes.iterdir()) / "grains.csv")}
    for r in rows:  # radial texture: ab-planes radial, c ⟂ the centroid direction
        g = grains[int(r["grain"])]
        c = np.array([float(r[f"c_axis_{a}"]) for a in "xyz"])
        x = np.array([float(g[f"centroid_{a}_um"]) for a in "xyz"])
        assert abs(c @ x) / np.linalg.norm(x) <= 1e-9
        assert abs(float(r["c_dot_radius"])) <= 1e-9


def test_mesh_export_keeps_every_region_and_surface(run_dir: Path, tmp_path: Path) -> None:
    """`polycat mesh --export`: VTU, Abaqus and MED files that meshio reads back with the
    cells of every grain, the electrolyte, each GB, interface patch and outer face (same
    counts as the Gmsh mesh, same names); an unknown format refused before meshing."""
    import meshio

    from polycat.exports.mesh_export import _merged

    cfg = run_dir.parent / "c.yaml"
    out = tmp_path / "export"
    args = ["mesh", str(cfg), "--export-dir", str(out)]
    assert main([*args, "--export", "vtu", "--export", "inp", "--export", "med"]) == 0
    folder = next((run_dir.parent / "meshes").iterdir())
    ref, names, _ = _merged(folder / "mesh.msh")
    ref_tags = np.concatenate(ref.cell_data["tag"])
    counts = {name: int(np.count_nonzero(ref_tags == tag)) for name, tag in names.items()}
    assert {"electrolyte", "interface_1"} <= set(counts) and any(
        n.startswith("gb_") for n in counts
    )
    vtu = meshio.read(out / "mesh.vtu")
    tags = np.concatenate(vtu.cell_data["tag"])
    assert {n: int(np.count_nonzero(tags == t)) for n, t in names.items()} == counts
    inp = meshio.read(out / "mesh.inp")
    sets = {k: sum(len(v) for v in val) for k, val in inp.cell_sets.items()}
    assert sets == {n.upper(): c for n, c in counts.items() if c}
    med = meshio.read(out / "mesh.med")
    med_tags = np.concatenate(med.cell_data["cell_tags"])
    by_name = {
        med.cell_tags[int(t)][0]: int(np.count_nonzero(med_tags == t)) for t in np.unique(med_tags)
    }
    assert by_name == {n: c for n, c in counts.items() if c}
    assert main([*args, "--export", "exodus"]) == 2  # netCDF4 is not in the stack


def _readme_summary_columns() -> list[str]:
    """The column names of README.md's summary.csv table, in order."""
    import re

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- summary-columns")[1].split("<!-- /summary-columns -->")[0]
    names: list[str] = []
    for line in block.splitlines()[3:]:  # comment line, header, separator
        if line.startswith("|"):
            names += re.findall(r"`([A-Za-z0-9_]+)`", line.split("|")[1])
    return names


def test_readme_lists_the_summary_columns_a_run_writes(run_dir: Path) -> None:
    header = (run_dir / "summary.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert _readme_summary_columns() == header


def _readme_run_files() -> list[tuple[list[str], str]]:
    """(file patterns, content cell) of each row of README.md's "What a run writes" table."""
    import re

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- run-files")[1].split("<!-- /run-files -->")[0]
    rows = []
    for line in block.splitlines()[3:]:  # comment line, header, separator
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows.append((re.findall(r"`([^`]+)`", cells[0]), cells[1]))
    return rows


def _listed_columns(content: str) -> list[str] | None:
    """The column list of a table row (the last backticked comma-separated span)."""
    import re

    spans = [s for s in re.findall(r"`([^`]+)`", content) if ", " in s]
    return [c.strip() for c in spans[-1].split(",")] if spans else None


def test_readme_lists_the_files_a_run_writes(run_dir: Path) -> None:
    """Every file the README's table names exists after a run (XXX = a 3-digit SOC tag),
    a CSV has exactly the columns it lists, a section archive the arrays it names, and
    the run writes no file the table leaves out."""
    import re

    rows = _readme_run_files()
    assert rows
    covered: set[Path] = set()
    for patterns, content in rows:
        for pattern in patterns:
            found = sorted(run_dir.glob(pattern.replace("XXX", "[0-9][0-9][0-9]")))
            assert found, f"README lists {pattern}, the run wrote no such file"
            covered |= set(found)
            columns = _listed_columns(content)
            if pattern.endswith(".csv") and pattern != "summary.csv":
                assert columns is not None, f"README lists no columns for {pattern}"
                for path in found:
                    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
                    assert header == columns, f"{path.name}: {header} != README {columns}"
            if pattern.endswith(".npz") and pattern.startswith("sections/"):
                names = set(re.findall(r"`([A-Za-z_]+)`", content))
                for path in found:
                    with np.load(path) as data:
                        assert set(data.files) == names, f"{path.name}: {data.files} != {names}"
    written = {
        p for p in run_dir.rglob("*") if p.is_file() and not p.name.startswith("paraview_")
    }  # (test_paraview.py copies its render into plots/ to look at)
    assert not written - covered, f"not in the README table: {sorted(written - covered)}"
