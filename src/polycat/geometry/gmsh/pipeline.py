"""From a `GeometrySpec` to a tagged, meshed gmsh model (one gmsh session, rank 0 only).

Steps: seeds → power diagram → regularisation → planar face pieces (the pure
`polycat.geometry.tessellation`) → OCC booleans → physical groups → size fields → mesh →
quality check. `run_pipeline` returns everything the mesh folder needs; `build_msh` runs it
in a session of its own and writes ``mesh.msh`` before the session closes (the other files
of the folder are written by `polycat.geometry.folder`).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gmsh

from polycat.geometry.errors import GeometryError
from polycat.geometry.gmsh.meshing import (
    MeshQuality,
    check_quality,
    extract_mesh,
    generate_mesh,
    mesh_quality,
)
from polycat.geometry.gmsh.occ_model import ParticleModel, build_particle_model
from polycat.geometry.gmsh.session import gmsh_session
from polycat.geometry.gmsh.sizing import apply_size_fields
from polycat.geometry.gmsh.tagging import FacetClasses, add_physical_groups, classify_facets
from polycat.geometry.mesh_arrays import MeshArrays
from polycat.geometry.spec import GeometrySpec
from polycat.geometry.tessellation.faces import PieceStats, planar_pieces
from polycat.geometry.tessellation.power_diagram import power_diagram
from polycat.geometry.tessellation.regularize import RegularizationStats, regularize
from polycat.geometry.tessellation.seeds import SeedSet, check_resolution, place_seeds

LOG = logging.getLogger(__name__)


@dataclass
class PipelineResult:
    """What one build produced (the gmsh model itself stays in the open session)."""

    spec: GeometrySpec
    seeds: SeedSet
    regularization: RegularizationStats
    pieces: PieceStats
    model: ParticleModel
    facets: FacetClasses
    markers: dict[str, tuple[int, int]]
    quality: MeshQuality
    arrays: MeshArrays
    min_curve_um: float
    element_counts: dict[str, int]
    timings_s: dict[str, float] = field(default_factory=dict)
    regularize_used: float = 0.0
    fallback_errors: list[str] = field(default_factory=list)


def build_msh(spec: GeometrySpec, path: Path, verbose: bool = False) -> tuple[PipelineResult, str]:
    """Build `spec` in a gmsh session of its own and write the mesh to `path`.

    The file is MSH 4.1, binary, with the elements of the physical groups only. Returns
    the build's result (``timings_s`` gains ``write_msh_s``) and the Gmsh version.

    Raises:
        GeometryError: as `run_pipeline`.
    """
    with gmsh_session(verbose):
        res = run_pipeline(spec)
        t = time.perf_counter()
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.option.setNumber("Mesh.Binary", 1)
        gmsh.option.setNumber("Mesh.SaveAll", 0)
        gmsh.write(str(path))
        res.timings_s["write_msh_s"] = time.perf_counter() - t
        return res, str(gmsh.__version__)


def run_pipeline(spec: GeometrySpec) -> PipelineResult:
    """Build the tagged, meshed model of `spec` in the current gmsh session.

    Regularisation changes the topology of the tessellation and, rarely (about 1 build in
    60 in the robustness benchmark), leaves faces that touch one another, which the
    booleans turn into an extra sliver volume. Such a build is retried with half the
    regularisation length, then with none; ``info.json`` records the value used
    (``tessellation.regularize_used``) and why the others failed.

    Raises:
        GeometryError: with the cause and the key to change, whenever a step fails (for
            every regularisation tried) or the mesh has inverted elements.
    """
    check_resolution(spec)
    t = time.perf_counter()
    seeds = place_seeds(spec)
    seeds_s = time.perf_counter() - t
    factors = sorted({spec.regularize, 0.5 * spec.regularize, 0.0}, reverse=True)
    failures: list[str] = []
    for k, factor in enumerate(factors):
        try:
            res = _attempt(spec, seeds, factor)
        except GeometryError as exc:
            if k == len(factors) - 1:
                if failures:
                    raise GeometryError(
                        f"{exc} (also failed with regularize = "
                        f"{', '.join(f'{f:g}' for f in factors[:-1])})"
                    ) from None
                raise
            LOG.warning(
                "build with regularize = %g failed (%s); retrying with %g",
                factor,
                exc,
                factors[k + 1],
            )
            failures.append(f"regularize {factor:g}: {exc}")
            gmsh.model.remove()
            gmsh.model.add("polycat_particle")
            continue
        res.timings_s = {"seeds_s": seeds_s, **res.timings_s}
        res.regularize_used = factor
        res.fallback_errors = failures
        return res
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(spec: GeometrySpec, seeds: SeedSet, factor: float) -> PipelineResult:
    """One build with regularisation length ``factor × mesh_size_um``."""
    times: dict[str, float] = {}
    t = time.perf_counter()
    radius = spec.particle_radius_um
    tess = power_diagram(seeds.points, seeds.weights, radius)
    length = factor * spec.mesh_size_um
    tess, reg = regularize(tess, length, radius)
    times["tessellation_s"] = time.perf_counter() - t
    t = time.perf_counter()
    if spec.dim == 3:
        pieces, piece_stats = planar_pieces(tess, radius, length)
    else:
        pieces, piece_stats = [], PieceStats()
    times["faces_s"] = time.perf_counter() - t
    model = build_particle_model(spec, tess, pieces)
    times.update(model.timings_s)
    t = time.perf_counter()
    facets = classify_facets(spec, model)
    markers = add_physical_groups(spec, model, facets)
    apply_size_fields(spec, facets)
    min_curve = _min_curve_length(spec.dim)
    times["tagging_s"] = time.perf_counter() - t
    times.update(generate_mesh(spec))
    t = time.perf_counter()
    quality = mesh_quality(spec.dim)
    check_quality(quality, spec)
    arrays = extract_mesh(spec.dim, model, facets)
    counts = _element_counts(spec.dim)
    times["quality_s"] = time.perf_counter() - t
    return PipelineResult(
        spec=spec,
        seeds=seeds,
        regularization=reg,
        pieces=piece_stats,
        model=model,
        facets=facets,
        markers=markers,
        quality=quality,
        arrays=arrays,
        min_curve_um=min_curve,
        element_counts=counts,
        timings_s=times,
    )


def _min_curve_length(dim: int) -> float:
    """Shortest non-degenerate model curve inside the particle model, µm (3D: edges of the
    B-rep; 2D: curves), the size of the smallest geometric feature the mesh must resolve."""
    best = math.inf
    for _, c in gmsh.model.getEntities(1):
        length = gmsh.model.occ.getMass(1, c)
        if length > 1e-12:
            best = min(best, length)
    return float(best)


def _element_counts(dim: int) -> dict[str, int]:
    """Number of first-order elements per dimension (nodes under "0")."""
    out: dict[str, int] = {"nodes": len(gmsh.model.mesh.getNodes()[0])}
    for d in range(1, dim + 1):
        _, tags, _ = gmsh.model.mesh.getElements(d)
        out[str(d)] = int(sum(len(t) for t in tags))
    return out


def result_summary(res: PipelineResult) -> dict[str, Any]:
    """The non-spec part of ``info.json`` (JSON-serialisable)."""
    reg = res.regularization
    return {
        "element_counts": res.element_counts,
        "quality": res.quality.to_dict(),
        "timings_s": res.timings_s,
        "tessellation": {
            "hard_core_um": res.seeds.hard_core_um,
            "min_seed_distance_um": _finite(res.seeds.min_distance_um),
            "sampled_grain_size_cv": res.seeds.sampled_cv,
            "regularize_used": res.regularize_used,
            "fallback_errors": res.fallback_errors,
            "regularize_length_um": reg.length_um,
            "min_edge_before_um": _finite(reg.min_edge_before_um),
            "min_edge_after_um": _finite(reg.min_edge_after_um),
            "merged_edges": reg.merged,
            "warped_vertices": reg.warped,
            "inserted_vertices": reg.inserted,
            "zipped_needles": reg.zipped,
            "removed_faces": reg.removed_faces,
            "max_nonplanarity_um": reg.max_nonplanarity_um,
            "nonplanar_faces": res.pieces.nonplanar_faces,
            "face_pieces": res.pieces.pieces,
            "crossing_diagonals": res.pieces.crossing_diagonals,
            "min_model_curve_um": _finite(res.min_curve_um),
            "seam_clearance_um": _finite(res.model.seam_clearance_um),
        },
    }


def _finite(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)
