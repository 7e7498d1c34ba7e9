"""Read a VTX (ADIOS2 ``.bp``) file with the independent ``adios2`` Python bindings.

In a subprocess: the bindings bring their own ADIOS2 library, and importing them into a
process before DOLFINx breaks DOLFINx's (``undefined symbol … HDF5Common_MPI_API``).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

READ = textwrap.dedent(
    """
    import sys, numpy as np, adios2
    SKIP = ("step", "geometry", "connectivity", "types", "vtkGhostType",
            "vtkOriginalPointIds", "NumberOfNodes", "NumberOfEntities")
    out = {}
    with adios2.FileReader(sys.argv[1]) as f:
        names = list(f.available_variables())
        n = int(f.available_variables()["step"]["AvailableStepsCount"])
        blocks = len(f.all_blocks_info("geometry")[0])  # one per writing rank

        def read(name, step):  # the blocks of every rank, in rank order
            parts = [f.read(name, step_selection=[step, 1], block_id=b) for b in range(blocks)]
            return np.concatenate(parts)

        steps = [f.read("step", step_selection=[k, 1]) for k in range(n)]
        out["times"] = np.array([np.ravel(t)[0] for t in steps])
        out["blocks"] = np.array(blocks)
        out["geometry"] = read("geometry", 0)
        out["ghost"] = read("vtkGhostType", 0).ravel()
        for name in names:
            if name not in SKIP:
                out[name] = np.array([read(name, k) for k in range(n)])
        if blocks == 1:  # node numbers are per block
            out["cells"] = f.read("connectivity", step_selection=[0, 1])
    np.savez(sys.argv[2], **out)
    """
)


def read_bp(path: Path, tmp: Path) -> dict[str, np.ndarray]:
    """Every variable of a VTX file, per step, the blocks of all writing ranks concatenated
    (read by the adios2 bindings); ``cells`` (the connectivity) for a one-rank file only."""
    npz = tmp / f"{path.name}.npz"
    done = subprocess.run(
        [sys.executable, "-c", READ, str(path), str(npz)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, f"reading {path} with adios2 failed:\n{done.stderr}"
    with np.load(npz) as data:
        return {k: data[k] for k in data.files}
