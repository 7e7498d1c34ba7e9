"""Shared fixtures of the FEM tests: one small polycrystal run for the output tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from polycat.cli import main


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("run")
    cfg = {
        "geometry": {"particle_radius_um": 2.0, "n_grains": 6, "seed": 2, "matrix": "box",
                     "matrix_size_um": 6.0, "mesh_size_um": 0.5},
        # the surface leaves the NCM811 lattice table just before SOC 1: hold its end values
        "loading": {"c_rate": 2.0, "report_soc": [0.3, 0.6, 1.0], "extrapolate": "hold"},
        "mechanics": {"element_degree": 1},
        "readers": {"gb_shear_strength_MPa": 400.0},
        "solver": {"steps_per_report": 2},
        "output": {"dir": str(tmp / "out"), "mesh_dir": str(tmp / "meshes")},
    }  # fmt: skip
    path = tmp / "c.yaml"
    path.write_text(yaml.safe_dump(cfg))
    assert main(["run", str(path)]) == 0
    return tmp / "out"
