"""``geometry.kind: file``: a mesh file read, checked and tagged like a generated mesh.

FEniCSx-free: synthetic conforming meshes of a grid of cubes (tests/support/grid_meshes.py)
whose region boundaries lie on grid planes, so every derived fact (areas of the grain
boundary, interface patches and box faces, volumes, equivalent radius, box size) is known
exactly; every bad input is refused with a message that names the field or the grain.
The round trip through a generated mesh and a run are in tests/fem/test_geometry_file.py.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from polycat.config import ConfigError, dump_config, load_config, validate_config
from polycat.config.resolve import config_digest, resolve
from polycat.errors import GeometryError
from polycat.geometry.file_spec import FileGeometrySpec, FileRegions
from polycat.geometry.mesh_arrays import simplex_measures
from polycat.geometry.mesh_file import import_mesh_file, inspect_mesh_file
from polycat.geometry.spec import GeometrySpec
from support.grid_meshes import cube_grid, particle_in_box, write_grid_mesh

ROOT = Path(__file__).resolve().parents[2]
REGIONS = FileRegions("region", False, (50,), "all_others")


def _measures(im: Any) -> dict[int, float]:
    """Total measure per cell tag and per facet tag."""
    out: dict[int, float] = {}
    for conn, tags in ((im.cells, im.cell_tags), (im.facets, im.facet_tags)):
        m = simplex_measures(im.points, conn)
        for t in np.unique(tags):
            out[int(t)] = float(m[tags == t].sum())
    return out


# --------------------------------------------------------------------------- generated


def test_generated_cache_key_and_section_unchanged() -> None:
    """kind: generated is what it was before kind: file existed: the default config's mesh
    cache key is byte-identical (8a00669a4f3a, recorded before the change) and its
    geometry section dumps without any of the new keys."""
    cfg = load_config(ROOT / "configs" / "default.yaml")
    plan = resolve(cfg)
    assert isinstance(plan.geometry, GeometrySpec)
    assert plan.geometry.cache_key() == "8a00669a4f3a"
    assert cfg.geometry.model_dump() == {
        "dim": 3, "particle_radius_um": 5.0, "n_grains": 30, "seed": 1, "matrix": "box",
        "matrix_size_um": 15.0, "mesh_size_um": 0.6, "interface_mesh_size_um": None,
        "matrix_mesh_size_um": None, "min_seed_spacing": 0.5, "lloyd_iterations": 2,
        "grain_size_cv": 0.0, "regularize": 0.5,
    }  # fmt: skip
    assert "kind" not in json.loads(plan.config_json)["geometry"]


def test_file_fields_are_refused_with_kind_generated() -> None:
    with pytest.raises(ConfigError, match=r"geometry\.file is read only with geometry\.kind: file"):
        validate_config({"geometry": {"file": "x.msh"}})
    with pytest.raises(ConfigError, match=r"geometry\.scale_to_um is read only"):
        validate_config({"geometry": {"scale_to_um": 2.0}})


# --------------------------------------------------------------------------- facts and tags


def test_cube_particle_in_a_box(tmp_path: Path) -> None:
    """Two grains (file tags 7 and 3) in an electrolyte box (tag 50), read from VTU: grain
    ids follow the tags in ascending order, every area and volume is exact, inverted
    cells are re-oriented."""
    path = write_grid_mesh(tmp_path / "m.vtu", particle_in_box)
    spec = inspect_mesh_file(path, REGIONS)
    f = spec.facts
    assert f.grain_map == ((3, 1), (7, 2))
    assert (f.dim, f.n_grains, f.matrix, f.outer_boundary) == (3, 2, "box", "box")
    assert f.matrix_size_um == pytest.approx(4.0, rel=1e-14)
    assert f.particle_radius_um == pytest.approx((3 * 8.0 / (4 * math.pi)) ** (1 / 3), rel=1e-14)
    assert f.particle_outer_radius_um == pytest.approx(math.sqrt(3.0), rel=1e-14)
    assert np.allclose(f.center_um, 0.0, atol=1e-14)
    assert f.n_cells == 6 * 4**3 and f.n_reoriented == f.n_cells // 2
    assert f.mesh_size_um > 0 and f.interface_mesh_size_um is not None
    im = import_mesh_file(spec)
    assert np.all(simplex_measures(im.points, im.cells) > 0)
    signed = np.einsum(
        "ij,ij->i",
        im.points[im.cells[:, 1]] - im.points[im.cells[:, 0]],
        np.cross(
            im.points[im.cells[:, 2]] - im.points[im.cells[:, 0]],
            im.points[im.cells[:, 3]] - im.points[im.cells[:, 0]],
        ),
    )
    assert np.all(signed > 0)
    m = _measures(im)
    expected = {1: 4.0, 2: 4.0, 1000: 64.0 - 8.0, 101002: 4.0, 2001: 12.0, 2002: 12.0}
    expected.update(dict.fromkeys(range(3001, 3007), 16.0))
    assert m.keys() == expected.keys()
    for tag, value in expected.items():
        assert m[tag] == pytest.approx(value, rel=1e-12), tag
    assert list(im.markers) == [
        "grain_1", "grain_2", "electrolyte", "gb_1_2", "interface_1", "interface_2",
        "outer_xmax", "outer_xmin", "outer_ymax", "outer_ymin", "outer_zmax", "outer_zmin",
    ]  # fmt: skip
    # the interface patch of grain 1 (tag 3, x > 0) lies at x >= 0
    mid = im.points[im.facets[im.facet_tags == 2001]].mean(axis=1)
    assert np.all(mid[:, 0] > -1e-12)


def test_free_particle_and_cell_sets(tmp_path: Path) -> None:
    """Without electrolyte cells the particle surface is the interface patches (matrix
    none); an Abaqus file's cell sets give the same mesh as cell data."""
    free = write_grid_mesh(tmp_path / "free.vtu", lambda c: particle_in_box(c, electrolyte=None))
    spec = inspect_mesh_file(free, FileRegions("region", False, (), "all_others"))
    assert (spec.matrix, spec.facts.outer_boundary, spec.matrix_size_um) == ("none", "none", 0.0)
    m = _measures(import_mesh_file(spec))
    assert m[2001] == pytest.approx(12.0) and m[2002] == pytest.approx(12.0)
    assert not any(3000 < t < 3100 for t in m)
    inp = write_grid_mesh(tmp_path / "m.inp", particle_in_box, cell_sets=True)
    sets = inspect_mesh_file(inp, FileRegions(None, True, ("R50",), "all_others"))
    vtu = inspect_mesh_file(write_grid_mesh(tmp_path / "m.vtu", particle_in_box), REGIONS)
    assert sets.facts.grain_map == (("R3", 1), ("R7", 2))
    a, b = import_mesh_file(sets), import_mesh_file(vtu)
    assert np.array_equal(a.cell_tags, b.cell_tags)
    assert _measures(a) == pytest.approx(_measures(b), rel=1e-12)


def test_two_dimensional_square_and_scale(tmp_path: Path) -> None:
    """Triangles: dim 2, lengths instead of areas; ``scale_to_um`` multiplies lengths
    (here nm → µm) and the centre follows the scaled centroid."""
    path = write_grid_mesh(tmp_path / "sq.vtu", particle_in_box, dim=2)
    spec = inspect_mesh_file(path, REGIONS, scale_to_um=1e-3)
    assert (spec.dim, spec.n_grains, spec.matrix) == (2, 2, "box")
    assert spec.particle_radius_um == pytest.approx(math.sqrt(4e-6 / math.pi), rel=1e-12)
    m = _measures(import_mesh_file(spec))
    assert m[101002] == pytest.approx(2e-3, rel=1e-12)
    assert m[2001] == pytest.approx(4e-3, rel=1e-12) and m[2002] == pytest.approx(4e-3)
    assert {t: m[t] for t in range(3001, 3005)} == pytest.approx(
        dict.fromkeys(range(3001, 3005), 4e-3)
    )
    shifted = inspect_mesh_file(path, REGIONS, scale_to_um=1e-3, center_um=(1e-3, 0.0, 0.0))
    assert shifted.facts.center_um == (1e-3, 0.0, 0.0)
    assert shifted.cache_key() != spec.cache_key()


def test_cache_key_follows_the_content_not_the_path(tmp_path: Path) -> None:
    a = write_grid_mesh(tmp_path / "a.vtu", particle_in_box)
    (tmp_path / "copy").mkdir()
    b = tmp_path / "copy" / "a.vtu"
    b.write_bytes(a.read_bytes())
    key = inspect_mesh_file(a, REGIONS).cache_key()
    assert inspect_mesh_file(b, REGIONS).cache_key() == key
    other = FileRegions("region", False, (50,), (3, 7))
    assert inspect_mesh_file(a, other).cache_key() != key
    assert inspect_mesh_file(a, REGIONS, scale_to_um=2.0).cache_key() != key
    write_grid_mesh(b, lambda c: particle_in_box(c, a=0.5), n=8)  # the file changed
    assert inspect_mesh_file(b, REGIONS).cache_key() != key


# --------------------------------------------------------------------------- the config


def _file_config(path: str, **geometry: Any) -> dict[str, Any]:
    return {
        "geometry": {
            "kind": "file",
            "file": path,
            "regions": {"cell_data": "region", "electrolyte": [50], "grains": "all_others"},
            **geometry,
        },
        "mechanics": {"element_degree": 1},
        "output": {"dir": "results/x", "mesh_dir": "meshes"},
    }


def test_config_resolves_with_derived_facts(tmp_path: Path) -> None:
    """A relative geometry.file is relative to the config's directory; the plan holds the
    facts of the mesh; the resolved config reads back to the same plan; run.json's
    config gets the derived geometry."""
    write_grid_mesh(tmp_path / "mesh.vtu", particle_in_box)
    cfg_path = tmp_path / "case.yaml"
    cfg_path.write_text(yaml.safe_dump(_file_config("mesh.vtu")))
    cfg = load_config(cfg_path)
    assert cfg.geometry.file == str((tmp_path / "mesh.vtu").resolve())
    plan = resolve(cfg)
    assert isinstance(plan.geometry, FileGeometrySpec)
    assert plan.geometry.n_grains == 2 and plan.electrolyte is not None
    assert plan.outer_radius_um == pytest.approx(2.0)
    derived = json.loads(plan.config_json)["geometry"]["derived"]
    assert derived["n_grains"] == 2 and derived["matrix"] == "box"
    text = dump_config(cfg)
    assert "n_grains" not in text and "kind: file" in text
    again = validate_config(yaml.safe_load(text))
    assert config_digest(again) == config_digest(cfg)
    assert resolve(again).geometry == plan.geometry


def test_free_particle_plan_and_combinations(tmp_path: Path) -> None:
    path = str(
        write_grid_mesh(tmp_path / "free.vtu", lambda c: particle_in_box(c, electrolyte=None))
    )
    data = _file_config(path)
    data["geometry"]["regions"]["electrolyte"] = []
    plan = resolve(validate_config(data))
    assert plan.electrolyte is None and plan.readers.adhesion_strength_MPa is None
    bad = copy.deepcopy(data)
    bad["mechanics"]["boundary"] = "confined"
    with pytest.raises(ConfigError, match=r"mechanics\.boundary: confined needs an electrolyte"):
        resolve(validate_config(bad))


def test_generated_only_fields_are_refused_with_kind_file(tmp_path: Path) -> None:
    data = _file_config(str(tmp_path / "m.vtu"), n_grains=5, seed=2)
    with pytest.raises(ConfigError, match=r"geometry\.n_grains, geometry\.seed: not used"):
        validate_config(data)
    data = _file_config(str(tmp_path / "m.vtu"), scale_to_um=-1.0)
    with pytest.raises(ConfigError, match=r"geometry\.scale_to_um must be a positive number"):
        validate_config(data)
    data = _file_config(str(tmp_path / "m.vtu"))
    del data["geometry"]["regions"]
    with pytest.raises(ConfigError, match=r"geometry\.regions is required"):
        validate_config(data)


# --------------------------------------------------------------------------- bad input


def _split_grain(c: np.ndarray) -> int | None:
    """Tag 3 on two quadrants that touch along an edge only (not face-connected)."""
    if np.max(np.abs(c)) >= 1.0:
        return 50
    if c[0] < 0:
        return 7
    return 3 if c[1] * c[2] > 0 else 5


def _two_bodies(c: np.ndarray) -> int:
    """Two one-cube grains that touch at a corner only."""
    if np.allclose(c, -0.5):
        return 3
    if np.allclose(c, 0.5):
        return 7
    return 50


def _at_the_boundary(c: np.ndarray) -> int:
    """Grain tag 3 reaches the face x = 2 of the box."""
    if c[0] > 1.0 and max(abs(c[1]), abs(c[2])) < 1.0:
        return 3
    return 7 if np.max(np.abs(c)) < 1.0 else 50


def _flat_cell() -> list[tuple[str, np.ndarray, np.ndarray]]:
    pts, _, _ = cube_grid(4, 2.0)
    plane = np.flatnonzero(np.isclose(pts[:, 2], -2.0))[:4]  # four nodes in z = -2
    return [("tetra", plane[None, :].astype(np.int64), np.array([50]))]


def _duplicate_cell() -> list[tuple[str, np.ndarray, np.ndarray]]:
    _, tets, centres = cube_grid(4, 2.0)
    k = int(np.argmin(np.linalg.norm(centres - [0.5, 0.5, 0.5], axis=1)))
    return [("tetra", tets[k : k + 1], np.array([3]))]


def _hexahedron() -> list[tuple[str, np.ndarray, np.ndarray]]:
    return [("hexahedron", np.arange(8, dtype=np.int64)[None, :], np.array([50]))]


BAD = {
    "missing file": (None, None, REGIONS, r"geometry\.file: no such file"),
    "wrong cell_data": (
        particle_in_box, None, FileRegions("tags", False, (50,), "all_others"),
        r"geometry\.regions\.cell_data: .* has no cell data 'tags' \(it has: 'region'\)",
    ),
    "tag not in file": (
        particle_in_box, None, FileRegions("region", False, (51,), "all_others"),
        r"geometry\.regions\.electrolyte: 51 not among the volume tags .*: 3, 7, 50",
    ),
    "tag in no region": (
        particle_in_box, None, FileRegions("region", False, (50,), (3,)),
        r"geometry\.regions: 24 volume cells .* have 7, in neither",
    ),
    "no grain": (
        particle_in_box, None, FileRegions("region", False, (3, 7, 50), "all_others"),
        r"no grain cells",
    ),
    "disconnected grain": (
        _split_grain, None, REGIONS, r"grain 1 of .* is 2 disconnected pieces",
    ),
    "non-manifold": (
        particle_in_box, _duplicate_cell, REGIONS,
        r"shared by more than two cells \(non-manifold\)",
    ),
    "flat cell": (particle_in_box, _flat_cell, REGIONS, r"cells of .* are flat \(zero volume\)"),
    "hexahedra": (
        particle_in_box, _hexahedron, REGIONS,
        r"has 1 hexahedron cells; polycat reads first-order tetrahedra only",
    ),
    "grain on the outer boundary": (
        _at_the_boundary, None, REGIONS,
        r"grain 1 \(3 in .*\) reaches the outer boundary of the mesh \(8 facets",
    ),
    "particle in two bodies": (
        _two_bodies, None, REGIONS, r"the grains of .* form 2 separate bodies",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_refused_with_its_reason(tmp_path: Path, case: str) -> None:
    label, extra, regions, message = BAD[case]
    path = tmp_path / "m.vtu"
    if label is not None:
        write_grid_mesh(path, label, extra_cells=extra() if extra else None)
    with pytest.raises((ConfigError, GeometryError), match=message):
        inspect_mesh_file(path, regions)


def test_regions_meshed_apart_are_named_as_such(tmp_path: Path) -> None:
    """Grains whose shared faces have separate (coincident) nodes: the particle is two
    bodies, and the message says the regions look meshed separately."""
    import meshio

    pts, tets, centres = cube_grid(4, 2.0)
    inside = np.max(np.abs(centres), axis=1) < 1.0
    tets, centres = tets[inside], centres[inside]
    right = centres[:, 0] > 0
    copy_of = np.arange(len(pts)) + len(pts)
    tets = np.where(right[:, None], copy_of[tets], tets)
    meshio.write(
        tmp_path / "apart.vtu",
        meshio.Mesh(np.vstack([pts, pts]), [("tetra", tets)],
                    cell_data={"region": [np.where(right, 3, 7)]}),
    )  # fmt: skip
    with pytest.raises(GeometryError, match=r"2 separate bodies.*coincide with other nodes"):
        inspect_mesh_file(tmp_path / "apart.vtu", FileRegions("region", False, (), "all_others"))


def test_validate_reports_a_missing_mesh_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from polycat.cli import main

    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump(_file_config("nowhere.msh")))
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "geometry.file: no such file" in err and "nowhere.msh" in err
