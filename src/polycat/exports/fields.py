"""ParaView fields: one XDMF/HDF5 time series over SOC (and VTX for the P2 displacement).

XDMF is what a stock ParaView (5.11 included) reads; it holds P1 (vertex) and DG0
(cell) fields only, so the P2 displacement is interpolated to P1 and stresses are
written cell-wise (DG0, the value at the cell midpoint, which is the cell average of a
field linear in the cell). The XDMF "time" of each step is the SOC (0…1); run.json and
summary.csv map SOC to seconds. Writing is collective.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dolfinx_solver  # noqa: F401  (orders MPI ahead of the DOLFINx bindings)

import dolfinx
import ufl
from dolfinx import fem

if TYPE_CHECKING:  # pragma: no cover
    from polycat.post.soc import SocReport

__all__ = ["FieldsExporter", "XdmfSeries"]


@dataclass
class _Field:
    func: fem.Function
    expr: fem.Expression | None  # None: interpolate from a Function
    source: fem.Function | None


class XdmfSeries:
    """Collective writer of named fields at each reported SOC into ``fields/fields.xdmf``.

    ``vertex_fields``: name → a Function (any degree; interpolated to P1 of the mesh).
    ``cell_fields``: name → a UFL expression (scalar or tensor), written as DG0.
    ``append_mesh``: continue the series already in ``path`` (a resumed run), writing the
    mesh as a grid of this name (:func:`polycat.exports.series.prepare_append`).
    """

    def __init__(
        self,
        path: Path,
        mesh: dolfinx.mesh.Mesh,
        vertex_fields: Mapping[str, fem.Function],
        cell_fields: Mapping[str, ufl.core.expr.Expr],
        append_mesh: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.mesh = mesh
        self._mesh_xpath = "/Xdmf/Domain/Grid[@GridType='Uniform'][1]"
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
        if append_mesh is not None:
            mesh.name = append_mesh
            self._mesh_xpath = f"/Xdmf/Domain/Grid[@GridType='Uniform'][@Name='{append_mesh}']"
        self._file = dolfinx.io.XDMFFile(
            mesh.comm, str(self.path), "a" if append_mesh is not None else "w"
        )
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
            self._file.write_function(f.func, t, mesh_xpath=self._mesh_xpath)

    def close(self) -> None:
        """Close the XDMF file (collective)."""
        self._file.close()


class FieldsExporter:
    """The ParaView fields of a run as one XDMF series (collective on every rank).

    Args:
        path: the ``.xdmf`` file.
        mesh: the mesh; vertex_fields, cell_fields: as for :class:`XdmfSeries`.
        before_write: called before each write (e.g. to refresh derived fields).
        append_mesh: continue the series in ``path`` with the mesh grid of this name.
    """

    def __init__(
        self,
        path: Path,
        mesh: dolfinx.mesh.Mesh,
        vertex_fields: Mapping[str, fem.Function],
        cell_fields: Mapping[str, ufl.core.expr.Expr],
        before_write: Callable[[], None] | None = None,
        append_mesh: str | None = None,
    ) -> None:
        self.path = Path(path)
        self._args = (mesh, vertex_fields, cell_fields)
        self._append_mesh = append_mesh
        self._before = before_write
        self._series: XdmfSeries | None = None

    def setup(self) -> None:
        """Open the series and write the mesh."""
        self._series = XdmfSeries(self.path, *self._args, append_mesh=self._append_mesh)

    def write(self, report: SocReport) -> None:
        """Append every field at time = SOC."""
        assert self._series is not None, "setup() first"
        if self._before is not None:
            self._before()
        self._series.write(report.soc)

    def close(self) -> None:
        """Close the file (collective)."""
        if self._series is not None:
            self._series.close()
            self._series = None
