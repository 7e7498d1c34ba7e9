"""The generated mesh as numpy arrays, and the per-grain table computed from it.

`polycat.geometry.gmsh.meshing.extract_mesh` fills `MeshArrays` from the Gmsh model; the
rest is numpy only. Volumes and centroids are those of the (faceted) mesh, so they equal
what DOLFINx assembles on it. Lengths in µm, volumes µm³ (areas µm² in 2D).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class MeshArrays:
    """Nodes and cells of the mesh.

    Attributes:
        points: (P, 3) node coordinates, µm.
        cells: (C, dim + 1) node indices (0-based rows of `points`).
        cell_grain: (C,) grain id of each cell (0 for the matrix).
        facets: interface facets per grain: grain id → (F, dim) node indices.
    """

    points: FloatArray
    cells: IntArray
    cell_grain: IntArray
    facets: dict[int, IntArray]


def simplex_measures(points: FloatArray, simplices: IntArray) -> FloatArray:
    """Volumes (tets, µm³), areas (triangles, µm²) or lengths (segments, µm)."""
    p = points[simplices]
    n = simplices.shape[1]
    if n == 4:
        d = np.einsum("ij,ij->i", p[:, 1] - p[:, 0], np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0]))
        return np.abs(d) / 6.0
    if n == 3:
        return 0.5 * np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)
    return np.linalg.norm(p[:, 1] - p[:, 0], axis=1)


def grain_table(
    dim: int, arrays: MeshArrays, seeds: FloatArray, weights: FloatArray
) -> dict[str, FloatArray | IntArray]:
    """Per-grain columns of ``grains.csv`` (one row per grain id 1..N, in order).

    Columns: grain, volume_um3 (area_um2 in 2D), centroid_{x,y,z}_um, seed_{x,y,z}_um,
    weight_um2, n_interface_facets, interface_area_um2 (interface_length_um in 2D).
    """
    n = len(seeds)
    measure = simplex_measures(arrays.points, arrays.cells)
    centres = arrays.points[arrays.cells].mean(axis=1)
    label = arrays.cell_grain
    vol = np.bincount(label, weights=measure, minlength=n + 1)[1:]
    cen = (
        np.stack(
            [
                np.bincount(label, weights=measure * centres[:, k], minlength=n + 1)[1:]
                for k in range(3)
            ],
            axis=1,
        )
        / np.maximum(vol, 1e-300)[:, None]
    )
    seeds3 = np.zeros((n, 3))
    seeds3[:, : seeds.shape[1]] = seeds
    n_if = np.zeros(n, dtype=np.int64)
    a_if = np.zeros(n)
    for i, f in arrays.facets.items():
        n_if[i - 1] = len(f)
        a_if[i - 1] = float(simplex_measures(arrays.points, f).sum())
    vol_name = "volume_um3" if dim == 3 else "area_um2"
    if_name = "interface_area_um2" if dim == 3 else "interface_length_um"
    return {
        "grain": np.arange(1, n + 1, dtype=np.int64),
        vol_name: vol,
        "centroid_x_um": cen[:, 0],
        "centroid_y_um": cen[:, 1],
        "centroid_z_um": cen[:, 2],
        "seed_x_um": seeds3[:, 0],
        "seed_y_um": seeds3[:, 1],
        "seed_z_um": seeds3[:, 2],
        "weight_um2": np.asarray(weights, dtype=float),
        "n_interface_facets": n_if,
        if_name: a_if,
    }
