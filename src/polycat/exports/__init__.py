"""Everything a run writes, behind one small interface.

An exporter is set up once, is handed every :class:`~polycat.post.soc.SocReport` the run
produces, and is closed at the end (also after a failure). The run loop knows only this
interface, so adding an output never touches the loop. Exporters are called on every
rank: collective ones (fields) use all ranks, the others write from rank 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from polycat.post.soc import SocReport

__all__ = ["Exporter"]


class Exporter(Protocol):
    """The interface of every output of a run."""

    def setup(self) -> None:
        """Create what the output needs before the first report (files, directories)."""
        ...

    def write(self, report: SocReport) -> None:
        """Write (or rewrite, atomically) the output with the report of one SOC."""
        ...

    def close(self) -> None:
        """Finish the output (close files); called once, also after a failure."""
        ...
