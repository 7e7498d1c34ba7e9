"""Checkpoints of the solver state after each reported SOC, readable on any number of ranks.

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

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dolfinx_solver  # noqa: F401  (must precede petsc4py/dolfinx)
from mpi4py import MPI

import numpy as np
from numpy.typing import NDArray

from dolfinx import fem

from polycat.config import ConfigError
from polycat.results import write_json_atomic

__all__ = [
    "CHECKPOINT_DIR",
    "FORMAT_VERSION",
    "load_fields",
    "read_state",
    "save_checkpoint",
]

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
) -> Path:
    """Write the fields and then ``state`` (the commit point) under ``out/checkpoint``.

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
            fname = f"fields-{tag}.npz"
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{fname}.", suffix=".tmp")
            try:
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
