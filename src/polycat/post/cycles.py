"""The cycle table of a protocol run (``cycles.csv``): per cycle, the charge and discharge
capacities, the coulombic efficiency, and the state at the end of charge (voltage,
peak stresses; cracked and debonded fractions with cohesive interfaces).

It is read off ``summary.csv``'s rows: a protocol reports at the end of every step, and
``capacity_mAh_g`` counts the charge moved since the current direction of charge began,
so a half cycle's capacity is that of its last row before a rest (a rest moves none; the
end of charge is the state where the charging current stops).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CYCLE_COLUMNS", "END_OF_CHARGE_KEYS", "cycle_table"]

END_OF_CHARGE_KEYS = (
    "sigma_hoop_max_MPa",
    "sigma_r_max_MPa",
    "vm_max_MPa",
    "gb_tn_max_MPa",
    "interface_tn_max_MPa",
    "gb_cracked_area_fraction",
    "interface_debonded_area_fraction",
    "isolated_volume_fraction",
)
"""The summary values cycles.csv repeats at the end of each charge (``end_of_charge_*``)."""

CYCLE_COLUMNS = (
    "cycle",
    "charge_capacity_mAh_g",
    "discharge_capacity_mAh_g",
    "coulombic_efficiency",
    "end_of_charge_report",
    "end_of_charge_soc",
    "end_of_charge_voltage_V",
    "end_of_discharge_soc",
    "end_of_discharge_voltage_V",
    *(f"end_of_charge_{k}" for k in END_OF_CHARGE_KEYS),
)
"""cycles.csv, one row per cycle reached (a cycle still running: what it has so far)."""


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def cycle_table(
    summary: Sequence[Mapping[str, Any]], directions: Sequence[str]
) -> list[dict[str, Any]]:
    """The rows of cycles.csv from summary.csv's rows; ``directions[k]`` is the direction
    of charge protocol step k + 1 belongs to (:func:`polycat.simulation.protocol.step_directions`).
    Coulombic efficiency = discharge / charge capacity (Li back in over Li out), None
    until both half cycles have run."""
    cycles: dict[int, dict[str, Mapping[str, Any]]] = {}
    for entry in summary:
        if entry["step_type"] == "rest":
            continue  # moves no charge; the end of charge is where the current stops
        c = int(entry["cycle"])
        direction = directions[int(entry["step"]) - 1]
        cycles.setdefault(c, {})[direction] = entry  # the last row of that half cycle
    out: list[dict[str, Any]] = []
    for c in sorted(cycles):
        half = cycles[c]
        ch, dis = half.get("charge"), half.get("discharge")
        q_ch = _float(ch["capacity_mAh_g"]) if ch is not None else None
        q_dis = _float(dis["capacity_mAh_g"]) if dis is not None else None
        ce = q_dis / q_ch if q_ch and q_dis is not None else None
        row: dict[str, Any] = {
            "cycle": c,
            "charge_capacity_mAh_g": q_ch,
            "discharge_capacity_mAh_g": q_dis,
            "coulombic_efficiency": ce,
            "end_of_charge_report": None if ch is None else int(ch["report"]),
            "end_of_charge_soc": None if ch is None else _float(ch["soc"]),
            "end_of_charge_voltage_V": None if ch is None else _float(ch.get("voltage_V")),
            "end_of_discharge_soc": None if dis is None else _float(dis["soc"]),
            "end_of_discharge_voltage_V": None if dis is None else _float(dis.get("voltage_V")),
        }
        for k in END_OF_CHARGE_KEYS:
            row[f"end_of_charge_{k}"] = None if ch is None else _float(ch.get(k))
        out.append(row)
    return out
