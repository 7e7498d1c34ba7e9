"""Atomic writers and the results-directory guard."""

import json
from pathlib import Path

import pytest

from polycat.config import ConfigError
from polycat.results import (
    prepare_results_dir,
    read_csv,
    write_csv_atomic,
    write_json_atomic,
)


def test_csv_and_json_round_trip(tmp_path: Path) -> None:
    write_csv_atomic(tmp_path / "t.csv", [{"a": 1.0, "b": "x"}, {"a": 1 / 3}], ["a", "b"])
    rows = read_csv(tmp_path / "t.csv")
    assert rows[0] == {"a": "1", "b": "x"}
    assert float(rows[1]["a"]) == pytest.approx(1 / 3, rel=1e-9)
    write_json_atomic(tmp_path / "r.json", {"p": tmp_path, "v": [1, 2]})
    assert json.loads((tmp_path / "r.json").read_text())["v"] == [1, 2]
    assert not list(tmp_path.glob(".*.tmp"))


def test_results_dir_guard(tmp_path: Path) -> None:
    out = tmp_path / "run"
    prepare_results_dir(out, overwrite=False)
    (out / "run.json").write_text("{}")
    with pytest.raises(ConfigError, match="already holds another run"):
        prepare_results_dir(out, overwrite=False)
    prepare_results_dir(out, overwrite=True)
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(ConfigError, match="not a directory"):
        prepare_results_dir(f, overwrite=True)
