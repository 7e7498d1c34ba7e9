"""Readers: radial and hoop stress, grain-boundary crack risk and interfacial
delamination, reduced from samples of a solved state to plain numbers.

Stress measures (σ_rr, σ_hoop, σ_h, von Mises): :mod:`polycat.post.stress`.
Facets: t_n = n·σ·n, t_s = |σn − t_n n| from the two sides' average;
GB crack risk = max(t_n, 0)/σ_GB (mixed mode adds (t_s/τ_GB)² under a root);
delamination risk = max(t_n, 0)/adhesion strength on the CAM–SE interface.

Every reduction is collective over `comm` and counts owned entities only, so the
numbers do not depend on the number of ranks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mpi4py import MPI

import numpy as np
from numpy.typing import NDArray

from polycat.post.sampling import CellSamples, FacetSamples
from polycat.post.stress import Derived, derive

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ReaderSettings:
    """What the readers need to know besides the fields.

    Attributes:
        particle_radius_um: R, µm.
        profile_outer_um: outer radius of the matrix profile, µm (None: no matrix).
        gdim: 2 or 3.
        c_max_mol_m3: Li concentration at x = 1, mol/m³.
        gb_strength_MPa: grain-boundary tensile strength σ_GB, MPa.
        gb_shear_strength_MPa: shear strength for the mixed-mode risk, MPa (None: off).
        adhesion_strength_MPa: CAM–SE interface tensile strength, MPa (None: no matrix).
        grain_tags: cell tags of the grains; matrix_tag: cell tag of the SE (or None).
        gb_pairs: facet tag → (grain i, grain j); interface_grain: facet tag → grain.
        n_bins: radial bins in the particle (the matrix gets as many of the same width,
            up to profile_outer_um).
    """

    particle_radius_um: float
    profile_outer_um: float | None
    gdim: int
    c_max_mol_m3: float
    gb_strength_MPa: float
    adhesion_strength_MPa: float | None
    grain_tags: tuple[int, ...]
    matrix_tag: int | None
    gb_pairs: Mapping[int, tuple[int, int]]
    interface_grain: Mapping[int, int]
    gb_shear_strength_MPa: float | None = None
    n_bins: int = 25
    center: tuple[float, float, float] = field(default=(0.0, 0.0, 0.0))


def derive_samples(samples: CellSamples, settings: ReaderSettings) -> Derived:
    """The stress measures of :mod:`polycat.post.stress` at every cell sample."""
    return derive(samples.coords, samples.sigma, settings.gdim, settings.center)


def _max(comm: MPI.Comm, values: FloatArray) -> float:
    local = float(values.max()) if values.size else -np.inf
    return float(comm.allreduce(local, op=MPI.MAX))


def _min(comm: MPI.Comm, values: FloatArray) -> float:
    local = float(values.min()) if values.size else np.inf
    return float(comm.allreduce(local, op=MPI.MIN))


def _reduce(comm: MPI.Comm, values: FloatArray, op: MPI.Op) -> FloatArray:
    """Element-wise reduction of a float array over all ranks (same shape everywhere)."""
    send = np.ascontiguousarray(values, dtype=np.float64)
    recv = np.empty_like(send)
    comm.Allreduce(send, recv, op=op)
    return recv


def _sum(comm: MPI.Comm, values: FloatArray) -> FloatArray:
    return _reduce(comm, values, MPI.SUM)


def _finite(v: float) -> float:
    return v if np.isfinite(v) else float("nan")


def stress_summary(
    comm: MPI.Comm, samples: CellSamples, d: Derived, settings: ReaderSettings
) -> dict[str, float]:
    """Extremes of σ_rr, σ_hoop and von Mises in the particle and in the SE."""
    in_p = np.isin(samples.tag, settings.grain_tags)
    out: dict[str, float] = {}
    regions = {"": in_p}
    if settings.matrix_tag is not None:
        regions["se_"] = samples.tag == settings.matrix_tag
    for prefix, mask in regions.items():
        out[f"{prefix}sigma_r_max_MPa"] = _finite(_max(comm, d.s_rr[mask]))
        out[f"{prefix}sigma_r_min_MPa"] = _finite(_min(comm, d.s_rr[mask]))
        out[f"{prefix}sigma_hoop_max_MPa"] = _finite(_max(comm, d.s_hoop[mask]))
        out[f"{prefix}sigma_hoop_min_MPa"] = _finite(_min(comm, d.s_hoop[mask]))
        out[f"{prefix}vm_max_MPa"] = _finite(_max(comm, d.vm[mask]))
    w = samples.weight[in_p]
    tot = _sum(comm, np.array([w.sum(), (w * samples.x[in_p]).sum()]))
    out["x_mean_particle"] = float(tot[1] / tot[0]) if tot[0] > 0 else float("nan")
    return out


def radial_profile(
    comm: MPI.Comm, samples: CellSamples, d: Derived, settings: ReaderSettings
) -> list[dict[str, Any]]:
    """Shell averages (volume-weighted) over radial bins, particle and matrix apart."""
    R = settings.particle_radius_um
    nb = settings.n_bins
    width = R / nb
    rows: list[dict[str, Any]] = []
    regions: list[tuple[str, NDArray[np.bool_], float, int]] = [
        ("particle", np.isin(samples.tag, settings.grain_tags), 0.0, nb)
    ]
    if settings.matrix_tag is not None and settings.profile_outer_um is not None:
        n_m = max(1, int(np.floor((settings.profile_outer_um - R) / width + 1e-9)))
        regions.append(("electrolyte", samples.tag == settings.matrix_tag, R, n_m))
    for name, mask, r0, n in regions:
        r = d.r[mask]
        idx = np.floor((r - r0) / width).astype(np.int64)
        ok = (idx >= 0) & (idx < n)
        idx = idx[ok]
        w = samples.weight[mask][ok]
        cols = {
            "x": samples.x[mask][ok],
            "sigma_r_MPa": d.s_rr[mask][ok],
            "sigma_hoop_MPa": d.s_hoop[mask][ok],
            "sigma_h_MPa": d.s_h[mask][ok],
            "vm_MPa": d.vm[mask][ok],
        }
        sums = [np.bincount(idx, weights=w, minlength=n)]
        sums += [np.bincount(idx, weights=w * v, minlength=n) for v in cols.values()]
        tot = _sum(comm, np.stack(sums))
        for k in range(n):
            vol = tot[0, k]
            if vol <= 0:
                continue
            row: dict[str, Any] = {"region": name, "r_um": r0 + (k + 0.5) * width}
            means = {key: tot[j + 1, k] / vol for j, key in enumerate(cols)}
            row["c_mol_m3"] = means["x"] * settings.c_max_mol_m3 if name == "particle" else 0.0
            row["x"] = means["x"] if name == "particle" else float("nan")
            row.update({k2: v for k2, v in means.items() if k2 != "x"})
            row["volume_um3"] = vol
            rows.append(row)
    return rows


PROFILE_COLUMNS = (
    "region", "r_um", "c_mol_m3", "x", "sigma_r_MPa", "sigma_hoop_MPa", "sigma_h_MPa",
    "vm_MPa", "volume_um3",
)  # fmt: skip


def grain_rows(
    comm: MPI.Comm, samples: CellSamples, d: Derived, settings: ReaderSettings
) -> list[dict[str, Any]]:
    """Per grain: volume, mean x, mean σ_h/σ_rr/σ_hoop, max von Mises and max principal."""
    tags = np.asarray(settings.grain_tags, dtype=np.int64)
    n = len(tags)
    pos = np.searchsorted(tags, samples.tag)
    pos = np.minimum(pos, n - 1)
    ok = tags[pos] == samples.tag
    idx, w = pos[ok], samples.weight[ok]
    means = {
        "x": samples.x[ok],
        "sigma_h_MPa": d.s_h[ok],
        "sigma_r_MPa": d.s_rr[ok],
        "sigma_hoop_MPa": d.s_hoop[ok],
    }
    stacked = [np.bincount(idx, weights=w, minlength=n)]
    stacked += [np.bincount(idx, weights=w * v, minlength=n) for v in means.values()]
    sums = _sum(comm, np.stack(stacked))
    vm_max = np.full(n, -np.inf)
    s1_max = np.full(n, -np.inf)
    np.maximum.at(vm_max, idx, d.vm[ok])
    np.maximum.at(s1_max, idx, d.s_max[ok])
    vm_max = _reduce(comm, vm_max, MPI.MAX)
    s1_max = _reduce(comm, s1_max, MPI.MAX)
    rows = []
    for k, g in enumerate(tags):
        vol = sums[0, k]
        row: dict[str, Any] = {"grain": int(g), "volume_um3": vol}
        for j, key in enumerate(means):
            row[f"{key}_mean" if key == "x" else key.replace("_MPa", "_mean_MPa")] = (
                sums[j + 1, k] / vol if vol > 0 else float("nan")
            )
        row["vm_max_MPa"] = float(vm_max[k])
        row["sigma_1_max_MPa"] = float(s1_max[k])
        rows.append(row)
    return rows


GRAIN_COLUMNS = (
    "grain", "volume_um3", "x_mean", "sigma_h_mean_MPa", "sigma_r_mean_MPa",
    "sigma_hoop_mean_MPa", "vm_max_MPa", "sigma_1_max_MPa",
)  # fmt: skip


def _risk(t_n: FloatArray, t_s: FloatArray, strength: float, shear: float | None) -> FloatArray:
    tens = np.maximum(t_n, 0.0) / strength
    if shear is None:
        return tens
    return np.sqrt(tens**2 + (t_s / shear) ** 2)


def facet_statistics(
    comm: MPI.Comm,
    fs: FacetSamples,
    tags: Sequence[int],
    strength: float,
    shear_strength: float | None = None,
) -> tuple[dict[str, float], list[dict[str, Any]]]:
    """Overall and per-tag (per grain pair / interface patch) traction statistics.

    Returns (overall, per_tag rows). Means are area-weighted; the fraction at risk is the
    area fraction of facets whose midpoint risk is ≥ 1.
    """
    tags_arr = np.asarray(sorted(tags), dtype=np.int64)
    n = len(tags_arr)
    risk = _risk(fs.t_n, fs.t_s, strength, shear_strength)
    pos = np.minimum(np.searchsorted(tags_arr, fs.tag), max(n - 1, 0))
    a = fs.area
    sums = np.stack(
        [
            np.bincount(pos, weights=a, minlength=n),
            np.bincount(pos, weights=a * fs.t_n, minlength=n),
            np.bincount(pos, weights=a * np.maximum(fs.t_n, 0.0), minlength=n),
            np.bincount(pos, weights=a * (risk >= 1.0), minlength=n),
            np.bincount(pos, weights=a * fs.t_s, minlength=n),
        ]
    ) if n else np.zeros((5, 0))  # fmt: skip
    sums = _sum(comm, sums)
    mx = np.full((3, n), -np.inf)
    if n:
        np.maximum.at(mx[0], pos, fs.t_n)
        np.maximum.at(mx[1], pos, risk)
        np.maximum.at(mx[2], pos, fs.t_s)
    mx = _reduce(comm, mx, MPI.MAX)
    mn = np.full(n, np.inf)
    if n:
        np.minimum.at(mn, pos, fs.t_n)
    mn = _reduce(comm, mn, MPI.MIN)
    rows = []
    for k, t in enumerate(tags_arr):
        area = sums[0, k]
        rows.append(
            {
                "tag": int(t),
                "area_um2": area,
                "tn_mean_MPa": sums[1, k] / area if area > 0 else float("nan"),
                "tn_max_MPa": _finite(float(mx[0, k])),
                "tn_min_MPa": _finite(float(mn[k])),
                "ts_mean_MPa": sums[4, k] / area if area > 0 else float("nan"),
                "ts_max_MPa": _finite(float(mx[2, k])),
                "risk_max": _finite(float(mx[1, k])),
                "area_fraction_at_risk": sums[3, k] / area if area > 0 else float("nan"),
            }
        )
    total = sums.sum(axis=1) if n else np.zeros(5)
    overall = {
        "area_um2": float(total[0]),
        "tn_mean_MPa": float(total[1] / total[0]) if total[0] > 0 else float("nan"),
        "tn_tensile_mean_MPa": float(total[2] / total[0]) if total[0] > 0 else float("nan"),
        "tn_max_MPa": _finite(float(mx[0].max())) if n else float("nan"),
        "tn_min_MPa": _finite(float(mn.min())) if n else float("nan"),
        "risk_max": _finite(float(mx[1].max())) if n else float("nan"),
        "area_fraction_at_risk": float(total[3] / total[0]) if total[0] > 0 else float("nan"),
    }
    return overall, rows


def radial_displacement_mean(
    comm: MPI.Comm, fs: FacetSamples, u_at_mid: FloatArray, center: Sequence[float]
) -> float:
    """Area-weighted mean radial displacement u·e_r over the facets of `fs`, µm."""
    rel = fs.midpoint - np.asarray(center)[None, :]
    e_r = rel / np.maximum(np.linalg.norm(rel, axis=1), 1e-300)[:, None]
    u_r = np.einsum("ij,ij->i", u_at_mid, e_r)
    tot = _sum(comm, np.array([fs.area.sum(), (fs.area * u_r).sum()]))
    return float(tot[1] / tot[0]) if tot[0] > 0 else float("nan")
