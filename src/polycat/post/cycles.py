"""The cycle table of a protocol run (``cycles.csv``): per cycle, the charge and discharge
capacities, the coulombic efficiency, and the state at the end of charge (voltage,
peak stresses; cracked and debonded fractions with cohesive interfaces).

It is read off ``summary.csv``'s rows: a protocol reports at the end of every step, and
``capacity_mAh_g`` counts the charge moved since the current direction of charge began,
and from the start of each cycle, so a half cycle's capacity is that of its last row
before a rest (a rest moves none; the end of charge is the state where the charging
current stops); a cycle with two half cycles in one direction adds them.
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
    # per cycle, its half cycles in order: (direction, last row); rests move no charge
    halves: dict[int, list[tuple[str, Mapping[str, Any]]]] = {}
    for entry in summary:
        if entry["step_type"] == "rest":
            continue  # the end of charge is where the current stops
        c = int(entry["cycle"])
        direction = directions[int(entry["step"]) - 1]
        seq = halves.setdefault(c, [])
        if seq and seq[-1][0] == direction:
            seq[-1] = (direction, entry)
        else:
            seq.append((direction, entry))
    out: list[dict[str, Any]] = []
    for c in sorted(halves):
        seq = halves[c]

        def total(direction: str, seq: list[tuple[str, Mapping[str, Any]]] = seq) -> float | None:
            values = [_float(r["capacity_mAh_g"]) for d, r in seq if d == direction]
            known = [v for v in values if v is not None]
            return sum(known) if values and len(known) == len(values) else None

        ch = next((r for d, r in reversed(seq) if d == "charge"), None)
        dis = next((r for d, r in reversed(seq) if d == "discharge"), None)
        q_ch, q_dis = total("charge"), total("discharge")
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
