"""Read a mesh folder (see `polycat.geometry`) into DOLFINx on any number of ranks.

`load_mesh(comm, folder)` reads ``mesh.msh`` on rank 0 and distributes it with ghost mode
``shared_facet`` (interior-facet integrals over grain boundaries then work across process
boundaries); ``markers.json``, ``grains.csv`` and ``info.json`` are read on rank 0 and
broadcast. The tag scheme is that of `docs/internals.md`; the markers are parsed once into a
typed :class:`~polycat.geometry.tags.ParticleTags` (no other module reads tag names).
Coordinates are in µm.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401  (must be imported before dolfinx/petsc4py)
from mpi4py import MPI

import numpy as np
import numpy.typing as npt

import dolfinx
import dolfinx.graph
import dolfinx.io
import dolfinx.io.gmsh
import dolfinx.mesh

from polycat.fileio import read_columns
from polycat.geometry.errors import GeometryError
from polycat.geometry.folder import GRAINS_FILE, INFO_FILE, MARKERS_FILE, MESH_FILE, is_complete
from polycat.geometry.tags import ParticleTags

Markers = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class LoadedMesh:
    """A distributed particle mesh with its tags and tables.

    Attributes:
        mesh: the DOLFINx mesh (µm), ghost mode ``shared_facet``.
        cell_tags: grain ids 1..N and 1000 (electrolyte).
        facet_tags: grain boundaries, interface patches and outer faces.
        markers: name → (tag, dim), identical on every rank.
        tags: the markers, typed (grains, electrolyte, grain boundaries, interface patches,
            outer faces).
        grains: ``grains.csv`` as column name → array (one entry per grain, in grain order).
        folder: the mesh folder.
        info: ``info.json`` (spec, versions, quality, timings).
        split: for a mesh split along its interfaces (:func:`load_mesh` with
            ``split=True``), the facet pairs; None for the conforming mesh.
    """

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    markers: Markers
    grains: dict[str, npt.NDArray[Any]]
    folder: Path
    tags: ParticleTags
    info: dict[str, Any] = field(default_factory=dict)
    split: SplitTags | None = None

    @property
    def dim(self) -> int:
        """Geometric (and topological) dimension, 2 or 3."""
        return int(self.mesh.topology.dim)


@dataclass(frozen=True)
class SplitTags:
    """The facet pairs of a mesh split along its interfaces (:mod:`polycat.geometry.split`).

    Every grain boundary and CAM–SE interface facet is two exterior facets of the split
    mesh, one per side, with identical node coordinates.

    Attributes:
        pair_facets: facet tags whose value is ``2 m + side`` for pair ``m`` (side 0:
            grain i of ``gb_i_j`` / the grain of ``interface_i``; side 1: grain j / the
            electrolyte), on the facets this rank has.
        pair_tag: (M,) the interface facet tag of each pair (same on every rank).
    """

    pair_facets: dolfinx.mesh.MeshTags
    pair_tag: npt.NDArray[np.int64]

    @property
    def n_pairs(self) -> int:
        """Number of facet pairs (global)."""
        return len(self.pair_tag)


def load_mesh(comm: MPI.Comm, folder: Path, split: bool = False) -> LoadedMesh:
    """Read the mesh folder `folder` onto `comm` (collective). With ``split``, every grain
    (and the electrolyte) gets its own copy of the nodes it shares with another region,
    so that fields may jump across every grain boundary and the CAM–SE interface; the
    facet pairs are in :attr:`LoadedMesh.split`.

    Raises:
        FileNotFoundError: on every rank, if the folder is missing or incomplete.
    """
    folder = Path(folder)
    payload: tuple[Any, ...] | None = None
    if comm.rank == 0:
        if is_complete(folder):
            markers = {
                k: (int(v[0]), int(v[1]))
                for k, v in json.loads((folder / MARKERS_FILE).read_text()).items()
            }
            info = json.loads((folder / INFO_FILE).read_text())
            payload = ("ok", markers, read_columns(folder / GRAINS_FILE), info)
        else:
            payload = ("missing",)
    payload = comm.bcast(payload, root=0)
    assert payload is not None
    if payload[0] != "ok":
        raise FileNotFoundError(f"{folder} is not a complete mesh folder (build it first)")
    _, markers, grains, info = payload
    dim = int(info["spec"]["dim"])
    tags = ParticleTags.from_markers(markers)
    if split:
        mesh, cell_tags, facet_tags, split_tags = read_split_msh(comm, folder / MESH_FILE, dim)
        return LoadedMesh(
            mesh, cell_tags, facet_tags, markers, grains, folder, tags, info, split_tags
        )
    data = _read_msh(comm, folder / MESH_FILE, dim)
    if data.cell_tags is None or data.facet_tags is None:
        raise RuntimeError(f"{folder / MESH_FILE} lacks cell or facet physical groups")
    data.cell_tags.name = "cell_tags"
    data.facet_tags.name = "facet_tags"
    return LoadedMesh(
        data.mesh, data.cell_tags, data.facet_tags, markers, grains, folder, tags, info
    )


def _read_msh(comm: MPI.Comm, path: Path, dim: int) -> dolfinx.io.gmsh.MeshData:
    """`dolfinx.io.gmsh.read_from_msh` with ghost mode ``shared_facet`` and gmsh kept quiet
    (and an already initialised gmsh session left alone)."""
    # (singledispatch overload for a GhostMode; mypy only sees the generic signature)
    partitioner = dolfinx.mesh.create_cell_partitioner(  # type: ignore[call-arg]
        dolfinx.mesh.GhostMode.shared_facet, 2
    )
    model: Any = None
    error: str | None = None
    with contextlib.ExitStack() as stack:
        if comm.rank == 0:
            from polycat.geometry.gmsh.session import open_msh

            model, error = stack.enter_context(open_msh(path))
        # Tell every rank before the collective read, so a bad file cannot leave them waiting.
        error = comm.bcast(error, root=0)
        if error is not None:
            raise GeometryError(error)
        return dolfinx.io.gmsh.model_to_mesh(model, comm, 0, gdim=dim, partitioner=partitioner)


def _partitioner() -> Any:
    # (singledispatch overload for a GhostMode; mypy only sees the generic signature)
    return dolfinx.mesh.create_cell_partitioner(  # type: ignore[call-arg]
        dolfinx.mesh.GhostMode.shared_facet, 2
    )


def _unsplit_partitioner(cells: Any, unsplit: Any) -> Any:
    """The cell partitioner of the split mesh, run on the connectivity of the mesh before
    the split (``unsplit``: the same cells with every node copy mapped back to its
    original node).

    On the split topology the regions share no facet, so the graph partitioner sees every
    grain as a separate piece and cuts the mesh along whole grain boundaries and interfaces:
    then most facet pairs couple DOFs of two ranks, processor-local smoothers (SOR) treat
    those stiff couplings like Jacobi and the Krylov solve stalls. Partitioned as the
    conforming mesh, the ranks' borders cross the interfaces only along lines. Cells that
    share a facet of the unsplit mesh are ghosted across it (a superset of the split
    mesh's facet neighbours, which ``shared_facet`` needs)."""
    base = _partitioner()
    flat = np.ascontiguousarray(np.asarray(unsplit, dtype=np.int64).ravel())
    given = np.asarray(cells, dtype=np.int64).ravel()

    def partition(comm: Any, nparts: int, cell_types: Any, parts: Any) -> Any:
        if len(parts) == 1 and np.array_equal(np.asarray(parts[0]), given):
            return base(comm, nparts, cell_types, [flat])
        return base(comm, nparts, cell_types, parts)  # not the cells we know: as given

    return partition


def read_split_msh(
    comm: MPI.Comm, path: Path, dim: int
) -> tuple[dolfinx.mesh.Mesh, dolfinx.mesh.MeshTags, dolfinx.mesh.MeshTags, SplitTags]:
    """Read ``path`` on rank 0, split it along every grain boundary and interface facet
    (:func:`polycat.geometry.split.split_mesh`) and distribute the split mesh (collective).

    Returns (mesh, cell tags, facet tags, the facet pairs)."""
    import basix.ufl
    import ufl

    from polycat.geometry.split import facet_sides, split_mesh

    error: str | None = None
    arrays: Any = None
    if comm.rank == 0:
        from polycat.geometry.gmsh.session import msh_arrays, open_msh

        with open_msh(path) as (model, error):
            if error is None:
                raw = msh_arrays(model, dim)
        if error is None:
            present = set(np.unique(raw["cell_tags"]).tolist())
            split_set = {
                int(t)
                for t in np.unique(raw["facet_tags"])
                if (sides := facet_sides(int(t))) is not None and set(sides) <= present
            }
            arrays = split_mesh(
                raw["points"],
                raw["cells"],
                raw["cell_tags"],
                raw["facets"],
                raw["facet_tags"],
                split_set,
            )
    error = comm.bcast(error, root=0)
    if error is not None:
        raise GeometryError(error)
    cell = "tetrahedron" if dim == 3 else "triangle"
    domain = ufl.Mesh(basix.ufl.element("Lagrange", cell, 1, shape=(dim,)))
    if comm.rank == 0:
        cells, x = arrays.cells, arrays.points[:, :dim]
        unsplit = arrays.node_origin[arrays.cells]
    else:
        cells, x = np.zeros((0, dim + 1), np.int64), np.zeros((0, dim))
        unsplit = cells
    mesh = dolfinx.mesh.create_mesh(comm, cells, domain, x, _unsplit_partitioner(cells, unsplit))
    tdim = mesh.topology.dim

    def tags_of(d: int, entities: Any, values: Any, name: str) -> dolfinx.mesh.MeshTags:
        if comm.rank != 0:
            entities = np.zeros((0, d + 1), np.int64)
            values = np.zeros(0, np.int32)
        local, local_values = dolfinx.io.distribute_entity_data(
            mesh, d, np.asarray(entities, np.int64), np.asarray(values, np.int32)
        )
        mesh.topology.create_connectivity(d, tdim)
        adj = dolfinx.graph.adjacencylist(local)
        mt = dolfinx.mesh.meshtags_from_entities(
            mesh, d, adj, np.asarray(local_values, dtype=np.int32)
        )
        mt.name = name
        return mt

    cell_entities: Any
    cell_values: Any
    facet_entities: Any
    facet_values: Any
    pair_entities: Any
    pair_values: Any
    pair_tag: Any
    if comm.rank == 0:
        cell_entities, cell_values = arrays.cells, arrays.cell_tags
        facet_entities, facet_values = arrays.facets, arrays.facet_tags
        m = len(arrays.pairs)
        pair_entities = arrays.facets[arrays.pairs.ravel()]
        pair_values = (2 * np.arange(m)[:, None] + np.arange(2)[None, :]).ravel()
        pair_tag = arrays.pair_tags
    else:
        cell_entities = cell_values = facet_entities = facet_values = None
        pair_entities = pair_values = pair_tag = None
    cell_tags = tags_of(tdim, cell_entities, cell_values, "cell_tags")
    facet_tags = tags_of(tdim - 1, facet_entities, facet_values, "facet_tags")
    pair_facets = tags_of(tdim - 1, pair_entities, pair_values, "pair_facets")
    pair_tag = comm.bcast(pair_tag, root=0)
    return mesh, cell_tags, facet_tags, SplitTags(pair_facets, np.asarray(pair_tag, np.int64))
