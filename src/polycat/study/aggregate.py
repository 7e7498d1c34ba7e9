"""The study tables: ``study.csv`` (one row per case and SOC) and ``study_summary.csv``
(replicate seeds aggregated per parameter point and SOC). Read from the cases' own
summary.csv files only, so they can be rebuilt at any time (``polycat study --aggregate``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from polycat.fileio import read_csv, write_csv_atomic
from polycat.study.expand import Study, format_value
from polycat.study.state import CaseStatus, case_dir

HEADLINE = ("gb_risk_max", "delam_risk_max", "sigma_hoop_max_MPa")
# Columns aggregated over seeds in study_summary.csv (those present in the summaries).
AGGREGATED = (
    *HEADLINE,
    "sigma_hoop_min_MPa",
    "sigma_r_max_MPa",
    "sigma_r_min_MPa",
    "vm_max_MPa",
    "gb_tn_max_MPa",
    "gb_area_fraction_at_risk",
    "interface_tn_max_MPa",
    "interface_area_fraction_at_risk",
    "se_vm_max_MPa",
)
STATS = ("mean", "std", "min", "max")
SOC_DIGITS = 9


@dataclass
class Point:
    """One parameter point (varied values) and its replicate statistics per SOC."""

    values: dict[str, str]  # varied path → formatted value
    raw: dict[str, Any]  # varied path → value as given in the study file
    case_ids: list[str] = field(default_factory=list)  # completed replicates
    by_soc: dict[float, dict[str, list[float]]] = field(default_factory=dict)
    peaks: dict[str, list[float]] = field(default_factory=dict)  # per case: max over SOC

    def stats(self, soc: float, column: str) -> dict[str, float]:
        """n, mean, std (sample, ddof = 1; NaN for one replicate), min, max."""
        return _stats(self.by_soc.get(soc, {}).get(column, []))

    def peak_stats(self, column: str) -> dict[str, float]:
        """`stats` of each replicate's maximum over the reported SOCs."""
        return _stats(self.peaks.get(column, []))


def _stats(values: list[float]) -> dict[str, float]:
    xs = np.array([x for x in values if math.isfinite(x)], dtype=float)
    if xs.size == 0:
        return {"n": 0, "mean": math.nan, "std": math.nan, "min": math.nan, "max": math.nan}
    return {
        "n": int(xs.size),
        "mean": float(xs.mean()),
        "std": float(xs.std(ddof=1)) if xs.size > 1 else math.nan,
        "min": float(xs.min()),
        "max": float(xs.max()),
    }


def _float(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def soc_key(text: str | float) -> float:
    """A SOC as a float rounded to 1e-9 (to match rows across cases)."""
    return round(float(text), SOC_DIGITS)


def read_summary(root: Path, case_id: str) -> list[dict[str, str]]:
    """The summary.csv rows of one case (empty when it has none yet)."""
    path = case_dir(root, case_id) / "summary.csv"
    return read_csv(path) if path.is_file() else []


def build_tables(study: Study, statuses: Mapping[str, CaseStatus]) -> list[Path]:
    """Write study.csv and study_summary.csv; returns their paths."""
    rows, columns = study_rows(study, statuses)
    write_csv_atomic(study.dir / "study.csv", rows, columns)
    points = collect_points(study, statuses)
    srows, scolumns = summary_rows(study, points)
    write_csv_atomic(study.dir / "study_summary.csv", srows, scolumns)
    return [study.dir / "study.csv", study.dir / "study_summary.csv"]


def study_rows(
    study: Study, statuses: Mapping[str, CaseStatus]
) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per case and reported SOC (a case without any SOC gets one row, so its
    status and error show); summary values are copied as the case wrote them."""
    rows: list[dict[str, Any]] = []
    summary_cols: list[str] = []
    for case in study.cases:
        st = statuses.get(case.id)
        head: dict[str, Any] = {
            "case_id": case.id,
            **{p: format_value(v) for p, v in case.values.items()},
            "seed": "" if case.seed is None else case.seed,
            "status": st.status if st is not None else "pending",
            "error": _one_line(st.error) if st is not None else "",
        }
        summary = read_summary(study.dir, case.id)
        for col in summary[0] if summary else ():
            if col not in summary_cols:
                summary_cols.append(col)
        if not summary:
            rows.append(head)
        for r in summary:
            rows.append({**head, **r})
    columns = ["case_id", *study.varied, "seed", "status", "error", *summary_cols]
    return rows, columns


def _one_line(text: str) -> str:
    return " ".join(text.split())


def collect_points(study: Study, statuses: Mapping[str, CaseStatus]) -> list[Point]:
    """Parameter points in study order with the values of their completed replicates."""
    points: dict[tuple[str, ...], Point] = {}
    for case in study.cases:
        values = {p: format_value(v) for p, v in case.values.items()}
        key = tuple(values.values())
        point = points.setdefault(key, Point(values, dict(case.values)))
        st = statuses.get(case.id)
        if st is None or st.status != "completed":
            continue
        point.case_ids.append(case.id)
        summary = read_summary(study.dir, case.id)
        for r in summary:
            by_col = point.by_soc.setdefault(soc_key(r["soc"]), {})
            for col in AGGREGATED:
                if col in r:
                    by_col.setdefault(col, []).append(_float(r[col]))
        for col in AGGREGATED:
            xs = [_float(r[col]) for r in summary if col in r]
            xs = [x for x in xs if math.isfinite(x)]
            if xs:
                point.peaks.setdefault(col, []).append(max(xs))
    return list(points.values())


def summary_rows(study: Study, points: Sequence[Point]) -> tuple[list[dict[str, Any]], list[str]]:
    """study_summary.csv rows (replicates aggregated) and their columns."""
    present = [c for c in AGGREGATED if any(c in d for p in points for d in p.by_soc.values())]
    columns = [*study.varied, "soc", "n", "case_ids"]
    columns += [f"{c}_{s}" for c in present for s in STATS]
    rows: list[dict[str, Any]] = []
    for p in points:
        for soc in sorted(p.by_soc):
            row: dict[str, Any] = {**p.values, "soc": soc, "case_ids": " ".join(p.case_ids)}
            n = 0
            for c in present:
                st = p.stats(soc, c)
                n = max(n, int(st["n"]))
                for s in STATS:
                    row[f"{c}_{s}"] = "" if math.isnan(st[s]) else st[s]
            row["n"] = n
            rows.append(row)
    return rows, columns
