"""The geometry spec of a validated ``geometry:`` section, generated or read from a file.

:func:`geometry_spec` is the one place the config layer turns the section into a spec: a
:class:`~polycat.geometry.spec.GeometrySpec` for ``kind: generated``, a
:class:`~polycat.geometry.file_spec.FileGeometrySpec` for ``kind: file`` (the file is read
and checked here, once per process and file content). Whatever needs the number of grains,
the particle radius, the matrix kind or the dimension of a run reads them from the spec,
never from the section (whose generated-only fields keep their defaults for a file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from polycat.config.schema import GeometryConfig
from polycat.geometry.file_spec import AnyGeometrySpec, FileRegions
from polycat.geometry.spec import GeometrySpec

__all__ = ["anchor_geometry_file", "geometry_spec"]


def geometry_spec(g: GeometryConfig) -> AnyGeometrySpec:
    """The spec of ``g``.

    Raises:
        ConfigError: ``kind: file`` and the file is missing or unreadable, or the tag map
            does not fit it (naming the ``geometry.`` field).
        GeometryError: ``kind: file`` and the mesh fails a check.
    """
    if g.kind == "generated":
        return GeometrySpec(**g.model_dump())
    from polycat.geometry.mesh_file import inspect_mesh_file

    if g.file is None or g.regions is None:  # (refused by the schema)
        raise ValueError("geometry.kind: file needs geometry.file and geometry.regions")
    r = g.regions
    regions = FileRegions(
        cell_data=r.cell_data,
        cell_sets=r.cell_sets,
        electrolyte=tuple(r.electrolyte),
        grains=r.grains if isinstance(r.grains, str) else tuple(r.grains),
    )
    center = None if g.center_um is None else (
        float(g.center_um[0]), float(g.center_um[1]), float(g.center_um[2])
    )  # fmt: skip
    return inspect_mesh_file(g.file, regions, g.scale_to_um, center)


def anchor_geometry_file(data: dict[str, Any], base: Path) -> None:
    """Make a relative ``geometry.file`` of the raw config mapping ``data`` absolute,
    relative to ``base`` (in place); anything else is left alone."""
    geo = data.get("geometry")
    if not isinstance(geo, dict):
        return
    file = geo.get("file")
    if isinstance(file, str) and file and not Path(file).expanduser().is_absolute():
        geo["file"] = str((Path(base) / Path(file).expanduser()).resolve())
    elif isinstance(file, str) and file.startswith("~"):
        geo["file"] = str(Path(file).expanduser())
