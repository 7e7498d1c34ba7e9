"""Malformed configs and files through the command line: each one exits non-zero within a
timeout, with one message that names the field or file and the fix — never a traceback
from inside Gmsh, UFL, FFCx or PETSc, and never a hang (serial, and a subset on 2 ranks)."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rel_helpers import polycat, small_config, write_yaml

from support.helpers import INLINE_CATHODE

Case = Callable[[Path], tuple[list[str], dict[str, str] | None, list[str]]]

INLINE = copy.deepcopy(INLINE_CATHODE)


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


# ------------------------------------------------------------------------------------------
# Malformed and implausible inputs of the kinds a new user writes (issue 19): units off by
# 10³–10⁹, keys given twice, wrong types in every section, bytes that are not UTF-8, huge
# counts. Each must exit with status 2, name the field, print no traceback and write
# nothing (no results directory, no mesh folder, no other file).

StrictCase = Callable[[Path], list[str]]


def _own(tmp: Path, **sections: Any) -> dict[str, Any]:
    """small_config with this test's own mesh cache (so 'nothing written' is checkable)."""
    cfg = small_config(tmp, **sections)
    cfg["output"]["mesh_dir"] = str(tmp / "meshes")
    return cfg


def bad(**sections: Any) -> StrictCase:
    """`polycat run` on the small config with some sections changed."""

    def case(tmp: Path) -> list[str]:
        return ["run", str(write_yaml(tmp / "c.yaml", _own(tmp, **sections)))]

    return case


def inline(**changes: Any) -> StrictCase:
    """`polycat run` with an inline cathode (INLINE with `changes`)."""
    return bad(materials={"cathode": {**INLINE, **changes}, "electrolyte": "Li6PS5Cl"})


def yaml_text(text: str, command: str = "run") -> StrictCase:
    """`polycat COMMAND` on a config file written from raw text (keys the YAML dumper
    would never repeat)."""

    def case(tmp: Path) -> list[str]:
        out, meshes = tmp / "out", tmp / "meshes"
        body = text.replace("OUT", str(out)).replace("MESHES", str(meshes))
        return [command, str(write_yaml(tmp / "c.yaml", body))]

    return case


def raw_bytes(data: bytes) -> StrictCase:
    def case(tmp: Path) -> list[str]:
        path = tmp / "c.yaml"
        path.write_bytes(data.replace(b"OUT", str(tmp / "out").encode()))
        return ["run", str(path)]

    return case


def study_with_duplicate_key(tmp: Path) -> list[str]:
    base = write_yaml(tmp / "base.yaml", _own(tmp))
    text = (
        f"name: dup\nbase: {base}\nvary:\n  grid:\n    geometry.n_grains: [2, 3]\n"
        f"seeds: 2\nseeds: 3\noutput:\n  dir: {tmp / 'out'}\n"
    )
    return ["study", str(write_yaml(tmp / "s.yaml", text)), "--dry-run"]


SMALL_TEXT = """geometry: {particle_radius_um: 2.0, n_grains: 6, seed: 2, matrix: box,
  matrix_size_um: 6.0, mesh_size_um: 0.6}
mechanics: {element_degree: 1}
output: {dir: OUT, mesh_dir: MESHES}
"""

# name → (case, texts the one error message must contain: the field path first)
STRICT: dict[str, tuple[StrictCase, list[str]]] = {
    # units off by 10³ – 10⁹
    "cathode-modulus-in-Pa": (
        inline(elasticity={"E_GPa": 1.4e11, "nu": 0.3}),
        ["materials.cathode.elasticity.E_GPa", "GPa", "allow_outside_range"],
    ),
    "cathode-modulus-in-MPa": (
        inline(elasticity={"E_GPa": 140e3, "nu": 0.3}),
        ["materials.cathode.elasticity.E_GPa", "[20, 500] GPa"],
    ),
    "cathode-stiffness-C11-in-Pa": (
        inline(
            elasticity={
                "C_GPa": {"C11": 3.51e11, "C12": 106, "C13": 69, "C14": -9, "C33": 203, "C44": 54}
            }
        ),
        ["materials.cathode.elasticity.C_GPa.C11", "GPa"],
    ),
    "electrolyte-modulus-in-Pa": (
        bad(materials={"electrolyte": {"name": "se", "E_GPa": 2.21e10, "nu": 0.37}}),
        ["materials.electrolyte.E_GPa", "GPa"],
    ),
    "electrolyte-modulus-in-MPa": (
        bad(materials={"electrolyte": {"name": "se", "E_GPa": 22100.0, "nu": 0.37}}),
        ["materials.electrolyte.E_GPa", "[0.001, 500] GPa"],
    ),
    "temperature-in-celsius": (
        bad(mechanics={"element_degree": 1, "temperature_K": 25.0}),
        ["mechanics.temperature_K", "25 °C = 298.15 K"],
    ),
    "diffusivity-in-cm2-per-s": (
        inline(diffusivity_m2_s=1e-10),
        ["materials.cathode.diffusivity_m2_s", "m²/s", "1e-10 cm²/s = 1e-14 m²/s"],
    ),
    "diffusivity-in-um2-per-s": (
        inline(diffusivity_m2_s=0.01),
        ["materials.cathode.diffusivity_m2_s", "m²/s"],
    ),
    "c-max-in-mol-per-litre": (
        inline(c_max_mol_m3=49.2),
        ["materials.cathode.c_max_mol_m3", "mol/m³"],
    ),
    "gb-strength-in-Pa": (
        inline(gb_strength_MPa=7e8),
        ["materials.cathode.gb_strength_MPa", "MPa"],
    ),
    "gb-strength-in-GPa": (
        bad(readers={"gb_strength_MPa": 0.7}),
        ["readers.gb_strength_MPa", "0.7 GPa"],
    ),
    "gb-shear-strength-in-Pa": (
        bad(readers={"gb_shear_strength_MPa": 4e8}),
        ["readers.gb_shear_strength_MPa", "MPa"],
    ),
    "adhesion-strength-in-Pa": (
        bad(readers={"adhesion_strength_MPa": 1e8}),
        ["readers.adhesion_strength_MPa", "MPa"],
    ),
    "lattice-strain-in-percent": (
        inline(lattice_strain={"eps_a_per_x": 2.0, "eps_c_per_x": 2.0}),
        ["materials.cathode.lattice_strain.eps_a_per_x", "not per cent"],
    ),
    "lattice-table-in-percent": (
        inline(
            lattice_strain={
                "table": [[0.2, -2.0, 0.5], [0.5, -1.0, 1.5], [0.8, -0.3, 0.4], [1.0, 0.0, 0.0]]
            },
            x_window=[0.2, 1.0],
        ),
        ["materials.cathode.lattice_strain.table[0][1]", "not per cent"],
    ),
    "particle-radius-in-nm": (
        bad(geometry={"particle_radius_um": 2000.0, "matrix": "none", "mesh_size_um": 300.0}),
        ["geometry.particle_radius_um", "µm"],
    ),
    "particle-radius-in-m": (
        bad(geometry={"particle_radius_um": 2e-6}),
        ["particle_radius_um"],
    ),
    "stack-pressure-in-kPa": (
        bad(
            mechanics={"element_degree": 1, "boundary": "stack_pressure", "stack_pressure_MPa": 1e4}
        ),
        ["mechanics.stack_pressure_MPa"],
    ),
    "allow-outside-range-names-no-field": (
        bad(allow_outside_range=["materials.cathode.E_GPa"]),
        ["allow_outside_range", "materials.cathode.elasticity.E_GPa"],
    ),
    # keys given twice
    "duplicate-key": (
        yaml_text(SMALL_TEXT + "geometry: {n_grains: 600}\n"),
        ["geometry", "duplicate key", "lines 1 and 5"],
    ),
    "duplicate-key-in-section": (
        yaml_text(
            "geometry:\n  n_grains: 6\n  seed: 2\n  n_grains: 600\n  particle_radius_um: 2.0\n"
            "output: {dir: OUT, mesh_dir: MESHES}\n"
        ),
        ["geometry.n_grains", "duplicate key", "lines 2 and 4"],
    ),
    "duplicate-key-in-inline-material": (
        yaml_text(
            SMALL_TEXT + "materials:\n  cathode:\n    name: m\n    elasticity: {E_GPa: 140, "
            "nu: 0.3, E_GPa: 140000}\n"
        ),
        ["materials.cathode.elasticity.E_GPa", "duplicate key"],
    ),
    "duplicate-key-in-study-file": (study_with_duplicate_key, ["seeds", "duplicate key"]),
    # wrong types, one per section
    "geometry-type": (
        bad(geometry={"particle_radius_um": "five"}),
        ["geometry.particle_radius_um"],
    ),
    "orientation-type": (bad(orientation={"euler_deg": "0 0 0"}), ["orientation.euler_deg"]),
    "materials-type": (bad(materials={"cathode": 811}), ["materials.cathode"]),
    "inline-material-type": (
        inline(elasticity={"E_GPa": "stiff", "nu": 0.3}),
        ["materials.cathode.elasticity.E_GPa"],
    ),
    "loading-type": (bad(loading={"report_soc": "0.5, 1.0"}), ["loading.report_soc"]),
    "loading-mode-type": (bad(loading={"mode": True}), ["loading.mode"]),
    "mechanics-type": (bad(mechanics={"element_degree": "two"}), ["mechanics.element_degree"]),
    "coupling-type": (bad(coupling=["one_way"]), ["coupling"]),
    "solver-type": (
        bad(solver={"steps_per_report": 2.5, "ksp_rtol": 1e-10}),
        ["solver.steps_per_report"],
    ),
    "solver-bool-type": (bad(solver={"checkpoint": "maybe"}), ["solver.checkpoint"]),
    "readers-type": (bad(readers={"profile_bins": "25 bins"}), ["readers.profile_bins"]),
    "output-type": (bad(output={"fields": "yes please"}), ["output.fields"]),
    "allow-outside-range-type": (
        bad(allow_outside_range="mechanics.temperature_K"),
        ["allow_outside_range"],
    ),
    "section-is-a-number": (bad(mechanics=5), ["mechanics"]),
    # bytes that are not UTF-8
    "latin1-in-a-value": (
        raw_bytes(b"loading: {mode: charg\xe9}\noutput: {dir: OUT}\n"),
        ["loading.mode", "not UTF-8", "line 1"],
    ),
    "latin1-in-a-nested-value": (
        raw_bytes(b"materials:\n  cathode:\n    name: caf\xe9\noutput: {dir: OUT}\n"),
        ["materials.cathode.name", "not UTF-8", "line 3"],
    ),
    "latin1-in-output-dir": (
        raw_bytes(b"output:\n  dir: OUT/r\xe9sultats\n"),
        ["output.dir", "not UTF-8", "line 2"],
    ),
    "utf16-file": (
        raw_bytes("geometry: {n_grains: 6}\n".encode("utf-16")),
        ["c.yaml", "not UTF-8", "line 1"],
    ),
    # huge counts
    "n-grains-a-billion": (bad(geometry={"n_grains": 10**9}), ["geometry.n_grains", "999"]),
    "n-grains-1500": (bad(geometry={"n_grains": 1500}), ["geometry.n_grains", "999"]),
    "steps-per-report-huge": (
        bad(solver={"steps_per_report": 10**7}),
        ["solver.steps_per_report", "10000"],
    ),
    "profile-bins-huge": (bad(readers={"profile_bins": 10**6}), ["readers.profile_bins"]),
    "step-cuts-huge": (bad(solver={"max_step_cuts": 100}), ["solver.max_step_cuts"]),
    "lloyd-iterations-huge": (
        bad(geometry={"lloyd_iterations": 10**4}),
        ["geometry.lloyd_iterations"],
    ),
    "c-rate-huge": (bad(loading={"c_rate": 1e4}), ["loading.c_rate"]),
    # SOC of the material
    "report-soc-beyond-the-run": (
        bad(loading={"x_end": 0.5, "report_soc": [0.5, 0.9]}),
        ["loading.report_soc", "[0.9]", "SOC 0.5714"],
    ),
    "discharge-report-soc-increasing": (
        bad(loading={"mode": "discharge", "report_soc": [0.25, 0.5]}),
        ["loading.report_soc", "strictly decreasing"],
    ),
}

STRICT_MPI = ["duplicate-key-in-section", "latin1-in-a-nested-value", "cathode-modulus-in-Pa"]


def _check_strict(name: str, tmp_path: Path, ranks: int) -> None:
    case, expected = STRICT[name]
    args = case(tmp_path)
    before = set(tmp_path.rglob("*"))
    result = polycat(args, ranks=ranks, timeout=120)
    err = result.stderr
    assert result.returncode == 2, f"{name}: exit {result.returncode}\n{result.stdout}\n{err}"
    assert "Traceback" not in err, f"{name}: traceback\n{err}"
    assert err.count("error:") == 1, f"{name}: expected the message once, got\n{err}"
    message = err[err.index("error:") :]
    for text in expected:
        assert text in message, f"{name}: {text!r} not in {message!r}"
    written = set(tmp_path.rglob("*")) - before
    assert not written, f"{name}: wrote {sorted(map(str, written))}"
    assert not (tmp_path / "out").exists() and not (tmp_path / "meshes").exists()


def test_at_least_thirty_new_cases() -> None:
    assert len(STRICT) >= 30
    assert not set(STRICT) & set(CASES)
    assert set(STRICT_MPI) <= set(STRICT)


@pytest.mark.parametrize("name", list(STRICT))
def test_malformed_or_implausible_input_serial(name: str, tmp_path: Path) -> None:
    _check_strict(name, tmp_path, ranks=1)


@pytest.mark.parametrize("name", STRICT_MPI)
def test_malformed_or_implausible_input_two_ranks(name: str, tmp_path: Path) -> None:
    _check_strict(name, tmp_path, ranks=2)
