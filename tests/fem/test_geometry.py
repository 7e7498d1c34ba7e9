"""Mesh folders built by Gmsh and read back by DOLFINx (serial): tags, volumes, adjacency.

Meshes are coarse (a few thousand cells) to keep the module well under a minute. Volumes
are those of the faceted mesh: first-order elements on a sphere of radius R lose about
(2/3)·d·h²/(8R)/R of the volume (d = dimension), i.e. ~1 % in 3D at h = R/5 and ~0.2 % in
2D at h = R/10; the tolerances below are 2e-2 (3D) and 1e-2 (2D), and
`test_faceting_error_shrinks_with_h` checks the error falls like h².
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401
from mpi4py import MPI

import numpy as np
import numpy.typing as npt
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

import dolfinx
import ufl
from dolfinx import fem

from polycat.geometry import (
    REQUIRED_FILES,
    GeometryError,
    GeometrySpec,
    build_mesh_folder,
    ensure_mesh,
    is_complete,
)
from polycat.geometry import tags as T
from polycat.geometry.tags import ParticleTags
from polycat.mesh import LoadedMesh, load_mesh


# The typed tags seen as the name-keyed mappings these tests check against the tag scheme.
def grain_tags(markers: dict[str, tuple[int, int]]) -> dict[int, int]:
    return {g: g for g in ParticleTags.from_markers(markers).grains}


def electrolyte_tag(markers: dict[str, tuple[int, int]]) -> int | None:
    return ParticleTags.from_markers(markers).electrolyte


def gb_tags(markers: dict[str, tuple[int, int]]) -> dict[tuple[int, int], int]:
    return {pair: tag for tag, pair in ParticleTags.from_markers(markers).gb.items()}


def interface_tags(markers: dict[str, tuple[int, int]]) -> dict[int, int]:
    return {g: tag for tag, g in ParticleTags.from_markers(markers).interface.items()}


def outer_tags(markers: dict[str, tuple[int, int]]) -> dict[str, int]:
    return {f.name: f.tag for f in ParticleTags.from_markers(markers).outer}


CASES = {
    "box3d": GeometrySpec(n_grains=8, seed=3, mesh_size_um=1.0, matrix_size_um=12.0),
    "shell3d": GeometrySpec(
        n_grains=5, seed=2, mesh_size_um=1.0, matrix="shell", matrix_size_um=7.0
    ),
    "none3d": GeometrySpec(n_grains=5, seed=4, mesh_size_um=1.0, matrix="none"),
    "single3d": GeometrySpec(n_grains=1, mesh_size_um=1.0, matrix_size_um=12.0),
    "box2d": GeometrySpec(dim=2, n_grains=12, seed=1, mesh_size_um=0.5),
    "shell2d": GeometrySpec(
        dim=2, n_grains=6, seed=2, mesh_size_um=0.5, matrix="shell", matrix_size_um=8.0
    ),
    "none2d": GeometrySpec(dim=2, n_grains=1, mesh_size_um=0.5, matrix="none"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], LoadedMesh]:
    """Build (once per module) and load the mesh of a named case."""
    root = tmp_path_factory.mktemp("meshes")
    cache: dict[str, LoadedMesh] = {}

    def get(name: str) -> LoadedMesh:
        if name not in cache:
            folder = build_mesh_folder(CASES[name], root / name)
            cache[name] = load_mesh(MPI.COMM_SELF, folder)
        return cache[name]

    return get


# --------------------------------------------------------------------------- helpers


def _cell_tag_array(lm: LoadedMesh) -> npt.NDArray[np.int32]:
    tdim = lm.dim
    n = lm.mesh.topology.index_map(tdim).size_local + lm.mesh.topology.index_map(tdim).num_ghosts
    out = np.full(n, -1, dtype=np.int32)
    out[lm.cell_tags.indices] = lm.cell_tags.values
    return out


def _facet_cells(lm: LoadedMesh) -> Any:
    tdim = lm.dim
    lm.mesh.topology.create_connectivity(tdim - 1, tdim)
    return lm.mesh.topology.connectivity(tdim - 1, tdim)


def _facet_points(lm: LoadedMesh, facets: npt.NDArray[np.int32]) -> npt.NDArray[np.float64]:
    """(F, nv, 3) vertex coordinates of facets."""
    geom = dolfinx.mesh.entities_to_geometry(lm.mesh, lm.dim - 1, facets)
    return lm.mesh.geometry.x[geom]


def _measure(lm: LoadedMesh, tag: int) -> float:
    dx = ufl.Measure("dx", domain=lm.mesh, subdomain_data=lm.cell_tags)
    return float(np.real(fem.assemble_scalar(fem.form(fem.Constant(lm.mesh, 1.0) * dx(tag)))))


def _faceting_tol(spec: GeometrySpec) -> float:
    return 2e-2 if spec.dim == 3 else 1e-2


def _matrix_measure(spec: GeometrySpec) -> float:
    """Exact matrix volume (3D, µm³) or area (2D, µm²); 0 for ``matrix: none``."""
    s = spec.matrix_size_um
    if spec.matrix == "none":
        return 0.0
    if spec.matrix == "box":
        outer = s**spec.dim
    else:
        outer = 4.0 / 3.0 * math.pi * s**3 if spec.dim == 3 else math.pi * s**2
    return outer - spec.particle_measure


# --------------------------------------------------------------------------- folder


def test_folder_has_every_file_and_the_tag_scheme(built: Callable[[str], LoadedMesh]) -> None:
    lm = built("box3d")
    spec = CASES["box3d"]
    assert is_complete(lm.folder)
    for name in REQUIRED_FILES:
        assert (lm.folder / name).stat().st_size > 0
    assert (lm.folder / "mesh.msh").read_bytes().startswith(b"$MeshFormat\n4.1")
    markers = json.loads((lm.folder / "markers.json").read_text())
    assert {k: tuple(v) for k, v in markers.items()} == lm.markers
    n = spec.n_grains
    assert grain_tags(lm.markers) == {i: i for i in range(1, n + 1)}
    assert all(lm.markers[f"grain_{i}"] == (i, 3) for i in range(1, n + 1))
    assert lm.markers["electrolyte"] == (1000, 3)
    assert electrolyte_tag(lm.markers) == 1000
    for (i, j), tag in gb_tags(lm.markers).items():
        assert i < j and tag == 100000 + 1000 * i + j
        assert lm.markers[f"gb_{i}_{j}"] == (tag, 2)
    for i, tag in interface_tags(lm.markers).items():
        assert tag == 2000 + i and lm.markers[f"interface_{i}"] == (tag, 2)
    assert outer_tags(lm.markers) == T.OUTER_BOX
    assert gb_tags(lm.markers), "an 8-grain particle has grain boundaries"
    info = lm.info
    assert info["spec"] == spec.to_dict()
    assert info["cache_key"] == spec.cache_key()
    assert info["gmsh_version"].startswith("4.")
    assert info["element_counts"]["3"] == lm.mesh.topology.index_map(3).size_global
    quality = info["quality"]
    assert quality["sicn"]["min"] > 0.0
    assert 0.0 < quality["gamma"]["min"] <= quality["gamma"]["mean"] <= 1.0
    assert "n_sicn_below_0.1" in quality
    for phase in ("seeds_s", "tessellation_s", "occ_grains_s", "mesh_2d_s", "mesh_3d_s"):
        assert info["timings_s"][phase] >= 0.0
    assert "min_edge_before_um" in info["tessellation"]
    assert "min_edge_after_um" in info["tessellation"]
    header = (lm.folder / "grains.csv").read_text().splitlines()[0].split(",")
    assert header[:8] == [
        "grain",
        "volume_um3",
        "centroid_x_um",
        "centroid_y_um",
        "centroid_z_um",
        "seed_x_um",
        "seed_y_um",
        "seed_z_um",
    ]
    assert list(lm.grains["grain"]) == list(range(1, n + 1))


@pytest.mark.parametrize("case", list(CASES))
def test_volumes_sum_to_particle_and_matrix(built: Callable[[str], LoadedMesh], case: str) -> None:
    lm = built(case)
    spec = CASES[case]
    vols = {i: _measure(lm, tag) for i, tag in grain_tags(lm.markers).items()}
    assert len(vols) == spec.n_grains
    assert all(v > 0.0 for v in vols.values())
    measure = "volume_um3" if spec.dim == 3 else "area_um2"
    np.testing.assert_allclose([vols[i] for i in sorted(vols)], lm.grains[measure], rtol=1e-10)
    particle = sum(vols.values())
    assert particle == pytest.approx(spec.particle_measure, rel=_faceting_tol(spec))
    assert particle < spec.particle_measure  # inscribed facets
    if spec.matrix == "none":
        assert electrolyte_tag(lm.markers) is None
        return
    matrix = _measure(lm, T.ELECTROLYTE)
    outer = _matrix_measure(spec) + spec.particle_measure
    # The matrix fills the rest: its outer boundary (plane or sphere) is exact for a box.
    if spec.matrix == "box":
        assert matrix + particle == pytest.approx(outer, rel=1e-10)
    else:
        assert matrix + particle == pytest.approx(outer, rel=_faceting_tol(spec))
    assert matrix == pytest.approx(_matrix_measure(spec), rel=_faceting_tol(spec))


def test_faceting_error_shrinks_with_h(tmp_path: Path) -> None:
    errors = []
    for h in (1.0, 0.5):
        spec = GeometrySpec(n_grains=1, mesh_size_um=h, matrix="none")
        lm = load_mesh(MPI.COMM_SELF, build_mesh_folder(spec, tmp_path / f"h{h}"))
        errors.append(1.0 - _measure(lm, 1) / spec.particle_measure)
    assert 0.0 < errors[1] < 0.5 * errors[0]  # ~h²: a quarter, up to mesh irregularity


@pytest.mark.parametrize("case", list(CASES))
def test_every_grain_is_one_connected_volume(built: Callable[[str], LoadedMesh], case: str) -> None:
    lm = built(case)
    tdim = lm.dim
    ctag = _cell_tag_array(lm)
    f2c = _facet_cells(lm)
    offsets, links = f2c.offsets, f2c.array
    two = np.flatnonzero(np.diff(offsets) == 2)
    a, b = links[offsets[two]], links[offsets[two] + 1]
    same = ctag[a] == ctag[b]
    n = len(ctag)
    graph = coo_matrix((np.ones(int(same.sum())), (a[same], b[same])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    for tag in list(grain_tags(lm.markers).values()) + (
        [T.ELECTROLYTE] if "electrolyte" in lm.markers else []
    ):
        cells = np.flatnonzero(ctag == tag)
        assert len(cells) > 0
        assert len(np.unique(comp[cells])) == 1, f"cell tag {tag} is not connected"
    assert np.all(ctag >= 0), "every cell carries a tag"
    assert tdim in (2, 3)


@pytest.mark.parametrize("case", list(CASES))
def test_facet_tags_match_their_neighbours(built: Callable[[str], LoadedMesh], case: str) -> None:
    lm = built(case)
    spec = CASES[case]
    ctag = _cell_tag_array(lm)
    f2c = _facet_cells(lm)
    ft = lm.facet_tags
    r = spec.particle_radius_um
    for (i, j), tag in gb_tags(lm.markers).items():
        facets = ft.find(tag)
        assert len(facets) > 0
        for f in facets:
            cells = f2c.links(f)
            assert len(cells) == 2
            assert sorted(ctag[cells].tolist()) == [i, j]
    n_if = 0
    for i, tag in interface_tags(lm.markers).items():
        facets = ft.find(tag)
        n_if += len(facets)
        for f in facets:
            cells = f2c.links(f)
            expected = [i] if spec.matrix == "none" else [i, T.ELECTROLYTE]
            assert sorted(ctag[cells].tolist()) == expected
        pts = _facet_points(lm, facets)
        np.testing.assert_allclose(np.linalg.norm(pts, axis=2), r, rtol=1e-9)
    assert n_if == int(lm.grains["n_interface_facets"].sum())
    # Exterior facets are exactly the outer faces (or the particle surface with no matrix).
    lm.mesh.topology.create_connectivity(lm.dim - 1, lm.dim)
    exterior = set(dolfinx.mesh.exterior_facet_indices(lm.mesh.topology).tolist())
    outer = outer_tags(lm.markers)
    boundary_tags = set(outer.values()) if outer else set(interface_tags(lm.markers).values())
    tagged = {int(f) for t in boundary_tags for f in ft.find(t)}
    assert tagged == exterior
    half = 0.5 * spec.matrix_size_um
    for name, tag in outer.items():
        pts = _facet_points(lm, ft.find(tag))
        assert len(pts) > 0
        if name in ("outer_sphere", "outer_circle"):  # shell: outer radius matrix_size_um
            np.testing.assert_allclose(np.linalg.norm(pts, axis=2), spec.matrix_size_um, rtol=1e-9)
            continue
        axis = "xyz".index(name[6])
        sign = -1.0 if name.endswith("min") else 1.0
        np.testing.assert_allclose(pts[:, :, axis], sign * half, atol=1e-9)


def test_two_dimensional_tags(built: Callable[[str], LoadedMesh]) -> None:
    lm = built("box2d")
    assert lm.dim == 2
    assert lm.mesh.geometry.x[:, 2].max() == 0.0
    assert outer_tags(lm.markers) == {
        "outer_xmin": 3001,
        "outer_xmax": 3002,
        "outer_ymin": 3003,
        "outer_ymax": 3004,
    }
    assert all(d == 1 for name, (_, d) in lm.markers.items() if name.startswith(("gb_", "int")))
    assert outer_tags(built("shell2d").markers) == {"outer_circle": 3010}
    assert outer_tags(built("shell3d").markers) == {"outer_sphere": 3010}
    single = built("none2d")
    assert gb_tags(single.markers) == {}
    assert interface_tags(single.markers) == {1: 2001}
    header = (lm.folder / "grains.csv").read_text().splitlines()[0].split(",")
    assert "area_um2" in header and "interface_length_um" in header


def test_single_crystal_has_one_grain_and_no_boundaries(
    built: Callable[[str], LoadedMesh],
) -> None:
    lm = built("single3d")
    assert grain_tags(lm.markers) == {1: 1}
    assert gb_tags(lm.markers) == {}
    assert interface_tags(lm.markers) == {1: 2001}
    np.testing.assert_allclose(lm.grains["seed_x_um"], [0.0])


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_same_mesh_and_other_seed_differs(tmp_path: Path) -> None:
    spec = GeometrySpec(n_grains=6, seed=11, mesh_size_um=1.0, matrix="none")
    a = build_mesh_folder(spec, tmp_path / "a")
    b = build_mesh_folder(GeometrySpec(**spec.to_dict()), tmp_path / "b")
    assert (a / "grains.csv").read_text() == (b / "grains.csv").read_text()
    assert (a / "markers.json").read_text() == (b / "markers.json").read_text()
    other = GeometrySpec(**{**spec.to_dict(), "seed": 12})
    c = build_mesh_folder(other, tmp_path / "c")
    assert (a / "grains.csv").read_text() != (c / "grains.csv").read_text()
    assert other.cache_key() != spec.cache_key()


# --------------------------------------------------------------------------- cache and errors


def test_ensure_mesh_builds_once_then_reuses(tmp_path: Path) -> None:
    spec = GeometrySpec(n_grains=4, seed=1, mesh_size_um=1.0, matrix="none")
    folder = ensure_mesh(spec, tmp_path, MPI.COMM_SELF)
    assert folder == tmp_path / spec.cache_key()
    assert is_complete(folder)
    stamp = (folder / "mesh.msh").stat().st_mtime_ns
    again = ensure_mesh(spec, tmp_path, MPI.COMM_SELF)
    assert again == folder
    assert (folder / "mesh.msh").stat().st_mtime_ns == stamp
    # A folder without its info.json is incomplete and gets rebuilt.
    (folder / "info.json").unlink()
    assert not is_complete(folder)
    assert is_complete(ensure_mesh(spec, tmp_path, MPI.COMM_SELF))
    assert [p.name for p in tmp_path.iterdir()] == [spec.cache_key()]


def test_ensure_mesh_raises_geometry_error_with_advice(tmp_path: Path) -> None:
    spec = GeometrySpec(n_grains=300, mesh_size_um=1.2)
    with pytest.raises(GeometryError, match="lower mesh_size_um or n_grains"):
        ensure_mesh(spec, tmp_path, MPI.COMM_SELF)
    assert list(tmp_path.iterdir()) == []


def test_failed_regularised_build_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polycat.geometry.gmsh.pipeline as pipeline_mod

    real = pipeline_mod.build_particle_model
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise GeometryError("the tessellation split the particle into 5 pieces for 4")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_mod, "build_particle_model", flaky)
    spec = GeometrySpec(n_grains=4, seed=2, mesh_size_um=1.0, matrix="none")
    info = json.loads((build_mesh_folder(spec, tmp_path / "m") / "info.json").read_text())
    assert info["tessellation"]["regularize_used"] == 0.25
    assert "5 pieces" in info["tessellation"]["fallback_errors"][0]
    assert len(calls) == 2


def test_killed_build_leaves_no_complete_looking_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polycat.geometry.folder as folder_mod

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(folder_mod, "write_grain_plot", boom)
    spec = GeometrySpec(n_grains=2, mesh_size_um=1.0, matrix="none")
    with pytest.raises(KeyboardInterrupt):
        build_mesh_folder(spec, tmp_path / "m")
    assert not (tmp_path / "m").exists()
    assert os.listdir(tmp_path) == []
    assert math.isfinite(spec.mean_seed_spacing)
