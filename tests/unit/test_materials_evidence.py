"""Evidence carried by the built-in materials (issue 17): lattice laws per composition,
grain-level Cij, electrolyte variants, failure data and the JSON export. Fast, numpy only."""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pytest

from polycat.cli import main
from polycat.materials import (
    CATHODES,
    ELECTROLYTES,
    EVIDENCE_LEVELS,
    CathodeMaterial,
    ElectrolyteMaterial,
    Source,
    TrigonalElasticity,
    UnknownMaterialError,
    find_material,
    get_electrolyte,
    lattice_scale_factor,
    materials_json,
    unflagged_related_lattice_laws,
)
from polycat.materials.cathodes import _common, ncm_corich
from polycat.materials.export import cohesive_length_um

BUILTINS: list[CathodeMaterial | ElectrolyteMaterial] = [*CATHODES.values(), *ELECTROLYTES.values()]
CLASSIFIED = set(EVIDENCE_LEVELS) - {"user"}


# ----------------------------------------------------------------------------- lattice laws


def test_no_builtin_lattice_law_is_a_copy_or_multiple_unless_flagged_hypothesis() -> None:
    assert unflagged_related_lattice_laws(CATHODES.values()) == []


def test_the_independence_check_can_fail() -> None:
    ncm811, corich = CATHODES["NCM811"], CATHODES["CoRichNCM"]
    s = lattice_scale_factor(ncm811.lattice_strain, corich.lattice_strain)
    assert s == pytest.approx(ncm_corich.SCALE, rel=1e-9) and 0.18 < s < 0.20
    assert lattice_scale_factor(ncm811.lattice_strain, CATHODES["NCM622"].lattice_strain) == (
        pytest.approx(1.0)
    )
    assert lattice_scale_factor(ncm811.lattice_strain, CATHODES["LCO"].lattice_strain) is None
    # today's CoRichNCM (0.19 x NCM811) without its hypothesis flag is caught
    src = dataclasses.replace(corich.sources["lattice_strain"], evidence="estimate")
    unflagged = dataclasses.replace(corich, sources={**corich.sources, "lattice_strain": src})
    bad = unflagged_related_lattice_laws([ncm811, unflagged])
    assert [(a, b) for a, b, _ in bad] == [("NCM811", "CoRichNCM")]
    assert bad[0][2] == pytest.approx(ncm_corich.SCALE)


def test_only_measured_lattice_laws_are_not_flagged() -> None:
    levels = {n: m.sources["lattice_strain"].evidence_level for n, m in CATHODES.items()}
    assert levels["NCM811"] == "measured"
    for name in ("NCM622", "NCM111", "CoRichNCM", "LCO"):
        assert levels[name] == "hypothesis", name
        assert "Construction" in CATHODES[name].sources["lattice_strain"].note


def test_materials_command_shows_hypothesis_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["materials"]) == 0
    out = capsys.readouterr().out
    for name in ("NCM622", "NCM111", "CoRichNCM", "LCO"):
        header = next(line for line in out.splitlines() if line.startswith(f"CATHODE {name} "))
        assert "[evidence: hypothesis in lattice_strain, diffusion_anisotropy]" in header
    header = next(line for line in out.splitlines() if line.startswith("CATHODE NCM811 "))
    assert "[evidence: hypothesis in diffusion_anisotropy]" in header  # D_c/D_ab only
    assert "[evidence: measured]" in out and "[evidence: dft]" in out


# ----------------------------------------------------------------------------- elasticity


@pytest.mark.parametrize("name", sorted(CATHODES))
def test_builtin_cij_is_positive_definite_and_reproduces_its_source(name: str) -> None:
    el = CATHODES[name].elasticity
    assert isinstance(el, TrigonalElasticity)
    assert np.linalg.eigvalsh(el.voigt_GPa()).min() > 0.0
    vrh = el.vrh_moduli_GPa()
    for key, printed in _common.LICRO2_ELATE_VRH.items():
        text = f"{printed:.10g}"
        decimals = len(text.split(".")[1]) if "." in text else 0
        assert round(vrh[key], decimals) == pytest.approx(printed, abs=1e-12), key
    assert CATHODES[name].sources["elasticity"].evidence_level == "estimate"
    assert "LiCrO2" in CATHODES[name].sources["elasticity"].note


def test_grain_stiffness_is_grain_level_and_in_plane_stiffer() -> None:
    el = CATHODES["NCM811"].elasticity
    assert isinstance(el, TrigonalElasticity)
    E_a = el.directional_young_GPa((1.0, 0.0, 0.0))
    E_c = el.directional_young_GPa((0.0, 0.0, 1.0))
    assert E_a > E_c
    assert 165.0 <= el.vrh_moduli_GPa()["E_H"] <= 249.0  # grain-level range, docs/physics.md §3
    # directional modulus agrees with ELATE's range (145.4 ... 308.58 GPa for mp-18793)
    rng = np.random.default_rng(0)
    dirs = rng.normal(size=(400, 3))
    values = [el.directional_young_GPa(tuple(d)) for d in dirs]
    assert min(values) > 145.3 and max(values) < 308.7


# ----------------------------------------------------------------------------- electrolytes


def test_li6ps5cl_variants_by_name() -> None:
    assert get_electrolyte("Li6PS5Cl").E_GPa == pytest.approx(22.1)  # default unchanged
    cold = get_electrolyte("Li6PS5Cl-cold-pressed")
    assert cold.E_GPa == pytest.approx(4.7) and cold.sources["E_GPa"].evidence_level == "measured"
    assert get_electrolyte("li6ps5cl porous") is cold
    dense = get_electrolyte("Li6PS5Cl-sintered")
    assert dense.E_GPa == pytest.approx(28.0)
    assert get_electrolyte("Li6PS5Cl-dense") is dense
    assert get_electrolyte("LPSCl") is ELECTROLYTES["Li6PS5Cl"]
    assert cold.adhesion_strength_MPa < ELECTROLYTES["Li6PS5Cl"].adhesion_strength_MPa
    assert "13 %" in cold.state


# ----------------------------------------------------------------------------- failure data


def test_failure_data_and_cohesive_length() -> None:
    m = CATHODES["NCM811"]
    assert m.gb_strength_MPa == 745.0 and m.sources["gb_strength_MPa"].evidence_level == "measured"
    assert m.gb_fracture_energy_J_m2 == pytest.approx(0.271**2 / 138e3 * 1e6, abs=0.005)
    dep = m.gb_fracture_energy_vs_x
    assert dep is not None and dep.x[-1] == 1.0 and dep.factor[-1] == pytest.approx(1.0)
    assert float(dep(0.5)) == pytest.approx((0.058 / 0.102) ** 2 * 145.1 / 111.6, rel=1e-3)
    assert float(dep(0.2)) == float(dep(0.5))  # held constant outside the measured range
    vrh = m.elasticity.vrh_moduli_GPa()  # type: ignore[union-attr]
    e_prime = vrh["E_H"] / (1 - vrh["nu_H"] ** 2)
    l_cz = cohesive_length_um(m)
    assert l_cz == pytest.approx(e_prime * 1e9 * 0.53 / 745e6**2 * 1e6, rel=1e-6)
    assert 0.1 < l_cz < 0.3  # type: ignore[operator]
    llzo = ELECTROLYTES["LLZO"]
    assert llzo.interface_fracture_energy_J_m2 == 2.4
    assert llzo.sources["interface_fracture_energy_J_m2"].evidence_level == "dft"


def test_new_fields_default_for_old_constructors() -> None:
    base = CATHODES["NCM811"]
    keys = [k for k in base.sources if k != "gb_fracture_energy_J_m2"]
    old = dataclasses.replace(
        base,
        sources={k: base.sources[k] for k in keys},
        gb_fracture_energy_J_m2=None,
        gb_fracture_energy_vs_x=None,
    )
    assert old.sources["gb_fracture_energy_J_m2"].evidence_level == "none"
    se = ElectrolyteMaterial(
        name="x", formula="x", E_GPa=10.0, nu=0.3, adhesion_strength_MPa=10.0,
        fracture_toughness_MPa_sqrt_m=None,
        sources=dict.fromkeys(("E_GPa", "nu", "adhesion_strength_MPa",
                               "fracture_toughness_MPa_sqrt_m"), Source("user", evidence="user")),
    )  # fmt: skip
    assert se.interface_fracture_energy_J_m2 is None


# ----------------------------------------------------------------------------- provenance


@pytest.mark.parametrize("m", BUILTINS, ids=lambda m: m.name)
def test_every_value_has_a_source_and_evidence_level(
    m: CathodeMaterial | ElectrolyteMaterial,
) -> None:
    for key, src in m.sources.items():
        assert src.citation.strip(), key
        assert src.evidence, f"{m.name}.{key}: no explicit evidence level"
        assert src.evidence_level in CLASSIFIED, key
        if src.estimate:
            assert len(src.note) > 40, f"{m.name}.{key}: an estimate must say what it rests on"


def test_evidence_validation() -> None:
    with pytest.raises(ValueError, match="evidence"):
        Source("x", evidence="rumour")
    with pytest.raises(ValueError, match="contradicts"):
        Source("x", estimate=True, evidence="measured", note="n")
    assert Source("x", evidence="hypothesis", note="constructed").estimate


def test_json_round_trips_and_contains_every_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["materials", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert json.loads(materials_json()) == data
    names = {c["name"] for c in data["cathodes"]} | {e["name"] for e in data["electrolytes"]}
    assert names == set(CATHODES) | set(ELECTROLYTES)
    for entry in [*data["cathodes"], *data["electrolytes"]]:
        m = find_material(entry["name"])
        assert set(entry["fields"]) == set(m.sources)
        for key, field in entry["fields"].items():
            assert field["source"]["citation"] == m.sources[key].citation
            assert field["source"]["evidence"] == m.sources[key].evidence_level
            assert "value" in field
    ncm = next(c for c in data["cathodes"] if c["name"] == "NCM811")
    assert ncm["fields"]["elasticity"]["value"]["C_GPa"]["C66"] == 122.0
    assert len(ncm["fields"]["lattice_strain"]["value"]["x"]) == 79
    assert math.isclose(ncm["fields"]["gb_strength_MPa"]["value"], 745.0)


def test_materials_name_shows_one_and_unknown_lists_valid(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["materials", "nmc 811"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("CATHODE NCM811") and "ELECTROLYTE" not in out
    assert main(["materials", "Li6PS5Cl-cold-pressed", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "Li6PS5Cl-cold-pressed"
    assert main(["materials", "unobtainium"]) == 2
    err = capsys.readouterr().err
    for name in [*CATHODES, *ELECTROLYTES]:
        assert name in err
    with pytest.raises(UnknownMaterialError):
        find_material("NCM999")
