"""The particle and its surroundings as FEM objects: grain submesh, phase tags,
cell-wise fields and transfers between the parent mesh and the grain submesh.

The Li fraction lives on the submesh of all grain cells (docs/design.md §2: transport only in
the particle); the CAM–SE interface facets are exterior facets of that submesh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)
from mpi4py import MPI

import numpy as np
from numpy.typing import NDArray

import dolfinx.mesh
import ufl
from dolfinx import fem

__all__ = [
    "GRAIN",
    "INTERFACE",
    "MATRIX",
    "ParticleDomain",
    "build_particle_domain",
    "cellwise_tensor_field",
    "transfer",
]

GRAIN = 1
"""Phase tag of grain cells in :attr:`ParticleDomain.phase_tags`."""
MATRIX = 2
"""Phase tag of solid-electrolyte cells in :attr:`ParticleDomain.phase_tags`."""
INTERFACE = 1
"""Facet tag of the CAM–SE interface in :attr:`ParticleDomain.sub_interface_tags`."""


@dataclass
class ParticleDomain:
    """Parent mesh, grain submesh and the maps between them.

    Attributes:
        mesh: the whole mesh (µm).
        cell_tags, facet_tags: the mesh tags of the mesh folder (docs/internals.md).
        grain_tags: cell tags of the grains.
        matrix_tag: cell tag of the solid electrolyte (None: no matrix).
        phase_tags: cell tags on ``mesh``: :data:`GRAIN` or :data:`MATRIX` per cell.
        submesh: mesh of all grain cells.
        sub_cells: local cells of ``submesh`` (owned and ghost), ``arange``.
        parent_cells: the parent cell of each entry of ``sub_cells``.
        sub_interface_tags: facet tags on ``submesh``: :data:`INTERFACE` on the CAM–SE
            interface (the union of the ``interface_<i>`` patches).
        sub_cell_tags: the grain tag of every submesh cell.
        cell_map: the submesh→mesh cell :class:`dolfinx.mesh.EntityMap`.
        sub_pair_facets: on a split mesh, its facet-pair tags transferred to ``submesh``
            (None otherwise).
    """

    mesh: dolfinx.mesh.Mesh
    cell_tags: dolfinx.mesh.MeshTags
    facet_tags: dolfinx.mesh.MeshTags
    grain_tags: tuple[int, ...]
    matrix_tag: int | None
    phase_tags: dolfinx.mesh.MeshTags
    submesh: dolfinx.mesh.Mesh
    sub_cells: NDArray[np.int32]
    parent_cells: NDArray[np.int32]
    sub_interface_tags: dolfinx.mesh.MeshTags
    sub_cell_tags: dolfinx.mesh.MeshTags
    cell_map: dolfinx.mesh.EntityMap
    sub_pair_facets: dolfinx.mesh.MeshTags | None = None

    @property
    def comm(self) -> MPI.Comm:
        """The communicator of the mesh."""
        return self.mesh.comm

    def particle_volume(self) -> float:
        """Volume of the grain submesh (µm³; µm² in 2D), from the discrete mesh."""
        one = fem.Constant(self.submesh, 1.0)
        return _assemble_global(one * ufl.dx(domain=self.submesh), self.comm)

    def interface_area(self) -> float:
        """Area of the CAM–SE interface (µm²; µm in 2D), from the discrete mesh."""
        ds = ufl.Measure("ds", domain=self.submesh, subdomain_data=self.sub_interface_tags)
        one = fem.Constant(self.submesh, 1.0)
        return _assemble_global(one * ds(INTERFACE), self.comm)


def _assemble_global(form: ufl.Form, comm: MPI.Comm) -> float:
    return float(comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM))


def _num_local_cells(msh: dolfinx.mesh.Mesh) -> int:
    imap = msh.topology.index_map(msh.topology.dim)
    return int(imap.size_local + imap.num_ghosts)


def build_particle_domain(
    mesh: dolfinx.mesh.Mesh,
    cell_tags: dolfinx.mesh.MeshTags,
    facet_tags: dolfinx.mesh.MeshTags,
    grain_tags: Sequence[int],
    matrix_tag: int | None,
    interface_tags: Sequence[int],
    pair_facets: dolfinx.mesh.MeshTags | None = None,
) -> ParticleDomain:
    """Build the grain submesh, phase tags and interface tags (collective).

    Raises:
        ValueError: a grain or interface tag has no entity on any rank, the matrix tag
            is missing, or some cell is neither grain nor matrix.
    """
    comm = mesh.comm
    tdim = mesh.topology.dim
    grain_tags = tuple(int(t) for t in grain_tags)
    if len(grain_tags) == 0:
        raise ValueError("at least one grain tag is needed")
    for t in grain_tags:
        if comm.allreduce(len(cell_tags.find(t)), op=MPI.SUM) == 0:
            raise ValueError(f"grain tag {t} has no cells")
    grain_cells = np.unique(np.concatenate([cell_tags.find(t) for t in grain_tags])).astype(
        np.int32
    )
    n_cells = _num_local_cells(mesh)
    phase = np.full(n_cells, -1, dtype=np.int32)
    phase[grain_cells] = GRAIN
    if matrix_tag is not None:
        matrix_cells = cell_tags.find(int(matrix_tag))
        if comm.allreduce(len(matrix_cells), op=MPI.SUM) == 0:
            raise ValueError(f"matrix tag {matrix_tag} has no cells")
        phase[matrix_cells] = MATRIX
    # Cells not carried by cell_tags locally (should not happen) are reported globally.
    n_owned = mesh.topology.index_map(tdim).size_local
    n_bad = comm.allreduce(int(np.count_nonzero(phase[:n_owned] < 0)), op=MPI.SUM)
    if n_bad:
        raise ValueError(f"{n_bad} cells are tagged neither as grain nor as matrix")
    all_cells = np.arange(n_cells, dtype=np.int32)
    phase_tags = dolfinx.mesh.meshtags(mesh, tdim, all_cells, phase)

    submesh, cell_map, vertex_map, _ = dolfinx.mesh.create_submesh(mesh, tdim, grain_cells)
    n_sub = _num_local_cells(submesh)
    sub_cells = np.arange(n_sub, dtype=np.int32)
    parent_cells = np.asarray(cell_map.sub_topology_to_topology(sub_cells, False), dtype=np.int32)

    # Interface facets of the submesh (union of interface_<i>), as one tag.
    mesh.topology.create_connectivity(tdim - 1, tdim)
    sub_facet_tags = dolfinx.mesh.transfer_meshtags_to_submesh(
        facet_tags, submesh, vertex_map, cell_map
    )
    iface = [sub_facet_tags.find(int(t)) for t in interface_tags]
    iface_facets = (
        np.unique(np.concatenate(iface)).astype(np.int32) if iface else np.zeros(0, np.int32)
    )
    if comm.allreduce(len(iface_facets), op=MPI.SUM) == 0:
        raise ValueError(f"no CAM–SE interface facets found for tags {list(interface_tags)}")
    sub_interface_tags = dolfinx.mesh.meshtags(
        submesh, tdim - 1, iface_facets, np.full(len(iface_facets), INTERFACE, dtype=np.int32)
    )
    # Grain tag of each submesh cell.
    parent_tag = np.full(n_cells, -1, dtype=np.int32)
    parent_tag[cell_tags.indices] = cell_tags.values
    sub_cell_tags = dolfinx.mesh.meshtags(submesh, tdim, sub_cells, parent_tag[parent_cells])

    sub_pairs = None
    if pair_facets is not None:
        sub_pairs = dolfinx.mesh.transfer_meshtags_to_submesh(
            pair_facets, submesh, vertex_map, cell_map
        )
    return ParticleDomain(
        sub_pair_facets=sub_pairs,
        mesh=mesh,
        cell_tags=cell_tags,
        facet_tags=facet_tags,
        grain_tags=grain_tags,
        matrix_tag=None if matrix_tag is None else int(matrix_tag),
        phase_tags=phase_tags,
        submesh=submesh,
        sub_cells=sub_cells,
        parent_cells=parent_cells,
        sub_interface_tags=sub_interface_tags,
        sub_cell_tags=sub_cell_tags,
        cell_map=cell_map,
    )


def cellwise_tensor_field(
    V: fem.FunctionSpace,
    cell_tags: dolfinx.mesh.MeshTags,
    values: Mapping[int, NDArray[np.float64]],
    default: NDArray[np.float64],
) -> fem.Function:
    """A DG0 function on ``V`` equal to ``values[tag]`` on the cells with that tag.

    ``V`` is a DG0 space of any value shape; ``values`` and ``default`` (used for cells
    whose tag is not a key) must have that shape.
    """
    f = fem.Function(V)
    shape = V.value_shape
    bs = V.dofmap.index_map_bs
    arr = f.x.array.reshape(-1, bs)
    msh = V.mesh
    n_cells = _num_local_cells(msh)
    tag_of = np.full(n_cells, np.iinfo(np.int32).min, dtype=np.int64)
    tag_of[cell_tags.indices] = cell_tags.values
    dofs = V.dofmap.list[:n_cells, 0]
    arr[dofs] = np.asarray(default, dtype=np.float64).reshape(shape).ravel()
    for tag, value in values.items():
        cells = np.flatnonzero(tag_of == tag)
        arr[dofs[cells]] = np.asarray(value, dtype=np.float64).reshape(shape).ravel()
    f.x.scatter_forward()
    return f


def transfer(
    source: fem.Function,
    target: fem.Function,
    source_cells: NDArray[np.int32],
    target_cells: NDArray[np.int32],
) -> None:
    """Interpolate ``source`` into ``target`` on matching cells of a mesh and its submesh.

    ``source_cells[i]`` and ``target_cells[i]`` are the same cell in the two meshes. The
    elements should match (then the transfer is an exact copy); DOFs of ``target`` not
    touched by ``target_cells`` keep their values.
    """
    target.interpolate(source, cells0=source_cells, cells1=target_cells)
    target.x.scatter_forward()
