"""docs/config.md is the field reference `polycat schema --format markdown` prints, and
that reference names every field of every section with its plausibility range."""

from __future__ import annotations

from pathlib import Path

import pytest

from polycat.cli import main
from polycat.config.plausibility import RANGES
from polycat.config.reference import schema_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_docs_config_md_is_the_generated_reference() -> None:
    text = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    assert text == schema_markdown(), (
        "docs/config.md is out of date: regenerate it with "
        "`.venv/bin/polycat schema --format markdown > docs/config.md`"
    )


def test_cli_prints_the_markdown_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out == schema_markdown()
    for section in ("geometry", "materials.cathode", "loading", "solver", "readers", "output"):
        assert f"## `{section}`" in out, section


def test_every_plausibility_range_appears_with_its_field() -> None:
    text = schema_markdown()
    for path, rng in RANGES.items():
        section, name = path.rsplit(".", 1)
        blocks = [b.split("\n## ", 1)[0] for b in text.split(f"## `{section}`")[1:]]
        rows = [ln for b in blocks for ln in b.splitlines() if ln.startswith(f"| `{name}` |")]
        assert len(rows) == 1, path
        assert f"plausible {rng.describe()}" in rows[0], path
