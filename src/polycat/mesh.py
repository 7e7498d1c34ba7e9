"""Read a mesh folder (see `polycat.geometry`) into DOLFINx on any number of ranks.

`load_mesh(comm, folder)` reads ``mesh.msh`` on rank 0 and distributes it with ghost mode
``shared_facet`` (interior-facet integrals over grain boundaries then work across process
boundaries); ``markers.json``, ``grains.csv`` and ``info.json`` are read on rank 0 and
broadcast. The tag scheme is that of `docs/internals.md`; the markers are parsed once into a
typed :class:`~polycat.geometry.tags.ParticleTags` (no other module reads tag names).
Coordinates are in µm.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401  (must be imported before dolfinx/petsc4py)
from mpi4py import MPI

import numpy as np
import numpy.typing as npt

import dolfinx
import dolfinx.io.gmsh
import dolfinx.mesh

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
    """

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    markers: Markers
    grains: dict[str, npt.NDArray[Any]]
    folder: Path
    tags: ParticleTags
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        """Geometric (and topological) dimension, 2 or 3."""
        return int(self.mesh.topology.dim)


def load_mesh(comm: MPI.Comm, folder: Path) -> LoadedMesh:
    """Read the mesh folder `folder` onto `comm` (collective).

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
            payload = ("ok", markers, _read_csv(folder / GRAINS_FILE), info)
        else:
            payload = ("missing",)
    payload = comm.bcast(payload, root=0)
    assert payload is not None
    if payload[0] != "ok":
        raise FileNotFoundError(f"{folder} is not a complete mesh folder (build it first)")
    _, markers, grains, info = payload
    dim = int(info["spec"]["dim"])
    data = _read_msh(comm, folder / MESH_FILE, dim)
    if data.cell_tags is None or data.facet_tags is None:
        raise RuntimeError(f"{folder / MESH_FILE} lacks cell or facet physical groups")
    data.cell_tags.name = "cell_tags"
    data.facet_tags.name = "facet_tags"
    return LoadedMesh(
        data.mesh,
        data.cell_tags,
        data.facet_tags,
        markers,
        grains,
        folder,
        ParticleTags.from_markers(markers),
        info,
    )


def _read_msh(comm: MPI.Comm, path: Path, dim: int) -> dolfinx.io.gmsh.MeshData:
    """`dolfinx.io.gmsh.read_from_msh` with ghost mode ``shared_facet`` and gmsh kept quiet
    (and an already initialised gmsh session left alone)."""
    # (singledispatch overload for a GhostMode; mypy only sees the generic signature)
    partitioner = dolfinx.mesh.create_cell_partitioner(  # type: ignore[call-arg]
        dolfinx.mesh.GhostMode.shared_facet, 2
    )
    error: str | None = None
    owns = False
    if comm.rank == 0:
        import gmsh

        from polycat.interrupts import reassert_handlers

        owns = not gmsh.isInitialized()
        if owns:
            gmsh.initialize(interruptible=False)
            reassert_handlers()  # gmsh.initialize resets SIGTERM to the default action
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.model.add("polycat_read")
        try:
            gmsh.merge(str(path))
        except Exception as exc:  # gmsh raises a bare Exception with its last error
            error = (
                f"{path}: cannot read the mesh file ({exc}); it is damaged or incomplete: "
                f"delete the folder {path.parent} and run again to rebuild it"
            )
    # Tell every rank before the collective read, so a bad file cannot leave them waiting.
    error = comm.bcast(error, root=0)
    try:
        if error is not None:
            raise GeometryError(error)
        model = None
        if comm.rank == 0:
            import gmsh

            model = gmsh.model
        return dolfinx.io.gmsh.model_to_mesh(model, comm, 0, gdim=dim, partitioner=partitioner)
    finally:
        if comm.rank == 0:
            import gmsh

            if owns:
                gmsh.finalize()
            else:
                gmsh.model.remove()


def _read_csv(path: Path) -> dict[str, npt.NDArray[Any]]:
    """Columns of a numeric CSV as arrays (integer columns stay integer)."""
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    out: dict[str, npt.NDArray[Any]] = {}
    for k, name in enumerate(header):
        values = [r[k] for r in body]
        if all(re.fullmatch(r"-?\d+", v) for v in values):
            out[name] = np.array([int(v) for v in values], dtype=np.int64)
        else:
            out[name] = np.array([float(v) for v in values], dtype=float)
    return out
