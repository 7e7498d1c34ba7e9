"""The one exception type of the geometry package."""

from __future__ import annotations


class GeometryError(ValueError):
    """A particle geometry or its mesh could not be built.

    The message names the cause and the `geometry:` key to change; it never carries a raw
    Gmsh traceback.
    """
