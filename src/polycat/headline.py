"""The headline numbers of a run as a short text table (rank 0; no FEniCSx import).

``polycat run`` prints it when it ends and ``polycat report DIR`` prints it for a stored
run: one row per report SOC with the stress extremes, the grain-boundary and interface
figures and the x extremes, headed by the load (C-rate, current density) and the
strengths the two risks are divided by, with what each risk means. Read from
``summary.csv`` and ``run.json`` alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from polycat.fileio import read_csv

__all__ = [
    "HEADLINE_COLUMNS",
    "failure_definitions",
    "headline_table",
    "risk_definitions",
    "strength_labels",
]

HEADLINE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("soc", "SOC", "{:.3g}"),
    ("x_mean", "x_mean", "{:.4f}"),
    ("sigma_hoop_max_MPa", "hoop max", "{:.0f}"),
    ("sigma_hoop_min_MPa", "hoop min", "{:.0f}"),
    ("vm_max_MPa", "vM max", "{:.0f}"),
    ("gb_tn_max_MPa", "GB tn max", "{:.0f}"),
    ("gb_risk_max", "GB risk", "{:.2f}"),
    ("gb_area_fraction_at_risk", "GB area>=1", "{:.3f}"),
    ("interface_tn_max_MPa", "IF tn max", "{:.0f}"),
    ("delam_risk_max", "delam risk", "{:.2f}"),
    ("interface_area_fraction_at_risk", "IF area>=1", "{:.3f}"),
    ("gb_cracked_area_fraction", "GB cracked", "{:.3f}"),
    ("interface_debonded_area_fraction", "IF debonded", "{:.3f}"),
    ("x_min_particle", "x min", "{:.4f}"),
    ("x_max_particle", "x max", "{:.4f}"),
)
"""(summary.csv column, header, format) of the headline table; stresses in MPa. Columns
without a value in any row (a bonded run's cracked areas, a free particle's interface)
are left out."""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _num(text: Any) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan
    except (TypeError, ValueError):
        return math.nan


def strength_labels(run: Mapping[str, Any]) -> dict[str, str]:
    """``gb`` / ``delam`` → e.g. ``σ_GB = 745 MPa (NCM811, measured)`` from run.json."""
    mat = run.get("materials", {}) or {}
    out: dict[str, str] = {}
    gb = mat.get("gb_strength_MPa")
    if gb is not None:
        how = mat.get("gb_strength_evidence")
        out["gb"] = f"σ_GB = {gb:g} MPa ({mat.get('cathode', '?')}" + (f", {how})" if how else ")")
    adh = mat.get("adhesion_strength_MPa")
    if adh is not None:
        how = mat.get("adhesion_strength_evidence")
        out["delam"] = f"σ_adh = {adh:g} MPa ({mat.get('electrolyte', '?')}" + (
            f", {how})" if how else ")"
        )
    return out


def risk_definitions(
    run: Mapping[str, Any], skip: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """What the two risks are divided by and what they mean, one line each; none for the
    interface classes in ``skip`` (``grain_boundary``, ``cathode_electrolyte``)."""
    labels = strength_labels(run)
    lines = []
    if "gb" in labels and "grain_boundary" not in skip:
        lines.append(
            f"GB crack risk = t_n⁺/σ_GB with {labels['gb']}: the bonded, elastic normal "
            "traction over the tensile strength; >= 1 where it reaches the strength (a driving "
            "force for intergranular cracking, not a crack)"
        )
    if "delam" in labels and "cathode_electrolyte" not in skip:
        relative = ""
        mat = run.get("materials", {}) or {}
        if mat.get("adhesion_strength_evidence") in ("estimate", "hypothesis", None):
            relative = "; no measured CAM-SE adhesion strength exists: use it as a relative measure"
        lines.append(
            f"delamination risk = t_n⁺/σ_adh with {labels['delam']}: the bonded interface "
            f"traction over the adhesion strength{relative}"
        )
    return lines


def failure_definitions(run: Mapping[str, Any]) -> list[str]:
    """The definitions of the failure measures of a run, one line each: the risks of its
    bonded interface classes, the cracked / debonded fractions of its cohesive ones (a
    breakable law in run.json ``interfaces``), with the laws used."""
    itf = run.get("interfaces") or {}
    laws, resolution = itf.get("laws") or {}, itf.get("resolution") or {}
    cohesive = {k for k, law in laws.items() if law.get("breakable", True)}
    lines = risk_definitions(run, skip=cohesive)
    for key, what in (("grain_boundary", "GB cracked"), ("cathode_electrolyte", "IF debonded")):
        if key not in cohesive:
            continue
        law, res = laws[key], resolution.get(key) or {}
        reduced = (
            f" reduced from {res['strength_MPa']:g} MPa to resolve the process zone"
            if res.get("strength_reduced")
            else ""
        )
        lines.append(
            f"{what} = area fraction fully separated (cohesive law: σ_c "
            f"{law['strength_MPa']:.0f} MPa{reduced}, G_c {law['fracture_energy_J_m2']:g} "
            "J/m²); its tn is the cohesive traction"
        )
    return lines


def _load_line(run: Mapping[str, Any], rows: Sequence[Mapping[str, str]]) -> str:
    cfg = run.get("config", {}) or {}
    mat = run.get("materials", {}) or {}
    load = cfg.get("loading", {}) or {}
    geo = cfg.get("geometry", {}) or {}
    geo = {**(geo.get("derived") or {}), **geo}  # a mesh from a file: the derived geometry
    cd = _num(rows[0].get("current_density_A_m2")) if rows else math.nan
    current = f", {cd:.3g} A/m² through the particle surface" if math.isfinite(cd) else ""
    se = mat.get("electrolyte")
    where = f" in {se}" if se else " (free particle)"
    return (
        f"{mat.get('cathode', '?')}{where}, {geo.get('n_grains', '?')} grains, R = "
        f"{geo.get('particle_radius_um', '?')} µm: {load.get('mode', '?')} at "
        f"{load.get('c_rate', '?')}C (1C: the material's x window in 1 h){current}"
    )


def headline_table(results_dir: Path | str) -> str:
    """The headline table of the run in ``results_dir`` (what has been reported so far)."""
    d = Path(results_dir)
    rows = read_csv(d / "summary.csv") if (d / "summary.csv").is_file() else []
    run = _read_json(d / "run.json")
    status = run.get("status", "?")
    head = [f"{d}: {status}, {len(rows)} report SOC(s)"]
    if run:
        head.append(_load_line(run, rows))
    if not rows:
        return "\n".join([*head, "(no SOC reported yet)"])
    cols = [c for c in HEADLINE_COLUMNS if any(math.isfinite(_num(r.get(c[0]))) for r in rows)]
    cells = [[h for _, h, _ in cols]]
    for r in rows:
        line = []
        for key, _, fmt in cols:
            v = _num(r.get(key))
            line.append(fmt.format(v) if math.isfinite(v) else "")
        cells.append(line)
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    table = ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    notes = ["stresses in MPa (tension > 0); hoop = (tr σ − σ_rr)/2; IF = CAM-SE interface"]
    notes += failure_definitions(run)
    for key, name in (("gb_risk_max", "GB crack risk"), ("delam_risk_max", "delamination risk")):
        vals = [(_num(r.get(key)), r.get("soc", "")) for r in rows]
        vals = [(v, s) for v, s in vals if math.isfinite(v)]
        if vals:
            v, s = max(vals, key=lambda p: p[0])
            notes.append(f"peak {name} {v:.2f} at SOC {_num(s):.3g}")
    return "\n".join([*head, *table, *notes])
