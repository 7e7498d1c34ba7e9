"""Restarts: the results-directory guard, resume checks and checkpoints of the solver state
after each reported SOC, readable on any number of ranks.

The checks (:func:`prepare_results_dir`, :func:`check_resume_dir`, :func:`resume_state`)
import no DOLFINx, so the command line refuses a bad ``--resume`` before loading the
solver stack.

A checkpoint is ``<results>/checkpoint/state.json`` (loop position, the report rows so far,
counters; written last, atomically: it is the commit point) and the ``fields-<soc>.npz``
file it names, holding every saved Function as (DOF coordinates, values) of the owned DOFs
of all ranks. On restart each rank looks its DOFs up by coordinate (nearest neighbour,
with a tolerance far below the mesh size), so a checkpoint written on N ranks is read on M.
The mesh itself is not stored: it comes from the mesh cache (the config's geometry), and a
checkpoint whose DOF coordinates do not match the mesh is refused.

Why not io4dolfinx/adios4dolfinx: their N-to-M formats need ADIOS2 Python bindings or h5py
built with MPI; the PyPI wheels of both are serial, so under ``mpiexec`` they cannot write
one file from several ranks (docs/internals.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from polycat.errors import ConfigError
from polycat.fileio import write_json_atomic

if TYPE_CHECKING:  # pragma: no cover
    from mpi4py import MPI

    from dolfinx import fem

__all__ = [
    "CHECKPOINT_DIR",
    "FORMAT_VERSION",
    "check_resume_dir",
    "load_fields",
    "prepare_results_dir",
    "read_state",
    "resume_state",
    "run_status",
    "save_checkpoint",
]

log = logging.getLogger("polycat")

MARKER = "run.json"
SAVED = "config.resolved.yaml"

CHECKPOINT_DIR = "checkpoint"
STATE_FILE = "state.json"
FORMAT_VERSION = 1
MATCH_TOL_UM = 1e-6


def _owned(f: fem.Function) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    V = f.function_space
    n = V.dofmap.index_map.size_local
    bs = V.dofmap.index_map_bs
    coords = np.ascontiguousarray(V.tabulate_dof_coordinates()[:n], dtype=np.float64)
    values = np.array(f.x.array[: n * bs], dtype=np.float64).reshape(n, bs)
    return coords, values


def _collective_error(comm: MPI.Comm, error: str | None, root_only: bool = False) -> None:
    if root_only:
        error = comm.bcast(error, root=0)
    else:
        errors = [e for e in comm.allgather(error) if e]
        error = errors[0] if errors else None
    if error:
        raise ConfigError(error)


def save_checkpoint(
    comm: MPI.Comm,
    out: Path,
    tag: str,
    state: Mapping[str, Any],
    fields: Mapping[str, fem.Function],
    extra: Mapping[str, NDArray[Any]] | None = None,
) -> Path:
    """Write the fields and then ``state`` (the commit point) under ``out/checkpoint``.

    ``extra``: more arrays for the field file (already gathered; rank 0's are written).

    Collective. Older field files are removed once the new state is on disk, so a kill at
    any moment leaves one complete checkpoint.
    """
    folder = Path(out) / CHECKPOINT_DIR
    gathered = {name: comm.gather(_owned(f), root=0) for name, f in fields.items()}
    error = None
    if comm.rank == 0:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            arrays: dict[str, NDArray[np.float64]] = {}
            for name, parts in gathered.items():
                assert parts is not None
                arrays[f"{name}__coords"] = np.concatenate([p[0] for p in parts])
                arrays[f"{name}__values"] = np.concatenate([p[1] for p in parts])
            for name, arr in (extra or {}).items():
                arrays[f"extra__{name}"] = np.asarray(arr)
            fname = f"fields-{tag}.npz"
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{fname}.", suffix=".tmp")
            try:
                mask = os.umask(0o022)
                os.umask(mask)
                os.fchmod(fd, 0o666 & ~mask)
                with os.fdopen(fd, "wb") as fh:
                    np.savez(fh, **arrays)  # type: ignore[arg-type]
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, folder / fname)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            write_json_atomic(
                folder / STATE_FILE,
                {"format": FORMAT_VERSION, "fields_file": fname, "fields": list(fields), **state},
            )
            for old in folder.glob("fields-*.npz"):
                if old.name != fname:
                    old.unlink(missing_ok=True)
        except OSError as exc:
            error = f"cannot write the checkpoint in {folder}: {exc}"
    _collective_error(comm, error, root_only=True)
    return folder / STATE_FILE


def read_state(out: Path) -> dict[str, Any] | None:
    """The last committed checkpoint state of a results directory, or None if it has none."""
    path = Path(out) / CHECKPOINT_DIR / STATE_FILE
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: unreadable checkpoint state ({exc})") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT_VERSION:
        raise ConfigError(
            f"{path}: checkpoint format {state.get('format') if isinstance(state, dict) else '?'}"
            f" is not the one this polycat writes ({FORMAT_VERSION}); rerun without --resume"
        )
    fields_file = path.parent / str(state.get("fields_file", ""))
    if not fields_file.is_file():
        raise ConfigError(
            f"{path}: the field file it names ({fields_file.name}) is missing; rerun without "
            "--resume"
        )
    return state


def load_fields(
    comm: MPI.Comm, out: Path, state: Mapping[str, Any], fields: Mapping[str, fem.Function]
) -> None:
    """Set each Function in ``fields`` from the checkpoint (collective, any rank count)."""
    from scipy.spatial import cKDTree

    path = Path(out) / CHECKPOINT_DIR / str(state["fields_file"])
    error = None
    try:
        data = np.load(path)
    except (OSError, ValueError) as exc:
        data = None
        error = f"{path}: unreadable checkpoint fields ({exc}); rerun without --resume"
    _collective_error(comm, error)
    assert data is not None
    with data:
        for name, f in fields.items():
            if f"{name}__coords" not in data:
                error = f"{path}: no field {name!r} in the checkpoint; rerun without --resume"
                _collective_error(comm, error)
            coords = data[f"{name}__coords"]
            values = data[f"{name}__values"]
            V = f.function_space
            bs = V.dofmap.index_map_bs
            local = V.tabulate_dof_coordinates()
            dist, idx = cKDTree(coords).query(local, k=1)
            error = None
            if values.shape[1] != bs:
                error = f"{path}: field {name!r} has block size {values.shape[1]}, expected {bs}"
            elif dist.size and float(dist.max()) > MATCH_TOL_UM:
                error = (
                    f"{path}: the checkpoint's {name!r} DOFs do not match this mesh (largest "
                    f"distance {float(dist.max()):.3g} µm): the mesh or element degree changed; "
                    "rerun without --resume"
                )
            _collective_error(comm, error)
            f.x.array[:] = values[idx].reshape(-1)
            f.x.scatter_forward()


# --------------------------------------------------------------------- results directory


def prepare_results_dir(path: Path, overwrite: bool) -> None:
    """Create the results directory; refuse one that cannot be written, and one that
    already holds a run unless `overwrite` — except a *failed* run, which a plain rerun
    replaces (there is nothing to continue). An interrupted or unfinished run is refused
    with the two ways on: ``--resume`` (continue it) or ``--overwrite`` (start again)."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"output.dir {path} exists and is not a directory; choose another --out")
    if overwrite and path.is_dir() and ((path / MARKER).exists() or (path / SAVED).exists()):
        _clear(path)  # a polycat results directory: replace it whole (no stale SOCs left)
    if path.is_dir() and any(path.iterdir()) and not overwrite:
        status = run_status(path) if (path / MARKER).exists() else None
        if status == "failed":
            log.warning("output.dir %s holds a failed run: replacing it", path)
            _clear(path)
        elif status in ("interrupted", "running"):
            state = None
            with contextlib.suppress(ConfigError):
                state = read_state(path)
            where = (
                f"from its checkpoint after SOC {state['soc']:g}"
                if state is not None
                else "from its start (no SOC was checkpointed)"
            )
            how = (
                "was interrupted"
                if status == "interrupted"
                else "did not finish (run.json says running: it is still running, or it was killed)"
            )
            raise ConfigError(
                f"output.dir {path} holds a run that {how}; continue it {where} with "
                f"`polycat run --resume {path}`, or pass --overwrite to start it again"
            )
        else:
            what = "another run" if (path / MARKER).exists() else "files"
            if status:
                what += f" ({status})"
            raise ConfigError(
                f"output.dir {path} already holds {what}; pass --overwrite to replace it or "
                "choose another --out"
            )
    try:
        path.mkdir(parents=True, exist_ok=True)
        _probe_writable(path)
    except OSError as exc:
        raise ConfigError(f"output.dir {path} cannot be written: {exc.strerror}") from None


RUN_OUTPUTS = (
    "config.resolved.yaml", "summary.csv", "boundaries.csv", "grains.csv", "orientations.csv",
    MARKER, "profiles", "facets", "sections", "fields", "plots", CHECKPOINT_DIR,
)  # fmt: skip
"""What a run writes into its results directory (README, "What a run writes")."""


def _clear(path: Path) -> None:
    """Remove what a run wrote into ``path`` (and its temporary files); anything else a
    user keeps there (their own config, notes) stays."""
    import shutil

    for child in path.iterdir():
        if child.name not in RUN_OUTPUTS and not child.name.endswith(".tmp"):
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _probe_writable(path: Path) -> None:
    probe = path / ".polycat-write-test"
    probe.write_text("")
    probe.unlink()


def run_status(d: Path) -> str | None:
    """The status recorded in a results directory's run.json, if readable."""
    try:
        status = json.loads((Path(d) / MARKER).read_text(encoding="utf-8")).get("status")
    except (OSError, ValueError, AttributeError):
        return None
    return str(status) if status is not None else None


def check_resume_dir(d: Path) -> Path:
    """The ``config.resolved.yaml`` of an interrupted run in ``d`` (what ``--resume d``
    continues with); a ConfigError when ``d`` is not a polycat results directory."""
    d = Path(d)
    if not d.is_dir():
        raise ConfigError(f"--resume {d}: no such results directory")
    saved = d / "config.resolved.yaml"
    if not saved.is_file():
        raise ConfigError(
            f"--resume {d}: no config.resolved.yaml there, so it is not a polycat results "
            "directory; give the directory of an interrupted run"
        )
    return saved


def resume_state(out: Path, digest: str) -> dict[str, Any] | None:
    """Check that ``out`` holds an unfinished run whose config hashes to ``digest``; return
    its checkpoint state (None: no checkpoint yet, the run starts again from SOC 0 in the
    same directory)."""
    check_resume_dir(out)
    state = read_state(out)
    if state is not None and state.get("config_digest") != digest:
        raise ConfigError(
            f"--resume {out}: the config differs from the one the checkpoint was written with; "
            "resume with the directory's own config.resolved.yaml (no --set), or start a new run"
        )
    try:
        _probe_writable(Path(out))
    except OSError as exc:
        raise ConfigError(f"--resume {out}: directory cannot be written: {exc.strerror}") from None
    return state


def load_extra(out: Path, state: Mapping[str, Any]) -> dict[str, NDArray[Any]]:
    """The extra arrays of the checkpoint's field file (every rank reads them)."""
    path = Path(out) / CHECKPOINT_DIR / str(state["fields_file"])
    with np.load(path) as data:
        return {k[len("extra__") :]: data[k] for k in data.files if k.startswith("extra__")}
