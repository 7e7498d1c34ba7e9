"""Malformed configs and files through the command line: each one exits non-zero within a
timeout, with one message that names the field or file and the fix — never a traceback
from inside Gmsh, UFL, FFCx or PETSc, and never a hang (serial, and a subset on 2 ranks)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rel_helpers import polycat, small_config, write_yaml

Case = Callable[[Path], tuple[list[str], dict[str, str] | None, list[str]]]

INLINE = {
    "name": "my-cam",
    "elasticity": {"E_GPa": 140.0, "nu": 0.3},
    "lattice_strain": {"eps_a_per_x": 0.01, "eps_c_per_x": 0.01},
    "diffusivity_m2_s": 1e-14,
    "c_max_mol_m3": 49000.0,
}


def run_with(**sections: Any) -> Case:
    """`polycat run` on the small config with some sections changed."""

    def case(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
        path = write_yaml(tmp / "c.yaml", small_config(tmp, **sections))
        return ["run", str(path)], None, []

    return case


def raw_file(text: str) -> Case:
    def case(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
        return ["run", str(write_yaml(tmp / "c.yaml", text))], None, []

    return case


def existing_run(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    out = tmp / "out"
    out.mkdir()
    (out / "run.json").write_text("{}")
    (out / "summary.csv").write_text("soc\n0.5\n")
    return ["run", str(write_yaml(tmp / "c.yaml", small_config(tmp)))], None, ["--overwrite"]


def output_is_file(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    (tmp / "afile").write_text("x")
    cfg = small_config(tmp, output={"dir": str(tmp / "afile")})
    return ["run", str(write_yaml(tmp / "c.yaml", cfg))], None, ["not a directory"]


def output_unwritable(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    # under a regular file: no user (root included) can create a directory there
    (tmp / "afile").write_text("x")
    cfg = small_config(tmp, output={"dir": str(tmp / "afile" / "out")})
    return ["run", str(write_yaml(tmp / "c.yaml", cfg))], None, ["cannot be written"]


def with_args(*extra: str, config: bool = True) -> Case:
    def case(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
        args = ["run"]
        if config:
            args.append(str(write_yaml(tmp / "c.yaml", small_config(tmp))))
        return [*args, *extra], None, []

    return case


def resume_not_a_run(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    (tmp / "stuff").mkdir()
    return ["run", "--resume", str(tmp / "stuff")], None, ["config.resolved.yaml"]


def resume_missing_fields(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    out = tmp / "out"
    (out / "checkpoint").mkdir(parents=True)
    shutil.copy(write_yaml(tmp / "c.yaml", small_config(tmp)), out / "config.resolved.yaml")
    (out / "checkpoint" / "state.json").write_text(
        '{"format": 1, "fields_file": "fields-050.npz", "config_digest": "x"}'
    )
    return ["run", "--resume", str(out)], None, ["fields-050.npz", "field file it names"]


def damaged_mesh(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    meshes = tmp / "meshes"
    cfg = small_config(tmp, output={"mesh_dir": str(meshes)})
    path = write_yaml(tmp / "c.yaml", cfg)
    built = polycat(["mesh", str(path)])
    assert built.returncode == 0, built.stderr
    (msh,) = meshes.glob("*/mesh.msh")
    msh.write_bytes(msh.read_bytes()[: msh.stat().st_size // 3])
    return ["run", str(path)], None, ["mesh.msh", "delete the folder"]


def report_no_run(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    return ["report", str(tmp)], None, ["summary.csv"]


def bad_fault_spec(tmp: Path) -> tuple[list[str], dict[str, str] | None, list[str]]:
    path = write_yaml(tmp / "c.yaml", small_config(tmp))
    return ["run", str(path)], {"POLYCAT_FAULT": "solver:stp=3"}, ["POLYCAT_FAULT"]


# name → (case, what the message must name)
CASES: dict[str, tuple[Case, list[str]]] = {
    "missing-config-file": (lambda t: (["run", str(t / "nope.yaml")], None, []), ["nope.yaml"]),
    "yaml-syntax": (raw_file("geometry: {n_grains: 3\nloading: [\n"), ["c.yaml"]),
    "yaml-not-a-mapping": (raw_file("- 1\n- 2\n"), ["c.yaml"]),
    "empty-file": (raw_file(""), ["c.yaml"]),
    "unknown-section": (run_with(geomtry={"n_grains": 3}), ["geomtry", "geometry"]),
    "unknown-key": (run_with(geometry={"n_grain": 3}), ["geometry.n_grain"]),
    "n-grains-zero": (run_with(geometry={"n_grains": 0}), ["geometry.n_grains"]),
    "n-grains-text": (run_with(geometry={"n_grains": "thirty"}), ["geometry.n_grains"]),
    "mesh-size-negative": (run_with(geometry={"mesh_size_um": -0.1}), ["mesh_size_um"]),
    "mesh-coarser-than-particle": (run_with(geometry={"mesh_size_um": 3.0}), ["mesh_size_um"]),
    "grains-too-small-for-mesh": (
        run_with(geometry={"n_grains": 400, "mesh_size_um": 0.5}),
        ["mesh_size_um", "too coarse", "lower mesh_size_um or n_grains"],
    ),
    "box-smaller-than-particle": (run_with(geometry={"matrix_size_um": 3.0}), ["matrix_size_um"]),
    "shell-inside-particle": (
        run_with(geometry={"matrix": "shell", "matrix_size_um": 1.5}),
        ["matrix_size_um"],
    ),
    "dim-4": (run_with(geometry={"dim": 4}), ["geometry.dim"]),
    "unknown-cathode": (run_with(materials={"cathode": "NCM999"}), ["materials.cathode"]),
    "unknown-electrolyte": (run_with(materials={"electrolyte": "LPSC"}), ["materials.electrolyte"]),
    "lattice-table-not-monotone": (
        run_with(
            materials={
                "cathode": dict(
                    INLINE,
                    lattice_strain={"table": [[1.0, 0, 0], [0.5, 0, 0], [0.7, 0, 0], [0.2, 0, 0]]},
                )
            }
        ),
        ["materials.cathode.lattice_strain", "strictly increasing or decreasing"],
    ),
    "lattice-table-too-short": (
        run_with(
            materials={
                "cathode": dict(INLINE, lattice_strain={"table": [[1.0, 0, 0], [0.2, 0.01, 0.01]]})
            }
        ),
        ["materials.cathode.lattice_strain", "at least 4 rows"],
    ),
    "stiffness-not-positive-definite": (
        run_with(
            materials={
                "cathode": dict(
                    INLINE,
                    elasticity={
                        "C_GPa": {"C11": 100, "C12": 150, "C13": 60, "C33": 200, "C44": 50}
                    },
                )
            }
        ),
        ["materials.cathode", "positive definite"],
    ),
    "poisson-ratio-0.5": (
        run_with(materials={"cathode": dict(INLINE, elasticity={"E_GPa": 140, "nu": 0.5})}),
        ["materials.cathode.elasticity"],
    ),
    "c-rate-zero": (run_with(loading={"c_rate": 0}), ["loading.c_rate"]),
    "report-soc-unsorted": (run_with(loading={"report_soc": [0.5, 0.2]}), ["loading.report_soc"]),
    "report-soc-above-one": (run_with(loading={"report_soc": [0.5, 1.5]}), ["loading.report_soc"]),
    "x-end-outside-material-window": (run_with(loading={"x_end": 0.02}), ["loading.x_end"]),
    "stack-pressure-on-shell": (
        run_with(
            geometry={"matrix": "shell", "matrix_size_um": 4.0},
            mechanics={"boundary": "stack_pressure", "stack_pressure_MPa": 10.0},
        ),
        ["stack_pressure", "geometry.matrix"],
    ),
    "confined-without-matrix": (
        run_with(geometry={"matrix": "none"}, mechanics={"boundary": "confined"}),
        ["mechanics.boundary"],
    ),
    "element-degree-3": (run_with(mechanics={"element_degree": 3}), ["mechanics.element_degree"]),
    "texture-typo": (run_with(orientation={"texture": "radiall"}), ["orientation.texture"]),
    "petsc-option-with-dash": (
        run_with(solver={"petsc_mechanics": {"-ksp_type": "cg"}}),
        ["solver.petsc_mechanics"],
    ),
    "petsc-option-unknown": (
        run_with(solver={"petsc_mechanics": {"ksp_rtoll": 1e-6}}),
        ["solver.petsc_mechanics", "ksp_rtoll"],
    ),
    "petsc-option-not-for-this-pc": (
        run_with(solver={"petsc_diffusion": {"pc_type": "jacobi", "pc_gamg_threshold": 0.1}}),
        ["solver.petsc_diffusion", "pc_gamg_threshold"],
    ),
    "output-dir-holds-another-run": (existing_run, ["output.dir", "another run"]),
    "output-dir-is-a-file": (output_is_file, ["output.dir"]),
    "output-dir-unwritable": (output_unwritable, ["output.dir"]),
    "set-without-equals": (with_args("--set", "geometry.n_grains"), ["--set", "="]),
    "set-unknown-path": (with_args("--set", "geometry.grains=3"), ["geometry.grains"]),
    "no-config-no-resume": (with_args(config=False), ["CONFIG"]),
    "resume-missing-dir": (
        lambda t: (["run", "--resume", str(t / "gone")], None, []),
        ["--resume", "gone"],
    ),
    "resume-not-a-run": (resume_not_a_run, ["--resume"]),
    "resume-with-config": (
        lambda t: (
            ["run", str(write_yaml(t / "c.yaml", small_config(t))), "--resume", str(t)],
            None,
            [],
        ),
        ["--resume", "drop CONFIG"],
    ),
    "resume-checkpoint-fields-missing": (resume_missing_fields, ["checkpoint"]),
    "mesh-file-damaged": (damaged_mesh, []),
    "memory-estimate-exceeds-machine": (
        run_with(geometry={"mesh_size_um": 0.02}),
        ["GB", "geometry.mesh_size_um", "--force"],
    ),
    "report-dir-without-run": (report_no_run, []),
    "fault-spec-malformed": (bad_fault_spec, []),
}

MPI_SUBSET = [
    "unknown-key",
    "lattice-table-not-monotone",
    "output-dir-holds-another-run",
    "petsc-option-unknown",
    "memory-estimate-exceeds-machine",
    "mesh-file-damaged",
    "resume-checkpoint-fields-missing",
]


def _check(name: str, tmp_path: Path, ranks: int) -> None:
    case, expected = CASES[name]
    args, env, more = case(tmp_path)
    result = polycat(args, ranks=ranks, env=env, timeout=120)
    err = result.stderr
    assert result.returncode != 0, f"{name}: exit 0\n{result.stdout}\n{err}"
    assert "Traceback" not in err, f"{name}: traceback\n{err}"
    assert err.count("error:") == 1, f"{name}: expected the message once, got\n{err}"
    message = err[err.index("error:") :]
    for text in [*expected, *more]:
        assert text in message, f"{name}: {text!r} not in {message!r}"


def test_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30
    assert set(MPI_SUBSET) <= set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_serial(name: str, tmp_path: Path) -> None:
    _check(name, tmp_path, ranks=1)


@pytest.mark.parametrize("name", MPI_SUBSET)
def test_bad_input_two_ranks(name: str, tmp_path: Path) -> None:
    _check(name, tmp_path, ranks=2)
