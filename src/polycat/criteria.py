"""Reading a finished run again under other failure criteria (``polycat report DIR --set
readers.…``), without solving anything.

The risks of bonded interfaces are tractions divided by strengths; the tractions of every
grain-boundary and CAM–SE interface facet at every reported SOC are stored in
``facets/gb_soc_XXX.csv`` and ``facets/interface_soc_XXX.csv`` (the same samples the run
reduced). So a new GB strength, shear strength or adhesion strength gives new
``summary.csv`` and ``boundaries.csv`` risk columns by the same reduction
(:func:`polycat.post.readers.facet_statistics`) that a fresh run with that criterion
would do; nothing else in the tables changes. What cannot be re-read is refused:

- ``readers.profile_bins``: the radial profiles are shell averages of the stress field,
  which a run does not keep at every SOC;
- any key outside ``readers``: it changes the solution;
- a run with ``interfaces:`` (a split mesh): its interfaces are cohesive laws whose
  strengths are part of the solution, and it reports damage, not risks.

The directory's ``config.resolved.yaml`` gets the new ``readers`` section (so the
directory says which criteria its tables use, and a fresh run of it gives the same tables)
and ``run.json`` the new strengths with their evidence and a ``readers_set_by_report``
list. An interrupted run is refused (its continuation would read with the old criteria).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from polycat.errors import ConfigError
from polycat.fileio import read_csv, write_csv_atomic, write_json_atomic, write_text_atomic
from polycat.geometry.tags import gb_tag, interface_tag

__all__ = ["REREADABLE", "reread_criteria"]

REREADABLE = ("gb_strength_MPa", "gb_shear_strength_MPa", "adhesion_strength_MPa")
"""The ``readers`` keys a finished run can be read again with."""

COPIED = ("fields", "checkpoint")
"""What ``--out`` does not copy (large, and the new directory does not need them)."""


def _check_overrides(overrides: Sequence[str]) -> None:
    from polycat.config.loading import parse_override

    for item in overrides:
        path, _ = parse_override(item)
        key = ".".join(path)
        if path[0] != "readers":
            raise ConfigError(
                f"report --set {item!r}: {key} changes the solution, so it needs a new run "
                "(polycat run CONFIG --set ...); report --set takes the failure criteria "
                f"readers.{{{', '.join(REREADABLE)}}} only"
            )
        if len(path) != 2 or path[1] not in REREADABLE:
            why = (
                "the radial profiles are shell averages of the stress field, which a run "
                "does not keep at every SOC: rerun with it"
                if path[1:] == ["profile_bins"]
                else f"report --set takes readers.{{{', '.join(REREADABLE)}}}"
            )
            raise ConfigError(f"report --set {item!r}: {why}")


def _facets(path: Path) -> dict[str, np.ndarray]:
    rows = read_csv(path)
    return {
        "tag": np.array([int(r["tag"]) for r in rows], dtype=np.int64),
        "area": np.array([float(r["area_um2"]) for r in rows]),
        "t_n": np.array([float(r["tn_MPa"]) for r in rows]),
        "t_s": np.array([float(r["ts_MPa"]) for r in rows]),
    }


def _statistics(
    path: Path, tags: list[int], strength: float, shear: float | None
) -> tuple[dict[str, float], dict[int, dict[str, Any]]]:
    from types import SimpleNamespace

    from mpi4py import MPI

    from polycat.post.readers import facet_statistics

    if not path.is_file():
        raise ConfigError(
            f"{path}: missing; the facet tractions of this run were not stored (runs of "
            "older polycat versions store no interface facets), so its risks cannot be "
            "read again: rerun with the new criterion"
        )
    fs = SimpleNamespace(**_facets(path))
    overall, rows = facet_statistics(MPI.COMM_SELF, fs, tags, strength, shear)  # type: ignore[arg-type]
    return overall, {int(r["tag"]): r for r in rows}


def _blank(value: Any) -> str:
    return "" if value is None else f"{value:.10g}" if isinstance(value, float) else str(value)


def reread_criteria(d: Path, overrides: Sequence[str], out: Path | None = None) -> Path:
    """Rewrite the risk columns of the run in ``d`` for the readers ``overrides``
    (``readers.key=value`` items), in ``d`` or in a copy ``out`` (without fields and
    checkpoint). Returns the directory written. Rank 0 only, no MPI collective.

    Raises:
        ConfigError: an override that is not a re-readable criterion, a run that cannot be
            read again (interrupted, split mesh, facets missing), or a criterion the config
            checks refuse.
    """
    from polycat.config.loading import apply_overrides, read_yaml, validate_config
    from polycat.config.resolve import resolve
    from polycat.simulation.restart import MARKER, SAVED

    d = Path(d)
    _check_overrides(overrides)
    try:
        run = json.loads((d / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ConfigError(
            f"{d}: no readable {MARKER}; give the results directory of a run"
        ) from None
    status = run.get("status")
    if status in ("interrupted", "running"):
        raise ConfigError(
            f"{d}: the run is {status}; its continuation would read with the old criteria: "
            f"finish it first (polycat run --resume {d})"
        )
    if run.get("interfaces"):
        raise ConfigError(
            f"{d}: this run has interfaces: (split mesh); cohesive interfaces report damage "
            "and openings, not risks, and their strengths (interfaces.*.strength_MPa) are "
            "part of the solution: rerun with the new strength"
        )
    extra = [f"output.dir={out}"] if out is not None else []
    data = apply_overrides(read_yaml(d / SAVED), [*overrides, *extra])
    cfg = validate_config(data, source=f"{d / SAVED} with report --set")
    plan = resolve(cfg)
    if out is not None:
        out = Path(out)
        if out.exists():
            raise ConfigError(f"--out {out}: exists; give a new directory")
        shutil.copytree(d, out, ignore=shutil.ignore_patterns(*COPIED))
        try:
            return _reread(out, plan, overrides, run)
        except BaseException:
            shutil.rmtree(out, ignore_errors=True)  # no half-written copy
            raise
    return _reread(d, plan, overrides, run)


def _reread(d: Path, plan: Any, overrides: Sequence[str], run: dict[str, Any]) -> Path:
    """Rewrite the risk columns of the tables in ``d`` with ``plan``'s criteria."""
    from polycat.exports.provenance import materials_meta
    from polycat.reports import soc_tag
    from polycat.simulation.restart import MARKER, SAVED

    rd = plan.readers
    summary = read_csv(d / "summary.csv")
    if not summary:
        raise ConfigError(f"{d}: summary.csv has no reported SOC; nothing to read again")
    boundaries = read_csv(d / "boundaries.csv")
    gb_rows_of = {
        (r.get("report") or r["soc"], gb_tag(int(r["grain_i"]), int(r["grain_j"]))): r
        for r in boundaries
        if r["kind"] == "gb"
    }
    itf_rows_of = {
        (r.get("report") or r["soc"], interface_tag(int(r["grain_i"]))): r
        for r in boundaries
        if r["kind"] == "interface"
    }
    numbered = any((d / "profiles").glob("soc_r*.csv"))
    gb_tags = sorted({t for _, t in gb_rows_of})
    itf_tags = sorted({t for _, t in itf_rows_of})

    for row in summary:
        soc = row.get("report") or row["soc"]  # the key of its boundaries.csv rows
        tag = soc_tag(float(row["soc"]))
        if numbered:  # a protocol of several steps or cycles: files by report number
            tag = f"r{int(row['report']):04d}_{tag}"
        overall, per = _statistics(
            d / "facets" / f"gb_soc_{tag}.csv", gb_tags, rd.gb_strength_MPa,
            rd.gb_shear_strength_MPa,
        )  # fmt: skip
        row["gb_strength_MPa"] = _blank(rd.gb_strength_MPa)
        row["gb_risk_max"] = _blank(overall["risk_max"])
        row["gb_area_fraction_at_risk"] = _blank(overall["area_fraction_at_risk"])
        for t, r in per.items():
            b = gb_rows_of[(soc, t)]
            b["risk_max"] = _blank(r["risk_max"])
            b["area_fraction_at_risk"] = _blank(r["area_fraction_at_risk"])
        if rd.adhesion_strength_MPa is not None and itf_tags:
            overall, per = _statistics(
                d / "facets" / f"interface_soc_{tag}.csv", itf_tags, rd.adhesion_strength_MPa,
                None,
            )  # fmt: skip
            row["adhesion_strength_MPa"] = _blank(rd.adhesion_strength_MPa)
            row["delam_risk_max"] = _blank(overall["risk_max"])
            row["interface_area_fraction_at_risk"] = _blank(overall["area_fraction_at_risk"])
            for t, r in per.items():
                b = itf_rows_of[(soc, t)]
                b["risk_max"] = _blank(r["risk_max"])
                b["area_fraction_at_risk"] = _blank(r["area_fraction_at_risk"])
    write_csv_atomic(d / "summary.csv", summary, list(summary[0]))
    if boundaries:
        write_csv_atomic(d / "boundaries.csv", boundaries, list(boundaries[0]))
    write_text_atomic(d / SAVED, plan.config_yaml)
    run["materials"] = materials_meta(plan)
    run["readers_set_by_report"] = [*run.get("readers_set_by_report", []), *overrides]
    write_json_atomic(d / MARKER, run)
    return d
