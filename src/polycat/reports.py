"""Plots of a run, built from its stored tables alone (rank 0; no FEniCSx import).

`polycat report DIR` calls :func:`build_plots` on a finished (or partly finished)
results directory; a run calls it after each reported SOC.

Files read: ``run.json`` (titles), ``summary.csv``, ``profiles/soc_XXX.csv``,
``facets/gb_soc_XXX.csv`` (per-facet GB tractions), ``sections/soc_XXX.npz``
(a z = 0 section of the hoop stress).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from polycat.fileio import read_csv


def soc_tag(soc: float) -> str:
    """``XXX`` of ``profiles/soc_XXX.csv``: round(100·SOC), zero-padded to 3 digits."""
    return f"{round(100 * soc):03d}"


def _title(meta: dict[str, Any], run: dict[str, Any]) -> str:
    mat = run.get("materials", {})
    geo = meta.get("geometry", {})
    load = meta.get("loading", {})
    return (
        f"{mat.get('cathode', '?')} in {mat.get('electrolyte', '?')}, "
        f"{geo.get('n_grains', '?')} grains, R = {geo.get('particle_radius_um', '?')} µm, "
        f"{load.get('mode', '')} at {load.get('c_rate', '?')}C"
    )


def _floats(rows: list[dict[str, str]], key: str) -> np.ndarray:
    return np.array([float(r[key]) if r.get(key, "") not in ("", "nan") else np.nan for r in rows])


def build_plots(results_dir: Path) -> list[Path]:
    """(Re)build every plot that the stored tables allow; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = Path(results_dir)
    run: dict[str, Any] = {}
    if (d / "run.json").exists():
        run = json.loads((d / "run.json").read_text())
    meta: dict[str, Any] = run.get("config", {})
    title = _title(meta, run)
    out_dir = d / "plots"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    summary = read_csv(d / "summary.csv") if (d / "summary.csv").exists() else []
    R = float(meta.get("geometry", {}).get("particle_radius_um", np.nan))

    # 1. σ_rr and σ_hoop against r at every SOC
    profiles = sorted((d / "profiles").glob("soc_*.csv"))
    if profiles:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharex=True)
        cmap = plt.get_cmap("viridis")
        for k, path in enumerate(profiles):
            rows = read_csv(path)
            soc = int(path.stem.split("_")[1]) / 100.0
            color = cmap(k / max(1, len(profiles) - 1))
            for region, style in (("particle", "-"), ("electrolyte", "--")):
                sel = [r for r in rows if r["region"] == region]
                if not sel:
                    continue
                r_um = _floats(sel, "r_um")
                label = f"SOC {soc:.2f}" if region == "particle" else None
                axes[0].plot(r_um, _floats(sel, "sigma_r_MPa"), style, color=color, label=label)
                axes[1].plot(r_um, _floats(sel, "sigma_hoop_MPa"), style, color=color)
        for ax, name in zip(axes, ("radial stress σ_rr", "hoop stress σ_hoop"), strict=True):
            ax.axhline(0.0, color="0.6", lw=0.8)
            if np.isfinite(R):
                ax.axvline(R, color="k", lw=0.8, ls=":")
            ax.set_xlabel("radius r (µm)  — solid: particle, dashed: electrolyte")
            ax.set_ylabel(f"{name} (MPa, tension > 0)")
            ax.set_title(name + " (shell averages)")
        axes[0].legend(fontsize=7, ncol=2)
        fig.suptitle(title)
        fig.tight_layout()
        written.append(_save(fig, out_dir / "stress_vs_r.png"))

    # 2. risks against SOC
    if summary:
        socs = _floats(summary, "soc")
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
        for key, label in (
            ("gb_risk_max", "max GB crack risk t_n/σ_GB"),
            ("delam_risk_max", "max delamination risk t_n/σ_adh"),
        ):
            if key in summary[0]:
                axes[0].plot(socs, _floats(summary, key), "o-", label=label)
        axes[0].axhline(1.0, color="r", lw=0.8, ls="--", label="risk = 1")
        axes[0].set_xlabel("state of charge SOC")
        axes[0].set_ylabel("risk (–)")
        axes[0].set_title("peak risk")
        axes[0].legend(fontsize=8)
        for key, label in (
            ("gb_area_fraction_at_risk", "GB area with risk ≥ 1"),
            ("interface_area_fraction_at_risk", "interface area with risk ≥ 1"),
        ):
            if key in summary[0]:
                axes[1].plot(socs, _floats(summary, key), "s-", label=label)
        axes[1].set_xlabel("state of charge SOC")
        axes[1].set_ylabel("area fraction (–)")
        axes[1].set_ylim(-0.02, 1.02)
        axes[1].set_title("area at risk")
        axes[1].legend(fontsize=8)
        fig.suptitle(title)
        fig.tight_layout()
        written.append(_save(fig, out_dir / "risk_vs_soc.png"))

    # 3. histogram of GB normal traction at the last SOC with data
    facets = sorted((d / "facets").glob("gb_soc_*.csv"))
    if facets:
        rows = read_csv(facets[-1])
        soc_last = int(facets[-1].stem.split("_")[-1]) / 100.0
        if rows:
            tn = _floats(rows, "tn_MPa")
            area = _floats(rows, "area_um2")
            fig, ax = plt.subplots(figsize=(6.5, 4.5))
            ax.hist(tn, bins=60, weights=area / area.sum(), color="tab:blue")
            ax.axvline(0.0, color="k", lw=0.8)
            strength = run.get("materials", {}).get("gb_strength_MPa")
            if strength:
                ax.axvline(float(strength), color="r", ls="--", label=f"σ_GB = {strength} MPa")
                ax.legend()
            ax.set_xlabel("grain-boundary normal traction t_n (MPa, tension > 0)")
            ax.set_ylabel("area fraction of grain boundaries (–)")
            ax.set_title(f"{title}\nGB normal traction at SOC {soc_last:.2f}", fontsize=9)
            fig.tight_layout()
            written.append(_save(fig, out_dir / "gb_tn_histogram.png"))

    # 4. section through the particle coloured by hoop stress
    sections = sorted((d / "sections").glob("soc_*.npz"))
    if sections:
        data = np.load(sections[-1])
        soc_s = int(sections[-1].stem.split("_")[1]) / 100.0
        fig, ax = plt.subplots(figsize=(6.5, 5.5))
        field = data["sigma_hoop_MPa"]
        finite = np.isfinite(field)
        lim = float(np.abs(field[finite]).max()) if finite.any() else 1.0
        im = ax.pcolormesh(
            data["x_um"], data["y_um"], field, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto"
        )
        if np.isfinite(R):
            t = np.linspace(0, 2 * np.pi, 200)
            ax.plot(R * np.cos(t), R * np.sin(t), "k-", lw=0.8)
        ax.set_aspect("equal")
        ax.set_xlabel("x (µm)")
        ax.set_ylabel("y (µm)")
        fig.colorbar(im, ax=ax, label="hoop stress σ_hoop (MPa, tension > 0)")
        ax.set_title(f"{title}\nsection z = 0 at SOC {soc_s:.2f}", fontsize=9)
        fig.tight_layout()
        written.append(_save(fig, out_dir / "section_hoop.png"))

    from polycat.fracture_plots import build_fracture_plots

    written += build_fracture_plots(d, title)
    return written


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return path
