"""What a researcher meets first (issue 19), without the solver: plausibility ranges and
their override, keys given twice, bytes that are not UTF-8, decisive defaults and a
temperature without effect reported, the material's SOC in the config, validate making
run's pre-flight checks, -v showing polycat's diagnostics only, the progress estimate,
the headline table and what the plots state."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from polycat.cli import main, setup_logging
from polycat.config import ConfigError, validate_config
from polycat.config.loading import config_notes, defaulted_fields, read_yaml
from polycat.config.plausibility import RANGES, outside_range
from polycat.config.resolve import resolve
from polycat.fileio import write_csv_atomic, write_json_atomic
from support.helpers import INLINE_CATHODE

ROOT = Path(__file__).resolve().parents[2]
DEFAULT: dict[str, Any] = yaml.safe_load((ROOT / "configs" / "default.yaml").read_text())
# The default case with bonded interfaces: the checks here are about other sections (the
# interface section's own checks are in tests/unit/test_cohesive_law.py and V9).
BASE: dict[str, Any] = {k: v for k, v in DEFAULT.items() if k != "interfaces"}
INLINE = copy.deepcopy(INLINE_CATHODE)


def changed(**sections: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for name, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(name), dict):
            data[name].update(value)
        else:
            data[name] = value
    return data


# ------------------------------------------------------------------ plausibility ranges


def test_every_shipped_value_is_plausible() -> None:
    from polycat.materials import CATHODES, ELECTROLYTES

    assert not outside_range(validate_config(DEFAULT).model_dump(mode="json"))
    for cam in CATHODES.values():  # the built-ins lie inside the ranges they would need
        assert 20 <= cam.elasticity.vrh_moduli_GPa()["E_H"] <= 500, cam.name
        assert RANGES["materials.cathode.c_max_mol_m3"].lo <= cam.c_max_mol_m3
        assert cam.gb_strength_MPa <= RANGES["materials.cathode.gb_strength_MPa"].hi
    for se in ELECTROLYTES.values():
        rng = RANGES["materials.electrolyte.E_GPa"]
        assert rng.lo <= se.E_GPa <= rng.hi, se.name


def test_outside_the_range_is_refused_with_field_range_and_unit() -> None:
    data = changed(materials={"cathode": dict(INLINE, elasticity={"E_GPa": 1.4e11, "nu": 0.3})})
    with pytest.raises(ConfigError) as info:
        validate_config(data)
    text = str(info.value)
    assert "materials.cathode.elasticity.E_GPa: 1.4e+11 GPa is outside" in text
    assert "[20, 500] GPa" in text and "140 GPa = 1.4e11 Pa" in text
    assert "allow_outside_range" in text


def test_allow_outside_range_lets_a_meant_value_through() -> None:
    data = changed(mechanics={"temperature_K": 80.0}, coupling="two_way")
    with pytest.raises(ConfigError, match=r"mechanics\.temperature_K"):
        validate_config(data)
    data["allow_outside_range"] = ["mechanics.temperature_K"]
    cfg = validate_config(data)
    assert cfg.mechanics.temperature_K == 80.0
    # it is part of the resolved config, so a resumed run accepts it again
    again = validate_config(json.loads(cfg.model_dump_json()))
    assert again.allow_outside_range == ["mechanics.temperature_K"]


def test_table_strains_are_checked_row_by_row() -> None:
    table = [[0.2, -0.02, 0.0], [0.5, -0.01, 1.5], [0.8, -0.003, 0.004], [1.0, 0, 0]]
    data = changed(materials={"cathode": dict(INLINE, lattice_strain={"table": table},
                                              x_window=[0.2, 1.0])})  # fmt: skip
    with pytest.raises(ConfigError, match=r"lattice_strain\.table\[1\]\[2\] \(eps_c\)"):
        validate_config(data)


# ------------------------------------------------------------------ reading the file


def test_duplicate_keys_are_refused_at_any_depth(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("geometry:\n  n_grains: 6\n  n_grains: 600\n")
    with pytest.raises(ConfigError, match=r"line 3: duplicate key: geometry.n_grains"):
        read_yaml(path)
    path.write_text("loading: {report_soc: [0.5, 1.0]}\nloading: {c_rate: 2}\n")
    with pytest.raises(ConfigError, match=r"duplicate key: loading is given twice"):
        read_yaml(path)
    path.write_text("a: [{x: 1, x: 2}]\n")
    with pytest.raises(ConfigError, match=r"a\[0\]\.x"):
        read_yaml(path)
    path.write_text("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n")  # merge keys are fine
    assert read_yaml(path)["other"] == {"x": 1, "y": 2}


def test_a_byte_that_is_not_utf8_names_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"geometry:\n  n_grains: 6\noutput:\n  dir: r\xe9sultats\n")
    with pytest.raises(ConfigError) as info:
        read_yaml(path)
    assert "not UTF-8 text: byte 0xe9 at line 4, column 9 (in output.dir)" in str(info.value)
    path.write_bytes(b"\xef\xbb\xbfgeometry: {n_grains: 6}\n")  # a UTF-8 BOM is fine
    assert read_yaml(path) == {"geometry": {"n_grains": 6}}


# ------------------------------------------------------------------ defaults and notes


def test_inline_defaults_that_decide_the_answer_are_reported() -> None:
    cfg = validate_config(changed(materials={"cathode": INLINE, "electrolyte": {
        "name": "se", "E_GPa": 22.1, "nu": 0.37}}))  # fmt: skip
    assert defaulted_fields(cfg) == {
        "materials.cathode.x_window": [0.0, 1.0],
        "materials.cathode.x_ref": 1.0,
        "materials.cathode.gb_strength_MPa": 700.0,
        "materials.electrolyte.adhesion_strength_MPa": 100.0,
    }
    assert resolve(cfg).defaulted == defaulted_fields(cfg)
    notes = config_notes(cfg)
    assert any("materials.cathode.x_window = [0.0, 1.0] (defaulted" in n for n in notes)
    full = dict(INLINE, x_window=[0.2, 1.0], x_ref=1.0, gb_strength_MPa=745.0)
    cfg = validate_config(changed(materials={"cathode": full}))
    assert defaulted_fields(cfg) == {}
    assert defaulted_fields(validate_config(BASE)) == {}  # built-ins default nothing


def test_temperature_without_effect_is_noted() -> None:
    one_way = validate_config(changed(mechanics={"temperature_K": 330.0}))
    assert any("temperature_K = 330 has no effect" in n for n in config_notes(one_way))
    two_way = validate_config(changed(mechanics={"temperature_K": 330.0}, coupling="two_way"))
    assert not any("temperature_K" in n for n in config_notes(two_way))
    assert not any("temperature_K" in n for n in config_notes(validate_config(BASE)))


def test_validate_prints_the_notes_as_comments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    # (to SOC 0.9: the window's end x = 0 no galvanostatic charge reaches, check_transport)
    path.write_text(yaml.safe_dump(changed(materials={"cathode": INLINE},
                                           mechanics={"temperature_K": 310.0},
                                           loading={"report_soc": [0.5, 0.9]})))  # fmt: skip
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "# materials.cathode.gb_strength_MPa = 700.0 (defaulted" in out
    assert "# mechanics.temperature_K = 310 has no effect" in out
    assert "# pre-flight: ~" in out
    assert yaml.safe_load(out)["materials"]["cathode"]["x_window"] == [0.0, 1.0]


# ------------------------------------------------------------------ SOC of the material


def test_report_soc_defaults_to_ten_steps_of_the_run_in_the_materials_soc() -> None:
    data = changed(loading={"x_end": 0.5})
    del data["loading"]["report_soc"]
    cfg = validate_config(data)
    soc_end = (1.0 - 0.5) / (1.0 - 0.125)  # NCM811 window [0.125, 1]
    assert cfg.loading.report_soc is not None
    assert cfg.loading.report_soc[-1] == pytest.approx(soc_end)
    assert cfg.loading.report_soc[0] == pytest.approx(soc_end / 10)
    with pytest.raises(ConfigError, match=r"loading.report_soc: \[0.9\] not reached"):
        validate_config(changed(loading={"x_end": 0.5, "report_soc": [0.5, 0.9]}))


def test_discharge_reports_from_charged_to_discharged() -> None:
    loading = {"mode": "discharge", "x_end": 0.95, "report_soc": [0.5, 0.1]}
    cfg = validate_config(changed(loading=loading))
    plan = resolve(cfg)
    assert plan.loading.x_start == pytest.approx(0.125) and plan.loading.x_end == 0.95
    assert plan.loading.x_window == (0.125, 1.0)
    with pytest.raises(ConfigError, match="not reached after the start"):
        validate_config(changed(loading=dict(loading, report_soc=[1.0, 0.5])))


# ------------------------------------------------------------------ validate = pre-flight


def test_validate_refuses_what_run_refuses_before_meshing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(changed(geometry={"particle_radius_um": 2.0,
                    "matrix_size_um": 6.0, "n_grains": 400, "mesh_size_um": 0.5})))  # fmt: skip
    assert main(["validate", str(path)]) == 2
    assert "too coarse for 400 grains" in capsys.readouterr().err
    path.write_text(yaml.safe_dump(changed(geometry={"mesh_size_um": 0.02})))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "GB" in err and "--force" in err
    assert main(["validate", str(path), "--force"]) == 0
    # the checks of the run plan too: an interface law whose elastic opening is not small
    path.write_text(yaml.safe_dump(changed(interfaces={"grain_boundary": {
        "model": "cohesive", "initial_stiffness_GPa_per_um": 0.05}})))  # fmt: skip
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "interfaces.grain_boundary.initial_stiffness_GPa_per_um" in err
    assert "Traceback" not in err


def test_materials_name_shows_one_material(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["materials", "NMC622"]) == 0
    out = capsys.readouterr().out
    assert "CATHODE NCM622" in out and "CATHODE NCM811" not in out and "ELECTROLYTE" not in out


# ------------------------------------------------------------------ logging and progress


def test_verbose_shows_polycat_debug_not_third_party(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", logging.WARNING)
    setup_logging(0, verbose=True)
    assert logging.getLogger("polycat").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("polycat.geometry.pipeline").isEnabledFor(logging.DEBUG)
    for name in ("ffcx", "ufl", "matplotlib.font_manager", "h5py", "PIL"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    logging.getLogger("polycat").setLevel(logging.NOTSET)


def test_progress_weighs_report_steps_by_their_measured_cost() -> None:
    from polycat.simulation.progress import StepProgress

    bar = StepProgress(8, (1, 3, 5, 7), start=0, enabled=False)
    bar.step_done(0, 1.0, None)
    bar.step_done(1, 10.0, 0.25)  # a report step costs 10 plain ones
    assert bar.weight == pytest.approx(10.0)
    assert bar.bar.total == pytest.approx(4 + 10 * 4)
    assert bar.bar.n == pytest.approx(1 + 10)
    resumed = StepProgress(8, (1, 3, 5, 7), start=4, enabled=False)
    assert resumed.done_plain == 2 and resumed.done_report == 2
    bar.close()
    resumed.close()


# ------------------------------------------------------------------ headline table, plots


def _fake_run(d: Path, peak_at: int = 1) -> None:
    """A results directory as a run leaves it (3 SOCs, peak GB risk at SOC index 1)."""
    from polycat.exports.tables import SUMMARY_COLUMNS

    rows = []
    for k, soc in enumerate((0.5, 0.75, 1.0)):
        row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, 1.0)
        row.update(soc=soc, x_mean=1.0 - 0.875 * soc, gb_risk_max=2.0 if k == peak_at else 1.0,
                   delam_risk_max=5.0 + k, gb_strength_MPa=745.0, adhesion_strength_MPa=110.0,
                   current_density_A_m2=1.92)  # fmt: skip
        rows.append(row)
    write_csv_atomic(d / "summary.csv", rows, SUMMARY_COLUMNS)
    write_json_atomic(d / "run.json", {
        "status": "completed",
        "materials": {"cathode": "NCM811", "gb_strength_MPa": 745.0,
                      "gb_strength_evidence": "measured", "electrolyte": "Li6PS5Cl",
                      "adhesion_strength_MPa": 110.0, "adhesion_strength_evidence": "estimate"},
        "config": {"loading": {"mode": "charge", "c_rate": 1.0},
                   "geometry": {"n_grains": 4, "particle_radius_um": 2.0}},
    })  # fmt: skip
    n = 41
    ax = np.linspace(-3, 3, n)
    X, Y = np.meshgrid(ax, ax)
    ids = np.where(X**2 + Y**2 < 4.0, np.where(X > 0, 1.0, 2.0), 1000.0)
    for soc in ("050", "075", "100"):
        field = np.sin(X) * 100.0
        field[5, 5] = 1e6  # one hot cell
        (d / "sections").mkdir(exist_ok=True)
        np.savez(d / "sections" / f"soc_{soc}.npz", x_um=ax, y_um=ax, sigma_hoop_MPa=field,
                 grain_id=ids)  # fmt: skip
        facets = [{"tag": 1, "area_um2": 0.1, "tn_MPa": float(t), "ts_MPa": 0.0, "x_um": 0.0,
                   "y_um": 0.0, "z_um": 0.0} for t in np.linspace(-500, 900, 30)]  # fmt: skip
        write_csv_atomic(d / "facets" / f"gb_soc_{soc}.csv", facets, list(facets[0]))


def test_headline_table_states_load_strengths_and_meaning(tmp_path: Path) -> None:
    from polycat.headline import headline_table

    _fake_run(tmp_path)
    text = headline_table(tmp_path)
    assert "charge at 1.0C (1C: the material's x window in 1 h), 1.92 A/m²" in text
    assert "σ_GB = 745 MPa (NCM811, measured)" in text
    assert "σ_adh = 110 MPa (Li6PS5Cl, estimate)" in text and "relative measure" in text
    assert "peak GB crack risk 2.00 at SOC 0.75" in text
    lines = text.splitlines()
    header = next(ln for ln in lines if ln.split()[:2] == ["SOC", "x_mean"])
    assert "GB risk" in header and "delam risk" in header and "x min" in header
    assert len([ln for ln in lines if ln.strip().startswith(("0.5 ", "0.75 ", "1 "))]) == 3


def test_report_prints_the_headline_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fake_run(tmp_path)
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "section_hoop.png" in out and "peak GB crack risk 2.00 at SOC 0.75" in out


def test_plots_state_strengths_peak_soc_robust_range_and_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import polycat.reports as reports

    figures: dict[str, Any] = {}

    def keep(fig: Any, path: Path) -> Path:
        figures[path.name] = fig
        return path

    monkeypatch.setattr(reports, "_save", keep)
    _fake_run(tmp_path)
    reports.build_plots(tmp_path)
    assert {"risk_vs_soc.png", "gb_tn_histogram.png", "section_hoop.png"} <= set(figures)

    def texts(fig: Any) -> str:
        from matplotlib.text import Text

        return "\n".join(t.get_text() for t in fig.findobj(Text))

    for name, fig in figures.items():
        assert "σ_GB = 745 MPa" in texts(fig), name  # every plot states the strengths
        assert "relative measure" in texts(fig), name
    risk = figures["risk_vs_soc.png"].axes
    assert "GB crack risk" in risk[0].get_title() and "745 MPa" in risk[0].get_title()
    assert "delamination" in risk[1].get_title() and "110 MPa" in risk[1].get_title()
    gb_lines = [ln for ln in risk[0].get_lines() if ln.get_marker() == "o"]
    assert len(gb_lines) == 1 and list(gb_lines[0].get_ydata()) == [1.0, 2.0, 1.0]
    hist = figures["gb_tn_histogram.png"].axes[0]
    assert "SOC 0.75 (peak GB risk)" in hist.get_title()
    section = figures["section_hoop.png"].axes[0]
    assert "SOC 0.75 (peak GB risk)" in section.get_title()
    mesh = next(c for c in section.collections if hasattr(c, "get_clim"))
    lo, hi = mesh.get_clim()
    assert hi < 1e3 and lo == -hi  # the hot cell (1e6) does not set the range
    assert len(section.collections) >= 3  # the colour mesh and the region outlines


# ------------------------------------------------------------------ results directory


def _results(d: Path, status: str) -> None:
    (d / "profiles").mkdir(parents=True)
    (d / "profiles" / "soc_050.csv").write_text("r_um\n")
    (d / "summary.csv").write_text("soc\n0.5\n")
    (d / "run.json").write_text(json.dumps({"status": status}))
    (d / "my-notes.txt").write_text("mine")


@pytest.mark.parametrize("status", ["failed", "completed", "interrupted", "running"])
def test_results_directory_policy(tmp_path: Path, status: str) -> None:
    from polycat.simulation.restart import prepare_results_dir

    d = tmp_path / "out"
    _results(d, status)
    if status == "failed":  # a plain rerun replaces a failed run
        prepare_results_dir(d, overwrite=False)
        assert sorted(p.name for p in d.iterdir()) == ["my-notes.txt"]
        return
    with pytest.raises(ConfigError) as info:
        prepare_results_dir(d, overwrite=False)
    text = str(info.value)
    if status == "completed":
        assert "already holds another run (completed)" in text and "--overwrite" in text
    else:
        assert f"polycat run --resume {d}" in text and "--overwrite" in text
        assert "from its start (no SOC was checkpointed)" in text
    # --overwrite replaces what a run wrote, and only that
    prepare_results_dir(d, overwrite=True)
    assert sorted(p.name for p in d.iterdir()) == ["my-notes.txt"]


def test_validate_says_what_run_would_say_about_the_results_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    _results(out, "interrupted")
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(changed(output={"dir": str(out)})))
    assert main(["validate", str(path)]) == 0
    text = capsys.readouterr().out
    assert f"# output.dir {out} holds an unfinished run (interrupted)" in text
    assert f"polycat run --resume {out}" in text


def test_allow_outside_range_changes_no_digest_or_case_id() -> None:
    from polycat.config.resolve import config_digest
    from polycat.study.expand import case_id

    plain = validate_config(BASE)
    allowed = validate_config(changed(allow_outside_range=["mechanics.temperature_K"]))
    assert config_digest(plain) == config_digest(allowed)
    assert case_id(plain) == case_id(allowed)


def test_interface_laws_have_plausibility_ranges_too() -> None:
    data = changed(
        interfaces={"grain_boundary": {"model": "cohesive", "fracture_energy_J_m2": 500.0}}
    )
    with pytest.raises(ConfigError, match=r"interfaces\.grain_boundary\.fracture_energy_J_m2"):
        validate_config(data)


def test_headline_of_a_cohesive_run_defines_cracked_not_risk(tmp_path: Path) -> None:
    """A cohesive run's headline: cracked / debonded fractions defined with the laws used
    (and the strength reduction), no risk definitions; a contact-lost status shown."""
    from polycat.exports.tables import SUMMARY_COLUMNS
    from polycat.headline import headline_table

    d = tmp_path
    rows = [dict.fromkeys(SUMMARY_COLUMNS, "") | {"soc": s, "x_mean": 0.9 - s / 2,
            "gb_tn_max_MPa": 240.0, "gb_cracked_area_fraction": s / 2,
            "interface_debonded_area_fraction": s / 3} for s in (0.25, 0.5)]  # fmt: skip
    write_csv_atomic(d / "summary.csv", rows, SUMMARY_COLUMNS)
    law = {"strength_MPa": 242.7, "fracture_energy_J_m2": 0.53}
    write_json_atomic(d / "run.json", {
        "status": "contact_lost",
        "materials": {"cathode": "NCM811", "gb_strength_MPa": 745.0, "electrolyte": "Li6PS5Cl",
                      "adhesion_strength_MPa": 110.0},
        "interfaces": {"laws": {"grain_boundary": law, "cathode_electrolyte": law | {
            "strength_MPa": 110.0, "fracture_energy_J_m2": 0.8}},
            "resolution": {"grain_boundary": {"strength_MPa": 745.0, "strength_reduced": True},
                           "cathode_electrolyte": {"strength_MPa": 110.0,
                                                   "strength_reduced": False}}},
    })  # fmt: skip
    text = headline_table(d)
    assert "contact_lost, 2 report SOC(s)" in text
    assert "risk" not in text
    assert "GB cracked = area fraction fully separated (cohesive law: σ_c 243 MPa reduced " \
        "from 745 MPa" in text  # fmt: skip
    assert "IF debonded = area fraction fully separated (cohesive law: σ_c 110 MPa, G_c 0.8" in text
