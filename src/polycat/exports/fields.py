"""ParaView fields: one XDMF/HDF5 time series over SOC, and optionally one VTX (ADIOS2) file.

XDMF is what a stock ParaView (5.11 included) reads; it holds P1 (vertex) and DG0
(cell) fields only, so the P2 displacement is interpolated to P1 and stresses are
written cell-wise (DG0, the value at the cell midpoint, which is the cell average of a
field linear in the cell). The XDMF "time" of each step is the SOC (0…1); run.json and
summary.csv map SOC to seconds. Writing is collective.

VTX (``output.vtx``, :class:`VtxSeries`): one ADIOS2 ``.bp`` folder per run with the
mesh written once and, at each report, the Lagrange fields at their own degree on the
nodes of that degree — the P2 displacement exactly, not its P1 interpolant. VTX holds
one element type per file, so the scalar fields (P1 x and c) are interpolated into the
displacement's degree, which is exact (P1 ⊂ P2); the cell-wise stresses stay in XDMF.
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

__all__ = ["FieldsExporter", "VtxSeries", "XdmfSeries"]


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


class VtxSeries:
    """Collective writer of continuous Lagrange fields into one VTX file (``.bp`` folder).

    ``fields``: name → a Function on ``mesh`` in a continuous Lagrange space. Every field is
    written in Lagrange of the highest degree among them (exact for the lower ones), with
    the mesh written once (:attr:`dolfinx.io.VTXMeshPolicy.reuse`). Time = the SOC.

    Raises:
        RuntimeError: DOLFINx was built without ADIOS2.
        ValueError: a field that is not continuous Lagrange on ``mesh``.
    """

    def __init__(
        self, path: Path, mesh: dolfinx.mesh.Mesh, fields: Mapping[str, fem.Function]
    ) -> None:
        if not dolfinx.common.has_adios2:
            raise RuntimeError(
                "output.vtx: this DOLFINx was built without ADIOS2; set output.vtx: false "
                "(the XDMF fields are written regardless)"
            )
        degree = 1
        for name, f in fields.items():
            element = f.function_space.element.basix_element
            if f.function_space.mesh is not mesh or element.discontinuous:
                raise ValueError(f"VTX field {name!r} is not continuous Lagrange on the mesh")
            degree = max(degree, int(element.degree))
        self.path = Path(path)
        self._pairs: list[tuple[fem.Function, fem.Function]] = []
        for name, f in fields.items():
            shape = tuple(f.function_space.value_shape)
            V = fem.functionspace(mesh, ("Lagrange", degree, shape))
            self._pairs.append((fem.Function(V, name=name), f))
        if mesh.comm.rank == 0:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        mesh.comm.Barrier()
        self._writer = dolfinx.io.VTXWriter(
            mesh.comm,
            str(self.path),
            [out for out, _ in self._pairs],
            engine="BP4",
            mesh_policy=dolfinx.io.VTXMeshPolicy.reuse,
        )

    def write(self, t: float) -> None:
        """Interpolate every field (exact: same or lower degree) and append it at ``t``."""
        for out, source in self._pairs:
            out.interpolate(source)
            out.x.scatter_forward()
        self._writer.write(t)

    def close(self) -> None:
        """Close the file (collective)."""
        self._writer.close()


class FieldsExporter:
    """The ParaView fields of a run as one XDMF series (collective on every rank).

    Args:
        path: the ``.xdmf`` file.
        mesh: the mesh; vertex_fields, cell_fields: as for :class:`XdmfSeries`.
        before_write: called before each write (e.g. to refresh derived fields).
        append_mesh: continue the series in ``path`` with the mesh grid of this name.
        vtx_path: also write the vertex fields into this VTX file (:class:`VtxSeries`).
        xdmf: write the XDMF series (False: the VTX file only).
    """

    def __init__(
        self,
        path: Path,
        mesh: dolfinx.mesh.Mesh,
        vertex_fields: Mapping[str, fem.Function],
        cell_fields: Mapping[str, ufl.core.expr.Expr],
        before_write: Callable[[], None] | None = None,
        append_mesh: str | None = None,
        vtx_path: Path | None = None,
        xdmf: bool = True,
    ) -> None:
        self.path = Path(path)
        self._args = (mesh, vertex_fields, cell_fields)
        self._append_mesh = append_mesh
        self._before = before_write
        self._vtx_path = vtx_path
        self._xdmf = xdmf
        self._series: list[XdmfSeries | VtxSeries] = []

    def setup(self) -> None:
        """Open the series and write the mesh."""
        mesh, vertex_fields, _ = self._args
        if self._xdmf:
            self._series.append(XdmfSeries(self.path, *self._args, append_mesh=self._append_mesh))
        if self._vtx_path is not None:
            self._series.append(VtxSeries(self._vtx_path, mesh, vertex_fields))

    def write(self, report: SocReport) -> None:
        """Append every field at time = SOC (a numbered protocol: the report number)."""
        assert self._series, "setup() first"
        if self._before is not None:
            self._before()
        for series in self._series:
            series.write(report.soc if report.series_time is None else report.series_time)

    def close(self) -> None:
        """Close the files (collective)."""
        while self._series:
            self._series.pop().close()
