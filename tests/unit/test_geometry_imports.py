"""The pure half of the geometry package imports neither Gmsh nor FEniCSx."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("gmsh", "dolfinx", "ufl", "petsc4py")


def _loaded_after(code: str) -> list[str]:
    """The modules of `HEAVY` that a fresh interpreter has loaded after running `code`."""
    report = f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    probe = f"{code}\nimport json, sys\n{report}"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def test_geometry_and_tessellation_import_no_gmsh_and_no_fenics() -> None:
    code = (
        "import polycat.geometry, polycat.geometry.tessellation\n"
        "import polycat.geometry.tessellation.complex, polycat.geometry.tessellation.faces\n"
        "import polycat.geometry.tessellation.power_diagram\n"
        "import polycat.geometry.tessellation.primitives\n"
        "import polycat.geometry.tessellation.regularize, polycat.geometry.tessellation.seam\n"
        "import polycat.geometry.tessellation.seeds\n"
        "import polycat.geometry.spec, polycat.geometry.tags, polycat.geometry.errors\n"
        "import polycat.geometry.mesh_arrays, polycat.geometry.plot\n"
    )
    assert _loaded_after(code) == []


def test_lazy_public_names_and_the_mesh_folder_import_no_gmsh() -> None:
    code = (
        "from polycat.geometry import (REQUIRED_FILES, GeometryError, GeometrySpec,\n"
        "    build_mesh_folder, ensure_mesh, is_complete)\n"
        "from polycat.geometry.folder import MESH_FILE\n"
        "assert MESH_FILE in REQUIRED_FILES and callable(ensure_mesh)\n"
    )
    assert _loaded_after(code) == []


def test_the_gmsh_half_does_import_gmsh() -> None:
    assert _loaded_after("import polycat.geometry.gmsh.pipeline") == ["gmsh"]


def test_unknown_attribute_is_an_attribute_error() -> None:
    import polycat.geometry

    assert "ensure_mesh" in dir(polycat.geometry)
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = polycat.geometry.no_such_name
