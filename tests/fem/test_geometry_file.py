"""``geometry.kind: file`` round trip: a generated mesh exported (``polycat mesh
--export``: VTU, Abaqus, MED; and its own Gmsh file) and read back as a mesh file gives the
same mesh folder — grains, tags, per-grain volumes, per-tag facet areas, cell tags — and a
run on it the same summary as the run on the generated mesh.

Measured (docs/verification.md): volumes and areas agree to 1e-15 relative (rounding of
the sums), the cell tags exactly, and the two runs' summary.csv and profiles are
byte-identical (the imported mesh keeps the file's node and cell order).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401
from mpi4py import MPI

import numpy as np
import pytest
import yaml

import ufl
from dolfinx import fem

from polycat.cli import main
from polycat.config import validate_config
from polycat.config.resolve import resolve
from polycat.exports.mesh_export import export_mesh
from polycat.fileio import read_columns
from polycat.geometry import GeometrySpec, build_mesh_folder
from polycat.geometry.file_spec import FileGeometrySpec
from polycat.geometry.mesh_arrays import simplex_measures
from polycat.mesh import LoadedMesh, load_mesh

SPEC3 = GeometrySpec(n_grains=4, seed=1, particle_radius_um=2.0, matrix_size_um=6.0,
                     mesh_size_um=0.8)  # fmt: skip
SPEC2 = GeometrySpec(dim=2, n_grains=5, seed=2, particle_radius_um=2.0, matrix="shell",
                     matrix_size_um=4.0, mesh_size_um=0.4)  # fmt: skip
REGIONS = {
    "vtu": {"cell_data": "tag", "electrolyte": [1000]},
    "med": {"cell_data": "cell_tags", "electrolyte": [1000]},
    "inp": {"cell_sets": True, "electrolyte": ["ELECTROLYTE"]},
    "msh": {"cell_data": "gmsh:physical", "electrolyte": [1000]},
}
TOL = 1e-10


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """The generated mesh folder of SPEC3 / SPEC2 with its exports (built once)."""
    root = tmp_path_factory.mktemp("generated")
    cache: dict[int, Path] = {}

    def get(dim: int) -> Path:
        if dim not in cache:
            folder = build_mesh_folder(SPEC3 if dim == 3 else SPEC2, root / f"d{dim}")
            for fmt in ("vtu", "inp", "med"):
                export_mesh(folder, fmt)
            cache[dim] = folder
        return cache[dim]

    return get


def _file_geometry(path: Path, fmt: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "file", "file": str(path), "regions": dict(REGIONS[fmt]), **extra}


def _import(path: Path, fmt: str, out: Path, **extra: Any) -> tuple[FileGeometrySpec, Path]:
    cfg = validate_config({"geometry": _file_geometry(path, fmt, **extra)})
    spec = resolve(cfg).geometry
    assert isinstance(spec, FileGeometrySpec)
    return spec, build_mesh_folder(spec, out / spec.cache_key())


def _msh_tables(folder: Path) -> dict[str, Any]:
    """Per-tag measures, and cell tags keyed by the cells' sorted vertex coordinates."""
    import meshio

    mesh = meshio.read(folder / "mesh.msh")
    dim = 3 if any(b.type == "tetra" for b in mesh.cells) else 2
    measures: dict[int, float] = {}
    keys, tags = [], []
    for block, t in zip(mesh.cells, mesh.cell_data["gmsh:physical"], strict=True):
        m = simplex_measures(mesh.points, block.data)
        for tag in np.unique(t):
            measures[int(tag)] = measures.get(int(tag), 0.0) + float(m[t == tag].sum())
        if block.dim == dim:
            xyz = np.sort(np.round(mesh.points[block.data], 12).reshape(len(block.data), -1), 1)
            keys.append(xyz)
            tags.append(np.asarray(t))
    key = np.concatenate(keys)
    order = np.lexsort(key.T[::-1])
    return {"measures": measures, "cell_tags": np.concatenate(tags)[order], "keys": key[order]}


def _assembled(lm: LoadedMesh) -> dict[str, float]:
    """Volumes per cell tag, areas per GB / interface (dS) and outer (ds) tag, by DOLFINx."""
    mesh = lm.mesh
    one = fem.Constant(mesh, 1.0)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=lm.cell_tags)
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=lm.facet_tags)
    dS = ufl.Measure("dS", domain=mesh, subdomain_data=lm.facet_tags)
    t = lm.tags
    forms = {
        f"cell {g}": one * dx(g) for g in (*t.grains, *([t.electrolyte] if t.electrolyte else []))
    }
    forms.update({t.gb_name(g): one * dS(g) for g in t.gb})
    forms.update(
        {t.interface_name(g): one * (dS(g) if t.electrolyte else ds(g)) for g in t.interface}
    )
    forms.update({f.name: one * ds(f.tag) for f in t.outer})
    return {
        k: float(mesh.comm.allreduce(fem.assemble_scalar(fem.form(v)), op=MPI.SUM))
        for k, v in forms.items()
    }


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


@pytest.mark.parametrize("fmt", ["vtu", "inp", "med", "msh"])
def test_round_trip_gives_the_same_mesh_folder(
    generated: Callable[[int], Path], tmp_path: Path, fmt: str
) -> None:
    """Generated → exported → imported: same grains, markers, per-grain volumes, per-tag
    facet areas (from the .msh files and assembled by DOLFINx) and cell tags."""
    gen = generated(3)
    spec, folder = _import(gen / f"mesh.{fmt}", fmt, tmp_path, center_um=[0, 0, 0])
    assert spec.n_grains == SPEC3.n_grains and spec.matrix == "box"
    assert spec.matrix_size_um == pytest.approx(SPEC3.matrix_size_um, rel=1e-14)
    assert spec.profile_radius_um == pytest.approx(SPEC3.particle_radius_um, rel=1e-12)
    assert json.loads((folder / "markers.json").read_text()) == json.loads(
        (gen / "markers.json").read_text()
    )
    a, b = read_columns(gen / "grains.csv"), read_columns(folder / "grains.csv")
    np.testing.assert_array_equal(a["grain"], b["grain"])
    worst = 0.0
    for col in ("volume_um3", "centroid_x_um", "interface_area_um2", "n_interface_facets"):
        for x, y in zip(a[col], b[col], strict=True):
            worst = max(worst, _rel(float(x), float(y)))
    ta, tb = _msh_tables(gen), _msh_tables(folder)
    assert ta["measures"].keys() == tb["measures"].keys()
    for tag, value in ta["measures"].items():
        worst = max(worst, _rel(value, tb["measures"][tag]))
    np.testing.assert_array_equal(ta["keys"], tb["keys"])
    np.testing.assert_array_equal(ta["cell_tags"], tb["cell_tags"])
    la, lb = (
        _assembled(load_mesh(MPI.COMM_WORLD, gen)),
        _assembled(load_mesh(MPI.COMM_WORLD, folder)),
    )
    assert la.keys() == lb.keys()
    for k, v in la.items():
        worst = max(worst, _rel(v, lb[k]))
    print(f"{fmt}: largest relative difference of a volume, area or grain column: {worst:.2e}")
    assert worst <= TOL
    split_a = load_mesh(MPI.COMM_WORLD, gen, split=True).split
    split_b = load_mesh(MPI.COMM_WORLD, folder, split=True).split
    assert split_a is not None and split_b is not None
    np.testing.assert_array_equal(np.sort(split_a.pair_tag), np.sort(split_b.pair_tag))


def test_round_trip_2d_shell_and_the_centroid_centre(
    generated: Callable[[int], Path], tmp_path: Path
) -> None:
    """2D (triangles) in a round electrolyte: outer_circle, the same areas and lengths;
    without center_um the grains' volume centroid becomes the origin (a tiny shift here)."""
    gen = generated(2)
    spec, folder = _import(gen / "mesh.vtu", "vtu", tmp_path)
    assert (spec.dim, spec.n_grains, spec.matrix, spec.facts.outer_boundary) == (
        2, SPEC2.n_grains, "shell", "circle"
    )  # fmt: skip
    assert spec.matrix_size_um == pytest.approx(SPEC2.matrix_size_um, rel=1e-3)
    g = read_columns(gen / "grains.csv")
    area = g["area_um2"]
    centroid = np.array([(area * g[f"centroid_{a}_um"]).sum() / area.sum() for a in "xy"])
    np.testing.assert_allclose(spec.facts.center_um[:2], centroid, rtol=1e-10, atol=1e-14)
    assert spec.particle_radius_um == pytest.approx(np.sqrt(area.sum() / np.pi), rel=1e-12)
    assert json.loads((folder / "markers.json").read_text()) == json.loads(
        (gen / "markers.json").read_text()
    )
    ta, tb = _msh_tables(gen), _msh_tables(folder)
    for tag, value in ta["measures"].items():
        assert tb["measures"][tag] == pytest.approx(value, rel=TOL), tag
    b = read_columns(folder / "grains.csv")
    np.testing.assert_allclose(b["centroid_x_um"], g["centroid_x_um"] - centroid[0], atol=1e-12)
    info = json.loads((folder / "info.json").read_text())
    assert info["spec"]["kind"] == "file" and info["spec"]["n_grains"] == SPEC2.n_grains
    assert (folder / "grains.png").stat().st_size > 0


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_run_on_the_imported_mesh_matches_the_generated_run(tmp_path: Path) -> None:
    """The same small case run on the generated mesh and on its VTU export read back with
    kind: file: every number of summary.csv and of the profiles agrees (to 1e-12; they are
    identical)."""
    base = {
        "loading": {"c_rate": 2.0, "report_soc": [0.5, 1.0]},
        "mechanics": {"element_degree": 1},
        "solver": {"steps_per_report": 2},
    }
    geometry = {k: v for k, v in SPEC3.to_dict().items() if k in (
        "n_grains", "seed", "particle_radius_um", "matrix_size_um", "mesh_size_um")}  # fmt: skip
    runs = {}
    for name in ("generated", "file"):
        out = tmp_path / name
        if name == "generated":
            geo: dict[str, Any] = geometry
        else:
            folder = next((tmp_path / "meshes").iterdir())
            geo = _file_geometry(export_mesh(folder, "vtu", tmp_path / "export.vtu"), "vtu",
                                 center_um=[0.0, 0.0, 0.0])  # fmt: skip
        cfg = {**base, "geometry": geo,
               "output": {"dir": str(out), "mesh_dir": str(tmp_path / "meshes")}}  # fmt: skip
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(cfg))
        assert main(["run", str(path)]) == 0
        runs[name] = out
    assert len(list((tmp_path / "meshes").iterdir())) == 2
    run_json = json.loads((runs["file"] / "run.json").read_text())
    assert run_json["config"]["geometry"]["derived"]["n_grains"] == SPEC3.n_grains
    for table in ("summary.csv", "profiles/soc_050.csv", "profiles/soc_100.csv", "grains.csv"):
        a, b = _read(runs["generated"] / table), _read(runs["file"] / table)
        assert len(a) == len(b) > 0 and list(a[0]) == list(b[0])
        for ra, rb in zip(a, b, strict=True):
            for key, x in ra.items():
                y = rb[key]
                if x in ("", "nan") or y in ("", "nan") or not x[-1].isdigit():
                    assert x == y, (table, key)  # empty, not a number, or a region name
                    continue
                assert float(y) == pytest.approx(float(x), rel=1e-8, abs=1e-9), (table, key)
