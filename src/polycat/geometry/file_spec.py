"""`FileGeometrySpec`: a particle mesh read from a file (``geometry.kind: file``).

The config names the file, which cell tags (or cell sets) are solid electrolyte and which
are grains, and the factor to µm. Everything else a run needs — dimension, grain count,
particle size and centre, matrix kind and size, element size — is derived from the mesh
(:func:`polycat.geometry.mesh_file.inspect_mesh_file`) and held here as :class:`MeshFacts`,
under the attribute names of :class:`~polycat.geometry.spec.GeometrySpec`, so the rest of
polycat reads either spec alike. Pure Python (no numpy, no meshio, no gmsh).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from polycat.digest import stable_digest
from polycat.geometry.spec import GeometrySpec

__all__ = ["FILE_IMPORT_VERSION", "AnyGeometrySpec", "FileGeometrySpec", "FileRegions", "MeshFacts"]

#: Bumped whenever the import changes the mesh folder it writes for a given file.
FILE_IMPORT_VERSION = 1

RegionKey = int | str
"""A volume region of the file: a cell tag (``regions.cell_data``) or a cell-set name
(``regions.cell_sets``)."""


@dataclass(frozen=True)
class FileRegions:
    """Which volume cells of the file are what (``geometry.regions``).

    Attributes:
        cell_data: the meshio cell-data name holding the volume tags (e.g.
            ``gmsh:physical``, ``cell_tags``, ``tag``); None with `cell_sets`.
        cell_sets: the regions are the file's cell sets (Abaqus ``*ELSET``), by name.
        electrolyte: the tags (set names) that are solid electrolyte; empty: no matrix.
        grains: ``"all_others"`` (every other volume tag is a grain) or the grain tags
            (set names).
    """

    cell_data: str | None
    cell_sets: bool
    electrolyte: tuple[RegionKey, ...]
    grains: Literal["all_others"] | tuple[RegionKey, ...]

    def source(self) -> str:
        """Where the region keys come from, for messages."""
        return "its cell sets" if self.cell_sets else f"cell data {self.cell_data!r}"

    def to_dict(self) -> dict[str, Any]:
        """JSON form (the config's ``geometry.regions``)."""
        return {
            "cell_data": self.cell_data,
            "cell_sets": self.cell_sets,
            "electrolyte": list(self.electrolyte),
            "grains": self.grains if isinstance(self.grains, str) else list(self.grains),
        }


@dataclass(frozen=True)
class MeshFacts:
    """What the mesh of a file says about the particle (lengths in µm, after the scale).

    Attributes:
        dim: 3 (tetrahedra) or 2 (triangles).
        n_grains: number of grains N.
        grain_map: (file tag or set name, grain id) of each grain, grain ids 1..N.
        particle_radius_um: equivalent radius (3V/4π)^(1/3) of the grains' volume V (2D:
            √(A/π) of their area).
        particle_measure: the grains' volume (µm³) or area (µm²).
        particle_outer_radius_um: the largest distance of a grain node from the centre.
        center_um: the particle centre in the scaled file coordinates; the mesh folder's
            coordinates are the file's minus this (its particle centre is the origin).
        matrix: ``"box"`` (the electrolyte's outer boundary is an axis-aligned box),
            ``"shell"`` (any other outer boundary: a sphere, a circle or irregular) or
            ``"none"`` (no electrolyte cells).
        matrix_size_um: box: twice the distance from the centre to the nearest box face
            (the side of the largest centred cube inside); shell: the largest distance of
            an outer node from the centre; none: 0.
        outer_boundary: ``"box"``, ``"sphere"`` (``"circle"`` in 2D), ``"irregular"`` or
            ``"none"``.
        mesh_size_um: mean edge length of the grain cells.
        interface_mesh_size_um: mean edge length of the grain-boundary and interface
            facets (None: there are none).
        n_cells, n_nodes: volume cells and nodes of the mesh.
        n_reoriented: cells whose vertex order was reversed to give them positive volume.
    """

    dim: int
    n_grains: int
    grain_map: tuple[tuple[RegionKey, int], ...]
    particle_radius_um: float
    particle_measure: float
    particle_outer_radius_um: float
    center_um: tuple[float, float, float]
    matrix: str
    matrix_size_um: float
    outer_boundary: str
    mesh_size_um: float
    interface_mesh_size_um: float | None
    n_cells: int
    n_nodes: int
    n_reoriented: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``info.json``; ``grain_map`` as a list of [file key, grain id])."""
        return {
            "dim": self.dim,
            "n_grains": self.n_grains,
            "grain_map": [[k, g] for k, g in self.grain_map],
            "particle_radius_um": self.particle_radius_um,
            "particle_measure": self.particle_measure,
            "particle_outer_radius_um": self.particle_outer_radius_um,
            "center_um": list(self.center_um),
            "matrix": self.matrix,
            "matrix_size_um": self.matrix_size_um,
            "outer_boundary": self.outer_boundary,
            "mesh_size_um": self.mesh_size_um,
            "interface_mesh_size_um": self.interface_mesh_size_um,
            "n_cells": self.n_cells,
            "n_nodes": self.n_nodes,
            "n_reoriented": self.n_reoriented,
        }


@dataclass(frozen=True)
class FileGeometrySpec:
    """A particle mesh read from ``file`` (``geometry.kind: file``), with its derived facts.

    Attributes:
        file: absolute path of the mesh file.
        sha256: SHA-256 of its bytes when it was inspected (part of the cache key).
        regions: the tag map.
        scale_to_um: factor from the file's length unit to µm.
        center_given_um: the configured particle centre (scaled file coordinates, µm), or
            None for the grains' volume centroid.
        facts: what the mesh says (dimension, grains, size, matrix, ...).
    """

    file: str
    sha256: str
    regions: FileRegions
    scale_to_um: float
    center_given_um: tuple[float, float, float] | None
    facts: MeshFacts

    kind: Literal["file"] = "file"

    # ------------------------------------------------- the names GeometrySpec has (µm)
    @property
    def dim(self) -> int:
        """3 or 2, from the cell type."""
        return self.facts.dim

    @property
    def n_grains(self) -> int:
        """Number of grains."""
        return self.facts.n_grains

    @property
    def particle_radius_um(self) -> float:
        """Equivalent radius of the grains' volume (area in 2D), µm."""
        return self.facts.particle_radius_um

    @property
    def matrix(self) -> str:
        """``box``, ``shell`` or ``none`` (see :class:`MeshFacts`)."""
        return self.facts.matrix

    @property
    def matrix_size_um(self) -> float:
        """Box side or outer radius of the electrolyte, µm (see :class:`MeshFacts`)."""
        return self.facts.matrix_size_um

    @property
    def mesh_size_um(self) -> float:
        """Mean edge length in the grains, µm."""
        return self.facts.mesh_size_um

    @property
    def interface_mesh_size_um(self) -> float | None:
        """Mean edge length on the grain boundaries and the interface, µm."""
        return self.facts.interface_mesh_size_um

    @property
    def interface_size(self) -> float:
        """Element size on the particle surface and the grain boundaries, µm."""
        h = self.facts.interface_mesh_size_um
        return self.facts.mesh_size_um if h is None else h

    @property
    def particle_measure(self) -> float:
        """Volume (3D, µm³) or area (2D, µm²) of the grains."""
        return self.facts.particle_measure

    @property
    def profile_radius_um(self) -> float:
        """Radius the radial profiles of the particle span: the largest distance of a
        grain node from the centre (so they cover the whole particle), µm."""
        return self.facts.particle_outer_radius_um

    # ----------------------------------------------------------------- serialisation
    def key_data(self) -> dict[str, Any]:
        """What the mesh folder depends on: the file's content, the tag map, the scale
        and the centre (not the file's path: the same file elsewhere reuses the folder)."""
        return {
            "kind": "file",
            "sha256": self.sha256,
            "regions": self.regions.to_dict(),
            "scale_to_um": float(self.scale_to_um),
            "center_um": None if self.center_given_um is None else list(self.center_given_um),
            "_import": FILE_IMPORT_VERSION,
        }

    def cache_key(self) -> str:
        """Short stable hash (12 hex characters) naming the mesh folder."""
        return stable_digest(self.key_data(), 12)

    def to_dict(self) -> dict[str, Any]:
        """The spec and its facts (``info.json``'s ``spec``), with the GeometrySpec names
        (``dim``, ``n_grains``, ``particle_radius_um``, ``matrix``, ...) at the top."""
        facts = self.facts.to_dict()
        return {
            "kind": "file",
            "file": self.file,
            "sha256": self.sha256,
            "regions": self.regions.to_dict(),
            "scale_to_um": self.scale_to_um,
            "center_given_um": None if self.center_given_um is None else list(self.center_given_um),
            **{k: facts[k] for k in ("dim", "n_grains", "particle_radius_um", "matrix")},
            "matrix_size_um": self.matrix_size_um,
            "mesh_size_um": self.mesh_size_um,
            "interface_mesh_size_um": self.interface_mesh_size_um,
            "facts": facts,
        }

    def derived(self) -> dict[str, Any]:
        """The derived geometry in the config's field names (run.json's
        ``config.geometry.derived``: what reports show for a mesh from a file)."""
        return {
            "dim": self.dim,
            "n_grains": self.n_grains,
            "particle_radius_um": _round(self.particle_radius_um),
            "matrix": self.matrix,
            "matrix_size_um": _round(self.matrix_size_um),
            "mesh_size_um": _round(self.mesh_size_um),
            "center_um": [_round(c) for c in self.facts.center_um],
            "sha256": self.sha256,
            "cache_key": self.cache_key(),
        }


def _round(x: float) -> float:
    """``x`` to 12 significant digits (tables, not arithmetic)."""
    return float(f"{x:.12g}") if math.isfinite(x) else x


AnyGeometrySpec = GeometrySpec | FileGeometrySpec
"""Either geometry: generated (``kind: generated``) or read from a file (``kind: file``)."""
