"""One orientation per grain, drawn once from the config's seed (identical on every
rank), and the per-grain orientation table that goes with a mesh and a run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from polycat import crystal
from polycat.config.plan import OrientationSpec


@dataclass(frozen=True, slots=True)
class Microstructure:
    """Grain ids (mesh cell tags) and their orientations.

    Attributes:
        grain_ids: grain tags 1..N in table order.
        rotations: (N, 3, 3) active rotations crystal → sample (see `polycat.crystal`).
        centroids_um: (N, 3) grain centroids (particle centre at the origin), or None.
    """

    grain_ids: tuple[int, ...]
    rotations: NDArray[np.float64]
    centroids_um: NDArray[np.float64] | None = None

    def rotation_of(self) -> dict[int, NDArray[np.float64]]:
        """Mapping grain tag → 3×3 rotation."""
        return {g: self.rotations[i] for i, g in enumerate(self.grain_ids)}

    def table(self) -> list[dict[str, Any]]:
        """Rows: grain, quaternion (x, y, z, w), Bunge Euler angles (deg), c-axis, and
        c·r̂, the cosine between the c-axis and the grain's radius (1: c radial; 0: the
        ab-planes radial; empty without centroids)."""
        q = crystal.to_quaternions(self.rotations).reshape(-1, 4)
        euler = crystal.to_bunge_euler_deg(self.rotations).reshape(-1, 3)
        c = crystal.c_axes(self.rotations).reshape(-1, 3)
        c_dot_r: list[float | str] = [""] * len(self.grain_ids)
        if self.centroids_um is not None:
            r = np.asarray(self.centroids_um, dtype=np.float64).reshape(-1, 3)
            dist = np.linalg.norm(r, axis=1)
            c_dot_r = [
                float(c[i] @ r[i] / dist[i]) if dist[i] > 0.0 else ""
                for i in range(len(self.grain_ids))
            ]
        rows = []
        for i, g in enumerate(self.grain_ids):
            rows.append(
                {
                    "grain": g,
                    "q_x": float(q[i, 0]),
                    "q_y": float(q[i, 1]),
                    "q_z": float(q[i, 2]),
                    "q_w": float(q[i, 3]),
                    "phi1_deg": float(euler[i, 0]),
                    "Phi_deg": float(euler[i, 1]),
                    "phi2_deg": float(euler[i, 2]),
                    "c_axis_x": float(c[i, 0]),
                    "c_axis_y": float(c[i, 1]),
                    "c_axis_z": float(c[i, 2]),
                    "c_dot_radius": c_dot_r[i],
                }
            )
        return rows


ORIENTATION_COLUMNS = (
    "grain",
    "q_x",
    "q_y",
    "q_z",
    "q_w",
    "phi1_deg",
    "Phi_deg",
    "phi2_deg",
    "c_axis_x",
    "c_axis_y",
    "c_axis_z",
    "c_dot_radius",
)


def build_microstructure(
    orientation: OrientationSpec,
    grain_ids: list[int] | tuple[int, ...],
    centroids_um: NDArray[np.float64] | None = None,
) -> Microstructure:
    """Orientations for the grains `grain_ids` (in that order) from the config section.

    `centroids_um` (N, 3) are needed by the radial texture (particle centre at the origin).
    """
    n = len(grain_ids)
    kw: Mapping[str, Any]
    if orientation.texture == "fixed":
        kw = {"euler_bunge_deg": orientation.euler_deg}
    elif orientation.texture == "radial":
        kw = {"axis": orientation.axis, "spread_deg": orientation.spread_deg}
    else:
        kw = {}
    rot = crystal.orientations_from_texture(
        orientation.texture, n, orientation.seed, centroids=centroids_um, **kw
    )
    cents = None if centroids_um is None else np.asarray(centroids_um, dtype=np.float64)
    return Microstructure(tuple(int(g) for g in grain_ids), crystal.as_matrices(rot), cents)
