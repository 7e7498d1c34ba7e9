"""Study plots (matplotlib, Agg): the headline quantities against each varied parameter at
the last common SOC, and against SOC for every parameter point; the spread over replicate
seeds is drawn as min–max error bars / bands around the mean."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from polycat.study.aggregate import HEADLINE, Point, read_summary
from polycat.study.expand import Study

LABELS = {
    "gb_risk_max": "max GB crack risk  t_n⁺/σ_GB",
    "delam_risk_max": "max delamination risk",
    "sigma_hoop_max_MPa": "max hoop stress (MPa)",
}
FIGSIZE = (12.0, 3.6)
DPI = 80


def _slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def last_common_soc(points: Sequence[Point]) -> float | None:
    """The last SOC that every point reports, or None."""
    sets = [set(p.by_soc) for p in points if p.by_soc]
    if not sets:
        return None
    common = set.intersection(*sets)
    return max(common) if common else max(max(s) for s in sets)


def build_study_plots(study: Study, points: Sequence[Point]) -> list[Path]:
    """Write ``plots/vs_<path>.png`` per varied parameter and ``plots/vs_soc.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = study.dir / "plots"
    out.mkdir(parents=True, exist_ok=True)
    done = [p for p in points if p.by_soc]
    if not done:
        return []
    written: list[Path] = []
    title = study.name + (f": {study.spec.question}" if study.spec.question else "")
    soc = last_common_soc(done)
    assert soc is not None
    strengths = strengths_note(study, done)
    for path in study.varied:
        fig, axes = plt.subplots(
            2, len(HEADLINE), figsize=(FIGSIZE[0], 2 * FIGSIZE[1]), constrained_layout=True
        )
        _plot_vs_parameter(axes[0], study, done, path, soc)
        _plot_vs_parameter(axes[1], study, done, path, None)
        axes[0][1].set_title(f"at SOC {soc:g}", fontsize=9)
        axes[1][1].set_title("peak over the reported SOCs", fontsize=9)
        fig.suptitle(f"{title}\nmean of seeds, bars = min–max", fontsize=9)
        _leave_room_below(fig, 0.04, strengths)
        f = out / f"vs_{_slug(path)}.png"
        fig.savefig(f, dpi=DPI)
        plt.close(fig)
        written.append(f)
    fig, axes = plt.subplots(1, len(HEADLINE), figsize=FIGSIZE, constrained_layout=True)
    _plot_vs_soc(axes, study, done)
    fig.suptitle(f"{title}\nmean of seeds, band = min–max", fontsize=9)
    _leave_room_below(fig, 0.06, strengths)
    f = out / "vs_soc.png"
    fig.savefig(f, dpi=DPI)
    plt.close(fig)
    written.append(f)
    return written


def _leave_room_below(fig: Any, height: float, text: str) -> None:
    """Keep the bottom ``height`` of a constrained-layout figure for ``text``."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if not text:
        return
    engine = fig.get_layout_engine()
    if isinstance(engine, ConstrainedLayoutEngine):
        engine.set(rect=(0.0, height, 1.0, 1.0 - height))
    fig.text(0.01, 0.005, text, fontsize=7, va="bottom")


def strengths_note(study: Study, points: Sequence[Point]) -> str:
    """The strengths the risks of the plotted cases are divided by (from their summaries):
    ``risks: GB t_n⁺/σ_GB, σ_GB = 745 MPa; delamination t_n⁺/σ_adh, σ_adh = 110, 90 MPa``."""
    found: dict[str, list[str]] = {"gb_strength_MPa": [], "adhesion_strength_MPa": []}
    for p in points:
        for cid in p.case_ids:
            rows = read_summary(study.dir, cid)
            for key, values in found.items():
                v = rows[0].get(key, "") if rows else ""
                if v and f"{float(v):g}" not in values:
                    values.append(f"{float(v):g}")
    parts = []
    if found["gb_strength_MPa"]:
        parts.append(f"GB crack risk t_n⁺/σ_GB, σ_GB = {', '.join(found['gb_strength_MPa'])} MPa")
    if found["adhesion_strength_MPa"]:
        parts.append(
            "delamination risk t_n⁺/σ_adh, σ_adh = "
            f"{', '.join(found['adhesion_strength_MPa'])} MPa (the built-in values are "
            "estimates: a relative measure)"
        )
    if not parts:
        return ""
    return (
        "risks: "
        + "; ".join(parts)
        + " (per case: study.csv); risk ≥ 1: bonded elastic traction ≥ strength"
    )


def _series_label(point: Point, exclude: str) -> str:
    return ", ".join(f"{k.split('.')[-1]}={v}" for k, v in point.values.items() if k != exclude)


def _plot_vs_parameter(
    axes: Any, study: Study, points: Sequence[Point], path: str, soc: float | None
) -> None:
    """One row of panels: each headline quantity at `soc` (None: each replicate's peak over
    the reported SOCs) against the values of `path`."""
    xs_all: list[Any] = []
    for p in points:
        if p.raw[path] not in xs_all:
            xs_all.append(p.raw[path])
    numeric = _numeric(xs_all)
    series: dict[str, list[Point]] = {}
    for p in points:
        series.setdefault(_series_label(p, path), []).append(p)
    n_series = len(series)
    for ax, col in zip(axes, HEADLINE, strict=True):
        for k, (label, pts) in enumerate(series.items()):
            xs, mean, lo, hi = [], [], [], []
            for p in sorted(pts, key=lambda q: xs_all.index(q.raw[path])):
                st = p.peak_stats(col) if soc is None else p.stats(soc, col)
                if st["n"] == 0:
                    continue
                x = float(p.raw[path]) if numeric else xs_all.index(p.raw[path])
                if not numeric and n_series > 1:
                    x += 0.12 * (k - (n_series - 1) / 2)
                xs.append(x)
                mean.append(st["mean"])
                lo.append(st["mean"] - st["min"])
                hi.append(st["max"] - st["mean"])
            if not xs:
                continue
            # categories (materials, textures) are points with bars: a line between them
            # would suggest an order and values in between that do not exist
            ax.errorbar(
                xs, mean, yerr=[lo, hi], marker="o", ms=5 if not numeric else 4, capsize=3,
                lw=1.2, ls="-" if numeric else "none", label=label or None,
            )  # fmt: skip
        if numeric:
            vals = [float(v) for v in xs_all]
            if min(vals) > 0 and max(vals) / min(vals) >= 20:
                ax.set_xscale("log")
        else:
            ax.set_xticks(range(len(xs_all)))
            ax.set_xticklabels([_short(v) for v in xs_all], rotation=15 if len(xs_all) > 3 else 0)
            ax.set_xlim(-0.5, len(xs_all) - 0.5)
        if col.endswith("risk_max"):
            ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
        ax.set_xlabel(path)
        ax.set_ylabel(LABELS.get(col, col))
        ax.grid(alpha=0.3)
    if n_series > 1:
        axes[0].legend(fontsize=7)


def _short(v: Any) -> str:
    from polycat.study.expand import format_value

    text = format_value(v)
    return text if len(text) <= 18 else text[:16] + "…"


def _plot_vs_soc(axes: Any, study: Study, points: Sequence[Point]) -> None:
    for ax, col in zip(axes, HEADLINE, strict=True):
        for p in points:
            socs = sorted(p.by_soc)
            st = [p.stats(s, col) for s in socs]
            mean = np.array([s["mean"] for s in st])
            if np.all(np.isnan(mean)):
                continue
            label = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in p.values.items()) or "base"
            (line,) = ax.plot(socs, mean, marker="o", ms=3, lw=1.2, label=label)
            lo = np.array([s["min"] for s in st])
            hi = np.array([s["max"] for s in st])
            if any(s["n"] > 1 for s in st):
                ax.fill_between(socs, lo, hi, color=line.get_color(), alpha=0.18, lw=0)
        if col.endswith("risk_max"):
            ax.axhline(1.0, color="0.5", lw=0.8, ls="--")
        ax.set_xlabel("SOC")
        ax.set_ylabel(LABELS.get(col, col))
        ax.grid(alpha=0.3)
    if len(points) > 1:
        axes[0].legend(fontsize=7, ncol=1 if len(points) <= 6 else 2)
