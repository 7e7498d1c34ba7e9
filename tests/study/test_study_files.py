"""What a study writes is readable by colleagues (the umask decides, not mkstemp's 0600);
one material under several names is one case; categorical parameters are plotted as
points with bars, numeric ones as lines."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import matplotlib
import pytest
import yaml
from test_study_orchestration import BASE, fake_command, make_study

from polycat.config import ConfigError
from polycat.study import aggregate, load_study, run_local_study, statuses
from polycat.study.aggregate import collect_points
from polycat.study.plots import _plot_vs_parameter

matplotlib.use("Agg")


@pytest.fixture
def umask_022() -> Any:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_study_files_respect_the_umask(tmp_path: Path, umask_022: None) -> None:
    study = make_study(tmp_path, vary={"grid": {"geometry.n_grains": [2, 4]}}, seeds=2)
    assert run_local_study(study, command=fake_command(tmp_path)) == 0
    root = study.dir
    files = [
        root / "study.csv", root / "study_summary.csv", root / "study.json",
        root / "cases.csv", *(root / "configs").glob("*.yaml"), *(root / "state").glob("*.json"),
        *(root / "plots").glob("*.png"),
    ]  # fmt: skip
    assert len(files) > 5
    for path in files:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == 0o644, f"{path.relative_to(root)}: {oct(mode)}"


def _study(tmp: Path, values: list[Any], path: str = "materials.cathode") -> Path:
    (tmp / "base.yaml").write_text(yaml.safe_dump(BASE))
    data = {"base": "base.yaml", "vary": {"grid": {path: values}},
            "output": {"dir": str(tmp / "study")}}  # fmt: skip
    (tmp / "s.yaml").write_text(yaml.safe_dump(data))
    return tmp / "s.yaml"


def test_one_material_under_several_names_is_one_case(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="resolve to the same run config"):
        load_study(_study(tmp_path, ["NCM811", "ncm811"]))
    with pytest.raises(ConfigError, match="resolve to the same run config"):
        load_study(_study(tmp_path, ["NCM811", "NMC811"]))
    # a study naming it by an alias computes the ids a canonical name does
    ids = []
    for name, values in (("a", ["NMC811", "NCM622"]), ("b", ["NCM811", "ncm622"])):
        (tmp_path / name).mkdir()
        study = load_study(_study(tmp_path / name, values))
        assert {c.config.materials.cathode for c in study.cases} == {"NCM811", "NCM622"}
        ids.append([c.id for c in study.cases])
    assert ids[0] == ids[1]


def test_categorical_parameters_are_points_numeric_ones_lines(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    study = make_study(
        tmp_path,
        vary={"grid": {"orientation.texture": ["random", "radial"], "geometry.n_grains": [2, 4]}},
        seeds=2,
    )
    assert run_local_study(study, command=fake_command(tmp_path)) == 0
    points = collect_points(study, statuses(study))
    for path, numeric in (("orientation.texture", False), ("geometry.n_grains", True)):
        fig, axes = plt.subplots(1, 3)
        _plot_vs_parameter(axes, study, points, path, None)
        lines = [ln for ax in axes for ln in ax.get_lines() if ln.get_marker() == "o"]
        assert lines, path
        styles = {ln.get_linestyle() for ln in lines}
        assert styles == ({"-"} if numeric else {"None"}), (path, styles)
        plt.close(fig)
    assert aggregate(study)  # the study plots still build (with the strengths note)
