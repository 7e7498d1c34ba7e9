"""Atomic writers and the results-directory guard."""

import json
from pathlib import Path

import pytest

from polycat.errors import ConfigError
from polycat.fileio import read_csv, write_csv_atomic, write_json_atomic, write_text_atomic
from polycat.simulation.restart import prepare_results_dir


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


def test_atomic_files_respect_the_umask(tmp_path: Path) -> None:
    """mkstemp makes 0600 files; results on a shared project folder must follow the umask."""
    import os

    old = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "a.txt", "x")
        assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        write_text_atomic(tmp_path / "b.txt", "x")
        assert (tmp_path / "b.txt").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


def test_none_is_written_as_an_empty_cell(tmp_path: Path) -> None:
    write_csv_atomic(tmp_path / "t.csv", [{"a": None, "b": 1}], ["a", "b"])
    assert read_csv(tmp_path / "t.csv") == [{"a": "", "b": "1"}]
