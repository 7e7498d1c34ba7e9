"""Reading an external conforming simplex mesh into polycat's tag scheme (``kind: file``).

The file (anything meshio reads: Gmsh ``.msh`` from Neper or an imaging pipeline, VTU,
Abaqus ``.inp``, MED, a polycat export) holds first-order tetrahedra (3D) or triangles
(2D) with a volume tag per cell (a cell-data array, or cell sets). Everything else is
derived from the volume cells, as the generated mesh would have it (docs/internals.md):

* grains renumbered 1..N in the order of the file's tags (ascending; cell sets: in file
  order), the electrolyte tagged 1000;
* facets of two different grains → ``gb_<i>_<j>``; of a grain and the electrolyte (or of
  a grain alone on the boundary, without electrolyte) → ``interface_<i>``; of the
  electrolyte alone → the outer faces: ``outer_xmin`` … ``outer_zmax`` where the outer
  boundary is an axis-aligned box, else one round face ``outer_sphere``/``outer_circle``;
* the checks of a generated mesh: every grain one face-connected piece, the particle
  (union of the grains) one body and the whole mesh one body, no facet in more than two
  cells, no flat cell (inverted ones are re-oriented), no grain on the outer boundary of an
  electrolyte.

The particle centre (the grains' volume centroid, or ``geometry.center_um``) becomes the
origin of the mesh folder's coordinates (the contract of docs/internals.md), so readers,
sections and radial textures need no change. numpy/scipy and meshio only (no gmsh).
"""

from __future__ import annotations

import functools
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from polycat.errors import ConfigError, GeometryError
from polycat.geometry import tags as T
from polycat.geometry.file_spec import FileGeometrySpec, FileRegions, MeshFacts, RegionKey
from polycat.geometry.mesh_arrays import MeshArrays, simplex_measures

__all__ = ["ImportedMesh", "file_sha256", "import_mesh_file", "inspect_mesh_file"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: meshio cell types by topological dimension that polycat reads (first order only).
SIMPLEX = {3: "tetra", 2: "triangle"}
#: A cell is flat when |volume| < FLAT × (longest edge)^dim.
FLAT = 1e-10
#: Relative tolerance (of the mesh extent) for a facet to lie on a face of the outer box.
BOX_TOL = 1e-6
#: Relative spread of the outer nodes' distances from the centre below which the outer
#: boundary counts as a sphere (circle).
ROUND_TOL = 1e-3


@dataclass(frozen=True)
class ImportedMesh:
    """A mesh file in polycat's tag scheme, checked (coordinates in µm, centred).

    Attributes:
        spec: the spec with the facts of this mesh.
        points: (P, 3) node coordinates (file × scale − centre), µm.
        cells: (C, dim + 1) node indices, positive orientation, in file order.
        cell_tags: (C,) grain id 1..N or 1000 (electrolyte).
        facets: (F, dim) node indices of every tagged facet.
        facet_tags: (F,) their tags (``gb``, ``interface``, ``outer``).
        markers: name → (tag, dim), as ``markers.json``.
        extra: what else ``info.json`` records (outer box, counts per class).
    """

    spec: FileGeometrySpec
    points: FloatArray
    cells: IntArray
    cell_tags: IntArray
    facets: IntArray
    facet_tags: IntArray
    markers: dict[str, tuple[int, int]]
    extra: dict[str, Any] = field(default_factory=dict)

    def arrays(self) -> MeshArrays:
        """The mesh as :class:`MeshArrays` (matrix cells labelled 0; interface facets per
        grain) for ``grains.csv`` and ``grains.png``."""
        grain = np.where(self.cell_tags == T.ELECTROLYTE, 0, self.cell_tags).astype(np.int64)
        facets = {
            int(t) - T.INTERFACE_BASE: self.facets[self.facet_tags == t]
            for t in np.unique(self.facet_tags)
            if T.INTERFACE_BASE < int(t) < T.INTERFACE_BASE + 1000
        }
        return MeshArrays(self.points, self.cells, grain, facets)


# --------------------------------------------------------------------------- entry points


def file_sha256(path: Path) -> str:
    """SHA-256 (hex) of the file's bytes."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def inspect_mesh_file(
    file: str | Path,
    regions: FileRegions,
    scale_to_um: float = 1.0,
    center_um: tuple[float, float, float] | None = None,
) -> FileGeometrySpec:
    """The spec of the mesh in ``file``: read it, check it, derive its facts.

    Cached per (path, content hash, regions, scale, centre): the config layer asks for it
    more than once per run.

    Raises:
        ConfigError: the file is missing or unreadable, ``regions`` do not fit it, or
            it holds cells polycat does not read (naming the ``geometry.`` field).
        GeometryError: the mesh fails a check (naming the grain and what is wrong).
    """
    path = _existing(file)
    if not (isinstance(scale_to_um, int | float) and math.isfinite(scale_to_um)):
        raise ConfigError(f"geometry.scale_to_um must be a finite number, got {scale_to_um!r}")
    if scale_to_um <= 0.0:
        raise ConfigError(
            f"geometry.scale_to_um must be positive (µm per length unit of the file: 1 for "
            f"µm, 1e-3 for nm, 1e3 for mm), got {scale_to_um}"
        )
    return _inspect(str(path), file_sha256(path), regions, float(scale_to_um), center_um)


@functools.lru_cache(maxsize=8)
def _inspect(
    path: str,
    sha256: str,
    regions: FileRegions,
    scale_to_um: float,
    center_um: tuple[float, float, float] | None,
) -> FileGeometrySpec:
    return _build(Path(path), sha256, regions, scale_to_um, center_um).spec


def import_mesh_file(spec: FileGeometrySpec) -> ImportedMesh:
    """Read and check ``spec.file`` again (for the mesh folder); it must still be the file
    the spec was made from.

    Raises:
        GeometryError: the file changed since (or as :func:`inspect_mesh_file`).
    """
    path = _existing(spec.file)
    sha = file_sha256(path)
    if sha != spec.sha256:
        raise GeometryError(
            f"geometry.file {path} changed since the run was planned (SHA-256 {sha[:12]}… "
            f"instead of {spec.sha256[:12]}…); start the run again"
        )
    return _build(path, sha, spec.regions, spec.scale_to_um, spec.center_given_um)


def _existing(file: str | Path) -> Path:
    path = Path(file).expanduser()
    if not path.is_file():
        raise ConfigError(
            f"geometry.file: no such file {path} (a relative path is relative to the config "
            "file's directory); give the path of the mesh file"
        )
    return path.resolve()


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Raw:
    dim: int
    points: FloatArray
    cells: IntArray
    keys: list[RegionKey]  # region key of each label value (index)
    label: IntArray  # (C,) index into keys


def _read(path: Path, regions: FileRegions) -> _Raw:
    """The volume cells of the file with their region keys (no checks beyond the types)."""
    import meshio

    try:
        mesh = meshio.read(str(path))
    except Exception as exc:  # meshio raises many types (ReadError, KeyError, ...)
        raise ConfigError(
            f"geometry.file: meshio cannot read {path} ({type(exc).__name__}: {exc}); give a "
            "mesh file meshio reads (.msh, .vtu, .inp, .med, ...)"
        ) from None
    blocks = list(mesh.cells)
    dims = {int(b.dim) for b in blocks if len(b.data)}
    dim = max((d for d in dims if d in (2, 3)), default=0)
    if dim == 0:
        raise ConfigError(
            f"geometry.file: {path} has no volume (3D) or surface (2D) cells; polycat reads "
            "tetrahedra or triangles"
        )
    volume = [k for k, b in enumerate(blocks) if int(b.dim) == dim and len(b.data)]
    other = sorted({blocks[k].type for k in volume if blocks[k].type != SIMPLEX[dim]})
    if other:
        counts = ", ".join(
            f"{sum(len(blocks[k].data) for k in volume if blocks[k].type == t)} {t}" for t in other
        )
        raise ConfigError(
            f"geometry.file: {path} has {counts} cells; polycat reads first-order "
            f"{'tetrahedra' if dim == 3 else 'triangles'} only: remesh or convert the "
            "file (e.g. gmsh -3 -order 1, or split the cells into simplices)"
        )
    cells = np.concatenate([np.asarray(blocks[k].data, dtype=np.int64) for k in volume])
    if regions.cell_sets:
        keys, label = _labels_from_sets(path, mesh, volume, [len(b.data) for b in blocks])
    else:
        keys, label = _labels_from_data(path, mesh, volume, regions)
    pts = np.asarray(mesh.points, dtype=np.float64)
    points = np.zeros((len(pts), 3))
    points[:, : min(3, pts.shape[1])] = pts[:, :3]
    return _Raw(dim, points, cells, keys, label)


def _labels_from_data(
    path: Path, mesh: Any, volume: list[int], regions: FileRegions
) -> tuple[list[RegionKey], IntArray]:
    name = regions.cell_data
    if name not in mesh.cell_data:
        sets = (
            f"; it has cell sets ({', '.join(list(mesh.cell_sets)[:8])}): use "
            "regions.cell_sets: true"
            if mesh.cell_sets
            else ""
        )
        have = ", ".join(repr(k) for k in mesh.cell_data) or "none"
        raise ConfigError(
            f"geometry.regions.cell_data: {path} has no cell data {name!r} (it has: {have}"
            f"{sets}); name the cell data that holds the volume tags"
        )
    data = mesh.cell_data[name]
    raw = np.concatenate([np.asarray(data[k]).reshape(-1) for k in volume])
    if raw.dtype.kind == "f" and not (np.all(np.isfinite(raw)) and np.all(raw == np.round(raw))):
        raise ConfigError(
            f"geometry.regions.cell_data: {name!r} of {path} holds non-integer values; "
            "name the cell data with the integer volume tags"
        )
    values = raw.astype(np.int64)
    uniq, label = np.unique(values, return_inverse=True)
    return [int(v) for v in uniq], label.astype(np.int64)


def _labels_from_sets(
    path: Path, mesh: Any, volume: list[int], sizes: list[int]
) -> tuple[list[RegionKey], IntArray]:
    if not mesh.cell_sets:
        have = ", ".join(repr(k) for k in mesh.cell_data) or "none"
        raise ConfigError(
            f"geometry.regions.cell_sets: {path} has no cell sets (cell data: {have}); use "
            "regions.cell_data: NAME"
        )
    offsets = {}
    start = 0
    for k in volume:
        offsets[k] = start
        start += sizes[k]
    label = np.full(start, -1, dtype=np.int64)
    keys: list[RegionKey] = []
    for name, per_block in mesh.cell_sets.items():
        members = [
            offsets[k] + np.asarray(per_block[k], dtype=np.int64)
            for k in volume
            if k < len(per_block) and per_block[k] is not None and len(per_block[k])
        ]
        if not members:
            continue  # a set of facets (or nodes): not a volume region
        idx = np.concatenate(members)
        taken = label[idx] >= 0
        if np.any(taken):
            other = keys[int(label[idx[taken][0]])]
            raise ConfigError(
                f"geometry.regions.cell_sets: {int(taken.sum())} volume cells of {path} are in "
                f"both cell sets {other!r} and {name!r}; every volume cell must be in one set"
            )
        label[idx] = len(keys)
        keys.append(str(name))
    if np.any(label < 0):
        raise ConfigError(
            f"geometry.regions.cell_sets: {int((label < 0).sum())} of {len(label)} volume cells "
            f"of {path} are in no cell set; every volume cell needs a region"
        )
    return keys, label


# --------------------------------------------------------------------------- the import


def _build(
    path: Path,
    sha256: str,
    regions: FileRegions,
    scale: float,
    center_um: tuple[float, float, float] | None,
) -> ImportedMesh:
    raw = _read(path, regions)
    dim = raw.dim
    src = f"{path.name} ({regions.source()})"
    region_of, grain_map = _regions(raw, regions, src)
    n_grains = len(grain_map)
    # drop unused nodes (keeping the file's order), scale
    used = np.unique(raw.cells)
    remap = np.full(len(raw.points), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    cells = remap[raw.cells]
    points = raw.points[used] * scale if scale != 1.0 else raw.points[used].copy()
    if dim == 2:
        extent = float(np.ptp(points[:, :2], axis=0).max())
        if np.ptp(points[:, 2]) > 1e-9 * extent:
            raise ConfigError(
                f"geometry.file: the triangles of {path.name} do not lie in one plane z = "
                "const; a 2D mesh must be planar (x, y)"
            )
        points[:, 2] = 0.0
    cell_tag = np.where(region_of[raw.label] > 0, region_of[raw.label], T.ELECTROLYTE)
    cells, n_flipped = _orient(points, cells, cell_tag, src)
    vol = simplex_measures(points, cells)
    in_grain = cell_tag != T.ELECTROLYTE
    v_p = float(vol[in_grain].sum())
    if center_um is None:
        centres = points[cells].mean(axis=1)
        center = (vol[in_grain, None] * centres[in_grain]).sum(axis=0) / v_p
    else:
        center = np.asarray(center_um, dtype=np.float64)
    if dim == 2:
        center[2] = 0.0
    if np.any(center != 0.0):
        points = points - center[None, :]
    topo = _topology(cells, cell_tag, n_grains, points, src)
    has_se = bool(np.any(~in_grain))
    facets, facet_tags, outer_kind, matrix_size, extra = _classify(
        dim, points, cells, cell_tag, topo, has_se, grain_map, src
    )
    markers = _markers(dim, n_grains, has_se, facet_tags)
    r_eq = (3.0 * v_p / (4.0 * math.pi)) ** (1.0 / 3.0) if dim == 3 else math.sqrt(v_p / math.pi)
    r_out = float(np.linalg.norm(points[np.unique(cells[in_grain])], axis=1).max())
    h_if = _mean_edge(points, facets[(facet_tags >= T.GB_BASE) | _is_interface(facet_tags)])
    facts = MeshFacts(
        dim=dim,
        n_grains=n_grains,
        grain_map=tuple(grain_map),
        particle_radius_um=float(r_eq),
        particle_measure=v_p,
        particle_outer_radius_um=r_out,
        center_um=(float(center[0]), float(center[1]), float(center[2])),
        matrix="none" if not has_se else ("box" if outer_kind == "box" else "shell"),
        matrix_size_um=float(matrix_size),
        outer_boundary=outer_kind,
        mesh_size_um=_mean_edge(points, cells[in_grain]),
        interface_mesh_size_um=None if math.isnan(h_if) else h_if,
        n_cells=len(cells),
        n_nodes=len(points),
        n_reoriented=n_flipped,
    )
    spec = FileGeometrySpec(
        file=str(path),
        sha256=sha256,
        regions=regions,
        scale_to_um=scale,
        center_given_um=center_um,
        facts=facts,
    )
    return ImportedMesh(spec, points, cells, cell_tag.astype(np.int64), facets, facet_tags,
                        markers, extra)  # fmt: skip


def _regions(
    raw: _Raw, regions: FileRegions, src: str
) -> tuple[IntArray, list[tuple[RegionKey, int]]]:
    """Region of each label (grain id 1..N, or 0 for the electrolyte) and the grain map."""
    present = list(raw.keys)
    shown = ", ".join(str(k) for k in present[:20]) + (" …" if len(present) > 20 else "")
    for what, keys in (("electrolyte", regions.electrolyte), ("grains", regions.grains)):
        if isinstance(keys, str):
            continue
        missing = [k for k in keys if k not in present]
        if missing:
            noun = "cell sets" if regions.cell_sets else "tags"
            raise ConfigError(
                f"geometry.regions.{what}: {', '.join(repr(k) for k in missing)} not among the "
                f"volume {noun} of {src}: {shown}; list only {noun} the file has"
            )
    se = set(regions.electrolyte)
    if regions.grains == "all_others":
        grains = [k for k in present if k not in se]
    else:
        wanted = set(regions.grains)
        grains = [k for k in present if k in wanted]
        stray = [k for k in present if k not in wanted and k not in se]
        if stray:
            count = int(np.isin(raw.label, [present.index(k) for k in stray]).sum())
            raise ConfigError(
                f"geometry.regions: {count} volume cells of {src} have "
                f"{', '.join(repr(k) for k in stray)}, in neither regions.electrolyte nor "
                "regions.grains; add them to one (or use grains: all_others)"
            )
    if not grains:
        raise ConfigError(
            f"geometry.regions: no grain cells in {src}: every volume region ({shown}) is in "
            "regions.electrolyte; list the electrolyte tags only"
        )
    if len(grains) > T.MAX_GRAINS:
        raise ConfigError(
            f"geometry.file: {src} has {len(grains)} grains; the tag scheme of "
            f"docs/internals.md holds at most {T.MAX_GRAINS}"
        )
    region_of = np.zeros(len(present), dtype=np.int64)
    grain_map: list[tuple[RegionKey, int]] = []
    for gid, key in enumerate(grains, start=1):
        region_of[present.index(key)] = gid
        grain_map.append((key, gid))
    return region_of, grain_map


def _orient(
    points: FloatArray, cells: IntArray, cell_tag: IntArray, src: str
) -> tuple[IntArray, int]:
    """Cells with positive volume (inverted ones have two vertices swapped); flat cells
    are refused."""
    p = points[cells]
    n = cells.shape[1]
    if n == 4:
        signed = (
            np.einsum("ij,ij->i", p[:, 1] - p[:, 0], np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]))
            / 6.0
        )
    else:
        e1, e2 = p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]
        signed = 0.5 * (e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0])
    longest = np.zeros(len(cells))
    for a in range(n):
        for b in range(a + 1, n):
            longest = np.maximum(longest, np.linalg.norm(p[:, a] - p[:, b], axis=1))
    flat = np.abs(signed) <= FLAT * longest ** (n - 1)
    if np.any(flat):
        k = int(np.flatnonzero(flat)[0])
        where = ", ".join(f"{c:.4g}" for c in p[k].mean(axis=0))
        raise GeometryError(
            f"geometry.file: {int(flat.sum())} cells of {src} are flat (zero volume), e.g. "
            f"cell {k} of region {_region_name(int(cell_tag[k]))} at ({where}); repair the mesh"
        )
    flip = signed < 0.0
    if np.any(flip):
        cells = cells.copy()
        cells[flip, 0], cells[flip, 1] = cells[flip, 1], cells[flip, 0].copy()
    return cells, int(flip.sum())


def _region_name(tag: int) -> str:
    return "electrolyte" if tag == T.ELECTROLYTE else f"grain {tag}"


@dataclass(frozen=True)
class _Topology:
    facets: IntArray  # (U, d) unique facets, sorted node indices
    c0: IntArray  # (U,) a cell of each facet
    c1: IntArray  # (U,) the other cell (-1 on the boundary)


def _topology(
    cells: IntArray, cell_tag: IntArray, n_grains: int, points: FloatArray, src: str
) -> _Topology:
    """The facets with their one or two cells; non-manifold facets and disconnected
    grains, particle or mesh are refused."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = cells.shape[1]
    c = len(cells)
    faces = np.sort(np.concatenate([np.delete(cells, k, axis=1) for k in range(n)]), axis=1)
    owner = np.tile(np.arange(c, dtype=np.int64), n)
    uniq, inverse, counts = np.unique(faces, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    if np.any(counts > 2):
        bad = np.flatnonzero(counts > 2)
        f = int(bad[0])
        holders = owner[inverse == f]
        regions = ", ".join(sorted({_region_name(int(cell_tag[h])) for h in holders}))
        where = ", ".join(f"{x:.4g}" for x in points[uniq[f]].mean(axis=0))
        raise GeometryError(
            f"geometry.file: {len(bad)} facets of {src} are shared by more than two cells "
            f"(non-manifold), e.g. the facet at ({where}) in {int(counts[f])} cells of "
            f"{regions}; the mesh must be a conforming volume mesh without overlapping cells"
        )
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    c0 = owner[order[starts]]
    c1 = np.where(counts == 2, owner[order[np.minimum(starts + 1, len(order) - 1)]], -1)
    inner = c1 >= 0
    a, b = c0[inner], c1[inner]

    def components(mask: npt.NDArray[np.bool_]) -> IntArray:
        g = coo_matrix((np.ones(int(mask.sum())), (a[mask], b[mask])), shape=(c, c))
        return np.asarray(connected_components(g, directed=False)[1], dtype=np.int64)

    ta, tb = cell_tag[a], cell_tag[b]
    same = components(ta == tb)
    hint = _duplicate_hint(points)
    for gid in range(1, n_grains + 1):
        pieces, sizes = np.unique(same[cell_tag == gid], return_counts=True)
        if len(pieces) > 1:
            small = int(pieces[np.argmin(sizes)])
            sel = np.flatnonzero((same == small) & (cell_tag == gid))
            where = ", ".join(f"{x:.4g}" for x in points[cells[sel]].reshape(-1, 3).mean(axis=0))
            raise GeometryError(
                f"geometry.file: grain {gid} of {src} is {len(pieces)} disconnected pieces "
                f"(cells joined by faces: {', '.join(str(s) for s in sorted(sizes)[::-1])} "
                f"cells; the smallest near ({where})); each grain tag must be one connected "
                f"volume: give each piece its own tag{hint}"
            )
    grain_cells = cell_tag != T.ELECTROLYTE
    particle = components((ta != T.ELECTROLYTE) & (tb != T.ELECTROLYTE))
    n_bodies = len(np.unique(particle[grain_cells]))
    if n_bodies > 1:
        raise GeometryError(
            f"geometry.file: the grains of {src} form {n_bodies} separate bodies; the "
            f"particle (the union of the grains) must be one connected body{hint}"
        )
    whole = len(np.unique(components(np.ones(len(a), dtype=bool))))
    if whole > 1:
        raise GeometryError(
            f"geometry.file: {src} is {whole} separate bodies (electrolyte pieces that touch "
            f"nothing else?); the mesh must be one connected body{hint}"
        )
    return _Topology(uniq.astype(np.int64), c0.astype(np.int64), c1.astype(np.int64))


def _duplicate_hint(points: FloatArray) -> str:
    n_unique = len(np.unique(points, axis=0))
    if n_unique == len(points):
        return ""
    return (
        f" ({len(points) - n_unique} nodes of the file coincide with other nodes: the regions "
        "look meshed separately, not conforming; merge the duplicate nodes)"
    )


def _is_interface(facet_tags: IntArray) -> npt.NDArray[np.bool_]:
    return (facet_tags > T.INTERFACE_BASE) & (facet_tags < T.INTERFACE_BASE + 1000)


def _classify(
    dim: int,
    points: FloatArray,
    cells: IntArray,
    cell_tag: IntArray,
    topo: _Topology,
    has_se: bool,
    grain_map: list[tuple[RegionKey, int]],
    src: str,
) -> tuple[IntArray, IntArray, str, float, dict[str, Any]]:
    """Facet tags of the grain boundaries, interface patches and outer faces; the kind
    and size of the outer boundary; extra facts for info.json."""
    t0 = cell_tag[topo.c0]
    t1 = np.where(topo.c1 >= 0, cell_tag[np.maximum(topo.c1, 0)], -1)
    se = T.ELECTROLYTE
    tag = np.zeros(len(topo.facets), dtype=np.int64)
    two = topo.c1 >= 0
    gb = two & (t0 != se) & (t1 != se) & (t0 != t1)
    lo, hi = np.minimum(t0, t1), np.maximum(t0, t1)
    tag[gb] = T.GB_BASE + 1000 * lo[gb] + hi[gb]
    itf = two & ((t0 == se) != (t1 == se))
    tag[itf] = T.INTERFACE_BASE + np.where(t0[itf] == se, t1[itf], t0[itf])
    surface = ~two & (t0 != se)
    if np.any(surface) and has_se:
        f = int(np.flatnonzero(surface)[0])
        where = ", ".join(f"{x:.4g}" for x in points[topo.facets[f]].mean(axis=0))
        key = {g: k for k, g in grain_map}[int(t0[f])]
        raise GeometryError(
            f"geometry.file: grain {int(t0[f])} ({key!r} in {src}) reaches the outer boundary "
            f"of the mesh ({int(surface.sum())} facets, e.g. at ({where})); with an "
            "electrolyte the particle must lie inside it: add electrolyte around it, or "
            "drop the electrolyte tags for a free particle"
        )
    tag[surface] = T.INTERFACE_BASE + t0[surface]
    outer = ~two & (t0 == se)
    outer_kind, size = "none", 0.0
    extra: dict[str, Any] = {}
    if np.any(outer):
        outer_tags, outer_kind, size, extra = _outer(dim, points, topo.facets[outer])
        tag[outer] = outer_tags
    keep = tag > 0
    facets = topo.facets[keep]
    facet_tags = tag[keep]
    order = np.argsort(facet_tags, kind="stable")
    extra["facets_per_class"] = {
        "gb": int(np.count_nonzero(facet_tags >= T.GB_BASE)),
        "interface": int(np.count_nonzero(_is_interface(facet_tags))),
        "outer": int(np.count_nonzero(outer)),
    }
    return facets[order], facet_tags[order], outer_kind, size, extra


def _outer(
    dim: int, points: FloatArray, facets: IntArray
) -> tuple[IntArray, str, float, dict[str, Any]]:
    """Tags of the outer facets: the box faces if every one lies on a face of the
    axis-aligned bounding box of the outer nodes, else the one round outer face."""
    nodes = np.unique(facets)
    lo, hi = points[nodes].min(axis=0), points[nodes].max(axis=0)
    tol = BOX_TOL * float((hi - lo)[:dim].max())
    tags = np.zeros(len(facets), dtype=np.int64)
    fp = points[facets]  # (F, dim, 3)
    for axis, letter in enumerate("xyz"[:dim]):
        for side, bound in (("min", lo[axis]), ("max", hi[axis])):
            on = (tags == 0) & np.all(np.abs(fp[:, :, axis] - bound) <= tol, axis=1)
            tags[on] = T.OUTER_BOX[f"outer_{letter}{side}"]
    if np.all(tags > 0):
        half = np.minimum(-lo[:dim], hi[:dim])
        return tags, "box", float(2.0 * half.min()), {
            "outer_box_um": [lo[:dim].tolist(), hi[:dim].tolist()]
        }  # fmt: skip
    r = np.linalg.norm(points[nodes][:, :dim], axis=1)
    kind = ("sphere" if dim == 3 else "circle") if np.ptp(r) <= ROUND_TOL * r.max() else "irregular"
    tags[:] = T.OUTER_ROUND
    return tags, kind, float(r.max()), {"outer_radius_range_um": [float(r.min()), float(r.max())]}


def _markers(
    dim: int, n_grains: int, has_se: bool, facet_tags: IntArray
) -> dict[str, tuple[int, int]]:
    """``markers.json`` in the order the generated mesh writes it."""
    markers: dict[str, tuple[int, int]] = {}
    for i in range(1, n_grains + 1):
        markers[T.grain_name(i)] = (T.grain_tag(i), dim)
    if has_se:
        markers["electrolyte"] = (T.ELECTROLYTE, dim)
    present = {int(t) for t in np.unique(facet_tags)}
    for t in sorted(t for t in present if t >= T.GB_BASE):
        rest = t - T.GB_BASE
        markers[T.gb_name(rest // 1000, rest % 1000)] = (t, dim - 1)
    for t in sorted(t for t in present if T.INTERFACE_BASE < t < T.INTERFACE_BASE + 1000):
        markers[T.interface_name(t - T.INTERFACE_BASE)] = (t, dim - 1)
    outer = [(name, t) for name, t in T.OUTER_BOX.items() if t in present]
    if T.OUTER_ROUND in present:
        outer.append((T.outer_round_name(dim), T.OUTER_ROUND))
    for name, t in sorted(outer):
        markers[name] = (t, dim - 1)
    return markers


def _mean_edge(points: FloatArray, simplices: IntArray) -> float:
    """Mean edge length of the simplices (NaN for none), µm."""
    if len(simplices) == 0:
        return float("nan")
    n = simplices.shape[1]
    lengths = [
        np.linalg.norm(points[simplices[:, a]] - points[simplices[:, b]], axis=1)
        for a in range(n)
        for b in range(a + 1, n)
    ]
    return float(np.mean(np.concatenate(lengths)))
