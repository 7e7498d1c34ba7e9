"""The mesh folder and its cache.

A mesh folder holds ``mesh.msh`` (Gmsh 4.1), ``markers.json`` (name → [tag, dim]),
``grains.csv`` (one row per grain), ``info.json`` (spec, versions, counts, quality,
timings) and ``grains.png``. It is written into a temporary sibling folder that is renamed
into place at the end, so a killed build never leaves a folder that looks complete.
`ensure_mesh` keys folders by `GeometrySpec.cache_key` and builds on rank 0 only.

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

from polycat.fileio import write_columns
from polycat.geometry.errors import GeometryError
from polycat.geometry.mesh_arrays import grain_table
from polycat.geometry.plot import write_grain_plot
from polycat.geometry.spec import GeometrySpec

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
    spec: GeometrySpec, folder: Path, verbose: bool = False, replace: bool = True
) -> Path:
    """Build the mesh of `spec` into `folder`; return the folder.

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


def ensure_mesh(spec: GeometrySpec, cache_dir: Path, comm: Any) -> Path:
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


def _build_into(spec: GeometrySpec, tmp: Path, verbose: bool) -> None:
    """Build `spec` and write every file of its mesh folder into `tmp`."""
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
