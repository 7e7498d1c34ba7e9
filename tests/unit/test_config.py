"""Config schema: every shipped config validates; bad configs fail with a message that
names the offending field (and, where it helps, what is allowed)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from polycat.config import ConfigError, RunConfig, apply_overrides, load_config, validate_config
from polycat.config.loading import parse_override

ROOT = Path(__file__).resolve().parents[2]
# run configs; study files (a top-level `base:`) are checked in tests/study
CONFIGS = sorted(
    p
    for p in (ROOT / "configs").rglob("*.yaml")
    if "base" not in (yaml.safe_load(p.read_text()) or {})
)
STUDIES = sorted(
    p for p in (ROOT / "configs").rglob("*.yaml") if "base" in (yaml.safe_load(p.read_text()) or {})
)

DEFAULT: dict[str, Any] = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text())
# The default case with bonded interfaces: the checks here are about other sections (the
# interface section's own checks are in tests/unit/test_cohesive_law.py and V9).
BASE: dict[str, Any] = {k: v for k, v in DEFAULT.items() if k != "interfaces"}


def with_change(path: str, value: Any) -> dict[str, Any]:
    """BASE with one dotted path set to value (value DELETE removes the key)."""
    data = copy.deepcopy(BASE)
    keys = path.split(".")
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    if value is DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return data


DELETE = object()

INLINE_CATHODE = {
    "name": "iso-test",
    "elasticity": {"E_GPa": 140.0, "nu": 0.3},
    "lattice_strain": {"eps_a_per_x": 0.01, "eps_c_per_x": 0.01},
    "x_ref": 1.0,
    "diffusivity_m2_s": 1e-14,
    "c_max_mol_m3": 49000.0,
}


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_configs_validate(path: Path) -> None:
    cfg = load_config(path)
    assert isinstance(cfg, RunConfig)


def test_default_resolves_window_from_material() -> None:
    from polycat.materials import get_cathode

    cfg = validate_config(BASE)
    lo, hi = get_cathode("NCM811").x_window
    assert cfg.loading.x_start == pytest.approx(hi)
    assert cfg.loading.x_end == pytest.approx(lo)
    assert cfg.loading.x_start > cfg.loading.x_end


def test_discharge_default_window_runs_upwards() -> None:
    data = with_change("loading.mode", "discharge")
    del data["loading"]["report_soc"]
    # the window's top is x = 1 for NCM811: no galvanostatic discharge gets its mean there
    # (the surface fills first), so the default end is refused before any work, with the fix
    with pytest.raises(ConfigError, match=r"loading\.x_end: a galvanostatic discharge cannot"):
        validate_config(data)
    data["loading"]["x_end"] = 0.95
    cfg = validate_config(data)
    assert cfg.loading.x_start < cfg.loading.x_end
    # SOC is the material's (1 = charged): a discharge runs from SOC 1 down towards 0
    end = (1.0 - 0.95) / (1.0 - 0.125)
    expected = [1.0 - (1.0 - end) * k / 10 for k in range(1, 11)]
    assert cfg.loading.report_soc == pytest.approx(expected)


def test_resolved_config_round_trips() -> None:
    cfg = validate_config(BASE)
    again = validate_config(json.loads(cfg.model_dump_json()))
    assert again == cfg


def test_inline_materials_accepted() -> None:
    data = with_change("materials.cathode", INLINE_CATHODE)
    data["materials"]["electrolyte"] = {"name": "my-se", "E_GPa": 22.1, "nu": 0.37}
    cfg = validate_config(data)
    assert cfg.loading.x_start == 1.0 and cfg.loading.x_end == 0.0
    table = dict(
        INLINE_CATHODE,
        lattice_strain={
            "table": [[0.2, -0.02, 0.0], [0.5, -0.01, 0.01], [0.8, -0.003, 0.004], [1.0, 0, 0]]
        },
        x_window=[0.2, 1.0],
    )
    table["elasticity"] = {
        "C_GPa": {"C11": 351, "C12": 106, "C13": 69, "C14": -9, "C33": 203, "C44": 54}
    }
    validate_config(with_change("materials.cathode", table))


def test_free_particle_and_single_grain_are_plain_configs() -> None:
    data = with_change("geometry.matrix", "none")
    data["geometry"]["n_grains"] = 1
    cfg = validate_config(data)
    assert cfg.geometry.n_grains == 1 and cfg.geometry.matrix == "none"


def test_overrides_apply_and_parse_yaml() -> None:
    data = apply_overrides(
        BASE,
        [
            "geometry.n_grains=10",
            "loading.report_soc=[0.5, 1.0]",
            "solver.petsc_mechanics.ksp_type=cg",
        ],
    )
    cfg = validate_config(data)
    assert cfg.geometry.n_grains == 10
    assert cfg.loading.report_soc == [0.5, 1.0]
    assert cfg.solver.petsc_mechanics == {"ksp_type": "cg"}
    assert parse_override("a.b=1e-3") == (["a", "b"], 1e-3)


def test_cli_validate_and_schema(capsys: pytest.CaptureFixture[str]) -> None:
    from polycat.cli import main

    assert (
        main(["validate", str(ROOT / "configs" / "default.yaml"), "--set", "geometry.n_grains=7"])
        == 0
    )
    out = yaml.safe_load(capsys.readouterr().out)
    assert out["geometry"]["n_grains"] == 7
    assert out["loading"]["x_start"] is not None
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "geometry" in schema["properties"]
    assert main(["materials"]) == 0
    assert "NCM811" in capsys.readouterr().out


# (case id, config mapping, text that must appear in the message)
BAD: list[tuple[str, Any, str]] = [
    ("unknown-section", dict(BASE, extras={"a": 1}), "extras: unknown key"),
    ("unknown-geometry-key", with_change("geometry.radius_um", 5.0), "geometry.radius_um"),
    ("typo-suggests", with_change("geometry.n_grain", 5), "did you mean 'n_grains'"),
    ("n-grains-zero", with_change("geometry.n_grains", 0), "geometry.n_grains"),
    ("n-grains-float", with_change("geometry.n_grains", 2.5), "geometry.n_grains"),
    ("n-grains-string", with_change("geometry.n_grains", "many"), "geometry.n_grains"),
    ("dim-4", with_change("geometry.dim", 4), "geometry.dim"),
    (
        "negative-radius",
        with_change("geometry.particle_radius_um", -1.0),
        "geometry.particle_radius_um",
    ),
    (
        "nan-radius",
        with_change("geometry.particle_radius_um", float("nan")),
        "geometry.particle_radius_um",
    ),
    ("matrix-kind", with_change("geometry.matrix", "cylinder"), "geometry.matrix"),
    ("box-too-small", with_change("geometry.matrix_size_um", 8.0), "matrix_size_um"),
    ("mesh-bigger-than-particle", with_change("geometry.mesh_size_um", 6.0), "mesh_size_um"),
    ("negative-seed", with_change("geometry.seed", -3), "geometry.seed"),
    (
        "seed-spacing-range",
        with_change("geometry.min_seed_spacing", 1.5),
        "geometry.min_seed_spacing",
    ),
    ("texture-kind", with_change("orientation.texture", "fibre"), "orientation.texture"),
    ("axis-zero", with_change("orientation.axis", [0, 0, 0]), "orientation.axis"),
    ("axis-name", with_change("orientation.axis", "b"), "orientation.axis"),
    ("spread-range", with_change("orientation.spread_deg", 270), "orientation.spread_deg"),
    ("unknown-cathode", with_change("materials.cathode", "NCM999"), "NCM811"),
    ("electrolyte-as-cathode", with_change("materials.cathode", "Li6PS5Cl"), "electrolyte"),
    ("unknown-electrolyte", with_change("materials.electrolyte", "LiPF6"), "materials.electrolyte"),
    (
        "inline-cathode-missing-field",
        with_change(
            "materials.cathode", {k: v for k, v in INLINE_CATHODE.items() if k != "c_max_mol_m3"}
        ),
        "materials.cathode.c_max_mol_m3: required",
    ),
    (
        "inline-elasticity-kind",
        with_change("materials.cathode", dict(INLINE_CATHODE, elasticity={"G_GPa": 50})),
        "materials.cathode.elasticity",
    ),
    (
        "inline-nu-range",
        with_change(
            "materials.cathode", dict(INLINE_CATHODE, elasticity={"E_GPa": 140, "nu": 0.6})
        ),
        "materials.cathode.elasticity.nu",
    ),
    (
        "inline-table-short",
        with_change(
            "materials.cathode",
            dict(INLINE_CATHODE, lattice_strain={"table": [[0, 0, 0], [1, 0.01, 0.01]]}),
        ),
        "materials.cathode.lattice_strain.table",
    ),
    (
        "inline-table-not-monotone",
        with_change(
            "materials.cathode",
            dict(
                INLINE_CATHODE,
                lattice_strain={"table": [[0.0, 0, 0], [0.5, 0, 0], [0.4, 0, 0], [1.0, 0, 0]]},
            ),
        ),
        "strictly increasing or decreasing",
    ),
    (
        "inline-negative-D",
        with_change("materials.cathode", dict(INLINE_CATHODE, diffusivity_m2_s=-1e-14)),
        "materials.cathode.diffusivity_m2_s",
    ),
    (
        "inline-electrolyte-missing-E",
        with_change("materials.electrolyte", {"name": "x", "nu": 0.3}),
        "materials.electrolyte.E_GPa",
    ),
    ("mode-kind", with_change("loading.mode", "cycle"), "loading.mode"),
    ("c-rate-zero", with_change("loading.c_rate", 0), "loading.c_rate"),
    ("report-soc-above-one", with_change("loading.report_soc", [0.5, 1.2]), "loading.report_soc"),
    ("report-soc-zero", with_change("loading.report_soc", [0.0, 0.5]), "loading.report_soc"),
    ("report-soc-unsorted", with_change("loading.report_soc", [0.5, 0.2]), "strictly increasing"),
    ("report-soc-empty", with_change("loading.report_soc", []), "loading.report_soc"),
    ("charge-upwards", with_change("loading.x_end", 1.0), "x_start > x_end"),
    ("x-start-outside-window", with_change("loading.x_start", 1.5), "loading.x_start"),
    ("x-end-outside-material", with_change("loading.x_end", 0.01), "loading.x_end"),
    ("boundary-kind", with_change("mechanics.boundary", "clamped"), "mechanics.boundary"),
    ("degree-3", with_change("mechanics.element_degree", 3), "mechanics.element_degree"),
    (
        "pressure-without-stack",
        with_change("mechanics.stack_pressure_MPa", 10.0),
        "boundary: stack_pressure",
    ),
    (
        "negative-pressure",
        with_change("mechanics.stack_pressure_MPa", -5.0),
        "mechanics.stack_pressure_MPa",
    ),
    (
        "confined-without-matrix",
        dict(with_change("geometry.matrix", "none"), mechanics={"boundary": "confined"}),
        "needs an electrolyte matrix",
    ),
    (
        "stack-pressure-in-shell",
        dict(with_change("geometry.matrix", "shell"), mechanics={"boundary": "stack_pressure"}),
        "needs geometry.matrix: box",
    ),
    ("coupling-kind", with_change("coupling", "three_way"), "coupling"),
    (
        "petsc-option-with-dash",
        with_change("solver.petsc_mechanics", {"-ksp_type": "cg"}),
        "solver.petsc_mechanics",
    ),
    ("steps-zero", with_change("solver.steps_per_report", 0), "solver.steps_per_report"),
    ("output-dir-empty", with_change("output.dir", ""), "output.dir"),
    ("section-not-mapping", with_change("geometry", [1, 2, 3]), "geometry"),
]


@pytest.mark.parametrize(("case", "data", "needle"), BAD, ids=[b[0] for b in BAD])
def test_bad_config_rejected_with_field_name(case: str, data: Any, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        validate_config(data)
    message = str(info.value)
    assert needle in message, f"{case}: {needle!r} not in message:\n{message}"


def test_enough_distinct_bad_cases() -> None:
    assert len({b[0] for b in BAD}) >= 30


def test_file_level_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("geometry: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    scalar = tmp_path / "scalar.yaml"
    scalar.write_text("42\n")
    with pytest.raises(ConfigError, match="top level must be a mapping"):
        load_config(scalar)
    with pytest.raises(ConfigError, match=r"expected section\.key=value"):
        apply_overrides(BASE, ["geometry.n_grains"])
    with pytest.raises(ConfigError, match="not a section"):
        apply_overrides(BASE, ["materials.cathode.E_GPa=3"])


def test_cli_bad_config_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from polycat.cli import main

    cfg = tmp_path / "c.yaml"
    cfg.write_text(yaml.safe_dump(with_change("geometry.n_grains", 0)))
    assert main(["validate", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "geometry.n_grains" in err
    assert "Traceback" not in err


def test_resolve_inline_and_builtin_materials() -> None:
    from polycat.config.resolve import cathode_material, electrolyte_material

    cfg = validate_config(BASE)
    assert cathode_material(cfg).name == "NCM811"
    se = electrolyte_material(cfg)
    assert se is not None and se.E_GPa == pytest.approx(22.1)
    data = with_change("materials.cathode", INLINE_CATHODE)
    data["geometry"]["matrix"] = "none"
    cfg = validate_config(data)
    mat = cathode_material(cfg)
    ea, ec = mat.lattice_strain.strains(np.array([0.5]))
    assert ea[0] == pytest.approx(-0.005) and ec[0] == pytest.approx(-0.005)
    assert electrolyte_material(cfg) is None


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_studies_expand_into_valid_cases(path: Path) -> None:
    from polycat.study.expand import load_study

    study = load_study(path)  # validates every case config; raises ConfigError otherwise
    assert len(study.cases) >= 2
    assert len({c.id for c in study.cases}) == len(study.cases)


def test_the_default_case_has_cohesive_interfaces() -> None:
    """configs/default.yaml (`make run`) cracks and debonds: both interface classes are
    cohesive, with one-way coupling, and it validates and resolves."""
    from polycat.config.resolve import resolve

    cfg = validate_config(DEFAULT)
    assert cfg.interfaces.grain_boundary.model == "cohesive"
    assert cfg.interfaces.cathode_electrolyte.model == "cohesive"
    plan = resolve(cfg)
    assert plan.interfaces is not None
