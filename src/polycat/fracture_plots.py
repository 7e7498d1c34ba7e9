"""Plots of interfaces that open (cohesive runs), from the stored tables alone (rank 0).

- ``plots/cracking_vs_soc.png``: damaged and cracked grain-boundary area, damaged and
  debonded CAM–SE interface area, and the isolated volume, against SOC;
- ``plots/gb_damage_3d.png``: every grain-boundary facet (and the interface facets, faint)
  at the last SOC, coloured by damage, from two directions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from polycat.fileio import read_csv
from polycat.soc_tags import tag_soc

__all__ = ["build_fracture_plots"]


def _col(rows: list[dict[str, str]], key: str) -> np.ndarray:
    return np.array([float(r[key]) if r.get(key, "") not in ("", "nan") else np.nan for r in rows])


def build_fracture_plots(results_dir: Path, title: str = "") -> list[Path]:
    """The fracture plots a results directory's tables allow; returns the files written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = Path(results_dir)
    out = d / "plots"
    written: list[Path] = []
    summary = read_csv(d / "summary.csv") if (d / "summary.csv").exists() else []
    if not summary or summary[0].get("gb_cracked_area_fraction", "") == "":
        return written
    out.mkdir(parents=True, exist_ok=True)
    soc = _col(summary, "soc")
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for key, label, style in (
        ("gb_damaged_area_fraction", "GB area damaged (d > 0)", "C0--"),
        ("gb_cracked_area_fraction", "GB area cracked (d = 1)", "C0o-"),
        ("interface_damaged_area_fraction", "interface area damaged", "C3--"),
        ("interface_debonded_area_fraction", "interface area debonded", "C3s-"),
        ("isolated_volume_fraction", "particle volume isolated", "k^-"),
    ):
        ax.plot(soc, _col(summary, key), style, label=label)
    ax.set_xlabel("state of charge SOC")
    ax.set_ylabel("fraction (–)")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title(f"{title}\ncracking and contact loss (cohesive interfaces)", fontsize=9)
    fig.tight_layout()
    written.append(_save(fig, out / "cracking_vs_soc.png"))

    facets = sorted((d / "facets").glob("gb_soc_*.csv"), key=tag_soc)
    if facets:
        rows = read_csv(facets[-1])
        soc_last = tag_soc(facets[-1])
        itf_path = d / "facets" / facets[-1].name.replace("gb_", "interface_")
        itf = read_csv(itf_path) if itf_path.exists() else []
        if rows and rows[0].get("damage", "") != "":
            fig = plt.figure(figsize=(11, 5))
            xyz = np.column_stack([_col(rows, f"{a}_um") for a in "xyz"])
            dmg = _col(rows, "damage")
            for k, (elev, azim) in enumerate(((25, 35), (25, 215))):
                ax3: Any = fig.add_subplot(1, 2, k + 1, projection="3d")
                if itf:
                    ixyz = np.column_stack([_col(itf, f"{a}_um") for a in "xyz"])
                    ax3.scatter(*ixyz.T, c=_col(itf, "damage"), cmap="Reds", vmin=0, vmax=1,
                                s=1, alpha=0.08)  # fmt: skip
                sc = ax3.scatter(*xyz.T, c=dmg, cmap="viridis", vmin=0, vmax=1, s=3)
                ax3.view_init(elev=elev, azim=azim)
                ax3.set_xlabel("x (µm)")
                ax3.set_ylabel("y (µm)")
                ax3.set_zlabel("z (µm)")
            fig.colorbar(sc, ax=fig.axes, label="grain-boundary damage d (1 = cracked)", shrink=0.7)
            fig.suptitle(f"{title}\ngrain-boundary damage at SOC {soc_last:.2f}", fontsize=9)
            written.append(_save(fig, out / "gb_damage_3d.png"))
    return written


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return path
