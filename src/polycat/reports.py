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
from polycat.headline import failure_definitions, strength_labels
from polycat.soc_tags import report_number, report_order, soc_tag, tag_soc


def _title(meta: dict[str, Any], run: dict[str, Any]) -> str:
    mat = run.get("materials", {})
    geo = _geometry(meta)
    load = meta.get("loading", {})
    return (
        f"{mat.get('cathode', '?')} in {mat.get('electrolyte', '?')}, "
        f"{geo.get('n_grains', '?')} grains, R = {geo.get('particle_radius_um', '?')} µm, "
        f"{load.get('mode', '')} at {load.get('c_rate', '?')}C"
    )


def _geometry(meta: dict[str, Any]) -> dict[str, Any]:
    """The config's geometry; a mesh from a file (``kind: file``) with what was derived
    from it (grains, equivalent radius, matrix) in the generated fields' names."""
    geo = dict(meta.get("geometry", {}) or {})
    return {**(geo.get("derived") or {}), **geo}


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
    R = float(_geometry(meta).get("particle_radius_um", np.nan))

    # 1. σ_rr and σ_hoop against r at every SOC
    profiles = sorted((d / "profiles").glob("soc_*.csv"), key=report_order)
    if profiles:
        fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharex=True)
        cmap = plt.get_cmap("viridis")
        for k, path in enumerate(profiles):
            rows = read_csv(path)
            soc = tag_soc(path)
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
        _footnote(fig, run)
        written.append(_save(fig, out_dir / "stress_vs_r.png"))

    # 2. risks against SOC: each risk on its own axes (different strengths, meanings); a
    # run with cohesive interfaces has no risk columns (cracking_vs_soc.png instead)
    labels = strength_labels(run)
    risk_keys = ("gb_risk_max", "delam_risk_max")
    has_risk = bool(summary) and any(
        k in summary[0] and np.isfinite(_floats(summary, k)).any() for k in risk_keys
    )
    if summary and has_risk:
        socs = _floats(summary, "soc")
        fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
        for ax, key, name, strength in (
            (axes[0], "gb_risk_max", "max GB crack risk t_n⁺/σ_GB", labels.get("gb")),
            (axes[1], "delam_risk_max", "max delamination risk t_n⁺/σ_adh", labels.get("delam")),
        ):
            values = _floats(summary, key) if key in summary[0] else np.array([])
            if values.size and np.isfinite(values).any():
                ax.plot(socs, values, "o-", label=name)
                ax.axhline(1.0, color="r", lw=0.8, ls="--", label="risk = 1")
                ax.legend(fontsize=8)
            else:
                why = "no electrolyte" if key == "delam_risk_max" else "a single grain"
                ax.text(0.5, 0.5, f"not applicable ({why})", ha="center",
                        transform=ax.transAxes)  # fmt: skip
            ax.set_xlabel("state of charge SOC (1 = charged)")
            ax.set_ylabel("risk (–)")
            ax.set_title(f"{name}\n{strength or ''}", fontsize=9)
        for key, label in (
            ("gb_area_fraction_at_risk", "GB area with risk ≥ 1"),
            ("interface_area_fraction_at_risk", "interface area with risk ≥ 1"),
        ):
            if key in summary[0] and np.isfinite(_floats(summary, key)).any():
                axes[2].plot(socs, _floats(summary, key), "s-", label=label)
        axes[2].set_xlabel("state of charge SOC (1 = charged)")
        axes[2].set_ylabel("area fraction (–)")
        axes[2].set_ylim(-0.02, 1.02)
        axes[2].set_title("area at risk", fontsize=9)
        if axes[2].get_legend_handles_labels()[0]:
            axes[2].legend(fontsize=8)
        fig.suptitle(title)
        _footnote(fig, run)
        written.append(_save(fig, out_dir / "risk_vs_soc.png"))

    # 2b. the voltage curve, and stress / damage on the same axis below it
    if summary and "voltage_V" in summary[0] and np.isfinite(_floats(summary, "voltage_V")).any():
        written.append(_voltage_plot(plt, summary, title, run, out_dir))

    # the report SOC where the GB risk peaks (else the last one): histogram and section
    peak = _peak_soc(summary)
    peak_report = _peak_report(summary)

    # 3. histogram of GB normal traction at the SOC of the peak GB risk
    facets = _by_soc(sorted((d / "facets").glob("gb_soc_*.csv"), key=report_order), peak_report)
    if facets:
        soc_h = _nearest(facets, peak)
        rows = read_csv(facets[soc_h])
        if rows:
            tn = _floats(rows, "tn_MPa")
            area = _floats(rows, "area_um2")
            fig, ax = plt.subplots(figsize=(7.0, 5.0))
            ax.hist(tn, bins=60, weights=area / area.sum(), color="tab:blue")
            ax.axvline(0.0, color="k", lw=0.8)
            strength = run.get("materials", {}).get("gb_strength_MPa")
            if strength:
                ax.axvline(float(strength), color="r", ls="--", label=labels.get("gb"))
                ax.legend(fontsize=8)
            ax.set_xlabel("grain-boundary normal traction t_n (MPa, tension > 0)")
            ax.set_ylabel("area fraction of grain boundaries (–)")
            which = "peak GB risk" if peak is not None else "last report"
            ax.set_title(f"{title}\nGB normal traction at SOC {soc_h:.2f} ({which})", fontsize=9)
            _footnote(fig, run)
            written.append(_save(fig, out_dir / "gb_tn_histogram.png"))

    # 4. section through the particle coloured by hoop stress, at the SOC of the peak risk
    sections = _by_soc(sorted((d / "sections").glob("soc_*.npz"), key=report_order), peak_report)
    if sections:
        soc_s = _nearest(sections, peak)
        data = np.load(sections[soc_s])
        fig, ax = plt.subplots(figsize=(7.0, 6.0))
        field = data["sigma_hoop_MPa"]
        lim = robust_limit(field)
        im = ax.pcolormesh(
            data["x_um"], data["y_um"], field, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto"
        )
        if "grain_id" in data.files:
            _draw_boundaries(ax, data["x_um"], data["y_um"], data["grain_id"])
            drawn = "grain boundaries and interface: black lines"
        else:
            drawn = _draw_gb_facets(ax, d, soc_s)
        if np.isfinite(R):
            t = np.linspace(0, 2 * np.pi, 200)
            ax.plot(R * np.cos(t), R * np.sin(t), "k:", lw=0.6)
        ax.set_aspect("equal")
        ax.set_xlabel("x (µm)")
        ax.set_ylabel("y (µm)")
        fig.colorbar(
            im, ax=ax, extend="both",
            label="hoop stress σ_hoop (MPa, tension > 0), range: 99th percentile of |σ|",
        )  # fmt: skip
        which = "peak GB risk" if peak is not None else "last report"
        ax.set_title(f"{title}\nsection z = 0 at SOC {soc_s:.2f} ({which}); {drawn}", fontsize=9)
        _footnote(fig, run)
        written.append(_save(fig, out_dir / "section_hoop.png"))

    from polycat.fracture_plots import build_fracture_plots

    written += build_fracture_plots(d, title)
    return written


def _peak_soc(summary: list[dict[str, str]]) -> float | None:
    """The report SOC of the largest GB crack risk (None without one)."""
    if not summary or "gb_risk_max" not in summary[0]:
        return None
    risk = _floats(summary, "gb_risk_max")
    if not np.isfinite(risk).any():
        return None
    return float(_floats(summary, "soc")[int(np.nanargmax(risk))])


def _peak_report(summary: list[dict[str, str]]) -> int | None:
    """The report number of the largest GB crack risk (None without one, or without
    numbered reports)."""
    if not summary or "gb_risk_max" not in summary[0] or not summary[0].get("report"):
        return None
    risk = _floats(summary, "gb_risk_max")
    if not np.isfinite(risk).any():
        return None
    return int(summary[int(np.nanargmax(risk))]["report"])


def _by_soc(paths: list[Path], peak_report: int | None) -> dict[float, Path]:
    """Per-report files by their SOC. Where a SOC recurs (numbered reports of a protocol)
    the first file of it wins, except the peak report's own file."""
    out: dict[float, Path] = {}
    for path in paths:
        soc = tag_soc(path)
        if soc not in out or report_number(path) == peak_report:
            out[soc] = path
    return out


def _nearest(by_soc: dict[float, Path], soc: float | None) -> float:
    """The key of ``by_soc`` nearest to ``soc`` (the last one when ``soc`` is None)."""
    keys = sorted(by_soc)
    if soc is None:
        return keys[-1]
    return min(keys, key=lambda k: abs(k - soc))


def robust_limit(field: np.ndarray, percentile: float = 99.0) -> float:
    """A symmetric colour limit that one hot cell cannot wash out: the ``percentile`` of
    |field| over its finite values (1 when there are none)."""
    finite = np.abs(field[np.isfinite(field)])
    if finite.size == 0:
        return 1.0
    lim = float(np.percentile(finite, percentile))
    return lim if lim > 0.0 else float(finite.max()) or 1.0


def _draw_boundaries(ax: Any, x: np.ndarray, y: np.ndarray, ids: np.ndarray) -> None:
    """Black lines where the region id (grain or electrolyte tag) changes on the grid."""
    X, Y = np.meshgrid(x, y)
    regions = np.where(np.isfinite(ids), ids, -1.0)
    for tag in np.unique(regions):
        if tag < 0:
            continue
        ax.contour(X, Y, (regions == tag).astype(float), levels=[0.5], colors="k",
                   linewidths=0.6)  # fmt: skip


def _draw_gb_facets(ax: Any, d: Path, soc: float) -> str:
    """Older runs (no region ids in the section): GB facet midpoints within a thin slab
    about z = 0, as dots. Returns what the plot shows."""
    path = d / "facets" / f"gb_soc_{soc_tag(soc)}.csv"
    if not path.is_file():
        return "no grain-boundary data"
    rows = read_csv(path)
    if not rows:
        return "no grain boundaries"
    z = _floats(rows, "z_um")
    slab = max(0.05 * float(np.nanmax(np.abs(z))), 1e-9)
    near = np.abs(z) < slab
    ax.plot(_floats(rows, "x_um")[near], _floats(rows, "y_um")[near], "k.", ms=1.5)
    return "dots: grain-boundary facets near z = 0"


def _footnote(fig: Any, run: dict[str, Any]) -> None:
    """The definitions of the failure measures (strengths, meaning) under the figure: the
    risks of bonded interfaces, the cracked / debonded fractions of cohesive ones."""
    lines = failure_definitions(run)
    if not lines:
        fig.tight_layout()
        return
    fig.tight_layout(rect=(0, 0.04 * len(lines) + 0.02, 1, 1))
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=6.5, va="bottom", ha="left", wrap=True)


def _voltage_plot(
    plt: Any, summary: list[dict[str, str]], title: str, run: dict[str, Any], out_dir: Path
) -> Path:
    """voltage_vs_capacity.png: the cell voltage against the capacity (or SOC), one marker
    per protocol step, and below it the peak hoop stress with the GB crack risk (bonded)
    or the cracked and debonded area fractions (cohesive interfaces)."""
    cap = _floats(summary, "capacity_mAh_g") if "capacity_mAh_g" in summary[0] else None
    use_cap = cap is not None and np.isfinite(cap).all()
    xs = cap if use_cap and cap is not None else _floats(summary, "soc")
    xlabel = "capacity (mAh/g of active material)" if use_cap else "state of charge SOC"
    fig, (ax_v, ax_s) = plt.subplots(2, 1, figsize=(8, 7.5), sharex=True)
    volts = _floats(summary, "voltage_V")
    halves = _half_cycles(summary)
    cmap = plt.get_cmap("viridis")
    n_cycles = max(int(float(r.get("cycle") or 1)) for r in summary)
    for (cycle, direction), rows in halves:
        color = cmap((cycle - 1) / max(1, n_cycles - 1)) if n_cycles > 1 else "0.5"
        style = "-" if direction == "charge" else "--"
        label = f"cycle {cycle} {direction}" if n_cycles > 1 else None
        ax_v.plot(xs[rows], volts[rows], style, color=color, lw=0.9, label=label)
    for kind, marker in (("cc", "o"), ("cv", "s"), ("rest", "x")):
        sel = np.array([(r.get("step_type") or "cc") == kind for r in summary])
        if sel.any():
            names = {"cc": "constant current", "cv": "constant voltage", "rest": "end of rest"}
            ax_v.plot(xs[sel], volts[sel], marker, ms=4, label=names[kind])
    ax_v.set_ylabel("cell voltage (V vs Li/Li⁺)")
    if ax_v.get_legend_handles_labels()[0]:
        ax_v.legend(fontsize=8)
    ax_v.set_title("voltage (kinetics: see run.json config)", fontsize=9)
    ax_r = ax_s.twinx()
    for n, ((_, direction), rows) in enumerate(halves):
        style = "-" if direction == "charge" else ":"
        if "sigma_hoop_max_MPa" in summary[0]:
            hoop = _floats(summary, "sigma_hoop_max_MPa")
            label = "max hoop stress" if n == 0 else None
            ax_s.plot(xs[rows], hoop[rows], "o" + style, color="tab:blue", label=label)
        for key, label, color, marker in (
            ("gb_risk_max", "max GB crack risk (right)", "r", "^"),
            ("gb_cracked_area_fraction", "cracked GB area fraction (right)", "r", "^"),
            ("interface_debonded_area_fraction", "debonded interface fraction (right)", "m", "v"),
        ):
            if key in summary[0] and np.isfinite(_floats(summary, key)).any():
                ax_r.plot(xs[rows], _floats(summary, key)[rows], marker + style, color=color,
                          ms=4, label=label if n == 0 else None)  # fmt: skip
    ax_s.set_ylabel("stress (MPa, tension > 0)")
    ax_s.set_xlabel(xlabel + ("; solid: charge, dotted: discharge" if len(halves) > 1 else ""))
    ax_r.set_ylabel("risk / area fraction (–)")
    handles = ax_s.get_legend_handles_labels()
    more = ax_r.get_legend_handles_labels()
    if handles[0] or more[0]:
        ax_s.legend(handles[0] + more[0], handles[1] + more[1], fontsize=8)
    fig.suptitle(title)
    _footnote(fig, run)
    return _save(fig, out_dir / "voltage_vs_capacity.png")


def _half_cycles(summary: list[dict[str, str]]) -> list[tuple[tuple[int, str], list[int]]]:
    """The summary rows grouped into half cycles, in order: ((cycle, direction), row
    indices); the direction from the sign of the current (a rest belongs to the half
    cycle before it)."""
    out: list[tuple[tuple[int, str], list[int]]] = []
    direction = "charge"
    for k, r in enumerate(summary):
        current = float(r.get("current_density_A_m2") or 0.0)
        if current != 0.0:
            direction = "charge" if current > 0.0 else "discharge"
        key = (int(float(r.get("cycle") or 1)), direction)
        if out and out[-1][0] == key:
            out[-1][1].append(k)
        else:
            out.append((key, [k]))
    return out


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    tmp = path.with_suffix(".tmp.png")
    fig.savefig(tmp, dpi=110)
    plt.close(fig)
    tmp.replace(path)
    return path
