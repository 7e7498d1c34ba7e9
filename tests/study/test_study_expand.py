"""Study files: expansion (grid × zip × seeds), stable case ids, and errors that name the
field before anything runs. No FEniCSx."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from polycat.config import ConfigError
from polycat.study import case_id, load_study
from polycat.study.expand import SEED_PATHS

HERE = Path(__file__).resolve().parent
BASE = yaml.safe_load((HERE / "small_base.yaml").read_text())


def write_study(tmp: Path, study: dict[str, Any], base: dict[str, Any] | None = None) -> Path:
    (tmp / "base.yaml").write_text(yaml.safe_dump(base if base is not None else BASE))
    data = {"base": "base.yaml", "output": {"dir": str(tmp / "out")}, **study}
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_grid_zip_seeds_expand_in_order(tmp_path: Path) -> None:
    path = write_study(
        tmp_path,
        {
            "vary": {
                "grid": {"geometry.n_grains": [2, 4], "orientation.texture": ["random", "radial"]},
                "zip": {"loading.c_rate": [0.5, 2.0], "mechanics.element_degree": [1, 2]},
            },
            "seeds": 3,
        },
    )
    study = load_study(path)
    assert len(study.cases) == 2 * 2 * 2 * 3
    assert study.varied == [
        "geometry.n_grains",
        "orientation.texture",
        "loading.c_rate",
        "mechanics.element_degree",
    ]
    first, last = study.cases[0], study.cases[-1]
    assert first.values == {
        "geometry.n_grains": 2,
        "orientation.texture": "random",
        "loading.c_rate": 0.5,
        "mechanics.element_degree": 1,
    }
    assert last.values["geometry.n_grains"] == 4 and last.values["loading.c_rate"] == 2.0
    assert [c.seed for c in study.cases[:3]] == [1, 2, 3]
    for c in study.cases:
        cfg = c.config
        # zipped values move together
        assert (cfg.loading.c_rate, cfg.mechanics.element_degree) in ((0.5, 1), (2.0, 2))
        assert cfg.geometry.seed == cfg.orientation.seed == c.seed
        assert cfg.geometry.n_grains == c.values["geometry.n_grains"]
        assert Path(cfg.output.dir) == study.dir / "cases" / c.id
    assert len({c.id for c in study.cases}) == len(study.cases)


def test_seed_list_and_no_seeds(tmp_path: Path) -> None:
    study = load_study(write_study(tmp_path, {"seeds": [7, 3]}))
    assert [c.seed for c in study.cases] == [7, 3]
    assert [c.config.geometry.seed for c in study.cases] == [7, 3]
    study = load_study(write_study(tmp_path, {"vary": {"grid": {"loading.c_rate": [1, 2]}}}))
    assert [c.seed for c in study.cases] == [None, None]
    assert {c.config.geometry.seed for c in study.cases} == {BASE["geometry"]["seed"]}


def test_set_applies_fixed_values(tmp_path: Path) -> None:
    study = load_study(write_study(tmp_path, {"set": {"materials.electrolyte": "LLZO"}}))
    assert study.cases[0].config.materials.electrolyte == "LLZO"


def test_case_id_is_stable_and_ignores_locations(tmp_path: Path) -> None:
    spec = {"vary": {"grid": {"geometry.n_grains": [2, 4]}}, "seeds": 2}
    a = load_study(write_study(tmp_path, spec))
    b = load_study(write_study(tmp_path, spec), out_dir=tmp_path / "elsewhere")
    assert [c.id for c in a.cases] == [c.id for c in b.cases]
    assert a.dir != b.dir
    # key order of the base file and int-vs-float spellings do not matter
    reordered = dict(reversed(list(copy.deepcopy(BASE).items())))
    reordered["geometry"]["particle_radius_um"] = 5  # 5.0 in BASE
    reordered["output"]["mesh_dir"] = str(tmp_path / "other-meshes")
    c = load_study(write_study(tmp_path, spec, base=reordered))
    assert [x.id for x in c.cases] == [x.id for x in a.cases]
    # a value that changes the answer changes the id
    changed = copy.deepcopy(BASE)
    changed["loading"]["c_rate"] = 2.0
    d = load_study(write_study(tmp_path, spec, base=changed))
    assert not {x.id for x in d.cases} & {x.id for x in a.cases}
    assert case_id(a.cases[0].config) == a.cases[0].id


def test_example_studies_expand() -> None:
    root = HERE.parents[1] / "configs" / "studies"
    files = sorted(root.glob("*.yaml"))
    assert len(files) >= 6
    for f in files:
        study = load_study(f)
        assert study.cases, f
        assert study.spec.question, f"{f}: say what the study answers (question:)"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"vary": {"grid": {"geometry.n_grain": [1, 2]}}}, "did you mean geometry.n_grains?"),
        ({"vary": {"grid": {"geometry.n_grains": [2, 0]}}}, "geometry.n_grains"),
        ({"vary": {"grid": {"geometry.n_grains": [2, 0]}}}, "case geometry.n_grains=0"),
        ({"vary": {"zip": {"loading.c_rate": [1, 2], "geometry.n_grains": [2]}}}, "equal length"),
        (
            {"vary": {"grid": {"loading.c_rate": [1, 1]}}},
            "vary.grid: loading.c_rate: values repeat",
        ),
        (
            {"vary": {"zip": {"loading.c_rate": [1, 2, 1], "geometry.n_grains": [2, 2, 2]}}},
            "the zipped combinations repeat",
        ),
        ({"vary": {"grid": {"loading.c_rate": []}}}, "vary.grid.loading.c_rate"),
        ({"seeds": 2, "vary": {"grid": {"geometry.seed": [1, 2]}}}, "do not also set or vary"),
        ({"seeds": 0}, "seeds"),
        ({"launcher": "pbs"}, "launcher"),
        ({"max_paralel": 2}, "did you mean 'max_parallel'?"),
        ({"slurm": {"partition": "x", "ntasks": 2}}, "slurm.ntasks"),
        ({"slurm": {"extra": ["account=abc"]}}, "one sbatch option per entry"),
        ({"set": {"loading.c_rate": -1}}, "loading.c_rate"),
        ({"set": {"geometry.n_grains.x": 1}}, "not a section"),
        ({"base": "missing.yaml"}, "base: no run config"),
        ({"vary": {"grid": {"mechanics.element_degree": [1, 1.0]}}}, "same run config"),
    ],
)
def test_bad_study_names_the_field(tmp_path: Path, change: dict[str, Any], expected: str) -> None:
    path = write_study(tmp_path, change)
    with pytest.raises(ConfigError) as err:
        load_study(path)
    assert expected in str(err.value), str(err.value)


def test_same_config_twice_is_an_error(tmp_path: Path) -> None:
    # charge starts at the top of the material's window by default, so x_start null and
    # x_start = 1.0 resolve to the same run config
    path = write_study(tmp_path, {"vary": {"grid": {"loading.x_start": [None, 1.0]}}})
    with pytest.raises(ConfigError, match="resolve to the same run config"):
        load_study(path)


def test_missing_output_dir_is_reported(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(BASE))
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({"base": "base.yaml"}))
    with pytest.raises(ConfigError, match=r"output: required field is missing"):
        load_study(path)


def test_seed_paths_are_config_fields() -> None:
    from polycat.study.schema import check_config_path

    for p in SEED_PATHS:
        assert check_config_path(p) is None
    assert check_config_path("materials.cathode.name") is None  # inside a union: checked later
    assert "no key" in str(check_config_path("geometry.radius"))


def test_cli_dry_run_and_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from polycat.cli import main

    path = write_study(tmp_path, {"vary": {"grid": {"geometry.n_grains": [2, 4]}}, "seeds": 2})
    assert main(["study", str(path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "4 cases" in out and out.count("\n") == 6  # title, header, 4 cases
    assert not (tmp_path / "out").exists()  # a dry run writes nothing
    bad = write_study(tmp_path, {"vary": {"grid": {"geometry.n_grains": [2, 0]}}})
    assert main(["study", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "case geometry.n_grains=0" in err
    assert "geometry.n_grains must be between 1 and 999" in err
    assert main(["study", str(tmp_path / "missing.yaml"), "--status"]) == 2
    assert "no such study file" in capsys.readouterr().err
