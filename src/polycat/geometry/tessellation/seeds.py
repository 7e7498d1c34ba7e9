"""Grain seeds: hard-core placement in the particle, Lloyd relaxation, Laguerre weights.

`check_resolution` rejects a mesh size too coarse for the grains before any seed is drawn.

All coordinates are in µm with the particle centre at the origin; Laguerre weights are in
µm² (power distance ``|x - s|² - w``). Everything is drawn from
``numpy.random.default_rng(spec.seed)``, so the same spec gives the same seeds on every
machine and rank.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from polycat.geometry.errors import GeometryError
from polycat.geometry.spec import GeometrySpec

FloatArray = npt.NDArray[np.float64]

#: A grain must be at least this many elements across (mean seed spacing / mesh size).
MIN_ELEMENTS_PER_GRAIN = 1.6
#: Sample points per grain used to estimate cell centroids and volumes.
_SAMPLES_PER_GRAIN = 400
_MIN_SAMPLES = 20_000
_WEIGHT_ITERATIONS = 40


@dataclass(frozen=True)
class SeedSet:
    """Seeds and Laguerre weights of a tessellation.

    Attributes:
        points: (N, dim) seed coordinates, µm; row k is grain k + 1.
        weights: (N,) Laguerre weights, µm² (all zero for a Voronoi tessellation).
        hard_core_um: minimum seed distance enforced at placement, µm.
        min_distance_um: smallest distance between two final seeds, µm.
        sampled_cv: coefficient of variation of the cell volumes estimated by sampling.
    """

    points: FloatArray
    weights: FloatArray
    hard_core_um: float
    min_distance_um: float
    sampled_cv: float


def check_resolution(spec: GeometrySpec) -> None:
    """Reject a mesh size too coarse for the grains before any work is done.

    Raises:
        GeometryError: if a mean grain is less than `MIN_ELEMENTS_PER_GRAIN` elements across.
    """
    if spec.n_grains == 1:
        return
    spacing = spec.mean_seed_spacing
    limit = spacing / MIN_ELEMENTS_PER_GRAIN
    if spec.mesh_size_um > limit:
        raise GeometryError(
            f"mesh_size_um {spec.mesh_size_um} µm is too coarse for {spec.n_grains} grains of "
            f"mean size {spacing:.2f} µm in a particle of radius {spec.particle_radius_um} µm "
            f"(a grain needs ≥ {MIN_ELEMENTS_PER_GRAIN} elements across: mesh_size_um ≤ "
            f"{limit:.3g} µm); lower mesh_size_um or n_grains"
        )


def place_seeds(spec: GeometrySpec) -> SeedSet:
    """Draw the grain seeds (and weights) of `spec` inside the particle.

    Seeds are placed by random sequential addition with hard-core distance
    ``min_seed_spacing × (V/N)^(1/dim)`` and kept at least half that distance below the
    particle surface (which bounds how thin a grain can be at the surface), then moved by
    `lloyd_iterations` Lloyd steps (to the centroids of their cells within the particle).
    With ``grain_size_cv > 0`` Laguerre weights are fitted so that the cell volumes follow a
    log-normal distribution with that coefficient of variation.

    Raises:
        GeometryError: if the seeds cannot be placed with the requested spacing.
    """
    dim, n, radius = spec.dim, spec.n_grains, spec.particle_radius_um
    rng = np.random.default_rng(spec.seed)
    hard_core = spec.min_seed_spacing * spec.mean_seed_spacing
    if n == 1:
        return SeedSet(np.zeros((1, dim)), np.zeros(1), hard_core, math.inf, 0.0)
    depth = 0.5 * hard_core
    points = _random_sequential_addition(rng, n, dim, radius - depth, hard_core, spec)
    samples = _ball_samples(dim, radius, max(_MIN_SAMPLES, _SAMPLES_PER_GRAIN * n))
    weights = np.zeros(n)
    targets = None
    if spec.grain_size_cv > 0.0:
        sigma2 = math.log1p(spec.grain_size_cv**2)
        draws = rng.lognormal(-0.5 * sigma2, math.sqrt(sigma2), size=n)
        targets = draws / draws.sum() * spec.particle_measure
        weights = _fit_weights(points, weights, samples, targets, spec)
    for _ in range(spec.lloyd_iterations):
        owner = _assign(points, weights, samples)
        centroids = _centroids(samples, owner, n, points)
        points = _clip_to_ball(centroids, radius - depth)
        if targets is not None:
            weights = _fit_weights(points, weights, samples, targets, spec)
    volumes = _volumes(_assign(points, weights, samples), n, spec.particle_measure, len(samples))
    if np.any(volumes <= 0.0):
        raise GeometryError(
            f"the Laguerre weights for grain_size_cv = {spec.grain_size_cv} left "
            f"{int(np.sum(volumes <= 0))} grain(s) empty; lower geometry.grain_size_cv"
        )
    dmin = float(cKDTree(points).query(points, k=2)[0][:, 1].min())
    cv = float(volumes.std() / volumes.mean())
    return SeedSet(points, weights, hard_core, dmin, cv)


def _random_sequential_addition(
    rng: np.random.Generator,
    n: int,
    dim: int,
    radius: float,
    hard_core: float,
    spec: GeometrySpec,
) -> FloatArray:
    """N points uniform in the ball of `radius` (µm), pairwise at least `hard_core` apart."""
    accepted = np.empty((n, dim))
    count = 0
    max_tries = 2000 * n
    tries = 0
    while count < n:
        batch = _uniform_in_ball(rng, 256, dim, radius)
        for p in batch:
            tries += 1
            if count == 0 or np.min(np.sum((accepted[:count] - p) ** 2, axis=1)) >= hard_core**2:
                accepted[count] = p
                count += 1
                if count == n:
                    break
        if tries > max_tries:
            raise GeometryError(
                f"could not place {n} grain seeds {hard_core:.3g} µm apart in a particle of "
                f"radius {spec.particle_radius_um} µm (min_seed_spacing = "
                f"{spec.min_seed_spacing}); lower geometry.min_seed_spacing"
            )
    return accepted


def _uniform_in_ball(rng: np.random.Generator, m: int, dim: int, radius: float) -> FloatArray:
    """`m` points uniform in the ball/disc of `radius` (µm) centred at the origin."""
    direction = rng.normal(size=(m, dim))
    direction /= np.linalg.norm(direction, axis=1)[:, None]
    r = radius * rng.random(m) ** (1.0 / dim)
    return direction * r[:, None]


def _ball_samples(dim: int, radius: float, count: int) -> FloatArray:
    """A regular grid of about `count` points filling the ball/disc (µm), for quadrature."""
    measure = 4.0 / 3.0 * math.pi * radius**3 if dim == 3 else math.pi * radius**2
    spacing = (measure / count) ** (1.0 / dim)
    ticks = np.arange(-radius + 0.5 * spacing, radius, spacing)
    grid = np.stack(np.meshgrid(*([ticks] * dim), indexing="ij"), axis=-1).reshape(-1, dim)
    return grid[np.sum(grid**2, axis=1) < radius**2]


def _assign(points: FloatArray, weights: FloatArray, samples: FloatArray) -> npt.NDArray[np.intp]:
    """Index of the cell (least power distance) that holds each sample point."""
    # |x - s|² - w = |(x, 0) - (s, sqrt(W - w))|² - W: a Euclidean nearest neighbour.
    lift = np.sqrt(np.max(weights) - weights)
    tree = cKDTree(np.column_stack([points, lift]))
    _, owner = tree.query(np.column_stack([samples, np.zeros(len(samples))]))
    return np.asarray(owner, dtype=np.intp)


def _volumes(owner: npt.NDArray[np.intp], n: int, measure: float, count: int) -> FloatArray:
    """Cell volumes (µm³, or areas µm²) estimated from the sample ownership."""
    return np.bincount(owner, minlength=n).astype(float) * (measure / count)


def _centroids(
    samples: FloatArray, owner: npt.NDArray[np.intp], n: int, fallback: FloatArray
) -> FloatArray:
    """Centroid of the samples owned by each cell (µm); empty cells keep `fallback`."""
    counts = np.bincount(owner, minlength=n).astype(float)
    out = np.array(fallback, dtype=float, copy=True)
    for k in range(samples.shape[1]):
        sums = np.bincount(owner, weights=samples[:, k], minlength=n)
        out[counts > 0, k] = sums[counts > 0] / counts[counts > 0]
    return out


def _clip_to_ball(points: FloatArray, radius: float) -> FloatArray:
    """Pull points further than `radius` (µm) from the origin back onto that sphere."""
    r = np.linalg.norm(points, axis=1)
    scale = np.where(r > radius, radius / np.maximum(r, 1e-300), 1.0)
    return points * scale[:, None]


def _fit_weights(
    points: FloatArray,
    weights: FloatArray,
    samples: FloatArray,
    targets: FloatArray,
    spec: GeometrySpec,
) -> FloatArray:
    """Laguerre weights (µm²) that give the cells the `targets` volumes (fixed-point fit)."""
    dim, n = spec.dim, len(points)
    w = np.array(weights, dtype=float, copy=True)
    spacing = spec.mean_seed_spacing
    for _ in range(_WEIGHT_ITERATIONS):
        vol = _volumes(_assign(points, w, samples), n, spec.particle_measure, len(samples))
        # Raising w_i by dw moves the face to neighbour j by dw / (2 |s_i - s_j|): scale the
        # step with the size mismatch times the seed spacing.
        step = spacing * (targets ** (1.0 / dim) - vol ** (1.0 / dim))
        w += 0.8 * step
        w -= w.mean()
    return w
