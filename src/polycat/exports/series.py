"""Continuing a run's ParaView time series after ``--resume`` (rank 0, no DOLFINx).

A resumed run appends its SOCs to the first run's ``fields/fields.xdmf``: DOLFINx's
append mode adds them to the same temporal collections, each referring to a mesh grid of
its own (the resumed run may hold the mesh in another partition, on other ranks), so
ParaView opens one file set with every SOC. Before that, the steps the first run wrote
after its last checkpoint (a kill between the fields and the checkpoint) are removed —
the resumed run writes them again — from the XML and from the HDF5 file.
"""

from __future__ import annotations

import logging
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from polycat.fileio import write_text_atomic

__all__ = ["prepare_append"]

log = logging.getLogger("polycat")

XI = "https://www.w3.org/2001/XInclude"


def _data_paths(grid: ET.Element) -> list[str]:
    """The HDF5 dataset paths a grid's data items name (``fields.h5:/Function/x/0_5``)."""
    return [
        item.text.strip().split(":", 1)[1]
        for item in grid.iter("DataItem")
        if item.text and ":" in item.text
    ]


def prepare_append(xdmf: Path, keep_times: Sequence[float]) -> str | None:
    """Make ``xdmf`` ready for a resumed run to append to; returns the name of the mesh
    grid the resumed run writes (unique in the file), or None when the series cannot be
    continued (missing or unreadable files: the run then writes a series of its own).

    Time steps whose time (SOC) is not in ``keep_times`` are removed."""
    h5 = xdmf.with_suffix(".h5")
    if not xdmf.is_file() or not h5.is_file():
        return None
    ET.register_namespace("xi", XI)
    try:
        tree = ET.parse(xdmf)
    except (ET.ParseError, OSError) as exc:
        log.warning("%s cannot be continued (%s); writing the resumed SOCs apart", xdmf, exc)
        return None
    domain = tree.getroot().find("Domain")
    if domain is None:
        return None
    stale: list[str] = []
    kept: list[str] = []
    names: set[str] = set()
    for grid in domain.findall("Grid"):
        if grid.get("CollectionType") != "Temporal":
            names.add(grid.get("Name", ""))
            kept += _data_paths(grid)
            continue
        for step in grid.findall("Grid"):
            time = step.find("Time")
            t = float(time.get("Value", "nan")) if time is not None else math.nan
            if any(math.isclose(t, k, rel_tol=0.0, abs_tol=1e-9) for k in keep_times):
                kept += _data_paths(step)
                continue
            stale += _data_paths(step)
            grid.remove(step)
    try:  # a run killed while writing (SIGKILL) can leave the HDF5 file unreadable
        import h5py

        with h5py.File(h5, "a" if stale else "r") as f:
            missing = [p for p in kept if p not in f]
            if missing:
                raise OSError(f"datasets missing: {', '.join(missing[:3])}")
            for path in stale:
                if path in f:
                    del f[path]
    except Exception as exc:  # h5py raises OSError, KeyError, RuntimeError on damage
        log.warning("%s cannot be continued (%s); writing the resumed SOCs apart", h5, exc)
        return None
    if stale:
        text = ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=False)
        write_text_atomic(xdmf, '<?xml version="1.0"?>\n' + text + "\n")
        log.info("removed %d field step(s) written after the last checkpoint", len(stale))
    k = 1
    while f"mesh_resumed_{k}" in names:
        k += 1
    return f"mesh_resumed_{k}"
