"""File tags of the per-report outputs (``profiles/soc_XXX.csv``, facets, sections,
checkpoints): SOC → tag and back. A protocol of several steps or cycles, where a SOC
recurs, numbers them: ``soc_r0007_050.csv`` is report 7 (summary.csv's ``report``), at
SOC 0.50."""

from __future__ import annotations

from pathlib import Path

__all__ = ["report_number", "report_order", "soc_tag", "tag_soc"]


def soc_tag(soc: float) -> str:
    """``XXX`` of ``profiles/soc_XXX.csv``: round(100·SOC), zero-padded to 3 digits, for a
    SOC on the percent grid (within 1e-6); else the per mille, 4 digits with a leading 0
    (a landed end at SOC 0.6995 → ``0700``, next to SOC 0.70 → ``070``), so that a landing
    next to a report SOC keeps a file of its own. Both sort in SOC order; :func:`tag_soc`
    reads either."""
    pct = 100.0 * soc
    if abs(pct - round(pct)) <= 1e-6:
        return f"{round(pct):03d}"
    return f"{round(1000.0 * soc):04d}"


def tag_soc(path: Path) -> float:
    """The SOC of ``…soc_XXX.csv`` / ``.npz`` (:func:`soc_tag`: 3 digits percent, 4 per
    mille)."""
    tag = path.stem.split("_")[-1]
    return int(tag) / (1000.0 if len(tag) == 4 else 100.0)


def report_number(path: Path) -> int | None:
    """The report number of a numbered file (``…soc_r0007_050.csv`` → 7), else None."""
    parts = path.stem.split("_")
    if len(parts) >= 2 and parts[-2].startswith("r") and parts[-2][1:].isdigit():
        return int(parts[-2][1:])
    return None


def report_order(path: Path) -> tuple[int, float]:
    """Sort key of per-report files: by report number where numbered, else by SOC."""
    return (report_number(path) or 0, tag_soc(path))
