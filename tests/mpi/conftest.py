"""Fixtures of the MPI tests (run with ``mpiexec -n 2 python -m mpi4py -m pytest tests/mpi``).

Every rank must see the same temporary directory (pytest's ``tmp_path`` differs per rank):
rank 0 makes it and broadcasts the path. Teardown collects garbage (PETSc objects are
destroyed collectively) and waits for every rank before rank 0 removes the directory.

A test that fails on one rank only leaves the other ranks waiting in a collective call
forever; so a failure prints its report with the rank and aborts the whole job (a quick
red run instead of a hang until CI's time limit).
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


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Print a failure with its rank at once and abort every rank (see the module doc)."""
    if report.failed and MPI.COMM_WORLD.size > 1:
        rank = MPI.COMM_WORLD.rank
        print(f"\n[rank {rank}] {report.nodeid} failed in {report.when}:\n"
              f"{report.longreprtext}", flush=True)  # fmt: skip
        MPI.COMM_WORLD.Abort(1)


@pytest.fixture
def mpi_tmp_path() -> Iterator[Path]:
    """A temporary directory shared by all ranks, for one test."""
    yield from _shared_dir("polycat-mpi-")


@pytest.fixture(scope="module")
def shared_dir() -> Iterator[Path]:
    """A temporary directory shared by all ranks, for one test module."""
    yield from _shared_dir("polycat-mpi-mod-")
