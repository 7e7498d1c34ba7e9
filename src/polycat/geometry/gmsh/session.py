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

from polycat.interrupts import reassert_handlers


@contextlib.contextmanager
def _model(name: str, verbose: bool) -> Iterator[None]:
    """A new gmsh model `name`; gmsh initialised here if it is not yet."""
    owns = not gmsh.isInitialized()
    if owns:
        gmsh.initialize(interruptible=False)
        reassert_handlers()  # gmsh.initialize resets SIGTERM to the default action
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


def msh_arrays(model: Any, dim: int) -> dict[str, Any]:
    """The first-order mesh of an opened model as arrays: ``points`` (P, 3), ``cells``
    (C, dim + 1) with ``cell_tags`` (the physical tag of each cell), ``facets``
    (F, dim) with ``facet_tags`` (every facet of a physical group of dimension dim − 1).
    Node indices are 0-based rows of ``points``."""
    import numpy as np

    node_tags, coords, _ = model.mesh.getNodes()
    node_tags = np.asarray(node_tags, dtype=np.int64)
    index = np.full(int(node_tags.max()) + 1, -1, dtype=np.int64)
    index[node_tags] = np.arange(len(node_tags))
    points = np.asarray(coords, dtype=np.float64).reshape(-1, 3)
    out: dict[str, Any] = {"points": points}
    for d, name in ((dim, "cells"), (dim - 1, "facets")):
        blocks, tags = [], []
        for _, ptag in model.getPhysicalGroups(d):
            for entity in model.getEntitiesForPhysicalGroup(d, ptag):
                etypes, _, enodes = model.mesh.getElements(d, entity)
                for et, nodes in zip(etypes, enodes, strict=True):
                    props = model.mesh.getElementProperties(et)
                    if props[1] != d or props[2] != 1:
                        continue
                    conn = index[np.asarray(nodes, dtype=np.int64)].reshape(-1, d + 1)
                    blocks.append(conn)
                    tags.append(np.full(len(conn), ptag, dtype=np.int64))
        out[name] = np.concatenate(blocks) if blocks else np.zeros((0, d + 1), np.int64)
        out[f"{name[:-1]}_tags"] = np.concatenate(tags) if tags else np.zeros(0, np.int64)
    return out
