"""`GeometrySpec`: the frozen description of a particle geometry (the config's `geometry:`).

All lengths are in µm. The field names are the keys of the YAML `geometry:` section, so a
validated section converts with `GeometrySpec(**section)`.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from polycat.digest import stable_digest
from polycat.geometry.tags import MAX_GRAINS

MATRIX_KINDS = ("box", "shell", "none")

#: Bumped whenever the builder changes the mesh it makes for a given spec.
GEOMETRY_ALGORITHM_VERSION = 2  # 2: regularised tessellation with fallback (session 1)

_INT_FIELDS = frozenset({"dim", "n_grains", "seed", "lloyd_iterations"})


@dataclass(frozen=True)
class GeometrySpec:
    """A polycrystalline particle of radius R centred at the origin, in an optional matrix.

    Attributes:
        dim: 3 (sphere) or 2 (disc, plane strain).
        particle_radius_um: particle radius R, µm.
        n_grains: number of grains N (1 = single crystal).
        seed: seed of the tessellation's random numbers.
        matrix: solid electrolyte around the particle: ``"box"`` (cube/square of side
            `matrix_size_um`), ``"shell"`` (sphere/disc of outer radius `matrix_size_um`)
            or ``"none"`` (free particle).
        matrix_size_um: box side or shell outer radius, µm (ignored for ``"none"``).
        mesh_size_um: element size h inside the grains, µm.
        interface_mesh_size_um: element size on the particle surface and the grain
            boundaries, µm (default: `mesh_size_um`).
        matrix_mesh_size_um: element size far out in the matrix, µm
            (default: 2.5 × `mesh_size_um`).
        min_seed_spacing: hard-core seed distance as a fraction of the mean seed spacing
            (V/N)^(1/dim).
        lloyd_iterations: Lloyd relaxation passes applied to the seeds.
        grain_size_cv: target coefficient of variation of the grain volume (area in 2D);
            0 gives a Voronoi tessellation, > 0 a Laguerre (power) tessellation.
        regularize: collapse tessellation edges shorter than ``regularize × mesh_size_um``
            (0 disables regularisation).
    """

    dim: int = 3
    particle_radius_um: float = 5.0
    n_grains: int = 30
    seed: int = 1
    matrix: str = "box"
    matrix_size_um: float = 15.0
    mesh_size_um: float = 0.6
    interface_mesh_size_um: float | None = None
    matrix_mesh_size_um: float | None = None
    min_seed_spacing: float = 0.5
    lloyd_iterations: int = 2
    grain_size_cv: float = 0.0
    regularize: float = 0.5

    def __post_init__(self) -> None:
        """Validate every field (a `ValueError` naming the ``geometry.`` key)."""
        r = self.particle_radius_um
        if self.dim not in (2, 3):
            raise ValueError(f"geometry.dim must be 2 or 3, got {self.dim!r}")
        _positive("particle_radius_um", r)
        _positive("mesh_size_um", self.mesh_size_um)
        if self.interface_mesh_size_um is not None:
            _positive("interface_mesh_size_um", self.interface_mesh_size_um)
        if self.matrix_mesh_size_um is not None:
            _positive("matrix_mesh_size_um", self.matrix_mesh_size_um)
        if isinstance(self.n_grains, bool) or not isinstance(self.n_grains, int):
            raise ValueError(f"geometry.n_grains must be an integer, got {self.n_grains!r}")
        if not 1 <= self.n_grains <= MAX_GRAINS:
            raise ValueError(
                f"geometry.n_grains must be between 1 and {MAX_GRAINS} (the tag scheme of "
                f"docs/internals.md holds at most {MAX_GRAINS} grains), got {self.n_grains}"
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"geometry.seed must be a non-negative integer, got {self.seed!r}")
        if self.matrix not in MATRIX_KINDS:
            raise ValueError(
                f"geometry.matrix must be one of {', '.join(MATRIX_KINDS)}, got {self.matrix!r}"
            )
        if self.matrix == "box" and self.matrix_size_um <= 2.0 * r:
            raise ValueError(
                f"geometry.matrix_size_um ({self.matrix_size_um} µm) is the box side and must "
                f"exceed the particle diameter 2·particle_radius_um = {2.0 * r} µm"
            )
        if self.matrix == "shell" and self.matrix_size_um <= r:
            raise ValueError(
                f"geometry.matrix_size_um ({self.matrix_size_um} µm) is the shell outer radius "
                f"and must exceed particle_radius_um ({r} µm)"
            )
        if self.mesh_size_um >= r:
            raise ValueError(
                f"geometry.mesh_size_um ({self.mesh_size_um} µm) must be smaller than "
                f"particle_radius_um ({r} µm); a useful mesh needs mesh_size_um ≲ R/5"
            )
        if not 0.0 <= self.min_seed_spacing <= 0.9:
            raise ValueError(
                f"geometry.min_seed_spacing must be in [0, 0.9], got {self.min_seed_spacing}"
            )
        if isinstance(self.lloyd_iterations, bool) or not isinstance(self.lloyd_iterations, int):
            raise ValueError(
                f"geometry.lloyd_iterations must be an integer, got {self.lloyd_iterations!r}"
            )
        if not 0 <= self.lloyd_iterations <= 50:
            raise ValueError(
                f"geometry.lloyd_iterations must be in 0…50, got {self.lloyd_iterations}"
            )
        if not 0.0 <= self.grain_size_cv <= 1.5 or not math.isfinite(self.grain_size_cv):
            raise ValueError(
                f"geometry.grain_size_cv must be in [0, 1.5], got {self.grain_size_cv}"
            )
        if not 0.0 <= self.regularize <= 2.0:
            raise ValueError(f"geometry.regularize must be in [0, 2], got {self.regularize}")

    # ----------------------------------------------------------------- derived sizes (µm)
    @property
    def interface_size(self) -> float:
        """Element size on the particle surface and the grain boundaries, µm."""
        return (
            self.mesh_size_um
            if self.interface_mesh_size_um is None
            else float(self.interface_mesh_size_um)
        )

    @property
    def matrix_size(self) -> float:
        """Element size far out in the matrix, µm."""
        return (
            2.5 * self.mesh_size_um
            if self.matrix_mesh_size_um is None
            else float(self.matrix_mesh_size_um)
        )

    @property
    def particle_measure(self) -> float:
        """Particle volume (3D, µm³) or area (2D, µm²) of the exact sphere/disc."""
        r = self.particle_radius_um
        return 4.0 / 3.0 * math.pi * r**3 if self.dim == 3 else math.pi * r**2

    @property
    def profile_radius_um(self) -> float:
        """Radius the radial profiles of the particle span (R), µm."""
        return float(self.particle_radius_um)

    @property
    def mean_seed_spacing(self) -> float:
        """Mean seed spacing (V/N)^(1/dim), µm."""
        return float((self.particle_measure / self.n_grains) ** (1.0 / self.dim))

    # ----------------------------------------------------------------- serialisation
    def to_dict(self) -> dict[str, Any]:
        """All fields, by name (JSON-serialisable)."""
        return dataclasses.asdict(self)

    def cache_key(self) -> str:
        """Short stable hash of all fields (12 hex characters) naming the mesh folder.

        Numbers are normalised (``5`` and ``5.0`` hash alike) and the hash includes
        `GEOMETRY_ALGORITHM_VERSION`, so a change of the builder invalidates old folders.
        """
        fields = {
            k: (
                float(v)
                if isinstance(v, int | float) and not isinstance(v, bool) and k not in _INT_FIELDS
                else v
            )
            for k, v in self.to_dict().items()
        }
        fields["_algorithm"] = GEOMETRY_ALGORITHM_VERSION
        return stable_digest(fields, 12)


def _positive(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and value > 0.0):
        raise ValueError(f"geometry.{name} must be a positive number of µm, got {value!r}")
