"""The z = 0 section of the hoop stress at each report SOC (``sections/soc_XXX.npz``),
the data of the section plot (rank 0)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from polycat.post.soc import SocReport

__all__ = ["SectionExporter", "save_npz_atomic"]


def save_npz_atomic(path: Path, **arrays: np.ndarray) -> None:
    """Write a compressed ``.npz`` through a temporary file and a rename (umask respected)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        mask = os.umask(0o022)
        os.umask(mask)
        os.fchmod(fd, 0o666 & ~mask)
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SectionExporter:
    """Writes each report's section arrays (x_um, y_um, sigma_hoop_MPa) on rank 0."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out)

    def setup(self) -> None:
        """Nothing to create before the first report."""

    def write(self, report: SocReport) -> None:
        """``sections/soc_XXX.npz`` of the report (rank 0 has the gathered section)."""
        if report.section is not None:
            save_npz_atomic(self.out / "sections" / f"soc_{report.file_tag}.npz", **report.section)

    def close(self) -> None:
        """Every section is complete on disk after its write."""
