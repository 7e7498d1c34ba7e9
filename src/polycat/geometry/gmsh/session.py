"""Gmsh sessions: one model for a build, or a ``.msh`` file opened for reading (rank 0).

Either leaves an already initialised gmsh alone (only its own model is removed on exit) and
otherwise initialises and finalises it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gmsh


@contextlib.contextmanager
def _model(name: str, verbose: bool) -> Iterator[None]:
    """A new gmsh model `name`; gmsh initialised here if it is not yet."""
    owns = not gmsh.isInitialized()
    if owns:
        gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 1 if verbose else 0)
    gmsh.model.add(name)
    try:
        yield
    finally:
        if owns:
            gmsh.finalize()
        else:
            gmsh.model.remove()


@contextlib.contextmanager
def gmsh_session(verbose: bool = False) -> Iterator[None]:
    """An initialised gmsh with its own model; finalised (or the model removed) on exit."""
    with _model("polycat_particle", verbose):
        yield


@contextlib.contextmanager
def open_msh(path: Path) -> Iterator[tuple[Any, str | None]]:
    """The mesh file `path` merged into a new, quiet gmsh model.

    Yields ``(gmsh.model, None)``, or ``(None, message)`` if Gmsh cannot read the file (the
    message names the file and the folder to delete). The model is removed on exit.
    """
    with _model("polycat_read", verbose=False):
        error: str | None = None
        try:
            gmsh.merge(str(path))
        except Exception as exc:  # gmsh raises a bare Exception with its last error
            error = (
                f"{path}: cannot read the mesh file ({exc}); it is damaged or incomplete: "
                f"delete the folder {path.parent} and run again to rebuild it"
            )
        yield (None, error) if error is not None else (gmsh.model, None)
