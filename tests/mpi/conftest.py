"""Fixtures of the MPI tests (run with ``mpiexec -n 2 python -m mpi4py -m pytest tests/mpi``).

Every rank must see the same temporary directory (pytest's ``tmp_path`` differs per rank):
rank 0 makes it and broadcasts the path. Teardown collects garbage (PETSc objects are
destroyed collectively) and waits for every rank before rank 0 removes the directory.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mpi4py import MPI

import pytest


def _shared_dir(prefix: str) -> Iterator[Path]:
    comm = MPI.COMM_WORLD
    path = comm.bcast(tempfile.mkdtemp(prefix=prefix) if comm.rank == 0 else None, root=0)
    yield Path(path)
    gc.collect()
    comm.barrier()
    if comm.rank == 0:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def mpi_tmp_path() -> Iterator[Path]:
    """A temporary directory shared by all ranks, for one test."""
    yield from _shared_dir("polycat-mpi-")


@pytest.fixture(scope="module")
def shared_dir() -> Iterator[Path]:
    """A temporary directory shared by all ranks, for one test module."""
    yield from _shared_dir("polycat-mpi-mod-")
