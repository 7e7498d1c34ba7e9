"""The mesh folder and its cache.

A mesh folder holds ``mesh.msh`` (Gmsh 4.1), ``markers.json`` (name → [tag, dim]),
``grains.csv`` (one row per grain), ``info.json`` (spec, versions, counts, quality,
timings) and ``grains.png``. It is written into a temporary sibling folder that is renamed
into place at the end, so a killed build never leaves a folder that looks complete.
`ensure_mesh` keys folders by the spec's `cache_key` and builds on rank 0 only (a
`FileGeometrySpec`, ``geometry.kind: file``, imports its mesh file instead of meshing).

Importing this module does not import Gmsh (the file names and `is_complete` serve the
DOLFINx reader); a build imports `polycat.geometry.gmsh` when it starts.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from polycat.fileio import write_columns
from polycat.geometry.errors import GeometryError
from polycat.geometry.file_spec import AnyGeometrySpec, FileGeometrySpec
from polycat.geometry.mesh_arrays import grain_table
from polycat.geometry.plot import write_grain_plot

LOG = logging.getLogger(__name__)

MESH_FILE = "mesh.msh"
MARKERS_FILE = "markers.json"
GRAINS_FILE = "grains.csv"
INFO_FILE = "info.json"
PLOT_FILE = "grains.png"
REQUIRED_FILES = (MESH_FILE, MARKERS_FILE, GRAINS_FILE, INFO_FILE, PLOT_FILE)


def is_complete(folder: Path) -> bool:
    """True if `folder` holds every file of a finished mesh folder."""
    folder = Path(folder)
    if not all((folder / name).is_file() for name in REQUIRED_FILES):
        return False
    try:
        info = json.loads((folder / INFO_FILE).read_text())
    except (OSError, ValueError):
        return False
    return bool(info.get("complete", False))


def build_mesh_folder(
    spec: AnyGeometrySpec, folder: Path, verbose: bool = False, replace: bool = True
) -> Path:
    """Build the mesh of `spec` into `folder`; return the folder (a `FileGeometrySpec`:
    import its mesh file, :mod:`polycat.geometry.mesh_file`).

    Pure Python + gmsh (no MPI): call it on one rank only. With `replace` an existing
    folder is replaced; without, a complete folder that appeared while building (another
    process built the same spec) is kept and this build discarded.

    Raises:
        GeometryError: with the cause and the ``geometry:`` key to change.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        _build_into(spec, tmp, verbose)
        _move_into_place(tmp, folder, replace=replace)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return folder


def ensure_mesh(spec: AnyGeometrySpec, cache_dir: Path, comm: Any) -> Path:
    """The complete mesh folder ``cache_dir/<cache_key>/`` of `spec`, built if missing.

    Collective on `comm` (an mpi4py communicator): rank 0 checks the cache and builds,
    the outcome is broadcast, and every rank returns the same path or raises the same
    `GeometryError` (never a hang).
    """
    folder = Path(cache_dir) / spec.cache_key()
    outcome: tuple[str, str] = ("ok", str(folder))
    if comm.rank == 0:
        try:
            if is_complete(folder):
                LOG.info("reusing mesh folder %s", folder)
            else:
                LOG.info("building mesh folder %s", folder)
                build_mesh_folder(spec, folder, replace=False)
        except GeometryError as exc:
            outcome = ("error", str(exc))
        except Exception as exc:  # anything else still must not hang the other ranks
            LOG.error("mesh build failed:\n%s", traceback.format_exc())
            outcome = ("error", f"building the mesh failed unexpectedly: {exc!r}")
    _wait_idle(comm)
    outcome = comm.bcast(outcome, root=0)
    if outcome[0] == "error":
        raise GeometryError(outcome[1])
    return Path(outcome[1])


def _wait_idle(comm: Any, poll_s: float = 0.05) -> None:
    """Barrier that sleeps instead of spinning, so waiting ranks leave the cores to the
    (multi-threaded) mesher on rank 0."""
    if comm.size == 1:
        return
    request = comm.Ibarrier()
    while not request.Test():
        time.sleep(poll_s)


# --------------------------------------------------------------------------- writing


def _build_into(spec: AnyGeometrySpec, tmp: Path, verbose: bool) -> None:
    """Build `spec` and write every file of its mesh folder into `tmp`."""
    if isinstance(spec, FileGeometrySpec):
        _import_into(spec, tmp, verbose)
        return
    from polycat.geometry.gmsh.pipeline import build_msh, result_summary

    t_start = time.perf_counter()
    res, gmsh_version = build_msh(spec, tmp / MESH_FILE, verbose)
    t = time.perf_counter()
    (tmp / MARKERS_FILE).write_text(
        json.dumps({k: [v[0], v[1]] for k, v in res.markers.items()}, indent=1) + "\n"
    )
    table = grain_table(spec.dim, res.arrays, res.seeds.points, res.seeds.weights)
    write_columns(tmp / GRAINS_FILE, table)
    write_grain_plot(spec, res.arrays, tmp / PLOT_FILE)
    res.timings_s["write_tables_s"] = time.perf_counter() - t
    res.timings_s["total_s"] = time.perf_counter() - t_start
    info: dict[str, Any] = {
        "spec": spec.to_dict(),
        "cache_key": spec.cache_key(),
        "gmsh_version": gmsh_version,
        "polycat_version": _polycat_version(),
        **result_summary(res),
        "complete": True,
    }
    (tmp / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n")


def _import_into(spec: FileGeometrySpec, tmp: Path, verbose: bool) -> None:
    """Read, check and tag the mesh file of `spec`; write its mesh folder into `tmp`."""
    from polycat.geometry.gmsh.discrete import write_discrete_msh
    from polycat.geometry.mesh_file import import_mesh_file

    t_start = time.perf_counter()
    imported = import_mesh_file(spec)
    if imported.spec != spec:
        raise GeometryError(
            f"geometry.file {spec.file}: reading it again gave other facts than when the run "
            "was planned (internal error)"
        )
    t = time.perf_counter()
    timings: dict[str, float] = {"import_s": t - t_start}
    gmsh_version, quality, counts, gmsh_times = write_discrete_msh(
        tmp / MESH_FILE,
        spec.dim,
        imported.points,
        imported.cells,
        imported.cell_tags,
        imported.facets,
        imported.facet_tags,
        imported.markers,
        verbose,
    )
    timings.update(gmsh_times)
    t = time.perf_counter()
    (tmp / MARKERS_FILE).write_text(
        json.dumps({k: [v[0], v[1]] for k, v in imported.markers.items()}, indent=1) + "\n"
    )
    arrays = imported.arrays()
    n = spec.n_grains
    no_seeds = np.full((n, 3), np.nan)  # a file's grains have no tessellation seeds
    write_columns(tmp / GRAINS_FILE, grain_table(spec.dim, arrays, no_seeds, no_seeds[:, 0]))
    write_grain_plot(spec, arrays, tmp / PLOT_FILE)
    timings["write_tables_s"] = time.perf_counter() - t
    timings["total_s"] = time.perf_counter() - t_start
    info: dict[str, Any] = {
        "spec": spec.to_dict(),
        "cache_key": spec.cache_key(),
        "gmsh_version": gmsh_version,
        "polycat_version": _polycat_version(),
        "element_counts": counts,
        "quality": quality.to_dict(),
        "timings_s": timings,
        "import": imported.extra,
        "complete": True,
    }
    (tmp / INFO_FILE).write_text(json.dumps(info, indent=1) + "\n")


def _move_into_place(tmp: Path, folder: Path, replace: bool) -> None:
    """Rename `tmp` to `folder`; an existing folder is moved aside first if `replace` or
    if it is incomplete, else kept."""
    if folder.exists() and not replace and is_complete(folder):
        return
    if folder.exists():
        old = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
        with contextlib.suppress(OSError):
            folder.rename(old)
            shutil.rmtree(old, ignore_errors=True)
    try:
        tmp.rename(folder)
    except OSError:
        # Another process finished the same folder first: keep theirs if it is complete.
        if not is_complete(folder):
            raise


def _polycat_version() -> str | None:
    try:
        from polycat import __version__

        return str(__version__)
    except ImportError:  # pragma: no cover
        return None
