"""ParaView fields: one XDMF/HDF5 time series over SOC (and VTX for the P2 displacement).

XDMF is what a stock ParaView (5.11 included) reads; it holds P1 (vertex) and DG0
(cell) fields only, so the P2 displacement is interpolated to P1 and stresses are
written cell-wise (DG0, the value at the cell midpoint, which is the cell average of a
field linear in the cell). The XDMF "time" of each step is the SOC (0…1); run.json and
summary.csv map SOC to seconds. Writing is collective.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)

import dolfinx
import ufl
from dolfinx import fem

ScalarOrTensor = ufl.core.expr.Expr


@dataclass
class _Field:
    func: fem.Function
    expr: fem.Expression | None  # None: interpolate from a Function
    source: fem.Function | None


class XdmfSeries:
    """Collective writer of named fields at each reported SOC into ``fields/fields.xdmf``.

    ``vertex_fields``: name → a Function (any degree; interpolated to P1 of the mesh).
    ``cell_fields``: name → a UFL expression (scalar or tensor), written as DG0.
    """

    def __init__(
        self,
        path: Path,
        mesh: dolfinx.mesh.Mesh,
        vertex_fields: Mapping[str, fem.Function],
        cell_fields: Mapping[str, ufl.core.expr.Expr],
    ) -> None:
        self.path = Path(path)
        self.mesh = mesh
        self._fields: list[_Field] = []
        for name, f in vertex_fields.items():
            shape = f.function_space.value_shape
            V = fem.functionspace(mesh, ("Lagrange", 1, tuple(shape)))
            out = fem.Function(V, name=name)
            self._fields.append(_Field(out, None, f))
        for name, e in cell_fields.items():
            shape = tuple(e.ufl_shape)
            V = fem.functionspace(mesh, ("DG", 0, shape) if shape else ("DG", 0))
            out = fem.Function(V, name=name)
            self._fields.append(
                _Field(out, fem.Expression(e, V.element.interpolation_points), None)
            )
        if mesh.comm.rank == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        mesh.comm.Barrier()
        self._file = dolfinx.io.XDMFFile(mesh.comm, str(self.path), "w")
        self._file.write_mesh(mesh)

    def write(self, t: float) -> None:
        """Evaluate every field and append it at time ``t`` (the SOC)."""
        for f in self._fields:
            if f.expr is not None:
                f.func.interpolate(f.expr)
            else:
                assert f.source is not None
                f.func.interpolate(f.source)
            f.func.x.scatter_forward()
            self._file.write_function(f.func, t)

    def close(self) -> None:
        self._file.close()


def write_cell_tags(path: Path, mesh: dolfinx.mesh.Mesh, tags: dolfinx.mesh.MeshTags) -> None:
    """Write mesh tags (grain ids) next to the fields for ParaView."""
    with dolfinx.io.XDMFFile(mesh.comm, str(path), "w") as f:
        f.write_mesh(mesh)
        f.write_meshtags(tags, mesh.geometry)
