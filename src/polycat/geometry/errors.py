"""The one exception type of the geometry package (defined in `polycat.errors`)."""

from __future__ import annotations

from polycat.errors import GeometryError

__all__ = ["GeometryError"]
