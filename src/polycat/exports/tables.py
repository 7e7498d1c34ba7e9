"""The CSV tables of a run: summary, boundaries, grains, radial profiles, GB facets.

The columns are the results contract (README "What a run writes"). A row key without a
column, or a column without a value, is an error: nothing computed is dropped silently.
Tables are rewritten atomically after every report SOC (rank 0).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from polycat.fileio import write_csv_atomic
from polycat.post.soc import COHESIVE_COLUMNS, FACET_COLUMNS, OPENING_KEYS, SocReport

__all__ = [
    "BOUNDARY_COLUMNS",
    "GRAIN_COLUMNS",
    "PROFILE_COLUMNS",
    "SUMMARY_COLUMNS",
    "TablesExporter",
    "check_columns",
]

SUMMARY_COLUMNS = (
    "soc",
    "report",
    "time_s",
    "cycle",
    "step",
    "step_type",
    "x_mean",
    "current_density_A_m2",
    "voltage_V",
    "overpotential_V",
    "capacity_mAh_g",
    "gb_strength_MPa",
    "adhesion_strength_MPa",
    "sigma_r_max_MPa",
    "sigma_r_min_MPa",
    "sigma_hoop_max_MPa",
    "sigma_hoop_min_MPa",
    "vm_max_MPa",
    "gb_tn_max_MPa",
    "gb_risk_max",
    "gb_area_fraction_at_risk",
    "interface_tn_max_MPa",
    "delam_risk_max",
    "interface_area_fraction_at_risk",
    "gb_tn_mean_MPa",
    "gb_tn_tensile_mean_MPa",
    "interface_tn_mean_MPa",
    "se_sigma_r_max_MPa",
    "se_sigma_r_min_MPa",
    "se_sigma_hoop_max_MPa",
    "se_sigma_hoop_min_MPa",
    "se_vm_max_MPa",
    "mass_balance_error_max",
    "mech_ksp_iterations",
    "x_min_particle",
    "x_max_particle",
    "lattice_table_held",
    *COHESIVE_COLUMNS,
)
"""summary.csv, one row per report SOC. Without an electrolyte the ``se_*``, interface
and delamination columns are empty (not applicable); the risk columns are empty for
cohesive interfaces and the damage/opening columns for bonded ones."""

BOUNDARY_COLUMNS = (
    "soc",
    "report",
    "kind",
    "name",
    "grain_i",
    "grain_j",
    "area_um2",
    "tn_mean_MPa",
    "tn_max_MPa",
    "tn_min_MPa",
    "ts_mean_MPa",
    "ts_max_MPa",
    "risk_max",
    "area_fraction_at_risk",
    *OPENING_KEYS,
)
"""boundaries.csv, per SOC and per grain boundary (kind gb) or interface patch."""

GRAIN_COLUMNS = (
    "soc",
    "report",
    "grain",
    "volume_um3",
    "x_mean",
    "sigma_h_mean_MPa",
    "sigma_r_mean_MPa",
    "sigma_hoop_mean_MPa",
    "vm_max_MPa",
    "sigma_1_max_MPa",
)
"""grains.csv of a run, per SOC and grain."""

PROFILE_COLUMNS = (
    "region",
    "r_um",
    "c_mol_m3",
    "x",
    "sigma_r_MPa",
    "sigma_hoop_MPa",
    "sigma_h_MPa",
    "vm_MPa",
    "volume_um3",
)
"""profiles/soc_XXX.csv: radial shell averages, particle and electrolyte."""


def check_columns(table: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> None:
    """Raise if a row has a key that is not a column, or lacks a column's value (a value
    of None, "not applicable", is written as an empty cell)."""
    cols = set(columns)
    for row in rows:
        extra = set(row) - cols
        missing = cols - set(row)
        if extra or missing:
            raise ValueError(
                f"{table}: row keys do not match the columns (not a column: "
                f"{sorted(extra) or 'none'}; no value: {sorted(missing) or 'none'})"
            )


class TablesExporter:
    """summary.csv, boundaries.csv, grains.csv, profiles/ and facets/ (rank 0 writes).

    The rows of the whole-run tables are kept (and checkpointed through :meth:`rows` /
    :meth:`restore`), so each table is rewritten whole and atomically after every SOC.
    """

    def __init__(self, out: Path, rank: int) -> None:
        self.out = Path(out)
        self.rank = rank
        self.summary: list[dict[str, Any]] = []
        self.boundaries: list[dict[str, Any]] = []
        self.grains: list[dict[str, Any]] = []

    def setup(self) -> None:
        """Nothing to create before the first report."""

    def write(self, report: SocReport) -> None:
        """Append the report's rows and rewrite the tables (rank 0)."""
        if self.rank != 0:
            return
        check_columns("summary.csv", [report.summary], SUMMARY_COLUMNS)
        check_columns("boundaries.csv", report.boundaries, BOUNDARY_COLUMNS)
        check_columns("grains.csv", report.grains, GRAIN_COLUMNS)
        check_columns("profiles", report.profile, PROFILE_COLUMNS)
        self.summary.append(report.summary)
        self.boundaries.extend(report.boundaries)
        self.grains.extend(report.grains)
        out, tag = self.out, report.file_tag
        write_csv_atomic(out / "profiles" / f"soc_{tag}.csv", report.profile, PROFILE_COLUMNS)
        write_csv_atomic(out / "summary.csv", self.summary, SUMMARY_COLUMNS)
        write_csv_atomic(out / "boundaries.csv", self.boundaries, BOUNDARY_COLUMNS)
        write_csv_atomic(out / "grains.csv", self.grains, GRAIN_COLUMNS)
        if report.facets is not None:
            check_columns("facets", report.facets, FACET_COLUMNS)
            write_csv_atomic(out / "facets" / f"gb_soc_{tag}.csv", report.facets, FACET_COLUMNS)
        if report.interface_facets is not None:
            check_columns("facets", report.interface_facets, FACET_COLUMNS)
            write_csv_atomic(
                out / "facets" / f"interface_soc_{tag}.csv", report.interface_facets, FACET_COLUMNS
            )

    def close(self) -> None:
        """The tables are complete on disk after every write."""

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """The whole-run tables so far (for a checkpoint)."""
        return {"summary": self.summary, "boundaries": self.boundaries, "grains": self.grains}

    def restore(self, rows: Mapping[str, list[dict[str, Any]]]) -> None:
        """Continue from the tables of a checkpoint."""
        self.summary = list(rows["summary"])
        self.boundaries = list(rows["boundaries"])
        self.grains = list(rows["grains"])
