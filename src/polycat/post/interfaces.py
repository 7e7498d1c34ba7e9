"""Readers of interfaces that can open: damage, cracking, opening, contact, dissipation.

Input: the cohesive state at every facet quadrature point of the pairs this rank handles
(:class:`InterfaceSample`); output: plain numbers, reduced over all ranks (every pair is
handled by exactly one rank, so nothing is counted twice). Area-weighted means are over
the whole grain-boundary (or interface) area.

Definitions (per quadrature point, weight = its share of the facet area):
    damaged: d > 0;  cracked (GB) / debonded (interface): d = 1 (fully separated);
    opening: the normal opening δ_n = ⟦u⟧·n, positive = apart (µm);
    in contact (interface): not debonded — where Li can still cross;
    dissipated energy: Σ weight · G(κ) (pJ; G(κ) the energy dissipated up to history κ).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mpi4py import MPI

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "CRACKED",
    "InterfaceSample",
    "gather_pair_facets",
    "interface_rows",
    "interface_summary",
    "isolated_volume_fraction",
]

FloatArray = NDArray[np.float64]

CRACKED = 1.0 - 1e-9
"""Damage at or above which a point counts as fully separated."""


@dataclass(frozen=True)
class InterfaceSample:
    """Cohesive state at the facet quadrature points of this rank's pairs.

    Attributes:
        tag: (m,) interface facet tag of each pair (``gb_i_j`` or ``interface_i``).
        weight: (m, nq) quadrature weight × facet area, µm².
        tn: (m, nq) normal traction, MPa (tension > 0); ts: (m, nq) shear traction, MPa.
        opening: (m, nq) normal opening, µm; damage: (m, nq) in [0, 1].
        dissipated: (m, nq) energy dissipated per area, J/m².
    """

    tag: NDArray[np.int64]
    weight: FloatArray
    tn: FloatArray
    ts: FloatArray
    opening: FloatArray
    damage: FloatArray
    dissipated: FloatArray

    def subset(self, mask: NDArray[np.bool_]) -> InterfaceSample:
        """The pairs selected by ``mask`` (m,)."""
        return InterfaceSample(
            self.tag[mask],
            self.weight[mask],
            self.tn[mask],
            self.ts[mask],
            self.opening[mask],
            self.damage[mask],
            self.dissipated[mask],
        )


def _sum(comm: MPI.Comm, values: FloatArray) -> FloatArray:
    out = np.empty_like(np.ascontiguousarray(values, dtype=np.float64))
    comm.Allreduce(np.ascontiguousarray(values, dtype=np.float64), out, op=MPI.SUM)
    return out


def _max(comm: MPI.Comm, values: FloatArray) -> float:
    local = float(values.max()) if values.size else -np.inf
    v = float(comm.allreduce(local, op=MPI.MAX))
    return v if np.isfinite(v) else float("nan")


def _min(comm: MPI.Comm, values: FloatArray) -> float:
    local = float(values.min()) if values.size else np.inf
    v = float(comm.allreduce(local, op=MPI.MIN))
    return v if np.isfinite(v) else float("nan")


def interface_summary(comm: MPI.Comm, s: InterfaceSample) -> dict[str, float]:
    """Totals of one interface class (collective): area (µm²), damaged / cracked area
    fractions, mean and max opening (µm), min opening (µm, < 0: interpenetration within
    the contact penalty), mean and max normal traction (MPa), the area fraction in contact
    (not fully separated), dissipated energy (pJ = MPa·µm³)."""
    w = s.weight
    cracked = s.damage >= CRACKED
    tot = _sum(
        comm,
        np.array(
            [
                w.sum(),
                (w * (s.damage > 0.0)).sum(),
                (w * cracked).sum(),
                (w * s.opening).sum(),
                (w * s.tn).sum(),
                (w * s.dissipated).sum(),
            ]
        ),
    )
    area = float(tot[0])

    def frac(v: float) -> float:
        return float(v / area) if area > 0 else float("nan")

    return {
        "area_um2": float(area),
        "damaged_area_fraction": frac(tot[1]),
        "cracked_area_fraction": frac(tot[2]),
        "contact_area_fraction": frac(area - tot[2]),
        "opening_mean_um": frac(tot[3]),
        "opening_max_um": _max(comm, s.opening),
        "opening_min_um": _min(comm, s.opening),
        "tn_mean_MPa": frac(tot[4]),
        "tn_max_MPa": _max(comm, s.tn),
        "dissipated_energy_pJ": float(tot[5]),
    }


def interface_rows(comm: MPI.Comm, s: InterfaceSample, tags: Sequence[int]) -> list[dict[str, Any]]:
    """Per interface tag (grain boundary or interface patch), in the order of ``tags``:
    area, damaged / cracked area fractions, mean / max opening, mean / max / min normal
    traction, mean / max shear traction (collective)."""
    tags_arr = np.asarray(sorted(tags), dtype=np.int64)
    n = len(tags_arr)
    pos = np.minimum(np.searchsorted(tags_arr, s.tag), max(n - 1, 0))
    w = s.weight
    per = np.stack(
        [
            w.sum(axis=1),
            (w * (s.damage > 0.0)).sum(axis=1),
            (w * (s.damage >= CRACKED)).sum(axis=1),
            (w * s.opening).sum(axis=1),
            (w * s.tn).sum(axis=1),
            (w * s.ts).sum(axis=1),
        ]
    ) if len(s.tag) else np.zeros((6, 0))  # fmt: skip
    sums = _sum(comm, np.stack([np.bincount(pos, weights=row, minlength=n) for row in per]))
    mx = np.full((4, n), -np.inf)
    mn = np.full(n, np.inf)
    if len(s.tag):
        np.maximum.at(mx[0], pos, s.opening.max(axis=1))
        np.maximum.at(mx[1], pos, s.tn.max(axis=1))
        np.maximum.at(mx[2], pos, s.ts.max(axis=1))
        np.minimum.at(mn, pos, s.tn.min(axis=1))
    mx_all = np.empty_like(mx)
    comm.Allreduce(mx, mx_all, op=MPI.MAX)
    mn_all = np.empty_like(mn)
    comm.Allreduce(mn, mn_all, op=MPI.MIN)
    rows = []
    for k, t in enumerate(tags_arr):
        a = float(sums[0, k])

        def f(v: float, a: float = a) -> float:
            return float(v / a) if a > 0 else float("nan")

        rows.append(
            {
                "tag": int(t),
                "area_um2": float(a),
                "damaged_area_fraction": f(sums[1, k]),
                "cracked_area_fraction": f(sums[2, k]),
                "opening_mean_um": f(sums[3, k]),
                "opening_max_um": float(mx_all[0, k]),
                "tn_mean_MPa": f(sums[4, k]),
                "tn_max_MPa": float(mx_all[1, k]),
                "tn_min_MPa": float(mn_all[k]),
                "ts_mean_MPa": f(sums[5, k]),
                "ts_max_MPa": float(mx_all[2, k]),
            }
        )
    return rows


def gather_pair_facets(
    comm: MPI.Comm, pairs: Any, s: InterfaceSample, mask: NDArray[np.bool_]
) -> list[dict[str, Any]] | None:
    """One row per facet pair selected by ``mask`` (area-weighted means over its
    quadrature points): tag, area, t_n, t_s, midpoint, damage, opening; gathered on rank
    0 (None elsewhere), sorted by tag and midpoint. ``pairs``: the
    :class:`~polycat.fem.interfaces.pairs.FacetPairs` the sample belongs to."""
    w = s.weight[mask]
    a = w.sum(axis=1) if len(w) else np.zeros(0)

    def mean(v: FloatArray) -> FloatArray:
        return (w * v[mask]).sum(axis=1) / np.maximum(a, 1e-300) if len(w) else np.zeros(0)

    local = (
        np.column_stack(
            [
                s.tag[mask],
                pairs.area[mask],
                mean(s.tn),
                mean(s.ts),
                pairs.midpoint[mask],
                mean(s.damage),
                mean(s.opening),
            ]
        )
        if np.any(mask)
        else np.zeros((0, 9))
    )
    parts = comm.gather(local, root=0)
    if parts is None:
        return None
    allv = np.concatenate(parts, axis=0)
    allv = allv[np.lexsort((allv[:, 6], allv[:, 5], allv[:, 4], allv[:, 0]))]
    names = ("tag", "area_um2", "tn_MPa", "ts_MPa", "x_um", "y_um", "z_um", "damage", "opening_um")
    return [dict(zip(names, (int(v[0]), *map(float, v[1:])), strict=True)) for v in allv]


def isolated_volume_fraction(
    grains: Sequence[dict[str, Any]],
    tags: Any,
    gb_rows: Sequence[dict[str, Any]],
    cse_rows: Sequence[dict[str, Any]],
) -> float:
    """Volume fraction of the particle in grains with no Li path left to the electrolyte.

    A grain is connected when its interface patch has area still in contact, or when it
    shares a grain boundary that is not completely cracked with a connected grain (the
    rows are those of :func:`interface_rows`, in the order of ``tags.gb`` and
    ``tags.interface``; ``grains``: rows with ``grain`` and ``volume_um3``)."""
    volume = {int(g["grain"]): float(g["volume_um3"]) for g in grains}
    neighbours: dict[int, list[int]] = {g: [] for g in volume}
    for tag, row in zip(sorted(tags.gb), gb_rows, strict=True):
        if row["area_um2"] > 0 and row["cracked_area_fraction"] < CRACKED:
            i, j = tags.gb[tag]
            neighbours[i].append(j)
            neighbours[j].append(i)
    reached = set()
    stack = [
        tags.interface[tag]
        for tag, row in zip(sorted(tags.interface), cse_rows, strict=True)
        if row["area_um2"] > 0 and row["cracked_area_fraction"] < CRACKED
    ]
    while stack:
        g = stack.pop()
        if g in reached:
            continue
        reached.add(g)
        stack.extend(neighbours[g])
    total = sum(volume.values())
    lost = sum(v for g, v in volume.items() if g not in reached)
    return lost / total if total > 0 else float("nan")
